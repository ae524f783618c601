// A set of small non-negative integers that finds its smallest member, or the smallest at or
// after a given one, in a few word reads: a bitmap with a summary bitmap above it (one bit for
// each non-empty word below), and so on up to a single word. Insert and erase touch one word per
// level at most. The supply pool uses it to find the first carer household with room in index
// order without scanning every household. The smallest member is also kept on its own, so that
// first() reads one word of the set object and none of the bitmap's (in a region every council's
// pool has its sets, so the bitmaps are mostly out of cache when a search asks for the first).
#pragma once

#include <bit>
#include <cstdint>
#include <vector>

namespace carecast {

class OrderedIndexSet {
 public:
  // Empties the set; keeps its storage.
  void clear() {
    for (auto& level : levels_) std::fill(level.begin(), level.end(), 0);
    first_ = -1;
  }
  bool contains(std::uint32_t value) const {
    const std::size_t word = value >> 6;
    return !levels_.empty() && word < levels_[0].size() && (levels_[0][word] >> (value & 63) & 1) != 0;
  }
  void insert(std::uint32_t value) {
    if (first_ < 0 || value < first_) first_ = value;
    grow_for(value);
    std::uint64_t position = value;
    for (auto& level : levels_) {
      std::uint64_t& word = level[position >> 6];
      const bool was_empty = word == 0;
      word |= std::uint64_t{1} << (position & 63);
      if (!was_empty) return;  // the levels above already mark this word
      position >>= 6;
    }
  }
  void erase(std::uint32_t value) {
    if (!contains(value)) return;
    std::uint64_t position = value;
    for (auto& level : levels_) {
      std::uint64_t& word = level[position >> 6];
      word &= ~(std::uint64_t{1} << (position & 63));
      if (word != 0) break;  // the word still has members: the levels above stay marked
      position >>= 6;
    }
    if (value == first_) first_ = next(std::uint64_t{value} + 1);
  }
  // The smallest member >= `from`, or -1 when there is none.
  std::int64_t next(std::uint64_t from) const {
    std::size_t level = 0;
    std::uint64_t position = from;
    // Up: the first level at which a set bit at or after the position is found in its own word.
    while (true) {
      if (level == levels_.size()) return -1;
      const std::uint64_t word = position >> 6;
      if (word >= levels_[level].size()) return -1;
      const std::uint64_t bits = levels_[level][word] & (~std::uint64_t{0} << (position & 63));
      if (bits != 0) {
        position = word * 64 + static_cast<std::uint64_t>(std::countr_zero(bits));
        break;
      }
      position = word + 1;  // the next word of this level is the next bit of the level above
      ++level;
    }
    // Down: the lowest member under that bit.
    while (level > 0) {
      --level;
      position = position * 64 + static_cast<std::uint64_t>(std::countr_zero(levels_[level][position]));
    }
    return static_cast<std::int64_t>(position);
  }
  std::int64_t first() const { return first_; }

 private:
  void grow_for(std::uint32_t value) {
    if (levels_.empty()) levels_.emplace_back(1, 0);
    // The top level is one word: add levels until it covers `value`.
    while ((std::uint64_t{value} >> (6 * levels_.size())) != 0) {
      const bool any = levels_.back()[0] != 0;
      levels_.emplace_back(1, any ? 1 : 0);
    }
    std::uint64_t position = value;
    for (auto& level : levels_) {
      position >>= 6;
      if (level.size() <= position) level.resize(position + 1, 0);
    }
  }
  std::vector<std::vector<std::uint64_t>> levels_;  // [0]: one bit per value
  std::int64_t first_ = -1;                         // the smallest member, -1 when empty
};

}  // namespace carecast
