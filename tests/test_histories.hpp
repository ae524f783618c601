// Care histories built in tests from known rates: the pieces several tests share.
#pragma once

#include <boost/random/mersenne_twister.hpp>
#include <boost/random/uniform_real_distribution.hpp>
#include <optional>

#include "history/ssda903.hpp"

namespace carecast::testing {

// One placement from `start` to `end` (open while looked after), with a placement type of the
// category's usual kind ("U4") unless a test needs another.
inline PlacementSpell placement_spell(Date start, std::optional<Date> end, Category category,
                                      bool same_carer = false) {
  return {start, end, category, "U4", same_carer};
}

// A child aged 5 to 9 (uniformly) who enters care at `start` into one in-house foster placement
// and goes home at `end`, or is still looked after when `end` falls after `last` (the data's last
// day). Draws the sex, then the age, from `generator`: tests' seeded histories depend on that order.
inline ChildHistory child_in_one_foster_placement(Date start, Date end, Date last, boost::random::mt19937& generator) {
  boost::random::uniform_real_distribution<> uniform(0, 1);
  const bool ended = end <= last;
  ChildHistory child;
  child.sex = uniform(generator) < 0.5 ? Sex::male : Sex::female;
  child.date_of_birth = start - std::chrono::days{static_cast<int>(365.25 * (5 + 4 * uniform(generator)))};
  CarePeriod period;
  period.start = start;
  if (ended) {
    period.end = end;
    period.exit_reason = ExitReason::returned_home;
    period.exit_code = "E4A";
  }
  period.placements = {{start, ended ? std::optional(end) : std::nullopt, Category::foster_in_house, "U4", false}};
  child.periods = {period};
  return child;
}

// Marks the history as observed from `first` to `last`, nobody looked after before.
inline void observe(CareHistory& history, Date first, Date last) {
  history.first_date = first;
  history.observed_from = first;
  history.last_date = last;
}

}  // namespace carecast::testing
