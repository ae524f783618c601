// Backtest: does the model forecast better than naive methods on this council's own history?
// From each origin, calibrate only on data up to the origin, forecast, and compare with what the
// data shows afterwards; score the same way two baselines: persistence (the stock stays as it was
// at the origin) and a deterministic mean-rate projection (the exact expectation of the
// calibrated rates, with no uncertainty).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "calibration/calibration_choices.hpp"
#include "evaluation/forecast_run_settings.hpp"
#include "history/ssda903.hpp"

namespace carecast {

struct BacktestOptions : ForecastRunSettings {
  std::vector<Date> origins;
  int horizon_months = 12;
  // Each origin is calibrated as `carecast calibrate` would on the data up to it (half-life and
  // trend by cross-validation, year-to-year variation, drift), so the backtest judges the model a
  // council gets. Its horizon and threads are set from the options above.
  CalibrationChoices calibration;
  // If given, called after each block of runs with the number it held (for progress).
  std::function<void(int runs)> runs_done;
};

inline constexpr const char* kBacktestMethods[] = {"carecast", "persistence", "mean_rate"};

// One forecast of one quantity at one date, beside the truth. Point forecasts (the baselines)
// have all percentiles equal and no interval.
struct BacktestRow {
  Date origin;
  std::string method;
  std::string category;  // a placement category or "all"
  int horizon_months = 0;
  Date date;
  double truth = 0;
  double p05 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0;
  double crps = 0;
  bool has_interval = false;
};

struct BacktestSummaryRow {
  std::string method;
  std::string category;
  int forecasts = 0;
  double coverage_50 = 0;  // share of truths inside the 50% interval (NaN for point forecasts)
  double coverage_90 = 0;
  double median_absolute_percentage_error = 0;  // of the median
  double mean_crps = 0;
};

struct BacktestResult {
  std::vector<BacktestRow> rows;
  std::vector<BacktestSummaryRow> summary;  // over every origin and horizon, by method and category
};

// Children looked after at the end of `date`, by category, according to the history.
PerCategory<int> observed_stock(const CareHistory& history, Date date);

// Each 31 March with at least a year of data before it and at least a month after it.
std::vector<Date> yearly_origins(const CareHistory& history);

BacktestResult run_backtest(const CareHistory& history, const BacktestOptions& options);

}  // namespace carecast
