// calibrate: the care leavers at the origin ([care_leavers].starting_count) from SSDA903 returns.
//
// Each young person's periods of care are put through the leaving-care eligibility rule the
// simulation uses (eligible_for_leaving_care, simulation/care_leavers.hpp): 13 weeks looked after in
// all since the 14th birthday, and looked after at some time on or after the 16th. One who left
// care for the last time on or before the as-of date, eligible, at 18 (aged_18, staying_put) or
// earlier to live independently or for another reason (independent_living, other), and who is 18 to
// 24 at the end of the as-of date, is a care leaver then, in the band 18_to_20 or 21_to_25, as the
// simulation makes them. Dates are taken as the middle of their day, as calibration takes events.
//
// What the returns cannot give is taken from the assumptions (the shipped default's [care_leavers]):
// - the returns do not say who asked for support after 21: the 21 to 25 count is the eligible young
//   people of that age times 1 - support_ends_at_21_probability, as the simulation keeps them;
// - nor where care leavers live: staying put is counted from the young people aged 18 to 20 who left
//   with E17, each still staying put with the chance the staying-put row's hazards leave (so the
//   E17 exits the returns record set it); the rest of each band is shared among the other statuses
//   in the assumptions' starting shares for that band;
// - young people who left care before the returns begin are not in them at all. A band whose oldest
//   could have left before then (from the 16th birthday, the youngest age at which care can end
//   with eligibility) is only partly seen: its count is a lower bound, said in the notes, and
//   nothing is added for those unseen.
// Nothing returned holds a child's identifier, date of birth or care dates: counts only.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "core/care_leaver_statuses.hpp"
#include "history/ssda903.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// The shipped default's [care_leavers], read from the shipped scenario (default_scenario_path(),
// which takes it from scenarios/default-base.toml): the assumptions for what the returns do not hold
// (costs, hazards, shares) and the status split of the starting counts. Throws InputError if the
// shipped scenario cannot be read.
CareLeaverSettings shipped_default_care_leavers();

// The age band (0: 18 to 20, 1: 21 to 25) in which `child` is a care leaver at the end of `as_of`,
// by the rule above before any assumption; nullopt if they are not one. Care after `as_of` is
// ignored, as if the data ended there.
std::optional<int> care_leaver_age_band(const ChildHistory& child, Date as_of);

// Whether the returns hold every young person who could be a care leaver of `band` (0: 18 to 20,
// 1: 21 to 25) at the end of `as_of`: they must begin no later than the day the band's oldest could
// have left care eligible (their 16th birthday). Otherwise the band's count is only a lower bound.
bool care_leaver_band_fully_seen(const CareHistory& history, Date as_of, int band);

// The care leavers of each band that the simulation starts from, given the eligible young people the
// returns show in each (care_leaver_age_band): all those aged 18 to 20, and of those aged 21 to 25
// the share who ask for support after 21 (1 - support_ends_at_21_probability, rounded to whole young
// people), as the simulation keeps them. calibrate's starting_count and the recorded history's
// care_leavers rows (output/recorded_history.hpp) both come from here, so that they agree.
std::array<int, kCareLeaverAgeBandCount> care_leavers_kept(const std::array<int, kCareLeaverAgeBandCount>& eligible,
                                                           const CareLeaverSettings& assumptions);

struct CareLeaversFromReturns {
  CareLeaverSettings settings;  // the assumptions, with starting_count from the returns
  // Eligible young people who left care and are in each band at the end of the as-of date, as the
  // returns show them (before the support-after-21 share).
  std::array<int, kCareLeaverAgeBandCount> eligible_leavers{};
  int left_with_staying_put = 0;  // of those aged 18 to 20, left with E17
  // Whether every young person of the band who could be a care leaver is in the returns.
  std::array<bool, kCareLeaverAgeBandCount> band_fully_seen{};
  std::vector<std::string> notes;  // for the console and the scenario file: counts only
};

CareLeaversFromReturns care_leavers_from_returns(const CareHistory& history, Date as_of,
                                                 const CareLeaverSettings& assumptions = shipped_default_care_leavers());

// Shares `total` among the statuses in proportion to `weights` (largest remainders, so the parts
// are whole and add up to `total`; ties to the earlier status). All weights 0: everything to
// `independent`.
std::array<int, kCareLeaverStatusCount> share_by_status(int total, const std::array<double, kCareLeaverStatusCount>& weights);

}  // namespace carecast
