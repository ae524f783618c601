#include "simulation/compiled_model.hpp"

#include <algorithm>
#include <boost/random/exponential_distribution.hpp>
#include <cmath>
#include <stdexcept>

#include "simulation/population_entries.hpp"

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

namespace {

// gamma * D(years) of a damped trend (phi below 1), given log phi.
double damped_trend_from_log_damping(double log_growth_per_year, double log_damping, double years) {
  return log_growth_per_year * std::expm1(years * log_damping) / log_damping;
}

}  // namespace

double damped_trend_log_multiplier(double log_growth_per_year, double damping_per_year, double years) {
  if (damping_per_year >= 1) return log_growth_per_year * years;
  return damped_trend_from_log_damping(log_growth_per_year, std::log(damping_per_year), years);
}

double CompiledEntryStream::groups_per_day_at(double t) const {
  return groups_per_day * std::exp(damped_trend_log_multiplier(log_growth_per_year, damping_per_year, t / kDaysPerYear));
}

namespace {

double exponential1(StreamEngine& engine) {
  return boost::random::exponential_distribution<double>(1.0)(engine);
}

}  // namespace

void CompiledEntryStream::cache_damped_trend(double horizon_time) {
  majorant_factor_by_year.clear();
  log_damping = 0;
  if (damping_per_year >= 1) return;
  const auto last_year = static_cast<int>(std::max(horizon_time, 0.0) / kDaysPerYear);
  for (int year = 0; year <= last_year; ++year) {
    majorant_factor_by_year.push_back(
        std::exp(std::max(damped_trend_log_multiplier(log_growth_per_year, damping_per_year, year),
                          damped_trend_log_multiplier(log_growth_per_year, damping_per_year, year + 1))));
  }
  log_damping = std::log(damping_per_year);
}

double CompiledEntryStream::next_arrival(double now, StreamEngine& arrivals, std::span<const double> year_multiplier,
                                         double horizon) const {
  const bool damped = damping_per_year < 1;
  if (!damped && year_multiplier.empty()) {
    const double draw = exponential1(arrivals);
    if (growth_per_day == 0) return now + draw / groups_per_day;
    // Rate r(t) = r0 exp(g t); integrated rate from `now` to T equals the draw when
    // exp(g T) = exp(g now) + g draw / r0. A shrinking stream may never produce another arrival.
    // Written as now + log1p(x) / g, never as a difference of exponentials: a growth that is
    // zero up to rounding would otherwise give back `now` itself, for ever.
    const double x = growth_per_day * draw / (groups_per_day * std::exp(growth_per_day * now));
    if (x <= -1) return INFINITY;
    return now + std::log1p(x) / growth_per_day;
  }
  const auto last_year = static_cast<int>(year_multiplier.size()) - 1;
  auto multiplier_in = [&](int year) {
    return year_multiplier.empty() ? 1.0 : year_multiplier[static_cast<std::size_t>(std::min(year, last_year))];
  };
  double t = now;
  if (!damped) {
    double remaining = exponential1(arrivals);
    while (t <= horizon) {
      const int year = static_cast<int>(t / kDaysPerYear);
      const double year_end = (year + 1) * kDaysPerYear;
      const double rate = groups_per_day * multiplier_in(year);
      if (growth_per_day == 0) {
        const double expected = rate * (year_end - t);
        if (expected >= remaining) return t + remaining / rate;
        remaining -= expected;
      } else {
        const double rate_at_t = rate * std::exp(growth_per_day * t);
        const double expected = rate_at_t * std::expm1(growth_per_day * (year_end - t)) / growth_per_day;
        if (expected >= remaining) return t + std::log1p(growth_per_day * remaining / rate_at_t) / growth_per_day;
        remaining -= expected;
      }
      t = year_end;
    }
    return INFINITY;
  }
  const double log_phi = log_damping != 0 ? log_damping : std::log(damping_per_year);
  auto trend_log_multiplier = [&](double years) {
    return damped_trend_from_log_damping(log_growth_per_year, log_phi, years);
  };
  while (t <= horizon) {
    const int year = static_cast<int>(t / kDaysPerYear);
    const double year_end = (year + 1) * kDaysPerYear;
    const double scale = groups_per_day * multiplier_in(year);
    const double majorant =
        scale * (static_cast<std::size_t>(year) < majorant_factor_by_year.size()
                     ? majorant_factor_by_year[static_cast<std::size_t>(year)]
                     : std::exp(std::max(trend_log_multiplier(year), trend_log_multiplier(year + 1))));
    const double candidate = t + exponential1(arrivals) / majorant;
    if (candidate >= year_end) {
      t = year_end;
      continue;
    }
    const double rate = scale * std::exp(trend_log_multiplier(candidate / kDaysPerYear));
    if (uniform_open01(arrivals) * majorant < rate) return candidate;
    t = candidate;
  }
  return INFINITY;
}

namespace {

CompiledEntryStream compile_stream(const EntryStream& stream, const std::vector<double>& group_sizes,
                                   double horizon_time) {
  CompiledEntryStream compiled;
  // First placements are compiled even for a stream without entries: children coming back into care
  // ([re_entry]) draw theirs from their stream's.
  for (int b = 0; b < kAgeBandCount; ++b) {
    compiled.first_placement[b] = CumulativeTable<kCategoryCount>::from(stream.first_placement_probability[b]);
  }
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
  compiled.log_growth_per_year = std::log1p(stream.annual_growth_rate);
  compiled.growth_per_day = compiled.log_growth_per_year / kDaysPerYear;
  compiled.damping_per_year = stream.trend_damping_per_year;
  compiled.cache_damped_trend(horizon_time);

  std::array<double, kAgeBandCount * kSexCount> weights{};
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (int s = 0; s < kSexCount; ++s) weights[b * kSexCount + s] = stream.expected_per_year[b][s];
  }
  compiled.age_band_and_sex = CumulativeTable<kAgeBandCount * kSexCount>::from(weights);
  return compiled;
}

}  // namespace

CompiledModel CompiledModel::compile(const Scenario& scenario, double horizon_time) {
  CompiledModel model;
  model.origin = scenario.origin;
  model.horizon_time = horizon_time;
  model.care_leavers = scenario.care_leavers;
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
      const auto& probability = scenario.destination_probability[c][b];
      double total = 0;
      for (double p : probability) total += p;
      for (int o = 0; o < kOutcomeCount; ++o) {
        model.destination_probability[c][b][o] = total > 0 ? probability[o] / total : 0.0;
      }
    }
  }
  model.entries = compile_stream(scenario.entries, scenario.sibling_group_size_probability, horizon_time);
  model.uasc = compile_stream(scenario.uasc, {1.0}, horizon_time);
  model.staying_put_probability = scenario.staying_put_probability;
  tie_entries_to_population(scenario, horizon_time, model);
  if (const TimeInCare& care = scenario.time_in_care; care.enabled()) {
    // A month is a twelfth of the engine's year, as calibration counts it.
    for (const std::int32_t months : care.band_starts_months) model.care_band_start.push_back(months * kDaysPerYear / 12);
    model.care_exit_multiplier = care.exit_hazard_multiplier;
    model.care_move_multiplier = care.move_hazard_multiplier;
    const auto cells = static_cast<std::size_t>(kCategoryCount) * kAgeBandCount * care.band_starts_months.size();
    model.care_hazard_scale.resize(cells);
    model.care_destination.resize(cells);
    for (int c = 0; c < kCategoryCount; ++c) {
      for (int b = 0; b < kAgeBandCount; ++b) {
        for (int k = 0; k < model.care_band_count(); ++k) {
          const std::size_t cell = model.care_cell(c, b, k);
          model.care_hazard_scale[cell] =
              reweight_endings(model.destination_probability[c][b], model.care_exit_multiplier[static_cast<std::size_t>(k)],
                               model.care_move_multiplier[static_cast<std::size_t>(k)], model.care_destination[cell]);
        }
      }
    }
  }
  return model;
}

double reweight_endings(const std::array<double, kOutcomeCount>& probability, double exit_factor, double move_factor,
                        CumulativeTable<kOutcomeCount>& table) {
  std::array<double, kOutcomeCount> weighted{};
  double scale = 0;
  double total = 0;
  for (int o = 0; o < kOutcomeCount; ++o) {
    weighted[o] = probability[o] * (outcome_is_exit(o) ? exit_factor : move_factor);
    scale += weighted[o];
    total += probability[o];
  }
  if (scale > 0) {
    // CumulativeTable::from normalises, dividing by the scale.
    table = CumulativeTable<kOutcomeCount>::from(weighted);
    return scale;
  }
  table = CumulativeTable<kOutcomeCount>::from(probability);
  return total > 0 ? 0.0 : 1.0;
}

template struct CumulativeTable<kCategoryCount>;
template struct CumulativeTable<kOutcomeCount>;
template struct CumulativeTable<kAgeBandCount * kSexCount>;
template struct CumulativeTable<CompiledModel::kMaxGroupSize>;

}  // namespace carecast
