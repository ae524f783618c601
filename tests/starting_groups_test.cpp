// The grouped starting population: calibration's disclosure control (every group at least 5
// children, every child inside its group's ranges, nothing lost) and the engine's draws within a
// group (inside the months, consistent, counts kept exactly).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "calibration/starting_groups.hpp"
#include "simulation/starting_groups_draw.hpp"
#include "test_support.hpp"

namespace carecast::testing {
namespace {

bool within(const MonthRange& range, std::int32_t months) { return months >= range.min && months <= range.max; }

// A council-sized population with a few small categories, from a fixed seed.
std::vector<StartingChild> population(int children, std::uint64_t seed) {
  std::mt19937_64 random(seed);
  std::vector<StartingChild> out;
  for (int i = 0; i < children; ++i) {
    StartingChild c;
    const auto pick = random() % 100;
    c.category = pick < 40   ? Category::foster_in_house
                 : pick < 70 ? Category::foster_agency
                 : pick < 97 ? Category::supported_accommodation
                 : pick < 99 ? Category::residential_other
                             : Category::parent_and_child;
    c.sex = random() % 2 ? Sex::male : Sex::female;
    c.age_days = static_cast<std::int32_t>(random() % 6500);
    c.days_in_care = static_cast<std::int32_t>(random() % (c.age_days + 1));
    c.days_in_placement = static_cast<std::int32_t>(random() % (c.days_in_care + 1));
    c.placements_since_april = 1 + static_cast<std::int32_t>(random() % 4);
    c.uasc = random() % 15 == 0;
    out.push_back(c);
  }
  return out;
}

using RangeKey = std::tuple<std::int32_t, std::int32_t, std::int32_t, std::int32_t, std::int32_t, std::int32_t>;
RangeKey ranges_of(const StartingGroup& g) {
  return {g.age_months.min, g.age_months.max, g.months_in_care.min, g.months_in_care.max, g.months_in_placement.min,
          g.months_in_placement.max};
}

TEST(StartingGroups, EveryGroupHoldsFiveOrMoreAndNothingIsLost) {
  const std::vector<StartingChild> children = population(433, 11);
  const std::vector<StartingGroup> groups = group_starting_children(children);
  std::map<RangeKey, int> by_group;
  PerCategory<int> grouped{}, given{}, grouped_uasc{}, given_uasc{}, grouped_male{}, given_male{};
  PerCategory<std::array<int, 3>> grouped_placements{}, given_placements{};
  for (const StartingGroup& g : groups) {
    by_group[ranges_of(g)] += g.children;
    const auto c = static_cast<std::size_t>(g.category);
    grouped[c] += g.children;
    grouped_uasc[c] += g.uasc;
    grouped_male[c] += g.male;
    for (int k = 0; k < 3; ++k) grouped_placements[c][static_cast<std::size_t>(k)] += g.placements_since_april[static_cast<std::size_t>(k)];
  }
  for (const auto& [ranges, n] : by_group) EXPECT_GE(n, kMinimumStartingGroupSize);
  EXPECT_GT(by_group.size(), 433u / 10);  // fine enough to keep ages and durations informative

  // Each child lies within a row of its own category (relaxed Mondrian lets neighbouring groups
  // share a boundary month), and the rows' counts are exactly the children's.
  for (const StartingChild& child : children) {
    const auto c = static_cast<std::size_t>(child.category);
    ++given[c];
    given_uasc[c] += child.uasc ? 1 : 0;
    given_male[c] += child.sex == Sex::male ? 1 : 0;
    ++given_placements[c][static_cast<std::size_t>(std::min(child.placements_since_april, 3) - 1)];
    bool placed = false;
    for (const StartingGroup& g : groups) {
      placed = placed || (g.category == child.category && within(g.age_months, whole_months(child.age_days)) &&
                          within(g.months_in_care, whole_months(child.days_in_care)) &&
                          within(g.months_in_placement, whole_months(child.days_in_placement)));
    }
    EXPECT_TRUE(placed) << "a child fits no group of its category";
  }
  EXPECT_EQ(grouped, given);
  EXPECT_EQ(grouped_uasc, given_uasc);
  EXPECT_EQ(grouped_male, given_male);
  EXPECT_EQ(grouped_placements, given_placements);
}

// The DfE long-term stability measure at the origin comes back exactly from the groups: no
// group's ranges straddle its lines (under 16; 30 months in care; 24 months in placement), so
// every child the engine draws within a group counts in the measure as the real child did.
TEST(StartingGroups, NoGroupStraddlesTheLongTermStabilityMeasure) {
  const std::vector<StartingChild> children = population(433, 29);
  int in_measure = 0, stable = 0;
  for (const StartingChild& c : children) {
    const bool counted = whole_months(c.age_days) < 192 && whole_months(c.days_in_care) >= 30;
    in_measure += counted ? 1 : 0;
    stable += counted && whole_months(c.days_in_placement) >= 24 ? 1 : 0;
  }
  ASSERT_GE(stable, 2 * kMinimumStartingGroupSize);  // the population exercises both lines
  ASSERT_GE(in_measure - stable, 2 * kMinimumStartingGroupSize);
  int grouped_in_measure = 0, grouped_stable = 0;
  for (const StartingGroup& g : group_starting_children(children)) {
    const bool all_counted = g.age_months.max < 192 && g.months_in_care.min >= 30;
    const bool none_counted = g.age_months.min >= 192 || g.months_in_care.max < 30;
    ASSERT_TRUE(all_counted || none_counted) << "a group straddles the measure's denominator";
    if (!all_counted) continue;
    const bool all_stable = g.months_in_placement.min >= 24;
    ASSERT_TRUE(all_stable || g.months_in_placement.max < 24) << "a group straddles 24 months in placement";
    grouped_in_measure += g.children;
    grouped_stable += all_stable ? g.children : 0;
  }
  EXPECT_EQ(grouped_in_measure, in_measure);
  EXPECT_EQ(grouped_stable, stable);
}

// A child placed for adoption counts as stable in the DfE long-term measure when the adoptive
// placement and the one before it have lasted 2 years together, however new the adoptive one is.
// Such children are kept in the stable class and counted in their groups, and the engine's draws
// give each of them a placement before that began 24 months or more before the origin: the
// measure comes back exactly. Before, they were drawn as unstable (their adoptive placement alone
// is under 2 years), and on the validation worlds the measure started 1.3 points low.
TEST(StartingGroups, ChildrenPlacedForAdoptionKeepThePlacementBeforeInTheLongTermMeasure) {
  std::vector<StartingChild> children = population(300, 41);
  std::mt19937_64 random(43);
  // Fewer than a group's 5 of them, so they share groups with other categories: the groups must
  // still not straddle 24 months for those.
  for (int i = 0; i < 3; ++i) {
    StartingChild c;
    c.category = Category::placed_for_adoption;
    c.days_in_care = 950 + static_cast<std::int32_t>(random() % 400);
    c.age_days = c.days_in_care + static_cast<std::int32_t>(random() % 1500);
    c.days_in_placement = 30 + static_cast<std::int32_t>(random() % 300);
    // Two thirds were with their carers (fostering for adoption) 2 years or more before.
    c.days_since_previous_placement = i % 3 == 0 ? c.days_in_placement + 200 : 760 + static_cast<std::int32_t>(random() % 150);
    children.push_back(c);
  }
  const auto measure = [](const std::vector<StartingChild>& all) {
    std::pair<int, int> counted_stable{0, 0};
    for (const StartingChild& c : all) {
      if (whole_months(c.age_days) >= 192 || whole_months(c.days_in_care) < 30) continue;
      ++counted_stable.first;
      const std::int32_t placed = std::max(c.days_in_placement, c.days_since_previous_placement);
      counted_stable.second += whole_months(placed) >= 24 ? 1 : 0;
    }
    return counted_stable;
  };
  const std::vector<StartingGroup> groups = group_starting_children(children);
  int kept = 0;
  for (const StartingGroup& g : groups) kept += g.placed_for_adoption_2_years_with_previous;
  EXPECT_EQ(kept, 2);
  for (std::uint64_t replication = 0; replication < 20; ++replication) {
    std::vector<StartingChild> drawn;
    StreamEngine draws(7, replication, 0, Process::starting_population);
    for (const StartingGroup& g : groups) {
      for (int n = 0; n < g.children; ++n) drawn.push_back(draw_group_child(g, n, make_date(2025, 3, 31), draws));
    }
    EXPECT_EQ(measure(drawn), measure(children)) << "replication " << replication;
  }
  EXPECT_GT(measure(children).second, 2 * kMinimumStartingGroupSize);
}

TEST(StartingGroups, TheGroupsDoNotDependOnTheOrderOfTheChildren) {
  std::vector<StartingChild> children = population(200, 5);
  const std::vector<StartingGroup> before = group_starting_children(children);
  std::reverse(children.begin(), children.end());
  std::shuffle(children.begin(), children.end(), std::mt19937(3));
  const std::vector<StartingGroup> after = group_starting_children(children);
  ASSERT_EQ(before.size(), after.size());
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(ranges_of(before[i]), ranges_of(after[i]));
    EXPECT_EQ(before[i].children, after[i].children);
    EXPECT_EQ(before[i].category, after[i].category);
  }
}

TEST(StartingGroups, DrawsLieInTheGroupsMonthsAndKeepItsCounts) {
  StartingGroup g;
  g.category = Category::foster_agency;
  g.children = 7;
  g.male = 4;
  g.uasc = 2;
  g.age_months = {150, 215};
  g.months_in_care = {0, 60};
  g.months_in_placement = {0, 12};
  g.placements_since_april = {2, 3, 2};
  const Date origin = make_date(2025, 3, 31);
  const std::int32_t oldest = largest_starting_age_days(origin);
  for (std::uint64_t replication = 0; replication < 300; ++replication) {
    std::array<int, 3> placements{};
    int male = 0;
    int uasc = 0;
    for (int n = 0; n < g.children; ++n) {
      StreamEngine draws(1, replication, entity_id(EntityKind::starting_child, static_cast<std::uint32_t>(n)),
                         Process::starting_population);
      const StartingChild c = draw_group_child(g, n, origin, draws);
      ASSERT_TRUE(within(g.age_months, whole_months(c.age_days))) << c.age_days;
      ASSERT_TRUE(within(g.months_in_care, whole_months(c.days_in_care))) << c.days_in_care;
      ASSERT_TRUE(within(g.months_in_placement, whole_months(c.days_in_placement))) << c.days_in_placement;
      ASSERT_LE(c.days_in_placement, c.days_in_care);
      ASSERT_LE(c.days_in_care, c.age_days);
      ASSERT_LE(c.age_days, oldest);
      ASSERT_EQ(c.category, g.category);
      ++placements[static_cast<std::size_t>(c.placements_since_april - 1)];
      male += c.sex == Sex::male ? 1 : 0;
      uasc += c.uasc ? 1 : 0;
    }
    // 3 or more exactly as counted; a drawn placement begun since April may lift 1 to 2.
    EXPECT_EQ(placements[2], g.placements_since_april[2]);
    EXPECT_EQ(placements[0] + placements[1], g.placements_since_april[0] + g.placements_since_april[1]);
    EXPECT_EQ(male, g.male);
    EXPECT_EQ(uasc, g.uasc);
  }
}

// Ages are uniform over the group's days: a chi-squared test of the draws' months against equal
// shares, at the suite's false-alarm rate.
TEST(StartingGroups, AgesAreUniformWithinTheGroupsMonths) {
  StartingGroup g;
  g.children = 1;
  g.male = 1;
  g.age_months = {100, 109};
  g.months_in_care = {0, 0};
  g.months_in_placement = {0, 0};
  g.placements_since_april = {1, 0, 0};
  const Date origin = make_date(2025, 3, 31);
  std::vector<double> observed(10, 0.0);
  const int draws_made = 20000;
  for (int r = 0; r < draws_made; ++r) {
    StreamEngine draws(2, static_cast<std::uint64_t>(r), 0, Process::starting_population);
    ++observed[static_cast<std::size_t>(whole_months(draw_group_child(g, 0, origin, draws).age_days) - 100)];
  }
  // Months of 365.25/12 days hold 30 or 31 whole days: the expected share is each month's days.
  std::vector<double> expected;
  double total_days = 0;
  for (int m = 100; m < 110; ++m) {
    const double days = std::ceil((m + 1) * kDaysPerMonth) - std::ceil(m * kDaysPerMonth);
    expected.push_back(days);
    total_days += days;
  }
  for (double& e : expected) e *= draws_made / total_days;
  EXPECT_LT(chi_squared_statistic(observed, expected), chi_squared_critical(9));
}

}  // namespace
}  // namespace carecast::testing
