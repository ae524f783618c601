// The outputs of `carecast fit`: the fitted scenario as TOML text that `extends` the base and
// states only what the fit changed, and the fit's report (every figure, and every parameter) as
// CSV and as a table for the terminal. Staging and renaming is the caller's (command_fit.cpp).
#pragma once

#include <string>

#include "fitting/published_fit.hpp"

namespace carecast {

// `base_reference` is the base scenario's path relative to the folder the fitted file goes in.
// `command_line`, when given, is written into the header as the way to regenerate the file, so a
// shipped fitted scenario says how to bring it up to date when its figures or base change.
// `as_file`, when given, is the base as its file states it, where `base` was changed before the fit (a base shared
// by pooled councils, scaled to one): what differs from the file in the children who left care before the origin
// and the care leavers at the origin is then written too.
std::string fitted_scenario_toml(const FitResult& fit, const Scenario& base, const std::string& base_reference,
                                 const PublishedFigures& figures, const std::string& command_line = "",
                                 const Scenario* as_file = nullptr);

// metric,category,period_start,date,value,fitted,median,low_90,high_90,flag,note
std::string fit_figures_csv(const FitResult& fit, const PublishedFigures& figures);
// parameter,free,median,low_90,high_90,meaning,reason
std::string fit_parameters_csv(const FitResult& fit);
// Both, as aligned text for the terminal.
std::string fit_report_text(const FitResult& fit, const PublishedFigures& figures);

}  // namespace carecast
