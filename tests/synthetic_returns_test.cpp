// Synthetic SSDA903 returns: files written, codes that map back to the simulated categories, the
// simulated stock recovered from the files, determinism, contiguous periods of care, nobody in
// care at 18, and a round trip through the SSDA903 loader.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "calibration/location_shares.hpp"
#include "calibration/re_entry_estimation.hpp"
#include "history/ssda903.hpp"
#include "history/synthetic_returns.hpp"
#include "scenario/scenario_loader.hpp"
#include "simulation/runner.hpp"
#include "test_support.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

constexpr int kYears = 5;
constexpr std::uint64_t kSeed = 1;

// The hand-written base of the default: its rates are the ones these checks of the returns' codes
// were written against. (The fitted default, with twice the moves, sends a few UASC and children
// placed with parents down paths whose legal statuses synth does not yet keep coherent.)
const Scenario& default_scenario() {
  static const Scenario scenario = load_scenario(fs::path(CARECAST_SCENARIO_DIR) / "default-base.toml");
  return scenario;
}

const SyntheticHistory& default_history() {
  static const SyntheticHistory history = simulate_synthetic_history(default_scenario(), kYears, kSeed);
  return history;
}

const SyntheticReturns& default_returns() {
  static const SyntheticReturns returns = render_synthetic_returns(default_history());
  return returns;
}

// A return file as rows of named fields. The generator never quotes, so splitting on commas is
// the whole of CSV needed here.
struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;

  const std::string& get(std::size_t row, std::string_view column) const {
    const auto found = std::find(columns.begin(), columns.end(), column);
    if (found == columns.end()) throw std::out_of_range("no column " + std::string(column));
    return rows[row][static_cast<std::size_t>(found - columns.begin())];
  }
};

std::vector<std::string> split(const std::string& line) {
  std::vector<std::string> fields(1);
  for (const char c : line) {
    if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

Table parse(const std::string& text) {
  Table table;
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  table.columns = split(line);
  while (std::getline(lines, line)) table.rows.push_back(split(line));
  return table;
}

const std::string& file_text(const SyntheticReturns& returns, const std::string& name) {
  for (const SyntheticFile& file : returns.files) {
    if (file.name == name) return file.text;
  }
  throw std::out_of_range("no file " + name);
}

Table episodes_of(const SyntheticReturns& returns, int year) {
  return parse(file_text(returns, std::to_string(year) + "-episodes.csv"));
}

int year_of(Date date) { return static_cast<int>(std::chrono::year_month_day{date}.year()); }

// Start years of the collection years from the one holding the origin to the one holding the horizon.
// Complete collection years only: from the first 1 April after the origin to the last 31 March
// on or before the horizon.
std::vector<int> expected_years(const Scenario& scenario, int years) {
  std::vector<int> expected;
  const Date horizon = add_years(scenario.origin, years);
  for (int y = year_of(scenario.origin); make_date(y + 1, 3, 31) <= horizon; ++y) {
    if (make_date(y, 4, 1) > scenario.origin) expected.push_back(y);
  }
  return expected;
}

Date date(const std::string& text) {
  const auto parsed = parse_date(text);
  if (!parsed || text[2] != '/') throw std::invalid_argument("not a dd/mm/yyyy date");
  return *parsed;
}

// The categories of docs/sources.md ("Placement categories"), written out again here so that the
// test does not share the generator's tables.
std::optional<Category> category_of(std::string_view place, std::string_view provider) {
  const auto one_of = [](std::string_view code, std::initializer_list<std::string_view> codes) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  };
  const bool own = provider == "PR1";
  const bool external = one_of(provider, {"PR2", "PR3", "PR4", "PR5"});
  if (one_of(place, {"U4", "U5", "U6"})) {
    if (own) return Category::foster_in_house;
    if (external) return Category::foster_agency;
    return std::nullopt;
  }
  if (one_of(place, {"K2", "R1"})) {
    if (own) return Category::childrens_home_in_house;
    if (external) return Category::childrens_home_external;
    return std::nullopt;
  }
  if (one_of(place, {"U1", "U2", "U3"})) return Category::foster_kinship;
  if (one_of(place, {"A3", "A4", "A5", "A6"})) return Category::placed_for_adoption;
  if (place == "P1") return Category::placed_with_parents;
  if (one_of(place, {"K1", "R2", "R5", "S1", "P3"})) return Category::residential_other;
  if (place == "R3") return Category::parent_and_child;
  if (one_of(place, {"H5", "K3", "P2"})) return Category::supported_accommodation;
  if (place == "Z1") return Category::other;
  return std::nullopt;
}

// Every episode once, in the version of the latest year holding it (which has its end if any),
// grouped by child in DECOM order.
struct EpisodeRecord {
  std::string child, reason_new, legal_status, place, provider, end_reason, place_change_reason, home_postcode,
      placement_postcode;
  Date start;
  std::optional<Date> end;
};

std::map<std::string, std::vector<EpisodeRecord>> episodes_by_child(const SyntheticReturns& returns,
                                                                    const std::vector<int>& years) {
  std::map<std::pair<std::string, Date>, EpisodeRecord> latest;
  for (const int year : years) {
    const Table table = episodes_of(returns, year);
    for (std::size_t row = 0; row < table.rows.size(); ++row) {
      EpisodeRecord e;
      e.child = table.get(row, "CHILD");
      e.start = date(table.get(row, "DECOM"));
      if (!table.get(row, "DEC").empty()) e.end = date(table.get(row, "DEC"));
      e.reason_new = table.get(row, "RNE");
      e.legal_status = table.get(row, "LS");
      e.place = table.get(row, "PLACE");
      e.provider = table.get(row, "PLACE_PROVIDER");
      e.end_reason = table.get(row, "REC");
      e.place_change_reason = table.get(row, "REASON_PLACE_CHANGE");
      e.home_postcode = table.get(row, "HOME_POST");
      e.placement_postcode = table.get(row, "PL_POST");
      latest[{e.child, e.start}] = e;
    }
  }
  std::map<std::string, std::vector<EpisodeRecord>> by_child;
  for (auto& [key, episode] : latest) by_child[key.first].push_back(episode);
  return by_child;
}

std::map<std::string, Date> dates_of_birth(const SyntheticReturns& returns, const std::vector<int>& years) {
  std::map<std::string, Date> born;
  for (const int year : years) {
    const Table header = parse(file_text(returns, std::to_string(year) + "-header.csv"));
    for (std::size_t row = 0; row < header.rows.size(); ++row) {
      born[header.get(row, "CHILD")] = date(header.get(row, "DOB"));
    }
  }
  return born;
}

// ---------------------------------------------------------------------------------------------

TEST(SyntheticReturns, WritesAReadmeAndThreeFilesForEachCollectionYear) {
  const SyntheticReturns& returns = default_returns();
  const std::vector<int> years = expected_years(default_scenario(), kYears);
  EXPECT_EQ(default_history().collection_years(), years);
  std::vector<std::string> expected_names = {"README.txt"};
  for (const int year : years) {
    for (const char* table : {"-header.csv", "-episodes.csv", "-uasc.csv"}) {
      expected_names.push_back(std::to_string(year) + table);
    }
  }
  std::vector<std::string> names;
  for (const SyntheticFile& file : returns.files) names.push_back(file.name);
  EXPECT_EQ(names, expected_names);

  const std::string& readme = file_text(returns, "README.txt");
  EXPECT_NE(readme.find("SYNTHETIC"), std::string::npos);
  EXPECT_NE(readme.find("NO REAL CHILD"), std::string::npos);
  EXPECT_NE(readme.find("carecast synth"), std::string::npos);
  EXPECT_NE(readme.find("\"default\""), std::string::npos);
  EXPECT_NE(readme.find("seed 1,"), std::string::npos);

  const std::map<std::string, std::string> columns = {
      {"-header.csv", "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB"},
      {"-episodes.csv",
       "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,PL_LOCATION,"
       "PL_DISTANCE"},
      {"-uasc.csv", "CHILD,SEX,DOB,DUC"},
  };
  std::set<std::pair<std::string, Date>> distinct_episodes;
  std::set<std::string> children;
  for (const int year : years) {
    for (const auto& [suffix, header] : columns) {
      const std::string& text = file_text(returns, std::to_string(year) + suffix);
      ASSERT_EQ(text.substr(0, text.find('\n')), header);
      const Table table = parse(text);
      EXPECT_FALSE(table.rows.empty()) << year << suffix;
      for (std::size_t row = 0; row < table.rows.size(); ++row) {
        ASSERT_EQ(table.rows[row].size(), table.columns.size()) << year << suffix << " row " << row;
        EXPECT_TRUE(table.get(row, "CHILD").starts_with("SYN"));
        children.insert(table.get(row, "CHILD"));
        if (suffix == "-episodes.csv") {
          distinct_episodes.insert({table.get(row, "CHILD"), date(table.get(row, "DECOM"))});
        }
      }
    }
  }
  EXPECT_EQ(returns.children, children.size());
  // Every simulated child with an episode in the years written, and no other, is in the files.
  const Date first_day = make_date(years.front(), 4, 1);
  const Date last_day = make_date(years.back() + 1, 3, 31);
  std::size_t in_span = 0;
  for (const SyntheticChild& child : default_history().children) {
    const bool any = std::any_of(child.episodes.begin(), child.episodes.end(), [&](const SyntheticEpisode& e) {
      return e.start <= last_day && (!e.end || *e.end >= first_day);
    });
    in_span += any ? 1 : 0;
  }
  EXPECT_EQ(returns.children, in_span);
  EXPECT_EQ(returns.episodes, distinct_episodes.size());
}

TEST(SyntheticReturns, PlaceAndProviderMapToTheSimulatedCategory) {
  std::map<Category, int> episodes_by_category;
  for (const SyntheticChild& child : default_history().children) {
    for (const SyntheticEpisode& episode : child.episodes) {
      ASSERT_EQ(category_of(episode.place, episode.provider), episode.category)
          << episode.place << ' ' << episode.provider << " for " << name_of(episode.category);
      ++episodes_by_category[episode.category];
      EXPECT_EQ(episode.place == "P1", episode.provider == "PR0") << episode.place << ' ' << episode.provider;
      const bool home = episode.place == "K1" || episode.place == "K2" || episode.place == "R1";
      EXPECT_EQ(home, episode.urn.starts_with("SC")) << episode.place << " URN " << episode.urn;
      if (!home) EXPECT_TRUE(episode.urn.empty());
      if (episode.place == "P1") EXPECT_EQ(episode.placement_postcode, child.home_postcode);
    }
  }
  // Every category the default scenario starts children in is written.
  const StartingCounts& counts = *default_scenario().starting_counts;
  for (int c = 0; c < kCategoryCount; ++c) {
    int starting = 0;
    for (const auto& band : counts.count[c]) starting += band[0] + band[1];
    if (starting > 0) EXPECT_GT(episodes_by_category[static_cast<Category>(c)], 0) << kCategoryNames[c];
  }
}

// Replication 0 of a seed is the same whoever runs it, so the children whose episode is open on
// 31 March in that year's return (no DEC there) are exactly the simulated stock on that date.
void expect_open_episodes_match_stock(const Scenario& scenario, int years, std::uint64_t seed) {
  const SyntheticReturns returns = render_synthetic_returns(simulate_synthetic_history(scenario, years, seed));
  Scenario over_horizon = scenario;
  over_horizon.horizon_years = years;
  const RunResult result = run_replications(over_horizon, [&] { RunOptions o{1, seed, 1}; o.parameter_uncertainty = false; return o; }());

  const std::vector<int> written = simulate_synthetic_history(scenario, years, seed).collection_years();
  int march_ends = 0;
  for (int d = 0; d < result.calendar.date_count(); ++d) {
    const std::chrono::year_month_day day{result.calendar.dates[static_cast<std::size_t>(d)]};
    if (day.month() != std::chrono::March || day.day() != std::chrono::day{31}) continue;
    if (std::find(written.begin(), written.end(), static_cast<int>(day.year()) - 1) == written.end()) continue;
    ++march_ends;
    const Table table = episodes_of(returns, static_cast<int>(day.year()) - 1);
    PerCategory<std::int32_t> open{};
    for (std::size_t row = 0; row < table.rows.size(); ++row) {
      if (!table.get(row, "DEC").empty()) continue;
      const auto category = category_of(table.get(row, "PLACE"), table.get(row, "PLACE_PROVIDER"));
      ASSERT_TRUE(category.has_value()) << table.get(row, "PLACE") << ' ' << table.get(row, "PLACE_PROVIDER");
      ++open[static_cast<int>(*category)];
    }
    std::int32_t total = 0;
    for (int c = 0; c < kCategoryCount; ++c) {
      EXPECT_EQ(open[c], result.value(0, d, result.layout.stock_by_category + c))
          << kCategoryNames[c] << " on 31 March " << static_cast<int>(day.year());
      total += open[c];
    }
    EXPECT_GT(total, 0);
  }
  EXPECT_EQ(march_ends, static_cast<int>(written.size()));
  EXPECT_GE(march_ends, years - 1);
}

TEST(SyntheticReturns, OpenEpisodesOn31MarchAreTheSimulatedStock) {
  expect_open_episodes_match_stock(default_scenario(), kYears, kSeed);
}

TEST(SyntheticReturns, OpenEpisodesMatchTheStockForAPerChildStartingPopulation) {
  expect_open_episodes_match_stock(testing::mixed_scenario(), 3, 7);
}

TEST(SyntheticReturns, SameSeedGivesIdenticalFilesAndAnotherSeedDifferentOnes) {
  const SyntheticReturns again =
      render_synthetic_returns(simulate_synthetic_history(default_scenario(), kYears, kSeed));
  ASSERT_EQ(again.files.size(), default_returns().files.size());
  for (std::size_t i = 0; i < again.files.size(); ++i) {
    EXPECT_EQ(again.files[i].text, default_returns().files[i].text) << again.files[i].name;
  }
  const SyntheticReturns other = render_synthetic_returns(simulate_synthetic_history(default_scenario(), kYears, 2));
  const int last_year = default_history().collection_years().back();
  EXPECT_NE(file_text(other, std::to_string(last_year) + "-episodes.csv"),
            file_text(default_returns(), std::to_string(last_year) + "-episodes.csv"));
  EXPECT_NE(file_text(other, std::to_string(last_year) + "-header.csv"),
            file_text(default_returns(), std::to_string(last_year) + "-header.csv"));
}

// Each period of care is contiguous; a child coming back into care (the default base has
// [re_entry]) has a new period under the same CHILD, begun by RNE S on or after the day the period
// before ended with a return home (E4A) or a child arrangements order (E41).
TEST(SyntheticReturns, PeriodsOfCareAreContiguous) {
  const std::vector<int> years = default_history().collection_years();
  const Date first_day = make_date(years.front(), 4, 1);
  const std::set<std::string> leaving_codes = {"E4A", "E45", "E46", "E47", "E11", "E41", "E5", "E8", "E17"};
  int moves = 0;
  int re_entries = 0;
  for (const auto& [child, episodes] : episodes_by_child(default_returns(), years)) {
    // A starting child's first episode may have ended before the first year written.
    const EpisodeRecord& first = episodes.front();
    EXPECT_TRUE(first.reason_new == "S" || first.start < first_day) << child;
    for (std::size_t i = 0; i + 1 < episodes.size(); ++i) {
      const EpisodeRecord& episode = episodes[i];
      const EpisodeRecord& next = episodes[i + 1];
      ASSERT_TRUE(episode.end.has_value()) << child;
      if (next.reason_new == "S") {
        EXPECT_TRUE(episode.end_reason == "E4A" || episode.end_reason == "E41") << child << ' ' << episode.end_reason;
        EXPECT_TRUE(episode.place_change_reason.empty()) << child;
        EXPECT_GE(next.start, *episode.end) << child;
        EXPECT_GE(*episode.end, episode.start) << child;
        ++re_entries;
        continue;
      }
      EXPECT_EQ(*episode.end, next.start) << child;
      EXPECT_GT(*episode.end, episode.start) << child;
      EXPECT_EQ(episode.end_reason, "X1") << child;
      EXPECT_FALSE(episode.place_change_reason.empty()) << child;
      EXPECT_TRUE(next.reason_new == "P" || next.reason_new == "T") << child;
      ++moves;
    }
    const EpisodeRecord& last = episodes.back();
    EXPECT_EQ(last.end.has_value(), leaving_codes.contains(last.end_reason)) << child << ' ' << last.end_reason;
    EXPECT_TRUE(last.place_change_reason.empty()) << child;
    if (last.end) EXPECT_GE(*last.end, last.start) << child;
  }
  EXPECT_GT(moves, 100);
  EXPECT_GT(re_entries, 20);
}

TEST(SyntheticReturns, NoChildAged18OrOverHasAnOpenEpisode) {
  const SyntheticReturns& returns = default_returns();
  const std::vector<int> years = default_history().collection_years();
  const std::map<std::string, Date> born = dates_of_birth(returns, years);
  int open = 0;
  for (const int year : years) {
    // The last year's return ends at the horizon, not on 31 March.
    const Date year_end = std::min(make_date(year + 1, 3, 31), default_history().horizon_end);
    const Table table = episodes_of(returns, year);
    for (std::size_t row = 0; row < table.rows.size(); ++row) {
      const Date adult = add_years(born.at(table.get(row, "CHILD")), kCareEndsAtAgeYears);
      if (table.get(row, "DEC").empty()) {
        EXPECT_GT(adult, year_end) << table.get(row, "CHILD") << " in " << year;
        ++open;
      } else {
        EXPECT_LE(date(table.get(row, "DEC")), adult) << table.get(row, "CHILD");
        if (table.get(row, "REC") == "E17") EXPECT_EQ(date(table.get(row, "DEC")), adult) << "staying put at 18";
      }
    }
  }
  EXPECT_GT(open, 0);
}

TEST(SyntheticReturns, SiblingsShareAHomeAndPlacementsWithParentsAreAtHome) {
  std::map<std::uint32_t, std::set<std::string>> postcodes_by_group;
  std::map<std::uint32_t, std::set<std::string_view>> ethnicities_by_group;
  for (const SyntheticChild& child : default_history().children) {
    if (child.sibling_group == 0) continue;
    postcodes_by_group[child.sibling_group].insert(child.home_postcode);
    ethnicities_by_group[child.sibling_group].insert(child.ethnicity);
  }
  EXPECT_GT(postcodes_by_group.size(), 10u);
  for (const auto& [group, postcodes] : postcodes_by_group) EXPECT_EQ(postcodes.size(), 1u) << "group " << group;
  for (const auto& [group, ethnicities] : ethnicities_by_group) EXPECT_EQ(ethnicities.size(), 1u) << "group " << group;
}

TEST(SyntheticReturns, CodesAreCoherent) {
  const std::vector<int> years = default_history().collection_years();
  const std::map<std::string, Date> born = dates_of_birth(default_returns(), years);
  const std::set<std::string> legal_statuses = {"C1", "C2", "E1", "V2", "J1"};
  std::map<std::string, int> legal_status_count;
  int episodes_total = 0;
  int same_carers = 0;
  for (const auto& [child, episodes] : episodes_by_child(default_returns(), years)) {
    for (std::size_t i = 0; i < episodes.size(); ++i) {
      const EpisodeRecord& e = episodes[i];
      ++episodes_total;
      ++legal_status_count[e.legal_status];
      EXPECT_TRUE(legal_statuses.contains(e.legal_status)) << e.legal_status;
      if (e.place == "A5" || e.place == "A6") EXPECT_EQ(e.legal_status, "E1") << "placement order";
      if (e.place == "P1") EXPECT_TRUE(e.legal_status == "C1" || e.legal_status == "C2") << e.legal_status;
      if (e.legal_status == "J1") {
        const auto age = std::chrono::duration<double, std::ratio<31556952>>(e.start - born.at(child)).count();
        EXPECT_GE(age, 10.0) << "youth justice status under 10";
      }
      if (e.end_reason == "E17") EXPECT_TRUE(e.place.starts_with("U")) << "staying put from " << e.place;
      if (e.end_reason == "E45") EXPECT_TRUE(e.place == "U1" || e.place == "U2" || e.place == "U3") << e.place;
      if (e.reason_new == "T") {
        // Fostering-for-adoption carers becoming the adopters: same carers, same address.
        ++same_carers;
        EXPECT_TRUE(e.place == "A3" || e.place == "A5") << e.place;
        if (i == 0) continue;  // the fostering placement ended before the first year written
        EXPECT_EQ(episodes[i - 1].place, "U5");
        EXPECT_EQ(e.placement_postcode, episodes[i - 1].placement_postcode);
        EXPECT_EQ(episodes[i - 1].place_change_reason, "PLACE");
      }
    }
  }
  EXPECT_GT(same_carers, 0);
  // Mostly care orders and section 20; youth justice statuses rare.
  EXPECT_GT(legal_status_count["C1"] + legal_status_count["C2"] + legal_status_count["V2"], episodes_total * 9 / 10);
  EXPECT_LT(legal_status_count["J1"], episodes_total / 20);

  for (const int year : years) {
    const Table header = parse(file_text(default_returns(), std::to_string(year) + "-header.csv"));
    const Table uasc = parse(file_text(default_returns(), std::to_string(year) + "-uasc.csv"));
    std::set<std::string> uasc_children;
    for (std::size_t row = 0; row < uasc.rows.size(); ++row) {
      uasc_children.insert(uasc.get(row, "CHILD"));
      EXPECT_EQ(date(uasc.get(row, "DUC")), add_years(date(uasc.get(row, "DOB")), kCareEndsAtAgeYears));
    }
    for (std::size_t row = 0; row < header.rows.size(); ++row) {
      const std::string& sex = header.get(row, "SEX");
      EXPECT_TRUE(sex == "1" || sex == "2");
      const std::string& upn = header.get(row, "UPN");
      if (uasc_children.contains(header.get(row, "CHILD"))) {
        EXPECT_EQ(upn, "UN2");
      } else if (upn != "UN1") {
        EXPECT_EQ(upn.size(), 13u);
        EXPECT_EQ(upn.substr(1, 3), "000") << "a UPN with no authority's number";
      }
      if (header.get(row, "MOTHER") == "1") {
        EXPECT_EQ(sex, "2");
        EXPECT_LE(date(header.get(row, "MC_DOB")), make_date(year + 1, 3, 31));
      } else {
        EXPECT_TRUE(header.get(row, "MC_DOB").empty());
      }
    }
  }
  for (const SyntheticChild& child : default_history().children) {
    if (!child.uasc) continue;
    EXPECT_EQ(child.category_of_need, "N8");
    for (const SyntheticEpisode& episode : child.episodes) EXPECT_EQ(episode.legal_status, "V2") << episode.place;
  }
}

TEST(SyntheticReturns, AGirlInAMotherAndBabyUnitIsRecordedAsAMother) {
  Scenario scenario = testing::single_category_scenario(0.0, 0, 0, 1);
  for (const Sex sex : {Sex::female, Sex::male}) {
    StartingChild child;
    child.age_days = 15 * 365;
    child.sex = sex;
    child.category = Category::parent_and_child;
    child.days_in_placement = 10;
    child.days_in_care = 10;
    scenario.starting_children.push_back(child);
  }
  const SyntheticHistory history = simulate_synthetic_history(scenario, 2, kSeed);
  ASSERT_EQ(history.children.size(), 2u);
  const SyntheticChild& mother = history.children[0];
  const Date placed = mother.episodes.front().start;
  ASSERT_TRUE(mother.first_child_born.has_value());
  EXPECT_LE(*mother.first_child_born, placed);
  EXPECT_GT(*mother.first_child_born, placed - std::chrono::days{28});
  EXPECT_FALSE(history.children[1].first_child_born.has_value());

  const SyntheticReturns returns = render_synthetic_returns(history);
  const Table header = parse(file_text(returns, std::to_string(history.collection_years().front()) + "-header.csv"));
  ASSERT_EQ(header.rows.size(), 2u);
  EXPECT_EQ(header.get(0, "MOTHER"), "1");
  EXPECT_EQ(date(header.get(0, "MC_DOB")), *mother.first_child_born);
  EXPECT_EQ(header.get(1, "MOTHER"), "");
  EXPECT_EQ(header.get(1, "MC_DOB"), "");
}

// ---------------------------------------------------------------------------------------------
// Round trip through the SSDA903 loader

class SyntheticReturnsOnDisk : public testing::TemporaryFolderTest {};

TEST_F(SyntheticReturnsOnDisk, LoadWithNoRowDroppedOrChanged) {
  const SyntheticReturns& returns = default_returns();
  for (const SyntheticFile& file : returns.files) std::ofstream(dir_ / file.name, std::ios::binary) << file.text;
  CleaningReport report;
  const CareHistory loaded = load_ssda903({dir_}, std::nullopt, report);

  // Only repeats of an episode across years are dropped.
  for (const CleaningStep& step : report.steps) {
    const bool repeat_across_years = step.id == "exact_duplicate" || step.id == "closed_in_later_return" ||
                                     step.id == "header_repeated" || step.id == "uasc_repeated";
    if (step.effect == CleaningEffect::dropped && !repeat_across_years) EXPECT_EQ(step.count, 0u) << step.id;
    if (step.effect == CleaningEffect::changed) EXPECT_EQ(step.count, 0u) << step.id;
  }
  for (const char* id : {"missing_end_reason", "parents_as_provider", "legal_change_moves_placement",
                         "temporary_at_period_start", "new_period_without_start", "ends_after_data",
                         "header_details_differ"}) {
    EXPECT_EQ(report.count(id), 0u) << id;
  }
  // Only complete collection years are written, and care ends at 18 in the simulation, so no child
  // is still looked after at the end of the data on or after their 18th birthday.
  const SyntheticHistory& history = default_history();
  const Date first_day = make_date(history.collection_years().front(), 4, 1);
  const Date last_day = make_date(history.collection_years().back() + 1, 3, 31);
  EXPECT_EQ(report.count("past_18th_birthday"), 0u);

  EXPECT_EQ(report.children, returns.children);
  EXPECT_EQ(report.periods, returns.periods);
  EXPECT_GT(returns.periods, returns.children);  // some children came back into care
  EXPECT_EQ(report.episodes_kept, returns.episodes);
  EXPECT_EQ(report.placements, returns.episodes);

  // Children load in identifier order, the order they were simulated in; each placement has the
  // simulated category and dates (as the files show them: an episode ending after the last year
  // written is open there).
  std::vector<const SyntheticChild*> in_files;
  for (const SyntheticChild& child : history.children) {
    if (std::any_of(child.episodes.begin(), child.episodes.end(), [&](const SyntheticEpisode& e) {
          return e.start <= last_day && (!e.end || *e.end >= first_day);
        })) {
      in_files.push_back(&child);
    }
  }
  ASSERT_EQ(loaded.children.size(), in_files.size());
  for (std::size_t i = 0; i < in_files.size(); ++i) {
    const SyntheticChild& synthetic = *in_files[i];
    const ChildHistory& child = loaded.children[i];
    EXPECT_EQ(child.date_of_birth, synthetic.date_of_birth);
    EXPECT_EQ(child.sex, synthetic.sex);
    EXPECT_EQ(child.uasc, synthetic.uasc);
    // The written episodes, by period of care (a new one at each RNE S).
    std::vector<std::vector<const SyntheticEpisode*>> written;
    bool new_period = true;
    for (const SyntheticEpisode& episode : synthetic.episodes) {
      if (episode.reason_new == "S") new_period = true;
      if ((!episode.end || *episode.end >= first_day) && episode.start <= last_day) {
        if (new_period) written.emplace_back();
        new_period = false;
        written.back().push_back(&episode);
      }
    }
    ASSERT_EQ(child.periods.size(), written.size()) << synthetic.id;
    for (std::size_t k = 0; k < written.size(); ++k) {
      const std::vector<PlacementSpell>& placements = child.periods[k].placements;
      ASSERT_EQ(placements.size(), written[k].size()) << synthetic.id;
      for (std::size_t p = 0; p < placements.size(); ++p) {
        EXPECT_EQ(placements[p].category, written[k][p]->category) << synthetic.id;
        EXPECT_EQ(placements[p].start, written[k][p]->start) << synthetic.id;
        const bool ends_within = written[k][p]->end && *written[k][p]->end <= last_day;
        EXPECT_EQ(placements[p].end, ends_within ? written[k][p]->end : std::nullopt) << synthetic.id;
        EXPECT_EQ(placements[p].location, written[k][p]->location) << synthetic.id;
      }
    }
  }
}

// synth writes each placement's simulated band as PL_LOCATION and PL_DISTANCE, and calibrate's
// estimate from them gives back the scenario's shares: for each provider with at least 50
// placements in the returns, a chi-squared test of the band counts against the scenario's shares
// (no prior, no recency weighting) at a false-alarm rate of 1 in 10,000 per provider; a band with
// share 0 is never seen. In-house carers are left out: a household's band is drawn once and its
// children share it, so their placements are not independent draws and the test's variance would
// be too small for them.
TEST_F(SyntheticReturnsOnDisk, CalibrateRecoversTheScenariosLocationShares) {
  const SyntheticReturns& returns = default_returns();
  for (const SyntheticFile& file : returns.files) std::ofstream(dir_ / file.name, std::ios::binary) << file.text;
  CleaningReport report;
  const CareHistory loaded = load_ssda903({dir_}, std::nullopt, report);
  const LocationShares& truth = *default_scenario().supply.location_shares;
  const Date as_of = make_date(default_history().collection_years().back() + 1, 3, 31);
  const LocationShareEstimate estimate =
      estimate_location_shares(loaded, as_of, shipped_default_location_shares(), {.prior_placements = 0});
  PerCategory<std::array<double, kLocationBandCount>> counts{};
  for (const ChildHistory& child : loaded.children) {
    for (const CarePeriod& period : child.periods) {
      for (const PlacementSpell& placement : period.placements) {
        if (placement.location && placement.start >= *loaded.observed_from) {
          ++counts[static_cast<int>(placement.category)][static_cast<int>(*placement.location)];
        }
      }
    }
  }
  // Chi-squared quantiles at 1 - 1e-4 for 1 and 2 degrees of freedom.
  constexpr std::array<double, 3> kCritical = {0, 15.14, 18.42};
  int tested = 0;
  for (int c = 0; c < kCategoryCount; ++c) {
    const double n = counts[c][0] + counts[c][1] + counts[c][2];
    if (static_cast<Category>(c) == Category::foster_in_house || n < 50) continue;
    ++tested;
    ASSERT_TRUE(estimate.from_returns[c]) << kCategoryNames[c];
    std::vector<double> observed, expected;
    int positive = 0;
    for (int b = 0; b < kLocationBandCount; ++b) {
      observed.push_back(counts[c][b]);
      expected.push_back(n * truth[c][b]);
      if (truth[c][b] > 0) ++positive;
      if (truth[c][b] == 0) EXPECT_EQ(counts[c][b], 0) << kCategoryNames[c] << " band " << b;
      EXPECT_NEAR(estimate.shares[c][b], counts[c][b] / n, 0.001) << kCategoryNames[c];  // to thousandths: within one
    }
    EXPECT_LT(testing::chi_squared_statistic(observed, expected), kCritical[static_cast<std::size_t>(positive - 1)])
        << kCategoryNames[c] << ": " << counts[c][0] << ", " << counts[c][1] << ", " << counts[c][2] << " of " << n;
  }
  EXPECT_GE(tested, 4);  // agency carers, kinship carers, supported accommodation, ... have enough
}

// synth writes a child coming back into care as a new period of care, so calibrate's re-entry count
// recovers the scenario's hazard from the returns. Under 16 the default base's hazard is the same at
// every age: in each band of time since leaving, the re-entries counted in the returns are a Poisson
// count with mean hazard x years at risk, within k standard errors of it.
TEST_F(SyntheticReturnsOnDisk, CalibrateRecoversTheReEntryHazard) {
  const SyntheticReturns& returns = default_returns();
  for (const SyntheticFile& file : returns.files) std::ofstream(dir_ / file.name, std::ios::binary) << file.text;
  CleaningReport report;
  const CareHistory loaded = load_ssda903({dir_}, std::nullopt, report);
  const std::vector<int> years = default_history().collection_years();
  ReEntryCounter counter(make_date(years.front(), 4, 1), make_date(years.back() + 1, 3, 31));
  for (const ChildHistory& child : loaded.children) counter.count(child);
  ASSERT_GT(counter.re_entries(), 20u);

  const ReEntry& truth = default_scenario().re_entry;
  ASSERT_EQ(truth.band_starts_months, std::vector<std::int32_t>(kReEntryBandStartMonths.begin(),
                                                                kReEntryBandStartMonths.end()));
  const int under_16 = static_cast<int>(AgeBand::from_16_to_17);
  for (int since = 0; since < static_cast<int>(kReEntryBandStartMonths.size()); ++since) {
    const double hazard = truth.hazard_per_year[0][static_cast<std::size_t>(since)];
    double events = 0;
    double years_at_risk = 0;
    for (int band = 0; band < under_16; ++band) {
      ASSERT_EQ(truth.hazard_per_year[static_cast<std::size_t>(band)][static_cast<std::size_t>(since)], hazard);
      events += counter.events(band, since);
      years_at_risk += counter.years(band, since);
    }
    ASSERT_GT(years_at_risk, 20) << "band " << since;
    const double expected = hazard * years_at_risk;
    EXPECT_NEAR(events, expected, testing::standard_errors_allowed() * std::sqrt(expected))
        << "band " << since << ": " << events << " re-entries in " << years_at_risk << " years at risk";
  }
}

// ---------------------------------------------------------------------------------------------
// The command

using Outcome = carecast::testing::CommandOutcome;
using carecast::testing::run_carecast;

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(SyntheticReturnsOnDisk, CommandWritesIdenticalFilesForTheSameSeed) {
  const Outcome first = run_carecast("synth --years 2 --seed 3 --out " + (dir_ / "a").string());
  const Outcome second = run_carecast("synth --years 2 --seed 3 --out " + (dir_ / "b").string());
  ASSERT_EQ(first.exit_code, 0) << first.output;
  ASSERT_EQ(second.exit_code, 0) << second.output;
  EXPECT_NE(first.output.find("SYNTHETIC"), std::string::npos) << first.output;
  EXPECT_EQ(std::count(first.output.begin(), first.output.end(), '\n'), 1) << first.output;

  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir_ / "a")) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names.size(), 1 + 3 * expected_years(default_scenario(), 2).size());
  for (const std::string& name : names) {
    EXPECT_EQ(read_file(dir_ / "a" / name), read_file(dir_ / "b" / name)) << name;
  }
  EXPECT_NE(read_file(dir_ / "a" / "README.txt").find("seed 3,"), std::string::npos);

  // Writing again into the same folder is refused; with --replace it replaces the folder.
  EXPECT_EQ(run_carecast("synth --years 2 --seed 3 --out " + (dir_ / "a").string()).exit_code, 2);
  EXPECT_EQ(run_carecast("synth --years 2 --seed 3 --replace --out " + (dir_ / "a").string()).exit_code, 0);
}

TEST_F(SyntheticReturnsOnDisk, CommandRejectsBadInputWithExitCode2) {
  EXPECT_EQ(run_carecast("synth --years 11 --out " + (dir_ / "a").string()).exit_code, 2);
  EXPECT_EQ(run_carecast("synth --out " + (dir_ / "a").string() + " --scenario " + (dir_ / "missing.toml").string())
                .exit_code,
            2);
  EXPECT_EQ(run_carecast("synth --years 2").exit_code, 2);  // --out is required

  // Returns left from a run over more years would be mixed into this one's when the folder is read.
  fs::create_directories(dir_ / "old");
  std::ofstream(dir_ / "old" / "2031-episodes.csv") << "CHILD\n";
  const Outcome stale = run_carecast("synth --years 2 --out " + (dir_ / "old").string());
  EXPECT_EQ(stale.exit_code, 2) << stale.output;
  EXPECT_NE(stale.output.find("2031-episodes.csv"), std::string::npos) << stale.output;
  EXPECT_FALSE(fs::exists(dir_ / "old" / "README.txt"));
}

}  // namespace
}  // namespace carecast
