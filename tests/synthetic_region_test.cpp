#include "scenario/synthetic_region.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <string>

#include "core/errors.hpp"
#include "scenario/region_loader.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

int starting_children(const Scenario& scenario) {
  int n = 0;
  for (const auto& bands : scenario.starting_counts->count) {
    for (const auto& sexes : bands) n += sexes[0] + sexes[1];
  }
  return n;
}

class SyntheticRegionTest : public testing::TemporaryFolderTest {
 protected:
  fs::path write_region(const SyntheticRegion& region) const {
    for (const SyntheticRegionFile& file : region.files) write(file.name, file.text);
    return dir_ / "region.toml";
  }
};

TEST_F(SyntheticRegionTest, FiveCouncilsOf2000ChildrenLoadAsARegion) {
  const SyntheticRegion made = make_synthetic_region(5, 2000, 1, default_scenario_path());
  ASSERT_EQ(made.council_children.size(), 5u);
  // The rule: each council at least 20 children and the councils' children sum to --children exactly.
  EXPECT_EQ(std::accumulate(made.council_children.begin(), made.council_children.end(), 0), 2000);
  for (int n : made.council_children) EXPECT_GE(n, kMinSyntheticCouncilChildren);
  EXPECT_EQ(made.files.front().name, "region.toml");
  EXPECT_TRUE(std::any_of(made.files.begin(), made.files.end(),
                          [](const SyntheticRegionFile& f) { return f.name == "council_005.toml"; }));

  const Region region = load_region(write_region(made));
  ASSERT_EQ(region.councils.size(), 5u);
  const Scenario base = load_scenario(default_scenario_path());
  const int base_children = starting_children(base);
  int total = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    const Scenario& council = region.councils[i].scenario;
    EXPECT_EQ(region.councils[i].name, "council_00" + std::to_string(i + 1));
    EXPECT_EQ(starting_children(council), made.council_children[i]) << i;
    total += starting_children(council);
    const double factor = static_cast<double>(made.council_children[i]) / base_children;
    // Entries follow the scaled child population; carers and enquiries scale with the council.
    EXPECT_NEAR(council.entries.total_per_year(), base.entries.total_per_year() * factor,
                1e-3 * base.entries.total_per_year() * factor);
    EXPECT_NEAR(council.uasc.total_per_year(), base.uasc.total_per_year() * factor, 1e-9);
    EXPECT_EQ(council.supply.in_house_households,
              std::max(1, static_cast<int>(std::llround(base.supply.in_house_households * factor))));
    EXPECT_NEAR(council.supply.enquiries_per_year, base.supply.enquiries_per_year * factor, 1e-9);
    EXPECT_EQ(council.origin, base.origin);
    // Everything it is built from lies in the region's own folder.
    for (const fs::path& source : council.source_files) EXPECT_EQ(source.parent_path(), dir_) << source;
  }
  EXPECT_EQ(total, 2000);

  ASSERT_EQ(region.market.size(), 3u);
  for (const SharedMarketPart& part : region.market) {
    ASSERT_EQ(part.places_by_area.size(), 5u);
    int base_placed = 0;
    for (const auto& sexes : base.starting_counts->count[static_cast<std::size_t>(part.category)]) {
      base_placed += sexes[0] + sexes[1];
    }
    for (std::size_t a = 0; a < 5; ++a) {
      const double factor = static_cast<double>(made.council_children[a]) / base_children;
      EXPECT_EQ(part.places_by_area[a], static_cast<int>(std::ceil(kSyntheticMarketHeadroom * base_placed * factor - 1e-9)));
    }
  }
  // A ring: council 1's neighbours are councils 2 and 5.
  EXPECT_EQ(region.distance[0][0], LocationBand::inside_council);
  EXPECT_EQ(region.distance[0][1], LocationBand::outside_council_within_20_miles);
  EXPECT_EQ(region.distance[0][2], LocationBand::outside_council_over_20_miles);
  EXPECT_EQ(region.distance[0][3], LocationBand::outside_council_over_20_miles);
  EXPECT_EQ(region.distance[0][4], LocationBand::outside_council_within_20_miles);
  EXPECT_EQ(region.distance[2][1], LocationBand::outside_council_within_20_miles);
}

TEST_F(SyntheticRegionTest, TheSameSeedGivesTheSameBytesAndAnotherSeedOthers) {
  const SyntheticRegion first = make_synthetic_region(5, 2000, 7, default_scenario_path());
  const SyntheticRegion again = make_synthetic_region(5, 2000, 7, default_scenario_path());
  ASSERT_EQ(first.files.size(), again.files.size());
  for (std::size_t i = 0; i < first.files.size(); ++i) {
    EXPECT_EQ(first.files[i].name, again.files[i].name);
    EXPECT_EQ(first.files[i].text, again.files[i].text) << first.files[i].name;
  }
  const SyntheticRegion other = make_synthetic_region(5, 2000, 8, default_scenario_path());
  EXPECT_NE(first.council_children, other.council_children);
  EXPECT_NE(first.files.front().text, other.files.front().text);
}

TEST_F(SyntheticRegionTest, EnglandsCouncilsHaveARealisticSpread) {
  const std::vector<int> sizes = synthetic_council_sizes(153, 82000, 1);
  ASSERT_EQ(sizes.size(), 153u);
  EXPECT_EQ(std::accumulate(sizes.begin(), sizes.end(), 0), 82000);
  double mean_log = 0;
  for (int n : sizes) mean_log += std::log(n - kMinSyntheticCouncilChildren + 1.0) / 153;
  double variance = 0;
  for (int n : sizes) variance += std::pow(std::log(n - kMinSyntheticCouncilChildren + 1.0) - mean_log, 2) / 152;
  // The sizes above the minimum are lognormal with sd 0.5 on the log scale: 153 draws put the sample sd within
  // 0.4 to 0.6 (its standard error is about 0.03).
  EXPECT_GT(std::sqrt(variance), 0.4);
  EXPECT_LT(std::sqrt(variance), 0.6);
  EXPECT_EQ(synthetic_council_sizes(1, 82000, 1), std::vector<int>{82000});
  EXPECT_EQ(synthetic_council_sizes(3, 60, 5), (std::vector<int>{20, 20, 20}));
}

// Every council of an England-sized region loads, small ones included (seed 1 once had a council whose one
// parent-and-child placement the default's short-term stability marked, which the loader refuses).
TEST_F(SyntheticRegionTest, EnglandsRegionLoads) {
  for (const std::uint64_t seed : {1, 2}) {
    const SyntheticRegion made = make_synthetic_region(153, 82000, seed, default_scenario_path());
    const Region region = load_region(write_region(made));
    ASSERT_EQ(region.councils.size(), 153u);
    int total = 0;
    for (const RegionCouncil& council : region.councils) total += starting_children(council.scenario);
    EXPECT_EQ(total, 82000);
    ASSERT_EQ(region.market.size(), 3u);
    EXPECT_EQ(region.market[0].places_by_area.size(), 153u);
  }
}

TEST_F(SyntheticRegionTest, OneCouncilOfEnglandsSizeLoads) {
  const Region region = load_region(write_region(make_synthetic_region(1, 82000, 1, default_scenario_path())));
  ASSERT_EQ(region.councils.size(), 1u);
  EXPECT_EQ(starting_children(region.councils[0].scenario), 82000);
  EXPECT_EQ(region.distance, (std::vector<std::vector<LocationBand>>{{LocationBand::inside_council}}));
  // Scaled, its carer households would be about 22,700: held at the most one council's scenario may state.
  EXPECT_EQ(region.councils[0].scenario.supply.in_house_households, 10'000);
}

TEST_F(SyntheticRegionTest, RefusesBadCouncilsAndChildren) {
  auto field_of = [](int councils, int children) {
    try {
      synthetic_council_sizes(councils, children, 1);
    } catch (const InputError& error) {
      return error.where().field;
    }
    return std::string("no error");
  };
  EXPECT_EQ(field_of(0, 2000), "--councils");
  EXPECT_EQ(field_of(201, 100000), "--councils");
  EXPECT_EQ(field_of(-3, 2000), "--councils");
  EXPECT_EQ(field_of(5, 99), "--children");
  EXPECT_EQ(field_of(153, 3059), "--children");
  EXPECT_EQ(field_of(5, 100), "no error");
  // One council of a million children would hold more in one cell than a scenario may.
  try {
    make_synthetic_region(1, 1'000'000, 1, default_scenario_path());
    ADD_FAILURE() << "no error for a council of a million children";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().field, "--children") << error.what();
  }
}

TEST_F(SyntheticRegionTest, TheCommandWritesARegionOrRefusesLeavingNothing) {
  const fs::path out = dir_ / "region";
  const auto refused = testing::run_carecast("synth-region --councils 5 --children 99 --seed 1 --out " + out.string());
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--children"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(out));
  const auto too_many = testing::run_carecast("synth-region --councils 201 --children 99999 --out " + out.string());
  EXPECT_EQ(too_many.exit_code, 2) << too_many.output;
  EXPECT_FALSE(fs::exists(out));
  const auto not_a_number = testing::run_carecast("synth-region --councils abc --children 900 --out " + out.string());
  EXPECT_EQ(not_a_number.exit_code, 2) << not_a_number.output;
  EXPECT_NE(not_a_number.output.find("expected a whole number from 1 to 200"), std::string::npos) << not_a_number.output;
  // Refused only once the default is read, after the output folder was checked: still nothing left.
  const auto too_big = testing::run_carecast("synth-region --councils 1 --children 1000000 --out " + out.string());
  EXPECT_EQ(too_big.exit_code, 2) << too_big.output;
  EXPECT_NE(too_big.output.find("'--children': the largest council would have 1000000 children"), std::string::npos)
      << too_big.output;
  EXPECT_FALSE(fs::exists(out));
  // Nothing else left beside it either (no staging folder).
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 0);

  const auto made = testing::run_carecast("synth-region --councils 3 --children 900 --seed 2 --out " + out.string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  EXPECT_EQ(load_region(out / "region.toml").councils.size(), 3u);
  const std::string first_text = testing::read_text(out / "region.toml");

  const auto again = testing::run_carecast("synth-region --councils 3 --children 900 --seed 3 --out " + out.string());
  EXPECT_EQ(again.exit_code, 2) << again.output;
  EXPECT_EQ(testing::read_text(out / "region.toml"), first_text);
  const auto replaced =
      testing::run_carecast("synth-region --councils 3 --children 900 --seed 3 --replace --out " + out.string());
  EXPECT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_NE(testing::read_text(out / "region.toml"), first_text);
}

}  // namespace
}  // namespace carecast
