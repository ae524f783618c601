#include "simulation/event_queue.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <vector>

namespace carecast {
namespace {

struct InOrder {
  bool operator()(const Event& a, const Event& b) const { return comes_before(a, b); }
};

Event random_event(std::mt19937_64& draws, double earliest, double horizon) {
  // Whole days often (birthdays, yearly events), and many events of the same time and kind, which
  // only the child, council, generation or slot tells apart.
  const double span = horizon - earliest;
  double time = earliest + span * std::uniform_real_distribution<double>(0, 1)(draws);
  if (draws() % 4 == 0) time = std::ceil(time) <= horizon ? std::ceil(time) : earliest;
  if (draws() % 5 == 0) time = earliest;  // the day being read, often the same instant
  Event event(time, static_cast<EventKind>(draws() % 3), static_cast<std::uint32_t>(draws() % 4),
              static_cast<std::uint32_t>(draws() % 3), static_cast<std::uint32_t>(draws() % 1000));
  event.council = static_cast<std::uint16_t>(draws() % 2);
  return event;
}

// Events come out in the total order whatever was pushed when, including events pushed for the
// day being read (the late heap) and for later days, against an ordered multiset holding the same
// events. ahead(k) only ever names an event still waiting.
TEST(EventQueue, PopsInTheTotalOrderWithEventsPushedWhileADayIsRead) {
  constexpr double kHorizon = 60;
  EventQueue queue;
  std::mt19937_64 draws(20261130);
  for (int round = 0; round < 3; ++round) {  // reset keeps storage: reuse must not leak events
    queue.reset(kHorizon);
    std::multiset<Event, InOrder> expected;
    for (int i = 0; i < 400; ++i) {
      const Event event = random_event(draws, 0, kHorizon);
      queue.push(event);
      expected.insert(event);
    }
    double last_time = 0;
    std::size_t popped = 0;
    while (!expected.empty()) {
      ASSERT_FALSE(queue.empty());
      if (const Event* coming = queue.ahead(3)) {
        EXPECT_TRUE(expected.find(*coming) != expected.end());
        EXPECT_GE(coming->time, last_time);
      }
      const Event event = queue.pop();
      const Event& first = *expected.begin();
      ASSERT_TRUE(!comes_before(event, first) && !comes_before(first, event))
          << "round " << round << ", event " << popped << ": time " << event.time << " against " << first.time;
      ASSERT_EQ(event.slot, first.slot);
      expected.erase(expected.begin());
      last_time = event.time;
      ++popped;
      // Now and then push more, never before the day of the event just popped.
      const int more = popped < 1500 ? static_cast<int>(draws() % 3) : 0;
      for (int m = 0; m < more; ++m) {
        const Event later = random_event(draws, std::max(last_time, std::floor(last_time)), kHorizon);
        queue.push(later);
        expected.insert(later);
      }
    }
    EXPECT_TRUE(queue.empty());
    EXPECT_GT(popped, 1500u);
  }
}

// The order is total: events that differ only in generation or slot come out in one sequence,
// whichever was pushed first.
TEST(EventQueue, SimultaneousEventsComeOutInOneSequenceWhateverThePushOrder) {
  std::vector<Event> events;
  for (std::uint32_t generation = 0; generation < 3; ++generation) {
    for (std::uint32_t slot = 0; slot < 3; ++slot) events.emplace_back(5.0, EventKind::turns_18, 7, generation, slot);
  }
  std::vector<Event> sorted = events;
  std::sort(sorted.begin(), sorted.end(), comes_before);
  std::mt19937_64 draws(3);
  for (int trial = 0; trial < 20; ++trial) {
    std::shuffle(events.begin(), events.end(), draws);
    EventQueue queue;
    queue.reset(10);
    // Half pushed before the day is reached, half while it is read (into the late heap).
    for (std::size_t i = 0; i < events.size() / 2; ++i) queue.push(events[i]);
    queue.push(Event(5.0, EventKind::placement_ends, 0));  // read first: it opens the day
    EXPECT_EQ(queue.pop().kind, EventKind::placement_ends);
    for (std::size_t i = events.size() / 2; i < events.size(); ++i) queue.push(events[i]);
    for (const Event& want : sorted) {
      const Event got = queue.pop();
      ASSERT_EQ(got.generation, want.generation);
      ASSERT_EQ(got.slot, want.slot);
    }
    EXPECT_TRUE(queue.empty());
  }
}

}  // namespace
}  // namespace carecast
