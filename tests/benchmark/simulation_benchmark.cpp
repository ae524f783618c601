// Speed of the simulation path on the default scenario: child-events per second on one core,
// and replications (runs) per second. Run with `make benchmark`; record the figures in the notes
// whenever the simulation loop changes. BM_ScaledReplication shows whether the cost per
// child-event stays flat from one council (x1) to England's size (x190): it must, for the cost of
// a run to be linear in the children.
#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>

#include "scenario/region_loader.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/synthetic_region.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/region_replication.hpp"
#include "simulation/replication.hpp"
#include "simulation/runner.hpp"
#include "tally/region_summary.hpp"
#include "tally/streaming_summary.hpp"

namespace {
using namespace carecast;

// The default scenario's council made `factor` times bigger: its starting population, entries,
// carer households, recruitment, Mockingbird constellations, capped places and in-house homes, so
// that children meet the same chances of finding a place at every scale. 190 is about England's
// 82,000 children looked after. (A benchmark fixture, not a model of any real region.)
Scenario scaled_default_scenario(int factor) {
  Scenario scenario = load_scenario(default_scenario_path());
  scenario.horizon_years = 5;
  if (factor == 1) return scenario;
  if (scenario.starting_counts) {
    for (auto& by_band : scenario.starting_counts->count) {
      for (auto& by_sex : by_band) {
        for (int& n : by_sex) n *= factor;
      }
    }
    for (auto& by_band : scenario.starting_counts->uasc_count) {
      for (auto& by_sex : by_band) {
        for (int& n : by_sex) n *= factor;
      }
    }
    if (auto& since_april = scenario.starting_counts->placements_since_april) {
      for (auto& by_count : *since_april) {
        for (int& n : by_count) n *= factor;
      }
    }
  }
  for (EntryStream* stream : {&scenario.entries, &scenario.uasc}) {
    for (auto& by_sex : stream->expected_per_year) {
      for (double& rate : by_sex) rate *= factor;
    }
  }
  Supply& supply = scenario.supply;
  supply.in_house_households *= factor;
  supply.enquiries_per_year *= factor;
  supply.mockingbird_constellations *= factor;
  if (supply.agency_places) *supply.agency_places *= factor;
  if (supply.external_home_beds) *supply.external_home_beds *= factor;
  const std::vector<InHouseHome> homes = supply.homes;
  for (int copy = 1; copy < factor; ++copy) supply.homes.insert(supply.homes.end(), homes.begin(), homes.end());
  if (supply.step_down) supply.step_down->specialist_places *= factor;
  return scenario;
}

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
  // Care leavers are followed, as in a forecast, since the default has [care_leavers].
  const TallyLayout layout(&scenario.supply, nullptr, &scenario.care_leavers);
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

// One replication at a time on one thread of the default scenario scaled by the argument
// (433, 4,330, 43,300 and 82,270 children at the origin): child-events per second should not fall
// as the council grows.
void BM_ScaledReplication(benchmark::State& state) {
  const Scenario scenario = scaled_default_scenario(static_cast<int>(state.range(0)));
  const TallyLayout layout(&scenario.supply, &scenario.costs);
  const ReportingCalendar calendar = ReportingCalendar::monthly(scenario.origin, scenario.horizon_end());
  const CompiledModel model = CompiledModel::compile(scenario, calendar.times.back());
  ReplicationRunner runner(scenario, model, layout, calendar);
  runner.vary_by_year(false);
  std::vector<std::int32_t> tally(static_cast<std::size_t>(calendar.date_count()) * layout.cell_count());
  std::vector<double> measures(static_cast<std::size_t>(calendar.date_count()) * layout.measure_count());
  std::uint64_t events = 0;
  std::uint64_t replication = 0;
  std::int64_t children = 0;
  for (auto _ : state) {
    const ReplicationStats stats = runner.run({1, replication++}, tally, measures);
    events += stats.child_events;
    children += stats.children_simulated;
    benchmark::DoNotOptimize(tally.data());
  }
  state.counters["child_events_per_second"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
  state.counters["children_per_run"] = static_cast<double>(children) / static_cast<double>(replication);
  state.counters["events_per_run"] = static_cast<double>(events) / static_cast<double>(replication);
}
BENCHMARK(BM_ScaledReplication)->ArgName("scale")->Arg(1)->Arg(10)->Arg(100)->Arg(190)->Unit(benchmark::kMillisecond);

// A region's replications one at a time on one thread (RegionBlocks, as `carecast run` on a region
// file runs them, with parameter draws and year-to-year variation), without the summaries: the
// synthetic region of `synth-region --councils N --children C --seed 1`. Arguments are N and C:
// (1, 82000) is England's children as one council, (153, 82000) England's councils, so the two
// show what being split into councils costs per child-event.
void BM_RegionReplication(benchmark::State& state) {
  const int councils = static_cast<int>(state.range(0));
  const int children = static_cast<int>(state.range(1));
  const std::filesystem::path folder =
      std::filesystem::temp_directory_path() /
      ("carecast-benchmark-region-" + std::to_string(councils) + "-" + std::to_string(children));
  std::filesystem::create_directories(folder);
  for (const SyntheticRegionFile& file : make_synthetic_region(councils, children, 1, default_scenario_path()).files) {
    std::ofstream(folder / file.name, std::ios::binary) << file.text;
  }
  const Region region = load_region(folder / "region.toml");
  RunOptions options;
  options.threads = 1;
  options.runs = 1 << 20;
  RegionBlocks blocks(region, options);
  RegionBlockBuffers buffers(blocks, 1);
  int run = 0;
  for (auto _ : state) {
    buffers.run(blocks, run++, 1);
    benchmark::DoNotOptimize(buffers.region_tallies.data());
  }
  const RunInfo info = blocks.region_info();
  state.counters["child_events_per_second"] =
      benchmark::Counter(static_cast<double>(info.child_events), benchmark::Counter::kIsRate);
  state.counters["events_per_run"] = static_cast<double>(info.child_events) / static_cast<double>(run);
  std::filesystem::remove_all(folder);
}
BENCHMARK(BM_RegionReplication)
    ->ArgNames({"councils", "children"})
    ->Args({5, 2500})
    ->Args({1, 82000})
    ->Args({153, 82000})
    ->Unit(benchmark::kMillisecond);

// `carecast run`'s path (streamed and summarised, parameter draws and year-to-year variation as
// the scenario has them) for the scaled default: arguments are the scale, the runs and the
// threads. England (x190) with 1,000 runs takes tens of seconds: filter it out for a quick run
// (--benchmark_filter=-England or a narrower filter).
void BM_ScaledRunsStreamed(benchmark::State& state) {
  const Scenario scenario = scaled_default_scenario(static_cast<int>(state.range(0)));
  RunOptions options;
  options.runs = static_cast<int>(state.range(1));
  options.threads = static_cast<int>(state.range(2));
  std::uint64_t events = 0;
  for (auto _ : state) {
    const StreamedSummary streamed = run_and_summarise(scenario, options);
    events += streamed.info.child_events;
    benchmark::DoNotOptimize(streamed.rows.data());
  }
  state.counters["child_events_per_second"] = benchmark::Counter(static_cast<double>(events), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ScaledRunsStreamed)
    ->ArgNames({"scale", "runs", "threads"})
    ->Args({1, 1000, 1})
    ->Args({1, 1000, 2})
    ->Args({190, 10, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();
void BM_England_ThousandRunsStreamed(benchmark::State& state) { BM_ScaledRunsStreamed(state); }
BENCHMARK(BM_England_ThousandRunsStreamed)
    ->ArgNames({"scale", "runs", "threads"})
    ->Args({190, 1000, 2})
    ->Iterations(1)
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->MeasureProcessCPUTime();

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
