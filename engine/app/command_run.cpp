#include <cmath>
#include <iomanip>
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
#include "parallel/distributed_region.hpp"
#include "parallel/distributed_run.hpp"
#include "parallel/process_group.hpp"
#include "scenario/region_loader.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "tally/region_summary.hpp"
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

// A cell's median (90% interval) at a date, as the forecast is worded: "452 (431-476)".
std::string median_and_interval(const std::vector<SummaryRow>& rows, const TallyLayout& layout, int date,
                                std::string_view metric, std::string_view category) {
  const int cell = layout.find(metric, category);
  for (const SummaryRow& row : rows) {
    if (row.cell != cell || row.date != date) continue;
    std::ostringstream text;
    text << std::fixed << std::setprecision(0) << row.percentile[2] << " (" << row.percentile[0] << "-"
         << row.percentile[4] << ")";
    return text.str();
  }
  return "-";
}

void write_region_output(const RunCommand& command, const Region& region, const RegionSummary& summary,
                         StagedOutputDirectory& out);
void print_region_summary(std::ostream& print, const Region& region, const RegionSummary& summary,
                          const RunCommand& command, const StagedOutputDirectory& out, int processes);

// `carecast run REGION`: every council's forecast in councils/NAME/, the region's in region/.
void execute_region(const RunCommand& command, const std::filesystem::path& path) {
  parallel::ProcessGroup& group = parallel::ProcessGroup::world();
  Region region;
  std::optional<StagedOutputDirectory> out;
  group.run_together([&] {
    region = load_region(path);
    std::vector<Scenario> scenarios;
    for (RegionCouncil& council : region.councils) {
      if (command.years > 0) council.scenario.horizon_years = command.years;
      scenarios.push_back(council.scenario);
    }
    check_memory_limit(scenarios, command.options, command.max_memory_gb, MemoryLayout::region);
    if (group.is_first()) {
      out.emplace(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
    }
  });
  ProgressReporter progress(command.options.runs, "Simulating", "runs",
                            ProgressReporter::for_stderr(command.quiet || !group.is_first()));
  const RegionSummary summary = parallel::run_and_summarise_region_together(
      group, region, command.options, [&progress](int runs) { progress.advance(runs); });
  progress.finish();
  group.run_together([&] {
    if (summary.region.info.children_in_care_aged_18_or_over != 0) {
      throw std::logic_error("internal error: a child aged 18 or over was counted in care");
    }
    if (summary.shared_capacity_exceeded != 0) {
      throw std::logic_error("internal error: a part of the shared market held more children than its places");
    }
    if (group.is_first()) write_region_output(command, region, summary, *out);
  });
  if (!group.is_first()) return;
  print_region_summary(std::cout, region, summary, command, *out, group.size());
}

void write_region_output(const RunCommand& command, const Region& region, const RegionSummary& summary,
                         StagedOutputDirectory& out) {
  for (std::size_t c = 0; c < region.councils.size(); ++c) {
    const RegionCouncil& council = region.councils[c];
    const StreamedSummary& streamed = summary.councils[c];
    const std::string folder = "councils/" + council.name + "/";
    out.write_file(folder + "forecast.csv",
                   [&](std::ostream& s) { write_forecast_csv(s, streamed.info, streamed.rows); });
    out.write_file(folder + "run.json", [&](std::ostream& s) {
      write_run_json(
          s, council.scenario, streamed.info,
          {council.scenario_file.string(), content_hash(council.scenario.source_files), command.options.seed, {}});
    });
  }
  out.write_file("region/forecast.csv",
                 [&](std::ostream& s) { write_forecast_csv(s, summary.region.info, summary.region.rows); });
  out.commit();
}

void print_region_summary(std::ostream& print, const Region& region, const RegionSummary& summary,
                          const RunCommand& command, const StagedOutputDirectory& out, int processes) {
  const RunInfo& info = summary.region.info;
  const int origin = 0;
  const int horizon = info.calendar.date_count() - 1;
  print << region.name << " (" << region.councils.size() << " councils): " << command.options.runs << " runs, seed "
        << command.options.seed << "\n";
  print << "Children looked after, median (90% interval), at " << format_long_date(info.calendar.dates[origin])
        << " and " << format_long_date(info.calendar.dates[static_cast<std::size_t>(horizon)]) << ":\n";
  // Each council's line while they fit on a screen; a region as large as England's has its councils' in councils/.
  constexpr std::size_t kCouncilsPrinted = 20;
  for (std::size_t c = 0; c < region.councils.size() && region.councils.size() <= kCouncilsPrinted; ++c) {
    const StreamedSummary& council = summary.councils[c];
    print << "  " << region.councils[c].name << ": "
          << median_and_interval(council.rows, council.info.layout, origin, "children_looked_after", "all") << " -> "
          << median_and_interval(council.rows, council.info.layout, horizon, "children_looked_after", "all")
          << "; placed in another council's area at the horizon "
          << median_and_interval(summary.region.rows, info.layout, horizon, "placed_in_another_council_area",
                                 region.councils[c].name)
          << "\n";
  }
  print << "  region: " << median_and_interval(summary.region.rows, info.layout, origin, "children_looked_after", "all")
        << " -> " << median_and_interval(summary.region.rows, info.layout, horizon, "children_looked_after", "all")
        << "\n";
  print << "Simulated " << info.child_events << " child-events in " << fixed_decimals(info.wall_seconds, 2) << " s on "
        << info.threads << " thread(s)"
        << (processes > 1 ? " in " + std::to_string(processes) + " processes" : std::string()) << ". Wrote "
        << (out.destination() / "region" / "forecast.csv").string() << " and each council's forecast in "
        << (out.destination() / "councils").string() << "\n";
}

void execute(const RunCommand& command) {
  // This process alone, unless mpirun started it: then each process simulates a share of the runs
  // and the first one prints and writes the output. Every step that may fail runs together, so a
  // failure anywhere stops every process at the same point, with no output left behind.
  parallel::ProcessGroup& group = parallel::ProcessGroup::world();
  const std::filesystem::path path =
      command.scenario.empty() ? default_scenario_path() : std::filesystem::path(command.scenario);
  if (is_region_file(path)) {
    execute_region(command, path);
    return;
  }
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
      write_run_json(s, scenario, result,
                     {path.string(), content_hash(scenario.source_files), command.options.seed, {}});
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
            << " s on " << result.threads << " thread(s)";
  if (group.size() > 1) std::cout << " in " << group.size() << " processes";
  std::cout << ". Wrote " << (out->destination() / "forecast.csv").string() << " and "
            << (out->destination() / "run.json").string() << "\n";
}

}  // namespace

void setup_run(CLI::App& app) {
  auto command = std::make_shared<RunCommand>();
  CLI::App* run = app.add_subcommand("run", "Simulate a scenario many times and write forecast.csv and run.json");
  run->add_option("scenario", command->scenario,
                  "Scenario TOML file (default: scenarios/default.toml), or a region file (docs/regions.md)")
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
