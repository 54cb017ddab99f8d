// The counting and waiting for a ring of slots that one thread fills and
// another takes, in order (ParseAhead: blocks of parsed lines; WriteBehind:
// batches of opens to write). The slots themselves are the caller's: slot n
// of the ring is the caller's array at n % slots.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>

namespace nfstrace {

class SlotHandoff {
public:
    // A waiting filler is woken once `wake_filler_at` slots are free rather
    // than at each one: fewer wake-ups when the filler is the faster side.
    SlotHandoff(std::size_t slots, std::size_t wake_filler_at) : slots_(slots), wake_filler_at_(wake_filler_at) {}

    // Filler: waits until slot `n` (the number of slots filled so far) is
    // free. False if stopped.
    bool wait_free(std::size_t n) {
        std::unique_lock<std::mutex> lock(mutex_);
        while (n - taken_ == slots_ && !stopped_) {
            filler_waits_ = true;
            freed_.wait(lock);
        }
        filler_waits_ = false;
        return !stopped_;
    }
    // Filler: slot `n` is filled.
    void filled(std::size_t n) {
        bool wake;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            filled_ = n + 1;
            wake = taker_waits_;
        }
        if (wake) ready_.notify_one();
    }
    // Taker: waits for the next filled slot and returns its number.
    std::size_t wait_filled() {
        std::unique_lock<std::mutex> lock(mutex_);
        while (filled_ == taken_) {
            taker_waits_ = true;
            ready_.wait(lock);
        }
        taker_waits_ = false;
        return taken_;
    }
    // Taker: would wait_filled() return at once?
    bool any_filled() {
        std::lock_guard<std::mutex> lock(mutex_);
        return filled_ != taken_;
    }
    // Taker: gives back the slot wait_filled() returned.
    void taken() {
        bool wake;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            ++taken_;
            wake = filler_waits_ && slots_ - (filled_ - taken_) >= wake_filler_at_;
        }
        if (wake) freed_.notify_one();
    }
    // Makes a waiting (or the next) wait_free() return false.
    void stop() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopped_ = true;
        }
        freed_.notify_one();
    }

private:
    const std::size_t slots_;
    const std::size_t wake_filler_at_;
    std::mutex mutex_;
    std::condition_variable ready_;  // a slot was filled
    std::condition_variable freed_;  // slots were given back
    std::size_t filled_ = 0;
    std::size_t taken_ = 0;
    bool taker_waits_ = false;
    bool filler_waits_ = false;
    bool stopped_ = false;
};

}  // namespace nfstrace
