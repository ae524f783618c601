// Sizing the drift of [variation] from backtests on a council's own returns (issue 10,
// calibration/drift_estimation.hpp): the moment estimate and its shrinkage towards the prior, and
// on histories built here with a fixed seed, that entries which wander from year to year give a
// drift above the prior while steady entries do not.
#include "calibration/drift_estimation.hpp"

#include <gtest/gtest.h>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <algorithm>
#include <cmath>

#include "calibration/cross_validation.hpp"
#include "evaluation/backtest.hpp"
#include "test_histories.hpp"

namespace carecast {
namespace {

DriftSize sums(double excess, double gain, int origins) {
  DriftSize size;
  size.excess_variance = excess;
  size.reference_gain = gain;
  size.origins = origins;
  return size;
}

const DriftOptions kOptions;

void size(DriftSize& estimate, const std::vector<Date>& origins) {
  size_drift(estimate, kOptions.level_prior_sd, kOptions, origins, "Drift of entries and exits",
             "the total's squared log errors");
}

const std::vector<Date> kOrigins = {make_date(2015, 3, 31), make_date(2019, 3, 31)};

TEST(DriftSizing, TheMomentEstimateIsShrunkTowardsThePrior) {
  DriftSize estimate = sums(0.02, 2.0, 5);  // d^2 = 0.01
  size(estimate, kOrigins);
  const DriftOptions& o = kOptions;
  EXPECT_DOUBLE_EQ(estimate.raw_variance, 0.01);
  const double prior = o.level_prior_sd;
  const double expected = std::sqrt((o.prior_origins * prior * prior + 5 * 0.01) / (o.prior_origins + 5));
  EXPECT_DOUBLE_EQ(estimate.sd, expected);
  EXPECT_GT(estimate.sd, prior);
  EXPECT_LT(estimate.sd, 0.1);
  // Its posterior's degrees of freedom, from which each run draws: the prior's origins and the council's.
  EXPECT_DOUBLE_EQ(estimate.evidence_origins, o.prior_origins + 5);
  EXPECT_NE(estimate.reason.find("2015 to 2019"), std::string::npos) << estimate.reason;
}

// Errors the forecasts already allowed for give no drift of their own, and a small one too little
// to reach the prior: a quiet record cannot take the drift below the prior (the floor of
// drift_estimation.hpp), though shrinking alone would.
TEST(DriftSizing, AQuietRecordKeepsThePrior) {
  const DriftOptions& o = kOptions;
  const double prior = o.level_prior_sd;
  DriftSize none = sums(-0.01, 2.0, 6);
  size(none, kOrigins);
  EXPECT_DOUBLE_EQ(none.raw_variance, 0.0);
  EXPECT_DOUBLE_EQ(none.sd, prior);
  EXPECT_NE(none.reason.find("less than"), std::string::npos) << none.reason;
  EXPECT_NE(none.reason.find("never below"), std::string::npos) << none.reason;
  DriftSize small = sums(0.25 * prior * prior * 2.0, 2.0, 6);  // d_hat = prior / 2
  size(small, kOrigins);
  EXPECT_DOUBLE_EQ(small.raw_variance, 0.25 * prior * prior);
  EXPECT_DOUBLE_EQ(small.sd, prior);
  EXPECT_DOUBLE_EQ(small.evidence_origins, o.prior_origins + 6);
}

TEST(DriftSizing, OneOriginOrNoResponseFallsBackToThePrior) {
  DriftSize one = sums(0.5, 2.0, 1);
  size(one, kOrigins);
  EXPECT_DOUBLE_EQ(one.sd, kOptions.level_prior_sd);
  EXPECT_DOUBLE_EQ(one.evidence_origins, kOptions.prior_origins);
  EXPECT_TRUE(std::isnan(one.raw_variance));
  DriftSize flat = sums(0.5, 0.0, 4);
  size(flat, kOrigins);
  EXPECT_DOUBLE_EQ(flat.sd, kOptions.level_prior_sd);
}

TEST(DriftSizing, OneWildOriginIsCapped) {
  DriftSize estimate = sums(10.0, 1.0, 3);
  size(estimate, kOrigins);
  const DriftOptions& o = kOptions;
  const double cap = o.maximum_sd * o.maximum_sd;
  const double prior = o.level_prior_sd;
  EXPECT_DOUBLE_EQ(estimate.sd, std::sqrt((o.prior_origins * prior * prior + 3 * cap) / (o.prior_origins + 3)));
  EXPECT_NE(estimate.reason.find("capped"), std::string::npos);
}

// Twelve collection years from 1 April 2008. Children aged 5 to 9 enter at a rate that is 150 a
// year times exp(w), w a random walk with yearly steps of sd `step` (0: steady), stay in one
// in-house foster placement and go home at 0.6 a year.
CareHistory history_with_wandering_entries(double step, std::uint32_t seed) {
  boost::random::mt19937 generator(seed);
  boost::random::exponential_distribution<> exponential(1);
  boost::random::normal_distribution<> normal(0, 1);
  const Date first = make_date(2008, 4, 1);
  const Date last = make_date(2020, 3, 31);
  CareHistory history;
  double w = 0;
  for (int year = 0; year < 12; ++year) {
    w += step * normal(generator);
    const double rate = 150 * std::exp(w);
    const Date year_start = add_years(first, year);
    double t = 0;
    for (;;) {
      t += exponential(generator) * 365.25 / rate;
      if (t >= 365) break;
      const Date start = year_start + std::chrono::days{static_cast<int>(t)};
      const Date end = start + std::chrono::days{1 + static_cast<int>(exponential(generator) * 365.25 / 0.6)};
      history.children.push_back(testing::child_in_one_foster_placement(start, end, last, generator));
    }
  }
  testing::observe(history, first, last);
  return history;
}

DriftEstimate drift_of(const CareHistory& history) {
  const Date as_of = make_date(2020, 3, 31);
  CalibrationOptions options;
  options.estimate_variation = true;
  default_candidate().apply(options);
  const std::vector<Date> origins = cross_validation_origins(history, as_of, CrossValidationOptions{});
  DriftOptions drift;
  drift.threads = 2;
  return estimate_drift(history, as_of, origins, options, drift);
}

// Entries that wander by 30% a year leave errors the calibrated forecasts did not allow for, so
// the council's own record pulls the drift above the prior; steady entries do not. One history of
// each, fixed seeds: the wandering one's estimate is far above the prior (a drift near 0.3 a year
// on entries alone), the steady one's is all but 0.
TEST(DriftEstimation, WanderingEntriesGiveADriftAboveThePriorAndSteadyOnesDoNot) {
  const DriftEstimate wandering = drift_of(history_with_wandering_entries(0.3, 7));
  const DriftEstimate steady = drift_of(history_with_wandering_entries(0.0, 7));
  ASSERT_GE(wandering.level.origins, 4);
  ASSERT_GE(steady.level.origins, 4);
  EXPECT_GT(wandering.level.sd, kOptions.level_prior_sd) << wandering.level.reason;
  EXPECT_DOUBLE_EQ(steady.level.sd, kOptions.level_prior_sd) << steady.level.reason;
  EXPECT_GT(wandering.level.raw_variance, 4 * steady.level.raw_variance + 0.001)
      << wandering.level.reason << "\n" << steady.level.reason;
}

// Twelve collection years from 1 April 2008. 150 children a year, aged 5 to 9, enter care and
// stay a while (they go home at 0.35 a year, and before turning 18), moving between in-house foster carers at 0.5 a
// year times exp(w) in the calendar year the move falls in, w a random walk with yearly steps of
// sd `step` (0: steady). Moves are drawn by thinning against the largest rate of the twelve years.
CareHistory history_with_wandering_moves(double step, std::uint32_t seed) {
  boost::random::mt19937 generator(seed);
  boost::random::exponential_distribution<> exponential(1);
  boost::random::normal_distribution<> normal(0, 1);
  boost::random::uniform_real_distribution<> uniform(0, 1);
  const Date first = make_date(2008, 4, 1);
  const Date last = make_date(2020, 3, 31);
  constexpr int kYears = 12;
  std::vector<double> move_rate(kYears);
  double w = 0;
  for (double& rate : move_rate) {
    w += step * normal(generator);
    rate = 0.5 * std::exp(w);
  }
  const double fastest = *std::max_element(move_rate.begin(), move_rate.end());
  const auto day = [&](double years) { return first + std::chrono::days{static_cast<int>(years * 365.25)}; };
  CareHistory history;
  for (double entry = exponential(generator) / 150; entry < kYears; entry += exponential(generator) / 150) {
    ChildHistory child =
        testing::child_in_one_foster_placement(day(entry), day(entry + exponential(generator) / 0.35), last, generator);
    CarePeriod& period = child.periods.front();
    // Nobody is looked after past 17: one who would be goes home the day before turning 18.
    const Date adult = add_years(child.date_of_birth, 18) - std::chrono::days{1};
    if (adult <= last && (!period.end || *period.end > adult)) {
      period.end = period.placements.front().end = adult;
      period.exit_reason = ExitReason::returned_home;
      period.exit_code = "E4A";
    }
    const std::optional<Date> end = period.end;
    const double leave = end ? (*end - first).count() / 365.25 : double{kYears};
    for (double t = entry + exponential(generator) / fastest; t < leave; t += exponential(generator) / fastest) {
      if (uniform(generator) * fastest >= move_rate[static_cast<std::size_t>(t)]) continue;
      const Date moved = day(t);
      if (moved <= period.placements.back().start || (end && moved >= *end)) continue;
      period.placements.back().end = moved;
      period.placements.push_back({moved, end, Category::foster_in_house, "U4", false});
    }
    history.children.push_back(std::move(child));
  }
  testing::observe(history, first, last);
  return history;
}

// Moves whose rate wanders by 30% a year leave errors in the stability indicators the calibrated
// forecasts did not allow for, so the council's own record pulls the drift of moves above the
// prior; steady moves do not. Each drift is judged where it shows: the wandering moves leave the
// total alone, so its drift of entries and exits stays far below the drift of moves. Fixed seeds.
TEST(DriftEstimation, WanderingMovesGiveADriftOfMovesAboveThePriorAndSteadyOnesDoNot) {
  const DriftEstimate wandering = drift_of(history_with_wandering_moves(0.3, 11));
  const DriftEstimate steady = drift_of(history_with_wandering_moves(0.0, 11));
  ASSERT_GE(wandering.moves.origins, 3);
  ASSERT_GE(steady.moves.origins, 3);
  EXPECT_GT(wandering.moves.sd, kOptions.moves_prior_sd) << wandering.moves.reason;
  EXPECT_DOUBLE_EQ(steady.moves.sd, kOptions.moves_prior_sd) << steady.moves.reason;
  EXPECT_GT(wandering.moves.raw_variance, 4 * steady.moves.raw_variance + 0.001)
      << wandering.moves.reason << "\n" << steady.moves.reason;
  EXPECT_GT(wandering.moves.sd, 2 * wandering.level.sd) << wandering.moves.reason << "\n" << wandering.level.reason;
}

// `backtest` judges the model calibrate writes: each origin is calibrated with calibrate's choices,
// drift included (before, backtests calibrated with no variation and no drift at all). The drift
// draws on a stream of its own, so with and without it the runs share every other draw: were the
// drift not applied, the two intervals would be identical to the last digit.
TEST(DriftEstimation, BacktestsCalibrateEachOriginAsCalibrateDoes) {
  const CareHistory history = history_with_wandering_entries(0.3, 7);
  BacktestOptions options;
  options.origins = {make_date(2017, 3, 31)};
  options.horizon_months = 36;
  options.runs = 200;
  options.threads = 2;
  const auto width = [&](const BacktestResult& result) {
    for (const BacktestRow& row : result.rows) {
      if (row.method == std::string("carecast") && row.category == "all" && row.horizon_months == 36) {
        return row.p95 - row.p05;
      }
    }
    return -1.0;
  };
  const double with_drift = width(run_backtest(history, options));
  options.calibration.drift = false;
  const double without = width(run_backtest(history, options));
  ASSERT_GT(without, 0);
  EXPECT_GT(with_drift, without) << "90% interval widths " << with_drift << " and " << without;
}

}  // namespace
}  // namespace carecast
