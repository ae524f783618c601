#include "simulation/supply_pool.hpp"

#include <algorithm>

namespace carecast {

void SupplyPool::reset(const Supply& supply) {
  supply_ = &supply;
  households_.clear();
  with_free_places_.clear();
  active_households_ = 0;
  home_occupied_.assign(supply.homes.size(), 0);
  step_down_places_ = supply.step_down ? supply.step_down->specialist_places : 0;
  occupied_.fill(0);
}

std::int32_t SupplyPool::add_household(const Household& household) {
  households_.push_back(household);
  ++active_households_;
  const auto index = static_cast<std::int32_t>(households_.size()) - 1;
  track_free_places(index);
  return index;
}

void SupplyPool::track_free_places(std::int32_t index) {
  const Household& h = households_[static_cast<std::size_t>(index)];
  const auto listed = std::find(with_free_places_.begin(), with_free_places_.end(), index);
  const bool has_room = h.active && h.occupied < h.places;
  if (has_room && listed == with_free_places_.end()) {
    // Kept in index order so that the first household to fit is always the same one: placement
    // never depends on the order in which places happened to free up.
    with_free_places_.insert(std::lower_bound(with_free_places_.begin(), with_free_places_.end(), index), index);
  } else if (!has_room && listed != with_free_places_.end()) {
    with_free_places_.erase(listed);
  }
}

void SupplyPool::deregister(std::int32_t index) {
  Household& h = households_[static_cast<std::size_t>(index)];
  if (!h.active) return;
  h.active = false;
  --active_households_;
  occupied_[static_cast<int>(Resource::foster_in_house)] -= h.occupied;
  h.occupied = 0;
  track_free_places(index);
}

std::optional<PlaceHandle> SupplyPool::reserve(Category category, std::span<const int> ages_years, double now) {
  const int children = static_cast<int>(ages_years.size());
  auto& occupied = occupied_;
  switch (category) {
    case Category::foster_in_house: {
      for (std::int32_t index : with_free_places_) {
        Household& h = households_[static_cast<std::size_t>(index)];
        if (h.places - h.occupied < children || (children > 1 && !h.takes_sibling_groups)) continue;
        const bool ages_fit = std::all_of(ages_years.begin(), ages_years.end(), [&](int age) {
          return age >= h.min_age_years && age <= h.max_age_years;
        });
        if (!ages_fit) continue;
        h.occupied = static_cast<std::uint8_t>(h.occupied + children);
        occupied[static_cast<int>(Resource::foster_in_house)] += children;
        track_free_places(index);
        return PlaceHandle{category, index};
      }
      return std::nullopt;
    }
    case Category::childrens_home_in_house: {
      for (std::size_t home = 0; home < supply_->homes.size(); ++home) {
        if (!home_open(home, now) || home_occupied_[home] + children > supply_->homes[home].beds) continue;
        home_occupied_[home] += children;
        occupied[static_cast<int>(Resource::childrens_home_in_house)] += children;
        return PlaceHandle{category, static_cast<std::int32_t>(home)};
      }
      return std::nullopt;
    }
    case Category::foster_agency:
    case Category::childrens_home_external: {
      const Resource resource = category == Category::foster_agency ? Resource::foster_agency
                                                                     : Resource::childrens_home_external;
      const std::optional<int>& cap =
          category == Category::foster_agency ? supply_->agency_places : supply_->external_home_beds;
      if (cap && occupied[static_cast<int>(resource)] + children > *cap) return std::nullopt;
      occupied[static_cast<int>(resource)] += children;
      return PlaceHandle{category, -1};
    }
    default:
      return PlaceHandle{category, -1};  // not modelled as finite
  }
}

std::optional<PlaceHandle> SupplyPool::reserve_step_down() {
  const int cap = supply_->step_down && supply_->step_down->max_places > 0
                      ? std::min(step_down_places_, supply_->step_down->max_places)
                      : step_down_places_;
  if (occupied_[static_cast<int>(Resource::step_down_carer)] >= cap) return std::nullopt;
  ++occupied_[static_cast<int>(Resource::step_down_carer)];
  return PlaceHandle{Category::foster_in_house, -1, true};
}

void SupplyPool::release(const PlaceHandle& place) {
  if (place.step_down) {
    --occupied_[static_cast<int>(Resource::step_down_carer)];
    return;
  }
  switch (place.category) {
    case Category::foster_in_house: {
      Household& h = households_[static_cast<std::size_t>(place.index)];
      if (!h.active) return;  // its places were already given up when it deregistered
      --h.occupied;
      --occupied_[static_cast<int>(Resource::foster_in_house)];
      track_free_places(place.index);
      return;
    }
    case Category::childrens_home_in_house:
      --home_occupied_[static_cast<std::size_t>(place.index)];
      --occupied_[static_cast<int>(Resource::childrens_home_in_house)];
      return;
    case Category::foster_agency:
      --occupied_[static_cast<int>(Resource::foster_agency)];
      return;
    case Category::childrens_home_external:
      --occupied_[static_cast<int>(Resource::childrens_home_external)];
      return;
    default:
      return;
  }
}

int SupplyPool::available(Resource resource, double now) const {
  switch (resource) {
    case Resource::foster_in_house: {
      int places = 0;
      for (const Household& h : households_) places += h.active ? h.places : 0;
      return places;
    }
    case Resource::childrens_home_in_house: {
      int beds = 0;
      // A snapshot comes before any event at the same instant, so a home opening at the start of
      // the next day is not yet open, and one closing then still is.
      for (std::size_t home = 0; home < supply_->homes.size(); ++home) {
        if (home_times_[home].first < now && now <= home_times_[home].second) beds += supply_->homes[home].beds;
      }
      return beds;
    }
    case Resource::foster_agency:
      return supply_->agency_places.value_or(-1);
    case Resource::childrens_home_external:
      return supply_->external_home_beds.value_or(-1);
    case Resource::step_down_carer:
      return supply_->step_down && supply_->step_down->max_places > 0
                 ? std::min(step_down_places_, supply_->step_down->max_places)
                 : step_down_places_;
  }
  return -1;
}

}  // namespace carecast
