#include "simulation/compiled_model.hpp"

#include <cmath>
#include <stdexcept>

namespace carecast {

template <int N>
CumulativeTable<N> CumulativeTable<N>::from(const std::array<double, N>& probability) {
  CumulativeTable<N> table;
  double running = 0;
  table.last_with_mass = 0;
  for (int i = 0; i < N; ++i) {
    running += probability[i];
    table.cumulative[i] = running;
    if (probability[i] > 0) table.last_with_mass = i;
  }
  // Normalise so that validated tables summing to 1 +- 1e-9 (and weights that are not
  // probabilities, such as expected entries) invert over the whole of (0,1).
  if (running > 0) {
    for (double& c : table.cumulative) c /= running;
  }
  return table;
}

double CompiledEntryStream::next_arrival(double now, double exp1_draw) const {
  if (growth_per_day == 0) return now + exp1_draw / groups_per_day;
  // Rate r(t) = r0 exp(g t); integrated rate from `now` to T equals the draw when
  // exp(g T) = exp(g now) + g draw / r0. A shrinking stream may never produce another arrival.
  const double target = std::exp(growth_per_day * now) + growth_per_day * exp1_draw / groups_per_day;
  if (target <= 0) return INFINITY;
  return std::log(target) / growth_per_day;
}

namespace {

CompiledEntryStream compile_stream(const EntryStream& stream, const std::vector<double>& group_sizes) {
  CompiledEntryStream compiled;
  const double children_per_year = stream.total_per_year();
  if (children_per_year <= 0) return compiled;

  std::array<double, CompiledModel::kMaxGroupSize> size_probability{};
  double mean_size = 0;
  if (group_sizes.size() > size_probability.size()) {
    throw std::invalid_argument("sibling groups larger than 8 children are not supported");
  }
  for (std::size_t i = 0; i < group_sizes.size(); ++i) {
    size_probability[i] = group_sizes[i];
    mean_size += static_cast<double>(i + 1) * group_sizes[i];
  }
  compiled.group_size = CumulativeTable<CompiledModel::kMaxGroupSize>::from(size_probability);
  compiled.groups_per_day = children_per_year / mean_size / kDaysPerYear;
  compiled.growth_per_day = std::log1p(stream.annual_growth_rate) / kDaysPerYear;

  std::array<double, kAgeBandCount * kSexCount> weights{};
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (int s = 0; s < kSexCount; ++s) weights[b * kSexCount + s] = stream.expected_per_year[b][s];
    compiled.first_placement[b] = CumulativeTable<kCategoryCount>::from(stream.first_placement_probability[b]);
  }
  compiled.age_band_and_sex = CumulativeTable<kAgeBandCount * kSexCount>::from(weights);
  return compiled;
}

}  // namespace

CompiledModel CompiledModel::compile(const Scenario& scenario, double horizon_time) {
  CompiledModel model;
  model.origin = scenario.origin;
  model.horizon_time = horizon_time;
  model.duration_band_count = scenario.duration_band_count();
  for (auto start : scenario.duration_band_start_days) model.duration_band_start.push_back(start);
  model.hazard_per_day.reserve(scenario.ending_hazard_per_year.size());
  // Stability levers scale each (category, age band)'s hazards across every duration band.
  const auto per_category = static_cast<std::size_t>(kAgeBandCount) * scenario.duration_band_start_days.size();
  for (std::size_t i = 0; i < scenario.ending_hazard_per_year.size(); ++i) {
    const std::size_t c = i / per_category;
    const std::size_t b = (i % per_category) / scenario.duration_band_start_days.size();
    const double multiplier = scenario.stability.hazard_multiplier[c][b];
    model.hazard_per_day.push_back(scenario.ending_hazard_per_year[i] * multiplier / kDaysPerYear);
  }
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int b = 0; b < kAgeBandCount; ++b) {
      model.destination[c][b] = CumulativeTable<kOutcomeCount>::from(scenario.destination_probability[c][b]);
    }
  }
  model.entries = compile_stream(scenario.entries, scenario.sibling_group_size_probability);
  model.uasc = compile_stream(scenario.uasc, {1.0});
  model.staying_put_probability = scenario.staying_put_probability;
  return model;
}

template struct CumulativeTable<kCategoryCount>;
template struct CumulativeTable<kOutcomeCount>;
template struct CumulativeTable<kAgeBandCount * kSexCount>;
template struct CumulativeTable<CompiledModel::kMaxGroupSize>;

}  // namespace carecast
