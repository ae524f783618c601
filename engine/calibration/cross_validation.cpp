#include "calibration/cross_validation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <limits>
#include <ostream>
#include <sstream>

#include "calibration/supply_from_returns.hpp"
#include "evaluation/backtest.hpp"
#include "evaluation/forecast_scores.hpp"
#include "simulation/runner.hpp"

namespace carecast {
namespace {

constexpr int kHorizons = 3;

std::string short_number(double x) {
  std::ostringstream text;
  text << x;
  return text.str();
}


}  // namespace

std::string CalibrationCandidate::label() const {
  std::string text = half_life_years > 0 ? "half-life " + short_number(half_life_years) + " y" : "no weighting";
  if (!trend) return text + ", no trend";
  if (trend_damping_per_year >= 1) return text + ", trend undamped";
  return text + ", trend damped " + short_number(trend_damping_per_year) + "/y";
}

void CalibrationCandidate::apply(CalibrationOptions& options) const {
  options.half_life_years = half_life_years;
  options.include_trend = trend;
  options.trend_damping_per_year = trend ? trend_damping_per_year : 1;
}

CalibrationCandidate default_candidate() { return {kDefaultHalfLifeYears, true, kDefaultTrendDamping}; }

std::vector<CalibrationCandidate> candidates_for(const FixedChoice& fixed) {
  std::vector<double> half_lives = {1, 2, kDefaultHalfLifeYears, 5, 0};
  if (fixed.half_life_years) half_lives = {*fixed.half_life_years};
  std::vector<std::optional<double>> trends = {std::nullopt, 0.5, 0.8, 1.0};
  if (fixed.damping) {
    trends = {*fixed.damping};
  } else if (fixed.trend) {
    trends = *fixed.trend ? std::vector<std::optional<double>>{0.5, 0.8, 1.0} : std::vector<std::optional<double>>{std::nullopt};
  }
  std::vector<CalibrationCandidate> candidates;
  for (const double half_life : half_lives) {
    for (const std::optional<double>& damping : trends) {
      candidates.push_back({half_life, damping.has_value(), damping.value_or(1)});
    }
  }
  return candidates;
}

std::vector<Date> cross_validation_origins(const CareHistory& history, Date as_of,
                                           const CrossValidationOptions& options) {
  std::vector<Date> origins;
  if (!history.first_date) return origins;
  const Date window_start = history.observed_from.value_or(*history.first_date);
  const std::chrono::year_month_day start{window_start};
  // 31 March ending the collection year `years` after the window's first.
  for (int year = static_cast<int>(start.year()) + options.minimum_years_before;; ++year) {
    const Date origin = make_date(year, 3, 31);
    if (origin < add_years(window_start, options.minimum_years_before) - std::chrono::days{1}) continue;
    if (add_years(origin, 1) > as_of) break;  // a year of data after it, within what calibration may use
    origins.push_back(origin);
  }
  if (static_cast<int>(origins.size()) > options.maximum_origins) {
    origins.erase(origins.begin(), origins.end() - options.maximum_origins);
  }
  return origins;
}

CrossValidationResult cross_validate(const CareHistory& history, Date as_of, const CalibrationOptions& base,
                                     const std::vector<CalibrationCandidate>& candidates,
                                     const CalibrationCandidate& fallback, const CrossValidationOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  CrossValidationResult result;
  result.origins = cross_validation_origins(history, as_of, options);
  if (candidates.size() == 1) {
    result.chosen = candidates.front();
    result.reason = "as given on the command line";
    return result;
  }
  if (static_cast<int>(result.origins.size()) < options.minimum_origins) {
    result.chosen = fallback;
    result.reason = "the documented default: too little history to cross-validate (" +
                    std::to_string(result.origins.size()) + " 31 March(es) with " +
                    std::to_string(options.minimum_years_before) + " years of data before and one after; " +
                    std::to_string(options.minimum_origins) + " needed)";
    return result;
  }
  result.performed = true;
  for (const CalibrationCandidate& candidate : candidates) {
    result.scores.push_back({candidate, 0, std::vector<double>(kHorizons, 0.0), 0, {}});
  }
  std::vector<int> per_horizon(kHorizons, 0);

  RunOptions run;
  run.runs = options.runs;
  run.seed = options.seed;
  run.threads = options.threads;
  std::vector<double> sample(static_cast<std::size_t>(run.runs));
  for (const Date origin : result.origins) {
    const CalibrationCounts counts(history, origin, base.duration_band_start_days);
    std::vector<PerCategory<int>> truth;
    for (int h = 1; h <= kHorizons && add_years(origin, h) <= as_of; ++h) truth.push_back(observed_stock(history, add_years(origin, h)));
    const PerCategory<int> at_origin = observed_stock(history, origin);
    double stock = 0;
    for (const int n : at_origin) stock += n;
    const double scale = std::max(stock, 1.0);
    const int horizons = static_cast<int>(truth.size());
    for (int h = 0; h < horizons; ++h) ++per_horizon[static_cast<std::size_t>(h)];

    for (CandidateScore& score : result.scores) {
      CalibrationOptions calibration = base;
      score.candidate.apply(calibration);
      calibration.horizon_years = horizons;
      CalibrationReport report;
      Scenario scenario = calibrate(counts, calibration, report);
      if (options.in_house_capacity) {
        SupplyFromFigures capacity = in_house_capacity_from_returns(history, origin, scenario);
        apply_supply(scenario, capacity);
      }
      const RunResult runs = run_replications(scenario, run);
      if (options.runs_done) options.runs_done(run.runs);
      for (int h = 0; h < horizons; ++h) {
        const int d = runs.calendar.index_of(add_years(origin, h + 1));
        if (d < 0) continue;
        const PerCategory<int>& later = truth[static_cast<std::size_t>(h)];
        double crps = 0;
        for (int c = -1; c < kCategoryCount; ++c) {  // -1: the total
          const int cell = c < 0 ? runs.layout.stock_all : runs.layout.stock_by_category + c;
          for (int r = 0; r < run.runs; ++r) sample[static_cast<std::size_t>(r)] = runs.value(r, d, cell);
          std::sort(sample.begin(), sample.end());
          double observed = 0;
          for (int k = 0; k < kCategoryCount; ++k) {
            if (c < 0 || k == c) observed += later[static_cast<std::size_t>(k)];
          }
          crps += crps_sorted(sample, observed);
        }
        const double value = crps / scale;
        score.score += value;
        score.values.push_back(value);
        score.by_horizon[static_cast<std::size_t>(h)] += value;
        ++score.forecasts;
      }
    }
  }
  std::size_t best = 0;
  for (std::size_t i = 0; i < result.scores.size(); ++i) {
    CandidateScore& score = result.scores[i];
    score.score = score.forecasts > 0 ? score.score / score.forecasts : std::numeric_limits<double>::infinity();
    for (int h = 0; h < kHorizons; ++h) {
      auto& x = score.by_horizon[static_cast<std::size_t>(h)];
      x = per_horizon[static_cast<std::size_t>(h)] > 0 ? x / per_horizon[static_cast<std::size_t>(h)] : NAN;
    }
    if (score.score < result.scores[best].score) best = i;
  }
  // One standard error rule: the scores of a few origins are noisy, and the lowest of many
  // candidates is partly luck, so the default stands unless the best beats it by more than the
  // standard error of their paired difference (over the same origins and horizons).
  std::size_t chosen = best;
  double difference = 0, standard_error = 0;
  for (std::size_t i = 0; i < result.scores.size(); ++i) {
    const CandidateScore& score = result.scores[i];
    if (i == best || score.candidate.label() != fallback.label()) continue;
    const std::vector<double>& a = score.values;
    const std::vector<double>& b = result.scores[best].values;
    const auto n = static_cast<double>(a.size());
    double mean = 0, square = 0;
    for (std::size_t k = 0; k < a.size(); ++k) mean += (a[k] - b[k]) / n;
    for (std::size_t k = 0; k < a.size(); ++k) square += (a[k] - b[k] - mean) * (a[k] - b[k] - mean);
    difference = mean;
    standard_error = n > 1 ? std::sqrt(square / (n - 1) / n) : 0;
    if (difference <= standard_error) chosen = i;
  }
  result.chosen = result.scores[chosen].candidate;
  std::ostringstream reason;
  reason << std::setprecision(3) << "chosen by rolling-origin cross-validation from " << result.origins.size()
         << " origins (31 March " << format_iso(result.origins.front()).substr(0, 4) << " to "
         << format_iso(result.origins.back()).substr(0, 4) << "), scoring " << result.scores.size()
         << " candidates by the CRPS of children looked after 1-3 years later (total plus the categories' sum, over "
            "the total at the origin): lowest mean score "
         << result.scores[best].score << " (" << result.scores[best].candidate.label() << ")";
  if (chosen != best) {
    reason << "; the default scored " << result.scores[chosen].score << ", within one standard error ("
           << standard_error << ") of it, so the default stands";
  }
  // The plain calibration, for comparison, when it was a candidate.
  for (const CandidateScore& score : result.scores) {
    if (score.candidate.half_life_years == 0 && !score.candidate.trend) {
      reason << " against " << score.score << " with no weighting and no trend";
    }
  }
  result.reason = reason.str();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

void CrossValidationResult::print(std::ostream& out) const {
  const auto old_flags = out.flags();
  const auto old_precision = out.precision();
  if (!performed) {
    out << "Half-life and trend: " << chosen.label() << ": " << reason << '\n';
    return;
  }
  // The time to one decimal: printed whole, its digits are a number as long as a child's identifier
  // and could be read as one (the personal-data checks look for such words).
  out << "Cross-validation of the half-life and trend (" << origins.size() << " origins, " << std::fixed
      << std::setprecision(1) << seconds << " s): mean CRPS of the stock (total + categories) / stock at the origin\n";
  out << "  " << std::left << std::setw(40) << "candidate" << std::right << std::setw(9) << "score" << std::setw(9)
      << "1 year" << std::setw(9) << "2 years" << std::setw(9) << "3 years" << '\n';
  out << std::fixed << std::setprecision(4);
  for (const CandidateScore& score : scores) {
    const bool is_chosen = score.candidate.label() == chosen.label();
    out << (is_chosen ? "* " : "  ") << std::left << std::setw(40) << score.candidate.label() << std::right
        << std::setw(9) << score.score;
    for (const double x : score.by_horizon) {
      if (std::isnan(x)) {
        out << std::setw(9) << "-";
      } else {
        out << std::setw(9) << x;
      }
    }
    out << '\n';
  }
  out << "  Chosen: " << chosen.label() << '\n';
  out.flags(old_flags);
  out.precision(old_precision);
}

}  // namespace carecast
