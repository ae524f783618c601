// The command-line verbs. Each is a setup_* function that registers a subcommand and its
// options on the CLI11 app; the callback does the work. main.cpp only wires them together.
#pragma once

#include <CLI/CLI.hpp>

namespace carecast::app {

void setup_run(CLI::App& app);
void setup_expect(CLI::App& app);
void setup_synth(CLI::App& app);
void setup_synth_region(CLI::App& app);
void setup_backtest(CLI::App& app);
void setup_calibrate(CLI::App& app);
void setup_report(CLI::App& app);
void setup_compare(CLI::App& app);
void setup_figures(CLI::App& app);
void setup_fit(CLI::App& app);

// Exit codes: 0 success, 1 an unexpected failure, 2 bad input (named file, line and field).
inline constexpr int kExitBadInput = 2;

}  // namespace carecast::app
