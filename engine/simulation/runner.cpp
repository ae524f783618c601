#include "simulation/runner.hpp"

#include <atomic>
#include <chrono>
#include <span>
#include <thread>

#include "simulation/compiled_model.hpp"
#include "simulation/parameter_draws.hpp"
#include "simulation/replication.hpp"

namespace carecast {

int resolve_thread_count(int requested) {
  if (requested > 0) return requested;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? static_cast<int>(cores) : 1;
}

RunResult run_replications(const Scenario& scenario, const RunOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  RunResult result;
  result.layout = TallyLayout(&scenario.supply, &scenario.costs);
  result.calendar = ReportingCalendar::monthly(scenario.origin, scenario.horizon_end());
  result.runs = options.runs;
  result.threads = std::min(resolve_thread_count(options.threads), std::max(options.runs, 1));
  const std::size_t run_size = static_cast<std::size_t>(result.calendar.date_count()) * result.layout.cell_count();
  result.tallies.assign(run_size * static_cast<std::size_t>(options.runs), 0);
  const std::size_t measure_size =
      static_cast<std::size_t>(result.calendar.date_count()) * static_cast<std::size_t>(result.layout.measure_count());
  result.measures.assign(measure_size * static_cast<std::size_t>(options.runs), 0.0);

  const double horizon_time = result.calendar.times.back();
  const CompiledModel point_model = CompiledModel::compile(scenario, horizon_time);
  result.parameters_drawn = options.parameter_uncertainty && scenario.evidence.has_value();
  std::vector<ReplicationStats> stats(static_cast<std::size_t>(options.runs));
  std::atomic<int> next_run{0};
  auto worker = [&] {
    CompiledModel drawn_model;
    ReplicationRunner runner(scenario, point_model, result.layout, result.calendar);
    for (int run = next_run++; run < options.runs; run = next_run++) {
      const ReplicationIdentity id{options.seed, static_cast<std::uint64_t>(run)};
      if (result.parameters_drawn) {
        // The replication's own stream, so its rates do not depend on which thread runs it.
        StreamEngine parameters(id.seed, id.replication, entity_id(EntityKind::replication, 2), Process::parameters);
        drawn_model = CompiledModel::compile(draw_parameters(scenario, parameters), horizon_time);
        runner.use_model(drawn_model);
      }
      std::span<std::int32_t> tally(result.tallies.data() + run_size * static_cast<std::size_t>(run), run_size);
      std::span<double> measures(result.measures.data() + measure_size * static_cast<std::size_t>(run), measure_size);
      stats[static_cast<std::size_t>(run)] = runner.run(id, tally, measures);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < result.threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& thread : pool) thread.join();

  for (const ReplicationStats& s : stats) {
    result.child_events += s.child_events;
    result.children_simulated += s.children_simulated;
    result.children_in_care_aged_18_or_over += s.children_in_care_aged_18_or_over;
    result.capacity_exceeded += s.capacity_exceeded;
  }
  result.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace carecast
