// carecast: forecast placement sufficiency, stability and cost for children looked after.
#include <iostream>

#include "app/commands.hpp"
#include "core/errors.hpp"
#include "output/signal_cleanup.hpp"

int main(int argc, char** argv) {
  // First, before any thread starts: a SIGINT or SIGTERM then removes unfinished output.
  carecast::install_signal_cleanup();
  CLI::App app{"carecast: Monte Carlo forecasts of children looked after, their placements and cost"};
  app.require_subcommand(1);
  carecast::app::setup_run(app);
  carecast::app::setup_expect(app);
  carecast::app::setup_synth(app);
  carecast::app::setup_backtest(app);
  carecast::app::setup_calibrate(app);
  carecast::app::setup_report(app);
  carecast::app::setup_compare(app);
  carecast::app::setup_figures(app);
  carecast::app::setup_fit(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : carecast::app::kExitBadInput;
  } catch (const carecast::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    return carecast::app::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
