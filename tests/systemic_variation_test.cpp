// Year-to-year (systemic) variation: the multiplier paths follow the AR(1) of scenario.hpp with
// mean one, exits vary between replications while moves do not when only exits vary, results do
// not depend on the thread count, and with variation off nothing changes.
#include "simulation/systemic_variation.hpp"

#include <gtest/gtest.h>

#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <vector>

#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

// Each year's multiplier has mean 1; log multiplier + v / 2 (the AR(1) value z_k) has the
// stationary variance v = sd^2 / (1 - rho^2) from the first year on, and covariance rho v with the
// next year's; a process with sd 0 stays at 1. Every check within k standard errors over 20,000 replications' streams.
TEST(SystemicVariation, MultipliersHaveMeanOneAndTheAr1Moments) {
  SystemicVariation variation;
  variation.entries_sd_log_per_year = 0.3;
  variation.exits_sd_log_per_year = 0.15;
  variation.moves_sd_log_per_year = 0;
  variation.autocorrelation = 0.6;
  const int years = 5;
  const int n = 20000;
  std::vector<SystemicMultipliers> draws(n);
  for (int i = 0; i < n; ++i) {
    StreamEngine engine(11, static_cast<std::uint64_t>(i), entity_id(EntityKind::replication, 3),
                        Process::systemic_variation);
    StreamEngine drift(11, static_cast<std::uint64_t>(i), entity_id(EntityKind::replication, 3), Process::systemic_drift);
    draw_systemic_multipliers(variation, years, engine, drift, draws[static_cast<std::size_t>(i)]);
  }
  const double k = standard_errors_allowed();
  const double rho = variation.autocorrelation;
  for (const auto& [sd, path] : {std::pair{variation.entries_sd_log_per_year, &SystemicMultipliers::entries},
                                 std::pair{variation.exits_sd_log_per_year, &SystemicMultipliers::exits}}) {
    double v_previous = 0;
    std::vector<double> z_previous;
    for (int year = 0; year < years; ++year) {
      const double v = sd * sd / (1 - rho * rho);
      double sum = 0, squares = 0;
      std::vector<double> z(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        const double m = (draws[static_cast<std::size_t>(i)].*path)[static_cast<std::size_t>(year)];
        sum += m;
        squares += m * m;
        z[static_cast<std::size_t>(i)] = std::log(m) + v / 2;
      }
      const double mean = sum / n;
      // A lognormal with log-variance v has variance exp(v) - 1 when its mean is 1.
      EXPECT_NEAR(mean, 1.0, k * std::sqrt(std::expm1(v) / n)) << "year " << year << " sd " << sd;
      double z_squares = 0;
      for (double x : z) z_squares += x * x;
      // z has mean 0 by construction: its variance is the mean square, with standard error v sqrt(2 / n).
      EXPECT_NEAR(z_squares / n, v, k * v * std::sqrt(2.0 / n)) << "year " << year << " sd " << sd;
      if (year > 0) {
        double cross = 0;
        for (int i = 0; i < n; ++i) cross += z_previous[static_cast<std::size_t>(i)] * z[static_cast<std::size_t>(i)];
        const double covariance = rho * v_previous;
        // Var(XY) for jointly normal mean-zero X, Y: Var X Var Y + Cov^2.
        EXPECT_NEAR(cross / n, covariance, k * std::sqrt((v_previous * v + covariance * covariance) / n))
            << "year " << year << " sd " << sd;
      }
      v_previous = v;
      z_previous = std::move(z);
    }
  }
  for (const SystemicMultipliers& draw : draws) {
    for (double m : draw.moves) ASSERT_EQ(m, 1.0);
  }
}

// With a drift d on top of the AR(1), log multiplier + Var / 2 (the value z_k + w_k) has variance
// v + (k + 1) d^2 in year k and covariance rho v + k d^2 with year k - 1 (the random walk's steps
// are shared), and each multiplier still has mean 1; a process with a drift and no AR(1) varies by
// the drift alone. Within k standard errors over 20,000 replications' streams.
TEST(SystemicVariation, DriftAddsARandomWalkWhoseSpreadGrowsWithTheYear) {
  SystemicVariation variation;
  variation.entries_sd_log_per_year = 0.2;
  variation.entries_drift_sd_log_per_year = 0.1;
  variation.exits_drift_sd_log_per_year = 0.15;
  variation.autocorrelation = 0.5;
  const int years = 4;
  const int n = 20000;
  std::vector<SystemicMultipliers> draws(n);
  for (int i = 0; i < n; ++i) {
    StreamEngine engine(12, static_cast<std::uint64_t>(i), entity_id(EntityKind::replication, 3),
                        Process::systemic_variation);
    StreamEngine drift(12, static_cast<std::uint64_t>(i), entity_id(EntityKind::replication, 3), Process::systemic_drift);
    draw_systemic_multipliers(variation, years, engine, drift, draws[static_cast<std::size_t>(i)]);
  }
  const double k = standard_errors_allowed();
  const double rho = variation.autocorrelation;
  struct Case {
    double sd, drift;
    std::vector<double> SystemicMultipliers::*path;
  };
  for (const Case& c : {Case{variation.entries_sd_log_per_year, variation.entries_drift_sd_log_per_year,
                             &SystemicMultipliers::entries},
                        Case{0.0, variation.exits_drift_sd_log_per_year, &SystemicMultipliers::exits}}) {
    const double stationary = c.sd * c.sd / (1 - rho * rho);
    std::vector<double> previous;
    double v_previous = 0;
    for (int year = 0; year < years; ++year) {
      const double v = stationary + c.drift * c.drift * (year + 1);
      double sum = 0, squares = 0;
      std::vector<double> x(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) {
        const double m = (draws[static_cast<std::size_t>(i)].*c.path)[static_cast<std::size_t>(year)];
        sum += m;
        x[static_cast<std::size_t>(i)] = std::log(m) + v / 2;
        squares += x[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
      }
      EXPECT_NEAR(sum / n, 1.0, k * std::sqrt(std::expm1(v) / n)) << "year " << year;
      EXPECT_NEAR(squares / n, v, k * v * std::sqrt(2.0 / n)) << "year " << year;
      if (year > 0) {
        double cross = 0;
        for (int i = 0; i < n; ++i) cross += previous[static_cast<std::size_t>(i)] * x[static_cast<std::size_t>(i)];
        const double covariance = rho * stationary + c.drift * c.drift * year;
        EXPECT_NEAR(cross / n, covariance, k * std::sqrt((v_previous * v + covariance * covariance) / n))
            << "year " << year;
      }
      previous = std::move(x);
      v_previous = v;
    }
  }
}

// Without a drift the drift stream is never used: the paths are the AR(1)'s whatever it holds, so
// scenarios without a drift give the results they gave before drifts existed.
TEST(SystemicVariation, WithoutADriftTheDriftStreamIsUnused) {
  SystemicVariation variation;
  variation.entries_sd_log_per_year = 0.2;
  variation.exits_sd_log_per_year = 0.1;
  variation.autocorrelation = 0.5;
  SystemicMultipliers first, second, drifting;
  StreamEngine engine_a(5), engine_b(5), engine_c(5), drift_a(6), drift_b(7), drift_c(7);
  draw_systemic_multipliers(variation, 5, engine_a, drift_a, first);
  draw_systemic_multipliers(variation, 5, engine_b, drift_b, second);
  EXPECT_EQ(first.entries, second.entries);
  EXPECT_EQ(first.exits, second.exits);
  variation.moves_drift_sd_log_per_year = 0.1;
  draw_systemic_multipliers(variation, 5, engine_c, drift_c, drifting);
  EXPECT_NE(first.moves, drifting.moves);
  // The AR(1) part is the same stream: entries differ only by the drift's own factor, which is 1.
  EXPECT_EQ(first.entries, drifting.entries);
}

// A drift known from n origins: each replication's factor f = sqrt(n / X), X ~ chi-squared(n), so
// n / f^2 has the chi-squared's mean n and variance 2n. Within k standard errors over 20,000 streams.
TEST(SystemicVariation, DriftScaleIsTheScaledInverseChiSquaredOfItsEvidence) {
  const double n = 7;
  const int draws = 20000;
  double sum = 0, squares = 0;
  for (int i = 0; i < draws; ++i) {
    StreamEngine drift(13, static_cast<std::uint64_t>(i), entity_id(EntityKind::replication, 3), Process::systemic_drift);
    const double f = draw_drift_scale(n, drift);
    const double x = n / (f * f);
    sum += x;
    squares += x * x;
  }
  const double k = standard_errors_allowed();
  const double mean = sum / draws;
  const double variance = squares / draws - mean * mean;
  EXPECT_NEAR(mean, n, k * std::sqrt(2 * n / draws));
  // The sample variance of a chi-squared(n): its own variance is 2n^2 (2 + 12 / n) / draws.
  EXPECT_NEAR(variance, 2 * n, k * std::sqrt(4 * n * n * (2 + 12 / n) / draws));
}

// With the drift's size uncertain, year k's log multiplier of a drift-only process is w_k - (k + 1)
// D^2 / 2 with D = d f: its variance is (k + 1) d^2 n / (n - 2) (the walk, at the drawn size's mean
// square) plus (k + 1)^2 d^4 Var(n / X) / 4 (the mean-one correction varying with D), the variance
// of n / X being 2 n^2 / ((n - 2)^2 (n - 4)). Entries and exits share one draw of the size: their
// squared log multipliers are correlated, while with the size known the two walks are independent.
// Within k standard errors over 20,000 replications' streams.
TEST(SystemicVariation, AnUncertainDriftSizeWidensTheWalkAndIsSharedByEntriesAndExits) {
  SystemicVariation variation;
  variation.entries_drift_sd_log_per_year = 0.1;
  variation.exits_drift_sd_log_per_year = 0.1;
  const int years = 4;
  const int draws = 20000;
  const double k = standard_errors_allowed();
  const double d = 0.1;
  const double n = 10;
  for (const double evidence : {0.0, n}) {
    variation.drift_evidence_origins = evidence;
    std::vector<double> entries(draws), exits(draws);
    SystemicMultipliers m;
    for (int i = 0; i < draws; ++i) {
      StreamEngine engine(14, static_cast<std::uint64_t>(i), entity_id(EntityKind::replication, 3),
                          Process::systemic_variation);
      StreamEngine drift(14, static_cast<std::uint64_t>(i), entity_id(EntityKind::replication, 3),
                         Process::systemic_drift);
      draw_systemic_multipliers(variation, years, engine, drift, m);
      entries[static_cast<std::size_t>(i)] = std::log(m.entries[years - 1]);
      exits[static_cast<std::size_t>(i)] = std::log(m.exits[years - 1]);
    }
    double sum = 0, squares = 0, fourth = 0;
    for (const double x : entries) {
      sum += x;
      squares += x * x;
    }
    const double mean = sum / draws;
    const double variance = squares / draws - mean * mean;
    for (const double x : entries) fourth += std::pow(x - mean, 4);
    const double steps = years;
    const double expected = evidence > 0 ? steps * d * d * n / (n - 2) +
                                               steps * steps * std::pow(d, 4) * 2 * n * n /
                                                   ((n - 2) * (n - 2) * (n - 4)) / 4
                                         : steps * d * d;
    // The sample variance's standard error from the sample's own fourth moment.
    EXPECT_NEAR(variance, expected, k * std::sqrt((fourth / draws - variance * variance) / draws))
        << "evidence " << evidence;
    // Correlation of the squared deviations of entries and exits: about 0 with the size known.
    double se = 0, sx = 0, see = 0, sxx = 0, sex = 0;
    for (int i = 0; i < draws; ++i) {
      const double a = std::pow(entries[static_cast<std::size_t>(i)], 2);
      const double b = std::pow(exits[static_cast<std::size_t>(i)], 2);
      se += a;
      sx += b;
      see += a * a;
      sxx += b * b;
      sex += a * b;
    }
    const double correlation = (sex / draws - se * sx / draws / draws) /
                               std::sqrt((see / draws - se * se / draws / draws) * (sxx / draws - sx * sx / draws / draws));
    if (evidence > 0) {
      EXPECT_GT(correlation, k / std::sqrt(double{draws})) << "a shared size correlates the squares";
    } else {
      EXPECT_NEAR(correlation, 0.0, k / std::sqrt(double{draws}));
    }
  }
}

// Changing one process's sd leaves the other processes' paths exactly as they were, and a longer
// horizon extends the paths without changing their earlier years.
TEST(SystemicVariation, PathsAreStableAcrossOtherSdsAndHorizons) {
  SystemicVariation a;
  a.entries_sd_log_per_year = 0.2;
  a.exits_sd_log_per_year = 0.1;
  a.autocorrelation = 0.5;
  SystemicVariation b = a;
  b.exits_sd_log_per_year = 0.4;
  SystemicMultipliers first, second, longer;
  StreamEngine engine_a(5), engine_b(5), engine_c(5), drift_a(6), drift_b(6), drift_c(6);
  draw_systemic_multipliers(a, 4, engine_a, drift_a, first);
  draw_systemic_multipliers(b, 4, engine_b, drift_b, second);
  draw_systemic_multipliers(a, 7, engine_c, drift_c, longer);
  EXPECT_EQ(first.entries, second.entries);
  EXPECT_NE(first.exits, second.exits);
  for (std::size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(first.entries[k], longer.entries[k]);
    EXPECT_EQ(first.exits[k], longer.exits[k]);
  }
}

// The destinations of a year keep the model's shares within exits and within moves, scaled by
// m_exits / scale and m_moves / scale, and the hazard scale is P(exit) m_exits + P(move) m_moves.
TEST(SystemicVariation, TablesReweightExitsAgainstMoves) {
  Scenario s = mixed_scenario();
  s.variation.exits_sd_log_per_year = 0.5;
  s.variation.moves_sd_log_per_year = 0.3;
  s.variation.autocorrelation = 0.4;
  const CompiledModel model = CompiledModel::compile(s, 3 * 365.25 + 1);
  YearlyVariation variation;
  StreamEngine engine(3), drift(4);
  variation.draw(s.variation, model, engine, drift);
  ASSERT_EQ(variation.years(), 4);
  ASSERT_TRUE(variation.varies_endings());
  const int c = static_cast<int>(Category::foster_in_house);
  for (int year = 0; year < variation.years(); ++year) {
    const double exits = variation.multipliers().exits[static_cast<std::size_t>(year)];
    const double moves = variation.multipliers().moves[static_cast<std::size_t>(year)];
    for (int b = 0; b < kAgeBandCount; ++b) {
      const auto& p = s.destination_probability[c][b];
      double p_exit = 0;
      for (int o = 0; o < kOutcomeCount; ++o) p_exit += outcome_is_exit(o) ? p[o] : 0.0;
      const double scale = p_exit * exits + (1 - p_exit) * moves;
      EXPECT_NEAR(variation.hazard_scale(year, c, b, 0), scale, 1e-12);
      const CumulativeTable<kOutcomeCount>& table = variation.destination(year, c, b, 0);
      double before = 0;
      for (int o = 0; o < kOutcomeCount; ++o) {
        const double expected = p[o] * (outcome_is_exit(o) ? exits : moves) / scale;
        EXPECT_NEAR(table.cumulative[o] - before, expected, 1e-12);
        before = table.cumulative[o];
      }
    }
  }
  EXPECT_EQ(variation.year_at(0), 0);
  EXPECT_EQ(variation.year_at(365.24), 0);
  EXPECT_EQ(variation.year_at(365.25), 1);
  EXPECT_EQ(variation.year_at(1e9), 3);
}

// One category at a constant hazard of 1 a year, half the endings exits and half moves within the
// category, 150 children at the start and 75 entering a year: a child's move hazard is 0.5 a year
// whatever its state, so moves per child-year do not depend on how many children there are.
Scenario steady_scenario() {
  Scenario s = single_category_scenario(1.0, 150, 6 * 365, 3);
  const int c = static_cast<int>(Category::foster_in_house);
  for (int b = 0; b < kAgeBandCount; ++b) {
    s.destination_probability[c][b] = {};
    s.destination_probability[c][b][c] = 0.5;
    s.destination_probability[c][b][outcome_of(ExitReason::returned_home)] = 0.5;
    s.entries.first_placement_probability[b][c] = 1.0;
    s.entries.expected_per_year[b] = {7.5, 7.5};
  }
  s.stated_uncertainty.enabled = false;  // chance and the yearly multipliers only
  return s;
}

struct YearTwo {
  std::vector<double> exits;
  std::vector<double> moves_per_child_year;
};

// The second forecast year (months 13-24): exits, and moves per child-year in care (child-years
// from month-end stocks times the month's days).
YearTwo second_year(const RunResult& result) {
  YearTwo year;
  for (int run = 0; run < result.runs; ++run) {
    double exits = 0, moves = 0, child_years = 0;
    for (int d = 13; d <= 24; ++d) {
      exits += result.value(run, d, result.layout.exits_all);
      moves += result.value(run, d, result.layout.moves_all);
      child_years += result.value(run, d, result.layout.stock_all) *
                     (result.calendar.times[static_cast<std::size_t>(d)] -
                      result.calendar.times[static_cast<std::size_t>(d) - 1]) /
                     kDaysPerYear;
    }
    year.exits.push_back(exits);
    year.moves_per_child_year.push_back(moves / child_years);
  }
  return year;
}

std::pair<double, double> mean_and_variance(const std::vector<double>& x) {
  double sum = 0, squares = 0;
  for (double v : x) sum += v;
  const double mean = sum / static_cast<double>(x.size());
  for (double v : x) squares += (v - mean) * (v - mean);
  return {mean, squares / static_cast<double>(x.size() - 1)};
}

// Exits with an sd of 0.4 a year and moves with none: the yearly exits spread far more between
// replications than without variation (F test at the false-alarm rate), while moves per child-year
// keep their mean (two-sample check within k standard errors; independent seeds).
TEST(SystemicVariation, ExitsVaryBetweenRunsWhileMovesPerChildYearKeepTheirMean) {
  Scenario s = steady_scenario();
  s.variation.exits_sd_log_per_year = 0.4;
  s.variation.autocorrelation = 0.5;
  RunOptions options;
  options.runs = 600;
  options.threads = 2;
  options.seed = 21;
  const RunResult on = run_replications(s, options);
  EXPECT_TRUE(on.systemic_variation);
  options.systemic_variation = false;
  options.seed = 22;
  const RunResult off = run_replications(s, options);
  EXPECT_FALSE(off.systemic_variation);

  const YearTwo a = second_year(on);
  const YearTwo b = second_year(off);
  const auto [exits_on_mean, exits_on_variance] = mean_and_variance(a.exits);
  const auto [exits_off_mean, exits_off_variance] = mean_and_variance(b.exits);
  const double df = options.runs - 1;
  const double f_critical = boost::math::quantile(
      boost::math::complement(boost::math::fisher_f_distribution<double>(df, df), kFalseAlarmRate));
  EXPECT_GT(exits_on_variance / exits_off_variance, f_critical)
      << "exits: variance " << exits_on_variance << " with variation, " << exits_off_variance << " without";

  const auto [moves_on_mean, moves_on_variance] = mean_and_variance(a.moves_per_child_year);
  const auto [moves_off_mean, moves_off_variance] = mean_and_variance(b.moves_per_child_year);
  EXPECT_NEAR(moves_on_mean, moves_off_mean,
              standard_errors_allowed() * std::sqrt((moves_on_variance + moves_off_variance) / options.runs));
  EXPECT_NEAR(moves_off_mean, 0.5, 0.05);  // the model's move hazard, as a sanity check of the measure
}

Scenario varied_mixed_scenario() {
  Scenario s = mixed_scenario();
  s.variation.entries_sd_log_per_year = 0.2;
  s.variation.exits_sd_log_per_year = 0.15;
  s.variation.moves_sd_log_per_year = 0.25;
  s.variation.autocorrelation = 0.7;
  s.entries.trend_damping_per_year = 0.8;
  s.stated_uncertainty = StatedUncertainty{};  // the defaults, on
  return s;
}

// A seed gives the same tallies on 1, 2 or 3 threads and in any block size, with variation,
// damped entries and stated parameter uncertainty all on.
TEST(SystemicVariation, SameResultsOnAnyThreadCount) {
  const Scenario s = varied_mixed_scenario();
  RunOptions options;
  options.runs = 40;
  options.seed = 9;
  options.threads = 1;
  const RunResult one = run_replications(s, options);
  EXPECT_TRUE(one.systemic_variation);
  EXPECT_TRUE(one.parameters_drawn);
  options.threads = 2;
  options.block_runs = 7;
  const RunResult two = run_replications(s, options);
  options.threads = 3;
  options.block_runs = 0;
  const RunResult three = run_replications(s, options);
  EXPECT_EQ(one.tallies, two.tallies);
  EXPECT_EQ(one.tallies, three.tallies);
}

// --variation off draws nothing: the tallies are exactly those of the scenario without any
// [variation]; on, they differ.
TEST(SystemicVariation, OffGivesExactlyTheRunsWithoutVariation) {
  const Scenario s = varied_mixed_scenario();
  Scenario without = s;
  without.variation = SystemicVariation{};
  RunOptions options;
  options.runs = 30;
  options.seed = 4;
  options.threads = 2;
  const RunResult plain = run_replications(without, options);
  EXPECT_FALSE(plain.systemic_variation);
  const RunResult on = run_replications(s, options);
  EXPECT_NE(on.tallies, plain.tallies);
  options.systemic_variation = false;
  const RunResult off = run_replications(s, options);
  EXPECT_FALSE(off.systemic_variation);
  EXPECT_EQ(off.tallies, plain.tallies);
}

}  // namespace
}  // namespace carecast
