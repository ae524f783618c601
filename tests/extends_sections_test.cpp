// `remove` in a scenario that extends another: dropping or replacing whole sections of the base,
// which key-by-key merging cannot do (scenarios/REFERENCE.md, "Top level").
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <string>

#include "core/errors.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

const fs::path kFixtures = fs::path(CARECAST_TEST_DATA_DIR) / "scenarios";
const fs::path kWithCounts = kFixtures / "with_counts.toml";
const fs::path kStepDown = fs::path(CARECAST_SCENARIO_DIR) / "option_step_down.toml";

std::string extends(const fs::path& base) { return "extends = \"" + base.string() + "\"\n"; }

int children_in(const Scenario& scenario, Category category) {
  int children = 0;
  for (const auto& by_sex : scenario.starting_counts->count[static_cast<std::size_t>(category)]) {
    children += by_sex[0] + by_sex[1];
  }
  return children;
}

class ExtendsSections : public ::testing::Test {
 protected:
  ExtendsSections() {
    dir_ = fs::temp_directory_path() / ("carecast_extends_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  ~ExtendsSections() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = dir_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  static InputError error_loading(const fs::path& scenario) {
    try {
      load_scenario(scenario);
    } catch (const InputError& error) {
      return error;
    }
    throw std::runtime_error("loading " + scenario.string() + " did not fail");
  }

  static void expect_error(const fs::path& scenario, int line, std::string_view field, std::string_view problem_part) {
    const InputError error = error_loading(scenario);
    EXPECT_EQ(error.where().file, scenario.string()) << error.what();
    EXPECT_EQ(error.where().line, line) << error.what();
    EXPECT_EQ(error.where().field, field) << error.what();
    EXPECT_NE(error.problem().find(problem_part), std::string::npos) << error.what();
  }

  fs::path dir_;
};

// The pitfall: counts the derived file leaves out survive from the base.
const std::string kOnlyFosterCounts = R"(
[starting_population.counts.foster_in_house]
10_to_15 = { male = 2, female = 2 }
)";

TEST_F(ExtendsSections, WithoutRemoveCountsLeftOutSurviveFromTheBase) {
  const Scenario merged = load_scenario(write("merged.toml", extends(kWithCounts) + kOnlyFosterCounts));
  EXPECT_EQ(children_in(merged, Category::childrens_home_external), 5);
  EXPECT_EQ(children_in(merged, Category::foster_in_house), 5 + 7 + 4);
}

TEST_F(ExtendsSections, RemovingATableAndGivingItAgainReplacesItWhole) {
  const Scenario replaced = load_scenario(
      write("replaced.toml", extends(kWithCounts) + "remove = [\"starting_population.counts\"]\n" + kOnlyFosterCounts));
  EXPECT_EQ(children_in(replaced, Category::childrens_home_external), 0);
  EXPECT_EQ(children_in(replaced, Category::foster_in_house), 4);
  // Only the named table goes: the rest of [starting_population] still comes from the base.
  EXPECT_DOUBLE_EQ(replaced.starting_counts->mean_days_in_care_before_placement, 200);
}

TEST_F(ExtendsSections, RemovingASectionDropsIt) {
  ASSERT_TRUE(load_scenario(kStepDown).supply.step_down.has_value());
  const Scenario without = load_scenario(write("s.toml", extends(kStepDown) + "remove = [\"supply.step_down\"]\n"));
  EXPECT_FALSE(without.supply.step_down.has_value());
  EXPECT_TRUE(without.supply.enabled);  // the rest of [supply] is untouched
}

TEST_F(ExtendsSections, RemovingAStartingFormLetsTheDerivedFileGiveAnother) {
  write("children.csv",
        "age_days,sex,category,days_in_placement,days_in_care,placements_since_april,uasc\n"
        "400,male,foster_in_house,30,200,1,false\n");
  const std::string children = "[starting_population]\nchildren_csv = \"children.csv\"\n";
  // Counts and a children CSV together are two forms of one population, refused.
  EXPECT_NE(error_loading(write("both.toml", extends(kWithCounts) + children)).problem().find("not several"),
            std::string::npos);
  const Scenario replaced = load_scenario(write(
      "csv.toml", extends(kWithCounts) + "remove = [\"starting_population\"]\n" + children));
  EXPECT_FALSE(replaced.starting_counts.has_value());
  EXPECT_EQ(replaced.starting_children.size(), 1u);
}

TEST_F(ExtendsSections, RemovesFromEveryFileBeneathSoASectionInTwoFilesGoesFromBoth) {
  // option_step_down's [supply.step_down] and default's [supply] both go with "supply".
  const Scenario without = load_scenario(write("s.toml", extends(kStepDown) + "remove = [\"supply\"]\n"));
  EXPECT_FALSE(without.supply.enabled);
  EXPECT_FALSE(without.supply.step_down.has_value());
}

// A calibrated scenario in miniature: entries at 5-9 with the evidence behind their rate.
const std::string kWithEntryEvidence = R"(name = "With evidence"
origin_date = 2024-09-30
horizon_years = 1

[bands]
placement_duration_band_starts_days = [0, 100]

[starting_population]
mean_days_in_care_before_placement = 0
counts.foster_in_house.5_to_9 = { male = 1, female = 0 }
mean_days_in_placement.foster_in_house = 10

[entries]
expected_per_year.5_to_9 = { male = 2, female = 1 }
first_placement_probability.all = { foster_in_house = 1 }

[placements.foster_in_house]
ending_hazard_per_year.all = [1, 0.5]
destination_probability.all = { foster_in_house = 0.25, exit_returned_home = 0.75 }

[leaving_care]
staying_put_probability = 0

[evidence.entries]
counts.under_1 = { male = 0, female = 0 }
counts.1_to_4 = { male = 0, female = 0 }
counts.5_to_9 = { male = 20, female = 9 }
counts.10_to_15 = { male = 0, female = 0 }
counts.16_to_17 = { male = 0, female = 0 }
exposure_years.under_1 = { male = 10, female = 10 }
exposure_years.1_to_4 = { male = 10, female = 10 }
exposure_years.5_to_9 = { male = 10, female = 10 }
exposure_years.10_to_15 = { male = 10, female = 10 }
exposure_years.16_to_17 = { male = 10, female = 10 }
prior_counts.under_1 = { male = 0, female = 0 }
prior_counts.1_to_4 = { male = 0, female = 0 }
prior_counts.5_to_9 = { male = 0.5, female = 0.5 }
prior_counts.10_to_15 = { male = 0, female = 0 }
prior_counts.16_to_17 = { male = 0, female = 0 }
prior_exposure_years.under_1 = { male = 0, female = 0 }
prior_exposure_years.1_to_4 = { male = 0, female = 0 }
prior_exposure_years.5_to_9 = { male = 0.25, female = 0.25 }
prior_exposure_years.10_to_15 = { male = 0, female = 0 }
prior_exposure_years.16_to_17 = { male = 0, female = 0 }
first_placement_counts.under_1 = {}
first_placement_counts.1_to_4 = {}
first_placement_counts.5_to_9 = { foster_in_house = 29 }
first_placement_counts.10_to_15 = {}
first_placement_counts.16_to_17 = {}
first_placement_prior_counts.under_1 = {}
first_placement_prior_counts.1_to_4 = {}
first_placement_prior_counts.5_to_9 = { foster_in_house = 1 }
first_placement_prior_counts.10_to_15 = {}
first_placement_prior_counts.16_to_17 = {}
)";

TEST_F(ExtendsSections, RemovingEvidenceMakesTheRatesHandWritten) {
  const fs::path base = write("calibrated.toml", kWithEntryEvidence);
  ASSERT_TRUE(load_scenario(base).evidence.has_value());
  const Scenario stated = load_scenario(write("stated.toml", extends(base) + "remove = [\"evidence\"]\n"));
  EXPECT_FALSE(stated.evidence.has_value());
}

TEST_F(ExtendsSections, AFileAboveSeesWhatTheFilesBeneathRemoved) {
  const fs::path middle = write("middle.toml", extends(kStepDown) + "remove = [\"supply.step_down\"]\n");
  const fs::path top = write("top.toml", extends(middle) + "remove = [\"supply.step_down\"]\n");
  expect_error(top, 2, "remove[0]", "removes nothing");
}

TEST_F(ExtendsSections, RefusesRemoveWithoutExtends) {
  const fs::path file = write("s.toml", "name = \"x\"\nremove = [\"supply\"]\n");
  expect_error(file, 2, "remove", "needs extends");
}

TEST_F(ExtendsSections, RefusesAPathTheBaseDoesNotDefine) {
  // `[costs]` is a real section that with_counts.toml's chain does not have.
  expect_error(write("s.toml", extends(kWithCounts) + "remove = [\"entries\", \"costs\"]\n"), 2, "remove[1]",
               "removes nothing");
}

TEST_F(ExtendsSections, RefusesAnUnknownPath) {
  expect_error(write("s.toml", extends(kWithCounts) + "remove = [\"supply.step_dwn\"]\n"), 2, "remove[0]",
               "no key 'supply.step_dwn'");
  expect_error(write("v.toml", extends(kWithCounts) + "remove = [\"name.first\"]\n"), 2, "remove[0]",
               "is a value, not a table");
  expect_error(write("e.toml", extends(kWithCounts) + "remove = [\"starting_population.\"]\n"), 2, "remove[0]",
               "dotted key path");
}

TEST_F(ExtendsSections, RefusesRemovingTheFilesOwnKeys) {
  expect_error(write("s.toml", extends(kWithCounts) + "remove = [\"extends\"]\n"), 2, "remove[0]",
               "cannot be removed");
}

TEST_F(ExtendsSections, RefusesWrongTypes) {
  expect_error(write("s.toml", extends(kWithCounts) + "remove = \"supply\"\n"), 2, "remove",
               "expected an array of dotted key paths");
  expect_error(write("t.toml", extends(kWithCounts) + "remove = [3]\n"), 2, "remove[0]", "expected a string");
}

TEST_F(ExtendsSections, AMisspeltKeyIsRefusedEvenInASectionRemoved) {
  const fs::path base = write("base.toml", extends(kWithCounts) + "[entries]\nannual_growth = 0.1\n");
  const fs::path top = write("top.toml", extends(base) + "remove = [\"entries\"]\n");
  const InputError error = error_loading(top);
  EXPECT_EQ(error.where().file, base.string()) << error.what();
  EXPECT_EQ(error.where().field, "entries.annual_growth") << error.what();
}

}  // namespace
}  // namespace carecast
