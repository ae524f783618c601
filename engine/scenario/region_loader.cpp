#include "scenario/region_loader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/input_files.hpp"
#include "scenario/scenario_bounds.hpp"
#include "scenario/scenario_loader.hpp"
#include "scenario/toml_text_guard.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

constexpr int kEarliestYear = 1900;
constexpr int kLatestYear = 2200;
constexpr std::size_t kMaxCouncilNameLength = 64;
constexpr std::int64_t kMaxPlacesInArea = 100'000;  // England has about 45,000 foster and 15,000 home places
constexpr double kMaxGrowthPerYear = 0.5;
constexpr double kMaxWeeklyPrice = 20'000;
constexpr std::int64_t kMaxJointHomeBeds = 200;
constexpr double kMaxAnnualCost = 1e9;
constexpr double kMaxPriceChange = 0.5;

// A node of the region file with the dotted key that names it in messages ("council[1].scenario").
struct Entry {
  const toml::node* node = nullptr;
  std::string key;
};

// The region file being read: every message names it.
class RegionFile {
 public:
  explicit RegionFile(fs::path file) : file_(std::move(file)) {}
  const fs::path& path() const { return file_; }

  InputLocation at(const Entry& entry) const {
    const toml::source_position& begin = entry.node->source().begin;
    return {file_.string(), static_cast<int>(begin.line), static_cast<int>(begin.column), entry.key};
  }
  [[noreturn]] void fail(const Entry& entry, const std::string& problem) const { throw InputError(at(entry), problem); }
  // A problem with no node to point at (a table missing from the file).
  [[noreturn]] void fail_missing(const std::string& key, const std::string& problem) const {
    throw InputError({file_.string(), 0, 0, key}, problem);
  }

 private:
  fs::path file_;
};

std::string child_key(std::string_view parent, std::string_view name) {
  return parent.empty() ? std::string(name) : std::string(parent) + "." + std::string(name);
}

std::string format_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", x);
  return buffer;
}

std::string join(const std::vector<std::string_view>& names) {
  std::string joined;
  for (std::string_view name : names) joined.append(joined.empty() ? "" : ", ").append(name);
  return joined;
}

toml::table parse_region_toml(const fs::path& file) {
  const std::string text = read_input_file(file);  // refuses a folder, a FIFO or a device by name
  check_toml_text(text, file.string());            // toml++ 3.3.0's defects: see toml_text_guard.hpp
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& error) {
    const toml::source_position& at = error.source().begin;
    throw InputError({file.string(), static_cast<int>(at.line), static_cast<int>(at.column), {}},
                     "invalid TOML: " + std::string(error.description()));
  }
}

// The members of a table, each checked against `allowed`; those in `required` must be there.
std::vector<std::pair<std::string, Entry>> members_of(const RegionFile& file, const Entry& table,
                                                      const std::vector<std::string_view>& allowed,
                                                      const std::vector<std::string_view>& required) {
  const toml::table* members = table.node->as_table();
  if (!members) file.fail(table, "expected a table");
  std::vector<std::pair<std::string, Entry>> found;
  for (auto&& [name, node] : *members) {
    const Entry member{&node, child_key(table.key, name.str())};
    if (std::find(allowed.begin(), allowed.end(), name.str()) == allowed.end()) {
      file.fail(member, "unknown key; expected one of: " + join(allowed));
    }
    found.emplace_back(std::string(name.str()), member);
  }
  for (std::string_view name : required) {
    if (!members->get(name)) file.fail(table, "required key '" + std::string(name) + "' is missing");
  }
  return found;
}

std::optional<Entry> member(const Entry& table, std::string_view name) {
  const toml::node* node = table.node->as_table()->get(name);
  if (!node) return std::nullopt;
  return Entry{node, child_key(table.key, name)};
}

std::string read_string(const RegionFile& file, const Entry& entry) {
  if (const auto* text = entry.node->as_string()) return text->get();
  file.fail(entry, "expected a string");
}

std::int64_t read_integer(const RegionFile& file, const Entry& entry, std::int64_t min, std::int64_t max,
                          std::string_view what) {
  const auto* integer = entry.node->as_integer();
  const std::string expected =
      "expected " + std::string(what) + ", a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!integer) file.fail(entry, expected);
  if (integer->get() < min || integer->get() > max)
    file.fail(entry, expected + "; got " + std::to_string(integer->get()));
  return integer->get();
}

// A number strictly inside (min, max) when `open`, else within [min, max]; integers are accepted.
double read_number(const RegionFile& file, const Entry& entry, double min, double max, std::string_view what,
                   bool open = false) {
  double value = 0;
  if (const auto* integer = entry.node->as_integer()) {
    value = static_cast<double>(integer->get());
  } else if (const auto* floating = entry.node->as_floating_point()) {
    value = floating->get();
  } else {
    file.fail(entry, "expected a number (" + std::string(what) + ")");
  }
  const bool inside = std::isfinite(value) && (open ? (value > min && value < max) : (value >= min && value <= max));
  if (!inside) {
    file.fail(entry, "must be " + std::string(open ? "above " : "from ") + format_number(min) +
                         (open ? " and below " : " to ") + format_number(max) + " (" + std::string(what) + "); got " +
                         format_number(value));
  }
  return value;
}

Date read_date(const RegionFile& file, const Entry& entry) {
  const auto* date = entry.node->as_date();
  if (!date) file.fail(entry, "expected a date such as 2026-04-01");
  if (date->get().year < kEarliestYear || date->get().year > kLatestYear) {
    file.fail(entry,
              "expected a date in the years " + std::to_string(kEarliestYear) + " to " + std::to_string(kLatestYear));
  }
  return make_date(date->get().year, date->get().month, date->get().day);
}

std::string lower_case(std::string_view text) {
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower;
}

// ---------------------------------------------------------------------------------------------
// Sections

bool read_boolean(const RegionFile& file, const Entry& entry) {
  if (const auto* value = entry.node->as_boolean()) return value->get();
  file.fail(entry, "expected true or false");
}

std::string read_region_name(const RegionFile& file, const toml::table& root) {
  const toml::node* node = root.get("region");
  if (!node) {
    file.fail_missing("region", "required table [region] is missing: a region file begins with [region] and its name");
  }
  const Entry region{node, "region"};
  members_of(file, region, {"name", "common_uncertainty"}, {"name"});
  const Entry name = *member(region, "name");
  std::string text = read_string(file, name);
  if (text.empty()) file.fail(name, "must not be empty");
  return text;
}

std::vector<RegionCouncil> read_councils(const RegionFile& file, const toml::table& root) {
  const toml::node* node = root.get("council");
  if (!node) file.fail_missing("council", "no [[council]]: a region needs at least one council");
  const Entry councils_entry{node, "council"};
  const toml::array* array = node->as_array();
  if (!array) file.fail(councils_entry, "expected [[council]] tables");
  if (array->empty()) file.fail(councils_entry, "no [[council]]: a region needs at least one council");
  if (!array->is_array_of_tables()) file.fail(councils_entry, "expected [[council]] tables");
  if (array->size() > kMaxRegionCouncils) {
    const Entry extra{&(*array)[kMaxRegionCouncils], "council[" + std::to_string(kMaxRegionCouncils) + "]"};
    file.fail(extra, "a region holds at most " + std::to_string(kMaxRegionCouncils) + " councils; this file has " +
                         std::to_string(array->size()));
  }

  std::vector<RegionCouncil> councils;
  std::vector<std::string> lower_names;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const Entry council{&(*array)[i], "council[" + std::to_string(i) + "]"};
    members_of(file, council, {"name", "scenario"}, {"name", "scenario"});
    const Entry name_entry = *member(council, "name");
    RegionCouncil read;
    read.name = read_string(file, name_entry);
    if (!is_safe_council_name(read.name)) {
      file.fail(name_entry, "a council's name names its output folder: use 1 to " +
                                std::to_string(kMaxCouncilNameLength) + " letters, digits, _ and -");
    }
    const std::string lower = lower_case(read.name);
    if (const auto same = std::find(lower_names.begin(), lower_names.end(), lower); same != lower_names.end()) {
      file.fail(name_entry, "council name '" + read.name + "' is used twice (council[" +
                                std::to_string(same - lower_names.begin()) +
                                "] has it; names differing only in case count as the same folder)");
    }
    lower_names.push_back(lower);

    const Entry scenario_entry = *member(council, "scenario");
    const std::string relative = read_string(file, scenario_entry);
    if (relative.empty()) file.fail(scenario_entry, "must name the council's scenario file");
    read.scenario_file = (file.path().parent_path() / relative).lexically_normal();
    std::error_code error;
    if (!fs::exists(read.scenario_file, error)) {
      file.fail(scenario_entry, "the file it names does not exist: " + read.scenario_file.string());
    }
    read.scenario = load_scenario(read.scenario_file);  // its own problems name its own file
    if (!councils.empty()) {
      const Scenario& first = councils.front().scenario;
      if (read.scenario.origin != first.origin) {
        file.fail(scenario_entry, "its origin_date " + format_iso(read.scenario.origin) + " differs from " +
                                      format_iso(first.origin) + ", council '" + councils.front().name +
                                      "''s: every council of a region forecasts from the same origin");
      }
      if (read.scenario.horizon_years != first.horizon_years) {
        file.fail(scenario_entry, "its horizon_years " + std::to_string(read.scenario.horizon_years) +
                                      " differs from " + std::to_string(first.horizon_years) + ", council '" +
                                      councils.front().name + "''s: every council of a region has the same horizon");
      }
    }
    councils.push_back(std::move(read));
  }
  return councils;
}

std::vector<std::string_view> shareable_names() {
  std::vector<std::string_view> names;
  for (Category category : kShareableCategories) names.push_back(kCategoryNames[static_cast<std::size_t>(category)]);
  return names;
}

std::vector<SharedMarketPart> read_market(const RegionFile& file, const toml::table& root, std::size_t councils) {
  const toml::node* node = root.get("market");
  if (!node) return {};
  const Entry market{node, "market"};
  const std::vector<std::string_view> names = shareable_names();
  std::array<std::optional<SharedMarketPart>, kShareableCategories.size()> parts;
  for (const auto& [name, part_entry] : members_of(file, market, names, {})) {
    const std::size_t index = static_cast<std::size_t>(std::find(names.begin(), names.end(), name) - names.begin());
    SharedMarketPart part;
    part.category = kShareableCategories[index];
    members_of(file, part_entry, {"places", "growth_per_year", "weekly_price"}, {"places"});

    const Entry places = *member(part_entry, "places");
    const toml::array* array = places.node->as_array();
    if (!array) file.fail(places, "expected an array of places, one for each council's area in [[council]] order");
    if (array->size() != councils) {
      file.fail(places, "has " + std::to_string(array->size()) + " entries; expected " + std::to_string(councils) +
                            ", one for each council's area in [[council]] order");
    }
    for (std::size_t a = 0; a < array->size(); ++a) {
      const Entry place{&(*array)[a], places.key + "[" + std::to_string(a) + "]"};
      part.places_by_area.push_back(static_cast<int>(read_integer(file, place, 0, kMaxPlacesInArea, "places")));
    }
    if (const auto growth = member(part_entry, "growth_per_year")) {
      part.growth_per_year =
          read_number(file, *growth, -kMaxGrowthPerYear, kMaxGrowthPerYear, "relative change of the places a year");
    }
    if (const auto price = member(part_entry, "weekly_price")) {
      part.weekly_price = read_number(file, *price, 0, kMaxWeeklyPrice, "£ a week", /*open=*/true);
    }
    parts[index] = std::move(part);
  }
  std::vector<SharedMarketPart> market_parts;
  for (auto& part : parts) {
    if (part) market_parts.push_back(std::move(*part));
  }
  return market_parts;
}

std::vector<std::vector<LocationBand>> default_distance(std::size_t councils) {
  std::vector<std::vector<LocationBand>> bands(
      councils, std::vector<LocationBand>(councils, LocationBand::outside_council_within_20_miles));
  for (std::size_t c = 0; c < councils; ++c) bands[c][c] = LocationBand::inside_council;
  return bands;
}

std::vector<std::vector<LocationBand>> read_distance(const RegionFile& file, const toml::table& root,
                                                     std::size_t councils) {
  const toml::node* node = root.get("distance");
  if (!node) return default_distance(councils);
  const Entry distance{node, "distance"};
  members_of(file, distance, {"bands"}, {"bands"});
  const Entry bands_entry = *member(distance, "bands");
  const std::string shape = "expected " + std::to_string(councils) + " rows (each council's children) of " +
                            std::to_string(councils) + " bands (each council's area), in [[council]] order";
  const toml::array* rows = bands_entry.node->as_array();
  if (!rows || rows->size() != councils) file.fail(bands_entry, shape);
  std::vector<std::vector<LocationBand>> bands(councils);
  for (std::size_t c = 0; c < councils; ++c) {
    const Entry row{&(*rows)[c], bands_entry.key + "[" + std::to_string(c) + "]"};
    const toml::array* columns = row.node->as_array();
    if (!columns || columns->size() != councils) file.fail(row, shape);
    for (std::size_t a = 0; a < councils; ++a) {
      const Entry cell{&(*columns)[a], row.key + "[" + std::to_string(a) + "]"};
      const std::optional<LocationBand> band = parse_location_band(read_string(file, cell));
      if (!band) {
        file.fail(cell,
                  "unknown band; expected one of: " + join({kLocationBandNames.begin(), kLocationBandNames.end()}));
      }
      if (a == c && *band != LocationBand::inside_council) {
        file.fail(cell, "a council's own area must be inside_council (the diagonal)");
      }
      if (a != c && *band == LocationBand::inside_council) {
        file.fail(cell, "only a council's own area (the diagonal) is inside_council");
      }
      bands[c].push_back(*band);
    }
  }
  return bands;
}

JointHome read_joint_home(const RegionFile& file, const Entry& table, const std::vector<RegionCouncil>& councils) {
  members_of(file, table, {"host", "beds", "opens", "annual_cost"}, {"host", "beds", "opens", "annual_cost"});
  JointHome home;
  const Entry host = *member(table, "host");
  const std::string host_name = read_string(file, host);
  const auto found = std::find_if(councils.begin(), councils.end(),
                                  [&](const RegionCouncil& council) { return council.name == host_name; });
  if (found == councils.end()) file.fail(host, "no council of this region is named '" + host_name + "'");
  home.host = static_cast<std::size_t>(found - councils.begin());
  home.beds = static_cast<int>(read_integer(file, *member(table, "beds"), 1, kMaxJointHomeBeds, "beds"));
  const Entry opens = *member(table, "opens");
  home.opens = read_date(file, opens);
  const Scenario& scenario = councils.front().scenario;
  if (home.opens < scenario.origin || home.opens >= scenario.horizon_end()) {
    file.fail(opens, "must be on or after the councils' origin (" + format_iso(scenario.origin) +
                         ") and before the horizon's end (" + format_iso(scenario.horizon_end()) + ")");
  }
  home.annual_cost = read_number(file, *member(table, "annual_cost"), 0, kMaxAnnualCost, "£ a year");
  return home;
}

// As a scenario's [[options.recruitment_campaigns]] ramp: start, optional full and end, and the
// enquiries a year at full strength, within the scenario's own range for them.
RecruitmentHub read_recruitment_hub(const RegionFile& file, const Entry& table) {
  members_of(file, table, {"start", "full", "end", "extra_enquiries_per_year"}, {"start", "extra_enquiries_per_year"});
  Ramp ramp;
  ramp.start = read_date(file, *member(table, "start"));
  ramp.full = ramp.start;
  if (const auto full = member(table, "full")) {
    ramp.full = read_date(file, *full);
    if (ramp.full < ramp.start) file.fail(*full, "the ramp must reach its full value on or after its start");
  }
  if (const auto end = member(table, "end")) {
    ramp.end = read_date(file, *end);
    if (*ramp.end <= ramp.start) file.fail(*end, "it must end after it starts (" + format_iso(ramp.start) + ")");
  }
  const Entry enquiries = *member(table, "extra_enquiries_per_year");
  const ScenarioRange* range = find_scenario_range("options.recruitment_campaigns[].extra_enquiries_per_year");
  if (!range) throw std::logic_error("no range for options.recruitment_campaigns[].extra_enquiries_per_year");
  ramp.full_value = read_number(file, enquiries, range->min, range->max, range->what);
  return RecruitmentHub{ramp};
}

FrameworkPrice read_framework_price(const RegionFile& file, const Entry& table, const Scenario& scenario) {
  members_of(file, table, {"from", "price_change"}, {"from", "price_change"});
  FrameworkPrice price;
  const Entry from = *member(table, "from");
  price.from = read_date(file, from);
  if (price.from < scenario.origin || price.from >= scenario.horizon_end()) {
    file.fail(from, "must be on or after the councils' origin (" + format_iso(scenario.origin) +
                        ") and before the horizon's end (" + format_iso(scenario.horizon_end()) + ")");
  }
  price.price_change = read_number(file, *member(table, "price_change"), -kMaxPriceChange, kMaxPriceChange,
                                   "relative change of the weekly price");
  return price;
}

void read_options(const RegionFile& file, const toml::table& root, Region& region) {
  const toml::node* node = root.get("options");
  if (!node) return;
  const Entry options{node, "options"};
  members_of(file, options, {"joint_home", "recruitment_hub", "framework_price"}, {});
  if (const auto home = member(options, "joint_home"))
    region.joint_home = read_joint_home(file, *home, region.councils);
  if (const auto hub = member(options, "recruitment_hub")) region.recruitment_hub = read_recruitment_hub(file, *hub);
  if (const auto price = member(options, "framework_price")) {
    region.framework_price = read_framework_price(file, *price, region.councils.front().scenario);
  }
}

}  // namespace

bool is_safe_council_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxCouncilNameLength) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

Region load_region(const fs::path& file) {
  const RegionFile region_file(file);
  const toml::table root = parse_region_toml(file);
  // Unknown top-level keys first: a misspelt section would otherwise pass unnoticed.
  members_of(region_file, Entry{&root, ""}, {"region", "council", "market", "distance", "options"}, {});

  Region region;
  region.name = read_region_name(region_file, root);
  if (const auto common = member(Entry{root.get("region"), "region"}, "common_uncertainty")) {
    region.common_uncertainty = read_boolean(region_file, *common);
  }
  region.councils = read_councils(region_file, root);
  region.market = read_market(region_file, root, region.councils.size());
  region.distance = read_distance(region_file, root, region.councils.size());
  read_options(region_file, root, region);

  region.source_files.push_back(file);
  for (const RegionCouncil& council : region.councils) {
    region.source_files.insert(region.source_files.end(), council.scenario.source_files.begin(),
                               council.scenario.source_files.end());
  }
  return region;
}

bool is_region_file(const fs::path& file) {
  try {
    const toml::table root = parse_region_toml(file);
    const toml::node* region = root.get("region");
    return region && region->is_table();
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace carecast
