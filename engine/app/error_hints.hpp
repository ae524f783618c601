// Hints added to an error message where a common slip explains it. The scenario loader names the
// file, line and key; this adds what to do when the line shows the slip, without quoting the value.
#pragma once

#include <fstream>
#include <regex>
#include <string>

#include "core/errors.hpp"

namespace carecast::app {

// A scenario date written as dd/mm/yyyy (28/02/2025), as spreadsheets and SSDA903 extracts write
// them, reaches the TOML parser as a division or the loader as a string; TOML dates are
// YYYY-MM-DD. Only scenario files (.toml) are looked at: a data file's line may hold a child's date.
inline std::string date_format_hint(const InputError& error) {
  const InputLocation& where = error.where();
  if (where.line <= 0 || !where.file.ends_with(".toml")) return "";
  std::ifstream file(where.file);
  std::string line;
  for (int n = 0; n < where.line && std::getline(file, line); ++n) {
  }
  if (!file) return "";
  static const std::regex kDayFirst(R"(^\s*[A-Za-z0-9_."-]+\s*=\s*"?\d{1,2}/\d{1,2}/\d{2,4}\b)");
  if (!std::regex_search(line, kDayFirst)) return "";
  return "hint: dates in a scenario are written YYYY-MM-DD without quotes (origin_date = 2025-02-28), not "
         "dd/mm/yyyy";
}

}  // namespace carecast::app
