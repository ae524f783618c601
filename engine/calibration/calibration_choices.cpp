#include "calibration/calibration_choices.hpp"

#include "calibration/supply_from_returns.hpp"

namespace carecast {

CalibrationCandidate default_for(const FixedChoice& fixed) {
  CalibrationCandidate candidate = default_candidate();
  if (fixed.half_life_years) candidate.half_life_years = *fixed.half_life_years;
  if (fixed.trend == false) candidate.trend = false;
  if (fixed.damping) {
    candidate.trend = fixed.damping->has_value();
    candidate.trend_damping_per_year = fixed.damping->value_or(1);
  }
  return candidate;
}

std::int64_t calibration_runs(const CareHistory& history, Date as_of, const CalibrationChoices& choices) {
  const CrossValidationOptions cross_validation;
  const auto origins = static_cast<std::int64_t>(cross_validation_origins(history, as_of, cross_validation).size());
  const auto candidates = static_cast<std::int64_t>(candidates_for(choices.fixed).size());
  std::int64_t runs = 0;
  // cross_validate simulates only with several candidates and enough origins.
  if (choices.cross_validation && candidates > 1 && origins >= cross_validation.minimum_origins) {
    runs += origins * candidates * cross_validation.runs;
  }
  if (choices.drift) runs += origins * 3 * DriftOptions{}.runs;
  return runs;
}

ChosenCalibration calibrate_with_choices(const CareHistory& history, Date as_of, const CalibrationChoices& choices) {
  ChosenCalibration result = calibrate_rates_with_choices(history, as_of, choices);
  apply_in_house_capacity(history, as_of, choices, result);
  return result;
}

ChosenCalibration calibrate_rates_with_choices(const CareHistory& history, Date as_of, const CalibrationChoices& choices) {
  ChosenCalibration result;
  CalibrationOptions options;
  options.horizon_years = choices.horizon_years;
  options.estimate_variation = true;
  options.estimate_time_in_care = choices.time_in_care;
  const CalibrationCandidate fallback = default_for(choices.fixed);
  if (choices.cross_validation) {
    CrossValidationOptions cross_validation;
    cross_validation.threads = choices.threads;
    cross_validation.runs_done = choices.runs_done;
    cross_validation.in_house_capacity = choices.in_house_capacity;
    result.choice = cross_validate(history, as_of, options, candidates_for(choices.fixed), fallback, cross_validation);
  } else {
    result.choice.chosen = fallback;
    result.choice.reason = "the documented default or as given (--cross-validation off)";
  }
  result.choice.chosen.apply(options);
  result.scenario = calibrate(history, as_of, options, result.report);
  result.report.choice_note = "Half-life and trend: " + result.choice.chosen.label() + ", " + result.choice.reason + ".";
  if (choices.drift) {
    // Backtested from the cross-validation's origins, or the same rule's when it did not run.
    CrossValidationOptions rule;
    const std::vector<Date> origins =
        result.choice.performed ? result.choice.origins : cross_validation_origins(history, as_of, rule);
    DriftOptions drift;
    drift.threads = choices.threads;
    drift.runs_done = choices.runs_done;
    drift.in_house_capacity = choices.in_house_capacity;
    result.drift = estimate_drift(history, as_of, origins, options, drift);
    apply_drift(*result.drift, result.scenario.variation);
    result.report.drift_note = result.drift->reason();
  }
  return result;
}

void apply_in_house_capacity(const CareHistory& history, Date as_of, const CalibrationChoices& choices,
                             ChosenCalibration& calibrated) {
  if (!choices.in_house_capacity) return;
  SupplyFromFigures capacity = in_house_capacity_from_returns(history, as_of, calibrated.scenario);
  apply_supply(calibrated.scenario, capacity);
  calibrated.report.supply_notes = std::move(capacity.notes);
}

}  // namespace carecast
