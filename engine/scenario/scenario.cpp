#include "scenario/scenario.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/apportion.hpp"

namespace carecast {

double EntryStream::total_per_year() const {
  double total = 0;
  for (const auto& band : expected_per_year) {
    for (double x : band) total += x;
  }
  return total;
}

Date Scenario::horizon_end() const { return add_years(origin, horizon_years); }

PerCategory<PerAgeBand<PerSex<int>>> apportion_cells(long long total, const PerCategory<PerAgeBand<PerSex<int>>>& weights) {
  std::vector<double> cells;
  for (const auto& category : weights)
    for (const auto& band : category) cells.insert(cells.end(), band.begin(), band.end());
  const std::vector<long long> shares = apportion(total, cells);
  PerCategory<PerAgeBand<PerSex<int>>> table{};
  std::size_t k = 0;
  for (auto& category : table)
    for (auto& band : category)
      for (int& cell : band) cell = static_cast<int>(shares[k++]);
  return table;
}

void scale_starting_children(StartingCounts& counts, double scale) {
  const auto total = [](const PerCategory<PerAgeBand<PerSex<int>>>& table) {
    long long sum = 0;
    for (const auto& category : table)
      for (const auto& band : category) sum += band[0] + band[1];
    return static_cast<double>(sum);
  };
  const auto uasc = apportion_cells(std::llround(total(counts.uasc_count) * scale), counts.uasc_count);
  counts.count = apportion_cells(std::llround(total(counts.count) * scale), counts.count);
  for (int c = 0; c < kCategoryCount; ++c)
    for (int b = 0; b < kAgeBandCount; ++b)
      for (int x = 0; x < kSexCount; ++x) counts.uasc_count[c][b][x] = std::min(counts.count[c][b][x], uasc[c][b][x]);
  counts.placements_since_april.reset();
}

}  // namespace carecast

namespace carecast {

std::int32_t largest_starting_age_days(Date origin) {
  return static_cast<std::int32_t>((origin - add_years(origin, -kCareEndsAtAgeYears)).count()) - 1;
}

}  // namespace carecast
