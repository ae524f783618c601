// The scale `fit`'s linear emulator takes each figure on (fitting/figure_scale.hpp): stability
// percentages on the logit scale, so that a fit centres its stability on the figures' own.
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fitting/figure_scale.hpp"
#include "fitting/fit_parameters.hpp"
#include "fitting/published_fit.hpp"
#include "fitting/synthetic_likelihood.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

class FitFigureScaleTest : public testing::TemporaryFolderTest {
 protected:
  PublishedFigures figures(const std::string& rows) {
    const fs::path path = dir_ / ("figures-" + std::to_string(written_++) + ".csv");
    std::ofstream(path) << "metric,category,period_start,date,value\n" << rows;
    return read_published_figures(path);
  }
  int written_ = 0;
};

TEST_F(FitFigureScaleTest, CountsStayAsPublished) {
  const PublishedFigures f = figures(
      "children_looked_after,all,,2020-03-31,400\n"
      "entries,all,2019-04-01,2020-03-31,150\n");
  for (const PublishedFigure& figure : f.figures) {
    const FigureScale scale = figure_scale(figure, f);
    EXPECT_FALSE(scale.logit);
    EXPECT_EQ(scale(123.0), 123.0);
    EXPECT_DOUBLE_EQ(scale.rounding_variance(figure.value), 1.0 / 12.0);
  }
}

// The offset is one child's share of the children looked after published nearest the figure's
// date: 400 children on the same day (0.25 points), not the 40 of two years before.
TEST_F(FitFigureScaleTest, PercentagesAreLogitsOffsetByOneChildOfTheNearestStock) {
  const PublishedFigures f = figures(
      "children_looked_after,all,,2018-03-31,40\n"
      "children_looked_after,all,,2020-03-31,400\n"
      "stability_short_term,all,,2020-03-31,7\n"
      "stability_long_term,all,,2019-03-31,60\n");
  const FigureScale short_term = figure_scale(f.figures[2], f);
  ASSERT_TRUE(short_term.logit);
  EXPECT_DOUBLE_EQ(short_term.offset, 0.25);
  EXPECT_DOUBLE_EQ(short_term(7.0), std::log(7.25 / 93.25));
  EXPECT_DOUBLE_EQ(short_term(0.0), std::log(0.25 / 100.25));  // finite at 0 and 100
  EXPECT_DOUBLE_EQ(short_term(100.0), std::log(100.25 / 0.25));
  // 31 March 2019 is 365 days from 2018's stock and 366 from 2020's: the nearer, 40 children.
  EXPECT_DOUBLE_EQ(figure_scale(f.figures[3], f).offset, 2.5);
  // Within 0.1 and 10 points; 1 point without any stock figure.
  const PublishedFigures tiny = figures(
      "children_looked_after,all,,2020-03-31,5\n"
      "stability_short_term,all,,2020-03-31,20\n");
  EXPECT_DOUBLE_EQ(figure_scale(tiny.figures[1], tiny).offset, 10.0);
  const PublishedFigures alone = figures("stability_short_term,all,,2020-03-31,20\n");
  EXPECT_DOUBLE_EQ(figure_scale(alone.figures[0], alone).offset, 1.0);
}

// A whole-number rounding (variance 1/12 on the published scale) carried to the logit by the delta
// method: the slope of the logit at the published value, squared.
TEST_F(FitFigureScaleTest, RoundingVarianceIsTheDeltaMethodsAtThePublishedValue) {
  FigureScale scale;
  scale.logit = true;
  scale.offset = 0.5;
  for (const double y : {0.0, 7.0, 50.0, 93.0}) {
    const double h = 1e-4;
    const double slope = (scale(y + h) - scale(y - h)) / (2 * h);
    EXPECT_NEAR(scale.rounding_variance(y), slope * slope / 12.0, 1e-6 * slope * slope) << y;
  }
}

TEST_F(FitFigureScaleTest, EmulatorTakesEachFiguresRoundingVariance) {
  // Two figures, exactly linear in one parameter: the residual covariance is 0, so the emulator's
  // is the rounding variances alone (shrinking towards the diagonal leaves 0 as 0).
  Eigen::MatrixXd thetas(6, 1);
  thetas << -1, -0.5, 0, 0.5, 1, 1.5;
  Eigen::MatrixXd values(6, 2);
  for (Eigen::Index r = 0; r < 6; ++r) {
    values(r, 0) = 2 + 3 * thetas(r, 0);
    values(r, 1) = -1 + thetas(r, 0);
  }
  const Eigen::Vector2d rounding(0.5, 0.01);
  const LinearEmulator emulator = fit_linear_emulator(thetas, values, rounding);
  EXPECT_NEAR(emulator.slope(0, 0), 3, 1e-9);
  EXPECT_NEAR(emulator.intercept(1), -1, 1e-9);
  EXPECT_NEAR(emulator.covariance(0, 0), 0.5, 1e-9);
  EXPECT_NEAR(emulator.covariance(1, 1), 0.01, 1e-9);
  EXPECT_NEAR(emulator.covariance(0, 1), 0, 1e-9);
  EXPECT_THROW(fit_linear_emulator(thetas, values, Eigen::VectorXd::Ones(3)), std::invalid_argument);
}

// Figures made by the model itself, from the default council with moves 2.5 times the base's (so
// that the short-term stability measure is about three times the base's and the fit must move
// far): the fit's posterior median of the short-term stability figures it fitted must centre on the
// truth's (each dataset's fit, the mean of its four figures' medians, is above or below the truth's
// median with probability about a half: a sign test at the suite's false-alarm rate). On the
// model's own figures the emulator's curvature matters little: with the percentages taken as
// published, the same fits were 1.5 points (se 0.8) below the truth's mean of 31.5%, 10 of 24 above
// it, which this test would not have caught. On worlds the model did not make, it left councils'
// fitted stability about a third below their own figures (tests/validation, README); that is
// measured there. This test catches a fit that stops centring on the figures at all.
TEST_F(FitFigureScaleTest, FitCentresShortTermStabilityOnTheTruth) {
  constexpr double kMoves = 2.5;
  constexpr int kStabilityYears = 4;
  const Scenario base = load_scenario(default_scenario_path());
  int base_children = 0;
  for (const auto& category : base.starting_counts->count)
    for (const auto& band : category) base_children += band[0] + band[1];
  std::ostringstream rows;
  rows << "children_looked_after,all,,2019-03-31," << base_children << '\n';
  std::vector<int> stability_rows;
  int row = 1;
  for (int year = 2020; year <= 2023; ++year) {
    rows << "children_looked_after,all,," << year << "-03-31,0\n";
    rows << "entries,all," << year - 1 << "-04-01," << year << "-03-31,0\n";
    rows << "exits,all," << year - 1 << "-04-01," << year << "-03-31,0\n";
    row += 3;
    if (year > 2023 - kStabilityYears) {
      rows << "stability_short_term,all,," << year << "-03-31,0\n";
      stability_rows.push_back(row);
      ++row;
    }
  }
  const PublishedFigures skeleton = figures(rows.str());
  const FitStart start = fit_start(base, skeleton, skeleton.last_day);
  ASSERT_TRUE(start.stock_known);
  const std::vector<FitParameter> kinds = {FitParameter::moves};
  const std::vector<double> theta = {std::log(kMoves)};
  const Scenario truth = apply_parameters(start.scenario, kinds, theta);

  // The truth's median short-term stability (the mean over its four figures of each one's median), from many
  // replications: the fit reports medians, and a small council's percentages are skewed.
  constexpr int kTruthRuns = 400;
  std::vector<std::vector<double>> by_figure(stability_rows.size());
  for (int seed = 0; seed < kTruthRuns; ++seed) {
    const std::vector<double> values = testing::simulated_figures(truth, skeleton, 50'000 + static_cast<std::uint64_t>(seed));
    for (std::size_t k = 0; k < stability_rows.size(); ++k)
      by_figure[k].push_back(values[static_cast<std::size_t>(stability_rows[k])]);
  }
  double expected = 0;
  for (std::vector<double>& values : by_figure) {
    std::sort(values.begin(), values.end());
    expected += 0.5 * (values[kTruthRuns / 2 - 1] + values[kTruthRuns / 2]) / static_cast<double>(by_figure.size());
  }

  constexpr int kDatasets = 24;
  int above = 0;
  std::vector<double> differences;
  for (int dataset = 0; dataset < kDatasets; ++dataset) {
    std::vector<double> values = testing::simulated_figures(truth, skeleton, 7000 + static_cast<std::uint64_t>(dataset));
    std::ostringstream text;
    for (std::size_t i = 0; i < skeleton.figures.size(); ++i) {
      const PublishedFigure& f = skeleton.figures[i];
      text << name_of(f.metric) << ",all,"
           << (f.period_start ? format_iso(*f.period_start) : std::string()) << ',' << format_iso(f.date) << ','
           << std::round(values[i]) << '\n';
    }
    FitOptions options;
    options.seed = 1 + static_cast<std::uint64_t>(dataset);
    options.runs = 200;
    const FitResult fit = fit_to_figures(base, figures(text.str()), options);
    double fitted = 0;
    for (const int r : stability_rows)
      fitted += fit.figures[static_cast<std::size_t>(r)].median / static_cast<double>(stability_rows.size());
    if (fitted > expected) ++above;
    differences.push_back(fitted - expected);
  }
  const boost::math::binomial signs(kDatasets, 0.5);
  const double low = boost::math::quantile(signs, testing::kFalseAlarmRate / 2);
  const double high = boost::math::quantile(boost::math::complement(signs, testing::kFalseAlarmRate / 2));
  const testing::PairedDifference d = testing::paired(differences);
  EXPECT_GE(above, low) << above << " of " << kDatasets << " fits above the truth's expected " << expected
                        << "; mean difference " << d.mean << " (se " << d.standard_error << ")";
  EXPECT_LE(above, high) << above << " of " << kDatasets << " fits above the truth's expected " << expected;
  RecordProperty("fits_above_truth", above);
  RecordProperty("truth_expected_percent", std::to_string(expected));
  RecordProperty("mean_difference_points", std::to_string(d.mean));
  RecordProperty("standard_error_points", std::to_string(d.standard_error));
}

}  // namespace
}  // namespace carecast
