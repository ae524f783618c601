// One replication: every child looked after, from the origin to the horizon, as one stream of
// events in time order through one queue. Children will compete for carers and beds (supply), so
// every event of a replication is processed in global time order, never child by child.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"
#include "simulation/care_leavers.hpp"
#include "simulation/child_needs.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/cost_ledger.hpp"
#include "simulation/event_queue.hpp"
#include "simulation/huge_page_allocator.hpp"
#include "simulation/placement_location.hpp"
#include "simulation/placement_market.hpp"
#include "simulation/reporting_days.hpp"
#include "simulation/shared_market.hpp"
#include "simulation/starting_counts_draw.hpp"
#include "simulation/supply_pool.hpp"
#include "simulation/systemic_variation.hpp"
#include "tally/tally_layout.hpp"

namespace carecast {

struct ReplicationRates;

struct ReplicationIdentity {
  std::uint64_t seed = 0;
  std::uint64_t replication = 0;
  // The seed of the year-to-year variation's streams, when it is not `seed`'s: a region whose councils
  // share their uncertainty (Region::common_uncertainty) gives every council the run's own.
  std::optional<std::uint64_t> variation_seed;
};

struct ReplicationStats {
  std::uint64_t child_events = 0;  // entries, placement endings and 18th birthdays processed
  std::int64_t children_simulated = 0;
  // Children still in care at a reporting date on or after their 18th birthday: must be 0.
  std::int64_t children_in_care_aged_18_or_over = 0;
  // Reporting dates at which a resource had more children than places: must be 0.
  std::int64_t capacity_exceeded = 0;

  ReplicationStats& operator+=(const ReplicationStats& other) {
    child_events += other.child_events;
    children_simulated += other.children_simulated;
    children_in_care_aged_18_or_over += other.children_in_care_aged_18_or_over;
    capacity_exceeded += other.capacity_exceeded;
    return *this;
  }
};

inline constexpr std::uint32_t kNoChild = 0xffffffffU;

// Clock time at which a child born on `dob` reaches each age-band boundary, and a date of birth
// drawn uniformly among those that make a child of `band` on `date` (replication.cpp).
std::array<double, kAgeBandCount> birthday_times(Date origin, Date dob);
Date draw_birth_date(Date date, int band, StreamEngine& engine);

// Compact per-child state. Times are days on the simulation clock (0 = end of the origin date).
// The fields are grouped by when they are read, a cache line (64 bytes) each, and a child starts
// on a line of its own: every event reads the first line (the stale check, the hazards' bands), a
// placement ending the second, a new placement the third; the fourth is for re-entry and leaving
// care. In a region the children of every council are in memory at once, so a child is rarely in
// cache when its event comes, and each line of it read costs a miss (248 bytes in declaration
// order spanned four or five lines, the stale check and the bands two different ones).
struct alignas(64) ChildState {
  // First line.
  std::uint32_t generation = 0;  // placements begun: stale events carry an older one
  std::uint32_t admission = 0;   // children admitted before it in the replication
  double placement_start = 0;
  double care_start = 0;
  // Clock time at which the child reaches each age-band boundary: the start of their 1st, 5th,
  // 10th and 16th birthdays, and (last) the 18th, when care ends.
  std::array<double, kAgeBandCount> birthday_time{};
  // Second line.
  StreamEngine duration_stream;     // draws of how long each placement lasts
  StreamEngine destination_stream;  // draws of where the child goes when a placement ends
  PlaceHandle place;                // the household, home or capped place occupied
  double placement_end = 0;         // when the current placement is due to end (or care ends)
  Category category = Category::foster_in_house;
  bool uasc = false;
  bool in_care = false;
  Sex sex = Sex::male;
  std::uint16_t placements_this_year = 0;  // since the latest 1 April, including the current one
  std::uint16_t placements_in_care = 0;    // placements begun in this period of care (since the origin)
  std::uint32_t in_care_slot = 0;          // position in the list of children in care
  std::uint32_t place_slot = kNoChild;     // its slot among its household's or home's children
  double birth_time = 0;                   // start of the day of birth, for ages in whole years
  // Third line.
  StreamEngine cost_stream;                              // each placement's cost draw
  double cost_per_day = 0;                               // £ a day of the current placement, in base-year prices
  std::uint8_t cost_category = 0;                        // CostCategory the current placement is booked under
  LocationBand location = LocationBand::inside_council;  // the current placement's, with [supply.location]
  // With [supply.needs] (child_needs.hpp): the level assessed when the current placement was sought,
  // when, and whether the placement fails to meet it.
  NeedsLevel needs_level = NeedsLevel::standard;
  bool unmet_need = false;
  std::uint16_t step_down_attempts = 0;  // tries to step down that found no specialist place
  // With [re_entry]: periods of care begun in the replication (1 for the first); its other fields
  // are on the fourth line.
  std::uint16_t periods_of_care = 1;
  std::uint32_t entity = 0;  // low 32 bits of the stream entity id (namespace below)
  EntityKind entity_kind = EntityKind::starting_child;
  StreamEngine location_stream;  // each placement's location band
  double needs_assessed = 0;
  StreamEngine needs_stream;  // the child's level, its changes, and searches by level
  // Start of the placement before the current one, for the placed-for-adoption rule of the
  // long-term stability measure. Unknown for the starting population: the current start then.
  double previous_placement_start = 0;
  // Fourth line.
  std::uint32_t sibling_group = 0;  // 0 = entered alone or in the starting population
  // When the child last left care, and the child's stream for re-entry (begun at its first exit
  // home or by an order).
  double left_care_at = 0;
  // Days looked after since the 14th birthday in the periods of care before this one, which count
  // towards leaving-care eligibility (care_leavers.hpp); kept only when care leavers are followed.
  double earlier_days_since_14 = 0;
  StreamEngine re_entry_stream;

  // Whole years of age, for carers' approval ranges. Years of 365.25 days can put a child a day
  // early or late over an inner birthday, which approval ranges do not need; but a child is never
  // 18 while still in care.
  int age_years_at(double t) const {
    const int years = static_cast<int>((t - birth_time) / 365.25);
    return t < birthday_time[kAgeBandCount - 1] ? std::min(years, kCareEndsAtAgeYears - 1) : years;
  }

  int age_band_at(double t) const {
    int band = 0;
    while (band < kAgeBandCount - 1 && birthday_time[band] <= t) ++band;
    return band;
  }
};

enum class MarkKind : std::uint8_t { reporting_date = 0, april_first = 1 };
struct CalendarMark {
  double time;
  MarkKind kind;
  int date_index;  // for reporting dates
};

// Sees every child's history as a replication runs, for outputs that need more than the monthly
// tally (synthetic SSDA903 returns, per-child histories). Not used on the plain forecast path.
class ReplicationObserver {
 public:
  virtual ~ReplicationObserver() = default;
  // A child in the starting population (now = 0, placement begun before) or entering care.
  virtual void admitted(std::uint32_t child, const ChildState& state, double now, bool starting) = 0;
  virtual void placement_changed(std::uint32_t child, const ChildState& state, Category from, double now) = 0;
  virtual void left_care(std::uint32_t child, const ChildState& state, ExitReason reason, double now) = 0;
};

// Simulates replications of one scenario. Holds scratch buffers reused from one replication to
// the next on the same thread, so that a replication allocates nothing once they have grown.
class ReplicationRunner {
 public:
  ReplicationRunner(const Scenario& scenario, const CompiledModel& model, const TallyLayout& layout,
                    const ReportingCalendar& calendar);
  // Its members point into it (care_leaver_costs_), so it is never copied.
  ReplicationRunner(const ReplicationRunner&) = delete;
  ReplicationRunner& operator=(const ReplicationRunner&) = delete;

  // Writes the replication's tally: calendar.date_count() rows of layout.cell_count() columns.
  // and, if `measures` is not empty, its measures: calendar.date_count() rows of
  // layout.measure_count() columns (NaN where a measure is not defined).
  ReplicationStats run(ReplicationIdentity id, std::span<std::int32_t> tally, std::span<double> measures = {});
  // The same replication in steps, for a region whose councils share one queue
  // (region_replication.hpp): begin() puts the council's first events into its queue; the region
  // hands each of the council's events to handle() in time order, and every calendar mark
  // (marks(): reporting dates and 1 April) to pass_mark() once the events before it are handled;
  // finish() completes the tally. run() is exactly these steps on the council's own queue.
  void share_queue(EventQueue& queue, std::uint16_t council) { queue_ = CouncilQueue(queue, council); }
  // In a region: the shared market this council's children are placed in (prices, locations, the
  // joint home's share of fixed cost), and the council's place in the region.
  void share_market(SharedMarket* market, int council) {
    shared_ = market;
    council_ = council;
    pool_.share_market(market, council);
  }
  void begin(ReplicationIdentity id, std::span<std::int32_t> tally, std::span<double> measures = {});
  void handle(const Event& event);
  // Starts fetching into cache what handle(event) reads first (the child's first two lines, or the
  // care leaver), so that it arrives while the event before it is handled. Only a hint: it changes
  // nothing. A region's children and care leavers are too many to stay in cache (ChildState).
  // Always inlined: GCC finds a function that only prefetches free of side effects and deletes
  // calls to it before inlining, so that no prefetch was ever made.
  [[gnu::always_inline]] void prefetch(const Event& event) const {
    if (event.kind == EventKind::care_leaver_changes) {
      care_leavers_.prefetch(event.slot);
    } else if (event.slot < children_.size()) {
      const char* child = reinterpret_cast<const char*>(&children_[event.slot]);
      __builtin_prefetch(child);
      __builtin_prefetch(child + 64);
    }
  }
  void pass_mark(const CalendarMark& mark);
  ReplicationStats finish();
  const std::vector<CalendarMark>& marks() const { return marks_; }
  // Simulates later runs with `model` (same scenario, other rates: a posterior draw).
  void use_model(const CompiledModel& model) { model_ = &model; }
  // Whether later runs draw the scenario's year-to-year variation (Scenario::variation): on by
  // default when the scenario has any; off, every year has the scenario's rates. Without any
  // variation in the scenario it stays off, and nothing is drawn.
  void vary_by_year(bool on) { vary_by_year_ = on && scenario_.variation.any(); }
  // Reports every child's history to `observer` (nullptr for none) in later runs.
  void observe(ReplicationObserver* observer) { observer_ = observer; }

  // For checks from an observer, during a run: every child simulated so far (numbered as the
  // observer's children), the carer households, and the children an in-house household or home
  // keeps listed as placed with it, in no particular order.
  std::span<const ChildState> children() const { return children_; }
  const SupplyPool& supply_pool() const { return pool_; }
  std::vector<std::uint32_t> children_listed_at(const PlaceHandle& place) const {
    std::vector<std::uint32_t> listed;
    const std::span<const std::uint32_t> slots = const_cast<ReplicationRunner*>(this)->slots_of(place);
    for (std::uint32_t child : slots) {
      if (child != kNoChild) listed.push_back(child);
    }
    return listed;
  }

 private:
  void start_population(ReplicationIdentity id);
  void admit_group(ReplicationIdentity id, double now, EntityKind kind);
  std::uint32_t add_child(const ChildState& child);
  // A slot in the table of children for `child` (a freed one when no observer numbers children by
  // slot), keeping the slot's generation; and the child's own streams for costs, locations and needs.
  std::uint32_t take_slot(const ChildState& child);
  void open_child_streams(ChildState& child) const;
  // Places a child who wants `wanted`: directly without supply; with supply, with the first
  // provider that has a place, as the placement market orders them (placement_market.hpp).
  void place(std::uint32_t child, Category wanted, double now);
  void start_placement(std::uint32_t child, const PlaceHandle& place, double now);
  void schedule_placement_end(std::uint32_t child, double now);
  void end_placement(std::uint32_t child, double now);
  void end_current_placement(std::uint32_t child, double now);  // releases its place and stock, books its cost
  // The placement's price a day, for the cost ledger.
  void price_placement(std::uint32_t child);
  // Stability measures and the end of a run (stability_measures.cpp).
  void record_stability(int date_index);
  void finish_measures();
  void move(std::uint32_t child, Category wanted, double now);  // a placement move the model did not draw
  void leave_care(std::uint32_t child, ExitReason reason, double now);
  void tie_entry_multipliers_to_population();
  bool uasc_cap_reached(double now) const;
  // Re-entry into care (re_entry.cpp): whether the child leaving comes back (then scheduled), and
  // its new period of care.
  bool schedule_re_entry(std::uint32_t child, ExitReason reason, double now);
  // Children who left care before the origin ([re_entry] left_before_origin): those who come back
  // before the horizon take a slot, dormant until their re_enters event; the others cost nothing.
  void start_left_before_origin(ReplicationIdentity id);
  void re_enter(std::uint32_t child, double now);
  void record_repeat_entries();  // repeat_entry_percent at each 31 March, from the tally's entries
  void schedule_next_arrival(StreamEngine& arrivals, const CompiledEntryStream& stream, EventKind kind, double now);
  // Placement-ending hazards and destinations scaled by this replication's yearly multipliers.
  bool varies_endings() const { return vary_by_year_ && variation_.varies_endings(); }

  // Supply (supply_matching.cpp).
  // `already_placed`: a child of the starting population, keeping its provider while there is room.
  // `seeker`: the child whose needs level decides which places suit (and who is marked in unmet
  // need or not), with [supply.needs]; kNoChild for none.
  PlaceHandle find_place(Category wanted, std::span<const int> ages_years, double now, bool already_placed = false,
                         std::uint32_t seeker = kNoChild);
  // Children's needs: the child's level now, and counting the children at each level and in unmet need.
  void reassess_needs(std::uint32_t child, double now);
  void count_needs_arrival(std::uint32_t child);
  void record_needs(int date_index);
  // Whether siblings wanting `wanted` are looked for one in-house household together.
  bool seeks_household(Category wanted) const {
    return scenario_.supply.enabled && market_.seeks_household_first(wanted);
  }
  void start_supply(ReplicationIdentity id);
  void add_household(ReplicationIdentity id, double now, bool starting);
  void schedule_deregistration(std::int32_t household, double now);
  void deregister(std::int32_t household, double now);
  void leave_if_last_child(const PlaceHandle& place, double now);
  // Draws the council's usual enquiries made in (from, until) and queues the approvals they lead to.
  void queue_enquiry_approvals(double from, double until);
  void queue_approval_if_converted(StreamEngine& conversions, double at);
  void schedule_campaign_enquiry(double now);
  void handle_campaign_enquiry(double now);
  void add_constellations(int constellations);
  void schedule_specialist_approval(double now);
  void consider_step_down(std::uint32_t child, double now);
  void step_down(std::uint32_t child, double now);
  void close_home(std::size_t home, double now);
  // Distance from home: the new placement's band, counted while it lasts (placement_location.hpp).
  void locate_placement(std::uint32_t child);
  void record_locations(int date_index, std::int32_t children_in_care);
  // Each in-house household and home keeps the children placed there in a slot per place, so
  // that a deregistration or closure finds them without scanning every child in care.
  std::span<std::uint32_t> slots_of(const PlaceHandle& place);
  void list_at_place(std::uint32_t child);
  void unlist_from_place(std::uint32_t child);
  // The children in `slots`, in the order of the list of children in care.
  void collect_placed_there(std::span<const std::uint32_t> slots);
  void schedule_uasc_transfer(double now);
  double ramp_total(const std::vector<Ramp>& ramps, double now) const;
  void handle_supply_event(const Event& event);
  void record_snapshot(int date_index);
  void tally_stay_by_age_band(const ChildState& child, double leaves_at);
  // A placement move: one more placement in the collection year; the third counts the child.
  void count_new_placement(ChildState& child) {
    if (++child.placements_this_year == 3) ++flow(layout_.three_plus_placements);
  }
  std::int32_t& flow(int column) { return tally_[static_cast<std::size_t>(month_) * row_width_ + column]; }

  const Scenario& scenario_;
  const CompiledModel* model_;
  const TallyLayout& layout_;
  const ReportingCalendar& calendar_;
  std::size_t row_width_;

  std::vector<CalendarMark> marks_;
  LargeTable<ChildState> children_;
  std::vector<std::uint32_t> in_care_;     // children in care, in no particular order
  std::vector<std::uint32_t> free_slots_;  // slots of children who have left care, for new children
  // Stock by age band is tallied when a child leaves care (or the run ends), for the whole
  // stay at once: each band's run of reporting dates becomes +1 at its first date and -1 after
  // its last in this difference table, summed into the tally at the end. No monthly scan of
  // every child is needed.
  std::vector<PerAgeBand<std::int32_t>> age_band_changes_;
  ReportingDays reporting_days_{calendar_};  // which reporting date an event falls before
  // Alone, the replication's own queue; in a region, the region's (share_queue).
  EventQueue own_queue_;
  CouncilQueue queue_{own_queue_};
  StreamEngine entry_arrivals_;  // times of the next sibling group's arrival
  StreamEngine uasc_arrivals_;   // and of the next unaccompanied child's
  PerCategory<std::int32_t> stock_{};
  std::int32_t uasc_stock_ = 0;
  // Entries a rate per 10,000 children: each forecast year's multiplier (population times systemic);
  // empty otherwise. Reused from one replication to the next.
  std::vector<double> entry_year_multiplier_;
  std::uint32_t next_entering_child_ = 0;
  std::uint32_t next_uasc_child_ = 0;
  std::uint32_t next_sibling_group_ = 0;
  std::span<std::int32_t> tally_;
  int month_ = 0;                       // row receiving flows: the first reporting date not yet passed
  double latest_april_first_ = -1e300;  // clock time of the latest 1 April passed (collection year start)
  ReplicationStats stats_;
  ReplicationObserver* observer_ = nullptr;
  ReplicationIdentity id_;
  bool vary_by_year_ = false;
  YearlyVariation variation_;  // this replication's multipliers, drawn when vary_by_year_
  std::span<double> measures_;
  // Costs, and child-days in care, by reporting month: stays are booked whole when they end (or at
  // the horizon).
  CostLedger ledger_{scenario_.costs, calendar_, reporting_days_};
  std::vector<double> household_since_;  // when each carer household was approved (0: at the origin)

  // Supply state, used only when the scenario has finite supply or commissioning options.
  SupplyPool pool_;
  SharedMarket* shared_ = nullptr;  // in a region: its shared market; nullptr alone
  int council_ = 0;
  const PlacementMarket market_{scenario_.supply};
  PlacementLocations locations_{scenario_.supply};
  ChildNeeds needs_{scenario_.supply};
  // Care leavers aged 18 to 25, followed when the tally counts them (care_leavers.hpp).
  CareLeavers care_leavers_{scenario_.care_leavers, scenario_.origin};
  bool follows_care_leavers() const { return layout_.care_leavers_all >= 0; }
  // Books care leavers' costs in this replication's cost book, under the category care_leavers.
  struct CareLeaverCosts final : CareLeaverCostBook {
    explicit CareLeaverCosts(ReplicationRunner& runner) : runner_(runner) {}
    void book_stay(double per_day, double from, double to) override {
      runner_.ledger_.book_stay(static_cast<int>(CostCategory::care_leavers), per_day, from, to);
    }
    // Booked in the month being simulated, as every one-off cost is.
    void book_one_off(double amount, double /*now*/) override {
      runner_.ledger_.book_one_off(CostCategory::care_leavers, amount, runner_.month_);
    }

   private:
    ReplicationRunner& runner_;
  };
  CareLeaverCosts care_leaver_costs_{*this};
  StreamEngine market_draws_;     // searches of markets whose chance of a place is below 1
  StreamEngine match_draws_;      // which free in-house household, if any, suits a child
  StreamEngine household_draws_;  // make-up of new households, funnel conversions
  StreamEngine enquiry_arrivals_;
  StreamEngine specialist_arrivals_;
  StreamEngine entry_thinning_;
  StreamEngine uasc_transfer_arrivals_;
  StreamEngine campaign_arrivals_;
  std::vector<StreamEngine> household_streams_;  // per household: its deregistration clock
  // Slots of every household's places, then (from home_slots_) every home's beds: the child in
  // each, or kNoChild. household_slots_[h] is household h's first slot.
  std::vector<std::uint32_t> place_slots_;
  std::vector<std::uint32_t> household_slots_;
  std::vector<std::uint32_t> home_slots_;
  std::vector<std::uint32_t> placed_there_;  // scratch: the children of a household or home
  // No household below this index can join a Mockingbird constellation (each is a member already
  // or has deregistered), so filling constellations never looks at them again.
  std::int32_t next_possible_member_ = 0;
  std::uint32_t next_household_ = 0;
  std::uint32_t next_transferred_uasc_ = 0;
  int mockingbird_members_wanted_ = 0;
  int mockingbird_members_ = 0;
  // Draws the counts form of the starting population, when the scenario has one.
  std::optional<StartingCountsDrawer> starting_counts_drawer_;
};

// A thread's runner of one scenario (a council alone, or one of a region's), with the rates it draws
// for each replication and its totals, kept from block to block so its buffers grow only once.
struct ReplicationSlot {
  ReplicationSlot(const Scenario& scenario, const CompiledModel& model, const TallyLayout& layout,
                  const ReportingCalendar& calendar)
      : runner(scenario, model, layout, calendar) {}
  // The scenario with this replication's drawn rates: copied once, then only its rates rewritten.
  CompiledModel drawn_model;
  std::optional<Scenario> drawn_scenario;
  ReplicationRunner runner;
  ReplicationStats totals;
  // When `rates` draws them (runner.hpp), replication (seed, replication)'s rates, for the runner's
  // next run; otherwise the runner keeps the point rates.
  void draw_rates(const ReplicationRates& rates, const Scenario& scenario, std::uint64_t seed,
                  std::uint64_t replication, double horizon_time);
};

}  // namespace carecast
