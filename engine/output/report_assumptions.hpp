// The scenario's assumptions in plain English, for the report's assumptions table and the
// workbook's Assumptions sheet: where the forecast starts, who is in care then, who comes into
// care, how placements end, and what the intervals do and do not include.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "output/report_inputs.hpp"
#include "output/report_labels.hpp"
#include "scenario/scenario.hpp"

namespace carecast::report {

// A cell as shown (text) and, where it is a plain number, that number for the workbook.
struct Cell {
  std::string text;
  std::optional<double> number;
  Unit unit = Unit::count;  // the number's, for its format in the workbook
};

struct AssumptionTable {
  std::string title;
  std::string note;  // a sentence under the title: what the table is and where it comes from
  std::vector<std::string> header;
  std::vector<std::vector<Cell>> rows;
};

struct AssumptionContext {
  const Scenario& scenario;
  const RunInfo& run;
  const Labels& labels;
  std::string scenario_file;  // the file the scenario was read from
  bool scenario_changed = false;  // its content differs from the run's (hash in run.json)
  bool publish = false;           // apply disclosure control to recorded counts
};

std::vector<AssumptionTable> describe_assumptions(const AssumptionContext& context);

// What the intervals include, from run.json, in plain words: "chance events, uncertainty in the
// rates (...) and year-to-year variation".
std::string uncertainty_sources_text(const RunInfo& run);
// How the rates' uncertainty came in (or that it did not), one or two sentences.
std::string rate_uncertainty_text(const RunInfo& run);

}  // namespace carecast::report
