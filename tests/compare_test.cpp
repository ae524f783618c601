// carecast compare: options against a base, run by run with common random numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "output/comparison.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"

namespace carecast {
namespace {
namespace fs = std::filesystem;

RunResult run(const Scenario& s, int runs, std::uint64_t seed) {
  RunOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = 2;
  return run_replications(s, options);
}

Scenario load_shipped(const std::string& name, int years) {
  Scenario s = load_scenario(fs::path(CARECAST_SCENARIO_DIR) / name);
  s.horizon_years = years;
  return s;
}

TEST(Compare, AnOptionIdenticalToItsBaseDiffersByExactlyZeroInEveryRun) {
  const Scenario base = load_shipped("default.toml", 2);
  Scenario same = base;
  same.name = "same";
  const RunResult a = run(base, 40, 3);
  const RunResult b = run(same, 40, 3);
  const std::vector<ComparisonRow> rows = compare_runs(a, b, "same");
  int cells = 0;
  for (const ComparisonRow& row : rows) {
    if (row.metric.rfind("probability_", 0) == 0) {
      EXPECT_EQ(row.mean, 0) << row.metric;  // never strictly lower
      continue;
    }
    ++cells;
    ASSERT_EQ(row.mean, 0) << row.metric << " " << row.category << " " << format_iso(row.date);
    ASSERT_EQ(row.p05, 0) << row.metric << " " << row.category;
    ASSERT_EQ(row.p95, 0) << row.metric << " " << row.category;
  }
  EXPECT_GT(cells, 1000);
  bool has_cost = false;
  for (const ComparisonRow& row : rows) has_cost = has_cost || row.metric == "cost_financial_year";
  EXPECT_TRUE(has_cost);
}

double variance(const std::vector<double>& x) {
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double squares = 0;
  for (double v : x) squares += (v - mean) * (v - mean);
  return squares / static_cast<double>(x.size() - 1);
}

// With common random numbers, run i of the option meets the same children, entries and chances
// as run i of the base, so the difference carries only the option's own effect. With the base on
// another seed the difference also carries the whole run-to-run spread of both forecasts. The
// recruitment campaign changes a small part of the system, so the variance of the cost
// difference should fall by far more than half; 0.5 leaves a wide margin for sampling error in a
// variance ratio from 120 runs (its 99.9% range is within about a factor 1.8 either way).
TEST(Compare, CommonRandomNumbersNarrowTheDifferenceMarkedly) {
  const Scenario base = load_shipped("default.toml", 3);
  const Scenario option = load_shipped("option_recruitment_campaign.toml", 3);
  const int runs = 120;
  const RunResult base_run = run(base, runs, 11);
  const RunResult option_run = run(option, runs, 11);
  const RunResult base_other_seed = run(base, runs, 12);
  const int last = base_run.calendar.date_count() - 1;
  for (const auto& [metric, is_cost] : {std::pair<std::string, bool>{"cost_cumulative", true},
                                        std::pair<std::string, bool>{"children_looked_after", false}}) {
    const int cell = base_run.layout.find(metric, "all");
    ASSERT_GE(cell, 0);
    std::vector<double> paired, independent;
    for (int r = 0; r < runs; ++r) {
      paired.push_back(option_run.number(r, last, cell) - base_run.number(r, last, cell));
      independent.push_back(option_run.number(r, last, cell) - base_other_seed.number(r, last, cell));
    }
    const double ratio = variance(paired) / variance(independent);
    std::cout << "[ variance ratio CRN / independent seeds, " << metric << " at the horizon: " << ratio << " ]\n";
    if (is_cost) EXPECT_LT(ratio, 0.5);
    EXPECT_LT(ratio, 1.0);
  }
}

TEST(Compare, FolderNamesAreSafe) {
  EXPECT_EQ(folder_name("in-house children's home"), "in_house_children_s_home");
  EXPECT_EQ(folder_name("default"), "default");
  EXPECT_EQ(folder_name("  "), "scenario");
}

}  // namespace
}  // namespace carecast
