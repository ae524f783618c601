#include "fitting/pooled_fit.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/tools/roots.hpp>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>

#include "fitting/starting_counts_from_groups.hpp"
#include "output/written_text.hpp"

namespace carecast {
namespace {

// A council counts in the region's estimate of a parameter when its figures add at least this share of
// the default prior's information (precision) on it: below that its estimate is mostly the prior divided
// out again, noise amplified.
constexpr double kMinimumInformationShare = 0.25;
// The pooled prior's sd is at most this many times the default's.
constexpr double kMaximumPriorSdRatio = 2.0;

// Sum_j w_j (y_j - mu_w)^2 - (J - 1), with w_j = 1 / (v_j + tau2): Paule-Mandel's estimating function,
// decreasing in tau2.
double paule_mandel_excess(const std::vector<double>& y, const std::vector<double>& v, double tau2) {
  double weights = 0;
  double weighted = 0;
  for (std::size_t j = 0; j < y.size(); ++j) {
    weights += 1 / (v[j] + tau2);
    weighted += y[j] / (v[j] + tau2);
  }
  const double mean = weighted / weights;
  double q = 0;
  for (std::size_t j = 0; j < y.size(); ++j) q += (y[j] - mean) * (y[j] - mean) / (v[j] + tau2);
  return q - static_cast<double>(y.size() - 1);
}

std::string shown(FitParameter parameter, double log_value) {
  return info_of(parameter).additive ? fixed_decimals(100 * log_value, 1) + "% a year"
                                     : "x" + fixed_decimals(std::exp(log_value), 2);
}

}  // namespace

RandomEffectsEstimate random_effects(const std::vector<double>& estimates, const std::vector<double>& variances) {
  if (estimates.size() < 2 || estimates.size() != variances.size()) {
    throw std::invalid_argument("random_effects: needs 2 or more estimates, each with a variance");
  }
  for (std::size_t j = 0; j < estimates.size(); ++j) {
    if (!std::isfinite(estimates[j]) || !(variances[j] > 0) || !std::isfinite(variances[j])) {
      throw std::invalid_argument("random_effects: an estimate is not finite or a variance not positive");
    }
  }
  RandomEffectsEstimate result;
  result.councils = static_cast<int>(estimates.size());
  const auto excess = [&](double tau2) { return paule_mandel_excess(estimates, variances, tau2); };
  if (excess(0) > 0) {
    // Bracket the root: the excess falls to -(J - 1) as tau2 grows; the spread of the estimates bounds it.
    const auto [low_y, high_y] = std::minmax_element(estimates.begin(), estimates.end());
    double upper = std::max((*high_y - *low_y) * (*high_y - *low_y), 1e-12);
    while (excess(upper) > 0) upper *= 2;
    std::uintmax_t iterations = 200;
    const auto root = boost::math::tools::toms748_solve(excess, 0.0, upper, excess(0), excess(upper),
                                                        boost::math::tools::eps_tolerance<double>(40), iterations);
    result.spread_variance = (root.first + root.second) / 2;
  }
  double weights = 0;
  double weighted = 0;
  for (std::size_t j = 0; j < estimates.size(); ++j) {
    weights += 1 / (variances[j] + result.spread_variance);
    weighted += estimates[j] / (variances[j] + result.spread_variance);
  }
  result.mean = weighted / weights;
  result.mean_se = std::sqrt(1 / weights);
  return result;
}

CouncilEvidence evidence_from_fit(const FitResult& fit, FitParameter parameter) {
  CouncilEvidence evidence;
  const auto found = std::find(fit.free_parameters.begin(), fit.free_parameters.end(), parameter);
  if (found == fit.free_parameters.end()) return evidence;
  const auto k = static_cast<Eigen::Index>(found - fit.free_parameters.begin());
  const ParameterPrior& prior = fit.priors[static_cast<std::size_t>(k)];
  const double posterior_precision = 1 / fit.posterior_covariance(k, k);
  const double prior_precision = 1 / (prior.sd * prior.sd);
  // Gaussian prior x likelihood = Gaussian posterior: precisions add, and so do precision-weighted means.
  const double figures_precision = posterior_precision - prior_precision;
  if (!(figures_precision >= kMinimumInformationShare * prior_precision)) return evidence;
  evidence.informative = true;
  evidence.variance = 1 / figures_precision;
  evidence.estimate = (posterior_precision * fit.posterior_mean(k) - prior_precision * prior.mean) / figures_precision;
  return evidence;
}

bool is_pooled_parameter(FitParameter parameter) {
  return parameter != FitParameter::entry_level && parameter != FitParameter::uasc_level &&
         parameter != FitParameter::starting_stock;
}

Scenario base_scaled_to_council(const Scenario& base, const PublishedFigures& figures, std::string& note) {
  Scenario scaled = base;
  const StartingCounts counts =
      base.starting_counts ? *base.starting_counts : starting_counts_from_groups(base.starting_groups);
  int base_children = 0;
  for (const auto& category : counts.count)
    for (const auto& band : category) base_children += band[0] + band[1];
  const PublishedFigure* first = nullptr;
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric == FigureMetric::children_looked_after && f.category.kind == FigureCategory::Kind::all &&
        (first == nullptr || f.date < first->date)) {
      first = &f;
    }
  }
  if (first == nullptr || base_children == 0 || first->value <= 0) {
    note = "The shared base's entries are kept as it states them: " +
           std::string(first == nullptr ? "the figures have no children looked after (all) to scale them by."
                                        : "there are no children to scale by.");
    return scaled;
  }
  const double factor = first->value / base_children;
  for (auto& band : scaled.entries.expected_per_year)
    for (double& x : band) x *= factor;
  for (auto& band : scaled.uasc.expected_per_year)
    for (double& x : band) x *= factor;
  if (scaled.population && scaled.population->entries_per_10000_children) {
    for (auto& band : *scaled.population->entries_per_10000_children)
      for (double& x : band) x *= factor;
  }
  note = "The base is shared by the pooled councils: its entries and UASC entries were scaled by " +
         fixed_decimals(factor, 3) + " (the " + fixed_decimals(first->value, 0) + " children looked after on " +
         format_iso(first->date) + " over the base's " + std::to_string(base_children) +
         ") before the fit. Its supply, costs, options and care leavers are the base's as written: give each "
         "council its own base (--base once per figures file) for a forecast of its sufficiency.";
  return scaled;
}

PooledFit fit_pooled(const std::vector<CouncilFigures>& councils, const FitOptions& options) {
  if (councils.size() < 2) throw std::invalid_argument("fit_pooled: pooling needs 2 or more councils");
  PooledFit result;
  std::vector<std::string> scale_notes;
  for (const CouncilFigures& council : councils) {
    if (council.figures == nullptr || council.base == nullptr) {
      throw std::invalid_argument("fit_pooled: a council without figures or a base");
    }
    std::string note;
    result.bases.push_back(council.shared_base ? base_scaled_to_council(*council.base, *council.figures, note)
                                               : *council.base);
    scale_notes.push_back(note);
    result.alone.push_back(fit_to_figures(result.bases.back(), *council.figures, options));
  }

  FitOptions pooled_options = options;
  for (int i = 0; i < kFitParameterCount; ++i) {
    const auto parameter = static_cast<FitParameter>(i);
    PooledParameter row;
    row.parameter = parameter;
    row.pooled = is_pooled_parameter(parameter);
    std::vector<double> estimates;
    std::vector<double> variances;
    for (const FitResult& fit : result.alone) {
      const CouncilEvidence evidence = evidence_from_fit(fit, parameter);
      if (!evidence.informative) continue;
      estimates.push_back(evidence.estimate);
      variances.push_back(evidence.variance);
    }
    row.councils_informing = static_cast<int>(estimates.size());
    if (!row.pooled) {
      row.reason = "each council's own: a level that follows the council's size";
    } else if (estimates.size() < 2) {
      row.reason = estimates.empty() ? "no council's figures inform it: the default prior"
                                     : "one council's figures inform it: the default prior";
    } else {
      row.estimated = true;
      row.region = random_effects(estimates, variances);
      const double default_sd = info_of(parameter).prior_sd;
      const double sd = std::sqrt(row.region.spread_variance + row.region.mean_se * row.region.mean_se);
      row.prior = {row.region.mean, std::min(sd, kMaximumPriorSdRatio * default_sd)};
      pooled_options.priors[static_cast<std::size_t>(i)] = row.prior;
      row.reason = "pooled over " + std::to_string(row.councils_informing) + " councils";
    }
    result.parameters.push_back(row);
  }

  const std::string note = result.describe();
  for (std::size_t j = 0; j < councils.size(); ++j) {
    FitResult fit = fit_to_figures(result.bases[j], *councils[j].figures, pooled_options);
    fit.notes.push_back(note);
    if (!scale_notes[j].empty()) fit.notes.push_back(scale_notes[j]);
    result.pooled.push_back(std::move(fit));
  }
  return result;
}

std::string PooledFit::describe() const {
  std::ostringstream out;
  out << "Pooled over " << alone.size()
      << " councils by empirical Bayes (fit --pool-councils): each council fitted alone, the region's multiplier "
         "and the spread between councils estimated from what their figures say (random effects, Paule-Mandel), "
         "then each council fitted again with the region's multiplier as its prior, sd the spread between "
         "councils and the region's own uncertainty.";
  std::string own;
  std::string unestimated;
  for (const PooledParameter& p : parameters) {
    const std::string name(info_of(p.parameter).name);
    if (!p.pooled) {
      own += (own.empty() ? "" : ", ") + name;
    } else if (!p.estimated) {
      if (p.councils_informing > 0) unestimated += (unestimated.empty() ? "" : ", ") + name;
    } else {
      const bool additive = info_of(p.parameter).additive;
      out << ' ' << name << ": region " << shown(p.parameter, p.region.mean)
          << (additive ? " added to the base's" : " the base's") << ", councils' sd "
          << fixed_decimals(std::sqrt(p.region.spread_variance), 3) << (additive ? "" : " (log)") << " about it, from "
          << p.councils_informing << " councils; prior sd " << fixed_decimals(p.prior.sd, 3) << ".";
    }
  }
  out << " Each council's own: " << own << '.';
  if (!unestimated.empty()) out << " Informed by one council only, kept at the default prior: " << unestimated << '.';
  return out.str();
}

std::string pooling_csv(const PooledFit& fit) {
  const boost::math::normal standard;
  const double z90 = boost::math::quantile(standard, 0.95);
  std::ostringstream out;
  out << "parameter,pooled,councils_informing,region_median,region_low_90,region_high_90,between_council_sd_log,"
         "prior_mean,prior_sd,note\n";
  for (const PooledParameter& p : fit.parameters) {
    out << info_of(p.parameter).name << ',' << (p.pooled ? "yes" : "no") << ',' << p.councils_informing << ',';
    if (p.estimated) {
      const bool additive = info_of(p.parameter).additive;
      const auto value = [&](double x) { return fixed_decimals(additive ? x : std::exp(x), 4); };
      out << value(p.region.mean) << ',' << value(p.region.mean - z90 * p.region.mean_se) << ','
          << value(p.region.mean + z90 * p.region.mean_se) << ','
          << fixed_decimals(std::sqrt(p.region.spread_variance), 4) << ',' << fixed_decimals(p.prior.mean, 4) << ','
          << fixed_decimals(p.prior.sd, 4);
    } else {
      out << ",,,,,";
    }
    out << ',' << p.reason << '\n';
  }
  return out.str();
}

}  // namespace carecast
