#include <catch2/catch.hpp>

#include "nfstrace/event.hpp"

using nfstrace::DirEntry;
using nfstrace::DirListings;

TEST_CASE("event: listings are handed out cleared, reused once released, apart while in flight") {
    DirListings pool;
    std::uint32_t a = pool.acquire();
    std::uint32_t b = pool.acquire();
    CHECK(a != b);
    pool[a].entries.push_back(DirEntry{1, 0, 3});
    pool[a].names = "one";
    pool[b].entries.push_back(DirEntry{2, 0, 3});
    pool[b].names = "two";
    CHECK(pool[a].name(pool[a].entries[0]) == "one");
    CHECK(pool[b].name(pool[b].entries[0]) == "two");
    const std::uint32_t was_a = a;
    pool.release(a);
    CHECK(a == nfstrace::kNoListing);  // the event is left without one
    pool.release(a);                   // without one: nothing to give back
    std::uint32_t c = pool.acquire();  // the released one, cleared
    CHECK(c == was_a);
    CHECK(pool[c].entries.empty());
    CHECK(pool[c].names.empty());
    CHECK(pool[b].names == "two");  // untouched
    CHECK(pool.size() == 2);
}
