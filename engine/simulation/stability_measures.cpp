// The DfE stability measures of one replication (docs/sources.md, "Placement stability measures"),
// and the end of a run: open stays booked in the cost ledger (cost_ledger.hpp), moves per
// child-year and entries by financial year.
#include <algorithm>
#include <array>
#include <cmath>

#include "simulation/replication.hpp"

namespace carecast {
namespace {

bool is_31_march(Date date) {
  const std::chrono::year_month_day ymd{date};
  return ymd.month() == std::chrono::March && ymd.day() == std::chrono::day{31};
}

}  // namespace

// At each 31 March (docs/sources.md, "Placement stability measures"), before the new collection year's reset:
//  - short term: % of children looked after with 3 or more placements in the year;
//  - long term: of children under 16 looked after continuously for 2.5 years or more, % in the
//    same placement for 2 years or more (placed for adoption: with the previous placement).
// Every move in the simulation is a change of carer, so every placement counts.
void ReplicationRunner::record_stability(int date_index) {
  if (measures_.empty()) return;
  const Date date = calendar_.dates[static_cast<std::size_t>(date_index)];
  if (!is_31_march(date)) return;
  const double now = calendar_.times[static_cast<std::size_t>(date_index)];
  const double care_needed = days_between(months_before(date, 30), date);
  const double placement_needed = days_between(months_before(date, 24), date);
  int with_three = 0;
  int long_term_children = 0;
  int long_term_stable = 0;
  for (std::uint32_t index : in_care_) {
    const ChildState& child = children_[index];
    if (child.placements_this_year >= 3) ++with_three;
    const bool under_16 = child.birthday_time[kAgeBandCount - 2] >= now;  // 16th birthday not begun
    if (!under_16 || now - child.care_start < care_needed) continue;
    ++long_term_children;
    const double since = child.category == Category::placed_for_adoption ? child.previous_placement_start
                                                                          : child.placement_start;
    if (now - since >= placement_needed) ++long_term_stable;
  }
  double* row = measures_.data() + static_cast<std::size_t>(date_index) * static_cast<std::size_t>(layout_.measure_count());
  if (!in_care_.empty()) row[layout_.stability_short_term] = 100.0 * with_three / static_cast<double>(in_care_.size());
  if (long_term_children > 0) row[layout_.stability_long_term] = 100.0 * long_term_stable / long_term_children;
}

// At the end of a run: books the stays still open and the fixed costs, inflates, and writes the
// cost and moves measures.
void ReplicationRunner::finish_measures() {
  const Costs& costs = scenario_.costs;
  const double horizon = model_->horizon_time;
  if (follows_care_leavers()) care_leavers_.finish();
  for (std::uint32_t index : in_care_) {
    const ChildState& child = children_[index];
    ledger_.book_stay(child.cost_category, child.cost_per_day, child.placement_start, horizon);
    ledger_.book_care_days(child.care_start, horizon);
  }
  if (measures_.empty()) return;
  const MonthlyBook& care_days = ledger_.settled_care_days();
  const int dates = calendar_.date_count();
  const auto width = static_cast<std::size_t>(layout_.measure_count());
  auto at = [&](int date, int column) -> double& {
    return measures_[static_cast<std::size_t>(date) * width + static_cast<std::size_t>(column)];
  };

  // Moves per child-year in care, over each financial year (from the origin) ending at a 31 March.
  {
    double moves = 0;
    double days = 0;
    for (int d = 1; d < dates; ++d) {
      moves += tally_[static_cast<std::size_t>(d) * row_width_ + static_cast<std::size_t>(layout_.moves_all)];
      days += care_days.at(d, 0);
      if (!is_31_march(calendar_.dates[static_cast<std::size_t>(d)])) continue;
      if (days > 0) at(d, layout_.moves_per_child_year) = moves / (days / kDaysPerYear);
      moves = days = 0;
    }
  }
  // Entries in each financial year (from the origin, for the first) ending at a 31 March, in all
  // and coming back into care: a year's total, whose spread over runs the monthly counts cannot give.
  {
    double entries = 0;
    double re_entries = 0;
    for (int d = 1; d < dates; ++d) {
      const std::size_t row = static_cast<std::size_t>(d) * row_width_;
      entries += tally_[row + static_cast<std::size_t>(layout_.entries_all)];
      re_entries += tally_[row + static_cast<std::size_t>(layout_.entries_re_entry)];
      if (!is_31_march(calendar_.dates[static_cast<std::size_t>(d)])) continue;
      at(d, layout_.entries_financial_year_all) = entries;
      at(d, layout_.entries_financial_year_re_entry) = re_entries;
      entries = re_entries = 0;
    }
  }
  record_repeat_entries();
  if (!costs.enabled) return;

  // Fixed costs over the days each is open.
  for (const InHouseHome& home : scenario_.supply.homes) {
    if (!scenario_.supply.enabled) break;
    const double opens = days_between(model_->origin, home.opens) - 1.0;
    const double closes = home.closes ? days_between(model_->origin, *home.closes) - 1.0 : horizon;
    ledger_.book_stay(static_cast<int>(Category::childrens_home_in_house), home.annual_cost / kDaysPerYear, opens,
                      closes);
  }
  // A region's joint home: each council pays an equal share of its running cost from its opening.
  if (shared_ != nullptr && shared_->region().joint_home && scenario_.supply.enabled) {
    const JointHome& home = *shared_->region().joint_home;
    ledger_.book_stay(static_cast<int>(Category::childrens_home_in_house),
                      home.annual_cost / static_cast<double>(shared_->region().councils.size()) / kDaysPerYear,
                      days_between(model_->origin, home.opens) - 1.0, horizon);
  }
  for (std::size_t h = 0; h < household_since_.size(); ++h) {
    if (!pool_.household(static_cast<std::int32_t>(h)).active) continue;
    ledger_.book_stay(static_cast<int>(CostCategory::carer_support),
                      costs.carer_support_per_household_per_year / kDaysPerYear, household_since_[h], horizon);
  }

  ledger_.write_cost_measures(measures_, layout_);
}

}  // namespace carecast
