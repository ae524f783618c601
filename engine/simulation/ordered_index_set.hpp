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
//
// It also counts its members by chunk (512 values, then 4,096, then 32,768 and so on, each chunk
// of a count level eight of the level below), so that the nth member of several disjoint sets
// together (nth_of_union) is found by reading a few counts at each level and then eight bitmap
// words: the supply pool's uniform choice among suitable households then costs the same in a
// council of 200 households and in England's single pool of 35,000, instead of a walk over the
// households passed over.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

namespace carecast {

class OrderedIndexSet {
 public:
  // Empties the set; keeps its storage.
  void clear() {
    std::fill(words_.begin(), words_.end(), 0);
    std::fill(counts_.begin(), counts_.end(), 0);
    first_ = -1;
    size_ = 0;
  }
  std::int64_t size() const { return size_; }
  bool contains(std::uint32_t value) const {
    const std::size_t word = value >> 6;
    return levels_ > 0 && word < level_size(0) && (words_[word] >> (value & 63) & 1) != 0;
  }
  void insert(std::uint32_t value) {
    if (contains(value)) return;
    if (first_ < 0 || value < first_) first_ = value;
    grow_for(value);
    count(value, +1);
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
    count(value, -1);
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

  // The nth member (from 0, in order) of the union of `sets`, which must have no member in
  // common; -1 when the union has n members or fewer. From the top count level down, it takes the
  // chunk in which the nth falls (adding the sets' counts of each chunk), then the word, then the
  // bit: at most eight chunks a level and eight words, for each set.
  static std::int64_t nth_of_union(std::span<const OrderedIndexSet* const> sets, std::uint64_t n) {
    int top = -1;
    std::size_t top_chunks = 0;
    for (const OrderedIndexSet* set : sets) top = std::max(top, set->count_levels_ - 1);
    if (top < 0) return -1;
    for (const OrderedIndexSet* set : sets) {
      top_chunks = std::max(top_chunks, set->count_levels_ - 1 == top ? set->count_level_size(top) : std::size_t{1});
    }
    std::uint64_t remaining = n;
    std::size_t chunk = 0;
    std::size_t from = 0;
    std::size_t to = top_chunks;
    for (int level = top; level >= 0; --level) {
      bool found = false;
      for (chunk = from; chunk < to; ++chunk) {
        std::uint64_t members = 0;
        for (const OrderedIndexSet* set : sets) members += set->count_at(level, chunk);
        if (remaining < members) {
          found = true;
          break;
        }
        remaining -= members;
      }
      if (!found) return -1;
      from = chunk << kCountFanShift;
      to = from + (std::size_t{1} << kCountFanShift);
    }
    // `chunk` is now a block of the bottom count level: its words, a word at a time.
    const std::size_t first_word = chunk << (kBlockShift - 6);
    for (std::size_t word = first_word; word < first_word + (std::size_t{1} << (kBlockShift - 6)); ++word) {
      std::uint64_t bits = 0;
      for (const OrderedIndexSet* set : sets) bits |= set->bottom_word(word);
      const auto members = static_cast<std::uint64_t>(std::popcount(bits));
      if (remaining >= members) {
        remaining -= members;
        continue;
      }
      for (; remaining > 0; --remaining) bits &= bits - 1;  // drop the members passed over
      return static_cast<std::int64_t>(word * 64 + static_cast<std::uint64_t>(std::countr_zero(bits)));
    }
    return -1;  // not reached while the counts agree with the bitmap
  }

 private:
  // 32-bit members need at most six levels of 64-bit words.
  static constexpr int kMostLevels = 6;
  // The bottom count level counts blocks of 2^9 = 512 values (eight bitmap words); each level above
  // counts chunks of eight of the level below. A set keeps levels until its top level has at most
  // eight chunks: 32-bit members need at most eight.
  static constexpr int kBlockShift = 9;
  static constexpr int kCountFanShift = 3;
  static constexpr int kMostCountLevels = 8;
  static constexpr int chunk_shift(int count_level) { return kBlockShift + kCountFanShift * count_level; }

  std::size_t count_level_size(int level) const { return count_start_[level + 1] - count_start_[level]; }
  // Members in chunk `chunk` of count level `level`. Above a set's own top level every member is in
  // the first chunk.
  std::uint64_t count_at(int level, std::size_t chunk) const {
    if (level >= count_levels_) return chunk == 0 ? static_cast<std::uint64_t>(size_) : 0;
    return chunk < count_level_size(level) ? static_cast<std::uint64_t>(counts_[count_start_[level] + chunk]) : 0;
  }
  void count(std::uint32_t value, int change) {
    size_ += change;
    for (int level = 0; level < count_levels_; ++level) {
      counts_[count_start_[level] + (std::uint64_t{value} >> chunk_shift(level))] += change;
    }
  }

  std::size_t level_size(int level) const { return level_start_[level + 1] - level_start_[level]; }
  std::uint64_t& at(int level, std::uint64_t word) { return words_[level_start_[level] + word]; }
  std::uint64_t at(int level, std::uint64_t word) const { return words_[level_start_[level] + word]; }

  // Levels and words enough for `value`: each level's words cover `value`, and the top level is one
  // word. Lays the words out again when they grow (rarely: only until the largest household index
  // has been seen once).
  void grow_for(std::uint32_t value) {
    grow_counts_for(value);
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

  // Count levels enough for `value`, the top one of at most eight chunks. When they grow they are
  // counted again from the bitmap (as rarely as the bitmap grows).
  void grow_counts_for(std::uint32_t value) {
    int levels = std::max(count_levels_, 1);
    while ((std::uint64_t{value} >> chunk_shift(levels - 1)) >= (std::uint64_t{1} << kCountFanShift)) ++levels;
    std::array<std::size_t, kMostCountLevels + 1> start{};
    bool grows = levels != count_levels_;
    for (int level = 0; level < levels; ++level) {
      const std::size_t needed = static_cast<std::size_t>(std::uint64_t{value} >> chunk_shift(level)) + 1;
      const std::size_t size = std::max(level < count_levels_ ? count_level_size(level) : std::size_t{1}, needed);
      grows = grows || (level < count_levels_ && size != count_level_size(level));
      start[static_cast<std::size_t>(level) + 1] = start[static_cast<std::size_t>(level)] + size;
    }
    if (!grows) return;
    std::vector<std::int32_t> counts(start[static_cast<std::size_t>(levels)], 0);
    const std::size_t words = levels_ > 0 ? level_size(0) : 0;
    for (std::size_t word = 0; word < words; ++word) {
      const int members = std::popcount(words_[word]);
      for (int level = 0; level < levels; ++level) {
        counts[start[static_cast<std::size_t>(level)] + ((word * 64) >> chunk_shift(level))] += members;
      }
    }
    counts_ = std::move(counts);
    count_start_ = start;
    count_levels_ = levels;
  }

  std::vector<std::uint64_t> words_;                        // level 0 (one bit per value), then level 1, ...
  std::array<std::size_t, kMostLevels + 1> level_start_{};  // level l's words: [start[l], start[l + 1])
  int levels_ = 0;
  std::int64_t first_ = -1;  // the smallest member, -1 when empty
  std::int64_t size_ = 0;    // members
  std::vector<std::int32_t> counts_;  // count level 0 (members per 512 values), then level 1, ...
  std::array<std::size_t, kMostCountLevels + 1> count_start_{};  // level l's counts: [start[l], start[l + 1])
  int count_levels_ = 0;
};

}  // namespace carecast
