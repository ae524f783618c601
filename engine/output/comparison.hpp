// Option against base, run by run. Replication i of every scenario draws from the same named
// streams (seed, i, child, process), so the difference of run i is the option's effect on the
// same children meeting the same chances: common random numbers.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "scenario/region.hpp"
#include "simulation/runner.hpp"
#include "tally/streaming_summary.hpp"

namespace carecast {

struct ComparisonRow {
  std::string option;
  std::string metric;
  std::string category;
  Date date;
  double mean = 0;
  double p05 = 0;
  double p50 = 0;
  double p95 = 0;
};

// For every metric, category and date both results have: the distribution over runs of
// (option - base). Then probability_cheaper (total cost to the horizon lower),
// probability_fewer_3plus_placements (fewer children reaching 3 placements in a collection year)
// and probability_fewer_unmet_preference (fewer children placed against preference), dated at the
// horizon, where both results have the metrics, with the distributions of the differences of the
// last two totals (children_reaching_3_placements_total, unmet_preference_total). Both results need the same runs and
// dates. Kept runs, in one block through ComparisonAccumulator.
std::vector<ComparisonRow> compare_runs(const RunResult& base, const RunResult& option, const std::string& option_name);

// The same, built a block of paired runs at a time (runs first..first+n of base and option), in
// run order, so memory does not grow with the runs and the rows do not depend on the blocks or
// threads: bit for bit as sorting every difference, for counts always and for real measures up to
// kExactRealValues runs.
class ComparisonAccumulator {
 public:
  ComparisonAccumulator(const TallyLayout& base, const TallyLayout& option, const ReportingCalendar& calendar,
                        std::string option_name, int runs);
  void add(const RunBlock& base, const RunBlock& option);
  std::vector<ComparisonRow> finish();  // call once

 private:
  struct CellPair {
    int base;
    int option;
    bool counts;  // both are tally cells: integer differences
    std::string metric;
    std::string category;
  };
  // Totals over the horizon of a tally flow, and whether the option's is lower, run by run.
  struct FlowTotal {
    std::string metric;
    int base;
    int option;
    IntegerDistribution differences;
    std::int64_t option_lower = 0;  // runs in which the option's total is lower
  };
  const ReportingCalendar& calendar_;
  std::string option_name_;
  std::vector<CellPair> pairs_;
  std::vector<IntegerDistribution> count_differences_;  // [pair][date] for count pairs
  std::vector<RealDistribution> real_differences_;      // [pair][date] for the others
  std::vector<std::size_t> slot_;                       // pair -> first [pair][date] slot in its table
  std::vector<FlowTotal> totals_;
  int base_cost_ = -1, option_cost_ = -1;  // cost_cumulative measures, when both have costs
  std::int64_t cheaper_ = 0, runs_ = 0;
};

// Simulates the base (first) and every option a block of runs at a time on the same seed and
// compares each option with the base as it goes; each scenario's own forecast is summarised too.
struct StreamedComparison {
  std::vector<RunInfo> infos;                      // per scenario
  std::vector<std::vector<SummaryRow>> summaries;  // per scenario
  std::vector<ComparisonRow> rows;                 // every option against the base, in order
};
// `runs_done`, if given, is called after each scenario's block with the number of runs it held.
StreamedComparison run_and_compare(const std::vector<Scenario>& scenarios, const RunOptions& options,
                                   const std::function<void(int runs)>& runs_done = {});

// The same for regions (simulation/region_replication.hpp), compared as wholes: every region's own
// tally (its councils' counts and money added up, its shared market) against the first region's,
// run by run. Replication i of every region draws each council's streams from (council seed, i), so
// councils in the same place in two regions meet the same chances. `infos` and `summaries` are the
// regions'.
StreamedComparison run_and_compare_regions(const std::vector<Region>& regions, const RunOptions& options,
                                           const std::function<void(int runs)>& runs_done = {});

// option,metric,category,date,mean,p05,p50,p95
void write_comparison_csv(std::ostream& out, const std::vector<ComparisonRow>& rows);

// A folder name from a scenario name: lower-case letters, digits and '_' only.
std::string folder_name(const std::string& scenario_name);

}  // namespace carecast
