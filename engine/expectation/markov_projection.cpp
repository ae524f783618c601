#include "expectation/markov_projection.hpp"

#include <Eigen/Dense>
#include <boost/math/quadrature/gauss.hpp>
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

#include "core/random_streams.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/population_entries.hpp"
#include "simulation/starting_groups_draw.hpp"

namespace carecast {
namespace {

constexpr int kLastAgeBand = kAgeBandCount - 1;
constexpr int kMaxStepDays = 91;  // with Richardson, a block of dates of birth plus a step spans under a year
constexpr double kNever = std::numeric_limits<double>::infinity();
constexpr int kDrawsPerGroupedChild = 16;

// Children enter by one of two streams (main, UASC) in one of the age bands.
constexpr int kStreamCount = 2;
constexpr int kEntryKindCount = kStreamCount * kAgeBandCount;
constexpr int entry_kind(int stream, int band) { return stream * kAgeBandCount + band; }

using Eigen::Index;
constexpr Index kCategoryRows = kCategoryCount;

// 4-point Gauss-Legendre rule. Every integrand below is analytic between the breakpoints we split
// at and varies by a factor of at most exp(hazard * step) across a piece, so four nodes leave
// errors near 1e-10.
constexpr std::array<double, 4> kGaussNode = {-0.8611363115940526, -0.3399810435848563, 0.3399810435848563,
                                              0.8611363115940526};
constexpr std::array<double, 4> kGaussWeight = {0.3478548451374538, 0.6521451548625461, 0.6521451548625461,
                                                0.3478548451374538};

template <typename F>
void for_each_gauss_node(double from, double to, F&& visit) {
  const double half = 0.5 * (to - from);
  const double middle = 0.5 * (from + to);
  for (std::size_t i = 0; i < kGaussNode.size(); ++i) visit(middle + half * kGaussNode[i], half * kGaussWeight[i]);
}

// Integrates over the span of `cuts` (which holds both ends) piece by piece, so that an integrand
// with kinks at the cuts loses no accuracy.
template <typename F>
void for_each_node_between_cuts(std::vector<double>& cuts, F&& visit) {
  std::sort(cuts.begin(), cuts.end());
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    if (cuts[i + 1] > cuts[i]) for_each_gauss_node(cuts[i], cuts[i + 1], visit);
  }
}

// Mean time, within a stretch of `length` days at constant `hazard`, of an ending that falls in it.
double mean_time_of_ending(double hazard, double length) {
  const double x = hazard * length;
  if (x < 1e-4) return length * (0.5 - x / 12);  // series: the closed form loses digits here
  return 1 / hazard - length / std::expm1(x);
}

// The scenario's rates in the units of the projection: hazards per day, and each destination
// table split into the categories a child moves to and the chance of leaving care. Tables are
// normalised as the simulation normalises them.
struct Rates {
  std::vector<double> duration_band_start;
  std::vector<double> hazard_per_day;
  PerCategory<PerAgeBand<PerCategory<double>>> move_to{};
  PerCategory<PerAgeBand<double>> exit{};
  std::array<PerAgeBand<PerCategory<double>>, kStreamCount> first_placement{};

  explicit Rates(const Scenario& scenario) {
    for (auto start : scenario.duration_band_start_days) duration_band_start.push_back(start);
    const std::size_t expected = std::size_t{kCategoryCount} * kAgeBandCount * duration_band_start.size();
    if (scenario.ending_hazard_per_year.size() != expected) {
      throw std::invalid_argument("ending_hazard_per_year has " +
                                  std::to_string(scenario.ending_hazard_per_year.size()) + " values, expected " +
                                  std::to_string(expected));
    }
    for (std::size_t i = 0; i < scenario.ending_hazard_per_year.size(); ++i) {
      const std::size_t per_category = std::size_t{kAgeBandCount} * duration_band_start.size();
      const double multiplier =
          scenario.stability.hazard_multiplier[i / per_category][(i % per_category) / duration_band_start.size()];
      hazard_per_day.push_back(scenario.ending_hazard_per_year[i] * multiplier / kDaysPerYear);
    }
    for (int c = 0; c < kCategoryCount; ++c) {
      for (int b = 0; b < kAgeBandCount; ++b) {
        const auto& outcome = scenario.destination_probability[c][b];
        double total = 0;
        for (double p : outcome) total += p;
        if (total <= 0) continue;
        for (int o = 0; o < kOutcomeCount; ++o) {
          if (outcome_is_exit(o)) {
            exit[c][b] += outcome[o] / total;
          } else {
            move_to[c][b][o] = outcome[o] / total;
          }
        }
      }
    }
    const std::array<const EntryStream*, kStreamCount> streams = {&scenario.entries, &scenario.uasc};
    for (int s = 0; s < kStreamCount; ++s) {
      for (int b = 0; b < kAgeBandCount; ++b) {
        const auto& p = streams[static_cast<std::size_t>(s)]->first_placement_probability[b];
        double total = 0;
        for (double x : p) total += x;
        if (total <= 0) continue;
        for (int c = 0; c < kCategoryCount; ++c) first_placement[static_cast<std::size_t>(s)][b][c] = p[c] / total;
      }
    }
  }

  int duration_band_count() const { return static_cast<int>(duration_band_start.size()); }
  int duration_band_at(double duration) const {
    const auto after = std::upper_bound(duration_band_start.begin(), duration_band_start.end(), duration);
    return static_cast<int>(after - duration_band_start.begin()) - 1;
  }
  double hazard(int category, int band, int duration_band) const {
    return hazard_per_day[(static_cast<std::size_t>(category) * kAgeBandCount + band) * duration_band_start.size() +
                          duration_band];
  }
};

// The age bands a child passes through during a step: `band` at its start and, from `change_at`
// days into it, the next band; from the last band the change is the 18th birthday, when care ends.
struct AgePath {
  int band = 0;
  double change_at = kNever;
};

// What becomes of one child during a step, per unit of probability.
struct StepOutcome {
  double stay = 0;              // still in the placement held at the start of the step
  PerCategory<double> moved{};  // in a placement begun during the step, by its category
  // moved, weighted by each new placement's time in placement at the end of the step minus half
  // a cell: the first moment the grid keeps for every cell.
  PerCategory<double> moved_offset{};
  double exited = 0;  // left care during the step, for any reason

  void add(const StepOutcome& other, double weight) {
    stay += weight * other.stay;
    for (int c = 0; c < kCategoryCount; ++c) {
      moved[c] += weight * other.moved[c];
      moved_offset[c] += weight * other.moved_offset[c];
    }
    exited += weight * other.exited;
  }
};

// The law of one child over a step: the first ending is integrated over its time and the
// placement it begins is followed exactly to the end of the step. Where that one ends too
// (probability O((hazard * step)^2)), the child is counted in its next placement, which gets no
// chance to end before the step does: deferred, not lost, an O(step^2) error overall.
class StepKernel {
 public:
  StepKernel(const Rates& rates, double cell_days) : rates_(rates), half_cell_(cell_days / 2) {
    cuts_.reserve(4 + 2 * rates.duration_band_start.size());
  }

  StepOutcome operator()(int category, const AgePath& age, double initial_duration, double length) {
    StepOutcome out;
    const bool care_ends = age.band == kLastAgeBand && age.change_at < length;
    const double end = care_ends ? std::max(age.change_at, 0.0) : length;
    // Split [0, end] where the hazard of the current placement changes, and where a placement
    // begun at that moment would change duration band exactly at `end`, so that the integrand is
    // analytic on each piece.
    cuts_.clear();
    cuts_.push_back(0.0);
    cuts_.push_back(end);
    if (age.change_at > 0 && age.change_at < end) cuts_.push_back(age.change_at);
    for (int k = 1; k < rates_.duration_band_count(); ++k) {
      const double boundary = rates_.duration_band_start[k];
      for (double s : {boundary - initial_duration, end - boundary}) {
        if (s > 0 && s < end) cuts_.push_back(s);
      }
    }
    std::sort(cuts_.begin(), cuts_.end());

    double exposure = 0;  // integrated hazard of the current placement so far
    for (std::size_t i = 0; i + 1 < cuts_.size(); ++i) {
      const double from = cuts_[i];
      const double to = cuts_[i + 1];
      if (to <= from) continue;
      const double middle = 0.5 * (from + to);
      const int band = middle < age.change_at ? age.band : age.band + 1;
      const double hazard = rates_.hazard(category, band, rates_.duration_band_at(initial_duration + middle));
      if (hazard > 0) {
        for_each_gauss_node(from, to, [&](double s, double weight) {
          const double ending = weight * hazard * std::exp(-(exposure + hazard * (s - from)));
          out.exited += ending * rates_.exit[category][band];
          for (int next = 0; next < kCategoryCount; ++next) {
            const double p = rates_.move_to[category][band][next];
            if (p > 0) follow_new_placement(next, s, end, age, ending * p, out);
          }
        });
      }
      exposure += hazard * (to - from);
    }
    out.stay = std::exp(-exposure);
    if (care_ends) {
      for (int c = 0; c < kCategoryCount; ++c) {
        out.exited += out.moved[c];
        out.moved[c] = out.moved_offset[c] = 0;
      }
      out.exited += out.stay;
      out.stay = 0;
    }
    return out;
  }

 private:
  // A placement of `category` begun at `begin` with probability `mass`: where it stands at `end`.
  void follow_new_placement(int category, double begin, double end, const AgePath& age, double mass,
                            StepOutcome& out) const {
    const int last_duration_band = rates_.duration_band_count() - 1;
    double exposure = 0;
    int duration_band = 0;
    for (double u = begin; u < end;) {
      double next = end;
      if (age.change_at > u) next = std::min(next, age.change_at);
      if (duration_band < last_duration_band) {
        next = std::min(next, begin + rates_.duration_band_start[duration_band + 1]);
      }
      const int band = u < age.change_at ? age.band : age.band + 1;
      const double hazard = rates_.hazard(category, band, duration_band);
      const double ended = mass * std::exp(-exposure) * -std::expm1(-hazard * (next - u));
      if (ended > 0) {
        const double offset = end - (u + mean_time_of_ending(hazard, next - u)) - half_cell_;
        out.exited += ended * rates_.exit[category][band];
        for (int c = 0; c < kCategoryCount; ++c) {
          out.moved[c] += ended * rates_.move_to[category][band][c];
          out.moved_offset[c] += ended * rates_.move_to[category][band][c] * offset;
        }
      }
      exposure += hazard * (next - u);
      u = next;
      while (duration_band < last_duration_band && begin + rates_.duration_band_start[duration_band + 1] <= u) {
        ++duration_band;
      }
    }
    out.moved[category] += mass * std::exp(-exposure);
    out.moved_offset[category] += mass * std::exp(-exposure) * (end - begin - half_cell_);
  }

  const Rates& rates_;
  double half_cell_;
  std::vector<double> cuts_;
};

// Time in placement in cells of `cell_days`: cell j holds durations [j, j+1) * cell_days, and the
// cap cell every duration from cap_cell * cell_days on, past the last band start. A cohort's
// column holds, for every state (category, cell), first the mass, then (state_count() rows
// further) the first moment of the time in placement about the cell's middle. The moment fixes a
// linear density within the cell, which is what a cell needs where a band starts inside it (the
// cap cell's moment is never used: no band starts inside it). States are cell-major
// (state_index), so new placements (cell 0, all categories) are the first rows of each half.
struct PlacementGrid {
  int cell_days = 0;
  int cap_cell = 0;
  Index state_count() const { return kCategoryRows * (cap_cell + 1); }
};
Index state_index(int category, int cell) { return Index{cell} * kCategoryCount + category; }

// One step of a cohort's column for one age path, in factored form. Children staying in their
// placement move one cell on, their mass and moment mixing through four per-state factors.
// Everything else is computed from sums over groups of cells that share an outcome (a run of
// consecutive cells, category by category): group rows g * kCategoryCount + category, masses
// then moments.
struct GridTransition {
  struct CellRun {
    int first_cell;
    int cell_count;
  };
  std::vector<CellRun> groups;
  Eigen::VectorXd mass_from_mass, mass_from_moment, moment_from_mass, moment_from_moment;  // by state
  Eigen::MatrixXd placed;     // new placements, masses then moments by category, from the group sums
  Eigen::RowVectorXd exited;  // exits from the group sums
  Index group_rows() const { return static_cast<Index>(groups.size()) * kCategoryCount; }
};

// The outcome of a cell per unit of its mass and per unit of its moment (with the linear density
// these fix), and the moment about the cell's middle of those still in their placement.
struct CellOutcome {
  StepOutcome from_mass;
  StepOutcome from_moment;
  double stay_moment_from_mass = 0;
  double stay_moment_from_moment = 0;
};

// A cell whose sweep during the step crosses a duration band start: the outcome depends on where
// its children are within it.
CellOutcome outcome_of_straddling_cell(StepKernel& kernel, const Rates& rates, int category, const AgePath& age,
                                       double cell_start, double cell_days, double length) {
  std::vector<double> cuts = {0.0, cell_days};
  for (int k = 1; k < rates.duration_band_count(); ++k) {
    for (double v : {rates.duration_band_start[k] - cell_start, rates.duration_band_start[k] - cell_start - length}) {
      if (v > 0 && v < cell_days) cuts.push_back(v);
    }
  }
  // Density m / w + 12 q (v - w/2) / w^3 on [0, w) has mass m and moment q.
  const double half = cell_days / 2;
  const double per_moment = 12 / (cell_days * cell_days * cell_days);
  CellOutcome cell;
  for_each_node_between_cuts(cuts, [&](double v, double weight) {
    const StepOutcome o = kernel(category, age, cell_start + v, length);
    cell.from_mass.add(o, weight / cell_days);
    cell.from_moment.add(o, weight * per_moment * (v - half));
    cell.stay_moment_from_mass += weight / cell_days * (v - half) * o.stay;
    cell.stay_moment_from_moment += weight * per_moment * (v - half) * (v - half) * o.stay;
  });
  return cell;
}

GridTransition build_transition(StepKernel& kernel, const Rates& rates, const PlacementGrid& grid,
                                const AgePath& age, double length) {
  // A cell whose sweep during the step, [start, start + cell_days + length), crosses no band start
  // has the same outcome as its neighbours in that band: runs of such cells form one group.
  // Each cell that straddles a band start is a group of its own.
  GridTransition t;
  std::vector<bool> straddles;
  int previous_band = -1;
  for (int j = 0; j <= grid.cap_cell; ++j) {
    const double low = static_cast<double>(j) * grid.cell_days;
    const double high = j == grid.cap_cell ? kNever : low + grid.cell_days + length;
    bool crosses = false;
    for (int k = 1; k < rates.duration_band_count(); ++k) {
      crosses = crosses || (rates.duration_band_start[k] > low && rates.duration_band_start[k] < high);
    }
    const int band = rates.duration_band_at(low);
    if (!crosses && !t.groups.empty() && !straddles.back() && band == previous_band) {
      ++t.groups.back().cell_count;
    } else {
      t.groups.push_back({j, 1});
      straddles.push_back(crosses);
    }
    previous_band = band;
  }

  const Index states = grid.state_count();
  const Index rows = t.group_rows();
  t.mass_from_mass.resize(states);
  t.mass_from_moment.resize(states);
  t.moment_from_mass.resize(states);
  t.moment_from_moment.resize(states);
  t.placed.setZero(2 * kCategoryRows, 2 * rows);
  t.exited.setZero(2 * rows);
  for (std::size_t g = 0; g < t.groups.size(); ++g) {
    const GridTransition::CellRun run = t.groups[g];
    const double start = static_cast<double>(run.first_cell) * grid.cell_days;
    for (int c = 0; c < kCategoryCount; ++c) {
      CellOutcome cell;
      if (straddles[g]) {
        cell = outcome_of_straddling_cell(kernel, rates, c, age, start, grid.cell_days, length);
      } else {
        cell.from_mass = kernel(c, age, start, length);
        cell.stay_moment_from_moment = cell.from_mass.stay;  // the same shift for every child of the cell
      }
      const Index row = static_cast<Index>(g) * kCategoryCount + c;
      for (int to = 0; to < kCategoryCount; ++to) {
        t.placed(to, row) = cell.from_mass.moved[to];
        t.placed(kCategoryRows + to, row) = cell.from_mass.moved_offset[to];
        t.placed(to, rows + row) = cell.from_moment.moved[to];
        t.placed(kCategoryRows + to, rows + row) = cell.from_moment.moved_offset[to];
      }
      t.exited(row) = cell.from_mass.exited;
      t.exited(rows + row) = cell.from_moment.exited;
      for (int j = run.first_cell; j < run.first_cell + run.cell_count; ++j) {
        t.mass_from_mass(state_index(c, j)) = cell.from_mass.stay;
        t.mass_from_moment(state_index(c, j)) = cell.from_moment.stay;
        t.moment_from_mass(state_index(c, j)) = cell.stay_moment_from_mass;
        t.moment_from_moment(state_index(c, j)) = cell.stay_moment_from_moment;
      }
    }
  }
  return t;
}

// Everything that depends on the length of a step. A cohort date whose birthday moves it to the
// next band during the step follows the two bands' transitions weighted by the time spent in
// each: an error of O((hazard difference * step)^2) per birthday, which changes a 5-year total
// by under 0.001 children at a 7-day step (the exact transition for each day of the step costs
// 4 * (step - 1) more tables). Children reaching 18 during the step simply leave.
struct StepTables {
  int length = 0;
  std::vector<GridTransition> within_band;  // [band]
  // Where the children entering during the step are at its end (cell 0: masses then moments),
  // per unit entering, by kind.
  Eigen::Matrix<double, 2 * kCategoryCount, kEntryKindCount> entrant_placement;
  Eigen::Matrix<double, 1, kEntryKindCount> entrant_exit;
};

StepTables make_step_tables(StepKernel& kernel, const Rates& rates, const PlacementGrid& grid, int length) {
  StepTables tables;
  tables.length = length;
  for (int band = 0; band < kAgeBandCount; ++band) {
    tables.within_band.push_back(build_transition(kernel, rates, grid, AgePath{band, kNever}, length));
  }
  // Entrants arrive evenly over the step (growth changes the rate by under 0.1% within one) and
  // start at duration 0; they keep their band at entry for the rest of the step.
  tables.entrant_placement.setZero();
  tables.entrant_exit.setZero();
  const double half_cell = grid.cell_days / 2.0;
  std::vector<double> cuts;
  for (int stream = 0; stream < kStreamCount; ++stream) {
    for (int band = 0; band < kAgeBandCount; ++band) {
      const int kind = entry_kind(stream, band);
      for (int c = 0; c < kCategoryCount; ++c) {
        const double p = rates.first_placement[static_cast<std::size_t>(stream)][band][c];
        if (p == 0) continue;
        cuts.assign({0.0, static_cast<double>(length)});
        for (double boundary : rates.duration_band_start) {
          if (boundary > 0 && boundary < length) cuts.push_back(boundary);
        }
        for_each_node_between_cuts(cuts, [&](double exposure, double weight) {
          const StepOutcome o = kernel(c, AgePath{band, kNever}, 0.0, exposure);
          const double share = p * weight / length;
          tables.entrant_placement(c, kind) += share * o.stay;
          tables.entrant_placement(kCategoryRows + c, kind) += share * o.stay * (exposure - half_cell);
          for (int to = 0; to < kCategoryCount; ++to) {
            tables.entrant_placement(to, kind) += share * o.moved[to];
            tables.entrant_placement(kCategoryRows + to, kind) += share * o.moved_offset[to];
          }
          tables.entrant_exit(kind) += share * o.exited;
        });
      }
    }
  }
  return tables;
}

// Dates of birth, as days from the origin date (0 = born on the origin date), that make a child
// of `band` on day `on`: the simulation's draw_birth_date.
std::pair<int, int> birth_days_for_band(Date origin, Date on, int band) {
  const Date earliest = add_years(on, -kAgeBandStartYears[band + 1]) + std::chrono::days{1};
  const Date latest = add_years(on, -kAgeBandStartYears[band]);
  return {static_cast<int>((earliest - origin).count()), static_cast<int>((latest - origin).count())};
}

// Calendar facts on the projection clock (days since the end of the origin date), the same for
// every step length.
struct Timeline {
  std::vector<Date> dates;
  std::vector<int> report_day;  // clock time of each date (end of that day)
  int first_birth_day = 0;      // oldest date of birth of anyone in care, days from the origin
  int last_birth_day = 0;
  // Clock time of the start of the 1st, 5th, 10th, 16th and 18th birthday, by date of birth.
  std::vector<std::array<int, kAgeBandCount>> band_change;
  // Expected children entering on each day (clock (day-1, day]), by kind, and the range of dates
  // of birth each kind of entrant is drawn from uniformly.
  std::vector<std::array<double, kEntryKindCount>> entering;
  std::vector<std::array<std::pair<int, int>, kAgeBandCount>> entrant_birth_days;
  std::vector<double> cumulative_entries;  // [day]: expected entries in (0, day]

  explicit Timeline(const Scenario& scenario) {
    const Date origin = scenario.origin;
    dates.push_back(origin);
    for (Date d : month_ends_after(origin, scenario.horizon_end())) dates.push_back(d);
    for (Date d : dates) report_day.push_back(static_cast<int>((d - origin).count()));
    const int last_day = report_day.back();

    first_birth_day = birth_days_for_band(origin, origin, kLastAgeBand).first;
    for (const StartingChild& child : scenario.starting_children) {
      first_birth_day = std::min(first_birth_day, -child.age_days);
    }
    last_birth_day = last_day;
    for (int x = first_birth_day; x <= last_birth_day; ++x) {
      std::array<int, kAgeBandCount> change{};
      const Date birth = origin + std::chrono::days{x};
      for (int k = 0; k < kAgeBandCount; ++k) {
        change[static_cast<std::size_t>(k)] =
            static_cast<int>((add_years(birth, kAgeBandStartYears[k + 1]) - origin).count()) - 1;
      }
      band_change.push_back(change);
    }

    const std::array<const EntryStream*, kStreamCount> streams = {&scenario.entries, &scenario.uasc};
    cumulative_entries.assign(static_cast<std::size_t>(last_day) + 1, 0.0);
    // Entries a rate per 10,000 children grow with the population, year by year as simulated.
    const std::vector<std::array<double, kAgeBandCount>> population_growth = entry_growth_by_age_band(scenario, last_day);
    for (int day = 1; day <= last_day; ++day) {
      std::array<double, kEntryKindCount> on_day{};
      for (int s = 0; s < kStreamCount; ++s) {
        // Rate r0 exp(gamma D(t)) (the damped trend of EntryStream) integrated over (day-1, day].
        // Undamped, D(t) = t and the integral is exact; damped, a 7-point Gauss-Legendre rule is
        // exact to rounding for a rate that changes by well under 1% in a day.
        const EntryStream& stream = *streams[static_cast<std::size_t>(s)];
        const double log_growth = std::log1p(stream.annual_growth_rate);
        const double growth = log_growth / kDaysPerYear;
        double day_integral = 0;
        if (stream.trend_damping_per_year < 1) {
          day_integral = boost::math::quadrature::gauss<double, 7>::integrate(
              [&](double t) {
                return std::exp(damped_trend_log_multiplier(log_growth, stream.trend_damping_per_year, t / kDaysPerYear));
              },
              day - 1.0, static_cast<double>(day));
        } else {
          day_integral = growth == 0 ? 1.0 : std::exp(growth * (day - 1)) * std::expm1(growth) / growth;
        }
        for (int b = 0; b < kAgeBandCount; ++b) {
          const auto& per_sex = stream.expected_per_year[b];
          const double growth_with_population =
              s == 0 && !population_growth.empty()
                  ? population_growth[std::min(static_cast<std::size_t>((day - 0.5) / kDaysPerYear),
                                               population_growth.size() - 1)][static_cast<std::size_t>(b)]
                  : 1.0;
          on_day[static_cast<std::size_t>(entry_kind(s, b))] =
              (per_sex[0] + per_sex[1]) / kDaysPerYear * day_integral * growth_with_population;
        }
      }
      std::array<std::pair<int, int>, kAgeBandCount> births{};
      for (int b = 0; b < kAgeBandCount; ++b) {
        births[static_cast<std::size_t>(b)] = birth_days_for_band(origin, origin + std::chrono::days{day}, b);
      }
      double total = 0;
      for (double m : on_day) total += m;
      cumulative_entries[static_cast<std::size_t>(day)] = cumulative_entries[static_cast<std::size_t>(day) - 1] + total;
      entering.push_back(on_day);
      entrant_birth_days.push_back(births);
    }
  }

  const std::array<int, kAgeBandCount>& band_changes(int birth_day) const {
    return band_change[static_cast<std::size_t>(birth_day - first_birth_day)];
  }
  int eighteenth_birthday(int birth_day) const { return band_changes(birth_day)[kLastAgeBand]; }
  // The age band at clock time t and, if the next change falls within (t, t + window), its day.
  AgePath age_path(int birth_day, int t, int window) const {
    const auto& change = band_changes(birth_day);
    int band = 0;
    while (band < kLastAgeBand && change[static_cast<std::size_t>(band)] <= t) ++band;
    const int next = change[static_cast<std::size_t>(band)] - t;
    return AgePath{band, next < window ? static_cast<double>(next) : kNever};
  }
};

// The children looked after at the origin, by category, exactly as the scenario gives them.
PerCategory<double> starting_stock(const Scenario& scenario) {
  PerCategory<double> stock{};
  for (const StartingChild& child : scenario.starting_children) stock[static_cast<int>(child.category)] += 1;
  for (const StartingGroup& group : scenario.starting_groups) stock[static_cast<int>(group.category)] += group.children;
  if (scenario.starting_counts) {
    for (int c = 0; c < kCategoryCount; ++c) {
      for (const auto& by_sex : scenario.starting_counts->count[c]) stock[c] += by_sex[0] + by_sex[1];
    }
  }
  return stock;
}

struct RawSeries {
  std::vector<PerCategory<double>> stock;
  std::vector<double> cumulative_exits;
};

// The projection for one step length.
class GridProjection {
 public:
  // `starting_weight`: the mass of each listed starting child (below 1 when each child is
  // several draws within its group).
  GridProjection(const Scenario& scenario, const Rates& rates, const Timeline& timeline, int step_days,
                 double starting_weight)
      : timeline_(timeline), kernel_(rates, step_days), starting_weight_(starting_weight) {
    grid_.cell_days = step_days;
    const int last_band_start = scenario.duration_band_start_days.back();
    grid_.cap_cell = (last_band_start + step_days - 1) / step_days;
    make_cohorts(scenario, step_days);
    const Index rows = 2 * grid_.state_count();
    const Index columns = static_cast<Index>(cohorts_.size());
    state_.setZero(rows, columns);
    next_.setZero(rows, columns);
    readout_.setZero(rows, columns);
    place_starting_counts(scenario);

    step_tables_ = make_step_tables(kernel_, rates, grid_, step_days);
    Index groups = 0;
    auto widest = [&](const StepTables& t) {
      for (const auto& g : t.within_band) groups = std::max(groups, g.group_rows());
    };
    widest(step_tables_);
    for (int day : timeline_.report_day) {
      const int offset = day % step_days;
      if (offset > 0 && readout_tables_.count(offset) == 0) {
        widest(readout_tables_.emplace(offset, make_step_tables(kernel_, rates, grid_, offset)).first->second);
      }
    }
    grouped_.setZero(2 * groups);
    placed_.setZero(2 * kCategoryRows);
    row_total_.setZero(grid_.state_count());
    entrant_mass_.setZero(kEntryKindCount, spread_cohort_count_);
    mix_.reserve(kAgeBandCount);
  }

  RawSeries run() {
    RawSeries series;
    double exits_so_far = 0;
    const std::size_t dates = timeline_.report_day.size();
    std::size_t next_date = 0;
    for (int start = 0; next_date < dates; start += grid_.cell_days) {
      for (; next_date < dates && timeline_.report_day[next_date] < start + grid_.cell_days; ++next_date) {
        const int offset = timeline_.report_day[next_date] - start;
        if (offset == 0) {
          series.stock.push_back(totals(state_, first_weight_));
          series.cumulative_exits.push_back(exits_so_far);
        } else {
          const double exits = propagate(start, readout_tables_.at(offset), readout_, readout_first_weight_);
          series.stock.push_back(totals(readout_, readout_first_weight_));
          series.cumulative_exits.push_back(exits_so_far + exits);
        }
      }
      if (next_date == dates) break;
      exits_so_far += propagate(start, step_tables_, next_, next_first_weight_);
      state_.swap(next_);
      first_weight_.swap(next_first_weight_);
    }
    return series;
  }

 private:
  // A cohort: consecutive dates of birth (days from the origin) whose children are assumed spread
  // evenly over those of its dates still under 18.
  struct Cohort {
    int first_birth_day;
    int birth_day_count;
  };
  // A starting child's first placement, followed exactly: its exact duration matters at every
  // duration band start, and placements after it go to the child's own single-date cohort.
  struct FirstPlacement {
    Index cohort;
    int birth_day;
    int category;
    double initial_duration;
  };

  void make_cohorts(const Scenario& scenario, int step_days) {
    // Blocks of step_days dates of birth, also cut where the origin's age bands change so that
    // each block of the starting counts is evenly filled.
    std::vector<int> cuts = {timeline_.first_birth_day, timeline_.last_birth_day + 1};
    for (int x = timeline_.first_birth_day + step_days; x <= timeline_.last_birth_day; x += step_days) {
      cuts.push_back(x);
    }
    for (int b = 0; b < kAgeBandCount; ++b) {
      const int edge = birth_days_for_band(scenario.origin, scenario.origin, b).first;
      if (edge > timeline_.first_birth_day && edge <= timeline_.last_birth_day) cuts.push_back(edge);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    spread_cohort_of_.resize(static_cast<std::size_t>(timeline_.last_birth_day - timeline_.first_birth_day + 1));
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      for (int x = cuts[i]; x < cuts[i + 1]; ++x) {
        spread_cohort_of_[static_cast<std::size_t>(x - timeline_.first_birth_day)] = static_cast<Index>(cohorts_.size());
      }
      cohorts_.push_back(Cohort{cuts[i], cuts[i + 1] - cuts[i]});
    }
    spread_cohort_count_ = static_cast<Index>(cohorts_.size());

    std::map<int, Index> single_date;
    for (const StartingChild& child : scenario.starting_children) single_date.emplace(-child.age_days, 0);
    for (auto& [birth_day, column] : single_date) {
      column = static_cast<Index>(cohorts_.size());
      cohorts_.push_back(Cohort{birth_day, 1});
    }
    for (const StartingChild& child : scenario.starting_children) {
      first_placements_.push_back(FirstPlacement{single_date.at(-child.age_days), -child.age_days,
                                                 static_cast<int>(child.category),
                                                 static_cast<double>(child.days_in_placement)});
    }
    occupied_.assign(cohorts_.size(), false);
    first_weight_.assign(first_placements_.size(), starting_weight_);
    next_first_weight_.assign(first_placements_.size(), 0.0);
    readout_first_weight_.assign(first_placements_.size(), 0.0);
  }

  // Starting counts: each child's date of birth is uniform over the band's dates, its time in
  // placement min(Exponential(mean), age in days).
  void place_starting_counts(const Scenario& scenario) {
    if (!scenario.starting_counts) return;
    const StartingCounts& counts = *scenario.starting_counts;
    const Index states = grid_.state_count();
    for (int c = 0; c < kCategoryCount; ++c) {
      const double mean = counts.mean_days_in_placement[c];
      // P(draw >= d), and the integral of (d - middle) over the draw's density from d on.
      auto at_least = [mean](double d) { return mean > 0 ? std::exp(-d / mean) : (d > 0 ? 0.0 : 1.0); };
      auto moment_from = [&](double d, double middle) { return (d - middle + mean) * at_least(d); };
      for (int b = 0; b < kAgeBandCount; ++b) {
        const int children = counts.count[c][b][0] + counts.count[c][b][1];
        if (children == 0) continue;
        const auto [first, last] = birth_days_for_band(scenario.origin, scenario.origin, b);
        const double per_date = children / static_cast<double>(last - first + 1);
        for (int x = first; x <= last; ++x) {
          const double age = -x;
          const Index column = spread_cohort_of_[static_cast<std::size_t>(x - timeline_.first_birth_day)];
          for (int j = 0; j <= grid_.cap_cell; ++j) {
            const double low = static_cast<double>(j) * grid_.cell_days;
            if (low > age) break;
            const double high = j == grid_.cap_cell ? kNever : low + grid_.cell_days;
            // A draw beyond the age is cut to the age: that mass sits at the age, in its own cell.
            const bool holds_age = age < high;
            state_(state_index(c, j), column) += per_date * (at_least(low) - (holds_age ? 0.0 : at_least(high)));
            occupied_[static_cast<std::size_t>(column)] = true;
            if (j == grid_.cap_cell) continue;
            const double middle = low + grid_.cell_days / 2.0;
            const double moment = holds_age ? moment_from(low, middle) - moment_from(age, middle) +
                                                  (age - middle) * at_least(age)
                                            : moment_from(low, middle) - moment_from(high, middle);
            state_(states + state_index(c, j), column) += per_date * moment;
          }
        }
      }
    }
  }

  // Fills mix_ with the transitions a cohort's dates of birth follow during the step starting at
  // t, weighted by their share of the cohort's children; returns the share reaching 18.
  double classify(const Cohort& cohort, int t, const StepTables& tables) {
    mix_.clear();
    const int end = cohort.first_birth_day + cohort.birth_day_count;
    int alive = 0;
    for (int x = cohort.first_birth_day; x < end; ++x) {
      if (timeline_.eighteenth_birthday(x) >= t) ++alive;
    }
    if (alive == 0) return 0;
    const double share = 1.0 / alive;
    double leaving = 0;
    auto add = [&](const GridTransition* transition, double weight) {
      for (auto& [existing, w] : mix_) {
        if (existing == transition) {
          w += weight;
          return;
        }
      }
      mix_.emplace_back(transition, weight);
    };
    for (int x = cohort.first_birth_day; x < end; ++x) {
      if (timeline_.eighteenth_birthday(x) < t) continue;
      const AgePath age = timeline_.age_path(x, t, tables.length);
      const auto band = static_cast<std::size_t>(age.band);
      if (age.change_at == kNever) {
        add(&tables.within_band[band], share);
      } else if (age.band == kLastAgeBand) {
        leaving += share;
      } else {
        const double before = age.change_at / tables.length;
        add(&tables.within_band[band], share * before);
        add(&tables.within_band[band + 1], share * (1 - before));
      }
    }
    return leaving;
  }

  // Writes (overwrite) or adds to column `column` of `to` that column of the state after one
  // transition, scaled by `weight`; returns the exits.
  double apply(const GridTransition& t, Index column, double weight, bool overwrite, Eigen::MatrixXd& to) {
    using CellsByCategory = Eigen::Map<const Eigen::Matrix<double, kCategoryCount, Eigen::Dynamic>>;
    const Index states = grid_.state_count();
    const Index rows = t.group_rows();
    const auto mass = state_.col(column).head(states);
    const auto moment = state_.col(column).tail(states);
    for (std::size_t g = 0; g < t.groups.size(); ++g) {
      const GridTransition::CellRun run = t.groups[g];
      const Index first = state_index(0, run.first_cell);
      const Index row = static_cast<Index>(g) * kCategoryCount;
      grouped_.segment(row, kCategoryRows) =
          CellsByCategory(mass.data() + first, kCategoryRows, run.cell_count).rowwise().sum();
      grouped_.segment(rows + row, kCategoryRows) =
          CellsByCategory(moment.data() + first, kCategoryRows, run.cell_count).rowwise().sum();
    }
    const auto sums = grouped_.head(2 * rows);
    placed_.noalias() = t.placed * sums;

    auto put = [overwrite](auto&& into, const auto& value) {
      if (overwrite) {
        into = value;
      } else {
        into += value;
      }
    };
    auto mass_to = to.col(column).head(states);
    auto moment_to = to.col(column).tail(states);
    // New placements fill cell 0 and the rest move one cell on, so together they write every
    // row; the cap cell's own stayers come last, as they add to what reached it.
    put(mass_to.head(kCategoryRows), weight * placed_.head(kCategoryRows));
    put(moment_to.head(kCategoryRows), weight * placed_.tail(kCategoryRows));
    const Index moving = kCategoryRows * grid_.cap_cell;  // every state but the cap cell's
    put(mass_to.segment(kCategoryRows, moving),
        weight * (t.mass_from_mass.head(moving).cwiseProduct(mass.head(moving)) +
                  t.mass_from_moment.head(moving).cwiseProduct(moment.head(moving))));
    put(moment_to.segment(kCategoryRows, moving),
        weight * (t.moment_from_mass.head(moving).cwiseProduct(mass.head(moving)) +
                  t.moment_from_moment.head(moving).cwiseProduct(moment.head(moving))));
    mass_to.tail(kCategoryRows) += weight * t.mass_from_mass.tail(kCategoryRows).cwiseProduct(mass.tail(kCategoryRows));
    return weight * t.exited.dot(sums);
  }

  // The state `tables.length` days after clock time t, written to `to` and `first_weight_to`;
  // returns the exits in between.
  double propagate(int t, const StepTables& tables, Eigen::MatrixXd& to, std::vector<double>& first_weight_to) {
    const Index states = grid_.state_count();
    double exits = 0;
    for (Index i = 0; i < static_cast<Index>(cohorts_.size()); ++i) {
      if (!occupied_[static_cast<std::size_t>(i)]) continue;  // its columns are zero in every buffer
      const double leaving = classify(cohorts_[static_cast<std::size_t>(i)], t, tables);
      if (leaving > 0) exits += leaving * state_.col(i).head(states).sum();
      if (mix_.empty()) to.col(i).setZero();
      for (std::size_t m = 0; m < mix_.size(); ++m) exits += apply(*mix_[m].first, i, mix_[m].second, m == 0, to);
    }

    for (std::size_t k = 0; k < first_placements_.size(); ++k) {
      const double weight = first_weight_[k];
      first_weight_to[k] = 0;
      if (weight == 0) continue;
      const FirstPlacement& p = first_placements_[k];
      const StepOutcome o =
          kernel_(p.category, timeline_.age_path(p.birth_day, t, tables.length), p.initial_duration + t, tables.length);
      first_weight_to[k] = weight * o.stay;
      occupied_[static_cast<std::size_t>(p.cohort)] = true;
      for (int c = 0; c < kCategoryCount; ++c) {
        to(state_index(c, 0), p.cohort) += weight * o.moved[c];
        to(states + state_index(c, 0), p.cohort) += weight * o.moved_offset[c];
      }
      exits += weight * o.exited;
    }
    return exits + add_entrants(t, tables, to);
  }

  // Children entering during (t, t + length]: each day's entrants of each kind are spread over
  // their range of dates of birth; those already 18 by the end of the step count only as exits.
  double add_entrants(int t, const StepTables& tables, Eigen::MatrixXd& to) {
    const int end = t + tables.length;
    const int last_day = static_cast<int>(timeline_.entering.size());
    // 18th birthdays never decrease with the date of birth.
    int first_in_care = timeline_.first_birth_day;
    while (first_in_care <= timeline_.last_birth_day && timeline_.eighteenth_birthday(first_in_care) < end) {
      ++first_in_care;
    }
    entrant_mass_.setZero();
    double exits = 0;
    for (int day = t + 1; day <= std::min(end, last_day); ++day) {
      const auto& entering = timeline_.entering[static_cast<std::size_t>(day) - 1];
      const auto& births = timeline_.entrant_birth_days[static_cast<std::size_t>(day) - 1];
      for (int kind = 0; kind < kEntryKindCount; ++kind) {
        if (entering[static_cast<std::size_t>(kind)] == 0) continue;
        const auto [first, last] = births[static_cast<std::size_t>(kind % kAgeBandCount)];
        const double per_date = entering[static_cast<std::size_t>(kind)] / (last - first + 1);
        exits += per_date * std::max(0, std::min(last + 1, first_in_care) - first);
        for (int x = std::max(first, first_in_care); x <= last;) {
          const Index cohort = spread_cohort_of_[static_cast<std::size_t>(x - timeline_.first_birth_day)];
          const Cohort& c = cohorts_[static_cast<std::size_t>(cohort)];
          const int through = std::min(last, c.first_birth_day + c.birth_day_count - 1);
          entrant_mass_(kind, cohort) += per_date * (through - x + 1);
          occupied_[static_cast<std::size_t>(cohort)] = true;
          x = through + 1;
        }
      }
    }
    to.topLeftCorner(kCategoryRows, spread_cohort_count_).noalias() +=
        tables.entrant_placement.topRows<kCategoryCount>() * entrant_mass_;
    to.block(grid_.state_count(), 0, kCategoryRows, spread_cohort_count_).noalias() +=
        tables.entrant_placement.bottomRows<kCategoryCount>() * entrant_mass_;
    return exits + (tables.entrant_exit * entrant_mass_.rowwise().sum()).value();
  }

  PerCategory<double> totals(const Eigen::MatrixXd& state, const std::vector<double>& first_weight) {
    row_total_.noalias() = state.topRows(grid_.state_count()).rowwise().sum();
    PerCategory<double> stock{};
    for (int j = 0; j <= grid_.cap_cell; ++j) {
      for (int c = 0; c < kCategoryCount; ++c) stock[c] += row_total_(state_index(c, j));
    }
    for (std::size_t k = 0; k < first_placements_.size(); ++k) stock[first_placements_[k].category] += first_weight[k];
    return stock;
  }

  const Timeline& timeline_;
  StepKernel kernel_;
  PlacementGrid grid_;
  std::vector<Cohort> cohorts_;  // spread blocks (in date order), then single dates of starting children
  Index spread_cohort_count_ = 0;
  std::vector<Index> spread_cohort_of_;  // [birth day - first_birth_day]
  // Whether a cohort has held anyone yet (entrants, starting counts or a starting child's moves);
  // the others are skipped.
  std::vector<bool> occupied_;
  std::vector<FirstPlacement> first_placements_;
  std::vector<double> first_weight_, next_first_weight_, readout_first_weight_;  // probability still in it
  double starting_weight_ = 1.0;

  StepTables step_tables_;
  std::map<int, StepTables> readout_tables_;  // by days from the step start to a month end

  // Columns of every cohort at the current step, the next, and a month end between them.
  Eigen::MatrixXd state_, next_, readout_;
  // Scratch reused by every step.
  Eigen::VectorXd grouped_;
  Eigen::VectorXd placed_;
  Eigen::VectorXd row_total_;
  Eigen::Matrix<double, kEntryKindCount, Eigen::Dynamic> entrant_mass_;
  std::vector<std::pair<const GridTransition*, double>> mix_;
};

}  // namespace

ExpectedSeries project_expectation(const Scenario& given, const ProjectionOptions& options) {
  // A grouped starting population enters as kDrawsPerGroupedChild draws of each child within its
  // group, each of weight 1 / kDrawsPerGroupedChild: the projection is linear in its starting
  // mass, so this is the expectation over those draws (close to, not exactly, the run's).
  Scenario expanded;
  if (!given.starting_groups.empty()) {
    expanded = given;
    expanded.starting_groups.clear();
    std::uint32_t entity = 0;
    for (const StartingGroup& group : given.starting_groups) {
      for (int n = 0; n < group.children; ++n, ++entity) {
        StreamEngine draws(0, 0, entity_id(EntityKind::starting_child, entity), Process::starting_population);
        for (int k = 0; k < kDrawsPerGroupedChild; ++k) {
          expanded.starting_children.push_back(draw_group_child(group, n, given.origin, draws));
        }
      }
    }
  }
  const Scenario& scenario = given.starting_groups.empty() ? given : expanded;
  const double grouped_weight = given.starting_groups.empty() ? 1.0 : 1.0 / kDrawsPerGroupedChild;
  if (options.step_days < 1 || options.step_days > kMaxStepDays) {
    throw std::invalid_argument("projection step must be 1 to " + std::to_string(kMaxStepDays) + " days, not " +
                                std::to_string(options.step_days));
  }
  const Rates rates(scenario);
  const Timeline timeline(scenario);
  RawSeries projected = GridProjection(scenario, rates, timeline, options.step_days, grouped_weight).run();
  if (options.richardson) {
    const RawSeries coarse = GridProjection(scenario, rates, timeline, 2 * options.step_days, grouped_weight).run();
    for (std::size_t d = 0; d < projected.stock.size(); ++d) {
      for (int c = 0; c < kCategoryCount; ++c) {
        projected.stock[d][c] = (4 * projected.stock[d][c] - coarse.stock[d][c]) / 3;
      }
      projected.cumulative_exits[d] = (4 * projected.cumulative_exits[d] - coarse.cumulative_exits[d]) / 3;
    }
  }

  ExpectedSeries series;
  series.dates = timeline.dates;
  series.stock = projected.stock;
  series.stock[0] = starting_stock(given);  // the projection's spread of it sums to this within rounding
  for (std::size_t d = 0; d < timeline.dates.size(); ++d) {
    const auto day = static_cast<std::size_t>(timeline.report_day[d]);
    const auto before = static_cast<std::size_t>(timeline.report_day[d > 0 ? d - 1 : 0]);
    series.entries.push_back(timeline.cumulative_entries[day] - timeline.cumulative_entries[before]);
    series.exits.push_back(projected.cumulative_exits[d] - projected.cumulative_exits[d > 0 ? d - 1 : 0]);
  }
  return series;
}

}  // namespace carecast
