// The clock times of a child's birthdays (birthday_times) are computed from the number of days in
// the years passed; here they are checked against the calendar's own dates, the birthday at each
// age-band boundary being the same month and day that many years on, or 1 March for 29 February
// in a common year (add_years).
#include <gtest/gtest.h>

#include <chrono>

#include "core/calendar.hpp"
#include "simulation/replication.hpp"

namespace carecast {
namespace {

TEST(BirthdayTimes, AreTheCalendarsBirthdaysForEveryDateOfBirthFrom1900To2100) {
  using namespace std::chrono;
  const Date origin = sys_days{year{2025} / March / 31};
  int leap_day_births = 0;
  for (Date dob = sys_days{year{1900} / January / 1}; dob <= sys_days{year{2100} / December / 31}; dob += days{1}) {
    const std::array<double, kAgeBandCount> times = birthday_times(origin, dob);
    for (int b = 0; b < kAgeBandCount; ++b) {
      const Date birthday = add_years(dob, kAgeBandStartYears[b + 1]);
      ASSERT_EQ(times[b], days_between(origin, birthday) - 1.0)
          << "born " << static_cast<int>(year_month_day{dob}.year()) << "-"
          << static_cast<unsigned>(year_month_day{dob}.month()) << "-"
          << static_cast<unsigned>(year_month_day{dob}.day()) << ", age " << kAgeBandStartYears[b + 1];
    }
    const year_month_day born{dob};
    leap_day_births += born.month() == February && born.day() == day{29};
  }
  EXPECT_EQ(leap_day_births, 49);  // 1904 to 2096: 1900 and 2100 are not leap years, 2000 is
}

TEST(BirthdayTimes, ALeapDayBirthIs18On1MarchInACommonYear) {
  using namespace std::chrono;
  const Date origin = sys_days{year{2025} / March / 31};
  const Date dob = sys_days{year{2008} / February / 29};
  const std::array<double, kAgeBandCount> times = birthday_times(origin, dob);
  EXPECT_EQ(times[kAgeBandCount - 1], days_between(origin, sys_days{year{2026} / March / 1}) - 1.0);
  EXPECT_EQ(times[0], days_between(origin, sys_days{year{2009} / March / 1}) - 1.0);      // 1st birthday
  EXPECT_EQ(times[2], days_between(origin, sys_days{year{2018} / March / 1}) - 1.0);      // 10th
  EXPECT_EQ(times[3], days_between(origin, sys_days{year{2024} / February / 29}) - 1.0);  // 16th, a leap year
}

}  // namespace
}  // namespace carecast
