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

void scale_starting_children(StartingCounts& counts, double scale) {
  std::vector<double> children;
  std::vector<double> uasc;
  for (const auto& category : counts.count)
    for (const auto& band : category) children.insert(children.end(), band.begin(), band.end());
  for (const auto& category : counts.uasc_count)
    for (const auto& band : category) uasc.insert(uasc.end(), band.begin(), band.end());
  const auto total = [](const std::vector<double>& cells) {
    double sum = 0;
    for (double x : cells) sum += x;
    return sum;
  };
  const std::vector<long long> scaled = apportion(std::llround(total(children) * scale), children);
  const std::vector<long long> scaled_uasc = apportion(std::llround(total(uasc) * scale), uasc);
  std::size_t k = 0;
  for (int c = 0; c < kCategoryCount; ++c)
    for (int b = 0; b < kAgeBandCount; ++b)
      for (int x = 0; x < kSexCount; ++x, ++k) {
        counts.count[c][b][x] = static_cast<int>(scaled[k]);
        counts.uasc_count[c][b][x] = static_cast<int>(std::min(scaled[k], scaled_uasc[k]));
      }
  counts.placements_since_april.reset();
}

}  // namespace carecast

namespace carecast {

std::int32_t largest_starting_age_days(Date origin) {
  return static_cast<std::int32_t>((origin - add_years(origin, -kCareEndsAtAgeYears)).count()) - 1;
}

}  // namespace carecast
