// Regions: several councils in one event queue per replication, sharing one placement market
// (simulation/region_replication.hpp, simulation/shared_market.hpp).
#include "scenario/region.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/fisher_f.hpp>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <regex>
#include <vector>

#include "scenario/region_loader.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/region_replication.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

Region region_of_defaults(int councils) {
  Region region;
  region.name = "test region";
  const Scenario base = load_scenario(default_scenario_path());
  for (int c = 0; c < councils; ++c) {
    region.councils.push_back({"council_" + std::to_string(c), default_scenario_path(), base});
  }
  region.distance.assign(
      static_cast<std::size_t>(councils),
      std::vector<LocationBand>(static_cast<std::size_t>(councils), LocationBand::outside_council_over_20_miles));
  for (int c = 0; c < councils; ++c) {
    region.distance[static_cast<std::size_t>(c)][static_cast<std::size_t>(c)] = LocationBand::inside_council;
    if (c + 1 < councils) {
      region.distance[static_cast<std::size_t>(c)][static_cast<std::size_t>(c + 1)] =
          LocationBand::outside_council_within_20_miles;
      region.distance[static_cast<std::size_t>(c + 1)][static_cast<std::size_t>(c)] =
          LocationBand::outside_council_within_20_miles;
    }
  }
  return region;
}

struct RegionRun {
  std::vector<std::vector<std::int32_t>> council_tallies;
  std::vector<std::vector<double>> council_measures;
  std::vector<std::int32_t> region_tallies;
  std::vector<double> region_measures;
};

RegionRun run_region(RegionBlocks& blocks, int runs) {
  RegionRun out;
  std::vector<std::span<std::int32_t>> tallies;
  std::vector<std::span<double>> measures;
  for (int c = 0; c < blocks.councils(); ++c) {
    out.council_tallies.emplace_back(blocks.council_tally_size() * static_cast<std::size_t>(runs));
    out.council_measures.emplace_back(blocks.council_measure_size() * static_cast<std::size_t>(runs));
  }
  for (int c = 0; c < blocks.councils(); ++c) {
    tallies.emplace_back(out.council_tallies[static_cast<std::size_t>(c)]);
    measures.emplace_back(out.council_measures[static_cast<std::size_t>(c)]);
  }
  out.region_tallies.resize(blocks.region_tally_size() * static_cast<std::size_t>(runs));
  out.region_measures.resize(blocks.region_measure_size() * static_cast<std::size_t>(runs));
  blocks.run_block(0, runs, tallies, measures, out.region_tallies, out.region_measures);
  return out;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Region, OneCouncilWithNothingSharedIsThatCouncilsOwnRun) {
  const Region region = region_of_defaults(1);
  RunOptions options;
  options.runs = 6;
  options.seed = 11;
  options.threads = 2;
  const RunResult alone = run_replications(region.councils.front().scenario, options);
  RegionBlocks blocks(region, options);
  const RegionRun together = run_region(blocks, options.runs);
  EXPECT_EQ(together.council_tallies[0], alone.tallies);
  EXPECT_TRUE(same_bits(together.council_measures[0], alone.measures));
  EXPECT_EQ(blocks.council_info(0).child_events, alone.child_events);
  // The region's own cells of the councils' metrics are that council's.
  const int cells = blocks.council_layout().cell_count();
  const int region_cells = blocks.region_layout().cell_count();
  const int dates = blocks.calendar().date_count();
  for (int r = 0; r < options.runs; ++r) {
    for (int d = 0; d < dates; ++d) {
      for (int k = 0; k < cells; ++k) {
        ASSERT_EQ(together.region_tallies[(static_cast<std::size_t>(r) * dates + d) * region_cells + k],
                  alone.value(r, d, k));
      }
    }
  }
}

TEST(Region, SharedPlacesAreNeverExceededAcrossCouncilsAndChildrenCrossBoundaries) {
  Region region = region_of_defaults(3);
  // Far fewer agency places and external beds than three default councils use, so the market binds.
  region.market.push_back({Category::foster_agency, {30, 12, 6}, 0.0, std::nullopt});
  region.market.push_back({Category::childrens_home_external, {4, 2, 2}, 0.0, std::nullopt});
  region.market.push_back({Category::supported_accommodation, {6, 3, 3}, 0.0, std::nullopt});
  RunOptions options;
  options.runs = 8;
  options.seed = 5;
  options.threads = 2;
  RegionBlocks blocks(region, options);
  const RegionRun run = run_region(blocks, options.runs);
  EXPECT_EQ(blocks.shared_capacity_exceeded(), 0);
  EXPECT_EQ(blocks.region_info().capacity_exceeded, 0);

  const TallyLayout& layout = blocks.region_layout();
  const int dates = blocks.calendar().date_count();
  const int cells = layout.cell_count();
  int full = 0;
  std::int64_t exported = 0;
  std::int64_t imported = 0;
  for (const SharedMarketPart& part : region.market) {
    const std::string name(kCategoryNames[static_cast<int>(part.category)]);
    const int available = layout.find("shared_places_available", name);
    const int occupied = layout.find("shared_places_occupied", name);
    ASSERT_GE(available, 0);
    ASSERT_GE(occupied, 0);
    for (int r = 0; r < options.runs; ++r) {
      for (int d = 0; d < dates; ++d) {
        const std::size_t row = (static_cast<std::size_t>(r) * dates + d) * cells;
        ASSERT_LE(run.region_tallies[row + occupied], run.region_tallies[row + available]) << name;
        EXPECT_EQ(run.region_tallies[row + available],
                  std::accumulate(part.places_by_area.begin(), part.places_by_area.end(), 0));
        if (run.region_tallies[row + occupied] == run.region_tallies[row + available]) ++full;
      }
    }
  }
  for (int r = 0; r < options.runs; ++r) {
    for (int d = 0; d < dates; ++d) {
      const std::size_t row = (static_cast<std::size_t>(r) * dates + d) * cells;
      for (int c = 0; c < 3; ++c) {
        exported +=
            run.region_tallies[row + layout.find("placed_in_another_council_area", "council_" + std::to_string(c))];
        imported +=
            run.region_tallies[row + layout.find("placed_from_another_council", "council_" + std::to_string(c))];
      }
    }
  }
  // The check can fail: the market was full at some dates, and children were placed across boundaries.
  EXPECT_GT(full, 0);
  EXPECT_GT(exported, 0);
  EXPECT_EQ(exported, imported);  // every child placed in another area is counted by both councils

  // The councils' own agency places reported are the region's; theirs occupied add up to the region's.
  const int council_agency = blocks.council_layout().find("places_occupied", "foster_agency");
  const int region_agency = layout.find("shared_places_occupied", "foster_agency");
  ASSERT_GE(council_agency, 0);
  const int council_cells = blocks.council_layout().cell_count();
  for (int r = 0; r < options.runs; ++r) {
    for (int d = 0; d < dates; ++d) {
      std::int32_t sum = 0;
      for (int c = 0; c < 3; ++c) {
        sum += run.council_tallies[static_cast<std::size_t>(c)]
                                  [(static_cast<std::size_t>(r) * dates + d) * council_cells + council_agency];
      }
      ASSERT_EQ(sum, run.region_tallies[(static_cast<std::size_t>(r) * dates + d) * cells + region_agency]);
    }
  }
}

TEST(Region, ResultsAreTheSameOnOneThreadAndTwo) {
  Region region = region_of_defaults(2);
  region.market.push_back({Category::foster_agency, {20, 20}, 0.02, std::nullopt});
  region.joint_home = JointHome{1, 4, Date{std::chrono::year{2026} / 4 / 1}, 1.2e6};
  RunOptions options;
  options.runs = 5;
  options.seed = 3;
  options.threads = 1;
  RegionBlocks one(region, options);
  const RegionRun a = run_region(one, options.runs);
  options.threads = 2;
  RegionBlocks two(region, options);
  const RegionRun b = run_region(two, options.runs);
  EXPECT_EQ(a.council_tallies, b.council_tallies);
  EXPECT_EQ(a.region_tallies, b.region_tallies);
  for (std::size_t c = 0; c < a.council_measures.size(); ++c)
    EXPECT_TRUE(same_bits(a.council_measures[c], b.council_measures[c]));
  // The second council differs from the first: its streams come from a seed of its own.
  EXPECT_NE(a.council_tallies[0], a.council_tallies[1]);
  // The joint home took children once open, and never more than its beds.
  const int joint = one.region_layout().find("joint_home_occupied", "all");
  ASSERT_GE(joint, 0);
  const int cells = one.region_layout().cell_count();
  const int dates = one.calendar().date_count();
  int most = 0;
  for (int r = 0; r < options.runs; ++r) {
    for (int d = 0; d < dates; ++d)
      most = std::max(most, a.region_tallies[(static_cast<std::size_t>(r) * dates + d) * cells + joint]);
  }
  EXPECT_GT(most, 0);
  EXPECT_LE(most, 4);
}

// Shared uncertainty: every council's rates and yearly multipliers drawn together. Five identical
// councils then move up and down together, so the region's total varies far more across runs than
// with each council drawing its own; the first council, whose streams are the run's in both, is the same.
TEST(Region, CommonUncertaintyMovesTheCouncilsTogether) {
  Region region = region_of_defaults(5);
  for (RegionCouncil& council : region.councils) council.scenario.horizon_years = 3;
  RunOptions options;
  options.runs = 200;
  options.seed = 9;
  options.threads = 2;
  RegionBlocks independent(region, options);
  const RegionRun apart = run_region(independent, options.runs);
  region.common_uncertainty = true;
  RegionBlocks common(region, options);
  const RegionRun together = run_region(common, options.runs);
  EXPECT_EQ(apart.council_tallies[0], together.council_tallies[0]);
  EXPECT_NE(apart.council_tallies[1], together.council_tallies[1]);

  const TallyLayout& layout = common.region_layout();
  const int cell = layout.find("children_looked_after", "all");
  const int dates = common.calendar().date_count();
  auto variance = [&](const RegionRun& run) {
    std::vector<double> totals;
    for (int r = 0; r < options.runs; ++r) {
      totals.push_back(
          run.region_tallies[(static_cast<std::size_t>(r) * dates + dates - 1) * layout.cell_count() + cell]);
    }
    const double mean = std::accumulate(totals.begin(), totals.end(), 0.0) / totals.size();
    double squares = 0;
    for (double t : totals) squares += (t - mean) * (t - mean);
    return squares / (totals.size() - 1);
  };
  // An F test at a false-alarm rate of one in a million: the common variance is larger.
  const boost::math::fisher_f_distribution<double> f(options.runs - 1, options.runs - 1);
  const double critical = boost::math::quantile(f, 1 - 1e-6);
  std::cout << "[ variance of the region total: common " << variance(together) << ", independent " << variance(apart)
            << ", critical ratio " << critical << " ]\n";
  EXPECT_GT(variance(together) / variance(apart), critical)
      << "common " << variance(together) << ", independent " << variance(apart);
}

}  // namespace
}  // namespace carecast

namespace carecast::testing {
namespace {

namespace fs = std::filesystem;

class RegionCommand : public TemporaryFolderTest {};

TEST_F(RegionCommand, CommonUncertaintyIsReadAndAWrongValueIsRefused) {
  const std::string head = "[region]\nname = \"r\"\n";
  const std::string council = "[[council]]\nname = \"only\"\nscenario = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n";
  EXPECT_FALSE(load_region(write("plain.toml", head + council)).common_uncertainty);
  EXPECT_TRUE(load_region(write("common.toml", head + "common_uncertainty = true\n" + council)).common_uncertainty);
  try {
    load_region(write("bad.toml", head + "common_uncertainty = 1\n" + council));
    FAIL() << "common_uncertainty = 1 was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("region.common_uncertainty"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(":3:"), std::string::npos) << e.what();
  }
}

TEST_F(RegionCommand, AOneCouncilRegionWritesThatCouncilsForecastByteForByte) {
  const fs::path region =
      write("one.toml", "[region]\nname = \"one\"\n[[council]]\nname = \"only\"\nscenario = \"" CARECAST_SCENARIO_DIR
                        "/default.toml\"\n");
  const CommandOutcome alone =
      run_carecast("run --runs 12 --seed 4 --threads 2 --quiet --out " + (dir_ / "alone").string());
  ASSERT_EQ(alone.exit_code, 0) << alone.output;
  const CommandOutcome together = run_carecast(
      "run " + region.string() + " --runs 12 --seed 4 --threads 1 --quiet --out " + (dir_ / "region").string());
  ASSERT_EQ(together.exit_code, 0) << together.output;
  const std::string expected = read_text(dir_ / "alone" / "forecast.csv");
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(read_text(dir_ / "region" / "councils" / "only" / "forecast.csv"), expected);
  EXPECT_TRUE(fs::exists(dir_ / "region" / "region" / "forecast.csv"));
  EXPECT_NE(together.output.find("only: 433 (433-433)"), std::string::npos) << together.output;
}

TEST_F(RegionCommand, ASyntheticRegionRunsAndABadRegionLeavesNothingBehind) {
  const CommandOutcome synth =
      run_carecast("synth-region --councils 3 --children 900 --seed 2 --out " + (dir_ / "synthetic").string());
  ASSERT_EQ(synth.exit_code, 0) << synth.output;
  const CommandOutcome run = run_carecast("run " + (dir_ / "synthetic" / "region.toml").string() +
                                          " --runs 4 --seed 1 --quiet --out " + (dir_ / "out").string());
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const std::string region_csv = read_text(dir_ / "out" / "region" / "forecast.csv");
  EXPECT_NE(region_csv.find("shared_places_occupied,foster_agency,"), std::string::npos);
  EXPECT_NE(region_csv.find("placed_in_another_council_area,council_002,"), std::string::npos);
  for (const std::string council : {"council_001", "council_002", "council_003"}) {
    EXPECT_TRUE(fs::exists(dir_ / "out" / "councils" / council / "forecast.csv")) << council;
  }

  // The board packs: each council's, and the region's page setting them side by side.
  const CommandOutcome report = run_carecast("report " + (dir_ / "out").string());
  ASSERT_EQ(report.exit_code, 0) << report.output;
  const std::string page = read_text(dir_ / "out" / "region" / "report.html");
  EXPECT_NE(page.find("<td>council_003</td>"), std::string::npos);
  EXPECT_NE(page.find("../councils/council_002/report.html"), std::string::npos);
  EXPECT_NE(page.find("<td>foster_agency</td>"), std::string::npos);
  EXPECT_NE(page.find("Cost by financial year"), std::string::npos);
  for (const std::string council : {"council_001", "council_002", "council_003"}) {
    EXPECT_TRUE(fs::exists(dir_ / "out" / "councils" / council / "report.html")) << council;
  }

  // A council whose scenario has another origin: refused, naming it, with exit 2 and no output folder.
  const fs::path other =
      write("other.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\norigin_date = 2024-03-31\n");
  const fs::path bad =
      write("bad.toml", "[region]\nname = \"bad\"\n[[council]]\nname = \"a\"\nscenario = \"" CARECAST_SCENARIO_DIR
                        "/default.toml\"\n[[council]]\nname = \"b\"\nscenario = \"" +
                            other.string() + "\"\n");
  const CommandOutcome refused =
      run_carecast("run " + bad.string() + " --runs 2 --quiet --out " + (dir_ / "bad_out").string());
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("origin_date"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(dir_ / "bad_out"));
}

TEST_F(RegionCommand, CompareGivesARegionalOptionsEffectRunByRun) {
  const CommandOutcome synth =
      run_carecast("synth-region --councils 3 --children 1200 --seed 4 --out " + (dir_ / "base").string());
  ASSERT_EQ(synth.exit_code, 0) << synth.output;
  // The option: the same region with a joint home of 6 beds from the first April after the origin.
  const fs::path option = dir_ / "base" / "joint.toml";
  {
    std::ofstream text(option, std::ios::binary);
    text << read_text(dir_ / "base" / "region.toml") << "\n[options.joint_home]\nhost = \"council_002\"\nbeds = 6\n"
         << "opens = 2025-04-01\nannual_cost = 2000000\n";
  }
  std::string joint = read_text(option);
  const std::string name = "name = \"";
  joint.insert(joint.find(name) + name.size(), "Joint home: ");  // the region's own name, for its folder
  { std::ofstream(option, std::ios::binary) << joint; }
  const CommandOutcome compared =
      run_carecast("compare " + (dir_ / "base" / "region.toml").string() + " " + option.string() +
                   " --runs 40 --years 2 --seed 2 --quiet --out " + (dir_ / "cmp").string());
  ASSERT_EQ(compared.exit_code, 0) << compared.output;
  const std::string csv = read_text(dir_ / "cmp" / "comparison.csv");
  // Six beds full for most of two years cost money and take children out of external homes or
  // unregistered arrangements: the option's own cells are there and its cost differs from the base's.
  EXPECT_NE(compared.output.find("cost to the horizon"), std::string::npos) << compared.output;
  EXPECT_NE(csv.find(",childrens_home_in_house,"), std::string::npos);
  // The option's name holds commas, so it is quoted: the row is found by what follows it.
  const std::string row = ",children_looked_after,childrens_home_in_house,2027-02-28,";
  const std::size_t at = csv.find(row);
  ASSERT_NE(at, std::string::npos) << csv.substr(0, 400);
  const std::regex mean("^([0-9.]+),");
  std::smatch match;
  const std::string rest = csv.substr(at + row.size(), 40);
  ASSERT_TRUE(std::regex_search(rest, match, mean)) << rest;
  EXPECT_GT(std::stod(match[1].str()), 3.0);  // the joint home's beds, most of them filled, on average
  EXPECT_LE(std::stod(match[1].str()), 6.0);

  // A scenario among regions is refused, with nothing written.
  const CommandOutcome mixed =
      run_carecast("compare " + (dir_ / "base" / "region.toml").string() +
                   " " CARECAST_SCENARIO_DIR "/default.toml --runs 2 --quiet --out " + (dir_ / "mixed").string());
  EXPECT_EQ(mixed.exit_code, 2) << mixed.output;
  EXPECT_FALSE(fs::exists(dir_ / "mixed"));
}

}  // namespace
}  // namespace carecast::testing
