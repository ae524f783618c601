// Children's needs (issue 12, item 2): each child has a needs level, drawn at entry by age band and
// changing at yearly hazards; places are approved for levels; a child is placed only where the
// place is approved for their level, and a child passed over for their level into a fallback or an
// unregistered arrangement is counted in `unmet_need`.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "scenario/scenario_loader.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/replication.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;
namespace fs = std::filesystem;

// The default council has [supply.needs] (scenarios/default-base.toml).
Scenario load_default() { return load_scenario(fs::path(CARECAST_SCENARIO_DIR) / "default.toml"); }

RunResult run(const Scenario& s, int runs, std::uint64_t seed = 17) {
  RunOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = 2;
  return run_replications(s, options);
}

// Runs `runs` replications of `s` with `observer` watching, and the runner for its final state.
struct ObservedRuns {
  explicit ObservedRuns(const Scenario& scenario)
      : s(scenario),
        calendar(ReportingCalendar::monthly(s.origin, s.horizon_end())),
        layout(&s.supply, &s.costs),
        model(CompiledModel::compile(s, calendar.times.back())),
        runner(s, model, layout, calendar),
        tally(static_cast<std::size_t>(calendar.date_count()) * layout.cell_count()) {}
  Scenario s;
  ReportingCalendar calendar;
  TallyLayout layout;
  CompiledModel model;
  ReplicationRunner runner;
  std::vector<std::int32_t> tally;
  const std::int32_t* last_row() const {
    return tally.data() + static_cast<std::size_t>(calendar.date_count() - 1) * layout.cell_count();
  }
};

// Checks every placement as it starts: an in-house household must be approved for the child's
// level, and no provider whose chance of an approved place for the level is 0 may take the child.
class ApprovalChecker : public ReplicationObserver {
 public:
  explicit ApprovalChecker(const Scenario& s) : needs_(*s.supply.needs) {}
  void bind(const ReplicationRunner& runner) { runner_ = &runner; }
  void admitted(std::uint32_t, const ChildState& state, double, bool) override { check(state); }
  void placement_changed(std::uint32_t, const ChildState& state, Category, double) override { check(state); }
  void left_care(std::uint32_t, const ChildState&, ExitReason, double) override {}
  int household_placements_above_standard = 0;
  int placements_unmet = 0;
  int not_approved = 0;

 private:
  void check(const ChildState& state) {
    const PlaceHandle& place = state.place;
    placements_unmet += state.unmet_need;
    if (place.unregistered || place.step_down) return;
    if (place.category == Category::foster_in_house && place.index >= 0) {
      const Household& household = runner_->supply_pool().households()[static_cast<std::size_t>(place.index)];
      if (household.approved_up_to < state.needs_level) ++not_approved;
      household_placements_above_standard += state.needs_level > NeedsLevel::standard;
      return;
    }
    if (needs_.chance_of_place[static_cast<int>(place.category)][static_cast<int>(state.needs_level)] <= 0) {
      ++not_approved;
    }
  }
  const Needs& needs_;
  const ReplicationRunner* runner_ = nullptr;
};

// No child is ever placed where the place is not approved for their level; those passed over for
// their level into a fallback or an unregistered arrangement are the ones counted, and the metrics
// equal a hand count of the children in care at the last month end.
TEST(Needs, NoChildIsPlacedWhereThePlaceIsNotApprovedForTheirLevel) {
  Scenario s = load_default();
  s.horizon_years = 2;
  Needs& needs = *s.supply.needs;
  needs.chance_of_place[static_cast<int>(Category::foster_agency)] = {1, 0.5, 0};  // never very complex
  needs.chance_of_place[static_cast<int>(Category::childrens_home_external)] = {1, 1, 0};
  ObservedRuns o(s);
  ApprovalChecker checker(o.s);
  checker.bind(o.runner);
  o.runner.observe(&checker);
  ASSERT_GE(o.layout.unmet_need, 0);
  for (int r = 0; r < 20; ++r) {
    o.runner.run({3, static_cast<std::uint64_t>(r)}, o.tally);
    int unmet = 0, unregistered_for_needs = 0;
    std::array<int, kNeedsLevelCount> by_level{};
    for (const ChildState& child : o.runner.children()) {
      if (!child.in_care) continue;
      unmet += child.unmet_need;
      ++by_level[static_cast<int>(child.needs_level)];
      // Unmet need is a placement against preference: never the first choice of a child's kind.
      if (child.unmet_need) EXPECT_NE(child.place.category, Category::foster_in_house);
      unregistered_for_needs += child.unmet_need && child.place.unregistered;
    }
    const std::int32_t* row = o.last_row();
    EXPECT_EQ(row[o.layout.unmet_need], unmet);
    for (int level = 0; level < kNeedsLevelCount; ++level) {
      EXPECT_EQ(row[o.layout.children_by_needs_level + level], by_level[level]);
    }
    EXPECT_EQ(by_level[0] + by_level[1] + by_level[2], row[o.layout.stock_all]);
    EXPECT_LE(unregistered_for_needs, row[o.layout.unregistered_placements]);
  }
  EXPECT_EQ(checker.not_approved, 0);
  EXPECT_GT(checker.household_placements_above_standard, 100);  // approved households do take them
  EXPECT_GT(checker.placements_unmet, 100);
}

// With no place anywhere approved above standard, every child assessed above standard at a search
// ends in an unregistered arrangement, in unmet need; and the month-end count is exactly them.
TEST(Needs, WithNoComplexApprovedPlacesComplexChildrenAllEndUnmetAndUnregistered) {
  Scenario s = load_default();
  s.horizon_years = 1;
  Needs& needs = *s.supply.needs;
  needs.households_approved_up_to = {1, 0, 0};
  for (auto& chances : needs.chance_of_place) chances = {1, 0, 0};
  ObservedRuns o(s);
  for (int r = 0; r < 10; ++r) {
    o.runner.run({4, static_cast<std::uint64_t>(r)}, o.tally);
    int above_standard = 0;
    for (const ChildState& child : o.runner.children()) {
      if (!child.in_care) continue;
      if (child.place.step_down) continue;
      if (child.needs_level == NeedsLevel::standard) {
        EXPECT_FALSE(child.unmet_need);
        continue;
      }
      ++above_standard;
      EXPECT_TRUE(child.place.unregistered);
      EXPECT_TRUE(child.unmet_need);
    }
    EXPECT_GT(above_standard, 20);
    EXPECT_EQ(o.last_row()[o.layout.unmet_need], above_standard);
    EXPECT_GE(o.last_row()[o.layout.unregistered_placements], above_standard);
  }
}

// Levels at entry (and at the origin) fall in each age band's shares: chi-squared, per band.
class EntryLevels : public ReplicationObserver {
 public:
  void admitted(std::uint32_t, const ChildState& state, double now, bool) override {
    ++counts[state.age_band_at(std::max(now, 0.0))][static_cast<int>(state.needs_level)];
  }
  void placement_changed(std::uint32_t, const ChildState&, Category, double) override {}
  void left_care(std::uint32_t, const ChildState&, ExitReason, double) override {}
  PerAgeBand<std::array<double, kNeedsLevelCount>> counts{};
};

TEST(Needs, LevelsAtEntryFallInTheirAgeBandsShares) {
  Scenario s = load_default();
  s.horizon_years = 2;
  ObservedRuns o(s);
  EntryLevels levels;
  o.runner.observe(&levels);
  for (int r = 0; r < 30; ++r) o.runner.run({5, static_cast<std::uint64_t>(r)}, o.tally);
  for (int band = 0; band < kAgeBandCount; ++band) {
    const auto& seen = levels.counts[band];
    const double total = seen[0] + seen[1] + seen[2];
    EXPECT_GT(total, 500) << kAgeBandNames[band];
    std::vector<double> observed, expected;
    for (int level = 0; level < kNeedsLevelCount; ++level) {
      const double share = o.s.supply.needs->shares_at_entry[band][level];
      if (share == 0) {
        EXPECT_EQ(seen[level], 0) << kAgeBandNames[band];
        continue;
      }
      observed.push_back(seen[level]);
      expected.push_back(share * total);
    }
    EXPECT_LT(chi_squared_statistic(observed, expected),
              chi_squared_critical(static_cast<int>(observed.size()) - 1))
        << kAgeBandNames[band] << ": " << seen[0] << " / " << seen[1] << " / " << seen[2];
  }
}

// Levels change: with only escalation, a child who entered at standard is still standard at a
// placement search t days later with chance exp(-rate t). The count of children found above
// standard at their first move agrees with the sum of those chances within k standard errors (one
// move a child, so that the children are independent).
class Escalations : public ReplicationObserver {
 public:
  explicit Escalations(double per_day) : per_day_(per_day) {}
  void new_run() { moved_.clear(); }
  void admitted(std::uint32_t, const ChildState&, double, bool) override {}
  void placement_changed(std::uint32_t child, const ChildState& state, Category, double now) override {
    if (state.entity_kind == EntityKind::starting_child) return;  // entered before the origin
    if (moved_.size() <= child) moved_.resize(child + 1, false);
    if (moved_[child]) return;
    moved_[child] = true;
    const double p = 1 - std::exp(-per_day_ * (now - state.care_start));
    expected += p;
    variance += p * (1 - p);
    seen += state.needs_level != NeedsLevel::standard;
  }
  void left_care(std::uint32_t, const ChildState&, ExitReason, double) override {}
  double expected = 0, variance = 0, seen = 0;

 private:
  double per_day_;
  std::vector<bool> moved_;  // by the observer's child number, this run
};

TEST(Needs, LevelsEscalateAtTheirYearlyHazard) {
  Scenario s = load_default();
  s.horizon_years = 3;
  Needs& needs = *s.supply.needs;
  for (auto& shares : needs.shares_at_entry) shares = {1, 0, 0};
  needs.escalation_per_year = 0.4;
  needs.deescalation_per_year = 0;
  s.supply.step_down.reset();  // a step-down is no search: every move below is one
  ObservedRuns o(s);
  Escalations escalations(0.4 / kDaysPerYear);
  o.runner.observe(&escalations);
  for (int r = 0; r < 20; ++r) {
    escalations.new_run();
    o.runner.run({6, static_cast<std::uint64_t>(r)}, o.tally);
  }
  EXPECT_GT(escalations.expected, 200);
  EXPECT_LT(std::abs(escalations.seen - escalations.expected), standard_errors_allowed() * std::sqrt(escalations.variance))
      << escalations.seen << " escalated against " << escalations.expected << " expected";
}

// More in-house households approved for complex and very complex needs: fewer children in
// unregistered arrangements and in unmet need (paired runs, by more than k standard errors).
TEST(Needs, MoreComplexApprovedHouseholdsGiveFewerUnregistered) {
  Scenario base = load_default();
  base.horizon_years = 2;
  Scenario more = base;
  more.supply.needs->households_approved_up_to = {0.4, 0.4, 0.2};
  const RunResult a = run(base, 200);
  const RunResult b = run(more, 200);
  for (const char* metric : {"unregistered_placements", "unmet_need"}) {
    const int cell = a.layout.find(metric, "all");
    ASSERT_GE(cell, 0) << metric;
    double sum = 0, squares = 0;
    for (int r = 0; r < a.runs; ++r) {
      double d = 0;  // child-months over the forecast
      for (int date = 1; date < a.calendar.date_count(); ++date) d += b.value(r, date, cell) - a.value(r, date, cell);
      sum += d;
      squares += d * d;
    }
    const double mean = sum / a.runs;
    const double se = std::sqrt((squares / a.runs - mean * mean) / (a.runs - 1));
    EXPECT_LT(mean, -standard_errors_allowed() * se) << metric << " changes by " << mean << " (se " << se << ")";
  }
}

// Costs vary by level: the weekly multipliers raise the cost and change nothing else (the same
// children in the same places, run by run).
TEST(Needs, CostMultipliersRaiseTheCostAndChangeNothingElse) {
  Scenario flat = load_default();
  flat.horizon_years = 1;
  flat.supply.needs->weekly_cost_multiplier = {1, 1, 1};
  Scenario dearer = flat;
  dearer.supply.needs->weekly_cost_multiplier = {1, 1.5, 3};
  const RunResult a = run(flat, 20);
  const RunResult b = run(dearer, 20);
  const int cost = a.layout.cell_count() + a.layout.cost_all;
  const int last = a.calendar.date_count() - 1;
  for (int r = 0; r < a.runs; ++r) {
    for (int cell = 0; cell < a.layout.cell_count(); ++cell) ASSERT_EQ(a.value(r, last, cell), b.value(r, last, cell));
    EXPECT_GT(b.number(r, last, cost), a.number(r, last, cost) * 1.01);
  }
}

// Costs by kind and level, by hand: two kinship children who never move, £700 a week (£100 a
// day) each, one assessed standard and one complex (the levels are drawn at the origin by age band:
// the 5-9s are all standard, the 10-15s all complex, and no level changes), complex costing 1.4
// times as much. Each month is 100 x days x (1 + 1.4), the same in every run; a third, very
// complex, level at 2.2 would add nothing as nobody has it.
TEST(Needs, WeeklyCostIsTheKindsCostTimesTheLevelsMultiplier) {
  Scenario s = single_category_scenario(0.0, 2, 0, 1);
  s.starting_children[0].age_days = 7 * 365;
  s.starting_children[1].age_days = 12 * 365;
  for (StartingChild& child : s.starting_children) child.category = Category::foster_kinship;
  s.costs.enabled = true;
  s.costs.base_year = 2024;
  s.costs.weekly[static_cast<int>(Category::foster_kinship)] = 700;
  s.supply.enabled = true;  // no in-house households: kinship places are not capped
  Needs needs;
  for (auto& shares : needs.shares_at_entry) shares = {1, 0, 0};
  needs.shares_at_entry[static_cast<int>(AgeBand::from_10_to_15)] = {0, 1, 0};
  needs.weekly_cost_multiplier = {1, 1.4, 2.2};
  s.supply.needs = needs;
  const RunResult r = run(s, 3);
  const int cost = r.layout.cell_count() + r.layout.cost_all;
  const int kinship_cost = r.layout.cell_count() + r.layout.cost_by_category + static_cast<int>(Category::foster_kinship);
  const int by_level = r.layout.children_by_needs_level;
  for (int k = 0; k < r.runs; ++k) {
    ASSERT_EQ(r.value(k, 1, by_level + static_cast<int>(NeedsLevel::standard)), 1);
    ASSERT_EQ(r.value(k, 1, by_level + static_cast<int>(NeedsLevel::complex)), 1);
    EXPECT_NEAR(r.number(k, 1, cost), 100 * 31 * 2.4, 1e-6);          // March 2025
    EXPECT_NEAR(r.number(k, 2, kinship_cost), 100 * 30 * 2.4, 1e-6);  // April 2025
  }
}

// Needs draw only on streams of their own: a [supply.needs] under which every place takes every
// level at the same cost gives every other figure exactly as without the section, run by run.
TEST(Needs, NeutralNeedsChangeNothingElse) {
  Scenario with = load_default();
  with.horizon_years = 1;
  ASSERT_TRUE(with.supply.needs);
  Scenario without = with;
  without.supply.needs.reset();
  with.supply.needs->households_approved_up_to = {0, 0, 1};
  for (auto& chances : with.supply.needs->chance_of_place) chances = {1, 1, 1};
  with.supply.needs->weekly_cost_multiplier = {1, 1, 1};
  const RunResult a = run(with, 20);
  const RunResult b = run(without, 20);
  EXPECT_EQ(b.layout.find("unmet_need", "all"), -1);
  ASSERT_EQ(a.layout.cell_count(), b.layout.cell_count() + 1 + kNeedsLevelCount);
  int compared = 0;
  for (int cell = 0; cell < b.layout.cell_count() + b.layout.measure_count(); ++cell) {
    const int in_a = a.layout.find(b.layout.cell(cell).metric, b.layout.cell(cell).category);
    ASSERT_GE(in_a, 0);
    for (int run = 0; run < a.runs; ++run) {
      for (int d = 0; d < a.calendar.date_count(); ++d) {
        const double x = a.number(run, d, in_a), y = b.number(run, d, cell);
        if (std::isnan(x) && std::isnan(y)) continue;
        ASSERT_EQ(x, y) << b.layout.cell(cell).metric << " " << b.layout.cell(cell).category;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 10000);
  // And the unmet count is 0 throughout: nothing is passed over for needs.
  for (int run = 0; run < a.runs; ++run) EXPECT_EQ(a.value(run, a.calendar.date_count() - 1, a.layout.unmet_need), 0);
}

class NeedsErrors : public testing::ScenarioRefusalTest {};

TEST_F(NeedsErrors, ALevelWithNoProbabilityIsRefused) {
  const InputError e = error_for("[supply.needs.shares_at_entry.all]\nstandard = 0.9\ncomplex = 0.1\n");
  EXPECT_EQ(e.where().line, 2);
  EXPECT_EQ(e.where().field, "supply.needs.shares_at_entry.all.very_complex");
  EXPECT_NE(e.problem().find("no value for needs level 'very_complex'"), std::string::npos) << e.problem();
  const InputError chance = error_for("[supply.needs.shares_at_entry.all]\nstandard = 1\ncomplex = 0\n"
                                      "very_complex = 0\n[supply.needs.chance_of_place.foster_agency]\n"
                                      "standard = 1\nvery_complex = 0\n");
  EXPECT_EQ(chance.where().line, 6);
  EXPECT_EQ(chance.where().field, "supply.needs.chance_of_place.foster_agency.complex");
}

TEST_F(NeedsErrors, SharesNotSummingToOneAreRefused) {
  const InputError e = error_for("[supply.needs.shares_at_entry.all]\nstandard = 0.8\ncomplex = 0.1\n"
                                 "very_complex = 0.05\n");
  EXPECT_EQ(e.where().line, 2);
  EXPECT_EQ(e.where().field, "supply.needs.shares_at_entry.all");
  EXPECT_NE(e.problem().find("sum to 0.95"), std::string::npos) << e.problem();
  const InputError households = error_for("[supply.needs]\nhouseholds_approved_up_to = { standard = 0.5, "
                                          "complex = 0.2, very_complex = 0.2 }\n"
                                          "[supply.needs.shares_at_entry.all]\nstandard = 1\ncomplex = 0\n"
                                          "very_complex = 0\n");
  EXPECT_EQ(households.where().line, 3);
  EXPECT_EQ(households.where().field, "supply.needs.households_approved_up_to");
}

TEST_F(NeedsErrors, AnUnknownLevelIsRefused) {
  const InputError e = error_for("[supply.needs.shares_at_entry.all]\nstandard = 0.9\ncomplex = 0.05\n"
                                 "extreme = 0.05\n");
  EXPECT_EQ(e.where().line, 5);
  EXPECT_EQ(e.where().field, "supply.needs.shares_at_entry.all.extreme");
  EXPECT_NE(e.problem().find("unknown needs level"), std::string::npos) << e.problem();
  EXPECT_NE(e.problem().find("very_complex"), std::string::npos) << e.problem();
}

TEST_F(NeedsErrors, InHouseCarersAreApprovedHouseholdByHousehold) {
  const InputError e = error_for("[supply.needs.shares_at_entry.all]\nstandard = 1\ncomplex = 0\nvery_complex = 0\n"
                                 "[supply.needs.chance_of_place.foster_in_house]\nstandard = 1\ncomplex = 1\n"
                                 "very_complex = 1\n");
  EXPECT_EQ(e.where().line, 6);
  EXPECT_NE(e.problem().find("households_approved_up_to"), std::string::npos) << e.problem();
}

}  // namespace
}  // namespace carecast
