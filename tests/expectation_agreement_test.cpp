// The engine's strongest correctness check: the Monte Carlo mean of the stock by category, month
// by month, agrees with the exact expectation of the Markov projection within Monte Carlo error.
// Every comparison uses a Bonferroni-adjusted k, so the overall false-alarm rate stays 1e-6.
#include <gtest/gtest.h>

#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "expectation/markov_projection.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

struct Agreement {
  int comparisons = 0;
  double worst_z = 0;  // largest |MC mean - expected| / standard error
};

Agreement compare_with_expectation(const Scenario& scenario, int runs, std::uint64_t seed) {
  RunOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = 2;
  options.parameter_uncertainty = false;
  options.systemic_variation = false;
  const RunResult result = run_replications(scenario, options);
  const ExpectedSeries expected = project_expectation(scenario);
  EXPECT_EQ(expected.dates, result.calendar.dates);

  // Cells: each category with children, and the total, at every month end.
  std::vector<std::tuple<int, int, double, double>> cells;  // date, cell, mean, standard error
  for (int d = 1; d < result.calendar.date_count(); ++d) {
    for (int c = -1; c < kCategoryCount; ++c) {
      const int cell = c < 0 ? result.layout.stock_all : result.layout.stock_by_category + c;
      double sum = 0, squares = 0;
      for (int r = 0; r < runs; ++r) {
        const double v = result.value(r, d, cell);
        sum += v;
        squares += v * v;
      }
      const double mean = sum / runs;
      const double variance = (squares - runs * mean * mean) / (runs - 1);
      double exact = 0;
      for (int k = 0; k < kCategoryCount; ++k) {
        if (c < 0 || k == c) exact += expected.stock[d][k];
      }
      if (variance <= 0) {
        EXPECT_NEAR(mean, exact, 1e-6) << "date " << d << " cell " << cell;  // no spread: must be exact
        continue;
      }
      cells.emplace_back(d, cell, mean - exact, std::sqrt(variance / runs));
    }
  }
  Agreement agreement;
  agreement.comparisons = static_cast<int>(cells.size());
  const double k = boost::math::quantile(
      boost::math::complement(boost::math::normal(), kFalseAlarmRate / 2 / static_cast<double>(cells.size())));
  for (const auto& [d, cell, difference, standard_error] : cells) {
    const double z = std::abs(difference) / standard_error;
    agreement.worst_z = std::max(agreement.worst_z, z);
    EXPECT_LE(z, k) << result.layout.cell(cell).metric << "/" << result.layout.cell(cell).category << " at "
                    << format_iso(result.calendar.dates[d]) << ": MC - expected = " << difference << " (SE "
                    << standard_error << ")";
  }
  return agreement;
}

TEST(ExpectationAgreement, MixedScenarioWithEntriesSiblingsAndAgeing) {
  const Agreement a = compare_with_expectation(mixed_scenario(), 4000, 11);
  EXPECT_GT(a.comparisons, 100);
  RecordProperty("worst_z", std::to_string(a.worst_z));
}

TEST(ExpectationAgreement, DefaultScenarioDrawnFromCounts) {
  Scenario scenario = load_scenario(default_scenario_path());
  scenario.horizon_years = 3;
  // The projection is of the unconstrained model: with finite supply a child may be placed in a
  // fallback, which no Markov projection of demand can know.
  scenario.supply = Supply{};
  // Nor does it follow children after they leave care, so it has no re-entry ([re_entry]), and it
  // follows time in placement, not time in care ([time_in_care], which the default has for moves in
  // the first year of care).
  scenario.re_entry = ReEntry{};
  scenario.time_in_care = TimeInCare{};
  const Agreement a = compare_with_expectation(scenario, 3000, 12);
  EXPECT_GT(a.comparisons, 300);
  RecordProperty("worst_z", std::to_string(a.worst_z));
}

}  // namespace
}  // namespace carecast
