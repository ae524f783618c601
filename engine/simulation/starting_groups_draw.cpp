#include "simulation/starting_groups_draw.hpp"

#include <algorithm>
#include <cmath>

namespace carecast {
namespace {

// The first and last day counts whose whole months fall in [months.min, months.max].
std::int32_t first_day_of_month(std::int32_t month) {
  return static_cast<std::int32_t>(std::ceil(static_cast<double>(month) * kDaysPerMonth));
}
std::int32_t last_day_of_month(std::int32_t month) { return first_day_of_month(month + 1) - 1; }

std::int32_t uniform_integer(std::int32_t low, std::int32_t high, StreamEngine& draws) {
  if (high <= low) return low;
  const auto width = static_cast<double>(high - low + 1);
  return low + std::min(static_cast<std::int32_t>(uniform_open01(draws) * width), high - low);
}

}  // namespace

StartingChild draw_group_child(const StartingGroup& group, int index, Date origin, StreamEngine& draws) {
  const std::int32_t age_high =
      std::min(last_day_of_month(group.age_months.max), largest_starting_age_days(origin));
  const std::int32_t care_high = std::min(last_day_of_month(group.months_in_care.max), age_high);
  const std::int32_t placement_high = std::min(last_day_of_month(group.months_in_placement.max), care_high);

  StartingChild child;
  child.category = group.category;
  child.sex = index < group.male ? Sex::male : Sex::female;
  child.uasc = index < group.uasc;
  child.days_in_placement =
      uniform_integer(std::min(first_day_of_month(group.months_in_placement.min), placement_high), placement_high, draws);
  child.days_in_care = uniform_integer(
      std::clamp(first_day_of_month(group.months_in_care.min), child.days_in_placement, care_high), care_high, draws);
  child.age_days =
      uniform_integer(std::clamp(first_day_of_month(group.age_months.min), child.days_in_care, age_high), age_high, draws);
  // Children are numbered through the counts: the first have had 1 placement, then 2, then 3+.
  child.placements_since_april = kPlacementsSinceAprilCap;
  std::int32_t below = 0;
  for (std::int32_t placements = 1; placements < kPlacementsSinceAprilCap; ++placements) {
    below += group.placements_since_april[static_cast<std::size_t>(placements - 1)];
    if (index < below) {
      child.placements_since_april = placements;
      break;
    }
  }
  // The first children placed for adoption are those whose placement before counts with it for 2
  // years or more (the group lies in the DfE long-term measure's stable class): the placement
  // before began in care, 24 whole months or more before the origin.
  if (index < group.placed_for_adoption_2_years_with_previous) {
    const std::int32_t earliest = std::max(first_day_of_month(24), child.days_in_placement + 1);
    child.days_since_previous_placement = uniform_integer(std::min(earliest, child.days_in_care), child.days_in_care, draws);
  }
  const auto days_since_april = static_cast<std::int32_t>((origin - financial_year_start(origin)).count());
  if (child.days_in_placement < days_since_april && child.days_in_care > days_since_april) {
    child.placements_since_april = std::max(child.placements_since_april, 2);
  }
  return child;
}

}  // namespace carecast
