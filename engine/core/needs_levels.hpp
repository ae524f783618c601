// A child's assessed needs level, and the highest level a place is approved for. Levels are
// ordered: a place approved for a level takes children of every lower level too.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace carecast {

enum class NeedsLevel : std::uint8_t { standard, complex, very_complex };
inline constexpr int kNeedsLevelCount = 3;
inline constexpr std::array<std::string_view, kNeedsLevelCount> kNeedsLevelNames = {"standard", "complex",
                                                                                      "very_complex"};

constexpr std::optional<NeedsLevel> parse_needs_level(std::string_view name) {
  for (int level = 0; level < kNeedsLevelCount; ++level) {
    if (kNeedsLevelNames[level] == name) return static_cast<NeedsLevel>(level);
  }
  return std::nullopt;
}

}  // namespace carecast
