// What `carecast report` reads from a run or compare folder: forecast.csv and/or comparison.csv,
// the optional history.csv of recorded figures, and run.json. Each is checked as it is read; a
// missing or malformed file is an InputError naming the file, line and column, so a report is
// never built from half an input.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/errors.hpp"

namespace carecast::report {

// One row of a table. A value is absent when disclosure control has suppressed it; as read from a
// folder every value is present.
struct TableRow {
  std::string option;  // comparison.csv only
  std::string metric;
  std::string category;
  Date date;
  std::vector<std::optional<double>> values;  // one per Table::statistics
};

struct Table {
  std::string file_name;  // "forecast.csv", as written back
  bool has_option = false;
  std::vector<std::string> statistics;  // the value columns: "mean", "p05", ... or "value"
  std::vector<TableRow> rows;

  // Index of a statistic column; throws std::logic_error if the table has none of that name.
  std::size_t statistic(const std::string& name) const;
};

// The run.json fields a report uses.
struct RunInfo {
  std::string version;
  std::string scenario_name;
  std::string scenario_path;  // as given to `carecast run`
  std::string scenario_hash;  // FNV-1a of the scenario's files when the run was made
  Date origin;
  int horizon_years = 0;
  std::uint64_t seed = 0;
  int runs = 0;
  bool parameter_uncertainty = false;
  // What the intervals include (run.json "uncertainty_sources"): "events", "parameters",
  // "year_to_year_variation". A run.json from before the field existed gives events, and
  // parameters when parameter_uncertainty was on.
  std::vector<std::string> uncertainty_sources;
  // Where drawn rates came from: "calibrated", "stated" or "none"; "" for a run.json from before.
  std::string parameter_evidence;
  bool year_to_year_variation = false;
  // A compare folder's scenarios, base first ("compared_scenarios"); empty for a run folder.
  struct ComparedScenario {
    std::string name;
    std::string folder;  // under the compare folder
  };
  std::vector<ComparedScenario> compared;
};

struct ReportInputs {
  std::filesystem::path folder;
  std::filesystem::path run_json;
  RunInfo run;
  std::optional<Table> forecast;    // a run folder, or a compare folder's base
  std::optional<Table> comparison;  // a compare folder
  std::optional<Table> history;     // recorded figures, where the folder carries them
};

// Reads a run or compare folder. Throws InputError if the folder does not exist, holds neither
// forecast.csv nor comparison.csv, lacks run.json, or any file is malformed.
ReportInputs read_report_inputs(const std::filesystem::path& folder);

// A forecast.csv on its own (a region's region/forecast.csv, which has no run.json beside it).
Table read_forecast_table(const std::filesystem::path& file);

// A table as CSV, in the layout it was read in; a suppressed value is written as "c".
void write_table_csv(std::ostream& out, const Table& table);

inline constexpr const char* kSuppressedText = "c";

}  // namespace carecast::report
