#include "evaluation/forecast_scores.hpp"

#include <algorithm>
#include <cmath>

#include "tally/summary.hpp"

namespace carecast {

double crps_sorted(const std::vector<double>& sorted_sample, double observed) {
  const auto n = static_cast<double>(sorted_sample.size());
  double to_observation = 0;
  double spread = 0;  // sum over i of x_i (2i - n + 1): half the sum of |x_i - x_j| over all pairs
  for (std::size_t i = 0; i < sorted_sample.size(); ++i) {
    to_observation += std::abs(sorted_sample[i] - observed);
    spread += sorted_sample[i] * (2.0 * static_cast<double>(i) - n + 1.0);
  }
  return to_observation / n - spread / (n * n);
}

double median_absolute_percentage_error(const std::vector<double>& forecast, const std::vector<double>& truth) {
  std::vector<double> errors;
  for (std::size_t i = 0; i < forecast.size(); ++i) {
    if (truth[i] != 0) errors.push_back(100.0 * std::abs(forecast[i] - truth[i]) / std::abs(truth[i]));
  }
  if (errors.empty()) return NAN;
  const std::size_t middle = errors.size() / 2;
  std::nth_element(errors.begin(), errors.begin() + static_cast<std::ptrdiff_t>(middle), errors.end());
  const double upper = errors[middle];
  if (errors.size() % 2 == 1) return upper;
  const double lower = *std::max_element(errors.begin(), errors.begin() + static_cast<std::ptrdiff_t>(middle));
  return (lower + upper) / 2;
}

}  // namespace carecast

namespace carecast {

EnsembleScore score_ensemble(std::vector<double> sample, double observed) {
  std::sort(sample.begin(), sample.end());
  EnsembleScore score;
  score.p05 = quantile_sorted(sample, 0.05);
  score.p25 = quantile_sorted(sample, 0.25);
  score.p50 = quantile_sorted(sample, 0.50);
  score.p75 = quantile_sorted(sample, 0.75);
  score.p95 = quantile_sorted(sample, 0.95);
  score.inside_50 = observed >= score.p25 && observed <= score.p75;
  score.inside_90 = observed >= score.p05 && observed <= score.p95;
  score.crps = crps_sorted(sample, observed);
  score.error = score.p50 - observed;
  return score;
}

}  // namespace carecast
