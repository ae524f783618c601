#include "calibration/supply_from_figures.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "calibration/national_carer_assumptions.hpp"
#include "output/written_text.hpp"

namespace carecast {
namespace {

// National assumptions for what figures do not give (the shipped default's, with its sources):
// calibration/national_carer_assumptions.hpp, and these.
constexpr double kTakesSiblingGroupsProbability = 0.40;  // [assumption]
const std::vector<double> kPlacesPerHousehold = {0.30, 0.45, 0.20, 0.05};  // 1-4 places [assumption]
// Matching: the shipped default's 120 households with a match chance of 0.06 each hold that council's
// in-house/agency mix through its first year (scenarios/default.toml). The chance belongs to a council's size
// (a child finds a carer with chance 1 - (1 - q)^k among k free approved households, and k grows with the
// council), so another council is given the q at which a child finds a match as often as in the default:
// (1 - q)^households = 0.94^120.
constexpr double kDefaultMatchChance = 0.06;
constexpr double kDefaultHouseholds = 120;

double match_chance_for(int households) {
  if (households <= 0) return kDefaultMatchChance;  // no household to match with: the value does nothing
  return 1 - std::pow(1 - kDefaultMatchChance, kDefaultHouseholds / households);
}

constexpr double kDaysInYear = 365.25;

double years_of(const PublishedFigure& f) { return (days_between(*f.period_start, f.date) + 1) / kDaysInYear; }

}  // namespace

bool placements_in_use(const Scenario& calibrated, Category category) {
  for (const auto& band : calibrated.destination_probability[static_cast<int>(category)]) {
    for (const double p : band) {
      if (p > 0) return true;
    }
  }
  return false;
}

bool agency_foster_in_use(const Scenario& calibrated) { return placements_in_use(calibrated, Category::foster_agency); }

SupplyFromFigures supply_from_figures(const PublishedFigures& figures, Date as_of, const Scenario& calibrated) {
  SupplyFromFigures out;
  std::vector<const PublishedFigure*> households, approvals, deregistrations;
  for (const PublishedFigure& f : figures.figures) {
    if (f.date > as_of) continue;
    if (f.metric == FigureMetric::carer_households) households.push_back(&f);
    if (f.metric == FigureMetric::approvals) approvals.push_back(&f);
    if (f.metric == FigureMetric::deregistrations) deregistrations.push_back(&f);
  }
  if (households.empty()) {
    if (!approvals.empty() || !deregistrations.empty()) {
      out.notes.push_back(
          "Approvals and deregistrations figures not used: a "
          "[supply] section needs the in-house "
          "carer households (carer_households, "
          "foster_in_house) on or before the as-of date.");
    }
    return out;
  }
  if (!agency_foster_in_use(calibrated)) {
    out.notes.push_back(
        "No [supply] written: the returns show no agency "
        "foster placements for a child who finds no "
        "in-house carer to fall back on.");
    return out;
  }
  const PublishedFigure* latest = households.front();
  for (const PublishedFigure* f : households)
    if (f->date >= latest->date) latest = f;
  // The households in a period: the figure nearest its end.
  const auto households_at = [&](Date date) {
    const PublishedFigure* nearest = households.front();
    for (const PublishedFigure* f : households)
      if (std::abs(days_between(f->date, date)) < std::abs(days_between(nearest->date, date))) nearest = f;
    return nearest->value;
  };

  Supply supply;
  supply.enabled = true;
  supply.in_house_households = static_cast<int>(std::lround(latest->value));
  supply.places_per_household_probability = kPlacesPerHousehold;
  supply.approval_ranges = {{0, 17, 0.35}, {0, 10, 0.30}, {5, 17, 0.20}, {11, 17, 0.15}};
  supply.takes_sibling_groups_probability = kTakesSiblingGroupsProbability;
  supply.match_chance_per_household = match_chance_for(supply.in_house_households);
  supply.application_probability = kApplicationProbability;
  supply.application_lag_months = kApplicationLagMonths;
  supply.approval_probability = kApprovalProbability;
  supply.approval_lag_months = kApprovalLagMonths;
  supply.fallback[static_cast<int>(Category::foster_in_house)] = {Category::foster_agency};
  out.notes.push_back("Supply: " + std::to_string(supply.in_house_households) +
                      " in-house carer households, the published figure at " + format_iso(latest->date) + ".");

  if (!deregistrations.empty()) {
    double events = 0;
    double household_years = 0;
    for (const PublishedFigure* f : deregistrations) {
      events += f->value;
      household_years += years_of(*f) * households_at(f->date);
    }
    supply.deregistration_per_year = household_years > 0 ? events / household_years : kNationalDeregistrationPerYear;
    out.notes.push_back("Deregistration hazard " + fixed_decimals(supply.deregistration_per_year, 3) +
                        " a year: " + fixed_decimals(events, 0) + " deregistrations published over " +
                        fixed_decimals(household_years, 1) +
                        " household-years (each period's households from the carer_households "
                        "figure nearest its end).");
  } else {
    supply.deregistration_per_year = kNationalDeregistrationPerYear;
    out.notes.push_back(
        "Deregistration hazard 0.14 a year, the national rate "
        "(Ofsted 2022-23): no deregistrations "
        "figure.");
  }
  const double conversion = kApplicationProbability * kApprovalProbability;
  if (!approvals.empty()) {
    double events = 0;
    double years = 0;
    for (const PublishedFigure* f : approvals) {
      events += f->value;
      years += years_of(*f);
    }
    const double per_year = years > 0 ? events / years : 0;
    supply.enquiries_per_year = per_year / conversion;
    out.notes.push_back("Recruitment: " + fixed_decimals(per_year, 1) + " approvals a year (" +
                        fixed_decimals(events, 0) + " published over " + fixed_decimals(years, 2) + " years), from " +
                        fixed_decimals(supply.enquiries_per_year, 0) +
                        " enquiries a year through the national funnel.");
  } else {
    const double per_year = supply.deregistration_per_year * supply.in_house_households;
    supply.enquiries_per_year = per_year / conversion;
    out.notes.push_back(
        "Recruitment: no approvals figure, so approvals are taken to replace "
        "deregistrations (" +
        fixed_decimals(per_year, 1) + " a year, keeping the households steady) [assumption].");
  }
  out.notes.push_back(
      "Assumed, as no figure gives them: 12% of enquiries "
      "become applications (Ofsted 2022-23) after "
      "2 months and half of applications are approved after 6 "
      "months; places per household 1-4 in "
      "shares 0.30, 0.45, 0.20, 0.05; 40% of households take "
      "sibling groups; approval age ranges as "
      "the shipped default; a child who finds no in-house "
      "place goes to agency foster care.");
  out.notes.push_back("Matching: each free approved household suits a child with chance " +
                      fixed_decimals(supply.match_chance_per_household, 4) +
                      " (match_chance_per_household), so that a child finds an in-house carer as often as in "
                      "the shipped default, whose 120 households at 0.06 hold its in-house/agency mix through "
                      "the first year: 1 - (1 - 0.06)^(120 / " +
                      std::to_string(supply.in_house_households) +
                      ") [assumption: the default council's matching, scaled to this council's households].");
  out.supply = std::move(supply);
  return out;
}

void apply_supply(Scenario& calibrated, SupplyFromFigures& made) {
  if (!made.supply) return;
  calibrated.supply = *made.supply;
  const int other = static_cast<int>(Category::other);
  const int agency = static_cast<int>(Category::foster_agency);
  bool other_in_use = false;
  for (const auto& band : calibrated.destination_probability[other]) {
    for (const double p : band) other_in_use = other_in_use || p > 0;
  }
  if (other_in_use) return;
  calibrated.destination_probability[other] = calibrated.destination_probability[agency];
  const auto bands = static_cast<std::size_t>(calibrated.duration_band_count());
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    for (std::size_t d = 0; d < bands; ++d) {
      calibrated.ending_hazard_per_year[(other * kAgeBandCount + b) * bands + d] =
          calibrated.ending_hazard_per_year[(agency * kAgeBandCount + b) * bands + d];
    }
  }
  made.notes.push_back(
      "[placements.other] copies foster_agency's rates as a stand-in: no child "
      "was in an other "
      "arrangement in the returns, and [supply] needs rates for one (where a "
      "child goes when nothing "
      "has a place), which with agency places uncapped no child reaches.");
}

}  // namespace carecast
