// The "calibration" stage: a CareHistory (cleaned SSDA903 returns) turned into a complete
// Scenario whose rates are estimated by exposure (DOMAIN.md §10): events divided by the time
// children were at risk of them, never averages of daily ratios. The scenario keeps the counts and
// exposures behind every rate (Scenario::evidence) so that a run can draw each replication's
// rates from their posterior.
//
// Time on the calendar. SSDA903 gives days, not hours, so an event recorded on a date is taken to
// happen in the middle of that day, and a placement to run from the middle of its first day to
// the middle of its last. Age bands change at the start of the birthday, as in the simulation.
// A placement's time-in-placement bands are counted from the start of its first day: a placement
// recorded as lasting exactly 28 days ended in the band starting at 28 days. (Counting band
// boundaries from the middle of the first day instead would credit each placement that outlives a
// boundary with half a day it was not at risk of ending in the earlier band: a bias of about 2% in
// the first band's hazard.)
//
// The window. Events and exposure are counted from history.observed_from (1 April of the first
// collection year, from which every child looked after is in the data) to the end of the as-of
// date. Anything after the as-of date is ignored, as if the data ended there: a placement still
// open then is censored, and a placement ending later is not an event.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <vector>

#include "core/calendar.hpp"
#include "history/ssda903.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

struct CalibrationOptions {
  // Start of each time-in-placement band in days: first 0, strictly increasing.
  std::vector<std::int32_t> duration_band_start_days = Scenario{}.duration_band_start_days;

  // Shrinkage of placement-ending hazards. A cell (category x age band x time-in-placement band)
  // is estimated as (events + r k) / (child-years + k), where r is the category's pooled rate
  // over all its age and duration bands and k is this many child-years. A cell with much less
  // exposure than k is close to its category's rate; one with much more is close to its own. The
  // category's rate r is itself (its events + R k) / (its child-years + k), R being the rate of
  // all placements, so that a category with little data still has a rate to shrink towards.
  double hazard_prior_child_years = 0.5;

  // Shrinkage of shares (destinations of a placement ending, first placements): the prior is the
  // pooled shares (of the category over all age bands, or of the stream over all age bands) worth
  // this many events, so an outcome never seen there keeps probability 0.
  double share_prior_events = 1.0;

  // Shrinkage of entry rates by age band and sex: the prior is the age band's rate for both sexes
  // together, worth this many entries per age band (half to each sex). A band nobody entered at
  // gets no prior and no entries.
  double entry_prior_entries_per_band = 1.0;

  // Whether the scenario's entries grow at the estimated trend (annual_growth_rate) from the
  // origin; off, the trend is estimated and reported but entries are flat.
  bool include_trend = false;

  int horizon_years = 5;  // of the calibrated scenario: 1 to 10

  // Time at risk is rounded to the nearest child-month in each cell before any rate is formed,
  // because the rates are written out and a cell holding one child would give back that child's
  // days in care. Exact counting exists only for tests that check the counting by hand; a
  // scenario calibrated that way is refused by write_calibrated_scenario.
  bool exact_time_at_risk = false;

  // Throws std::invalid_argument naming the field, its value and the rule it breaks.
  void validate() const;
};

// Poisson regression of a stream's entries per full collection year on the year (log link, with
// each year's length as exposure), fitted by iteratively reweighted least squares.
struct TrendEstimate {
  int first_year = 0;   // calendar year in which the first full collection year starts
  std::vector<std::int64_t> entries_by_year;  // entries in each full collection year in the window
  bool estimated = false;  // at least 2 full years, at least 2 of them with entries, and converged
  double growth = 0;          // exp(slope) - 1: 0.02 = entries grow 2% a year
  double standard_error = 0;  // of growth (delta method), widened by `dispersion` when above 1
  double dispersion = 1;      // Pearson chi-squared / (years - 2); 1 when it cannot be estimated
};

// What calibration did, for the command's summary and the scenario file's comments.
struct CalibrationReport {
  CalibrationOptions options;
  Date window_start;  // first day counted
  Date as_of;         // last day counted
  double window_years = 0;

  std::size_t placements_used = 0;           // placements contributing time at risk or an ending
  std::size_t placements_start_unknown = 0;  // first placements of periods begun before the data
  std::size_t placement_endings = 0;
  double child_years_at_risk = 0;
  int categories_estimated = 0;
  int hazard_cells = 0;             // cells of the categories estimated
  int hazard_cells_with_data = 0;   // with some time at risk
  int hazard_cells_mostly_prior = 0;  // with less time at risk than the prior's weight

  std::size_t entries = 0;       // children starting care in the window, not UASC
  std::size_t uasc_entries = 0;
  std::size_t sibling_groups = 0;  // groups of 2 or more among `entries`
  TrendEstimate entry_trend;
  TrendEstimate uasc_trend;

  std::size_t foster_exits_at_18 = 0;  // left care at 18 (or with E17) from a foster placement
  std::size_t staying_put = 0;         // of those, E17

  std::size_t starting_children = 0;
  std::size_t in_care_aged_18_or_over = 0;  // in the data on the as-of date but left out

  // A short summary for the terminal: cells with data, shrunk cells, entries a year, the trend.
  void print(std::ostream& out) const;
};

// Estimates a complete scenario from `history` as of the end of `as_of`, which becomes its
// origin; the starting population is the children looked after then. Throws std::invalid_argument
// for invalid options, a history with no episodes, or an as-of date before the history's window
// starts (callers check dates against the data first to give the user a located error).
Scenario calibrate(const CareHistory& history, Date as_of, const CalibrationOptions& options,
                   CalibrationReport& report);
Scenario calibrate(const CareHistory& history, Date as_of, const CalibrationOptions& options = {});

}  // namespace carecast
