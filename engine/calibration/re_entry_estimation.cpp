#include "calibration/re_entry_estimation.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace carecast {
namespace {

constexpr double kDaysPerRateYear = 365.25;  // rates are per 365.25 days, as the engine's
constexpr double kDaysPerMonthBack = kDaysPerRateYear / 12;
constexpr int kSinceBands = static_cast<int>(kReEntryBandStartMonths.size());

double start_of(Date d) { return static_cast<double>(d.time_since_epoch().count()); }
double middle_of(Date d) { return start_of(d) + 0.5; }

}  // namespace

bool is_re_entry(const ChildHistory& child, std::size_t index) {
  if (index == 0 || index >= child.periods.size()) return false;
  const CarePeriod& before = child.periods[index - 1];
  return before.end && before.exit_reason && may_re_enter_after(*before.exit_reason);
}

ReEntryCounter::ReEntryCounter(Date window_start, Date as_of)
    : window_start_(start_of(window_start)),
      end_(start_of(as_of) + 1),
      months_(static_cast<std::size_t>(std::ceil((end_ - window_start_) / kDaysPerMonthBack)) + 2),
      years_by_month_(static_cast<std::size_t>(kAgeBandCount * kSinceBands) * months_, 0.0),
      events_by_month_(years_by_month_.size(), 0.0) {}

int ReEntryCounter::month_back(double t) const {
  const int month = static_cast<int>(std::floor((end_ - t) / kDaysPerMonthBack));
  return std::clamp(month, 0, static_cast<int>(months_) - 1);
}

// Adds the years of [from, to) to each month back they fall in.
void ReEntryCounter::add_exposure(int age_band, int since_band, double from, double to) {
  double* by_month = years_by_month_.data() + cell(age_band, since_band);
  years_at_risk_ += (to - from) / kDaysPerRateYear;
  while (from < to) {
    const int month = month_back(to - 1e-9);
    const double month_start = end_ - (month + 1) * kDaysPerMonthBack;
    const double piece_from = month + 1 >= static_cast<int>(months_) ? from : std::max(from, month_start);
    by_month[month] += (to - piece_from) / kDaysPerRateYear;
    to = piece_from;
  }
}

// The child's latest period of care begun by the end of the as-of date: if it ended by then with a
// return home or an order and the child is under 18 on the as-of date, the child is one of those who
// may come back, counted by age band on the as-of date and time since leaving at its end.
void ReEntryCounter::count_left_before(const ChildHistory& child, const std::array<double, kAgeBandCount + 1>& band_start) {
  const CarePeriod* latest = nullptr;
  for (const CarePeriod& period : child.periods) {
    if (middle_of(period.start) < end_) latest = &period;
  }
  if (latest == nullptr || !latest->end || !latest->exit_reason || !may_re_enter_after(*latest->exit_reason)) return;
  const double left = middle_of(*latest->end);
  const double as_of = end_ - 0.5;
  if (left >= end_ || band_start[kAgeBandCount] <= as_of) return;
  int age = 0;
  while (age + 1 < kAgeBandCount && band_start[age + 1] <= as_of) ++age;
  int since = 0;
  while (since + 1 < kSinceBands && left + kReEntryBandStartMonths[since + 1] * kDaysPerMonthBack <= as_of) ++since;
  ++left_before_[static_cast<std::size_t>(age)][static_cast<std::size_t>(since)];
}

void ReEntryCounter::count(const ChildHistory& child) {
  std::array<double, kAgeBandCount + 1> band_start{};
  for (int b = 0; b <= kAgeBandCount; ++b) band_start[b] = start_of(add_years(child.date_of_birth, kAgeBandStartYears[b]));
  count_left_before(child, band_start);
  const double adult = band_start[kAgeBandCount];
  for (std::size_t i = 0; i < child.periods.size(); ++i) {
    const CarePeriod& period = child.periods[i];
    if (!period.end || !period.exit_reason || !may_re_enter_after(*period.exit_reason)) continue;
    const double left = middle_of(*period.end);
    if (left >= end_ || left >= adult) continue;
    const bool has_next = i + 1 < child.periods.size() && middle_of(child.periods[i + 1].start) < end_;
    const double next = has_next ? middle_of(child.periods[i + 1].start) : end_;
    const bool came_back = has_next && next < adult && next >= window_start_;
    double to = std::min({next, adult, end_});
    if (to <= window_start_) continue;
    ++exits_home_;
    // Walk [max(left, window start), to) across age and time-since-leaving bands.
    double t = std::max(left, window_start_);
    int since = 0;
    while (since + 1 < kSinceBands && left + kReEntryBandStartMonths[since + 1] * kDaysPerMonthBack <= t) ++since;
    int age = 0;
    while (age + 1 < kAgeBandCount && band_start[age + 1] <= t) ++age;
    while (t < to) {
      double piece_end = to;
      if (since + 1 < kSinceBands) piece_end = std::min(piece_end, left + kReEntryBandStartMonths[since + 1] * kDaysPerMonthBack);
      if (age + 1 < kAgeBandCount) piece_end = std::min(piece_end, band_start[age + 1]);
      add_exposure(age, since, t, piece_end);
      t = piece_end;
      if (t >= to) break;
      while (since + 1 < kSinceBands && left + kReEntryBandStartMonths[since + 1] * kDaysPerMonthBack <= t) ++since;
      while (age + 1 < kAgeBandCount && band_start[age + 1] <= t) ++age;
    }
    if (came_back) {
      ++re_entries_;
      events_by_month_[cell(age, since) + static_cast<std::size_t>(month_back(next))] += 1;
    }
  }
}

double ReEntryCounter::events(int age_band, int since_band) const {
  const auto first = events_by_month_.begin() + static_cast<std::ptrdiff_t>(cell(age_band, since_band));
  return std::accumulate(first, first + static_cast<std::ptrdiff_t>(months_), 0.0);
}

double ReEntryCounter::years(int age_band, int since_band) const {
  const auto first = years_by_month_.begin() + static_cast<std::ptrdiff_t>(cell(age_band, since_band));
  return std::accumulate(first, first + static_cast<std::ptrdiff_t>(months_), 0.0);
}

ReEntry ReEntryCounter::estimate(double half_life_years, double prior_child_years) const {
  ReEntry re_entry;
  if (exits_home_ == 0) return re_entry;
  std::vector<double> weights(months_, 1.0);
  if (half_life_years > 0) {
    for (std::size_t m = 0; m < months_; ++m) weights[m] = std::exp2(-(static_cast<double>(m) + 0.5) / (12 * half_life_years));
  }
  const auto weighted = [&](const std::vector<double>& by_month, int age, int since) {
    double sum = 0;
    for (std::size_t m = 0; m < months_; ++m) sum += by_month[cell(age, since) + m] * weights[m];
    return sum;
  };
  std::array<std::array<double, kReEntryBandStartMonths.size()>, kAgeBandCount> events{};
  std::array<std::array<double, kReEntryBandStartMonths.size()>, kAgeBandCount> years{};
  std::array<double, kReEntryBandStartMonths.size()> band_events{};
  std::array<double, kReEntryBandStartMonths.size()> band_years{};
  double all_events = 0;
  double all_years = 0;
  for (int a = 0; a < kAgeBandCount; ++a) {
    for (int s = 0; s < kSinceBands; ++s) {
      events[a][s] = weighted(events_by_month_, a, s);
      years[a][s] = weighted(years_by_month_, a, s);
      band_events[s] += events[a][s];
      band_years[s] += years[a][s];
      all_events += events[a][s];
      all_years += years[a][s];
    }
  }
  const double overall = all_years > 0 ? all_events / all_years : 0;
  re_entry.band_starts_months.assign(kReEntryBandStartMonths.begin(), kReEntryBandStartMonths.end());
  for (int a = 0; a < kAgeBandCount; ++a) {
    for (int s = 0; s < kSinceBands; ++s) {
      const double band_rate = (band_events[s] + overall * prior_child_years) / (band_years[s] + prior_child_years);
      re_entry.hazard_per_year[a].push_back((events[a][s] + band_rate * prior_child_years) /
                                            (years[a][s] + prior_child_years));
    }
    const auto& left_before = left_before_[static_cast<std::size_t>(a)];
    if (std::any_of(left_before.begin(), left_before.end(), [](std::int32_t count) { return count > 0; })) {
      re_entry.left_before_origin[static_cast<std::size_t>(a)].assign(left_before.begin(), left_before.end());
    }
  }
  return re_entry;
}

}  // namespace carecast
