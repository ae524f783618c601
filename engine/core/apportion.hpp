// Whole numbers shared out in proportion to weights, adding up exactly to a total.
//
// Scaling a table of counts (children by category, age band and sex; care leavers by status) to a
// council of another size must keep its total: rounding each cell on its own loses or adds children
// wherever cells are small. A council a thirtieth of the default's size, rounded cell by cell, kept 7
// of its 13 children, and a fit then bent its rates to make up the difference.
#pragma once

#include <span>
#include <vector>

namespace carecast {

// `total` (>= 0) shared out in proportion to `weights` (each >= 0): each gets the whole part of its
// share, and what is left goes one each to the largest remainders, ties to the earlier. All weights 0
// (or none): all shares 0.
std::vector<long long> apportion(long long total, std::span<const double> weights);

}  // namespace carecast
