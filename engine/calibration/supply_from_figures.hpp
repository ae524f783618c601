// calibrate --figures: the carer supply that SSDA903 returns do not hold, from published figures. A
// carer_households (foster_in_house) figure on or before the as-of date gives the in-house households at the
// origin, and so a [supply] section; approvals and deregistrations figures up to the as-of date give its
// recruitment and its deregistration hazard. What no figure gives (places per household, approval ages, sibling
// groups, the recruitment funnel's conversion and lags) is a stated national assumption, as in the shipped
// default scenario, and is listed.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

struct SupplyFromFigures {
  std::optional<Supply> supply;    // nullopt: no carer_households figure, or nothing to fall back on
  std::vector<std::string> notes;  // where each number came from, or why no [supply] was made
};

// `calibrated` is the scenario the returns gave: a child who finds no in-house place falls back to agency foster
// care, which it must have a placements table for.
SupplyFromFigures supply_from_figures(const PublishedFigures& figures, Date as_of, const Scenario& calibrated);

// Whether the calibrated rates place any child with agency foster carers: without them a child who finds no
// in-house carer has nowhere to fall back on, so no in-house capacity is imposed.
bool agency_foster_in_use(const Scenario& calibrated);

// Whether the calibrated rates can end a placement in `category` (some destination share above 0): only then does
// the calibrated scenario get a [placements.<category>] table (scenario_writer.cpp), and the loader refuses a
// scenario in which a child can reach a category without one. So a [supply] written beside those rates may send
// children only to categories in use.
bool placements_in_use(const Scenario& calibrated, Category category);

// Gives `calibrated` the supply made (if any). A scenario with supply needs placement rates for an `other`
// arrangement, where a child goes when nothing has a place; with agency places uncapped no child does, so a
// scenario whose returns show no such placement gets agency foster care's rates there as a stand-in, and a note
// saying so.
void apply_supply(Scenario& calibrated, SupplyFromFigures& made);

}  // namespace carecast
