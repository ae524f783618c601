// The placement market: who provides the care a child needs. A placement draw names a kind of
// care (or, with `demand = "placement_category"`, a provider); the market tries providers in the
// scenario's preference order, then its fallbacks, and places the child in the first with a free
// place: an in-house household approved for the child's age (siblings together in one that takes
// sibling groups), an in-house home's bed, an agency or external place while that market has room
// and a search finds one. When nothing is free the child is placed in an unregistered
// arrangement, and counted. It also prices what it sells. Children's journeys (when placements
// end, where children go next) are the replication's; places are kept by the SupplyPool.
#pragma once

#include <array>
#include <span>
#include <vector>

#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"
#include "simulation/child_needs.hpp"
#include "simulation/supply_pool.hpp"

namespace carecast {

class PlacementMarket {
 public:
  // The search orders are worked out here, once per scenario, so a search allocates nothing.
  explicit PlacementMarket(const Supply& supply);

  struct Found {
    PlaceHandle place;
    bool against_preference = false;  // placed outside the kind's (or category's) preferred providers
    // Against preference after some provider was passed over because no place of it was approved
    // for the child's needs level (child_needs.hpp): a placement that does not meet assessed need.
    bool unmet_need = false;
  };
  // With [supply.needs]: the child's assessed level, the rules that say which places take it, and
  // the child's own stream for the searches whose chance of an approved place is below 1.
  struct NeedsSearch {
    NeedsLevel level;
    const ChildNeeds* rules;
    StreamEngine* draws;
  };
  // A child (or siblings, all together) of the given ages needing the care `wanted` names.
  // `already_placed`: a child of the starting population, whose provider at the origin is tried
  // first. `draws` decides whether a search of a market with chances below 1 finds a place.
  // `matching` decides which free in-house household, if any, suits the child. `needs` (nullptr
  // without [supply.needs]) passes over every place not approved for the child's level.
  Found find(SupplyPool& pool, Category wanted, std::span<const int> ages_years, double now, bool already_placed,
             StreamEngine& draws, StreamEngine& matching, const NeedsSearch* needs = nullptr) const;
  // An in-house household that suits children of these ages (all together), reserved; nothing
  // when none of the free households approved for them (ages, siblings, `needs`: the highest
  // level among them) suits them. Every new in-house placement is matched here.
  std::optional<PlaceHandle> match_household(SupplyPool& pool, std::span<const int> ages_years, double now,
                                             StreamEngine& matching, NeedsLevel needs = NeedsLevel::standard) const;
  // Whether a child wanting `wanted` is looked for in-house carers first: siblings wanting such
  // care are placed together in one household when one can take them all.
  bool seeks_household_first(Category wanted) const {
    return !entering_[static_cast<int>(wanted)].providers.empty() &&
           entering_[static_cast<int>(wanted)].providers.front() == Category::foster_in_house;
  }
  // The weekly price of a placement with `place` begun at clock time `now`, from the category's
  // weekly cost: the market's real price rise since the origin, or the unregistered price.
  double weekly_price(const PlaceHandle& place, double category_weekly, double now) const;

 private:
  struct Search {
    std::vector<Category> providers;  // tried in order
    int preferred = 0;                // the first `preferred` are not against preference
  };
  const Supply& supply_;
  std::array<Search, kCategoryCount> entering_{};
  std::array<Search, kCategoryCount> starting_{};
  bool market_draws_ = false;  // a market's chance of a place is below 1 in some year
  // log(1 - q) for the match chance q it was worked out for: one logarithm a search fewer. The
  // chance is read from the supply at each search, so a changed one is worked out again.
  mutable double log_miss_for_ = -1;
  mutable double log_miss_ = 0;

  bool market_has_place(Category provider, double now, StreamEngine& draws) const;
};

}  // namespace carecast
