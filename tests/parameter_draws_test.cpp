#include "simulation/parameter_draws.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

Scenario with_evidence() {
  Scenario s = single_category_scenario(0.5, 30, 5 * 365, 2);
  RateEvidence evidence;
  evidence.ending.assign(s.ending_hazard_per_year.size(), GammaEvidence{});
  const std::size_t cell = (static_cast<std::size_t>(Category::foster_in_house) * kAgeBandCount + 2) * 6 + 3;
  evidence.ending[cell] = GammaEvidence{12, 20, 1, 2};  // posterior Gamma(13, 22): mean 0.5909
  auto& destination = evidence.destination[static_cast<int>(Category::foster_in_house)][2];
  destination.counts[outcome_of(ExitReason::returned_home)] = 30;
  destination.counts[outcome_of(ExitReason::special_guardianship)] = 10;
  destination.prior[outcome_of(ExitReason::returned_home)] = 0.5;
  destination.prior[outcome_of(ExitReason::special_guardianship)] = 0.5;
  s.evidence = evidence;
  return s;
}

// Draws match the posterior's mean and variance: Gamma(13, 22) for the hazard and
// Dirichlet(30.5, 10.5) for the destinations, each within k standard errors.
TEST(ParameterDraws, MatchThePosterior) {
  const Scenario s = with_evidence();
  const std::size_t cell = (static_cast<std::size_t>(Category::foster_in_house) * kAgeBandCount + 2) * 6 + 3;
  const int n = 20000;
  double sum = 0, squares = 0, share = 0;
  StreamEngine engine(2024);
  for (int i = 0; i < n; ++i) {
    const Scenario drawn = draw_parameters(s, engine);
    const double h = drawn.ending_hazard_per_year[cell];
    sum += h;
    squares += h * h;
    share += drawn.destination_probability[static_cast<int>(Category::foster_in_house)][2]
                                          [outcome_of(ExitReason::returned_home)];
    // Cells without evidence keep their rate.
    ASSERT_EQ(drawn.ending_hazard_per_year[cell + 1], s.ending_hazard_per_year[cell + 1]);
  }
  const double shape = 13, rate = 22;
  const double mean = sum / n;
  const double variance = squares / n - mean * mean;
  EXPECT_NEAR(mean, shape / rate, standard_errors_allowed() * std::sqrt(shape / (rate * rate) / n));
  // The sample variance of a Gamma has standard error about sqrt((mu4 - sigma^4) / n).
  const double sigma2 = shape / (rate * rate);
  const double mu4 = 3 * shape * (shape + 2) / std::pow(rate, 4);
  EXPECT_NEAR(variance, sigma2, standard_errors_allowed() * std::sqrt((mu4 - sigma2 * sigma2) / n));
  const double alpha = 30.5, total = 41;
  const double p = alpha / total;
  EXPECT_NEAR(share / n, p, standard_errors_allowed() * std::sqrt(p * (1 - p) / (total + 1) / n));
}

// The growth's log slope is drawn from Normal(log(1 + stated growth), sd^2): its sample mean and
// variance each within k standard errors; a stream whose sd is 0 keeps its stated growth.
TEST(ParameterDraws, GrowthSlopeFollowsItsStatedSpread) {
  Scenario s = with_evidence();
  s.entries.annual_growth_rate = 0.04;
  s.uasc.annual_growth_rate = -0.02;
  s.evidence->entries_growth_sd_log_per_year = 0.05;
  const int n = 20000;
  double sum = 0, squares = 0;
  StreamEngine engine(77);
  for (int i = 0; i < n; ++i) {
    const Scenario drawn = draw_parameters(s, engine);
    const double slope = std::log1p(drawn.entries.annual_growth_rate);
    sum += slope;
    squares += slope * slope;
    ASSERT_EQ(drawn.uasc.annual_growth_rate, -0.02);
  }
  const double sd = 0.05, mean = sum / n;
  EXPECT_NEAR(mean, std::log1p(0.04), standard_errors_allowed() * sd / std::sqrt(n));
  // The sample variance of a normal has standard error sigma^2 sqrt(2 / n).
  EXPECT_NEAR(squares / n - mean * mean, sd * sd, standard_errors_allowed() * sd * sd * std::sqrt(2.0 / n));
}

TEST(ParameterDraws, OffUsesThePointRatesAndOnDrawsThem) {
  const Scenario s = with_evidence();
  Scenario without = s;
  without.evidence.reset();
  RunOptions options;
  options.runs = 200;
  options.parameter_uncertainty = false;
  const RunResult off = run_replications(s, options);
  EXPECT_FALSE(off.parameters_drawn);
  EXPECT_EQ(off.tallies, run_replications(without, options).tallies);
  options.parameter_uncertainty = true;
  const RunResult on = run_replications(s, options);
  EXPECT_TRUE(on.parameters_drawn);
  EXPECT_NE(on.tallies, off.tallies);
}

}  // namespace
}  // namespace carecast
