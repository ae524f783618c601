// Entries tied to the child population and the national transfer scheme's UASC cap ([population];
// scenario/population_table.hpp, simulation/population_entries.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "simulation/compiled_model.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
using namespace carecast::testing;

// Children in each age band of a borough of about 64,600 under 18, split evenly by sex.
constexpr std::array<double, kAgeBandCount> kBandChildren = {3600, 14400, 18000, 21600, 7000};

// A population CSV for years first..last, each cell kBandChildren / 2 times growth(year).
template <typename Growth>
std::string population_csv(int first, int last, Growth growth) {
  std::ostringstream out;
  out << "year,age_band,sex,population\n";
  for (int year = first; year <= last; ++year) {
    for (int band = 0; band < kAgeBandCount; ++band) {
      for (int sex = 0; sex < kSexCount; ++sex) {
        out << year << ',' << kAgeBandNames[band] << ',' << kSexNames[sex] << ','
            << kBandChildren[band] / 2 * growth(year) << '\n';
      }
    }
  }
  return out.str();
}
const auto kFlat = [](int) { return 1.0; };

// Entries per 10,000 children of each age band (both sexes): about the default's 201 a year.
constexpr std::array<double, kAgeBandCount> kRatePer10000 = {97, 18, 14, 31, 69};

std::string rates_toml() {
  std::string text = "[entries.per_10000_children]\n";
  for (int band = 0; band < kAgeBandCount; ++band) {
    const std::string rate = std::to_string(kRatePer10000[band]);
    text += std::string(kAgeBandNames[band]) + " = { male = " + rate + ", female = " + rate + " }\n";
  }
  return text;
}

class PopulationEntries : public TemporaryFolderTest {
 protected:
  // The shipped default (its entries already a rate per 10,000 children) with these rates, of
  // `csv`, no trend, and `more`; `removed` lists keys to remove (quoted, comma-separated).
  Scenario scenario_with(const std::string& csv, const std::string& more = "", const std::string& removed = "") const {
    write("population.csv", csv);
    const auto file = write("tied.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n"
                                         "remove = [\"entries.per_10000_children\"" +
                                             (removed.empty() ? "" : ", " + removed) + "]\n"
                                         "[population]\ncsv = \"population.csv\"\n" +
                                             more + "[entries]\nannual_growth_rate = 0\n" + rates_toml());
    return load_scenario(file);
  }
};

// Expected entries a year when every forecast year's population is `growth` times the table's base.
double expected_per_year(double growth) {
  double total = 0;
  for (int band = 0; band < kAgeBandCount; ++band) total += 2 * kRatePer10000[band] * kBandChildren[band] / 2 * growth / 10000;
  return total;
}

TEST_F(PopulationEntries, TheTableIsInterpolatedBetweenMidYears) {
  write("p.csv", population_csv(2024, 2026, [](int year) { return year == 2024 ? 1.0 : 1.1; }));
  const PopulationTable table = read_population_table(CsvTable::read(dir_ / "p.csv"));
  EXPECT_EQ(table.first_year, 2024);
  EXPECT_EQ(table.last_year(), 2026);
  EXPECT_FALSE(table.covers(make_date(2024, 6, 29)));
  EXPECT_TRUE(table.covers(make_date(2026, 6, 30)));
  EXPECT_DOUBLE_EQ(table.at(make_date(2024, 6, 30))[3][0], 10800);
  EXPECT_DOUBLE_EQ(table.at(make_date(2025, 6, 30))[3][0], 10800 * 1.1);
  // 31 December 2024: 184 of the 365 days from one mid-year to the next.
  EXPECT_NEAR(table.at(make_date(2024, 12, 31))[3][0], 10800 * (1 + 0.1 * 184 / 365), 1e-9);
  EXPECT_NEAR(table.total_at(make_date(2025, 6, 30)), 64600 * 1.1, 1e-6);
}

// At the origin the stream's children a year are rate x population / 10,000, cell by cell.
TEST_F(PopulationEntries, ExpectedEntriesAtTheOriginAreRateTimesPopulation) {
  const Scenario s = scenario_with(population_csv(2024, 2030, kFlat));
  ASSERT_TRUE(s.population && s.population->entries_per_10000_children);
  for (int band = 0; band < kAgeBandCount; ++band) {
    for (int sex = 0; sex < kSexCount; ++sex) {
      EXPECT_DOUBLE_EQ(s.entries.expected_per_year[band][sex], kRatePer10000[band] * kBandChildren[band] / 2 / 10000);
    }
  }
  EXPECT_NEAR(s.entries.total_per_year(), expected_per_year(1), 1e-9);
  EXPECT_EQ(s.source_files.back(), (dir_ / "population.csv").lexically_normal());
}

// A population x% larger in every year from 2026 raises the expected entries of every forecast year
// whose middle lies after 30 June 2026 by exactly x%, and of the year before by the interpolated part.
TEST_F(PopulationEntries, PopulationGrowthRaisesExpectedEntriesByTheSameShare) {
  const Scenario s = scenario_with(population_csv(2024, 2030, [](int year) { return year >= 2026 ? 1.07 : 1.0; }));
  const CompiledModel model = CompiledModel::compile(s, 5 * kDaysPerYear);
  const std::vector<double>& multiplier = model.entries.population_multiplier_by_year;
  ASSERT_EQ(multiplier.size(), 6u);
  // Year 0's middle, 2025-08-30, lies 61 days after the 2025 mid-year, on the way to 2026's.
  EXPECT_NEAR(multiplier[0], 1 + 0.07 * 61 / 365, 1e-12);
  for (std::size_t k = 1; k < multiplier.size(); ++k) EXPECT_NEAR(multiplier[k], 1.07, 1e-12) << "year " << k;
}

// Simulated entries equal rate x population / 10,000 in expectation, year by year, within k
// standard errors over the runs; and still do with the default's parameter uncertainty and
// year-to-year variation, whose multipliers have mean 1. The rate gives first entries: children
// coming back into care (the default's [re_entry]) are on top of it, so they are not counted here.
TEST_F(PopulationEntries, SimulatedEntriesFollowRateTimesPopulation) {
  const auto growth = [](int year) { return std::pow(1.03, year - 2024); };
  // Without UASC, whom entries_all also counts.
  const Scenario s = scenario_with(population_csv(2024, 2030, growth),
                                   "[uasc.expected_per_year]\n10_to_15 = { male = 0, female = 0 }\n"
                                   "16_to_17 = { male = 0, female = 0 }\n");
  ASSERT_EQ(s.uasc.total_per_year(), 0);
  for (const bool uncertain : {false, true}) {
    RunOptions options;
    options.runs = 1500;
    options.seed = 11;
    options.threads = 2;
    options.parameter_uncertainty = uncertain;
    options.systemic_variation = uncertain;
    const RunResult result = run_replications(s, options);
    // Expected entries from the origin to each reporting date: year k's rate over its days.
    const auto expected_to = [&](double time) {
      double total = 0;
      for (int k = 0; k * kDaysPerYear < time; ++k) {
        const Date middle = s.origin + std::chrono::days{static_cast<int>(std::lround((k + 0.5) * kDaysPerYear))};
        const double days = std::min(time, (k + 1) * kDaysPerYear) - k * kDaysPerYear;
        total += expected_per_year(s.population->table.total_at(middle) / 64600) * days / kDaysPerYear;
      }
      return total;
    };
    // The first year and the last full year, then the whole horizon.
    const int dates = result.calendar.date_count();
    for (const auto& [from, to] : std::vector<std::pair<int, int>>{{0, 12}, {48, 60}, {0, dates - 1}}) {
      std::vector<double> per_run(static_cast<std::size_t>(result.runs), 0.0);
      for (int r = 0; r < result.runs; ++r) {
        for (int date = from + 1; date <= to; ++date) {
          per_run[r] += result.value(r, date, result.layout.entries_all) -
                        result.value(r, date, result.layout.entries_re_entry);
        }
      }
      double mean = 0, squares = 0;
      for (double v : per_run) mean += v;
      mean /= result.runs;
      for (double v : per_run) squares += (v - mean) * (v - mean);
      const double se = std::sqrt(squares / (result.runs - 1) / result.runs);
      const double expected = expected_to(result.calendar.times[to]) - expected_to(result.calendar.times[from]);
      EXPECT_NEAR(mean, expected, standard_errors_allowed() * se)
          << "months " << from << " to " << to << (uncertain ? " with uncertainty" : "");
    }
  }
}

// The national transfer scheme's cap: a UASC is admitted only while fewer than the year's
// threshold (0.1% of the child population, 64.6 here) are looked after, so UASC looked after never
// exceed the threshold rounded up (65) at any date, since nothing else adds a UASC; the default's
// 25 at the origin are below it. With many arrivals the cap binds: without it they exceed 65. A UASC
// coming back into care is not a new arrival and the cap does not hold them back, so the default's
// [re_entry] is removed here.
TEST_F(PopulationEntries, TheUascCapHolds) {
  const std::string many_uasc = "[uasc.expected_per_year]\n16_to_17 = { male = 150, female = 10 }\n";
  const std::string csv = population_csv(2024, 2030, kFlat);
  const Scenario capped = scenario_with(csv, "uasc_cap_share_of_population = 0.001\n" + many_uasc, "\"re_entry\"");
  const Scenario uncapped = scenario_with(csv, many_uasc, "\"re_entry\"");
  RunOptions options;
  options.runs = 200;
  options.seed = 3;
  options.threads = 2;
  const RunResult with_cap = run_replications(capped, options);
  const RunResult without = run_replications(uncapped, options);
  int largest_capped = 0, largest_uncapped = 0;
  for (int r = 0; r < options.runs; ++r) {
    for (int date = 0; date < with_cap.calendar.date_count(); ++date) {
      largest_capped = std::max(largest_capped, with_cap.value(r, date, with_cap.layout.uasc_stock));
      largest_uncapped = std::max(largest_uncapped, without.value(r, date, without.layout.uasc_stock));
    }
  }
  EXPECT_EQ(largest_capped, 65);
  EXPECT_GT(largest_uncapped, 100);
}

class PopulationRefusals : public ScenarioRefusalTest {
 protected:
  // The error for a population file `csv` used by the shipped default (entries per 10,000).
  InputError csv_error(const std::string& csv) const {
    write("population.csv", csv);
    try {
      load_scenario(write("tied.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n"
                                       "[population]\ncsv = \"population.csv\"\n" + rates_toml()));
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("population.csv"), std::string::npos) << e.what();
      return e;
    }
    ADD_FAILURE() << "no error for:\n" << csv;
    return InputError({}, "");
  }
  // The error for a scenario extending the shipped default with `text`, wherever it points.
  InputError any_error_for(const std::string& text) const {
    try {
      load_scenario(write("other.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n" + text));
    } catch (const InputError& e) {
      return e;
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return InputError({}, "");
  }
};

TEST_F(PopulationRefusals, BadRowsAreRefusedWithTheirLineAndColumn) {
  const std::string good = population_csv(2024, 2030, kFlat);
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  // Line 2 is 2024, under_1, male.
  const InputError band = csv_error(replaced("2024,under_1,male", "2024,under_2,male"));
  EXPECT_EQ(band.where().line, 2);
  EXPECT_EQ(band.where().field, "age_band");
  EXPECT_NE(band.problem().find("expected an age band"), std::string::npos) << band.problem();
  const InputError negative = csv_error(replaced("2024,under_1,male,1800", "2024,under_1,male,-1800"));
  EXPECT_EQ(negative.where().line, 2);
  EXPECT_EQ(negative.where().field, "population");
  const InputError duplicate = csv_error(good + "2027,5_to_9,female,9000\n");
  EXPECT_EQ(duplicate.where().line, 72);
  EXPECT_NE(duplicate.problem().find("repeats"), std::string::npos) << duplicate.problem();
  const InputError sex = csv_error(replaced("2024,under_1,male", "2024,under_1,boy"));
  EXPECT_EQ(sex.where().field, "sex");
}

TEST_F(PopulationRefusals, MissingYearsAndCellsAreRefused) {
  const InputError gap = csv_error(population_csv(2024, 2026, kFlat) + population_csv(2028, 2030, kFlat).substr(29));
  EXPECT_NE(gap.problem().find("no rows for 2027"), std::string::npos) << gap.problem();
  std::string text = population_csv(2024, 2030, kFlat);
  const std::string row = "2025,16_to_17,female,3500\n";
  ASSERT_NE(text.find(row), std::string::npos);
  text.erase(text.find(row), row.size());
  const InputError cell = csv_error(text);
  EXPECT_NE(cell.problem().find("no row for 2025, 16_to_17, female"), std::string::npos) << cell.problem();
  // The default runs from 2025-02-28 to 2030-02-28: 2024 to 2030 are needed.
  const InputError short_table = csv_error(population_csv(2025, 2030, kFlat));
  EXPECT_EQ(short_table.where().field, "population.csv");
  EXPECT_NE(short_table.problem().find("covers 30 June 2025 to 30 June 2030"), std::string::npos)
      << short_table.problem();
  EXPECT_NE(csv_error(population_csv(2024, 2029, kFlat)).problem().find("forecast runs from"), std::string::npos);
}

TEST_F(PopulationRefusals, RatesNeedAPopulationAndReplaceExpectedEntries) {
  // The shipped default gives its entries per 10,000 children.
  const InputError both = any_error_for("[entries.expected_per_year]\nunder_1 = { male = 18, female = 17 }\n");
  EXPECT_EQ(both.where().field, "entries.per_10000_children");
  EXPECT_NE(both.problem().find("not both"), std::string::npos) << both.problem();
  const InputError alone = any_error_for("remove = [\"population\"]\n");
  EXPECT_NE(alone.problem().find("needs a [population] table"), std::string::npos) << alone.problem();
  const InputError missing = error_for("[population]\ncsv = \"nowhere.csv\"\n");
  EXPECT_EQ(missing.where().field, "population.csv");
  write("p.csv", population_csv(2024, 2030, kFlat));
  const InputError cap = error_for("[population]\ncsv = \"p.csv\"\nuasc_cap_share_of_population = 1.5\n");
  EXPECT_EQ(cap.where().line, 4);
  EXPECT_EQ(cap.where().field, "population.uasc_cap_share_of_population");
}

// The shipped flat-population option differs from the default by the population's growth alone: its
// entries a year are the default's rates times the children at the origin, to the 4 decimals they
// are written with. A refitted default must carry them along (the option's comment says how).
TEST(PopulationOption, TheFlatOptionsEntriesAreTheDefaultsAtTheOrigin) {
  const Scenario tied = load_scenario(CARECAST_SCENARIO_DIR "/default.toml");
  const Scenario flat = load_scenario(CARECAST_SCENARIO_DIR "/option_population_flat.toml");
  ASSERT_TRUE(tied.population && tied.population->entries_per_10000_children);
  ASSERT_FALSE(flat.population);
  ASSERT_EQ(tied.origin, flat.origin);
  const PopulationCells children = tied.population->table.at(tied.origin);
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (int x = 0; x < kSexCount; ++x) {
      const double rate = (*tied.population->entries_per_10000_children)[b][x];
      EXPECT_NEAR(tied.entries.expected_per_year[b][x], rate * children[b][x] / 10000, 1e-9);
      // Written to 0.0001 a year.
      EXPECT_NEAR(flat.entries.expected_per_year[b][x], tied.entries.expected_per_year[b][x], 0.00005 + 1e-9)
          << kAgeBandNames[b] << ' ' << x;
    }
  }
}

// A bad population file stops `carecast run` with exit 2 and leaves no output folder.
TEST_F(PopulationRefusals, TheCommandExitsWith2AndWritesNothing) {
  write("population.csv", population_csv(2024, 2030, kFlat) + "2026,1_to_4,male,-5\n");
  const auto file = write("tied.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n"
                                       "[population]\ncsv = \"population.csv\"\n");
  const CommandOutcome outcome = run_carecast("run " + file.string() + " --runs 2 --quiet --out " + (dir_ / "out").string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("population.csv"), std::string::npos) << outcome.output;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out"));
}

}  // namespace
}  // namespace carecast
