// Writes a calibrated scenario as a commented TOML file (format: scenarios/REFERENCE.md) and the
// grouped starting population (calibration/starting_groups.hpp) beside it, so that `carecast run` can load it and an
// analyst can read where every number came from.
//
// Numbers are written in their shortest form that reads back as exactly the same double
// (std::to_chars), so loading the file gives back the scenario bit for bit. Both files are written
// under temporary names and renamed into place only when complete: a failure leaves no
// half-written file. Nothing written holds a child's identifier, date of birth or care dates.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "calibration/estimation.hpp"
#include "history/ssda903.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// <stem>-starting-groups.csv in the folder of `toml_file`: where write_calibrated_scenario puts
// the starting population.
std::filesystem::path starting_groups_csv_path(const std::filesystem::path& toml_file);

// Writes `scenario` (a starting population in groups, never individual children or counts;
// evidence if it has any) to `toml_file` and starting_groups_csv_path(toml_file), replacing them if they exist. The
// comments describe the data (`cleaning`: files and rows), the window and the estimation
// (`calibration`), and `figures_notes` what published figures gave and contradicted (calibrate
// --figures). A scenario with supply (from published figures) gets its [supply] section, with
// [supply.location] when it has location shares, described by `location_notes`. A scenario with
// care leavers gets its [care_leavers] section, described by `care_leaver_notes`.
// Throws std::invalid_argument for a scenario with starting counts or children, and
// std::runtime_error if a file cannot be written.
// What write_calibrated_scenario writes, as text: the scenario for `toml_file` and its starting groups (for a verb
// that stages several scenarios in one output folder). Throws as write_calibrated_scenario does.
struct CalibratedScenarioFiles {
  std::string toml;
  std::string starting_groups_csv;
};
CalibratedScenarioFiles calibrated_scenario_files(const std::filesystem::path& toml_file, const Scenario& scenario,
                                                  const CalibrationReport& calibration, const CleaningReport& cleaning,
                                                  const std::vector<std::string>& figures_notes = {},
                                                  const std::vector<std::string>& location_notes = {},
                                                  const std::vector<std::string>& care_leaver_notes = {});

void write_calibrated_scenario(const std::filesystem::path& toml_file, const Scenario& scenario,
                               const CalibrationReport& calibration, const CleaningReport& cleaning,
                               const std::vector<std::string>& figures_notes = {},
                               const std::vector<std::string>& location_notes = {},
                               const std::vector<std::string>& care_leaver_notes = {});

}  // namespace carecast
