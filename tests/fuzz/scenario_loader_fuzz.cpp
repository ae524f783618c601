// libFuzzer harness for load_scenario (engine/scenario/scenario_loader.hpp): the fuzzed bytes are
// a scenario TOML file. It sits in a scratch folder beside copies of the shipped scenarios and the
// loader tests' fixtures, so that `extends = "default.toml"` or `children_csv = "children.csv"`
// reach real files. A scenario the loader accepts must also compile into the simulation's tables.
#include <cstddef>
#include <cstdint>
#include <filesystem>

#include "core/errors.hpp"
#include "fuzz_support.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/compiled_model.hpp"
#include "tally/tally_layout.hpp"

namespace {

namespace fs = std::filesystem;

const fs::path& fuzzed_scenario_path() {
  static const fs::path path = [] {
    const fs::path& dir = carecast::fuzz::scratch_dir();
    constexpr auto options = fs::copy_options::recursive | fs::copy_options::overwrite_existing;
    fs::copy(CARECAST_SCENARIO_DIR, dir, options);
    fs::copy(CARECAST_FUZZ_SCENARIO_FIXTURES, dir, options);
    return dir / "fuzzed.toml";
  }();
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path& file = fuzzed_scenario_path();
  carecast::fuzz::write_file(file, carecast::fuzz::as_text(data, size));
  try {
    const carecast::Scenario scenario = carecast::load_scenario(file);
    const auto calendar = carecast::ReportingCalendar::monthly(scenario.origin, scenario.horizon_end());
    (void)carecast::CompiledModel::compile(scenario, calendar.times.back());
  } catch (const carecast::InputError&) {
    // Refusing bad input is the expected outcome.
  }
  return 0;
}
