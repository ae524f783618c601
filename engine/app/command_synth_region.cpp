#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <numeric>
#include <string>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "output/output_directory.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/synthetic_region.hpp"

namespace carecast::app {
namespace {

namespace fs = std::filesystem;

struct SynthRegionCommand {
  int councils = 0;
  int children = 0;
  std::uint64_t seed = 1;
  std::string out;
  bool replace = false;
};

void execute(const SynthRegionCommand& command) {
  // The numbers first: a refusal leaves nothing behind, not even a staging folder.
  synthetic_council_sizes(command.councils, command.children, command.seed);
  StagedOutputDirectory out(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  const SyntheticRegion region =
      make_synthetic_region(command.councils, command.children, command.seed, default_scenario_path());
  for (const SyntheticRegionFile& file : region.files) {
    out.write_file(file.name, [&](std::ostream& stream) { stream << file.text; });
  }
  out.commit();
  const auto [smallest, largest] = std::minmax_element(region.council_children.begin(), region.council_children.end());
  std::cout << "Wrote a SYNTHETIC region of " << region.council_children.size() << " councils ("
            << std::accumulate(region.council_children.begin(), region.council_children.end(), 0)
            << " children looked after at the origin, " << *smallest << " to " << *largest << " a council; seed "
            << command.seed << ") to " << (out.destination() / "region.toml").string() << "\n";
}

}  // namespace

void setup_synth_region(CLI::App& app) {
  auto command = std::make_shared<SynthRegionCommand>();
  CLI::App* verb = app.add_subcommand(
      "synth-region",
      "Write a synthetic region: councils of realistic sizes, each the default council scaled, sharing one placement "
      "market (docs/regions.md)");
  verb->add_option("--councils", command->councils, "Councils in the region, 1 to 200 (England: 153)")
      ->required()
      ->check(whole_number_between(1, 200));
  verb->add_option("--children", command->children,
                   "Children looked after at the origin in all the councils, at least 20 a council (England: 82000)")
      ->required()
      ->check(whole_number_between(20, 2'000'000'000));
  verb->add_option("--seed", command->seed, "Random seed of the councils' sizes: the same seed gives the same files")
      ->capture_default_str();
  verb->add_option("--out", command->out, "Output folder (refused if it already holds files, unless --replace)")
      ->required();
  verb->add_flag("--replace", command->replace, kReplaceOptionHelp);
  verb->callback([command] { execute(*command); });
}

}  // namespace carecast::app
