// Distance from home (issue 12, item 3): each placement's location band is an outcome of its
// provider, drawn from the scenario's shares ([supply.location]); children placed outside the
// council and more than 20 miles away are counted at each month end.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "scenario/scenario_loader.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/replication.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;
namespace fs = std::filesystem;

constexpr int kInside = static_cast<int>(LocationBand::inside_council);
constexpr int kOver20 = static_cast<int>(LocationBand::outside_council_over_20_miles);

Scenario load_default() { return load_scenario(fs::path(CARECAST_SCENARIO_DIR) / "default.toml"); }

RunResult run(const Scenario& s, int runs, std::uint64_t seed = 11) {
  RunOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = 2;
  return run_replications(s, options);
}

const std::array<double, kLocationBandCount>& shares_of(const Scenario& s, Category provider) {
  return (*s.supply.location_shares)[static_cast<int>(provider)];
}

// Counts the bands of every placement other than an in-house carer household's, by provider: each
// is its own draw from the provider's shares.
class BandCounter : public ReplicationObserver {
 public:
  void admitted(std::uint32_t, const ChildState& state, double, bool) override { count(state); }
  void placement_changed(std::uint32_t, const ChildState& state, Category, double) override { count(state); }
  void left_care(std::uint32_t, const ChildState&, ExitReason, double) override {}
  PerCategory<std::array<double, kLocationBandCount>> drawn{};

 private:
  void count(const ChildState& state) {
    const bool in_household = state.place.category == Category::foster_in_house && state.place.index >= 0;
    if (!in_household) ++drawn[static_cast<int>(state.place.category)][static_cast<int>(state.location)];
  }
};

// Each provider's placements fall in the bands in its shares, and in-house carer households (whose
// children share the household's band) are spread over the bands in the in-house shares.
TEST(PlacementLocation, EachProvidersPlacementsFallInItsShares) {
  Scenario s = load_default();
  s.horizon_years = 2;
  const ReportingCalendar calendar = ReportingCalendar::monthly(s.origin, s.horizon_end());
  const TallyLayout layout(&s.supply, &s.costs);
  const CompiledModel model = CompiledModel::compile(s, calendar.times.back());
  ReplicationRunner runner(s, model, layout, calendar);
  BandCounter counter;
  runner.observe(&counter);
  std::vector<std::int32_t> tally(static_cast<std::size_t>(calendar.date_count()) * layout.cell_count());
  std::array<double, kLocationBandCount> households{};
  for (int r = 0; r < 30; ++r) {
    runner.run({5, static_cast<std::uint64_t>(r)}, tally);
    for (const Household& household : runner.supply_pool().households()) ++households[static_cast<int>(household.location)];
  }
  auto expect_shares = [&](const std::array<double, kLocationBandCount>& observed, Category provider,
                           const char* what) {
    double total = 0;
    for (double n : observed) total += n;
    std::vector<double> expected;
    for (double share : shares_of(s, provider)) expected.push_back(share * total);
    const std::vector<double> seen(observed.begin(), observed.end());
    EXPECT_LT(chi_squared_statistic(seen, expected), chi_squared_critical(kLocationBandCount - 1))
        << what << " " << name_of(provider) << ": " << seen[0] << " / " << seen[1] << " / " << seen[2];
    return total;
  };
  EXPECT_GT(expect_shares(households, Category::foster_in_house, "households"), 3000);
  for (Category provider : {Category::foster_agency, Category::foster_kinship, Category::placed_with_parents,
                            Category::childrens_home_external, Category::supported_accommodation}) {
    EXPECT_GT(expect_shares(counter.drawn[static_cast<int>(provider)], provider, "placements with"), 500);
  }
}

// The counts and percentages written at a month end are the children in care in those bands then:
// at the last reporting date, the run's final state.
TEST(PlacementLocation, TheMetricsCountTheChildrenInCareByBand) {
  Scenario s = load_default();
  s.horizon_years = 1;
  const ReportingCalendar calendar = ReportingCalendar::monthly(s.origin, s.horizon_end());
  const TallyLayout layout(&s.supply, &s.costs);
  ASSERT_GE(layout.placed_outside_council_count, 0);
  const CompiledModel model = CompiledModel::compile(s, calendar.times.back());
  ReplicationRunner runner(s, model, layout, calendar);
  std::vector<std::int32_t> tally(static_cast<std::size_t>(calendar.date_count()) * layout.cell_count());
  std::vector<double> measures(static_cast<std::size_t>(calendar.date_count()) * layout.measure_count());
  const int last = calendar.date_count() - 1;
  for (int r = 0; r < 5; ++r) {
    runner.run({9, static_cast<std::uint64_t>(r)}, tally, measures);
    int in_care = 0, outside = 0, over_20 = 0;
    for (const ChildState& child : runner.children()) {
      if (!child.in_care) continue;
      ++in_care;
      outside += static_cast<int>(child.location) != kInside;
      over_20 += static_cast<int>(child.location) == kOver20;
    }
    const std::int32_t* row = tally.data() + static_cast<std::size_t>(last) * layout.cell_count();
    const double* measured = measures.data() + static_cast<std::size_t>(last) * layout.measure_count();
    EXPECT_EQ(row[layout.stock_all], in_care);
    EXPECT_EQ(row[layout.placed_outside_council_count], outside);
    EXPECT_EQ(row[layout.placed_over_20_miles_count], over_20);
    EXPECT_DOUBLE_EQ(measured[layout.placed_outside_council], 100.0 * outside / in_care);
    EXPECT_DOUBLE_EQ(measured[layout.placed_over_20_miles], 100.0 * over_20 / in_care);
    EXPECT_GT(over_20, 0);
    EXPECT_LT(over_20, outside);
  }
}

// The default council starts from its published shares (62% outside the borough, 15% more than 20
// miles away): its providers' shares, weighted by the children each has at the origin, give them,
// and the simulated origin agrees with that expectation within k standard errors.
TEST(PlacementLocation, TheDefaultStartsFromThePublishedShares) {
  Scenario s = load_default();
  s.horizon_years = 1;
  const RunResult r = run(s, 200);
  const TallyLayout& l = r.layout;
  const int outside_cell = l.cell_count() + l.placed_outside_council;
  const int over_cell = l.cell_count() + l.placed_over_20_miles;
  double sum_outside = 0, squares_outside = 0, sum_over = 0, squares_over = 0, expected_outside = 0, expected_over = 0;
  for (int run = 0; run < r.runs; ++run) {
    double outside = 0, over = 0;
    for (int c = 0; c < kCategoryCount; ++c) {
      const double children = r.value(run, 0, l.stock_by_category + c);
      outside += children * (1 - shares_of(s, static_cast<Category>(c))[kInside]);
      over += children * shares_of(s, static_cast<Category>(c))[kOver20];
    }
    const double stock = r.value(run, 0, l.stock_all);
    outside *= 100 / stock;
    over *= 100 / stock;
    expected_outside += outside / r.runs;
    expected_over += over / r.runs;
    const double d_outside = r.number(run, 0, outside_cell) - outside;
    const double d_over = r.number(run, 0, over_cell) - over;
    sum_outside += d_outside;
    squares_outside += d_outside * d_outside;
    sum_over += d_over;
    squares_over += d_over * d_over;
  }
  auto within = [&](double sum, double squares, const char* what) {
    const double mean = sum / r.runs;
    const double se = std::sqrt((squares / r.runs - mean * mean) / (r.runs - 1));
    EXPECT_LT(std::abs(mean), standard_errors_allowed() * se) << what << ": " << mean << " (se " << se << ")";
    EXPECT_GT(se, 0);
  };
  within(sum_outside, squares_outside, "outside the council");
  within(sum_over, squares_over, "over 20 miles");
  EXPECT_NEAR(expected_outside, 62, 1);
  EXPECT_NEAR(expected_over, 15, 1);
}

// Recruiting in-house carers brings children closer: 40 more households at the origin take
// children who would have gone to agency carers, who are placed further away.
TEST(PlacementLocation, MoreInHouseHouseholdsPlaceFewerChildrenOver20Miles) {
  Scenario base = load_default();
  base.horizon_years = 2;
  Scenario more = base;
  more.supply.in_house_households += 40;
  const RunResult a = run(base, 200);
  const RunResult b = run(more, 200);
  const int last = a.calendar.date_count() - 1;
  for (int cell : {a.layout.placed_over_20_miles_count, a.layout.placed_outside_council_count}) {
    double sum = 0, squares = 0;
    for (int r = 0; r < a.runs; ++r) {
      const double d = b.value(r, last, cell) - a.value(r, last, cell);
      sum += d;
      squares += d * d;
    }
    const double mean = sum / a.runs;
    const double se = std::sqrt((squares / a.runs - mean * mean) / (a.runs - 1));
    EXPECT_LT(mean, -standard_errors_allowed() * se) << a.layout.cell(cell).metric << " changes by " << mean
                                                     << " (se " << se << ")";
  }
}

// Location draws come from streams of their own: a scenario without [supply.location] gives every
// other figure exactly as with it, run by run, and has no location metrics.
TEST(PlacementLocation, LocationsChangeNothingElse) {
  Scenario with = load_default();
  with.horizon_years = 1;
  Scenario without = with;
  without.supply.location_shares.reset();
  const RunResult a = run(with, 20);
  const RunResult b = run(without, 20);
  EXPECT_EQ(b.layout.find("placed_over_20_miles", "all"), -1);
  EXPECT_EQ(b.layout.find("children_placed_over_20_miles", "all"), -1);
  ASSERT_EQ(a.layout.cell_count(), b.layout.cell_count() + 2);
  int compared = 0;
  for (int cell = 0; cell < b.layout.cell_count(); ++cell) {
    const int in_a = a.layout.find(b.layout.cell(cell).metric, b.layout.cell(cell).category);
    ASSERT_GE(in_a, 0);
    for (int run = 0; run < a.runs; ++run) {
      for (int d = 0; d < a.calendar.date_count(); ++d) {
        ASSERT_EQ(a.value(run, d, in_a), b.value(run, d, cell)) << b.layout.cell(cell).metric;
        ++compared;
      }
    }
  }
  EXPECT_GT(compared, 10000);
}

class PlacementLocationErrors : public testing::ScenarioRefusalTest {};

TEST_F(PlacementLocationErrors, AnUnknownProviderOrBandIsRefused) {
  const InputError provider = error_for("[supply.location.foster_mars]\ninside_council = 1\n");
  EXPECT_EQ(provider.where().line, 2);
  EXPECT_EQ(provider.where().field, "supply.location.foster_mars");
  EXPECT_NE(provider.problem().find("unknown provider"), std::string::npos) << provider.problem();
  const InputError band = error_for("\n[supply.location.foster_agency]\ninside_council = 0.5\nover_20_km = 0.5\n");
  EXPECT_EQ(band.where().line, 5);
  EXPECT_EQ(band.where().field, "supply.location.foster_agency.over_20_km");
  EXPECT_NE(band.problem().find("outside_council_over_20_miles"), std::string::npos) << band.problem();
}

TEST_F(PlacementLocationErrors, SharesNotSummingToOneOrOutOfRangeAreRefused) {
  const InputError sum = error_for("[supply.location.foster_agency]\ninside_council = 0.5\n"
                                   "outside_council_within_20_miles = 0.3\noutside_council_over_20_miles = 0.1\n");
  EXPECT_EQ(sum.where().line, 2);
  EXPECT_EQ(sum.where().field, "supply.location.foster_agency");
  EXPECT_NE(sum.problem().find("sum to 0.9"), std::string::npos) << sum.problem();
  const InputError range = error_for("[supply.location.foster_agency]\ninside_council = 1.5\n"
                                     "outside_council_over_20_miles = -0.5\n");
  EXPECT_EQ(range.where().line, 3);
  EXPECT_EQ(range.where().field, "supply.location.foster_agency.inside_council");
}

TEST_F(PlacementLocationErrors, AProviderWithoutSharesIsRefused) {
  const InputError e = error_for("remove = [\"supply.location\"]\n[supply.location.foster_in_house]\n"
                                 "inside_council = 1\n");
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().field, "supply.location");
  EXPECT_NE(e.problem().find("foster_agency"), std::string::npos) << e.problem();
  EXPECT_NE(e.problem().find("any_other_provider"), std::string::npos) << e.problem();
}

}  // namespace
}  // namespace carecast
