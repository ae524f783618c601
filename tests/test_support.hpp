// Shared helpers for tests: small scenarios built in code, and statistical checks with a tiny
// false-alarm rate (the seed is fixed, so a check that passes once passes always).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"
#include "fitting/figure_targets.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"

namespace carecast::testing {

// A file's whole content, bytes as they are ("" if it cannot be read).
inline std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// What the carecast program printed (stdout and stderr together) and its exit code.
struct CommandOutcome {
  int exit_code;
  std::string output;
};

// Runs the carecast program built with the tests, as a user would from a shell.
inline CommandOutcome run_carecast_command(const std::string& command_line) {
  const std::string command = command_line + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (const std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}
inline CommandOutcome run_carecast(const std::string& arguments) {
  return run_carecast_command(std::string(CARECAST_BINARY) + " " + arguments);
}

// As run_carecast, but a run still going after `seconds` is stopped and reported as exit 124.
inline CommandOutcome run_carecast_with_timeout(const std::string& arguments, int seconds) {
  return run_carecast_command("timeout -s KILL " + std::to_string(seconds) + " " + std::string(CARECAST_BINARY) +
                              " " + arguments);
}

// A fixture giving each test a fresh folder of its own, dir_, removed with everything in it afterwards. The
// folder's name holds the test's name and the process id, since ctest runs the tests in parallel processes.
class TemporaryFolderTest : public ::testing::Test {
 protected:
  TemporaryFolderTest() : dir_(folder_for_current_test()) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~TemporaryFolderTest() override {
    std::error_code ignored;  // a destructor must not throw; what is left lies in the system's temporary folder
    std::filesystem::remove_all(dir_, ignored);
  }

  // Writes `text` to the file `name` in the folder and gives its path.
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const std::filesystem::path file = dir_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  const std::filesystem::path dir_;

 private:
  static std::filesystem::path folder_for_current_test() {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "carecast-" + std::string(test->test_suite_name()) + "-" + test->name() + "-" +
                       std::to_string(::getpid());
    for (char& c : name) {
      if (c == '/') c = '_';  // parameterised tests' names hold slashes
    }
    return std::filesystem::temp_directory_path() / name;
  }
};

// A fixture for checks that a scenario value is refused: error_for(text) loads a scenario extending the shipped
// default whose lines after the first are `text`, so that line numbers in `text` count from 2, and gives the
// InputError, which must name the file.
class ScenarioRefusalTest : public TemporaryFolderTest {
 protected:
  InputError error_for(const std::string& text) const {
    const std::filesystem::path file = write("bad.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n" + text);
    try {
      load_scenario(file);
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("bad.toml"), std::string::npos) << e.what();
      return e;
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return InputError({}, "");
  }
};

// A line of a run's forecast.csv: one metric for one category at one date, over the replications.
struct ForecastCsvRow {
  double mean, p05, p25, p50, p75, p95;
};
// The rows of a forecast.csv, by "metric,category,date".
inline std::map<std::string, ForecastCsvRow> read_forecast_csv(const std::filesystem::path& file) {
  const CsvTable csv = CsvTable::read(file);
  std::vector<std::size_t> at;
  for (const char* name : {"metric", "category", "date", "mean", "p05", "p25", "p50", "p75", "p95"}) {
    at.push_back(csv.require_column(name));
  }
  const auto number = [&](std::size_t row, std::size_t k) {
    const std::string_view text = csv.field(row, at[k]);
    return text.empty() ? std::nan("") : std::stod(std::string(text));  // empty: a measure with no value then
  };
  std::map<std::string, ForecastCsvRow> rows;
  for (std::size_t row = 0; row < csv.row_count(); ++row) {
    const std::string key = std::string(csv.field(row, at[0])) + "," + std::string(csv.field(row, at[1])) + "," +
                            std::string(csv.field(row, at[2]));
    rows[key] = {number(row, 3), number(row, 4), number(row, 5), number(row, 6), number(row, 7), number(row, 8)};
  }
  return rows;
}

// Figures drawn from a known truth, for tests of `fit`: one replication of `truth` (this seed, one thread, its rates
// as stated) read as each figure of `skeleton` (whose values do not matter), in file order. Each figure must be one
// the simulation produces.
inline std::vector<double> simulated_figures(const Scenario& truth, const PublishedFigures& skeleton, std::uint64_t seed) {
  RunOptions run;
  run.runs = 1;
  run.seed = seed;
  run.threads = 1;
  run.parameter_uncertainty = false;
  const RunResult result = run_replications(truth, run);
  const std::vector<FigureTarget> targets = target_figures(skeleton, result.layout, result.calendar);
  std::vector<double> values;
  for (const FigureTarget& target : targets) {
    EXPECT_TRUE(target.simulated) << target.reason;
    values.push_back(target.simulated ? simulated_figure(target, result.layout, result.tallies, result.measures) : 0);
  }
  return values;
}

// Mean and standard error of paired differences (for "within k standard errors" checks of one method against
// another on the same cases).
struct PairedDifference {
  double mean = 0;
  double standard_error = 0;
};
inline PairedDifference paired(const std::vector<double>& differences) {
  const auto n = static_cast<double>(differences.size());
  PairedDifference result;
  for (const double d : differences) result.mean += d / n;
  double variance = 0;
  for (const double d : differences) variance += (d - result.mean) * (d - result.mean) / (n - 1);
  result.standard_error = std::sqrt(variance / n);
  return result;
}

inline constexpr double kFalseAlarmRate = 1e-6;

// Critical value of the chi-squared statistic with `df` degrees of freedom at the false-alarm rate.
inline double chi_squared_critical(int df) {
  return boost::math::quantile(boost::math::complement(boost::math::chi_squared(df), kFalseAlarmRate));
}
// Number of standard errors a two-sided check allows at the false-alarm rate (about 4.9).
inline double standard_errors_allowed() {
  return boost::math::quantile(boost::math::complement(boost::math::normal(), kFalseAlarmRate / 2));
}

// Pearson chi-squared statistic of observed counts against expected counts (cells with expected
// count 0 must have observed 0 and are skipped).
inline double chi_squared_statistic(const std::vector<double>& observed, const std::vector<double>& expected) {
  double statistic = 0;
  for (std::size_t i = 0; i < observed.size(); ++i) {
    if (expected[i] > 0) statistic += (observed[i] - expected[i]) * (observed[i] - expected[i]) / expected[i];
  }
  return statistic;
}

// A scenario with one placement category in use (foster_in_house), a constant ending hazard,
// every ending an exit home, no entries, and `children` starting children of the given age.
inline Scenario single_category_scenario(double hazard_per_year, int children, int age_days, int horizon_years = 2) {
  Scenario s;
  s.name = "test";
  s.origin = make_date(2025, 2, 28);
  s.horizon_years = horizon_years;
  s.duration_band_start_days = {0, 28, 91, 182, 365, 730};
  s.stated_uncertainty.enabled = false;  // exact checks of the model: its rates are known
  s.ending_hazard_per_year.assign(static_cast<std::size_t>(kCategoryCount) * kAgeBandCount * 6, 0.0);
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (int d = 0; d < 6; ++d) {
      s.ending_hazard_per_year[(static_cast<std::size_t>(Category::foster_in_house) * kAgeBandCount + b) * 6 + d] =
          hazard_per_year;
    }
    s.destination_probability[static_cast<int>(Category::foster_in_house)][b][outcome_of(ExitReason::returned_home)] =
        1.0;
  }
  for (int i = 0; i < children; ++i) {
    StartingChild child;
    child.age_days = age_days;
    child.category = Category::foster_in_house;
    child.days_in_placement = 0;
    child.days_in_care = 0;
    s.starting_children.push_back(child);
  }
  return s;
}

inline void set_hazard(Scenario& s, Category c, int band, const std::vector<double>& per_duration_band) {
  for (std::size_t d = 0; d < per_duration_band.size(); ++d) {
    s.ending_hazard_per_year[(static_cast<std::size_t>(c) * kAgeBandCount + band) * s.duration_band_start_days.size() +
                             d] = per_duration_band[d];
  }
}

// A richer scenario: three categories with moves between them, duration- and age-dependent
// hazards, sibling groups, UASC entries with growth, and a starting population of mixed ages.
inline Scenario mixed_scenario() {
  Scenario s = single_category_scenario(0.0, 0, 0, 3);
  const int in_house = static_cast<int>(Category::foster_in_house);
  const int agency = static_cast<int>(Category::foster_agency);
  const int home = static_cast<int>(Category::childrens_home_external);
  for (int b = 0; b < kAgeBandCount; ++b) {
    set_hazard(s, Category::foster_in_house, b, {2.0, 1.2, 0.8, 0.6, 0.4, 0.25 + 0.05 * b});
    set_hazard(s, Category::foster_agency, b, {2.5, 1.4, 1.0, 0.7, 0.5, 0.3});
    set_hazard(s, Category::childrens_home_external, b, {1.5, 1.0, 0.9, 0.7, 0.6, 0.5});
    auto& from_in_house = s.destination_probability[in_house][b];
    from_in_house = {};
    from_in_house[in_house] = 0.25;
    from_in_house[agency] = 0.10;
    from_in_house[home] = b >= 3 ? 0.10 : 0.0;
    from_in_house[outcome_of(ExitReason::returned_home)] = b >= 3 ? 0.40 : 0.45;
    from_in_house[outcome_of(ExitReason::special_guardianship)] = b >= 3 ? 0.15 : 0.20;
    auto& from_agency = s.destination_probability[agency][b];
    from_agency[in_house] = 0.20;
    from_agency[agency] = 0.20;
    from_agency[outcome_of(ExitReason::returned_home)] = 0.45;
    from_agency[outcome_of(ExitReason::other)] = 0.15;
    auto& from_home = s.destination_probability[home][b];
    from_home[home] = 0.4;
    from_home[agency] = 0.2;
    from_home[outcome_of(ExitReason::returned_home)] = 0.4;
    s.entries.first_placement_probability[b][in_house] = 0.6;
    s.entries.first_placement_probability[b][agency] = b >= 3 ? 0.2 : 0.4;
    s.entries.first_placement_probability[b][home] = b >= 3 ? 0.2 : 0.0;
    s.uasc.first_placement_probability[b][agency] = 1.0;
  }
  s.entries.expected_per_year = {{{20, 18}, {14, 12}, {12, 12}, {30, 30}, {15, 13}}};
  s.entries.annual_growth_rate = 0.03;
  s.sibling_group_size_probability = {0.7, 0.2, 0.1};
  s.uasc.expected_per_year[4] = {10, 1};
  s.uasc.annual_growth_rate = -0.05;
  s.staying_put_probability = 0.4;
  // 150 starting children: ages spread over 0-17, durations spread, including some near 18.
  for (int i = 0; i < 150; ++i) {
    StartingChild child;
    child.age_days = 30 + (i * 6451) % 6540;
    child.category = static_cast<Category>(i % 3 == 0 ? agency : (i % 7 == 0 ? home : in_house));
    child.sex = i % 2 ? Sex::female : Sex::male;
    child.days_in_placement = std::min(child.age_days, (i * 37) % 900);
    child.days_in_care = std::min(child.age_days, child.days_in_placement + (i * 13) % 400);
    child.placements_since_april = 1 + i % 3;
    child.uasc = i % 25 == 0;
    s.starting_children.push_back(child);
  }
  return s;
}

}  // namespace carecast::testing
