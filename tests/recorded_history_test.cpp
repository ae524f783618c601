// Recorded history before the origin (output/recorded_history.hpp): what calibrate and fit write beside
// the scenario, and what run and compare carry into their folders for the report's charts.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "calibration/care_leavers_from_returns.hpp"
#include "core/csv_reader.hpp"
#include "core/errors.hpp"
#include "output/recorded_history.hpp"
#include "output/report_charts.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

using testing::read_text;

Date date(const char* iso) { return *parse_date(iso); }

class RecordedHistory : public testing::TemporaryFolderTest {};

// The care_leavers rows of `rows`, as "date category" -> value.
std::map<std::string, double> care_leaver_rows(const std::vector<RecordedFigure>& rows) {
  std::map<std::string, double> found;
  for (const RecordedFigure& row : rows) {
    if (row.metric == "care_leavers") found[format_iso(row.date) + " " + row.category] = row.value;
  }
  return found;
}

// A young person born on `born`, looked after in one foster placement from `start` to `end`.
ChildHistory looked_after(Date born, Date start, Date end, ExitReason reason) {
  CarePeriod period;
  period.start = start;
  period.end = end;
  period.exit_reason = reason;
  period.exit_code = "E15";
  period.placements = {testing::placement_spell(start, end, Category::foster_in_house)};
  ChildHistory child;
  child.date_of_birth = born;
  child.periods = {period};
  return child;
}

// Returns observed from 1 April 2010 to 31 March 2024, holding by hand:
// - `leaving_2018` young people born from 15 June 2000, in care from 15 to 18 (leaving on 15 June
//   2018): 18 to 20 at 31 March 2019 to 2021, 21 to 25 at 31 March 2022 and 2023;
// - one born 15 June 1996 who left at 18 on 15 June 2014: 18 to 20 at 31 March 2015 to 2017, 21 to
//   25 at 31 March 2018 to 2021, and no longer a care leaver from their 25th birthday (15 June 2021);
// - one who entered care 60 days before their 18th birthday and left on it (short of 13 weeks):
//   never a care leaver.
CareHistory care_leavers_by_hand(int leaving_2018) {
  CareHistory history;
  for (int i = 0; i < leaving_2018; ++i) {
    const Date born = make_date(2000, 6, 15) + std::chrono::days{i};
    history.children.push_back(looked_after(born, add_years(born, 15), add_years(born, 18), ExitReason::aged_18));
  }
  const Date born_1996 = make_date(1996, 6, 15);
  history.children.push_back(
      looked_after(born_1996, add_years(born_1996, 15), add_years(born_1996, 18), ExitReason::aged_18));
  const Date born_2000 = make_date(2000, 1, 10);
  history.children.push_back(looked_after(born_2000, add_years(born_2000, 18) - std::chrono::days{60},
                                          add_years(born_2000, 18), ExitReason::aged_18));
  testing::observe(history, make_date(2010, 4, 1), make_date(2024, 3, 31));
  return history;
}

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

// Care leavers at each 31 March before the origin, counted by hand, in a band only where the returns
// reach back to the 16th birthday of the band's oldest: 5 years for 18 to 20 (from 31 March 2016, as
// they begin on 1 April 2010), 9 for 21 to 25 (from 31 March 2020); `all` only when both are seen.
TEST_F(RecordedHistory, ReturnsGiveCareLeaversInEachBandTheySeeInFull) {
  CareLeaverSettings everyone_supported = shipped_default_care_leavers();
  everyone_supported.support_ends_at_21_probability = 0;
  const std::vector<RecordedFigure> rows =
      recorded_history_from_returns(care_leavers_by_hand(1), date("2023-06-30"), everyone_supported);
  const std::map<std::string, double> expected = {
      // 2015: the 1996 young person is 18, but 18 to 20 is not seen in full yet (no row).
      {"2016-03-31 18_to_20", 1}, {"2017-03-31 18_to_20", 1},  // born 1996, 19 and 20
      {"2018-03-31 18_to_20", 0},  // born 1996 is 21, born 2000 still looked after
      {"2019-03-31 18_to_20", 1},  // born 2000, 18
      {"2020-03-31 18_to_20", 1}, {"2020-03-31 21_to_25", 1}, {"2020-03-31 all", 2},
      {"2021-03-31 18_to_20", 1}, {"2021-03-31 21_to_25", 1}, {"2021-03-31 all", 2},  // born 1996 is 24
      {"2022-03-31 18_to_20", 0}, {"2022-03-31 21_to_25", 1}, {"2022-03-31 all", 1},  // born 1996 is 25
      {"2023-03-31 18_to_20", 0}, {"2023-03-31 21_to_25", 1}, {"2023-03-31 all", 1}};
  EXPECT_EQ(care_leaver_rows(rows), expected);
  // The history's children looked after are there too, in date order with the care leavers.
  EXPECT_TRUE(std::any_of(rows.begin(), rows.end(), [](const RecordedFigure& row) {
    return row.metric == "children_looked_after" && row.category == "all" && row.date == date("2017-03-31") &&
           row.value == 1;
  }));
  EXPECT_TRUE(std::is_sorted(rows.begin(), rows.end(), [](const RecordedFigure& a, const RecordedFigure& b) {
    return a.date < b.date;
  }));
  // Nothing on or after the origin, nor after the returns end.
  EXPECT_FALSE(care_leaver_rows(recorded_history_from_returns(care_leavers_by_hand(1), date("2022-03-31"),
                                                              everyone_supported))
                   .contains("2022-03-31 all"));
}

// Each row is the care_leavers figure a calibration at that 31 March starts from: those aged 21 to 25
// kept in the share who ask for support after 21, as care_leavers_from_returns sets starting_count.
TEST_F(RecordedHistory, CareLeaverRowsAreTheStartingCountsOfACalibrationThen) {
  const CareHistory history = care_leavers_by_hand(10);
  CareLeaverSettings assumptions = shipped_default_care_leavers();
  assumptions.support_ends_at_21_probability = 0.3;
  const std::map<std::string, double> rows =
      care_leaver_rows(recorded_history_from_returns(history, date("2024-03-31"), assumptions));
  // 2023: the ten born in 2000 are 22; 10 x 0.7 ask for support after 21.
  EXPECT_EQ(rows.at("2023-03-31 21_to_25"), 7);
  EXPECT_EQ(rows.at("2021-03-31 18_to_20"), 10);
  EXPECT_EQ(rows.at("2021-03-31 21_to_25"), 1);  // 1 x 0.7, rounded
  for (int year = 2016; year <= 2023; ++year) {
    const Date march_31 = make_date(year, 3, 31);
    const CareLeaversFromReturns calibrated = care_leavers_from_returns(history, march_31, assumptions);
    std::array<int, kCareLeaverAgeBandCount> starting{};
    for (const auto& bands : calibrated.settings.starting_count) {
      for (std::size_t band = 0; band < starting.size(); ++band) starting[band] += bands[band];
    }
    const std::string day = format_iso(march_31) + " ";
    for (std::size_t band = 0; band < starting.size(); ++band) {
      const std::string key = day + std::string(kCareLeaverAgeBandNames[band]);
      EXPECT_EQ(rows.contains(key), calibrated.band_fully_seen[band]) << key;
      if (rows.contains(key)) EXPECT_EQ(rows.at(key), starting[band]) << key;
    }
    EXPECT_EQ(rows.contains(day + "all"), calibrated.band_fully_seen[0] && calibrated.band_fully_seen[1]) << year;
    if (rows.contains(day + "all")) EXPECT_EQ(rows.at(day + "all"), starting[0] + starting[1]) << year;
  }
}

TEST_F(RecordedHistory, FiguresGiveCareLeaversBeforeTheOrigin) {
  const fs::path file = write("figures.csv",
                              "metric,category,period_start,date,value\n"
                              "care_leavers,all,,2022-03-31,290\n"
                              "care_leavers,18_to_20+21_to_25,,2022-03-31,295\n"
                              "care_leavers,18_to_20+21_to_25,,2023-03-31,300\n"
                              "care_leavers,all,,2024-03-31,310\n"
                              "care_leavers,18_to_20,,2024-03-31,170\n"
                              "care_leavers,21_to_25,,2024-03-31,140\n"
                              "care_leavers,all,,2025-03-31,330\n");
  // Both bands together are `all` (the council's own `all` kept where it gives both); the origin's
  // figure is the forecast's start.
  EXPECT_EQ(recorded_history_csv(recorded_history_from_figures(read_published_figures(file), date("2025-03-31"))),
            "metric,category,date,value\n"
            "care_leavers,all,2022-03-31,290\n"
            "care_leavers,all,2023-03-31,300\n"
            "care_leavers,18_to_20,2024-03-31,170\n"
            "care_leavers,21_to_25,2024-03-31,140\n"
            "care_leavers,all,2024-03-31,310\n");
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
  // Care leavers by age band are read; a placement category of care leavers, or an age band of
  // children looked after, is not.
  write("council-history.csv",
        "metric,category,date,value\n"
        "care_leavers,18_to_20,2024-03-31,170\n"
        "care_leavers,all,2024-03-31,310\n");
  EXPECT_EQ(read_recorded_history_beside(scenario, date("2025-03-31")).size(), 2u);
  write("council-history.csv",
        "metric,category,date,value\n"
        "care_leavers,foster_in_house,2024-03-31,3\n");
  EXPECT_THROW(read_recorded_history_beside(scenario, date("2025-03-31")), InputError);
  write("council-history.csv",
        "metric,category,date,value\n"
        "children_looked_after,21_to_25,2024-03-31,3\n");
  EXPECT_THROW(read_recorded_history_beside(scenario, date("2025-03-31")), InputError);
  write("council-history.csv",
        "metric,category,date,value\n"
        "care_leaver,all,2024-03-31,3\n");
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
    if (csv.field(r, 0) != "children_looked_after") continue;
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

// The recorded care leavers end where the forecast of a calibration at that 31 March begins: calibrate
// counts them for the history as it counts them for the starting position, the 21 to 25 year olds in
// the same share, so the line a report draws runs into the forecast's origin.
TEST_F(RecordedHistory, TheRecordedCareLeaversMeetTheForecastOfACalibrationThen) {
  // Synthetic returns of the shipped default (collection years 2025-26 to 2033-34), and one earlier
  // return of 2021-22, so that they begin on 1 April 2021: far enough back to see every care leaver
  // aged 18 to 25 at 31 March 2032 (synth writes at most 10 years).
  const fs::path returns = dir_ / "returns";
  const testing::CommandOutcome synth =
      testing::run_carecast("synth --years 10 --seed 3 --out " + returns.string());
  ASSERT_EQ(synth.exit_code, 0) << synth.output;
  write("returns/2021-header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n900001,1,01/01/2012,WBRI,A000000000001,,\n");
  write("returns/2021-episodes.csv",
        "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
        "900001,01/06/2021,S,C2,N1,U4,PR1,01/09/2021,E4A,,,,\n");
  const auto calibrate = [&](const char* as_of, const fs::path& scenario) {
    const testing::CommandOutcome outcome =
        testing::run_carecast("calibrate " + returns.string() + " --as-of " + as_of +
                              " --cross-validation off --drift off --quiet --out " + scenario.string());
    ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  };
  const fs::path then = dir_ / "then.toml";
  const fs::path now = dir_ / "now.toml";
  calibrate("2032-03-31", then);
  calibrate("2033-03-31", now);
  const std::map<std::string, double> recorded = care_leaver_rows(read_recorded_history_beside(now, date("2033-03-31")));
  ASSERT_FALSE(recorded.empty()) << read_text(recorded_history_csv_path(now));
  EXPECT_EQ(recorded.rbegin()->first, "2032-03-31 all") << "the last 31 March before the origin is the last point";

  // The calibrated scenario runs as written (the synthetic returns hold no in-house children's home).
  const fs::path run = dir_ / "then-run";
  const testing::CommandOutcome ran =
      testing::run_carecast("run " + then.string() + " --runs 5 --seed 1 --quiet --out " + run.string());
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  const auto forecast = testing::read_forecast_csv(run / "forecast.csv");
  for (const char* category : {"all", "18_to_20", "21_to_25"}) {
    const std::string key = std::string("care_leavers,") + category + ",2032-03-31";
    ASSERT_TRUE(forecast.contains(key)) << key;
    EXPECT_EQ(forecast.at(key).p05, forecast.at(key).p95) << key << ": the origin is recorded, not drawn";
    const std::string row = std::string("2032-03-31 ") + category;
    ASSERT_TRUE(recorded.contains(row)) << row;
    EXPECT_EQ(recorded.at(row), forecast.at(key).p50) << key;
    EXPECT_GT(recorded.at(row), 0) << row;
  }
}

}  // namespace
}  // namespace carecast
