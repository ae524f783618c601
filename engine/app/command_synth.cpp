#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "core/errors.hpp"
#include "history/synthetic_returns.hpp"
#include "output/output_directory.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast::app {
namespace {

namespace fs = std::filesystem;

struct SynthCommand {
  std::string scenario;
  int years = 5;
  std::uint64_t seed = 1;
  std::string out;
  bool replace = false;
  std::string la;  // empty: no LA column
};

void execute(const SynthCommand& command) {
  const fs::path path = command.scenario.empty() ? default_scenario_path() : fs::path(command.scenario);
  // Before the simulation: an unwritable --out is refused at once, and so is a folder that already
  // holds files (a folder of returns is read whole, so older years left in it would be mixed in).
  StagedOutputDirectory out(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  const SyntheticHistory history = simulate_synthetic_history(load_scenario(path), command.years, command.seed);
  if (history.collection_years().empty()) {
    throw InputError({"<command line>", 0, 0, "--years"},
                     "no complete collection year (1 April to 31 March) falls within " + std::to_string(command.years) +
                         " year(s) of the scenario's origin; ask for more years");
  }
  SyntheticReturns returns = render_synthetic_returns(history);
  if (!command.la.empty()) add_local_authority_column(returns, command.la);

  for (const SyntheticFile& file : returns.files) {
    out.write_file(file.name, [&](std::ostream& stream) { stream << file.text; });
  }
  out.commit();
  std::cout << "Wrote " << returns.files.size() << " files of SYNTHETIC SSDA903 returns (" << returns.children
            << " children, " << returns.episodes << " episodes, seed " << command.seed << ") to "
            << out.destination().string() << "\n";
}

}  // namespace

void setup_synth(CLI::App& app) {
  auto command = std::make_shared<SynthCommand>();
  CLI::App* synth = app.add_subcommand(
      "synth", "Write synthetic SSDA903 returns simulated from a scenario's rates, for tests and demonstrations");
  synth->add_option("--scenario", command->scenario, "Scenario TOML file (default: scenarios/default.toml)")
      ->check(CLI::ExistingFile);
  synth->add_option("--years", command->years, "Years to simulate from the scenario's origin")
      ->capture_default_str()
      ->check(whole_number_between(1, 10));
  synth->add_option("--seed", command->seed, "Random seed: the same seed gives the same files")->capture_default_str();
  synth->add_option("--out", command->out, "Output folder (refused if it already holds files, unless --replace)")
      ->required();
  synth->add_flag("--replace", command->replace, kReplaceOptionHelp);
  synth
      ->add_option("--la", command->la,
                   "Add an LA column holding this code to every file, so that several councils' returns can be read "
                   "together (calibrate --pool-councils)")
      ->check([](const std::string& la) {
        const bool usable = !la.empty() && la.size() <= 32 &&
                            la.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
                                std::string::npos;
        return usable ? std::string() : std::string("expected letters, digits, - or _ (at most 32)");
      });
  synth->callback([command] { execute(*command); });
}

}  // namespace carecast::app
