// Year-to-year variation of entries and exits from a published-figures file, for `carecast fit`.
//
// A synthetic likelihood with a linear mean emulator sees only the figures' means, not how much
// they vary from year to year, so the fit sizes [variation] as calibrate does from SSDA903 returns
// (calibration/estimation.hpp): the method of moments on the yearly counts' departures from what
// was expected of them, beyond Poisson noise (extra_poisson_variance), allowing for the
// autocorrelation (autocorrelated_variance) and shrunk towards a prior (shrink_variation). Here the
// prior is the base scenario's own variation, and its autocorrelation, drift and moves' variation
// (moves are not in a figures file) are kept.
//
// The yearly counts are the `entries` and `exits` figures of category `all` over full collection
// years (1 April to 31 March) ending by the origin; only the latest run of consecutive such years
// is used, because the estimator takes the years as equally spaced (a gap would count two years'
// change as one's).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calibration/estimation.hpp"
#include "history/published_figures.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// Full collection years a series needs before its variation is estimated. With a level and a trend
// taken out, 5 years leave 3 degrees of freedom against the prior's 4 years (calibrate's
// variation_prior_years), so the result is already mostly prior; with fewer it would be nearly all
// prior while looking like an estimate (extra_poisson_variance itself needs 4 at the least, and
// the sd of a variance from 2 degrees of freedom is as large as the variance).
inline constexpr int kMinimumVariationYears = 5;

struct FiguresProcessVariation {
  FigureMetric metric = FigureMetric::entries;
  // The latest run of consecutive full collection years ending by the origin: the 31 March ending
  // each, oldest first (empty when there is none).
  std::vector<int> years_ending;
  int full_years = 0;  // full collection years ending by the origin, consecutive or not
  bool estimated = false;  // years_ending has kMinimumVariationYears or more
  double base_innovation_sd = 0;  // the base's *_sd_log_per_year
  double prior_marginal_sd = 0;   // the same, as a marginal sd with the base's autocorrelation
  // observed, expected (a log-linear trend), raw (the moments), ar_variance, marginal_sd (shrunk)
  // and innovation_sd (what the fitted scenario takes, within the scenario bounds); for a series
  // not estimated, innovation_sd is the base's.
  ProcessVariation process;
};

struct VariationFromFigures {
  double autocorrelation = 0;  // the base's, kept
  FiguresProcessVariation entries;
  FiguresProcessVariation exits;

  bool any_estimated() const { return entries.estimated || exits.estimated; }
  // `base` with the estimated innovation sds in place of its own (the rest kept).
  SystemicVariation applied_to(const SystemicVariation& base) const;
  // For the fit's report and the fitted file's comments: for entries and exits, the estimate (years
  // used, the raw extra-Poisson sd, the prior, the result) or why the base's value was kept.
  std::vector<std::string> notes() const;
};

// Uses only figures whose date is on or before `origin` (later ones are not fitted).
VariationFromFigures variation_from_figures(const PublishedFigures& figures, const SystemicVariation& base,
                                            Date origin);

}  // namespace carecast
