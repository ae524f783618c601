#include "output/report_assumptions.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "output/forecast_writer.hpp"
#include "output/report_disclosure.hpp"
#include "output/report_format.hpp"
#include "output/report_options.hpp"

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
  if (s.time_in_care.enabled()) {
    const TimeInCare& care = s.time_in_care;
    std::string bands;
    for (std::size_t b = 0; b < care.band_starts_months.size(); ++b) {
      const std::string span = std::to_string(care.band_starts_months[b]) +
                               (b + 1 < care.band_starts_months.size()
                                    ? " to " + std::to_string(care.band_starts_months[b + 1]) + " months"
                                    : "+ months");
      bands += (b ? "; " : "") + span + ": leaving care x" + format_fixed(care.exit_hazard_multiplier[b], 2) +
               ", moves x" + format_fixed(care.move_hazard_multiplier[b], 2);
    }
    table.rows.push_back({text("Time in care"),
                          text("The chances of leaving care and of moving change with how long a child has been "
                               "looked after, beyond their age and time in the placement (" +
                               bands + ").")});
  }
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

Cell money(double pounds) { return {format_value(pounds, Unit::pounds), pounds, Unit::pounds}; }

std::string financial_year_name(int start_year) {
  const std::string next = std::to_string((start_year + 1) % 100);
  return std::to_string(start_year) + "-" + (next.size() < 2 ? "0" : "") + next;
}

// What the forecast's costs rest on: unit costs with their price year and uprating, inflation,
// fixed and one-off costs, the discount rate and the budgets. Finance reads the cost figures
// against these.
AssumptionTable costs(const AssumptionContext& c) {
  const Costs& k = c.scenario.costs;
  const std::string prices = financial_year_name(k.base_year);
  AssumptionTable table{"Costs",
                        "Unit costs are in " + prices + " prices: the scenario states each in its source's price year "
                        "and carecast uprates it to " + prices + " by the scenario's uprating rate. Later years add "
                        "the inflation below. Every council should replace these with its own.",
                        {"Cost", "Amount", "Basis"},
                        {}};
  for (std::size_t i = 0; i < kCategoryNames.size(); ++i) {
    if (k.weekly[i] <= 0) continue;
    const double spread = k.coefficient_of_variation[i];
    table.rows.push_back(
        {text(c.labels.category(kCategoryNames[i])), money(k.weekly[i]),
         text("a week per child" +
              (spread > 0 ? ", varying between placements (coefficient of variation " + format_fixed(spread, 2) + ")"
                          : std::string()))});
  }
  for (const InHouseHome& home : c.scenario.supply.homes) {
    table.rows.push_back({text(home.name + " (" + std::to_string(home.beds) + " beds)"), money(home.annual_cost),
                          text("a year from " + format_long_date(home.opens) + ", whatever its occupancy")});
  }
  if (c.scenario.supply.step_down) {
    table.rows.push_back({text("Step-down specialist foster carer"), money(c.scenario.supply.step_down->weekly_cost),
                          text("a week per child stepped down")});
  }
  if (k.carer_support_per_household_per_year > 0) {
    table.rows.push_back({text("Support of an in-house carer household"), money(k.carer_support_per_household_per_year),
                          text("a year per household, whether or not a child is placed")});
  }
  if (k.adoption_fee > 0) {
    table.rows.push_back({text("Inter-agency adoption fee"), money(k.adoption_fee), text("once per adoption")});
  }
  if (k.recruitment_per_approval > 0) {
    table.rows.push_back(
        {text("Recruiting a carer household"), money(k.recruitment_per_approval), text("once per approval")});
  }
  if (k.step_down_package > 0) {
    table.rows.push_back({text("Step-down support package"), money(k.step_down_package), text("once per step-down")});
  }
  table.rows.push_back({text("Inflation"), text(format_fixed(100 * k.inflation_per_year, 1) + "% a year"),
                        text("applied by financial year after " + prices)});
  table.rows.push_back({text("Discount rate"), text(format_fixed(100 * k.discount_rate_per_year, 1) + "% a year"),
                        text("for the net present value (HM Treasury Green Book: 3.5%)")});
  const int first_year = static_cast<int>(std::chrono::year_month_day{financial_year_start(c.run.origin)}.year());
  for (std::size_t y = 0; y < k.budget_per_financial_year.size(); ++y) {
    const int start = first_year + static_cast<int>(y);
    const Date year_end = make_date(start + 1, 3, 31);
    const Date horizon = add_years(c.run.origin, c.run.horizon_years);
    if (financial_year_start(year_end) > horizon) break;
    table.rows.push_back({text("Budget " + financial_year_label(std::min(year_end, horizon), c.run.origin)),
                          money(k.budget_per_financial_year[y]),
                          text("placement budget for the whole financial year, compared with the forecast cost")});
  }
  return table;
}

// The foster carers the council has and recruits: what the forecast's supply of in-house places
// rests on.
AssumptionTable carers(const AssumptionContext& c) {
  const Supply& s = c.scenario.supply;
  AssumptionTable table{"Foster carers and places", "The council's own carer households and how they change.",
                        {"What", "Assumption"}, {}};
  table.rows.push_back({text("In-house carer households at the start"), number(s.in_house_households)});
  table.rows.push_back({text("Enquiries a year"), number(s.enquiries_per_year)});
  table.rows.push_back({text("Enquiries becoming applications"),
                        text(percent(s.application_probability) + ", after about " +
                             format_fixed(s.application_lag_months, 0) + " months")});
  table.rows.push_back({text("Applications approved"), text(percent(s.approval_probability) + ", after about " +
                                                            format_fixed(s.approval_lag_months, 0) + " months")});
  table.rows.push_back({text("Households leaving a year"), text(percent(1 - std::exp(-s.deregistration_per_year)))});
  if (s.mockingbird_constellations > 0) {
    table.rows.push_back({text("Mockingbird constellations"),
                          text(std::to_string(s.mockingbird_constellations) + " of " +
                               std::to_string(s.households_per_constellation) + " households")});
  }
  for (const Ramp& campaign : c.scenario.options.extra_enquiries_per_year) {
    table.rows.push_back({text("Recruitment campaign"),
                          text(format_fixed(campaign.full_value, 0) + " more enquiries a year from " +
                               format_long_date(campaign.full) + ", building up from " +
                               format_long_date(campaign.start) +
                               (campaign.end ? ", until " + format_long_date(*campaign.end) : std::string()))});
  }
  table.rows.push_back({text("Who provides care"),
                        text(s.demand == Supply::Demand::kind_of_care
                                 ? "the first provider of the kind of care with a free place, in the scenario's "
                                   "order (by default in-house carers before agencies, own homes before external)"
                                 : "as drawn: in-house or agency, own or external home, by fixed shares")});
  table.rows.push_back({text("Agency foster places"),
                        text(s.agency_places ? std::to_string(*s.agency_places) : std::string("not limited"))});
  table.rows.push_back(
      {text("External children's home beds"),
       text(s.external_home_beds ? std::to_string(*s.external_home_beds) : std::string("not limited"))});
  return table;
}

}  // namespace

std::vector<AssumptionTable> describe_assumptions(const AssumptionContext& context) {
  std::vector<AssumptionTable> tables = {general(context), starting_population(context), entries(context),
                                         first_placements(context), placement_endings(context)};
  if (context.scenario.costs.enabled) tables.push_back(costs(context));
  if (context.scenario.supply.enabled) tables.push_back(carers(context));
  return tables;
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
