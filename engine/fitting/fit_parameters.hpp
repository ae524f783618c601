// The free parameters of a fit to published figures: a few multipliers on a base scenario's rates,
// each on the log scale (the entry trend: an added growth rate), so that a fit moves a scenario
// written or calibrated with care by as little as the figures ask and keeps everything else it
// says (age mix, first placements, where moves lead, supply, costs).
//
// Why multipliers and not every rate: published figures are a few dozen numbers a year (stocks,
// entries, exits by a few reasons, two stability percentages). They cannot tell a hazard by age
// band and time in placement from another; they can tell how many children come in, how fast
// placements of a kind of setting end, how many of those endings are moves rather than exits, and
// how often permanence is adoption or special guardianship. Each parameter below is freed only
// when some figure in the file speaks to it; the others keep the base's values (and the report
// says so).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

enum class FitParameter : std::uint8_t {
  entry_level,           // multiplies expected entries (not UASC) at the fit's start
  entry_growth,          // added to the annual growth rate of entries (a fraction a year)
  uasc_level,            // multiplies expected UASC entries
  starting_stock,        // multiplies the children looked after at the fit's start
  hazard_family,         // placement endings in foster, adoptive, parent-and-child and other settings
  hazard_parents,        // placement endings while placed with parents
  hazard_residential,    // placement endings in children's homes and other residential settings
  hazard_supported,      // placement endings in supported accommodation
  moves,                 // the hazard of an ending that is a move to another placement
  adoption,              // the hazard of an ending that is an adoption
  special_guardianship,  // the hazard of an ending that is a special guardianship order
  returned_home,         // the hazard of an ending that is a return home to parents or relatives
  child_arrangements_order,  // the hazard of an ending by a child arrangements order
  independent_living,    // the hazard of an ending into independent living
  other_exits,           // the hazard of an ending for any other reason (exit reason `other`)
  entry_age_older,       // tilts entries (not UASC) towards ages 10-17, keeping their total
};
inline constexpr int kFitParameterCount = 16;

struct FitParameterInfo {
  std::string_view name;
  std::string_view meaning;
  double prior_sd;  // on the log scale (entry_growth: a fraction a year); prior mean 0
  bool additive;    // entry_growth: the value is added, not a log multiplier
};
const FitParameterInfo& info_of(FitParameter parameter);

// Placement categories whose ending hazards a hazard_* parameter scales.
bool hazard_group_contains(FitParameter group, Category category);

// Which parameters the figures can speak to, in enumeration order, each with why (or why not).
struct ParameterChoice {
  FitParameter parameter;
  bool free = false;
  std::string reason;  // what figures free it, or why it keeps the base's value
};
std::vector<ParameterChoice> choose_parameters(const PublishedFigures& figures, const Scenario& start,
                                               bool start_stock_known);

// `start` with the parameters applied: kinds[i] takes value theta[i]. Cause-specific hazards are
// scaled: an ending to outcome o of a placement in category c happens at hazard h x p_o; hazard_*
// scales every outcome of its categories, `moves` every move, each exit-reason parameter
// (adoption, special_guardianship, returned_home, child_arrangements_order, independent_living,
// other_exits) the exits for its reason; the ending hazard becomes the sum and the destinations its
// shares. So more moves do not mean fewer exits, and the exits not named keep their hazards.
// entry_age_older multiplies entries aged 10-17 by e^theta against the younger ones, then scales
// all of them back to the total they had (see tilt_entry_ages).
// Entries aged 10 to 17 times e^log_tilt against younger ones, every band then scaled so that the
// expected total a year is unchanged: the age mix moves, the level does not (entry_level's job).
void tilt_entry_ages(EntryStream& entries, double log_tilt);

Scenario apply_parameters(const Scenario& start, std::span<const FitParameter> kinds, std::span<const double> theta);

}  // namespace carecast
