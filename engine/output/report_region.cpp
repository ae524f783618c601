#include "output/report_region.hpp"

#include <cmath>
#include <optional>
#include <sstream>

#include "output/forecast_writer.hpp"
#include "output/report_format.hpp"
#include "output/report_html.hpp"

namespace carecast::report {

namespace {

const TableRow* find_row(const Table& table, std::string_view metric, std::string_view category, Date date) {
  for (const TableRow& row : table.rows) {
    if (row.metric == metric && row.category == category && row.date == date) return &row;
  }
  return nullptr;
}

// The last date a metric has in the table (the horizon for a stock).
std::optional<Date> last_date(const Table& table, std::string_view metric) {
  std::optional<Date> last;
  for (const TableRow& row : table.rows) {
    if (row.metric == metric && (!last || row.date > *last)) last = row.date;
  }
  return last;
}

std::optional<Date> first_date(const Table& table, std::string_view metric) {
  std::optional<Date> first;
  for (const TableRow& row : table.rows) {
    if (row.metric == metric && (!first || row.date < *first)) first = row.date;
  }
  return first;
}

// "median 452 (90% interval 431-476)", counts rounded to the nearest 5 when published.
std::string cell(const Table& table, std::string_view metric, std::string_view category, std::optional<Date> date,
                 Unit unit, bool publish) {
  if (!date) return "-";
  const TableRow* row = find_row(table, metric, category, *date);
  if (row == nullptr) return "-";
  auto value = [&](const char* statistic) -> std::optional<double> {
    std::optional<double> v = row->values[table.statistic(statistic)];
    if (v && publish && unit == Unit::count) v = 5.0 * std::round(*v / 5.0);
    return v;
  };
  return escape_html(describe_interval(value("p05"), value("p50"), value("p95"), unit));
}

}  // namespace

std::string render_region_html(const RegionPage& page) {
  const Table& region = page.region;
  const std::optional<Date> origin = first_date(region, "children_looked_after");
  const std::optional<Date> horizon = last_date(region, "children_looked_after");
  std::ostringstream html;
  html << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<title>Region: children looked after forecast</title>\n"
       << "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;}table{border-collapse:collapse;}"
       << "td,th{border:1px solid #bbb;padding:0.3em 0.6em;text-align:left;vertical-align:top;}</style>\n"
       << "</head>\n<body>\n<h1>Region: children looked after forecast</h1>\n"
       << "<p>Made " << escape_html(page.made) << ". " << page.councils.size()
       << " councils, whose children compete for one shared market of placements. Each figure is a median "
       << "with its 90% interval over the simulated runs.";
  if (page.publish) html << " Published with disclosure control: forecast counts rounded to the nearest 5.";
  html << "</p>\n";

  html << "<h2>Each council</h2>\n<table>\n<tr><th>Council</th><th>Children looked after at "
       << (origin ? escape_html(format_long_date(*origin)) : "-") << "</th><th>at "
       << (horizon ? escape_html(format_long_date(*horizon)) : "-")
       << "</th><th>Its children placed in another council's area</th>"
       << "<th>Other councils' children placed in its area</th><th>Board pack</th></tr>\n";
  for (const RegionPageCouncil& council : page.councils) {
    html << "<tr><td>" << escape_html(council.name) << "</td><td>"
         << cell(council.forecast, "children_looked_after", "all", origin, Unit::count, page.publish) << "</td><td>"
         << cell(council.forecast, "children_looked_after", "all", horizon, Unit::count, page.publish) << "</td><td>"
         << cell(region, "placed_in_another_council_area", council.name, horizon, Unit::count, page.publish)
         << "</td><td>" << cell(region, "placed_from_another_council", council.name, horizon, Unit::count, page.publish)
         << "</td><td><a href=\"" << (page.publish ? "../../councils/" : "../councils/") << escape_html(council.name)
         << "/" << (page.publish ? "published/" : "") << "report.html\">report</a></td></tr>\n";
  }
  html << "<tr><th>Region</th><td>" << cell(region, "children_looked_after", "all", origin, Unit::count, page.publish)
       << "</td><td>" << cell(region, "children_looked_after", "all", horizon, Unit::count, page.publish)
       << "</td><td colspan=\"3\"></td></tr>\n</table>\n";

  html << "<h2>The shared market at " << (horizon ? escape_html(format_long_date(*horizon)) : "-")
       << "</h2>\n<table>\n<tr><th>Part</th><th>Places</th><th>Children placed</th></tr>\n";
  for (const std::string_view part : {"foster_agency", "childrens_home_external", "supported_accommodation"}) {
    if (find_row(region, "shared_places_available", part, *horizon) == nullptr) continue;
    html << "<tr><td>" << escape_html(std::string(part)) << "</td><td>"
         << cell(region, "shared_places_available", part, horizon, Unit::count, page.publish) << "</td><td>"
         << cell(region, "shared_places_occupied", part, horizon, Unit::count, page.publish) << "</td></tr>\n";
  }
  if (find_row(region, "joint_home_occupied", "all", *horizon) != nullptr) {
    html << "<tr><td>joint children's home</td><td></td><td>"
         << cell(region, "joint_home_occupied", "all", horizon, Unit::count, page.publish) << "</td></tr>\n";
  }
  html << "</table>\n";

  html << "<h2>Cost by financial year, all councils</h2>\n<table>\n<tr><th>Year to</th><th>Cost</th></tr>\n";
  for (const TableRow& row : region.rows) {
    if (row.metric != "cost_financial_year" || row.category != "all") continue;
    html << "<tr><td>" << escape_html(format_long_date(row.date)) << "</td><td>"
         << cell(region, "cost_financial_year", "all", row.date, Unit::pounds, page.publish) << "</td></tr>\n";
  }
  html << "</table>\n<p>The region's figures add up its councils' counts and costs in each run. Percentages "
       << "(placement stability, distance from home) do not add up across councils: each council's board pack "
       << "gives its own.</p>\n</body>\n</html>\n";
  return html.str();
}

}  // namespace carecast::report
