// The one queue through which a replication's events pass in time order.
//
// One bucket per day of the horizon. Events for later days are appended to their day's bucket
// unsorted; when the queue reaches a day, that day's bucket becomes a binary heap, and events
// pushed for the same day go into the heap. A push is then an append or O(log b) and a pop
// O(log b), with b the events of one day, so the cost per event grows only with the log of the
// population, never linearly (a scan of the day's bucket for its earliest event was linear in b,
// and b grows with the council). Within a day the earliest event is found by a total order on
// (time, kind, child), so simultaneous events (birthdays fall on whole days) always come out in
// the same sequence.
#pragma once

#include <algorithm>
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
  care_leaver_changes,  // a care leaver moves, turns 21 or reaches the end of support (care_leavers.hpp)
  re_enters,  // a child who left for home or by a child arrangements order comes back into care
};

struct Event {
  Event() = default;
  Event(double time_, EventKind kind_, std::uint32_t child_, std::uint32_t generation_ = 0, std::uint32_t slot_ = 0)
      : time(time_), kind(kind_), child(child_), generation(generation_), slot(slot_) {}

  double time = 0;
  EventKind kind = EventKind::placement_ends;
  // Whose event it is in a region (several councils, one queue; region_replication.hpp): the
  // council's place in the region. 0 for a council simulated alone.
  std::uint16_t council = 0;
  // The household, home or option the event is about; for a child, the order in which it came
  // into the replication (its admission number), which breaks ties between simultaneous events.
  std::uint32_t child = 0;
  // A child's events carry the generation of the placement they belong to; when the placement
  // ends early (a carer deregisters, a child steps down) its other events are stale and skipped.
  std::uint32_t generation = 0;
  std::uint32_t slot = 0;  // a child's place in the replication's table of children
};

inline bool comes_before(const Event& a, const Event& b) {
  if (a.time != b.time) return a.time < b.time;
  if (a.kind != b.kind) return a.kind < b.kind;
  if (a.child != b.child) return a.child < b.child;
  return a.council < b.council;
}

class EventQueue {
 public:
  // Empties the queue for events in [0, horizon_time]; keeps the buckets' storage.
  void reset(double horizon_time) {
    buckets_.resize(static_cast<std::size_t>(horizon_time) + 1);
    for (auto& bucket : buckets_) bucket.clear();
    current_ = 0;
    current_is_heap_ = false;
    size_ = 0;
  }
  bool empty() const { return size_ == 0; }
  // Events may not be pushed earlier than the day of the last event popped.
  void push(const Event& event) {
    const auto day = static_cast<std::size_t>(event.time);
    std::vector<Event>& bucket = buckets_[day];
    bucket.push_back(event);
    if (day == current_ && current_is_heap_) std::push_heap(bucket.begin(), bucket.end(), comes_after);
    ++size_;
  }
  // The earliest event; the queue must not be empty.
  const Event& top() {
    if (buckets_[current_].empty()) {
      do {
        ++current_;
      } while (buckets_[current_].empty());
      current_is_heap_ = false;
    }
    std::vector<Event>& bucket = buckets_[current_];
    if (!current_is_heap_) {
      std::make_heap(bucket.begin(), bucket.end(), comes_after);
      current_is_heap_ = true;
    }
    return bucket.front();
  }
  // The event pop() returns next when it is of the current day and nothing earlier is pushed
  // before then; nullptr when the next is on a later day (finding it would move the queue on, and
  // events may still be pushed for today). For fetching the next event's state into cache while
  // this one is handled: a hint, never needed for the order.
  const Event* next_today() const {
    if (!current_is_heap_ || current_ >= buckets_.size() || buckets_[current_].empty()) return nullptr;
    return &buckets_[current_].front();
  }
  // Removes and returns the earliest event.
  Event pop() {
    const Event event = top();
    std::vector<Event>& bucket = buckets_[current_];
    std::pop_heap(bucket.begin(), bucket.end(), comes_after);
    bucket.pop_back();
    --size_;
    return event;
  }

 private:
  // The heap's order: std::make_heap keeps the greatest element at the front.
  static bool comes_after(const Event& a, const Event& b) { return comes_before(b, a); }

  std::vector<std::vector<Event>> buckets_;
  std::size_t current_ = 0;
  bool current_is_heap_ = false;  // whether buckets_[current_] is already a heap
  std::size_t size_ = 0;
};

// A council's view of the replication's queue: what a council's components push goes into the
// queue stamped with the council, so the region's loop hands it back to that council. Alone, a
// council pushes into its own queue as council 0.
class CouncilQueue {
 public:
  CouncilQueue(EventQueue& queue, std::uint16_t council = 0) : queue_(&queue), council_(council) {}  // NOLINT: implicit on purpose
  void push(Event event) const {
    event.council = council_;
    queue_->push(event);
  }
  std::uint16_t council() const { return council_; }

 private:
  EventQueue* queue_;
  std::uint16_t council_;
};

static_assert(sizeof(Event) == 24, "an event stays three words: the queue moves many of them");

}  // namespace carecast
