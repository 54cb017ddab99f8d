// Slots reused through a free list: tables that keep their records in a
// container indexed by slot number (a vector, deque or LargeVector) and the
// numbers of the freed slots in a vector.
#pragma once

#include <cstdint>
#include <vector>

namespace common {

// The slot to use next: the one freed last (taken off `free`), else a new
// default-constructed one at the end of `slots`. The caller resets its fields.
template <class Slots>
std::uint32_t take_slot(Slots& slots, std::vector<std::uint32_t>& free) {
    if (!free.empty()) {
        const std::uint32_t i = free.back();
        free.pop_back();
        return i;
    }
    slots.emplace_back();
    return static_cast<std::uint32_t>(slots.size() - 1);
}

}  // namespace common
