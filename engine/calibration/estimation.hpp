// The "calibration" stage: a CareHistory (cleaned SSDA903 returns) turned into a complete
// Scenario whose rates are estimated by exposure (docs/sources.md, "Estimating rates"): events divided by the time
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
#include <memory>
#include <optional>
#include <string>
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

  // Recency weighting (issue 10): time at risk and events count 2^(-t / half_life_years), t being
  // how long before the end of the as-of date they happened, so recent rates count more. It
  // applies to placement-ending hazards, destinations, entries and first placements of both
  // streams (not to sibling group sizes or staying put). The weight is constant within each month
  // (365.25/12 days) counted back from the as-of date, taken at the month's middle: a cell's
  // weighted events then tell at most the month of an event, never its day. The evidence kept
  // (Scenario::evidence) is the weighted, effective counts and time at risk, so posterior draws
  // widen as old data are down-weighted. 0 = no weighting: every day of the window counts the same.
  double half_life_years = 0;

  // Whether the scenario's entries follow the estimated trend from the origin; off, the trend is
  // estimated and reported but entries are flat. The growth rate is the Poisson regression's over
  // the whole window (TrendEstimate); the entry level at the origin is the trend's fitted level
  // there: (weighted) entries over (weighted) years, each year counted at the trend's rate relative
  // to the origin's. The scenario's trend fades by trend_damping_per_year (EntryStream: 1 =
  // undamped).
  bool include_trend = false;
  double trend_damping_per_year = 1;

  // Whether to estimate year-to-year (systemic) variation (Scenario::variation) from the yearly
  // observed/expected counts of entries, exits and moves, shrunk towards the prior below. Off, the
  // scenario has none.
  bool estimate_variation = false;
  // The prior: marginal sds of log(observed / expected) in a year (not the AR(1) innovation),
  // each worth variation_prior_years years of history, and the autocorrelation, worth
  // autocorrelation_prior_pairs pairs of consecutive years.
  double entries_prior_sd_log = 0.08;
  double exits_prior_sd_log = 0.10;
  double moves_prior_sd_log = 0.10;
  double variation_prior_years = 4;
  double autocorrelation_prior = 0.6;
  double autocorrelation_prior_pairs = 4;

  // Whether placement endings also depend on time in care (Scenario::time_in_care): multipliers
  // of the exit and move hazards by months since the period of care began (0-3, 3-12, 12-24,
  // 24-48, 48+), each observed over expected endings shrunk towards 1 by a prior worth this many
  // events (estimation.cpp, fit_time_in_care). Off, the scenario has no such section.
  bool estimate_time_in_care = true;
  double time_in_care_prior_events = 10;

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
  double slope_standard_error = 0;  // of the log-scale slope, log(1 + growth), widened the same way
  double dispersion = 1;      // Pearson chi-squared / (years - 2); 1 when it cannot be estimated
  std::vector<double> fitted_by_year;  // the regression's expected entries in each year, when estimated
  // The growth a scenario takes: `growth` within the range the loader allows (scenario_bounds.cpp), which a few
  // sparse early years can take it beyond; the calibration uses and writes this one.
  double growth_within_bounds() const;
  bool growth_capped() const { return estimated && growth_within_bounds() != growth; }
};

// How much a yearly count varies beyond Poisson noise about what was expected of it: the
// method-of-moments estimate from r = log((observed + 0.5) / (expected + 0.5)) after removing
// `fitted_parameters` polynomial terms in the year (1: a level, as when the expectation was fitted
// to the same years; 2: a level and a slope, as about a fitted trend):
//   variance = sum(e^2) / (years - fitted_parameters) - mean(1 / (expected + 0.5)),
// the second term being the Poisson noise of log(observed). It can be below 0 (less variation than
// Poisson noise alone, by chance). standard_error is the normal theory's,
// sqrt(2 / (years - fitted_parameters)) x (max(variance, 0) + mean Poisson variance).
struct ExtraPoissonVariance {
  int years = 0;
  int fitted_parameters = 0;
  std::vector<double> residuals;  // e, oldest year first
  double variance = 0;
  double standard_error = 0;
  double lag1_sum = 0;  // sum of e_y e_(y+1): for the autocorrelation
  double poisson_noise = 0;  // mean 1 / (expected + 0.5): Poisson noise's share of each e_y^2
  bool estimated() const { return years > fitted_parameters + 1; }
};
ExtraPoissonVariance extra_poisson_variance(const std::vector<double>& observed, const std::vector<double>& expected,
                                            int fitted_parameters);

// The marginal variance of an AR(1) departure with autocorrelation rho, from the residuals of
// `raw`. Fitting a level (and trend) absorbs part of a slowly moving departure, so the residuals'
// sum of squares has expectation variance x tr((I - H) R(rho)) + Poisson noise x (n - p), where H
// is the fit's hat matrix and R(rho) the AR(1) correlation matrix; dividing by n - p, as
// extra_poisson_variance does, is right only for rho = 0 and underestimates more the higher rho is.
double autocorrelated_variance(const ExtraPoissonVariance& raw, double rho);

// How many times an AR(1) error with autocorrelation rho inflates the variance of a
// least-squares slope fitted over `years` equally spaced years, against independent errors:
// [(X'X)^-1 X'R(rho)X (X'X)^-1]_11 / [(X'X)^-1]_11 (about (1 + rho) / (1 - rho) for long series).
double slope_variance_inflation(int years, double rho);

// The autocorrelation of AR(1) departures common to `series` (each of 7 or more years), from
// their residuals' lag-1 sums, allowing for what fitting each series' level (and trend) and
// Poisson noise do to them; within [0, 0.95].
double pooled_autocorrelation(const std::vector<const ExtraPoissonVariance*>& series);

// One process's yearly history and its estimated variation.
struct ProcessVariation {
  std::string first_year;  // label of the oldest year used
  std::vector<double> observed, expected;
  ExtraPoissonVariance raw;
  double ar_variance = 0;  // the residuals' marginal variance allowing for the autocorrelation
  double marginal_sd = 0;  // shrunk towards the prior: sqrt of the posterior-mean variance
  double innovation_sd = 0;  // written as *_sd_log_per_year: marginal_sd x sqrt(1 - autocorrelation^2)
  // The innovation sd as estimated when it was beyond the largest a scenario takes (scenario_bounds.cpp) and
  // innovation_sd is that bound instead; empty when within it.
  std::optional<double> uncapped_innovation_sd;
};

// Sets process.ar_variance (when process.raw is estimated: autocorrelated_variance at rho) and
// process.marginal_sd, the square root of that variance shrunk towards the prior's (prior_sd, a
// marginal sd), the data worth raw.years - raw.fitted_parameters years and the prior prior_years:
//   (freedom x ar_variance + prior_years x prior_sd^2) / (freedom + prior_years), at least 0.
// When raw is not estimated the marginal sd is the prior's.
void shrink_variation(ProcessVariation& process, double prior_sd, double rho, double prior_years);

struct VariationEstimate {
  bool estimated = false;
  ProcessVariation entries;  // entries (not UASC) per full collection year, about the fitted trend
  ProcessVariation exits;    // placement endings leaving care per year back from the as-of date
  ProcessVariation moves;    // placement endings into another placement, per year back
  double raw_autocorrelation = 0;  // pooled lag-1 autocorrelation beyond Poisson noise (NaN: none)
  int autocorrelation_pairs = 0;
  double slope_sd_inflation = 1;  // the entry trend's slope sd, times this for the autocorrelation
  double autocorrelation = 0;      // shrunk towards the prior, and within the largest a scenario takes
  std::optional<double> uncapped_autocorrelation;  // as estimated, when above that bound (a prior near 1)
};

// The time-in-care multipliers and the (recency-weighted) endings behind them, by care band:
// observed, and expected of the base rates alone (multipliers of 1).
struct TimeInCareEstimate {
  bool estimated = false;
  std::vector<std::int32_t> band_starts_months;
  std::vector<double> observed_exits, expected_exits, observed_moves, expected_moves;
  std::vector<double> exit_multiplier, move_multiplier;
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

  // Recency weighting: the effective (weighted) child-years at risk, placement endings and entries.
  double weighted_child_years_at_risk = 0;
  double weighted_placement_endings = 0;
  double weighted_entries = 0;
  VariationEstimate variation;
  TimeInCareEstimate time_in_care;
  // Why the half-life and trend were chosen (cross-validation or a default), for the scenario's
  // comments; empty when the caller set them without saying why.
  std::string choice_note;
  // How the drift of [variation] was sized (calibration/drift_estimation.hpp); empty: no drift.
  std::string drift_note;
  // How the rates were pooled with other councils' (calibration/pooled_estimates.hpp); empty: not pooled.
  std::string pooling_note;
  // Where the in-house carers' capacity came from (calibration/supply_from_returns.hpp); empty: no [supply].
  std::vector<std::string> supply_notes;

  // Re-entry ([re_entry]): periods ending with a return home or a child arrangements order with time at
  // risk in the window, the children's years at risk until their next period, 18th birthday or the
  // as-of date, and next periods begun in the window (not counted in `entries`).
  std::size_t exits_home = 0;
  std::size_t re_entries = 0;
  double re_entry_years_at_risk = 0;

  std::size_t foster_exits_at_18 = 0;  // left care at 18 (or with E17) from a foster placement
  std::size_t staying_put = 0;         // of those, E17

  std::size_t starting_children = 0;
  std::size_t in_care_aged_18_or_over = 0;  // in the data on the as-of date but left out

  // A short summary for the terminal: cells with data, shrunk cells, entries a year, the trend.
  void print(std::ostream& out) const;
};

// The counts behind a calibration as of one date (events and time at risk by cell and by month
// back from the as-of date, entries, the starting population in groups), made once and estimated
// from with any options sharing their duration bands: cross-validation tries many.
class CalibrationCounts {
 public:
  // Throws std::invalid_argument as calibrate does.
  CalibrationCounts(const CareHistory& history, Date as_of, const std::vector<std::int32_t>& duration_band_start_days);
  ~CalibrationCounts();
  CalibrationCounts(CalibrationCounts&&) noexcept;
  Date as_of() const { return as_of_; }

 private:
  struct Data;
  Date as_of_;
  std::unique_ptr<Data> data_;
  friend Scenario calibrate(const CalibrationCounts& counts, const CalibrationOptions& options,
                            CalibrationReport& report);
};
Scenario calibrate(const CalibrationCounts& counts, const CalibrationOptions& options, CalibrationReport& report);

// Estimates a complete scenario from `history` as of the end of `as_of`, which becomes its
// origin; the starting population is the children looked after then. Throws std::invalid_argument
// for invalid options, a history with no episodes, or an as-of date before the history's window
// starts (callers check dates against the data first to give the user a located error).
Scenario calibrate(const CareHistory& history, Date as_of, const CalibrationOptions& options,
                   CalibrationReport& report);
Scenario calibrate(const CareHistory& history, Date as_of, const CalibrationOptions& options = {});

}  // namespace carecast
