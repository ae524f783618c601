// forecast.xlsx for finance and performance teams: one sheet per family of measures (children
// looked after, entries and exits, moves and stability, carers and places, cost), the option
// comparison and recorded figures where the folder has them, and the assumptions. Numbers are
// stored as numbers (a suppressed count as the text "c"), dates as dates; each sheet has a frozen
// header row, a filter and readable column widths.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "output/report_assumptions.hpp"
#include "output/report_inputs.hpp"
#include "output/report_labels.hpp"

namespace carecast::report {

struct WorkbookContent {
  const std::optional<Table>& forecast;
  const std::optional<Table>& comparison;
  const std::optional<Table>& history;
  const std::vector<AssumptionTable>& assumptions;
  const Labels& labels;
  std::string title;
  std::vector<std::pair<std::string, std::string>> about;  // the About sheet: what, and its value
};

// Throws std::runtime_error if libxlsxwriter cannot write the file.
void write_workbook(const std::filesystem::path& file, const WorkbookContent& content);

}  // namespace carecast::report
