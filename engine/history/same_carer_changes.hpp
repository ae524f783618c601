// How a change of placement with the same carer (SSDA903 RNE T or U, for example a foster carer's
// placement becoming long-term, or a carer approved as the child's adopter) counts.
//
// The Department for Education's long-term stability measure asks whether a child has lived with
// the same carer for two years, so for it such a change is no move. For the short-term measure
// (3 or more placements in the year) the guidance is not explicit. carecast's default treats the
// change as the same placement going on everywhere: in the hazards of placements ending, in moves,
// in placements since 1 April and in time in placement. A council whose own published figures
// count such changes can choose `count` instead; both are documented in README.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "history/ssda903.hpp"

namespace carecast {

enum class SameCarerChanges : std::uint8_t {
  continue_placement,  // the change is not a new placement (default)
  count,               // the change starts a new placement, as the episodes record it
};

// "continue" or "count"; std::nullopt for anything else.
std::optional<SameCarerChanges> parse_same_carer_changes(std::string_view text);
std::string_view name_of(SameCarerChanges rule);

// Joins each placement begun by a same-carer change to the placement before it when both are in
// the same placement category: the joined placement runs from the earlier start to the later end.
// A same-carer change that also changes the category (a carer moving from an agency to the
// council) stays a new placement, because the simulation's placements have one category each.
// Returns how many placements were joined.
std::size_t join_same_carer_changes(CareHistory& history);

}  // namespace carecast
