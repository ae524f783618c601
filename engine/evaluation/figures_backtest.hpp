// Backtest from published figures: how well would a scenario fitted to a council's figures up to an origin have
// forecast the figures it published afterwards?
//
// Only the figures dated on or before the origin reach the fit (figures_known_at); the fitted scenario is then
// run from the origin, and every later figure the forecast can produce is scored: whether it fell inside the
// forecast's 50% and 90% intervals, its CRPS and the error of the median, beside persistence, the naive forecast
// a planner would otherwise make.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "evaluation/forecast_run_settings.hpp"
#include "evaluation/forecast_scores.hpp"
#include "fitting/published_fit.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// The figures known at the end of `origin`: those dated on or before it, in file order, with the span recomputed
// from them alone. A flow counts as known only once its whole period has ended.
PublishedFigures figures_known_at(const PublishedFigures& figures, Date origin);

// Persistence: the value of the latest figure of the same metric and category among `known` (dated on or before
// the origin), as a forecast of `later`. A flow's latest figure is scaled by the length of `later`'s period over
// its own, so an 11-month count is forecast from a 12-month one as 11/12 of it. nullopt when no such figure is
// known.
std::optional<double> persistence_forecast(const PublishedFigures& known, const PublishedFigure& later);

struct FiguresBacktestOptions : ForecastRunSettings {  // its runs: replications of the fitted scenario's forecast
  Date origin;
  FitOptions fit;  // how the fit is made (its origin is set to `origin`)
};

// One figure dated after the origin.
struct ScoredFigure {
  std::size_t figure = 0;             // index into the whole figures file
  bool scored = false;                // whether the forecast produces it
  std::string note;                   // why not, when it does not
  EnsembleScore forecast;             // the forecast's percentiles and scores (scored only)
  std::optional<double> persistence;  // persistence's forecast, where a figure
                                      // of its kind is known
};

struct FiguresBacktestSummary {
  std::string metric;  // a metric name, or "all"
  int scored = 0;
  int inside_50 = 0;
  int inside_90 = 0;
  double mean_crps = 0;
  // Over the figures persistence can forecast: the forecast's mean CRPS and persistence's (its absolute error,
  // the CRPS of a point forecast).
  int with_persistence = 0;
  double mean_crps_where_persistence = 0;
  double persistence_mean_crps = 0;
};

struct FiguresBacktestResult {
  Date origin;
  PublishedFigures known;                       // what the fit saw
  FitResult fit;                                // the fit on them
  std::vector<ScoredFigure> later;              // every figure after the origin, in file order
  std::vector<FiguresBacktestSummary> summary;  // by metric in vocabulary order, then "all"
  int runs = 0;
};

// Throws InputError naming `figures.file` and --origin when no figure is dated on or before the origin or none
// after it, and what fit_to_figures throws (an origin that is not a month end).
FiguresBacktestResult backtest_figures(const Scenario& base, const PublishedFigures& figures,
                                       const FiguresBacktestOptions& options);

}  // namespace carecast
