// Recency weighting and the damped entry trend (issue 10): weights counted by hand on a tiny
// history, effective evidence that widens when old data are down-weighted, rounding to whole
// child-months kept, and a growing history whose trend lifts the entry level at the origin.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "calibration/estimation.hpp"
#include "history/ssda903.hpp"
#include "test_histories.hpp"

namespace carecast {
namespace {

using testing::placement_spell;

Date day(int y, unsigned m, unsigned d) { return make_date(y, m, d); }

constexpr double kMonthDays = 365.25 / 12;

ChildHistory child(Sex sex, Date born, std::vector<PlacementSpell> placements,
                   std::optional<ExitReason> exit = std::nullopt) {
  CarePeriod p;
  p.start = placements.front().start;
  p.end = placements.back().end;
  p.exit_reason = exit;
  p.exit_code = exit ? "E4A" : "";
  p.placements = std::move(placements);
  ChildHistory c;
  c.sex = sex;
  c.date_of_birth = born;
  c.periods = {p};
  return c;
}

CareHistory history_of(std::vector<ChildHistory> children, int first_year, int last_year) {
  CareHistory history;
  history.children = std::move(children);
  history.first_date = day(first_year, 4, 1);
  history.observed_from = day(first_year, 4, 1);
  history.last_date = day(last_year + 1, 3, 31);
  return history;
}

// The weight of a moment `days_before` days before the end of the as-of date: constant within
// each month (365.25/12 days) counted back, taken at its middle.
double weight_at(double days_before, double half_life) {
  const double month = std::floor(days_before / kMonthDays);
  return std::exp2(-(month + 0.5) / (12 * half_life));
}

// The weighted years of [from, to] days before the end of the as-of date, month by month.
double weighted_years(double from, double to, double half_life) {
  double years = 0;
  for (int m = 0; m * kMonthDays < to; ++m) {
    const double overlap = std::min(to, (m + 1) * kMonthDays) - std::max(from, m * kMonthDays);
    if (overlap > 0) years += overlap / 365.25 * weight_at(m * kMonthDays, half_life);
  }
  return years;
}

// One placement from 1 October 2019 to 15 December 2019 ending home, as of 31 March 2020:
// the ending is 107.5 days before the end of the as-of date (the middle of 15 December), the time
// at risk runs from 182.5 to 107.5 days before it, and the entry is 182.5 days before it.
TEST(RecencyWeighting, WeightsCountedByHandOnOnePlacement) {
  const CareHistory history = history_of(
      {child(Sex::female, day(2012, 6, 15), {placement_spell(day(2019, 10, 1), day(2019, 12, 15), Category::foster_in_house)},
             ExitReason::returned_home)},
      2017, 2019);
  CalibrationOptions options;
  options.exact_time_at_risk = true;
  options.half_life_years = 1;
  CalibrationReport report;
  const Scenario s = calibrate(history, day(2020, 3, 31), options, report);

  const std::size_t band = static_cast<std::size_t>(AgeBand::from_5_to_9);
  const std::size_t category = static_cast<std::size_t>(Category::foster_in_house);
  double events = 0, exposure = 0;
  for (int d = 0; d < 6; ++d) {
    const GammaEvidence& cell = s.evidence->ending[(category * kAgeBandCount + band) * 6 + static_cast<std::size_t>(d)];
    events += cell.events;
    exposure += cell.exposure;
  }
  EXPECT_NEAR(events, weight_at(107.5, 1), 1e-12);
  EXPECT_NEAR(exposure, weighted_years(107.5, 182.5, 1), 1e-12);
  EXPECT_NEAR(s.evidence->destination[category][band].counts[outcome_of(ExitReason::returned_home)],
              weight_at(107.5, 1), 1e-12);
  const GammaEvidence& entries = s.evidence->entries[band][static_cast<std::size_t>(Sex::female)];
  EXPECT_NEAR(entries.events, weight_at(182.5, 1), 1e-12);
  EXPECT_NEAR(s.evidence->first_placement[band].counts[category], weight_at(182.5, 1), 1e-12);
  // Entries' exposure: the whole window (1 April 2017 to the end of 31 March 2020), weighted.
  const double window_days = static_cast<double>((day(2020, 4, 1) - day(2017, 4, 1)).count());
  EXPECT_NEAR(entries.exposure, weighted_years(0, window_days, 1), 1e-12);
  // The unweighted counts are still reported as they are.
  EXPECT_EQ(report.placement_endings, 1u);
  EXPECT_EQ(report.entries, 1u);
}

// Many children over 3 years at a constant rate: weighting leaves the rates about where they
// were but keeps less evidence behind them, so each replication's draws vary more; and the time
// at risk written is still in whole child-months.
TEST(RecencyWeighting, EvidenceIsTheEffectiveCountsAndStaysInWholeChildMonths) {
  std::vector<ChildHistory> children;
  for (int i = 0; i < 600; ++i) {
    const Date start = day(2017, 4, 1) + std::chrono::days{(i * 1000) / 600};
    const Date end = start + std::chrono::days{60 + (i * 37) % 200};
    children.push_back(child(i % 2 ? Sex::male : Sex::female, day(2009, 1, 1),
                             {placement_spell(start, end <= day(2020, 3, 31) ? std::optional(end) : std::nullopt,
                                        Category::foster_in_house)},
                             end <= day(2020, 3, 31) ? std::optional(ExitReason::returned_home) : std::nullopt));
  }
  const CareHistory history = history_of(std::move(children), 2017, 2019);
  CalibrationOptions plain;
  CalibrationOptions recent;
  recent.half_life_years = 1;
  const Scenario a = calibrate(history, day(2020, 3, 31), plain);
  const Scenario b = calibrate(history, day(2020, 3, 31), recent);
  double plain_shape = 0, recent_shape = 0;
  for (std::size_t i = 0; i < a.evidence->ending.size(); ++i) {
    plain_shape += a.evidence->ending[i].events;
    recent_shape += b.evidence->ending[i].events;
    const double months = b.evidence->ending[i].exposure * 12;
    EXPECT_DOUBLE_EQ(months, std::round(months)) << "cell " << i;
  }
  EXPECT_LT(recent_shape, 0.6 * plain_shape);
  const GammaEvidence& plain_entries = a.evidence->entries[2][0];
  const GammaEvidence& recent_entries = b.evidence->entries[2][0];
  EXPECT_LT(recent_entries.shape(), 0.6 * plain_entries.shape());
  // Constant rate: the point estimates agree within noise (about 5% for 300 entries a sex).
  EXPECT_NEAR(b.entries.total_per_year() / a.entries.total_per_year(), 1, 0.15);
}

// Entries growing by half each year (100, 150, 225): the trend is positive and, used, puts the
// level at the origin near 225 x 1.5^0.5 = 276 a year, well above the window's plain mean of 158,
// with recency weighting or without; the damping is carried into the scenario.
TEST(RecencyWeighting, GrowingEntriesGetAPositiveTrendAndAHigherLevelAtTheOrigin) {
  std::vector<ChildHistory> children;
  const std::vector<int> per_year = {100, 150, 225};
  for (std::size_t y = 0; y < per_year.size(); ++y) {
    const Date april = day(2017 + static_cast<int>(y), 4, 1);
    for (int i = 0; i < per_year[y]; ++i) {
      const Date start = april + std::chrono::days{(i * 365) / per_year[y]};
      children.push_back(child(Sex::male, day(2012, 1, 1), {placement_spell(start, std::nullopt, Category::foster_in_house)}));
    }
  }
  const CareHistory history = history_of(std::move(children), 2017, 2019);
  CalibrationReport plain_report;
  const Scenario plain = calibrate(history, day(2020, 3, 31), CalibrationOptions{}, plain_report);
  EXPECT_NEAR(plain.entries.total_per_year(), 475 / plain_report.window_years, 1);
  for (const double half_life : {0.0, 2.0}) {
    SCOPED_TRACE(half_life);
    CalibrationOptions options;
    options.half_life_years = half_life;
    options.include_trend = true;
    options.trend_damping_per_year = 0.8;
    CalibrationReport report;
    const Scenario s = calibrate(history, day(2020, 3, 31), options, report);
    ASSERT_TRUE(report.entry_trend.estimated);
    EXPECT_NEAR(s.entries.annual_growth_rate, 0.5, 0.01);
    EXPECT_EQ(s.entries.trend_damping_per_year, 0.8);
    EXPECT_GT(s.entries.total_per_year(), plain.entries.total_per_year() * 1.5);
    EXPECT_NEAR(s.entries.total_per_year(), 225 * std::sqrt(1.5), 0.03 * 276);
  }
}

TEST(RecencyWeighting, BadHalfLifeOrDampingIsRefused) {
  CalibrationOptions options;
  options.half_life_years = -1;
  EXPECT_THROW(options.validate(), std::invalid_argument);
  options = {};
  options.trend_damping_per_year = 0;
  EXPECT_THROW(options.validate(), std::invalid_argument);
  options.trend_damping_per_year = 1.1;
  EXPECT_THROW(options.validate(), std::invalid_argument);
}

}  // namespace
}  // namespace carecast
