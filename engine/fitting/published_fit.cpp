#include "fitting/published_fit.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <boost/math/distributions/normal.hpp>
#include <boost/random/normal_distribution.hpp>
#include <cmath>
#include <exception>
#include <functional>
#include <iomanip>
#include <limits>
#include <mutex>
#include <numeric>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "calibration/care_leavers_from_figures.hpp"
#include "core/errors.hpp"
#include "core/random_streams.hpp"
#include "fitting/figure_targets.hpp"
#include "fitting/origin_times.hpp"
#include "fitting/starting_counts_from_groups.hpp"
#include "fitting/figure_scale.hpp"
#include "fitting/synthetic_likelihood.hpp"
#include "output/written_text.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/replication.hpp"
#include "simulation/runner.hpp"
#include "simulation/starting_counts_draw.hpp"
#include "tally/tally_layout.hpp"

namespace carecast {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A proposal for the next round: the posterior with its spread doubled, so the emulator is fitted
// over the whole region the posterior could move to, kept within 4 prior sds.
constexpr double kProposalWidening = 2.0;
constexpr double kProposalLimitPriorSds = 4.0;
// The damping a fitted trend gets for the forecast, calibrate's default: growth seen in the figures
// fades (at 0.5 a year the rate settles at about exp(1.44 x log growth) of the origin's) rather
// than compounding.
constexpr double kFittedTrendDamping = 0.5;
// Recency weighting of the figures: calibrate's documented default half-life (its cross-validation
// chooses among 1, 2, 3 and 5 years on SSDA903; a figures file is too short to choose by backtest).
constexpr double kFitHalfLifeYears = 3;
// Days in placement assumed for a category the base has no children in but the fit puts some.
constexpr double kDefaultMeanDaysInPlacement = 365;

// What the simulated state at the origin is read from: stock by category, by age band, UASC, and
// the two stability measures (NaN unless the origin is a 31 March).
constexpr int kOriginStateSize = kCategoryCount + kAgeBandCount + 3;

int total_children(const StartingCounts& counts, bool uasc = false) {
  int total = 0;
  for (const auto& category : uasc ? counts.uasc_count : counts.count) {
    for (const auto& band : category) total += band[0] + band[1];
  }
  return total;
}

// The UASC of `counts`, placed as `shape` places its UASC and scaled to `target` in all; no cell
// holds more UASC than children. `shape` may be `counts` itself.
void scale_uasc_to(StartingCounts& counts, const StartingCounts& shape, double target) {
  const auto shares = apportion_cells(std::llround(std::max(0.0, target)), shape.uasc_count);
  for (int c = 0; c < kCategoryCount; ++c)
    for (int b = 0; b < kAgeBandCount; ++b)
      for (int x = 0; x < kSexCount; ++x) counts.uasc_count[c][b][x] = std::min(counts.count[c][b][x], shares[c][b][x]);
}

// Whole years from `from` that reach `to`.
int years_to_reach(Date from, Date to) {
  int years = 1;
  while (add_years(from, years) < to) ++years;
  return years;
}

struct Simulated {
  Eigen::MatrixXd figures;  // runs x targets (NaN where not simulated)
  std::vector<std::array<double, kOriginStateSize>> origin_state;
  std::vector<OriginTimeSums> origin_times;  // each run's, when asked for
};

// Runs one replication at each theta (a row), on `threads` threads. Run i of `round` is the same
// replication whichever thread runs it, so a seed gives the same fit for any thread count.
Simulated simulate(const Scenario& start, std::span<const FitParameter> kinds, const Eigen::MatrixXd& thetas,
                   const std::vector<FigureTarget>& targets, const TallyLayout& layout,
                   const ReportingCalendar& calendar, int origin_index, std::uint64_t seed, int round, int threads,
                   const std::function<void(int)>& runs_done, bool origin_times = false) {
  const auto runs = static_cast<int>(thetas.rows());
  Simulated out;
  out.figures = Eigen::MatrixXd::Constant(runs, static_cast<Eigen::Index>(targets.size()), kNaN);
  out.origin_state.assign(static_cast<std::size_t>(runs), {});
  if (origin_times) out.origin_times.assign(static_cast<std::size_t>(runs), {});
  const std::size_t tally_size = static_cast<std::size_t>(calendar.date_count()) * layout.cell_count();
  const std::size_t measure_size = static_cast<std::size_t>(calendar.date_count()) * layout.measure_count();
  const double horizon_time = calendar.times.back();

  std::atomic<int> next{0};
  std::atomic<bool> stop{false};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  auto work = [&] {
    std::vector<std::int32_t> tally(tally_size);
    std::vector<double> measures(measure_size);
    std::vector<double> theta(kinds.size());
    OriginTimesObserver times(calendar.times[static_cast<std::size_t>(origin_index)]);
    try {
      for (int i = next++; i < runs && !stop; i = next++) {
        for (std::size_t p = 0; p < kinds.size(); ++p) theta[p] = thetas(i, static_cast<Eigen::Index>(p));
        const Scenario scenario = apply_parameters(start, kinds, theta);
        const CompiledModel model = CompiledModel::compile(scenario, horizon_time);
        ReplicationRunner runner(scenario, model, layout, calendar);
        runner.vary_by_year(true);
        if (origin_times) {
          times.clear();
          runner.observe(&times);
        }
        std::fill(tally.begin(), tally.end(), 0);
        std::fill(measures.begin(), measures.end(), kNaN);
        runner.run({seed, static_cast<std::uint64_t>(round) * 1'000'000u + static_cast<std::uint64_t>(i), std::nullopt}, tally,
                   measures);
        for (std::size_t t = 0; t < targets.size(); ++t) {
          if (targets[t].simulated) out.figures(i, static_cast<Eigen::Index>(t)) =
              simulated_figure(targets[t], layout, tally, measures);
        }
        auto& state = out.origin_state[static_cast<std::size_t>(i)];
        const std::size_t row = static_cast<std::size_t>(origin_index) * layout.cell_count();
        for (int c = 0; c < kCategoryCount; ++c) state[c] = tally[row + layout.stock_by_category + c];
        for (int b = 0; b < kAgeBandCount; ++b) state[kCategoryCount + b] = tally[row + layout.stock_by_age_band + b];
        state[kCategoryCount + kAgeBandCount] = tally[row + layout.uasc_stock];
        const std::size_t measure_row = static_cast<std::size_t>(origin_index) * layout.measure_count();
        state[kCategoryCount + kAgeBandCount + 1] = measures[measure_row + layout.stability_short_term];
        state[kCategoryCount + kAgeBandCount + 2] = measures[measure_row + layout.stability_long_term];
        if (origin_times) out.origin_times[static_cast<std::size_t>(i)] = times.sums();
        if (runs_done) runs_done(1);
      }
    } catch (...) {
      stop = true;
      const std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) failure = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& thread : pool) thread.join();
  if (failure) std::rethrow_exception(failure);
  return out;
}

// Bounds on the parameters the fit simulates: its prior mean within kProposalLimitPriorSds prior sds.
struct ParameterLimits {
  Eigen::VectorXd lower;
  Eigen::VectorXd upper;
  Eigen::VectorXd clamp(const Eigen::VectorXd& theta) const { return theta.cwiseMax(lower).cwiseMin(upper); }
};

// Draws `runs` thetas from Normal(mean, covariance), each coordinate kept within `limit`.
Eigen::MatrixXd draw_thetas(const Eigen::VectorXd& mean, const Eigen::MatrixXd& covariance, const ParameterLimits& limit,
                            int runs, std::uint64_t seed, int round) {
  const Eigen::Index p = mean.size();
  const Eigen::LLT<Eigen::MatrixXd> factor(covariance);
  const Eigen::MatrixXd lower = factor.matrixL();
  Eigen::MatrixXd thetas(runs, p);
  StreamEngine engine(seed, static_cast<std::uint64_t>(round), entity_id(EntityKind::replication, 0xf17u),
                      Process::parameters);
  boost::random::normal_distribution<double> standard_normal(0.0, 1.0);
  Eigen::VectorXd z(p);
  for (int i = 0; i < runs; ++i) {
    for (Eigen::Index k = 0; k < p; ++k) z(k) = standard_normal(engine);
    const Eigen::VectorXd theta = mean + lower * z;
    thetas.row(i) = limit.clamp(theta).transpose();
  }
  return thetas;
}

double quantile(std::vector<double> values, double q) {
  values.erase(std::remove_if(values.begin(), values.end(), [](double x) { return std::isnan(x); }), values.end());
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const double at = q * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(at));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  return values[below] + (at - static_cast<double>(below)) * (values[above] - values[below]);
}

// The likely reason a fitted figure lies outside the fit's interval.
std::string unmatched_reason(const PublishedFigure& f) {
  switch (f.metric) {
    case FigureMetric::children_looked_after:
      if (f.category.kind == FigureCategory::Kind::all) {
        return "the total follows entries and endings with one level and trend: a change from year to year that they "
               "do not follow, or another figure pulling the other way";
      }
      return "the mix of placements: first placements and where moves lead are kept from the base";
    case FigureMetric::uasc_looked_after:
      return "UASC entries are one level for the whole span; the national transfer scheme changes year to year";
    case FigureMetric::entries:
      return "entries are one level and trend: this year departs from them";
    case FigureMetric::exits:
      if (f.category.kind == FigureCategory::Kind::exit_reason &&
          (f.category.members & ((1u << static_cast<int>(ExitReason::aged_18)) |
                                 (1u << static_cast<int>(ExitReason::staying_put)))) != 0) {
        return "exits at 18 follow the children's ages, which the fit does not scale";
      }
      if (f.category.kind == FigureCategory::Kind::exit_reason) {
        return "one multiplier for every year: a year far from the others cannot be matched";
      }
      return "exits follow the placement-ending hazards and the reasons' multipliers, one for every year";
    case FigureMetric::stability_short_term:
    case FigureMetric::stability_long_term:
      return "one moves multiplier for every category and year: stability that changed from year to year cannot "
             "all be matched";
    default:
      return "not fitted";
  }
}

// Whole numbers adding up to `total`, each the floor of its value or one more: the largest
// remainders get the extra ones.
std::vector<int> whole_numbers(const std::vector<double>& values, int total) {
  std::vector<int> whole(values.size());
  std::vector<std::pair<double, std::size_t>> remainders;
  int given = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    whole[i] = static_cast<int>(std::floor(std::max(0.0, values[i])));
    given += whole[i];
    remainders.emplace_back(std::max(0.0, values[i]) - whole[i], i);
  }
  std::stable_sort(remainders.begin(), remainders.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < total && k < remainders.size(); ++k, ++given) ++whole[remainders[k].second];
  return whole;
}

// Starting counts at the origin: the base's mix of ages and sexes within each category, scaled to
// the simulated children of each category and raked to the simulated age bands, then to every
// children-looked-after figure published at the origin.
// `simulated` is the fit's state at the origin, or (`from_base`) the base's own children there.
StartingCounts origin_counts(const StartingCounts& shape, const PublishedFigures& figures, Date origin,
                             const std::array<double, kOriginStateSize>& simulated, bool from_base,
                             std::vector<std::string>& notes) {
  // Cell weights [category][band][sex], with a category the base leaves empty given the base's
  // overall profile.
  PerCategory<PerAgeBand<PerSex<double>>> cell{};
  PerAgeBand<PerSex<double>> overall{};
  for (int c = 0; c < kCategoryCount; ++c)
    for (int b = 0; b < kAgeBandCount; ++b)
      for (int x = 0; x < kSexCount; ++x) overall[b][x] += shape.count[c][b][x] + 0.01;
  PerCategory<double> target{};
  for (int c = 0; c < kCategoryCount; ++c) target[c] = simulated[c];

  // Published stocks at the origin: a sum of categories is scaled to its figure, and the categories
  // no figure names absorb what the `all` figure leaves. Each is then made whole children so that
  // every figure's categories add up to it exactly.
  std::optional<double> all_figure;
  std::vector<std::uint32_t> groups;  // categories of each figure, then the rest
  std::vector<double> group_totals;
  std::uint32_t named = 0;
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric != FigureMetric::children_looked_after || f.date != origin) continue;
    if (f.category.kind == FigureCategory::Kind::all) all_figure = f.value;
    if (f.category.kind != FigureCategory::Kind::placement || (f.category.members & named) != 0) continue;
    double sum = 0;
    for (int c = 0; c < kCategoryCount; ++c)
      if ((f.category.members >> c) & 1u) sum += target[c];
    const int members = std::popcount(f.category.members);
    for (int c = 0; c < kCategoryCount; ++c) {
      if ((f.category.members >> c) & 1u) target[c] = sum > 0 ? target[c] * f.value / sum : f.value / members;
    }
    named |= f.category.members;
    groups.push_back(f.category.members);
    group_totals.push_back(f.value);
  }
  double named_total = 0;
  double rest_total = 0;
  for (int c = 0; c < kCategoryCount; ++c) ((named >> c) & 1u ? named_total : rest_total) += target[c];
  double rest = rest_total;
  if (all_figure) {
    rest = std::max(0.0, *all_figure - named_total);
    for (int c = 0; c < kCategoryCount; ++c)
      if (!((named >> c) & 1u) && rest_total > 0) target[c] *= rest / rest_total;
  }
  groups.push_back(~named & ((1u << kCategoryCount) - 1));
  group_totals.push_back(rest);
  for (std::size_t g = 0; g < groups.size(); ++g) {
    std::vector<double> values;
    std::vector<int> members;
    for (int c = 0; c < kCategoryCount; ++c)
      if ((groups[g] >> c) & 1u) values.push_back(target[c]), members.push_back(c);
    const std::vector<int> whole = whole_numbers(values, static_cast<int>(std::lround(group_totals[g])));
    for (std::size_t k = 0; k < members.size(); ++k) target[members[k]] = whole[k];
  }

  for (int c = 0; c < kCategoryCount; ++c) {
    double total = 0;
    for (int b = 0; b < kAgeBandCount; ++b)
      for (int x = 0; x < kSexCount; ++x) total += shape.count[c][b][x];
    for (int b = 0; b < kAgeBandCount; ++b)
      for (int x = 0; x < kSexCount; ++x) cell[c][b][x] = total > 0 ? shape.count[c][b][x] : overall[b][x];
  }
  // The age profile to rake to: the simulated one, with the age-band figures published at the origin
  // put in (each sum of bands scaled to its figure, the other bands to what the total leaves).
  PerAgeBand<double> band_profile{};
  for (int b = 0; b < kAgeBandCount; ++b) band_profile[b] = simulated[kCategoryCount + b];
  std::uint32_t named_bands = 0;
  double named_children = 0;
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric != FigureMetric::children_looked_after || f.date != origin ||
        f.category.kind != FigureCategory::Kind::age_band || (f.category.members & named_bands) != 0) {
      continue;
    }
    double sum = 0;
    for (int b = 0; b < kAgeBandCount; ++b)
      if ((f.category.members >> b) & 1u) sum += band_profile[b];
    for (int b = 0; b < kAgeBandCount; ++b) {
      if ((f.category.members >> b) & 1u) {
        band_profile[b] = sum > 0 ? band_profile[b] * f.value / sum : f.value / std::popcount(f.category.members);
      }
    }
    named_bands |= f.category.members;
    named_children += f.value;
  }
  if (named_bands != 0) {
    double all = 0;
    for (int c = 0; c < kCategoryCount; ++c) all += target[c];
    double others = 0;
    for (int b = 0; b < kAgeBandCount; ++b)
      if (!((named_bands >> b) & 1u)) others += band_profile[b];
    for (int b = 0; b < kAgeBandCount; ++b)
      if (!((named_bands >> b) & 1u) && others > 0) band_profile[b] *= std::max(0.0, all - named_children) / others;
  }
  // Raking: category totals exact, age bands towards that profile.
  PerAgeBand<double> band_target{};
  double band_total = 0;
  for (int b = 0; b < kAgeBandCount; ++b) band_total += band_profile[b];
  for (int i = 0; i < 50; ++i) {
    if (band_total > 0) {
      double all = 0;
      for (int c = 0; c < kCategoryCount; ++c) all += target[c];
      for (int b = 0; b < kAgeBandCount; ++b) band_target[b] = all * band_profile[b] / band_total;
      for (int b = 0; b < kAgeBandCount; ++b) {
        double now = 0;
        for (int c = 0; c < kCategoryCount; ++c) now += cell[c][b][0] + cell[c][b][1];
        if (now <= 0) continue;
        for (int c = 0; c < kCategoryCount; ++c)
          for (int x = 0; x < kSexCount; ++x) cell[c][b][x] *= band_target[b] / now;
      }
    }
    for (int c = 0; c < kCategoryCount; ++c) {
      double now = 0;
      for (int b = 0; b < kAgeBandCount; ++b) now += cell[c][b][0] + cell[c][b][1];
      for (int b = 0; b < kAgeBandCount; ++b)
        for (int x = 0; x < kSexCount; ++x) cell[c][b][x] = now > 0 ? cell[c][b][x] * target[c] / now : 0;
    }
  }
  // Whole children, each category's total kept.
  StartingCounts counts = shape;
  counts.placements_since_april.reset();
  counts.short_term_stability_percent.reset();
  counts.long_term_stability_percent.reset();
  for (int c = 0; c < kCategoryCount; ++c) {
    std::vector<double> values;
    for (int b = 0; b < kAgeBandCount; ++b)
      for (int x = 0; x < kSexCount; ++x) values.push_back(cell[c][b][x]);
    const auto whole = static_cast<int>(std::lround(target[c]));
    const std::vector<int> children = whole_numbers(values, whole);
    for (int b = 0; b < kAgeBandCount; ++b)
      for (int x = 0; x < kSexCount; ++x) counts.count[c][b][x] = children[static_cast<std::size_t>(b * kSexCount + x)];
    if (whole > 0 && counts.mean_days_in_placement[c] <= 0) counts.mean_days_in_placement[c] = kDefaultMeanDaysInPlacement;
  }
  // UASC: the base's placement of them, scaled to the figure at the origin or the simulated number.
  double uasc_target = simulated[kCategoryCount + kAgeBandCount];
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric == FigureMetric::uasc_looked_after && f.date == origin) uasc_target = f.value;
  }
  scale_uasc_to(counts, shape, uasc_target);
  const std::string source =
      from_base ? "the base's children (the base states its council's position at this same date, which the figures "
                  "file may hold only in part)"
                : "the fit's simulated children there (posterior mean)";
  const std::string bands = from_base ? "the base's age bands" : "the simulated age bands";
  notes.push_back("Starting population at " + format_iso(origin) + ": children by category from " + source +
                  ", scaled to the children-looked-after figures published at that date; ages and sexes within a "
                  "category keep the base's mix, raked to " + bands +
                  " (and any age-band figures there); UASC placed as in the base, scaled to " +
                  std::to_string(static_cast<int>(std::lround(uasc_target))) +
                  "; days in placement and in care before it as the next note says.");
  return counts;
}

}  // namespace

namespace {
StartingCounts base_counts(const Scenario& base) {
  return base.starting_counts ? *base.starting_counts : starting_counts_from_groups(base.starting_groups);
}
}  // namespace

PerAgeBand<PerSex<double>> entries_at(const Scenario& base, Date date) {
  if (!base.population || !base.population->entries_per_10000_children) return base.entries.expected_per_year;
  const PopulationCells children = base.population->table.at(date);
  const PopulationCells& rates = *base.population->entries_per_10000_children;
  PerAgeBand<PerSex<double>> expected{};
  for (int b = 0; b < kAgeBandCount; ++b)
    for (int x = 0; x < kSexCount; ++x) expected[b][x] = rates[b][x] * children[b][x] / 10000;
  return expected;
}

FitStart fit_start(const Scenario& base, const PublishedFigures& figures, Date origin) {
  const InputLocation base_location{base.file.string(), 0, 0, "starting_population"};
  if (!base.starting_counts && base.starting_groups.empty()) {
    throw InputError(base_location,
                     "fit needs a base scenario whose starting population is counts by category, age band and sex, or "
                     "groups (the fit scales them and writes counts at the origin), not individual children");
  }
  // The fit's start: the day before the earliest period, or the earliest stock's day.
  Date start_day = figures.last_day;
  for (const PublishedFigure& f : figures.figures) {
    start_day = std::min(start_day, is_flow(f.metric) ? *f.period_start - std::chrono::days(1) : f.date);
  }
  const Date fit_end = std::max(figures.last_day, origin);
  Scenario start = base;
  start.origin = start_day;
  start.horizon_years = years_to_reach(start_day, fit_end);
  if (start.horizon_years > 10) {
    throw InputError({figures.file, 0, 0, "date"}, "the figures span more than 10 years; fit a shorter span");
  }
  start.supply = Supply{};
  // Entries tied to the child population stay tied over the fitted span: the population's growth
  // there is known, so the fitted trend (entry_growth) is the entries' own growth per child beyond
  // it, and the fitted scenario grows with the population as well as by that trend, counted once.
  const bool tied_to_population = base.population && base.population->entries_per_10000_children;
  if (tied_to_population) {
    const PopulationTable& table = base.population->table;
    for (const Date date : {start_day, start.horizon_end()}) {
      if (table.covers(date)) continue;
      throw InputError({table.file.string(), 0, 0, "population"},
                       "covers 30 June " + std::to_string(table.first_year) + " to 30 June " +
                           std::to_string(table.last_year()) + " but the fit runs from " + format_iso(start_day) +
                           " to " + format_iso(start.horizon_end()) +
                           ": give the years of the figures too, so that the entries' own trend can be told from "
                           "the population's growth");
    }
    start.entries.expected_per_year = entries_at(base, start_day);
  } else {
    start.population.reset();
  }
  start.options = CommissioningOptions{};
  start.costs = Costs{};
  start.evidence.reset();
  start.stated_uncertainty.enabled = false;
  // No drift in the fit's simulations: a drift stands for how far rates may move after the origin
  // beyond what the history shows, while the fit's multipliers are that history's own rates. With
  // the default's drift (0.06 a year) the simulated figures spread so wide over the span (its 2024
  // total 310 to 595) that they pinned nothing down. The fitted scenario keeps the base's drift for
  // its forecast; the year-to-year AR(1) stays in the fit, as the figures' own noise.
  start.variation.entries_drift_sd_log_per_year = 0;
  start.variation.exits_drift_sd_log_per_year = 0;
  start.variation.moves_drift_sd_log_per_year = 0;
  start.variation.drift_evidence_origins = 0;

  // The start's children: the base's, scaled to the first children-looked-after figure.
  start.starting_counts = base_counts(base);
  start.starting_groups.clear();
  StartingCounts& counts = *start.starting_counts;
  const PublishedFigure* first_stock = nullptr;
  const PublishedFigure* first_long_term = nullptr;
  std::optional<double> short_term_at_start;
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric == FigureMetric::children_looked_after && f.category.kind == FigureCategory::Kind::all &&
        (!first_stock || f.date < first_stock->date))
      first_stock = &f;
    if (f.metric == FigureMetric::stability_long_term && (!first_long_term || f.date < first_long_term->date))
      first_long_term = &f;
    if (f.metric == FigureMetric::stability_short_term && f.date == start_day) short_term_at_start = f.value;
  }
  const int base_children = total_children(counts);
  if (first_stock && base_children > 0) scale_starting_children(counts, first_stock->value / base_children);
  // Its UASC, scaled to the first UASC figure rather than with the rest: UASC numbers move with
  // the national transfer scheme, not with the council's other children (the default council had 44
  // in 2019 and 25 at its origin). Each cell keeps at most its children.
  const PublishedFigure* first_uasc = nullptr;
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric == FigureMetric::uasc_looked_after && (!first_uasc || f.date < first_uasc->date)) first_uasc = &f;
  }
  const int start_uasc = total_children(counts, true);
  if (first_uasc && start_uasc > 0) scale_uasc_to(counts, counts, first_uasc->value);
  counts.placements_since_april.reset();
  counts.short_term_stability_percent = short_term_at_start;
  if (first_long_term) counts.long_term_stability_percent = first_long_term->value;
  FitStart begun;
  begun.stock_known = first_stock && first_stock->date == start_day;
  begun.note = (
      "Fit simulated from " + format_iso(start_day) + " to " + format_iso(fit_end) +
      " with the base's children " +
      (first_stock ? "scaled to the first children-looked-after figure (" + format_iso(first_stock->date) + ")"
                   : std::string("as they are")) +
      (first_uasc && start_uasc > 0 ? ", their UASC to the first UASC figure (" + format_iso(first_uasc->date) + ")"
                                    : std::string()) +
      (tied_to_population ? ", entries the base's rates per 10,000 children times its population (entry_growth is "
                            "their growth per child beyond the population's)"
                          : std::string()) +
      ", without the base's supply, costs and options (finite supply is not fitted), the long-term stability at the "
      "start taken from the first such figure, and the short-term from a figure at the start or else nobody with 3+.");
  begun.scenario = std::move(start);
  return begun;
}

namespace {

// A category's mean days in placement at the origin is taken from the simulation only when the
// runs hold at least this many of its children in all (fewer: the base's, as a mean of a handful
// of exponential-ish durations is mostly noise).
constexpr int kLeastChildrenForTimes = 50;

// The start's days in placement (by category) and in care before it: the fitted rates' own at the
// origin, from the posterior runs, in place of the base's. A figures file publishes neither, and the
// base's (often stated as an assumption) need not agree with the rates the figures gave: a start
// whose placements are younger than the rates' would see too few endings in its first year. Where
// the simulated times and the stability figures stated for the origin cannot both hold (too many
// long placements for the long-term figure, too few recent ones for the short-term), the base's
// times are kept, and the note says so.
std::string set_times_from_simulation(StartingCounts& counts, const std::vector<OriginTimeSums>& runs, Date origin) {
  OriginTimeSums total;
  for (const OriginTimeSums& run : runs) total.add(run);
  StartingCounts simulated = counts;
  double before = 0;
  int children = 0;
  std::string kept;
  for (int c = 0; c < kCategoryCount; ++c) {
    before += total.days_in_care_before_placement[c];
    children += total.children[c];
    int stated = 0;
    for (const auto& band : counts.count[c]) stated += band[0] + band[1];
    if (stated == 0) continue;
    if (total.children[c] >= kLeastChildrenForTimes) {
      simulated.mean_days_in_placement[c] = std::max(1.0, total.days_in_placement[c] / total.children[c]);
    } else {
      kept += std::string(kept.empty() ? "" : ", ") + std::string(kCategoryNames[c]);
    }
  }
  if (children > 0) simulated.mean_days_in_care_before_placement = before / children;
  if (const auto problem = starting_counts_problem(simulated, origin)) {
    return "Days in placement and in care before it at the origin are the base's: the fitted rates' own (from the "
           "posterior runs) cannot give the stability stated there (" + problem->problem + ").";
  }
  counts = simulated;
  return "Days in placement at the origin, by category, and in care before it (" +
         std::to_string(std::lround(counts.mean_days_in_care_before_placement)) +
         " days) are the fitted rates' own: the means over the posterior runs' children in care at the origin" +
         (kept.empty() ? std::string(".") : "; the base's for " + kept + " (too few such children in the runs).");
}

constexpr double kNoticeableGapChildren = 5;
constexpr double kNoticeableGapShare = 0.2;

// Where the fitted scenario's first years will move, and why: the children by category it starts
// from (the council's) against where the fitted rates had them at the origin, and the stability
// at the origin against the rates' own at the last 31 March fitted. A gap outside the fit's 90%
// interval, or one a reader of the forecast would see as a jump (a fifth of the rates' median and
// at least 5 children), is what the forecast closes in its first years; the report names it, so
// that a fall or rise there has a stated cause instead of looking like a forecast.
std::vector<std::string> drift_from_origin_notes(const StartingCounts& origin,
                                                 const std::vector<std::array<double, kOriginStateSize>>& simulated,
                                                 const FitResult& result, const PublishedFigures& figures) {
  std::vector<std::string> notes;
  std::string categories;
  bool supported_listed = false;
  for (int c = 0; c < kCategoryCount && !simulated.empty(); ++c) {
    std::vector<double> values;
    for (const auto& state : simulated) values.push_back(state[static_cast<std::size_t>(c)]);
    double children = 0;
    for (const auto& band : origin.count[c]) children += band[0] + band[1];
    const double low = quantile(values, 0.05);
    const double high = quantile(values, 0.95);
    const double median = quantile(values, 0.5);
    const double gap = std::abs(children - median);
    const bool noticeable = gap >= kNoticeableGapChildren && gap >= kNoticeableGapShare * median;
    if (children >= low && children <= high && !noticeable) continue;
    supported_listed = supported_listed || static_cast<Category>(c) == Category::supported_accommodation;
    categories += std::string(categories.empty() ? "" : "; ") + std::string(kCategoryNames[c]) + " " +
                  std::to_string(std::lround(children)) + " against " +
                  std::to_string(std::lround(median)) + " (90% " + std::to_string(std::lround(low)) +
                  " to " + std::to_string(std::lround(high)) + ")";
  }
  if (!categories.empty()) {
    notes.push_back("Children by placement at the origin, outside or well away from where the fitted rates had them "
                    "there: " + categories +
                    ". The forecast starts from the first number and its first years move towards the second: first "
                    "placements, where moves lead and how long each kind of placement lasts are the base's (moved by "
                    "the fit's multipliers, one for the whole series), and the figures do not say why the council's "
                    "mix at the origin differs from what they give." +
                    std::string(supported_listed
                                    ? " Children in supported accommodation are 16 or 17: those there at the origin "
                                      "reach 18 within two years, and the change comes as they do."
                                    : ""));
  }
  for (const FigureMetric metric : {FigureMetric::stability_short_term, FigureMetric::stability_long_term}) {
    const std::optional<double> at_origin = metric == FigureMetric::stability_short_term
                                                ? origin.short_term_stability_percent
                                                : origin.long_term_stability_percent;
    const FigureFit* last = nullptr;
    for (const FigureFit& fit : result.figures) {
      const PublishedFigure& f = figures.figures[fit.figure];
      if (f.metric == metric && fit.fitted && fit.simulated && !std::isnan(fit.median) &&
          (!last || f.date > figures.figures[last->figure].date))
        last = &fit;
    }
    if (!at_origin || !last || (*at_origin >= last->low && *at_origin <= last->high)) continue;
    const auto one_decimal = [](double x) {
      std::ostringstream text;
      text << std::fixed << std::setprecision(1) << x;
      return text.str();
    };
    notes.push_back(std::string(metric == FigureMetric::stability_short_term ? "Short-term" : "Long-term") +
                    " stability at the origin is " + one_decimal(*at_origin) + "%, outside what the fitted rates give at " +
                    format_iso(figures.figures[last->figure].date) + " (" + one_decimal(last->median) + "%, 90% " +
                    one_decimal(last->low) + " to " + one_decimal(last->high) +
                    "). The forecast's first full collection year reports the rates' own level: the fit holds one "
                    "multiplier of moves for the whole series, and the origin's figure departs from what it gives.");
  }
  return notes;
}

}  // namespace

double figure_recency_weight(const PublishedFigure& figure, Date origin) {
  const Date middle_from = figure.period_start.value_or(figure.date);
  const double days_before = days_between(middle_from, origin) - days_between(middle_from, figure.date) / 2.0;
  return std::exp2(-std::max(0.0, days_before) / kDaysPerYear / kFitHalfLifeYears);
}

FitResult fit_to_figures(const Scenario& base, const PublishedFigures& figures, const FitOptions& options) {
  FitResult result;
  result.origin = options.origin.value_or(figures.last_day);
  if (result.origin < figures.first_day) {
    throw InputError({figures.file, 0, 0, "--origin"}, "the origin is before the first figure");
  }

  FitStart begun = fit_start(base, figures, result.origin);
  // The year-to-year variation of entries and exits, where the figures have enough full years
  // (variation_from_figures.hpp). The fit's own simulations take it too, so that the likelihood's
  // spread allows for the variation the figures show.
  result.variation = variation_from_figures(figures, base.variation, result.origin);
  begun.scenario.variation = result.variation.applied_to(begun.scenario.variation);
  const Scenario& start = begun.scenario;
  const bool start_stock_known = begun.stock_known;
  result.fit_start = start.origin;
  result.notes.push_back(begun.note);

  const TallyLayout layout(&start.supply, &start.costs);
  const ReportingCalendar calendar = ReportingCalendar::monthly(start.origin, start.horizon_end());
  const auto origin_found = std::find(calendar.dates.begin(), calendar.dates.end(), result.origin);
  if (origin_found == calendar.dates.end()) {
    throw InputError({figures.file, 0, 0, "--origin"}, "the origin must be a month end (the simulation reports at month ends)");
  }
  const int origin_index = static_cast<int>(origin_found - calendar.dates.begin());
  const std::vector<FigureTarget> targets = target_figures(figures, layout, calendar);

  // Free parameters.
  std::vector<FitParameter> kinds;
  const std::vector<ParameterChoice> choices = choose_parameters(figures, start, start_stock_known);
  for (const ParameterChoice& choice : choices) {
    if (choice.free) kinds.push_back(choice.parameter);
  }
  const auto p = static_cast<Eigen::Index>(kinds.size());
  Eigen::VectorXd prior_mean(p);
  Eigen::VectorXd prior_sd(p);
  for (Eigen::Index k = 0; k < p; ++k) {
    const FitParameter kind = kinds[static_cast<std::size_t>(k)];
    const ParameterPrior prior =
        options.priors[static_cast<std::size_t>(kind)].value_or(ParameterPrior{0, info_of(kind).prior_sd});
    if (!(prior.sd > 0) || !std::isfinite(prior.sd) || !std::isfinite(prior.mean)) {
      throw std::invalid_argument("fit_to_figures: a prior needs a finite mean and a positive sd");
    }
    prior_mean(k) = prior.mean;
    prior_sd(k) = prior.sd;
    result.free_parameters.push_back(kind);
    result.priors.push_back(prior);
  }

  // The figures fitted: produced by the simulation and not after the origin.
  std::vector<Eigen::Index> fitted_columns;
  for (std::size_t t = 0; t < targets.size(); ++t) {
    if (targets[t].simulated && figures.figures[t].date <= result.origin) {
      fitted_columns.push_back(static_cast<Eigen::Index>(t));
    }
  }
  // Each figure on the scale the linear emulator takes it (figure_scale.hpp): stability percentages on
  // the logit scale, counts as published.
  Eigen::VectorXd observed(static_cast<Eigen::Index>(fitted_columns.size()));
  Eigen::VectorXd rounding(static_cast<Eigen::Index>(fitted_columns.size()));
  std::vector<FigureScale> scales;
  for (std::size_t k = 0; k < fitted_columns.size(); ++k) {
    const PublishedFigure& f = figures.figures[static_cast<std::size_t>(fitted_columns[k])];
    scales.push_back(figure_scale(f, figures));
    observed(static_cast<Eigen::Index>(k)) = scales.back()(f.value);
    rounding(static_cast<Eigen::Index>(k)) = scales.back().rounding_variance(f.value);
  }

  const int threads = resolve_thread_count(options.threads);
  const int runs = std::max(options.runs, static_cast<int>(p) + 10);
  GaussianPosterior posterior{prior_mean, Eigen::MatrixXd(prior_sd.array().square().matrix().asDiagonal()), {}, {}};
  Eigen::MatrixXd proposal = posterior.covariance;
  const ParameterLimits limit{prior_mean - kProposalLimitPriorSds * prior_sd,
                              prior_mean + kProposalLimitPriorSds * prior_sd};
  std::vector<bool> usable(fitted_columns.size(), true);
  for (int round = 0; round < options.rounds && p > 0 && !fitted_columns.empty(); ++round) {
    const Eigen::MatrixXd thetas = draw_thetas(posterior.mean, proposal, limit, runs, options.seed, round);
    const Simulated simulated =
        simulate(start, kinds, thetas, targets, layout, calendar, origin_index, options.seed, round, threads,
                 options.runs_done);
    result.simulations += runs;
    // A stability measure undefined in some runs (no child under 16 in care 2.5 years) is given its
    // mean there; one undefined in every run cannot be fitted.
    std::vector<Eigen::Index> keep;
    Eigen::MatrixXd matrix(runs, static_cast<Eigen::Index>(fitted_columns.size()));
    for (std::size_t k = 0; k < fitted_columns.size(); ++k) {
      Eigen::VectorXd column = simulated.figures.col(fitted_columns[k]);
      const Eigen::Array<bool, Eigen::Dynamic, 1> defined = column.array() == column.array();
      const double mean = defined.any() ? column.array().isNaN().select(0.0, column.array()).sum() / static_cast<double>(defined.count()) : kNaN;
      usable[k] = defined.count() > 2;
      column = column.array().isNaN().select(std::isnan(mean) ? 0.0 : mean, column.array());
      column = column.unaryExpr(scales[k]);
      matrix.col(static_cast<Eigen::Index>(k)) = column;
      if (usable[k]) keep.push_back(static_cast<Eigen::Index>(k));
    }
    const Eigen::MatrixXd used = matrix(Eigen::all, keep);
    const Eigen::VectorXd used_observed = observed(keep);
    LinearEmulator emulator = fit_linear_emulator(thetas, used, rounding(keep));
    // Recent figures count more: a likelihood raised to the power w is, for a Gaussian, one whose
    // covariance is divided by w, so each figure's row and column are scaled by 1 / sqrt(w).
    Eigen::VectorXd scale(static_cast<Eigen::Index>(keep.size()));
    for (std::size_t k = 0; k < keep.size(); ++k) {
      const PublishedFigure& f =
          figures.figures[static_cast<std::size_t>(fitted_columns[static_cast<std::size_t>(keep[k])])];
      scale(static_cast<Eigen::Index>(k)) = 1.0 / std::sqrt(figure_recency_weight(f, result.origin));
    }
    emulator.covariance = scale.asDiagonal() * emulator.covariance * scale.asDiagonal();
    posterior = linear_gaussian_posterior(emulator, used_observed, prior_mean, prior_sd);
    posterior.mean = limit.clamp(posterior.mean);
    proposal = kProposalWidening * kProposalWidening * posterior.covariance;
  }

  // The posterior's figures and its state at the origin.
  const Eigen::MatrixXd thetas = p > 0 ? draw_thetas(posterior.mean, posterior.covariance, limit, runs, options.seed,
                                                     options.rounds)
                                       : Eigen::MatrixXd(runs, 0);
  const Simulated predictive =
      simulate(start, kinds, thetas, targets, layout, calendar, origin_index, options.seed, options.rounds, threads,
               options.runs_done, true);
  result.simulations += runs;
  result.posterior_mean = posterior.mean;
  result.posterior_covariance = posterior.covariance;
  result.likelihood_precision = posterior.likelihood_precision;
  result.likelihood_score = posterior.likelihood_score;

  const boost::math::normal standard;
  const double z90 = boost::math::quantile(standard, 0.95);
  std::size_t next_free = 0;
  for (const ParameterChoice& choice : choices) {
    ParameterEstimate estimate;
    estimate.parameter = choice.parameter;
    estimate.free = choice.free;
    estimate.reason = choice.reason;
    const bool additive = info_of(choice.parameter).additive;
    estimate.median = estimate.low = estimate.high = additive ? 0 : 1;
    if (choice.free) {
      const auto k = static_cast<Eigen::Index>(next_free++);
      const double m = posterior.mean(k);
      const double s = std::sqrt(posterior.covariance(k, k));
      const auto shown = [&](double x) { return additive ? x : std::exp(x); };
      estimate.median = shown(m);
      estimate.low = shown(m - z90 * s);
      estimate.high = shown(m + z90 * s);
    }
    result.parameters.push_back(estimate);
  }

  for (std::size_t t = 0; t < targets.size(); ++t) {
    const PublishedFigure& f = figures.figures[t];
    FigureFit fit;
    fit.figure = t;
    fit.simulated = targets[t].simulated;
    fit.fitted = fit.simulated && f.date <= result.origin;
    if (!fit.simulated) {
      fit.flagged = true;
      fit.note = targets[t].reason;
      const bool origin_stability = is_percentage(f.metric) && f.date == result.origin;
      if (origin_stability) fit.note += "; used as the fitted scenario's stability at the origin";
      if (f.metric == FigureMetric::care_leavers && f.date == result.origin) {
        fit.note += base.care_leavers.enabled ? "; used as the fitted scenario's care leavers at the origin"
                                              : "; the base has no [care_leavers]: not used";
      }
    } else {
      std::vector<double> values(static_cast<std::size_t>(runs));
      for (int i = 0; i < runs; ++i) values[static_cast<std::size_t>(i)] = predictive.figures(i, static_cast<Eigen::Index>(t));
      fit.median = quantile(values, 0.5);
      fit.low = quantile(values, 0.05);
      fit.high = quantile(values, 0.95);
      if (std::isnan(fit.median)) {
        fit.flagged = true;
        fit.note = "not defined in the simulation (no child under 16 in care 2.5 years)";
      } else if (f.value < fit.low || f.value > fit.high) {
        fit.flagged = true;
        fit.note = (fit.fitted ? "outside the 90% interval: " : "after the origin, not fitted; outside the 90% interval: ") +
                   unmatched_reason(f);
      } else if (!fit.fitted) {
        fit.note = "after the origin: not fitted, forecast";
      }
    }
    result.figures.push_back(fit);
  }

  // The fitted scenario at the origin: the base's rates moved by the posterior median.
  std::vector<FitParameter> rate_kinds;
  std::vector<double> rate_theta;
  double entry_log_level = 0;
  double growth = base.entries.annual_growth_rate;
  double uasc_log_level = 0;
  double entry_log_tilt = 0;
  for (Eigen::Index k = 0; k < p; ++k) {
    const FitParameter kind = kinds[static_cast<std::size_t>(k)];
    if (kind == FitParameter::starting_stock) continue;
    if (kind == FitParameter::entry_level) {
      entry_log_level = posterior.mean(k);
      continue;
    }
    if (kind == FitParameter::entry_growth) {
      growth = std::max(-0.5, growth + posterior.mean(k));
      continue;
    }
    if (kind == FitParameter::uasc_level) {
      uasc_log_level = posterior.mean(k);
      continue;
    }
    if (kind == FitParameter::entry_age_older) {
      entry_log_tilt = posterior.mean(k);
      continue;
    }
    rate_kinds.push_back(kind);
    rate_theta.push_back(posterior.mean(k));
  }
  Scenario fitted = apply_parameters(base, rate_kinds, rate_theta);
  // The entry level at the origin: the fitted level at the start carried by the fitted trend.
  const double years_to_origin = days_between(result.fit_start, result.origin) / kDaysPerYear;
  const double level = std::exp(entry_log_level + std::log1p(growth) * years_to_origin);
  const auto base_entries_at_origin = entries_at(base, result.origin);
  for (int b = 0; b < kAgeBandCount; ++b)
    for (int x = 0; x < kSexCount; ++x) fitted.entries.expected_per_year[b][x] = base_entries_at_origin[b][x] * level;
  tilt_entry_ages(fitted.entries, entry_log_tilt);
  fitted.entries.annual_growth_rate = growth;
  if (growth != base.entries.annual_growth_rate) fitted.entries.trend_damping_per_year = kFittedTrendDamping;
  // UASC entries the same way, carried by the base's own UASC trend (the fit frees none: with a
  // level and a trend, the default council's four UASC figures left its UASC at the origin known
  // only to within a factor of eight, while the level alone matched three of them).
  const double uasc_level = std::exp(uasc_log_level + std::log1p(base.uasc.annual_growth_rate) * years_to_origin);
  for (int b = 0; b < kAgeBandCount; ++b)
    for (int x = 0; x < kSexCount; ++x) fitted.uasc.expected_per_year[b][x] = base.uasc.expected_per_year[b][x] * uasc_level;
  fitted.origin = result.origin;
  fitted.evidence.reset();

  // The origin's children, and its stability from the figures there (or the simulation's).
  std::array<double, kOriginStateSize> mean_state{};
  for (int k = 0; k < kOriginStateSize; ++k) {
    std::vector<double> values;
    for (const auto& state : predictive.origin_state) values.push_back(state[static_cast<std::size_t>(k)]);
    double sum = 0;
    int defined = 0;
    for (const double v : values)
      if (!std::isnan(v)) sum += v, ++defined;
    mean_state[static_cast<std::size_t>(k)] = defined > 0 ? sum / defined : kNaN;
  }
  const StartingCounts shape = base_counts(base);
  // A base that starts at the origin already says where the council's children are there, from more
  // than a figures file holds (for example shares of the stock published only as rounded
  // percentages, such as the default council's 42% with in-house carers): its children are kept,
  // and only scaled where a published figure at the origin says otherwise. Otherwise the fit's
  // simulated children at the origin give the mix.
  const bool base_at_origin = base.origin == result.origin;
  std::array<double, kOriginStateSize> origin_state = mean_state;
  if (base_at_origin) {
    for (int c = 0; c < kCategoryCount; ++c) {
      double children = 0;
      for (int b = 0; b < kAgeBandCount; ++b) children += shape.count[c][b][0] + shape.count[c][b][1];
      origin_state[static_cast<std::size_t>(c)] = children;
    }
    for (int b = 0; b < kAgeBandCount; ++b) {
      double children = 0;
      for (int c = 0; c < kCategoryCount; ++c) children += shape.count[c][b][0] + shape.count[c][b][1];
      origin_state[static_cast<std::size_t>(kCategoryCount + b)] = children;
    }
    origin_state[kCategoryCount + kAgeBandCount] = total_children(shape, true);
  }
  StartingCounts origin = origin_counts(shape, figures, result.origin, origin_state, base_at_origin, result.notes);
  std::optional<double> short_term = std::isnan(mean_state[kCategoryCount + kAgeBandCount + 1]) || base_at_origin
                                         ? shape.short_term_stability_percent
                                         : std::optional<double>(mean_state[kCategoryCount + kAgeBandCount + 1]);
  std::optional<double> long_term = std::isnan(mean_state[kCategoryCount + kAgeBandCount + 2]) || base_at_origin
                                        ? shape.long_term_stability_percent
                                        : std::optional<double>(mean_state[kCategoryCount + kAgeBandCount + 2]);
  bool short_term_at_origin = false;
  for (const PublishedFigure& f : figures.figures) {
    if (f.date != result.origin) continue;
    short_term_at_origin = short_term_at_origin || f.metric == FigureMetric::stability_short_term;
    if (f.metric == FigureMetric::stability_short_term) short_term = f.value;
    if (f.metric == FigureMetric::stability_long_term) long_term = f.value;
  }
  // Where the fitted rates would have the children at the origin, beside where the figures put
  // them: the forecast's first years move from one towards the other, and the report says so.
  for (std::size_t t = 0; t < targets.size(); ++t) {
    const PublishedFigure& f = figures.figures[t];
    if (f.metric != FigureMetric::children_looked_after || f.category.kind != FigureCategory::Kind::all ||
        f.date != result.origin || !targets[t].simulated) {
      continue;
    }
    const FigureFit& at_origin = result.figures[t];
    result.notes.push_back(
        "At the origin the fit's simulated children looked after number " + std::to_string(std::lround(at_origin.median)) +
        " (90% " + std::to_string(std::lround(at_origin.low)) + " to " + std::to_string(std::lround(at_origin.high)) +
        ") against the " + std::to_string(std::lround(f.value)) +
        " published. The fitted scenario starts from the published figure; its rates are those that best explain "
        "the whole series, so its first years move from the one towards the other.");
  }
  if (std::isnan(mean_state[kCategoryCount + kAgeBandCount + 1]) && !short_term_at_origin) {
    result.notes.push_back("No short-term stability at the origin in the figures or the simulation (it measures "
                           "stability only at 31 March): the base's is kept.");
  }
  origin.short_term_stability_percent = short_term;
  origin.long_term_stability_percent = long_term;
  result.notes.push_back(set_times_from_simulation(origin, predictive.origin_times, result.origin));
  // The short-term stability at the origin (published, or the base's) can mark a child in a category too small
  // for its placement to have begun since 1 April, as the base's days in placement have it (a small council, or a
  // base shared by councils of other sizes: fit --pool-councils), which the loader refuses. The nearest number
  // of children with 3 or more placements that fits is stated instead.
  if (origin.short_term_stability_percent && starting_counts_problem(origin, result.origin)) {
    const int children = total_children(origin);
    const double stated = *origin.short_term_stability_percent;
    const long long marked = std::llround(stated / 100.0 * children);
    std::optional<double> fits;
    for (long long step = 1; step <= children && !fits; ++step) {
      for (const long long k : {marked - step, marked + step}) {
        if (k < 0 || k > children) continue;
        origin.short_term_stability_percent = 100.0 * static_cast<double>(k) / children;
        if (!starting_counts_problem(origin, result.origin)) {
          fits = origin.short_term_stability_percent;
          break;
        }
      }
    }
    if (!fits) origin.short_term_stability_percent.reset();
    result.notes.push_back(std::string(short_term_at_origin ? "The published" : "The base's") +
                           " short-term stability at the origin (" + fixed_decimals(stated, 1) +
                           "%) cannot hold for these " + std::to_string(children) +
                           " children: it would mark a child in a category too small for its placement to have "
                           "begun since 1 April. " +
                           (fits ? "The nearest that fits, " + fixed_decimals(*fits, 1) + "%, is stated."
                                 : std::string("None fits: it is left out, and the runs draw it.")));
  }
  for (std::string& note : drift_from_origin_notes(origin, predictive.origin_state, result, figures)) {
    result.notes.push_back(std::move(note));
  }
  fitted.starting_counts = origin;
  fitted.starting_children.clear();
  fitted.starting_groups.clear();
  for (std::string& note : set_care_leavers_from_figures(fitted.care_leavers, figures, result.origin)) {
    result.notes.push_back(std::move(note));
  }

  // Each replication of `run` draws its rates: stated uncertainty set so that the total of each
  // kind of rate varies between replications as its multiplier's posterior says. The draws are per
  // cell and independent, so the amounts are chosen for the total: entries' total has coefficient
  // of variation 1/sqrt(total a year x entry years); the endings of K equally busy cells of
  // hazard h vary by 1/sqrt(K h child-years), K the effective number of cells weighted by the
  // children at the origin and their hazards.
  const auto posterior_sd = [&](FitParameter kind) -> std::optional<double> {
    for (Eigen::Index k = 0; k < p; ++k)
      if (kinds[static_cast<std::size_t>(k)] == kind) return std::sqrt(posterior.covariance(k, k));
    return std::nullopt;
  };
  StatedUncertainty& uncertainty = fitted.stated_uncertainty;
  uncertainty.enabled = true;
  const auto bounded = [](double x) { return std::clamp(x, 0.01, 1'000'000.0); };
  if (const auto sd = posterior_sd(FitParameter::entry_level)) {
    uncertainty.entry_years = bounded(1.0 / (*sd * *sd * std::max(1.0, fitted.entries.total_per_year())));
  }
  // A fitted trend's posterior sd, moved to the slope log(1 + g) that each replication draws.
  const auto slope_sd = [](double sd, double rate) { return std::min(1.0, sd / (1 + rate)); };
  if (const auto sd = posterior_sd(FitParameter::entry_growth)) {
    uncertainty.entry_growth_sd_log_per_year = slope_sd(*sd, fitted.entries.annual_growth_rate);
  }
  double weighted = 0;
  double weighted_squares = 0;  // sum of n^2 h
  double squared_weights = 0;   // sum of (n h)^2
  double move_share_sum = 0;
  const auto bands = static_cast<std::size_t>(fitted.duration_band_count());
  for (int c = 0; c < kCategoryCount; ++c)
    for (int b = 0; b < kAgeBandCount; ++b) {
      const double n = origin.count[c][b][0] + origin.count[c][b][1];
      double h = 0;
      for (std::size_t d = 0; d < bands; ++d)
        h += fitted.ending_hazard_per_year[(static_cast<std::size_t>(c) * kAgeBandCount + b) * bands + d] / static_cast<double>(bands);
      double moves = 0;
      for (int o = 0; o < kCategoryCount; ++o) moves += fitted.destination_probability[c][b][o];
      weighted += n * h;
      weighted_squares += n * n * h;
      squared_weights += n * h * n * h;
      move_share_sum += n * h * moves;
    }
  if (const auto sd = posterior_sd(FitParameter::hazard_family); sd && weighted > 0) {
    uncertainty.hazard_child_years = bounded(weighted_squares / (*sd * *sd * weighted * weighted));
  }
  if (const auto sd = posterior_sd(FitParameter::moves); sd && weighted > 0) {
    const double share = std::clamp(move_share_sum / weighted, 0.01, 0.99);
    const double cells = weighted * weighted / std::max(squared_weights, 1e-9);  // effective number of cells
    uncertainty.share_events = bounded((1.0 / (share * (1 - share) * *sd * *sd) - 1) / std::max(1.0, cells));
  }
  fitted.variation = result.variation.applied_to(base.variation);
  for (std::string& note : result.variation.notes()) result.notes.push_back(std::move(note));
  result.notes.push_back(
      "Posterior carried by [uncertainty]: hazard_evidence_child_years, entry_evidence_years and "
      "share_evidence_events are chosen so that the total entries, endings and share of moves vary between "
      "replications about as the fitted multipliers' posterior says (draws are per cell and independent, so this "
      "holds for totals, not for every cell); entry_growth_sd_log_per_year is the "
      "fitted entry trend's posterior sd, where it was fitted. Kept from the base: the rest of its year-to-year "
      "[variation] (moves, which figures do not show, the autocorrelation and the drift, which the fit's own "
      "simulations leave out).");
  result.fitted = std::move(fitted);
  return result;
}

}  // namespace carecast
