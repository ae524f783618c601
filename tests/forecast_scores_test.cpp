#include "evaluation/forecast_scores.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace carecast {
namespace {

TEST(ForecastScores, CrpsOfOneValueIsTheAbsoluteError) {
  EXPECT_DOUBLE_EQ(crps_sorted({10}, 13), 3);
  EXPECT_DOUBLE_EQ(crps_sorted({10, 10, 10}, 7), 3);
}

// By hand for {1, 2, 4} and y = 3: E|X-y| = (2+1+1)/3 = 4/3; E|X-X'| over all 9 ordered pairs =
// 2(1+3+2)/9 = 12/9, half of it 2/3; CRPS = 4/3 - 2/3 = 2/3.
TEST(ForecastScores, CrpsMatchesAHandComputation) { EXPECT_NEAR(crps_sorted({1, 2, 4}, 3), 2.0 / 3.0, 1e-12); }

// For a large sample from N(0,1) the CRPS at y=0 approaches 2 phi(0) - 1/sqrt(pi) = 0.23370.
TEST(ForecastScores, CrpsOfANormalSampleApproachesTheClosedForm) {
  std::vector<double> sample;
  const int n = 20001;
  // Quantiles of N(0,1) at i/(n+1), by inverting the normal CDF with Newton steps.
  for (int i = 1; i <= n; ++i) {
    const double p = static_cast<double>(i) / (n + 1);
    double x = 0;
    for (int step = 0; step < 60; ++step) {
      const double cdf = 0.5 * std::erfc(-x / std::sqrt(2.0));
      const double pdf = std::exp(-x * x / 2) / std::sqrt(2 * M_PI);
      x -= (cdf - p) / pdf;
    }
    sample.push_back(x);
  }
  const double exact = 2 * (1 / std::sqrt(2 * M_PI)) - 1 / std::sqrt(M_PI);
  EXPECT_NEAR(crps_sorted(sample, 0.0), exact, 1e-3);
}

TEST(ForecastScores, MedianAbsolutePercentageErrorSkipsZeroTruth) {
  EXPECT_DOUBLE_EQ(median_absolute_percentage_error({110, 90, 5, 130}, {100, 100, 0, 100}), 10);
  EXPECT_DOUBLE_EQ(median_absolute_percentage_error({110, 80}, {100, 100}), 15);
  EXPECT_TRUE(std::isnan(median_absolute_percentage_error({1}, {0})));
}

}  // namespace
}  // namespace carecast
