#include "scenario/population_table.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <string>
#include <tuple>

namespace carecast {

namespace {

constexpr std::string_view kColumns[] = {"year", "age_band", "sex", "population"};
// Years official projections could describe; anything else is a typing error.
constexpr std::int64_t kEarliestYear = 1900;
constexpr std::int64_t kLatestYear = 2200;
// A council's children in one age band and sex: far more than any council has.
constexpr double kLargestCell = 10'000'000;

std::string names_of(auto const& names) {
  std::string text;
  for (std::string_view name : names) text.append(text.empty() ? "" : ", ").append(name);
  return text;
}

double read_population(const CsvTable& csv, std::size_t row, std::size_t column) {
  const std::string_view text = csv.field(row, column);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    throw InputError(csv.location(row, column), "expected a number of children");
  }
  if (value <= 0 || value > kLargestCell) {
    throw InputError(csv.location(row, column), "expected a number of children above 0 and at most 10,000,000");
  }
  return value;
}

}  // namespace

Date population_mid_year(int year) { return make_date(year, 6, 30); }

PopulationTable read_population_table(const CsvTable& csv) {
  for (std::size_t column = 0; column < csv.columns().size(); ++column) {
    if (std::find(std::begin(kColumns), std::end(kColumns), csv.columns()[column]) == std::end(kColumns)) {
      throw InputError(csv.header_location(column), "unknown column; the columns are exactly: " + names_of(kColumns));
    }
  }
  const std::size_t year_column = csv.require_column("year");
  const std::size_t band_column = csv.require_column("age_band");
  const std::size_t sex_column = csv.require_column("sex");
  const std::size_t population_column = csv.require_column("population");
  if (csv.row_count() == 0) {
    throw InputError(csv.header_location(year_column), "the file has no rows: give a population for each year");
  }

  // (year, band, sex) -> population and the row that gave it.
  std::map<std::tuple<int, int, int>, std::pair<double, std::size_t>> cells;
  for (std::size_t row = 0; row < csv.row_count(); ++row) {
    const std::int64_t year = csv.integer(row, year_column);
    if (year < kEarliestYear || year > kLatestYear) {
      throw InputError(csv.location(row, year_column), "expected a year from 1900 to 2200");
    }
    const std::optional<AgeBand> band = parse_age_band(csv.field(row, band_column));
    if (!band) throw InputError(csv.location(row, band_column), "expected an age band: " + names_of(kAgeBandNames));
    const std::optional<Sex> sex = parse_sex(csv.field(row, sex_column));
    if (!sex) throw InputError(csv.location(row, sex_column), "expected a sex: " + names_of(kSexNames));
    const double population = read_population(csv, row, population_column);
    const auto key = std::make_tuple(static_cast<int>(year), static_cast<int>(*band), static_cast<int>(*sex));
    const auto [at, inserted] = cells.emplace(key, std::make_pair(population, row));
    if (!inserted) {
      throw InputError(csv.location(row, year_column),
                       "repeats the year, age_band and sex of line " + std::to_string(csv.line(at->second.second)));
    }
  }

  PopulationTable table;
  table.file = csv.file();
  table.first_year = std::get<0>(cells.begin()->first);
  const int last_year = std::get<0>(cells.rbegin()->first);
  table.by_year.resize(static_cast<std::size_t>(last_year - table.first_year + 1));
  std::vector<int> filled(table.by_year.size(), 0);
  for (const auto& [key, value] : cells) {
    const auto index = static_cast<std::size_t>(std::get<0>(key) - table.first_year);
    table.by_year[index][static_cast<std::size_t>(std::get<1>(key))][static_cast<std::size_t>(std::get<2>(key))] =
        value.first;
    ++filled[index];
  }
  for (std::size_t index = 0; index < filled.size(); ++index) {
    const int year = table.first_year + static_cast<int>(index);
    if (filled[index] == kAgeBandCount * kSexCount) continue;
    if (filled[index] == 0) {
      throw InputError(csv.header_location(year_column),
                       "no rows for " + std::to_string(year) + ": the years must follow each other from " +
                           std::to_string(table.first_year) + " to " + std::to_string(last_year));
    }
    for (int band = 0; band < kAgeBandCount; ++band) {
      for (int sex = 0; sex < kSexCount; ++sex) {
        if (table.by_year[index][static_cast<std::size_t>(band)][static_cast<std::size_t>(sex)] > 0) continue;
        throw InputError(csv.header_location(year_column),
                         "no row for " + std::to_string(year) + ", " + std::string(kAgeBandNames[band]) + ", " +
                             std::string(kSexNames[sex]) + ": every year needs every age band and sex");
      }
    }
  }
  return table;
}

bool PopulationTable::covers(Date date) const {
  return !by_year.empty() && population_mid_year(first_year) <= date && date <= population_mid_year(last_year());
}

PopulationCells PopulationTable::at(Date date) const {
  int year = static_cast<int>(std::chrono::year_month_day(date).year());
  if (date < population_mid_year(year)) --year;  // the mid-year at or before the date
  const auto index = static_cast<std::size_t>(year - first_year);
  if (year == last_year()) return by_year[index];
  const Date from = population_mid_year(year);
  const double fraction = days_between(from, date) / days_between(from, population_mid_year(year + 1));
  PopulationCells cells{};
  for (int band = 0; band < kAgeBandCount; ++band) {
    for (int sex = 0; sex < kSexCount; ++sex) {
      const double before = by_year[index][band][sex];
      cells[band][sex] = before + fraction * (by_year[index + 1][band][sex] - before);
    }
  }
  return cells;
}

double PopulationTable::total_at(Date date) const {
  double total = 0;
  for (const auto& by_sex : at(date)) {
    for (double n : by_sex) total += n;
  }
  return total;
}

}  // namespace carecast
