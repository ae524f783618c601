// Expected children looked after, computed without simulation: the deterministic counterpart of
// the Monte Carlo mean, for the continuous-time model of scenarios/REFERENCE.md ("The model these
// numbers drive") with the simulation's calendar conventions (whole-day dates of birth, band
// changes at the start of each birthday, entrants' ages drawn on the day they arrive).
//
// Scope: the unconstrained model of that section, with the scenario's rates taken as known. It
// ignores finite supply (Scenario::supply: with it enabled, children placed against preference
// make the simulation non-linear), commissioning options, per-replication rate draws (from
// Scenario::evidence or the stated uncertainty), time in care (Scenario::time_in_care: its state
// follows time in placement, not in care) and year-to-year variation (Scenario::variation);
// for a scenario using them it is the expectation without them. Entries follow the damped trend
// of EntryStream.
//
// Method. Children who share a date of birth share every age-band change and their 18th
// birthday, so the projection follows cohorts of dates of birth: one per starting child's date of
// birth, and blocks of `step_days` dates (children spread evenly over them) for everyone else.
// Within a cohort the state is category x time in placement, in cells of `step_days` that hold
// the expected number of children and the first moment of their time in placement (a linear
// density within the cell). A step of `step_days` moves every cell on by exactly one cell, so
// ageing and time in placement are transported without numerical diffusion, and within the step
// the hazard is integrated exactly along each child's path, through the placement a first ending
// begins. Starting children's first placements are followed one by one with their exact time in
// placement. What is left is O(step^2): a third placement begun within one step is counted at its
// end without its own chance of ending before then; a block date whose birthday falls inside a
// step follows the two bands weighted by the time in each; dates within a block are assumed
// evenly filled. Richardson extrapolation over step and 2*step cancels that term.
//
// Accuracy, measured on a 450-child, 11-category, 5-year scenario against 200,000 replications
// of the simulation: every monthly stock, category stock, entry and exit count agrees within
// Monte Carlo error (standard error 0.04 children on the total). Against finer steps the 7-day
// projection with Richardson moves by under 0.01 children; without it, by about 0.1.
// Richardson assumes 2*step_days is itself a fine step: hazard * 2 * step_days well below 1 and
// duration bands at least that long. Run time and memory grow as 1/step_days^3 and
// 1/step_days^2: a 7-day step takes a few seconds and under 200 MB on that scenario.
#pragma once

#include <vector>

#include "core/calendar.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

struct ProjectionOptions {
  int step_days = 7;  // 1 to 91
  // Combine projections with steps of step_days and 2*step_days as (4 E_step - E_2step) / 3,
  // cancelling the O(step^2) term of the error.
  bool richardson = true;
};

struct ExpectedSeries {
  std::vector<Date> dates;                 // origin, then each month end
  std::vector<PerCategory<double>> stock;  // expected children looked after by category at each date
  std::vector<double> entries;             // expected entries in the month ending at dates[i] (0 at i = 0)
  std::vector<double> exits;               // expected exits (any reason) in that month
};

// Throws std::invalid_argument for a step outside 1-91 days or hazard tables of the wrong size.
ExpectedSeries project_expectation(const Scenario& scenario, const ProjectionOptions& options = {});

}  // namespace carecast
