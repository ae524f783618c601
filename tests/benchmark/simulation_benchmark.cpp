// Speed of the simulation path on the default scenario: child-events per second on one core,
// and replications (runs) per second. Run with `make benchmark`; record the figures in the notes
// whenever the simulation loop changes.
#include <benchmark/benchmark.h>

#include "scenario/scenario_loader.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/replication.hpp"
#include "simulation/runner.hpp"
#include "tally/streaming_summary.hpp"

namespace {
using namespace carecast;

// One replication at a time on one thread: the per-core cost of the event loop. Argument 1 keeps
// the default scenario's finite supply; 0 removes it, to show what supply costs; 2 keeps it and
// adds year-to-year variation on entries, exits and moves (sd 0.1 a year each, autocorrelation
// 0.5), to show what the yearly tables cost. Rates are the point rates (no parameter draws).
void BM_DefaultScenarioReplication(benchmark::State& state) {
  Scenario scenario = load_scenario(default_scenario_path());
  scenario.horizon_years = 5;
  if (state.range(0) == 0) scenario.supply = Supply{};
  scenario.variation = SystemicVariation{};
  if (state.range(0) == 2) scenario.variation = SystemicVariation{0.1, 0.1, 0.1, 0.5};
  const TallyLayout layout(&scenario.supply);
  const ReportingCalendar calendar = ReportingCalendar::monthly(scenario.origin, scenario.horizon_end());
  const CompiledModel model = CompiledModel::compile(scenario, calendar.times.back());
  ReplicationRunner runner(scenario, model, layout, calendar);
  std::vector<std::int32_t> tally(static_cast<std::size_t>(calendar.date_count()) * layout.cell_count());
  std::uint64_t events = 0;
  std::uint64_t replication = 0;
  for (auto _ : state) {
    const ReplicationStats stats = runner.run({1, replication++}, tally);
    events += stats.child_events;
    benchmark::DoNotOptimize(tally.data());
  }
  state.counters["child_events_per_second"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["runs_per_second"] = benchmark::Counter(static_cast<double>(replication), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DefaultScenarioReplication)->ArgName("with_supply")->Arg(1)->Arg(0)->Arg(2)->Unit(benchmark::kMicrosecond);

// 1,000 runs x 5 years kept whole (run_replications, for tests of individual runs).
void BM_DefaultScenarioThousandRuns(benchmark::State& state) {
  const Scenario scenario = load_scenario(default_scenario_path());
  RunOptions options;
  options.runs = 1000;
  options.threads = static_cast<int>(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {
    const RunResult result = run_replications(scenario, options);
    events += result.child_events;
  }
  state.counters["child_events_per_second"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DefaultScenarioThousandRuns)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// The `carecast run` path for 1,000 runs x 5 years: simulated in blocks and summarised as it goes.
// Should take no longer than BM_DefaultScenarioThousandRuns: streaming must not slow the simulation.
void BM_DefaultScenarioThousandRunsStreamed(benchmark::State& state) {
  const Scenario scenario = load_scenario(default_scenario_path());
  RunOptions options;
  options.runs = 1000;
  options.threads = static_cast<int>(state.range(0));
  std::uint64_t events = 0;
  for (auto _ : state) {
    const StreamedSummary streamed = run_and_summarise(scenario, options);
    events += streamed.info.child_events;
    benchmark::DoNotOptimize(streamed.rows.data());
  }
  state.counters["child_events_per_second"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_DefaultScenarioThousandRunsStreamed)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
