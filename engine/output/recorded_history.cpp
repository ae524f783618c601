#include "output/recorded_history.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdlib>
#include <cmath>
#include <set>
#include <sstream>
#include <tuple>

#include "calibration/care_leavers_from_returns.hpp"
#include "core/care_leaver_statuses.hpp"
#include "core/categories.hpp"
#include "core/csv_reader.hpp"
#include "core/errors.hpp"
#include "history/returns_figures.hpp"

namespace carecast {
namespace fs = std::filesystem;

namespace {

constexpr const char* kChildrenLookedAfter = "children_looked_after";
constexpr const char* kCareLeavers = "care_leavers";

void sort_by_date(std::vector<RecordedFigure>& rows) {
  std::stable_sort(rows.begin(), rows.end(), [](const RecordedFigure& a, const RecordedFigure& b) {
    return std::tie(a.date, a.metric, a.category) < std::tie(b.date, b.metric, b.category);
  });
}

std::string format_count(double value) {
  std::ostringstream out;
  out.precision(15);
  out << value;
  return out.str();
}

// Care leavers in each band the returns see in full at the end of `march_31`, and in all when both
// are: one pass over the children.
void add_care_leavers(const CareHistory& history, Date march_31, const CareLeaverSettings& care_leavers,
                      std::vector<RecordedFigure>& rows) {
  std::array<bool, kCareLeaverAgeBandCount> seen{};
  for (int band = 0; band < kCareLeaverAgeBandCount; ++band) {
    seen[static_cast<std::size_t>(band)] = care_leaver_band_fully_seen(history, march_31, band);
  }
  if (std::none_of(seen.begin(), seen.end(), [](bool s) { return s; })) return;
  std::array<int, kCareLeaverAgeBandCount> eligible{};
  for (const ChildHistory& child : history.children) {
    const std::optional<int> band = care_leaver_age_band(child, march_31);
    if (band) ++eligible[static_cast<std::size_t>(*band)];
  }
  const std::array<int, kCareLeaverAgeBandCount> kept = care_leavers_kept(eligible, care_leavers);
  for (std::size_t band = 0; band < kept.size(); ++band) {
    if (!seen[band]) continue;
    rows.push_back({kCareLeavers, std::string(kCareLeaverAgeBandNames[band]), march_31, static_cast<double>(kept[band])});
  }
  if (std::all_of(seen.begin(), seen.end(), [](bool s) { return s; })) {
    rows.push_back({kCareLeavers, "all", march_31, static_cast<double>(kept[0] + kept[1])});
  }
}

bool is_care_leaver_category(std::string_view category) {
  return category == "all" || std::any_of(kCareLeaverAgeBandNames.begin(), kCareLeaverAgeBandNames.end(),
                                          [&](std::string_view name) { return name == category; });
}

bool is_placement_category(std::string_view category) {
  return category == "all" || std::any_of(kCategoryNames.begin(), kCategoryNames.end(),
                                          [&](std::string_view name) { return name == category; });
}

}  // namespace

fs::path recorded_history_csv_path(const fs::path& scenario_file) {
  fs::path path = scenario_file;
  path.replace_filename(scenario_file.stem().string() + "-history.csv");
  return path;
}

std::vector<RecordedFigure> recorded_history_from_returns(const CareHistory& history, Date origin,
                                                          const CareLeaverSettings& care_leavers) {
  std::vector<RecordedFigure> rows;
  if (!history.observed_from || !history.last_date) return rows;
  const int first_year = static_cast<int>(std::chrono::year_month_day{*history.observed_from}.year()) + 1;
  for (int year = first_year;; ++year) {
    const Date march_31 = make_date(year, 3, 31);
    if (march_31 >= origin || march_31 > *history.last_date) break;
    add_care_leavers(history, march_31, care_leavers, rows);
    PublishedFigure figure;
    figure.metric = FigureMetric::children_looked_after;
    figure.date = march_31;
    const ReturnsFigure total = figure_from_returns(history, figure);
    if (!total.value) continue;
    rows.push_back({kChildrenLookedAfter, "all", march_31, *total.value});
    for (int c = 0; c < kCategoryCount; ++c) {
      figure.category = {FigureCategory::Kind::placement, 1u << c};
      const ReturnsFigure count = figure_from_returns(history, figure);
      if (count.value && *count.value > 0) {
        rows.push_back({kChildrenLookedAfter, std::string(name_of(static_cast<Category>(c))), march_31, *count.value});
      }
    }
  }
  sort_by_date(rows);
  return rows;
}

std::vector<RecordedFigure> recorded_history_from_figures(const PublishedFigures& figures, Date origin) {
  std::vector<RecordedFigure> rows;
  std::vector<RecordedFigure> both_bands;  // care leavers as 18_to_20+21_to_25: all, unless `all` is given too
  for (const PublishedFigure& figure : figures.figures) {
    if (figure.date >= origin) continue;
    const FigureCategory& category = figure.category;
    if (figure.metric == FigureMetric::children_looked_after) {
      const bool one_placement =
          category.kind == FigureCategory::Kind::placement && std::has_single_bit(category.members);
      if (category.kind != FigureCategory::Kind::all && !one_placement) continue;
      rows.push_back({kChildrenLookedAfter, figure_category_name(category), figure.date, figure.value});
    } else if (figure.metric == FigureMetric::care_leavers) {
      if (category.kind == FigureCategory::Kind::care_leaver_age_band &&
          std::popcount(category.members) == kCareLeaverAgeBandCount) {
        both_bands.push_back({kCareLeavers, "all", figure.date, figure.value});
      } else {
        rows.push_back({kCareLeavers, figure_category_name(category), figure.date, figure.value});
      }
    }
  }
  return merge_recorded_history(std::move(rows), both_bands);
}

std::vector<RecordedFigure> merge_recorded_history(std::vector<RecordedFigure> first,
                                                   const std::vector<RecordedFigure>& more) {
  std::set<std::tuple<std::string, std::string, Date>> held;
  for (const RecordedFigure& row : first) held.emplace(row.metric, row.category, row.date);
  for (const RecordedFigure& row : more) {
    if (!held.contains({row.metric, row.category, row.date})) first.push_back(row);
  }
  sort_by_date(first);
  return first;
}

std::string recorded_history_csv(const std::vector<RecordedFigure>& rows) {
  if (rows.empty()) return {};
  std::string text = "metric,category,date,value\n";
  for (const RecordedFigure& row : rows) {
    text += row.metric + ',' + row.category + ',' + format_iso(row.date) + ',' + format_count(row.value) + '\n';
  }
  return text;
}

std::vector<RecordedFigure> read_recorded_history_beside(const fs::path& scenario_file, Date origin) {
  const fs::path file = recorded_history_csv_path(scenario_file);
  std::vector<RecordedFigure> rows;
  if (!fs::is_regular_file(file)) return rows;
  const CsvTable csv = CsvTable::read(file);
  const std::size_t metric = csv.require_column("metric");
  const std::size_t category = csv.require_column("category");
  const std::size_t date = csv.require_column("date");
  const std::size_t value = csv.require_column("value");
  for (std::size_t r = 0; r < csv.row_count(); ++r) {
    RecordedFigure row;
    row.metric = std::string(csv.field(r, metric));
    row.category = std::string(csv.field(r, category));
    if (row.metric == kChildrenLookedAfter) {
      if (!is_placement_category(row.category)) {
        throw InputError(csv.location(r, category), "expected all or a placement category");
      }
    } else if (row.metric == kCareLeavers) {
      if (!is_care_leaver_category(row.category)) {
        throw InputError(csv.location(r, category), "expected all, 18_to_20 or 21_to_25 for care_leavers");
      }
    } else {
      throw InputError(csv.location(r, metric), "expected children_looked_after or care_leavers");
    }
    const std::string_view date_text = csv.field(r, date);
    const std::optional<Date> parsed = parse_date(date_text);
    if (!parsed || date_text.find('/') != std::string_view::npos) {
      throw InputError(csv.location(r, date), "expected a date as YYYY-MM-DD");
    }
    row.date = *parsed;
    const std::string value_text(csv.field(r, value));
    char* end = nullptr;
    row.value = std::strtod(value_text.c_str(), &end);
    if (value_text.empty() || end != value_text.c_str() + value_text.size() || !std::isfinite(row.value) ||
        row.value < 0) {
      throw InputError(csv.location(r, value), "expected a count of children, 0 or more");
    }
    if (row.date < origin) rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace carecast
