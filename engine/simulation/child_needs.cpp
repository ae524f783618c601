#include "simulation/child_needs.hpp"

#include <boost/random/exponential_distribution.hpp>

#include "simulation/compiled_model.hpp"

namespace carecast {
namespace {

std::array<double, kNeedsLevelCount - 1> cumulative(const std::array<double, kNeedsLevelCount>& shares) {
  return {shares[0], shares[0] + shares[1]};
}

NeedsLevel draw_level(const std::array<double, kNeedsLevelCount - 1>& cumulative, StreamEngine& draws) {
  const double u = uniform_open01(draws);
  if (u < cumulative[0]) return NeedsLevel::standard;
  if (u < cumulative[1]) return NeedsLevel::complex;
  return NeedsLevel::very_complex;
}

}  // namespace

ChildNeeds::ChildNeeds(const Supply& supply) : enabled_(supply.enabled && supply.needs) {
  if (!enabled_) return;
  const Needs& needs = *supply.needs;
  for (int band = 0; band < kAgeBandCount; ++band) entry_cumulative_[band] = cumulative(needs.shares_at_entry[band]);
  household_cumulative_ = cumulative(needs.households_approved_up_to);
  up_per_day_ = needs.escalation_per_year / kDaysPerYear;
  down_per_day_ = needs.deescalation_per_year / kDaysPerYear;
  chance_of_place_ = needs.chance_of_place;
  cost_multiplier_ = needs.weekly_cost_multiplier;
}

NeedsLevel ChildNeeds::level_at_entry(int band, StreamEngine& draws) const {
  return draw_level(entry_cumulative_[band], draws);
}

NeedsLevel ChildNeeds::household_approval(StreamEngine& draws) const { return draw_level(household_cumulative_, draws); }

// A birth-and-death chain on the three levels: from each level, the time to the next move is
// exponential at the sum of the hazards open to it, and the move is up with the share of its hazard.
NeedsLevel ChildNeeds::reassess(NeedsLevel level, double since, double now, StreamEngine& draws) const {
  double t = since;
  for (;;) {
    const double up = level < NeedsLevel::very_complex ? up_per_day_ : 0;
    const double down = level > NeedsLevel::standard ? down_per_day_ : 0;
    if (up + down <= 0) return level;
    t += boost::random::exponential_distribution<double>(up + down)(draws);
    if (t > now) return level;
    const bool escalates = uniform_open01(draws) * (up + down) < up;
    level = static_cast<NeedsLevel>(static_cast<int>(level) + (escalates ? 1 : -1));
  }
}

bool ChildNeeds::provider_takes(Category provider, NeedsLevel level, StreamEngine& draws) const {
  const double chance = chance_of_place_[static_cast<int>(provider)][static_cast<int>(level)];
  if (chance >= 1) return true;
  if (chance <= 0) return false;
  return uniform_open01(draws) < chance;
}

}  // namespace carecast
