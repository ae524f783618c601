// Checks of command-line values whose messages say what was expected. CLI11's Range answers
// "--runs abc" with "not in range", as if abc were a number too large.
#pragma once

#include <CLI/CLI.hpp>
#include <charconv>
#include <string>
#include <system_error>

namespace carecast::app {

// A whole number from `low` to `high`; anything else is refused as "expected a whole number from
// 1 to 1000000, not 'abc'" (CLI11 puts the option's name in front).
inline CLI::Validator whole_number_between(long long low, long long high) {
  const std::string range = std::to_string(low) + " to " + std::to_string(high);
  return CLI::Validator(
      [low, high, range](std::string& text) -> std::string {
        long long value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || error == std::errc::invalid_argument || end != text.data() + text.size()) {
          return "expected a whole number from " + range + ", not '" + text + "'";
        }
        if (error == std::errc::result_out_of_range || value < low || value > high) {
          return "must be a whole number from " + range + ", not " + text;
        }
        return {};
      },
      "INT " + range);
}

}  // namespace carecast::app
