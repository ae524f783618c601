#include "core/categories.hpp"

namespace carecast {
namespace {
template <typename Enum, std::size_t N>
std::optional<Enum> find_name(const std::array<std::string_view, N>& names, std::string_view name) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}
}  // namespace

std::optional<Category> parse_category(std::string_view name) {
  return find_name<Category>(kCategoryNames, name);
}
std::optional<AgeBand> parse_age_band(std::string_view name) {
  return find_name<AgeBand>(kAgeBandNames, name);
}
std::optional<Sex> parse_sex(std::string_view name) { return find_name<Sex>(kSexNames, name); }

std::optional<int> parse_outcome(std::string_view name) {
  if (auto c = parse_category(name)) return outcome_of(*c);
  if (name.substr(0, kExitOutcomePrefix.size()) != kExitOutcomePrefix) return std::nullopt;
  const std::string_view reason = name.substr(kExitOutcomePrefix.size());
  for (int r = 0; r < kDestinationExitCount; ++r) {
    if (kExitReasonNames[r] == reason) return kCategoryCount + r;
  }
  return std::nullopt;
}

std::string_view outcome_name(int outcome) {
  return outcome_is_exit(outcome) ? kExitReasonNames[outcome - kCategoryCount]
                                  : kCategoryNames[outcome];
}

}  // namespace carecast
