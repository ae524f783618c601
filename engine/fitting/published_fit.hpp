// `carecast fit`: a base scenario fitted to a published-figures file by simulation.
//
// The fit simulates from the start of the figures (the day before the first period, or the first
// stock's date) to their end, with the base's rates moved by the free multipliers of
// fit_parameters.hpp and its starting population scaled to the first children-looked-after
// figure. It estimates the multipliers' posterior with a linear-Gaussian synthetic likelihood in
// rounds (synthetic_likelihood.hpp), then simulates the posterior to report every figure's median
// and 90% interval, and to state the fitted scenario's starting population at the origin from the
// simulated children there, matched to the figures published at the origin.
#pragma once

#include <Eigen/Dense>
#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fitting/fit_parameters.hpp"
#include "fitting/variation_from_figures.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// A normal prior on one parameter's log multiplier (entry_growth: the growth rate added) in place of
// the default, Normal(0, info_of(parameter).prior_sd): a pooled fit's region-wide prior (pooled_fit.hpp).
struct ParameterPrior {
  double mean = 0;
  double sd = 1;
};

struct FitOptions {
  std::uint64_t seed = 1;
  int runs = 400;      // replications per round, and for the posterior's figures
  int rounds = 3;      // rounds of the synthetic likelihood (the first from the prior)
  int threads = 0;     // 0 = every core
  std::optional<Date> origin;  // default: the figures' last date
  // Priors in place of the defaults, by parameter (a parameter the figures do not free keeps the base's value
  // whatever its prior).
  std::array<std::optional<ParameterPrior>, kFitParameterCount> priors{};
  // Called (from any worker thread) as each replication ends, for progress; may be empty. A fit
  // runs about (rounds + 1) x runs replications.
  std::function<void(int runs)> runs_done;
};

struct ParameterEstimate {
  FitParameter parameter = FitParameter::entry_level;
  bool free = false;
  std::string reason;
  // Posterior median and 90% interval as a multiplier of the base (entry_growth: the growth rate
  // added, a fraction a year). 1 (0) for a parameter kept from the base.
  double median = 1;
  double low = 1;
  double high = 1;
};

struct FigureFit {
  std::size_t figure = 0;  // index into the figures
  bool simulated = false;  // whether the fit can produce it
  bool fitted = false;     // whether the fit used it (simulated, and not after the origin)
  double median = 0;       // the posterior's figure: median and 90% interval (simulated only)
  double low = 0;
  double high = 0;
  bool flagged = false;    // outside the fit's 90% interval, or not simulated
  std::string note;        // the likely reason, when flagged
};

struct FitResult {
  Date fit_start;
  Date origin;
  std::vector<ParameterEstimate> parameters;  // every FitParameter, in enumeration order
  std::vector<FigureFit> figures;             // in file order
  int simulations = 0;
  // The base moved to the posterior median, with its starting population at the origin, and its
  // stated uncertainty set so that each replication's rates vary as the posterior says.
  Scenario fitted;
  // Year-to-year variation of entries and exits estimated from the figures, or why the base's was kept.
  VariationFromFigures variation;
  std::vector<std::string> notes;             // how the start, the origin state and uncertainty were made
  // The free parameters (enumeration order), the prior each was given and their Gaussian posterior on the
  // log scale, for pooling councils' fits (pooled_fit.hpp).
  std::vector<FitParameter> free_parameters;
  std::vector<ParameterPrior> priors;
  Eigen::VectorXd posterior_mean;
  Eigen::MatrixXd posterior_covariance;
  // The last round's likelihood of the free parameters (GaussianPosterior::likelihood_*); empty without rounds.
  Eigen::MatrixXd likelihood_precision;
  Eigen::VectorXd likelihood_score;
};

// The scenario the fit simulates from, before any parameter is applied: the base at the figures'
// start (the day before the earliest period, or the earliest stock's day) and running past their
// end and the origin, its children scaled to the first children-looked-after figure, stability at
// the start from the figures (short term: a figure at the start, else nobody with 3+; long term:
// the first such figure, else the base's), without supply, costs, options or stated uncertainty.
// The base's expected entries (not UASC) a year at `date`: as it states them, or, where they are a
// rate per 10,000 children, that rate times its population at `date` (which must be covered).
PerAgeBand<PerSex<double>> entries_at(const Scenario& base, Date date);

struct FitStart {
  Scenario scenario;
  bool stock_known = false;  // the first children-looked-after figure is at the start
  std::string note;
};
FitStart fit_start(const Scenario& base, const PublishedFigures& figures, Date origin);

// How much a figure counts in the fit, as calibrate weights recent returns: its likelihood is raised
// to the power 2^(-age / 3 years), its age the years from its date (a flow's middle) to the origin;
// a figure at or after the origin counts whole.
double figure_recency_weight(const PublishedFigure& figure, Date origin);

// A base whose starting population is groups (as calibrate writes) is first turned into counts
// (starting_counts_from_groups.hpp). Throws InputError for a base of individual children, an origin before the
// figures begin or not at a month end, or figures spanning more than 10 years.
FitResult fit_to_figures(const Scenario& base, const PublishedFigures& figures, const FitOptions& options);

}  // namespace carecast
