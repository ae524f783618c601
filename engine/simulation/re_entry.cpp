// Re-entry into care: its timing (draw_re_entry_time) and the runner's handling of a child who
// leaves for home or a child arrangements order and of one who comes back.
#include "simulation/re_entry.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <cmath>

#include "simulation/compiled_model.hpp"
#include "simulation/replication.hpp"

namespace carecast {

std::optional<double> draw_re_entry_time(const ReEntry& re_entry, const std::array<double, kAgeBandCount>& birthday_time,
                                         double left_at, double from, double limit, StreamEngine& draws) {
  double remaining = boost::random::exponential_distribution<double>(1.0)(draws);
  limit = std::min(limit, birthday_time[kAgeBandCount - 1]);
  const int last_band = re_entry.band_count() - 1;
  int since_band = 0;
  int age_band = 0;
  double t = std::max(left_at, from);
  while (age_band < kAgeBandCount - 1 && birthday_time[static_cast<std::size_t>(age_band)] <= t) ++age_band;
  while (since_band < last_band && left_at + re_entry.band_start_days(since_band + 1) <= t) ++since_band;
  while (t < limit) {
    double next = limit;
    if (age_band < kAgeBandCount - 1) next = std::min(next, birthday_time[static_cast<std::size_t>(age_band)]);
    if (since_band < last_band) next = std::min(next, left_at + re_entry.band_start_days(since_band + 1));
    const double rate =
        re_entry.hazard_per_year[static_cast<std::size_t>(age_band)][static_cast<std::size_t>(since_band)] / kDaysPerYear;
    const double exposure = rate * (next - t);
    if (exposure > 0 && exposure >= remaining) return t + remaining / rate;
    remaining -= exposure;
    t = next;
    while (age_band < kAgeBandCount - 1 && birthday_time[static_cast<std::size_t>(age_band)] <= t) ++age_band;
    while (since_band < last_band && left_at + re_entry.band_start_days(since_band + 1) <= t) ++since_band;
  }
  return std::nullopt;
}

// On leaving for home or a child arrangements order: whether and when the child comes back, drawn
// once from the child's own stream. A child who will come back keeps its slot (and so its history);
// its generation moves on, so that any event of the period of care just ended is stale.
bool ReplicationRunner::schedule_re_entry(std::uint32_t index, ExitReason reason, double now) {
  const ReEntry& re_entry = scenario_.re_entry;
  if (!re_entry.enabled() || !may_re_enter_after(reason)) return false;
  ChildState& child = children_[index];
  // The stream is the child's own and goes on from one period of care to the next, so a child who
  // leaves more than once meets a new chance each time.
  if (child.periods_of_care == 1) {
    child.re_entry_stream =
        StreamEngine(id_.seed, id_.replication, entity_id(child.entity_kind, child.entity), Process::re_entry);
  }
  const std::optional<double> when =
      draw_re_entry_time(re_entry, child.birthday_time, now, now, model_->horizon_time, child.re_entry_stream);
  if (!when) return false;
  child.left_care_at = now;
  queue_.push(Event{*when, EventKind::re_enters, child.admission, ++child.generation, index});
  return true;
}

// Children who left care for home or by an order before the origin: each draws, from its own
// re-entry stream, its date of birth uniformly in its age band at the origin, its time since leaving
// uniformly in its band (the open last band up to its birth), its sex as the band's first entries',
// and when (if ever) it comes back given that it had not by the origin. One who comes back before the
// horizon takes a slot, out of care, with one re_enters event; re_enter then handles it as any child
// coming back. Placements since 1 April carry over as for a leaver: it had one this collection year
// if it left since the latest 1 April.
void ReplicationRunner::start_left_before_origin(ReplicationIdentity id) {
  const ReEntry& re_entry = scenario_.re_entry;
  if (!re_entry.enabled() || !re_entry.has_left_before_origin()) return;
  const std::chrono::year_month_day origin{model_->origin};
  std::chrono::year_month_day april{origin.year(), std::chrono::April, std::chrono::day{1}};
  if (std::chrono::sys_days{april} > model_->origin) april = {origin.year() - std::chrono::years{1}, std::chrono::April, std::chrono::day{1}};
  const double latest_april_first = days_between(model_->origin, std::chrono::sys_days{april}) - 1.0;
  std::uint32_t entity = 0;
  for (int band = 0; band < kAgeBandCount; ++band) {
    const std::vector<std::int32_t>& counts = re_entry.left_before_origin[static_cast<std::size_t>(band)];
    const PerSex<double>& entries = scenario_.entries.expected_per_year[static_cast<std::size_t>(band)];
    const double entries_in_band = entries[static_cast<int>(Sex::male)] + entries[static_cast<int>(Sex::female)];
    const double female_share = entries_in_band > 0 ? entries[static_cast<int>(Sex::female)] / entries_in_band : 0.5;
    for (int since = 0; since < static_cast<int>(counts.size()); ++since) {
      for (std::int32_t k = 0; k < counts[static_cast<std::size_t>(since)]; ++k) {
        const std::uint32_t this_entity = entity++;
        StreamEngine draws(id.seed, id.replication, entity_id(EntityKind::left_care_before_origin, this_entity),
                           Process::re_entry);
        ChildState child;
        const Date dob = draw_birth_date(model_->origin, band, draws);
        child.birthday_time = birthday_times(model_->origin, dob);
        child.birth_time = days_between(model_->origin, dob) - 1.0;
        const double shortest = re_entry.band_start_days(since);
        const double longest = std::max(
            shortest, since + 1 < re_entry.band_count() ? std::min(re_entry.band_start_days(since + 1), -child.birth_time)
                                                        : -child.birth_time);
        const double left_at = -(shortest + (longest - shortest) * uniform_open01(draws));
        child.sex = uniform_open01(draws) < female_share ? Sex::female : Sex::male;
        const std::optional<double> when =
            draw_re_entry_time(re_entry, child.birthday_time, left_at, 0.0, model_->horizon_time, draws);
        if (!when) continue;
        child.entity = this_entity;
        child.entity_kind = EntityKind::left_care_before_origin;
        child.left_care_at = left_at;
        child.placements_this_year = left_at > latest_april_first ? 1 : 0;
        child.re_entry_stream = draws;
        child.duration_stream = StreamEngine(id.seed, id.replication, entity_id(child.entity_kind, this_entity),
                                             Process::placement_duration);
        child.destination_stream = StreamEngine(id.seed, id.replication, entity_id(child.entity_kind, this_entity),
                                                Process::placement_destination);
        const std::uint32_t index = take_slot(child);
        ChildState& dormant = children_[index];
        dormant.in_care = false;
        dormant.admission = static_cast<std::uint32_t>(stats_.children_simulated++);
        open_child_streams(dormant);
        queue_.push(Event{*when, EventKind::re_enters, dormant.admission, ++dormant.generation, index});
      }
    }
  }
}

// A new period of care for a child looked after before: counted once among entries, as a re-entry.
// Its placements since 1 April carry over when it left care since the latest 1 April, as the DfE
// counts placements in the collection year; its time in care (for the long-term measure) restarts.
void ReplicationRunner::re_enter(std::uint32_t index, double now) {
  ChildState& child = children_[index];
  ++child.periods_of_care;
  child.care_start = now;
  child.placements_in_care = 0;
  child.step_down_attempts = 0;
  if (child.left_care_at > latest_april_first_) {
    count_new_placement(child);
  } else {
    child.placements_this_year = 1;
  }
  child.in_care = true;
  child.in_care_slot = static_cast<std::uint32_t>(in_care_.size());
  in_care_.push_back(index);
  if (child.uasc) ++uasc_stock_;
  if (needs_.enabled()) {
    child.needs_assessed = now;
    child.needs_level = needs_.level_at_entry(child.age_band_at(now), child.needs_stream);
  }
  ++flow(layout_.entries_all);
  ++flow(layout_.entries_re_entry);
  ++stats_.child_events;
  // The first placement is drawn as a first entry's would be at the child's age now, from the
  // child's re-entry stream.
  const CompiledEntryStream& stream = child.uasc ? model_->uasc : model_->entries;
  const int band = child.age_band_at(now);
  const CumulativeTable<kCategoryCount>& first_placement = stream.first_placement[static_cast<std::size_t>(band)];
  const double draw = uniform_open01(child.re_entry_stream);
  // A band the stream gives no first placements for: back to the kind of placement the child left.
  const Category wanted =
      first_placement.cumulative.back() > 0 ? static_cast<Category>(first_placement.pick(draw)) : child.category;
  place(index, wanted, now);
  if (observer_ != nullptr) observer_->admitted(index, children_[index], now, false);
}

// Of the children who came into care in each financial year ending at a 31 March (from the origin,
// for the first), the percentage who had been looked after before.
void ReplicationRunner::record_repeat_entries() {
  const auto width = static_cast<std::size_t>(layout_.measure_count());
  std::int64_t entries = 0;
  std::int64_t re_entries = 0;
  for (int d = 1; d < calendar_.date_count(); ++d) {
    const std::size_t row = static_cast<std::size_t>(d) * row_width_;
    entries += tally_[row + static_cast<std::size_t>(layout_.entries_all)];
    re_entries += tally_[row + static_cast<std::size_t>(layout_.entries_re_entry)];
    const std::chrono::year_month_day date{calendar_.dates[static_cast<std::size_t>(d)]};
    if (date.month() != std::chrono::March || date.day() != std::chrono::day{31}) continue;
    if (entries > 0) {
      measures_[static_cast<std::size_t>(d) * width + static_cast<std::size_t>(layout_.repeat_entry_percent)] =
          100.0 * static_cast<double>(re_entries) / static_cast<double>(entries);
    }
    entries = re_entries = 0;
  }
}

}  // namespace carecast
