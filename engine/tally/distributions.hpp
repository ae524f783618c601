// Distributions over runs that are built one value at a time, in run order, in memory that does
// not grow with the number of runs: a forecast of 1,000,000 runs summarised without keeping every
// run. Both give the same mean and percentiles (type 7) as sorting every value and calling
// quantile_sorted, exactly for counts and for real numbers up to kExactRealValues runs.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace carecast {

// Real numbers (costs, stability percentages, differences of them) are kept exactly up to this
// many runs. Beyond it they go into a log-bucket histogram whose percentiles are within
// kRealRelativeAccuracy of the exact ones (see RealDistribution).
inline constexpr int kExactRealValues = 10000;
inline constexpr double kRealRelativeAccuracy = 1e-4;

// Integer values (counts, differences of counts) as a dense histogram over the range seen so far:
// memory follows the spread of the values (at most the children simulated), never the runs.
class IntegerDistribution {
 public:
  void add(std::int64_t value);
  std::int64_t count() const { return count_; }
  // Sum of the values in run order as a double, exactly as a sort-based summary adds them.
  double sum() const { return static_cast<double>(sum_); }
  double mean() const { return sum() / static_cast<double>(count_); }
  // Sum of squared deviations from the mean.
  double squared_deviations() const;
  // The order statistic of rank k (0-based) of the values seen.
  std::int64_t order_statistic(std::int64_t k) const;
  // Type 7 quantile, identical to quantile_sorted on the sorted values. Needs count() > 0.
  double quantile(double p) const;
  std::size_t memory_bytes() const { return counts_.capacity() * sizeof(std::uint32_t); }

 private:
  std::int64_t lowest_ = 0;  // value of counts_[0]
  std::vector<std::uint32_t> counts_;
  std::int64_t count_ = 0;
  std::int64_t sum_ = 0;
};

// Real values. With `exact` they are kept, and the summary is computed as a sort-based one does
// it (bit for bit). Otherwise each goes into a bucket of a log-scale histogram (a "DDSketch":
// Masson, Rim and Lee, VLDB 2019): bucket i of positive values holds (g^(i-1), g^i] with
// g = (1 + a) / (1 - a), a = kRealRelativeAccuracy, and stands for 2 g^i / (g + 1), which is
// within a relative a of every value in it; negative values mirror it and zeros are counted apart.
// A percentile then interpolates (type 7) between order statistics each within a relative a of
// the exact one. Memory follows the number of buckets occupied: ln(largest / smallest) / (2a)
// per sign at most, whatever the runs. The mean is exact either way (values added in run order).
class RealDistribution {
 public:
  explicit RealDistribution(bool exact = true) : exact_(exact) {}
  void add(double value);
  // Ends the adding: computes the squared deviations (in run order when exact).
  void finish();
  std::int64_t count() const { return count_; }
  double mean() const { return sum_ / static_cast<double>(count_); }
  double squared_deviations() const { return squares_; }  // after finish()
  // Type 7 quantile, after finish(). Needs count() > 0.
  double quantile(double p) const;
  bool exact() const { return exact_; }
  std::size_t memory_bytes() const;

 private:
  double order_statistic(std::int64_t k) const;  // sketch only, after flush()
  void flush();  // files pending bucket indices into the sorted stores
  bool exact_;
  std::int64_t count_ = 0;
  double sum_ = 0;
  double squares_ = 0;
  // Exact: every value in run order until finish(); then partly ordered by each quantile's
  // selection of its order statistics (nth_element, linear), never fully sorted.
  mutable std::vector<double> values_;
  // Sketch: Welford's running mean and squared deviations in run order, for the standard error.
  double running_mean_ = 0;
  double running_squares_ = 0;
  std::vector<std::int32_t> pending_positive_, pending_negative_;
  // (bucket index, count), sorted by index; negative values by the index of their magnitude.
  std::vector<std::pair<std::int32_t, std::uint32_t>> positive_, negative_;
  std::int64_t zeros_ = 0;
};

}  // namespace carecast
