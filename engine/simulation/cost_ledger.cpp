#include "simulation/cost_ledger.hpp"

#include <algorithm>
#include <array>
#include <boost/math/special_functions/erf.hpp>
#include <chrono>
#include <cmath>

#include "simulation/compiled_model.hpp"

namespace carecast {
namespace {

constexpr double kDaysPerWeek = 7.0;

// The inverse error function in double precision: Boost's default policy works in long double,
// several times slower, for precision a cost factor does not need.
using DoublePrecision = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

int financial_year_of(Date date) {
  return static_cast<int>(std::chrono::year_month_day{financial_year_start(date)}.year());
}

bool is_31_march(Date date) {
  const std::chrono::year_month_day ymd{date};
  return ymd.month() == std::chrono::March && ymd.day() == std::chrono::day{31};
}

}  // namespace

CostLedger::CostLedger(const Costs& costs, const ReportingCalendar& calendar, const ReportingDays& reporting_days)
    : costs_(costs), calendar_(calendar), reporting_days_(reporting_days) {
  for (int c = 0; c < kCategoryCount; ++c) {
    const double cv = costs.coefficient_of_variation[c];
    const double sigma2 = std::log1p(cv * cv);
    log_mean_[c] = -sigma2 / 2;
    log_sd_[c] = std::sqrt(sigma2);
  }
}

void CostLedger::begin(double horizon_time, bool count_care_days) {
  held_.clear();
  held_.reserve(kBatch);
  horizon_time_ = horizon_time;
  const auto rows = static_cast<std::size_t>(calendar_.date_count()) + 1;
  costs_by_month_.assign(costs_.enabled ? rows : 0, kCostCategoryCount);
  care_days_by_month_.assign(count_care_days ? rows : 0, 1);
}

double CostLedger::day_cost(int category, double weekly, bool varies, double u) const {
  double factor = 1;
  if (varies) {
    const double z = -std::sqrt(2.0) * boost::math::erfc_inv(2 * u, DoublePrecision());
    factor = std::exp(log_mean_[category] + log_sd_[category] * z);
  }
  return weekly * factor / kDaysPerWeek;
}

void CostLedger::enter_held() {
  for (const Held& booking : held_) {
    if (booking.month >= 0) {
      costs_by_month_.at(booking.month, booking.column) += booking.amount;
    } else {
      accrue(booking.month == kCostStay ? costs_by_month_ : care_days_by_month_, booking.column, booking.amount,
             booking.from, booking.to);
    }
  }
  held_.clear();
}

// Adds per_day times the length of [from, to] (clipped to the origin and the horizon) to
// `column` of each month the interval overlaps. Month row d covers clock times
// (times[d-1], times[d]]. The part months at each end are booked directly; the whole months
// between them as a change in the amount a day, from the first whole month to the last month.
void CostLedger::accrue(MonthlyBook& book, int column, double per_day, double from, double to) {
  if (per_day == 0) return;
  from = std::max(from, 0.0);
  to = std::min(to, horizon_time_);
  if (to <= from) return;
  const int first = std::max(reporting_days_.first_after(from), 1);
  if (first >= calendar_.date_count()) return;
  const double first_end = calendar_.times[static_cast<std::size_t>(first)];
  if (to <= first_end) {
    book.at(first, column) += per_day * (to - from);
    return;
  }
  book.at(first, column) += per_day * (first_end - from);
  // The month `to` falls in: reporting times are whole days, so the first at or after ceil(to).
  const int last = reporting_days_.first_at_or_after(static_cast<std::size_t>(std::ceil(to)));
  book.at(last, column) += per_day * (to - calendar_.times[static_cast<std::size_t>(last - 1)]);
  if (last > first + 1) {
    MonthlyBook::Cell& opens = book.cell(first + 1, column);
    MonthlyBook::Cell& closes = book.cell(last, column);
    opens.per_day_change += per_day;
    closes.per_day_change -= per_day;
    ++opens.open_change;
    --closes.open_change;
  }
}

// Adds each month's whole-month amounts: the running amount a day times the month's days. When
// no stay is running the amount a day is exactly 0, whatever rounding the changes left.
void CostLedger::settle(MonthlyBook& book) const {
  std::array<double, kCostCategoryCount> per_day{};  // no book is wider than the cost categories
  std::array<std::int32_t, kCostCategoryCount> open{};
  for (int d = 1; d < calendar_.date_count(); ++d) {
    const double days = calendar_.times[static_cast<std::size_t>(d)] - calendar_.times[static_cast<std::size_t>(d - 1)];
    for (int c = 0; c < book.width; ++c) {
      MonthlyBook::Cell& cell = book.cell(d, c);
      const auto column = static_cast<std::size_t>(c);
      per_day[column] += cell.per_day_change;
      open[column] += cell.open_change;
      if (open[column] == 0) per_day[column] = 0;
      cell.amount += per_day[column] * days;
    }
  }
}

void CostLedger::write_cost_measures(std::span<double> measures, const TallyLayout& layout) {
  enter_held();
  settle(costs_by_month_);
  const int dates = calendar_.date_count();
  const auto width = static_cast<std::size_t>(layout.measure_count());
  auto at = [&](int date, int column) -> double& {
    return measures[static_cast<std::size_t>(date) * width + static_cast<std::size_t>(column)];
  };
  // Inflation by financial year after the base year, then the measures.
  std::array<double, kCostCategoryCount> year_total{};
  double cumulative = 0;
  double npv = 0;
  std::size_t financial_year = 0;  // 0 = the origin's financial year
  for (int d = 1; d < dates; ++d) {
    const Date date = calendar_.dates[static_cast<std::size_t>(d)];
    const double index = std::pow(1 + costs_.inflation_per_year, financial_year_of(date) - costs_.base_year);
    double month_total = 0;
    for (int c = 0; c < kCostCategoryCount; ++c) {
      const double cost = costs_by_month_.at(d, c) * index;
      at(d, layout.cost_by_category + c) = cost;
      year_total[static_cast<std::size_t>(c)] += cost;
      month_total += cost;
    }
    at(d, layout.cost_all) = month_total;
    cumulative += month_total;
    at(d, layout.cost_cumulative) = cumulative;
    // Discounted to the origin from the month's end, continuously at the annual rate.
    npv += month_total /
           std::pow(1 + costs_.discount_rate_per_year, calendar_.times[static_cast<std::size_t>(d)] / kDaysPerYear);
    const bool last = d == dates - 1;
    if (!is_31_march(date) && !last) continue;
    double year_all = 0;
    for (int c = 0; c < kCostCategoryCount; ++c) {
      at(d, layout.cost_financial_year_by_category + c) = year_total[static_cast<std::size_t>(c)];
      year_all += year_total[static_cast<std::size_t>(c)];
    }
    at(d, layout.cost_financial_year_all) = year_all;
    // A financial year the forecast covers only in part (the origin's, unless the origin is a 31 March, and the
    // horizon's, unless it ends on one) is not compared with its budget: its cost is for part of the year, and
    // against the year's budget it would show a saving (or, for a budget given for the part, one of unclear
    // meaning). The report and workbook show such a year's budget as not compared.
    const bool whole_year = is_31_march(date) && (financial_year > 0 || is_31_march(calendar_.dates[0]));
    if (whole_year && layout.budget_exceedance >= 0 && financial_year < costs_.budget_per_financial_year.size()) {
      const double budget = costs_.budget_per_financial_year[financial_year];
      at(d, layout.budget_exceedance) = year_all > budget ? 1.0 : 0.0;
      // Finance needs how much as well as how likely: the mean of this over runs is the expected
      // overspend, in which a run within its budget counts as none.
      at(d, layout.budget_overspend) = std::max(year_all - budget, 0.0);
    }
    year_total.fill(0);
    ++financial_year;
  }
  at(dates - 1, layout.cost_npv) = npv;
}

}  // namespace carecast
