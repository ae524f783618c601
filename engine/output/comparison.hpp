// Option against base, run by run. Replication i of every scenario draws from the same named
// streams (seed, i, child, process), so the difference of run i is the option's effect on the
// same children meeting the same chances: common random numbers.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "simulation/runner.hpp"

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
// last two totals (children_reaching_3_placements_total, unmet_preference_total). Both results need the same runs and dates.
std::vector<ComparisonRow> compare_runs(const RunResult& base, const RunResult& option, const std::string& option_name);

// option,metric,category,date,mean,p05,p50,p95
void write_comparison_csv(std::ostream& out, const std::vector<ComparisonRow>& rows);

// A folder name from a scenario name: lower-case letters, digits and '_' only.
std::string folder_name(const std::string& scenario_name);

}  // namespace carecast
