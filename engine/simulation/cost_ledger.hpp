// The cost ledger of one replication (docs/sources.md, "Unit costs"): what each placement costs a
// day, and the books of costs (and of child-days in care) by reporting month.
//
// Costs are booked per stay, not per day: when a placement ends (or at the horizon) its cost a day
// times its days is split across the reporting months it overlaps. Fixed costs (in-house homes,
// carer households' support) are booked the same way over the days they are open, and one-off
// costs in the month they happen. Everything is in base-year prices until the end of the run,
// when each month is inflated by its financial year and the cost measures are written.
//
// The ledger knows nothing of children or places: the replication tells it the price and the
// times, and it keeps the books.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "scenario/scenario.hpp"
#include "simulation/reporting_days.hpp"
#include "tally/tally_layout.hpp"

namespace carecast {

// Amounts by reporting month (row d = the month ending on date d) and column, booked a stay at a
// time. A stay's whole months are booked as a change in the amount a day running from its first
// whole month to the month it ends (a difference table), so booking costs the same however long
// the stay; settling turns the running amounts into each month's. A cell's three numbers sit
// together, so that booking a stay touches three cache lines, not six in three arrays (in a region
// each council has its books, and most are out of cache when one of its stays is booked).
struct MonthlyBook {
  struct Cell {
    double amount = 0;             // booked directly, then settled
    double per_day_change = 0;     // change in the amount a day of whole months
    std::int32_t open_change = 0;  // change in the stays booked over whole months
  };
  int width = 0;
  std::vector<Cell> cells;  // [month][column]
  void assign(std::size_t rows, int columns) {
    width = columns;
    cells.assign(rows * static_cast<std::size_t>(columns), Cell{});
  }
  bool empty() const { return cells.empty(); }
  Cell& cell(int month, int column) {
    return cells[static_cast<std::size_t>(month) * static_cast<std::size_t>(width) + static_cast<std::size_t>(column)];
  }
  double& at(int month, int column) { return cell(month, column).amount; }
  double at(int month, int column) const {
    return cells[static_cast<std::size_t>(month) * static_cast<std::size_t>(width) + static_cast<std::size_t>(column)]
        .amount;
  }
};

class CostLedger {
 public:
  // The ledger keeps references to all three (the replication's).
  CostLedger(const Costs& costs, const ReportingCalendar& calendar, const ReportingDays& reporting_days);

  // Empties the books for a run ending at clock time `horizon_time`: the cost book when costs are
  // on, and the book of child-days in care when `count_care_days` (the moves per child-year need it).
  void begin(double horizon_time, bool count_care_days);

  // A placement's cost a day: `weekly` / 7 times a lognormal factor with mean 1 and the category's
  // coefficient of variation, at the uniform `u` (one drawn for every placement, used or not, so a
  // child's k-th placement meets the same chance under every option); without `varies`, factor 1.
  double day_cost(int category, double weekly, bool varies, double u) const;

  // Books `per_day` in cost column `column` over the clock times [from, to], clipped to the origin
  // and the horizon.
  void book_stay(int column, double per_day, double from, double to) {
    if (costs_.enabled) hold({per_day, from, to, column, kCostStay});
  }
  // Books `amount` in reporting month `month` (the month being simulated).
  void book_one_off(CostCategory category, double amount, int month) {
    if (!costs_.enabled || amount == 0) return;
    hold({amount, 0, 0, static_cast<int>(category), month});
  }
  // Books a child's days in care over [from, to], when they are counted.
  void book_care_days(double from, double to) {
    if (!care_days_by_month_.empty()) hold({1.0, from, to, 0, kCareDayStay});
  }

  // At the end of a run. The child-days in care of each reporting month (row d, column 0), settled.
  const MonthlyBook& settled_care_days() {
    enter_held();
    settle(care_days_by_month_);
    return care_days_by_month_;
  }
  // Settles the costs, inflates each month by its financial year, and writes the cost measures of
  // `layout` (by category, in all, cumulative, by financial year, against budgets, and the present
  // value) into `measures`, a row per reporting date.
  void write_cost_measures(std::span<double> measures, const TallyLayout& layout);

 private:
  void accrue(MonthlyBook& book, int column, double per_day, double from, double to);
  void settle(MonthlyBook& book) const;

  // Bookings wait in a short list and are entered in the books a batch at a time, in the order they
  // were made, so every sum is the same, added in the same order. In a region each council has its
  // books, mostly out of cache when one of its stays ends: a batch reads them once, not a few cache
  // lines for every booking.
  static constexpr int kCostStay = -1;     // Held::month of a stay in the cost book
  static constexpr int kCareDayStay = -2;  // of a stay in the book of child-days
  struct Held {
    double amount;  // a day, for a stay
    double from;
    double to;
    int column;
    int month;  // a one-off's reporting month, or kCostStay or kCareDayStay
  };
  static constexpr std::size_t kBatch = 512;
  void hold(const Held& booking) {
    held_.push_back(booking);
    if (held_.size() == kBatch) enter_held();
  }
  void enter_held();
  std::vector<Held> held_;

  const Costs& costs_;
  const ReportingCalendar& calendar_;
  const ReportingDays& reporting_days_;
  double horizon_time_ = 0;
  // Each category's lognormal cost factor: the log's mean and standard deviation (mean factor 1),
  // worked out once from the scenario's coefficient of variation.
  PerCategory<double> log_mean_{};
  PerCategory<double> log_sd_{};
  // Costs by reporting month and cost category, in base-year prices; child-days in care by month.
  MonthlyBook costs_by_month_;
  MonthlyBook care_days_by_month_;
};

}  // namespace carecast
