// Memory for large tables that are accessed at random (hash indexes, slabs of
// nodes, pools of records): blocks of 2 MiB and more are mapped on their own,
// aligned to 2 MiB and advised to be backed by transparent huge pages
// (madvise(MADV_HUGEPAGE); ignored where the kernel does not allow it). With
// 4 KiB pages nearly every access to tables of tens of MiB misses the TLB, and
// each page is a page fault when first touched. Smaller blocks come from
// operator new as usual.
//
// LargeVector<T> is a std::vector using it.
#pragma once

#include <cstddef>
#include <vector>

namespace common {

// Blocks from this size up are mapped (the size of a huge page on x86-64).
inline constexpr std::size_t kLargeBlock = std::size_t{2} << 20;

// Throws std::bad_alloc when out of memory.
void* allocate_large(std::size_t bytes);
// `bytes` as given to allocate_large().
void free_large(void* p, std::size_t bytes) noexcept;

template <class T>
struct LargeAllocator {
    using value_type = T;
    LargeAllocator() = default;
    template <class U>
    LargeAllocator(const LargeAllocator<U>&) {}
    T* allocate(std::size_t n) { return static_cast<T*>(allocate_large(n * sizeof(T))); }
    void deallocate(T* p, std::size_t n) noexcept { free_large(p, n * sizeof(T)); }
    friend bool operator==(const LargeAllocator&, const LargeAllocator&) { return true; }
};

template <class T>
using LargeVector = std::vector<T, LargeAllocator<T>>;

}  // namespace common
