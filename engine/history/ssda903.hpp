// The "history in" stage: SSDA903 returns (header, episodes and UASC files, docs/sources.md, "SSDA903 returns") read,
// cleaned and assembled into each child's periods of care and the placements within them, for
// calibration to estimate rates from.
//
// Messy but readable data is cleaned and every change counted in a CleaningReport; only what
// cannot be read (a missing required column, an unreadable date, an unknown code) is an
// InputError. Neither the history nor the report nor any message holds a child's identifier: the
// CHILD column is used only to join the files while loading.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.hpp"
#include "core/categories.hpp"
#include "core/errors.hpp"
#include "core/location_bands.hpp"

namespace carecast {

// A stretch of time with one carer in one kind of placement. Temporary placements (T0-T4) and
// changes of legal status only (RNE L) do not start one.
struct PlacementSpell {
  Date start;
  std::optional<Date> end;  // nullopt while the placement is open at the end of the data
  Category category;
  std::string place_code;  // SSDA903 PLACE of the episode that started it
  // Started by RNE T or U: a change of placement with the carer of the one before.
  bool same_carer_as_previous = false;
  // Where the placement is, from the optional PL_LOCATION and PL_DISTANCE of the episode that
  // started it: IN is inside the council's area; OUT with PL_DISTANCE over 20 miles is over 20
  // miles, OUT with 20 or less within 20 miles. nullopt when PL_LOCATION is blank or absent, or
  // OUT without a distance.
  std::optional<LocationBand> location;
};

// From starting to be looked after to leaving care: contiguous episodes (each ending the day the
// next starts with REC X1).
struct CarePeriod {
  Date start;
  std::optional<Date> end;  // nullopt while the child is still looked after at the end of the data
  // The child's first episode held is not RNE S: earlier episodes of this period are not in the
  // data, so `start` is only when the data starts seeing it.
  bool starts_before_data = false;
  std::optional<ExitReason> exit_reason;  // set exactly when `end` is
  // The REC of the last episode ("E17", "E15", ...) so calibration can tell exits at 18 apart;
  // empty when open or when the data gives none.
  std::string exit_code;
  std::string legal_status_at_start;   // LS of the first episode
  std::string home_postcode_at_start;  // HOME_POST of the first episode (sibling groups share it)
  std::vector<PlacementSpell> placements;  // in time order, never empty
};

struct ChildHistory {
  Sex sex = Sex::male;
  Date date_of_birth;  // for exact ages inside the engine; never written out
  bool uasc = false;   // listed in a UASC file
  std::optional<Date> uasc_ceased;  // DUC: when the child stops counting as unaccompanied
  std::vector<CarePeriod> periods;  // in time order, never empty
};

struct CareHistory {
  // In a fixed order that does not depend on the order of the input files or rows.
  std::vector<ChildHistory> children;
  // All three are nullopt when no episode is left after cleaning. A return's collection year is
  // the one holding its latest DECOM, whatever the file is called (naming conventions differ).
  std::optional<Date> first_date;  // the earliest DECOM held
  std::optional<Date> last_date;   // 31 March ending the latest collection year
  // 1 April starting the earliest collection year: from then on every child looked after is in
  // the data, while earlier dates are seen only for children still looked after on it.
  std::optional<Date> observed_from;
};

enum class Ssda903Table : std::uint8_t { header, episodes, uasc };
std::string_view name_of(Ssda903Table table);

struct FileRowCount {
  std::string file;
  Ssda903Table table;
  std::size_t rows_read = 0;
};

// What one cleaning rule did. `dropped` counts rows of `table` removed; `changed` counts episodes
// or periods altered; `noted` counts things left as they are but worth knowing.
enum class CleaningEffect : std::uint8_t { dropped, changed, noted };
std::string_view name_of(CleaningEffect effect);

struct CleaningStep {
  std::string id;  // stable short name, e.g. "short_breaks"
  Ssda903Table table;
  CleaningEffect effect;
  std::size_t count = 0;
  std::string explanation;  // plain English: what was counted and what was done
  // For rules applied to single fields as they are read (implausible dates): where the first such
  // field is, as "file:line, column NAME", so it can be found and corrected. Empty otherwise.
  // Never a value: it may be a child's date.
  std::string first_at;
};

struct CleaningReport {
  std::vector<FileRowCount> files;  // in the order read
  std::vector<CleaningStep> steps;  // every rule, in the order applied, including those counting 0
  std::size_t header_rows_kept = 0;  // one per child in the history
  std::size_t episodes_kept = 0;     // episodes the history is built from
  std::size_t uasc_rows_kept = 0;    // one per UASC child in the history
  std::size_t children = 0;
  std::size_t periods = 0;
  std::size_t open_periods = 0;
  std::size_t periods_starting_before_data = 0;
  std::size_t placements = 0;

  std::size_t rows_read(Ssda903Table table) const;
  std::size_t rows_dropped(Ssda903Table table) const;
  std::size_t rows_kept(Ssda903Table table) const;
  // The count of the step with this id; std::out_of_range if there is none.
  std::size_t count(std::string_view id) const;
  void print(std::ostream& out) const;
};

// Reads SSDA903 returns. Each input is a folder holding <year>-header.csv, <year>-episodes.csv
// and optionally <year>-uasc.csv for one or more years, or a single file whose name ends in
// header.csv, episodes.csv or uasc.csv. When the same episode (child and DECOM) or child appears
// in several returns, the latest return wins: the YEAR column if present, else the year the file
// name starts with, else the later input. With `la`, only rows whose LA column equals it are
// used, and every file must have an LA column; without it, rows for more than one LA are an error.
// The episodes file's PL_LOCATION (IN or OUT) and PL_DISTANCE (miles, a decimal 0 or more) are
// optional, and either may be blank. Columns not used here (REASON_PLACE_CHANGE, PL_POST, URN,
// ETHNIC, ...) are ignored.
// Throws InputError naming the file, line and column of anything unreadable.
CareHistory load_ssda903(const std::vector<std::filesystem::path>& inputs, const std::optional<std::string>& la,
                         CleaningReport& report);

// A local authority the episodes files' LA column names (calibrate --pool-councils reads each one's rows with
// load_ssda903's `la`).
struct LocalAuthorityInReturns {
  std::string code;
  std::size_t episode_rows = 0;
  InputLocation first_row;  // file, line and column of its first episode row
};

// The local authorities of the inputs' episodes files, ordered by code. Throws InputError naming the file of an
// episodes file with no LA column, and the file, line and column of a blank LA.
std::vector<LocalAuthorityInReturns> local_authorities_in_returns(const std::vector<std::filesystem::path>& inputs);

}  // namespace carecast
