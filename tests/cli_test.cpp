// End-to-end checks of the carecast program: exit codes, messages and output folders.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

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

class CommandLine : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("carecast-cli-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return dir_ / name;
  }
  fs::path dir_;
};

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

}  // namespace
