#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "core/errors.hpp"
#include "output/comparison.hpp"
#include "output/forecast_writer.hpp"
#include "output/output_directory.hpp"
#include "output/progress.hpp"
#include "output/recorded_history.hpp"
#include "scenario/region_loader.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "tally/summary.hpp"

namespace carecast::app {
namespace {

struct CompareCommand {
  std::vector<std::string> scenarios;  // base first
  RunOptions options;
  int years = 0;
  std::string out = "carecast-comparison";
  double max_memory_gb = kDefaultMaxMemoryGib;
  bool replace = false;
  bool quiet = false;
};

const ComparisonRow* find_row(const std::vector<ComparisonRow>& rows, const std::string& option,
                              const std::string& metric, Date date, const std::string& category = "all") {
  for (const ComparisonRow& row : rows) {
    if (row.option == option && row.metric == metric && row.category == category && row.date == date) return &row;
  }
  return nullptr;
}

std::string money(double x) {
  std::ostringstream s;
  s << (x < 0 ? "-£" : "£") << std::fixed << std::setprecision(2) << std::abs(x) / 1e6 << "m";
  return s.str();
}

std::string count(double x) {
  std::ostringstream s;
  s << std::showpos << std::fixed << std::setprecision(1) << x;
  return s.str();
}

std::vector<std::string> names_of(const auto& compared) {
  std::vector<std::string> names;
  for (const auto& scenario_or_region : compared) names.push_back(scenario_or_region.name);
  return names;
}

// Each option against the base at the horizon: the lines a board paper quotes.
void print_against_base(const std::vector<std::string>& names, const StreamedComparison& compared, int runs) {
  const std::vector<ComparisonRow>& rows = compared.rows;
  const Date horizon = compared.infos[0].calendar.dates.back();
  std::cout << "Options against '" << names[0] << "', " << runs << " paired runs to " << format_long_date(horizon)
            << " (option minus base: median, 90% interval):\n";
  for (std::size_t i = 1; i < names.size(); ++i) {
    std::cout << "  " << names[i] << "\n";
    auto line = [&](const std::string& label, const std::string& metric, auto format,
                    const std::string& category = "all") {
      if (const ComparisonRow* r = find_row(rows, names[i], metric, horizon, category)) {
        std::cout << "    " << label << ": " << format(r->p50) << " (" << format(r->p05) << " to " << format(r->p95)
                  << ")\n";
      }
    };
    auto probability = [&](const std::string& label, const std::string& metric) {
      if (const ComparisonRow* r = find_row(rows, names[i], metric, horizon)) {
        std::cout << "    " << label << ": " << std::fixed << std::setprecision(2) << r->mean << "\n";
      }
    };
    line("cost to the horizon", "cost_cumulative", money);
    line("children reaching 3 placements in a year", "children_reaching_3_placements_total", count);
    line("children placed against preference", "unmet_preference_total", count);
    // What the council's own carers and homes buy: fewer children placed with agencies.
    line("children with agency carers at the horizon", "children_looked_after", count, "foster_agency");
    line("children in external children's homes at the horizon", "children_looked_after", count,
         "childrens_home_external");
    line("in-house carer households at the horizon", "carer_households", count, "foster_in_house");
    line("children in unregistered placements at the horizon", "unregistered_placements", count);
    line("children whose placement does not meet their needs at the horizon", "unmet_need", count);
    line("children placed more than 20 miles from home at the horizon", "children_placed_over_20_miles", count);
    probability("probability cheaper", "probability_cheaper");
    probability("probability of fewer children with 3+ placements", "probability_fewer_3plus_placements");
    probability("probability of fewer placed against preference", "probability_fewer_unmet_preference");
  }
}

// `carecast compare BASE-REGION OPTION-REGION...`: the regions as wholes, run by run.
void execute_regions(const CompareCommand& command) {
  std::vector<Region> regions;
  std::set<std::string> folders;
  for (const std::string& path : command.scenarios) {
    if (!is_region_file(path)) {
      throw InputError({path, 0, 0, "region"}, "a region is compared only with other regions: this file is a scenario");
    }
    regions.push_back(load_region(path));
    for (RegionCouncil& council : regions.back().councils) {
      if (command.years > 0) council.scenario.horizon_years = command.years;
    }
    const Scenario& first = regions.back().councils.front().scenario;
    const Scenario& base = regions.front().councils.front().scenario;
    if (first.origin != base.origin || first.horizon_years != base.horizon_years) {
      throw InputError({path, 0, 0, "origin_date"},
                       "every region compared needs the base region's origin date and horizon");
    }
    if (!folders.insert(folder_name(regions.back().name)).second) {
      throw InputError({path, 0, 0, "region.name"}, "two regions compared have the same name");
    }
  }
  std::vector<Scenario> scenarios;
  for (const Region& region : regions) {
    for (const RegionCouncil& council : region.councils) scenarios.push_back(council.scenario);
  }
  check_memory_limit(scenarios, command.options, command.max_memory_gb, MemoryLayout::region);
  StagedOutputDirectory out(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  const std::int64_t total_runs =
      static_cast<std::int64_t>(command.options.runs) * static_cast<std::int64_t>(regions.size());
  ProgressReporter progress(total_runs, "Simulating " + std::to_string(regions.size()) + " regions", "runs",
                            ProgressReporter::for_stderr(command.quiet));
  const StreamedComparison compared =
      run_and_compare_regions(regions, command.options, [&progress](int runs) { progress.advance(runs); });
  progress.finish();
  out.write_file("comparison.csv", [&](std::ostream& s) { write_comparison_csv(s, compared.rows); });
  for (std::size_t i = 0; i < regions.size(); ++i) {
    out.write_file(folder_name(regions[i].name) + "/region/forecast.csv",
                   [&](std::ostream& s) { write_forecast_csv(s, compared.infos[i], compared.summaries[i]); });
  }
  out.commit();
  print_against_base(names_of(regions), compared, command.options.runs);
  std::cout << describe_uncertainty_sources(compared.infos[0]) << "\n";
  std::cout << "Wrote " << (out.destination() / "comparison.csv").string() << "\n";
}

void execute(const CompareCommand& command) {
  if (is_region_file(command.scenarios.front())) {
    execute_regions(command);
    return;
  }
  std::vector<Scenario> scenarios;
  for (const std::string& path : command.scenarios) {
    scenarios.push_back(load_scenario(path));
    if (command.years > 0) scenarios.back().horizon_years = command.years;
  }
  std::set<std::string> folders;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    if (scenarios[i].origin != scenarios[0].origin || scenarios[i].horizon_years != scenarios[0].horizon_years) {
      throw InputError({command.scenarios[i], 0, 0, "origin_date"},
                       "every scenario compared needs the base scenario's origin date and horizon");
    }
    if (!folders.insert(folder_name(scenarios[i].name)).second) {
      throw InputError({command.scenarios[i], 0, 0, "name"}, "two scenarios compared have the same name");
    }
  }
  check_memory_limit(scenarios, command.options, command.max_memory_gb);
  // What calibrate or fit recorded before the base's origin: the options share the base's past.
  const std::vector<RecordedFigure> recorded = read_recorded_history_beside(command.scenarios[0], scenarios[0].origin);
  // Before any work, so that an --out that cannot be written is refused at once.
  StagedOutputDirectory out(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);

  // Base and options a block of paired runs at a time: memory does not grow with --runs.
  const std::int64_t total_runs =
      static_cast<std::int64_t>(command.options.runs) * static_cast<std::int64_t>(scenarios.size());
  ProgressReporter progress(total_runs, "Simulating " + std::to_string(scenarios.size()) + " scenarios", "runs",
                            ProgressReporter::for_stderr(command.quiet));
  const StreamedComparison compared =
      run_and_compare(scenarios, command.options, [&progress](int runs) { progress.advance(runs); });
  progress.finish();
  const std::vector<ComparisonRow>& rows = compared.rows;
  out.write_file("comparison.csv", [&](std::ostream& s) { write_comparison_csv(s, rows); });
  const auto write_history = [&](const std::string& name) {
    if (!recorded.empty()) out.write_file(name, [&](std::ostream& s) { s << recorded_history_csv(recorded); });
  };
  write_history("history.csv");
  // Each scenario's folder is a run folder of its own (forecast.csv and run.json, so `report`
  // works on it too); the compare folder's run.json describes the base and lists them all.
  RunDescription description{command.scenarios[0], content_hash(scenarios[0].source_files), command.options.seed, {}};
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const std::string folder = folder_name(scenarios[i].name);
    out.write_file(folder + "/forecast.csv",
                   [&](std::ostream& s) { write_forecast_csv(s, compared.infos[i], compared.summaries[i]); });
    out.write_file(folder + "/run.json", [&](std::ostream& s) {
      write_run_json(s, scenarios[i], compared.infos[i],
                     {command.scenarios[i], content_hash(scenarios[i].source_files), command.options.seed, {}});
    });
    write_history(folder + "/history.csv");
    description.compared.push_back({scenarios[i].name, folder, command.scenarios[i]});
  }
  out.write_file("run.json", [&](std::ostream& s) { write_run_json(s, scenarios[0], compared.infos[0], description); });
  out.commit();

  print_against_base(names_of(scenarios), compared, command.options.runs);
  std::cout << describe_uncertainty_sources(compared.infos[0]) << "\n";
  std::cout << "Wrote " << (out.destination() / "comparison.csv").string() << "\n";
}

}  // namespace

void setup_compare(CLI::App& app) {
  auto command = std::make_shared<CompareCommand>();
  CLI::App* compare = app.add_subcommand(
      "compare", "Run a base scenario and options with the same seed and write their differences run by run");
  // At least two, with no upper bound: CLI11 would print a bound as "scenarios(2x)".
  compare
      ->add_option(
          "scenarios", command->scenarios,
          "The base scenario, then one or more options: TOML files (or the base region, then regions: docs/regions.md)")
      ->required()
      ->expected(2, CLI::detail::expected_max_vector_size)
      ->option_text("BASE OPTION [OPTION...]")
      ->check(CLI::ExistingFile);
  compare->add_option("--runs", command->options.runs, "Number of replications of each scenario")
      ->capture_default_str()
      ->check(whole_number_between(1, 1000000));
  compare->add_option("--seed", command->options.seed, "Random seed, shared by every scenario")->capture_default_str();
  compare->add_option("--threads", command->options.threads, "Worker threads (0 = every core)")
      ->capture_default_str()
      ->check(whole_number_between(0, 1024));
  compare->add_option("--years", command->years, "Forecast horizon in years, overriding the scenarios")
      ->check(whole_number_between(1, 10));
  compare->add_option("--out", command->out, "Output folder (refused if it already holds files, unless --replace)")
      ->capture_default_str();
  compare->add_flag("--replace", command->replace, kReplaceOptionHelp);
  compare->add_flag("--quiet", command->quiet, kQuietOptionHelp);
  compare
      ->add_option("--max-memory-gb", command->max_memory_gb,
                   "Refuse a comparison whose estimated memory is above this many GiB (the estimate counts "
                   "the children of a replication on each thread and the summaries, for every scenario)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  compare
      ->add_option("--parameter-uncertainty", command->options.parameter_uncertainty,
                   "Draw each run's rates from their posterior (on: a calibrated scenario's evidence, or a "
                   "hand-written scenario's stated [uncertainty]) or use the point rates (off)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  compare
      ->add_option("--variation", command->options.systemic_variation,
                   "Draw each run's year-to-year multipliers on entries, exits and moves (the scenario's "
                   "[variation]) (on) or keep every year's rates as the scenario gives them (off)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  compare->callback([command] { execute(*command); });
}

}  // namespace carecast::app
