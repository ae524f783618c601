#include "simulation/shared_market.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace carecast {

SharedMarket::SharedMarket(const Region& region) : region_(region) {
  part_index_.fill(-1);
  for (std::size_t p = 0; p < region.market.size(); ++p) {
    part_index_[static_cast<int>(region.market[p].category)] = static_cast<int>(p);
  }
  const std::size_t councils = region.councils.size();
  if (region.distance.size() != councils)
    throw std::invalid_argument("SharedMarket: distance is not councils x councils");
  for (std::size_t c = 0; c < councils; ++c) {
    std::vector<int> order(councils);
    std::iota(order.begin(), order.end(), 0);
    // Own area first (the diagonal is inside_council), then nearer bands, then council order.
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
      return static_cast<int>(region.distance[c][static_cast<std::size_t>(a)]) <
             static_cast<int>(region.distance[c][static_cast<std::size_t>(b)]);
    });
    search_order_.push_back(std::move(order));
  }
  // Whole years from the origin: places change on each anniversary, not day by day.
  const int years = region.councils.empty() ? 0 : region.councils.front().scenario.horizon_years;
  for (const SharedMarketPart& part : region.market) {
    std::vector<std::vector<int>>& by_year = places_by_year_.emplace_back();
    for (int year = 0; year <= years; ++year) {
      std::vector<int>& places = by_year.emplace_back(part.places_by_area);
      if (part.growth_per_year == 0) continue;
      for (int& p : places) p = static_cast<int>(std::floor(p * std::pow(1.0 + part.growth_per_year, year) + 1e-9));
    }
  }
  if (!region.councils.empty()) {
    const Date origin = region.councils.front().scenario.origin;
    // A date's clock time is the start of that day: the day before ends at days_between - 1.
    if (region.joint_home) joint_home_opens_ = days_between(origin, region.joint_home->opens) - 1.0;
    if (region.framework_price) framework_from_ = days_between(origin, region.framework_price->from) - 1.0;
  }
  reset();
}

void SharedMarket::reset() {
  occupied_.assign(region_.market.size(), std::vector<int>(region_.councils.size(), 0));
  exported_.assign(region_.councils.size(), 0);
  imported_.assign(region_.councils.size(), 0);
  joint_home_occupied_ = 0;
  refusals_ = 0;
}

int SharedMarket::capacity(Category category, int area, double now) const {
  const int p = part_index_[static_cast<int>(category)];
  if (p < 0) return -1;
  const std::vector<std::vector<int>>& by_year = places_by_year_[static_cast<std::size_t>(p)];
  const auto year = std::min(static_cast<std::size_t>(std::floor(std::max(now, 0.0) / 365.25)), by_year.size() - 1);
  return by_year[year][static_cast<std::size_t>(area)];
}

int SharedMarket::capacity(Category category, double now) const {
  if (!shares(category)) return -1;
  int total = 0;
  for (std::size_t a = 0; a < region_.councils.size(); ++a) total += capacity(category, static_cast<int>(a), now);
  return total;
}

int SharedMarket::occupied(Category category, int area) const {
  const int p = part_index_[static_cast<int>(category)];
  return p < 0 ? 0 : occupied_[static_cast<std::size_t>(p)][static_cast<std::size_t>(area)];
}

int SharedMarket::occupied(Category category) const {
  const int p = part_index_[static_cast<int>(category)];
  if (p < 0) return 0;
  const std::vector<int>& by_area = occupied_[static_cast<std::size_t>(p)];
  return std::accumulate(by_area.begin(), by_area.end(), 0);
}

std::optional<int> SharedMarket::reserve(Category category, int council, int children, double now) {
  const int p = part_index_[static_cast<int>(category)];
  if (p < 0) throw std::logic_error("SharedMarket::reserve: the region does not share this category");
  std::vector<int>& by_area = occupied_[static_cast<std::size_t>(p)];
  for (int area : search_order_[static_cast<std::size_t>(council)]) {
    if (by_area[static_cast<std::size_t>(area)] + children > capacity(category, area, now)) continue;
    by_area[static_cast<std::size_t>(area)] += children;
    if (area != council) {
      exported_[static_cast<std::size_t>(council)] += children;
      imported_[static_cast<std::size_t>(area)] += children;
    }
    return area;
  }
  ++refusals_;
  return std::nullopt;
}

void SharedMarket::release(Category category, int council, int area) {
  const int p = part_index_[static_cast<int>(category)];
  if (p < 0 || area < 0) throw std::logic_error("SharedMarket::release: not a shared place");
  --occupied_[static_cast<std::size_t>(p)][static_cast<std::size_t>(area)];
  if (area != council) {
    --exported_[static_cast<std::size_t>(council)];
    --imported_[static_cast<std::size_t>(area)];
  }
}

int SharedMarket::joint_home_beds(double now) const {
  if (!region_.joint_home) return 0;
  // As for a council's own homes: a snapshot at the end of the opening day's eve does not see it open.
  return now > joint_home_opens_ ? region_.joint_home->beds : 0;
}

bool SharedMarket::reserve_joint_home(int council, int children, double now) {
  if (!region_.joint_home || now < joint_home_opens_ || joint_home_occupied_ + children > region_.joint_home->beds) {
    return false;
  }
  joint_home_occupied_ += children;
  const int host = static_cast<int>(region_.joint_home->host);
  if (council != host) {
    exported_[static_cast<std::size_t>(council)] += children;
    imported_[static_cast<std::size_t>(host)] += children;
  }
  return true;
}

void SharedMarket::release_joint_home(int council) {
  --joint_home_occupied_;
  const int host = static_cast<int>(region_.joint_home->host);
  if (council != host) {
    --exported_[static_cast<std::size_t>(council)];
    --imported_[static_cast<std::size_t>(host)];
  }
}

double SharedMarket::weekly_price(Category category, double council_weekly, double now) const {
  const int p = part_index_[static_cast<int>(category)];
  double price = council_weekly;
  if (p >= 0 && region_.market[static_cast<std::size_t>(p)].weekly_price) {
    price = *region_.market[static_cast<std::size_t>(p)].weekly_price;
  }
  if (region_.framework_price && now >= framework_from_) price *= 1.0 + region_.framework_price->price_change;
  return price;
}

}  // namespace carecast
