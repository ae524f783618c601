#include "tally/streaming_summary.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

namespace carecast {

RunBlock whole_run_block(const RunResult& result) {
  return {&result.layout, result.calendar.date_count(), result.runs, result.tallies, result.measures};
}

SummaryAccumulator::SummaryAccumulator(const TallyLayout& layout, int dates, int runs, int threads)
    : layout_(layout), dates_(dates), threads_(std::max(threads, 1)) {
  count_scratch_.resize(static_cast<std::size_t>(threads_));
  real_scratch_.resize(static_cast<std::size_t>(threads_));
  counts_.resize(static_cast<std::size_t>(dates) * layout.cell_count());
  reals_.reserve(static_cast<std::size_t>(dates) * layout.measure_count());
  for (int d = 0; d < dates; ++d) {
    for (int m = 0; m < layout.measure_count(); ++m) {
      // A probability is summarised by its mean alone: no need to keep its 0/1 values.
      const bool probability = layout.cell(layout.cell_count() + m).probability;
      reals_.emplace_back(exact_reals(runs) && !probability);
    }
  }
}

namespace {

// Feeds each slot's values of a block ([run][slot] in `block`) to its distribution, in run order.
// Slots are taken a chunk at a time and the chunk is transposed into `scratch` ([slot][run]) by
// reading each run's part of the chunk in order: every distribution then takes its block of values
// from consecutive memory while it is in cache. (Reading a slot straight down the block strides a
// whole run of tally per value, a cache and TLB miss each; touching every distribution once per
// run keeps none of them in cache.)
constexpr std::size_t kChunk = 256;

// Folds slots [begin, end) (begin a multiple of kChunk).
template <typename Value, typename Distribution, typename Add>
void fold_block(const Value* block, int runs, std::vector<Distribution>& distributions, std::size_t begin,
                std::size_t end, std::vector<Value>& scratch, Add add) {
  const std::size_t slots = distributions.size();
  scratch.resize(kChunk * static_cast<std::size_t>(runs));
  for (std::size_t first = begin; first < end; first += kChunk) {
    const std::size_t n = std::min({kChunk, slots - first, end - first});
    for (int run = 0; run < runs; ++run) {
      const Value* row = block + static_cast<std::size_t>(run) * slots + first;
      for (std::size_t j = 0; j < n; ++j) scratch[j * runs + run] = row[j];
    }
    for (std::size_t j = 0; j < n; ++j) {
      Distribution& distribution = distributions[first + j];
      const Value* values = scratch.data() + j * runs;
      for (int run = 0; run < runs; ++run) add(distribution, values[run]);
    }
  }
}

}  // namespace

void SummaryAccumulator::add(const RunBlock& block) {
  // Thread t folds the t-th share of the cells and of the measures: whole chunks, so that no two
  // threads write one distribution.
  auto share = [&](std::size_t slots, int t) {
    const std::size_t chunks = (slots + kChunk - 1) / kChunk;
    const auto threads = static_cast<std::size_t>(threads_);
    const auto part = [&](std::size_t i) { return std::min(slots, chunks * i / threads * kChunk); };
    return std::pair{part(static_cast<std::size_t>(t)), part(static_cast<std::size_t>(t) + 1)};
  };
  auto work = [&](int t) {
    const auto [count_begin, count_end] = share(counts_.size(), t);
    fold_block(block.tallies.data(), block.runs, counts_, count_begin, count_end,
               count_scratch_[static_cast<std::size_t>(t)],
               [](IntegerDistribution& d, std::int32_t value) { d.add(value); });
    const auto [real_begin, real_end] = share(reals_.size(), t);
    fold_block(block.measures.data(), block.runs, reals_, real_begin, real_end,
               real_scratch_[static_cast<std::size_t>(t)], [](RealDistribution& d, double value) {
                 // Measures are defined only at some dates (NaN elsewhere) and, for a ratio, only in
                 // the runs where its denominator is not 0: the summary is over the runs that define it.
                 if (!std::isnan(value)) d.add(value);
               });
  };
  std::vector<std::jthread> helpers;
  for (int t = 1; t < threads_; ++t) helpers.emplace_back(work, t);
  work(0);
}

std::vector<SummaryRow> SummaryAccumulator::finish() {
  std::vector<SummaryRow> rows;
  const int cells = layout_.cell_count();
  const int total = cells + layout_.measure_count();
  for (int cell = 0; cell < total; ++cell) {
    const MetricCell& metric = layout_.cell(cell);
    const bool flow = metric.kind == MetricKind::flow;
    for (int date = flow ? 1 : 0; date < dates_; ++date) {
      SummaryRow row;
      row.cell = cell;
      row.date = date;
      double squares = 0;
      std::int64_t count = 0;
      if (cell < cells) {
        const IntegerDistribution& values = counts_[static_cast<std::size_t>(date) * cells + cell];
        count = values.count();
        if (count == 0) continue;
        row.mean = values.mean();
        squares = values.squared_deviations();
        for (int p = 0; p < kPercentileCount; ++p) {
          row.percentile[p] = metric.probability ? row.mean : values.quantile(kPercentiles[p]);
        }
      } else {
        RealDistribution& values =
            reals_[static_cast<std::size_t>(date) * layout_.measure_count() + (cell - cells)];
        count = values.count();
        if (count == 0) continue;
        values.finish();
        row.mean = values.mean();
        squares = values.squared_deviations();
        for (int p = 0; p < kPercentileCount; ++p) {
          row.percentile[p] = metric.probability ? row.mean : values.quantile(kPercentiles[p]);
        }
      }
      const auto n = static_cast<double>(count);
      row.standard_error = count > 1 ? std::sqrt(squares / (n - 1) / n) : 0.0;
      rows.push_back(row);
    }
  }
  return rows;
}

std::size_t SummaryAccumulator::memory_bytes() const {
  std::size_t bytes = counts_.capacity() * sizeof(IntegerDistribution) + reals_.capacity() * sizeof(RealDistribution);
  for (const auto& d : counts_) bytes += d.memory_bytes();
  for (const auto& d : reals_) bytes += d.memory_bytes();
  return bytes;
}

StreamedSummary run_and_summarise(const Scenario& scenario, const RunOptions& options,
                                  const std::function<void(int runs)>& runs_done) {
  ReplicationBlocks blocks(scenario, options);
  const int dates = blocks.calendar().date_count();
  SummaryAccumulator summary(blocks.layout(), dates, options.runs, blocks.info().threads);
  const int block_size = runs_per_block(options, blocks.info().threads);
  std::vector<std::int32_t> tallies(blocks.tally_size() * static_cast<std::size_t>(block_size));
  std::vector<double> measures(blocks.measure_size() * static_cast<std::size_t>(block_size));
  for (int first = 0; first < options.runs; first += block_size) {
    const int count = std::min(block_size, options.runs - first);
    blocks.run_block(first, count, tallies, measures);
    summary.add({&blocks.layout(), dates, count, tallies, measures});
    if (runs_done) runs_done(count);
  }
  StreamedSummary result;
  result.info = blocks.info();
  result.summary_bytes = summary.memory_bytes();
  result.rows = summary.finish();
  return result;
}

}  // namespace carecast
