#include "fitting/pooled_fit.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "core/apportion.hpp"
#include "fitting/starting_counts_from_groups.hpp"
#include "output/written_text.hpp"

namespace carecast {
namespace {

// A council informs the region's estimate of a parameter when its figures alone give it at least this share of
// the default prior's precision.
constexpr double kMinimumInformationShare = 0.25;
// The pooled prior's sd is at most this many times the default's.
constexpr double kMaximumPriorSdRatio = 2.0;
// EM: tau^2 starts at the default prior's variance; its floor (an sd of 0.001 keeps the prior invertible;
// a spread that small pools completely) and when to stop.
constexpr double kSmallestSpreadVariance = 1e-6;
constexpr double kConvergence = 1e-10;
constexpr int kMostIterations = 2000;
// The region's line has a slope in log size only when 3 or more councils inform it and their sizes differ by at
// least this sd of log size (5%); otherwise it is flat.
constexpr std::size_t kLeastCouncilsForSlope = 3;
constexpr double kLeastSizeSpread = 0.05;
// The prior sd of a line's slope (per unit of log size) over the default prior's sd: a council e times the size
// of another differs by about half the default's sd, one ten times the size by about one.
constexpr double kSlopePriorSdRatio = 0.5;
// The grid on which each spread's posterior is read (estimate_region): tau from 0.001 to four times the default
// prior's sd (a refit's prior sd is capped at twice it), at this many points evenly in log tau.
constexpr double kLeastSpreadOnGrid = 0.001;
constexpr double kMostSpreadOnGridRatio = 4.0;
constexpr int kGridPoints = 200;

// The children at a base's start, whether it states them as counts or groups.
int base_children(const Scenario& base) {
  return (base.starting_counts ? *base.starting_counts : starting_counts_from_groups(base.starting_groups)).children();
}

// The figures' earliest children looked after (all), or nullptr.
const PublishedFigure* first_children_looked_after(const PublishedFigures& figures) {
  const PublishedFigure* first = nullptr;
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric == FigureMetric::children_looked_after && f.category.kind == FigureCategory::Kind::all &&
        (first == nullptr || f.date < first->date)) {
      first = &f;
    }
  }
  return first;
}

std::string shown(FitParameter parameter, double log_value) {
  return info_of(parameter).additive ? fixed_decimals(100 * log_value, 1) + "% a year"
                                     : "x" + fixed_decimals(std::exp(log_value), 2);
}

}  // namespace

std::array<std::optional<RegionEstimate>, kFitParameterCount> estimate_region(
    const std::vector<CouncilLikelihood>& councils, const std::array<bool, kFitParameterCount>& pooled) {
  std::array<std::optional<RegionEstimate>, kFitParameterCount> region{};
  // Which councils inform which parameter.
  std::array<std::vector<std::size_t>, kFitParameterCount> informing{};
  for (std::size_t j = 0; j < councils.size(); ++j) {
    const CouncilLikelihood& council = councils[j];
    if (!(council.size > 0)) throw std::invalid_argument("estimate_region: a council without a size");
    for (std::size_t k = 0; k < council.parameters.size(); ++k) {
      const auto parameter = static_cast<std::size_t>(council.parameters[k]);
      const double prior_sd = info_of(council.parameters[k]).prior_sd;
      const auto at = static_cast<Eigen::Index>(k);
      if (pooled[parameter] && council.precision(at, at) * prior_sd * prior_sd >= kMinimumInformationShare) {
        informing[parameter].push_back(j);
      }
    }
  }
  // Each estimated parameter's line: its centre, whether it has a slope, and its coefficients' places in the
  // system solved for the lines.
  std::vector<std::size_t> estimated;
  std::array<Eigen::Index, kFitParameterCount> first_coefficient{};
  std::array<bool, kFitParameterCount> sloped{};
  Eigen::Index coefficients = 0;
  std::array<double, kFitParameterCount> spread{};
  for (std::size_t p = 0; p < kFitParameterCount; ++p) {
    if (informing[p].size() < 2) continue;
    RegionEstimate& estimate = region[p].emplace();
    estimate.councils = static_cast<int>(informing[p].size());
    double sum = 0;
    double squares = 0;
    for (const std::size_t j : informing[p]) {
      const double x = std::log(councils[j].size);
      sum += x;
      squares += x * x;
    }
    const auto n = static_cast<double>(informing[p].size());
    estimate.centre = sum / n;
    const double size_variance = std::max(0.0, squares / n - estimate.centre * estimate.centre);
    sloped[p] = informing[p].size() >= kLeastCouncilsForSlope && size_variance >= kLeastSizeSpread * kLeastSizeSpread;
    first_coefficient[p] = coefficients;
    coefficients += sloped[p] ? 2 : 1;
    const double sd = info_of(static_cast<FitParameter>(p)).prior_sd;
    spread[p] = sd * sd;
    estimated.push_back(p);
  }
  if (estimated.empty()) return region;

  // A council's prior for one of its parameters: the line at its size (or 0 for a parameter not estimated) and
  // the spread (or the default prior's variance).
  const auto prior_of = [&](const CouncilLikelihood& council, FitParameter parameter) {
    const auto p = static_cast<std::size_t>(parameter);
    const double sd = info_of(parameter).prior_sd;
    return region[p] ? std::pair{region[p]->mean_at(council.size), spread[p]} : std::pair{0.0, sd * sd};
  };
  // Given the spreads, the lines that maximise the likelihood (times their prior, below). The derivative of council j's
  // marginal log likelihood in its prior mean is T^-1 (m_j - mu), where its posterior mean m_j = (P + T^-1)^-1 (s +
  // T^-1 mu) is linear in mu (P, s its likelihood, T its prior variances), and mu is linear in the lines' coefficients:
  // setting the sum over councils to 0 is a linear system in them. Its matrix is the log likelihood's Hessian,
  // whose inverse (negated) is the coefficients' covariance.
  Eigen::MatrixXd hessian;
  const auto lines_given_spreads = [&] {
    hessian = Eigen::MatrixXd::Zero(coefficients, coefficients);
    Eigen::VectorXd right = Eigen::VectorXd::Zero(coefficients);
    for (const CouncilLikelihood& council : councils) {
      const auto n = static_cast<Eigen::Index>(council.parameters.size());
      // design: this council's prior means in terms of the coefficients; fixed: the means not estimated.
      Eigen::MatrixXd design = Eigen::MatrixXd::Zero(n, coefficients);
      Eigen::VectorXd inverse_variance(n);
      Eigen::VectorXd fixed_mean = Eigen::VectorXd::Zero(n);
      const double x = std::log(council.size);
      for (Eigen::Index k = 0; k < n; ++k) {
        const FitParameter parameter = council.parameters[static_cast<std::size_t>(k)];
        const auto p = static_cast<std::size_t>(parameter);
        const auto [prior_mean, prior_variance] = prior_of(council, parameter);
        inverse_variance(k) = 1 / prior_variance;
        if (region[p]) {
          design(k, first_coefficient[p]) = 1;
          if (sloped[p]) design(k, first_coefficient[p] + 1) = x - region[p]->centre;
        } else {
          fixed_mean(k) = prior_mean;
        }
      }
      Eigen::MatrixXd precision = council.precision;
      precision.diagonal() += inverse_variance;
      const Eigen::MatrixXd a = precision.ldlt().solve(Eigen::MatrixXd::Identity(n, n));
      // Derivative: t (a (s + t mu) - mu) = t a (s + t fixed) + (t a t - t) design beta.
      const Eigen::MatrixXd slope = inverse_variance.asDiagonal() * a * inverse_variance.asDiagonal() -
                                    Eigen::MatrixXd(inverse_variance.asDiagonal());
      const Eigen::VectorXd constant =
          inverse_variance.asDiagonal() * (a * (council.score + inverse_variance.cwiseProduct(fixed_mean)));
      hessian += design.transpose() * slope * design;
      right -= design.transpose() * constant;
    }
    // The region's line has a prior of its own: the base, with the default prior's sd for its level and half
    // that per unit of log size for its slope. Figures often pin a sum of multipliers and not its parts (more
    // endings in a setting, fewer moves out of it); alone, each council's default prior settles the parts, and
    // without one here the region's line would drift along such a ridge, carrying every council with it.
    for (const std::size_t p : estimated) {
      const double sd = info_of(static_cast<FitParameter>(p)).prior_sd;
      hessian(first_coefficient[p], first_coefficient[p]) -= 1 / (sd * sd);
      if (sloped[p]) {
        const double slope_sd = kSlopePriorSdRatio * sd;
        hessian(first_coefficient[p] + 1, first_coefficient[p] + 1) -= 1 / (slope_sd * slope_sd);
      }
    }
    const Eigen::VectorXd beta = hessian.ldlt().solve(right);
    for (const std::size_t p : estimated) {
      region[p]->intercept = beta(first_coefficient[p]);
      region[p]->slope = sloped[p] ? beta(first_coefficient[p] + 1) : 0.0;
    }
  };

  // Each council's posterior under the region's current prior: mean and variances by parameter.
  std::vector<Eigen::VectorXd> posterior_mean(councils.size());
  std::vector<Eigen::VectorXd> posterior_variance(councils.size());
  const auto expectation = [&] {
    for (std::size_t j = 0; j < councils.size(); ++j) {
      const CouncilLikelihood& council = councils[j];
      const auto n = static_cast<Eigen::Index>(council.parameters.size());
      Eigen::MatrixXd precision = council.precision;
      Eigen::VectorXd score = council.score;
      for (Eigen::Index k = 0; k < n; ++k) {
        const auto [prior_mean, prior_variance] = prior_of(council, council.parameters[static_cast<std::size_t>(k)]);
        precision(k, k) += 1 / prior_variance;
        score(k) += prior_mean / prior_variance;
      }
      const Eigen::LDLT<Eigen::MatrixXd> solver(precision);
      posterior_mean[j] = solver.solve(score);
      posterior_variance[j] = solver.solve(Eigen::MatrixXd::Identity(n, n)).diagonal();
    }
  };
  const auto index_in = [](const CouncilLikelihood& council, std::size_t p) {
    return static_cast<Eigen::Index>(
        std::find(council.parameters.begin(), council.parameters.end(), static_cast<FitParameter>(p)) -
        council.parameters.begin());
  };
  for (int iteration = 0; iteration < kMostIterations; ++iteration) {
    lines_given_spreads();
    expectation();
    double change = 0;
    for (const std::size_t p : estimated) {
      // With the spread's own prior, Gamma(2, 0) on tau (Chung et al. 2013: it keeps the estimate off 0, where
      // maximum likelihood lands whenever the councils' figures are too few to show how they differ, and a
      // spread of 0 would claim every small council is exactly the region): the step divides by J - 1, not J.
      const auto n = static_cast<double>(informing[p].size());
      double next_spread = 0;
      for (const std::size_t j : informing[p]) {
        const Eigen::Index k = index_in(councils[j], p);
        const double d = posterior_mean[j](k) - region[p]->mean_at(councils[j].size);
        next_spread += (d * d + posterior_variance[j](k)) / (n - 1);
      }
      next_spread = std::max(next_spread, kSmallestSpreadVariance);
      change = std::max(change, std::abs(next_spread - spread[p]));
      spread[p] = next_spread;
    }
    if (change < kConvergence) break;
  }
  // The spreads' uncertainty. Each spread above is its posterior mode; with councils whose figures say little
  // apiece it is also uncertain and its posterior is skewed towards larger values, so a council's prior variance
  // about the line takes the spread's posterior mean of tau^2 instead (the predictive variance of a council's
  // multiplier, its lines profiled). Each spread's posterior is read on a grid of tau, the others at their modes:
  // the councils' marginal likelihoods (each Gaussian likelihood integrated over its prior), the lines' own prior
  // and the Gamma(2, 0) prior on tau.
  const auto log_evidence = [&] {
    double total = 0;
    for (const CouncilLikelihood& council : councils) {
      const auto n = static_cast<Eigen::Index>(council.parameters.size());
      Eigen::MatrixXd precision = council.precision;
      Eigen::VectorXd score = council.score;
      double log_variances = 0;
      double mean_term = 0;
      for (Eigen::Index k = 0; k < n; ++k) {
        const auto [prior_mean, prior_variance] = prior_of(council, council.parameters[static_cast<std::size_t>(k)]);
        precision(k, k) += 1 / prior_variance;
        score(k) += prior_mean / prior_variance;
        log_variances += std::log(prior_variance);
        mean_term += prior_mean * prior_mean / prior_variance;
      }
      const Eigen::LDLT<Eigen::MatrixXd> solver(precision);
      const double log_det = solver.vectorD().array().log().sum();
      total += -0.5 * (log_variances + log_det) + 0.5 * score.dot(solver.solve(score)) - 0.5 * mean_term;
    }
    for (const std::size_t p : estimated) {
      const double sd = info_of(static_cast<FitParameter>(p)).prior_sd;
      const double intercept = region[p]->intercept / sd;
      total -= 0.5 * intercept * intercept;
      if (sloped[p]) {
        const double slope = region[p]->slope / (kSlopePriorSdRatio * sd);
        total -= 0.5 * slope * slope;
      }
    }
    return total;
  };
  std::array<double, kFitParameterCount> predictive_spread{};
  for (const std::size_t p : estimated) {
    const double mode = spread[p];
    const double prior_sd = info_of(static_cast<FitParameter>(p)).prior_sd;
    // tau evenly in log tau; the Gamma(2, 0) prior on tau is proportional to tau, and the grid's step in log tau
    // adds another tau.
    const double low = std::log(kLeastSpreadOnGrid);
    const double high = std::log(kMostSpreadOnGridRatio * prior_sd);
    std::vector<double> log_weight(kGridPoints);
    std::vector<double> variance(kGridPoints);
    for (int g = 0; g < kGridPoints; ++g) {
      const double tau = std::exp(low + (high - low) * g / (kGridPoints - 1));
      spread[p] = tau * tau;
      lines_given_spreads();
      variance[static_cast<std::size_t>(g)] = tau * tau;
      log_weight[static_cast<std::size_t>(g)] = log_evidence() + 2 * std::log(tau);
    }
    const double most = *std::max_element(log_weight.begin(), log_weight.end());
    double weights = 0;
    double mean = 0;
    for (std::size_t g = 0; g < variance.size(); ++g) {
      // The trapezoid rule: the grid's two ends count half.
      const double w = std::exp(log_weight[g] - most) * (g == 0 || g + 1 == variance.size() ? 0.5 : 1.0);
      weights += w;
      mean += w * variance[g];
    }
    // The grid stops where a refit's prior is capped anyway (kMaximumPriorSdRatio); a spread barely informed
    // (a parameter two or three councils inform) can have its mode near that end, and the truncated mean below it.
    predictive_spread[p] = std::max(mode, mean / weights);
    spread[p] = mode;
  }
  lines_given_spreads();
  const Eigen::MatrixXd covariance = (-hessian).ldlt().solve(Eigen::MatrixXd::Identity(coefficients, coefficients));
  for (const std::size_t p : estimated) {
    RegionEstimate& estimate = *region[p];
    estimate.spread_variance = spread[p];
    estimate.predictive_spread_variance = predictive_spread[p];
    const Eigen::Index c = first_coefficient[p];
    estimate.covariance(0, 0) = covariance(c, c);
    if (sloped[p]) {
      estimate.covariance(0, 1) = estimate.covariance(1, 0) = covariance(c, c + 1);
      estimate.covariance(1, 1) = covariance(c + 1, c + 1);
    }
  }
  return region;
}

bool is_pooled_parameter(FitParameter parameter) {
  return parameter != FitParameter::entry_level && parameter != FitParameter::uasc_level &&
         parameter != FitParameter::starting_stock;
}

Scenario base_scaled_to_council(const Scenario& base, const PublishedFigures& figures, std::string& note) {
  Scenario scaled = base;
  const int children = base_children(base);
  const PublishedFigure* first = first_children_looked_after(figures);
  if (first == nullptr || children == 0 || first->value <= 0) {
    note = "The shared base's entries are kept as it states them: " +
           std::string(first == nullptr ? "the figures have no children looked after (all) to scale them by."
                                        : "there are no children to scale by.");
    return scaled;
  }
  const double factor = first->value / children;
  for (auto& band : scaled.entries.expected_per_year)
    for (double& x : band) x *= factor;
  for (auto& band : scaled.uasc.expected_per_year)
    for (double& x : band) x *= factor;
  if (scaled.population && scaled.population->entries_per_10000_children) {
    for (auto& band : *scaled.population->entries_per_10000_children)
      for (double& x : band) x *= factor;
  }
  // Counts of children at the base's own size: those who left care before the origin and may come back, and
  // care leavers. Left as they are, a council a tenth of the base's size would have the base's re-entries.
  // Each table is shared out whole (core/apportion.hpp): cell by cell, rounding would lose most of a small
  // council's children, whose cells hold one or two.
  const auto scale_table = [factor](auto& table) {
    std::vector<double> cells;
    for (const auto& row : table) cells.insert(cells.end(), row.begin(), row.end());
    double total = 0;
    for (double x : cells) total += x;
    const std::vector<long long> shares = apportion(std::llround(total * factor), cells);
    std::size_t k = 0;
    for (auto& row : table)
      for (auto& count : row) count = static_cast<std::remove_reference_t<decltype(count)>>(shares[k++]);
  };
  scale_table(scaled.re_entry.left_before_origin);
  scale_table(scaled.care_leavers.starting_count);
  note =
      "The base is shared by the pooled councils: its entries, UASC entries, children who left care before "
      "the origin (who may come back) and care leavers were scaled by " +
      fixed_decimals(factor, 3) + " (the " + fixed_decimals(first->value, 0) + " children looked after on " +
      format_iso(first->date) + " over the base's " + std::to_string(children) +
      ") before the fit. Its supply, costs and options are the base's as written: give each "
      "council its own base (--base once per figures file) for a forecast of its sufficiency.";
  return scaled;
}

double council_size(const PublishedFigures& figures, const Scenario& base) {
  double entries = 0;
  double years = 0;
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric == FigureMetric::entries && f.category.kind == FigureCategory::Kind::all && f.period_start) {
      entries += f.value;
      years += (days_between(*f.period_start, f.date) + 1) / 365.25;
    }
  }
  if (years > 0 && entries > 0) return entries / years;
  const PublishedFigure* first_stock = first_children_looked_after(figures);
  if (first_stock != nullptr && first_stock->value > 0) return first_stock->value;
  return std::max(base_children(base), 1);
}

PooledFit fit_pooled(const std::vector<CouncilFigures>& councils, const FitOptions& options, double pool_below) {
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

  std::array<bool, kFitParameterCount> pooled{};
  for (int i = 0; i < kFitParameterCount; ++i) {
    pooled[static_cast<std::size_t>(i)] = is_pooled_parameter(static_cast<FitParameter>(i));
  }
  std::vector<CouncilLikelihood> likelihoods;
  for (std::size_t j = 0; j < councils.size(); ++j) {
    result.sizes.push_back(council_size(*councils[j].figures, result.bases[j]));
    const FitResult& fit = result.alone[j];
    if (fit.likelihood_precision.rows() == static_cast<Eigen::Index>(fit.free_parameters.size())) {
      likelihoods.push_back({fit.free_parameters, fit.likelihood_precision, fit.likelihood_score, result.sizes[j]});
    }
  }
  const auto region = estimate_region(likelihoods, pooled);
  std::vector<double> sorted = result.sizes;
  std::sort(sorted.begin(), sorted.end());
  const double median_size = sorted[sorted.size() / 2];

  for (int i = 0; i < kFitParameterCount; ++i) {
    const auto parameter = static_cast<FitParameter>(i);
    const auto p = static_cast<std::size_t>(i);
    PooledParameter row;
    row.parameter = parameter;
    row.pooled = pooled[p];
    row.median_size = median_size;
    for (const CouncilLikelihood& council : likelihoods) {
      const auto found = std::find(council.parameters.begin(), council.parameters.end(), parameter);
      if (found == council.parameters.end()) continue;
      const auto k = static_cast<Eigen::Index>(found - council.parameters.begin());
      const double sd = info_of(parameter).prior_sd;
      if (council.precision(k, k) * sd * sd >= kMinimumInformationShare) ++row.councils_informing;
    }
    if (!row.pooled) {
      row.reason = "each council's own: a level that follows the council's size";
    } else if (!region[p]) {
      row.reason = row.councils_informing == 0 ? "no council's figures inform it: the default prior"
                                               : "one council's figures inform it: the default prior";
    } else {
      row.estimated = true;
      row.region = *region[p];
      row.reason = "pooled over " + std::to_string(row.councils_informing) + " councils";
    }
    result.parameters.push_back(row);
  }

  result.pool_below = pool_below;
  const std::string note = result.describe();
  for (std::size_t j = 0; j < councils.size(); ++j) {
    if (result.sizes[j] >= pool_below) {
      // A council this size keeps its own fit: its figures settle its rates, and on worlds built otherwise
      // than carecast (tests/validation/pooled_fit_validation.py) the region's prior made such councils'
      // forecasts of children looked after worse. It still informs the region's estimate for the smaller ones.
      FitResult fit = result.alone[j];
      fit.notes.push_back(note);
      fit.notes.push_back("This council is fitted alone: its " + fixed_decimals(result.sizes[j], 0) +
                          " entries a year are at or above the " + fixed_decimals(pool_below, 0) +
                          " below which councils are pooled (--pool-below). Its figures informed the region's "
                          "estimate.");
      if (!scale_notes[j].empty()) fit.notes.push_back(scale_notes[j]);
      result.priors.emplace_back();
      result.refitted.push_back(false);
      result.pooled.push_back(std::move(fit));
      continue;
    }
    FitOptions pooled_options = options;
    std::string priors;
    for (const PooledParameter& row : result.parameters) {
      if (!row.estimated) continue;
      const double default_sd = info_of(row.parameter).prior_sd;
      const double se = row.region.mean_se_at(result.sizes[j]);
      const double sd = std::sqrt(row.region.predictive_spread_variance + se * se);
      const ParameterPrior prior{row.region.mean_at(result.sizes[j]), std::min(sd, kMaximumPriorSdRatio * default_sd)};
      pooled_options.priors[static_cast<std::size_t>(row.parameter)] = prior;
      priors += (priors.empty() ? "" : "; ") + std::string(info_of(row.parameter).name) + " " +
                shown(row.parameter, prior.mean) + " (sd " + fixed_decimals(prior.sd, 3) + ")";
    }
    result.priors.push_back(pooled_options.priors);
    result.refitted.push_back(true);
    FitResult fit = fit_to_figures(result.bases[j], *councils[j].figures, pooled_options);
    fit.notes.push_back(note);
    if (!priors.empty()) {
      fit.notes.push_back("This council's priors from the region, at its " + fixed_decimals(result.sizes[j], 0) +
                          " entries a year: " + priors + ".");
    }
    if (!scale_notes[j].empty()) fit.notes.push_back(scale_notes[j]);
    result.pooled.push_back(std::move(fit));
  }
  return result;
}

std::string PooledFit::describe() const {
  std::ostringstream out;
  long smaller = std::count_if(sizes.begin(), sizes.end(), [&](double size) { return size < pool_below; });
  out << "Pooled over " << alone.size()
      << " councils by empirical Bayes (fit --pool-councils): each council fitted alone; the region's multiplier, "
         "a line in the log of a council's size so that each council is pooled towards councils of its size, and "
         "the spread between councils estimated from all their figures together (maximum likelihood, by EM); then "
         "each council with fewer than "
      << fixed_decimals(pool_below, 0) << " entries a year (" << smaller
      << " of them) fitted again with the region's multiplier at its size as its prior, sd the spread between "
         "councils (its posterior mean of the variance, for the spread is itself uncertain) and the line's own "
         "uncertainty there; larger councils keep their own fits.";
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
      out << ' ' << name << ": " << shown(p.parameter, p.region.mean_at(p.median_size))
          << (additive ? " added to the base's" : " the base's") << " for the median council ("
          << fixed_decimals(p.median_size, 0) << " entries a year)";
      if (p.region.slope != 0) {
        out << ", " << shown(p.parameter, p.region.mean_at(2 * p.median_size)) << " for one twice its size";
      }
      out << "; councils' sd " << fixed_decimals(std::sqrt(p.region.spread_variance), 3) << (additive ? "" : " (log)")
          << " about it, from " << p.councils_informing << " councils.";
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
  out << "parameter,pooled,councils_informing,median_council_entries_a_year,region_median,region_low_90,region_high_90,"
         "twice_the_size_median,between_council_sd_log,note\n";
  for (const PooledParameter& p : fit.parameters) {
    out << info_of(p.parameter).name << ',' << (p.pooled ? "yes" : "no") << ',' << p.councils_informing << ',';
    if (p.estimated) {
      const bool additive = info_of(p.parameter).additive;
      const auto value = [&](double x) { return fixed_decimals(additive ? x : std::exp(x), 4); };
      const double centre = p.region.mean_at(p.median_size);
      const double se = p.region.mean_se_at(p.median_size);
      out << fixed_decimals(p.median_size, 0) << ',' << value(centre) << ',' << value(centre - z90 * se) << ','
          << value(centre + z90 * se) << ',' << value(p.region.mean_at(2 * p.median_size)) << ','
          << fixed_decimals(std::sqrt(p.region.spread_variance), 4);
    } else {
      out << ",,,,,";
    }
    out << ',' << p.reason << '\n';
  }
  return out.str();
}

}  // namespace carecast
