#include "simulation/replication.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <stdexcept>

#include "simulation/starting_counts_draw.hpp"
#include "simulation/starting_groups_draw.hpp"

namespace carecast {
namespace {

double exponential1(StreamEngine& engine) { return boost::random::exponential_distribution<double>(1.0)(engine); }

}  // namespace

// Clock time at which a child born on `dob` reaches each age-band boundary: the start of the
// birthday, which is the end of the day before. The birthday at age n is the same month and day n
// years on, 29 February falling on 1 March in common years (see add_years). Counting years from
// 1 March, a month and day is the same number of days into every year, and 29 February in a common
// year is the day after its 28th, which is 1 March: so each birthday is n years of 365 days after
// the day of birth, and a day more for each 29 February that ends a year passed. One conversion
// of the date of birth instead of one a birthday (a child is set up at every entry); checked
// against the calendar for every date of birth from 1900 to 2100 (birthday_times_test.cpp).
std::array<double, kAgeBandCount> birthday_times(Date origin, Date dob) {
  using namespace std::chrono;
  const year_month_day born{dob};
  // Years counted from 1 March: January and February belong to the year before.
  const int march_year = static_cast<int>(born.year()) - (born.month() <= February ? 1 : 0);
  auto leap_years_through = [](int year) { return year / 4 - year / 100 + year / 400; };  // year >= 0
  const double born_at = days_between(origin, dob);
  std::array<double, kAgeBandCount> times{};
  for (int b = 0; b < kAgeBandCount; ++b) {
    const int n = kAgeBandStartYears[b + 1];
    // Of the n years passed (counted from 1 March), those that end with a 29 February: the years
    // before the leap years march_year + 1 to march_year + n.
    const int leap_days = leap_years_through(march_year + n) - leap_years_through(march_year);
    times[b] = born_at + 365.0 * n + leap_days - 1.0;
  }
  return times;
}

// A date of birth uniformly among those that make a child of `band` on `date`: after the day
// they would be too old, up to the day they would be too young.
Date draw_birth_date(Date date, int band, StreamEngine& engine) {
  const Date earliest = add_years(date, -kAgeBandStartYears[band + 1]) + std::chrono::days{1};
  const Date latest = add_years(date, -kAgeBandStartYears[band]);
  const int span = static_cast<int>((latest - earliest).count());
  return earliest + std::chrono::days{boost::random::uniform_int_distribution<int>(0, span)(engine)};
}

ReplicationRunner::ReplicationRunner(const Scenario& scenario, const CompiledModel& model, const TallyLayout& layout,
                                     const ReportingCalendar& calendar)
    : scenario_(scenario),
      model_(&model),
      layout_(layout),
      calendar_(calendar),
      row_width_(static_cast<std::size_t>(layout.cell_count())),
      vary_by_year_(scenario.variation.any()) {
  if (scenario.supply.enabled != (layout.carer_households >= 0)) {
    throw std::invalid_argument(
        "the tally layout must be built for the scenario's supply: TallyLayout(&scenario.supply)");
  }
  if (scenario.starting_counts) starting_counts_drawer_.emplace(*scenario.starting_counts, scenario.origin);
  // Reporting dates and 1 April year starts, in clock order; at equal times the 31 March
  // snapshot comes before the new collection year's reset.
  for (int d = 0; d < calendar_.date_count(); ++d) marks_.push_back({calendar_.times[d], MarkKind::reporting_date, d});
  for (Date april : april_firsts_after(model_->origin, calendar_.dates.back())) {
    marks_.push_back({days_between(model_->origin, april) - 1.0, MarkKind::april_first, -1});
  }
  std::sort(marks_.begin(), marks_.end(), [](const CalendarMark& a, const CalendarMark& b) {
    return a.time != b.time ? a.time < b.time : a.kind < b.kind;
  });
}

// A child who has left care has no event left that is not stale, so without an observer (which
// numbers children by their slot) its slot is given to the next child: the table of children then
// grows with the children in care at once, not with every child of the run, and stays in cache
// longer. The slot's generations go on from the leaver's, so the leaver's stale events stay stale.
std::uint32_t ReplicationRunner::take_slot(const ChildState& child) {
  std::uint32_t index = 0;
  if (!free_slots_.empty() && observer_ == nullptr) {
    index = free_slots_.back();
    free_slots_.pop_back();
    const std::uint32_t generation = children_[index].generation;
    children_[index] = child;
    children_[index].generation = generation;
  } else {
    index = static_cast<std::uint32_t>(children_.size());
    children_.push_back(child);
  }
  return index;
}

// The child's own streams for its placements' costs and locations and its needs.
void ReplicationRunner::open_child_streams(ChildState& child) const {
  const EntityStreams streams(id_.seed, id_.replication, entity_id(child.entity_kind, child.entity));
  child.cost_stream = streams(Process::placement_cost);
  if (locations_.enabled()) child.location_stream = streams(Process::placement_location);
  if (needs_.enabled()) child.needs_stream = streams(Process::child_needs);
}

std::uint32_t ReplicationRunner::add_child(const ChildState& child) {
  const std::uint32_t index = take_slot(child);
  ChildState& added = children_[index];
  added.admission = static_cast<std::uint32_t>(stats_.children_simulated);
  added.in_care = true;
  added.in_care_slot = static_cast<std::uint32_t>(in_care_.size());
  open_child_streams(added);
  if (needs_.enabled()) {
    added.needs_assessed = std::max(added.care_start, 0.0);
    added.needs_level = needs_.level_at_entry(added.age_band_at(added.needs_assessed), added.needs_stream);
  }
  in_care_.push_back(index);
  if (added.uasc) ++uasc_stock_;
  ++stats_.children_simulated;
  return index;
}

void ReplicationRunner::start_placement(std::uint32_t index, const PlaceHandle& place, double now) {
  ChildState& child = children_[index];
  child.previous_placement_start = child.placements_in_care > 0 ? child.placement_start : now;
  ++child.placements_in_care;
  child.category = place.category;
  child.place = place;
  if (scenario_.supply.enabled) list_at_place(index);
  child.placement_start = now;
  price_placement(index);
  ++stock_[static_cast<int>(place.category)];
  locate_placement(index);
  count_needs_arrival(index);
  schedule_placement_end(index, now);
}

// The current placement's cost a day: its category's weekly cost, or the price its market asks
// (supply's price rises, a region's shared market and framework price), times the needs level's
// multiplier; a specialist step-down carer's weekly cost for a step-down place. The cost ledger
// applies the category's lognormal factor. One uniform is drawn from the child's own cost stream
// for every placement, whatever its category, so a child's k-th placement meets the same chance
// under every option.
void ReplicationRunner::price_placement(std::uint32_t index) {
  ChildState& child = children_[index];
  const Costs& costs = scenario_.costs;
  if (!costs.enabled) return;
  const double u = uniform_open01(child.cost_stream);
  const int c = static_cast<int>(child.category);
  double weekly = costs.weekly[c];
  if (scenario_.supply.enabled) weekly = market_.weekly_price(child.place, weekly, child.placement_start);
  // A region's shared place: the region's price for the part, and its framework price.
  if (child.place.area >= 0) weekly = shared_->weekly_price(child.place.category, costs.weekly[c], child.placement_start);
  if (needs_.enabled()) weekly *= needs_.cost_multiplier(child.needs_level);
  bool varies = costs.coefficient_of_variation[c] > 0;
  child.cost_category = static_cast<std::uint8_t>(c);
  if (child.place.step_down && scenario_.supply.step_down) {
    weekly = scenario_.supply.step_down->weekly_cost;
    varies = false;
    child.cost_category = static_cast<std::uint8_t>(CostCategory::step_down_specialist);
  }
  child.cost_per_day = ledger_.day_cost(c, weekly, varies, u);
}

// Samples when the current placement ends by walking the piecewise-constant hazard across
// time-in-placement and age bands until the integrated hazard reaches an Exp(1) draw. If the 18th
// birthday comes first, care ends then. Nothing is scheduled beyond the horizon.
void ReplicationRunner::schedule_placement_end(std::uint32_t index, double now) {
  ChildState& child = children_[index];
  const auto category = child.category;
  const std::uint32_t generation = ++child.generation;
  double remaining = exponential1(child.duration_stream);
  const double end_of_care = child.birthday_time[kAgeBandCount - 1];
  const double limit = std::min(end_of_care, model_->horizon_time);
  const int last_duration_band = model_->duration_band_count - 1;
  int band = child.age_band_at(now);
  int duration_band = 0;
  while (duration_band < last_duration_band &&
         child.placement_start + model_->duration_band_start[duration_band + 1] <= now) {
    ++duration_band;
  }
  // With year-to-year variation the hazard is also piecewise constant by year: the walk breaks at
  // each year's end, where the hazard's scale changes. With a time-in-care effect it breaks where
  // the child's time in care enters a new band.
  const bool yearly = varies_endings();
  int year = yearly ? variation_.year_at(now) : 0;
  const bool by_care = model_->varies_with_time_in_care();
  const int last_care_band = model_->care_band_count() - 1;
  int care_band = by_care ? model_->care_band_at(child.care_start, now) : 0;
  double t = now;
  while (t < limit) {
    double next = limit;
    if (band < kAgeBandCount - 1) next = std::min(next, child.birthday_time[band]);
    if (duration_band < last_duration_band) {
      next = std::min(next, child.placement_start + model_->duration_band_start[duration_band + 1]);
    }
    if (care_band < last_care_band) {
      next = std::min(next, child.care_start + model_->care_band_start[static_cast<std::size_t>(care_band) + 1]);
    }
    double rate = model_->hazard(static_cast<int>(category), band, duration_band);
    if (yearly) {
      if (year + 1 < variation_.years()) next = std::min(next, variation_.year_start(year + 1));
      rate *= variation_.hazard_scale(year, static_cast<int>(category), band, care_band);
    } else if (by_care) {
      rate *= model_->care_hazard_scale[model_->care_cell(static_cast<int>(category), band, care_band)];
    }
    const double exposure = rate * (next - t);
    if (exposure > 0 && exposure >= remaining) {
      child.placement_end = t + remaining / rate;
      queue_.push(Event{child.placement_end, EventKind::placement_ends, child.admission, generation, index});
      consider_step_down(index, now);
      return;
    }
    remaining -= exposure;
    t = next;
    while (band < kAgeBandCount - 1 && child.birthday_time[band] <= t) ++band;
    while (duration_band < last_duration_band &&
           child.placement_start + model_->duration_band_start[duration_band + 1] <= t) {
      ++duration_band;
    }
    if (yearly && year + 1 < variation_.years() && variation_.year_start(year + 1) <= t) ++year;
    while (care_band < last_care_band &&
           child.care_start + model_->care_band_start[static_cast<std::size_t>(care_band) + 1] <= t) {
      ++care_band;
    }
  }
  child.placement_end = end_of_care;
  if (end_of_care <= model_->horizon_time) {
    queue_.push(Event{end_of_care, EventKind::turns_18, child.admission, generation, index});
  }
  consider_step_down(index, now);
}

void ReplicationRunner::leave_care(std::uint32_t index, ExitReason reason, double now) {
  ChildState& child = children_[index];
  tally_stay_by_age_band(child, now);
  end_current_placement(index, now);
  ledger_.book_care_days(child.care_start, now);
  if (reason == ExitReason::adoption) ledger_.book_one_off(CostCategory::adoption_fee, scenario_.costs.adoption_fee, month_);
  if (follows_care_leavers()) {
    care_leavers_.young_person_left_care(
        YoungPersonLeaving{now, child.birth_time, child.care_start, entity_id(child.entity_kind, child.entity),
                           child.category, reason, child.earlier_days_since_14},
        queue_);
  }
  child.in_care = false;
  if (child.uasc) --uasc_stock_;
  // Swap-remove from the list of children in care.
  const std::uint32_t moved = in_care_.back();
  in_care_[child.in_care_slot] = moved;
  children_[moved].in_care_slot = child.in_care_slot;
  in_care_.pop_back();
  // A child who will come back into care keeps its slot and history.
  const bool comes_back = schedule_re_entry(index, reason, now);
  if (comes_back && follows_care_leavers()) {
    child.earlier_days_since_14 += care_leavers_.days_looked_after_since_14(child.birth_time, child.care_start, now);
  }
  if (observer_ != nullptr) {
    observer_->left_care(index, child, reason, now);
  } else if (!comes_back) {
    free_slots_.push_back(index);
  }
  ++flow(layout_.exits_all);
  ++flow(layout_.exits_by_reason + static_cast<int>(reason));
}

void ReplicationRunner::end_placement(std::uint32_t index, double now) {
  ChildState& child = children_[index];
  const int band = child.age_band_at(now);
  const int from = static_cast<int>(child.category);
  // The ending's year, and the child's time in care, decide how exits and moves are weighted.
  const int care_band = model_->varies_with_time_in_care() ? model_->care_band_at(child.care_start, now) : 0;
  const CumulativeTable<kOutcomeCount>& destination =
      varies_endings()                     ? variation_.destination(variation_.year_at(now), from, band, care_band)
      : model_->varies_with_time_in_care() ? model_->care_destination[model_->care_cell(from, band, care_band)]
                                           : model_->destination[from][band];
  int outcome = destination.pick(uniform_open01(child.destination_stream));
  // An unaccompanied asylum-seeking child has no parent in this country to be placed with: the draw
  // is taken again, so that the other destinations keep their proportions. A cell that leads
  // almost only there keeps the placement going.
  constexpr int kMostRedraws = 16;
  for (int redraw = 0; child.uasc && outcome == static_cast<int>(Category::placed_with_parents); ++redraw) {
    if (redraw == kMostRedraws) {
      schedule_placement_end(index, now);
      return;
    }
    outcome = destination.pick(uniform_open01(child.destination_stream));
  }
  if (outcome_is_exit(outcome)) {
    leave_care(index, static_cast<ExitReason>(outcome - kCategoryCount), now);
    return;
  }
  // Mockingbird support keeps some placements that would have broken down: a move from a member
  // household happens only with the scenario's probability; otherwise the placement goes on.
  if (child.place.category == Category::foster_in_house && child.place.index >= 0 &&
      pool_.household(child.place.index).mockingbird &&
      uniform_open01(child.destination_stream) >= scenario_.supply.mockingbird_move_multiplier) {
    schedule_placement_end(index, now);
    return;
  }
  end_current_placement(index, now);
  count_new_placement(child);
  ++flow(layout_.moves_all);
  ++flow(layout_.moves_by_category + from);
  place(index, static_cast<Category>(outcome), now);
  if (observer_ != nullptr) observer_->placement_changed(index, children_[index], static_cast<Category>(from), now);
}

void ReplicationRunner::end_current_placement(std::uint32_t index, double now) {
  ChildState& child = children_[index];
  ledger_.book_stay(child.cost_category, child.cost_per_day, child.placement_start, now);
  --stock_[static_cast<int>(child.category)];
  if (locations_.enabled()) locations_.leave(child.location);
  if (needs_.enabled()) needs_.leave(child.needs_level, child.unmet_need);
  child.unmet_need = false;
  if (scenario_.supply.enabled) {
    unlist_from_place(index);
    pool_.release(child.place);
    leave_if_last_child(child.place, now);
  }
  child.place = PlaceHandle{};
}

void ReplicationRunner::move(std::uint32_t index, Category wanted, double now) {
  ChildState& child = children_[index];
  const Category from = child.category;
  end_current_placement(index, now);
  count_new_placement(child);
  ++flow(layout_.moves_all);
  ++flow(layout_.moves_by_category + static_cast<int>(from));
  place(index, wanted, now);
  if (observer_ != nullptr) observer_->placement_changed(index, children_[index], from, now);
}

// Entries a rate per 10,000 children: each year's population multiplier times the year's systemic
// one, when entries vary (both mean what CompiledEntryStream::next_arrival's multipliers mean).
void ReplicationRunner::tie_entry_multipliers_to_population() {
  const std::vector<double>& population = model_->entries.population_multiplier_by_year;
  entry_year_multiplier_.assign(population.begin(), population.end());
  if (population.empty() || !vary_by_year_ || scenario_.variation.entries_sd_log_per_year <= 0) return;
  const std::span<const double> systemic = variation_.entry_multipliers();
  for (std::size_t year = 0; year < entry_year_multiplier_.size() && !systemic.empty(); ++year) {
    entry_year_multiplier_[year] *= systemic[std::min(year, systemic.size() - 1)];
  }
}

// The national transfer scheme: a UASC arriving while the UASC looked after number at least the
// year's threshold is transferred to another council, so is never looked after here.
bool ReplicationRunner::uasc_cap_reached(double now) const {
  const std::vector<double>& cap = model_->uasc_cap_by_year;
  if (cap.empty()) return false;
  const auto year = std::min(static_cast<std::size_t>(std::max(now, 0.0) / kDaysPerYear), cap.size() - 1);
  return uasc_stock_ >= cap[year];
}

void ReplicationRunner::schedule_next_arrival(StreamEngine& arrivals, const CompiledEntryStream& stream, EventKind kind,
                                              double now) {
  if (!stream.active()) return;
  const std::span<const double> multipliers =
      &stream == &model_->entries && !entry_year_multiplier_.empty() ? std::span<const double>(entry_year_multiplier_)
      : vary_by_year_ && scenario_.variation.entries_sd_log_per_year > 0 ? variation_.entry_multipliers()
                                                                         : std::span<const double>();
  const double next = stream.next_arrival(now, arrivals, multipliers, model_->horizon_time);
  if (next <= model_->horizon_time) queue_.push(Event{next, kind, 0});
}

// A group of children entering care together. The lead child's attribute stream gives the group
// size and one uniform draw shared by the siblings for their first placement; each child maps it
// through its own age band's probabilities, so same-band siblings are placed in the same category.
// With finite supply, siblings who want in-house foster care are placed in one household when one
// can take them all, and counted as separated otherwise.
void ReplicationRunner::admit_group(ReplicationIdentity id, double now, EntityKind kind) {
  const bool uasc = kind != EntityKind::entering_child;
  const CompiledEntryStream& stream = uasc ? model_->uasc : model_->entries;
  std::uint32_t& next_child = kind == EntityKind::entering_child ? next_entering_child_
                              : kind == EntityKind::uasc_child   ? next_uasc_child_
                                                                 : next_transferred_uasc_;
  StreamEngine lead(id.seed, id.replication, entity_id(kind, next_child), Process::child_attributes);
  const int size = stream.group_size.pick(uniform_open01(lead)) + 1;  // UASC streams have groups of 1
  const double shared_placement_draw = uniform_open01(lead);
  // Edge-of-care work avoids a share of entries. The avoided group keeps its children's
  // identities, so every later child is the same child as in the scenario without the option.
  if (uasc && uasc_cap_reached(now)) {
    next_child += static_cast<std::uint32_t>(size);
    return;
  }
  if (kind == EntityKind::entering_child && !scenario_.options.entry_reduction.empty() &&
      uniform_open01(entry_thinning_) < ramp_total(scenario_.options.entry_reduction, now)) {
    next_child += static_cast<std::uint32_t>(size);
    return;
  }
  const std::uint32_t group = size > 1 ? ++next_sibling_group_ : 0;
  const Date today = model_->origin + std::chrono::days{static_cast<int>(std::ceil(now))};

  std::array<std::uint32_t, CompiledModel::kMaxGroupSize> members{};
  std::array<Category, CompiledModel::kMaxGroupSize> wanted{};
  for (int k = 0; k < size; ++k) {
    const std::uint32_t entity = next_child++;
    const EntityStreams streams(id.seed, id.replication, entity_id(kind, entity));
    StreamEngine attributes = k == 0 ? lead : streams(Process::child_attributes);
    const int band_and_sex = stream.age_band_and_sex_at(now).pick(uniform_open01(attributes));
    const int band = band_and_sex / kSexCount;
    ChildState child;
    child.sex = static_cast<Sex>(band_and_sex % kSexCount);
    const Date dob = draw_birth_date(today, band, attributes);
    child.birthday_time = birthday_times(model_->origin, dob);
    child.birth_time = days_between(model_->origin, dob) - 1.0;
    child.care_start = now;
    child.placements_this_year = 1;
    child.uasc = uasc;
    child.sibling_group = group;
    child.entity = entity;
    child.entity_kind = kind;
    child.duration_stream = streams(Process::placement_duration);
    child.destination_stream = streams(Process::placement_destination);
    members[k] = add_child(child);
    wanted[k] = static_cast<Category>(stream.first_placement[band].pick(shared_placement_draw));
    ++flow(layout_.entries_all);
    ++flow(layout_.entries_by_category + static_cast<int>(wanted[k]));
    ++stats_.child_events;
  }

  // Siblings who all want in-house foster care go to one household that can take them together.
  int siblings_wanting_in_house = 0;
  std::array<int, CompiledModel::kMaxGroupSize> ages{};
  NeedsLevel highest_needs = NeedsLevel::standard;  // their household must be approved for each of them
  for (int k = 0; k < size; ++k) {
    if (seeks_household(wanted[k])) {
      ages[siblings_wanting_in_house++] = children_[members[k]].age_years_at(now);
      highest_needs = std::max(highest_needs, children_[members[k]].needs_level);
    }
  }
  std::optional<PlaceHandle> together;
  if (siblings_wanting_in_house > 1) {
    together = market_.match_household(
        pool_, std::span<const int>(ages.data(), static_cast<std::size_t>(siblings_wanting_in_house)), now,
        match_draws_, highest_needs);
  }
  std::optional<PlaceHandle> first_in_house;
  bool separated = false;
  for (int k = 0; k < size; ++k) {
    if (together && seeks_household(wanted[k])) {
      start_placement(members[k], *together, now);
    } else {
      place(members[k], wanted[k], now);
      if (siblings_wanting_in_house > 1 && seeks_household(wanted[k])) {
        const PlaceHandle& got = children_[members[k]].place;
        if (!first_in_house) {
          first_in_house = got;
        } else if (got.category != first_in_house->category || got.index != first_in_house->index || got.index < 0) {
          separated = true;
        }
      }
    }
    if (observer_ != nullptr) observer_->admitted(members[k], children_[members[k]], now, false);
  }
  if (separated) ++flow(layout_.siblings_separated);
}

void ReplicationRunner::start_population(ReplicationIdentity id) {
  auto admit_starting = [&](ChildState child, std::uint32_t entity) {
    child.entity = entity;
    child.entity_kind = EntityKind::starting_child;
    const EntityStreams streams(id.seed, id.replication, entity_id(EntityKind::starting_child, entity));
    child.duration_stream = streams(Process::placement_duration);
    child.destination_stream = streams(Process::placement_destination);
    const std::uint32_t index = add_child(child);
    ChildState& added = children_[index];
    added.place = PlaceHandle{added.category};
    if (scenario_.supply.enabled) {
      // A child whose kind of place is full at the origin (too few carers for the starting
      // population) starts a new placement in a fallback, against preference.
      const int age = added.age_years_at(0.0);
      added.place = find_place(added.category, std::span<const int>(&age, 1), 0.0, true, index);
      list_at_place(index);
      if (added.place.category != added.category) {
        added.category = added.place.category;
        added.placement_start = 0.0;
      }
    }
    // Known only for a child placed for adoption after another placement (the DfE long-term measure
    // counts the two together); otherwise the placement before is not needed.
    added.previous_placement_start = std::min(added.previous_placement_start, added.placement_start);
    added.placements_in_care = 1;
    price_placement(index);
    ++stock_[static_cast<int>(added.category)];
    locate_placement(index);
    count_needs_arrival(index);
    if (observer_ != nullptr) observer_->admitted(index, added, 0.0, true);
    schedule_placement_end(index, 0.0);  // the placement may have begun before the origin
  };

  std::uint32_t entity = 0;
  auto admit_record = [&](const StartingChild& record) {
    ChildState child;
    child.sex = record.sex;
    child.uasc = record.uasc;
    const Date dob = model_->origin - std::chrono::days{record.age_days};
    child.birthday_time = birthday_times(model_->origin, dob);
    child.birth_time = days_between(model_->origin, dob) - 1.0;
    child.placement_start = -record.days_in_placement;
    child.care_start = -record.days_in_care;
    child.previous_placement_start = -std::max(record.days_in_placement, record.days_since_previous_placement);
    child.placements_this_year = static_cast<std::uint16_t>(record.placements_since_april);
    child.category = record.category;
    admit_starting(child, entity++);
  };
  for (const StartingChild& record : scenario_.starting_children) admit_record(record);
  // Grouped children: each drawn within its group's months on its own stream, so the same child
  // has the same days under every scenario option.
  for (const StartingGroup& group : scenario_.starting_groups) {
    for (int n = 0; n < group.children; ++n) {
      StreamEngine draws(id.seed, id.replication, entity_id(EntityKind::starting_child, entity),
                         Process::starting_population);
      admit_record(draw_group_child(group, n, model_->origin, draws));
    }
  }
  if (!scenario_.starting_counts) return;

  const StartingCounts& counts = *scenario_.starting_counts;
  const StartingCountsDrawer& drawer = *starting_counts_drawer_;
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int band = 0; band < kAgeBandCount; ++band) {
      for (int s = 0; s < kSexCount; ++s) {
        for (int n = 0; n < counts.count[c][band][s]; ++n) {
          StreamEngine draws(id.seed, id.replication, entity_id(EntityKind::starting_child, entity),
                             Process::starting_population);
          admit_record(drawer.draw(c, band, s, n, model_->origin, draws));
        }
      }
    }
  }
}

// A child is counted at reporting date k if in care at that instant, in the age band reached by
// then. Entries, exits and birthdays at the very instant of a snapshot come after it (a birthday
// starts the day after a month end), so each counts from the first date after it.
void ReplicationRunner::tally_stay_by_age_band(const ChildState& child, double leaves_at) {
  // The starting population is in care at the origin snapshot, even a child who came into care
  // (or was born) on the origin date itself.
  const int first = child.care_start <= 0 ? 0 : reporting_days_.first_after(child.care_start);
  const int end = reporting_days_.first_after(leaves_at);  // one past the last date counted
  if (first >= end) return;
  int band_start = first;
  for (int band = 0; band < kAgeBandCount; ++band) {
    const int band_end =
        band < kAgeBandCount - 1 ? std::clamp(reporting_days_.first_after(child.birthday_time[band]), band_start, end) : end;
    if (band_end > band_start) {
      ++age_band_changes_[band_start][band];
      --age_band_changes_[band_end][band];
    }
    band_start = band_end;
  }
  // Care must have ended by the 18th birthday: no reporting date after it may count the child.
  if (end > reporting_days_.first_after(child.birthday_time[kAgeBandCount - 1])) ++stats_.children_in_care_aged_18_or_over;
}

void ReplicationRunner::record_snapshot(int date_index) {
  std::int32_t* row = tally_.data() + static_cast<std::size_t>(date_index) * row_width_;
  std::int32_t total = 0;
  for (int c = 0; c < kCategoryCount; ++c) {
    row[layout_.stock_by_category + c] = stock_[c];
    total += stock_[c];
  }
  row[layout_.stock_all] = total;
  row[layout_.uasc_stock] = uasc_stock_;
  if (follows_care_leavers()) {
    row[layout_.care_leavers_all] = care_leavers_.count_all();
    for (int s = 0; s < kCareLeaverStatusCount; ++s) {
      row[layout_.care_leavers_by_status + s] = care_leavers_.count(static_cast<CareLeaverStatus>(s));
    }
    for (int b = 0; b < kCareLeaverAgeBandCount; ++b) {
      row[layout_.care_leavers_by_age_band + b] = care_leavers_.count_in_age_band(b);
    }
    row[layout_.staying_put] = care_leavers_.count(CareLeaverStatus::staying_put);
  }
  if (!scenario_.supply.enabled) return;
  const double now = calendar_.times[date_index];
  row[layout_.carer_households] = pool_.active_households();
  row[layout_.unregistered_placements] = pool_.unregistered();
  for (int r = 0; r < kResourceCount; ++r) {
    if (layout_.places_available[r] < 0) continue;
    const int available = pool_.available(static_cast<Resource>(r), now);
    const int occupied = pool_.occupied(static_cast<Resource>(r));
    row[layout_.places_available[r]] = available;
    row[layout_.places_occupied[r]] = occupied;
    if (occupied > available) ++stats_.capacity_exceeded;
  }
  record_locations(date_index, total);
  record_needs(date_index);
}

ReplicationStats ReplicationRunner::run(ReplicationIdentity id, std::span<std::int32_t> tally,
                                        std::span<double> measures) {
  queue_ = CouncilQueue(own_queue_);
  own_queue_.reset(model_->horizon_time);
  begin(id, tally, measures);
  // A mark is handled before any event at the same instant: a snapshot at the end of a day sees
  // the state before birthdays that start the next day.
  for (const CalendarMark& mark : marks_) {
    while (!own_queue_.empty() && own_queue_.top().time < mark.time) {
      const Event event = own_queue_.pop();
      // At England's size a child is rarely in cache when its event comes: fetch a coming one's now.
      if (const Event* coming = own_queue_.ahead(kFetchAhead)) prefetch(*coming);
      handle(event);
    }
    pass_mark(mark);
  }
  return finish();
}

void ReplicationRunner::begin(ReplicationIdentity id, std::span<std::int32_t> tally, std::span<double> measures) {
  children_.clear();
  free_slots_.clear();
  in_care_.clear();
  age_band_changes_.assign(static_cast<std::size_t>(calendar_.date_count()) + 1, PerAgeBand<std::int32_t>{});
  stock_.fill(0);
  locations_.clear();
  needs_.clear();
  uasc_stock_ = 0;
  next_entering_child_ = next_uasc_child_ = next_sibling_group_ = 0;
  latest_april_first_ = -1e300;
  stats_ = ReplicationStats{};
  tally_ = tally;
  std::fill(tally_.begin(), tally_.end(), 0);
  month_ = 1;

  id_ = id;
  measures_ = measures;
  std::fill(measures_.begin(), measures_.end(), NAN);
  ledger_.begin(model_->horizon_time, !measures_.empty());
  household_since_.clear();
  if (vary_by_year_) {
    // Drawn before anything else uses the tables, on the replication's own stream.
    const std::uint64_t seed = id.variation_seed.value_or(id.seed);
    StreamEngine systemic(seed, id.replication, entity_id(EntityKind::replication, 3), Process::systemic_variation);
    StreamEngine drift(seed, id.replication, entity_id(EntityKind::replication, 3), Process::systemic_drift);
    variation_.draw(scenario_.variation, *model_, systemic, drift);
  }
  tie_entry_multipliers_to_population();
  if (scenario_.supply.enabled || !scenario_.options.entry_reduction.empty() ||
      !scenario_.options.extra_uasc_per_year.empty()) {
    start_supply(id);
  }
  if (follows_care_leavers()) {
    care_leavers_.start(id.seed, id.replication, model_->horizon_time, queue_,
                        scenario_.costs.enabled ? &care_leaver_costs_ : nullptr, &model_->care_leavers);
  }
  start_population(id);
  start_left_before_origin(id);
  entry_arrivals_ =
      StreamEngine(id.seed, id.replication, entity_id(EntityKind::replication, 0), Process::entry_arrivals);
  uasc_arrivals_ =
      StreamEngine(id.seed, id.replication, entity_id(EntityKind::replication, 1), Process::entry_arrivals);
  schedule_next_arrival(entry_arrivals_, model_->entries, EventKind::group_arrives, 0.0);
  schedule_next_arrival(uasc_arrivals_, model_->uasc, EventKind::uasc_arrives, 0.0);
}

void ReplicationRunner::handle(const Event& event) {
  const bool about_a_child = event.kind == EventKind::placement_ends || event.kind == EventKind::turns_18 ||
                             event.kind == EventKind::step_down || event.kind == EventKind::step_down_breaks_down ||
                             event.kind == EventKind::re_enters;
  if (about_a_child && event.generation != children_[event.slot].generation) return;  // stale
  switch (event.kind) {
    case EventKind::placement_ends:
      ++stats_.child_events;
      end_placement(event.slot, event.time);
      break;
    case EventKind::turns_18: {
      ++stats_.child_events;
      const ChildState& child = children_[event.slot];
      StreamEngine leaving(id_.seed, id_.replication, entity_id(child.entity_kind, child.entity),
                           Process::leaving_at_18);
      const bool stays_put = is_foster(child.category) && uniform_open01(leaving) < model_->staying_put_probability;
      leave_care(event.slot, stays_put ? ExitReason::staying_put : ExitReason::aged_18, event.time);
      break;
    }
    case EventKind::group_arrives:
      admit_group(id_, event.time, EntityKind::entering_child);
      schedule_next_arrival(entry_arrivals_, model_->entries, EventKind::group_arrives, event.time);
      break;
    case EventKind::uasc_arrives:
      admit_group(id_, event.time, EntityKind::uasc_child);
      schedule_next_arrival(uasc_arrivals_, model_->uasc, EventKind::uasc_arrives, event.time);
      break;
    case EventKind::care_leaver_changes: care_leavers_.handle(event, queue_); break;
    case EventKind::re_enters: re_enter(event.slot, event.time); break;
    default: handle_supply_event(event); break;
  }
}

void ReplicationRunner::pass_mark(const CalendarMark& mark) {
  if (mark.kind == MarkKind::reporting_date) {
    record_snapshot(mark.date_index);
    record_stability(mark.date_index);
    month_ = mark.date_index + 1;
  } else {
    for (std::uint32_t index : in_care_) children_[index].placements_this_year = 1;
    latest_april_first_ = mark.time;
  }
}

ReplicationStats ReplicationRunner::finish() {
  // Children still in care at the horizon are counted to the last reporting date.
  for (std::uint32_t index : in_care_) tally_stay_by_age_band(children_[index], model_->horizon_time + 1);
  finish_measures();
  PerAgeBand<std::int32_t> running{};
  for (int d = 0; d < calendar_.date_count(); ++d) {
    for (int b = 0; b < kAgeBandCount; ++b) {
      running[b] += age_band_changes_[d][b];
      tally_[static_cast<std::size_t>(d) * row_width_ + layout_.stock_by_age_band + b] = running[b];
    }
  }
  return stats_;
}

}  // namespace carecast
