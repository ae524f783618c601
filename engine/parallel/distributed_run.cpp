#include "parallel/distributed_run.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

namespace carecast::parallel {

int runs_per_process_block(const RunOptions& options, int threads, int processes) {
  const int one_process = runs_per_block(options, threads);
  const int share = (options.runs + processes - 1) / processes;  // so that every process has work
  const int bounded = std::max(threads, kRunsGatheredPerRound / processes);
  return std::max(1, std::min({one_process, share, bounded}));
}

int round_counts(int runs, int round_first, int block, std::span<int> counts) {
  int round_runs = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    counts[r] = std::clamp(runs - (round_first + static_cast<int>(r) * block), 0, block);
    round_runs += counts[r];
  }
  return round_runs;
}

void sum_totals(ProcessGroup& group, RunInfo& info) {
  std::array<std::int64_t, 5> totals{static_cast<std::int64_t>(info.child_events), info.children_simulated,
                                     info.children_in_care_aged_18_or_over, info.capacity_exceeded, info.threads};
  group.sum(totals);
  info.child_events = static_cast<std::uint64_t>(totals[0]);
  info.children_simulated = totals[1];
  info.children_in_care_aged_18_or_over = totals[2];
  info.capacity_exceeded = totals[3];
  info.threads = static_cast<int>(totals[4]);
}

StreamedSummary run_and_summarise_together(ProcessGroup& group, const Scenario& scenario, RunOptions options,
                                           const std::function<void(int runs)>& runs_done) {
  if (group.size() == 1) return run_and_summarise(scenario, options, runs_done);
  // Processes sharing a machine share its cores, rather than each taking every core.
  if (options.threads == 0) options.threads = group.cores_per_process();
  const int processes = group.size();
  const bool first = group.is_first();

  std::optional<ReplicationBlocks> blocks;
  std::optional<SummaryAccumulator> summary;
  std::vector<std::int32_t> tallies;
  std::vector<double> measures;
  int block = 0;
  group.run_together([&] {
    blocks.emplace(scenario, options);
    const int threads = blocks->info().threads;
    block = runs_per_process_block(options, threads, processes);
    // The first process holds a whole round, its own block first; the others their own block.
    const auto runs_held = static_cast<std::size_t>(first ? processes * block : block);
    tallies.resize(blocks->tally_size() * runs_held);
    measures.resize(blocks->measure_size() * runs_held);
    if (first) summary.emplace(blocks->layout(), blocks->calendar().date_count(), options.runs, threads);
  });
  const int dates = blocks->calendar().date_count();

  // Round by round every process takes part in every collective, even with no runs left to do,
  // and a failure anywhere stops every process at the same check.
  std::vector<int> counts(static_cast<std::size_t>(processes));
  for (int round_first = 0; round_first < options.runs; round_first += processes * block) {
    const int round_runs = round_counts(options.runs, round_first, block, counts);
    const int own_first = round_first + group.rank() * block;
    const int own_runs = counts[static_cast<std::size_t>(group.rank())];
    group.run_together([&] {
      if (own_runs > 0) blocks->run_block(own_first, own_runs, tallies, measures);
    });
    group.gather_runs(tallies, blocks->tally_size(), counts);
    group.gather_runs(measures, blocks->measure_size(), counts);
    group.run_together([&] {
      if (!first) return;
      // The round's runs are consecutive, in rank order: added in run order, as in one process.
      summary->add({&blocks->layout(), dates, round_runs, tallies, measures});
      if (runs_done) runs_done(round_runs);
    });
  }

  StreamedSummary result;
  result.info = blocks->info();
  sum_totals(group, result.info);
  result.info.runs = options.runs;
  group.run_together([&] {
    if (!first) return;
    result.summary_bytes = summary->memory_bytes();
    result.rows = summary->finish();
  });
  return result;
}

}  // namespace carecast::parallel
