// Vocabulary shared by every stage: placement categories, age bands, sexes and the reasons a child
// leaves care. Enumerations are small integers so that per-child state and tally tables stay
// compact; names are the ids analysts see in scenario files and forecast.csv.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace carecast {

// Placement categories of docs/sources.md ("Placement categories"), in a fixed order (the order of forecast.csv rows).
enum class Category : std::uint8_t {
  foster_in_house,
  foster_agency,
  foster_kinship,
  placed_for_adoption,
  placed_with_parents,
  childrens_home_in_house,
  childrens_home_external,
  residential_other,
  parent_and_child,
  supported_accommodation,
  other,
};
inline constexpr int kCategoryCount = 11;

inline constexpr std::array<std::string_view, kCategoryCount> kCategoryNames = {
    "foster_in_house",         "foster_agency",           "foster_kinship",
    "placed_for_adoption",     "placed_with_parents",     "childrens_home_in_house",
    "childrens_home_external", "residential_other",       "parent_and_child",
    "supported_accommodation", "other",
};

// Foster categories are the ones from which a young person can "stay put" at 18.
constexpr bool is_foster(Category c) {
  return c == Category::foster_in_house || c == Category::foster_agency ||
         c == Category::foster_kinship;
}

// Age bands used by DfE tables. Boundaries are birthdays, so a child changes band on the exact
// calendar date of their 1st, 5th, 10th and 16th birthday; care ends on the 18th.
enum class AgeBand : std::uint8_t { under_1, from_1_to_4, from_5_to_9, from_10_to_15, from_16_to_17 };
inline constexpr int kAgeBandCount = 5;
inline constexpr std::array<std::string_view, kAgeBandCount> kAgeBandNames = {
    "under_1", "1_to_4", "5_to_9", "10_to_15", "16_to_17"};
// Age in whole years at which each band starts; index kAgeBandCount is the end of care.
inline constexpr std::array<int, kAgeBandCount + 1> kAgeBandStartYears = {0, 1, 5, 10, 16, 18};
inline constexpr int kCareEndsAtAgeYears = 18;

enum class Sex : std::uint8_t { male, female };
inline constexpr int kSexCount = 2;
inline constexpr std::array<std::string_view, kSexCount> kSexNames = {"male", "female"};

// Why a child stopped being looked after. The first kDestinationExitCount reasons can follow the
// end of a placement; the last two happen only on the 18th birthday.
enum class ExitReason : std::uint8_t {
  returned_home,
  special_guardianship,
  adoption,
  child_arrangements_order,
  independent_living,
  other,
  aged_18,
  staying_put,
};
inline constexpr int kExitReasonCount = 8;
inline constexpr int kDestinationExitCount = 6;
inline constexpr std::array<std::string_view, kExitReasonCount> kExitReasonNames = {
    "returned_home",           "special_guardianship", "adoption", "child_arrangements_order",
    "independent_living",      "other",                "aged_18",  "staying_put",
};

// When a placement ends the child either starts a new placement in some category (possibly the
// same one: a move between carers of the same kind) or leaves care. Outcome indices 0..10 are
// categories; kCategoryCount + r is exit reason r.
inline constexpr int kOutcomeCount = kCategoryCount + kDestinationExitCount;
inline constexpr std::string_view kExitOutcomePrefix = "exit_";

constexpr int outcome_of(Category c) { return static_cast<int>(c); }
constexpr int outcome_of(ExitReason r) { return kCategoryCount + static_cast<int>(r); }
constexpr bool outcome_is_exit(int outcome) { return outcome >= kCategoryCount; }

std::optional<Category> parse_category(std::string_view name);
std::optional<AgeBand> parse_age_band(std::string_view name);
std::optional<Sex> parse_sex(std::string_view name);
// Outcome names are category ids and "exit_" + a destination exit reason.
std::optional<int> parse_outcome(std::string_view name);
std::string_view outcome_name(int outcome);  // returns the category id or the bare reason

constexpr std::string_view name_of(Category c) { return kCategoryNames[static_cast<int>(c)]; }
constexpr std::string_view name_of(AgeBand b) { return kAgeBandNames[static_cast<int>(b)]; }
constexpr std::string_view name_of(Sex s) { return kSexNames[static_cast<int>(s)]; }
constexpr std::string_view name_of(ExitReason r) { return kExitReasonNames[static_cast<int>(r)]; }

}  // namespace carecast
