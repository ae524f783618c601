// Pooled fits to published figures (fitting/pooled_fit.hpp): the random-effects estimate and the prior divided
// out of a fit, by hand; on a synthetic region, pooling lowers the small councils' error of their fitted rates and
// does not worsen their forecasts of years they were not fitted to; and fit --pool-councils end to end.
#include "fitting/pooled_fit.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "fitting/fit_parameters.hpp"
#include "fitting/published_fit.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// By hand

// Councils each with one parameter and a likelihood of variance v about y_j, all of one size. The region's mean mu
// has the default prior Normal(0, s^2) (s = 0.3 for hazard_family) and tau the prior Gamma(2, 0), so the estimate
// maximises
//   sum_j [-log(v + tau^2) / 2 - (y_j - mu)^2 / (2 (v + tau^2))] - mu^2 / (2 s^2) + log(tau),
// computed here directly: for each tau^2, mu = sum w y / (sum w + 1 / s^2) with w = 1 / (v + tau^2), and tau^2 on a
// fine grid.
CouncilLikelihood scalar_council(double y, double v, double size = 100) {
  return {
      {FitParameter::hazard_family}, Eigen::MatrixXd::Constant(1, 1, 1 / v), Eigen::VectorXd::Constant(1, y / v), size};
}
std::array<bool, kFitParameterCount> every_rate_pooled() {
  std::array<bool, kFitParameterCount> pooled{};
  for (int i = 0; i < kFitParameterCount; ++i) {
    pooled[static_cast<std::size_t>(i)] = is_pooled_parameter(static_cast<FitParameter>(i));
  }
  return pooled;
}
struct DirectMaximum {
  double mean = 0;
  double spread_variance = 0;
};
DirectMaximum direct_maximum(const std::vector<double>& y, double v, double prior_sd) {
  DirectMaximum best;
  double best_value = -1e300;
  for (int step = 1; step <= 400000; ++step) {
    const double tau2 = step * 1e-5;
    const double w = 1 / (v + tau2);
    double sum = 0;
    for (const double x : y) sum += w * x;
    const double mu = sum / (w * static_cast<double>(y.size()) + 1 / (prior_sd * prior_sd));
    double value = -mu * mu / (2 * prior_sd * prior_sd) + std::log(tau2) / 2;
    for (const double x : y) value += -std::log(v + tau2) / 2 - (x - mu) * (x - mu) * w / 2;
    if (value > best_value) {
      best_value = value;
      best = {mu, tau2};
    }
  }
  return best;
}

// The spread's posterior mean of tau^2, from the same objective (mu profiled) integrated over tau directly, on a fine
// grid from 0.001 to four times the prior's sd (where estimate_region's grid stops).
double direct_posterior_mean_spread(const std::vector<double>& y, double v, double prior_sd) {
  double weights = 0;
  double mean = 0;
  double most = -1e300;
  std::vector<std::pair<double, double>> points;  // (tau^2, log density in tau)
  for (double tau = 0.001; tau <= 4 * prior_sd; tau += 1e-5) {
    const double tau2 = tau * tau;
    const double w = 1 / (v + tau2);
    double sum = 0;
    for (const double x : y) sum += w * x;
    const double mu = sum / (w * static_cast<double>(y.size()) + 1 / (prior_sd * prior_sd));
    double value = -mu * mu / (2 * prior_sd * prior_sd) + std::log(tau);
    for (const double x : y) value += -std::log(v + tau2) / 2 - (x - mu) * (x - mu) * w / 2;
    points.emplace_back(tau2, value);
    most = std::max(most, value);
  }
  for (const auto& [tau2, value] : points) {
    weights += std::exp(value - most);
    mean += tau2 * std::exp(value - most);
  }
  return mean / weights;
}

TEST(EstimateRegion, MatchesTheMaximumComputedDirectly) {
  const auto region =
      estimate_region({scalar_council(0, 0.1), scalar_council(1, 0.1), scalar_council(2, 0.1)}, every_rate_pooled());
  const auto& family = region[static_cast<std::size_t>(FitParameter::hazard_family)];
  ASSERT_TRUE(family);
  EXPECT_EQ(family->councils, 3);
  EXPECT_EQ(family->slope, 0);  // the councils are all of a size
  const DirectMaximum direct = direct_maximum({0, 1, 2}, 0.1, 0.3);
  EXPECT_NEAR(family->mean_at(100), direct.mean, 1e-4);
  EXPECT_NEAR(family->spread_variance, direct.spread_variance, 2e-5);
  // The spread's mode is beyond the grid that its posterior mean is read on (tau at most 1.2, four times the
  // prior's sd; a refit's prior sd stops at 0.6): a council's prior then takes the mode.
  EXPECT_GT(family->spread_variance, 1.2 * 1.2);
  EXPECT_EQ(family->predictive_spread_variance, family->spread_variance);
  // The prior pulls the region's mean from the councils' 1 towards the base's 0: three councils this far apart
  // say little about the region's centre.
  EXPECT_LT(family->mean_at(100), 1);
  EXPECT_GT(family->mean_at(100), 0);
  // Its se: the curvature there, 1 / (sum w + 1 / s^2).
  EXPECT_NEAR(family->mean_se_at(100), std::sqrt(1 / (3 / (0.1 + direct.spread_variance) + 1 / 0.09)), 1e-4);
  for (std::size_t p = 0; p < kFitParameterCount; ++p) {
    if (p != static_cast<std::size_t>(FitParameter::hazard_family)) EXPECT_FALSE(region[p]);
  }

  // Councils no more different than their noise (variance of the y 0.0025, v = 0.2): the spread's prior keeps it
  // off 0, at what the direct maximum gives.
  const auto none = estimate_region({scalar_council(0, 0.2), scalar_council(0.1, 0.2)}, every_rate_pooled());
  const auto& pooled_family = none[static_cast<std::size_t>(FitParameter::hazard_family)];
  ASSERT_TRUE(pooled_family);
  const DirectMaximum none_direct = direct_maximum({0, 0.1}, 0.2, 0.3);
  EXPECT_GT(pooled_family->spread_variance, 0);
  EXPECT_NEAR(pooled_family->spread_variance, none_direct.spread_variance, 2e-5);
  EXPECT_NEAR(pooled_family->mean_at(100), none_direct.mean, 1e-4);
  // Two councils say little about how councils differ: the spread's posterior is wide, its mean well above its mode.
  const double none_mean = direct_posterior_mean_spread({0, 0.1}, 0.2, 0.3);
  EXPECT_NEAR(pooled_family->predictive_spread_variance, none_mean, 0.005 * none_mean);
  EXPECT_GT(pooled_family->predictive_spread_variance, 2 * pooled_family->spread_variance);

  // Five councils that show their spread (tau about 0.25 against noise of sd 0.1): the posterior lies inside the
  // grid, its mean a little above its mode.
  const std::vector<double> shown = {-0.3, -0.1, 0.05, 0.2, 0.4};
  std::vector<CouncilLikelihood> five;
  for (const double y : shown) five.push_back(scalar_council(y, 0.01));
  const auto five_region = estimate_region(five, every_rate_pooled());
  const auto& spread_shown = five_region[static_cast<std::size_t>(FitParameter::hazard_family)];
  ASSERT_TRUE(spread_shown);
  EXPECT_NEAR(spread_shown->spread_variance, direct_maximum(shown, 0.01, 0.3).spread_variance, 2e-5);
  const double shown_mean = direct_posterior_mean_spread(shown, 0.01, 0.3);
  EXPECT_NEAR(spread_shown->predictive_spread_variance, shown_mean, 0.005 * shown_mean);
  EXPECT_GT(spread_shown->predictive_spread_variance, 1.1 * spread_shown->spread_variance);

  // One council informing, or a level, or a council whose figures say little (precision below a quarter of the
  // prior's, 1 / 0.3^2 for hazard_family): not estimated.
  EXPECT_FALSE(estimate_region({scalar_council(0, 0.1)}, every_rate_pooled())[1]);
  const CouncilLikelihood level{
      {FitParameter::entry_level}, Eigen::MatrixXd::Constant(1, 1, 100), Eigen::VectorXd::Zero(1), 100};
  EXPECT_FALSE(
      estimate_region({level, level}, every_rate_pooled())[static_cast<std::size_t>(FitParameter::entry_level)]);
  const auto weak = estimate_region({scalar_council(0, 0.1), scalar_council(1, 0.4)}, every_rate_pooled());
  EXPECT_FALSE(weak[static_cast<std::size_t>(FitParameter::hazard_family)]);
}

// Two parameters whose evidence is tied: a council's figures say their sum is 0.6 (precisely) and little else.
// The region's estimate takes the councils' likelihoods whole, so each parameter's mean is where the councils'
// posteriors put it, not a margin read off alone.
TEST(EstimateRegion, ReadsEachCouncilsParametersTogether) {
  std::vector<CouncilLikelihood> councils;
  for (const double sum : {0.5, 0.6, 0.7, 0.6}) {
    Eigen::MatrixXd precision{{100, 100}, {100, 100.5}};  // the sum's precision 100, the second's own 0.5
    const Eigen::VectorXd score = precision * Eigen::Vector2d(sum - 0.1, 0.1);
    councils.push_back({{FitParameter::hazard_family, FitParameter::moves}, precision, score, 100});
  }
  const auto region = estimate_region(councils, every_rate_pooled());
  const auto& family = region[static_cast<std::size_t>(FitParameter::hazard_family)];
  const auto& moves = region[static_cast<std::size_t>(FitParameter::moves)];
  ASSERT_TRUE(family && moves);
  // The sums hold: the two means add to the councils' mean sum, less a little for the line's prior (the base's 0,
  // against four councils each knowing its sum to an sd of 0.1: within 0.02).
  EXPECT_NEAR(family->mean_at(100) + moves->mean_at(100), 0.6, 0.02);
}

// Councils whose multipliers lie on a line in log size (y = 0.2 ln(size / 100), precisely known): the line is
// found (its prior, the base's level and no slope, pulls it a little: within 0.005), and the spread about it is
// none.
TEST(EstimateRegion, PoolsEachCouncilTowardsCouncilsOfItsSize) {
  std::vector<CouncilLikelihood> councils;
  for (const double size : {20.0, 20.0, 50.0, 200.0, 400.0, 400.0}) {
    councils.push_back(scalar_council(0.2 * std::log(size / 100), 0.001, size));
  }
  const auto region = estimate_region(councils, every_rate_pooled());
  const auto& family = region[static_cast<std::size_t>(FitParameter::hazard_family)];
  ASSERT_TRUE(family);
  EXPECT_NEAR(family->slope, 0.2, 0.005);
  EXPECT_NEAR(family->mean_at(20), 0.2 * std::log(0.2), 0.005);
  EXPECT_NEAR(family->mean_at(400), 0.2 * std::log(4.0), 0.005);
  EXPECT_LT(family->spread_variance, 2 * 0.001);  // no more than the councils' own noise
  // Had the line been flat, the small and the large would have been pulled to one value between them.
  EXPECT_GT(family->mean_at(400) - family->mean_at(20), 0.5);
}

// ---------------------------------------------------------------------------------------------
// A synthetic region

constexpr int kSmallCouncils = 72;
constexpr int kLargeCouncils = 3;
constexpr double kSmallSize = 0.04;  // of the default council: about 17 children looked after, 8 entries a year
constexpr double kLargeSize = 1.0;
constexpr double kCouncilSpreadSdLog = 0.15;  // of the councils' true multipliers about the region's
constexpr int kHeldOutRuns = 30;              // replications of the truth for its expected held-out figures

// The region's rates differ from the base's: a base written for another council is not the region's centre,
// so a small council fitted alone is pulled towards the wrong rates.
const std::vector<std::pair<FitParameter, double>> kRegionTruth = {
    {FitParameter::hazard_family, std::log(1.3)},
    {FitParameter::moves, std::log(1.5)},
    {FitParameter::returned_home, std::log(0.7)},
};

struct Row {
  std::string metric;
  std::string category;
  bool flow;
  int year;  // the collection year ends 31 March of this year
};

// Three collection years fitted (to 31 March 2022) and two held out (to 31 March 2024).
constexpr int kOriginYear = 2022;
std::vector<Row> region_rows() {
  std::vector<Row> rows = {{"children_looked_after", "all", false, 2019}};
  for (int year = 2020; year <= kOriginYear + 2; ++year) {
    rows.push_back({"children_looked_after", "all", false, year});
    rows.push_back({"children_looked_after", "foster_in_house+foster_agency+foster_kinship", false, year});
    rows.push_back({"entries", "all", true, year});
    rows.push_back({"exits", "all", true, year});
    rows.push_back({"exits", "returned_home", true, year});
    rows.push_back({"exits", "adoption+special_guardianship", true, year});
    rows.push_back({"stability_short_term", "all", false, year});
  }
  return rows;
}

std::string figures_csv(const std::vector<Row>& rows, const std::vector<double>& values) {
  std::ostringstream out;
  out << "metric,category,period_start,date,value\n";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    out << r.metric << ',' << r.category << ',' << (r.flow ? std::to_string(r.year - 1) + "-04-01" : "") << ','
        << r.year << "-03-31," << values[i] << '\n';
  }
  return out.str();
}

struct RegionCouncil {
  bool small = false;
  std::vector<double> truth;  // log multipliers of kRegionTruth's parameters
  PublishedFigures figures;
  std::vector<double> expected_held_out;  // the truth's mean of each held-out figure
};

struct SyntheticRegion {
  std::vector<RegionCouncil> councils;
  std::vector<std::size_t> held_out;  // rows after the origin
  PooledFit fit;
};

const SyntheticRegion& synthetic_region() {
  static const SyntheticRegion region = [] {
    SyntheticRegion result;
    const fs::path dir = fs::temp_directory_path() / ("carecast-pooled-fit-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const Scenario base = load_scenario(default_scenario_path());
    const int base_children = base.starting_counts->children();
    const std::vector<Row> rows = region_rows();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      // What the pooled rates drive: children looked after and exits. Entries follow each council's own level
      // (not pooled), and a percentage of a few children is too coarse to score on the log scale.
      if (rows[i].year > kOriginYear && (rows[i].metric == "children_looked_after" || rows[i].metric == "exits")) {
        result.held_out.push_back(i);
      }
    }
    boost::random::mt19937 generator(20261130);
    boost::random::normal_distribution<> normal(0, 1);
    for (int j = 0; j < kSmallCouncils + kLargeCouncils; ++j) {
      RegionCouncil council;
      council.small = j < kSmallCouncils;
      const double size = council.small ? kSmallSize : kLargeSize;
      // A skeleton (only its dates and first stock matter) gives the start the fit will use: the council's
      // children, then its entries, at its size.
      std::vector<double> values(rows.size(), 0.0);
      values[0] = std::round(base_children * size);
      const fs::path skeleton_file = dir / ("skeleton-" + std::to_string(j) + ".csv");
      std::ofstream(skeleton_file) << figures_csv(rows, values);
      const PublishedFigures skeleton = read_published_figures(skeleton_file);
      std::string note;
      const FitStart start =
          fit_start(base_scaled_to_council(base, skeleton, note), skeleton, make_date(kOriginYear, 3, 31));
      std::vector<FitParameter> kinds = {FitParameter::entry_level};
      std::vector<double> theta = {0.1 * normal(generator)};
      for (const auto& [kind, region_value] : kRegionTruth) {
        kinds.push_back(kind);
        theta.push_back(region_value + kCouncilSpreadSdLog * normal(generator));
        council.truth.push_back(theta.back());
      }
      const Scenario truth = apply_parameters(start.scenario, kinds, theta);
      values = testing::simulated_figures(truth, skeleton, 5000 + static_cast<std::uint64_t>(j));
      for (double& value : values) value = std::round(value);
      const fs::path file = dir / ("council-" + std::to_string(j) + ".csv");
      std::ofstream(file) << figures_csv(rows, values);
      council.figures = read_published_figures(file);
      council.expected_held_out.assign(result.held_out.size(), 0.0);
      for (int run = 0; run < kHeldOutRuns; ++run) {
        const std::vector<double> draw =
            testing::simulated_figures(truth, skeleton, 90000 + static_cast<std::uint64_t>(100 * j + run));
        for (std::size_t h = 0; h < result.held_out.size(); ++h) {
          council.expected_held_out[h] += draw[result.held_out[h]] / kHeldOutRuns;
        }
      }
      result.councils.push_back(std::move(council));
    }
    fs::remove_all(dir);
    std::vector<CouncilFigures> councils;
    for (std::size_t j = 0; j < result.councils.size(); ++j) {
      councils.push_back({"council-" + std::to_string(j), &result.councils[j].figures, &base, true});
    }
    FitOptions options;
    options.seed = 7;
    options.runs = 120;
    options.origin = make_date(kOriginYear, 3, 31);
    result.fit = fit_pooled(councils, options);
    return result;
  }();
  return region;
}

// Mean squared error of a fit's multipliers (log scale) of kRegionTruth's parameters against the council's truth.
double rate_error(const FitResult& fit, const RegionCouncil& council) {
  double sum = 0;
  for (std::size_t k = 0; k < kRegionTruth.size(); ++k) {
    const ParameterEstimate& estimate = fit.parameters[static_cast<std::size_t>(kRegionTruth[k].first)];
    const double e = std::log(estimate.median) - council.truth[k];
    sum += e * e;
  }
  return sum / static_cast<double>(kRegionTruth.size());
}

// Mean squared log error of a fit's forecast (median) of each held-out figure against the truth's expected figure.
double held_out_error(const FitResult& fit, const SyntheticRegion& region, const RegionCouncil& council) {
  double sum = 0;
  for (std::size_t h = 0; h < region.held_out.size(); ++h) {
    const FigureFit& figure = fit.figures[region.held_out[h]];
    EXPECT_FALSE(figure.fitted);
    const double e = std::log((figure.median + 1) / (council.expected_held_out[h] + 1));
    sum += e * e;
  }
  return sum / static_cast<double>(region.held_out.size());
}

// Both errors for small and large councils, alone and pooled; the small councils' paired differences.
struct Errors {
  double alone_small = 0, pooled_small = 0, alone_large = 0, pooled_large = 0;
  testing::PairedDifference small_difference;
};
template <class Error>
Errors errors(const SyntheticRegion& region, Error error) {
  Errors result;
  std::vector<double> differences;
  for (std::size_t j = 0; j < region.councils.size(); ++j) {
    const RegionCouncil& council = region.councils[j];
    const double alone = error(region.fit.alone[j], council);
    const double pooled = error(region.fit.pooled[j], council);
    if (council.small) {
      differences.push_back(alone - pooled);
      result.alone_small += alone / kSmallCouncils;
      result.pooled_small += pooled / kSmallCouncils;
    } else {
      result.alone_large += alone / kLargeCouncils;
      result.pooled_large += pooled / kLargeCouncils;
    }
  }
  result.small_difference = testing::paired(differences);
  return result;
}

void print(const std::string& what, const Errors& e) {
  std::cout << what << ": small councils alone " << e.alone_small << ", pooled " << e.pooled_small
            << " (paired difference " << e.small_difference.mean << ", se " << e.small_difference.standard_error
            << "); large councils alone " << e.alone_large << ", pooled " << e.pooled_large << "\n";
}

// How the region pools: each pooled rate is estimated from the councils that inform it, every small council is
// fitted again with the region's line at its size as its prior, and the large councils keep their own fits. The
// line at the small councils' size is within the allowed standard errors of the region's truth (the large
// councils' end is printed only: three councils' own effects decide it). Fit seeds 7 to 11 put it at family
// endings x1.28, 1.22, 1.25, 1.26, 1.19, moves x1.59, 1.62, 1.74, 1.60, 1.87 and returns home x0.73, 0.68, 0.71,
// 0.71, 0.80 (truths 1.3, 1.5 and 0.7; the furthest, seed 11's moves, 2.7 se off). Before a fit's start kept a
// scaled council's children in all (engine/core/apportion.hpp) these councils of 17 started their fits with 13
// children, and the line sat as far as x0.68 and x2.48 (6 and 4.5 se off).
TEST(PooledFitRegion, PoolsTheSmallCouncilsTowardsTheRegionsLineAndLeavesLargeOnesAlone) {
  const SyntheticRegion& region = synthetic_region();
  std::cout << region.fit.describe() << "\n";
  for (const auto& [kind, region_value] : kRegionTruth) {
    const PooledParameter& p = region.fit.parameters[static_cast<std::size_t>(kind)];
    ASSERT_TRUE(p.estimated) << info_of(kind).name;
    EXPECT_GE(p.councils_informing, kLargeCouncils) << info_of(kind).name;
    for (std::size_t j : {std::size_t{0}, region.councils.size() - 1}) {
      const double size = region.fit.sizes[j];
      std::cout << info_of(kind).name << " at " << size << " entries a year: x" << std::exp(p.region.mean_at(size))
                << " (line se " << p.region.mean_se_at(size) << "), truth x" << std::exp(region_value) << "\n";
      if (region.councils[j].small) {
        EXPECT_LE(std::abs(p.region.mean_at(size) - region_value),
                  testing::standard_errors_allowed() * p.region.mean_se_at(size))
            << info_of(kind).name;
      }
    }
    // Each small council's prior is the line at its size, no wider than twice the default's; the large councils
    // (200 entries a year, above --pool-below's 30) keep their own fits.
    for (std::size_t j = 0; j < region.fit.pooled.size(); ++j) {
      const FitResult& fit = region.fit.pooled[j];
      const auto found = std::find(fit.free_parameters.begin(), fit.free_parameters.end(), kind);
      ASSERT_NE(found, fit.free_parameters.end());
      const ParameterPrior& prior = fit.priors[static_cast<std::size_t>(found - fit.free_parameters.begin())];
      ASSERT_EQ(region.fit.refitted[j], region.councils[j].small);
      if (region.councils[j].small) {
        EXPECT_EQ(prior.mean, p.region.mean_at(region.fit.sizes[j]));
        EXPECT_LE(prior.sd, 2 * info_of(kind).prior_sd);
        EXPECT_GE(prior.sd, p.region.mean_se_at(region.fit.sizes[j]));
      } else {
        EXPECT_EQ(prior.mean, 0);
        EXPECT_EQ(prior.sd, info_of(kind).prior_sd);
        EXPECT_EQ(fit.posterior_mean, region.fit.alone[j].posterior_mean);
      }
    }
  }
  // Levels are each council's own.
  for (const FitParameter level : {FitParameter::entry_level, FitParameter::starting_stock}) {
    EXPECT_FALSE(region.fit.parameters[static_cast<std::size_t>(level)].pooled);
    EXPECT_FALSE(region.fit.parameters[static_cast<std::size_t>(level)].estimated);
  }
}

// What pooling gives these small councils (about 17 children each). Measured, fit seeds 7 to 11 at 120 runs:
// - their multipliers' squared log error: pooled lower at every seed, by 8.0, 7.0, 5.4, 7.1 and 4.3 se (0.022 to
//   0.039 pooled against 0.057 to 0.065 alone). Checked here, one-sided at the false-alarm rate (4.75 se), which
//   seed 11's gain falls short of.
// - the held-out years' squared log error: about the same, alone minus pooled -0.7, -1.9, +0.0, +0.9 and +0.6 se.
//   Printed, not checked.
// - their multipliers' pooled 90% intervals missed 34, 26, 42, 26 and 73 of 216 truths (a binomial allows 45 at
//   the false-alarm rate): about right but at seed 11, where the line's moves sit 2.7 se off. With the spread's
//   posterior mode in the priors, not its mean, they missed 50, 35, 55, 37 and 87. Printed, not checked.
// - the held-out years' published figures (children looked after and exits, drawn from the truth and never seen
//   by a fit) fell outside the small councils' pooled 90% intervals 35, 47, 39, 42 and 36 times of 720 (alone 32,
//   36, 30, 42, 41), against a binomial limit of 113. Checked. A council's figures are correlated, which makes the
//   binomial's limit tight, not loose.
// Before the fit's start kept a scaled council's children in all, pooling made the multipliers worse at seeds 8, 9
// and 11 (by 10 to 18 se) and the intervals missed 52 to 198 of 216. Pooling's gain in forecasts is judged on
// worlds carecast was not built from (ValidationSuite, tests/validation/pooled_fit_validation.py).
TEST(PooledFitRegion, PooledForecastIntervalsHoldTheSmallCouncilsYearsNotFitted) {
  const SyntheticRegion& region = synthetic_region();
  int figures = 0;
  int outside = 0;
  int outside_alone = 0;
  int truths = 0;
  int truths_missed = 0;
  for (std::size_t j = 0; j < region.councils.size(); ++j) {
    const RegionCouncil& council = region.councils[j];
    if (!council.small) continue;
    for (const std::size_t row : region.held_out) {
      const double value = council.figures.figures[row].value;
      const FigureFit& pooled = region.fit.pooled[j].figures[row];
      const FigureFit& alone = region.fit.alone[j].figures[row];
      ASSERT_TRUE(pooled.simulated && !pooled.fitted);
      ++figures;
      if (value < pooled.low || value > pooled.high) ++outside;
      if (value < alone.low || value > alone.high) ++outside_alone;
    }
    for (std::size_t k = 0; k < kRegionTruth.size(); ++k) {
      const double truth = std::exp(council.truth[k]);
      const ParameterEstimate& pooled =
          region.fit.pooled[j].parameters[static_cast<std::size_t>(kRegionTruth[k].first)];
      ++truths;
      if (truth < pooled.low || truth > pooled.high) ++truths_missed;
    }
  }
  const boost::math::binomial misses(figures, 0.1);
  const double limit = boost::math::quantile(boost::math::complement(misses, testing::kFalseAlarmRate));
  std::cout << "Held-out figures outside the small councils' 90% intervals: pooled " << outside << " of " << figures
            << " (limit " << limit << "), alone " << outside_alone << "\n"
            << "Small councils' multipliers outside their pooled 90% intervals (not checked): " << truths_missed
            << " of " << truths << "\n";
  const Errors rates = errors(region, rate_error);
  print("Squared log error of the fitted multipliers (hazard_family, moves, returned_home)", rates);
  const double one_sided = boost::math::quantile(boost::math::complement(boost::math::normal(), testing::kFalseAlarmRate));
  EXPECT_GT(rates.small_difference.mean, one_sided * rates.small_difference.standard_error);
  print("Squared log error of the two held-out years' figures against the truth's expectation",
        errors(region, [&](const FitResult& fit, const RegionCouncil& council) {
          return held_out_error(fit, region, council);
        }));
  EXPECT_LE(outside, limit);
}

// ---------------------------------------------------------------------------------------------
// fit --pool-councils

class FitPoolCouncilsCommand : public testing::TemporaryFolderTest {
 protected:
  // The shipped default's figures with every count times `factor` (percentages kept), as another council's.
  fs::path council_figures(const std::string& name, double factor, const std::string& last_date = "") const {
    const std::string shipped = testing::read_text(fs::path(CARECAST_SCENARIO_DIR) / "default-figures.csv");
    std::istringstream in(shipped);
    std::ostringstream out;
    std::string line;
    std::getline(in, line);
    out << line << '\n';
    while (std::getline(in, line)) {
      const std::size_t comma = line.rfind(',');
      const std::string metric = line.substr(0, line.find(','));
      double value = std::stod(line.substr(comma + 1));
      if (!metric.starts_with("stability")) value = std::round(value * factor);
      if (!last_date.empty() && line.substr(comma - 10, 10) > last_date) continue;
      out << line.substr(0, comma + 1) << value << '\n';
    }
    fs::create_directories((dir_ / name).parent_path());
    return write(name, out.str());
  }
  std::string base() const { return (fs::path(CARECAST_SCENARIO_DIR) / "default-base.toml").string(); }
};

TEST_F(FitPoolCouncilsCommand, WritesOneFittedScenarioPerCouncilThatRuns) {
  const fs::path a = council_figures("north.csv", 1.0);
  const fs::path b = council_figures("south.csv", 0.3);
  const fs::path c = council_figures("east.csv", 0.15);
  const fs::path out = dir_ / "pooled";
  const testing::CommandOutcome fit =
      testing::run_carecast("fit --pool-councils " + a.string() + " " + b.string() + " " + c.string() + " --base " +
                            base() + " --out " + out.string() + " --pool-below 100 --runs 50 --quiet");
  // North (about 200 entries a year) keeps its own fit; south and east (about 60 and 30) are fitted again.
  ASSERT_EQ(fit.exit_code, 0) << fit.output;
  EXPECT_NE(fit.output.find("Pooled over 3 councils"), std::string::npos) << fit.output;
  for (const std::string name : {"north", "south", "east"}) {
    for (const std::string suffix : {".toml", "-fit-figures.csv", "-fit-parameters.csv", "-history.csv"}) {
      EXPECT_TRUE(fs::is_regular_file(out / (name + suffix))) << name + suffix;
    }
    const std::string toml = testing::read_text(out / (name + ".toml"));
    EXPECT_NE(toml.find("Pooled over 3 councils"), std::string::npos);
    EXPECT_NE(toml.find("--pool-councils --pool-below 100"), std::string::npos);
    EXPECT_EQ(toml.find("This council is fitted alone") != std::string::npos, name == "north") << name;
    EXPECT_EQ(toml.find("This council's priors from the region") != std::string::npos, name != "north") << name;
    // Each extends the base by a path relative to the folder, and runs.
    EXPECT_NE(toml.find("extends = \"" + fs::relative(base(), out).generic_string() + "\""), std::string::npos);
    const testing::CommandOutcome run = testing::run_carecast("run " + (out / (name + ".toml")).string() +
                                                              " --runs 20 --quiet --out " + (dir_ / name).string());
    EXPECT_EQ(run.exit_code, 0) << run.output;
  }
  // region.toml: the councils side by side, which run forecasts as a region.
  const testing::CommandOutcome region = testing::run_carecast(
      "run " + (out / "region.toml").string() + " --runs 20 --quiet --out " + (dir_ / "region").string());
  ASSERT_EQ(region.exit_code, 0) << region.output;
  EXPECT_TRUE(fs::is_regular_file(dir_ / "region" / "region" / "forecast.csv"));
  for (const std::string name : {"north", "south", "east"}) {
    EXPECT_TRUE(fs::is_regular_file(dir_ / "region" / "councils" / name / "forecast.csv")) << name;
  }
  // The shared base's entries were scaled to each council: south's fitted entries are near a third of north's.
  const Scenario north = load_scenario(out / "north.toml");
  const Scenario south = load_scenario(out / "south.toml");
  const double ratio = south.entries.total_per_year() / north.entries.total_per_year();
  EXPECT_GT(ratio, 0.15);
  EXPECT_LT(ratio, 0.6);
  // pooling.csv: every parameter, the levels each council's own, the rates with a region's multiplier.
  const std::string pooling = testing::read_text(out / "pooling.csv");
  EXPECT_EQ(std::count(pooling.begin(), pooling.end(), '\n'), 1 + kFitParameterCount);
  EXPECT_NE(pooling.find("\nentry_level,no,"), std::string::npos);
  EXPECT_NE(pooling.find("\nhazard_family,yes,3,"), std::string::npos);
  // The same seed gives the same files.
  const testing::CommandOutcome again =
      testing::run_carecast("fit --pool-councils " + a.string() + " " + b.string() + " " + c.string() + " --base " +
                            base() + " --out " + (dir_ / "again").string() + " --pool-below 100 --runs 50 --quiet");
  ASSERT_EQ(again.exit_code, 0) << again.output;
  // (less the header's command line, which names the other --out)
  const auto without_command = [](std::string text) {
    const std::size_t at = text.find("carecast fit --pool-councils");
    return at == std::string::npos ? text : text.erase(at, text.find('\n', at) - at);
  };
  for (const std::string file : {"north.toml", "east.toml", "east-fit-figures.csv", "pooling.csv"}) {
    EXPECT_EQ(without_command(testing::read_text(out / file)),
              without_command(testing::read_text(dir_ / "again" / file)))
        << file;
  }
}

TEST_F(FitPoolCouncilsCommand, RefusesWhatCannotBePooledAndLeavesNothing) {
  const fs::path a = council_figures("north.csv", 1.0);
  const fs::path b = council_figures("south.csv", 0.3);
  const fs::path same_name = council_figures("other/North.csv", 0.5);
  const fs::path short_figures = council_figures("west.csv", 0.5, "2024-03-31");
  const fs::path bad_name = council_figures("two words.csv", 0.5);
  const fs::path c_figures = council_figures("east.csv", 0.2);
  const fs::path out = dir_ / "pooled";
  const auto refused = [&](const std::string& arguments, const std::string& says) {
    const testing::CommandOutcome outcome = testing::run_carecast(arguments + " --runs 50 --quiet");
    EXPECT_EQ(outcome.exit_code, 2) << arguments << "\n" << outcome.output;
    EXPECT_NE(outcome.output.find(says), std::string::npos) << outcome.output;
    EXPECT_FALSE(fs::exists(out)) << arguments;
  };
  const std::string pooled = "fit --pool-councils ";
  refused(pooled + a.string() + " --base " + base() + " --out " + out.string(), "two or more councils");
  refused(pooled + a.string() + " " + same_name.string() + " --base " + base() + " --out " + out.string(), "same name");
  refused(pooled + a.string() + " '" + bad_name.string() + "' --base " + base() + " --out " + out.string(),
          "letters, digits");
  refused(pooled + a.string() + " " + short_figures.string() + " --base " + base() + " --out " + out.string(),
          "--origin");
  refused(pooled + a.string() + " " + b.string() + " " + c_figures.string() + " --base " + base() + " --base " +
              base() + " --out " + out.string(),
          "one per figures file");
  refused("fit " + a.string() + " " + b.string() + " --base " + base() + " --out " + (dir_ / "one.toml").string(),
          "--pool-councils");
  refused("fit " + a.string() + " --base " + base() + " --pool-below 50 --out " + (dir_ / "one.toml").string(),
          "--pool-councils");
  EXPECT_FALSE(fs::exists(dir_ / "one.toml"));
}

}  // namespace
}  // namespace carecast
