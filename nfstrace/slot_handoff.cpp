#include "nfstrace/slot_handoff.hpp"

#include <sched.h>

namespace nfstrace {

namespace {

// Can two threads of this process run at once?
bool more_than_one_cpu() {
    cpu_set_t set;
    return sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 1;
}

void pause_briefly() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

// About 20-60 microseconds of pauses, depending on the processor.
constexpr int kSpins = 512;

}  // namespace

SlotHandoff::SlotHandoff(std::size_t slots, std::size_t wake_filler_at, bool spin_taker)
    : slots_(slots), wake_filler_at_(wake_filler_at), spin_taker_(spin_taker && more_than_one_cpu()) {}

bool SlotHandoff::spin_for_filled(std::size_t t) const {
    if (!spin_taker_) return false;
    for (int i = 0; i < kSpins; ++i) {
        pause_briefly();
        if (filled_.load(std::memory_order_relaxed) != t) return filled_.load() != t;
    }
    return false;
}

}  // namespace nfstrace
