#include "simulation/population_entries.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/errors.hpp"

namespace carecast {

std::vector<PopulationCells> population_by_forecast_year(const PopulationTable& table, Date origin,
                                                         double horizon_time) {
  const int years = static_cast<int>(horizon_time / kDaysPerYear) + 1;
  const Date horizon = origin + std::chrono::days{static_cast<int>(std::floor(horizon_time))};
  std::vector<PopulationCells> cells;
  cells.reserve(static_cast<std::size_t>(years));
  for (int k = 0; k < years; ++k) {
    const Date middle =
        std::min(horizon, origin + std::chrono::days{static_cast<int>(std::lround((k + 0.5) * kDaysPerYear))});
    if (!table.covers(middle)) {
      throw InputError(InputLocation{table.file.string(), 0, 0, "population"},
                       "covers 30 June " + std::to_string(table.first_year) + " to 30 June " +
                           std::to_string(table.last_year()) + " but the forecast needs the population at " +
                           format_iso(middle) + ": give the years up to the horizon");
    }
    cells.push_back(table.at(middle));
  }
  return cells;
}

void tie_entries_to_population(const Scenario& scenario, double horizon_time, CompiledModel& model) {
  if (!scenario.population) return;
  const ChildPopulation& population = *scenario.population;
  const std::vector<PopulationCells> by_year = population_by_forecast_year(population.table, scenario.origin, horizon_time);
  if (population.uasc_cap_share) {
    for (const PopulationCells& cells : by_year) {
      double total = 0;
      for (const auto& by_sex : cells) {
        for (double n : by_sex) total += n;
      }
      model.uasc_cap_by_year.push_back(*population.uasc_cap_share * total);
    }
  }
  CompiledEntryStream& stream = model.entries;
  if (!population.entries_per_10000_children || !stream.active()) return;
  const PopulationCells at_origin = population.table.at(scenario.origin);
  const double at_origin_total = scenario.entries.total_per_year();
  for (const PopulationCells& cells : by_year) {
    std::array<double, kAgeBandCount * kSexCount> weights{};
    double total = 0;
    for (int band = 0; band < kAgeBandCount; ++band) {
      for (int sex = 0; sex < kSexCount; ++sex) {
        const double expected = scenario.entries.expected_per_year[band][sex] * cells[band][sex] / at_origin[band][sex];
        weights[band * kSexCount + sex] = expected;
        total += expected;
      }
    }
    stream.population_multiplier_by_year.push_back(total / at_origin_total);
    stream.age_band_and_sex_by_year.push_back(CumulativeTable<kAgeBandCount * kSexCount>::from(weights));
  }
}

std::vector<std::array<double, kAgeBandCount>> entry_growth_by_age_band(const Scenario& scenario, double horizon_time) {
  std::vector<std::array<double, kAgeBandCount>> growth;
  if (!scenario.population || !scenario.population->entries_per_10000_children) return growth;
  const PopulationTable& table = scenario.population->table;
  const PopulationCells at_origin = table.at(scenario.origin);
  for (const PopulationCells& cells : population_by_forecast_year(table, scenario.origin, horizon_time)) {
    std::array<double, kAgeBandCount> by_band{};
    for (int band = 0; band < kAgeBandCount; ++band) {
      const auto& expected = scenario.entries.expected_per_year[band];
      const double total = expected[0] + expected[1];
      by_band[band] = total > 0 ? (expected[0] * cells[band][0] / at_origin[band][0] +
                                   expected[1] * cells[band][1] / at_origin[band][1]) / total
                                : 1.0;
    }
    growth.push_back(by_band);
  }
  return growth;
}

}  // namespace carecast
