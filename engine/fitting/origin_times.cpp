#include "fitting/origin_times.hpp"

namespace carecast {

void OriginTimeSums::add(const OriginTimeSums& other) {
  for (int c = 0; c < kCategoryCount; ++c) {
    days_in_placement[c] += other.days_in_placement[c];
    days_in_care_before_placement[c] += other.days_in_care_before_placement[c];
    children[c] += other.children[c];
  }
}

OriginTimesObserver::Record& OriginTimesObserver::record(std::uint32_t child) {
  if (child >= children_.size()) children_.resize(static_cast<std::size_t>(child) + 1);
  return children_[child];
}

void OriginTimesObserver::admitted(std::uint32_t child, const ChildState& state, double now, bool /*starting*/) {
  if (now > origin_time_) return;
  Record& r = record(child);
  r.in_care = true;
  r.category = state.category;
  r.placement_start = state.placement_start;
  r.care_start = state.care_start;
}

void OriginTimesObserver::placement_changed(std::uint32_t child, const ChildState& state, Category /*from*/,
                                            double now) {
  if (now > origin_time_) return;
  Record& r = record(child);
  r.category = state.category;
  r.placement_start = now;
}

void OriginTimesObserver::left_care(std::uint32_t child, const ChildState& /*state*/, ExitReason /*reason*/,
                                    double now) {
  if (now > origin_time_) return;
  record(child).in_care = false;
}

OriginTimeSums OriginTimesObserver::sums() const {
  OriginTimeSums sums;
  for (const Record& r : children_) {
    if (!r.in_care) continue;
    const auto c = static_cast<std::size_t>(r.category);
    sums.days_in_placement[c] += origin_time_ - r.placement_start;
    sums.days_in_care_before_placement[c] += r.placement_start - r.care_start;
    ++sums.children[c];
  }
  return sums;
}

}  // namespace carecast
