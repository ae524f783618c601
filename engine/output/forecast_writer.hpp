// forecast.csv, run.json and the plain-English summary of a run.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"
#include "simulation/runner.hpp"
#include "tally/summary.hpp"

namespace carecast {

// Tidy CSV: metric,category,date,mean,p05,p25,p50,p75,p95, one row per metric x category x date.
// Refuses (std::runtime_error naming the metric, category and date) a value that is not finite:
// inf or nan in a forecast means a scenario value too large for the arithmetic, never a forecast.
void write_forecast_csv(std::ostream& out, const RunInfo& result, const std::vector<SummaryRow>& rows);

struct RunDescription {
  std::string scenario_path;
  std::string scenario_hash;
  std::uint64_t seed = 0;
  // A compare folder's run.json describes its base and lists every scenario compared, base
  // first, with the folder holding its forecast, so that `report` can find them.
  struct ComparedScenario {
    std::string name;
    std::string folder;
    std::string scenario_path;
  };
  std::vector<ComparedScenario> compared;
};
// Also says how the percentiles were computed: exactly, or (real measures beyond kExactRealValues
// runs) within a relative kRealRelativeAccuracy.
void write_run_json(std::ostream& out, const Scenario& scenario, const RunInfo& result,
                    const RunDescription& description);

// The sources of uncertainty a run's intervals include, as run.json lists them: "events" always,
// then "parameters" when each run drew its rates, and "year_to_year_variation" when each run drew
// yearly multipliers.
std::vector<std::string> uncertainty_sources(const RunInfo& result);
// The same in one line of plain words, for the printed summary.
std::string describe_uncertainty_sources(const RunInfo& result);

// "Children looked after at 31 March 2028: median 452 (90% interval 431-476)" and a few more lines.
void write_plain_summary(std::ostream& out, const Scenario& scenario, const RunInfo& result,
                         const std::vector<SummaryRow>& rows);

// A number as the shortest text that reads back to the same double (std::to_chars), so output is
// exact and identical on every run.
std::string format_number(double value);
// Throws std::runtime_error unless `value` is finite: "<file>: <what> is not a finite number".
void require_finite(double value, const std::string& file, const std::string& what);
// "31 March 2028"
std::string format_long_date(Date date);

}  // namespace carecast
