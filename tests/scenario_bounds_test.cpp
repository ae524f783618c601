// Every scenario number has a plausible range (engine/scenario/scenario_bounds.cpp) and a value
// outside it is refused with its file, line, key and range; the scenario text is checked before
// toml++ 3.3.0 parses it (engine/scenario/toml_text_guard.cpp).
#include "scenario/scenario_bounds.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <limits>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <toml++/toml.h>

#include "core/errors.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/toml_text_guard.hpp"
#include "simulation/compiled_model.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

static_assert(kMaxSiblingGroupSize == CompiledModel::kMaxGroupSize,
              "the loader must refuse sibling groups the simulation cannot hold");

// The hand-written base of the default, whose keys these cases override (the fitted default states
// every age band's hazards, which an `.all` key would not reach).
const fs::path kDefault = fs::path(CARECAST_SCENARIO_DIR) / "default-base.toml";

// A fresh directory for the files a test writes, removed afterwards.
class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("carecast_bounds_" + std::to_string(std::random_device{}()))) {
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }

 private:
  fs::path path_;
};

InputError error_loading(const fs::path& scenario) {
  try {
    load_scenario(scenario);
  } catch (const InputError& error) {
    return error;
  }
  throw std::runtime_error("loading " + scenario.string() + " did not fail");
}

// ---------------------------------------------------------------------------------------------
// The table of ranges

TEST(ScenarioRanges, KeysMatchByNameAndIndex) {
  ASSERT_NE(find_scenario_range("placements.foster_agency.ending_hazard_per_year.all[2]"), nullptr);
  EXPECT_EQ(find_scenario_range("placements.foster_agency.ending_hazard_per_year.all[2]")->max, 365);
  EXPECT_EQ(find_scenario_range("supply.approval_ranges[12].max_age_years")->max, 17);
  EXPECT_EQ(find_scenario_range("evidence.uasc.counts.16_to_17.male")->key_pattern, "evidence.*.counts.*.*");
  EXPECT_EQ(find_scenario_range("costs.weekly.other.weekly")->max, 100'000);
  // Not numbers, or not keys at all.
  EXPECT_EQ(find_scenario_range("name"), nullptr);
  EXPECT_EQ(find_scenario_range("placements.foster_agency.ending_hazard_per_year.all"), nullptr);
  EXPECT_EQ(find_scenario_range("placements.foster_agency.ending_hazard_per_year.all[2].x"), nullptr);
  EXPECT_EQ(find_scenario_range("entries.expected_per_year.under_1"), nullptr);
}

// What calibrate writes is brought within the range the loader takes: at the bound beyond it, unchanged inside it.
TEST(ScenarioRanges, ClampBringsAValueWithinItsKeysRange) {
  EXPECT_EQ(clamp_to_scenario_range("variation.moves_sd_log_per_year", 1.136), 1);
  EXPECT_EQ(clamp_to_scenario_range("variation.moves_sd_log_per_year", 0.25), 0.25);
  EXPECT_EQ(clamp_to_scenario_range("variation.moves_sd_log_per_year", -0.1), 0);
  EXPECT_EQ(clamp_to_scenario_range("variation.autocorrelation", 0.995), 0.99);
  EXPECT_EQ(clamp_to_scenario_range("entries.annual_growth_rate", 2.5), 1);
  EXPECT_EQ(clamp_to_scenario_range("entries.annual_growth_rate", -0.95), -0.9);
  EXPECT_EQ(clamp_to_scenario_range("placements.foster_agency.ending_hazard_per_year.all[2]", 400), 365);
  EXPECT_THROW(clamp_to_scenario_range("variation.no_such_key", 1), std::logic_error);
}

TEST(ScenarioRanges, RefuseInfinityAndNan) {
  const ScenarioRange& growth = *find_scenario_range("entries.annual_growth_rate");
  EXPECT_TRUE(in_range(growth, -0.9));
  EXPECT_TRUE(in_range(growth, 1));
  EXPECT_FALSE(in_range(growth, 1.0000001));
  EXPECT_FALSE(in_range(growth, std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(in_range(growth, std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(out_of_range_problem(growth, 5), "must be between -0.9 and 1 (a growth rate, a fraction a year); got 5");
  EXPECT_EQ(out_of_range_problem(*find_scenario_range("placements.x.ending_hazard_per_year.all[0]"), 1e308),
            "must be 0 or more and at most 365 (a hazard a year); got 1e+308");
}

// Walks every number in a TOML tree, naming it as the loader does.
void for_each_number(const toml::node& node, const std::string& key,
                     const std::function<void(const std::string&, double)>& visit) {
  if (const auto* table = node.as_table()) {
    for (auto&& [name, child] : *table) {
      for_each_number(child, key.empty() ? std::string(name.str()) : key + "." + std::string(name.str()), visit);
    }
  } else if (const auto* array = node.as_array()) {
    for (std::size_t i = 0; i < array->size(); ++i) for_each_number((*array)[i], key + "[" + std::to_string(i) + "]", visit);
  } else if (const auto* integer = node.as_integer()) {
    visit(key, static_cast<double>(integer->get()));
  } else if (const auto* floating = node.as_floating_point()) {
    visit(key, floating->get());
  }
}

// Every number has a range and sits inside it; returns how many numbers the file holds.
int expect_every_number_in_range(const fs::path& file) {
  SCOPED_TRACE(file.string());
  int numbers = 0;
  for_each_number(toml::parse_file(file.string()), "", [&](const std::string& key, double value) {
    ++numbers;
    const ScenarioRange* range = find_scenario_range(key);
    ASSERT_NE(range, nullptr) << key << " has no range";
    EXPECT_TRUE(in_range(*range, value)) << key << ": " << out_of_range_problem(*range, value);
  });
  return numbers;
}

TEST(ScenarioRanges, ShippedScenariosAreInsideTheirRanges) {
  int numbers = 0;
  for (const auto& entry : fs::directory_iterator(CARECAST_SCENARIO_DIR)) {
    if (entry.path().extension() == ".toml") numbers += expect_every_number_in_range(entry.path());
  }
  EXPECT_GT(numbers, 400) << "the walk missed the default scenario's numbers";
}

TEST(ScenarioRanges, WhatCalibrateWritesIsInsideItsRanges) {
  const TempDir dir;
  const fs::path out = dir.path() / "calibrated.toml";
  const auto calibrated = testing::run_carecast("calibrate " + (fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample").string() +
                                                " --as-of 2022-03-31 --trend on --out " + out.string());
  ASSERT_EQ(calibrated.exit_code, 0) << calibrated.output;
  EXPECT_GT(expect_every_number_in_range(out), 1000) << "a calibrated scenario holds evidence for every cell";
  EXPECT_NO_THROW(load_scenario(out));
}

// Every range is listed in scenarios/REFERENCE.md as "| `key` | min to max | what |".
TEST(ScenarioRanges, EveryRangeIsInTheReference) {
  std::ifstream in(fs::path(CARECAST_SCENARIO_DIR) / "REFERENCE.md");
  std::stringstream reference;
  reference << in.rdbuf();
  for (const ScenarioRange& range : scenario_ranges()) {
    const std::string row = "| `" + std::string(range.key_pattern) + "` | " + format_bound(range.min) + " to " +
                            format_bound(range.max) + " | " + std::string(range.what) + " |";
    EXPECT_NE(reference.str().find(row), std::string::npos) << "REFERENCE.md lacks the row\n" << row;
  }
}

// ---------------------------------------------------------------------------------------------
// Values the issue found accepted, each now refused where it is written

struct BadValue {
  std::string lines;       // appended to a scenario that extends default.toml
  int line;                // where the error points, in that scenario
  std::string field;
  std::string problem;     // part of the message
};

void expect_refused(const BadValue& bad) {
  SCOPED_TRACE(bad.lines);
  const TempDir dir;
  const fs::path file = dir.write("s.toml", "extends = \"" + kDefault.string() + "\"\n" + bad.lines + "\n");
  const InputError error = error_loading(file);
  EXPECT_EQ(error.where().file, file.string()) << error.what();
  EXPECT_EQ(error.where().line, bad.line) << error.what();
  EXPECT_GT(error.where().column, 0) << error.what();
  EXPECT_EQ(error.where().field, bad.field) << error.what();
  EXPECT_NE(error.problem().find(bad.problem), std::string::npos) << error.what();
}

TEST(ScenarioBounds, RefusesTheIssuesValues) {
  const BadValue cases[] = {
      // The base gives its entries per 10,000 children: these cases state them as a number instead.
      {"remove = [\"entries.per_10000_children\", \"population\"]\n[entries.expected_per_year]\n"
       "under_1 = { male = 1e308, female = 17 }",
       4, "entries.expected_per_year.under_1.male",
       "must be 0 or more and at most 100000 (children a year); got 1e+308"},
      {"[supply]\napproval_lag_months = 1e9", 3, "supply.approval_lag_months",
       "must be 0 or more and at most 120 (months); got 1000000000"},
      {"[[options.recruitment_campaigns]]\nstart = 2025-07-01\nextra_enquiries_per_year = 1e9", 4,
       "options.recruitment_campaigns[0].extra_enquiries_per_year", "at most 100000 (enquiries a year); got 1000000000"},
      {"[costs.weekly]\nfoster_agency = { weekly = 1e300, price_year = 2024 }", 3, "costs.weekly.foster_agency.weekly",
       "at most 100000 (£ a week); got 1e+300"},
      {"[costs]\ninflation_per_year = 1e300", 3, "costs.inflation_per_year",
       "must be between -0.5 and 0.5 (an inflation rate, a fraction a year); got 1e+300"},
      {"[costs]\nadoption_inter_agency_fee = { amount = 27000, price_year = 2025, uprating_per_year = 1e300 }", 3,
       "costs.adoption_inter_agency_fee.uprating_per_year", "between -0.5 and 0.5"},
      {"[costs]\ndiscount_rate_per_year = -inf", 3, "costs.discount_rate_per_year", "got -inf"},
      {"[placements.foster_agency]\nending_hazard_per_year.all = [2.2, nan, 0.85, 0.55, 0.4, 0.25]", 3,
       "placements.foster_agency.ending_hazard_per_year.all[1]", "at most 365 (a hazard a year); got nan"},
      {"[placements.foster_agency]\nending_hazard_per_year.all = [2.2, 1.2, 0.85, 0.55, 0.4, inf]", 3,
       "placements.foster_agency.ending_hazard_per_year.all[5]", "got inf"},
      {"[entries]\nannual_growth_rate = 1.5", 3, "entries.annual_growth_rate", "between -0.9 and 1"},
      {"[stability.hazard_multiplier.foster_agency]\nall = 1000", 3, "stability.hazard_multiplier.foster_agency.all",
       "at most 100 (a multiplier); got 1000"},
      {"[supply]\nhouseholds_per_constellation = 1e3", 3, "supply.households_per_constellation",
       "expected a number of households (an integer, 0 or more), found a float"},
      {"[supply]\nin_house_households = 2000000000", 3, "supply.in_house_households", "at most 10000 (carer households)"},
      {"[starting_population.counts.foster_agency]\nunder_1 = { male = 1000000, female = 0 }", 3,
       "starting_population.counts.foster_agency.under_1.male", "at most 10000"},
      {"[supply.step_down]\nstarts = 2025-09-01\nminimum_stay_days = 182\nhazard_per_year = 0.6\nspecialist_places = 2\n"
       "weekly_cost = 1e300",
       7, "supply.step_down.weekly_cost", "at most 100000 (£ a week)"},
      {"[bands]\nplacement_duration_band_starts_days = [0, 28, 91, 182, 365, 100000]", 3,
       "bands.placement_duration_band_starts_days[5]", "at most 6575 (days since the placement began)"},
      {"[costs]\nbase_year = 3000", 3, "costs.base_year", "between 1980 and 2100 (a financial year); got 3000"},
      {"origin_date = 9999-12-31", 2, "origin_date", "expected a date in the years 1900 to 2200"},
  };
  for (const BadValue& bad : cases) expect_refused(bad);
}

TEST(ScenarioBounds, AcceptsTheEdgesOfEachRange) {
  const TempDir dir;
  const fs::path file = dir.write("s.toml", "extends = \"" + kDefault.string() + "\"\n" + R"(
[entries]
annual_growth_rate = 1
[placements.foster_agency]
ending_hazard_per_year.all = [365, 0, 0.85, 0.55, 0.4, 0.25]
[supply]
approval_lag_months = 120
[costs]
inflation_per_year = -0.5
)");
  const Scenario s = load_scenario(file);
  EXPECT_EQ(s.entries.annual_growth_rate, 1);
  EXPECT_EQ(s.ending_hazard(Category::foster_agency, AgeBand::from_5_to_9, 0), 365);
  EXPECT_EQ(s.supply.approval_lag_months, 120);
  EXPECT_EQ(s.costs.inflation_per_year, -0.5);
}

TEST(ScenarioBounds, RefusesRelationsBetweenValues) {
  const BadValue cases[] = {
      // A placement category falling back to itself: it is full whenever its fallbacks are tried.
      {"[supply.fallback]\nfoster_in_house = [\"foster_agency\", \"foster_in_house\"]", 3, "supply.fallback.foster_in_house[1]",
       "a category cannot fall back to itself"},
      {"[supply.fallback]\nfoster_in_house = [\"foster_agency\", \"foster_agency\"]", 3, "supply.fallback.foster_in_house[1]",
       "already in the fallback list"},
      // 20 constellations of 8 households: 160 Mockingbird households, and only 120 households.
      {"[supply]\nmockingbird_constellations = 20", 3, "supply.mockingbird_constellations",
       "160 Mockingbird households, more than the 120 in_house_households"},
      // More than 8 sibling group sizes used to stop the run with exit 1 and no location.
      {"[entries]\nsibling_group_size_probability = [0.5, 0.1, 0.1, 0.1, 0.1, 0.05, 0.02, 0.02, 0.01]", 3,
       "entries.sibling_group_size_probability[8]", "at most 8 probabilities (sibling groups of up to 8 children), found 9"},
      {"[supply]\nplaces_per_household_probability = [0.5, 0.1, 0.1, 0.1, 0.1, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01]", 3,
       "supply.places_per_household_probability[10]", "at most 10 probabilities"},
      // Each cell in range, the stream's total not.
      {"remove = [\"entries.per_10000_children\", \"population\"]\n[entries.expected_per_year]\n"
       "under_1 = { male = 60000, female = 60000 }",
       3, "entries.expected_per_year", "children a year add up to 120000; one council's stream must be at most 100000 a year"},
      // Each number in range, the hazard they give not: 6 a year times 100.
      {"[stability.hazard_multiplier.other]\nall = 100", 3, "stability.hazard_multiplier.other.all",
       "multiplies the hazard of 6 a year (placements.other.ending_hazard_per_year, age band under_1) to 600; at most 365"},
      // Each part of a price in range, the price in the base year not: 90,000 in 1980 prices uprated by 50% a year.
      {"[costs.weekly]\nother = { weekly = 90000, price_year = 1980, uprating_per_year = 0.5 }", 3, "costs.weekly.other",
       "uprated from price_year 1980 to base_year 2024, the amount must be 0 or more and at most 100000 (£ a week)"},
  };
  for (const BadValue& bad : cases) expect_refused(bad);
}

// Evidence whose counts and exposures are each in range but give an absurd rate: a tiny exposure.
TEST(ScenarioBounds, RefusesEvidenceWhoseMeanRateIsImplausible) {
  const TempDir dir;
  const fs::path calibrated = dir.path() / "calibrated.toml";
  const auto outcome = testing::run_carecast("calibrate " + (fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample").string() +
                                             " --as-of 2022-03-31 --out " + calibrated.string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  const toml::table written = toml::parse_file(calibrated.string());
  const toml::table* placements = written["evidence"]["placements"].as_table();
  ASSERT_NE(placements, nullptr);
  const std::string category(placements->begin()->first.str());
  const std::size_t bands = (*placements)[category]["ending_events"]["under_1"].as_array()->size();
  const auto repeated = [&](const std::string& value) {
    std::string array = "[";
    for (std::size_t d = 0; d < bands; ++d) array += (d ? ", " : "") + value;
    return array + "]";
  };

  const fs::path ending = dir.write("ending.toml", "extends = \"calibrated.toml\"\n[evidence.placements." + category +
                                                       "]\nending_events.under_1 = " + repeated("5") +
                                                       "\nending_exposure_years.under_1 = " + repeated("1e-6") +
                                                       "\nending_prior_exposure_years.under_1 = " + repeated("0") + "\n");
  const InputError ending_error = error_loading(ending);
  EXPECT_EQ(ending_error.where().file, ending.string()) << ending_error.what();
  EXPECT_EQ(ending_error.where().line, 3) << ending_error.what();
  EXPECT_EQ(ending_error.where().field, "evidence.placements." + category + ".ending_events.under_1[0]") << ending_error.what();
  EXPECT_NE(ending_error.problem().find("endings a year; at most 365"), std::string::npos) << ending_error.what();

  const fs::path entries = dir.write("entries.toml", R"(extends = "calibrated.toml"
[evidence.entries]
counts.1_to_4 = { male = 5, female = 5 }
exposure_years.1_to_4 = { male = 1e-6, female = 1e-6 }
prior_exposure_years.1_to_4 = { male = 0, female = 0 }
)");
  const InputError entries_error = error_loading(entries);
  EXPECT_EQ(entries_error.where().file, entries.string()) << entries_error.what();
  EXPECT_EQ(entries_error.where().line, 3) << entries_error.what();
  EXPECT_EQ(entries_error.where().field, "evidence.entries.counts.1_to_4") << entries_error.what();
  EXPECT_NE(entries_error.problem().find("children a year; at most 100000"), std::string::npos) << entries_error.what();
}

// The sibling groups defect end to end: exit 2 with file, line and key, not exit 1.
TEST(ScenarioBounds, TooManySiblingGroupSizesExitTwoWithTheirLocation) {
  const TempDir dir;
  const fs::path file = dir.write("s.toml", "extends = \"" + kDefault.string() + "\"\n[entries]\n" +
                                                "sibling_group_size_probability = [0.5, 0.1, 0.1, 0.1, 0.1, 0.05, 0.02, 0.02, 0.01]\n");
  const auto outcome = testing::run_carecast("run " + file.string() + " --runs 2 --out " + (dir.path() / "out").string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find(file.string() + ":3:"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("entries.sibling_group_size_probability[8]"), std::string::npos) << outcome.output;
  EXPECT_FALSE(fs::exists(dir.path() / "out"));
}

// ---------------------------------------------------------------------------------------------
// The text guard for toml++ 3.3.0's defects

struct TextProblem {
  std::string text;
  int line;
  int column;
  std::string problem;
};

void expect_text_refused(const TextProblem& bad) {
  SCOPED_TRACE(bad.text);
  try {
    check_toml_text(bad.text, "s.toml");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().file, "s.toml");
    EXPECT_EQ(error.where().line, bad.line) << error.what();
    EXPECT_EQ(error.where().column, bad.column) << error.what();
    EXPECT_NE(error.problem().find(bad.problem), std::string::npos) << error.what();
  }
}

TEST(TomlTextGuard, RefusesWhatReachesTomlPlusPlusDefects) {
  const TextProblem cases[] = {
      // marzer/tomlplusplus#190: a non-ASCII character first after a line-ending backslash.
      {"s = \"\"\"\\\n\xC2\xA7\"\"\"\n", 2, 1, "non-ASCII character after a line-ending backslash"},
      {"s = \"\"\"ab \\  \r\n\n   \xC2\xA7\"\"\"\n", 3, 4, "after a line-ending backslash"},
      {"s = \"\"\"\\\xC2\xA7\"\"\"\n", 1, 9, "non-ASCII character after a backslash"},
      // #294: a table header that does not start with a key.
      {"[&", 1, 2, "a table header must name a table"},
      {"a = 1\n[[ #x\n", 2, 4, "a table header must name a table"},
      {"[\nb = 1\n", 1, 2, "a table header must name a table"},
      {"[{}]\n", 1, 2, "a table header must name a table"},
      // #295: a non-ASCII character where whitespace may be (U+032A, the bytes CC AA).
      {"\xCC\xAA", 1, 1, "non-ASCII character outside a string or comment"},
      {"name = \"x\"\na = 1\xC2\xA0\n", 2, 6, "non-ASCII character in a value"},
      {"caf\xC3\xA9 = 1\n", 1, 4, "outside a string or comment"},
      // Found testing the guard: a '}' where an array expects a value, and a date, a space and one
      // digit (assertions in parse_value()).
      {"a = [}", 1, 6, "expected a value or ']' in this array, found '}'"},
      {"a = [1,\n# c\n  }", 3, 3, "expected a value or ']' in this array"},
      {"d = 2025-03-31 0\n", 1, 16, "a date, a space and one digit"},
      // toml++ reads a bare value on to the next whitespace, ',', ']', '}' or '#', whatever it holds.
      {"a = 0.5\"\xC2\xA7\"\n", 1, 9, "non-ASCII character in a value"},
      {"a = 1 \"\xC2\xA7\"\n", 1, 7, "may only start a key or a value"},
      {"d = 2025-03-31 [\"\xC2\xA7\"]\n", 1, 16, "may only start a key or a value"},
      {"a = { b = 0.5={\"\xC2\xA7\"} }\n", 1, 17, "non-ASCII character in a value"},
      // Invalid UTF-8 of every kind, and control characters.
      {"a = \"\xFF\"\n", 1, 6, "not valid UTF-8"},
      {"a = \"\xC0\xAF\"\n", 1, 6, "not valid UTF-8"},          // overlong '/'
      {"a = \"\xED\xA0\x80\"\n", 1, 6, "not valid UTF-8"},      // surrogate U+D800
      {"a = \"\xF4\x90\x80\x80\"\n", 1, 6, "not valid UTF-8"},  // above U+10FFFF
      {"# \xE2\x82", 1, 3, "not valid UTF-8"},                   // cut off at the end
      {"a = \"x\"\n\xE2\x82\xAC\x80", 2, 2, "not valid UTF-8"},  // a stray continuation byte
      {"a = \"x\x01\"\n", 1, 7, "control character"},
      {"a = 1\x7F\n", 1, 6, "control character"},
      {"# \xC2\x85\n", 1, 3, "control character U+0080-U+009F"},
      {"a = 1\rb = 2\n", 1, 6, "a carriage return must be followed by a line feed"},
      {std::string("a = 1\0\n", 7), 1, 6, "control character"},
  };
  for (const TextProblem& bad : cases) expect_text_refused(bad);
}

TEST(TomlTextGuard, AcceptsNonAsciiInStringsAndCommentsAndEveryTableForm) {
  const std::string text =
      "\xEF\xBB\xBF# Barking & Dagenham \xC2\xA7 caf\xC3\xA9 \xE2\x82\xAC\r\n"
      "name = \"\xC2\xA3 \\\" \\\\ \xCC\xAA\"\n"
      "literal = '\xC2\xA7 \\'\n"
      "multi = \"\"\"\n\xC2\xA7 \"\" \\\n   x \xC2\xA7\"\"\"\"\"\n"
      "raw = '''\n\xC2\xA7 '' ''''\n"
      "nested = [\n  [1, 2],\n  [\"]\", '[&'],\n  { a = [3] },\n]\n"
      "date_time = 1979-05-27 07:32:00Z\n"
      "date = 2025-03-31 # a date, a space and a comment\n"
      "commented = [ # c\n  1, # c\n]\n"
      "tables = [{ a = 1 }, { b = \"\xC2\xA7\" }, {}]\n"
      "\"q\".'r' . s = true\n"
      "[ a . \"b\xC2\xA7\" ]\n"
      "[[c]]\n"
      "['d']\n"
      "[\t\"e\" ]\n";
  EXPECT_NO_THROW(check_toml_text(text, "s.toml"));
  EXPECT_NO_THROW(toml::parse(text, std::string("s.toml"))) << "the guard accepted what toml++ refuses";
}

TEST(TomlTextGuard, RefusesAScenarioLargerThan16MiB) {
  const std::string huge = "# " + std::string(kMaxScenarioBytes, 'x') + "\n";
  try {
    check_toml_text(huge, "s.toml");
    ADD_FAILURE() << "accepted";
  } catch (const InputError& error) {
    EXPECT_NE(error.problem().find("16 MiB"), std::string::npos) << error.what();
  }
}

TEST(TomlTextGuard, GuardsEveryFileOfTheExtendsChain) {
  const TempDir dir;
  const fs::path base = dir.write("base.toml", "extends = \"" + kDefault.string() + "\"\n[&\n");
  const fs::path file = dir.write("s.toml", "extends = \"base.toml\"\n");
  const InputError error = error_loading(file);
  EXPECT_EQ(error.where().file, base.string()) << error.what();
  EXPECT_EQ(error.where().line, 2) << error.what();
  EXPECT_EQ(error.where().column, 2) << error.what();
  EXPECT_NE(error.problem().find("a table header must name a table"), std::string::npos) << error.what();
}

TEST(TomlTextGuard, RefusesADirectoryOrFifoNamedAsAScenario) {
  const TempDir dir;
  fs::create_directories(dir.path() / "folder.toml");
  const fs::path file = dir.write("s.toml", "extends = \"folder.toml\"\n");
  const InputError error = error_loading(file);
  EXPECT_EQ(error.where().file, file.string()) << error.what();
  EXPECT_EQ(error.where().line, 1) << error.what();
  EXPECT_EQ(error.where().field, "extends") << error.what();
  EXPECT_NE(error.problem().find("is a directory"), std::string::npos) << error.what();

  const fs::path fifo = dir.path() / "pipe.toml";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const InputError fifo_error = error_loading(fifo);  // would block for ever if opened
  EXPECT_EQ(fifo_error.where().file, fifo.string()) << fifo_error.what();
  EXPECT_NE(fifo_error.problem().find("FIFO"), std::string::npos) << fifo_error.what();
}

}  // namespace
}  // namespace carecast
