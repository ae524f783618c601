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

}  // namespace carecast
