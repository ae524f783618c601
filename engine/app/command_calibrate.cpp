#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/commands.hpp"
#include "calibration/calibration_choices.hpp"
#include "calibration/care_leavers_from_figures.hpp"
#include "calibration/care_leavers_from_returns.hpp"
#include "calibration/cross_validation.hpp"
#include "calibration/estimation.hpp"
#include "calibration/figures_check.hpp"
#include "calibration/location_shares.hpp"
#include "calibration/pooled_estimates.hpp"
#include "calibration/scenario_writer.hpp"
#include "calibration/supply_from_figures.hpp"
#include "core/errors.hpp"
#include "history/published_figures.hpp"
#include "history/same_carer_changes.hpp"
#include "history/ssda903.hpp"
#include "output/output_directory.hpp"
#include "output/progress.hpp"
#include "output/recorded_history.hpp"
#include "output/staged_files.hpp"
#include "scenario/scenario_bounds.hpp"

namespace carecast::app {
namespace {

namespace fs = std::filesystem;

struct CalibrateCommand {
  std::vector<std::string> data;
  std::string as_of;
  std::string out;
  std::string la;  // empty: no filter
  std::string trend;  // empty: not given, so on unless --trend-damping is off
  std::string half_life = "auto";
  std::string trend_damping = "auto";
  std::string cross_validation = "on";
  bool drift = true;
  bool time_in_care = true;
  bool in_house_capacity = true;
  bool quiet = false;  // size [variation]'s drift by backtests on the returns (--drift off: none)
  std::string same_carer_changes = "continue";
  int horizon_years = CalibrationOptions{}.horizon_years;
  bool replace = false;
  std::string figures;  // published figures: carer supply, and a check of the returns
  bool pool_councils = false;  // --out is a folder of one scenario per LA, rates pooled between them
};

const InputLocation kHalfLife{{}, 0, 0, "--half-life-years"};
const InputLocation kTrendDamping{{}, 0, 0, "--trend-damping"};

std::optional<double> parse_number(const std::string& text) {
  try {
    std::size_t used = 0;
    const double x = std::stod(text, &used);
    if (used == text.size() && std::isfinite(x)) return x;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

// What the command line fixes; anything left "auto" is cross-validated (or defaulted).
FixedChoice fixed_choice(const CalibrateCommand& command) {
  FixedChoice fixed;
  if (command.half_life != "auto") {
    if (command.half_life == "off") {
      fixed.half_life_years = 0;
    } else {
      const std::optional<double> x = parse_number(command.half_life);
      if (!x || *x <= 0 || *x > 100) throw InputError(kHalfLife, "expected a number of years above 0 (at most 100), off or auto");
      fixed.half_life_years = *x;
    }
  }
  // Entries follow a damped trend unless asked otherwise. Flat entries are no longer a candidate of
  // cross-validation by default: on the validation worlds, scores from a few early origins with
  // short windows chose them by chance in half the cases and the forecasts fell 5% short two years
  // on; a damped trend whose slope is drawn with its uncertainty already allows for no growth.
  if (command.trend.empty()) {
    fixed.trend = command.trend_damping != "off";
  } else if (command.trend != "auto") {
    fixed.trend = command.trend == "on";
  }
  if (command.trend_damping != "auto") {
    if (command.trend_damping == "off") {
      if (fixed.trend == true) throw InputError(kTrendDamping, "off means no trend, but --trend is on");
      fixed.damping = std::optional<double>{};
    } else {
      const std::optional<double> x = parse_number(command.trend_damping);
      // The range a scenario takes (scenario_bounds.cpp), so that the scenario written runs.
      const ScenarioRange& range = *find_scenario_range("entries.trend_damping_per_year");
      if (!x || !in_range(range, *x)) {
        throw InputError(kTrendDamping, "expected a damping from " + format_bound(range.min) + " to " +
                                            format_bound(range.max) + ", off or auto");
      }
      if (fixed.trend == false) throw InputError(kTrendDamping, "a damping needs a trend, but --trend is off");
      fixed.damping = x;
    }
  }
  return fixed;
}

// What the command's options ask of calibration, for one council or for each of a pooled region.
CalibrationChoices calibration_choices(const CalibrateCommand& command, const FixedChoice& fixed) {
  CalibrationChoices choices;
  choices.fixed = fixed;
  choices.cross_validation = command.cross_validation == "on";
  choices.drift = command.drift;
  choices.time_in_care = command.time_in_care;
  choices.in_house_capacity = command.in_house_capacity;
  choices.horizon_years = command.horizon_years;
  return choices;
}

// The choice made without cross-validation: what is fixed, else the documented default.
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

// --pool-councils: one scenario per local authority in the returns, written to --out as <LA>.toml (with its
// starting groups and recorded history beside it), each council's rates shrunk towards the region's
// (calibration/pooled_estimates.hpp). Every council is calibrated as alone (cross-validation, drift) first; the
// in-house carers' capacity, which depends on the rates, comes after pooling. Nothing is written unless every
// council is calibrated: the folder is staged and renamed into place whole.
const InputLocation kPoolCouncils{{}, 0, 0, "--pool-councils"};

// An LA code names the council's files, so it must be a plain name.
void check_usable_as_file_name(const LocalAuthorityInReturns& authority) {
  const bool usable = authority.code.size() <= 32 &&
                      authority.code.find_first_not_of(
                          "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == std::string::npos;
  if (!usable) {
    throw InputError(authority.first_row, "an LA code names its council's scenario file with --pool-councils, so it "
                                          "must be letters, digits, - or _ (at most 32)");
  }
}

struct PooledCouncil {
  std::string code;
  CareHistory history;
  CleaningReport cleaning;
  ChosenCalibration calibrated;
  RateEvidence unweighted;
};

void execute_pooled(const CalibrateCommand& command) {
  const Date as_of = parse_as_of(command.as_of);
  const FixedChoice fixed = fixed_choice(command);
  if (!command.la.empty()) throw InputError(kPoolCouncils, "pools every council in the returns: leave out --la");
  if (!command.figures.empty()) {
    throw InputError(kPoolCouncils, "--figures holds one council's figures: calibrate that council alone to use them");
  }
  // Before reading any data: an unwritable --out, or one holding files, is refused at once.
  StagedOutputDirectory out(command.out, "--out", command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  const std::vector<fs::path> inputs(command.data.begin(), command.data.end());
  const std::vector<LocalAuthorityInReturns> authorities = local_authorities_in_returns(inputs);
  if (authorities.empty()) throw InputError(kPoolCouncils, "the episodes files hold no row: no council to pool");
  if (authorities.size() == 1) {
    throw InputError(authorities.front().first_row,
                     "every episode has LA '" + authorities.front().code +
                         "': pooling needs two or more councils (calibrate one council without --pool-councils)");
  }
  for (const LocalAuthorityInReturns& authority : authorities) check_usable_as_file_name(authority);

  CalibrationChoices choices = calibration_choices(command, fixed);

  std::vector<PooledCouncil> councils;
  std::int64_t runs = 0;
  for (const LocalAuthorityInReturns& authority : authorities) {
    PooledCouncil& council = councils.emplace_back();
    council.code = authority.code;
    try {
      council.history = load_ssda903(inputs, authority.code, council.cleaning);
      if (parse_same_carer_changes(command.same_carer_changes) == SameCarerChanges::continue_placement) {
        join_same_carer_changes(council.history);
      }
      check_within_data(as_of, council.history);
    } catch (const InputError& error) {
      throw InputError(error.where(), "LA " + authority.code + ": " + error.problem());
    }
    runs += calibration_runs(council.history, as_of, choices);
  }
  std::cout << "Pooling " << councils.size() << " councils:";
  for (const PooledCouncil& council : councils) std::cout << ' ' << council.code;
  std::cout << '\n';
  std::cout.flush();
  ProgressReporter progress(std::max<std::int64_t>(1, runs), "Calibrating", "runs",
                            ProgressReporter::for_stderr(command.quiet));
  choices.runs_done = [&progress](int done) { progress.advance(done); };
  for (PooledCouncil& council : councils) {
    council.calibrated = calibrate_rates_with_choices(council.history, as_of, choices);
    // The spread between councils is estimated from unweighted counts, which are Poisson (pooled_estimates.hpp).
    CalibrationOptions unweighted = council.calibrated.report.options;
    unweighted.half_life_years = 0;
    unweighted.estimate_variation = false;  // not pooled, so not needed here
    council.unweighted = *calibrate(council.history, as_of, unweighted).evidence;
  }
  progress.finish();

  std::vector<CouncilToPool> to_pool;
  for (PooledCouncil& council : councils) {
    to_pool.push_back({council.code, &council.calibrated.scenario, &council.unweighted});
  }
  const PooledEstimates pooled = pool_council_estimates(to_pool, councils.front().calibrated.report.options);
  const std::string pooling_note = pooled.describe();
  std::cout << pooling_note << '\n';

  for (PooledCouncil& council : councils) {
    std::cout << "\n== LA " << council.code << " ==\n";
    council.cleaning.print(std::cout);
    apply_in_house_capacity(council.history, as_of, choices, council.calibrated);
    ChosenCalibration& calibrated = council.calibrated;
    calibrated.report.pooling_note = pooling_note;
    calibrated.choice.print(std::cout);
    calibrated.report.print(std::cout);
    if (calibrated.drift) calibrated.drift->print(std::cout);
    Scenario& scenario = calibrated.scenario;
    for (const std::string& note : calibrated.report.supply_notes) std::cout << note << "\n";
    const LocationShareEstimate locations =
        estimate_location_shares(council.history, as_of, shipped_default_location_shares(),
                                 {.half_life_years = calibrated.report.options.half_life_years});
    if (scenario.supply.enabled) scenario.supply.location_shares = locations.shares;
    CareLeaversFromReturns care_leavers = care_leavers_from_returns(council.history, as_of);
    scenario.care_leavers = care_leavers.settings;
    const std::vector<RecordedFigure> recorded =
        recorded_history_from_returns(council.history, as_of, scenario.care_leavers);
    const fs::path toml_name = council.code + ".toml";
    const CalibratedScenarioFiles files = calibrated_scenario_files(
        toml_name, scenario, calibrated.report, council.cleaning, {}, locations.notes, care_leavers.notes);
    out.write_file(starting_groups_csv_path(toml_name).string(),
                   [&](std::ostream& stream) { stream << files.starting_groups_csv; });
    out.write_file(toml_name.string(), [&](std::ostream& stream) { stream << files.toml; });
    if (!recorded.empty()) {
      out.write_file(recorded_history_csv_path(toml_name).string(),
                     [&](std::ostream& stream) { stream << recorded_history_csv(recorded); });
    }
  }
  out.commit();
  std::cout << "\nWrote " << councils.size() << " scenarios (<LA>.toml with its starting groups) to "
            << out.destination().string() << "\n";
}

void execute(const CalibrateCommand& command) {
  if (command.pool_councils) {
    execute_pooled(command);
    return;
  }
  const Date as_of = parse_as_of(command.as_of);
  const FixedChoice fixed = fixed_choice(command);
  // Before reading any data: an unwritable --out is refused at once.
  require_writable_output_file(command.out);
  refuse_existing_output_files({command.out, starting_groups_csv_path(command.out), recorded_history_csv_path(command.out)},
                               "--out",
                               command.replace ? ExistingOutput::replace : ExistingOutput::refuse);
  // Read before the returns, so that a bad figures file stops before any work.
  const std::optional<PublishedFigures> figures =
      command.figures.empty() ? std::nullopt : std::optional(read_published_figures(command.figures));
  const std::vector<fs::path> inputs(command.data.begin(), command.data.end());
  const std::optional<std::string> la = command.la.empty() ? std::nullopt : std::optional(command.la);
  CleaningReport cleaning;
  CareHistory history = load_ssda903(inputs, la, cleaning);
  cleaning.print(std::cout);
  if (parse_same_carer_changes(command.same_carer_changes) == SameCarerChanges::continue_placement) {
    const std::size_t joined = join_same_carer_changes(history);
    std::cout << "Same-carer placement changes (RNE T/U) taken as the same placement going on: " << joined
              << " joined to the placement before (--same-carer-changes count keeps them as moves)\n";
  }
  check_within_data(as_of, history);

  CalibrationChoices choices = calibration_choices(command, fixed);
  // Cross-validation and the drift's backtests simulate each candidate at each earlier 31 March:
  // from seconds on a small council to minutes on a large one.
  // What was printed so far goes out first, so that a log holding both streams keeps its lines whole.
  std::cout.flush();
  ProgressReporter progress(std::max<std::int64_t>(1, calibration_runs(history, as_of, choices)), "Calibrating",
                            "runs", ProgressReporter::for_stderr(command.quiet));
  choices.runs_done = [&progress](int runs) { progress.advance(runs); };
  ChosenCalibration calibrated = calibrate_with_choices(history, as_of, choices);
  progress.finish();
  calibrated.choice.print(std::cout);
  calibrated.report.print(std::cout);
  if (calibrated.drift) calibrated.drift->print(std::cout);
  Scenario& scenario = calibrated.scenario;
  CalibrationReport& report = calibrated.report;

  // What published figures give that the returns do not (carer supply), and what they contradict.
  std::vector<std::string> figures_notes;
  if (figures) {
    figures_notes = describe_figure_checks(*figures, check_figures_against_returns(*figures, history));
    SupplyFromFigures supply = supply_from_figures(*figures, as_of, scenario);
    // The council's own households replace the capacity the returns show.
    if (supply.supply) report.supply_notes.clear();
    apply_supply(scenario, supply);
    figures_notes.insert(figures_notes.end(), supply.notes.begin(), supply.notes.end());
    for (const std::string& note : figures_notes) std::cout << note << "\n";
  }

  for (const std::string& note : report.supply_notes) std::cout << note << "\n";

  // Distance from home: shares by provider from PL_LOCATION and PL_DISTANCE where the returns give
  // them, the shipped default's otherwise. They belong to [supply], which
  // --figures or the in-house capacity makes.
  const LocationShareEstimate locations = estimate_location_shares(
      history, as_of, shipped_default_location_shares(), {.half_life_years = report.options.half_life_years});
  for (const std::string& note : locations.notes) std::cout << note << "\n";
  if (scenario.supply.enabled) {
    scenario.supply.location_shares = locations.shares;
  } else {
    std::cout << "Location bands not written: the scenario has no [supply] section.\n";
  }

  // Care leavers at the origin: the young people the returns show leaving care eligible, the rest of
  // [care_leavers] the shipped default's assumptions (calibration/care_leavers_from_returns.hpp).
  CareLeaversFromReturns care_leavers = care_leavers_from_returns(history, as_of);
  scenario.care_leavers = care_leavers.settings;
  // The council's own count at the as-of date, where --figures gives it, replaces the returns'.
  if (figures) {
    for (std::string& note : set_care_leavers_from_figures(scenario.care_leavers, *figures, as_of)) {
      care_leavers.notes.push_back(std::move(note));
    }
  }
  for (const std::string& note : care_leavers.notes) std::cout << note << "\n";

  // What the returns (and figures) recorded before the origin, for the charts of runs of this scenario:
  // care leavers aged 21 to 25 kept in the share this scenario's starting count keeps.
  std::vector<RecordedFigure> recorded = recorded_history_from_returns(history, as_of, scenario.care_leavers);
  if (figures) recorded = merge_recorded_history(std::move(recorded), recorded_history_from_figures(*figures, as_of));
  const fs::path out(command.out);
  const fs::path history_csv = recorded_history_csv_path(out);
  // The scenario writer makes the folders above --out; the history is staged beside it first.
  if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
  StagedFiles history_file;
  if (!recorded.empty()) history_file.write(history_csv, recorded_history_csv(recorded));
  write_calibrated_scenario(out, scenario, report, cleaning, figures_notes, locations.notes, care_leavers.notes);
  // A history left by an earlier calibration (under --replace) would belong to other data.
  if (recorded.empty()) fs::remove(history_csv);
  history_file.commit();
  std::cout << "Wrote " << out.string() << " and " << starting_groups_csv_path(out).string();
  if (!recorded.empty()) std::cout << " and " << history_csv.string();
  std::cout << "\n";
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
  calibrate
      ->add_option("--out", command->out,
                   "Scenario file to write (FILE.toml, with FILE-starting-groups.csv beside it); with --pool-councils, "
                   "a folder of <LA>.toml, one per council")
      ->required();
  calibrate->add_flag("--pool-councils", command->pool_councils,
                      "The returns hold several councils (LA column): write one scenario per council to the folder "
                      "--out, each council's rates shrunk towards the region's by how much evidence it has "
                      "(empirical Bayes), so that a small council borrows strength from the others");
  calibrate->add_flag("--replace", command->replace,
                      "If FILE.toml or the starting groups beside it exist, replace them");
  calibrate->add_option("--la", command->la, "Use only rows whose LA column is this local authority");
  calibrate
      ->add_option("--trend", command->trend,
                   "Entries follow the estimated trend (on, the default: with the damping cross-validated or "
                   "given by --trend-damping), stay flat (off), or let cross-validation choose between them (auto)")
      ->check(CLI::IsMember({"on", "off", "auto"}));
  calibrate
      ->add_option("--half-life-years", command->half_life,
                   "Recency weighting of events and time at risk: a half-life in years, off (every day counts the "
                   "same) or auto (cross-validated)")
      ->capture_default_str();
  calibrate
      ->add_option("--trend-damping", command->trend_damping,
                   "Damping of the entry trend a year, from 0.01 to 1 (1 = undamped), off (no trend) or auto")
      ->capture_default_str();
  calibrate
      ->add_option("--cross-validation", command->cross_validation,
                   "Choose the half-life and trend by rolling-origin cross-validation on the data (on), or use the "
                   "documented defaults (off: half-life 3 years, trend damped 0.8 a year) for what is not given")
      ->capture_default_str()
      ->check(CLI::IsMember({"on", "off"}));
  calibrate->add_flag("--quiet", command->quiet, kQuietOptionHelp);
  calibrate
      ->add_option_function<std::string>(
          "--drift", [command](const std::string& value) { command->drift = value == "on"; },
          "Size a drift of entries, exits and moves (a random walk beyond the history window) from how far "
          "forecasts from earlier 31 Marches missed (on, the default), or leave it out (off): intervals then hold "
          "only year-to-year variation about the calibrated rates")
      ->default_str("on")
      ->check(CLI::IsMember({"on", "off"}));
  calibrate
      ->add_option_function<std::string>(
          "--time-in-care", [command](const std::string& value) { command->time_in_care = value == "on"; },
          "Let the hazards of leaving care and of moving depend on months since care began, as the returns show "
          "([time_in_care]; on, the default), or only on age and time in the placement (off)")
      ->default_str("on")
      ->check(CLI::IsMember({"on", "off"}));
  calibrate
      ->add_option_function<std::string>(
          "--in-house-capacity", [command](const std::string& value) { command->in_house_capacity = value == "on"; },
          "Limit in-house foster places to the children the council's own carers look after on the as-of date, so "
          "that children beyond them go to agency carers (on, the default; a carer_households "
          "figure in --figures replaces it), or keep the in-house and agency shares the returns give (off)")
      ->default_str("on")
      ->check(CLI::IsMember({"on", "off"}));
  calibrate
      ->add_option("--same-carer-changes", command->same_carer_changes,
                   "A change of placement with the same carer (RNE T/U): the same placement going on (continue), "
                   "as the long-term stability measure counts it, or a new placement and a move (count)")
      ->capture_default_str()
      ->check(CLI::IsMember({"continue", "count"}));
  // Not CLI::ExistingFile: the figures reader refuses a missing file by name with exit 2.
  calibrate
      ->add_option("--figures", command->figures,
                   "Published-figures CSV: in-house carer households (with approvals and deregistrations) give the "
                   "scenario a [supply] section, care leavers at the as-of date its starting care leavers, and "
                   "figures the returns contradict are reported");
  calibrate->add_option("--horizon-years", command->horizon_years, "Forecast horizon of the scenario")
      ->capture_default_str()
      ->check(CLI::Range(1, 10));
  calibrate->callback([command] { execute(*command); });
}

}  // namespace carecast::app
