// Recorded history before a forecast's origin, so that a calibrated run's charts show where the
// numbers came from: children looked after at each 31 March before the origin, in total and by
// placement category, as the council publishes them; and care leavers aged 18 to 25, in all and by
// age band, where the returns reach back far enough to see every one of them.
//
// `calibrate` and `fit` write it beside the scenario they make (FILE-history.csv beside FILE.toml);
// `run` and `compare` copy the rows dated before the run's origin into their folder as history.csv,
// which `report` and the charts read. Only aggregates at a 31 March are kept: no row can tell the day a
// child started or left care, and `report --publish` suppresses counts of 1 to 4 as it does the
// recorded starting position.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/calendar.hpp"
#include "history/published_figures.hpp"
#include "history/ssda903.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

struct RecordedFigure {
  std::string metric;    // as in forecast.csv: children_looked_after or care_leavers
  std::string category;  // "all", or one placement category (children_looked_after) or age band (care_leavers)
  Date date;
  double value = 0;
};

// FILE-history.csv beside FILE.toml.
std::filesystem::path recorded_history_csv_path(const std::filesystem::path& scenario_file);

// Children looked after at each 31 March the returns cover, before `origin`: the total and each
// placement category with any children then.
//
// Care leavers at each 31 March before `origin` (and on or before the returns' last day), counted as
// calibrate counts them at its as-of date (calibration/care_leavers_from_returns.hpp): the eligible
// young people care_leaver_age_band puts in each band then, care after that 31 March ignored, and of
// those aged 21 to 25 the share `care_leavers` keeps on asking for support after 21
// (care_leavers_kept). So a row is the care_leavers figure a calibration at that 31 March would
// start its forecast from, and the last one is comparable with the forecast's own origin. A band's
// row is written only for a 31 March whose band the returns see in full
// (care_leaver_band_fully_seen); `all` only when both are: a partly seen band's count is a lower
// bound, and a line of them would show a rise that is only the returns lengthening.
std::vector<RecordedFigure> recorded_history_from_returns(const CareHistory& history, Date origin,
                                                          const CareLeaverSettings& care_leavers);

// The figures file's children looked after (in total or in one placement category; not sums of
// categories, which no forecast row has) and care leavers (all, or one age band; both bands together
// are `all`) dated before `origin`.
std::vector<RecordedFigure> recorded_history_from_figures(const PublishedFigures& figures, Date origin);

// `first`, then each row of `more` whose metric, category and date `first` lacks; in date order.
std::vector<RecordedFigure> merge_recorded_history(std::vector<RecordedFigure> first,
                                                   const std::vector<RecordedFigure>& more);

// metric,category,date,value; empty when there are no rows.
std::string recorded_history_csv(const std::vector<RecordedFigure>& rows);

// The recorded history beside `scenario_file`, if there is one, less rows dated on or after
// `origin`. Throws InputError naming the file, line and column for a malformed file.
std::vector<RecordedFigure> read_recorded_history_beside(const std::filesystem::path& scenario_file, Date origin);

}  // namespace carecast
