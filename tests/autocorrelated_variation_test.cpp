// Calibration's year-to-year variation allows for autocorrelated years (issue 10): fitting a level
// and trend to a short autocorrelated series hides part of its variance and makes its slope look
// surer than it is. Over many simulated series (fixed seed), the corrected variance's mean lies
// within k standard errors of the true marginal variance where the uncorrected one falls short,
// and the slope's variance matches the inflation factor.
#include <gtest/gtest.h>

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <vector>

#include "calibration/estimation.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

// A stationary log-scale AR(1) path of `years` values with marginal sd `sd`.
std::vector<double> ar1_path(int years, double sd, double rho, boost::random::mt19937& generator) {
  boost::random::normal_distribution<> normal(0, 1);
  std::vector<double> z(static_cast<std::size_t>(years));
  z[0] = sd * normal(generator);
  for (std::size_t y = 1; y < z.size(); ++y) z[y] = rho * z[y - 1] + sd * std::sqrt(1 - rho * rho) * normal(generator);
  return z;
}

TEST(AutocorrelatedVariation, WithoutAutocorrelationNothingChanges) {
  const ExtraPoissonVariance raw =
      extra_poisson_variance({150, 171, 139, 160, 182, 149, 158, 170}, {155, 156, 157, 158, 159, 160, 161, 162}, 2);
  ASSERT_TRUE(raw.estimated());
  EXPECT_NEAR(autocorrelated_variance(raw, 0), raw.variance, 1e-12);
  EXPECT_NEAR(slope_variance_inflation(10, 0), 1, 1e-12);
  // Positive autocorrelation hides variance: the corrected estimate of the same residuals is larger.
  EXPECT_GT(autocorrelated_variance(raw, 0.6), raw.variance);
  EXPECT_GT(slope_variance_inflation(10, 0.6), 1.5);
}

// Yearly counts so large that Poisson noise is negligible, multiplied by an AR(1) path: the mean
// of the corrected variance over 4,000 series of 10 years recovers the marginal variance.
TEST(AutocorrelatedVariation, MarginalVarianceIsRecoveredFromShortDetrendedSeries) {
  const double k = testing::standard_errors_allowed();
  const double sd = 0.1;
  const double rho = 0.7;
  const int years = 10;
  const int series = 4000;
  boost::random::mt19937 generator(17);
  for (const int parameters : {1, 2}) {
    SCOPED_TRACE(parameters);
    std::vector<double> corrected, naive;
    for (int s = 0; s < series; ++s) {
      const std::vector<double> z = ar1_path(years, sd, rho, generator);
      std::vector<double> observed, expected;
      for (int y = 0; y < years; ++y) {
        const double level = 1e9 * (parameters == 2 ? std::pow(1.03, y) : 1.0);
        expected.push_back(level);
        observed.push_back(std::round(level * std::exp(z[static_cast<std::size_t>(y)])));
      }
      const ExtraPoissonVariance raw = extra_poisson_variance(observed, expected, parameters);
      corrected.push_back(autocorrelated_variance(raw, rho));
      naive.push_back(raw.variance);
    }
    const auto mean_and_error = [&](const std::vector<double>& x) {
      double sum = 0, squares = 0;
      for (const double v : x) sum += v;
      const double mean = sum / static_cast<double>(x.size());
      for (const double v : x) squares += (v - mean) * (v - mean);
      return std::pair{mean, std::sqrt(squares / static_cast<double>(x.size() - 1) / static_cast<double>(x.size()))};
    };
    const auto [corrected_mean, corrected_error] = mean_and_error(corrected);
    const auto [naive_mean, naive_error] = mean_and_error(naive);
    EXPECT_NEAR(corrected_mean, sd * sd, k * corrected_error);
    // Without the correction the variance is clearly too small (the bias this fixes).
    EXPECT_LT(naive_mean + k * naive_error, sd * sd);
  }
}

// The variance of the least-squares slope over 20,000 AR(1) series equals the independent-errors
// variance times the inflation factor, within k standard errors of a sample variance.
TEST(AutocorrelatedVariation, SlopeVarianceInflationMatchesSimulation) {
  const double k = testing::standard_errors_allowed();
  const int years = 9;
  const int series = 20000;
  boost::random::mt19937 generator(23);
  for (const double rho : {0.3, 0.7}) {
    SCOPED_TRACE(rho);
    const double centre = (years - 1) / 2.0;
    double sxx = 0;
    for (int y = 0; y < years; ++y) sxx += (y - centre) * (y - centre);
    double squares = 0;
    for (int s = 0; s < series; ++s) {
      const std::vector<double> z = ar1_path(years, 1.0, rho, generator);
      double sxy = 0;
      for (int y = 0; y < years; ++y) sxy += (y - centre) * z[static_cast<std::size_t>(y)];
      const double slope = sxy / sxx;
      squares += slope * slope;  // the slope's mean is 0
    }
    const double expected = slope_variance_inflation(years, rho) / sxx;
    EXPECT_NEAR(squares / series, expected, k * expected * std::sqrt(2.0 / series));
  }
}

// Three detrended series of 10 years sharing an autocorrelation of 0.6: the plain lag-1 ratio of
// the residuals averages about 0.28 over 2,000 such sets, so detrending hides most of the
// persistence. The pooled moment estimate is a ratio of sums, with a small-sample bias of its own
// (about -0.04 here, 0.56): its mean must lie within 0.06 below 0.6 (a tenth of it) and not above
// it by more than k standard errors.
TEST(AutocorrelatedVariation, PooledAutocorrelationIsNotBiasedByDetrending) {
  const double k = testing::standard_errors_allowed();
  const double rho = 0.6;
  const int years = 10;
  const int sets = 2000;
  boost::random::mt19937 generator(31);
  std::vector<double> estimates, ratios;
  for (int s = 0; s < sets; ++s) {
    std::vector<ExtraPoissonVariance> raws;
    for (const double sd : {0.08, 0.12, 0.1}) {
      const std::vector<double> z = ar1_path(years, sd, rho, generator);
      std::vector<double> observed, expected;
      for (int y = 0; y < years; ++y) {
        expected.push_back(1e9);
        observed.push_back(std::round(1e9 * std::exp(z[static_cast<std::size_t>(y)])));
      }
      raws.push_back(extra_poisson_variance(observed, expected, raws.empty() ? 2 : 1));
    }
    std::vector<const ExtraPoissonVariance*> used;
    double lag = 0, squares = 0;
    for (const ExtraPoissonVariance& raw : raws) {
      used.push_back(&raw);
      lag += raw.lag1_sum;
      squares += raw.variance * (raw.years - raw.fitted_parameters);
    }
    estimates.push_back(pooled_autocorrelation(used));
    ratios.push_back(lag / squares);
  }
  double mean = 0, squares = 0, ratio = 0;
  for (const double x : estimates) mean += x / sets;
  for (const double x : estimates) squares += (x - mean) * (x - mean);
  for (const double x : ratios) ratio += x / sets;
  const double error = std::sqrt(squares / (sets - 1) / sets);
  EXPECT_GT(mean, rho - 0.06) << "plain ratio " << ratio;
  EXPECT_LT(mean, rho + k * error);
  EXPECT_LT(ratio, rho - 0.2);
}

}  // namespace
}  // namespace carecast
