// Calibration as `carecast calibrate` does it, in one place, so that `backtest` judges the very
// model a council would get: the recency half-life and entry trend chosen by rolling-origin
// cross-validation (cross_validation.hpp), the rates and year-to-year variation estimated with
// that choice (estimation.hpp), and the drift sized from the council's own record of forecast
// errors (drift_estimation.hpp). Before this, backtests calibrated with no recency weighting, no
// trend and no year-to-year variation: a different, narrower model than the one calibrate writes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "calibration/cross_validation.hpp"
#include "calibration/drift_estimation.hpp"
#include "calibration/estimation.hpp"
#include "history/ssda903.hpp"

namespace carecast {

struct CalibrationChoices {
  FixedChoice fixed;             // what the user fixed (--half-life-years, --trend, --trend-damping)
  bool cross_validation = true;  // off: the documented default for what is not fixed
  bool drift = true;             // off: no drift
  bool time_in_care = true;      // off: hazards do not depend on time in care ([time_in_care])
  // off: in-house and agency foster care keep the shares the returns give, with no limit on in-house places
  bool in_house_capacity = true;
  int horizon_years = 5;
  int threads = 0;               // 0 = every core; results do not depend on it
  // If given, called after each simulation of cross-validation and of the drift's backtests with
  // its number of runs (for progress; calibration_runs gives the total).
  std::function<void(int runs)> runs_done;
};

// How many runs calibrate_with_choices will simulate on this history: cross-validation's
// candidates at each origin, and the drift's three simulations at each. 0 when it simulates nothing.
std::int64_t calibration_runs(const CareHistory& history, Date as_of, const CalibrationChoices& choices);

// The default candidate with what `fixed` fixes: the choice when cross-validation is off or the
// history too short.
CalibrationCandidate default_for(const FixedChoice& fixed);

struct ChosenCalibration {
  Scenario scenario;
  CalibrationReport report;            // its choice_note and drift_note filled in
  CrossValidationResult choice;
  std::optional<DriftEstimate> drift;  // when sized
};

// Calibrates on `history` as of `as_of` (which becomes the origin) with every choice calibrate
// makes, the in-house carers' capacity included (supply_from_returns.hpp). Throws as calibrate does.
ChosenCalibration calibrate_with_choices(const CareHistory& history, Date as_of, const CalibrationChoices& choices);

// calibrate_with_choices in its two steps, for calibrate --pool-councils, which pools the councils' rates between
// them: everything but the in-house carers' capacity, and then that capacity (when choices.in_house_capacity),
// which depends on the rates.
ChosenCalibration calibrate_rates_with_choices(const CareHistory& history, Date as_of, const CalibrationChoices& choices);
void apply_in_house_capacity(const CareHistory& history, Date as_of, const CalibrationChoices& choices,
                             ChosenCalibration& calibrated);

}  // namespace carecast
