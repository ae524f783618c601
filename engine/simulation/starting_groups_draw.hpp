// Drawing individual children from a starting group (scenario.hpp StartingGroup): the engine's
// side of the disclosure control in calibration/starting_groups.hpp.
#pragma once

#include "core/calendar.hpp"
#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// Child `index` (0 to children - 1) of `group`: days in placement, in care and of age drawn
// uniformly within the group's whole months, in that order and each no shorter than the one
// before, so that placement <= care <= age and the child is under 18 at `origin`. The first
// `male` children are male and the first `uasc` are UASC (most unaccompanied children are boys).
// Placements since 1 April follow the group's counts (children numbered through them in order),
// raised to 2 when the drawn placement began after the latest 1 April in a period of care begun
// before it; 3 or more stays exactly as counted.
StartingChild draw_group_child(const StartingGroup& group, int index, Date origin, StreamEngine& draws);

}  // namespace carecast
