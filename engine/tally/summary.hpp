// Across-run statistics of each (metric, category, date) cell: the forecast distribution.
#pragma once

#include <vector>

#include "simulation/runner.hpp"

namespace carecast {

inline constexpr int kPercentileCount = 5;
inline constexpr double kPercentiles[kPercentileCount] = {0.05, 0.25, 0.50, 0.75, 0.95};

struct SummaryRow {
  int cell = 0;
  int date = 0;
  double mean = 0;
  double standard_error = 0;  // of the mean, across runs
  double percentile[kPercentileCount] = {};
};

// Sample quantile with linear interpolation between order statistics (Hyndman and Fan type 7,
// the default of R and NumPy). `sorted` must be sorted and non-empty.
double quantile_sorted(const std::vector<double>& sorted, double p);

// The same quantile from unsorted values, by selecting the two order statistics it needs
// (linear time; `values` is left partly ordered). Equal to quantile_sorted on the sorted values.
double quantile_selected(std::vector<double>& values, double p);

// One row per cell and date, in layout order then date order; flows have no row at the origin.
std::vector<SummaryRow> summarise(const RunResult& result);

}  // namespace carecast
