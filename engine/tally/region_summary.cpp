#include "tally/region_summary.hpp"

#include <algorithm>
#include <optional>
#include <span>

#include "simulation/region_replication.hpp"

namespace carecast {

RegionSummary run_and_summarise_region(const Region& region, const RunOptions& options,
                                       const std::function<void(int runs)>& runs_done) {
  RegionBlocks blocks(region, options);
  const int dates = blocks.calendar().date_count();
  const int threads = blocks.region_info().threads;
  const auto councils = static_cast<std::size_t>(blocks.councils());
  // A block holds every council's runs: as many runs as keep its buffers near kRegionBlockBytes,
  // but at least one a thread.
  const double bytes_per_run =
      static_cast<double>(councils) * (static_cast<double>(blocks.council_tally_size()) * 4.0 +
                                       static_cast<double>(blocks.council_measure_size()) * 8.0) +
      static_cast<double>(blocks.region_tally_size()) * 4.0 + static_cast<double>(blocks.region_measure_size()) * 8.0;
  const int by_memory = static_cast<int>(kRegionBlockBytes / std::max(bytes_per_run, 1.0));
  const int block_size = std::max(1, std::min(runs_per_block(options, threads), std::max(threads, by_memory)));

  std::vector<std::vector<std::int32_t>> tallies(councils);
  std::vector<std::vector<double>> measures(councils);
  std::vector<std::span<std::int32_t>> tally_spans;
  std::vector<std::span<double>> measure_spans;
  std::vector<SummaryAccumulator> summaries;
  summaries.reserve(councils);
  for (std::size_t c = 0; c < councils; ++c) {
    tallies[c].resize(blocks.council_tally_size() * static_cast<std::size_t>(block_size));
    measures[c].resize(blocks.council_measure_size() * static_cast<std::size_t>(block_size));
    tally_spans.emplace_back(tallies[c]);
    measure_spans.emplace_back(measures[c]);
    summaries.emplace_back(blocks.council_layout(), dates, options.runs, threads);
  }
  std::vector<std::int32_t> region_tallies(blocks.region_tally_size() * static_cast<std::size_t>(block_size));
  std::vector<double> region_measures(blocks.region_measure_size() * static_cast<std::size_t>(block_size));
  SummaryAccumulator region_summary(blocks.region_layout(), dates, options.runs, threads);

  for (int first = 0; first < options.runs; first += block_size) {
    const int count = std::min(block_size, options.runs - first);
    blocks.run_block(first, count, tally_spans, measure_spans, region_tallies, region_measures);
    for (std::size_t c = 0; c < councils; ++c) {
      summaries[c].add({&blocks.council_layout(), dates, count, tallies[c], measures[c]});
    }
    region_summary.add({&blocks.region_layout(), dates, count, region_tallies, region_measures});
    if (runs_done) runs_done(count);
  }

  RegionSummary result;
  for (std::size_t c = 0; c < councils; ++c) {
    StreamedSummary& council = result.councils.emplace_back();
    council.info = blocks.council_info(static_cast<int>(c));
    council.summary_bytes = summaries[c].memory_bytes();
    council.rows = summaries[c].finish();
  }
  result.region.info = blocks.region_info();
  result.region.summary_bytes = region_summary.memory_bytes();
  result.region.rows = region_summary.finish();
  result.shared_capacity_exceeded = blocks.shared_capacity_exceeded();
  return result;
}

}  // namespace carecast
