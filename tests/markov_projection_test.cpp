// The Markov projection against closed forms. Each tolerance says which part of the projection's
// error the case can show: cases without moves between placements and without duration bands
// inside a cell are integrated exactly (Gauss-Legendre on exponentials, error near 1e-12 per
// child), so their tolerances are rounding; the others state the discretisation bound they test.
#include "expectation/markov_projection.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>
#include <vector>

namespace carecast {
namespace {

constexpr double kDaysPerYear = 365.25;
constexpr int kInHouse = static_cast<int>(Category::foster_in_house);
constexpr int kAgency = static_cast<int>(Category::foster_agency);

// No children, no entries, every hazard 0 and every ending a return home.
Scenario empty_scenario(int horizon_years, std::vector<std::int32_t> duration_band_starts = {0, 28, 91, 182, 365, 730}) {
  Scenario s;
  s.name = "projection test";
  s.origin = make_date(2025, 2, 28);
  s.horizon_years = horizon_years;
  s.duration_band_start_days = std::move(duration_band_starts);
  s.ending_hazard_per_year.assign(std::size_t{kCategoryCount} * kAgeBandCount * s.duration_band_start_days.size(), 0.0);
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int b = 0; b < kAgeBandCount; ++b) s.destination_probability[c][b][outcome_of(ExitReason::returned_home)] = 1;
  }
  return s;
}

// The same hazards, per duration band, at every age.
void set_hazard(Scenario& s, Category c, const std::vector<double>& per_duration_band) {
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (std::size_t d = 0; d < per_duration_band.size(); ++d) {
      s.ending_hazard_per_year[(static_cast<std::size_t>(c) * kAgeBandCount + b) * s.duration_band_start_days.size() +
                               d] = per_duration_band[d];
    }
  }
}

void add_children(Scenario& s, int count, int age_days, Category c, int days_in_placement) {
  for (int i = 0; i < count; ++i) {
    StartingChild child;
    child.age_days = age_days;
    child.category = c;
    child.days_in_placement = days_in_placement;
    child.days_in_care = days_in_placement;
    s.starting_children.push_back(child);
  }
}

double total(const PerCategory<double>& stock) {
  double sum = 0;
  for (double x : stock) sum += x;
  return sum;
}

double days_since_origin(const ExpectedSeries& e, std::size_t date) { return days_between(e.dates[0], e.dates[date]); }

TEST(MarkovProjection, ReportsTheOriginAndEveryMonthEnd) {
  const Scenario s = empty_scenario(2);
  const ExpectedSeries e = project_expectation(s);
  std::vector<Date> dates = {s.origin};
  for (Date d : month_ends_after(s.origin, s.horizon_end())) dates.push_back(d);
  EXPECT_EQ(e.dates, dates);
  ASSERT_EQ(e.stock.size(), dates.size());
  ASSERT_EQ(e.entries.size(), dates.size());
  ASSERT_EQ(e.exits.size(), dates.size());
  EXPECT_EQ(e.entries[0], 0);
  EXPECT_EQ(e.exits[0], 0);
}

// Constant hazard, every ending an exit: the stock is N exp(-h t). A starting child's placement
// is followed exactly, whatever the step.
TEST(MarkovProjection, ConstantHazardGivesExponentialSurvival) {
  const double h = 0.8;
  const int n = 40;
  Scenario s = empty_scenario(3);
  set_hazard(s, Category::foster_in_house, std::vector<double>(6, h));
  add_children(s, n, 5 * 365, Category::foster_in_house, 100);
  for (const ProjectionOptions options : {ProjectionOptions{}, ProjectionOptions{14, false}}) {
    const ExpectedSeries e = project_expectation(s, options);
    for (std::size_t d = 1; d < e.dates.size(); ++d) {
      const double t = days_since_origin(e, d) / kDaysPerYear;
      const double before = days_since_origin(e, d - 1) / kDaysPerYear;
      EXPECT_NEAR(e.stock[d][kInHouse], n * std::exp(-h * t), 1e-9) << format_iso(e.dates[d]);
      EXPECT_NEAR(e.exits[d], n * (std::exp(-h * before) - std::exp(-h * t)), 1e-9) << format_iso(e.dates[d]);
    }
  }
}

// Entries at lambda a year with exit hazard h: the stock rises as (lambda/h)(1 - exp(-h t))
// towards lambda/h. Entrants are infants, so nobody nears 18. Entrants' first steps are
// integrated exactly over their arrival time, so the tolerance is rounding.
TEST(MarkovProjection, EntriesRiseToTheSteadyStateLambdaOverH) {
  const double lambda = 30;
  const double h = 2;
  Scenario s = empty_scenario(3);
  set_hazard(s, Category::foster_in_house, std::vector<double>(6, h));
  s.entries.expected_per_year[static_cast<int>(AgeBand::under_1)] = {16, 14};
  s.entries.first_placement_probability[static_cast<int>(AgeBand::under_1)][kInHouse] = 1;
  const ExpectedSeries e = project_expectation(s);
  for (std::size_t d = 1; d < e.dates.size(); ++d) {
    const double t = days_since_origin(e, d) / kDaysPerYear;
    const double before = days_since_origin(e, d - 1) / kDaysPerYear;
    EXPECT_NEAR(total(e.stock[d]), lambda / h * (1 - std::exp(-h * t)), 1e-8) << format_iso(e.dates[d]);
    EXPECT_NEAR(e.entries[d], lambda * (t - before), 1e-9) << format_iso(e.dates[d]);
  }
  EXPECT_NEAR(total(e.stock.back()), lambda / h, 0.003 * lambda / h);  // exp(-6) of the way short
}

// Hazard 0 in the first year of a placement, then 4 a year: nobody leaves in the first year,
// neither starting children (followed exactly) nor entrants (on the grid, where the year's end
// falls inside a cell and the cell's linear density decides who has crossed it).
TEST(MarkovProjection, NobodyLeavesBeforeTheirDurationBandStarts) {
  const double h = 4;
  Scenario s = empty_scenario(2, {0, 365});
  set_hazard(s, Category::foster_in_house, {0, h});
  add_children(s, 30, 8 * 365, Category::foster_in_house, 0);
  const ExpectedSeries started = project_expectation(s);
  for (std::size_t d = 1; d < started.dates.size(); ++d) {
    const double t = days_since_origin(started, d);
    const double expected = t <= 365 ? 30 : 30 * std::exp(-h * (t - 365) / kDaysPerYear);
    EXPECT_NEAR(started.stock[d][kInHouse], expected, 1e-9) << format_iso(started.dates[d]);
  }

  Scenario entering = empty_scenario(2, {0, 365});
  set_hazard(entering, Category::foster_in_house, {0, h});
  entering.entries.expected_per_year[static_cast<int>(AgeBand::from_1_to_4)] = {12, 12};
  entering.entries.first_placement_probability[static_cast<int>(AgeBand::from_1_to_4)][kInHouse] = 1;
  const ExpectedSeries e = project_expectation(entering);
  double entered = 0;
  for (std::size_t d = 1; d < e.dates.size(); ++d) {
    entered += e.entries[d];
    if (days_since_origin(e, d) <= 365) {
      EXPECT_NEAR(e.exits[d], 0, 1e-12) << format_iso(e.dates[d]);
      EXPECT_NEAR(total(e.stock[d]), entered, 1e-9) << format_iso(e.dates[d]);
    } else {
      EXPECT_GT(e.exits[d], 0.01) << format_iso(e.dates[d]);
    }
  }
}

// A child of 17 years and 11 months leaves care on their 18th birthday: in care at the month end
// before it, gone at the month end after, one exit in that month.
TEST(MarkovProjection, ChildLeavesCareOnTheir18thBirthday) {
  Scenario s = empty_scenario(1);
  const Date birth = make_date(2007, 4, 15);  // 18 on 15 April 2025
  add_children(s, 1, static_cast<int>(days_between(birth, s.origin)), Category::foster_agency, 200);
  const ExpectedSeries e = project_expectation(s);
  for (std::size_t d = 0; d < e.dates.size(); ++d) {
    const bool under_18 = e.dates[d] < add_years(birth, 18);
    EXPECT_NEAR(e.stock[d][kAgency], under_18 ? 1.0 : 0.0, 1e-12) << format_iso(e.dates[d]);
    const bool birthday_month = d > 0 && e.dates[d - 1] < add_years(birth, 18) && !under_18;
    EXPECT_NEAR(e.exits[d], birthday_month ? 1.0 : 0.0, 1e-12) << format_iso(e.dates[d]);
  }
}

// Entrants aged 16-17 who never leave otherwise are in care until their 18th birthday. The
// expected stock, counted directly from the simulation's rule (each day's entrants take dates of
// birth evenly over those that make them 16 or 17 that day), is matched to within what assuming
// each block of 7 dates of birth evenly filled allows: the blocks that entrants' age ranges are
// sliding across are uneven by up to a week's entries (measured error 0.001 on 36 children).
TEST(MarkovProjection, EntrantsLeaveCareOnTheir18thBirthday) {
  const double per_year = 36;
  Scenario s = empty_scenario(3);
  const int band = static_cast<int>(AgeBand::from_16_to_17);
  s.entries.expected_per_year[band] = {20, 16};
  s.entries.first_placement_probability[band][kInHouse] = 1;
  const ExpectedSeries e = project_expectation(s);
  for (std::size_t d = 1; d < e.dates.size(); d += 5) {
    const Date date = e.dates[d];
    double in_care = 0;
    for (Date day = s.origin + std::chrono::days{1}; day <= date; day += std::chrono::days{1}) {
      const Date earliest = add_years(day, -18) + std::chrono::days{1};
      const Date latest = add_years(day, -16);
      int still_under_18 = 0;
      for (Date birth = earliest; birth <= latest; birth += std::chrono::days{1}) {
        if (add_years(birth, 18) > date) ++still_under_18;
      }
      in_care += per_year / kDaysPerYear * still_under_18 / (days_between(earliest, latest) + 1);
    }
    EXPECT_NEAR(e.stock[d][kInHouse], in_care, 0.005) << format_iso(date);
  }
}

// Placements in A end at rate a and all move to B; placements in B end at rate b, 40% of them in
// a new placement in B. With beta = 0.6 b: A(t) = N exp(-a t) and
// B(t) = N a / (beta - a) (exp(-a t) - exp(-beta t)). Moves go through the grid, which defers a
// third placement begun within one step: an O(step^2) error, 0.0024 children here at a 7-day step
// without Richardson and 0.0001 with it.
TEST(MarkovProjection, MovesBetweenCategoriesFollowTheClosedForm) {
  const double a = 3;
  const double b = 1.5;
  const double beta = 0.6 * b;
  const int n = 100;
  Scenario s = empty_scenario(3);
  set_hazard(s, Category::foster_in_house, std::vector<double>(6, a));
  set_hazard(s, Category::foster_agency, std::vector<double>(6, b));
  for (int band = 0; band < kAgeBandCount; ++band) {
    auto& from_in_house = s.destination_probability[kInHouse][band];
    from_in_house = {};
    from_in_house[kAgency] = 1;
    auto& from_agency = s.destination_probability[kAgency][band];
    from_agency = {};
    from_agency[kAgency] = 0.4;
    from_agency[outcome_of(ExitReason::returned_home)] = 0.6;
  }
  add_children(s, n, 3 * 365, Category::foster_in_house, 0);
  for (const auto& [options, tolerance] : {std::pair{ProjectionOptions{}, 5e-4}, std::pair{ProjectionOptions{7, false}, 5e-3}}) {
    const ExpectedSeries e = project_expectation(s, options);
    for (std::size_t d = 1; d < e.dates.size(); ++d) {
      const double t = days_since_origin(e, d) / kDaysPerYear;
      EXPECT_NEAR(e.stock[d][kInHouse], n * std::exp(-a * t), 1e-9);
      EXPECT_NEAR(e.stock[d][kAgency], n * a / (beta - a) * (std::exp(-a * t) - std::exp(-beta * t)), tolerance)
          << format_iso(e.dates[d]) << (options.richardson ? " with" : " without") << " Richardson";
    }
  }
}

// Placements in A end fast (a = 20 a year), all moving to B, where nobody leaves in the first 40
// days of a placement and then at b = 5 a year, every ending an exit. With rates per day,
// B(t) = N (exp(-a max(0, t - 40)) - exp(-a t))
//        + N a exp(-b (t - 40)) (1 - exp(-(a - b)(t - 40))) / (a - b)   for t > 40.
// The new placements are far from evenly spread within their cells (most begin late in a step,
// as A's hazard is high), and the 40th day falls inside a cell: the first moment each cell carries
// from the step the placements began gets the crossing right. Measured error 0.002 children with
// it, 0.17 without.
TEST(MarkovProjection, NewPlacementsCrossADurationBandStartInsideACell) {
  const double a = 20 / kDaysPerYear;
  const double b = 5 / kDaysPerYear;
  const double band_start = 40;
  const int n = 100;
  Scenario s = empty_scenario(1, {0, 40});
  set_hazard(s, Category::foster_in_house, {20, 20});
  set_hazard(s, Category::foster_agency, {0, 5});
  for (int band = 0; band < kAgeBandCount; ++band) {
    s.destination_probability[kInHouse][band] = {};
    s.destination_probability[kInHouse][band][kAgency] = 1;
  }
  add_children(s, n, 3000, Category::foster_in_house, 0);
  for (const ProjectionOptions options : {ProjectionOptions{}, ProjectionOptions{7, false}}) {
    const ExpectedSeries e = project_expectation(s, options);
    for (std::size_t d = 1; d < e.dates.size(); ++d) {
      const double t = days_since_origin(e, d);
      double expected = n * (std::exp(-a * std::max(0.0, t - band_start)) - std::exp(-a * t));
      if (t > band_start) {
        expected += n * a * std::exp(-b * (t - band_start)) * (1 - std::exp(-(a - b) * (t - band_start))) / (a - b);
      }
      EXPECT_NEAR(e.stock[d][kAgency], expected, 0.02) << format_iso(e.dates[d]);
    }
  }
}

// Entrants aged 1-4 are never discharged until their 5th birthday, then at h a year. Counted
// directly from the simulation's rule, a child born on day `birth` is in care at the end of day T
// with probability exp(-h max(0, T - start of 5th birthday)). Each block of 7 dates of birth
// reaching 5 inside a step follows both bands' transitions weighted by the time in each, an
// O((h step)^2) error per birthday: measured 0.0002 children on 40.
TEST(MarkovProjection, HazardsChangeOnTheBirthdayThatChangesTheAgeBand) {
  const double h = 3;
  const double per_year = 24;
  Scenario s = empty_scenario(2);
  for (int b = static_cast<int>(AgeBand::from_5_to_9); b < kAgeBandCount; ++b) {
    for (int d = 0; d < 6; ++d) s.ending_hazard_per_year[(std::size_t{kInHouse} * kAgeBandCount + b) * 6 + d] = h;
  }
  const int band = static_cast<int>(AgeBand::from_1_to_4);
  s.entries.expected_per_year[band] = {12, 12};
  s.entries.first_placement_probability[band][kInHouse] = 1;
  const ExpectedSeries e = project_expectation(s);
  for (std::size_t d = 1; d < e.dates.size(); d += 3) {
    const Date date = e.dates[d];
    const double end_of_day = days_between(s.origin, date);
    double in_care = 0;
    for (Date day = s.origin + std::chrono::days{1}; day <= date; day += std::chrono::days{1}) {
      const Date earliest = add_years(day, -5) + std::chrono::days{1};
      const Date latest = add_years(day, -1);
      double surviving = 0;
      for (Date birth = earliest; birth <= latest; birth += std::chrono::days{1}) {
        const double fifth_birthday = days_between(s.origin, add_years(birth, 5)) - 1;
        surviving += std::exp(-h / kDaysPerYear * std::max(0.0, end_of_day - fifth_birthday));
      }
      in_care += per_year / kDaysPerYear * surviving / (days_between(earliest, latest) + 1);
    }
    EXPECT_NEAR(e.stock[d][kInHouse], in_care, 0.002) << format_iso(date);
  }
}

// Starting counts: times in placement Exponential(mean mu) (ages 5-9, so the cut at the age never
// falls below a year); hazard 0 in the first year of a placement, then h. A child with d0 days in
// placement has survival exp(-h max(0, t - max(0, 365 - d0))), so
// P(in care) = P(d0 < 365 - t) + exp(-h (t - 365)) / (mu k) (exp(-lo k) - exp(-365 k))
//              + exp(-365 / mu) exp(-h t),   with k = 1/mu + h and lo = max(0, 365 - t).
// The year's end falls inside cells whose children are spread as the counts draw them; the cells'
// linear densities leave 3e-5 children of error (bound 1e-3).
TEST(MarkovProjection, StartingCountsCrossDurationBandsAsDrawn) {
  const double mu = 200;
  const double h = 2 / kDaysPerYear;
  Scenario s = empty_scenario(3, {0, 365});
  set_hazard(s, Category::foster_in_house, {0, 2});
  StartingCounts counts;
  counts.count[kInHouse][static_cast<int>(AgeBand::from_5_to_9)] = {30, 30};
  counts.mean_days_in_placement[kInHouse] = mu;
  s.starting_counts = counts;
  const ExpectedSeries e = project_expectation(s);
  const double k = 1 / mu + h;
  for (std::size_t d = 0; d < e.dates.size(); ++d) {
    const double t = days_since_origin(e, d);
    const double lo = std::max(0.0, 365 - t);
    const double survival = (1 - std::exp(-lo / mu)) +
                            std::exp(-h * (t - 365)) / (mu * k) * (std::exp(-lo * k) - std::exp(-365 * k)) +
                            std::exp(-365 / mu) * std::exp(-h * t);
    EXPECT_NEAR(e.stock[d][kInHouse], 60 * survival, 1e-3) << format_iso(e.dates[d]);
  }
}

// A scenario with everything: moves between three categories, hazards by age and duration,
// starting children of all ages (some about to turn 18) and starting counts, entries and UASC with
// growth. Every month, stock(t) - stock(t - 1) = entries - exits: exits are counted from the
// flows, not by difference, so this checks that every child is accounted for.
TEST(MarkovProjection, StockChangesByEntriesMinusExits) {
  Scenario s = empty_scenario(3);
  const std::array<Category, 3> used = {Category::foster_in_house, Category::foster_agency,
                                        Category::childrens_home_external};
  for (std::size_t i = 0; i < used.size(); ++i) {
    const double scale = 1.0 + 0.3 * static_cast<double>(i);
    for (int b = 0; b < kAgeBandCount; ++b) {
      const std::vector<double> hazard = {3 * scale, 1.5 * scale, 1.0, 0.7, 0.5 + 0.05 * b, 0.3};
      for (std::size_t d = 0; d < hazard.size(); ++d) {
        s.ending_hazard_per_year[(static_cast<std::size_t>(used[i]) * kAgeBandCount + b) * 6 + d] = hazard[d];
      }
      auto& to = s.destination_probability[static_cast<int>(used[i])][b];
      to = {};
      to[static_cast<int>(used[0])] = 0.2;
      to[static_cast<int>(used[1])] = 0.2;
      to[static_cast<int>(used[2])] = b >= 3 ? 0.2 : 0.0;
      to[outcome_of(ExitReason::returned_home)] = b >= 3 ? 0.3 : 0.5;
      to[outcome_of(ExitReason::special_guardianship)] = 0.1;
      s.entries.first_placement_probability[b][static_cast<int>(used[i])] = 1.0 / 3;
      s.uasc.first_placement_probability[b][static_cast<int>(used[1])] = 1;
    }
  }
  s.entries.expected_per_year = {{{10, 9}, {8, 8}, {7, 7}, {15, 15}, {8, 7}}};
  s.entries.annual_growth_rate = 0.03;
  s.uasc.expected_per_year[static_cast<int>(AgeBand::from_16_to_17)] = {12, 1};
  s.uasc.annual_growth_rate = -0.05;
  for (int i = 0; i < 60; ++i) add_children(s, 1, 40 + i * 109, used[i % 3], (i * 37) % std::min(900, 40 + i * 109));
  StartingCounts counts;
  counts.count[kAgency][static_cast<int>(AgeBand::from_10_to_15)] = {12, 9};
  counts.count[kInHouse][static_cast<int>(AgeBand::from_16_to_17)] = {7, 8};
  counts.mean_days_in_placement[kAgency] = 300;
  counts.mean_days_in_placement[kInHouse] = 500;
  s.starting_counts = counts;

  for (const ProjectionOptions options : {ProjectionOptions{}, ProjectionOptions{5, false}}) {
    const ExpectedSeries e = project_expectation(s, options);
    EXPECT_NEAR(total(e.stock[0]), 60 + 21 + 15, 1e-9);
    for (std::size_t d = 1; d < e.dates.size(); ++d) {
      EXPECT_GT(e.exits[d], 1) << format_iso(e.dates[d]);
      EXPECT_NEAR(total(e.stock[d]) - total(e.stock[d - 1]), e.entries[d] - e.exits[d], 1e-8) << format_iso(e.dates[d]);
    }
  }
}

TEST(MarkovProjection, RejectsStepsOutsideOneTo91Days) {
  const Scenario s = empty_scenario(1);
  EXPECT_THROW(project_expectation(s, {0, true}), std::invalid_argument);
  EXPECT_THROW(project_expectation(s, {92, false}), std::invalid_argument);
  EXPECT_NO_THROW(project_expectation(s, {91, false}));
}

}  // namespace
}  // namespace carecast
