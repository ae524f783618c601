// End-to-end checks of the carecast program: exit codes, messages and output folders.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace {
namespace fs = std::filesystem;

using Outcome = carecast::testing::CommandOutcome;
using carecast::testing::run_carecast;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class CommandLine : public carecast::testing::TemporaryFolderTest {};

TEST_F(CommandLine, ForecastIsByteIdenticalForOneAndTwoThreads) {
  const Outcome one = run_carecast("run --runs 1000 --seed 1 --threads 1 --out " + (dir_ / "one").string());
  const Outcome two = run_carecast("run --runs 1000 --seed 1 --threads 2 --out " + (dir_ / "two").string());
  ASSERT_EQ(one.exit_code, 0) << one.output;
  ASSERT_EQ(two.exit_code, 0) << two.output;
  const std::string a = read_file(dir_ / "one" / "forecast.csv");
  EXPECT_GT(a.size(), 10000u);
  EXPECT_EQ(a, read_file(dir_ / "two" / "forecast.csv"));
  EXPECT_NE(one.output.find("Children looked after at 31 March 2026: median"), std::string::npos) << one.output;
  const std::string json = read_file(dir_ / "one" / "run.json");
  for (const char* key : {"\"version\"", "\"scenario_path\"", "\"scenario_hash_fnv1a64\"", "\"seed\"", "\"runs\"",
                          "\"threads\"", "\"wall_seconds\"", "\"events_simulated\"", "\"events_per_second\""}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
  // No staging folder is left behind.
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();
  }
}

TEST_F(CommandLine, BadScenarioExitsWithCodeTwoNamingFileLineAndKeyAndWritesNothing) {
  const fs::path bad = write("bad.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n"
                                         "name = \"bad\"\n"
                                         "[leaving_care]\n"
                                         "staying_put_probability = 1.5\n");
  const Outcome outcome = run_carecast("run " + bad.string() + " --runs 10 --out " + (dir_ / "out").string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_NE(outcome.output.find("bad.toml:4"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("staying_put_probability"), std::string::npos) << outcome.output;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(CommandLine, MissingScenarioFileAndBadOptionsExitWithCodeTwo) {
  EXPECT_EQ(run_carecast("run " + (dir_ / "nowhere.toml").string() + " --out " + (dir_ / "out").string()).exit_code, 2);
  EXPECT_EQ(run_carecast("run --runs 0 --out " + (dir_ / "out").string()).exit_code, 2);
  EXPECT_EQ(run_carecast("run --years 11 --out " + (dir_ / "out").string()).exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}


// Usage errors say what is wrong and exit 2 (issue 13): a missing or unknown verb lists the verbs;
// a word where a number belongs says a whole number is expected (not "not in range").
TEST_F(CommandLine, UsageErrorsSayWhatIsExpectedAndExitWithCodeTwo) {
  const Outcome unknown = run_carecast("forecast --runs 10");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.output;
  EXPECT_NE(unknown.output.find("unknown verb 'forecast': expected one of run, expect,"), std::string::npos)
      << unknown.output;
  const Outcome none = run_carecast("");
  EXPECT_EQ(none.exit_code, 2) << none.output;
  EXPECT_NE(none.output.find("carecast needs a verb, one of: run,"), std::string::npos) << none.output;
  EXPECT_EQ(none.output.find("A subcommand is required"), std::string::npos) << none.output;

  for (const std::string verb : {"run", "compare " CARECAST_SCENARIO_DIR "/default.toml " CARECAST_SCENARIO_DIR
                                 "/option_step_down.toml"}) {
    const Outcome words = run_carecast(verb + " --runs abc --out " + (dir_ / "out").string());
    EXPECT_EQ(words.exit_code, 2) << words.output;
    EXPECT_NE(words.output.find("--runs: expected a whole number from 1 to 1000000, not 'abc'"), std::string::npos)
        << words.output;
    EXPECT_EQ(words.output.find("not in range"), std::string::npos) << words.output;
  }
  const Outcome too_many = run_carecast("run --years 11 --out " + (dir_ / "out").string());
  EXPECT_NE(too_many.output.find("--years: must be a whole number from 1 to 10, not 11"), std::string::npos)
      << too_many.output;

  // --out naming a file, for each verb that writes a folder.
  const fs::path file = write("a-file", "not a folder\n");
  for (const std::string verb :
       {"run --runs 2", "expect", "synth --years 2",
        "compare " CARECAST_SCENARIO_DIR "/default.toml " CARECAST_SCENARIO_DIR "/option_step_down.toml --runs 2",
        "backtest " CARECAST_TEST_DATA_DIR "/ssda903-sample --origins yearly --runs 2"}) {
    const Outcome outcome = run_carecast(verb + " --out " + file.string());
    EXPECT_EQ(outcome.exit_code, 2) << verb << "\n" << outcome.output;
    EXPECT_NE(outcome.output.find(file.string() + ": '--out': exists and is not a folder"), std::string::npos)
        << outcome.output;
  }
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(CommandLine, CompareHelpShowsItsScenariosPlainly) {
  const Outcome help = run_carecast("compare --help");
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_EQ(help.output.find("(2x)"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("compare [OPTIONS] scenarios..."), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("BASE OPTION [OPTION...]"), std::string::npos) << help.output;
}

// A scenario date written dd/mm/yyyy, bare or quoted, gets a hint naming the form TOML needs.
TEST_F(CommandLine, ADayFirstScenarioDateGetsAHint) {
  for (const std::string value : {"28/02/2025", "\"28/02/2025\""}) {
    const fs::path scenario = write("day_first.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n"
                                                      "origin_date = " + value + "\n");
    const Outcome outcome = run_carecast("run " + scenario.string() + " --runs 2 --out " + (dir_ / "out").string());
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find("day_first.toml:2:"), std::string::npos) << outcome.output;
    EXPECT_NE(outcome.output.find("hint: dates in a scenario are written YYYY-MM-DD"), std::string::npos)
        << outcome.output;
  }
  // A date written properly but wrong in another way gets no such hint.
  const fs::path scenario = write("bad_day.toml", "extends = \"" CARECAST_SCENARIO_DIR "/default.toml\"\n"
                                                  "origin_date = 2025-02-30\n");
  const Outcome outcome = run_carecast("run " + scenario.string() + " --runs 2 --out " + (dir_ / "out").string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_EQ(outcome.output.find("hint:"), std::string::npos) << outcome.output;
}

// ---------------------------------------------------------------------------------------------
// Output safety (issue 9): an unwritable --out is refused before any work, and a SIGTERM leaves
// nothing behind.

// Names in `folder` containing ".partial-": staging folders.
std::vector<std::string> staging_folders(const fs::path& folder) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.find(".partial-") != std::string::npos) found.push_back(name);
  }
  return found;
}

// Starts carecast in the background with output to `log`.
pid_t start_carecast(const std::vector<std::string>& arguments, const fs::path& log) {
  std::vector<std::string> words = {CARECAST_BINARY};
  words.insert(words.end(), arguments.begin(), arguments.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  pid_t pid = 0;
  const int failed = posix_spawn(&pid, CARECAST_BINARY, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  return failed ? -1 : pid;
}

// Waits up to `seconds` for `ready`; false if it never came.
template <class Ready>
bool wait_for(Ready ready, double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (ready()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return ready();
}

int wait_status(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

// Whether the process is gone or a zombie (its parent, not this test, reaps it).
bool process_gone(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  const std::size_t close = text.rfind(')');
  return close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z';
}

TEST_F(CommandLine, UnwritableOutIsRefusedBeforeAnyWorkNamingOut) {
  const fs::path file = write("a-file", "not a folder\n");
  const std::string data = std::string(CARECAST_TEST_DATA_DIR) + "/ssda903-sample";
  struct Case {
    std::string arguments;
    std::string destination;
  };
  // A million runs would take minutes: the refusal must come first. As the tests run as root,
  // permissions stop nothing: a path under a regular file, or in /proc, cannot be written.
  const std::vector<Case> cases = {
      {"run --runs 1000000 --out " + (file / "out").string(), (file / "out").string()},
      {"run --runs 1000000 --out " + file.string(), file.string()},
      {"run --runs 1000000 --out /proc/carecast-out", "/proc/carecast-out"},
      {"expect --out " + (file / "out").string(), (file / "out").string()},
      {"synth --years 10 --out /proc/carecast-out", "/proc/carecast-out"},
      {"backtest " + data + " --origins yearly --runs 100000 --out " + (file / "out").string(),
       (file / "out").string()},
      {"calibrate " + data + " --as-of 2021-03-31 --out " + (file / "s.toml").string(), (file / "s.toml").string()},
      {"calibrate " + data + " --as-of 2021-03-31 --out /proc/s.toml", "/proc/s.toml"},
      {"calibrate " + data + " --as-of 2021-03-31 --out " + dir_.string(), dir_.string()},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.arguments);
    const auto start = std::chrono::steady_clock::now();
    const Outcome outcome = run_carecast(c.arguments);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
    EXPECT_NE(outcome.output.find(c.destination + ": '--out'"), std::string::npos) << outcome.output;
    EXPECT_EQ(outcome.output.find(".partial-"), std::string::npos) << outcome.output;
    EXPECT_LT(seconds, 5.0) << "refused only after the work";
  }
  EXPECT_TRUE(staging_folders(dir_).empty());
}

TEST_F(CommandLine, OutIsCreatedOnlyWhenComplete) {
  // No folder on the way to --out is made before the work succeeds.
  const Outcome bad = run_carecast("run " + (dir_ / "missing.toml").string() + " --out " + (dir_ / "a/b/out").string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir_ / "a"));
  const Outcome good = run_carecast("expect --out " + (dir_ / "a/b/out").string());
  ASSERT_EQ(good.exit_code, 0) << good.output;
  EXPECT_TRUE(fs::exists(dir_ / "a/b/out/expected.csv"));
  EXPECT_TRUE(staging_folders(dir_).empty());
}

TEST_F(CommandLine, SigtermDuringARunLeavesNoStagingFolder) {
  const fs::path out = dir_ / "out";
  const pid_t pid = start_carecast({"run", "--runs", "200000", "--threads", "1", "--out", out.string()}, dir_ / "log");
  ASSERT_GT(pid, 0);
  // The staging folder exists while the run works, so its absence afterwards means something.
  const bool staged = wait_for([&] { return !staging_folders(dir_).empty(); }, 30);
  std::this_thread::sleep_for(std::chrono::seconds(1));
  kill(pid, SIGTERM);
  const int status = wait_status(pid);
  ASSERT_TRUE(staged) << read_file(dir_ / "log");
  ASSERT_TRUE(WIFEXITED(status)) << "killed by signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM) << read_file(dir_ / "log");
  EXPECT_TRUE(staging_folders(dir_).empty());
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(CommandLine, SigintDuringABacktestLeavesNoStagingFolder) {
  const fs::path out = dir_ / "out";
  const pid_t pid = start_carecast({"backtest", std::string(CARECAST_TEST_DATA_DIR) + "/ssda903-sample", "--origins",
                                    "yearly", "--runs", "100000", "--threads", "1", "--out", out.string()},
                                   dir_ / "log");
  ASSERT_GT(pid, 0);
  const bool staged = wait_for([&] { return !staging_folders(dir_).empty(); }, 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  kill(pid, SIGINT);
  const int status = wait_status(pid);
  ASSERT_TRUE(staged) << read_file(dir_ / "log");
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGINT);
  EXPECT_TRUE(staging_folders(dir_).empty());
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(CommandLine, StagingFoldersOfDeadRunsAreClearedAndLiveOnesKept) {
  // PIDs above pid_max cannot be alive; PID 1 always is.
  std::ifstream pid_max_file("/proc/sys/kernel/pid_max");
  long pid_max = 0;
  pid_max_file >> pid_max;
  ASSERT_GT(pid_max, 1);
  const fs::path dead = dir_ / (".out.partial-" + std::to_string(pid_max + 1));
  const fs::path live = dir_ / ".out.partial-1";
  const fs::path other = dir_ / (".other.partial-" + std::to_string(pid_max + 1));
  for (const fs::path& folder : {dead, live, other}) {
    fs::create_directories(folder);
    std::ofstream(folder / "forecast.csv") << "half";
  }
  const Outcome outcome = run_carecast("expect --out " + (dir_ / "out").string());
  ASSERT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other)) << "only staging folders of the same destination are touched";
}

TEST_F(CommandLine, SigtermDuringReportStopsTheChartProcessAndRemovesScratchFolders) {
  // The fixture's run.json names its scenario as ../../../scenarios/default.toml.
  const fs::path run = dir_ / "a" / "b" / "run";
  fs::create_directories(run.parent_path());
  fs::copy(fs::path(CARECAST_TEST_DATA_DIR) / "report-fixture", run, fs::copy_options::recursive);
  fs::create_directory_symlink(CARECAST_SCENARIO_DIR, dir_ / "scenarios");
  const pid_t pid = start_carecast({"report", run.string()}, dir_ / "log");
  ASSERT_GT(pid, 0);
  const std::string scratch_prefix = "carecast-report-" + std::to_string(pid) + "-";
  fs::path scratch;
  std::vector<pid_t> children;
  // Drawing has begun once the scratch folder holds charts/ and the chart process is running: the
  // folder is made before the process starts, and any thread may have started it.
  const auto chart_processes = [pid] {
    std::vector<pid_t> found;
    std::error_code gone;  // the process may end while it is looked at
    for (fs::directory_iterator task("/proc/" + std::to_string(pid) + "/task", gone), end; !gone && task != end;
         task.increment(gone)) {
      std::ifstream children_file(task->path() / "children");
      for (pid_t child = 0; children_file >> child;) found.push_back(child);
    }
    return found;
  };
  const bool drawing = wait_for(
      [&] {
        for (const auto& entry : fs::directory_iterator(fs::temp_directory_path())) {
          if (entry.path().filename().string().rfind(scratch_prefix, 0) == 0 && fs::exists(entry.path() / "charts")) {
            scratch = entry.path();
            children = chart_processes();
            return !children.empty();
          }
        }
        return false;
      },
      60);
  kill(pid, SIGTERM);
  const int status = wait_status(pid);
  ASSERT_TRUE(drawing) << read_file(dir_ / "log");
  EXPECT_FALSE(children.empty()) << "the chart process was not seen";
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 128 + SIGTERM);
  EXPECT_FALSE(fs::exists(scratch));
  EXPECT_TRUE(staging_folders(run.parent_path()).empty());
  for (const pid_t child : children) EXPECT_TRUE(wait_for([&] { return process_gone(child); }, 10)) << child;
  EXPECT_FALSE(fs::exists(run / "report.html"));
}

}  // namespace
