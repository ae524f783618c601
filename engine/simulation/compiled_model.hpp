// A scenario turned into the tables the event loop reads: rates per day, cumulative
// probabilities ready for inversion, calendar marks as clock times. Built once per run (or once
// per replication when rates are drawn from their posterior), never inside the event loop.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/calendar.hpp"
#include "core/categories.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

inline constexpr double kDaysPerYear = 365.25;

// Cumulative probabilities of a small discrete distribution, sampled by inversion so that one
// uniform can be shared by several children (siblings) and still give each its own marginal.
template <int N>
struct CumulativeTable {
  std::array<double, N> cumulative{};
  // Smallest index whose cumulative probability exceeds u (u in (0,1)). Zero-probability
  // outcomes are never chosen; rounding at the top falls to the last outcome with mass.
  int pick(double u) const {
    for (int i = 0; i < N; ++i) {
      if (u < cumulative[i]) return i;
    }
    return last_with_mass;
  }
  int last_with_mass = N - 1;
  static CumulativeTable from(const std::array<double, N>& probability);
};

// One stream of children entering care (the main stream, or UASC).
struct CompiledEntryStream {
  double groups_per_day = 0;        // at the origin
  double growth_per_day = 0;        // log(1 + annual growth) / days per year
  // Joint distribution of a child's (age band, sex): index band * kSexCount + sex.
  CumulativeTable<kAgeBandCount * kSexCount> age_band_and_sex;
  PerAgeBand<CumulativeTable<kCategoryCount>> first_placement;
  CumulativeTable<8> group_size;    // index i = size i + 1; UASC always size 1
  bool active() const { return groups_per_day > 0; }
  // Time of the next arrival after `now`, given an Exp(1) draw: inverts the integrated rate of
  // the exponentially growing Poisson process.
  double next_arrival(double now, double exp1_draw) const;
};

struct CompiledModel {
  static constexpr int kMaxGroupSize = 8;

  Date origin;
  double horizon_time = 0;  // clock time of the last reporting date
  std::vector<double> duration_band_start;  // days
  int duration_band_count = 0;
  // Hazard per day by [category][age band][duration band], flattened.
  std::vector<double> hazard_per_day;
  PerCategory<PerAgeBand<CumulativeTable<kOutcomeCount>>> destination;
  CompiledEntryStream entries;
  CompiledEntryStream uasc;
  double staying_put_probability = 0;

  double hazard(int category, int age_band, int duration_band) const {
    return hazard_per_day[(static_cast<std::size_t>(category) * kAgeBandCount + age_band) * duration_band_count +
                          duration_band];
  }
  static CompiledModel compile(const Scenario& scenario, double horizon_time);
};

}  // namespace carecast
