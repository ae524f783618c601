#include "tally/tally_layout.hpp"

#include <algorithm>

#include "scenario/scenario.hpp"
#include "simulation/supply_pool.hpp"

namespace carecast {

int TallyLayout::add(std::string_view metric, std::string_view category, MetricKind kind) {
  cells_.push_back(MetricCell{std::string(metric), std::string(category), kind});
  return static_cast<int>(cells_.size()) - 1;
}

int TallyLayout::add_measure(std::string_view metric, std::string_view category, MetricKind kind, bool probability) {
  measures_.push_back(MetricCell{std::string(metric), std::string(category), kind, true, probability});
  return static_cast<int>(measures_.size()) - 1;
}

TallyLayout::TallyLayout(const Supply* supply, const Costs* costs, const CareLeaverSettings* care_leavers) {
  stability_short_term = add_measure("stability_short_term", "all", MetricKind::stock);
  stability_long_term = add_measure("stability_long_term", "all", MetricKind::stock);
  moves_per_child_year = add_measure("moves_per_child_year", "all", MetricKind::flow);
  repeat_entry_percent = add_measure("repeat_entry_percent", "all", MetricKind::flow);
  entries_financial_year_all = add_measure("entries_financial_year", "all", MetricKind::flow);
  entries_financial_year_re_entry = add_measure("entries_financial_year", "re_entry", MetricKind::flow);
  if (costs != nullptr && costs->enabled) {
    cost_all = add_measure("cost", "all", MetricKind::flow);
    cost_by_category = measure_count();
    for (auto name : kCategoryNames) add_measure("cost", name, MetricKind::flow);
    for (auto name : kExtraCostNames) add_measure("cost", name, MetricKind::flow);
    cost_financial_year_all = add_measure("cost_financial_year", "all", MetricKind::flow);
    cost_financial_year_by_category = measure_count();
    for (auto name : kCategoryNames) add_measure("cost_financial_year", name, MetricKind::flow);
    for (auto name : kExtraCostNames) add_measure("cost_financial_year", name, MetricKind::flow);
    cost_cumulative = add_measure("cost_cumulative", "all", MetricKind::flow);
    cost_npv = add_measure("cost_npv", "all", MetricKind::flow);
    if (!costs->budget_per_financial_year.empty()) {
      budget_exceedance = add_measure("budget_exceedance_probability", "all", MetricKind::flow, true);
      budget_overspend = add_measure("budget_overspend", "all", MetricKind::flow);
    }
  }

  // Each group is contiguous, so "first column + index" addresses a category, band or reason.
  stock_all = add("children_looked_after", "all", MetricKind::stock);
  stock_by_category = cell_count();
  for (auto name : kCategoryNames) add("children_looked_after", name, MetricKind::stock);
  stock_by_age_band = cell_count();
  for (auto name : kAgeBandNames) add("children_looked_after_by_age_band", name, MetricKind::stock);
  uasc_stock = add("uasc_looked_after", "all", MetricKind::stock);

  entries_all = add("entries", "all", MetricKind::flow);
  entries_by_category = cell_count();
  for (auto name : kCategoryNames) add("entries", name, MetricKind::flow);
  entries_re_entry = add("entries", "re_entry", MetricKind::flow);

  exits_all = add("exits", "all", MetricKind::flow);
  exits_by_reason = cell_count();
  for (auto name : kExitReasonNames) add("exits", name, MetricKind::flow);

  moves_all = add("placement_moves", "all", MetricKind::flow);
  moves_by_category = cell_count();
  for (auto name : kCategoryNames) add("placement_moves", name, MetricKind::flow);
  three_plus_placements = add("children_reaching_3_placements", "all", MetricKind::flow);

  if (care_leavers != nullptr && care_leavers->enabled) {
    care_leavers_all = add("care_leavers", "all", MetricKind::stock);
    care_leavers_by_status = cell_count();
    for (auto name : kCareLeaverStatusNames) add("care_leavers", name, MetricKind::stock);
    care_leavers_by_age_band = cell_count();
    for (auto name : kCareLeaverAgeBandNames) add("care_leavers", name, MetricKind::stock);
    staying_put = add("staying_put", "all", MetricKind::stock);
  }

  if (supply == nullptr || !supply->enabled) return;
  carer_households = add("carer_households", "foster_in_house", MetricKind::stock);
  approvals = add("approvals", "foster_in_house", MetricKind::flow);
  deregistrations = add("deregistrations", "foster_in_house", MetricKind::flow);
  const std::array<bool, kResourceCount> finite = {true, supply->agency_places.has_value(), !supply->homes.empty(),
                                                   supply->external_home_beds.has_value(),
                                                   supply->step_down.has_value()};
  for (int r = 0; r < kResourceCount; ++r) {
    if (!finite[r]) continue;
    places_available[r] = add("places_available", kResourceNames[r], MetricKind::stock);
    places_occupied[r] = add("places_occupied", kResourceNames[r], MetricKind::stock);
  }
  unmet_preference_all = add("unmet_preference", "all", MetricKind::flow);
  unmet_preference_by_category = cell_count();
  for (auto name : kCategoryNames) add("unmet_preference", name, MetricKind::flow);
  unregistered_placements = add("unregistered_placements", "all", MetricKind::stock);
  siblings_separated = add("siblings_separated", "all", MetricKind::flow);
  supply_moves = add("supply_moves", "all", MetricKind::flow);
  if (supply->step_down) {
    step_downs = add("step_downs", "all", MetricKind::flow);
    step_down_breakdowns = add("step_down_breakdowns", "all", MetricKind::flow);
  }
  if (supply->location_shares) {
    placed_outside_council_count = add("children_placed_outside_council", "all", MetricKind::stock);
    placed_over_20_miles_count = add("children_placed_over_20_miles", "all", MetricKind::stock);
    // As councils publish them: a share of the children looked after at the date.
    placed_outside_council = add_measure("placed_outside_council", "all", MetricKind::stock);
    placed_over_20_miles = add_measure("placed_over_20_miles", "all", MetricKind::stock);
  }
  if (supply->needs) {
    unmet_need = add("unmet_need", "all", MetricKind::stock);
    children_by_needs_level = cell_count();
    for (auto name : kNeedsLevelNames) add("children_by_needs_level", name, MetricKind::stock);
  }
}

int TallyLayout::find(std::string_view metric, std::string_view category) const {
  for (int i = 0; i < cell_count(); ++i) {
    if (cells_[i].metric == metric && cells_[i].category == category) return i;
  }
  for (int i = 0; i < measure_count(); ++i) {
    if (measures_[i].metric == metric && measures_[i].category == category) return cell_count() + i;
  }
  return -1;
}

int ReportingCalendar::index_of(Date date) const {
  const auto found = std::find(dates.begin(), dates.end(), date);
  return found == dates.end() ? -1 : static_cast<int>(found - dates.begin());
}

ReportingCalendar ReportingCalendar::monthly(Date origin, Date horizon_end) {
  ReportingCalendar calendar;
  calendar.origin = origin;
  calendar.dates.push_back(origin);
  for (Date d : month_ends_after(origin, horizon_end)) calendar.dates.push_back(d);
  for (Date d : calendar.dates) calendar.times.push_back(days_between(origin, d));
  return calendar;
}

}  // namespace carecast
