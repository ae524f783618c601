// Backtest on synthetic returns, where the truth comes from known rates: the model's intervals
// should cover what happened at about their nominal rate, over many origins and categories.
#include "evaluation/backtest.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "history/synthetic_returns.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

TEST(Backtest, IntervalsCoverSyntheticTruthAtAboutTheNominalRate) {
  Scenario truth = load_scenario(default_scenario_path());
  truth.supply = Supply{};  // calibration sees demand only: no capacity limits in the truth
  const SyntheticHistory simulated = simulate_synthetic_history(truth, 10, 77);
  const SyntheticReturns returns = render_synthetic_returns(simulated);
  const auto dir = std::filesystem::temp_directory_path() / ("carecast-backtest-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  for (const SyntheticFile& file : returns.files) std::ofstream(dir / file.name, std::ios::binary) << file.text;
  CleaningReport report;
  const CareHistory history = load_ssda903({dir}, std::nullopt, report);
  std::filesystem::remove_all(dir);

  BacktestOptions options;
  options.origins = yearly_origins(history);
  options.horizon_months = 12;
  options.runs = 200;
  options.seed = 3;
  options.threads = 2;
  ASSERT_GE(options.origins.size(), 6u);
  const BacktestResult result = run_backtest(history, options);

  double in_90 = 0, in_50 = 0, forecasts = 0;
  for (const BacktestSummaryRow& row : result.summary) {
    if (row.method != std::string("carecast")) continue;
    in_90 += row.coverage_90 * row.forecasts;
    in_50 += row.coverage_50 * row.forecasts;
    forecasts += row.forecasts;
    if (row.category == "all") {
      std::cout << "children looked after, all: 90% coverage " << row.coverage_90 << ", 50% coverage "
                << row.coverage_50 << ", MdAPE " << row.median_absolute_percentage_error << "%, CRPS "
                << row.mean_crps << " over " << row.forecasts << " forecasts\n";
    }
  }
  const double coverage_90 = in_90 / forecasts, coverage_50 = in_50 / forecasts;
  std::cout << "pooled over categories: 90% coverage " << coverage_90 << ", 50% coverage " << coverage_50 << " ("
            << forecasts << " forecasts from " << options.origins.size() << " origins)\n";
  // Forecasts from one origin are strongly correlated (the same children, month after month), so
  // the effective sample is nearer the number of origins x categories (about 80) than the number
  // of forecasts. A band of about +-3 binomial standard errors on that sample: intervals that were
  // too narrow (say, without parameter uncertainty on short data) or biased fall outside it.
  EXPECT_GT(coverage_90, 0.80);
  EXPECT_LT(coverage_90, 0.99);
  EXPECT_GT(coverage_50, 0.33);
  EXPECT_LT(coverage_50, 0.67);
  // And the model must beat persistence on its own ground for the total, by CRPS.
  double model_crps = 0, persistence_crps = 0;
  for (const BacktestSummaryRow& row : result.summary) {
    if (row.category != "all") continue;
    if (row.method == std::string("carecast")) model_crps = row.mean_crps;
    if (row.method == std::string("persistence")) persistence_crps = row.mean_crps;
  }
  std::cout << "CRPS for the total: carecast " << model_crps << ", persistence " << persistence_crps << "\n";
  EXPECT_LT(model_crps, persistence_crps);
}

}  // namespace
}  // namespace carecast
