// report.html for a backtest from SSDA903 returns (`carecast backtest`): "how well has this model
// forecast before?" One self-contained page with the scores in plain words for the total, a table
// of them by placement category beside persistence and the mean-rate forecast, and a chart of the
// forecast bands against what happened for the total and the largest categories (plots/backtest.py).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "output/report_html.hpp"
#include "output/report_labels.hpp"

namespace carecast::report {

inline constexpr const char* kBacktestCsv = "backtest.csv";
inline constexpr const char* kBacktestSummaryCsv = "backtest_summary.csv";

struct BacktestPage {
  std::string produced;               // the date the report was made, in words
  std::filesystem::path rows_csv;     // backtest.csv
  std::filesystem::path summary_csv;  // backtest_summary.csv
  std::vector<ReportChart> charts;
  std::vector<LeftOutChart> left_out;
};

// Reads the two CSVs (InputError naming a missing column or a field that is not a number) and
// renders the page.
std::string render_backtest_html(const BacktestPage& page, const Labels& labels);

}  // namespace carecast::report
