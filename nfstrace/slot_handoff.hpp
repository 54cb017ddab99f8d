// The counting and waiting for a ring of slots that one thread fills and
// another takes, in order (ParseAhead: blocks of parsed lines; WriteBehind:
// batches of opens to write). The slots themselves are the caller's: slot n
// of the ring is the caller's array at n % slots.
//
// The counts are atomics, so a side that need not wait takes no lock. A side
// that must wait sleeps on a condition variable; it says so (the *_waits_
// flags) before looking at the count a last time, and the other side, after
// changing the count, looks at that flag: with both in sequentially
// consistent order, one of the two sees the other, so no wake-up is lost.
// The taker may spin a little before it sleeps (the tracer waiting for the
// reading thread mostly waits a few tens of microseconds, less than a sleep
// and a wake-up cost), but only where the process has more than one CPU.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace nfstrace {

class SlotHandoff {
public:
    // A waiting filler is woken once `wake_filler_at` slots are free rather
    // than at each one: fewer wake-ups when the filler is the faster side.
    // `spin_taker`: the taker spins briefly before it sleeps (if more than
    // one CPU).
    SlotHandoff(std::size_t slots, std::size_t wake_filler_at, bool spin_taker = false);

    // Filler: waits until slot `n` (the number of slots filled so far) is
    // free. False if stopped.
    bool wait_free(std::size_t n) {
        if (n - taken_.load() < slots_ || stopped_.load()) return !stopped_.load();
        std::unique_lock<std::mutex> lock(mutex_);
        filler_waits_.store(true);
        while (n - taken_.load() == slots_ && !stopped_.load()) freed_.wait(lock);
        filler_waits_.store(false);
        return !stopped_.load();
    }
    // Filler: slot `n` is filled.
    void filled(std::size_t n) {
        filled_.store(n + 1);
        if (taker_waits_.load()) {
            std::lock_guard<std::mutex> lock(mutex_);
            ready_.notify_one();
        }
    }
    // Taker: waits for the next filled slot and returns its number.
    std::size_t wait_filled() {
        std::size_t n = 0;
        wait_filled_until(nullptr, n);
        return n;
    }
    // Taker: as wait_filled(), but waits at most `limit`; false if no slot
    // was filled by then.
    bool wait_filled_for(std::chrono::milliseconds limit, std::size_t& n) {
        const auto until = std::chrono::steady_clock::now() + limit;
        return wait_filled_until(&until, n);
    }
    // Taker: gives back the slot wait_filled() returned.
    void taken() {
        const std::size_t t = taken_.load(std::memory_order_relaxed) + 1;
        taken_.store(t);
        if (filler_waits_.load() && slots_ - (filled_.load() - t) >= wake_filler_at_) {
            std::lock_guard<std::mutex> lock(mutex_);
            freed_.notify_one();
        }
    }
    // Makes a waiting (or the next) wait_free() return false.
    void stop() {
        stopped_.store(true);
        std::lock_guard<std::mutex> lock(mutex_);
        freed_.notify_one();
    }

private:
    // Spins a little (if allowed) for slot t to be filled; true if it was.
    bool spin_for_filled(std::size_t t) const;
    // The taker's wait for its next slot (`n`), until `until` if not null;
    // false if that time came first.
    bool wait_filled_until(const std::chrono::steady_clock::time_point* until, std::size_t& n) {
        const std::size_t t = taken_.load(std::memory_order_relaxed);  // only the taker changes it
        n = t;
        if (filled_.load() != t || spin_for_filled(t)) return true;
        std::unique_lock<std::mutex> lock(mutex_);
        taker_waits_.store(true);
        bool got = true;
        while (filled_.load() == t) {
            if (!until) {
                ready_.wait(lock);
            } else if (ready_.wait_until(lock, *until) == std::cv_status::timeout && filled_.load() == t) {
                got = false;
                break;
            }
        }
        taker_waits_.store(false);
        return got;
    }

    const std::size_t slots_;
    const std::size_t wake_filler_at_;
    const bool spin_taker_;
    std::atomic<std::size_t> filled_{0};
    std::atomic<std::size_t> taken_{0};
    std::atomic<bool> taker_waits_{false};
    std::atomic<bool> filler_waits_{false};
    std::atomic<bool> stopped_{false};
    std::mutex mutex_;
    std::condition_variable ready_;  // a slot was filled
    std::condition_variable freed_;  // slots were given back
};

}  // namespace nfstrace
