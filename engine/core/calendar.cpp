#include "core/calendar.hpp"

#include <charconv>
#include <cstdio>

namespace carecast {
using namespace std::chrono;

namespace {
std::optional<int> parse_int(std::string_view s) {
  if (s.empty()) return std::nullopt;
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}
}  // namespace

Date make_date(int y, unsigned m, unsigned d) { return sys_days{year{y} / month{m} / day{d}}; }

std::optional<Date> parse_date(std::string_view text) {
  std::optional<int> y, m, d;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    y = parse_int(text.substr(0, 4));
    m = parse_int(text.substr(5, 2));
    d = parse_int(text.substr(8, 2));
  } else if (text.size() == 10 && text[2] == '/' && text[5] == '/') {
    d = parse_int(text.substr(0, 2));
    m = parse_int(text.substr(3, 2));
    y = parse_int(text.substr(6, 4));
  } else {
    return std::nullopt;
  }
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  const year_month_day ymd{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd};
}

std::string format_iso(Date d) {
  const year_month_day ymd{d};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

Date months_before(Date d, int months) {
  const year_month_day ymd{d};
  const year_month target = year_month{ymd.year(), ymd.month()} - std::chrono::months{months};
  const year_month_day same_day{target.year(), target.month(), ymd.day()};
  if (same_day.ok()) return sys_days{same_day};
  return sys_days{year_month_day_last{target.year(), month_day_last{target.month()}}};
}

Date add_years(Date d, int years) {
  const year_month_day ymd{d};
  const year_month_day moved{ymd.year() + std::chrono::years{years}, ymd.month(), ymd.day()};
  if (moved.ok()) return sys_days{moved};
  // Only 29 February in a common year is invalid: the birthday is 1 March.
  return sys_days{moved.year() / March / 1};
}

std::vector<Date> month_ends_after(Date origin, Date horizon_end) {
  std::vector<Date> ends;
  year_month ym{year_month_day{origin}.year(), year_month_day{origin}.month()};
  for (;; ym += months{1}) {
    const Date end = sys_days{ym / last};
    if (end <= origin) continue;
    if (end > horizon_end) break;
    ends.push_back(end);
  }
  return ends;
}

Date financial_year_start(Date d) {
  const year_month_day ymd{d};
  const year y = ymd.month() >= April ? ymd.year() : ymd.year() - years{1};
  return sys_days{y / April / 1};
}

Date financial_year_end(Date d) {
  return sys_days{(year_month_day{financial_year_start(d)}.year() + years{1}) / March / 31};
}

std::vector<Date> april_firsts_after(Date origin, Date horizon_end) {
  std::vector<Date> firsts;
  for (Date a = add_years(financial_year_start(origin), 1); a <= horizon_end; a = add_years(a, 1)) {
    firsts.push_back(a);
  }
  return firsts;
}

}  // namespace carecast
