// Re-entry into care estimated from SSDA903 periods of care (scenario [re_entry]): after each period
// ending with a return home (E4A, E4B) or a child arrangements order (E41), the time at risk until the
// child's next period of care, 18th birthday or the end of the data, by age band and time since
// leaving; a next period is a re-entry. Time at risk and re-entries are weighted by recency as the other
// rates are (CalibrationOptions::half_life_years: constant within each month counted back from the
// as-of date, at the month's middle).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/calendar.hpp"
#include "history/ssda903.hpp"
#include "scenario/re_entry.hpp"

namespace carecast {

// The bands of time since leaving care calibration estimates a hazard for, in months: most
// returns home that break down do so in the first months; after two years few do.
inline constexpr std::array<std::int32_t, 4> kReEntryBandStartMonths = {0, 6, 12, 24};

// Whether period `index` of `child` is a re-entry: the period before it ended with a return home or a
// child arrangements order. Such a period is not a first entry.
bool is_re_entry(const ChildHistory& child, std::size_t index);

class ReEntryCounter {
 public:
  ReEntryCounter(Date window_start, Date as_of);
  void count(const ChildHistory& child);

  // Unweighted totals, for the report.
  std::size_t exits_home() const { return exits_home_; }
  std::size_t re_entries() const { return re_entries_; }
  double years_at_risk() const { return years_at_risk_; }
  // Unweighted re-entries and years at risk in one cell.
  double events(int age_band, int since_band) const;
  double years(int age_band, int since_band) const;
  // Children whose latest period of care began by the as-of date and ended by it with a return home
  // or an order, under 18 then: by age band on the as-of date and time-since-leaving band then.
  std::int32_t left_before(int age_band, int since_band) const {
    return left_before_[static_cast<std::size_t>(age_band)][static_cast<std::size_t>(since_band)];
  }

  // The hazard a year by age band and time-since-leaving band: weighted re-entries over weighted years
  // at risk, each cell shrunk towards its time-since-leaving band's rate over all ages by a prior worth
  // `prior_child_years` (and that band's rate towards the overall rate the same way). Disabled (no
  // bands) when nobody left for home or by an order in the window. With the counts of children who
  // left before the as-of date (left_before_origin).
  ReEntry estimate(double half_life_years, double prior_child_years) const;

 private:
  std::size_t cell(int age_band, int since_band) const {
    return (static_cast<std::size_t>(age_band) * kReEntryBandStartMonths.size() + static_cast<std::size_t>(since_band)) *
           months_;
  }
  void add_exposure(int age_band, int since_band, double from, double to);  // days since epoch
  void count_left_before(const ChildHistory& child, const std::array<double, kAgeBandCount + 1>& band_start);
  int month_back(double t) const;

  double window_start_;  // days since epoch, start of the day
  double end_;           // end of the as-of date
  std::size_t months_;
  std::vector<double> years_by_month_;   // [age band][since band][month back]
  std::vector<double> events_by_month_;  // [age band][since band][month back]
  std::array<std::array<std::int32_t, kReEntryBandStartMonths.size()>, kAgeBandCount> left_before_{};
  std::size_t exits_home_ = 0;
  std::size_t re_entries_ = 0;
  double years_at_risk_ = 0;
};

}  // namespace carecast
