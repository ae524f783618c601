// Pooled fits to published figures over several councils (`fit --pool-councils`): each council's
// fitted multipliers shrunk towards the region's by empirical Bayes, so that a council whose
// figures are few and small borrows strength from the others, while one whose figures pin its
// rates keeps its own.
//
// The model. Council j's log multiplier of a pooled parameter k (fit_parameters.hpp) is drawn
// from Normal(mu_k(j), tau_k^2): councils differ, by tau_k, about the region's mu_k, which is a
// line in the log of the council's size (its entries a year). Small
// councils are not large ones scaled down (fewer children's homes of their own, placements further
// away, a few families weighing on every rate), and a region's many small councils must not pull a
// large one towards rates that are theirs: each council is pooled towards councils of its size.
// Empirical Bayes estimates the line and tau from all the councils' likelihoods together, then fits
// every council again with Normal(mu_k(j), E[tau_k^2] + se(mu_k(j))^2) as its prior in place of the
// default Normal(0, prior sd) about the base (E[tau_k^2], the spread's posterior mean, below).
//
// How, in three steps:
//   1. Each council is fitted alone, with the default priors. Its fit's last round gives a Gaussian
//      likelihood of all its free parameters together (synthetic_likelihood.hpp): a precision
//      matrix and a score, with the prior left out, so the posterior under any other Gaussian
//      prior follows in closed form. A council counts towards parameter k when its figures alone
//      give k at least a quarter of the default prior's precision.
//   2. The lines and spreads by maximum likelihood, with the EM algorithm. Given the spreads, the
//      lines that maximise the likelihood solve a linear system (each council's posterior mean is
//      linear in its prior mean); given the lines, each council's posterior (its likelihood times
//      the region's prior, all its parameters at once, so that one parameter's evidence is not
//      mistaken for another's) gives tau_k^2 as the mean of the councils' squared distances from
//      their line plus their posterior variances. Repeated until the spreads settle. That is each
//      spread's posterior mode; its posterior mean of tau_k^2 (each spread read on a grid, the lines
//      profiled, the others at their modes) is what a council's prior takes: with councils whose
//      figures say little apiece the spread is itself uncertain, and the mode alone left the small
//      councils' pooled intervals too narrow (tests/pooled_fit_test.cpp).
//   3. Every council smaller than --pool-below (entries a year) is fitted again, simulating afresh, with its
//      pooled prior; the larger ones keep their own fits (see fit_pooled).
// The prior's sd is never below the sd of the line at the council's size (the region's rate is not
// known better than its councils' figures tell), nor above twice the default's (a wild spread
// would let the simulations stray into rates no council has).
//
// What is pooled: the rates that mean the same in any council (the ending hazards, moves, each exit
// reason, the entry trend and the tilt of entries towards older ages). The levels are each
// council's own (entries, UASC entries, the children at the fit's start): they follow a council's
// size, and a region's average says nothing about them.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "fitting/published_fit.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// What one council's figures say about its free parameters: a Gaussian likelihood (FitResult::likelihood_*), and
// its size (entries a year: see fit_pooled).
struct CouncilLikelihood {
  std::vector<FitParameter> parameters;  // its free parameters, in enumeration order
  Eigen::MatrixXd precision;
  Eigen::VectorXd score;
  double size = 0;
};

// The region's estimate of one parameter: a line in the log of a council's size (small councils are not large
// ones scaled down), with the councils' spread about it.
struct RegionEstimate {
  int councils = 0;      // councils whose figures inform it
  double centre = 0;     // the mean log size of those councils: the line's intercept is there
  double intercept = 0;  // the log multiplier at the centre
  double slope = 0;      // its change per unit of log size (0 when the councils are all of a size)
  Eigen::Matrix2d covariance = Eigen::Matrix2d::Zero();  // of (intercept, slope)
  double spread_variance = 0;                            // tau^2, its posterior mode
  // tau^2's posterior mean (at least the mode): a council's prior variance about the line, with the line's own.
  double predictive_spread_variance = 0;
  double mean_at(double size) const { return intercept + slope * (std::log(size) - centre); }
  double mean_se_at(double size) const {
    const Eigen::Vector2d x(1, std::log(size) - centre);
    return std::sqrt(x.dot(covariance * x));
  }
};

// mu (as a line in log size) and tau^2 for each parameter in `pooled` informed by 2 or more councils (others:
// nullopt), by EM as above; the line is flat when the informing councils' sizes differ by less than 5% (sd of
// log size) or are fewer than 3. The parameters not estimated keep their default priors (info_of(parameter).
// prior_sd about 0) in each council's posterior.
std::array<std::optional<RegionEstimate>, kFitParameterCount> estimate_region(
    const std::vector<CouncilLikelihood>& councils, const std::array<bool, kFitParameterCount>& pooled);

// A council's size, for the region's lines and --pool-below: its entries a year (all its figures of entries for
// all children, over their periods), else its first children looked after, else its base's children. Entries come
// first because they do not depend on the rates pooled: a council whose children stay longer has more of them
// looked after, so a size read from them would tie slower endings to bigger councils.
double council_size(const PublishedFigures& figures, const Scenario& base);

// Whether a parameter is pooled (a rate) or each council's own (a level).
bool is_pooled_parameter(FitParameter parameter);

struct PooledParameter {
  FitParameter parameter = FitParameter::entry_level;
  bool pooled = false;         // is_pooled_parameter
  int councils_informing = 0;  // councils whose figures inform it
  bool estimated = false;      // 2 or more did: mu and tau were estimated, and the councils' refits use them
  RegionEstimate region;       // when estimated
  double median_size = 0;      // the median council's size, where the region's multiplier is stated
  std::string reason;          // why it was not pooled, or how it was
};

struct CouncilFigures {
  std::string name;
  const PublishedFigures* figures = nullptr;
  const Scenario* base = nullptr;  // the base this council's rates are multipliers of
  // A base shared by several councils was written for a council of another size: its entries, UASC entries,
  // children who left care before the origin and care leavers are first scaled by the council's first
  // children-looked-after figure over the base's children (as the fit scales its starting children), so that
  // entry_level is a multiplier near 1 for every council and re-entries are the council's size.
  bool shared_base = false;
};

// The base scaled to a council's size as above; `note` says by how much, or why not (no children-looked-after
// figure for all children, or a base without children).
Scenario base_scaled_to_council(const Scenario& base, const PublishedFigures& figures, std::string& note);

struct PooledFit {
  std::vector<PooledParameter> parameters;  // every FitParameter, in enumeration order
  std::vector<FitResult> alone;             // each council's fit with the default priors, in input order
  std::vector<FitResult> pooled;            // each council's fit with the pooled priors (or alone: refitted)
  std::vector<bool> refitted;               // whether the council was fitted again (below pool_below)
  double pool_below = 0;
  std::vector<Scenario> bases;  // each council's base as fitted (scaled, for a shared base)
  // Each council's size, for the region's lines: its entries a year (its figures of entries for all children over
  // their periods; else its first children looked after, else its base's). Not children looked after first:
  // a council whose children stay longer has more of them, which would tie slower endings to bigger councils.
  std::vector<double> sizes;
  // The prior each council's refit took, by parameter (set for the estimated ones: the region's line at the
  // council's size, sd from the spread's posterior mean of tau^2 and the line's own uncertainty there, at most twice
  // the default's).
  std::vector<std::array<std::optional<ParameterPrior>, kFitParameterCount>> priors;
  // A short description of the pooling, for the terminal, pooling.csv's reader and each scenario's comments.
  std::string describe() const;
};

// Fits each council alone, estimates the region's priors and fits each council again with them. Throws
// std::invalid_argument for fewer than 2 councils or a council without figures or base; the councils'
// InputErrors (from fit_to_figures) pass through.
// `options.runs_done` hears of every replication of both passes (2 x councils x (rounds + 1) x runs).
// Councils with `pool_below` or more entries a year keep their own fit (in `pooled` too) and only inform the
// region's estimate. On the validation's worlds (README) pooling made councils of about 17 entries a year forecast
// their placement stability better, and councils of 130-240 forecast their children looked after worse; the default
// lies between (sizes between were not tried with the mended scaling of a shared base).
inline constexpr double kDefaultPoolBelow = 30;
PooledFit fit_pooled(const std::vector<CouncilFigures>& councils, const FitOptions& options,
                     double pool_below = kDefaultPoolBelow);

// pooling.csv: one row per parameter with the region's multiplier for the median council (median and 90% interval
// of mu), its change when a council is twice the size, the between-council sd tau and the councils informing it.
std::string pooling_csv(const PooledFit& fit);

}  // namespace carecast
