#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/errors.hpp"
#include "history/ssda903.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

const fs::path kSample = fs::path(CARECAST_TEST_DATA_DIR) / "ssda903-sample";
const std::vector<int> kSampleYears = {2017, 2018, 2019, 2020, 2021};

// Fixture identifiers and dates of birth: no message may repeat them.
constexpr std::string_view kChild = "KX93QZ";
constexpr std::string_view kOtherChild = "MB27RT";
constexpr std::string_view kBirth = "17/05/2011";

const std::string kHeaderColumns = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n";
const std::string kEpisodeColumns =
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n";

std::string header_row(std::string_view child, std::string_view sex = "2", std::string_view birth = kBirth) {
  return std::string(child) + "," + std::string(sex) + "," + std::string(birth) + ",WBRI,,,\n";
}

struct EpisodeRow {
  std::string_view child = kChild;
  std::string_view start{};
  std::string_view reason{};
  std::string_view legal_status = "C1";
  std::string_view place = "U4";
  std::string_view provider = "PR1";
  std::string_view end{};
  std::string_view end_reason{};
  std::string_view home_postcode = "RM9 4";
};

std::string episode_row(const EpisodeRow& e) {
  std::string row;
  for (const std::string_view part : {e.child, e.start, e.reason, e.legal_status, std::string_view("N1"), e.place,
                                      e.provider, e.end, e.end_reason, std::string_view(), e.home_postcode}) {
    row.append(part).append(",");
  }
  return row + ",\n";
}

std::string episodes(const std::vector<EpisodeRow>& rows) {
  std::string text = kEpisodeColumns;
  for (const EpisodeRow& row : rows) text += episode_row(row);
  return text;
}

// Episodes with the optional PL_LOCATION and PL_DISTANCE columns after the usual ones.
struct LocatedRow {
  EpisodeRow episode;
  std::string_view location{};
  std::string_view distance{};
};

std::string located_episodes(const std::vector<LocatedRow>& rows) {
  std::string text = kEpisodeColumns;
  text.insert(text.size() - 1, ",PL_LOCATION,PL_DISTANCE");
  for (const LocatedRow& row : rows) {
    std::string line = episode_row(row.episode);
    line.insert(line.size() - 1, "," + std::string(row.location) + "," + std::string(row.distance));
    text += line;
  }
  return text;
}

// Every date, category and flag of a history, one line per child, period and placement, so two
// histories can be compared at a glance.
std::string summary(const CareHistory& history) {
  std::ostringstream out;
  for (const ChildHistory& child : history.children) {
    out << "child " << name_of(child.sex) << ' ' << format_iso(child.date_of_birth) << (child.uasc ? " uasc" : "")
        << (child.uasc_ceased ? " until " + format_iso(*child.uasc_ceased) : "") << '\n';
    for (const CarePeriod& period : child.periods) {
      out << "  period " << format_iso(period.start) << " to " << (period.end ? format_iso(*period.end) : "open")
          << (period.starts_before_data ? " (starts before data)" : "") << " exit "
          << (period.exit_reason ? name_of(*period.exit_reason) : "none") << " '" << period.exit_code << "' LS "
          << period.legal_status_at_start << " home '" << period.home_postcode_at_start << "'\n";
      for (const PlacementSpell& placement : period.placements) {
        out << "    " << format_iso(placement.start) << " to "
            << (placement.end ? format_iso(*placement.end) : "open") << ' ' << name_of(placement.category) << ' '
            << placement.place_code << (placement.same_carer_as_previous ? " same carer" : "") << '\n';
      }
    }
  }
  return out.str();
}

// The report accounts for every row read, and the history hangs together: periods and placements
// in order, placements covering their period without gaps, an exit reason exactly when closed.
void expect_consistent(const CareHistory& history, const CleaningReport& report) {
  for (const Ssda903Table table : {Ssda903Table::header, Ssda903Table::episodes, Ssda903Table::uasc}) {
    EXPECT_EQ(report.rows_read(table), report.rows_kept(table) + report.rows_dropped(table)) << name_of(table);
  }
  EXPECT_EQ(report.children, history.children.size());
  EXPECT_EQ(report.header_rows_kept, history.children.size());
  std::size_t periods = 0, placements = 0, open = 0;
  for (const ChildHistory& child : history.children) {
    ASSERT_FALSE(child.periods.empty());
    for (std::size_t p = 0; p < child.periods.size(); ++p) {
      const CarePeriod& period = child.periods[p];
      ++periods;
      open += period.end ? 0 : 1;
      EXPECT_EQ(period.end.has_value(), period.exit_reason.has_value());
      if (period.end) {
        EXPECT_LE(period.start, *period.end);
      }
      if (p + 1 < child.periods.size()) {
        ASSERT_TRUE(period.end);
        EXPECT_LE(*period.end, child.periods[p + 1].start);
      }
      ASSERT_FALSE(period.placements.empty());
      placements += period.placements.size();
      EXPECT_EQ(period.placements.front().start, period.start);
      EXPECT_EQ(period.placements.back().end, period.end);
      for (std::size_t i = 0; i + 1 < period.placements.size(); ++i) {
        EXPECT_EQ(period.placements[i].end, period.placements[i + 1].start);
      }
    }
  }
  EXPECT_EQ(report.periods, periods);
  EXPECT_EQ(report.placements, placements);
  EXPECT_EQ(report.open_periods, open);
}

std::string printed(const CleaningReport& report) {
  std::ostringstream out;
  report.print(out);
  return out.str();
}

// ---------------------------------------------------------------------------------------------
// The public sample (synthetic, messy on purpose)

TEST(Ssda903Sample, WholeFolderLoadsAndEveryRowIsAccounted) {
  CleaningReport report;
  const CareHistory history = load_ssda903({kSample}, std::nullopt, report);
  expect_consistent(history, report);

  ASSERT_EQ(report.files.size(), 3 * kSampleYears.size());
  for (const FileRowCount& file : report.files) EXPECT_GT(file.rows_read, 0u) << file.file;
  EXPECT_GT(report.children, 0u);
  EXPECT_GT(report.periods, 0u);
  EXPECT_GT(report.placements, report.periods);
  EXPECT_GT(report.rows_kept(Ssda903Table::uasc), 0u);
  // The sample holds each open episode again in later years' files and many short breaks.
  EXPECT_GT(report.count("short_breaks"), 0u);
  EXPECT_GT(report.count("closed_in_later_return"), 0u);
  EXPECT_GT(report.count("header_repeated"), 0u);

  ASSERT_TRUE(history.first_date && history.last_date && history.observed_from);
  EXPECT_EQ(*history.observed_from, make_date(2017, 4, 1));
  EXPECT_EQ(*history.last_date, make_date(2022, 3, 31));
  EXPECT_LT(*history.first_date, *history.observed_from);
}

TEST(Ssda903Sample, EachYearLoadsOnItsOwnFromExplicitFiles) {
  for (const int year : kSampleYears) {
    const std::string prefix = std::to_string(year) + "-";
    CleaningReport report;
    const CareHistory history =
        load_ssda903({kSample / (prefix + "header.csv"), kSample / (prefix + "episodes.csv"),
                      kSample / (prefix + "uasc.csv")},
                     std::nullopt, report);
    SCOPED_TRACE(year);
    expect_consistent(history, report);
    EXPECT_GT(report.children, 0u);
    EXPECT_GT(report.rows_kept(Ssda903Table::episodes), 0u);
    ASSERT_TRUE(history.last_date);
    EXPECT_EQ(*history.last_date, make_date(year + 1, 3, 31));
  }
}

TEST(Ssda903Sample, ReportNamesNoChild) {
  CleaningReport report;
  load_ssda903({kSample}, std::nullopt, report);
  const std::string text = printed(report);
  EXPECT_NE(text.find("short-break episodes"), std::string::npos);
  std::ifstream header(kSample / "2017-header.csv");
  std::string line;
  std::getline(header, line);
  while (std::getline(header, line)) {
    const std::string child = line.substr(0, line.find(','));
    // Shorter identifiers could match a count by chance; the sample's are mostly six digits.
    if (child.size() >= 6) {
      EXPECT_EQ(text.find(child), std::string::npos) << "the report repeats a child identifier";
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Hand-built returns

class Ssda903Test : public ::testing::Test {
 protected:
  Ssda903Test() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("carecast_history_" + std::string(test->name()) + "_" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  ~Ssda903Test() override {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  fs::path write(const std::string& name, const std::string& text) const {
    const fs::path file = dir_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  // A one-year return in the test folder for the default child.
  void write_year(int year, const std::vector<EpisodeRow>& rows, const std::string& header_rows = header_row(kChild)) {
    write(std::to_string(year) + "-header.csv", kHeaderColumns + header_rows);
    write(std::to_string(year) + "-episodes.csv", episodes(rows));
  }

  CareHistory load(const std::optional<std::string>& la = std::nullopt) {
    CareHistory history = load_ssda903({dir_}, la, report_);
    expect_consistent(history, report_);
    return history;
  }

  static CarePeriod only_period(const CareHistory& history) {
    if (history.children.size() != 1 || history.children[0].periods.size() != 1) {
      throw std::runtime_error("expected one child with one period:\n" + summary(history));
    }
    return history.children[0].periods[0];
  }

  InputError error_loading(const std::vector<fs::path>& inputs, const std::optional<std::string>& la = std::nullopt) {
    try {
      load_ssda903(inputs, la, report_);
    } catch (const InputError& error) {
      return error;
    }
    throw std::runtime_error("loading did not fail");
  }

  // The error names the file, line, column number and column name, and repeats no identifier or
  // date of birth from the fixture.
  static void expect_error_at(const InputError& error, const fs::path& file, int line, int column,
                              std::string_view field) {
    const std::string message = error.what();
    EXPECT_EQ(error.where().file, file.string()) << message;
    EXPECT_EQ(error.where().line, line) << message;
    EXPECT_EQ(error.where().column, column) << message;
    EXPECT_EQ(error.where().field, field) << message;
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find(":" + std::to_string(line)), std::string::npos) << message;
    EXPECT_NE(message.find("'" + std::string(field) + "'"), std::string::npos) << message;
    for (const std::string_view secret : {kChild, kOtherChild, kBirth, std::string_view("2011-05-17")}) {
      EXPECT_EQ(message.find(secret), std::string::npos) << message;
    }
  }

  fs::path dir_;
  CleaningReport report_;
};

TEST_F(Ssda903Test, ContiguousEpisodesFormOnePeriodAndLegalChangesKeepThePlacement) {
  // Named 2020: a return named 2019 cannot hold the start in May 2020 (start_implausible).
  write_year(2020, {
                       {.start = "01/06/2019", .reason = "S", .end = "15/07/2019", .end_reason = "X1"},
                       {.start = "15/07/2019", .reason = "L", .legal_status = "C2", .end = "03/09/2019",
                        .end_reason = "X1", .home_postcode = "IG11 7"},
                       {.start = "03/09/2019", .reason = "P", .legal_status = "C2", .place = "U5",
                        .provider = "PR4", .end = "20/01/2020", .end_reason = "E4A"},
                       {.start = "01/05/2020", .reason = "S", .legal_status = "V2", .place = "K2"},
                   });
  const CareHistory history = load();
  EXPECT_EQ(summary(history),
            "child female 2011-05-17\n"
            "  period 2019-06-01 to 2020-01-20 exit returned_home 'E4A' LS C1 home 'RM9 4'\n"
            "    2019-06-01 to 2019-09-03 foster_in_house U4\n"
            "    2019-09-03 to 2020-01-20 foster_agency U5\n"
            "  period 2020-05-01 to open exit none '' LS V2 home 'RM9 4'\n"
            "    2020-05-01 to open childrens_home_in_house K2\n");
  EXPECT_EQ(report_.children, 1u);
  EXPECT_EQ(report_.periods, 2u);
  EXPECT_EQ(report_.open_periods, 1u);
  EXPECT_EQ(report_.placements, 3u);
  EXPECT_EQ(report_.count("legal_change_moves_placement"), 0u);
}

TEST_F(Ssda903Test, DataStartingMidPeriodIsFlagged) {
  write_year(2017, {{.start = "11/01/2016", .reason = "P", .end = "06/04/2017", .end_reason = "E13"}});
  const CarePeriod period = only_period(load());
  EXPECT_TRUE(period.starts_before_data);
  EXPECT_EQ(period.exit_reason, ExitReason::other);
  EXPECT_EQ(period.exit_code, "E13");
  EXPECT_EQ(report_.periods_starting_before_data, 1u);
}

TEST_F(Ssda903Test, GapOrMissingContinuationEndsThePeriod) {
  write_year(2019, {
                       {.start = "01/06/2019", .reason = "S", .end = "15/07/2019", .end_reason = "X1"},
                       {.start = "01/08/2019", .reason = "P", .end = "01/09/2019", .end_reason = "E8"},
                       {.start = "01/09/2019", .reason = "P", .end = "01/10/2019", .end_reason = "E5"},
                   });
  const CareHistory history = load();
  ASSERT_EQ(history.children.size(), 1u);
  const auto& periods = history.children[0].periods;
  ASSERT_EQ(periods.size(), 3u);
  EXPECT_EQ(periods[0].exit_code, "X1");
  EXPECT_EQ(periods[0].exit_reason, ExitReason::other);
  EXPECT_FALSE(periods[1].starts_before_data);
  // A leaving-care REC ends the period even when the next episode starts that day.
  EXPECT_EQ(periods[1].exit_reason, ExitReason::other);
  EXPECT_EQ(periods[2].exit_reason, ExitReason::independent_living);
  EXPECT_EQ(report_.count("continuation_missing"), 1u);
  EXPECT_EQ(report_.count("new_period_without_start"), 2u);
}

TEST_F(Ssda903Test, SameCarerChangesStartPlacementsMarkedSameCarer) {
  write_year(2019, {
                       {.start = "01/06/2019", .reason = "S", .end = "01/09/2019", .end_reason = "X1"},
                       // Same carer, same kind of placement (say short-term to long-term): still a move.
                       {.start = "01/09/2019", .reason = "T", .end = "01/12/2019", .end_reason = "X1"},
                       {.start = "01/12/2019", .reason = "U", .legal_status = "C2", .place = "U6", .end = "01/03/2020",
                        .end_reason = "X1"},
                       {.start = "01/03/2020", .reason = "B", .legal_status = "E1", .provider = "PR5"},
                   });
  const CarePeriod period = only_period(load());
  ASSERT_EQ(period.placements.size(), 4u);
  EXPECT_FALSE(period.placements[0].same_carer_as_previous);
  EXPECT_TRUE(period.placements[1].same_carer_as_previous);
  EXPECT_TRUE(period.placements[2].same_carer_as_previous);
  EXPECT_FALSE(period.placements[3].same_carer_as_previous);
  EXPECT_EQ(period.placements[1].place_code, "U4");
  EXPECT_EQ(period.placements[2].place_code, "U6");
  EXPECT_EQ(period.placements[2].category, Category::foster_in_house);
  EXPECT_EQ(period.placements[3].category, Category::foster_agency);
}

TEST_F(Ssda903Test, LegalStatusChangeNamingAnotherPlaceIsNotedNotAMove) {
  write_year(2019, {
                       {.start = "01/06/2019", .reason = "S", .end = "01/09/2019", .end_reason = "X1"},
                       {.start = "01/09/2019", .reason = "L", .legal_status = "C2", .place = "U5"},
                   });
  const CarePeriod period = only_period(load());
  ASSERT_EQ(period.placements.size(), 1u);
  EXPECT_EQ(period.placements[0].place_code, "U4");
  EXPECT_EQ(report_.count("legal_change_moves_placement"), 1u);
}

TEST_F(Ssda903Test, TemporaryPlacementsAreExcursionsNotMoves) {
  write_year(2019, {
                       {.start = "01/06/2019", .reason = "S", .end = "10/06/2019", .end_reason = "X1"},
                       {.start = "10/06/2019", .reason = "P", .place = "T1", .end = "14/06/2019", .end_reason = "X1"},
                       {.start = "14/06/2019", .reason = "T", .end = "01/09/2019", .end_reason = "X1"},
                       {.start = "01/09/2019", .reason = "P", .place = "T2", .end = "05/09/2019", .end_reason = "X1"},
                       {.start = "05/09/2019", .reason = "P", .place = "K2", .provider = "PR4"},
                   });
  const CarePeriod period = only_period(load());
  ASSERT_EQ(period.placements.size(), 2u);
  // Back from hospital to the same carer: the placement carries on through the excursion.
  EXPECT_EQ(period.placements[0].category, Category::foster_in_house);
  EXPECT_EQ(period.placements[0].end, make_date(2019, 9, 5));
  // After a holiday, a move to a new carer starts the next placement.
  EXPECT_EQ(period.placements[1].category, Category::childrens_home_external);
  EXPECT_FALSE(period.placements[1].same_carer_as_previous);
}

TEST_F(Ssda903Test, PeriodStartingInTemporaryPlacementJoinsTheFirstPlacement) {
  write_year(2019, {
                       {.start = "01/06/2019", .reason = "S", .place = "T0", .end = "04/06/2019", .end_reason = "X1"},
                       {.start = "04/06/2019", .reason = "P", .place = "U2", .end = "04/08/2019", .end_reason = "E45"},
                       {.start = "01/01/2020", .reason = "S", .place = "T3", .end = "02/01/2020", .end_reason = "E4B"},
                   });
  const CareHistory history = load();
  ASSERT_EQ(history.children.size(), 1u);
  EXPECT_EQ(summary(history),
            "child female 2011-05-17\n"
            "  period 2019-06-01 to 2019-08-04 exit special_guardianship 'E45' LS C1 home 'RM9 4'\n"
            "    2019-06-01 to 2019-08-04 foster_kinship U2\n"
            "  period 2020-01-01 to 2020-01-02 exit returned_home 'E4B' LS C1 home 'RM9 4'\n"
            "    2020-01-01 to 2020-01-02 other T3\n");
  EXPECT_EQ(report_.count("temporary_at_period_start"), 2u);
}

TEST_F(Ssda903Test, DuplicatesLaterReturnsAndOverlapsAreCleanedAndCounted) {
  const std::string headers = header_row(kChild) + header_row(kOtherChild, "1");
  write_year(2019,
             {
                 {.start = "01/06/2019", .reason = "S", .end_reason = "X1"},  // open, REC ignored
                 {.child = kOtherChild, .start = "01/05/2019", .reason = "S", .end = "20/07/2019", .end_reason = "X1"},
                 {.child = kOtherChild, .start = "01/07/2019", .reason = "P", .place = "U5", .provider = "PR4",
                  .end_reason = "X1"},
             },
             headers);
  write_year(2020,
             {
                 {.start = "01/06/2019", .reason = "S", .end = "10/10/2020", .end_reason = "E11"},
                 {.start = "01/06/2019", .reason = "S", .end = "10/10/2020", .end_reason = "E11"},
                 {.child = kOtherChild, .start = "01/07/2019", .reason = "P", .place = "U5", .provider = "PR4",
                  .end_reason = "X1"},
             },
             headers);
  const CareHistory history = load();
  EXPECT_EQ(report_.rows_read(Ssda903Table::episodes), 6u);
  EXPECT_EQ(report_.episodes_kept, 3u);
  EXPECT_EQ(report_.count("exact_duplicate"), 2u);
  EXPECT_EQ(report_.count("closed_in_later_return"), 1u);
  EXPECT_EQ(report_.count("changed_in_later_return"), 0u);
  EXPECT_EQ(report_.count("overlap_cut"), 1u);
  EXPECT_EQ(report_.count("end_reason_on_open_episode"), 1u);
  EXPECT_EQ(report_.count("header_repeated"), 2u);
  EXPECT_EQ(summary(history),
            "child female 2011-05-17\n"
            "  period 2019-06-01 to 2020-10-10 exit adoption 'E11' LS C1 home 'RM9 4'\n"
            "    2019-06-01 to 2020-10-10 foster_in_house U4\n"
            "child male 2011-05-17\n"
            "  period 2019-05-01 to open exit none '' LS C1 home 'RM9 4'\n"
            "    2019-05-01 to 2019-07-01 foster_in_house U4\n"
            "    2019-07-01 to open foster_agency U5\n");
}

TEST_F(Ssda903Test, OpenEpisodeFollowedByAnotherIsClosedWhenTheNextStarts) {
  write_year(2019, {
                       {.start = "01/06/2019", .reason = "S"},
                       {.start = "01/09/2019", .reason = "P", .place = "U3"},
                   });
  const CarePeriod period = only_period(load());
  ASSERT_EQ(period.placements.size(), 2u);
  EXPECT_EQ(period.placements[0].end, make_date(2019, 9, 1));
  EXPECT_EQ(report_.count("open_closed_by_next"), 1u);
}

TEST_F(Ssda903Test, YearColumnDecidesWhichVersionIsLater) {
  const std::string columns = "YEAR," + kEpisodeColumns;
  const fs::path later = write("a-episodes.csv", columns + "2020," + episode_row({.start = "01/06/2019", .reason = "S",
                                                                                  .end = "01/03/2020",
                                                                                  .end_reason = "E12"}));
  const fs::path earlier = write("b-episodes.csv", columns + "2019," + episode_row({.start = "01/06/2019", .reason = "S"}));
  const fs::path header = write("header.csv", kHeaderColumns + header_row(kChild));
  const CareHistory history = load_ssda903({later, earlier, header}, std::nullopt, report_);
  expect_consistent(history, report_);
  const CarePeriod period = only_period(history);
  EXPECT_EQ(period.end, make_date(2020, 3, 1));
  EXPECT_EQ(period.exit_reason, ExitReason::adoption);
  EXPECT_EQ(report_.count("closed_in_later_return"), 1u);
}

TEST_F(Ssda903Test, ShortBreaksAreExcluded) {
  const std::string headers = header_row(kChild) + header_row(kOtherChild);
  write_year(2019,
             {
                 {.start = "01/06/2019", .reason = "S", .end = "01/07/2019", .end_reason = "X1"},
                 {.start = "01/07/2019", .reason = "L", .legal_status = "V3", .end = "01/08/2019", .end_reason = "E8"},
                 {.child = kOtherChild, .start = "01/06/2019", .reason = "S", .legal_status = "V4"},
             },
             headers);
  const CareHistory history = load();
  EXPECT_EQ(report_.count("short_breaks"), 2u);
  EXPECT_EQ(report_.count("header_without_episodes"), 1u);
  const CarePeriod period = only_period(history);
  EXPECT_EQ(period.end, make_date(2019, 7, 1));
  EXPECT_EQ(period.exit_code, "X1");
}

TEST_F(Ssda903Test, BothDateFormatsGiveTheSameHistory) {
  write_year(2019, {
                       {.start = "01/06/2019", .reason = "S", .end = "15/07/2019", .end_reason = "X1"},
                       {.start = "15/07/2019", .reason = "P", .place = "U1", .end = "03/09/2019", .end_reason = "E41"},
                   });
  const std::string with_slashes = summary(load());
  write_year(2019,
             {
                 {.start = "2019-06-01", .reason = "S", .end = "2019-07-15", .end_reason = "X1"},
                 {.start = "2019-07-15", .reason = "P", .place = "U1", .end = "2019-09-03", .end_reason = "E41"},
             },
             header_row(kChild, "2", "2011-05-17"));
  EXPECT_EQ(summary(load()), with_slashes);
  EXPECT_NE(with_slashes.find("child_arrangements_order"), std::string::npos);
}

TEST_F(Ssda903Test, ByteOrderMarkAndCrlfLineEndsAreRead) {
  const std::vector<EpisodeRow> rows = {
      {.start = "01/06/2019", .reason = "S", .end = "15/07/2019", .end_reason = "X1"},
      {.start = "15/07/2019", .reason = "T", .place = "U5", .end = "03/09/2019", .end_reason = "E17"},
  };
  write_year(2019, rows);
  const std::string plain = summary(load());
  const auto windows = [](const std::string& text) {
    std::string converted = "\xEF\xBB\xBF";
    for (const char c : text) converted += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return converted + "\r\n";  // and a blank line at the end
  };
  write("2019-header.csv", windows(kHeaderColumns + header_row(kChild)));
  write("2019-episodes.csv", windows(episodes(rows)));
  EXPECT_EQ(summary(load()), plain);
  EXPECT_NE(plain.find("staying_put"), std::string::npos);
}

TEST_F(Ssda903Test, LaFilterKeepsOneAuthority) {
  write("2019-header.csv", "LA," + kHeaderColumns + "301," + header_row(kChild) + "302," + header_row(kOtherChild, "1"));
  write("2019-episodes.csv", "LA," + kEpisodeColumns + "301," + episode_row({.start = "01/06/2019", .reason = "S"}) +
                                 "302," + episode_row({.child = kOtherChild, .start = "01/07/2019", .reason = "S"}));
  write("2019-uasc.csv", "LA,CHILD,DUC\n302," + std::string(kOtherChild) + ",01/01/2029\n");
  const CareHistory history = load("301");
  ASSERT_EQ(history.children.size(), 1u);
  EXPECT_EQ(history.children[0].sex, Sex::female);
  EXPECT_FALSE(history.children[0].uasc);
  EXPECT_EQ(report_.count("episode_other_la"), 1u);
  EXPECT_EQ(report_.count("header_other_la"), 1u);
  EXPECT_EQ(report_.count("uasc_other_la"), 1u);

  const CareHistory other = load("302");
  ASSERT_EQ(other.children.size(), 1u);
  EXPECT_TRUE(other.children[0].uasc);
  EXPECT_EQ(other.children[0].uasc_ceased, make_date(2029, 1, 1));

  const InputError mixed = error_loading({dir_});
  EXPECT_EQ(mixed.where().field, "LA") << mixed.what();
  EXPECT_NE(std::string(mixed.what()).find("--la"), std::string::npos) << mixed.what();

  const InputError unknown = error_loading({dir_}, "999");
  EXPECT_EQ(unknown.where().field, "LA") << unknown.what();
  EXPECT_NE(std::string(unknown.what()).find("'999'"), std::string::npos) << unknown.what();
}

TEST_F(Ssda903Test, LaFilterNeedsAnLaColumnInEveryFile) {
  write("2019-header.csv", "LA," + kHeaderColumns + "301," + header_row(kChild));
  const fs::path episodes_file = write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S"}}));
  const InputError error = error_loading({dir_}, "301");
  EXPECT_EQ(error.where().file, episodes_file.string()) << error.what();
  EXPECT_EQ(error.where().line, 1) << error.what();
  EXPECT_EQ(error.where().field, "LA") << error.what();
}

TEST_F(Ssda903Test, LeavingCareCodesMapToExitReasons) {
  const std::vector<std::pair<std::string, ExitReason>> expected = {
      {"E11", ExitReason::adoption},
      {"E12", ExitReason::adoption},
      {"E4A", ExitReason::returned_home},
      {"E4B", ExitReason::returned_home},
      {"E41", ExitReason::child_arrangements_order},
      {"E43", ExitReason::special_guardianship},
      {"E44", ExitReason::special_guardianship},
      {"E45", ExitReason::special_guardianship},
      {"E46", ExitReason::special_guardianship},
      {"E47", ExitReason::special_guardianship},
      {"E48", ExitReason::special_guardianship},
      {"E5", ExitReason::independent_living},
      {"E6", ExitReason::independent_living},
      {"E17", ExitReason::staying_put},
      {"E2", ExitReason::other},
      {"E3", ExitReason::other},
      {"E7", ExitReason::other},
      {"E8", ExitReason::other},
      {"E9", ExitReason::other},
      {"E13", ExitReason::other},
      {"E14", ExitReason::other},
      {"E15", ExitReason::other},
      {"E16", ExitReason::other},
  };
  // One child, one short period of care per code, in ISO dates.
  std::vector<std::string> dates;
  std::vector<EpisodeRow> rows;
  Date start = make_date(2015, 1, 1);
  for (std::size_t i = 0; i < expected.size(); ++i, start += std::chrono::days(40)) {
    dates.push_back(format_iso(start));
    dates.push_back(format_iso(start + std::chrono::days(20)));
  }
  for (std::size_t i = 0; i < expected.size(); ++i) {
    rows.push_back({.start = dates[2 * i], .reason = "S", .end = dates[2 * i + 1], .end_reason = expected[i].first});
  }
  write_year(2018, rows);
  const CareHistory history = load();
  ASSERT_EQ(history.children.size(), 1u);
  const auto& periods = history.children[0].periods;
  ASSERT_EQ(periods.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(periods[i].exit_code, expected[i].first);
    EXPECT_EQ(periods[i].exit_reason, expected[i].second) << expected[i].first;
  }
}

TEST_F(Ssda903Test, ProviderDecidesInHouseOrExternal) {
  write_year(2019, {
                       {.start = "01/01/2019", .reason = "S", .place = "U6", .provider = "PR2", .end = "01/02/2019",
                        .end_reason = "X1"},
                       {.start = "01/02/2019", .reason = "P", .place = "R1", .provider = "PR1", .end = "01/03/2019",
                        .end_reason = "X1"},
                       {.start = "01/03/2019", .reason = "P", .place = "U5", .provider = "PR0", .end = "01/04/2019",
                        .end_reason = "X1"},
                       {.start = "01/04/2019", .reason = "P", .place = "P1", .provider = "", .end = "01/05/2019",
                        .end_reason = "X1"},
                       {.start = "01/05/2019", .reason = "P", .place = "R3", .provider = "PR4", .end = "01/06/2019",
                        .end_reason = "X1"},
                       {.start = "01/06/2019", .reason = "P", .place = "K3", .provider = "PR4"},
                   });
  const CarePeriod period = only_period(load());
  std::vector<Category> categories;
  for (const PlacementSpell& placement : period.placements) categories.push_back(placement.category);
  EXPECT_EQ(categories, (std::vector<Category>{Category::foster_agency, Category::childrens_home_in_house,
                                               Category::foster_agency, Category::placed_with_parents,
                                               Category::parent_and_child, Category::supported_accommodation}));
  EXPECT_EQ(report_.count("parents_as_provider"), 1u);
}

TEST_F(Ssda903Test, OtherMessyRowsAreDroppedAndCounted) {
  // Named 2020: the last start is in June 2020.
  write("2020-header.csv", kHeaderColumns + header_row(kChild) + header_row(kOtherChild, "1", "01/04/2001"));
  write("2020-episodes.csv",
        episodes({
            {.start = "01/06/2019", .reason = "S", .end = "01/05/2019", .end_reason = "E8"},  // ends before start
            {.start = "01/06/2010", .reason = "S", .end = "01/07/2010", .end_reason = "E8"},  // before birth
            {.child = "ZZ00NOHEADER", .start = "01/06/2019", .reason = "S"},
            {.start = "01/07/2019", .reason = "S", .end = "02/07/2019"},  // no REC
            {.child = kOtherChild, .start = "01/03/2019", .reason = "S", .end = "01/06/2019", .end_reason = "E15"},
            {.child = kOtherChild, .start = "01/06/2020", .reason = "S"},
        }));
  write("2020-uasc.csv", "CHILD,SEX,DOB,DUC\nZZ00NOHEADER,1,01/01/2005,\n" + std::string(kChild) + ",2,,\n");
  const CareHistory history = load();
  EXPECT_EQ(report_.count("ends_before_start"), 1u);
  EXPECT_EQ(report_.count("starts_before_birth"), 1u);
  EXPECT_EQ(report_.count("no_header"), 1u);
  EXPECT_EQ(report_.count("missing_end_reason"), 1u);
  EXPECT_EQ(report_.count("uasc_without_history"), 1u);
  // Ends after 1 April 2019 and open after 1 April 2019.
  EXPECT_EQ(report_.count("past_18th_birthday"), 2u);
  ASSERT_EQ(history.children.size(), 2u);
  const ChildHistory& child = history.children[0];
  EXPECT_TRUE(child.uasc);
  EXPECT_FALSE(child.uasc_ceased);
  EXPECT_EQ(child.periods[0].exit_reason, ExitReason::other);
  EXPECT_EQ(child.periods[0].exit_code, "");
  EXPECT_EQ(history.children[1].periods[0].exit_code, "E15");
}

TEST_F(Ssda903Test, DataSpanAndOrderDoNotDependOnInputOrder) {
  const std::string headers = header_row(kChild) + header_row(kOtherChild, "1", "02/02/2012");
  write_year(2018,
             {
                 {.start = "01/06/2016", .reason = "S"},
                 {.child = kOtherChild, .start = "10/01/2019", .reason = "S", .end = "20/02/2019", .end_reason = "E4A"},
             },
             headers);
  write_year(2019,
             {
                 {.start = "01/06/2016", .reason = "S", .end = "05/05/2019", .end_reason = "E4A"},
                 {.child = kOtherChild, .start = "20/02/2020", .reason = "S"},
             },
             headers);
  const CareHistory history = load();
  // The latest start in each return places it in its collection year: 2018-19 and 2019-20.
  EXPECT_EQ(history.first_date, make_date(2016, 6, 1));
  EXPECT_EQ(history.observed_from, make_date(2018, 4, 1));
  EXPECT_EQ(history.last_date, make_date(2020, 3, 31));

  const auto file = [&](const char* name) { return dir_ / name; };
  CleaningReport reversed_report;
  const CareHistory reversed =
      load_ssda903({file("2019-episodes.csv"), file("2019-header.csv"), file("2018-episodes.csv"),
                    file("2018-header.csv")},
                   std::nullopt, reversed_report);
  EXPECT_EQ(summary(reversed), summary(history));
}

// ---------------------------------------------------------------------------------------------
// Errors: file, line, column named; no identifier or date of birth repeated

TEST_F(Ssda903Test, MissingRequiredColumnIsNamed) {
  write("2019-header.csv", kHeaderColumns + header_row(kChild));
  const fs::path file = write("2019-episodes.csv", "CHILD,DECOM,RNE,LS,PLACE,DEC,REC\n" + std::string(kChild) +
                                                       ",01/06/2019,S,C1,U4,,\n");
  const InputError error = error_loading({dir_});
  expect_error_at(error, file, 1, 0, "PLACE_PROVIDER");
}

TEST_F(Ssda903Test, UnreadableDateOfBirthIsNamedButNotRepeated) {
  const fs::path file = write("2019-header.csv", kHeaderColumns + header_row(kOtherChild) +
                                                     header_row(kChild, "2", "17.05.2011"));
  write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S"}}));
  const InputError error = error_loading({dir_});
  expect_error_at(error, file, 3, 3, "DOB");
  EXPECT_EQ(std::string(error.what()).find("17.05.2011"), std::string::npos) << error.what();
  EXPECT_NE(error.problem().find("dd/mm/yyyy"), std::string::npos) << error.what();
}

TEST_F(Ssda903Test, UnreadableEpisodeDatesAreNamed) {
  write("2019-header.csv", kHeaderColumns + header_row(kChild));
  const fs::path file = write("2019-episodes.csv", episodes({
                                                       {.start = "01/06/2019", .reason = "S", .end = "01/07/2019",
                                                        .end_reason = "X1"},
                                                       {.start = "2019-13-01", .reason = "P"},
                                                   }));
  expect_error_at(error_loading({dir_}), file, 3, 2, "DECOM");
  write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S", .end = "31/06/2019"}}));
  expect_error_at(error_loading({dir_}), file, 2, 8, "DEC");
}

TEST_F(Ssda903Test, UnknownCodesAreNamedAndQuotedOnlyWhenTheyLookLikeCodes) {
  write("2019-header.csv", kHeaderColumns + header_row(kChild));
  const fs::path file = write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "Z9"}}));
  const InputError reason = error_loading({dir_});
  expect_error_at(reason, file, 2, 3, "RNE");
  EXPECT_NE(reason.problem().find("'Z9'"), std::string::npos) << reason.what();

  // An identifier shifted into a code column is not repeated.
  write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S", .place = kChild}}));
  expect_error_at(error_loading({dir_}), file, 2, 6, "PLACE");

  write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S", .legal_status = "V9"}}));
  expect_error_at(error_loading({dir_}), file, 2, 4, "LS");

  write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S", .end = "01/07/2019", .end_reason = "E99"}}));
  expect_error_at(error_loading({dir_}), file, 2, 9, "REC");

  // Foster care needs its provider to tell in-house from agency.
  write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S", .provider = ""}}));
  const InputError provider = error_loading({dir_});
  expect_error_at(provider, file, 2, 7, "PLACE_PROVIDER");
  EXPECT_NE(provider.problem().find("blank"), std::string::npos) << provider.what();
}

// PL_LOCATION and PL_DISTANCE (optional): IN is inside the council's area whatever the distance;
// OUT splits at 20 miles, exactly 20 being within; a blank location, or OUT without a distance,
// leaves the band unknown. A change of legal status only keeps the placement's band.
TEST_F(Ssda903Test, LocationAndDistanceGiveEachPlacementItsBand) {
  write("2019-header.csv", kHeaderColumns + header_row(kChild));
  write("2019-episodes.csv",
        located_episodes({
            {{.start = "01/05/2019", .reason = "S", .end = "01/06/2019", .end_reason = "X1"}, "IN", "3.2"},
            {{.start = "01/06/2019", .reason = "P", .provider = "PR4", .end = "01/07/2019", .end_reason = "X1"},
             "OUT",
             "12"},
            {{.start = "01/07/2019", .reason = "L", .provider = "PR4", .end = "15/07/2019", .end_reason = "X1"},
             "OUT",
             "40"},
            {{.start = "15/07/2019", .reason = "P", .end = "01/08/2019", .end_reason = "X1"}, " OUT ", "20"},
            {{.start = "01/08/2019", .reason = "P", .end = "01/09/2019", .end_reason = "X1"}, "OUT", "20.01"},
            {{.start = "01/09/2019", .reason = "P", .end = "01/10/2019", .end_reason = "X1"}, "IN", "25"},
            {{.start = "01/10/2019", .reason = "P", .end = "01/11/2019", .end_reason = "X1"}, "", "30"},
            {{.start = "01/11/2019", .reason = "P"}, "OUT", ""},
        }));
  const CarePeriod period = only_period(load());
  using enum LocationBand;
  const std::vector<std::optional<LocationBand>> expected = {
      inside_council, outside_council_within_20_miles, outside_council_within_20_miles,
      outside_council_over_20_miles, inside_council, std::nullopt, std::nullopt};
  ASSERT_EQ(period.placements.size(), expected.size()) << summary(load());
  for (std::size_t p = 0; p < expected.size(); ++p) EXPECT_EQ(period.placements[p].location, expected[p]) << p;
}

TEST_F(Ssda903Test, ReturnsWithoutLocationColumnsGiveNoBands) {
  write_year(2019, {{.start = "01/06/2019", .reason = "S"}});
  EXPECT_FALSE(only_period(load()).placements[0].location.has_value());
}

// A distance that is not a number of miles, or is negative, and a location other than IN, OUT or
// blank are refused with the file, line and column, before anything is calibrated; a distance is
// never repeated back (with the home postcode it narrows down where a child lives).
TEST_F(Ssda903Test, BadLocationOrDistanceIsRefusedWithFileLineAndColumn) {
  write("2019-header.csv", kHeaderColumns + header_row(kChild));
  const EpisodeRow first{.start = "01/05/2019", .reason = "S", .end = "01/06/2019", .end_reason = "X1"};
  const EpisodeRow second{.start = "01/06/2019", .reason = "P"};
  const auto refused = [&](std::string_view location, std::string_view distance, std::string_view field,
                           int column, std::string_view problem) {
    const fs::path file =
        write("2019-episodes.csv", located_episodes({{first, "IN", "1.5"}, {second, location, distance}}));
    const InputError error = error_loading({dir_});
    expect_error_at(error, file, 3, column, field);
    EXPECT_NE(error.problem().find(problem), std::string::npos) << error.what();
    if (field == "PL_DISTANCE" && !distance.empty()) {
      EXPECT_EQ(error.problem().find(distance), std::string::npos) << error.what();
    }
  };
  refused("OUT", "-0.5", "PL_DISTANCE", 15, "negative distance");
  refused("OUT", "12 miles", "PL_DISTANCE", 15, "unreadable distance");
  refused("OUT", "twelve", "PL_DISTANCE", 15, "unreadable distance");
  refused("OUT", "inf", "PL_DISTANCE", 15, "unreadable distance");
  refused("OUT", "nan", "PL_DISTANCE", 15, "unreadable distance");
  refused("NEAR", "3", "PL_LOCATION", 14, "expected IN or OUT");
  refused("in", "3", "PL_LOCATION", 14, "unknown code 'in'");
  // A bad distance is refused even where the band needs none.
  refused("IN", "-3", "PL_DISTANCE", 15, "negative distance");
}

TEST_F(Ssda903Test, UnknownSexIsNamed) {
  const fs::path file = write("2019-header.csv", kHeaderColumns + header_row(kChild, "9"));
  write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S"}}));
  expect_error_at(error_loading({dir_}), file, 2, 2, "SEX");
}

TEST_F(Ssda903Test, MissingOrUnrecognisedInputsAreNamed) {
  const InputError missing = error_loading({dir_ / "nowhere"});
  EXPECT_EQ(missing.where().file, (dir_ / "nowhere").string());

  const fs::path stray = write("notes.txt", "hello\n");
  EXPECT_EQ(error_loading({stray}).where().file, stray.string());

  const fs::path lone = write("2019-episodes.csv", episodes({{.start = "01/06/2019", .reason = "S"}}));
  const InputError unpaired = error_loading({dir_});
  EXPECT_EQ(unpaired.where().file, lone.string()) << unpaired.what();
  EXPECT_NE(unpaired.problem().find("header"), std::string::npos) << unpaired.what();

  const InputError no_header = error_loading({lone});
  EXPECT_NE(no_header.problem().find("header"), std::string::npos) << no_header.what();
}


// ---------------------------------------------------------------------------------------------
// Implausible dates, collection years and files that are not files (issue 9)

TEST_F(Ssda903Test, ImplausibleStartsAreDroppedCountedAndLocatedAndNeverStretchTheWindow) {
  write_year(2020, {
                       {.start = "01/06/2020", .reason = "S"},
                       {.child = kOtherChild, .start = "31/12/9999", .reason = "S"},
                       {.child = kOtherChild, .start = "01/01/1900", .reason = "S", .end = "02/01/1900",
                        .end_reason = "E8"},
                   },
             header_row(kChild) + header_row(kOtherChild, "1", "01/04/2009"));
  const CareHistory history = load();
  // A DECOM of 9999 once made the window 583 years long.
  ASSERT_TRUE(history.last_date && history.observed_from && history.first_date);
  EXPECT_EQ(*history.last_date, make_date(2021, 3, 31));
  EXPECT_EQ(*history.observed_from, make_date(2020, 4, 1));
  EXPECT_EQ(*history.first_date, make_date(2020, 6, 1));
  EXPECT_EQ(report_.count("start_implausible"), 2u);
  EXPECT_EQ(history.children.size(), 1u);
  const std::string text = printed(report_);
  EXPECT_NE(text.find((dir_ / "2020-episodes.csv").string() + ":3, column DECOM"), std::string::npos) << text;
  for (const std::string_view secret : {std::string_view("9999"), std::string_view("1900"), kOtherChild}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
  }
}

TEST_F(Ssda903Test, StartsAfterTheReturnsCollectionYearAreDropped) {
  // A return named 2020 holds 2020-21 (or 2019-20): nothing can start after 31 March 2021.
  write_year(2020, {
                       {.start = "31/03/2021", .reason = "S"},
                       {.child = kOtherChild, .start = "01/04/2021", .reason = "S"},
                   },
             header_row(kChild) + header_row(kOtherChild, "1", "01/04/2009"));
  const CareHistory history = load();
  EXPECT_EQ(report_.count("start_implausible"), 1u);
  EXPECT_EQ(*history.last_date, make_date(2021, 3, 31));
}

TEST_F(Ssda903Test, ReturnNamingNoYearCannotHoldAStartAfterToday) {
  const fs::path header = write("header.csv", kHeaderColumns + header_row(kChild) + header_row(kOtherChild));
  const fs::path file = write("episodes.csv", episodes({{.start = "01/06/2019", .reason = "S"},
                                                        {.child = kOtherChild, .start = "31/12/9999", .reason = "S"}}));
  const CareHistory history = load_ssda903({header, file}, std::nullopt, report_);
  expect_consistent(history, report_);
  EXPECT_EQ(report_.count("start_implausible"), 1u);
  EXPECT_EQ(*history.last_date, make_date(2020, 3, 31));
}

TEST_F(Ssda903Test, EndsNoReturnCouldHaveKnownAreIgnored) {
  write_year(2020, {{.start = "01/06/2020", .reason = "S", .end = "31/12/9999", .end_reason = "E8"}});
  const CarePeriod period = only_period(load());
  EXPECT_FALSE(period.end);
  EXPECT_EQ(report_.count("end_implausible"), 1u);
  EXPECT_NE(printed(report_).find("2020-episodes.csv:2, column DEC"), std::string::npos);

  // Within a year of the collection year's end: kept (a return is made months after it ends).
  write_year(2020, {{.start = "01/06/2020", .reason = "S", .end = "31/03/2022", .end_reason = "E8"}});
  EXPECT_EQ(only_period(load()).end, make_date(2022, 3, 31));
  EXPECT_EQ(report_.count("end_implausible"), 0u);
}

TEST_F(Ssda903Test, ImplausibleBirthDatesDropTheHeaderRow) {
  write_year(2020,
             {
                 {.start = "01/06/2020", .reason = "S"},
                 {.child = kOtherChild, .start = "01/07/2020", .reason = "S"},
             },
             header_row(kChild, "2", "01/01/1900") + header_row(kOtherChild, "1", "01/01/2030"));
  const CareHistory history = load();
  EXPECT_TRUE(history.children.empty());
  EXPECT_EQ(report_.count("birth_implausible"), 2u);
  EXPECT_EQ(report_.count("no_header"), 2u);
  const std::string text = printed(report_);
  EXPECT_NE(text.find("2020-header.csv:2, column DOB"), std::string::npos) << text;
  EXPECT_EQ(text.find("1900"), std::string::npos) << text;
}

TEST_F(Ssda903Test, ImplausibleUascCeasedDateIsIgnored) {
  write_year(2020, {{.start = "01/06/2020", .reason = "S"}});
  write("2020-uasc.csv", "CHILD,SEX,DOB,DUC\n" + std::string(kChild) + ",2,17/05/2011,01/01/1900\n");
  const CareHistory history = load();
  ASSERT_EQ(history.children.size(), 1u);
  EXPECT_TRUE(history.children[0].uasc);
  EXPECT_FALSE(history.children[0].uasc_ceased);
  EXPECT_EQ(report_.count("uasc_ceased_implausible"), 1u);
}

TEST_F(Ssda903Test, YearColumnMustBeACollectionYear) {
  const std::string columns = "YEAR," + kEpisodeColumns;
  write("2020-header.csv", kHeaderColumns + header_row(kChild));
  for (const std::string good : {"2020", "2020-21", "2020/21", "2020-2021", "2020/2021", "2099-00"}) {
    write("2020-episodes.csv", columns + good + "," + episode_row({.start = "01/06/2020", .reason = "S"}));
    EXPECT_NO_THROW(load()) << good;
  }
  for (const std::string bad : {"2021.0", "21", "2020-22", "2020/2022", "2020-2", "20201", "9999", "1900", ""}) {
    const fs::path file =
        write("2020-episodes.csv", columns + bad + "," + episode_row({.start = "01/06/2020", .reason = "S"}));
    SCOPED_TRACE(bad);
    expect_error_at(error_loading({dir_}), file, 2, 1, "YEAR");
  }
}

TEST_F(Ssda903Test, FileNameYearOutsideThePlausibleWindowIsRefused) {
  const fs::path header = write("9999-header.csv", kHeaderColumns + header_row(kChild));
  write("9999-episodes.csv", episodes({{.start = "01/06/2020", .reason = "S"}}));
  const InputError error = error_loading({dir_});
  EXPECT_NE(error.where().file.find("9999-"), std::string::npos) << error.what();
  EXPECT_NE(error.problem().find("1990-2099"), std::string::npos) << error.what();
}

TEST_F(Ssda903Test, FifosAndFoldersNamedAsReturnsAreRefusedByName) {
  write("2020-header.csv", kHeaderColumns + header_row(kChild));
  const fs::path fifo = dir_ / "2020-episodes.csv";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Reading a FIFO with no writer once blocked for ever; now it is refused before opening.
  for (const std::vector<fs::path>& inputs : {std::vector<fs::path>{dir_},
                                              std::vector<fs::path>{dir_ / "2020-header.csv", fifo}}) {
    const InputError error = error_loading(inputs);
    EXPECT_EQ(error.where().file, fifo.string()) << error.what();
    EXPECT_NE(error.problem().find("FIFO"), std::string::npos) << error.what();
  }
  fs::remove(fifo);
  write("2020-episodes.csv", episodes({{.start = "01/06/2020", .reason = "S"}}));
  fs::remove(dir_ / "2020-header.csv");
  const fs::path folder = dir_ / "2020-header.csv";
  fs::create_directory(folder);
  // A folder named as the header file was skipped, then reported as a missing header.
  for (const std::vector<fs::path>& inputs : {std::vector<fs::path>{dir_},
                                              std::vector<fs::path>{folder, dir_ / "2020-episodes.csv"}}) {
    const InputError error = error_loading(inputs);
    EXPECT_EQ(error.where().file, folder.string()) << error.what();
    EXPECT_NE(error.problem().find("directory"), std::string::npos) << error.what();
  }
}

TEST_F(Ssda903Test, FileCutOffInsideItsLastFieldIsNamed) {
  write("2020-header.csv", kHeaderColumns + header_row(kChild));
  const std::string complete = episodes({{.start = "01/06/2020", .reason = "S"}});
  // Inside a quoted field: libcsv with CSV_STRICT_FINI reports the unclosed quote at the end.
  const fs::path file = write("2020-episodes.csv", complete + std::string(kChild) + ",01/07/2020,P,C1,N1,U4,PR1,,,,\"RM9");
  const InputError quoted = error_loading({dir_});
  EXPECT_EQ(quoted.where().file, file.string());
  EXPECT_EQ(quoted.where().line, 3) << quoted.what();
  // Inside an unquoted field: the record is short of fields, or its last field is unreadable.
  write("2020-episodes.csv", complete + std::string(kChild) + ",01/07/2020,P,C1");
  EXPECT_EQ(error_loading({dir_}).where().line, 3);
  write("2020-episodes.csv", complete + std::string(kChild) + ",01/07/2");
  EXPECT_EQ(error_loading({dir_}).where().line, 3);
}

}  // namespace
}  // namespace carecast
