// An allocator for the few large tables a replication reads at random (its children, its care
// leavers): an allocation of 2 MiB or more is aligned to 2 MiB and Linux is asked to back it with
// huge pages (madvise MADV_HUGEPAGE; most systems enable transparent huge pages only on request).
// A large council's or a region's children take tens of megabytes; in 4 KiB pages nearly every
// event's child misses the address-translation cache as well as the data caches, and a page walk
// costs as much as the fetch. Smaller allocations, and systems without the call, get ordinary
// memory; nothing but speed depends on it.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace carecast {

template <class T>
class HugePageAllocator {
 public:
  using value_type = T;

  HugePageAllocator() = default;
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>& /*other*/) noexcept {}  // NOLINT: converting, as allocators must

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return std::allocator<T>{}.allocate(n);
    void* memory = std::aligned_alloc(kHugePage, rounded(bytes));
    if (memory == nullptr) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(memory, rounded(bytes), MADV_HUGEPAGE);  // a request: refused, the pages stay small
#endif
    return static_cast<T*>(memory);
  }
  void deallocate(T* memory, std::size_t n) noexcept {
    if (n * sizeof(T) < kHugePage) {
      std::allocator<T>{}.deallocate(memory, n);
    } else {
      std::free(memory);
    }
  }
  template <class U>
  bool operator==(const HugePageAllocator<U>& /*other*/) const noexcept {
    return true;
  }

 private:
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  static std::size_t rounded(std::size_t bytes) { return (bytes + kHugePage - 1) / kHugePage * kHugePage; }
};

// A vector whose storage, once large, is in huge pages.
template <class T>
using LargeTable = std::vector<T, HugePageAllocator<T>>;

}  // namespace carecast
