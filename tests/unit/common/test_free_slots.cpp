#include <catch2/catch.hpp>

#include <deque>
#include <string>
#include <vector>

#include "common/free_slots.hpp"
#include "common/large_alloc.hpp"

TEST_CASE("free slots: new slots at the end, freed ones reused last-freed first", "[free_slots]") {
    std::vector<std::string> slots;
    std::vector<std::uint32_t> free;
    CHECK(common::take_slot(slots, free) == 0);
    CHECK(common::take_slot(slots, free) == 1);
    CHECK(common::take_slot(slots, free) == 2);
    REQUIRE(slots.size() == 3);
    slots[0] = "kept";  // a reused slot is handed back as it was left
    free.push_back(2);
    free.push_back(0);
    CHECK(common::take_slot(slots, free) == 0);
    CHECK(slots[0] == "kept");
    CHECK(common::take_slot(slots, free) == 2);
    CHECK(free.empty());
    CHECK(common::take_slot(slots, free) == 3);
    CHECK(slots.size() == 4);
}

TEST_CASE("free slots: any container that grows at its end", "[free_slots]") {
    std::deque<int> d;
    common::LargeVector<int> l;
    std::vector<std::uint32_t> free;
    CHECK(common::take_slot(d, free) == 0);
    CHECK(common::take_slot(l, free) == 0);
    CHECK(common::take_slot(l, free) == 1);
    CHECK(d.size() == 1);
    CHECK(l.size() == 2);
}
