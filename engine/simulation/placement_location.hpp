// Distance from home: each placement's location band (inside the council's area, outside it within
// 20 miles, further), an outcome of the provider chosen, and the children in each band. An
// in-house carer household lives in one place, so its band is drawn once, when it is approved, and
// siblings placed there together share it; every other placement draws its band as it starts,
// from the shares the scenario gives its provider ([supply.location]). Nothing is drawn, and
// nothing counted, for a scenario without [supply.location].
#pragma once

#include <array>

#include "core/location_bands.hpp"
#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"
#include "simulation/supply_pool.hpp"

namespace carecast {

class PlacementLocations {
 public:
  explicit PlacementLocations(const Supply& supply);

  bool enabled() const { return enabled_; }
  // The band of a new placement in `place`: its household's, for an in-house carer household;
  // otherwise drawn from its provider's shares (an unregistered arrangement is category `other`).
  LocationBand band_of(const PlaceHandle& place, const SupplyPool& pool, StreamEngine& draws) const;
  // The band of an in-house carer household, drawn when it is approved.
  LocationBand household_band(StreamEngine& draws) const { return draw(Category::foster_in_house, draws); }

  // The children placed in each band now.
  void clear() { placed_.fill(0); }
  void arrive(LocationBand band) { ++placed_[static_cast<int>(band)]; }
  void leave(LocationBand band) { --placed_[static_cast<int>(band)]; }
  int outside_council() const {
    return placed_[static_cast<int>(LocationBand::outside_council_within_20_miles)] + over_20_miles();
  }
  int over_20_miles() const { return placed_[static_cast<int>(LocationBand::outside_council_over_20_miles)]; }

 private:
  bool enabled_ = false;
  // Per provider: the chance of the first band, and of the first two, for drawing by inversion.
  PerCategory<std::array<double, kLocationBandCount - 1>> cumulative_{};
  std::array<int, kLocationBandCount> placed_{};

  LocationBand draw(Category provider, StreamEngine& draws) const;
};

}  // namespace carecast
