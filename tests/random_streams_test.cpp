#include "core/random_streams.hpp"

#include <gtest/gtest.h>

#include <array>
#include <boost/math/distributions/chi_squared.hpp>
#include <cstdint>

namespace carecast {
namespace {

// One entity's streams opened together (its key's shared mixes done once) are the streams opened
// one at a time from the whole identity, draw for draw.
TEST(RandomStreams, AnEntitysStreamsAreThoseOfItsWholeIdentity) {
  for (const std::uint64_t seed : {0ULL, 1ULL, 20261130ULL}) {
    for (std::uint64_t replication = 0; replication < 5; ++replication) {
      for (std::uint32_t child = 0; child < 50; ++child) {
        const std::uint64_t entity = entity_id(EntityKind::entering_child, child);
        const EntityStreams streams(seed, replication, entity);
        for (const Process process : {Process::child_attributes, Process::placement_duration,
                                      Process::placement_destination, Process::placement_cost, Process::child_needs}) {
          StreamEngine together = streams(process);
          StreamEngine alone(seed, replication, entity, process);
          for (int draw = 0; draw < 3; ++draw) ASSERT_EQ(together(), alone());
        }
      }
    }
  }
}

// The key of an identity is fixed: the seeded baseline and every saved forecast depend on it. The
// value is the key's from before it was built in steps (replication, entity, process).
TEST(RandomStreams, AStreamsKeyIsFixedByItsIdentity) {
  EXPECT_EQ(stream_key(1, 2, entity_id(EntityKind::entering_child, 3), Process::placement_duration),
            0xb2da9ca5dc637c6aULL);
}

// Neighbouring children's streams give uniform draws: the first draws of 20,000 consecutive
// children, in 64 bins, pass a chi-squared test whose false alarm rate is one in a million.
TEST(RandomStreams, NeighbouringChildrensFirstDrawsAreUniform) {
  constexpr int kBins = 64;
  constexpr int kChildren = 20000;
  std::array<int, kBins> counts{};
  for (std::uint32_t child = 0; child < kChildren; ++child) {
    StreamEngine engine(7, 0, entity_id(EntityKind::entering_child, child), Process::placement_duration);
    ++counts[static_cast<std::size_t>(uniform_open01(engine) * kBins)];
  }
  const double expected = static_cast<double>(kChildren) / kBins;
  double statistic = 0;
  for (const int count : counts) statistic += (count - expected) * (count - expected) / expected;
  const boost::math::chi_squared distribution(kBins - 1);
  EXPECT_LT(statistic, boost::math::quantile(boost::math::complement(distribution, 1e-6)));
}

}  // namespace
}  // namespace carecast
