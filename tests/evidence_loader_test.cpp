// The [evidence] section of a scenario file: the counts and exposures behind a calibrated
// scenario's rates (scenarios/REFERENCE.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

// Two time-in-placement bands, one category, entries at 5-9 only.
const std::string kBase = R"(name = "With evidence"
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
)";

const std::string kPlacementEvidence = R"(
[evidence.placements.foster_in_house]
ending_events.under_1 = [0, 0]
ending_events.1_to_4 = [0, 0]
ending_events.5_to_9 = [3, 1]
ending_events.10_to_15 = [0, 0]
ending_events.16_to_17 = [0, 0]
ending_exposure_years.under_1 = [0, 0]
ending_exposure_years.1_to_4 = [0, 0]
ending_exposure_years.5_to_9 = [2.5, 1.75]
ending_exposure_years.10_to_15 = [0, 0]
ending_exposure_years.16_to_17 = [0, 0]
ending_prior_events.under_1 = [0.25, 0.25]
ending_prior_events.1_to_4 = [0.25, 0.25]
ending_prior_events.5_to_9 = [0.25, 0.25]
ending_prior_events.10_to_15 = [0.25, 0.25]
ending_prior_events.16_to_17 = [0.25, 0.25]
ending_prior_exposure_years.under_1 = [0.5, 0.5]
ending_prior_exposure_years.1_to_4 = [0.5, 0.5]
ending_prior_exposure_years.5_to_9 = [0.5, 0.5]
ending_prior_exposure_years.10_to_15 = [0.5, 0.5]
ending_prior_exposure_years.16_to_17 = [0.5, 0.5]
destination_counts.under_1 = {}
destination_counts.1_to_4 = {}
destination_counts.5_to_9 = { foster_in_house = 1, exit_returned_home = 3 }
destination_counts.10_to_15 = {}
destination_counts.16_to_17 = {}
destination_prior_counts.under_1 = { foster_in_house = 0.25, exit_returned_home = 0.75 }
destination_prior_counts.1_to_4 = { foster_in_house = 0.25, exit_returned_home = 0.75 }
destination_prior_counts.5_to_9 = { foster_in_house = 0.25, exit_returned_home = 0.75 }
destination_prior_counts.10_to_15 = { foster_in_house = 0.25, exit_returned_home = 0.75 }
destination_prior_counts.16_to_17 = { foster_in_house = 0.25, exit_returned_home = 0.75 }
)";

const std::string kEntryEvidence = R"(
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

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  if (at == std::string::npos) throw std::runtime_error("fixture has no '" + from + "'");
  return text.replace(at, from.size(), to);
}

std::size_t ending_cell(Category c, AgeBand band, int duration_band) {
  return (static_cast<std::size_t>(c) * kAgeBandCount + static_cast<std::size_t>(band)) * 2 +
         static_cast<std::size_t>(duration_band);
}

class EvidenceLoader : public ::testing::Test {
 protected:
  EvidenceLoader() {
    dir_ = fs::temp_directory_path() /
           ("carecast_evidence_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) +
            "_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  ~EvidenceLoader() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = dir_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  // Loads `text` as s.toml, expecting an error on the line holding `line_text`, for `field`.
  void expect_error(const std::string& text, const std::string& line_text, const std::string& field,
                    const std::string& problem_part) const {
    const fs::path file = write("s.toml", text);
    try {
      load_scenario(file);
      ADD_FAILURE() << "loading did not fail";
    } catch (const InputError& error) {
      EXPECT_EQ(error.where().file, file.string()) << error.what();
      EXPECT_EQ(error.where().line, line_of(text, line_text)) << error.what();
      EXPECT_EQ(error.where().field, field) << error.what();
      EXPECT_NE(error.problem().find(problem_part), std::string::npos) << error.what();
    }
  }

  static int line_of(const std::string& text, const std::string& line_text) {
    const std::size_t at = text.find(line_text);
    if (at == std::string::npos) throw std::runtime_error("no line holding '" + line_text + "'");
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
  }

  fs::path dir_;
};

TEST_F(EvidenceLoader, AScenarioWithoutEvidenceHasNone) {
  EXPECT_FALSE(load_scenario(write("s.toml", kBase)).evidence.has_value());
}

TEST_F(EvidenceLoader, ReadsEveryCountAndExposure) {
  const Scenario s = load_scenario(write("s.toml", kBase + kPlacementEvidence + kEntryEvidence));
  ASSERT_TRUE(s.evidence.has_value());
  const RateEvidence& evidence = *s.evidence;
  ASSERT_EQ(evidence.ending.size(), s.ending_hazard_per_year.size());
  const GammaEvidence& early = evidence.ending[ending_cell(Category::foster_in_house, AgeBand::from_5_to_9, 0)];
  EXPECT_EQ(early.events, 3);
  EXPECT_EQ(early.exposure, 2.5);
  EXPECT_EQ(early.prior_events, 0.25);
  EXPECT_EQ(early.prior_exposure, 0.5);
  const GammaEvidence& late = evidence.ending[ending_cell(Category::foster_in_house, AgeBand::from_5_to_9, 1)];
  EXPECT_EQ(late.events, 1);
  EXPECT_EQ(late.exposure, 1.75);
  // A category with no evidence has none: its rates are taken as known.
  const GammaEvidence& agency = evidence.ending[ending_cell(Category::foster_agency, AgeBand::from_5_to_9, 0)];
  EXPECT_EQ(agency.shape(), 0);
  EXPECT_EQ(agency.rate(), 0);

  const auto in_house = static_cast<std::size_t>(Category::foster_in_house);
  const auto five_to_nine = static_cast<std::size_t>(AgeBand::from_5_to_9);
  const DirichletEvidence<kOutcomeCount>& destination = evidence.destination[in_house][five_to_nine];
  EXPECT_EQ(destination.counts[outcome_of(Category::foster_in_house)], 1);
  EXPECT_EQ(destination.counts[outcome_of(ExitReason::returned_home)], 3);
  EXPECT_EQ(destination.counts[outcome_of(ExitReason::adoption)], 0);
  EXPECT_EQ(destination.prior[outcome_of(ExitReason::returned_home)], 0.75);

  EXPECT_EQ(evidence.entries[five_to_nine][0].events, 20);
  EXPECT_EQ(evidence.entries[five_to_nine][1].events, 9);
  EXPECT_EQ(evidence.entries[five_to_nine][1].exposure, 10);
  EXPECT_EQ(evidence.entries[five_to_nine][1].prior_events, 0.5);
  EXPECT_EQ(evidence.entries[five_to_nine][1].prior_exposure, 0.25);
  EXPECT_EQ(evidence.entries[0][0].events, 0);
  EXPECT_EQ(evidence.first_placement[five_to_nine].counts[in_house], 29);
  EXPECT_EQ(evidence.first_placement[five_to_nine].prior[in_house], 1);
  // No [evidence.uasc]: nothing known about UASC entries.
  EXPECT_EQ(evidence.uasc_entries[4][0].rate(), 0);
}

TEST_F(EvidenceLoader, AnExtendingFileReplacesOnlyTheBandsItGives) {
  const fs::path base = write("base.toml", kBase + kPlacementEvidence + kEntryEvidence);
  const Scenario s = load_scenario(
      write("s.toml", "extends = \"base.toml\"\n[evidence.placements.foster_in_house]\n"
                      "ending_events.5_to_9 = [4, 2]\n"
                      "destination_counts.5_to_9 = { exit_returned_home = 7 }\n"));
  const RateEvidence& evidence = *s.evidence;
  EXPECT_EQ(evidence.ending[ending_cell(Category::foster_in_house, AgeBand::from_5_to_9, 0)].events, 4);
  EXPECT_EQ(evidence.ending[ending_cell(Category::foster_in_house, AgeBand::from_5_to_9, 0)].exposure, 2.5);
  const auto& destination =
      evidence.destination[static_cast<std::size_t>(Category::foster_in_house)][static_cast<std::size_t>(AgeBand::from_5_to_9)];
  EXPECT_EQ(destination.counts[outcome_of(ExitReason::returned_home)], 7);
  EXPECT_EQ(destination.counts[outcome_of(Category::foster_in_house)], 0);  // the table is replaced whole
  EXPECT_EQ(evidence.entries[static_cast<std::size_t>(AgeBand::from_5_to_9)][0].events, 20);
  EXPECT_EQ(s.source_files.size(), 2u);
}

TEST_F(EvidenceLoader, NegativeValuesAreRefused) {
  expect_error(kBase + replaced(kPlacementEvidence, "ending_exposure_years.5_to_9 = [2.5, 1.75]",
                                "ending_exposure_years.5_to_9 = [2.5, -1.75]"),
               "ending_exposure_years.5_to_9", "evidence.placements.foster_in_house.ending_exposure_years.5_to_9[1]",
               "0 or more");
  expect_error(kBase + kPlacementEvidence +
                   replaced(kEntryEvidence, "counts.5_to_9 = { male = 20", "counts.5_to_9 = { male = -20"),
               "counts.5_to_9 = { male = -20", "evidence.entries.counts.5_to_9.male", "0 or more");
  expect_error(kBase + replaced(kPlacementEvidence, "destination_counts.5_to_9 = { foster_in_house = 1",
                                "destination_counts.5_to_9 = { foster_in_house = -1"),
               "destination_counts.5_to_9 = {", "evidence.placements.foster_in_house.destination_counts.5_to_9.foster_in_house",
               "0 or more");
}

TEST_F(EvidenceLoader, ArraysNeedOneValuePerDurationBand) {
  expect_error(kBase + replaced(kPlacementEvidence, "ending_events.5_to_9 = [3, 1]", "ending_events.5_to_9 = [3, 1, 0]"),
               "ending_events.5_to_9", "evidence.placements.foster_in_house.ending_events.5_to_9",
               "has 3 values but there are 2 time-in-placement bands");
}

TEST_F(EvidenceLoader, EveryAgeBandAndEveryTableIsRequired) {
  expect_error(kBase + replaced(kPlacementEvidence, "ending_events.16_to_17 = [0, 0]\n", ""),
               "ending_events.under_1", "evidence.placements.foster_in_house.ending_events.16_to_17",
               "required key is missing");
  expect_error(kBase + kPlacementEvidence + replaced(kEntryEvidence, "prior_counts.under_1 = { male = 0, female = 0 }\n", ""),
               "prior_counts.1_to_4 = { male", "evidence.entries.prior_counts.under_1", "required key is missing");
  // `all` is not accepted: evidence is per age band.
  expect_error(kBase + replaced(kPlacementEvidence, "ending_events.under_1 = [0, 0]", "ending_events.all = [0, 0]"),
               "ending_events.all", "evidence.placements.foster_in_house.ending_events.all", "unknown age band");
}

TEST_F(EvidenceLoader, UnknownKeysAreRefused) {
  expect_error(kBase + replaced(kPlacementEvidence, "ending_events.under_1", "ending_event.under_1"), "ending_event.under_1",
               "evidence.placements.foster_in_house.ending_event", "unknown key");
}

TEST_F(EvidenceLoader, EventsNeedExposure) {
  expect_error(kBase + replaced(replaced(kPlacementEvidence, "ending_exposure_years.5_to_9 = [2.5, 1.75]",
                                        "ending_exposure_years.5_to_9 = [2.5, 0]"),
                                "ending_prior_exposure_years.5_to_9 = [0.5, 0.5]",
                                "ending_prior_exposure_years.5_to_9 = [0.5, 0]"),
               "ending_events.5_to_9", "evidence.placements.foster_in_house.ending_events.5_to_9[1]",
               "events with no exposure");
}

TEST_F(EvidenceLoader, EvidenceNeedsThePlacementsTableOfItsCategory) {
  expect_error(kBase + replaced(kPlacementEvidence, "[evidence.placements.foster_in_house]",
                                "[evidence.placements.foster_agency]"),
               "[evidence.placements.foster_agency]", "evidence.placements.foster_agency",
               "no [placements.foster_agency] table");
}

// A draw can send children wherever the evidence has any mass, so those categories need tables.
TEST_F(EvidenceLoader, CategoriesTheEvidenceMakesPossibleNeedPlacementsTables) {
  expect_error(kBase + replaced(kPlacementEvidence, "destination_prior_counts.16_to_17 = { foster_in_house = 0.25",
                                "destination_prior_counts.16_to_17 = { foster_agency = 0.01, foster_in_house = 0.25"),
               "destination_prior_counts.16_to_17",
               "evidence.placements.foster_in_house.destination_prior_counts.16_to_17.foster_agency",
               "no [placements.foster_agency] table");
  expect_error(kBase + kPlacementEvidence +
                   replaced(kEntryEvidence, "first_placement_counts.5_to_9 = { foster_in_house = 29 }",
                            "first_placement_counts.5_to_9 = { foster_in_house = 28, other = 1 }"),
               "first_placement_counts.5_to_9", "evidence.entries.first_placement_counts.5_to_9.other",
               "no [placements.other] table");
}

TEST_F(EvidenceLoader, EntriesNeedFirstPlacements) {
  expect_error(kBase + kPlacementEvidence +
                   replaced(replaced(kEntryEvidence, "first_placement_counts.5_to_9 = { foster_in_house = 29 }",
                                     "first_placement_counts.5_to_9 = {}"),
                            "first_placement_prior_counts.5_to_9 = { foster_in_house = 1 }",
                            "first_placement_prior_counts.5_to_9 = {}"),
               "counts.5_to_9 = { male = 20", "evidence.entries.counts.5_to_9", "need first placements");
}

}  // namespace
}  // namespace carecast
