#include "simulation/placement_location.hpp"

namespace carecast {

PlacementLocations::PlacementLocations(const Supply& supply) : enabled_(supply.enabled && supply.location_shares) {
  if (!enabled_) return;
  for (int c = 0; c < kCategoryCount; ++c) {
    const std::array<double, kLocationBandCount>& shares = (*supply.location_shares)[c];
    cumulative_[c] = {shares[0], shares[0] + shares[1]};
  }
}

LocationBand PlacementLocations::draw(Category provider, StreamEngine& draws) const {
  const std::array<double, kLocationBandCount - 1>& cumulative = cumulative_[static_cast<int>(provider)];
  const double u = uniform_open01(draws);
  if (u < cumulative[0]) return LocationBand::inside_council;
  if (u < cumulative[1]) return LocationBand::outside_council_within_20_miles;
  return LocationBand::outside_council_over_20_miles;
}

LocationBand PlacementLocations::band_of(const PlaceHandle& place, const SupplyPool& pool, StreamEngine& draws) const {
  if (place.category == Category::foster_in_house && place.index >= 0 && !place.step_down) {
    return pool.households()[static_cast<std::size_t>(place.index)].location;
  }
  return draw(place.category, draws);
}

}  // namespace carecast
