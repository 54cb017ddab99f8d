#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <random>

#include "common/flat_index.hpp"

using common::FlatIndex;

TEST_CASE("flat index: find, replace in place and erase with a shared hash") {
    FlatIndex ix(16);
    ix.insert(5, 100);
    ix.insert(5, 200);  // same hash: told apart by the predicate
    ix.insert(21, 300);  // same home slot in 16
    CHECK(ix.size() == 3);
    CHECK(ix.find(5, [](std::uint64_t v) { return v == 200; }) == 200);
    CHECK(ix.find(5, [](std::uint64_t v) { return v == 999; }) == FlatIndex::kNone);
    CHECK(ix.find(21, [](std::uint64_t) { return true; }) == 300);
    std::uint64_t* v = ix.find_value(5, [](std::uint64_t x) { return x == 100; });
    REQUIRE(v);
    *v = 150;
    CHECK(ix.erase(5, 150));
    CHECK_FALSE(ix.erase(5, 150));
    CHECK(ix.size() == 2);
    // The entries after the hole are still found (backward shift).
    CHECK(ix.find(5, [](std::uint64_t x) { return x == 200; }) == 200);
    CHECK(ix.find(21, [](std::uint64_t) { return true; }) == 300);
}

TEST_CASE("flat index: agrees with a map over many inserts and erases, across growth") {
    FlatIndex ix(16);
    std::map<std::uint64_t, std::uint64_t> ref;  // value -> hash
    std::mt19937_64 rnd(7);
    for (int i = 0; i < 20000; ++i) {
        std::uint64_t value = rnd() % 5000;
        std::uint64_t hash = (value * 0x9e3779b97f4a7c15ULL) % 997;  // many collisions
        if (ref.count(value)) {
            CHECK(ix.erase(hash, value));
            ref.erase(value);
        } else {
            ix.insert(hash, value);
            ref[value] = hash;
        }
    }
    CHECK(ix.size() == ref.size());
    for (std::uint64_t value = 0; value < 5000; ++value) {
        std::uint64_t hash = (value * 0x9e3779b97f4a7c15ULL) % 997;
        std::uint64_t got = ix.find(hash, [value](std::uint64_t v) { return v == value; });
        CHECK(got == (ref.count(value) ? value : FlatIndex::kNone));
    }
}

TEST_CASE("hash_bytes: deterministic, seeded, every length and byte counts") {
    using common::hash_bytes;
    CHECK(hash_bytes("abc") == hash_bytes(std::string("abc")));
    CHECK(hash_bytes("abc", 1) != hash_bytes("abc", 2));
    CHECK(hash_bytes("") != hash_bytes(std::string_view("\0", 1)));
    // All lengths 0..40, and one changed byte anywhere: distinct hashes, and the
    // low bits (the index's slot) spread.
    std::set<std::uint64_t> seen;
    std::set<std::uint64_t> low;
    std::string s;
    for (std::size_t n = 0; n <= 40; ++n) {
        s.assign(n, 'a');
        CHECK(seen.insert(hash_bytes(s)).second);
        for (std::size_t i = 0; i < n; ++i) {
            std::string t = s;
            t[i] = 'b';
            CHECK(seen.insert(hash_bytes(t)).second);
            low.insert(hash_bytes(t) & 1023);
        }
    }
    CHECK(low.size() > 500);  // of 820 values into 1024 slots
}

TEST_CASE("flat index: first_candidate is the first value under a hash, unconfirmed") {
    FlatIndex ix(16);
    CHECK(ix.first_candidate(5) == FlatIndex::kNone);
    ix.insert(5, 50);
    ix.insert(5, 51);
    ix.insert(21, 210);  // same home slot (16 slots), other hash
    ix.prefetch(5);
    CHECK(ix.first_candidate(5) == 50);
    CHECK(ix.first_candidate(21) == 210);
    CHECK(ix.first_candidate(37) == FlatIndex::kNone);
}
