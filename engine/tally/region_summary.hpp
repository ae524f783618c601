// A region's forecast distributions (simulation/region_replication.hpp): each council's, and the
// region's, built a block of runs at a time in run order, as run_and_summarise does for a council
// alone, so they are the same for any number of threads and any block size.
#pragma once

#include <functional>
#include <vector>

#include "scenario/region.hpp"
#include "tally/streaming_summary.hpp"

namespace carecast {

struct RegionSummary {
  std::vector<StreamedSummary> councils;  // in the region's council order
  StreamedSummary region;
  std::int64_t shared_capacity_exceeded = 0;  // dates at which a shared part held more than its places: must be 0
};

// Bytes of one block's buffers are kept near this, whatever the number of councils.
inline constexpr double kRegionBlockBytes = 256.0 * 1024 * 1024;

RegionSummary run_and_summarise_region(const Region& region, const RunOptions& options,
                                       const std::function<void(int runs)>& runs_done = {});

}  // namespace carecast
