// carecast: forecast placement sufficiency, stability and cost for children looked after.
#include <iostream>
#include <string>

#include "app/commands.hpp"
#include "app/error_hints.hpp"
#include "core/errors.hpp"
#include "output/signal_cleanup.hpp"
#include "parallel/process_group.hpp"

namespace {

// "run, expect, ..." in the order the verbs were set up.
std::string verb_names(const CLI::App& app) {
  std::string names;
  for (const CLI::App* verb : app.get_subcommands({})) names += (names.empty() ? "" : ", ") + verb->get_name();
  return names;
}

// CLI11 answers a missing or unknown verb with "A subcommand is required" or "The following
// arguments were not expected": say which verbs there are instead.
bool verb_is_missing_or_unknown(const CLI::App& app, int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "error: carecast needs a verb, one of: " << verb_names(app) << " (carecast --help says more)\n";
    return true;
  }
  const char* first = argv[1];
  if (first[0] == '-') return false;  // --help, or an option CLI11 will judge
  for (const CLI::App* verb : app.get_subcommands({})) {
    if (verb->get_name() == first) return false;
  }
  std::cerr << "error: unknown verb '" << first << "': expected one of " << verb_names(app)
            << " (carecast --help says more)\n";
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  // First, before any thread starts: a SIGINT or SIGTERM then removes unfinished output.
  carecast::install_signal_cleanup();
  CLI::App app{"carecast: Monte Carlo forecasts of children looked after, their placements and cost"};
  app.require_subcommand(1);
  carecast::app::setup_run(app);
  carecast::app::setup_expect(app);
  carecast::app::setup_synth(app);
  carecast::app::setup_synth_region(app);
  carecast::app::setup_backtest(app);
  carecast::app::setup_calibrate(app);
  carecast::app::setup_report(app);
  carecast::app::setup_compare(app);
  carecast::app::setup_figures(app);
  carecast::app::setup_fit(app);
  if (verb_is_missing_or_unknown(app, argc, argv)) return carecast::app::kExitBadInput;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : carecast::app::kExitBadInput;
  } catch (const carecast::parallel::PeerProcessFailed& e) {
    // Another process of an mpirun job failed first and said why: this one stops quietly.
    return e.exit_code();
  } catch (const carecast::InputError& e) {
    std::cerr << "error: " << e.what() << "\n";
    if (const std::string hint = carecast::app::date_format_hint(e); !hint.empty()) std::cerr << hint << "\n";
    return carecast::app::kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
