#include "fitting/fitted_scenario_writer.hpp"

#include <array>
#include <charconv>
#include <cmath>
#include <iomanip>
#include <sstream>
#include <stdexcept>

#include "core/errors.hpp"
#include "output/written_text.hpp"

namespace carecast {
namespace {

// The shortest decimal form that reads back as exactly `x` (as calibrate writes rates).
std::string number(double x) {
  if (!std::isfinite(x)) throw std::logic_error("fitted scenario writer: a value is not finite");
  std::array<char, 64> buffer{};
  const auto result = std::to_chars(buffer.data(), buffer.data() + buffer.size(), x);
  return std::string(buffer.data(), result.ptr);
}

// Wrapped as in every file carecast writes (output/written_text.hpp).
void comment(std::ostream& out, std::string_view paragraph) { write_toml_comment(out, paragraph); }

std::string value_text(double x) { return std::isnan(x) ? "" : fixed_decimals(x, 1); }

std::string outcome_key(int outcome) {
  return outcome_is_exit(outcome) ? std::string(kExitOutcomePrefix).append(outcome_name(outcome))
                                  : std::string(outcome_name(outcome));
}

void write_stream(std::ostream& out, const std::string& table, const EntryStream& stream) {
  out << "\n[" << table << ".expected_per_year]\n";
  for (int b = 0; b < kAgeBandCount; ++b) {
    out << kAgeBandNames[b] << " = { male = " << number(stream.expected_per_year[b][0])
        << ", female = " << number(stream.expected_per_year[b][1]) << " }\n";
  }
}

// Entries as the base gives them, a rate per 10,000 children of its [population] (which the fitted
// scenario inherits): the fitted children a year at the origin over the population there.
void write_rates_per_10000(std::ostream& out, const EntryStream& stream, const ChildPopulation& population, Date origin) {
  if (!population.table.covers(origin)) {
    throw InputError({population.table.file.string(), 0, 0, "population"},
                     "does not cover the fitted origin " + format_iso(origin) + ": give the years either side of it");
  }
  const PopulationCells at_origin = population.table.at(origin);
  out << "\n[entries.per_10000_children]\n";
  for (int b = 0; b < kAgeBandCount; ++b) {
    out << kAgeBandNames[b] << " = { male = " << number(stream.expected_per_year[b][0] * 10000 / at_origin[b][0])
        << ", female = " << number(stream.expected_per_year[b][1] * 10000 / at_origin[b][1]) << " }\n";
  }
}

void write_counts(std::ostream& out, const std::string& table, const PerCategory<PerAgeBand<PerSex<int>>>& counts) {
  for (int c = 0; c < kCategoryCount; ++c) {
    int total = 0;
    for (const auto& band : counts[c]) total += band[0] + band[1];
    if (total == 0) continue;
    out << "\n[starting_population." << table << '.' << kCategoryNames[c] << "]\n";
    for (int b = 0; b < kAgeBandCount; ++b) {
      if (counts[c][b][0] + counts[c][b][1] == 0) continue;
      out << kAgeBandNames[b] << " = { male = " << counts[c][b][0] << ", female = " << counts[c][b][1] << " }\n";
    }
  }
}

}  // namespace

std::string fitted_scenario_toml(const FitResult& fit, const Scenario& base, const std::string& base_reference,
                                 const PublishedFigures& figures, const std::string& command_line,
                                 const Scenario* as_file) {
  const Scenario& s = fit.fitted;
  std::ostringstream out;
  out << "# carecast scenario fitted to published figures by `carecast fit`.\n#\n";
  if (!command_line.empty()) {
    out << "# Written by the command below; edit its base or figures and run it again rather than edit this file:\n"
        << "#   ";
    // A control character in a path must not end the comment and start a TOML line.
    out << comment_text(command_line);
    out << "\n#\n";
  }
  comment(out, "It extends the base scenario and states only what the fit changed: the origin, the children looked "
               "after there, entry rates, placement-ending hazards and destinations, [uncertainty], and the year-to-year "
               "variation of entries and exits where the figures have " + std::to_string(kMinimumVariationYears) +
               " or more consecutive full years of them. Everything else (first placements, supply, costs, options, "
               "the rest of [variation]) is the base's.");
  comment(out, "Figures: " + std::to_string(figures.figures.size()) + " published figures from " +
                   format_iso(figures.first_day) + " to " + format_iso(figures.last_day) + "; " +
                   std::to_string(fit.simulations) + " simulated replications.");
  out << "#\n# Parameters (multipliers of the base; entry_growth is added to its growth rate):\n";
  for (const ParameterEstimate& p : fit.parameters) {
    out << "#   " << std::left << std::setw(26) << info_of(p.parameter).name;
    if (p.free) {
      out << "median " << fixed_decimals(p.median, 3) << ", 90% " << fixed_decimals(p.low, 3) << " to "
          << fixed_decimals(p.high, 3) << '\n';
    } else {
      out << "kept from the base: " << p.reason << '\n';
    }
  }
  out << "#\n";
  for (const std::string& note : fit.notes) comment(out, note);
  out << '\n';
  out << "extends = " << toml_string(base_reference) << '\n';
  std::string removed = "\"starting_population\"";
  if (base.evidence) removed += ", \"evidence\"";
  out << "remove = [" << removed << "]\n";
  out << "name = " << toml_string(base.name + " (fitted)") << '\n';
  out << "description = " << toml_string("fitted by carecast fit to published figures to " + format_iso(fit.origin)) << '\n';
  out << "origin_date = " << format_iso(s.origin) << '\n';

  const StartingCounts& counts = *s.starting_counts;
  out << "\n[starting_population]\n";
  out << "mean_days_in_care_before_placement = " << number(counts.mean_days_in_care_before_placement) << '\n';
  if (counts.short_term_stability_percent) {
    out << "short_term_stability_percent = " << number(*counts.short_term_stability_percent) << '\n';
  }
  if (counts.long_term_stability_percent) {
    out << "long_term_stability_percent = " << number(*counts.long_term_stability_percent) << '\n';
  }
  out << "\n[starting_population.mean_days_in_placement]\n";
  for (int c = 0; c < kCategoryCount; ++c) {
    int total = 0;
    for (const auto& band : counts.count[c]) total += band[0] + band[1];
    if (total > 0) out << kCategoryNames[c] << " = " << number(counts.mean_days_in_placement[c]) << '\n';
  }
  write_counts(out, "counts", counts.count);
  write_counts(out, "uasc_counts", counts.uasc_count);

  out << "\n[entries]\n";
  out << "annual_growth_rate = " << number(s.entries.annual_growth_rate) << '\n';
  out << "trend_damping_per_year = " << number(s.entries.trend_damping_per_year) << '\n';
  if (base.population && base.population->entries_per_10000_children) {
    write_rates_per_10000(out, s.entries, *base.population, s.origin);
  } else {
    write_stream(out, "entries", s.entries);
  }
  write_stream(out, "uasc", s.uasc);

  const auto bands = static_cast<std::size_t>(s.duration_band_count());
  for (int c = 0; c < kCategoryCount; ++c) {
    bool in_use = false;
    for (const auto& band : s.destination_probability[c])
      for (const double x : band) in_use = in_use || x > 0;
    if (!in_use) continue;
    out << "\n[placements." << kCategoryNames[c] << "]\n";
    for (int b = 0; b < kAgeBandCount; ++b) {
      out << "ending_hazard_per_year." << kAgeBandNames[b] << " = [";
      for (std::size_t d = 0; d < bands; ++d) {
        out << (d ? ", " : "")
            << number(s.ending_hazard_per_year[(static_cast<std::size_t>(c) * kAgeBandCount + b) * bands + d]);
      }
      out << "]\n";
    }
    for (int b = 0; b < kAgeBandCount; ++b) {
      out << "\n[placements." << kCategoryNames[c] << ".destination_probability." << kAgeBandNames[b] << "]\n";
      for (int o = 0; o < kOutcomeCount; ++o) {
        if (s.destination_probability[c][b][o] > 0) {
          out << outcome_key(o) << " = " << number(s.destination_probability[c][b][o]) << '\n';
        }
      }
    }
  }

  // Children who left care before the origin and may come back, when they differ from the base file's (a base
  // shared by pooled councils scales them to each council: pooled_fit.hpp).
  const Scenario& file = as_file != nullptr ? *as_file : base;
  if (s.re_entry.enabled() && s.re_entry.left_before_origin != file.re_entry.left_before_origin) {
    out << "\n[re_entry.left_before_origin]\n";
    for (int b = 0; b < kAgeBandCount; ++b) {
      const auto& counts = s.re_entry.left_before_origin[static_cast<std::size_t>(b)];
      if (counts.empty()) continue;
      out << kAgeBandNames[b] << " = [";
      for (std::size_t i = 0; i < counts.size(); ++i) out << (i ? ", " : "") << counts[i];
      out << "]\n";
    }
  }

  // Care leavers at the origin, when a published figure there set them (calibration/care_leavers_from_figures.hpp),
  // or a shared base's were scaled to the council.
  if (s.care_leavers.enabled && s.care_leavers.starting_count != file.care_leavers.starting_count) {
    out << "\n[care_leavers.starting_count]\n";
    for (int status = 0; status < kCareLeaverStatusCount; ++status) {
      const auto& by_band = s.care_leavers.starting_count[static_cast<std::size_t>(status)];
      out << kCareLeaverStatusNames[static_cast<std::size_t>(status)] << " = { " << kCareLeaverAgeBandNames[0]
          << " = " << by_band[0] << ", " << kCareLeaverAgeBandNames[1] << " = " << by_band[1] << " }\n";
    }
  }

  // Year-to-year variation estimated from the figures (variation_from_figures.hpp); the rest of the base's is kept.
  if (fit.variation.any_estimated()) {
    out << "\n[variation]\n";
    if (fit.variation.entries.estimated) {
      out << "entries_sd_log_per_year = " << number(s.variation.entries_sd_log_per_year) << '\n';
    }
    if (fit.variation.exits.estimated) out << "exits_sd_log_per_year = " << number(s.variation.exits_sd_log_per_year) << '\n';
  }

  out << "\n[uncertainty]\n";
  out << "parameter_uncertainty = true\n";
  out << "hazard_evidence_child_years = " << number(s.stated_uncertainty.hazard_child_years) << '\n';
  out << "entry_evidence_years = " << number(s.stated_uncertainty.entry_years) << '\n';
  out << "share_evidence_events = " << number(s.stated_uncertainty.share_events) << '\n';
  out << "entry_growth_sd_log_per_year = " << number(s.stated_uncertainty.entry_growth_sd_log_per_year) << '\n';
  return out.str();
}

std::string fit_figures_csv(const FitResult& fit, const PublishedFigures& figures) {
  std::ostringstream out;
  out << "metric,category,period_start,date,value,fitted,median,low_90,high_90,flag,note\n";
  for (const FigureFit& row : fit.figures) {
    const PublishedFigure& f = figures.figures[row.figure];
    out << name_of(f.metric) << ',' << figure_category_name(f.category) << ','
        << (f.period_start ? format_iso(*f.period_start) : "") << ',' << format_iso(f.date) << ',' << number(f.value)
        << ',' << (row.fitted ? "yes" : "no") << ',' << (row.simulated ? value_text(row.median) : "") << ','
        << (row.simulated ? value_text(row.low) : "") << ',' << (row.simulated ? value_text(row.high) : "") << ','
        << (row.flagged ? "flag" : "") << ',' << csv_field(row.note) << '\n';
  }
  return out.str();
}

std::string fit_parameters_csv(const FitResult& fit) {
  std::ostringstream out;
  out << "parameter,free,median,low_90,high_90,meaning,reason\n";
  for (const ParameterEstimate& p : fit.parameters) {
    const FitParameterInfo& info = info_of(p.parameter);
    out << info.name << ',' << (p.free ? "yes" : "no") << ',' << number(p.median) << ',' << number(p.low) << ','
        << number(p.high) << ',' << csv_field(std::string(info.meaning)) << ',' << csv_field(p.reason) << '\n';
  }
  return out.str();
}

std::string fit_report_text(const FitResult& fit, const PublishedFigures& figures) {
  std::ostringstream out;
  out << "Parameters (multipliers of the base; entry_growth added to its growth rate), median and 90% interval:\n";
  for (const ParameterEstimate& p : fit.parameters) {
    out << "  " << std::left << std::setw(26) << info_of(p.parameter).name;
    if (p.free) {
      out << std::right << std::setw(7) << fixed_decimals(p.median, 3) << "  (" << fixed_decimals(p.low, 3) << " to "
          << fixed_decimals(p.high, 3) << ")  from " << p.reason << '\n';
    } else {
      out << "kept from the base: " << p.reason << '\n';
    }
  }
  out << "\nFigures: published value, the fit's median and 90% interval at that date\n";
  out << std::left << std::setw(22) << "metric" << std::setw(34) << "category" << std::setw(24) << "period/date"
      << std::right << std::setw(7) << "value" << std::setw(9) << "median" << std::setw(18) << "90%" << "  flag\n";
  for (const FigureFit& row : fit.figures) {
    const PublishedFigure& f = figures.figures[row.figure];
    std::string category = figure_category_name(f.category);
    if (category.size() > 33) category = category.substr(0, 30) + "...";
    const std::string when = f.period_start ? format_iso(*f.period_start) + ".." + format_iso(f.date) : format_iso(f.date);
    out << std::left << std::setw(22) << name_of(f.metric) << std::setw(34) << category << std::setw(24) << when
        << std::right << std::setw(7) << fixed_decimals(f.value, 0) << std::setw(9)
        << (row.simulated ? value_text(row.median) : "-") << std::setw(18)
        << (row.simulated ? value_text(row.low) + " to " + value_text(row.high) : "-") << "  "
        << (row.flagged ? "FLAG: " : "") << row.note << '\n';
  }
  for (const std::string& note : fit.notes) out << '\n' << note << '\n';
  return out.str();
}

}  // namespace carecast
