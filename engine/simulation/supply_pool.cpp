#include "simulation/supply_pool.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>

#include "simulation/shared_market.hpp"

namespace carecast {

void SupplyPool::reset(const Supply& supply) {
  supply_ = &supply;
  households_.clear();
  kind_of_.clear();
  listed_free_.clear();
  for (OrderedIndexSet& set : with_free_) set.clear();
  std::fill(free_counts_.begin(), free_counts_.end(), 0);
  active_households_ = 0;
  active_places_ = 0;
  home_occupied_.assign(supply.homes.size(), 0);
  homes_with_free_beds_.clear();
  for (std::size_t home = 0; home < supply.homes.size(); ++home) track_free_beds(home);
  step_down_places_ = supply.step_down ? supply.step_down->specialist_places : 0;
  occupied_.fill(0);
  unregistered_ = 0;
}

std::int32_t SupplyPool::add_household(const Household& household) {
  households_.push_back(household);
  ++active_households_;
  active_places_ += household.places;
  const auto index = static_cast<std::int32_t>(households_.size()) - 1;
  auto kind = std::find_if(kinds_.begin(), kinds_.end(), [&](const HouseholdKind& k) {
    return k.min_age_years == household.min_age_years && k.max_age_years == household.max_age_years &&
           k.takes_sibling_groups == household.takes_sibling_groups && k.approved_up_to == household.approved_up_to;
  });
  if (kind == kinds_.end()) {
    single_kinds_stale_ = true;
    widen_free_index(kinds_.size() + 1, household.places);
    HouseholdKind added{household.min_age_years, household.max_age_years, household.takes_sibling_groups,
                        household.approved_up_to};
    for (int age = household.min_age_years; age <= std::min<int>(household.max_age_years, 63); ++age) {
      added.age_bits |= std::uint64_t{1} << age;
    }
    kinds_.push_back(added);
    kind = kinds_.end() - 1;
  } else {
    widen_free_index(kinds_.size(), household.places);
  }
  if (household.places > kind->places) {
    kind->places = household.places;
    single_kinds_stale_ = true;
  }
  kind_of_.push_back(static_cast<std::uint16_t>(kind - kinds_.begin()));
  listed_free_.push_back(0);
  track_free_places(index);
  return index;
}

// Lays the index out again, its sets moved, when a kind or a larger household is added:
// rarely, and only until the kinds and sizes the scenario has have all been seen once.
void SupplyPool::widen_free_index(std::size_t kinds, std::size_t places) {
  const std::size_t stride = std::max(free_stride_, places);
  if (kinds * stride <= with_free_.size() && stride == free_stride_) return;
  std::vector<OrderedIndexSet> sets(kinds * stride);
  std::vector<std::int32_t> counts(kinds * stride, 0);
  for (std::size_t k = 0; k < kinds_.size(); ++k) {
    for (std::size_t f = 1; f <= free_stride_; ++f) {
      sets[k * stride + f - 1] = std::move(with_free_[free_slot(k, f)]);
      counts[k * stride + f - 1] = free_counts_[free_slot(k, f)];
    }
  }
  with_free_ = std::move(sets);
  free_counts_ = std::move(counts);
  free_stride_ = stride;
}

// Lists the household under each free-place count it now has, and under no others. A household
// is listed by its index, so the first to fit is always the same one: placement never depends
// on the order in which places happened to free up.
void SupplyPool::track_free_places(std::int32_t index) {
  const auto i = static_cast<std::size_t>(index);
  const Household& h = households_[i];
  const int free = h.active ? h.places - h.occupied : 0;
  const int listed = listed_free_[i];
  const std::size_t kind = kind_of_[i];
  for (int f = listed + 1; f <= free; ++f) {
    const std::size_t slot = free_slot(kind, static_cast<std::size_t>(f));
    with_free_[slot].insert(static_cast<std::uint32_t>(index));
    free_counts_[slot] = static_cast<std::int32_t>(with_free_[slot].size());
  }
  for (int f = free + 1; f <= listed; ++f) {
    const std::size_t slot = free_slot(kind, static_cast<std::size_t>(f));
    with_free_[slot].erase(static_cast<std::uint32_t>(index));
    free_counts_[slot] = static_cast<std::int32_t>(with_free_[slot].size());
  }
  listed_free_[i] = static_cast<std::uint8_t>(free);
}

void SupplyPool::track_free_beds(std::size_t home) {
  if (home_occupied_[home] < supply_->homes[home].beds) {
    homes_with_free_beds_.insert(static_cast<std::uint32_t>(home));
  } else {
    homes_with_free_beds_.erase(static_cast<std::uint32_t>(home));
  }
}

void SupplyPool::deregister(std::int32_t index) {
  Household& h = households_[static_cast<std::size_t>(index)];
  if (!h.active) return;
  h.active = false;
  --active_households_;
  active_places_ -= h.places;
  occupied_[static_cast<int>(Resource::foster_in_house)] -= h.occupied;
  h.occupied = 0;
  track_free_places(index);
}

std::optional<PlaceHandle> SupplyPool::reserve(Category category, std::span<const int> ages_years, double now,
                                               NeedsLevel needs) {
  const int children = static_cast<int>(ages_years.size());
  auto& occupied = occupied_;
  switch (category) {
    case Category::foster_in_house: {
      // The first household in index order that takes them all.
      if (children < 1) return std::nullopt;
      std::int64_t first = -1;
      const Seekers seekers(ages_years, needs);
      for (std::size_t k = 0; k < kinds_.size(); ++k) {
        if (!kinds_[k].takes(seekers)) continue;
        const std::int64_t candidate = with_free_[free_slot(k, static_cast<std::size_t>(children))].first();
        if (candidate >= 0 && (first < 0 || candidate < first)) first = candidate;
      }
      if (first < 0) return std::nullopt;
      return fill_household(static_cast<std::int32_t>(first), children);
    }
    case Category::childrens_home_in_house: {
      if (supply_->in_house_homes_unlimited && supply_->homes.empty()) {
        occupied[static_cast<int>(Resource::childrens_home_in_house)] += children;
        return PlaceHandle{Category::childrens_home_in_house, -1};
      }
      // The first open home in index order with the beds; homes not yet open are passed over,
      // and closed ones dropped from the index (only their last children's releases list them
      // again, once).
      for (std::int64_t next = homes_with_free_beds_.first(); next >= 0;
           next = homes_with_free_beds_.next(static_cast<std::uint64_t>(next) + 1)) {
        const auto home = static_cast<std::size_t>(next);
        if (now >= home_times_[home].second) {
          homes_with_free_beds_.erase(static_cast<std::uint32_t>(home));
          continue;
        }
        if (!home_open(home, now) || home_occupied_[home] + children > supply_->homes[home].beds) continue;
        home_occupied_[home] += children;
        occupied[static_cast<int>(Resource::childrens_home_in_house)] += children;
        track_free_beds(home);
        return PlaceHandle{category, static_cast<std::int32_t>(home)};
      }
      // In a region, the joint home after the council's own homes.
      if (shared_ != nullptr && shared_->reserve_joint_home(council_, children, now)) {
        occupied[static_cast<int>(Resource::childrens_home_in_house)] += children;
        PlaceHandle joint{category, -1};
        joint.joint_home = true;
        return joint;
      }
      return std::nullopt;
    }
    case Category::foster_agency:
    case Category::childrens_home_external: {
      const Resource resource =
          category == Category::foster_agency ? Resource::foster_agency : Resource::childrens_home_external;
      if (shared_ != nullptr && shared_->shares(category)) {
        const std::optional<PlaceHandle> place = reserve_shared(category, children, now);
        if (place) occupied[static_cast<int>(resource)] += children;
        return place;
      }
      const std::optional<int>& cap =
          category == Category::foster_agency ? supply_->agency_places : supply_->external_home_beds;
      if (cap && occupied[static_cast<int>(resource)] + children > *cap) return std::nullopt;
      occupied[static_cast<int>(resource)] += children;
      return PlaceHandle{category, -1};
    }
    default:
      if (shared_ != nullptr && shared_->shares(category)) return reserve_shared(category, children, now);
      return PlaceHandle{category, -1};  // not modelled as finite
  }
}

std::optional<PlaceHandle> SupplyPool::reserve_shared(Category category, int children, double now) {
  const std::optional<int> area = shared_->reserve(category, council_, children, now);
  if (!area) return std::nullopt;
  PlaceHandle place{category, -1};
  place.area = static_cast<std::int16_t>(*area);
  return place;
}

SupplyPool::Seekers::Seekers(std::span<const int> ages_years, NeedsLevel needs_level)
    : ages(ages_years), needs(needs_level) {
  for (const int age : ages_years) {
    if (age < 0 || age > 63) ages_are_bits = false;
    if (ages_are_bits) age_bits |= std::uint64_t{1} << age;
  }
}

bool SupplyPool::HouseholdKind::takes(const Seekers& seekers) const {
  const std::size_t children = seekers.ages.size();
  if (children < 1 || (children > 1 && !takes_sibling_groups) || places < children) return false;
  if (seekers.needs > approved_up_to) return false;
  if (seekers.ages_are_bits) return (seekers.age_bits & ~age_bits) == 0;
  return std::all_of(seekers.ages.begin(), seekers.ages.end(),
                     [&](int age) { return age >= min_age_years && age <= max_age_years; });
}

PlaceHandle SupplyPool::fill_household(std::int32_t index, int children) {
  Household& h = households_[static_cast<std::size_t>(index)];
  h.occupied = static_cast<std::uint8_t>(h.occupied + children);
  occupied_[static_cast<int>(Resource::foster_in_house)] += children;
  track_free_places(index);
  return PlaceHandle{Category::foster_in_house, index};
}

int SupplyPool::suitable_households(std::span<const int> ages_years, NeedsLevel needs) const {
  const Seekers seekers(ages_years, needs);
  int suitable = 0;
  for (std::size_t k = 0; k < kinds_.size(); ++k) {
    if (kinds_[k].takes(seekers)) suitable += static_cast<int>(with_free_[free_slot(k, ages_years.size())].size());
  }
  return suitable;
}

// Each household is of exactly one kind, so the suitable kinds' sets are disjoint and their union
// lists every suitable household once, in index order: its nth member is found from the sets'
// counts by chunk (OrderedIndexSet::nth_of_union), in a few reads of each suitable kind's set
// whatever n and the size of the pool. Only the kinds with a suitable household are read: needs
// levels multiply the kinds, and most take no child.
int SupplyPool::find_suitable(std::span<const int> ages_years, NeedsLevel needs) {
  const std::size_t free_needed = ages_years.size();
  suitable_sets_.clear();
  found_for_ = static_cast<int>(free_needed);
  int suitable = 0;
  if (free_needed == 1 && ages_years[0] >= 0 && ages_years[0] < kAgeBitCount) {
    // A child alone: only the kinds listed for its age and level are read.
    if (single_kinds_stale_) list_single_kinds();
    const std::size_t key =
        static_cast<std::size_t>(ages_years[0]) * kNeedsLevelCount + static_cast<std::size_t>(needs);
    for (std::uint32_t i = single_kinds_start_[key]; i < single_kinds_start_[key + 1]; ++i) {
      const std::size_t slot = free_slot(single_kinds_[i], 1);
      const int count = free_counts_[slot];
      if (count == 0) continue;
      suitable += count;
      suitable_sets_.push_back(&with_free_[slot]);
    }
    return suitable;
  }
  const Seekers seekers(ages_years, needs);
  for (std::size_t k = 0; k < kinds_.size(); ++k) {
    if (!kinds_[k].takes(seekers)) continue;
    const auto count = static_cast<int>(with_free_[free_slot(k, free_needed)].size());
    if (count == 0) continue;  // no household of the kind has room: its set is not read again
    suitable += count;
    suitable_sets_.push_back(&with_free_[free_slot(k, free_needed)]);
  }
  return suitable;
}

// The kinds that take one child of each age (0 to 63) and needs level, each list in index order, so
// that a search for a child alone reads those kinds' sets in the order a scan of every kind would.
void SupplyPool::list_single_kinds() {
  single_kinds_.clear();
  single_kinds_start_.clear();
  for (int age = 0; age < kAgeBitCount; ++age) {
    for (int level = 0; level < kNeedsLevelCount; ++level) {
      single_kinds_start_.push_back(static_cast<std::uint32_t>(single_kinds_.size()));
      const Seekers seekers(std::span<const int>(&age, 1), static_cast<NeedsLevel>(level));
      for (std::size_t k = 0; k < kinds_.size(); ++k) {
        if (kinds_[k].takes(seekers)) single_kinds_.push_back(static_cast<std::uint16_t>(k));
      }
    }
  }
  single_kinds_start_.push_back(static_cast<std::uint32_t>(single_kinds_.size()));
  single_kinds_stale_ = false;
}

PlaceHandle SupplyPool::reserve_nth_found(int n) {
  if (n < 0) throw std::logic_error("a negative count of households to pass over");
  const std::int64_t index = OrderedIndexSet::nth_of_union(suitable_sets_, static_cast<std::uint64_t>(n));
  if (index < 0) throw std::logic_error("fewer suitable households than the one asked for");
  return fill_household(static_cast<std::int32_t>(index), found_for_);
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
  if (place.unregistered) {
    --unregistered_;
    return;
  }
  if (place.joint_home) {
    shared_->release_joint_home(council_);
    --occupied_[static_cast<int>(Resource::childrens_home_in_house)];
    return;
  }
  if (place.area >= 0) shared_->release(place.category, council_, place.area);
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
      if (place.index < 0) {  // a bed of homes not modelled as finite (in_house_homes_unlimited)
        --occupied_[static_cast<int>(Resource::childrens_home_in_house)];
        return;
      }
      --home_occupied_[static_cast<std::size_t>(place.index)];
      --occupied_[static_cast<int>(Resource::childrens_home_in_house)];
      track_free_beds(static_cast<std::size_t>(place.index));
      return;
    case Category::foster_agency: --occupied_[static_cast<int>(Resource::foster_agency)]; return;
    case Category::childrens_home_external: --occupied_[static_cast<int>(Resource::childrens_home_external)]; return;
    default: return;
  }
}

int SupplyPool::available(Resource resource, double now) const {
  switch (resource) {
    case Resource::foster_in_house: return active_places_;
    case Resource::childrens_home_in_house: {
      int beds = 0;
      // A snapshot comes before any event at the same instant, so a home opening at the start of
      // the next day is not yet open, and one closing then still is.
      for (std::size_t home = 0; home < supply_->homes.size(); ++home) {
        if (home_times_[home].first < now && now <= home_times_[home].second) beds += supply_->homes[home].beds;
      }
      // The region's joint home: all its beds, though the children counted are this council's.
      if (shared_ != nullptr) beds += shared_->joint_home_beds(now);
      return beds;
    }
    case Resource::foster_agency:
      if (shared_ != nullptr && shared_->shares(Category::foster_agency))
        return shared_->capacity(Category::foster_agency, now);
      return supply_->agency_places.value_or(-1);
    case Resource::childrens_home_external:
      if (shared_ != nullptr && shared_->shares(Category::childrens_home_external)) {
        return shared_->capacity(Category::childrens_home_external, now);
      }
      return supply_->external_home_beds.value_or(-1);
    case Resource::step_down_carer:
      return supply_->step_down && supply_->step_down->max_places > 0
                 ? std::min(step_down_places_, supply_->step_down->max_places)
                 : step_down_places_;
  }
  return -1;
}

}  // namespace carecast
