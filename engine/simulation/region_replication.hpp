// Replications of a region (scenario/region.hpp): every council's children and carers, in one
// event queue per replication, competing for one shared market (shared_market.hpp).
//
// Each council is simulated by its own ReplicationRunner, whose events go into the region's queue
// stamped with the council; the region hands each event back to its council in time order, and
// every reporting date to every council once the events before it are done. Council c draws from
// the streams a council alone draws from, under the council's own seed (council_seed): council 0's
// is the run's seed itself, so a region of one council with nothing shared is that council's run.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/random_streams.hpp"
#include "scenario/region.hpp"
#include "simulation/runner.hpp"

namespace carecast {

// The seed council c's streams are derived from: the run's seed for the first council, an unrelated
// one for each other.
constexpr std::uint64_t council_seed(std::uint64_t seed, std::size_t council) {
  if (council == 0) return seed;
  return splitmix64_mix(splitmix64_mix(seed ^ 0x5ca1ab1e0ddba11ULL) + council * kGoldenGamma);
}

// Metrics of the region as a whole, after the councils' own cells (which the region's tally sums):
// the shared market's places and children, and each council's children placed in another council's
// area and other councils' children placed in its area.
struct RegionCells {
  std::vector<int> shared_available;  // by market part
  std::vector<int> shared_occupied;
  int joint_home_occupied = -1;
  int exported_by_council = -1;  // + council
  int imported_by_council = -1;  // + council
};

class RegionBlocks {
 public:
  // Every council must have the same tally layout (the same sections), so the region's tally adds up.
  RegionBlocks(const Region& region, const RunOptions& options);
  ~RegionBlocks();
  RegionBlocks(const RegionBlocks&) = delete;
  RegionBlocks& operator=(const RegionBlocks&) = delete;

  int councils() const { return static_cast<int>(region_.councils.size()); }
  const ReportingCalendar& calendar() const { return calendar_; }
  const TallyLayout& council_layout() const { return council_layout_; }
  // The region's: the councils' cells summed, then RegionCells'.
  const TallyLayout& region_layout() const { return region_layout_; }
  std::size_t council_tally_size() const;
  std::size_t council_measure_size() const;
  std::size_t region_tally_size() const;
  std::size_t region_measure_size() const;

  // Runs [first, first + count). Run first + i writes council c's tally at
  // council_tallies[c][i * council_tally_size()] (and measures likewise), and the region's at
  // region_tallies[i * region_tally_size()].
  void run_block(int first, int count, std::span<const std::span<std::int32_t>> council_tallies,
                 std::span<const std::span<double>> council_measures, std::span<std::int32_t> region_tallies,
                 std::span<double> region_measures);
  // Totals of every council (as RunInfo) and of the region.
  RunInfo council_info(int council) const;
  RunInfo region_info() const;
  std::int64_t shared_capacity_exceeded() const;

 private:
  struct Worker;
  struct Council;
  const Region& region_;
  RunOptions options_;
  ReportingCalendar calendar_;
  TallyLayout council_layout_;
  TallyLayout region_layout_;
  RegionCells region_cells_;
  std::vector<bool> additive_measure_;  // measures that add up over councils (costs, entries)
  std::vector<std::unique_ptr<Council>> councils_;
  std::vector<std::unique_ptr<Worker>> workers_;
  int runs_done_ = 0;
  int threads_ = 1;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace carecast
