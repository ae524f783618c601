// libFuzzer harness for the SSDA903 loader (engine/history/ssda903.hpp) and calibration
// (engine/calibration/estimation.hpp): the fuzzed bytes are up to two years of returns, which are
// loaded, cleaned and, when anything is left, calibrated as of the end of the data, as
// `carecast calibrate` does.
//
// Input format, kept simple so that the fuzzer can reach every file: parts separated by a line
// "##" (the separator "\n##\n"). Parts 1, 2 and 3 are 2020-header.csv, 2020-episodes.csv and
// 2020-uasc.csv; parts 4, 5 and 6 the same files for 2021 (to reach "the latest return wins");
// later parts are ignored, and a file with no part is absent. An episodes file may have the optional
// PL_LOCATION and PL_DISTANCE columns, whose location shares are checked too.
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <streambuf>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "calibration/estimation.hpp"
#include "calibration/location_shares.hpp"
#include "core/calendar.hpp"
#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "history/ssda903.hpp"
#include "simulation/compiled_model.hpp"
#include "tally/tally_layout.hpp"

namespace {

namespace fs = std::filesystem;
using carecast::fuzz::require;

constexpr std::string_view kSeparator = "\n##\n";
constexpr std::array<const char*, 6> kFileNames = {"2020-header.csv", "2020-episodes.csv", "2020-uasc.csv",
                                                   "2021-header.csv", "2021-episodes.csv", "2021-uasc.csv"};

// The reports' print() functions are exercised without filling the fuzzer's log.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

std::ostream& null_stream() {
  static NullBuffer buffer;
  static std::ostream stream(&buffer);
  return stream;
}

std::vector<std::string_view> split_into_files(std::string_view input) {
  std::vector<std::string_view> parts;
  while (parts.size() < kFileNames.size()) {
    const std::size_t at = input.find(kSeparator);
    parts.push_back(input.substr(0, at));
    if (at == std::string_view::npos) break;
    input.remove_prefix(at + kSeparator.size());
  }
  return parts;
}

fs::path write_returns(std::string_view input) {
  const fs::path folder = carecast::fuzz::scratch_dir() / "returns";
  std::error_code ignored;
  fs::remove_all(folder, ignored);
  fs::create_directory(folder);
  const std::vector<std::string_view> parts = split_into_files(input);
  for (std::size_t i = 0; i < parts.size(); ++i) carecast::fuzz::write_file(folder / kFileNames[i], parts[i]);
  return folder;
}

void check_history(const carecast::CareHistory& history, const carecast::CleaningReport& report) {
  require(report.children == history.children.size(), "the cleaning report counts the children held");
  std::size_t periods = 0;
  for (const carecast::ChildHistory& child : history.children) {
    require(!child.periods.empty(), "every child has a period of care");
    for (const carecast::CarePeriod& period : child.periods) {
      require(!period.placements.empty(), "every period has a placement");
      require(period.end.has_value() == period.exit_reason.has_value(), "a period has an exit reason exactly when it ends");
      require(!period.end || *period.end >= period.start, "a period ends on or after its start");
      ++periods;
    }
  }
  require(report.periods == periods, "the cleaning report counts the periods held");
  require(history.first_date.has_value() == history.last_date.has_value(), "the data window has both ends or none");
  if (history.first_date) require(*history.first_date <= *history.last_date, "the data window is not reversed");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path folder = write_returns(carecast::fuzz::as_text(data, size));
  try {
    carecast::CleaningReport cleaning;
    const carecast::CareHistory history = carecast::load_ssda903({folder}, std::nullopt, cleaning);
    cleaning.print(null_stream());
    check_history(history, cleaning);

    // As `carecast calibrate` checks before calling calibrate(): an as-of date within the data.
    if (!history.first_date) return 0;
    const carecast::Date window_start = history.observed_from.value_or(*history.first_date);
    const carecast::Date as_of = *history.last_date;
    if (as_of < window_start) return 0;

    // Location bands from PL_LOCATION and PL_DISTANCE, as calibrate writes them: shares in [0, 1]
    // summing to 1 for every provider, and the fallback's wherever a provider has too few bands.
    const carecast::LocationShares fallback = carecast::shipped_default_location_shares();
    const carecast::LocationShareEstimate locations =
        carecast::estimate_location_shares(history, as_of, fallback, {.half_life_years = 3});
    for (int c = 0; c < carecast::kCategoryCount; ++c) {
      double sum = 0;
      for (const double share : locations.shares[c]) {
        require(share >= 0 && share <= 1, "a location share is a probability");
        sum += share;
      }
      require(std::abs(sum - 1) < 1e-9, "a provider's location shares sum to 1");
      require(locations.from_returns[c] || locations.shares[c] == fallback[c], "a provider not estimated keeps the fallback");
    }

    carecast::CalibrationReport report;
    const carecast::Scenario scenario = carecast::calibrate(history, as_of, {}, report);
    report.print(null_stream());
    // A calibrated scenario must be one the simulation accepts.
    const auto calendar = carecast::ReportingCalendar::monthly(scenario.origin, scenario.horizon_end());
    (void)carecast::CompiledModel::compile(scenario, calendar.times.back());
  } catch (const carecast::InputError&) {
    // Refusing bad input is the expected outcome.
  }
  return 0;
}
