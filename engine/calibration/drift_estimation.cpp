#include "calibration/drift_estimation.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <optional>
#include <ostream>
#include <sstream>

#include "calibration/supply_from_returns.hpp"
#include "evaluation/backtest.hpp"
#include "history/published_figures.hpp"
#include "history/returns_figures.hpp"
#include "output/written_text.hpp"
#include "simulation/runner.hpp"

namespace carecast {
namespace {

constexpr int kHorizons = 3;


struct Moments {
  double mean = 0;
  double variance = 0;
  double median = 0;
};

// Of the runs' values at one date, on the scale the drift is judged on: log(x + 1) of the total
// (+ 1 keeps an empty council finite), or a stability indicator as it is. A stability indicator
// has no value in a run where nobody is counted: such runs are left out, and nullopt is returned
// when fewer than half the runs have one.
std::optional<Moments> moments(const RunResult& runs, int date, int cell, bool log_scale, std::vector<double>& sample) {
  sample.clear();
  for (int r = 0; r < runs.runs; ++r) {
    const double x = runs.number(r, date, cell);
    if (std::isfinite(x)) sample.push_back(x);
  }
  if (sample.size() < 2 || 2 * sample.size() < static_cast<std::size_t>(runs.runs)) return std::nullopt;
  std::sort(sample.begin(), sample.end());
  Moments m;
  const auto n = static_cast<double>(sample.size());
  m.median = sample[sample.size() / 2];
  const auto scaled = [log_scale](double x) { return log_scale ? std::log(x + 1) : x; };
  for (const double x : sample) m.mean += scaled(x) / n;
  for (const double x : sample) m.variance += (scaled(x) - m.mean) * (scaled(x) - m.mean) / (n - 1);
  return m;
}

// What happened at `date` by the DfE's rules, counted from the returns as a figures file's would be.
std::optional<double> stability_in_returns(const CareHistory& history, FigureMetric metric, Date date) {
  PublishedFigure figure;
  figure.metric = metric;
  figure.date = date;
  return figure_from_returns(history, figure).value;
}

}  // namespace

void DriftSize::add(const DriftForecastError& error, int runs, double reference_sd) {
  errors.push_back(error);
  // The forecast's mean is itself estimated from the runs: its error adds s0^2 / runs.
  excess_variance += error.error * error.error - error.variance_without * (1 + 1.0 / runs);
  reference_gain += std::max(0.0, error.variance_reference - error.variance_without) / (reference_sd * reference_sd);
}

DriftEstimate estimate_drift(const CareHistory& history, Date as_of, const std::vector<Date>& origins,
                             const CalibrationOptions& chosen, const DriftOptions& options) {
  DriftEstimate estimate;
  estimate.options = options;
  RunOptions run;
  run.runs = options.runs;
  run.seed = options.seed;
  run.threads = options.threads;
  std::vector<double> sample;
  sample.reserve(static_cast<std::size_t>(run.runs));
  for (const Date origin : origins) {
    int horizons = 0;
    while (horizons < kHorizons && add_years(origin, horizons + 1) <= as_of) ++horizons;
    if (horizons == 0) continue;
    CalibrationOptions calibration = chosen;
    calibration.horizon_years = horizons;
    const CalibrationCounts counts(history, origin, calibration.duration_band_start_days);
    CalibrationReport report;
    Scenario scenario = calibrate(counts, calibration, report);
    if (options.in_house_capacity) {
      SupplyFromFigures capacity = in_house_capacity_from_returns(history, origin, scenario);
      apply_supply(scenario, capacity);
    }
    // The same seed for all three: the drift has a stream of its own, so the runs share every
    // other draw and differ by the drift alone.
    SystemicVariation& variation = scenario.variation;
    variation.entries_drift_sd_log_per_year = variation.exits_drift_sd_log_per_year = 0;
    variation.moves_drift_sd_log_per_year = 0;
    const RunResult without = run_replications(scenario, run);
    if (options.runs_done) options.runs_done(run.runs);
    variation.entries_drift_sd_log_per_year = variation.exits_drift_sd_log_per_year = options.reference_sd;
    const RunResult level = run_replications(scenario, run);
    if (options.runs_done) options.runs_done(run.runs);
    variation.entries_drift_sd_log_per_year = variation.exits_drift_sd_log_per_year = 0;
    variation.moves_drift_sd_log_per_year = options.reference_sd;
    const RunResult moves = run_replications(scenario, run);
    if (options.runs_done) options.runs_done(run.runs);

    // Scores one measure at one horizon against the run with its drift, if both have it.
    const auto score = [&](DriftSize& size, const RunResult& with, int h, const char* measure, int cell,
                           bool log_scale, std::optional<double> truth) {
      const Date date = add_years(origin, h);
      const int d0 = without.calendar.index_of(date);
      const int d1 = with.calendar.index_of(date);
      if (!truth || d0 < 0 || d1 < 0) return false;
      const std::optional<Moments> m0 = moments(without, d0, cell, log_scale, sample);
      const std::optional<Moments> m1 = moments(with, d1, cell, log_scale, sample);
      if (!m0 || !m1) return false;
      DriftForecastError error;
      error.origin = origin;
      error.horizon_years = h;
      error.measure = measure;
      error.truth = *truth;
      error.forecast_median = m0->median;
      error.error = (log_scale ? std::log(*truth + 1) : *truth) - m0->mean;
      error.variance_without = m0->variance;
      error.variance_reference = m1->variance;
      size.add(error, run.runs, options.reference_sd);
      return true;
    };
    const TallyLayout& layout = without.layout;
    const int measures = layout.cell_count();  // a measure's number is its index past the cells
    bool level_scored = false;
    bool moves_scored = false;
    for (int h = 1; h <= horizons; ++h) {
      int total = 0;
      for (const int n : observed_stock(history, add_years(origin, h))) total += n;
      level_scored |= score(estimate.level, level, h, "children looked after", layout.stock_all, true, total);
      const Date march = add_years(origin, h);
      moves_scored |= score(estimate.moves, moves, h, "short-term stability", measures + layout.stability_short_term,
                            false, stability_in_returns(history, FigureMetric::stability_short_term, march));
      moves_scored |= score(estimate.moves, moves, h, "long-term stability", measures + layout.stability_long_term,
                            false, stability_in_returns(history, FigureMetric::stability_long_term, march));
    }
    if (level_scored) ++estimate.level.origins;
    if (moves_scored) ++estimate.moves.origins;
  }
  size_drift(estimate.level, options.level_prior_sd, options, origins, "Drift of entries and exits",
             "the total's squared log errors");
  size_drift(estimate.moves, options.moves_prior_sd, options, origins, "Drift of moves",
             "the stability indicators' squared errors (in percentage points squared)");
  return estimate;
}

void size_drift(DriftSize& size, double prior_sd, const DriftOptions& options, const std::vector<Date>& origins,
                const std::string& drift, const std::string& errors) {
  const double prior = prior_sd * prior_sd;
  std::ostringstream reason;
  reason << std::setprecision(3);
  if (size.origins >= 2 && !origins.empty() && size.reference_gain > 0) {
    size.raw_variance = std::max(0.0, size.excess_variance / size.reference_gain);
    const double capped = std::min(size.raw_variance, options.maximum_sd * options.maximum_sd);
    const double m = size.origins;
    size.sd = std::max(prior_sd, std::sqrt((options.prior_origins * prior + m * capped) / (options.prior_origins + m)));
    size.evidence_origins = options.prior_origins + m;
    reason << drift << ": backtested from " << size.origins << " origins (31 March "
           << format_iso(origins.front()).substr(0, 4) << " to " << format_iso(origins.back()).substr(0, 4) << "), "
           << errors << " summed " << fixed_decimals(std::abs(size.excess_variance), 4)
           << (size.excess_variance > 0 ? " more" : " less") << " than the forecasts' own variance allowed (over "
           << size.errors.size() << " forecasts scored), and a drift of " << options.reference_sd << " a year adds "
           << fixed_decimals(size.reference_gain * options.reference_sd * options.reference_sd, 4)
           << " to them: a drift sd of " << fixed_decimals(std::sqrt(size.raw_variance), 3);
    if (size.raw_variance > capped) reason << " (capped at " << options.maximum_sd << ")";
    reason << ", shrunk towards the prior " << prior_sd << " worth " << options.prior_origins
           << " origins and never below it, gives " << fixed_decimals(size.sd, 3) << " a year, known from " << size.evidence_origins
           << " origins' evidence: each run draws its own drift from that posterior.";
  } else {
    size.raw_variance = std::numeric_limits<double>::quiet_NaN();
    size.sd = prior_sd;
    size.evidence_origins = options.prior_origins;
    reason << drift << ": the prior " << prior_sd << " a year (" << size.origins
           << " origins with a later year of data to backtest from; 2 needed), worth " << options.prior_origins
           << " origins: each run draws its own drift from that prior.";
  }
  size.reason = reason.str();
}

void apply_drift(const DriftEstimate& estimate, SystemicVariation& variation) {
  variation.entries_drift_sd_log_per_year = estimate.level.sd;
  variation.exits_drift_sd_log_per_year = estimate.level.sd;
  variation.moves_drift_sd_log_per_year = estimate.moves.sd;
  // One key for both: the fewer origins, so that neither drift is drawn as better known than it is.
  variation.drift_evidence_origins = std::min(estimate.level.evidence_origins, estimate.moves.evidence_origins);
}

std::string DriftEstimate::reason() const { return level.reason + " " + moves.reason; }

void DriftEstimate::print(std::ostream& out) const {
  out << "Drift beyond the history window, from backtests on the council's own returns (" << options.runs
      << " runs each: without a drift, with " << options.reference_sd << " a year on entries and exits, and on moves):\n";
  const std::vector<DriftForecastError>* parts[] = {&level.errors, &moves.errors};
  bool header = false;
  for (const auto* errors : parts) {
    for (const DriftForecastError& e : *errors) {
      if (!header) {
        out << "  origin      horizon  measure                truth  forecast median  error  sd without  sd with reference\n";
        header = true;
      }
      const bool log_scale = errors == &level.errors;  // the total's error and spreads are of logs
      out << "  " << format_iso(e.origin) << "  " << std::setw(7) << e.horizon_years << "  " << std::left
          << std::setw(21) << e.measure << std::right << "  " << std::setw(5)
          << fixed_decimals(e.truth, log_scale ? 0 : 1) << "  " << std::setw(15)
          << fixed_decimals(e.forecast_median, log_scale ? 0 : 1) << "  " << std::setw(5)
          << fixed_decimals(e.error, log_scale ? 3 : 1) << "  " << std::setw(10)
          << fixed_decimals(std::sqrt(e.variance_without), log_scale ? 3 : 1) << "  " << std::setw(17)
          << fixed_decimals(std::sqrt(e.variance_reference), log_scale ? 3 : 1) << "\n";
    }
  }
  out << "  " << level.reason << "\n  " << moves.reason << "\n";
}

}  // namespace carecast
