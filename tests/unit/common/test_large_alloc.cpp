#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>

#include "common/large_alloc.hpp"

using common::kLargeBlock;

TEST_CASE("large alloc: small blocks from operator new, large ones whole and 2 MiB-aligned") {
    for (std::size_t bytes : {std::size_t{1}, std::size_t{4096}, kLargeBlock - 1, kLargeBlock, kLargeBlock + 1,
                              3 * kLargeBlock + 12345}) {
        INFO(bytes);
        void* p = common::allocate_large(bytes);
        REQUIRE(p != nullptr);
        if (bytes >= kLargeBlock) CHECK(reinterpret_cast<std::uintptr_t>(p) % kLargeBlock == 0);
        // Every byte is usable.
        std::memset(p, 0xa5, bytes);
        auto* b = static_cast<unsigned char*>(p);
        CHECK(b[0] == 0xa5);
        CHECK(b[bytes - 1] == 0xa5);
        common::free_large(p, bytes);
    }
}

TEST_CASE("large alloc: a LargeVector keeps its elements as it grows past 2 MiB and shrinks") {
    struct Item {
        std::uint64_t a;
        std::uint32_t b;
    };
    common::LargeVector<Item> v;
    const std::size_t n = 3 * kLargeBlock / sizeof(Item);
    for (std::size_t i = 0; i < n; ++i) v.push_back(Item{i * 7, static_cast<std::uint32_t>(i)});
    REQUIRE(v.size() == n);
    bool same = true;
    for (std::size_t i = 0; i < n; ++i) same = same && v[i].a == i * 7 && v[i].b == static_cast<std::uint32_t>(i);
    CHECK(same);
    v.resize(10);
    v.shrink_to_fit();
    CHECK(v.size() == 10);
    CHECK(v[9].a == 63);
    common::LargeVector<Item> w = v;  // copies use the same allocator
    CHECK(w.size() == 10);
    CHECK(w[3].b == 3);
}
