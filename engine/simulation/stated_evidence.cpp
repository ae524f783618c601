#include "simulation/stated_evidence.hpp"

namespace carecast {
namespace {

GammaEvidence stated_rate(double rate, double exposure) {
  GammaEvidence evidence;
  evidence.exposure = exposure;
  evidence.events = rate * exposure;
  return evidence;
}

template <int N>
DirichletEvidence<N> stated_shares(const std::array<double, N>& probability, double events) {
  DirichletEvidence<N> evidence;
  for (int i = 0; i < N; ++i) evidence.counts[i] = probability[i] * events;
  return evidence;
}

void stated_stream(const EntryStream& stream, const StatedUncertainty& stated,
                   PerAgeBand<PerSex<GammaEvidence>>& entries, PerAgeBand<DirichletEvidence<kCategoryCount>>& first) {
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (int s = 0; s < kSexCount; ++s) entries[b][s] = stated_rate(stream.expected_per_year[b][s], stated.entry_years);
    first[b] = stated_shares<kCategoryCount>(stream.first_placement_probability[b], stated.share_events);
  }
}

DirichletEvidence<2> stated_yes_no(double probability, double events) {
  return stated_shares<2>({probability, 1 - probability}, events);
}

}  // namespace

CareLeaverEvidence stated_care_leaver_evidence(const Scenario& scenario) {
  const StatedUncertainty& stated = scenario.stated_uncertainty;
  const CareLeaverSettings& care_leavers = scenario.care_leavers;
  CareLeaverEvidence evidence;
  for (int from = 0; from < kCareLeaverStatusCount; ++from) {
    for (int to = 0; to < kCareLeaverStatusCount; ++to) {
      evidence.hazard[from][to] = stated_rate(care_leavers.hazard_per_year[from][to], stated.care_leaver_evidence_years);
    }
  }
  evidence.first_status =
      stated_shares<kCareLeaverStatusCount>(care_leavers.first_status_probability, stated.care_leaver_share_events);
  evidence.support_ends_at_21 = stated_yes_no(care_leavers.support_ends_at_21_probability, stated.care_leaver_share_events);
  evidence.staying_close = stated_yes_no(care_leavers.staying_close_probability, stated.care_leaver_share_events);
  evidence.higher_education = stated_yes_no(care_leavers.higher_education_probability, stated.care_leaver_share_events);
  return evidence;
}

RateEvidence stated_evidence(const Scenario& scenario) {
  const StatedUncertainty& stated = scenario.stated_uncertainty;
  RateEvidence evidence;
  evidence.ending.reserve(scenario.ending_hazard_per_year.size());
  for (double hazard : scenario.ending_hazard_per_year) {
    evidence.ending.push_back(stated_rate(hazard, stated.hazard_child_years));
  }
  for (int c = 0; c < kCategoryCount; ++c) {
    for (int b = 0; b < kAgeBandCount; ++b) {
      evidence.destination[c][b] = stated_shares<kOutcomeCount>(scenario.destination_probability[c][b], stated.share_events);
    }
  }
  stated_stream(scenario.entries, stated, evidence.entries, evidence.first_placement);
  stated_stream(scenario.uasc, stated, evidence.uasc_entries, evidence.uasc_first_placement);
  evidence.entries_growth_sd_log_per_year = stated.entry_growth_sd_log_per_year;
  evidence.uasc_growth_sd_log_per_year = stated.entry_growth_sd_log_per_year;
  return evidence;
}

}  // namespace carecast
