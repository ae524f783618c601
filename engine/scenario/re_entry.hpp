// Re-entry into care (scenario section [re_entry], scenarios/REFERENCE.md): a child who left care by
// returning home or by a child arrangements order may come back into care, at a hazard a year that is
// piecewise constant by the time since leaving and by the child's age band at the time.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/categories.hpp"

namespace carecast {

struct ReEntry {
  // Start of each time-since-leaving band in months: first 0, strictly increasing; the last band
  // is open-ended.
  std::vector<std::int32_t> band_starts_months;
  // Hazard a year of re-entry, by age band, one per time-since-leaving band.
  std::array<std::vector<double>, kAgeBandCount> hazard_per_year;
  // Children who left care by returning home or by a child arrangements order before the origin and
  // are under 18 at the origin, by age band at the origin, one count per time-since-leaving band
  // (time since leaving at the origin). Empty for an age band with none. They may come back.
  std::array<std::vector<std::int32_t>, kAgeBandCount> left_before_origin;

  bool enabled() const { return !band_starts_months.empty(); }
  bool has_left_before_origin() const {
    for (const auto& counts : left_before_origin) {
      for (std::int32_t count : counts) {
        if (count > 0) return true;
      }
    }
    return false;
  }
  int band_count() const { return static_cast<int>(band_starts_months.size()); }
  // Months of 365.25 / 12 days.
  double band_start_days(int band) const { return band_starts_months[static_cast<std::size_t>(band)] * (365.25 / 12); }
};

// Exits after which a child may come back into care.
constexpr bool may_re_enter_after(ExitReason reason) {
  return reason == ExitReason::returned_home || reason == ExitReason::child_arrangements_order;
}

}  // namespace carecast
