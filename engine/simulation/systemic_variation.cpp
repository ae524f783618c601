#include "simulation/systemic_variation.hpp"

#include <algorithm>
#include <boost/random/chi_squared_distribution.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>

namespace carecast {

double draw_drift_scale(double evidence_origins, StreamEngine& engine) {
  boost::random::chi_squared_distribution<double> chi_squared(evidence_origins);
  return std::sqrt(evidence_origins / chi_squared(engine));
}

void draw_systemic_multipliers(const SystemicVariation& variation, int years, StreamEngine& engine,
                               StreamEngine& drift_engine, SystemicMultipliers& multipliers) {
  const auto count = static_cast<std::size_t>(years);
  multipliers.entries.resize(count);
  multipliers.exits.resize(count);
  multipliers.moves.resize(count);
  const std::array<double, 3> sd = {variation.entries_sd_log_per_year, variation.exits_sd_log_per_year,
                                    variation.moves_sd_log_per_year};
  std::array<double, 3> drift_sd = {variation.entries_drift_sd_log_per_year, variation.exits_drift_sd_log_per_year,
                                    variation.moves_drift_sd_log_per_year};
  if (variation.drifts() && variation.drift_evidence_origins > 0) {
    // This replication's drift sizes, from their posterior given the evidence (scenario.hpp): the
    // first draws of the drift stream, before the walk's steps.
    const double level_scale = draw_drift_scale(variation.drift_evidence_origins, drift_engine);
    const double moves_scale = draw_drift_scale(variation.drift_evidence_origins, drift_engine);
    drift_sd[0] = std::min(drift_sd[0] * level_scale, kMaxDriftSdLog);
    drift_sd[1] = std::min(drift_sd[1] * level_scale, kMaxDriftSdLog);
    drift_sd[2] = std::min(drift_sd[2] * moves_scale, kMaxDriftSdLog);
  }
  const std::array<std::vector<double>*, 3> paths = {&multipliers.entries, &multipliers.exits, &multipliers.moves};
  const double rho = variation.autocorrelation;
  const bool drifts = variation.drifts();
  std::array<double, 3> z{};
  std::array<double, 3> w{};
  boost::random::normal_distribution<double> standard_normal(0.0, 1.0);
  // The path starts from its stationary distribution, variance sd^2 / (1 - rho^2): a scenario's
  // rates describe a typical year (calibration averages several, weighted by recency), not the
  // state of the year the origin falls in, which is as unknown as any later year's. Starting at
  // one innovation's spread made the first years' intervals too narrow on the validation worlds.
  const double stationary = 1 / (1 - rho * rho);
  for (std::size_t k = 0; k < count; ++k) {
    for (std::size_t p = 0; p < paths.size(); ++p) {
      const double innovation = sd[p] * standard_normal(engine);
      z[p] = k == 0 ? innovation * std::sqrt(stationary) : rho * z[p] + innovation;
      double variance = sd[p] * sd[p] * stationary;
      // The drift has taken k + 1 steps by year k: the rates calibration gives are already a year
      // or more old at the origin (they average recent years). Its own stream, drawn only when
      // some process drifts, so that without a drift the paths are those of the AR(1) alone.
      if (drifts) {
        w[p] += drift_sd[p] * standard_normal(drift_engine);
        variance += drift_sd[p] * drift_sd[p] * static_cast<double>(k + 1);
      }
      (*paths[p])[k] = std::exp(z[p] + w[p] - variance / 2);
    }
  }
}

int variation_years(double horizon_time) { return static_cast<int>(horizon_time / kDaysPerYear) + 1; }

void YearlyVariation::draw(const SystemicVariation& variation, const CompiledModel& model, StreamEngine& engine,
                           StreamEngine& drift_engine) {
  years_ = variation_years(model.horizon_time);
  draw_systemic_multipliers(variation, years_, engine, drift_engine, multipliers_);
  varies_endings_ = variation.varies_endings();
  if (!varies_endings_) return;
  care_bands_ = model.care_band_count();
  const std::size_t cells =
      static_cast<std::size_t>(years_) * kCategoryCount * kAgeBandCount * static_cast<std::size_t>(care_bands_);
  hazard_scale_.resize(cells);
  destination_.resize(cells);
  const bool by_care = model.varies_with_time_in_care();
  for (int year = 0; year < years_; ++year) {
    const double exits = multipliers_.exits[static_cast<std::size_t>(year)];
    const double moves = multipliers_.moves[static_cast<std::size_t>(year)];
    for (int c = 0; c < kCategoryCount; ++c) {
      for (int b = 0; b < kAgeBandCount; ++b) {
        for (int k = 0; k < care_bands_; ++k) {
          const auto band = static_cast<std::size_t>(k);
          const double exit_factor = by_care ? exits * model.care_exit_multiplier[band] : exits;
          const double move_factor = by_care ? moves * model.care_move_multiplier[band] : moves;
          const std::size_t at = cell(year, c, b, k);
          hazard_scale_[at] =
              reweight_endings(model.destination_probability[c][b], exit_factor, move_factor, destination_[at]);
        }
      }
    }
  }
}

}  // namespace carecast
