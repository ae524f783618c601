#include "simulation/runner.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <iomanip>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "core/errors.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/parameter_draws.hpp"
#include "simulation/replication.hpp"
#include "simulation/stated_evidence.hpp"
#include "tally/distributions.hpp"

namespace carecast {

int resolve_thread_count(int requested) {
  if (requested > 0) return requested;
  const unsigned cores = std::thread::hardware_concurrency();
  return cores > 0 ? static_cast<int>(cores) : 1;
}

const char* parameter_evidence_name(ParameterEvidence evidence) {
  switch (evidence) {
    case ParameterEvidence::calibrated: return "calibrated";
    case ParameterEvidence::stated: return "stated";
    case ParameterEvidence::none: break;
  }
  return "none";
}

void for_each_run_in_parallel(int count, int threads, const std::function<void(int thread, int i)>& body) {
  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  // The failure of the earliest run that failed, so the error reported does not depend on timing
  // when several runs fail.
  std::mutex failure_mutex;
  std::exception_ptr failure;
  int failed_run = 0;
  auto work = [&](int thread) {
    int i = 0;
    try {
      for (i = next++; i < count && !stop.load(std::memory_order_relaxed); i = next++) body(thread, i);
    } catch (...) {
      stop = true;
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure || i < failed_run) {
        failure = std::current_exception();
        failed_run = i;
      }
    }
  };
  {
    // jthread joins on destruction, so even if starting a thread fails no joinable thread is
    // ever destroyed (which would abort the process).
    std::vector<std::jthread> pool;
    try {
      for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
    } catch (...) {
      stop = true;
      throw;
    }
    work(0);
  }
  if (failure) std::rethrow_exception(failure);
}

int runs_per_block(const RunOptions& options, int threads) {
  const int wanted = options.block_runs > 0 ? options.block_runs : std::max(512, 32 * threads);
  return std::max(1, std::min(options.runs, wanted));
}

struct ReplicationBlocks::Worker : ReplicationSlot {
  using ReplicationSlot::ReplicationSlot;
};

void RunInfo::count(const ReplicationStats& stats) {
  child_events += stats.child_events;
  children_simulated += stats.children_simulated;
  children_in_care_aged_18_or_over += stats.children_in_care_aged_18_or_over;
  capacity_exceeded += stats.capacity_exceeded;
}

void ReplicationSlot::draw_rates(const ReplicationRates& rates, const Scenario& scenario, std::uint64_t seed,
                                 std::uint64_t replication, double horizon_time) {
  if (!rates.drawn()) return;
  rates.draw(scenario, seed, replication, horizon_time, drawn_scenario, drawn_model);
  runner.use_model(drawn_model);
}

ReplicationRates::ReplicationRates(const Scenario& scenario, const RunOptions& options, double horizon_time) {
  // A calibrated scenario's evidence, else (unless it turns it off) its stated uncertainty.
  if (options.parameter_uncertainty && scenario.evidence) {
    evidence_kind = ParameterEvidence::calibrated;
    evidence = std::make_unique<RateEvidence>(*scenario.evidence);
  } else if (options.parameter_uncertainty && scenario.stated_uncertainty.enabled) {
    evidence_kind = ParameterEvidence::stated;
    evidence = std::make_unique<RateEvidence>(stated_evidence(scenario));
  }
  // Care leavers' rates are drawn from their stated uncertainty (hand-written, even in a calibrated
  // scenario) when the other rates are drawn.
  if (evidence && scenario.care_leavers.enabled) {
    care_leaver_evidence = std::make_unique<CareLeaverEvidence>(stated_care_leaver_evidence(scenario));
  }
  point_model = std::make_unique<CompiledModel>(CompiledModel::compile(scenario, horizon_time));
}
ReplicationRates::~ReplicationRates() = default;
ReplicationRates::ReplicationRates(ReplicationRates&&) noexcept = default;

void ReplicationRates::draw(const Scenario& scenario, std::uint64_t seed, std::uint64_t replication,
                            double horizon_time, std::optional<Scenario>& drawn_scenario,
                            CompiledModel& drawn_model) const {
  // The replication's own stream, so its rates do not depend on which thread runs it.
  StreamEngine parameters(seed, replication, entity_id(EntityKind::replication, 2), Process::parameters);
  if (!drawn_scenario) drawn_scenario.emplace(scenario);
  draw_parameters_into(scenario, *evidence, parameters, *drawn_scenario);
  if (care_leaver_evidence) {
    // A stream of its own, so that care leavers' rates move none of the others'.
    StreamEngine care_leaver_parameters(seed, replication, entity_id(EntityKind::replication, 2), Process::care_leaver);
    draw_care_leaver_parameters_into(scenario.care_leavers, *care_leaver_evidence, care_leaver_parameters,
                                     drawn_scenario->care_leavers);
  }
  drawn_model = CompiledModel::compile(*drawn_scenario, horizon_time);
}

ReplicationBlocks::ReplicationBlocks(const Scenario& scenario, const RunOptions& options)
    : scenario_(scenario), options_(options), started_(std::chrono::steady_clock::now()) {
  info_.layout = TallyLayout(&scenario.supply, &scenario.costs, &scenario.care_leavers);
  info_.calendar = ReportingCalendar::monthly(scenario.origin, scenario.horizon_end());
  info_.runs = 0;
  info_.threads = std::min(resolve_thread_count(options.threads), std::max(options.runs, 1));
  rates_ = std::make_unique<ReplicationRates>(scenario, options, info_.calendar.times.back());
  info_.parameter_evidence = rates_->evidence_kind;
  info_.parameters_drawn = rates_->drawn();
  info_.systemic_variation = options.systemic_variation && scenario.variation.any();
}

ReplicationBlocks::~ReplicationBlocks() = default;

std::size_t ReplicationBlocks::tally_size() const {
  return static_cast<std::size_t>(info_.calendar.date_count()) * static_cast<std::size_t>(info_.layout.cell_count());
}

std::size_t ReplicationBlocks::measure_size() const {
  return static_cast<std::size_t>(info_.calendar.date_count()) * static_cast<std::size_t>(info_.layout.measure_count());
}

void ReplicationBlocks::run_block(int first, int count, std::span<std::int32_t> tallies, std::span<double> measures) {
  const std::size_t run_size = tally_size();
  const std::size_t measure_run_size = measure_size();
  if (tallies.size() < run_size * static_cast<std::size_t>(count) ||
      measures.size() < measure_run_size * static_cast<std::size_t>(count)) {
    throw std::invalid_argument("run_block: the buffers are smaller than the block");
  }
  const int threads = std::min(info_.threads, std::max(count, 1));
  while (static_cast<int>(workers_.size()) < threads) {
    workers_.push_back(std::make_unique<Worker>(scenario_, *rates_->point_model, info_.layout, info_.calendar));
    if (options_.observer != nullptr) workers_.back()->runner.observe(options_.observer);
    workers_.back()->runner.vary_by_year(info_.systemic_variation);
  }
  const double horizon_time = info_.calendar.times.back();

  for_each_run_in_parallel(count, threads, [&](int thread, int i) {
    Worker& worker = *workers_[static_cast<std::size_t>(thread)];
    const int run = first + i;
    const ReplicationIdentity id{options_.seed, static_cast<std::uint64_t>(run), std::nullopt};
    worker.draw_rates(*rates_, scenario_, id.seed, id.replication, horizon_time);
    std::span<std::int32_t> tally(tallies.data() + run_size * static_cast<std::size_t>(i), run_size);
    std::span<double> run_measures(measures.data() + measure_run_size * static_cast<std::size_t>(i), measure_run_size);
    worker.totals += worker.runner.run(id, tally, run_measures);
  });
  info_.runs += count;
}

RunInfo ReplicationBlocks::info() const {
  RunInfo info = info_;
  for (const auto& worker : workers_) {
    info.count(worker->totals);
  }
  info.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  return info;
}

RunResult run_replications(const Scenario& scenario, const RunOptions& options) {
  ReplicationBlocks blocks(scenario, options);
  RunResult result;
  result.tallies.assign(blocks.tally_size() * static_cast<std::size_t>(options.runs), 0);
  result.measures.assign(blocks.measure_size() * static_cast<std::size_t>(options.runs), 0.0);
  blocks.run_block(0, options.runs, result.tallies, result.measures);
  static_cast<RunInfo&>(result) = blocks.info();
  // As before blocks: the thread count asked for, capped by the runs.
  return result;
}

MemoryEstimate estimate_run_memory(const Scenario& scenario, const RunOptions& options) {
  const TallyLayout layout(&scenario.supply, &scenario.costs);
  const ReportingCalendar calendar = ReportingCalendar::monthly(scenario.origin, scenario.horizon_end());
  const double dates = calendar.date_count();
  const int threads = std::min(resolve_thread_count(options.threads), std::max(options.runs, 1));
  const double block = runs_per_block(options, threads);
  MemoryEstimate estimate;
  estimate.threads = threads;
  estimate.block_buffers = block * dates * (layout.cell_count() * 4.0 + layout.measure_count() * 8.0);
  // Counts: a histogram over their spread, taken as 512 values (4 bytes each) per cell and date.
  // Real measures: every value up to kExactRealValues runs, beyond that about 4,096 occupied
  // buckets of 8 bytes (a spread of 2.3 times at the sketch's accuracy).
  const double real_values = options.runs <= kExactRealValues ? options.runs * 8.0 : 4096 * 8.0;
  estimate.summaries = dates * (layout.cell_count() * 512 * 4.0 + layout.measure_count() * real_values);

  double starting = static_cast<double>(scenario.starting_children.size());
  for (const StartingGroup& group : scenario.starting_groups) starting += group.children;
  if (scenario.starting_counts) {
    for (const auto& by_band : scenario.starting_counts->count) {
      for (const auto& by_sex : by_band) {
        for (int n : by_sex) starting += n;
      }
    }
  }
  // Entries a year grow at their rate (or not at all when it is negative) to the horizon.
  auto entering = [&](const EntryStream& stream) {
    const double years = scenario.horizon_years;
    return stream.total_per_year() * years * std::exp(std::max(0.0, stream.annual_growth_rate) * years);
  };
  estimate.expected_children = starting + entering(scenario.entries) + entering(scenario.uasc);
  // Each child's state is kept for the whole replication, with its slot in the list of children
  // in care and about two events queued; vectors grow by doubling, hence twice that.
  const double bytes_per_child = 2.0 * (sizeof(ChildState) + sizeof(std::uint32_t) + 2 * sizeof(Event));
  const double households = std::max(0, scenario.supply.in_house_households);
  estimate.replication_state = estimate.expected_children * bytes_per_child + households * 256 +
                               dates * (layout.cell_count() * 4.0 + layout.measure_count() * 8.0) * 2;
  return estimate;
}

}  // namespace carecast

namespace carecast {

void check_memory_limit(std::span<const Scenario> scenarios, const RunOptions& options, double max_memory_gib,
                        MemoryLayout layout) {
  double bytes = 0;
  double children = 0;
  double region_blocks = 0;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const MemoryEstimate estimate = estimate_run_memory(scenarios[i], options);
    children = std::max(children, estimate.expected_children);
    if (layout == MemoryLayout::region) {
      // The councils of a region share one block of runs, kept near a fixed size (region_summary.hpp),
      // and the region's own summary is about one council's.
      bytes += estimate.summaries + estimate.threads * estimate.replication_state;
      region_blocks += estimate.block_buffers;
      if (i == 0) bytes += estimate.summaries;
      continue;
    }
    bytes += estimate.total();
    if (i > 0) bytes += estimate.summaries;  // the option's differences from the base
  }
  bytes += std::min(region_blocks, kRegionBlockBytes);
  constexpr double kGib = 1024.0 * 1024.0 * 1024.0;
  if (bytes <= max_memory_gib * kGib) return;
  std::ostringstream problem;
  problem << "this run needs an estimated " << std::fixed << std::setprecision(2) << bytes / kGib << " GiB of memory ("
          << options.runs << " runs on " << resolve_thread_count(options.threads) << " thread(s), about "
          << std::setprecision(0) << children << " children a replication"
          << (layout == MemoryLayout::region ? " in the largest council" : "") << "), above the limit of "
          << std::defaultfloat << max_memory_gib
          << " GiB; fewer threads or a smaller scenario need less, or raise the limit with --max-memory-gb";
  throw InputError({"command line", 0, 0, "--max-memory-gb"}, problem.str());
}

}  // namespace carecast
