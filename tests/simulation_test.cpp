#include <gtest/gtest.h>

#include <boost/math/distributions/binomial.hpp>
#include <cmath>

#include "core/random_streams.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

RunResult run(const Scenario& s, int runs, std::uint64_t seed = 7, int threads = 2) {
  RunOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = threads;
  return run_replications(s, options);
}

// With a constant hazard h and every ending an exit, the number still in care at time t is
// Binomial(N, exp(-h t)). Chi-squared test of the whole distribution across runs.
TEST(Sampler, ConstantHazardGivesBinomialSurvival) {
  const double h = 0.8;
  const int n = 20;
  const Scenario s = single_category_scenario(h, n, 3 * 365);
  const RunResult result = run(s, 4000);
  const int date = 6;  // end of August 2025
  const double t = result.calendar.times[date];
  const boost::math::binomial_distribution<double> survivors(n, std::exp(-h * t / kDaysPerYear));
  std::vector<double> observed(n + 1, 0.0), expected(n + 1, 0.0);
  for (int r = 0; r < result.runs; ++r) observed[result.value(r, date, result.layout.stock_all)] += 1;
  for (int k = 0; k <= n; ++k) expected[k] = result.runs * boost::math::pdf(survivors, k);
  // Pool tail cells with small expectations into their neighbours so the chi-squared
  // approximation holds (every pooled cell expects at least 5).
  std::vector<double> o, e;
  double po = 0, pe = 0;
  for (int k = 0; k <= n; ++k) {
    po += observed[k];
    pe += expected[k];
    if (pe >= 5) {
      o.push_back(po);
      e.push_back(pe);
      po = pe = 0;
    }
  }
  o.back() += po;
  e.back() += pe;
  EXPECT_LT(chi_squared_statistic(o, e), chi_squared_critical(static_cast<int>(o.size()) - 1));
}

// Piecewise-exponential sampling across duration bands: hazard 0 in the first 91 days, then 3 a
// year. Nobody may leave before day 91; afterwards survival is exp(-3 (t - 91)/365.25).
TEST(Sampler, DurationBandsChangeTheHazardAtTheirBoundaries) {
  Scenario s = single_category_scenario(0.0, 50, 3 * 365);
  for (int b = 0; b < kAgeBandCount; ++b) set_hazard(s, Category::foster_in_house, b, {0, 0, 3, 3, 3, 3});
  const RunResult result = run(s, 2000);
  for (int date = 1; date < result.calendar.date_count(); ++date) {
    const double t = result.calendar.times[date];
    double sum = 0, squares = 0;
    for (int r = 0; r < result.runs; ++r) {
      const double v = result.value(r, date, result.layout.stock_all);
      sum += v;
      squares += v * v;
    }
    const double mean = sum / result.runs;
    const double p = t <= 91 ? 1.0 : std::exp(-3.0 * (t - 91) / kDaysPerYear);
    const double se = std::sqrt(50 * p * (1 - p) / result.runs);
    if (t <= 91) {
      EXPECT_EQ(mean, 50.0) << "nobody leaves before the hazard starts, date " << date;
    } else {
      EXPECT_NEAR(mean, 50 * p, standard_errors_allowed() * se + 1e-9) << "date " << date;
    }
  }
}

// Age bands change the hazard on the birthday: children who are 4 years and 200 days old have
// hazard 0 until their 5th birthday, then 2 a year.
TEST(Sampler, AgeBandsChangeTheHazardOnTheBirthday) {
  Scenario s = single_category_scenario(0.0, 40, 4 * 365 + 200);
  set_hazard(s, Category::foster_in_house, 2, {2, 2, 2, 2, 2, 2});
  const RunResult result = run(s, 2000);
  // Birthday: origin - age + 5 years.
  const Date dob = s.origin - std::chrono::days{4 * 365 + 200};
  const double birthday = days_between(s.origin, add_years(dob, 5)) - 1.0;
  for (int date = 1; date < result.calendar.date_count(); ++date) {
    const double t = result.calendar.times[date];
    double sum = 0;
    for (int r = 0; r < result.runs; ++r) sum += result.value(r, date, result.layout.stock_all);
    const double mean = sum / result.runs;
    const double p = t <= birthday ? 1.0 : std::exp(-2.0 * (t - birthday) / kDaysPerYear);
    if (t <= birthday) {
      EXPECT_EQ(mean, 40.0);
    } else {
      EXPECT_NEAR(mean, 40 * p, standard_errors_allowed() * std::sqrt(40 * p * (1 - p) / result.runs) + 1e-9);
    }
  }
}

// Destinations: exits by reason follow the destination probabilities (multinomial, chi-squared).
TEST(Sampler, DestinationsFollowTheirProbabilities) {
  Scenario s = single_category_scenario(5.0, 200, 2 * 365, 1);
  const std::array<double, 4> p = {0.5, 0.25, 0.15, 0.10};
  const std::array<ExitReason, 4> reasons = {ExitReason::returned_home, ExitReason::special_guardianship,
                                             ExitReason::child_arrangements_order, ExitReason::other};
  for (int b = 0; b < kAgeBandCount; ++b) {
    auto& d = s.destination_probability[static_cast<int>(Category::foster_in_house)][b];
    d = {};
    for (int i = 0; i < 4; ++i) d[outcome_of(reasons[i])] = p[i];
  }
  const RunResult result = run(s, 200);
  std::vector<double> observed(4, 0.0), expected(4, 0.0);
  double total = 0;
  for (int r = 0; r < result.runs; ++r) {
    for (int date = 1; date < result.calendar.date_count(); ++date) {
      for (int i = 0; i < 4; ++i) {
        observed[i] += result.value(r, date, result.layout.exits_by_reason + static_cast<int>(reasons[i]));
      }
      total += result.value(r, date, result.layout.exits_all);
    }
  }
  for (int i = 0; i < 4; ++i) expected[i] = total * p[i];
  EXPECT_GT(total, 30000);
  EXPECT_LT(chi_squared_statistic(observed, expected), chi_squared_critical(3));
}

// Entries of single children form a Poisson process: counts in a 31-day month are Poisson with
// mean rate * 31 / 365.25 (chi-squared over the count distribution).
TEST(Sampler, EntriesArePoisson) {
  Scenario s = single_category_scenario(0.0, 0, 0, 1);
  s.entries.expected_per_year[2] = {30, 30};
  for (int b = 0; b < kAgeBandCount; ++b) {
    s.entries.first_placement_probability[b][static_cast<int>(Category::foster_in_house)] = 1.0;
  }
  const RunResult result = run(s, 5000);
  const int date = 1;  // March 2025: 31 days
  const double mean = 60.0 * 31 / kDaysPerYear;
  std::vector<double> observed(20, 0.0), expected(20, 0.0);
  for (int r = 0; r < result.runs; ++r) {
    const int k = std::min(result.value(r, date, result.layout.entries_all), 19);
    observed[k] += 1;
  }
  double cumulative = 0;
  for (int k = 0; k < 19; ++k) {
    expected[k] = result.runs * std::exp(-mean + k * std::log(mean) - std::lgamma(k + 1.0));
    cumulative += expected[k];
  }
  expected[19] = result.runs - cumulative;
  std::vector<double> o, e;
  double po = 0, pe = 0;
  for (int k = 0; k < 20; ++k) {
    po += observed[k];
    pe += expected[k];
    if (pe >= 5) {
      o.push_back(po);
      e.push_back(pe);
      po = pe = 0;
    }
  }
  o.back() += po;
  e.back() += pe;
  EXPECT_LT(chi_squared_statistic(o, e), chi_squared_critical(static_cast<int>(o.size()) - 1));
}

TEST(Sampler, CumulativeTableInvertsEveryOutcomeWithItsProbability) {
  const std::array<double, kCategoryCount> p = {0.3, 0, 0.2, 0, 0, 0, 0.1, 0, 0, 0.4, 0};
  const auto table = CumulativeTable<kCategoryCount>::from(p);
  StreamEngine engine(42);
  std::vector<double> observed(kCategoryCount, 0.0), expected(kCategoryCount, 0.0);
  const int n = 200000;
  for (int i = 0; i < n; ++i) observed[table.pick(uniform_open01(engine))] += 1;
  for (int c = 0; c < kCategoryCount; ++c) {
    expected[c] = n * p[c];
    if (p[c] == 0) EXPECT_EQ(observed[c], 0.0);
  }
  EXPECT_LT(chi_squared_statistic(observed, expected), chi_squared_critical(3));
}

// Sibling groups: mean entries a year still equal the stated rate (groups arrive at rate / mean
// size), within k standard errors across runs.
TEST(Sampler, SiblingGroupsPreserveTheExpectedEntries) {
  Scenario s = mixed_scenario();
  s.entries.annual_growth_rate = 0;
  s.uasc.expected_per_year = {};
  const RunResult result = run(s, 3000);
  std::vector<double> per_run(result.runs, 0.0);
  const int months = 12;
  for (int r = 0; r < result.runs; ++r) {
    for (int date = 1; date <= months; ++date) per_run[r] += result.value(r, date, result.layout.entries_all);
  }
  double mean = 0, squares = 0;
  for (double v : per_run) mean += v;
  mean /= result.runs;
  for (double v : per_run) squares += (v - mean) * (v - mean);
  const double se = std::sqrt(squares / (result.runs - 1) / result.runs);
  const double days = result.calendar.times[months];
  EXPECT_NEAR(mean, s.entries.total_per_year() * days / kDaysPerYear, standard_errors_allowed() * se);
}

// Conservation in every run and month: stock at the end = stock at the start + entries - exits,
// for the total; and nobody aged 18 or over is ever in care.
TEST(Invariants, StockIsConservedAndNobodyStaysPast18) {
  const Scenario s = mixed_scenario();
  const RunResult result = run(s, 300);
  const TallyLayout& l = result.layout;
  for (int r = 0; r < result.runs; ++r) {
    for (int date = 1; date < result.calendar.date_count(); ++date) {
      const int before = result.value(r, date - 1, l.stock_all);
      const int after = result.value(r, date, l.stock_all);
      ASSERT_EQ(after, before + result.value(r, date, l.entries_all) - result.value(r, date, l.exits_all))
          << "run " << r << " date " << date;
      int by_category = 0, by_age = 0, by_reason = 0, moves = 0;
      for (int c = 0; c < kCategoryCount; ++c) by_category += result.value(r, date, l.stock_by_category + c);
      for (int b = 0; b < kAgeBandCount; ++b) by_age += result.value(r, date, l.stock_by_age_band + b);
      for (int x = 0; x < kExitReasonCount; ++x) by_reason += result.value(r, date, l.exits_by_reason + x);
      for (int c = 0; c < kCategoryCount; ++c) moves += result.value(r, date, l.moves_by_category + c);
      ASSERT_EQ(by_category, after);
      ASSERT_EQ(by_age, after);
      ASSERT_EQ(by_reason, result.value(r, date, l.exits_all));
      ASSERT_EQ(moves, result.value(r, date, l.moves_all));
    }
  }
  EXPECT_EQ(result.children_in_care_aged_18_or_over, 0);
  // Young people do leave at 18 in this scenario, so the check above was exercised.
  double aged_out = 0;
  for (int r = 0; r < result.runs; ++r) {
    for (int date = 1; date < result.calendar.date_count(); ++date) {
      aged_out += result.value(r, date, l.exits_by_reason + static_cast<int>(ExitReason::aged_18)) +
                  result.value(r, date, l.exits_by_reason + static_cast<int>(ExitReason::staying_put));
    }
  }
  EXPECT_GT(aged_out, 0);
}

TEST(Reproducibility, TalliesAreIdenticalForAnyThreadCount) {
  const Scenario s = mixed_scenario();
  const RunResult one = run(s, 64, 99, 1);
  const RunResult two = run(s, 64, 99, 2);
  const RunResult five = run(s, 64, 99, 5);
  EXPECT_EQ(one.tallies, two.tallies);
  EXPECT_EQ(one.tallies, five.tallies);
  EXPECT_EQ(one.child_events, five.child_events);
  const RunResult other_seed = run(s, 64, 100, 2);
  EXPECT_NE(one.tallies, other_seed.tallies);
}

// Streams are named by identity: replication i gives the same tally whether it is run alone or
// among others.
TEST(Reproducibility, ReplicationDependsOnlyOnSeedAndIndex) {
  const Scenario s = mixed_scenario();
  const RunResult many = run(s, 10, 5, 2);
  const RunResult few = run(s, 3, 5, 1);
  const std::size_t run_size = static_cast<std::size_t>(many.calendar.date_count()) * many.layout.cell_count();
  EXPECT_TRUE(std::equal(few.tallies.begin(), few.tallies.end(), many.tallies.begin()));
  EXPECT_EQ(few.tallies.size(), 3 * run_size);
}

}  // namespace
}  // namespace carecast

namespace carecast {
namespace {
using namespace carecast::testing;

// The counts form draws individual children: every run must start with exactly the counts given,
// by category and by age band, including children born on the origin date and children whose
// birthday is the next day.
TEST(StartingPopulation, CountsFormStartsWithExactlyTheCounts) {
  Scenario s = single_category_scenario(0.5, 0, 0, 1);
  s.starting_children.clear();
  StartingCounts counts;
  counts.count[static_cast<int>(Category::foster_in_house)] = {{{7, 6}, {5, 4}, {3, 3}, {9, 8}, {6, 5}}};
  counts.mean_days_in_placement[static_cast<int>(Category::foster_in_house)] = 400;
  counts.mean_days_in_care_before_placement = 100;
  s.starting_counts = counts;
  RunOptions options;
  options.runs = 2000;
  options.threads = 2;
  const RunResult result = run_replications(s, options);
  for (int r = 0; r < result.runs; ++r) {
    ASSERT_EQ(result.value(r, 0, result.layout.stock_all), 56);
    ASSERT_EQ(result.value(r, 0, result.layout.stock_by_category + static_cast<int>(Category::foster_in_house)), 56);
    for (int b = 0; b < kAgeBandCount; ++b) {
      ASSERT_EQ(result.value(r, 0, result.layout.stock_by_age_band + b), counts.count[0][b][0] + counts.count[0][b][1])
          << "run " << r << " band " << kAgeBandNames[b];
    }
  }
}

}  // namespace
}  // namespace carecast
