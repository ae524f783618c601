// Reads a scenario TOML file (format: scenarios/REFERENCE.md) into a validated Scenario.
#pragma once

#include <filesystem>

#include "core/errors.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// Reads `file`, the files it extends and its children CSV. Throws InputError naming the file,
// line, column and key of the first problem found.
Scenario load_scenario(const std::filesystem::path& file);

// default.toml in the CARECAST_SCENARIO_DIR environment variable's directory if it is set and not
// empty, else in the scenarios directory of the source tree this was built from.
std::filesystem::path default_scenario_path();

}  // namespace carecast
