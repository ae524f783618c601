// The places children can be placed in, when supply is finite: in-house carer households with
// their places and approval ranges, in-house children's home beds, capped agency and external
// places, and specialist step-down carers. It only keeps the books; when and why carers join and
// leave is decided by the replication's events.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "core/categories.hpp"
#include "core/location_bands.hpp"
#include "core/needs_levels.hpp"
#include "scenario/scenario.hpp"
#include "simulation/ordered_index_set.hpp"

namespace carecast {

// Resources reported in places_available / places_occupied.
enum class Resource : std::uint8_t {
  foster_in_house,
  foster_agency,
  childrens_home_in_house,
  childrens_home_external,
  step_down_carer
};
inline constexpr int kResourceCount = 5;
inline constexpr std::array<std::string_view, kResourceCount> kResourceNames = {
    "foster_in_house", "foster_agency", "childrens_home_in_house", "childrens_home_external", "step_down_carer"};

struct Household {
  std::uint8_t places = 1;
  std::uint8_t occupied = 0;
  std::uint8_t min_age_years = 0;
  std::uint8_t max_age_years = 17;
  bool takes_sibling_groups = false;
  bool mockingbird = false;
  bool active = true;
  LocationBand location = LocationBand::inside_council;  // where the carers live: their children's band
  // The highest needs level the household is approved for ([supply.needs]); without needs, every level.
  NeedsLevel approved_up_to = NeedsLevel::very_complex;
};

// Where a child is placed: the category and, for in-house foster care and in-house homes, which
// household or home; -1 otherwise.
struct PlaceHandle {
  Category category = Category::other;
  std::int32_t index = -1;
  bool step_down = false;     // a specialist step-down carer place
  bool unregistered = false;  // nothing registered was free: an unregistered arrangement (category other)
  bool joint_home = false;    // a bed in a region's joint children's home (category childrens_home_in_house)
  std::int16_t area = -1;     // a place of a region's shared market: the council area it is in
};

class SharedMarket;

class SupplyPool {
 public:
  void reset(const Supply& supply);
  // In a region: the categories the region shares are reserved in `market` for council `council`
  // (kept across reset). Their places reported are the region's; those occupied, this council's.
  void share_market(SharedMarket* market, int council) {
    shared_ = market;
    council_ = council;
  }

  std::int32_t add_household(const Household& household);
  Household& household(std::int32_t index) { return households_[static_cast<std::size_t>(index)]; }
  const std::vector<Household>& households() const { return households_; }
  // Ends a household's approval; its children must be moved by the caller.
  void deregister(std::int32_t index);
  int active_households() const { return active_households_; }

  // Reserves places in `category` for children of the given ages (whole years, at the moment of
  // placement), all together. For in-house foster care that needs one household with enough free
  // places whose approval range covers every age, and that takes sibling groups if more than one.
  // Returns nothing when there is no such place.
  // In-house households must also be approved for `needs` (the highest level among the children).
  std::optional<PlaceHandle> reserve(Category category, std::span<const int> ages_years, double now,
                                     NeedsLevel needs = NeedsLevel::standard);
  // In-house households that could take children of these ages together now: active, with
  // enough free places, approved for every age and for `needs`, taking sibling groups if more
  // than one child.
  int suitable_households(std::span<const int> ages_years, NeedsLevel needs = NeedsLevel::standard) const;
  // For a match, in two steps: find_suitable counts the suitable households (as
  // suitable_households) and keeps their kinds' sets; reserve_nth_found reserves the `n`th (from 0,
  // in index order) of them, `n` below that count, reading a few counts and bitmap words of each
  // suitable kind's set, whatever n and the size of the pool. Nothing may change the pool in between.
  int find_suitable(std::span<const int> ages_years, NeedsLevel needs = NeedsLevel::standard);
  PlaceHandle reserve_nth_found(int n);
  std::optional<PlaceHandle> reserve_step_down();
  // Where children go when nothing registered is free: always there, and counted.
  PlaceHandle reserve_unregistered(int children) {
    unregistered_ += children;
    return PlaceHandle{Category::other, -1, false, true};
  }
  int unregistered() const { return unregistered_; }
  void release(const PlaceHandle& place);

  void add_step_down_places(int places) { step_down_places_ += places; }
  // Homes open and close by date; `now` is a clock time in days since the origin.
  void set_home_times(std::vector<std::pair<double, double>> open_close_times) {
    home_times_ = std::move(open_close_times);
  }
  bool home_open(std::size_t home, double now) const {
    return home_times_[home].first <= now && now < home_times_[home].second;
  }

  // Places at a reporting snapshot taken at clock time `now`; -1 for unlimited.
  int available(Resource resource, double now) const;
  int occupied(Resource resource) const { return occupied_[static_cast<int>(resource)]; }

 private:
  // Children to be placed together, as a kind's filter reads them: their ages as a set of bits
  // (one test for the whole group against a kind's approval range), worked out once per search.
  struct Seekers {
    explicit Seekers(std::span<const int> ages_years, NeedsLevel needs_level);
    std::span<const int> ages;
    NeedsLevel needs;
    std::uint64_t age_bits = 0;  // bit a: a child aged a (for ages 0 to 63)
    bool ages_are_bits = true;   // false when an age falls outside 0 to 63: then each is compared
  };
  // Households that take the same children: the same approval range, sibling rule and needs
  // levels. A scenario has a handful of kinds, whatever the number of households.
  struct HouseholdKind {
    std::uint8_t min_age_years;
    std::uint8_t max_age_years;
    bool takes_sibling_groups;
    NeedsLevel approved_up_to;
    std::uint8_t places = 0;     // the most places of a household of this kind
    std::uint64_t age_bits = 0;  // bit a: approved for age a (for ages 0 to 63)
    bool takes(const Seekers& seekers) const;
  };
  const Supply* supply_ = nullptr;
  SharedMarket* shared_ = nullptr;
  int council_ = 0;
  std::optional<PlaceHandle> reserve_shared(Category category, int children, double now);
  std::vector<Household> households_;
  // The free-place index: the first household with room for some children is the smallest index
  // among the kinds that take them, so a reservation looks at each kind once instead of scanning
  // households. The kinds are a small array of their own, not a vector inside each kind: a search
  // reads every kind's filter, and in a region every council's pool is searched in turn, so they
  // are mostly out of cache.
  std::vector<HouseholdKind> kinds_;
  // [kind * free_stride_ + f - 1]: active households of the kind with at least f free places (a
  // set, by index, which counts its members).
  std::vector<OrderedIndexSet> with_free_;
  // Each set's size, side by side: a search reads the counts of the kinds that suit, and a set
  // itself only when it reserves from it (in a region, most councils' pools are out of cache).
  std::vector<std::int32_t> free_counts_;
  std::size_t free_stride_ = 0;  // the most places of any household added
  std::size_t free_slot(std::size_t kind, std::size_t free_places) const {
    return kind * free_stride_ + free_places - 1;
  }
  // Room in the index for one more kind, or for households of `places` places.
  void widen_free_index(std::size_t kinds, std::size_t places);
  std::vector<std::uint16_t> kind_of_;     // each household's kind
  std::vector<std::uint8_t> listed_free_;  // the free places each household is listed with
  int active_households_ = 0;
  int active_places_ = 0;  // places of active households
  std::vector<int> home_occupied_;
  std::vector<std::pair<double, double>> home_times_;
  OrderedIndexSet homes_with_free_beds_;
  int step_down_places_ = 0;
  std::array<int, kResourceCount> occupied_{};
  int unregistered_ = 0;  // children in unregistered arrangements

  // find_suitable's finding: the sets of the kinds that take the children being matched, and how
  // many children they are.
  std::vector<const OrderedIndexSet*> suitable_sets_;
  int found_for_ = 0;
  // Most searches are for one child: the kinds that take a child of age a and needs level l are
  // single_kinds_[single_kinds_start_[a * kNeedsLevelCount + l]] up to the next start, listed again
  // only when a kind is added or a kind's places grow (a kind's filter reads its places).
  static constexpr int kAgeBitCount = 64;
  std::vector<std::uint16_t> single_kinds_;
  std::vector<std::uint32_t> single_kinds_start_;
  bool single_kinds_stale_ = true;
  void list_single_kinds();
  void track_free_places(std::int32_t index);
  PlaceHandle fill_household(std::int32_t index, int children);
  void track_free_beds(std::size_t home);
};

}  // namespace carecast
