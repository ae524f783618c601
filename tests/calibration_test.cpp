// Calibration: exposure counted by hand on tiny histories, every sample return calibrated into a
// scenario that loads back exactly and runs, the command line's errors, and recovery of known
// rates from synthetic returns of a large county.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/distributions/normal.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "calibration/estimation.hpp"
#include "calibration/scenario_writer.hpp"
#include "calibration/starting_groups.hpp"
#include "core/csv_reader.hpp"
#include "history/ssda903.hpp"
#include "history/synthetic_returns.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/runner.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

using testing::placement_spell;

namespace fs = std::filesystem;

const fs::path kSample = fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample";

Date day(int y, unsigned m, unsigned d) { return make_date(y, m, d); }
double years(double days) { return days / kDaysPerYear; }

// Tests that count time at risk by hand see it exact; what calibrate writes is rounded to months.
// Their hand counts are the hazards of category, age and time in placement alone: time in care is
// fitted beside them (TimeInCareCalibration below), and moves the rates it is fitted with.
CalibrationOptions exact_counting() {
  CalibrationOptions options;
  options.exact_time_at_risk = true;
  options.estimate_time_in_care = false;
  return options;
}

using testing::read_text;

class TempDir {
 public:
  TempDir() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() / ("carecast_calibration_" + std::string(test ? test->name() : "suite") + "_" +
                                         std::to_string(std::random_device{}()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// ---------------------------------------------------------------------------------------------
// Histories built by hand

CarePeriod period(std::vector<PlacementSpell> placements, std::optional<ExitReason> exit = std::nullopt,
                  std::string exit_code = {}, std::string home_postcode = {}) {
  CarePeriod p;
  p.start = placements.front().start;
  p.end = placements.back().end;
  p.exit_reason = exit;
  p.exit_code = std::move(exit_code);
  p.home_postcode_at_start = std::move(home_postcode);
  p.placements = std::move(placements);
  return p;
}

ChildHistory child(Sex sex, Date born, std::vector<CarePeriod> periods) {
  ChildHistory c;
  c.sex = sex;
  c.date_of_birth = born;
  c.periods = std::move(periods);
  return c;
}

// Data from the collection year starting 1 April 2017 to 31 March 2020.
CareHistory history_of(std::vector<ChildHistory> children) {
  CareHistory history;
  history.children = std::move(children);
  history.first_date = day(2017, 4, 1);
  history.observed_from = day(2017, 4, 1);
  history.last_date = day(2020, 3, 31);
  return history;
}

std::size_t cell(Category c, AgeBand band, int duration_band) {
  return (static_cast<std::size_t>(c) * kAgeBandCount + static_cast<std::size_t>(band)) * 6 +
         static_cast<std::size_t>(duration_band);
}

const GammaEvidence& ending(const Scenario& s, Category c, AgeBand band, int duration_band) {
  return s.evidence->ending[cell(c, band, duration_band)];
}

const DirichletEvidence<kOutcomeCount>& destination(const Scenario& s, Category c, AgeBand band) {
  return s.evidence->destination[static_cast<std::size_t>(c)][static_cast<std::size_t>(band)];
}

// One year (365 days) with in-house foster carers, then home. The placement runs from the middle
// of its first day to the middle of its last; its bands start at the start of days 28, 91, ...
TEST(CalibrationByHand, ExposureIsSplitAcrossDurationBandsAndTheEndingCountsWhereItHappens) {
  const Date start = day(2018, 1, 10);
  const Date end = start + std::chrono::days{365};
  const CareHistory history = history_of({child(
      Sex::female, day(2010, 6, 15),
      {period({placement_spell(start, end, Category::foster_in_house)}, ExitReason::returned_home, "E4A")})});
  CalibrationReport report;
  const Scenario s = calibrate(history, day(2020, 3, 31), exact_counting(), report);

  const auto band = AgeBand::from_5_to_9;
  const std::vector<double> expected_days = {27.5, 63, 91, 183, 0.5, 0};
  double total = 0;
  for (int d = 0; d < 6; ++d) {
    EXPECT_DOUBLE_EQ(ending(s, Category::foster_in_house, band, d).exposure, years(expected_days[static_cast<std::size_t>(d)]))
        << "duration band " << d;
    EXPECT_EQ(ending(s, Category::foster_in_house, band, d).events, d == 4 ? 1 : 0) << "duration band " << d;
    total += ending(s, Category::foster_in_house, band, d).exposure;
  }
  EXPECT_DOUBLE_EQ(total, years(365));
  EXPECT_EQ(ending(s, Category::foster_in_house, AgeBand::from_10_to_15, 0).exposure, 0);

  // Shrinkage: the prior is the category's pooled rate (1 ending in 365 days) worth 0.5 child-years.
  const double pooled = 1 / years(365);
  const GammaEvidence& cell_with_ending = ending(s, Category::foster_in_house, band, 4);
  EXPECT_DOUBLE_EQ(cell_with_ending.prior_exposure, 0.5);
  EXPECT_DOUBLE_EQ(cell_with_ending.prior_events, pooled * 0.5);
  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_in_house, band, 4), (1 + pooled * 0.5) / (years(0.5) + 0.5));
  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_in_house, AgeBand::under_1, 0), pooled);  // no data: the prior

  const auto& where = destination(s, Category::foster_in_house, band);
  EXPECT_EQ(where.counts[outcome_of(ExitReason::returned_home)], 1);
  EXPECT_EQ(where.prior[outcome_of(ExitReason::returned_home)], 1);  // the pooled share, worth 1 event
  EXPECT_DOUBLE_EQ(s.destination_probability[static_cast<int>(Category::foster_in_house)][static_cast<int>(band)]
                                            [outcome_of(ExitReason::returned_home)],
                   1.0);
  // Nobody was in any other category: no placements table (all zero).
  EXPECT_EQ(s.ending_hazard(Category::foster_agency, band, 0), 0);
  EXPECT_EQ(report.categories_estimated, 1);
  EXPECT_EQ(report.placement_endings, 1u);
  EXPECT_TRUE(s.starting_groups.empty());
  EXPECT_TRUE(s.starting_children.empty());
}

TEST(CalibrationByHand, DataAfterTheAsOfDateIsIgnored) {
  const Date start = day(2018, 1, 10);
  const CareHistory history = history_of({child(
      Sex::male, day(2010, 6, 15),
      {period({placement_spell(start, day(2019, 1, 10), Category::foster_in_house)}, ExitReason::returned_home, "E4A"),
       period({placement_spell(day(2019, 6, 1), std::nullopt, Category::foster_agency)})})});
  const Date as_of = day(2018, 6, 30);
  CalibrationReport report;
  const Scenario s = calibrate(history, as_of, exact_counting(), report);

  // Censored at the end of the as-of date: 172 days after the start day, less the first half day.
  const std::vector<double> expected_days = {27.5, 63, 81, 0, 0, 0};
  for (int d = 0; d < 6; ++d) {
    EXPECT_DOUBLE_EQ(ending(s, Category::foster_in_house, AgeBand::from_5_to_9, d).exposure,
                     years(expected_days[static_cast<std::size_t>(d)]));
    EXPECT_EQ(ending(s, Category::foster_in_house, AgeBand::from_5_to_9, d).events, 0);
  }
  EXPECT_EQ(report.placement_endings, 0u);
  EXPECT_EQ(s.ending_hazard(Category::foster_agency, AgeBand::from_5_to_9, 0), 0);  // the later period is unseen
  EXPECT_EQ(report.entries, 1u);
  EXPECT_DOUBLE_EQ(report.window_years, years(456));  // 2017-04-01 to the end of 2018-06-30

  // One child in care: a group of one (there is nobody to group with), in whole months only.
  EXPECT_TRUE(s.starting_children.empty());
  ASSERT_EQ(s.starting_groups.size(), 1u);
  const StartingGroup& g = s.starting_groups.front();
  EXPECT_EQ(g.children, 1);
  EXPECT_EQ(g.male, 1);
  EXPECT_EQ(g.uasc, 0);
  const std::int32_t age_months = whole_months(static_cast<std::int32_t>((as_of - day(2010, 6, 15)).count()));
  EXPECT_EQ(age_months, 96);  // 8 years and 15 days
  EXPECT_EQ(g.age_months.min, age_months);
  EXPECT_EQ(g.age_months.max, age_months);
  EXPECT_EQ(g.months_in_placement.min, 5);  // 171 days
  EXPECT_EQ(g.months_in_placement.max, 5);
  EXPECT_EQ(g.months_in_care.min, 5);
  EXPECT_EQ(g.placements_since_april, (std::array<std::int32_t, 3>{1, 0, 0}));
  EXPECT_EQ(g.category, Category::foster_in_house);
  EXPECT_EQ(s.origin, as_of);
}

// The short-term stability measure counts a child's placements during the year, in every period
// of care: a child who went home in June and came back in January with two placements since has
// had three since 1 April, not two.
TEST(CalibrationByHand, PlacementsSinceAprilCountEveryPeriodOfCareInTheYear) {
  const CareHistory history = history_of({child(
      Sex::female, day(2011, 2, 3),
      {period({placement_spell(day(2019, 4, 10), day(2019, 6, 30), Category::foster_in_house)}, ExitReason::returned_home,
              "E4A"),
       period({placement_spell(day(2020, 1, 10), day(2020, 2, 10), Category::foster_in_house),
               placement_spell(day(2020, 2, 10), std::nullopt, Category::foster_agency)})})});
  CalibrationReport report;
  const Scenario s = calibrate(history, day(2020, 3, 31), exact_counting(), report);
  ASSERT_EQ(s.starting_groups.size(), 1u);
  const StartingGroup& g = s.starting_groups.front();
  EXPECT_EQ(g.category, Category::foster_agency);
  EXPECT_EQ(g.placements_since_april, (std::array<std::int32_t, 3>{0, 0, 1}));
  // Time in care is the current period's: 81 days, 2 whole months.
  EXPECT_EQ(g.months_in_care.max, 2);
}

TEST(CalibrationByHand, CareEndsAt18AndStayingPutIsAShareOfFosterExitsAt18) {
  const CareHistory history = history_of({
      // Stays put on the 18th birthday: not a placement ending.
      child(Sex::male, day(2000, 5, 20),
            {period({placement_spell(day(2017, 6, 1), day(2018, 5, 20), Category::foster_agency)}, ExitReason::staying_put,
                    "E17")}),
      // Leaves on the birthday for another reason.
      child(Sex::female, day(2000, 9, 1),
            {period({placement_spell(day(2018, 1, 1), day(2018, 9, 1), Category::foster_agency)}, ExitReason::other, "E8")}),
      // Recorded in care after 18: time at risk stops at the birthday.
      child(Sex::female, day(2001, 2, 1),
            {period({placement_spell(day(2018, 8, 1), day(2019, 3, 1), Category::foster_agency)}, ExitReason::other, "E8")}),
      // Not in foster care at 18: no part of the staying-put share.
      child(Sex::male, day(2000, 7, 1),
            {period({placement_spell(day(2018, 1, 1), day(2018, 7, 1), Category::childrens_home_external)}, ExitReason::other,
                    "E8")}),
  });
  CalibrationReport report;
  const Scenario s = calibrate(history, day(2020, 3, 31), exact_counting(), report);
  EXPECT_EQ(report.placement_endings, 0u);
  EXPECT_EQ(report.foster_exits_at_18, 3u);
  EXPECT_EQ(report.staying_put, 1u);
  EXPECT_DOUBLE_EQ(s.staying_put_probability, 1.0 / 3);

  double agency_days = 0;
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (int d = 0; d < 6; ++d) agency_days += ending(s, Category::foster_agency, static_cast<AgeBand>(b), d).exposure;
  }
  // To the 18th birthday, from the middle of each placement's first day.
  const double expected = days_between(day(2017, 6, 1), day(2018, 5, 20)) - 0.5 +
                          days_between(day(2018, 1, 1), day(2018, 9, 1)) - 0.5 +
                          days_between(day(2018, 8, 1), day(2019, 2, 1)) - 0.5;
  EXPECT_DOUBLE_EQ(agency_days, years(expected));
}

// A move to agency carers at 212 days, across the first birthday at day 181 of the placement.
TEST(CalibrationByHand, MovesAreEndingsWithTheNextCategoryAndBirthdaysSplitExposure) {
  const Date start = day(2018, 2, 1);
  const CareHistory history = history_of({child(
      Sex::female, day(2017, 8, 1),
      {period({placement_spell(start, day(2018, 9, 1), Category::foster_in_house),
               placement_spell(day(2018, 9, 1), day(2019, 2, 1), Category::foster_agency)},
              ExitReason::adoption, "E11")})});
  const Scenario s = calibrate(history, day(2020, 3, 31), exact_counting());
  const Category in_house = Category::foster_in_house;
  EXPECT_DOUBLE_EQ(ending(s, in_house, AgeBand::under_1, 0).exposure, years(27.5));
  EXPECT_DOUBLE_EQ(ending(s, in_house, AgeBand::under_1, 1).exposure, years(63));
  EXPECT_DOUBLE_EQ(ending(s, in_house, AgeBand::under_1, 2).exposure, years(90));
  EXPECT_DOUBLE_EQ(ending(s, in_house, AgeBand::from_1_to_4, 2).exposure, years(1));
  EXPECT_DOUBLE_EQ(ending(s, in_house, AgeBand::from_1_to_4, 3).exposure, years(30.5));
  EXPECT_EQ(ending(s, in_house, AgeBand::from_1_to_4, 3).events, 1);
  EXPECT_EQ(destination(s, in_house, AgeBand::from_1_to_4).counts[outcome_of(Category::foster_agency)], 1);

  const Category agency = Category::foster_agency;
  EXPECT_DOUBLE_EQ(ending(s, agency, AgeBand::from_1_to_4, 2).exposure, years(62.5));
  EXPECT_EQ(ending(s, agency, AgeBand::from_1_to_4, 2).events, 1);
  EXPECT_EQ(destination(s, agency, AgeBand::from_1_to_4).counts[outcome_of(ExitReason::adoption)], 1);
  // The first placement of the period, at age under 1.
  EXPECT_EQ(s.evidence->first_placement[0].counts[static_cast<std::size_t>(in_house)], 1);
}

TEST(CalibrationByHand, EntriesSiblingGroupsUascAndPeriodsSeenFromTheMiddle) {
  const Date together = day(2018, 5, 5);
  std::vector<ChildHistory> children;
  for (const Date born : {day(2010, 1, 1), day(2012, 1, 1), day(2016, 1, 1)}) {
    children.push_back(child(Sex::male, born,
                             {period({placement_spell(together, std::nullopt, Category::foster_in_house)}, {}, {}, "RM9 4")}));
  }
  children.push_back(child(Sex::female, day(2011, 3, 3),
                           {period({placement_spell(together, std::nullopt, Category::foster_agency)}, {}, {}, "RM10 7")}));
  children.push_back(child(Sex::female, day(2011, 3, 3),
                           {period({placement_spell(day(2018, 7, 7), std::nullopt, Category::foster_agency)})}));
  ChildHistory uasc = child(Sex::male, day(2002, 2, 2),
                            {period({placement_spell(day(2018, 8, 8), std::nullopt, Category::supported_accommodation)})});
  uasc.uasc = true;
  uasc.uasc_ceased = day(2020, 2, 2);
  children.push_back(uasc);
  // Already in care when the data begins: not an entry, and its first placement's time in
  // placement is unknown, so only the placement after it is used for hazards.
  ChildHistory seen_from_middle =
      child(Sex::male, day(2008, 4, 4),
            {period({placement_spell(day(2017, 4, 1), day(2018, 4, 1), Category::foster_kinship),
                     placement_spell(day(2018, 4, 1), std::nullopt, Category::foster_kinship)})});
  seen_from_middle.periods.front().starts_before_data = true;
  children.push_back(seen_from_middle);

  const Date as_of = day(2019, 3, 31);
  CalibrationReport report;
  const Scenario s = calibrate(history_of(std::move(children)), as_of, exact_counting(), report);
  EXPECT_EQ(report.entries, 5u);
  EXPECT_EQ(report.uasc_entries, 1u);
  EXPECT_EQ(report.sibling_groups, 1u);
  EXPECT_EQ(report.placements_start_unknown, 1u);
  EXPECT_EQ(report.placements_used, 7u);
  // Groups: one of 3 (same day, same postcode), two alone (another postcode; none given).
  ASSERT_EQ(s.sibling_group_size_probability.size(), 3u);
  EXPECT_DOUBLE_EQ(s.sibling_group_size_probability[0], 2.0 / 3);
  EXPECT_DOUBLE_EQ(s.sibling_group_size_probability[2], 1.0 / 3);

  // Entries a year: count / window years, with the band's prior worth 1 entry split between sexes.
  const double window = report.window_years;
  EXPECT_DOUBLE_EQ(window, years(730));  // two collection years, 2017-18 and 2018-19
  EXPECT_EQ(s.evidence->entries[2][0].events, 2);  // boys born 2010 and 2012
  EXPECT_EQ(s.evidence->entries[2][1].events, 2);
  const GammaEvidence& boys_1_to_4 = s.evidence->entries[1][0];
  EXPECT_EQ(boys_1_to_4.events, 1);
  EXPECT_EQ(boys_1_to_4.exposure, window);
  // One boy and no girl at 1-4: the prior is 0.5 entries at the band's rate per sex, 1 / (2 x window).
  EXPECT_DOUBLE_EQ(boys_1_to_4.prior_events, 0.5);
  EXPECT_DOUBLE_EQ(boys_1_to_4.prior_exposure, window);
  EXPECT_DOUBLE_EQ(s.entries.expected_per_year[1][0], 1.5 / (2 * window));
  EXPECT_DOUBLE_EQ(s.entries.expected_per_year[1][1], 0.5 / (2 * window));
  EXPECT_EQ(s.entries.expected_per_year[0][0], 0);  // nobody entered under 1
  EXPECT_EQ(s.evidence->entries[0][0].prior_events, 0);
  EXPECT_EQ(s.evidence->uasc_entries[4][0].events, 1);
  EXPECT_EQ(s.uasc.first_placement_probability[4][static_cast<int>(Category::supported_accommodation)], 1);
  EXPECT_EQ(s.entries.first_placement_probability[4][static_cast<int>(Category::supported_accommodation)], 0);

  // Everyone is still in care at the as-of date; the UASC young person is 17.
  // Seven children: one group of at least 5 cannot be split, so all seven share one.
  int grouped_children = 0;
  int uasc_children = 0;
  bool kinship_seen = false;
  for (const StartingGroup& g : s.starting_groups) {
    grouped_children += g.children;
    uasc_children += g.uasc;
    if (g.category == Category::foster_kinship) {
      kinship_seen = true;
      EXPECT_LE(g.months_in_placement.min, 11);  // 364 days
      EXPECT_GE(g.months_in_placement.max, 11);
      EXPECT_LE(g.months_in_care.min, 23);  // 729 days
      EXPECT_GE(g.months_in_care.max, 23);
      // The placement ending on 1 April 2018 and the next.
      EXPECT_EQ(g.placements_since_april, (std::array<std::int32_t, 3>{0, 1, 0}));
    }
  }
  EXPECT_TRUE(kinship_seen);
  EXPECT_EQ(grouped_children, 7);
  EXPECT_EQ(uasc_children, 1);
}

// Entries growing 10% a year: the Poisson regression finds it, and with the trend on the entry
// rate is the rate at the origin, over years weighted by the trend.
TEST(CalibrationByHand, TrendInEntriesIsEstimatedAndUsedOnlyWhenAskedFor) {
  std::vector<ChildHistory> children;
  const std::vector<int> per_year = {1000, 1100, 1210};
  for (std::size_t y = 0; y < per_year.size(); ++y) {
    const Date april = day(2017 + static_cast<int>(y), 4, 1);
    for (int i = 0; i < per_year[y]; ++i) {
      const Date start = april + std::chrono::days{(i * 365) / per_year[y]};
      children.push_back(
          child(Sex::female, day(2012, 1, 1), {period({placement_spell(start, std::nullopt, Category::foster_in_house)})}));
    }
  }
  const CareHistory history = history_of(std::move(children));
  CalibrationOptions options;
  CalibrationReport off_report;
  const Scenario off = calibrate(history, day(2020, 3, 31), options, off_report);
  ASSERT_TRUE(off_report.entry_trend.estimated);
  EXPECT_EQ(off_report.entry_trend.entries_by_year, (std::vector<std::int64_t>{1000, 1100, 1210}));
  EXPECT_NEAR(off_report.entry_trend.growth, 0.1, 0.002);  // years differ by a leap day
  EXPECT_GT(off_report.entry_trend.standard_error, 0);
  EXPECT_LT(off_report.entry_trend.standard_error, 0.05);
  EXPECT_EQ(off.entries.annual_growth_rate, 0);
  EXPECT_DOUBLE_EQ(off.evidence->entries[2][1].exposure, off_report.window_years);
  // The slope's standard error on the log scale is the growth's divided by 1 + growth (delta
  // method), and the forecast keeps it even with the trend off: growth is taken as 0, not as known.
  EXPECT_NEAR(off_report.entry_trend.slope_standard_error,
              off_report.entry_trend.standard_error / (1 + off_report.entry_trend.growth), 1e-12);
  EXPECT_EQ(off.evidence->entries_growth_sd_log_per_year, off_report.entry_trend.slope_standard_error);
  EXPECT_GT(off.evidence->entries_growth_sd_log_per_year, 0);

  options.include_trend = true;
  CalibrationReport on_report;
  const Scenario on = calibrate(history, day(2020, 3, 31), options, on_report);
  const double g = on_report.entry_trend.growth;
  EXPECT_EQ(on.entries.annual_growth_rate, g);
  const double t = on_report.window_years;
  EXPECT_DOUBLE_EQ(on.evidence->entries[2][1].exposure, (1 - std::pow(1 + g, -t)) / std::log1p(g));
  // About 1210 x 1.1^0.5 a year at the origin, against 1103 a year on average over the window.
  EXPECT_NEAR(on.entries.total_per_year(), 1210 * std::sqrt(1.1), 10);
  EXPECT_NEAR(off.entries.total_per_year(), 3310 / t, 1);
}

TEST(CalibrationByHand, BadOptionsAndDatesAreRefused) {
  const CareHistory history = history_of({child(
      Sex::female, day(2010, 6, 15), {period({placement_spell(day(2018, 1, 1), std::nullopt, Category::foster_in_house)})})});
  EXPECT_THROW(calibrate(history, day(2017, 3, 31)), std::invalid_argument);
  CalibrationOptions options;
  options.hazard_prior_child_years = 0;
  EXPECT_THROW(calibrate(history, day(2019, 3, 31), options), std::invalid_argument);
  options = {};
  options.duration_band_start_days = {0, 28, 28};
  EXPECT_THROW(calibrate(history, day(2019, 3, 31), options), std::invalid_argument);
  options = {};
  options.horizon_years = 11;
  EXPECT_THROW(calibrate(history, day(2019, 3, 31), options), std::invalid_argument);
  EXPECT_THROW(calibrate(CareHistory{}, day(2019, 3, 31)), std::invalid_argument);
  EXPECT_NO_THROW(CalibrationOptions{}.validate());
}

// ---------------------------------------------------------------------------------------------
// Written and loaded back

template <std::size_t N>
void expect_same_evidence(const std::array<double, N>& a, const std::array<double, N>& b, const std::string& what) {
  for (std::size_t i = 0; i < N; ++i) EXPECT_EQ(a[i], b[i]) << what << " [" << i << "]";
}

void expect_same_gamma(const GammaEvidence& a, const GammaEvidence& b, const std::string& what) {
  EXPECT_EQ(a.events, b.events) << what;
  EXPECT_EQ(a.exposure, b.exposure) << what;
  EXPECT_EQ(a.prior_events, b.prior_events) << what;
  EXPECT_EQ(a.prior_exposure, b.prior_exposure) << what;
}

void expect_same_stream(const EntryStream& a, const EntryStream& b, const std::string& what) {
  EXPECT_EQ(a.annual_growth_rate, b.annual_growth_rate) << what;
  for (std::size_t band = 0; band < kAgeBandCount; ++band) {
    EXPECT_EQ(a.expected_per_year[band], b.expected_per_year[band]) << what << " band " << band;
    if (a.expected_per_year[band][0] + a.expected_per_year[band][1] > 0) {
      expect_same_evidence(a.first_placement_probability[band], b.first_placement_probability[band], what);
    }
  }
}

// Every number the engine uses, compared exactly.
void expect_same_scenario(const Scenario& a, const Scenario& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.description, b.description);
  EXPECT_EQ(a.origin, b.origin);
  EXPECT_EQ(a.horizon_years, b.horizon_years);
  EXPECT_EQ(a.duration_band_start_days, b.duration_band_start_days);
  EXPECT_TRUE(a.starting_children.empty());
  EXPECT_TRUE(b.starting_children.empty());
  ASSERT_EQ(a.starting_groups.size(), b.starting_groups.size());
  for (std::size_t i = 0; i < a.starting_groups.size(); ++i) {
    const StartingGroup& x = a.starting_groups[i];
    const StartingGroup& y = b.starting_groups[i];
    const auto fields = [](const StartingGroup& g) {
      return std::make_tuple(g.category, g.children, g.male, g.uasc, g.age_months.min, g.age_months.max,
                             g.months_in_care.min, g.months_in_care.max, g.months_in_placement.min,
                             g.months_in_placement.max, g.placements_since_april);
    };
    EXPECT_TRUE(fields(x) == fields(y)) << "starting group " << i;
  }

  expect_same_stream(a.entries, b.entries, "entries");
  expect_same_stream(a.uasc, b.uasc, "uasc");
  EXPECT_EQ(a.sibling_group_size_probability, b.sibling_group_size_probability);
  EXPECT_EQ(a.ending_hazard_per_year, b.ending_hazard_per_year);
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    for (std::size_t band = 0; band < kAgeBandCount; ++band) {
      expect_same_evidence(a.destination_probability[c][band], b.destination_probability[c][band], "destination");
    }
  }
  EXPECT_EQ(a.staying_put_probability, b.staying_put_probability);
  ASSERT_EQ(a.evidence.has_value(), b.evidence.has_value());
  if (!a.evidence) return;
  const RateEvidence& x = *a.evidence;
  const RateEvidence& y = *b.evidence;
  ASSERT_EQ(x.ending.size(), y.ending.size());
  for (std::size_t i = 0; i < x.ending.size(); ++i) expect_same_gamma(x.ending[i], y.ending[i], "ending " + std::to_string(i));
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    for (std::size_t band = 0; band < kAgeBandCount; ++band) {
      expect_same_evidence(x.destination[c][band].counts, y.destination[c][band].counts, "destination counts");
      expect_same_evidence(x.destination[c][band].prior, y.destination[c][band].prior, "destination prior");
    }
  }
  for (std::size_t band = 0; band < kAgeBandCount; ++band) {
    for (std::size_t sex = 0; sex < kSexCount; ++sex) {
      expect_same_gamma(x.entries[band][sex], y.entries[band][sex], "entries");
      expect_same_gamma(x.uasc_entries[band][sex], y.uasc_entries[band][sex], "uasc entries");
    }
    expect_same_evidence(x.first_placement[band].counts, y.first_placement[band].counts, "first placement counts");
    expect_same_evidence(x.first_placement[band].prior, y.first_placement[band].prior, "first placement prior");
    expect_same_evidence(x.uasc_first_placement[band].counts, y.uasc_first_placement[band].counts, "uasc first");
    expect_same_evidence(x.uasc_first_placement[band].prior, y.uasc_first_placement[band].prior, "uasc first prior");
  }
  EXPECT_EQ(x.entries_growth_sd_log_per_year, y.entries_growth_sd_log_per_year);
  EXPECT_EQ(x.uasc_growth_sd_log_per_year, y.uasc_growth_sd_log_per_year);
}

// Every CHILD identifier and date of birth (as the returns write it) in the header files given.
struct PersonalData {
  std::set<std::string> identifiers;
  std::set<std::string> dates_of_birth;  // dd/mm/yyyy as in the files, and ISO
};

PersonalData personal_data_in(const std::vector<fs::path>& header_files) {
  PersonalData data;
  for (const fs::path& file : header_files) {
    const CsvTable table = CsvTable::read(file);
    const std::size_t child = table.require_column("CHILD");
    const std::size_t birth = table.require_column("DOB");
    for (std::size_t row = 0; row < table.row_count(); ++row) {
      data.identifiers.insert(std::string(table.field(row, child)));
      data.dates_of_birth.insert(std::string(table.field(row, birth)));
      if (const auto date = parse_date(table.field(row, birth))) data.dates_of_birth.insert(format_iso(*date));
    }
  }
  return data;
}

// Identifiers are checked as whole words, those of 5 characters or more (the sample's shortest are
// numbers such as 91, which occur as ordinary counts); a date of birth anywhere, except where it is
// also one of the scenario's own dates (the origin or the window start).
void expect_no_personal_data(const std::string& text, const PersonalData& data, const std::set<std::string>& own_dates) {
  std::string word;
  for (const char c : text + " ") {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      word += c;
      continue;
    }
    EXPECT_FALSE(word.size() >= 5 && data.identifiers.contains(word)) << "identifier written: " << word;
    word.clear();
  }
  for (const std::string& date : data.dates_of_birth) {
    if (own_dates.contains(date)) continue;
    EXPECT_EQ(text.find(date), std::string::npos) << "date of birth written";
  }
}

struct CalibratedFiles {
  Scenario calibrated;
  Scenario loaded;
  std::string toml;
  std::string csv;
};

CalibratedFiles calibrate_write_and_load(const CareHistory& history, Date as_of, const CalibrationOptions& options,
                                         const CleaningReport& cleaning, const fs::path& file) {
  CalibrationReport report;
  CalibratedFiles result;
  result.calibrated = calibrate(history, as_of, options, report);
  write_calibrated_scenario(file, result.calibrated, report, cleaning);
  result.loaded = load_scenario(file);
  result.toml = read_text(file);
  result.csv = read_text(starting_groups_csv_path(file));
  return result;
}

void check_sample_calibration(const std::vector<fs::path>& inputs, const std::vector<fs::path>& headers) {
  CleaningReport cleaning;
  const CareHistory history = load_ssda903(inputs, std::nullopt, cleaning);
  ASSERT_FALSE(cleaning.files.empty());
  ASSERT_FALSE(cleaning.steps.empty());
  std::ostringstream printed;
  cleaning.print(printed);
  EXPECT_NE(printed.str().find("Cleaning, in the order applied"), std::string::npos);
  ASSERT_TRUE(history.last_date.has_value());

  const TempDir dir;
  const Date as_of = *history.last_date;
  const CalibratedFiles files =
      calibrate_write_and_load(history, as_of, {}, cleaning, dir.path() / "calibrated.toml");
  expect_same_scenario(files.calibrated, files.loaded);
  EXPECT_EQ(files.loaded.source_files.size(), 2u);  // the scenario and its children CSV
  const PersonalData personal = personal_data_in(headers);
  const std::set<std::string> own_dates = {format_iso(as_of), format_iso(*history.observed_from)};
  expect_no_personal_data(files.toml, personal, own_dates);
  expect_no_personal_data(files.csv, personal, own_dates);

  RunOptions run;
  run.runs = 20;
  run.seed = 7;
  run.threads = 1;
  const RunResult result = run_replications(files.loaded, run);
  EXPECT_EQ(result.runs, 20);
  EXPECT_EQ(result.children_in_care_aged_18_or_over, 0);
  // Nothing is left beside the files but the files.
  int entries = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 2);
}

TEST(CalibrationSample, WholeFolderCalibratesIntoAScenarioThatLoadsBackExactlyAndRuns) {
  std::vector<fs::path> headers;
  for (int year = 2017; year <= 2021; ++year) headers.push_back(kSample / (std::to_string(year) + "-header.csv"));
  check_sample_calibration({kSample}, headers);
}

TEST(CalibrationSample, EachYearCalibratesOnItsOwn) {
  for (int year = 2017; year <= 2021; ++year) {
    SCOPED_TRACE(year);
    const std::string prefix = std::to_string(year);
    const fs::path header = kSample / (prefix + "-header.csv");
    check_sample_calibration({header, kSample / (prefix + "-episodes.csv"), kSample / (prefix + "-uasc.csv")}, {header});
  }
}

TEST(CalibrationSample, AnEarlierAsOfDateGivesAnotherScenarioThatAlsoLoads) {
  CleaningReport cleaning;
  const CareHistory history = load_ssda903({kSample}, std::nullopt, cleaning);
  const TempDir dir;
  CalibrationOptions options;
  options.include_trend = true;
  options.horizon_years = 3;
  const CalibratedFiles files =
      calibrate_write_and_load(history, day(2019, 9, 30), options, cleaning, dir.path() / "mid.toml");
  expect_same_scenario(files.calibrated, files.loaded);
  EXPECT_EQ(files.loaded.horizon_years, 3);
  EXPECT_NE(files.loaded.entries.annual_growth_rate, 0);
}

// ---------------------------------------------------------------------------------------------
// The command line

using Outcome = carecast::testing::CommandOutcome;
using carecast::testing::run_carecast;

TEST(CalibrateCommand, WritesAScenarioThatRunAccepts) {
  const TempDir dir;
  const fs::path out = dir.path() / "sample.toml";
  const Outcome calibrated = run_carecast("calibrate " + kSample.string() + " --as-of 2022-03-31 --trend on --out " + out.string());
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.output;
  for (const char* part : {"SSDA903 rows read", "Cleaning, in the order applied", "Ending hazards:", "with data",
                           "Entries:", "Trend in entries:", "used", "Starting population:"}) {
    EXPECT_NE(calibrated.output.find(part), std::string::npos) << part << "\n" << calibrated.output;
  }
  EXPECT_TRUE(fs::exists(dir.path() / "sample-starting-groups.csv"));
  std::vector<fs::path> headers;
  for (int year = 2017; year <= 2021; ++year) headers.push_back(kSample / (std::to_string(year) + "-header.csv"));
  expect_no_personal_data(calibrated.output, personal_data_in(headers), {"2022-03-31", "2017-04-01"});

  const Outcome run = run_carecast("run " + out.string() + " --runs 20 --out " + (dir.path() / "forecast").string());
  EXPECT_EQ(run.exit_code, 0) << run.output;
}

// A copy of the sample's 2017 returns with one episodes line changed.
fs::path broken_sample(const fs::path& dir, const std::string& from, const std::string& to) {
  const fs::path folder = dir / "data";
  fs::create_directories(folder);
  fs::copy_file(kSample / "2017-header.csv", folder / "2017-header.csv");
  std::string episodes = read_text(kSample / "2017-episodes.csv");
  const std::size_t at = episodes.find(from);
  if (at == std::string::npos) throw std::runtime_error("no '" + from + "' in the sample");
  episodes.replace(at, from.size(), to);
  std::ofstream(folder / "2017-episodes.csv", std::ios::binary) << episodes;
  return folder;
}

struct BadInput {
  std::string from;
  std::string to;
  std::string where;  // file:line:column as the message gives it
  std::string field;
};

TEST(CalibrateCommand, BadInputNamesFileLineAndColumnExitsWithTwoAndWritesNothing) {
  // The sample's second episode: CHILD 296227, DECOM 11/09/2017, RNE S, ... (line 3 of the file).
  const std::vector<BadInput> cases = {
      {"CHILD,DECOM,RNE", "CHILD,START,RNE", "2017-episodes.csv:1", "DECOM"},
      {"296227,11/09/2017,S", "296227,31/09/2017,S", "2017-episodes.csv:3:2", "DECOM"},
      {"296227,11/09/2017,S", "296227,11/09/2017,Q", "2017-episodes.csv:3:3", "RNE"},
  };
  for (const BadInput& bad : cases) {
    SCOPED_TRACE(bad.to);
    const TempDir dir;
    const fs::path data = broken_sample(dir.path(), bad.from, bad.to);
    const fs::path out = dir.path() / "out.toml";
    const Outcome outcome = run_carecast("calibrate " + data.string() + " --as-of 2018-03-31 --out " + out.string());
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find(bad.where), std::string::npos) << outcome.output;
    EXPECT_NE(outcome.output.find("'" + bad.field + "'"), std::string::npos) << outcome.output;
    EXPECT_EQ(outcome.output.find("296227"), std::string::npos) << outcome.output;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(dir.path() / "out-starting-groups.csv"));
  }
}

TEST(CalibrateCommand, AsOfDateOutsideTheDataOrUnreadableIsRefused) {
  const TempDir dir;
  const fs::path out = dir.path() / "out.toml";
  for (const char* as_of : {"2016-03-31", "2023-03-31", "31/03/2022", "2022-02-30"}) {
    const Outcome outcome = run_carecast("calibrate " + kSample.string() + " --as-of " + as_of + " --out " + out.string());
    EXPECT_EQ(outcome.exit_code, 2) << as_of << "\n" << outcome.output;
    EXPECT_NE(outcome.output.find("'--as-of'"), std::string::npos) << outcome.output;
  }
  EXPECT_EQ(run_carecast("calibrate " + kSample.string() + " --as-of 2022-03-31 --trend maybe --out " + out.string()).exit_code,
            2);
  EXPECT_FALSE(fs::exists(out));
}

// ---------------------------------------------------------------------------------------------
// Recovery: synthetic returns of a large county, simulated from known rates, calibrated back.

// test_support's mixed scenario (three categories, duration- and age-dependent hazards, moves
// between them, sibling groups, UASC, entries growing 3% a year and UASC falling 5%) with entries
// scaled up to a large county's, from 31 March 2014 for 10 years.
constexpr double kEntryScale = 16;
constexpr int kYears = 10;

Scenario large_county() {
  Scenario s = testing::mixed_scenario();
  s.name = "large county";
  s.origin = day(2014, 3, 31);
  s.horizon_years = kYears;
  for (auto& band : s.entries.expected_per_year) {
    for (double& x : band) x *= kEntryScale;
  }
  for (auto& band : s.uasc.expected_per_year) {
    for (double& x : band) x *= kEntryScale;
  }
  return s;
}

struct SyntheticCounty {
  Scenario truth;
  std::size_t episode_rows = 0;
  std::size_t children_looked_after = 0;  // at the as-of date
  double load_seconds = 0;
  double calibrate_seconds = 0;
  CalibrationReport report;
  Scenario calibrated;
  CalibrationReport trend_report;
  Scenario calibrated_with_trend;
};

// Simulated once for the suite: writes the returns from the first full collection year after the
// origin (2014-15: the 2013-14 files would hold only the children in care at the origin), then
// loads and calibrates them, timing both.
const SyntheticCounty& synthetic_county() {
  static const SyntheticCounty county = [] {
    SyntheticCounty result;
    result.truth = large_county();
    const SyntheticReturns returns = render_synthetic_returns(simulate_synthetic_history(result.truth, kYears, 2024));
    const TempDir dir;
    const int first_year = 2014;
    for (const SyntheticFile& file : returns.files) {
      if (!file.name.ends_with(".csv") || std::stoi(file.name.substr(0, 4)) < first_year) continue;
      std::ofstream(dir.path() / file.name, std::ios::binary) << file.text;
    }
    const Date as_of = result.truth.horizon_end();

    const auto started = std::chrono::steady_clock::now();
    CleaningReport cleaning;
    const CareHistory history = load_ssda903({dir.path()}, std::nullopt, cleaning);
    const auto loaded = std::chrono::steady_clock::now();
    result.calibrated = calibrate(history, as_of, {}, result.report);
    const auto calibrated = std::chrono::steady_clock::now();
    result.load_seconds = std::chrono::duration<double>(loaded - started).count();
    result.calibrate_seconds = std::chrono::duration<double>(calibrated - loaded).count();
    result.episode_rows = cleaning.rows_read(Ssda903Table::episodes);
    result.children_looked_after = 0;
    for (const StartingGroup& g : result.calibrated.starting_groups) result.children_looked_after += g.children;
    CalibrationOptions with_trend;
    with_trend.include_trend = true;
    result.calibrated_with_trend = calibrate(history, as_of, with_trend, result.trend_report);
    return result;
  }();
  return county;
}

// Checks with a tiny false-alarm rate over all of them together: each is run at the overall rate
// divided by their number (Bonferroni).
class RecoveryChecks {
 public:
  void add(std::string what, std::function<bool(double alpha)> check) { checks_.push_back({std::move(what), std::move(check)}); }

  void run() const {
    ASSERT_FALSE(checks_.empty());
    const double alpha = testing::kFalseAlarmRate / static_cast<double>(checks_.size());
    for (const Check& check : checks_) EXPECT_TRUE(check.passes(alpha)) << check.what;
  }
  std::size_t size() const { return checks_.size(); }

 private:
  struct Check {
    std::string what;
    std::function<bool(double)> passes;
  };
  std::vector<Check> checks_;
};

bool in_gamma_interval(double truth, const GammaEvidence& evidence, double alpha) {
  const boost::math::gamma_distribution<> posterior(evidence.shape(), 1 / evidence.rate());
  return boost::math::quantile(posterior, alpha / 2) <= truth &&
         truth <= boost::math::quantile(boost::math::complement(posterior, alpha / 2));
}

bool in_beta_interval(double truth, double alpha_parameter, double beta_parameter, double alpha) {
  const boost::math::beta_distribution<> posterior(alpha_parameter, beta_parameter);
  return boost::math::quantile(posterior, alpha / 2) <= truth &&
         truth <= boost::math::quantile(boost::math::complement(posterior, alpha / 2));
}

// A return cannot hold two episodes of a child starting on the same day, so a placement begun and
// ended on one day is not in it: the placement before it seems to lead to the one after, or the
// one after seems to be the first. Outcomes the simulation never produces can so appear, rarely.
void expect_rare(double count, double all, const std::string& what) {
  EXPECT_LE(count, 0.01 * all) << what << ": the simulation never does this";
}

double z_allowed(double alpha) {
  return boost::math::quantile(boost::math::complement(boost::math::normal(), alpha / 2));
}

// The average over the window of a rate growing at `growth` a year from `rate` at the start.
double window_average(double rate, double growth, double window_years) {
  return rate * std::expm1(std::log1p(growth) * window_years) / (std::log1p(growth) * window_years);
}

TEST(CalibrationRecovery, SyntheticCountyIsLargeAndCalibratesInSeconds) {
  const SyntheticCounty& county = synthetic_county();
  std::cout << "[ timing   ] " << county.episode_rows << " episode rows, " << county.children_looked_after
            << " children looked after at the end: load " << county.load_seconds << " s, calibrate "
            << county.calibrate_seconds << " s\n";
  county.report.print(std::cout);
  EXPECT_GT(county.episode_rows, 90000u);
  EXPECT_GT(county.children_looked_after, 1500u);
}

TEST(CalibrationRecovery, KnownRatesLieWithinTheirPosteriorIntervals) {
  const SyntheticCounty& county = synthetic_county();
  const Scenario& truth = county.truth;
  const Scenario& fitted = county.calibrated;
  const RateEvidence& evidence = *fitted.evidence;
  RecoveryChecks checks;
  int hazard_cells = 0;

  for (int c = 0; c < kCategoryCount; ++c) {
    const auto category = static_cast<Category>(c);
    for (int b = 0; b < kAgeBandCount; ++b) {
      const auto band = static_cast<AgeBand>(b);
      for (int d = 0; d < truth.duration_band_count(); ++d) {
        const GammaEvidence& gamma = evidence.ending[cell(category, band, d)];
        if (gamma.exposure == 0) continue;  // the posterior is the prior
        ++hazard_cells;
        const double rate = truth.ending_hazard(category, band, d);
        checks.add("hazard " + std::string(name_of(category)) + " " + std::string(name_of(band)) + " band " +
                       std::to_string(d),
                   [rate, gamma](double alpha) { return in_gamma_interval(rate, gamma, alpha); });
      }
      const auto& counts = evidence.destination[static_cast<std::size_t>(c)][static_cast<std::size_t>(b)];
      double total = 0, endings = 0;
      for (int o = 0; o < kOutcomeCount; ++o) {
        total += counts.counts[o] + counts.prior[o];
        endings += counts.counts[o];
      }
      for (int o = 0; o < kOutcomeCount; ++o) {
        const double p = truth.destination_probability[c][b][o];
        const std::string what = "destination " + std::string(name_of(category)) + " " +
                                 std::string(name_of(band)) + " -> " + std::string(outcome_name(o));
        if (p == 0) {
          expect_rare(counts.counts[o], endings, what);
          continue;
        }
        const double mass = counts.counts[o] + counts.prior[o];
        checks.add(what, [p, mass, total](double alpha) { return in_beta_interval(p, mass, total - mass, alpha); });
      }
    }
  }
  EXPECT_GT(hazard_cells, 60);

  const double window = county.report.window_years;
  const auto add_stream = [&](const std::string& stream, const EntryStream& true_stream,
                              const PerAgeBand<PerSex<GammaEvidence>>& entries) {
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      for (std::size_t s = 0; s < kSexCount; ++s) {
        const double rate = window_average(true_stream.expected_per_year[b][s], true_stream.annual_growth_rate, window);
        const GammaEvidence gamma = entries[b][s];
        const std::string what = stream + " " + std::string(kAgeBandNames[b]) + " " + std::string(kSexNames[s]);
        if (rate == 0) {
          EXPECT_EQ(gamma.events, 0) << what;
          continue;
        }
        checks.add(what, [rate, gamma](double alpha) { return in_gamma_interval(rate, gamma, alpha); });
      }
    }
  };
  add_stream("entries", truth.entries, evidence.entries);
  add_stream("uasc entries", truth.uasc, evidence.uasc_entries);

  for (const auto& [trend, growth] : {std::pair{county.report.entry_trend, truth.entries.annual_growth_rate},
                                      std::pair{county.report.uasc_trend, truth.uasc.annual_growth_rate}}) {
    ASSERT_TRUE(trend.estimated);
    EXPECT_EQ(trend.entries_by_year.size(), 10u);
    // Init-captures: clang before 16 cannot capture a structured binding by name.
    checks.add("trend " + std::to_string(growth), [trend = trend, growth = growth](double alpha) {
      return std::abs(trend.growth - growth) <= z_allowed(alpha) * trend.standard_error;
    });
  }

  // UASC enter alone, each drawing a first placement: a multinomial.
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    const auto& first = evidence.uasc_first_placement[b];
    double all = 0, entered = 0;
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
      all += first.counts[c] + first.prior[c];
      entered += first.counts[c];
    }
    if (all == 0) continue;
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
      const double p = truth.uasc.first_placement_probability[b][c];
      if (p == 0) {
        expect_rare(first.counts[c], entered, "uasc first placement");
        continue;
      }
      if (p == 1) continue;  // certain: the other categories' counts, checked above, show it
      const double mass = first.counts[c] + first.prior[c];
      checks.add("uasc first placement " + std::string(kAgeBandNames[b]) + " " + std::string(kCategoryNames[c]),
                 [p, mass, all](double alpha) { return in_beta_interval(p, mass, all - mass, alpha); });
    }
  }

  // Siblings share one first-placement draw, so the main stream's counts vary up to
  // E[size^2] / E[size] times as much as independent draws would: the interval uses counts
  // divided by that.
  double mean_size = 0, mean_square = 0;
  for (std::size_t i = 0; i < truth.sibling_group_size_probability.size(); ++i) {
    const double size = static_cast<double>(i + 1);
    mean_size += size * truth.sibling_group_size_probability[i];
    mean_square += size * size * truth.sibling_group_size_probability[i];
  }
  const double design_effect = mean_square / mean_size;
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    const auto& first = evidence.first_placement[b];
    double all = 0, entered = 0;
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
      all += first.counts[c] + first.prior[c];
      entered += first.counts[c];
    }
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
      const double p = truth.entries.first_placement_probability[b][c];
      if (p == 0) {
        expect_rare(first.counts[c], entered, "first placement");
        continue;
      }
      const double mass = (first.counts[c] + first.prior[c]) / design_effect;
      const double rest = (all - first.counts[c] - first.prior[c]) / design_effect;
      checks.add("first placement " + std::string(kAgeBandNames[b]) + " " + std::string(kCategoryNames[c]),
                 [p, mass, rest](double alpha) { return in_beta_interval(p, mass, rest, alpha); });
    }
  }

  // Sibling group sizes: groups of each size among all groups, a multinomial.
  std::vector<double> fitted_sizes = fitted.sibling_group_size_probability;
  fitted_sizes.resize(truth.sibling_group_size_probability.size() + 1, 0);
  const double expected_groups = static_cast<double>(county.report.entries) / mean_size;
  for (std::size_t i = 0; i < truth.sibling_group_size_probability.size(); ++i) {
    const double p = truth.sibling_group_size_probability[i];
    const double q = fitted_sizes[i];
    checks.add("sibling group size " + std::to_string(i + 1), [p, q, expected_groups](double alpha) {
      return std::abs(q - p) <= z_allowed(alpha) * std::sqrt(p * (1 - p) / expected_groups);
    });
  }
  EXPECT_EQ(fitted_sizes.back(), 0);  // no group larger than the scenario's largest

  const double staying_put = truth.staying_put_probability;
  const auto leavers = static_cast<double>(county.report.foster_exits_at_18);
  const auto stayed = static_cast<double>(county.report.staying_put);
  EXPECT_GT(leavers, 100);
  checks.add("staying put", [staying_put, leavers, stayed](double alpha) {
    return in_beta_interval(staying_put, stayed + 0.5, leavers - stayed + 0.5, alpha);
  });

  // With the trend on, the entry rate is the rate at the origin: its error is the count's and the
  // trend's extrapolated from the window's middle, found here by moving the growth one standard
  // error either way.
  const TrendEstimate& trend = county.trend_report.entry_trend;
  const double fitted_total = county.calibrated_with_trend.entries.total_per_year();
  const double true_total = truth.entries.total_per_year() * std::pow(1 + truth.entries.annual_growth_rate, window);
  const auto rate_at_origin = [&](double growth) {
    double weighted_years = -std::expm1(-std::log1p(growth) * window) / std::log1p(growth);
    return static_cast<double>(county.report.entries) / weighted_years;
  };
  const double slope_effect = (rate_at_origin(trend.growth + trend.standard_error) -
                               rate_at_origin(trend.growth - trend.standard_error)) / 2;
  const double standard_error =
      std::sqrt(fitted_total * fitted_total / static_cast<double>(county.report.entries) * design_effect +
                slope_effect * slope_effect);
  checks.add("entries at the origin with the trend", [=](double alpha) {
    return std::abs(fitted_total - true_total) <= z_allowed(alpha) * standard_error;
  });
  EXPECT_EQ(county.calibrated_with_trend.entries.annual_growth_rate, trend.growth);

  std::cout << "[ recovery ] " << checks.size() << " checks at a false-alarm rate of " << testing::kFalseAlarmRate
            << " overall; " << hazard_cells << " hazard cells\n";
  checks.run();

  // The intervals are narrow enough to matter: hazards 20% off the truth fall outside those of the
  // cells with most data (in the first time-in-placement bands, thousands of endings each).
  const double alpha = testing::kFalseAlarmRate / static_cast<double>(checks.size());
  int cells_refusing_wrong_rates = 0;
  for (std::size_t i = 0; i < evidence.ending.size(); ++i) {
    const GammaEvidence& gamma = evidence.ending[i];
    if (gamma.exposure > 0 && !in_gamma_interval(1.2 * truth.ending_hazard_per_year[i], gamma, alpha)) {
      ++cells_refusing_wrong_rates;
    }
  }
  EXPECT_GE(cells_refusing_wrong_rates, 10);
}

}  // namespace
}  // namespace carecast
