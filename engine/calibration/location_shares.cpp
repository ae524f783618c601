#include "calibration/location_shares.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

#include "output/written_text.hpp"

namespace carecast {
namespace {

constexpr double kDaysPerMonth = 365.25 / 12;
constexpr int kShareDecimals = 3;
constexpr int kShareUnits = 1000;  // 10^kShareDecimals

// The recency weight of a placement starting on `start`: constant within each month counted back
// from the end of the as-of date, taken at the month's middle, as calibration weights events.
double recency_weight(Date start, Date as_of, double half_life_years) {
  if (half_life_years <= 0) return 1;
  const double days_back = days_between(start, as_of) + 0.5;  // from the middle of the start day
  const double month = std::floor(days_back / kDaysPerMonth);
  return std::exp2(-(month + 0.5) / (12 * half_life_years));
}

// Shares rounded to thousandths that still sum to 1: the largest remainders take the spare units.
std::array<double, kLocationBandCount> rounded(const std::array<double, kLocationBandCount>& shares) {
  std::array<int, kLocationBandCount> units{};
  std::array<double, kLocationBandCount> remainder{};
  int total = 0;
  for (int b = 0; b < kLocationBandCount; ++b) {
    const double exact = shares[b] * kShareUnits;
    units[b] = static_cast<int>(std::floor(exact));
    remainder[b] = exact - units[b];
    total += units[b];
  }
  std::array<int, kLocationBandCount> order{};
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return remainder[a] > remainder[b]; });
  for (int k = 0; total < kShareUnits; ++k, ++total) ++units[order[static_cast<std::size_t>(k % kLocationBandCount)]];
  std::array<double, kLocationBandCount> out{};
  for (int b = 0; b < kLocationBandCount; ++b) out[b] = units[b] / static_cast<double>(kShareUnits);
  return out;
}

std::string names_of(const std::vector<std::string_view>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + std::string(names[i]);
  }
  return text;
}

}  // namespace

LocationShares shipped_default_location_shares() {
  LocationShares shares{};
  const auto set = [&](Category c, double inside, double within_20, double over_20) {
    shares[static_cast<int>(c)] = {inside, within_20, over_20};
  };
  set(Category::foster_in_house, 0.50, 0.45, 0.05);
  set(Category::foster_agency, 0.15, 0.55, 0.30);
  set(Category::foster_kinship, 0.40, 0.45, 0.15);
  set(Category::placed_for_adoption, 0.10, 0.50, 0.40);
  set(Category::placed_with_parents, 0.70, 0.25, 0.05);
  set(Category::childrens_home_in_house, 0.90, 0.10, 0.00);
  set(Category::childrens_home_external, 0.05, 0.40, 0.55);
  set(Category::residential_other, 0.00, 0.40, 0.60);
  set(Category::parent_and_child, 0.20, 0.50, 0.30);
  set(Category::supported_accommodation, 0.28, 0.62, 0.10);
  set(Category::other, 0.20, 0.50, 0.30);
  return shares;
}

LocationShareEstimate estimate_location_shares(const CareHistory& history, Date as_of, const LocationShares& fallback,
                                               const LocationShareOptions& options) {
  if (options.minimum_placements < 1 || !(options.prior_placements >= 0) || !(options.half_life_years >= 0)) {
    throw std::invalid_argument("LocationShareOptions: minimum_placements must be 1 or more, the prior and the "
                                "half-life 0 or more");
  }
  PerCategory<std::array<double, kLocationBandCount>> weighted{};
  PerCategory<int> placements{};
  LocationShareEstimate estimate;
  const Date window_start = history.observed_from.value_or(history.first_date.value_or(as_of));
  for (const ChildHistory& child : history.children) {
    for (const CarePeriod& period : child.periods) {
      for (const PlacementSpell& placement : period.placements) {
        if (!placement.location || placement.start < window_start || placement.start > as_of) continue;
        const int c = static_cast<int>(placement.category);
        weighted[c][static_cast<int>(*placement.location)] += recency_weight(placement.start, as_of,
                                                                             options.half_life_years);
        ++placements[c];
        ++estimate.placements_with_band;
      }
    }
  }
  std::vector<std::string_view> estimated, kept;
  for (int c = 0; c < kCategoryCount; ++c) {
    estimate.shares[c] = fallback[c];
    if (placements[c] == 0) continue;
    if (placements[c] < options.minimum_placements) {
      kept.push_back(kCategoryNames[c]);
      continue;
    }
    const double total = std::accumulate(weighted[c].begin(), weighted[c].end(), 0.0);
    std::array<double, kLocationBandCount> shares{};
    for (int b = 0; b < kLocationBandCount; ++b) {
      shares[b] = (weighted[c][b] + options.prior_placements * fallback[c][b]) / (total + options.prior_placements);
    }
    estimate.shares[c] = rounded(shares);
    estimate.from_returns[c] = true;
    estimated.push_back(kCategoryNames[c]);
  }
  if (estimate.placements_with_band == 0) {
    estimate.notes.push_back(
        "Location bands: the returns give no placement's PL_LOCATION (with PL_DISTANCE for one outside the council's "
        "area) between " + format_iso(window_start) + " and " + format_iso(as_of) +
        ", so every provider keeps the fallback shares (the shipped default's) [assumption].");
    return estimate;
  }
  std::string note = "Location bands: from PL_LOCATION and PL_DISTANCE of the " +
                     std::to_string(estimate.placements_with_band) + " placements starting between " +
                     format_iso(window_start) + " and " + format_iso(as_of) + " that give one";
  note += options.half_life_years > 0
              ? ", each weighted 2^(-t / " + fixed_decimals(options.half_life_years, 2) + " years) by recency"
              : "";
  note += ", with the fallback shares (the shipped default's) worth " + fixed_decimals(options.prior_placements, 0) +
          " placements as a prior; estimated for " + (estimated.empty() ? "no provider" : names_of(estimated)) + ".";
  estimate.notes.push_back(note);
  if (!kept.empty()) {
    estimate.notes.push_back("Location bands kept at the fallback shares for " + names_of(kept) + ": fewer than " +
                             std::to_string(options.minimum_placements) +
                             " placements give a band, too few to publish shares from.");
  }
  return estimate;
}

}  // namespace carecast
