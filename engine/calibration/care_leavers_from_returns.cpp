#include "calibration/care_leavers_from_returns.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "output/written_text.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/care_leavers.hpp"
#include "simulation/compiled_model.hpp"

namespace carecast {
namespace {

// The youngest age at which a young person can leave care eligible (looked after on or after the
// 16th birthday), and the age at which care ends for everyone.
constexpr int kYoungestEligibleLeavingAge = 16;
constexpr int kLeavingCareAge = 18;
constexpr std::array<int, kCareLeaverAgeBandCount> kBandEndAge = {21, 25};  // first age beyond the band

std::size_t at(CareLeaverStatus s) { return static_cast<std::size_t>(s); }

bool leaves_as_care_leaver(ExitReason reason) {
  // As the simulation makes care leavers (REFERENCE.md, [care_leavers]): at 18, or earlier to live
  // independently or for another reason; not on returning home, adoption or an order.
  return reason == ExitReason::aged_18 || reason == ExitReason::staying_put ||
         reason == ExitReason::independent_living || reason == ExitReason::other;
}

struct Leaving {
  int band = 0;
  const CarePeriod* last = nullptr;  // the period whose end made them a care leaver
};

std::optional<Leaving> leaving_of(const ChildHistory& child, Date as_of) {
  const Date birthday_18 = add_years(child.date_of_birth, kLeavingCareAge);
  const Date birthday_21 = add_years(child.date_of_birth, kBandEndAge[0]);
  const Date birthday_25 = add_years(child.date_of_birth, kBandEndAge[1]);
  if (birthday_18 > as_of || birthday_25 <= as_of) return std::nullopt;
  // A clock in days from the start of the as-of date: a birthday at the start of its day, a care
  // date in the middle of its day, as calibration takes events.
  const auto start_of_day = [&](Date d) { return days_between(as_of, d); };
  const auto middle_of_day = [&](Date d) { return days_between(as_of, d) + 0.5; };
  const double birthday_14 = start_of_day(add_years(child.date_of_birth, 14));
  const double birthday_16 = start_of_day(add_years(child.date_of_birth, kYoungestEligibleLeavingAge));
  const CarePeriod* last = nullptr;
  double earlier_days_since_14 = 0;
  for (const CarePeriod& period : child.periods) {
    if (period.start > as_of) break;
    if (last != nullptr) {  // ended, since a later period began
      earlier_days_since_14 +=
          std::max(0.0, middle_of_day(*last->end) - std::max(middle_of_day(last->start), birthday_14));
    }
    last = &period;
  }
  // Still looked after at the end of the as-of date (or never before it): not a care leaver.
  if (last == nullptr || !last->end || *last->end > as_of || !last->exit_reason) return std::nullopt;
  if (!leaves_as_care_leaver(*last->exit_reason)) return std::nullopt;
  if (!eligible_for_leaving_care(middle_of_day(last->start), middle_of_day(*last->end), birthday_14, birthday_16,
                                 earlier_days_since_14)) {
    return std::nullopt;
  }
  return Leaving{birthday_21 <= as_of ? 1 : 0, last};
}

// What the returns can see: everyone who left care since they begin.
Date returns_begin(const CareHistory& history, Date as_of) {
  return history.observed_from.value_or(history.first_date.value_or(as_of));
}

std::string band_words(int band) { return band == 0 ? "18 to 20" : "21 to 25"; }

}  // namespace

CareLeaverSettings shipped_default_care_leavers() {
  return load_scenario(default_scenario_path()).care_leavers;
}

std::optional<int> care_leaver_age_band(const ChildHistory& child, Date as_of) {
  const std::optional<Leaving> leaving = leaving_of(child, as_of);
  return leaving ? std::optional(leaving->band) : std::nullopt;
}

bool care_leaver_band_fully_seen(const CareHistory& history, Date as_of, int band) {
  return returns_begin(history, as_of) <=
         add_years(as_of, kYoungestEligibleLeavingAge - kBandEndAge[static_cast<std::size_t>(band)]);
}

std::array<int, kCareLeaverAgeBandCount> care_leavers_kept(const std::array<int, kCareLeaverAgeBandCount>& eligible,
                                                           const CareLeaverSettings& assumptions) {
  return {eligible[0],
          static_cast<int>(std::lround(eligible[1] * (1 - assumptions.support_ends_at_21_probability)))};
}

std::array<int, kCareLeaverStatusCount> share_by_status(int total,
                                                        const std::array<double, kCareLeaverStatusCount>& weights) {
  std::array<int, kCareLeaverStatusCount> parts{};
  const double sum = std::accumulate(weights.begin(), weights.end(), 0.0);
  if (total <= 0) return parts;
  if (!(sum > 0)) {
    parts[at(CareLeaverStatus::independent)] = total;
    return parts;
  }
  std::array<double, kCareLeaverStatusCount> remainder{};
  int given = 0;
  for (std::size_t s = 0; s < parts.size(); ++s) {
    const double exact = total * weights[s] / sum;
    parts[s] = static_cast<int>(std::floor(exact));
    remainder[s] = exact - parts[s];
    given += parts[s];
  }
  while (given < total) {
    std::size_t largest = 0;
    for (std::size_t s = 1; s < parts.size(); ++s) {
      if (remainder[s] > remainder[largest]) largest = s;
    }
    ++parts[largest];
    remainder[largest] = -1;
    ++given;
  }
  return parts;
}

CareLeaversFromReturns care_leavers_from_returns(const CareHistory& history, Date as_of,
                                                 const CareLeaverSettings& assumptions) {
  CareLeaversFromReturns result;
  result.settings = assumptions;
  result.settings.enabled = true;
  const auto staying_put = at(CareLeaverStatus::staying_put);
  double leaving_staying_put_per_year = 0;
  for (const double h : assumptions.hazard_per_year[staying_put]) leaving_staying_put_per_year += h;

  int former_uasc = 0;
  double still_staying_put = 0;  // expected, of the E17 leavers aged 18 to 20
  for (const ChildHistory& child : history.children) {
    const std::optional<Leaving> leaving = leaving_of(child, as_of);
    if (!leaving) continue;
    ++result.eligible_leavers[static_cast<std::size_t>(leaving->band)];
    if (child.uasc) ++former_uasc;
    if (leaving->band == 0 && *leaving->last->exit_reason == ExitReason::staying_put) {
      ++result.left_with_staying_put;
      // Left on a day, taken at its middle; counted at the end of the as-of date.
      const double years_since = (days_between(*leaving->last->end, as_of) + 0.5) / kDaysPerYear;
      still_staying_put += std::exp(-leaving_staying_put_per_year * years_since);
    }
  }

  const std::array<int, kCareLeaverAgeBandCount> kept = care_leavers_kept(result.eligible_leavers, assumptions);
  // 18 to 20: staying put as the E17 exits give it, the rest in the assumptions' shares.
  const int aged_18_to_20 = kept[0];
  const int staying = std::min(aged_18_to_20, static_cast<int>(std::lround(still_staying_put)));
  std::array<double, kCareLeaverStatusCount> weights{};
  for (std::size_t s = 0; s < weights.size(); ++s) {
    weights[s] = s == staying_put ? 0.0 : assumptions.starting_count[s][0];
  }
  std::array<int, kCareLeaverStatusCount> band_0 = share_by_status(aged_18_to_20 - staying, weights);
  band_0[staying_put] = staying;
  // 21 to 25: those who asked for support after 21, in the assumptions' shares (none staying put).
  const int aged_21_to_25 = kept[1];
  for (std::size_t s = 0; s < weights.size(); ++s) {
    weights[s] = s == staying_put ? 0.0 : assumptions.starting_count[s][1];
  }
  const std::array<int, kCareLeaverStatusCount> band_1 = share_by_status(aged_21_to_25, weights);
  for (std::size_t s = 0; s < weights.size(); ++s) result.settings.starting_count[s] = {band_0[s], band_1[s]};

  // What the returns can see: everyone who left care since they begin.
  const Date window_start = returns_begin(history, as_of);
  const double years_seen = days_between(window_start, as_of) / kDaysPerYear;
  for (int band = 0; band < kCareLeaverAgeBandCount; ++band) {
    result.band_fully_seen[static_cast<std::size_t>(band)] = care_leaver_band_fully_seen(history, as_of, band);
  }

  result.notes.push_back(
      "Care leavers at the end of " + format_iso(as_of) + " in the returns: " + std::to_string(aged_18_to_20) +
      " aged 18 to 20 and " + std::to_string(result.eligible_leavers[1]) +
      " aged 21 to 24 who left care eligible for leaving-care support (13 weeks looked after since their 14th "
      "birthday, looked after on or after their 16th) at 18, or earlier to live independently or for another "
      "reason; " + std::to_string(former_uasc) + " of them were unaccompanied asylum-seeking children.");
  result.notes.push_back(
      "Staying put: " + std::to_string(staying) + " of the " + std::to_string(aged_18_to_20) + " aged 18 to 20: of " +
      std::to_string(result.left_with_staying_put) +
      " who left care with E17, those still staying put as the hazards out of staying put (" +
      fixed_decimals(leaving_staying_put_per_year, 2) + " a year in all) leave them [assumption].");
  result.notes.push_back(
      "Aged 21 to 25: " + std::to_string(aged_21_to_25) + ", the " + std::to_string(result.eligible_leavers[1]) +
      " eligible young people of that age times " + fixed_decimals(1 - assumptions.support_ends_at_21_probability, 2) +
      ", the share who ask for support after 21 [assumption: the returns do not record it].");
  result.notes.push_back(
      "The other statuses share each age band as the shipped default's starting care leavers do, and the costs, "
      "hazards and probabilities of [care_leavers] are the shipped default's [assumption: the returns do not "
      "record where care leavers live or what they cost].");
  for (int band = 0; band < kCareLeaverAgeBandCount; ++band) {
    if (result.band_fully_seen[static_cast<std::size_t>(band)]) continue;
    const int reach = kBandEndAge[static_cast<std::size_t>(band)] - kYoungestEligibleLeavingAge;
    const int reach_at_18 = kBandEndAge[static_cast<std::size_t>(band)] - kLeavingCareAge;
    result.notes.push_back(
        "Only partly seen: care leavers aged " + band_words(band) + " may have left care up to " +
        std::to_string(reach) + " years before " + format_iso(as_of) + " (" + std::to_string(reach_at_18) +
        " for those leaving at 18), but the returns begin on " + format_iso(window_start) + ", " +
        fixed_decimals(years_seen, 1) + " years before it. Young people who left care before then are not in them, "
        "so the count of " + band_words(band) + " year olds is a lower bound; nothing is added for them. A "
        "care_leavers figure dated the as-of date (calibrate --figures) replaces it with the council's own count.");
  }
  return result;
}

}  // namespace carecast
