// Cross-validation of the recency half-life and entry trend (issue 10): on a history whose exit
// rate falls part-way through, it picks a short half-life; on a stationary one, a long one (or
// none). Histories are built here from known rates with a fixed seed.
#include <gtest/gtest.h>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "calibration/cross_validation.hpp"
#include "calibration/estimation.hpp"
#include "history/ssda903.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

Date day(int y, unsigned m, unsigned d) { return make_date(y, m, d); }

// Ten collection years from 1 April 2010, nobody looked after before. Children aged 5 to 9 enter
// at `entries_per_year` (a Poisson process), stay in one in-house foster placement and go home at
// `hazard_before` a year, or `hazard_after` from `shift` on.
CareHistory history_with_exit_rates(double entries_per_year, double hazard_before, double hazard_after, Date shift,
                                    std::uint32_t seed) {
  boost::random::mt19937 generator(seed);
  boost::random::exponential_distribution<> exponential(1);
  const Date first = day(2010, 4, 1);
  const Date last = day(2020, 3, 31);
  CareHistory history;
  double t = 0;  // days since `first`
  for (;;) {
    t += exponential(generator) * 365.25 / entries_per_year;
    const Date start = first + std::chrono::days{static_cast<int>(t)};
    if (start > last) break;
    // The end by the cumulative hazard, piecewise constant in calendar time.
    double e = exponential(generator);
    double at = static_cast<double>((start - first).count());
    const double switch_at = static_cast<double>((shift - first).count());
    if (at < switch_at) {
      const double before = (switch_at - at) * hazard_before / 365.25;
      if (e < before) {
        at += e * 365.25 / hazard_before;
        e = -1;
      } else {
        e -= before;
        at = switch_at;
      }
    }
    if (e >= 0) at += e * 365.25 / hazard_after;
    Date end = first + std::chrono::days{static_cast<int>(at)};
    if (end <= start) end = start + std::chrono::days{1};
    history.children.push_back(testing::child_in_one_foster_placement(start, end, last, generator));
  }
  testing::observe(history, first, last);
  return history;
}

std::vector<CalibrationCandidate> half_lives_without_trend() {
  FixedChoice fixed;
  fixed.trend = false;
  return candidates_for(fixed);
}

// `fallback` stands unless the best beats it by more than a standard error; the default
// candidate has a trend, so among these it is not a candidate and the best wins.
CrossValidationResult choose(const CareHistory& history, const CalibrationCandidate& fallback = default_candidate()) {
  CalibrationOptions base;  // no variation: these histories have none
  CrossValidationOptions options;
  options.runs = 40;
  options.threads = 1;
  const CrossValidationResult result =
      cross_validate(history, day(2020, 3, 31), base, half_lives_without_trend(), fallback, options);
  std::ostringstream table;
  result.print(table);
  std::cout << table.str();
  return result;
}

TEST(CalibrationCrossValidation, CandidatesAndOrigins) {
  const std::vector<CalibrationCandidate> all = candidates_for({});
  EXPECT_EQ(all.size(), 20u);
  EXPECT_EQ(half_lives_without_trend().size(), 5u);
  FixedChoice fixed;
  fixed.half_life_years = 2;
  fixed.damping = std::optional<double>{0.5};
  const std::vector<CalibrationCandidate> one = candidates_for(fixed);
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one.front().half_life_years, 2);
  EXPECT_TRUE(one.front().trend);
  EXPECT_EQ(one.front().trend_damping_per_year, 0.5);

  const CareHistory history = history_with_exit_rates(20, 1, 1, day(2030, 1, 1), 3);
  // 3 years before and one after, up to the as-of date: 31 March 2013 to 2019, the latest 5.
  const std::vector<Date> origins = cross_validation_origins(history, day(2020, 3, 31), CrossValidationOptions{});
  ASSERT_EQ(origins.size(), 5u);
  EXPECT_EQ(origins.front(), day(2015, 3, 31));
  EXPECT_EQ(origins.back(), day(2019, 3, 31));
  // Too little history: the fallback, unsimulated.
  const CrossValidationResult short_history = cross_validate(history, day(2014, 3, 31), CalibrationOptions{},
                                                             all, default_candidate(), CrossValidationOptions{});
  EXPECT_FALSE(short_history.performed);
  EXPECT_EQ(short_history.chosen.label(), default_candidate().label());
}

// Exits fall from 1.5 to 0.4 a year on 1 April 2016: recent years tell the truth, so a short
// half-life wins.
TEST(CalibrationCrossValidation, ARegimeShiftInExitsPicksAShortHalfLife) {
  const CrossValidationResult result = choose(history_with_exit_rates(120, 1.5, 0.4, day(2016, 4, 1), 5));
  ASSERT_TRUE(result.performed);
  EXPECT_GT(result.chosen.half_life_years, 0);
  EXPECT_LE(result.chosen.half_life_years, 2);
}

// The one-standard-error rule: a default far worse than the best gives way (the regime shift and
// no weighting); one close to the best (stationary, a half-life of 3 years) stands.
TEST(CalibrationCrossValidation, TheDefaultStandsOnlyWithinAStandardErrorOfTheBest) {
  const CalibrationCandidate plain{0, false, 1};
  const CrossValidationResult shifted = choose(history_with_exit_rates(120, 1.5, 0.4, day(2016, 4, 1), 5), plain);
  EXPECT_NE(shifted.chosen.label(), plain.label());
  const CalibrationCandidate three_years{3, false, 1};
  const CrossValidationResult stationary = choose(history_with_exit_rates(120, 0.8, 0.8, day(2030, 1, 1), 5), three_years);
  EXPECT_EQ(stationary.chosen.label(), three_years.label());
  EXPECT_NE(stationary.reason.find("the default stands"), std::string::npos) << stationary.reason;
}

// The same rate throughout: every year tells the truth, so a long half-life (or none) wins.
TEST(CalibrationCrossValidation, AStationaryHistoryPicksALongHalfLife) {
  const CrossValidationResult result = choose(history_with_exit_rates(120, 0.8, 0.8, day(2030, 1, 1), 5));
  ASSERT_TRUE(result.performed);
  EXPECT_TRUE(result.chosen.half_life_years == 0 || result.chosen.half_life_years >= 4) << result.chosen.label();
}

// The command line: a bad half-life or damping, or a damping with the trend off, is refused
// naming the option, exit 2, nothing written; what is given is used and said.
TEST(CalibrateCommandChoice, OptionsAreCheckedAndUsed) {
  namespace fs = std::filesystem;
  const fs::path sample = fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample";
  const fs::path dir = fs::temp_directory_path() / ("carecast_cv_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / "out.toml";
  const std::string start = "calibrate " + sample.string() + " --as-of 2022-03-31 --out " + out.string() + " ";
  for (const auto& [arguments, option] : std::vector<std::pair<std::string, std::string>>{
           {"--half-life-years -1", "--half-life-years"},
           {"--half-life-years soon", "--half-life-years"},
           {"--trend-damping 1.5", "--trend-damping"},
           {"--trend off --trend-damping 0.5", "--trend-damping"},
           {"--trend on --trend-damping off", "--trend-damping"}}) {
    const testing::CommandOutcome outcome = testing::run_carecast(start + arguments);
    EXPECT_EQ(outcome.exit_code, 2) << arguments << "\n" << outcome.output;
    EXPECT_NE(outcome.output.find("'" + option + "'"), std::string::npos) << outcome.output;
    EXPECT_FALSE(fs::exists(out));
  }
  const testing::CommandOutcome fixed =
      testing::run_carecast(start + "--half-life-years 2 --trend-damping 0.5 --cross-validation off");
  ASSERT_EQ(fixed.exit_code, 0) << fixed.output;
  EXPECT_NE(fixed.output.find("half-life 2 y, trend damped 0.5/y"), std::string::npos) << fixed.output;
  std::ifstream in(out);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("trend_damping_per_year = 0.5"), std::string::npos);
  EXPECT_NE(text.str().find("[variation]"), std::string::npos);
  EXPECT_NE(text.str().find("Half-life and trend: half-life 2 y, trend damped 0.5/y"), std::string::npos);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace carecast
