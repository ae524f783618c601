// A scenario turned into the tables the event loop reads: rates per day, cumulative
// probabilities ready for inversion, calendar marks as clock times. Built once per run (or once
// per replication when rates are drawn from their posterior), never inside the event loop.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "core/calendar.hpp"
#include "core/categories.hpp"
#include "core/random_streams.hpp"
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

// gamma * D(t): the log of the damped entry trend's multiplier `years` after the origin
// (EntryStream in scenario.hpp), with gamma = log(1 + annual growth) and phi the damping a year.
// D(t) = (1 - phi^t) / (-log phi), written as expm1(t log phi) / log phi to keep its precision as
// phi approaches 1, where D(t) = t.
double damped_trend_log_multiplier(double log_growth_per_year, double damping_per_year, double years);

// One stream of children entering care (the main stream, or UASC).
struct CompiledEntryStream {
  double groups_per_day = 0;        // at the origin
  double growth_per_day = 0;        // log(1 + annual growth) / days per year
  double log_growth_per_year = 0;   // log(1 + annual growth)
  double damping_per_year = 1;      // phi of the damped trend: 1 = undamped
  // For a damped trend, worked out once by compile (cache_damped_trend): log phi, and for each year
  // k up to the horizon's the thinning's majorant factor, exp(max(gamma D(k), gamma D(k + 1))).
  // next_arrival reads them instead of computing them for every candidate arrival (the values are
  // the same); a stream filled in by hand without them has them computed as it goes.
  double log_damping = 0;
  std::vector<double> majorant_factor_by_year;
  void cache_damped_trend(double horizon_time);
  // Joint distribution of a child's (age band, sex): index band * kSexCount + sex.
  CumulativeTable<kAgeBandCount * kSexCount> age_band_and_sex;
  PerAgeBand<CumulativeTable<kCategoryCount>> first_placement;
  CumulativeTable<8> group_size;    // index i = size i + 1; UASC always size 1
  // With entries a rate per 10,000 children (population_entries.hpp), by forecast year: expected
  // entries relative to the origin's, and the (age band, sex) distribution. Empty otherwise.
  std::vector<double> population_multiplier_by_year;
  std::vector<CumulativeTable<kAgeBandCount * kSexCount>> age_band_and_sex_by_year;
  bool active() const { return groups_per_day > 0; }
  // The (age band, sex) distribution of children entering at clock time t.
  const CumulativeTable<kAgeBandCount * kSexCount>& age_band_and_sex_at(double t) const {
    if (age_band_and_sex_by_year.empty()) return age_band_and_sex;
    const auto year = std::min(static_cast<std::size_t>(std::max(t, 0.0) / kDaysPerYear),
                               age_band_and_sex_by_year.size() - 1);
    return age_band_and_sex_by_year[year];
  }
  // Expected groups a day at clock time t, before any year-to-year multiplier.
  double groups_per_day_at(double t) const;
  // Time of the next arrival after `now`, drawn from `arrivals`, of the Poisson process whose rate
  // is groups_per_day_at(t) times the multiplier of the year t falls in (year k = [k, k+1) years
  // of kDaysPerYear days; `year_multiplier` empty = 1 every year, else it covers every year up to
  // `horizon`). Returns a time after `horizon` (or infinity) when there is none before it.
  //   - undamped, no multipliers: inverts the integrated rate with one Exp(1) draw, exactly as
  //     before damping and multipliers existed, so such runs keep their results;
  //   - undamped with multipliers: the same inversion year by year (one Exp(1) draw);
  //   - damped: exact thinning year by year. Within a year the rate is monotone, so its larger
  //     end is a majorant; a candidate from the majorant's process is kept with probability
  //     rate / majorant, and a candidate past the year's end restarts at the year's end (the
  //     exponential is memoryless).
  double next_arrival(double now, StreamEngine& arrivals, std::span<const double> year_multiplier,
                      double horizon) const;
};

// Exits weighted by `exit_factor` and moves by `move_factor`: the hazards of exits and of moves
// are the ending hazard times the destination's probability, so scaling them scales the ending
// hazard by the returned mixture sum_o P(o) * factor(o) and re-weights the destinations into
// `table`. A cell with no destinations (a category never used) keeps its hazard (scale 1) and its
// table; factors of 0 for every outcome it has give a scale of 0, and the table is then never read.
double reweight_endings(const std::array<double, kOutcomeCount>& probability, double exit_factor, double move_factor,
                        CumulativeTable<kOutcomeCount>& table);

struct CompiledModel {
  static constexpr int kMaxGroupSize = 8;

  Date origin;
  double horizon_time = 0;  // clock time of the last reporting date
  std::vector<double> duration_band_start;  // days
  int duration_band_count = 0;
  // Hazard per day by [category][age band][duration band], flattened.
  std::vector<double> hazard_per_day;
  PerCategory<PerAgeBand<CumulativeTable<kOutcomeCount>>> destination;
  // The same destinations as probabilities (normalised), for re-weighting exits against moves
  // year by year (systemic_variation.hpp).
  PerCategory<PerAgeBand<std::array<double, kOutcomeCount>>> destination_probability{};
  CompiledEntryStream entries;
  CompiledEntryStream uasc;
  double staying_put_probability = 0;
  // Care leavers' rates (transition hazards and shares): the scenario's, or this replication's draw
  // of them (parameter_draws.hpp).
  CareLeaverSettings care_leavers;
  // The national transfer scheme's cap on UASC looked after, by forecast year (population_entries.hpp);
  // empty = no cap.
  std::vector<double> uasc_cap_by_year;
  // Time in care (Scenario::time_in_care): where each band starts, in days since care began (empty:
  // no effect, one band), each band's exit and move multipliers, and by [category][age band][care
  // band] the ending hazard's scale and the destinations re-weighted by them.
  std::vector<double> care_band_start;
  std::vector<double> care_exit_multiplier;
  std::vector<double> care_move_multiplier;
  std::vector<double> care_hazard_scale;
  std::vector<CumulativeTable<kOutcomeCount>> care_destination;

  bool varies_with_time_in_care() const { return !care_band_start.empty(); }
  int care_band_count() const { return care_band_start.empty() ? 1 : static_cast<int>(care_band_start.size()); }
  // The care band of a child whose care began at `care_start`, at clock time t.
  int care_band_at(double care_start, double t) const {
    int band = 0;
    while (band + 1 < care_band_count() && care_start + care_band_start[static_cast<std::size_t>(band) + 1] <= t) {
      ++band;
    }
    return band;
  }
  std::size_t care_cell(int category, int age_band, int care_band) const {
    return (static_cast<std::size_t>(category) * kAgeBandCount + static_cast<std::size_t>(age_band)) *
               static_cast<std::size_t>(care_band_count()) +
           static_cast<std::size_t>(care_band);
  }

  double hazard(int category, int age_band, int duration_band) const {
    return hazard_per_day[(static_cast<std::size_t>(category) * kAgeBandCount + age_band) * duration_band_count +
                          duration_band];
  }
  static CompiledModel compile(const Scenario& scenario, double horizon_time);
};

}  // namespace carecast
