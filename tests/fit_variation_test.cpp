// `carecast fit` sizes the year-to-year variation of entries and exits from the figures by the
// method of moments (fitting/variation_from_figures.hpp), where the series is long enough: by hand
// on a short series, kept from the base with the reason on one too short, recovered from figures
// drawn from a known truth, and written into the fitted scenario.
#include <gtest/gtest.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "fitting/figure_targets.hpp"
#include "fitting/published_fit.hpp"
#include "fitting/variation_from_figures.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

class FitVariationTest : public testing::TemporaryFolderTest {};

// A full collection year's flow: 1 April to the 31 March ending in `year_ending`.
std::string full_year(const std::string& metric, int year_ending, double value) {
  std::ostringstream line;
  line << metric << ",all," << year_ending - 1 << "-04-01," << year_ending << "-03-31," << value << '\n';
  return line.str();
}

std::string series_csv(const std::string& metric, int first_year_ending, const std::vector<double>& values) {
  std::string text;
  for (std::size_t y = 0; y < values.size(); ++y) text += full_year(metric, first_year_ending + static_cast<int>(y), values[y]);
  return text;
}

const std::string kHeader = "metric,category,period_start,date,value\n";

SystemicVariation base_variation(double autocorrelation) {
  SystemicVariation base;
  base.entries_sd_log_per_year = 0.1;
  base.exits_sd_log_per_year = 0.05;
  base.moves_sd_log_per_year = 0.07;
  base.autocorrelation = autocorrelation;
  base.entries_drift_sd_log_per_year = 0.06;
  base.exits_drift_sd_log_per_year = 0.06;
  base.moves_drift_sd_log_per_year = 0.04;
  base.drift_evidence_origins = 5;
  return base;
}

// Six years of entries, by hand: l = log(n + 0.5) about its least-squares line in the year
// (t = -2.5 ... 2.5), residuals e; the Poisson noise of l is 1 / (expected + 0.5) with
// expected + 0.5 = exp(the line); the extra-Poisson variance is sum(e^2) / (6 - 2) minus the mean
// noise; shrunk towards the base's 0.1^2 worth 4 years against the figures' 4, and with
// autocorrelation 0 the marginal sd is the innovation sd written.
TEST_F(FitVariationTest, HandBuiltSeriesGivesTheMomentEstimateComputedByHand) {
  const std::vector<double> entries = {100, 130, 90, 120, 140, 95};
  const PublishedFigures figures = read_published_figures(write(
      "hand.csv", kHeader + series_csv("entries", 2018, entries) +
                      // Not used: a part year, a category other than all, a year after the origin.
                      "entries,all,2022-10-01,2023-03-31,50\n"
                      "entries,16_to_17,2022-04-01,2023-03-31,30\n" +
                      full_year("entries", 2024, 400) + "children_looked_after,all,,2017-03-31,400\n"));
  const VariationFromFigures estimate = variation_from_figures(figures, base_variation(0), make_date(2023, 3, 31));

  std::vector<double> l, t;
  for (std::size_t y = 0; y < entries.size(); ++y) {
    l.push_back(std::log(entries[y] + 0.5));
    t.push_back(static_cast<double>(y) - 2.5);
  }
  double level = 0, slope = 0;
  for (std::size_t y = 0; y < l.size(); ++y) {
    level += l[y] / 6;
    slope += t[y] * l[y] / 17.5;  // sum of t^2 = 2 (0.5^2 + 1.5^2 + 2.5^2) = 17.5
  }
  double squares = 0, noise = 0;
  for (std::size_t y = 0; y < l.size(); ++y) {
    const double line = level + slope * t[y];
    squares += (l[y] - line) * (l[y] - line);
    noise += std::exp(-line) / 6;
  }
  const double variance = squares / 4 - noise;
  const double shrunk = (4 * variance + 4 * 0.1 * 0.1) / 8;

  const FiguresProcessVariation& e = estimate.entries;
  ASSERT_TRUE(e.estimated);
  EXPECT_EQ(e.years_ending, (std::vector<int>{2018, 2019, 2020, 2021, 2022, 2023}));
  EXPECT_EQ(e.process.observed, entries);
  EXPECT_NEAR(e.process.raw.variance, variance, 1e-12);
  EXPECT_NEAR(e.process.raw.poisson_noise, noise, 1e-12);
  EXPECT_NEAR(e.process.raw.standard_error, std::sqrt(2.0 / 4) * (variance + noise), 1e-12);
  EXPECT_NEAR(e.process.marginal_sd, std::sqrt(shrunk), 1e-12);
  EXPECT_NEAR(e.process.innovation_sd, std::sqrt(shrunk), 1e-12);
  // The same by hand (a calculator): the residuals' squares 0.1616 over 4, less the noise 0.0090,
  // leave a variance 0.0314 (sd 0.177); shrunk, (4 x 0.0314 + 4 x 0.01) / 8 = 0.0207 (sd 0.144).
  EXPECT_NEAR(noise, 0.00897, 0.00001);
  EXPECT_NEAR(std::sqrt(variance), 0.1773, 0.0001);
  EXPECT_NEAR(std::sqrt(shrunk), 0.1439, 0.0001);

  // The fitted variation takes that sd for entries and keeps the rest of the base's.
  const SystemicVariation fitted = estimate.applied_to(base_variation(0));
  EXPECT_EQ(fitted.entries_sd_log_per_year, e.process.innovation_sd);
  EXPECT_EQ(fitted.exits_sd_log_per_year, 0.05);  // no exits figures
  EXPECT_EQ(fitted.moves_sd_log_per_year, 0.07);
  EXPECT_EQ(fitted.autocorrelation, 0.0);
  EXPECT_EQ(fitted.entries_drift_sd_log_per_year, 0.06);
  EXPECT_EQ(fitted.drift_evidence_origins, 5);

  // With the base's autocorrelation the prior is its marginal sd, 0.1 / sqrt(1 - 0.5^2), the
  // variance allows for the autocorrelation and the innovation sd is the marginal one's share.
  const VariationFromFigures autocorrelated =
      variation_from_figures(figures, base_variation(0.5), make_date(2023, 3, 31));
  const FiguresProcessVariation& a = autocorrelated.entries;
  EXPECT_NEAR(a.prior_marginal_sd, 0.1 / std::sqrt(0.75), 1e-12);
  const double ar_variance = autocorrelated_variance(a.process.raw, 0.5);
  EXPECT_GT(ar_variance, variance);  // detrending hides part of an autocorrelated departure
  EXPECT_NEAR(a.process.innovation_sd, std::sqrt((4 * ar_variance + 4 * 0.01 / 0.75) / 8 * 0.75), 1e-12);
}

// Too few years, or too few consecutive ones: the base's value is kept and the notes say why.
TEST_F(FitVariationTest, ShortOrBrokenSeriesKeepsTheBasesValueAndSaysWhy) {
  const PublishedFigures figures = read_published_figures(
      write("short.csv", kHeader + series_csv("entries", 2021, {200, 210, 190}) +
                             series_csv("exits", 2016, {150, 160, 170}) + series_csv("exits", 2020, {150, 160, 170})));
  const VariationFromFigures estimate = variation_from_figures(figures, base_variation(0.6), make_date(2023, 3, 31));
  EXPECT_FALSE(estimate.entries.estimated);
  EXPECT_FALSE(estimate.exits.estimated);
  EXPECT_FALSE(estimate.any_estimated());
  EXPECT_EQ(estimate.exits.full_years, 6);
  EXPECT_EQ(estimate.exits.years_ending, (std::vector<int>{2020, 2021, 2022}));
  const SystemicVariation fitted = estimate.applied_to(base_variation(0.6));
  EXPECT_EQ(fitted.entries_sd_log_per_year, 0.1);
  EXPECT_EQ(fitted.exits_sd_log_per_year, 0.05);
  const std::vector<std::string> notes = estimate.notes();
  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0], "Year-to-year variation of entries: the base's entries_sd_log_per_year = 0.100 kept; 3 full "
                      "collection years of entries (all) up to the origin, 5 consecutive needed.");
  EXPECT_EQ(notes[1], "Year-to-year variation of exits: the base's exits_sd_log_per_year = 0.050 kept; 6 full "
                      "collection years of exits (all) up to the origin, the latest run of consecutive ones 3, 5 "
                      "consecutive needed.");
}

// Figures drawn from a known truth: entries varying by 0.25 a year (autocorrelation 0), and none.
// Each truth's entries are Poisson about a constant level (children enter one at a time, no UASC
// or re-entries, no growth), so the residuals' sum of squares over (truth's variance + Poisson
// noise) is chi-squared on the years' degrees of freedom, pooled over the datasets.
TEST_F(FitVariationTest, RecoversTheEntriesVariationOfAKnownTruth) {
  constexpr int kYears = 10;
  constexpr int kDatasets = 10;
  std::string skeleton_text = kHeader + "children_looked_after,all,,2014-03-31,430\n";
  for (int year = 2015; year < 2015 + kYears; ++year) skeleton_text += full_year("entries", year, 0);
  const PublishedFigures skeleton = read_published_figures(write("skeleton.csv", skeleton_text));
  Scenario base = load_scenario(default_scenario_path());
  base.population.reset();  // entries about a constant level, not growing with the default's children
  Scenario quiet = fit_start(base, skeleton, skeleton.last_day).scenario;
  quiet.sibling_group_size_probability = {1.0};
  quiet.uasc.expected_per_year = {};
  quiet.re_entry = ReEntry{};
  quiet.entries.annual_growth_rate = 0;
  quiet.variation = SystemicVariation{};
  Scenario varied = quiet;
  varied.variation.entries_sd_log_per_year = 0.25;

  const SystemicVariation prior = base_variation(0);
  struct Pooled {
    double statistic = 0;  // sum over datasets of sum(e^2) / (truth + Poisson noise)
    int freedom = 0;
    double estimate = 0;   // mean of the shrunk innovation sds
  };
  const auto pooled = [&](const Scenario& truth, double truth_variance, const std::string& name) {
    Pooled out;
    for (int dataset = 0; dataset < kDatasets; ++dataset) {
      const std::vector<double> values = testing::simulated_figures(truth, skeleton, 700 + static_cast<std::uint64_t>(dataset));
      std::string text = kHeader;
      for (std::size_t i = 0; i < values.size(); ++i) {
        const PublishedFigure& f = skeleton.figures[i];
        if (f.metric != FigureMetric::entries) continue;
        const std::chrono::year_month_day end{f.date};
        text += full_year("entries", static_cast<int>(end.year()), values[i]);
      }
      const PublishedFigures figures =
          read_published_figures(write(name + std::to_string(dataset) + ".csv", text));
      const VariationFromFigures estimate = variation_from_figures(figures, prior, figures.last_day);
      const ProcessVariation& entries = estimate.entries.process;
      EXPECT_TRUE(estimate.entries.estimated);
      EXPECT_EQ(entries.raw.years, kYears);
      const int freedom = entries.raw.years - entries.raw.fitted_parameters;
      out.statistic += freedom * (entries.raw.variance + entries.raw.poisson_noise) /
                       (truth_variance + entries.raw.poisson_noise);
      out.freedom += freedom;
      out.estimate += entries.innovation_sd / kDatasets;
    }
    return out;
  };
  const Pooled high = pooled(varied, 0.25 * 0.25, "varied");
  const Pooled none = pooled(quiet, 0, "quiet");
  const auto within = [](const Pooled& p, const std::string& name) {
    const boost::math::chi_squared chi_squared(p.freedom);
    EXPECT_GE(p.statistic, boost::math::quantile(chi_squared, testing::kFalseAlarmRate / 2)) << name;
    EXPECT_LE(p.statistic, boost::math::quantile(boost::math::complement(chi_squared, testing::kFalseAlarmRate / 2)))
        << name;
  };
  within(high, "varied");
  within(none, "quiet");
  EXPECT_GT(high.estimate, none.estimate);
  // Both shrunk towards the prior's 0.1 from their sides.
  EXPECT_GT(high.estimate, 0.1);
  EXPECT_LT(none.estimate, 0.1);
  RecordProperty("varied_statistic_per_freedom", std::to_string(high.statistic / high.freedom));
  RecordProperty("quiet_statistic_per_freedom", std::to_string(none.statistic / none.freedom));
  RecordProperty("varied_estimate", std::to_string(high.estimate));
  RecordProperty("quiet_estimate", std::to_string(none.estimate));
}

// A fit to figures with enough full years writes the estimate into the fitted scenario's
// [variation], which keeps the base's moves, autocorrelation and drift, and says so.
TEST_F(FitVariationTest, FitWritesTheEstimateAndSaysWhatItKept) {
  const std::vector<double> entries = {180, 220, 160, 240, 190, 230};
  const std::vector<double> exits = {170, 175, 180, 185, 190, 195};
  const fs::path figures =
      write("long.csv", kHeader + "children_looked_after,all,,2018-03-31,430\n" + series_csv("entries", 2019, entries) +
                            series_csv("exits", 2019, {170, 175, 180})  // a gap: 2022 missing
                            + series_csv("exits", 2023, {190, 195}) + "children_looked_after,all,,2024-03-31,440\n");
  const fs::path out = dir_ / "fitted.toml";
  const testing::CommandOutcome outcome = testing::run_carecast(
      "fit " + figures.string() + " --base " + default_scenario_path().string() + " --out " + out.string() +
      " --runs 60 --seed 2");
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  const Scenario base = load_scenario(default_scenario_path());
  const Scenario fitted = load_scenario(out);
  const VariationFromFigures expected =
      variation_from_figures(read_published_figures(figures), base.variation, make_date(2024, 3, 31));
  ASSERT_TRUE(expected.entries.estimated);
  ASSERT_FALSE(expected.exits.estimated);
  EXPECT_NEAR(fitted.variation.entries_sd_log_per_year, expected.entries.process.innovation_sd, 1e-15);
  EXPECT_NE(fitted.variation.entries_sd_log_per_year, base.variation.entries_sd_log_per_year);
  EXPECT_EQ(fitted.variation.exits_sd_log_per_year, base.variation.exits_sd_log_per_year);
  EXPECT_EQ(fitted.variation.moves_sd_log_per_year, base.variation.moves_sd_log_per_year);
  EXPECT_EQ(fitted.variation.autocorrelation, base.variation.autocorrelation);
  EXPECT_EQ(fitted.variation.entries_drift_sd_log_per_year, base.variation.entries_drift_sd_log_per_year);
  const std::string text = testing::read_text(out);
  EXPECT_NE(text.find("\n[variation]\nentries_sd_log_per_year = "), std::string::npos) << text;
  EXPECT_EQ(text.find("\nexits_sd_log_per_year"), std::string::npos) << text;  // too few consecutive years
  // The report (printed, and in the fitted file's comments) says what was estimated and what kept.
  for (const std::string& said : {std::string("Year-to-year variation of entries estimated from 6 consecutive full "
                                              "collection years of entries (all), the years ending 31 March 2019 to "
                                              "2024"),
                                  std::string("the latest run of consecutive ones 2, 5 consecutive needed"),
                                  std::string("Kept from the base: the rest of its year-to-year")}) {
    EXPECT_NE(outcome.output.find(said), std::string::npos) << said << "\n" << outcome.output;
  }
  EXPECT_NE(text.find("# Year-to-year variation of entries estimated from 6 consecutive"), std::string::npos) << text;
}

}  // namespace
}  // namespace carecast
