#include "simulation/care_leavers.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>

#include "simulation/compiled_model.hpp"

namespace carecast {

bool eligible_for_leaving_care(double care_start, double leaves_at, double birthday_14, double birthday_16,
                               double earlier_days_since_14) {
  if (leaves_at <= birthday_16) return false;  // never looked after on or after the 16th birthday
  const double days_since_14 = leaves_at - std::max(care_start, birthday_14) + earlier_days_since_14;
  return days_since_14 >= kLeavingCareQualifyingDays;
}

CareLeavers::CareLeavers(const CareLeaverSettings& settings, Date origin) : settings_(settings), origin_(origin) {
  use_rates(settings);
}

void CareLeavers::use_rates(const CareLeaverSettings& rates) {
  rates_ = &rates;
  for (int from = 0; from < kCareLeaverStatusCount; ++from) {
    double total = 0;
    for (int to = 0; to < kCareLeaverStatusCount; ++to) total += rates.hazard_per_year[from][to];
    leaving_rate_per_day_[from] = total / kDaysPerYear;
  }
}

void CareLeavers::start(std::uint64_t seed, std::uint64_t replication, double horizon_time, CouncilQueue queue,
                        CareLeaverCostBook* costs, const CareLeaverSettings* rates) {
  use_rates(rates != nullptr ? *rates : settings_);
  seed_ = seed;
  replication_ = replication;
  horizon_time_ = horizon_time;
  costs_ = costs;
  next_serial_ = 0;
  leavers_.clear();
  free_slots_.clear();
  for (auto& by_band : counts_) by_band.fill(0);

  // Care leavers at the origin: an age uniform within the band (18 to 20: from the 18th birthday
  // to the day before the 21st), on the young person's own stream. One in the 21 to 25 band has
  // already chosen support after 21. One living independently has had the setting-up-home
  // allowance; a bursary already paid is not counted.
  std::uint32_t entity = 0;
  for (int status = 0; status < kCareLeaverStatusCount; ++status) {
    for (int band = 0; band < kCareLeaverAgeBandCount; ++band) {
      const int oldest_years = band == 0 ? 21 : 25;
      const int youngest_years = band == 0 ? 18 : 21;
      for (int n = 0; n < settings_.starting_count[static_cast<std::size_t>(status)][static_cast<std::size_t>(band)];
           ++n) {
        Leaver leaver;
        leaver.stream = StreamEngine(seed, replication, entity_id(EntityKind::starting_care_leaver, entity++),
                                     Process::care_leaver);
        const Date earliest = add_years(origin_, -oldest_years) + std::chrono::days{1};
        const Date latest = add_years(origin_, -youngest_years);
        const int span = static_cast<int>((latest - earliest).count());
        const Date born = earliest + std::chrono::days{
                                         boost::random::uniform_int_distribution<int>(0, span)(leaver.stream)};
        const double birth_time = days_between(origin_, born) - 1.0;
        const double declines_support = uniform_open01(leaver.stream);
        leaver.birthday_21 = birthday(birth_time, 21);
        leaver.support_ends = band == 0 && declines_support < rates_->support_ends_at_21_probability
                                  ? leaver.birthday_21
                                  : birthday(birth_time, 25);
        leaver.status = static_cast<CareLeaverStatus>(status);
        leaver.age_band = static_cast<std::uint8_t>(band);
        leaver.has_set_up_home = leaver.status == CareLeaverStatus::independent;
        leaver.serial = next_serial_++;
        const std::uint32_t index = add(leaver);
        begin_status(leavers_[index], 0.0);
        schedule(index, 0.0, queue);
      }
    }
  }
}

void CareLeavers::finish() {
  if (costs_ == nullptr) return;
  for (Leaver& leaver : leavers_) {
    if (leaver.supported) end_status(leaver, horizon_time_);
  }
}

std::uint32_t CareLeavers::add(const Leaver& leaver) {
  if (free_slots_.empty()) {
    leavers_.push_back(leaver);
    return static_cast<std::uint32_t>(leavers_.size() - 1);
  }
  const std::uint32_t index = free_slots_.back();
  free_slots_.pop_back();
  leavers_[index] = leaver;
  return index;
}

double CareLeavers::per_day_cost(CareLeaverStatus status) const {
  return settings_.weekly_cost[static_cast<std::size_t>(status)] / 7.0 + settings_.personal_adviser_per_year / kDaysPerYear;
}

void CareLeavers::begin_status(Leaver& leaver, double now) {
  leaver.supported = true;
  leaver.status_since = now;
  add_to_counts(leaver, +1);
  if (leaver.status == CareLeaverStatus::independent && !leaver.has_set_up_home) {
    leaver.has_set_up_home = true;
    if (costs_ != nullptr) costs_->book_one_off(settings_.setting_up_home_allowance, now);
  }
}

void CareLeavers::end_status(Leaver& leaver, double now) {
  leaver.supported = false;
  add_to_counts(leaver, -1);
  if (costs_ != nullptr) costs_->book_stay(per_day_cost(leaver.status), leaver.status_since, now);
}

// The start of the birthday, as the clock counts birthdays (a 29 February birthday falls on
// 1 March in common years).
double CareLeavers::birthday(double birth_time, int years) const {
  const Date born = origin_ + std::chrono::days{static_cast<int>(birth_time) + 1};
  return days_between(origin_, add_years(born, years)) - 1.0;
}

double CareLeavers::days_looked_after_since_14(double birth_time, double care_start, double left_at) const {
  return std::max(0.0, left_at - std::max(care_start, birthday(birth_time, 14)));
}

CareLeaverStatus CareLeavers::first_status(double u) const {
  double cumulative = 0;
  int last_possible = static_cast<int>(CareLeaverStatus::independent);
  for (int s = 0; s < kCareLeaverStatusCount; ++s) {
    const double p = rates_->first_status_probability[static_cast<std::size_t>(s)];
    if (p <= 0) continue;
    last_possible = s;
    cumulative += p;
    if (u < cumulative) return static_cast<CareLeaverStatus>(s);
  }
  return static_cast<CareLeaverStatus>(last_possible);  // rounding of a sum of 1
}

CareLeaverStatus CareLeavers::destination(CareLeaverStatus from, double u) const {
  const auto& row = rates_->hazard_per_year[static_cast<std::size_t>(from)];
  double total = 0;
  for (double h : row) total += h;
  if (total <= 0) return CareLeaverStatus::independent;
  const double target = u * total;
  double cumulative = 0;
  int last_possible = 0;
  for (int to = 0; to < kCareLeaverStatusCount; ++to) {
    if (row[static_cast<std::size_t>(to)] <= 0) continue;
    last_possible = to;
    cumulative += row[static_cast<std::size_t>(to)];
    if (target < cumulative) return static_cast<CareLeaverStatus>(to);
  }
  return static_cast<CareLeaverStatus>(last_possible);
}

bool CareLeavers::young_person_left_care(const YoungPersonLeaving& person, CouncilQueue queue) {
  const bool at_18 = person.reason == ExitReason::aged_18 || person.reason == ExitReason::staying_put;
  // A young person who returns to their family, is adopted or leaves by an order is not a care
  // leaver; one who leaves to live independently, or for another reason, is if eligible.
  const bool may_be_relevant = person.reason == ExitReason::independent_living || person.reason == ExitReason::other;
  if (!at_18 && !may_be_relevant) return false;
  if (!eligible_for_leaving_care(person.care_start, person.leaves_at, birthday(person.birth_time, 14),
                                 birthday(person.birth_time, 16), person.earlier_days_since_14)) {
    return false;
  }
  const double joins_at = at_18 ? person.leaves_at : birthday(person.birth_time, 18);
  if (joins_at > horizon_time_) return false;

  Leaver leaver;
  leaver.stream = StreamEngine(seed_, replication_, person.entity, Process::care_leaver);
  // Four uniforms for every young person, whatever they decide, so that each draw means the
  // same thing under every scenario option.
  const double declines_support = uniform_open01(leaver.stream);
  const double stays_close = uniform_open01(leaver.stream);
  const double first = uniform_open01(leaver.stream);
  leaver.bursary = uniform_open01(leaver.stream) < rates_->higher_education_probability;
  leaver.birthday_21 = birthday(person.birth_time, 21);
  leaver.support_ends = declines_support < rates_->support_ends_at_21_probability
                            ? leaver.birthday_21
                            : birthday(person.birth_time, 25);
  const bool from_childrens_home = person.last_placement == Category::childrens_home_in_house ||
                                   person.last_placement == Category::childrens_home_external;
  if (person.reason == ExitReason::staying_put) {
    leaver.status = CareLeaverStatus::staying_put;
  } else if (at_18 && from_childrens_home && stays_close < rates_->staying_close_probability) {
    leaver.status = CareLeaverStatus::staying_close;
  } else {
    leaver.status = first_status(first);
  }
  leaver.serial = next_serial_++;
  leaver.next = Next::joins;

  const std::uint32_t index = add(leaver);
  if (at_18) {
    join(index, joins_at, queue);
  } else {
    queue.push(Event{joins_at, EventKind::care_leaver_changes, leaver.serial, 0, index});
  }
  return true;
}

// The care leaver's next event: a move at their status's hazard, unless their 21st birthday (in
// the 18 to 20 band) or the end of their support comes first. Nothing beyond the horizon.
void CareLeavers::schedule(std::uint32_t index, double now, CouncilQueue queue) {
  Leaver& leaver = leavers_[index];
  double next = leaver.age_band == 0 ? leaver.birthday_21 : leaver.support_ends;
  leaver.next = leaver.age_band == 0 ? Next::turns_21 : Next::support_ends;
  const double rate = leaving_rate_per_day_[static_cast<std::size_t>(leaver.status)];
  const double wait = boost::random::exponential_distribution<double>(1.0)(leaver.stream);
  if (rate > 0 && now + wait / rate < next) {
    next = now + wait / rate;
    leaver.next = Next::moves;
  }
  if (next <= horizon_time_) queue.push(Event{next, EventKind::care_leaver_changes, leaver.serial, 0, index});
}

void CareLeavers::join(std::uint32_t index, double now, CouncilQueue queue) {
  Leaver& leaver = leavers_[index];
  begin_status(leaver, now);
  if (leaver.bursary && costs_ != nullptr) costs_->book_one_off(settings_.higher_education_bursary, now);
  schedule(index, now, queue);
}

void CareLeavers::handle(const Event& event, CouncilQueue queue) {
  const std::uint32_t index = event.slot;
  Leaver& leaver = leavers_[index];
  switch (leaver.next) {
    case Next::joins:
      join(index, event.time, queue);
      return;
    case Next::moves:
      end_status(leaver, event.time);
      leaver.status = destination(leaver.status, uniform_open01(leaver.stream));
      begin_status(leaver, event.time);
      break;
    case Next::turns_21:
      end_status(leaver, event.time);
      if (leaver.support_ends <= leaver.birthday_21) {
        free_slots_.push_back(index);
        return;
      }
      leaver.age_band = 1;
      if (leaver.status == CareLeaverStatus::staying_put) {
        leaver.status = destination(leaver.status, uniform_open01(leaver.stream));
      }
      begin_status(leaver, event.time);
      break;
    case Next::support_ends:
      end_status(leaver, event.time);
      free_slots_.push_back(index);
      return;
  }
  schedule(index, event.time, queue);
}

std::int32_t CareLeavers::count(CareLeaverStatus status) const {
  const auto& by_band = counts_[static_cast<std::size_t>(status)];
  return by_band[0] + by_band[1];
}

std::int32_t CareLeavers::count_in_age_band(int band) const {
  std::int32_t total = 0;
  for (const auto& by_band : counts_) total += by_band[static_cast<std::size_t>(band)];
  return total;
}

}  // namespace carecast
