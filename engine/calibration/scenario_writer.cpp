#include "calibration/scenario_writer.hpp"

#include "output/staged_files.hpp"
#include "output/written_text.hpp"
#include "scenario/starting_groups_reader.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace carecast {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// TOML text

// The shortest decimal form that reads back as exactly `x`.
std::string number(double x) {
  if (!std::isfinite(x)) throw std::logic_error("scenario writer: a rate is not finite");
  std::array<char, 64> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
  std::string text(buffer.data(), end);
  // Bare digits are a TOML integer, which must fit in 64 bits; beyond 2^53 write an exponent.
  if (text.find_first_of(".e") == std::string::npos && std::abs(x) >= 0x1p53) {
    end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), x, std::chars_format::scientific).ptr;
    text.assign(buffer.data(), end);
  }
  return text;
}


std::string percent(double x) { return fixed_decimals(100 * x, 1) + "%"; }

// Wrapped as in every file carecast writes (output/written_text.hpp).
void comment(std::ostream& out, std::string_view paragraph) { write_toml_comment(out, paragraph); }

std::string outcome_key(int outcome) {
  return outcome_is_exit(outcome) ? std::string(kExitOutcomePrefix).append(outcome_name(outcome))
                                  : std::string(outcome_name(outcome));
}

template <typename Values>
std::string array_of(const Values& values) {
  std::string text = "[";
  for (const double x : values) text.append(text.size() > 1 ? ", " : "").append(number(x));
  return text + "]";
}

template <typename T, typename Value>
std::string sex_pair(const PerSex<T>& pair, Value value) {
  return "{ male = " + number(value(pair[0])) + ", female = " + number(value(pair[1])) + " }";
}

// `{ name = x, ... }` of the non-zero values, named by `key_of(index)`.
template <std::size_t N, typename KeyOf>
std::string inline_table(const std::array<double, N>& values, KeyOf key_of) {
  std::string text = "{";
  for (std::size_t i = 0; i < N; ++i) {
    if (values[i] == 0) continue;
    text.append(text.size() > 1 ? ", " : " ").append(key_of(static_cast<int>(i))).append(" = ").append(number(values[i]));
  }
  return text + (text.size() > 1 ? " }" : "}");
}

std::string category_key(int category) { return std::string(kCategoryNames[static_cast<std::size_t>(category)]); }

// The non-zero probabilities of a table, one `name = p` line each.
template <std::size_t N, typename KeyOf>
void probability_lines(std::ostream& out, const std::array<double, N>& probabilities, KeyOf key_of) {
  for (std::size_t i = 0; i < N; ++i) {
    if (probabilities[i] > 0) out << key_of(static_cast<int>(i)) << " = " << number(probabilities[i]) << '\n';
  }
}

std::string_view band_name(std::size_t band) { return kAgeBandNames[band]; }

// Categories with a placements table: those a child can be in.
PerCategory<bool> categories_in_use(const Scenario& scenario) {
  PerCategory<bool> in_use{};
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    for (const auto& band : scenario.destination_probability[c]) {
      for (const double p : band) in_use[c] = in_use[c] || p > 0;
    }
  }
  return in_use;
}

// ---------------------------------------------------------------------------------------------
// Sections

void write_header(std::ostream& out, const CalibrationReport& calibration, const CleaningReport& cleaning) {
  const CalibrationOptions& options = calibration.options;
  out << "# carecast scenario calibrated from SSDA903 returns by `carecast calibrate`.\n#\n";
  comment(out, "Every number below was estimated from the data: edit it, or write a scenario that `extends` this "
               "file and changes only what differs, to explore alternatives. Units are in the key names; "
               "scenarios/REFERENCE.md describes every key.");
  out << "#\n# Data read (rows in each file; no identifiers are kept):\n";
  for (const FileRowCount& file : cleaning.files) {
    out << "#   " << std::left << std::setw(9) << name_of(file.table) << std::right << std::setw(8) << file.rows_read
        << "  " << file.file << '\n';
  }
  comment(out, "Kept after cleaning: " + std::to_string(cleaning.header_rows_kept) + " header rows, " +
                   std::to_string(cleaning.episodes_kept) + " episodes, " + std::to_string(cleaning.uasc_rows_kept) +
                   " UASC rows; " + std::to_string(cleaning.children) + " children, " +
                   std::to_string(cleaning.periods) + " periods of care, " + std::to_string(cleaning.placements) +
                   " placements. `carecast calibrate` prints every cleaning rule with its count.");
  comment(out, "Window: events and time at risk from " + format_iso(calibration.window_start) + " to the end of " +
                   format_iso(calibration.as_of) + " (" + fixed_decimals(calibration.window_years, 2) +
                   " years). Anything the data says after " + format_iso(calibration.as_of) +
                   " is ignored: placements still open then are censored there.");
  out << "#\n";
  comment(out, "Estimation (docs/sources.md, \"Estimating rates\"): every rate is events divided by the time at risk of them, in "
               "child-years of 365.25 days, never an average of daily ratios. A date is read as the middle of its "
               "day; age bands change at the start of a birthday; time at risk stops at the 18th birthday, and "
               "leaving care at 18 (or staying put, E17) is not a placement ending. The first placement of a "
               "period of care begun before the data is left out of the hazards: its time in placement is unknown.");
  comment(out, "Shrinkage, where a cell has little data: a placement-ending hazard is (endings + r x " +
                   number(options.hazard_prior_child_years) + ") / (child-years + " +
                   number(options.hazard_prior_child_years) +
                   "), r being the rate of its category pooled over all age and time-in-placement bands (itself "
                   "shrunk the same way towards the rate of all placements), so a cell with much less than " +
                   number(options.hazard_prior_child_years) +
                   " child-years at risk is close to its category's rate. Destinations and first placements add "
                   "the shares pooled over all age bands, worth " + number(options.share_prior_events) +
                   " event(s): an outcome never seen in a category stays impossible. Entry rates add the age "
                   "band's rate for both sexes, worth " + number(options.entry_prior_entries_per_band) +
                   " entry per band.");
  if (!calibration.pooling_note.empty()) comment(out, calibration.pooling_note);
  comment(out, options.half_life_years > 0
                   ? "Recency: events and time at risk count 2^(-t / " + number(options.half_life_years) +
                         ") at t years before the end of the as-of date (constant within each month counted back "
                         "from it), for placement endings, destinations, entries and first placements; the evidence "
                         "holds these weighted (effective) counts. Effective: " +
                         fixed_decimals(calibration.weighted_child_years_at_risk, 1) + " child-years at risk, " +
                         fixed_decimals(calibration.weighted_placement_endings, 1) + " placement endings, " +
                         fixed_decimals(calibration.weighted_entries, 1) + " entries."
                   : "Recency: none; every day of the window counts the same.");
  if (!calibration.choice_note.empty()) comment(out, calibration.choice_note);
  comment(out, "Uncertainty: [evidence] at the end keeps the counts and the time at risk behind every rate, and "
               "their priors; by default `carecast run` draws each replication's rates from their posterior "
               "(Gamma for rates, Dirichlet for shares), so forecast intervals include what the data cannot pin "
               "down. The rates above are the posterior means.");
  comment(out, "Personal data: no child identifier, date of birth or care date is written here or in the groups CSV. "
               "Time at risk is kept to the nearest child-month; the children looked after at the origin appear only "
               "as groups of at least " + std::to_string(kMinimumStartingGroupSize) +
               " children described by whole months, and every replication draws each child's days afresh "
               "within them.");
  out << '\n';
}

void write_top(std::ostream& out, const Scenario& scenario, const fs::path& csv_name,
               const CalibrationReport& calibration) {
  out << "name = " << toml_string(scenario.name) << '\n';
  out << "description = " << toml_string(scenario.description) << '\n';
  out << "origin_date = " << format_iso(scenario.origin)
      << "   # the as-of date: the starting population is in care at the end of this day\n";
  out << "horizon_years = " << scenario.horizon_years << '\n';
  out << "\n[bands]\n";
  comment(out, "Time-in-placement bands: the day each starts, counted from the placement's first day.");
  out << "placement_duration_band_starts_days = [";
  for (std::size_t i = 0; i < scenario.duration_band_start_days.size(); ++i) {
    out << (i ? ", " : "") << scenario.duration_band_start_days[i];
  }
  out << "]\n";

  out << "\n[starting_population]\n";
  std::int64_t children = 0;
  for (const StartingGroup& group : scenario.starting_groups) children += group.children;
  std::string about =
      "The " + std::to_string(children) + " children looked after at the end of " + format_iso(scenario.origin) +
      ", in groups of at least " + std::to_string(kMinimumStartingGroupSize) +
      " (rows with the same ranges form one group; a category with fewer children shares its groups with others). "
      "Each row gives a category's children in a group: how many, how many boys and UASC, and the range of their "
      "ages, months in care and months in the current placement in whole months (of 365.25/12 days) on that date, "
      "and how many have had 1, 2, and 3 or more placements since 1 April counting the current one. Each run draws "
      "every child's days "
      "uniformly within the ranges. For a period of care already under way when the data begin, time in care "
      "counts from its first episode held.";
  if (calibration.in_care_aged_18_or_over > 0) {
    about += " Left out: " + std::to_string(calibration.in_care_aged_18_or_over) +
             " young people the data shows in care at 18 or over (the simulation ends care at 18).";
  }
  comment(out, about);
  out << "groups_csv = " << toml_string(csv_name.string()) << '\n';
}

void write_trend_comment(std::ostream& out, const TrendEstimate& trend, bool used) {
  if (!trend.estimated) {
    comment(out, "No trend estimated: it needs 2 or more full collection years with entries in the window.");
    return;
  }
  std::string counts;
  for (const std::int64_t n : trend.entries_by_year) counts.append(counts.empty() ? "" : ", ").append(std::to_string(n));
  comment(out, "Trend: Poisson regression of entries per full collection year (from " +
                   std::to_string(trend.first_year) + ": " + counts + ") on the year gives " +
                   (trend.growth >= 0 ? "+" : "") + percent(trend.growth) + " a year, standard error " +
                   percent(trend.standard_error) +
                   (trend.dispersion > 1 ? " (widened for counts varying " + fixed_decimals(trend.dispersion, 2) +
                                               " times as much as Poisson)"
                                         : "") +
                   ". " +
                   (used ? (trend.growth_capped()
                                ? "Used, capped at " + percent(trend.growth_within_bounds()) +
                                      " a year, the most a scenario takes (scenarios/REFERENCE.md): annual_growth_rate "
                                      "is that cap, and expected_per_year is its level at the origin fitted to the "
                                      "(recency-weighted) entries."
                                : std::string("Used: annual_growth_rate is the estimate, and expected_per_year is the "
                                              "trend's level at the origin fitted to the (recency-weighted) entries."))
                         : "Not used (calibrated with the trend off): entries stay at the window's (recency-weighted) "
                           "average rate."));
}

void write_stream(std::ostream& out, std::string_view table, const EntryStream& stream, const TrendEstimate& trend,
                  std::size_t entries, const Scenario& scenario, const CalibrationReport& calibration) {
  out << "\n[" << table << "]\n";
  const bool uasc = table == "uasc";
  comment(out, std::string(uasc ? "Unaccompanied asylum-seeking children (in a UASC file, starting care before its "
                                  "DUC): "
                                : "Children starting to be looked after, not UASC: ") +
                   std::to_string(entries) + " started care in the window. expected_per_year is children a year by "
                   "age band at entry and sex; first_placement_probability the category of the first placement, "
                   "listed for the age bands with entries.");
  write_trend_comment(out, trend, calibration.options.include_trend && trend.estimated);
  out << "annual_growth_rate = " << number(stream.annual_growth_rate) << '\n';
  if (stream.annual_growth_rate != 0) {
    comment(out, "The growth rate shrinks by this factor every year from the origin, so the trend fades instead of "
                 "compounding for ever (1 = undamped).");
    out << "trend_damping_per_year = " << number(stream.trend_damping_per_year) << '\n';
  }
  if (!uasc) {
    comment(out, "Sibling groups: children starting care on the same day from the same home postcode (HOME_POST) "
                 "enter together; element 1 is a group of 1, element 2 of 2, and so on (groups over 8 count as 8). " +
                     std::to_string(calibration.sibling_groups) + " groups of 2 or more.");
    out << "sibling_group_size_probability = " << array_of(scenario.sibling_group_size_probability) << '\n';
  }
  out << "\n[" << table << ".expected_per_year]\n";
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    out << band_name(b) << " = " << sex_pair(stream.expected_per_year[b], [](double x) { return x; }) << '\n';
  }
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    if (stream.expected_per_year[b][0] + stream.expected_per_year[b][1] <= 0) continue;
    out << "\n[" << table << ".first_placement_probability." << band_name(b) << "]\n";
    probability_lines(out, stream.first_placement_probability[b], category_key);
  }
}

void write_placements(std::ostream& out, const Scenario& scenario) {
  out << "\n# " << std::string(95, '-') << '\n';
  comment(out, "How placements end, for each category a child was in during the window (others have no table). "
               "ending_hazard_per_year: for each age band, the hazard a year that a placement ends, one per "
               "time-in-placement band (endings / child-years at risk, shrunk). destination_probability: where "
               "children went when a placement ended: the next placement's category (the same category is a move "
               "to new carers of the same kind, including a change of placement with the same carer, RNE T or U), "
               "or leaving care for the reason its REC gives (docs/sources.md, \"SSDA903 returns\").");
  const PerCategory<bool> in_use = categories_in_use(scenario);
  const auto duration_bands = static_cast<std::size_t>(scenario.duration_band_count());
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    if (!in_use[c]) continue;
    out << "\n[placements." << kCategoryNames[c] << "]\n";
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      const auto first = scenario.ending_hazard_per_year.begin() +
                         static_cast<std::ptrdiff_t>((c * kAgeBandCount + b) * duration_bands);
      out << "ending_hazard_per_year." << band_name(b) << " = "
          << array_of(std::vector<double>(first, first + static_cast<std::ptrdiff_t>(duration_bands))) << '\n';
    }
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      out << "\n[placements." << kCategoryNames[c] << ".destination_probability." << band_name(b) << "]\n";
      probability_lines(out, scenario.destination_probability[c][b], outcome_key);
    }
  }
}

std::string yearly_list(const std::vector<double>& values, int decimals) {
  std::string text;
  for (const double x : values) text.append(text.empty() ? "" : ", ").append(fixed_decimals(x, decimals));
  return text;
}

void write_variation(std::ostream& out, const Scenario& scenario, const CalibrationReport& calibration) {
  const VariationEstimate& estimate = calibration.variation;
  if (!estimate.estimated) return;
  const CalibrationOptions& options = calibration.options;
  out << "\n[variation]\n";
  comment(out, "Year-to-year (systemic) variation: each run multiplies entries, and the hazards of leaving care and of "
               "moving placement, by exp(z) with z a log-scale AR(1) from the origin (scenarios/REFERENCE.md). "
               "Estimated from the yearly observed (O) and expected (E) counts below: the variance of log(O/E) beyond "
               "Poisson noise (about 1/E), after removing a level (and for entries the trend), shrunk towards a prior "
               "marginal sd worth " + number(options.variation_prior_years) + " years; the *_sd_log_per_year keys are "
               "the AR(1) innovations, the marginal sd x sqrt(1 - autocorrelation^2).");
  const auto describe = [&](std::string_view name, const ProcessVariation& p, double prior_sd, std::string_view about) {
    std::string text = std::string(name) + " (" + std::string(about) + ", from " + p.first_year + "): ";
    if (p.observed.empty()) {
      text += "no full year in the window, so the prior";
    } else {
      text += "O " + yearly_list(p.observed, 0) + "; E " + yearly_list(p.expected, 1) + ". ";
      text += p.raw.estimated()
                  ? "Variance beyond Poisson " + fixed_decimals(p.raw.variance, 4) + " (standard error " +
                        fixed_decimals(p.raw.standard_error, 4) + ") from " + std::to_string(p.raw.years) + " years, " +
                        fixed_decimals(p.ar_variance, 4) + " allowing for the autocorrelation"
                  : "Too few years to estimate: the prior";
    }
    text += "; prior sd " + number(prior_sd) + "; marginal sd " + fixed_decimals(p.marginal_sd, 3) +
            ", innovation sd " +
            (p.uncapped_innovation_sd
                 ? fixed_decimals(*p.uncapped_innovation_sd, 3) + ", CAPPED at " + number(p.innovation_sd) +
                       ", the largest a scenario takes (scenarios/REFERENCE.md): so few years, or years so unlike "
                       "each other, say little about how much a year varies; check the yearly counts above"
                 : fixed_decimals(p.innovation_sd, 3)) +
            ".";
    comment(out, text);
  };
  describe("Entries", estimate.entries, options.entries_prior_sd_log, "not UASC, per full collection year about the fitted trend");
  describe("Exits", estimate.exits, options.exits_prior_sd_log, "placement endings leaving care, per year back");
  describe("Moves", estimate.moves, options.moves_prior_sd_log, "placement endings into another placement, per year back");
  comment(out, "Autocorrelation: the pooled lag-1 moment estimate allowing for each series' fitted level and trend " +
                   (estimate.autocorrelation_pairs > 0
                        ? fixed_decimals(estimate.raw_autocorrelation, 3) + " from " +
                              std::to_string(estimate.autocorrelation_pairs) + " pairs of years"
                        : std::string("not estimable (no variation beyond Poisson, or under 7 years)")) +
                   ", shrunk towards " + number(options.autocorrelation_prior) + " worth " +
                   number(options.autocorrelation_prior_pairs) + " pairs (kept within 0 to 0.95)" +
                   (estimate.uncapped_autocorrelation
                        ? ", giving " + fixed_decimals(*estimate.uncapped_autocorrelation, 3) + ", CAPPED at " +
                              number(estimate.autocorrelation) + ", the largest a scenario takes"
                        : std::string()) +
                   ".");
  out << "entries_sd_log_per_year = " << number(scenario.variation.entries_sd_log_per_year) << '\n';
  out << "exits_sd_log_per_year = " << number(scenario.variation.exits_sd_log_per_year) << '\n';
  out << "moves_sd_log_per_year = " << number(scenario.variation.moves_sd_log_per_year) << '\n';
  out << "autocorrelation = " << number(scenario.variation.autocorrelation) << '\n';
  if (!calibration.drift_note.empty() || scenario.variation.drifts()) {
    comment(out, "A drift on top (a random walk of the log multipliers, scenarios/REFERENCE.md): the part of the "
                 "council's change that its history window does not predict. " +
                     (calibration.drift_note.empty() ? std::string("Set by hand.") : calibration.drift_note));
    out << "entries_drift_sd_log_per_year = " << number(scenario.variation.entries_drift_sd_log_per_year) << '\n';
    out << "exits_drift_sd_log_per_year = " << number(scenario.variation.exits_drift_sd_log_per_year) << '\n';
    out << "moves_drift_sd_log_per_year = " << number(scenario.variation.moves_drift_sd_log_per_year) << '\n';
    if (scenario.variation.drift_evidence_origins > 0) {
      out << "drift_evidence_origins = " << number(scenario.variation.drift_evidence_origins) << '\n';
    }
  }
}

void write_time_in_care(std::ostream& out, const Scenario& scenario, const CalibrationReport& calibration) {
  const TimeInCareEstimate& estimate = calibration.time_in_care;
  if (!scenario.time_in_care.enabled() || !estimate.estimated) return;
  out << "\n[time_in_care]\n";
  comment(out, "How the hazards of leaving care and of moving change with months since the period of care began, "
               "beyond what age and time in the placement say (scenarios/REFERENCE.md). Each band's multiplier is "
               "its observed (O) over expected (E) endings (E: the rates below with multipliers of 1), shrunk towards "
               "1 by a prior worth " + number(calibration.options.time_in_care_prior_events) +
               " events, fitted together with the rates, and scaled so that the history's endings keep their total.");
  comment(out, "Exits O " + yearly_list(estimate.observed_exits, 1) + "; E " + yearly_list(estimate.expected_exits, 1) +
                   ". Moves O " + yearly_list(estimate.observed_moves, 1) + "; E " +
                   yearly_list(estimate.expected_moves, 1) + ".");
  out << "band_starts_months = " << array_of(scenario.time_in_care.band_starts_months) << '\n';
  out << "exit_hazard_multiplier = " << array_of(scenario.time_in_care.exit_hazard_multiplier) << '\n';
  out << "move_hazard_multiplier = " << array_of(scenario.time_in_care.move_hazard_multiplier) << '\n';
}

void write_re_entry(std::ostream& out, const Scenario& scenario, const CalibrationReport& calibration) {
  if (!scenario.re_entry.enabled()) return;
  out << "\n[re_entry]\n";
  comment(out, "Coming back into care after a return home or a child arrangements order (scenarios/REFERENCE.md): " +
                   std::to_string(calibration.re_entries) + " children came back after " +
                   std::to_string(calibration.exits_home) + " such exits, over " +
                   number(calibration.re_entry_years_at_risk) +
                   " years at risk, recency-weighted as the other rates. Each cell's hazard is shrunk towards its "
                   "band of time since leaving by a prior worth " +
                   number(calibration.options.hazard_prior_child_years) +
                   " child-years. Children coming back are not counted in [entries].");
  out << "band_starts_months = " << array_of(scenario.re_entry.band_starts_months) << '\n';
  out << "[re_entry.hazard_per_year]\n";
  for (int b = 0; b < kAgeBandCount; ++b) {
    out << name_of(static_cast<AgeBand>(b)) << " = " << array_of(scenario.re_entry.hazard_per_year[static_cast<std::size_t>(b)])
        << '\n';
  }
  if (!scenario.re_entry.has_left_before_origin()) return;
  out << "[re_entry.left_before_origin]\n";
  comment(out, "Children whose latest period of care ended with a return home or a child arrangements order "
               "by the as-of date and who are under 18 then, by age band then and time-since-leaving band: they "
               "may come back. A lower bound for long times since leaving, since leavings before the returns' "
               "window cannot be seen (the hazard in long bands is low).");
  for (int b = 0; b < kAgeBandCount; ++b) {
    const auto& counts = scenario.re_entry.left_before_origin[static_cast<std::size_t>(b)];
    if (!counts.empty()) out << name_of(static_cast<AgeBand>(b)) << " = " << array_of(counts) << '\n';
  }
}

void write_leaving_care(std::ostream& out, const Scenario& scenario, const CalibrationReport& calibration) {
  out << "\n[leaving_care]\n";
  comment(out, "Of " + std::to_string(calibration.foster_exits_at_18) +
                   " young people leaving care at 18 from a foster placement in the window, " +
                   std::to_string(calibration.staying_put) + " stayed put (E17)" +
                   (calibration.foster_exits_at_18 == 0 ? ": with none to go by, the share is 0." : "."));
  out << "staying_put_probability = " << number(scenario.staying_put_probability) << '\n';
}

// Care leavers from 18 to 25 (calibration/care_leavers_from_returns.hpp): the starting counts from the
// returns, the rest the shipped default's assumptions, as `notes` say.
void write_care_leavers(std::ostream& out, const CareLeaverSettings& settings, const std::vector<std::string>& notes) {
  out << "\n";
  for (const std::string& note : notes) comment(out, note);
  out << "[care_leavers]\n"
      << "support_ends_at_21_probability = " << number(settings.support_ends_at_21_probability) << '\n'
      << "staying_close_probability = " << number(settings.staying_close_probability) << '\n'
      << "personal_adviser_per_year = " << number(settings.personal_adviser_per_year) << '\n'
      << "setting_up_home_allowance = " << number(settings.setting_up_home_allowance) << '\n'
      << "higher_education_bursary = " << number(settings.higher_education_bursary) << '\n'
      << "higher_education_probability = " << number(settings.higher_education_probability) << '\n';
  const auto status_key = [](int s) { return std::string(kCareLeaverStatusNames[static_cast<std::size_t>(s)]); };
  out << "\n[care_leavers.first_status_probability]\n";
  probability_lines(out, settings.first_status_probability, status_key);
  for (int from = 0; from < kCareLeaverStatusCount; ++from) {
    const auto& row = settings.hazard_per_year[static_cast<std::size_t>(from)];
    if (std::all_of(row.begin(), row.end(), [](double h) { return h == 0; })) continue;
    out << "[care_leavers.transition_hazard_per_year." << status_key(from) << "]\n";
    probability_lines(out, row, status_key);
  }
  out << "\n[care_leavers.starting_count]\n";
  for (int s = 0; s < kCareLeaverStatusCount; ++s) {
    const auto& bands = settings.starting_count[static_cast<std::size_t>(s)];
    out << status_key(s) << " = { " << kCareLeaverAgeBandNames[0] << " = " << bands[0] << ", "
        << kCareLeaverAgeBandNames[1] << " = " << bands[1] << " }\n";
  }
  out << "\n[care_leavers.weekly_cost]\n";
  probability_lines(out, settings.weekly_cost, status_key);
}

void write_evidence_stream(std::ostream& out, std::string_view table, const PerAgeBand<PerSex<GammaEvidence>>& entries,
                           const PerAgeBand<DirichletEvidence<kCategoryCount>>& first_placement,
                           double growth_sd_log_per_year) {
  out << "\n[evidence." << table << "]\n";
  out << "# sd of the trend's log slope a year (its standard error from the fit, widened for autocorrelated years\n"
         "# when year-to-year variation is estimated; 0: no trend estimated; at most 1, the largest a scenario takes)\n";
  out << "growth_sd_log_per_year = " << number(growth_sd_log_per_year) << '\n';
  const std::array<std::pair<std::string_view, double GammaEvidence::*>, 4> fields = {{
      {"counts", &GammaEvidence::events},
      {"exposure_years", &GammaEvidence::exposure},
      {"prior_counts", &GammaEvidence::prior_events},
      {"prior_exposure_years", &GammaEvidence::prior_exposure},
  }};
  for (const auto& [key, field] : fields) {
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      out << key << '.' << band_name(b) << " = "
          << sex_pair(entries[b], [member = field](const GammaEvidence& e) { return e.*member; }) << '\n';
    }
  }
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    out << "first_placement_counts." << band_name(b) << " = " << inline_table(first_placement[b].counts, category_key)
        << '\n';
  }
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    out << "first_placement_prior_counts." << band_name(b) << " = "
        << inline_table(first_placement[b].prior, category_key) << '\n';
  }
}

void write_evidence(std::ostream& out, const Scenario& scenario) {
  const RateEvidence& evidence = *scenario.evidence;
  out << "\n# " << std::string(95, '-') << '\n';
  comment(out, "Evidence: the data behind each rate above. A hazard or entry rate is Gamma(events + prior events, "
               "exposure + prior exposure): its point estimate above is the ratio. A share is Dirichlet(counts + "
               "prior counts). Exposure is in years: child-years at risk for placement endings, years of the "
               "window for entries (weighted by the trend to the origin's level when the trend is used).");
  const PerCategory<bool> in_use = categories_in_use(scenario);
  const auto duration_bands = static_cast<std::size_t>(scenario.duration_band_count());
  const std::array<std::pair<std::string_view, double GammaEvidence::*>, 4> fields = {{
      {"ending_events", &GammaEvidence::events},
      {"ending_exposure_years", &GammaEvidence::exposure},
      {"ending_prior_events", &GammaEvidence::prior_events},
      {"ending_prior_exposure_years", &GammaEvidence::prior_exposure},
  }};
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    if (!in_use[c]) continue;
    out << "\n[evidence.placements." << kCategoryNames[c] << "]\n";
    for (const auto& [key, field] : fields) {
      for (std::size_t b = 0; b < kAgeBandCount; ++b) {
        std::vector<double> values;
        for (std::size_t d = 0; d < duration_bands; ++d) {
          values.push_back(evidence.ending[(c * kAgeBandCount + b) * duration_bands + d].*field);
        }
        out << key << '.' << band_name(b) << " = " << array_of(values) << '\n';
      }
    }
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      out << "destination_counts." << band_name(b) << " = "
          << inline_table(evidence.destination[c][b].counts, outcome_key) << '\n';
    }
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      out << "destination_prior_counts." << band_name(b) << " = "
          << inline_table(evidence.destination[c][b].prior, outcome_key) << '\n';
    }
  }
  write_evidence_stream(out, "entries", evidence.entries, evidence.first_placement,
                        evidence.entries_growth_sd_log_per_year);
  write_evidence_stream(out, "uasc", evidence.uasc_entries, evidence.uasc_first_placement,
                        evidence.uasc_growth_sd_log_per_year);
}

std::string groups_csv(const std::vector<StartingGroup>& groups) {
  std::ostringstream out;
  for (std::size_t i = 0; i < kStartingGroupColumns.size(); ++i) out << (i ? "," : "") << kStartingGroupColumns[i];
  out << '\n';
  for (const StartingGroup& g : groups) {
    out << name_of(g.category) << ',' << g.children << ',' << g.male << ',' << g.uasc << ',' << g.age_months.min << ','
        << g.age_months.max << ',' << g.months_in_care.min << ',' << g.months_in_care.max << ','
        << g.months_in_placement.min << ',' << g.months_in_placement.max << ',' << g.placements_since_april[0] << ','
        << g.placements_since_april[1] << ',' << g.placements_since_april[2] << ','
        << g.placed_for_adoption_2_years_with_previous << '\n';
  }
  return out.str();
}

// The published figures the calibration drew on (calibrate --figures): what they gave and what
// the returns contradict.
void write_figures_notes(std::ostream& out, const std::vector<std::string>& notes) {
  if (notes.empty()) return;
  out << "#\n";
  comment(out, "Published figures, for what the returns do not hold and as a check on them:");
  for (const std::string& note : notes) comment(out, note);
}

// Carer supply: from published figures (calibration/supply_from_figures.hpp), or the in-house capacity the
// returns show (calibration/supply_from_returns.hpp).
void write_supply(std::ostream& out, const Supply& supply, const std::vector<std::string>& capacity_notes,
                  const std::vector<std::string>& location_notes) {
  out << "\n# " << std::string(95, '-') << '\n';
  if (capacity_notes.empty()) {
    comment(out, "Supply: in-house carer households from the published figures given with --figures (see the "
                 "notes at the top: which numbers are figures and which national assumptions).");
  } else {
    for (const std::string& note : capacity_notes) comment(out, "Supply: " + note);
  }
  out << "[supply]\n"
      << "in_house_households = " << supply.in_house_households << '\n'
      << "places_per_household_probability = " << array_of(supply.places_per_household_probability) << '\n'
      << "takes_sibling_groups_probability = " << number(supply.takes_sibling_groups_probability) << '\n'
      << "match_chance_per_household = " << number(supply.match_chance_per_household) << '\n'
      << "enquiries_per_year = " << number(supply.enquiries_per_year) << '\n'
      << "application_probability = " << number(supply.application_probability) << '\n'
      << "application_lag_months = " << number(supply.application_lag_months) << '\n'
      << "approval_probability = " << number(supply.approval_probability) << '\n'
      << "approval_lag_months = " << number(supply.approval_lag_months) << '\n'
      << "deregistration_per_year = " << number(supply.deregistration_per_year) << '\n'
      << "leaves_when_last_child_leaves_probability = " << number(supply.leaves_when_last_child_leaves_probability)
      << '\n'
      << "in_house_homes_unlimited = " << (supply.in_house_homes_unlimited ? "true" : "false") << '\n';
  for (const ApprovalRange& range : supply.approval_ranges) {
    out << "\n[[supply.approval_ranges]]\nmin_age_years = " << range.min_age_years
        << "\nmax_age_years = " << range.max_age_years << "\nprobability = " << number(range.probability) << '\n';
  }
  out << "\n[supply.fallback]\n";
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    if (supply.fallback[c].empty()) continue;
    out << kCategoryNames[c] << " = [";
    for (std::size_t k = 0; k < supply.fallback[c].size(); ++k) {
      out << (k > 0 ? ", " : "") << '"' << name_of(supply.fallback[c][k]) << '"';
    }
    out << "]\n";
  }
  if (!supply.location_shares) return;
  out << '\n';
  comment(out, "Distance from home: each provider's shares of placements inside the council's area, outside it within "
               "20 miles, and further.");
  for (const std::string& note : location_notes) comment(out, note);
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    out << "[supply.location." << kCategoryNames[c] << "]\n";
    for (std::size_t b = 0; b < kLocationBandCount; ++b) {
      out << kLocationBandNames[b] << " = " << number((*supply.location_shares)[c][b]) << '\n';
    }
  }
}

}  // namespace

fs::path starting_groups_csv_path(const fs::path& toml_file) {
  return toml_file.parent_path() / (toml_file.stem().string() + "-starting-groups.csv");
}

CalibratedScenarioFiles calibrated_scenario_files(const fs::path& toml_file, const Scenario& scenario,
                                                  const CalibrationReport& calibration, const CleaningReport& cleaning,
                                                  const std::vector<std::string>& figures_notes,
                                                  const std::vector<std::string>& location_notes,
                                                  const std::vector<std::string>& care_leaver_notes) {
  if (scenario.starting_counts || !scenario.starting_children.empty()) {
    // Individual children must never be written: they are real children's records.
    throw std::invalid_argument("write_calibrated_scenario: the starting population must be in groups");
  }
  if (calibration.options.exact_time_at_risk) {
    throw std::invalid_argument("write_calibrated_scenario: exact time at risk is for tests only and is never written");
  }
  const fs::path csv_file = starting_groups_csv_path(toml_file);
  std::ostringstream toml;
  write_header(toml, calibration, cleaning);
  write_figures_notes(toml, figures_notes);
  write_top(toml, scenario, csv_file.filename(), calibration);
  write_stream(toml, "entries", scenario.entries, calibration.entry_trend, calibration.entries, scenario, calibration);
  write_stream(toml, "uasc", scenario.uasc, calibration.uasc_trend, calibration.uasc_entries, scenario, calibration);
  write_placements(toml, scenario);
  write_leaving_care(toml, scenario, calibration);
  write_time_in_care(toml, scenario, calibration);
  write_re_entry(toml, scenario, calibration);
  write_variation(toml, scenario, calibration);
  if (scenario.supply.enabled) write_supply(toml, scenario.supply, calibration.supply_notes, location_notes);
  if (scenario.care_leavers.enabled) write_care_leavers(toml, scenario.care_leavers, care_leaver_notes);
  if (scenario.evidence) write_evidence(toml, scenario);
  return {toml.str(), groups_csv(scenario.starting_groups)};
}

void write_calibrated_scenario(const fs::path& toml_file, const Scenario& scenario,
                               const CalibrationReport& calibration, const CleaningReport& cleaning,
                               const std::vector<std::string>& figures_notes,
                               const std::vector<std::string>& location_notes,
                               const std::vector<std::string>& care_leaver_notes) {
  const CalibratedScenarioFiles texts = calibrated_scenario_files(toml_file, scenario, calibration, cleaning,
                                                                  figures_notes, location_notes, care_leaver_notes);
  if (!toml_file.parent_path().empty()) fs::create_directories(toml_file.parent_path());
  StagedFiles files;
  // The CSV first, so the scenario never names a file that is not there yet.
  files.write(starting_groups_csv_path(toml_file), texts.starting_groups_csv);
  files.write(toml_file, texts.toml);
  files.commit();
}

}  // namespace carecast
