// Pooled fits to published figures over several councils (`fit --pool-councils`): each council's
// fitted multipliers shrunk towards the region's by empirical Bayes, so that a council whose
// figures are few and small borrows strength from the others, while one whose figures pin its
// rates keeps its own.
//
// The model. Council j's log multiplier of a pooled parameter k (fit_parameters.hpp) is drawn
// from Normal(mu_k, tau_k^2) about the region's mu_k: councils differ, by tau_k. Each council's
// figures give a likelihood for its multipliers. Empirical Bayes estimates mu and tau from all the
// councils' likelihoods together, then fits every council again with Normal(mu_k, tau_k^2 +
// se(mu_k)^2) as its prior in place of the default Normal(0, prior sd) about the base.
//
// How, in three steps:
//   1. Each council is fitted alone, with the default priors. Its fit's last round gives a Gaussian
//      likelihood of all its free parameters together (synthetic_likelihood.hpp): a precision
//      matrix and a score, with the prior left out, so the posterior under any other Gaussian
//      prior follows in closed form. A council counts towards parameter k when its figures alone
//      give k at least a quarter of the default prior's precision.
//   2. mu and tau by maximum likelihood, with the EM algorithm: given mu and tau, each council's
//      posterior (its likelihood times the region's prior, all its parameters at once, so that one
//      parameter's evidence is not mistaken for another's); then mu_k the mean of the councils'
//      posterior means, and tau_k^2 the mean of their squared distances from it plus their
//      posterior variances. A parameter the councils do not show differing keeps a small tau.
//   3. Every council is fitted again, simulating afresh, with the pooled prior.
// The prior's sd is never below the sd of the region's estimate mu (the region's rate is not known
// better than its councils' figures tell), nor above twice the default's (a wild spread would let
// the simulations stray into rates no council has).
//
// What is pooled: the rates that mean the same in any council (the ending hazards, moves, each exit
// reason, the entry trend and the tilt of entries towards older ages). The levels are each
// council's own (entries, UASC entries, the children at the fit's start): they follow a council's
// size, and a region's average says nothing about them.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "fitting/published_fit.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// What one council's figures say about its free parameters: a Gaussian likelihood (FitResult::likelihood_*).
struct CouncilLikelihood {
  std::vector<FitParameter> parameters;  // its free parameters, in enumeration order
  Eigen::MatrixXd precision;
  Eigen::VectorXd score;
};

// The region's estimate of one parameter.
struct RegionEstimate {
  int councils = 0;            // councils whose figures inform it
  double mean = 0;             // mu
  double mean_se = 0;          // its standard error
  double spread_variance = 0;  // tau^2
};

// mu and tau^2 for each parameter in `pooled` informed by 2 or more councils (others: nullopt), by EM as above. The
// parameters not estimated keep their default priors (info_of(parameter).prior_sd about 0) in each council's
// posterior.
std::array<std::optional<RegionEstimate>, kFitParameterCount> estimate_region(
    const std::vector<CouncilLikelihood>& councils, const std::array<bool, kFitParameterCount>& pooled);

// Whether a parameter is pooled (a rate) or each council's own (a level).
bool is_pooled_parameter(FitParameter parameter);

struct PooledParameter {
  FitParameter parameter = FitParameter::entry_level;
  bool pooled = false;         // is_pooled_parameter
  int councils_informing = 0;  // councils whose figures inform it
  bool estimated = false;      // 2 or more did: mu and tau were estimated, and the councils' refits use them
  RegionEstimate region;       // when estimated
  ParameterPrior prior;        // the prior every council's refit took (when estimated)
  std::string reason;          // why it was not pooled, or how it was
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
// between-council sd tau, the councils informing it and the prior used.
std::string pooling_csv(const PooledFit& fit);

}  // namespace carecast
