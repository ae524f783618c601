// Pooled estimates over several councils (calibrate --pool-councils): each council's rates shrunk
// towards the region's by empirical Bayes, so that a council with few children borrows strength
// from the others while one with much evidence keeps its own rates.
//
// The model, for each kind of rate:
//   - placement-ending hazards: council j's hazard in cell c is the region's times a council effect
//     u ~ Gamma(mean 1, variance phi), phi common to every cell. Its prior is then Gamma(1/phi,
//     1/(phi m_c)): the region's rate m_c worth 1/phi endings. A cell with many more endings than
//     1/phi keeps its own rate; one with few moves to the region's.
//   - shares (destinations of a placement ending by category and age band, first placements by age
//     band): council j's shares are Dirichlet(A p_c) about the region's shares p_c, A common to the
//     cells of the kind; the prior is the region's shares worth A events.
//   - entries: SSDA903 returns give no population at risk, so a council's level of entries is its
//     own; the mix of its entries over age bands and sexes is pooled as a share (worth A entries).
// The spread (phi, or A through rho = 1 / (A + 1), the share of a count's variance between
// councils) is estimated by the method of moments, pooled over the kind's cells (the estimators are
// below). It can come out at or below no spread at all: the councils then differ by no more than
// noise, and the region's rate takes its whole weight. In every cell the prior is worth at most the
// region's own evidence there (its time at risk, or its count, plus the within-council prior's):
// the region's rate is not known better than its data tell.
//
// The region's rate in each cell is itself shrunk the way a single council's is (estimation.hpp,
// CalibrationOptions): a hazard towards its category's rate over the region with
// hazard_prior_child_years, shares towards the category's shares (the stream's, for first
// placements) with share_prior_events. A council keeps its own categories: the region's shares are
// restricted to the outcomes (moves into a category, or leaving care) the council's placements
// use, so that no child is sent to a kind of placement the council was never seen to use.
//
// What is left as each council estimated it: the time-in-care multipliers (fitted with the
// council's own hazards), year-to-year variation and drift, re-entry, staying put, the trend of
// entries and sibling group sizes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "calibration/estimation.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// One council's events and time at risk in one cell of a rate.
struct EventsAndExposure {
  double events = 0;
  double exposure = 0;
};

// The between-council spread of one kind of rate, estimated by the method of moments.
struct BetweenCouncilSpread {
  bool estimated = false;  // some cell had 2 or more councils with evidence, and the estimator was defined
  double raw = 0;          // the estimate as computed (phi or rho), possibly at or below 0
  int cells = 0;           // cells with 2 or more councils with evidence
  // The events (or counts) the region's rate is worth as each council's prior: 1/phi for hazards, A = 1/rho - 1
  // for shares. Empty when the spread is at or below 0 (the region's rate takes its whole weight, up to the
  // region's own evidence) or not estimated (see `estimated`).
  std::optional<double> prior_weight;
};

// The relative variance phi of councils' true rates about the region's, Var(lambda_j) = phi m^2, from each
// cell's (events, exposure) by council. With r_j = events / exposure, m = sum events / sum exposure and E =
// sum exposure over the J councils with exposure in the cell, E[sum_j E_j (r_j - m)^2] = (J - 1) m + phi m^2
// (E - sum_j E_j^2 / E); summing both sides over cells with J >= 2 and m > 0:
//   phi = sum_c [sum_j E_j (r_j - m_c)^2 - (J_c - 1) m_c] / sum_c m_c^2 (E_c - sum_j E_j^2 / E_c).
// Councils with no exposure in a cell are left out of it.
BetweenCouncilSpread rate_spread(const std::vector<std::vector<EventsAndExposure>>& cells);

// rho, the intra-council correlation of a Dirichlet-multinomial, from each cell's counts by council and
// outcome (every council's vector the same length). With N_j council j's count, s_j its shares, p the
// count-weighted mean shares, N = sum N_j and q = 1 - sum_o p_o^2, E[sum_j N_j sum_o (s_jo - p_o)^2] =
// q [(J - 1) + rho (N - sum_j N_j^2 / N - (J - 1))]; summing over cells with J >= 2 and q > 0:
//   rho = sum_c [S_c - q_c (J_c - 1)] / sum_c q_c (N_c - sum_j N_j^2 / N_c - (J_c - 1)).
// The prior weight is A = 1 / rho - 1 (none above rho = 1: no pooling then). Councils with no count in a cell
// are left out of it.
BetweenCouncilSpread share_spread(const std::vector<std::vector<std::vector<double>>>& cells);

// One council to pool: its calibrated scenario (with evidence), whose rates are replaced by the pooled ones,
// and the evidence to estimate the spread from: the same calibration without recency weighting, because
// weighted counts are not Poisson (their variance is below their mean) and would understate the spread.
struct CouncilToPool {
  std::string name;
  Scenario* scenario = nullptr;
  const RateEvidence* unweighted = nullptr;
};

struct PooledEstimates {
  int councils = 0;
  BetweenCouncilSpread hazards, destinations, first_placements, uasc_first_placements, entry_mix, uasc_entry_mix;
  // A short description of the pooling, the same for every council, for the terminal and each scenario's comments.
  std::string describe() const;
};

// Replaces each council's priors (Scenario::evidence) and rates by the pooled ones, as above. `options` gives
// the within-council priors the region's rates are shrunk with (hazard_prior_child_years, share_prior_events).
// Throws std::invalid_argument for fewer than 2 councils, a scenario without evidence, or councils whose
// duration bands differ.
PooledEstimates pool_council_estimates(const std::vector<CouncilToPool>& councils, const CalibrationOptions& options);

}  // namespace carecast
