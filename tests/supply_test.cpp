// Supply and sufficiency: finite carers and beds, what happens when they run out, and the
// commissioning options that change them.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <span>

#include "scenario/scenario_loader.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/ordered_index_set.hpp"
#include "simulation/replication.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;
namespace fs = std::filesystem;

RunResult run(const Scenario& s, int runs, std::uint64_t seed = 5) {
  RunOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = 2;
  return run_replications(s, options);
}

Scenario load_shipped(const std::string& name) { return load_scenario(fs::path(CARECAST_SCENARIO_DIR) / name); }

int date_index(const RunResult& r, Date date) {
  for (int d = 0; d < r.calendar.date_count(); ++d) {
    if (r.calendar.dates[d] == date) return d;
  }
  ADD_FAILURE() << "no reporting date " << format_iso(date);
  return 0;
}

// Mean and standard error of option minus base, run by run (common random numbers pair them).
std::pair<double, double> paired_difference(const RunResult& base, const RunResult& option, int date, int base_cell,
                                            int option_cell) {
  double sum = 0, squares = 0;
  for (int r = 0; r < base.runs; ++r) {
    const double d = option.value(r, date, option_cell) - base.value(r, date, base_cell);
    sum += d;
    squares += d * d;
  }
  const double mean = sum / base.runs;
  return {mean, std::sqrt((squares / base.runs - mean * mean) / (base.runs - 1))};
}

TEST(Supply, CapacityIsNeverExceededEvenWhenEverythingIsShort) {
  Scenario s = load_shipped("option_step_down.toml");
  s.supply.in_house_households = 60;
  s.supply.agency_places = 40;
  s.supply.external_home_beds = 25;
  s.supply.homes.push_back(InHouseHome{"small home", 2, make_date(2025, 6, 1), make_date(2027, 6, 1), 900000});
  s.supply.fallback[static_cast<int>(Category::foster_agency)] = {Category::foster_in_house};
  s.supply.fallback[static_cast<int>(Category::childrens_home_external)] = {Category::foster_agency};
  const RunResult result = run(s, 200);
  EXPECT_EQ(result.capacity_exceeded, 0);
  const TallyLayout& l = result.layout;
  double unmet = 0, in_other = 0;
  for (int r = 0; r < result.runs; ++r) {
    for (int d = 0; d < result.calendar.date_count(); ++d) {
      for (int k = 0; k < kResourceCount; ++k) {
        if (l.places_available[k] < 0) continue;
        ASSERT_LE(result.value(r, d, l.places_occupied[k]), result.value(r, d, l.places_available[k]))
            << kResourceNames[k] << " run " << r << " date " << d;
      }
      if (d > 0) unmet += result.value(r, d, l.unmet_preference_all);
      in_other += result.value(r, d, l.stock_by_category + static_cast<int>(Category::other));
    }
  }
  // The shortage bites: children are placed against preference, some in `other` arrangements.
  EXPECT_GT(unmet, 1000);
  EXPECT_GT(in_other, 0);
}

// Supply so plentiful that it never binds changes nothing when the draws name the provider: every
// child meets the same chances. (With kinds of care, plentiful in-house carers take the agency
// demand too: placement_market_test.cpp.)
TEST(Supply, UnlimitedCapacityGivesTheUnconstrainedResult) {
  const Scenario unconstrained = mixed_scenario();
  Scenario plentiful = unconstrained;
  plentiful.supply.enabled = true;
  plentiful.supply.demand = Supply::Demand::placement_category;
  plentiful.supply.in_house_households = 3000;
  plentiful.supply.places_per_household_probability = {0, 0, 0, 1};
  plentiful.supply.approval_ranges = {ApprovalRange{0, 17, 1}};
  plentiful.supply.takes_sibling_groups_probability = 1;
  const RunResult a = run(unconstrained, 100);
  const RunResult b = run(plentiful, 100);
  for (int cell = 0; cell < a.layout.cell_count(); ++cell) {
    const int other = b.layout.find(a.layout.cell(cell).metric, a.layout.cell(cell).category);
    ASSERT_GE(other, 0);
    for (int r = 0; r < a.runs; ++r) {
      for (int d = 0; d < a.calendar.date_count(); ++d) {
        ASSERT_EQ(a.value(r, d, cell), b.value(r, d, other))
            << a.layout.cell(cell).metric << "/" << a.layout.cell(cell).category << " run " << r << " date " << d;
      }
    }
  }
  EXPECT_EQ(b.capacity_exceeded, 0);
}

// A campaign from July 2025 with an 8-month pipeline cannot approve anyone before March 2026; by
// 2027 it has added households (paired difference above k standard errors).
TEST(Supply, RecruitmentCampaignRaisesHouseholdsAfterThePipelineLag) {
  const Scenario base = load_shipped("default.toml");
  const Scenario campaign = load_shipped("option_recruitment_campaign.toml");
  const RunResult a = run(base, 300);
  const RunResult b = run(campaign, 300);
  const int households = a.layout.carer_households;
  ASSERT_EQ(b.layout.carer_households, households);
  const Date first_possible = make_date(2026, 3, 1);
  for (int d = 0; d < a.calendar.date_count() && a.calendar.dates[d] < first_possible; ++d) {
    for (int r = 0; r < a.runs; ++r) ASSERT_EQ(a.value(r, d, households), b.value(r, d, households)) << d;
  }
  const auto [mean, se] = paired_difference(a, b, date_index(a, make_date(2027, 3, 31)), households, households);
  EXPECT_GT(mean, standard_errors_allowed() * se);
  EXPECT_GT(mean, 5.0);  // about 11 more approvals a year once the campaign is at full strength
}

TEST(Supply, AnInHouseHomeFillsAndExternalResidentialFalls) {
  const RunResult a = run(load_shipped("default.toml"), 300);
  const RunResult b = run(load_shipped("option_in_house_home.toml"), 300);
  const int when = date_index(a, make_date(2028, 3, 31));
  const int in_house = b.layout.stock_by_category + static_cast<int>(Category::childrens_home_in_house);
  double filled = 0;
  for (int r = 0; r < b.runs; ++r) filled += b.value(r, when, in_house);
  EXPECT_GT(filled / b.runs, 3.0);  // of 4 beds
  const int external = a.layout.stock_by_category + static_cast<int>(Category::childrens_home_external);
  const auto [mean, se] = paired_difference(a, b, when, external, external);
  EXPECT_LT(mean, -standard_errors_allowed() * se);
  // Before the home opens on 1 April 2026 nothing differs.
  const int before = date_index(a, make_date(2026, 2, 28));
  for (int r = 0; r < a.runs; ++r) ASSERT_EQ(a.value(r, before, external), b.value(r, before, external));
}

// Watches every move out of a step-down placement: when one breaks down, the child must go back to
// residential care.
class StepDownWatcher : public ReplicationObserver {
 public:
  // Child indices start again in each replication.
  void admitted(std::uint32_t child, const ChildState&, double, bool) override {
    if (child >= stepped_down_.size()) stepped_down_.resize(child + 1, false);
    stepped_down_[child] = false;
  }
  void placement_changed(std::uint32_t child, const ChildState& state, Category from, double) override {
    if (stepped_down_[child] && from == Category::foster_in_house) {
      ++returns_;
      if (state.category == Category::childrens_home_external || state.category == Category::childrens_home_in_house) {
        ++returns_to_residential_;
      }
    }
    stepped_down_[child] = state.place.step_down;
    if (state.place.step_down) ++step_downs_;
  }
  void left_care(std::uint32_t child, const ChildState&, ExitReason, double) override {
    if (child < stepped_down_.size()) stepped_down_[child] = false;
  }
  int step_downs_ = 0, returns_ = 0, returns_to_residential_ = 0;

 private:
  std::vector<bool> stepped_down_;
};

TEST(Supply, AStepDownBreakdownReturnsTheChildToResidentialCare) {
  Scenario s = load_shipped("option_step_down.toml");
  // Foster placements never end of themselves here, so a step-down placement ends only by
  // breaking down (or at 18): every move out of one is a breakdown.
  s.supply.step_down->breakdown_hazard_per_year = 50;
  s.supply.step_down->breakdown_months = 12;
  s.supply.step_down->hazard_per_year = 3;
  for (int b = 0; b < kAgeBandCount; ++b) set_hazard(s, Category::foster_in_house, b, {0, 0, 0, 0, 0, 0});
  const ReportingCalendar calendar = ReportingCalendar::monthly(s.origin, s.horizon_end());
  const TallyLayout layout(&s.supply);
  const CompiledModel model = CompiledModel::compile(s, calendar.times.back());
  ReplicationRunner runner(s, model, layout, calendar);
  StepDownWatcher watcher;
  runner.observe(&watcher);
  std::vector<std::int32_t> tally(static_cast<std::size_t>(calendar.date_count()) * layout.cell_count());
  double breakdowns = 0;
  for (std::uint64_t r = 0; r < 20; ++r) {
    runner.run({3, r}, tally);
    for (int d = 1; d < calendar.date_count(); ++d) {
      breakdowns += tally[static_cast<std::size_t>(d) * layout.cell_count() + layout.step_down_breakdowns];
    }
  }
  EXPECT_GT(watcher.step_downs_, 20);
  EXPECT_GT(breakdowns, 10);
  EXPECT_EQ(watcher.returns_, static_cast<int>(breakdowns));
  EXPECT_EQ(watcher.returns_to_residential_, static_cast<int>(breakdowns));
}

// At every step of a child's history, checks that each household and home lists exactly the
// children in care whose placement is with it, as a scan of every child finds them.
class PlaceListChecker : public ReplicationObserver {
 public:
  explicit PlaceListChecker(const ReplicationRunner& runner) : runner_(runner) {}
  void admitted(std::uint32_t, const ChildState&, double, bool) override { check(); }
  void placement_changed(std::uint32_t, const ChildState&, Category, double) override { check(); }
  void left_care(std::uint32_t, const ChildState&, ExitReason, double) override { check(); }
  int checks_ = 0;
  int children_found_at_places_ = 0;
  int mismatches_ = 0;

 private:
  void check() {
    const auto households = static_cast<std::int32_t>(runner_.supply_pool().households().size());
    std::map<std::pair<Category, std::int32_t>, std::vector<std::uint32_t>> scanned;
    const auto children = runner_.children();
    for (std::uint32_t i = 0; i < children.size(); ++i) {
      const PlaceHandle& place = children[i].place;
      const bool listed_kind = place.category == Category::foster_in_house || place.category == Category::childrens_home_in_house;
      if (children[i].in_care && listed_kind && place.index >= 0 && !place.step_down) {
        scanned[{place.category, place.index}].push_back(i);
      }
    }
    auto compare = [&](Category category, std::int32_t index) {
      std::vector<std::uint32_t> listed = runner_.children_listed_at(PlaceHandle{category, index});
      std::sort(listed.begin(), listed.end());
      const auto found = scanned.find({category, index});
      const std::vector<std::uint32_t> expected = found == scanned.end() ? std::vector<std::uint32_t>{} : found->second;
      children_found_at_places_ += static_cast<int>(expected.size());
      if (listed != expected) ++mismatches_;
    };
    for (std::int32_t h = 0; h < households; ++h) compare(Category::foster_in_house, h);
    for (std::int32_t home = 0; home < homes_; ++home) compare(Category::childrens_home_in_house, home);
    ++checks_;
  }
  const ReplicationRunner& runner_;

 public:
  std::int32_t homes_ = 0;
};

// Three replications of `s` seeded 11 with a PlaceListChecker watching: what the lists held and
// what the tallies counted.
struct CheckedPlaceLists {
  double supply_moves = 0;
  double deregistrations = 0;
  int checks = 0;
  int children_found_at_places = 0;
  int mismatches = 0;
};

CheckedPlaceLists run_with_place_lists_checked(const Scenario& s) {
  const ReportingCalendar calendar = ReportingCalendar::monthly(s.origin, s.horizon_end());
  const TallyLayout layout(&s.supply, &s.costs);
  const CompiledModel model = CompiledModel::compile(s, calendar.times.back());
  ReplicationRunner runner(s, model, layout, calendar);
  PlaceListChecker checker(runner);
  checker.homes_ = static_cast<std::int32_t>(s.supply.homes.size());
  runner.observe(&checker);
  std::vector<std::int32_t> tally(static_cast<std::size_t>(calendar.date_count()) * layout.cell_count());
  CheckedPlaceLists result;
  for (std::uint64_t r = 0; r < 3; ++r) {
    runner.run({11, r}, tally);
    for (int d = 1; d < calendar.date_count(); ++d) {
      const auto row = static_cast<std::size_t>(d) * layout.cell_count();
      result.supply_moves += tally[row + layout.supply_moves];
      result.deregistrations += tally[row + layout.deregistrations];
    }
  }
  result.checks = checker.checks_;
  result.children_found_at_places = checker.children_found_at_places_;
  result.mismatches = checker.mismatches_;
  return result;
}

TEST(Supply, EachHouseholdAndHomeListsExactlyTheChildrenPlacedThere) {
  // Carers leave often and a home closes, so children move out of households and homes as well
  // as in; ages and sibling groups fill households unevenly.
  Scenario s = load_shipped("option_in_house_home.toml");
  s.horizon_years = 2;
  s.supply.deregistration_per_year = 0.6;
  ASSERT_FALSE(s.supply.homes.empty());
  s.supply.homes[0].closes = s.origin + std::chrono::days{600};  // opens at day 397
  const CheckedPlaceLists checked = run_with_place_lists_checked(s);
  EXPECT_GT(checked.supply_moves, 50);  // the lists were emptied by deregistrations and the closure many times
  EXPECT_GT(checked.checks, 1000);
  EXPECT_GT(checked.children_found_at_places, 10000);
  EXPECT_EQ(checked.mismatches, 0);
}

// Carers who stop between children (leaves_when_last_child_leaves_probability, as calibrate's capacity from the
// returns writes, with no deregistration hazard): households leave, nobody moves because of it, the lists stay
// exact; with the chance 0 nobody leaves.
TEST(Supply, CarersWhoLeaveWhenTheirLastChildLeavesMoveNobody) {
  Scenario s = load_shipped("option_in_house_home.toml");
  s.horizon_years = 2;
  s.supply.deregistration_per_year = 0;
  s.supply.leaves_when_last_child_leaves_probability = 1;
  const CheckedPlaceLists leaving = run_with_place_lists_checked(s);
  EXPECT_GT(leaving.deregistrations, 30);
  EXPECT_EQ(leaving.supply_moves, 0);
  EXPECT_GT(leaving.children_found_at_places, 1000);
  EXPECT_EQ(leaving.mismatches, 0);
  s.supply.leaves_when_last_child_leaves_probability = 0;
  const CheckedPlaceLists staying = run_with_place_lists_checked(s);
  EXPECT_EQ(staying.deregistrations, 0);
  EXPECT_EQ(staying.mismatches, 0);
}

// The council's own homes not modelled as finite: a bed is always found, and counted while it is used.
TEST(Supply, UnlimitedInHouseHomesAlwaysHaveABed) {
  Supply supply;
  supply.enabled = true;
  supply.in_house_homes_unlimited = true;
  SupplyPool pool;
  pool.reset(supply);
  const std::array<int, 3> ages{14, 15, 16};
  const std::optional<PlaceHandle> bed = pool.reserve(Category::childrens_home_in_house, ages, 10.0);
  ASSERT_TRUE(bed.has_value());
  EXPECT_EQ(bed->category, Category::childrens_home_in_house);
  EXPECT_EQ(bed->index, -1);
  EXPECT_EQ(pool.occupied(Resource::childrens_home_in_house), 3);
  pool.release(*bed);
  EXPECT_EQ(pool.occupied(Resource::childrens_home_in_house), 2);
  // Without the flag and with no homes listed there is none.
  supply.in_house_homes_unlimited = false;
  SupplyPool none;
  none.reset(supply);
  EXPECT_FALSE(none.reserve(Category::childrens_home_in_house, ages, 10.0).has_value());
}

// The households a match can choose from: only active ones with room for every sibling, approved
// for every age, taking sibling groups when there are several; the nth of them is counted in index
// order across households of different kinds, and filling or freeing places updates the count.
// The nth suitable household for these children, reserved as a match does it.
static PlaceHandle reserve_nth(SupplyPool& pool, std::span<const int> ages, int n) {
  pool.find_suitable(ages);
  return pool.reserve_nth_found(n);
}

TEST(Supply, SuitableHouseholdsAreThoseWithRoomAndApprovalCountedInIndexOrder) {
  Supply supply;
  supply.enabled = true;
  SupplyPool pool;
  pool.reset(supply);
  pool.add_household(Household{3, 0, 0, 17, false});      // 0: no sibling groups
  pool.add_household(Household{2, 0, 0, 10, true});       // 1: suitable for 3 and 9
  pool.add_household(Household{2, 1, 0, 17, true});       // 2: one free place only
  pool.add_household(Household{4, 0, 5, 17, true});       // 3: not approved for a 3-year-old
  pool.add_household(Household{3, 0, 0, 17, true});       // 4: suitable
  const std::int32_t leaving = pool.add_household(Household{2, 0, 0, 17, true});  // 5: suitable, then leaves
  pool.add_household(Household{2, 0, 0, 12, true});       // 6: suitable
  const std::array<int, 2> siblings{3, 9};
  EXPECT_EQ(pool.suitable_households(siblings), 4);
  pool.deregister(leaving);
  ASSERT_EQ(pool.suitable_households(siblings), 3);
  EXPECT_EQ(reserve_nth(pool, siblings, 1).index, 4);
  EXPECT_EQ(pool.household(4).occupied, 2);
  EXPECT_EQ(pool.suitable_households(siblings), 2);  // household 4 has one place left
  EXPECT_EQ(reserve_nth(pool, siblings, 1).index, 6);
  EXPECT_EQ(reserve_nth(pool, siblings, 0).index, 1);
  EXPECT_EQ(pool.suitable_households(siblings), 0);
  const std::array<int, 1> one{3};
  EXPECT_EQ(pool.suitable_households(one), 3);  // households 0, 2 and 4
  EXPECT_EQ(reserve_nth(pool, one, 1).index, 2);
  pool.release(PlaceHandle{Category::foster_in_house, 6});
  EXPECT_EQ(pool.suitable_households(one), 3);  // 0, 4 and 6
}

// Across bitmap words and several kinds, the nth suitable household is the nth of a plain scan of
// every household in index order, for every n, with households full, part-full and gone: for a
// council-sized pool (one counted block of 512 households), a larger one (two count levels) and
// one of England's size in a single pool (three).
class NthSuitableHousehold : public ::testing::TestWithParam<int> {};

TEST_P(NthSuitableHousehold, MatchesAScanOfEveryHousehold) {
  const int kHouseholds = GetParam();
  Supply supply;
  supply.enabled = true;
  SupplyPool pool;
  pool.reset(supply);
  std::mt19937_64 engine(20261130);
  for (int i = 0; i < kHouseholds; ++i) {
    const auto places = static_cast<std::uint8_t>(1 + engine() % 3);
    const auto min_age = static_cast<std::uint8_t>(engine() % 3 == 0 ? 5 : 0);
    const bool siblings = engine() % 4 != 0;
    const std::int32_t index = pool.add_household(Household{places, 0, min_age, 17, siblings});
    // Fill some places: set one more than wanted, then free one, which lists the household again.
    const auto filled = static_cast<int>(engine() % (places + 1u));
    pool.household(index).occupied = static_cast<std::uint8_t>(filled + 1);
    pool.release(PlaceHandle{Category::foster_in_house, index});
    if (engine() % 10 == 0) pool.deregister(index);
  }
  for (const std::vector<int>& ages : {std::vector<int>{3}, std::vector<int>{8}, std::vector<int>{2, 9}}) {
    std::vector<std::int32_t> scanned;
    for (int i = 0; i < kHouseholds; ++i) {
      const Household& h = pool.household(i);
      const bool fits = h.active && h.places - h.occupied >= static_cast<int>(ages.size()) &&
                        (ages.size() == 1 || h.takes_sibling_groups) &&
                        std::all_of(ages.begin(), ages.end(), [&](int a) { return a >= h.min_age_years; });
      if (fits) scanned.push_back(i);
    }
    ASSERT_EQ(pool.suitable_households(ages), static_cast<int>(scanned.size()));
    ASSERT_EQ(pool.find_suitable(ages), static_cast<int>(scanned.size()));
    ASSERT_GT(scanned.size(), 20u);
    ASSERT_GE(scanned.back(), kHouseholds - 64);  // the walk crosses words to the last
    for (std::size_t n = 0; n < scanned.size(); ++n) {
      ASSERT_EQ(pool.find_suitable(ages), static_cast<int>(scanned.size()));
      const PlaceHandle place = pool.reserve_nth_found(static_cast<int>(n));
      ASSERT_EQ(place.index, scanned[n]) << "n = " << n;
      for (std::size_t c = 0; c < ages.size(); ++c) pool.release(place);
    }
    EXPECT_EQ(pool.suitable_households(ages), static_cast<int>(scanned.size()));
  }
}

// An 8-year-old suits every kind, a 3-year-old two kinds and siblings one.
INSTANTIATE_TEST_SUITE_P(Supply, NthSuitableHousehold, ::testing::Values(300, 700, 40000));

// Which households suit a group is found by kinds of household: the count, the count a match
// draws from and the first household are a plain scan's, for every single age, groups of two and
// three, and every needs level, with approval ranges, sibling rules, needs approvals and places
// all varying: 2 approval ranges (12 kinds), then up to 171 (hundreds of kinds).
TEST(Supply, SuitableKindsMatchAScanWithFewAndManyKinds) {
  for (const bool many_kinds : {false, true}) {
    Supply supply;
    supply.enabled = true;
    SupplyPool pool;
    pool.reset(supply);
    std::mt19937_64 engine(many_kinds ? 171 : 20);
    const int households = many_kinds ? 3000 : 400;
    for (int i = 0; i < households; ++i) {
      Household h;
      h.places = static_cast<std::uint8_t>(1 + engine() % 4);
      int low = 0;
      int high = 17;
      if (many_kinds) {
        low = static_cast<int>(engine() % 18);
        high = low + static_cast<int>(engine() % static_cast<std::uint64_t>(18 - low));
      } else if (engine() % 2 == 0) {
        low = 11;
      }
      h.min_age_years = static_cast<std::uint8_t>(low);
      h.max_age_years = static_cast<std::uint8_t>(high);
      h.takes_sibling_groups = engine() % 3 != 0;
      h.approved_up_to = static_cast<NeedsLevel>(engine() % kNeedsLevelCount);
      const std::int32_t index = pool.add_household(h);
      const auto filled = static_cast<int>(engine() % (h.places + 1u));
      pool.household(index).occupied = static_cast<std::uint8_t>(filled + 1);
      pool.release(PlaceHandle{Category::foster_in_house, index});
      if (engine() % 10 == 0) pool.deregister(index);
    }
    std::vector<std::vector<int>> groups;
    for (int age = 0; age < 18; ++age) groups.push_back({age});
    for (int g = 0; g < 40; ++g) {
      std::vector<int> ages(2 + engine() % 2);
      for (int& age : ages) age = static_cast<int>(engine() % 18);
      groups.push_back(ages);
    }
    int compared = 0;
    for (const std::vector<int>& ages : groups) {
      for (int level = 0; level < kNeedsLevelCount; ++level) {
        const auto needs = static_cast<NeedsLevel>(level);
        int scanned = 0;
        std::int32_t first = -1;
        for (int i = 0; i < households; ++i) {
          const Household& h = pool.household(i);
          const bool fits = h.active && h.places - h.occupied >= static_cast<int>(ages.size()) &&
                            (ages.size() == 1 || h.takes_sibling_groups) && needs <= h.approved_up_to &&
                            std::all_of(ages.begin(), ages.end(),
                                        [&](int a) { return a >= h.min_age_years && a <= h.max_age_years; });
          if (!fits) continue;
          if (first < 0) first = i;
          ++scanned;
        }
        ASSERT_EQ(pool.suitable_households(ages, needs), scanned) << "ages " << ages[0] << "..., level " << level;
        ASSERT_EQ(pool.find_suitable(ages, needs), scanned);
        const std::optional<PlaceHandle> place = pool.reserve(Category::foster_in_house, ages, 0.0, needs);
        ASSERT_EQ(place.has_value(), first >= 0);
        if (place) {
          ASSERT_EQ(place->index, first);
          for (std::size_t c = 0; c < ages.size(); ++c) pool.release(*place);
        }
        compared += scanned > 0;
      }
    }
    EXPECT_GT(compared, 100);  // most groups and levels have a suitable household to find
  }
}

// A search for one child reads a list of the kinds that take each age and needs level, made at the
// first search: households of a kind not yet seen (approved later in a run), and a kind whose places
// grow, must be in later searches' lists.
TEST(Supply, ASearchForOneChildSeesKindsAddedAfterEarlierSearches) {
  Supply supply;
  supply.enabled = true;
  SupplyPool pool;
  pool.reset(supply);
  const std::array<int, 1> twelve{12};
  const std::array<int, 1> five{5};
  pool.add_household(Household{2, 0, 0, 10, true});  // 0: under 11s
  EXPECT_EQ(pool.find_suitable(twelve), 0);
  EXPECT_EQ(pool.find_suitable(five), 1);
  const std::int32_t older = pool.add_household(Household{1, 0, 11, 17, false});  // 1: a new kind
  ASSERT_EQ(pool.find_suitable(twelve), 1);
  EXPECT_EQ(pool.reserve_nth_found(0).index, older);
  EXPECT_EQ(pool.find_suitable(twelve), 0);  // its one place is taken
  Household complex{1, 0, 0, 17, false};
  complex.approved_up_to = NeedsLevel::complex;
  EXPECT_EQ(pool.find_suitable(twelve, NeedsLevel::complex), 0);
  const std::int32_t approved = pool.add_household(complex);  // 2: the first approved for complex needs
  ASSERT_EQ(pool.find_suitable(twelve, NeedsLevel::complex), 1);
  EXPECT_EQ(pool.reserve_nth_found(0).index, approved);
  // A kind whose only household has no places takes nobody, until one of its kind has some.
  pool.add_household(Household{0, 0, 0, 17, true});  // 3
  EXPECT_EQ(pool.find_suitable(five), 1);
  const std::int32_t roomy = pool.add_household(Household{3, 0, 0, 17, true});  // 4: the same kind, 3 places
  ASSERT_EQ(pool.find_suitable(five), 2);
  EXPECT_EQ(pool.suitable_households(five), 2);
  EXPECT_EQ(pool.reserve_nth_found(1).index, roomy);
}

// The nth member of several disjoint sets together is the nth of their merged members, for every
// n, after inserts (some of members already there) and erases spread over 300,000 values: the
// counts by chunk stay those of the bitmap as it grows and its count levels are added.
TEST(Supply, TheNthMemberOfDisjointSetsIsTheNthOfTheirUnion) {
  std::array<OrderedIndexSet, 3> sets;
  std::set<std::uint32_t> expected;
  std::mt19937 draws(11);
  for (int step = 0; step < 60000; ++step) {
    const std::uint32_t range = step < 20000 ? 3000 : 300000;
    const std::uint32_t v = draws() % range;
    OrderedIndexSet& set = sets[v % 3];  // each value belongs to one set: they are disjoint
    if (draws() % 3 != 0) {
      set.insert(v);
      expected.insert(v);
    } else {
      set.erase(v);
      expected.erase(v);
    }
    if (step % 10000 != 9999) continue;
    const std::array<const OrderedIndexSet*, 3> all{&sets[0], &sets[1], &sets[2]};
    ASSERT_EQ(sets[0].size() + sets[1].size() + sets[2].size(), static_cast<std::int64_t>(expected.size()));
    std::uint64_t n = 0;
    for (const std::uint32_t member : expected) {
      ASSERT_EQ(OrderedIndexSet::nth_of_union(all, n), static_cast<std::int64_t>(member))
          << "step " << step << ", n " << n;
      ++n;
    }
    EXPECT_EQ(OrderedIndexSet::nth_of_union(all, n), -1);
    // Two of the sets: the members of the third are not counted.
    const std::array<const OrderedIndexSet*, 2> two{&sets[0], &sets[2]};
    n = 0;
    for (const std::uint32_t member : expected) {
      if (member % 3 == 1) continue;
      ASSERT_EQ(OrderedIndexSet::nth_of_union(two, n), static_cast<std::int64_t>(member))
          << "step " << step << ", n " << n;
      ++n;
    }
    EXPECT_EQ(OrderedIndexSet::nth_of_union(two, n), -1);
  }
  for (OrderedIndexSet& set : sets) set.clear();
  const std::array<const OrderedIndexSet*, 3> all{&sets[0], &sets[1], &sets[2]};
  EXPECT_EQ(OrderedIndexSet::nth_of_union(all, 0), -1);
  sets[1].insert(299999);
  EXPECT_EQ(OrderedIndexSet::nth_of_union(all, 0), 299999);
  EXPECT_EQ(sets[1].size(), 1);
}

// The free-place index keeps its smallest member apart from the bitmap: after any inserts and
// erases (often of the smallest, with members far apart across the bitmap's levels) it finds the
// same members as an ordered set.
TEST(Supply, TheFreePlaceIndexFindsTheSameMembersAsAnOrderedSet) {
  OrderedIndexSet index;
  std::set<std::uint32_t> expected;
  std::mt19937 draws(7);
  for (int step = 0; step < 20000; ++step) {
    const std::uint32_t range = step < 10000 ? 300 : 300000;
    const std::uint32_t v = step % 5 == 4 && !expected.empty() ? *expected.begin() : draws() % range;
    if (draws() % 2 == 0) {
      index.insert(v);
      expected.insert(v);
    } else {
      index.erase(v);
      expected.erase(v);
    }
    ASSERT_EQ(index.first(), expected.empty() ? -1 : static_cast<std::int64_t>(*expected.begin())) << "step " << step;
    const auto after = expected.lower_bound(v);
    ASSERT_EQ(index.next(v), after == expected.end() ? -1 : static_cast<std::int64_t>(*after)) << "step " << step;
  }
  index.clear();
  EXPECT_EQ(index.first(), -1);
  index.insert(5);
  EXPECT_EQ(index.first(), 5);
}

class SupplyErrors : public testing::ScenarioRefusalTest {};

TEST_F(SupplyErrors, NegativePlacesAreRefused) {
  const InputError e = error_for("[supply]\nin_house_households = -3\n");
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().field, "supply.in_house_households");
  const InputError beds = error_for("[supply]\nexternal_home_beds = -1\n");
  EXPECT_EQ(beds.where().field, "supply.external_home_beds");
}

TEST_F(SupplyErrors, ARampEndingBeforeItStartsIsRefused) {
  const InputError e = error_for("[[options.recruitment_campaigns]]\nstart = 2026-01-01\nfull = 2025-06-01\n"
                                 "extra_enquiries_per_year = 50\n");
  EXPECT_EQ(e.where().line, 4);
  EXPECT_NE(e.where().field.find("options.recruitment_campaigns[0].full"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("on or after its start"), std::string::npos);
}

TEST_F(SupplyErrors, AFallbackNamingAnUnknownCategoryIsRefused) {
  const InputError e = error_for("[supply.fallback]\nfoster_agency = [\"foster_in_house\", \"foster_mars\"]\n");
  EXPECT_EQ(e.where().line, 3);
  EXPECT_NE(e.where().field.find("supply.fallback.foster_agency[1]"), std::string::npos) << e.what();
  EXPECT_NE(e.problem().find("unknown category"), std::string::npos);
  const InputError key = error_for("[supply.fallback]\nfoster_mars = [\"foster_agency\"]\n");
  EXPECT_EQ(key.where().field, "supply.fallback.foster_mars");
}

TEST_F(SupplyErrors, UnlimitedHomesBesideListedHomesAndBadLeavingChancesAreRefused) {
  const InputError both = error_for("[supply]\nin_house_homes_unlimited = true\n\n[[supply.homes]]\nname = \"x\"\n"
                                    "beds = 4\nopens = 2026-01-01\n");
  EXPECT_EQ(both.where().field, "supply.in_house_homes_unlimited");
  EXPECT_NE(both.problem().find("no [[supply.homes]]"), std::string::npos) << both.what();
  EXPECT_EQ(error_for("[supply]\nin_house_homes_unlimited = 1\n").where().field, "supply.in_house_homes_unlimited");
  const InputError chance = error_for("[supply]\nleaves_when_last_child_leaves_probability = 1.5\n");
  EXPECT_EQ(chance.where().line, 3);
  EXPECT_EQ(chance.where().field, "supply.leaves_when_last_child_leaves_probability");
}

TEST_F(SupplyErrors, MultipliersAboveOneAndUnknownKeysAreRefused) {
  EXPECT_EQ(error_for("[supply]\nmockingbird_move_multiplier = 1.5\n").where().field, "supply.mockingbird_move_multiplier");
  EXPECT_EQ(error_for("[[supply.homes]]\nname = \"x\"\nbeds = 4\nopens = 2026-01-01\ncolour = 2\n").where().line, 6);
}

}  // namespace
}  // namespace carecast
