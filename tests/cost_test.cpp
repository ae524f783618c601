// Costs (docs/sources.md, "Unit costs"): weekly costs booked per stay and split exactly across months, financial
// years on 1 April, inflation by financial year, fixed costs whatever the occupancy.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/errors.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;
namespace fs = std::filesystem;

RunResult run(const Scenario& s, int runs, std::uint64_t seed = 7) {
  RunOptions options;
  options.runs = runs;
  options.seed = seed;
  options.threads = 2;
  return run_replications(s, options);
}

int date_index(const RunResult& r, Date date) {
  for (int d = 0; d < r.calendar.date_count(); ++d) {
    if (r.calendar.dates[d] == date) return d;
  }
  ADD_FAILURE() << "no reporting date " << format_iso(date);
  return 0;
}

double measure(const RunResult& r, int run_index, Date date, std::string_view metric, std::string_view category) {
  const int cell = r.layout.find(metric, category);
  EXPECT_GE(cell, r.layout.cell_count()) << metric << " " << category;
  return r.number(run_index, date_index(r, date), cell);
}

// One foster child, never moving, £700 a week (£100 a day), 18th birthday on 15 June 2025: care
// ends at the start of that day, after 106 days from the origin (28 February 2025).
Scenario one_child_until_18() {
  Scenario s = single_category_scenario(0.0, 1, 0, 2);
  const Date dob = make_date(2007, 6, 15);
  s.starting_children[0].age_days = static_cast<std::int32_t>(days_between(dob, s.origin));
  s.costs.enabled = true;
  s.costs.base_year = 2024;
  s.costs.weekly[static_cast<int>(Category::foster_in_house)] = 700;
  return s;
}

TEST(Costs, PlacementCostIsWeeklyCostTimesDaysSplitAcrossMonths) {
  const RunResult r = run(one_child_until_18(), 3);
  for (int k = 0; k < r.runs; ++k) {
    EXPECT_DOUBLE_EQ(measure(r, k, make_date(2025, 3, 31), "cost", "foster_in_house"), 3100);
    EXPECT_DOUBLE_EQ(measure(r, k, make_date(2025, 4, 30), "cost", "foster_in_house"), 3000);
    EXPECT_DOUBLE_EQ(measure(r, k, make_date(2025, 5, 31), "cost", "foster_in_house"), 3100);
    EXPECT_DOUBLE_EQ(measure(r, k, make_date(2025, 6, 30), "cost", "foster_in_house"), 1400);  // 1-14 June
    EXPECT_DOUBLE_EQ(measure(r, k, make_date(2025, 7, 31), "cost", "all"), 0);
    EXPECT_DOUBLE_EQ(measure(r, k, make_date(2027, 2, 28), "cost_cumulative", "all"), 106 * 100.0);
    EXPECT_DOUBLE_EQ(measure(r, k, make_date(2025, 3, 31), "cost_financial_year", "all"), 3100);
    EXPECT_DOUBLE_EQ(measure(r, k, make_date(2026, 3, 31), "cost_financial_year", "all"), 7500);
  }
}

TEST(Costs, FinancialYearsSplitOnFirstAprilAndInflateByYear) {
  // A child who stays for the whole 2-year horizon, 10% inflation a year after 2024-25.
  Scenario s = single_category_scenario(0.0, 1, 3650, 2);
  s.costs.enabled = true;
  s.costs.base_year = 2024;
  s.costs.inflation_per_year = 0.10;
  s.costs.weekly[static_cast<int>(Category::foster_in_house)] = 700;
  s.costs.budget_per_financial_year = {3000, 41000, 30000};
  const RunResult r = run(s, 2);
  EXPECT_DOUBLE_EQ(measure(r, 0, make_date(2025, 3, 31), "cost_financial_year", "all"), 3100);
  EXPECT_NEAR(measure(r, 0, make_date(2025, 4, 30), "cost", "all"), 3000 * 1.1, 1e-9);
  EXPECT_NEAR(measure(r, 0, make_date(2026, 3, 31), "cost_financial_year", "all"), 36500 * 1.1, 1e-6);
  // The last, partial year: 1 April 2026 to the horizon, 28 February 2027 (334 days).
  EXPECT_NEAR(measure(r, 0, make_date(2027, 2, 28), "cost_financial_year", "all"), 33400 * 1.21, 1e-6);
  EXPECT_NEAR(measure(r, 0, make_date(2027, 2, 28), "cost_cumulative", "all"), 3100 + 36500 * 1.1 + 33400 * 1.21, 1e-6);
  // NPV: every month discounted from its end at 3.5% a year, so below the undiscounted total.
  const double npv = measure(r, 0, make_date(2027, 2, 28), "cost_npv", "all");
  EXPECT_LT(npv, 3100 + 36500 * 1.1 + 33400 * 1.21);
  EXPECT_GT(npv, (3100 + 36500 * 1.1 + 33400 * 1.21) / std::pow(1.035, 2.0));
  // Only the whole financial year is compared with its budget (£40,150 against £41,000: within it).
  EXPECT_DOUBLE_EQ(measure(r, 0, make_date(2026, 3, 31), "budget_exceedance_probability", "all"), 0);
  EXPECT_DOUBLE_EQ(measure(r, 0, make_date(2026, 3, 31), "budget_overspend", "all"), 0);
  // The origin's year (one month) and the horizon's (11 months) are part years: against their budgets (£3,000
  // and £30,000) they would show an overspend of £100 and £10,414, but they are not compared (no value).
  for (const Date part_year_end : {make_date(2025, 3, 31), make_date(2027, 2, 28)}) {
    EXPECT_TRUE(std::isnan(measure(r, 0, part_year_end, "budget_exceedance_probability", "all")));
    EXPECT_TRUE(std::isnan(measure(r, 0, part_year_end, "budget_overspend", "all")));
  }
  // A whole year over its budget: the overspend is the cost above it, and the run counts as exceeding it.
  s.costs.budget_per_financial_year = {3000, 36000, 30000};
  const RunResult over = run(s, 2);
  EXPECT_DOUBLE_EQ(measure(over, 0, make_date(2026, 3, 31), "budget_exceedance_probability", "all"), 1);
  EXPECT_NEAR(measure(over, 0, make_date(2026, 3, 31), "budget_overspend", "all"), 36500 * 1.1 - 36000, 1e-6);
}

TEST(Costs, FixedCostsAccrueWithNoChildrenPlaced) {
  Scenario s = single_category_scenario(0.0, 0, 0, 1);
  s.supply.enabled = true;
  s.supply.in_house_households = 10;
  InHouseHome home;
  home.name = "home";
  home.beds = 4;
  home.opens = make_date(2025, 4, 1);
  home.annual_cost = 1000 * 365.25;
  s.supply.homes.push_back(home);
  s.costs.enabled = true;
  s.costs.base_year = 2024;
  s.costs.carer_support_per_household_per_year = 100 * 365.25;
  const RunResult r = run(s, 2);
  EXPECT_NEAR(measure(r, 0, make_date(2025, 3, 31), "cost", "carer_support"), 31 * 10 * 100.0, 1e-6);
  EXPECT_NEAR(measure(r, 0, make_date(2025, 3, 31), "cost", "childrens_home_in_house"), 0, 1e-9);
  EXPECT_NEAR(measure(r, 0, make_date(2025, 4, 30), "cost", "childrens_home_in_house"), 30 * 1000.0, 1e-6);
  EXPECT_NEAR(measure(r, 1, make_date(2025, 4, 30), "cost", "all"), 30 * 1000.0 + 30 * 10 * 100.0, 1e-6);
  EXPECT_EQ(r.value(0, 1, r.layout.stock_all), 0);
}

TEST(Costs, HeavyTailedCostsHaveTheStatedMeanAndDoNotChangeTheForecast) {
  Scenario s = single_category_scenario(0.0, 4000, 3650, 1);
  s.costs.enabled = true;
  s.costs.base_year = 2024;
  const int home = static_cast<int>(Category::foster_in_house);
  s.costs.weekly[home] = 6100;
  s.costs.coefficient_of_variation[home] = 0.5;
  const RunResult r = run(s, 2);
  // 4000 placements: the mean weekly cost is within 5 standard errors (cv 0.5 / sqrt(4000)).
  const double weekly = measure(r, 0, make_date(2025, 3, 31), "cost", "all") / 31.0 * 7.0 / 4000.0;
  EXPECT_NEAR(weekly / 6100, 1.0, 5 * 0.5 / std::sqrt(4000.0));
  Scenario without = s;
  without.costs = Costs{};
  const RunResult plain = run(without, 2);
  for (int d = 0; d < r.calendar.date_count(); ++d) {
    for (int c = 0; c < plain.layout.cell_count(); ++c) ASSERT_EQ(plain.value(1, d, c), r.value(1, d, c));
  }
}

TEST(Costs, DefaultScenarioUpratesEachCostToTheBaseYear) {
  const Scenario s = load_scenario(fs::path(CARECAST_SCENARIO_DIR) / "default.toml");
  ASSERT_TRUE(s.costs.enabled);
  EXPECT_EQ(s.costs.base_year, 2024);
  EXPECT_NEAR(s.costs.weekly[static_cast<int>(Category::foster_in_house)], 646 * std::pow(1.0216, 7), 1e-9);
  EXPECT_NEAR(s.costs.weekly[static_cast<int>(Category::foster_agency)], 1050, 1);
  EXPECT_NEAR(s.costs.adoption_fee, 27000 / 1.03, 1e-6);
}

TEST(Costs, BadCostKeysAreRefusedWithTheirLocation) {
  const fs::path dir = fs::temp_directory_path() / "carecast_cost_test";
  fs::create_directories(dir);
  // The default extends its hand-written base, beside it, which reads the population beside it.
  for (const char* file : {"default.toml", "default-base.toml", "default-population.csv"}) {
    fs::copy_file(fs::path(CARECAST_SCENARIO_DIR) / file, dir / file, fs::copy_options::overwrite_existing);
  }
  std::ofstream(dir / "bad.toml") << "extends = \"default.toml\"\n[costs.weekly]\nfoster_agency = { weekly = -5, price_year = 2024 }\n";
  try {
    load_scenario(dir / "bad.toml");
    FAIL() << "a negative cost was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("bad.toml:3"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("costs.weekly.foster_agency.weekly"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace carecast
