// forecast.xlsx for finance and performance teams: one sheet per family of measures (children
// looked after, entries and exits, moves and stability, carers and places, cost), the option
// comparison and recorded figures where the folder has them, and the assumptions. Numbers are
// stored as numbers (a suppressed count as the text "c"), dates as dates; each sheet has a frozen
// header row, a filter and readable column widths. Percentages and probabilities are stored as
// fractions (0.14, not 14) with a % format, so formulas on them work; money has a £ format. A
// probability over runs (the chance of overspending a budget) is one number, in the mean column
// only. A financial year the forecast covers in part is marked so: "2029-30 (11 months)". A
// Finance sheet has one row per financial year and cost line, with the budget beside the total.
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
  Date origin;  // the forecast start, for marking part financial years
  std::vector<double> budgets;  // the scenario's, by financial year from the forecast start's
};

// Throws std::runtime_error if libxlsxwriter cannot write the file.
void write_workbook(const std::filesystem::path& file, const WorkbookContent& content);

}  // namespace carecast::report
