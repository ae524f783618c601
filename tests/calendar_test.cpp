#include "core/calendar.hpp"

#include <gtest/gtest.h>

namespace carecast {
namespace {

TEST(Calendar, ParsesBothSsda903DateFormats) {
  EXPECT_EQ(parse_date("2025-02-28"), make_date(2025, 2, 28));
  EXPECT_EQ(parse_date("28/02/2025"), make_date(2025, 2, 28));
  EXPECT_FALSE(parse_date("31/02/2025"));  // impossible date
  EXPECT_FALSE(parse_date("2025-13-01"));
  EXPECT_FALSE(parse_date("2025/02/28"));
  EXPECT_FALSE(parse_date(""));
  EXPECT_FALSE(parse_date("2x25-02-28"));
}

TEST(Calendar, LeapDayBirthdayFallsOnFirstMarchInCommonYears) {
  EXPECT_EQ(add_years(make_date(2008, 2, 29), 18), make_date(2026, 3, 1));
  EXPECT_EQ(add_years(make_date(2008, 2, 29), 16), make_date(2024, 2, 29));
  EXPECT_EQ(add_years(make_date(2010, 6, 15), 1), make_date(2011, 6, 15));
}

TEST(Calendar, MonthEndsAndFinancialYears) {
  const auto ends = month_ends_after(make_date(2025, 2, 28), make_date(2025, 5, 31));
  ASSERT_EQ(ends.size(), 3u);
  EXPECT_EQ(ends[0], make_date(2025, 3, 31));
  EXPECT_EQ(ends[2], make_date(2025, 5, 31));
  EXPECT_EQ(financial_year_end(make_date(2025, 3, 31)), make_date(2025, 3, 31));
  EXPECT_EQ(financial_year_end(make_date(2025, 4, 1)), make_date(2026, 3, 31));
  EXPECT_EQ(financial_year_start(make_date(2025, 3, 31)), make_date(2024, 4, 1));
  const auto aprils = april_firsts_after(make_date(2025, 2, 28), make_date(2027, 4, 1));
  ASSERT_EQ(aprils.size(), 3u);
  EXPECT_EQ(aprils[0], make_date(2025, 4, 1));
  EXPECT_EQ(aprils[2], make_date(2027, 4, 1));
}

}  // namespace
// The DfE long-term measure's months: same day of the month, or the last day of a shorter month.
TEST(Calendar, MonthsBeforeKeepsTheDayOrTakesTheMonthsLastDay) {
  EXPECT_EQ(months_before(make_date(2025, 3, 31), 24), make_date(2023, 3, 31));
  EXPECT_EQ(months_before(make_date(2025, 8, 31), 30), make_date(2023, 2, 28));
  EXPECT_EQ(months_before(make_date(2024, 8, 31), 6), make_date(2024, 2, 29));
  EXPECT_EQ(months_before(make_date(2025, 1, 15), 1), make_date(2024, 12, 15));
}

}  // namespace carecast
