// calibrate --figures: the published figures the returns contradict. Each figure the returns can give
// (history/returns_figures.hpp) is compared with what they give; one that differs by more than its tolerance is
// reported, printed and in the calibrated scenario's comments. Publications are rounded, revised and sometimes
// count differently, so a contradiction is a note for the analyst to look into, not a refusal.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "history/published_figures.hpp"
#include "history/ssda903.hpp"

namespace carecast {

// A count may differ by 5 children or 3% of the figure, whichever is more:
// councils round published counts (to the nearest 5 or 10) and the returns are revised after publication.
inline constexpr double kCountToleranceChildren = 5;
inline constexpr double kCountToleranceShare = 0.03;
// A percentage may differ by 3 points: published percentages are rounded to whole points, and one child of the
// 100-150 a long-term stability measure counts moves it by about 1 point.
inline constexpr double kPercentTolerancePoints = 3;

double figure_tolerance(const PublishedFigure& figure);

struct FigureCheck {
  std::size_t figure = 0;              // index into the figures
  std::optional<double> from_returns;  // what the returns give, when they can
  std::string why_not;                 // when they cannot
  bool contradicts = false;            // differs by more than figure_tolerance
};

// Every figure, in file order.
std::vector<FigureCheck> check_figures_against_returns(const PublishedFigures& figures, const CareHistory& history);

// One sentence per contradiction ("children_looked_after all at 2020-03-31:
// published 402, the returns give 380 (tolerance 12)"), and a closing line counting those compared, agreeing and
// not comparable, with the tolerances. Counts and percentages only.
std::vector<std::string> describe_figure_checks(const PublishedFigures& figures,
                                                const std::vector<FigureCheck>& checks);

}  // namespace carecast
