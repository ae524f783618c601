// What each replication counts, and where in its table. A replication's tally is a dense table
// of integers, one row per reporting date (the origin, then each month end) and one column per
// (metric, category) cell, so the event loop only increments array slots.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.hpp"
#include "core/categories.hpp"

namespace carecast {

enum class MetricKind : std::uint8_t {
  stock,  // a count at the instant of the reporting date (end of day)
  flow,   // events in the month ending on the reporting date; none at the origin
};

struct MetricCell {
  std::string metric;
  std::string category;
  MetricKind kind;
};

// Column indices of every cell. The order is the order of forecast.csv.
struct Supply;

class TallyLayout {
 public:
  // With finite supply, the supply metrics are added; a resource's places are reported only where
  // the scenario makes it finite.
  explicit TallyLayout(const Supply* supply = nullptr);

  int cell_count() const { return static_cast<int>(cells_.size()); }
  const MetricCell& cell(int index) const { return cells_[index]; }
  const std::vector<MetricCell>& cells() const { return cells_; }
  // Index of a cell by names; -1 if there is none.
  int find(std::string_view metric, std::string_view category) const;

  // Column of each cell, for the event loop.
  int stock_all;
  int stock_by_category;     // + category index
  int stock_by_age_band;     // + age band index
  int uasc_stock;
  int entries_all;
  int entries_by_category;   // + first placement category
  int exits_all;
  int exits_by_reason;       // + exit reason
  int moves_all;
  int moves_by_category;     // + category the child moved from

  // Supply metrics: -1 when the scenario has no finite supply.
  int carer_households = -1;
  int approvals = -1;
  int deregistrations = -1;
  std::array<int, 5> places_available{-1, -1, -1, -1, -1};  // by Resource; -1 when unlimited
  std::array<int, 5> places_occupied{-1, -1, -1, -1, -1};
  int unmet_preference_all = -1;
  int unmet_preference_by_category = -1;  // + the category wanted
  int siblings_separated = -1;
  int supply_moves = -1;  // placement moves forced by a carer deregistering or a home closing
  int step_downs = -1;
  int step_down_breakdowns = -1;

 private:
  int add(std::string_view metric, std::string_view category, MetricKind kind);
  std::vector<MetricCell> cells_;
};

// The reporting dates of a forecast and their times on the simulation clock.
struct ReportingCalendar {
  Date origin;
  std::vector<Date> dates;   // origin, then every month end to the horizon
  std::vector<double> times; // days since the origin: end of each date
  static ReportingCalendar monthly(Date origin, Date horizon_end);
  int date_count() const { return static_cast<int>(dates.size()); }
};

}  // namespace carecast
