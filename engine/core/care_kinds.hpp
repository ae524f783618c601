// Kinds of care: what a child needs, as opposed to who provides it. With finite supply a
// placement draw names a kind of care (family foster care, residential care, ...) and the
// placement market decides the provider (in-house or agency carers, the council's own home or an
// external one) from what is free. Placement categories are providers; several share a kind.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/categories.hpp"

namespace carecast {

enum class CareKind : std::uint8_t {
  family_foster,
  kinship,
  residential,
  supported_accommodation,
  parent_and_child,
  placed_with_parents,
  placed_for_adoption,
};
inline constexpr int kCareKindCount = 7;
inline constexpr std::array<std::string_view, kCareKindCount> kCareKindNames = {
    "family_foster",   "kinship",           "residential",        "supported_accommodation",
    "parent_and_child", "placed_with_parents", "placed_for_adoption",
};

// The kind of care a placement category provides. residential_other (secure units, hostels,
// health settings) and `other` are no kind a council commissions from a market: a child drawn
// for them is placed there as drawn.
constexpr std::optional<CareKind> care_kind_of(Category c) {
  switch (c) {
    case Category::foster_in_house:
    case Category::foster_agency:
      return CareKind::family_foster;
    case Category::foster_kinship:
      return CareKind::kinship;
    case Category::childrens_home_in_house:
    case Category::childrens_home_external:
      return CareKind::residential;
    case Category::supported_accommodation:
      return CareKind::supported_accommodation;
    case Category::parent_and_child:
      return CareKind::parent_and_child;
    case Category::placed_with_parents:
      return CareKind::placed_with_parents;
    case Category::placed_for_adoption:
      return CareKind::placed_for_adoption;
    default:
      return std::nullopt;
  }
}

constexpr std::string_view name_of(CareKind k) { return kCareKindNames[static_cast<int>(k)]; }

constexpr std::optional<CareKind> parse_care_kind(std::string_view name) {
  for (int k = 0; k < kCareKindCount; ++k) {
    if (kCareKindNames[k] == name) return static_cast<CareKind>(k);
  }
  return std::nullopt;
}

}  // namespace carecast
