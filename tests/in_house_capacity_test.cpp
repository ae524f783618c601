// calibrate's in-house carer capacity from SSDA903 returns (calibration/supply_from_returns.hpp): the in-house
// foster children on the as-of date, one place per household, national turnover that moves nobody; none when the
// returns show no in-house child or no agency care to fall back on; replaced by published carer figures.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

#include "calibration/supply_from_returns.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

using testing::placement_spell;

namespace fs = std::filesystem;
using testing::run_carecast;

ChildHistory child_with(std::vector<PlacementSpell> spells) {
  ChildHistory child;
  child.sex = Sex::female;
  child.date_of_birth = make_date(2012, 5, 5);
  CarePeriod period;
  period.start = spells.front().start;
  period.end = spells.back().end;
  if (period.end) period.exit_reason = ExitReason::returned_home;
  period.placements = std::move(spells);
  child.periods = {period};
  return child;
}

// Returns from 1 April 2019 to 31 March 2021. On 31 March 2020 three children are with in-house carers: one since
// 2019, one who moved there from agency carers in January, and one whose placement ends on 1 April (in care at the
// end of the day). One child left in-house care on 31 March itself, one went to agency carers in February.
CareHistory hand_history() {
  CareHistory history;
  history.first_date = make_date(2019, 4, 1);
  history.observed_from = make_date(2019, 4, 1);
  history.last_date = make_date(2021, 3, 31);
  const Date march_31 = make_date(2020, 3, 31);
  history.children = {
      child_with({placement_spell(make_date(2019, 6, 1), std::nullopt, Category::foster_in_house)}),
      child_with({placement_spell(make_date(2019, 7, 1), make_date(2020, 1, 15), Category::foster_agency),
                  placement_spell(make_date(2020, 1, 15), std::nullopt, Category::foster_in_house)}),
      child_with({placement_spell(make_date(2019, 9, 1), make_date(2020, 4, 1), Category::foster_in_house)}),
      child_with({placement_spell(make_date(2019, 8, 1), march_31, Category::foster_in_house)}),
      child_with({placement_spell(make_date(2019, 5, 1), make_date(2020, 2, 1), Category::foster_in_house),
                  placement_spell(make_date(2020, 2, 1), std::nullopt, Category::foster_agency)}),
  };
  return history;
}

TEST(InHouseCapacity, IsTheInHouseChildrenOnTheAsOfDateWithNationalTurnover) {
  const Scenario calibrated = load_scenario(default_scenario_path());  // has agency foster care to fall back on
  const SupplyFromFigures made = in_house_capacity_from_returns(hand_history(), make_date(2020, 3, 31), calibrated);
  ASSERT_TRUE(made.supply.has_value());
  const Supply& supply = *made.supply;
  EXPECT_TRUE(supply.enabled);
  EXPECT_EQ(supply.in_house_households, 3);
  EXPECT_EQ(supply.places_per_household_probability, std::vector<double>{1.0});
  ASSERT_EQ(supply.approval_ranges.size(), 1u);
  EXPECT_EQ(supply.approval_ranges[0].min_age_years, 0);
  EXPECT_EQ(supply.approval_ranges[0].max_age_years, 17);
  EXPECT_DOUBLE_EQ(supply.match_chance_per_household, 1);
  EXPECT_TRUE(supply.in_house_homes_unlimited);
  // Carers leave only when a child leaves, with the chance that gives 0.14 a year at the rate in-house placements
  // ended in the year to 31 March 2020 (two ended, over the in-house children's time in that year).
  EXPECT_DOUBLE_EQ(supply.deregistration_per_year, 0);
  double ended = 0, child_years = 0;
  const Date from = make_date(2019, 4, 1);  // 365 days before 31 March 2020 (a leap year)
  const Date as_of = make_date(2020, 3, 31);
  for (const ChildHistory& child : hand_history().children) {
    for (const PlacementSpell& s : child.periods.front().placements) {
      if (s.category != Category::foster_in_house) continue;
      const Date end = s.end && *s.end < as_of ? *s.end : as_of;
      child_years += days_between(std::max(s.start, from), end) / 365.25;
      if (s.end && *s.end <= as_of) ++ended;
    }
  }
  ASSERT_EQ(ended, 2);  // 1 February 2020 (to agency carers) and 31 March 2020
  EXPECT_NEAR(supply.leaves_when_last_child_leaves_probability, 0.14 / (ended / child_years), 1e-12);
  // So households leave at 0.14 a year, and approvals replace them on average, through 12% x 50% of enquiries.
  EXPECT_NEAR(supply.enquiries_per_year * supply.application_probability * supply.approval_probability, 0.14 * 3,
              1e-12);
  EXPECT_EQ(supply.fallback[static_cast<int>(Category::foster_in_house)],
            std::vector<Category>{Category::foster_agency});
  ASSERT_EQ(made.notes.size(), 1u);
  EXPECT_NE(made.notes[0].find("3 places"), std::string::npos) << made.notes[0];

  // A month later two are left.
  const SupplyFromFigures later = in_house_capacity_from_returns(hand_history(), make_date(2020, 4, 30), calibrated);
  ASSERT_TRUE(later.supply.has_value());
  EXPECT_EQ(later.supply->in_house_households, 2);
}

TEST(InHouseCapacity, NoneWithoutAnInHouseChildOrAgencyCareToFallBackOn) {
  const Scenario calibrated = load_scenario(default_scenario_path());
  const SupplyFromFigures before = in_house_capacity_from_returns(hand_history(), make_date(2019, 4, 30), calibrated);
  EXPECT_FALSE(before.supply.has_value());
  ASSERT_EQ(before.notes.size(), 1u);
  EXPECT_NE(before.notes[0].find("no child with in-house foster carers"), std::string::npos);

  Scenario no_agency = calibrated;
  for (auto& band : no_agency.destination_probability[static_cast<int>(Category::foster_agency)]) {
    for (double& p : band) p = 0;
  }
  const SupplyFromFigures none = in_house_capacity_from_returns(hand_history(), make_date(2020, 3, 31), no_agency);
  EXPECT_FALSE(none.supply.has_value());
  ASSERT_EQ(none.notes.size(), 1u);
  EXPECT_NE(none.notes[0].find("no agency foster placement"), std::string::npos);
}

// When the returns show no child in the council's own children's homes, the calibrated scenario has no rates for
// them: the supply says the council has none, rather than unlimited homes the loader would refuse.
TEST(InHouseCapacity, NoChildrensHomeOfItsOwnWhenTheReturnsShowNoChildInOne) {
  Scenario calibrated = load_scenario(default_scenario_path());
  for (auto& band : calibrated.destination_probability[static_cast<int>(Category::childrens_home_in_house)]) {
    for (double& p : band) p = 0;
  }
  const SupplyFromFigures made = in_house_capacity_from_returns(hand_history(), make_date(2020, 3, 31), calibrated);
  ASSERT_TRUE(made.supply.has_value());
  EXPECT_FALSE(made.supply->in_house_homes_unlimited);
  EXPECT_TRUE(made.supply->homes.empty());
  ASSERT_EQ(made.notes.size(), 1u);
  EXPECT_NE(made.notes[0].find("no children's home of its own"), std::string::npos) << made.notes[0];
}

class InHouseCapacityCommand : public testing::TemporaryFolderTest {};

// calibrate writes the capacity (and says where it came from) unless told not to, and published carer households
// replace it.
TEST_F(InHouseCapacityCommand, CalibrateWritesItAndFiguresReplaceIt) {
  const fs::path sample = fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample";
  const std::string common = "calibrate " + sample.string() + " --as-of 2022-03-31 --cross-validation off --drift off ";
  const fs::path with = dir_ / "with.toml";
  const testing::CommandOutcome on = run_carecast(common + "--out " + with.string());
  ASSERT_EQ(on.exit_code, 0) << on.output;
  EXPECT_NE(on.output.find("In-house carer capacity: "), std::string::npos) << on.output;
  const Scenario capped = load_scenario(with);
  ASSERT_TRUE(capped.supply.enabled);
  EXPECT_TRUE(capped.supply.in_house_homes_unlimited);
  EXPECT_GT(capped.supply.leaves_when_last_child_leaves_probability, 0);
  EXPECT_GT(capped.supply.in_house_households, 0);
  // The children in in-house foster care at the origin are the capacity: every one of them has a place.
  int in_house_at_origin = 0;
  for (const StartingGroup& group : capped.starting_groups) {
    if (group.category == Category::foster_in_house) in_house_at_origin += group.children;
  }
  EXPECT_EQ(capped.supply.in_house_households, in_house_at_origin);

  const fs::path without = dir_ / "without.toml";
  const testing::CommandOutcome off = run_carecast(common + "--in-house-capacity off --out " + without.string());
  ASSERT_EQ(off.exit_code, 0) << off.output;
  EXPECT_EQ(off.output.find("In-house carer capacity"), std::string::npos) << off.output;
  EXPECT_FALSE(load_scenario(without).supply.enabled);

  const fs::path figures = write("figures.csv",
                                 "metric,category,period_start,date,value\n"
                                 "carer_households,foster_in_house,,2022-03-31,64\n");
  const fs::path from_figures = dir_ / "figures.toml";
  const testing::CommandOutcome replaced =
      run_carecast(common + "--figures " + figures.string() + " --out " + from_figures.string());
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  const Scenario published = load_scenario(from_figures);
  ASSERT_TRUE(published.supply.enabled);
  EXPECT_EQ(published.supply.in_house_households, 64);
  EXPECT_DOUBLE_EQ(published.supply.leaves_when_last_child_leaves_probability, 0);
  std::ifstream in(from_figures);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("In-house carer capacity"), std::string::npos);

  const testing::CommandOutcome bad = run_carecast(common + "--in-house-capacity maybe --out " + (dir_ / "x.toml").string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_FALSE(fs::exists(dir_ / "x.toml"));
}

}  // namespace
}  // namespace carecast
