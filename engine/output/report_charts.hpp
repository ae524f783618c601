// Draws the board-pack charts by running plots/board_pack.py (Python 3 with Debian's matplotlib)
// on a folder, showing progress while it works, and reads back its index of charts.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace carecast::report {

struct DrawnChart {
  std::string stem;     // files <stem>.png, .svg and .pdf
  std::string title;
  std::string caption;
  std::string skipped;  // why the chart was left out; empty if drawn
};

// Runs the chart script `script` in `plots` (board_pack.py: every chart of a run or compare
// folder; figures_backtest.py: a backtest from published figures) on `input`, writing the charts
// and index.csv into `output`. `note` is added to every chart's footnote. Throws
// std::runtime_error with the scripts' own message if they fail.
std::vector<DrawnChart> draw_charts(const std::filesystem::path& plots, const std::filesystem::path& input,
                                    const std::filesystem::path& output, const std::string& note,
                                    const std::string& script = "board_pack.py");

// The Python that has Debian's python3-matplotlib: CARECAST_PYTHON if set and not empty, else
// /usr/bin/python3 where it exists (a python3 earlier on PATH, such as a pyenv shim, may lack
// matplotlib), else python3 from PATH.
std::string python_interpreter();

// A word for the shell, in single quotes.
std::string shell_quote(const std::string& word);

}  // namespace carecast::report
