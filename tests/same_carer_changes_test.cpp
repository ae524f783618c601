// How same-carer placement changes (RNE T/U) are joined before calibration.
#include "history/same_carer_changes.hpp"

#include <gtest/gtest.h>

namespace carecast {
namespace {

PlacementSpell spell(Date start, std::optional<Date> end, Category category, bool same_carer) {
  return PlacementSpell{start, end, category, "U4", same_carer};
}

TEST(SameCarerChanges, ParsesBothRulesAndNothingElse) {
  EXPECT_EQ(parse_same_carer_changes("continue"), SameCarerChanges::continue_placement);
  EXPECT_EQ(parse_same_carer_changes("count"), SameCarerChanges::count);
  EXPECT_FALSE(parse_same_carer_changes("Count").has_value());
  EXPECT_FALSE(parse_same_carer_changes("").has_value());
  EXPECT_EQ(name_of(SameCarerChanges::continue_placement), "continue");
}

TEST(SameCarerChanges, JoinsOnlySameCategorySameCarerChanges) {
  CarePeriod period;
  period.start = make_date(2020, 1, 10);
  period.placements = {
      spell(make_date(2020, 1, 10), make_date(2020, 6, 1), Category::foster_in_house, false),
      spell(make_date(2020, 6, 1), make_date(2021, 2, 3), Category::foster_in_house, true),   // joined
      spell(make_date(2021, 2, 3), make_date(2021, 5, 5), Category::foster_in_house, true),   // joined again
      spell(make_date(2021, 5, 5), make_date(2021, 8, 8), Category::foster_agency, false),    // a move
      spell(make_date(2021, 8, 8), make_date(2022, 1, 1), Category::foster_in_house, true),   // category changes
      spell(make_date(2022, 1, 1), std::nullopt, Category::foster_in_house, true),            // joined, open
  };
  CareHistory history;
  history.children.push_back(ChildHistory{});
  history.children[0].periods.push_back(period);

  EXPECT_EQ(join_same_carer_changes(history), 3u);
  const auto& joined = history.children[0].periods[0].placements;
  ASSERT_EQ(joined.size(), 3u);
  EXPECT_EQ(joined[0].start, make_date(2020, 1, 10));
  EXPECT_EQ(joined[0].end, make_date(2021, 5, 5));
  EXPECT_EQ(joined[1].category, Category::foster_agency);
  EXPECT_EQ(joined[2].start, make_date(2021, 8, 8));
  EXPECT_TRUE(joined[2].same_carer_as_previous);
  EXPECT_FALSE(joined[2].end.has_value());
  // Nothing left to join: the operation is idempotent.
  EXPECT_EQ(join_same_carer_changes(history), 0u);
}

}  // namespace
}  // namespace carecast
