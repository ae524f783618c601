#include "output/report_inputs.hpp"

#include <charconv>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <ostream>
#include <stdexcept>

#include "core/csv_reader.hpp"
#include "output/forecast_writer.hpp"

namespace carecast::report {
namespace fs = std::filesystem;

std::size_t Table::statistic(const std::string& name) const {
  for (std::size_t i = 0; i < statistics.size(); ++i) {
    if (statistics[i] == name) return i;
  }
  throw std::logic_error(file_name + " has no column " + name);
}

namespace {

double parse_number(const CsvTable& csv, std::size_t row, std::size_t column) {
  const std::string_view text = csv.field(row, column);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || !std::isfinite(value)) {
    throw InputError(csv.location(row, column), "expected a number");
  }
  return value;
}

Table read_table(const fs::path& file, bool has_option, const std::vector<std::string>& statistics) {
  const CsvTable csv = CsvTable::read(file);
  Table table{file.filename().string(), has_option, statistics, {}};
  const std::size_t option = has_option ? csv.require_column("option") : 0;
  const std::size_t metric = csv.require_column("metric");
  const std::size_t category = csv.require_column("category");
  const std::size_t date = csv.require_column("date");
  std::vector<std::size_t> value_columns;
  for (const std::string& name : statistics) value_columns.push_back(csv.require_column(name));
  if (csv.row_count() == 0) throw InputError({file.string(), csv.header_line(), 0, ""}, "no rows after the header");
  table.rows.reserve(csv.row_count());
  for (std::size_t r = 0; r < csv.row_count(); ++r) {
    TableRow row;
    if (has_option) row.option = std::string(csv.field(r, option));
    row.metric = std::string(csv.field(r, metric));
    row.category = std::string(csv.field(r, category));
    for (std::size_t column : {metric, category}) {
      if (csv.field(r, column).empty()) throw InputError(csv.location(r, column), "is empty");
    }
    const std::string_view date_text = csv.field(r, date);
    const std::optional<Date> parsed = parse_date(date_text);
    if (!parsed || date_text.find('/') != std::string_view::npos) {
      throw InputError(csv.location(r, date), "expected a date as YYYY-MM-DD");
    }
    row.date = *parsed;
    for (std::size_t column : value_columns) row.values.emplace_back(parse_number(csv, r, column));
    table.rows.push_back(std::move(row));
  }
  return table;
}

template <typename T>
T json_field(const nlohmann::json& json, const char* key, const std::string& file) {
  const auto it = json.find(key);
  if (it == json.end()) throw InputError({file, 0, 0, key}, "missing");
  try {
    return it->get<T>();
  } catch (const nlohmann::json::exception&) {
    throw InputError({file, 0, 0, key}, "has the wrong type");
  }
}

RunInfo read_run_json(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw InputError({file.string(), 0, 0, ""}, "cannot be read");
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(in);
  } catch (const nlohmann::json::parse_error& error) {
    // nlohmann's message gives the line and column of the problem.
    throw InputError({file.string(), 0, 0, ""}, std::string("is not valid JSON: ") + error.what());
  }
  if (!json.is_object()) throw InputError({file.string(), 0, 0, ""}, "is not a JSON object");
  const std::string name = file.string();
  RunInfo run;
  run.version = json_field<std::string>(json, "version", name);
  run.scenario_name = json_field<std::string>(json, "scenario_name", name);
  run.scenario_path = json_field<std::string>(json, "scenario_path", name);
  run.scenario_hash = json_field<std::string>(json, "scenario_hash_fnv1a64", name);
  const std::string origin = json_field<std::string>(json, "origin_date", name);
  const std::optional<Date> date = parse_date(origin);
  if (!date || origin.find('/') != std::string::npos) {
    throw InputError({name, 0, 0, "origin_date"}, "expected a date as YYYY-MM-DD");
  }
  run.origin = *date;
  run.horizon_years = json_field<int>(json, "horizon_years", name);
  run.seed = json_field<std::uint64_t>(json, "seed", name);
  run.runs = json_field<int>(json, "runs", name);
  run.parameter_uncertainty = json_field<bool>(json, "parameter_uncertainty", name);
  if (json.contains("uncertainty_sources")) {
    run.uncertainty_sources = json_field<std::vector<std::string>>(json, "uncertainty_sources", name);
  } else {
    run.uncertainty_sources = {"events"};
    if (run.parameter_uncertainty) run.uncertainty_sources.emplace_back("parameters");
  }
  if (json.contains("parameter_evidence")) {
    run.parameter_evidence = json_field<std::string>(json, "parameter_evidence", name);
    if (run.parameter_evidence != "calibrated" && run.parameter_evidence != "stated" &&
        run.parameter_evidence != "none") {
      throw InputError({name, 0, 0, "parameter_evidence"}, "expected \"calibrated\", \"stated\" or \"none\"");
    }
  }
  for (const std::string& source : run.uncertainty_sources) {
    if (source != "events" && source != "parameters" && source != "year_to_year_variation") {
      throw InputError({name, 0, 0, "uncertainty_sources"},
                       "expected only \"events\", \"parameters\" and \"year_to_year_variation\"");
    }
    if (source == "year_to_year_variation") run.year_to_year_variation = true;
  }
  if (run.runs < 1) throw InputError({name, 0, 0, "runs"}, "must be at least 1");
  if (json.contains("compared_scenarios")) {
    const auto compared = json_field<std::vector<nlohmann::json>>(json, "compared_scenarios", name);
    for (const nlohmann::json& scenario : compared) {
      if (!scenario.is_object()) throw InputError({name, 0, 0, "compared_scenarios"}, "expected objects");
      RunInfo::ComparedScenario entry{json_field<std::string>(scenario, "name", name),
                                      json_field<std::string>(scenario, "folder", name)};
      // A folder name from run.json must stay inside the compare folder.
      const fs::path folder(entry.folder);
      if (entry.folder.empty() || folder.is_absolute() || entry.folder.find("..") != std::string::npos ||
          entry.folder.find('/') != std::string::npos) {
        throw InputError({name, 0, 0, "compared_scenarios"}, "a folder must be a plain name inside the compare folder");
      }
      run.compared.push_back(std::move(entry));
    }
  }
  return run;
}

}  // namespace

ReportInputs read_report_inputs(const fs::path& folder) {
  if (!fs::is_directory(folder)) throw InputError({folder.string(), 0, 0, ""}, "no such folder");
  ReportInputs inputs;
  inputs.folder = folder;
  const fs::path forecast = folder / "forecast.csv";
  const fs::path comparison = folder / "comparison.csv";
  if (!fs::exists(forecast) && !fs::exists(comparison)) {
    throw InputError({folder.string(), 0, 0, ""},
                     "holds neither forecast.csv nor comparison.csv: is it a carecast run or compare folder?");
  }
  inputs.run_json = folder / "run.json";
  if (!fs::exists(inputs.run_json)) {
    throw InputError({inputs.run_json.string(), 0, 0, ""},
                     fs::exists(comparison) && !fs::exists(forecast)
                         ? "missing: this compare folder was made by an earlier carecast; run `carecast compare` again"
                         : "missing: the report needs the run's scenario, seed and number of runs");
  }
  inputs.run = read_run_json(inputs.run_json);
  // A compare folder's base forecast is in the base's own folder.
  const fs::path base_forecast = fs::exists(forecast) || inputs.run.compared.empty()
                                     ? forecast
                                     : folder / inputs.run.compared.front().folder / "forecast.csv";
  if (fs::exists(base_forecast)) {
    inputs.forecast = read_table(base_forecast, false, {"mean", "p05", "p25", "p50", "p75", "p95"});
  }
  if (fs::exists(comparison)) inputs.comparison = read_table(comparison, true, {"mean", "p05", "p50", "p95"});
  if (fs::exists(folder / "history.csv")) inputs.history = read_table(folder / "history.csv", false, {"value"});
  return inputs;
}

void write_table_csv(std::ostream& out, const Table& table) {
  if (table.has_option) out << "option,";
  out << "metric,category,date";
  for (const std::string& name : table.statistics) out << ',' << name;
  out << '\n';
  for (const TableRow& row : table.rows) {
    // Option names are free text from the compare scenario: quote them as CSV needs.
    if (table.has_option) {
      out << '"';
      for (char c : row.option) out << (c == '"' ? "\"\"" : std::string(1, c));
      out << "\",";
    }
    out << row.metric << ',' << row.category << ',' << format_iso(row.date);
    for (const std::optional<double>& value : row.values) {
      out << ',' << (value ? format_number(*value) : kSuppressedText);
    }
    out << '\n';
  }
}

Table read_forecast_table(const fs::path& file) {
  return read_table(file, false, {"mean", "p05", "p25", "p50", "p75", "p95"});
}

}  // namespace carecast::report
