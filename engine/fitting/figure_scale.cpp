#include "fitting/figure_scale.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <optional>

namespace carecast {
namespace {

constexpr double kRoundingVariance = 1.0 / 12.0;
constexpr double kMinOffsetPoints = 0.1;
constexpr double kMaxOffsetPoints = 10.0;
constexpr double kOffsetWithoutStock = 1.0;

}  // namespace

double FigureScale::operator()(double value) const {
  if (!logit) return value;
  return std::log((value + offset) / (100.0 - value + offset));
}

double FigureScale::rounding_variance(double published) const {
  if (!logit) return kRoundingVariance;
  const double slope = 1.0 / (published + offset) + 1.0 / (100.0 - published + offset);
  return kRoundingVariance * slope * slope;
}

FigureScale figure_scale(const PublishedFigure& figure, const PublishedFigures& figures) {
  FigureScale scale;
  if (!is_percentage(figure.metric)) return scale;
  scale.logit = true;
  std::optional<double> children;
  long long nearest = 0;
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric != FigureMetric::children_looked_after || f.category.kind != FigureCategory::Kind::all) continue;
    const long long apart = std::llabs((f.date - figure.date).count());
    if (!children || apart < nearest) {
      children = f.value;
      nearest = apart;
    }
  }
  scale.offset = children && *children > 0
                     ? std::clamp(100.0 / *children, kMinOffsetPoints, kMaxOffsetPoints)
                     : kOffsetWithoutStock;
  return scale;
}

}  // namespace carecast
