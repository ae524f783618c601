#include "output/report_html.hpp"

#include <algorithm>
#include <sstream>

#include "output/forecast_writer.hpp"
#include "output/report_disclosure.hpp"
#include "output/report_format.hpp"

namespace carecast::report {

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8 |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {kAlphabet[n >> 18], kAlphabet[n >> 12 & 63], kAlphabet[n >> 6 & 63], kAlphabet[n & 63]};
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16;
    out += {kAlphabet[n >> 18], kAlphabet[n >> 12 & 63], '=', '='};
  } else if (i + 2 == bytes.size()) {
    const unsigned n = static_cast<unsigned>(static_cast<unsigned char>(bytes[i])) << 16 |
                       static_cast<unsigned>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    out += {kAlphabet[n >> 18], kAlphabet[n >> 12 & 63], kAlphabet[n >> 6 & 63], '='};
  }
  return out;
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// Plain, print-friendly styling; no web fonts, so nothing is fetched.
constexpr const char* kStyle = R"(
body { font-family: "Segoe UI", Arial, "DejaVu Sans", sans-serif; color: #1a1a1a; margin: 0; background: #fff; }
main { max-width: 1040px; margin: 0 auto; padding: 24px 32px 48px; line-height: 1.45; }
h1 { font-size: 1.7em; margin: 0.2em 0; }
h2 { font-size: 1.3em; margin-top: 1.8em; border-bottom: 2px solid #0072B2; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin-bottom: 0.3em; }
.facts { color: #4d4d4d; }
.banner { padding: 10px 14px; margin: 14px 0; border-left: 5px solid; }
.publish { background: #e8f3fa; border-color: #0072B2; }
.draft { background: #fdf1e6; border-color: #D55E00; }
ul.key li { margin: 0.35em 0; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { border-bottom: 1px solid #d0d0d0; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.number { text-align: right; }
.range { font-size: 0.85em; color: #595959; white-space: nowrap; }
table.key td:first-child { min-width: 13em; }
table.options { font-size: 0.8em; width: 100%; }
table.options .range { white-space: normal; }
table.options th { font-weight: 600; }
td.indent { padding-left: 26px; }
figure { margin: 1.4em 0 2em; page-break-inside: avoid; break-inside: avoid; }
figure img { width: 100%; height: auto; border: 1px solid #e0e0e0; }
figcaption { font-size: 0.9em; color: #4d4d4d; margin-top: 0.4em; }
.note { font-size: 0.9em; color: #4d4d4d; }
@media print { main { max-width: none; padding: 0; } h2 { page-break-after: avoid; } }
)";

void paragraph(std::ostream& out, std::string_view text) { out << "<p>" << escape_html(text) << "</p>\n"; }

void key_figure_table(std::ostream& out, const KeyFigures& figures) {
  if (figures.rows.empty()) return;
  out << "<table class=\"key\">\n<tr><th>Measure</th>";
  for (const std::string& column : figures.columns) out << "<th>" << escape_html(column) << "</th>";
  out << "</tr>\n";
  for (const KeyFigureRow& row : figures.rows) {
    out << "<tr><td" << (row.indented ? " class=\"indent\"" : "") << ">" << escape_html(row.measure) << "</td>";
    for (const KeyFigureCell& cell : row.cells) {
      out << "<td class=\"number\">" << escape_html(cell.median);
      if (!cell.interval.empty()) out << "<br><span class=\"range\">" << escape_html(cell.interval) << "</span>";
      out << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n<p class=\"note\">Each cell: the median of runs, and below it the interval holding 90% of "
         "them. Totals over a financial year (costs, moves per child) are for the year ending on the date.</p>\n";
}

// The comparison.csv row a figure comes from, for a reader's tools (and the tests) to find it.
std::string source_attributes(const std::string& metric, const std::string& category, std::optional<Date> date) {
  return " data-metric=\"" + escape_html(metric) + "\" data-category=\"" + escape_html(category) + "\"" +
         (date ? " data-date=\"" + format_iso(*date) + "\"" : "");
}

void finance_table(std::ostream& out, const std::vector<FinanceYear>& years) {
  const bool budgets = std::any_of(years.begin(), years.end(), [](const FinanceYear& y) { return !y.budget.empty(); });
  out << "<h3 id=\"finance\">Cost by financial year</h3>\n<table class=\"finance\">\n<tr><th>Financial year</th>"
         "<th>Forecast cost (median)</th><th>90% interval</th>"
      << (budgets ? "<th>Budget</th><th>Probability of spending more than the budget</th><th>Expected overspend</th>"
                  : "")
      << "</tr>\n";
  for (const FinanceYear& year : years) {
    out << "<tr data-year=\"" << escape_html(year.year) << "\"><td>" << escape_html(year.year) << "</td><td class=\"number\">" << escape_html(year.cost)
        << "</td><td class=\"number\">" << escape_html(year.interval) << "</td>";
    if (budgets) {
      out << "<td class=\"number\">" << escape_html(year.budget) << "</td><td class=\"number\">"
          << escape_html(year.probability_over) << "</td><td class=\"number\">" << escape_html(year.expected_overspend)
          << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n<p class=\"note\">Gross placement cost in each financial year (1 April to 31 March), at "
         "each year's prices. A year marked with months is covered only in part: its cost is for those months "
         "alone, so it is not comparable with a whole year"
      << (budgets ? ", and it is not compared with the budget given for the year: set against a whole year's budget, "
                    "the months covered would show a false saving. The probability of spending more than the budget is "
                    "the share of runs whose cost for the year is above it; the expected overspend is the mean "
                    "over runs of the cost above the budget, a run within the budget counting as none, so it "
                    "weighs how far a year may go over as well as how likely that is"
                  : "")
      << ". The cost assumptions are under Assumptions.</p>\n";
}

void option_cell(std::ostream& out, const OptionFigure& figure) {
  out << "<td class=\"number\"" << source_attributes(figure.metric, figure.category, figure.date) << ">"
      << escape_html(figure.median);
  if (!figure.interval.empty()) out << "<br><span class=\"range\">" << escape_html(figure.interval) << "</span>";
  out << "</td>";
}

void option_appraisal(std::ostream& out, const OptionAppraisals& appraisals) {
  out << "<h2 id=\"options\">Options against the base scenario</h2>\n";
  paragraph(out, "Each option was simulated with the same children and the same chance events as the base, run "
                 "by run, so each figure is the option minus the base in the same run: the median of the paired "
                 "runs and, below it, the interval holding 90% of them. A negative cost is a saving. The "
                 "probability of costing less is the share of paired runs in which the option's cost to the "
                 "horizon is below the base's.");
  out << "<table class=\"options\">\n<tr><th>Option</th>";
  for (const std::string& column : appraisals.summary_columns) out << "<th>" << escape_html(column) << "</th>";
  out << "</tr>\n";
  for (const OptionAppraisal& option : appraisals.options) {
    out << "<tr data-option=\"" << escape_html(option.option) << "\"><td>" << escape_html(option.option) << "</td>";
    for (const OptionFigure& figure : option.summary) option_cell(out, figure);
    out << "</tr>\n";
  }
  out << "</table>\n<p class=\"note\">\"Pays for itself by\": the financial year in which the cumulative net "
         "cost difference falls to zero or below and stays there to the horizon, in the median run-by-run "
         "difference; the interval gives the same for the 5th and 95th percentiles of the difference. "
         "Children placed far from home are not modelled yet, so no option is judged on them.</p>\n";
  if (!appraisals.year_columns.empty()) {
    out << "<h3>Net cost by financial year (option minus base)</h3>\n<table class=\"options-by-year\">\n"
           "<tr><th>Option</th>";
    for (const std::string& column : appraisals.year_columns) out << "<th>" << escape_html(column) << "</th>";
    out << "</tr>\n";
    for (const OptionAppraisal& option : appraisals.options) {
      out << "<tr data-option=\"" << escape_html(option.option) << "\"><td>" << escape_html(option.option)
          << "</td>";
      for (const OptionFigure& figure : option.by_year) option_cell(out, figure);
      out << "</tr>\n";
    }
    out << "</table>\n<p class=\"note\">Financial years run from 1 April to 31 March. A year the forecast "
           "covers only in part is marked with the months it covers; its cost is for those months only.</p>\n";
  }
  out << "<h3>Differences that matter</h3>\n";
  paragraph(out, "Only differences whose 90% interval lies wholly above or below zero, and probabilities of " +
                     format_value(kClearlyUnlikely, Unit::probability) + " or less or " +
                     format_value(kClearlyLikely, Unit::probability) +
                     " or more, are stated; a probability of fewer children or lower cost is not stated where at "
                     "least 90% of paired runs show no change in that measure at all.");
  out << "<ul class=\"key options\">\n";
  for (const OptionAppraisal& option : appraisals.options) {
    if (option.sentences.empty()) {
      out << "<li data-option=\"" << escape_html(option.option) << "\" data-none=\"yes\">"
          << escape_html("'" + option.option + "': no clear difference from the base on these measures.") << "</li>\n";
    }
    for (const OptionSentence& sentence : option.sentences) {
      out << "<li data-option=\"" << escape_html(option.option) << "\""
          << source_attributes(sentence.metric, sentence.category, sentence.date) << ">" << escape_html(sentence.text)
          << "</li>\n";
    }
  }
  out << "</ul>\n";
}

void assumption_table(std::ostream& out, const AssumptionTable& table) {
  out << "<h3>" << escape_html(table.title) << "</h3>\n<p class=\"note\">" << escape_html(table.note) << "</p>\n";
  out << "<table>\n<tr>";
  for (const std::string& name : table.header) out << "<th>" << escape_html(name) << "</th>";
  out << "</tr>\n";
  for (const std::vector<Cell>& row : table.rows) {
    out << "<tr>";
    for (const Cell& cell : row) {
      const bool numeric = cell.number || cell.text == kSuppressedText;
      out << "<td" << (numeric ? " class=\"number\"" : "") << ">" << escape_html(cell.text) << "</td>";
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
}

}  // namespace

std::string render_report_html(const ReportContent& c) {
  std::ostringstream out;
  const std::string title = c.options ? "Children looked after: options against scenario '" + c.run.scenario_name + "'"
                                      : "Children looked after: forecast for scenario '" + c.run.scenario_name + "'";
  out << "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>" << escape_html(title) << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<main>\n";
  out << "<h1>" << escape_html(title) << "</h1>\n";
  if (!c.scenario_description.empty()) out << "<p>" << escape_html(c.scenario_description) << "</p>\n";
  out << "<p class=\"facts\">Forecast from " << escape_html(format_long_date(c.run.origin)) << " for "
      << c.run.horizon_years << " years &middot; " << escape_html(format_fixed(c.run.runs, 0))
      << " simulated runs &middot; seed " << c.run.seed << " &middot; report made " << escape_html(c.produced)
      << " by carecast " << escape_html(c.run.version) << "</p>\n";
  if (c.publish) {
    out << "<div class=\"banner publish\"><strong>For publication.</strong> Disclosure control has been applied: "
           "forecast counts are rounded to the nearest 5 and small recorded counts are shown as \"c\" (see "
           "<a href=\"#disclosure\">Disclosure control</a>).</div>\n";
  } else {
    out << "<div class=\"banner draft\"><strong>Not for publication.</strong> This version shows unrounded "
           "forecasts and recorded counts below 5. See <a href=\"#disclosure\">Disclosure control</a>.</div>\n";
  }
  if (c.scenario_changed) {
    out << "<div class=\"banner draft\">The scenario file has changed since this forecast was run: the "
           "assumptions below are the file's as it is now, which may differ from those the forecast used.</div>\n";
  }

  out << "<h2 id=\"key-figures\">Key figures</h2>\n";
  paragraph(out, "A forecast is a range of possible futures, so each figure is given as the median of the "
                 "simulated runs with the interval that holds 90% of them.");
  if (!c.figures.sentences.empty()) {
    out << "<ul class=\"key\">\n";
    for (const std::string& sentence : c.figures.sentences) out << "<li>" << escape_html(sentence) << "</li>\n";
    out << "</ul>\n";
  }
  key_figure_table(out, c.figures);
  if (!c.finance.empty()) finance_table(out, c.finance);
  if (c.options) option_appraisal(out, *c.options);

  out << "<h2 id=\"charts\">Charts</h2>\n";
  for (const ReportChart& chart : c.charts) {
    out << "<figure>\n<img alt=\"" << escape_html(chart.title) << "\" src=\"data:image/png;base64,"
        << base64_encode(chart.png) << "\">\n<figcaption>" << escape_html(chart.caption) << "</figcaption>\n</figure>\n";
  }
  if (!c.left_out.empty()) {
    out << "<p class=\"note\">Charts not drawn, because this forecast does not include what they need:</p>\n"
           "<ul class=\"note\">\n";
    for (const LeftOutChart& chart : c.left_out) {
      out << "<li>" << escape_html(chart.title) << " (" << escape_html(chart.reason) << ")</li>\n";
    }
    out << "</ul>\n";
  }

  out << "<h2 id=\"assumptions\">Assumptions</h2>\n";
  paragraph(out, "Every figure in this report follows from these assumptions, taken from the scenario file. "
                 "Where the future departs from them (more children entering care, a change in practice or in "
                 "the placements on offer) the forecast will be wrong in that direction.");
  for (const AssumptionTable& table : c.assumptions) assumption_table(out, table);

  out << "<h2 id=\"method\">Method</h2>\n";
  paragraph(out, "carecast simulates each child looked after at the start, and each child expected to start care "
                 "during the forecast, one by one. A child's placement ends at a rate that depends on the kind of "
                 "placement, the child's age and how long the placement has lasted (early weeks carry the most "
                 "risk); the child then moves to another placement or leaves care, with the chances the scenario "
                 "gives, and care ends at 18. Children start care at random times at the scenario's rates, with "
                 "brothers and sisters together.");
  paragraph(out, "The whole forecast is run " + format_fixed(c.run.runs, 0) +
                     " times with different chance events. Each run is one possible future; the report describes "
                     "the spread of those futures. The intervals include " + uncertainty_sources_text(c.run) +
                     ". " + rate_uncertainty_text(c.run) +
                     (c.run.year_to_year_variation
                          ? " Each run also draws how much busier or quieter each year is for the whole system, "
                            "so the spread widens with the horizon."
                          : ""));

  out << "<h2 id=\"reading\">How to read an interval</h2>\n";
  paragraph(out, "\"Median 452 (90% interval 431-476)\" means that half of the simulated futures ended above 452 "
                 "and half below; 90 in 100 ended between 431 and 476, 5 in 100 below 431 and 5 in 100 above 476. "
                 "On the charts, the darker band holds the middle half of the runs and the lighter band 90% of "
                 "them; black points are recorded figures.");
  paragraph(out, "An interval shows what chance alone could do if the assumptions hold. It does not cover changes "
                 "the scenario does not foresee, so the real figure can fall outside it. A wide interval is not a "
                 "weak forecast: it is an honest one about what cannot be known.");

  out << "<h2 id=\"disclosure\">Disclosure control</h2>\n";
  paragraph(out, c.publish ? std::string("This version is for publication. ") + kDisclosureRule
                           : std::string("This version is not for publication: it shows unrounded forecasts and "
                                         "recorded counts below 5. Make a version for publication with \"carecast "
                                         "report --publish\", which applies this rule: ") +
                                 kDisclosureRule);
  out << "</main>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace carecast::report
