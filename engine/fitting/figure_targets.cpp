#include "fitting/figure_targets.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace carecast {
namespace {

std::vector<int> member_columns(int first_column, std::uint32_t members, int count) {
  std::vector<int> columns;
  for (int i = 0; i < count; ++i) {
    if ((members >> i) & 1u) columns.push_back(first_column + i);
  }
  return columns;
}


FigureTarget target_of(const PublishedFigure& f, std::size_t index, const TallyLayout& layout,
                       const ReportingCalendar& calendar) {
  FigureTarget t;
  t.figure = index;
  const auto not_simulated = [&](std::string reason) {
    t.reason = std::move(reason);
    return t;
  };
  const FigureCategory::Kind kind = f.category.kind;
  switch (f.metric) {
    case FigureMetric::children_looked_after:
      if (kind == FigureCategory::Kind::all) t.columns = {layout.stock_all};
      if (kind == FigureCategory::Kind::placement)
        t.columns = member_columns(layout.stock_by_category, f.category.members, kCategoryCount);
      if (kind == FigureCategory::Kind::age_band)
        t.columns = member_columns(layout.stock_by_age_band, f.category.members, kAgeBandCount);
      if (kind == FigureCategory::Kind::sex) return not_simulated("the simulation does not count children by sex");
      break;
    case FigureMetric::uasc_looked_after:
      t.columns = {layout.uasc_stock};
      break;
    case FigureMetric::entries:
      if (kind != FigureCategory::Kind::all) return not_simulated("the simulation counts entries only in all");
      t.columns = {layout.entries_all};
      break;
    case FigureMetric::exits:
      if (kind == FigureCategory::Kind::all) t.columns = {layout.exits_all};
      if (kind == FigureCategory::Kind::exit_reason)
        t.columns = member_columns(layout.exits_by_reason, f.category.members, kExitReasonCount);
      break;
    case FigureMetric::stability_short_term:
    case FigureMetric::stability_long_term:
      if (!is_collection_year_end(f.date)) return not_simulated("the simulation measures stability only at 31 March");
      t.measure = true;
      t.columns = {f.metric == FigureMetric::stability_short_term ? layout.stability_short_term
                                                                   : layout.stability_long_term};
      break;
    case FigureMetric::carer_households:
    case FigureMetric::approvals:
    case FigureMetric::deregistrations:
      // Counted only for a scenario with finite supply (the fit leaves supply out).
      if (layout.carer_households < 0) return not_simulated("carer supply is not simulated by the fit");
      t.columns = {f.metric == FigureMetric::carer_households ? layout.carer_households
                   : f.metric == FigureMetric::approvals      ? layout.approvals
                                                               : layout.deregistrations};
      break;
    case FigureMetric::care_leavers:
      // The fit starts before the origin, where the base's care leavers are not known.
      return not_simulated("care leavers are not fitted");
  }
  if (is_flow(f.metric)) {
    const int first = calendar.index_of(*f.period_start - std::chrono::days(1));
    const int last = calendar.index_of(f.date);
    if (first < 0 || last < 0) {
      return not_simulated("the period does not run from a month's first day to a month end within the fit");
    }
    t.first_date = first + 1;  // row d counts the month ending on date d
    t.last_date = last;
  } else {
    const int at = calendar.index_of(f.date);
    if (at < 0) return not_simulated("not a month end within the fit (the simulation reports at month ends)");
    t.first_date = t.last_date = at;
  }
  t.simulated = true;
  return t;
}

}  // namespace

bool is_collection_year_end(Date date) {
  const std::chrono::year_month_day day(date);
  return day.month() == std::chrono::March && day.day() == std::chrono::day(31);
}

std::vector<FigureTarget> target_figures(const PublishedFigures& figures, const TallyLayout& layout,
                                         const ReportingCalendar& calendar) {
  std::vector<FigureTarget> targets;
  for (std::size_t i = 0; i < figures.figures.size(); ++i) {
    targets.push_back(target_of(figures.figures[i], i, layout, calendar));
  }
  return targets;
}

double simulated_figure(const FigureTarget& target, const TallyLayout& layout, std::span<const std::int32_t> tally,
                        std::span<const double> measures) {
  if (target.measure) {
    return measures[static_cast<std::size_t>(target.first_date) * static_cast<std::size_t>(layout.measure_count()) +
                    static_cast<std::size_t>(target.columns.front())];
  }
  double total = 0;
  for (int d = target.first_date; d <= target.last_date; ++d) {
    for (const int column : target.columns) {
      total += tally[static_cast<std::size_t>(d) * static_cast<std::size_t>(layout.cell_count()) +
                     static_cast<std::size_t>(column)];
    }
  }
  return total;
}

}  // namespace carecast
