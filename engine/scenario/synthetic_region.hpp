// A synthetic region for tests, demonstrations and timing (`carecast synth-region`): N councils,
// each the default council (scenarios/default.toml) scaled to its own size, sharing one placement
// market. The assumptions are in docs/regions.md ("A synthetic region").
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace carecast {

// Children looked after at the origin in each council of a synthetic region, at least this many.
inline constexpr int kMinSyntheticCouncilChildren = 20;
// Standard deviation of the log of the councils' sizes before they are scaled to the total.
inline constexpr double kSyntheticCouncilSizeSdLog = 0.5;
// Places of each shared market part at the origin, as a multiple of the children placed in that part at the origin.
inline constexpr double kSyntheticMarketHeadroom = 1.1;

// One file of a synthetic region: its name in the output folder and its bytes.
struct SyntheticRegionFile {
  std::string name;
  std::string text;
};

struct SyntheticRegion {
  std::vector<int> council_children;  // children looked after at the origin, by council; sums to the total asked
  std::vector<SyntheticRegionFile> files;  // region.toml first, then the councils' files, then the default's copies
};

// The councils' sizes: each at least kMinSyntheticCouncilChildren, summing to `children` exactly.
// Weights exp(0.5 z), z standard normal drawn from `seed` through a StreamEngine, share out what is
// left above the minimum by largest remainder (ties to the earlier council). Throws InputError
// naming --councils or --children when councils is not 1 to 200 or children is below 20 per council.
std::vector<int> synthetic_council_sizes(int councils, int children, std::uint64_t seed);

// The files of a region of `councils` councils with `children` children at the origin in all, each
// council a copy of `default_scenario` (and the files it is built from, copied beside it) scaled to
// its size. The same arguments give the same bytes.
SyntheticRegion make_synthetic_region(int councils, int children, std::uint64_t seed,
                                      const std::filesystem::path& default_scenario);

}  // namespace carecast
