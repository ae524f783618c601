#include "tally/region_summary.hpp"

#include <algorithm>

namespace carecast {

int region_block_runs(const RegionBlocks& blocks, const RunOptions& options, int threads) {
  const double bytes_per_run =
      static_cast<double>(blocks.councils()) * (static_cast<double>(blocks.council_tally_size()) * 4.0 +
                                                static_cast<double>(blocks.council_measure_size()) * 8.0) +
      static_cast<double>(blocks.region_tally_size()) * 4.0 + static_cast<double>(blocks.region_measure_size()) * 8.0;
  const int by_memory = static_cast<int>(kRegionBlockBytes / std::max(bytes_per_run, 1.0));
  return std::max(1, std::min(runs_per_block(options, threads), std::max(threads, by_memory)));
}

RegionBlockBuffers::RegionBlockBuffers(const RegionBlocks& blocks, int runs) {
  const auto councils = static_cast<std::size_t>(blocks.councils());
  const auto n = static_cast<std::size_t>(runs);
  tallies.resize(councils);
  measures.resize(councils);
  for (std::size_t c = 0; c < councils; ++c) {
    tallies[c].resize(blocks.council_tally_size() * n);
    measures[c].resize(blocks.council_measure_size() * n);
    tally_spans.emplace_back(tallies[c]);
    measure_spans.emplace_back(measures[c]);
  }
  region_tallies.resize(blocks.region_tally_size() * n);
  region_measures.resize(blocks.region_measure_size() * n);
}

RegionSummaries::RegionSummaries(const RegionBlocks& blocks, int runs, int threads)
    : region_(blocks.region_layout(), blocks.calendar().date_count(), runs, threads) {
  councils_.reserve(static_cast<std::size_t>(blocks.councils()));
  for (int c = 0; c < blocks.councils(); ++c) {
    councils_.emplace_back(blocks.council_layout(), blocks.calendar().date_count(), runs, threads);
  }
}

void RegionSummaries::add(const RegionBlocks& blocks, const RegionBlockBuffers& buffers, int count) {
  const int dates = blocks.calendar().date_count();
  for (std::size_t c = 0; c < councils_.size(); ++c) {
    councils_[c].add({&blocks.council_layout(), dates, count, buffers.tallies[c], buffers.measures[c]});
  }
  region_.add({&blocks.region_layout(), dates, count, buffers.region_tallies, buffers.region_measures});
}

RegionSummary RegionSummaries::finish(const RegionBlocks& blocks) {
  RegionSummary result;
  for (std::size_t c = 0; c < councils_.size(); ++c) {
    StreamedSummary& council = result.councils.emplace_back();
    council.info = blocks.council_info(static_cast<int>(c));
    council.summary_bytes = councils_[c].memory_bytes();
    council.rows = councils_[c].finish();
  }
  result.region.info = blocks.region_info();
  result.region.summary_bytes = region_.memory_bytes();
  result.region.rows = region_.finish();
  result.shared_capacity_exceeded = blocks.shared_capacity_exceeded();
  return result;
}

RegionSummary run_and_summarise_region(const Region& region, const RunOptions& options,
                                       const std::function<void(int runs)>& runs_done) {
  RegionBlocks blocks(region, options);
  const int threads = blocks.region_info().threads;
  const int block_size = region_block_runs(blocks, options, threads);
  RegionBlockBuffers buffers(blocks, block_size);
  RegionSummaries summaries(blocks, options.runs, threads);
  for (int first = 0; first < options.runs; first += block_size) {
    const int count = std::min(block_size, options.runs - first);
    buffers.run(blocks, first, count);
    summaries.add(blocks, buffers, count);
    if (runs_done) runs_done(count);
  }
  return summaries.finish(blocks);
}

}  // namespace carecast
