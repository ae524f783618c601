// A counts start that states the DfE stability measures at the origin (scenario.hpp
// StartingCounts, simulation/starting_counts_draw.hpp): the drawn children have exactly the
// stated placements since 1 April, consistent times in care and in placement, each category's
// days in placement as without the statement, and the stated long-term stability in expectation;
// and a run of the default scenario reports the council's figures at the first 31 March.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/random_streams.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/starting_counts_draw.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

constexpr int kInHouse = static_cast<int>(Category::foster_in_house);
constexpr int kAgency = static_cast<int>(Category::foster_agency);
constexpr std::uint64_t kSeed = 20251128;
const Date kOrigin = make_date(2025, 2, 28);
// Days from 1 April 2024 to the origin, and the long-term measure's 30 and 24 months before it.
const double kSinceApril = days_between(make_date(2024, 4, 1), kOrigin);
const double kCareNeeded = days_between(make_date(2022, 8, 28), kOrigin);
const double kPlacementNeeded = days_between(make_date(2023, 2, 28), kOrigin);

struct DrawnChild {
  int band;
  StartingChild child;
};

// Every child of `counts`, in the order and on the streams the simulation uses.
std::vector<DrawnChild> draw_all(const StartingCounts& counts, Date origin, std::uint64_t replication) {
  std::vector<DrawnChild> children;
  std::uint32_t entity = 0;
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int band = 0; band < kAgeBandCount; ++band) {
      for (int s = 0; s < kSexCount; ++s) {
        for (int n = 0; n < counts.count[c][band][s]; ++n) {
          StreamEngine draws(kSeed, replication, entity_id(EntityKind::starting_child, entity++),
                             Process::starting_population);
          children.push_back({band, draw_counts_child(counts, c, band, s, n, origin, draws)});
        }
      }
    }
  }
  return children;
}

// 74 children with in-house carers and 20 with agency carers, from 5 to 17.
StartingCounts two_categories() {
  StartingCounts counts;
  counts.count[kInHouse][2] = {10, 8};
  counts.count[kInHouse][3] = {20, 15};
  counts.count[kInHouse][4] = {12, 9};
  counts.count[kAgency][2] = {3, 2};
  counts.count[kAgency][3] = {6, 4};
  counts.count[kAgency][4] = {3, 2};
  counts.mean_days_in_placement[kInHouse] = 600;
  counts.mean_days_in_placement[kAgency] = 400;
  counts.mean_days_in_care_before_placement = 250;
  return counts;
}

// Times in care and in placement a child's placements since 1 April can have.
void expect_consistent(const StartingChild& child, bool first_placement_stated) {
  EXPECT_LE(child.days_in_placement, child.days_in_care);
  EXPECT_LE(child.days_in_care, child.age_days);
  if (child.placements_since_april >= 2) {
    EXPECT_LT(child.days_in_placement, kSinceApril) << "a second placement began after 1 April";
    EXPECT_GT(child.days_in_care, child.days_in_placement) << "an earlier placement in the same period of care";
  } else if (first_placement_stated && child.days_in_placement < kSinceApril) {
    EXPECT_EQ(child.days_in_care, child.days_in_placement) << "care began with a first placement since 1 April";
  }
}

TEST(StartingCounts, StatedPlacementsSinceAprilAreMetExactlyInEveryReplication) {
  StartingCounts counts = two_categories();
  PerCategory<std::array<int, 3>> stated{};
  stated[kInHouse] = {48, 16, 10};
  stated[kAgency] = {12, 5, 3};
  counts.placements_since_april = stated;
  ASSERT_FALSE(starting_counts_problem(counts, kOrigin));
  for (std::uint64_t replication = 0; replication < 50; ++replication) {
    PerCategory<std::array<int, 3>> drawn{};
    for (const DrawnChild& d : draw_all(counts, kOrigin, replication)) {
      ++drawn[static_cast<int>(d.child.category)][d.child.placements_since_april - 1];
      expect_consistent(d.child, true);
    }
    ASSERT_EQ(drawn, stated) << "replication " << replication;
  }
}

TEST(StartingCounts, ShortTermPercentIsMetExactlyInEveryReplication) {
  StartingCounts counts = two_categories();
  counts.short_term_stability_percent = 14;  // of 94 children: 13.16, so 13
  ASSERT_FALSE(starting_counts_problem(counts, kOrigin));
  for (std::uint64_t replication = 0; replication < 50; ++replication) {
    int three_or_more = 0;
    for (const DrawnChild& d : draw_all(counts, kOrigin, replication)) {
      three_or_more += d.child.placements_since_april >= 3 ? 1 : 0;
      expect_consistent(d.child, false);
    }
    ASSERT_EQ(three_or_more, 13) << "replication " << replication;
  }
  // Without a statement nobody has 3 or more: what the first 31 March used to start from.
  const StartingCounts unstated = two_categories();
  for (const DrawnChild& d : draw_all(unstated, kOrigin, 0)) EXPECT_LT(d.child.placements_since_april, 3);
}

// Stating the measures changes whom each draw picks, not the distribution of days in placement of
// each category (which `carecast expect` assumes): the share of placements begun since 1 April and
// of those under 24 months old stay those of the exponential. Every child here is 5 or older, so
// the cut at the child's age never moves a draw across either line.
TEST(StartingCounts, StatingTheMeasuresKeepsEachCategorysDaysInPlacement) {
  StartingCounts by_category = two_categories();
  PerCategory<std::array<int, 3>> stated{};
  stated[kInHouse] = {44, 20, 10};
  stated[kAgency] = {10, 7, 3};
  by_category.placements_since_april = stated;
  by_category.long_term_stability_percent = 60;
  StartingCounts by_percent = two_categories();
  by_percent.short_term_stability_percent = 20;
  by_percent.long_term_stability_percent = 45;
  constexpr int kReplications = 400;
  for (const StartingCounts* counts : {&by_category, &by_percent}) {
    for (int c : {kInHouse, kAgency}) {
      const double mean = counts->mean_days_in_placement[c];
      for (const double line : {kSinceApril, kPlacementNeeded}) {
        double below = 0;
        double children = 0;
        for (std::uint64_t r = 0; r < kReplications; ++r) {
          for (const DrawnChild& d : draw_all(*counts, kOrigin, r)) {
            if (static_cast<int>(d.child.category) != c) continue;
            ++children;
            below += d.child.days_in_placement < line ? 1 : 0;
          }
        }
        // Children whose class is fixed are less variable than a binomial: its SE is an upper bound.
        const double expected = 1 - std::exp(-line / mean);
        const double se = std::sqrt(expected * (1 - expected) / children);
        EXPECT_NEAR(below / children, expected, testing::standard_errors_allowed() * se)
            << kCategoryNames[static_cast<std::size_t>(c)] << " below " << line << " days";
      }
    }
  }
}

// The long-term measure at the origin over many replications: its stable children over its
// children, a ratio estimate whose standard error comes from the replications' spread.
struct LongTermEstimate {
  double ratio;
  double standard_error;
};
LongTermEstimate long_term_at_origin(const StartingCounts& counts, int replications) {
  std::vector<double> stable(replications);
  std::vector<double> in_measure(replications);
  for (int r = 0; r < replications; ++r) {
    for (const DrawnChild& d : draw_all(counts, kOrigin, static_cast<std::uint64_t>(r))) {
      if (d.band >= kAgeBandCount - 1 || d.child.days_in_care < kCareNeeded) continue;
      ++in_measure[r];
      stable[r] += d.child.days_in_placement >= kPlacementNeeded ? 1 : 0;
    }
  }
  double total_stable = 0;
  double total_in = 0;
  for (int r = 0; r < replications; ++r) {
    total_stable += stable[r];
    total_in += in_measure[r];
  }
  const double ratio = total_stable / total_in;
  double residual_square = 0;
  for (int r = 0; r < replications; ++r) residual_square += std::pow(stable[r] - ratio * in_measure[r], 2);
  const double mean_in = total_in / replications;
  return {ratio, std::sqrt(residual_square / (replications - 1) / replications) / mean_in};
}

TEST(StartingCounts, LongTermStabilityIsMetInExpectation) {
  StartingCounts by_category = two_categories();
  PerCategory<std::array<int, 3>> stated{};
  stated[kInHouse] = {54, 12, 8};
  stated[kAgency] = {14, 4, 2};
  by_category.placements_since_april = stated;
  by_category.long_term_stability_percent = 60;
  StartingCounts by_percent = two_categories();
  by_percent.short_term_stability_percent = 12;
  by_percent.long_term_stability_percent = 45;
  // A figure above what all shorter placements left out would give: stable placements of 24 to 30
  // months then count too.
  StartingCounts high = two_categories();
  high.long_term_stability_percent = 90;
  for (const StartingCounts* counts : {&by_category, &by_percent, &high}) {
    ASSERT_FALSE(starting_counts_problem(*counts, kOrigin));
    const LongTermEstimate estimate = long_term_at_origin(*counts, 1000);
    EXPECT_NEAR(100 * estimate.ratio, *counts->long_term_stability_percent,
                100 * testing::standard_errors_allowed() * estimate.standard_error);
  }
  // Without a statement the measure is far from 60%, so the check above has teeth.
  const LongTermEstimate unstated = long_term_at_origin(two_categories(), 1000);
  EXPECT_GT(std::abs(100 * unstated.ratio - 60), 100 * testing::standard_errors_allowed() * unstated.standard_error)
      << 100 * unstated.ratio;
}

TEST(StartingCounts, ReportsFiguresItCannotHonour) {
  StartingCounts counts = two_categories();
  // About 1 - exp(-333/400) = 56% of 20 agency placements began since 1 April: 11, not 15.
  PerCategory<std::array<int, 3>> stated{};
  stated[kInHouse] = {74, 0, 0};
  stated[kAgency] = {5, 10, 5};
  counts.placements_since_april = stated;
  auto problem = starting_counts_problem(counts, kOrigin);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->about, StartingCountsProblem::About::placements_since_april);
  EXPECT_EQ(problem->category, kAgency);
  EXPECT_NE(problem->problem.find("only about 11.3"), std::string::npos) << problem->problem;

  // On 1 April no placement has begun since 1 April but the origin's own.
  StartingCounts on_april = two_categories();
  on_april.short_term_stability_percent = 5;
  problem = starting_counts_problem(on_april, make_date(2025, 4, 1));
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->about, StartingCountsProblem::About::short_term);
  EXPECT_NE(problem->problem.find("the origin is 1 April"), std::string::npos) << problem->problem;

  StartingCounts long_placements = two_categories();
  long_placements.mean_days_in_placement = {};
  long_placements.mean_days_in_placement[kInHouse] = 4000;
  long_placements.mean_days_in_placement[kAgency] = 4000;
  long_placements.long_term_stability_percent = 10;
  problem = starting_counts_problem(long_placements, kOrigin);
  ASSERT_TRUE(problem);
  EXPECT_EQ(problem->about, StartingCountsProblem::About::long_term);
}

// ---------------------------------------------------------------------------------------------
// The default scenario, run as a user runs it

using Row = testing::ForecastCsvRow;

fs::path run_scenario(const fs::path& scenario, int runs, const std::string& name) {
  const fs::path out = fs::temp_directory_path() / ("carecast_starting_counts_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(out);
  const auto result = testing::run_carecast("run " + scenario.string() + " --runs " + std::to_string(runs) +
                                            " --seed 7 --out " + out.string());
  EXPECT_EQ(result.exit_code, 0) << result.output;
  return out;
}

// The standard error of a mean over `runs` replications, from the 5th and 95th percentiles
// (about 3.29 standard deviations apart for a normal spread).
double standard_error_from_spread(const Row& row, int runs) { return (row.p95 - row.p05) / 3.29 / std::sqrt(runs); }

// With the origin moved to 31 March 2025 the measures are reported at the origin itself: the
// short-term exactly 61 of the 433 children (14%) in every run, the long-term 60% in expectation.
TEST(StartingCounts, TheDefaultStartsFromTheCouncilsPublishedMeasures) {
  const fs::path dir = fs::temp_directory_path() / ("carecast_starting_counts_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path scenario = dir / "default_31_march.toml";
  std::ofstream(scenario) << "extends = \"" << (fs::path(CARECAST_SCENARIO_DIR) / "default.toml").string()
                          << "\"\norigin_date = 2025-03-31\n";
  constexpr int kRuns = 200;
  const fs::path out = run_scenario(scenario, kRuns, "31_march");
  const auto rows = testing::read_forecast_csv(out / "forecast.csv");
  const Row& short_term = rows.at("stability_short_term,all,2025-03-31");
  EXPECT_NEAR(short_term.mean, 100.0 * 61 / 433, 1e-9);
  EXPECT_NEAR(short_term.p05, 100.0 * 61 / 433, 1e-9);
  EXPECT_NEAR(short_term.p95, 100.0 * 61 / 433, 1e-9);
  const Row& long_term = rows.at("stability_long_term,all,2025-03-31");
  EXPECT_NEAR(long_term.mean, 60, testing::standard_errors_allowed() * standard_error_from_spread(long_term, kRuns));
  fs::remove_all(out);
  fs::remove_all(dir);
}

// From the default's own origin, 28 February 2025, a month of moves and entries later: the
// short-term measure is no lower than the 14% the council published (its 61 children with 3 or
// more are still nearly all in care, and March's moves add to them), where an unstated start
// gave under 2%.
TEST(StartingCounts, TheDefaultsFirst31MarchReportsTheCouncilsShortTermMeasure) {
  constexpr int kRuns = 200;
  const fs::path out = run_scenario(fs::path(CARECAST_SCENARIO_DIR) / "default.toml", kRuns, "default");
  const auto rows = testing::read_forecast_csv(out / "forecast.csv");
  const Row& short_term = rows.at("stability_short_term,all,2025-03-31");
  EXPECT_GT(short_term.mean, 14 - testing::standard_errors_allowed() * standard_error_from_spread(short_term, kRuns));
  fs::remove_all(out);
}

}  // namespace
}  // namespace carecast
