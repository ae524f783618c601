// A region's forecast distributions (simulation/region_replication.hpp): each council's, and the
// region's, built a block of runs at a time in run order, as run_and_summarise does for a council
// alone, so they are the same for any number of threads, processes and block sizes.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "scenario/region.hpp"
#include "simulation/region_replication.hpp"
#include "tally/streaming_summary.hpp"

namespace carecast {

struct RegionSummary {
  std::vector<StreamedSummary> councils;  // in the region's council order
  StreamedSummary region;
  std::int64_t shared_capacity_exceeded = 0;  // dates at which a shared part held more than its places: must be 0
};

// Runs in a block: as many as keep its buffers near kRegionBlockBytes, at most runs_per_block's
// and at least one a thread.
int region_block_runs(const RegionBlocks& blocks, const RunOptions& options, int threads);

// Every council's and the region's tallies and measures for `runs` runs, with the spans run_block takes.
struct RegionBlockBuffers {
  RegionBlockBuffers(const RegionBlocks& blocks, int runs);
  std::vector<std::vector<std::int32_t>> tallies;
  std::vector<std::vector<double>> measures;
  std::vector<std::int32_t> region_tallies;
  std::vector<double> region_measures;
  std::vector<std::span<std::int32_t>> tally_spans;
  std::vector<std::span<double>> measure_spans;
  void run(RegionBlocks& blocks, int first, int count) {
    blocks.run_block(first, count, tally_spans, measure_spans, region_tallies, region_measures);
  }
};

// The summaries of every council and of the region, fed a block of consecutive runs at a time.
class RegionSummaries {
 public:
  RegionSummaries(const RegionBlocks& blocks, int runs, int threads);
  void add(const RegionBlocks& blocks, const RegionBlockBuffers& buffers, int count);
  // Call once, after the last block.
  RegionSummary finish(const RegionBlocks& blocks);

 private:
  std::vector<SummaryAccumulator> councils_;
  SummaryAccumulator region_;
};

RegionSummary run_and_summarise_region(const Region& region, const RunOptions& options,
                                       const std::function<void(int runs)>& runs_done = {});

}  // namespace carecast
