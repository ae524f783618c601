#include "fitting/variation_from_figures.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>

#include "output/written_text.hpp"
#include "scenario/scenario_bounds.hpp"

namespace carecast {
namespace {

// The calendar year of the 31 March ending `figure`'s period when it is exactly one collection
// year (1 April to 31 March); nullopt otherwise.
std::optional<int> full_collection_year_ending(const PublishedFigure& figure) {
  if (!figure.period_start) return std::nullopt;
  const std::chrono::year_month_day end{figure.date};
  const int year = static_cast<int>(end.year());
  if (end.month() != std::chrono::March || end.day() != std::chrono::day{31}) return std::nullopt;
  if (*figure.period_start != make_date(year - 1, 4, 1)) return std::nullopt;
  return year;
}

// Expected counts about a log-linear trend in the year, fitted by least squares to
// log(observed + 0.5) over equally spaced years: expected + 0.5 = exp(the fitted line).
//
// Why a trend, for exits as well as entries (calibrate takes exits about their level): calibrate's
// expected exits follow the time at risk it counts month by month, which a figures file does not
// give, and the number in care moves over a figures file's years (more children, more exits); a
// trend in the year stands in for it, at the cost of a degree of freedom.
// Why not the fit's simulated figures: those carry the base's own variation and Monte Carlo noise
// and weight recent years more, while extra_poisson_variance takes the level and slope out of the
// log ratios anyway, so any log-linear expectation leaves the same residuals; only the Poisson
// noise it subtracts, the mean of 1 / (expected + 0.5), depends on which, and this line and a
// Poisson regression's give nearly the same.
std::vector<double> log_linear_trend(const std::vector<double>& observed) {
  const auto n = static_cast<double>(observed.size());
  const double middle = (n - 1) / 2;
  double level = 0;
  double slope_sum = 0;
  double squares = 0;
  for (std::size_t y = 0; y < observed.size(); ++y) {
    const double log_count = std::log(observed[y] + 0.5);
    const double t = static_cast<double>(y) - middle;
    level += log_count / n;
    slope_sum += t * log_count;
    squares += t * t;
  }
  const double slope = squares > 0 ? slope_sum / squares : 0;
  std::vector<double> expected;
  for (std::size_t y = 0; y < observed.size(); ++y) {
    expected.push_back(std::exp(level + slope * (static_cast<double>(y) - middle)) - 0.5);
  }
  return expected;
}

std::string_view sd_key(FigureMetric metric) {
  return metric == FigureMetric::entries ? "variation.entries_sd_log_per_year" : "variation.exits_sd_log_per_year";
}

FiguresProcessVariation estimate_process(const PublishedFigures& figures, FigureMetric metric, double base_sd,
                                         double rho, Date origin) {
  FiguresProcessVariation out;
  out.metric = metric;
  out.base_innovation_sd = base_sd;
  out.prior_marginal_sd = base_sd / std::sqrt(1 - rho * rho);
  out.process.innovation_sd = base_sd;
  std::map<int, double> by_year;  // the figures file refuses a repeated row, so one a year
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric != metric || f.category.kind != FigureCategory::Kind::all || f.date > origin) continue;
    if (const auto year = full_collection_year_ending(f)) by_year[*year] = f.value;
  }
  out.full_years = static_cast<int>(by_year.size());
  // The latest run of consecutive years.
  for (auto it = by_year.rbegin(); it != by_year.rend(); ++it) {
    if (!out.years_ending.empty() && it->first != out.years_ending.back() - 1) break;
    out.years_ending.push_back(it->first);
  }
  std::reverse(out.years_ending.begin(), out.years_ending.end());
  if (static_cast<int>(out.years_ending.size()) < kMinimumVariationYears) return out;

  out.estimated = true;
  ProcessVariation& process = out.process;
  process.first_year = std::to_string(out.years_ending.front());
  for (const int year : out.years_ending) process.observed.push_back(by_year.at(year));
  process.expected = log_linear_trend(process.observed);
  process.raw = extra_poisson_variance(process.observed, process.expected, 2);
  shrink_variation(process, out.prior_marginal_sd, rho, CalibrationOptions{}.variation_prior_years);
  const double innovation_sd = process.marginal_sd * std::sqrt(1 - rho * rho);
  process.innovation_sd = clamp_to_scenario_range(sd_key(metric), innovation_sd);
  if (process.innovation_sd != innovation_sd) process.uncapped_innovation_sd = innovation_sd;
  return out;
}

std::string sd_text(double variance) { return fixed_decimals(std::sqrt(std::max(0.0, variance)), 3); }

std::string process_note(const FiguresProcessVariation& p, double rho) {
  const std::string name(name_of(p.metric));
  const std::string key = name + "_sd_log_per_year";
  const std::string base_value = fixed_decimals(p.base_innovation_sd, 3);
  const auto run_text = [&] {
    return std::to_string(p.years_ending.size()) + " consecutive full collection years of " + name +
           " (all), the years ending 31 March " + std::to_string(p.years_ending.front()) + " to " +
           std::to_string(p.years_ending.back());
  };
  if (!p.estimated) {
    std::string why;
    if (p.full_years == 0) {
      why = "no full collection year (1 April to 31 March) of " + name + " (all) up to the origin";
    } else if (static_cast<int>(p.years_ending.size()) == p.full_years) {
      why = std::to_string(p.full_years) + " full collection year" + (p.full_years == 1 ? "" : "s") + " of " + name +
            " (all) up to the origin";
    } else {
      why = std::to_string(p.full_years) + " full collection years of " + name +
            " (all) up to the origin, the latest run of consecutive ones " + std::to_string(p.years_ending.size());
    }
    return "Year-to-year variation of " + name + ": the base's " + key + " = " + base_value + " kept; " + why + ", " +
           std::to_string(kMinimumVariationYears) + " consecutive needed.";
  }
  const ProcessVariation& v = p.process;
  std::string text = "Year-to-year variation of " + name + " estimated from " + run_text() +
                     ", about a log-linear trend: beyond Poisson noise their sd is " + sd_text(v.raw.variance) +
                     " (standard error of the variance " + fixed_decimals(v.raw.standard_error, 4) + ")";
  if (v.raw.variance <= 0) text += ", no more than Poisson noise alone";
  text += "; " + sd_text(v.ar_variance) + " allowing for the base's autocorrelation " + fixed_decimals(rho, 2) +
          ". Shrunk towards the base's " + fixed_decimals(p.prior_marginal_sd, 3) + " (as a marginal sd; worth " +
          fixed_decimals(CalibrationOptions{}.variation_prior_years, 0) + " years against the figures' " +
          std::to_string(v.raw.years - v.raw.fitted_parameters) + "), the marginal sd is " +
          fixed_decimals(v.marginal_sd, 3) + ": " + key + " = " + fixed_decimals(v.innovation_sd, 3) + " (the base's " +
          base_value + ")";
  if (v.uncapped_innovation_sd) {
    text += ", the largest a scenario takes (estimated " + fixed_decimals(*v.uncapped_innovation_sd, 3) + ")";
  }
  return text + ".";
}

}  // namespace

VariationFromFigures variation_from_figures(const PublishedFigures& figures, const SystemicVariation& base,
                                            Date origin) {
  VariationFromFigures out;
  out.autocorrelation = base.autocorrelation;
  out.entries = estimate_process(figures, FigureMetric::entries, base.entries_sd_log_per_year, base.autocorrelation, origin);
  out.exits = estimate_process(figures, FigureMetric::exits, base.exits_sd_log_per_year, base.autocorrelation, origin);
  return out;
}

SystemicVariation VariationFromFigures::applied_to(const SystemicVariation& base) const {
  SystemicVariation varied = base;
  if (entries.estimated) varied.entries_sd_log_per_year = entries.process.innovation_sd;
  if (exits.estimated) varied.exits_sd_log_per_year = exits.process.innovation_sd;
  return varied;
}

std::vector<std::string> VariationFromFigures::notes() const {
  return {process_note(entries, autocorrelation), process_note(exits, autocorrelation)};
}

}  // namespace carecast
