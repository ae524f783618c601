// Pooled fits to published figures over several councils (`fit --pool-councils`): each council's
// fitted multipliers shrunk towards the region's by empirical Bayes, so that a council whose
// figures are few and small borrows strength from the others, while one whose figures pin its
// rates keeps its own.
//
// The model. Council j's log multiplier of a pooled parameter k (fit_parameters.hpp) is drawn
// from Normal(mu_k, tau_k^2) about the region's mu_k: councils differ, by tau_k. Each council's
// figures give a likelihood for its own multiplier. Empirical Bayes estimates mu_k and tau_k from
// the councils' fits, then fits every council again with Normal(mu_k, tau_k^2 + se(mu_k)^2) as its
// prior in place of the default Normal(0, prior sd) about the base.
//
// How, in two passes:
//   1. Each council is fitted alone, with the default priors. Its fit's posterior is Gaussian
//      (synthetic_likelihood.hpp); dividing out the prior leaves what its figures say about each
//      parameter: an estimate y_j and its variance v_j (the likelihood's, on that parameter's
//      margin). A council whose figures add less than a quarter of the prior's information on a
//      parameter says too little to count in the region's estimate of it.
//   2. For each pooled parameter, a random-effects estimate over the councils that inform it:
//      tau^2 by Paule and Mandel (the tau^2 at which sum_j w_j (y_j - mu)^2 = J - 1, with
//      w_j = 1 / (v_j + tau^2); 0 when the councils differ by no more than their noise), mu the
//      weighted mean. Then every council is fitted again with the pooled prior.
// The prior's sd is never below the sd of the region's estimate mu (the region's rate is not known
// better than its councils' figures tell), nor above twice the default's (a wild spread would let
// the simulations stray into rates no council has).
//
// What is pooled: the rates that mean the same in any council (the ending hazards, moves, each exit
// reason, the entry trend and the tilt of entries towards older ages). The levels are each
// council's own (entries, UASC entries, the children at the fit's start): they follow a council's
// size, and a region's average says nothing about them.
#pragma once

#include <string>
#include <vector>

#include "fitting/published_fit.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// A random-effects estimate from several councils' estimates and their variances.
struct RandomEffectsEstimate {
  int councils = 0;
  double mean = 0;             // mu, weighted by 1 / (v_j + tau^2)
  double mean_se = 0;          // its standard error
  double spread_variance = 0;  // tau^2, Paule-Mandel's; 0 when the councils differ by no more than chance
};

// Needs 2 or more estimates, each variance positive and finite (std::invalid_argument otherwise).
RandomEffectsEstimate random_effects(const std::vector<double>& estimates, const std::vector<double>& variances);

// What one council's figures say about one parameter: its fit's posterior with the prior divided out, on the
// parameter's margin. `informative` is false when the parameter was not free or the figures add less than a
// quarter of the prior's information.
struct CouncilEvidence {
  bool informative = false;
  double estimate = 0;
  double variance = 0;
};
CouncilEvidence evidence_from_fit(const FitResult& fit, FitParameter parameter);

// Whether a parameter is pooled (a rate) or each council's own (a level).
bool is_pooled_parameter(FitParameter parameter);

struct PooledParameter {
  FitParameter parameter = FitParameter::entry_level;
  bool pooled = false;           // is_pooled_parameter
  int councils_informing = 0;    // councils whose figures inform it (CouncilEvidence::informative)
  bool estimated = false;        // 2 or more did: mu and tau were estimated, and the councils' refits use them
  RandomEffectsEstimate region;  // when estimated
  ParameterPrior prior;          // the prior every council's refit took (when estimated)
  std::string reason;            // why it was not pooled, or how it was
};

struct CouncilFigures {
  std::string name;
  const PublishedFigures* figures = nullptr;
  const Scenario* base = nullptr;  // the base this council's rates are multipliers of
  // A base shared by several councils was written for a council of another size: its entries (and UASC
  // entries) are first scaled by the council's first children-looked-after figure over the base's children
  // (as the fit scales its starting children), so that entry_level is a multiplier near 1 for every council.
  bool shared_base = false;
};

// The base scaled to a council's size as above; `note` says by how much, or why not (no children-looked-after
// figure for all children, or a base without children).
Scenario base_scaled_to_council(const Scenario& base, const PublishedFigures& figures, std::string& note);

struct PooledFit {
  std::vector<PooledParameter> parameters;  // every FitParameter, in enumeration order
  std::vector<FitResult> alone;             // each council's fit with the default priors, in input order
  std::vector<FitResult> pooled;            // each council's fit with the pooled priors
  std::vector<Scenario> bases;              // each council's base as fitted (scaled, for a shared base)
  // A short description of the pooling, for the terminal, pooling.csv's reader and each scenario's comments.
  std::string describe() const;
};

// Fits each council alone, estimates the region's priors and fits each council again with them. Throws
// std::invalid_argument for fewer than 2 councils or a council without figures or base; the councils'
// InputErrors (from fit_to_figures) pass through.
// `options.runs_done` hears of every replication of both passes (2 x councils x (rounds + 1) x runs).
PooledFit fit_pooled(const std::vector<CouncilFigures>& councils, const FitOptions& options);

// pooling.csv: one row per parameter with the region's multiplier (median and 90% interval of mu), the
// between-council sd tau, the councils informing it and the prior used; the text of `describe` is not repeated.
std::string pooling_csv(const PooledFit& fit);

}  // namespace carecast
