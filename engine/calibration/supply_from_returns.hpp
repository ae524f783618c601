// calibrate on SSDA903 returns alone: the in-house foster carers' capacity, from the placements the returns record
// with the council's own carers (PLACE_PROVIDER PR1, foster placements). The returns name no carer, so the
// households behind those placements cannot be counted; what they do show is how many children the council's
// carers look after now. The capacity is taken as the in-house foster children on the as-of date: one place per
// household, every age. A household leaves when its child leaves, with the chance that makes households leave at
// the national rate, and as many are approved on average, so the capacity wanders as a council's does while nobody
// moves because carers left (the returns' move rates already hold every move that happened). A child who needs
// family foster care goes in-house only while a place is free, and otherwise to agency carers, so that when demand
// grows the extra children go to agencies, as they do when a council's own carers are full, instead of the
// in-house share growing in step with demand. The council's own children's homes are left unlimited (the returns
// give no beds), each child needing residential care going to the kind of home the rates draw; when the returns
// show no child in one, the council is taken to have none.
//
// A [supply] built from a published carer_households figure (supply_from_figures.hpp) replaces this one.
#pragma once

#include "calibration/supply_from_figures.hpp"
#include "history/ssda903.hpp"

namespace carecast {

// The [supply] for `calibrated` (the scenario the returns gave, as of `as_of`), or none with a note saying why: no
// child was with in-house carers on the as-of date, or no agency foster placement to fall back on.
SupplyFromFigures in_house_capacity_from_returns(const CareHistory& history, Date as_of, const Scenario& calibrated);

}  // namespace carecast
