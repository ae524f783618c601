// Disclosure control for a board pack meant for publication (`carecast report --publish`), so
// that no child can be recognised from a small number:
// - in a table built from recorded data (history.csv, the starting position, the scenario's
//   starting population), counts of 1 to 4 are suppressed and shown as "c"; where that leaves one
//   count of a group (one measure, date and option) suppressed, the next smallest non-zero count is
//   suppressed too, so that no suppressed count can be worked out from the total;
// - forecast counts are rounded to the nearest 5.
// Percentages, rates and money are not counts of children and are published as they are.
#pragma once

#include <optional>
#include <vector>

#include "output/report_inputs.hpp"
#include "output/report_labels.hpp"

namespace carecast::report {

// The rule above in words, for the report and the workbook.
extern const char* const kDisclosureRule;

// Half away from zero, so that a difference of -2.5 rounds as +2.5 does.
double round_to_nearest_5(double value);

// Suppresses (returns nullopt for) counts above 0 and below 5 in a group of recorded counts, and
// the smallest remaining non-zero count when exactly one would otherwise be suppressed.
std::vector<std::optional<double>> suppress_small_counts(const std::vector<double>& counts);

// forecast.csv: rows at the origin that are the same in every run are the recorded starting
// position and are suppressed as recorded counts; every other count is rounded.
Table publish_forecast(Table table, Date origin, const Labels& labels);
// comparison.csv: differences in forecast counts, rounded.
Table publish_comparison(Table table, const Labels& labels);
// history.csv: recorded counts, suppressed.
Table publish_history(Table table, const Labels& labels);

}  // namespace carecast::report
