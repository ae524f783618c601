// Where a placement is, as councils and the Department for Education report it: inside the
// council's own area, outside it but within 20 miles of the child's home, or further. The band
// belongs to the placement (the carers or home chosen), not to the child.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace carecast {

enum class LocationBand : std::uint8_t { inside_council, outside_council_within_20_miles, outside_council_over_20_miles };
inline constexpr int kLocationBandCount = 3;
// Scenario keys: the unit (miles) is in the name.
inline constexpr std::array<std::string_view, kLocationBandCount> kLocationBandNames = {
    "inside_council", "outside_council_within_20_miles", "outside_council_over_20_miles"};

constexpr std::optional<LocationBand> parse_location_band(std::string_view name) {
  for (int b = 0; b < kLocationBandCount; ++b) {
    if (kLocationBandNames[b] == name) return static_cast<LocationBand>(b);
  }
  return std::nullopt;
}

}  // namespace carecast
