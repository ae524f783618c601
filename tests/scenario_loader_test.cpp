#include "scenario/scenario_loader.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

const fs::path kScenarios = fs::path(CARECAST_TEST_DATA_DIR) / "scenarios";
const fs::path kCommon = kScenarios / "common.toml";
const fs::path kWithChildren = kScenarios / "with_children.toml";
const fs::path kWithCounts = kScenarios / "with_counts.toml";

const std::string kCsvHeader =
    "age_days,sex,category,days_in_placement,days_in_care,placements_since_april,uasc\n";
const std::string kValidChildRow = "400,male,foster_in_house,30,200,1,false\n";

// A standalone scenario with no [uasc], no [bands] and no sibling groups.
const std::string kMinimal = R"(name = "Minimal"
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

std::string extends(const fs::path& base) { return "extends = \"" + base.string() + "\"\n"; }

// The 1-based line of `file` that contains `text`, so tests about fixture files survive edits.
int line_containing(const fs::path& file, std::string_view text) {
  std::ifstream in(file);
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    if (line.find(text) != std::string::npos) return number;
  }
  throw std::runtime_error("no line containing " + std::string(text) + " in " + file.string());
}

// Gives each test a fresh directory for the files it writes, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  TempDirTest() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("carecast_" + std::string(test->name()) + "_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  ~TempDirTest() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = dir_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  fs::path dir_;
};

class ScenarioLoader : public TempDirTest {
 protected:
  static InputError error_loading(const fs::path& scenario) {
    try {
      load_scenario(scenario);
    } catch (const InputError& error) {
      return error;
    }
    throw std::runtime_error("loading " + scenario.string() + " did not fail");
  }

  static void expect_error(const InputError& error, const fs::path& file, int line, std::string_view field,
                           std::string_view problem_part) {
    EXPECT_EQ(error.where().file, file.string()) << error.what();
    EXPECT_EQ(error.where().line, line) << error.what();
    EXPECT_EQ(error.where().field, field) << error.what();
    EXPECT_NE(error.problem().find(problem_part), std::string::npos) << error.what();
  }

  // Loads a scenario whose starting population is `csv_text`, expecting an error at `line` of
  // the CSV in column number `column`, named `field`; the message must not repeat `bad_value`.
  void expect_csv_error(const std::string& csv_text, int line, int column, std::string_view field,
                        std::string_view problem_part, std::string_view bad_value) const {
    const fs::path csv = write("children.csv", csv_text);
    const fs::path scenario =
        write("s.toml", extends(kCommon) + "[starting_population]\nchildren_csv = \"children.csv\"\n");
    const InputError error = error_loading(scenario);
    expect_error(error, csv, line, field, problem_part);
    EXPECT_EQ(error.where().column, column) << error.what();
    if (!bad_value.empty()) {
      // The message names the file, whose folder has a random number in its name that can hold a
      // short bad value's digits by chance: look for the value in the rest of the message only.
      std::string message = error.what();
      for (std::size_t at; (at = message.find(csv.string())) != std::string::npos;) message.erase(at, csv.string().size());
      EXPECT_EQ(message.find(bad_value), std::string::npos) << error.what();
    }
  }
};

int band(AgeBand b) { return static_cast<int>(b); }
int category(Category c) { return static_cast<int>(c); }

// ---------------------------------------------------------------------------------------------
// Valid scenarios

TEST_F(ScenarioLoader, LoadsScenarioWithChildrenCsv) {
  const Scenario s = load_scenario(kWithChildren);
  EXPECT_EQ(s.name, "Test authority");
  EXPECT_EQ(s.description, "Small scenario for the loader tests");
  EXPECT_EQ(s.file, kWithChildren);
  EXPECT_EQ(s.source_files, (std::vector<fs::path>{kWithChildren, kCommon, kScenarios / "children.csv"}));
  EXPECT_EQ(s.origin, make_date(2025, 3, 31));
  EXPECT_EQ(s.horizon_years, 3);
  EXPECT_EQ(s.duration_band_start_days, (std::vector<std::int32_t>{0, 91, 365}));

  EXPECT_FALSE(s.starting_counts);
  ASSERT_EQ(s.starting_children.size(), 3u);
  const StartingChild& second = s.starting_children[1];
  EXPECT_EQ(second.age_days, 5000);
  EXPECT_EQ(second.sex, Sex::female);
  EXPECT_EQ(second.category, Category::foster_agency);
  EXPECT_EQ(second.days_in_placement, 100);
  EXPECT_EQ(second.days_in_care, 1500);
  EXPECT_EQ(second.placements_since_april, 2);
  EXPECT_FALSE(second.uasc);
  EXPECT_TRUE(s.starting_children[2].uasc);

  EXPECT_EQ(s.entries.expected_per_year[band(AgeBand::from_1_to_4)], (PerSex<double>{10, 8}));
  EXPECT_EQ(s.entries.expected_per_year[band(AgeBand::under_1)], (PerSex<double>{0, 0}));
  EXPECT_DOUBLE_EQ(s.entries.annual_growth_rate, 0.02);
  EXPECT_EQ(s.sibling_group_size_probability, (std::vector<double>{0.7, 0.2, 0.1}));
  // `all` applies to bands not listed; a listed band's own table replaces it whole.
  const auto& first = s.entries.first_placement_probability;
  EXPECT_DOUBLE_EQ(first[band(AgeBand::under_1)][category(Category::foster_in_house)], 0.6);
  EXPECT_DOUBLE_EQ(first[band(AgeBand::under_1)][category(Category::foster_agency)], 0.4);
  EXPECT_DOUBLE_EQ(first[band(AgeBand::from_10_to_15)][category(Category::foster_in_house)], 0);
  EXPECT_DOUBLE_EQ(first[band(AgeBand::from_10_to_15)][category(Category::childrens_home_external)], 0.5);

  EXPECT_DOUBLE_EQ(s.uasc.total_per_year(), 22);
  EXPECT_DOUBLE_EQ(s.uasc.first_placement_probability[band(AgeBand::from_16_to_17)]
                                                     [category(Category::supported_accommodation)],
                   1);

  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_in_house, AgeBand::from_16_to_17, 0), 2);  // an integer
  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_in_house, AgeBand::from_5_to_9, 2), 0.25);
  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_agency, AgeBand::under_1, 1), 0.4);
  EXPECT_DOUBLE_EQ(s.destination_probability[category(Category::foster_in_house)][band(AgeBand::under_1)]
                                            [outcome_of(ExitReason::returned_home)],
                   0.7);
  // A category no child can reach needs no table: it gets no hazard and no destinations.
  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_kinship, AgeBand::under_1, 0), 0);
  for (double p : s.destination_probability[category(Category::foster_kinship)][band(AgeBand::under_1)]) {
    EXPECT_EQ(p, 0);
  }
  EXPECT_DOUBLE_EQ(s.staying_put_probability, 0.25);
}

TEST_F(ScenarioLoader, ExtendsOverridesKeyByKey) {
  const fs::path file = kScenarios / "derived" / "override.toml";
  const Scenario s = load_scenario(file);
  EXPECT_EQ(s.source_files,
            (std::vector<fs::path>{file, kWithChildren, kCommon, kScenarios / "children.csv"}));
  EXPECT_EQ(s.name, "Override");
  EXPECT_EQ(s.description, "Small scenario for the loader tests");  // inherited
  EXPECT_EQ(s.horizon_years, 5);
  EXPECT_EQ(s.starting_children.size(), 3u);  // the base's CSV, relative to the base

  // [entries] merges key by key, but the inline expected_per_year replaces the base's whole.
  EXPECT_DOUBLE_EQ(s.entries.annual_growth_rate, 0.02);
  EXPECT_EQ(s.entries.expected_per_year[band(AgeBand::under_1)], (PerSex<double>{1, 1}));
  EXPECT_EQ(s.entries.expected_per_year[band(AgeBand::from_1_to_4)], (PerSex<double>{0, 0}));

  // A probability table is replaced whole; its siblings in the band table are kept.
  const auto& first = s.entries.first_placement_probability;
  EXPECT_DOUBLE_EQ(first[band(AgeBand::under_1)][category(Category::foster_in_house)], 1);
  EXPECT_DOUBLE_EQ(first[band(AgeBand::under_1)][category(Category::foster_agency)], 0);
  EXPECT_DOUBLE_EQ(first[band(AgeBand::from_10_to_15)][category(Category::foster_agency)], 0.5);

  // The override's own band, then the base's own band, then the base's `all`.
  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_in_house, AgeBand::under_1, 0), 3);
  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_in_house, AgeBand::from_16_to_17, 0), 2);
  EXPECT_DOUBLE_EQ(s.ending_hazard(Category::foster_in_house, AgeBand::from_5_to_9, 0), 1);
}

TEST_F(ScenarioLoader, LoadsCounts) {
  const Scenario s = load_scenario(kWithCounts);
  EXPECT_TRUE(s.starting_children.empty());
  ASSERT_TRUE(s.starting_counts);
  const StartingCounts& counts = *s.starting_counts;
  const auto& foster = counts.count[category(Category::foster_in_house)];
  EXPECT_EQ(foster[band(AgeBand::under_1)], (PerSex<int>{3, 2}));
  EXPECT_EQ(foster[band(AgeBand::from_5_to_9)], (PerSex<int>{7, 0}));
  EXPECT_EQ(foster[band(AgeBand::from_1_to_4)], (PerSex<int>{0, 0}));
  EXPECT_EQ(counts.count[category(Category::childrens_home_external)][band(AgeBand::from_16_to_17)],
            (PerSex<int>{4, 1}));
  EXPECT_DOUBLE_EQ(counts.mean_days_in_placement[category(Category::foster_in_house)], 150.5);
  EXPECT_DOUBLE_EQ(counts.mean_days_in_placement[category(Category::childrens_home_external)], 90);
  EXPECT_DOUBLE_EQ(counts.mean_days_in_care_before_placement, 200);
  EXPECT_EQ(s.source_files, (std::vector<fs::path>{kWithCounts, kCommon}));
}

TEST_F(ScenarioLoader, OmittedSectionsTakeTheirDefaults) {
  const Scenario s = load_scenario(write("minimal.toml", kMinimal));
  EXPECT_EQ(s.description, "");
  EXPECT_EQ(s.duration_band_start_days, (std::vector<std::int32_t>{0, 28, 91, 182, 365, 730}));
  EXPECT_EQ(s.sibling_group_size_probability, (std::vector<double>{1.0}));
  EXPECT_DOUBLE_EQ(s.entries.total_per_year(), 0);
  EXPECT_DOUBLE_EQ(s.uasc.total_per_year(), 0);
  EXPECT_DOUBLE_EQ(s.uasc.annual_growth_rate, 0);
  for (const auto& by_category : s.uasc.first_placement_probability) {
    for (double p : by_category) EXPECT_EQ(p, 0);
  }
}

TEST_F(ScenarioLoader, ZeroProbabilitiesAndBandsWithoutEntriesReachNothing) {
  // `other` has no placements table: neither a zero probability nor a band with no UASC entries
  // makes it reachable.
  const fs::path file = write("s.toml", extends(kWithChildren) + R"([uasc.first_placement_probability.all]
supported_accommodation = 1
other = 0

[uasc.first_placement_probability.under_1]
other = 1
)");
  const Scenario s = load_scenario(file);
  EXPECT_DOUBLE_EQ(s.uasc.first_placement_probability[band(AgeBand::under_1)][category(Category::other)], 1);
}

TEST_F(ScenarioLoader, AShadowedValueIsNotValidated) {
  const fs::path base =
      write("base.toml", extends(kWithChildren) + "[leaving_care]\nstaying_put_probability = 2\n");
  const fs::path file =
      write("derived.toml", "extends = \"base.toml\"\n[leaving_care]\nstaying_put_probability = 0.5\n");
  EXPECT_DOUBLE_EQ(load_scenario(file).staying_put_probability, 0.5);
  expect_error(error_loading(base), base, 3, "leaving_care.staying_put_probability",
               "(a probability); got 2");
}

TEST_F(ScenarioLoader, DefaultScenarioPathFollowsTheEnvironment) {
  ASSERT_EQ(setenv("CARECAST_SCENARIO_DIR", "/somewhere/scenarios", 1), 0);
  EXPECT_EQ(default_scenario_path(), fs::path("/somewhere/scenarios/default.toml"));
  ASSERT_EQ(unsetenv("CARECAST_SCENARIO_DIR"), 0);
  EXPECT_EQ(default_scenario_path(), fs::path(CARECAST_SCENARIO_DIR) / "default.toml");
}

// ---------------------------------------------------------------------------------------------
// Files and the extends chain

TEST_F(ScenarioLoader, RefusesInvalidToml) {
  const fs::path file = write("s.toml", "name = \"x\"\nhorizon_years = = 3\n");
  const InputError error = error_loading(file);
  expect_error(error, file, 2, "", "invalid TOML");
  EXPECT_GT(error.where().column, 0);
}

TEST_F(ScenarioLoader, RefusesAMissingScenarioFile) {
  const fs::path file = dir_ / "absent.toml";
  expect_error(error_loading(file), file, 0, "", "scenario file not found");
}

TEST_F(ScenarioLoader, RefusesAMissingExtendedFile) {
  const fs::path file = write("s.toml", "name = \"x\"\nextends = \"missing_base.toml\"\n");
  const InputError error = error_loading(file);
  expect_error(error, file, 2, "extends", "missing_base.toml");
  EXPECT_EQ(error.where().column, 11);
}

TEST_F(ScenarioLoader, RefusesAnExtendsCycle) {
  const fs::path a = write("a.toml", "extends = \"b.toml\"\n");
  const fs::path b = write("b.toml", "name = \"b\"\nextends = \"./a.toml\"\n");
  expect_error(error_loading(a), b, 2, "extends", "cycle");
  const fs::path self = write("self.toml", "extends = \"self.toml\"\n");
  expect_error(error_loading(self), self, 1, "extends", "cycle");
}

TEST_F(ScenarioLoader, RefusesExtendsThatIsNotAString) {
  const fs::path file = write("s.toml", "extends = 3\n");
  expect_error(error_loading(file), file, 1, "extends", "expected a string, found an integer");
}

// ---------------------------------------------------------------------------------------------
// Keys

TEST_F(ScenarioLoader, RefusesUnknownKeys) {
  const fs::path top = write("top.toml", extends(kWithChildren) + "horizon_yeras = 3\n");
  const InputError top_error = error_loading(top);
  expect_error(top_error, top, 2, "horizon_yeras",
               "unknown key; expected one of: name, description, extends");
  EXPECT_EQ(top_error.where().column, 1);

  const fs::path nested = write("nested.toml", extends(kWithChildren) + "[entries]\nannual_growth = 0.1\n");
  expect_error(error_loading(nested), nested, 3, "entries.annual_growth", "unknown key");
}

TEST_F(ScenarioLoader, RefusesUnknownKeysInAnOverriddenLayer) {
  const fs::path base =
      write("base.toml", extends(kWithChildren) + R"([entries.first_placement_probability.all]
foster_in_house = 0.5
foster_in_hous = 0.5
)");
  const fs::path derived = write("derived.toml", R"(extends = "base.toml"
[entries.first_placement_probability.all]
foster_in_house = 1
)");
  expect_error(error_loading(derived), base, 4, "entries.first_placement_probability.all.foster_in_hous",
               "unknown category");
}

TEST_F(ScenarioLoader, RefusesUnknownNamesListingTheValidOnes) {
  const fs::path category_file =
      write("c.toml",
            extends(kWithChildren) + "[placements.foster_agnecy]\nending_hazard_per_year.all = [1, 1, 1]\n");
  const InputError category_error = error_loading(category_file);
  expect_error(category_error, category_file, 2, "placements.foster_agnecy",
               "unknown category; expected one of: foster_in_house, foster_agency, foster_kinship");
  EXPECT_EQ(category_error.where().column, 13);

  const fs::path band_file = write(
      "b.toml", extends(kWithChildren) + "[uasc]\nexpected_per_year.under_16 = { male = 1, female = 1 }\n");
  const InputError band_error = error_loading(band_file);
  expect_error(band_error, band_file, 3, "uasc.expected_per_year.under_16",
               "unknown age band; expected one of: under_1, 1_to_4, 5_to_9, 10_to_15, 16_to_17");
  EXPECT_EQ(band_error.problem().find("all"), std::string::npos) << "expected_per_year has no `all`";

  const std::string line = "destination_probability.all = { foster_agency = 0.3, exit_home = 0.7 }";
  const fs::path outcome_file =
      write("o.toml", extends(kWithChildren) + "[placements.foster_agency]\n" + line + "\n");
  const InputError outcome_error = error_loading(outcome_file);
  expect_error(outcome_error, outcome_file, 3,
               "placements.foster_agency.destination_probability.all.exit_home",
               "unknown outcome; expected one of: foster_in_house");
  EXPECT_NE(outcome_error.problem().find("exit_returned_home"), std::string::npos);
  EXPECT_EQ(outcome_error.where().column, static_cast<int>(line.find("exit_home")) + 1);

  const fs::path all_file =
      write("a.toml", extends(kWithChildren) + "[entries.first_placement_probability.al]\nother = 1\n");
  expect_error(error_loading(all_file), all_file, 2, "entries.first_placement_probability.al",
               "expected one of: under_1, 1_to_4, 5_to_9, 10_to_15, 16_to_17, all");
}

TEST_F(ScenarioLoader, RefusesMissingRequiredKeys) {
  std::string without_origin = kMinimal;
  without_origin.erase(without_origin.find("origin_date"), std::string("origin_date = 2024-09-30\n").size());
  const fs::path origin_file = write("o.toml", without_origin);
  expect_error(error_loading(origin_file), origin_file, 0, "origin_date", "required key is missing");

  std::string without_leaving_care = kMinimal;
  without_leaving_care.erase(without_leaving_care.find("[leaving_care]"));
  const fs::path leaving_file = write("l.toml", without_leaving_care);
  expect_error(error_loading(leaving_file), leaving_file, 0, "leaving_care", "required table is missing");

  const fs::path sex_file =
      write("s.toml", extends(kWithChildren) + "[entries]\nexpected_per_year.under_1 = { male = 1 }\n");
  expect_error(error_loading(sex_file), sex_file, 3, "entries.expected_per_year.under_1.female",
               "required key is missing");
}

// ---------------------------------------------------------------------------------------------
// Values

TEST_F(ScenarioLoader, RefusesWrongTypes) {
  struct Case {
    std::string line;
    std::string field;
    std::string problem;
  };
  const Case cases[] = {
      {"horizon_years = \"5\"", "horizon_years", "expected an integer from 1 to 10, found a string"},
      {"horizon_years = 2.5", "horizon_years", "expected an integer from 1 to 10, found a float"},
      {"name = 5", "name", "expected a string, found an integer"},
      {"origin_date = \"2025-03-31\"", "origin_date", "expected a date such as 2025-03-31, found a string"},
      {"bands = 3", "bands", "expected a table, found an integer"},
      {"leaving_care.staying_put_probability = \"high\"", "leaving_care.staying_put_probability",
       "expected a probability (number between 0 and 1), found a string"},
      {"entries.annual_growth_rate = nan", "entries.annual_growth_rate", "got nan"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    const fs::path file = write("s.toml", extends(kWithChildren) + c.line + "\n");
    expect_error(error_loading(file), file, 2, c.field, c.problem);
  }
}

TEST_F(ScenarioLoader, RefusesValuesOutOfRange) {
  struct Case {
    std::string lines;
    int line;
    std::string field;
    std::string problem;
  };
  const Case cases[] = {
      {"horizon_years = 11", 2, "horizon_years", "expected an integer from 1 to 10, found 11"},
      {"horizon_years = 0", 2, "horizon_years", "expected an integer from 1 to 10, found 0"},
      {"[leaving_care]\nstaying_put_probability = 1.5", 3, "leaving_care.staying_put_probability",
       "must be 0 or more and at most 1 (a probability); got 1.5"},
      {"[placements.foster_agency]\nending_hazard_per_year.all = [0.8, -0.4, 0.2]", 3,
       "placements.foster_agency.ending_hazard_per_year.all[1]",
       "must be 0 or more and at most 365 (a hazard a year); got -0.4"},
      {"[entries]\nexpected_per_year.1_to_4 = { male = -2, female = 8 }", 3,
       "entries.expected_per_year.1_to_4.male", "0 or more"},
      {"[entries]\nannual_growth_rate = -1", 3, "entries.annual_growth_rate", "must be between -0.9 and 1"},
      {"[bands]\nplacement_duration_band_starts_days = [7, 91, 365]", 3,
       "bands.placement_duration_band_starts_days[0]", "the first band must start at 0 days"},
      {"[bands]\nplacement_duration_band_starts_days = [0, 91, 91]", 3,
       "bands.placement_duration_band_starts_days[2]", "strictly increasing"},
      {"[placements.foster_agency]\nending_hazard_per_year.5_to_9 = [1, 2]", 3,
       "placements.foster_agency.ending_hazard_per_year.5_to_9",
       "has 2 hazards but there are 3 time-in-placement bands"},
      {"[entries]\nsibling_group_size_probability = [0.5, 0.25]", 3, "entries.sibling_group_size_probability",
       "probabilities sum to 0.75"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.lines);
    const fs::path file = write("s.toml", extends(kWithChildren) + c.lines + "\n");
    expect_error(error_loading(file), file, c.line, c.field, c.problem);
  }
}

TEST_F(ScenarioLoader, RefusesNegativeCountsAndMeans) {
  const fs::path count_file =
      write("c.toml", extends(kWithCounts) +
                          "[starting_population.counts.foster_agency]\n1_to_4 = { male = -1, female = 2 }\n");
  expect_error(error_loading(count_file), count_file, 3,
               "starting_population.counts.foster_agency.1_to_4.male",
               "must be 0 or more and at most 10000 (children in one category, age band and sex); got -1");

  const fs::path mean_file = write(
      "m.toml", extends(kWithCounts) + "[starting_population]\nmean_days_in_care_before_placement = -5\n");
  expect_error(error_loading(mean_file), mean_file, 3,
               "starting_population.mean_days_in_care_before_placement", "0 or more");
}

TEST_F(ScenarioLoader, RefusesProbabilityTablesThatDoNotSumToOne) {
  const fs::path file =
      write("s.toml", extends(kWithChildren) + R"([placements.foster_agency.destination_probability.all]
foster_agency = 0.3
exit_returned_home = 0.5
)");
  expect_error(error_loading(file), file, 2, "placements.foster_agency.destination_probability.all",
               "probabilities sum to 0.8; they must sum to 1 (within 1e-9)");
}

TEST_F(ScenarioLoader, ErrorsPointAtTheNodeUsedInItsOwnFile) {
  // Shorter duration bands make the base's hazard arrays the wrong length: the error is in the
  // base file, at the array the override left in force.
  const fs::path file =
      write("s.toml", extends(kWithChildren) + "[bands]\nplacement_duration_band_starts_days = [0, 28]\n");
  const InputError error = error_loading(file);
  expect_error(error, kCommon, line_containing(kCommon, "ending_hazard_per_year.all = [1.5, 1.0, 0.6]"),
               "placements.childrens_home_external.ending_hazard_per_year.all",
               "has 3 hazards but there are 2");
  EXPECT_EQ(error.where().column, static_cast<int>(std::string("ending_hazard_per_year.all = ").size()) + 1);

  // A bad value in a base is reported in the base when a derived file does not replace it.
  const fs::path base =
      write("base.toml", extends(kWithChildren) + "[leaving_care]\nstaying_put_probability = 2\n");
  const fs::path derived = write("derived.toml", "extends = \"base.toml\"\nname = \"derived\"\n");
  expect_error(error_loading(derived), base, 3, "leaving_care.staying_put_probability",
               "(a probability); got 2");
}

// ---------------------------------------------------------------------------------------------
// Age bands and reachability

TEST_F(ScenarioLoader, RefusesTablesThatMissAnAgeBand) {
  const fs::path file = write("s.toml", extends(kWithChildren) + R"([placements.foster_kinship]
ending_hazard_per_year.under_1 = [1, 1, 1]
ending_hazard_per_year.1_to_4 = [1, 1, 1]
destination_probability.all = { exit_returned_home = 1 }
)");
  expect_error(error_loading(file), file, 3, "placements.foster_kinship.ending_hazard_per_year",
               "no entry for age band '5_to_9' and no 'all'");

  write("minimal.toml", kMinimal);
  const fs::path entries =
      write("e.toml",
            "extends = \"minimal.toml\"\n[entries]\nexpected_per_year.1_to_4 = { male = 1, female = 0 }\n");
  expect_error(error_loading(entries), entries, 2, "entries.first_placement_probability",
               "no entry for age band '1_to_4' and no 'all', needed because entries.expected_per_year.1_to_4 "
               "has children entering");
}

TEST_F(ScenarioLoader, RefusesReachableCategoriesWithoutPlacements) {
  const fs::path destination =
      write("d.toml", extends(kWithChildren) + R"([placements.supported_accommodation]
destination_probability.all = { exit_independent_living = 0.9, foster_kinship = 0.1 }
)");
  const InputError destination_error = error_loading(destination);
  expect_error(destination_error, destination, 3,
               "placements.supported_accommodation.destination_probability.all.foster_kinship",
               "a child can be in category 'foster_kinship' because of this, but there is no "
               "[placements.foster_kinship] table");

  const fs::path first = write("f.toml", extends(kWithChildren) + R"([uasc.first_placement_probability.all]
supported_accommodation = 0.5
other = 0.5
)");
  expect_error(error_loading(first), first, 4, "uasc.first_placement_probability.all.other",
               "no [placements.other] table");

  const fs::path counts = write("c.toml", extends(kWithCounts) + R"([starting_population]
mean_days_in_placement.placed_for_adoption = 20

[starting_population.counts.placed_for_adoption]
under_1 = { male = 0, female = 1 }
)");
  expect_error(error_loading(counts), counts, 6, "starting_population.counts.placed_for_adoption.under_1",
               "no [placements.placed_for_adoption] table");

  expect_csv_error(kCsvHeader + kValidChildRow + "400,male,foster_kinship,30,200,1,false\n", 3, 3, "category",
                   "no [placements.foster_kinship] table", "");
}

// ---------------------------------------------------------------------------------------------
// Starting population

TEST_F(ScenarioLoader, RefusesBothOrNeitherStartingPopulation) {
  const fs::path both =
      write("b.toml", extends(kWithCounts) + "[starting_population]\nchildren_csv = \"children.csv\"\n");
  expect_error(error_loading(both), both, 3, "starting_population.children_csv",
               "one of children_csv, groups_csv or counts, not several");

  const fs::path absent = write("a.toml", extends(kCommon));
  expect_error(error_loading(absent), absent, 0, "starting_population", "required table is missing");

  const fs::path neither =
      write("n.toml", extends(kCommon) + "[starting_population]\nmean_days_in_care_before_placement = 5\n");
  expect_error(error_loading(neither), neither, 2, "starting_population",
               "give one of children_csv, groups_csv or counts");
}

TEST_F(ScenarioLoader, RefusesAMissingChildrenCsv) {
  const fs::path file =
      write("s.toml", extends(kCommon) + "[starting_population]\nchildren_csv = \"nope.csv\"\n");
  const InputError error = error_loading(file);
  expect_error(error, file, 3, "starting_population.children_csv", (dir_ / "nope.csv").string());
  EXPECT_EQ(error.where().column, 16);
}

TEST_F(ScenarioLoader, ReadsUascCountsAndRefusesMoreUascThanChildren) {
  const fs::path good = write("u.toml", extends(kWithCounts) +
                                            "[starting_population.uasc_counts.childrens_home_external]\n"
                                            "16_to_17 = { male = 3, female = 1 }\n");
  const Scenario s = load_scenario(good);
  EXPECT_EQ(s.starting_counts->uasc_count[static_cast<int>(Category::childrens_home_external)]
                                         [static_cast<int>(AgeBand::from_16_to_17)],
            (PerSex<int>{3, 1}));
  const fs::path bad = write("b.toml", extends(kWithCounts) +
                                           "[starting_population.uasc_counts.childrens_home_external]\n"
                                           "16_to_17 = { male = 5, female = 0 }\n");
  expect_error(error_loading(bad), bad, 3, "starting_population.uasc_counts.childrens_home_external.16_to_17",
               "more UASC than children");
}

TEST_F(ScenarioLoader, RefusesCountsWithoutAMeanTimeInPlacement) {
  const fs::path file =
      write("s.toml", extends(kWithCounts) +
                          "[starting_population.counts.foster_agency]\n1_to_4 = { male = 1, female = 1 }\n");
  // Reported at the table of means, which this file does not have: its base does.
  const InputError error = error_loading(file);
  expect_error(error, kWithCounts, line_containing(kWithCounts, "mean_days_in_placement.foster_in_house"),
               "starting_population.mean_days_in_placement.foster_agency",
               "required because starting_population.counts.foster_agency has children");
}

TEST_F(ScenarioLoader, RefusesBadChildrenCsvValuesWithoutRepeatingThem) {
  const std::string ok = kCsvHeader + kValidChildRow;
  expect_csv_error(ok + "4x0,male,foster_in_house,30,200,1,false\n", 3, 1, "age_days", "expected an integer",
                   "4x0");
  expect_csv_error(ok + "400,unknown_sex,foster_in_house,30,200,1,false\n", 3, 2, "sex",
                   "expected male, female, 1 or 2", "unknown_sex");
  expect_csv_error(ok + "400,male,fostered,30,200,1,false\n", 3, 3, "category",
                   "expected a category id: foster_in_house", "fostered");
  expect_csv_error(ok + "400,male,foster_in_house,-31,200,1,false\n", 3, 4, "days_in_placement",
                   "expected a number of days, 0 or more", "-31");
  expect_csv_error(ok + "400,male,foster_in_house,300,200,1,false\n", 3, 5, "days_in_care",
                   "must be at least days_in_placement", "300");
  expect_csv_error(ok + "400,male,foster_in_house,30,401,1,false\n", 3, 5, "days_in_care",
                   "must be at most age_days", "401");
  expect_csv_error(ok + "400,male,foster_in_house,30,200,0,false\n", 3, 6, "placements_since_april",
                   "a number of placements, 1 or more", "");
  expect_csv_error(ok + "400,male,foster_in_house,30,200,1,maybe\n", 3, 7, "uasc",
                   "expected true, false, 1 or 0", "maybe");
  // Born 2007-03-31: 18 on the origin date, 2025-03-31, so no longer looked after.
  expect_csv_error(ok + "6575,male,foster_in_house,30,200,1,false\n", 3, 1, "age_days", "18 or older",
                   "6575");
}

TEST_F(ScenarioLoader, AcceptsAChildOneDayShortOfEighteen) {
  write("children.csv", kCsvHeader + "6574,1,foster_in_house,0,6574,1,1\n");
  const Scenario s = load_scenario(
      write("s.toml", extends(kCommon) + "[starting_population]\nchildren_csv = \"children.csv\"\n"));
  ASSERT_EQ(s.starting_children.size(), 1u);
  EXPECT_EQ(s.starting_children[0].sex, Sex::male);
  EXPECT_TRUE(s.starting_children[0].uasc);
}

TEST_F(ScenarioLoader, RefusesMissingAndUnknownCsvColumns) {
  expect_csv_error("age_days,sex,category,days_in_placement,days_in_care,placements_since_april\n", 1, 0,
                   "uasc", "the header has no column of this name", "");
  expect_csv_error(
      "age_days,sex,category,days_in_placement,days_in_care,placements_since_april,uasc,child_id\n", 1, 8,
      "child_id", "unknown column", "");
}

// ---------------------------------------------------------------------------------------------
// CSV reader

class CsvReader : public TempDirTest {};

TEST_F(CsvReader, HandlesByteOrderMarkCrlfQuotesAndBlankLines) {
  const fs::path file = write("t.csv",
                              "\xEF\xBB\xBF"
                              "name,note,count\r\n"
                              "alice,\"hello, world\",1\r\n"
                              "\r\n"
                              "bob,\"line one\r\nline two\",2\r\n"
                              "\"carol \"\"c\"\"\",,3\r\n"
                              "\r\n"
                              "\r\n");
  const CsvTable csv = CsvTable::read(file);
  EXPECT_EQ(csv.columns(), (std::vector<std::string>{"name", "note", "count"}));
  ASSERT_EQ(csv.row_count(), 3u);
  EXPECT_EQ(csv.field(0, 1), "hello, world");
  EXPECT_EQ(csv.line(0), 2);
  EXPECT_EQ(csv.field(1, 1), "line one\r\nline two");
  EXPECT_EQ(csv.line(1), 4);
  EXPECT_EQ(csv.field(2, 0), "carol \"c\"");
  EXPECT_EQ(csv.field(2, 1), "");
  EXPECT_EQ(csv.integer(2, 2), 3);
  EXPECT_EQ(csv.line(2), 6);  // after the record spanning lines 4 and 5
  EXPECT_EQ(csv.require_column("count"), 2u);
  EXPECT_FALSE(csv.find_column("Count"));
}

TEST_F(CsvReader, ReadsALastLineWithoutLineEnd) {
  const CsvTable csv = CsvTable::read(write("t.csv", "a,b\n1,2\n3,4"));
  ASSERT_EQ(csv.row_count(), 2u);
  EXPECT_EQ(csv.field(1, 1), "4");
  EXPECT_EQ(csv.line(1), 3);
}

TEST_F(CsvReader, ReportsWhereAndWhatButNotTheValue) {
  const fs::path file = write("t.csv", "id,age\nX123,12\nY456,1.5\n");
  const CsvTable csv = CsvTable::read(file);
  try {
    csv.integer(1, 1);
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().file, file.string());
    EXPECT_EQ(error.where().line, 3);
    EXPECT_EQ(error.where().column, 2);
    EXPECT_EQ(error.where().field, "age");
    EXPECT_EQ(error.problem(), "expected an integer");
    EXPECT_EQ(std::string(error.what()).find("1.5"), std::string::npos);
  }
  try {
    csv.require_column("sex");
    FAIL() << "expected an InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.what(), file.string() + ":1: 'sex': the header has no column of this name");
  }
}

TEST_F(CsvReader, RefusesMalformedFiles) {
  struct Case {
    std::string text;
    int line;
    std::string problem;
  };
  const Case cases[] = {
      {"a,b\n1,2\n3\n", 3, "this record has 1 fields but the header has 2"},
      {"a,b\n1,\"open\n2,3\n", 2, "a quoted field is never closed"},
      {"a,b\n1,2\n1,x\"y\n", 3, "malformed quoting"},
      {"a,b\n1,\"x\"y\n", 2, "malformed quoting"},
      {"", 0, "the file is empty"},
      {"\n\n", 0, "the file is empty"},
      {"a,b,a\n", 1, "this column name appears twice"},
      {"a,,b\n", 1, "empty column name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const fs::path file = write("t.csv", c.text);
    try {
      CsvTable::read(file);
      ADD_FAILURE() << "expected an InputError";
    } catch (const InputError& error) {
      EXPECT_EQ(error.where().file, file.string());
      EXPECT_EQ(error.where().line, c.line) << error.what();
      EXPECT_NE(error.problem().find(c.problem), std::string::npos) << error.what();
    }
  }
  const fs::path absent = dir_ / "absent.csv";
  EXPECT_THROW(CsvTable::read(absent), InputError);
}

}  // namespace
}  // namespace carecast
