// How far a council's rates drift beyond what its history window predicts (issue 10), sized from
// how far its own past forecasts missed.
//
// The AR(1) of [variation] (scenario.hpp SystemicVariation) returns to the typical year that
// calibration averages; it cannot hold a council whose entries or exits move to a new level (a
// change of court practice or of director, a regime shift) or keep growing beyond the damped
// trend. On the validation worlds such changes made the total's forecast errors grow about in
// proportion to the horizon while the intervals grew only as its square root: 3 years ahead the
// log errors' sd was 0.12 against the intervals' 0.09, so 90% intervals held the truth in 81% of
// cases and 50% intervals in 31%.
//
// A drift is a random walk on the log multipliers of entries, exits and moves, each with yearly
// step sd d. Its size comes from rolling-origin backtests on the council's own returns, with the
// half-life and trend calibration chose: from each 31 March (the cross-validation origins) the
// scenario calibrated on the data up to then is simulated three times on common random numbers:
// without a drift, with a reference drift d_ref on entries and exits, and with d_ref on moves.
// The total looked after 1-3 years later (as far as the data go) judges the first drift, and the
// DfE stability indicators at those 31 Marches the second. With e the error of the forecast's
// mean (of log(total + 1), or of the indicator in percentage points), s0^2 its forecast variance
// without a drift and s1^2 with d_ref, a drift d adds about g d^2 = (s1^2 - s0^2) d^2 / d_ref^2 to
// the variance, so the moment estimate is
//   d^2 = sum(e^2 - s0^2 (1 + 1/runs)) / sum(g)   (0 if negative)
// over every origin, horizon and measure: the error variance the forecasts did not already allow
// for, per unit of the spread a drift gives. A model that misses in the same direction at every
// origin (a bias) counts too: the council's own record says its forecasts were that far out. With a
// few origins this is noisy, so it is shrunk towards a prior sd worth `prior_origins` origins:
// d^2 = (k d_prior^2 + m d_hat^2) / (k + m) with m origins, and never below the prior. The floor is
// there because what a drift stands for arrives a few times a decade, so a quiet record of five
// overlapping backtests says little about the next three years: on the 40 validation worlds the
// shrunk estimate, which a quiet record pulled to 0.021, left the total's 3-year 90% intervals
// holding the truth in 82% of 120 cases; with the floor in 89%, at a lower CRPS at every horizon.
// A turbulent record still raises the drift above the prior. With fewer than two origins the prior
// is used. That is the scale of a scaled inverse chi-squared posterior with k + m
// degrees of freedom, written as drift_evidence_origins so that each replication draws its own
// drift from it: with a handful of origins the drift is poorly known, and taking the point
// estimate as exact left the validation worlds whose rates later shifted far outside the
// intervals (3 years ahead the total's errors were 1.5 times the spread the intervals allowed).
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include "calibration/estimation.hpp"
#include "history/ssda903.hpp"

namespace carecast {

struct DriftOptions {
  int runs = 100;
  std::uint64_t seed = 1;
  int threads = 0;                  // 0 = every core; results do not depend on it
  double reference_sd = 0.1;        // the drift simulated to learn how the total's spread responds
  // The priors, each a floor (above) and worth two origins against a turbulent council's record.
  // Entries and exits: 0.06 a year moves the total by about 10% (one sd) over 3 years. It is the
  // drift that the validation suite's 40 synthetic councils' own backtests (in their histories,
  // not their forecast years) give when pooled: 0.057 by the moment estimate above, 0.066 by
  // Paule-Mandel's (the d at which the errors' squares over their variances average 1).
  double level_prior_sd = 0.06;
  // Moves: 0.04 a year, stated. Pooled the same way the councils' stability errors give 0.09, but
  // most of that comes from councils whose own records already raise their drift; as a floor 0.09
  // made 3-year short-term stability intervals hold the truth in 97% of cases (target 85-95%).
  double moves_prior_sd = 0.04;
  double prior_origins = 2;
  double maximum_sd = 0.3;          // a cap on the raw estimate, against a single wild origin
  // Give each origin's scenario the in-house carers' capacity the returns show then
  // (supply_from_returns.hpp), as calibrate gives the final one: a finite capacity changes the
  // spread of the categories and of moves that the drift is sized against.
  bool in_house_capacity = false;
  // If given, called after each simulation with its number of runs (for progress).
  std::function<void(int runs)> runs_done;
};

// One origin, horizon and measure of the backtest.
struct DriftForecastError {
  Date origin;
  int horizon_years = 0;
  const char* measure = "";           // "children looked after", "short-term stability", ...
  double truth = 0;                   // what happened: children, or a percentage
  double forecast_median = 0;         // without a drift
  // The total: log(truth + 1) - mean log(forecast + 1); a stability indicator: truth - mean, in
  // percentage points. Each without a drift.
  double error = 0;
  double variance_without = 0;        // of the forecast on the same scale, without a drift
  double variance_reference = 0;      // with the reference drift
};

// One drift's moment estimate (above) from the errors of one kind of measure.
struct DriftSize {
  std::vector<DriftForecastError> errors;
  int origins = 0;               // origins with at least one horizon scored
  double raw_variance = 0;       // the moment estimate of d^2 (before the cap and the prior); NaN if none
  double excess_variance = 0;    // sum(e^2 - s0^2 (1 + 1/runs)) over every origin, horizon and measure
  double reference_gain = 0;     // sum(g)
  double sd = 0;                 // the drift's yearly step sd written to the scenario
  // Origins' worth of evidence behind sd (the prior's plus the backtested): the degrees of freedom
  // of its posterior, from which each replication draws (scenario.hpp SystemicVariation).
  double evidence_origins = 0;
  std::string reason;            // one paragraph for the scenario's comments
  // Adds one scored error (and its share of the sums) from a backtest of `runs` runs.
  void add(const DriftForecastError& error, int runs, double reference_sd);
};

// Two drifts, each sized from what it moves most:
// - entries and exits, from the total looked after 1-3 years on (log scale);
// - moves, from the DfE stability indicators at those 31 Marches (percentage points). Moves
//   barely touch the total, and entries and exits barely touch stability, so each is judged where
//   it shows. On the validation worlds long-term stability 3 years ahead missed by 7.5 points (sd)
//   around a bias of 4.6 while its intervals allowed 6.4: the same drift for moves as for the
//   total left its 90% intervals holding the truth in 76% of cases.
struct DriftEstimate {
  DriftOptions options;
  DriftSize level;   // entries and exits
  DriftSize moves;   // moves between placements
  std::string reason() const;  // both paragraphs
  void print(std::ostream& out) const;
};

// `chosen` is the calibration that will be written (its half-life and trend applied); `origins`
// the 31 Marches to backtest from (oldest first), each with data at least a year after it up to
// `as_of`.
DriftEstimate estimate_drift(const CareHistory& history, Date as_of, const std::vector<Date>& origins,
                             const CalibrationOptions& chosen, const DriftOptions& options = {});

// The moment estimate and its shrinkage towards `prior_sd` (the options' level_prior_sd or
// moves_prior_sd), from size's sums (excess_variance, reference_gain), size.origins and the
// options: sets raw_variance, sd, evidence_origins and reason. `drift` names the drift and
// `errors` what its errors are, in the reason; `origins` only names the years. estimate_drift ends
// with it for each drift.
void size_drift(DriftSize& size, double prior_sd, const DriftOptions& options, const std::vector<Date>& origins,
                const std::string& drift, const std::string& errors);

// Sets the scenario's entries and exits drifts to the level's, its moves drift to the moves'.
void apply_drift(const DriftEstimate& estimate, SystemicVariation& variation);

}  // namespace carecast
