// A published care_leavers figure at the origin sets the starting care leavers (issue 14): the rule on
// hand-made counts, calibrate --figures, and fit (its report lists the figure, its scenario starts from it).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "calibration/care_leavers_from_figures.hpp"
#include "calibration/care_leavers_from_returns.hpp"
#include "fitting/fitted_scenario_writer.hpp"
#include "fitting/published_fit.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;
namespace fs = std::filesystem;

const Date kOrigin = make_date(2025, 2, 28);

PublishedFigure care_leavers_figure(std::uint32_t bands, double value, Date date = kOrigin) {
  PublishedFigure f;
  f.metric = FigureMetric::care_leavers;
  f.category = bands == 0 ? FigureCategory{} : FigureCategory{FigureCategory::Kind::care_leaver_age_band, bands};
  f.date = date;
  f.value = value;
  return f;
}

PublishedFigures figures_of(std::vector<PublishedFigure> list) {
  PublishedFigures figures;
  figures.file = "figures.csv";
  figures.figures = std::move(list);
  return figures;
}

std::array<int, kCareLeaverAgeBandCount> band_totals(const CareLeaverSettings& s) {
  std::array<int, kCareLeaverAgeBandCount> totals{};
  for (const auto& bands : s.starting_count) {
    for (std::size_t b = 0; b < bands.size(); ++b) totals[b] += bands[b];
  }
  return totals;
}

std::string joined(const std::vector<std::string>& notes) {
  std::string text;
  for (const std::string& note : notes) text += note + "\n";
  return text;
}

constexpr std::uint32_t k18To20 = 1u;
constexpr std::uint32_t k21To25 = 2u;

TEST(CareLeaversFromFigures, TheTotalScalesBothBandsKeepingTheirStatusShares) {
  CareLeaverSettings s = shipped_default_care_leavers();  // 180 and 150
  const auto notes = set_care_leavers_from_figures(s, figures_of({care_leavers_figure(0, 220)}), kOrigin);
  // 220 x 180 / 330 = 120, and the 100 left.
  EXPECT_EQ(band_totals(s), (std::array<int, 2>{120, 100}));
  // Statuses of 18 to 20 in 25 : 5 : 70 : 60 : 20 of 180 (16.67, 3.33, 46.67, 40, 13.33).
  EXPECT_EQ(s.starting_count[0][0], 17);
  EXPECT_EQ(s.starting_count[1][0], 3);
  EXPECT_EQ(s.starting_count[2][0], 47);
  EXPECT_EQ(s.starting_count[3][0], 40);
  EXPECT_EQ(s.starting_count[4][0], 13);
  EXPECT_EQ(s.starting_count[0][1], 0);  // nobody staying put after 21
  EXPECT_NE(joined(notes).find("120 aged 18 to 20 and 100 aged 21 to 25 (before: 180 and 150)"), std::string::npos)
      << joined(notes);
}

TEST(CareLeaversFromFigures, BandFiguresSetTheirBandsAndTheTotalTheRest) {
  CareLeaverSettings s = shipped_default_care_leavers();
  set_care_leavers_from_figures(s, figures_of({care_leavers_figure(k18To20, 200)}), kOrigin);
  EXPECT_EQ(band_totals(s), (std::array<int, 2>{200, 150}));  // the other band is left alone

  s = shipped_default_care_leavers();
  set_care_leavers_from_figures(s, figures_of({care_leavers_figure(0, 330), care_leavers_figure(k21To25, 100)}),
                                kOrigin);
  EXPECT_EQ(band_totals(s), (std::array<int, 2>{230, 100}));

  s = shipped_default_care_leavers();
  set_care_leavers_from_figures(
      s, figures_of({care_leavers_figure(k18To20, 190), care_leavers_figure(k21To25, 140)}), kOrigin);
  EXPECT_EQ(band_totals(s), (std::array<int, 2>{190, 140}));
  // The sum of both bands is the total.
  s = shipped_default_care_leavers();
  set_care_leavers_from_figures(s, figures_of({care_leavers_figure(k18To20 | k21To25, 33)}), kOrigin);
  EXPECT_EQ(band_totals(s), (std::array<int, 2>{18, 15}));
}

TEST(CareLeaversFromFigures, OnlyFiguresAtTheOriginCountAndAScenarioWithoutCareLeaversIsLeftAlone) {
  CareLeaverSettings s = shipped_default_care_leavers();
  const auto unchanged = s.starting_count;
  EXPECT_TRUE(set_care_leavers_from_figures(s, figures_of({care_leavers_figure(0, 307, make_date(2024, 2, 29))}),
                                            kOrigin)
                  .empty());
  EXPECT_EQ(s.starting_count, unchanged);
  CareLeaverSettings none;
  const auto notes = set_care_leavers_from_figures(none, figures_of({care_leavers_figure(0, 330)}), kOrigin);
  EXPECT_NE(joined(notes).find("is not used: the scenario has no [care_leavers]"), std::string::npos);
  EXPECT_EQ(band_totals(none), (std::array<int, 2>{0, 0}));
  // A band that held nobody takes the statuses a young person starts in.
  CareLeaverSettings empty = shipped_default_care_leavers();
  for (auto& bands : empty.starting_count) bands = {0, 0};
  set_care_leavers_from_figures(empty, figures_of({care_leavers_figure(k21To25, 20)}), kOrigin);
  EXPECT_EQ(empty.starting_count[2][1], 11);  // 0.55 x 20
  EXPECT_EQ(empty.starting_count[3][1], 6);
  EXPECT_EQ(empty.starting_count[4][1], 3);
}

using CareLeaverFigures = TemporaryFolderTest;

// calibrate's care-leaver assumptions are the shipped scenario's own [care_leavers], read from it
// (default_scenario_path(), which CARECAST_SCENARIO_DIR moves), so they cannot drift from it.
TEST_F(CareLeaverFigures, ShippedAssumptionsAreReadFromTheShippedScenario) {
  const CareLeaverSettings shipped = shipped_default_care_leavers();
  const Scenario scenario = load_scenario(default_scenario_path());
  EXPECT_EQ(shipped.hazard_per_year, scenario.care_leavers.hazard_per_year);
  EXPECT_EQ(shipped.starting_count, scenario.care_leavers.starting_count);
  write("default.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n"
                        "[care_leavers]\nstaying_close_probability = 0.45\n"
                        "[care_leavers.weekly_cost]\nindependent = 120\n");
  ASSERT_EQ(setenv("CARECAST_SCENARIO_DIR", dir_.c_str(), 1), 0);
  const CareLeaverSettings moved = shipped_default_care_leavers();
  ASSERT_EQ(unsetenv("CARECAST_SCENARIO_DIR"), 0);
  EXPECT_DOUBLE_EQ(moved.staying_close_probability, 0.45);
  EXPECT_DOUBLE_EQ(moved.weekly_cost[static_cast<std::size_t>(CareLeaverStatus::independent)], 120);
  EXPECT_NE(shipped.staying_close_probability, 0.45);
  EXPECT_EQ(moved.starting_count, shipped.starting_count);
}

TEST_F(CareLeaverFigures, CalibrateTakesTheCouncilsCountAtTheAsOfDate) {
  const fs::path figures = write("figures.csv",
                                 "metric,category,period_start,date,value\n"
                                 "care_leavers,all,,2021-03-31,45\ncare_leavers,21_to_25,,2021-03-31,15\n");
  const fs::path out = dir_ / "calibrated.toml";
  const CommandOutcome outcome =
      run_carecast("calibrate " CARECAST_TEST_DATA_DIR "/ssda903-sample --as-of 2021-03-31 --cross-validation off "
                   "--drift off --quiet --figures " + figures.string() + " --out " + out.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("Care leavers at 2021-03-31 from the published figures: 30 aged 18 to 20 and 15 "
                                "aged 21 to 25"),
            std::string::npos)
      << outcome.output;
  const Scenario scenario = load_scenario(out);
  EXPECT_EQ(band_totals(scenario.care_leavers), (std::array<int, 2>{30, 15}));
}

TEST_F(CareLeaverFigures, FitListsTheFigureAndStartsTheFittedScenarioFromIt) {
  std::ifstream small(fs::path(CARECAST_TEST_DATA_DIR) / "fit" / "small.csv");
  std::stringstream text;
  text << small.rdbuf() << "care_leavers,all,,2024-03-31,300\ncare_leavers,18_to_20,,2024-03-31,170\n";
  const fs::path file = write("figures.csv", text.str());
  const PublishedFigures figures = read_published_figures(file);
  const fs::path base_file = fs::path(CARECAST_SCENARIO_DIR) / "default.toml";
  const Scenario base = load_scenario(base_file);
  FitOptions options;
  options.runs = 60;
  options.rounds = 1;
  options.threads = 1;
  const FitResult fit = fit_to_figures(base, figures, options);
  EXPECT_EQ(band_totals(fit.fitted.care_leavers), (std::array<int, 2>{170, 130}));
  const std::string report = fit_figures_csv(fit, figures);
  EXPECT_NE(report.find("care_leavers,all,,2024-03-31,300,no,,,,flag,care leavers are not fitted; used as the "
                        "fitted scenario's care leavers at the origin"),
            std::string::npos)
      << report;
  EXPECT_NE(fit_report_text(fit, figures).find("Care leavers at 2024-03-31 from the published figures"),
            std::string::npos);
  const fs::path fitted_file = dir_ / "fitted.toml";
  std::ofstream(fitted_file) << fitted_scenario_toml(fit, base, base_file.string(), figures);
  const Scenario fitted = load_scenario(fitted_file);
  EXPECT_EQ(fitted.care_leavers.starting_count, fit.fitted.care_leavers.starting_count);
  EXPECT_EQ(fitted.care_leavers.hazard_per_year, base.care_leavers.hazard_per_year);
}

}  // namespace
}  // namespace carecast
