// Parameter uncertainty: each replication draws its own rates from their posterior, so the spread
// of the forecast includes what the data could not pin down as well as the chance in who enters
// and when placements end. The evidence is a calibrated scenario's own, or for a hand-written
// scenario the stated uncertainty of stated_evidence.hpp.
#pragma once

#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// A copy of `scenario` with every rate that has evidence replaced by a draw: hazards and entry
// rates from Gamma(shape, rate), destination and first-placement probabilities from
// Dirichlet(counts + prior). Rates without evidence are kept. `scenario.evidence` must be set.
Scenario draw_parameters(const Scenario& scenario, StreamEngine& engine);

// The same draws from `evidence`, written over the rates of `drawn`, a copy of `scenario` made
// once and reused from one replication to the next: only the rates are written (hazards,
// destinations, both entry streams), so nothing else of the scenario is copied per replication.
void draw_parameters_into(const Scenario& scenario, const RateEvidence& evidence, StreamEngine& engine,
                          Scenario& drawn);

// The care-leaver rates of `stated` with every rate that has evidence replaced by a draw, written
// over the same rates of `drawn` (a copy of `stated`): transition hazards from Gamma(shape, rate),
// the first status from Dirichlet(counts + prior), and the yes-or-no shares (declining support
// after 21, staying close, higher education) from Beta. Costs and starting counts are untouched.
// `engine` is the replication's own care-leaver parameter stream, so these draws move no other
// parameter's.
void draw_care_leaver_parameters_into(const CareLeaverSettings& stated, const CareLeaverEvidence& evidence,
                                      StreamEngine& engine, CareLeaverSettings& drawn);

}  // namespace carecast
