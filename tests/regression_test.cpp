// Seeded regression baseline for the default scenario. The forecast for a fixed seed is stored in
// tests/baseline/; any change to results fails here. If a change is intended, regenerate it on
// purpose:  CARECAST_UPDATE_BASELINE=1 ./build/tests/carecast_tests --gtest_filter='Regression.*'
// and commit the new file with a note of why the numbers moved.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "output/forecast_writer.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "tally/summary.hpp"

namespace carecast {
namespace {

const char* const kBaselineFile = CARECAST_TEST_DATA_DIR "/../baseline/default_seed1_runs200_years3.csv";

std::string default_forecast_csv() {
  Scenario scenario = load_scenario(default_scenario_path());
  scenario.horizon_years = 3;
  RunOptions options;
  options.runs = 200;
  options.seed = 1;
  options.threads = 2;
  const RunResult result = run_replications(scenario, options);
  std::ostringstream csv;
  write_forecast_csv(csv, result, summarise(result));
  return csv.str();
}

TEST(Regression, DefaultScenarioMatchesTheSeededBaseline) {
  const std::string current = default_forecast_csv();
  if (std::getenv("CARECAST_UPDATE_BASELINE") != nullptr) {
    std::ofstream(kBaselineFile, std::ios::binary) << current;
    GTEST_SKIP() << "baseline regenerated at " << kBaselineFile;
  }
  std::ifstream in(kBaselineFile, std::ios::binary);
  ASSERT_TRUE(in) << "no baseline at " << kBaselineFile << "; generate it with CARECAST_UPDATE_BASELINE=1";
  std::stringstream stored;
  stored << in.rdbuf();
  if (stored.str() == current) return;
  // Report the first differing row: old, new, and how to regenerate if intended.
  std::istringstream old_lines(stored.str()), new_lines(current);
  std::string old_line, new_line;
  int line = 0;
  while (true) {
    ++line;
    const bool has_old = static_cast<bool>(std::getline(old_lines, old_line));
    const bool has_new = static_cast<bool>(std::getline(new_lines, new_line));
    if (!has_old && !has_new) break;
    if (old_line != new_line || has_old != has_new) {
      FAIL() << "forecast differs from the baseline at line " << line << "\n  baseline: " << old_line
             << "\n  now:      " << new_line
             << "\nIf the change is intended, regenerate with CARECAST_UPDATE_BASELINE=1 and say why in the commit.";
    }
  }
}

}  // namespace
}  // namespace carecast
