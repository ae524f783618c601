// Runs many replications of a scenario in parallel. Replication i always draws from streams
// derived from (seed, i), and its tally goes to slot i, so results are identical whatever the
// number of threads or the size of the blocks they are run in.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "scenario/scenario.hpp"
#include "tally/tally_layout.hpp"

namespace carecast {

class ReplicationObserver;
struct ReplicationRates;
struct ReplicationStats;
struct CompiledModel;

struct RunOptions {
  int runs = 1000;
  std::uint64_t seed = 1;
  int threads = 0;  // 0 = every core
  // Draw each replication's rates from their posterior: a calibrated scenario's from its evidence,
  // a hand-written one's from its stated uncertainty (Scenario::stated_uncertainty, unless the
  // scenario turns it off). Off, every replication uses the point rates.
  bool parameter_uncertainty = true;
  // Draw each replication's year-to-year multipliers (Scenario::variation), when the scenario has
  // any. Off, every year has the scenario's rates.
  bool systemic_variation = true;
  // Sees every child's history in every replication, from every worker thread at once, so it must
  // be thread-safe. For diagnostics and tests (a failing replication); nullptr on the forecast path.
  ReplicationObserver* observer = nullptr;
  // Runs simulated per block on the streaming path (run_and_summarise, run_and_compare); 0 picks
  // runs_per_block's default. Results do not depend on it.
  int block_runs = 0;
};

// What describes a run of many replications, without the replications' own tallies.
// Where the rates each replication drew came from.
enum class ParameterEvidence { none, calibrated, stated };
const char* parameter_evidence_name(ParameterEvidence evidence);  // "none", "calibrated", "stated"

struct RunInfo {
  TallyLayout layout;
  ReportingCalendar calendar;
  int runs = 0;
  int threads = 0;
  std::uint64_t child_events = 0;
  std::int64_t children_simulated = 0;
  std::int64_t children_in_care_aged_18_or_over = 0;
  std::int64_t capacity_exceeded = 0;  // reporting dates with more children than places: must be 0
  double wall_seconds = 0;
  bool parameters_drawn = false;  // whether replications drew their rates from a posterior
  ParameterEvidence parameter_evidence = ParameterEvidence::none;  // none unless parameters_drawn
  bool systemic_variation = false;                                 // whether replications drew year-to-year multipliers
  // Adds a replication's (or a thread's) counts: child-events, children and the two checks.
  void count(const ReplicationStats& stats);
  double events_per_second() const { return wall_seconds > 0 ? static_cast<double>(child_events) / wall_seconds : 0; }
};

// Every replication kept: for tests and analyses of individual runs. Its memory grows with the
// runs; `carecast run` and `compare` stream them in blocks instead (ReplicationBlocks).
struct RunResult : RunInfo {
  // Tallies of every replication: [run][date][cell], flattened.
  std::vector<std::int32_t> tallies;
  // Measures of every replication (costs, stability): [run][date][measure], NaN where undefined.
  std::vector<double> measures;

  std::int32_t value(int run, int date, int cell) const {
    return tallies[(static_cast<std::size_t>(run) * calendar.date_count() + date) * layout.cell_count() + cell];
  }
  double measure(int run, int date, int measure_index) const {
    return measures[(static_cast<std::size_t>(run) * calendar.date_count() + date) * layout.measure_count() +
                    measure_index];
  }
  // A tally cell or (index >= layout.cell_count()) a measure, as a number.
  double number(int run, int date, int cell) const {
    return cell < layout.cell_count() ? value(run, date, cell) : measure(run, date, cell - layout.cell_count());
  }
};

int resolve_thread_count(int requested);
// Calls body(thread, i) for every i in [0, count), from `threads` threads (thread 0 the caller's),
// each taking the next i as it finishes one. A failure stops the other threads after their current
// call and the earliest i's exception is rethrown, as it was thrown.
void for_each_run_in_parallel(int count, int threads, const std::function<void(int thread, int i)>& body);
RunResult run_replications(const Scenario& scenario, const RunOptions& options);

// Simulates the replications of a scenario a block at a time into buffers the caller reuses, so
// that memory does not grow with the runs. Replication i draws from streams of (seed, i) whichever
// block or thread runs it. An exception in any replication stops the other threads after their
// current replication and is rethrown, as it was thrown, by run_block.
class ReplicationBlocks {
 public:
  ReplicationBlocks(const Scenario& scenario, const RunOptions& options);
  ~ReplicationBlocks();
  ReplicationBlocks(const ReplicationBlocks&) = delete;
  ReplicationBlocks& operator=(const ReplicationBlocks&) = delete;

  const TallyLayout& layout() const { return info_.layout; }
  const ReportingCalendar& calendar() const { return info_.calendar; }
  std::size_t tally_size() const;    // int32 values of one run's tally
  std::size_t measure_size() const;  // doubles of one run's measures
  // Runs [first, first + count): run first + i writes its tally at tallies[i * tally_size()] and its
  // measures at measures[i * measure_size()].
  void run_block(int first, int count, std::span<std::int32_t> tallies, std::span<double> measures);
  // Totals of every block run so far, and the wall time since construction.
  RunInfo info() const;

 private:
  struct Worker;
  const Scenario& scenario_;
  RunOptions options_;
  RunInfo info_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<ReplicationRates> rates_;
  std::vector<std::unique_ptr<Worker>> workers_;  // one per thread, kept from block to block
};

// Where a scenario's replications draw their rates from (RunOptions::parameter_uncertainty): a
// calibrated scenario's evidence, else its stated uncertainty, else nowhere (the point rates).
struct ReplicationRates {
  ReplicationRates(const Scenario& scenario, const RunOptions& options, double horizon_time);
  ~ReplicationRates();
  ReplicationRates(ReplicationRates&&) noexcept;
  ParameterEvidence evidence_kind = ParameterEvidence::none;
  std::unique_ptr<RateEvidence> evidence;
  std::unique_ptr<CareLeaverEvidence> care_leaver_evidence;
  std::unique_ptr<CompiledModel> point_model;
  bool drawn() const { return evidence != nullptr; }
  // Draws replication (seed, replication)'s rates into `drawn_scenario` (a copy of the scenario,
  // made on first use) and compiles them into `drawn_model`, from the replication's own streams.
  void draw(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication, double horizon_time,
            std::optional<Scenario>& drawn_scenario, CompiledModel& drawn_model) const;
};

// Runs in a block: options.block_runs, or by default enough runs to keep every thread busy to the
// end of a block (a thread idles at most one replication per block) and few enough that the
// block's buffers stay small (512 runs of the default scenario: about 18 MB).
int runs_per_block(const RunOptions& options, int threads);

// Memory a streamed run is expected to need, for refusing one that would not fit before it starts.
struct MemoryEstimate {
  double block_buffers = 0;      // bytes of one scenario's block of tallies and measures
  double summaries = 0;          // bytes of one scenario's streaming summary
  double replication_state = 0;  // bytes of one thread's replication (children, events, supply)
  double expected_children = 0;  // children in one replication: starting + entries a year x years
  int threads = 1;
  // Every thread keeps its replication state from block to block.
  double total() const { return block_buffers + summaries + threads * replication_state; }
};
MemoryEstimate estimate_run_memory(const Scenario& scenario, const RunOptions& options);

inline constexpr double kDefaultMaxMemoryGib = 4;
// Refuses, before any work, a run (one scenario) or comparison (base and options, each also
// compared with the base) whose estimated memory is above `max_memory_gib`: an InputError naming
// the option --max-memory-gb that raises the limit.
// Bytes of a region's block of runs (every council's buffers) are kept near this, whatever the
// number of councils (region_summary.hpp).
inline constexpr double kRegionBlockBytes = 256.0 * 1024 * 1024;
// How the scenarios are run: side by side (a comparison: each its own blocks) or as the councils of
// one region (one shared block of runs, region_summary.hpp).
enum class MemoryLayout { scenarios, region };
void check_memory_limit(std::span<const Scenario> scenarios, const RunOptions& options, double max_memory_gib,
                        MemoryLayout layout = MemoryLayout::scenarios);

}  // namespace carecast
