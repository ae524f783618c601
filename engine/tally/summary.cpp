#include "tally/summary.hpp"

#include <algorithm>
#include <cmath>

namespace carecast {

double quantile_sorted(const std::vector<double>& sorted, double p) {
  const double position = p * static_cast<double>(sorted.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted[below] + fraction * (sorted[above] - sorted[below]);
}

double quantile_selected(std::vector<double>& values, double p) {
  const double position = p * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  const auto at = values.begin() + static_cast<std::ptrdiff_t>(below);
  std::nth_element(values.begin(), at, values.end());
  const double above_value = above > below ? *std::min_element(at + 1, values.end()) : *at;
  return *at + fraction * (above_value - *at);
}

std::vector<SummaryRow> summarise(const RunResult& result) {
  std::vector<SummaryRow> rows;
  std::vector<double> values;
  const int cells = result.layout.cell_count() + result.layout.measure_count();
  for (int cell = 0; cell < cells; ++cell) {
    const MetricCell& metric = result.layout.cell(cell);
    const bool flow = metric.kind == MetricKind::flow;
    for (int date = flow ? 1 : 0; date < result.calendar.date_count(); ++date) {
      // Measures are defined only at some dates (NaN elsewhere) and, for a ratio, only in the
      // runs where its denominator is not 0: the summary is over the runs that define it.
      values.clear();
      double sum = 0;
      for (int run = 0; run < result.runs; ++run) {
        const double v = result.number(run, date, cell);
        if (std::isnan(v)) continue;
        values.push_back(v);
        sum += v;
      }
      if (values.empty()) continue;
      const auto n = static_cast<double>(values.size());
      SummaryRow row;
      row.cell = cell;
      row.date = date;
      row.mean = sum / n;
      double squares = 0;
      for (double v : values) squares += (v - row.mean) * (v - row.mean);
      row.standard_error = n > 1 ? std::sqrt(squares / (n - 1) / n) : 0.0;
      for (int p = 0; p < kPercentileCount; ++p) {
        row.percentile[p] = metric.probability ? row.mean : quantile_selected(values, kPercentiles[p]);
      }
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace carecast
