#include "scenario/synthetic_region.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <sstream>
#include <string>
#include <vector>

#include "core/apportion.hpp"
#include "core/care_leaver_statuses.hpp"
#include "core/categories.hpp"
#include "core/errors.hpp"
#include "core/input_files.hpp"
#include "core/random_streams.hpp"
#include "scenario/region.hpp"
#include "scenario/region_loader.hpp"
#include "scenario/scenario_bounds.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/starting_counts_draw.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

constexpr double kPi = 3.14159265358979323846;

// Exact and deterministic: the same value always prints the same digits.
std::string number(double x) {
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%.17g", x);
  return buffer;
}

std::string council_name(std::size_t index) {
  std::string digits = std::to_string(index + 1);
  if (digits.size() < 3) digits.insert(0, 3 - digits.size(), '0');
  return "council_" + digits;
}

int scaled_count(double value, double factor) { return static_cast<int>(std::llround(value * factor)); }

// `value` held within the scenario's range for `key` (scenario_bounds.hpp): a council of England's
// size would have more carer households than one council's scenario may state. Notes each key held.
double within_range(std::string_view key, double value, std::vector<std::string>& held) {
  const double kept = clamp_to_scenario_range(key, value);
  if (kept != value) held.push_back(std::string(key) + " (scaled: " + number(value) + ")");
  return kept;
}
int within_range(std::string_view key, int value, std::vector<std::string>& held) {
  return static_cast<int>(within_range(key, static_cast<double>(value), held));
}

// A council: the default scaled by `factor` (its children over the default's), its starting counts
// shared out to exactly `children`.
struct CouncilScale {
  std::string name;
  int children = 0;
  double factor = 0;
};

// The default's starting children by [category][band][sex], flattened, as weights.
std::vector<double> count_weights(const StartingCounts& counts) {
  std::vector<double> weights;
  for (const auto& bands : counts.count) {
    for (const auto& sexes : bands) {
      for (int n : sexes) weights.push_back(n);
    }
  }
  return weights;
}

void write_counts_table(std::ostream& out, std::string_view table,
                        const PerCategory<PerAgeBand<PerSex<int>>>& counts) {
  for (int c = 0; c < kCategoryCount; ++c) {
    bool any = false;
    for (const auto& sexes : counts[c]) any = any || sexes[0] > 0 || sexes[1] > 0;
    if (!any) continue;
    out << "\n[starting_population." << table << "." << kCategoryNames[c] << "]\n";
    for (int b = 0; b < kAgeBandCount; ++b) {
      const PerSex<int>& sexes = counts[c][b];
      if (sexes[0] == 0 && sexes[1] == 0) continue;
      out << kAgeBandNames[b] << " = { male = " << sexes[0] << ", female = " << sexes[1] << " }\n";
    }
  }
}

std::string population_csv(const PopulationTable& table, double factor) {
  std::ostringstream out;
  out << "year,age_band,sex,population\n";
  for (std::size_t y = 0; y < table.by_year.size(); ++y) {
    for (int b = 0; b < kAgeBandCount; ++b) {
      for (int s = 0; s < kSexCount; ++s) {
        char value[48];
        std::snprintf(value, sizeof value, "%.3f", table.by_year[y][b][s] * factor);
        out << table.first_year + static_cast<int>(y) << "," << kAgeBandNames[b] << "," << kSexNames[s] << ","
            << value << "\n";
      }
    }
  }
  return out.str();
}

std::string council_toml(const Scenario& base, const std::string& base_file, const CouncilScale& council,
                         int council_count, int base_children) {
  const StartingCounts& base_counts = *base.starting_counts;
  std::vector<std::string> held;  // keys held within the scenario's ranges
  std::ostringstream out;
  out << "# " << council.name << ": a SYNTHETIC council written by carecast synth-region. It is the default council ("
      << base_file << ")\n# scaled to " << council.children << " children looked after at the origin (" << base_children
      << " there; factor " << number(council.factor) << "): its starting\n# children, child population (so its entries), UASC"
      << " entries, carer households, enquiries, Mockingbird constellations,\n# caps, homes' beds, budgets, care leavers and"
      << " children who left care before the origin. docs/regions.md says more.\n";
  out << "extends = \"" << base_file << "\"\n";
  out << "remove = [\"starting_population.counts\"";
  bool base_has_uasc = false;
  for (const auto& bands : base_counts.uasc_count) {
    for (const auto& sexes : bands) base_has_uasc = base_has_uasc || sexes[0] > 0 || sexes[1] > 0;
  }
  if (base_has_uasc) out << ", \"starting_population.uasc_counts\"";
  out << "]\n";
  out << "name = \"" << council.name << "\"\n";
  out << "description = \"synthetic council " << council.name.substr(8) << " of " << council_count << ": the default council scaled to "
      << council.children << " children\"\n";

  // Starting children: the default's cells shared out to exactly this council's children.
  const std::vector<long long> cells = apportion(council.children, count_weights(base_counts));
  PerCategory<PerAgeBand<PerSex<int>>> counts{};
  PerCategory<PerAgeBand<PerSex<int>>> uasc{};
  std::size_t k = 0;
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int b = 0; b < kAgeBandCount; ++b) {
      for (int s = 0; s < kSexCount; ++s, ++k) {
        counts[c][b][s] = static_cast<int>(cells[k]);
        const int base_n = base_counts.count[c][b][s];
        const int base_u = base_counts.uasc_count[c][b][s];
        uasc[c][b][s] = base_n > 0 ? std::min(counts[c][b][s], static_cast<int>(std::llround(
                                                                      static_cast<double>(base_u) * counts[c][b][s] / base_n)))
                                   : 0;
      }
    }
  }
  // The default's short-term stability (the % with 3 or more placements since 1 April) marks every so
  // many children, spread evenly through the categories; in a small council a category of one or two
  // children can be marked whose placements are unlikely to have begun since 1 April, which the
  // loader refuses. Then the nearest number of such children that fits is stated instead.
  if (base_counts.short_term_stability_percent) {
    StartingCounts scaled = base_counts;
    scaled.count = counts;
    scaled.uasc_count = uasc;
    if (starting_counts_problem(scaled, base.origin)) {
      const double n = council.children;
      const long long stated = std::llround(*base_counts.short_term_stability_percent / 100.0 * n);
      std::optional<double> fits;
      for (long long step = 1; step <= council.children && !fits; ++step) {
        for (const long long k : {stated - step, stated + step}) {
          if (k < 0 || k > council.children) continue;
          scaled.short_term_stability_percent = 100.0 * static_cast<double>(k) / n;
          if (!starting_counts_problem(scaled, base.origin)) {
            fits = scaled.short_term_stability_percent;
            break;
          }
        }
      }
      if (!fits) {
        throw std::logic_error("synth-region: no short-term stability fits " + council.name + "'s starting children");
      }
      out << "\n# The default's short_term_stability_percent (" << number(*base_counts.short_term_stability_percent)
          << ") would mark a child whose placement is unlikely to have begun since 1 April\n# in a category this small:"
          << " the nearest number of children with 3 or more placements that fits.\n[starting_population]\n"
          << "short_term_stability_percent = " << number(*fits) << "\n";
    }
  }
  write_counts_table(out, "counts", counts);
  if (base_has_uasc) write_counts_table(out, "uasc_counts", uasc);

  // Entries: through the population where the default ties them to it, else stated as numbers.
  if (base.population) {
    out << "\n[population]\ncsv = \"" << council.name << "-population.csv\"\n";
  }
  if (!base.population || !base.population->entries_per_10000_children) {
    out << "\n[entries.expected_per_year]\n";
    for (int b = 0; b < kAgeBandCount; ++b) {
      out << kAgeBandNames[b] << " = { male = " << number(base.entries.expected_per_year[b][0] * council.factor)
          << ", female = " << number(base.entries.expected_per_year[b][1] * council.factor) << " }\n";
    }
  }
  if (base.uasc.total_per_year() > 0) {
    out << "\n[uasc.expected_per_year]\n";
    for (int b = 0; b < kAgeBandCount; ++b) {
      out << kAgeBandNames[b] << " = { male = " << number(base.uasc.expected_per_year[b][0] * council.factor)
          << ", female = " << number(base.uasc.expected_per_year[b][1] * council.factor) << " }\n";
    }
  }

  if (base.supply.enabled) {
    const Supply& supply = base.supply;
    const int households = within_range(
        "supply.in_house_households", std::max(1, scaled_count(supply.in_house_households, council.factor)), held);
    out << "\n[supply]\nin_house_households = " << households << "\n";
    out << "enquiries_per_year = "
        << number(within_range("supply.enquiries_per_year", supply.enquiries_per_year * council.factor, held)) << "\n";
    if (supply.mockingbird_constellations > 0 && supply.households_per_constellation > 0) {
      const int constellations =
          std::min(within_range("supply.mockingbird_constellations",
                                scaled_count(supply.mockingbird_constellations, council.factor), held),
                   households / supply.households_per_constellation);
      out << "mockingbird_constellations = " << constellations << "\n";
    }
    if (supply.agency_places) {
      out << "agency_places = "
          << within_range("supply.agency_places", scaled_count(*supply.agency_places, council.factor), held) << "\n";
    }
    if (supply.external_home_beds) {
      out << "external_home_beds = "
          << within_range("supply.external_home_beds", scaled_count(*supply.external_home_beds, council.factor), held)
          << "\n";
    }
    for (const InHouseHome& home : supply.homes) {
      const int beds = within_range("supply.homes[].beds", std::max(1, scaled_count(home.beds, council.factor)), held);
      out << "\n[[supply.homes]]\nname = \"" << home.name << "\"\nbeds = " << beds << "\nopens = " << format_iso(home.opens)
          << "\n";
      if (home.closes) out << "closes = " << format_iso(*home.closes) << "\n";
      out << "annual_cost = " << number(home.annual_cost * beds / home.beds) << "\n";
    }
  }

  if (base.costs.enabled && !base.costs.budget_per_financial_year.empty()) {
    out << "\n[costs]\nbudget_per_financial_year = [";
    for (std::size_t y = 0; y < base.costs.budget_per_financial_year.size(); ++y) {
      out << (y ? ", " : "")
          << std::llround(within_range("costs.budget_per_financial_year[]",
                                       base.costs.budget_per_financial_year[y] * council.factor, held));
    }
    out << "]\n";
  }

  if (base.care_leavers.enabled) {
    out << "\n[care_leavers.starting_count]\n";
    for (int s = 0; s < kCareLeaverStatusCount; ++s) {
      out << kCareLeaverStatusNames[s] << " = { ";
      for (int b = 0; b < kCareLeaverAgeBandCount; ++b) {
        const std::string key = "care_leavers.starting_count." + std::string(kCareLeaverStatusNames[s]) + "." +
                                std::string(kCareLeaverAgeBandNames[b]);
        out << (b ? ", " : "") << kCareLeaverAgeBandNames[b] << " = "
            << within_range(key, scaled_count(base.care_leavers.starting_count[s][b], council.factor), held);
      }
      out << " }\n";
    }
  }

  if (base.re_entry.has_left_before_origin()) {
    out << "\n[re_entry.left_before_origin]\n";
    for (int b = 0; b < kAgeBandCount; ++b) {
      const auto& left = base.re_entry.left_before_origin[b];
      if (left.empty()) continue;
      out << kAgeBandNames[b] << " = [";
      const std::string key = "re_entry.left_before_origin." + std::string(kAgeBandNames[b]) + "[]";
      for (std::size_t t = 0; t < left.size(); ++t) {
        out << (t ? ", " : "") << within_range(key, scaled_count(left[t], council.factor), held);
      }
      out << "]\n";
    }
  }
  if (!held.empty()) {
    out << "\n# Held at the most one council's scenario may state:";
    for (const std::string& key : held) out << "\n#   " << key;
    out << "\n";
  }
  return out.str();
}

int starting_children_in(const StartingCounts& counts, Category category) {
  int n = 0;
  for (const auto& sexes : counts.count[static_cast<std::size_t>(category)]) n += sexes[0] + sexes[1];
  return n;
}

std::string region_toml(const std::vector<CouncilScale>& councils, int children, std::uint64_t seed,
                        const StartingCounts& base_counts, int base_children) {
  const std::size_t n = councils.size();
  std::ostringstream out;
  out << "# A SYNTHETIC region written by: carecast synth-region --councils " << n << " --children " << children
      << " --seed " << seed << "\n# Each council is the default council scaled to its size; the shared market's places in each"
      << " area are\n# " << kSyntheticMarketHeadroom
      << " times the children its council has in that kind of placement at the origin (rounded up). docs/regions.md says more.\n";
  out << "[region]\nname = \"Synthetic region: " << n << " councils, " << children << " children (seed " << seed << ")\"\n";
  for (const CouncilScale& council : councils) {
    out << "\n[[council]]   # " << council.children << " children at the origin\nname = \"" << council.name
        << "\"\nscenario = \"" << council.name << ".toml\"\n";
  }
  for (Category category : kShareableCategories) {
    const int base_placed = starting_children_in(base_counts, category);
    out << "\n[market." << name_of(category) << "]   # the default council has " << base_placed << " of its "
        << base_children << " children here at the origin\nplaces = [";
    for (std::size_t a = 0; a < n; ++a) {
      const double wanted = kSyntheticMarketHeadroom * base_placed * councils[a].factor;
      out << (a ? ", " : "") << static_cast<long long>(std::ceil(wanted - 1e-9));
    }
    out << "]\n";
  }
  out << "\n# Councils on a ring: each one's neighbours' areas (the council before and after it) within 20 miles,\n"
         "# the others further.\n[distance]\nbands = [";
  for (std::size_t c = 0; c < n; ++c) {
    out << (c ? ",\n         [" : "[");
    for (std::size_t a = 0; a < n; ++a) {
      const std::size_t apart = std::min((c + n - a) % n, (a + n - c) % n);
      const LocationBand band = apart == 0   ? LocationBand::inside_council
                                : apart == 1 ? LocationBand::outside_council_within_20_miles
                                             : LocationBand::outside_council_over_20_miles;
      out << (a ? ", " : "") << "\"" << kLocationBandNames[static_cast<std::size_t>(band)] << "\"";
    }
    out << "]";
  }
  out << "]\n";
  return out.str();
}

}  // namespace

std::vector<int> synthetic_council_sizes(int councils, int children, std::uint64_t seed) {
  if (councils < 1 || static_cast<std::size_t>(councils) > kMaxRegionCouncils) {
    throw InputError({"<command line>", 0, 0, "--councils"},
                     "must be a whole number from 1 to " + std::to_string(kMaxRegionCouncils) + ", not " +
                         std::to_string(councils));
  }
  const long long least = static_cast<long long>(kMinSyntheticCouncilChildren) * councils;
  if (children < least) {
    throw InputError({"<command line>", 0, 0, "--children"},
                     "must be at least " + std::to_string(kMinSyntheticCouncilChildren) + " a council (" +
                         std::to_string(least) + " for " + std::to_string(councils) + " councils), not " +
                         std::to_string(children));
  }
  // One stream for the whole region; Box-Muller from its uniforms, so the sizes depend on nothing
  // but the seed.
  StreamEngine draws(seed, 0, entity_id(EntityKind::replication, 0), Process::starting_population);
  std::vector<double> weights;
  for (int i = 0; i < councils; ++i) {
    const double u1 = uniform_open01(draws);
    const double u2 = uniform_open01(draws);
    const double z = std::sqrt(-2 * std::log(u1)) * std::cos(2 * kPi * u2);
    weights.push_back(std::exp(kSyntheticCouncilSizeSdLog * z));
  }
  const std::vector<long long> above = apportion(children - least, weights);
  std::vector<int> sizes;
  for (long long extra : above) sizes.push_back(kMinSyntheticCouncilChildren + static_cast<int>(extra));
  return sizes;
}

SyntheticRegion make_synthetic_region(int councils, int children, std::uint64_t seed, const fs::path& default_scenario) {
  SyntheticRegion region;
  region.council_children = synthetic_council_sizes(councils, children, seed);
  const Scenario base = load_scenario(default_scenario);
  if (!base.starting_counts) {
    throw InputError({default_scenario.string(), 0, 0, "starting_population.counts"},
                     "synth-region scales a scenario whose starting children are counts ([starting_population.counts])");
  }
  if (base.starting_counts->placements_since_april) {
    throw InputError({default_scenario.string(), 0, 0, "starting_population.placements_since_april"},
                     "synth-region cannot scale placements since 1 April by category; state "
                     "short_term_stability_percent instead");
  }
  const std::vector<double> weights = count_weights(*base.starting_counts);
  const int base_children = static_cast<int>(std::accumulate(weights.begin(), weights.end(), 0.0));
  if (base_children <= 0) {
    throw InputError({default_scenario.string(), 0, 0, "starting_population.counts"}, "no children at the origin to scale");
  }

  // A council's starting children cannot be held within range as the rest can: their total is exact. The
  // largest council's largest cell, shared out as below, at most scales with the council.
  const ScenarioRange* cell_range = find_scenario_range("starting_population.counts.foster_in_house.under_1.male");
  const int largest = *std::max_element(region.council_children.begin(), region.council_children.end());
  const std::vector<long long> largest_cells = apportion(largest, weights);
  if (cell_range && *std::max_element(largest_cells.begin(), largest_cells.end()) > cell_range->max) {
    throw InputError({"<command line>", 0, 0, "--children"},
                     "the largest council would have " + std::to_string(largest) + " children, " +
                         std::to_string(*std::max_element(largest_cells.begin(), largest_cells.end())) +
                         " of them in one placement, age band and sex: more than one council's scenario may hold (" +
                         format_bound(cell_range->max) + "); ask for fewer children or more councils");
  }

  std::vector<CouncilScale> scales;
  for (std::size_t i = 0; i < region.council_children.size(); ++i) {
    scales.push_back({council_name(i), region.council_children[i],
                      static_cast<double>(region.council_children[i]) / base_children});
  }

  // The default and the files it is built from are copied beside the councils, which extend it.
  const fs::path folder = default_scenario.parent_path();
  std::vector<SyntheticRegionFile> copies;
  for (const fs::path& source : base.source_files) {
    if (fs::weakly_canonical(source.parent_path()) != fs::weakly_canonical(folder)) {
      throw InputError({source.string(), 0, 0, {}},
                       "synth-region copies the default scenario's files beside the councils, so they must all be in "
                       "its folder (" + folder.string() + ")");
    }
    const std::string name = source.filename().string();
    if (name == "region.toml" || name.rfind("council_", 0) == 0) {
      throw InputError({source.string(), 0, 0, {}}, "its name would clash with the synthetic region's own files");
    }
    if (std::none_of(copies.begin(), copies.end(), [&](const SyntheticRegionFile& f) { return f.name == name; })) {
      copies.push_back({name, read_input_file(source)});
    }
  }
  const std::string base_file = default_scenario.filename().string();

  region.files.push_back({"region.toml", region_toml(scales, children, seed, *base.starting_counts, base_children)});
  for (const CouncilScale& council : scales) {
    region.files.push_back({council.name + ".toml", council_toml(base, base_file, council, councils, base_children)});
    if (base.population) {
      region.files.push_back({council.name + "-population.csv", population_csv(base.population->table, council.factor)});
    }
  }
  region.files.insert(region.files.end(), copies.begin(), copies.end());
  return region;
}

}  // namespace carecast
