#include "output/report_assumptions.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>

#include "output/forecast_writer.hpp"
#include "output/report_disclosure.hpp"
#include "output/report_format.hpp"

namespace carecast::report {
namespace {

Cell text(std::string value) { return {std::move(value), std::nullopt}; }
Cell number(double value, int decimals = 0) { return {format_fixed(value, decimals), value}; }
Cell count(const std::optional<double>& value) {
  return value ? number(*value) : Cell{kSuppressedText, std::nullopt};
}

std::string percent(double fraction) { return format_fixed(100 * fraction, 0) + "%"; }

std::string range_text(double low, double high, const std::string& unit) {
  const std::string a = format_fixed(low, 0);
  const std::string b = format_fixed(high, 0);
  return (a == b ? a : a + "-" + b) + unit;
}

std::string upper_first(std::string sentence) {
  if (!sentence.empty()) sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
  return sentence;
}

AssumptionTable general(const AssumptionContext& c) {
  const Scenario& s = c.scenario;
  AssumptionTable table{"The forecast", "What was simulated, and what the intervals include.", {"What", "Assumption"}, {}};
  table.rows.push_back({text("Scenario"), text("'" + s.name + "'" + (s.description.empty() ? "" : ": " + s.description))});
  table.rows.push_back({text("Scenario file"),
                        text(c.scenario_file + (c.scenario_changed ? " (changed since this forecast was run: the "
                                                                     "assumptions shown are the file's as it is now)"
                                                                   : ""))});
  table.rows.push_back({text("Forecast start"),
                        text("The children looked after at the end of " + format_long_date(c.run.origin))});
  table.rows.push_back({text("Forecast length"),
                        text(std::to_string(c.run.horizon_years) + " years, to " +
                             format_long_date(add_years(c.run.origin, c.run.horizon_years)))});
  table.rows.push_back({text("Simulated runs"), text(format_fixed(c.run.runs, 0))});
  table.rows.push_back({text("Random seed"), text(std::to_string(c.run.seed) + " (the same seed gives the same forecast)")});
  table.rows.push_back({text("What the intervals include"), text(upper_first(uncertainty_sources_text(c.run)) + ".")});
  table.rows.push_back({text("Uncertainty in the rates"), text(rate_uncertainty_text(c.run))});
  table.rows.push_back(
      {text("Year-to-year variation"),
       text(c.run.year_to_year_variation
                ? "Included: each run draws how much busier or quieter each year is than the scenario's rates "
                  "(entries, children leaving care and placement moves), common to every child and carried from one "
                  "year to the next, so intervals widen with the horizon."
                : "Not included: every year has the scenario's rates, so intervals leave out years that are busier "
                  "or quieter for the whole system (court delays, policy, a pandemic).")});
  table.rows.push_back({text("Staying put at 18"),
                        text(percent(s.staying_put_probability) +
                             " of young people in foster care on their 18th birthday stay with their carers; care "
                             "ends at 18 either way.")});
  return table;
}

// Children at the start by placement, from whichever form of starting population the scenario has.
AssumptionTable starting_population(const AssumptionContext& c) {
  const Scenario& s = c.scenario;
  std::vector<double> children(kCategoryCount, 0), uasc(kCategoryCount, 0);
  if (s.starting_counts) {
    for (int k = 0; k < kCategoryCount; ++k) {
      for (int b = 0; b < kAgeBandCount; ++b) {
        for (int x = 0; x < kSexCount; ++x) {
          children[k] += s.starting_counts->count[k][b][x];
          uasc[k] += s.starting_counts->uasc_count[k][b][x];
        }
      }
    }
  }
  for (const StartingChild& child : s.starting_children) {
    children[static_cast<int>(child.category)] += 1;
    if (child.uasc) uasc[static_cast<int>(child.category)] += 1;
  }
  for (const StartingGroup& group : s.starting_groups) {
    children[static_cast<int>(group.category)] += group.children;
    uasc[static_cast<int>(group.category)] += group.uasc;
  }
  std::vector<int> shown;
  for (int k = 0; k < kCategoryCount; ++k) {
    if (children[k] > 0) shown.push_back(k);
  }
  std::vector<double> column_children, column_uasc;
  for (int k : shown) {
    column_children.push_back(children[static_cast<std::size_t>(k)]);
    column_uasc.push_back(uasc[static_cast<std::size_t>(k)]);
  }
  double total = 0, total_uasc = 0;
  for (int k = 0; k < kCategoryCount; ++k) {
    total += children[static_cast<std::size_t>(k)];
    total_uasc += uasc[static_cast<std::size_t>(k)];
  }
  column_children.push_back(total);
  column_uasc.push_back(total_uasc);
  // The starting population is recorded data: under --publish its small counts are suppressed.
  const auto publish = [&](const std::vector<double>& column) {
    return c.publish ? suppress_small_counts(column)
                     : std::vector<std::optional<double>>(column.begin(), column.end());
  };
  const std::vector<std::optional<double>> published_children = publish(column_children);
  const std::vector<std::optional<double>> published_uasc = publish(column_uasc);
  AssumptionTable table{"Children looked after at the start",
                        "Recorded position at " + format_long_date(c.run.origin) + ", by placement category.",
                        {"Placement", "Children", "Of whom unaccompanied asylum-seeking"}, {}};
  for (std::size_t i = 0; i < shown.size(); ++i) {
    table.rows.push_back({text(c.labels.category(kCategoryNames[static_cast<std::size_t>(shown[i])])),
                          count(published_children[i]), count(published_uasc[i])});
  }
  table.rows.push_back({text("All placements"), count(published_children.back()), count(published_uasc.back())});
  return table;
}

std::string per_band(const EntryStream& stream, const Labels& labels) {
  std::string text;
  for (int b = 0; b < kAgeBandCount; ++b) {
    const double total = stream.expected_per_year[b][0] + stream.expected_per_year[b][1];
    if (total <= 0) continue;
    if (!text.empty()) text += "; ";
    text += labels.category(kAgeBandNames[static_cast<std::size_t>(b)]) + ": " + format_fixed(total, 0);
  }
  return text + " a year";
}

std::string growth(double rate) {
  if (rate == 0) return "staying at that rate";
  return std::string(rate > 0 ? "growing " : "falling ") + format_fixed(100 * std::fabs(rate), 1) + "% a year";
}

AssumptionTable entries(const AssumptionContext& c) {
  const Scenario& s = c.scenario;
  AssumptionTable table{"Children starting care", "Expected children a year at the start; each run draws its own.",
                        {"What", "Assumption"}, {}};
  table.rows.push_back({text("Children starting care (not unaccompanied asylum-seeking)"),
                        text("About " + format_fixed(s.entries.total_per_year(), 0) + " a year, " +
                             growth(s.entries.annual_growth_rate))});
  table.rows.push_back({text("By age"), text(per_band(s.entries, c.labels))});
  std::string groups;
  double mean_size = 0;
  for (std::size_t i = 0; i < s.sibling_group_size_probability.size(); ++i) {
    const double p = s.sibling_group_size_probability[i];
    mean_size += static_cast<double>(i + 1) * p;
    if (p <= 0) continue;
    if (!groups.empty()) groups += ", ";
    groups += percent(p) + (i == 0 ? " alone" : " in groups of " + std::to_string(i + 1));
  }
  table.rows.push_back({text("Entering with brothers or sisters"),
                        text("Of groups entering together: " + groups + " (mean group size " +
                             format_fixed(mean_size, 2) + ")")});
  if (s.uasc.total_per_year() > 0) {
    table.rows.push_back({text("Unaccompanied asylum-seeking children"),
                          text("About " + format_fixed(s.uasc.total_per_year(), 0) + " a year, " +
                               growth(s.uasc.annual_growth_rate) + "; " + per_band(s.uasc, c.labels))});
  }
  return table;
}

// First placement shares of all children starting care: each age band's probabilities weighted by
// its expected entries.
std::vector<double> first_placement_shares(const EntryStream& stream) {
  std::vector<double> share(kCategoryCount, 0);
  const double total = stream.total_per_year();
  if (total <= 0) return share;
  for (int b = 0; b < kAgeBandCount; ++b) {
    const double weight = (stream.expected_per_year[b][0] + stream.expected_per_year[b][1]) / total;
    for (int k = 0; k < kCategoryCount; ++k) share[static_cast<std::size_t>(k)] += weight * stream.first_placement_probability[b][k];
  }
  return share;
}

AssumptionTable first_placements(const AssumptionContext& c) {
  const std::vector<double> main = first_placement_shares(c.scenario.entries);
  const std::vector<double> uasc = first_placement_shares(c.scenario.uasc);
  AssumptionTable table{"First placements", "Where children starting care are placed first, across all ages.",
                        {"Placement", "Children starting care (%)", "Unaccompanied asylum-seeking (%)"}, {}};
  for (std::size_t k = 0; k < static_cast<std::size_t>(kCategoryCount); ++k) {
    if (main[k] <= 0 && uasc[k] <= 0) continue;
    table.rows.push_back({text(c.labels.category(kCategoryNames[k])), number(100 * main[k]), number(100 * uasc[k])});
  }
  return table;
}

// Chance that a placement begun today ends within a year, for a child who stays in one age band.
double ends_within_a_year(const Scenario& s, Category category, int band) {
  double cumulative = 0;
  const int bands = s.duration_band_count();
  for (int d = 0; d < bands; ++d) {
    const double from = s.duration_band_start_days[static_cast<std::size_t>(d)];
    const double to = d + 1 < bands ? std::min(365.0, static_cast<double>(s.duration_band_start_days[static_cast<std::size_t>(d + 1)])) : 365.0;
    if (to <= from) break;
    cumulative += s.ending_hazard(category, static_cast<AgeBand>(band), d) * (to - from) / 365.0;
  }
  return 1 - std::exp(-cumulative);
}

AssumptionTable placement_endings(const AssumptionContext& c) {
  const Scenario& s = c.scenario;
  AssumptionTable table{"How placements end",
                        "Ranges run across age bands. A placement's chance of ending is highest in its first weeks.",
                        {"Placement", "Ends within a year of starting", "Of placements ending: child moves placement",
                         "Of placements ending: child leaves care"},
                        {}};
  for (int k = 0; k < kCategoryCount; ++k) {
    double low = 1, high = 0, move_low = 1, move_high = 0;
    bool used = false;
    for (int b = 0; b < kAgeBandCount; ++b) {
      double moves = 0, total = 0;
      for (int o = 0; o < kOutcomeCount; ++o) {
        total += s.destination_probability[k][b][o];
        if (!outcome_is_exit(o)) moves += s.destination_probability[k][b][o];
      }
      if (total <= 0) continue;
      used = true;
      const double ends = ends_within_a_year(s, static_cast<Category>(k), b);
      low = std::min(low, ends);
      high = std::max(high, ends);
      move_low = std::min(move_low, moves);
      move_high = std::max(move_high, moves);
    }
    if (!used) continue;
    table.rows.push_back({text(c.labels.category(kCategoryNames[static_cast<std::size_t>(k)])),
                          text(range_text(100 * low, 100 * high, "%")),
                          text(range_text(100 * move_low, 100 * move_high, "%")),
                          text(range_text(100 * (1 - move_high), 100 * (1 - move_low), "%"))});
  }
  return table;
}

}  // namespace

std::vector<AssumptionTable> describe_assumptions(const AssumptionContext& context) {
  return {general(context), starting_population(context), entries(context), first_placements(context),
          placement_endings(context)};
}

std::string uncertainty_sources_text(const RunInfo& run) {
  std::vector<std::string> parts;
  for (const std::string& source : run.uncertainty_sources) {
    if (source == "events") parts.emplace_back("chance events (who enters care and when, when placements end)");
    if (source == "parameters") parts.emplace_back("uncertainty in the rates");
    if (source == "year_to_year_variation") parts.emplace_back("year-to-year variation");
  }
  std::string joined;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    joined += (i == 0 ? "" : i + 1 == parts.size() ? " and " : ", ") + parts[i];
  }
  return joined;
}

std::string rate_uncertainty_text(const RunInfo& run) {
  if (!run.parameter_uncertainty) {
    return "Not included: the scenario's rates are taken as known, so intervals understate the true uncertainty.";
  }
  if (run.parameter_evidence == "stated") {
    return "Included: the rates were written by hand, so each run draws them around the stated values with the "
           "scenario's stated uncertainty (as if each had been estimated from a stated amount of data).";
  }
  if (run.parameter_evidence == "calibrated") {
    return "Included: each run draws its rates from the uncertainty of their estimates from the data, so intervals "
           "cover what the data cannot pin down.";
  }
  return "Included: each run draws its rates from their estimated uncertainty, so intervals cover both chance and "
         "what the data cannot pin down.";
}

}  // namespace carecast::report
