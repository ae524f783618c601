// Summaries streamed a block of runs at a time agree with sorting every run's value: exactly for
// counts (histograms) and for real measures up to kExactRealValues runs, within the stated
// relative accuracy beyond it; and the streamed forecast is the seeded baseline, byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "output/comparison.hpp"
#include "output/forecast_writer.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "tally/distributions.hpp"
#include "tally/streaming_summary.hpp"
#include "tally/summary.hpp"

namespace carecast {
namespace {
namespace fs = std::filesystem;

constexpr double kProbabilities[] = {0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1};

TEST(IntegerDistribution, PercentilesEqualSortingTheValues) {
  std::mt19937_64 random(7);
  for (int size : {1, 2, 3, 10, 199, 200, 1001}) {
    std::uniform_int_distribution<int> spread(-40, 60);
    IntegerDistribution histogram;
    std::vector<double> values;
    for (int i = 0; i < size; ++i) {
      // Values arriving below and above the range seen so far, so the histogram grows both ways.
      const int v = i % 7 == 0 ? spread(random) * 3 : spread(random);
      histogram.add(v);
      values.push_back(v);
    }
    double sum = 0;
    for (double v : values) sum += v;
    std::sort(values.begin(), values.end());
    EXPECT_EQ(histogram.count(), size);
    EXPECT_EQ(histogram.mean(), sum / size);
    for (double p : kProbabilities) EXPECT_EQ(histogram.quantile(p), quantile_sorted(values, p)) << size << " " << p;
  }
}

TEST(RealDistribution, ExactModeEqualsSortingTheValues) {
  std::mt19937_64 random(8);
  std::lognormal_distribution<double> cost(13, 0.4);
  RealDistribution exact(true);
  std::vector<double> values;
  for (int i = 0; i < 333; ++i) {
    const double v = i % 5 == 0 ? 0.0 : (i % 3 == 0 ? -cost(random) : cost(random));
    exact.add(v);
    values.push_back(v);
  }
  double sum = 0;
  for (double v : values) sum += v;
  exact.finish();
  std::sort(values.begin(), values.end());
  EXPECT_EQ(exact.mean(), sum / 333);
  for (double p : kProbabilities) EXPECT_EQ(exact.quantile(p), quantile_sorted(values, p)) << p;
}

// Selecting the two order statistics a quantile needs gives what sorting gives, for every size
// and with ties, whatever order earlier selections left the values in.
TEST(Summary, SelectingTheOrderStatisticsEqualsSortingThem) {
  std::mt19937_64 random(9);
  std::uniform_int_distribution<int> spread(-5, 5);
  std::normal_distribution<double> real(100, 30);
  for (int size : {1, 2, 3, 10, 101, 1000}) {
    std::vector<double> values;
    for (int i = 0; i < size; ++i) values.push_back(i % 2 == 0 ? spread(random) : real(random));
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    for (double p : kProbabilities) {
      EXPECT_EQ(quantile_selected(values, p), quantile_sorted(sorted, p)) << size << " " << p;
    }
    for (double p : {0.95, 0.5, 0.05}) EXPECT_EQ(quantile_selected(values, p), quantile_sorted(sorted, p)) << size;
  }
}

// Beyond the exact cap: each order statistic is within a relative kRealRelativeAccuracy, so a
// type 7 percentile is within that share of the two order statistics it interpolates.
TEST(RealDistribution, SketchPercentilesAreWithinTheStatedRelativeAccuracy) {
  std::mt19937_64 random(9);
  std::lognormal_distribution<double> cost(13, 1.5);
  std::uniform_real_distribution<double> share(0, 30);
  for (int mix = 0; mix < 3; ++mix) {
    RealDistribution sketch(false);
    std::vector<double> values;
    for (int i = 0; i < 50000; ++i) {
      double v = mix == 0 ? cost(random) : share(random);
      if (mix == 2 && i % 4 == 0) v = -cost(random);  // differences of costs: both signs
      if (mix == 1 && i % 10 == 0) v = 0;             // a percentage that is often 0
      sketch.add(v);
      values.push_back(v);
    }
    double sum = 0;
    for (double v : values) sum += v;
    sketch.finish();
    std::sort(values.begin(), values.end());
    EXPECT_EQ(sketch.mean(), sum / 50000);
    for (double p : kProbabilities) {
      const double position = p * (values.size() - 1);
      const auto below = static_cast<std::size_t>(std::floor(position));
      const std::size_t above = std::min(below + 1, values.size() - 1);
      const double fraction = position - below;
      const double allowed =
          kRealRelativeAccuracy * ((1 - fraction) * std::abs(values[below]) + fraction * std::abs(values[above]));
      EXPECT_LE(std::abs(sketch.quantile(p) - quantile_sorted(values, p)), allowed * (1 + 1e-9))
          << "mix " << mix << " p " << p;
    }
    EXPECT_LT(sketch.memory_bytes(), 600000u) << "mix " << mix;  // far less than 50,000 doubles kept
  }
}

Scenario default_scenario(int years) {
  Scenario scenario = load_scenario(default_scenario_path());
  scenario.horizon_years = years;
  return scenario;
}

RunOptions options_for(int runs, int threads) {
  RunOptions options;
  options.runs = runs;
  options.seed = 1;
  options.threads = threads;
  return options;
}

// Feeds `result` to an accumulator in blocks of `block` runs.
std::vector<SummaryRow> summarise_in_blocks(const RunResult& result, int block, int declared_runs, int threads = 1) {
  SummaryAccumulator accumulator(result.layout, result.calendar.date_count(), declared_runs, threads);
  const std::size_t tally = static_cast<std::size_t>(result.calendar.date_count()) * result.layout.cell_count();
  const std::size_t measures = static_cast<std::size_t>(result.calendar.date_count()) * result.layout.measure_count();
  for (int first = 0; first < result.runs; first += block) {
    const int n = std::min(block, result.runs - first);
    accumulator.add({&result.layout, result.calendar.date_count(), n,
                     std::span<const std::int32_t>(result.tallies).subspan(tally * first, tally * n),
                     std::span<const double>(result.measures).subspan(measures * first, measures * n)});
  }
  return accumulator.finish();
}

TEST(StreamingSummary, EqualsTheSortBasedSummaryWhateverTheBlocks) {
  const RunResult result = run_replications(default_scenario(2), options_for(120, 2));
  const std::vector<SummaryRow> sorted = summarise(result);
  for (int block : {1, 7, 120}) {
    const std::vector<SummaryRow> streamed = summarise_in_blocks(result, block, result.runs);
    ASSERT_EQ(streamed.size(), sorted.size());
    for (std::size_t i = 0; i < sorted.size(); ++i) {
      ASSERT_EQ(streamed[i].cell, sorted[i].cell);
      ASSERT_EQ(streamed[i].date, sorted[i].date);
      const std::string where = result.layout.cell(sorted[i].cell).metric + " " +
                                result.layout.cell(sorted[i].cell).category + " date " + std::to_string(sorted[i].date);
      ASSERT_EQ(streamed[i].mean, sorted[i].mean) << where;
      for (int p = 0; p < kPercentileCount; ++p) ASSERT_EQ(streamed[i].percentile[p], sorted[i].percentile[p]) << where;
      // Counts' squared deviations are summed by value, not by run: the last bits may differ.
      ASSERT_NEAR(streamed[i].standard_error, sorted[i].standard_error, 1e-12 * (1 + sorted[i].standard_error)) << where;
    }
  }
}

// Several threads fold a block, each into its own cells: every row is the same, bit for bit, as
// one thread's, exact or sketched.
TEST(StreamingSummary, FoldingOnSeveralThreadsGivesExactlyOneThreadsSummary) {
  const RunResult result = run_replications(default_scenario(2), options_for(60, 2));
  for (int declared_runs : {result.runs, kExactRealValues + 1}) {
    const std::vector<SummaryRow> one = summarise_in_blocks(result, 25, declared_runs, 1);
    for (int threads : {2, 3, 7}) {
      const std::vector<SummaryRow> several = summarise_in_blocks(result, 25, declared_runs, threads);
      ASSERT_EQ(several.size(), one.size());
      for (std::size_t i = 0; i < one.size(); ++i) {
        ASSERT_EQ(several[i].cell, one[i].cell);
        ASSERT_EQ(several[i].date, one[i].date);
        ASSERT_EQ(several[i].mean, one[i].mean) << threads << " threads, row " << i;
        ASSERT_EQ(several[i].standard_error, one[i].standard_error) << threads << " threads, row " << i;
        for (int p = 0; p < kPercentileCount; ++p) ASSERT_EQ(several[i].percentile[p], one[i].percentile[p]);
      }
    }
  }
}

// Declared as more runs than the exact cap: counts stay exact, real measures are sketched.
TEST(StreamingSummary, BeyondTheExactCapCountsStayExactAndMeasuresAreWithinTheAccuracy) {
  const RunResult result = run_replications(default_scenario(2), options_for(120, 2));
  const std::vector<SummaryRow> sorted = summarise(result);
  const std::vector<SummaryRow> sketched = summarise_in_blocks(result, 50, kExactRealValues + 1);
  ASSERT_EQ(sketched.size(), sorted.size());
  int measures = 0;
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    ASSERT_EQ(sketched[i].mean, sorted[i].mean);
    for (int p = 0; p < kPercentileCount; ++p) {
      if (sorted[i].cell < result.layout.cell_count()) {
        ASSERT_EQ(sketched[i].percentile[p], sorted[i].percentile[p]);
      } else {
        ++measures;
        ASSERT_LE(std::abs(sketched[i].percentile[p] - sorted[i].percentile[p]),
                  kRealRelativeAccuracy * std::abs(sorted[i].percentile[p]) * (1 + 1e-9) + 1e-300)
            << result.layout.cell(sorted[i].cell).metric;
      }
    }
  }
  EXPECT_GT(measures, 100);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The streamed forecast (what `carecast run` writes) is the seeded baseline of
// tests/regression_test.cpp byte for byte, on any number of threads and in any blocks.
TEST(StreamingSummary, StreamedForecastIsTheSeededBaselineOnAnyThreadsAndBlocks) {
  const std::string baseline = read_file(CARECAST_TEST_DATA_DIR "/../baseline/default_seed1_runs200_years3.csv");
  ASSERT_FALSE(baseline.empty());
  const Scenario scenario = default_scenario(3);
  for (const auto& [threads, block] : {std::pair{1, 0}, std::pair{2, 37}, std::pair{3, 200}}) {
    RunOptions options = options_for(200, threads);
    options.block_runs = block;
    const StreamedSummary streamed = run_and_summarise(scenario, options);
    EXPECT_EQ(streamed.info.runs, 200);
    std::ostringstream csv;
    write_forecast_csv(csv, streamed.info, streamed.rows);
    EXPECT_EQ(csv.str(), baseline) << threads << " threads, blocks of " << block;
  }
}

// The comparison as it was computed before streaming: every difference kept and sorted.
std::vector<ComparisonRow> compare_by_sorting(const RunResult& base, const RunResult& option, const std::string& name) {
  std::map<std::pair<std::string, std::string>, int> option_cells;
  for (int c = 0; c < option.layout.cell_count() + option.layout.measure_count(); ++c) {
    option_cells.emplace(std::make_pair(option.layout.cell(c).metric, option.layout.cell(c).category), c);
  }
  auto summarised = [&](std::vector<double>& d, const std::string& metric, const std::string& category, Date date) {
    double sum = 0;
    for (double v : d) sum += v;
    std::sort(d.begin(), d.end());
    return ComparisonRow{name, metric, category, date, sum / d.size(), quantile_sorted(d, 0.05),
                         quantile_sorted(d, 0.5), quantile_sorted(d, 0.95)};
  };
  std::vector<ComparisonRow> rows;
  std::vector<double> d;
  for (int b = 0; b < base.layout.cell_count() + base.layout.measure_count(); ++b) {
    const MetricCell& cell = base.layout.cell(b);
    const auto found = option_cells.find({cell.metric, cell.category});
    if (found == option_cells.end()) continue;
    for (int date = cell.kind == MetricKind::flow ? 1 : 0; date < base.calendar.date_count(); ++date) {
      d.clear();
      for (int run = 0; run < base.runs; ++run) {
        const double x = base.number(run, date, b), y = option.number(run, date, found->second);
        if (!std::isnan(x) && !std::isnan(y)) d.push_back(y - x);
      }
      if (!d.empty()) rows.push_back(summarised(d, cell.metric, cell.category, base.calendar.dates[date]));
    }
  }
  const int last = base.calendar.date_count() - 1;
  auto total = [&](const RunResult& r, int run, int cell) {
    double t = 0;
    for (int date = 1; date <= last; ++date) t += r.value(run, date, cell);
    return t;
  };
  d.clear();
  for (int run = 0; run < base.runs; ++run) {
    d.push_back(total(option, run, option.layout.three_plus_placements) - total(base, run, base.layout.three_plus_placements));
  }
  rows.push_back(summarised(d, "children_reaching_3_placements_total", "all", base.calendar.dates[last]));
  d.clear();
  for (int run = 0; run < base.runs; ++run) {
    d.push_back(total(option, run, option.layout.unmet_preference_all) - total(base, run, base.layout.unmet_preference_all));
  }
  rows.push_back(summarised(d, "unmet_preference_total", "all", base.calendar.dates[last]));
  auto share = [&](const std::string& metric, auto lower) {
    int n = 0;
    for (int run = 0; run < base.runs; ++run) n += lower(run) ? 1 : 0;
    const double p = static_cast<double>(n) / base.runs;
    rows.push_back({name, metric, "all", base.calendar.dates[last], p, p, p, p});
  };
  share("probability_cheaper", [&](int run) {
    return option.measure(run, last, option.layout.cost_cumulative) < base.measure(run, last, base.layout.cost_cumulative);
  });
  share("probability_fewer_3plus_placements", [&](int run) {
    return total(option, run, option.layout.three_plus_placements) < total(base, run, base.layout.three_plus_placements);
  });
  share("probability_fewer_unmet_preference", [&](int run) {
    return total(option, run, option.layout.unmet_preference_all) < total(base, run, base.layout.unmet_preference_all);
  });
  return rows;
}

void expect_same_rows(const std::vector<ComparisonRow>& a, const std::vector<ComparisonRow>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::string where = a[i].metric + " " + a[i].category + " " + format_iso(a[i].date);
    ASSERT_EQ(a[i].option, b[i].option) << where;
    ASSERT_EQ(a[i].metric, b[i].metric) << where;
    ASSERT_EQ(a[i].category, b[i].category) << where;
    ASSERT_EQ(a[i].date, b[i].date) << where;
    ASSERT_EQ(a[i].mean, b[i].mean) << where;
    ASSERT_EQ(a[i].p05, b[i].p05) << where;
    ASSERT_EQ(a[i].p50, b[i].p50) << where;
    ASSERT_EQ(a[i].p95, b[i].p95) << where;
  }
}

// `carecast compare`'s streamed differences equal sorting every run's difference, and each
// scenario's own forecast equals its sort-based summary.
TEST(StreamingComparison, EqualsSortingEveryRunsDifference) {
  const Scenario base = default_scenario(2);
  Scenario option = load_scenario(fs::path(CARECAST_SCENARIO_DIR) / "option_recruitment_campaign.toml");
  option.horizon_years = 2;
  RunOptions options = options_for(90, 2);
  const RunResult base_runs = run_replications(base, options);
  const RunResult option_runs = run_replications(option, options);
  const std::vector<ComparisonRow> sorted = compare_by_sorting(base_runs, option_runs, option.name);

  expect_same_rows(compare_runs(base_runs, option_runs, option.name), sorted);
  options.block_runs = 13;
  const StreamedComparison streamed = run_and_compare({base, option}, options);
  expect_same_rows(streamed.rows, sorted);
  ASSERT_EQ(streamed.summaries.size(), 2u);
  for (const auto& [summary, runs] : {std::pair{&streamed.summaries[0], &base_runs}, std::pair{&streamed.summaries[1], &option_runs}}) {
    const std::vector<SummaryRow> expected = summarise(*runs);
    ASSERT_EQ(summary->size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ((*summary)[i].mean, expected[i].mean);
      for (int p = 0; p < kPercentileCount; ++p) ASSERT_EQ((*summary)[i].percentile[p], expected[i].percentile[p]);
    }
  }
}

// Memory does not grow with the runs: the summaries of 400 runs hold no more than those of 40
// when the real measures are sketched, and the estimate for 1,000,000 runs is that of 20,000.
TEST(StreamingSummary, MemoryDoesNotGrowWithTheRuns) {
  const Scenario scenario = default_scenario(2);
  RunOptions options = options_for(40, 2);
  const RunResult few = run_replications(scenario, options);
  SummaryAccumulator small(few.layout, few.calendar.date_count(), kExactRealValues + 1);
  SummaryAccumulator large(few.layout, few.calendar.date_count(), kExactRealValues + 1);
  small.add(whole_run_block(few));
  for (int i = 0; i < 10; ++i) large.add(whole_run_block(few));
  small.finish();
  large.finish();
  EXPECT_EQ(large.memory_bytes(), small.memory_bytes());

  options.runs = 20000;
  const MemoryEstimate at_cap_plus = estimate_run_memory(scenario, options);
  options.runs = 1000000;
  const MemoryEstimate at_million = estimate_run_memory(scenario, options);
  EXPECT_EQ(at_million.total(), at_cap_plus.total());
  EXPECT_LT(at_million.total(), 512.0 * 1024 * 1024);
}

}  // namespace
}  // namespace carecast
