// Re-entry into care estimated from periods of care (calibration/re_entry_estimation.hpp): a synthetic
// history with a known hazard by time since leaving is calibrated back, and children who come back are
// counted as re-entries, not as first entries.
#include <gtest/gtest.h>

#include <boost/random/exponential_distribution.hpp>
#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <cmath>
#include <optional>
#include <utility>
#include <vector>

#include "calibration/estimation.hpp"
#include "calibration/re_entry_estimation.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

Date day(int y, int m, int d) { return make_date(y, m, d); }

constexpr std::array<double, 4> kTrueHazard = {0.6, 0.3, 0.15, 0.05};  // by band 0-6, 6-12, 12-24, 24+ months

// Days from leaving to coming back, drawn from the piecewise-constant hazard (no age effect).
double draw_days_to_re_entry(boost::random::mt19937& generator) {
  double remaining = boost::random::exponential_distribution<>(1.0)(generator);
  const double month = 365.25 / 12;
  for (std::size_t b = 0; b < kTrueHazard.size(); ++b) {
    const double from = kReEntryBandStartMonths[b] * month;
    const double to = b + 1 < kTrueHazard.size() ? kReEntryBandStartMonths[b + 1] * month : 1e9;
    const double rate = kTrueHazard[b] / 365.25;
    if (rate * (to - from) >= remaining) return from + remaining / rate;
    remaining -= rate * (to - from);
  }
  return 1e9;
}

struct SyntheticHistory {
  CareHistory history;
  std::size_t children = 0;
  std::size_t re_entries = 0;
};

// Children aged 5 to 9 entering care over two years, going home after 1 to 90 days, and coming back at
// the known hazard (into a placement that is still open at the end of the data).
SyntheticHistory synthetic_history(int children) {
  boost::random::mt19937 generator(20261129);
  boost::random::uniform_real_distribution<> uniform(0, 1);
  const Date first = day(2016, 4, 1);
  const Date last = day(2021, 3, 31);
  SyntheticHistory built;
  for (int i = 0; i < children; ++i) {
    const Date start = first + std::chrono::days{static_cast<int>(730 * uniform(generator))};
    const Date home = start + std::chrono::days{1 + static_cast<int>(89 * uniform(generator))};
    ChildHistory child = child_in_one_foster_placement(start, home, last, generator);
    const Date back = home + std::chrono::days{static_cast<int>(std::ceil(draw_days_to_re_entry(generator)))};
    if (back <= last && back < add_years(child.date_of_birth, 18)) {
      CarePeriod again;
      again.start = back;
      again.placements = {placement_spell(back, std::nullopt, Category::foster_kinship)};
      child.periods.push_back(again);
      ++built.re_entries;
    }
    built.history.children.push_back(child);
  }
  observe(built.history, first, last);
  built.children = static_cast<std::size_t>(children);
  return built;
}

TEST(ReEntryEstimation, RecoversAKnownHazardByTimeSinceLeaving) {
  const SyntheticHistory built = synthetic_history(6000);
  CalibrationOptions options;
  options.estimate_time_in_care = false;
  CalibrationReport report;
  const Scenario s = calibrate(built.history, day(2021, 3, 31), options, report);
  ASSERT_TRUE(s.re_entry.enabled());
  EXPECT_EQ(report.re_entries, built.re_entries);
  EXPECT_EQ(report.exits_home, built.children);
  // Every child's first period is a first entry; coming back is not.
  EXPECT_EQ(report.entries, built.children);
  // The hazard for 5-9 year olds (most of the time at risk) in each band of time since leaving, within
  // k standard errors of a Poisson count over the cell's years at risk (the prior, worth half a
  // child-year at the band's own rate, moves it far less).
  ReEntryCounter counter(day(2016, 4, 1), day(2021, 3, 31));
  for (const ChildHistory& child : built.history.children) counter.count(child);
  const int band = static_cast<int>(AgeBand::from_5_to_9);
  for (std::size_t b = 0; b < kTrueHazard.size(); ++b) {
    const double years = counter.years(band, static_cast<int>(b));
    ASSERT_GT(years, 100) << "band " << b;
    EXPECT_NEAR(s.re_entry.hazard_per_year[band][b], kTrueHazard[b],
                standard_errors_allowed() * std::sqrt(kTrueHazard[b] / years))
        << "band " << b;
  }
}

TEST(ReEntryEstimation, OnlyAPeriodAfterAReturnHomeOrAnOrderIsAReEntry) {
  ChildHistory child;
  child.date_of_birth = day(2010, 1, 1);
  CarePeriod first;
  first.start = day(2017, 1, 1);
  first.end = day(2017, 6, 1);
  first.exit_reason = ExitReason::special_guardianship;
  CarePeriod second = first;
  second.start = day(2018, 1, 1);
  second.end = day(2018, 3, 1);
  second.exit_reason = ExitReason::child_arrangements_order;
  CarePeriod third = second;
  third.start = day(2019, 1, 1);
  third.end.reset();
  third.exit_reason.reset();
  child.periods = {first, second, third};
  EXPECT_FALSE(is_re_entry(child, 0));
  EXPECT_FALSE(is_re_entry(child, 1));  // after a special guardianship order: a first entry as the model has it
  EXPECT_TRUE(is_re_entry(child, 2));
  ReEntryCounter counter(day(2016, 4, 1), day(2019, 3, 31));
  counter.count(child);
  EXPECT_EQ(counter.exits_home(), 1U);
  EXPECT_EQ(counter.re_entries(), 1U);
  // From 1 March 2018 (the middle of the day) to 1 January 2019 (the middle): 306 days, aged 8.
  EXPECT_NEAR(counter.years_at_risk(), 306 / 365.25, 1e-12);
  EXPECT_EQ(counter.events(static_cast<int>(AgeBand::from_5_to_9), 1), 1.0);  // 6-12 months after leaving
}

ChildHistory child_with_periods(Date born, std::vector<std::pair<Date, std::optional<Date>>> spans,
                                std::optional<ExitReason> last_exit) {
  ChildHistory child;
  child.date_of_birth = born;
  for (std::size_t i = 0; i < spans.size(); ++i) {
    CarePeriod period;
    period.start = spans[i].first;
    period.end = spans[i].second;
    if (period.end) period.exit_reason = i + 1 < spans.size() ? ExitReason::returned_home : last_exit;
    child.periods.push_back(period);
  }
  return child;
}

// The children who may come back at the as-of date (31 March 2021), counted by hand: by age band on
// that date and time since their latest period of care ended then (bands 0-6, 6-12, 12-24, 24+ months).
TEST(ReEntryEstimation, ChildrenWhoLeftBeforeTheAsOfDateAreCountedByAgeAndTimeSinceLeaving) {
  const Date as_of = day(2021, 3, 31);
  std::vector<ChildHistory> children;
  // Counted: aged 8, went home on 1 January 2021 (3 months): 5-9, band 0.
  children.push_back(child_with_periods(day(2012, 6, 1), {{day(2019, 1, 1), day(2021, 1, 1)}}, ExitReason::returned_home));
  // Counted: aged 12, a child arrangements order on 1 June 2020 (10 months): 10-15, band 1.
  children.push_back(
      child_with_periods(day(2008, 6, 1), {{day(2019, 1, 1), day(2020, 6, 1)}}, ExitReason::child_arrangements_order));
  // Counted: aged 16, a second period ended at home on 1 January 2019 (27 months): 16-17, band 3.
  children.push_back(child_with_periods(day(2004, 6, 1), {{day(2016, 5, 1), day(2017, 1, 1)}, {day(2018, 1, 1), day(2019, 1, 1)}},
                                        ExitReason::returned_home));
  // Counted: aged 12, went home on the as-of date itself: 10-15, band 0.
  children.push_back(child_with_periods(day(2008, 6, 1), {{day(2020, 1, 1), as_of}}, ExitReason::returned_home));
  // Counted: aged 12, home on 1 March 2020 (13 months); came back after the as-of date, which is later.
  children.push_back(child_with_periods(day(2008, 6, 1), {{day(2019, 1, 1), day(2020, 3, 1)}, {day(2021, 5, 1), std::nullopt}},
                                        std::nullopt));
  // Not counted: in care at the as-of date, after going home and coming back.
  children.push_back(child_with_periods(day(2008, 6, 1), {{day(2019, 1, 1), day(2020, 1, 1)}, {day(2020, 6, 1), std::nullopt}},
                                        std::nullopt));
  // Not counted: adopted; 18 by the as-of date; left after the as-of date.
  children.push_back(child_with_periods(day(2015, 6, 1), {{day(2017, 1, 1), day(2019, 1, 1)}}, ExitReason::adoption));
  children.push_back(child_with_periods(day(2003, 1, 1), {{day(2019, 1, 1), day(2020, 1, 1)}}, ExitReason::returned_home));
  children.push_back(child_with_periods(day(2008, 6, 1), {{day(2019, 1, 1), day(2021, 4, 1)}}, ExitReason::returned_home));

  ReEntryCounter counter(day(2016, 4, 1), as_of);
  for (const ChildHistory& child : children) counter.count(child);
  std::array<std::array<std::int32_t, 4>, kAgeBandCount> expected{};
  expected[static_cast<int>(AgeBand::from_5_to_9)][0] = 1;
  expected[static_cast<int>(AgeBand::from_10_to_15)][0] = 1;
  expected[static_cast<int>(AgeBand::from_10_to_15)][1] = 1;
  expected[static_cast<int>(AgeBand::from_10_to_15)][2] = 1;
  expected[static_cast<int>(AgeBand::from_16_to_17)][3] = 1;
  for (int a = 0; a < kAgeBandCount; ++a) {
    for (int b = 0; b < 4; ++b) EXPECT_EQ(counter.left_before(a, b), expected[a][b]) << "age band " << a << ", band " << b;
  }
  const ReEntry estimated = counter.estimate(0, 0.5);
  EXPECT_EQ(estimated.left_before_origin[static_cast<int>(AgeBand::from_10_to_15)], (std::vector<std::int32_t>{1, 1, 1, 0}));
  EXPECT_TRUE(estimated.left_before_origin[static_cast<int>(AgeBand::from_1_to_4)].empty());
}

}  // namespace
}  // namespace carecast
