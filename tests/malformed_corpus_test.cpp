// The malformed-input corpus: every case in tests/data/malformed/<area>/<case>/ is a command a
// user (or a hostile tester) might run, with the outcome we promise. A case is a folder holding
// `case.toml` and the input files it names:
//
//   description = "entries of 1e308 a year"
//   args = ["run", "{dir}/scenario.toml", "--runs", "2", "--out", "{out}"]
//   outcome = "error"                       # or "accepted" (on purpose: say why in `reason`)
//   exit = 2                                # default: 2 for an error, 0 when accepted
//   output_contains = ["scenario.toml:4", "entries.expected_per_year", "at most"]
//   make_fifo = ["episodes.csv"]            # optional: named pipes created before the run
//   reason = "..."                          # required when accepted
//
// Placeholders: {dir} is a private copy of the case folder, {out} an output path that does not
// exist yet, {scenarios} the shipped scenarios, {data} tests/data. For an error the test also
// checks that nothing was left behind: no {out}, no staging folder beside it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "test_support.hpp"

namespace carecast::testing {
namespace {

namespace fs = std::filesystem;

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string shell_quote(const std::string& text) { return "'" + replace_all(text, "'", "'\\''") + "'"; }

std::vector<fs::path> corpus_cases() {
  std::vector<fs::path> cases;
  const fs::path root = fs::path(CARECAST_TEST_DATA_DIR) / "malformed";
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().filename() == "case.toml") cases.push_back(entry.path().parent_path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

// Everything left in `folder` whose name starts with `prefix`.
std::vector<std::string> leftovers(const fs::path& folder, const std::string& prefix) {
  std::vector<std::string> found;
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) == 0) found.push_back(name);
  }
  return found;
}

TEST(MalformedCorpus, EveryCaseHasItsPromisedOutcome) {
  const std::vector<fs::path> cases = corpus_cases();
  ASSERT_GE(cases.size(), 1u) << "the corpus is empty";
  const fs::path work = fs::temp_directory_path() / ("carecast-corpus-" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::create_directories(work);
  std::map<std::string, int> counts;
  for (const fs::path& source : cases) {
    const std::string name = fs::relative(source, fs::path(CARECAST_TEST_DATA_DIR) / "malformed").string();
    SCOPED_TRACE(name);
    const toml::table spec = toml::parse_file((source / "case.toml").string());
    const fs::path dir = work / replace_all(name, "/", "__");
    fs::create_directories(dir);
    fs::copy(source, dir, fs::copy_options::recursive);
    if (const toml::array* fifos = spec["make_fifo"].as_array()) {
      for (const auto& fifo : *fifos) {
        const fs::path pipe = dir / fifo.value_or(std::string());
        fs::remove(pipe);
        ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
      }
    }
    const fs::path out = dir / "out";
    const std::string outcome = spec["outcome"].value_or(std::string());
    ASSERT_TRUE(outcome == "error" || outcome == "accepted") << "outcome must be error or accepted";
    const int expected_exit = spec["exit"].value_or(outcome == "error" ? 2 : 0);
    std::string arguments;
    const toml::array* args = spec["args"].as_array();
    ASSERT_NE(args, nullptr) << "args missing";
    for (const auto& arg : *args) {
      std::string text = arg.value_or(std::string());
      text = replace_all(text, "{dir}", dir.string());
      text = replace_all(text, "{out}", out.string());
      text = replace_all(text, "{scenarios}", CARECAST_SCENARIO_DIR);
      text = replace_all(text, "{data}", CARECAST_TEST_DATA_DIR);
      arguments += " " + shell_quote(text);
    }
    // A hang is a failure too: `timeout` turns it into exit 124.
    const CommandOutcome result = run_carecast_with_timeout(arguments, 120);
    EXPECT_EQ(result.exit_code, expected_exit) << result.output;
    if (const toml::array* expected = spec["output_contains"].as_array()) {
      for (const auto& text : *expected) {
        const std::string needle = replace_all(text.value_or(std::string()), "{dir}", dir.string());
        EXPECT_NE(result.output.find(needle), std::string::npos) << "missing '" << needle << "' in:\n" << result.output;
      }
    }
    if (outcome == "error") {
      EXPECT_FALSE(fs::exists(out)) << "an error left output behind";
      EXPECT_TRUE(leftovers(dir, ".out").empty()) << "an error left a staging folder behind";
      EXPECT_EQ(result.output.find("terminate called"), std::string::npos) << result.output;
    } else {
      EXPECT_FALSE(spec["reason"].value_or(std::string()).empty()) << "an accepted case must say why";
    }
    ++counts[outcome + " (exit " + std::to_string(expected_exit) + ")"];
  }
  std::string summary = "malformed corpus: " + std::to_string(cases.size()) + " cases";
  for (const auto& [outcome, count] : counts) summary += "; " + outcome + ": " + std::to_string(count);
  std::cout << summary << "\n";
  fs::remove_all(work);
}

}  // namespace
}  // namespace carecast::testing
