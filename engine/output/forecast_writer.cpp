#include "output/forecast_writer.hpp"

#include <charconv>
#include <cmath>
#include <stdexcept>
#include <toml++/toml.h>

#include "tally/streaming_summary.hpp"

namespace carecast {

std::string format_number(double value) {
  if (value == 0) return "0";  // never "-0"
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, end);
}

std::string format_long_date(Date date) {
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
  const std::chrono::year_month_day ymd{date};
  return std::to_string(static_cast<unsigned>(ymd.day())) + " " + kMonths[static_cast<unsigned>(ymd.month()) - 1] +
         " " + std::to_string(static_cast<int>(ymd.year()));
}

void require_finite(double value, const std::string& file, const std::string& what) {
  if (std::isfinite(value)) return;
  throw std::runtime_error(file + ": " + what + " is not a finite number (" + (std::isnan(value) ? "nan" : "inf") +
                           "); a scenario value is too large or too small for the forecast to be computed");
}

void write_forecast_csv(std::ostream& out, const RunInfo& result, const std::vector<SummaryRow>& rows) {
  out << "metric,category,date,mean,p05,p25,p50,p75,p95\n";
  for (const SummaryRow& row : rows) {
    const MetricCell& cell = result.layout.cell(row.cell);
    auto check = [&](double value, const char* column) {
      require_finite(value, "forecast.csv", std::string(column) + " of metric '" + cell.metric + "', category '" +
                                                cell.category + "', date " + format_iso(result.calendar.dates[row.date]));
    };
    check(row.mean, "mean");
    for (int p = 0; p < kPercentileCount; ++p) {
      static constexpr const char* kColumns[kPercentileCount] = {"p05", "p25", "p50", "p75", "p95"};
      check(row.percentile[p], kColumns[p]);
    }
    out << cell.metric << ',' << cell.category << ',' << format_iso(result.calendar.dates[row.date]) << ','
        << format_number(row.mean);
    for (double p : row.percentile) out << ',' << format_number(p);
    out << '\n';
  }
}

void write_run_json(std::ostream& out, const Scenario& scenario, const RunInfo& result,
                    const RunDescription& description) {
  toml::table json{
      {"version", CARECAST_VERSION},
      {"scenario_name", scenario.name},
      {"scenario_path", description.scenario_path},
      {"scenario_hash_fnv1a64", description.scenario_hash},
      {"origin_date", format_iso(scenario.origin)},
      {"horizon_years", scenario.horizon_years},
      {"seed", static_cast<std::int64_t>(description.seed)},
      {"runs", result.runs},
      {"threads", result.threads},
      {"wall_seconds", result.wall_seconds},
      {"events_simulated", static_cast<std::int64_t>(result.child_events)},
      {"events_per_second", result.events_per_second()},
      {"children_simulated", result.children_simulated},
      {"parameter_uncertainty", result.parameters_drawn},
      {"parameter_evidence", parameter_evidence_name(result.parameter_evidence)},
      {"year_to_year_variation", result.systemic_variation},
      {"percentiles", exact_reals(result.runs)
                          ? std::string("exact (type 7)")
                          : "exact (type 7) for counts; costs, stability and other real measures within a relative " +
                                format_number(kRealRelativeAccuracy) + " (log-bucket histogram above " +
                                std::to_string(kExactRealValues) + " runs)"},
  };
  toml::array sources;
  for (const std::string& source : uncertainty_sources(result)) sources.push_back(source);
  json.insert("uncertainty_sources", std::move(sources));
  if (!description.compared.empty()) {
    toml::array compared;
    for (const RunDescription::ComparedScenario& entry : description.compared) {
      compared.push_back(toml::table{{"name", entry.name},
                                     {"folder", entry.folder},
                                     {"scenario_path", entry.scenario_path}});
    }
    json.insert("compared_scenarios", std::move(compared));
  }
  out << toml::json_formatter{json} << '\n';
}

std::vector<std::string> uncertainty_sources(const RunInfo& result) {
  std::vector<std::string> sources = {"events"};
  if (result.parameters_drawn) sources.emplace_back("parameters");
  if (result.systemic_variation) sources.emplace_back("year_to_year_variation");
  return sources;
}

std::string describe_uncertainty_sources(const RunInfo& result) {
  std::string line = "Intervals include: chance events";
  if (result.parameter_evidence == ParameterEvidence::calibrated) {
    line += ", uncertainty in the rates (from the calibration evidence)";
  } else if (result.parameter_evidence == ParameterEvidence::stated) {
    line += ", uncertainty in the rates (the scenario's stated uncertainty)";
  }
  if (result.systemic_variation) line += ", year-to-year variation";
  line += ".";
  if (!result.parameters_drawn) line += " Rates are taken as known.";
  return line;
}

namespace {
struct Interval {
  double p05, p50, p95;
};
Interval interval_of(const std::vector<SummaryRow>& rows, int cell, int date) {
  for (const SummaryRow& row : rows) {
    if (row.cell == cell && row.date == date) return {row.percentile[0], row.percentile[2], row.percentile[4]};
  }
  return {NAN, NAN, NAN};
}
std::string whole(double x) { return std::to_string(static_cast<long long>(std::llround(x))); }
std::string describe(const Interval& i) {
  if (i.p05 == i.p95) return whole(i.p50) + " in every run";
  return "median " + whole(i.p50) + " (90% interval " + whole(i.p05) + "-" + whole(i.p95) + ")";
}
}  // namespace

void write_plain_summary(std::ostream& out, const Scenario& scenario, const RunInfo& result,
                         const std::vector<SummaryRow>& rows) {
  const TallyLayout& layout = result.layout;
  const ReportingCalendar& calendar = result.calendar;
  out << "Scenario '" << scenario.name << "': " << result.runs << " runs from " << format_long_date(scenario.origin)
      << ", " << scenario.horizon_years << " years.\n";
  out << "Children looked after at " << format_long_date(calendar.dates[0]) << " (start): "
      << describe(interval_of(rows, layout.stock_all, 0)) << "\n";
  // Each 31 March in the horizon, the date councils and DfE report on, with the year's flows.
  for (int d = 1; d < calendar.date_count(); ++d) {
    const std::chrono::year_month_day ymd{calendar.dates[d]};
    if (ymd.month() != std::chrono::March) continue;
    out << "Children looked after at " << format_long_date(calendar.dates[d]) << ": "
        << describe(interval_of(rows, layout.stock_all, d)) << "\n";
  }
  const int last = calendar.date_count() - 1;
  out << "By placement at " << format_long_date(calendar.dates[last]) << ":\n";
  for (int c = 0; c < kCategoryCount; ++c) {
    const Interval i = interval_of(rows, layout.stock_by_category + c, last);
    if (i.p95 == 0) continue;
    out << "  " << kCategoryNames[c] << ": " << describe(i) << "\n";
  }
  out << describe_uncertainty_sources(result) << "\n";
}

}  // namespace carecast
