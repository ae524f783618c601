// Reads the grouped starting population (scenario.hpp StartingGroup): the CSV `carecast
// calibrate` writes beside a calibrated scenario, which an analyst may also write by hand.
//
// Columns, exactly: category, children, male, uasc, age_months_min, age_months_max,
// months_in_care_min, months_in_care_max, months_in_placement_min, months_in_placement_max,
// placements_since_april_1, placements_since_april_2, placements_since_april_3_or_more (how many of
// the children have had that many placements since 1 April). Months are whole months (of
// 365.25/12 days) at the origin; ranges are inclusive.
#pragma once

#include <functional>
#include <vector>

#include "core/csv_reader.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// The column names, in the order calibrate writes them.
extern const std::vector<std::string_view> kStartingGroupColumns;

// Throws InputError naming the file, line and column for an unknown or missing column, a value
// out of range or ranges that no child could satisfy. `on_category` is called with each row's
// category and where it is given.
std::vector<StartingGroup> read_starting_groups(const CsvTable& csv,
                                                const std::function<void(Category, const InputLocation&)>& on_category);

}  // namespace carecast
