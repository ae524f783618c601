// How a backtest runs its forecasts: the settings `carecast backtest` and `backtest --figures` share, and
// the one place they become the simulation's RunOptions.
#pragma once

#include <cstdint>

#include "simulation/runner.hpp"

namespace carecast {

struct ForecastRunSettings {
  int runs = 500;  // replications of each origin's forecast
  std::uint64_t seed = 1;
  int threads = 0;  // 0 = every core
  bool parameter_uncertainty = true;
  bool systemic_variation = true;  // the forecast scenario's year-to-year variation, if it has any

  RunOptions run_options() const {
    RunOptions run;
    run.runs = runs;
    run.seed = seed;
    run.threads = threads;
    run.parameter_uncertainty = parameter_uncertainty;
    run.systemic_variation = systemic_variation;
    return run;
  }
};

}  // namespace carecast
