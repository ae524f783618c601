// When a child who has left care comes back into care: one Exp(1) draw from the child's own
// re-entry stream, walked across the piecewise-constant hazard of [re_entry] (by time since leaving
// and age band) until the integrated hazard reaches it.
#pragma once

#include <array>
#include <optional>

#include "core/random_streams.hpp"
#include "scenario/re_entry.hpp"

namespace carecast {

// Clock time (days) of re-entry for a child who left care at `left_at` and had not come back by
// `from` (at or after `left_at`), whose age bands begin at `birthday_time` (the last entry is the
// 18th birthday), or nothing if the draw falls at or after `limit` or the 18th birthday. The hazard
// is piecewise constant, so given no return by `from` the time is drawn from `from` on, in the
// time-since-leaving band reached then. Draws exactly one number from `draws`.
std::optional<double> draw_re_entry_time(const ReEntry& re_entry, const std::array<double, kAgeBandCount>& birthday_time,
                                         double left_at, double from, double limit, StreamEngine& draws);

}  // namespace carecast
