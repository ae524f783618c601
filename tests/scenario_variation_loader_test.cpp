// The scenario keys of issue 10 (scenarios/REFERENCE.md): [variation], [uncertainty],
// trend_damping_per_year, and the stability figures a counts start states. Each is read into the
// Scenario as scenario.hpp defines it, merges through `extends` key by key, and is refused with
// its file, line and key when out of range or of the wrong type.
#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

// A standalone scenario: 20 children in `other`, origin 30 September (182 days after 1 April).
// Tests write their keys in a file extending it.
const std::string kBase = R"(name = "Base"
origin_date = 2024-09-30
horizon_years = 1

[starting_population]
mean_days_in_care_before_placement = 100
mean_days_in_placement.other = 300
counts.other.5_to_9 = { male = 6, female = 4 }
counts.other.10_to_15 = { male = 5, female = 5 }

[entries]
expected_per_year.10_to_15 = { male = 2, female = 2 }
first_placement_probability.all = { other = 1 }

[placements.other]
ending_hazard_per_year.all = [1, 1, 1, 1, 1, 1]
destination_probability.all = { other = 0.5, exit_other = 0.5 }

[leaving_care]
staying_put_probability = 0
)";

class VariationLoader : public ::testing::Test {
 protected:
  VariationLoader() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("carecast_variation_" + std::string(test->name()) + "_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  ~VariationLoader() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = dir_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  // A file extending kBase (base.toml) with `extra`.
  fs::path base_with(const std::string& extra) const {
    write("base.toml", kBase);
    return write("s.toml", "extends = \"base.toml\"\n" + extra);
  }

  static InputError error_loading(const fs::path& scenario) {
    try {
      load_scenario(scenario);
    } catch (const InputError& error) {
      return error;
    }
    throw std::runtime_error("loading " + scenario.string() + " did not fail");
  }

  // The 1-based line of `file` holding `text`.
  static int line_of(const fs::path& file, std::string_view text) {
    std::ifstream in(file);
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.find(text) != std::string::npos) return number;
    }
    throw std::runtime_error("no line containing " + std::string(text));
  }

  // Loading kBase + `extra` fails at the line holding `line_text`, naming `field`, with a problem
  // that contains `problem_part`.
  void expect_refused(const std::string& extra, std::string_view line_text, std::string_view field,
                      std::string_view problem_part) const {
    const fs::path file = base_with(extra);
    const InputError error = error_loading(file);
    EXPECT_EQ(error.where().file, file.string()) << error.what();
    EXPECT_EQ(error.where().line, line_of(file, line_text)) << error.what();
    EXPECT_EQ(error.where().field, field) << error.what();
    EXPECT_NE(error.problem().find(problem_part), std::string::npos) << error.what();
  }

  fs::path dir_;
};

constexpr int kOther = static_cast<int>(Category::other);

TEST_F(VariationLoader, DefaultsWithoutTheNewKeys) {
  const Scenario s = load_scenario(base_with(""));
  EXPECT_FALSE(s.variation.any());
  EXPECT_EQ(s.variation.autocorrelation, 0);
  EXPECT_TRUE(s.stated_uncertainty.enabled);
  EXPECT_EQ(s.stated_uncertainty.hazard_child_years, 10);
  EXPECT_EQ(s.stated_uncertainty.entry_years, 3);
  EXPECT_EQ(s.stated_uncertainty.share_events, 20);
  EXPECT_EQ(s.stated_uncertainty.entry_growth_sd_log_per_year, 0.03);
  EXPECT_EQ(s.entries.trend_damping_per_year, 1);
  EXPECT_EQ(s.uasc.trend_damping_per_year, 1);
  ASSERT_TRUE(s.starting_counts);
  EXPECT_FALSE(s.starting_counts->states_placements_since_april());
  EXPECT_FALSE(s.starting_counts->long_term_stability_percent);
}

TEST_F(VariationLoader, ReadsEveryKey) {
  const Scenario s = load_scenario(base_with(R"(
[entries]
annual_growth_rate = 0.03
trend_damping_per_year = 0.8

[uasc]
expected_per_year.16_to_17 = { male = 3, female = 0 }
first_placement_probability.all = { other = 1 }
trend_damping_per_year = 0.5

[variation]
entries_sd_log_per_year = 0.08
exits_sd_log_per_year = 0.07
moves_sd_log_per_year = 0.1
autocorrelation = 0.6

[uncertainty]
parameter_uncertainty = false
hazard_evidence_child_years = 25
entry_evidence_years = 4.5
share_evidence_events = 12
entry_growth_sd_log_per_year = 0.045
care_leaver_evidence_years = 60
care_leaver_share_events = 35
)"));
  EXPECT_DOUBLE_EQ(s.entries.trend_damping_per_year, 0.8);
  EXPECT_DOUBLE_EQ(s.uasc.trend_damping_per_year, 0.5);
  EXPECT_DOUBLE_EQ(s.variation.entries_sd_log_per_year, 0.08);
  EXPECT_DOUBLE_EQ(s.variation.exits_sd_log_per_year, 0.07);
  EXPECT_DOUBLE_EQ(s.variation.moves_sd_log_per_year, 0.1);
  EXPECT_DOUBLE_EQ(s.variation.autocorrelation, 0.6);
  EXPECT_FALSE(s.stated_uncertainty.enabled);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.hazard_child_years, 25);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.entry_years, 4.5);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.share_events, 12);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.entry_growth_sd_log_per_year, 0.045);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.care_leaver_evidence_years, 60);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.care_leaver_share_events, 35);
}

// A derived file overrides single keys; the rest come from the file it extends.
TEST_F(VariationLoader, ExtendsMergesKeyByKey) {
  write("base.toml", kBase);
  write("middle.toml", R"(extends = "base.toml"

[entries]
trend_damping_per_year = 0.7

[variation]
entries_sd_log_per_year = 0.1
autocorrelation = 0.5

[uncertainty]
hazard_evidence_child_years = 30
entry_evidence_years = 5
)");
  const fs::path derived = write("derived.toml", R"(extends = "middle.toml"
name = "Derived"

[entries]
annual_growth_rate = 0.02

[variation]
exits_sd_log_per_year = 0.2

[uncertainty]
entry_evidence_years = 2
)");
  const Scenario s = load_scenario(derived);
  EXPECT_DOUBLE_EQ(s.entries.trend_damping_per_year, 0.7);
  EXPECT_DOUBLE_EQ(s.entries.annual_growth_rate, 0.02);
  EXPECT_DOUBLE_EQ(s.variation.entries_sd_log_per_year, 0.1);
  EXPECT_DOUBLE_EQ(s.variation.exits_sd_log_per_year, 0.2);
  EXPECT_DOUBLE_EQ(s.variation.moves_sd_log_per_year, 0);
  EXPECT_DOUBLE_EQ(s.variation.autocorrelation, 0.5);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.hazard_child_years, 30);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.entry_years, 2);
  EXPECT_DOUBLE_EQ(s.stated_uncertainty.share_events, 20);
}

TEST_F(VariationLoader, RefusesValuesOutOfRange) {
  expect_refused("[variation]\nentries_sd_log_per_year = 1.5\n", "entries_sd_log_per_year",
                 "variation.entries_sd_log_per_year", "at most 1");
  expect_refused("[variation]\nexits_sd_log_per_year = -0.1\n", "exits_sd_log_per_year",
                 "variation.exits_sd_log_per_year", "0 or more");
  expect_refused("[variation]\nmoves_sd_log_per_year = nan\n", "moves_sd_log_per_year",
                 "variation.moves_sd_log_per_year", "got nan");
  expect_refused("[variation]\nautocorrelation = 1\n", "autocorrelation", "variation.autocorrelation",
                 "at most 0.99");
  expect_refused("[variation]\nautocorrelation = -0.2\n", "autocorrelation", "variation.autocorrelation", "0 or more");
  expect_refused("[entries]\ntrend_damping_per_year = 0\n", "trend_damping_per_year", "entries.trend_damping_per_year",
                 "between 0.01 and 1");
  expect_refused("[entries]\ntrend_damping_per_year = 1.2\n", "trend_damping_per_year",
                 "entries.trend_damping_per_year", "between 0.01 and 1");
  expect_refused("[uasc]\nexpected_per_year = {}\ntrend_damping_per_year = -1\n", "trend_damping_per_year",
                 "uasc.trend_damping_per_year", "between 0.01 and 1");
  expect_refused("[uncertainty]\nhazard_evidence_child_years = 0\n", "hazard_evidence_child_years",
                 "uncertainty.hazard_evidence_child_years", "between 0.01 and 1000000");
  expect_refused("[uncertainty]\nentry_evidence_years = inf\n", "entry_evidence_years",
                 "uncertainty.entry_evidence_years", "got inf");
  expect_refused("[uncertainty]\nshare_evidence_events = 1e7\n", "share_evidence_events",
                 "uncertainty.share_evidence_events", "between 0.01 and 1000000");
  expect_refused("[uncertainty]\ncare_leaver_evidence_years = 0\n", "care_leaver_evidence_years",
                 "uncertainty.care_leaver_evidence_years", "between 0.01 and 1000000");
  expect_refused("[uncertainty]\ncare_leaver_share_events = -3\n", "care_leaver_share_events",
                 "uncertainty.care_leaver_share_events", "between 0.01 and 1000000");
}

TEST_F(VariationLoader, RefusesWrongTypesAndUnknownKeys) {
  expect_refused("[variation]\nautocorrelation = \"high\"\n", "autocorrelation", "variation.autocorrelation",
                 "found a string");
  expect_refused("[variation]\nentry_sd_log_per_year = 0.1\n", "entry_sd_log_per_year",
                 "variation.entry_sd_log_per_year", "unknown key");
  expect_refused("[uncertainty]\nparameter_uncertainty = 1\n", "parameter_uncertainty",
                 "uncertainty.parameter_uncertainty", "expected true or false, found an integer");
  expect_refused("[uncertainty]\nhazard_child_years = 5\n", "hazard_child_years", "uncertainty.hazard_child_years",
                 "unknown key");
  expect_refused("variation = 0.1\n", "variation = 0.1", "variation", "expected a table");
}

// A calibrated scenario's evidence says how well its rates are known: stating it again is refused.
TEST_F(VariationLoader, RefusesUncertaintyBesideEvidence) {
  std::string evidence = "[evidence.placements.other]\n";
  for (const char* key : {"ending_events", "ending_exposure_years", "ending_prior_events", "ending_prior_exposure_years"}) {
    for (std::string_view band : kAgeBandNames) {
      evidence += std::string(key) + "." + std::string(band) + " = [1, 1, 1, 1, 1, 1]\n";
    }
  }
  for (const char* key : {"destination_counts", "destination_prior_counts"}) {
    for (std::string_view band : kAgeBandNames) {
      evidence += std::string(key) + "." + std::string(band) + " = { other = 1, exit_other = 1 }\n";
    }
  }
  EXPECT_TRUE(load_scenario(base_with(evidence)).evidence);
  expect_refused(evidence + "[uncertainty]\nentry_evidence_years = 2\n", "[uncertainty]", "uncertainty",
                 "has [evidence]");
}

// ---------------------------------------------------------------------------------------------
// Stability figures of a counts start

TEST_F(VariationLoader, ReadsPlacementsSinceAprilAndLongTermStability) {
  const Scenario s = load_scenario(base_with(R"(
[starting_population.placements_since_april]
other = { one = 12, two = 5, three_or_more = 3 }

[starting_population]
long_term_stability_percent = 55.5
)"));
  ASSERT_TRUE(s.starting_counts->placements_since_april);
  EXPECT_EQ((*s.starting_counts->placements_since_april)[kOther], (std::array<int, 3>{12, 5, 3}));
  EXPECT_TRUE(s.starting_counts->states_placements_since_april());
  EXPECT_DOUBLE_EQ(*s.starting_counts->long_term_stability_percent, 55.5);
  EXPECT_FALSE(s.starting_counts->short_term_stability_percent);

  const Scenario percent = load_scenario(base_with("[starting_population]\nshort_term_stability_percent = 10\n"));
  EXPECT_DOUBLE_EQ(*percent.starting_counts->short_term_stability_percent, 10);
  EXPECT_FALSE(percent.starting_counts->placements_since_april);
  EXPECT_TRUE(percent.starting_counts->states_placements_since_april());
}

// TOML cannot remove a key: a file extending one that states the short-term % can give counts by
// category instead, and the other way round; the most derived file's form is used.
TEST_F(VariationLoader, AMoreDerivedFileReplacesTheFormOfPlacementsSinceApril) {
  write("base.toml", kBase);
  write("percent.toml", "extends = \"base.toml\"\n[starting_population]\nshort_term_stability_percent = 10\n");
  const Scenario counts = load_scenario(write(
      "counts.toml",
      "extends = \"percent.toml\"\n[starting_population.placements_since_april]\n"
      "other = { one = 15, two = 3, three_or_more = 2 }\n"));
  EXPECT_FALSE(counts.starting_counts->short_term_stability_percent);
  ASSERT_TRUE(counts.starting_counts->placements_since_april);
  EXPECT_EQ((*counts.starting_counts->placements_since_april)[kOther], (std::array<int, 3>{15, 3, 2}));

  const Scenario percent = load_scenario(write(
      "percent_again.toml", "extends = \"counts.toml\"\n[starting_population]\nshort_term_stability_percent = 5\n"));
  EXPECT_FALSE(percent.starting_counts->placements_since_april);
  EXPECT_DOUBLE_EQ(*percent.starting_counts->short_term_stability_percent, 5);
}

TEST_F(VariationLoader, RefusesInconsistentPlacementsSinceApril) {
  expect_refused("[starting_population.placements_since_april]\nother = { one = 12, two = 5, three_or_more = 2 }\n",
                 "other = {", "starting_population.placements_since_april.other", "= 19 but");
  expect_refused("[starting_population.placements_since_april]\nother = { one = 12, two = 8 }\n", "other = {",
                 "starting_population.placements_since_april.other.three_or_more", "required key is missing");
  expect_refused("[starting_population.placements_since_april]\nother = { one = 12, two = 5.5, three_or_more = 3 }\n",
                 "other = {", "starting_population.placements_since_april.other.two", "found a float");
  expect_refused("[starting_population.placements_since_april]\nother = { one = 20, two = 0, three_or_more = 0, "
                 "four = 0 }\n",
                 "other = {", "starting_population.placements_since_april.other.four", "unknown key");
  // A category with children must be given: here only an empty one is.
  expect_refused("[starting_population.placements_since_april]\nforeign = 1\n", "foreign = 1",
                 "starting_population.placements_since_april.foreign", "unknown category");
  expect_refused(
      "[starting_population.placements_since_april]\nfoster_agency = { one = 0, two = 0, three_or_more = 0 }\n",
      "[starting_population.placements_since_april]", "starting_population.placements_since_april.other",
      "required because starting_population.counts.other has children");
  expect_refused("[starting_population]\nshort_term_stability_percent = 10\n[starting_population.placements_since_april]\n"
                 "other = { one = 20, two = 0, three_or_more = 0 }\n",
                 "short_term_stability_percent", "starting_population.short_term_stability_percent", "not both");
  expect_refused("[starting_population]\nshort_term_stability_percent = 101\n", "short_term_stability_percent",
                 "starting_population.short_term_stability_percent", "at most 100");
  expect_refused("[starting_population]\nlong_term_stability_percent = \"60%\"\n", "long_term_stability_percent",
                 "starting_population.long_term_stability_percent", "found a string");
}

// With a mean of 300 days in placement, about 1 - exp(-182/300) = 45% of placements began in the
// 182 days since 1 April: 9 of 20. Twelve children with 2 or more placements cannot be honoured.
TEST_F(VariationLoader, RefusesMorePlacementsSinceAprilThanTheTimesInPlacementAllow) {
  EXPECT_NO_THROW(load_scenario(base_with(
      "[starting_population.placements_since_april]\nother = { one = 11, two = 6, three_or_more = 3 }\n")));
  expect_refused("[starting_population.placements_since_april]\nother = { one = 8, two = 8, three_or_more = 4 }\n",
                 "other = {", "starting_population.placements_since_april.other", "only about 9");
  expect_refused("[starting_population]\nshort_term_stability_percent = 60\n", "short_term_stability_percent",
                 "starting_population.short_term_stability_percent", "too high for these counts");
}

// Placements of 30 months or more count as stable whatever is drawn: with a mean of 3000 days most
// of these children's placements are that long, so a long-term stability of 5% is impossible.
TEST_F(VariationLoader, RefusesALongTermStabilityBelowWhatTheCountsGive) {
  const std::string long_placements = "[starting_population]\nmean_days_in_placement.other = 3000\n";
  EXPECT_NO_THROW(load_scenario(base_with(long_placements + "long_term_stability_percent = 80\n")));
  expect_refused(long_placements + "long_term_stability_percent = 5\n", "long_term_stability_percent = 5",
                 "starting_population.long_term_stability_percent", "below the lowest long-term stability");
}

TEST_F(VariationLoader, RefusesStabilityFiguresWithACsvStart) {
  const fs::path csv = write("children.csv",
                             "age_days,sex,category,days_in_placement,days_in_care,placements_since_april,uasc\n"
                             "4000,male,other,30,200,1,false\n");
  (void)csv;
  std::string text = kBase;
  const std::string counts_lines =
      "mean_days_in_care_before_placement = 100\nmean_days_in_placement.other = 300\n"
      "counts.other.5_to_9 = { male = 6, female = 4 }\ncounts.other.10_to_15 = { male = 5, female = 5 }\n";
  text.replace(text.find(counts_lines), counts_lines.size(),
               "children_csv = \"children.csv\"\nshort_term_stability_percent = 12\n");
  const fs::path file = write("csv.toml", text);
  const InputError error = error_loading(file);
  EXPECT_EQ(error.where().line, line_of(file, "short_term_stability_percent")) << error.what();
  EXPECT_EQ(error.where().field, "starting_population.short_term_stability_percent") << error.what();
  EXPECT_NE(error.problem().find("only used with counts"), std::string::npos) << error.what();
}

// The shipped scenarios load, and the default states the council's published figures.
TEST_F(VariationLoader, ShippedScenariosLoadAndTheDefaultStatesTheCouncilsFigures) {
  for (const auto& entry : fs::directory_iterator(CARECAST_SCENARIO_DIR)) {
    if (entry.path().extension() != ".toml") continue;
    SCOPED_TRACE(entry.path().string());
    EXPECT_NO_THROW(load_scenario(entry.path()));
  }
  const Scenario s = load_scenario(fs::path(CARECAST_SCENARIO_DIR) / "default.toml");
  ASSERT_TRUE(s.starting_counts);
  EXPECT_EQ(s.starting_counts->short_term_stability_percent, 14);
  EXPECT_EQ(s.starting_counts->long_term_stability_percent, 60);
  EXPECT_TRUE(s.variation.any());
}


// [time_in_care]: read whole, and refused with its file, line and key when its arrays disagree.
TEST_F(VariationLoader, ReadsTimeInCare) {
  const Scenario s = load_scenario(base_with(
      "[time_in_care]\nband_starts_months = [0, 12, 36]\nexit_hazard_multiplier = [1.2, 0.8, 0.3]\n"
      "move_hazard_multiplier = [1, 1, 0.9]\n"));
  EXPECT_EQ(s.time_in_care.band_starts_months, (std::vector<std::int32_t>{0, 12, 36}));
  EXPECT_EQ(s.time_in_care.exit_hazard_multiplier, (std::vector<double>{1.2, 0.8, 0.3}));
  EXPECT_EQ(s.time_in_care.move_hazard_multiplier, (std::vector<double>{1, 1, 0.9}));
  EXPECT_FALSE(load_scenario(base_with("")).time_in_care.enabled());
}

TEST_F(VariationLoader, RefusesTimeInCareArraysThatDisagree) {
  const std::string moves = "move_hazard_multiplier = [1, 1]\n";
  expect_refused("[time_in_care]\nband_starts_months = [0, 12]\nexit_hazard_multiplier = [1, 0.5, 0.2]\n" + moves,
                 "exit_hazard_multiplier", "time_in_care.exit_hazard_multiplier", "one multiplier for each of the 2");
  expect_refused("[time_in_care]\nband_starts_months = [3, 12]\nexit_hazard_multiplier = [1, 0.5]\n" + moves,
                 "band_starts_months", "time_in_care.band_starts_months[0]", "first band must start at 0");
  expect_refused("[time_in_care]\nband_starts_months = [0, 12, 12]\nexit_hazard_multiplier = [1, 0.5, 1]\n"
                 "move_hazard_multiplier = [1, 1, 1]\n",
                 "band_starts_months", "time_in_care.band_starts_months[2]", "strictly increasing");
  expect_refused("[time_in_care]\nband_starts_months = [0, 12]\nexit_hazard_multiplier = [1, 25]\n" + moves,
                 "exit_hazard_multiplier", "time_in_care.exit_hazard_multiplier[1]", "at most 20");
  expect_refused("[time_in_care]\nband_starts_months = [0, 240]\nexit_hazard_multiplier = [1, 0.5]\n" + moves,
                 "band_starts_months", "time_in_care.band_starts_months[1]", "at most 216");
}

}  // namespace
}  // namespace carecast
