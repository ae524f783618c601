#include "scenario/scenario.hpp"

namespace carecast {

double EntryStream::total_per_year() const {
  double total = 0;
  for (const auto& band : expected_per_year) {
    for (double x : band) total += x;
  }
  return total;
}

Date Scenario::horizon_end() const { return add_years(origin, horizon_years); }

}  // namespace carecast

namespace carecast {

std::int32_t largest_starting_age_days(Date origin) {
  return static_cast<std::int32_t>((origin - add_years(origin, -kCareEndsAtAgeYears)).count()) - 1;
}

}  // namespace carecast
