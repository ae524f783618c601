// The supply side of a replication: matching children to places, carer households joining and
// leaving, Mockingbird constellations, in-house homes, residential step-down, and the
// commissioning options that change entries. Members of ReplicationRunner, kept apart from the
// core event loop in replication.cpp because none of it runs without finite supply or options.
#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <stdexcept>

#include "simulation/replication.hpp"

namespace carecast {
namespace {


double exponential1(StreamEngine& engine) { return boost::random::exponential_distribution<double>(1.0)(engine); }

// Index drawn from (unnormalised) weights by inversion; `weight_of(i)` is the ith weight.
template <typename WeightOf>
std::size_t pick(std::size_t count, WeightOf weight_of, double u) {
  double total = 0;
  for (std::size_t i = 0; i < count; ++i) total += weight_of(i);
  double running = 0;
  for (std::size_t i = 0; i < count; ++i) {
    running += weight_of(i);
    if (u * total < running) return i;
  }
  return count - 1;
}
std::size_t pick(const std::vector<double>& weights, double u) {
  return pick(weights.size(), [&](std::size_t i) { return weights[i]; }, u);
}

// The highest rate a set of ramps reaches: thinning draws candidates at this rate. Ramp values
// are validated as non-negative.
double ramp_peak(const std::vector<Ramp>& ramps) {
  double peak = 0;
  for (const Ramp& ramp : ramps) peak += ramp.full_value;
  return peak;
}

bool is_residential(Category c) {
  return c == Category::childrens_home_external || c == Category::childrens_home_in_house;
}

}  // namespace

double ReplicationRunner::ramp_total(const std::vector<Ramp>& ramps, double now) const {
  double total = 0;
  for (const Ramp& ramp : ramps) {
    const double start = days_between(model_->origin, ramp.start) - 1.0;  // start of its first day
    if (now < start) continue;
    if (ramp.end && now >= days_between(model_->origin, *ramp.end) - 1.0) continue;  // over
    const double ramp_days = days_between(ramp.start, ramp.full);
    total += ramp_days <= 0 ? ramp.full_value : ramp.full_value * std::min(1.0, (now - start) / ramp_days);
  }
  return total;
}

void ReplicationRunner::place(std::uint32_t index, Category wanted, double now) {
  if (!scenario_.supply.enabled) {
    start_placement(index, PlaceHandle{wanted}, now);
    return;
  }
  const int age = children_[index].age_years_at(now);
  start_placement(index, find_place(wanted, std::span<const int>(&age, 1), now, false, index), now);
}

PlaceHandle ReplicationRunner::find_place(Category wanted, std::span<const int> ages_years, double now,
                                          bool already_placed, std::uint32_t seeker) {
  std::optional<PlacementMarket::NeedsSearch> needs;
  if (needs_.enabled() && seeker != kNoChild) {
    reassess_needs(seeker, now);
    ChildState& child = children_[seeker];
    needs = PlacementMarket::NeedsSearch{child.needs_level, &needs_, &child.needs_stream};
  }
  const PlacementMarket::Found found = market_.find(pool_, wanted, ages_years, now, already_placed, market_draws_,
                                                    match_draws_, needs ? &*needs : nullptr);
  if (needs) children_[seeker].unmet_need = found.unmet_need;
  if (found.against_preference) {
    const auto children = static_cast<std::int32_t>(ages_years.size());
    flow(layout_.unmet_preference_all) += children;
    flow(layout_.unmet_preference_by_category + static_cast<int>(wanted)) += children;
  }
  return found.place;
}

void ReplicationRunner::start_supply(ReplicationIdentity id) {
  const Supply& supply = scenario_.supply;
  auto replication_stream = [&](std::uint32_t which, Process process) {
    return StreamEngine(id.seed, id.replication, entity_id(EntityKind::replication, which), process);
  };
  household_draws_ = replication_stream(10, Process::households);
  enquiry_arrivals_ = replication_stream(11, Process::households);
  specialist_arrivals_ = replication_stream(12, Process::households);
  entry_thinning_ = replication_stream(13, Process::entry_thinning);
  uasc_transfer_arrivals_ = replication_stream(14, Process::entry_arrivals);
  campaign_arrivals_ = replication_stream(15, Process::households);
  market_draws_ = replication_stream(16, Process::placement_market);
  match_draws_ = replication_stream(17, Process::placement_market);
  household_streams_.clear();
  place_slots_.clear();
  household_slots_.clear();
  home_slots_.clear();
  for (const InHouseHome& home : supply.homes) {
    home_slots_.push_back(static_cast<std::uint32_t>(place_slots_.size()));
    place_slots_.insert(place_slots_.end(), static_cast<std::size_t>(std::max(home.beds, 0)), kNoChild);
  }
  next_possible_member_ = 0;
  next_household_ = 0;
  next_transferred_uasc_ = 0;
  mockingbird_members_ = 0;
  schedule_uasc_transfer(0.0);
  pool_.reset(supply);
  if (!supply.enabled) return;

  std::vector<std::pair<double, double>> home_times;
  for (std::size_t home = 0; home < supply.homes.size(); ++home) {
    const InHouseHome& h = supply.homes[home];
    const double closes = h.closes ? days_between(model_->origin, *h.closes) - 1.0 : INFINITY;
    home_times.emplace_back(days_between(model_->origin, h.opens) - 1.0, closes);
    if (closes <= model_->horizon_time) {
      queue_.push(Event{std::max(closes, 0.0), EventKind::home_closes, static_cast<std::uint32_t>(home)});
    }
  }
  pool_.set_home_times(std::move(home_times));

  mockingbird_members_wanted_ = supply.mockingbird_constellations * supply.households_per_constellation;
  for (int h = 0; h < supply.in_house_households; ++h) add_household(id, 0.0, true);
  // The recruitment pipeline is already running at the origin: enquiries made in the months
  // before it are approved in the months after. (The first enquiry time drawn at or after the
  // origin is set aside, and the origin's enquiries drawn afresh from 0, as they always have been.)
  const double pipeline_days = (supply.application_lag_months + supply.approval_lag_months) * kDaysPerMonth;
  queue_enquiry_approvals(-pipeline_days, 0.0);
  queue_enquiry_approvals(0.0, model_->horizon_time);
  schedule_campaign_enquiry(0.0);
  if (supply.step_down) {
    schedule_specialist_approval(std::max(0.0, days_between(model_->origin, supply.step_down->starts) - 1.0));
  }
  const auto& extra = scenario_.options.extra_constellations;
  for (std::size_t i = 0; i < extra.size(); ++i) {
    const double at = std::max(0.0, days_between(model_->origin, extra[i].first) - 1.0);
    if (at <= model_->horizon_time) queue_.push(Event{at, EventKind::constellations_added, static_cast<std::uint32_t>(i)});
  }
}

void ReplicationRunner::add_household(ReplicationIdentity id, double now, bool starting) {
  const Supply& supply = scenario_.supply;
  const std::uint32_t number = next_household_++;
  StreamEngine stream(id.seed, id.replication, entity_id(EntityKind::household, number), Process::households);
  Household household;
  household.places = static_cast<std::uint8_t>(pick(supply.places_per_household_probability, uniform_open01(stream)) + 1);
  // Read in place: a household approved mid-run must not allocate.
  const ApprovalRange& range = supply.approval_ranges[pick(
      supply.approval_ranges.size(), [&](std::size_t i) { return supply.approval_ranges[i].probability; },
      uniform_open01(stream))];
  household.min_age_years = static_cast<std::uint8_t>(range.min_age_years);
  household.max_age_years = static_cast<std::uint8_t>(range.max_age_years);
  household.takes_sibling_groups = uniform_open01(stream) < supply.takes_sibling_groups_probability;
  household.mockingbird = mockingbird_members_ < mockingbird_members_wanted_;
  if (household.mockingbird) ++mockingbird_members_;
  if (locations_.enabled()) {
    // A stream of its own, so that where carers live changes none of the household's other draws.
    StreamEngine where(id.seed, id.replication, entity_id(EntityKind::household, number), Process::placement_location);
    household.location = locations_.household_band(where);
  }
  if (needs_.enabled()) {
    // Likewise the levels the carers are approved for.
    StreamEngine approval(id.seed, id.replication, entity_id(EntityKind::household, number), Process::child_needs);
    household.approved_up_to = needs_.household_approval(approval);
  }
  const std::int32_t index = pool_.add_household(household);
  household_streams_.push_back(stream);
  household_slots_.push_back(static_cast<std::uint32_t>(place_slots_.size()));
  place_slots_.insert(place_slots_.end(), household.places, kNoChild);
  household_since_.push_back(now);
  schedule_deregistration(index, now);
  if (!starting) {
    ++flow(layout_.approvals);
    ledger_.book_one_off(CostCategory::recruitment, scenario_.costs.recruitment_per_approval, month_);
  }
}

// Deregistration by thinning: candidate times at the base hazard, each kept with the chance the
// household's current multiplier gives (Mockingbird membership, retention work), so the hazard
// can change over time without re-drawing.
void ReplicationRunner::schedule_deregistration(std::int32_t household, double now) {
  const double per_day = scenario_.supply.deregistration_per_year / kDaysPerYear;
  if (per_day <= 0) return;
  const double at = now + exponential1(household_streams_[static_cast<std::size_t>(household)]) / per_day;
  if (at <= model_->horizon_time) {
    queue_.push(Event{at, EventKind::household_deregisters, static_cast<std::uint32_t>(household)});
  }
}

void ReplicationRunner::deregister(std::int32_t household, double now) {
  ++flow(layout_.deregistrations);
  ledger_.book_stay(static_cast<int>(CostCategory::carer_support),
                    scenario_.costs.carer_support_per_household_per_year / kDaysPerYear,
                    household_since_[static_cast<std::size_t>(household)], now);
  if (pool_.household(household).mockingbird) --mockingbird_members_;
  collect_placed_there(slots_of(PlaceHandle{Category::foster_in_house, household}));
  pool_.deregister(household);
  // Its children must move: placement moves caused by supply.
  for (std::uint32_t index : placed_there_) {
    ++flow(layout_.supply_moves);
    move(index, Category::foster_in_house, now);
  }
  add_constellations(0);  // a new approval may take the leaver's place in a constellation
}

// Carers who stop between children: when the last child placed with an in-house household leaves, the household
// leaves with the scenario's chance, drawn on its own stream (so scenarios without it draw nothing more).
void ReplicationRunner::leave_if_last_child(const PlaceHandle& place, double now) {
  const double chance = scenario_.supply.leaves_when_last_child_leaves_probability;
  if (chance <= 0 || place.category != Category::foster_in_house || place.index < 0 || place.step_down) return;
  const Household& household = pool_.household(place.index);
  if (!household.active || household.occupied > 0) return;
  if (uniform_open01(household_streams_[static_cast<std::size_t>(place.index)]) < chance) deregister(place.index, now);
}

// Fills constellations with the active households that are not yet members, in index order.
void ReplicationRunner::add_constellations(int constellations) {
  mockingbird_members_wanted_ += constellations * scenario_.supply.households_per_constellation;
  const auto households = static_cast<std::int32_t>(pool_.households().size());
  while (mockingbird_members_ < mockingbird_members_wanted_ && next_possible_member_ < households) {
    Household& household = pool_.household(next_possible_member_);
    if (household.active && !household.mockingbird) {
      household.mockingbird = true;
      ++mockingbird_members_;
    }
    ++next_possible_member_;  // a member, or deregistered: it can never join again
  }
}

// Enquiries arrive at the base rate from one stream, and a recruitment campaign's extra
// enquiries from another (thinned from the campaign's full rate as it ramps up), so the council's
// usual enquiries are the same with or without a campaign.
//
// The usual enquiries change nothing but the approvals they lead to, and draw from streams of
// their own (enquiry_arrivals_ for when, household_draws_ for whether each becomes an approval),
// so all of them to the horizon are drawn at the origin and only their approvals are queued: the
// same draws in the same order as an event for each enquiry, which were a fifth of a large
// council's events.
void ReplicationRunner::queue_enquiry_approvals(double from, double until) {
  const double per_year = scenario_.supply.enquiries_per_year;
  if (per_year <= 0) return;
  for (double at = from;;) {
    at += exponential1(enquiry_arrivals_) * kDaysPerYear / per_year;
    if (at >= until) return;
    queue_approval_if_converted(household_draws_, at);
  }
}

// An enquiry made at `at` becomes an application, then an approval, with the funnel's chances
// (drawn from `conversions`), and the household is approved after the two lags.
void ReplicationRunner::queue_approval_if_converted(StreamEngine& conversions, double at) {
  const Supply& supply = scenario_.supply;
  if (uniform_open01(conversions) >= supply.application_probability) return;
  if (uniform_open01(conversions) >= supply.approval_probability) return;
  const double approved = at + (supply.application_lag_months + supply.approval_lag_months) * kDaysPerMonth;
  if (approved >= 0 && approved <= model_->horizon_time) queue_.push(Event{approved, EventKind::household_approved, 0});
}

void ReplicationRunner::schedule_campaign_enquiry(double now) {
  const double highest = ramp_peak(scenario_.options.extra_enquiries_per_year);
  if (highest <= 0) return;
  const double at = now + exponential1(campaign_arrivals_) * kDaysPerYear / highest;
  if (at <= model_->horizon_time) queue_.push(Event{at, EventKind::enquiry, 1});
}

void ReplicationRunner::handle_campaign_enquiry(double now) {
  schedule_campaign_enquiry(now);
  const double highest = ramp_peak(scenario_.options.extra_enquiries_per_year);
  if (uniform_open01(campaign_arrivals_) * highest >= ramp_total(scenario_.options.extra_enquiries_per_year, now)) {
    return;  // thinned: the campaign has not reached this rate yet
  }
  queue_approval_if_converted(campaign_arrivals_, now);
}

void ReplicationRunner::schedule_specialist_approval(double now) {
  const double per_year = scenario_.supply.step_down->specialist_approvals_per_year;
  if (per_year <= 0) return;
  const double at = now + exponential1(specialist_arrivals_) * kDaysPerYear / per_year;
  if (at <= model_->horizon_time) queue_.push(Event{at, EventKind::specialist_approved, 0});
}

// A child in a children's home becomes eligible after the minimum stay, from the programme's
// start; the step-down clock competes with the placement's own ending.
void ReplicationRunner::consider_step_down(std::uint32_t index, double now) {
  const auto& programme = scenario_.supply.step_down;
  ChildState& child = children_[index];
  if (!scenario_.supply.enabled || !programme || !is_residential(child.category) || programme->hazard_per_year <= 0) {
    return;
  }
  const double eligible = std::max({now, child.placement_start + programme->minimum_stay_days,
                                    days_between(model_->origin, programme->starts) - 1.0});
  StreamEngine draws(splitmix64_mix(stream_key(id_.seed, id_.replication, entity_id(child.entity_kind, child.entity),
                                               Process::step_down) ^
                                    (static_cast<std::uint64_t>(child.generation) << 16 | child.step_down_attempts)));
  const double at = eligible + exponential1(draws) * kDaysPerYear / programme->hazard_per_year;
  if (at < child.placement_end && at <= model_->horizon_time) {
    queue_.push(Event{at, EventKind::step_down, child.admission, child.generation, index});
  }
}

void ReplicationRunner::step_down(std::uint32_t index, double now) {
  const StepDownProgramme& programme = *scenario_.supply.step_down;
  const std::optional<PlaceHandle> place = pool_.reserve_step_down();
  ChildState& child = children_[index];
  if (!place) {  // no specialist carer free: the child stays and may step down later
    ++child.step_down_attempts;
    consider_step_down(index, now);
    return;
  }
  const Category from = child.category;
  end_current_placement(index, now);
  count_new_placement(child);
  ++flow(layout_.moves_all);
  ++flow(layout_.moves_by_category + static_cast<int>(from));
  ++flow(layout_.step_downs);
  ledger_.book_one_off(CostCategory::step_down_package, scenario_.costs.step_down_package, month_);
  start_placement(index, *place, now);
  if (observer_ != nullptr) observer_->placement_changed(index, children_[index], from, now);

  // Breakdown in the first months returns the child to residential care.
  if (programme.breakdown_hazard_per_year <= 0) return;
  StreamEngine draws(splitmix64_mix(stream_key(id_.seed, id_.replication, entity_id(child.entity_kind, child.entity),
                                               Process::step_down) ^
                                    (static_cast<std::uint64_t>(child.generation) << 16 | 0xffffU)));
  const double breaks = now + exponential1(draws) * kDaysPerYear / programme.breakdown_hazard_per_year;
  if (breaks < now + programme.breakdown_months * kDaysPerMonth && breaks < child.placement_end &&
      breaks <= model_->horizon_time) {
    queue_.push(Event{breaks, EventKind::step_down_breaks_down, child.admission, child.generation, index});
  }
}

void ReplicationRunner::close_home(std::size_t home, double now) {
  collect_placed_there(slots_of(PlaceHandle{Category::childrens_home_in_house, static_cast<std::int32_t>(home)}));
  for (std::uint32_t index : placed_there_) {
    ++flow(layout_.supply_moves);
    move(index, Category::childrens_home_external, now);
  }
}

void ReplicationRunner::locate_placement(std::uint32_t index) {
  if (!locations_.enabled()) return;
  ChildState& child = children_[index];
  child.location = locations_.band_of(child.place, pool_, child.location_stream);
  // A region's shared place or joint home: the band between the child's council and the area it is in.
  if (child.place.area >= 0) child.location = shared_->band(council_, child.place.area);
  if (child.place.joint_home) child.location = shared_->band(council_, static_cast<int>(shared_->region().joint_home->host));
  locations_.arrive(child.location);
}

void ReplicationRunner::record_locations(int date_index, std::int32_t children_in_care) {
  if (!locations_.enabled()) return;
  std::int32_t* row = tally_.data() + static_cast<std::size_t>(date_index) * row_width_;
  row[layout_.placed_outside_council_count] = locations_.outside_council();
  row[layout_.placed_over_20_miles_count] = locations_.over_20_miles();
  if (measures_.empty() || children_in_care == 0) return;
  double* measured =
      measures_.data() + static_cast<std::size_t>(date_index) * static_cast<std::size_t>(layout_.measure_count());
  measured[layout_.placed_outside_council] = 100.0 * locations_.outside_council() / children_in_care;
  measured[layout_.placed_over_20_miles] = 100.0 * locations_.over_20_miles() / children_in_care;
}

void ReplicationRunner::reassess_needs(std::uint32_t index, double now) {
  ChildState& child = children_[index];
  if (now <= child.needs_assessed) return;
  child.needs_level = needs_.reassess(child.needs_level, child.needs_assessed, now, child.needs_stream);
  child.needs_assessed = now;
}

void ReplicationRunner::count_needs_arrival(std::uint32_t index) {
  if (!needs_.enabled()) return;
  const ChildState& child = children_[index];
  needs_.arrive(child.needs_level, child.unmet_need);
}

void ReplicationRunner::record_needs(int date_index) {
  if (!needs_.enabled()) return;
  std::int32_t* row = tally_.data() + static_cast<std::size_t>(date_index) * row_width_;
  row[layout_.unmet_need] = needs_.unmet();
  for (int level = 0; level < kNeedsLevelCount; ++level) {
    row[layout_.children_by_needs_level + level] = needs_.placed_at(static_cast<NeedsLevel>(level));
  }
}

std::span<std::uint32_t> ReplicationRunner::slots_of(const PlaceHandle& place) {
  if (place.index < 0 || place.step_down) return {};
  const auto index = static_cast<std::size_t>(place.index);
  if (place.category == Category::foster_in_house) {
    return {place_slots_.data() + household_slots_[index], pool_.household(place.index).places};
  }
  if (place.category == Category::childrens_home_in_house) {
    return {place_slots_.data() + home_slots_[index],
            static_cast<std::size_t>(std::max(scenario_.supply.homes[index].beds, 0))};
  }
  return {};
}

void ReplicationRunner::list_at_place(std::uint32_t index) {
  const std::span<std::uint32_t> slots = slots_of(children_[index].place);
  if (slots.empty()) return;
  const auto free = std::find(slots.begin(), slots.end(), kNoChild);
  if (free == slots.end()) throw std::logic_error("a household or home has more children than places");
  *free = index;
  children_[index].place_slot = static_cast<std::uint32_t>(&*free - place_slots_.data());
}

void ReplicationRunner::unlist_from_place(std::uint32_t index) {
  ChildState& child = children_[index];
  if (child.place_slot == kNoChild) return;
  place_slots_[child.place_slot] = kNoChild;
  child.place_slot = kNoChild;
}

// In the order of the list of children in care, as a scan of that list would find them: the
// order in which they are moved decides who gets which free place.
void ReplicationRunner::collect_placed_there(std::span<const std::uint32_t> slots) {
  placed_there_.clear();
  for (std::uint32_t index : slots) {
    if (index != kNoChild) placed_there_.push_back(index);
  }
  std::sort(placed_there_.begin(), placed_there_.end(), [&](std::uint32_t a, std::uint32_t b) {
    return children_[a].in_care_slot < children_[b].in_care_slot;
  });
}

void ReplicationRunner::schedule_uasc_transfer(double now) {
  const double highest = ramp_peak(scenario_.options.extra_uasc_per_year);
  if (highest <= 0) return;
  const double at = now + exponential1(uasc_transfer_arrivals_) * kDaysPerYear / highest;
  if (at <= model_->horizon_time) queue_.push(Event{at, EventKind::uasc_transfer_arrives, 0});
}

void ReplicationRunner::handle_supply_event(const Event& event) {
  switch (event.kind) {
    case EventKind::step_down:
      ++stats_.child_events;
      step_down(event.slot, event.time);
      break;
    case EventKind::step_down_breaks_down:
      ++stats_.child_events;
      ++flow(layout_.step_down_breakdowns);
      move(event.slot, Category::childrens_home_external, event.time);
      break;
    case EventKind::enquiry:  // only a campaign's: the usual enquiries are queued as approvals
      handle_campaign_enquiry(event.time);
      break;
    case EventKind::household_approved:
      add_household(id_, event.time, false);
      add_constellations(0);
      break;
    case EventKind::household_deregisters: {
      const auto household = static_cast<std::int32_t>(event.child);
      if (!pool_.household(household).active) break;
      double keep = 1.0 - ramp_total(scenario_.options.deregistration_reduction, event.time);
      if (pool_.household(household).mockingbird) keep *= scenario_.supply.mockingbird_deregistration_multiplier;
      if (uniform_open01(household_streams_[event.child]) < keep) {
        deregister(household, event.time);
      } else {
        schedule_deregistration(household, event.time);
      }
      break;
    }
    case EventKind::specialist_approved:
      pool_.add_step_down_places(1);
      schedule_specialist_approval(event.time);
      break;
    case EventKind::constellations_added:
      add_constellations(scenario_.options.extra_constellations[event.child].second);
      break;
    case EventKind::home_closes:
      close_home(event.child, event.time);
      break;
    case EventKind::uasc_transfer_arrives: {
      const double highest = ramp_peak(scenario_.options.extra_uasc_per_year);
      schedule_uasc_transfer(event.time);
      if (uniform_open01(uasc_transfer_arrivals_) * highest < ramp_total(scenario_.options.extra_uasc_per_year, event.time)) {
        admit_group(id_, event.time, EntityKind::transferred_uasc_child);
      }
      break;
    }
    default:
      break;
  }
}

}  // namespace carecast
