#include "evaluation/backtest.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "evaluation/forecast_scores.hpp"
#include "expectation/markov_projection.hpp"
#include "simulation/runner.hpp"
#include "tally/summary.hpp"

namespace carecast {

PerCategory<int> observed_stock(const CareHistory& history, Date date) {
  PerCategory<int> stock{};
  for (const ChildHistory& child : history.children) {
    for (const CarePeriod& period : child.periods) {
      // In care at the end of the day: begun by then and not ended on or before it.
      if (period.start > date || (period.end && *period.end <= date)) continue;
      for (const PlacementSpell& spell : period.placements) {
        if (spell.start <= date && (!spell.end || *spell.end > date)) {
          ++stock[static_cast<int>(spell.category)];
          break;
        }
      }
    }
  }
  return stock;
}

std::vector<Date> yearly_origins(const CareHistory& history) {
  std::vector<Date> origins;
  if (!history.observed_from || !history.last_date) return origins;
  const Date earliest = add_years(*history.observed_from, 1) - std::chrono::days{1};  // a 31 March
  for (Date origin = earliest; month_ends_after(origin, *history.last_date).size() >= 1;
       origin = add_years(origin, 1)) {
    origins.push_back(origin);
  }
  return origins;
}

namespace {

BacktestRow point_row(Date origin, const char* method, const std::string& category, int horizon, Date date,
                      double truth, double forecast) {
  BacktestRow row{origin, method, category, horizon, date, truth};
  row.p05 = row.p25 = row.p50 = row.p75 = row.p95 = forecast;
  row.crps = std::abs(forecast - truth);
  return row;
}

void forecast_from(const CareHistory& history, Date origin, const BacktestOptions& options,
                   std::vector<BacktestRow>& rows) {
  CalibrationChoices calibration = options.calibration;
  calibration.horizon_years = std::clamp((options.horizon_months + 11) / 12, 1, 10);
  calibration.threads = options.threads;
  const Scenario scenario = calibrate_with_choices(history, origin, calibration).scenario;

  const RunOptions run = options.run_options();
  // Simulated a block at a time, keeping of each run only what is scored: the stock, all and by
  // category, at each reporting date to the horizon (4 bytes each), not every run's whole tally.
  ReplicationBlocks blocks(scenario, run);
  const ReportingCalendar& calendar = blocks.calendar();
  const TallyLayout& layout = blocks.layout();
  const int last_date = std::min(options.horizon_months, calendar.date_count() - 1);
  constexpr int kScoredCells = kCategoryCount + 1;  // all, then each category
  auto scored_cell = [&](int c) { return c < 0 ? layout.stock_all : layout.stock_by_category + c; };
  std::vector<std::int32_t> stock(static_cast<std::size_t>(last_date) * kScoredCells * run.runs);  // [date][cell][run]
  {
    const int block_size = runs_per_block(run, blocks.info().threads);
    std::vector<std::int32_t> tallies(blocks.tally_size() * static_cast<std::size_t>(block_size));
    std::vector<double> measures(blocks.measure_size() * static_cast<std::size_t>(block_size));
    for (int first = 0; first < run.runs; first += block_size) {
      const int count = std::min(block_size, run.runs - first);
      blocks.run_block(first, count, tallies, measures);
      for (int i = 0; i < count; ++i) {
        for (int d = 1; d <= last_date; ++d) {
          for (int c = -1; c < kCategoryCount; ++c) {
            stock[(static_cast<std::size_t>(d - 1) * kScoredCells + (c + 1)) * run.runs + first + i] =
                tallies[(static_cast<std::size_t>(i) * calendar.date_count() + d) * layout.cell_count() + scored_cell(c)];
          }
        }
      }
      if (options.runs_done) options.runs_done(count);
    }
  }
  const ExpectedSeries expected = project_expectation(scenario);
  const PerCategory<int> at_origin = observed_stock(history, origin);

  std::vector<double> sample(static_cast<std::size_t>(run.runs));
  for (int d = 1; d <= last_date; ++d) {
    const Date date = calendar.dates[d];
    if (date > *history.last_date) break;  // nothing observed to compare with
    const PerCategory<int> truth = observed_stock(history, date);
    for (int c = -1; c < kCategoryCount; ++c) {  // -1: all categories together
      double observed = 0, persistence = 0, mean_rate = 0;
      for (int k = 0; k < kCategoryCount; ++k) {
        if (c >= 0 && k != c) continue;
        observed += truth[k];
        persistence += at_origin[k];
        mean_rate += expected.stock[d][k];
      }
      const std::int32_t* runs_stock = stock.data() + (static_cast<std::size_t>(d - 1) * kScoredCells + (c + 1)) * run.runs;
      for (int r = 0; r < run.runs; ++r) sample[r] = runs_stock[r];
      std::sort(sample.begin(), sample.end());
      if (observed == 0 && sample.back() == 0 && persistence == 0) continue;  // a category never used
      const std::string category = c < 0 ? "all" : std::string(kCategoryNames[c]);
      BacktestRow row{origin, kBacktestMethods[0], category, d, date, observed};
      row.p05 = quantile_sorted(sample, 0.05);
      row.p25 = quantile_sorted(sample, 0.25);
      row.p50 = quantile_sorted(sample, 0.50);
      row.p75 = quantile_sorted(sample, 0.75);
      row.p95 = quantile_sorted(sample, 0.95);
      row.crps = crps_sorted(sample, observed);
      row.has_interval = true;
      rows.push_back(row);
      rows.push_back(point_row(origin, kBacktestMethods[1], category, d, date, observed, persistence));
      rows.push_back(point_row(origin, kBacktestMethods[2], category, d, date, observed, mean_rate));
    }
  }
}

std::vector<BacktestSummaryRow> summarise_backtest(const std::vector<BacktestRow>& rows) {
  std::map<std::pair<std::string, std::string>, std::vector<const BacktestRow*>> groups;
  for (const BacktestRow& row : rows) groups[{row.method, row.category}].push_back(&row);
  std::vector<BacktestSummaryRow> summary;
  // Methods in their fixed order, "all" first within each.
  for (const char* method : kBacktestMethods) {
    std::vector<std::string> categories = {"all"};
    for (auto name : kCategoryNames) categories.emplace_back(name);
    for (const std::string& category : categories) {
      const auto group = groups.find({method, category});
      if (group == groups.end()) continue;
      BacktestSummaryRow s{method, category, static_cast<int>(group->second.size())};
      std::vector<double> medians, truths;
      double in_50 = 0, in_90 = 0, crps = 0;
      for (const BacktestRow* row : group->second) {
        in_50 += row->truth >= row->p25 && row->truth <= row->p75 ? 1 : 0;
        in_90 += row->truth >= row->p05 && row->truth <= row->p95 ? 1 : 0;
        crps += row->crps;
        medians.push_back(row->p50);
        truths.push_back(row->truth);
      }
      const bool interval = group->second.front()->has_interval;
      s.coverage_50 = interval ? in_50 / s.forecasts : NAN;
      s.coverage_90 = interval ? in_90 / s.forecasts : NAN;
      s.median_absolute_percentage_error = median_absolute_percentage_error(medians, truths);
      s.mean_crps = crps / s.forecasts;
      summary.push_back(s);
    }
  }
  return summary;
}

}  // namespace

BacktestResult run_backtest(const CareHistory& history, const BacktestOptions& options) {
  if (!history.last_date) throw std::invalid_argument("the history holds no episodes");
  BacktestResult result;
  for (Date origin : options.origins) forecast_from(history, origin, options, result.rows);
  result.summary = summarise_backtest(result.rows);
  return result;
}

}  // namespace carecast
