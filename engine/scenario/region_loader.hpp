// Reads a region file (format: docs/regions.md) into a validated Region: its councils, each loaded
// with load_scenario, the shared market, the distance bands between the councils' areas and the
// regional options.
#pragma once

#include <filesystem>

#include "core/errors.hpp"
#include "scenario/region.hpp"

namespace carecast {

// Most councils a region may hold: England has 153.
inline constexpr std::size_t kMaxRegionCouncils = 200;

// Reads `file` and every council's scenario. Throws InputError naming the file, line, column and key
// of the first problem found; a scenario's own problems are reported in the scenario's file.
Region load_region(const std::filesystem::path& file);

// Whether `file` is a region file: a TOML file with a top-level [region] table (a scenario never has
// one). False for anything that cannot be read or parsed; load_region says why.
bool is_region_file(const std::filesystem::path& file);

// Whether `name` may name a council: 1 to 64 letters, digits, '_' and '-' (it names an output folder).
bool is_safe_council_name(std::string_view name);

}  // namespace carecast
