// The key figures of a forecast in words, each with its interval ("Children looked after at 31
// March 2028: median 452 (90% interval 431-476)"), and a table of them at each 31 March, the date
// councils and DfE report on.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "output/report_inputs.hpp"
#include "output/report_labels.hpp"

namespace carecast::report {

// One measure at one date: the median and, below it, the 90% interval ("431-476"); the interval
// is empty where every run agrees, and both are empty where the measure has no value.
struct KeyFigureCell {
  std::string median;
  std::string interval;
};

struct KeyFigureRow {
  std::string measure;
  bool indented = false;              // a category under the measure above it
  std::vector<KeyFigureCell> cells;   // one per KeyFigures::columns
};

struct KeyFigures {
  std::vector<std::string> sentences;   // forecast measures, in words
  std::vector<std::string> columns;     // "Start, 28 Feb 2025", "31 Mar 2026", ...
  std::vector<KeyFigureRow> rows;
};

// From the (possibly published) tables. The measures marked as key figures in
// plots/metric_labels.csv are reported for the whole population (category "all"), or for each
// category where a measure has no total. A total over a financial year that began before the
// forecast start is left out, as part of it was never simulated.
// (Options against a base are described by appraise_options, report_options.hpp.)
KeyFigures key_figures(const std::optional<Table>& forecast, Date origin, const Labels& labels);

}  // namespace carecast::report
