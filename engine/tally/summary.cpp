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

std::vector<SummaryRow> summarise(const RunResult& result) {
  std::vector<SummaryRow> rows;
  std::vector<double> values(static_cast<std::size_t>(result.runs));
  for (int cell = 0; cell < result.layout.cell_count(); ++cell) {
    const bool flow = result.layout.cell(cell).kind == MetricKind::flow;
    for (int date = flow ? 1 : 0; date < result.calendar.date_count(); ++date) {
      double sum = 0;
      for (int run = 0; run < result.runs; ++run) {
        values[run] = result.value(run, date, cell);
        sum += values[run];
      }
      SummaryRow row;
      row.cell = cell;
      row.date = date;
      row.mean = sum / result.runs;
      double squares = 0;
      for (double v : values) squares += (v - row.mean) * (v - row.mean);
      row.standard_error = result.runs > 1 ? std::sqrt(squares / (result.runs - 1) / result.runs) : 0.0;
      std::sort(values.begin(), values.end());
      for (int p = 0; p < kPercentileCount; ++p) row.percentile[p] = quantile_sorted(values, kPercentiles[p]);
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace carecast
