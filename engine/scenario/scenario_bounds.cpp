#include "scenario/scenario_bounds.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace carecast {
namespace {

// Shared limits, so that the same kind of number has the same range wherever it appears.
// Children, enquiries or transfers a year for one council.
constexpr double kMaxPerYear = kMaxChildrenPerYear;
// Children in one cell of the starting population (category x age band x sex): the largest
// councils look after about 2,500 children in all.
constexpr double kMaxChildrenInCell = 10'000;
// Days in a placement or in care: no child is looked after for more than 18 years.
constexpr double kMaxDays = 6575;
// Enquiry, application and approval lags, and breakdown windows: 10 years.
constexpr double kMaxMonths = 120;
// Growth rates of entries: from -90% to +100% a year.
constexpr double kMinGrowth = -0.9;
constexpr double kMaxGrowth = 1;
// Inflation, uprating and discount rates: from -50% to +50% a year.
constexpr double kMinRate = -0.5;
constexpr double kMaxRate = 0.5;
// Money. A week of the dearest placement is under £100,000; one-off and yearly sums per item
// under £1,000,000; a home's running cost under £100 million a year; a year's budget under £10bn.
constexpr double kMaxWeeklyCost = 100'000;
constexpr double kMaxOneOffCost = 1'000'000;
constexpr double kMaxHomeCost = 100'000'000;
constexpr double kMaxBudget = 10'000'000'000;
constexpr double kMinPriceYear = 1980;
constexpr double kMaxPriceYear = 2100;
// Counts and exposures behind calibrated rates: ten million is beyond any council's history.
constexpr double kMaxEvidence = 10'000'000;
// Children in one category of the starting population: a cell's limit for each age band and sex.
constexpr double kMaxChildrenInCategory = kMaxChildrenInCell * 10;
// A damped trend: phi = 0.01 leaves 1/(-log 0.01), about 0.2 years' growth in all. Above 0, since
// phi = 0 has no meaning in the formula (scenario.hpp EntryStream).
constexpr double kMinDamping = 0.01;
// Year-to-year variation: a yearly sd of 1 on the log scale multiplies a year's rate by e (2.7) or
// more about one year in six; nothing a council has seen needs more. An autocorrelation of 1 would
// make the path a random walk with no settled level: at most 0.99.
constexpr double kMaxSdLog = 1;
constexpr double kMaxAutocorrelation = 0.99;
// Stated evidence behind a hand-written rate: 0.01 is all but no evidence (draws of any size), a
// million is a rate taken as known.
constexpr double kMinStatedEvidence = 0.01;
constexpr double kMaxStatedEvidence = 1'000'000;

// Time in care: bands start within a childhood (18 years), and a band's hazard is at most 20 times
// the rest's (calibrate shrinks its estimates towards 1; a history gives nothing near that).
constexpr double kMaxMonthsInCare = 216;
constexpr double kMaxTimeInCareMultiplier = 20;

constexpr std::string_view kHazard = "a hazard a year";
constexpr std::string_view kMultiplier = "a hazard multiplier";
constexpr std::string_view kProbability = "a probability";
constexpr std::string_view kEvidence = "a count or exposure";
constexpr std::string_view kPercent = "a percentage";
constexpr std::string_view kDamping = "a damping factor a year";
constexpr std::string_view kSdLog = "a standard deviation a year on the natural-log scale";
// Priced amounts in [costs]: `{ <amount> = £, price_year = y, uprating_per_year = u }`.
constexpr std::string_view kFinancialYear = "a financial year";
constexpr std::string_view kUprating = "an uprating rate, a fraction a year";

constexpr ScenarioRange kRanges[] = {
    {"horizon_years", 1, 10, "years to forecast"},
    {"bands.placement_duration_band_starts_days[]", 0, kMaxDays, "days since the placement began"},

    {"starting_population.counts.*.*.*", 0, kMaxChildrenInCell, "children in one category, age band and sex"},
    {"starting_population.uasc_counts.*.*.*", 0, kMaxChildrenInCell, "children in one category, age band and sex"},
    {"starting_population.mean_days_in_placement.*", 0, kMaxDays, "a mean number of days"},
    {"starting_population.mean_days_in_care_before_placement", 0, kMaxDays, "a mean number of days"},
    {"starting_population.placements_since_april.*.*", 0, kMaxChildrenInCategory, "children in one category"},
    {"starting_population.short_term_stability_percent", 0, 100, kPercent},
    {"starting_population.long_term_stability_percent", 0, 100, kPercent},

    {"entries.expected_per_year.*.*", 0, kMaxPerYear, "children a year"},
    {"entries.annual_growth_rate", kMinGrowth, kMaxGrowth, "a growth rate, a fraction a year"},
    {"entries.trend_damping_per_year", kMinDamping, 1, kDamping},
    {"entries.sibling_group_size_probability[]", 0, 1, kProbability},
    {"entries.first_placement_probability.*.*", 0, 1, kProbability},
    {"entries.per_10000_children.*.*", 0, 10'000, "children a year per 10,000 children"},
    {"population.uasc_cap_share_of_population", 0, 1, "a share of the child population"},
    {"uasc.expected_per_year.*.*", 0, kMaxPerYear, "children a year"},
    {"uasc.annual_growth_rate", kMinGrowth, kMaxGrowth, "a growth rate, a fraction a year"},
    {"uasc.trend_damping_per_year", kMinDamping, 1, kDamping},
    {"uasc.first_placement_probability.*.*", 0, 1, kProbability},

    {"placements.*.ending_hazard_per_year.*[]", 0, kMaxHazardPerYear, kHazard},
    {"placements.*.destination_probability.*.*", 0, 1, kProbability},
    {"leaving_care.staying_put_probability", 0, 1, kProbability},

    {"time_in_care.band_starts_months[]", 0, kMaxMonthsInCare, "months since care began"},
    {"time_in_care.exit_hazard_multiplier[]", 0, kMaxTimeInCareMultiplier, kMultiplier},
    {"time_in_care.move_hazard_multiplier[]", 0, kMaxTimeInCareMultiplier, kMultiplier},
    {"re_entry.band_starts_months[]", 0, kMaxMonthsInCare, "months since leaving care"},
    {"re_entry.hazard_per_year.*[]", 0, kMaxHazardPerYear, kHazard},
    {"re_entry.left_before_origin.*[]", 0, kMaxChildrenInCell, "children in one age band and time-since-leaving band"},
    {"variation.entries_sd_log_per_year", 0, kMaxSdLog, kSdLog},
    {"variation.exits_sd_log_per_year", 0, kMaxSdLog, kSdLog},
    {"variation.moves_sd_log_per_year", 0, kMaxSdLog, kSdLog},
    {"variation.autocorrelation", 0, kMaxAutocorrelation, "an autocorrelation a year"},
    {"variation.entries_drift_sd_log_per_year", 0, kMaxDriftSdLog, kSdLog},
    {"variation.exits_drift_sd_log_per_year", 0, kMaxDriftSdLog, kSdLog},
    {"variation.moves_drift_sd_log_per_year", 0, kMaxDriftSdLog, kSdLog},
    {"variation.drift_evidence_origins", 0, kMaxStatedEvidence, "origins"},
    {"uncertainty.hazard_evidence_child_years", kMinStatedEvidence, kMaxStatedEvidence, "child-years"},
    {"uncertainty.entry_evidence_years", kMinStatedEvidence, kMaxStatedEvidence, "years"},
    {"uncertainty.share_evidence_events", kMinStatedEvidence, kMaxStatedEvidence, "events"},
    {"uncertainty.entry_growth_sd_log_per_year", 0, kMaxSdLog, kSdLog},
    {"uncertainty.care_leaver_evidence_years", kMinStatedEvidence, kMaxStatedEvidence, "care-leaver years"},
    {"uncertainty.care_leaver_share_events", kMinStatedEvidence, kMaxStatedEvidence, "young people"},

    {"supply.in_house_households", 0, 10'000, "carer households"},
    {"supply.places_per_household_probability[]", 0, 1, kProbability},
    {"supply.approval_ranges[].min_age_years", 0, 17, "an age in years"},
    {"supply.approval_ranges[].max_age_years", 0, 17, "an age in years"},
    {"supply.approval_ranges[].probability", 0, 1, kProbability},
    {"supply.takes_sibling_groups_probability", 0, 1, kProbability},
    {"supply.match_chance_per_household", 0, 1, kProbability},
    {"supply.enquiries_per_year", 0, kMaxPerYear, "enquiries a year"},
    {"supply.application_probability", 0, 1, kProbability},
    {"supply.application_lag_months", 0, kMaxMonths, "months"},
    {"supply.approval_probability", 0, 1, kProbability},
    {"supply.approval_lag_months", 0, kMaxMonths, "months"},
    {"supply.deregistration_per_year", 0, kMaxHazardPerYear, kHazard},
    {"supply.leaves_when_last_child_leaves_probability", 0, 1, kProbability},
    {"supply.mockingbird_constellations", 0, 1'000, "constellations"},
    {"supply.households_per_constellation", 0, 100, "households"},
    {"supply.mockingbird_deregistration_multiplier", 0, 1, "a factor"},
    {"supply.mockingbird_move_multiplier", 0, 1, "a factor"},
    {"supply.agency_places", 0, 100'000, "places"},
    {"supply.external_home_beds", 0, 100'000, "beds"},
    {"supply.markets.*.chance_of_place_by_year[]", 0, 1, kProbability},
    {"supply.markets.*.price_rise_per_year", kMinRate, kMaxRate, "a real price rise, a fraction a year"},
    {"supply.unregistered_weekly_cost", 0, kMaxWeeklyCost, "£ a week"},
    {"supply.location.*.*", 0, 1, kProbability},
    {"supply.needs.shares_at_entry.*.*", 0, 1, kProbability},
    {"supply.needs.escalation_per_year", 0, kMaxHazardPerYear, kHazard},
    {"supply.needs.deescalation_per_year", 0, kMaxHazardPerYear, kHazard},
    {"supply.needs.households_approved_up_to.*", 0, 1, kProbability},
    {"supply.needs.chance_of_place.*.*", 0, 1, kProbability},
    {"supply.needs.weekly_cost_multiplier.*", 0, 20, "a factor on the weekly cost"},
    {"supply.homes[].beds", 0, 100, "beds in one home"},
    {"supply.homes[].annual_cost", 0, kMaxHomeCost, "£ a year"},
    {"supply.step_down.minimum_stay_days", 0, kMaxDays, "days"},
    {"supply.step_down.hazard_per_year", 0, kMaxHazardPerYear, kHazard},
    {"supply.step_down.specialist_places", 0, 1'000, "places"},
    {"supply.step_down.specialist_approvals_per_year", 0, 1'000, "places a year"},
    {"supply.step_down.max_places", 0, 1'000, "places"},
    {"supply.step_down.breakdown_hazard_per_year", 0, kMaxHazardPerYear, kHazard},
    {"supply.step_down.breakdown_months", 0, kMaxMonths, "months"},
    {"supply.step_down.weekly_cost", 0, kMaxWeeklyCost, "£ a week"},

    {"options.recruitment_campaigns[].extra_enquiries_per_year", 0, kMaxPerYear, "enquiries a year"},
    {"options.recruitment_campaigns[].extra_households", 0, 10'000, "carer households"},
    {"options.retention[].deregistration_reduction", 0, 1, "a fraction"},
    {"options.edge_of_care[].entry_reduction", 0, 1, "a fraction"},
    {"options.uasc_transfer[].extra_uasc_per_year", 0, kMaxPerYear, "children a year"},
    {"options.mockingbird_expansion[].extra_constellations", 0, 1'000, "constellations"},

    {"care_leavers.support_ends_at_21_probability", 0, 1, kProbability},
    {"care_leavers.staying_close_probability", 0, 1, kProbability},
    {"care_leavers.first_status_probability.*", 0, 1, kProbability},
    {"care_leavers.transition_hazard_per_year.*.*", 0, kMaxHazardPerYear, kHazard},
    {"care_leavers.starting_count.*.*", 0, kMaxChildrenInCell, "care leavers in one status and age band"},
    {"care_leavers.weekly_cost.*", 0, kMaxWeeklyCost, "£ a week"},
    {"care_leavers.personal_adviser_per_year", 0, kMaxOneOffCost, "£ a year"},
    {"care_leavers.setting_up_home_allowance", 0, kMaxOneOffCost, "£"},
    {"care_leavers.higher_education_bursary", 0, kMaxOneOffCost, "£"},
    {"care_leavers.higher_education_probability", 0, 1, kProbability},
    {"costs.base_year", kMinPriceYear, kMaxPriceYear, kFinancialYear},
    {"costs.inflation_per_year", kMinRate, kMaxRate, "an inflation rate, a fraction a year"},
    {"costs.discount_rate_per_year", kMinRate, kMaxRate, "a discount rate, a fraction a year"},
    {"costs.budget_per_financial_year[]", 0, kMaxBudget, "£ a financial year"},
    {"costs.weekly.*.weekly", 0, kMaxWeeklyCost, "£ a week"},
    {"costs.weekly.*.price_year", kMinPriceYear, kMaxPriceYear, kFinancialYear},
    {"costs.weekly.*.uprating_per_year", kMinRate, kMaxRate, kUprating},
    {"costs.weekly.*.coefficient_of_variation", 0, 5, "a coefficient of variation"},
    {"costs.carer_support_per_household_per_year.annual", 0, kMaxOneOffCost, "£ a year"},
    {"costs.carer_support_per_household_per_year.price_year", kMinPriceYear, kMaxPriceYear, kFinancialYear},
    {"costs.carer_support_per_household_per_year.uprating_per_year", kMinRate, kMaxRate, kUprating},
    {"costs.adoption_inter_agency_fee.amount", 0, kMaxOneOffCost, "£"},
    {"costs.adoption_inter_agency_fee.price_year", kMinPriceYear, kMaxPriceYear, kFinancialYear},
    {"costs.adoption_inter_agency_fee.uprating_per_year", kMinRate, kMaxRate, kUprating},
    {"costs.recruitment_per_approval.amount", 0, kMaxOneOffCost, "£"},
    {"costs.recruitment_per_approval.price_year", kMinPriceYear, kMaxPriceYear, kFinancialYear},
    {"costs.recruitment_per_approval.uprating_per_year", kMinRate, kMaxRate, kUprating},
    {"costs.step_down_support_package.amount", 0, kMaxOneOffCost, "£"},
    {"costs.step_down_support_package.price_year", kMinPriceYear, kMaxPriceYear, kFinancialYear},
    {"costs.step_down_support_package.uprating_per_year", kMinRate, kMaxRate, kUprating},

    {"stability.hazard_multiplier.*.*", 0, 100, "a multiplier"},

    {"evidence.placements.*.ending_events.*[]", 0, kMaxEvidence, kEvidence},
    {"evidence.placements.*.ending_exposure_years.*[]", 0, kMaxEvidence, kEvidence},
    {"evidence.placements.*.ending_prior_events.*[]", 0, kMaxEvidence, kEvidence},
    {"evidence.placements.*.ending_prior_exposure_years.*[]", 0, kMaxEvidence, kEvidence},
    {"evidence.placements.*.destination_counts.*.*", 0, kMaxEvidence, kEvidence},
    {"evidence.placements.*.destination_prior_counts.*.*", 0, kMaxEvidence, kEvidence},
    {"evidence.*.counts.*.*", 0, kMaxEvidence, kEvidence},
    {"evidence.*.exposure_years.*.*", 0, kMaxEvidence, kEvidence},
    {"evidence.*.prior_counts.*.*", 0, kMaxEvidence, kEvidence},
    {"evidence.*.prior_exposure_years.*.*", 0, kMaxEvidence, kEvidence},
    {"evidence.*.growth_sd_log_per_year", 0, kMaxSdLog, kSdLog},
    {"evidence.*.first_placement_counts.*.*", 0, kMaxEvidence, kEvidence},
    {"evidence.*.first_placement_prior_counts.*.*", 0, kMaxEvidence, kEvidence},
};

// One dotted segment against a pattern segment: equal, or `*` standing for a name with the same
// index suffix (`*[]` matches `all[]`).
bool segment_matches(std::string_view pattern, std::string_view segment) {
  if (pattern.empty() || pattern.front() != '*') return pattern == segment;
  const std::string_view suffix = pattern.substr(1);
  if (segment.size() < suffix.size() || segment.substr(segment.size() - suffix.size()) != suffix) return false;
  const std::string_view name = segment.substr(0, segment.size() - suffix.size());
  return !name.empty() && name.find('[') == std::string_view::npos;
}

bool key_matches(std::string_view pattern, std::string_view key) {
  for (;;) {
    const std::size_t pattern_dot = pattern.find('.');
    const std::size_t key_dot = key.find('.');
    if (!segment_matches(pattern.substr(0, pattern_dot), key.substr(0, key_dot))) return false;
    if (pattern_dot == std::string_view::npos || key_dot == std::string_view::npos) {
      return pattern_dot == std::string_view::npos && key_dot == std::string_view::npos;
    }
    pattern.remove_prefix(pattern_dot + 1);
    key.remove_prefix(key_dot + 1);
  }
}

// `a.b[3].c[12]` -> `a.b[].c[]`: indices do not change a number's range.
std::string without_indices(std::string_view key) {
  std::string plain;
  for (std::size_t i = 0; i < key.size(); ++i) {
    plain += key[i];
    if (key[i] != '[') continue;
    while (i + 1 < key.size() && key[i + 1] != ']') ++i;
  }
  return plain;
}

}  // namespace

std::span<const ScenarioRange> scenario_ranges() { return kRanges; }

const ScenarioRange* find_scenario_range(std::string_view key) {
  const std::string plain = without_indices(key);
  for (const ScenarioRange& range : kRanges) {
    if (key_matches(range.key_pattern, plain)) return &range;
  }
  return nullptr;
}

double clamp_to_scenario_range(std::string_view key, double value) {
  const ScenarioRange* range = find_scenario_range(key);
  if (range == nullptr) throw std::logic_error("clamp_to_scenario_range: no range for " + std::string(key));
  return std::clamp(value, range->min, range->max);
}

bool in_range(const ScenarioRange& range, double value) {
  return std::isfinite(value) && value >= range.min && value <= range.max;
}

std::string format_bound(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", x);
  return buffer;
}

std::string out_of_range_problem(const ScenarioRange& range, double value) {
  const std::string bounds = range.min == 0 ? "0 or more and at most " + format_bound(range.max)
                                            : "between " + format_bound(range.min) + " and " + format_bound(range.max);
  return "must be " + bounds + " (" + std::string(range.what) + "); got " + format_bound(value);
}

}  // namespace carecast
