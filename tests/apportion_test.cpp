// Counts scaled to a council of another size keep their total (core/apportion.hpp): the fit's start,
// its starting-stock multiplier and a shared base scaled for a pooled fit. Rounding each cell on its
// own had left a council of 13 children with 7 at the start of its fit.
#include "core/apportion.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "fitting/fit_parameters.hpp"
#include "fitting/pooled_fit.hpp"
#include "fitting/published_fit.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_loader.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

fs::path base_path() { return fs::path(CARECAST_SCENARIO_DIR) / "default-base.toml"; }

std::vector<double> cells_of(const PerCategory<PerAgeBand<PerSex<int>>>& table) {
  std::vector<double> cells;
  for (const auto& category : table)
    for (const auto& band : category) cells.insert(cells.end(), band.begin(), band.end());
  return cells;
}

double sum(const std::vector<double>& cells) {
  double total = 0;
  for (double x : cells) total += x;
  return total;
}

TEST(Apportion, SharesAddUpToTheTotalAndEachIsItsExactShareRoundedUpOrDown) {
  const std::vector<double> weights = {13, 0, 1, 1, 1, 7, 0.5, 40, 2, 2};
  for (long long total = 0; total <= 200; ++total) {
    const std::vector<long long> shares = apportion(total, weights);
    ASSERT_EQ(shares.size(), weights.size());
    long long given = 0;
    for (std::size_t i = 0; i < weights.size(); ++i) {
      const double exact = static_cast<double>(total) * weights[i] / sum(weights);
      EXPECT_GE(shares[i], std::floor(exact)) << total << " cell " << i;
      EXPECT_LE(shares[i], std::ceil(exact)) << total << " cell " << i;
      if (weights[i] == 0) EXPECT_EQ(shares[i], 0);
      given += shares[i];
    }
    EXPECT_EQ(given, total);
  }
  // Equal remainders: the earlier cells get the extra ones.
  EXPECT_EQ(apportion(2, std::vector<double>{1, 1, 1}), (std::vector<long long>{1, 1, 0}));
  // Nothing to share by: nothing given.
  EXPECT_EQ(apportion(5, std::vector<double>{0, 0}), (std::vector<long long>{0, 0}));
}

// The default council's 433 starting children scaled to councils of every size from 1 to 866.
TEST(ScaleStartingChildren, KeepsTheTotalAndEachCellsShare) {
  const Scenario base = load_scenario(base_path());
  ASSERT_TRUE(base.starting_counts);
  const StartingCounts& original = *base.starting_counts;
  const std::vector<double> before = cells_of(original.count);
  const std::vector<double> uasc_before = cells_of(original.uasc_count);
  const int children = original.children();
  ASSERT_GT(children, 400);
  for (int target = 1; target <= 2 * children; ++target) {
    StartingCounts scaled = original;
    const double scale = static_cast<double>(target) / children;
    scale_starting_children(scaled, scale);
    ASSERT_EQ(scaled.children(), target) << "scale " << scale;
    const std::vector<double> after = cells_of(scaled.count);
    const std::vector<double> uasc_after = cells_of(scaled.uasc_count);
    for (std::size_t k = 0; k < after.size(); ++k) {
      EXPECT_LE(std::abs(after[k] - before[k] * scale), 1.0) << "scale " << scale << " cell " << k;
      EXPECT_LE(uasc_after[k], after[k]);
    }
    // UASC: their own total scaled, less only where a cell has fewer children than its UASC share.
    EXPECT_LE(sum(uasc_after), std::llround(sum(uasc_before) * scale));
    EXPECT_GE(sum(uasc_after), std::llround(sum(uasc_before) * scale) - 2) << "scale " << scale;
  }
  StartingCounts same = original;
  scale_starting_children(same, 1.0);
  EXPECT_EQ(same.count, original.count);
  EXPECT_EQ(same.uasc_count, original.uasc_count);
}

class ScaledCounts : public testing::TemporaryFolderTest {};

// A council of 13 children fitted from the default's base starts its fit with 13 (it had 7).
TEST_F(ScaledCounts, TheFitStartsFromTheCouncilsFirstChildrenLookedAfter) {
  const Scenario base = load_scenario(base_path());
  for (const int children : {13, 17, 40, 417}) {
    const PublishedFigures figures = read_published_figures(
        write("council.csv", "metric,category,period_start,date,value\nchildren_looked_after,all,,2019-03-31," +
                                 std::to_string(children) + "\nentries,all,2019-04-01,2020-03-31,10\n"));
    const FitStart start = fit_start(base, figures, make_date(2020, 3, 31));
    ASSERT_TRUE(start.scenario.starting_counts);
    EXPECT_EQ(start.scenario.starting_counts->children(), children);
  }
}

// The starting-stock multiplier moves the children in all, even where every cell holds one or two.
TEST_F(ScaledCounts, TheStartingStockMultiplierMovesASmallCouncilsChildren) {
  const Scenario base = load_scenario(base_path());
  const PublishedFigures figures = read_published_figures(
      write("council.csv", "metric,category,period_start,date,value\nchildren_looked_after,all,,2019-03-31,20\n"
                           "entries,all,2019-04-01,2020-03-31,10\n"));
  const FitStart start = fit_start(base, figures, make_date(2020, 3, 31));
  const std::vector<FitParameter> kinds = {FitParameter::starting_stock};
  for (const double multiplier : {0.5, 0.9, 1.1, 1.25, 2.0}) {
    const std::vector<double> theta = {std::log(multiplier)};
    const Scenario moved = apply_parameters(start.scenario, kinds, theta);
    EXPECT_EQ(moved.starting_counts->children(), std::lround(20 * multiplier)) << multiplier;
  }
}

// A base shared by pooled councils: its care leavers and the children who left care before the origin are
// scaled to the council's size as whole tables.
TEST_F(ScaledCounts, ASharedBasesTablesAreScaledWhole) {
  const Scenario base = load_scenario(base_path());
  const auto total_leavers = [](const Scenario& s) {
    long long total = 0;
    for (const auto& by_band : s.care_leavers.starting_count)
      for (int n : by_band) total += n;
    return total;
  };
  const auto total_left = [](const Scenario& s) {
    long long total = 0;
    for (const auto& counts : s.re_entry.left_before_origin)
      for (std::int32_t n : counts) total += n;
    return total;
  };
  ASSERT_GT(total_leavers(base), 50);
  ASSERT_GT(total_left(base), 50);
  const int children = base.starting_counts->children();
  for (const int council : {13, 40, 200}) {
    const PublishedFigures figures = read_published_figures(write(
        "council.csv", "metric,category,period_start,date,value\nchildren_looked_after,all,,2019-03-31," +
                           std::to_string(council) + "\n"));
    std::string note;
    const Scenario scaled = base_scaled_to_council(base, figures, note);
    const double factor = static_cast<double>(council) / children;
    EXPECT_EQ(total_leavers(scaled), std::llround(static_cast<double>(total_leavers(base)) * factor)) << council;
    EXPECT_EQ(total_left(scaled), std::llround(static_cast<double>(total_left(base)) * factor)) << council;
  }
}

}  // namespace
}  // namespace carecast
