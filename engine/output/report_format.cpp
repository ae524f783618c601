#include "output/report_format.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "output/report_inputs.hpp"

namespace carecast::report {

std::string format_fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, std::fabs(value));
  const std::string_view digits(buffer);
  const std::size_t whole = std::min(digits.find('.'), digits.size());
  std::string grouped;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && i < whole && (whole - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  // No "-0" for a value that rounds to zero.
  const bool negative = value < 0 && grouped.find_first_not_of("0.,") != std::string::npos;
  return negative ? "-" + grouped : grouped;
}

std::string format_value(double value, Unit unit) {
  switch (unit) {
    case Unit::percent:
      return format_fixed(value, 1) + "%";
    case Unit::rate:
    case Unit::probability:
      return format_fixed(value, 2);
    case Unit::pounds: {
      const double size = std::fabs(value);
      // No "-£0" for a loss of pennies.
      const std::string sign = value < 0 && size >= 0.5 ? "-" : "";
      if (size >= 1e6) return sign + "£" + format_fixed(size / 1e6, 1) + "m";
      if (size >= 1e3) return sign + "£" + format_fixed(size / 1e3, 0) + "k";
      return sign + "£" + format_fixed(size, 0);
    }
    case Unit::count:
      break;
  }
  return format_fixed(value, 0);
}

std::string format_value(const std::optional<double>& value, Unit unit) {
  return value ? format_value(*value, unit) : kSuppressedText;
}

std::string describe_interval(const std::optional<double>& p05, const std::optional<double>& p50,
                              const std::optional<double>& p95, Unit unit) {
  if (!p05 || !p50 || !p95) return kSuppressedText;
  if (format_value(*p05, unit) == format_value(*p95, unit)) return format_value(*p50, unit) + " in every run";
  // "-3 to 2" rather than "-3-2" once a limit is negative.
  const std::string dash = *p05 < 0 || *p95 < 0 ? " to " : "-";
  return "median " + format_value(*p50, unit) + " (90% interval " + format_value(*p05, unit) + dash +
         format_value(*p95, unit) + ")";
}

}  // namespace carecast::report
