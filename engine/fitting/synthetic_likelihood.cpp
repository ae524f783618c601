#include "fitting/synthetic_likelihood.hpp"

#include <stdexcept>

namespace carecast {
namespace {
// Weight of the diagonal in the shrunk covariance: enough to keep it well conditioned when there
// are a few dozen figures and a few hundred runs, small enough to keep the strong correlation of a
// stock with itself a few months later (which counted twice would make the fit overconfident).
constexpr double kShrinkToDiagonal = 0.1;
}  // namespace

LinearEmulator fit_linear_emulator(const Eigen::MatrixXd& thetas, const Eigen::MatrixXd& figures,
                                   double rounding_variance) {
  return fit_linear_emulator(thetas, figures, Eigen::VectorXd::Constant(figures.cols(), rounding_variance));
}

LinearEmulator fit_linear_emulator(const Eigen::MatrixXd& thetas, const Eigen::MatrixXd& figures,
                                   const Eigen::VectorXd& rounding_variance) {
  if (rounding_variance.size() != figures.cols()) {
    throw std::invalid_argument("fit_linear_emulator: one rounding variance per figure");
  }
  const Eigen::Index runs = thetas.rows();
  const Eigen::Index parameters = thetas.cols();
  if (runs <= parameters + 2 || figures.rows() != runs) {
    throw std::invalid_argument("fit_linear_emulator: too few runs for the parameters");
  }
  Eigen::MatrixXd design(runs, parameters + 1);
  design.col(0).setOnes();
  design.rightCols(parameters) = thetas;
  const Eigen::MatrixXd coefficients = design.colPivHouseholderQr().solve(figures);
  const Eigen::MatrixXd residuals = figures - design * coefficients;
  Eigen::MatrixXd covariance =
      residuals.transpose() * residuals / static_cast<double>(runs - parameters - 1);
  const Eigen::VectorXd diagonal = covariance.diagonal();
  covariance *= 1 - kShrinkToDiagonal;
  covariance.diagonal() += kShrinkToDiagonal * diagonal;
  covariance.diagonal() += rounding_variance;
  return {coefficients.row(0).transpose(), coefficients.bottomRows(parameters).transpose(), covariance};
}

GaussianPosterior linear_gaussian_posterior(const LinearEmulator& emulator, const Eigen::VectorXd& observed,
                                            const Eigen::VectorXd& prior_mean, const Eigen::VectorXd& prior_sd) {
  const Eigen::LDLT<Eigen::MatrixXd> noise(emulator.covariance);
  const Eigen::MatrixXd whitened_slope = noise.solve(emulator.slope);  // Sigma^-1 B
  const Eigen::VectorXd prior_precision = prior_sd.array().square().inverse();
  GaussianPosterior result;
  result.likelihood_precision = emulator.slope.transpose() * whitened_slope;
  result.likelihood_score = whitened_slope.transpose() * (observed - emulator.intercept);
  Eigen::MatrixXd precision = result.likelihood_precision;
  precision.diagonal() += prior_precision;
  // The prior's own score: 0 for a prior centred on the base, so that fit is unchanged by it.
  const Eigen::VectorXd score = result.likelihood_score + Eigen::VectorXd(prior_precision.cwiseProduct(prior_mean));
  const Eigen::LDLT<Eigen::MatrixXd> posterior(precision);
  result.mean = posterior.solve(score);
  result.covariance = posterior.solve(Eigen::MatrixXd::Identity(precision.rows(), precision.cols()));
  return result;
}

}  // namespace carecast
