// Re-entry into care (scenario [re_entry]): the timing of a child's return, how the new period of
// care is counted (entries, placements since 1 April, time in care), and refusals of bad values.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "simulation/re_entry.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

constexpr int kInHouse = static_cast<int>(Category::foster_in_house);
constexpr int kKinship = static_cast<int>(Category::foster_kinship);

ReEntry constant_re_entry(const std::vector<std::int32_t>& starts, const std::vector<double>& hazards) {
  ReEntry re_entry;
  re_entry.band_starts_months = starts;
  for (auto& band : re_entry.hazard_per_year) band = hazards;
  return re_entry;
}

// Starting children whose in-house placements end at once with a return home; a child who comes back
// goes to kinship care (hazard 0) and stays.
Scenario leaving_at_once(int children, int age_days, int since_april, int horizon_years = 2) {
  Scenario s = single_category_scenario(1e6, children, age_days, horizon_years);
  for (StartingChild& child : s.starting_children) {
    child.placements_since_april = since_april;
    child.days_in_care = 1500;
  }
  for (int b = 0; b < kAgeBandCount; ++b) s.entries.first_placement_probability[b][kKinship] = 1.0;
  return s;
}

RunResult run(const Scenario& s, int runs = 1, std::uint64_t seed = 5) {
  RunOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = 1;
  return run_replications(s, options);
}

int date_index(const RunResult& r, Date date) {
  for (int d = 0; d < r.calendar.date_count(); ++d) {
    if (r.calendar.dates[d] == date) return d;
  }
  ADD_FAILURE() << "no date " << format_iso(date);
  return 0;
}

double measure(const RunResult& r, Date date, std::string_view metric) {
  return r.number(0, date_index(r, date), r.layout.find(metric, "all"));
}

// Sum of a flow cell over every month of run `run`.
std::int64_t total(const RunResult& r, int run, int cell) {
  std::int64_t sum = 0;
  for (int d = 0; d < r.calendar.date_count(); ++d) sum += r.value(run, d, cell);
  return sum;
}

// Origin 28 February 2025: 1 April 2025 starts clock day 32; 31 March 2026 is day 396.
TEST(ReEntry, AReturningChildIsOneEntryAndKeepsItsPlacementsSinceApril) {
  Scenario s = leaving_at_once(1, 10 * 365, 2);
  s.re_entry = constant_re_entry({0}, {1e6});  // comes back at once, in the same collection year
  const RunResult r = run(s);
  EXPECT_EQ(total(r, 0, r.layout.entries_all), 1);
  EXPECT_EQ(total(r, 0, r.layout.entries_re_entry), 1);
  std::int64_t by_category = 0;
  for (int c = 0; c < kCategoryCount; ++c) by_category += total(r, 0, r.layout.entries_by_category + c);
  EXPECT_EQ(by_category, 0);  // counted once: as a re-entry, not again by first placement
  EXPECT_EQ(total(r, 0, r.layout.exits_by_reason + static_cast<int>(ExitReason::returned_home)), 1);
  const Date march_2025 = make_date(2025, 3, 31);
  EXPECT_EQ(r.value(0, date_index(r, march_2025), r.layout.stock_by_category + kKinship), 1);
  // Two placements before leaving and the one on coming back: three in the collection year.
  EXPECT_DOUBLE_EQ(measure(r, march_2025, "stability_short_term"), 100.0);
  EXPECT_EQ(total(r, 0, r.layout.three_plus_placements), 1);
  EXPECT_DOUBLE_EQ(measure(r, march_2025, "repeat_entry_percent"), 100.0);
  // Time in care restarts: 1,500 days before leaving no longer count toward the long-term measure.
  EXPECT_TRUE(std::isnan(measure(r, march_2025, "stability_long_term")));
  EXPECT_EQ(r.value(0, r.calendar.date_count() - 1, r.layout.stock_all), 1);
}

TEST(ReEntry, PlacementsBeforeTheLatestFirstOfAprilDoNotCarryOver) {
  Scenario s = leaving_at_once(1, 10 * 365, 2);
  s.re_entry = constant_re_entry({0, 2}, {0, 1e6});  // comes back two months after leaving, in April
  const RunResult r = run(s);
  const Date march_2025 = make_date(2025, 3, 31);
  EXPECT_EQ(r.value(0, date_index(r, march_2025), r.layout.stock_all), 0);
  EXPECT_EQ(r.value(0, date_index(r, make_date(2025, 4, 30)), r.layout.entries_re_entry), 1);
  EXPECT_DOUBLE_EQ(measure(r, make_date(2026, 3, 31), "stability_short_term"), 0.0);
  EXPECT_EQ(total(r, 0, r.layout.three_plus_placements), 0);
}

// The leaving-care rules count time looked after since the 14th birthday in every period of care: a
// young person who came back into care 50 days before their 18th birthday is a care leaver at 18 if
// their earlier period since 14 makes up the 13 weeks (60 days), and not if it does not (20 days).
TEST(ReEntry, EarlierPeriodsOfCareCountTowardsLeavingCareEligibility) {
  for (const int earlier_days : {60, 20}) {
    Scenario s = leaving_at_once(1, 6574 - 50, 1);
    s.starting_children[0].days_in_care = earlier_days;
    s.re_entry = constant_re_entry({0}, {1e6});  // comes back at once
    s.care_leavers.enabled = true;
    s.care_leavers.first_status_probability[static_cast<int>(CareLeaverStatus::independent)] = 1;
    const RunResult r = run(s);
    ASSERT_EQ(total(r, 0, r.layout.entries_re_entry), 1);
    const int may = date_index(r, make_date(2025, 5, 31));
    EXPECT_EQ(r.value(0, may, r.layout.stock_all), 0) << earlier_days;  // left care at 18
    EXPECT_EQ(r.value(0, may, r.layout.care_leavers_all), earlier_days == 60 ? 1 : 0) << earlier_days;
  }
}

TEST(ReEntry, ChildrenLeavingAt18OrByAdoptionNeverComeBack) {
  Scenario s = leaving_at_once(20, 10 * 365, 1);
  for (int b = 0; b < kAgeBandCount; ++b) {
    auto& to = s.destination_probability[kInHouse][b];
    to = {};
    to[outcome_of(ExitReason::adoption)] = 1.0;
  }
  s.re_entry = constant_re_entry({0}, {1e6});
  const RunResult r = run(s);
  EXPECT_EQ(total(r, 0, r.layout.exits_all), 20);
  EXPECT_EQ(total(r, 0, r.layout.entries_all), 0);
}

// Probability that re-entry falls in each of `breaks`' intervals (and, last, never before the last
// break), for a piecewise-constant hazard a day `rate[i]` on [breaks[i], breaks[i+1]).
std::vector<double> interval_probabilities(const std::vector<double>& breaks, const std::vector<double>& rate) {
  std::vector<double> p;
  double cumulative = 0;
  for (std::size_t i = 0; i + 1 < breaks.size(); ++i) {
    const double next = cumulative + rate[i] * (breaks[i + 1] - breaks[i]);
    p.push_back(std::exp(-cumulative) - std::exp(-next));
    cumulative = next;
  }
  p.push_back(std::exp(-cumulative));
  return p;
}

TEST(ReEntry, DrawnTimesFollowTheHazardByTimeSinceLeavingAndAge) {
  // Bands 0-6 months, 6-12, 12-24, 24+; the child (10-15 band) turns 16 on day 500 and 18 on day 1,200.
  ReEntry re_entry = constant_re_entry({0, 6, 12, 24}, {0.9, 0.5, 0.3, 0.1});
  re_entry.hazard_per_year[4] = {1.2, 0.7, 0.4, 0.2};
  std::array<double, kAgeBandCount> birthday{-4000, -3000, -1000, 500, 1200};
  const double left = 10;
  const double month = 365.25 / 12;
  const std::vector<double> breaks{left, left + 6 * month, left + 12 * month, 500, left + 24 * month, 1200};
  const std::vector<double> rate{0.9 / 365.25, 0.5 / 365.25, 0.3 / 365.25, 0.4 / 365.25, 0.2 / 365.25};
  const std::vector<double> p = interval_probabilities(breaks, rate);
  const int children = 200'000;
  std::vector<double> observed(p.size(), 0.0);
  for (int i = 0; i < children; ++i) {
    StreamEngine draws(11, 0, entity_id(EntityKind::entering_child, static_cast<std::uint32_t>(i)), Process::re_entry);
    const std::optional<double> when = draw_re_entry_time(re_entry, birthday, left, left, 5000, draws);
    std::size_t cell = p.size() - 1;
    if (when) {
      ASSERT_GE(*when, left);
      ASSERT_LT(*when, 1200);
      cell = static_cast<std::size_t>(std::upper_bound(breaks.begin(), breaks.end(), *when) - breaks.begin() - 1);
    }
    observed[cell] += 1;
  }
  std::vector<double> expected;
  for (double q : p) expected.push_back(q * children);
  EXPECT_LT(chi_squared_statistic(observed, expected), chi_squared_critical(static_cast<int>(p.size()) - 1));
}

TEST(ReEntry, ReEntriesInARunMatchTheHazardWithinStandardErrors) {
  // 400 five-year-olds leave at once; each comes back within the 2-year horizon with chance 1 - exp(-h T).
  Scenario s = leaving_at_once(400, 5 * 365, 1);
  const double hazard = 0.4;
  s.re_entry = constant_re_entry({0, 6}, {hazard, hazard});
  const RunResult r = run(s, 20, 9);
  std::int64_t re_entries = 0;
  for (int run_index = 0; run_index < r.runs; ++run_index) re_entries += total(r, run_index, r.layout.entries_re_entry);
  const double horizon_years = r.calendar.times.back() / 365.25;
  const double n = 400.0 * r.runs;
  const double p = 1 - std::exp(-hazard * horizon_years);
  EXPECT_NEAR(static_cast<double>(re_entries), n * p, standard_errors_allowed() * std::sqrt(n * p * (1 - p)));
}

// Children who left care before the origin ([re_entry] left_before_origin) come back in the first
// year with chance 1 - exp(-hazard x a year), taking the hazard of the time-since-leaving band they
// are in at the origin: those 0-6 months out meet 0.8 throughout (it is 0.8 up to 24 months), those
// 24 months or more out meet 0.1. Ages 10 to 15 meet no other age band within the year.
TEST(ReEntry, ChildrenWhoLeftBeforeTheOriginComeBackAtTheHazardOfTheirTimeSinceLeaving) {
  Scenario s = leaving_at_once(0, 0, 0, 1);
  s.re_entry = constant_re_entry({0, 6, 12, 24}, {0.8, 0.8, 0.8, 0.1});
  const int ten_to_fifteen = 3;
  s.re_entry.left_before_origin[ten_to_fifteen] = {200, 0, 0, 300};
  const RunResult r = run(s, 20, 13);
  const double years = r.calendar.times.back() / 365.25;
  double expected = 0;
  double variance = 0;
  for (const auto& [count, hazard] : {std::pair{200.0, 0.8}, std::pair{300.0, 0.1}}) {
    const double n = count * r.runs;
    const double p = 1 - std::exp(-hazard * years);
    expected += n * p;
    variance += n * p * (1 - p);
  }
  std::int64_t re_entries = 0;
  std::int64_t in_care_at_end = 0;
  for (int run_index = 0; run_index < r.runs; ++run_index) {
    re_entries += total(r, run_index, r.layout.entries_re_entry);
    in_care_at_end += r.value(run_index, r.calendar.date_count() - 1, r.layout.stock_all);
  }
  EXPECT_NEAR(static_cast<double>(re_entries), expected, standard_errors_allowed() * std::sqrt(variance));
  EXPECT_EQ(total(r, 0, r.layout.entries_all), total(r, 0, r.layout.entries_re_entry));
  EXPECT_EQ(in_care_at_end, re_entries);  // each came back to kinship care and stays
}

// A pool none of whom comes back (hazard 0) changes nothing: their draws are their own.
TEST(ReEntry, APoolThatNeverComesBackChangesNothing) {
  Scenario without = leaving_at_once(50, 8 * 365, 1);
  for (StartingChild& child : without.starting_children) child.days_in_placement = 0;
  without.ending_hazard_per_year.assign(without.ending_hazard_per_year.size(), 0.7);
  without.re_entry = constant_re_entry({0, 6}, {0.5, 0.2});
  // The pool is all under 1 and never comes back: under 5 within the two years, the hazard is 0.
  without.re_entry.hazard_per_year[0] = {0.0, 0.0};
  without.re_entry.hazard_per_year[1] = {0.0, 0.0};
  Scenario with = without;
  with.re_entry.left_before_origin[0] = {40, 0};
  const RunResult a = run(without, 3, 21);
  const RunResult b = run(with, 3, 21);
  EXPECT_EQ(a.tallies, b.tallies);
  EXPECT_GT(total(a, 0, a.layout.entries_re_entry), 0);
}

class ReEntryPool : public TemporaryFolderTest {};

TEST_F(ReEntryPool, CountsAreReadByAgeBandAndTimeSinceLeaving) {
  const std::filesystem::path file =
      write("pool.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n"
                         "[re_entry.left_before_origin]\n5_to_9 = [3, 4, 5, 6]\n16_to_17 = [0, 1, 0, 2]\n");
  const Scenario s = load_scenario(file);
  EXPECT_EQ(s.re_entry.left_before_origin[2], (std::vector<std::int32_t>{3, 4, 5, 6}));
  EXPECT_EQ(s.re_entry.left_before_origin[4], (std::vector<std::int32_t>{0, 1, 0, 2}));
  // Age bands the file does not list keep the base's counts, as any table merged over `extends`.
  const Scenario base = load_scenario(CARECAST_SCENARIO_DIR "/default.toml");
  EXPECT_EQ(s.re_entry.left_before_origin[0], base.re_entry.left_before_origin[0]);
  EXPECT_FALSE(base.re_entry.left_before_origin[0].empty());
}

class ReEntryErrors : public ScenarioRefusalTest {};

TEST_F(ReEntryErrors, BadPoolCountsAreRefusedWithTheirLineAndKey) {
  const InputError length = error_for("[re_entry.left_before_origin]\n5_to_9 = [3, 4]\n");
  EXPECT_EQ(length.where().line, 3);
  EXPECT_EQ(length.where().field, "re_entry.left_before_origin.5_to_9");
  EXPECT_NE(length.problem().find("4 time-since-leaving bands"), std::string::npos) << length.problem();
  const InputError negative = error_for("[re_entry.left_before_origin]\n5_to_9 = [3, -4, 0, 0]\n");
  EXPECT_EQ(negative.where().field, "re_entry.left_before_origin.5_to_9[1]");
  const InputError fraction = error_for("[re_entry.left_before_origin]\n5_to_9 = [3, 4.5, 0, 0]\n");
  EXPECT_EQ(fraction.where().field, "re_entry.left_before_origin.5_to_9[1]");
  const InputError all = error_for("[re_entry.left_before_origin]\nall = [3, 4, 0, 0]\n");
  EXPECT_EQ(all.where().line, 3);
  // Under 1 at the origin: nobody can have left care 12 months or more before.
  const InputError unborn = error_for("[re_entry.left_before_origin]\nunder_1 = [3, 4, 1, 0]\n");
  EXPECT_EQ(unborn.where().field, "re_entry.left_before_origin.under_1[2]");
  EXPECT_NE(unborn.problem().find("12 months"), std::string::npos) << unborn.problem();
}


TEST_F(ReEntryErrors, BadBandsAndHazardsAreRefusedWithTheirLineAndKey) {
  const InputError first = error_for("[re_entry]\nband_starts_months = [1, 6]\nhazard_per_year = { all = [0.1, 0.1] }\n");
  EXPECT_EQ(first.where().line, 3);
  EXPECT_EQ(first.where().field, "re_entry.band_starts_months[0]");
  EXPECT_NE(first.problem().find("start at 0 months"), std::string::npos) << first.problem();
  const InputError order = error_for("[re_entry]\nband_starts_months = [0, 6, 6]\n"
                                     "hazard_per_year = { all = [0.1, 0.1, 0.1] }\n");
  EXPECT_EQ(order.where().field, "re_entry.band_starts_months[2]");
  const InputError length = error_for("[re_entry]\nband_starts_months = [0, 6]\nhazard_per_year = { all = [0.1] }\n");
  EXPECT_EQ(length.where().line, 4);
  EXPECT_EQ(length.where().field, "re_entry.hazard_per_year.all");
  const InputError negative = error_for("[re_entry]\nband_starts_months = [0, 6]\n"
                                        "[re_entry.hazard_per_year]\nall = [0.1, -0.2]\n");
  EXPECT_EQ(negative.where().line, 5);
  EXPECT_EQ(negative.where().field, "re_entry.hazard_per_year.all[1]");
  const InputError band = error_for("[re_entry]\nband_starts_months = [0, 6, 12, 24]\n"
                                    "[re_entry.hazard_per_year]\n16_to_17 = [0.1, 0.2, 0.1]\n");
  EXPECT_EQ(band.where().line, 5);
  EXPECT_EQ(band.where().field, "re_entry.hazard_per_year.16_to_17");
  const InputError unknown = error_for("[re_entry]\nband_starts_months = [0]\nhazard = { all = [0.1] }\n");
  EXPECT_EQ(unknown.where().line, 4);
}

}  // namespace
}  // namespace carecast
