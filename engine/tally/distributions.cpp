#include "tally/distributions.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace carecast {
namespace {

// Type 7 between two neighbouring order statistics, with the same arithmetic as quantile_sorted,
// so that a streamed percentile equals the sorted one bit for bit.
struct Position {
  std::int64_t below;
  std::int64_t above;
  double fraction;
};
Position type7_position(std::int64_t count, double p) {
  const double position = p * static_cast<double>(count - 1);
  const auto below = static_cast<std::int64_t>(std::floor(position));
  return {below, std::min(below + 1, count - 1), position - static_cast<double>(below)};
}
double interpolate(double below, double above, double fraction) { return below + fraction * (above - below); }

const double kGamma = (1 + kRealRelativeAccuracy) / (1 - kRealRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
// The bucket of an infinite (or NaN) value, so that it shows in the percentiles and the writers'
// finiteness check refuses it rather than the sketch hiding it.
constexpr std::int32_t kInfiniteBucket = std::numeric_limits<std::int32_t>::max();

std::int32_t bucket_of(double magnitude) {
  if (!std::isfinite(magnitude)) return kInfiniteBucket;
  // |log| of a finite double is below 745, so the index fits easily in 32 bits.
  return static_cast<std::int32_t>(std::ceil(std::log(magnitude) / kLogGamma));
}
double bucket_value(std::int32_t bucket) {
  if (bucket == kInfiniteBucket) return std::numeric_limits<double>::infinity();
  return 2 * std::exp(bucket * kLogGamma) / (kGamma + 1);
}

using Store = std::vector<std::pair<std::int32_t, std::uint32_t>>;

// Merges sorted bucket indices (with repeats) into a sorted (index, count) store.
void merge_into(Store& store, std::vector<std::int32_t>& pending) {
  if (pending.empty()) return;
  std::sort(pending.begin(), pending.end());
  Store merged;
  merged.reserve(store.size() + pending.size());
  auto old = store.begin();
  for (std::size_t i = 0; i < pending.size();) {
    std::size_t j = i;
    while (j < pending.size() && pending[j] == pending[i]) ++j;
    const std::int32_t bucket = pending[i];
    while (old != store.end() && old->first < bucket) merged.push_back(*old++);
    if (old != store.end() && old->first == bucket) {
      merged.emplace_back(bucket, old->second + static_cast<std::uint32_t>(j - i));
      ++old;
    } else {
      merged.emplace_back(bucket, static_cast<std::uint32_t>(j - i));
    }
    i = j;
  }
  merged.insert(merged.end(), old, store.end());
  merged.shrink_to_fit();
  store.swap(merged);
  pending.clear();
}

constexpr std::size_t kPendingLimit = 1024;

}  // namespace

void IntegerDistribution::add(std::int64_t value) {
  if (counts_.empty()) {
    lowest_ = value;
    counts_.assign(1, 0);
  } else if (value < lowest_) {
    counts_.insert(counts_.begin(), static_cast<std::size_t>(lowest_ - value), 0);
    lowest_ = value;
  } else if (value - lowest_ >= static_cast<std::int64_t>(counts_.size())) {
    counts_.resize(static_cast<std::size_t>(value - lowest_) + 1, 0);
  }
  ++counts_[static_cast<std::size_t>(value - lowest_)];
  ++count_;
  sum_ += value;
}

double IntegerDistribution::squared_deviations() const {
  const double centre = mean();
  double squares = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    if (counts_[i] == 0) continue;
    const double deviation = static_cast<double>(lowest_ + static_cast<std::int64_t>(i)) - centre;
    squares += counts_[i] * deviation * deviation;
  }
  return squares;
}

std::int64_t IntegerDistribution::order_statistic(std::int64_t k) const {
  std::int64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen > k) return lowest_ + static_cast<std::int64_t>(i);
  }
  return lowest_ + static_cast<std::int64_t>(counts_.size()) - 1;
}

double IntegerDistribution::quantile(double p) const {
  const Position at = type7_position(count_, p);
  return interpolate(static_cast<double>(order_statistic(at.below)), static_cast<double>(order_statistic(at.above)),
                     at.fraction);
}

void RealDistribution::add(double value) {
  ++count_;
  sum_ += value;
  if (exact_) {
    values_.push_back(value);
    return;
  }
  const double delta = value - running_mean_;
  running_mean_ += delta / static_cast<double>(count_);
  running_squares_ += delta * (value - running_mean_);
  if (value == 0) {
    ++zeros_;
  } else {
    auto& pending = value > 0 ? pending_positive_ : pending_negative_;
    pending.push_back(bucket_of(std::abs(value)));
    if (pending.size() >= kPendingLimit) flush();
  }
}

void RealDistribution::flush() {
  merge_into(positive_, pending_positive_);
  merge_into(negative_, pending_negative_);
}

void RealDistribution::finish() {
  if (exact_) {
    // As the sort-based summary: deviations in run order from the mean.
    const double centre = mean();
    squares_ = 0;
    for (double v : values_) squares_ += (v - centre) * (v - centre);
  } else {
    flush();
    pending_positive_.shrink_to_fit();
    pending_negative_.shrink_to_fit();
    squares_ = running_squares_;
  }
}

double RealDistribution::order_statistic(std::int64_t k) const {
  // Ascending: negative values from the largest magnitude down, zeros, positive values up.
  for (auto it = negative_.rbegin(); it != negative_.rend(); ++it) {
    if (k < it->second) return -bucket_value(it->first);
    k -= it->second;
  }
  if (k < zeros_) return 0;
  k -= zeros_;
  for (const auto& [bucket, n] : positive_) {
    if (k < n) return bucket_value(bucket);
    k -= n;
  }
  return positive_.empty() ? 0 : bucket_value(positive_.back().first);
}

double RealDistribution::quantile(double p) const {
  const Position at = type7_position(count_, p);
  if (exact_) {
    // The order statistics a sort would put at `below` and `above`: selected, not sorted for.
    const auto below = values_.begin() + at.below;
    std::nth_element(values_.begin(), below, values_.end());
    const double above = at.above > at.below ? *std::min_element(below + 1, values_.end()) : *below;
    return interpolate(*below, above, at.fraction);
  }
  return interpolate(order_statistic(at.below), order_statistic(at.above), at.fraction);
}

std::size_t RealDistribution::memory_bytes() const {
  return values_.capacity() * sizeof(double) +
         (pending_positive_.capacity() + pending_negative_.capacity()) * sizeof(std::int32_t) +
         (positive_.capacity() + negative_.capacity()) * sizeof(Store::value_type);
}

}  // namespace carecast
