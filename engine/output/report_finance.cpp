#include "output/report_finance.hpp"

#include "output/report_format.hpp"
#include "output/report_options.hpp"

namespace carecast::report {

std::vector<FinanceYear> finance_by_year(const Table& forecast, Date origin, const std::vector<double>& budgets) {
  const std::size_t mean = forecast.statistic("mean"), p05 = forecast.statistic("p05"),
                    p50 = forecast.statistic("p50"), p95 = forecast.statistic("p95");
  const int first_year = static_cast<int>(std::chrono::year_month_day{financial_year_start(origin)}.year());
  std::vector<FinanceYear> years;
  for (const TableRow& row : forecast.rows) {
    if (row.metric != "cost_financial_year" || row.category != "all" || row.date <= origin) continue;
    FinanceYear year;
    year.year = financial_year_label(row.date, origin);
    year.part_year = year.year.find('(') != std::string::npos;
    year.cost = format_value(row.values[p50], Unit::pounds);
    year.interval = format_value(row.values[p05], Unit::pounds) + "-" + format_value(row.values[p95], Unit::pounds);
    const int index = static_cast<int>(std::chrono::year_month_day{financial_year_start(row.date)}.year()) - first_year;
    if (index >= 0 && index < static_cast<int>(budgets.size())) {
      const double budget = budgets[static_cast<std::size_t>(index)];
      year.budget = format_value(budget, Unit::pounds);
      if (year.part_year) {
        year.probability_over = year.expected_overspend = kPartYearNotCompared;
        years.push_back(std::move(year));
        continue;
      }
      for (const TableRow& over : forecast.rows) {
        if (over.category != "all" || over.date != row.date) continue;
        if (over.metric == "budget_exceedance_probability") {
          year.probability_over = format_value(over.values[mean], Unit::probability);
        } else if (over.metric == "budget_overspend") {
          year.expected_overspend = format_value(over.values[mean], Unit::pounds);
        }
      }
    }
    years.push_back(std::move(year));
  }
  return years;
}

}  // namespace carecast::report
