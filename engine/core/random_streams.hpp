// Named random streams derived from identity, not from order.
//
// Every draw in a replication comes from a stream identified by (seed, replication, entity,
// process). The same child in the same replication therefore meets the same chances whatever
// else happens in the run, whichever thread runs it and whatever scenario option is applied:
// that is what makes results independent of the thread count and lets options be compared with
// common random numbers. (OpenMC seeds each particle from its id for the same reason.)
//
// Boost 1.74 has no counter-based engine and its good engines are expensive to seed (mt19937 fills
// 624 words), which would cost more than simulating a child. StreamEngine is a counter-based
// generator: output i of stream k is the SplitMix64 finaliser applied to k + i * golden gamma,
// the construction of Steele, Lea and Flood (2014), which passes BigCrush. It satisfies the C++
// UniformRandomBitGenerator concept, so Boost.Random distributions draw from it directly.
#pragma once

#include <cstdint>
#include <limits>

namespace carecast {

// Processes that draw random numbers. Appending a process never shifts the draws of another.
enum class Process : std::uint32_t {
  entry_arrivals = 1,     // times of the next sibling group / UASC arrival
  child_attributes = 2,   // a new child's age, sex, group size and first placement
  placement_duration = 3, // the exponential clock of each placement
  placement_destination = 4,
  leaving_at_18 = 5,      // staying put or not
  starting_population = 6,
  parameters = 7,         // per-replication draws of uncertain rates
  households = 8,         // carer households: their make-up, enquiries, approvals, deregistration
  step_down = 9,          // a child's chances of stepping down from residential care
  placement_continues = 10,  // thinning of moves from Mockingbird households
  entry_thinning = 11,    // which arrivals edge-of-care work avoids
  placement_cost = 12,    // each placement's weekly cost, drawn from its category's distribution
  systemic_variation = 13,  // the replication's year-to-year multipliers on entries, exits, moves
  placement_market = 14,    // whether a search of the agency or external-home market finds a place
  systemic_drift = 20,      // the replication's random-walk drift of the same three multipliers
  placement_location = 21,  // each placement's location band, and each carer household's
  child_needs = 22,         // a child's needs level and its changes; a household's approval for levels
  re_entry = 23,            // when a child who left for home comes back into care, and its first placement;
                            // for a child who left before the origin, also its age and time since leaving
  care_leaver = 30,         // a care leaver's support, first status and moves between statuses
};

// Entities that own streams. A child's entity id is its namespace and index, so the k-th child to
// enter in a replication has the same id in every scenario.
enum class EntityKind : std::uint32_t {
  starting_child = 0,
  entering_child = 1,
  uasc_child = 2,
  replication = 3,
  household = 4,
  transferred_uasc_child = 5,
  starting_care_leaver = 6,  // care leavers at the origin ([care_leavers] starting_count)
  left_care_before_origin = 7,  // children who left care before the origin ([re_entry] left_before_origin)
};

constexpr std::uint64_t splitmix64_mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

constexpr std::uint64_t kGoldenGamma = 0x9e3779b97f4a7c15ULL;

constexpr std::uint64_t entity_id(EntityKind kind, std::uint32_t index) {
  return (static_cast<std::uint64_t>(kind) << 32) | index;
}

// Hashes the identity of a stream into its 64-bit key. Each component passes through the mixer so
// that neighbouring seeds, replications or children give unrelated keys. The key is built in steps
// (the replication's, then the entity's, then the process's), so that an entity with several
// streams mixes its shared part once (EntityStreams).
constexpr std::uint64_t replication_key(std::uint64_t seed, std::uint64_t replication) {
  return splitmix64_mix(splitmix64_mix(seed + kGoldenGamma) ^ (replication + 0x632be59bd9b4e019ULL));
}
constexpr std::uint64_t entity_key(std::uint64_t replication_key, std::uint64_t entity) {
  return splitmix64_mix(replication_key ^ (entity + 0x85157af5ULL * kGoldenGamma));
}
constexpr std::uint64_t process_key(std::uint64_t entity_key, Process process) {
  return splitmix64_mix(entity_key ^ (static_cast<std::uint64_t>(process) * 0xd1b54a32d192ed03ULL));
}
constexpr std::uint64_t stream_key(std::uint64_t seed, std::uint64_t replication, std::uint64_t entity,
                                   Process process) {
  return process_key(entity_key(replication_key(seed, replication), entity), process);
}

class StreamEngine {
 public:
  using result_type = std::uint64_t;
  constexpr StreamEngine() = default;
  constexpr explicit StreamEngine(std::uint64_t key) : state_(key) {}
  constexpr StreamEngine(std::uint64_t seed, std::uint64_t replication, std::uint64_t entity, Process process)
      : state_(stream_key(seed, replication, entity, process)) {}

  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }
  constexpr result_type operator()() {
    state_ += kGoldenGamma;
    return splitmix64_mix(state_);
  }

 private:
  std::uint64_t state_ = 0;
};

// One entity's streams in one replication, its key's shared mixes done once: streams(process) is
// StreamEngine(seed, replication, entity, process). A new child opens six or seven streams.
class EntityStreams {
 public:
  constexpr EntityStreams(std::uint64_t seed, std::uint64_t replication, std::uint64_t entity)
      : key_(entity_key(replication_key(seed, replication), entity)) {}
  constexpr StreamEngine operator()(Process process) const { return StreamEngine(process_key(key_, process)); }

 private:
  std::uint64_t key_;
};

// A uniform double in (0, 1): never 0, so -log(u) is finite. Uses the top 53 bits.
inline double uniform_open01(StreamEngine& engine) {
  return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
}

}  // namespace carecast
