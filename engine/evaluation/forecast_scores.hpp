// Scores of a forecast against what happened: how a backtest tells whether the model adds skill
// over naive methods.
#pragma once

#include <vector>

namespace carecast {

// Continuous ranked probability score of an ensemble (the runs' values) for an observed value,
// E|X - y| - E|X - X'| / 2 over the empirical distribution; lower is better, and for a single
// value it is the absolute error, so point forecasts are scored on the same scale.
// `sorted_sample` must be sorted and non-empty.
double crps_sorted(const std::vector<double>& sorted_sample, double observed);

// Median of absolute percentage errors, skipping cases whose truth is 0. NaN if none is left.
double median_absolute_percentage_error(const std::vector<double>& forecast, const std::vector<double>& truth);

// An ensemble forecast of one value against what was observed: percentiles (type 7), whether the
// observed value lies inside the middle 50% (p25 to p75) and 90% (p05 to p95), inclusive, the
// CRPS, and the median's error (median - observed).
struct EnsembleScore {
  double p05 = 0, p25 = 0, p50 = 0, p75 = 0, p95 = 0;
  bool inside_50 = false;
  bool inside_90 = false;
  double crps = 0;
  double error = 0;
};
// `sample` must be non-empty and hold no NaN.
EnsembleScore score_ensemble(std::vector<double> sample, double observed);

}  // namespace carecast
