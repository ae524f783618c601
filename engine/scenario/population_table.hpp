// A child population by year, age band and sex, as official subnational population projections
// publish it (summed from single years of age into the engine's age bands), and what a scenario
// ties to it: entries as a rate per 10,000 children, and the national transfer scheme's cap on
// unaccompanied asylum-seeking children (UASC). See scenarios/REFERENCE.md, [population].
//
// Each year's figure is the population at 30 June of that year, as the Office for National
// Statistics' mid-year estimates and projections state it. Between two mid-years the population is
// interpolated linearly by day: projections move smoothly, and a step would put a whole year's
// growth on one date.
#pragma once

#include <array>
#include <filesystem>
#include <optional>
#include <vector>

#include "core/calendar.hpp"
#include "core/categories.hpp"
#include "core/csv_reader.hpp"

namespace carecast {

using PopulationCells = std::array<std::array<double, kSexCount>, kAgeBandCount>;  // [age band][sex]

struct PopulationTable {
  std::filesystem::path file;
  int first_year = 0;
  std::vector<PopulationCells> by_year;  // [year - first_year], consecutive years, every cell > 0

  int last_year() const { return first_year + static_cast<int>(by_year.size()) - 1; }
  // Whether `date` lies between the first and last years' mid-years (inclusive).
  bool covers(Date date) const;
  // The population at `date`, interpolated between mid-years; `date` must be covered.
  PopulationCells at(Date date) const;
  double total_at(Date date) const;
};

// The CSV's columns, exactly: year, age_band, sex, population (a count of children, above 0; may
// have decimals, as projections do). One row for each age band and sex of every year, years
// consecutive. Refused with the file, line and column: an unknown age band or sex, a population
// that is not above 0, a repeated (year, age band, sex), a year missing between the first and the
// last, or a year lacking some age band and sex.
PopulationTable read_population_table(const CsvTable& csv);

// The 30 June of `year`: the date a year's population figure describes.
Date population_mid_year(int year);

// The population a scenario ties to ([population]).
struct ChildPopulation {
  PopulationTable table;
  // Entries of the main stream per 10,000 children of the same age band and sex a year, at the
  // origin; set when [entries] gives per_10000_children instead of expected_per_year. Then the
  // stream's expected_per_year holds rate x population at the origin / 10,000, and each forecast
  // year scales every cell by its population's growth since the origin.
  std::optional<PopulationCells> entries_per_10000_children;
  // The national transfer scheme threshold as a share of all children in the table (0.001 =
  // 0.1%): a UASC arriving while the UASC looked after number at least this share of the year's
  // population is not admitted (the scheme transfers them to another council). Unset: no cap.
  std::optional<double> uasc_cap_share;
};

}  // namespace carecast
