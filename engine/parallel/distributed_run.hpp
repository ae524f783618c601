// `carecast run` spread over the processes of an mpirun job. Each process simulates its share of
// the replications (on its own threads) and the first process folds every replication's tallies
// into the summary in run order, exactly as run_and_summarise does in one process. Replication i
// draws only from streams of (seed, i) whoever runs it, and the summary is the same for any
// split of the runs into blocks, so the forecast is byte for byte the same for any number of
// processes and threads.
#pragma once

#include <functional>
#include <span>

#include "parallel/process_group.hpp"
#include "tally/streaming_summary.hpp"

namespace carecast::parallel {

// The runs go out in rounds: in each, process r simulates the r-th block of `block` consecutive
// runs, and the first process gathers the round's blocks and adds them to the summary. `block` is
// the one-process block size, made smaller so that every process has work and the first process's
// buffers for a round stay bounded (about kRunsGatheredPerRound runs).
inline constexpr int kRunsGatheredPerRound = 4096;
int runs_per_process_block(const RunOptions& options, int threads, int processes);

// Collective over `group` (every process calls it with the same scenario and options). The first
// process gets the summary rows and the totals of every process (child-events, children simulated;
// `threads` is the threads of every process together); the others get their own totals and no
// rows. Alone, the same as run_and_summarise. `options.threads` 0 means every core this process
// has to itself. A failure on any process throws on every process (ProcessGroup::run_together).
// `runs_done` is called on the first process after each round, with the runs it held.
// The runs each process simulates in the round from `round_first`: process r the r-th block of
// `block` runs, clipped to `runs` (`counts` holds one entry a process). Gives the round's runs.
int round_counts(int runs, int round_first, int block, std::span<int> counts);

// Collective: the totals of every process in `info` (child-events, children simulated, children
// counted in care at 18 or over, capacity exceeded, threads) become their sums.
void sum_totals(ProcessGroup& group, RunInfo& info);

StreamedSummary run_and_summarise_together(ProcessGroup& group, const Scenario& scenario, RunOptions options,
                                           const std::function<void(int runs)>& runs_done = {});

}  // namespace carecast::parallel
