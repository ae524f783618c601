// calibrate's location shares by provider (calibration/location_shares.hpp): shares from hand
// counts, recency weights, the prior, the disclosure minimum, the shipped default as the fallback,
// and refusal of bad PL_LOCATION / PL_DISTANCE by the command with exit 2 and nothing written.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "calibration/location_shares.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;
using enum LocationBand;

const Date kFirst = make_date(2019, 4, 1);
const Date kAsOf = make_date(2021, 3, 31);
const Date kLast = make_date(2022, 3, 31);

// A history of one-placement children, one for each (start, provider, band) given.
struct Placed {
  Date start;
  Category category;
  std::optional<LocationBand> band;
};

CareHistory history_of(const std::vector<Placed>& placements) {
  CareHistory history;
  history.first_date = make_date(2018, 6, 1);
  history.observed_from = kFirst;
  history.last_date = kLast;
  for (const Placed& p : placements) {
    ChildHistory child;
    child.date_of_birth = make_date(2012, 1, 1);
    CarePeriod period;
    period.start = p.start;
    period.placements = {{p.start, std::nullopt, p.category, "U4", false, p.band}};
    child.periods = {period};
    history.children.push_back(child);
  }
  return history;
}

std::vector<Placed> repeated(int n, Date start, Category category, std::optional<LocationBand> band) {
  return std::vector<Placed>(static_cast<std::size_t>(n), Placed{start, category, band});
}

std::vector<Placed> joined(std::initializer_list<std::vector<Placed>> parts) {
  std::vector<Placed> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

int index(Category c) { return static_cast<int>(c); }

// Agency: 1 inside, 3 within 20 miles, 2 over, in the window; one before the window (seen only as
// still looked after), one after the as-of date and one without a band are not counted. External
// homes: 4 with a band, fewer than the minimum of 5, keep the fallback.
std::vector<Placed> small_history() {
  const Date in_window = make_date(2020, 5, 1);
  return joined({
      repeated(1, in_window, Category::foster_agency, inside_council),
      repeated(3, in_window, Category::foster_agency, outside_council_within_20_miles),
      repeated(2, make_date(2019, 4, 1), Category::foster_agency, outside_council_over_20_miles),
      repeated(1, make_date(2019, 1, 1), Category::foster_agency, outside_council_over_20_miles),
      repeated(1, make_date(2021, 6, 1), Category::foster_agency, inside_council),
      repeated(1, in_window, Category::foster_agency, std::nullopt),
      repeated(4, in_window, Category::childrens_home_external, inside_council),
  });
}

TEST(LocationShares, MatchHandCountsWithoutAPrior) {
  const LocationShares fallback = shipped_default_location_shares();
  const LocationShareEstimate estimate =
      estimate_location_shares(history_of(small_history()), kAsOf, fallback, {.prior_placements = 0});
  const int agency = index(Category::foster_agency);
  EXPECT_TRUE(estimate.from_returns[agency]);
  // 1/6, 3/6, 2/6 to thousandths, summing to 1.
  EXPECT_DOUBLE_EQ(estimate.shares[agency][0], 0.167);
  EXPECT_DOUBLE_EQ(estimate.shares[agency][1], 0.5);
  EXPECT_DOUBLE_EQ(estimate.shares[agency][2], 0.333);
  EXPECT_EQ(estimate.placements_with_band, 6u + 4u);
  // Too few to publish: the fallback unchanged, and every provider without data keeps it too.
  for (int c = 0; c < kCategoryCount; ++c) {
    if (c == agency) continue;
    EXPECT_FALSE(estimate.from_returns[c]) << kCategoryNames[c];
    EXPECT_EQ(estimate.shares[c], fallback[c]) << kCategoryNames[c];
  }
  ASSERT_EQ(estimate.notes.size(), 2u);
  EXPECT_NE(estimate.notes[0].find("the 10 placements"), std::string::npos) << estimate.notes[0];
  EXPECT_NE(estimate.notes[0].find("estimated for foster_agency."), std::string::npos) << estimate.notes[0];
  EXPECT_NE(estimate.notes[1].find("childrens_home_external"), std::string::npos) << estimate.notes[1];
  EXPECT_EQ(estimate.notes[1].find('4'), std::string::npos) << "a small count is never written: " << estimate.notes[1];
}

TEST(LocationShares, ThePriorIsTheFallbackWorthItsPlacements) {
  const LocationShares fallback = shipped_default_location_shares();
  const LocationShareEstimate estimate = estimate_location_shares(history_of(small_history()), kAsOf, fallback);
  const int agency = index(Category::foster_agency);
  // (1 + 5 x 0.15, 3 + 5 x 0.55, 2 + 5 x 0.30) / 11 = 0.15909, 0.52273, 0.31818: to thousandths
  // 159 + 522 + 318 = 999, and the largest remainder (0.727) takes the spare one.
  EXPECT_DOUBLE_EQ(estimate.shares[agency][0], 0.159);
  EXPECT_DOUBLE_EQ(estimate.shares[agency][1], 0.523);
  EXPECT_DOUBLE_EQ(estimate.shares[agency][2], 0.318);
}

TEST(LocationShares, RecentPlacementsWeighMoreWithAHalfLife) {
  // 3 inside in the as-of date's month (0), 2 over 20 miles 380 days before it (month 12).
  const std::vector<Placed> placements =
      joined({repeated(3, kAsOf - std::chrono::days{10}, Category::foster_kinship, inside_council),
              repeated(2, kAsOf - std::chrono::days{380}, Category::foster_kinship, outside_council_over_20_miles)});
  const LocationShareEstimate estimate = estimate_location_shares(
      history_of(placements), kAsOf, shipped_default_location_shares(), {.half_life_years = 1, .prior_placements = 0});
  const double recent = 3 * std::exp2(-0.5 / 12);
  const double older = 2 * std::exp2(-12.5 / 12);
  const int kinship = index(Category::foster_kinship);
  EXPECT_NEAR(estimate.shares[kinship][0], recent / (recent + older), 0.001);  // to thousandths: within one
  EXPECT_DOUBLE_EQ(estimate.shares[kinship][1], 0);
  EXPECT_NEAR(estimate.shares[kinship][2], older / (recent + older), 0.001);
  EXPECT_GT(estimate.shares[kinship][0], 0.6 + 0.05);  // unweighted it would be 3/5
}

TEST(LocationShares, ReturnsWithoutBandsKeepTheFallbackAndSaySo) {
  const LocationShares fallback = shipped_default_location_shares();
  const LocationShareEstimate estimate = estimate_location_shares(
      history_of(repeated(20, make_date(2020, 5, 1), Category::foster_agency, std::nullopt)), kAsOf, fallback);
  EXPECT_EQ(estimate.shares, fallback);
  EXPECT_EQ(estimate.placements_with_band, 0u);
  ASSERT_EQ(estimate.notes.size(), 1u);
  EXPECT_NE(estimate.notes[0].find("no placement's PL_LOCATION"), std::string::npos) << estimate.notes[0];
}

// The fallback is the shipped default's [supply.location], so the two cannot drift apart.
TEST(LocationShares, FallbackIsTheShippedDefaults) {
  const Scenario scenario = load_scenario(fs::path(CARECAST_SCENARIO_DIR) / "default-base.toml");
  ASSERT_TRUE(scenario.supply.location_shares.has_value());
  const LocationShares fallback = shipped_default_location_shares();
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int b = 0; b < kLocationBandCount; ++b) {
      EXPECT_DOUBLE_EQ(fallback[c][b], (*scenario.supply.location_shares)[c][b]) << kCategoryNames[c] << ' ' << b;
    }
  }
}

// The command refuses a bad PL_DISTANCE or PL_LOCATION with the file, line and column, exit 2, and
// writes nothing.
class LocationSharesCommand : public testing::TemporaryFolderTest {};

TEST_F(LocationSharesCommand, BadValuesAreRefusedWithExit2AndNoOutput) {
  const std::string header = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\nA1,1,01/02/2012,WBRI,,,\n";
  const std::string columns =
      "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,PL_LOCATION,"
      "PL_DISTANCE\n";
  struct Bad {
    std::string location;
    std::string distance;
    std::string field;
  };
  for (const Bad& bad : {Bad{"OUT", "-4", "PL_DISTANCE"}, Bad{"OUT", "far", "PL_DISTANCE"},
                         Bad{"THERE", "4", "PL_LOCATION"}}) {
    const fs::path data = dir_ / ("data-" + bad.field + bad.distance);
    fs::create_directories(data);
    std::ofstream(data / "2020-header.csv") << header;
    std::ofstream(data / "2020-episodes.csv")
        << columns << "A1,01/05/2020,S,C2,N1,U4,PR1,,,,,,," << bad.location << ',' << bad.distance << '\n';
    const fs::path out = dir_ / "calibrated.toml";
    const testing::CommandOutcome outcome = testing::run_carecast(
        "calibrate " + data.string() + " --as-of 2021-03-31 --cross-validation off --out " + out.string());
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("2020-episodes.csv:2"), std::string::npos) << outcome.output;
    EXPECT_NE(outcome.output.find(bad.field), std::string::npos) << outcome.output;
    EXPECT_FALSE(fs::exists(out));
    EXPECT_FALSE(fs::exists(dir_ / "calibrated-starting-groups.csv"));
  }
}

}  // namespace
}  // namespace carecast
