#include "calibration/figures_check.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <map>
#include <sstream>

#include "history/returns_figures.hpp"

namespace carecast {
namespace {

std::string shown(double x, bool percentage) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(percentage ? 1 : 0) << x;
  return text.str() + (percentage ? "%" : "");
}

std::string when(const PublishedFigure& f) {
  return f.period_start ? format_iso(*f.period_start) + " to " + format_iso(f.date) : "at " + format_iso(f.date);
}

}  // namespace

double figure_tolerance(const PublishedFigure& figure) {
  if (is_percentage(figure.metric)) return kPercentTolerancePoints;
  return std::max(kCountToleranceChildren, kCountToleranceShare * figure.value);
}

std::vector<FigureCheck> check_figures_against_returns(const PublishedFigures& figures, const CareHistory& history) {
  std::vector<FigureCheck> checks;
  for (std::size_t i = 0; i < figures.figures.size(); ++i) {
    const PublishedFigure& f = figures.figures[i];
    const ReturnsFigure returns = figure_from_returns(history, f);
    FigureCheck check;
    check.figure = i;
    check.from_returns = returns.value;
    check.why_not = returns.why_not;
    check.contradicts = returns.value && std::abs(*returns.value - f.value) > figure_tolerance(f);
    checks.push_back(check);
  }
  return checks;
}

std::vector<std::string> describe_figure_checks(const PublishedFigures& figures,
                                                const std::vector<FigureCheck>& checks) {
  std::vector<std::string> lines;
  int compared = 0;
  int contradicted = 0;
  std::map<std::string, int> not_compared;  // by reason
  for (const FigureCheck& check : checks) {
    const PublishedFigure& f = figures.figures[check.figure];
    if (!check.from_returns) {
      ++not_compared[check.why_not];
      continue;
    }
    ++compared;
    if (!check.contradicts) continue;
    ++contradicted;
    const bool percentage = is_percentage(f.metric);
    lines.push_back("Line " + std::to_string(f.line) + ", " + std::string(name_of(f.metric)) + " " +
                    figure_category_name(f.category) + " " + when(f) + ": published " + shown(f.value, percentage) +
                    ", the returns give " + shown(*check.from_returns, percentage) + " (tolerance " +
                    shown(figure_tolerance(f), percentage) + ").");
  }
  std::string summary =
      "Published figures (" + figures.file + ") against the returns: " + std::to_string(compared) + " compared, " +
      std::to_string(contradicted) + " contradicted (a count differing by more than " +
      shown(kCountToleranceChildren, false) + " children or " + shown(100 * kCountToleranceShare, false) +
      "% of it, whichever is more; a percentage by more than " + shown(kPercentTolerancePoints, false) + " points)";
  for (const auto& [reason, count] : not_compared)
    summary += "; " + std::to_string(count) + " not comparable: " + reason;
  lines.insert(lines.begin(), summary + ".");
  return lines;
}

}  // namespace carecast
