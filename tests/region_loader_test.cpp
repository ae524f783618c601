#include "scenario/region_loader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "core/errors.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

// A small standalone scenario (origin 2024-09-30, one year), quick to load; `extra` goes at the top.
std::string council_scenario(const std::string& name, const std::string& extra = "") {
  return extra + "name = \"" + name + R"("
origin_date = 2024-09-30
horizon_years = 1

[starting_population]
mean_days_in_care_before_placement = 0
counts.other.5_to_9 = { male = 1, female = 0 }
mean_days_in_placement.other = 10

[entries]
expected_per_year = {}

[placements.other]
ending_hazard_per_year.all = [1, 1, 1, 1, 1, 1]
destination_probability.all = { exit_other = 1 }

[leaving_care]
staying_put_probability = 0
)";
}

// Lines 1 to 9: the region and two councils, north and south.
const std::string kHead = R"([region]
name = "Test region"

[[council]]
name = "north"
scenario = "north.toml"
[[council]]
name = "south"
scenario = "south.toml"
)";

const std::string kEverySection = kHead + R"(
[market.foster_agency]
places = [120, 80]
growth_per_year = 0.01
weekly_price = 980

[market.childrens_home_external]
places = [10, 6]

[market.supported_accommodation]
places = [20, 0]
weekly_price = 700.5

[distance]
bands = [["inside_council", "outside_council_over_20_miles"],
         ["outside_council_within_20_miles", "inside_council"]]

[options.joint_home]
host = "south"
beds = 6
opens = 2025-04-01
annual_cost = 1800000

[options.recruitment_hub]
start = 2024-10-01
full = 2025-01-01
end = 2025-06-01
extra_enquiries_per_year = 60

[options.framework_price]
from = 2025-04-01
price_change = -0.05
)";

class RegionLoaderTest : public testing::TemporaryFolderTest {
 protected:
  RegionLoaderTest() {
    write("north.toml", council_scenario("North"));
    write("south.toml", council_scenario("South"));
  }

  // Loads region.toml holding `text`, which must be refused; checks the file, line and key named.
  InputError refusal(const std::string& text, int line, std::string_view key, std::string_view problem_part) {
    const fs::path region = write("region.toml", text);
    try {
      load_region(region);
    } catch (const InputError& error) {
      EXPECT_EQ(error.where().file, region.string()) << error.what();
      EXPECT_EQ(error.where().line, line) << error.what();
      EXPECT_EQ(error.where().field, key) << error.what();
      EXPECT_NE(error.problem().find(problem_part), std::string::npos) << error.what();
      return error;
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return InputError({}, "");
  }
};

TEST_F(RegionLoaderTest, EverySectionRoundTripsIntoTheRegion) {
  const fs::path file = write("region.toml", kEverySection);
  ASSERT_TRUE(is_region_file(file));
  const Region region = load_region(file);

  EXPECT_EQ(region.name, "Test region");
  ASSERT_EQ(region.councils.size(), 2u);
  EXPECT_EQ(region.councils[0].name, "north");
  EXPECT_EQ(region.councils[1].name, "south");
  EXPECT_EQ(region.councils[0].scenario_file, dir_ / "north.toml");
  EXPECT_EQ(region.councils[0].scenario.name, "North");
  EXPECT_EQ(region.councils[1].scenario.name, "South");
  EXPECT_EQ(region.councils[1].scenario.origin, make_date(2024, 9, 30));

  ASSERT_EQ(region.market.size(), 3u);
  EXPECT_EQ(region.market[0].category, Category::foster_agency);
  EXPECT_EQ(region.market[0].places_by_area, (std::vector<int>{120, 80}));
  EXPECT_DOUBLE_EQ(region.market[0].growth_per_year, 0.01);
  EXPECT_EQ(region.market[0].weekly_price, 980.0);
  EXPECT_EQ(region.market[1].category, Category::childrens_home_external);
  EXPECT_EQ(region.market[1].places_by_area, (std::vector<int>{10, 6}));
  EXPECT_EQ(region.market[1].growth_per_year, 0.0);
  EXPECT_FALSE(region.market[1].weekly_price.has_value());
  EXPECT_EQ(region.market[2].category, Category::supported_accommodation);
  EXPECT_EQ(region.market[2].places_by_area, (std::vector<int>{20, 0}));
  EXPECT_EQ(region.market[2].weekly_price, 700.5);
  ASSERT_NE(region.part(Category::childrens_home_external), nullptr);
  EXPECT_EQ(region.part(Category::childrens_home_external)->places_by_area[1], 6);
  EXPECT_EQ(region.part(Category::foster_in_house), nullptr);

  ASSERT_EQ(region.distance.size(), 2u);
  EXPECT_EQ(region.distance[0], (std::vector<LocationBand>{LocationBand::inside_council,
                                                           LocationBand::outside_council_over_20_miles}));
  EXPECT_EQ(region.distance[1], (std::vector<LocationBand>{LocationBand::outside_council_within_20_miles,
                                                           LocationBand::inside_council}));

  ASSERT_TRUE(region.joint_home.has_value());
  EXPECT_EQ(region.joint_home->host, 1u);
  EXPECT_EQ(region.joint_home->beds, 6);
  EXPECT_EQ(region.joint_home->opens, make_date(2025, 4, 1));
  EXPECT_EQ(region.joint_home->annual_cost, 1'800'000.0);

  ASSERT_TRUE(region.recruitment_hub.has_value());
  const Ramp& hub = region.recruitment_hub->extra_enquiries_per_year;
  EXPECT_EQ(hub.start, make_date(2024, 10, 1));
  EXPECT_EQ(hub.full, make_date(2025, 1, 1));
  EXPECT_EQ(hub.end, make_date(2025, 6, 1));
  EXPECT_EQ(hub.full_value, 60.0);

  ASSERT_TRUE(region.framework_price.has_value());
  EXPECT_EQ(region.framework_price->from, make_date(2025, 4, 1));
  EXPECT_DOUBLE_EQ(region.framework_price->price_change, -0.05);

  ASSERT_EQ(region.source_files.size(), 3u);
  EXPECT_EQ(region.source_files[0], file);
  EXPECT_EQ(region.source_files[1], dir_ / "north.toml");
  EXPECT_EQ(region.source_files[2], dir_ / "south.toml");
}

TEST_F(RegionLoaderTest, AbsentSectionsTakeTheirDefaults) {
  const Region region = load_region(write("region.toml", kHead));
  EXPECT_TRUE(region.market.empty());
  ASSERT_EQ(region.distance.size(), 2u);
  EXPECT_EQ(region.distance[0], (std::vector<LocationBand>{LocationBand::inside_council,
                                                           LocationBand::outside_council_within_20_miles}));
  EXPECT_EQ(region.distance[1], (std::vector<LocationBand>{LocationBand::outside_council_within_20_miles,
                                                           LocationBand::inside_council}));
  EXPECT_FALSE(region.joint_home.has_value());
  EXPECT_FALSE(region.recruitment_hub.has_value());
  EXPECT_FALSE(region.framework_price.has_value());
}

TEST_F(RegionLoaderTest, SourceFilesHoldEachScenariosOwnFilesAfterTheRegionFile) {
  write("base.toml", council_scenario("Base"));
  write("south.toml", "extends = \"base.toml\"\nname = \"South\"\n");
  const fs::path file = write("region.toml", kHead);
  const Region region = load_region(file);
  ASSERT_EQ(region.source_files.size(), 4u);
  EXPECT_EQ(region.source_files[0], file);
  EXPECT_EQ(region.source_files[1], dir_ / "north.toml");
  EXPECT_EQ(region.source_files[2], dir_ / "south.toml");
  EXPECT_EQ(region.source_files[3], dir_ / "base.toml");
  EXPECT_EQ(region.councils[1].scenario.name, "South");
}

TEST_F(RegionLoaderTest, AScenarioFileIsNotARegionFile) {
  EXPECT_FALSE(is_region_file(write("north2.toml", council_scenario("North"))));
  EXPECT_FALSE(is_region_file(dir_ / "absent.toml"));
  EXPECT_FALSE(is_region_file(write("broken.toml", "[region\n")));
  EXPECT_FALSE(is_region_file(write("not_table.toml", "region = 1\n")));
  EXPECT_TRUE(is_region_file(write("region.toml", "[region]\n")));
}

TEST_F(RegionLoaderTest, RefusesUnknownKeysAnywhere) {
  refusal(kHead + "[markets.foster_agency]\nplaces = [1, 2]\n", 10, "markets", "unknown key");
  refusal("[region]\nname = \"x\"\ntitle = \"y\"\n", 3, "region.title", "unknown key");
  refusal(kHead + "area = 3\n", 10, "council[1].area", "unknown key; expected one of: name, scenario");
  refusal(kHead + "[market.foster_agency]\nplaces = [1, 2]\nprice = 3\n", 12, "market.foster_agency.price",
          "unknown key");
  refusal(kHead + "[distance]\nband = []\n", 11, "distance.band", "unknown key");
  refusal(kHead + "[options.joint_homes]\nhost = \"north\"\n", 10, "options.joint_homes", "unknown key");
  refusal(kHead + "[options.joint_home]\nhost = \"north\"\nbeds = 6\nopens = 2025-04-01\nannual_cost = 1\nrooms = 2\n",
          15, "options.joint_home.rooms", "unknown key");
  refusal(kHead + "[options.recruitment_hub]\nstart = 2025-01-01\nextra_households = 3\n", 12,
          "options.recruitment_hub.extra_households", "unknown key");
}

TEST_F(RegionLoaderTest, RefusesAFileWithoutRegionOrCouncils) {
  refusal("[[council]]\nname = \"north\"\nscenario = \"north.toml\"\n", 0, "region", "[region] is missing");
  refusal("[region]\nname = \"x\"\n", 0, "council", "no [[council]]");
  refusal("council = []\n[region]\nname = \"x\"\n", 1, "council", "no [[council]]");
  refusal("[region]\n", 1, "region", "required key 'name' is missing");
}

TEST_F(RegionLoaderTest, RefusesDuplicateAndUnsafeCouncilNames) {
  const std::string duplicate = "[region]\nname = \"x\"\n[[council]]\nname = \"north\"\nscenario = \"north.toml\"\n"
                                "[[council]]\nname = \"North\"\nscenario = \"south.toml\"\n";
  refusal(duplicate, 7, "council[1].name", "used twice");
  refusal("[region]\nname = \"x\"\n[[council]]\nname = \"../north\"\nscenario = \"north.toml\"\n", 4,
          "council[0].name", "letters, digits, _ and -");
  refusal("[region]\nname = \"x\"\n[[council]]\nname = \"\"\nscenario = \"north.toml\"\n", 4, "council[0].name",
          "letters, digits");
  refusal("[region]\nname = \"x\"\n[[council]]\nname = \"a b\"\nscenario = \"north.toml\"\n", 4, "council[0].name",
          "letters, digits");
  EXPECT_TRUE(is_safe_council_name("council_001-B"));
  EXPECT_FALSE(is_safe_council_name(std::string(65, 'a')));
}

TEST_F(RegionLoaderTest, RefusesMoreThan200Councils) {
  std::string text = "[region]\nname = \"x\"\n";
  for (int i = 0; i <= 200; ++i) {
    text += "[[council]]\nname = \"c" + std::to_string(i) + "\"\nscenario = \"north.toml\"\n";
  }
  // The 201st council's header is line 3 + 200 * 3.
  refusal(text, 603, "council[200]", "at most 200 councils");
}

TEST_F(RegionLoaderTest, AScenarioThatFailsToLoadReportsItsOwnFile) {
  const fs::path bad = write("south.toml", council_scenario("South", "horizon = 3\n"));
  const fs::path region = write("region.toml", kHead);
  try {
    load_region(region);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().file, bad.string()) << error.what();
    EXPECT_EQ(error.where().line, 1) << error.what();
    EXPECT_EQ(error.where().field, "horizon") << error.what();
  }
  fs::remove(bad);
  refusal(kHead, 9, "council[1].scenario", "does not exist");
}

TEST_F(RegionLoaderTest, RefusesCouncilsWithDifferentOriginsOrHorizons) {
  write("south.toml", "extends = \"north.toml\"\norigin_date = 2024-10-31\n");
  refusal(kHead, 9, "council[1].scenario", "origin_date 2024-10-31 differs from 2024-09-30, council 'north''s");
  write("south.toml", "extends = \"north.toml\"\nhorizon_years = 2\n");
  refusal(kHead, 9, "council[1].scenario", "horizon_years 2 differs from 1");
}

TEST_F(RegionLoaderTest, RefusesBadMarketParts) {
  refusal(kHead + "[market.foster_agency]\nplaces = [120, 80, 5]\n", 11, "market.foster_agency.places",
          "has 3 entries; expected 2");
  refusal(kHead + "[market.foster_agency]\nplaces = [120]\n", 11, "market.foster_agency.places",
          "has 1 entries; expected 2");
  refusal(kHead + "[market.supported_accommodation]\nplaces = [120, -1]\n", 11,
          "market.supported_accommodation.places[1]", "a whole number from 0");
  refusal(kHead + "[market.supported_accommodation]\nplaces = [120, 1.5]\n", 11,
          "market.supported_accommodation.places[1]", "a whole number from 0");
  refusal(kHead + "[market.foster_kinship]\nplaces = [1, 2]\n", 10, "market.foster_kinship",
          "expected one of: foster_agency, childrens_home_external, supported_accommodation");
  refusal(kHead + "[market.foster_agency]\ngrowth_per_year = 0.1\n", 10, "market.foster_agency",
          "required key 'places' is missing");
  refusal(kHead + "[market.foster_agency]\nplaces = [1, 2]\ngrowth_per_year = 0.6\n", 12,
          "market.foster_agency.growth_per_year", "from -0.5 to 0.5");
  refusal(kHead + "[market.foster_agency]\nplaces = [1, 2]\nweekly_price = 0\n", 12, "market.foster_agency.weekly_price",
          "above 0 and below 20000");
  refusal(kHead + "[market.foster_agency]\nplaces = [1, 2]\nweekly_price = 20000\n", 12,
          "market.foster_agency.weekly_price", "above 0 and below 20000");
}

TEST_F(RegionLoaderTest, RefusesBadDistanceMatrices) {
  refusal(kHead + "[distance]\nbands = [[\"inside_council\", \"outside_council_within_20_miles\"]]\n", 11,
          "distance.bands", "expected 2 rows");
  refusal(kHead + "[distance]\nbands = [[\"inside_council\"], [\"inside_council\"]]\n", 11, "distance.bands[0]",
          "expected 2 rows");
  refusal(kHead + "[distance]\nbands = [[\"inside_council\", \"nearby\"],\n"
                  "[\"outside_council_within_20_miles\", \"inside_council\"]]\n",
          11, "distance.bands[0][1]", "unknown band");
  refusal(kHead + "[distance]\nbands = [[\"inside_council\", \"outside_council_within_20_miles\"],\n"
                  "[\"outside_council_within_20_miles\", \"outside_council_over_20_miles\"]]\n",
          12, "distance.bands[1][1]", "must be inside_council");
  refusal(kHead + "[distance]\nbands = [[\"inside_council\", \"inside_council\"],\n"
                  "[\"outside_council_within_20_miles\", \"inside_council\"]]\n",
          11, "distance.bands[0][1]", "only a council's own area");
}

TEST_F(RegionLoaderTest, RefusesBadOptions) {
  const std::string home = kHead + "[options.joint_home]\n";
  refusal(home + "host = \"east\"\nbeds = 6\nopens = 2025-04-01\nannual_cost = 1\n", 11, "options.joint_home.host",
          "no council of this region is named 'east'");
  refusal(home + "host = \"north\"\nbeds = 0\nopens = 2025-04-01\nannual_cost = 1\n", 12, "options.joint_home.beds",
          "from 1 to 200");
  refusal(home + "host = \"north\"\nbeds = 6\nopens = 2024-09-29\nannual_cost = 1\n", 13, "options.joint_home.opens",
          "on or after the councils' origin (2024-09-30)");
  refusal(home + "host = \"north\"\nbeds = 6\nopens = 2025-09-30\nannual_cost = 1\n", 13, "options.joint_home.opens",
          "before the horizon's end (2025-09-30)");
  refusal(home + "host = \"north\"\nbeds = 6\nopens = 2025-04-01\nannual_cost = -1\n", 14,
          "options.joint_home.annual_cost", "from 0");
  refusal(home + "host = \"north\"\nbeds = 6\nopens = 2025-04-01\n", 10, "options.joint_home",
          "required key 'annual_cost' is missing");
  refusal(kHead + "[options.recruitment_hub]\nstart = 2025-01-01\nfull = 2024-12-01\nextra_enquiries_per_year = 5\n",
          12, "options.recruitment_hub.full", "on or after its start");
  refusal(kHead + "[options.recruitment_hub]\nstart = 2025-01-01\nextra_enquiries_per_year = -5\n", 12,
          "options.recruitment_hub.extra_enquiries_per_year", "enquiries a year");
  refusal(kHead + "[options.framework_price]\nfrom = 2025-04-01\nprice_change = 0.7\n", 12,
          "options.framework_price.price_change", "from -0.5 to 0.5");
}

}  // namespace
}  // namespace carecast
