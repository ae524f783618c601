#include "core/apportion.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace carecast {

std::vector<long long> apportion(long long total, std::span<const double> weights) {
  std::vector<long long> shares(weights.size(), 0);
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (!(sum > 0) || total <= 0) return shares;
  std::vector<double> remainders(weights.size(), 0);
  long long given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    const double exact = static_cast<double>(total) * weights[i] / sum;
    shares[i] = static_cast<long long>(std::floor(exact));
    remainders[i] = exact - static_cast<double>(shares[i]);
    given += shares[i];
  }
  std::vector<std::size_t> order(weights.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  // A zero weight gets nothing, even when rounding leaves a share to give.
  for (std::size_t k = 0; given < total && k < order.size(); ++k) {
    if (weights[order[k]] > 0) {
      ++shares[order[k]];
      ++given;
    }
  }
  return shares;
}

}  // namespace carecast
