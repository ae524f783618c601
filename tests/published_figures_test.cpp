#include "history/published_figures.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <string>

#include "core/errors.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

const std::string kHeader = "metric,category,period_start,date,value\n";

class FiguresFile : public ::testing::Test {
 protected:
  FiguresFile() {
    dir_ = fs::temp_directory_path() / ("carecast_figures_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  ~FiguresFile() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path write(const std::string& text) const {
    const fs::path file = dir_ / "figures.csv";
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  // `rows` after the header must be refused at `line` (of the file) in column number `column`
  // named `field`, with a problem containing `problem_part` and not repeating `bad_text`.
  void expect_refused(const std::string& rows, int line, int column, std::string_view field,
                      std::string_view problem_part, std::string_view bad_text = {}) const {
    const fs::path file = write(kHeader + rows);
    try {
      read_published_figures(file);
    } catch (const InputError& error) {
      EXPECT_EQ(error.where().file, file.string()) << error.what();
      EXPECT_EQ(error.where().line, line) << error.what();
      EXPECT_EQ(error.where().column, column) << error.what();
      EXPECT_EQ(error.where().field, field) << error.what();
      EXPECT_NE(error.problem().find(problem_part), std::string::npos) << error.what();
      if (!bad_text.empty()) {
        EXPECT_EQ(std::string(error.what()).find(bad_text), std::string::npos) << error.what();
      }
      return;
    }
    ADD_FAILURE() << "accepted:\n" << rows;
  }

  fs::path dir_;
};

constexpr std::uint32_t bit(auto id) { return std::uint32_t{1} << static_cast<int>(id); }

TEST_F(FiguresFile, ReadsStocksFlowsSumsAndPercentages) {
  const auto figures = read_published_figures(write(kHeader +
                                                    "children_looked_after,all,,2024-03-31,436\n"
                                                    "entries,all,2024-04-01,2025-02-28,200\n"
                                                    "children_looked_after,foster_kinship+foster_in_house,,"
                                                    "2024-03-31,250\n"
                                                    "stability_long_term,all,,2025-02-28,60.5\n"
                                                    "exits,other,2023-04-01,2024-03-31,3\n"
                                                    "children_looked_after,other,,2024-03-31,1\n"
                                                    "children_looked_after,16_to_17+under_1,,2024-03-31,90\n"
                                                    "children_looked_after,female,,2024-03-31,180\n"
                                                    "approvals,foster_in_house,2024-04-01,2024-04-01,1\n"));
  ASSERT_EQ(figures.figures.size(), 9u);
  const PublishedFigure& stock = figures.figures[0];
  EXPECT_EQ(stock.metric, FigureMetric::children_looked_after);
  EXPECT_EQ(stock.category.kind, FigureCategory::Kind::all);
  EXPECT_FALSE(stock.period_start.has_value());
  EXPECT_EQ(stock.date, make_date(2024, 3, 31));
  EXPECT_EQ(stock.value, 436);
  EXPECT_EQ(stock.line, 2);

  const PublishedFigure& flow = figures.figures[1];
  EXPECT_EQ(flow.metric, FigureMetric::entries);
  ASSERT_TRUE(flow.period_start.has_value());
  EXPECT_EQ(*flow.period_start, make_date(2024, 4, 1));
  EXPECT_EQ(flow.date, make_date(2025, 2, 28));

  const FigureCategory fostered = figures.figures[2].category;
  EXPECT_EQ(fostered.kind, FigureCategory::Kind::placement);
  EXPECT_EQ(fostered.members, bit(Category::foster_in_house) | bit(Category::foster_kinship));
  EXPECT_EQ(figure_category_name(fostered), "foster_in_house+foster_kinship");  // canonical order

  EXPECT_EQ(figures.figures[3].value, 60.5);
  // `other` is both an exit reason and a placement category: the metric decides which.
  EXPECT_EQ(figures.figures[4].category.kind, FigureCategory::Kind::exit_reason);
  EXPECT_EQ(figures.figures[4].category.members, bit(ExitReason::other));
  EXPECT_EQ(figures.figures[5].category.kind, FigureCategory::Kind::placement);
  EXPECT_EQ(figures.figures[5].category.members, bit(Category::other));
  EXPECT_EQ(figures.figures[6].category.kind, FigureCategory::Kind::age_band);
  EXPECT_EQ(figures.figures[6].category.members, bit(AgeBand::under_1) | bit(AgeBand::from_16_to_17));
  EXPECT_EQ(figures.figures[7].category.kind, FigureCategory::Kind::sex);
  EXPECT_EQ(figures.figures[8].metric, FigureMetric::approvals);
}

TEST_F(FiguresFile, AcceptsAnyColumnOrderCrlfAndQuotedFields) {
  const auto figures = read_published_figures(
      write("value,date,period_start,category,metric\r\n\"417\",2019-03-31,,\"all\",children_looked_after\r\n"));
  ASSERT_EQ(figures.figures.size(), 1u);
  EXPECT_EQ(figures.figures[0].value, 417);
}

TEST_F(FiguresFile, RefusesUnknownMetricsAndCategoriesWithoutRepeatingThem) {
  expect_refused("cla_total,all,,2024-03-31,436\n", 2, 1, "metric", "unknown metric", "cla_total");
  expect_refused("children_looked_after,fostered_secret,,2024-03-31,436\n", 2, 2, "category", "unknown category",
                 "fostered_secret");
  expect_refused("children_looked_after,foster_in_house+,,2024-03-31,436\n", 2, 2, "category", "unknown category");
  expect_refused("children_looked_after,all+foster_in_house,,2024-03-31,436\n", 2, 2, "category",
                 "unknown category");
  // A sum counts each id once, and sums ids of one kind.
  expect_refused("children_looked_after,foster_in_house+foster_in_house,,2024-03-31,436\n", 2, 2, "category",
                 "each at most once");
  expect_refused("children_looked_after,foster_in_house+under_1,,2024-03-31,436\n", 2, 2, "category",
                 "one kind");
}

TEST_F(FiguresFile, RefusesACategoryTheMetricCannotHave) {
  expect_refused("exits,foster_in_house,2023-04-01,2024-03-31,4\n", 2, 2, "category", "not allowed for exits");
  expect_refused("uasc_looked_after,16_to_17,,2024-03-31,20\n", 2, 2, "category", "not allowed for uasc_looked_after");
  expect_refused("stability_short_term,foster_in_house,,2024-03-31,12\n", 2, 2, "category",
                 "not allowed for stability_short_term");
  expect_refused("children_looked_after,adoption,,2024-03-31,12\n", 2, 2, "category",
                 "not allowed for children_looked_after");
  expect_refused("approvals,foster_agency,2024-04-01,2025-02-28,10\n", 2, 2, "category", "foster_in_house only");
  expect_refused("carer_households,all,,2025-02-28,100\n", 2, 2, "category", "foster_in_house only");
}

// Care leavers (issue 14): a stock of young people 18 to 25, in all or by their own age bands only.
TEST_F(FiguresFile, ReadsCareLeaversByTheirAgeBandsAndRefusesOtherCategories) {
  const PublishedFigures figures = read_published_figures(
      write(kHeader + "care_leavers,all,,2025-02-28,330\ncare_leavers,18_to_20,,2025-02-28,180\n"
                      "care_leavers,21_to_25,,2025-02-28,150\ncare_leavers,18_to_20+21_to_25,,2024-02-29,307\n"));
  ASSERT_EQ(figures.figures.size(), 4u);
  EXPECT_EQ(figures.figures[0].metric, FigureMetric::care_leavers);
  EXPECT_EQ(figures.figures[0].category.kind, FigureCategory::Kind::all);
  EXPECT_EQ(figures.figures[1].category, (FigureCategory{FigureCategory::Kind::care_leaver_age_band, 1u}));
  EXPECT_EQ(figure_category_name(figures.figures[2].category), "21_to_25");
  EXPECT_EQ(figure_category_name(figures.figures[3].category), "18_to_20+21_to_25");
  EXPECT_TRUE(find_conflicts(figures).empty());
  expect_refused("care_leavers,16_to_17,,2025-02-28,30\n", 2, 2, "category", "all, 18_to_20 or 21_to_25");
  expect_refused("care_leavers,foster_in_house,,2025-02-28,30\n", 2, 2, "category", "not allowed for care_leavers");
  expect_refused("children_looked_after,18_to_20,,2025-02-28,30\n", 2, 2, "category",
                 "not allowed for children_looked_after");
  expect_refused("care_leavers,18_to_20+16_to_17,,2025-02-28,30\n", 2, 2, "category", "one kind");
  expect_refused("care_leavers,all,2024-04-01,2025-02-28,330\n", 2, 3, "period_start", "must be empty");
  expect_refused("care_leavers,all,,2025-02-28,330.5\n", 2, 5, "value", "whole number");
  expect_refused("care_leavers,all,,2025-02-28,-1\n", 2, 5, "value", "cannot be negative");
  // Parts above the whole are noted, as for every count.
  const PublishedFigures over = read_published_figures(
      write(kHeader + "care_leavers,all,,2025-02-28,300\ncare_leavers,18_to_20,,2025-02-28,180\n"
                      "care_leavers,21_to_25,,2025-02-28,150\n"));
  EXPECT_EQ(find_conflicts(over).size(), 1u);
}

TEST_F(FiguresFile, RefusesBadDates) {
  expect_refused("children_looked_after,all,,31/03/2024,436\n", 2, 4, "date", "yyyy-mm-dd");
  expect_refused("children_looked_after,all,,2024-02-30,436\n", 2, 4, "date", "yyyy-mm-dd");
  expect_refused("children_looked_after,all,,2024-3-31,436\n", 2, 4, "date", "yyyy-mm-dd");
  expect_refused("children_looked_after,all,,2204-03-31,436\n", 2, 4, "date", "1990 to 2099");
  expect_refused("entries,all,March 2024,2025-02-28,200\n", 2, 3, "period_start", "yyyy-mm-dd");
}

TEST_F(FiguresFile, RefusesAStockOverAPeriodAndAFlowWithoutOne) {
  expect_refused("children_looked_after,all,2023-04-01,2024-03-31,436\n", 2, 3, "period_start", "must be empty");
  expect_refused("stability_long_term,all,2023-04-01,2024-03-31,69\n", 2, 3, "period_start", "must be empty");
  expect_refused("entries,all,,2025-02-28,200\n", 2, 3, "period_start", "required");
  expect_refused("approvals,foster_in_house,,2025-02-28,10\n", 2, 3, "period_start", "required");
}

TEST_F(FiguresFile, RefusesAPeriodEndingBeforeItStarts) {
  expect_refused("entries,all,2025-02-28,2024-04-01,200\n", 2, 4, "date", "ends before it starts");
}

TEST_F(FiguresFile, RefusesBadValues) {
  expect_refused("stability_short_term,all,,2024-03-31,100.5\n", 2, 5, "value", "percentage from 0 to 100");
  expect_refused("stability_long_term,all,,2024-03-31,-1\n", 2, 5, "value", "percentage from 0 to 100");
  expect_refused("children_looked_after,all,,2024-03-31,-436\n", 2, 5, "value", "cannot be negative");
  expect_refused("exits,adoption,2023-04-01,2024-03-31,14.5\n", 2, 5, "value", "whole number");
  expect_refused("children_looked_after,all,,2024-03-31,about 436\n", 2, 5, "value", "expected a number", "about");
  expect_refused("children_looked_after,all,,2024-03-31,436x\n", 2, 5, "value", "expected a number");
  expect_refused("children_looked_after,all,,2024-03-31,\n", 2, 5, "value", "expected a number");
  expect_refused("children_looked_after,all,,2024-03-31,nan\n", 2, 5, "value", "expected a number");
  expect_refused("children_looked_after,all,,2024-03-31,inf\n", 2, 5, "value", "expected a number");
  expect_refused("children_looked_after,all,,2024-03-31,1e400\n", 2, 5, "value", "expected a number");
}

TEST_F(FiguresFile, RefusesDuplicateRowsEvenWhenASumIsSpelledAnotherWay) {
  expect_refused("children_looked_after,all,,2024-03-31,436\nentries,all,2023-04-01,2024-03-31,160\n"
                 "children_looked_after,all,,2024-03-31,437\n",
                 4, 1, "metric", "line 2 gives the same");
  expect_refused("children_looked_after,foster_in_house+foster_agency,,2024-03-31,200\n"
                 "children_looked_after,foster_agency+foster_in_house,,2024-03-31,200\n",
                 3, 1, "metric", "duplicate figure");
  // The same metric and date over another period, or another category, is a different figure.
  EXPECT_NO_THROW(read_published_figures(write(kHeader +
                                               "entries,all,2024-04-01,2025-02-28,200\n"
                                               "entries,all,2024-05-01,2025-02-28,180\n"
                                               "entries,under_1,2024-04-01,2025-02-28,30\n")));
}

TEST_F(FiguresFile, RefusesMissingExtraAndShortColumns) {
  const auto refused = [&](const std::string& text, int line, std::string_view field, std::string_view part) {
    const fs::path file = write(text);
    try {
      read_published_figures(file);
      ADD_FAILURE() << "accepted:\n" << text;
    } catch (const InputError& error) {
      EXPECT_EQ(error.where().line, line) << error.what();
      EXPECT_EQ(error.where().field, field) << error.what();
      EXPECT_NE(error.problem().find(part), std::string::npos) << error.what();
    }
  };
  refused("metric,category,date,value\nchildren_looked_after,all,2024-03-31,436\n", 1, "period_start", "no column");
  refused("metric,category,period_start,date,value,source\nchildren_looked_after,all,,2024-03-31,436,x\n", 1,
          "source", "unknown column");
  refused(kHeader + "children_looked_after,all,,2024-03-31\n", 2, "", "field");
  refused(kHeader, 1, "", "no figures");
}

TEST_F(FiguresFile, ReadsOnlyRegularFiles) {
  const fs::path pipe = dir_ / "pipe.csv";
  ASSERT_EQ(::mkfifo(pipe.c_str(), 0600), 0);
  EXPECT_THROW(read_published_figures(pipe), InputError);  // would block for ever if opened
  EXPECT_THROW(read_published_figures(dir_), InputError);
  EXPECT_THROW(read_published_figures(dir_ / "missing.csv"), InputError);
}

TEST_F(FiguresFile, SummarisesByMetricAndCollectionYear) {
  const auto figures = read_published_figures(write(kHeader +
                                                    "children_looked_after,all,,2024-03-31,436\n"
                                                    "children_looked_after,all,,2024-04-01,437\n"
                                                    "children_looked_after,placed_with_parents,,2024-10-31,30\n"
                                                    "entries,all,2023-04-01,2024-02-29,164\n"));
  const std::vector<FiguresSummaryRow> rows = summarise_figures(figures);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].metric, FigureMetric::children_looked_after);
  EXPECT_EQ(rows[0].year_ending, 2024);  // 31 March 2024 closes 2023-24
  EXPECT_EQ(rows[0].figures, 1);
  EXPECT_EQ(rows[1].year_ending, 2025);  // 1 April 2024 opens 2024-25
  EXPECT_EQ(rows[1].figures, 2);
  EXPECT_EQ(rows[1].first, make_date(2024, 4, 1));
  EXPECT_EQ(rows[1].last, make_date(2024, 10, 31));
  EXPECT_EQ(rows[1].categories, (std::vector<std::string>{"all", "placed_with_parents"}));
  EXPECT_EQ(rows[2].metric, FigureMetric::entries);
  EXPECT_EQ(rows[2].first, make_date(2023, 4, 1));  // a flow covers its whole period
  EXPECT_EQ(figures.first_day, make_date(2023, 4, 1));
  EXPECT_EQ(figures.last_day, make_date(2024, 10, 31));
}

TEST_F(FiguresFile, NotesPartsThatAddUpToMoreThanTheWhole) {
  const auto figures = read_published_figures(write(kHeader +
                                                    "children_looked_after,all,,2024-03-31,100\n"
                                                    "children_looked_after,foster_in_house,,2024-03-31,60\n"
                                                    "children_looked_after,female,,2024-03-31,101\n"
                                                    "children_looked_after,foster_in_house+foster_agency,,"
                                                    "2024-03-31,99\n"
                                                    "children_looked_after,foster_agency,,2024-03-31,50\n"
                                                    "children_looked_after,foster_agency,,2024-04-30,500\n"
                                                    "exits,all,2023-04-01,2024-03-31,10\n"
                                                    "exits,adoption,2023-04-01,2024-03-31,9\n"
                                                    "exits,adoption,2023-05-01,2024-03-31,90\n"));
  const std::vector<FiguresConflict> conflicts = find_conflicts(figures);
  ASSERT_EQ(conflicts.size(), 2u);
  // female alone is over the total (noted once, not again as part of a sum);
  EXPECT_EQ(conflicts[0].line, 4);
  EXPECT_EQ(conflicts[0].all_line, 2);
  EXPECT_NE(conflicts[0].problem.find("female is more than the all figure on line 2"), std::string::npos);
  // foster_in_house and foster_agency are disjoint and add to 110; the overlapping sum on line 5
  // is not added in; another date and another period are other figures.
  EXPECT_EQ(conflicts[1].line, 6);
  EXPECT_NE(conflicts[1].problem.find("by placement category"), std::string::npos);

  EXPECT_TRUE(find_conflicts(read_published_figures(fs::path(CARECAST_SCENARIO_DIR) / "default-figures.csv")).empty());
}

TEST(DefaultFigures, HoldTheCouncilsPositionAtTheOrigin) {
  const auto figures = read_published_figures(fs::path(CARECAST_SCENARIO_DIR) / "default-figures.csv");
  const auto value_at = [&](FigureMetric metric, Date date) {
    for (const PublishedFigure& figure : figures.figures) {
      if (figure.metric == metric && figure.date == date && figure.category.kind == FigureCategory::Kind::all) {
        return figure.value;
      }
    }
    return -1.0;
  };
  const Date origin = make_date(2025, 2, 28);
  EXPECT_EQ(value_at(FigureMetric::children_looked_after, origin), 433);
  EXPECT_EQ(value_at(FigureMetric::stability_short_term, origin), 14);
  EXPECT_EQ(value_at(FigureMetric::stability_long_term, origin), 60);
  EXPECT_EQ(value_at(FigureMetric::entries, origin), 200);
  EXPECT_EQ(value_at(FigureMetric::children_looked_after, make_date(2019, 3, 31)), 417);
  EXPECT_EQ(value_at(FigureMetric::children_looked_after, make_date(2024, 10, 31)), 461);
}

}  // namespace
}  // namespace carecast
