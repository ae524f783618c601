// calibrate --figures and fit: the care leavers at the origin from a published care_leavers figure there.
//
// The council's own count replaces what the scenario held (the returns' count, or the base's): a figure for
// `all` sets the total, one for 18_to_20 or 21_to_25 that band's total, and with both an `all` figure and a band
// figure the other band takes what the total leaves. A band no figure fixes is scaled with the total. Within each
// band the statuses keep the scenario's shares (calibration/care_leavers_from_returns.hpp, share_by_status), so
// staying put keeps its share of those aged 18 to 20. Figures at other dates are not used here.
#pragma once

#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// Sets `care_leavers.starting_count` from the care_leavers figures dated `origin`, and says what it did (empty:
// no such figure). A scenario without [care_leavers] is left alone, with a note that the figure is not used.
std::vector<std::string> set_care_leavers_from_figures(CareLeaverSettings& care_leavers, const PublishedFigures& figures,
                                                       Date origin);

}  // namespace carecast
