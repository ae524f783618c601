// Recorded history before a forecast's origin, so that a calibrated run's charts show where the
// numbers came from: children looked after at each 31 March before the origin, in total and by
// placement category, as the council publishes them.
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

namespace carecast {

struct RecordedFigure {
  std::string metric;    // as in forecast.csv: children_looked_after
  std::string category;  // "all" or one placement category
  Date date;
  double value = 0;
};

// FILE-history.csv beside FILE.toml.
std::filesystem::path recorded_history_csv_path(const std::filesystem::path& scenario_file);

// Children looked after at each 31 March the returns cover, before `origin`: the total and each
// placement category with any children then.
std::vector<RecordedFigure> recorded_history_from_returns(const CareHistory& history, Date origin);

// The figures file's children looked after (in total or in one placement category; not sums of
// categories, which no forecast row has) dated before `origin`.
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
