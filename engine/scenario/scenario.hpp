// A scenario: everything the simulation needs, validated, in the units the engine uses.
//
// This is plain data. scenario_loader.cpp builds it from TOML (see scenarios/REFERENCE.md for the
// file format); calibration (issue 3) will build it from SSDA903 history. Rates are per year here,
// exactly as the file gives them; the simulation converts them to per day once when it compiles
// its tables.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/care_kinds.hpp"
#include "core/care_leaver_statuses.hpp"
#include "core/location_bands.hpp"
#include "core/needs_levels.hpp"
#include "core/categories.hpp"
#include "scenario/population_table.hpp"
#include "scenario/re_entry.hpp"

namespace carecast {

template <typename T>
using PerAgeBand = std::array<T, kAgeBandCount>;
template <typename T>
using PerCategory = std::array<T, kCategoryCount>;
template <typename T>
using PerSex = std::array<T, kSexCount>;

// One child looked after at the forecast origin. No identifier and no date of birth: age is in
// days at the origin, which is all the engine needs.
struct StartingChild {
  std::int32_t age_days = 0;
  Sex sex = Sex::male;
  Category category = Category::foster_in_house;
  std::int32_t days_in_placement = 0;  // 0 = placement started on the origin date
  std::int32_t days_in_care = 0;       // >= days_in_placement
  std::int32_t placements_since_april = 1;  // placements in the current collection year, incl. this one
  bool uasc = false;
  // Placed for adoption after another placement in the same period of care: days since that one
  // began, which the DfE long-term stability measure counts with the adoptive placement. 0 = none.
  std::int32_t days_since_previous_placement = 0;
};

// Starting children described only as a group, the form `carecast calibrate` writes: the
// children of one category whose ages and times in care and in placement lie within the given
// ranges, in whole months at the origin. Each replication draws every child's exact days
// uniformly within the group's months, so no file holds a real child's date of birth or care
// dates, and calibration makes every group hold at least kMinimumStartingGroupSize children.
struct MonthRange {
  std::int32_t min = 0;
  std::int32_t max = 0;  // inclusive
};
inline constexpr int kMinimumStartingGroupSize = 5;
// The length of a "month" in these ranges: a twelfth of a year of 365.25 days.
inline constexpr double kDaysPerMonth = 365.25 / 12.0;
// Placements since 1 April are kept up to 3: the DfE short-term measure asks only for 3 or more.
inline constexpr std::int32_t kPlacementsSinceAprilCap = 3;
struct StartingGroup {
  Category category = Category::foster_in_house;
  std::int32_t children = 0;
  std::int32_t male = 0;  // how many of the children are male
  std::int32_t uasc = 0;  // how many are unaccompanied asylum-seeking children
  MonthRange age_months;
  MonthRange months_in_care;
  MonthRange months_in_placement;
  // How many of the children have had 1, 2, and 3 or more placements since 1 April, counting the
  // current one: kept exactly, because the DfE short-term stability measure at the origin is the
  // share with 3 or more. Sums to children.
  std::array<std::int32_t, kPlacementsSinceAprilCap> placements_since_april{};
  // How many are placed for adoption and, with the placement before it, have been in the same
  // placement for 2 years or more, as the DfE long-term measure counts them: the ranges above say
  // only how long the adoptive placement itself has lasted. Kept exactly, as the counts above.
  std::int32_t placed_for_adoption_2_years_with_previous = 0;
};

// The largest age in days a child looked after at `origin` can have: one day short of 18.
std::int32_t largest_starting_age_days(Date origin);

// The alternative form of starting population: counts, from which each replication draws
// individual children. Age is uniform within the band; days in placement is exponential with the
// category's mean, truncated at the child's age; days in care before the current placement is
// exponential with its own mean, truncated at the age at which the placement started.
//
// The DfE stability measures at the origin (simulation/starting_counts_draw.hpp says exactly how
// each is honoured):
//   - placements since 1 April: either counts by category (exact in count), or only the
//     short-term figure, the % of all starting children with 3 or more (exact in count, spread
//     evenly over the categories, age bands and sexes). Without either, a child has 2 if its
//     placement began after the latest 1 April in a period of care begun before it, else 1, and
//     nobody has 3 or more: the first 31 March then understates the short-term measure.
//   - long-term: of children under 16 looked after for 30 months or more at the origin, the %
//     in the same placement for 24 months or more (exact in expectation).
// Stating them changes whom each child's draws pick, never the distribution of days in placement
// of a category, which `carecast expect` relies on.
struct StartingCounts {
  PerCategory<PerAgeBand<PerSex<int>>> count{};  // [category][age band][sex]
  PerCategory<PerAgeBand<PerSex<int>>> uasc_count{};  // how many of each cell's children are UASC
  PerCategory<double> mean_days_in_placement{};  // days, > 0 where a count is non-zero
  double mean_days_in_care_before_placement = 0; // days, >= 0
  // [category][k]: children of the category with k + 1 placements since 1 April (the last entry:
  // 3 or more), counting the current one; sums to the category's children.
  std::optional<PerCategory<std::array<int, kPlacementsSinceAprilCap>>> placements_since_april;
  std::optional<double> short_term_stability_percent;  // 0-100; only without placements_since_april
  std::optional<double> long_term_stability_percent;   // 0-100
  // Children looked after at the start, in all.
  int children() const {
    int total = 0;
    for (const auto& category : count)
      for (const auto& band : category) total += band[0] + band[1];
    return total;
  }
  // Whether the start says how many children have had 3 or more placements since 1 April.
  bool states_placements_since_april() const {
    return placements_since_april.has_value() || short_term_stability_percent.has_value();
  }
};

// `total` children shared out among the cells of a [category][age band][sex] table in proportion to
// `weights`' cells (core/apportion.hpp): each cell its share rounded down, the rest to the largest remainders.
PerCategory<PerAgeBand<PerSex<int>>> apportion_cells(long long total, const PerCategory<PerAgeBand<PerSex<int>>>& weights);

// The children scaled by `scale` (> 0): lround(children() * scale) in all, shared out among the cells in
// proportion to their children (core/apportion.hpp), and the UASC among them likewise, each cell's UASC at
// most its children. Rounding each cell on its own would lose or add children wherever cells are small.
// Each category's days and the stability percentages stay; placements_since_april (counts by category) is
// dropped, as it no longer adds up.
void scale_starting_children(StartingCounts& counts, double scale);

// A stream of children entering care: expected children a year by age band and sex, following a
// damped log-linear trend from the origin, each placed first according to first_placement.
//
// The trend: with gamma = log(1 + annual_growth_rate) and phi = trend_damping_per_year, the
// expected rate t years after the origin is expected_per_year * exp(gamma * D(t)), where
// D(t) = (1 - phi^t) / (-log phi) for phi < 1 and D(t) = t for phi = 1. The growth rate itself
// shrinks by the factor phi every year, so a trend seen in history fades instead of compounding
// for ever: with phi = 0.8 the rate settles at about exp(4.5 gamma) times its origin value.
struct EntryStream {
  PerAgeBand<PerSex<double>> expected_per_year{};  // children a year at the origin
  double annual_growth_rate = 0;  // fraction a year at the origin: 0.02 = +2%/yr
  double trend_damping_per_year = 1;  // phi in (0, 1]: 1 = undamped (compounding for ever)
  PerAgeBand<PerCategory<double>> first_placement_probability{};  // sums to 1 over categories per band
  double total_per_year() const;
};

// A rate known from data: events over exposure, shrunk by a prior worth prior_events events over
// prior_exposure. The point estimate is (events + prior_events) / (exposure + prior_exposure);
// its posterior is Gamma(shape events + prior_events, rate exposure + prior_exposure).
struct GammaEvidence {
  double events = 0;
  double exposure = 0;  // child-years for hazards, years for entry rates
  double prior_events = 0;
  double prior_exposure = 0;
  double shape() const { return events + prior_events; }
  double rate() const { return exposure + prior_exposure; }
};

// Counts of a categorical outcome with a Dirichlet prior: posterior Dirichlet(counts + prior).
template <int N>
struct DirichletEvidence {
  std::array<double, N> counts{};
  std::array<double, N> prior{};
};

// The data behind a calibrated scenario, kept so each replication can draw its rates from their
// posterior and forecast intervals include estimation uncertainty. Built by `carecast calibrate`;
// a hand-written scenario has none and its rates are taken as known.
struct RateEvidence {
  // Placement endings by [category][age band][duration band], flattened like ending_hazard_per_year.
  std::vector<GammaEvidence> ending;
  PerCategory<PerAgeBand<DirichletEvidence<kOutcomeCount>>> destination{};
  // Entries a year by [age band][sex], and first placements by age band, for each stream.
  PerAgeBand<PerSex<GammaEvidence>> entries{};
  PerAgeBand<DirichletEvidence<kCategoryCount>> first_placement{};
  PerAgeBand<PerSex<GammaEvidence>> uasc_entries{};
  PerAgeBand<DirichletEvidence<kCategoryCount>> uasc_first_placement{};
  // How well each stream's trend is known: the standard deviation of its slope on the log scale,
  // log(1 + annual_growth_rate), a year. Each replication draws the slope from Normal(stated
  // slope, sd^2), so uncertainty about growth widens intervals with the horizon (by D(t), see
  // EntryStream) as uncertainty about the level cannot. 0: the growth is taken as known.
  double entries_growth_sd_log_per_year = 0;
  double uasc_growth_sd_log_per_year = 0;
};

// Year-to-year (systemic) variation: multipliers common to every child of a replication that
// change from one year to the next (court delays, policy, a pandemic). Year k of a replication is
// [k, k+1) years of 365.25 days after the origin. For each process p (entries, exits, moves) a
// log-scale AR(1) path is drawn once per replication on its own stream:
//   z_0 ~ Normal(0, v),  z_k = autocorrelation * z_{k-1} + e_k,  e_k ~ Normal(0, sd_p^2),
// with v = sd_p^2 / (1 - autocorrelation^2) the stationary variance, and the multiplier in year k
// is exp(z_k - v / 2), so that its mean is 1. z starts stationary because a scenario's rates are
// those of a typical year (calibration averages several), and the year the origin falls in is as
// likely to be a good or a bad one as any other.
//   - entries: multiplies the expected entries of both streams (and UASC);
//   - exits: multiplies the hazard of a placement ending with the child leaving care;
//   - moves: multiplies the hazard of a placement ending with a move to another placement.
// Exit and move hazards are a placement-ending hazard times the destination's probability, so the
// simulation scales the ending hazard of (category, age band) by
// P(exit) * m_exits + P(move) * m_moves and re-weights the destinations to match.
// On top of the AR(1), each process may drift: a random walk w with w_0 ~ Normal(0, d_p^2) and
// w_k = w_{k-1} + Normal(0, d_p^2), drawn on a stream of its own, so the multiplier of year k is
// exp(z_k + w_k - (v + (k+1) d_p^2) / 2). The AR(1) returns to the typical year; a drift does not:
// it is the part of a council's change that no history window predicts (a new court practice, a
// change of director, a regime shift), whose spread grows with the horizon. `carecast calibrate`
// sizes it from how far the council's own past forecasts missed (calibration/drift_estimation.hpp).
// That size is itself an estimate from a few backtested origins, so with drift_evidence_origins
// = n > 0 each replication draws its own drift variances, d^2 * n / X with X ~ chi-squared(n) (the
// scaled inverse chi-squared posterior of a variance known from n observations): one draw for
// entries and exits together (calibrate sizes them together), one for moves, each sd capped at
// kMaxDriftSdLog. With few origins this fattens the tails of the intervals, as the worlds whose
// rates later shifted need; 0 (the default) takes the drift sds as known.
// All sds 0 (the default) = no systemic variation.
struct SystemicVariation {
  double entries_sd_log_per_year = 0;  // sd of the yearly innovation, natural-log scale
  double exits_sd_log_per_year = 0;
  double moves_sd_log_per_year = 0;
  double autocorrelation = 0;  // per year, in [0, 1)
  double entries_drift_sd_log_per_year = 0;  // sd of the random walk's yearly step, natural-log scale
  double exits_drift_sd_log_per_year = 0;
  double moves_drift_sd_log_per_year = 0;
  double drift_evidence_origins = 0;  // degrees of freedom of the drift sds' posterior; 0 = known
  bool drifts() const {
    return entries_drift_sd_log_per_year > 0 || exits_drift_sd_log_per_year > 0 || moves_drift_sd_log_per_year > 0;
  }
  bool varies_endings() const {
    return exits_sd_log_per_year > 0 || moves_sd_log_per_year > 0 || exits_drift_sd_log_per_year > 0 ||
           moves_drift_sd_log_per_year > 0;
  }
  bool any() const {
    return entries_sd_log_per_year > 0 || exits_sd_log_per_year > 0 || moves_sd_log_per_year > 0 || drifts();
  }
};

// Time in care: how the hazards of leaving care and of moving change with how long the child has
// been looked after in this period of care, beyond what the time in the current placement and age
// already say. A council's children still in care after two or three years are mostly those whose
// plan is to stay until 18, so their chance of leaving care is lower than their age and placement
// alone suggest; a forecast without it lets long stayers leave too soon (and counts their
// placements as ending too soon for long-term stability). Band b covers
// [band_starts_months[b], band_starts_months[b+1]) months since the period of care began (a month
// is a twelfth of 365.25 days); the last band is open-ended. In band b the hazard of a placement
// ending with an exit is multiplied by exit_hazard_multiplier[b] and with a move by
// move_hazard_multiplier[b], so the ending hazard of (category, age band) is scaled by
// P(exit) * exit + P(move) * move and the destinations are re-weighted, as the year-to-year
// multipliers are (SystemicVariation). `carecast calibrate` estimates the multipliers as observed
// over expected endings in each band (calibration/estimation.cpp). Empty = no effect.
struct TimeInCare {
  std::vector<std::int32_t> band_starts_months;
  std::vector<double> exit_hazard_multiplier;
  std::vector<double> move_hazard_multiplier;
  bool enabled() const { return !band_starts_months.empty(); }
  int band_count() const { return enabled() ? static_cast<int>(band_starts_months.size()) : 1; }
};

// Parameter uncertainty for rates written by hand (a scenario without calibration evidence): each
// rate is taken as if estimated from this much data, and each replication draws it from the
// matching posterior (Gamma for rates, Dirichlet for shares), centred on the stated value. A
// scenario states its own in [uncertainty]; the defaults are documented in scenarios/REFERENCE.md.
//
// The defaults are about what three years of a council looking after some 400 children would give
// (the default council's size): 10 child-years is a typical occupied hazard cell's time at risk
// (about 1,200 child-years spread over about a hundred occupied cells of category, age band and
// time in placement), so a hazard of 0.5 a year varies by about 45% (coefficient of variation)
// between replications; 3 years of entries put about 15% on a cell of 15 entries a year (one age
// band and sex) and about 5% on a stream of 150 a year; 20 events behind a set of shares give a
// share of 0.3 a standard deviation of about 0.1. A hand-written rate is rarely known better.
struct StatedUncertainty {
  bool enabled = true;
  double hazard_child_years = 10;   // time at risk behind each placement-ending hazard cell
  double entry_years = 3;           // years of entries behind each entry rate
  double share_events = 20;         // events behind each destination / first-placement distribution
  // sd of each entry stream's growth a year, on the log scale, about the stated growth (0 when
  // none is stated): about what five full years of some 200 entries a year, scattered from year
  // to year as councils' entries are, give a fitted log-linear trend (0.03 = +/-3% a year).
  double entry_growth_sd_log_per_year = 0.03;
  // Care leavers ([care_leavers]), whose rates are hand-written even in a calibrated scenario: the
  // care-leaver years in each status behind that status's transition hazards, and the young people
  // behind each share (first status, staying close, support ending at 21, higher education).
  // About a year of the care leavers a council of some 300 has in one status: the default rates
  // are assumptions, so they are taken as loosely known.
  double care_leaver_evidence_years = 30;
  double care_leaver_share_events = 20;
};

// A change that starts on a date and grows linearly to its full value by a later date: how
// commissioning options phase in. 0 before `start`, `full_value` from `full`.
struct Ramp {
  Date start;
  Date full;  // on or after start; equal to start for a change that takes effect at once
  double full_value = 0;
  std::optional<Date> end;  // the change stops at the start of this day (after `start`); none = never
};

// An in-house children's home: beds from an opening date to an optional closing date, at a fixed
// running cost a year whatever its occupancy.
struct InHouseHome {
  std::string name;
  int beds = 0;
  Date opens;
  std::optional<Date> closes;
  double annual_cost = 0;
};

// Approval age range of a carer household, with the share of households approved for it.
struct ApprovalRange {
  int min_age_years = 0;   // youngest age approved, inclusive
  int max_age_years = 17;  // oldest age approved, inclusive
  double probability = 1;
};

// Residential step-down: children in children's homes move to specialist foster carers.
struct StepDownProgramme {
  Date starts;
  int minimum_stay_days = 0;           // in the children's home before a child is eligible
  double hazard_per_year = 0;          // of an eligible child stepping down, while a place is free
  int specialist_places = 0;           // specialist carer places at the programme start
  double specialist_approvals_per_year = 0;  // new specialist places a year
  int max_places = 0;                  // cap on children stepped down at once (0 = the places)
  double breakdown_hazard_per_year = 0;  // in the first breakdown_months of a step-down placement
  double breakdown_months = 0;
  double weekly_cost = 0;              // £ a week per specialist placement
};

// Children's needs ([supply.needs]; simulation/child_needs.hpp): each child's assessed level,
// drawn at entry (and at the origin) by age band, moving up or down a level at yearly hazards; and
// which places are approved for each level. A place approved for a level takes every lower level.
struct Needs {
  PerAgeBand<std::array<double, kNeedsLevelCount>> shares_at_entry{};  // by age band, summing to 1
  double escalation_per_year = 0;    // hazard of moving up a level (none above very_complex)
  double deescalation_per_year = 0;  // hazard of moving down a level (none below standard)
  // Shares of in-house carer households approved up to each level (the highest level they take),
  // drawn once when a household is approved. Unset in a scenario: every household takes every level.
  std::array<double, kNeedsLevelCount> households_approved_up_to = {0, 0, 1};
  // Per provider (except in-house carers, approved household by household): the chance that a
  // search of it finds a place approved for a child of each level (0 = never approved for that
  // level, as a home that takes no very complex needs). Unlisted providers take every level.
  PerCategory<std::array<double, kNeedsLevelCount>> chance_of_place{};
  // Multiplier on a placement's weekly cost, by the child's level, for every provider.
  std::array<double, kNeedsLevelCount> weekly_cost_multiplier = {1, 1, 1};
  Needs() {
    for (auto& chances : chance_of_place) chances.fill(1);
  }
};

// Finite supply: carer households and beds. Without it (enabled = false) a place always exists.
struct Supply {
  bool enabled = false;

  // In-house mainstream carer households at the origin and how they are made up.
  int in_house_households = 0;
  std::vector<double> places_per_household_probability = {1.0};  // index 0 = 1 place
  std::vector<ApprovalRange> approval_ranges = {ApprovalRange{}};
  double takes_sibling_groups_probability = 0;
  // Matching: the chance that one household with a free place approved for a child (age range,
  // siblings) suits that child (the carers' skills, the children already there, distance, the
  // carers' own choice). Each such household suits independently, so a child finds an in-house
  // carer with chance 1 - (1 - q)^k when k households are free and approved for them: more
  // households, more matches. 1 = the first free approved household always takes the child.
  double match_chance_per_household = 1;

  // Flows: recruitment funnel and deregistration.
  double enquiries_per_year = 0;
  double application_probability = 0;  // of an enquiry
  double application_lag_months = 0;    // enquiry to application
  double approval_probability = 0;     // of an application
  double approval_lag_months = 0;       // application to approval
  double deregistration_per_year = 0;   // hazard per household
  // The chance that a household leaves when the last child placed with it leaves (carers who stop between
  // children), on top of deregistration_per_year. Nobody moves because of it. calibrate's capacity from the
  // returns uses it instead of the hazard, since the returns' move rates already hold every move that happened.
  double leaves_when_last_child_leaves_probability = 0;

  // Mockingbird: members' deregistration and placement moves are scaled by these factors.
  int mockingbird_constellations = 0;
  int households_per_constellation = 0;
  double mockingbird_deregistration_multiplier = 1;
  double mockingbird_move_multiplier = 1;

  // Caps; nullopt = unlimited.
  std::optional<int> agency_places;
  std::optional<int> external_home_beds;
  std::vector<InHouseHome> homes;
  // With no `homes` listed: true, the council's own children's homes are not finite (a child who needs one always
  // finds a bed, as calibrate writes when the returns show such placements but no beds); false, there are none.
  bool in_house_homes_unlimited = false;

  // Where to look, in order, when the wanted category has no place. The child is placed against
  // preference. If nothing in the list has a place, the child goes to `other` (an unregistered
  // arrangement), also against preference.
  PerCategory<std::vector<Category>> fallback{};

  std::optional<StepDownProgramme> step_down;

  // What a placement draw names. kind_of_care: a kind of care (core/care_kinds.hpp), whose
  // provider the placement market chooses from what is free, in `preference` order, so the
  // in-house/agency split responds to supply. placement_category: the provider itself, as drawn.
  enum class Demand : std::uint8_t { kind_of_care, placement_category };
  Demand demand = Demand::kind_of_care;
  // Providers of each kind of care, in the order they are tried. Empty = the default order:
  // in-house carers then agency carers for family foster care, the council's own homes then
  // external homes for residential care, the kind's one category for the others.
  std::array<std::vector<Category>, kCareKindCount> preference{};
  // The agency and external-home markets: the chance that a search finds a place (when the
  // market has room), year by year from the origin, the last value holding after; and the real
  // yearly rise of the market's weekly price above the [costs] inflation.
  struct Market {
    std::vector<double> chance_of_place_by_year;  // empty = always 1
    double price_rise_per_year = 0;
  };
  Market agency_market;
  Market external_home_market;
  // £ a week of an unregistered placement (nothing registered was free); unset = [costs.weekly] other.
  std::optional<double> unregistered_weekly_cost;
  // Distance from home ([supply.location]): each provider's shares of placements inside the
  // council's area, outside it within 20 miles, and further (core/location_bands.hpp); unregistered
  // arrangements take `other`'s. Unset: no locations are drawn and no distance metrics written.
  std::optional<PerCategory<std::array<double, kLocationBandCount>>> location_shares;
  // Children's needs levels and the places approved for them. Unset: no levels are drawn, every
  // place takes every child, and no needs metrics are written.
  std::optional<Needs> needs;
};

// Commissioning options layered on a scenario, each phasing in from its start date.
struct CommissioningOptions {
  std::vector<Ramp> extra_enquiries_per_year;              // recruitment campaigns: enquiries a year
  std::vector<Ramp> deregistration_reduction;              // better retention: fraction of the hazard removed
  std::vector<std::pair<Date, int>> extra_constellations;  // more Mockingbird constellations from a date
  std::vector<Ramp> entry_reduction;                       // edge-of-care work: fraction of entries avoided
  std::vector<Ramp> extra_uasc_per_year;                   // a UASC transfer intake: children a year
};

// Unit costs (docs/sources.md, "Unit costs"), in prices of the base financial year (already uprated from each
// item's own price year by the loader). Costs accrue in the simulation clock's months and are
// inflated by financial year after the base year.
struct Costs {
  bool enabled = false;
  int base_year = 0;                    // financial year beginning 1 April of this year
  double inflation_per_year = 0;        // fraction a year, applied by financial year after base_year
  double discount_rate_per_year = 0.035;  // Green Book
  PerCategory<double> weekly{};         // £ per child per week, by placement category
  PerCategory<double> coefficient_of_variation{};  // 0 = every placement costs the mean; else lognormal
  double carer_support_per_household_per_year = 0;  // in-house carer households, whatever their use
  double adoption_fee = 0;              // one-off, per adoption exit
  double recruitment_per_approval = 0;  // one-off, per new household approved
  double step_down_package = 0;         // one-off, per step-down
  std::vector<double> budget_per_financial_year;  // £, from the origin's financial year on
};

// Care leavers from 18 to 25 ([care_leavers], simulation/care_leavers.hpp). Absent: carecast stops
// at the 18th birthday.
struct CareLeaverSettings {
  bool enabled = false;
  // Chance that a care leaver declines support after 21 (support then ends at the 21st birthday,
  // otherwise at the 25th).
  double support_ends_at_21_probability = 0;
  // Chance that a young person leaving a children's home at 18 stays close.
  double staying_close_probability = 0;
  // Status on leaving care of a young person who neither stays put nor stays close; only statuses
  // reachable_after_leaving are non-zero. Sums to 1.
  std::array<double, kCareLeaverStatusCount> first_status_probability{};
  // Hazard a year of moving from status [from] to status [to]; 0 on the diagonal and into staying
  // put or staying close. Staying put ends at 21: the young person then moves as the staying-put
  // row's hazards share it out (to independent if they are all 0).
  std::array<std::array<double, kCareLeaverStatusCount>, kCareLeaverStatusCount> hazard_per_year{};
  // Care leavers at the origin, by [status][age band] (18 to 20, 21 to 25); each replication draws
  // each one's age uniformly within the band. Staying put only in the 18 to 20 band.
  std::array<std::array<int, kCareLeaverAgeBandCount>, kCareLeaverStatusCount> starting_count{};
  // Costs, in [costs] base-year prices, booked (with [costs]) under the cost category care_leavers.
  std::array<double, kCareLeaverStatusCount> weekly_cost{};  // £ a week by status (e.g. the staying-put allowance)
  double personal_adviser_per_year = 0;    // £ a year for each care leaver
  double setting_up_home_allowance = 0;    // £ once, when a care leaver first lives independently
  double higher_education_bursary = 0;     // £ once, on becoming a care leaver, for those going to higher education
  double higher_education_probability = 0;
};

// How well the care-leaver rates are known (StatedUncertainty: care_leaver_evidence_years and
// care_leaver_share_events), so each replication can draw them (parameter_draws.hpp): each
// transition hazard [from][to] a Gamma, the first status a Dirichlet, and each yes-or-no share a
// Beta, as Dirichlet evidence of {yes, no}.
struct CareLeaverEvidence {
  std::array<std::array<GammaEvidence, kCareLeaverStatusCount>, kCareLeaverStatusCount> hazard{};
  DirichletEvidence<kCareLeaverStatusCount> first_status{};
  DirichletEvidence<2> support_ends_at_21{};
  DirichletEvidence<2> staying_close{};
  DirichletEvidence<2> higher_education{};
};

// Levers on placement stability: placement-ending hazards scaled by category and age band.
struct StabilityLevers {
  PerCategory<PerAgeBand<double>> hazard_multiplier = [] {
    PerCategory<PerAgeBand<double>> ones{};
    for (auto& bands : ones) bands.fill(1.0);
    return ones;
  }();
};

struct Scenario {
  std::string name;
  std::string description;
  std::filesystem::path file;  // the scenario file as given
  // Every file the scenario was built from (extends chain, children CSV), most derived first;
  // run.json hashes their contents.
  std::vector<std::filesystem::path> source_files;

  Date origin;  // the snapshot date: children listed are looked after at the end of this day
  int horizon_years = 5;

  // Start of each time-in-placement band in days, strictly increasing, first element 0.
  // Band j covers [start[j], start[j+1]); the last band is open-ended.
  std::vector<std::int32_t> duration_band_start_days = {0, 28, 91, 182, 365, 730};

  // Starting population: exactly one of these is used.
  std::vector<StartingChild> starting_children;  // from the per-child CSV, or built in code
  std::vector<StartingGroup> starting_groups;    // from the groups CSV that calibrate writes
  std::optional<StartingCounts> starting_counts;

  EntryStream entries;  // children who are not unaccompanied asylum seekers
  // Probability that a group of children entering together has size 1, 2, ...; index 0 is size 1.
  // Expected entries count children, so groups arrive at entries/mean group size a year.
  std::vector<double> sibling_group_size_probability = {1.0};
  EntryStream uasc;  // unaccompanied asylum-seeking children: always enter alone
  // The child population ([population]): entries tied to it and the UASC cap (population_table.hpp).
  std::optional<ChildPopulation> population;

  // Hazard a year that the current placement ends, by [category][age band][duration band].
  // Flattened: index ((category * kAgeBandCount) + band) * duration_band_count() + duration band.
  std::vector<double> ending_hazard_per_year;
  // Given a placement ends: probability of each outcome (outcome indices in categories.hpp), by
  // [category][age band]. Sums to 1 for every category and band.
  PerCategory<PerAgeBand<std::array<double, kOutcomeCount>>> destination_probability{};

  // Probability that a young person in a foster placement on their 18th birthday stays put
  // (SSDA903 E17) rather than leaving to other arrangements. Both end care.
  double staying_put_probability = 0;

  ReEntry re_entry;  // [re_entry]: none unless given

  SystemicVariation variation;
  TimeInCare time_in_care;
  StatedUncertainty stated_uncertainty;  // used only when `evidence` is absent

  Supply supply;
  CommissioningOptions options;
  Costs costs;
  StabilityLevers stability;
  CareLeaverSettings care_leavers;

  // Present for calibrated scenarios: the evidence behind the rates above (which are its point
  // estimates).
  std::optional<RateEvidence> evidence;

  int duration_band_count() const { return static_cast<int>(duration_band_start_days.size()); }
  double ending_hazard(Category c, AgeBand a, int duration_band) const {
    return ending_hazard_per_year[(static_cast<std::size_t>(c) * kAgeBandCount + static_cast<std::size_t>(a)) *
                                      duration_band_start_days.size() +
                                  static_cast<std::size_t>(duration_band)];
  }
  Date horizon_end() const;  // origin + horizon_years
};

}  // namespace carecast
