// Drawing individual children from the counts form of the starting population (scenario.hpp
// StartingCounts): a hand-written scenario gives how many children of each category, age band and
// sex are looked after at the origin, and each replication draws every child's age and times in
// care and in placement.
#pragma once

#include "core/calendar.hpp"
#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// Child `index` (0 to count - 1) of the cell [category][band][sex] of `counts`, at `origin`. The
// first uasc_count children of the cell are UASC. Age is uniform within the band; days in
// placement and days in care before it are drawn as StartingCounts describes.
StartingChild draw_counts_child(const StartingCounts& counts, int category, int band, int sex, int index,
                                Date origin, StreamEngine& draws);

}  // namespace carecast
