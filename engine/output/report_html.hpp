// report.html: one self-contained file (charts embedded as base64 PNG, no scripts, no links out)
// that opens in any browser and prints on A4: key figures in words, the charts, the assumptions,
// a method note, how to read an interval and the disclosure rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "output/report_assumptions.hpp"
#include "output/report_inputs.hpp"
#include "output/report_finance.hpp"
#include "output/report_key_figures.hpp"
#include "output/report_options.hpp"

namespace carecast::report {

struct ReportChart {
  std::string title;    // the finding
  std::string caption;  // how to read it, what it assumes
  std::string png;      // the image file's bytes
};

struct LeftOutChart {
  std::string title;
  std::string reason;  // what the folder lacks
};

struct ReportContent {
  std::string scenario_description;
  RunInfo run;
  std::string produced;  // the date the report was made, in words
  bool publish = false;
  bool scenario_changed = false;
  KeyFigures figures;
  std::optional<OptionAppraisals> options;  // a compare folder's options against its base
  std::vector<FinanceYear> finance;         // the (base) forecast's cost by financial year
  std::vector<ReportChart> charts;
  std::vector<LeftOutChart> left_out;
  std::vector<AssumptionTable> assumptions;
};

std::string render_report_html(const ReportContent& content);

std::string base64_encode(std::string_view bytes);
std::string escape_html(std::string_view text);

}  // namespace carecast::report
