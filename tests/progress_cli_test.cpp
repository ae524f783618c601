// Progress of long verbs on stderr (issue 13): a bar with the time left on a terminal (run under
// `script`, which gives the program a pseudo-terminal), a plain line now and then in a log, and
// nothing with --quiet. CARECAST_PROGRESS_SECONDS=0 reports at every block of runs (512 runs on one
// thread), so what is printed does not depend on how fast the machine is.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "test_support.hpp"

namespace carecast {
namespace {
namespace fs = std::filesystem;

using testing::CommandOutcome;
using testing::run_carecast_command;

class ProgressOnTheCommandLine : public testing::TemporaryFolderTest {
 protected:
  // The verb with output to a pipe (as in a log or CI), reporting at every block.
  CommandOutcome in_a_log(const std::string& arguments) {
    return run_carecast_command("env -u CI CARECAST_PROGRESS_SECONDS=0 " + std::string(CARECAST_BINARY) + " " +
                                arguments);
  }
};

TEST_F(ProgressOnTheCommandLine, RunPrintsALineAtEachBlockInALogAndNothingWhenQuiet) {
  const CommandOutcome log = in_a_log("run --runs 2048 --years 1 --threads 1 --out " + (dir_ / "a").string());
  ASSERT_EQ(log.exit_code, 0) << log.output;
  EXPECT_NE(log.output.find("Simulating: 512 of 2,048 runs (25%) after "), std::string::npos) << log.output;
  EXPECT_NE(log.output.find("Simulating: 1,536 of 2,048 runs (75%) after "), std::string::npos) << log.output;
  EXPECT_NE(log.output.find(" left\n"), std::string::npos) << log.output;
  EXPECT_EQ(log.output.find('\r'), std::string::npos) << "no terminal control codes in a log";

  const CommandOutcome quiet =
      in_a_log("run --runs 2048 --years 1 --threads 1 --quiet --out " + (dir_ / "b").string());
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("Simulating"), std::string::npos) << quiet.output;
}

TEST_F(ProgressOnTheCommandLine, RunDrawsABarWithTheTimeLeftOnATerminalAndClearsIt) {
  const std::string command = "env -u CI TERM=xterm CARECAST_PROGRESS_SECONDS=0 " + std::string(CARECAST_BINARY) +
                              " run --runs 2048 --years 1 --threads 1 --out " + (dir_ / "a").string();
  const CommandOutcome terminal = run_carecast_command("script -qefc '" + command + "' /dev/null");
  ASSERT_EQ(terminal.exit_code, 0) << terminal.output;
  EXPECT_NE(terminal.output.find("\r\033[KSimulating [#######"), std::string::npos) << terminal.output;
  EXPECT_NE(terminal.output.find("/2048, about "), std::string::npos) << terminal.output;
  EXPECT_EQ(terminal.output.find("Simulating: "), std::string::npos) << "no log lines on a terminal";
  // The bar's line is cleared before the summary is printed.
  const std::size_t summary = terminal.output.find("Children looked after at");
  ASSERT_NE(summary, std::string::npos) << terminal.output;
  EXPECT_EQ(terminal.output.rfind("\r\033[K", summary), terminal.output.rfind("\r\033[K")) << terminal.output;

  const std::string quiet = command + " --replace --quiet";
  const CommandOutcome silent = run_carecast_command("script -qefc '" + quiet + "' /dev/null");
  ASSERT_EQ(silent.exit_code, 0) << silent.output;
  EXPECT_EQ(silent.output.find("Simulating"), std::string::npos) << silent.output;
}

TEST_F(ProgressOnTheCommandLine, CompareAndBacktestReportTheirRuns) {
  const std::string scenarios = CARECAST_SCENARIO_DIR;
  const CommandOutcome compare = in_a_log("compare " + scenarios + "/default.toml " + scenarios +
                                          "/option_step_down.toml --runs 1024 --years 1 --threads 1 --out " +
                                          (dir_ / "c").string());
  ASSERT_EQ(compare.exit_code, 0) << compare.output;
  EXPECT_NE(compare.output.find("Simulating 2 scenarios: 1,024 of 2,048 runs (50%) after "), std::string::npos)
      << compare.output;

  const CommandOutcome backtest =
      in_a_log("backtest " + std::string(CARECAST_TEST_DATA_DIR) +
               "/ssda903-sample --origin 2020-03-31 --horizon-months 3 --runs 600 --threads 1 --out " +
               (dir_ / "b").string());
  ASSERT_EQ(backtest.exit_code, 0) << backtest.output;
  EXPECT_NE(backtest.output.find("Backtesting 1 origin(s): 512 of 600 runs (85%) after "), std::string::npos)
      << backtest.output;
  const CommandOutcome quiet = in_a_log("backtest " + std::string(CARECAST_TEST_DATA_DIR) +
                                        "/ssda903-sample --origin 2020-03-31 --horizon-months 3 --runs 600 "
                                        "--threads 1 --quiet --out " + (dir_ / "q").string());
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("Backtesting"), std::string::npos) << quiet.output;
}

// calibrate simulates cross-validation's candidates and the drift's backtests at each earlier 31
// March: the sample returns give a few origins, so it reports its runs to 100%, and nothing with
// --quiet; the scenario is written either way.
TEST_F(ProgressOnTheCommandLine, CalibrateReportsItsRunsAndNothingWhenQuiet) {
  const std::string calibrate = "calibrate " + std::string(CARECAST_TEST_DATA_DIR) +
                                "/ssda903-sample --as-of 2022-03-31 --out ";
  const CommandOutcome log = in_a_log(calibrate + (dir_ / "a.toml").string());
  ASSERT_EQ(log.exit_code, 0) << log.output;
  EXPECT_NE(log.output.find("Calibrating: "), std::string::npos) << log.output;
  EXPECT_NE(log.output.find(" runs (100%)"), std::string::npos) << log.output;
  EXPECT_TRUE(fs::exists(dir_ / "a.toml"));
  const CommandOutcome quiet = in_a_log(calibrate + (dir_ / "b.toml").string() + " --quiet");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("Calibrating"), std::string::npos) << quiet.output;
  EXPECT_TRUE(fs::exists(dir_ / "b.toml"));
}

// fit runs (rounds + 1) x runs replications: 3 rounds and the posterior's, 50 runs each.
TEST_F(ProgressOnTheCommandLine, FitReportsItsReplicationsAndNothingWhenQuiet) {
  const std::string fit = "fit " + std::string(CARECAST_SCENARIO_DIR) + "/default-figures.csv --base " +
                          std::string(CARECAST_SCENARIO_DIR) + "/default.toml --runs 50 --threads 1 --out ";
  const CommandOutcome log = in_a_log(fit + (dir_ / "a.toml").string());
  ASSERT_EQ(log.exit_code, 0) << log.output;
  EXPECT_NE(log.output.find("Fitting: 100 of 200 runs (50%) after "), std::string::npos) << log.output;
  EXPECT_NE(log.output.find("Fitting: 200 of 200 runs (100%)"), std::string::npos) << log.output;

  const CommandOutcome quiet = in_a_log(fit + (dir_ / "b.toml").string() + " --quiet");
  ASSERT_EQ(quiet.exit_code, 0) << quiet.output;
  EXPECT_EQ(quiet.output.find("Fitting"), std::string::npos) << quiet.output;
}

}  // namespace
}  // namespace carecast
