// The plausible range of every number a scenario file can hold (scenarios/REFERENCE.md lists
// them). The ranges are generous for any English council but stop values that would make the
// simulation spin, exhaust memory or write inf and nan: 1e308 entries a year, a lag of 1e9 months,
// weekly costs of 1e300. The loader refuses a value outside its range, and inf and nan (which
// TOML allows), naming the file, line, key and the range.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace carecast {

// Limits on whole arrays and tables rather than single numbers.
// Sibling groups entering care together: the simulation handles up to 8 children a group
// (CompiledModel::kMaxGroupSize, checked equal in tests/scenario_bounds_test.cpp).
inline constexpr std::size_t kMaxSiblingGroupSize = 8;
// Places in one carer household (supply.places_per_household_probability has one share per size).
inline constexpr std::size_t kMaxPlacesPerHousehold = 10;
// Children a year for one council, each stream ([entries], [uasc]) in all and each cell of it:
// England has about 33,000 entries a year in all.
inline constexpr double kMaxChildrenPerYear = 100'000;
// Every hazard: at most one event a day on average.
inline constexpr double kMaxHazardPerYear = 365;
// A drift's yearly sd on the log scale (variation.*_drift_sd_log_per_year), and the largest a
// replication draws when the drift's size is uncertain: the step accumulates, and 0.5 a year moves
// a rate by a factor of about 3 (one sd) in 4 years.
inline constexpr double kMaxDriftSdLog = 0.5;

struct ScenarioRange {
  // A key path as the loader names it: dotted, `*` for any one name (a category, an age band, a
  // sex, an outcome, `entries` or `uasc`) and `[]` for any array index.
  std::string_view key_pattern;
  double min;  // inclusive
  double max;  // inclusive
  std::string_view what;  // what the number is, for messages: "a hazard a year"
};

// Every range, in the order scenarios/REFERENCE.md lists the keys.
std::span<const ScenarioRange> scenario_ranges();

// The range of the number at `key` ("placements.foster_agency.ending_hazard_per_year.all[2]"),
// or nullptr if no numeric key of the schema matches it.
const ScenarioRange* find_scenario_range(std::string_view key);

// `value` brought within the range of `key`, a numeric key of the schema (std::logic_error otherwise): what
// `carecast calibrate` writes must be a scenario `carecast run` loads, so an estimate beyond a bound is written at
// the bound (and the scenario's comments say so).
double clamp_to_scenario_range(std::string_view key, double value);

// Whether `value` is finite and within the range.
bool in_range(const ScenarioRange& range, double value);

// "must be between -0.9 and 1 (...); got 5", or "must be 0 or more and at most 365 (a hazard a
// year); got 1e+308" for a range from 0.
std::string out_of_range_problem(const ScenarioRange& range, double value);

// A number as messages show it: up to 15 significant digits, no trailing zeros (1e+308, 0.25).
std::string format_bound(double x);

}  // namespace carecast
