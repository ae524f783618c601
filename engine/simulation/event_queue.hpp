// The one queue through which a replication's events pass in time order.
//
// A bucket queue with one bucket per day of the horizon: a replication has a few events a day,
// so pushing is an append and popping scans a bucket of one or two events, instead of the
// unpredictable branches of a binary heap. Within a bucket the earliest event is found by a total
// order on (time, kind, child), so simultaneous events (birthdays fall on whole days) always come
// out in the same sequence.
#pragma once

#include <cstdint>
#include <vector>

namespace carecast {

enum class EventKind : std::uint8_t {
  placement_ends,
  turns_18,
  group_arrives,
  uasc_arrives,
  // Supply and commissioning options (only when the scenario has them):
  step_down,              // a child in a children's home may move to a specialist carer
  step_down_breaks_down,  // a step-down placement breaks down in its first months
  enquiry,                // a possible enquiry from a would-be foster carer (thinned to the rate)
  household_approved,
  household_deregisters,  // a possible deregistration (thinned to the household's hazard)
  specialist_approved,    // a new specialist step-down carer place
  constellations_added,   // more Mockingbird constellations start
  home_closes,
  uasc_transfer_arrives,
};

struct Event {
  double time;
  EventKind kind;
  std::uint32_t child;  // index of the child, household, home or option the event is about
  // A child's events carry the generation of the placement they belong to; when the placement
  // ends early (a carer deregisters, a child steps down) its other events are stale and skipped.
  std::uint32_t generation = 0;
};

inline bool comes_before(const Event& a, const Event& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.child < b.child;
}

class EventQueue {
 public:
  // Empties the queue for events in [0, horizon_time]; keeps the buckets' storage.
  void reset(double horizon_time) {
    buckets_.resize(static_cast<std::size_t>(horizon_time) + 1);
    for (auto& bucket : buckets_) bucket.clear();
    current_ = 0;
    size_ = 0;
  }
  bool empty() const { return size_ == 0; }
  // Events may not be pushed earlier than the last event popped.
  void push(const Event& event) {
    buckets_[static_cast<std::size_t>(event.time)].push_back(event);
    ++size_;
  }
  // The earliest event; the queue must not be empty.
  const Event& top() {
    while (buckets_[current_].empty()) ++current_;
    const std::vector<Event>& bucket = buckets_[current_];
    earliest_ = 0;
    for (std::size_t i = 1; i < bucket.size(); ++i) {
      if (comes_before(bucket[i], bucket[earliest_])) earliest_ = i;
    }
    return bucket[earliest_];
  }
  // Removes and returns the earliest event.
  Event pop() {
    const Event event = top();
    std::vector<Event>& bucket = buckets_[current_];
    bucket[earliest_] = bucket.back();
    bucket.pop_back();
    --size_;
    return event;
  }

 private:
  std::vector<std::vector<Event>> buckets_;
  std::size_t current_ = 0;
  std::size_t earliest_ = 0;
  std::size_t size_ = 0;
};

}  // namespace carecast
