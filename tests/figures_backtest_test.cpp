// Backtest from published figures: the fit sees only the figures up to the origin, each later figure is scored
// from the forecast's runs, and persistence is the last figure of its kind.
#include "evaluation/figures_backtest.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "evaluation/forecast_scores.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;
using testing::run_carecast;

class FiguresBacktestTest : public testing::TemporaryFolderTest {};

using testing::read_text;

// Scores worked by hand for the runs 1, 2, 3, 4, 5: type-7 percentiles p05 = 1.2, p25 = 2, p50 = 3, p75 = 4, p95
// = 4.8; E|X - X'| over the 25 ordered pairs is 40/25, so CRPS = E|X - y| - 0.8.
TEST(EnsembleScore, MatchesAHandWorkedCase) {
  const EnsembleScore inside = score_ensemble({5, 1, 3, 2, 4}, 4);
  EXPECT_DOUBLE_EQ(inside.p05, 1.2);
  EXPECT_DOUBLE_EQ(inside.p25, 2);
  EXPECT_DOUBLE_EQ(inside.p50, 3);
  EXPECT_DOUBLE_EQ(inside.p75, 4);
  EXPECT_DOUBLE_EQ(inside.p95, 4.8);
  EXPECT_TRUE(inside.inside_50);  // on the interval's edge counts as inside
  EXPECT_TRUE(inside.inside_90);
  EXPECT_DOUBLE_EQ(inside.crps, (3.0 + 2 + 1 + 0 + 1) / 5 - 0.8);
  EXPECT_DOUBLE_EQ(inside.error, -1);

  const EnsembleScore between = score_ensemble({5, 1, 3, 2, 4}, 4.5);  // in the 90% interval, not the 50%
  EXPECT_FALSE(between.inside_50);
  EXPECT_TRUE(between.inside_90);

  const EnsembleScore outside = score_ensemble({5, 1, 3, 2, 4}, 6);
  EXPECT_FALSE(outside.inside_50);
  EXPECT_FALSE(outside.inside_90);
  EXPECT_DOUBLE_EQ(outside.crps, (5.0 + 4 + 3 + 2 + 1) / 5 - 0.8);
  EXPECT_DOUBLE_EQ(outside.error, -3);
}

constexpr const char* kKnownFigures =
    "metric,category,period_start,date,value\n"
    "children_looked_after,all,,2019-03-31,417\n"
    "children_looked_after,placed_with_parents,,2019-03-31,20\n"
    "entries,all,2018-04-01,2019-03-31,208\n"
    "children_looked_after,all,,2020-03-31,402\n"
    "entries,all,2019-04-01,2020-03-31,191\n"
    "stability_short_term,all,,2020-03-31,7\n";

TEST_F(FiguresBacktestTest, PersistenceIsTheLastFigureOfItsKindBeforeTheOrigin) {
  const PublishedFigures figures = read_published_figures(
      write("figures.csv",
            std::string(kKnownFigures) + "children_looked_after,all,,2021-03-31,999\n"  // after the origin:
                                                                                        // never used
                                         "children_looked_after,all,,2024-03-31,436\n"
                                         "children_looked_after,placed_with_parents,,2024-03-31,22\n"
                                         "entries,all,2024-04-01,2025-02-28,200\n"
                                         "stability_short_term,all,,2024-03-31,12\n"
                                         "uasc_looked_after,all,,2024-03-31,20\n"));
  const PublishedFigures known = figures_known_at(figures, make_date(2020, 3, 31));
  ASSERT_EQ(known.figures.size(), 6u);
  EXPECT_EQ(known.first_day, make_date(2018, 4, 1));
  EXPECT_EQ(known.last_day, make_date(2020, 3, 31));
  const auto later = [&](std::size_t line_index) { return figures.figures[line_index]; };
  // The latest of the same metric and category, not the first, nor the later 999.
  EXPECT_EQ(persistence_forecast(known, later(7)), 402.0);
  EXPECT_EQ(persistence_forecast(known, later(8)),
            20.0);  // its own category, not the total
  // A flow: the 366 days of 2019-20 scaled to the 334 of April 2024 to February 2025.
  EXPECT_DOUBLE_EQ(*persistence_forecast(known, later(9)), 191.0 * 334 / 366);
  EXPECT_EQ(persistence_forecast(known, later(10)), 7.0);
  EXPECT_FALSE(persistence_forecast(known, later(11)).has_value());  // no UASC figure is known
}

// Figures after the origin do not reach the fit: adding some (one that would free the supported accommodation
// hazard, wild values) leaves the fit, and the forecast of the other figures, as it was.
TEST_F(FiguresBacktestTest, AFigureAfterTheOriginChangesNothingInTheFit) {
  const std::string later = "children_looked_after,all,,2022-03-31,430\n";
  const PublishedFigures plain = read_published_figures(write("plain.csv", std::string(kKnownFigures) + later));
  const PublishedFigures extra =
      read_published_figures(write("extra.csv", std::string(kKnownFigures) + later +
                                                    "children_looked_after,supported_accommodation,,2021-03-31,300\n"
                                                    "stability_long_term,all,,2021-03-31,5\n"
                                                    "entries,all,2020-04-01,2021-03-31,900\n"));
  const Scenario base = load_scenario(default_scenario_path());
  FiguresBacktestOptions options;
  options.origin = make_date(2020, 3, 31);
  options.fit.runs = 60;
  options.runs = 40;
  const FiguresBacktestResult a = backtest_figures(base, plain, options);
  const FiguresBacktestResult b = backtest_figures(base, extra, options);

  // The extra figures would change the fit if they reached it: one frees a parameter.
  FitOptions unfiltered = options.fit;
  unfiltered.origin = options.origin;
  const FitResult leaked = fit_to_figures(base, extra, unfiltered);
  bool differs = false;
  for (std::size_t k = 0; k < leaked.parameters.size(); ++k)
    differs |= leaked.parameters[k].free != a.fit.parameters[k].free;
  ASSERT_TRUE(differs) << "the extra figures should be ones a fit would use";

  ASSERT_EQ(a.fit.parameters.size(), b.fit.parameters.size());
  for (std::size_t k = 0; k < a.fit.parameters.size(); ++k) {
    EXPECT_EQ(a.fit.parameters[k].free, b.fit.parameters[k].free) << k;
    EXPECT_EQ(a.fit.parameters[k].median, b.fit.parameters[k].median) << k;
    EXPECT_EQ(a.fit.parameters[k].low, b.fit.parameters[k].low) << k;
    EXPECT_EQ(a.fit.parameters[k].high, b.fit.parameters[k].high) << k;
  }
  EXPECT_EQ(a.fit.fit_start, b.fit.fit_start);
  EXPECT_EQ(a.fit.simulations, b.fit.simulations);
  ASSERT_TRUE(a.fit.fitted.starting_counts && b.fit.fitted.starting_counts);
  EXPECT_EQ(a.fit.fitted.starting_counts->count, b.fit.fitted.starting_counts->count);
  EXPECT_EQ(a.fit.fitted.entries.expected_per_year, b.fit.fitted.entries.expected_per_year);
  EXPECT_EQ(a.known.figures.size(), 6u);
  EXPECT_EQ(b.known.figures.size(), 6u);
  // The 2022 total is forecast alike, and the extra figures are scored too.
  ASSERT_EQ(a.later.size(), 1u);
  ASSERT_EQ(b.later.size(), 4u);
  ASSERT_TRUE(a.later[0].scored);
  const auto same_figure = std::find_if(b.later.begin(), b.later.end(), [&](const ScoredFigure& s) {
    return extra.figures[s.figure].date == make_date(2022, 3, 31);
  });
  ASSERT_NE(same_figure, b.later.end());
  EXPECT_EQ(a.later[0].forecast.p50, same_figure->forecast.p50);
  EXPECT_EQ(a.later[0].forecast.crps, same_figure->forecast.crps);
  for (const ScoredFigure& s : b.later) EXPECT_TRUE(s.scored) << extra.figures[s.figure].line << ": " << s.note;
}

TEST_F(FiguresBacktestTest, CommandWritesScoresAndRefusesBadUse) {
  const fs::path figures = fs::path(CARECAST_SCENARIO_DIR) / "default-figures.csv";
  const fs::path out = dir_ / "backtest";
  const std::string common = "backtest --figures " + figures.string() + " --runs 40 --fit-runs 50 --threads 2";
  const testing::CommandOutcome outcome = run_carecast(common + " --origin 2020-03-31 --out " + out.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("summary"), std::string::npos) << outcome.output;
  const std::string csv = read_text(out / "figures_backtest.csv");
  std::istringstream rows(csv);
  std::string line;
  std::getline(rows, line);
  EXPECT_EQ(line.rfind("origin,metric,category,period_start,date,value,scored,", 0), 0u) << line;
  int figures_after = 0;
  int scored = 0;
  while (std::getline(rows, line)) {
    ++figures_after;
    scored += line.find(",yes,") != std::string::npos ? 1 : 0;
    EXPECT_EQ(line.rfind("2020-03-31,", 0), 0u) << line;
    // The default scenario has [supply], so its forecast counts the carers approved.
    if (line.rfind("2020-03-31,approvals,", 0) == 0) EXPECT_NE(line.find(",yes,"), std::string::npos) << line;
  }
  EXPECT_EQ(figures_after,
            23);  // the rows of default-figures.csv dated after 31 March 2020
  EXPECT_GE(scored, 15);
  EXPECT_TRUE(fs::exists(out / "figures_backtest_summary.csv"));
  EXPECT_TRUE(fs::exists(out / "fit-figures.csv"));
  // The fit's report lists only the figures up to the origin.
  EXPECT_EQ(read_text(out / "fit-figures.csv").find("2024-03-31"), std::string::npos);

  // A folder holding files is refused unless --replace, and left as it was.
  const testing::CommandOutcome again = run_carecast(common + " --origin 2020-03-31 --out " + out.string());
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_EQ(read_text(out / "figures_backtest.csv"), csv);
  const std::string refusals[] = {
      " --origin 2026-03-31",                      // nothing after it to score
      " --origin 2017-03-31",                      // nothing before it to fit
      " --origin 2020-03-15",                      // not a month end
      " --origin 2020-03-31 --horizon-months 12",  // SSDA903 backtest's option
      " --origin 2020-03-31 --drift off",          // SSDA903 backtest's calibration choice
      " --origin 2020-03-31 " + (fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample").string(),  // both kinds of input
  };
  for (const std::string& refusal : refusals) {
    const fs::path fresh = dir_ / "refused";
    const testing::CommandOutcome refused = run_carecast(common + refusal + " --out " + fresh.string());
    EXPECT_EQ(refused.exit_code, 2) << refusal << "\n" << refused.output;
    EXPECT_FALSE(fs::exists(fresh)) << refusal;
  }
}

// `report` on a backtest folder draws one chart per scored figure, its intervals against the published value,
// and says why each other figure has none.
TEST_F(FiguresBacktestTest, ReportDrawsEachScoredFigure) {
  const fs::path figures = write("figures.csv", std::string(kKnownFigures) +
                                                    "children_looked_after,all,,2022-03-31,430\n"
                                                    "children_looked_after,male,,2022-03-31,230\n");
  const fs::path out = dir_ / "backtest";
  const testing::CommandOutcome backtest = run_carecast(
      "backtest --figures " + figures.string() + " --origin 2020-03-31 --runs 40 --fit-runs 50 --out " + out.string());
  ASSERT_EQ(backtest.exit_code, 0) << backtest.output;
  const testing::CommandOutcome report = run_carecast("report " + out.string());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  std::vector<std::string> charts;
  for (const auto& entry : fs::directory_iterator(out / "charts")) charts.push_back(entry.path().filename().string());
  std::sort(charts.begin(), charts.end());
  EXPECT_EQ(charts,
            (std::vector<std::string>{"backtest_01_children_looked_after.pdf", "backtest_01_children_looked_after.png",
                                      "backtest_01_children_looked_after.svg", "index.csv"}));
  const std::string html = read_text(out / "report.html");
  EXPECT_NE(html.find("data:image/png;base64,"), std::string::npos);
  EXPECT_NE(html.find("430 published"), std::string::npos);
  EXPECT_NE(html.find("the simulation does not count children by sex"), std::string::npos);
  // The backtest's own files are kept beside the report.
  EXPECT_TRUE(fs::exists(out / "figures_backtest.csv"));
  EXPECT_TRUE(fs::exists(out / "fit-figures.csv"));
  EXPECT_EQ(run_carecast("report " + out.string() + " --publish").exit_code, 2);
}

}  // namespace
}  // namespace carecast
