#include "history/synthetic_returns.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <span>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "core/random_streams.hpp"
#include "simulation/compiled_model.hpp"
#include "simulation/replication.hpp"
#include "tally/tally_layout.hpp"

namespace carecast {
namespace {

using std::chrono::days;

// ---------------------------------------------------------------------------------------------
// Code mixes. The simulation gives each placement's category; these say which SSDA903 codes a
// council would record for it. They are plausible assumptions, roughly shaped on England's
// children looked after (DfE 2024), not estimates for any one council, and nothing in the
// simulation depends on them.

struct WeightedCode {
  std::string_view code;
  double weight;
};
using CodeMix = std::span<const WeightedCode>;

std::string_view pick(CodeMix codes, StreamEngine& stream) {
  double total = 0;
  for (const WeightedCode& c : codes) total += c.weight;
  double u = uniform_open01(stream) * total;
  for (const WeightedCode& c : codes) {
    if (u < c.weight) return c.code;
    u -= c.weight;
  }
  return codes.back().code;  // rounding at the very top
}

// PLACE. U5 (fostering for adoption) is for babies and toddlers who may be adopted, with carers
// approved by the council's adoption agency, so only in-house foster placements of under-2s use it.
constexpr auto kInHouseFosterPlacesUnder2 = std::to_array<WeightedCode>({{"U6", 0.80}, {"U5", 0.15}, {"U4", 0.05}});
constexpr auto kInHouseFosterPlacesFrom2 = std::to_array<WeightedCode>({{"U6", 0.73}, {"U4", 0.27}});
constexpr int kFosteringForAdoptionMaxAge = 1;
constexpr auto kAgencyFosterPlaces = std::to_array<WeightedCode>({{"U6", 0.75}, {"U4", 0.25}});
constexpr auto kKinshipPlaces = std::to_array<WeightedCode>({{"U3", 0.65}, {"U1", 0.33}, {"U2", 0.02}});
constexpr std::string_view kFosteringForAdoption = "U5";
// Placed for adoption with new carers, and with the fostering-for-adoption carers already caring
// for the child: with a placement order (A6, A5) or with parental consent (A4, A3).
constexpr auto kAdoptionWithNewCarers = std::to_array<WeightedCode>({{"A6", 0.85}, {"A4", 0.15}});
constexpr auto kAdoptionWithCurrentCarers = std::to_array<WeightedCode>({{"A5", 0.85}, {"A3", 0.15}});
constexpr auto kExternalHomePlaces = std::to_array<WeightedCode>({{"K2", 0.92}, {"R1", 0.08}});
// Residential schools and secure children's homes at any age; young offender institutions from 15.
constexpr auto kResidentialPlacesUnder15 = std::to_array<WeightedCode>({{"S1", 0.8}, {"K1", 0.2}});
constexpr auto kResidentialPlacesFrom15 = std::to_array<WeightedCode>({{"S1", 0.4}, {"K1", 0.2}, {"R5", 0.4}});
constexpr std::string_view kYoungOffenderInstitution = "R5";
constexpr int kYoungOffenderInstitutionMinAge = 15;
// Supported accommodation became registered (K3) in the 2024-25 collection; before it was H5.
constexpr auto kSupportedPlacesBefore2024 = std::to_array<WeightedCode>({{"H5", 0.8}, {"P2", 0.2}});
constexpr auto kSupportedPlacesFrom2024 = std::to_array<WeightedCode>({{"K3", 0.8}, {"P2", 0.2}});
constexpr std::chrono::year_month_day kRegisteredSupportedAccommodationFrom{
    std::chrono::year{2024}, std::chrono::April, std::chrono::day{1}};

// PLACE_PROVIDER.
constexpr std::string_view kParents = "PR0";
constexpr std::string_view kOwnProvision = "PR1";
constexpr std::string_view kOtherPublicProvision = "PR3";
constexpr auto kAgencyFosterProviders = std::to_array<WeightedCode>({{"PR4", 0.85}, {"PR5", 0.10}, {"PR2", 0.05}});
constexpr auto kAdoptionProviders = std::to_array<WeightedCode>({{"PR1", 0.60}, {"PR2", 0.25}, {"PR5", 0.15}});
constexpr auto kExternalHomeProviders = std::to_array<WeightedCode>({{"PR4", 0.88}, {"PR5", 0.07}, {"PR2", 0.05}});
constexpr auto kResidentialSchoolProviders = std::to_array<WeightedCode>({{"PR4", 0.5}, {"PR3", 0.3}, {"PR5", 0.2}});
constexpr auto kSecureUnitProviders = std::to_array<WeightedCode>({{"PR2", 0.8}, {"PR4", 0.2}});
constexpr auto kParentAndChildProviders = std::to_array<WeightedCode>({{"PR4", 0.5}, {"PR5", 0.3}, {"PR1", 0.2}});
constexpr auto kSupportedProviders = std::to_array<WeightedCode>({{"PR4", 0.75}, {"PR1", 0.15}, {"PR5", 0.10}});
constexpr auto kOtherProviders = std::to_array<WeightedCode>({{"PR4", 0.5}, {"PR1", 0.3}, {"PR5", 0.2}});

// LS when care starts. Police protection and emergency orders (L1-L3) last days and would need a
// change-of-legal-status episode, which these returns do not model; youth justice status (J1) is
// for children aged 10 or over. UASC are accommodated under section 20.
constexpr auto kEntryLegalStatusUnder10 = std::to_array<WeightedCode>({{"C1", 0.52}, {"V2", 0.43}, {"C2", 0.05}});
constexpr auto kEntryLegalStatusFrom10 =
    std::to_array<WeightedCode>({{"C1", 0.50}, {"V2", 0.42}, {"C2", 0.05}, {"J1", 0.03}});
constexpr int kCriminalResponsibilityAge = 10;
constexpr std::string_view kInterimCareOrder = "C1";
constexpr std::string_view kFullCareOrder = "C2";
constexpr std::string_view kPlacementOrder = "E1";
constexpr std::string_view kAccommodated = "V2";
constexpr std::string_view kRemanded = "J1";
// Care proceedings are meant to end within 26 weeks: after that an interim order has become full.
constexpr days kCareProceedings{182};

// CIN. UASC are recorded as absent parenting.
constexpr auto kCategoriesOfNeed = std::to_array<WeightedCode>({
    {"N1", 0.66}, {"N2", 0.03}, {"N3", 0.03}, {"N4", 0.08}, {"N5", 0.15}, {"N6", 0.02}, {"N7", 0.002}, {"N8", 0.028},
});
constexpr std::string_view kAbsentParenting = "N8";

// ETHNIC, shared by siblings.
constexpr auto kEthnicities = std::to_array<WeightedCode>({
    {"WBRI", 0.55}, {"WIRI", 0.01}, {"WOTH", 0.07}, {"WIRT", 0.005}, {"WROM", 0.01}, {"MWBC", 0.04}, {"MWBA", 0.03},
    {"MWAS", 0.015}, {"MOTH", 0.04}, {"AIND", 0.01}, {"APKN", 0.015}, {"ABAN", 0.015}, {"AOTH", 0.02},
    {"BCRB", 0.02}, {"BAFR", 0.06}, {"BOTH", 0.02}, {"CHNE", 0.002}, {"OOTH", 0.03}, {"REFU", 0.003},
    {"NOBT", 0.01},
});
constexpr auto kUascEthnicities =
    std::to_array<WeightedCode>({{"BAFR", 0.35}, {"AOTH", 0.30}, {"OOTH", 0.20}, {"WOTH", 0.10}, {"BOTH", 0.05}});

// REASON_PLACE_CHANGE for a move to new carers that no rule below decides.
constexpr auto kMoveReasons = std::to_array<WeightedCode>({
    {"CARPL", 0.30}, {"CREQB", 0.14}, {"CREQO", 0.10}, {"CHILD", 0.10}, {"LAREQ", 0.08},
    {"STAND", 0.05}, {"CLOSE", 0.05}, {"ALLEG", 0.03}, {"APPRR", 0.02}, {"OTHER", 0.13},
});
constexpr std::string_view kCarePlan = "CARPL";
constexpr std::string_view kCustody = "CUSTOD";
constexpr std::string_view kStatusOnly = "PLACE";

// RNE and REC.
constexpr std::string_view kStartedCare = "S";
constexpr std::string_view kNewCarers = "P";
constexpr std::string_view kSameCarers = "T";
constexpr std::string_view kContinues = "X1";

// SSDA903 REC for leaving care. Special guardians of a child leaving foster care are the former
// foster carers, relatives (E45) or not (E46); from any other placement, relatives who were not
// the foster carers (E47). At 18 a young person not staying put leaves for "any other reason".
std::string_view leaving_code(ExitReason reason, Category from) {
  switch (reason) {
    case ExitReason::returned_home: return "E4A";
    case ExitReason::special_guardianship:
      return from == Category::foster_kinship ? "E45" : is_foster(from) ? "E46" : "E47";
    case ExitReason::adoption: return "E11";
    case ExitReason::child_arrangements_order: return "E41";
    case ExitReason::independent_living: return "E5";
    case ExitReason::other: return "E8";
    case ExitReason::aged_18: return "E8";
    case ExitReason::staying_put: return "E17";
  }
  throw std::logic_error("unknown exit reason");
}

// ---------------------------------------------------------------------------------------------
// Identifiers and postcodes, made so that none can be a real child's, pupil's or address

// The generator's draws come from each child's own stream, keyed like the simulation's stream of
// that child's attributes and XOR-ed with this constant (the first 64 bits of pi's fraction), so
// that they are unrelated to any draw the simulation makes: codes are not correlated with ages
// or durations, and watching a replication leaves it unchanged.
constexpr std::uint64_t kReturnCodesSalt = 0x243f6a8885a308d3ULL;

StreamEngine return_codes_stream(std::uint64_t seed, const ChildState& child) {
  return StreamEngine(stream_key(seed, 0, entity_id(child.entity_kind, child.entity), Process::child_attributes) ^
                      kReturnCodesSalt);
}

// Distances from home come from a stream of their own (the next 64 bits of pi's fraction), so
// that adding them left every other code of the returns as it was.
constexpr std::uint64_t kDistancesSalt = 0x13198a2e03707344ULL;

StreamEngine distances_stream(std::uint64_t seed, const ChildState& child) {
  return StreamEngine(stream_key(seed, 0, entity_id(child.entity_kind, child.entity), Process::child_attributes) ^
                      kDistancesSalt);
}

// PL_DISTANCE within a band, in miles to one decimal: up to 6 inside the council's area (a
// borough's width), 0.1 to 20 outside it within 20 miles, and 20.1 to 100 further.
double miles_within(LocationBand band, StreamEngine& stream) {
  const double u = uniform_open01(stream);
  double miles = 0;
  switch (band) {
    case LocationBand::inside_council: miles = 6 * u; break;
    case LocationBand::outside_council_within_20_miles: miles = 0.1 + 19.9 * u; break;
    case LocationBand::outside_council_over_20_miles: miles = 20.1 + 79.9 * u; break;
  }
  return std::round(miles * 10) / 10;
}

std::string zero_padded(std::uint64_t number, int width) {
  char text[24];
  std::snprintf(text, sizeof text, "%0*llu", width, static_cast<unsigned long long>(number));
  return text;
}

// CHILD: zero-padded so that text order is admission order.
std::string child_id(std::uint32_t index) { return "SYN" + zero_padded(index + 1, 6); }

// A 13-character UPN whose local authority number is 000, which no authority has, so it cannot be
// a real pupil's. The check letter follows DfE's rule: each of the 12 digits times its position
// (2 to 13), summed, modulo 23, as a letter of the alphabet without I, O and S.
std::string pupil_number(std::uint32_t index) {
  const std::string digits = "000" + zero_padded(index + 1, 9);
  int sum = 0;
  for (std::size_t i = 0; i < digits.size(); ++i) sum += (digits[i] - '0') * static_cast<int>(i + 2);
  constexpr std::string_view kCheckLetters = "ABCDEFGHJKLMNPQRTUVWXYZ";
  return kCheckLetters[static_cast<std::size_t>(sum % 23)] + digits;
}

// Postcode-shaped text in the area ZZ, which does not exist, so none is a real address. Unit
// letters are those real inward codes use.
std::string fake_postcode(std::uint64_t bits) {
  constexpr std::string_view kUnitLetters = "ABDEFGHJLNPQRSTUWXYZ";
  const std::uint64_t district = 1 + bits % 99;
  bits /= 99;
  const std::uint64_t sector = bits % 10;
  bits /= 10;
  const char first = kUnitLetters[bits % kUnitLetters.size()];
  bits /= kUnitLetters.size();
  const char second = kUnitLetters[bits % kUnitLetters.size()];
  return "ZZ" + std::to_string(district) + " " + std::to_string(sector) + first + second;
}

// Children's homes and secure units a child can be placed in: a few run by the council, many
// external. Children placed in the same home share its Ofsted URN and postcode.
struct HomePool {
  int homes;
  std::uint32_t first_urn_number;
};
constexpr HomePool kInHouseHomes{3, 990001};
constexpr HomePool kExternalHomes{60, 991001};
constexpr HomePool kSecureUnits{6, 992001};

std::string format_date(Date date) {
  const std::chrono::year_month_day ymd{date};
  char text[16];
  std::snprintf(text, sizeof text, "%02u/%02u/%04d", static_cast<unsigned>(ymd.day()),
                static_cast<unsigned>(ymd.month()), static_cast<int>(ymd.year()));
  return text;
}

int age_on(Date date_of_birth, Date date) {
  int years = static_cast<int>(std::chrono::year_month_day{date}.year()) -
              static_cast<int>(std::chrono::year_month_day{date_of_birth}.year());
  if (add_years(date_of_birth, years) > date) --years;
  return years;
}

// A placement's codes, postcode and URN.
struct Setting {
  std::string_view place;
  std::string_view provider;
  std::string postcode;
  std::string urn;
};

// ---------------------------------------------------------------------------------------------
// Recording a replication

class HistoryRecorder final : public ReplicationObserver {
 public:
  HistoryRecorder(const Scenario& scenario, std::uint64_t seed) : scenario_(scenario), seed_(seed) {}

  void admitted(std::uint32_t child, const ChildState& state, double now, bool starting) override;
  void placement_changed(std::uint32_t child, const ChildState& state, Category from, double now) override;
  void left_care(std::uint32_t child, const ChildState& state, ExitReason reason, double now) override;

  std::vector<SyntheticChild> children() && {
    std::vector<SyntheticChild> children;
    children.reserve(records_.size());
    for (Record& record : records_) children.push_back(std::move(record.child));
    return children;
  }

 private:
  struct Record {
    SyntheticChild child;
    StreamEngine codes;
    StreamEngine distances;
    Date care_start;
    std::string_view entry_legal_status;
  };
  struct Household {
    std::string postcode;
    std::string_view ethnicity;
  };

  Date date_at(double time) const;
  Household household_of(const ChildState& state, StreamEngine& codes);
  Category earlier_category(const ChildState& state, StreamEngine& codes) const;
  Setting choose_setting(Record& record, Category category, Date start);
  SyntheticEpisode open_episode(Record& record, Category category, Date start, const SyntheticEpisode* previous,
                                const Setting* shared);
  void move(Record& record, Category to, Date on);
  // The simulation's band of the child's current placement, with miles drawn within it.
  void locate(Record& record, const ChildState& state, SyntheticEpisode& episode);
  void re_entered(Record& record, const ChildState& state, double now);

  // The sibling group being admitted. Siblings enter one after another and share a home; those
  // placed in the same category share the placement too.
  struct GroupAdmission {
    std::uint32_t group = 0;
    Household household;
    std::vector<std::pair<Category, Setting>> placements;
  };

  const Scenario& scenario_;
  std::uint64_t seed_;
  std::vector<Record> records_;  // by the simulation's child index
  GroupAdmission admitting_;
};

// The date on which something at clock time t happens. Clock time k (whole) is the end of the
// k-th day after the origin, so anything later happens on the next day: an 18th birthday, which
// starts at the end of the day before, falls on the birthday itself. Times at or before the
// origin are when placements and care began, whole days before it (0 = on the origin date).
Date HistoryRecorder::date_at(double time) const {
  const double day = time > 0 ? std::floor(time) + 1 : std::ceil(time);
  return scenario_.origin + days{static_cast<int>(day)};
}

// Siblings entering together come from one home: the first sibling's draws set it for all.
HistoryRecorder::Household HistoryRecorder::household_of(const ChildState& state, StreamEngine& codes) {
  if (state.sibling_group != 0 && state.sibling_group == admitting_.group) return admitting_.household;
  Household household{fake_postcode(codes()),
                      pick(state.uasc ? CodeMix(kUascEthnicities) : CodeMix(kEthnicities), codes)};
  if (state.sibling_group != 0) admitting_ = {state.sibling_group, household, {}};
  return household;
}

// The scenario knows only a starting child's current placement. When care began before it, the
// placement before is drawn from the scenario's first-placement mix for the child's age band at
// entry (the current category if the scenario has no entries at that age).
Category HistoryRecorder::earlier_category(const ChildState& state, StreamEngine& codes) const {
  const EntryStream& stream = state.uasc ? scenario_.uasc : scenario_.entries;
  const PerCategory<double>& probability = stream.first_placement_probability[state.age_band_at(state.care_start)];
  double total = 0;
  for (double p : probability) total += p;
  if (total <= 0) return state.category;
  double u = uniform_open01(codes) * total;
  for (int c = 0; c < kCategoryCount; ++c) {
    if (u < probability[c]) return static_cast<Category>(c);
    u -= probability[c];
  }
  return state.category;
}

Setting HistoryRecorder::choose_setting(Record& record, Category category, Date start) {
  StreamEngine& codes = record.codes;
  const auto home = [&](const HomePool& pool, std::string_view place, std::string_view provider) {
    const auto number = pool.first_urn_number + static_cast<std::uint32_t>(uniform_open01(codes) * pool.homes);
    return Setting{place, provider, fake_postcode(splitmix64_mix(number)), "SC" + zero_padded(number, 6)};
  };
  const auto elsewhere = [&](std::string_view place, std::string_view provider) {
    return Setting{place, provider, fake_postcode(codes()), {}};
  };
  const int age = age_on(record.child.date_of_birth, start);
  switch (category) {
    case Category::foster_in_house: {
      const CodeMix places = age <= kFosteringForAdoptionMaxAge ? CodeMix(kInHouseFosterPlacesUnder2)
                                                                : CodeMix(kInHouseFosterPlacesFrom2);
      return elsewhere(pick(places, codes), kOwnProvision);
    }
    case Category::foster_agency:
      return elsewhere(pick(kAgencyFosterPlaces, codes), pick(kAgencyFosterProviders, codes));
    case Category::foster_kinship: return elsewhere(pick(kKinshipPlaces, codes), kOwnProvision);
    case Category::placed_for_adoption:
      return elsewhere(pick(kAdoptionWithNewCarers, codes), pick(kAdoptionProviders, codes));
    case Category::placed_with_parents: return Setting{"P1", kParents, record.child.home_postcode, {}};
    case Category::childrens_home_in_house: return home(kInHouseHomes, "K2", kOwnProvision);
    case Category::childrens_home_external:
      return home(kExternalHomes, pick(kExternalHomePlaces, codes), pick(kExternalHomeProviders, codes));
    case Category::residential_other: {
      const CodeMix places = age >= kYoungOffenderInstitutionMinAge ? CodeMix(kResidentialPlacesFrom15)
                                                                    : CodeMix(kResidentialPlacesUnder15);
      const std::string_view place = pick(places, codes);
      if (place == "K1") return home(kSecureUnits, place, pick(kSecureUnitProviders, codes));
      if (place == kYoungOffenderInstitution) return elsewhere(place, kOtherPublicProvision);
      return elsewhere(place, pick(kResidentialSchoolProviders, codes));
    }
    case Category::parent_and_child: return elsewhere("R3", pick(kParentAndChildProviders, codes));
    case Category::supported_accommodation: {
      const CodeMix places = start >= std::chrono::sys_days{kRegisteredSupportedAccommodationFrom}
                                 ? CodeMix(kSupportedPlacesFrom2024)
                                 : CodeMix(kSupportedPlacesBefore2024);
      return elsewhere(pick(places, codes), pick(kSupportedProviders, codes));
    }
    case Category::other: return elsewhere("Z1", pick(kOtherProviders, codes));
  }
  throw std::logic_error("unknown placement category");
}

// LS of an episode, carried on from the one before: a placement for adoption under a placement
// order is E1; an interim care order has become a full one once care proceedings are over; a
// child placed with parents is on a care order (the Placement with Parents regulations apply to
// children in care under an order).
std::string_view legal_status_for(std::string_view before, Category category, std::string_view place,
                                  Date care_start, Date start) {
  if (place == "A5" || place == "A6") return kPlacementOrder;
  const bool proceedings_over = start - care_start >= kCareProceedings;
  if (before == kInterimCareOrder && proceedings_over) return kFullCareOrder;
  if (category == Category::placed_with_parents && (before == kAccommodated || before == kRemanded)) {
    return proceedings_over ? kFullCareOrder : kInterimCareOrder;
  }
  return before;
}

// A girl of this age or older placed in a mother and baby unit is there with her own baby.
constexpr int kYoungMotherMinAge = 13;
// How long before a young mother's placement with her baby the baby was born: up to four weeks.
constexpr int kBirthBeforeMotherAndBabyPlacementDays = 28;

SyntheticEpisode HistoryRecorder::open_episode(Record& record, Category category, Date start,
                                               const SyntheticEpisode* previous, const Setting* shared) {
  // Fostering-for-adoption carers becoming the child's adopters: a change of placement with the
  // same carers.
  const bool adopted_by_carers =
      previous != nullptr && previous->place == kFosteringForAdoption && category == Category::placed_for_adoption;
  Setting setting = shared != nullptr ? *shared
                    : adopted_by_carers
                        ? Setting{pick(kAdoptionWithCurrentCarers, record.codes), previous->provider,
                                  previous->placement_postcode, {}}
                        : choose_setting(record, category, start);
  SyntheticEpisode episode;
  episode.start = start;
  episode.category = category;
  episode.reason_new = previous == nullptr ? kStartedCare : adopted_by_carers ? kSameCarers : kNewCarers;
  episode.place = setting.place;
  episode.provider = setting.provider;
  episode.placement_postcode = std::move(setting.postcode);
  episode.urn = std::move(setting.urn);
  episode.legal_status = legal_status_for(previous != nullptr ? previous->legal_status : record.entry_legal_status,
                                          category, episode.place, record.care_start, start);

  SyntheticChild& child = record.child;
  if (category == Category::parent_and_child && child.sex == Sex::female && !child.first_child_born &&
      age_on(child.date_of_birth, start) >= kYoungMotherMinAge) {
    const auto days_before = static_cast<int>(uniform_open01(record.codes) * kBirthBeforeMotherAndBabyPlacementDays);
    child.first_child_born = start - days{days_before};
  }
  return episode;
}

void HistoryRecorder::locate(Record& record, const ChildState& state, SyntheticEpisode& episode) {
  if (!scenario_.supply.enabled || !scenario_.supply.location_shares) return;
  episode.location = state.location;
  episode.miles_from_home = miles_within(state.location, record.distances);
}

void HistoryRecorder::move(Record& record, Category to, Date on) {
  std::vector<SyntheticEpisode>& episodes = record.child.episodes;
  SyntheticEpisode next = open_episode(record, to, on, &episodes.back(), nullptr);
  SyntheticEpisode& previous = episodes.back();
  previous.end = on;
  previous.end_reason = kContinues;
  if (next.reason_new == kSameCarers) {
    previous.place_change_reason = kStatusOnly;
  } else if (next.place == kYoungOffenderInstitution) {
    previous.place_change_reason = kCustody;
  } else if (to == Category::placed_for_adoption || to == Category::placed_with_parents) {
    previous.place_change_reason = kCarePlan;
  } else {
    previous.place_change_reason = pick(kMoveReasons, record.codes);
  }
  episodes.push_back(std::move(next));
}

void HistoryRecorder::admitted(std::uint32_t child, const ChildState& state, double now, bool starting) {
  if (records_.size() <= child) records_.resize(child + 1);
  Record& record = records_[child];
  // A child who left care before the origin ([re_entry] left_before_origin) has no earlier period
  // in the returns: its coming back is recorded as the start of its first.
  if (state.periods_of_care > 1 && !record.child.episodes.empty()) {
    re_entered(record, state, now);
    return;
  }
  record.codes = return_codes_stream(seed_, state);
  record.distances = distances_stream(seed_, state);
  SyntheticChild& synthetic = record.child;
  synthetic.id = child_id(child);
  synthetic.sex = state.sex;
  synthetic.uasc = state.uasc;
  synthetic.sibling_group = state.sibling_group;
  // birthday_time[0] is the start of the first birthday: the end of the day before it.
  synthetic.date_of_birth = add_years(scenario_.origin + days{std::lround(state.birthday_time[0]) + 1}, -1);
  Household household = household_of(state, record.codes);
  synthetic.home_postcode = std::move(household.postcode);
  synthetic.ethnicity = household.ethnicity;
  synthetic.category_of_need = state.uasc ? kAbsentParenting : pick(kCategoriesOfNeed, record.codes);
  synthetic.pupil_number = pupil_number(child);
  record.care_start = date_at(state.care_start);
  const CodeMix entry_legal_statuses = age_on(synthetic.date_of_birth, record.care_start) >= kCriminalResponsibilityAge
                                           ? CodeMix(kEntryLegalStatusFrom10)
                                           : CodeMix(kEntryLegalStatusUnder10);
  record.entry_legal_status = state.uasc ? kAccommodated : pick(entry_legal_statuses, record.codes);

  if (starting) {
    const Date placement_start = date_at(state.placement_start);
    if (record.care_start < placement_start) {
      synthetic.episodes.push_back(
          open_episode(record, earlier_category(state, record.codes), record.care_start, nullptr, nullptr));
      move(record, state.category, placement_start);
    } else {
      synthetic.episodes.push_back(open_episode(record, state.category, placement_start, nullptr, nullptr));
    }
    locate(record, state, synthetic.episodes.back());
    return;
  }

  const Setting* shared = nullptr;
  if (state.sibling_group != 0) {
    const auto together = std::find_if(admitting_.placements.begin(), admitting_.placements.end(),
                                       [&](const auto& placement) { return placement.first == state.category; });
    if (together != admitting_.placements.end()) shared = &together->second;
  }
  SyntheticEpisode first = open_episode(record, state.category, date_at(now), nullptr, shared);
  if (state.sibling_group != 0 && shared == nullptr) {
    admitting_.placements.emplace_back(state.category,
                                       Setting{first.place, first.provider, first.placement_postcode, first.urn});
  }
  synthetic.episodes.push_back(std::move(first));
  locate(record, state, synthetic.episodes.back());
}

// A child coming back into care ([re_entry]) starts a new period of care under the same CHILD, as
// SSDA903 records it: an episode with RNE S and a legal status of its own, in a placement of its
// own (a child coming back alone shares none with siblings). Who the child is (identifier, date of
// birth, ethnicity, home, category of need) is kept, and the child's code stream goes on.
void HistoryRecorder::re_entered(Record& record, const ChildState& state, double now) {
  const Date on = date_at(now);
  record.care_start = on;
  const CodeMix entry_legal_statuses = age_on(record.child.date_of_birth, on) >= kCriminalResponsibilityAge
                                           ? CodeMix(kEntryLegalStatusFrom10)
                                           : CodeMix(kEntryLegalStatusUnder10);
  record.entry_legal_status = state.uasc ? kAccommodated : pick(entry_legal_statuses, record.codes);
  record.child.episodes.push_back(open_episode(record, state.category, on, nullptr, nullptr));
  locate(record, state, record.child.episodes.back());
}

void HistoryRecorder::placement_changed(std::uint32_t child, const ChildState& state, Category, double now) {
  Record& record = records_[child];
  std::vector<SyntheticEpisode>& episodes = record.child.episodes;
  const Date on = date_at(now);
  // A return cannot hold two episodes of a child starting on the same day, so a placement that
  // ends on the day it began is not written: the day's episode is the placement that follows.
  if (episodes.back().start == on) {
    const bool began_care = episodes.back().reason_new == kStartedCare;
    episodes.pop_back();
    if (began_care) {
      episodes.push_back(open_episode(record, state.category, on, nullptr, nullptr));
      locate(record, state, episodes.back());
      return;
    }
  }
  move(record, state.category, on);
  locate(record, state, episodes.back());
}

void HistoryRecorder::left_care(std::uint32_t child, const ChildState&, ExitReason reason, double now) {
  SyntheticEpisode& last = records_[child].child.episodes.back();
  last.end = date_at(now);
  last.end_reason = leaving_code(reason, last.category);
}

// ---------------------------------------------------------------------------------------------
// Writing the returns

// The days a return covers, first and last included.
struct ReturnPeriod {
  Date first_day;
  Date last_day;
  bool holds(const SyntheticEpisode& episode) const {
    return episode.start <= last_day && (!episode.end || *episode.end >= first_day);
  }
};

ReturnPeriod collection_year(int start_year) { return {make_date(start_year, 4, 1), make_date(start_year + 1, 3, 31)}; }

constexpr int kSchoolAge = 5;

// UPN: UN1 for a child not yet of school age, UN2 for a UASC (never at school in England).
std::string_view pupil_number_on(const SyntheticChild& child, Date date) {
  if (child.uasc) return "UN2";
  if (age_on(child.date_of_birth, date) < kSchoolAge) return "UN1";
  return child.pupil_number;
}

constexpr int kAskedIfMotherFromAge = 12;

void write_header_row(std::ostream& out, const SyntheticChild& child, Date year_end) {
  out << child.id << ',' << (child.sex == Sex::male ? '1' : '2') << ',' << format_date(child.date_of_birth) << ','
      << child.ethnicity << ',' << pupil_number_on(child, year_end) << ',';
  if (child.first_child_born && *child.first_child_born <= year_end) {
    out << "1," << format_date(*child.first_child_born);
  } else if (child.sex == Sex::female && age_on(child.date_of_birth, year_end) >= kAskedIfMotherFromAge) {
    out << "0,";
  } else {
    out << ',';
  }
  out << '\n';
}

void write_episode_row(std::ostream& out, const SyntheticChild& child, const SyntheticEpisode& episode,
                       const ReturnPeriod& year) {
  const bool ended_in_year = episode.end && *episode.end <= year.last_day;
  out << child.id << ',' << format_date(episode.start) << ',' << episode.reason_new << ',' << episode.legal_status
      << ',' << child.category_of_need << ',' << episode.place << ',' << episode.provider << ',';
  if (ended_in_year) {
    out << format_date(*episode.end) << ',' << episode.end_reason << ',' << episode.place_change_reason;
  } else {
    out << ",,";
  }
  out << ',' << child.home_postcode << ',' << episode.placement_postcode << ',' << episode.urn << ',';
  if (episode.location) {
    char miles[16];
    std::snprintf(miles, sizeof miles, "%.1f", episode.miles_from_home);
    out << (*episode.location == LocationBand::inside_council ? "IN" : "OUT") << ',' << miles;
  } else {
    out << ',';
  }
  out << '\n';
}

std::string readme(const SyntheticHistory& history, const std::vector<int>& years) {
  std::ostringstream text;
  const int first = years.front();
  const int last = years.back();
  text << "SYNTHETIC DATA: NO REAL CHILD IS IN THESE FILES\n"
       << "\n"
       << "These SSDA903 returns were generated by `carecast synth` from the scenario \"" << history.scenario_name
       << "\"" << (history.scenario_file.empty() ? "" : " (" + history.scenario_file.string() + ")") << " with seed "
       << history.seed << ", simulating from "
       << format_iso(history.origin) << " to " << format_iso(history.horizon_end) << ".\n"
       << "Every child, identifier, date and postcode in them is invented. CHILD identifiers start with SYN,\n"
       << "UPNs use local authority number 000 (which no authority has) and postcodes the area ZZ (which does\n"
       << "not exist). Use them for tests and demonstrations, never as statistics about any council.\n"
       << "\n"
       << "Files: <year>-header.csv, <year>-episodes.csv and <year>-uasc.csv for each collection year from\n"
       << first << " to " << last << ", named by the year in which the collection year (1 April to 31 March) starts.\n"
       << "Each episodes file holds the episodes open at any time in its year; an episode still open on\n"
       << "31 March has no end date there, and its end is in a later year's file.\n"
       << "\n"
       << "What to know before using them:\n"
       << "- The " << first << " files hold only the children looked after on " << format_iso(history.origin)
       << " and what happened\n"
       << "  after it: children who left care earlier in that year are not in them.\n"
       << "- The " << last << " files end at " << format_iso(history.horizon_end)
       << ": episodes open then have no end date.\n"
       << "- The scenario gives only a starting child's current placement; when care began earlier, one\n"
       << "  placement before it is added, its category drawn from the scenario's first-placement mix.\n"
       << "- Who is looked after, when, in which placement category and why they leave come from the\n"
       << "  scenario's rates. The other codes (legal status, category of need, ethnicity, PLACE within a\n"
       << "  category, provider, reason for a move) are drawn from fixed plausible mixes, not estimates.\n"
       << "- A child who comes back into care (with the scenario's [re_entry]) has a new period of care under\n"
       << "  the same CHILD, starting with RNE S, as in real returns.\n"
       << "- PL_LOCATION and PL_DISTANCE give the simulation's location band of each placement (IN: inside the\n"
       << "  council's area; OUT with PL_DISTANCE over 20 miles, or 20 or less), with miles drawn within it;\n"
       << "  blank for a scenario without [supply.location] and for the placement invented before a starting\n"
       << "  child's current one.\n";
  return text.str();
}

}  // namespace

// Only complete collection years: a return covering part of a year before the origin would hold
// only the children still in care at the origin (not those who left earlier that year), and one
// cut short by the horizon would miss the year's last entries. Either would bias calibration.
std::vector<int> SyntheticHistory::collection_years() const {
  const auto year_of = [](Date date) { return static_cast<int>(std::chrono::year_month_day{date}.year()); };
  const Date first_start = financial_year_start(origin) < origin ? add_years(financial_year_start(origin), 1)
                                                                  : financial_year_start(origin);
  std::vector<int> years;
  for (Date start = first_start; add_years(start, 1) - std::chrono::days{1} <= horizon_end;
       start = add_years(start, 1)) {
    years.push_back(year_of(start));
  }
  return years;
}

SyntheticHistory simulate_synthetic_history(Scenario scenario, int years, std::uint64_t seed) {
  if (years < 1) throw std::invalid_argument("synthetic returns need a horizon of at least one year");
  scenario.horizon_years = years;
  const ReportingCalendar calendar = ReportingCalendar::monthly(scenario.origin, scenario.horizon_end());
  const CompiledModel model = CompiledModel::compile(scenario, calendar.times.back());
  const TallyLayout layout(&scenario.supply);
  std::vector<std::int32_t> tally(static_cast<std::size_t>(calendar.date_count()) * layout.cell_count());

  HistoryRecorder recorder(scenario, seed);
  ReplicationRunner runner(scenario, model, layout, calendar);
  runner.observe(&recorder);
  const ReplicationStats stats = runner.run(ReplicationIdentity{seed, 0, std::nullopt}, tally);
  if (stats.children_in_care_aged_18_or_over != 0) {
    throw std::logic_error("internal error: a child aged 18 or over was counted in care");
  }

  SyntheticHistory history;
  history.scenario_name = scenario.name;
  history.scenario_file = scenario.file;
  history.seed = seed;
  history.origin = scenario.origin;
  history.horizon_end = scenario.horizon_end();
  history.children = std::move(recorder).children();
  return history;
}

SyntheticReturns render_synthetic_returns(const SyntheticHistory& history) {
  SyntheticReturns returns;
  const std::vector<int> years = history.collection_years();
  if (years.empty()) throw std::invalid_argument("no complete collection year falls within the simulated span");
  returns.files.push_back({"README.txt", readme(history, years)});

  const ReturnPeriod all_years{collection_year(years.front()).first_day, collection_year(years.back()).last_day};
  for (const SyntheticChild& child : history.children) {
    std::size_t in_returns = 0;
    bool period_in_returns = false;  // the current period of care has an episode in the returns
    for (const SyntheticEpisode& episode : child.episodes) {
      if (episode.reason_new == kStartedCare) period_in_returns = false;
      if (!all_years.holds(episode)) continue;
      ++in_returns;
      if (!period_in_returns) ++returns.periods;
      period_in_returns = true;
    }
    returns.episodes += in_returns;
    if (in_returns > 0) ++returns.children;
  }

  for (const int start_year : years) {
    const ReturnPeriod year = collection_year(start_year);
    std::ostringstream header, episodes, uasc;
    header << "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n";
    episodes << "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN,"
                "PL_LOCATION,PL_DISTANCE\n";
    uasc << "CHILD,SEX,DOB,DUC\n";
    for (const SyntheticChild& child : history.children) {
      bool in_year = false;
      for (const SyntheticEpisode& episode : child.episodes) {
        if (!year.holds(episode)) continue;
        write_episode_row(episodes, child, episode, year);
        in_year = true;
      }
      if (!in_year) continue;
      write_header_row(header, child, year.last_day);
      if (child.uasc) {
        // A UASC stops being one at 18 (DUC), the day care ends.
        uasc << child.id << ',' << (child.sex == Sex::male ? '1' : '2') << ',' << format_date(child.date_of_birth)
             << ',' << format_date(add_years(child.date_of_birth, kCareEndsAtAgeYears)) << '\n';
      }
    }
    const std::string prefix = std::to_string(start_year);
    returns.files.push_back({prefix + "-header.csv", header.str()});
    returns.files.push_back({prefix + "-episodes.csv", episodes.str()});
    returns.files.push_back({prefix + "-uasc.csv", uasc.str()});
  }
  return returns;
}

void add_local_authority_column(SyntheticReturns& returns, std::string_view la) {
  if (la.empty() || la.find_first_of(",\"\r\n") != std::string_view::npos) {
    throw std::invalid_argument("add_local_authority_column: an LA code must be non-empty, without commas, quotes or "
                                "line breaks");
  }
  for (SyntheticFile& file : returns.files) {
    if (!file.name.ends_with(".csv")) continue;
    // The generator never quotes a field, so every line is one row; the first is the header.
    std::string text;
    text.reserve(file.text.size() + file.text.size() / 8);
    bool header = true;
    std::size_t from = 0;
    while (from < file.text.size()) {
      const std::size_t end = file.text.find('\n', from);
      const std::size_t line_end = end == std::string::npos ? file.text.size() : end;
      text.append(file.text, from, line_end - from);
      text += ',';
      text += header ? std::string_view("LA") : la;
      text += '\n';
      header = false;
      from = line_end + 1;
    }
    file.text = std::move(text);
  }
}

}  // namespace carecast
