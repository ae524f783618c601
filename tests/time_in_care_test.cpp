// Time in care (Scenario::time_in_care): the simulation scales exit and move hazards by the care
// band a child is in, and re-weights where endings lead; calibration recovers the multipliers from
// a history whose exits depend on time in care while its moves do not.
#include <gtest/gtest.h>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <vector>

#include "calibration/estimation.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/runner.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

constexpr double kYear = kDaysPerYear;

// Children entering care at the origin in one foster placement (single_category_scenario) whose
// hazard of leaving care is `hazard` a year for 12 months and hazard x `later` after.
Scenario exits_slow_after_a_year(double hazard, double later, int children) {
  Scenario s = testing::single_category_scenario(hazard, children, 3 * 365, 2);
  s.time_in_care.band_starts_months = {0, 12};
  s.time_in_care.exit_hazard_multiplier = {1.0, later};
  s.time_in_care.move_hazard_multiplier = {1.0, 1.0};
  return s;
}

double mean_over_runs(const RunResult& result, int date, int cell) {
  double sum = 0;
  for (int run = 0; run < result.runs; ++run) sum += result.value(run, date, cell);
  return sum / result.runs;
}

// Survival in care to clock time t (days) at hazard h a year, h x later after 365.25 days.
double survival(double h, double later, double t) {
  const double first = std::min(t, kYear) / kYear;
  const double after = std::max(t - kYear, 0.0) / kYear;
  return std::exp(-h * first - h * later * after);
}

// The stock after one and two years is the piecewise survival's, within k binomial standard errors.
TEST(TimeInCare, ExitsFollowTheCareBandsHazard) {
  const double h = 1.0;
  const double later = 0.25;
  const int children = 4000;
  RunOptions options;
  options.runs = 5;
  options.threads = 2;
  options.seed = 3;
  const RunResult result = run_replications(exits_slow_after_a_year(h, later, children), options);
  for (const int date : {6, 12, 18, 24}) {
    const double t = result.calendar.times[static_cast<std::size_t>(date)];
    const double p = survival(h, later, t);
    const double se = std::sqrt(children * p * (1 - p) / options.runs);
    EXPECT_NEAR(mean_over_runs(result, date, result.layout.stock_all), children * p,
                testing::standard_errors_allowed() * se)
        << "month " << date;
  }
  // Without the effect the second year empties care at the first year's pace: far below.
  const double t24 = result.calendar.times[24];
  EXPECT_GT(survival(h, later, t24) - survival(h, 1.0, t24), 0.1);
}

// Endings lead half to a move and half home. With exits multiplied by 0 after 12 months nobody
// leaves care in the second year, while moves go on at the ending hazard's move part, h / 2 per
// child-year (Poisson, within k standard errors). Also with year-to-year variation of exits, whose
// tables carry the care bands too.
TEST(TimeInCare, AZeroExitMultiplierStopsExitsButNotMoves) {
  for (const bool varied : {false, true}) {
    const double h = 1.2;
    Scenario s = exits_slow_after_a_year(h, 0.0, 3000);
    for (int b = 0; b < kAgeBandCount; ++b) {
      auto& destination = s.destination_probability[static_cast<int>(Category::foster_in_house)][b];
      destination[outcome_of(ExitReason::returned_home)] = 0.5;
      destination[static_cast<int>(Category::foster_in_house)] = 0.5;
    }
    if (varied) {
      s.variation.exits_sd_log_per_year = 0.3;
      s.variation.autocorrelation = 0.5;
    }
    RunOptions options;
    options.runs = 3;
    options.threads = 2;
    options.seed = 11;
    const RunResult result = run_replications(s, options);
    double moves = 0;
    double child_years = 0;
    for (int run = 0; run < result.runs; ++run) {
      // Month 13 still holds a quarter day of the first band (a year is 365.25 days).
      for (int d = 14; d <= 24; ++d) {
        EXPECT_EQ(result.value(run, d, result.layout.exits_all), 0) << "run " << run << ", month " << d;
        EXPECT_EQ(result.value(run, d, result.layout.stock_all), result.value(run, 13, result.layout.stock_all));
        moves += result.value(run, d, result.layout.moves_all);
        child_years += result.value(run, d, result.layout.stock_all) *
                       (result.calendar.times[static_cast<std::size_t>(d)] -
                        result.calendar.times[static_cast<std::size_t>(d) - 1]) /
                       kYear;
      }
    }
    const double expected = child_years * h / 2;
    EXPECT_NEAR(moves, expected, testing::standard_errors_allowed() * std::sqrt(expected))
        << (varied ? "with" : "without") << " variation";
  }
}

// A history of 8 years: 375 children a year enter one foster placement each, move placement at
// 1 a year whatever their time in care, and leave care at 0.8 a year for their first 2 years in
// care and 0.1 a year after. Calibration's exit multiplier of 24-48 and 48+ months against
// 3-12 months is 1/8 (on the log scale within k standard errors, from the observed counts), and
// the move multipliers stay at 1.
TEST(TimeInCareCalibration, RecoversExitsThatSlowWithTimeInCareAndFlatMoves) {
  boost::random::mt19937 generator(5);
  boost::random::uniform_real_distribution<> uniform(0, 1);
  boost::random::exponential_distribution<> exponential(1.0);
  const Date first = make_date(2016, 4, 1);
  const Date last = make_date(2024, 3, 31);
  CareHistory history;
  testing::observe(history, first, last);
  const int days = static_cast<int>((last - first).count());
  for (int i = 0; i < 3000; ++i) {
    const Date start = first + std::chrono::days{static_cast<int>(uniform(generator) * days)};
    // Time to leaving care: 0.8 a year for 2 years, then 0.1 a year.
    const double e = exponential(generator);
    const double exit_years = e < 1.6 ? e / 0.8 : 2 + (e - 1.6) / 0.1;
    const Date exit = start + std::chrono::days{std::max(1, static_cast<int>(exit_years * kYear))};
    ChildHistory child = testing::child_in_one_foster_placement(start, exit, last, generator);
    // Young enough never to reach 16 in the window: a single age band's worth of rates.
    child.date_of_birth = start - std::chrono::days{static_cast<int>(kYear * (1 + 2 * uniform(generator)))};
    CarePeriod& period = child.periods.front();
    const Date end_of_record = exit <= last ? exit : last + std::chrono::days{1};
    std::vector<PlacementSpell> placements;
    Date placement_start = start;
    while (true) {
      const Date move = placement_start + std::chrono::days{std::max(1, static_cast<int>(exponential(generator) * kYear))};
      if (move >= end_of_record) break;
      placements.push_back({placement_start, move, Category::foster_in_house, "U4", false});
      placement_start = move;
    }
    placements.push_back({placement_start, exit <= last ? std::optional(exit) : std::nullopt,
                          Category::foster_in_house, "U4", false});
    period.placements = placements;
    history.children.push_back(child);
  }
  CalibrationOptions options;
  options.estimate_time_in_care = true;
  CalibrationReport report;
  const Scenario scenario = calibrate(history, last, options, report);
  ASSERT_TRUE(scenario.time_in_care.enabled());
  const TimeInCareEstimate& estimate = report.time_in_care;
  ASSERT_EQ(estimate.exit_multiplier.size(), 5U);
  const double k = testing::standard_errors_allowed();
  const auto log_se = [&](std::size_t a, std::size_t b, const std::vector<double>& observed) {
    return std::sqrt(1 / observed[a] + 1 / observed[b]);
  };
  for (const std::size_t late : {3U, 4U}) {
    ASSERT_GT(estimate.observed_exits[late], 20);
    const double ratio = estimate.exit_multiplier[late] / estimate.exit_multiplier[1];
    EXPECT_NEAR(std::log(ratio), std::log(0.1 / 0.8), k * log_se(late, 1, estimate.observed_exits))
        << "band " << late << ": exit multiplier " << estimate.exit_multiplier[late] << " against "
        << estimate.exit_multiplier[1];
  }
  for (std::size_t b = 1; b < 5; ++b) {
    const double ratio = estimate.move_multiplier[b] / estimate.move_multiplier[1];
    EXPECT_NEAR(std::log(ratio), 0.0, k * log_se(b, 1, estimate.observed_moves)) << "band " << b;
  }
}

}  // namespace
}  // namespace carecast
