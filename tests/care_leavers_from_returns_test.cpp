// calibrate's care leavers at the origin from SSDA903 returns (issue 14): the eligibility rule applied to
// hand-built histories, the counts against hand counts, what the returns cannot see, and the
// [care_leavers] section written and read back.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>

#include "calibration/care_leavers_from_returns.hpp"
#include "calibration/estimation.hpp"
#include "calibration/scenario_writer.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;
using std::chrono::days;

const Date kAsOf = make_date(2024, 3, 31);

// One period of care from `start` to `end` (open if nullopt) in one in-house foster placement.
CarePeriod period(Date start, std::optional<Date> end, ExitReason reason = ExitReason::aged_18) {
  CarePeriod p;
  p.start = start;
  p.end = end;
  if (end) {
    p.exit_reason = reason;
    p.exit_code = reason == ExitReason::staying_put ? "E17" : "E15";
  }
  p.placements = {placement_spell(start, end, Category::foster_in_house)};
  return p;
}

ChildHistory young_person(Date born, std::vector<CarePeriod> periods, bool uasc = false) {
  ChildHistory child;
  child.date_of_birth = born;
  child.uasc = uasc;
  child.periods = std::move(periods);
  return child;
}

// In care from 15 to the 18th birthday: eligible, leaving at 18.
ChildHistory left_at_18(Date born, ExitReason reason = ExitReason::aged_18) {
  return young_person(born, {period(add_years(born, 15), add_years(born, 18), reason)});
}

TEST(CareLeaversFromReturns, AgeBandAtTheOriginFollowsTheBirthdays) {
  // 18th birthday on the as-of date: a care leaver aged 18 to 20 at its end.
  EXPECT_EQ(care_leaver_age_band(left_at_18(add_years(kAsOf, -18)), kAsOf), 0);
  // A day short of 18: still looked after at the as-of date (leaves the next day).
  EXPECT_EQ(care_leaver_age_band(left_at_18(add_years(kAsOf, -18) + days{1}), kAsOf), std::nullopt);
  // 21st birthday on the as-of date: 21 to 25; the day before it, 18 to 20.
  EXPECT_EQ(care_leaver_age_band(left_at_18(add_years(kAsOf, -21)), kAsOf), 1);
  EXPECT_EQ(care_leaver_age_band(left_at_18(add_years(kAsOf, -21) + days{1}), kAsOf), 0);
  // The 25th birthday ends it.
  EXPECT_EQ(care_leaver_age_band(left_at_18(add_years(kAsOf, -25) + days{1}), kAsOf), 1);
  EXPECT_EQ(care_leaver_age_band(left_at_18(add_years(kAsOf, -25)), kAsOf), std::nullopt);
}

TEST(CareLeaversFromReturns, EligibilityEdgeCases) {
  const Date born = make_date(2004, 6, 15);  // 19 at the as-of date
  const Date b14 = add_years(born, 14);
  const Date b16 = add_years(born, 16);
  const auto band = [&](std::vector<CarePeriod> periods) {
    return care_leaver_age_band(young_person(born, std::move(periods)), kAsOf);
  };
  // Left at 17 to live independently or for another reason after years in care: a care leaver.
  EXPECT_EQ(band({period(b14, add_years(born, 17), ExitReason::independent_living)}), 0);
  EXPECT_EQ(band({period(b14, add_years(born, 17), ExitReason::other)}), 0);
  // Left at 17 home, adopted or by an order: not.
  for (const ExitReason reason : {ExitReason::returned_home, ExitReason::adoption, ExitReason::special_guardianship,
                                  ExitReason::child_arrangements_order}) {
    EXPECT_EQ(band({period(b14, add_years(born, 17), reason)}), std::nullopt) << name_of(reason);
  }
  // Leaving on the 16th birthday is being looked after on it; the day before is not.
  EXPECT_EQ(band({period(b14, b16, ExitReason::independent_living)}), 0);
  EXPECT_EQ(band({period(b14, b16 - days{1}, ExitReason::independent_living)}), std::nullopt);
  // Entering at 17: 91 days (13 weeks) make a care leaver, 90 do not.
  const Date at_17 = add_years(born, 17);
  EXPECT_EQ(band({period(at_17, at_17 + days{91}, ExitReason::other)}), 0);
  EXPECT_EQ(band({period(at_17, at_17 + days{90}, ExitReason::other)}), std::nullopt);
  // Earlier periods since the 14th birthday count: 50 + 41 days are 13 weeks, 50 + 40 are not.
  const Date at_15 = add_years(born, 15);
  EXPECT_EQ(band({period(at_15, at_15 + days{50}, ExitReason::returned_home),
                  period(at_17, at_17 + days{41}, ExitReason::other)}),
            0);
  EXPECT_EQ(band({period(at_15, at_15 + days{50}, ExitReason::returned_home),
                  period(at_17, at_17 + days{40}, ExitReason::other)}),
            std::nullopt);
  // Care before the 14th birthday does not: 200 days ending 50 days after it, then 40 at 17.
  EXPECT_EQ(band({period(b14 - days{150}, b14 + days{50}, ExitReason::returned_home),
                  period(at_17, at_17 + days{40}, ExitReason::other)}),
            std::nullopt);
  // A young person who left care eligible and came back is a care leaver only once they leave again.
  const Date back = add_years(born, 19);
  EXPECT_EQ(band({period(b14, add_years(born, 17), ExitReason::independent_living),
                  period(back, std::nullopt)}),
            std::nullopt);
  // Care after the as-of date is ignored, as if the data ended there.
  EXPECT_EQ(band({period(b14, add_years(born, 18)), period(kAsOf + days{1}, kAsOf + days{100})}), 0);
  // Still looked after at 19 (leaving after the as-of date): not a care leaver yet.
  EXPECT_EQ(band({period(b14, kAsOf + days{1})}), std::nullopt);
}

TEST(CareLeaversFromReturns, SharesAreWholeAndAddUp) {
  std::array<double, kCareLeaverStatusCount> weights{0, 5, 70, 60, 20};
  const auto parts = share_by_status(31, weights);
  EXPECT_EQ(std::accumulate(parts.begin(), parts.end(), 0), 31);
  // 31 x (0, 5, 70, 60, 20) / 155 = (0, 1, 14, 12, 4): exact.
  EXPECT_EQ(parts, (std::array<int, kCareLeaverStatusCount>{0, 1, 14, 12, 4}));
  // 10 x (0, 5, 70, 60, 20) / 155 = (0, 0.32, 4.52, 3.87, 1.29): remainders give 4.52 and 3.87 one more.
  EXPECT_EQ(share_by_status(10, weights), (std::array<int, kCareLeaverStatusCount>{0, 0, 5, 4, 1}));
  EXPECT_EQ(share_by_status(0, weights), (std::array<int, kCareLeaverStatusCount>{}));
  EXPECT_EQ(share_by_status(3, {}), (std::array<int, kCareLeaverStatusCount>{0, 0, 0, 3, 0}));
}

// A history observed for `years_observed` years before the as-of date, holding by hand:
// - aged 18 to 20: 9 who left at 18 (3 of them UASC), 4 with E17 (2 leaving 100 days ago, 2 a
//   year and 100 days ago), 2 who left at 17 to live independently: 15 in all;
// - aged 21 to 24: 10 who left at 18;
// - not care leavers: 3 who went home at 17, 2 still looked after at 18, 1 entering 60 days before
//   leaving at 18, 2 aged 25 and 1 aged 17 who left at 16 to live independently.
CareHistory hand_built_history(int years_observed) {
  CareHistory history;
  const auto add = [&](ChildHistory child) { history.children.push_back(std::move(child)); };
  for (int i = 0; i < 9; ++i) {
    ChildHistory child = left_at_18(add_years(kAsOf - days{30 + 80 * i}, -18));
    child.uasc = i < 3;
    add(std::move(child));
  }
  for (const int ago : {100, 100, 465, 465}) add(left_at_18(add_years(kAsOf - days{ago}, -18), ExitReason::staying_put));
  for (int i = 0; i < 2; ++i) {
    const Date born = add_years(kAsOf, -19) - days{10 * i};
    add(young_person(born, {period(add_years(born, 15), add_years(born, 17), ExitReason::independent_living)}));
  }
  for (int i = 0; i < 10; ++i) add(left_at_18(add_years(kAsOf, -22) - days{100 * i}));
  for (int i = 0; i < 3; ++i) {
    const Date born = add_years(kAsOf, -19) - days{20 * i};
    add(young_person(born, {period(add_years(born, 15), add_years(born, 17), ExitReason::returned_home)}));
  }
  for (int i = 0; i < 2; ++i) {
    const Date born = add_years(kAsOf, -18) - days{5 + i};
    add(young_person(born, {period(add_years(born, 15), std::nullopt)}));
  }
  {
    const Date born = add_years(kAsOf, -19);
    add(young_person(born, {period(add_years(born, 18) - days{60}, add_years(born, 18))}));
  }
  for (int i = 0; i < 2; ++i) add(left_at_18(add_years(kAsOf, -25) - days{i}));
  {
    const Date born = add_years(kAsOf, -17);
    add(young_person(born, {period(add_years(born, 14), add_years(born, 16) + days{1}, ExitReason::independent_living)}));
  }
  const Date first = add_years(kAsOf, -years_observed) + days{1};
  observe(history, first, kAsOf);
  return history;
}

TEST(CareLeaversFromReturns, CountsEqualHandCounts) {
  const CareLeaverSettings assumptions = shipped_default_care_leavers();
  const CareLeaversFromReturns found = care_leavers_from_returns(hand_built_history(12), kAsOf, assumptions);
  EXPECT_EQ(found.eligible_leavers[0], 15);
  EXPECT_EQ(found.eligible_leavers[1], 10);
  EXPECT_EQ(found.left_with_staying_put, 4);
  // Still staying put: 2 exp(-0.37 x 100.5 / 365.25) + 2 exp(-0.37 x 465.5 / 365.25) = 1.80 + 1.25 = 3.05.
  const auto& counts = found.settings.starting_count;
  const std::size_t staying_put = static_cast<std::size_t>(CareLeaverStatus::staying_put);
  EXPECT_EQ(counts[staying_put][0], 3);
  EXPECT_EQ(counts[staying_put][1], 0);
  int band_0 = 0;
  int band_1 = 0;
  for (const auto& bands : counts) {
    band_0 += bands[0];
    band_1 += bands[1];
  }
  EXPECT_EQ(band_0, 15);
  EXPECT_EQ(band_1, 7);  // 10 x (1 - 0.3) ask for support after 21
  // The other 12 aged 18 to 20 in the default's shares 5 : 70 : 60 : 20 (0.39, 5.42, 4.65, 1.55):
  // the largest remainders go to independent and custody or not known.
  EXPECT_EQ(counts[1][0], 0);
  EXPECT_EQ(counts[2][0], 5);
  EXPECT_EQ(counts[3][0], 5);
  EXPECT_EQ(counts[4][0], 2);
  // The 7 aged 21 to 25 in 20 : 110 : 20 (0.93, 5.13, 0.93).
  EXPECT_EQ(counts[2][1], 1);
  EXPECT_EQ(counts[3][1], 5);
  EXPECT_EQ(counts[4][1], 1);
  // Everything else is the assumptions'.
  EXPECT_EQ(found.settings.hazard_per_year, assumptions.hazard_per_year);
  EXPECT_EQ(found.settings.weekly_cost, assumptions.weekly_cost);
  EXPECT_EQ(found.settings.personal_adviser_per_year, assumptions.personal_adviser_per_year);
  EXPECT_TRUE(found.settings.enabled);
  std::string notes;
  for (const std::string& note : found.notes) notes += note + "\n";
  EXPECT_NE(notes.find("15 aged 18 to 20 and 10 aged 21 to 24"), std::string::npos) << notes;
  EXPECT_NE(notes.find("3 of them were unaccompanied"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("partly seen"), std::string::npos) << notes;
  EXPECT_TRUE(found.band_fully_seen[0]);
  EXPECT_TRUE(found.band_fully_seen[1]);
}

// Returns shorter than the oldest care leavers' time since leaving: said, and nothing invented.
TEST(CareLeaversFromReturns, AShortHistoryIsFlaggedNotFilledIn) {
  const CareLeaversFromReturns six_years = care_leavers_from_returns(hand_built_history(6), kAsOf);
  EXPECT_TRUE(six_years.band_fully_seen[0]);  // 5 years reach everyone aged 18 to 20
  EXPECT_FALSE(six_years.band_fully_seen[1]);  // 9 years are needed for 21 to 25
  std::string notes;
  for (const std::string& note : six_years.notes) notes += note + "\n";
  EXPECT_NE(notes.find("Only partly seen: care leavers aged 21 to 25 may have left care up to 9 years"),
            std::string::npos)
      << notes;
  EXPECT_EQ(notes.find("aged 18 to 20 may have left"), std::string::npos) << notes;
  // The counts are those the returns hold, whatever their length.
  const CareLeaversFromReturns twelve_years = care_leavers_from_returns(hand_built_history(12), kAsOf);
  EXPECT_EQ(six_years.settings.starting_count, twelve_years.settings.starting_count);

  const CareLeaversFromReturns three_years = care_leavers_from_returns(hand_built_history(3), kAsOf);
  EXPECT_FALSE(three_years.band_fully_seen[0]);
  EXPECT_FALSE(three_years.band_fully_seen[1]);
}

// The hand-written assumptions are the shipped default's, so calibrate and the default agree.
TEST(CareLeaversFromReturns, TheAssumptionsAreTheShippedDefaults) {
  const CareLeaverSettings shipped =
      load_scenario(std::filesystem::path(CARECAST_SCENARIO_DIR) / "default.toml").care_leavers;
  const CareLeaverSettings here = shipped_default_care_leavers();
  EXPECT_TRUE(shipped.enabled);
  EXPECT_EQ(here.support_ends_at_21_probability, shipped.support_ends_at_21_probability);
  EXPECT_EQ(here.staying_close_probability, shipped.staying_close_probability);
  EXPECT_EQ(here.first_status_probability, shipped.first_status_probability);
  EXPECT_EQ(here.hazard_per_year, shipped.hazard_per_year);
  EXPECT_EQ(here.starting_count, shipped.starting_count);
  EXPECT_EQ(here.weekly_cost, shipped.weekly_cost);
  EXPECT_EQ(here.personal_adviser_per_year, shipped.personal_adviser_per_year);
  EXPECT_EQ(here.setting_up_home_allowance, shipped.setting_up_home_allowance);
  EXPECT_EQ(here.higher_education_bursary, shipped.higher_education_bursary);
  EXPECT_EQ(here.higher_education_probability, shipped.higher_education_probability);
}

using CareLeaversWritten = TemporaryFolderTest;

// The section calibrate writes reads back exactly, notes as comments.
TEST_F(CareLeaversWritten, TheSectionReadsBackExactly) {
  CleaningReport cleaning;
  const CareHistory history =
      load_ssda903({std::filesystem::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample"}, std::nullopt, cleaning);
  const Date as_of = *history.last_date;
  CalibrationReport report;
  Scenario scenario = calibrate(history, as_of, {}, report);
  const CareLeaversFromReturns found = care_leavers_from_returns(history, as_of);
  ASSERT_GT(found.eligible_leavers[0], 0);
  scenario.care_leavers = found.settings;
  const std::filesystem::path file = dir_ / "calibrated.toml";
  write_calibrated_scenario(file, scenario, report, cleaning, {}, {}, found.notes);
  const CareLeaverSettings loaded = load_scenario(file).care_leavers;
  EXPECT_TRUE(loaded.enabled);
  EXPECT_EQ(loaded.starting_count, found.settings.starting_count);
  EXPECT_EQ(loaded.hazard_per_year, found.settings.hazard_per_year);
  EXPECT_EQ(loaded.first_status_probability, found.settings.first_status_probability);
  EXPECT_EQ(loaded.weekly_cost, found.settings.weekly_cost);
  EXPECT_EQ(loaded.support_ends_at_21_probability, found.settings.support_ends_at_21_probability);
  EXPECT_EQ(loaded.staying_close_probability, found.settings.staying_close_probability);
  EXPECT_EQ(loaded.personal_adviser_per_year, found.settings.personal_adviser_per_year);
  EXPECT_EQ(loaded.setting_up_home_allowance, found.settings.setting_up_home_allowance);
  EXPECT_EQ(loaded.higher_education_bursary, found.settings.higher_education_bursary);
  EXPECT_EQ(loaded.higher_education_probability, found.settings.higher_education_probability);
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("# Only partly seen: care leavers aged 21 to 25"), std::string::npos);
}

// calibrate on the sample returns writes [care_leavers] and says how it got it.
TEST_F(CareLeaversWritten, CalibrateWritesTheSection) {
  const std::filesystem::path out = dir_ / "calibrated.toml";
  const CommandOutcome outcome = run_carecast("calibrate " CARECAST_TEST_DATA_DIR "/ssda903-sample --as-of 2021-03-31 "
                                              "--cross-validation off --drift off --quiet --out " + out.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("Care leavers at the end of 2021-03-31 in the returns"), std::string::npos)
      << outcome.output;
  const Scenario scenario = load_scenario(out);
  EXPECT_TRUE(scenario.care_leavers.enabled);
}

}  // namespace
}  // namespace carecast
