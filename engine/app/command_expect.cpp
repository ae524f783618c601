#include <iostream>
#include <memory>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "expectation/markov_projection.hpp"
#include "output/forecast_writer.hpp"
#include "output/output_directory.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast::app {
namespace {

struct ExpectCommand {
  std::string scenario;
  int years = 0;
  std::string out = "carecast-expected";
  ProjectionOptions projection;
  bool replace = false;
};

void write_expected_csv(std::ostream& out, const ExpectedSeries& series) {
  out << "metric,category,date,expected\n";
  for (std::size_t d = 0; d < series.dates.size(); ++d) {
    double total = 0;
    for (double x : series.stock[d]) total += x;
    out << "children_looked_after,all," << format_iso(series.dates[d]) << ',' << format_number(total) << '\n';
  }
  for (int c = 0; c < kCategoryCount; ++c) {
    for (std::size_t d = 0; d < series.dates.size(); ++d) {
      out << "children_looked_after," << kCategoryNames[c] << ',' << format_iso(series.dates[d]) << ','
          << format_number(series.stock[d][c]) << '\n';
    }
  }
  for (std::size_t d = 1; d < series.dates.size(); ++d) {
    out << "entries,all," << format_iso(series.dates[d]) << ',' << format_number(series.entries[d]) << '\n';
  }
  for (std::size_t d = 1; d < series.dates.size(); ++d) {
    out << "exits,all," << format_iso(series.dates[d]) << ',' << format_number(series.exits[d]) << '\n';
  }
}

void execute(const ExpectCommand& command) {
  const std::filesystem::path path = command.scenario.empty() ? default_scenario_path() : std::filesystem::path(command.scenario);
  Scenario scenario = load_scenario(path);
  if (command.years > 0) scenario.horizon_years = command.years;
  // Before the projection: an unwritable --out is refused at once.
  StagedOutputDirectory out(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  if (scenario.supply.enabled) {
    std::cout << "Note: the expectation is of demand alone; the scenario's finite supply (fallbacks when places "
                 "run out) is not projected.\n";
  }
  if (scenario.time_in_care.enabled()) {
    std::cout << "Note: the expectation follows time in placement, not time in care; the scenario's "
                 "[time_in_care] multipliers are left out of it.\n";
  }
  if (scenario.population && scenario.population->uasc_cap_share) {
    std::cout << "Note: the expectation leaves out the UASC cap ([population] uasc_cap_share_of_population): it "
                 "depends on each run's own UASC looked after.\n";
  }
  const ExpectedSeries series = project_expectation(scenario, command.projection);

  out.write_file("expected.csv", [&](std::ostream& s) { write_expected_csv(s, series); });
  out.commit();
  const std::size_t last = series.dates.size() - 1;
  double total = 0;
  for (double x : series.stock[last]) total += x;
  std::cout << "Expected children looked after at " << format_long_date(series.dates[last]) << ": " << total
            << " (exact expectation, no interval). Wrote " << (out.destination() / "expected.csv").string() << "\n";
}

}  // namespace

void setup_expect(CLI::App& app) {
  auto command = std::make_shared<ExpectCommand>();
  CLI::App* expect = app.add_subcommand(
      "expect", "Compute the expected stock by placement each month with a Markov projection (no simulation)");
  expect->add_option("scenario", command->scenario, "Scenario TOML file (default: scenarios/default.toml)")
      ->check(CLI::ExistingFile);
  expect->add_option("--years", command->years, "Forecast horizon in years, overriding the scenario")
      ->check(whole_number_between(1, 10));
  expect->add_option("--step-days", command->projection.step_days, "Time step of the projection in days")
      ->capture_default_str()
      ->check(whole_number_between(2, 14));
  expect->add_option("--out", command->out, "Output folder (refused if it already holds files, unless --replace)")
      ->capture_default_str();
  expect->add_flag("--replace", command->replace, kReplaceOptionHelp);
  expect->callback([command] { execute(*command); });
}

}  // namespace carecast::app
