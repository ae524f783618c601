#include "output/comparison.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <stdexcept>
#include <tuple>

#include "output/forecast_writer.hpp"
#include "tally/summary.hpp"

namespace carecast {
namespace {

// Total of a tally flow over every reporting month of a run.
double flow_total(const RunResult& r, int run, int cell) {
  double total = 0;
  for (int d = 1; d < r.calendar.date_count(); ++d) total += r.value(run, d, cell);
  return total;
}

ComparisonRow summarise_differences(std::vector<double>& differences, ComparisonRow row) {
  double sum = 0;
  for (double v : differences) sum += v;
  row.mean = sum / static_cast<double>(differences.size());
  std::sort(differences.begin(), differences.end());
  row.p05 = quantile_sorted(differences, 0.05);
  row.p50 = quantile_sorted(differences, 0.50);
  row.p95 = quantile_sorted(differences, 0.95);
  return row;
}

}  // namespace

std::vector<ComparisonRow> compare_runs(const RunResult& base, const RunResult& option, const std::string& option_name) {
  if (base.runs != option.runs || base.calendar.dates != option.calendar.dates) {
    throw std::invalid_argument("a comparison needs the same runs and reporting dates for every scenario");
  }
  std::map<std::pair<std::string, std::string>, int> option_cells;
  const int option_cells_total = option.layout.cell_count() + option.layout.measure_count();
  for (int c = 0; c < option_cells_total; ++c) {
    option_cells.emplace(std::make_pair(option.layout.cell(c).metric, option.layout.cell(c).category), c);
  }
  std::vector<ComparisonRow> rows;
  std::vector<double> differences;
  const int base_cells_total = base.layout.cell_count() + base.layout.measure_count();
  for (int b = 0; b < base_cells_total; ++b) {
    const MetricCell& cell = base.layout.cell(b);
    const auto found = option_cells.find({cell.metric, cell.category});
    if (found == option_cells.end()) continue;
    const int o = found->second;
    for (int d = cell.kind == MetricKind::flow ? 1 : 0; d < base.calendar.date_count(); ++d) {
      differences.clear();
      for (int run = 0; run < base.runs; ++run) {
        const double x = base.number(run, d, b);
        const double y = option.number(run, d, o);
        if (std::isnan(x) || std::isnan(y)) continue;
        differences.push_back(y - x);
      }
      if (differences.empty()) continue;
      rows.push_back(summarise_differences(differences, {option_name, cell.metric, cell.category, base.calendar.dates[d]}));
    }
  }

  const int last = base.calendar.date_count() - 1;
  // Totals over the horizon of the flows the probabilities below compare.
  auto total_difference = [&](const std::string& metric, int base_cell, int option_cell) {
    differences.clear();
    for (int run = 0; run < base.runs; ++run) {
      differences.push_back(flow_total(option, run, option_cell) - flow_total(base, run, base_cell));
    }
    rows.push_back(summarise_differences(differences, {option_name, metric, "all", base.calendar.dates[last]}));
  };
  total_difference("children_reaching_3_placements_total", base.layout.three_plus_placements,
                   option.layout.three_plus_placements);
  if (base.layout.unmet_preference_all >= 0 && option.layout.unmet_preference_all >= 0) {
    total_difference("unmet_preference_total", base.layout.unmet_preference_all, option.layout.unmet_preference_all);
  }
  auto share_lower = [&](const std::string& metric, auto total) {
    int lower = 0;
    for (int run = 0; run < base.runs; ++run) lower += total(option, run) < total(base, run) ? 1 : 0;
    const double p = static_cast<double>(lower) / base.runs;
    rows.push_back({option_name, metric, "all", base.calendar.dates[last], p, p, p, p});
  };
  const int base_cost = base.layout.cost_cumulative;
  const int option_cost = option.layout.cost_cumulative;
  if (base_cost >= 0 && option_cost >= 0) {
    share_lower("probability_cheaper", [&](const RunResult& r, int run) {
      return r.measure(run, last, &r == &base ? base_cost : option_cost);
    });
  }
  share_lower("probability_fewer_3plus_placements",
              [](const RunResult& r, int run) { return flow_total(r, run, r.layout.three_plus_placements); });
  if (base.layout.unmet_preference_all >= 0 && option.layout.unmet_preference_all >= 0) {
    share_lower("probability_fewer_unmet_preference",
                [](const RunResult& r, int run) { return flow_total(r, run, r.layout.unmet_preference_all); });
  }
  return rows;
}

void write_comparison_csv(std::ostream& out, const std::vector<ComparisonRow>& rows) {
  out << "option,metric,category,date,mean,p05,p50,p95\n";
  for (const ComparisonRow& row : rows) {
    std::string option = row.option;
    if (option.find_first_of(",\"") != std::string::npos) {
      std::string quoted = "\"";
      for (char ch : option) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      option = quoted + "\"";
    }
    out << option << ',' << row.metric << ',' << row.category << ',' << format_iso(row.date) << ','
        << format_number(row.mean) << ',' << format_number(row.p05) << ',' << format_number(row.p50) << ','
        << format_number(row.p95) << '\n';
  }
}

std::string folder_name(const std::string& scenario_name) {
  std::string folder;
  for (char ch : scenario_name) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      folder += static_cast<char>(std::tolower(c));
    } else if (!folder.empty() && folder.back() != '_') {
      folder += '_';
    }
  }
  while (!folder.empty() && folder.back() == '_') folder.pop_back();
  return folder.empty() ? "scenario" : folder;
}

}  // namespace carecast
