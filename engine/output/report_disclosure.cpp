#include "output/report_disclosure.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace carecast::report {

const char* const kDisclosureRule =
    "Counts of 1 to 4 children in tables built from recorded data are suppressed and shown as \"c\"; where a "
    "table would then hide a single count, the next smallest count is suppressed too, so that no hidden count "
    "can be worked out from a total. Forecast counts are rounded to the nearest 5. Percentages, rates and costs "
    "are not counts of children and are shown as they are.";

double round_to_nearest_5(double value) { return std::round(value / 5.0) * 5.0; }

std::vector<std::optional<double>> suppress_small_counts(const std::vector<double>& counts) {
  std::vector<std::optional<double>> published(counts.begin(), counts.end());
  int suppressed = 0;
  for (std::optional<double>& value : published) {
    if (*value > 0 && *value < 5) {
      value.reset();
      ++suppressed;
    }
  }
  if (suppressed == 1) {
    auto smallest = published.end();
    for (auto it = published.begin(); it != published.end(); ++it) {
      if (*it && **it > 0 && (smallest == published.end() || **it < **smallest)) smallest = it;
    }
    if (smallest != published.end()) smallest->reset();
  }
  return published;
}

namespace {

bool is_count(const Labels& labels, const std::string& metric) { return labels.metric(metric).unit == Unit::count; }

bool same_in_every_run(const TableRow& row) {
  return std::all_of(row.values.begin(), row.values.end(), [&](const std::optional<double>& v) {
    return v == row.values.front();
  });
}

// Suppresses the rows of `table` chosen by `recorded` group by group (option, metric, date), on
// their first value (recorded rows hold one value, or the same value in every column).
template <typename Recorded>
void suppress_recorded(Table& table, Recorded recorded) {
  std::map<std::tuple<std::string, std::string, Date>, std::vector<TableRow*>> groups;
  for (TableRow& row : table.rows) {
    if (recorded(row)) groups[{row.option, row.metric, row.date}].push_back(&row);
  }
  for (auto& [key, rows] : groups) {
    std::vector<double> counts;
    for (const TableRow* row : rows) counts.push_back(row->values.front().value_or(0));
    const std::vector<std::optional<double>> published = suppress_small_counts(counts);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (!published[i]) std::fill(rows[i]->values.begin(), rows[i]->values.end(), std::nullopt);
    }
  }
}

void round_counts(TableRow& row) {
  for (std::optional<double>& value : row.values) {
    if (value) value = round_to_nearest_5(*value);
  }
}

}  // namespace

Table publish_forecast(Table table, Date origin, const Labels& labels) {
  const auto recorded = [&](const TableRow& row) {
    return row.date == origin && is_count(labels, row.metric) && same_in_every_run(row);
  };
  suppress_recorded(table, recorded);
  for (TableRow& row : table.rows) {
    if (is_count(labels, row.metric) && !(row.date == origin && same_in_every_run(row))) round_counts(row);
  }
  return table;
}

Table publish_comparison(Table table, const Labels& labels) {
  for (TableRow& row : table.rows) {
    if (is_count(labels, row.metric)) round_counts(row);
  }
  return table;
}

Table publish_history(Table table, const Labels& labels) {
  suppress_recorded(table, [&](const TableRow& row) { return is_count(labels, row.metric); });
  return table;
}

}  // namespace carecast::report
