#include "simulation/placement_market.hpp"

#include <algorithm>
#include <cmath>

#include "simulation/compiled_model.hpp"

namespace carecast {
namespace {

// The providers of a kind of care, in the scenario's order or, where it gives none, the order a
// council commissions in: its own carers and homes before buying places.
std::vector<Category> providers_of(const Supply& supply, CareKind kind) {
  const std::vector<Category>& listed = supply.preference[static_cast<int>(kind)];
  if (!listed.empty()) return listed;
  switch (kind) {
    case CareKind::family_foster:
      return {Category::foster_in_house, Category::foster_agency};
    case CareKind::residential:
      return {Category::childrens_home_in_house, Category::childrens_home_external};
    default:
      for (int c = 0; c < kCategoryCount; ++c) {
        if (care_kind_of(static_cast<Category>(c)) == kind) return {static_cast<Category>(c)};
      }
      return {};
  }
}

void add_once(std::vector<Category>& providers, Category provider) {
  if (std::find(providers.begin(), providers.end(), provider) == providers.end()) providers.push_back(provider);
}

const Supply::Market* market_of(const Supply& supply, Category provider) {
  if (provider == Category::foster_agency) return &supply.agency_market;
  if (provider == Category::childrens_home_external) return &supply.external_home_market;
  return nullptr;
}

}  // namespace

PlacementMarket::PlacementMarket(const Supply& supply) : supply_(supply) {
  for (int c = 0; c < kCategoryCount; ++c) {
    const auto wanted = static_cast<Category>(c);
    const auto kind = care_kind_of(wanted);
    Search& entering = entering_[static_cast<std::size_t>(c)];
    Search& starting = starting_[static_cast<std::size_t>(c)];
    std::vector<Category> fallback_sources = {wanted};
    // In-house homes not modelled as finite (in_house_homes_unlimited) would take every child needing residential
    // care if tried first: the draw names the home's provider instead, as the returns show the split.
    const bool homes_unlimited = supply.in_house_homes_unlimited && supply.homes.empty();
    if (supply.demand == Supply::Demand::placement_category || !kind ||
        (homes_unlimited && *kind == CareKind::residential)) {
      // The draw names the provider. A council fills its own children's home before buying
      // external beds: not against preference.
      if (wanted == Category::childrens_home_external && !homes_unlimited) {
        entering.providers.push_back(Category::childrens_home_in_house);
      }
      entering.providers.push_back(wanted);
      entering.preferred = static_cast<int>(entering.providers.size());
      starting = entering;
    } else {
      entering.providers = providers_of(supply, *kind);
      entering.preferred = static_cast<int>(entering.providers.size());
      // A child of the starting population keeps the provider it has at the origin while it has
      // room for it; only a child beyond its places is placed with another provider.
      starting.providers = {wanted};
      for (Category provider : entering.providers) add_once(starting.providers, provider);
      starting.preferred = static_cast<int>(starting.providers.size());
      fallback_sources.insert(fallback_sources.end(), entering.providers.begin(), entering.providers.end());
    }
    // Then the fallbacks of the category drawn and of each preferred provider, each tried once.
    for (Search* search : {&entering, &starting}) {
      for (Category source : fallback_sources) {
        for (Category fallback : supply.fallback[static_cast<int>(source)]) add_once(search->providers, fallback);
      }
    }
  }
  for (const Supply::Market* market : {&supply.agency_market, &supply.external_home_market}) {
    for (double chance : market->chance_of_place_by_year) market_draws_ = market_draws_ || chance < 1;
  }
}

bool PlacementMarket::market_has_place(Category provider, double now, StreamEngine& draws) const {
  if (!market_draws_) return true;
  const Supply::Market* market = market_of(supply_, provider);
  if (market == nullptr || market->chance_of_place_by_year.empty()) return true;
  const auto years = static_cast<std::size_t>(std::max(0.0, now / kDaysPerYear));
  const double chance = market->chance_of_place_by_year[std::min(years, market->chance_of_place_by_year.size() - 1)];
  return chance >= 1 || uniform_open01(draws) < chance;
}

// The council approaches its free approved households in a fixed order (index order: longest
// approved first), each suiting the child independently with chance q, and the first that suits
// takes the child. How many unsuitable households come first is geometric, drawn with one
// uniform, so no household is looked at beyond the one that takes the child; the child finds one
// with chance 1 - (1 - q)^k among k free approved households.
std::optional<PlaceHandle> PlacementMarket::match_household(SupplyPool& pool, std::span<const int> ages_years,
                                                            double now, StreamEngine& matching, NeedsLevel needs) const {
  const double q = supply_.match_chance_per_household;
  if (q >= 1) return pool.reserve(Category::foster_in_house, ages_years, now, needs);
  const int suitable = pool.find_suitable(ages_years, needs);
  if (suitable == 0 || q <= 0) return std::nullopt;
  if (q != log_miss_for_) {
    log_miss_for_ = q;
    log_miss_ = std::log1p(-q);
  }
  const double passed_over = std::floor(std::log(uniform_open01(matching)) / log_miss_);
  if (passed_over >= suitable) return std::nullopt;
  return pool.reserve_nth_found(static_cast<int>(passed_over));
}

PlacementMarket::Found PlacementMarket::find(SupplyPool& pool, Category wanted, std::span<const int> ages_years,
                                             double now, bool already_placed, StreamEngine& draws,
                                             StreamEngine& matching, const NeedsSearch* needs) const {
  const Search& search = (already_placed ? starting_ : entering_)[static_cast<std::size_t>(wanted)];
  const NeedsLevel level = needs != nullptr ? needs->level : NeedsLevel::standard;
  bool passed_over_for_needs = false;
  for (std::size_t i = 0; i < search.providers.size(); ++i) {
    const Category provider = search.providers[i];
    if (!market_has_place(provider, now, draws)) continue;
    const bool in_house_carers = provider == Category::foster_in_house;
    if (needs != nullptr && !in_house_carers && !needs->rules->provider_takes(provider, level, *needs->draws)) {
      passed_over_for_needs = true;
      continue;
    }
    // A child of the starting population already lives with the carers it has at the origin:
    // no match to make (but only carers approved for the child's level are the child's own).
    const bool keeps_own = already_placed && i == 0;
    auto place = in_house_carers && !keeps_own ? match_household(pool, ages_years, now, matching, level)
                                               : pool.reserve(provider, ages_years, now, level);
    if (place) {
      const bool against = static_cast<int>(i) >= search.preferred;
      return {*place, against, against && passed_over_for_needs};
    }
    // Households with room for the child but none approved for their level: passed over for needs.
    if (in_house_carers && level > NeedsLevel::standard && pool.suitable_households(ages_years, level) == 0 &&
        pool.suitable_households(ages_years) > 0) {
      passed_over_for_needs = true;
    }
  }
  // Nothing registered anywhere: an unregistered arrangement, as councils report when every
  // registered place is full.
  return {pool.reserve_unregistered(static_cast<int>(ages_years.size())), true, passed_over_for_needs};
}

double PlacementMarket::weekly_price(const PlaceHandle& place, double category_weekly, double now) const {
  if (place.unregistered) return supply_.unregistered_weekly_cost.value_or(category_weekly);
  const Supply::Market* market = market_of(supply_, place.category);
  if (market == nullptr || market->price_rise_per_year == 0) return category_weekly;
  return category_weekly * std::pow(1 + market->price_rise_per_year, std::max(0.0, now) / kDaysPerYear);
}

}  // namespace carecast
