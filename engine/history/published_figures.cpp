#include "history/published_figures.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

#include "core/care_leaver_statuses.hpp"
#include "core/csv_reader.hpp"
#include "core/errors.hpp"

namespace carecast {
namespace {

// The window a published date may fall in: as for SSDA903 years, so that a typing slip
// (2204 for 2024) is refused rather than read as a figure from another century.
constexpr int kEarliestYear = 1990;
constexpr int kLatestYear = 2099;

constexpr std::array<std::string_view, 5> kColumns = {"metric", "category", "period_start", "date", "value"};

template <std::size_t N>
std::string join_names(const std::array<std::string_view, N>& names, std::string_view separator = ", ") {
  std::string joined;
  for (std::string_view name : names) joined.append(joined.empty() ? "" : separator).append(name);
  return joined;
}

std::string_view kind_name(FigureCategory::Kind kind) {
  switch (kind) {
    case FigureCategory::Kind::all: return "all";
    case FigureCategory::Kind::placement: return "a placement category";
    case FigureCategory::Kind::age_band: return "an age band";
    case FigureCategory::Kind::sex: return "a sex";
    case FigureCategory::Kind::exit_reason: return "an exit reason";
    case FigureCategory::Kind::care_leaver_age_band: return "a care leavers' age band";
  }
  return "";
}

// One id of any kind. Names are distinct across kinds except `other`, which is both a placement
// category and an exit reason: it is taken as the kind its sum's other ids have, or (alone) as
// the kind the metric allows, which the caller resolves through `category_allowed`.
struct Id {
  FigureCategory::Kind kind;
  int index;
};

std::vector<Id> ids_named(std::string_view name) {
  std::vector<Id> ids;
  if (auto c = parse_category(name)) ids.push_back({FigureCategory::Kind::placement, static_cast<int>(*c)});
  if (auto b = parse_age_band(name)) ids.push_back({FigureCategory::Kind::age_band, static_cast<int>(*b)});
  if (auto s = parse_sex(name)) ids.push_back({FigureCategory::Kind::sex, static_cast<int>(*s)});
  for (int r = 0; r < kExitReasonCount; ++r) {
    if (kExitReasonNames[r] == name) ids.push_back({FigureCategory::Kind::exit_reason, r});
  }
  for (int b = 0; b < kCareLeaverAgeBandCount; ++b) {
    if (kCareLeaverAgeBandNames[b] == name) ids.push_back({FigureCategory::Kind::care_leaver_age_band, b});
  }
  return ids;
}

// Every reading of `text` as a category: usually one, two for a sum of ids that are all `other`.
std::vector<FigureCategory> readings_of(std::string_view text) {
  if (text == "all") return {FigureCategory{}};
  std::vector<std::vector<Id>> parts;
  for (std::size_t start = 0;;) {
    const std::size_t plus = text.find('+', start);
    const std::string_view part = text.substr(start, plus == std::string_view::npos ? text.npos : plus - start);
    std::vector<Id> ids = ids_named(part);
    if (ids.empty()) return {};
    parts.push_back(std::move(ids));
    if (plus == std::string_view::npos) break;
    start = plus + 1;
  }
  std::vector<FigureCategory> readings;
  for (auto kind : {FigureCategory::Kind::placement, FigureCategory::Kind::age_band, FigureCategory::Kind::sex,
                    FigureCategory::Kind::exit_reason, FigureCategory::Kind::care_leaver_age_band}) {
    FigureCategory category{kind, 0};
    bool fits = true;
    for (const std::vector<Id>& ids : parts) {
      const auto id = std::find_if(ids.begin(), ids.end(), [&](const Id& i) { return i.kind == kind; });
      const std::uint32_t bit = id == ids.end() ? 0 : std::uint32_t{1} << id->index;
      // A repeated id would count the same children twice: refused rather than silently merged.
      if (bit == 0 || (category.members & bit) != 0) {
        fits = false;
        break;
      }
      category.members |= bit;
    }
    if (fits) readings.push_back(category);
  }
  return readings;
}

bool is_whole(double x) { return std::floor(x) == x; }

}  // namespace

std::optional<FigureMetric> parse_figure_metric(std::string_view name) {
  for (int m = 0; m < kFigureMetricCount; ++m) {
    if (kFigureMetricNames[m] == name) return static_cast<FigureMetric>(m);
  }
  return std::nullopt;
}

std::string figure_category_name(const FigureCategory& category) {
  std::string name;
  for (int i = 0; i < 32; ++i) {
    if ((category.members & (std::uint32_t{1} << i)) == 0) continue;
    if (!name.empty()) name += '+';
    switch (category.kind) {
      case FigureCategory::Kind::all: break;
      case FigureCategory::Kind::placement: name += kCategoryNames[i]; break;
      case FigureCategory::Kind::age_band: name += kAgeBandNames[i]; break;
      case FigureCategory::Kind::sex: name += kSexNames[i]; break;
      case FigureCategory::Kind::exit_reason: name += kExitReasonNames[i]; break;
      case FigureCategory::Kind::care_leaver_age_band: name += kCareLeaverAgeBandNames[i]; break;
    }
  }
  return name.empty() ? "all" : name;
}

std::optional<FigureCategory> parse_figure_category(std::string_view text) {
  std::vector<FigureCategory> readings = readings_of(text);
  if (readings.empty()) return std::nullopt;
  return readings.front();
}

bool category_allowed(FigureMetric metric, const FigureCategory& category) {
  using Kind = FigureCategory::Kind;
  switch (metric) {
    case FigureMetric::children_looked_after:
      return category.kind == Kind::all || category.kind == Kind::placement || category.kind == Kind::age_band ||
             category.kind == Kind::sex;
    case FigureMetric::entries:
      // forecast.csv counts entries by first placement too.
      return category.kind == Kind::all || category.kind == Kind::age_band || category.kind == Kind::placement;
    case FigureMetric::exits: return category.kind == Kind::all || category.kind == Kind::exit_reason;
    case FigureMetric::uasc_looked_after:
    case FigureMetric::stability_short_term:
    case FigureMetric::stability_long_term: return category.kind == Kind::all;
    case FigureMetric::carer_households:
    case FigureMetric::approvals:
    case FigureMetric::deregistrations:
      // Only in-house carers are modelled as households (forecast.csv's carer_households).
      return category.kind == Kind::placement &&
             category.members == std::uint32_t{1} << static_cast<int>(Category::foster_in_house);
    case FigureMetric::care_leavers: return category.kind == Kind::all || category.kind == Kind::care_leaver_age_band;
  }
  return false;
}

PublishedFigures read_published_figures(const std::filesystem::path& file) {
  const CsvTable table = CsvTable::read(file);  // refuses anything but a regular file, by name
  for (std::size_t c = 0; c < table.columns().size(); ++c) {
    if (std::find(kColumns.begin(), kColumns.end(), table.columns()[c]) == kColumns.end()) {
      throw InputError(table.header_location(c), "unknown column; a figures file has exactly the columns " +
                                                     join_names(kColumns));
    }
  }
  const std::size_t metric_column = table.require_column("metric");
  const std::size_t category_column = table.require_column("category");
  const std::size_t start_column = table.require_column("period_start");
  const std::size_t date_column = table.require_column("date");
  const std::size_t value_column = table.require_column("value");
  if (table.row_count() == 0) {
    throw InputError({table.file(), table.header_line(), 0, {}}, "no figures: the file has a header and no rows");
  }

  const auto read_date = [&](std::size_t row, std::size_t column) {
    const std::string_view text = table.field(row, column);
    // ISO only, as forecast.csv writes dates: dd/mm/yyyy and mm/dd/yyyy are ambiguous to a reader.
    const bool iso_shape = text.size() == 10 && text[4] == '-' && text[7] == '-';
    const std::optional<Date> date = iso_shape ? parse_date(text) : std::nullopt;
    if (!date) throw InputError(table.location(row, column), "expected a date as yyyy-mm-dd (for example 2024-03-31)");
    const int year = static_cast<int>(std::chrono::year_month_day{*date}.year());
    if (year < kEarliestYear || year > kLatestYear) {
      throw InputError(table.location(row, column), "expected a date in the years " + std::to_string(kEarliestYear) +
                                                        " to " + std::to_string(kLatestYear));
    }
    return *date;
  };

  PublishedFigures result;
  result.file = table.file();
  using Key = std::tuple<FigureMetric, FigureCategory, std::optional<Date>, Date>;
  std::map<Key, int> line_of;
  for (std::size_t row = 0; row < table.row_count(); ++row) {
    PublishedFigure figure;
    figure.line = table.line(row);

    const std::optional<FigureMetric> metric = parse_figure_metric(table.field(row, metric_column));
    if (!metric) {
      throw InputError(table.location(row, metric_column),
                       "unknown metric; expected one of: " + join_names(kFigureMetricNames));
    }
    figure.metric = *metric;

    const std::vector<FigureCategory> readings = readings_of(table.field(row, category_column));
    if (readings.empty()) {
      throw InputError(table.location(row, category_column),
                       "unknown category; expected all, or ids of one kind joined by + (placement categories, age "
                       "bands, male/female, exit reasons or care leavers' 18_to_20/21_to_25), each at most once");
    }
    const auto allowed = std::find_if(readings.begin(), readings.end(),
                                      [&](const FigureCategory& c) { return category_allowed(figure.metric, c); });
    if (allowed == readings.end()) {
      std::string problem = "a category that is " + std::string(kind_name(readings.front().kind)) +
                            " is not allowed for " + std::string(name_of(figure.metric));
      problem += figure.metric == FigureMetric::carer_households || figure.metric == FigureMetric::approvals ||
                         figure.metric == FigureMetric::deregistrations
                     ? "; it takes foster_in_house only"
                 : figure.metric == FigureMetric::care_leavers ? "; it takes all, 18_to_20 or 21_to_25"
                                                               : "";
      throw InputError(table.location(row, category_column), problem);
    }
    figure.category = *allowed;

    const bool has_start = !table.field(row, start_column).empty();
    if (is_flow(figure.metric) && !has_start) {
      throw InputError(table.location(row, start_column),
                       "required: " + std::string(name_of(figure.metric)) +
                           " counts events over a period, from period_start to date inclusive");
    }
    if (!is_flow(figure.metric) && has_start) {
      throw InputError(table.location(row, start_column),
                       "must be empty: " + std::string(name_of(figure.metric)) +
                           " is a figure at the end of its date, not over a period");
    }
    if (has_start) figure.period_start = read_date(row, start_column);
    figure.date = read_date(row, date_column);
    if (figure.period_start && *figure.period_start > figure.date) {
      throw InputError(table.location(row, date_column),
                       "the period ends before it starts (date is before period_start)");
    }

    const std::string_view text = table.field(row, value_column);
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
      throw InputError(table.location(row, value_column), "expected a number");
    }
    if (is_percentage(figure.metric)) {
      if (value < 0 || value > 100) {
        throw InputError(table.location(row, value_column), "expected a percentage from 0 to 100");
      }
    } else if (value < 0) {
      throw InputError(table.location(row, value_column), "a count cannot be negative");
    } else if (!is_whole(value)) {
      throw InputError(table.location(row, value_column), "expected a whole number: " +
                                                              std::string(name_of(figure.metric)) + " is a count");
    }
    figure.value = value;

    const auto [at, inserted] =
        line_of.try_emplace(Key{figure.metric, figure.category, figure.period_start, figure.date}, figure.line);
    if (!inserted) {
      throw InputError(table.location(row, metric_column),
                       "duplicate figure: line " + std::to_string(at->second) +
                           " gives the same metric, category, period_start and date");
    }
    result.figures.push_back(figure);
  }
  result.first_day = result.figures.front().period_start.value_or(result.figures.front().date);
  result.last_day = result.figures.front().date;
  for (const PublishedFigure& figure : result.figures) {
    result.first_day = std::min(result.first_day, figure.period_start.value_or(figure.date));
    result.last_day = std::max(result.last_day, figure.date);
  }
  return result;
}

std::vector<FiguresSummaryRow> summarise_figures(const PublishedFigures& figures) {
  std::map<std::pair<FigureMetric, int>, FiguresSummaryRow> rows;
  for (const PublishedFigure& figure : figures.figures) {
    const int year_ending = static_cast<int>(std::chrono::year_month_day{financial_year_end(figure.date)}.year());
    const Date first = figure.period_start.value_or(figure.date);
    auto [it, inserted] = rows.try_emplace({figure.metric, year_ending});
    FiguresSummaryRow& row = it->second;
    if (inserted) {
      row.metric = figure.metric;
      row.year_ending = year_ending;
      row.first = first;
      row.last = figure.date;
    }
    ++row.figures;
    row.first = std::min(row.first, first);
    row.last = std::max(row.last, figure.date);
    const std::string category = figure_category_name(figure.category);
    if (std::find(row.categories.begin(), row.categories.end(), category) == row.categories.end()) {
      row.categories.push_back(category);
    }
  }
  std::vector<FiguresSummaryRow> ordered;
  for (auto& [key, row] : rows) ordered.push_back(std::move(row));
  return ordered;
}

std::vector<FiguresConflict> find_conflicts(const PublishedFigures& figures) {
  std::vector<FiguresConflict> conflicts;
  for (const PublishedFigure& all : figures.figures) {
    if (all.category.kind != FigureCategory::Kind::all || is_percentage(all.metric)) continue;
    const auto same_figure = [&](const PublishedFigure& part) {
      return part.metric == all.metric && part.period_start == all.period_start && part.date == all.date &&
             part.category.kind != FigureCategory::Kind::all;
    };
    // Each part alone; then, kind by kind, the parts that share no id, taken in file order.
    for (const PublishedFigure& part : figures.figures) {
      if (!same_figure(part) || part.value <= all.value) continue;
      conflicts.push_back({part.line, all.line,
                           std::string(name_of(part.metric)) + " " + figure_category_name(part.category) +
                               " is more than the all figure on line " + std::to_string(all.line)});
    }
    for (auto kind : {FigureCategory::Kind::placement, FigureCategory::Kind::age_band, FigureCategory::Kind::sex,
                      FigureCategory::Kind::exit_reason, FigureCategory::Kind::care_leaver_age_band}) {
      std::uint32_t covered = 0;
      double sum = 0;
      int parts = 0;
      for (const PublishedFigure& part : figures.figures) {
        // A part over the total alone is noted above already.
        if (!same_figure(part) || part.category.kind != kind || (part.category.members & covered) != 0 ||
            part.value > all.value) {
          continue;
        }
        covered |= part.category.members;
        sum += part.value;
        ++parts;
        if (parts > 1 && sum > all.value) {
          conflicts.push_back({part.line, all.line,
                               "the " + std::to_string(parts) + " figures of " + std::string(name_of(all.metric)) +
                                   " by " + std::string(kind_name(kind)).substr(kind_name(kind).find(' ') + 1) +
                                   " up to this line add up to more than the all figure on line " +
                                   std::to_string(all.line)});
          break;
        }
      }
    }
  }
  std::stable_sort(conflicts.begin(), conflicts.end(),
                   [](const FiguresConflict& a, const FiguresConflict& b) { return a.line < b.line; });
  return conflicts;
}

}  // namespace carecast
