// Drawing individual children from the counts form of the starting population (scenario.hpp
// StartingCounts): a hand-written scenario gives how many children of each category, age band and
// sex are looked after at the origin, and each replication draws every child's age and times in
// care and in placement.
//
// The DfE stability measures the scenario states are honoured as follows.
//   - Placements since 1 April. Children are numbered in the order the simulation admits them
//     (category, age band, sex, index). With counts by category, the category's children with 3 or
//     more, then those with 2, are spread evenly through its children, so each count is met
//     exactly; with only the short-term %, round(% x children) children with 3 or more are spread
//     evenly through all the children. A child with 2 or more has a placement begun after the
//     latest 1 April and time in care before it; a child stated to have had 1 whose placement
//     began after 1 April came into care with it.
//   - Days in placement stay exactly as StartingCounts describes for each category as a whole:
//     each category's exponential is split at 1 April, children with 2 or more draw from the part
//     after it and the others from what remains, in proportion. This is possible only while the
//     children with 2 or more are no more than the category's share of placements begun since
//     1 April (starting_counts_problem says when they are not).
//   - Long-term: a child under 16 in the same placement for 24 months or more at the origin has
//     been looked after 30 months or more; of the children in placements under 24 months, a share
//     is drawn with enough time in care before the placement to count as looked after 30 months,
//     the share that makes the measure's expected stable children the stated % of its expected
//     children. When even all of them are too few, some of the stable placements are drawn with
//     less time in care instead (those already 30 months long cannot be).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/calendar.hpp"
#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// Child `index` (0 to count - 1) of the cell [category][band][sex] of `counts`, at `origin`. The
// first uasc_count children of the cell are UASC. Age is uniform within the band; days in
// placement and days in care before it are drawn as StartingCounts and this file describe.
// One child alone: builds the population's plan each time, so for tests and single draws only.
StartingChild draw_counts_child(const StartingCounts& counts, int category, int band, int sex, int index,
                                Date origin, StreamEngine& draws);

// Draws the children of one starting population. What they share (the stated measures' plan,
// each cell's place in the numbering) is worked out once on construction, so each child costs the
// same whatever the number of cells. `counts` must outlive the drawer.
struct StartingCountsPlan;
class StartingCountsDrawer {
 public:
  StartingCountsDrawer(const StartingCounts& counts, Date origin);
  ~StartingCountsDrawer();
  StartingCountsDrawer(StartingCountsDrawer&&) noexcept = default;
  // Exactly draw_counts_child(counts, category, band, sex, index, origin, draws).
  StartingChild draw(int category, int band, int sex, int index, Date origin, StreamEngine& draws) const;

 private:
  const StartingCounts& counts_;
  std::unique_ptr<StartingCountsPlan> plan_;
};

// Why the stability figures `counts` states cannot be honoured at `origin`, or nothing.
struct StartingCountsProblem {
  enum class About { placements_since_april, short_term, long_term };
  About about = About::placements_since_april;
  int category = -1;  // for placements_since_april and short_term: the category at fault
  std::string problem;
};
std::optional<StartingCountsProblem> starting_counts_problem(const StartingCounts& counts, Date origin);

}  // namespace carecast
