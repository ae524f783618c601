// `carecast fit FIGURES.csv --base SCENARIO --out FITTED.toml`: fits a base scenario to published
// figures (engine/fitting) and writes the fitted scenario, which extends the base, with the fit's
// report beside it (FITTED-fit-figures.csv, FITTED-fit-parameters.csv). The files are staged and
// renamed into place only when all are written and the fitted scenario loads.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "app/commands.hpp"
#include "core/errors.hpp"
#include "fitting/fitted_scenario_writer.hpp"
#include "fitting/published_fit.hpp"
#include "history/published_figures.hpp"
#include "output/output_directory.hpp"
#include "output/progress.hpp"
#include "output/recorded_history.hpp"
#include "output/staged_files.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast::app {
namespace {

namespace fs = std::filesystem;

struct FitCommand {
  std::string figures;
  std::string base;
  std::string out;
  std::string origin;
  bool quiet = false;
  bool replace = false;
  FitOptions options;
};

fs::path beside(const fs::path& toml, const std::string& suffix) {
  return toml.parent_path() / (toml.stem().string() + suffix);
}

void execute(FitCommand& command) {
  const auto started = std::chrono::steady_clock::now();
  const fs::path out = command.out;
  require_writable_output_file(out);
  // As every verb: an earlier fit's files are not overwritten unasked (they would sit beside a new scenario).
  refuse_existing_output_files({out, beside(out, "-fit-figures.csv"), beside(out, "-fit-parameters.csv"),
                                recorded_history_csv_path(out)},
                               "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  if (!command.origin.empty()) {
    const std::optional<Date> origin = parse_date(command.origin);
    if (!origin || command.origin.find('/') != std::string::npos) {
      throw InputError({"", 0, 0, "--origin"}, "expected a date as YYYY-MM-DD");
    }
    command.options.origin = origin;
  }
  const PublishedFigures figures = read_published_figures(command.figures);
  const Scenario base = load_scenario(command.base);
  // Each round of the fit and its posterior run `runs` replications: several minutes with many runs.
  ProgressReporter progress(static_cast<std::int64_t>(command.options.rounds + 1) * command.options.runs, "Fitting",
                            "runs", ProgressReporter::for_stderr(command.quiet));
  command.options.runs_done = [&progress](int runs) { progress.advance(runs); };
  const FitResult fit = fit_to_figures(base, figures, command.options);
  progress.finish();

  const fs::path folder = fs::absolute(out).parent_path();
  const std::string base_reference = fs::relative(fs::absolute(command.base), folder).generic_string();
  // Staging writes beside --out, so its folder must exist (as calibrate makes it).
  if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
  StagedFiles files;
  std::string command_line = "carecast fit " + command.figures + " --base " + command.base + " --out " + command.out +
                             " --seed " + std::to_string(command.options.seed) + " --runs " +
                             std::to_string(command.options.runs);
  if (!command.origin.empty()) command_line += " --origin " + command.origin;
  const fs::path staged_toml =
      files.write(out, fitted_scenario_toml(fit, base, base_reference, figures, command_line));
  files.write(beside(out, "-fit-figures.csv"), fit_figures_csv(fit, figures));
  files.write(beside(out, "-fit-parameters.csv"), fit_parameters_csv(fit));
  // What was written must load as a scenario before it is put in place.
  const Scenario fitted = load_scenario(staged_toml);
  // The figures before the origin, for the charts of runs of the fitted scenario.
  const std::vector<RecordedFigure> recorded = recorded_history_from_figures(figures, fitted.origin);
  const fs::path history_csv = recorded_history_csv_path(out);
  if (!recorded.empty()) files.write(history_csv, recorded_history_csv(recorded));
  files.commit();
  if (recorded.empty()) fs::remove(history_csv);

  std::cout << fit_report_text(fit, figures);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "\nWrote " << out.string() << " (extends " << base_reference << "), "
            << beside(out, "-fit-figures.csv").string() << " and " << beside(out, "-fit-parameters.csv").string()
            << (recorded.empty() ? "" : " and " + history_csv.string()) << "; " << fit.simulations << " replications in " << std::fixed << std::setprecision(1) << seconds
            << " s.\n";
}

}  // namespace

void setup_fit(CLI::App& app) {
  auto command = std::make_shared<FitCommand>();
  CLI::App* fit = app.add_subcommand(
      "fit", "Fit a base scenario to published figures (metric,category,period_start,date,value) and write the fitted "
             "scenario with a report of every figure");
  // Not CLI::ExistingFile: the readers refuse a missing file by name with exit 2.
  fit->add_option("figures", command->figures, "Published-figures CSV")->required();
  fit->add_option("--base", command->base, "Base scenario TOML whose rates the fit scales")->required();
  fit->add_option("--out", command->out, "Fitted scenario to write (FILE.toml; FILE-fit-figures.csv and "
                                         "FILE-fit-parameters.csv beside it)")
      ->required();
  fit->add_flag("--replace", command->replace,
                "If FITTED.toml or the files beside it exist, replace them");
  fit->add_option("--origin", command->origin,
                  "Origin of the fitted scenario, a month end (default: the figures' last date); later figures are "
                  "reported, not fitted");
  fit->add_option("--seed", command->options.seed, "Random seed: the same seed gives the same fit")
      ->capture_default_str();
  fit->add_flag("--quiet", command->quiet, kQuietOptionHelp);
  fit->add_option("--runs", command->options.runs, "Replications per round of the fit, and for its report")
      ->capture_default_str()
      ->check(CLI::Range(50, 100000));
  fit->add_option("--threads", command->options.threads, "Worker threads (0 = every core)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  fit->callback([command] { execute(*command); });
}

}  // namespace carecast::app
