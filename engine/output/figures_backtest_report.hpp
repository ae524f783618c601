// report.html for a backtest from published figures (`carecast backtest --figures`): one self-contained page
// with the summary by metric, every figure after the origin against its forecast and persistence, and a chart of
// each scored figure (plots/figures_backtest.py), or why it was not scored.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "output/report_html.hpp"

namespace carecast::report {

struct FiguresBacktestPage {
  std::string produced;               // the date the report was made, in words
  std::filesystem::path scores_csv;   // figures_backtest.csv
  std::filesystem::path summary_csv;  // figures_backtest_summary.csv
  std::vector<ReportChart> charts;
  std::vector<LeftOutChart> left_out;
};

// Reads the two CSVs (InputError naming a missing column) and renders the page.
std::string render_figures_backtest_html(const FiguresBacktestPage& page);

}  // namespace carecast::report
