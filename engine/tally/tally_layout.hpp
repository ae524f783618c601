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
  // A measure is a real number computed per run (costs, stability): stored apart from the integer
  // tally, and defined only at some dates (NaN elsewhere). A probability is a 0/1 event per run
  // whose summary is its mean, repeated in the percentile columns.
  bool measure = false;
  bool probability = false;
};

// What costs are booked under: each placement category's weekly costs (and, for
// childrens_home_in_house, the fixed cost of the council's own homes), then these.
inline constexpr int kExtraCostCount = 6;
inline constexpr std::array<std::string_view, kExtraCostCount> kExtraCostNames = {
    "carer_support", "step_down_specialist", "adoption_fee", "recruitment", "step_down_package", "care_leavers"};
inline constexpr int kCostCategoryCount = kCategoryCount + kExtraCostCount;
enum class CostCategory : int {
  carer_support = kCategoryCount,
  step_down_specialist,
  adoption_fee,
  recruitment,
  step_down_package,
  care_leavers,  // care leavers aged 18 to 25 (simulation/care_leavers.hpp)
};

// Column indices of every cell. The order is the order of forecast.csv.
struct Supply;
struct Costs;
struct CareLeaverSettings;

class TallyLayout {
 public:
  // With finite supply, the supply metrics are added; a resource's places are reported only where
  // the scenario makes it finite.
  // With costs, the cost measures are added. Stability measures are always there.
  // With care leavers, their counts are added, and a replication follows care leavers only then.
  explicit TallyLayout(const Supply* supply = nullptr, const Costs* costs = nullptr,
                       const CareLeaverSettings* care_leavers = nullptr);

  int cell_count() const { return static_cast<int>(cells_.size()); }
  // Measures are numbered after the tally's cells: cell(cell_count() + m) is measure m.
  int measure_count() const { return static_cast<int>(measures_.size()); }
  const MetricCell& cell(int index) const {
    return index < cell_count() ? cells_[index] : measures_[index - cell_count()];
  }
  const std::vector<MetricCell>& cells() const { return cells_; }
  // Index of a cell by names; -1 if there is none.
  int find(std::string_view metric, std::string_view category) const;
  // A count at each date that a region adds after its councils' cells (region_replication.hpp).
  int add_region_count(std::string_view metric, std::string_view category) { return add(metric, category, MetricKind::stock); }

  // Column of each cell, for the event loop.
  int stock_all;
  int stock_by_category;     // + category index
  int stock_by_age_band;     // + age band index
  int uasc_stock;
  int entries_all;
  int entries_by_category;   // + first placement category
  int entries_re_entry;      // children coming back into care: counted here, not by first placement
  int exits_all;
  int exits_by_reason;       // + exit reason
  int moves_all;
  int moves_by_category;     // + category the child moved from
  int three_plus_placements; // children reaching their 3rd placement of the collection year

  // Supply metrics: -1 when the scenario has no finite supply.
  int carer_households = -1;
  int approvals = -1;
  int deregistrations = -1;
  std::array<int, 5> places_available{-1, -1, -1, -1, -1};  // by Resource; -1 when unlimited
  std::array<int, 5> places_occupied{-1, -1, -1, -1, -1};
  int unmet_preference_all = -1;
  int unmet_preference_by_category = -1;  // + the category wanted
  int unregistered_placements = -1;  // children in unregistered arrangements: nothing registered was free
  int siblings_separated = -1;
  int supply_moves = -1;  // placement moves forced by a carer deregistering or a home closing
  int step_downs = -1;
  int step_down_breakdowns = -1;
  // Distance from home: children looked after placed outside the council's area, and more than 20
  // miles from home, at the date; -1 without [supply.location].
  int placed_outside_council_count = -1;
  int placed_over_20_miles_count = -1;
  // Children's needs: children in a placement that does not meet their assessed needs level, and
  // children by level, at the date; -1 without [supply.needs].
  int unmet_need = -1;
  int children_by_needs_level = -1;  // + needs level
  // Care leavers aged 18 to 25 at the date, in all, by status and by age band (18 to 20, 21 to 25),
  // and those staying put; -1 without [care_leavers].
  int care_leavers_all = -1;
  int care_leavers_by_status = -1;    // + CareLeaverStatus
  int care_leavers_by_age_band = -1;  // + care-leaver age band
  int staying_put = -1;

  // Measures (indices into the measure table, not the tally).
  int stability_short_term = -1;   // % of children looked after at 31 March with 3+ placements in the year
  int stability_long_term = -1;    // % of under-16s in care 2.5+ years in the same placement 2+ years
  int moves_per_child_year = -1;   // placement moves in the financial year per child-year in care
  int repeat_entry_percent = -1;   // % of entries in the financial year who were looked after before
  // Children who started care in the financial year (from the origin, for the first), at each
  // 31 March: in all, and those coming back into care ([re_entry]).
  int entries_financial_year_all = -1;
  int entries_financial_year_re_entry = -1;
  int cost_all = -1;               // £ in the month; -1 without costs
  int cost_by_category = -1;       // + cost category
  int cost_financial_year_all = -1;  // £ in the financial year, at 31 March and the horizon
  int cost_financial_year_by_category = -1;
  int cost_cumulative = -1;        // £ from the origin to the date
  int cost_npv = -1;               // £ discounted to the origin, at the horizon
  int budget_exceedance = -1;      // at each financial year end with a budget
  int budget_overspend = -1;       // £ above the budget (0 if within it); its mean is the expected overspend
  int placed_outside_council = -1;  // % of children looked after placed outside the council's area
  int placed_over_20_miles = -1;    // % of children looked after placed more than 20 miles from home

 private:
  int add(std::string_view metric, std::string_view category, MetricKind kind);
  int add_measure(std::string_view metric, std::string_view category, MetricKind kind, bool probability = false);
  std::vector<MetricCell> cells_;
  std::vector<MetricCell> measures_;
};

// The reporting dates of a forecast and their times on the simulation clock.
struct ReportingCalendar {
  Date origin;
  std::vector<Date> dates;   // origin, then every month end to the horizon
  std::vector<double> times; // days since the origin: end of each date
  static ReportingCalendar monthly(Date origin, Date horizon_end);
  int date_count() const { return static_cast<int>(dates.size()); }
  // The index of `date` among the dates, or -1 if it is not a reporting date.
  int index_of(Date date) const;
};

}  // namespace carecast
