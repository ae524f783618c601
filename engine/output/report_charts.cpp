#include "output/report_charts.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/csv_reader.hpp"
#include "output/progress.hpp"
#include "output/signal_cleanup.hpp"

namespace carecast::report {
namespace fs = std::filesystem;

std::string python_interpreter() {
  const char* configured = std::getenv("CARECAST_PYTHON");
  if (configured && *configured) return configured;
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

std::string shell_quote(const std::string& word) {
  std::string quoted = "'";
  for (char c : word) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

namespace {

std::string read_text(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<DrawnChart> read_index(const fs::path& file) {
  const CsvTable index = CsvTable::read(file);
  const std::size_t stem = index.require_column("chart");
  const std::size_t title = index.require_column("title");
  const std::size_t caption = index.require_column("caption");
  const std::size_t skipped = index.require_column("skipped");
  std::vector<DrawnChart> charts;
  for (std::size_t r = 0; r < index.row_count(); ++r) {
    charts.push_back({std::string(index.field(r, stem)), std::string(index.field(r, title)),
                      std::string(index.field(r, caption)), std::string(index.field(r, skipped))});
  }
  return charts;
}

}  // namespace

std::vector<DrawnChart> draw_charts(const fs::path& plots, const fs::path& input, const fs::path& output,
                                    const std::string& note, const std::string& script_name) {
  const fs::path script = plots / script_name;
  if (!fs::exists(script)) {
    throw std::runtime_error("cannot find the chart scripts: " + script.string() +
                             " does not exist (set CARECAST_PLOTS_DIR to carecast's plots folder)");
  }
  fs::create_directories(output);
  const fs::path log = output / "board_pack.log";
  const std::string python = python_interpreter();
  std::vector<std::string> words = {python, script.string(), input.string(), "--out", output.string()};
  if (!note.empty()) {
    words.push_back("--note");
    words.push_back(note);
  }
  // Everything the child needs is made before fork: between fork and exec only async-signal-safe
  // calls are allowed, as other threads may hold locks.
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  const int log_descriptor = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_descriptor < 0) throw std::runtime_error("cannot write " + log.string());
  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) {
    ::close(log_descriptor);
    throw std::runtime_error("cannot start " + python);
  }
  const pid_t parent = ::getpid();
  const pid_t child = ::fork();
  if (child == 0) {
    // The chart process stops with carecast: if carecast dies (even by SIGKILL) the kernel sends
    // it SIGTERM. The check after prctl covers a parent that died before it took effect.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    unblock_signals_in_child();
    ::dup2(pipe_ends[1], STDOUT_FILENO);
    ::dup2(log_descriptor, STDERR_FILENO);
    // PATH lookup, as the shell did before: python3 may be found on PATH.
    ::execvp(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(pipe_ends[1]);
  ::close(log_descriptor);
  if (child < 0) {
    ::close(pipe_ends[0]);
    throw std::runtime_error("cannot start " + python);
  }
  // A SIGINT or SIGTERM to carecast stops the chart process before its folder is removed.
  const StopChildOnSignal stop_child(child);
  FILE* pipe = ::fdopen(pipe_ends[0], "r");
  if (!pipe) {
    ::close(pipe_ends[0]);
    ::kill(child, SIGTERM);
    ::waitpid(child, nullptr, 0);
    throw std::runtime_error("cannot start " + python);
  }
  // The script says how many charts it will draw, then reports each one done.
  std::optional<ProgressReporter> progress;
  char line[512];
  while (std::fgets(line, sizeof line, pipe)) {
    const std::string text(line);
    if (text.rfind("charts ", 0) == 0) {
      progress.emplace(std::atoll(text.c_str() + 7), "Drawing charts", "charts");
    } else if (text.rfind("done ", 0) == 0 && progress) {
      progress->advance();
    }
  }
  std::fclose(pipe);
  int status = 0;
  while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (progress) progress->finish();
  const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  if (code != 0) {
    std::string message = read_text(log);
    if (code == 127) message = "cannot run " + python + " (install python3, or set CARECAST_PYTHON)";
    throw std::runtime_error("the chart scripts failed (" + script.string() + ", exit status " +
                             std::to_string(code) + "): " + message);
  }
  fs::remove(log);
  return read_index(output / "index.csv");
}

}  // namespace carecast::report
