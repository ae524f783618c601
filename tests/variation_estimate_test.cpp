// Year-to-year variation estimated by calibration (issue 10): the extra-Poisson variance of yearly
// counts is near 0 for pure Poisson counts and near the truth with known extra variation (within
// a few standard errors, fixed seed), and a history too short to say falls back to the prior.
#include <gtest/gtest.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <boost/random/poisson_distribution.hpp>
#include <chrono>
#include <cmath>
#include <vector>

#include "calibration/estimation.hpp"
#include "history/ssda903.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

struct YearlyCounts {
  std::vector<double> observed, expected;
};

// `years` yearly counts around a level of `level` growing 3% a year (when `trend`), each
// multiplied by exp(e - sd^2/2) with e ~ Normal(0, sd^2) independent from year to year.
YearlyCounts simulate(int years, double level, double sd, bool trend, std::uint32_t seed) {
  boost::random::mt19937 generator(seed);
  boost::random::normal_distribution<> normal(0, 1);
  YearlyCounts counts;
  for (int y = 0; y < years; ++y) {
    const double expected = level * (trend ? std::pow(1.03, y % 20) : 1.0);
    const double multiplier = std::exp(sd * normal(generator) - sd * sd / 2);
    boost::random::poisson_distribution<int> poisson(expected * multiplier);
    counts.observed.push_back(poisson(generator));
    counts.expected.push_back(expected);
  }
  return counts;
}

TEST(VariationEstimate, PurePoissonCountsHaveNoExtraVariance) {
  const double k = testing::standard_errors_allowed();
  for (const int parameters : {1, 2}) {
    const YearlyCounts counts = simulate(400, 150, 0, parameters == 2, 11);
    const ExtraPoissonVariance estimate = extra_poisson_variance(counts.observed, counts.expected, parameters);
    ASSERT_TRUE(estimate.estimated());
    EXPECT_LE(std::abs(estimate.variance), k * estimate.standard_error) << estimate.variance;
    // The estimate is small on the scale of the sds that matter (0.05 and more a year).
    EXPECT_LT(estimate.variance, 0.05 * 0.05);
  }
}

TEST(VariationEstimate, KnownExtraVarianceIsRecovered) {
  const double k = testing::standard_errors_allowed();
  for (const double sd : {0.08, 0.15}) {
    for (const int parameters : {1, 2}) {
      SCOPED_TRACE(sd);
      const YearlyCounts counts = simulate(400, 150, sd, parameters == 2, 29);
      const ExtraPoissonVariance estimate = extra_poisson_variance(counts.observed, counts.expected, parameters);
      EXPECT_LE(std::abs(estimate.variance - sd * sd), k * estimate.standard_error)
          << estimate.variance << " against " << sd * sd;
      // And it is told apart from none at all.
      EXPECT_GT(estimate.variance, k * estimate.standard_error);
    }
  }
}

TEST(VariationEstimate, TooFewYearsAreNotEstimated) {
  EXPECT_FALSE(extra_poisson_variance({10, 12}, {11, 11}, 1).estimated());
  EXPECT_TRUE(extra_poisson_variance({10, 12, 9}, {11, 11, 11}, 1).estimated());
  EXPECT_THROW(extra_poisson_variance({10}, {11, 12}, 1), std::invalid_argument);
}

// One collection year (2019/20) holding one girl in in-house foster care since June 2019.
CareHistory one_year_with_one_child() {
  CareHistory history;
  ChildHistory c;
  c.sex = Sex::female;
  c.date_of_birth = make_date(2012, 1, 1);
  CarePeriod p;
  p.start = make_date(2019, 6, 1);
  p.placements = {{p.start, std::nullopt, Category::foster_in_house, "U4", false}};
  c.periods = {p};
  history.children = {c};
  history.first_date = history.observed_from = make_date(2019, 4, 1);
  history.last_date = make_date(2020, 3, 31);
  return history;
}

// One year of data: nothing to estimate from, so each sd is its prior's marginal sd turned into
// an AR(1) innovation with the prior autocorrelation.
TEST(VariationEstimate, AShortHistoryFallsBackToThePrior) {
  const CareHistory history = one_year_with_one_child();
  CalibrationOptions options;
  options.estimate_variation = true;
  CalibrationReport report;
  const Scenario s = calibrate(history, make_date(2020, 3, 31), options, report);
  const double stationary = std::sqrt(1 - 0.6 * 0.6);
  EXPECT_DOUBLE_EQ(s.variation.autocorrelation, 0.6);
  EXPECT_DOUBLE_EQ(s.variation.entries_sd_log_per_year, 0.08 * stationary);
  EXPECT_DOUBLE_EQ(s.variation.exits_sd_log_per_year, 0.10 * stationary);
  EXPECT_DOUBLE_EQ(s.variation.moves_sd_log_per_year, 0.10 * stationary);
  // Without estimating, none.
  EXPECT_FALSE(calibrate(history, make_date(2020, 3, 31)).variation.any());
}

// calibrate keeps what it writes within what a scenario takes: a variation or an autocorrelation beyond the loader's
// bounds (here from priors beyond them, over a history too short to move them) is written at the bound, and the
// estimate kept for the scenario's comments.
TEST(VariationEstimate, IsCappedAtTheLargestAScenarioTakes) {
  const CareHistory history = one_year_with_one_child();
  CalibrationOptions options;
  options.estimate_variation = true;
  options.moves_prior_sd_log = 3;
  options.exits_prior_sd_log = 0.5;
  CalibrationReport report;
  const Scenario s = calibrate(history, make_date(2020, 3, 31), options, report);
  const double stationary = std::sqrt(1 - 0.6 * 0.6);  // the default prior's autocorrelation
  EXPECT_EQ(s.variation.moves_sd_log_per_year, 1);
  ASSERT_TRUE(report.variation.moves.uncapped_innovation_sd.has_value());
  EXPECT_DOUBLE_EQ(*report.variation.moves.uncapped_innovation_sd, 3 * stationary);
  // Within the bound: as estimated.
  EXPECT_DOUBLE_EQ(s.variation.exits_sd_log_per_year, 0.5 * stationary);
  EXPECT_FALSE(report.variation.exits.uncapped_innovation_sd.has_value());
  EXPECT_FALSE(report.variation.uncapped_autocorrelation.has_value());

  options.autocorrelation_prior = 0.995;
  CalibrationReport near_one;
  const Scenario t = calibrate(history, make_date(2020, 3, 31), options, near_one);
  EXPECT_EQ(t.variation.autocorrelation, 0.99);
  ASSERT_TRUE(near_one.variation.uncapped_autocorrelation.has_value());
  EXPECT_DOUBLE_EQ(*near_one.variation.uncapped_autocorrelation, 0.995);
  // The innovations are the capped autocorrelation's.
  EXPECT_DOUBLE_EQ(t.variation.exits_sd_log_per_year, 0.5 * std::sqrt(1 - 0.99 * 0.99));
}

// Entries tripling a year (a few sparse early years look like this) give a growth beyond the +100% a year a
// scenario takes: the scenario's growth, and its level at the origin, use the cap.
TEST(VariationEstimate, EntryGrowthIsCappedAtTheLargestAScenarioTakes) {
  boost::random::mt19937 generator(7);
  CareHistory history;
  int entries = 1;
  for (int year = 2015; year < 2019; ++year, entries *= 3) {
    for (int k = 0; k < entries; ++k) {
      const Date start = make_date(year, 4, 2) + std::chrono::days{(k * 353) / entries};
      history.children.push_back(
          testing::child_in_one_foster_placement(start, start + std::chrono::days{30}, make_date(2019, 3, 31), generator));
    }
  }
  testing::observe(history, make_date(2015, 4, 1), make_date(2019, 3, 31));
  CalibrationOptions options;
  options.include_trend = true;
  CalibrationReport report;
  const Scenario s = calibrate(history, make_date(2019, 3, 31), options, report);
  ASSERT_TRUE(report.entry_trend.estimated);
  EXPECT_GT(report.entry_trend.growth, 1.5);  // about 2: entries triple each year
  EXPECT_TRUE(report.entry_trend.growth_capped());
  EXPECT_EQ(s.entries.annual_growth_rate, 1);
}

}  // namespace
}  // namespace carecast
