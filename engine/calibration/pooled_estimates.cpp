#include "calibration/pooled_estimates.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "output/written_text.hpp"

namespace carecast {
namespace {

BetweenCouncilSpread spread_from_moments(double numerator, double denominator, int cells) {
  BetweenCouncilSpread spread;
  spread.cells = cells;
  if (cells == 0 || !(denominator > 0)) return spread;
  spread.estimated = true;
  spread.raw = numerator / denominator;
  return spread;
}

// A council uses a category when calibration estimated it (a placement of it was seen): its cells then have a
// within-council prior, which is never 0.
PerCategory<bool> categories_in_use(const RateEvidence& evidence, std::size_t cells_per_category) {
  PerCategory<bool> in_use{};
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    for (std::size_t i = 0; i < cells_per_category; ++i) {
      const GammaEvidence& cell = evidence.ending[c * cells_per_category + i];
      in_use[c] = in_use[c] || cell.prior_exposure > 0 || cell.exposure > 0;
    }
  }
  return in_use;
}

double posterior_mean(const GammaEvidence& evidence) {
  return evidence.rate() > 0 ? evidence.shape() / evidence.rate() : 0;
}

template <std::size_t N>
std::array<double, N> normalised(const std::array<double, N>& mass) {
  double total = 0;
  for (const double x : mass) total += x;
  std::array<double, N> shares{};
  if (total > 0) {
    for (std::size_t i = 0; i < N; ++i) shares[i] = mass[i] / total;
  }
  return shares;
}

template <std::size_t N>
double total_of(const std::array<double, N>& counts) {
  double total = 0;
  for (const double x : counts) total += x;
  return total;
}

// The weight a council's prior takes in a cell: the estimated one, at most `cap` (the region's own evidence
// there); the whole cap when the spread came out at or below 0.
double weight_within(const BetweenCouncilSpread& spread, double cap) {
  return spread.prior_weight ? std::min(*spread.prior_weight, cap) : cap;
}

// Pooling a kind of share changes nothing when its spread could not be estimated or shows councils to differ
// more than any Dirichlet about the region's shares (rho at or above 1).
bool pools(const BetweenCouncilSpread& spread) { return spread.estimated && spread.prior_weight.value_or(1) > 0; }

// Council j's prior in one share cell: the region's shares restricted to the outcomes it uses, worth `weight`.
// False, and the prior left as it was, when none of the region's shares is on an outcome the council uses.
template <std::size_t N>
bool set_pooled_prior(std::array<double, N>& prior, const std::array<double, N>& region_shares,
                      const std::array<bool, N>& allowed, double weight) {
  std::array<double, N> restricted{};
  for (std::size_t i = 0; i < N; ++i) restricted[i] = allowed[i] ? region_shares[i] : 0;
  const std::array<double, N> shares = normalised(restricted);
  if (total_of(shares) == 0) return false;
  for (std::size_t i = 0; i < N; ++i) prior[i] = shares[i] * weight;
  return true;
}

template <std::size_t N>
std::array<double, N> posterior_shares(const DirichletEvidence<static_cast<int>(N)>& evidence) {
  std::array<double, N> mass{};
  for (std::size_t i = 0; i < N; ++i) mass[i] = evidence.counts[i] + evidence.prior[i];
  return normalised(mass);
}

struct Council {
  Scenario* scenario;
  const RateEvidence* unweighted;
  PerCategory<bool> in_use;
  RateEvidence& evidence() const { return *scenario->evidence; }
};

void pool_hazards(const std::vector<Council>& councils, std::size_t per_category, double k, PooledEstimates& pooled) {
  const std::size_t cells = kCategoryCount * per_category;
  std::vector<std::vector<EventsAndExposure>> by_cell(cells);
  for (const Council& council : councils) {
    for (std::size_t cell = 0; cell < cells; ++cell) {
      const GammaEvidence& unweighted = council.unweighted->ending[cell];
      if (council.in_use[cell / per_category] && unweighted.exposure > 0) {
        by_cell[cell].push_back({unweighted.events, unweighted.exposure});
      }
    }
  }
  BetweenCouncilSpread& spread = pooled.hazards;
  spread = rate_spread(by_cell);
  if (!spread.estimated) return;

  // The region's rates, from the councils' (recency-weighted) evidence, shrunk as one council's are.
  std::vector<double> events(cells, 0), exposure(cells, 0);
  PerCategory<double> category_events{}, category_exposure{};
  for (const Council& council : councils) {
    for (std::size_t cell = 0; cell < cells; ++cell) {
      if (!council.in_use[cell / per_category]) continue;
      const GammaEvidence& own = council.evidence().ending[cell];
      events[cell] += own.events;
      exposure[cell] += own.exposure;
      category_events[cell / per_category] += own.events;
      category_exposure[cell / per_category] += own.exposure;
    }
  }
  double all_events = 0, all_exposure = 0;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    all_events += category_events[c];
    all_exposure += category_exposure[c];
  }
  const double all_rate = all_exposure > 0 ? all_events / all_exposure : 0;
  for (std::size_t cell = 0; cell < cells; ++cell) {
    const std::size_t c = cell / per_category;
    const double category_rate = (category_events[c] + all_rate * k) / (category_exposure[c] + k);
    const double region_rate = (events[cell] + category_rate * k) / (exposure[cell] + k);
    const double cap = exposure[cell] + k;  // child-years the region's rate is worth at most
    const double prior_exposure =
        region_rate > 0 && spread.prior_weight ? std::min(*spread.prior_weight / region_rate, cap) : cap;
    for (const Council& council : councils) {
      if (!council.in_use[c]) continue;
      GammaEvidence& own = council.evidence().ending[cell];
      own.prior_exposure = prior_exposure;
      own.prior_events = region_rate * prior_exposure;
      council.scenario->ending_hazard_per_year[cell] = posterior_mean(own);
    }
  }
}

void pool_destinations(const std::vector<Council>& councils, double share_prior, PooledEstimates& pooled) {
  std::vector<std::vector<std::vector<double>>> by_cell;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    for (std::size_t a = 0; a < kAgeBandCount; ++a) {
      auto& cell = by_cell.emplace_back();
      for (const Council& council : councils) {
        if (!council.in_use[c]) continue;
        const auto& counts = council.unweighted->destination[c][a].counts;
        cell.emplace_back(counts.begin(), counts.end());
      }
    }
  }
  BetweenCouncilSpread& spread = pooled.destinations;
  spread = share_spread(by_cell);
  if (!pools(spread)) return;

  using Counts = std::array<double, kOutcomeCount>;
  PerCategory<PerAgeBand<Counts>> region{};
  PerCategory<Counts> category{};
  Counts all{};
  for (const Council& council : councils) {
    for (std::size_t c = 0; c < kCategoryCount; ++c) {
      if (!council.in_use[c]) continue;
      for (std::size_t a = 0; a < kAgeBandCount; ++a) {
        for (std::size_t o = 0; o < kOutcomeCount; ++o) {
          const double n = council.evidence().destination[c][a].counts[o];
          region[c][a][o] += n;
          category[c][o] += n;
          all[o] += n;
        }
      }
    }
  }
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    // As for one council: a category in which nothing ended anywhere borrows the shares of all placements.
    const Counts category_shares = normalised(total_of(category[c]) > 0 ? category[c] : all);
    for (std::size_t a = 0; a < kAgeBandCount; ++a) {
      Counts mass{};
      for (std::size_t o = 0; o < kOutcomeCount; ++o) mass[o] = region[c][a][o] + category_shares[o] * share_prior;
      const Counts region_shares = normalised(mass);
      const double weight = weight_within(spread, total_of(region[c][a]) + share_prior);
      for (const Council& council : councils) {
        if (!council.in_use[c]) continue;
        std::array<bool, kOutcomeCount> allowed{};
        for (std::size_t o = 0; o < kOutcomeCount; ++o) {
          allowed[o] = outcome_is_exit(static_cast<int>(o)) || council.in_use[o];
        }
        auto& own = council.evidence().destination[c][a];
        if (!set_pooled_prior(own.prior, region_shares, allowed, weight)) continue;
        council.scenario->destination_probability[c][a] = posterior_shares<kOutcomeCount>(own);
      }
    }
  }
}

using EntryEvidence = PerAgeBand<PerSex<GammaEvidence>>;
constexpr std::size_t kEntryCells = kAgeBandCount * kSexCount;

// The mix of entries over age bands and sexes, pooled as a share; each council keeps its own total.
void pool_entry_mix(const std::vector<Council>& councils, EntryEvidence RateEvidence::*stream_evidence,
                    EntryStream Scenario::*stream, BetweenCouncilSpread& spread) {
  std::vector<std::vector<std::vector<double>>> by_cell(1);
  std::array<double, kEntryCells> region{};
  for (const Council& council : councils) {
    auto& counts = by_cell[0].emplace_back(kEntryCells, 0.0);
    for (std::size_t i = 0; i < kEntryCells; ++i) {
      counts[i] = (council.unweighted->*stream_evidence)[i / kSexCount][i % kSexCount].events;
      region[i] += (council.evidence().*stream_evidence)[i / kSexCount][i % kSexCount].events;
    }
  }
  spread = share_spread(by_cell);
  if (!pools(spread)) return;
  const std::array<double, kEntryCells> region_shares = normalised(region);
  const double weight = weight_within(spread, total_of(region));
  for (const Council& council : councils) {
    EntryEvidence& own = council.evidence().*stream_evidence;
    double entries = 0;
    for (const auto& band : own) entries += band[0].events + band[1].events;
    const double years = own[0][0].exposure;  // the same for every band and sex
    if (!(entries > 0) || !(years > 0)) continue;  // no entries in this stream: none forecast
    // Cell i's prior: the council's total rate entries / years times the region's share, worth weight x share
    // entries. The cells' posterior means then sum to the council's own total rate.
    for (std::size_t i = 0; i < kEntryCells; ++i) {
      GammaEvidence& cell = own[i / kSexCount][i % kSexCount];
      cell.prior_events = weight * region_shares[i];
      cell.prior_exposure = weight * years / entries;
      (council.scenario->*stream).expected_per_year[i / kSexCount][i % kSexCount] = posterior_mean(cell);
    }
  }
}

using FirstPlacementEvidence = PerAgeBand<DirichletEvidence<kCategoryCount>>;

void pool_first_placements_with(const std::vector<Council>& councils, double share_prior,
                                FirstPlacementEvidence RateEvidence::*stream_evidence, EntryStream Scenario::*stream,
                                const BetweenCouncilSpread& spread);

void pool_first_placements(const std::vector<Council>& councils, double share_prior,
                           FirstPlacementEvidence RateEvidence::*stream_evidence, EntryStream Scenario::*stream,
                           BetweenCouncilSpread& spread) {
  std::vector<std::vector<std::vector<double>>> by_cell(kAgeBandCount);
  for (const Council& council : councils) {
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      const auto& counts = (council.unweighted->*stream_evidence)[b].counts;
      by_cell[b].emplace_back(counts.begin(), counts.end());
    }
  }
  spread = share_spread(by_cell);
  if (pools(spread)) pool_first_placements_with(councils, share_prior, stream_evidence, stream, spread);
  // A band the council's pooled entries reach with no first placement there or in the region's shares it can take
  // (a mix pooled, shares not): the council's own shares over all bands, as calibrate gives a band with entries.
  for (const Council& council : councils) {
    std::array<double, kCategoryCount> own_counts{};
    for (const auto& band : council.evidence().*stream_evidence) {
      for (std::size_t c = 0; c < kCategoryCount; ++c) own_counts[c] += band.counts[c];
    }
    const std::array<double, kCategoryCount> own_shares = normalised(own_counts);
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      const auto& expected = (council.scenario->*stream).expected_per_year[b];
      auto& own = (council.evidence().*stream_evidence)[b];
      if (!(expected[0] + expected[1] > 0) || total_of(own.counts) + total_of(own.prior) > 0) continue;
      for (std::size_t c = 0; c < kCategoryCount; ++c) own.prior[c] = own_shares[c] * share_prior;
      (council.scenario->*stream).first_placement_probability[b] = posterior_shares<kCategoryCount>(own);
    }
  }
}

void pool_first_placements_with(const std::vector<Council>& councils, double share_prior,
                                FirstPlacementEvidence RateEvidence::*stream_evidence, EntryStream Scenario::*stream,
                                const BetweenCouncilSpread& spread) {
  using Counts = std::array<double, kCategoryCount>;
  PerAgeBand<Counts> region{};
  Counts all{};
  for (const Council& council : councils) {
    for (std::size_t b = 0; b < kAgeBandCount; ++b) {
      for (std::size_t c = 0; c < kCategoryCount; ++c) {
        region[b][c] += (council.evidence().*stream_evidence)[b].counts[c];
        all[c] += (council.evidence().*stream_evidence)[b].counts[c];
      }
    }
  }
  const Counts stream_shares = normalised(all);
  for (std::size_t b = 0; b < kAgeBandCount; ++b) {
    Counts mass{};
    for (std::size_t c = 0; c < kCategoryCount; ++c) mass[c] = region[b][c] + stream_shares[c] * share_prior;
    const Counts region_shares = normalised(mass);
    const double weight = weight_within(spread, total_of(region[b]) + share_prior);
    for (const Council& council : councils) {
      const auto& expected = (council.scenario->*stream).expected_per_year[b];
      // Only where the council's (pooled) entries reach this band: elsewhere first placements are never drawn.
      if (!(expected[0] + expected[1] > 0)) continue;
      auto& own = (council.evidence().*stream_evidence)[b];
      if (!set_pooled_prior(own.prior, region_shares, council.in_use, weight)) continue;
      (council.scenario->*stream).first_placement_probability[b] = posterior_shares<kCategoryCount>(own);
    }
  }
}

std::string describe_spread(const BetweenCouncilSpread& spread, const std::string& what, const std::string& unit,
                            bool relative_sd) {
  if (!spread.estimated) return what + ": not pooled (no cell with two councils' evidence)";
  if (spread.prior_weight && *spread.prior_weight <= 0) {
    return what + ": not pooled (councils differ beyond any common prior)";
  }
  std::string text = what + ": ";
  if (!spread.prior_weight) {
    text += "the region's, up to its own evidence (the councils differ by no more than chance)";
  } else {
    text += "the region's worth " + fixed_decimals(*spread.prior_weight, 1) + " " + unit;
    if (relative_sd) text += " (councils' rates differ by a relative sd of " + fixed_decimals(std::sqrt(spread.raw), 3) + ")";
  }
  return text + ", from " + std::to_string(spread.cells) + " cell(s)";
}

}  // namespace

BetweenCouncilSpread rate_spread(const std::vector<std::vector<EventsAndExposure>>& cells) {
  double numerator = 0;
  double denominator = 0;
  int used = 0;
  for (const std::vector<EventsAndExposure>& cell : cells) {
    int councils = 0;
    double events = 0, exposure = 0, exposure_squares = 0;
    for (const EventsAndExposure& council : cell) {
      if (!(council.exposure > 0)) continue;
      ++councils;
      events += council.events;
      exposure += council.exposure;
      exposure_squares += council.exposure * council.exposure;
    }
    if (councils < 2 || !(events > 0)) continue;
    const double m = events / exposure;
    double spread = 0;
    for (const EventsAndExposure& council : cell) {
      if (!(council.exposure > 0)) continue;
      const double r = council.events / council.exposure;
      spread += council.exposure * (r - m) * (r - m);
    }
    numerator += spread - (councils - 1) * m;
    denominator += m * m * (exposure - exposure_squares / exposure);
    ++used;
  }
  BetweenCouncilSpread spread = spread_from_moments(numerator, denominator, used);
  if (spread.estimated && spread.raw > 0) spread.prior_weight = 1 / spread.raw;
  return spread;
}

BetweenCouncilSpread share_spread(const std::vector<std::vector<std::vector<double>>>& cells) {
  double numerator = 0;
  double denominator = 0;
  int used = 0;
  for (const std::vector<std::vector<double>>& cell : cells) {
    if (cell.empty()) continue;
    const std::size_t outcomes = cell.front().size();
    std::vector<double> totals(outcomes, 0);
    int councils = 0;
    double count = 0, count_squares = 0;
    for (const std::vector<double>& council : cell) {
      if (council.size() != outcomes) throw std::invalid_argument("share_spread: councils' outcomes differ in number");
      double n = 0;
      for (const double x : council) n += x;
      if (!(n > 0)) continue;
      ++councils;
      count += n;
      count_squares += n * n;
      for (std::size_t o = 0; o < outcomes; ++o) totals[o] += council[o];
    }
    if (councils < 2) continue;
    double q = 1;
    for (const double x : totals) q -= (x / count) * (x / count);
    if (!(q > 1e-12)) continue;
    double spread = 0;
    for (const std::vector<double>& council : cell) {
      double n = 0;
      for (const double x : council) n += x;
      if (!(n > 0)) continue;
      for (std::size_t o = 0; o < outcomes; ++o) {
        const double d = council[o] / n - totals[o] / count;
        spread += n * d * d;
      }
    }
    numerator += spread - q * (councils - 1);
    denominator += q * (count - count_squares / count - (councils - 1));
    ++used;
  }
  BetweenCouncilSpread spread = spread_from_moments(numerator, denominator, used);
  if (spread.estimated && spread.raw > 0) spread.prior_weight = spread.raw < 1 ? 1 / spread.raw - 1 : 0;
  return spread;
}

std::string PooledEstimates::describe() const {
  std::ostringstream out;
  out << "Pooled over " << councils
      << " councils (calibrate --pool-councils, empirical Bayes): the priors above are replaced by the region's "
         "rates (themselves shrunk as above), each worth what the spread between councils implies, so that a council "
         "with little evidence moves towards the region and one with much keeps its own. "
      << describe_spread(hazards, "Placement-ending hazards", "endings", true) << "; "
      << describe_spread(destinations, "destinations", "events", false) << "; "
      << describe_spread(first_placements, "first placements", "entries", false) << "; "
      << describe_spread(uasc_first_placements, "UASC first placements", "entries", false) << "; "
      << describe_spread(entry_mix, "mix of entries by age and sex (each council keeps its own total)", "entries",
                         false)
      << "; " << describe_spread(uasc_entry_mix, "mix of UASC entries", "entries", false)
      << ". Where not pooled, the council's own prior is kept. Time-in-care multipliers, year-to-year variation, "
         "re-entry and the entry trend are each council's own.";
  return out.str();
}

PooledEstimates pool_council_estimates(const std::vector<CouncilToPool>& councils, const CalibrationOptions& options) {
  if (councils.size() < 2) throw std::invalid_argument("pool_council_estimates: pooling needs 2 or more councils");
  std::vector<Council> pooled_councils;
  const Scenario* first = councils.front().scenario;
  for (const CouncilToPool& council : councils) {
    if (council.scenario == nullptr || !council.scenario->evidence || council.unweighted == nullptr) {
      throw std::invalid_argument("pool_council_estimates: council " + council.name + " has no evidence");
    }
    if (council.scenario->duration_band_start_days != first->duration_band_start_days) {
      throw std::invalid_argument("pool_council_estimates: council " + council.name +
                                  "'s duration bands differ from the first council's");
    }
    const std::size_t per_category = kAgeBandCount * council.scenario->duration_band_start_days.size();
    if (council.scenario->evidence->ending.size() != kCategoryCount * per_category ||
        council.unweighted->ending.size() != kCategoryCount * per_category) {
      throw std::invalid_argument("pool_council_estimates: council " + council.name + "'s evidence is incomplete");
    }
    pooled_councils.push_back(
        {council.scenario, council.unweighted, categories_in_use(*council.scenario->evidence, per_category)});
  }
  PooledEstimates pooled;
  pooled.councils = static_cast<int>(councils.size());
  const std::size_t per_category = kAgeBandCount * first->duration_band_start_days.size();
  pool_hazards(pooled_councils, per_category, options.hazard_prior_child_years, pooled);
  pool_destinations(pooled_councils, options.share_prior_events, pooled);
  // The mix of entries first: first placements are pooled where the pooled entries reach.
  pool_entry_mix(pooled_councils, &RateEvidence::entries, &Scenario::entries, pooled.entry_mix);
  pool_entry_mix(pooled_councils, &RateEvidence::uasc_entries, &Scenario::uasc, pooled.uasc_entry_mix);
  pool_first_placements(pooled_councils, options.share_prior_events, &RateEvidence::first_placement,
                        &Scenario::entries, pooled.first_placements);
  pool_first_placements(pooled_councils, options.share_prior_events, &RateEvidence::uasc_first_placement,
                        &Scenario::uasc, pooled.uasc_first_placements);
  return pooled;
}

}  // namespace carecast
