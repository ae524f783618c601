// Disclosure control for the calibrated starting population.
//
// The children looked after at the origin are real children: their exact ages and times in care
// give back their dates of birth and care dates, which are special-category personal data. So
// calibration never writes them. It coarsens each child to whole months and then partitions the
// children into groups of at least kMinimumStartingGroupSize (Mondrian multidimensional
// k-anonymity, LeFevre, DeWitt and Ramakrishnan 2006): a group is described only by its
// category counts and the ranges of months its members span, and the engine draws each child's
// days within those ranges afresh in every replication.
//
// Categories with at least k children keep their own groups, so the stock by category at the
// origin stays exact and ages and durations stay tied to their category. Children of categories
// with fewer than k are pooled into shared groups, which count them by category. Before either,
// the children are parted by where they stand in the DfE long-term stability measure (aged 16 or
// over; under 16 and in care under 2.5 years; counted and in their placement under 2 years;
// counted and for 2 years or more), wherever a part keeps at least k, so that the measure at the
// origin comes back exactly from the groups.
#pragma once

#include <vector>

#include "scenario/scenario.hpp"

namespace carecast {

struct MonthlyChild {
  Category category = Category::foster_in_house;
  bool male = true;
  bool uasc = false;
  std::int32_t age_months = 0;
  std::int32_t months_in_care = 0;
  std::int32_t months_in_placement = 0;
  std::int32_t placements_since_april = 1;  // capped at kPlacementsSinceAprilCap
  // Placed for adoption, and 2 years or more in placement counting the one before it.
  bool adoptive_2_years_with_previous = false;
};

// Whole months (of kDaysPerMonth days) in `days`, rounded down.
std::int32_t whole_months(std::int32_t days);

// The starting children as groups of at least `minimum_group_size` (fewer only if there are
// fewer children in all). Rows sharing ranges form one group; each row is one category of it.
// Deterministic: the same children in any order give the same groups.
std::vector<StartingGroup> group_starting_children(const std::vector<StartingChild>& children,
                                                   int minimum_group_size = kMinimumStartingGroupSize);

}  // namespace carecast
