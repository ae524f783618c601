#include "evaluation/figures_backtest.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/errors.hpp"
#include "fitting/figure_targets.hpp"
#include "simulation/runner.hpp"

namespace carecast {
namespace {

// A scenario's horizon is at most 10 years (scenarios/REFERENCE.md): later figures are not scored.
constexpr int kLongestForecastYears = 10;

double period_days(const PublishedFigure& f) { return days_between(*f.period_start, f.date) + 1; }

// Whole years from `from` that reach `to`, at most the longest horizon a scenario may have.
int forecast_years(Date from, Date to) {
  int years = 1;
  while (years < kLongestForecastYears && add_years(from, years) < to) ++years;
  return years;
}

// Every later figure's values in each replication of the fitted scenario's forecast, streamed a block at a time
// so that memory does not grow with the runs.
std::vector<std::vector<double>> forecast_figures(const Scenario& scenario, const std::vector<FigureTarget>& targets,
                                                  const FiguresBacktestOptions& options) {
  const RunOptions run = options.run_options();
  ReplicationBlocks blocks(scenario, run);
  const int threads = resolve_thread_count(options.threads);
  const int block = runs_per_block(run, threads);
  std::vector<std::int32_t> tallies(static_cast<std::size_t>(block) * blocks.tally_size());
  std::vector<double> measures(static_cast<std::size_t>(block) * blocks.measure_size());
  std::vector<std::vector<double>> values(targets.size());
  for (int first = 0; first < options.runs; first += block) {
    const int count = std::min(block, options.runs - first);
    blocks.run_block(first, count, tallies, measures);
    for (int i = 0; i < count; ++i) {
      const std::span<const std::int32_t> tally(tallies.data() + static_cast<std::size_t>(i) * blocks.tally_size(),
                                                blocks.tally_size());
      const std::span<const double> measure(measures.data() + static_cast<std::size_t>(i) * blocks.measure_size(),
                                            blocks.measure_size());
      for (std::size_t t = 0; t < targets.size(); ++t) {
        if (!targets[t].simulated) continue;
        const double value = simulated_figure(targets[t], blocks.layout(), tally, measure);
        if (!std::isnan(value)) values[t].push_back(value);  // a stability measure undefined in that run
      }
    }
  }
  return values;
}

std::vector<FiguresBacktestSummary> summarise(const PublishedFigures& figures, const std::vector<ScoredFigure>& later) {
  std::map<std::string, FiguresBacktestSummary> by_metric;
  FiguresBacktestSummary all{"all"};
  for (const ScoredFigure& s : later) {
    if (!s.scored) continue;
    const PublishedFigure& f = figures.figures[s.figure];
    FiguresBacktestSummary& metric =
        by_metric.try_emplace(std::string(name_of(f.metric)), FiguresBacktestSummary{std::string(name_of(f.metric))})
            .first->second;
    for (FiguresBacktestSummary* group : {&metric, &all}) {
      ++group->scored;
      group->inside_50 += s.forecast.inside_50 ? 1 : 0;
      group->inside_90 += s.forecast.inside_90 ? 1 : 0;
      group->mean_crps += s.forecast.crps;
      if (s.persistence) {
        ++group->with_persistence;
        group->mean_crps_where_persistence += s.forecast.crps;
        group->persistence_mean_crps += std::abs(*s.persistence - f.value);
      }
    }
  }
  std::vector<FiguresBacktestSummary> summary;
  for (const std::string_view name : kFigureMetricNames) {
    if (const auto found = by_metric.find(std::string(name)); found != by_metric.end())
      summary.push_back(found->second);
  }
  summary.push_back(all);
  for (FiguresBacktestSummary& s : summary) {
    if (s.scored > 0) s.mean_crps /= s.scored;
    if (s.with_persistence > 0) {
      s.mean_crps_where_persistence /= s.with_persistence;
      s.persistence_mean_crps /= s.with_persistence;
    }
  }
  return summary;
}

}  // namespace

PublishedFigures figures_known_at(const PublishedFigures& figures, Date origin) {
  PublishedFigures known;
  known.file = figures.file;
  for (const PublishedFigure& f : figures.figures) {
    if (f.date > origin) continue;
    const Date first = f.period_start.value_or(f.date);
    if (known.figures.empty() || first < known.first_day) known.first_day = first;
    if (known.figures.empty() || f.date > known.last_day) known.last_day = f.date;
    known.figures.push_back(f);
  }
  return known;
}

std::optional<double> persistence_forecast(const PublishedFigures& known, const PublishedFigure& later) {
  const PublishedFigure* latest = nullptr;
  for (const PublishedFigure& f : known.figures) {
    if (f.metric != later.metric || f.category != later.category) continue;
    if (!latest || f.date >= latest->date) latest = &f;
  }
  if (!latest) return std::nullopt;
  if (!is_flow(later.metric)) return latest->value;
  return latest->value * period_days(later) / period_days(*latest);
}

FiguresBacktestResult backtest_figures(const Scenario& base, const PublishedFigures& figures,
                                       const FiguresBacktestOptions& options) {
  const InputLocation origin_option{figures.file, 0, 0, "--origin"};
  FiguresBacktestResult result;
  result.origin = options.origin;
  result.runs = options.runs;
  result.known = figures_known_at(figures, options.origin);
  if (result.known.figures.empty()) {
    throw InputError(origin_option, "no figure is dated on or before the origin: there is nothing to fit");
  }
  const bool any_later = std::any_of(figures.figures.begin(), figures.figures.end(),
                                     [&](const PublishedFigure& f) { return f.date > options.origin; });
  if (!any_later) throw InputError(origin_option, "no figure is dated after the origin: there is nothing to score");

  FitOptions fit_options = options.fit;
  fit_options.origin = options.origin;
  result.fit = fit_to_figures(base, result.known, fit_options);

  // The forecast: the fitted scenario from the origin, far enough to reach the last figure.
  Scenario forecast = result.fit.fitted;
  forecast.horizon_years = forecast_years(options.origin, figures.last_day);
  // With finite supply, the carer households at the origin are the published figure there, if any.
  for (const PublishedFigure& f : result.known.figures) {
    if (forecast.supply.enabled && f.metric == FigureMetric::carer_households && f.date == options.origin) {
      forecast.supply.in_house_households = static_cast<int>(std::lround(f.value));
    }
  }
  const TallyLayout layout(forecast.supply.enabled ? &forecast.supply : nullptr,
                           forecast.costs.enabled ? &forecast.costs : nullptr);
  const ReportingCalendar calendar = ReportingCalendar::monthly(forecast.origin, forecast.horizon_end());
  const std::vector<FigureTarget> targets = target_figures(figures, layout, calendar);

  std::vector<FigureTarget> scored_targets(targets.size());
  for (std::size_t t = 0; t < figures.figures.size(); ++t) {
    const PublishedFigure& f = figures.figures[t];
    if (f.date <= options.origin) continue;
    ScoredFigure later;
    later.figure = t;
    later.persistence = persistence_forecast(result.known, f);
    if (f.period_start && *f.period_start <= options.origin) {
      later.note =
          "its period begins on or before the origin: part of it was "
          "known when the forecast was made";
    } else if (f.date > forecast.horizon_end()) {
      later.note = "more than 10 years after the origin";
    } else if (!targets[t].simulated) {
      const bool supply = f.metric == FigureMetric::carer_households || f.metric == FigureMetric::approvals ||
                          f.metric == FigureMetric::deregistrations;
      later.note = supply && !forecast.supply.enabled ? "the base scenario has no [supply]: carers are not simulated"
                                                      : targets[t].reason;
    } else {
      scored_targets[t] = targets[t];
    }
    result.later.push_back(later);
  }
  const std::vector<std::vector<double>> values = forecast_figures(forecast, scored_targets, options);
  for (ScoredFigure& later : result.later) {
    if (!scored_targets[later.figure].simulated) continue;
    const std::vector<double>& sample = values[later.figure];
    if (sample.empty()) {
      later.note = "not defined in any run (no child under 16 in care 2.5 years)";
      continue;
    }
    later.scored = true;
    later.forecast = score_ensemble(sample, figures.figures[later.figure].value);
  }
  result.summary = summarise(figures, result.later);
  return result;
}

}  // namespace carecast
