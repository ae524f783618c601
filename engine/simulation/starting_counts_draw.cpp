#include "simulation/starting_counts_draw.hpp"

#include <algorithm>
#include <boost/random/uniform_int_distribution.hpp>
#include <cmath>
#include <cstdint>
#include <string>

namespace carecast {
namespace {

// Age bands of children under 16: every band but 16_to_17.
constexpr int kUnder16Bands = kAgeBandCount - 1;

// Of `total` positions, `marked` spread evenly: how many of the first k are marked. Position k is
// marked when marks_before(k + 1) > marks_before(k); exactly `marked` are.
std::int64_t marks_before(std::int64_t k, std::int64_t marked, std::int64_t total) {
  return total == 0 ? 0 : k * marked / total;
}

// Days that decide the measures at the origin.
struct Thresholds {
  double since_april = 0;        // days from the latest 1 April to the origin
  double care_needed = 0;        // looked after at least this long: 30 months
  double placement_needed = 0;   // in the same placement at least this long: 24 months
};

Thresholds thresholds_at(Date origin) {
  return {days_between(financial_year_start(origin), origin), days_between(months_before(origin, 30), origin),
          days_between(months_before(origin, 24), origin)};
}

// The first and last date of birth of a child of `band` at the origin.
std::pair<Date, Date> birth_dates(Date origin, int band) {
  return {add_years(origin, -kAgeBandStartYears[band + 1]) + std::chrono::days{1},
          add_years(origin, -kAgeBandStartYears[band])};
}

int category_children(const StartingCounts& counts, int category) {
  int children = 0;
  for (const auto& by_sex : counts.count[category]) children += by_sex[0] + by_sex[1];
  return children;
}

int all_children(const StartingCounts& counts) {
  int children = 0;
  for (int c = 0; c < kCategoryCount; ++c) children += category_children(counts, c);
  return children;
}

// Children admitted before the first of cell [category][band][sex]: within the category, and in all.
struct Position {
  std::int64_t in_category = 0;
  std::int64_t overall = 0;
};
Position cell_start(const StartingCounts& counts, int category, int band, int sex) {
  Position at;
  for (int c = 0; c < category; ++c) at.overall += category_children(counts, c);
  for (int b = 0; b < kAgeBandCount; ++b) {
    for (int s = 0; s < kSexCount; ++s) {
      if (b == band && s == sex) {
        at.overall += at.in_category;
        return at;
      }
      at.in_category += counts.count[category][b][s];
    }
  }
  return at;
}

std::int64_t stated_three_or_more_in_all(const StartingCounts& counts) {
  return std::llround(*counts.short_term_stability_percent / 100.0 * all_children(counts));
}

// How many of the first k children (numbered as the simulation admits them, `at` giving the
// category's and the whole population's numbering) are stated to have 3 or more placements since
// 1 April, and 2.
struct Stated {
  std::int64_t three_or_more = 0;
  std::int64_t two = 0;
};
Stated stated_before(const StartingCounts& counts, int category, Position at) {
  if (counts.placements_since_april) {
    const auto& stated = (*counts.placements_since_april)[category];
    const std::int64_t children = category_children(counts, category);
    const std::int64_t three = marks_before(at.in_category, stated[2], children);
    // The children with 2 are spread evenly through those without 3 or more.
    return {three, marks_before(at.in_category - three, stated[1], children - stated[2])};
  }
  if (counts.short_term_stability_percent) {
    return {marks_before(at.overall, stated_three_or_more_in_all(counts), all_children(counts)), 0};
  }
  return {};
}

// Children of `category` stated to have 2 or more placements since 1 April, whose placements must
// have begun after it.
std::int64_t stated_after_april(const StartingCounts& counts, int category) {
  const Position first = cell_start(counts, category, 0, 0);
  const Position end{first.in_category + category_children(counts, category),
                     first.overall + category_children(counts, category)};
  const Stated before = stated_before(counts, category, first);
  const Stated after = stated_before(counts, category, end);
  return after.three_or_more - before.three_or_more + after.two - before.two;
}

// A category's exponential days in placement, split at 1 April: the share of the distribution
// below it (F(A)), and the share of its children stated to be there.
struct CategorySplit {
  double mean = 0;
  double after_april = 0;  // F(A)
  double stated = 0;       // share of the category's children with 2 or more, all drawn below A
  double cdf(double days) const { return mean > 0 ? -std::expm1(-days / mean) : 1.0; }
  double survival(double days) const { return mean > 0 ? std::exp(-days / mean) : 0.0; }
  // What is left for the other children, as a share of them: below A, and from `days` (>= A) on.
  double others_after_april() const { return stated < 1 ? std::max(after_april - stated, 0.0) / (1 - stated) : 0; }
  double others_from(double days) const { return stated < 1 ? survival(days) / (1 - stated) : 0; }
};

CategorySplit split_of(const StartingCounts& counts, int category, const Thresholds& at) {
  CategorySplit split;
  split.mean = counts.mean_days_in_placement[category];
  split.after_april = split.cdf(at.since_april);
  const int children = category_children(counts, category);
  if (children > 0) split.stated = static_cast<double>(stated_after_april(counts, category)) / children;
  return split;
}

// The share of a band's dates of birth that make a child at least `days` old at the origin.
double share_at_least(Date origin, int band, double days) {
  const auto [earliest, latest] = birth_dates(origin, band);
  const double dates = days_between(earliest, latest) + 1;
  const double old_enough = days_between(earliest, origin - std::chrono::days{static_cast<int>(days)}) + 1;
  return std::clamp(old_enough, 0.0, dates) / dates;
}

// The long-term measure's draws: the probability that a child under 16 old enough to have been
// looked after 30 months, whose placement is under 24 months old, is drawn as looked after that
// long (`unstable_in`), and that one whose placement is 24 to 30 months old is (`stable_in`).
struct LongTermPlan {
  double unstable_in = 0;
  double stable_in = 1;
  bool feasible = true;
  double lowest_percent = 0;  // when not: the lowest % these counts can give
};

LongTermPlan plan_long_term(const StartingCounts& counts, Date origin, const Thresholds& at) {
  LongTermPlan plan;
  if (!counts.long_term_stability_percent) return plan;
  // Expected children of the measure: always in (placement 30 months or more), stable and
  // choosable (placement 24 to 30 months), and the pool of placements under 24 months that can be
  // drawn in (not a stated first placement begun since 1 April, which is the whole period of care).
  double always = 0;
  double choosable = 0;
  double pool = 0;
  PerAgeBand<double> old_enough_share{};
  for (int b = 0; b < kUnder16Bands; ++b) old_enough_share[b] = share_at_least(origin, b, at.care_needed);
  Position end;  // one past the last child of the cell, numbered as the simulation admits them
  for (int c = 0; c < kCategoryCount; ++c) {
    const CategorySplit split = split_of(counts, c, at);
    end.in_category = 0;
    for (int b = 0; b < kAgeBandCount; ++b) {
      const double old_enough = old_enough_share[b];  // 0 for 16_to_17: not under 16
      for (int s = 0; s < kSexCount; ++s) {
        const int children = counts.count[c][b][s];
        const Position first = end;
        end = {first.in_category + children, first.overall + children};
        if (children == 0 || old_enough == 0) continue;
        const Stated before = stated_before(counts, c, first);
        const Stated after = stated_before(counts, c, end);
        const double stated_after = static_cast<double>(after.three_or_more - before.three_or_more + after.two - before.two);
        const double others = children - stated_after;
        always += old_enough * others * split.others_from(at.care_needed);
        choosable += old_enough * others * (split.others_from(at.placement_needed) - split.others_from(at.care_needed));
        const double others_below_24_months =
            counts.placements_since_april
                ? split.others_from(at.since_april) - split.others_from(at.placement_needed)  // in A: first placements
                : 1 - split.others_from(at.placement_needed);
        pool += old_enough * (stated_after + others * others_below_24_months);
      }
    }
  }
  const double share = *counts.long_term_stability_percent / 100.0;
  const double stable = always + choosable;
  if (share >= 1 || stable == 0) {
    plan.unstable_in = share >= 1 ? 0 : 1;
    return plan;
  }
  const double unstable_needed = share > 0 ? stable * (1 - share) / share : pool + 1;
  if (unstable_needed <= pool) {
    plan.unstable_in = pool > 0 ? unstable_needed / pool : 0;
    return plan;
  }
  // Too few unstable placements: all of them count, and fewer stable ones.
  plan.unstable_in = 1;
  const double stable_needed = share / (1 - share) * pool;
  if (stable_needed < always) {
    plan.feasible = false;
    plan.lowest_percent = 100 * always / (always + pool);
    return plan;
  }
  plan.stable_in = choosable > 0 ? (stable_needed - always) / choosable : 1;
  return plan;
}

std::string format_number(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", x);
  return buffer;
}

}  // namespace

// What every child of one starting population shares: computed once, so that drawing a child costs
// the same whatever the number of cells (no loop over categories, bands or children per child).
struct StartingCountsPlan {
  Thresholds at;
  PerCategory<CategorySplit> split{};
  LongTermPlan long_term;
  PerCategory<PerAgeBand<PerSex<Position>>> cell_start{};
  PerCategory<std::int64_t> category_children{};
  std::int64_t all_children = 0;
  std::int64_t three_or_more_in_all = 0;  // with only the short-term %
};

namespace {

// stated_before with the population's totals taken from the plan.
Stated stated_before(const StartingCountsPlan& plan, const StartingCounts& counts, int category, Position at) {
  if (counts.placements_since_april) {
    const auto& stated = (*counts.placements_since_april)[category];
    const std::int64_t children = plan.category_children[category];
    const std::int64_t three = marks_before(at.in_category, stated[2], children);
    return {three, marks_before(at.in_category - three, stated[1], children - stated[2])};
  }
  if (counts.short_term_stability_percent) {
    return {marks_before(at.overall, plan.three_or_more_in_all, plan.all_children), 0};
  }
  return {};
}

}  // namespace

StartingCountsDrawer::StartingCountsDrawer(const StartingCounts& counts, Date origin)
    : counts_(counts), plan_(std::make_unique<StartingCountsPlan>()) {
  StartingCountsPlan& plan = *plan_;
  plan.at = thresholds_at(origin);
  for (int c = 0; c < kCategoryCount; ++c) {
    plan.category_children[c] = category_children(counts, c);
    plan.split[c] = split_of(counts, c, plan.at);
    for (int b = 0; b < kAgeBandCount; ++b) {
      for (int s = 0; s < kSexCount; ++s) plan.cell_start[c][b][s] = cell_start(counts, c, b, s);
    }
  }
  plan.all_children = all_children(counts);
  if (counts.short_term_stability_percent) plan.three_or_more_in_all = stated_three_or_more_in_all(counts);
  plan.long_term = plan_long_term(counts, origin, plan.at);
}

StartingCountsDrawer::~StartingCountsDrawer() = default;

StartingChild draw_counts_child(const StartingCounts& counts, int category, int band, int sex, int index,
                                Date origin, StreamEngine& draws) {
  return StartingCountsDrawer(counts, origin).draw(category, band, sex, index, origin, draws);
}

StartingChild StartingCountsDrawer::draw(int category, int band, int sex, int index, Date origin,
                                         StreamEngine& draws) const {
  const StartingCounts& counts = counts_;
  const StartingCountsPlan& plan = *plan_;
  // A date of birth uniformly among those that make a child of `band` at the origin.
  const auto [earliest, latest] = birth_dates(origin, band);
  const int span = static_cast<int>((latest - earliest).count());
  const Date dob = earliest + std::chrono::days{boost::random::uniform_int_distribution<int>(0, span)(draws)};
  const auto age_days = static_cast<std::int32_t>((origin - dob).count());
  const double age = static_cast<double>(age_days);
  // Every child takes the same draws whatever is stated, so that stating a figure changes only
  // what each draw means.
  const double placement_draw = uniform_open01(draws);
  const double care_draw = uniform_open01(draws);
  const double long_term_draw = uniform_open01(draws);

  const Thresholds& at = plan.at;
  Position position = plan.cell_start[category][band][sex];
  position.in_category += index;
  position.overall += index;
  const Stated up_to = stated_before(plan, counts, category, position);
  const Stated through = stated_before(plan, counts, category, {position.in_category + 1, position.overall + 1});
  int stated = 0;  // 0: not stated, decided by the days drawn
  if (through.three_or_more > up_to.three_or_more) {
    stated = kPlacementsSinceAprilCap;
  } else if (through.two > up_to.two) {
    stated = 2;
  } else if (counts.placements_since_april) {
    stated = 1;
  }

  // Days in placement, through the category's exponential split at 1 April (see the header).
  const CategorySplit& split = plan.split[category];
  double quantile = 0;
  if (stated >= 2) {
    quantile = split.after_april * placement_draw;
  } else {
    const double below = split.after_april - split.stated;
    const double v = (1 - split.stated) * placement_draw;
    if (below <= 0) {
      quantile = split.after_april + placement_draw * (1 - split.after_april);
    } else {
      quantile = v < below ? v * split.after_april / below : v + split.stated;
    }
  }
  const double in_placement = std::min(-split.mean * std::log1p(-std::min(quantile, 1 - 1e-16)), age);

  // Days in care before the placement.
  const double mean_before = counts.mean_days_in_care_before_placement;
  const double room = age - in_placement;  // care began on or after birth
  const double least = stated >= 2 ? 1.0 : 0.0;  // an earlier placement: at least a day
  double before = least - mean_before * std::log(care_draw);
  if (stated == 1 && in_placement < at.since_april) {
    before = 0;  // a first placement begun since 1 April: care began with it
  } else if (counts.long_term_stability_percent && band < kUnder16Bands && age >= at.care_needed &&
             in_placement < at.care_needed) {
    const LongTermPlan& long_term = plan.long_term;
    const double in_probability =
        in_placement >= at.placement_needed ? long_term.stable_in : long_term.unstable_in;
    const double needed = at.care_needed - in_placement;
    if (long_term_draw < in_probability) {
      before = std::max(needed, least) - mean_before * std::log(care_draw);  // memoryless: Exp beyond `needed`
    } else if (needed > least && mean_before > 0) {
      // Exponential truncated to [least, needed): looked after less than 30 months.
      before = least - mean_before * std::log1p(care_draw * std::expm1(-(needed - least) / mean_before));
    } else {
      before = least;
    }
  }
  before = std::min(before, room);

  StartingChild child;
  child.sex = static_cast<Sex>(sex);
  child.uasc = index < counts.uasc_count[category][band][sex];
  child.category = static_cast<Category>(category);
  child.age_days = age_days;
  child.days_in_placement = static_cast<std::int32_t>(std::floor(in_placement));
  child.days_in_care = static_cast<std::int32_t>(std::floor(in_placement + before));
  if (stated > 0) {
    child.placements_since_april = stated;
  } else {
    // A placement begun after the latest 1 April in a period of care begun before it is at least
    // the second placement of the collection year.
    child.placements_since_april =
        child.days_in_placement < at.since_april && child.days_in_care > child.days_in_placement ? 2 : 1;
  }
  return child;
}

std::optional<StartingCountsProblem> starting_counts_problem(const StartingCounts& counts, Date origin) {
  const Thresholds at = thresholds_at(origin);
  if (counts.states_placements_since_april()) {
    const auto about = counts.placements_since_april ? StartingCountsProblem::About::placements_since_april
                                                     : StartingCountsProblem::About::short_term;
    for (int c = 0; c < kCategoryCount; ++c) {
      const int children = category_children(counts, c);
      const std::int64_t after_april = stated_after_april(counts, c);
      if (after_april == 0) continue;
      const CategorySplit split = split_of(counts, c, at);
      // A little slack for rounding: the split needs stated share <= F(A).
      if (split.stated <= split.after_april + 1e-12) continue;
      const std::string name(kCategoryNames[static_cast<std::size_t>(c)]);
      std::string problem =
          std::to_string(after_april) + " of the " + std::to_string(children) + " children in " + name +
          " are stated to have had " + (counts.placements_since_april ? "2" : "3") +
          " or more placements since 1 April, so their placements began after it; ";
      if (at.since_april == 0) {
        problem += "but the origin is 1 April itself";
      } else {
        problem += "but with mean_days_in_placement." + name + " = " + format_number(split.mean) +
                   " days only about " + format_number(split.after_april * children) +
                   " of its placements began in the " + format_number(at.since_april) +
                   " days since 1 April. Give fewer such children or a shorter mean";
      }
      return StartingCountsProblem{about, c, problem};
    }
  }
  if (counts.long_term_stability_percent) {
    const LongTermPlan plan = plan_long_term(counts, origin, at);
    if (!plan.feasible) {
      return StartingCountsProblem{
          StartingCountsProblem::About::long_term, -1,
          "below the lowest long-term stability these counts can give (about " + format_number(plan.lowest_percent) +
              "%): so many children under 16 have been in their placement 30 months or more "
              "(mean_days_in_placement) that they alone make it higher. Give shorter means"};
    }
  }
  return std::nullopt;
}

}  // namespace carecast
