#include "calibration/estimation.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

#include "calibration/re_entry_estimation.hpp"
#include "calibration/starting_groups.hpp"
#include "output/written_text.hpp"
#include "scenario/scenario_bounds.hpp"

namespace carecast {
namespace {

// ---------------------------------------------------------------------------------------------
// A clock of half days, so that "the middle of a day" is exact: 2 * (days since 1970) is the start
// of a day and one more its middle.

using HalfDay = std::int64_t;
// The engine's year (kDaysPerYear in simulation/compiled_model.hpp): rates are per 365.25 days.
constexpr double kDaysPerRateYear = 365.25;
constexpr double kHalfDaysPerYear = 2 * kDaysPerRateYear;

HalfDay start_of(Date d) { return 2 * static_cast<HalfDay>(d.time_since_epoch().count()); }
HalfDay middle_of(Date d) { return start_of(d) + 1; }
double years_of(HalfDay span) { return static_cast<double>(span) / kHalfDaysPerYear; }
Date next_day(Date d) { return d + std::chrono::days{1}; }

// Months counted back from the end of the as-of date, each a twelfth of a 365.25-day year: month
// 0 holds the last twelfth of a year before the end of the as-of date. Recency weights are
// constant within one (CalibrationOptions::half_life_years), and the counts are kept by month so
// that any half-life is a weighted sum of them.
constexpr double kHalfDaysPerMonth = kHalfDaysPerYear / 12;

// Time in care (Scenario::time_in_care): the bands calibration estimates multipliers for, in
// months since the period of care began. The first months hold the quick returns home; by one to
// two years the plans for permanence (adoption, special guardianship) mostly conclude; children
// still looked after after four years mostly stay to 18.
constexpr std::array<std::int32_t, 5> kTimeInCareBandStartMonths = {0, 3, 12, 24, 48};

class MonthClock {
 public:
  MonthClock(HalfDay end, double window_years)
      : end_(end), months_(static_cast<int>(std::ceil(window_years * 12)) + 2) {}
  int months() const { return months_; }
  // The month holding the moment just before `t`.
  int month_before(HalfDay t) const {
    const int month = static_cast<int>(std::floor(static_cast<double>(end_ - t) / kHalfDaysPerMonth));
    return std::clamp(month, 0, months_ - 1);
  }
  // Adds the years of [from, to) in each month to by_month (months_ elements from `first`).
  void spread(HalfDay from, HalfDay to, double* by_month) const {
    double lower = static_cast<double>(end_ - to) / kHalfDaysPerMonth;  // in months back, lower < upper
    const double upper = static_cast<double>(end_ - from) / kHalfDaysPerMonth;
    int month = std::clamp(static_cast<int>(std::floor(lower)), 0, months_ - 1);
    while (lower < upper) {
      const double next = std::min(upper, static_cast<double>(month + 1));
      by_month[std::min(month, months_ - 1)] += (next - lower) / 12;
      lower = next;
      ++month;
    }
  }

 private:
  HalfDay end_;
  int months_;
};

// The weight of each month: 2^(-(m + 1/2) / (12 x half-life)), 1 without weighting.
std::vector<double> month_weights(int months, double half_life_years) {
  std::vector<double> weights(static_cast<std::size_t>(months), 1.0);
  if (half_life_years <= 0) return weights;
  for (int m = 0; m < months; ++m) weights[static_cast<std::size_t>(m)] = std::exp2(-(m + 0.5) / (12 * half_life_years));
  return weights;
}

double weighted_sum(const double* by_month, const std::vector<double>& weights) {
  double sum = 0;
  for (std::size_t m = 0; m < weights.size(); ++m) sum += by_month[m] * weights[m];
  return sum;
}

// Where each age band starts for one child, on the half-day clock: element b is the start of the
// birthday on which band b begins; the last element is the 18th birthday, when care ends.
using AgeBandStarts = std::array<HalfDay, kAgeBandCount + 1>;

AgeBandStarts age_band_starts(Date date_of_birth) {
  AgeBandStarts starts{};
  for (int b = 0; b <= kAgeBandCount; ++b) starts[b] = start_of(add_years(date_of_birth, kAgeBandStartYears[b]));
  return starts;
}

int age_band_at(const AgeBandStarts& starts, HalfDay t) {
  int band = 0;
  while (band + 1 < kAgeBandCount && starts[band + 1] <= t) ++band;
  return band;
}

bool leaves_at_18(ExitReason reason) { return reason == ExitReason::aged_18 || reason == ExitReason::staying_put; }

// ---------------------------------------------------------------------------------------------
// Counting

// Placement endings and time at risk by [category][age band][duration band], flattened like
// Scenario::ending_hazard_per_year, and where each ending led.
struct PlacementCounts {
  PlacementCounts(const std::vector<std::int32_t>& band_starts, const MonthClock& month_clock)
      : duration_band_start_days(band_starts),
        clock(month_clock),
        exposure(static_cast<std::size_t>(kCategoryCount) * kAgeBandCount * band_starts.size(), 0),
        endings(exposure.size(), 0),
        exposure_by_month(exposure.size() * static_cast<std::size_t>(clock.months()), 0),
        exits_by_month(exposure_by_month.size(), 0),
        moves_by_month(exposure_by_month.size(), 0),
        destinations_by_month(static_cast<std::size_t>(kCategoryCount) * kAgeBandCount * kOutcomeCount *
                                  static_cast<std::size_t>(clock.months()),
                              0),
        care_exposure_by_month(exposure_by_month.size() * kTimeInCareBandStartMonths.size(), 0),
        care_exits_by_month(kTimeInCareBandStartMonths.size() * months(), 0),
        care_moves_by_month(care_exits_by_month.size(), 0) {}

  static int care_band_count() { return static_cast<int>(kTimeInCareBandStartMonths.size()); }
  // Where care band `band` of a period of care begun at `care_start` starts.
  static HalfDay care_band_start(HalfDay care_start, int band) {
    return care_start +
           std::llround(kTimeInCareBandStartMonths[static_cast<std::size_t>(band)] * kHalfDaysPerMonth);
  }
  static int care_band_at(HalfDay care_start, HalfDay t) {
    int band = 0;
    while (band + 1 < care_band_count() && care_band_start(care_start, band + 1) <= t) ++band;
    return band;
  }
  const double* care_cell_months(std::size_t cell, int care_band) const {
    return care_exposure_by_month.data() +
           (cell * kTimeInCareBandStartMonths.size() + static_cast<std::size_t>(care_band)) * months();
  }

  std::size_t months() const { return static_cast<std::size_t>(clock.months()); }
  const double* cell_months(const std::vector<double>& by_month, std::size_t cell) const {
    return by_month.data() + cell * months();
  }
  const double* destination_months(std::size_t category, std::size_t band, std::size_t outcome) const {
    return destinations_by_month.data() + ((category * kAgeBandCount + band) * kOutcomeCount + outcome) * months();
  }

  int duration_band_count() const { return static_cast<int>(duration_band_start_days.size()); }
  std::size_t cell(int category, int age_band, int duration_band) const {
    return (static_cast<std::size_t>(category) * kAgeBandCount + static_cast<std::size_t>(age_band)) *
               duration_band_start_days.size() +
           static_cast<std::size_t>(duration_band);
  }
  // Where duration band `duration_band` of a placement begun on `start` starts.
  HalfDay duration_band_start(Date start, int duration_band) const {
    return start_of(start) + 2 * static_cast<HalfDay>(duration_band_start_days[static_cast<std::size_t>(duration_band)]);
  }
  int duration_band_at(Date start, HalfDay t) const {
    int band = 0;
    while (band + 1 < duration_band_count() && duration_band_start(start, band + 1) <= t) ++band;
    return band;
  }

  // Adds the time from `from` to `to` of a placement begun on `start`, in a period of care begun at
  // `care_start`, to the cells (and care bands) it passes through.
  void add_exposure(Category category, Date start, HalfDay care_start, const AgeBandStarts& ages, HalfDay from,
                    HalfDay to) {
    int age_band = age_band_at(ages, from);
    int duration_band = duration_band_at(start, from);
    int care_band = care_band_at(care_start, from);
    for (HalfDay t = from; t < to;) {
      HalfDay next = to;
      if (age_band + 1 < kAgeBandCount) next = std::min(next, ages[age_band + 1]);
      if (duration_band + 1 < duration_band_count()) next = std::min(next, duration_band_start(start, duration_band + 1));
      if (care_band + 1 < care_band_count()) next = std::min(next, care_band_start(care_start, care_band + 1));
      const std::size_t c = cell(static_cast<int>(category), age_band, duration_band);
      exposure[c] += next - t;
      clock.spread(t, next, exposure_by_month.data() + c * months());
      clock.spread(t, next,
                   care_exposure_by_month.data() +
                       (c * kTimeInCareBandStartMonths.size() + static_cast<std::size_t>(care_band)) * months());
      t = next;
      while (age_band + 1 < kAgeBandCount && ages[age_band + 1] <= t) ++age_band;
      while (duration_band + 1 < duration_band_count() && duration_band_start(start, duration_band + 1) <= t) {
        ++duration_band;
      }
      while (care_band + 1 < care_band_count() && care_band_start(care_start, care_band + 1) <= t) ++care_band;
    }
  }

  // An ending at `at`, in the cell holding the moment just before it.
  void add_ending(Category category, Date start, HalfDay care_start, const AgeBandStarts& ages, HalfDay at,
                  int outcome) {
    const int age_band = age_band_at(ages, at - 1);
    const std::size_t c = cell(static_cast<int>(category), age_band, duration_band_at(start, at - 1));
    ++endings[c];
    const auto month = static_cast<std::size_t>(clock.month_before(at));
    (outcome_is_exit(outcome) ? exits_by_month : moves_by_month)[c * months() + month] += 1;
    (outcome_is_exit(outcome) ? care_exits_by_month : care_moves_by_month)[static_cast<std::size_t>(
                                                                               care_band_at(care_start, at - 1)) *
                                                                               months() +
                                                                           month] += 1;
    destinations_by_month[((static_cast<std::size_t>(category) * kAgeBandCount + static_cast<std::size_t>(age_band)) *
                               kOutcomeCount +
                           static_cast<std::size_t>(outcome)) *
                              months() +
                          month] += 1;
  }

  std::vector<std::int32_t> duration_band_start_days;
  MonthClock clock;
  std::vector<HalfDay> exposure;  // exact, for the unweighted rates
  std::vector<std::int64_t> endings;
  // By [cell][month back]: years at risk, endings leaving care, endings into another placement.
  std::vector<double> exposure_by_month;
  std::vector<double> exits_by_month;
  std::vector<double> moves_by_month;
  // By [category][age band][outcome][month back].
  std::vector<double> destinations_by_month;
  // Time in care (Scenario::time_in_care): years at risk by [cell][care band][month back], and
  // endings leaving care and into another placement by [care band][month back].
  std::vector<double> care_exposure_by_month;
  std::vector<double> care_exits_by_month;
  std::vector<double> care_moves_by_month;
  // Categories some child was in during the window (before their 18th birthday): each gets a
  // placements table, since a child can be in it.
  PerCategory<bool> seen{};
};

// Children starting care in one stream (UASC or not).
struct StreamCounts {
  explicit StreamCounts(int month_count)
      : months(static_cast<std::size_t>(month_count)),
        entries_by_month(static_cast<std::size_t>(kAgeBandCount) * kSexCount * this->months, 0),
        first_placements_by_month(static_cast<std::size_t>(kAgeBandCount) * kCategoryCount * this->months, 0) {}
  void add(std::size_t band, Sex sex, Category first, int month) {
    entries_by_month[(band * kSexCount + static_cast<std::size_t>(sex)) * months + static_cast<std::size_t>(month)] += 1;
    first_placements_by_month[(band * kCategoryCount + static_cast<std::size_t>(first)) * months +
                              static_cast<std::size_t>(month)] += 1;
  }
  const double* entries(std::size_t band, std::size_t sex) const {
    return entries_by_month.data() + (band * kSexCount + sex) * months;
  }
  const double* first_placements(std::size_t band, std::size_t category) const {
    return first_placements_by_month.data() + (band * kCategoryCount + category) * months;
  }

  std::size_t months;
  std::vector<double> entries_by_month;           // [age band][sex][month back]
  std::vector<double> first_placements_by_month;  // [age band][category][month back]
  std::map<int, std::int64_t> entries_by_year;  // by the calendar year its collection year starts in
  std::size_t total = 0;
};

int collection_year_of(Date d) { return static_cast<int>(std::chrono::year_month_day{financial_year_start(d)}.year()); }

class HistoryCounter {
 public:
  HistoryCounter(Date window_start, Date as_of, const std::vector<std::int32_t>& duration_band_start_days)
      : window_start_(window_start),
        as_of_(as_of),
        clock_(start_of(next_day(as_of)), years_of(start_of(next_day(as_of)) - start_of(window_start))),
        placements_(duration_band_start_days, clock_),
        entries_(clock_.months()),
        uasc_(clock_.months()) {}

  void count(const ChildHistory& child);

  const PlacementCounts& placements() const { return placements_; }
  const StreamCounts& entries() const { return entries_; }
  const StreamCounts& uasc() const { return uasc_; }
  std::vector<double> sibling_group_size_probability() const;
  const std::vector<StartingChild>& starting_children() const { return starting_children_; }
  const MonthClock& clock() const { return clock_; }
  void fill(CalibrationReport& report) const;

 private:
  void count_placements(const CarePeriod& period, const AgeBandStarts& ages);
  void count_entry(const ChildHistory& child, const CarePeriod& period, const AgeBandStarts& ages);
  void count_leaving_at_18(const CarePeriod& period, Date adult);
  void add_starting_child(const ChildHistory& child, const CarePeriod& period, Date adult);

  Date window_start_;
  Date as_of_;
  MonthClock clock_;
  PlacementCounts placements_;
  StreamCounts entries_;
  StreamCounts uasc_;
  // Children of the main stream starting care on the same day from the same home postcode.
  std::map<std::pair<Date, std::string>, int> siblings_;
  std::size_t entries_without_postcode_ = 0;
  std::size_t placements_used_ = 0;
  std::size_t placements_start_unknown_ = 0;
  std::size_t foster_exits_at_18_ = 0;
  std::size_t staying_put_ = 0;
  std::size_t in_care_aged_18_or_over_ = 0;
  std::vector<StartingChild> starting_children_;
};

void HistoryCounter::count(const ChildHistory& child) {
  const AgeBandStarts ages = age_band_starts(child.date_of_birth);
  const Date adult = add_years(child.date_of_birth, kCareEndsAtAgeYears);
  for (std::size_t i = 0; i < child.periods.size(); ++i) {
    const CarePeriod& period = child.periods[i];
    if (period.start > as_of_) break;  // periods are in time order
    count_placements(period, ages);
    // A child coming back after a return home or an order is a re-entry ([re_entry]), not a first entry.
    if (!is_re_entry(child, i)) count_entry(child, period, ages);
    count_leaving_at_18(period, adult);
    if (!period.end || *period.end > as_of_) add_starting_child(child, period, adult);
  }
}

void HistoryCounter::count_placements(const CarePeriod& period, const AgeBandStarts& ages) {
  const HalfDay care_ends = ages[kAgeBandCount];
  if (care_ends <= start_of(window_start_)) return;  // 18 before the window: nothing at risk in it
  for (std::size_t i = 0; i < period.placements.size(); ++i) {
    const PlacementSpell& placement = period.placements[i];
    if (placement.start > as_of_) break;
    if ((placement.end && *placement.end < window_start_) || start_of(placement.start) >= care_ends) continue;
    placements_.seen[static_cast<std::size_t>(placement.category)] = true;
    // A period the data joins part-way: its first placement may have begun long before, so its
    // time in placement, and hence its duration band, is unknown.
    if (i == 0 && period.starts_before_data) {
      ++placements_start_unknown_;
      continue;
    }
    ++placements_used_;
    const bool ended = placement.end && *placement.end <= as_of_;
    HalfDay to = ended ? middle_of(*placement.end) : start_of(next_day(as_of_));
    bool ending_counts = ended;
    // Care ends at 18: later time is not at risk, and leaving then (or staying put, E17) is not a
    // placement ending but the 18th-birthday exit the simulation makes itself.
    if (to > care_ends) {
      to = care_ends;
      ending_counts = false;
    }
    const bool last = i + 1 == period.placements.size();
    if (last && period.exit_reason && leaves_at_18(*period.exit_reason)) ending_counts = false;

    const HalfDay from = std::max(middle_of(placement.start), start_of(window_start_));
    // A period the data joins part-way began before its recorded start: its time in care is at
    // least what the data show, and counted as that.
    const HalfDay care_start = middle_of(period.start);
    placements_.add_exposure(placement.category, placement.start, care_start, ages, from, to);
    if (!ending_counts) continue;
    const int outcome = last ? outcome_of(*period.exit_reason) : outcome_of(period.placements[i + 1].category);
    placements_.add_ending(placement.category, placement.start, care_start, ages, to, outcome);
  }
}

void HistoryCounter::count_entry(const ChildHistory& child, const CarePeriod& period, const AgeBandStarts& ages) {
  if (period.starts_before_data || period.start < window_start_ || start_of(period.start) >= ages[kAgeBandCount]) {
    return;
  }
  // A UASC file lists the child; DUC says when they stopped counting as unaccompanied.
  const bool uasc = child.uasc && (!child.uasc_ceased || period.start < *child.uasc_ceased);
  StreamCounts& stream = uasc ? uasc_ : entries_;
  const auto band = static_cast<std::size_t>(age_band_at(ages, middle_of(period.start)));
  stream.add(band, child.sex, period.placements.front().category, clock_.month_before(middle_of(period.start)));
  ++stream.entries_by_year[collection_year_of(period.start)];
  ++stream.total;
  if (uasc) return;  // UASC enter alone
  if (period.home_postcode_at_start.empty()) {
    ++entries_without_postcode_;
  } else {
    ++siblings_[{period.start, period.home_postcode_at_start}];
  }
}

// Of young people leaving care at 18 from a foster placement, how many stayed put (E17).
void HistoryCounter::count_leaving_at_18(const CarePeriod& period, Date adult) {
  if (!period.end || *period.end > as_of_ || !period.exit_reason) return;
  if (*period.end < adult && !leaves_at_18(*period.exit_reason)) return;
  const Date left = std::min(*period.end, adult);
  if (left < window_start_) return;
  // The placement the young person was in when they turned 18 (or left, if earlier).
  const auto in_place = std::find_if(period.placements.rbegin(), period.placements.rend(),
                                     [&](const PlacementSpell& p) { return p.start < left; });
  const Category category = in_place != period.placements.rend() ? in_place->category : period.placements.front().category;
  if (!is_foster(category)) return;
  ++foster_exits_at_18_;
  if (*period.exit_reason == ExitReason::staying_put) ++staying_put_;
}

void HistoryCounter::add_starting_child(const ChildHistory& child, const CarePeriod& period, Date adult) {
  if (adult <= as_of_) {
    ++in_care_aged_18_or_over_;
    return;
  }
  const auto current = std::find_if(period.placements.rbegin(), period.placements.rend(),
                                    [&](const PlacementSpell& p) { return p.start <= as_of_; });
  const Date april = financial_year_start(as_of_);
  // Placements held at some time since 1 April, as the simulation counts them: the one in place
  // on 1 April and every one begun since, in every period of care that touches the year (the
  // Department counts a child's placements during the year, not only in the current period: a
  // child who went home in June and came back in January has had two or more).
  std::int64_t since_april = 0;
  for (const CarePeriod& any : child.periods) {
    if (any.start > as_of_) continue;
    since_april += std::count_if(any.placements.begin(), any.placements.end(), [&](const PlacementSpell& p) {
      return p.start <= as_of_ && (!p.end || *p.end >= april);
    });
  }
  StartingChild starting;
  starting.age_days = static_cast<std::int32_t>((as_of_ - child.date_of_birth).count());
  starting.sex = child.sex;
  starting.category = current->category;
  starting.days_in_placement = static_cast<std::int32_t>((as_of_ - current->start).count());
  starting.days_in_care = static_cast<std::int32_t>((as_of_ - period.start).count());
  starting.placements_since_april = static_cast<std::int32_t>(since_april);
  starting.uasc = child.uasc && (!child.uasc_ceased || *child.uasc_ceased > as_of_);
  // current is a reverse iterator: the placement before it is the next one down the period.
  if (current->category == Category::placed_for_adoption && std::next(current) != period.placements.rend()) {
    starting.days_since_previous_placement = static_cast<std::int32_t>((as_of_ - std::next(current)->start).count());
  }
  starting_children_.push_back(starting);
}

std::vector<double> HistoryCounter::sibling_group_size_probability() const {
  constexpr std::size_t kLargestGroup = 8;  // the simulation's largest (CompiledModel::kMaxGroupSize)
  std::vector<std::size_t> groups(kLargestGroup, 0);
  groups[0] = entries_without_postcode_;
  for (const auto& [key, size] : siblings_) ++groups[std::min(static_cast<std::size_t>(size), kLargestGroup) - 1];
  while (groups.size() > 1 && groups.back() == 0) groups.pop_back();
  std::size_t total = 0;
  for (std::size_t n : groups) total += n;
  if (total == 0) return {1.0};
  std::vector<double> probability;
  for (std::size_t n : groups) probability.push_back(static_cast<double>(n) / static_cast<double>(total));
  return probability;
}

void HistoryCounter::fill(CalibrationReport& report) const {
  report.placements_used = placements_used_;
  report.placements_start_unknown = placements_start_unknown_;
  report.entries = entries_.total;
  report.uasc_entries = uasc_.total;
  report.sibling_groups = static_cast<std::size_t>(
      std::count_if(siblings_.begin(), siblings_.end(), [](const auto& group) { return group.second > 1; }));
  report.foster_exits_at_18 = foster_exits_at_18_;
  report.staying_put = staying_put_;
  report.starting_children = starting_children_.size();
  report.in_care_aged_18_or_over = in_care_aged_18_or_over_;
}

// ---------------------------------------------------------------------------------------------
// Estimating

template <std::size_t N>
std::array<double, N> shares_of(const std::array<double, N>& counts) {
  double total = 0;
  for (double n : counts) total += n;
  std::array<double, N> shares{};
  if (total == 0) return shares;
  for (std::size_t i = 0; i < N; ++i) shares[i] = counts[i] / total;
  return shares;
}

// Counts with a prior of `pooled_shares` worth `weight` events; the point estimate is the
// posterior mean.
template <int N>
DirichletEvidence<N> shrink_shares(const std::array<double, N>& counts, const std::array<double, N>& pooled_shares,
                                   double weight) {
  DirichletEvidence<N> evidence;
  evidence.counts = counts;
  for (std::size_t i = 0; i < N; ++i) evidence.prior[i] = pooled_shares[i] * weight;
  return evidence;
}

template <int N>
std::array<double, N> posterior_mean(const DirichletEvidence<N>& evidence) {
  std::array<double, N> mass{};
  for (std::size_t i = 0; i < N; ++i) mass[i] = evidence.counts[i] + evidence.prior[i];
  return shares_of(mass);
}

double posterior_mean(const GammaEvidence& evidence) {
  return evidence.rate() > 0 ? evidence.shape() / evidence.rate() : 0;
}

using DestinationCounts = PerCategory<PerAgeBand<std::array<double, kOutcomeCount>>>;

// Each cell's hazard and each (category, age band)'s destinations, shrunk as CalibrationOptions
// says, from time at risk (already rounded), endings and destination counts.
void fit_placement_rates(const PlacementCounts& counts, const std::vector<double>& exposure_years,
                         const std::vector<double>& cell_endings, const DestinationCounts& destinations,
                         const CalibrationOptions& options, Scenario& scenario, CalibrationReport& report) {
  const int duration_bands = counts.duration_band_count();
  const double k = options.hazard_prior_child_years;
  RateEvidence& evidence = *scenario.evidence;
  evidence.ending.assign(counts.exposure.size(), GammaEvidence{});
  scenario.ending_hazard_per_year.assign(counts.exposure.size(), 0.0);
  PerCategory<double> category_endings{};
  PerCategory<double> category_exposure{};
  PerCategory<std::array<double, kOutcomeCount>> category_destinations{};
  std::array<double, kOutcomeCount> all_destinations{};
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    for (int a = 0; a < kAgeBandCount; ++a) {
      for (int d = 0; d < duration_bands; ++d) {
        const std::size_t cell = counts.cell(static_cast<int>(c), a, d);
        category_endings[c] += cell_endings[cell];
        category_exposure[c] += exposure_years[cell];
      }
      for (std::size_t o = 0; o < kOutcomeCount; ++o) {
        const double n = destinations[c][static_cast<std::size_t>(a)][o];
        category_destinations[c][o] += n;
        all_destinations[o] += n;
      }
    }
  }
  double all_endings = 0;
  double all_exposure = 0;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    all_endings += category_endings[c];
    all_exposure += category_exposure[c];
  }
  const double all_rate = all_exposure > 0 ? all_endings / all_exposure : 0;
  // Where nothing at all ended, destinations are never drawn; they still need a valid table.
  std::array<double, kOutcomeCount> fallback_shares = shares_of(all_destinations);
  if (all_endings == 0) fallback_shares[outcome_of(ExitReason::other)] = 1;

  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    if (!counts.seen[c]) continue;
    ++report.categories_estimated;
    // The category's own pooled rate is shrunk the same way towards the rate of all placements, so
    // a category with little time at risk, or none, still has a rate to shrink its cells towards.
    const double pooled_rate = (category_endings[c] + all_rate * k) / (category_exposure[c] + k);
    // A category in which nothing ended borrows the destinations of all placements.
    const std::array<double, kOutcomeCount> pooled_shares =
        category_endings[c] > 0 ? shares_of(category_destinations[c]) : fallback_shares;
    for (int a = 0; a < kAgeBandCount; ++a) {
      for (int d = 0; d < duration_bands; ++d) {
        const std::size_t cell = counts.cell(static_cast<int>(c), a, d);
        const GammaEvidence gamma{cell_endings[cell], exposure_years[cell], pooled_rate * k, k};
        evidence.ending[cell] = gamma;
        scenario.ending_hazard_per_year[cell] = posterior_mean(gamma);
        ++report.hazard_cells;
        if (gamma.exposure > 0) ++report.hazard_cells_with_data;
        if (gamma.exposure < k) ++report.hazard_cells_mostly_prior;
      }
      const auto band = static_cast<std::size_t>(a);
      evidence.destination[c][band] =
          shrink_shares<kOutcomeCount>(destinations[c][band], pooled_shares, options.share_prior_events);
      scenario.destination_probability[c][band] = posterior_mean(evidence.destination[c][band]);
    }
  }
}

// Time at risk is kept only to the nearest child-month (weighted, when recency-weighted): a cell
// with one child in it would otherwise give back that child's days, and with them their care dates.
double rounded_time_at_risk(double exact, const CalibrationOptions& options) {
  return options.exact_time_at_risk ? exact : std::round(exact * 12.0) / 12.0;
}

// P(exit | a placement ends): the exit outcomes' share of the destinations.
double exit_share_of(const std::array<double, kOutcomeCount>& destination) {
  double share = 0;
  for (int o = 0; o < kOutcomeCount; ++o) {
    if (outcome_is_exit(o)) share += destination[static_cast<std::size_t>(o)];
  }
  return share;
}

// The time-in-care multipliers (Scenario::time_in_care) and the rates beside them, by iterative
// proportional fitting of a Poisson model whose exit and move hazards are
//   base hazard (category, age band, time in placement) x P(exit or move | category, age band)
//     x multiplier (care band, exit or move):
// in turn, the base hazards from each cell's time at risk weighted by its mix of care bands'
// multipliers; the destinations from their counts, each divided by the mean multiplier of its
// kind (exit or move) over the (category, age band)'s time at risk; and each care band's
// multipliers as observed over expected endings, shrunk towards 1 by a prior worth
// time_in_care_prior_events events. The multipliers are scaled together so that the endings they
// expect over the whole history are those of multipliers of 1: the base hazards keep their level.
// Each step matches its own margin; 40 rounds settle them to well under a percent.
void fit_time_in_care(const PlacementCounts& counts, const std::vector<double>& exact_years,
                      const std::vector<double>& cell_endings, const DestinationCounts& destinations,
                      const std::vector<double>& weights, const CalibrationOptions& options, Scenario& scenario,
                      CalibrationReport& report) {
  const int bands = PlacementCounts::care_band_count();
  const auto band_count = static_cast<std::size_t>(bands);
  const std::size_t cells = counts.exposure.size();
  std::vector<double> care_years(cells * band_count);
  for (std::size_t cell = 0; cell < cells; ++cell) {
    for (int b = 0; b < bands; ++b) care_years[cell * band_count + static_cast<std::size_t>(b)] = weighted_sum(counts.care_cell_months(cell, b), weights);
  }
  std::vector<double> observed_exits(band_count);
  std::vector<double> observed_moves(band_count);
  for (std::size_t b = 0; b < band_count; ++b) {
    observed_exits[b] = weighted_sum(counts.care_exits_by_month.data() + b * counts.months(), weights);
    observed_moves[b] = weighted_sum(counts.care_moves_by_month.data() + b * counts.months(), weights);
  }
  std::vector<double> exit_multiplier(band_count, 1.0);
  std::vector<double> move_multiplier(band_count, 1.0);
  std::vector<double> expected_exits(band_count);
  std::vector<double> expected_moves(band_count);
  std::vector<double> effective_years(cells);
  DestinationCounts adjusted{};
  CalibrationReport scratch;
  const int duration_bands = counts.duration_band_count();
  constexpr int kRounds = 40;
  for (int round = 0; round <= kRounds; ++round) {
    const bool last = round == kRounds;
    // The base hazards and destinations given the multipliers (the first round: none).
    for (int c = 0; c < kCategoryCount; ++c) {
      for (int a = 0; a < kAgeBandCount; ++a) {
        const double exit_share = exit_share_of(
            scenario.destination_probability[static_cast<std::size_t>(c)][static_cast<std::size_t>(a)]);
        double exposure_hazard = 0;
        double exposure_hazard_exit = 0;
        double exposure_hazard_move = 0;
        for (int d = 0; d < duration_bands; ++d) {
          const std::size_t cell = counts.cell(c, a, d);
          double all = 0;
          double mixed = 0;
          const double hazard = round == 0 ? 0 : scenario.ending_hazard_per_year[cell];
          for (std::size_t b = 0; b < band_count; ++b) {
            const double x = care_years[cell * band_count + b];
            all += x;
            mixed += x * (round == 0 ? 1.0 : exit_share * exit_multiplier[b] + (1 - exit_share) * move_multiplier[b]);
            exposure_hazard += x * hazard;
            exposure_hazard_exit += x * hazard * exit_multiplier[b];
            exposure_hazard_move += x * hazard * move_multiplier[b];
          }
          effective_years[cell] = rounded_time_at_risk(all > 0 ? exact_years[cell] * mixed / all : exact_years[cell], options);
        }
        const double exit_mean = exposure_hazard > 0 ? exposure_hazard_exit / exposure_hazard : 1.0;
        const double move_mean = exposure_hazard > 0 ? exposure_hazard_move / exposure_hazard : 1.0;
        const auto& observed = destinations[static_cast<std::size_t>(c)][static_cast<std::size_t>(a)];
        auto& fitted = adjusted[static_cast<std::size_t>(c)][static_cast<std::size_t>(a)];
        double observed_total = 0;
        double fitted_total = 0;
        for (int o = 0; o < kOutcomeCount; ++o) {
          const auto at = static_cast<std::size_t>(o);
          fitted[at] = observed[at] / (outcome_is_exit(o) ? exit_mean : move_mean);
          observed_total += observed[at];
          fitted_total += fitted[at];
        }
        // The same number of events as observed, so the share prior keeps its weight.
        if (fitted_total > 0) {
          for (double& n : fitted) n *= observed_total / fitted_total;
        }
      }
    }
    fit_placement_rates(counts, effective_years, cell_endings, adjusted, options, scenario, last ? report : scratch);
    if (last) break;
    // Each care band's expected exits and moves under the base rates alone.
    std::fill(expected_exits.begin(), expected_exits.end(), 0.0);
    std::fill(expected_moves.begin(), expected_moves.end(), 0.0);
    for (int c = 0; c < kCategoryCount; ++c) {
      for (int a = 0; a < kAgeBandCount; ++a) {
        const double exit_share = exit_share_of(
            scenario.destination_probability[static_cast<std::size_t>(c)][static_cast<std::size_t>(a)]);
        for (int d = 0; d < duration_bands; ++d) {
          const std::size_t cell = counts.cell(c, a, d);
          const double hazard = scenario.ending_hazard_per_year[cell];
          for (std::size_t b = 0; b < band_count; ++b) {
            const double expected = care_years[cell * band_count + b] * hazard;
            expected_exits[b] += expected * exit_share;
            expected_moves[b] += expected * (1 - exit_share);
          }
        }
      }
    }
    const double prior = options.time_in_care_prior_events;
    double expected_total = 0;
    double scaled_total = 0;
    for (std::size_t b = 0; b < band_count; ++b) {
      exit_multiplier[b] = (observed_exits[b] + prior) / (expected_exits[b] + prior);
      move_multiplier[b] = (observed_moves[b] + prior) / (expected_moves[b] + prior);
      expected_total += expected_exits[b] + expected_moves[b];
      scaled_total += expected_exits[b] * exit_multiplier[b] + expected_moves[b] * move_multiplier[b];
    }
    if (scaled_total > 0) {
      for (std::size_t b = 0; b < band_count; ++b) {
        exit_multiplier[b] *= expected_total / scaled_total;
        move_multiplier[b] *= expected_total / scaled_total;
      }
    }
  }
  TimeInCare& care = scenario.time_in_care;
  care.band_starts_months.assign(kTimeInCareBandStartMonths.begin(), kTimeInCareBandStartMonths.end());
  care.exit_hazard_multiplier = exit_multiplier;
  care.move_hazard_multiplier = move_multiplier;
  TimeInCareEstimate& estimate = report.time_in_care;
  estimate.estimated = true;
  estimate.band_starts_months = care.band_starts_months;
  estimate.observed_exits = observed_exits;
  estimate.expected_exits = expected_exits;
  estimate.observed_moves = observed_moves;
  estimate.expected_moves = expected_moves;
  estimate.exit_multiplier = exit_multiplier;
  estimate.move_multiplier = move_multiplier;
}

void estimate_placements(const PlacementCounts& counts, const CalibrationOptions& options, Scenario& scenario,
                         CalibrationReport& report) {
  const bool weighted = options.half_life_years > 0;
  const std::vector<double> weights = month_weights(static_cast<int>(counts.months()), options.half_life_years);
  std::vector<double> exact_years(counts.exposure.size());
  std::vector<double> exposure_years(counts.exposure.size());
  std::vector<double> cell_endings(counts.exposure.size());
  for (std::size_t cell = 0; cell < counts.exposure.size(); ++cell) {
    exact_years[cell] = weighted ? weighted_sum(counts.cell_months(counts.exposure_by_month, cell), weights)
                                 : years_of(counts.exposure[cell]);
    exposure_years[cell] = rounded_time_at_risk(exact_years[cell], options);
    cell_endings[cell] = weighted ? weighted_sum(counts.cell_months(counts.exits_by_month, cell), weights) +
                                        weighted_sum(counts.cell_months(counts.moves_by_month, cell), weights)
                                  : static_cast<double>(counts.endings[cell]);
    report.weighted_child_years_at_risk += exposure_years[cell];
    report.weighted_placement_endings += cell_endings[cell];
  }
  DestinationCounts destinations{};
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    for (std::size_t a = 0; a < kAgeBandCount; ++a) {
      for (std::size_t o = 0; o < kOutcomeCount; ++o) {
        destinations[c][a][o] = weighted_sum(counts.destination_months(c, a, o), weights);
      }
    }
  }
  if (options.estimate_time_in_care) {
    fit_time_in_care(counts, exact_years, cell_endings, destinations, weights, options, scenario, report);
  } else {
    fit_placement_rates(counts, exposure_years, cell_endings, destinations, options, scenario, report);
  }
  std::int64_t endings = 0;
  for (const std::int64_t n : counts.endings) endings += n;
  report.placement_endings = static_cast<std::size_t>(endings);
  report.child_years_at_risk = 0;
  for (const HalfDay x : counts.exposure) report.child_years_at_risk += years_of(x);
}

// ---------------------------------------------------------------------------------------------
// Trend in entries

TrendEstimate estimate_trend(const StreamCounts& stream, Date window_start, Date as_of) {
  TrendEstimate trend;
  // Full collection years only: a part year would understate its count.
  int first = collection_year_of(window_start);
  if (financial_year_start(window_start) < window_start) ++first;
  int last = collection_year_of(as_of);
  if (financial_year_end(as_of) > as_of) --last;
  if (last < first) return trend;
  trend.first_year = first;
  const auto years = static_cast<Eigen::Index>(last - first + 1);
  Eigen::MatrixXd x(years, 2);
  Eigen::VectorXd y(years), offset(years);
  const Date origin = next_day(as_of);  // the slope is per year, the intercept the log rate at the origin
  int years_with_entries = 0;
  for (int year = first; year <= last; ++year) {
    const auto row = static_cast<Eigen::Index>(year - first);
    const Date start = make_date(year, 4, 1);
    const Date end = make_date(year + 1, 4, 1);
    const auto found = stream.entries_by_year.find(year);
    const std::int64_t entries = found == stream.entries_by_year.end() ? 0 : found->second;
    trend.entries_by_year.push_back(entries);
    if (entries > 0) ++years_with_entries;
    const double length_days = days_between(start, end);
    x(row, 0) = 1;
    x(row, 1) = (days_between(origin, start) + length_days / 2) / kDaysPerRateYear;
    y(row) = static_cast<double>(entries);
    offset(row) = std::log(length_days / kDaysPerRateYear);
  }
  // With fewer years with entries the fitted line is a perfect fit at an infinite slope.
  if (years_with_entries < 2) return trend;

  Eigen::Vector2d beta(std::log(y.sum() / offset.array().exp().sum()), 0);
  Eigen::Matrix2d information = Eigen::Matrix2d::Zero();
  constexpr int kMaxIterations = 100;
  constexpr double kTolerance = 1e-12;
  bool converged = false;
  for (int iteration = 0; iteration < kMaxIterations && !converged; ++iteration) {
    const Eigen::VectorXd eta = x * beta + offset;
    const Eigen::VectorXd mu = eta.array().exp();
    const Eigen::VectorXd working = eta - offset + ((y - mu).array() / mu.array()).matrix();
    information = x.transpose() * mu.asDiagonal() * x;
    const Eigen::Vector2d next = information.ldlt().solve(x.transpose() * mu.asDiagonal() * working);
    if (!next.allFinite()) return trend;
    converged = (next - beta).cwiseAbs().maxCoeff() < kTolerance;
    beta = next;
  }
  if (!converged) return trend;
  const Eigen::VectorXd mu = (x * beta + offset).array().exp();
  information = x.transpose() * mu.asDiagonal() * x;
  if (years > 2) {
    const double pearson = ((y - mu).array().square() / mu.array()).sum();
    trend.dispersion = std::max(1.0, pearson / static_cast<double>(years - 2));
  }
  const double slope_variance = information.inverse()(1, 1) * trend.dispersion;
  trend.estimated = true;
  trend.fitted_by_year.assign(mu.data(), mu.data() + mu.size());
  // A slope zero up to rounding (equal counts) is zero: 1e-16 a year means nothing and a
  // simulation inverting the trend's integral divides by it.
  trend.growth = std::abs(beta(1)) < 1e-12 ? 0 : std::expm1(beta(1));
  trend.standard_error = std::exp(beta(1)) * std::sqrt(slope_variance);
  trend.slope_standard_error = std::sqrt(slope_variance);
  return trend;
}

// Years of exposure in the window, each weighted by the trend's entry rate relative to its rate
// at the origin, so that entries / weighted years estimates the rate at the origin.
double trend_weighted_years(double window_years, double growth) {
  const double slope = std::log1p(growth);
  if (slope == 0) return window_years;
  return -std::expm1(-slope * window_years) / slope;
}

// ---------------------------------------------------------------------------------------------
// Entries

// Recency-weighted years of the window, each counted at the trend's entry rate relative to the
// origin's (growth 0: no trend): sum over months m of w_m x the integral over the month's part of
// the window of exp(-slope u), u years before the origin.
double weighted_trend_years(double window_years, double growth, const std::vector<double>& weights) {
  const double slope = std::log1p(growth);
  const auto integral = [slope](double from, double to) {  // of exp(-slope u) du over [from, to]
    return slope == 0 ? to - from : (std::exp(-slope * from) - std::exp(-slope * to)) / slope;
  };
  double years = 0;
  for (std::size_t m = 0; m < weights.size(); ++m) {
    const double from = static_cast<double>(m) / 12;
    if (from >= window_years) break;
    years += weights[m] * integral(from, std::min(window_years, static_cast<double>(m + 1) / 12));
  }
  return years;
}

void estimate_stream(const StreamCounts& counts, double exposure_years, const std::vector<double>& weights,
                     const CalibrationOptions& options, EntryStream& stream,
                     PerAgeBand<PerSex<GammaEvidence>>& entry_evidence,
                     PerAgeBand<DirichletEvidence<kCategoryCount>>& first_placement_evidence) {
  PerAgeBand<std::array<double, kCategoryCount>> first_placements{};
  std::array<double, kCategoryCount> pooled_first{};
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
      first_placements[b][c] = weighted_sum(counts.first_placements(b, c), weights);
      pooled_first[c] += first_placements[b][c];
    }
  }
  const std::array<double, kCategoryCount> pooled_shares = shares_of(pooled_first);
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    const PerSex<double> entries = {weighted_sum(counts.entries(b, 0), weights),
                                    weighted_sum(counts.entries(b, 1), weights)};
    const double band_total = entries[0] + entries[1];
    for (std::size_t s = 0; s < kSexCount; ++s) {
      GammaEvidence& gamma = entry_evidence[b][s];
      gamma.events = entries[s];
      gamma.exposure = exposure_years;
      if (band_total > 0) {
        // Half the band's prior weight at the band's rate per sex, band_total / (2 x years).
        gamma.prior_events = options.entry_prior_entries_per_band / 2;
        gamma.prior_exposure = gamma.prior_events * 2 * exposure_years / band_total;
      }
      stream.expected_per_year[b][s] = posterior_mean(gamma);
    }
    if (band_total == 0) continue;  // no entries at this age: first placements never drawn
    first_placement_evidence[b] =
        shrink_shares<kCategoryCount>(first_placements[b], pooled_shares, options.share_prior_events);
    stream.first_placement_probability[b] = posterior_mean(first_placement_evidence[b]);
  }
}

// The growth's uncertainty as a scenario takes it: a few sparse years can make the slope's standard error larger
// than the largest sd a scenario allows (scenario_bounds.cpp), and the forecast then takes that bound.
double growth_sd_within_bounds(double sd) { return clamp_to_scenario_range("evidence.entries.growth_sd_log_per_year", sd); }

void estimate_entries(const HistoryCounter& counter, const CalibrationOptions& options, Scenario& scenario,
                      CalibrationReport& report) {
  report.entry_trend = estimate_trend(counter.entries(), report.window_start, report.as_of);
  report.uasc_trend = estimate_trend(counter.uasc(), report.window_start, report.as_of);
  const std::vector<double> weights = month_weights(counter.clock().months(), options.half_life_years);
  // The years of exposure behind the rate at the origin: with the trend, each year counts at the
  // trend's rate relative to the origin's, so that entries / years is the trend's level at the
  // origin fitted to the (weighted) entries.
  const auto stream_years = [&](const TrendEstimate& trend) {
    const double growth = options.include_trend && trend.estimated ? trend.growth_within_bounds() : 0;
    if (options.half_life_years > 0) return weighted_trend_years(report.window_years, growth, weights);
    return growth != 0 ? trend_weighted_years(report.window_years, growth) : report.window_years;
  };
  RateEvidence& evidence = *scenario.evidence;
  estimate_stream(counter.entries(), stream_years(report.entry_trend), weights, options, scenario.entries,
                  evidence.entries, evidence.first_placement);
  estimate_stream(counter.uasc(), stream_years(report.uasc_trend), weights, options, scenario.uasc,
                  evidence.uasc_entries, evidence.uasc_first_placement);
  for (const auto& band : evidence.entries) report.weighted_entries += band[0].events + band[1].events;
  // Growth is uncertain whether or not the trend is used: without it the forecast takes growth 0,
  // but history could not rule out the slope's standard error either way, and that uncertainty
  // grows with the horizon as no other does.
  evidence.entries_growth_sd_log_per_year = growth_sd_within_bounds(
      report.entry_trend.estimated ? report.entry_trend.slope_standard_error : 0);
  evidence.uasc_growth_sd_log_per_year = growth_sd_within_bounds(
      report.uasc_trend.estimated ? report.uasc_trend.slope_standard_error : 0);
  if (options.include_trend) {
    if (report.entry_trend.estimated) {
      scenario.entries.annual_growth_rate = report.entry_trend.growth_within_bounds();
      scenario.entries.trend_damping_per_year = options.trend_damping_per_year;
    }
    if (report.uasc_trend.estimated) {
      scenario.uasc.annual_growth_rate = report.uasc_trend.growth_within_bounds();
      scenario.uasc.trend_damping_per_year = options.trend_damping_per_year;
    }
  }
  scenario.sibling_group_size_probability = counter.sibling_group_size_probability();
}

// ---------------------------------------------------------------------------------------------
// Year-to-year variation

// Exits and moves in each full year back from the as-of date, oldest first, beside what the
// window's rates of each cell (category x age band x time in placement, unweighted) expect of the
// time at risk in that year. Fitting the rates to the same years takes one degree of freedom.
void yearly_endings(const PlacementCounts& counts, double window_years, ProcessVariation& exits,
                    ProcessVariation& moves) {
  const int years = static_cast<int>(std::floor(window_years + 1e-9));
  if (years < 1) return;
  const auto used_months = static_cast<std::size_t>(12 * years);
  exits.observed.assign(static_cast<std::size_t>(years), 0);
  exits.expected.assign(static_cast<std::size_t>(years), 0);
  moves.observed = exits.observed;
  moves.expected = exits.expected;
  for (std::size_t cell = 0; cell < counts.exposure.size(); ++cell) {
    const double* exposure = counts.cell_months(counts.exposure_by_month, cell);
    const double* exit_events = counts.cell_months(counts.exits_by_month, cell);
    const double* move_events = counts.cell_months(counts.moves_by_month, cell);
    double cell_exposure = 0, cell_exits = 0, cell_moves = 0;
    for (std::size_t m = 0; m < used_months; ++m) {
      cell_exposure += exposure[m];
      cell_exits += exit_events[m];
      cell_moves += move_events[m];
    }
    if (cell_exposure <= 0) continue;
    for (std::size_t m = 0; m < used_months; ++m) {
      const std::size_t year = static_cast<std::size_t>(years) - 1 - m / 12;  // oldest first
      exits.observed[year] += exit_events[m];
      moves.observed[year] += move_events[m];
      exits.expected[year] += exposure[m] * cell_exits / cell_exposure;
      moves.expected[year] += exposure[m] * cell_moves / cell_exposure;
    }
  }
  exits.first_year = moves.first_year = std::to_string(years) + " years to the as-of date";
}

void estimate_variation(const HistoryCounter& counter, const CalibrationOptions& options, Scenario& scenario,
                        CalibrationReport& report) {
  VariationEstimate& estimate = report.variation;
  const TrendEstimate& trend = report.entry_trend;
  if (trend.estimated) {
    estimate.entries.first_year = std::to_string(trend.first_year);
    for (const std::int64_t n : trend.entries_by_year) estimate.entries.observed.push_back(static_cast<double>(n));
    estimate.entries.expected = trend.fitted_by_year;
    estimate.entries.raw = extra_poisson_variance(estimate.entries.observed, estimate.entries.expected, 2);
  }
  yearly_endings(counter.placements(), report.window_years, estimate.exits, estimate.moves);
  if (!estimate.exits.observed.empty()) {
    estimate.exits.raw = extra_poisson_variance(estimate.exits.observed, estimate.exits.expected, 1);
    estimate.moves.raw = extra_poisson_variance(estimate.moves.observed, estimate.moves.expected, 1);
  }
  // Autocorrelation, pooled over the three: the rho at which the residuals' expected lag-1 sums,
  // given each series' variance at that rho, equal the observed ones (pooled_autocorrelation).
  std::vector<const ExtraPoissonVariance*> used;
  int pairs = 0;
  for (const ProcessVariation* process : {&estimate.entries, &estimate.exits, &estimate.moves}) {
    if (!process->raw.estimated() || process->raw.variance <= 0 || process->raw.years < 7) continue;
    used.push_back(&process->raw);
    pairs += process->raw.years - 1;
  }
  estimate.raw_autocorrelation = used.empty() ? NAN : pooled_autocorrelation(used);
  estimate.autocorrelation_pairs = std::isnan(estimate.raw_autocorrelation) ? 0 : pairs;
  const double raw = estimate.autocorrelation_pairs > 0 ? std::clamp(estimate.raw_autocorrelation, 0.0, 0.95) : 0;
  const double weight = options.autocorrelation_prior_pairs;
  const double autocorrelation = (estimate.autocorrelation_pairs * raw + weight * options.autocorrelation_prior) /
                                 (estimate.autocorrelation_pairs + weight);
  // The raw estimate is kept within 0.95, but a prior near 1 could take the shrunk one beyond what a scenario takes.
  estimate.autocorrelation = clamp_to_scenario_range("variation.autocorrelation", autocorrelation);
  if (estimate.autocorrelation != autocorrelation) estimate.uncapped_autocorrelation = autocorrelation;
  // The variances allow for the autocorrelation: detrending a short autocorrelated series hides
  // much of its variation (on the validation worlds, by about a third of the sd).
  shrink_variation(estimate.entries, options.entries_prior_sd_log, estimate.autocorrelation,
                   options.variation_prior_years);
  shrink_variation(estimate.exits, options.exits_prior_sd_log, estimate.autocorrelation,
                   options.variation_prior_years);
  shrink_variation(estimate.moves, options.moves_prior_sd_log, estimate.autocorrelation,
                   options.variation_prior_years);
  const double stationary = std::sqrt(1 - estimate.autocorrelation * estimate.autocorrelation);
  // A few sparse years (early returns with most episodes missing) can give a variance no council has seen: the
  // sd is written at the largest a scenario takes, and the scenario's comments say it was capped.
  for (ProcessVariation* process : {&estimate.entries, &estimate.exits, &estimate.moves}) {
    const double innovation_sd = process->marginal_sd * stationary;
    process->innovation_sd = clamp_to_scenario_range("variation.entries_sd_log_per_year", innovation_sd);
    if (process->innovation_sd != innovation_sd) process->uncapped_innovation_sd = innovation_sd;
  }
  estimate.estimated = true;
  scenario.variation.entries_sd_log_per_year = estimate.entries.innovation_sd;
  scenario.variation.exits_sd_log_per_year = estimate.exits.innovation_sd;
  scenario.variation.moves_sd_log_per_year = estimate.moves.innovation_sd;
  scenario.variation.autocorrelation = estimate.autocorrelation;
  // The trend's slope was fitted as if years were independent; with autocorrelated years a run of
  // good ones looks like growth, and the slope is less certain than its regression says.
  if (scenario.evidence) {
    RateEvidence& evidence = *scenario.evidence;
    const auto inflate = [&](double& sd, const TrendEstimate& fitted) {
      if (!fitted.estimated) return;
      const double factor = slope_variance_inflation(static_cast<int>(fitted.entries_by_year.size()), estimate.autocorrelation);
      sd *= std::sqrt(std::max(1.0, factor));
    };
    inflate(evidence.entries_growth_sd_log_per_year, report.entry_trend);
    inflate(evidence.uasc_growth_sd_log_per_year, report.uasc_trend);
    evidence.entries_growth_sd_log_per_year = growth_sd_within_bounds(evidence.entries_growth_sd_log_per_year);
    evidence.uasc_growth_sd_log_per_year = growth_sd_within_bounds(evidence.uasc_growth_sd_log_per_year);
    estimate.slope_sd_inflation = std::sqrt(std::max(
        1.0, slope_variance_inflation(static_cast<int>(report.entry_trend.entries_by_year.size()), estimate.autocorrelation)));
  }
}

std::string format_share(double x) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(1) << 100 * x << '%';
  return text.str();
}

void print_trend(std::ostream& out, std::string_view stream, const TrendEstimate& trend, bool included) {
  out << "  Trend in " << stream << ": ";
  if (!trend.estimated) {
    out << "not estimated (needs 2 or more full collection years with entries in the window)\n";
    return;
  }
  out << (trend.growth >= 0 ? "+" : "") << format_share(trend.growth) << " a year (standard error "
      << format_share(trend.standard_error) << ") from " << trend.entries_by_year.size()
      << " full collection years; " << (included ? "used" : "not used (--trend off)") << '\n';
}

}  // namespace

ExtraPoissonVariance extra_poisson_variance(const std::vector<double>& observed, const std::vector<double>& expected,
                                            int fitted_parameters) {
  if (observed.size() != expected.size() || fitted_parameters < 1 || fitted_parameters > 2) {
    throw std::invalid_argument("extra_poisson_variance: observed and expected differ in length, or 1 or 2 parameters");
  }
  ExtraPoissonVariance result;
  result.years = static_cast<int>(observed.size());
  result.fitted_parameters = fitted_parameters;
  if (!result.estimated()) return result;
  const auto n = static_cast<Eigen::Index>(observed.size());
  Eigen::VectorXd r(n);
  Eigen::MatrixXd x(n, fitted_parameters);
  double noise = 0;
  for (Eigen::Index y = 0; y < n; ++y) {
    const auto i = static_cast<std::size_t>(y);
    r(y) = std::log((observed[i] + 0.5) / (expected[i] + 0.5));
    noise += 1 / (expected[i] + 0.5);
    x(y, 0) = 1;
    if (fitted_parameters > 1) x(y, 1) = static_cast<double>(y) - static_cast<double>(n - 1) / 2;
  }
  noise /= static_cast<double>(n);
  result.poisson_noise = noise;
  const Eigen::VectorXd e = r - x * (x.transpose() * x).ldlt().solve(x.transpose() * r);
  const double freedom = static_cast<double>(n - fitted_parameters);
  result.residuals.assign(e.data(), e.data() + e.size());
  result.variance = e.squaredNorm() / freedom - noise;
  result.standard_error = std::sqrt(2 / freedom) * (std::max(result.variance, 0.0) + noise);
  for (Eigen::Index y = 0; y + 1 < n; ++y) result.lag1_sum += e(y) * e(y + 1);
  return result;
}

namespace {

// A level, or a level and a centred linear trend, over `years` equally spaced years, as
// extra_poisson_variance fits them.
Eigen::MatrixXd yearly_design(int years, int fitted_parameters) {
  Eigen::MatrixXd x(years, fitted_parameters);
  for (int y = 0; y < years; ++y) {
    x(y, 0) = 1;
    if (fitted_parameters > 1) x(y, 1) = y - static_cast<double>(years - 1) / 2;
  }
  return x;
}

Eigen::MatrixXd ar1_correlation(int years, double rho) {
  Eigen::MatrixXd r(years, years);
  for (int i = 0; i < years; ++i) {
    for (int j = 0; j < years; ++j) r(i, j) = std::pow(rho, std::abs(i - j));
  }
  return r;
}

}  // namespace

double autocorrelated_variance(const ExtraPoissonVariance& raw, double rho) {
  if (!raw.estimated()) return 0;
  const int n = raw.years;
  const int p = raw.fitted_parameters;
  const Eigen::MatrixXd x = yearly_design(n, p);
  const Eigen::MatrixXd hat = x * (x.transpose() * x).ldlt().solve(x.transpose());
  const double trace = ((Eigen::MatrixXd::Identity(n, n) - hat) * ar1_correlation(n, rho)).trace();
  double squares = 0;
  for (const double e : raw.residuals) squares += e * e;
  return (squares - (n - p) * raw.poisson_noise) / trace;
}

void shrink_variation(ProcessVariation& process, double prior_sd, double rho, double prior_years) {
  const double prior_variance = prior_sd * prior_sd;
  double variance = prior_variance;
  if (process.raw.estimated()) {
    const double years = static_cast<double>(process.raw.years - process.raw.fitted_parameters);
    process.ar_variance = autocorrelated_variance(process.raw, rho);
    variance = (years * process.ar_variance + prior_years * prior_variance) / (years + prior_years);
  }
  process.marginal_sd = std::sqrt(std::max(0.0, variance));
}

double pooled_autocorrelation(const std::vector<const ExtraPoissonVariance*>& series) {
  // For residuals e = M r of a fit (M = I - H) to an AR(1) departure of variance s^2 plus Poisson
  // noise of variance v a year: E[e'e] = s^2 tr(M R) + v tr(M) and
  // E[sum e_t e_(t+1)] = s^2 tr(L M R M) + v tr(L M), L the lag matrix. Given rho, the first gives
  // each series' s^2 (autocorrelated_variance); the rho whose second matches the observed lag-1
  // sums, pooled over the series, is the estimate. Unlike the ratio of the sample moments it is
  // not biased down by fitting the level and trend, which in 8-12 years is most of the signal.
  struct Terms {
    Eigen::MatrixXd m;
    double squares;
  };
  std::vector<Terms> terms;
  double observed = 0;
  for (const ExtraPoissonVariance* raw : series) {
    const Eigen::MatrixXd x = yearly_design(raw->years, raw->fitted_parameters);
    Terms t{Eigen::MatrixXd::Identity(raw->years, raw->years) - x * (x.transpose() * x).ldlt().solve(x.transpose()), 0};
    for (const double e : raw->residuals) t.squares += e * e;
    observed += raw->lag1_sum;
    terms.push_back(std::move(t));
  }
  const auto expected_lag = [&](double rho) {
    double total = 0;
    for (std::size_t k = 0; k < terms.size(); ++k) {
      const Eigen::MatrixXd& m = terms[k].m;
      const auto n = m.rows();
      const Eigen::MatrixXd r = ar1_correlation(static_cast<int>(n), rho);
      const double noise = series[k]->poisson_noise;
      const double variance = std::max(0.0, (terms[k].squares - noise * m.trace()) / (m * r).trace());
      const Eigen::MatrixXd mrm = m * r * m;
      double lag_of_mrm = 0, lag_of_m = 0;
      for (Eigen::Index t = 0; t + 1 < n; ++t) {
        lag_of_mrm += mrm(t, t + 1);
        lag_of_m += m(t, t + 1);
      }
      total += variance * lag_of_mrm + noise * lag_of_m;
    }
    return total;
  };
  // The expected lag-1 sum rises with rho; bisect within [0, 0.95], the range kept.
  double low = 0, high = 0.95;
  if (observed <= expected_lag(low)) return low;
  if (observed >= expected_lag(high)) return high;
  for (int i = 0; i < 50; ++i) {
    const double mid = (low + high) / 2;
    (expected_lag(mid) < observed ? low : high) = mid;
  }
  return (low + high) / 2;
}

double TrendEstimate::growth_within_bounds() const {
  return clamp_to_scenario_range("entries.annual_growth_rate", growth);
}

double slope_variance_inflation(int years, double rho) {
  if (years < 3) return 1;
  const Eigen::MatrixXd x = yearly_design(years, 2);
  const Eigen::MatrixXd inverse = (x.transpose() * x).inverse();
  const Eigen::MatrixXd sandwich = inverse * x.transpose() * ar1_correlation(years, rho) * x * inverse;
  return sandwich(1, 1) / inverse(1, 1);
}

void CalibrationOptions::validate() const {
  if (duration_band_start_days.empty() || duration_band_start_days.front() != 0) {
    throw std::invalid_argument("CalibrationOptions::duration_band_start_days must start with 0");
  }
  for (std::size_t i = 1; i < duration_band_start_days.size(); ++i) {
    if (duration_band_start_days[i] <= duration_band_start_days[i - 1]) {
      throw std::invalid_argument("CalibrationOptions::duration_band_start_days must be strictly increasing; element " +
                                  std::to_string(i) + " is " + std::to_string(duration_band_start_days[i]));
    }
  }
  if (!(hazard_prior_child_years > 0) || !std::isfinite(hazard_prior_child_years)) {
    throw std::invalid_argument("CalibrationOptions::hazard_prior_child_years must be above 0, is " +
                                std::to_string(hazard_prior_child_years));
  }
  if (!(time_in_care_prior_events > 0) || !std::isfinite(time_in_care_prior_events)) {
    throw std::invalid_argument("CalibrationOptions::time_in_care_prior_events must be above 0, is " +
                                std::to_string(time_in_care_prior_events));
  }
  if (!(share_prior_events > 0) || !std::isfinite(share_prior_events)) {
    throw std::invalid_argument("CalibrationOptions::share_prior_events must be above 0, is " +
                                std::to_string(share_prior_events));
  }
  if (!(entry_prior_entries_per_band >= 0) || !std::isfinite(entry_prior_entries_per_band)) {
    throw std::invalid_argument("CalibrationOptions::entry_prior_entries_per_band must be 0 or more, is " +
                                std::to_string(entry_prior_entries_per_band));
  }
  if (!(half_life_years >= 0) || !std::isfinite(half_life_years)) {
    throw std::invalid_argument("CalibrationOptions::half_life_years must be 0 (no weighting) or more, is " +
                                std::to_string(half_life_years));
  }
  if (!in_range(*find_scenario_range("entries.trend_damping_per_year"), trend_damping_per_year)) {
    throw std::invalid_argument("CalibrationOptions::trend_damping_per_year must be from 0.01 to 1 (as a scenario's), is " +
                                std::to_string(trend_damping_per_year));
  }
  for (const double x : {entries_prior_sd_log, exits_prior_sd_log, moves_prior_sd_log, variation_prior_years,
                         autocorrelation_prior_pairs}) {
    if (!(x >= 0) || !std::isfinite(x)) throw std::invalid_argument("CalibrationOptions: a variation prior is below 0");
  }
  if (!(autocorrelation_prior >= 0 && autocorrelation_prior < 1)) {
    throw std::invalid_argument("CalibrationOptions::autocorrelation_prior must be in [0, 1), is " +
                                std::to_string(autocorrelation_prior));
  }
  if (horizon_years < 1 || horizon_years > 10) {
    throw std::invalid_argument("CalibrationOptions::horizon_years must be 1 to 10, is " + std::to_string(horizon_years));
  }
}

void CalibrationReport::print(std::ostream& out) const {
  const auto old_flags = out.flags();
  const auto old_precision = out.precision();
  out << std::fixed << std::setprecision(1);
  out << "Calibration as of " << format_iso(as_of) << ": events and time at risk from " << format_iso(window_start)
      << " (" << window_years << " years); anything later is ignored\n";
  out << "  Placements: " << placements_used << " used, " << child_years_at_risk << " child-years at risk, "
      << placement_endings << " endings";
  if (placements_start_unknown > 0) {
    out << "; " << placements_start_unknown
        << " left out (first placements of periods begun before the data: time in placement unknown)";
  }
  out << '\n';
  out << "  Ending hazards: " << categories_estimated << " categories, " << hazard_cells << " cells, "
      << hazard_cells_with_data << " with data, " << hazard_cells_mostly_prior << " with under "
      << options.hazard_prior_child_years << " child-years"
      << (pooling_note.empty() ? " (shrunk mostly to their category's pooled rate)\n"
                               : " (before pooling; pooled, every cell is shrunk towards the region's rate as the "
                                 "pooling note says)\n");
  out << "  Entries: " << static_cast<double>(entries) / window_years << " a year (" << entries << " children, "
      << sibling_groups << " sibling groups of 2 or more); UASC " << static_cast<double>(uasc_entries) / window_years
      << " a year (" << uasc_entries << ")\n";
  print_trend(out, "entries", entry_trend, options.include_trend);
  print_trend(out, "UASC entries", uasc_trend, options.include_trend);
  if (options.include_trend) {
    out << "  Trend damping: " << std::setprecision(2) << options.trend_damping_per_year
        << " a year (1 = undamped)\n" << std::setprecision(1);
  }
  if (options.half_life_years > 0) {
    out << "  Recency weighting: half-life " << options.half_life_years << " years; effective "
        << weighted_child_years_at_risk << " child-years at risk, " << weighted_placement_endings
        << " placement endings, " << weighted_entries << " entries\n";
  } else {
    out << "  Recency weighting: none (every day of the window counts the same)\n";
  }
  if (variation.estimated) {
    out << std::setprecision(3) << "  Year-to-year variation (sd of log multipliers a year, innovation): entries "
        << variation.entries.innovation_sd << ", exits " << variation.exits.innovation_sd << ", moves "
        << variation.moves.innovation_sd << "; autocorrelation " << variation.autocorrelation
        << "; entry trend's slope sd widened x" << variation.slope_sd_inflation << " for it\n"
        << std::setprecision(1);
    for (const auto& [name, process] : {std::pair{"entries", &variation.entries}, std::pair{"exits", &variation.exits},
                                        std::pair{"moves", &variation.moves}}) {
      if (process->uncapped_innovation_sd) {
        out << "  Capped: the " << name << " sd was estimated at " << fixed_decimals(*process->uncapped_innovation_sd, 3)
            << ", above the largest a scenario takes; check the early years of the returns (see the scenario's comments)\n";
      }
    }
  }
  if (time_in_care.estimated) {
    out << "  Time in care (months since care began: exit, move hazard multipliers; observed/expected endings):\n";
    const std::size_t bands = time_in_care.band_starts_months.size();
    for (std::size_t b = 0; b < bands; ++b) {
      out << "    " << time_in_care.band_starts_months[b]
          << (b + 1 < bands ? "-" + std::to_string(time_in_care.band_starts_months[b + 1]) : std::string("+")) << ": "
          << std::setprecision(2) << time_in_care.exit_multiplier[b] << ", " << time_in_care.move_multiplier[b]
          << std::setprecision(1) << " (exits " << time_in_care.observed_exits[b] << "/"
          << time_in_care.expected_exits[b] << ", moves " << time_in_care.observed_moves[b] << "/"
          << time_in_care.expected_moves[b] << ")\n";
    }
  }
  out << "  Re-entry: " << re_entries << " children came back into care after " << exits_home
      << " returns home or orders (" << re_entry_years_at_risk << " years at risk)\n";
  out << "  Leaving care at 18 from foster care: " << foster_exits_at_18 << ", of whom " << staying_put
      << " stayed put (E17)\n";
  out << "  Starting population: " << starting_children << " children looked after at the end of "
      << format_iso(as_of);
  if (in_care_aged_18_or_over > 0) out << " (" << in_care_aged_18_or_over << " aged 18 or over left out)";
  out << '\n';
  out.flags(old_flags);
  out.precision(old_precision);
}

struct CalibrationCounts::Data {
  Data(Date start, Date as_of, const std::vector<std::int32_t>& duration_band_start_days)
      : window_start(start), counter(start, as_of, duration_band_start_days), re_entry(start, as_of) {}
  Date window_start;
  HistoryCounter counter;
  ReEntryCounter re_entry;
  std::vector<StartingGroup> starting_groups;
};

CalibrationCounts::CalibrationCounts(const CareHistory& history, Date as_of,
                                     const std::vector<std::int32_t>& duration_band_start_days)
    : as_of_(as_of) {
  CalibrationOptions bands;
  bands.duration_band_start_days = duration_band_start_days;
  bands.validate();
  if (!history.first_date) throw std::invalid_argument("calibrate: the history holds no episode");
  const Date window_start = history.observed_from.value_or(*history.first_date);
  if (as_of < window_start) {
    throw std::invalid_argument("calibrate: the as-of date " + format_iso(as_of) + " is before the window starts (" +
                                format_iso(window_start) + ")");
  }
  data_ = std::make_unique<Data>(window_start, as_of, duration_band_start_days);
  for (const ChildHistory& child : history.children) {
    data_->counter.count(child);
    data_->re_entry.count(child);
  }
  // Never the children themselves: groups of at least kMinimumStartingGroupSize in whole months
  // (starting_groups.hpp), drawn into children afresh by every replication.
  data_->starting_groups = group_starting_children(data_->counter.starting_children());
}

CalibrationCounts::~CalibrationCounts() = default;
CalibrationCounts::CalibrationCounts(CalibrationCounts&&) noexcept = default;

Scenario calibrate(const CalibrationCounts& counts, const CalibrationOptions& options, CalibrationReport& report) {
  options.validate();
  const CalibrationCounts::Data& data = *counts.data_;
  if (options.duration_band_start_days != data.counter.placements().duration_band_start_days) {
    throw std::invalid_argument("calibrate: the options' duration bands differ from the counts'");
  }
  const Date as_of = counts.as_of();
  const Date window_start = data.window_start;
  report = CalibrationReport{};
  report.options = options;
  report.window_start = window_start;
  report.as_of = as_of;
  report.window_years = years_of(start_of(next_day(as_of)) - start_of(window_start));
  const HistoryCounter& counter = data.counter;
  counter.fill(report);

  Scenario scenario;
  scenario.name = "calibrated to " + format_iso(as_of);
  scenario.description = "Estimated from SSDA903 history from " + format_iso(window_start) + " to " +
                         format_iso(as_of) + " by carecast calibrate";
  scenario.origin = as_of;
  scenario.horizon_years = options.horizon_years;
  scenario.duration_band_start_days = options.duration_band_start_days;
  scenario.evidence = RateEvidence{};
  estimate_placements(counter.placements(), options, scenario, report);
  estimate_entries(counter, options, scenario, report);
  if (options.estimate_variation) estimate_variation(counter, options, scenario, report);
  scenario.staying_put_probability =
      report.foster_exits_at_18 > 0
          ? static_cast<double>(report.staying_put) / static_cast<double>(report.foster_exits_at_18)
          : 0;
  scenario.re_entry = data.re_entry.estimate(options.half_life_years, options.hazard_prior_child_years);
  report.exits_home = data.re_entry.exits_home();
  report.re_entries = data.re_entry.re_entries();
  report.re_entry_years_at_risk = data.re_entry.years_at_risk();
  scenario.starting_groups = data.starting_groups;
  return scenario;
}

Scenario calibrate(const CareHistory& history, Date as_of, const CalibrationOptions& options,
                   CalibrationReport& report) {
  options.validate();
  return calibrate(CalibrationCounts(history, as_of, options.duration_band_start_days), options, report);
}

Scenario calibrate(const CareHistory& history, Date as_of, const CalibrationOptions& options) {
  CalibrationReport report;
  return calibrate(history, as_of, options, report);
}

}  // namespace carecast
