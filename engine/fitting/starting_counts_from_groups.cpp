#include "fitting/starting_counts_from_groups.hpp"

#include <algorithm>

namespace carecast {
namespace {

double middle(const MonthRange& range) { return 0.5 * (range.min + range.max + 1); }  // months, whole months inclusive

int age_band_at_months(double months) {
  const double years = months / 12.0;
  int band = 0;
  while (band < kAgeBandCount - 1 && years >= kAgeBandStartYears[static_cast<std::size_t>(band) + 1]) ++band;
  return band;
}

}  // namespace

StartingCounts starting_counts_from_groups(const std::vector<StartingGroup>& groups) {
  StartingCounts counts;
  PerCategory<double> placement_days{};
  PerCategory<int> children{};
  PerCategory<std::array<int, kPlacementsSinceAprilCap>> since_april{};
  double care_before_days = 0;
  int all = 0;
  for (const StartingGroup& g : groups) {
    const auto c = static_cast<std::size_t>(g.category);
    const auto band = static_cast<std::size_t>(age_band_at_months(middle(g.age_months)));
    const int female = g.children - g.male;
    counts.count[c][band][0] += g.male;
    counts.count[c][band][1] += female;
    // UASC are nearly all boys: as many as the group's boys allow are counted as boys.
    const int uasc_male = std::min(g.uasc, g.male);
    counts.uasc_count[c][band][0] += uasc_male;
    counts.uasc_count[c][band][1] += std::min(g.uasc - uasc_male, female);
    const double in_placement = middle(g.months_in_placement) * kDaysPerMonth;
    placement_days[c] += g.children * in_placement;
    care_before_days += g.children * std::max(0.0, middle(g.months_in_care) * kDaysPerMonth - in_placement);
    children[c] += g.children;
    all += g.children;
    for (int k = 0; k < kPlacementsSinceAprilCap; ++k) since_april[c][static_cast<std::size_t>(k)] += g.placements_since_april[static_cast<std::size_t>(k)];
  }
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    if (children[c] > 0) counts.mean_days_in_placement[c] = std::max(1.0, placement_days[c] / children[c]);
  }
  counts.mean_days_in_care_before_placement = all > 0 ? care_before_days / all : 0;
  counts.placements_since_april = since_april;
  return counts;
}

}  // namespace carecast
