// `carecast fit FIGURES.csv --base SCENARIO --out FITTED.toml`: fits a base scenario to published
// figures (engine/fitting) and writes the fitted scenario, which extends the base, with the fit's
// report beside it (FITTED-fit-figures.csv, FITTED-fit-parameters.csv). The files are staged and
// renamed into place only when all are written and the fitted scenario loads.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "app/commands.hpp"
#include "core/errors.hpp"
#include "fitting/fitted_scenario_writer.hpp"
#include "fitting/pooled_fit.hpp"
#include "fitting/published_fit.hpp"
#include "history/published_figures.hpp"
#include "output/output_directory.hpp"
#include "output/progress.hpp"
#include "output/recorded_history.hpp"
#include "output/staged_files.hpp"
#include "output/written_text.hpp"
#include "scenario/region_loader.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast::app {
namespace {

namespace fs = std::filesystem;

struct FitCommand {
  std::vector<std::string> figures;
  bool pool_councils = false;
  double pool_below = kDefaultPoolBelow;
  std::vector<std::string> base;
  std::string out;
  std::string origin;
  bool quiet = false;
  bool replace = false;
  FitOptions options;
};

fs::path beside(const fs::path& toml, const std::string& suffix) {
  return toml.parent_path() / (toml.stem().string() + suffix);
}

void set_origin(FitCommand& command) {
  if (!command.origin.empty()) {
    const std::optional<Date> origin = parse_date(command.origin);
    if (!origin || command.origin.find('/') != std::string::npos) {
      throw InputError({"", 0, 0, "--origin"}, "expected a date as YYYY-MM-DD");
    }
    command.options.origin = origin;
  }
}

const InputLocation kPoolCouncils{{}, 0, 0, "--pool-councils"};

// A council's name is its figures file's name without .csv, and names its files in --out.
std::string council_name(const std::string& figures_file) {
  // It names the council in region.toml too, so it follows a region's rule for council names.
  const std::string name = fs::path(figures_file).stem().string();
  if (!is_safe_council_name(name)) {
    throw InputError({figures_file, 0, 0, "--pool-councils"},
                     "the figures file's name (without .csv) names its council's fitted scenario, so it must be "
                     "1 to 64 letters, digits, - or _");
  }
  return name;
}

// --pool-councils: one figures file per council (named by the file), each council fitted alone, then again
// with the region's priors (fitting/pooled_fit.hpp). --out is a folder of <council>.toml (extending the base),
// its fit report and recorded history, and pooling.csv; staged and renamed into place whole, once every
// scenario written loads.
void execute_pooled(FitCommand& command) {
  const auto started = std::chrono::steady_clock::now();
  set_origin(command);
  if (command.figures.size() < 2) {
    throw InputError(kPoolCouncils, "pooling needs the figures of two or more councils, one file each (fit one "
                                    "council without --pool-councils)");
  }
  std::vector<std::string> names;
  for (const std::string& file : command.figures) {
    const std::string name = council_name(file);
    const auto same = [&](const std::string& other) {
      return std::equal(name.begin(), name.end(), other.begin(), other.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) ==
                                                    std::tolower(static_cast<unsigned char>(b)); });
    };
    if (std::any_of(names.begin(), names.end(), same)) {
      throw InputError({file, 0, 0, "--pool-councils"},
                       "another figures file has the same name '" + name + "': each names one council");
    }
    names.push_back(name);
  }
  if (command.base.size() != 1 && command.base.size() != command.figures.size()) {
    throw InputError({"", 0, 0, "--base"}, "give one base for every council, or one per figures file in the same "
                                           "order (" + std::to_string(command.base.size()) + " bases for " +
                                           std::to_string(command.figures.size()) + " figures files)");
  }
  std::vector<PublishedFigures> figures;
  figures.reserve(command.figures.size());
  for (const std::string& file : command.figures) figures.push_back(read_published_figures(file));
  if (!command.options.origin) {
    for (std::size_t j = 1; j < figures.size(); ++j) {
      if (figures[j].last_day != figures.front().last_day) {
        throw InputError({command.figures[j], 0, 0, "date"},
                         "the figures end on " + format_iso(figures[j].last_day) + ", " + command.figures.front() +
                             "'s on " + format_iso(figures.front().last_day) +
                             ": pooled councils share one origin, so give --origin");
      }
    }
  }
  std::vector<Scenario> bases;
  bases.reserve(command.base.size());
  for (const std::string& file : command.base) bases.push_back(load_scenario(file));
  const bool shared_base = bases.size() == 1;
  // Only once the inputs are known good (they are quick to read; the fits are not), so that a refusal leaves
  // no folder behind. The staged folder sits beside --out only when --out's parent exists: the fitted
  // scenarios' paths to the base, relative to --out, then hold in the staging folder too, where each is loaded
  // before the commit.
  const fs::path out_path = fs::absolute(command.out).lexically_normal();
  const fs::path destination = out_path.has_filename() ? out_path : out_path.parent_path();
  fs::create_directories(destination.parent_path());
  StagedOutputDirectory out(destination, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  std::vector<CouncilFigures> councils;
  for (std::size_t j = 0; j < figures.size(); ++j) {
    councils.push_back({names[j], &figures[j], &bases[shared_base ? 0 : j], shared_base});
  }

  // Every council is fitted once, and those below --pool-below again.
  std::int64_t fits = 0;
  for (const CouncilFigures& council : councils) {
    fits += council_size(*council.figures, *council.base) < command.pool_below ? 2 : 1;
  }
  ProgressReporter progress(fits * (command.options.rounds + 1) * command.options.runs,
                            "Fitting", "runs", ProgressReporter::for_stderr(command.quiet));
  command.options.runs_done = [&progress](int runs) { progress.advance(runs); };
  const PooledFit pooled = fit_pooled(councils, command.options, command.pool_below);
  progress.finish();

  std::ostringstream pool_below;
  pool_below << command.pool_below;
  std::string command_line = "carecast fit --pool-councils --pool-below " + pool_below.str();
  for (const std::string& file : command.figures) command_line += " " + file;
  for (const std::string& file : command.base) command_line += " --base " + file;
  command_line += " --out " + command.out + " --seed " +
                  std::to_string(command.options.seed) + " --runs " + std::to_string(command.options.runs);
  if (!command.origin.empty()) command_line += " --origin " + command.origin;
  int simulations = 0;
  for (std::size_t j = 0; j < councils.size(); ++j) {
    const FitResult& fit = pooled.pooled[j];
    simulations += pooled.alone[j].simulations + (pooled.refitted[j] ? fit.simulations : 0);
    const fs::path toml_name = names[j] + ".toml";
    const std::string base_reference =
        fs::relative(fs::absolute(command.base[shared_base ? 0 : j]), destination).generic_string();
    out.write_file(toml_name.string(), [&](std::ostream& stream) {
      stream << fitted_scenario_toml(fit, pooled.bases[j], base_reference, figures[j], command_line,
                                     &bases[shared_base ? 0 : j]);
    });
    out.write_file(beside(toml_name, "-fit-figures.csv").string(),
                   [&](std::ostream& stream) { stream << fit_figures_csv(fit, figures[j]); });
    out.write_file(beside(toml_name, "-fit-parameters.csv").string(),
                   [&](std::ostream& stream) { stream << fit_parameters_csv(fit); });
    const Scenario fitted = load_scenario(out.staging() / toml_name);
    const std::vector<RecordedFigure> recorded = recorded_history_from_figures(figures[j], fitted.origin);
    if (!recorded.empty()) {
      out.write_file(recorded_history_csv_path(toml_name).string(),
                     [&](std::ostream& stream) { stream << recorded_history_csv(recorded); });
    }
  }
  out.write_file("pooling.csv", [&](std::ostream& stream) { stream << pooling_csv(pooled); });
  // The councils side by side as a region (docs/regions.md), when they share a horizon as a region's must: `run
  // DIR/region.toml` forecasts them on one clock, each with its own market until [market] tables are added.
  bool one_horizon = true;
  for (const FitResult& fit : pooled.pooled) {
    one_horizon = one_horizon && fit.fitted.horizon_years == pooled.pooled.front().fitted.horizon_years;
  }
  if (one_horizon) {
    // Paths are the user's: no control character may end the comment, and the name is a TOML string.
    out.write_file("region.toml", [&](std::ostream& stream) {
      stream << "# The councils fitted together by `" << comment_text(command_line) << "`,\n"
             << "# side by side as a region: `carecast run` on this file forecasts them on one clock. Each keeps the\n"
             << "# placement market its scenario states; add [market.<part>] tables to share agency places, external\n"
             << "# children's home beds or supported accommodation between them (docs/regions.md).\n\n"
             << "[region]\nname = " << toml_string(destination.filename().string()) << '\n';
      for (const std::string& name : names) {
        stream << "\n[[council]]\nname = \"" << name << "\"\nscenario = \"" << name << ".toml\"\n";
      }
    });
    load_region(out.staging() / "region.toml");
  }
  out.commit();

  for (std::size_t j = 0; j < councils.size(); ++j) {
    std::cout << "\n== " << names[j] << " ==\n" << fit_report_text(pooled.pooled[j], figures[j]);
  }
  std::cout << '\n' << pooled.describe() << '\n';
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::cout << "\nWrote " << councils.size() << " fitted scenarios (<council>.toml, each extending its base, with "
            << "its fit report), pooling.csv" << (one_horizon ? " and region.toml" : "") << " to "
            << out.destination().string() << "; " << simulations
            << " replications in " << std::fixed << std::setprecision(1) << seconds << " s.\n";
}

void execute(FitCommand& command) {
  if (command.pool_councils) {
    execute_pooled(command);
    return;
  }
  if (command.pool_below != kDefaultPoolBelow) {
    throw InputError({"", 0, 0, "--pool-below"}, "is for --pool-councils: a single council is fitted alone");
  }
  if (command.base.size() != 1) {
    throw InputError({"", 0, 0, "--base"}, "fit takes one base; one per council is for --pool-councils");
  }
  if (command.figures.size() != 1) {
    throw InputError({command.figures[1], 0, 0, "figures"},
                     "fit takes one council's figures file; several councils' files are fitted together with "
                     "--pool-councils");
  }
  const auto started = std::chrono::steady_clock::now();
  const fs::path out = command.out;
  require_writable_output_file(out);
  // As every verb: an earlier fit's files are not overwritten unasked (they would sit beside a new scenario).
  refuse_existing_output_files({out, beside(out, "-fit-figures.csv"), beside(out, "-fit-parameters.csv"),
                                recorded_history_csv_path(out)},
                               "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  set_origin(command);
  const PublishedFigures figures = read_published_figures(command.figures.front());
  const Scenario base = load_scenario(command.base.front());
  // Each round of the fit and its posterior run `runs` replications: several minutes with many runs.
  ProgressReporter progress(static_cast<std::int64_t>(command.options.rounds + 1) * command.options.runs, "Fitting",
                            "runs", ProgressReporter::for_stderr(command.quiet));
  command.options.runs_done = [&progress](int runs) { progress.advance(runs); };
  const FitResult fit = fit_to_figures(base, figures, command.options);
  progress.finish();

  const fs::path folder = fs::absolute(out).parent_path();
  const std::string base_reference = fs::relative(fs::absolute(command.base.front()), folder).generic_string();
  // Staging writes beside --out, so its folder must exist (as calibrate makes it).
  if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
  StagedFiles files;
  std::string command_line = "carecast fit " + command.figures.front() + " --base " + command.base.front() + " --out " + command.out +
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
  fit->add_option("figures", command->figures,
                  "Published-figures CSV (with --pool-councils: one per council, each named by its file)")
      ->required();
  fit->add_flag("--pool-councils", command->pool_councils,
                "Fit several councils' figures together, each council's rates shrunk towards the region's by "
                "empirical Bayes; --out is then a folder of <council>.toml and pooling.csv");
  // One value per --base, so that figures files after it are not taken as more bases.
  fit->add_option("--base", command->base,
                  "Base scenario TOML whose rates the fit scales (with --pool-councils: once for every council, or "
                  "once per figures file in the same order)")
      ->required()
      ->allow_extra_args(false);
  fit->add_option("--out", command->out, "Fitted scenario to write (FILE.toml; FILE-fit-figures.csv and "
                                         "FILE-fit-parameters.csv beside it)")
      ->required();
  fit->add_option("--pool-below", command->pool_below,
                  "With --pool-councils: councils with fewer entries a year than this are fitted again with the "
                  "region's prior; larger ones keep their own fits and only inform the region's")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
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
