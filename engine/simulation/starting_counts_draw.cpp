#include "simulation/starting_counts_draw.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>

namespace carecast {
namespace {

double exponential1(StreamEngine& engine) {
  return boost::random::exponential_distribution<double>(1.0)(engine);
}

}  // namespace

StartingChild draw_counts_child(const StartingCounts& counts, int category, int band, int sex, int index,
                                Date origin, StreamEngine& draws) {
  // A date of birth uniformly among those that make a child of `band` at the origin.
  const Date earliest = add_years(origin, -kAgeBandStartYears[band + 1]) + std::chrono::days{1};
  const Date latest = add_years(origin, -kAgeBandStartYears[band]);
  const int span = static_cast<int>((latest - earliest).count());
  const Date dob = earliest + std::chrono::days{boost::random::uniform_int_distribution<int>(0, span)(draws)};
  const auto age_days = static_cast<std::int32_t>((origin - dob).count());

  const double in_placement = std::min(counts.mean_days_in_placement[category] * exponential1(draws),
                                       static_cast<double>(age_days));
  const double before = std::min(counts.mean_days_in_care_before_placement * exponential1(draws),
                                 static_cast<double>(age_days) - in_placement);
  StartingChild child;
  child.sex = static_cast<Sex>(sex);
  child.uasc = index < counts.uasc_count[category][band][sex];
  child.category = static_cast<Category>(category);
  child.age_days = age_days;
  child.days_in_placement = static_cast<std::int32_t>(std::floor(in_placement));
  child.days_in_care = static_cast<std::int32_t>(std::floor(in_placement + before));
  // A placement begun after the latest 1 April in a period of care begun before it is at least the
  // second placement of the collection year.
  const auto days_since_april = static_cast<std::int32_t>((origin - financial_year_start(origin)).count());
  child.placements_since_april =
      child.days_in_placement < days_since_april && child.days_in_care > child.days_in_placement ? 2 : 1;
  return child;
}

}  // namespace carecast
