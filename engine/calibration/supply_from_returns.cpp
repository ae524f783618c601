#include "calibration/supply_from_returns.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include "calibration/national_carer_assumptions.hpp"
#include "history/returns_figures.hpp"
#include "output/written_text.hpp"

namespace carecast {
namespace {

struct InHouseTurnover {
  double placements_ended = 0;  // in-house foster placements ending in the year to the as-of date
  double child_years = 0;       // children's time in them over that year
};

InHouseTurnover in_house_turnover(const CareHistory& history, Date as_of) {
  const Date from = as_of - std::chrono::days{365};
  InHouseTurnover turnover;
  for (const ChildHistory& child : history.children) {
    for (const CarePeriod& period : child.periods) {
      for (const PlacementSpell& spell : period.placements) {
        if (spell.category != Category::foster_in_house) continue;
        const Date end = spell.end && *spell.end < as_of ? *spell.end : as_of;
        const Date start = std::max(spell.start, from);
        if (end > start) turnover.child_years += days_between(start, end) / 365.25;
        if (spell.end && *spell.end > from && *spell.end <= as_of) ++turnover.placements_ended;
      }
    }
  }
  return turnover;
}

}  // namespace

SupplyFromFigures in_house_capacity_from_returns(const CareHistory& history, Date as_of, const Scenario& calibrated) {
  SupplyFromFigures out;
  PublishedFigure in_house;
  in_house.metric = FigureMetric::children_looked_after;
  in_house.category.kind = FigureCategory::Kind::placement;
  in_house.category.members = std::uint32_t{1} << static_cast<int>(Category::foster_in_house);
  in_house.date = as_of;
  const ReturnsFigure counted = figure_from_returns(history, in_house);
  const int places = counted.value ? static_cast<int>(*counted.value) : 0;
  if (places == 0) {
    out.notes.push_back(
        "No in-house carer capacity: the returns show no child with in-house foster carers on the as-of date, so "
        "in-house and agency foster care keep the shares the returns give.");
    return out;
  }
  if (!agency_foster_in_use(calibrated)) {
    out.notes.push_back(
        "No in-house carer capacity: the returns show no agency foster placement for a child who finds no in-house "
        "carer to fall back on, so in-house foster care keeps the share the returns give.");
    return out;
  }
  Supply supply;
  supply.enabled = true;
  supply.in_house_households = places;
  supply.places_per_household_probability = {1.0};
  supply.approval_ranges = {ApprovalRange{0, 17, 1.0}};
  supply.takes_sibling_groups_probability = 0;
  supply.match_chance_per_household = 1;
  // Carers come and go at the national rate, approvals replacing deregistrations on average, so the capacity
  // wanders as a council's does. A household leaves when its child's placement ends (carers who stop between
  // children), with the chance that makes its yearly rate the national one: the returns' move rates already hold
  // every move that happened, so carers leaving must move nobody.
  const InHouseTurnover turnover = in_house_turnover(history, as_of);
  const double endings_per_place_year =
      turnover.child_years > 0 ? turnover.placements_ended / turnover.child_years : 0;
  supply.deregistration_per_year = 0;
  supply.leaves_when_last_child_leaves_probability =
      endings_per_place_year > 0 ? std::min(1.0, kNationalDeregistrationPerYear / endings_per_place_year) : 0;
  // The council's own children's homes are not limited (the returns give no beds) when the returns show children
  // in them. When they show none, the council is taken to have no home of its own (false), rather than unlimited
  // homes no child is ever placed in: the calibrated scenario has no [placements.childrens_home_in_house] table
  // then, so `run` would refuse `true` (a child could be placed there with no rates to leave), and an analyst
  // reading `true` would take it that the forecast fills homes the council runs. Either way a child drawn for an
  // external home goes to one, so the forecast is the same.
  const bool has_own_homes = placements_in_use(calibrated, Category::childrens_home_in_house);
  supply.in_house_homes_unlimited = has_own_homes;
  supply.application_probability = kApplicationProbability;
  supply.application_lag_months = kApplicationLagMonths;
  supply.approval_probability = kApprovalProbability;
  supply.approval_lag_months = kApprovalLagMonths;
  supply.enquiries_per_year = supply.leaves_when_last_child_leaves_probability * endings_per_place_year * places /
                               (kApplicationProbability * kApprovalProbability);
  supply.fallback[static_cast<int>(Category::foster_in_house)] = {Category::foster_agency};
  out.notes.push_back(
      "In-house carer capacity: " + std::to_string(places) + " places, the children with in-house foster carers on " +
      format_iso(as_of) +
      " [assumption: the council's carers are full; the returns name no carer, so each place is written as a "
      "household with one place for any age]. A child who needs family foster care goes to an in-house carer while "
      "a place is free, and otherwise to agency carers. Households leave at the national rate, 0.14 a year (Ofsted "
      "2022-23), when a child leaves: from how often in-house placements ended in the year to the as-of date, a "
      "household whose child leaves leaves too with chance " +
      fixed_decimals(supply.leaves_when_last_child_leaves_probability, 3) +
      ". As many are approved on average (" + fixed_decimals(supply.enquiries_per_year, 0) +
      " enquiries a year, 12% becoming applications after 2 months and half of those approved after 6 months), so "
      "the capacity is steady on average and wanders as a council's does. " +
      std::string(has_own_homes ? "The council's own children's homes are not limited (the returns give no beds). "
                                : "The council has no children's home of its own (the returns show no child in one). ") +
      "A carer_households figure (calibrate --figures) replaces this with "
      "the council's households.");
  out.supply = std::move(supply);
  return out;
}

}  // namespace carecast
