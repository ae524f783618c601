#include "output/figures_backtest_report.hpp"

#include <sstream>

#include "core/csv_reader.hpp"

namespace carecast::report {
namespace {

// The columns shown, with their headings, in the order shown.
struct Shown {
  const char* column;
  const char* heading;
};

void table(std::ostream& out, const CsvTable& csv, const std::vector<Shown>& shown) {
  std::vector<std::size_t> columns;
  for (const Shown& s : shown) columns.push_back(csv.require_column(s.column));
  out << "<table>\n<tr>";
  for (const Shown& s : shown) out << "<th>" << escape_html(s.heading) << "</th>";
  out << "</tr>\n";
  for (std::size_t r = 0; r < csv.row_count(); ++r) {
    out << "<tr>";
    for (const std::size_t c : columns) out << "<td>" << escape_html(csv.field(r, c)) << "</td>";
    out << "</tr>\n";
  }
  out << "</table>\n";
}

}  // namespace

std::string render_figures_backtest_html(const FiguresBacktestPage& page) {
  const CsvTable scores = CsvTable::read(page.scores_csv);
  const CsvTable summary = CsvTable::read(page.summary_csv);
  const std::size_t origin_column = scores.require_column("origin");
  const std::string origin = scores.row_count() > 0 ? std::string(scores.field(0, origin_column)) : "";
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      << "<title>Backtest from published figures</title><style>"
      << "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 "
         "1em;color:#222}"
      << "table{border-collapse:collapse;font-size:0.85em;margin:1em 0}"
      << "th,td{border:1px solid #ccc;padding:0.2em 0.5em;text-align:left}"
      << "img{max-width:100%}figure{margin:2em "
         "0;break-inside:avoid}.muted{color:#595959}</style></head><body>\n"
      << "<h1>Backtest from published figures, origin " << escape_html(origin) << "</h1>\n"
      << "<p class=\"muted\">Made " << escape_html(page.produced) << " by carecast.</p>\n"
      << "<p>A scenario was fitted to the figures published up to the origin "
         "only, and its forecast was compared "
      << "with every figure published afterwards. A figure inside the "
         "forecast's 90% interval nine times in ten, and "
      << "inside its 50% interval half the time, is what a well-calibrated "
         "forecast gives. CRPS measures the whole "
      << "forecast's distance from what was published, in the figure's own "
         "units (lower is better); persistence, "
      << "the last figure of the same kind before the origin (a flow scaled to "
         "the period's length), is scored the "
      << "same way, so a forecast with lower CRPS than persistence adds "
         "something to it.</p>\n"
      << "<h2>Summary by measure</h2>\n";
  table(out, summary,
        {{"metric", "Measure"},
         {"scored", "Figures scored"},
         {"inside_50", "Inside 50%"},
         {"inside_90", "Inside 90%"},
         {"mean_crps", "Mean CRPS"},
         {"with_persistence", "Persistence can forecast"},
         {"mean_crps_where_persistence", "Mean CRPS there"},
         {"persistence_mean_crps", "Persistence's mean CRPS"}});
  out << "<h2>Every figure after the origin</h2>\n";
  table(out, scores,
        {{"metric", "Measure"},
         {"category", "Category"},
         {"period_start", "From"},
         {"date", "Date"},
         {"value", "Published"},
         {"p05", "5%"},
         {"p50", "Median"},
         {"p95", "95%"},
         {"inside_50", "In 50%"},
         {"inside_90", "In 90%"},
         {"crps", "CRPS"},
         {"persistence", "Persistence"},
         {"note", "Note"}});
  out << "<h2>Charts</h2>\n";
  for (const ReportChart& chart : page.charts) {
    out << "<figure><img alt=\"" << escape_html(chart.title) << "\" src=\"data:image/png;base64,"
        << base64_encode(chart.png) << "\"><figcaption class=\"muted\">" << escape_html(chart.caption)
        << "</figcaption></figure>\n";
  }
  if (!page.left_out.empty()) {
    out << "<h2>Figures not charted</h2>\n<ul>\n";
    for (const LeftOutChart& left : page.left_out) {
      out << "<li>" << escape_html(left.title) << ": " << escape_html(left.reason) << "</li>\n";
    }
    out << "</ul>\n";
  }
  out << "</body></html>\n";
  return out.str();
}

}  // namespace carecast::report
