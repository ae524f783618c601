// Care leavers from 18 to 25: young people who were looked after, followed after care ends.
//
// A young person becomes a care leaver on leaving care at 18 if eligible by the leaving-care rules
// (eligible_for_leaving_care), or, if eligible, on their 18th birthday after leaving care earlier
// to live independently (or for another reason that is not a return to family, adoption or an
// order). They stay a care leaver until their 25th birthday, or their 21st if they decline support
// after 21 (a probability). Their status changes at hazards a year between statuses; staying put
// ends at 21.
//
// Each care leaver has exactly one event in the replication's queue: their next change (a move
// between statuses, the 21st birthday, or the end of support), so nothing scans the care leavers.
// Counts by status and age band are kept as they change, and read at each reporting date.
// Draws come from each young person's own stream (seed, replication, the child's entity,
// Process::care_leaver), so a young person meets the same chances under every scenario option.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/calendar.hpp"
#include "core/care_leaver_statuses.hpp"
#include "core/categories.hpp"
#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"
#include "simulation/event_queue.hpp"

namespace carecast {

// 13 weeks: the time looked after since the 14th birthday that makes a young person eligible.
inline constexpr double kLeavingCareQualifyingDays = 91;

// Eligibility for leaving-care support (Children (Leaving Care) Act 2000): looked after for 13
// weeks or more in all since the 14th birthday, and still looked after at some time on or after
// the 16th birthday. Times are on the simulation clock; a birthday's time is the start of that
// day, so a child looked after at that instant is looked after on the birthday. Care from
// `care_start` to `leaves_at` is one period; `earlier_days_since_14` adds days looked after since
// the 14th birthday in earlier periods of care.
bool eligible_for_leaving_care(double care_start, double leaves_at, double birthday_14, double birthday_16,
                               double earlier_days_since_14 = 0);

// A young person leaving care, as the care-leaver component needs them.
struct YoungPersonLeaving {
  double leaves_at = 0;
  double birth_time = 0;   // clock time of the start of the day of birth
  double care_start = 0;   // start of this period of care
  std::uint64_t entity = 0;  // the child's stream entity id
  Category last_placement = Category::foster_in_house;
  ExitReason reason = ExitReason::aged_18;
  // Days looked after since the 14th birthday in earlier periods of care ([re_entry]): the
  // leaving-care rules count all time looked after since 14, not only the last period's.
  double earlier_days_since_14 = 0;
};

// Where care leavers' costs go: the replication's cost book (base-year prices, category
// care_leavers).
class CareLeaverCostBook {
 public:
  // `per_day` £ a day over the clock times [from, to].
  virtual void book_stay(double per_day, double from, double to) = 0;
  // `amount` £ at the clock time `now`.
  virtual void book_one_off(double amount, double now) = 0;

 protected:
  ~CareLeaverCostBook() = default;
};

class CareLeavers {
 public:
  CareLeavers(const CareLeaverSettings& settings, Date origin);

  // Forgets every care leaver of the last replication (keeping storage), then admits the care
  // leavers at the origin, each with an age drawn within their band. Costs go to `costs`
  // (nullptr: none are booked). The replication's transition hazards and shares are `rates`'s
  // (its draw of them with parameter uncertainty; nullptr: the settings' own); costs and starting
  // counts are always the settings'.
  void start(std::uint64_t seed, std::uint64_t replication, double horizon_time, CouncilQueue queue,
             CareLeaverCostBook* costs = nullptr, const CareLeaverSettings* rates = nullptr);
  // Books the costs of every care leaver still supported at the horizon, up to it.
  void finish();
  // Whether the young person becomes a care leaver (now, or on their 18th birthday if they left
  // care earlier). Schedules their first event.
  bool young_person_left_care(const YoungPersonLeaving& person, CouncilQueue queue);
  // A care leaver's event (EventKind::care_leaver_changes), popped from the queue.
  void handle(const Event& event, CouncilQueue queue);

  std::int32_t count(CareLeaverStatus status) const;
  std::int32_t count_in_age_band(int band) const;  // 0: 18 to 20, 1: 21 to 25
  std::int32_t count_all() const { return count_in_age_band(0) + count_in_age_band(1); }

  // Starts fetching into cache the care leaver an event is about (slot), before its turn comes.
  // Always inlined, or GCC deletes the calls (ReplicationRunner::prefetch).
  [[gnu::always_inline]] void prefetch(std::uint32_t slot) const {
    if (slot < leavers_.size()) __builtin_prefetch(&leavers_[slot]);
  }

  // Days of a period of care from `care_start` to `left_at` that fall on or after the 14th
  // birthday: what a period that ended adds to a later period's eligibility.
  double days_looked_after_since_14(double birth_time, double care_start, double left_at) const;

 private:
  enum class Next : std::uint8_t { joins, moves, turns_21, support_ends };
  struct Leaver {
    double birthday_21 = 0;
    double support_ends = 0;  // the 25th birthday, or the 21st
    StreamEngine stream;
    std::uint32_t serial = 0;  // order of becoming a care leaver: breaks ties in the queue
    double status_since = 0;  // when the current status began (or the origin)
    CareLeaverStatus status = CareLeaverStatus::independent;
    std::uint8_t age_band = 0;
    Next next = Next::joins;
    bool supported = false;        // counted now: between joining and the end of support
    bool has_set_up_home = false;  // the setting-up-home allowance has been paid
    bool bursary = false;          // goes to higher education: a bursary on becoming a care leaver
  };

  void use_rates(const CareLeaverSettings& rates);
  double birthday(double birth_time, int years) const;
  CareLeaverStatus first_status(double u) const;
  // Where a care leaver in `from` goes at a move: by the row's hazards, with `u` uniform.
  CareLeaverStatus destination(CareLeaverStatus from, double u) const;
  std::uint32_t add(const Leaver& leaver);
  void join(std::uint32_t index, double now, CouncilQueue queue);
  double per_day_cost(CareLeaverStatus status) const;  // weekly cost of the status and personal adviser
  void schedule(std::uint32_t index, double now, CouncilQueue queue);
  // Counts the care leaver in, from `now`, and pays the setting-up-home allowance if due.
  void begin_status(Leaver& leaver, double now);
  // Counts the care leaver out of their status at `now`, booking its costs since it began.
  void end_status(Leaver& leaver, double now);
  void add_to_counts(const Leaver& leaver, int change) {
    counts_[static_cast<std::size_t>(leaver.status)][leaver.age_band] += change;
  }

  const CareLeaverSettings& settings_;
  const CareLeaverSettings* rates_ = &settings_;  // this replication's hazards and shares
  Date origin_;
  CareLeaverCostBook* costs_ = nullptr;
  std::array<double, kCareLeaverStatusCount> leaving_rate_per_day_{};  // total hazard out of each status
  std::uint64_t seed_ = 0;
  std::uint64_t replication_ = 0;
  double horizon_time_ = 0;
  std::uint32_t next_serial_ = 0;
  std::vector<Leaver> leavers_;
  std::vector<std::uint32_t> free_slots_;
  std::array<std::array<std::int32_t, kCareLeaverAgeBandCount>, kCareLeaverStatusCount> counts_{};
};

}  // namespace carecast
