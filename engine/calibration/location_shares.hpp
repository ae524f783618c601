// calibrate: where each provider's placements are (Supply::location_shares), from the optional
// SSDA903 columns PL_LOCATION and PL_DISTANCE (history/ssda903.hpp, PlacementSpell::location).
//
// For each provider (placement category), the placements that start between the first day every
// child looked after is in the data and the as-of date, and whose band the returns give, are
// counted by band, each weighted by recency as calibration weights events (2^(-t / half-life), t
// the months from the placement's start to the end of the as-of date, constant within a month).
// The shares are those weighted counts with a prior: the fallback shares, worth prior_placements
// placements, so a provider with few placements stays near the fallback.
//
// Disclosure: the returns are real children's records, and a share from a handful of placements
// could say where one child was placed. So a provider needs at least minimum_placements placements
// with a band (the starting groups' minimum, kMinimumStartingGroupSize) to be estimated at all;
// with fewer it keeps the fallback's shares unchanged. Shares are rounded to 3 decimals, and no
// count by provider is written out.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/location_bands.hpp"
#include "history/ssda903.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

using LocationShares = PerCategory<std::array<double, kLocationBandCount>>;

// The shipped default's shares (scenarios/default-base.toml, [supply.location]): the fallback
// where the returns give too few bands.
LocationShares shipped_default_location_shares();

struct LocationShareOptions {
  double half_life_years = 0;  // 0: every placement counts the same
  int minimum_placements = kMinimumStartingGroupSize;
  double prior_placements = 5;
};

struct LocationShareEstimate {
  LocationShares shares{};
  PerCategory<bool> from_returns{};  // false: the provider keeps the fallback's shares
  std::size_t placements_with_band = 0;  // in the window, all providers together
  std::vector<std::string> notes;        // for the scenario file and the console: no count by provider
};

LocationShareEstimate estimate_location_shares(const CareHistory& history, Date as_of, const LocationShares& fallback,
                                               const LocationShareOptions& options = {});

}  // namespace carecast
