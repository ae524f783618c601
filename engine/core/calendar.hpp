// Calendar arithmetic on std::chrono civil dates. The simulation clock counts days since the
// forecast origin (a double: events happen at any moment of a day); calendar facts such as
// birthdays, month ends and 1 April are converted to that clock once, outside the event loop.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carecast {

using Date = std::chrono::sys_days;

// Accepts ISO yyyy-mm-dd and the SSDA903 dd/mm/yyyy; nullopt for anything else or an impossible date.
std::optional<Date> parse_date(std::string_view text);
std::string format_iso(Date d);
Date make_date(int year, unsigned month, unsigned day);

// The date `years` after d. A 29 February birthday falls on 1 March in common years, as in
// English law for coming of age.
Date add_years(Date d, int years);
// The date `months` months before d, on the same day of the month or, where that month is
// shorter, its last day: how the DfE long-term stability measure counts its 24 and 30 months, so
// the starting population and the stability recorder must both use it.
Date months_before(Date d, int months);

// Last day of every month strictly after `origin` up to and including `horizon_end`.
std::vector<Date> month_ends_after(Date origin, Date horizon_end);
// Every 1 April strictly after `origin` up to `horizon_end`.
std::vector<Date> april_firsts_after(Date origin, Date horizon_end);
// 31 March that ends the financial year containing d.
Date financial_year_end(Date d);
// 1 April on or before d: the start of the collection/financial year containing d.
Date financial_year_start(Date d);

inline double days_between(Date from, Date to) { return static_cast<double>((to - from).count()); }

}  // namespace carecast
