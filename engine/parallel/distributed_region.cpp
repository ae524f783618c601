#include "parallel/distributed_region.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "parallel/distributed_run.hpp"

namespace carecast::parallel {

RegionSummary run_and_summarise_region_together(ProcessGroup& group, const Region& region, RunOptions options,
                                                const std::function<void(int runs)>& runs_done) {
  if (group.size() == 1) return run_and_summarise_region(region, options, runs_done);
  if (options.threads == 0) options.threads = group.cores_per_process();
  const int processes = group.size();
  const bool first = group.is_first();

  std::optional<RegionBlocks> blocks;
  std::optional<RegionBlockBuffers> buffers;
  std::optional<RegionSummaries> summaries;
  int block = 0;
  group.run_together([&] {
    blocks.emplace(region, options);
    const int threads = blocks->region_info().threads;
    // As for one council (runs_per_process_block), and no larger than the region's memory allows.
    block = std::min(runs_per_process_block(options, threads, processes), region_block_runs(*blocks, options, threads));
    buffers.emplace(*blocks, first ? processes * block : block);
    if (first) summaries.emplace(*blocks, options.runs, threads);
  });

  std::vector<int> counts(static_cast<std::size_t>(processes));
  for (int round_first = 0; round_first < options.runs; round_first += processes * block) {
    const int round_runs = round_counts(options.runs, round_first, block, counts);
    const int own_runs = counts[static_cast<std::size_t>(group.rank())];
    group.run_together([&] {
      if (own_runs > 0) buffers->run(*blocks, round_first + group.rank() * block, own_runs);
    });
    for (int c = 0; c < blocks->councils(); ++c) {
      group.gather_runs(buffers->tallies[static_cast<std::size_t>(c)], blocks->council_tally_size(), counts);
      group.gather_runs(buffers->measures[static_cast<std::size_t>(c)], blocks->council_measure_size(), counts);
    }
    group.gather_runs(buffers->region_tallies, blocks->region_tally_size(), counts);
    group.gather_runs(buffers->region_measures, blocks->region_measure_size(), counts);
    group.run_together([&] {
      if (!first) return;
      // The round's runs are consecutive, in rank order: added in run order, as in one process.
      summaries->add(*blocks, *buffers, round_runs);
      if (runs_done) runs_done(round_runs);
    });
  }

  RegionSummary result;
  group.run_together([&] {
    if (first) result = summaries->finish(*blocks);
  });
  if (!first) {
    for (int c = 0; c < blocks->councils(); ++c) result.councils.push_back({blocks->council_info(c), {}, 0});
    result.region.info = blocks->region_info();
    result.shared_capacity_exceeded = blocks->shared_capacity_exceeded();
  }
  for (StreamedSummary& council : result.councils) {
    sum_totals(group, council.info);
    council.info.runs = options.runs;
  }
  sum_totals(group, result.region.info);
  result.region.info.runs = options.runs;
  std::array<std::int64_t, 1> exceeded{result.shared_capacity_exceeded};
  group.sum(exceeded);
  result.shared_capacity_exceeded = exceeded[0];
  return result;
}

}  // namespace carecast::parallel
