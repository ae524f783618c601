// Children's needs: each child's assessed needs level (standard, complex, very complex), which
// places are approved for it, what it does to a placement's cost, and the children at each level
// and in unmet need. Levels are drawn at entry (and at the origin) by age band from the scenario's
// shares ([supply.needs]), on each child's own stream, so that adding needs changes no other draw.
//
// A level changes at yearly hazards of moving up or down a level. The change is drawn when a
// placement is sought, not scheduled as an event: the level only matters to a search (which places
// are approved) and to the new placement's price, and the hazards are constant, so by the memoryless
// property drawing the jumps since the last assessment then gives the same chances as tracking them
// as they happen, with no event in the queue and no scan of children. The level a child is counted
// at is therefore the level assessed for their current placement, as a placement plan records it.
//
// A child is in unmet need while in a placement found after a provider of their preference order or
// fallback chain was passed over because no place of it was approved for their level, and that is
// against preference (a fallback, or an unregistered arrangement). Nothing is drawn, and nothing
// counted, for a scenario without [supply.needs].
#pragma once

#include <array>

#include "core/needs_levels.hpp"
#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

class ChildNeeds {
 public:
  explicit ChildNeeds(const Supply& supply);

  bool enabled() const { return enabled_; }
  // A child's level at entry (or at the origin), in age band `band`.
  NeedsLevel level_at_entry(int band, StreamEngine& draws) const;
  // The level of a child assessed at `level` at clock time `since`, reassessed at `now`: the
  // moves up and down a level between the two, drawn from the yearly hazards.
  NeedsLevel reassess(NeedsLevel level, double since, double now, StreamEngine& draws) const;
  // The highest level an in-house carer household is approved for, drawn when it is approved.
  NeedsLevel household_approval(StreamEngine& draws) const;
  // Whether a search of `provider` finds a place approved for a child of `level`. Draws only for
  // a chance strictly between 0 and 1. In-house carers are matched household by household instead.
  bool provider_takes(Category provider, NeedsLevel level, StreamEngine& draws) const;
  double cost_multiplier(NeedsLevel level) const { return cost_multiplier_[static_cast<int>(level)]; }

  // The children placed now at each level, and those of them in unmet need.
  void clear() {
    placed_.fill(0);
    unmet_ = 0;
  }
  void arrive(NeedsLevel level, bool unmet) {
    ++placed_[static_cast<int>(level)];
    unmet_ += unmet ? 1 : 0;
  }
  void leave(NeedsLevel level, bool unmet) {
    --placed_[static_cast<int>(level)];
    unmet_ -= unmet ? 1 : 0;
  }
  int placed_at(NeedsLevel level) const { return placed_[static_cast<int>(level)]; }
  int unmet() const { return unmet_; }

 private:
  bool enabled_ = false;
  // Per age band: the chance of standard, and of standard or complex, for drawing by inversion.
  PerAgeBand<std::array<double, kNeedsLevelCount - 1>> entry_cumulative_{};
  std::array<double, kNeedsLevelCount - 1> household_cumulative_{};
  double up_per_day_ = 0;
  double down_per_day_ = 0;
  PerCategory<std::array<double, kNeedsLevelCount>> chance_of_place_{};
  std::array<double, kNeedsLevelCount> cost_multiplier_ = {1, 1, 1};
  std::array<int, kNeedsLevelCount> placed_{};
  int unmet_ = 0;
};

}  // namespace carecast
