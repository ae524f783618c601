// Parameter uncertainty for a hand-written scenario (Scenario::stated_uncertainty): its rates are
// taken as if estimated from a stated amount of data, so each replication can draw them from a
// posterior centred on the stated values, as it does a calibrated scenario's from its evidence.
#pragma once

#include "scenario/scenario.hpp"

namespace carecast {

// Evidence whose posterior means are the scenario's stated rates, using scenario.stated_uncertainty:
//   - each placement-ending hazard cell: Gamma with exposure hazard_child_years and events
//     rate x exposure;
//   - each entry rate (both streams, by age band and sex): Gamma with exposure entry_years and
//     events rate x years;
//   - each destination and first-placement distribution: Dirichlet with counts share_events x
//     probability;
//   - each entry stream's growth: a log-scale slope with sd entry_growth_sd_log_per_year.
// No prior: a stated 0 stays 0, and a share of 0 is never drawn.
RateEvidence stated_evidence(const Scenario& scenario);

// Evidence whose posterior means are the scenario's care-leaver rates ([care_leavers]), using
// scenario.stated_uncertainty, for every scenario with care leavers (a calibrated one too: no
// return records moves between care leavers' statuses, so these rates are always hand-written):
//   - each transition hazard: Gamma with exposure care_leaver_evidence_years and events
//     hazard x exposure;
//   - the first status: Dirichlet with counts care_leaver_share_events x probability;
//   - declining support after 21, staying close and higher education: each a Beta with
//     care_leaver_share_events x p and x (1 - p).
// A stated 0 stays 0 and a stated 1 stays 1.
CareLeaverEvidence stated_care_leaver_evidence(const Scenario& scenario);

}  // namespace carecast
