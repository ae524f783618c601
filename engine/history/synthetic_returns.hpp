// Synthetic SSDA903 returns: one replication of a scenario written out as the header, episodes
// and UASC files a council would send DfE (docs/sources.md, "SSDA903 returns"), for tests and demonstrations. Real
// returns are personal data; these hold only invented children, generated from known rates.
//
// The simulation decides who is looked after, when, in which placement category and why they
// leave. Everything the simulation does not model (legal status, category of need, ethnicity,
// the PLACE code within a category, postcodes, reasons for a move) is drawn from fixed, plausible
// mixes documented in synthetic_returns.cpp, from each child's own random stream, so the files
// are identical for the same scenario and seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/calendar.hpp"
#include "core/categories.hpp"
#include "core/location_bands.hpp"
#include "scenario/scenario.hpp"

namespace carecast {

// One episode: a placement from DECOM to DEC. Codes point into static tables.
struct SyntheticEpisode {
  Date start;               // DECOM
  std::optional<Date> end;  // DEC; nullopt while still open at the horizon
  std::string_view reason_new;     // RNE: S starts care, P a move to new carers, T same carers
  std::string_view legal_status;   // LS
  std::string_view place;          // PLACE
  std::string_view provider;       // PLACE_PROVIDER
  std::string_view end_reason;     // REC; empty while open
  std::string_view place_change_reason;  // REASON_PLACE_CHANGE, on an episode ended by a move
  std::string placement_postcode;  // PL_POST
  std::string urn;                 // Ofsted URN of a children's home or secure unit, else empty
  Category category = Category::other;  // the simulation's category
  // PL_LOCATION and PL_DISTANCE: the simulation's band for the placement (with [supply.location])
  // and miles from home drawn within it; nullopt, written blank, without locations and for the
  // placement invented before a starting child's current one.
  std::optional<LocationBand> location;
  double miles_from_home = 0;
};

struct SyntheticChild {
  std::string id;  // CHILD: "SYN" and a number, in the order the simulation admitted the child
  Sex sex = Sex::male;
  Date date_of_birth;
  bool uasc = false;
  std::uint32_t sibling_group = 0;  // 0 = entered alone or in the starting population
  std::string_view ethnicity;         // ETHNIC, shared by siblings
  std::string_view category_of_need;  // CIN
  std::string home_postcode;          // HOME_POST, shared by siblings
  std::string pupil_number;           // a UPN, used once the child is of school age
  std::optional<Date> first_child_born;  // MC_DOB of a looked-after young mother
  // Periods of care in time order, each contiguous and begun by an episode with RNE S (a child
  // coming back into care has more than one). A starting child's first episode may end before the
  // first collection year written.
  std::vector<SyntheticEpisode> episodes;
};

struct SyntheticHistory {
  std::string scenario_name;
  std::filesystem::path scenario_file;
  std::uint64_t seed = 0;
  Date origin;
  Date horizon_end;
  std::vector<SyntheticChild> children;  // ordered by id
  // Start years of the collection years (1 April to 31 March) from the one holding the origin to
  // the one holding the horizon.
  std::vector<int> collection_years() const;
};

// Runs replication 0 of `seed` for `years` (at least 1) from the scenario's origin and records
// every child's history. The simulation is exactly run_replications' replication 0 of that seed
// over the same horizon.
SyntheticHistory simulate_synthetic_history(Scenario scenario, int years, std::uint64_t seed);

struct SyntheticFile {
  std::string name;
  std::string text;
};

struct SyntheticReturns {
  // README.txt, then <year>-header.csv, <year>-episodes.csv and <year>-uasc.csv per collection
  // year, named by the calendar year in which the collection year starts, as the public sample
  // returns are.
  std::vector<SyntheticFile> files;
  std::size_t children = 0;  // children in at least one return
  std::size_t episodes = 0;  // episodes in at least one return, each counted once
  std::size_t periods = 0;   // periods of care with an episode in at least one return
};

// Each year's episodes file holds the episodes open at any time in that collection year; one still
// open on 31 March has no DEC, REC or REASON_PLACE_CHANGE there, and its end is in a later year's
// file. Header and UASC files list the children with an episode in that year.
SyntheticReturns render_synthetic_returns(const SyntheticHistory& history);

// Adds an LA column, holding `la` in every row, at the end of every CSV file of `returns`: returns of several
// councils (each simulated from its own scenario) can then be read together, as a region's, and told apart
// (calibrate --la, --pool-councils). Throws std::invalid_argument for an `la` that is empty or holds a comma, quote
// or line break.
void add_local_authority_column(SyntheticReturns& returns, std::string_view la);

}  // namespace carecast
