#include "fitting/pooled_fit.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <stdexcept>

#include "fitting/starting_counts_from_groups.hpp"
#include "output/written_text.hpp"

namespace carecast {
namespace {

// A council informs the region's estimate of a parameter when its figures alone give it at least this share of
// the default prior's precision.
constexpr double kMinimumInformationShare = 0.25;
// The pooled prior's sd is at most this many times the default's.
constexpr double kMaximumPriorSdRatio = 2.0;
// EM: where tau^2 starts (the default prior's variance), its floor (an sd of 0.001 keeps the prior invertible;
// a spread that small pools completely) and when to stop.
constexpr double kSmallestSpreadVariance = 1e-6;
constexpr double kConvergence = 1e-10;
constexpr int kMostIterations = 2000;

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
    for (std::size_t k = 0; k < council.parameters.size(); ++k) {
      const auto parameter = static_cast<std::size_t>(council.parameters[k]);
      const double prior_sd = info_of(council.parameters[k]).prior_sd;
      const auto at = static_cast<Eigen::Index>(k);
      if (pooled[parameter] && council.precision(at, at) * prior_sd * prior_sd >= kMinimumInformationShare) {
        informing[parameter].push_back(j);
      }
    }
  }
  std::array<double, kFitParameterCount> mean{};
  std::array<double, kFitParameterCount> spread{};
  for (std::size_t p = 0; p < kFitParameterCount; ++p) {
    if (informing[p].size() < 2) continue;
    region[p] = RegionEstimate{};
    region[p]->councils = static_cast<int>(informing[p].size());
    const double sd = info_of(static_cast<FitParameter>(p)).prior_sd;
    spread[p] = sd * sd;
  }

  // The councils' priors as the region's estimate stands: mean and variance of each council's free parameters.
  const auto prior_of = [&](FitParameter parameter) {
    const auto p = static_cast<std::size_t>(parameter);
    const double sd = info_of(parameter).prior_sd;
    return region[p] ? std::pair{mean[p], spread[p]} : std::pair{0.0, sd * sd};
  };
  // Given the spreads, the mu that maximises the likelihood solves a linear system: the derivative of council
  // j's marginal log likelihood in its prior mean is T^-1 (m_j - mu), where its posterior mean
  // m_j = (P + T^-1)^-1 (s + T^-1 mu) is linear in mu (P, s its likelihood, T its prior variances). Solving it
  // at each step leaves EM only the spreads to find, which it approaches slowly where one is near 0.
  std::vector<std::size_t> estimated;
  for (std::size_t p = 0; p < kFitParameterCount; ++p) {
    if (region[p]) estimated.push_back(p);
  }
  const auto slot_of = [&](FitParameter parameter) {
    const auto found = std::find(estimated.begin(), estimated.end(), static_cast<std::size_t>(parameter));
    return found == estimated.end() ? Eigen::Index{-1} : static_cast<Eigen::Index>(found - estimated.begin());
  };
  const auto means_given_spreads = [&] {
    const auto m = static_cast<Eigen::Index>(estimated.size());
    Eigen::MatrixXd system = Eigen::MatrixXd::Zero(m, m);
    Eigen::VectorXd right = Eigen::VectorXd::Zero(m);
    for (const CouncilLikelihood& council : councils) {
      const auto n = static_cast<Eigen::Index>(council.parameters.size());
      Eigen::VectorXd inverse_variance(n);
      Eigen::VectorXd fixed_mean(n);  // the prior means of parameters not estimated (0), else 0 here
      for (Eigen::Index k = 0; k < n; ++k) {
        const auto [prior_mean, prior_variance] = prior_of(council.parameters[static_cast<std::size_t>(k)]);
        inverse_variance(k) = 1 / prior_variance;
        fixed_mean(k) = slot_of(council.parameters[static_cast<std::size_t>(k)]) < 0 ? prior_mean : 0.0;
      }
      Eigen::MatrixXd precision = council.precision;
      precision.diagonal() += inverse_variance;
      const Eigen::MatrixXd a = precision.ldlt().solve(Eigen::MatrixXd::Identity(n, n));
      // Derivative: t (a (s + t mu) - mu) = t a s + (t a t - t) mu, over this council's parameters.
      const Eigen::MatrixXd slope = inverse_variance.asDiagonal() * a * inverse_variance.asDiagonal() -
                                    Eigen::MatrixXd(inverse_variance.asDiagonal());
      const Eigen::VectorXd constant =
          inverse_variance.asDiagonal() * (a * (council.score + inverse_variance.cwiseProduct(fixed_mean)));
      for (Eigen::Index k = 0; k < n; ++k) {
        const Eigen::Index row = slot_of(council.parameters[static_cast<std::size_t>(k)]);
        if (row < 0) continue;
        right(row) -= constant(k);
        for (Eigen::Index l = 0; l < n; ++l) {
          const Eigen::Index column = slot_of(council.parameters[static_cast<std::size_t>(l)]);
          if (column >= 0) system(row, column) += slope(k, l);
        }
      }
    }
    const Eigen::VectorXd solved = system.ldlt().solve(right);
    for (std::size_t i = 0; i < estimated.size(); ++i) mean[estimated[i]] = solved(static_cast<Eigen::Index>(i));
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
        const auto [prior_mean, prior_variance] = prior_of(council.parameters[static_cast<std::size_t>(k)]);
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
    means_given_spreads();
    expectation();
    double change = 0;
    for (const std::size_t p : estimated) {
      const auto n = static_cast<double>(informing[p].size());
      double next_spread = 0;
      for (const std::size_t j : informing[p]) {
        const Eigen::Index k = index_in(councils[j], p);
        const double d = posterior_mean[j](k) - mean[p];
        next_spread += (d * d + posterior_variance[j](k)) / n;
      }
      next_spread = std::max(next_spread, kSmallestSpreadVariance);
      change = std::max(change, std::abs(next_spread - spread[p]));
      spread[p] = next_spread;
    }
    if (change < kConvergence) break;
  }
  means_given_spreads();

  // The standard error of mu: the councils' estimates each carry their own figures' variance (the likelihood's
  // for that parameter, the others held) and the spread between councils.
  for (std::size_t p = 0; p < kFitParameterCount; ++p) {
    if (!region[p]) continue;
    double weights = 0;
    for (const std::size_t j : informing[p]) {
      const Eigen::Index k = index_in(councils[j], p);
      weights += 1 / (spread[p] + 1 / councils[j].precision(k, k));
    }
    region[p]->mean = mean[p];
    region[p]->spread_variance = spread[p];
    region[p]->mean_se = std::sqrt(1 / weights);
  }
  return region;
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

  std::array<bool, kFitParameterCount> pooled{};
  for (int i = 0; i < kFitParameterCount; ++i)
    pooled[static_cast<std::size_t>(i)] = is_pooled_parameter(static_cast<FitParameter>(i));
  std::vector<CouncilLikelihood> likelihoods;
  for (const FitResult& fit : result.alone) {
    if (fit.likelihood_precision.rows() == static_cast<Eigen::Index>(fit.free_parameters.size())) {
      likelihoods.push_back({fit.free_parameters, fit.likelihood_precision, fit.likelihood_score});
    }
  }
  const auto region = estimate_region(likelihoods, pooled);

  FitOptions pooled_options = options;
  for (int i = 0; i < kFitParameterCount; ++i) {
    const auto parameter = static_cast<FitParameter>(i);
    const auto p = static_cast<std::size_t>(i);
    PooledParameter row;
    row.parameter = parameter;
    row.pooled = pooled[p];
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
      const double default_sd = info_of(parameter).prior_sd;
      const double sd = std::sqrt(row.region.spread_variance + row.region.mean_se * row.region.mean_se);
      row.prior = {row.region.mean, std::min(sd, kMaximumPriorSdRatio * default_sd)};
      pooled_options.priors[p] = row.prior;
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
         "and the spread between councils estimated from all their figures together (maximum likelihood, by EM), "
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
