// Published figures: what a council, the Department for Education or a regional co-operative
// publishes about children looked after, in the vocabulary of forecast.csv, so that a forecast
// can be compared with (and later fitted to) them.
//
// A figures file is a tidy CSV with exactly the columns `metric,category,period_start,date,value`
// (any order). A stock figure (children looked after, UASC, carer households, care leavers) and a stability
// percentage leave `period_start` empty and describe the end of `date`, as forecast.csv does; a
// flow figure (entries, exits, approvals, deregistrations) counts the events from the start of
// `period_start` to the end of `date`, so an 11-month figure is simply a shorter period. Any
// subset of rows and years may be given: published series have gaps.
//
// A category may be a sum of ids of one kind joined by `+` (for example
// `foster_in_house+foster_agency+foster_kinship`, "fostered"), as publications group them.
//
// Every refusal is an InputError naming the file, line, column and reason. Like the other
// readers, messages name columns and expected vocabularies but never repeat a field's text.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.hpp"
#include "core/categories.hpp"

namespace carecast {

enum class FigureMetric : std::uint8_t {
  children_looked_after,
  uasc_looked_after,
  entries,
  exits,
  stability_short_term,
  stability_long_term,
  carer_households,
  approvals,
  deregistrations,
  care_leavers,  // young people 18 to 25 who were looked after (all, 18_to_20 or 21_to_25), as forecast.csv counts them
};
inline constexpr int kFigureMetricCount = 10;
inline constexpr std::array<std::string_view, kFigureMetricCount> kFigureMetricNames = {
    "children_looked_after", "uasc_looked_after", "entries",         "exits",       "stability_short_term",
    "stability_long_term",   "carer_households",  "approvals",       "deregistrations", "care_leavers",
};

constexpr std::string_view name_of(FigureMetric m) { return kFigureMetricNames[static_cast<int>(m)]; }
std::optional<FigureMetric> parse_figure_metric(std::string_view name);

// Flows count events over [period_start, date]; the other metrics describe the end of `date`.
constexpr bool is_flow(FigureMetric m) {
  return m == FigureMetric::entries || m == FigureMetric::exits || m == FigureMetric::approvals ||
         m == FigureMetric::deregistrations;
}
// The DfE stability measures are percentages (0-100); everything else is a whole count.
constexpr bool is_percentage(FigureMetric m) {
  return m == FigureMetric::stability_short_term || m == FigureMetric::stability_long_term;
}

// What a figure's category counts: everyone, or the union of some ids of one kind. `members` is a
// bitmask over the kind's enumeration (bit i is Category i, AgeBand i, Sex i, ExitReason i or care-leaver age
// band i), so
// two spellings of one sum ("a+b", "b+a") are the same category.
struct FigureCategory {
  // care_leaver_age_band: 18_to_20 or 21_to_25 (core/care_leaver_statuses.hpp), for care_leavers only.
  enum class Kind : std::uint8_t { all, placement, age_band, sex, exit_reason, care_leaver_age_band };
  Kind kind = Kind::all;
  std::uint32_t members = 0;  // 0 for `all`

  friend bool operator==(const FigureCategory&, const FigureCategory&) = default;
  friend auto operator<=>(const FigureCategory&, const FigureCategory&) = default;
};

// The ids in enumeration order joined by `+`, or `all`.
std::string figure_category_name(const FigureCategory& category);

// nullopt when `text` is not `all` or a `+`-sum of distinct ids of one kind.
std::optional<FigureCategory> parse_figure_category(std::string_view text);

// Whether `metric` may be broken down by `category`'s kind (and, for carer supply, by these ids).
bool category_allowed(FigureMetric metric, const FigureCategory& category);

struct PublishedFigure {
  FigureMetric metric = FigureMetric::children_looked_after;
  FigureCategory category;
  std::optional<Date> period_start;  // flows only: the first day counted
  Date date;                         // a stock's day, or a flow's last day counted
  double value = 0;                  // a count, or a percentage 0-100
  int line = 0;                      // where it is in the file, for reports about it
};

struct PublishedFigures {
  std::string file;
  std::vector<PublishedFigure> figures;  // in file order, at least one
  // The span the file covers: its earliest period_start or stock date, and its latest date (by
  // default, the origin of a scenario fitted to it).
  Date first_day;
  Date last_day;
};

// Reads and checks a figures file. Throws InputError naming the file, line, column and reason
// for: a file that is not a regular file or not CSV, a missing or extra column, no figures, an
// unknown metric or category, a category that metric cannot have, a date that is not an ISO
// yyyy-mm-dd day from 1990 to 2099, a stock with a period_start or a flow without one, a period
// ending before it starts, a value that is not a finite number, a negative or fractional count, a
// percentage outside 0-100, and a row repeating another's metric, category, period_start and date.
PublishedFigures read_published_figures(const std::filesystem::path& file);

// What a figures file gives, by metric and collection year (1 April to 31 March, the year of
// each figure's `date`): for `carecast figures`, so that a user can see a file is read as meant.
struct FiguresSummaryRow {
  FigureMetric metric = FigureMetric::children_looked_after;
  int year_ending = 0;            // the calendar year of the 31 March that ends the collection year
  int figures = 0;
  Date first;                     // earliest period_start or stock date
  Date last;                      // latest date
  std::vector<std::string> categories;  // distinct, in the order first given
};
std::vector<FiguresSummaryRow> summarise_figures(const PublishedFigures& figures);

// Figures that cannot all be true, though each is valid alone: a count for part of the children
// (a category, or a sum of categories) above the `all` figure of the same metric, period and date,
// or the figures for disjoint parts of one kind adding up to more than it. Publications disagree
// (two reports, a revised figure), so these are notes for the user, not refusals.
struct FiguresConflict {
  int line = 0;      // the part, or the last of the parts, that goes over
  int all_line = 0;  // the `all` figure
  std::string problem;
};
std::vector<FiguresConflict> find_conflicts(const PublishedFigures& figures);

}  // namespace carecast
