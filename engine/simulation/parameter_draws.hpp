// Parameter uncertainty: each replication of a calibrated scenario draws its own rates from their
// posterior, so the spread of the forecast includes what the data could not pin down as well as
// the chance in who enters and when placements end.
#pragma once

#include "core/random_streams.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// A copy of `scenario` with every rate that has evidence replaced by a draw: hazards and entry
// rates from Gamma(shape, rate), destination and first-placement probabilities from
// Dirichlet(counts + prior). Rates without evidence are kept. `scenario.evidence` must be set.
Scenario draw_parameters(const Scenario& scenario, StreamEngine& engine);

}  // namespace carecast
