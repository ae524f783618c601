// Care leavers from 18 to 25 (issue 14, part 1): who becomes a care leaver, for how long, how their
// statuses change, and how a scenario states it.
#include <gtest/gtest.h>

#include <array>
#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <filesystem>

#include "scenario/scenario_loader.hpp"
#include "simulation/care_leavers.hpp"
#include "simulation/parameter_draws.hpp"
#include "simulation/runner.hpp"
#include "simulation/stated_evidence.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

constexpr auto kSupported = CareLeaverStatus::supported_lodgings_or_semi_independent;
constexpr auto kIndependent = CareLeaverStatus::independent;
constexpr auto kCustody = CareLeaverStatus::custody_or_not_known;

std::size_t at(CareLeaverStatus s) { return static_cast<std::size_t>(s); }

// Eligibility on hand-built cases: the 14th birthday at clock day 1000, the 16th at 1730.
TEST(CareLeaverEligibility, ThirteenWeeksSince14AndLookedAfterOnOrAfterThe16thBirthday) {
  const double b14 = 1000;
  const double b16 = 1730;
  // In care since before 14, leaving during the 16th birthday: eligible.
  EXPECT_TRUE(eligible_for_leaving_care(500, b16 + 1, b14, b16));
  // Leaving at the very start of the 16th birthday: never looked after on it.
  EXPECT_FALSE(eligible_for_leaving_care(500, b16, b14, b16));
  // Leaving before 16, however long in care.
  EXPECT_FALSE(eligible_for_leaving_care(500, b16 - 10, b14, b16));
  // Entering after 16: 90 days is short of 13 weeks, 91 days is 13 weeks.
  EXPECT_FALSE(eligible_for_leaving_care(b16 + 100, b16 + 190, b14, b16));
  EXPECT_TRUE(eligible_for_leaving_care(b16 + 100, b16 + 191, b14, b16));
  // Only time since the 14th birthday counts: 60 days before it do not make up for 60 after it...
  EXPECT_FALSE(eligible_for_leaving_care(b14 - 60, b14 + 60, b14, b14 + 50));
  // ...but earlier periods of care since 14 do.
  EXPECT_FALSE(eligible_for_leaving_care(b16 + 100, b16 + 150, b14, b16, 40));
  EXPECT_TRUE(eligible_for_leaving_care(b16 + 100, b16 + 150, b14, b16, 41));
}

CareLeaverSettings independent_only() {
  CareLeaverSettings s;
  s.enabled = true;
  s.first_status_probability[at(kIndependent)] = 1;
  return s;
}

// Drives a CareLeavers through its own queue, as a replication would.
struct Leavers {
  Leavers(const CareLeaverSettings& given, double horizon) : settings(given), leavers(settings, origin) {
    queue.reset(horizon);
    leavers.start(11, 0, horizon, queue);
  }
  // Processes every event before `time`: the counts are then those of the instant `time`.
  void run_to(double time) {
    while (!queue.empty() && queue.top().time < time) leavers.handle(queue.pop(), queue);
  }
  double clock(Date d) const { return days_between(origin, d) - 1.0; }  // the start of day d
  YoungPersonLeaving person(Date dob, Date leaves, ExitReason reason, std::uint64_t entity = 1,
                            Category last = Category::foster_in_house) const {
    return YoungPersonLeaving{clock(leaves), clock(dob), clock(dob) + 3000, entity, last, reason};
  }
  CareLeaverSettings settings;
  Date origin = make_date(2025, 3, 31);
  EventQueue queue;
  CareLeavers leavers;
};

TEST(CareLeavers, AYoungPersonLeavingAt18IsACareLeaverUntilTheir25thBirthdayAndNeverAfter) {
  Leavers l(independent_only(), 3000);
  const Date dob = make_date(2007, 6, 15);
  ASSERT_TRUE(l.leavers.young_person_left_care(l.person(dob, make_date(2025, 6, 15), ExitReason::aged_18), l.queue));
  EXPECT_EQ(l.leavers.count_all(), 1);
  EXPECT_EQ(l.leavers.count_in_age_band(0), 1);
  l.run_to(l.clock(make_date(2028, 6, 15)));  // the instant the 21st birthday begins: still 20
  EXPECT_EQ(l.leavers.count_in_age_band(0), 1);
  l.run_to(l.clock(make_date(2028, 6, 15)) + 0.5);
  EXPECT_EQ(l.leavers.count_in_age_band(0), 0);
  EXPECT_EQ(l.leavers.count_in_age_band(1), 1);
  l.run_to(l.clock(make_date(2032, 6, 15)));
  EXPECT_EQ(l.leavers.count(kIndependent), 1);
  l.run_to(l.clock(make_date(2032, 6, 15)) + 0.5);  // the 25th birthday has begun
  EXPECT_EQ(l.leavers.count_all(), 0);
  EXPECT_TRUE(l.queue.empty());  // nothing left that could bring them back
}

TEST(CareLeavers, AYoungPersonDecliningSupportAfter21IsACareLeaverUntilTheir21stBirthday) {
  CareLeaverSettings settings = independent_only();
  settings.support_ends_at_21_probability = 1;
  Leavers l(settings, 3000);
  ASSERT_TRUE(l.leavers.young_person_left_care(
      l.person(make_date(2007, 6, 15), make_date(2025, 6, 15), ExitReason::aged_18), l.queue));
  l.run_to(l.clock(make_date(2028, 6, 15)));
  EXPECT_EQ(l.leavers.count_all(), 1);
  l.run_to(l.clock(make_date(2028, 6, 15)) + 0.5);
  EXPECT_EQ(l.leavers.count_all(), 0);
  EXPECT_TRUE(l.queue.empty());
}

TEST(CareLeavers, WhoBecomesACareLeaver) {
  Leavers l(independent_only(), 3000);
  const Date dob = make_date(2008, 1, 10);
  // Returned home, adopted or left by an order at 17: not a care leaver.
  for (ExitReason reason : {ExitReason::returned_home, ExitReason::adoption, ExitReason::special_guardianship,
                            ExitReason::child_arrangements_order}) {
    EXPECT_FALSE(l.leavers.young_person_left_care(l.person(dob, make_date(2025, 6, 1), reason), l.queue));
  }
  // Left at 17 to live independently, eligible: a care leaver from their 18th birthday.
  ASSERT_TRUE(l.leavers.young_person_left_care(l.person(dob, make_date(2025, 6, 1), ExitReason::independent_living),
                                               l.queue));
  EXPECT_EQ(l.leavers.count_all(), 0);
  l.run_to(l.clock(make_date(2026, 1, 10)));
  EXPECT_EQ(l.leavers.count_all(), 0);
  l.run_to(l.clock(make_date(2026, 1, 10)) + 0.5);
  EXPECT_EQ(l.leavers.count_all(), 1);
  // Leaving at 18 after 30 days in care: not eligible.
  YoungPersonLeaving late = l.person(make_date(2008, 2, 1), make_date(2026, 2, 1), ExitReason::aged_18, 2);
  late.care_start = late.leaves_at - 30;
  EXPECT_FALSE(l.leavers.young_person_left_care(late, l.queue));
}

TEST(CareLeavers, StayingPutEndsAt21AndStayingCloseIsFromChildrensHomes) {
  CareLeaverSettings settings = independent_only();
  settings.staying_close_probability = 1;
  settings.hazard_per_year[at(CareLeaverStatus::staying_put)][at(kSupported)] = 1e-12;
  Leavers l(settings, 3000);
  const Date dob = make_date(2007, 9, 1);
  const Date at_18 = make_date(2025, 9, 1);
  ASSERT_TRUE(l.leavers.young_person_left_care(l.person(dob, at_18, ExitReason::staying_put), l.queue));
  ASSERT_TRUE(l.leavers.young_person_left_care(
      l.person(dob, at_18, ExitReason::aged_18, 2, Category::childrens_home_external), l.queue));
  ASSERT_TRUE(l.leavers.young_person_left_care(l.person(dob, at_18, ExitReason::aged_18, 3, Category::foster_agency),
                                               l.queue));
  EXPECT_EQ(l.leavers.count(CareLeaverStatus::staying_put), 1);
  EXPECT_EQ(l.leavers.count(CareLeaverStatus::staying_close), 1);
  EXPECT_EQ(l.leavers.count(kIndependent), 1);
  l.run_to(l.clock(make_date(2028, 9, 1)) + 0.5);  // 21: staying put has ended, as its row shares it out
  EXPECT_EQ(l.leavers.count(CareLeaverStatus::staying_put), 0);
  EXPECT_EQ(l.leavers.count(kSupported), 1);
  EXPECT_EQ(l.leavers.count(CareLeaverStatus::staying_close), 1);
  EXPECT_EQ(l.leavers.count_in_age_band(1), 3);
}

// The probability of each status t days after leaving at 18, from the forward equations
// dp/dt = p Q, integrated by the classical Runge-Kutta method in small steps (error far below the
// sampling error checked).
std::array<double, kCareLeaverStatusCount> occupancy(const CareLeaverSettings& s, double days) {
  std::array<double, kCareLeaverStatusCount> p = s.first_status_probability;
  const auto derivative = [&](const std::array<double, kCareLeaverStatusCount>& q) {
    std::array<double, kCareLeaverStatusCount> d{};
    for (int i = 0; i < kCareLeaverStatusCount; ++i) {
      for (int j = 0; j < kCareLeaverStatusCount; ++j) {
        const double flow = q[i] * s.hazard_per_year[i][j] / 365.25;
        d[i] -= flow;
        d[j] += flow;
      }
    }
    return d;
  };
  const int steps = 20000;
  const double h = days / steps;
  for (int n = 0; n < steps; ++n) {
    auto add = [&](const std::array<double, kCareLeaverStatusCount>& a, const std::array<double, kCareLeaverStatusCount>& b,
                   double f) {
      std::array<double, kCareLeaverStatusCount> r{};
      for (int i = 0; i < kCareLeaverStatusCount; ++i) r[i] = a[i] + f * b[i];
      return r;
    };
    const auto k1 = derivative(p);
    const auto k2 = derivative(add(p, k1, h / 2));
    const auto k3 = derivative(add(p, k2, h / 2));
    const auto k4 = derivative(add(p, k3, h));
    for (int i = 0; i < kCareLeaverStatusCount; ++i) p[i] += h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  return p;
}

TEST(CareLeavers, StatusOccupancyMatchesTheHazards) {
  CareLeaverSettings s;
  s.enabled = true;
  s.first_status_probability[at(kSupported)] = 0.7;
  s.first_status_probability[at(kIndependent)] = 0.3;
  s.hazard_per_year[at(kSupported)][at(kIndependent)] = 0.6;
  s.hazard_per_year[at(kSupported)][at(kCustody)] = 0.05;
  s.hazard_per_year[at(kIndependent)][at(kSupported)] = 0.3;
  s.hazard_per_year[at(kIndependent)][at(kCustody)] = 0.1;
  s.hazard_per_year[at(kCustody)][at(kIndependent)] = 0.5;
  Leavers l(s, 3000);
  const int people = 20000;
  const Date dob = make_date(2007, 4, 30);
  const double leaves = l.clock(make_date(2025, 4, 30));
  for (int i = 0; i < people; ++i) {
    ASSERT_TRUE(l.leavers.young_person_left_care(
        l.person(dob, make_date(2025, 4, 30), ExitReason::aged_18, static_cast<std::uint64_t>(i)), l.queue));
  }
  for (double years : {0.5, 1.0, 2.5}) {  // all before the 21st birthday
    const double days = years * 365.25;
    l.run_to(leaves + days);
    const auto p = occupancy(s, days);
    std::vector<double> observed;
    std::vector<double> expected;
    for (CareLeaverStatus status : {kSupported, kIndependent, kCustody}) {
      observed.push_back(l.leavers.count(status));
      expected.push_back(people * p[at(status)]);
    }
    EXPECT_EQ(l.leavers.count_all(), people);
    EXPECT_LT(chi_squared_statistic(observed, expected), chi_squared_critical(2)) << years << " years";
  }
}

// In a whole run: the counts add up, every care leaver left care, and following care leavers
// changes nothing about the children looked after.
TEST(CareLeaverRuns, CountsAddUpAndChildrenInCareAreUnchanged) {
  Scenario without = mixed_scenario();
  without.horizon_years = 5;
  Scenario with = without;
  with.care_leavers = independent_only();
  with.care_leavers.staying_close_probability = 0.5;
  with.care_leavers.hazard_per_year[at(kIndependent)][at(kSupported)] = 0.2;
  with.care_leavers.hazard_per_year[at(CareLeaverStatus::staying_put)][at(kIndependent)] = 0.3;
  RunOptions options;
  options.runs = 40;
  options.seed = 5;
  options.threads = 2;
  const RunResult a = run_replications(without, options);
  const RunResult b = run_replications(with, options);
  EXPECT_EQ(a.layout.find("care_leavers", "all"), -1);
  const TallyLayout& layout = b.layout;
  ASSERT_GE(layout.care_leavers_all, 0);
  const int last = b.calendar.date_count() - 1;
  std::int64_t leavers_at_horizon = 0;
  for (int run = 0; run < options.runs; ++run) {
    int could_be_leavers = 0;  // children who left care at 18, to live independently or for another reason
    for (int d = 0; d <= last; ++d) {
      EXPECT_EQ(a.value(run, d, a.layout.stock_all), b.value(run, d, layout.stock_all));
      for (ExitReason r : {ExitReason::aged_18, ExitReason::staying_put, ExitReason::independent_living,
                           ExitReason::other}) {
        could_be_leavers += b.value(run, d, layout.exits_by_reason + static_cast<int>(r));
      }
      const int all = b.value(run, d, layout.care_leavers_all);
      int by_status = 0;
      for (int s = 0; s < kCareLeaverStatusCount; ++s) by_status += b.value(run, d, layout.care_leavers_by_status + s);
      EXPECT_EQ(by_status, all);
      EXPECT_EQ(b.value(run, d, layout.care_leavers_by_age_band) + b.value(run, d, layout.care_leavers_by_age_band + 1),
                all);
      EXPECT_EQ(b.value(run, d, layout.staying_put),
                b.value(run, d, layout.care_leavers_by_status + static_cast<int>(CareLeaverStatus::staying_put)));
      EXPECT_LE(all, could_be_leavers);
    }
    leavers_at_horizon += b.value(run, last, layout.care_leavers_all);
  }
  EXPECT_GT(leavers_at_horizon, 0);
}

// Records what a CareLeavers books.
struct RecordedCosts final : CareLeaverCostBook {
  void book_stay(double per_day, double from, double to) override { stays += per_day * (to - from); }
  void book_one_off(double amount, double) override { one_offs += amount; }
  double stays = 0;
  double one_offs = 0;
};

TEST(CareLeaverCosts, AddUpExactlyOnADeterministicCase) {
  CareLeaverSettings s = independent_only();
  s.weekly_cost[at(CareLeaverStatus::staying_put)] = 280;  // £40 a day
  s.personal_adviser_per_year = 365.25;                    // £1 a day
  s.setting_up_home_allowance = 3000;
  s.higher_education_bursary = 2000;
  s.higher_education_probability = 1;
  Leavers l(s, 4000);
  RecordedCosts costs;
  l.leavers.start(11, 0, 4000, l.queue, &costs);
  const Date dob = make_date(2007, 6, 15);
  ASSERT_TRUE(l.leavers.young_person_left_care(l.person(dob, make_date(2025, 6, 15), ExitReason::staying_put), l.queue));
  l.run_to(4000);
  l.leavers.finish();  // nothing is open any more: support ended at 25
  const double at_18 = l.clock(make_date(2025, 6, 15));
  const double at_21 = l.clock(make_date(2028, 6, 15));
  const double at_25 = l.clock(make_date(2032, 6, 15));
  // Staying put to 21 (£40 a day and the adviser), then independent (the adviser only).
  EXPECT_NEAR(costs.stays, 41 * (at_21 - at_18) + 1 * (at_25 - at_21), 1e-9);
  // The bursary at 18, the setting-up-home allowance on first living independently at 21.
  EXPECT_DOUBLE_EQ(costs.one_offs, 2000 + 3000);
}

// Care leavers at the origin, in a whole run with [costs]: each costs its weekly cost over every
// day of the forecast (none reaches 25 in it), booked under care_leavers with no inflation.
TEST(CareLeaverRuns, StartingCareLeaversAreCountedAndCostedExactly) {
  Scenario s = single_category_scenario(0.0, 0, 0, 2);
  s.costs.enabled = true;
  s.costs.base_year = 2024;
  s.care_leavers = independent_only();
  s.care_leavers.starting_count[at(CareLeaverStatus::staying_close)][0] = 10;
  s.care_leavers.weekly_cost[at(CareLeaverStatus::staying_close)] = 70;  // £10 a day
  RunOptions options;
  options.runs = 3;
  options.seed = 2;
  options.threads = 1;
  const RunResult r = run_replications(s, options);
  const TallyLayout& layout = r.layout;
  const int last = r.calendar.date_count() - 1;
  const double days = r.calendar.times[static_cast<std::size_t>(last)];
  const int cost_column = layout.find("cost_cumulative", "all") - layout.cell_count();
  for (int run = 0; run < options.runs; ++run) {
    EXPECT_EQ(r.value(run, 0, layout.care_leavers_all), 10);
    EXPECT_EQ(r.value(run, 0, layout.care_leavers_by_age_band), 10);
    EXPECT_EQ(r.value(run, last, layout.care_leavers_by_status + static_cast<int>(CareLeaverStatus::staying_close)), 10);
    EXPECT_NEAR(r.measure(run, last, cost_column), 10 * 10 * days, 1e-6);
    double by_year = 0;
    for (int d = 0; d <= last; ++d) {
      const double year = r.measure(run, d, layout.cost_financial_year_by_category + static_cast<int>(CostCategory::care_leavers));
      if (!std::isnan(year)) by_year += year;
    }
    EXPECT_NEAR(by_year, 10 * 10 * days, 1e-6);
  }
}

// Care leavers with moves in both directions between two statuses, and a little custody.
CareLeaverSettings moving_between_statuses() {
  CareLeaverSettings s;
  s.enabled = true;
  s.support_ends_at_21_probability = 0.3;
  s.staying_close_probability = 0.3;
  s.higher_education_probability = 0.1;
  s.first_status_probability[at(kSupported)] = 0.6;
  s.first_status_probability[at(kIndependent)] = 0.4;
  s.hazard_per_year[at(kSupported)][at(kIndependent)] = 0.4;
  s.hazard_per_year[at(kSupported)][at(kCustody)] = 0.05;
  s.hazard_per_year[at(kIndependent)][at(kSupported)] = 0.1;
  s.hazard_per_year[at(kCustody)][at(kIndependent)] = 0.3;
  s.weekly_cost[at(kSupported)] = 450;
  return s;
}

// Each replication's draw of the care-leaver rates centres on the stated rates: a hazard h from
// Gamma(h x E, E) with E care_leaver_evidence_years (mean h, variance h / E), a share p from
// Beta(p x N, (1 - p) x N) with N care_leaver_share_events (mean p, variance p (1 - p) / (N + 1));
// sample means and the hazard's sample variance within k standard errors. A stated 0 stays 0, and
// costs are not drawn.
TEST(CareLeaverParameters, DrawsCentreOnTheStatedRates) {
  Scenario scenario = single_category_scenario(0.0, 0, 0, 2);
  scenario.care_leavers = moving_between_statuses();
  scenario.stated_uncertainty.care_leaver_evidence_years = 30;
  scenario.stated_uncertainty.care_leaver_share_events = 20;
  const CareLeaverSettings& stated = scenario.care_leavers;
  const CareLeaverEvidence evidence = stated_care_leaver_evidence(scenario);
  const int n = 20000;
  double hazard = 0, hazard_squares = 0, rare = 0, close = 0, first = 0;
  CareLeaverSettings drawn = stated;
  StreamEngine engine(314);
  for (int i = 0; i < n; ++i) {
    draw_care_leaver_parameters_into(stated, evidence, engine, drawn);
    const double h = drawn.hazard_per_year[at(kSupported)][at(kIndependent)];
    hazard += h;
    hazard_squares += h * h;
    rare += drawn.hazard_per_year[at(kSupported)][at(kCustody)];
    close += drawn.staying_close_probability;
    first += drawn.first_status_probability[at(kSupported)];
    ASSERT_EQ(drawn.hazard_per_year[at(kIndependent)][at(kCustody)], 0);
    ASSERT_EQ(drawn.first_status_probability[at(CareLeaverStatus::staying_put)], 0);
    ASSERT_EQ(drawn.weekly_cost, stated.weekly_cost);
  }
  const double k = standard_errors_allowed();
  const double years = 30, events = 20;
  const double mean = hazard / n;
  EXPECT_NEAR(mean, 0.4, k * std::sqrt(0.4 / years / n));
  // The sample variance of a Gamma has standard error about sqrt((mu4 - sigma^4) / n).
  const double shape = 0.4 * years, sigma2 = 0.4 / years;
  const double mu4 = 3 * shape * (shape + 2) / std::pow(years, 4);
  EXPECT_NEAR(hazard_squares / n - mean * mean, sigma2, k * std::sqrt((mu4 - sigma2 * sigma2) / n));
  EXPECT_NEAR(rare / n, 0.05, k * std::sqrt(0.05 / years / n));
  EXPECT_NEAR(close / n, 0.3, k * std::sqrt(0.3 * 0.7 / (events + 1) / n));
  EXPECT_NEAR(first / n, 0.6, k * std::sqrt(0.6 * 0.4 / (events + 1) / n));
}

// With parameter uncertainty the care leavers' rates differ from one replication to the next, so
// the number in a status a year on varies more across replications than with
// --parameter-uncertainty off (F test at the false-alarm rate); off, every replication has the
// stated rates.
TEST(CareLeaverRuns, ParameterUncertaintyWidensTheSpreadOfCareLeavers) {
  Scenario s = single_category_scenario(0.0, 0, 0, 2);
  s.care_leavers = moving_between_statuses();
  s.care_leavers.starting_count[at(kSupported)] = {100, 50};
  s.care_leavers.starting_count[at(kIndependent)] = {50, 100};
  s.stated_uncertainty = StatedUncertainty{};  // the defaults, on
  RunOptions options;
  options.runs = 400;
  options.threads = 2;
  options.seed = 8;
  const RunResult on = run_replications(s, options);
  ASSERT_TRUE(on.parameters_drawn);
  options.parameter_uncertainty = false;
  options.seed = 9;
  const RunResult off = run_replications(s, options);
  ASSERT_FALSE(off.parameters_drawn);

  const int year_on = 12;  // the month end a year after the origin
  const int supported = on.layout.care_leavers_by_status + static_cast<int>(kSupported);
  auto variance = [&](const RunResult& r) {
    double sum = 0, squares = 0;
    for (int run = 0; run < r.runs; ++run) sum += r.value(run, year_on, supported);
    const double mean = sum / r.runs;
    for (int run = 0; run < r.runs; ++run) squares += std::pow(r.value(run, year_on, supported) - mean, 2);
    return squares / (r.runs - 1);
  };
  const double df = options.runs - 1;
  const double f_critical = boost::math::quantile(
      boost::math::complement(boost::math::fisher_f_distribution<double>(df, df), kFalseAlarmRate));
  EXPECT_GT(variance(on) / variance(off), f_critical);
}

// A scenario whose [uncertainty] turns parameter uncertainty off draws no care-leaver rates either:
// every replication meets the same chances as with --parameter-uncertainty off.
TEST(CareLeaverRuns, StatedUncertaintyOffKeepsTheStatedCareLeaverRates) {
  Scenario s = single_category_scenario(0.0, 0, 0, 2);
  s.care_leavers = moving_between_statuses();
  s.care_leavers.starting_count[at(kSupported)] = {100, 50};
  s.stated_uncertainty.enabled = false;
  RunOptions options;
  options.runs = 20;
  options.threads = 2;
  options.seed = 8;
  const RunResult scenario_off = run_replications(s, options);
  s.stated_uncertainty.enabled = true;
  options.parameter_uncertainty = false;
  const RunResult option_off = run_replications(s, options);
  EXPECT_EQ(scenario_off.tallies, option_off.tallies);
  options.parameter_uncertainty = true;
  const RunResult on = run_replications(s, options);
  EXPECT_NE(on.tallies, option_off.tallies);
}

class CareLeaverErrors : public ScenarioRefusalTest {};

// The default has [care_leavers]: these replace it whole, so the section starts on line 3.
constexpr const char* kReplaceSection = "remove = [\"care_leavers\"]\n";
constexpr const char* kValidSection =
    "[care_leavers]\nsupport_ends_at_21_probability = 0.1\nstaying_close_probability = 0.3\n"
    "[care_leavers.first_status_probability]\nsupported_lodgings_or_semi_independent = 0.6\nindependent = 0.4\n";
std::string replaced(const std::string& text) { return std::string(kReplaceSection) + text; }

TEST_F(CareLeaverErrors, AValidSectionIsRead) {
  const std::filesystem::path file =
      write("good.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n" +
                             replaced(std::string(kValidSection) +
                                      "[care_leavers.transition_hazard_per_year.independent]\n"
                                      "custody_or_not_known = 0.05\n"));
  const Scenario s = load_scenario(file);
  EXPECT_TRUE(s.care_leavers.enabled);
  EXPECT_DOUBLE_EQ(s.care_leavers.staying_close_probability, 0.3);
  EXPECT_DOUBLE_EQ(s.care_leavers.first_status_probability[at(kSupported)], 0.6);
  EXPECT_DOUBLE_EQ(s.care_leavers.hazard_per_year[at(kIndependent)][at(kCustody)], 0.05);
  EXPECT_DOUBLE_EQ(s.care_leavers.hazard_per_year[at(kSupported)][at(kIndependent)], 0);
  EXPECT_EQ(s.care_leavers.starting_count[at(kIndependent)][1], 0);
  // The default's own: 330 care leavers at the origin.
  const Scenario d = load_scenario(std::filesystem::path(CARECAST_SCENARIO_DIR) / "default.toml");
  int total = 0;
  for (const auto& by_band : d.care_leavers.starting_count) total += by_band[0] + by_band[1];
  EXPECT_EQ(total, 330);
}

TEST_F(CareLeaverErrors, StayingPutOrCloseCannotBeReachedLater) {
  const InputError first = error_for(replaced(
      "[care_leavers]\nsupport_ends_at_21_probability = 0.1\nstaying_close_probability = 0.3\n"
      "[care_leavers.first_status_probability]\nstaying_put = 0.2\nindependent = 0.8\n"));
  EXPECT_EQ(first.where().line, 7);
  EXPECT_EQ(first.where().field, "care_leavers.first_status_probability.staying_put");
  const InputError hazard = error_for("[care_leavers.transition_hazard_per_year.independent]\nstaying_close = 0.1\n");
  EXPECT_EQ(hazard.where().line, 3);
  EXPECT_EQ(hazard.where().field, "care_leavers.transition_hazard_per_year.independent.staying_close");
  EXPECT_NE(hazard.problem().find("begins only as care ends"), std::string::npos) << hazard.problem();
  const InputError itself = error_for("[care_leavers.transition_hazard_per_year.independent]\nindependent = 0.1\n");
  EXPECT_EQ(itself.where().field, "care_leavers.transition_hazard_per_year.independent.independent");
}

TEST_F(CareLeaverErrors, BadValuesAreRefused) {
  const InputError probability = error_for("[care_leavers]\nsupport_ends_at_21_probability = 1.5\n");
  EXPECT_EQ(probability.where().line, 3);
  EXPECT_EQ(probability.where().field, "care_leavers.support_ends_at_21_probability");
  const InputError sum = error_for(replaced(
      "[care_leavers]\nsupport_ends_at_21_probability = 0.1\nstaying_close_probability = 0.3\n"
      "[care_leavers.first_status_probability]\nindependent = 0.5\n"));
  EXPECT_EQ(sum.where().field, "care_leavers.first_status_probability");
  EXPECT_NE(sum.problem().find("sum to 0.5"), std::string::npos) << sum.problem();
  const InputError unknown = error_for(replaced(std::string(kValidSection) + "homeless = 0\n"));
  EXPECT_EQ(unknown.where().line, 9);
  EXPECT_EQ(unknown.where().field, "care_leavers.first_status_probability.homeless");
  const InputError hazard =
      error_for("[care_leavers.transition_hazard_per_year.independent]\ncustody_or_not_known = -1\n");
  EXPECT_EQ(hazard.where().field, "care_leavers.transition_hazard_per_year.independent.custody_or_not_known");
  const InputError missing = error_for(replaced("[care_leavers]\nstaying_close_probability = 0.3\n"));
  EXPECT_EQ(missing.where().field, "care_leavers.support_ends_at_21_probability");
  const InputError staying_put =
      error_for("[care_leavers.starting_count]\nstaying_put = { 18_to_20 = 1, 21_to_25 = 2 }\n");
  EXPECT_EQ(staying_put.where().line, 3);
  EXPECT_EQ(staying_put.where().field, "care_leavers.starting_count.staying_put.21_to_25");
  const InputError cost = error_for("[care_leavers.weekly_cost]\nindependent = -5\n");
  EXPECT_EQ(cost.where().line, 3);
  EXPECT_EQ(cost.where().field, "care_leavers.weekly_cost.independent");
}

}  // namespace
}  // namespace carecast
