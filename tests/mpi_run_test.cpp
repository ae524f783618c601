// `mpirun -n K carecast run` (engine/parallel): the output is the same, byte for byte, for any
// number of processes and threads, and a failure in the job stops every process with the exit code
// and message of a single process and leaves no output. Built only when CMake found OpenMPI.
#ifdef CARECAST_MPIEXEC

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>

#include "test_support.hpp"

namespace fs = std::filesystem;
using carecast::testing::CommandOutcome;
using carecast::testing::run_carecast_command;

namespace {

// A hung job fails the test (exit 124 from timeout) instead of holding up the suite; not a timing check.
CommandOutcome run_with_processes(int processes, const std::string& arguments) {
  return run_carecast_command("timeout -s KILL 300 " CARECAST_MPIEXEC " --allow-run-as-root --oversubscribe -n " +
                              std::to_string(processes) + " " CARECAST_BINARY " " + arguments);
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// run.json without the three entries that describe how the run was done (its threads, wall time and
// speed) rather than what it forecast.
std::string run_json_without_timings(const fs::path& path) {
  static const std::regex timings(R"re(\s*"(threads|wall_seconds|events_per_second)"\s*:\s*[^,\n]*,?)re");
  return std::regex_replace(read_file(path), timings, "");
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

void expect_no_staging_folder(const fs::path& folder) {
  for (const auto& entry : fs::directory_iterator(folder)) {
    EXPECT_EQ(entry.path().filename().string().find(".partial"), std::string::npos) << entry.path();
  }
}

class MpiRun : public carecast::testing::TemporaryFolderTest {
 protected:
  struct Way {
    std::string name;
    int processes;  // 0: without mpirun
    int threads;
  };

  // Runs the default scenario for a year each way, with the seed and the runs given, and compares
  // every file each way wrote with the first way's, byte for byte (run.json less its timings).
  void expect_identical_output(int runs, const std::vector<Way>& ways) {
    const std::string run = "run --runs " + std::to_string(runs) + " --years 1 --seed 7 --quiet --out ";
    for (const Way& way : ways) {
      const std::string arguments = run + (dir_ / way.name).string() + " --threads " + std::to_string(way.threads);
      const CommandOutcome outcome = way.processes == 0 ? carecast::testing::run_carecast(arguments)
                                                        : run_with_processes(way.processes, arguments);
      ASSERT_EQ(outcome.exit_code, 0) << way.name << ": " << outcome.output;
      // Only the first process prints: the summary once.
      EXPECT_EQ(occurrences(outcome.output, "Simulated "), 1u) << way.name << ": " << outcome.output;
    }
    const fs::path reference = dir_ / ways.front().name;
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(reference)) files.push_back(entry.path().filename().string());
    // forecast.csv, run.json and history.csv (the default scenario has recorded history beside it).
    ASSERT_EQ(files.size(), 3u);
    EXPECT_GT(read_file(reference / "forecast.csv").size(), 10000u);
    for (const Way& way : ways) {
      const auto written = std::distance(fs::directory_iterator(dir_ / way.name), fs::directory_iterator());
      EXPECT_EQ(static_cast<std::size_t>(written), files.size()) << way.name;
      for (const std::string& file : files) {
        if (file == "run.json") {
          EXPECT_EQ(run_json_without_timings(dir_ / way.name / file), run_json_without_timings(reference / file))
              << way.name;
        } else {
          EXPECT_EQ(read_file(dir_ / way.name / file), read_file(reference / file)) << way.name << " " << file;
        }
      }
    }
    expect_no_staging_folder(dir_);
  }
};

// 101 runs: one round, the second process's block one run shorter than the first's.
TEST_F(MpiRun, OutputIsByteIdenticalForOneAndTwoProcessesAndOneAndTwoThreads) {
  expect_identical_output(101,
                          {{"plain-1", 0, 1}, {"plain-2", 0, 2}, {"mpi1-1", 1, 1}, {"mpi2-1", 2, 1}, {"mpi2-2", 2, 2}});
  // The entries left out of the comparison are there, and the threads of both processes are counted.
  const std::string json = read_file(dir_ / "mpi2-2" / "run.json");
  EXPECT_NE(json.find("\"threads\" : 4"), std::string::npos) << json;
  EXPECT_NE(json.find("\"wall_seconds\""), std::string::npos) << json;
}

// 1,100 runs: two rounds of 512-run blocks, the second process with nothing to run in the second.
TEST_F(MpiRun, OutputIsByteIdenticalWhenTheRunsTakeSeveralRounds) {
  expect_identical_output(1100, {{"plain-2", 0, 2}, {"mpi2-1", 2, 1}});
}

// A synthetic region of three councils sharing a market: every council's forecast and the region's are
// the same, byte for byte, without mpirun, with one process and with two, on one thread or two.
TEST_F(MpiRun, ARegionsOutputIsByteIdenticalForOneAndTwoProcesses) {
  const CommandOutcome synth = carecast::testing::run_carecast(
      "synth-region --councils 3 --children 1200 --seed 3 --out " + (dir_ / "region").string());
  ASSERT_EQ(synth.exit_code, 0) << synth.output;
  const std::vector<Way> ways = {{"plain-2", 0, 2}, {"mpi1-1", 1, 1}, {"mpi2-1", 2, 1}, {"mpi2-2", 2, 2}};
  for (const Way& way : ways) {
    const std::string arguments = "run " + (dir_ / "region" / "region.toml").string() +
                                  " --runs 37 --years 2 --seed 5 --quiet --out " + (dir_ / way.name).string() +
                                  " --threads " + std::to_string(way.threads);
    const CommandOutcome outcome =
        way.processes == 0 ? carecast::testing::run_carecast(arguments) : run_with_processes(way.processes, arguments);
    ASSERT_EQ(outcome.exit_code, 0) << way.name << ": " << outcome.output;
    EXPECT_EQ(occurrences(outcome.output, "Simulated "), 1u) << way.name << ": " << outcome.output;
  }
  std::vector<std::string> files = {"region/forecast.csv"};
  for (const std::string council : {"council_001", "council_002", "council_003"}) {
    files.push_back("councils/" + council + "/forecast.csv");
    files.push_back("councils/" + council + "/run.json");
  }
  EXPECT_GT(read_file(dir_ / "plain-2" / "region" / "forecast.csv").size(), 10000u);
  for (const Way& way : ways) {
    for (const std::string& file : files) {
      if (file.ends_with("run.json")) {
        EXPECT_EQ(run_json_without_timings(dir_ / way.name / file), run_json_without_timings(dir_ / "plain-2" / file))
            << way.name << " " << file;
      } else {
        EXPECT_EQ(read_file(dir_ / way.name / file), read_file(dir_ / "plain-2" / file)) << way.name << " " << file;
      }
    }
  }
  expect_no_staging_folder(dir_);
}

TEST_F(MpiRun, BadInputStopsEveryProcessWithExitTwoOneMessageAndNoOutput) {
  const fs::path bad = write("bad.toml", "extends = \"" CARECAST_SCENARIO_DIR
                                         "/default.toml\"\n"
                                         "name = \"bad\"\n"
                                         "[leaving_care]\n"
                                         "staying_put_probability = 1.5\n");
  const CommandOutcome outcome =
      run_with_processes(2, "run " + bad.string() + " --runs 10 --out " + (dir_ / "out").string());
  EXPECT_EQ(outcome.exit_code, 2) << outcome.output;
  EXPECT_EQ(occurrences(outcome.output, "bad.toml:4"), 1u) << outcome.output;
  EXPECT_NE(outcome.output.find("staying_put_probability"), std::string::npos) << outcome.output;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
  expect_no_staging_folder(dir_);

  // Only the first process makes the output folder, so only it fails on an --out that is a file:
  // the other stops with it.
  const fs::path file = write("taken", "not a folder\n");
  const CommandOutcome taken = run_with_processes(2, "run --runs 10 --years 1 --out " + file.string());
  EXPECT_EQ(taken.exit_code, 2) << taken.output;
  EXPECT_EQ(occurrences(taken.output, "error:"), 1u) << taken.output;
  EXPECT_NE(taken.output.find("--out"), std::string::npos) << taken.output;
  EXPECT_EQ(read_file(file), "not a folder\n");
  expect_no_staging_folder(dir_);
}

// Inside a job of two processes (tests/mpi/process_group_check.cpp): a step or a replication that
// fails on one process stops both, each with the right error, and the group then still gives the
// one-process summary.
TEST(MpiProcessGroup, AFailureOnEitherProcessStopsBothAtTheSameStep) {
  const CommandOutcome outcome =
      run_carecast_command("timeout -s KILL 300 " CARECAST_MPIEXEC
                           " --allow-run-as-root --oversubscribe -n 2 " CARECAST_PROCESS_GROUP_CHECK);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.output;
  EXPECT_NE(outcome.output.find("rank 0: all checks passed"), std::string::npos) << outcome.output;
  EXPECT_NE(outcome.output.find("rank 1: all checks passed"), std::string::npos) << outcome.output;
}

}  // namespace

#endif  // CARECAST_MPIEXEC
