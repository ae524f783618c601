// The forecast distribution of each (metric, category, date) cell, built a block of runs at a
// time so that memory does not grow with the runs. Runs are folded in run order, so the result is
// the same for any number of threads and any block size, and equals summarise() on the same runs:
// bit for bit for counts, and for real measures up to kExactRealValues runs (beyond it, within
// kRealRelativeAccuracy; see tally/distributions.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "simulation/runner.hpp"
#include "tally/distributions.hpp"
#include "tally/summary.hpp"

namespace carecast {

// A block of consecutive runs' tallies and measures, laid out as RunResult's.
struct RunBlock {
  const TallyLayout* layout = nullptr;
  int dates = 0;
  int runs = 0;
  std::span<const std::int32_t> tallies;  // [run][date][cell]
  std::span<const double> measures;       // [run][date][measure]

  std::int32_t value(int run, int date, int cell) const {
    return tallies[(static_cast<std::size_t>(run) * dates + date) * layout->cell_count() + cell];
  }
  double measure(int run, int date, int measure_index) const {
    return measures[(static_cast<std::size_t>(run) * dates + date) * layout->measure_count() + measure_index];
  }
  double number(int run, int date, int cell) const {
    return cell < layout->cell_count() ? value(run, date, cell) : measure(run, date, cell - layout->cell_count());
  }
};
RunBlock whole_run_block(const RunResult& result);

// Whether real values are kept exactly for a run of `runs` runs (else they are sketched).
inline bool exact_reals(int runs) { return runs <= kExactRealValues; }

class SummaryAccumulator {
 public:
  // `runs`: how many runs will be added in all, which decides whether real measures are exact.
  // `threads`: how many threads fold a block's values into the distributions (each takes its
  // own cells, in run order, so the result does not depend on it).
  SummaryAccumulator(const TallyLayout& layout, int dates, int runs, int threads = 1);
  void add(const RunBlock& block);
  // One row per cell and date, in layout order then date order, as summarise(). Call once.
  std::vector<SummaryRow> finish();
  std::size_t memory_bytes() const;

 private:
  const TallyLayout& layout_;
  int dates_;
  std::vector<IntegerDistribution> counts_;  // [date][cell]
  std::vector<RealDistribution> reals_;      // [date][measure]
  int threads_ = 1;
  // Per thread: a chunk of a block, transposed.
  std::vector<std::vector<std::int32_t>> count_scratch_;
  std::vector<std::vector<double>> real_scratch_;
};

// Simulates the scenario a block of runs at a time and summarises it as it goes.
struct StreamedSummary {
  RunInfo info;
  std::vector<SummaryRow> rows;
  std::size_t summary_bytes = 0;  // memory the summaries held at the end, for run.json
};
// `runs_done`, if given, is called after each block with the number of runs it held (for progress).
StreamedSummary run_and_summarise(const Scenario& scenario, const RunOptions& options,
                                  const std::function<void(int runs)>& runs_done = {});

}  // namespace carecast
