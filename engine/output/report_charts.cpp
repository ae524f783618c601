#include "output/report_charts.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "core/csv_reader.hpp"
#include "output/progress.hpp"

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
                                    const std::string& note) {
  const fs::path script = plots / "board_pack.py";
  if (!fs::exists(script)) {
    throw std::runtime_error("cannot find the chart scripts: " + script.string() +
                             " does not exist (set CARECAST_PLOTS_DIR to carecast's plots folder)");
  }
  fs::create_directories(output);
  const fs::path log = output / "board_pack.log";
  const std::string python = python_interpreter();
  std::string command = shell_quote(python) + " " + shell_quote(script.string()) + " " + shell_quote(input.string()) +
                        " --out " + shell_quote(output.string());
  if (!note.empty()) command += " --note " + shell_quote(note);
  command += " 2>" + shell_quote(log.string());

  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot start " + python);
  // The script says how many charts it will draw, then reports each one done.
  std::optional<ProgressReporter> progress;
  char line[512];
  while (std::fgets(line, sizeof line, pipe)) {
    const std::string text(line);
    if (text.rfind("charts ", 0) == 0) {
      progress.emplace(std::atoll(text.c_str() + 7), "Drawing charts");
    } else if (text.rfind("done ", 0) == 0 && progress) {
      progress->advance();
    }
  }
  const int status = ::pclose(pipe);
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
