#include "fitting/fit_parameters.hpp"

#include "fitting/figure_targets.hpp"

#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>

namespace carecast {
namespace {

// Prior sds: wide enough that a base scenario written for another council, or for a few years
// later, is inside them (a third more or fewer entries, endings half or twice as fast), narrow
// enough that a parameter the figures barely touch stays near the base.
constexpr std::array<FitParameterInfo, kFitParameterCount> kInfo = {{
    {"entry_level", "expected entries (not UASC) a year, at the fit's start", 0.3, false},
    {"entry_growth", "annual growth rate of entries, added to the base's", 0.05, true},
    {"uasc_level", "expected UASC entries a year", 0.5, false},
    {"starting_stock", "children looked after at the fit's start", 0.1, false},
    {"hazard_family", "placement-ending hazards in foster, adoptive, parent-and-child and other placements", 0.3, false},
    {"hazard_parents", "placement-ending hazards while placed with parents", 0.4, false},
    {"hazard_residential", "placement-ending hazards in children's homes and other residential settings", 0.4, false},
    {"hazard_supported", "placement-ending hazards in supported accommodation", 0.4, false},
    {"moves", "hazard of a placement ending in a move (all categories)", 0.5, false},
    {"adoption", "hazard of a placement ending in adoption", 0.5, false},
    {"special_guardianship", "hazard of a placement ending in a special guardianship order", 0.5, false},
    {"returned_home", "hazard of a placement ending in a return home", 0.5, false},
    {"child_arrangements_order", "hazard of a placement ending in a child arrangements order", 0.5, false},
    {"independent_living", "hazard of a placement ending in independent living", 0.5, false},
    {"other_exits", "hazard of a placement ending in an exit for another reason", 0.5, false},
    // 0.4: the share of entries aged 10-17 moving from a half to about a third or two thirds.
    {"entry_age_older", "entries aged 10-17 against younger ones (the total kept)", 0.4, false},
}};

// Each exit-reason parameter and the reason whose hazard it scales.
constexpr std::array<std::pair<FitParameter, ExitReason>, 6> kExitReasonParameters = {{
    {FitParameter::adoption, ExitReason::adoption},
    {FitParameter::special_guardianship, ExitReason::special_guardianship},
    {FitParameter::returned_home, ExitReason::returned_home},
    {FitParameter::child_arrangements_order, ExitReason::child_arrangements_order},
    {FitParameter::independent_living, ExitReason::independent_living},
    {FitParameter::other_exits, ExitReason::other},
}};

constexpr bool is_older_band(int band) { return band >= static_cast<int>(AgeBand::from_10_to_15); }

constexpr std::array<FitParameter, 4> kHazardGroups = {FitParameter::hazard_family, FitParameter::hazard_parents,
                                                       FitParameter::hazard_residential,
                                                       FitParameter::hazard_supported};

std::uint32_t group_members(FitParameter group) {
  std::uint32_t members = 0;
  for (int c = 0; c < kCategoryCount; ++c) {
    if (hazard_group_contains(group, static_cast<Category>(c))) members |= 1u << c;
  }
  return members;
}

FitParameter group_of(Category c) {
  for (const FitParameter group : kHazardGroups) {
    if (hazard_group_contains(group, c)) return group;
  }
  throw std::logic_error("a category without a hazard group");
}

}  // namespace

const FitParameterInfo& info_of(FitParameter parameter) { return kInfo[static_cast<std::size_t>(parameter)]; }

bool hazard_group_contains(FitParameter group, Category category) {
  switch (group) {
    case FitParameter::hazard_parents:
      return category == Category::placed_with_parents;
    case FitParameter::hazard_residential:
      return category == Category::childrens_home_in_house || category == Category::childrens_home_external ||
             category == Category::residential_other;
    case FitParameter::hazard_supported:
      return category == Category::supported_accommodation;
    case FitParameter::hazard_family:
      return category != Category::placed_with_parents && category != Category::supported_accommodation &&
             !hazard_group_contains(FitParameter::hazard_residential, category);
    default:
      return false;
  }
}

std::vector<ParameterChoice> choose_parameters(const PublishedFigures& figures, const Scenario& start,
                                               bool start_stock_known) {
  std::set<Date> entry_dates;
  std::set<Date> stock_dates;
  std::uint32_t stock_categories = 0;  // categories some placement stock figure counts
  bool uasc = false;
  bool stability_at_31_march = false;
  std::uint32_t exit_reasons = 0;  // reasons some exits figure counts
  bool stock_by_age = false;
  for (const PublishedFigure& f : figures.figures) {
    switch (f.metric) {
      case FigureMetric::entries:
        if (f.category.kind == FigureCategory::Kind::all) entry_dates.insert(f.date);
        break;
      case FigureMetric::children_looked_after:
        if (f.category.kind == FigureCategory::Kind::all) stock_dates.insert(f.date);
        if (f.category.kind == FigureCategory::Kind::placement) stock_categories |= f.category.members;
        // A band figure that counts only younger or only older children speaks to the entries'
        // age mix; one counting all five bands does not.
        if (f.category.kind == FigureCategory::Kind::age_band &&
            f.category.members != (1u << kAgeBandCount) - 1u) {
          stock_by_age = true;
        }
        break;
      case FigureMetric::uasc_looked_after:
        uasc = true;
        break;
      case FigureMetric::stability_short_term:
      case FigureMetric::stability_long_term:
        stability_at_31_march = stability_at_31_march || is_collection_year_end(f.date);
        break;
      case FigureMetric::exits:
        if (f.category.kind == FigureCategory::Kind::exit_reason) exit_reasons |= f.category.members;
        break;
      default:
        break;
    }
  }
  const bool any_stock = !stock_dates.empty();
  std::vector<ParameterChoice> choices;
  const auto add = [&](FitParameter p, bool free, std::string why_free, std::string why_not) {
    choices.push_back({p, free, free ? std::move(why_free) : std::move(why_not)});
  };
  add(FitParameter::entry_level, !entry_dates.empty() || any_stock, "entries and children looked after",
      "no entries or children-looked-after figures");
  add(FitParameter::entry_growth, entry_dates.size() >= 2 || stock_dates.size() >= 3,
      "entries or children looked after at several dates",
      "fewer than 2 entries figures and 3 children-looked-after figures: no trend can be seen");
  add(FitParameter::uasc_level, uasc && start.uasc.total_per_year() > 0, "UASC looked after",
      uasc ? "the base has no UASC entries to scale" : "no UASC figures");
  add(FitParameter::starting_stock, any_stock && !start_stock_known,
      "children looked after (the fit starts before the first such figure)",
      any_stock ? "the first children-looked-after figure is at the fit's start: the start is scaled to it"
                : "no children-looked-after figures");
  for (const FitParameter group : kHazardGroups) {
    const bool own_figure = (stock_categories & group_members(group)) != 0;
    if (group == FitParameter::hazard_family) {
      add(group, any_stock, "children looked after", "no children-looked-after figures");
    } else {
      add(group, own_figure, "children looked after in its categories",
          "no children-looked-after figure counts its categories");
    }
  }
  add(FitParameter::moves, stability_at_31_march, "stability figures at 31 March",
      "no stability figure at a 31 March (the simulation measures stability only then)");
  for (const auto& [parameter, reason] : kExitReasonParameters) {
    const std::string name(name_of(reason));
    add(parameter, (exit_reasons & (1u << static_cast<int>(reason))) != 0, "exits by " + name,
        "no exits figures counting " + name);
  }
  add(FitParameter::entry_age_older, stock_by_age && start.entries.total_per_year() > 0,
      "children looked after by age band",
      stock_by_age ? "the base has no entries to tilt" : "no children-looked-after figures by age band");
  return choices;
}

void tilt_entry_ages(EntryStream& entries, double log_tilt) {
  if (log_tilt == 0) return;
  const double before = entries.total_per_year();
  for (int b = 0; b < kAgeBandCount; ++b) {
    if (!is_older_band(b)) continue;
    for (double& rate : entries.expected_per_year[static_cast<std::size_t>(b)]) rate *= std::exp(log_tilt);
  }
  const double after = entries.total_per_year();
  if (after <= 0) return;
  for (auto& band : entries.expected_per_year) {
    for (double& rate : band) rate *= before / after;
  }
}

Scenario apply_parameters(const Scenario& start, std::span<const FitParameter> kinds, std::span<const double> theta) {
  std::array<double, kFitParameterCount> value{};  // log multipliers; entry_growth additive
  for (std::size_t i = 0; i < kinds.size(); ++i) value[static_cast<std::size_t>(kinds[i])] = theta[i];
  const auto multiplier = [&](FitParameter p) { return std::exp(value[static_cast<std::size_t>(p)]); };

  Scenario s = start;
  for (auto& band : s.entries.expected_per_year) {
    for (double& rate : band) rate *= multiplier(FitParameter::entry_level);
  }
  s.entries.annual_growth_rate =
      std::max(-0.5, start.entries.annual_growth_rate + value[static_cast<std::size_t>(FitParameter::entry_growth)]);
  for (auto& band : s.uasc.expected_per_year) {
    for (double& rate : band) rate *= multiplier(FitParameter::uasc_level);
  }
  tilt_entry_ages(s.entries, value[static_cast<std::size_t>(FitParameter::entry_age_older)]);
  if (s.starting_counts && value[static_cast<std::size_t>(FitParameter::starting_stock)] != 0) {
    // The children in all move by the multiplier (cells shared out, not rounded one by one: a small
    // council's cells hold a child or two, which rounding alone would leave where they were).
    scale_starting_children(*s.starting_counts, multiplier(FitParameter::starting_stock));
  }

  const auto bands = static_cast<std::size_t>(s.duration_band_count());
  for (int c = 0; c < kCategoryCount; ++c) {
    const double scale = multiplier(group_of(static_cast<Category>(c)));
    for (int b = 0; b < kAgeBandCount; ++b) {
      std::array<double, kOutcomeCount>& p = s.destination_probability[c][b];
      double total = 0;
      for (int o = 0; o < kOutcomeCount; ++o) {
        double m = 1;
        if (!outcome_is_exit(o)) m = multiplier(FitParameter::moves);
        for (const auto& [parameter, reason] : kExitReasonParameters) {
          if (o == outcome_of(reason)) m = multiplier(parameter);
        }
        p[o] *= m;
        total += p[o];
      }
      if (total <= 0) continue;  // a category no child can be in
      for (double& x : p) x /= total;
      for (std::size_t d = 0; d < bands; ++d) {
        s.ending_hazard_per_year[(static_cast<std::size_t>(c) * kAgeBandCount + b) * bands + d] *= scale * total;
      }
    }
  }
  return s;
}

}  // namespace carecast
