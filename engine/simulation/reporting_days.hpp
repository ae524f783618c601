// Which reporting date an event falls before. Reporting times are whole days, and an event at the
// very instant of a snapshot comes after it; the replication (stays by age band) and the cost ledger
// (stays booked by month) both count this way, from one table.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#include "tally/tally_layout.hpp"

namespace carecast {

class ReportingDays {
 public:
  explicit ReportingDays(const ReportingCalendar& calendar) : date_count_(calendar.date_count()) {
    const auto last_day = static_cast<std::size_t>(calendar.times.back());
    first_at_or_after_.resize(last_day + 1);
    int date = 0;
    for (std::size_t day = 0; day <= last_day; ++day) {
      while (calendar.times[static_cast<std::size_t>(date)] < static_cast<double>(day)) ++date;
      first_at_or_after_[day] = date;
    }
  }
  // The index of the first reporting date at clock time >= `day` (a whole day up to the last date's).
  int first_at_or_after(std::size_t day) const { return first_at_or_after_[day]; }
  // The index of the first reporting date whose snapshot comes after an event at `time`; the count
  // of dates when none does.
  int first_after(double time) const {
    if (time < 0) return 0;
    const double day = std::floor(time) + 1;
    return day < static_cast<double>(first_at_or_after_.size()) ? first_at_or_after_[static_cast<std::size_t>(day)]
                                                                : date_count_;
  }

 private:
  std::vector<int> first_at_or_after_;  // [n]: the first reporting date at clock time >= n
  int date_count_ = 0;
};

}  // namespace carecast
