// Published figures as SSDA903 returns give them: the same measure, category and date or period counted from the
// cleaned history, so that a figures file can be checked against the returns (calibrate --figures). Only
// aggregates over children are returned: counts and percentages.
//
// What the returns can give: children looked after at the end of a day (all, by placement category, age band or
// sex), UASC looked after, entries (all, by age band at entry or first placement) and exits (all, by reason)
// over a period, and the DfE stability measures at a 31 March. Each needs the returns to cover the date or
// period: from the first collection year's 1 April to the last one's 31 March (the long-term measure 2.5 years
// before its 31 March too). Carer households, approvals, deregistrations and care leavers are not in the returns. As every
// output drawn from returns, a figure is given only at a month end or over whole months, so that no count can
// tell the day a child started or left care.
#pragma once

#include <optional>
#include <string>

#include "history/published_figures.hpp"
#include "history/ssda903.hpp"

namespace carecast {

struct ReturnsFigure {
  std::optional<double> value;  // the figure as the returns give it
  std::string why_not;          // when they cannot
};

ReturnsFigure figure_from_returns(const CareHistory& history, const PublishedFigure& figure);

}  // namespace carecast
