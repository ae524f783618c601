// The scale on which `fit`'s linear emulator (synthetic_likelihood.hpp) takes each published figure.
//
// Why not every figure as published: the emulator is a straight line in the log multipliers, fitted
// over a proposal about twice as wide as the posterior. A stability percentage is far from straight
// there. The short-term measure counts children with 3 or more placements in a year, about the
// square of the move hazard while it is small, so it grows roughly as exp(2 x log moves): a line
// fitted across the proposal passes above the curve at the proposal's centre (Jensen), and the fit
// then puts the centre where the curve is below the figure. On the independent validation worlds
// (tests/validation) that left every council's fitted short-term stability about a third below its
// own published figures, and the forecast as low (its 90% intervals, not too narrow, missed above).
// On the logit scale the measure is close to linear in the log multipliers, so the fit centres on
// the figures.
//
// Counts (children looked after, entries, exits) stay as published: their response to the log
// multipliers is much flatter over the proposal.
#pragma once

#include "history/published_figures.hpp"

namespace carecast {

struct FigureScale {
  // Percentages: log((y + offset) / (100 - y + offset)); otherwise the figure itself.
  bool logit = false;
  // A child's share of the children looked after (percentage points), so that 0% and 100%, which
  // a small council publishes, have a finite scale value.
  double offset = 0;

  double operator()(double value) const;
  // The variance a whole-number rounding of `published` (a twelfth of a unit, as published figures are
  // whole numbers or percentages) has on this scale, by the delta method at the published value.
  double rounding_variance(double published) const;
};

// The published figure's scale: the logit for a stability percentage, with the offset one child's
// share of the children looked after (all) published nearest its date (1 percentage point when the
// file has none), kept within 0.1 to 10 points; the identity for a count.
FigureScale figure_scale(const PublishedFigure& figure, const PublishedFigures& figures);

}  // namespace carecast
