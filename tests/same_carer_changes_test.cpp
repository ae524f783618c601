// How same-carer placement changes (RNE T/U) are joined before calibration.
#include "history/same_carer_changes.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "test_histories.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

using testing::placement_spell;

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
      placement_spell(make_date(2020, 1, 10), make_date(2020, 6, 1), Category::foster_in_house, false),
      placement_spell(make_date(2020, 6, 1), make_date(2021, 2, 3), Category::foster_in_house, true),   // joined
      placement_spell(make_date(2021, 2, 3), make_date(2021, 5, 5), Category::foster_in_house, true),   // joined again
      placement_spell(make_date(2021, 5, 5), make_date(2021, 8, 8), Category::foster_agency, false),    // a move
      placement_spell(make_date(2021, 8, 8), make_date(2022, 1, 1), Category::foster_in_house, true),   // category changes
      placement_spell(make_date(2022, 1, 1), std::nullopt, Category::foster_in_house, true),            // joined, open
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

// calibrate joins same-carer changes by default and says how many; `count` keeps them; anything
// else is refused naming the option, exit 2, nothing written.
TEST(SameCarerChanges, CalibrateAppliesTheChosenRule) {
  namespace fs = std::filesystem;
  const fs::path sample = fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample";
  const fs::path dir = fs::temp_directory_path() / ("carecast_same_carer_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path out = dir / "out.toml";
  const std::string start =
      "calibrate " + sample.string() + " --as-of 2021-03-31 --cross-validation off --out " + out.string() + " ";

  const testing::CommandOutcome joined = testing::run_carecast(start);
  ASSERT_EQ(joined.exit_code, 0) << joined.output;
  std::smatch match;
  ASSERT_TRUE(std::regex_search(joined.output, match, std::regex(R"(going on: (\d+) joined)"))) << joined.output;
  EXPECT_GT(std::stoi(match[1].str()), 0) << "the sample returns hold RNE T and U episodes";

  const testing::CommandOutcome counted = testing::run_carecast(start + "--same-carer-changes count --replace");
  ASSERT_EQ(counted.exit_code, 0) << counted.output;
  EXPECT_EQ(counted.output.find("joined to the placement before"), std::string::npos);

  fs::remove_all(dir);
  const testing::CommandOutcome refused = testing::run_carecast(start + "--same-carer-changes sometimes");
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("--same-carer-changes"), std::string::npos) << refused.output;
  EXPECT_FALSE(fs::exists(out));
}

}  // namespace
}  // namespace carecast
