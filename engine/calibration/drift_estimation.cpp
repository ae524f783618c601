#include "calibration/drift_estimation.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "evaluation/backtest.hpp"
#include "simulation/runner.hpp"

namespace carecast {
namespace {

constexpr int kHorizons = 3;

int date_index(const ReportingCalendar& calendar, Date date) {
  const auto found = std::find(calendar.dates.begin(), calendar.dates.end(), date);
  return found == calendar.dates.end() ? -1 : static_cast<int>(found - calendar.dates.begin());
}

struct LogMoments {
  double mean = 0;
  double variance = 0;
  double median = 0;
};

// Of log(x + 1) over the runs' totals at one date: + 1 keeps an empty council finite.
LogMoments log_moments(const RunResult& runs, int date, std::vector<double>& sample) {
  const int n = runs.runs;
  for (int r = 0; r < n; ++r) sample[static_cast<std::size_t>(r)] = runs.value(r, date, runs.layout.stock_all);
  std::sort(sample.begin(), sample.end());
  LogMoments m;
  m.median = sample[sample.size() / 2];
  for (const double x : sample) m.mean += std::log(x + 1) / n;
  for (const double x : sample) m.variance += (std::log(x + 1) - m.mean) * (std::log(x + 1) - m.mean) / (n - 1);
  return m;
}

std::string format(double x, int decimals) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(decimals) << x;
  return text.str();
}

}  // namespace

DriftEstimate estimate_drift(const CareHistory& history, Date as_of, const std::vector<Date>& origins,
                             const CalibrationOptions& chosen, const DriftOptions& options) {
  DriftEstimate estimate;
  estimate.options = options;
  estimate.raw_variance = std::numeric_limits<double>::quiet_NaN();
  RunOptions run;
  run.runs = options.runs;
  run.seed = options.seed;
  run.threads = options.threads;
  std::vector<double> sample(static_cast<std::size_t>(run.runs));
  for (const Date origin : origins) {
    std::vector<int> truth;
    for (int h = 1; h <= kHorizons && add_years(origin, h) <= as_of; ++h) {
      int total = 0;
      for (const int n : observed_stock(history, add_years(origin, h))) total += n;
      truth.push_back(total);
    }
    if (truth.empty()) continue;
    CalibrationOptions calibration = chosen;
    calibration.horizon_years = static_cast<int>(truth.size());
    const CalibrationCounts counts(history, origin, calibration.duration_band_start_days);
    CalibrationReport report;
    Scenario scenario = calibrate(counts, calibration, report);
    scenario.variation.entries_drift_sd_log_per_year = 0;
    scenario.variation.exits_drift_sd_log_per_year = 0;
    scenario.variation.moves_drift_sd_log_per_year = 0;
    // The same seed for both: the drift has a stream of its own, so the two runs share every
    // other draw and differ by the drift alone.
    const RunResult without = run_replications(scenario, run);
    if (options.runs_done) options.runs_done(run.runs);
    scenario.variation.entries_drift_sd_log_per_year = options.reference_sd;
    scenario.variation.exits_drift_sd_log_per_year = options.reference_sd;
    scenario.variation.moves_drift_sd_log_per_year = options.reference_sd;
    const RunResult with = run_replications(scenario, run);
    if (options.runs_done) options.runs_done(run.runs);
    bool scored = false;
    for (int h = 0; h < static_cast<int>(truth.size()); ++h) {
      const Date date = add_years(origin, h + 1);
      const int d0 = date_index(without.calendar, date);
      const int d1 = date_index(with.calendar, date);
      if (d0 < 0 || d1 < 0) continue;
      const LogMoments m0 = log_moments(without, d0, sample);
      const LogMoments m1 = log_moments(with, d1, sample);
      DriftForecastError error;
      error.origin = origin;
      error.horizon_years = h + 1;
      error.truth = truth[static_cast<std::size_t>(h)];
      error.forecast_median = m0.median;
      error.log_error = std::log(error.truth + 1) - m0.mean;
      error.variance_without = m0.variance;
      error.variance_reference = m1.variance;
      estimate.errors.push_back(error);
      // The forecast's mean log is itself estimated from the runs: its error adds s0^2 / runs.
      estimate.excess_variance += error.log_error * error.log_error - m0.variance * (1 + 1.0 / run.runs);
      estimate.reference_gain +=
          std::max(0.0, m1.variance - m0.variance) / (options.reference_sd * options.reference_sd);
      scored = true;
    }
    if (scored) ++estimate.origins;
  }
  size_drift(estimate, origins);
  return estimate;
}

void size_drift(DriftEstimate& estimate, const std::vector<Date>& origins) {
  const DriftOptions& options = estimate.options;
  const double prior = options.prior_sd * options.prior_sd;
  std::ostringstream reason;
  reason << std::setprecision(3);
  if (estimate.origins >= 2 && !origins.empty() && estimate.reference_gain > 0) {
    estimate.raw_variance = std::max(0.0, estimate.excess_variance / estimate.reference_gain);
    const double capped = std::min(estimate.raw_variance, options.maximum_sd * options.maximum_sd);
    const double m = estimate.origins;
    estimate.sd = std::sqrt((options.prior_origins * prior + m * capped) / (options.prior_origins + m));
    reason << "Drift: backtested from " << estimate.origins << " origins (31 March "
           << format_iso(origins.front()).substr(0, 4) << " to " << format_iso(origins.back()).substr(0, 4)
           << "), the total's squared log errors summed " << format(std::abs(estimate.excess_variance), 4)
           << (estimate.excess_variance > 0 ? " more" : " less") << " than the forecasts' own variance allowed (over "
           << estimate.errors.size() << " origin-horizons), and a drift of " << options.reference_sd
           << " a year adds " << format(estimate.reference_gain * options.reference_sd * options.reference_sd, 4)
           << " to them: a drift sd of " << format(std::sqrt(estimate.raw_variance), 3);
    if (estimate.raw_variance > capped) reason << " (capped at " << options.maximum_sd << ")";
    reason << ", shrunk towards the prior " << options.prior_sd << " worth " << options.prior_origins
           << " origins, gives " << format(estimate.sd, 3) << " a year.";
  } else {
    estimate.raw_variance = std::numeric_limits<double>::quiet_NaN();
    estimate.sd = options.prior_sd;
    reason << "Drift: the prior " << options.prior_sd << " a year (" << estimate.origins
           << " origins with a later year of data to backtest from; 2 needed).";
  }
  estimate.reason = reason.str();
}

void apply_drift(const DriftEstimate& estimate, SystemicVariation& variation) {
  variation.entries_drift_sd_log_per_year = estimate.sd;
  variation.exits_drift_sd_log_per_year = estimate.sd;
  variation.moves_drift_sd_log_per_year = estimate.sd;
}

void DriftEstimate::print(std::ostream& out) const {
  out << "Drift beyond the history window, from backtests on the council's own returns (" << options.runs
      << " runs each, without a drift and with " << options.reference_sd << " a year):\n";
  if (!errors.empty()) {
    out << "  origin      horizon  truth  forecast median  log error  sd without  sd with reference\n";
    for (const DriftForecastError& e : errors) {
      out << "  " << format_iso(e.origin) << "  " << std::setw(7) << e.horizon_years << "  " << std::setw(5)
          << e.truth << "  " << std::setw(15) << e.forecast_median << "  " << std::setw(9) << format(e.log_error, 3)
          << "  " << std::setw(10) << format(std::sqrt(e.variance_without), 3) << "  " << std::setw(17)
          << format(std::sqrt(e.variance_reference), 3) << "\n";
    }
  }
  out << "  " << reason << "\n";
}

}  // namespace carecast
