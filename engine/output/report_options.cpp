#include "output/report_options.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>

#include "output/forecast_writer.hpp"
#include "output/report_format.hpp"

namespace carecast::report {
namespace {

int year_of(Date date) { return static_cast<int>(std::chrono::year_month_day{date}.year()); }

int months_from(Date from, Date to) {
  const std::chrono::year_month_day a{from}, b{to};
  return (static_cast<int>(b.year()) - static_cast<int>(a.year())) * 12 +
         (static_cast<int>(static_cast<unsigned>(b.month())) - static_cast<int>(static_cast<unsigned>(a.month())));
}

struct Statistics {
  std::size_t mean, p05, p50, p95;
};

// A difference with its sign: "+£1.2m", "-3", "0".
std::string signed_value(const std::optional<double>& value, Unit unit) {
  if (!value) return kSuppressedText;
  const std::string text = format_value(*value, unit);
  const bool zero = text.find_first_of("123456789") == std::string::npos;
  return *value > 0 && !zero ? "+" + text : text;
}

// One option's rows by (metric, category), in date order.
using Series = std::map<std::pair<std::string, std::string>, std::vector<const TableRow*>>;

const TableRow* at(const Series& series, const std::string& metric, const std::string& category, Date date) {
  const auto it = series.find({metric, category});
  if (it == series.end()) return nullptr;
  for (const TableRow* row : it->second) {
    if (row->date == date) return row;
  }
  return nullptr;
}

// The first date from which `statistic` of the cumulative net cost stays at or below zero to the
// horizon: nullopt if it is above zero at the horizon, the first date if it is never above zero.
std::optional<Date> paid_back_from(const std::vector<const TableRow*>& cumulative, std::size_t statistic) {
  if (cumulative.empty()) return std::nullopt;
  for (std::size_t i = cumulative.size(); i-- > 0;) {
    const std::optional<double>& value = cumulative[i]->values[statistic];
    if (!value || *value > 0) {
      if (i + 1 == cumulative.size()) return std::nullopt;
      return cumulative[i + 1]->date;
    }
  }
  return cumulative.front()->date;
}

// A paired difference that is zero from its 5th to its 95th percentile: at least 90% of paired
// runs show no change at all.
bool unchanged_in_nine_runs_of_ten(const TableRow* difference, const Statistics& s) {
  if (!difference) return false;
  const auto zero = [&](std::size_t statistic) {
    return difference->values[statistic] && *difference->values[statistic] == 0.0;
  };
  return zero(s.p05) && zero(s.p95);
}

std::string lower_first(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

struct Measure {
  std::string metric;
  std::string category;
  std::string column;  // the table's heading
  std::string phrase;  // in a sentence: "net cost to 28 February 2030"
};

}  // namespace

int financial_year_months(Date date, Date origin) {
  const Date start = financial_year_start(date);
  // Months simulated: from the forecast start (a month end) or from 1 April.
  return start <= origin ? months_from(origin, date) : months_from(start, date) + 1;
}

std::string financial_year_label(Date date, Date origin) {
  const int end_year = year_of(financial_year_end(date));
  const std::string next = std::to_string(end_year % 100);
  std::string label = std::to_string(end_year - 1) + "-" + (next.size() < 2 ? "0" : "") + next;
  const int months = financial_year_months(date, origin);
  if (months < 12) label += " (" + std::to_string(months) + (months == 1 ? " month)" : " months)");
  return label;
}

OptionAppraisals appraise_options(const Table& comparison, Date origin, const Labels& labels) {
  const Statistics s{comparison.statistic("mean"), comparison.statistic("p05"), comparison.statistic("p50"),
                     comparison.statistic("p95")};
  std::vector<std::string> options;
  std::map<std::string, Series> by_option;
  Date horizon = origin;
  for (const TableRow& row : comparison.rows) {
    if (!by_option.count(row.option)) options.push_back(row.option);
    by_option[row.option][{row.metric, row.category}].push_back(&row);
    horizon = std::max(horizon, row.date);
  }
  for (auto& [option, series] : by_option) {
    for (auto& [key, rows] : series) {
      std::sort(rows.begin(), rows.end(), [](const TableRow* a, const TableRow* b) { return a->date < b->date; });
    }
  }
  const std::string to_horizon = format_long_date(horizon);
  const std::string npv = labels.metric("cost_npv").label;
  const std::vector<Measure> differences = {
      {"cost_cumulative", "all", "Net cost to " + to_horizon, "net cost to " + to_horizon},
      {"cost_npv", "all", npv, lower_first(npv)},
      {"children_reaching_3_placements_total", "all", "Children reaching 3 placements in a year",
       "children reaching 3 placements in a year, to " + to_horizon},
      {"unmet_preference_total", "all", "Children placed against preference",
       "children placed against preference, to " + to_horizon},
      {"children_looked_after", "foster_agency", "Agency foster placements at " + to_horizon,
       "children with agency foster carers at " + to_horizon},
      {"children_looked_after", "childrens_home_external", "External children's home placements at " + to_horizon,
       "children in external children's homes at " + to_horizon},
      {"children_looked_after", "childrens_home_in_house", "In-house children's home placements at " + to_horizon,
       "children in the council's own children's homes at " + to_horizon},
      {"children_placed_over_20_miles", "all", "Children far from home (over 20 miles) at " + to_horizon,
       "children placed more than 20 miles from home at " + to_horizon},
      {"unregistered_placements", "all", "Children in unregistered placements at " + to_horizon,
       "children in unregistered placements at " + to_horizon},
      {"unmet_need", "all", "Children whose placement does not meet their needs at " + to_horizon,
       "children whose placement does not meet their needs at " + to_horizon},
  };
  struct Probability {
    std::string metric;
    std::string event;       // "costs less than the base to 28 February 2030"
    std::string difference;  // the paired difference whose sign the probability counts
  };
  const std::vector<Probability> probabilities = {
      {"probability_cheaper", "costs less than the base to " + to_horizon, "cost_cumulative"},
      {"probability_fewer_3plus_placements",
       "has fewer children reaching 3 placements in a year than the base (to " + to_horizon + ")",
       "children_reaching_3_placements_total"},
      {"probability_fewer_unmet_preference",
       "places fewer children against preference than the base (to " + to_horizon + ")", "unmet_preference_total"},
  };

  OptionAppraisals result;
  for (const Measure& measure : differences) result.summary_columns.push_back(measure.column);
  result.summary_columns.insert(result.summary_columns.begin() + 2, "Probability of costing less");
  result.summary_columns.insert(result.summary_columns.begin() + 3, "Pays for itself by");

  // The financial years of the net cost, from the first option that has them (all share dates).
  std::vector<Date> year_ends;
  for (const std::string& option : options) {
    const auto it = by_option[option].find({"cost_financial_year", "all"});
    if (it == by_option[option].end()) continue;
    for (const TableRow* row : it->second) {
      if (row->date > origin) year_ends.push_back(row->date);
    }
    break;
  }
  for (Date date : year_ends) result.year_columns.push_back(financial_year_label(date, origin));

  for (const std::string& option : options) {
    const Series& series = by_option[option];
    OptionAppraisal appraisal{option, {}, {}, {}};
    const auto difference_figure = [&](const std::string& metric, const std::string& category, Date date,
                                       Unit unit) {
      const TableRow* row = at(series, metric, category, date);
      if (!row) return OptionFigure{metric, category, std::nullopt, "n/a", ""};
      return OptionFigure{metric, category, date, signed_value(row->values[s.p50], unit),
                          signed_value(row->values[s.p05], unit) + " to " + signed_value(row->values[s.p95], unit)};
    };
    const auto sentence_if_clear = [&](const std::string& metric, const std::string& category, Date date,
                                       const std::string& phrase, Unit unit) {
      const TableRow* row = at(series, metric, category, date);
      if (!row || !row->values[s.p05] || !row->values[s.p95] || !row->values[s.p50]) return;
      const bool higher = *row->values[s.p05] > 0, lower = *row->values[s.p95] < 0;
      if (!higher && !lower) return;
      appraisal.sentences.push_back(
          {metric, category, date,
           "'" + option + "': " + phrase + (higher ? " higher" : " lower") + " than the base's: median " +
               signed_value(row->values[s.p50], unit) + ", 90% interval " + signed_value(row->values[s.p05], unit) +
               " to " + signed_value(row->values[s.p95], unit) + "."});
    };

    for (std::size_t m = 0; m < differences.size(); ++m) {
      const Measure& measure = differences[m];
      const Unit unit = labels.metric(measure.metric).unit;
      appraisal.summary.push_back(difference_figure(measure.metric, measure.category, horizon, unit));
      sentence_if_clear(measure.metric, measure.category, horizon, measure.phrase, unit);
    }
    // Probability of costing less, and when the option pays for itself.
    const TableRow* cheaper = at(series, "probability_cheaper", "all", horizon);
    appraisal.summary.insert(appraisal.summary.begin() + 2,
                             cheaper ? OptionFigure{"probability_cheaper", "all", horizon,
                                                    format_value(cheaper->values[s.mean], Unit::probability), ""}
                                     : OptionFigure{"probability_cheaper", "all", std::nullopt, "n/a", ""});
    OptionFigure payback{"payback", "all", std::nullopt, "n/a", ""};
    if (const auto it = series.find({"cost_cumulative", "all"}); it != series.end()) {
      const auto describe = [&](std::optional<Date> from) {
        if (!from) return "not by " + to_horizon;
        if (*from == it->second.front()->date) return std::string("from the start");
        return financial_year_label(std::min(financial_year_end(*from), horizon), origin);
      };
      payback.date = horizon;
      payback.median = describe(paid_back_from(it->second, s.p50));
      const std::string early = describe(paid_back_from(it->second, s.p05));
      const std::string late = describe(paid_back_from(it->second, s.p95));
      payback.interval = early == late ? "" : early + " to " + late;
    }
    appraisal.summary.insert(appraisal.summary.begin() + 3, payback);

    for (Date date : year_ends) {
      appraisal.by_year.push_back(difference_figure("cost_financial_year", "all", date, Unit::pounds));
      sentence_if_clear("cost_financial_year", "all", date, "net cost in " + financial_year_label(date, origin),
                        Unit::pounds);
    }
    for (const Probability& probability : probabilities) {
      const TableRow* row = at(series, probability.metric, "all", horizon);
      if (!row || !row->values[s.mean]) continue;
      const double p = *row->values[s.mean];
      if (p > kClearlyUnlikely && p < kClearlyLikely) continue;
      // "Fewer in only 0% of runs" is true but misleads where the option changes nothing: a
      // probability far from even says something only if the difference it counts moves.
      if (unchanged_in_nine_runs_of_ten(at(series, probability.difference, "all", horizon), s)) continue;
      const std::string share = std::to_string(std::lround(100 * p)) + "%";
      appraisal.sentences.push_back({probability.metric, "all", horizon,
                                     "'" + option + "' " + probability.event + " in " +
                                         (p <= kClearlyUnlikely ? "only " : "") + share +
                                         " of paired runs: probability " + format_value(p, Unit::probability) + "."});
    }
    result.options.push_back(std::move(appraisal));
  }
  return result;
}

}  // namespace carecast::report
