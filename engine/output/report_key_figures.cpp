#include "output/report_key_figures.hpp"

#include <algorithm>
#include <map>

#include "output/forecast_writer.hpp"
#include "output/report_format.hpp"
#include "output/report_options.hpp"

namespace carecast::report {
namespace {

bool is_31_march(Date date) {
  const std::chrono::year_month_day ymd{date};
  return ymd.month() == std::chrono::March && ymd.day() == std::chrono::day{31};
}

std::string short_date(Date date) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::chrono::year_month_day ymd{date};
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " + kMonths[static_cast<unsigned>(ymd.month()) - 1] +
         " " + std::to_string(static_cast<int>(ymd.year()));
}

struct Statistics {
  std::size_t p05, p50, p95;
};

KeyFigureCell compact(const TableRow& row, const Statistics& s, Unit unit) {
  if (!row.values[s.p50]) return {kSuppressedText, ""};
  const std::string median = format_value(row.values[s.p50], unit);
  const std::string low = format_value(row.values[s.p05], unit), high = format_value(row.values[s.p95], unit);
  if (low == high) return {median, ""};
  return {median, low + (*row.values[s.p05] < 0 || *row.values[s.p95] < 0 ? " to " : "-") + high};
}

std::string describe(const TableRow& row, const Statistics& s, Unit unit) {
  return describe_interval(row.values[s.p05], row.values[s.p50], row.values[s.p95], unit);
}

// "in 2025-26" for a total over the financial year, "in the month to 31 March 2026" for a monthly
// count, else "at 31 March 2026".
std::string when(Period period, Date date, Date origin) {
  if (period == Period::year) return "in " + financial_year_label(date, origin);
  return (period == Period::month ? "in the month to " : "at ") + format_long_date(date);
}

bool partial_year(const MetricLabel& metric, Date date, Date origin) {
  return metric.period == Period::year && financial_year_start(date) <= origin;
}

}  // namespace

KeyFigures key_figures(const std::optional<Table>& forecast, Date origin, const Labels& labels) {
  KeyFigures figures;
  if (forecast) {
    const Statistics s{forecast->statistic("p05"), forecast->statistic("p50"),
                       forecast->statistic("p95")};
    std::vector<Date> marches;
    for (const TableRow& row : forecast->rows) {
      if (is_31_march(row.date) && row.date > origin) marches.push_back(row.date);
    }
    std::sort(marches.begin(), marches.end());
    marches.erase(std::unique(marches.begin(), marches.end()), marches.end());
    figures.columns.push_back("Start, " + short_date(origin));
    for (Date date : marches) figures.columns.push_back(short_date(date));

    // Key series in file order: each measure of the whole population (category "all"), or each
    // category of a measure that has no such total (places by kind of resource). Children looked
    // after are also shown by placement category.
    std::vector<std::pair<std::string, std::string>> order;
    std::vector<std::string> placement_order;
    std::map<std::string, bool> has_all;
    std::map<std::pair<std::string, std::string>, std::map<Date, const TableRow*>> cells;
    for (const TableRow& row : forecast->rows) {
      if (!labels.metric(row.metric).key_figure) continue;
      has_all[row.metric] = has_all[row.metric] || row.category == "all";
      const auto key = std::make_pair(row.metric, row.category);
      if (!cells.count(key)) order.push_back(key);
      if (row.metric == "children_looked_after" && row.category != "all" && !cells.count(key)) {
        placement_order.push_back(row.category);
      }
      cells[key][row.date] = &row;
    }
    std::erase_if(order, [&](const auto& key) { return key.second != "all" && has_all[key.first]; });
    const auto table_row = [&](const MetricLabel& metric, const std::string& category, const std::string& name,
                               bool indented) {
      const auto& by_date = cells[{metric.id, category}];
      KeyFigureRow out{name, indented, {}};
      const auto origin_row = by_date.find(origin);
      out.cells.push_back(origin_row != by_date.end() ? compact(*origin_row->second, s, metric.unit)
                                                      : KeyFigureCell{});
      for (Date date : marches) {
        const auto it = by_date.find(date);
        out.cells.push_back(it != by_date.end() && !partial_year(metric, date, origin)
                                ? compact(*it->second, s, metric.unit)
                                : KeyFigureCell{});
      }
      return out;
    };
    for (const auto& [id, category] : order) {
      const MetricLabel metric = labels.metric(id);
      const std::string name = category == "all" ? metric.label : metric.label + ": " + labels.category(category);
      figures.rows.push_back(table_row(metric, category, name, false));
      if (id == "children_looked_after") {
        for (const std::string& placement : placement_order) {
          const auto& by_date = cells[{id, placement}];
          const bool any = std::any_of(by_date.begin(), by_date.end(), [&](const auto& entry) {
            const std::optional<double>& p95 = entry.second->values[s.p95];
            return !p95 || *p95 > 0;
          });
          if (any) figures.rows.push_back(table_row(metric, placement, labels.category(placement), true));
        }
      }
      // In words: the start where it was recorded, the first and the last 31 March.
      const auto& by_date = cells[{id, category}];
      std::vector<std::string> parts;
      const auto start = by_date.find(origin);
      if (start != by_date.end() && metric.period == Period::day) {
        const TableRow& row = *start->second;
        // The same in every run: the recorded position; otherwise the start is itself drawn.
        const bool recorded = row.values[s.p05] == row.values[s.p95];
        parts.push_back(recorded ? format_value(row.values[s.p50], metric.unit) + " at " + format_long_date(origin) +
                                       " (recorded)"
                                 : "at " + format_long_date(origin) + ": " + describe(row, s, metric.unit));
      }
      // The first 31 March a whole financial year after the start, and the last.
      std::vector<Date> shown;
      for (Date date : marches) {
        if (by_date.count(date) && financial_year_start(date) > origin) shown.push_back(date);
      }
      if (shown.size() > 2) shown.erase(shown.begin() + 1, shown.end() - 1);
      for (Date date : shown) {
        parts.push_back(when(metric.period, date, origin) + ": " + describe(*by_date.at(date), s, metric.unit));
      }
      if (shown.empty()) continue;
      std::string sentence = name + ": ";
      for (std::size_t i = 0; i < parts.size(); ++i) sentence += (i ? "; " : "") + parts[i];
      figures.sentences.push_back(sentence + ".");
    }
  }
  return figures;
}

}  // namespace carecast::report
