// Where a care leaver (a young person aged 18 to 25 who was looked after) is living or how they
// are supported. Staying put (with the former foster carer, to 21) and staying close (near the
// former children's home) can only begin on leaving care; the other statuses can be reached later.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace carecast {

enum class CareLeaverStatus : std::uint8_t {
  staying_put,
  staying_close,
  supported_lodgings_or_semi_independent,
  independent,
  custody_or_not_known,
};
inline constexpr int kCareLeaverStatusCount = 5;
inline constexpr std::array<std::string_view, kCareLeaverStatusCount> kCareLeaverStatusNames = {
    "staying_put", "staying_close", "supported_lodgings_or_semi_independent", "independent",
    "custody_or_not_known"};

// Whether a young person can move into the status after leaving care (every status but staying
// put and staying close, which are arrangements made as care ends).
constexpr bool reachable_after_leaving(CareLeaverStatus status) {
  return status != CareLeaverStatus::staying_put && status != CareLeaverStatus::staying_close;
}

// The age bands care leavers are reported in: 18 to 20 and 21 to 25.
inline constexpr int kCareLeaverAgeBandCount = 2;
inline constexpr std::array<std::string_view, kCareLeaverAgeBandCount> kCareLeaverAgeBandNames = {"18_to_20",
                                                                                                  "21_to_25"};

constexpr std::optional<CareLeaverStatus> parse_care_leaver_status(std::string_view name) {
  for (int s = 0; s < kCareLeaverStatusCount; ++s) {
    if (kCareLeaverStatusNames[s] == name) return static_cast<CareLeaverStatus>(s);
  }
  return std::nullopt;
}

constexpr std::string_view name_of(CareLeaverStatus s) { return kCareLeaverStatusNames[static_cast<int>(s)]; }

}  // namespace carecast
