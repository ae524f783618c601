// The one queue through which a replication's events pass in time order.
//
// One bucket per day of the horizon. Events for later days are appended to their day's bucket
// unsorted; when the queue reaches a day, that day's bucket is sorted once and read in order, and
// events pushed for the same day meanwhile (arrivals and enquiries come in fast Poisson streams,
// a child's next placement may end the day it began) go into a small heap beside it; each pop
// takes the earlier of the two. A push is then an append or O(log l), with l the events pushed
// for the current day still waiting, and a pop costs the sort's share, O(log b) for the b events
// of one day, so the cost per event grows only with the log of the population (a scan of the
// day's bucket for its earliest event was linear in b, and b grows with the council). Sorting a
// day at once is about half the comparisons of a heap over it, and it tells the replication which
// events come next, so their children can be fetched into cache early (ahead()).
//
// The order is a total order on (time, kind, child, council), then the generation and slot that
// tell stale events apart: simultaneous events (birthdays fall on whole days) always come out in
// the same sequence, whatever the structure that holds them.
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
  if (a.council != b.council) return a.council < b.council;
  if (a.generation != b.generation) return a.generation < b.generation;
  return a.slot < b.slot;
}

// How many events ahead a replication's loop fetches an event's child into cache (EventQueue::ahead):
// far enough that it arrives before the event is handled, near enough that it is still there.
inline constexpr std::size_t kFetchAhead = 8;

class EventQueue {
 public:
  // Empties the queue for events in [0, horizon_time]; keeps the buckets' storage.
  void reset(double horizon_time) {
    buckets_.resize(static_cast<std::size_t>(horizon_time) + 1);
    for (auto& bucket : buckets_) bucket.clear();
    late_.clear();
    current_ = 0;
    cursor_ = 0;
    current_is_sorted_ = false;
    size_ = 0;
  }
  bool empty() const { return size_ == 0; }
  // Events may not be pushed earlier than the day of the last event popped.
  void push(const Event& event) {
    const auto day = static_cast<std::size_t>(event.time);
    if (day == current_ && current_is_sorted_) {
      late_.push_back(event);
      std::push_heap(late_.begin(), late_.end(), InReverseOrder{});
    } else {
      buckets_[day].push_back(event);
    }
    ++size_;
  }
  // The earliest event; the queue must not be empty.
  const Event& top() {
    if (!current_is_sorted_ || (cursor_ == buckets_[current_].size() && late_.empty())) move_to_next_day();
    const std::vector<Event>& sorted = buckets_[current_];
    if (cursor_ == sorted.size()) return late_.front();
    if (late_.empty() || comes_before(sorted[cursor_], late_.front())) return sorted[cursor_];
    return late_.front();
  }
  // Removes and returns the earliest event.
  Event pop() {
    const Event& earliest = top();
    const Event event = earliest;
    if (!late_.empty() && &earliest == late_.data()) {
      std::pop_heap(late_.begin(), late_.end(), InReverseOrder{});
      late_.pop_back();
    } else {
      ++cursor_;
    }
    --size_;
    return event;
  }
  // The event `k` places after the next of today's sorted events, or nullptr when today has fewer
  // left. Events pushed since the day began are not counted, so it may not be the (k + 1)th to
  // come: a hint for fetching what an event will read into cache, never needed for the order.
  const Event* ahead(std::size_t k) const {
    if (!current_is_sorted_) return nullptr;
    const std::vector<Event>& sorted = buckets_[current_];
    return cursor_ + k < sorted.size() ? &sorted[cursor_ + k] : nullptr;
  }

 private:
  // The orders as function objects, not function pointers: std::sort and the heap functions then
  // inline the comparison instead of calling through a pointer for each one.
  struct InOrder {
    bool operator()(const Event& a, const Event& b) const { return comes_before(a, b); }
  };
  // The heap's order: std::push_heap keeps the greatest element at the front.
  struct InReverseOrder {
    bool operator()(const Event& a, const Event& b) const { return comes_before(b, a); }
  };

  // Leaves the day behind (its bucket emptied, its storage kept) and sorts the next day that has
  // events. Events for later days were all appended to their buckets, so the late heap is empty.
  void move_to_next_day() {
    if (current_is_sorted_) {
      buckets_[current_].clear();
      ++current_;
    }
    while (buckets_[current_].empty()) ++current_;
    std::vector<Event>& bucket = buckets_[current_];
    std::sort(bucket.begin(), bucket.end(), InOrder{});
    cursor_ = 0;
    current_is_sorted_ = true;
  }

  std::vector<std::vector<Event>> buckets_;
  std::vector<Event> late_;  // a heap of events pushed for the current day after it was sorted
  std::size_t current_ = 0;
  std::size_t cursor_ = 0;          // the next of buckets_[current_]'s sorted events
  bool current_is_sorted_ = false;  // whether buckets_[current_] is sorted and being read
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
