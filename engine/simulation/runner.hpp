// Runs many replications of a scenario in parallel. Replication i always draws from streams
// derived from (seed, i), and its tally goes to slot i, so results are identical whatever the
// number of threads.
#pragma once

#include <cstdint>
#include <vector>

#include "scenario/scenario.hpp"
#include "tally/tally_layout.hpp"

namespace carecast {

struct RunOptions {
  int runs = 1000;
  std::uint64_t seed = 1;
  int threads = 0;  // 0 = every core
  // For a scenario with evidence (a calibrated one): draw each replication's rates from their
  // posterior. Off, or for a scenario without evidence, every replication uses the point rates.
  bool parameter_uncertainty = true;
};

struct RunResult {
  TallyLayout layout;
  ReportingCalendar calendar;
  int runs = 0;
  int threads = 0;
  // Tallies of every replication: [run][date][cell], flattened.
  std::vector<std::int32_t> tallies;
  // Measures of every replication (costs, stability): [run][date][measure], NaN where undefined.
  std::vector<double> measures;
  std::uint64_t child_events = 0;
  std::int64_t children_simulated = 0;
  std::int64_t children_in_care_aged_18_or_over = 0;
  std::int64_t capacity_exceeded = 0;  // reporting dates with more children than places: must be 0
  double wall_seconds = 0;
  bool parameters_drawn = false;  // whether replications drew their rates from a posterior

  std::int32_t value(int run, int date, int cell) const {
    return tallies[(static_cast<std::size_t>(run) * calendar.date_count() + date) * layout.cell_count() + cell];
  }
  double measure(int run, int date, int measure_index) const {
    return measures[(static_cast<std::size_t>(run) * calendar.date_count() + date) * layout.measure_count() +
                    measure_index];
  }
  // A tally cell or (index >= layout.cell_count()) a measure, as a number.
  double number(int run, int date, int cell) const {
    return cell < layout.cell_count() ? value(run, date, cell) : measure(run, date, cell - layout.cell_count());
  }
  double events_per_second() const { return wall_seconds > 0 ? static_cast<double>(child_events) / wall_seconds : 0; }
};

int resolve_thread_count(int requested);
RunResult run_replications(const Scenario& scenario, const RunOptions& options);

}  // namespace carecast
