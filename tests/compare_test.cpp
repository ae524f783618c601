// carecast compare: options against a base, run by run with common random numbers.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <unistd.h>

#include "output/comparison.hpp"
#include "output/report_charts.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

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

// `report` on a compare folder makes one board pack for the base and every option: its option
// table has one row per option of comparison.csv and every figure and sentence in it agrees with
// the CSV (report_checks.py parses the page and checks each against the rows it names, and that
// every clear difference is said and nothing else is). The shipped options over 3 years, so the
// last financial year is a part year.
TEST(Compare, ACompareFolderMakesOneBoardPackWhoseOptionsMatchTheCsv) {
  const fs::path dir = fs::temp_directory_path() / ("carecast-compare-report-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string scenarios = CARECAST_SCENARIO_DIR;
  const testing::CommandOutcome compared = testing::run_carecast(
      "compare " + scenarios + "/default.toml " + scenarios + "/option_recruitment_campaign.toml " + scenarios +
      "/option_in_house_home.toml " + scenarios + "/option_step_down.toml --runs 60 --years 3 --seed 2 --out " +
      (dir / "options").string());
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  // The shipped default is named by the fit that writes it, "default (fitted)".
  for (const char* folder :
       {"default_fitted", "recruitment_campaign", "in_house_children_s_home", "residential_step_down"}) {
    EXPECT_TRUE(fs::exists(dir / "options" / folder / "run.json")) << folder;
  }
  const testing::CommandOutcome report = testing::run_carecast("report " + (dir / "options").string());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_NE(report.output.find("Board pack: " + (dir / "options" / "report.html").string()), std::string::npos)
      << report.output;
  std::ifstream page(dir / "options" / "report.html");
  const std::string html((std::istreambuf_iterator<char>(page)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("options against scenario &#39;default (fitted)&#39;"), std::string::npos);
  EXPECT_NE(html.find("Children looked after at the start"), std::string::npos) << "the base's own figures";
  // The forecast's last month end is 31 January 2028: April 2027 to January 2028 is 10 months.
  EXPECT_NE(html.find("2027-28 (10 months)"), std::string::npos) << "the part year is marked";
  EXPECT_EQ(html.find("about 1 children"), std::string::npos) << "one child is a child";
  EXPECT_NE(html.find("lower than the base&#39;s: median"), std::string::npos) << "no clear difference was stated";
  const std::string checks = (fs::path(CARECAST_TEST_DATA_DIR).parent_path() / "report_checks.py").string();
  const testing::CommandOutcome options = testing::run_carecast_command(
      report::shell_quote(report::python_interpreter()) + " " + checks + " options " + (dir / "options").string());
  EXPECT_EQ(options.exit_code, 0) << options.output;
  // The base's cost by financial year beside its budget: the probability and the expected overspend.
  const testing::CommandOutcome finance = testing::run_carecast_command(
      report::shell_quote(report::python_interpreter()) + " " + checks + " finance " + (dir / "options").string());
  EXPECT_EQ(finance.exit_code, 0) << finance.output;
  // The option chart as drawn for the report: panel titles clear of each other and of the edge,
  // distinct tick labels, no panel of unchanged measures, a headline true to its panels.
  const testing::CommandOutcome chart = testing::run_carecast_command(
      report::shell_quote(report::python_interpreter()) + " " + checks + " option-chart " +
      (dir / "options").string());
  EXPECT_EQ(chart.exit_code, 0) << chart.output;
  // What drives each option's net cost: its cost lines, adding up to its mean net cost.
  const testing::CommandOutcome drivers = testing::run_carecast_command(
      report::shell_quote(report::python_interpreter()) + " " + checks + " cost-drivers " +
      (dir / "options").string());
  EXPECT_EQ(drivers.exit_code, 0) << drivers.output;
  // The workbook, whose Finance sheet's part years (2024-25, 2027-28) are not set against a year's budget.
  const testing::CommandOutcome workbook = testing::run_carecast_command(
      report::shell_quote(report::python_interpreter()) + " " + checks + " workbook " + (dir / "options").string());
  EXPECT_EQ(workbook.exit_code, 0) << workbook.output;
  fs::remove_all(dir);
}

TEST(Compare, FolderNamesAreSafe) {
  EXPECT_EQ(folder_name("in-house children's home"), "in_house_children_s_home");
  EXPECT_EQ(folder_name("default"), "default");
  EXPECT_EQ(folder_name("  "), "scenario");
}

}  // namespace
}  // namespace carecast
