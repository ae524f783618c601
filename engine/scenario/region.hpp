// A region: several councils, each a scenario of its own, whose children compete for one shared
// placement market (agency foster places, external children's home beds, supported
// accommodation) in one event queue per replication. Format: docs/regions.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/categories.hpp"
#include "core/location_bands.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// Categories a region's market can share. A shared part replaces each council's own cap on it
// ([supply] agency_places, external_home_beds); supported accommodation, unlimited for a council
// alone, becomes finite.
inline constexpr std::array<Category, 3> kShareableCategories = {
    Category::foster_agency, Category::childrens_home_external, Category::supported_accommodation};

// One part of the shared market: its places in each council's area, how they change, its price.
struct SharedMarketPart {
  Category category = Category::foster_agency;
  // Places in each council's area at the origin, in the region's council order.
  std::vector<int> places_by_area;
  // Relative change of each area's places a year, compounded from the origin (whole places, rounded
  // down). Places that go leave nobody without a placement: no child is moved, new placements wait.
  double growth_per_year = 0;
  // £ a week of a placement in this part, in each council's base-year prices; unset: each council's
  // own [costs.weekly] price for the category.
  std::optional<double> weekly_price;
};

// A children's home owned by the councils together (regional option): beds in one council's area,
// open from a date, its running cost a year shared equally by the councils. A child needing
// residential care tries its own council's homes, then the joint home, then external homes.
struct JointHome {
  std::size_t host = 0;  // council whose area it is in
  int beds = 0;
  Date opens;
  double annual_cost = 0;
};

// A recruitment hub run for the region: enquiries from would-be foster carers added to every
// council's own, shared out in proportion to each council's in-house carer households at the origin.
struct RecruitmentHub {
  Ramp extra_enquiries_per_year;
};

// A regional framework price: from a date, the shared parts' weekly prices change by this fraction
// (-0.05: five per cent lower) for placements begun on or after it.
struct FrameworkPrice {
  Date from;
  double price_change = 0;
};

struct RegionCouncil {
  std::string name;  // letters, digits, '_' and '-': it names the council's output folder
  std::filesystem::path scenario_file;
  Scenario scenario;
};

struct Region {
  std::string name;
  // Whether the councils' uncertain rates and year-to-year variation are drawn together in each run
  // (one set of draws, each council's rates moved by them from its own evidence), as when the
  // uncertainty is the region's or the nation's: a shock to entries everywhere at once. false: each
  // council draws its own, independently of the others.
  bool common_uncertainty = false;
  std::vector<RegionCouncil> councils;   // at least one; every scenario has the same origin and horizon
  std::vector<SharedMarketPart> market;  // at most one part per category
  // distance[c][a]: the band of a place in council a's area for a child of council c. The diagonal is
  // inside_council. Decides which area a shared place is sought in first (nearest, then council order).
  std::vector<std::vector<LocationBand>> distance;
  std::optional<JointHome> joint_home;
  std::optional<RecruitmentHub> recruitment_hub;
  std::optional<FrameworkPrice> framework_price;
  std::vector<std::filesystem::path> source_files;  // the region file, then each council's files

  const SharedMarketPart* part(Category category) const {
    for (const SharedMarketPart& p : market) {
      if (p.category == category) return &p;
    }
    return nullptr;
  }
};

}  // namespace carecast
