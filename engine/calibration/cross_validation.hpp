// Choosing how calibration weighs its history (issue 10): the recency half-life and the entry
// trend's damping, by rolling-origin cross-validation on the council's own returns.
//
// For each 31 March inside the history with at least `minimum_years_before` years of data before
// it and at least a year of data after it (up to the as-of date, never later: the choice may use
// only what calibration may), each candidate is calibrated on the data up to that 31 March,
// simulated for `runs` replications (same seed for every candidate, so they differ by their rates,
// not by chance), and scored against the children looked after 1, 2 and 3 years later (as far as
// the data go): the CRPS of the total plus the sum of the CRPS of each category, divided by the
// total looked after at that 31 March. So the total and the categories together weigh the same,
// and each origin and horizon counts by its relative error whatever the council's size. A
// candidate's score is the mean over every origin and horizon; the lowest wins, except that the
// default (when it is a candidate) stands unless the lowest beats it by more than one standard
// error of their paired difference: with a few origins, the lowest of many is partly luck.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "calibration/estimation.hpp"
#include "history/ssda903.hpp"

namespace carecast {

struct CalibrationCandidate {
  double half_life_years = 0;  // 0 = no recency weighting
  bool trend = false;          // entries follow the estimated trend
  double trend_damping_per_year = 1;
  std::string label() const;   // e.g. "half-life 2 y, trend damped 0.8/y"
  void apply(CalibrationOptions& options) const;
};

// The documented defaults, used when the history is too short to cross-validate (or with
// --cross-validation off), and the choice that stands unless cross-validation finds a clearly
// better one: a half-life of 3 years and a trend damped by 0.8 a year. 0.8 is within the range
// damped-trend forecasting finds robust for yearly series (Gardner and McKenzie); at 0.5 the
// growth still to come is only one more year's. On the validation worlds (40 x 3 origins), damped
// trends around this default left the total two years ahead 1.5% short on average, against 3%
// with a default of 0.5 and flat entries among the candidates.
inline constexpr double kDefaultHalfLifeYears = 3;
inline constexpr double kDefaultTrendDamping = 0.8;
CalibrationCandidate default_candidate();

struct CrossValidationOptions {
  int runs = 40;
  std::uint64_t seed = 1;
  int threads = 0;                 // 0 = every core; results do not depend on it
  int minimum_years_before = 3;    // of data before an origin
  int maximum_origins = 5;         // the most recent
  int minimum_origins = 2;         // fewer: the defaults are used
  // Give each origin's scenario the in-house carers' capacity the returns show then
  // (supply_from_returns.hpp), as calibrate gives the final one, so candidates are judged on the
  // forecasts calibrate will make.
  bool in_house_capacity = false;
  // If given, called after each candidate's runs at each origin with their number (for progress).
  std::function<void(int runs)> runs_done;
};

// Half-lives {1, 2, 3, 5 years, none} x trends {none, damped 0.5, damped 0.8, undamped} (calibrate
// leaves out "none" unless --trend auto), or only
// the given half-life and/or trend where they are fixed (nullopt: cross-validated). A fixed trend
// of nullopt-valued damping means "no trend".
struct FixedChoice {
  std::optional<double> half_life_years;           // 0 = none
  std::optional<std::optional<double>> damping;    // set: fixed; inner nullopt = no trend
  std::optional<bool> trend;                        // --trend on/off, when given
};
std::vector<CalibrationCandidate> candidates_for(const FixedChoice& fixed);

struct CandidateScore {
  CalibrationCandidate candidate;
  double score = 0;                   // mean over origins and horizons
  std::vector<double> by_horizon;     // mean at 1, 2, 3 years (NaN where no origin reaches it)
  int forecasts = 0;                  // origin x horizon pairs scored
  std::vector<double> values;         // each origin and horizon's score, in the same order for all
};

struct CrossValidationResult {
  bool performed = false;
  std::vector<Date> origins;
  std::vector<CandidateScore> scores;  // in the candidates' order
  CalibrationCandidate chosen;
  std::string reason;                  // one sentence for the scenario's comments
  double seconds = 0;
  void print(std::ostream& out) const;
};

// 31 Marches usable as origins: oldest first.
std::vector<Date> cross_validation_origins(const CareHistory& history, Date as_of,
                                           const CrossValidationOptions& options);

// Scores every candidate (with `base`'s other options: its variation estimate, priors, bands) and
// picks the lowest; with fewer than options.minimum_origins origins, or a single candidate, picks
// `fallback` (or the single candidate) without simulating.
CrossValidationResult cross_validate(const CareHistory& history, Date as_of, const CalibrationOptions& base,
                                     const std::vector<CalibrationCandidate>& candidates,
                                     const CalibrationCandidate& fallback, const CrossValidationOptions& options);

}  // namespace carecast
