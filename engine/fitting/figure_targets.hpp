// Where in a replication's tally each published figure can be read: a stock's cells at its date, a
// flow's cells summed over the months of its period, a stability measure at its 31 March. A figure
// the simulation cannot produce is kept with the reason, so the fit's report can list it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "history/published_figures.hpp"
#include "tally/tally_layout.hpp"

namespace carecast {

// 31 March: the end of a collection year, the only day the simulation measures stability.
bool is_collection_year_end(Date date);

struct FigureTarget {
  std::size_t figure = 0;   // index into PublishedFigures::figures
  bool simulated = false;   // whether the tally holds it
  std::string reason;       // why not, when it does not
  bool measure = false;     // a stability measure (measures table), else tally cells
  std::vector<int> columns; // tally cells summed, or the one measure
  int first_date = 0;       // reporting dates read: one for a stock or measure, a flow's months
  int last_date = 0;
};

// The target of every figure, in file order, for a run reporting on `calendar`.
std::vector<FigureTarget> target_figures(const PublishedFigures& figures, const TallyLayout& layout,
                                         const ReportingCalendar& calendar);

// A simulated figure from one replication's tally ([date][cell]) and measures ([date][measure]):
// NaN for a measure not defined in that replication (no child under 16 in care 2.5 years).
double simulated_figure(const FigureTarget& target, const TallyLayout& layout, std::span<const std::int32_t> tally,
                        std::span<const double> measures);

}  // namespace carecast
