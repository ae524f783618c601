// The fit scales and rewrites a starting population given as counts. A calibrated scenario gives
// it as groups (StartingGroup: a category's children within ranges of age, time in care and time
// in placement), so the fit first turns the groups into counts, keeping every group's children,
// boys, UASC and placements since 1 April exactly and placing each group at the middle of its
// ranges: its children in the age band of its middle age, and the category's mean days in
// placement (and the mean days in care before it) from the groups' middle months.
#pragma once

#include "scenario/scenario.hpp"

namespace carecast {

StartingCounts starting_counts_from_groups(const std::vector<StartingGroup>& groups);

}  // namespace carecast
