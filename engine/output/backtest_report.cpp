#include "output/backtest_report.hpp"

#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"
#include "output/report_format.hpp"

namespace carecast::report {
namespace {

double number_at(const CsvTable& csv, std::size_t row, std::size_t column) {
  const std::string_view text = csv.field(row, column);
  // An empty score: the method gives no interval (persistence, the mean-rate forecast).
  if (text.empty()) return std::nan("");
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw InputError(csv.location(row, column), "expected a number");
  }
  return value;
}

// One category's scores for each method (carecast, persistence, mean_rate).
struct Scores {
  double forecasts = 0, coverage_50 = 0, coverage_90 = 0, median_error_percent = 0, mean_crps = 0;
};

// A score the backtest could not form (no forecast of that kind) is NaN in the CSV: shown as "-".
std::string share(double fraction) {
  return std::isnan(fraction) ? "-" : std::to_string(std::lround(100 * fraction)) + "%";
}

std::string crps_text(double crps) {
  if (std::isnan(crps)) return "-";
  std::ostringstream out;
  out.precision(crps < 10 ? 2 : 1);
  out << std::fixed << crps;
  return out.str();
}

std::string median_error_text(double percent) {
  if (std::isnan(percent)) return "-";
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << percent << "%";
  return out.str();
}

// A plain verdict on carecast against persistence: a CRPS within 5% of it is no real difference.
std::string against_persistence(double carecast, double persistence) {
  if (carecast < 0.95 * persistence) return "better than assuming no change";
  if (carecast > 1.05 * persistence) return "worse than assuming no change";
  return "about as well as assuming no change";
}

}  // namespace

std::string render_backtest_html(const BacktestPage& page, const Labels& labels) {
  const CsvTable summary = CsvTable::read(page.summary_csv);
  const CsvTable rows = CsvTable::read(page.rows_csv);
  const std::size_t method = summary.require_column("method"), category = summary.require_column("category"),
                    forecasts = summary.require_column("forecasts"), c50 = summary.require_column("coverage_50"),
                    c90 = summary.require_column("coverage_90"),
                    mdape = summary.require_column("median_absolute_percentage_error"),
                    crps = summary.require_column("mean_crps");
  std::vector<std::string> categories;
  std::map<std::string, std::map<std::string, Scores>> scores;  // category -> method -> scores
  for (std::size_t r = 0; r < summary.row_count(); ++r) {
    const std::string c(summary.field(r, category));
    if (!scores.count(c)) categories.push_back(c);
    scores[c][std::string(summary.field(r, method))] =
        Scores{number_at(summary, r, forecasts), number_at(summary, r, c50), number_at(summary, r, c90),
               number_at(summary, r, mdape), number_at(summary, r, crps)};
  }
  std::set<std::string> origins;
  std::set<std::string> horizons;
  const std::size_t origin = rows.require_column("origin"), horizon = rows.require_column("horizon_months");
  for (std::size_t r = 0; r < rows.row_count(); ++r) {
    origins.insert(std::string(rows.field(r, origin)));
    horizons.insert(std::string(rows.field(r, horizon)));
  }
  const auto category_label = [&](const std::string& c) {
    return c == "all" ? std::string("All children looked after") : labels.category(c);
  };

  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<title>How well has this model forecast before?</title><style>"
      << "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}"
      << "table{border-collapse:collapse;font-size:0.85em;margin:1em 0}"
      << "th,td{border:1px solid #ccc;padding:0.2em 0.5em;text-align:left}td.number{text-align:right}"
      << "img{max-width:100%}figure{margin:2em 0;break-inside:avoid}.muted{color:#595959}"
      << "</style></head><body>\n"
      << "<h1>How well has this model forecast before?</h1>\n"
      << "<p class=\"muted\">A backtest from SSDA903 returns, made " << escape_html(page.produced)
      << " by carecast. Origins: ";
  bool first = true;
  for (const std::string& o : origins) {
    out << (first ? "" : ", ") << escape_html(o);
    first = false;
  }
  out << "; " << horizons.size() << " month ends forecast after each.</p>\n"
      << "<p>At each origin carecast was calibrated on the returns up to that day only, and its forecast of the "
         "children looked after at each later month end was set against what the returns then showed. The same "
         "was done for two plain forecasts: persistence (no change from the origin) and the mean-rate forecast "
         "(the calibrated rates followed without chance).</p>\n";

  if (const auto it = scores.find("all"); it != scores.end() && it->second.count("carecast")) {
    const Scores& c = it->second.at("carecast");
    out << "<p class=\"finding\" data-category=\"all\">Over " << static_cast<long>(c.forecasts)
        << " monthly forecasts of the children looked after, what happened was inside carecast's 90% interval in "
        << share(c.coverage_90) << " of them (a well-calibrated forecast: about 90%) and inside its 50% interval in "
        << share(c.coverage_50) << " (about 50%). Its median was typically "
        << median_error_text(c.median_error_percent) << " away from what happened.";
    if (it->second.count("persistence")) {
      const Scores& p = it->second.at("persistence");
      out << " Scored on the whole forecast (mean CRPS, in children; lower is better) it forecast "
          << against_persistence(c.mean_crps, p.mean_crps) << ": " << crps_text(c.mean_crps)
          << " against persistence's " << crps_text(p.mean_crps);
      if (it->second.count("mean_rate")) {
        out << " (the mean-rate forecast's: " << crps_text(it->second.at("mean_rate").mean_crps) << ")";
      }
      out << ".";
    }
    out << "</p>\n";
  }
  out << "<p>These are few forecasts: with a dozen months from one origin, coverage far from 90% or 50% can "
         "happen by chance, and months next to each other are not independent checks. More origins give a "
         "firmer answer.</p>\n"
      << "<h2>Scores by placement category</h2>\n"
      << "<table class=\"backtest\">\n<tr><th>Category</th><th>Forecasts</th><th>Inside 50% interval</th>"
         "<th>Inside 90% interval</th><th>Median error</th><th>Mean CRPS</th><th>Persistence's mean CRPS</th>"
         "<th>Mean-rate forecast's mean CRPS</th></tr>\n";
  for (const std::string& c : categories) {
    const auto& by_method = scores.at(c);
    if (!by_method.count("carecast")) continue;
    const Scores& s = by_method.at("carecast");
    const auto other = [&](const char* name) {
      return by_method.count(name) ? crps_text(by_method.at(name).mean_crps) : std::string("n/a");
    };
    out << "<tr data-category=\"" << escape_html(c) << "\"><td>" << escape_html(category_label(c))
        << "</td><td class=\"number\">" << static_cast<long>(s.forecasts) << "</td><td class=\"number\">"
        << share(s.coverage_50) << "</td><td class=\"number\">" << share(s.coverage_90)
        << "</td><td class=\"number\">" << median_error_text(s.median_error_percent) << "</td><td class=\"number\">"
        << crps_text(s.mean_crps) << "</td><td class=\"number\">" << other("persistence")
        << "</td><td class=\"number\">" << other("mean_rate") << "</td></tr>\n";
  }
  out << "</table>\n<p class=\"muted\">Inside an interval: the share of month ends at which the children looked "
         "after were inside the forecast's interval. Median error: the median, over month ends, of the distance "
         "between the forecast's median and what happened, as a percentage of what happened. CRPS (continuous "
         "ranked probability score) measures the whole forecast's distance from what happened, in children: it "
         "rewards a forecast that is both near and no wider than it needs to be. A lower CRPS than persistence "
         "means the model added something to assuming no change. Every figure is a row of backtest_summary.csv; "
         "each forecast is a row of backtest.csv.</p>\n";
  out << "<h2>Forecasts against what happened</h2>\n";
  for (const ReportChart& chart : page.charts) {
    out << "<figure><img alt=\"" << escape_html(chart.title) << "\" src=\"data:image/png;base64,"
        << base64_encode(chart.png) << "\"><figcaption class=\"muted\">" << escape_html(chart.caption)
        << "</figcaption></figure>\n";
  }
  if (!page.left_out.empty()) {
    out << "<h2>Categories not charted</h2>\n<ul>\n";
    for (const LeftOutChart& left : page.left_out) {
      out << "<li>" << escape_html(left.title) << ": " << escape_html(left.reason) << "</li>\n";
    }
    out << "</ul>\n";
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace carecast::report
