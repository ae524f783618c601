#include "simulation/region_replication.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/replication.hpp"
#include "simulation/shared_market.hpp"

namespace carecast {

namespace {

bool same_cells(const TallyLayout& a, const TallyLayout& b) {
  if (a.cell_count() != b.cell_count() || a.measure_count() != b.measure_count()) return false;
  for (int i = 0; i < a.cell_count() + a.measure_count(); ++i) {
    if (a.cell(i).metric != b.cell(i).metric || a.cell(i).category != b.cell(i).category) return false;
  }
  return true;
}

// Measures that are totals of the council's children or money, so that the region's is the sum.
// Percentages and probabilities (stability, distance shares, budget checks) are not; the region's
// are left undefined rather than given a wrong number.
bool adds_up(const MetricCell& cell) {
  return cell.metric == "cost" || cell.metric == "cost_financial_year" || cell.metric == "cost_cumulative" ||
         cell.metric == "cost_npv" || cell.metric == "entries_financial_year";
}

// A council's supply as its tally sees it: a category the region shares is finite, so its places
// are reported (the region's places, the council's children in them).
Supply supply_for_layout(const Supply& supply, const Region& region) {
  Supply seen = supply;
  if (region.part(Category::foster_agency) != nullptr) seen.agency_places = 0;
  if (region.part(Category::childrens_home_external) != nullptr) seen.external_home_beds = 0;
  return seen;
}

TallyLayout council_layout_of(const Scenario& scenario, const Region& region) {
  const Supply supply = supply_for_layout(scenario.supply, region);
  return TallyLayout(&supply, &scenario.costs, &scenario.care_leavers);
}

// Council c's scenario with the region's options that act through it: its share of the recruitment
// hub's enquiries, in proportion to its in-house carer households at the origin (equal shares when
// no council has any).
Scenario with_regional_options(const Region& region, std::size_t c) {
  Scenario scenario = region.councils[c].scenario;
  if (region.recruitment_hub) {
    double households = 0;
    for (const RegionCouncil& council : region.councils)
      households += std::max(0, council.scenario.supply.in_house_households);
    const double share = households > 0 ? std::max(0, scenario.supply.in_house_households) / households
                                        : 1.0 / static_cast<double>(region.councils.size());
    Ramp hub = region.recruitment_hub->extra_enquiries_per_year;
    hub.full_value *= share;
    scenario.options.extra_enquiries_per_year.push_back(hub);
  }
  return scenario;
}

}  // namespace

// A council of the region: its scenario and where its replications' rates come from.
struct RegionBlocks::Council {
  Council(Scenario scenario_in, const RunOptions& options, double horizon_time)
      : scenario(std::move(scenario_in)), rates(scenario, options, horizon_time) {}
  const Scenario scenario;
  ReplicationRates rates;
  bool systemic_variation = false;
};

// One thread's replication of the whole region: the queue, the shared market and each council's runner.
struct RegionBlocks::Worker {
  explicit Worker(const Region& region) : market(region) {}
  EventQueue queue;
  SharedMarket market;
  std::vector<std::unique_ptr<ReplicationSlot>> councils;
  std::int64_t shared_capacity_exceeded = 0;
};

RegionBlocks::RegionBlocks(const Region& region, const RunOptions& options)
    : region_(region), options_(options), started_(std::chrono::steady_clock::now()) {
  if (region.councils.empty()) throw std::invalid_argument("RegionBlocks: a region needs a council");
  if (region.councils.size() > 0xffff) throw std::invalid_argument("RegionBlocks: too many councils");
  const Scenario& first = region.councils.front().scenario;
  calendar_ = ReportingCalendar::monthly(first.origin, first.horizon_end());
  council_layout_ = council_layout_of(first, region);
  for (const RegionCouncil& council : region.councils) {
    const Scenario& s = council.scenario;
    if (s.origin != first.origin || s.horizon_years != first.horizon_years) {
      throw InputError({council.scenario_file.string(), 0, 0, "origin_date"},
                       "every council of a region must have the same origin_date and horizon_years as the first (" +
                           region.councils.front().name + ")");
    }
    if (!same_cells(council_layout_of(s, region), council_layout_)) {
      throw InputError({council.scenario_file.string(), 0, 0, "supply"},
                       "every council of a region must have the same sections ([supply] with the same finite "
                       "places, [costs], [care_leavers], [supply.location], [supply.needs]) as the first (" +
                           region.councils.front().name + "), so that the region's figures add up");
    }
    if (!region.market.empty() && !s.supply.enabled) {
      throw InputError({council.scenario_file.string(), 0, 0, "supply"},
                       "a council sharing a region's market needs a [supply] section: without it every placement "
                       "is found outside any market");
    }
  }
  const double horizon_time = calendar_.times.back();
  for (std::size_t c = 0; c < region.councils.size(); ++c) {
    councils_.push_back(std::make_unique<Council>(with_regional_options(region, c), options, horizon_time));
    councils_.back()->systemic_variation = options.systemic_variation && councils_.back()->scenario.variation.any();
  }

  region_layout_ = council_layout_;
  for (const SharedMarketPart& part : region.market) {
    const std::string name(kCategoryNames[static_cast<int>(part.category)]);
    region_cells_.shared_available.push_back(region_layout_.add_region_count("shared_places_available", name));
    region_cells_.shared_occupied.push_back(region_layout_.add_region_count("shared_places_occupied", name));
  }
  if (region.joint_home)
    region_cells_.joint_home_occupied = region_layout_.add_region_count("joint_home_occupied", "all");
  region_cells_.exported_by_council =
      region_layout_.add_region_count("placed_in_another_council_area", region.councils.front().name);
  for (std::size_t c = 1; c < region.councils.size(); ++c) {
    region_layout_.add_region_count("placed_in_another_council_area", region.councils[c].name);
  }
  region_cells_.imported_by_council =
      region_layout_.add_region_count("placed_from_another_council", region.councils.front().name);
  for (std::size_t c = 1; c < region.councils.size(); ++c) {
    region_layout_.add_region_count("placed_from_another_council", region.councils[c].name);
  }
  for (int m = 0; m < council_layout_.measure_count(); ++m) {
    additive_measure_.push_back(adds_up(council_layout_.cell(council_layout_.cell_count() + m)));
  }
  threads_ = std::min(resolve_thread_count(options.threads), std::max(options.runs, 1));
}

RegionBlocks::~RegionBlocks() = default;

std::size_t RegionBlocks::council_tally_size() const {
  return static_cast<std::size_t>(calendar_.date_count()) * static_cast<std::size_t>(council_layout_.cell_count());
}
std::size_t RegionBlocks::council_measure_size() const {
  return static_cast<std::size_t>(calendar_.date_count()) * static_cast<std::size_t>(council_layout_.measure_count());
}
std::size_t RegionBlocks::region_tally_size() const {
  return static_cast<std::size_t>(calendar_.date_count()) * static_cast<std::size_t>(region_layout_.cell_count());
}
std::size_t RegionBlocks::region_measure_size() const { return council_measure_size(); }

void RegionBlocks::run_block(int first, int count, std::span<const std::span<std::int32_t>> council_tallies,
                             std::span<const std::span<double>> council_measures,
                             std::span<std::int32_t> region_tallies, std::span<double> region_measures) {
  const std::size_t tally_size = council_tally_size();
  const std::size_t measure_size = council_measure_size();
  const std::size_t region_size = region_tally_size();
  const auto runs = static_cast<std::size_t>(count);
  bool fits = council_tallies.size() == region_.councils.size() && council_measures.size() == region_.councils.size() &&
              region_tallies.size() >= region_size * runs && region_measures.size() >= measure_size * runs;
  for (std::size_t c = 0; fits && c < council_tallies.size(); ++c) {
    fits = council_tallies[c].size() >= tally_size * runs && council_measures[c].size() >= measure_size * runs;
  }
  if (!fits) throw std::invalid_argument("RegionBlocks::run_block: the buffers are smaller than the block");

  const int threads = std::min(threads_, std::max(count, 1));
  while (static_cast<int>(workers_.size()) < threads) {
    auto worker = std::make_unique<Worker>(region_);
    for (std::size_t c = 0; c < councils_.size(); ++c) {
      worker->councils.push_back(std::make_unique<ReplicationSlot>(
          councils_[c]->scenario, *councils_[c]->rates.point_model, council_layout_, calendar_));
      ReplicationRunner& runner = worker->councils.back()->runner;
      runner.vary_by_year(councils_[c]->systemic_variation);
      runner.share_queue(worker->queue, static_cast<std::uint16_t>(c));
      runner.share_market(region_.market.empty() && !region_.joint_home ? nullptr : &worker->market,
                          static_cast<int>(c));
    }
    workers_.push_back(std::move(worker));
  }
  const double horizon_time = calendar_.times.back();
  const int dates = calendar_.date_count();
  const int cells = council_layout_.cell_count();
  const int region_cells = region_layout_.cell_count();

  for_each_run_in_parallel(count, threads, [&](int thread, int i) {
    Worker& worker = *workers_[static_cast<std::size_t>(thread)];
    const int run = first + i;
    const auto at = static_cast<std::size_t>(i);
    worker.queue.reset(horizon_time);
    worker.market.reset();
    for (std::size_t c = 0; c < councils_.size(); ++c) {
      ReplicationSlot& council = *worker.councils[c];
      ReplicationIdentity id{council_seed(options_.seed, c), static_cast<std::uint64_t>(run), std::nullopt};
      // Shared uncertainty: every council's rates and yearly multipliers from the run's own streams.
      if (region_.common_uncertainty) id.variation_seed = options_.seed;
      council.draw_rates(councils_[c]->rates, councils_[c]->scenario, id.variation_seed.value_or(id.seed),
                         id.replication, horizon_time);
      council.runner.begin(id, council_tallies[c].subspan(tally_size * at, tally_size),
                           council_measures[c].subspan(measure_size * at, measure_size));
    }
    std::int32_t* region_row = region_tallies.data() + region_size * at;
    // Every council has the same marks (one calendar); a mark comes before any event at its instant.
    for (const CalendarMark& mark : worker.councils.front()->runner.marks()) {
      while (!worker.queue.empty() && worker.queue.top().time < mark.time) {
        const Event event = worker.queue.pop();
        // A coming event's child is most likely of another council, and out of cache: fetch it now.
        if (const Event* next = worker.queue.ahead(kFetchAhead)) worker.councils[next->council]->runner.prefetch(*next);
        worker.councils[event.council]->runner.handle(event);
      }
      for (auto& council : worker.councils) council->runner.pass_mark(mark);
      if (mark.kind != MarkKind::reporting_date) continue;
      const double now = calendar_.times[static_cast<std::size_t>(mark.date_index)];
      std::int32_t* row =
          region_row + static_cast<std::size_t>(mark.date_index) * static_cast<std::size_t>(region_cells);
      for (std::size_t p = 0; p < region_.market.size(); ++p) {
        const Category category = region_.market[p].category;
        const int available = worker.market.capacity(category, now);
        row[region_cells_.shared_available[p]] = available;
        row[region_cells_.shared_occupied[p]] = worker.market.occupied(category);
        // A part whose places shrink may hold more children than its places for a while (nobody is
        // moved); what is checked there is that no child was placed beyond them (SharedMarket::reserve).
        for (std::size_t a = 0; region_.market[p].growth_per_year >= 0 && a < region_.councils.size(); ++a) {
          if (worker.market.occupied(category, static_cast<int>(a)) >
              worker.market.capacity(category, static_cast<int>(a), now)) {
            ++worker.shared_capacity_exceeded;
          }
        }
      }
      if (region_cells_.joint_home_occupied >= 0) {
        row[region_cells_.joint_home_occupied] = worker.market.joint_home_occupied();
        if (worker.market.joint_home_occupied() > region_.joint_home->beds) ++worker.shared_capacity_exceeded;
      }
      for (std::size_t c = 0; c < region_.councils.size(); ++c) {
        row[region_cells_.exported_by_council + static_cast<int>(c)] = worker.market.exported(static_cast<int>(c));
        row[region_cells_.imported_by_council + static_cast<int>(c)] = worker.market.imported(static_cast<int>(c));
      }
    }
    for (auto& council : worker.councils) council->totals += council->runner.finish();
    // The region's own cells of the councils' metrics: their sums (and the additive measures').
    double* region_measure = region_measures.data() + measure_size * at;
    for (int d = 0; d < dates; ++d) {
      std::int32_t* row = region_row + static_cast<std::size_t>(d) * static_cast<std::size_t>(region_cells);
      std::fill(row, row + cells, 0);
      for (std::size_t c = 0; c < councils_.size(); ++c) {
        const std::int32_t* from = council_tallies[c].data() + tally_size * at + static_cast<std::size_t>(d) * cells;
        for (int k = 0; k < cells; ++k) row[k] += from[k];
      }
      const int measures = council_layout_.measure_count();
      double* out = region_measure + static_cast<std::size_t>(d) * static_cast<std::size_t>(measures);
      for (int m = 0; m < measures; ++m) {
        if (!additive_measure_[static_cast<std::size_t>(m)]) {
          out[m] = NAN;
          continue;
        }
        double sum = 0;
        for (std::size_t c = 0; c < councils_.size(); ++c) {
          sum += council_measures[c][measure_size * at + static_cast<std::size_t>(d) * measures +
                                     static_cast<std::size_t>(m)];
        }
        out[m] = sum;
      }
    }
  });
  runs_done_ += count;
}

RunInfo RegionBlocks::council_info(int council) const {
  RunInfo info;
  info.layout = council_layout_;
  info.calendar = calendar_;
  info.runs = runs_done_;
  info.threads = threads_;
  const Council& c = *councils_[static_cast<std::size_t>(council)];
  info.parameters_drawn = c.rates.drawn();
  info.parameter_evidence = c.rates.evidence_kind;
  info.systemic_variation = c.systemic_variation;
  for (const auto& worker : workers_) info.count(worker->councils[static_cast<std::size_t>(council)]->totals);
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return info;
}

RunInfo RegionBlocks::region_info() const {
  RunInfo info = council_info(0);
  info.layout = region_layout_;
  for (std::size_t c = 1; c < councils_.size(); ++c) {
    for (const auto& worker : workers_) info.count(worker->councils[c]->totals);
    info.parameters_drawn = info.parameters_drawn || councils_[c]->rates.drawn();
    info.systemic_variation = info.systemic_variation || councils_[c]->systemic_variation;
  }
  info.capacity_exceeded += shared_capacity_exceeded();
  return info;
}

std::int64_t RegionBlocks::shared_capacity_exceeded() const {
  std::int64_t total = 0;
  for (const auto& worker : workers_) total += worker->shared_capacity_exceeded;
  return total;
}

}  // namespace carecast
