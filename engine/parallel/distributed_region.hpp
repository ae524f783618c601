// `carecast run REGION` spread over the processes of an mpirun job, as distributed_run.hpp does
// for one council: each process simulates its share of the replications of the whole region (every
// council, one queue per replication), and the first process folds every council's and the region's
// tallies into the summaries in run order. Output is byte for byte the same for any number of
// processes and threads.
#pragma once

#include <functional>

#include "parallel/process_group.hpp"
#include "tally/region_summary.hpp"

namespace carecast::parallel {

// Collective over `group`. The first process gets the summaries and the totals of every process; the
// others their own totals and no rows. Alone, the same as run_and_summarise_region. A failure on any
// process throws on every process.
RegionSummary run_and_summarise_region_together(ProcessGroup& group, const Region& region, RunOptions options,
                                                const std::function<void(int runs)>& runs_done = {});

}  // namespace carecast::parallel
