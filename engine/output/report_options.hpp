// The option appraisal of a compare folder: for each option against the base, a row of figures a
// commissioning board decides on (net cost, its present value, the chance of saving money, when
// the option pays for itself, and its effect on stability, on children placed against preference
// and on the placements bought in), the net cost by financial year, and sentences only for the
// differences that matter: a 90% interval that excludes zero, or a probability far from even.
//
// Every figure is a row of comparison.csv, shown as it is there: a difference is the
// distribution over paired runs of option minus base (median and 90% interval); a probability is
// a share of paired runs, stated as a probability.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "output/report_inputs.hpp"
#include "output/report_labels.hpp"

namespace carecast::report {

// Probabilities at or beyond these are "far from even": a sentence says them.
inline constexpr double kClearlyUnlikely = 0.2;
inline constexpr double kClearlyLikely = 0.8;

// One figure as shown, with the comparison.csv row it comes from.
struct OptionFigure {
  std::string metric;
  std::string category;
  std::optional<Date> date;  // none where the measure is absent from the comparison
  std::string median;        // "-£1.2m", "0.84", "2027-28"; "n/a" where absent
  std::string interval;      // "-£2.0m to -£0.4m"; empty for a probability
};

// One statement about an option, with the row it states.
struct OptionSentence {
  std::string metric;
  std::string category;
  Date date;
  std::string text;
};

struct OptionAppraisal {
  std::string option;
  std::vector<OptionFigure> summary;   // one per OptionAppraisals::summary_columns
  std::vector<OptionFigure> by_year;   // one per OptionAppraisals::year_columns
  std::vector<OptionSentence> sentences;
};

struct OptionAppraisals {
  std::vector<std::string> summary_columns;
  std::vector<std::string> year_columns;  // "2025-26", "2029-30 (11 months)"
  std::vector<OptionAppraisal> options;   // in the order of comparison.csv
};

// From the (possibly published) comparison table; `origin` is the forecast start.
OptionAppraisals appraise_options(const Table& comparison, Date origin, const Labels& labels);

// "2025-26" for the financial year ending on `date` (a 31 March, or the horizon), with the months
// simulated when the forecast covers only part of it: "2024-25 (1 month)", "2029-30 (11 months)".
std::string financial_year_label(Date date, Date origin);

// The months of that financial year the forecast covers: 12 for a whole year.
int financial_year_months(Date date, Date origin);

}  // namespace carecast::report
