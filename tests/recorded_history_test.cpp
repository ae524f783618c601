// Recorded history before the origin (output/recorded_history.hpp): what calibrate and fit write beside
// the scenario, and what run and compare carry into their folders for the report's charts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"
#include "output/recorded_history.hpp"
#include "output/report_charts.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Date date(const char* iso) { return *parse_date(iso); }

class RecordedHistory : public testing::TemporaryFolderTest {};

TEST_F(RecordedHistory, FiguresGiveTheTotalAndSinglePlacementsBeforeTheOriginOnly) {
  const fs::path file = write("figures.csv",
                              "metric,category,period_start,date,value\n"
                              "children_looked_after,all,,2023-03-31,410\n"
                              "children_looked_after,foster_agency,,2023-03-31,60\n"
                              "children_looked_after,foster_in_house+foster_agency,,2023-03-31,200\n"
                              "children_looked_after,all,,2024-03-31,430\n"
                              "children_looked_after,all,,2025-03-31,450\n"
                              "entries,all,2023-04-01,2024-03-31,150\n"
                              "uasc_looked_after,all,,2024-03-31,40\n");
  const std::vector<RecordedFigure> rows =
      recorded_history_from_figures(read_published_figures(file), date("2025-03-31"));
  // A sum of categories has no forecast row; flows and other stocks are not drawn; the origin's own
  // figure is the forecast's start.
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(recorded_history_csv(rows),
            "metric,category,date,value\n"
            "children_looked_after,all,2023-03-31,410\n"
            "children_looked_after,foster_agency,2023-03-31,60\n"
            "children_looked_after,all,2024-03-31,430\n");
}

TEST_F(RecordedHistory, MergeKeepsTheFirstSourcesFigureForADate) {
  const std::vector<RecordedFigure> returns = {{"children_looked_after", "all", date("2024-03-31"), 431}};
  const std::vector<RecordedFigure> figures = {{"children_looked_after", "all", date("2023-03-31"), 410},
                                               {"children_looked_after", "all", date("2024-03-31"), 430}};
  const std::vector<RecordedFigure> merged = merge_recorded_history(returns, figures);
  ASSERT_EQ(merged.size(), 2u);
  EXPECT_EQ(merged[0].date, date("2023-03-31"));
  EXPECT_EQ(merged[1].value, 431);
}

TEST_F(RecordedHistory, BesideAScenarioItIsReadUpToTheOriginAndABadValueIsNamed) {
  const fs::path scenario = write("council.toml", "");
  EXPECT_EQ(recorded_history_csv_path(scenario), dir_ / "council-history.csv");
  EXPECT_TRUE(read_recorded_history_beside(scenario, date("2025-03-31")).empty()) << "no file: no history";
  write("council-history.csv",
        "metric,category,date,value\n"
        "children_looked_after,all,2024-03-31,430\n"
        "children_looked_after,all,2025-03-31,450\n");
  const std::vector<RecordedFigure> rows = read_recorded_history_beside(scenario, date("2025-03-31"));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value, 430);
  write("council-history.csv",
        "metric,category,date,value\n"
        "children_looked_after,all,2024-03-31,-3\n");
  try {
    read_recorded_history_beside(scenario, date("2025-03-31"));
    FAIL() << "a negative count was read";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("council-history.csv"), std::string::npos) << message;
    EXPECT_NE(message.find(":2:"), std::string::npos) << message;
    EXPECT_NE(message.find("value"), std::string::npos) << message;
  }
  write("council-history.csv",
        "metric,category,date,value\n"
        "children_looked_after,fostered,2024-03-31,3\n");
  EXPECT_THROW(read_recorded_history_beside(scenario, date("2025-03-31")), InputError);
}

// calibrate writes the returns' 31 March counts beside the scenario; run and compare carry them into
// their folders; report puts them in the workbook.
TEST_F(RecordedHistory, ACalibratedRunCarriesTheReturnsHistoryToItsReport) {
  const std::string data = std::string(CARECAST_TEST_DATA_DIR) + "/ssda903-sample";
  const fs::path scenario = dir_ / "council.toml";
  const testing::CommandOutcome calibrated = testing::run_carecast(
      "calibrate " + data + " --as-of 2021-03-31 --cross-validation off --drift off --quiet --out " +
      scenario.string());
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.output;
  const fs::path history = dir_ / "council-history.csv";
  ASSERT_TRUE(fs::exists(history)) << calibrated.output;

  // Each 31 March the returns cover in full before the origin (the earliest, 2017's, covers April 2017 to
  // March 2018), with a total that the placement categories add up to.
  const CsvTable csv = CsvTable::read(history);
  std::map<std::string, double> total, by_category;
  for (std::size_t r = 0; r < csv.row_count(); ++r) {
    const std::string category(csv.field(r, 1)), day(csv.field(r, 2));
    const double value = std::stod(std::string(csv.field(r, 3)));
    (category == "all" ? total : by_category)[day] += value;
  }
  EXPECT_EQ(total.size(), 3u) << read_text(history);
  for (const char* day : {"2018-03-31", "2019-03-31", "2020-03-31"}) {
    ASSERT_TRUE(total.contains(day)) << day << "\n" << read_text(history);
    EXPECT_GT(total[day], 0) << day;
    EXPECT_EQ(by_category[day], total[day]) << day;
  }

  const fs::path run = dir_ / "run";
  const testing::CommandOutcome ran =
      testing::run_carecast("run " + scenario.string() + " --runs 20 --seed 1 --quiet --out " + run.string());
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_EQ(read_text(run / "history.csv"), read_text(history));

  // An option shares the base's recorded past: the compare folder and each scenario's folder carry it.
  const fs::path option = write("option.toml", "extends = \"council.toml\"\nname = \"an option\"\n");
  const fs::path compared = dir_ / "compared";
  const testing::CommandOutcome compare = testing::run_carecast("compare " + scenario.string() + " " + option.string() +
                                                                " --runs 20 --seed 1 --quiet --out " + compared.string());
  ASSERT_EQ(compare.exit_code, 0) << compare.output;
  EXPECT_EQ(read_text(compared / "history.csv"), read_text(history));
  EXPECT_EQ(read_text(compared / "an_option" / "history.csv"), read_text(history));

  const testing::CommandOutcome report = testing::run_carecast("report " + run.string());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  EXPECT_TRUE(fs::exists(run / "charts" / "children_looked_after.png")) << report.output;
  // The workbook's Recorded sheet holds history.csv (report_checks.py reads every sheet against its CSV).
  const std::string checks = (fs::path(CARECAST_TEST_DATA_DIR).parent_path() / "report_checks.py").string();
  const testing::CommandOutcome workbook =
      testing::run_carecast_command(report::shell_quote(report::python_interpreter()) + " " + checks + " workbook " + run.string());
  EXPECT_EQ(workbook.exit_code, 0) << workbook.output;
}

}  // namespace
}  // namespace carecast
