#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

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
};

bool is_ssda903_file(const fs::path& file) {
  const std::string name = file.filename().string();
  return name.ends_with("header.csv") || name.ends_with("episodes.csv") || name.ends_with("uasc.csv");
}

// A folder of returns is read whole, so an SSDA903 file left from an earlier run with other years
// would be mixed into this one's. Files this run replaces are fine.
void check_destination(const fs::path& out, const SyntheticReturns& returns) {
  const InputLocation where{out.string(), 0, 0, "--out"};
  if (!fs::exists(out)) return;
  if (!fs::is_directory(out)) throw InputError(where, "exists and is not a folder");
  for (const fs::directory_entry& entry : fs::directory_iterator(out)) {
    if (!entry.is_regular_file() || !is_ssda903_file(entry.path())) continue;
    const bool replaced = std::any_of(returns.files.begin(), returns.files.end(), [&](const SyntheticFile& file) {
      return file.name == entry.path().filename().string();
    });
    if (!replaced) {
      throw InputError(where, "holds " + entry.path().filename().string() +
                                  ", which this run would not replace and a reader of the folder would mix in: "
                                  "choose a new folder or empty this one");
    }
  }
}

void execute(const SynthCommand& command) {
  const fs::path path = command.scenario.empty() ? default_scenario_path() : fs::path(command.scenario);
  // Before the simulation: an unwritable --out is refused at once.
  StagedOutputDirectory out(command.out);
  const SyntheticHistory history = simulate_synthetic_history(load_scenario(path), command.years, command.seed);
  if (history.collection_years().empty()) {
    throw InputError({"<command line>", 0, 0, "--years"},
                     "no complete collection year (1 April to 31 March) falls within " + std::to_string(command.years) +
                         " year(s) of the scenario's origin; ask for more years");
  }
  const SyntheticReturns returns = render_synthetic_returns(history);
  check_destination(command.out, returns);

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
      ->check(CLI::Range(1, 10));
  synth->add_option("--seed", command->seed, "Random seed: the same seed gives the same files")->capture_default_str();
  synth->add_option("--out", command->out, "Output folder")->required();
  synth->callback([command] { execute(*command); });
}

}  // namespace carecast::app
