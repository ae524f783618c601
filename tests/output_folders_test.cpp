// Outputs never mix runs (issue 13): every verb writes a complete new folder and swaps it into
// place; a folder that already holds files is refused (exit 2, saying so) unless --replace, which
// replaces it whole; `report` replaces its own earlier pack and keeps the run's files; `report
// --publish` writes its pack in a folder of its own. First the staging class itself, then each verb.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "core/errors.hpp"
#include "output/output_directory.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {
namespace fs = std::filesystem;

using testing::CommandOutcome;
using testing::run_carecast;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class OutputFolders : public testing::TemporaryFolderTest {
 protected:
  // A folder holding an earlier output: a file every verb would leave alone if it wrote file by file.
  fs::path earlier_output(const std::string& name) {
    const fs::path folder = dir_ / name;
    fs::create_directories(folder / "charts");
    std::ofstream(folder / "stale.csv") << "from an earlier run\n";
    std::ofstream(folder / "charts" / "stale.png") << "old chart";
    return folder;
  }

  // The refusal: exit 2, naming --out and what the folder holds, pointing at --replace, and the
  // folder as it was.
  void expect_refused(const std::string& arguments, const fs::path& folder) {
    const CommandOutcome outcome = run_carecast(arguments);
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find(folder.string() + ": '--out': already holds files (charts, stale.csv)"),
              std::string::npos)
        << outcome.output;
    EXPECT_NE(outcome.output.find("give --replace to replace it whole"), std::string::npos) << outcome.output;
    EXPECT_EQ(read_file(folder / "stale.csv"), "from an earlier run\n");
    expect_no_staging_folder();
  }

  // With --replace: the verb's files and nothing of the earlier output.
  void expect_replaced(const std::string& arguments, const fs::path& folder, const std::string& written) {
    const CommandOutcome outcome = run_carecast(arguments + " --replace");
    ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
    EXPECT_TRUE(fs::exists(folder / written)) << written;
    EXPECT_FALSE(fs::exists(folder / "stale.csv"));
    EXPECT_FALSE(fs::exists(folder / "charts" / "stale.png"));
    expect_no_staging_folder();
  }

  void expect_no_staging_folder() {
    for (const auto& entry : fs::directory_iterator(dir_)) {
      EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << entry.path();
    }
  }
};

// ---------------------------------------------------------------------------------------------
// The staging class

// A bare folder name is a folder in the working folder: it has no parent path to create (this
// failed with "Invalid argument" before).
TEST_F(OutputFolders, ABareFolderNameIsWrittenInTheWorkingFolder) {
  const fs::path working = fs::current_path();
  fs::current_path(dir_);
  {
    StagedOutputDirectory out("rr");
    out.write_file("a.csv", [](std::ostream& o) { o << "x\n"; });
    EXPECT_NO_THROW(out.commit());
  }
  fs::current_path(working);
  EXPECT_EQ(read_file(dir_ / "rr" / "a.csv"), "x\n");
}

TEST_F(OutputFolders, AFolderHoldingFilesIsRefusedBeforeAnyWorkAndAnEmptyOneIsUsed) {
  const fs::path full = earlier_output("full");
  try {
    StagedOutputDirectory refused(full);
    FAIL() << "a folder holding files was accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.where().field, "--out");
    EXPECT_NE(std::string(error.what()).find("already holds files (charts, stale.csv)"), std::string::npos)
        << error.what();
  }
  expect_no_staging_folder();

  fs::create_directories(dir_ / "empty");
  {
    StagedOutputDirectory out(dir_ / "empty");
    out.write_file("a.csv", [](std::ostream& s) { s << "new\n"; });
    out.commit();
  }
  EXPECT_EQ(read_file(dir_ / "empty" / "a.csv"), "new\n");
  expect_no_staging_folder();
}

TEST_F(OutputFolders, ReplaceSwapsTheWholeFolderOnlyAtCommit) {
  const fs::path folder = earlier_output("out");
  {
    StagedOutputDirectory out(folder, "--out", ExistingOutput::replace);
    out.write_file("forecast.csv", [](std::ostream& s) { s << "new\n"; });
    // Until the commit the earlier output is whole and nothing new is in it.
    EXPECT_TRUE(fs::exists(folder / "stale.csv"));
    EXPECT_FALSE(fs::exists(folder / "forecast.csv"));
    out.commit();
  }
  EXPECT_EQ(read_file(folder / "forecast.csv"), "new\n");
  EXPECT_FALSE(fs::exists(folder / "stale.csv"));
  EXPECT_FALSE(fs::exists(folder / "charts"));
  expect_no_staging_folder();

  // Not committed (an error during the work): the earlier folder stays as it was.
  {
    StagedOutputDirectory out(folder, "--out", ExistingOutput::replace);
    out.write_file("other.csv", [](std::ostream& s) { s << "half\n"; });
  }
  EXPECT_EQ(read_file(folder / "forecast.csv"), "new\n");
  EXPECT_FALSE(fs::exists(folder / "other.csv"));
  expect_no_staging_folder();
}

TEST_F(OutputFolders, CarryOverKeepsTheFolderFilesExceptThoseLeftOut) {
  const fs::path folder = earlier_output("run");
  fs::create_directories(folder / "option a");
  std::ofstream(folder / "option a" / "forecast.csv") << "kept\n";
  {
    StagedOutputDirectory out(folder, "folder", ExistingOutput::replace);
    out.carry_over_existing({"charts"});
    out.write_file("charts/new.png", [](std::ostream& s) { s << "new chart"; });
    out.commit();
  }
  EXPECT_EQ(read_file(folder / "stale.csv"), "from an earlier run\n");
  EXPECT_EQ(read_file(folder / "option a" / "forecast.csv"), "kept\n");
  EXPECT_TRUE(fs::exists(folder / "charts" / "new.png"));
  EXPECT_FALSE(fs::exists(folder / "charts" / "stale.png"));
  expect_no_staging_folder();
}

TEST_F(OutputFolders, AFolderMadeWhileTheVerbWorkedIsNotOverwritten) {
  const fs::path folder = dir_ / "out";
  StagedOutputDirectory out(folder);
  out.write_file("forecast.csv", [](std::ostream& s) { s << "new\n"; });
  fs::create_directories(folder);
  std::ofstream(folder / "someone-else.csv") << "theirs\n";
  EXPECT_THROW(out.commit(), InputError);
  EXPECT_EQ(read_file(folder / "someone-else.csv"), "theirs\n");
  EXPECT_FALSE(fs::exists(folder / "forecast.csv"));
}

// ---------------------------------------------------------------------------------------------
// Each verb

TEST_F(OutputFolders, RunRefusesAnEarlierOutputAndReplacesItWhole) {
  const fs::path folder = earlier_output("run");
  const std::string arguments = "run --runs 3 --years 1 --threads 1 --out " + folder.string();
  expect_refused(arguments, folder);
  expect_replaced(arguments, folder, "forecast.csv");
  EXPECT_TRUE(fs::exists(folder / "run.json"));
}

TEST_F(OutputFolders, ExpectRefusesAnEarlierOutputAndReplacesItWhole) {
  const fs::path folder = earlier_output("expect");
  const std::string arguments = "expect --years 1 --out " + folder.string();
  expect_refused(arguments, folder);
  expect_replaced(arguments, folder, "expected.csv");
}

TEST_F(OutputFolders, SynthRefusesAnEarlierOutputAndReplacesItWhole) {
  const fs::path folder = earlier_output("synth");
  const std::string arguments = "synth --years 2 --seed 3 --out " + folder.string();
  expect_refused(arguments, folder);
  expect_replaced(arguments, folder, "README.txt");
}

TEST_F(OutputFolders, BacktestRefusesAnEarlierOutputAndReplacesItWhole) {
  const fs::path folder = earlier_output("backtest");
  const std::string arguments = "backtest " + std::string(CARECAST_TEST_DATA_DIR) +
                                "/ssda903-sample --origin 2020-03-31 --horizon-months 3 --runs 3 --threads 1 --out " +
                                folder.string();
  expect_refused(arguments, folder);
  expect_replaced(arguments, folder, "backtest_summary.csv");
}

// calibrate writes two files: either existing is refused, naming --out and the file, and
// replaced with --replace.
TEST_F(OutputFolders, CalibrateRefusesAnEarlierScenarioOrStartingGroupsAndReplacesThem) {
  const fs::path scenario = dir_ / "calibrated.toml";
  const std::string arguments = "calibrate " + std::string(CARECAST_TEST_DATA_DIR) +
                                "/ssda903-sample --as-of 2021-03-31 --cross-validation off --out " + scenario.string();
  std::ofstream(dir_ / "calibrated-starting-groups.csv") << "an earlier calibration's groups\n";
  const CommandOutcome refused = run_carecast(arguments);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find(scenario.string() + ": '--out': calibrated-starting-groups.csv exists already"),
            std::string::npos)
      << refused.output;
  EXPECT_FALSE(fs::exists(scenario));
  const CommandOutcome replaced = run_carecast(arguments + " --replace");
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  EXPECT_NE(read_file(dir_ / "calibrated-starting-groups.csv"), "an earlier calibration's groups\n");
  EXPECT_TRUE(fs::exists(scenario));
}

// An option left out of the second comparison leaves no folder beside a comparison.csv that no
// longer mentions it.
TEST_F(OutputFolders, CompareRefusesAnEarlierOutputAndLeavesNoOptionOfIt) {
  const std::string scenarios = CARECAST_SCENARIO_DIR;
  const fs::path folder = dir_ / "compare";
  const std::string options = " --runs 3 --years 1 --threads 1 --out " + folder.string();
  const CommandOutcome first = run_carecast("compare " + scenarios + "/default.toml " + scenarios +
                                            "/option_step_down.toml " + scenarios + "/option_in_house_home.toml" +
                                            options);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::size_t folders_before = 0;
  for (const auto& entry : fs::directory_iterator(folder)) folders_before += entry.is_directory();
  EXPECT_EQ(folders_before, 3u) << "the base and two options";

  const std::string second = "compare " + scenarios + "/default.toml " + scenarios + "/option_step_down.toml" + options;
  const CommandOutcome refused = run_carecast(second);
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("'--out': already holds files"), std::string::npos) << refused.output;
  const CommandOutcome replaced = run_carecast(second + " --replace");
  ASSERT_EQ(replaced.exit_code, 0) << replaced.output;
  std::size_t folders = 0;
  for (const auto& entry : fs::directory_iterator(folder)) folders += entry.is_directory();
  EXPECT_EQ(folders, 2u) << "the base and the one option compared";
  EXPECT_EQ(read_file(folder / "comparison.csv").find("in-house children"), std::string::npos);
  expect_no_staging_folder();
}

// The report replaces its own earlier pack (charts it no longer draws included) and keeps the
// run's files; the published pack goes in its own folder and never touches the full report.
TEST_F(OutputFolders, ReportReplacesItsEarlierPackKeepsTheRunAndPublishesBesideIt) {
  const fs::path run = dir_ / "run";
  const CommandOutcome made = run_carecast("run --runs 5 --years 1 --threads 1 --out " + run.string());
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const std::string forecast = read_file(run / "forecast.csv");
  const CommandOutcome first = run_carecast("report " + run.string());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  std::ofstream(run / "charts" / "stale.png") << "a chart an earlier report drew";
  const std::string full_report = read_file(run / "report.html");

  const CommandOutcome published = run_carecast("report --publish " + run.string());
  ASSERT_EQ(published.exit_code, 0) << published.output;
  EXPECT_NE(published.output.find("Published board pack: " + (run / "published" / "report.html").string()),
            std::string::npos)
      << published.output;
  EXPECT_EQ(read_file(run / "report.html"), full_report) << "publishing overwrote the full report";
  EXPECT_NE(read_file(run / "published" / "report.html").find("For publication."), std::string::npos);
  EXPECT_TRUE(fs::exists(run / "published" / "forecast.xlsx"));
  EXPECT_TRUE(fs::exists(run / "published" / "charts" / "children_looked_after.png"));

  const CommandOutcome second = run_carecast("report " + run.string());
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_FALSE(fs::exists(run / "charts" / "stale.png"));
  EXPECT_TRUE(fs::exists(run / "charts" / "children_looked_after.png"));
  EXPECT_EQ(read_file(run / "forecast.csv"), forecast);
  EXPECT_TRUE(fs::exists(run / "run.json"));
  EXPECT_TRUE(fs::exists(run / "published" / "report.html")) << "the published pack of the same run is kept";
  EXPECT_EQ(read_file(run / "report.html").find("For publication."), std::string::npos);
  expect_no_staging_folder();

  // A new run into the folder replaces the report with it.
  const CommandOutcome rerun = run_carecast("run --runs 4 --years 1 --threads 1 --replace --out " + run.string());
  ASSERT_EQ(rerun.exit_code, 0) << rerun.output;
  EXPECT_FALSE(fs::exists(run / "report.html"));
  EXPECT_FALSE(fs::exists(run / "published"));
}

}  // namespace
}  // namespace carecast
