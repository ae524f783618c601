#include "history/ssda903.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <compare>
#include <deque>
#include <functional>
#include <iomanip>
#include <map>
#include <ostream>
#include <span>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <utility>

#include "core/csv_reader.hpp"
#include "core/errors.hpp"
#include "core/input_files.hpp"

namespace carecast {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------------------------------------
// SSDA903 codes (docs/sources.md, "Placement categories" and "SSDA903 returns")

// RNE, reduced to what it means for placements: B is a new carer like P, U the same carer like T.
enum class NewEpisodeReason : std::uint8_t { started, legal_status_only, new_carer, same_carer };

struct NewEpisodeCode {
  std::string_view code;
  NewEpisodeReason reason;
};
constexpr auto kNewEpisodeCodes = std::to_array<NewEpisodeCode>({
    {"S", NewEpisodeReason::started},
    {"L", NewEpisodeReason::legal_status_only},
    {"P", NewEpisodeReason::new_carer},
    {"T", NewEpisodeReason::same_carer},
    {"B", NewEpisodeReason::new_carer},
    {"U", NewEpisodeReason::same_carer},
});

struct LegalStatusCode {
  std::string_view code;
  bool short_breaks;  // V3, V4: left out of every DfE figure
};
constexpr auto kLegalStatusCodes = std::to_array<LegalStatusCode>({
    {"C1", false}, {"C2", false}, {"D1", false}, {"E1", false}, {"V2", false}, {"V3", true}, {"V4", true},
    {"L1", false}, {"L2", false}, {"L3", false}, {"J1", false}, {"J2", false}, {"J3", false},
});

// The category of a PLACE code with an in-house provider (PR1) and with any other provider; the
// two differ only where the provider decides (foster care U4-U6, children's homes K2 and R1).
struct PlaceCode {
  std::string_view code;
  Category in_house;
  Category external;
  bool temporary = false;  // T0-T4: an excursion from the placement, not a placement
  constexpr bool needs_provider() const { return in_house != external; }
};
constexpr PlaceCode fixed(std::string_view code, Category category) { return {code, category, category}; }
constexpr auto kPlaceCodes = std::to_array<PlaceCode>({
    fixed("U1", Category::foster_kinship),
    fixed("U2", Category::foster_kinship),
    fixed("U3", Category::foster_kinship),
    {"U4", Category::foster_in_house, Category::foster_agency},
    {"U5", Category::foster_in_house, Category::foster_agency},
    {"U6", Category::foster_in_house, Category::foster_agency},
    fixed("A3", Category::placed_for_adoption),
    fixed("A4", Category::placed_for_adoption),
    fixed("A5", Category::placed_for_adoption),
    fixed("A6", Category::placed_for_adoption),
    fixed("P1", Category::placed_with_parents),
    {"K2", Category::childrens_home_in_house, Category::childrens_home_external},
    {"R1", Category::childrens_home_in_house, Category::childrens_home_external},
    fixed("K1", Category::residential_other),
    fixed("R2", Category::residential_other),
    fixed("R5", Category::residential_other),
    fixed("S1", Category::residential_other),
    fixed("P3", Category::residential_other),
    fixed("R3", Category::parent_and_child),
    fixed("H5", Category::supported_accommodation),
    fixed("K3", Category::supported_accommodation),
    fixed("P2", Category::supported_accommodation),
    fixed("Z1", Category::other),
    {"T0", Category::other, Category::other, true},
    {"T1", Category::other, Category::other, true},
    {"T2", Category::other, Category::other, true},
    {"T3", Category::other, Category::other, true},
    {"T4", Category::other, Category::other, true},
});

struct ProviderCode {
  std::string_view code;
};
constexpr auto kProviderCodes = std::to_array<ProviderCode>({{"PR0"}, {"PR1"}, {"PR2"}, {"PR3"}, {"PR4"}, {"PR5"}});
constexpr std::string_view kInHouseProvider = "PR1";

// PL_LOCATION: the placement inside or outside the council's own area.
struct LocationCode {
  std::string_view code;
};
constexpr auto kLocationCodes = std::to_array<LocationCode>({{"IN"}, {"OUT"}});
constexpr std::uint8_t kInsideCouncil = 0;
// PL_DISTANCE above this many miles is "more than 20 miles from home", as DfE reports it.
constexpr double kNearHomeMiles = 20;
constexpr std::string_view kParentsProvider = "PR0";

// REC; X1 alone does not end care (a new episode starts the same day).
struct EndReasonCode {
  std::string_view code;
  std::optional<ExitReason> exit;
};
constexpr auto kEndReasonCodes = std::to_array<EndReasonCode>({
    {"X1", std::nullopt},
    {"E11", ExitReason::adoption},
    {"E12", ExitReason::adoption},
    {"E2", ExitReason::other},
    {"E3", ExitReason::other},
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
    {"E7", ExitReason::other},
    {"E8", ExitReason::other},
    {"E9", ExitReason::other},
    {"E13", ExitReason::other},
    {"E14", ExitReason::other},
    {"E15", ExitReason::other},
    {"E16", ExitReason::other},
    {"E17", ExitReason::staying_put},
});
constexpr std::uint8_t kContinuesCode = 0;
static_assert(kEndReasonCodes[kContinuesCode].code == "X1");

struct SexCode {
  std::string_view code;
  Sex sex;
};
constexpr auto kSexCodes = std::to_array<SexCode>({{"1", Sex::male}, {"2", Sex::female}});

// Index of a code in its table, stored in one byte per episode.
using CodeIndex = std::uint8_t;
constexpr CodeIndex kNoCode = 0xFF;

template <class Code, std::size_t N>
std::optional<CodeIndex> find_code(const std::array<Code, N>& codes, std::string_view text) {
  static_assert(N < kNoCode);
  for (std::size_t i = 0; i < N; ++i) {
    if (codes[i].code == text) return static_cast<CodeIndex>(i);
  }
  return std::nullopt;
}

template <class Code, std::size_t N>
std::string list_codes(const std::array<Code, N>& codes) {
  std::string list;
  for (std::size_t i = 0; i < N; ++i) {
    if (i > 0) list += i + 1 == N ? " or " : ", ";
    list += codes[i].code;
  }
  return list;
}

// ---------------------------------------------------------------------------------------------
// Reading fields

constexpr std::string_view kDateForm = "a date as dd/mm/yyyy or yyyy-mm-dd";

// The plausible window of SSDA903 dates. Returns in their present form start in the 1990s, so an
// earlier date (or a collection year outside these years) is a typing error such as 01/01/1900,
// not a child; kLatestYear only guards against years such as 9999.
constexpr int kEarliestYear = 1990;
constexpr int kLatestYear = 2099;
const Date kEarliestDate = make_date(kEarliestYear, 1, 1);

bool plausible_year(int year) { return year >= kEarliestYear && year <= kLatestYear; }

// The last day a return can hold a start (DECOM) or a date of birth: 31 March after the year it
// is named for. Councils name a return for the year its collection year starts (2021 for
// 2021-22) or ends (2021 for 2020-21), so the later reading is taken. A return that names no
// year cannot hold a date after the day it is read.
Date latest_plausible_date(int stated_year) {
  if (stated_year == 0) return std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
  return make_date(stated_year + 1, 3, 31);
}

// A return is made within months of its collection year; an end (DEC) more than a year after the
// latest start it can hold cannot have been known when it was made.
Date latest_plausible_end(int stated_year) {
  return stated_year == 0 ? latest_plausible_date(0) : make_date(stated_year + 2, 3, 31);
}

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_alphanumeric(char c) { return is_digit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// Every SSDA903 code is at most three letters and digits. Anything else found in a code column
// (an identifier or a date in a shifted column, say) may be personal, so it is not repeated back.
bool looks_like_code(std::string_view text) {
  return text.size() <= 3 && std::all_of(text.begin(), text.end(), is_ascii_alphanumeric);
}

std::string_view field(const CsvTable& table, std::size_t row, std::size_t column) {
  return trim(table.field(row, column));
}

// `why` says why the column is needed, where that is not obvious.
template <class Code, std::size_t N>
CodeIndex require_code(const CsvTable& table, std::size_t row, std::size_t column, const std::array<Code, N>& codes,
                       std::string_view why = {}) {
  const std::string_view text = field(table, row, column);
  if (const auto index = find_code(codes, text)) return *index;
  std::string problem;
  if (text.empty()) {
    problem = "blank";
  } else if (looks_like_code(text)) {
    problem = "unknown code '" + std::string(text) + "'";
  } else {
    problem = "unknown code (not repeated here as it may be personal data)";
  }
  throw InputError(table.location(row, column),
                   problem + ", expected " + list_codes(codes) + (why.empty() ? "" : " (" + std::string(why) + ")"));
}

template <class Code, std::size_t N>
CodeIndex optional_code(const CsvTable& table, std::size_t row, std::size_t column,
                        const std::array<Code, N>& codes) {
  return field(table, row, column).empty() ? kNoCode : require_code(table, row, column, codes);
}

// Messages never repeat a date: it may be a date of birth.
Date require_date(const CsvTable& table, std::size_t row, std::size_t column) {
  const std::string_view text = field(table, row, column);
  if (const auto date = parse_date(text)) return *date;
  throw InputError(table.location(row, column),
                   std::string(text.empty() ? "blank" : "unreadable date") + ", expected " + std::string(kDateForm));
}

std::optional<Date> optional_date(const CsvTable& table, std::size_t row, std::size_t column) {
  if (field(table, row, column).empty()) return std::nullopt;
  return require_date(table, row, column);
}

// PL_DISTANCE: miles from home, a decimal 0 or more; nullopt when blank. Never repeated back: with
// the home postcode known, a distance narrows down where a child lives.
std::optional<double> optional_miles(const CsvTable& table, std::size_t row, std::size_t column) {
  const std::string_view text = field(table, row, column);
  if (text.empty()) return std::nullopt;
  double miles = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), miles);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(miles) || miles < 0) {
    throw InputError(table.location(row, column),
                     std::string(error == std::errc() && end == text.data() + text.size() && miles < 0
                                     ? "negative distance"
                                     : "unreadable distance") +
                         ", expected miles from home as a number, 0 or more (such as 12.4), or blank");
  }
  return miles;
}

// A placement's location band from PL_LOCATION and PL_DISTANCE (PlacementSpell::location).
std::optional<LocationBand> location_band(CodeIndex location, std::optional<double> miles) {
  if (location == kNoCode) return std::nullopt;
  if (location == kInsideCouncil) return LocationBand::inside_council;
  if (!miles) return std::nullopt;
  return *miles > kNearHomeMiles ? LocationBand::outside_council_over_20_miles
                                 : LocationBand::outside_council_within_20_miles;
}

std::string_view require_child(const CsvTable& table, std::size_t row, std::size_t column) {
  const std::string_view id = field(table, row, column);
  if (id.empty()) throw InputError(table.location(row, column), "blank, expected the child's identifier");
  return id;
}

// ---------------------------------------------------------------------------------------------
// Input files

struct InputFile {
  fs::path path;
  Ssda903Table table;
  int year;  // the year the file name starts with; 0 if it starts with none
};

std::optional<Ssda903Table> table_named_by(const fs::path& file) {
  std::string name = file.filename().string();
  std::transform(name.begin(), name.end(), name.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; });
  if (name.ends_with("header.csv")) return Ssda903Table::header;
  if (name.ends_with("episodes.csv")) return Ssda903Table::episodes;
  if (name.ends_with("uasc.csv")) return Ssda903Table::uasc;
  return std::nullopt;
}

// The year a file name starts with ("2021-episodes.csv"), 0 if none. A year outside the plausible
// window would set the window of every date in the file, so it is refused.
int year_in_name(const fs::path& file) {
  const std::string name = file.filename().string();
  if (name.size() <= 4 || !std::all_of(name.begin(), name.begin() + 4, is_digit) || is_digit(name[4])) return 0;
  const int year = std::stoi(name.substr(0, 4));
  if (!plausible_year(year)) {
    throw InputError({file.string(), 0, 0, {}}, "the file name starts with the year " + std::to_string(year) +
                                                    ", outside the collection years " +
                                                    std::to_string(kEarliestYear) + "-" +
                                                    std::to_string(kLatestYear) + ": rename the file");
  }
  return year;
}

// A folder's files, checked to pair up by year: episodes cannot be used without the header
// (sex, date of birth) and a header alone suggests a forgotten episodes file.
std::vector<InputFile> files_in_folder(const fs::path& folder) {
  std::vector<InputFile> found;
  std::error_code error;
  for (fs::directory_iterator entry(folder, error), end; !error && entry != end; entry.increment(error)) {
    if (const auto table = table_named_by(entry->path())) {
      // A FIFO or a folder named like a return would hang the read or be skipped in silence.
      require_regular_file(entry->path());
      found.push_back({entry->path(), *table, year_in_name(entry->path())});
    }
  }
  if (error) throw InputError({folder.string(), 0, 0, {}}, "cannot list the folder: " + error.message());
  if (found.empty()) {
    throw InputError({folder.string(), 0, 0, {}},
                     "no SSDA903 files in this folder: expected <year>-header.csv and <year>-episodes.csv, "
                     "optionally <year>-uasc.csv");
  }
  std::sort(found.begin(), found.end(), [](const InputFile& a, const InputFile& b) {
    return std::tie(a.year, a.table, a.path) < std::tie(b.year, b.table, b.path);
  });
  for (const InputFile& file : found) {
    if (file.table == Ssda903Table::uasc) continue;
    const Ssda903Table partner =
        file.table == Ssda903Table::header ? Ssda903Table::episodes : Ssda903Table::header;
    const bool paired = std::any_of(found.begin(), found.end(), [&](const InputFile& other) {
      return other.table == partner && other.year == file.year;
    });
    if (!paired) {
      throw InputError({file.path.string(), 0, 0, {}},
                       "no " + std::string(name_of(partner)) + " file for the same year in this folder");
    }
  }
  return found;
}

std::vector<InputFile> expand_inputs(const std::vector<fs::path>& inputs) {
  std::vector<InputFile> files;
  for (const fs::path& input : inputs) {
    std::error_code error;
    const std::optional<Ssda903Table> table = table_named_by(input);
    if (fs::is_directory(input, error) && !table) {
      const auto in_folder = files_in_folder(input);
      files.insert(files.end(), in_folder.begin(), in_folder.end());
    } else if (!fs::exists(input, error)) {
      throw InputError({input.string(), 0, 0, {}}, "no such file or folder");
    } else if (require_regular_file(input); table) {
      // Not a folder, FIFO or device (a FIFO would block the read for ever): checked by name before
      // anything is read.
      files.push_back({input, *table, year_in_name(input)});
    } else {
      throw InputError({input.string(), 0, 0, {}},
                       "expected a folder, or a file whose name ends in header.csv, episodes.csv or uasc.csv");
    }
  }
  for (const Ssda903Table needed : {Ssda903Table::header, Ssda903Table::episodes}) {
    if (std::none_of(files.begin(), files.end(), [&](const InputFile& f) { return f.table == needed; })) {
      throw InputError({inputs.empty() ? std::string() : inputs.front().string(), 0, 0, {}},
                       "no " + std::string(name_of(needed)) + " file among the SSDA903 inputs");
    }
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// Cleaning rules, in the order applied (and reported)

enum class Rule : std::uint8_t {
  header_other_la,
  birth_implausible,
  header_repeated,
  header_details_differ,
  header_without_episodes,
  uasc_other_la,
  uasc_ceased_implausible,
  uasc_repeated,
  uasc_without_history,
  episode_other_la,
  start_implausible,
  end_implausible,
  short_breaks,
  ends_before_start,
  no_header,
  starts_before_birth,
  exact_duplicate,
  closed_in_later_return,
  changed_in_later_return,
  end_reason_on_open_episode,
  missing_end_reason,
  open_closed_by_next,
  overlap_cut,
  ends_after_data,
  past_18th_birthday,
  parents_as_provider,
  legal_change_moves_placement,
  temporary_at_period_start,
  continuation_missing,
  new_period_without_start,
};
constexpr std::size_t kRuleCount = 30;

struct RuleText {
  Rule rule;
  std::string_view id;
  Ssda903Table table;
  CleaningEffect effect;
  std::string_view explanation;
};

using enum CleaningEffect;
constexpr Ssda903Table kHeader = Ssda903Table::header;
constexpr Ssda903Table kEpisodes = Ssda903Table::episodes;
constexpr Ssda903Table kUasc = Ssda903Table::uasc;

constexpr std::array<RuleText, kRuleCount> kRules = {{
    {Rule::header_other_la, "header_other_la", kHeader, dropped,
     "header rows for another local authority than the one chosen"},
    {Rule::birth_implausible, "birth_implausible", kHeader, dropped,
     "header rows whose date of birth (DOB) is before 1990 or after the end of the return's collection year "
     "(31 March after the year it is named for, or the day the data are read if it names none)"},
    {Rule::header_repeated, "header_repeated", kHeader, dropped,
     "header rows repeating a child already in another return (the latest return's row is used)"},
    {Rule::header_details_differ, "header_details_differ", kHeader, noted,
     "children whose sex or date of birth differs between returns (the latest return's is used)"},
    {Rule::header_without_episodes, "header_without_episodes", kHeader, dropped,
     "header rows for children with no episode left after cleaning"},
    {Rule::uasc_other_la, "uasc_other_la", kUasc, dropped,
     "UASC rows for another local authority than the one chosen"},
    {Rule::uasc_ceased_implausible, "uasc_ceased_implausible", kUasc, changed,
     "UASC rows whose date of ceasing to be unaccompanied (DUC) is before 1990: the DUC is ignored (the child "
     "counts as unaccompanied until 18)"},
    {Rule::uasc_repeated, "uasc_repeated", kUasc, dropped,
     "UASC rows repeating a child already in another return (the latest return's DUC is used)"},
    {Rule::uasc_without_history, "uasc_without_history", kUasc, dropped,
     "UASC rows for children with no header row or no episode left after cleaning"},
    {Rule::episode_other_la, "episode_other_la", kEpisodes, dropped,
     "episodes for another local authority than the one chosen"},
    {Rule::start_implausible, "start_implausible", kEpisodes, dropped,
     "episodes starting (DECOM) before 1990 or after the end of the return's collection year (31 March after "
     "the year it is named for, or the day the data are read if it names none): such a date never sets the "
     "data window"},
    {Rule::end_implausible, "end_implausible", kEpisodes, changed,
     "episodes ending (DEC) more than a year after the end of the return's collection year, which no return "
     "could have known: the DEC and REC are ignored and the episode is read as open"},
    {Rule::short_breaks, "short_breaks", kEpisodes, dropped,
     "short-break episodes (legal status V3 or V4): DfE leaves them out of all published figures"},
    {Rule::ends_before_start, "ends_before_start", kEpisodes, dropped,
     "episodes ending (DEC) before they start (DECOM)"},
    {Rule::no_header, "no_header", kEpisodes, dropped,
     "episodes of children with no row in any header file (sex and date of birth unknown)"},
    {Rule::starts_before_birth, "starts_before_birth", kEpisodes, dropped,
     "episodes starting before the child's date of birth"},
    {Rule::exact_duplicate, "exact_duplicate", kEpisodes, dropped,
     "exact duplicates of an episode kept (same child, start date and content), e.g. an episode in "
     "several years' returns"},
    {Rule::closed_in_later_return, "closed_in_later_return", kEpisodes, dropped,
     "open episodes that a later return closes (the later, closed version is kept)"},
    {Rule::changed_in_later_return, "changed_in_later_return", kEpisodes, dropped,
     "episodes that a later return gives differently for the same child and start date (the later "
     "version is kept)"},
    {Rule::end_reason_on_open_episode, "end_reason_on_open_episode", kEpisodes, changed,
     "open episodes (no DEC) with a reason for ending (REC): the REC is ignored"},
    {Rule::missing_end_reason, "missing_end_reason", kEpisodes, noted,
     "episodes with a DEC but no REC: read as X1 if the next episode starts that day, otherwise as "
     "leaving care for reason other"},
    {Rule::open_closed_by_next, "open_closed_by_next", kEpisodes, changed,
     "open episodes followed by a later episode of the same child: closed on the day the next starts"},
    {Rule::overlap_cut, "overlap_cut", kEpisodes, changed,
     "episodes ending after the child's next episode starts: cut to end on the day the next starts"},
    {Rule::ends_after_data, "ends_after_data", kEpisodes, noted,
     "episodes ending after 31 March of the latest collection year: kept as given"},
    {Rule::past_18th_birthday, "past_18th_birthday", kEpisodes, noted,
     "episodes ending after the child's 18th birthday, or open at the end of the data when the child "
     "is 18 by then: kept as given (care normally ends at 18)"},
    {Rule::parents_as_provider, "parents_as_provider", kEpisodes, noted,
     "foster or children's home episodes with provider PR0 (parents): counted as external, not in-house"},
    {Rule::legal_change_moves_placement, "legal_change_moves_placement", kEpisodes, noted,
     "changes of legal status only (RNE L) whose PLACE or PLACE_PROVIDER differs from the placement: "
     "kept in the same placement, as RNE L says"},
    {Rule::temporary_at_period_start, "temporary_at_period_start", kEpisodes, noted,
     "periods of care starting in a temporary placement (T0-T4): those days are counted in the first "
     "ordinary placement (category other if there is none)"},
    {Rule::continuation_missing, "continuation_missing", kEpisodes, changed,
     "periods of care whose last episode ends with X1 (a new episode the same day) but none continues "
     "it: leaving care recorded with reason other"},
    {Rule::new_period_without_start, "new_period_without_start", kEpisodes, noted,
     "episodes starting a new period of care (after a gap or a leaving-care REC) without RNE S: a new "
     "period is started"},
}};

constexpr bool rules_in_enum_order() {
  for (std::size_t i = 0; i < kRuleCount; ++i) {
    if (static_cast<std::size_t>(kRules[i].rule) != i) return false;
  }
  return true;
}
static_assert(rules_in_enum_order());

constexpr bool is_other_la_rule(Rule rule) {
  return rule == Rule::header_other_la || rule == Rule::uasc_other_la || rule == Rule::episode_other_la;
}

// ---------------------------------------------------------------------------------------------
// Records held while loading

// Where a row comes from, ordered so that a later return compares greater.
struct ReturnOrder {
  int year = 0;  // YEAR column, else the file name's year, else 0
  std::uint32_t file = 0;
  std::uint32_t row = 0;
  auto operator<=>(const ReturnOrder&) const = default;
};

struct HeaderDetails {
  ReturnOrder order;
  Sex sex;
  Date date_of_birth;
};

struct UascDetails {
  ReturnOrder order;
  std::optional<Date> ceased;
};

struct ChildRecord {
  const std::string* id = nullptr;  // the CHILD key in the id map; used only to join and to order
  std::optional<HeaderDetails> header;
  bool header_details_differ = false;
  std::optional<UascDetails> uasc;
};

struct Episode {
  std::uint32_t child = 0;  // index into the child records
  Date start;
  std::optional<Date> end;
  ReturnOrder order;
  NewEpisodeReason reason = NewEpisodeReason::started;
  CodeIndex legal_status = kNoCode;
  CodeIndex place = kNoCode;
  CodeIndex provider = kNoCode;  // kNoCode when blank or not needed and unreadable
  CodeIndex end_reason = kNoCode;
  Category category = Category::other;
  std::string_view home_postcode;  // into the file's CsvTable, kept alive while loading
  std::optional<LocationBand> location;  // from PL_LOCATION and PL_DISTANCE

  bool temporary() const { return kPlaceCodes[place].temporary; }
  bool same_place_as(const Episode& other) const { return place == other.place && provider == other.provider; }
  // The same content in another return: the fields this loader uses, other than child and start.
  bool same_content_as(const Episode& other) const {
    return end == other.end && reason == other.reason && legal_status == other.legal_status &&
           same_place_as(other) && end_reason == other.end_reason && home_postcode == other.home_postcode &&
           location == other.location;
  }
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
};

// ---------------------------------------------------------------------------------------------
// The loader

class Ssda903Loader {
 public:
  explicit Ssda903Loader(const std::optional<std::string>& la) {
    if (la) la_ = std::string(trim(*la));
  }

  void read(const InputFile& file);
  CareHistory build(CleaningReport& report);

 private:
  void read_header(const CsvTable& table, const InputFile& file);
  void read_uasc(const CsvTable& table, const InputFile& file);
  void read_episodes(const CsvTable& table, const InputFile& file);

  std::optional<std::size_t> la_column(const CsvTable& table) const;
  bool for_chosen_la(const CsvTable& table, std::size_t row, std::optional<std::size_t> column);
  ReturnOrder order_of(const CsvTable& table, std::size_t row, std::optional<std::size_t> year_column,
                       int file_year) const;
  std::uint32_t child_index(std::string_view id);

  std::vector<std::uint32_t> child_ranks() const;
  std::vector<Episode> latest_versions(const std::vector<std::uint32_t>& rank);
  void tidy_sequences(std::vector<Episode>& episodes);
  void note_ages_and_ends(const std::vector<Episode>& episodes, Date last_date);
  void add_periods(std::span<const Episode> episodes, ChildHistory& child);
  void finish_period(CarePeriod& period, const Episode& last);

  std::size_t& counter(Rule rule) { return counts_[static_cast<std::size_t>(rule)]; }
  // Counts a rule applied to one field, remembering where the first one was.
  void count_field(Rule rule, const CsvTable& table, std::size_t row, std::size_t column) {
    if (counter(rule)++ == 0) {
      first_at_[static_cast<std::size_t>(rule)] =
          table.file() + ":" + std::to_string(table.line(row)) + ", column " + table.columns()[column];
    }
  }

  std::optional<std::string> la_;
  std::optional<std::string> only_la_seen_;  // without a filter, rows may name one LA only
  std::size_t episode_rows_for_la_ = 0;
  std::string first_episodes_file_;
  std::uint32_t files_read_ = 0;
  std::vector<FileRowCount> row_counts_;
  // Episodes keep views of their HOME_POST text; a deque never moves the tables it holds.
  std::deque<CsvTable> episode_tables_;
  std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>> child_ids_;
  std::vector<ChildRecord> children_;
  std::vector<Episode> episodes_;
  // The latest DECOM in each return (episodes file and YEAR): it lies in that collection year.
  std::map<std::pair<std::uint32_t, int>, Date> latest_start_by_return_;
  std::array<std::size_t, kRuleCount> counts_{};
  std::array<std::string, kRuleCount> first_at_;
};

void Ssda903Loader::read(const InputFile& file) {
  CsvTable table = CsvTable::read(file.path);
  row_counts_.push_back({table.file(), file.table, table.row_count()});
  switch (file.table) {
    case Ssda903Table::header: read_header(table, file); break;
    case Ssda903Table::uasc: read_uasc(table, file); break;
    case Ssda903Table::episodes: read_episodes(episode_tables_.emplace_back(std::move(table)), file); break;
  }
  ++files_read_;
}

std::optional<std::size_t> Ssda903Loader::la_column(const CsvTable& table) const {
  const auto column = table.find_column("LA");
  if (la_ && !column) {
    throw InputError({table.file(), table.header_line(), 0, "LA"},
                     "the header has no LA column, which choosing a local authority needs");
  }
  return column;
}

bool Ssda903Loader::for_chosen_la(const CsvTable& table, std::size_t row, std::optional<std::size_t> column) {
  if (!column) return true;
  const std::string_view la = field(table, row, *column);
  if (la_) return la == *la_;
  if (!only_la_seen_) {
    only_la_seen_ = std::string(la);
  } else if (la != *only_la_seen_) {
    throw InputError(table.location(row, *column), "rows for more than one local authority: choose one with --la");
  }
  return true;
}

ReturnOrder Ssda903Loader::order_of(const CsvTable& table, std::size_t row, std::optional<std::size_t> year_column,
                                    int file_year) const {
  ReturnOrder order{file_year, files_read_, static_cast<std::uint32_t>(row)};
  if (year_column) {
    // "2021", or "2021-22", "2021/22", "2021-2022": the first year orders the returns. Anything
    // else ("2021.0", "21", "2021-23") may be a shifted column or a spreadsheet's reformatting.
    const std::string_view text = field(table, row, *year_column);
    const auto digits = [&](std::size_t from, std::size_t count) {
      return text.size() >= from + count && std::all_of(text.begin() + from, text.begin() + from + count, is_digit);
    };
    const auto number = [&](std::size_t from, std::size_t count) {
      int value = 0;
      for (std::size_t i = from; i < from + count; ++i) value = value * 10 + (text[i] - '0');
      return value;
    };
    bool readable = digits(0, 4);
    const int first = readable ? number(0, 4) : 0;
    if (readable && text.size() > 4) {
      const bool separator = text[4] == '-' || text[4] == '/';
      if (separator && text.size() == 7 && digits(5, 2)) {
        readable = number(5, 2) == (first + 1) % 100;
      } else if (separator && text.size() == 9 && digits(5, 4)) {
        readable = number(5, 4) == first + 1;
      } else {
        readable = false;
      }
    }
    if (!readable) {
      throw InputError(table.location(row, *year_column),
                       "expected a collection year such as 2021, 2021-22 or 2021/22");
    }
    if (!plausible_year(first)) {
      throw InputError(table.location(row, *year_column),
                       "collection year " + std::to_string(first) + " is outside " + std::to_string(kEarliestYear) +
                           "-" + std::to_string(kLatestYear));
    }
    order.year = first;
  }
  return order;
}

std::uint32_t Ssda903Loader::child_index(std::string_view id) {
  if (const auto found = child_ids_.find(id); found != child_ids_.end()) return found->second;
  const auto index = static_cast<std::uint32_t>(children_.size());
  const auto inserted = child_ids_.emplace(std::string(id), index).first;
  children_.push_back({&inserted->first, std::nullopt, false, std::nullopt});
  return index;
}

void Ssda903Loader::read_header(const CsvTable& table, const InputFile& file) {
  const std::size_t child_column = table.require_column("CHILD");
  const std::size_t sex_column = table.require_column("SEX");
  const std::size_t birth_column = table.require_column("DOB");
  const auto la = la_column(table);
  const auto year = table.find_column("YEAR");
  for (std::size_t row = 0; row < table.row_count(); ++row) {
    if (!for_chosen_la(table, row, la)) {
      ++counter(Rule::header_other_la);
      continue;
    }
    const std::string_view id = require_child(table, row, child_column);
    const HeaderDetails details{order_of(table, row, year, file.year),
                                kSexCodes[require_code(table, row, sex_column, kSexCodes)].sex,
                                require_date(table, row, birth_column)};
    if (details.date_of_birth < kEarliestDate || details.date_of_birth > latest_plausible_date(details.order.year)) {
      count_field(Rule::birth_implausible, table, row, birth_column);
      continue;
    }
    ChildRecord& child = children_[child_index(id)];
    if (!child.header) {
      child.header = details;
      continue;
    }
    ++counter(Rule::header_repeated);
    if (child.header->sex != details.sex || child.header->date_of_birth != details.date_of_birth) {
      child.header_details_differ = true;
    }
    if (details.order > child.header->order) child.header = details;
  }
}

void Ssda903Loader::read_uasc(const CsvTable& table, const InputFile& file) {
  const std::size_t child_column = table.require_column("CHILD");
  const std::size_t ceased_column = table.require_column("DUC");
  const auto la = la_column(table);
  const auto year = table.find_column("YEAR");
  for (std::size_t row = 0; row < table.row_count(); ++row) {
    if (!for_chosen_la(table, row, la)) {
      ++counter(Rule::uasc_other_la);
      continue;
    }
    const std::string_view id = require_child(table, row, child_column);
    UascDetails details{order_of(table, row, year, file.year), optional_date(table, row, ceased_column)};
    if (details.ceased && *details.ceased < kEarliestDate) {
      count_field(Rule::uasc_ceased_implausible, table, row, ceased_column);
      details.ceased.reset();
    }
    ChildRecord& child = children_[child_index(id)];
    if (!child.uasc) {
      child.uasc = details;
      continue;
    }
    ++counter(Rule::uasc_repeated);
    if (details.order > child.uasc->order) child.uasc = details;
  }
}

void Ssda903Loader::read_episodes(const CsvTable& table, const InputFile& file) {
  const std::size_t child_column = table.require_column("CHILD");
  const std::size_t start_column = table.require_column("DECOM");
  const std::size_t reason_column = table.require_column("RNE");
  const std::size_t legal_status_column = table.require_column("LS");
  const std::size_t place_column = table.require_column("PLACE");
  const std::size_t provider_column = table.require_column("PLACE_PROVIDER");
  const std::size_t end_column = table.require_column("DEC");
  const std::size_t end_reason_column = table.require_column("REC");
  const auto postcode_column = table.find_column("HOME_POST");
  const auto location_column = table.find_column("PL_LOCATION");
  const auto distance_column = table.find_column("PL_DISTANCE");
  const auto la = la_column(table);
  const auto year = table.find_column("YEAR");
  episodes_.reserve(episodes_.size() + table.row_count());
  if (first_episodes_file_.empty()) first_episodes_file_ = table.file();
  for (std::size_t row = 0; row < table.row_count(); ++row) {
    if (!for_chosen_la(table, row, la)) {
      ++counter(Rule::episode_other_la);
      continue;
    }
    ++episode_rows_for_la_;
    Episode episode;
    episode.child = child_index(require_child(table, row, child_column));
    episode.start = require_date(table, row, start_column);
    episode.end = optional_date(table, row, end_column);
    episode.order = order_of(table, row, year, file.year);
    episode.reason = kNewEpisodeCodes[require_code(table, row, reason_column, kNewEpisodeCodes)].reason;
    episode.legal_status = require_code(table, row, legal_status_column, kLegalStatusCodes);
    episode.place = require_code(table, row, place_column, kPlaceCodes);
    episode.end_reason = optional_code(table, row, end_reason_column, kEndReasonCodes);
    const PlaceCode& place = kPlaceCodes[episode.place];
    if (place.needs_provider()) {
      episode.provider = require_code(table, row, provider_column, kProviderCodes,
                                      "this PLACE is in-house or external according to its provider");
      const std::string_view provider = kProviderCodes[episode.provider].code;
      episode.category = provider == kInHouseProvider ? place.in_house : place.external;
      if (provider == kParentsProvider) ++counter(Rule::parents_as_provider);
    } else {
      episode.provider = find_code(kProviderCodes, field(table, row, provider_column)).value_or(kNoCode);
      episode.category = place.in_house;
    }
    if (postcode_column) episode.home_postcode = field(table, row, *postcode_column);
    // Both read (and so checked) whenever present, even where the band needs only one.
    const CodeIndex location = location_column ? optional_code(table, row, *location_column, kLocationCodes) : kNoCode;
    const std::optional<double> miles = distance_column ? optional_miles(table, row, *distance_column) : std::nullopt;
    episode.location = location_band(location, miles);

    if (episode.start < kEarliestDate || episode.start > latest_plausible_date(episode.order.year)) {
      count_field(Rule::start_implausible, table, row, start_column);
      continue;
    }
    if (episode.end && *episode.end > latest_plausible_end(episode.order.year)) {
      count_field(Rule::end_implausible, table, row, end_column);
      episode.end.reset();
      episode.end_reason = kNoCode;
    }
    Date& latest = latest_start_by_return_.try_emplace({files_read_, episode.order.year}, episode.start).first->second;
    latest = std::max(latest, episode.start);

    if (kLegalStatusCodes[episode.legal_status].short_breaks) {
      ++counter(Rule::short_breaks);
    } else if (episode.end && *episode.end < episode.start) {
      ++counter(Rule::ends_before_start);
    } else {
      episodes_.push_back(episode);
    }
  }
}

// Children are ordered by identifier, so the history's order does not depend on the input's.
std::vector<std::uint32_t> Ssda903Loader::child_ranks() const {
  std::vector<std::uint32_t> by_id(children_.size());
  for (std::uint32_t i = 0; i < by_id.size(); ++i) by_id[i] = i;
  std::sort(by_id.begin(), by_id.end(),
            [&](std::uint32_t a, std::uint32_t b) { return *children_[a].id < *children_[b].id; });
  std::vector<std::uint32_t> rank(children_.size());
  for (std::uint32_t position = 0; position < by_id.size(); ++position) rank[by_id[position]] = position;
  return rank;
}

// The episodes that can be placed in a child's life, one version of each (child, DECOM): the
// latest return's. Sorted by child rank, then start.
std::vector<Episode> Ssda903Loader::latest_versions(const std::vector<std::uint32_t>& rank) {
  std::erase_if(episodes_, [&](const Episode& episode) {
    const auto& header = children_[episode.child].header;
    if (!header) {
      ++counter(Rule::no_header);
      return true;
    }
    if (episode.start < header->date_of_birth) {
      ++counter(Rule::starts_before_birth);
      return true;
    }
    return false;
  });
  std::sort(episodes_.begin(), episodes_.end(), [&](const Episode& a, const Episode& b) {
    return std::tie(rank[a.child], a.start, a.order) < std::tie(rank[b.child], b.start, b.order);
  });

  std::vector<Episode> latest;
  for (auto first = episodes_.begin(); first != episodes_.end();) {
    const auto last = std::find_if(first, episodes_.end(), [&](const Episode& e) {
      return e.child != first->child || e.start != first->start;
    });
    const Episode& kept = *(last - 1);
    for (auto older = first; older != last - 1; ++older) {
      if (older->same_content_as(kept)) {
        ++counter(Rule::exact_duplicate);
      } else if (!older->end && kept.end) {
        ++counter(Rule::closed_in_later_return);
      } else {
        ++counter(Rule::changed_in_later_return);
      }
    }
    latest.push_back(kept);
    first = last;
  }
  episodes_.clear();
  episodes_.shrink_to_fit();
  return latest;
}

// Makes each child's episodes a sequence: a reason for ending only with an end, and no episode
// running past the start of the next.
void Ssda903Loader::tidy_sequences(std::vector<Episode>& episodes) {
  for (std::size_t i = 0; i < episodes.size(); ++i) {
    Episode& episode = episodes[i];
    if (!episode.end && episode.end_reason != kNoCode) {
      ++counter(Rule::end_reason_on_open_episode);
      episode.end_reason = kNoCode;
    } else if (episode.end && episode.end_reason == kNoCode) {
      ++counter(Rule::missing_end_reason);
    }
    if (i + 1 == episodes.size() || episodes[i + 1].child != episode.child) continue;
    const Date next_start = episodes[i + 1].start;
    if (!episode.end) {
      ++counter(Rule::open_closed_by_next);
      episode.end = next_start;
    } else if (*episode.end > next_start) {
      ++counter(Rule::overlap_cut);
      episode.end = next_start;
    }
  }
}

void Ssda903Loader::note_ages_and_ends(const std::vector<Episode>& episodes, Date last_date) {
  for (const Episode& episode : episodes) {
    const Date adult = add_years(children_[episode.child].header->date_of_birth, kCareEndsAtAgeYears);
    if (episode.end ? *episode.end > adult : adult <= last_date) ++counter(Rule::past_18th_birthday);
    if (episode.end && *episode.end > last_date) ++counter(Rule::ends_after_data);
  }
}

// Whether `next` carries on the period of care `previous` is in: it starts the day `previous`
// ends, which ended with X1 (or no REC), and is not itself a start of care.
bool continues_period(const Episode& previous, const Episode& next) {
  return previous.end == next.start && next.reason != NewEpisodeReason::started &&
         (previous.end_reason == kNoCode || previous.end_reason == kContinuesCode);
}

void start_placement(CarePeriod& period, Date start, const Episode& episode, bool same_carer) {
  if (!period.placements.empty()) period.placements.back().end = start;
  period.placements.push_back({start, std::nullopt, episode.category, std::string(kPlaceCodes[episode.place].code),
                               same_carer, episode.location});
}

void Ssda903Loader::add_periods(std::span<const Episode> episodes, ChildHistory& child) {
  // The episode that began the current placement: nullptr while the period has had only
  // temporary placements. `away` is set during a temporary excursion from it.
  const Episode* placement_episode = nullptr;
  bool away = false;
  std::size_t period_first_episode = 0;
  for (std::size_t i = 0; i < episodes.size(); ++i) {
    const Episode& episode = episodes[i];
    if (i == 0 || !continues_period(episodes[i - 1], episode)) {
      if (i > 0) {
        finish_period(child.periods.back(), episodes[i - 1]);
        if (episode.reason != NewEpisodeReason::started) ++counter(Rule::new_period_without_start);
      }
      CarePeriod& period = child.periods.emplace_back();
      period.start = episode.start;
      period.starts_before_data = i == 0 && episode.reason != NewEpisodeReason::started;
      period.legal_status_at_start = kLegalStatusCodes[episode.legal_status].code;
      period.home_postcode_at_start = episode.home_postcode;
      placement_episode = nullptr;
      away = false;
      period_first_episode = i;
    }
    CarePeriod& period = child.periods.back();

    if (episode.temporary()) {
      away = placement_episode != nullptr;
      continue;
    }
    if (!placement_episode) {
      // Any temporary days before it belong to the first ordinary placement of the period.
      if (i != period_first_episode) ++counter(Rule::temporary_at_period_start);
      start_placement(period, period.start, episode, false);
      placement_episode = &episode;
      continue;
    }
    switch (episode.reason) {
      case NewEpisodeReason::started:  // cannot happen: RNE S always opens a new period above
      case NewEpisodeReason::legal_status_only:
        if (!episode.same_place_as(*placement_episode)) ++counter(Rule::legal_change_moves_placement);
        break;
      case NewEpisodeReason::new_carer:
        start_placement(period, episode.start, episode, false);
        placement_episode = &episode;
        break;
      case NewEpisodeReason::same_carer:
        // Back from a temporary excursion to the placement left: not a move.
        if (away && episode.same_place_as(*placement_episode)) break;
        start_placement(period, episode.start, episode, true);
        placement_episode = &episode;
        break;
    }
    away = false;
  }
  finish_period(child.periods.back(), episodes.back());
}

void Ssda903Loader::finish_period(CarePeriod& period, const Episode& last) {
  if (period.placements.empty()) {
    ++counter(Rule::temporary_at_period_start);
    period.placements.push_back({period.start, std::nullopt, Category::other,
                                 std::string(kPlaceCodes[last.place].code), false, std::nullopt});
  }
  period.end = last.end;
  period.placements.back().end = last.end;
  if (!last.end) return;
  if (last.end_reason == kNoCode) {
    period.exit_reason = ExitReason::other;
    return;
  }
  const EndReasonCode& code = kEndReasonCodes[last.end_reason];
  period.exit_code = code.code;
  if (!code.exit) ++counter(Rule::continuation_missing);
  period.exit_reason = code.exit.value_or(ExitReason::other);
}

CareHistory Ssda903Loader::build(CleaningReport& report) {
  // Most likely a mistyped LA code rather than an LA with nobody in care.
  if (la_ && episode_rows_for_la_ == 0) {
    throw InputError({first_episodes_file_, 0, 0, "LA"}, "no episode has LA '" + *la_ + "'");
  }
  const std::vector<std::uint32_t> rank = child_ranks();
  std::vector<Episode> episodes = latest_versions(rank);
  tidy_sequences(episodes);

  CareHistory history;
  if (!episodes.empty()) {
    const auto earliest = std::min_element(episodes.begin(), episodes.end(),
                                           [](const Episode& a, const Episode& b) { return a.start < b.start; });
    history.first_date = earliest->start;
    Date earliest_return = latest_start_by_return_.begin()->second;
    Date latest_return = earliest_return;
    for (const auto& [file_and_year, latest_start] : latest_start_by_return_) {
      earliest_return = std::min(earliest_return, latest_start);
      latest_return = std::max(latest_return, latest_start);
    }
    history.observed_from = financial_year_start(earliest_return);
    history.last_date = financial_year_end(latest_return);
    note_ages_and_ends(episodes, *history.last_date);
  }

  for (auto first = episodes.begin(); first != episodes.end();) {
    const auto last = std::find_if(first, episodes.end(), [&](const Episode& e) { return e.child != first->child; });
    ChildRecord& record = children_[first->child];
    ChildHistory& child = history.children.emplace_back();
    child.sex = record.header->sex;
    child.date_of_birth = record.header->date_of_birth;
    if (record.uasc) {
      child.uasc = true;
      child.uasc_ceased = record.uasc->ceased;
      ++report.uasc_rows_kept;
    }
    if (record.header_details_differ) ++counter(Rule::header_details_differ);
    add_periods(std::span<const Episode>(first, last), child);
    first = last;
  }
  const std::size_t headers = static_cast<std::size_t>(
      std::count_if(children_.begin(), children_.end(), [](const ChildRecord& c) { return c.header.has_value(); }));
  const std::size_t uasc_children = static_cast<std::size_t>(
      std::count_if(children_.begin(), children_.end(), [](const ChildRecord& c) { return c.uasc.has_value(); }));
  counter(Rule::header_without_episodes) = headers - history.children.size();
  counter(Rule::uasc_without_history) = uasc_children - report.uasc_rows_kept;

  report.files = std::move(row_counts_);
  for (const RuleText& rule : kRules) {
    if (is_other_la_rule(rule.rule) && !la_) continue;
    const auto index = static_cast<std::size_t>(rule.rule);
    report.steps.push_back(
        {std::string(rule.id), rule.table, rule.effect, counts_[index], std::string(rule.explanation), first_at_[index]});
  }
  report.header_rows_kept = history.children.size();
  report.episodes_kept = episodes.size();
  report.children = history.children.size();
  for (const ChildHistory& child : history.children) {
    report.periods += child.periods.size();
    for (const CarePeriod& period : child.periods) {
      if (!period.end) ++report.open_periods;
      if (period.starts_before_data) ++report.periods_starting_before_data;
      report.placements += period.placements.size();
    }
  }
  return history;
}

}  // namespace

std::string_view name_of(Ssda903Table table) {
  switch (table) {
    case Ssda903Table::header: return "header";
    case Ssda903Table::episodes: return "episodes";
    case Ssda903Table::uasc: return "uasc";
  }
  return "";
}

std::string_view name_of(CleaningEffect effect) {
  switch (effect) {
    case CleaningEffect::dropped: return "dropped";
    case CleaningEffect::changed: return "changed";
    case CleaningEffect::noted: return "noted";
  }
  return "";
}

std::size_t CleaningReport::rows_read(Ssda903Table table) const {
  std::size_t rows = 0;
  for (const FileRowCount& file : files) rows += file.table == table ? file.rows_read : 0;
  return rows;
}

std::size_t CleaningReport::rows_dropped(Ssda903Table table) const {
  std::size_t rows = 0;
  for (const CleaningStep& step : steps) {
    if (step.table == table && step.effect == CleaningEffect::dropped) rows += step.count;
  }
  return rows;
}

std::size_t CleaningReport::rows_kept(Ssda903Table table) const {
  switch (table) {
    case Ssda903Table::header: return header_rows_kept;
    case Ssda903Table::episodes: return episodes_kept;
    case Ssda903Table::uasc: return uasc_rows_kept;
  }
  return 0;
}

std::size_t CleaningReport::count(std::string_view id) const {
  for (const CleaningStep& step : steps) {
    if (step.id == id) return step.count;
  }
  throw std::out_of_range("no cleaning step named " + std::string(id));
}

void CleaningReport::print(std::ostream& out) const {
  out << "SSDA903 rows read\n";
  for (const FileRowCount& file : files) {
    out << "  " << std::left << std::setw(9) << name_of(file.table) << std::right << std::setw(8) << file.rows_read
        << "  " << file.file << '\n';
  }
  out << "Cleaning, in the order applied\n";
  for (const CleaningStep& step : steps) {
    out << "  " << std::left << std::setw(9) << name_of(step.table) << std::setw(8) << name_of(step.effect)
        << std::right << std::setw(8) << step.count << "  " << step.explanation
        << (step.first_at.empty() ? std::string() : " (first at " + step.first_at + ")") << '\n';
  }
  out << "Kept\n";
  for (const Ssda903Table table : {Ssda903Table::header, Ssda903Table::episodes, Ssda903Table::uasc}) {
    out << "  " << std::left << std::setw(9) << name_of(table) << std::right << std::setw(8) << rows_kept(table)
        << "  of " << rows_read(table) << " rows read, " << rows_dropped(table) << " dropped\n";
  }
  out << "History: " << children << " children, " << periods << " periods of care (" << open_periods
      << " open at the end of the data, " << periods_starting_before_data << " starting before it), " << placements
      << " placements\n";
}

CareHistory load_ssda903(const std::vector<fs::path>& inputs, const std::optional<std::string>& la,
                         CleaningReport& report) {
  report = CleaningReport{};
  const std::vector<InputFile> files = expand_inputs(inputs);
  Ssda903Loader loader(la);
  for (const InputFile& file : files) loader.read(file);
  return loader.build(report);
}

std::vector<LocalAuthorityInReturns> local_authorities_in_returns(const std::vector<fs::path>& inputs) {
  std::map<std::string, LocalAuthorityInReturns, std::less<>> found;
  for (const InputFile& file : expand_inputs(inputs)) {
    if (file.table != Ssda903Table::episodes) continue;
    const CsvTable table = CsvTable::read(file.path);
    const std::optional<std::size_t> column = table.find_column("LA");
    if (!column) {
      throw InputError({table.file(), table.header_line(), 0, "LA"},
                       "the header has no LA column, which pooling several councils needs");
    }
    for (std::size_t row = 0; row < table.row_count(); ++row) {
      const std::string_view la = field(table, row, *column);
      if (la.empty()) throw InputError(table.location(row, *column), "blank, expected the local authority's code");
      const auto [at, inserted] = found.try_emplace(std::string(la));
      if (inserted) {
        at->second.code = std::string(la);
        at->second.first_row = table.location(row, *column);
      }
      ++at->second.episode_rows;
    }
  }
  std::vector<LocalAuthorityInReturns> authorities;
  for (auto& [code, authority] : found) authorities.push_back(std::move(authority));
  return authorities;
}

}  // namespace carecast

