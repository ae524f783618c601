// The forecast's cost by financial year beside the budget, for finance: each year's cost (median
// and 90% interval), the budget, the probability of spending more than it and the expected
// overspend (the mean over runs of the cost above the budget, a run within it counting as none). A year the
// forecast covers only in part is marked so ("2029-30 (11 months)"): its cost is for those
// months, so it is not compared with the budget: the forecast's probability and expected overspend
// for it set those months against the budget the scenario gives for the year, which, if it is the
// whole year's, would show a false saving.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "output/report_inputs.hpp"

namespace carecast::report {

inline constexpr const char* kPartYearNotCompared = "not compared: part year";

struct FinanceYear {
  std::string year;              // "2025-26", "2029-30 (11 months)"
  bool part_year = false;
  std::string cost;              // median
  std::string interval;          // "£14.2m-£16.0m"
  std::string budget;            // "£15.0m", or empty without one
  std::string probability_over;  // "0.42", kPartYearNotCompared in a part year, or empty without a budget
  std::string expected_overspend;  // "£1.2m", kPartYearNotCompared in a part year, or empty without a budget
};

// From the forecast's cost_financial_year (all), budget_exceedance_probability and budget_overspend rows;
// `budgets` are the scenario's, from the forecast start's financial year on. Empty without costs.
std::vector<FinanceYear> finance_by_year(const Table& forecast, Date origin, const std::vector<double>& budgets);

}  // namespace carecast::report
