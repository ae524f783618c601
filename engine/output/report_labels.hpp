// Plain-English names of the metrics and categories in carecast's CSV output, shared with the
// chart scripts: both read plots/metric_labels.csv and plots/category_labels.csv, so a chart, the
// report and the workbook always call a thing by the same name.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

namespace carecast::report {

// A probability is a share of runs from 0 to 1 (never a percentage); a percent is 0-100.
enum class Unit { count, percent, pounds, rate, probability };

// When a metric's value applies: the end of the day (a stock), the month ending on the date, the
// financial year ending on the date (a total over it), that year as measured at its end on 31
// March (the DfE stability measures), or the time from the forecast start to the date.
enum class Period { day, month, year, year_end, to_date };

struct MetricLabel {
  std::string id;
  std::string label;        // "Children looked after"
  Unit unit = Unit::count;
  Period period = Period::day;
  std::string family;       // the workbook sheet: "Children looked after", "Cost", ...
  bool key_figure = false;  // reported in words and in the key figures table
  std::string description;  // a sentence saying exactly what is counted
};

class Labels {
 public:
  // Reads both files from the chart scripts' folder; InputError naming the file if either is
  // missing or malformed.
  static Labels read(const std::filesystem::path& plots_folder);

  // A metric the files do not know (one added to the engine since) is described from its id and
  // taken to be a count, so that disclosure control errs on the side of rounding it.
  MetricLabel metric(std::string_view id) const;
  std::string category(std::string_view id) const;

 private:
  std::map<std::string, MetricLabel, std::less<>> metrics_;
  std::map<std::string, std::string, std::less<>> categories_;
};

// "children_looked_after" -> "Children looked after"
std::string label_from_id(std::string_view id);

// The chart scripts' folder: CARECAST_PLOTS_DIR in the environment if set and not empty, else the
// plots folder of the source tree this was built from.
std::filesystem::path plots_folder();

}  // namespace carecast::report
