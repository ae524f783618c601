#include "scenario/starting_groups_reader.hpp"

#include <algorithm>
#include <string>

namespace carecast {

const std::vector<std::string_view> kStartingGroupColumns = {
    "category",           "children",           "male",
    "uasc",               "age_months_min",     "age_months_max",
    "months_in_care_min", "months_in_care_max", "months_in_placement_min",
    "months_in_placement_max", "placements_since_april_1", "placements_since_april_2",
    "placements_since_april_3_or_more", "placed_for_adoption_2_years_with_previous"};

namespace {

// The oldest a child looked after can be, in whole months: 17 years and 11 months.
constexpr std::int32_t kLargestAgeMonths = 12 * kCareEndsAtAgeYears - 1;
// One council's starting group: far more than any council looks after.
constexpr std::int32_t kLargestGroup = 100000;

std::string all_columns() {
  std::string text;
  for (std::string_view name : kStartingGroupColumns) text.append(text.empty() ? "" : ", ").append(name);
  return text;
}

}  // namespace

std::vector<StartingGroup> read_starting_groups(
    const CsvTable& csv, const std::function<void(Category, const InputLocation&)>& on_category) {
  for (std::size_t column = 0; column < csv.columns().size(); ++column) {
    if (std::find(kStartingGroupColumns.begin(), kStartingGroupColumns.end(), csv.columns()[column]) ==
        kStartingGroupColumns.end()) {
      throw InputError(csv.header_location(column), "unknown column; the columns are exactly: " + all_columns());
    }
  }
  std::vector<std::size_t> at;
  // The last column came later: files written before it have none (and no such children).
  const std::string_view optional_column = kStartingGroupColumns.back();
  for (std::string_view name : kStartingGroupColumns) {
    if (name != optional_column) at.push_back(csv.require_column(name));
  }
  const auto& header = csv.columns();
  const auto optional_at = std::find(header.begin(), header.end(), optional_column);
  const bool has_optional = optional_at != header.end();

  // Values are never quoted back: the file describes real children, even if only in groups.
  auto read = [&csv](std::size_t row, std::size_t column, std::int32_t low, std::int32_t high, std::string_view what) {
    const std::int64_t value = csv.integer(row, column);
    if (value < low || value > high) {
      throw InputError(csv.location(row, column), "expected " + std::string(what) + ", from " + std::to_string(low) +
                                                      " to " + std::to_string(high));
    }
    return static_cast<std::int32_t>(value);
  };
  auto read_range = [&](std::size_t row, std::size_t min_column, std::size_t max_column, std::int32_t low,
                        std::int32_t high, std::string_view what) {
    MonthRange range{read(row, min_column, low, high, what), read(row, max_column, low, high, what)};
    if (range.max < range.min) throw InputError(csv.location(row, max_column), "must not be below the _min column");
    return range;
  };

  std::vector<StartingGroup> groups;
  for (std::size_t row = 0; row < csv.row_count(); ++row) {
    StartingGroup group;
    const std::optional<Category> category = parse_category(csv.field(row, at[0]));
    if (!category) {
      std::string names;
      for (std::string_view name : kCategoryNames) names.append(names.empty() ? "" : ", ").append(name);
      throw InputError(csv.location(row, at[0]), "expected a category id: " + names);
    }
    group.category = *category;
    on_category(group.category, csv.location(row, at[0]));
    group.children = read(row, at[1], 1, kLargestGroup, "a number of children");
    group.male = read(row, at[2], 0, group.children, "a number of boys, at most children");
    group.uasc = read(row, at[3], 0, group.children, "a number of UASC, at most children");
    group.age_months = read_range(row, at[4], at[5], 0, kLargestAgeMonths, "an age in whole months");
    group.months_in_care = read_range(row, at[6], at[7], 0, kLargestAgeMonths, "whole months in care");
    group.months_in_placement = read_range(row, at[8], at[9], 0, kLargestAgeMonths, "whole months in placement");
    std::int32_t with_placements = 0;
    for (std::size_t k = 0; k < group.placements_since_april.size(); ++k) {
      group.placements_since_april[k] = read(row, at[10 + k], 0, group.children, "a number of children, at most children");
      with_placements += group.placements_since_april[k];
    }
    if (with_placements != group.children) {
      throw InputError(csv.location(row, at[12]),
                       "the three placements_since_april counts must add up to children: every child has had 1, 2, "
                       "or 3 or more placements since 1 April");
    }
    if (has_optional) {
      const auto column = static_cast<std::size_t>(optional_at - header.begin());
      group.placed_for_adoption_2_years_with_previous = read(row, column, 0, group.children, "a number of children, at most children");
      if (group.placed_for_adoption_2_years_with_previous > 0 &&
          (group.category != Category::placed_for_adoption || group.months_in_care.max < 24)) {
        throw InputError(csv.location(row, column),
                         "must be 0 unless the category is placed_for_adoption and the children have been in care 24 "
                         "months or more");
      }
    }
    // Ranges some child can satisfy: placement within care, care within age.
    if (group.months_in_placement.min > group.months_in_care.max) {
      throw InputError(csv.location(row, at[8]), "must be at most months_in_care_max: a placement lies within care");
    }
    if (group.months_in_care.min > group.age_months.max) {
      throw InputError(csv.location(row, at[6]), "must be at most age_months_max: care lies within the child's life");
    }
    groups.push_back(group);
  }
  return groups;
}

}  // namespace carecast
