// A Gaussian synthetic likelihood (Wood 2010) with a linear emulator, and the Gaussian posterior it
// gives in closed form.
//
// Why this and not ABC or MCMC on a synthetic likelihood: one replication of a council takes
// milliseconds, and the fit must finish in under a minute on two cores, so it can afford a few
// thousand replications in all, not the thousands per parameter value that a per-point synthetic
// likelihood or the millions that rejection ABC would need. Instead each replication is run at its
// own parameter value, and a regression of every simulated figure on the parameters (a linear
// emulator, fitted locally around where the posterior is) gives the figures' mean as a function
// of the parameters, and the residuals give their covariance: chance in who enters and when
// placements end, the year-to-year variation, and the emulator's own error. With a Gaussian prior
// on the log multipliers, the posterior of a linear-Gaussian model is Gaussian, exactly. The fit
// repeats this in rounds, each simulating around the previous round's posterior, so that the
// linear emulator is only asked to hold where the posterior is.
#pragma once

#include <Eigen/Dense>

namespace carecast {

struct GaussianPosterior {
  Eigen::VectorXd mean;
  Eigen::MatrixXd covariance;
  // The likelihood's part, prior left out: theta's log likelihood is -theta' P theta / 2 + s' theta + const,
  // P = B' Sigma^-1 B and s = B' Sigma^-1 (observed - intercept). The posterior under another Gaussian prior
  // follows without simulating again (pooled_fit.hpp).
  Eigen::MatrixXd likelihood_precision;
  Eigen::VectorXd likelihood_score;
};

struct LinearEmulator {
  Eigen::VectorXd intercept;     // the figures' mean at theta = 0
  Eigen::MatrixXd slope;         // figures x parameters
  Eigen::MatrixXd covariance;    // of the figures about the emulated mean
};

// Regresses each column of `figures` (runs x figures) on `thetas` (runs x parameters) by least
// squares. The covariance is the residuals', shrunk a little towards its diagonal (it is estimated
// from not many more runs than figures), plus `rounding_variance` on the diagonal: published
// figures are whole numbers (or whole percentages), so even a perfect model misses them by up to
// a half.
LinearEmulator fit_linear_emulator(const Eigen::MatrixXd& thetas, const Eigen::MatrixXd& figures,
                                   double rounding_variance = 1.0 / 12.0);
// The same with each figure's own rounding variance (one per column of `figures`), for figures taken on
// another scale than the published one (figure_scale.hpp).
LinearEmulator fit_linear_emulator(const Eigen::MatrixXd& thetas, const Eigen::MatrixXd& figures,
                                   const Eigen::VectorXd& rounding_variance);

// The posterior of theta under prior Normal(prior_mean, diag(prior_sd^2)) given `observed` figures.
GaussianPosterior linear_gaussian_posterior(const LinearEmulator& emulator, const Eigen::VectorXd& observed,
                                            const Eigen::VectorXd& prior_mean, const Eigen::VectorXd& prior_sd);

}  // namespace carecast
