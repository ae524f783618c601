// The outputs of a backtest from published figures (evaluation/figures_backtest.hpp): every figure after the
// origin with the forecast's percentiles and scores beside persistence's, a summary by metric, both as CSV for
// plots/ and the workbook, and as a table for the terminal.
#pragma once

#include <string>

#include "evaluation/figures_backtest.hpp"

namespace carecast {

// origin,metric,category,period_start,date,value,scored,p05,p25,p50,p75,p95,inside_50,inside_90,
// crps,error,persistence,persistence_error,note: one row per figure dated after the origin.
std::string figures_backtest_csv(const FiguresBacktestResult& result, const PublishedFigures& figures);
inline constexpr const char* kFiguresBacktestCsv = "figures_backtest.csv";

// metric,scored,inside_50,inside_90,coverage_50,coverage_90,mean_crps,with_persistence,
// mean_crps_where_persistence,persistence_mean_crps: by metric, then "all".
std::string figures_backtest_summary_csv(const FiguresBacktestResult& result);
inline constexpr const char* kFiguresBacktestSummaryCsv = "figures_backtest_summary.csv";

// Both as aligned text.
std::string figures_backtest_text(const FiguresBacktestResult& result, const PublishedFigures& figures);

}  // namespace carecast
