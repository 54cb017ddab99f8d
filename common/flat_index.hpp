// An open-addressing hash index: 64-bit hash -> 64-bit value, in one flat array
// (linear probing, load kept under 3/4, backward-shift deletion, so no
// tombstones). It stores no keys: the caller keeps them wherever its objects
// live and confirms a candidate value with a predicate, which is only asked
// about entries whose full hash matches. No allocation except when it grows.
//
// Used by rpcspy's call table (call key -> slot) and nfstrace's handle table
// (handle -> node, and (directory, name) -> handle) and host table.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "common/large_alloc.hpp"

namespace common {

// A fast 64-bit hash of bytes for hash tables (not for security, nor stable
// across versions): 16 bytes a step, each folded in by a 64x64->128-bit
// multiply, so that every bit of the result, the low ones too, depends on every
// byte. `seed` makes distinct hashes of equal bytes (e.g. per server).
inline std::uint64_t hash_bytes(std::string_view s, std::uint64_t seed = 0) {
    constexpr std::uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL, k2 = 0x8ebc6af09c88c6e3ULL;
    auto fold = [](std::uint64_t a, std::uint64_t b) {
        __uint128_t m = static_cast<__uint128_t>(a) * b;
        return static_cast<std::uint64_t>(m) ^ static_cast<std::uint64_t>(m >> 64);
    };
    auto load = [](const char* p, std::size_t n) {  // n: 4 or 8
        std::uint64_t v = 0;
        std::memcpy(&v, p, n);
        return v;
    };
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = seed ^ k0;
    for (; n > 16; p += 16, n -= 16) h = fold(load(p, 8) ^ k1, load(p + 8, 8) ^ h);
    std::uint64_t a = 0, b = 0;
    if (n >= 8) {  // the last 8..16 bytes (overlapping)
        a = load(p, 8);
        b = load(p + n - 8, 8);
    } else if (n >= 4) {
        a = load(p, 4);
        b = load(p + n - 4, 4);
    } else if (n > 0) {
        a = (std::uint64_t{static_cast<unsigned char>(p[0])} << 16) |
            (std::uint64_t{static_cast<unsigned char>(p[n / 2])} << 8) | static_cast<unsigned char>(p[n - 1]);
    }
    return fold(fold(a ^ k1, b ^ h) ^ k2, s.size() ^ k1);
}

class FlatIndex {
public:
    // A value no entry may hold (find() returns it for "none").
    static constexpr std::uint64_t kNone = ~std::uint64_t{0};

    explicit FlatIndex(std::size_t capacity = 1024) : entries_(round_up(capacity), Entry{0, kNone}) {}

    std::size_t size() const { return count_; }

    // The first value under `hash` for which match(value) is true, or kNone.
    template <class Match>
    std::uint64_t find(std::uint64_t hash, Match&& match) const {
        const Entry* e = locate(hash, match);
        return e ? e->value : kNone;
    }
    // Like find(), but lets the caller replace the value in place (nullptr: none).
    template <class Match>
    std::uint64_t* find_value(std::uint64_t hash, Match&& match) {
        return value_ptr(locate(hash, match));
    }

    // For lookups in batches: start loading where `hash` goes; later, the value
    // of the first entry under `hash`, unconfirmed (kNone if none), to load
    // what it names.
    void prefetch(std::uint64_t hash) const { __builtin_prefetch(&entries_[hash & (entries_.size() - 1)]); }
    std::uint64_t first_candidate(std::uint64_t hash) const {
        std::uint64_t none = kNone;
        auto any = [](std::uint64_t) { return true; };
        const Entry* e = locate(hash, any);
        return e ? e->value : none;
    }

    // Adds an entry (several may share a hash; `value` must not be kNone).
    void insert(std::uint64_t hash, std::uint64_t value) {
        if ((count_ + 1) * 4 > entries_.size() * 3) grow();
        place(hash, value);
        ++count_;
    }

    // Removes the entry (hash, value) if present. Returns whether it was.
    bool erase(std::uint64_t hash, std::uint64_t value);

private:
    struct Entry {
        std::uint64_t hash;
        std::uint64_t value;  // kNone: empty
    };

    static std::size_t round_up(std::size_t n) {
        std::size_t c = 16;
        while (c < n) c *= 2;
        return c;
    }
    static std::uint64_t* value_ptr(const Entry* e) {
        return e ? const_cast<std::uint64_t*>(&e->value) : nullptr;
    }
    template <class Match>
    const Entry* locate(std::uint64_t hash, Match& match) const {
        std::size_t mask = entries_.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
            const Entry& e = entries_[i];
            if (e.value == kNone) return nullptr;
            if (e.hash == hash && match(e.value)) return &e;
        }
    }
    void place(std::uint64_t hash, std::uint64_t value) {
        std::size_t mask = entries_.size() - 1;
        std::size_t i = hash & mask;
        while (entries_[i].value != kNone) i = (i + 1) & mask;
        entries_[i] = Entry{hash, value};
    }
    void grow();

    LargeVector<Entry> entries_;
    std::size_t count_ = 0;
};

inline void FlatIndex::grow() {
    LargeVector<Entry> old(entries_.size() * 2, Entry{0, kNone});
    old.swap(entries_);
    for (const Entry& e : old)
        if (e.value != kNone) place(e.hash, e.value);
}

inline bool FlatIndex::erase(std::uint64_t hash, std::uint64_t value) {
    std::size_t mask = entries_.size() - 1;
    std::size_t i = hash & mask;
    while (!(entries_[i].hash == hash && entries_[i].value == value)) {
        if (entries_[i].value == kNone) return false;
        i = (i + 1) & mask;
    }
    // Backward shift: move later entries of the cluster into the hole when their
    // home position allows it (their home is not in (hole, j]).
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask; entries_[j].value != kNone; j = (j + 1) & mask) {
        std::size_t home = entries_[j].hash & mask;
        bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
        if (!stays) {
            entries_[hole] = entries_[j];
            hole = j;
        }
    }
    entries_[hole] = Entry{0, kNone};
    --count_;
    return true;
}

}  // namespace common
