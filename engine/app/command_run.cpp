#include <iostream>
#include <map>
#include <memory>
#include <optional>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "output/forecast_writer.hpp"
#include "output/output_directory.hpp"
#include "output/progress.hpp"
#include "output/recorded_history.hpp"
#include "output/written_text.hpp"
#include "parallel/distributed_run.hpp"
#include "parallel/process_group.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "tally/streaming_summary.hpp"

namespace carecast::app {
namespace {

struct RunCommand {
  std::string scenario;
  RunOptions options;
  int years = 0;  // 0 = the scenario's horizon
  std::string out = "carecast-output";
  double max_memory_gb = kDefaultMaxMemoryGib;
  bool replace = false;
  bool quiet = false;
};

void execute(const RunCommand& command) {
  // This process alone, unless mpirun started it: then each process simulates a share of the runs
  // and the first one prints and writes the output. Every step that may fail runs together, so a
  // failure anywhere stops every process at the same point, with no output left behind.
  parallel::ProcessGroup& group = parallel::ProcessGroup::world();
  const std::filesystem::path path = command.scenario.empty() ? default_scenario_path() : std::filesystem::path(command.scenario);
  Scenario scenario;
  std::vector<RecordedFigure> recorded;
  std::optional<StagedOutputDirectory> out;
  group.run_together([&] {
    scenario = load_scenario(path);
    if (command.years > 0) scenario.horizon_years = command.years;
    check_memory_limit(std::span<const Scenario>(&scenario, 1), command.options, command.max_memory_gb);
    // What calibrate or fit recorded before the origin, for the report's charts; read before any work.
    recorded = read_recorded_history_beside(path, scenario.origin);
    // Before any work, so that an --out that cannot be written is refused at once.
    if (group.is_first()) {
      out.emplace(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
    }
  });

  // Runs are summarised a block at a time: memory does not grow with --runs.
  ProgressReporter progress(command.options.runs, "Simulating", "runs",
                            ProgressReporter::for_stderr(command.quiet || !group.is_first()));
  const StreamedSummary streamed = parallel::run_and_summarise_together(
      group, scenario, command.options, [&progress](int runs) { progress.advance(runs); });
  progress.finish();
  const RunInfo& result = streamed.info;
  const std::vector<SummaryRow>& rows = streamed.rows;
  group.run_together([&] {
    if (!group.is_first()) return;
    if (result.children_in_care_aged_18_or_over != 0) {
      throw std::logic_error("internal error: a child aged 18 or over was counted in care");
    }
    out->write_file("forecast.csv", [&](std::ostream& s) { write_forecast_csv(s, result, rows); });
    out->write_file("run.json", [&](std::ostream& s) {
      write_run_json(s, scenario, result, {path.string(), content_hash(scenario.source_files), command.options.seed, {}});
    });
    if (!recorded.empty()) {
      out->write_file("history.csv", [&](std::ostream& s) { s << recorded_history_csv(recorded); });
    }
    out->commit();
  });
  if (!group.is_first()) return;

  write_plain_summary(std::cout, scenario, result, rows);
  // Seconds to two decimals: printed whole, their digits could pass for a child's identifier.
  std::cout << "Simulated " << result.child_events << " child-events in " << fixed_decimals(result.wall_seconds, 2)
            << " s on "
            << result.threads << " thread(s)";
  if (group.size() > 1) std::cout << " in " << group.size() << " processes";
  std::cout << ". Wrote " << (out->destination() / "forecast.csv").string() << " and "
            << (out->destination() / "run.json").string() << "\n";
}

}  // namespace

void setup_run(CLI::App& app) {
  auto command = std::make_shared<RunCommand>();
  CLI::App* run = app.add_subcommand("run", "Simulate a scenario many times and write forecast.csv and run.json");
  run->add_option("scenario", command->scenario, "Scenario TOML file (default: scenarios/default.toml)")
      ->check(CLI::ExistingFile);
  run->add_option("--runs", command->options.runs, "Number of replications")
      ->capture_default_str()
      ->check(whole_number_between(1, 1000000));
  run->add_option("--seed", command->options.seed, "Random seed: the same seed gives the same forecast")
      ->capture_default_str();
  run->add_option("--threads", command->options.threads, "Worker threads (0 = every core)")
      ->capture_default_str()
      ->check(whole_number_between(0, 1024));
  run->add_option("--years", command->years, "Forecast horizon in years, overriding the scenario")
      ->check(whole_number_between(1, 10));
  run->add_option("--out", command->out, "Output folder (refused if it already holds files, unless --replace)")
      ->capture_default_str();
  run->add_flag("--replace", command->replace, kReplaceOptionHelp);
  run->add_flag("--quiet", command->quiet, kQuietOptionHelp);
  run->add_option("--max-memory-gb", command->max_memory_gb,
                  "Refuse a run whose estimated memory is above this many GiB (the estimate counts the "
                  "children of a replication on each thread and the summaries)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  run->add_option("--parameter-uncertainty", command->options.parameter_uncertainty,
                  "Draw each run's rates from their posterior (on: a calibrated scenario's evidence, or a "
                  "hand-written scenario's stated [uncertainty]) or use the point rates (off)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  run->add_option("--variation", command->options.systemic_variation,
                  "Draw each run's year-to-year multipliers on entries, exits and moves (the scenario's "
                  "[variation]) (on) or keep every year's rates as the scenario gives them (off)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  run->callback([command] { execute(*command); });
}

}  // namespace carecast::app
