// What `carecast calibrate` writes, `carecast run` takes as written: the [supply] of synthetic returns with no
// in-house children's home names no home the scenario has no rates for, and returns with sparse early years give a
// year-to-year variation capped at the largest a scenario takes (the cap said in the scenario's comments), not one
// the loader refuses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;
using testing::run_carecast;

using testing::read_text;

class CalibratedScenarioRuns : public testing::TemporaryFolderTest {
 protected:
  // Synthetic returns of the shipped default.
  fs::path synthesise(int years, int seed) const {
    const fs::path returns = dir_ / "returns";
    const testing::CommandOutcome synth = run_carecast("synth --years " + std::to_string(years) + " --seed " +
                                                       std::to_string(seed) + " --out " + returns.string());
    EXPECT_EQ(synth.exit_code, 0) << synth.output;
    return returns;
  }

  // Calibrates `returns` as of `as_of` into calibrated.toml, and gives its path.
  fs::path calibrate(const fs::path& returns, const std::string& as_of, const std::string& options = "") const {
    const fs::path scenario = dir_ / "calibrated.toml";
    const testing::CommandOutcome outcome =
        run_carecast("calibrate " + returns.string() + " --as-of " + as_of + " " + options +
                     " --cross-validation off --drift off --quiet --out " + scenario.string());
    EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
    return scenario;
  }

  // A short run of the scenario as written.
  void expect_it_runs(const fs::path& scenario) const {
    EXPECT_NO_THROW(load_scenario(scenario));
    const fs::path out = dir_ / "run";
    const testing::CommandOutcome ran =
        run_carecast("run " + scenario.string() + " --runs 5 --seed 1 --quiet --out " + out.string());
    EXPECT_EQ(ran.exit_code, 0) << ran.output;
    EXPECT_TRUE(fs::exists(out / "forecast.csv"));
  }
};

TEST_F(CalibratedScenarioRuns, ReturnsWithNoInHouseChildrensHomeGiveASupplyWithoutOne) {
  const fs::path scenario = calibrate(synthesise(5, 1), "2029-03-31");
  const std::string text = read_text(scenario);
  // What this test is about: the returns show no child in the council's own homes, so the scenario has no rates
  // for them, and the in-house carer capacity gives the scenario a [supply].
  ASSERT_EQ(text.find("[placements.childrens_home_in_house]"), std::string::npos);
  ASSERT_NE(text.find("\n[supply]\n"), std::string::npos);
  EXPECT_NE(text.find("in_house_homes_unlimited = false"), std::string::npos);
  EXPECT_NE(text.find("The council has no children's home of its own"), std::string::npos);
  expect_it_runs(scenario);
}

// The first four collection years keep one episode row in 100 (as if most of an early return were lost): the
// yearly endings swing so far that the moves' variation is estimated above 1, the largest a scenario takes.
TEST_F(CalibratedScenarioRuns, SparseEarlyYearsGiveAVariationCappedAtTheScenarioLimit) {
  const fs::path returns = synthesise(8, 2);
  for (const char* year : {"2025", "2026", "2027", "2028"}) {
    const fs::path episodes = returns / (std::string(year) + "-episodes.csv");
    std::istringstream rows(read_text(episodes));
    std::string kept, row;
    for (int line = 0; std::getline(rows, row); ++line) {
      if (line == 0 || line % 100 == 0) kept += row + "\n";
    }
    std::ofstream(episodes, std::ios::binary) << kept;
  }
  // No [supply]: this test is about [variation] alone.
  const fs::path scenario = calibrate(returns, "2032-03-31", "--in-house-capacity off");
  expect_it_runs(scenario);
  EXPECT_NE(read_text(scenario).find("CAPPED at 1, the largest a scenario takes"), std::string::npos)
      << "the returns no longer give a variation above the cap: thin them more";
  EXPECT_EQ(load_scenario(scenario).variation.moves_sd_log_per_year, 1);
}

}  // namespace
}  // namespace carecast
