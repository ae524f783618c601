// Numbers as a board paper writes them: "1,234", "£25.5m", "12.3%", and a forecast as a
// distribution, "median 452 (90% interval 431-476)", never a bare number.
#pragma once

#include <optional>
#include <string>

#include "output/report_labels.hpp"

namespace carecast::report {

// Fixed decimals, with a thousands separator in the whole part: format_fixed(1234.5, 1) = "1,234.5".
std::string format_fixed(double value, int decimals);
// A value in its unit: counts whole, percentages to 1 decimal, money in £k or £m, rates and
// probabilities to 2 decimals.
std::string format_value(double value, Unit unit);
// As format_value, or "c" where disclosure control suppressed it.
std::string format_value(const std::optional<double>& value, Unit unit);
// "median 452 (90% interval 431-476)"; "433 in every run" when there is no spread; "c" if suppressed.
std::string describe_interval(const std::optional<double>& p05, const std::optional<double>& p50,
                              const std::optional<double>& p95, Unit unit);

}  // namespace carecast::report
