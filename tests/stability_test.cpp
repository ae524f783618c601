// DfE placement stability measures (docs/sources.md, "Placement stability measures") on
// hand-built children whose outcomes are certain, including the 2.5-year and 2-year edges and the
// 16th birthday.
#include <gtest/gtest.h>

#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

double measure(const RunResult& r, Date date, std::string_view metric) {
  const int cell = r.layout.find(metric, "all");
  for (int d = 0; d < r.calendar.date_count(); ++d) {
    if (r.calendar.dates[d] == date) return r.number(0, d, cell);
  }
  ADD_FAILURE() << "no date " << format_iso(date);
  return 0;
}

StartingChild child(Category category, std::int32_t age_days, std::int32_t in_care, std::int32_t in_placement,
                    int since_april = 1) {
  StartingChild c;
  c.category = category;
  c.age_days = age_days;
  c.days_in_care = in_care;
  c.days_in_placement = in_placement;
  c.placements_since_april = since_april;
  return c;
}

// Origin 28 February 2025 (31 March 2025 is clock day 31; 31 March 2026 is day 396).
// 2.5 years before 31 March 2025 is 30 September 2022 (913 days); 2 years is 731 days.
Scenario hand_built() {
  Scenario s = single_category_scenario(1e6, 0, 0, 2);  // foster_in_house placements end at once
  for (int b = 0; b < kAgeBandCount; ++b) {
    auto& to = s.destination_probability[static_cast<int>(Category::foster_in_house)][b];
    to = {};
    to[static_cast<int>(Category::placed_for_adoption)] = 1.0;
  }
  const Date origin = s.origin;
  const auto age = [&](Date dob) { return static_cast<std::int32_t>(days_between(dob, origin)); };
  const std::int32_t ten = 3652;
  const Category kin = Category::foster_kinship;  // hazard 0: never moves
  s.starting_children = {
      child(kin, ten, 900, 700),                                 // A: 931 in care, 731 in placement: stable
      child(kin, ten, 900, 699),                                 // B: 730 in placement: not
      child(kin, ten, 881, 100),                                 // C: 912 in care: not counted in 2025
      child(kin, ten, 882, 100),                                 // D: 913 in care: counted, not stable
      child(kin, 17 * 365 + 4, 1000, 800),                       // E: 16 or over
      child(Category::placed_for_adoption, ten, 1000, 400),      // F: previous placement unknown
      child(kin, ten, 1000, 10, 3),                              // G: 3 placements this year
      child(kin, age(make_date(2009, 4, 1)), 1000, 800),         // H: 16 on 1 April 2025: under 16 at 31 March
      child(kin, age(make_date(2009, 3, 31)), 1000, 800),        // I: 16 on 31 March 2025
      child(Category::foster_in_house, 5 * 365, 1500, 400),      // J: moves at once to placed for adoption
  };
  return s;
}

RunResult run_one(const Scenario& s) {
  RunOptions options;
  options.runs = 1;
  options.seed = 3;
  options.threads = 1;
  return run_replications(s, options);
}

TEST(Stability, IndicatorsMatchCountsWorkedOutByHand) {
  const RunResult r = run_one(hand_built());
  const Date march_2025 = make_date(2025, 3, 31);
  const Date march_2026 = make_date(2026, 3, 31);
  // 31 March 2025: 10 in care, G has 3 placements. Long term: A, B, D, F, G, H, J counted; A and H stable.
  EXPECT_DOUBLE_EQ(measure(r, march_2025, "stability_short_term"), 100.0 / 10);
  EXPECT_DOUBLE_EQ(measure(r, march_2025, "stability_long_term"), 100.0 * 2 / 7);
  // J's one move over 10 children x 31 days.
  EXPECT_NEAR(measure(r, march_2025, "moves_per_child_year"), 1 / (310 / 365.25), 1e-9);
  // 31 March 2026: E has left at 18; H and I are 16. Counted: A, B, C, D, F, G, J; stable: A, B,
  // F (its own placement, 796 days) and J (adoptive placement plus the one before, 796 days).
  EXPECT_DOUBLE_EQ(measure(r, march_2026, "stability_short_term"), 0);
  EXPECT_DOUBLE_EQ(measure(r, march_2026, "stability_long_term"), 100.0 * 4 / 7);
  EXPECT_DOUBLE_EQ(measure(r, march_2026, "moves_per_child_year"), 0);
}

TEST(Stability, HazardMultiplierScalesPlacementEndings) {
  Scenario s = hand_built();
  for (int b = 0; b < kAgeBandCount; ++b) s.stability.hazard_multiplier[static_cast<int>(Category::foster_in_house)][b] = 0;
  const RunResult r = run_one(s);
  EXPECT_DOUBLE_EQ(measure(r, make_date(2025, 3, 31), "moves_per_child_year"), 0);
  EXPECT_EQ(r.value(0, r.calendar.date_count() - 1, r.layout.stock_by_category + static_cast<int>(Category::foster_in_house)), 1);
}

}  // namespace
}  // namespace carecast
