// No output lets anyone recover a child's date of birth or care dates.
//
// Canary data: the sample SSDA903 returns with every child's date of birth moved to the 13th of
// its month. Nothing carecast writes or prints from them (calibrate, run, expect, synth, report,
// backtest, compare, and an error message) may contain a date on the 13th: a forecast's dates are
// month ends, and synthetic children's dates of birth are drawn afresh, so they fall on the 13th
// no more often than chance allows. Had any verb copied real children (as calibrate's per-child
// CSV once did, with ages in days), the canary day would stand out.
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/math/distributions/binomial.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "core/csv_reader.hpp"
#include "test_support.hpp"

namespace carecast::testing {
namespace {

namespace fs = std::filesystem;

constexpr int kCanaryDay = 13;
const fs::path kSample = fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample";

using testing::read_text;

// Each line's DOB field (column `dob_column`, dd/mm/yyyy) moved to the canary day of its month.
std::string with_canary_dates_of_birth(const std::string& csv, std::size_t dob_column) {
  std::istringstream in(csv);
  std::string line;
  std::string out;
  bool header = true;
  while (std::getline(in, line)) {
    if (!header) {
      std::vector<std::string> fields;
      std::string field;
      std::istringstream cells(line);
      while (std::getline(cells, field, ',')) fields.push_back(field);
      if (!line.empty() && line.back() == ',') fields.emplace_back();
      if (fields.size() > dob_column && fields[dob_column].size() == 10) fields[dob_column].replace(0, 2, "13");
      line.clear();
      for (std::size_t i = 0; i < fields.size(); ++i) line += (i ? "," : "") + fields[i];
    }
    header = false;
    out += line + "\n";
  }
  return out;
}

// Every date in `text` written as dd/mm/yyyy, yyyy-mm-dd or d/m/yyyy whose day is the canary day.
std::vector<std::string> canary_dates_in(const std::string& text) {
  static const std::regex dates(R"((\b13[/.-](0?[1-9]|1[0-2])[/.-](19|20)\d\d\b)|(\b(19|20)\d\d-(0[1-9]|1[0-2])-13\b))");
  std::vector<std::string> found;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), dates); it != std::sregex_iterator(); ++it) {
    found.push_back(it->str());
    if (found.size() >= 5) break;
  }
  return found;
}

// Text of every file under `folder`; an .xlsx workbook is unpacked first (it is a zip of XML).
std::map<std::string, std::string> texts_under(const fs::path& folder) {
  std::map<std::string, std::string> texts;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    const fs::path& file = entry.path();
    const std::string extension = file.extension().string();
    if (extension == ".png" || extension == ".pdf") continue;  // drawn only from the CSV files checked here
    if (extension == ".xlsx") {
      const CommandOutcome unpacked = run_carecast_command(
          "python3 -c \"import sys,zipfile; z=zipfile.ZipFile(sys.argv[1]); "
          "[sys.stdout.write(z.read(n).decode('utf-8','replace')) for n in z.namelist()]\" '" +
          file.string() + "'");
      EXPECT_EQ(unpacked.exit_code, 0) << unpacked.output;
      texts[file.string()] = unpacked.output;
      continue;
    }
    texts[file.string()] = read_text(file);
  }
  return texts;
}

class CanaryData : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("carecast-canary-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    data_ = root_ / "returns";
    out_ = root_ / "out";
    fs::create_directories(data_);
    fs::create_directories(out_);
    for (const auto& entry : fs::directory_iterator(kSample)) {
      const std::string name = entry.path().filename().string();
      if (name.ends_with("-header.csv")) {
        std::ofstream(data_ / name, std::ios::binary) << with_canary_dates_of_birth(read_text(entry.path()), 2);
      } else if (name.ends_with("-uasc.csv")) {
        std::ofstream(data_ / name, std::ios::binary) << with_canary_dates_of_birth(read_text(entry.path()), 2);
      } else if (name.ends_with("-episodes.csv")) {
        fs::copy_file(entry.path(), data_ / name);
      }
    }
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(root_, ignored);
  }

  // Runs a verb and keeps what it printed, to be checked with everything written.
  CommandOutcome run(const std::string& arguments, int expected_exit = 0) {
    CommandOutcome outcome = run_carecast(arguments);
    EXPECT_EQ(outcome.exit_code, expected_exit) << arguments << "\n" << outcome.output;
    printed_[arguments] = outcome.output;
    return outcome;
  }

  fs::path root_, data_, out_;
  std::map<std::string, std::string> printed_;
};

TEST_F(CanaryData, TheCanaryDataHoldsTheCanaryDates) {
  // The check below would be empty if the canary dates were not in the input.
  const std::string header = read_text(data_ / "2019-header.csv");
  EXPECT_GE(canary_dates_in(header).size(), 5u);
}

TEST_F(CanaryData, NoVerbWritesOrPrintsADateOfBirth) {
  const fs::path scenario = out_ / "calibrated" / "canary.toml";
  run("calibrate " + data_.string() + " --as-of 2021-03-31 --out " + scenario.string());
  run("run " + scenario.string() + " --runs 30 --seed 3 --out " + (out_ / "run").string());
  run("expect " + scenario.string() + " --out " + (out_ / "expect").string());
  run("report " + (out_ / "run").string());
  run("backtest " + data_.string() + " --origin 2020-03-31 --horizon-months 12 --runs 30 --out " +
      (out_ / "backtest").string());
  std::ofstream(out_ / "calibrated" / "option.toml") << "extends = \"canary.toml\"\nname = \"fewer entries\"\n"
                                                        "[entries]\nannual_growth_rate = -0.05\n";
  run("compare " + scenario.string() + " " + (out_ / "calibrated" / "option.toml").string() +
      " --runs 30 --out " + (out_ / "compare").string());
  // An error about a child's record names the field, never its value.
  const fs::path broken = root_ / "broken";
  fs::create_directories(broken);
  std::string header = read_text(data_ / "2019-header.csv");
  header.replace(header.find("/", header.find('\n')) - 2, 2, "32");  // the first DOB: day 32
  std::ofstream(broken / "2019-header.csv") << header;
  fs::copy_file(data_ / "2019-episodes.csv", broken / "2019-episodes.csv");
  run("calibrate " + broken.string() + " --as-of 2019-03-31 --out " + (out_ / "broken.toml").string(), 2);

  ASSERT_TRUE(fs::exists(out_ / "run" / "report.html"));
  std::map<std::string, std::string> texts = texts_under(out_);
  for (const auto& [command, output] : printed_) texts["printed by: " + command] = output;
  ASSERT_GE(texts.size(), 10u);
  for (const auto& [source, text] : texts) {
    const std::vector<std::string> found = canary_dates_in(text);
    EXPECT_TRUE(found.empty()) << source << " holds a date on the canary day, e.g. " << (found.empty() ? "" : found[0]);
    EXPECT_EQ(text.find("age_days"), std::string::npos) << source << " holds ages in days";
  }
}

// The grouped starting population: every group (rows sharing their ranges) holds at least 5
// children, and only whole months.
TEST_F(CanaryData, TheStartingPopulationIsOnlyGroupsOfFiveOrMore) {
  const fs::path scenario = out_ / "canary.toml";
  run("calibrate " + data_.string() + " --as-of 2020-03-31 --out " + scenario.string());
  const CsvTable groups = CsvTable::read(out_ / "canary-starting-groups.csv");
  std::map<std::vector<std::string>, int> children_by_group;
  int total = 0;
  for (std::size_t row = 0; row < groups.row_count(); ++row) {
    // A group is its ranges (the *_min and *_max columns); its rows count its children by category.
    std::vector<std::string> ranges;
    for (std::size_t column = 0; column < groups.columns().size(); ++column) {
      const std::string& name = groups.columns()[column];
      if (name.ends_with("_min") || name.ends_with("_max")) ranges.emplace_back(groups.field(row, column));
    }
    ASSERT_EQ(ranges.size(), 6u);
    const auto children = static_cast<int>(groups.integer(row, *groups.find_column("children")));
    children_by_group[ranges] += children;
    total += children;
  }
  ASSERT_GE(total, 10);  // enough children for the check to mean something
  ASSERT_GE(children_by_group.size(), 2u);
  for (const auto& [ranges, children] : children_by_group) EXPECT_GE(children, 5);
  for (const std::string& column : groups.columns()) {
    EXPECT_EQ(column.find("days"), std::string::npos) << column;
  }
}

// Grouping keeps how many children have had 3 or more placements since 1 April exactly, so the
// DfE short-term stability figure at a 31 March origin is the data's in every run.
TEST_F(CanaryData, TheOriginKeepsTheDataShortTermStability) {
  const fs::path scenario = out_ / "canary.toml";
  run("calibrate " + data_.string() + " --as-of 2021-03-31 --out " + scenario.string());
  const CsvTable groups = CsvTable::read(out_ / "canary-starting-groups.csv");
  const std::size_t children_column = groups.require_column("children");
  const std::size_t three_or_more_column = groups.require_column("placements_since_april_3_or_more");
  std::int64_t children = 0;
  std::int64_t three_or_more = 0;
  for (std::size_t row = 0; row < groups.row_count(); ++row) {
    children += groups.integer(row, children_column);
    three_or_more += groups.integer(row, three_or_more_column);
  }
  ASSERT_GT(three_or_more, 0);  // the check means something only if some child has had 3 or more
  run("run " + scenario.string() + " --runs 40 --seed 9 --out " + (out_ / "run").string());
  const CsvTable forecast = CsvTable::read(out_ / "run" / "forecast.csv");
  bool found = false;
  for (std::size_t row = 0; row < forecast.row_count(); ++row) {
    if (forecast.field(row, 0) != "stability_short_term" || forecast.field(row, 1) != "all" ||
        forecast.field(row, 2) != "2021-03-31") {
      continue;
    }
    found = true;
    const double expected = 100.0 * static_cast<double>(three_or_more) / static_cast<double>(children);
    for (const char* column : {"p05", "p50", "p95"}) {
      EXPECT_NEAR(std::stod(std::string(forecast.field(row, *forecast.find_column(column)))), expected, 0.01)
          << column;
    }
  }
  EXPECT_TRUE(found) << "no short-term stability figure at the origin";
}

// Synthetic returns from the calibrated scenario simulate new children: their dates of birth fall
// on the canary day no more often than chance (12 days in 365.25), at a false-alarm rate of 1e-6.
TEST_F(CanaryData, SynthMakesNewChildrenNotCopiesOfRealOnes) {
  const fs::path scenario = out_ / "canary.toml";
  run("calibrate " + data_.string() + " --as-of 2021-03-31 --out " + scenario.string());
  const fs::path synth = out_ / "synth";
  run("synth --scenario " + scenario.string() + " --years 3 --seed 5 --out " + synth.string());
  std::map<std::string, std::string> birth_by_child;  // a child is in every year's header it spans
  for (const auto& entry : fs::directory_iterator(synth)) {
    const std::string name = entry.path().filename().string();
    if (!name.ends_with("-header.csv")) continue;
    const CsvTable header = CsvTable::read(entry.path());
    const std::size_t child = header.require_column("CHILD");
    const std::size_t dob = header.require_column("DOB");
    for (std::size_t row = 0; row < header.row_count(); ++row) {
      birth_by_child[std::string(header.field(row, child))] = header.field(row, dob);
    }
  }
  const auto births = static_cast<int>(birth_by_child.size());
  int on_canary_day = 0;
  for (const auto& [child, date] : birth_by_child) {
    ASSERT_EQ(date.size(), 10u);
    if (std::stoi(date.substr(0, 2)) == kCanaryDay) ++on_canary_day;
  }
  ASSERT_GE(births, 100);  // enough children for the check to mean something
  const boost::math::binomial chance(births, 12.0 / 365.25);
  const double limit = boost::math::quantile(boost::math::complement(chance, kFalseAlarmRate));
  EXPECT_LE(on_canary_day, limit) << on_canary_day << " of " << births << " synthetic dates of birth on the 13th";
}

}  // namespace
}  // namespace carecast::testing
