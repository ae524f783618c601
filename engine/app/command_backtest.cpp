#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>

#include "app/cli_checks.hpp"
#include "app/commands.hpp"
#include "core/errors.hpp"
#include "evaluation/backtest.hpp"
#include "history/same_carer_changes.hpp"
#include "output/forecast_writer.hpp"
#include "output/output_directory.hpp"
#include "output/progress.hpp"

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

void execute(BacktestCommand& command) {
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

  out.write_file("backtest.csv", [&](std::ostream& s) { write_rows(s, result.rows); });
  out.write_file("backtest_summary.csv", [&](std::ostream& s) { write_summary(s, result.summary); });
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
  std::cout << "Wrote " << (out.destination() / "backtest.csv").string() << " and "
            << (out.destination() / "backtest_summary.csv").string() << "\n";
}

}  // namespace

void setup_backtest(CLI::App& app) {
  auto command = std::make_shared<BacktestCommand>();
  CLI::App* backtest = app.add_subcommand(
      "backtest", "Calibrate on data before an origin, forecast, and score against what happened, beside two baselines");
  backtest->add_option("data", command->data, "SSDA903 folders or files")->required()->check(CLI::ExistingPath);
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
  backtest->add_option("--out", command->out, "Output folder (refused if it already holds files, unless --replace)")
      ->required();
  backtest->add_flag("--replace", command->replace, kReplaceOptionHelp);
  backtest->add_flag("--quiet", command->quiet, kQuietOptionHelp);
  backtest->callback([command] { execute(*command); });
}

}  // namespace carecast::app
