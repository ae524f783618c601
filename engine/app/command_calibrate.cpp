#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "calibration/estimation.hpp"
#include "calibration/scenario_writer.hpp"
#include "core/errors.hpp"
#include "history/ssda903.hpp"
#include "output/output_directory.hpp"

namespace carecast::app {
namespace {

namespace fs = std::filesystem;

struct CalibrateCommand {
  std::vector<std::string> data;
  std::string as_of;
  std::string out;
  std::string la;  // empty: no filter
  std::string trend = "off";
  int horizon_years = CalibrationOptions{}.horizon_years;
};

const InputLocation kAsOf{{}, 0, 0, "--as-of"};

Date parse_as_of(const std::string& text) {
  const std::optional<Date> as_of = parse_date(text);
  if (!as_of || text.find('/') != std::string::npos) throw InputError(kAsOf, "expected a date as YYYY-MM-DD");
  return *as_of;
}

// The as-of date must lie within the data: from the first day every child looked after is in it
// to the last day it covers. Beyond that, days with no data would count as days with no events.
void check_within_data(Date as_of, const CareHistory& history) {
  if (!history.first_date) throw InputError(kAsOf, "no episode is left after cleaning: nothing to calibrate on");
  const Date window_start = history.observed_from.value_or(*history.first_date);
  if (as_of < window_start) {
    throw InputError(kAsOf, format_iso(as_of) + " is before the data's first collection year starts (" +
                                format_iso(window_start) + ")");
  }
  if (history.last_date && as_of > *history.last_date) {
    throw InputError(kAsOf, format_iso(as_of) + " is after the data ends (" + format_iso(*history.last_date) + ")");
  }
}

void execute(const CalibrateCommand& command) {
  const Date as_of = parse_as_of(command.as_of);
  // Before reading any data: an unwritable --out is refused at once.
  require_writable_output_file(command.out);
  const std::vector<fs::path> inputs(command.data.begin(), command.data.end());
  const std::optional<std::string> la = command.la.empty() ? std::nullopt : std::optional(command.la);
  CleaningReport cleaning;
  const CareHistory history = load_ssda903(inputs, la, cleaning);
  cleaning.print(std::cout);
  check_within_data(as_of, history);

  CalibrationOptions options;
  options.include_trend = command.trend == "on";
  options.horizon_years = command.horizon_years;
  CalibrationReport report;
  const Scenario scenario = calibrate(history, as_of, options, report);
  report.print(std::cout);

  const fs::path out(command.out);
  write_calibrated_scenario(out, scenario, report, cleaning);
  std::cout << "Wrote " << out.string() << " and " << starting_groups_csv_path(out).string() << "\n";
}

}  // namespace

void setup_calibrate(CLI::App& app) {
  auto command = std::make_shared<CalibrateCommand>();
  CLI::App* calibrate = app.add_subcommand(
      "calibrate", "Estimate a complete scenario from SSDA903 returns: rates by exposure, with their evidence");
  calibrate
      ->add_option("data", command->data,
                   "Folders holding <year>-header.csv, <year>-episodes.csv and optionally <year>-uasc.csv, or "
                   "those files themselves")
      ->required();
  calibrate->add_option("--as-of", command->as_of, "Origin: estimate from data up to the end of this date (YYYY-MM-DD)")
      ->required();
  calibrate->add_option("--out", command->out, "Scenario file to write (FILE.toml, with FILE-children.csv beside it)")
      ->required();
  calibrate->add_option("--la", command->la, "Use only rows whose LA column is this local authority");
  calibrate->add_option("--trend", command->trend, "Let entries grow at the estimated trend")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  calibrate->add_option("--horizon-years", command->horizon_years, "Forecast horizon of the scenario")
      ->capture_default_str()
      ->check(CLI::Range(1, 10));
  calibrate->callback([command] { execute(*command); });
}

}  // namespace carecast::app
