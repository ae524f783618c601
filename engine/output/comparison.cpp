#include "output/comparison.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <memory>
#include <stdexcept>
#include <tuple>

#include "output/forecast_writer.hpp"
#include "simulation/region_replication.hpp"
#include "tally/region_summary.hpp"
#include "tally/summary.hpp"

namespace carecast {
ComparisonAccumulator::ComparisonAccumulator(const TallyLayout& base, const TallyLayout& option,
                                             const ReportingCalendar& calendar, std::string option_name, int runs)
    : calendar_(calendar), option_name_(std::move(option_name)) {
  std::map<std::pair<std::string, std::string>, int> option_cells;
  const int option_cells_total = option.cell_count() + option.measure_count();
  for (int c = 0; c < option_cells_total; ++c) {
    option_cells.emplace(std::make_pair(option.cell(c).metric, option.cell(c).category), c);
  }
  const int dates = calendar.date_count();
  std::size_t count_slots = 0, real_slots = 0;
  const int base_cells_total = base.cell_count() + base.measure_count();
  for (int b = 0; b < base_cells_total; ++b) {
    const auto found = option_cells.find({base.cell(b).metric, base.cell(b).category});
    if (found == option_cells.end()) continue;
    const int o = found->second;
    const bool counts = b < base.cell_count() && o < option.cell_count();
    pairs_.push_back({b, o, counts, base.cell(b).metric, base.cell(b).category});
    slot_.push_back(counts ? count_slots : real_slots);
    (counts ? count_slots : real_slots) += static_cast<std::size_t>(dates);
  }
  count_differences_.resize(count_slots);
  real_differences_.assign(real_slots, RealDistribution(exact_reals(runs)));
  totals_.push_back(
      {"children_reaching_3_placements_total", base.three_plus_placements, option.three_plus_placements, {}, 0});
  if (base.unmet_preference_all >= 0 && option.unmet_preference_all >= 0) {
    totals_.push_back({"unmet_preference_total", base.unmet_preference_all, option.unmet_preference_all, {}, 0});
  }
  base_cost_ = base.cost_cumulative;
  option_cost_ = option.cost_cumulative;
}

void ComparisonAccumulator::add(const RunBlock& base, const RunBlock& option) {
  if (base.runs != option.runs || base.dates != calendar_.date_count() || option.dates != calendar_.date_count()) {
    throw std::invalid_argument("a comparison needs the same runs and reporting dates for every scenario");
  }
  const int dates = calendar_.date_count();
  const int last = dates - 1;
  for (int run = 0; run < base.runs; ++run) {
    for (std::size_t p = 0; p < pairs_.size(); ++p) {
      const CellPair& pair = pairs_[p];
      const int first_date = base.layout->cell(pair.base).kind == MetricKind::flow ? 1 : 0;
      for (int d = first_date; d < dates; ++d) {
        if (pair.counts) {
          const std::int64_t difference =
              static_cast<std::int64_t>(option.value(run, d, pair.option)) - base.value(run, d, pair.base);
          count_differences_[slot_[p] + static_cast<std::size_t>(d)].add(difference);
        } else {
          const double x = base.number(run, d, pair.base);
          const double y = option.number(run, d, pair.option);
          if (std::isnan(x) || std::isnan(y)) continue;
          real_differences_[slot_[p] + static_cast<std::size_t>(d)].add(y - x);
        }
      }
    }
    auto flow_total = [&](const RunBlock& block, int cell) {
      std::int64_t total = 0;
      for (int d = 1; d < dates; ++d) total += block.value(run, d, cell);
      return total;
    };
    for (FlowTotal& total : totals_) {
      const std::int64_t base_total = flow_total(base, total.base);
      const std::int64_t option_total = flow_total(option, total.option);
      total.differences.add(option_total - base_total);
      if (option_total < base_total) ++total.option_lower;
    }
    if (base_cost_ >= 0 && option_cost_ >= 0) {
      cheaper_ += option.measure(run, last, option_cost_) < base.measure(run, last, base_cost_) ? 1 : 0;
    }
    ++runs_;
  }
}

std::vector<ComparisonRow> ComparisonAccumulator::finish() {
  std::vector<ComparisonRow> rows;
  const int dates = calendar_.date_count();
  const Date horizon = calendar_.dates.back();
  auto row_of = [&](auto& differences, const std::string& metric, const std::string& category, Date date) {
    ComparisonRow row{option_name_, metric, category, date};
    row.mean = differences.mean();
    row.p05 = differences.quantile(0.05);
    row.p50 = differences.quantile(0.50);
    row.p95 = differences.quantile(0.95);
    return row;
  };
  for (std::size_t p = 0; p < pairs_.size(); ++p) {
    const CellPair& pair = pairs_[p];
    for (int d = 0; d < dates; ++d) {
      const std::size_t slot = slot_[p] + static_cast<std::size_t>(d);
      if (pair.counts) {
        if (count_differences_[slot].count() == 0) continue;
        rows.push_back(row_of(count_differences_[slot], pair.metric, pair.category, calendar_.dates[d]));
      } else {
        RealDistribution& differences = real_differences_[slot];
        if (differences.count() == 0) continue;
        differences.finish();
        rows.push_back(row_of(differences, pair.metric, pair.category, calendar_.dates[d]));
      }
    }
  }
  for (const FlowTotal& total : totals_) rows.push_back(row_of(total.differences, total.metric, "all", horizon));
  auto share = [&](const std::string& metric, std::int64_t lower) {
    const double p = static_cast<double>(lower) / static_cast<double>(runs_);
    rows.push_back({option_name_, metric, "all", horizon, p, p, p, p});
  };
  if (base_cost_ >= 0 && option_cost_ >= 0) share("probability_cheaper", cheaper_);
  share("probability_fewer_3plus_placements", totals_[0].option_lower);
  if (totals_.size() > 1) share("probability_fewer_unmet_preference", totals_[1].option_lower);
  return rows;
}

std::vector<ComparisonRow> compare_runs(const RunResult& base, const RunResult& option,
                                        const std::string& option_name) {
  if (base.runs != option.runs || base.calendar.dates != option.calendar.dates) {
    throw std::invalid_argument("a comparison needs the same runs and reporting dates for every scenario");
  }
  ComparisonAccumulator accumulator(base.layout, option.layout, base.calendar, option_name, base.runs);
  accumulator.add(whole_run_block(base), whole_run_block(option));
  return accumulator.finish();
}

StreamedComparison run_and_compare_regions(const std::vector<Region>& regions, const RunOptions& options,
                                           const std::function<void(int runs)>& runs_done) {
  std::vector<std::unique_ptr<RegionBlocks>> blocks;
  std::vector<std::unique_ptr<RegionBlockBuffers>> buffers;
  std::vector<std::unique_ptr<SummaryAccumulator>> summaries;
  std::vector<std::unique_ptr<ComparisonAccumulator>> comparisons;
  for (const Region& region : regions) blocks.push_back(std::make_unique<RegionBlocks>(region, options));
  const ReportingCalendar& calendar = blocks[0]->calendar();
  const int dates = calendar.date_count();
  const int threads = blocks[0]->region_info().threads;
  int block_size = region_block_runs(*blocks[0], options, threads);
  for (const auto& b : blocks) block_size = std::min(block_size, region_block_runs(*b, options, threads));
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (blocks[i]->calendar().dates != calendar.dates) {
      throw std::invalid_argument("a comparison needs the same runs and reporting dates for every region");
    }
    summaries.push_back(std::make_unique<SummaryAccumulator>(blocks[i]->region_layout(), dates, options.runs));
    if (i > 0) {
      comparisons.push_back(std::make_unique<ComparisonAccumulator>(
          blocks[0]->region_layout(), blocks[i]->region_layout(), calendar, regions[i].name, options.runs));
    }
    buffers.push_back(std::make_unique<RegionBlockBuffers>(*blocks[i], block_size));
  }
  for (int first = 0; first < options.runs; first += block_size) {
    const int count = std::min(block_size, options.runs - first);
    std::vector<RunBlock> views;
    for (std::size_t i = 0; i < regions.size(); ++i) {
      buffers[i]->run(*blocks[i], first, count);
      views.push_back(
          {&blocks[i]->region_layout(), dates, count, buffers[i]->region_tallies, buffers[i]->region_measures});
      summaries[i]->add(views.back());
      if (runs_done) runs_done(count);
    }
    for (std::size_t i = 1; i < regions.size(); ++i) comparisons[i - 1]->add(views[0], views[i]);
  }
  StreamedComparison result;
  for (std::size_t i = 0; i < regions.size(); ++i) {
    if (blocks[i]->shared_capacity_exceeded() != 0) {
      throw std::logic_error("internal error: a part of a region's shared market held more children than its places");
    }
    result.infos.push_back(blocks[i]->region_info());
    result.summaries.push_back(summaries[i]->finish());
  }
  for (auto& comparison : comparisons) {
    std::vector<ComparisonRow> rows = comparison->finish();
    result.rows.insert(result.rows.end(), rows.begin(), rows.end());
  }
  return result;
}

StreamedComparison run_and_compare(const std::vector<Scenario>& scenarios, const RunOptions& options,
                                   const std::function<void(int runs)>& runs_done) {
  std::vector<std::unique_ptr<ReplicationBlocks>> blocks;
  std::vector<std::unique_ptr<SummaryAccumulator>> summaries;
  std::vector<std::unique_ptr<ComparisonAccumulator>> comparisons;
  std::vector<std::vector<std::int32_t>> tallies(scenarios.size());
  std::vector<std::vector<double>> measures(scenarios.size());
  for (const Scenario& scenario : scenarios) blocks.push_back(std::make_unique<ReplicationBlocks>(scenario, options));
  const ReportingCalendar& calendar = blocks[0]->calendar();
  const int dates = calendar.date_count();
  const int block_size = runs_per_block(options, blocks[0]->info().threads);
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    if (blocks[i]->calendar().dates != calendar.dates) {
      throw std::invalid_argument("a comparison needs the same runs and reporting dates for every scenario");
    }
    summaries.push_back(std::make_unique<SummaryAccumulator>(blocks[i]->layout(), dates, options.runs));
    if (i > 0) {
      comparisons.push_back(std::make_unique<ComparisonAccumulator>(blocks[0]->layout(), blocks[i]->layout(), calendar,
                                                                    scenarios[i].name, options.runs));
    }
    tallies[i].resize(blocks[i]->tally_size() * static_cast<std::size_t>(block_size));
    measures[i].resize(blocks[i]->measure_size() * static_cast<std::size_t>(block_size));
  }
  for (int first = 0; first < options.runs; first += block_size) {
    const int count = std::min(block_size, options.runs - first);
    std::vector<RunBlock> views;
    for (std::size_t i = 0; i < scenarios.size(); ++i) {
      blocks[i]->run_block(first, count, tallies[i], measures[i]);
      views.push_back({&blocks[i]->layout(), dates, count, tallies[i], measures[i]});
      summaries[i]->add(views.back());
      if (runs_done) runs_done(count);
    }
    for (std::size_t i = 1; i < scenarios.size(); ++i) comparisons[i - 1]->add(views[0], views[i]);
  }
  StreamedComparison result;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    result.infos.push_back(blocks[i]->info());
    result.summaries.push_back(summaries[i]->finish());
  }
  for (auto& comparison : comparisons) {
    std::vector<ComparisonRow> rows = comparison->finish();
    result.rows.insert(result.rows.end(), rows.begin(), rows.end());
  }
  return result;
}

void write_comparison_csv(std::ostream& out, const std::vector<ComparisonRow>& rows) {
  out << "option,metric,category,date,mean,p05,p50,p95\n";
  for (const ComparisonRow& row : rows) {
    for (const auto& [value, column] : {std::pair{row.mean, "mean"}, std::pair{row.p05, "p05"},
                                        std::pair{row.p50, "p50"}, std::pair{row.p95, "p95"}}) {
      require_finite(value, "comparison.csv",
                     std::string(column) + " of option '" + row.option + "', metric '" + row.metric + "', category '" +
                         row.category + "', date " + format_iso(row.date));
    }
    std::string option = row.option;
    if (option.find_first_of(",\"") != std::string::npos) {
      std::string quoted = "\"";
      for (char ch : option) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
      option = quoted + "\"";
    }
    out << option << ',' << row.metric << ',' << row.category << ',' << format_iso(row.date) << ','
        << format_number(row.mean) << ',' << format_number(row.p05) << ',' << format_number(row.p50) << ','
        << format_number(row.p95) << '\n';
  }
}

std::string folder_name(const std::string& scenario_name) {
  std::string folder;
  for (char ch : scenario_name) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) {
      folder += static_cast<char>(std::tolower(c));
    } else if (!folder.empty() && folder.back() != '_') {
      folder += '_';
    }
  }
  while (!folder.empty() && folder.back() == '_') folder.pop_back();
  return folder.empty() ? "scenario" : folder;
}

}  // namespace carecast
