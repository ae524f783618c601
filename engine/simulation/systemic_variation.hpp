// Year-to-year (systemic) variation, as Scenario::variation defines it (scenario.hpp): each
// replication draws log-scale AR(1) paths of mean-one multipliers on entries, exits and moves, one
// value a year, and turns them into the tables the event loop reads, so that the loop itself only
// indexes them by year: the entries multiplier of each year, the scale of each (category, age
// band)'s placement-ending hazard, and the destinations re-weighted so that exits and moves keep
// the shares their multipliers give them.
#pragma once

#include <span>
#include <vector>

#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"
#include "scenario/scenario_bounds.hpp"
#include "simulation/compiled_model.hpp"

namespace carecast {

// The multipliers of years 0 .. years-1, each exp(z_k + w_k - v_k / 2) for the AR(1) path z and
// the drift w of its process (v_k = Var(z_k + w_k), so each has mean 1).
struct SystemicMultipliers {
  std::vector<double> entries;
  std::vector<double> exits;
  std::vector<double> moves;
};

// The largest drift sd a replication draws when the drift sizes are uncertain
// (SystemicVariation::drift_evidence_origins) is the largest a scenario may state, kMaxDriftSdLog
// (scenario_bounds.hpp). A chi-squared draw near 0 would otherwise give a drift beyond anything a
// council has seen.

// One replication's factor on a drift sd known from `evidence_origins` (> 0) origins: sqrt(n / X)
// with X ~ chi-squared(n), so that (sd * factor)^2 is a draw from the scaled inverse chi-squared
// posterior of the drift's variance (SystemicVariation::drift_evidence_origins).
double draw_drift_scale(double evidence_origins, StreamEngine& engine);

// Draws the three AR(1) paths from `engine` and their drifts from `drift_engine`, year by year
// (entries, exits, moves within a year), so that a longer horizon extends the paths without
// changing their earlier years, and a process with sd 0 still takes its draws: changing one
// process's sd leaves the others' paths as they were. The drift engine is used only when some
// process drifts; with drift_evidence_origins > 0 it first draws the replication's drift sizes.
// Reuses the vectors' memory.
void draw_systemic_multipliers(const SystemicVariation& variation, int years, StreamEngine& engine,
                               StreamEngine& drift_engine, SystemicMultipliers& multipliers);

// Years of a replication that end at `horizon_time` (clock days): every year k with
// k * kDaysPerYear <= horizon_time.
int variation_years(double horizon_time);

// One replication's tables. Allocates only when first drawn (or for a longer horizon): reused from
// one replication to the next on a thread.
class YearlyVariation {
 public:
  // Draws the multipliers on `engine` (drifts on `drift_engine`) and builds the tables for
  // `model`'s hazards and destinations.
  void draw(const SystemicVariation& variation, const CompiledModel& model, StreamEngine& engine,
            StreamEngine& drift_engine);

  // Whether the endings vary (exits or moves have an sd or a drift above 0); otherwise every hazard scale is 1
  // and the destinations are the model's.
  bool varies_endings() const { return varies_endings_; }
  int years() const { return years_; }
  // The year of clock time t: one division, clamped to the years drawn.
  int year_at(double t) const {
    const int year = static_cast<int>(t / kDaysPerYear);
    return year < 0 ? 0 : (year < years_ ? year : years_ - 1);
  }
  double year_start(int year) const { return year * kDaysPerYear; }
  std::span<const double> entry_multipliers() const { return multipliers_.entries; }
  const SystemicMultipliers& multipliers() const { return multipliers_; }
  // P(exit) * m_exits + P(move) * m_moves of the year, for (category, age band, care band); with a
  // time-in-care effect (CompiledModel::care_band_start) each multiplier is also times the care
  // band's, otherwise the care band is always 0.
  double hazard_scale(int year, int category, int age_band, int care_band) const {
    return hazard_scale_[cell(year, category, age_band, care_band)];
  }
  // Destinations given a placement ends in that year: exits weighted by m_exits, moves by m_moves.
  const CumulativeTable<kOutcomeCount>& destination(int year, int category, int age_band, int care_band) const {
    return destination_[cell(year, category, age_band, care_band)];
  }

 private:
  std::size_t cell(int year, int category, int age_band, int care_band) const {
    return ((static_cast<std::size_t>(year) * kCategoryCount + static_cast<std::size_t>(category)) * kAgeBandCount +
            static_cast<std::size_t>(age_band)) *
               static_cast<std::size_t>(care_bands_) +
           static_cast<std::size_t>(care_band);
  }
  int care_bands_ = 1;
  SystemicMultipliers multipliers_;
  std::vector<double> hazard_scale_;
  std::vector<CumulativeTable<kOutcomeCount>> destination_;
  int years_ = 0;
  bool varies_endings_ = false;
};

}  // namespace carecast
