#include "calibration/care_leavers_from_figures.hpp"

#include <array>
#include <cmath>
#include <optional>

#include "calibration/care_leavers_from_returns.hpp"

namespace carecast {

std::vector<std::string> set_care_leavers_from_figures(CareLeaverSettings& care_leavers, const PublishedFigures& figures,
                                                       Date origin) {
  std::optional<double> all;
  std::array<std::optional<double>, kCareLeaverAgeBandCount> band_figure{};
  for (const PublishedFigure& f : figures.figures) {
    if (f.metric != FigureMetric::care_leavers || f.date != origin) continue;
    if (f.category.kind == FigureCategory::Kind::all) {
      all = f.value;
    } else if (f.category.members == (1u << kCareLeaverAgeBandCount) - 1) {
      all = f.value;  // 18_to_20+21_to_25: everyone
    } else {
      for (int b = 0; b < kCareLeaverAgeBandCount; ++b) {
        if (f.category.members == 1u << b) band_figure[static_cast<std::size_t>(b)] = f.value;
      }
    }
  }
  if (!all && !band_figure[0] && !band_figure[1]) return {};
  if (!care_leavers.enabled) {
    return {"A care_leavers figure at " + format_iso(origin) +
            " is not used: the scenario has no [care_leavers] section to start from it."};
  }

  std::array<double, kCareLeaverAgeBandCount> before{};
  for (const auto& bands : care_leavers.starting_count) {
    for (std::size_t b = 0; b < bands.size(); ++b) before[b] += bands[b];
  }
  std::array<double, kCareLeaverAgeBandCount> target = before;
  double named = 0;
  double unnamed_before = 0;
  for (std::size_t b = 0; b < target.size(); ++b) {
    if (band_figure[b]) {
      target[b] = *band_figure[b];
      named += *band_figure[b];
    } else {
      unnamed_before += before[b];
    }
  }
  if (all) {
    const double rest = std::max(0.0, *all - named);
    std::size_t unnamed = 0;
    for (std::size_t b = 0; b < target.size(); ++b) unnamed += band_figure[b] ? 0 : 1;
    for (std::size_t b = 0; b < target.size(); ++b) {
      if (band_figure[b]) continue;
      // With nothing in the unnamed bands before, they share the rest evenly.
      target[b] = unnamed_before > 0 ? rest * before[b] / unnamed_before : rest / static_cast<double>(unnamed);
    }
  }
  // Whole young people adding up to the figures: the first band rounded, the second taking what the total leaves.
  std::array<int, kCareLeaverAgeBandCount> whole{};
  whole[0] = static_cast<int>(std::lround(target[0]));
  whole[1] = all && !band_figure[1] ? std::max(0, static_cast<int>(std::lround(*all)) - whole[0])
                                    : static_cast<int>(std::lround(target[1]));
  for (std::size_t b = 0; b < whole.size(); ++b) {
    std::array<double, kCareLeaverStatusCount> shares{};
    for (std::size_t s = 0; s < shares.size(); ++s) shares[s] = care_leavers.starting_count[s][b];
    // No one in the band before: the statuses a young person can hold there, as a care leaver just joining would.
    if (before[b] == 0) shares = care_leavers.first_status_probability;
    const std::array<int, kCareLeaverStatusCount> parts = share_by_status(whole[b], shares);
    for (std::size_t s = 0; s < parts.size(); ++s) care_leavers.starting_count[s][b] = parts[s];
  }
  return {"Care leavers at " + format_iso(origin) + " from the published figures: " + std::to_string(whole[0]) +
          " aged 18 to 20 and " + std::to_string(whole[1]) + " aged 21 to 25 (before: " +
          std::to_string(std::lround(before[0])) + " and " + std::to_string(std::lround(before[1])) +
          "), each band's statuses in the shares it had."};
}

}  // namespace carecast
