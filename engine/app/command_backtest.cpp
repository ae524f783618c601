#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "core/errors.hpp"
#include "evaluation/backtest.hpp"
#include "evaluation/figures_backtest.hpp"
#include "fitting/fitted_scenario_writer.hpp"
#include "history/published_figures.hpp"
#include "history/same_carer_changes.hpp"
#include "output/backtest_report.hpp"
#include "output/figures_backtest_writer.hpp"
#include "output/forecast_writer.hpp"
#include "output/output_directory.hpp"
#include "output/progress.hpp"
#include "scenario/scenario_loader.hpp"

namespace carecast::app {
namespace {

struct BacktestCommand {
  std::vector<std::string> data;
  std::string origin;
  std::string origins;
  std::string la;
  std::string out;
  bool replace = false;
  bool quiet = false;
  BacktestOptions options;
  // From published figures instead of SSDA903 returns.
  std::string figures;
  std::string base;
  int fit_runs = FitOptions{}.runs;
  // Options of the SSDA903 backtest only, given on the command line: refused with --figures.
  std::vector<std::string> returns_only_options_given;
};

std::string number_or_blank(double x) { return std::isnan(x) ? "" : format_number(x); }

void write_rows(std::ostream& out, const std::vector<BacktestRow>& rows) {
  out << "origin,method,category,horizon_months,date,truth,p05,p25,p50,p75,p95,crps\n";
  for (const BacktestRow& r : rows) {
    out << format_iso(r.origin) << ',' << r.method << ',' << r.category << ',' << r.horizon_months << ','
        << format_iso(r.date) << ',' << format_number(r.truth) << ',' << format_number(r.p05) << ','
        << format_number(r.p25) << ',' << format_number(r.p50) << ',' << format_number(r.p75) << ','
        << format_number(r.p95) << ',' << format_number(r.crps) << '\n';
  }
}

void write_summary(std::ostream& out, const std::vector<BacktestSummaryRow>& summary) {
  out << "method,category,forecasts,coverage_50,coverage_90,median_absolute_percentage_error,mean_crps\n";
  for (const BacktestSummaryRow& s : summary) {
    out << s.method << ',' << s.category << ',' << s.forecasts << ',' << number_or_blank(s.coverage_50) << ','
        << number_or_blank(s.coverage_90) << ',' << number_or_blank(s.median_absolute_percentage_error) << ','
        << format_number(s.mean_crps) << '\n';
  }
}

std::vector<Date> resolve_origins(const BacktestCommand& command, const CareHistory& history) {
  if (command.origin.empty() == command.origins.empty()) {
    throw InputError({"<command line>", 0, 0, "--origin"}, "give either --origin DATE or --origins yearly");
  }
  std::vector<Date> origins;
  if (!command.origins.empty()) {
    origins = yearly_origins(history);
    if (origins.empty()) {
      throw InputError({"<command line>", 0, 0, "--origins"},
                       "the data do not hold a year of history followed by at least a month to compare with");
    }
    return origins;
  }
  const auto origin = parse_date(command.origin);
  if (!origin) throw InputError({"<command line>", 0, 0, "--origin"}, "expected a date yyyy-mm-dd");
  if (*origin < *history.observed_from || *origin >= *history.last_date) {
    throw InputError({"<command line>", 0, 0, "--origin"},
                     "must fall within the data, from " + format_iso(*history.observed_from) + " to before " +
                         format_iso(*history.last_date));
  }
  return {*origin};
}

// `backtest --figures`: fit on the figures up to the origin, forecast, score the later figures.
void execute_figures(const BacktestCommand& command) {
  const InputLocation figures_option{"<command line>", 0, 0, "--figures"};
  if (!command.data.empty()) {
    throw InputError(figures_option, "give SSDA903 returns or --figures FIGURES.csv, not both");
  }
  if (!command.returns_only_options_given.empty()) {
    throw InputError({"<command line>", 0, 0, command.returns_only_options_given.front()},
                     "applies to a backtest on SSDA903 returns; --figures scores every figure after the origin");
  }
  if (command.origin.empty()) throw InputError({"<command line>", 0, 0, "--origin"}, "--figures needs --origin DATE");
  const std::optional<Date> origin = parse_date(command.origin);
  if (!origin || command.origin.find('/') != std::string::npos) {
    throw InputError({"<command line>", 0, 0, "--origin"}, "expected a date as YYYY-MM-DD");
  }
  // Before any work: an unwritable --out is refused at once.
  StagedOutputDirectory out(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  const PublishedFigures figures = read_published_figures(command.figures);
  const Scenario base =
      load_scenario(command.base.empty() ? default_scenario_path() : std::filesystem::path(command.base));
  FiguresBacktestOptions options;
  options.origin = *origin;
  options.runs = command.options.runs;
  options.seed = command.options.seed;
  options.threads = command.options.threads;
  options.parameter_uncertainty = command.options.parameter_uncertainty;
  options.systemic_variation = command.options.systemic_variation;
  options.fit.seed = command.options.seed;
  options.fit.threads = command.options.threads;
  options.fit.runs = command.fit_runs;
  const auto started = std::chrono::steady_clock::now();
  const FiguresBacktestResult result = backtest_figures(base, figures, options);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  out.write_file(kFiguresBacktestCsv, [&](std::ostream& s) { s << figures_backtest_csv(result, figures); });
  out.write_file(kFiguresBacktestSummaryCsv, [&](std::ostream& s) { s << figures_backtest_summary_csv(result); });
  // The fit on the figures up to the origin, as `carecast fit` reports it.
  out.write_file("fit-figures.csv", [&](std::ostream& s) { s << fit_figures_csv(result.fit, result.known); });
  out.write_file("fit-parameters.csv", [&](std::ostream& s) { s << fit_parameters_csv(result.fit); });
  out.commit();

  std::cout << figures_backtest_text(result, figures) << "\nWrote "
            << (out.destination() / kFiguresBacktestCsv).string() << ", " << kFiguresBacktestSummaryCsv << ", fit-figures.csv and fit-parameters.csv in " << std::fixed
            << std::setprecision(1) << seconds << " s (" << result.fit.simulations << " replications to fit, "
            << result.runs << " to forecast).\n"
            << std::defaultfloat;
}

void execute(BacktestCommand& command) {
  if (!command.figures.empty()) return execute_figures(command);
  if (!command.base.empty()) throw InputError({"<command line>", 0, 0, "--base"}, "--base needs --figures FIGURES.csv");
  if (command.data.empty()) {
    throw InputError({"<command line>", 0, 0, "data"},
                     "give SSDA903 returns (folders or files) or --figures FIGURES.csv");
  }
  std::vector<std::filesystem::path> inputs(command.data.begin(), command.data.end());
  // Before any work: an unwritable --out is refused at once.
  StagedOutputDirectory out(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  CleaningReport report;
  CareHistory history =
      load_ssda903(inputs, command.la.empty() ? std::nullopt : std::optional<std::string>(command.la), report);
  // As calibrate does by default: a same-carer change (RNE T/U) is the same placement going on.
  // Stocks by category are unchanged by it, since only placements of one category are joined.
  join_same_carer_changes(history);
  if (!history.last_date) throw InputError({command.data.front(), 0, 0, ""}, "no episode is left after cleaning");
  command.options.origins = resolve_origins(command, history);
  ProgressReporter progress(
      static_cast<std::int64_t>(command.options.runs) * static_cast<std::int64_t>(command.options.origins.size()),
      "Backtesting " + std::to_string(command.options.origins.size()) + " origin(s)", "runs",
      ProgressReporter::for_stderr(command.quiet));
  command.options.runs_done = [&progress](int runs) { progress.advance(runs); };
  const BacktestResult result = run_backtest(history, command.options);
  progress.finish();

  out.write_file(report::kBacktestCsv, [&](std::ostream& s) { write_rows(s, result.rows); });
  out.write_file(report::kBacktestSummaryCsv, [&](std::ostream& s) { write_summary(s, result.summary); });
  out.commit();

  std::cout << "Backtest of children looked after from " << command.options.origins.size() << " origin(s), up to "
            << command.options.horizon_months << " months ahead, " << command.options.runs << " runs each.\n"
            << std::left << std::setw(13) << "method" << std::setw(26) << "category" << std::right << std::setw(10)
            << "forecasts" << std::setw(12) << "50% cover" << std::setw(12) << "90% cover" << std::setw(10)
            << "MdAPE %" << std::setw(10) << "CRPS" << "\n";
  for (const BacktestSummaryRow& s : result.summary) {
    auto percent = [](double x) { return std::isnan(x) ? std::string("-") : std::to_string(std::lround(100 * x)) + "%"; };
    std::cout << std::left << std::setw(13) << s.method << std::setw(26) << s.category << std::right << std::setw(10)
              << s.forecasts << std::setw(12) << percent(s.coverage_50) << std::setw(12) << percent(s.coverage_90)
              << std::setw(10) << std::fixed << std::setprecision(1) << s.median_absolute_percentage_error
              << std::setw(10) << s.mean_crps << std::defaultfloat << "\n";
  }
  std::cout << "Wrote " << (out.destination() / report::kBacktestCsv).string() << " and "
            << (out.destination() / report::kBacktestSummaryCsv).string() << "\n";
}

}  // namespace

void setup_backtest(CLI::App& app) {
  auto command = std::make_shared<BacktestCommand>();
  CLI::App* backtest = app.add_subcommand(
      "backtest",
      "Calibrate on data (or fit to published figures) before an origin, forecast, and score against what happened, "
      "beside baselines");
  backtest->add_option("data", command->data, "SSDA903 folders or files (or --figures)")->check(CLI::ExistingPath);
  // Not CLI::ExistingFile: the figures reader refuses a missing file by name with exit 2.
  backtest->add_option("--figures", command->figures,
                       "Published-figures CSV: fit --base on the figures up to --origin, forecast, and score every "
                       "later figure beside persistence");
  backtest->add_option("--base", command->base,
                       "With --figures: the scenario the fit scales (default: scenarios/default.toml)");
  backtest->add_option("--fit-runs", command->fit_runs, "With --figures: replications per round of the fit")
      ->capture_default_str()
      ->check(whole_number_between(50, 100000));
  backtest->add_option("--origin", command->origin, "Forecast origin yyyy-mm-dd");
  backtest->add_option("--origins", command->origins, "'yearly': every 31 March with a year of data before it")
      ->check(CLI::IsMember({"yearly"}));
  backtest->add_option("--horizon-months", command->options.horizon_months, "Months ahead to score")
      ->capture_default_str()
      ->check(whole_number_between(1, 120));
  backtest->add_option("--runs", command->options.runs, "Replications per origin")
      ->capture_default_str()
      ->check(whole_number_between(1, 100000));
  backtest->add_option("--seed", command->options.seed, "Random seed")->capture_default_str();
  backtest->add_option("--threads", command->options.threads, "Worker threads (0 = every core)")
      ->capture_default_str()
      ->check(whole_number_between(0, 1024));
  backtest->add_option("--la", command->la, "Keep only this local authority's rows (LA column)");
  backtest->add_option("--parameter-uncertainty", command->options.parameter_uncertainty,
                       "Draw each run's rates from their posterior (on) or use point estimates (off)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  backtest->add_option("--variation", command->options.systemic_variation,
                  "Draw each run's year-to-year multipliers on entries, exits and moves (the scenario's "
                  "[variation]) (on) or keep every year's rates as the scenario gives them (off)")
      ->transform(CLI::CheckedTransformer(std::map<std::string, bool>{{"on", true}, {"off", false}}))
      ->default_str("on");
  backtest
      ->add_option_function<std::string>(
          "--cross-validation",
          [command](const std::string& value) { command->options.calibration.cross_validation = value == "on"; },
          "Calibrate each origin as calibrate does, choosing the half-life and trend by cross-validation on the data "
          "before it (on), or with the documented defaults (off)")
      ->default_str("on")
      ->check(CLI::IsMember({"on", "off"}));
  backtest
      ->add_option_function<std::string>(
          "--drift", [command](const std::string& value) { command->options.calibration.drift = value == "on"; },
          "Size each origin's drift from backtests on the data before it, as calibrate does (on), or leave it out "
          "(off)")
      ->default_str("on")
      ->check(CLI::IsMember({"on", "off"}));
  backtest->add_option("--out", command->out, "Output folder (refused if it already holds files, unless --replace)")
      ->required();
  backtest->add_flag("--replace", command->replace, kReplaceOptionHelp);
  backtest->add_flag("--quiet", command->quiet, kQuietOptionHelp);
  backtest->callback([command, backtest] {
    for (const char* name : {"--origins", "--horizon-months", "--la", "--cross-validation", "--drift"}) {
      if (backtest->count(name) > 0) command->returns_only_options_given.emplace_back(name);
    }
    if (command->figures.empty() && backtest->count("--fit-runs") > 0) {
      throw InputError({"<command line>", 0, 0, "--fit-runs"}, "--fit-runs needs --figures FIGURES.csv");
    }
    execute(*command);
  });
}

}  // namespace carecast::app
