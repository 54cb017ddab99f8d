#include "common/large_alloc.hpp"

#include <cstdint>
#include <new>
#include <sys/mman.h>

namespace common {

namespace {
std::size_t mapped_size(std::size_t bytes) { return (bytes + kLargeBlock - 1) / kLargeBlock * kLargeBlock; }
}  // namespace

void* allocate_large(std::size_t bytes) {
    if (bytes < kLargeBlock) return ::operator new(bytes);
    const std::size_t size = mapped_size(bytes);
    // Map one huge page more than needed, then unmap what lies outside the
    // 2 MiB-aligned part, so that the whole block can be huge pages.
    void* m = ::mmap(nullptr, size + kLargeBlock, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) throw std::bad_alloc();
    auto start = reinterpret_cast<std::uintptr_t>(m);
    auto aligned = (start + kLargeBlock - 1) / kLargeBlock * kLargeBlock;
    if (aligned > start) ::munmap(m, aligned - start);
    std::size_t tail = start + size + kLargeBlock - (aligned + size);
    if (tail > 0) ::munmap(reinterpret_cast<void*>(aligned + size), tail);
#if defined(MADV_HUGEPAGE)
    ::madvise(reinterpret_cast<void*>(aligned), size, MADV_HUGEPAGE);  // a hint: failure is harmless
#endif
    return reinterpret_cast<void*>(aligned);
}

void free_large(void* p, std::size_t bytes) noexcept {
    if (!p) return;
    if (bytes < kLargeBlock) {
        ::operator delete(p);
        return;
    }
    ::munmap(p, mapped_size(bytes));
}

}  // namespace common
