// Entries tied to the child population, and the UASC cap (scenario/population_table.hpp), turned
// into yearly tables the event loop indexes by forecast year, as it does the year-to-year
// multipliers (systemic_variation.hpp): year k is [k, k+1) years of kDaysPerYear days after the
// origin.
//
// Within a forecast year the rate holds at the population of the middle of that year (clamped to
// the horizon), interpolated between mid-years: the event loop keeps its year-by-year arrival
// draws, and the error against a rate that follows the population day by day is second order
// (growth of a few % a year changes by well under 0.1% either side of the middle).
#pragma once

#include <vector>

#include "scenario/scenario.hpp"
#include "simulation/compiled_model.hpp"

namespace carecast {

// The population of forecast years 0 .. years-1, each at the middle of its year or at the
// horizon if that comes first. Throws InputError naming the population file when a year lies
// outside it (a horizon lengthened after loading, by run --years).
std::vector<PopulationCells> population_by_forecast_year(const PopulationTable& table, Date origin, double horizon_time);

// Fills the main stream's yearly multipliers and age-and-sex tables when its entries are a rate
// per 10,000 children, and the yearly UASC cap when the scenario has one. Each cell's expected
// entries in year k are expected_per_year x population_k / population at the origin, so that a
// rate drawn from its posterior (parameter_draws.hpp) grows with the population as the stated
// one does. Nothing to do without [population].
void tie_entries_to_population(const Scenario& scenario, double horizon_time, CompiledModel& model);

// For `carecast expect`: the main stream's expected entries of each age band (both sexes) in each
// forecast year relative to the origin's, as the simulation has them. Empty when the entries are
// not tied to the population.
std::vector<std::array<double, kAgeBandCount>> entry_growth_by_age_band(const Scenario& scenario, double horizon_time);

}  // namespace carecast
