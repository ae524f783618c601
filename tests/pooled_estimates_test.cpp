// Pooled estimates over several councils (calibration/pooled_estimates.hpp): the method-of-moments spreads on
// hand-computed cases, the pooled priors on a hand-computed pair of councils, out-of-sample error on a synthetic
// region, and calibrate --pool-councils end to end.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "calibration/estimation.hpp"
#include "calibration/pooled_estimates.hpp"
#include "history/ssda903.hpp"
#include "history/synthetic_returns.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// The spreads, by hand

TEST(RateSpread, MatchesTheMethodOfMomentsByHand) {
  // m = 40 / 20 = 2; sum E_j (r_j - m)^2 = 10 + 10 = 20; numerator 20 - 1 x 2 = 18;
  // denominator 2^2 x (20 - 200 / 20) = 40: phi = 0.45, the region's rate worth 1 / 0.45 endings.
  const BetweenCouncilSpread one = rate_spread({{{10, 10}, {30, 10}, {5, 0}}});
  ASSERT_TRUE(one.estimated);
  EXPECT_EQ(one.cells, 1);
  EXPECT_NEAR(one.raw, 0.45, 1e-12);
  ASSERT_TRUE(one.prior_weight);
  EXPECT_NEAR(*one.prior_weight, 1 / 0.45, 1e-12);
  // A second cell: m = 0.5, sum 2.5, numerator 2.5 - 0.5 = 2, denominator 0.25 x (10 - 5) = 1.25, summed with
  // the first's: (18 + 2) / (40 + 1.25).
  const BetweenCouncilSpread two = rate_spread({{{10, 10}, {30, 10}}, {{0, 5}, {5, 5}}, {{3, 2}}});
  ASSERT_TRUE(two.estimated);
  EXPECT_EQ(two.cells, 2);
  EXPECT_NEAR(two.raw, 20 / 41.25, 1e-12);
}

TEST(RateSpread, CouncilsNoMoreDifferentThanChanceTakeTheRegionsRateWhole) {
  // Identical rates: numerator 0 - 1 x 1 = -1, denominator 1 x (20 - 10) = 10.
  const BetweenCouncilSpread same = rate_spread({{{10, 10}, {10, 10}}});
  ASSERT_TRUE(same.estimated);
  EXPECT_NEAR(same.raw, -0.1, 1e-12);
  EXPECT_FALSE(same.prior_weight);
  // One council with exposure, or no events anywhere: nothing to estimate from.
  EXPECT_FALSE(rate_spread({{{10, 10}, {4, 0}}}).estimated);
  EXPECT_FALSE(rate_spread({{{0, 10}, {0, 10}}}).estimated);
}

TEST(ShareSpread, MatchesTheMethodOfMomentsByHand) {
  // p = (0.5, 0.5), q = 0.5; S = 10 x 0.18 x 2 = 3.6; numerator 3.6 - 0.5 = 3.1;
  // denominator 0.5 x (20 - 200 / 20 - 1) = 4.5: rho = 3.1 / 4.5, A = 1 / rho - 1.
  const BetweenCouncilSpread spread = share_spread({{{8, 2}, {2, 8}, {0, 0}}});
  ASSERT_TRUE(spread.estimated);
  EXPECT_NEAR(spread.raw, 3.1 / 4.5, 1e-12);
  ASSERT_TRUE(spread.prior_weight);
  EXPECT_NEAR(*spread.prior_weight, 4.5 / 3.1 - 1, 1e-12);
  // Identical shares: rho = -0.5 / 4.5, the region's shares whole.
  const BetweenCouncilSpread same = share_spread({{{5, 5}, {5, 5}}});
  ASSERT_TRUE(same.estimated);
  EXPECT_NEAR(same.raw, -0.5 / 4.5, 1e-12);
  EXPECT_FALSE(same.prior_weight);
  // Every council all in one outcome: q = 0, nothing to estimate from.
  EXPECT_FALSE(share_spread({{{5, 0}, {7, 0}}}).estimated);
}

// ---------------------------------------------------------------------------------------------
// The pooled priors, by hand

// A council calibrated with one duration band, using in-house foster care only, with `events` endings in
// `exposure` child-years in the youngest age band and none elsewhere (a within-council prior of 0.5 child-years
// in every cell of the category, as calibration gives one).
Scenario council_with(double events, double exposure) {
  Scenario s;
  s.duration_band_start_days = {0};
  s.ending_hazard_per_year.assign(kCategoryCount * kAgeBandCount, 0.0);
  s.evidence = RateEvidence{};
  s.evidence->ending.assign(kCategoryCount * kAgeBandCount, GammaEvidence{});
  for (int a = 0; a < kAgeBandCount; ++a) {
    s.evidence->ending[static_cast<std::size_t>(a)] = {0, 0, 0.5 * events / exposure, 0.5};
  }
  s.evidence->ending[0] = {events, exposure, 0.5 * events / exposure, 0.5};
  return s;
}

TEST(PoolCouncilEstimates, ShrinksEachCouncilsHazardsTowardsTheRegionsByHand) {
  Scenario small = council_with(10, 10);
  Scenario large = council_with(30, 10);
  const RateEvidence small_unweighted = *small.evidence;
  const RateEvidence large_unweighted = *large.evidence;
  const PooledEstimates pooled =
      pool_council_estimates({{"A", &small, &small_unweighted}, {"B", &large, &large_unweighted}}, {});
  // phi = 0.45 (RateSpread above): the region's rate 2 (40 endings in 20 child-years, shrunk towards the
  // category's, also 2) worth 1 / 0.45 endings, so 1 / 0.9 child-years.
  ASSERT_TRUE(pooled.hazards.prior_weight);
  EXPECT_NEAR(*pooled.hazards.prior_weight, 1 / 0.45, 1e-12);
  EXPECT_NEAR(small.evidence->ending[0].prior_events, 1 / 0.45, 1e-12);
  EXPECT_NEAR(small.evidence->ending[0].prior_exposure, 1 / 0.9, 1e-12);
  EXPECT_NEAR(small.ending_hazard_per_year[0], (10 + 1 / 0.45) / (10 + 1 / 0.9), 1e-12);  // 1.1
  EXPECT_NEAR(large.ending_hazard_per_year[0], (30 + 1 / 0.45) / (10 + 1 / 0.9), 1e-12);  // 2.9
  // A cell where the region saw nothing: the region's rate there is the category's, 2, worth at most the
  // region's evidence (0.5 child-years, the within-council prior) rather than 1 / 0.9.
  EXPECT_NEAR(small.evidence->ending[1].prior_exposure, 0.5, 1e-12);
  EXPECT_NEAR(small.ending_hazard_per_year[1], 2, 1e-12);
  // A category neither council uses stays unused.
  EXPECT_EQ(small.ending_hazard_per_year[kAgeBandCount], 0);
  EXPECT_EQ(small.evidence->ending[kAgeBandCount].prior_exposure, 0);
  EXPECT_FALSE(pooled.destinations.estimated);
}

TEST(PoolCouncilEstimates, PoolsTheMixOfEntriesAndKeepsEachCouncilsTotalByHand) {
  Scenario a = council_with(10, 10);
  Scenario b = council_with(30, 10);
  // 40 entries in 5 years each: A's half to band 0 boys and half to band 1 girls, B's 5 and 35.
  const auto set_entries = [](Scenario& s, double boys, double girls) {
    for (auto& band : s.evidence->entries) {
      for (GammaEvidence& cell : band) cell.exposure = 5;
    }
    s.evidence->entries[0][0].events = boys;
    s.evidence->entries[1][1].events = girls;
  };
  set_entries(a, 20, 20);
  set_entries(b, 5, 35);
  const RateEvidence a_unweighted = *a.evidence;
  const RateEvidence b_unweighted = *b.evidence;
  const PooledEstimates pooled = pool_council_estimates({{"A", &a, &a_unweighted}, {"B", &b, &b_unweighted}}, {});
  // p = (25, 55) / 80, q = 1 - p1^2 - p2^2 = 0.4296875; S = 2 x 40 x 2 x 0.1875^2 = 5.625;
  // rho = (5.625 - q) / (q x (80 - 3200 / 80 - 1)), A = 1 / rho - 1.
  const double q = 0.4296875;
  const double rho = (5.625 - q) / (q * 39);
  ASSERT_TRUE(pooled.entry_mix.prior_weight);
  EXPECT_NEAR(*pooled.entry_mix.prior_weight, 1 / rho - 1, 1e-12);
  const double weight = 1 / rho - 1;
  EXPECT_NEAR(a.entries.expected_per_year[0][0], 8 * (20 + weight * 25 / 80) / (40 + weight), 1e-12);
  EXPECT_NEAR(b.entries.expected_per_year[1][1], 8 * (35 + weight * 55 / 80) / (40 + weight), 1e-12);
  for (const Scenario* s : {&a, &b}) {
    double total = 0;
    for (const auto& band : s->entries.expected_per_year) total += band[0] + band[1];
    EXPECT_NEAR(total, 8, 1e-12);  // 40 entries in 5 years
  }
  EXPECT_FALSE(pooled.uasc_entry_mix.estimated);
}

TEST(PoolCouncilEstimates, RefusesFewerThanTwoCouncilsOrCouncilsWithoutEvidence) {
  Scenario a = council_with(10, 10);
  const RateEvidence evidence = *a.evidence;
  EXPECT_THROW(pool_council_estimates({{"A", &a, &evidence}}, {}), std::invalid_argument);
  Scenario bare;
  EXPECT_THROW(pool_council_estimates({{"A", &a, &evidence}, {"B", &bare, &evidence}}, {}), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// A synthetic region

constexpr int kRegionYears = 5;
constexpr double kCouncilSpreadSdLog = 0.3;  // of the councils' true hazards about the base's
constexpr int kSmallCouncils = 24;
constexpr int kLargeCouncils = 4;

constexpr double kCouncilSpreadOfMovesHome = 0.08;  // sd of a council's shift from going home to moving

// test_support's mixed scenario (three categories, duration- and age-dependent hazards) with entries and
// starting children scaled to a council's size, every placement-ending hazard multiplied by `hazard_factor`, and
// `home_to_move` of the probability that an in-house foster placement ends with a return home moved to a move to
// another in-house foster placement.
Scenario council_truth(double entry_scale, int starting_every, double hazard_factor, double home_to_move = 0) {
  Scenario s = testing::mixed_scenario();
  s.origin = make_date(2014, 3, 31);
  s.horizon_years = kRegionYears;
  s.entries.annual_growth_rate = 0;
  s.uasc.annual_growth_rate = 0;
  for (auto& band : s.entries.expected_per_year) {
    for (double& x : band) x *= entry_scale;
  }
  for (auto& band : s.uasc.expected_per_year) {
    for (double& x : band) x *= entry_scale;
  }
  std::vector<StartingChild> starting;
  for (std::size_t i = 0; i < s.starting_children.size(); i += static_cast<std::size_t>(starting_every)) {
    starting.push_back(s.starting_children[i]);
  }
  s.starting_children = starting;
  for (double& h : s.ending_hazard_per_year) h *= hazard_factor;
  for (auto& band : s.destination_probability[static_cast<std::size_t>(Category::foster_in_house)]) {
    band[outcome_of(Category::foster_in_house)] += home_to_move;
    band[outcome_of(ExitReason::returned_home)] -= home_to_move;
  }
  return s;
}

struct RegionCouncil {
  std::string code;
  bool small = false;
  Scenario truth;
  std::size_t children_at_as_of = 0;
  Scenario unpooled;
  Scenario pooled;
};

struct SyntheticRegion {
  std::vector<RegionCouncil> councils;
  PooledEstimates pooling;
  std::vector<double> region_exposure;  // child-years by hazard cell over all councils
  PerCategory<PerAgeBand<double>> region_endings{};  // placement endings by (category, age band) over all councils
};

// Simulated once: each council's returns from the first full collection year after the origin, with an LA
// column, read back with --la's filter from one folder per council, calibrated alone (no recency weighting, no
// time in care: the truth has neither) and then pooled.
const SyntheticRegion& synthetic_region() {
  static const SyntheticRegion region = [] {
    SyntheticRegion result;
    boost::random::mt19937 generator(20261130);
    boost::random::normal_distribution<> normal(0, 1);
    const fs::path dir = fs::temp_directory_path() / ("carecast-pooled-region-" + std::to_string(::getpid()));
    fs::remove_all(dir);
    for (int j = 0; j < kSmallCouncils + kLargeCouncils; ++j) {
      RegionCouncil council;
      council.small = j < kSmallCouncils;
      council.code = "E" + std::to_string(100 + j);
      const double factor = std::exp(kCouncilSpreadSdLog * normal(generator));
      const double home_to_move = std::clamp(kCouncilSpreadOfMovesHome * normal(generator), -0.2, 0.2);
      // Small: about 18 entries a year and 30 children looked after at the start; large: 260 and 150.
      council.truth = council.small ? council_truth(0.1, 5, factor, home_to_move)
                                    : council_truth(1.5, 1, factor, home_to_move);
      SyntheticReturns returns =
          render_synthetic_returns(simulate_synthetic_history(council.truth, kRegionYears, 7000 + j));
      add_local_authority_column(returns, council.code);
      const fs::path folder = dir / council.code;
      fs::create_directories(folder);
      for (const SyntheticFile& file : returns.files) {
        if (!file.name.ends_with(".csv") || std::stoi(file.name.substr(0, 4)) < 2014) continue;
        std::ofstream(folder / file.name, std::ios::binary) << file.text;
      }
      result.councils.push_back(std::move(council));
    }
    const Date as_of = result.councils.front().truth.horizon_end();
    CalibrationOptions options;
    options.duration_band_start_days = result.councils.front().truth.duration_band_start_days;
    options.estimate_time_in_care = false;
    std::vector<RateEvidence> unweighted;
    unweighted.reserve(result.councils.size());
    for (RegionCouncil& council : result.councils) {
      CleaningReport cleaning;
      const CareHistory history = load_ssda903({dir / council.code}, council.code, cleaning);
      council.unpooled = calibrate(history, as_of, options);
      for (const StartingGroup& g : council.unpooled.starting_groups) council.children_at_as_of += g.children;
      council.pooled = council.unpooled;
      unweighted.push_back(*council.unpooled.evidence);
    }
    fs::remove_all(dir);
    std::vector<CouncilToPool> to_pool;
    for (std::size_t j = 0; j < result.councils.size(); ++j) {
      to_pool.push_back({result.councils[j].code, &result.councils[j].pooled, &unweighted[j]});
    }
    result.pooling = pool_council_estimates(to_pool, options);
    result.region_exposure.assign(unweighted.front().ending.size(), 0);
    for (const RateEvidence& evidence : unweighted) {
      for (std::size_t cell = 0; cell < evidence.ending.size(); ++cell) {
        result.region_exposure[cell] += evidence.ending[cell].exposure;
      }
      for (std::size_t c = 0; c < kCategoryCount; ++c) {
        for (std::size_t a = 0; a < kAgeBandCount; ++a) {
          for (const double n : evidence.destination[c][a].counts) result.region_endings[c][a] += n;
        }
      }
    }
    return result;
  }();
  return region;
}

// Mean squared log error of a council's estimated hazards against its true ones, over the cells of the truth's
// categories, each weighted by the region's time at risk in it (where forecasts spend their time).
double hazard_error(const Scenario& estimated, const Scenario& truth, const std::vector<double>& region_exposure) {
  double weighted = 0;
  double weights = 0;
  for (std::size_t cell = 0; cell < truth.ending_hazard_per_year.size(); ++cell) {
    if (truth.ending_hazard_per_year[cell] <= 0 || region_exposure[cell] <= 0) continue;
    const double e = std::log(estimated.ending_hazard_per_year[cell] / truth.ending_hazard_per_year[cell]);
    weighted += region_exposure[cell] * e * e;
    weights += region_exposure[cell];
  }
  return weighted / weights;
}

// Squared error of a council's estimated destination shares against its true ones (summed over outcomes), over the
// (category, age band)s of the truth's categories, each weighted by the region's endings there.
double destination_error(const Scenario& estimated, const Scenario& truth,
                         const PerCategory<PerAgeBand<double>>& region_endings) {
  double weighted = 0;
  double weights = 0;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    for (std::size_t a = 0; a < kAgeBandCount; ++a) {
      if (region_endings[c][a] <= 0) continue;
      double squares = 0;
      for (std::size_t o = 0; o < kOutcomeCount; ++o) {
        const double e = estimated.destination_probability[c][a][o] - truth.destination_probability[c][a][o];
        squares += e * e;
      }
      weighted += region_endings[c][a] * squares;
      weights += region_endings[c][a];
    }
  }
  return weighted / weights;
}

TEST(PooledRegion, PoolingLowersTheSmallCouncilsOutOfSampleErrorOfDestinations) {
  const SyntheticRegion& region = synthetic_region();
  // The councils' in-house destinations differ, so the shares are pooled only partly: a finite prior weight.
  ASSERT_TRUE(region.pooling.destinations.prior_weight) << region.pooling.describe();
  std::vector<double> differences;
  double unpooled_small = 0, pooled_small = 0, unpooled_large = 0, pooled_large = 0;
  for (const RegionCouncil& council : region.councils) {
    const double unpooled = destination_error(council.unpooled, council.truth, region.region_endings);
    const double pooled = destination_error(council.pooled, council.truth, region.region_endings);
    if (council.small) {
      differences.push_back(unpooled - pooled);
      unpooled_small += unpooled / kSmallCouncils;
      pooled_small += pooled / kSmallCouncils;
    } else {
      unpooled_large += unpooled / kLargeCouncils;
      pooled_large += pooled / kLargeCouncils;
    }
  }
  const testing::PairedDifference difference = testing::paired(differences);
  std::cout << "Destinations, squared error of shares: small councils unpooled " << unpooled_small << ", pooled "
            << pooled_small << " (paired difference " << difference.mean << ", se " << difference.standard_error
            << "); large councils: unpooled " << unpooled_large << ", pooled " << pooled_large << "\n";
  EXPECT_GT(difference.mean, testing::standard_errors_allowed() * difference.standard_error);
}

TEST(PooledRegion, PoolingLowersTheSmallCouncilsOutOfSampleErrorOfHazards) {
  const SyntheticRegion& region = synthetic_region();
  ASSERT_TRUE(region.pooling.hazards.prior_weight) << region.pooling.describe();
  // The councils' true hazards differ by a relative sd of about kCouncilSpreadSdLog; the estimate should find a
  // spread of that order, not 0 or several times it.
  const double relative_sd = std::sqrt(region.pooling.hazards.raw);
  EXPECT_GT(relative_sd, kCouncilSpreadSdLog / 2) << region.pooling.describe();
  EXPECT_LT(relative_sd, kCouncilSpreadSdLog * 2) << region.pooling.describe();

  // Paired over the small councils: the unpooled estimate's error minus the pooled one's, whose mean must be
  // above 0 by more than standard_errors_allowed() standard errors (a one-sided false alarm rate below 1e-6).
  std::vector<double> differences;
  double unpooled_small = 0, pooled_small = 0, unpooled_large = 0, pooled_large = 0;
  std::size_t smallest = 100000, largest_small = 0, smallest_large = 100000, largest = 0;
  for (const RegionCouncil& council : region.councils) {
    const double unpooled = hazard_error(council.unpooled, council.truth, region.region_exposure);
    const double pooled = hazard_error(council.pooled, council.truth, region.region_exposure);
    if (council.small) {
      differences.push_back(unpooled - pooled);
      unpooled_small += unpooled / kSmallCouncils;
      pooled_small += pooled / kSmallCouncils;
      smallest = std::min(smallest, council.children_at_as_of);
      largest_small = std::max(largest_small, council.children_at_as_of);
    } else {
      smallest_large = std::min(smallest_large, council.children_at_as_of);
      largest = std::max(largest, council.children_at_as_of);
      unpooled_large += unpooled / kLargeCouncils;
      pooled_large += pooled / kLargeCouncils;
    }
  }
  const testing::PairedDifference difference = testing::paired(differences);
  const double mean = difference.mean;
  const double standard_error = difference.standard_error;
  std::cout << "Small councils (" << smallest << "-" << largest_small
            << " children looked after at the as-of date): mean squared log error of hazards unpooled "
            << unpooled_small << ", pooled " << pooled_small << " (paired difference " << mean << ", se "
            << standard_error << "); large councils (" << smallest_large << "-" << largest
            << "): unpooled " << unpooled_large << ", pooled " << pooled_large
            << "\n"
            << region.pooling.describe() << "\n";
  EXPECT_GT(mean, testing::standard_errors_allowed() * standard_error);
}


// ---------------------------------------------------------------------------------------------
// calibrate --pool-councils

class PoolCouncilsCommand : public testing::TemporaryFolderTest {
 protected:
  // Councils' synthetic returns, one folder each under returns/, named by their LA codes; gives the folders as
  // command-line arguments.
  std::string write_region(const std::vector<std::string>& codes) const {
    std::string folders;
    for (std::size_t j = 0; j < codes.size(); ++j) {
      const Scenario truth = j == 0 ? council_truth(0.5, 2, 1.0) : council_truth(0.1, 5, 0.8 + 0.2 * static_cast<double>(j));
      SyntheticReturns returns = render_synthetic_returns(simulate_synthetic_history(truth, kRegionYears, 50 + j));
      add_local_authority_column(returns, codes[j]);
      const fs::path folder = dir_ / "returns" / codes[j];
      fs::create_directories(folder);
      for (const SyntheticFile& file : returns.files) {
        if (!file.name.ends_with(".csv") || std::stoi(file.name.substr(0, 4)) < 2014) continue;
        std::ofstream(folder / file.name, std::ios::binary) << file.text;
      }
      folders += " " + folder.string();
    }
    return folders;
  }
  static constexpr const char* kFast = " --as-of 2019-03-31 --cross-validation off --drift off --quiet";
};

TEST_F(PoolCouncilsCommand, WritesOneScenarioPerCouncilThatLoads) {
  const fs::path out = dir_ / "pooled";
  const testing::CommandOutcome outcome =
      testing::run_carecast("calibrate" + write_region({"E901", "E902", "E903"}) + kFast + " --pool-councils --out " +
                            out.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("Pooled over 3 councils"), std::string::npos) << outcome.output;
  // Each council's summary says its cells with little time at risk were counted before pooling.
  EXPECT_NE(outcome.output.find("child-years (before pooling;"), std::string::npos) << outcome.output;
  EXPECT_EQ(outcome.output.find("shrunk mostly to their category's pooled rate"), std::string::npos) << outcome.output;
  // No child's identifier (SYN and a number) is printed.
  EXPECT_EQ(outcome.output.find("SYN"), std::string::npos) << outcome.output;
  for (const std::string code : {"E901", "E902", "E903"}) {
    const fs::path toml = out / (code + ".toml");
    ASSERT_TRUE(fs::exists(toml)) << code;
    EXPECT_TRUE(fs::exists(out / (code + "-starting-groups.csv"))) << code;
    const std::string text = testing::read_text(toml);
    EXPECT_NE(text.find("Pooled over 3 councils"), std::string::npos) << code;
    EXPECT_EQ(text.find("SYN"), std::string::npos) << code;
    const Scenario loaded = load_scenario(toml);
    ASSERT_TRUE(loaded.evidence) << code;
    // The pooled prior of a well-used cell is the region's, worth more than a single council's 0.5 child-years.
    double largest_prior = 0;
    for (const GammaEvidence& cell : loaded.evidence->ending) largest_prior = std::max(largest_prior, cell.prior_exposure);
    EXPECT_GT(largest_prior, 0.5) << code;
  }
  // The same returns again: the folder holds files, refused without --replace.
  const testing::CommandOutcome again = testing::run_carecast(
      "calibrate " + (dir_ / "returns" / "E901").string() + " " + (dir_ / "returns" / "E902").string() + kFast +
      " --pool-councils --out " + out.string());
  EXPECT_EQ(again.exit_code, 2) << again.output;
}

TEST_F(PoolCouncilsCommand, RefusesOneCouncilTheLaOptionABlankLaAndACouncilShortOfTheAsOfDate) {
  const std::string region = write_region({"E901", "E902"});
  const fs::path out = dir_ / "pooled";
  const testing::CommandOutcome one = testing::run_carecast(
      "calibrate " + (dir_ / "returns" / "E901").string() + kFast + " --pool-councils --out " + out.string());
  EXPECT_EQ(one.exit_code, 2) << one.output;
  EXPECT_NE(one.output.find("episodes.csv:2"), std::string::npos) << one.output;
  EXPECT_NE(one.output.find("'LA'"), std::string::npos) << one.output;
  EXPECT_NE(one.output.find("two or more councils"), std::string::npos) << one.output;

  const testing::CommandOutcome with_la =
      testing::run_carecast("calibrate" + region + kFast + " --pool-councils --la E901 --out " + out.string());
  EXPECT_EQ(with_la.exit_code, 2) << with_la.output;
  EXPECT_NE(with_la.output.find("'--pool-councils'"), std::string::npos) << with_la.output;

  // A blank LA on the third line of one episodes file.
  const fs::path episodes = dir_ / "returns" / "E902" / "2015-episodes.csv";
  std::string text = testing::read_text(episodes);
  const std::size_t second_row_end = text.find('\n', text.find('\n', text.find('\n') + 1) + 1);
  ASSERT_EQ(text.substr(second_row_end - 5, 5), ",E902");
  text.erase(second_row_end - 4, 4);
  std::ofstream(episodes, std::ios::binary) << text;
  const testing::CommandOutcome blank =
      testing::run_carecast("calibrate" + region + kFast + " --pool-councils --out " + out.string());
  EXPECT_EQ(blank.exit_code, 2) << blank.output;
  EXPECT_NE(blank.output.find("2015-episodes.csv:3"), std::string::npos) << blank.output;
  EXPECT_NE(blank.output.find("'LA'"), std::string::npos) << blank.output;
  // A council whose returns end two years before the as-of date: named, with the as-of date.
  Scenario short_truth = council_truth(0.1, 5, 1.0);
  short_truth.horizon_years = 3;
  SyntheticReturns returns = render_synthetic_returns(simulate_synthetic_history(short_truth, 3, 9));
  add_local_authority_column(returns, "E904");
  fs::create_directories(dir_ / "returns" / "E904");
  for (const SyntheticFile& file : returns.files) {
    if (file.name.ends_with(".csv") && std::stoi(file.name.substr(0, 4)) >= 2014) {
      std::ofstream(dir_ / "returns" / "E904" / file.name, std::ios::binary) << file.text;
    }
  }
  const testing::CommandOutcome too_short = testing::run_carecast(
      "calibrate " + (dir_ / "returns" / "E901").string() + " " + (dir_ / "returns" / "E904").string() + kFast +
      " --pool-councils --out " + out.string());
  EXPECT_EQ(too_short.exit_code, 2) << too_short.output;
  EXPECT_NE(too_short.output.find("'--as-of': LA E904: 2019-03-31 is after the data ends"), std::string::npos)
      << too_short.output;
  for (const testing::CommandOutcome* outcome : {&one, &with_la, &blank, &too_short}) {
    EXPECT_EQ(outcome->output.find("SYN"), std::string::npos) << outcome->output;
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(PoolCouncilsCommand, SynthWritesAnLaColumnOnlyWhenAsked) {
  const testing::CommandOutcome plain =
      testing::run_carecast("synth --years 2 --out " + (dir_ / "plain").string());
  ASSERT_EQ(plain.exit_code, 0) << plain.output;
  const testing::CommandOutcome with_la =
      testing::run_carecast("synth --years 2 --la E909 --out " + (dir_ / "with-la").string());
  ASSERT_EQ(with_la.exit_code, 0) << with_la.output;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir_ / "plain")) {
    const std::string name = entry.path().filename().string();
    const std::string plain_text = testing::read_text(entry.path());
    const std::string la_text = testing::read_text(dir_ / "with-la" / name);
    if (!name.ends_with(".csv")) {
      EXPECT_EQ(plain_text, la_text) << name;
      continue;
    }
    // Every line is the same line with the column added.
    std::string expected;
    bool header = true;
    for (std::size_t from = 0; from < plain_text.size();) {
      const std::size_t end = plain_text.find('\n', from);
      expected += plain_text.substr(from, end - from) + (header ? ",LA\n" : ",E909\n");
      header = false;
      from = end + 1;
    }
    EXPECT_EQ(la_text, expected) << name;
  }
  EXPECT_EQ(testing::run_carecast("synth --years 2 --la 'E 9' --out " + (dir_ / "bad").string()).exit_code, 2);
}

}  // namespace
}  // namespace carecast
