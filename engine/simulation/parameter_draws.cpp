#include "simulation/parameter_draws.hpp"

#include <cmath>

#include <boost/random/gamma_distribution.hpp>
#include <boost/random/normal_distribution.hpp>

namespace carecast {
namespace {

double draw_gamma(double shape, double rate, StreamEngine& engine) {
  if (shape <= 0 || rate <= 0) return 0;  // no events and no prior: the rate is known to be 0
  return boost::random::gamma_distribution<double>(shape, 1.0 / rate)(engine);
}

double draw_rate(const GammaEvidence& evidence, StreamEngine& engine) {
  return draw_gamma(evidence.shape(), evidence.rate(), engine);
}

// Dirichlet as normalised Gamma(alpha_i, 1) draws. Outcomes with alpha 0 keep probability 0.
template <int N>
std::array<double, N> draw_dirichlet(const DirichletEvidence<N>& evidence, StreamEngine& engine) {
  std::array<double, N> p{};
  double total = 0;
  for (int i = 0; i < N; ++i) {
    p[i] = draw_gamma(evidence.counts[i] + evidence.prior[i], 1.0, engine);
    total += p[i];
  }
  if (total <= 0) return p;
  for (double& x : p) x /= total;
  return p;
}

template <int N>
bool has_mass(const DirichletEvidence<N>& evidence) {
  for (int i = 0; i < N; ++i) {
    if (evidence.counts[i] + evidence.prior[i] > 0) return true;
  }
  return false;
}

void draw_stream(EntryStream& stream, const PerAgeBand<PerSex<GammaEvidence>>& entries,
                 const PerAgeBand<DirichletEvidence<kCategoryCount>>& first_placement, StreamEngine& engine) {
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (int s = 0; s < kSexCount; ++s) {
      if (entries[b][s].rate() > 0) stream.expected_per_year[b][s] = draw_rate(entries[b][s], engine);
    }
    if (has_mass(first_placement[b])) stream.first_placement_probability[b] = draw_dirichlet(first_placement[b], engine);
  }
}

// The growth's log-scale slope from Normal(stated slope, sd^2). Drawn after every other parameter,
// so that a scenario whose growth is known (sd 0) draws exactly what it drew before.
void draw_growth(EntryStream& stream, double sd_log_per_year, StreamEngine& engine) {
  if (sd_log_per_year <= 0) return;
  const double slope = std::log1p(stream.annual_growth_rate);
  stream.annual_growth_rate = std::expm1(boost::random::normal_distribution<double>(slope, sd_log_per_year)(engine));
}

}  // namespace

void draw_parameters_into(const Scenario& scenario, const RateEvidence& evidence, StreamEngine& engine,
                          Scenario& drawn) {
  drawn.ending_hazard_per_year = scenario.ending_hazard_per_year;
  drawn.destination_probability = scenario.destination_probability;
  drawn.entries = scenario.entries;
  drawn.uasc = scenario.uasc;
  for (std::size_t i = 0; i < evidence.ending.size() && i < drawn.ending_hazard_per_year.size(); ++i) {
    if (evidence.ending[i].rate() > 0) drawn.ending_hazard_per_year[i] = draw_rate(evidence.ending[i], engine);
  }
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int b = 0; b < kAgeBandCount; ++b) {
      if (has_mass(evidence.destination[c][b])) {
        drawn.destination_probability[c][b] = draw_dirichlet(evidence.destination[c][b], engine);
      }
    }
  }
  draw_stream(drawn.entries, evidence.entries, evidence.first_placement, engine);
  draw_stream(drawn.uasc, evidence.uasc_entries, evidence.uasc_first_placement, engine);
  draw_growth(drawn.entries, evidence.entries_growth_sd_log_per_year, engine);
  draw_growth(drawn.uasc, evidence.uasc_growth_sd_log_per_year, engine);
}

void draw_care_leaver_parameters_into(const CareLeaverSettings& stated, const CareLeaverEvidence& evidence,
                                      StreamEngine& engine, CareLeaverSettings& drawn) {
  drawn.hazard_per_year = stated.hazard_per_year;
  drawn.first_status_probability = stated.first_status_probability;
  for (int from = 0; from < kCareLeaverStatusCount; ++from) {
    for (int to = 0; to < kCareLeaverStatusCount; ++to) {
      const GammaEvidence& hazard = evidence.hazard[from][to];
      if (hazard.rate() > 0) drawn.hazard_per_year[from][to] = draw_rate(hazard, engine);
    }
  }
  if (has_mass(evidence.first_status)) drawn.first_status_probability = draw_dirichlet(evidence.first_status, engine);
  const auto draw_yes = [&](const DirichletEvidence<2>& yes_no, double stated_probability) {
    return has_mass(yes_no) ? draw_dirichlet(yes_no, engine)[0] : stated_probability;
  };
  drawn.support_ends_at_21_probability = draw_yes(evidence.support_ends_at_21, stated.support_ends_at_21_probability);
  drawn.staying_close_probability = draw_yes(evidence.staying_close, stated.staying_close_probability);
  drawn.higher_education_probability = draw_yes(evidence.higher_education, stated.higher_education_probability);
}

Scenario draw_parameters(const Scenario& scenario, StreamEngine& engine) {
  Scenario drawn = scenario;
  draw_parameters_into(scenario, *scenario.evidence, engine, drawn);
  return drawn;
}

}  // namespace carecast
