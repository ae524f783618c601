// calibrate --figures: figures as the returns give them (a hand-made history), the figures they contradict
// beyond the stated tolerances, and carer supply made from published figures.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "calibration/figures_check.hpp"
#include "calibration/location_shares.hpp"
#include "calibration/supply_from_figures.hpp"
#include "history/published_figures.hpp"
#include "history/returns_figures.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

using testing::placement_spell;

namespace fs = std::filesystem;
using testing::run_carecast;

class CalibrateFiguresTest : public testing::TemporaryFolderTest {
 protected:
  PublishedFigures figures(const std::string& rows) {
    const fs::path file = dir_ / "figures.csv";
    std::ofstream(file) << "metric,category,period_start,date,value\n" << rows;
    return read_published_figures(file);
  }
};

using testing::read_text;

// Four children, returns from 1 April 2017 to 31 March 2021. At 31 March 2020 three are looked after: A (9, a
// girl, her 3rd placement of the year), B (15, in the same placement since 2016, UASC until 1 January 2020) and
// D (12, placed for adoption since 2019 after 18 months with agency carers). C entered and was adopted in
// 2019-20.
CareHistory hand_history() {
  CareHistory history;
  history.first_date = make_date(2016, 1, 1);
  history.observed_from = make_date(2017, 4, 1);
  history.last_date = make_date(2021, 3, 31);
  ChildHistory a;
  a.sex = Sex::female;
  a.date_of_birth = make_date(2010, 6, 15);
  CarePeriod a_period;
  a_period.start = make_date(2019, 5, 1);
  a_period.placements = {placement_spell(make_date(2019, 5, 1), make_date(2019, 9, 1), Category::foster_in_house),
                         placement_spell(make_date(2019, 9, 1), make_date(2020, 1, 10), Category::foster_agency),
                         placement_spell(make_date(2020, 1, 10), std::nullopt, Category::childrens_home_external)};
  a.periods = {a_period};
  ChildHistory b;
  b.sex = Sex::male;
  b.date_of_birth = make_date(2005, 1, 20);
  b.uasc = true;
  b.uasc_ceased = make_date(2020, 1, 1);
  CarePeriod b_period;
  b_period.start = make_date(2016, 1, 1);
  b_period.starts_before_data = true;
  b_period.placements = {placement_spell(make_date(2016, 1, 1), std::nullopt, Category::foster_in_house)};
  b.periods = {b_period};
  ChildHistory c;
  c.sex = Sex::male;
  c.date_of_birth = make_date(2012, 3, 1);
  CarePeriod c_period;
  c_period.start = make_date(2019, 7, 15);
  c_period.end = make_date(2020, 2, 20);
  c_period.exit_reason = ExitReason::adoption;
  c_period.placements = {placement_spell(make_date(2019, 7, 15), make_date(2020, 2, 20), Category::foster_kinship)};
  c.periods = {c_period};
  ChildHistory d;
  d.sex = Sex::female;
  d.date_of_birth = make_date(2008, 2, 2);
  CarePeriod d_period;
  d_period.start = make_date(2017, 6, 1);
  d_period.placements = {placement_spell(make_date(2017, 6, 1), make_date(2019, 1, 1), Category::foster_agency),
                         placement_spell(make_date(2019, 1, 1), std::nullopt, Category::placed_for_adoption)};
  d.periods = {d_period};
  history.children = {a, b, c, d};
  return history;
}

TEST_F(CalibrateFiguresTest, ReturnsGiveEachFigureAsCountedByHand) {
  const CareHistory history = hand_history();
  const PublishedFigures published = figures(
      "children_looked_after,all,,2020-03-31,0\n"  // A, B, D
      "children_looked_after,foster_in_house+placed_for_adoption,,2020-03-31,"
      "0\n"                                                  // B, D
      "children_looked_after,foster_agency,,2020-03-31,0\n"  // nobody now
      "children_looked_after,10_to_15,,2020-03-31,0\n"       // B, D
      "children_looked_after,female,,2020-03-31,0\n"         // A, D
      "uasc_looked_after,all,,2020-03-31,0\n"                // B ceased in January
      "uasc_looked_after,all,,2019-12-31,0\n"
      "entries,all,2019-04-01,2020-03-31,0\n"  // A, C
      "exits,all,2019-04-01,2020-03-31,0\n"    // C
      "exits,adoption,2019-04-01,2020-03-31,0\n"
      "exits,special_guardianship,2019-04-01,2020-03-31,0\n"
      "stability_short_term,all,,2020-03-31,0\n"   // A of 3
      "stability_long_term,all,,2020-03-31,0\n"    // B, and D counting her agency
                                                   // years
      "children_looked_after,all,,2020-03-15,0\n"  // not a month end
      "stability_long_term,all,,2019-03-31,0\n"    // returns start too late
      "children_looked_after,all,,2021-04-30,0\n"  // after the returns
      "carer_households,foster_in_house,,2020-03-31,0\n");
  const double expected[] = {3, 2, 0, 2, 2, 0, 1, 2, 1, 1, 0, 100.0 / 3, 100};
  for (std::size_t i = 0; i < std::size(expected); ++i) {
    const ReturnsFigure got = figure_from_returns(history, published.figures[i]);
    ASSERT_TRUE(got.value.has_value()) << "line " << published.figures[i].line << ": " << got.why_not;
    EXPECT_DOUBLE_EQ(*got.value, expected[i]) << "line " << published.figures[i].line;
  }
  for (std::size_t i = std::size(expected); i < published.figures.size(); ++i) {
    const ReturnsFigure got = figure_from_returns(history, published.figures[i]);
    EXPECT_FALSE(got.value.has_value()) << "line " << published.figures[i].line;
    EXPECT_FALSE(got.why_not.empty());
  }
}

TEST_F(CalibrateFiguresTest, FiguresBeyondTheToleranceAreContradicted) {
  const CareHistory history = hand_history();
  // 3 children at 31 March 2020: 8 is within 5 of it, 9 is not; 33.3% with 3+ placements: 36 is within 3 points,
  // 37 is not. 200 is contradicted by more than 3% of it.
  const PublishedFigures published = figures(
      "children_looked_after,all,,2020-03-31,8\n"
      "children_looked_after,all,,2020-02-29,9\n"
      "stability_short_term,all,,2020-03-31,36\n"
      "stability_short_term,all,,2021-03-31,0\n"
      "children_looked_after,all,,2019-03-31,200\n"
      "carer_households,foster_in_house,,2020-03-31,50\n");
  EXPECT_EQ(figure_tolerance(published.figures[4]), 6.0);  // 3% of 200
  const std::vector<FigureCheck> checks = check_figures_against_returns(published, history);
  ASSERT_EQ(checks.size(), 6u);
  EXPECT_FALSE(checks[0].contradicts);
  EXPECT_TRUE(checks[1].contradicts);  // 3 children at the end of February too
  EXPECT_FALSE(checks[2].contradicts);
  EXPECT_FALSE(checks[5].contradicts);  // not comparable
  EXPECT_TRUE(checks[4].contradicts);
  const PublishedFigures off_by_more = figures("stability_short_term,all,,2020-03-31,37\n");
  EXPECT_TRUE(check_figures_against_returns(off_by_more, history)[0].contradicts);

  const std::vector<std::string> lines = describe_figure_checks(published, checks);
  ASSERT_GE(lines.size(), 3u);
  EXPECT_NE(lines[0].find("5 compared, 2 contradicted"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("1 not comparable: the returns do not hold carers"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("Line 3, children_looked_after all at 2020-02-29: "
                          "published 9, the returns give 3"),
            std::string::npos)
      << lines[1];
}

TEST_F(CalibrateFiguresTest, SupplyComesFromCarerFiguresUpToTheAsOfDate) {
  const Scenario calibrated = load_scenario(default_scenario_path());  // has agency foster care to fall back on
  const PublishedFigures published = figures(
      "carer_households,foster_in_house,,2020-03-31,80\n"
      "carer_households,foster_in_house,,2021-03-31,100\n"
      "carer_households,foster_in_house,,2022-03-31,999\n"  // after the
                                                            // as-of date
      "deregistrations,foster_in_house,2020-04-01,2021-03-31,18\n"
      "approvals,foster_in_house,2019-04-01,2020-03-31,6\n"
      "approvals,foster_in_house,2020-04-01,2021-03-31,12\n"
      "approvals,foster_in_house,2021-04-01,2022-03-31,500\n");
  const SupplyFromFigures made = supply_from_figures(published, make_date(2021, 3, 31), calibrated);
  ASSERT_TRUE(made.supply.has_value());
  const Supply& supply = *made.supply;
  EXPECT_TRUE(supply.enabled);
  EXPECT_EQ(supply.in_house_households, 100);
  // 18 deregistrations over 365 days of 100 households.
  EXPECT_NEAR(supply.deregistration_per_year, 18 / (365 / 365.25 * 100), 1e-12);
  // 18 approvals over 731 days, through 12% x 50% of enquiries.
  EXPECT_NEAR(supply.enquiries_per_year, 18 / (731 / 365.25) / 0.06, 1e-9);
  EXPECT_EQ(supply.fallback[static_cast<int>(Category::foster_in_house)],
            std::vector<Category>{Category::foster_agency});
  // Matching as in the default council (120 households at 0.06 each): a child among all 100
  // households finds a match as often as one among the default's 120, so each suits a little more.
  EXPECT_NEAR(std::pow(1 - supply.match_chance_per_household, 100), std::pow(0.94, 120), 1e-12);
  EXPECT_GT(supply.match_chance_per_household, 0.06);

  // Without approvals, recruitment replaces deregistrations; without households, no supply.
  const SupplyFromFigures steady = supply_from_figures(figures("carer_households,foster_in_house,,2021-03-31,100\n"),
                                                       make_date(2021, 3, 31), calibrated);
  ASSERT_TRUE(steady.supply.has_value());
  EXPECT_DOUBLE_EQ(steady.supply->deregistration_per_year, 0.14);
  EXPECT_NEAR(steady.supply->enquiries_per_year, 0.14 * 100 / 0.06, 1e-9);
  const SupplyFromFigures none =
      supply_from_figures(figures("approvals,foster_in_house,2020-04-01,2021-03-31,12\ncarer_"
                                  "households,foster_in_house,,2022-03-31,99\n"),
                          make_date(2021, 3, 31), calibrated);
  EXPECT_FALSE(none.supply.has_value());
  ASSERT_EQ(none.notes.size(), 1u);
}

TEST_F(CalibrateFiguresTest, CalibrateWritesSupplyAndReportsContradictions) {
  const fs::path sample = fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample";
  const fs::path file = dir_ / "figures.csv";
  std::ofstream(file) << "metric,category,period_start,date,value\n"
                         "children_looked_after,all,,2021-03-31,5000\n"
                         "entries,all,2020-06-13,2020-06-13,0\n"
                         "carer_households,foster_in_house,,2022-03-31,64\n"
                         "deregistrations,foster_in_house,2021-04-01,2022-03-31,8\n"
                         "approvals,foster_in_house,2021-04-01,2022-03-31,9\n";
  const fs::path out = dir_ / "calibrated.toml";
  const testing::CommandOutcome outcome =
      run_carecast("calibrate " + sample.string() + " --as-of 2022-03-31 --cross-validation off --figures " +
                   file.string() + " --out " + out.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("1 contradicted"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("Line 2, children_looked_after all at 2021-03-31: published 5000"), std::string::npos)
      << outcome.output;
  // A one-day period could tell when a child entered care: it is not compared.
  EXPECT_NE(outcome.output.find("not comparable: the returns are compared only at month ends"), std::string::npos)
      << outcome.output;
  const std::string toml = read_text(out);
  EXPECT_NE(toml.find("published 5000"), std::string::npos);
  EXPECT_EQ(toml.find("2020-06-13"), std::string::npos);
  const Scenario scenario = load_scenario(out);
  ASSERT_TRUE(scenario.supply.enabled);
  EXPECT_EQ(scenario.supply.in_house_households, 64);
  EXPECT_NEAR(scenario.supply.deregistration_per_year, 8 / (365 / 365.25 * 64), 1e-12);
  EXPECT_NEAR(scenario.supply.enquiries_per_year, 9 / (365 / 365.25) / 0.06, 1e-9);
  // Written, not left at 1 (every free place filled at once: a jump in the first year).
  EXPECT_DOUBLE_EQ(scenario.supply.match_chance_per_household, 1 - std::pow(0.94, 120.0 / 64));
  // The sample returns have no PL_LOCATION or PL_DISTANCE: every provider keeps the shipped
  // default's location shares, and the scenario says so.
  ASSERT_TRUE(scenario.supply.location_shares.has_value());
  EXPECT_EQ(*scenario.supply.location_shares, shipped_default_location_shares());
  EXPECT_NE(toml.find("[supply.location.foster_agency]"), std::string::npos);
  EXPECT_NE(toml.find("the returns give no placement's PL_LOCATION"), std::string::npos);

  // A bad figures file stops before any output.
  std::ofstream(dir_ / "bad.csv") << "metric,category,period_start,date,value\ncarer_households,all,,2022-"
                                     "03-31,64\n";
  const fs::path refused = dir_ / "refused.toml";
  const testing::CommandOutcome bad =
      run_carecast("calibrate " + sample.string() + " --as-of 2022-03-31 --cross-validation off --figures " +
                   (dir_ / "bad.csv").string() + " --out " + refused.string());
  EXPECT_EQ(bad.exit_code, 2) << bad.output;
  EXPECT_FALSE(fs::exists(refused));
}

}  // namespace
}  // namespace carecast
