// Costs and the DfE stability measures of one replication (docs/sources.md, "Placement stability measures" and "Unit costs").
//
// Costs are booked per stay, not per day: when a placement ends (or at the horizon) its weekly
// cost / 7 times its days is split across the reporting months it overlaps. Fixed costs (in-house
// homes, carer households' support) are booked the same way over the days they are open, and
// one-off costs in the month they happen. Everything is in base-year prices until the end of the
// run, when each month is inflated by its financial year.
#include <algorithm>
#include <array>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>

#include "simulation/replication.hpp"

namespace carecast {
namespace {

constexpr double kDaysPerWeek = 7.0;

// The inverse error function in double precision: Boost's default policy works in long double,
// several times slower, for precision a cost factor does not need.
using DoublePrecision = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

int financial_year_of(Date date) {
  return static_cast<int>(std::chrono::year_month_day{financial_year_start(date)}.year());
}

bool is_31_march(Date date) {
  const std::chrono::year_month_day ymd{date};
  return ymd.month() == std::chrono::March && ymd.day() == std::chrono::day{31};
}

}  // namespace

// The current placement's cost a day: its category's weekly cost (a specialist step-down carer's
// for a step-down place), times a lognormal factor with mean 1 and the category's coefficient of
// variation. One uniform is drawn from the child's own cost stream for every placement, whatever
// its category, so a child's k-th placement meets the same chance under every option.
void ReplicationRunner::price_placement(std::uint32_t index) {
  ChildState& child = children_[index];
  const Costs& costs = scenario_.costs;
  if (!costs.enabled) return;
  const double u = uniform_open01(child.cost_stream);
  const int c = static_cast<int>(child.category);
  double weekly = costs.weekly[c];
  if (scenario_.supply.enabled) weekly = market_.weekly_price(child.place, weekly, child.placement_start);
  // A region's shared place: the region's price for the part, and its framework price.
  if (child.place.area >= 0) weekly = shared_->weekly_price(child.place.category, costs.weekly[c], child.placement_start);
  if (needs_.enabled()) weekly *= needs_.cost_multiplier(child.needs_level);
  bool varies = costs.coefficient_of_variation[c] > 0;
  child.cost_category = static_cast<std::uint8_t>(c);
  if (child.place.step_down && scenario_.supply.step_down) {
    weekly = scenario_.supply.step_down->weekly_cost;
    varies = false;
    child.cost_category = static_cast<std::uint8_t>(CostCategory::step_down_specialist);
  }
  double factor = 1;
  if (varies) {
    const double z = -std::sqrt(2.0) * boost::math::erfc_inv(2 * u, DoublePrecision());
    factor = std::exp(cost_log_mean_[c] + cost_log_sd_[c] * z);
  }
  child.cost_per_day = weekly * factor / kDaysPerWeek;
}

// Adds per_day times the length of [from, to] (clipped to the origin and the horizon) to
// `column` of each month the interval overlaps. Month row d covers clock times
// (times[d-1], times[d]]. The part months at each end are booked directly; the whole months
// between them as a change in the amount a day, from the first whole month to the last month.
void ReplicationRunner::accrue(MonthlyBook& book, int column, double per_day, double from, double to) {
  if (per_day == 0) return;
  from = std::max(from, 0.0);
  to = std::min(to, model_->horizon_time);
  if (to <= from) return;
  const int first = std::max(first_date_after(from), 1);
  if (first >= calendar_.date_count()) return;
  const double first_end = calendar_.times[static_cast<std::size_t>(first)];
  if (to <= first_end) {
    book.at(first, column) += per_day * (to - from);
    return;
  }
  book.at(first, column) += per_day * (first_end - from);
  // The month `to` falls in: reporting times are whole days, so the first at or after ceil(to).
  const int last = first_date_at_or_after_[static_cast<std::size_t>(std::ceil(to))];
  book.at(last, column) += per_day * (to - calendar_.times[static_cast<std::size_t>(last - 1)]);
  if (last > first + 1) {
    MonthlyBook::Cell& opens = book.cell(first + 1, column);
    MonthlyBook::Cell& closes = book.cell(last, column);
    opens.per_day_change += per_day;
    closes.per_day_change -= per_day;
    ++opens.open_change;
    --closes.open_change;
  }
}

// Adds each month's whole-month amounts: the running amount a day times the month's days. When
// no stay is running the amount a day is exactly 0, whatever rounding the changes left.
void ReplicationRunner::settle(MonthlyBook& book) const {
  std::array<double, kCostCategoryCount> per_day{};  // no book is wider than the cost categories
  std::array<std::int32_t, kCostCategoryCount> open{};
  for (int d = 1; d < calendar_.date_count(); ++d) {
    const double days = calendar_.times[static_cast<std::size_t>(d)] - calendar_.times[static_cast<std::size_t>(d - 1)];
    for (int c = 0; c < book.width; ++c) {
      MonthlyBook::Cell& cell = book.cell(d, c);
      const auto column = static_cast<std::size_t>(c);
      per_day[column] += cell.per_day_change;
      open[column] += cell.open_change;
      if (open[column] == 0) per_day[column] = 0;
      cell.amount += per_day[column] * days;
    }
  }
}

void ReplicationRunner::book_one_off(CostCategory category, double amount) {
  if (!scenario_.costs.enabled || amount == 0) return;
  cost_by_month_.at(month_, static_cast<int>(category)) += amount;
}

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
    if (costs.enabled) accrue(cost_by_month_, child.cost_category, child.cost_per_day, child.placement_start, horizon);
    if (!care_days_by_month_.empty()) accrue(care_days_by_month_, 0, 1.0, child.care_start, horizon);
  }
  if (measures_.empty()) return;
  settle(care_days_by_month_);
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
      days += care_days_by_month_.at(d, 0);
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
    accrue(cost_by_month_, static_cast<int>(Category::childrens_home_in_house),
           home.annual_cost / kDaysPerYear, opens, closes);
  }
  // A region's joint home: each council pays an equal share of its running cost from its opening.
  if (shared_ != nullptr && shared_->region().joint_home && scenario_.supply.enabled) {
    const JointHome& home = *shared_->region().joint_home;
    accrue(cost_by_month_, static_cast<int>(Category::childrens_home_in_house),
           home.annual_cost / static_cast<double>(shared_->region().councils.size()) / kDaysPerYear,
           days_between(model_->origin, home.opens) - 1.0, horizon);
  }
  for (std::size_t h = 0; h < household_since_.size(); ++h) {
    if (!pool_.household(static_cast<std::int32_t>(h)).active) continue;
    accrue(cost_by_month_, static_cast<int>(CostCategory::carer_support),
           costs.carer_support_per_household_per_year / kDaysPerYear, household_since_[h], horizon);
  }

  settle(cost_by_month_);
  // Inflation by financial year after the base year, then the measures.
  std::array<double, kCostCategoryCount> year_total{};
  double cumulative = 0;
  double npv = 0;
  std::size_t financial_year = 0;  // 0 = the origin's financial year
  for (int d = 1; d < dates; ++d) {
    const Date date = calendar_.dates[static_cast<std::size_t>(d)];
    const double index = std::pow(1 + costs.inflation_per_year, financial_year_of(date) - costs.base_year);
    double month_total = 0;
    for (int c = 0; c < kCostCategoryCount; ++c) {
      const double cost = cost_by_month_.at(d, c) * index;
      at(d, layout_.cost_by_category + c) = cost;
      year_total[static_cast<std::size_t>(c)] += cost;
      month_total += cost;
    }
    at(d, layout_.cost_all) = month_total;
    cumulative += month_total;
    at(d, layout_.cost_cumulative) = cumulative;
    // Discounted to the origin from the month's end, continuously at the annual rate.
    npv += month_total / std::pow(1 + costs.discount_rate_per_year, calendar_.times[static_cast<std::size_t>(d)] / kDaysPerYear);
    const bool last = d == dates - 1;
    if (!is_31_march(date) && !last) continue;
    double year_all = 0;
    for (int c = 0; c < kCostCategoryCount; ++c) {
      at(d, layout_.cost_financial_year_by_category + c) = year_total[static_cast<std::size_t>(c)];
      year_all += year_total[static_cast<std::size_t>(c)];
    }
    at(d, layout_.cost_financial_year_all) = year_all;
    // A financial year the forecast covers only in part (the origin's, unless the origin is a 31 March, and the
    // horizon's, unless it ends on one) is not compared with its budget: its cost is for part of the year, and
    // against the year's budget it would show a saving (or, for a budget given for the part, one of unclear
    // meaning). The report and workbook show such a year's budget as not compared.
    const bool whole_year = is_31_march(date) && (financial_year > 0 || is_31_march(calendar_.dates[0]));
    if (whole_year && layout_.budget_exceedance >= 0 && financial_year < costs.budget_per_financial_year.size()) {
      const double budget = costs.budget_per_financial_year[financial_year];
      at(d, layout_.budget_exceedance) = year_all > budget ? 1.0 : 0.0;
      // Finance needs how much as well as how likely: the mean of this over runs is the expected
      // overspend, in which a run within its budget counts as none.
      at(d, layout_.budget_overspend) = std::max(year_all - budget, 0.0);
    }
    year_total.fill(0);
    ++financial_year;
  }
  at(dates - 1, layout_.cost_npv) = npv;
}

}  // namespace carecast
