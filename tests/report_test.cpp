// `carecast report` and its parts: disclosure control, numbers in words, and the board pack built
// from fixture folders (tests/data/report-fixture: a small run made by the engine;
// report-fixture-full: the same with synthetic rows for metrics the engine does not write yet, a
// history and a comparison, made by tests/data/make_full_report_fixture.py). The board pack is
// checked as a reader gets it: the workbook against the CSV with openpyxl, the page in headless
// Chromium, the charts' files and resolution.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "core/csv_reader.hpp"
#include "output/report_charts.hpp"
#include "output/report_disclosure.hpp"
#include "output/report_format.hpp"
#include "output/report_html.hpp"
#include "output/report_options.hpp"
#include "test_support.hpp"

namespace carecast::report {
namespace {
namespace fs = std::filesystem;

struct Outcome {
  int exit_code;
  std::string output;  // stdout and stderr together
};

Outcome shell(const std::string& command) {
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  std::string output;
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

Outcome carecast(const std::string& arguments) { return shell(std::string(CARECAST_BINARY) + " " + arguments); }

Outcome python(const std::string& arguments) { return shell(shell_quote(python_interpreter()) + " " + arguments); }

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const fs::path kData = CARECAST_TEST_DATA_DIR;
const fs::path kChecks = kData.parent_path() / "report_checks.py";
const fs::path kPlots = CARECAST_PLOTS_DIR;

// ---------------------------------------------------------------------------------------------
// Parts

TEST(Disclosure, RoundsToTheNearestFiveHalfAwayFromZero) {
  EXPECT_EQ(round_to_nearest_5(0), 0);
  EXPECT_EQ(round_to_nearest_5(2.4), 0);
  EXPECT_EQ(round_to_nearest_5(2.5), 5);
  EXPECT_EQ(round_to_nearest_5(433), 435);
  EXPECT_EQ(round_to_nearest_5(452.49), 450);
  EXPECT_EQ(round_to_nearest_5(-2.5), -5);
  EXPECT_EQ(round_to_nearest_5(-7), -5);
}

TEST(Disclosure, SuppressesCountsOfOneToFourAndOneMoreWhenOnlyOneWouldBeHidden) {
  // Two small counts hide each other; zero and counts of 5 or more stay.
  EXPECT_EQ(suppress_small_counts({182, 3, 0, 4, 240}),
            (std::vector<std::optional<double>>{182, std::nullopt, 0, std::nullopt, 240}));
  // One small count alone could be worked out from a total: the next smallest count goes too.
  EXPECT_EQ(suppress_small_counts({433, 182, 3, 5, 0, 243}),
            (std::vector<std::optional<double>>{433, 182, std::nullopt, std::nullopt, 0, 243}));
  EXPECT_EQ(suppress_small_counts({10, 20}), (std::vector<std::optional<double>>{10, 20}));
}

TEST(Disclosure, PublishedForecastSuppressesTheRecordedStartAndRoundsTheForecast) {
  const Labels labels = Labels::read(kPlots);
  const Date origin = make_date(2025, 2, 28);
  Table table{"forecast.csv", false, {"mean", "p05", "p50", "p95"}, {}};
  table.rows = {{"", "children_looked_after", "all", origin, {433, 433, 433, 433}},
                {"", "children_looked_after", "foster_in_house", origin, {430, 430, 430, 430}},
                {"", "children_looked_after", "parent_and_child", origin, {3, 3, 3, 3}},
                {"", "children_looked_after", "all", make_date(2025, 3, 31), {431.784, 421, 432, 443}},
                {"", "stability_short_term", "all", make_date(2025, 3, 31), {13.46, 10.8, 13.5, 16.1}}};
  const Table published = publish_forecast(table, origin, labels);
  EXPECT_EQ(published.rows[0].values[0], 433) << "recorded counts of 5 or more are shown exactly";
  EXPECT_EQ(published.rows[1].values[0], std::nullopt) << "else the total would give the hidden 3 away";
  EXPECT_EQ(published.rows[2].values[2], std::nullopt);
  EXPECT_EQ(published.rows[3].values, (std::vector<std::optional<double>>{430, 420, 430, 445}));
  EXPECT_EQ(published.rows[4].values, table.rows[4].values) << "percentages are not counts";
}

TEST(Format, NumbersAndIntervalsReadAsABoardPaperWritesThem) {
  EXPECT_EQ(format_fixed(1234567.891, 1), "1,234,567.9");
  EXPECT_EQ(format_fixed(-0.01, 0), "0");
  EXPECT_EQ(format_value(25'456'000, Unit::pounds), "£25.5m");
  EXPECT_EQ(format_value(-450'000, Unit::pounds), "-£450k");
  EXPECT_EQ(describe_interval(431, 452, 476, Unit::count), "median 452 (90% interval 431-476)");
  EXPECT_EQ(describe_interval(-3, 1, 2, Unit::count), "median 1 (90% interval -3 to 2)");
  EXPECT_EQ(describe_interval(433, 433, 433, Unit::count), "433 in every run");
  EXPECT_EQ(describe_interval(std::nullopt, std::nullopt, std::nullopt, Unit::count), "c");
}

TEST(Format, FinancialYearsSayWhenTheForecastCoversOnlyPartOfThem) {
  const Date origin = make_date(2025, 2, 28);
  EXPECT_EQ(financial_year_label(make_date(2025, 3, 31), origin), "2024-25 (1 month)");
  EXPECT_EQ(financial_year_label(make_date(2026, 3, 31), origin), "2025-26");
  EXPECT_EQ(financial_year_label(make_date(2030, 2, 28), origin), "2029-30 (11 months)");
  EXPECT_EQ(financial_year_label(make_date(2029, 4, 30), origin), "2029-30 (1 month)");
  EXPECT_EQ(format_value(0.156, Unit::probability), "0.16") << "a probability is not a count";
  EXPECT_EQ(format_value(-768162, Unit::pounds), "-£768k");
  EXPECT_EQ(format_value(-0.3, Unit::pounds), "£0") << "no minus sign on nothing";
}

TEST(Html, Base64AndEscaping) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(escape_html("<a href=\"x\">Tom & Jo's</a>"), "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jo&#39;s&lt;/a&gt;");
}

// ---------------------------------------------------------------------------------------------
// The board pack

class BoardPack : public testing::TemporaryFolderTest {
 protected:
  // A copy of a fixture whose run.json names this source tree's default scenario (the fixture
  // names it relative to its own folder, which the copy is not in).
  fs::path copy_fixture(const std::string& name) {
    const fs::path folder = dir_ / name;
    fs::copy(kData / name, folder, fs::copy_options::recursive);
    std::string json = read_file(folder / "run.json");
    json = std::regex_replace(json, std::regex("\"scenario_path\" : \"[^\"]*\""),
                              "\"scenario_path\" : \"" CARECAST_SCENARIO_DIR "/default.toml\"");
    std::ofstream(folder / "run.json") << json;
    return folder;
  }

  // Nothing but the folders the test made: no staging folder left behind.
  void expect_no_staging_folder() {
    for (const auto& entry : fs::directory_iterator(dir_)) {
      EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();
    }
  }
};

void expect_chart_files(const fs::path& charts, const std::vector<std::string>& stems) {
  for (const std::string& stem : stems) {
    for (const char* extension : {".png", ".svg", ".pdf"}) {
      const fs::path file = charts / (stem + extension);
      EXPECT_TRUE(fs::exists(file) && fs::file_size(file) > 5000) << file;
    }
  }
}

TEST_F(BoardPack, ReportFromARunHasTheChartsWorkbookAndSelfContainedPage) {
  const fs::path run = copy_fixture("report-fixture");
  const Outcome outcome = carecast("report " + run.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("Board pack: " + (run / "report.html").string()), std::string::npos)
      << outcome.output;
  EXPECT_NE(outcome.output.find("Children looked after: 433 at 28 February 2025 (recorded); at 31 March 2026: median"),
            std::string::npos)
      << outcome.output;

  const std::string html = read_file(run / "report.html");
  for (const char* part : {"Key figures", "Charts", "Assumptions", "Method", "How to read an interval",
                           "Disclosure control", "Not for publication", "Children looked after at the start",
                           "(90% interval "}) {
    EXPECT_NE(html.find(part), std::string::npos) << part;
  }
  // Self-contained: every image embedded, nothing fetched, no script.
  EXPECT_NE(html.find("src=\"data:image/png;base64,"), std::string::npos);
  EXPECT_EQ(std::regex_search(html, std::regex("(src|href)=\"(https?:|file:|//)")), false);
  EXPECT_EQ(html.find("<script"), std::string::npos);

  // Every chart in the index is drawn, or left out for want of data and said so on the page.
  expect_chart_files(run / "charts", {"children_looked_after", "children_looked_after_by_placement", "placement_mix"});
  const CsvTable index = CsvTable::read(run / "charts" / "index.csv");
  int skipped = 0;
  for (std::size_t r = 0; r < index.row_count(); ++r) {
    const std::string stem(index.field(r, index.require_column("chart")));
    const std::string reason(index.field(r, index.require_column("skipped")));
    if (reason.empty()) continue;
    ++skipped;
    EXPECT_FALSE(fs::exists(run / "charts" / (stem + ".png"))) << stem;
    EXPECT_NE(html.find(escape_html(reason)), std::string::npos) << reason;
  }
  EXPECT_GT(skipped, 0) << "the engine's fixture has no comparison";
  EXPECT_NE(html.find("Charts not drawn"), std::string::npos);
  const Outcome dpi = python(shell_quote(kChecks.string()) + " dpi " + (run / "charts" / "children_looked_after.png").string() +
                             " " + (run / "charts" / "placement_mix.png").string());
  EXPECT_EQ(dpi.exit_code, 0) << dpi.output;

  const Outcome workbook = python(shell_quote(kChecks.string()) + " workbook " + run.string());
  EXPECT_EQ(workbook.exit_code, 0) << workbook.output;
  expect_no_staging_folder();
}

TEST_F(BoardPack, ReportOpensInHeadlessChromiumWithoutConsoleErrorsAndIsNotBlank) {
  const fs::path run = copy_fixture("report-fixture-full");
  const Outcome report = carecast("report " + run.string());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const fs::path screenshot = dir_ / "report.png";
  // Logging to stderr at level 0 prints each console message as "CONSOLE(...)"; the page has no
  // script, so any console message (a failed resource, a script error) is a fault.
  const Outcome browser = shell(
      "chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
      "--disable-component-update --disable-sync --hide-scrollbars --window-size=1200,3000 --user-data-dir=" +
      shell_quote((dir_ / "chromium-profile").string()) + " --screenshot=" + shell_quote(screenshot.string()) +
      " --enable-logging=stderr --v=0 " + shell_quote("file://" + (run / "report.html").string()));
  ASSERT_EQ(browser.exit_code, 0) << browser.output;
  EXPECT_EQ(browser.output.find("CONSOLE"), std::string::npos) << browser.output;
  EXPECT_EQ(browser.output.find("Uncaught"), std::string::npos) << browser.output;
  ASSERT_TRUE(fs::exists(screenshot)) << browser.output;
  const Outcome shown = python(shell_quote(kChecks.string()) + " not-blank " + screenshot.string());
  EXPECT_EQ(shown.exit_code, 0) << shown.output;
}

TEST_F(BoardPack, ReportWithEveryMetricDrawsEveryChartAndItsWorkbookMatchesTheCsv) {
  const fs::path run = copy_fixture("report-fixture-full");
  const Outcome outcome = carecast("report " + run.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  expect_chart_files(run / "charts", {"children_looked_after", "children_looked_after_by_placement", "placement_mix",
                                      "foster_capacity", "stability", "repeat_entries", "cost_by_financial_year",
                                      "care_leavers",
                                      "option_comparison", "option_cost_drivers"});
  const std::string html = read_file(run / "report.html");
  EXPECT_EQ(html.find("Charts not drawn"), std::string::npos);
  EXPECT_NE(html.find("Options against the base scenario"), std::string::npos);
  EXPECT_NE(html.find("Placement cost in the financial year: in 2025-26: median £"), std::string::npos);
  const Outcome workbook = python(shell_quote(kChecks.string()) + " workbook " + run.string());
  EXPECT_EQ(workbook.exit_code, 0) << workbook.output;
  // The care leavers chart and the workbook's Care leavers by year sheet (checked with the workbook above) say
  // what forecast.csv holds.
  const Outcome care_leavers = python(shell_quote(kChecks.string()) + " care-leavers-chart " + run.string());
  EXPECT_EQ(care_leavers.exit_code, 0) << care_leavers.output;
  // The forecast starts on 28 February 2025: 2024-25 is one month, never charted as a whole year.
  const Outcome part_years = python(shell_quote(kChecks.string()) + " part-years " + run.string());
  EXPECT_EQ(part_years.exit_code, 0) << part_years.output;
}

TEST_F(BoardPack, PublishSuppressesSmallRecordedCountsAndRoundsForecastCounts) {
  const fs::path run = copy_fixture("report-fixture-full");
  const Outcome outcome = carecast("report --publish " + run.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  // The workbook against the rule, written out independently in report_checks.py.
  const Outcome workbook = python(shell_quote(kChecks.string()) + " workbook " + run.string() + " --publish");
  EXPECT_EQ(workbook.exit_code, 0) << workbook.output;
  EXPECT_FALSE(fs::exists(run / "report.html")) << "the published pack is in a folder of its own";
  const std::string html = read_file(run / "published" / "report.html");
  EXPECT_NE(html.find("For publication."), std::string::npos);
  EXPECT_NE(html.find("Forecast counts are rounded to the nearest 5"), std::string::npos) << "the rule is stated";
  // 3 children in parent-and-child placements at the start, and 5 in secure and other residential
  // (the next smallest, which with the total would give the 3 away).
  EXPECT_NE(html.find("<tr><td>Parent and child placements</td><td class=\"number\">c</td>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>Secure, custody and other residential</td><td class=\"number\">c</td>"),
            std::string::npos);
  // Every forecast count in words is a multiple of 5.
  const std::regex figure("(median|interval) (\\d+)");
  const std::string words = outcome.output.substr(0, outcome.output.find("Children with 3"));
  int checked = 0;
  for (std::sregex_iterator it(words.begin(), words.end(), figure), end; it != end; ++it, ++checked) {
    EXPECT_EQ(std::stoi((*it)[2]) % 5, 0) << (*it)[0];
  }
  EXPECT_GT(checked, 3);
}

TEST_F(BoardPack, MissingFolderIsABadInputNamingItAndWritesNothing) {
  const fs::path missing = dir_ / "nowhere";
  const Outcome outcome = carecast("report " + missing.string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find(missing.string() + ": no such folder"), std::string::npos) << outcome.output;
  EXPECT_FALSE(fs::exists(missing));
  expect_no_staging_folder();
}

TEST_F(BoardPack, MalformedForecastIsABadInputNamingFileLineAndColumnAndLeavesNoPartialReport) {
  const fs::path run = copy_fixture("report-fixture");
  std::string csv = read_file(run / "forecast.csv");
  // Line 3's median becomes text.
  std::size_t line_start = csv.find('\n', csv.find('\n') + 1) + 1;
  std::size_t field = line_start;
  for (int i = 0; i < 6; ++i) field = csv.find(',', field) + 1;
  csv.replace(field, csv.find(',', field) - field, "many");
  std::ofstream(run / "forecast.csv") << csv;
  const Outcome outcome = carecast("report " + run.string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("forecast.csv:3:7: 'p50': expected a number"), std::string::npos) << outcome.output;
  EXPECT_FALSE(fs::exists(run / "report.html"));
  EXPECT_FALSE(fs::exists(run / "forecast.xlsx"));
  EXPECT_FALSE(fs::exists(run / "charts"));
  expect_no_staging_folder();
}

TEST_F(BoardPack, MissingRunJsonOrForecastIsABadInput) {
  const fs::path run = copy_fixture("report-fixture");
  fs::remove(run / "run.json");
  Outcome outcome = carecast("report " + run.string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("run.json: missing"), std::string::npos) << outcome.output;
  fs::remove(run / "forecast.csv");
  outcome = carecast("report " + run.string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("holds neither forecast.csv nor comparison.csv"), std::string::npos) << outcome.output;
  EXPECT_FALSE(fs::exists(run / "report.html"));
}

// A backtest from SSDA903 returns becomes a page of how well the model forecast before: its scores
// by category as backtest_summary.csv gives them, a true sentence on the total, the total's chart.
// It holds recorded counts by month, so it is never published.
TEST_F(BoardPack, BacktestFolderBecomesAPageOfHowWellTheModelForecastBefore) {
  const fs::path folder = dir_ / "backtest";
  const Outcome backtest = carecast("backtest " + (kData / "ssda903-sample").string() +
                                    " --origin 2020-03-31 --horizon-months 12 --runs 20 --seed 3 --quiet --out " +
                                    folder.string());
  ASSERT_EQ(backtest.exit_code, 0) << backtest.output;
  const Outcome outcome = carecast("report " + folder.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("Backtest report: " + (folder / "report.html").string()), std::string::npos)
      << outcome.output;
  const std::string html = read_file(folder / "report.html");
  EXPECT_NE(html.find("How well has this model forecast before?"), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/png;base64,"), std::string::npos);
  expect_chart_files(folder / "charts", {"backtest_all"});
  const Outcome page = python(shell_quote(kChecks.string()) + " backtest " + folder.string());
  EXPECT_EQ(page.exit_code, 0) << page.output;

  const Outcome published = carecast("report " + folder.string() + " --publish");
  EXPECT_EQ(published.exit_code, 2) << published.output;
  EXPECT_NE(published.output.find("--publish"), std::string::npos) << published.output;
  expect_no_staging_folder();
}

// Each chart script on its own, from a fixture folder: its files, or a clean skip.
TEST_F(BoardPack, EachPlotScriptProducesItsFilesFromAFixtureFolder) {
  const std::vector<std::pair<std::string, std::vector<std::string>>> scripts = {
      {"fan_chart.py", {"children_looked_after", "children_looked_after_by_placement"}},
      {"placement_mix.py", {"placement_mix"}},
      {"foster_capacity.py", {"foster_capacity"}},
      {"stability.py", {"stability"}},
      {"cost.py", {"cost_by_financial_year"}},
      {"care_leavers.py", {"care_leavers"}},
      {"option_comparison.py", {"option_comparison"}},
      {"option_cost_drivers.py", {"option_cost_drivers"}}};
  for (const auto& [script, stems] : scripts) {
    const fs::path out = dir_ / script;
    const Outcome outcome =
        python(shell_quote((kPlots / script).string()) + " " + (kData / "report-fixture-full").string() + " --out " +
               out.string());
    EXPECT_EQ(outcome.exit_code, 0) << script << ": " << outcome.output;
    expect_chart_files(out, stems);
  }
  // Without the metrics it needs, a script draws nothing and says why, without failing.
  const Outcome skipped = python(shell_quote((kPlots / "cost.py").string()) + " " +
                                 (kData / "report-fixture").string() + " --out " + (dir_ / "skipped").string());
  EXPECT_EQ(skipped.exit_code, 0) << skipped.output;
  EXPECT_NE(skipped.output.find("skipped cost: the forecast has no cost_financial_year rows"), std::string::npos)
      << skipped.output;
  EXPECT_FALSE(fs::exists(dir_ / "skipped" / "cost_by_financial_year.png"));
}

}  // namespace
}  // namespace carecast::report
