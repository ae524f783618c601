// The part of the placement market a region's councils share (scenario/region.hpp): agency foster
// places, external children's home beds and supported accommodation in each council's area, and a
// joint children's home. Every council's placement searches reserve and release here, in the
// order of the region's one event queue, so no part ever holds more children than its places.
// It also counts children placed in another council's area (exported by their own council,
// imported by the host).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "scenario/region.hpp"

namespace carecast {

class SharedMarket {
 public:
  explicit SharedMarket(const Region& region);

  // Empties every place for a new replication.
  void reset();

  // Whether the region shares `category` (a part of the market); and the joint home.
  bool shares(Category category) const { return part_index_[static_cast<int>(category)] >= 0; }
  bool has_joint_home() const { return region_.joint_home.has_value(); }

  // Places `children` of council `council` together in one area of the part for `category`: their own
  // council's area if it has room, else the nearest area that has (distance band, then council
  // order). The area, or nothing when every area is full. `now`: clock days since the origin.
  std::optional<int> reserve(Category category, int council, int children, double now);
  // Beds in the joint home, open at `now`, for `children` of `council`; false when none.
  bool reserve_joint_home(int council, int children, double now);
  void release(Category category, int council, int area);
  void release_joint_home(int council);

  // Places of the part for `category` in `area` at `now` (growth applied), and in every area.
  int capacity(Category category, int area, double now) const;
  int capacity(Category category, double now) const;
  int occupied(Category category, int area) const;
  int occupied(Category category) const;
  int joint_home_beds(double now) const;
  int joint_home_occupied() const { return joint_home_occupied_; }
  // Children of `council` in a shared place in another council's area; and other councils' children
  // in shared places in `council`'s area.
  int exported(int council) const { return exported_[static_cast<std::size_t>(council)]; }
  int imported(int council) const { return imported_[static_cast<std::size_t>(council)]; }
  // Reservations refused because a part was full: how often a search of the shared market failed.
  std::int64_t refusals() const { return refusals_; }

  // The weekly price of a shared place begun at `now`: the part's price (or the council's own,
  // `council_weekly`) with the framework price from its date.
  double weekly_price(Category category, double council_weekly, double now) const;
  LocationBand band(int council, int area) const {
    return region_.distance[static_cast<std::size_t>(council)][static_cast<std::size_t>(area)];
  }
  const Region& region() const { return region_; }

 private:
  const Region& region_;
  std::array<int, kCategoryCount> part_index_{};
  // [part][area]: children placed there.
  std::vector<std::vector<int>> occupied_;
  // [part][whole years since the origin][area]: places, worked out once, since they change only on
  // each anniversary of the origin (the last year holds after).
  std::vector<std::vector<std::vector<int>>> places_by_year_;
  // [council]: the areas in the order a council's children try them.
  std::vector<std::vector<int>> search_order_;
  std::vector<int> exported_;
  std::vector<int> imported_;
  int joint_home_occupied_ = 0;
  std::int64_t refusals_ = 0;
  double joint_home_opens_ = 0;  // clock time
  double framework_from_ = 0;    // clock time
};

}  // namespace carecast
