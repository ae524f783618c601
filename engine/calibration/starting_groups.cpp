#include "calibration/starting_groups.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <tuple>

namespace carecast {
namespace {

// The dimensions a group is split on, in the order ties are broken: UASC first (their ages and
// routes into care differ most), then age, time in care, time in placement, sex, placements.
constexpr int kDimensionCount = 6;

std::int32_t coordinate(const MonthlyChild& child, int dimension) {
  switch (dimension) {
    case 0: return child.uasc ? 1 : 0;
    case 1: return child.age_months;
    case 2: return child.months_in_care;
    case 3: return child.months_in_placement;
    case 4: return child.male ? 1 : 0;
    default: return child.placements_since_april;
  }
}

// How far apart two children are on a dimension, for choosing where to split. Times in care and
// in placement count on a log scale: the chance that a placement ends changes most in its first
// months (the duration bands are 0, 1, 3, 6, 12 and 24 months), so 1 month against 4 matters
// far more than 61 against 64.
double scaled(const MonthlyChild& child, int dimension) {
  const double x = coordinate(child, dimension);
  return dimension == 2 || dimension == 3 ? std::log1p(x) : x;
}

auto sort_key(const MonthlyChild& c) {
  return std::make_tuple(c.category, c.uasc, c.age_months, c.months_in_care, c.months_in_placement, c.male,
                         c.placements_since_april);
}

using Members = std::vector<MonthlyChild>;

// The DfE long-term stability measure at the origin: children under 16 looked after for at least
// 2.5 years count, and those of them in the same placement for at least 2 years are stable. A
// group whose ranges straddle these lines lets the engine draw a child on the wrong side of them,
// so the origin's published figure would not come back and every later year would start from a
// blurred mix of long and short placements. Parts are cut along these lines first, wherever both
// sides keep at least k children (a class with fewer joins the largest); then a group's ranges lie on one side, and the engine's draws
// within them keep each child's place in the measure.
constexpr std::int32_t kLongTermAgeLimitMonths = 16 * 12;
constexpr std::int32_t kLongTermMonthsInCare = 30;
constexpr std::int32_t kLongTermMonthsInPlacement = 24;

// 0: aged 16 or over; 1: under 16, in care under 2.5 years; 2: counted, not stable; 3: counted
// and stable. Each class is a box in (age, time in care, time in placement), so the box of any
// group within it lies inside it too.
int long_term_class(const MonthlyChild& child) {
  if (child.age_months >= kLongTermAgeLimitMonths) return 0;
  if (child.months_in_care < kLongTermMonthsInCare) return 1;
  // A child placed for adoption who is stable only with the placement before stays in class 2 by
  // its own placement's months, so that no group's ranges straddle 24 months; its row counts it
  // (placed_for_adoption_2_years_with_previous) and the engine draws the placement before.
  return child.months_in_placement >= kLongTermMonthsInPlacement ? 3 : 2;
}
constexpr int kLongTermClassCount = 4;

class Partitioner {
 public:
  Partitioner(const Members& everyone, int k) : k_(k) {
    for (int d = 0; d < kDimensionCount; ++d) {
      double low = 0;
      double high = 0;
      for (std::size_t i = 0; i < everyone.size(); ++i) {
        const double x = scaled(everyone[i], d);
        low = i == 0 ? x : std::min(low, x);
        high = i == 0 ? x : std::max(high, x);
      }
      span_[static_cast<std::size_t>(d)] = std::max(1e-9, high - low);
    }
  }

  // Splits `members` (at least k of them) recursively; each leaf becomes a group.
  void split(Members members, std::vector<StartingGroup>& groups) const {
    const std::size_t n = members.size();
    if (n >= 2 * static_cast<std::size_t>(k_)) {
      // The dimension whose values this part spreads over most, relative to everyone's spread.
      int best = -1;
      double widest = 0;
      for (int d = 0; d < kDimensionCount; ++d) {
        double low = scaled(members[0], d);
        double high = low;
        for (const MonthlyChild& m : members) {
          low = std::min(low, scaled(m, d));
          high = std::max(high, scaled(m, d));
        }
        const double width = (high - low) / span_[static_cast<std::size_t>(d)];
        if (width > widest) {
          widest = width;
          best = d;
        }
      }
      if (best >= 0) {
        // Relaxed Mondrian: cut the sorted part at its middle, so both halves hold at least k.
        std::stable_sort(members.begin(), members.end(), [best](const MonthlyChild& a, const MonthlyChild& b) {
          return std::make_tuple(coordinate(a, best), sort_key(a)) < std::make_tuple(coordinate(b, best), sort_key(b));
        });
        const auto middle = members.begin() + static_cast<std::ptrdiff_t>(n / 2);
        split(Members(members.begin(), middle), groups);
        split(Members(middle, members.end()), groups);
        return;
      }
    }
    emit(members, groups);
  }

 private:
  static MonthRange range_of(const Members& members, std::int32_t MonthlyChild::*field) {
    MonthRange range{members.front().*field, members.front().*field};
    for (const MonthlyChild& m : members) {
      range.min = std::min(range.min, m.*field);
      range.max = std::max(range.max, m.*field);
    }
    return range;
  }

  static void emit(const Members& members, std::vector<StartingGroup>& groups) {
    StartingGroup shared;
    shared.age_months = range_of(members, &MonthlyChild::age_months);
    shared.months_in_care = range_of(members, &MonthlyChild::months_in_care);
    shared.months_in_placement = range_of(members, &MonthlyChild::months_in_placement);
    std::map<Category, StartingGroup> by_category;
    for (const MonthlyChild& m : members) {
      auto [it, added] = by_category.try_emplace(m.category, shared);
      StartingGroup& row = it->second;
      row.category = m.category;
      ++row.children;
      if (m.male) ++row.male;
      if (m.uasc) ++row.uasc;
      ++row.placements_since_april[static_cast<std::size_t>(m.placements_since_april - 1)];
      if (m.adoptive_2_years_with_previous) ++row.placed_for_adoption_2_years_with_previous;
    }
    for (const auto& [category, row] : by_category) groups.push_back(row);
  }

  int k_;
  std::array<double, kDimensionCount> span_{};
};

}  // namespace

std::int32_t whole_months(std::int32_t days) {
  return static_cast<std::int32_t>(std::floor(static_cast<double>(days) / kDaysPerMonth));
}

std::vector<StartingGroup> group_starting_children(const std::vector<StartingChild>& children,
                                                   int minimum_group_size) {
  const int k = std::max(1, minimum_group_size);
  Members everyone;
  everyone.reserve(children.size());
  for (const StartingChild& child : children) {
    everyone.push_back(MonthlyChild{child.category, child.sex == Sex::male, child.uasc, whole_months(child.age_days),
                                    whole_months(child.days_in_care), whole_months(child.days_in_placement),
                                    std::clamp(child.placements_since_april, 1, kPlacementsSinceAprilCap),
                                    whole_months(child.days_since_previous_placement) >= kLongTermMonthsInPlacement});
  }
  // Sorted first, so the groups do not depend on the order of the input (which follows identifiers).
  std::sort(everyone.begin(), everyone.end(),
            [](const MonthlyChild& a, const MonthlyChild& b) { return sort_key(a) < sort_key(b); });

  const auto largest_of = [](std::vector<Members>& parts) {
    return std::max_element(parts.begin(), parts.end(),
                            [](const Members& a, const Members& b) { return a.size() < b.size(); });
  };
  // Classes of the long-term stability measure first (above); a class of fewer than k joins the
  // largest, in class order so that the result does not depend on ties.
  std::vector<Members> classes(kLongTermClassCount);
  for (const MonthlyChild& child : everyone) classes[static_cast<std::size_t>(long_term_class(child))].push_back(child);
  std::vector<Members> measure_parts;
  Members small_classes;
  for (Members& members : classes) {
    if (static_cast<int>(members.size()) >= k) {
      measure_parts.push_back(std::move(members));
    } else {
      small_classes.insert(small_classes.end(), members.begin(), members.end());
    }
  }
  if (measure_parts.empty()) {
    measure_parts.push_back(std::move(small_classes));
  } else {
    const auto largest = largest_of(measure_parts);
    largest->insert(largest->end(), small_classes.begin(), small_classes.end());
  }

  // Within each, parts: each category with at least k children, and one pool of the rest. A pool
  // smaller than k joins the largest part.
  std::vector<Members> parts;
  for (const Members& measure_part : measure_parts) {
    std::map<Category, Members> by_category;
    for (const MonthlyChild& child : measure_part) by_category[child.category].push_back(child);
    std::vector<Members> category_parts;
    Members pool;
    for (auto& [category, members] : by_category) {
      if (static_cast<int>(members.size()) >= k) {
        category_parts.push_back(std::move(members));
      } else {
        pool.insert(pool.end(), members.begin(), members.end());
      }
    }
    if (!pool.empty()) {
      if (static_cast<int>(pool.size()) >= k || category_parts.empty()) {
        category_parts.push_back(std::move(pool));
      } else {
        const auto largest = largest_of(category_parts);
        largest->insert(largest->end(), pool.begin(), pool.end());
      }
    }
    for (Members& part : category_parts) parts.push_back(std::move(part));
  }

  std::vector<StartingGroup> groups;
  const Partitioner partitioner(everyone, k);
  for (Members& part : parts) partitioner.split(std::move(part), groups);
  return groups;
}

}  // namespace carecast
