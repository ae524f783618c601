// A set of small non-negative integers that finds its smallest member, or the smallest at or
// after a given one, in a few word reads: a bitmap with a summary bitmap above it (one bit for
// each non-empty word below), and so on up to a single word. Insert and erase touch one word per
// level at most. The supply pool uses it to find the first carer household with room in index
// order without scanning every household. The smallest member is also kept on its own, so that
// first() reads one word of the set object and none of the bitmap's (in a region every council's
// pool has its sets, so the bitmaps are mostly out of cache when a search asks for the first).
// Every level's words are in one array, level 0 first, so that a search reads the set object and
// then the words, not a table of levels in between (a council's set of a few hundred households
// is one cache line of words).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <vector>

namespace carecast {

class OrderedIndexSet {
 public:
  // Empties the set; keeps its storage.
  void clear() {
    std::fill(words_.begin(), words_.end(), 0);
    first_ = -1;
  }
  bool contains(std::uint32_t value) const {
    const std::size_t word = value >> 6;
    return levels_ > 0 && word < level_size(0) && (words_[word] >> (value & 63) & 1) != 0;
  }
  void insert(std::uint32_t value) {
    if (first_ < 0 || value < first_) first_ = value;
    grow_for(value);
    std::uint64_t position = value;
    for (int level = 0; level < levels_; ++level) {
      std::uint64_t& word = at(level, position >> 6);
      const bool was_empty = word == 0;
      word |= std::uint64_t{1} << (position & 63);
      if (!was_empty) return;  // the levels above already mark this word
      position >>= 6;
    }
  }
  void erase(std::uint32_t value) {
    if (!contains(value)) return;
    std::uint64_t position = value;
    for (int level = 0; level < levels_; ++level) {
      std::uint64_t& word = at(level, position >> 6);
      word &= ~(std::uint64_t{1} << (position & 63));
      if (word != 0) break;  // the word still has members: the levels above stay marked
      position >>= 6;
    }
    if (value == first_) first_ = next(std::uint64_t{value} + 1);
  }
  // The smallest member >= `from`, or -1 when there is none.
  std::int64_t next(std::uint64_t from) const {
    int level = 0;
    std::uint64_t position = from;
    // Up: the first level at which a set bit at or after the position is found in its own word.
    while (true) {
      if (level == levels_) return -1;
      const std::uint64_t word = position >> 6;
      if (word >= level_size(level)) return -1;
      const std::uint64_t bits = at(level, word) & (~std::uint64_t{0} << (position & 63));
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
      position = position * 64 + static_cast<std::uint64_t>(std::countr_zero(at(level, position)));
    }
    return static_cast<std::int64_t>(position);
  }
  std::int64_t first() const { return first_; }

  // The bitmap's bottom level, one bit per value: word `w` holds values [64w, 64w + 64). Words past
  // the end hold nothing. Lets a caller count members of several sets together, a word at a time.
  std::size_t bottom_words() const { return levels_ > 0 ? level_size(0) : 0; }
  std::uint64_t bottom_word(std::size_t w) const { return w < bottom_words() ? words_[w] : 0; }

 private:
  // 32-bit members need at most six levels of 64-bit words.
  static constexpr int kMostLevels = 6;

  std::size_t level_size(int level) const { return level_start_[level + 1] - level_start_[level]; }
  std::uint64_t& at(int level, std::uint64_t word) { return words_[level_start_[level] + word]; }
  std::uint64_t at(int level, std::uint64_t word) const { return words_[level_start_[level] + word]; }

  // Levels and words enough for `value`: each level's words cover `value`, and the top level is one
  // word. Lays the words out again when they grow (rarely: only until the largest household index
  // has been seen once).
  void grow_for(std::uint32_t value) {
    int levels = std::max(levels_, 1);
    while ((std::uint64_t{value} >> (6 * levels)) != 0) ++levels;
    std::array<std::size_t, kMostLevels> sizes{};
    bool grows = levels != levels_;
    for (int level = 0; level < levels; ++level) {
      const std::size_t needed = static_cast<std::size_t>(std::uint64_t{value} >> (6 * (level + 1))) + 1;
      sizes[static_cast<std::size_t>(level)] = std::max(level < levels_ ? level_size(level) : std::size_t{1}, needed);
      grows = grows || (level < levels_ && sizes[static_cast<std::size_t>(level)] != level_size(level));
    }
    if (!grows) return;
    std::array<std::size_t, kMostLevels + 1> start{};
    for (int level = 0; level < levels; ++level) {
      start[static_cast<std::size_t>(level) + 1] =
          start[static_cast<std::size_t>(level)] + sizes[static_cast<std::size_t>(level)];
    }
    std::vector<std::uint64_t> words(start[static_cast<std::size_t>(levels)], 0);
    for (int level = 0; level < levels_; ++level) {
      std::copy_n(words_.begin() + static_cast<std::ptrdiff_t>(level_start_[level]), level_size(level),
                  words.begin() + static_cast<std::ptrdiff_t>(start[static_cast<std::size_t>(level)]));
    }
    // A level added above the old top (one word) marks that word if it has members.
    for (int level = std::max(levels_, 1); level < levels; ++level) {
      if (words[start[static_cast<std::size_t>(level) - 1]] != 0) words[start[static_cast<std::size_t>(level)]] = 1;
    }
    words_ = std::move(words);
    level_start_ = start;
    levels_ = levels;
  }

  std::vector<std::uint64_t> words_;                        // level 0 (one bit per value), then level 1, ...
  std::array<std::size_t, kMostLevels + 1> level_start_{};  // level l's words: [start[l], start[l + 1])
  int levels_ = 0;
  std::int64_t first_ = -1;  // the smallest member, -1 when empty
};

}  // namespace carecast
