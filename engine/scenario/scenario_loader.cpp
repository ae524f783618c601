#include "scenario/scenario_loader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"
#include "core/input_files.hpp"
#include "scenario/scenario_bounds.hpp"
#include "scenario/toml_text_guard.hpp"
#include "scenario/starting_groups_reader.hpp"
#include "simulation/starting_counts_draw.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

constexpr double kProbabilitySumTolerance = 1e-9;
constexpr std::string_view kAllAgeBands = "all";
// [supply.location]: the shares of every provider not given a table of its own.
constexpr std::string_view kAnyOtherProvider = "any_other_provider";
constexpr std::int64_t kMaxInt32 = std::numeric_limits<std::int32_t>::max();
constexpr int kEarliestYear = 1900;
constexpr int kLatestYear = 2200;

// ---------------------------------------------------------------------------------------------
// Parsed files and the nodes picked from them

// One file of the extends chain as toml++ parsed it. A toml++ node keeps its source position only
// in the tree it was parsed into (copies lose it), so layers are read side by side rather than
// merged into one tree.
struct Layer {
  fs::path file;
  toml::table root;
};

// A node picked from one layer, with what an error about it needs.
struct Entry {
  const toml::node* node = nullptr;
  const Layer* layer = nullptr;
  std::string key;  // dotted path from the top of the file
};

std::string join_key(std::string_view parent, std::string_view child) {
  std::string key(parent);
  if (!key.empty()) key += '.';
  key += child;
  return key;
}

InputLocation location_of(const toml::source_region& source, const Layer& layer, std::string key) {
  return {layer.file.string(), static_cast<int>(source.begin.line), static_cast<int>(source.begin.column),
          std::move(key)};
}

InputLocation location_of(const Entry& entry) {
  return location_of(entry.node->source(), *entry.layer, entry.key);
}

[[noreturn]] void fail(const Entry& entry, const std::string& problem) {
  throw InputError(location_of(entry), problem);
}

std::string format_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.15g", x);
  return buffer;
}

std::string_view type_name(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

[[noreturn]] void fail_type(const Entry& entry, std::string_view expected) {
  fail(entry, "expected " + std::string(expected) + ", found " + std::string(type_name(*entry.node)));
}

template <typename Visit>
void for_each_member(const Entry& table, Visit visit) {
  for (auto&& [name, node] : *table.node->as_table()) {
    visit(name.str(), Entry{&node, table.layer, join_key(table.key, name.str())});
  }
}

Entry element(const Entry& array, std::size_t index) {
  return {&(*array.node->as_array())[index], array.layer, array.key + "[" + std::to_string(index) + "]"};
}

// ---------------------------------------------------------------------------------------------
// Values

std::string read_string(const Entry& entry) {
  if (const auto* text = entry.node->as_string()) return text->get();
  fail_type(entry, "a string");
}

// The plausible range of the number at `entry` (scenario_bounds.cpp). Every numeric key of the
// schema has one, so a key without one is a mistake in this file, not in the scenario.
const ScenarioRange& range_of(const Entry& entry) {
  const ScenarioRange* range = find_scenario_range(entry.key);
  if (!range) throw std::logic_error("scenario key '" + entry.key + "' has no range in scenario_bounds.cpp");
  return *range;
}

// Refuses a value outside its key's range, and inf and nan, which TOML allows.
void check_in_range(const Entry& entry, double value) {
  const ScenarioRange& range = range_of(entry);
  if (!in_range(range, value)) fail(entry, out_of_range_problem(range, value));
}

// A number within its key's range. Integers are accepted wherever a number is: analysts write 0
// as often as 0.0.
double read_number(const Entry& entry, std::string_view expected) {
  double value = 0;
  if (const auto* integer = entry.node->as_integer()) {
    value = static_cast<double>(integer->get());
  } else if (const auto* floating = entry.node->as_floating_point()) {
    value = floating->get();
  } else {
    fail_type(entry, expected);
  }
  check_in_range(entry, value);
  return value;
}

// The ranges of these keys start at 0; the name says what the reader expects.
double read_non_negative(const Entry& entry, std::string_view expected) { return read_number(entry, expected); }

double read_probability(const Entry& entry) { return read_number(entry, "a probability (number between 0 and 1)"); }

bool read_bool(const Entry& entry) {
  if (const auto* value = entry.node->as_boolean()) return value->get();
  fail_type(entry, "true or false");
}

// An integer of any size, for keys whose readers check its range themselves.
std::int64_t read_integer(const Entry& entry, std::string_view expected) {
  if (const auto* integer = entry.node->as_integer()) return integer->get();
  fail_type(entry, expected);
}

// An integer within its key's range (all of which fit an int).
int read_bounded_integer(const Entry& entry, std::string_view expected) {
  const std::int64_t value = read_integer(entry, expected);
  check_in_range(entry, static_cast<double>(value));
  return static_cast<int>(value);
}

int read_count(const Entry& entry) {
  return read_bounded_integer(entry, "a number of children (an integer, 0 or more)");
}

Date read_date(const Entry& entry) {
  const auto* date = entry.node->as_date();
  if (!date) fail_type(entry, "a date such as 2025-03-31");
  // TOML allows years 0 to 9999; no forecast needs dates outside these.
  if (date->get().year < kEarliestYear || date->get().year > kLatestYear) {
    fail(entry, "expected a date in the years " + std::to_string(kEarliestYear) + " to " + std::to_string(kLatestYear));
  }
  return make_date(date->get().year, date->get().month, date->get().day);
}

const toml::array& read_array(const Entry& entry, std::string_view expected) {
  if (const auto* array = entry.node->as_array()) return *array;
  fail_type(entry, expected);
}

void check_sums_to_one(const Entry& entry, double sum) {
  if (std::abs(sum - 1) > kProbabilitySumTolerance) {
    fail(entry, "probabilities sum to " + format_number(sum) + "; they must sum to 1 (within 1e-9)");
  }
}

// A table of name -> probability, replaced whole by an overriding file; `index_of` maps a name
// (already checked against the schema) to its slot.
template <std::size_t N, typename IndexOf>
std::array<double, N> read_probability_table(const Entry& table, IndexOf index_of) {
  std::array<double, N> probabilities{};
  double sum = 0;
  for_each_member(table, [&](std::string_view name, const Entry& member) {
    const double p = read_probability(member);
    probabilities[index_of(name)] = p;
    sum += p;
  });
  check_sums_to_one(table, sum);
  return probabilities;
}

std::size_t category_index(std::string_view name) { return static_cast<std::size_t>(*parse_category(name)); }
std::size_t outcome_index(std::string_view name) { return static_cast<std::size_t>(*parse_outcome(name)); }

// `{ male = x, female = x }`, both required, replaced whole by an overriding file.
template <typename T, typename Read>
PerSex<T> read_sex_pair(const Entry& pair, Read read) {
  PerSex<T> values{};
  for (int sex = 0; sex < kSexCount; ++sex) {
    const std::string key = join_key(pair.key, kSexNames[sex]);
    const toml::node* node = pair.node->as_table()->get(kSexNames[sex]);
    if (!node) {
      throw InputError(location_of(pair.node->source(), *pair.layer, key), "required key is missing");
    }
    values[sex] = read(Entry{node, pair.layer, key});
  }
  return values;
}

std::string join_names(const std::vector<std::string_view>& names) {
  std::string joined;
  for (std::string_view name : names) joined.append(joined.empty() ? "" : ", ").append(name);
  return joined;
}

// ---------------------------------------------------------------------------------------------
// Which keys may appear where. Every layer is checked against this before any value is read, so
// a misspelt key is refused even in a part of a file that a more derived file overrides.

struct Vocabulary {
  std::string_view what;
  std::vector<std::string> names;
};

struct KeySchema {
  bool is_table = false;
  std::vector<std::pair<std::string_view, const KeySchema*>> fields;  // a table of named keys,
  const Vocabulary* vocabulary = nullptr;  // or a table keyed by names from a vocabulary,
  const KeySchema* each = nullptr;         // each with this schema

  const KeySchema* child(std::string_view key) const {
    if (vocabulary) {
      const auto& names = vocabulary->names;
      return std::find(names.begin(), names.end(), key) != names.end() ? each : nullptr;
    }
    for (const auto& [name, schema] : fields) {
      if (name == key) return schema;
    }
    return nullptr;
  }

  std::string unknown_key_problem() const {
    std::vector<std::string_view> valid;
    if (vocabulary) {
      valid.assign(vocabulary->names.begin(), vocabulary->names.end());
    } else {
      for (const auto& field : fields) valid.push_back(field.first);
    }
    return "unknown " + std::string(vocabulary ? vocabulary->what : "key") +
           "; expected one of: " + join_names(valid);
  }
};

KeySchema table_of(std::vector<std::pair<std::string_view, const KeySchema*>> fields) {
  return {true, std::move(fields), nullptr, nullptr};
}
KeySchema keyed_by(const Vocabulary& vocabulary, const KeySchema& each) {
  return {true, {}, &vocabulary, &each};
}

template <std::size_t N>
std::vector<std::string> names_of(const std::array<std::string_view, N>& names) {
  return {names.begin(), names.end()};
}

std::vector<std::string> outcome_names() {
  std::vector<std::string> names = names_of(kCategoryNames);
  for (int reason = 0; reason < kDestinationExitCount; ++reason) {
    names.push_back(std::string(kExitOutcomePrefix).append(kExitReasonNames[reason]));
  }
  return names;
}

std::vector<std::string> age_band_names_or_all() {
  std::vector<std::string> names = names_of(kAgeBandNames);
  names.emplace_back(kAllAgeBands);
  return names;
}

const KeySchema& scenario_schema() {
  static const Vocabulary categories{"category", names_of(kCategoryNames)};
  static const Vocabulary age_bands{"age band", names_of(kAgeBandNames)};
  static const Vocabulary age_bands_or_all{"age band", age_band_names_or_all()};
  static const Vocabulary outcomes{"outcome", outcome_names()};

  static const KeySchema value{};
  static const KeySchema sex_pair = table_of({{"male", &value}, {"female", &value}});
  static const KeySchema sex_pairs_by_band = keyed_by(age_bands, sex_pair);
  static const KeySchema value_by_category = keyed_by(categories, value);
  static const KeySchema value_by_outcome = keyed_by(outcomes, value);
  static const KeySchema value_by_band = keyed_by(age_bands_or_all, value);
  static const KeySchema categories_by_band = keyed_by(age_bands_or_all, value_by_category);
  static const KeySchema outcomes_by_band = keyed_by(age_bands_or_all, value_by_outcome);
  static const KeySchema counts = keyed_by(categories, sex_pairs_by_band);
  static const KeySchema placement_counts = table_of({{"one", &value}, {"two", &value}, {"three_or_more", &value}});
  static const KeySchema placement_counts_by_category = keyed_by(categories, placement_counts);

  static const KeySchema bands = table_of({{"placement_duration_band_starts_days", &value}});
  static const KeySchema time_in_care = table_of({{"band_starts_months", &value},
                                                  {"exit_hazard_multiplier", &value},
                                                  {"move_hazard_multiplier", &value}});
  static const KeySchema value_by_age_band = keyed_by(age_bands, value);
  static const KeySchema re_entry = table_of({{"band_starts_months", &value},
                                              {"hazard_per_year", &value_by_band},
                                              {"left_before_origin", &value_by_age_band}});
  static const KeySchema starting_population = table_of({
      {"children_csv", &value},
      {"groups_csv", &value},
      {"counts", &counts},
      {"uasc_counts", &counts},
      {"mean_days_in_placement", &value_by_category},
      {"mean_days_in_care_before_placement", &value},
      {"placements_since_april", &placement_counts_by_category},
      {"short_term_stability_percent", &value},
      {"long_term_stability_percent", &value},
  });
  static const KeySchema entries = table_of({
      {"expected_per_year", &sex_pairs_by_band},
      {"per_10000_children", &sex_pairs_by_band},
      {"annual_growth_rate", &value},
      {"trend_damping_per_year", &value},
      {"sibling_group_size_probability", &value},
      {"first_placement_probability", &categories_by_band},
  });
  static const KeySchema uasc = table_of({
      {"expected_per_year", &sex_pairs_by_band},
      {"annual_growth_rate", &value},
      {"trend_damping_per_year", &value},
      {"first_placement_probability", &categories_by_band},
  });
  static const KeySchema placement = table_of({
      {"ending_hazard_per_year", &value_by_band},
      {"destination_probability", &outcomes_by_band},
  });
  static const KeySchema placements = keyed_by(categories, placement);
  static const KeySchema leaving_care = table_of({{"staying_put_probability", &value}});
  static const KeySchema variation = table_of({
      {"entries_sd_log_per_year", &value},
      {"exits_sd_log_per_year", &value},
      {"moves_sd_log_per_year", &value},
      {"autocorrelation", &value},
      {"entries_drift_sd_log_per_year", &value},
      {"exits_drift_sd_log_per_year", &value},
      {"moves_drift_sd_log_per_year", &value},
      {"drift_evidence_origins", &value},
  });
  static const KeySchema uncertainty = table_of({
      {"parameter_uncertainty", &value},
      {"hazard_evidence_child_years", &value},
      {"entry_evidence_years", &value},
      {"share_evidence_events", &value},
      {"entry_growth_sd_log_per_year", &value},
      {"care_leaver_evidence_years", &value},
      {"care_leaver_share_events", &value},
  });

  // Evidence is written per age band by `carecast calibrate`: no `all`.
  static const KeySchema value_by_each_band = keyed_by(age_bands, value);
  static const KeySchema categories_by_each_band = keyed_by(age_bands, value_by_category);
  static const KeySchema outcomes_by_each_band = keyed_by(age_bands, value_by_outcome);
  static const KeySchema placement_evidence = table_of({
      {"ending_events", &value_by_each_band},
      {"ending_exposure_years", &value_by_each_band},
      {"ending_prior_events", &value_by_each_band},
      {"ending_prior_exposure_years", &value_by_each_band},
      {"destination_counts", &outcomes_by_each_band},
      {"destination_prior_counts", &outcomes_by_each_band},
  });
  static const KeySchema placements_evidence = keyed_by(categories, placement_evidence);
  static const KeySchema stream_evidence = table_of({
      {"counts", &sex_pairs_by_band},
      {"exposure_years", &sex_pairs_by_band},
      {"prior_counts", &sex_pairs_by_band},
      {"prior_exposure_years", &sex_pairs_by_band},
      {"first_placement_counts", &categories_by_each_band},
      {"first_placement_prior_counts", &categories_by_each_band},
      {"growth_sd_log_per_year", &value},
  });
  static const KeySchema evidence = table_of({
      {"placements", &placements_evidence},
      {"entries", &stream_evidence},
      {"uasc", &stream_evidence},
  });

  // Supply. Arrays of tables (approval_ranges, homes, options) are checked element by element
  // where they are read.
  static const Vocabulary categories_vocabulary{"category", names_of(kCategoryNames)};
  static const KeySchema fallback = keyed_by(categories_vocabulary, value);
  static const Vocabulary care_kinds_vocabulary{"kind of care", names_of(kCareKindNames)};
  static const KeySchema preference = keyed_by(care_kinds_vocabulary, value);
  static const Vocabulary markets_vocabulary{"market", {"foster_agency", "childrens_home_external"}};
  static const KeySchema market = table_of({
      {"chance_of_place_by_year", &value},
      {"price_rise_per_year", &value},
  });
  static const KeySchema markets = keyed_by(markets_vocabulary, market);
  static const Vocabulary location_providers_vocabulary{"provider", [] {
                                                          std::vector<std::string> names = names_of(kCategoryNames);
                                                          names.emplace_back(kAnyOtherProvider);
                                                          return names;
                                                        }()};
  static const Vocabulary location_bands_vocabulary{"location band", names_of(kLocationBandNames)};
  static const KeySchema location_shares = keyed_by(location_bands_vocabulary, value);
  static const KeySchema location = keyed_by(location_providers_vocabulary, location_shares);
  static const Vocabulary needs_levels_vocabulary{"needs level", names_of(kNeedsLevelNames)};
  static const KeySchema value_by_needs_level = keyed_by(needs_levels_vocabulary, value);
  static const KeySchema needs_levels_by_band = keyed_by(age_bands_or_all, value_by_needs_level);
  static const KeySchema needs_levels_by_provider = keyed_by(categories_vocabulary, value_by_needs_level);
  static const KeySchema needs = table_of({
      {"shares_at_entry", &needs_levels_by_band},
      {"escalation_per_year", &value},
      {"deescalation_per_year", &value},
      {"households_approved_up_to", &value_by_needs_level},
      {"chance_of_place", &needs_levels_by_provider},
      {"weekly_cost_multiplier", &value_by_needs_level},
  });
  static const KeySchema step_down = table_of({
      {"starts", &value},
      {"minimum_stay_days", &value},
      {"hazard_per_year", &value},
      {"specialist_places", &value},
      {"specialist_approvals_per_year", &value},
      {"max_places", &value},
      {"breakdown_hazard_per_year", &value},
      {"breakdown_months", &value},
      {"weekly_cost", &value},
  });
  static const KeySchema supply = table_of({
      {"in_house_households", &value},
      {"places_per_household_probability", &value},
      {"approval_ranges", &value},
      {"takes_sibling_groups_probability", &value},
      {"match_chance_per_household", &value},
      {"enquiries_per_year", &value},
      {"application_probability", &value},
      {"application_lag_months", &value},
      {"approval_probability", &value},
      {"approval_lag_months", &value},
      {"deregistration_per_year", &value},
      {"leaves_when_last_child_leaves_probability", &value},
      {"in_house_homes_unlimited", &value},
      {"mockingbird_constellations", &value},
      {"households_per_constellation", &value},
      {"mockingbird_deregistration_multiplier", &value},
      {"mockingbird_move_multiplier", &value},
      {"agency_places", &value},
      {"external_home_beds", &value},
      {"homes", &value},
      {"fallback", &fallback},
      {"demand", &value},
      {"preference", &preference},
      {"markets", &markets},
      {"unregistered_weekly_cost", &value},
      {"location", &location},
      {"needs", &needs},
      {"step_down", &step_down},
  });
  static const KeySchema options = table_of({
      {"recruitment_campaigns", &value},
      {"retention", &value},
      {"mockingbird_expansion", &value},
      {"edge_of_care", &value},
      {"uasc_transfer", &value},
  });

  static const KeySchema costs = table_of({
      {"base_year", &value},
      {"inflation_per_year", &value},
      {"discount_rate_per_year", &value},
      {"budget_per_financial_year", &value},
      {"weekly", &value_by_category},
      {"carer_support_per_household_per_year", &value},
      {"adoption_inter_agency_fee", &value},
      {"recruitment_per_approval", &value},
      {"step_down_support_package", &value},
  });
  static const Vocabulary care_leaver_statuses{"care leaver status", names_of(kCareLeaverStatusNames)};
  static const KeySchema value_by_care_leaver_status = keyed_by(care_leaver_statuses, value);
  static const KeySchema hazards_by_care_leaver_status = keyed_by(care_leaver_statuses, value_by_care_leaver_status);
  static const KeySchema care_leaver_age_bands = table_of({{"18_to_20", &value}, {"21_to_25", &value}});
  static const KeySchema counts_by_care_leaver_status = keyed_by(care_leaver_statuses, care_leaver_age_bands);
  static const KeySchema care_leavers = table_of({
      {"support_ends_at_21_probability", &value},
      {"staying_close_probability", &value},
      {"first_status_probability", &value_by_care_leaver_status},
      {"transition_hazard_per_year", &hazards_by_care_leaver_status},
      {"starting_count", &counts_by_care_leaver_status},
      {"weekly_cost", &value_by_care_leaver_status},
      {"personal_adviser_per_year", &value},
      {"setting_up_home_allowance", &value},
      {"higher_education_bursary", &value},
      {"higher_education_probability", &value},
  });
  static const KeySchema multipliers_by_category = keyed_by(categories_vocabulary, value_by_band);
  static const KeySchema stability = table_of({{"hazard_multiplier", &multipliers_by_category}});

  static const KeySchema population = table_of({{"csv", &value}, {"uasc_cap_share_of_population", &value}});
  static const KeySchema root = table_of({
      {"name", &value},
      {"description", &value},
      {"extends", &value},
      {"remove", &value},
      {"origin_date", &value},
      {"horizon_years", &value},
      {"bands", &bands},
      {"starting_population", &starting_population},
      {"entries", &entries},
      {"uasc", &uasc},
      {"population", &population},
      {"placements", &placements},
      {"leaving_care", &leaving_care},
      {"re_entry", &re_entry},
      {"variation", &variation},
      {"time_in_care", &time_in_care},
      {"uncertainty", &uncertainty},
      {"evidence", &evidence},
      {"supply", &supply},
      {"options", &options},
      {"costs", &costs},
      {"stability", &stability},
      {"care_leavers", &care_leavers},
  });
  return root;
}

void check_keys(const toml::table& table, const KeySchema& schema, const std::string& table_key,
                const Layer& layer) {
  for (auto&& [name, node] : table) {
    std::string key = join_key(table_key, name.str());
    const KeySchema* child = schema.child(name.str());
    if (!child) {
      throw InputError(location_of(name.source(), layer, std::move(key)), schema.unknown_key_problem());
    }
    if (!child->is_table) continue;
    if (!node.is_table()) fail_type(Entry{&node, &layer, key}, "a table");
    check_keys(*node.as_table(), *child, key, layer);
  }
}

// ---------------------------------------------------------------------------------------------
// Removing what a base file defines

// A file's `remove = ["supply.step_down", ...]` erases those keys (a table with all it holds, or
// a value) from every file it extends, before its own keys apply: so it can drop a section its
// base has, or, by giving the section again, replace it whole instead of merging into it. Key by
// key merging alone cannot do either: TOML has no way to say "not this key", and a key left out
// of an overriding table survives from the base (a counts table that lists fewer categories
// keeps the base's children in the others). Layers are handled from the base up, so a path must
// name something that is still there after the files beneath have removed theirs; a path that
// removes nothing is refused, since it is a misspelling or a stale line.
void check_removable(const Entry& entry, std::string_view path) {
  if (path.empty() || path.front() == '.' || path.back() == '.' || path.find("..") != std::string_view::npos) {
    fail(entry, "expected a dotted key path such as \"supply.step_down\"");
  }
  const KeySchema* schema = &scenario_schema();
  std::string walked;
  for (std::size_t start = 0; start <= path.size();) {
    const std::size_t dot = std::min(path.find('.', start), path.size());
    const std::string_view name = path.substr(start, dot - start);
    if (!schema->is_table) fail(entry, "'" + walked + "' is a value, not a table: it has no key " + std::string(name));
    const KeySchema* child = schema->child(name);
    if (!child) {
      fail(entry, "no key '" + join_key(walked, name) + "' in a scenario: " + schema->unknown_key_problem());
    }
    if (walked.empty() && (name == "extends" || name == "remove")) {
      fail(entry, "'" + std::string(name) + "' cannot be removed: it is about this file, not a scenario value");
    }
    walked = join_key(walked, name);
    schema = child;
    start = dot + 1;
  }
}

// Erases `path` from `root`; false if it was not there.
bool erase_path(toml::table& root, std::string_view path) {
  toml::table* table = &root;
  for (std::size_t dot = path.find('.'); dot != std::string_view::npos; dot = path.find('.')) {
    toml::node* node = table->get(path.substr(0, dot));
    if (!node || !node->is_table()) return false;
    table = node->as_table();
    path.remove_prefix(dot + 1);
  }
  return table->erase(path) > 0;
}

void apply_removals(std::vector<Layer>& layers) {
  for (std::size_t i = layers.size(); i-- > 0;) {
    const toml::node* remove = layers[i].root.get("remove");
    if (!remove) continue;
    const Entry entry{remove, &layers[i], "remove"};
    if (i + 1 == layers.size()) fail(entry, "needs extends: there is no base file to remove anything from");
    constexpr std::string_view kExpected = "an array of dotted key paths (strings)";
    const toml::array& paths = read_array(entry, kExpected);
    for (std::size_t k = 0; k < paths.size(); ++k) {
      const Entry item = element(entry, k);
      if (!item.node->is_string()) fail_type(item, "a string (a dotted key path)");
      const std::string path = read_string(item);
      check_removable(item, path);
      bool removed = false;
      for (std::size_t j = i + 1; j < layers.size(); ++j) removed = erase_path(layers[j].root, path) || removed;
      if (!removed) fail(item, "removes nothing: no file this one extends defines " + path);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The layers seen as one scenario

// A table as the extends chain defines it: the tables at one key path in each layer that has
// one, most derived first. Each key resolves to the top-most layer that defines it. Relies on
// check_keys: wherever the schema expects a table, every layer has a table or nothing.
class MergedTable {
 public:
  struct Part {
    const toml::table* table;
    const Layer* layer;
  };

  static MergedTable root(const std::vector<Layer>& layers) {
    std::vector<Part> parts;
    for (const Layer& layer : layers) parts.push_back({&layer.root, &layer});
    const Part most_derived = parts.front();
    return MergedTable("", std::move(parts), most_derived);
  }

  const std::string& key() const { return key_; }
  bool present() const { return !parts_.empty(); }

  std::optional<Entry> find(std::string_view name) const {
    for (const Part& part : parts_) {
      if (const toml::node* node = part.table->get(name)) {
        return Entry{node, part.layer, join_key(key_, name)};
      }
    }
    return std::nullopt;
  }

  Entry require(std::string_view name) const {
    if (auto entry = find(name)) return *entry;
    throw InputError(location(join_key(key_, name)), "required key is missing");
  }

  // Tables merge key by key, except that an inline table replaces whatever the layers beneath it
  // define.
  MergedTable table(std::string_view name) const {
    std::vector<Part> parts;
    for (const Part& part : parts_) {
      const toml::node* node = part.table->get(name);
      if (!node) continue;
      parts.push_back({node->as_table(), part.layer});
      if (parts.back().table->is_inline()) break;
    }
    return MergedTable(join_key(key_, name), std::move(parts), present() ? parts_.front() : nearest_present_);
  }

  MergedTable require_table(std::string_view name) const {
    MergedTable child = table(name);
    if (!child.present()) throw InputError(location(child.key()), "required table is missing");
    return child;
  }

  // Every key defined by some layer, in the order the top-most layer defining it lists it.
  std::vector<std::string_view> keys() const {
    std::vector<std::string_view> names;
    for (const Part& part : parts_) {
      for (auto&& [name, node] : *part.table) {
        if (std::find(names.begin(), names.end(), name.str()) == names.end()) names.push_back(name.str());
      }
    }
    return names;
  }

  // Where this table starts in its top-most layer (or, if no layer has it, where its nearest
  // ancestor that exists starts), reported against `field`.
  InputLocation location(std::string field) const {
    const Part& at = present() ? parts_.front() : nearest_present_;
    // The top of a file "starts" at 1:1, which would point at an unrelated line.
    if (at.table == &at.layer->root) return {at.layer->file.string(), 0, 0, std::move(field)};
    return location_of(at.table->source(), *at.layer, std::move(field));
  }
  InputLocation location() const { return location(key_); }

 private:
  MergedTable(std::string key, std::vector<Part> parts, Part nearest_present)
      : key_(std::move(key)), parts_(std::move(parts)), nearest_present_(nearest_present) {}

  std::string key_;
  std::vector<Part> parts_;
  Part nearest_present_;
};

// For a table keyed by age band or `all`: the entry each band uses, its own or else `all`.
PerAgeBand<std::optional<Entry>> entries_by_age_band(const MergedTable& table) {
  const std::optional<Entry> all = table.find(kAllAgeBands);
  PerAgeBand<std::optional<Entry>> by_band;
  for (int band = 0; band < kAgeBandCount; ++band) {
    std::optional<Entry> own = table.find(kAgeBandNames[band]);
    by_band[band] = own ? std::move(own) : all;
  }
  return by_band;
}

std::string missing_age_band_problem(int band) {
  return "no entry for age band '" + std::string(kAgeBandNames[band]) + "' and no 'all'";
}

PerAgeBand<Entry> entries_for_every_age_band(const MergedTable& table) {
  PerAgeBand<std::optional<Entry>> by_band = entries_by_age_band(table);
  PerAgeBand<Entry> entries;
  for (int band = 0; band < kAgeBandCount; ++band) {
    if (!by_band[band]) {
      throw InputError(table.location(), missing_age_band_problem(band) + "; every age band needs one");
    }
    entries[band] = std::move(*by_band[band]);
  }
  return entries;
}

// ---------------------------------------------------------------------------------------------
// Reading the extends chain

std::optional<fs::path> canonical_if_file(const fs::path& file) {
  std::error_code error;
  if (!fs::is_regular_file(file, error)) return std::nullopt;
  fs::path canonical = fs::canonical(file, error);
  if (error) return std::nullopt;
  return canonical;
}

std::optional<fs::path> canonical_if_exists(const fs::path& file) {
  std::error_code error;
  fs::path canonical = fs::canonical(file, error);
  if (error) return std::nullopt;
  return canonical;
}

// `named_by` is the `extends` that names `file`, if any: a file that cannot be read is reported there.
toml::table parse_toml(const fs::path& file, const std::optional<InputLocation>& named_by) {
  std::string text;
  try {
    text = read_input_file(file);  // refuses a FIFO, a directory or a device by name
  } catch (const InputError& error) {
    if (!named_by) throw;
    throw InputError(*named_by, "the file it names (" + file.string() + ") " + error.problem());
  }
  check_toml_text(text, file.string());  // toml++ 3.3.0's defects: see toml_text_guard.hpp
  try {
    return toml::parse(text, file.string());
  } catch (const toml::parse_error& error) {
    const toml::source_position& at = error.source().begin;
    throw InputError({file.string(), static_cast<int>(at.line), static_cast<int>(at.column), {}},
                     "invalid TOML: " + std::string(error.description()));
  }
}

// The scenario file and the files it extends, most derived first.
std::vector<Layer> load_layers(const fs::path& file) {
  std::vector<Layer> layers;
  std::vector<fs::path> chain;  // canonical paths, to detect cycles
  fs::path next = file;
  std::optional<InputLocation> named_by;  // the `extends` that named `next`
  for (;;) {
    // Anything that exists passes here, so that a directory or a FIFO is refused by name when read.
    const std::optional<fs::path> canonical = canonical_if_exists(next);
    if (!canonical) {
      if (named_by) throw InputError(*named_by, "the file it names does not exist: " + next.string());
      throw InputError({next.string(), 0, 0, {}}, "scenario file not found");
    }
    if (std::find(chain.begin(), chain.end(), *canonical) != chain.end()) {
      std::string cycle;
      for (const Layer& layer : layers) cycle.append(layer.file.string()).append(" -> ");
      throw InputError(*named_by, "extends cycle: " + cycle + next.string());
    }
    chain.push_back(*canonical);
    layers.push_back({next, parse_toml(next, named_by)});

    const toml::node* extends = layers.back().root.get("extends");
    if (!extends) return layers;
    const Entry entry{extends, &layers.back(), "extends"};
    const fs::path base = read_string(entry);
    named_by = location_of(entry);
    next = (next.parent_path() / base).lexically_normal();
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

// Where each category first becomes possible for a child, to check it has a placements table.
struct Reachability {
  PerCategory<std::optional<InputLocation>> reached_at{};
  // A child who reaches a category may be placed in these instead: the other providers of its
  // kind of care, when the placement market chooses the provider.
  PerCategory<std::vector<Category>> providers_instead{};

  bool reached(Category category) const { return reached_at[static_cast<std::size_t>(category)].has_value(); }
  void reach(Category category, InputLocation where) {
    if (!reached(category)) reached_at[static_cast<std::size_t>(category)] = std::move(where);
  }
};

int read_horizon_years(const Entry& entry) {
  const ScenarioRange& range = range_of(entry);
  const std::string expected = "an integer from " + format_number(range.min) + " to " + format_number(range.max);
  const std::int64_t years = read_integer(entry, expected);
  if (!in_range(range, static_cast<double>(years))) {
    fail(entry, "expected " + expected + ", found " + std::to_string(years));
  }
  return static_cast<int>(years);
}

// Band starts (time in placement in days; time in care or since leaving care in months): an array
// of integers, first 0, strictly increasing. `what` describes the array in the refusal of an empty
// one, `unit` ("days", "months") the numbers.
std::vector<std::int32_t> read_band_starts(const Entry& starts, const toml::array& start_array, std::string_view what,
                                           std::string_view unit) {
  if (start_array.empty()) fail(starts, "expected " + std::string(what) + ", found an empty array");
  const std::string number = "an integer number of " + std::string(unit);
  std::vector<std::int32_t> band_starts;
  for (std::size_t i = 0; i < start_array.size(); ++i) {
    const Entry start = element(starts, i);
    const int value = read_bounded_integer(start, number);
    if (i == 0 && value != 0) fail(start, "the first band must start at 0 " + std::string(unit));
    if (i > 0 && value <= band_starts.back()) fail(start, "band starts must be strictly increasing");
    band_starts.push_back(value);
  }
  return band_starts;
}

std::vector<std::int32_t> read_duration_band_starts(const Entry& entry) {
  constexpr std::string_view kExpected = "an array of band starts in days (integers: first 0, increasing)";
  return read_band_starts(entry, read_array(entry, kExpected), kExpected, "days");
}

// Probabilities of 1, 2, 3, ... (children in a group, places in a household), summing to 1.
// `what` names the largest size the simulation supports.
std::vector<double> read_size_probabilities(const Entry& entry, std::size_t largest, std::string_view what) {
  const toml::array& array = read_array(entry, "an array of probabilities");
  if (array.empty()) fail(entry, "expected at least one probability (of size 1)");
  if (array.size() > largest) {
    fail(element(entry, largest), "expected at most " + std::to_string(largest) + " probabilities (" +
                                      std::string(what) + "), found " + std::to_string(array.size()));
  }
  std::vector<double> probabilities;
  double sum = 0;
  for (std::size_t i = 0; i < array.size(); ++i) {
    probabilities.push_back(read_probability(element(entry, i)));
    sum += probabilities.back();
  }
  check_sums_to_one(entry, sum);
  return probabilities;
}

std::vector<double> read_sibling_group_sizes(const Entry& entry) {
  return read_size_probabilities(entry, kMaxSiblingGroupSize, "sibling groups of up to 8 children");
}

EntryStream read_entry_stream(const MergedTable& stream, Reachability& reachability) {
  EntryStream entries;
  // Entries per 10,000 children are read into expected_per_year and turned into children a year
  // by read_population, once the population is known.
  const bool per_10000 = stream.table("per_10000_children").present();
  if (per_10000 && stream.table("expected_per_year").present()) {
    throw InputError(stream.table("per_10000_children").location(),
                     "give expected_per_year or per_10000_children, not both (a file that extends one giving "
                     "expected_per_year can remove it: remove = [\"entries.expected_per_year\"])");
  }
  const MergedTable expected = stream.require_table(per_10000 ? "per_10000_children" : "expected_per_year");
  for (std::string_view band_name : expected.keys()) {
    const auto band = static_cast<std::size_t>(*parse_age_band(band_name));
    entries.expected_per_year[band] = read_sex_pair<double>(*expected.find(band_name), [](const Entry& e) {
      return read_non_negative(e, "a number of children a year, 0 or more");
    });
  }
  if (entries.total_per_year() > kMaxChildrenPerYear) {
    throw InputError(expected.location(), "children a year add up to " + format_number(entries.total_per_year()) +
                                              "; one council's stream must be at most " +
                                              format_number(kMaxChildrenPerYear) + " a year");
  }

  if (const auto growth = stream.find("annual_growth_rate")) {
    entries.annual_growth_rate = read_number(*growth, "a growth rate (a fraction a year)");
  }
  if (const auto damping = stream.find("trend_damping_per_year")) {
    entries.trend_damping_per_year = read_number(*damping, "a damping factor a year (a number above 0, at most 1)");
  }

  const MergedTable first_placement = stream.table("first_placement_probability");
  const PerAgeBand<std::optional<Entry>> tables = entries_by_age_band(first_placement);
  for (int band = 0; band < kAgeBandCount; ++band) {
    const bool has_entries = entries.expected_per_year[band][0] + entries.expected_per_year[band][1] > 0;
    if (!tables[band]) {
      if (!has_entries) continue;
      throw InputError(first_placement.location(),
                       missing_age_band_problem(band) + ", needed because " + expected.key() + "." +
                           std::string(kAgeBandNames[band]) + " has children entering");
    }
    entries.first_placement_probability[band] =
        read_probability_table<kCategoryCount>(*tables[band], category_index);
    if (!has_entries) continue;
    for_each_member(*tables[band], [&](std::string_view name, const Entry& member) {
      if (read_probability(member) > 0) reachability.reach(*parse_category(name), location_of(member));
    });
  }
  return entries;
}

// More placements in one collection year than weeks in it is a wrong value, not a child.
constexpr std::int32_t kMostPlacementsSinceApril = 53;

std::vector<StartingChild> read_starting_children(const CsvTable& csv, Date origin,
                                                  Reachability& reachability) {
  constexpr std::array<std::string_view, 7> kColumns = {
      "age_days", "sex", "category", "days_in_placement", "days_in_care", "placements_since_april", "uasc"};
  for (std::size_t column = 0; column < csv.columns().size(); ++column) {
    if (std::find(kColumns.begin(), kColumns.end(), csv.columns()[column]) == kColumns.end()) {
      throw InputError(csv.header_location(column),
                       "unknown column; the columns are exactly: age_days, sex, category, days_in_placement, "
                       "days_in_care, placements_since_april, uasc");
    }
  }
  const std::size_t age_column = csv.require_column("age_days");
  const std::size_t sex_column = csv.require_column("sex");
  const std::size_t category_column = csv.require_column("category");
  const std::size_t placement_days_column = csv.require_column("days_in_placement");
  const std::size_t care_days_column = csv.require_column("days_in_care");
  const std::size_t placements_column = csv.require_column("placements_since_april");
  const std::size_t uasc_column = csv.require_column("uasc");

  // Values are never quoted back in messages: this file describes real children.
  const auto read_int = [&csv](std::size_t row, std::size_t column, std::int32_t minimum,
                               std::string_view expected) {
    const std::int64_t value = csv.integer(row, column);
    if (value < minimum || value > kMaxInt32) {
      throw InputError(csv.location(row, column), "expected " + std::string(expected));
    }
    return static_cast<std::int32_t>(value);
  };

  std::vector<StartingChild> children;
  children.reserve(csv.row_count());
  for (std::size_t row = 0; row < csv.row_count(); ++row) {
    StartingChild child;
    child.age_days = read_int(row, age_column, 0, "an age in days, 0 or more");
    // Checked before any date arithmetic, which a huge age would carry outside the calendar.
    if (child.age_days > largest_starting_age_days(origin)) {
      throw InputError(csv.location(row, age_column), "the child is 18 or older at the origin date");
    }

    const std::string_view sex = csv.field(row, sex_column);
    if (sex == "male" || sex == "1") {
      child.sex = Sex::male;
    } else if (sex == "female" || sex == "2") {
      child.sex = Sex::female;
    } else {
      throw InputError(csv.location(row, sex_column), "expected male, female, 1 or 2");
    }

    const std::optional<Category> category = parse_category(csv.field(row, category_column));
    if (!category) {
      throw InputError(
          csv.location(row, category_column),
          "expected a category id: " + join_names({kCategoryNames.begin(), kCategoryNames.end()}));
    }
    child.category = *category;
    // Checked first so that only the first child in each category costs a location.
    if (!reachability.reached(child.category)) {
      reachability.reach(child.category, csv.location(row, category_column));
    }

    child.days_in_placement = read_int(row, placement_days_column, 0, "a number of days, 0 or more");
    child.days_in_care = read_int(row, care_days_column, 0, "a number of days, 0 or more");
    if (child.days_in_care < child.days_in_placement) {
      throw InputError(csv.location(row, care_days_column), "must be at least days_in_placement");
    }
    if (child.days_in_care > child.age_days) {
      throw InputError(csv.location(row, care_days_column), "must be at most age_days");
    }
    child.placements_since_april = read_int(row, placements_column, 1, "a number of placements, 1 or more");
    if (child.placements_since_april > kMostPlacementsSinceApril) {
      throw InputError(csv.location(row, placements_column),
                       "expected at most " + std::to_string(kMostPlacementsSinceApril) +
                           " placements since 1 April (one a week)");
    }

    const std::string_view uasc = csv.field(row, uasc_column);
    if (uasc == "true" || uasc == "1") {
      child.uasc = true;
    } else if (uasc == "false" || uasc == "0") {
      child.uasc = false;
    } else {
      throw InputError(csv.location(row, uasc_column), "expected true, false, 1 or 0");
    }
    children.push_back(child);
  }
  return children;
}

// The DfE stability figures a counts start states (scenario.hpp StartingCounts), checked against
// the counts and against what the draw can honour at `origin`.
void read_starting_stability(const MergedTable& population, const MergedTable& counts, Date origin,
                             StartingCounts& starting) {
  constexpr std::string_view kPercent = "a percentage (a number from 0 to 100)";
  const MergedTable placements = population.table("placements_since_april");
  std::optional<Entry> short_term = population.find("short_term_stability_percent");
  const std::optional<Entry> long_term = population.find("long_term_stability_percent");
  bool use_placements = placements.present();
  if (use_placements && short_term) {
    // Layers are held most derived first, so a lower address is a more derived file: the form
    // the most derived file gives replaces the other, as any key would (TOML cannot remove a key).
    const Layer* placements_layer = nullptr;
    for (std::string_view name : placements.keys()) {
      const Layer* layer = placements.find(name)->layer;
      if (!placements_layer || std::less<>{}(layer, placements_layer)) placements_layer = layer;
    }
    if (placements_layer == short_term->layer) {
      fail(*short_term, "give placements_since_april or short_term_stability_percent, not both: the counts give the "
                        "short-term measure already");
    }
    if (std::less<>{}(placements_layer, short_term->layer)) {
      short_term.reset();
    } else {
      use_placements = false;
    }
  }
  if (use_placements) {
    PerCategory<std::array<int, kPlacementsSinceAprilCap>> stated{};
    for (std::string_view category_name : placements.keys()) {
      const std::size_t c = category_index(category_name);
      const Entry entry = *placements.find(category_name);
      int sum = 0;
      for (std::size_t k = 0; k < kPlacementsSinceAprilCap; ++k) {
        constexpr std::array<std::string_view, kPlacementsSinceAprilCap> kNames = {"one", "two", "three_or_more"};
        const toml::node* node = entry.node->as_table()->get(kNames[k]);
        const std::string key = join_key(entry.key, kNames[k]);
        if (!node) throw InputError(location_of(entry.node->source(), *entry.layer, key), "required key is missing");
        stated[c][k] = read_count(Entry{node, entry.layer, key});
        sum += stated[c][k];
      }
      int children = 0;
      for (const auto& by_sex : starting.count[c]) children += by_sex[0] + by_sex[1];
      if (sum != children) {
        fail(entry, "one + two + three_or_more = " + std::to_string(sum) + " but " + counts.key() + "." +
                        std::string(category_name) + " has " + std::to_string(children) +
                        " children: every child has had 1, 2, or 3 or more placements since 1 April");
      }
    }
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
      int children = 0;
      for (const auto& by_sex : starting.count[c]) children += by_sex[0] + by_sex[1];
      if (children > 0 && !placements.find(kCategoryNames[c])) {
        throw InputError(placements.location(join_key(placements.key(), kCategoryNames[c])),
                         "required because " + counts.key() + "." + std::string(kCategoryNames[c]) +
                             " has children: give the placements since 1 April of every category or of none");
      }
    }
    starting.placements_since_april = stated;
  }
  if (short_term) starting.short_term_stability_percent = read_number(*short_term, kPercent);
  if (long_term) starting.long_term_stability_percent = read_number(*long_term, kPercent);

  const std::optional<StartingCountsProblem> problem = starting_counts_problem(starting, origin);
  if (!problem) return;
  switch (problem->about) {
    case StartingCountsProblem::About::placements_since_april:
      fail(*placements.find(kCategoryNames[static_cast<std::size_t>(problem->category)]), problem->problem);
    case StartingCountsProblem::About::short_term:
      fail(*short_term, "too high for these counts: " + problem->problem);
    case StartingCountsProblem::About::long_term:
      fail(*long_term, problem->problem);
  }
}

StartingCounts read_starting_counts(const MergedTable& population, const MergedTable& counts, Date origin,
                                    Reachability& reachability) {
  StartingCounts starting;
  PerCategory<bool> has_children{};
  for (std::string_view category_name : counts.keys()) {
    const Category category = *parse_category(category_name);
    const auto c = static_cast<std::size_t>(category);
    const MergedTable by_band = counts.table(category_name);
    for (std::string_view band_name : by_band.keys()) {
      const Entry pair = *by_band.find(band_name);
      const auto band = static_cast<std::size_t>(*parse_age_band(band_name));
      starting.count[c][band] = read_sex_pair<int>(pair, read_count);
      if (starting.count[c][band][0] + starting.count[c][band][1] == 0) continue;
      has_children[c] = true;
      reachability.reach(category, location_of(pair));
    }
  }

  // UASC are a subset of the counts: each cell may say how many of its children are UASC.
  const MergedTable uasc_counts = population.table("uasc_counts");
  for (std::string_view category_name : uasc_counts.keys()) {
    const auto c = static_cast<std::size_t>(*parse_category(category_name));
    const MergedTable by_band = uasc_counts.table(category_name);
    for (std::string_view band_name : by_band.keys()) {
      const Entry pair = *by_band.find(band_name);
      const auto band = static_cast<std::size_t>(*parse_age_band(band_name));
      starting.uasc_count[c][band] = read_sex_pair<int>(pair, read_count);
      for (std::size_t s = 0; s < kSexCount; ++s) {
        if (starting.uasc_count[c][band][s] > starting.count[c][band][s]) {
          fail(pair, "more UASC than children in " + counts.key() + "." + std::string(category_name) + "." +
                         std::string(band_name));
        }
      }
    }
  }

  const MergedTable means = population.table("mean_days_in_placement");
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    const std::optional<Entry> mean = means.find(kCategoryNames[c]);
    if (mean) {
      starting.mean_days_in_placement[c] =
          read_non_negative(*mean, "a mean number of days (a number, 0 or more)");
    }
    if (!has_children[c] || starting.mean_days_in_placement[c] > 0) continue;
    const std::string why =
        " because " + counts.key() + "." + std::string(kCategoryNames[c]) + " has children";
    if (!mean) throw InputError(means.location(join_key(means.key(), kCategoryNames[c])), "required" + why);
    fail(*mean, "must be above 0" + why);
  }
  starting.mean_days_in_care_before_placement =
      read_non_negative(population.require("mean_days_in_care_before_placement"),
                        "a mean number of days (a number, 0 or more)");
  read_starting_stability(population, counts, origin, starting);
  return starting;
}

void read_starting_population(const MergedTable& root, Scenario& scenario, Reachability& reachability) {
  const MergedTable population = root.require_table("starting_population");
  const std::optional<Entry> children_csv = population.find("children_csv");
  const std::optional<Entry> groups_csv = population.find("groups_csv");
  const MergedTable counts = population.table("counts");
  const int forms = (children_csv ? 1 : 0) + (groups_csv ? 1 : 0) + (counts.present() ? 1 : 0);
  if (forms > 1) {
    fail(children_csv ? *children_csv : *groups_csv, "give one of children_csv, groups_csv or counts, not several");
  }
  if (counts.present()) {
    scenario.starting_counts = read_starting_counts(population, counts, scenario.origin, reachability);
    return;
  }
  if (forms == 0) throw InputError(population.location(), "give one of children_csv, groups_csv or counts");
  const Entry& csv = children_csv ? *children_csv : *groups_csv;

  for (std::string_view counts_only : {"mean_days_in_placement", "mean_days_in_care_before_placement", "uasc_counts",
                                      "placements_since_april", "short_term_stability_percent",
                                      "long_term_stability_percent"}) {
    if (const auto entry = population.find(counts_only)) {
      fail(*entry, "only used with counts: the CSV gives each child's (or group's) times in care and placements "
                   "since 1 April");
    }
  }
  const fs::path csv_file = (csv.layer->file.parent_path() / read_string(csv)).lexically_normal();
  if (!canonical_if_file(csv_file)) fail(csv, "the file it names does not exist: " + csv_file.string());
  scenario.source_files.push_back(csv_file);
  if (groups_csv) {
    scenario.starting_groups = read_starting_groups(CsvTable::read(csv_file), [&](Category c, const InputLocation& at) {
      if (!reachability.reached(c)) reachability.reach(c, at);
    });
    return;
  }
  scenario.starting_children =
      read_starting_children(CsvTable::read(csv_file), scenario.origin, reachability);
}

// Reads every [placements.<category>] table; returns the destination table each category and
// age band uses, or nothing for a category without a table.
PerCategory<PerAgeBand<std::optional<Entry>>> read_placements(const MergedTable& placements,
                                                              Scenario& scenario) {
  const auto duration_bands = static_cast<std::size_t>(scenario.duration_band_count());
  scenario.ending_hazard_per_year.assign(kCategoryCount * kAgeBandCount * duration_bands, 0.0);
  PerCategory<PerAgeBand<std::optional<Entry>>> destination_tables;
  for (std::string_view category_name : placements.keys()) {
    const std::size_t c = category_index(category_name);
    const MergedTable placement = placements.table(category_name);
    const PerAgeBand<Entry> hazards =
        entries_for_every_age_band(placement.require_table("ending_hazard_per_year"));
    const PerAgeBand<Entry> destinations =
        entries_for_every_age_band(placement.require_table("destination_probability"));
    for (std::size_t band = 0; band < kAgeBandCount; ++band) {
      const toml::array& array =
          read_array(hazards[band], "an array of hazards a year, one per time-in-placement band");
      if (array.size() != duration_bands) {
        fail(hazards[band], "has " + std::to_string(array.size()) + " hazards but there are " +
                                std::to_string(duration_bands) +
                                " time-in-placement bands (bands.placement_duration_band_starts_days)");
      }
      for (std::size_t d = 0; d < duration_bands; ++d) {
        scenario.ending_hazard_per_year[(c * kAgeBandCount + band) * duration_bands + d] =
            read_non_negative(element(hazards[band], d), "a hazard a year (a number, 0 or more)");
      }
      scenario.destination_probability[c][band] =
          read_probability_table<kOutcomeCount>(destinations[band], outcome_index);
      destination_tables[c][band] = destinations[band];
    }
  }
  return destination_tables;
}

// Follows destinations from every category a child can start or enter care in; each category
// reached needs a placements table, or the simulation would have no way for its placements to end.
void check_reachable_categories_have_placements(
    Reachability reachability, const PerCategory<PerAgeBand<std::optional<Entry>>>& destination_tables) {
  std::vector<std::size_t> to_visit;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    if (reachability.reached_at[c]) to_visit.push_back(c);
  }
  while (!to_visit.empty()) {
    const std::size_t c = to_visit.back();
    to_visit.pop_back();
    const std::string_view name = kCategoryNames[c];
    for (const Category provider : reachability.providers_instead[c]) {
      const auto p = static_cast<std::size_t>(provider);
      if (reachability.reached_at[p]) continue;
      reachability.reached_at[p] = reachability.reached_at[c];
      to_visit.push_back(p);
    }
    if (!destination_tables[c][0]) {
      throw InputError(*reachability.reached_at[c],
                       "a child can be in category '" + std::string(name) +
                           "' because of this, but there is no [placements." + std::string(name) +
                           "] table giving its ending hazards and destinations for every age band");
    }
    for (const std::optional<Entry>& table : destination_tables[c]) {
      for_each_member(*table, [&](std::string_view outcome_name, const Entry& member) {
        const std::size_t outcome = outcome_index(outcome_name);
        if (outcome_is_exit(static_cast<int>(outcome)) || read_probability(member) == 0 ||
            reachability.reached_at[outcome]) {
          return;
        }
        reachability.reached_at[outcome] = location_of(member);
        to_visit.push_back(outcome);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Evidence: the counts and exposures behind a calibrated scenario's rates

constexpr std::string_view kEvidenceNumber = "a count or exposure (a number, 0 or more)";

// Each age band's entry of an evidence table, which lists every band.
PerAgeBand<Entry> entry_for_each_age_band(const MergedTable& table) {
  PerAgeBand<Entry> entries;
  for (int band = 0; band < kAgeBandCount; ++band) entries[band] = table.require(kAgeBandNames[band]);
  return entries;
}

// A table of name -> count; names not listed are 0.
template <std::size_t N, typename IndexOf>
std::array<double, N> read_count_table(const Entry& table, IndexOf index_of) {
  std::array<double, N> counts{};
  for_each_member(table, [&](std::string_view name, const Entry& member) {
    counts[index_of(name)] = read_non_negative(member, kEvidenceNumber);
  });
  return counts;
}

// A category with a positive count (data or prior) can be drawn: it needs a placements table.
void reach_categories_counted(const Entry& table, Reachability& reachability) {
  for_each_member(table, [&](std::string_view name, const Entry& member) {
    const int outcome = *parse_outcome(name);  // category and exit names alike
    if (outcome_is_exit(outcome) || read_non_negative(member, kEvidenceNumber) == 0) return;
    reachability.reach(static_cast<Category>(outcome), location_of(member));
  });
}

using GammaField = double GammaEvidence::*;
constexpr std::array<std::pair<std::string_view, GammaField>, 4> kEndingFields = {{
    {"ending_events", &GammaEvidence::events},
    {"ending_exposure_years", &GammaEvidence::exposure},
    {"ending_prior_events", &GammaEvidence::prior_events},
    {"ending_prior_exposure_years", &GammaEvidence::prior_exposure},
}};
constexpr std::array<std::pair<std::string_view, GammaField>, 4> kEntryFields = {{
    {"counts", &GammaEvidence::events},
    {"exposure_years", &GammaEvidence::exposure},
    {"prior_counts", &GammaEvidence::prior_events},
    {"prior_exposure_years", &GammaEvidence::prior_exposure},
}};

// A Gamma posterior needs a positive rate wherever it has a positive shape, and its mean is a
// rate the simulation draws around: it must be as plausible as a rate written directly (a tiny
// exposure would otherwise give hazards of 1e300).
void check_gamma(const GammaEvidence& gamma, const Entry& events, std::string_view exposure_keys, double max_mean,
                 std::string_view what) {
  if (gamma.shape() > 0 && gamma.rate() == 0) {
    fail(events, "events with no exposure: " + std::string(exposure_keys) + " are both 0 here");
  }
  if (gamma.shape() > 0 && gamma.shape() / gamma.rate() > max_mean) {
    fail(events, "with " + std::string(exposure_keys) + " these give " + format_number(gamma.shape() / gamma.rate()) +
                     " " + std::string(what) + "; at most " + format_number(max_mean));
  }
}

void read_placement_evidence(const MergedTable& placements, const PerCategory<PerAgeBand<std::optional<Entry>>>& tables,
                             Scenario& scenario, Reachability& reachability) {
  RateEvidence& evidence = *scenario.evidence;
  const auto duration_bands = static_cast<std::size_t>(scenario.duration_band_count());
  for (std::string_view category_name : placements.keys()) {
    const std::size_t c = category_index(category_name);
    const MergedTable category = placements.table(category_name);
    if (!tables[c][0]) {
      throw InputError(category.location(), "evidence for a category with no [placements." +
                                                std::string(category_name) + "] table");
    }
    PerAgeBand<Entry> events;
    for (const auto& [key, field] : kEndingFields) {
      const PerAgeBand<Entry> arrays = entry_for_each_age_band(category.require_table(key));
      if (field == &GammaEvidence::events) events = arrays;
      for (std::size_t band = 0; band < kAgeBandCount; ++band) {
        const toml::array& array = read_array(arrays[band], "an array of numbers, one per time-in-placement band");
        if (array.size() != duration_bands) {
          fail(arrays[band], "has " + std::to_string(array.size()) + " values but there are " +
                                 std::to_string(duration_bands) +
                                 " time-in-placement bands (bands.placement_duration_band_starts_days)");
        }
        for (std::size_t d = 0; d < duration_bands; ++d) {
          evidence.ending[(c * kAgeBandCount + band) * duration_bands + d].*field =
              read_non_negative(element(arrays[band], d), kEvidenceNumber);
        }
      }
    }
    for (std::size_t band = 0; band < kAgeBandCount; ++band) {
      for (std::size_t d = 0; d < duration_bands; ++d) {
        check_gamma(evidence.ending[(c * kAgeBandCount + band) * duration_bands + d], element(events[band], d),
                    "ending_exposure_years and ending_prior_exposure_years", kMaxHazardPerYear, "endings a year");
      }
    }

    const PerAgeBand<Entry> counts = entry_for_each_age_band(category.require_table("destination_counts"));
    const PerAgeBand<Entry> priors = entry_for_each_age_band(category.require_table("destination_prior_counts"));
    for (std::size_t band = 0; band < kAgeBandCount; ++band) {
      evidence.destination[c][band].counts = read_count_table<kOutcomeCount>(counts[band], outcome_index);
      evidence.destination[c][band].prior = read_count_table<kOutcomeCount>(priors[band], outcome_index);
      reach_categories_counted(counts[band], reachability);
      reach_categories_counted(priors[band], reachability);
    }
  }
}

void read_stream_evidence(const MergedTable& stream, PerAgeBand<PerSex<GammaEvidence>>& entries,
                          PerAgeBand<DirichletEvidence<kCategoryCount>>& first_placement, double& growth_sd_log_per_year,
                          Reachability& reachability) {
  // Optional: scenarios calibrated before the trend's uncertainty was kept take the growth as known.
  if (const auto e = stream.find("growth_sd_log_per_year")) {
    growth_sd_log_per_year = read_non_negative(*e, "a standard deviation of a log slope a year (0 or more)");
  }
  PerAgeBand<Entry> counts;
  for (const auto& [key, field] : kEntryFields) {
    const PerAgeBand<Entry> pairs = entry_for_each_age_band(stream.require_table(key));
    if (field == &GammaEvidence::events) counts = pairs;
    for (std::size_t band = 0; band < kAgeBandCount; ++band) {
      const PerSex<double> values =
          read_sex_pair<double>(pairs[band], [](const Entry& e) { return read_non_negative(e, kEvidenceNumber); });
      for (std::size_t sex = 0; sex < kSexCount; ++sex) entries[band][sex].*field = values[sex];
    }
  }
  const PerAgeBand<Entry> first_counts = entry_for_each_age_band(stream.require_table("first_placement_counts"));
  const PerAgeBand<Entry> first_priors = entry_for_each_age_band(stream.require_table("first_placement_prior_counts"));
  for (std::size_t band = 0; band < kAgeBandCount; ++band) {
    for (std::size_t sex = 0; sex < kSexCount; ++sex) {
      check_gamma(entries[band][sex], counts[band], "exposure_years and prior_exposure_years", kMaxChildrenPerYear,
                  "children a year");
    }
    DirichletEvidence<kCategoryCount>& first = first_placement[band];
    first.counts = read_count_table<kCategoryCount>(first_counts[band], category_index);
    first.prior = read_count_table<kCategoryCount>(first_priors[band], category_index);
    if (entries[band][0].shape() + entries[band][1].shape() == 0) continue;
    double mass = 0;
    for (std::size_t c = 0; c < kCategoryCount; ++c) mass += first.counts[c] + first.prior[c];
    if (mass == 0) {
      fail(counts[band], "entries at this age need first placements: first_placement_counts." +
                             std::string(kAgeBandNames[band]) + " and first_placement_prior_counts." +
                             std::string(kAgeBandNames[band]) + " are all 0");
    }
    reach_categories_counted(first_counts[band], reachability);
    reach_categories_counted(first_priors[band], reachability);
  }
}

void read_evidence(const MergedTable& evidence, const PerCategory<PerAgeBand<std::optional<Entry>>>& tables,
                   Scenario& scenario, Reachability& reachability) {
  scenario.evidence = RateEvidence{};
  scenario.evidence->ending.assign(scenario.ending_hazard_per_year.size(), GammaEvidence{});
  read_placement_evidence(evidence.table("placements"), tables, scenario, reachability);
  if (const MergedTable entries = evidence.table("entries"); entries.present()) {
    read_stream_evidence(entries, scenario.evidence->entries, scenario.evidence->first_placement,
                         scenario.evidence->entries_growth_sd_log_per_year, reachability);
  }
  if (const MergedTable uasc = evidence.table("uasc"); uasc.present()) {
    read_stream_evidence(uasc, scenario.evidence->uasc_entries, scenario.evidence->uasc_first_placement,
                         scenario.evidence->uasc_growth_sd_log_per_year, reachability);
  }
}

}  // namespace


// ---------------------------------------------------------------------------------------------
// Supply and commissioning options

// The members of one element of an array of tables, each checked against the allowed names.
std::map<std::string, Entry, std::less<>> members_of(const Entry& element, std::initializer_list<std::string_view> allowed,
                                                     std::initializer_list<std::string_view> required) {
  if (!element.node->as_table()) fail_type(element, "a table");
  std::map<std::string, Entry, std::less<>> members;
  for_each_member(element, [&](std::string_view name, const Entry& member) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      std::vector<std::string_view> names(allowed.begin(), allowed.end());
      fail(member, "unknown key; expected one of: " + join_names(names));
    }
    members.emplace(std::string(name), member);
  });
  for (std::string_view name : required) {
    if (members.find(name) == members.end()) {
      throw InputError(location_of(element), "required key '" + std::string(name) + "' is missing");
    }
  }
  return members;
}

std::vector<Entry> elements_of(const Entry& array_entry, std::string_view expected) {
  const toml::array& array = read_array(array_entry, expected);
  std::vector<Entry> elements;
  for (std::size_t i = 0; i < array.size(); ++i) elements.push_back(element(array_entry, i));
  return elements;
}

int read_non_negative_integer(const Entry& entry, std::string_view expected) {
  return read_bounded_integer(entry, expected);  // every such key's range starts at 0
}

double read_multiplier(const Entry& entry) {
  return read_probability(entry);  // a factor from 0 to 1: support lowers hazards, never raises them
}

// A ramp: `start`, optional `full` (default: start) and the value named `value_key`.
// A ramp's dates: `start`, optional `full` and optional `end`.
Ramp read_ramp_dates(const std::map<std::string, Entry, std::less<>>& members) {
  Ramp ramp;
  ramp.start = read_date(members.at("start"));
  ramp.full = ramp.start;
  if (const auto full = members.find("full"); full != members.end()) {
    ramp.full = read_date(full->second);
    if (ramp.full < ramp.start) fail(full->second, "the ramp must reach its full value on or after its start");
  }
  if (const auto end = members.find("end"); end != members.end()) {
    ramp.end = read_date(end->second);
    if (*ramp.end <= ramp.start) fail(end->second, "it must end after it starts (" + format_iso(ramp.start) + ")");
  }
  return ramp;
}

Ramp read_ramp(const Entry& element, std::string_view value_key, bool fraction) {
  const auto members = members_of(element, {"start", "full", "end", value_key}, {"start", value_key});
  Ramp ramp = read_ramp_dates(members);
  const Entry& value = members.find(value_key)->second;
  ramp.full_value = fraction ? read_probability(value) : read_non_negative(value, "a number, 0 or more");
  return ramp;
}

// A recruitment campaign: extra enquiries a year, or "N more households" approved from the
// enquiries it brings in between its start and end, which the scenario's funnel (the share of
// enquiries approved) turns into enquiries a year over the campaign's time at full strength (a
// build-up counts half).
Ramp read_recruitment_campaign(const Entry& element, const Supply& supply) {
  const auto members = members_of(element, {"start", "full", "end", "extra_enquiries_per_year", "extra_households"},
                                  {"start"});
  Ramp ramp = read_ramp_dates(members);
  const auto enquiries = members.find("extra_enquiries_per_year");
  const auto households = members.find("extra_households");
  if ((enquiries == members.end()) == (households == members.end())) {
    fail(element, "expected one of extra_enquiries_per_year and extra_households");
  }
  if (enquiries != members.end()) {
    ramp.full_value = read_non_negative(enquiries->second, "a number, 0 or more");
    return ramp;
  }
  const double wanted = read_non_negative(households->second, "a number of households, 0 or more");
  if (!ramp.end) fail(households->second, "N more households needs the campaign's `end` date");
  const double conversion = supply.application_probability * supply.approval_probability;
  if (conversion <= 0) fail(households->second, "the [supply] funnel approves no enquiries (application_probability x approval_probability is 0)");
  const Date full_by = std::min(ramp.full, *ramp.end);
  const double years_at_full =
      (days_between(ramp.start, *ramp.end) - 0.5 * days_between(ramp.start, full_by)) / 365.25;
  ramp.full_value = wanted / (conversion * years_at_full);
  return ramp;
}

StepDownProgramme read_step_down(const MergedTable& table) {
  constexpr std::string_view kNumber = "a number, 0 or more";
  StepDownProgramme programme;
  programme.starts = read_date(table.require("starts"));
  programme.minimum_stay_days = read_non_negative_integer(table.require("minimum_stay_days"), "days (an integer, 0 or more)");
  programme.hazard_per_year = read_non_negative(table.require("hazard_per_year"), kNumber);
  programme.specialist_places = read_non_negative_integer(table.require("specialist_places"), "places (an integer, 0 or more)");
  if (const auto e = table.find("specialist_approvals_per_year")) programme.specialist_approvals_per_year = read_non_negative(*e, kNumber);
  if (const auto e = table.find("max_places")) programme.max_places = read_non_negative_integer(*e, "places (an integer, 0 or more)");
  if (const auto e = table.find("breakdown_hazard_per_year")) programme.breakdown_hazard_per_year = read_non_negative(*e, kNumber);
  if (const auto e = table.find("breakdown_months")) programme.breakdown_months = read_non_negative(*e, kNumber);
  if (const auto e = table.find("weekly_cost")) programme.weekly_cost = read_non_negative(*e, "£ a week (a number, 0 or more)");
  return programme;
}

// Kind-of-care demand and the agency and external-home markets (simulation/placement_market.hpp).
void read_placement_market(const MergedTable& table, Supply& supply, Reachability& reachability) {
  if (const auto e = table.find("demand")) {
    const std::string demand = read_string(*e);
    if (demand == "kind_of_care") {
      supply.demand = Supply::Demand::kind_of_care;
    } else if (demand == "placement_category") {
      supply.demand = Supply::Demand::placement_category;
    } else {
      fail(*e, "expected \"kind_of_care\" or \"placement_category\"");
    }
  }
  const MergedTable preference = table.table("preference");
  for (std::string_view name : preference.keys()) {
    const Entry entry = *preference.find(name);
    const CareKind kind = *parse_care_kind(name);
    std::vector<Category>& order = supply.preference[static_cast<int>(kind)];
    for (const Entry& element : elements_of(entry, "an array of category ids")) {
      const auto category = parse_category(read_string(element));
      if (!category) fail(element, "unknown category; expected one of: " + join_names(std::vector<std::string_view>(kCategoryNames.begin(), kCategoryNames.end())));
      if (care_kind_of(*category) != kind) {
        fail(element, "'" + std::string(name_of(*category)) + "' does not provide " + std::string(name) +
                          " care; a different kind of care belongs in [supply.fallback]");
      }
      if (std::find(order.begin(), order.end(), *category) != order.end()) {
        fail(element, "this category is already in the preference order");
      }
      order.push_back(*category);
    }
    if (order.empty()) fail(entry, "expected at least one provider");
  }
  if (supply.demand == Supply::Demand::kind_of_care) {
    // A child drawn for one provider of a kind may be placed with any provider of that kind.
    for (int c = 0; c < kCategoryCount; ++c) {
      const auto kind = care_kind_of(static_cast<Category>(c));
      if (!kind) continue;
      const std::vector<Category>& listed = supply.preference[static_cast<int>(*kind)];
      for (int p = 0; p < kCategoryCount; ++p) {
        const auto provider = static_cast<Category>(p);
        const bool offered = listed.empty() ? care_kind_of(provider) == kind
                                            : std::find(listed.begin(), listed.end(), provider) != listed.end();
        // An in-house home is there only when the scenario lists homes (reached where they are read).
        if (p != c && offered && provider != Category::childrens_home_in_house) {
          reachability.providers_instead[static_cast<std::size_t>(c)].push_back(provider);
        }
      }
    }
  }
  const MergedTable markets = table.table("markets");
  for (std::string_view name : markets.keys()) {
    const MergedTable market = markets.table(name);
    Supply::Market& into = name == "foster_agency" ? supply.agency_market : supply.external_home_market;
    if (const auto e = market.find("chance_of_place_by_year")) {
      for (const Entry& element : elements_of(*e, "an array of probabilities, one a year from the origin")) {
        into.chance_of_place_by_year.push_back(read_probability(element));
      }
      if (into.chance_of_place_by_year.empty()) fail(*e, "expected at least one probability");
    }
    if (const auto e = market.find("price_rise_per_year")) {
      into.price_rise_per_year = read_number(*e, "a real price rise (a fraction a year)");
    }
  }
  if (const auto e = table.find("unregistered_weekly_cost")) {
    supply.unregistered_weekly_cost = read_non_negative(*e, "£ a week (a number, 0 or more)");
  }
}

// Where each provider's placements are (simulation/placement_location.hpp): a table of shares by
// band for each provider, or for `any_other_provider`; every provider must have shares.
void read_locations(const MergedTable& table, Supply& supply) {
  const MergedTable location = table.table("location");
  if (!location.present()) return;
  using Shares = std::array<double, kLocationBandCount>;
  const auto band_index = [](std::string_view name) { return static_cast<std::size_t>(*parse_location_band(name)); };
  PerCategory<std::optional<Shares>> given{};
  std::optional<Shares> any_other;
  for (std::string_view name : location.keys()) {
    const Shares shares = read_probability_table<kLocationBandCount>(*location.find(name), band_index);
    if (name == kAnyOtherProvider) {
      any_other = shares;
    } else {
      given[category_index(name)] = shares;
    }
  }
  PerCategory<Shares> shares{};
  std::vector<std::string_view> missing;
  for (int c = 0; c < kCategoryCount; ++c) {
    if (given[c]) {
      shares[c] = *given[c];
    } else if (any_other) {
      shares[c] = *any_other;
    } else {
      missing.push_back(kCategoryNames[c]);
    }
  }
  if (!missing.empty()) {
    throw InputError(location.location(location.key()),
                     "no location shares for " + join_names(missing) + "; give each provider a table, or give [" +
                         location.key() + "." + std::string(kAnyOtherProvider) + "] for every provider not listed");
  }
  supply.location_shares = shares;
}

// A table giving a value for every needs level. A level left out is refused rather than read as
// 0: a share or chance of 0 must be written, so that a forgotten level is never taken for one.
template <typename Read>
std::array<double, kNeedsLevelCount> read_per_needs_level(const Entry& table, Read read) {
  const toml::table* members = table.node->as_table();
  if (members == nullptr) fail_type(table, "a table with a value for each needs level");
  for (std::string_view level : kNeedsLevelNames) {
    if (members->get(level) == nullptr) {
      throw InputError(location_of(table.node->source(), *table.layer, join_key(table.key, level)),
                       "no value for needs level '" + std::string(level) +
                           "'; give every level: " + join_names({kNeedsLevelNames.begin(), kNeedsLevelNames.end()}));
    }
  }
  std::array<double, kNeedsLevelCount> values{};
  for_each_member(table, [&](std::string_view name, const Entry& member) {
    values[static_cast<std::size_t>(*parse_needs_level(name))] = read(member);
  });
  return values;
}

std::array<double, kNeedsLevelCount> read_needs_shares(const Entry& table) {
  const std::array<double, kNeedsLevelCount> shares = read_per_needs_level(table, read_probability);
  double sum = 0;
  for (double share : shares) sum += share;
  check_sums_to_one(table, sum);
  return shares;
}

// Children's needs and the places approved for them (simulation/child_needs.hpp).
void read_needs(const MergedTable& table, Supply& supply) {
  const MergedTable section = table.table("needs");
  if (!section.present()) return;
  Needs needs;
  const PerAgeBand<Entry> shares = entries_for_every_age_band(section.require_table("shares_at_entry"));
  for (int band = 0; band < kAgeBandCount; ++band) needs.shares_at_entry[band] = read_needs_shares(shares[band]);
  if (const auto e = section.find("escalation_per_year")) {
    needs.escalation_per_year = read_non_negative(*e, "a hazard a year (a number, 0 or more)");
  }
  if (const auto e = section.find("deescalation_per_year")) {
    needs.deescalation_per_year = read_non_negative(*e, "a hazard a year (a number, 0 or more)");
  }
  if (const auto e = section.find("households_approved_up_to")) needs.households_approved_up_to = read_needs_shares(*e);
  const MergedTable chances = section.table("chance_of_place");
  for (std::string_view name : chances.keys()) {
    const Entry entry = *chances.find(name);
    if (name == name_of(Category::foster_in_house)) {
      fail(entry, "in-house carers are approved household by household: give " + section.key() +
                      ".households_approved_up_to instead");
    }
    needs.chance_of_place[category_index(name)] = read_per_needs_level(entry, read_probability);
  }
  if (const auto e = section.find("weekly_cost_multiplier")) {
    needs.weekly_cost_multiplier =
        read_per_needs_level(*e, [](const Entry& m) { return read_non_negative(m, "a factor (a number, 0 or more)"); });
  }
  supply.needs = needs;
}

Supply read_supply(const MergedTable& table, Reachability& reachability) {
  constexpr std::string_view kNumber = "a number, 0 or more";
  Supply supply;
  supply.enabled = true;
  supply.in_house_households =
      read_non_negative_integer(table.require("in_house_households"), "a number of households (an integer, 0 or more)");
  if (const auto e = table.find("places_per_household_probability")) {
    supply.places_per_household_probability =
        read_size_probabilities(*e, kMaxPlacesPerHousehold, "households of up to 10 places");
  }
  if (const auto e = table.find("approval_ranges")) {
    supply.approval_ranges.clear();
    double total = 0;
    for (const Entry& element : elements_of(*e, "an array of tables")) {
      const auto members = members_of(element, {"min_age_years", "max_age_years", "probability"},
                                      {"min_age_years", "max_age_years", "probability"});
      ApprovalRange range;
      range.min_age_years = read_non_negative_integer(members.at("min_age_years"), "an age in years (0-17)");
      range.max_age_years = read_non_negative_integer(members.at("max_age_years"), "an age in years (0-17)");
      if (range.min_age_years > range.max_age_years) {
        fail(members.at("max_age_years"), "expected an age from min_age_years to 17");
      }
      range.probability = read_probability(members.at("probability"));
      total += range.probability;
      supply.approval_ranges.push_back(range);
    }
    if (supply.approval_ranges.empty()) fail(*e, "expected at least one approval range");
    check_sums_to_one(*e, total);
  }
  auto probability = [&](std::string_view key, double& out) {
    if (const auto e = table.find(key)) out = read_probability(*e);
  };
  auto number = [&](std::string_view key, double& out) {
    if (const auto e = table.find(key)) out = read_non_negative(*e, kNumber);
  };
  probability("takes_sibling_groups_probability", supply.takes_sibling_groups_probability);
  probability("match_chance_per_household", supply.match_chance_per_household);
  number("enquiries_per_year", supply.enquiries_per_year);
  probability("application_probability", supply.application_probability);
  number("application_lag_months", supply.application_lag_months);
  probability("approval_probability", supply.approval_probability);
  number("approval_lag_months", supply.approval_lag_months);
  number("deregistration_per_year", supply.deregistration_per_year);
  probability("leaves_when_last_child_leaves_probability", supply.leaves_when_last_child_leaves_probability);
  if (const auto e = table.find("in_house_homes_unlimited")) supply.in_house_homes_unlimited = read_bool(*e);
  if (const auto e = table.find("mockingbird_constellations")) {
    supply.mockingbird_constellations = read_non_negative_integer(*e, "a number of constellations (an integer, 0 or more)");
  }
  if (const auto e = table.find("households_per_constellation")) {
    supply.households_per_constellation = read_non_negative_integer(*e, "a number of households (an integer, 0 or more)");
  }
  // Mockingbird households are in-house carer households: there cannot be more of them at the origin.
  if (const int members = supply.mockingbird_constellations * supply.households_per_constellation;
      members > supply.in_house_households) {
    fail(*table.find("mockingbird_constellations"), "mockingbird_constellations x households_per_constellation = " + std::to_string(members) +
                    " Mockingbird households, more than the " + std::to_string(supply.in_house_households) +
                    " in_house_households");
  }
  if (const auto e = table.find("mockingbird_deregistration_multiplier")) supply.mockingbird_deregistration_multiplier = read_multiplier(*e);
  if (const auto e = table.find("mockingbird_move_multiplier")) supply.mockingbird_move_multiplier = read_multiplier(*e);
  if (const auto e = table.find("agency_places")) supply.agency_places = read_non_negative_integer(*e, "places (an integer, 0 or more)");
  if (const auto e = table.find("external_home_beds")) supply.external_home_beds = read_non_negative_integer(*e, "beds (an integer, 0 or more)");
  if (const auto e = table.find("homes")) {
    for (const Entry& element : elements_of(*e, "an array of tables")) {
      const auto members = members_of(element, {"name", "beds", "opens", "closes", "annual_cost"}, {"name", "beds", "opens"});
      InHouseHome home;
      home.name = read_string(members.at("name"));
      home.beds = read_non_negative_integer(members.at("beds"), "beds (an integer, 0 or more)");
      home.opens = read_date(members.at("opens"));
      if (const auto closes = members.find("closes"); closes != members.end()) {
        home.closes = read_date(closes->second);
        if (*home.closes <= home.opens) fail(closes->second, "a home must close after it opens");
      }
      if (const auto cost = members.find("annual_cost"); cost != members.end()) {
        home.annual_cost = read_non_negative(cost->second, "£ a year (a number, 0 or more)");
      }
      supply.homes.push_back(home);
      reachability.reach(Category::childrens_home_in_house, location_of(element));
    }
  }
  if (const auto e = table.find("in_house_homes_unlimited"); e && supply.in_house_homes_unlimited) {
    if (!supply.homes.empty()) fail(*e, "true only when no [[supply.homes]] are listed: listed homes have their beds");
    reachability.reach(Category::childrens_home_in_house, location_of(*e));
  }
  const MergedTable fallback = table.table("fallback");
  for (std::string_view name : fallback.keys()) {
    const Entry entry = *fallback.find(name);
    std::vector<Category>& order = supply.fallback[category_index(name)];
    for (const Entry& element : elements_of(entry, "an array of category ids")) {
      const auto category = parse_category(read_string(element));
      if (!category) fail(element, "unknown category; expected one of: " + join_names(std::vector<std::string_view>(kCategoryNames.begin(), kCategoryNames.end())));
      // The wanted category is full when its fallbacks are looked at: falling back to it again
      // (or to a category already listed) can never find a place.
      if (*category == *parse_category(name)) fail(element, "a category cannot fall back to itself");
      if (std::find(order.begin(), order.end(), *category) != order.end()) {
        fail(element, "this category is already in the fallback list");
      }
      order.push_back(*category);
      reachability.reach(*category, location_of(element));
    }
  }
  read_placement_market(table, supply, reachability);
  read_locations(table, supply);
  read_needs(table, supply);
  if (const MergedTable step_down = table.table("step_down"); step_down.present()) {
    supply.step_down = read_step_down(step_down);
    reachability.reach(Category::foster_in_house, step_down.location());
  }
  // When nothing has a place a child goes to an `other` arrangement, which needs its rates.
  reachability.reach(Category::other, table.location());
  return supply;
}

CommissioningOptions read_options(const MergedTable& table, const Scenario& scenario) {
  CommissioningOptions options;
  auto ramps = [&](std::string_view key, std::string_view value_key, bool fraction, std::vector<Ramp>& out) {
    if (const auto e = table.find(key)) {
      for (const Entry& element : elements_of(*e, "an array of tables")) out.push_back(read_ramp(element, value_key, fraction));
    }
  };
  if (const auto e = table.find("recruitment_campaigns")) {
    for (const Entry& element : elements_of(*e, "an array of tables")) {
      options.extra_enquiries_per_year.push_back(read_recruitment_campaign(element, scenario.supply));
    }
  }
  ramps("retention", "deregistration_reduction", true, options.deregistration_reduction);
  ramps("edge_of_care", "entry_reduction", true, options.entry_reduction);
  ramps("uasc_transfer", "extra_uasc_per_year", false, options.extra_uasc_per_year);
  if (const auto e = table.find("mockingbird_expansion")) {
    for (const Entry& element : elements_of(*e, "an array of tables")) {
      const auto members = members_of(element, {"start", "extra_constellations"}, {"start", "extra_constellations"});
      options.extra_constellations.emplace_back(
          read_date(members.at("start")),
          read_non_negative_integer(members.at("extra_constellations"), "constellations (an integer, 0 or more)"));
    }
  }
  const bool needs_supply = !options.extra_enquiries_per_year.empty() || !options.deregistration_reduction.empty() ||
                            !options.extra_constellations.empty();
  if (needs_supply && !scenario.supply.enabled) {
    throw InputError(table.location(), "recruitment, retention and Mockingbird options need a [supply] section");
  }
  if (!options.extra_uasc_per_year.empty() && scenario.uasc.total_per_year() <= 0) {
    throw InputError(table.location(), "a UASC transfer intake needs a [uasc] stream to describe the children");
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Costs and stability levers

// A priced amount `{ <amount_key> = x, price_year = y, uprating_per_year = u }` uprated to the
// base year: x * (1 + u)^(base_year - y). Optional extras (the coefficient of variation) are
// returned through `extra`.
double read_priced(const Entry& entry, std::string_view amount_key, int base_year, double* coefficient_of_variation) {
  constexpr std::string_view kMoney = "£ (a number, 0 or more)";
  const auto members = coefficient_of_variation
                           ? members_of(entry, {amount_key, "price_year", "uprating_per_year", "coefficient_of_variation"},
                                        {amount_key, "price_year"})
                           : members_of(entry, {amount_key, "price_year", "uprating_per_year"}, {amount_key, "price_year"});
  const Entry& amount_entry = members.at(std::string(amount_key));
  const double amount = read_non_negative(amount_entry, kMoney);
  const Entry& year_entry = members.at("price_year");
  const int price_year = read_bounded_integer(year_entry, "a financial year (an integer such as 2024 for 2024-25)");
  double uprating = 0;
  if (const auto u = members.find("uprating_per_year"); u != members.end()) {
    uprating = read_number(u->second, "a fraction a year");
  }
  if (coefficient_of_variation) {
    *coefficient_of_variation = 0;
    if (const auto cv = members.find("coefficient_of_variation"); cv != members.end()) {
      *coefficient_of_variation = read_non_negative(cv->second, "a coefficient of variation (a number, 0 or more)");
    }
  }
  // The amount in base-year prices is what the simulation uses: it must be in range too.
  const double uprated = amount * std::pow(1 + uprating, static_cast<double>(base_year - price_year));
  if (const ScenarioRange& range = range_of(amount_entry); !in_range(range, uprated)) {
    fail(entry, "uprated from price_year " + std::to_string(price_year) + " to base_year " + std::to_string(base_year) +
                    ", the amount " + out_of_range_problem(range, uprated));
  }
  return uprated;
}

Costs read_costs(const MergedTable& table, Date origin) {
  Costs costs;
  costs.enabled = true;
  const Date fy_start = financial_year_start(origin);
  costs.base_year = static_cast<int>(std::chrono::year_month_day{fy_start}.year());
  if (const auto e = table.find("base_year")) {
    costs.base_year = read_bounded_integer(*e, "a financial year (an integer such as 2024 for 2024-25)");
  }
  if (const auto e = table.find("inflation_per_year")) costs.inflation_per_year = read_number(*e, "a fraction a year");
  if (const auto e = table.find("discount_rate_per_year")) {
    costs.discount_rate_per_year = read_number(*e, "a fraction a year");
  }
  if (const auto e = table.find("budget_per_financial_year")) {
    for (const Entry& element : elements_of(*e, "an array of £ amounts")) {
      costs.budget_per_financial_year.push_back(read_non_negative(element, "£ (a number, 0 or more)"));
    }
  }
  const MergedTable weekly = table.table("weekly");
  for (std::string_view name : weekly.keys()) {
    const std::size_t c = category_index(name);
    costs.weekly[c] = read_priced(*weekly.find(name), "weekly", costs.base_year, &costs.coefficient_of_variation[c]);
  }
  auto priced = [&](std::string_view key, std::string_view amount_key, double& out) {
    if (const auto e = table.find(key)) out = read_priced(*e, amount_key, costs.base_year, nullptr);
  };
  priced("carer_support_per_household_per_year", "annual", costs.carer_support_per_household_per_year);
  priced("adoption_inter_agency_fee", "amount", costs.adoption_fee);
  priced("recruitment_per_approval", "amount", costs.recruitment_per_approval);
  priced("step_down_support_package", "amount", costs.step_down_package);
  return costs;
}

// Multipliers scale the written hazards: the hazards they give must stay plausible too, or a
// multiplier of 100 on a hazard of 365 would have a child move 100 times a day.
StabilityLevers read_stability(const MergedTable& table, const Scenario& scenario) {
  StabilityLevers levers;
  const MergedTable multipliers = table.table("hazard_multiplier");
  for (std::string_view name : multipliers.keys()) {
    const std::size_t c = category_index(name);
    const PerAgeBand<std::optional<Entry>> by_band = entries_by_age_band(multipliers.table(name));
    for (int band = 0; band < kAgeBandCount; ++band) {
      if (!by_band[band]) continue;
      const double multiplier = read_non_negative(*by_band[band], "a multiplier (a number, 0 or more)");
      levers.hazard_multiplier[c][band] = multiplier;
      for (int d = 0; d < scenario.duration_band_count(); ++d) {
        const double hazard = scenario.ending_hazard(static_cast<Category>(c), static_cast<AgeBand>(band), d);
        if (hazard * multiplier <= kMaxHazardPerYear) continue;
        fail(*by_band[band], "multiplies the hazard of " + format_number(hazard) + " a year (placements." +
                                 std::string(name) + ".ending_hazard_per_year, age band " +
                                 std::string(kAgeBandNames[band]) + ") to " + format_number(hazard * multiplier) +
                                 "; at most " + format_number(kMaxHazardPerYear) + " a year");
      }
    }
  }
  return levers;
}

// Year-to-year variation (scenario.hpp SystemicVariation). Keys not given keep their default, 0.
SystemicVariation read_variation(const MergedTable& table) {
  constexpr std::string_view kSd = "a standard deviation on the natural-log scale (a number, 0 or more)";
  SystemicVariation variation;
  if (const auto e = table.find("entries_sd_log_per_year")) variation.entries_sd_log_per_year = read_number(*e, kSd);
  if (const auto e = table.find("exits_sd_log_per_year")) variation.exits_sd_log_per_year = read_number(*e, kSd);
  if (const auto e = table.find("moves_sd_log_per_year")) variation.moves_sd_log_per_year = read_number(*e, kSd);
  if (const auto e = table.find("autocorrelation")) {
    variation.autocorrelation = read_number(*e, "an autocorrelation a year (a number from 0, below 1)");
  }
  if (const auto e = table.find("entries_drift_sd_log_per_year")) variation.entries_drift_sd_log_per_year = read_number(*e, kSd);
  if (const auto e = table.find("exits_drift_sd_log_per_year")) variation.exits_drift_sd_log_per_year = read_number(*e, kSd);
  if (const auto e = table.find("moves_drift_sd_log_per_year")) variation.moves_drift_sd_log_per_year = read_number(*e, kSd);
  if (const auto e = table.find("drift_evidence_origins")) {
    variation.drift_evidence_origins = read_number(*e, "origins of evidence behind the drift sds (a number, 0 or more)");
  }
  return variation;
}

// Time in care (scenario.hpp TimeInCare): band starts in months, first 0 and increasing, and a
// multiplier of the exit and of the move hazard for each band. The three are replaced together by
// a more derived file, so every one is required once the section is given.
TimeInCare read_time_in_care(const MergedTable& table) {
  TimeInCare result;
  const Entry starts = table.require("band_starts_months");
  constexpr std::string_view kStarts = "an array of band starts in months since care began (integers: first 0, increasing)";
  const toml::array& start_array = read_array(starts, kStarts);
  result.band_starts_months = read_band_starts(starts, start_array, kStarts, "months");
  const auto read_multipliers = [&](std::string_view key, std::vector<double>& out) {
    const Entry entry = table.require(key);
    const toml::array& array = read_array(entry, "an array of hazard multipliers, one a band");
    if (array.size() != start_array.size()) {
      fail(entry, "expected one multiplier for each of the " + std::to_string(start_array.size()) +
                      " bands of time_in_care.band_starts_months, found " + std::to_string(array.size()));
    }
    for (std::size_t i = 0; i < array.size(); ++i) out.push_back(read_number(element(entry, i), "a hazard multiplier"));
  };
  read_multipliers("exit_hazard_multiplier", result.exit_hazard_multiplier);
  read_multipliers("move_hazard_multiplier", result.move_hazard_multiplier);
  return result;
}

// Re-entry into care (scenario.hpp ReEntry): band starts in months since leaving, first 0 and
// increasing, and for each age band (or `all`) a hazard a year for each band. Both are required
// once the section is given.
ReEntry read_re_entry(const MergedTable& table) {
  ReEntry result;
  const Entry starts = table.require("band_starts_months");
  constexpr std::string_view kStarts = "an array of band starts in months since leaving care (integers: first 0, increasing)";
  const toml::array& start_array = read_array(starts, kStarts);
  result.band_starts_months = read_band_starts(starts, start_array, kStarts, "months");
  const PerAgeBand<Entry> hazards = entries_for_every_age_band(table.require_table("hazard_per_year"));
  for (std::size_t band = 0; band < kAgeBandCount; ++band) {
    const toml::array& array = read_array(hazards[band], "an array of hazards a year, one per time-since-leaving band");
    if (array.size() != start_array.size()) {
      fail(hazards[band], "has " + std::to_string(array.size()) + " hazards but there are " +
                              std::to_string(start_array.size()) + " time-since-leaving bands (re_entry.band_starts_months)");
    }
    for (std::size_t i = 0; i < array.size(); ++i) {
      result.hazard_per_year[band].push_back(
          read_non_negative(element(hazards[band], i), "a hazard a year (a number, 0 or more)"));
    }
  }
  // Optional: children who left before the origin, by age band at the origin (no `all`: these are
  // counts), one per time-since-leaving band.
  if (const MergedTable pool = table.table("left_before_origin"); pool.present()) {
    for (std::string_view band_name : pool.keys()) {
      const auto band = static_cast<std::size_t>(*parse_age_band(band_name));
      const Entry counts = *pool.find(band_name);
      const toml::array& array = read_array(counts, "an array of numbers of children, one per time-since-leaving band");
      if (array.size() != start_array.size()) {
        fail(counts, "has " + std::to_string(array.size()) + " counts but there are " +
                         std::to_string(start_array.size()) + " time-since-leaving bands (re_entry.band_starts_months)");
      }
      for (std::size_t i = 0; i < array.size(); ++i) {
        const Entry count = element(counts, i);
        const int children = read_count(count);
        // A child cannot have left care before being born: the band must begin before the band's
        // oldest age.
        if (children > 0 && result.band_starts_months[i] >= 12 * kAgeBandStartYears[band + 1]) {
          fail(count, std::to_string(children) + " children in age band '" + std::string(band_name) +
                          "' cannot have left care " + std::to_string(result.band_starts_months[i]) +
                          " months or more before the origin");
        }
        result.left_before_origin[band].push_back(children);
      }
    }
  }
  return result;
}

// Stated parameter uncertainty for hand-written rates (scenario.hpp StatedUncertainty). A
// calibrated scenario's [evidence] already says how well each rate is known.
StatedUncertainty read_uncertainty(const MergedTable& table, const Scenario& scenario) {
  if (scenario.evidence) {
    throw InputError(table.location(), "[uncertainty] is for hand-written rates; this scenario has [evidence], "
                                       "whose counts give each rate's uncertainty");
  }
  StatedUncertainty uncertainty;
  if (const auto e = table.find("parameter_uncertainty")) uncertainty.enabled = read_bool(*e);
  if (const auto e = table.find("hazard_evidence_child_years")) {
    uncertainty.hazard_child_years = read_number(*e, "child-years (a number above 0)");
  }
  if (const auto e = table.find("entry_evidence_years")) {
    uncertainty.entry_years = read_number(*e, "years (a number above 0)");
  }
  if (const auto e = table.find("share_evidence_events")) {
    uncertainty.share_events = read_number(*e, "a number of events (a number above 0)");
  }
  if (const auto e = table.find("entry_growth_sd_log_per_year")) {
    uncertainty.entry_growth_sd_log_per_year = read_number(*e, "a standard deviation of a log slope a year (0 or more)");
  }
  if (const auto e = table.find("care_leaver_evidence_years")) {
    uncertainty.care_leaver_evidence_years = read_number(*e, "care-leaver years (a number above 0)");
  }
  if (const auto e = table.find("care_leaver_share_events")) {
    uncertainty.care_leaver_share_events = read_number(*e, "a number of young people (a number above 0)");
  }
  return uncertainty;
}

// Care leavers from 18 to 25 (scenario.hpp CareLeaverSettings). Staying put and staying close are
// arrangements made as care ends, so no care leaver can move into them later.
CareLeaverSettings read_care_leavers(const MergedTable& table) {
  const auto status_index = [](std::string_view name) {
    return static_cast<std::size_t>(*parse_care_leaver_status(name));
  };
  const auto refuse_arrangement = [](const Entry& entry, std::string_view status) {
    fail(entry, "'" + std::string(status) +
                    "' begins only as care ends (staying put from foster care, through "
                    "leaving_care.staying_put_probability; staying close from a children's home, through "
                    "care_leavers.staying_close_probability): it must be 0 here");
  };
  CareLeaverSettings settings;
  settings.enabled = true;
  settings.support_ends_at_21_probability = read_probability(table.require("support_ends_at_21_probability"));
  settings.staying_close_probability = read_probability(table.require("staying_close_probability"));
  const Entry first = table.require("first_status_probability");
  settings.first_status_probability = read_probability_table<kCareLeaverStatusCount>(first, status_index);
  for_each_member(first, [&](std::string_view name, const Entry& member) {
    if (!reachable_after_leaving(*parse_care_leaver_status(name)) && read_probability(member) > 0) {
      refuse_arrangement(member, name);
    }
  });
  const MergedTable hazards = table.table("transition_hazard_per_year");
  // Merged key by key, so a file can change one hazard of its base's.
  for (std::string_view from : hazards.keys()) {
    const MergedTable row = hazards.table(from);
    for (std::string_view to : row.keys()) {
      const Entry member = *row.find(to);
      const double hazard = read_non_negative(member, "a hazard a year (a number, 0 or more)");
      if (hazard == 0) continue;
      if (to == from) fail(member, "a care leaver cannot move from a status to the same status: it must be 0");
      if (!reachable_after_leaving(*parse_care_leaver_status(to))) refuse_arrangement(member, to);
      settings.hazard_per_year[status_index(from)][status_index(to)] = hazard;
    }
  }
  const MergedTable starting = table.table("starting_count");
  for (std::string_view status : starting.keys()) {
    const MergedTable bands = starting.table(status);
    for (std::string_view band : bands.keys()) {
      const Entry member = *bands.find(band);
      const int count = read_bounded_integer(member, "a number of care leavers (an integer, 0 or more)");
      const std::size_t b = band == kCareLeaverAgeBandNames[0] ? 0 : 1;
      if (count > 0 && b == 1 && *parse_care_leaver_status(status) == CareLeaverStatus::staying_put) {
        fail(member, "staying put ends at 21: no care leaver aged 21 to 25 is staying put");
      }
      settings.starting_count[status_index(status)][b] = count;
    }
  }
  const MergedTable weekly = table.table("weekly_cost");
  for (std::string_view status : weekly.keys()) {
    settings.weekly_cost[status_index(status)] = read_non_negative(*weekly.find(status), "£ a week (a number, 0 or more)");
  }
  const auto money = [&](std::string_view key, double& out) {
    if (const auto e = table.find(key)) out = read_non_negative(*e, "an amount in £ (a number, 0 or more)");
  };
  money("personal_adviser_per_year", settings.personal_adviser_per_year);
  money("setting_up_home_allowance", settings.setting_up_home_allowance);
  money("higher_education_bursary", settings.higher_education_bursary);
  if (const auto e = table.find("higher_education_probability")) {
    settings.higher_education_probability = read_probability(*e);
  }
  return settings;
}

// [population] and the entries tied to it (scenario/population_table.hpp). Needs the origin, the
// horizon and the entry streams read.
static void read_population(const MergedTable& root, Scenario& scenario) {
  const MergedTable section = root.table("population");
  const MergedTable rates = root.table("entries").table("per_10000_children");
  if (!section.present()) {
    if (rates.present()) throw InputError(rates.location(), "needs a [population] table with csv, the children it is per");
    return;
  }
  const Entry csv = section.require("csv");
  const fs::path csv_file = (csv.layer->file.parent_path() / read_string(csv)).lexically_normal();
  if (!canonical_if_file(csv_file)) fail(csv, "the file it names does not exist: " + csv_file.string());
  scenario.source_files.push_back(csv_file);
  ChildPopulation population;
  population.table = read_population_table(CsvTable::read(csv_file));
  const PopulationTable& table = population.table;
  for (const Date date : {scenario.origin, scenario.horizon_end()}) {
    if (table.covers(date)) continue;
    fail(csv, "the population file covers 30 June " + std::to_string(table.first_year) + " to 30 June " +
                  std::to_string(table.last_year()) + " but the forecast runs from " + format_iso(scenario.origin) +
                  " to " + format_iso(scenario.horizon_end()) +
                  ": give every year whose 30 June is nearest before or after those dates");
  }
  if (const auto share = section.find("uasc_cap_share_of_population")) {
    population.uasc_cap_share = read_number(*share, "a share of the child population (above 0, at most 1)");
    if (!(*population.uasc_cap_share > 0 && *population.uasc_cap_share <= 1)) {
      fail(*share, "expected a share of the child population above 0 and at most 1 (0.001 is the national transfer "
                   "scheme's 0.1%)");
    }
  }
  if (rates.present()) {
    const PopulationCells at_origin = table.at(scenario.origin);
    PopulationCells per_10000{};
    for (int band = 0; band < kAgeBandCount; ++band) {
      for (int sex = 0; sex < kSexCount; ++sex) {
        per_10000[band][sex] = scenario.entries.expected_per_year[band][sex];
        scenario.entries.expected_per_year[band][sex] = per_10000[band][sex] * at_origin[band][sex] / 10000;
      }
    }
    population.entries_per_10000_children = per_10000;
    if (scenario.entries.total_per_year() > kMaxChildrenPerYear) {
      throw InputError(rates.location(), "rates times the population give " +
                                             format_number(scenario.entries.total_per_year()) +
                                             " children a year; one council's stream must be at most " +
                                             format_number(kMaxChildrenPerYear) + " a year");
    }
  }
  scenario.population = std::move(population);
}

Scenario load_scenario(const fs::path& file) {
  std::vector<Layer> layers = load_layers(file);
  // Every layer is checked whole first, so that a misspelt key is refused even where it is removed.
  for (const Layer& layer : layers) check_keys(layer.root, scenario_schema(), "", layer);
  apply_removals(layers);
  const MergedTable root = MergedTable::root(layers);

  Scenario scenario;
  scenario.file = file;
  for (const Layer& layer : layers) scenario.source_files.push_back(layer.file);
  scenario.name = read_string(root.require("name"));
  if (const auto description = root.find("description")) scenario.description = read_string(*description);
  scenario.origin = read_date(root.require("origin_date"));
  scenario.horizon_years = read_horizon_years(root.require("horizon_years"));
  if (const auto starts = root.table("bands").find("placement_duration_band_starts_days")) {
    scenario.duration_band_start_days = read_duration_band_starts(*starts);
  }

  Reachability reachability;
  read_starting_population(root, scenario, reachability);
  const MergedTable entries = root.require_table("entries");
  scenario.entries = read_entry_stream(entries, reachability);
  if (const auto sizes = entries.find("sibling_group_size_probability")) {
    scenario.sibling_group_size_probability = read_sibling_group_sizes(*sizes);
  }
  if (const MergedTable uasc = root.table("uasc"); uasc.present()) {
    scenario.uasc = read_entry_stream(uasc, reachability);
  }
  read_population(root, scenario);
  if (const MergedTable supply = root.table("supply"); supply.present()) {
    scenario.supply = read_supply(supply, reachability);
  }
  if (const MergedTable options = root.table("options"); options.present()) {
    scenario.options = read_options(options, scenario);
  }
  const auto destination_tables = read_placements(root.table("placements"), scenario);
  if (const MergedTable evidence = root.table("evidence"); evidence.present()) {
    read_evidence(evidence, destination_tables, scenario, reachability);
  }
  check_reachable_categories_have_placements(std::move(reachability), destination_tables);
  if (const MergedTable costs = root.table("costs"); costs.present()) scenario.costs = read_costs(costs, scenario.origin);
  if (const MergedTable stability = root.table("stability"); stability.present()) {
    scenario.stability = read_stability(stability, scenario);
  }
  if (const MergedTable care_leavers = root.table("care_leavers"); care_leavers.present()) {
    scenario.care_leavers = read_care_leavers(care_leavers);
  }
  if (const MergedTable time_in_care = root.table("time_in_care"); time_in_care.present()) {
    scenario.time_in_care = read_time_in_care(time_in_care);
  }
  if (const MergedTable re_entry = root.table("re_entry"); re_entry.present()) {
    scenario.re_entry = read_re_entry(re_entry);
  }
  if (const MergedTable variation = root.table("variation"); variation.present()) {
    scenario.variation = read_variation(variation);
  }
  if (const MergedTable uncertainty = root.table("uncertainty"); uncertainty.present()) {
    scenario.stated_uncertainty = read_uncertainty(uncertainty, scenario);
  }

  scenario.staying_put_probability =
      read_probability(root.require_table("leaving_care").require("staying_put_probability"));
  return scenario;
}

fs::path default_scenario_path() {
  const char* directory = std::getenv("CARECAST_SCENARIO_DIR");
  return fs::path(directory && *directory ? directory : CARECAST_SCENARIO_DIR) / "default.toml";
}

}  // namespace carecast
