#include "output/figures_backtest_writer.hpp"

#include <cmath>
#include <iomanip>
#include <sstream>

#include "output/forecast_writer.hpp"
#include "output/written_text.hpp"

namespace carecast {
namespace {

std::string yes_no(bool x) { return x ? "yes" : "no"; }

std::string share(int part, int whole) {
  if (whole == 0) return "-";
  return std::to_string(static_cast<int>(std::lround(100.0 * part / whole))) + "%";
}

}  // namespace

std::string figures_backtest_csv(const FiguresBacktestResult& result, const PublishedFigures& figures) {
  std::ostringstream out;
  out << "origin,metric,category,period_start,date,value,scored,p05,p25,p50,"
         "p75,p95,inside_50,inside_90,crps,error,"
         "persistence,persistence_error,note\n";
  for (const ScoredFigure& s : result.later) {
    const PublishedFigure& f = figures.figures[s.figure];
    out << format_iso(result.origin) << ',' << name_of(f.metric) << ',' << figure_category_name(f.category) << ','
        << (f.period_start ? format_iso(*f.period_start) : "") << ',' << format_iso(f.date) << ','
        << format_number(f.value) << ',' << yes_no(s.scored) << ',';
    if (s.scored) {
      const EnsembleScore& e = s.forecast;
      out << format_number(e.p05) << ',' << format_number(e.p25) << ',' << format_number(e.p50) << ','
          << format_number(e.p75) << ',' << format_number(e.p95) << ',' << yes_no(e.inside_50) << ','
          << yes_no(e.inside_90) << ',' << format_number(e.crps) << ',' << format_number(e.error) << ',';
    } else {
      out << ",,,,,,,,,";
    }
    if (s.persistence) {
      out << format_number(*s.persistence) << ',' << format_number(*s.persistence - f.value);
    } else {
      out << ',';
    }
    out << ',' << csv_field(s.note) << '\n';
  }
  return out.str();
}

std::string figures_backtest_summary_csv(const FiguresBacktestResult& result) {
  std::ostringstream out;
  out << "metric,scored,inside_50,inside_90,coverage_50,coverage_90,mean_crps,"
         "with_persistence,"
         "mean_crps_where_persistence,persistence_mean_crps\n";
  for (const FiguresBacktestSummary& s : result.summary) {
    const auto fraction = [&](int part) {
      return s.scored > 0 ? format_number(static_cast<double>(part) / s.scored) : "";
    };
    out << s.metric << ',' << s.scored << ',' << s.inside_50 << ',' << s.inside_90 << ',' << fraction(s.inside_50)
        << ',' << fraction(s.inside_90) << ',' << (s.scored > 0 ? format_number(s.mean_crps) : "") << ','
        << s.with_persistence << ',' << (s.with_persistence > 0 ? format_number(s.mean_crps_where_persistence) : "")
        << ',' << (s.with_persistence > 0 ? format_number(s.persistence_mean_crps) : "") << '\n';
  }
  return out.str();
}

std::string figures_backtest_text(const FiguresBacktestResult& result, const PublishedFigures& figures) {
  std::ostringstream out;
  out << "Backtest from " << figures.file << ": fitted on the " << result.known.figures.size()
      << " figures dated up to " << format_iso(result.origin) << ", forecast with " << result.runs
      << " runs, scored on the " << result.later.size() << " figures after it.\n\n";
  out << std::left << std::setw(22) << "metric" << std::setw(30) << "category" << std::setw(24) << "period or date"
      << std::right << std::setw(8) << "value" << std::setw(8) << "median" << std::setw(16) << "90% interval"
      << std::setw(6) << "50%" << std::setw(6) << "90%" << std::setw(8) << "CRPS" << std::setw(9) << "persist"
      << "  note\n";
  for (const ScoredFigure& s : result.later) {
    const PublishedFigure& f = figures.figures[s.figure];
    const std::string when =
        f.period_start ? format_iso(*f.period_start) + ".." + format_iso(f.date) : format_iso(f.date);
    std::string category = figure_category_name(f.category);
    if (category.size() > 29) category = category.substr(0, 26) + "...";
    out << std::left << std::setw(22) << name_of(f.metric) << std::setw(30) << category << std::setw(24) << when
        << std::right << std::setw(8) << format_number(f.value);
    if (s.scored) {
      const EnsembleScore& e = s.forecast;
      out << std::setw(8) << fixed_decimals(e.p50, 1) << std::setw(16)
          << (fixed_decimals(e.p05, 1) + "-" + fixed_decimals(e.p95, 1)) << std::setw(6) << (e.inside_50 ? "in" : "out")
          << std::setw(6) << (e.inside_90 ? "in" : "out") << std::setw(8) << fixed_decimals(e.crps, 2);
    } else {
      out << std::setw(8) << "-" << std::setw(16) << "-" << std::setw(6) << "" << std::setw(6) << "" << std::setw(8)
          << "";
    }
    out << std::setw(9) << (s.persistence ? fixed_decimals(*s.persistence, 1) : std::string("-"));
    if (!s.scored) out << "  not scored: " << s.note;
    out << '\n';
  }
  out << '\n'
      << std::left << std::setw(22) << "summary" << std::right << std::setw(8) << "scored" << std::setw(11) << "in 50%"
      << std::setw(11) << "in 90%" << std::setw(11) << "mean CRPS" << std::setw(28) << "where persistence forecasts"
      << std::setw(18) << "persistence CRPS" << '\n';
  for (const FiguresBacktestSummary& s : result.summary) {
    out << std::left << std::setw(22) << s.metric << std::right << std::setw(8) << s.scored << std::setw(11)
        << share(s.inside_50, s.scored) << std::setw(11) << share(s.inside_90, s.scored) << std::setw(11)
        << (s.scored > 0 ? fixed_decimals(s.mean_crps, 2) : "-") << std::setw(28)
        << (s.with_persistence > 0
                ? std::to_string(s.with_persistence) + ": CRPS " + fixed_decimals(s.mean_crps_where_persistence, 2)
                : "-")
        << std::setw(18) << (s.with_persistence > 0 ? fixed_decimals(s.persistence_mean_crps, 2) : "-") << '\n';
  }
  return out.str();
}

}  // namespace carecast
