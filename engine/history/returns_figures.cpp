#include "history/returns_figures.hpp"

#include <chrono>

namespace carecast {
namespace {

using std::chrono::days;

bool member(const FigureCategory& category, int index) {
  return category.kind == FigureCategory::Kind::all || ((category.members >> index) & 1u) != 0;
}

int age_band_on(Date date_of_birth, Date date) {
  int band = 0;
  while (band + 1 < kAgeBandCount && add_years(date_of_birth, kAgeBandStartYears[band + 1]) <= date) ++band;
  return band;
}

// In care at the end of `date`: begun by then and not ended on or before it (as the backtest's observed stock
// counts).
const CarePeriod* period_at(const ChildHistory& child, Date date) {
  for (const CarePeriod& period : child.periods) {
    if (period.start <= date && (!period.end || *period.end > date)) return &period;
  }
  return nullptr;
}

const PlacementSpell* placement_at(const CarePeriod& period, Date date) {
  for (const PlacementSpell& spell : period.placements) {
    if (spell.start <= date && (!spell.end || *spell.end > date)) return &spell;
  }
  return nullptr;
}

double stock(const CareHistory& history, const PublishedFigure& f) {
  double count = 0;
  for (const ChildHistory& child : history.children) {
    const CarePeriod* period = period_at(child, f.date);
    if (!period) continue;
    if (f.metric == FigureMetric::uasc_looked_after) {
      count += child.uasc && (!child.uasc_ceased || *child.uasc_ceased > f.date) ? 1 : 0;
      continue;
    }
    switch (f.category.kind) {
      case FigureCategory::Kind::all:
        ++count;
        break;
      case FigureCategory::Kind::placement:
        if (const PlacementSpell* spell = placement_at(*period, f.date)) {
          count += member(f.category, static_cast<int>(spell->category)) ? 1 : 0;
        }
        break;
      case FigureCategory::Kind::age_band:
        count += member(f.category, age_band_on(child.date_of_birth, f.date)) ? 1 : 0;
        break;
      case FigureCategory::Kind::sex:
        count += member(f.category, static_cast<int>(child.sex)) ? 1 : 0;
        break;
      case FigureCategory::Kind::exit_reason:
      case FigureCategory::Kind::care_leaver_age_band:
        break;
    }
  }
  return count;
}

double flow(const CareHistory& history, const PublishedFigure& f) {
  const Date first = *f.period_start;
  double count = 0;
  for (const ChildHistory& child : history.children) {
    for (const CarePeriod& period : child.periods) {
      if (f.metric == FigureMetric::entries) {
        if (period.starts_before_data || period.start < first || period.start > f.date) continue;
        switch (f.category.kind) {
          case FigureCategory::Kind::age_band:
            count += member(f.category, age_band_on(child.date_of_birth, period.start)) ? 1 : 0;
            break;
          case FigureCategory::Kind::placement:
            count += member(f.category, static_cast<int>(period.placements.front().category)) ? 1 : 0;
            break;
          default:
            ++count;
        }
      } else if (period.end && *period.end >= first && *period.end <= f.date) {
        count += f.category.kind == FigureCategory::Kind::all ||
                         (period.exit_reason && member(f.category, static_cast<int>(*period.exit_reason)))
                     ? 1
                     : 0;
      }
    }
  }
  return count;
}

// DfE short-term stability: of the children looked after at 31 March, the % who had 3 or more placements in the
// collection year (every placement that was open on some day of it).
std::optional<double> short_term_stability(const CareHistory& history, Date year_end) {
  const Date year_start = add_years(year_end, -1) + days(1);
  int children = 0;
  int three_or_more = 0;
  for (const ChildHistory& child : history.children) {
    if (!period_at(child, year_end)) continue;
    ++children;
    int placements = 0;
    for (const CarePeriod& period : child.periods) {
      for (const PlacementSpell& spell : period.placements) {
        if (spell.start <= year_end && (!spell.end || *spell.end >= year_start)) ++placements;
      }
    }
    three_or_more += placements >= 3 ? 1 : 0;
  }
  if (children == 0) return std::nullopt;
  return 100.0 * three_or_more / children;
}

// DfE long-term stability: of the children under 16 at 31 March looked after for 2.5 years or more, the % in the
// same placement for 2 years or more (placed for adoption: with the placement before it counted in).
std::optional<double> long_term_stability(const CareHistory& history, Date year_end) {
  const Date in_care_since = months_before(year_end, 30);
  const Date placed_since = months_before(year_end, 24);
  int children = 0;
  int stable = 0;
  for (const ChildHistory& child : history.children) {
    const CarePeriod* period = period_at(child, year_end);
    if (!period || period->start > in_care_since || add_years(child.date_of_birth, 16) <= year_end) continue;
    const PlacementSpell* spell = placement_at(*period, year_end);
    if (!spell) continue;
    Date placed = spell->start;
    if (spell->category == Category::placed_for_adoption && spell != &period->placements.front()) {
      placed = (spell - 1)->start;
    }
    ++children;
    stable += placed <= placed_since ? 1 : 0;
  }
  if (children == 0) return std::nullopt;
  return 100.0 * stable / children;
}

}  // namespace

ReturnsFigure figure_from_returns(const CareHistory& history, const PublishedFigure& f) {
  ReturnsFigure out;
  if (!history.observed_from || !history.last_date) {
    out.why_not = "the returns hold no episodes";
    return out;
  }
  const Date from = *history.observed_from;
  const Date to = *history.last_date;
  const Date first = f.period_start.value_or(f.date);
  switch (f.metric) {
    case FigureMetric::carer_households:
    case FigureMetric::approvals:
    case FigureMetric::deregistrations:
      out.why_not = "the returns do not hold carers";
      return out;
    case FigureMetric::care_leavers:
      // calibrate counts the care leavers the returns show at the origin (its notes say how, and what they miss).
      out.why_not = "the returns do not follow young people after care";
      return out;
    default:
      break;
  }
  // Only at month ends and over whole months, as every output drawn from returns is: a count over a chosen day
  // or week could tell when a child started or left care.
  const auto month_end = [](Date d) { return std::chrono::year_month_day(d + days(1)).day() == std::chrono::day(1); };
  const auto month_start = [](Date d) { return std::chrono::year_month_day(d).day() == std::chrono::day(1); };
  if (!month_end(f.date) || (f.period_start && !month_start(*f.period_start))) {
    out.why_not = "the returns are compared only at month ends and over whole months";
    return out;
  }
  if (first < from || f.date > to) {
    out.why_not = "outside the returns (" + format_iso(from) + " to " + format_iso(to) + ")";
    return out;
  }
  switch (f.metric) {
    case FigureMetric::children_looked_after:
    case FigureMetric::uasc_looked_after:
      out.value = stock(history, f);
      break;
    case FigureMetric::entries:
    case FigureMetric::exits:
      out.value = flow(history, f);
      break;
    case FigureMetric::stability_short_term:
    case FigureMetric::stability_long_term: {
      const std::chrono::year_month_day day(f.date);
      if (day.month() != std::chrono::March || day.day() != std::chrono::day(31)) {
        out.why_not =
            "the returns give stability only at 31 March, the end of a "
            "collection year";
        return out;
      }
      const bool short_term = f.metric == FigureMetric::stability_short_term;
      const Date needed = short_term ? add_years(f.date, -1) + days(1) : months_before(f.date, 30);
      if (needed < from) {
        out.why_not = std::string("the returns must begin by ") + format_iso(needed) + " to measure it";
        return out;
      }
      out.value = short_term ? short_term_stability(history, f.date) : long_term_stability(history, f.date);
      if (!out.value) out.why_not = "no child the measure counts is in the returns";
      break;
    }
    default:
      break;
  }
  return out;
}

}  // namespace carecast
