#include <catch2/catch.hpp>

#include <set>

#include "rpcspy/call_table.hpp"

using namespace rpcspy;

namespace {
Endpoint ep(std::uint8_t last, std::uint16_t port) {
    Endpoint e;
    e.family = 4;
    e.addr[0] = 10;
    e.addr[3] = last;
    e.port = port;
    return e;
}
CallKey key(std::uint32_t xid, Transport t = Transport::Udp, std::uint8_t client = 2) {
    return CallKey{ep(client, 800), 2049, xid, t};
}
}  // namespace

TEST_CASE("call table: insert, find, erase", "[call_table]") {
    CallTable t(8);
    PendingCall* c = t.insert(key(1));
    c->server = ep(1, 2049);
    CHECK(t.size() == 1);
    CHECK(t.find(key(1), ep(1, 2049)) == c);
    CHECK(t.find(key(2), ep(1, 2049)) == nullptr);
    CHECK(t.find(key(1, Transport::Tcp), ep(1, 2049)) == nullptr);
    CHECK(t.find(key(1, Transport::Udp, 3), ep(1, 2049)) == nullptr);
    t.erase(c);
    CHECK(t.size() == 0);
    CHECK(t.find(key(1), ep(1, 2049)) == nullptr);
}

TEST_CASE("call table: UDP replies may come from another server address", "[call_table]") {
    CallTable t(8);
    PendingCall* udp = t.insert(key(1));
    udp->server = ep(1, 2049);
    CHECK(t.find(key(1), ep(99, 2049)) == udp);
    PendingCall* tcp = t.insert(key(1, Transport::Tcp));
    tcp->server = ep(1, 2049);
    CHECK(t.find(key(1, Transport::Tcp), ep(99, 2049)) == nullptr);
    CHECK(t.find(key(1, Transport::Tcp), ep(1, 2049)) == tcp);
}

TEST_CASE("call table: oldest follows insertion order and skips answered calls", "[call_table]") {
    CallTable t(8);
    PendingCall* a = t.insert(key(1));
    PendingCall* b = t.insert(key(2));
    PendingCall* c = t.insert(key(3));
    CHECK(t.oldest() == a);
    t.erase(b);
    CHECK(t.oldest() == a);
    t.erase(a);
    CHECK(t.oldest() == c);
    t.erase(c);
    CHECK(t.oldest() == nullptr);
}

TEST_CASE("call table: a reused slot is not mistaken for its old call", "[call_table]") {
    CallTable t(2);
    PendingCall* a = t.insert(key(1));
    t.erase(a);
    PendingCall* b = t.insert(key(2));  // reuses a's slot
    CHECK(b == a);
    CHECK(t.oldest() == b);
    CHECK(t.oldest()->key.xid == 2);
}

TEST_CASE("call table: many inserts and erases keep every live key findable", "[call_table]") {
    CallTable t(1000);
    std::set<std::uint32_t> live;
    std::uint32_t next = 0, rng = 12345;
    for (int step = 0; step < 20000; ++step) {
        rng = rng * 1103515245u + 12345u;
        if ((rng >> 16) % 3 != 0 && !t.full()) {
            t.insert(key(next))->server = ep(1, 2049);
            live.insert(next++);
        } else if (!live.empty()) {
            auto it = live.begin();
            std::advance(it, static_cast<long>((rng >> 8) % live.size()));
            PendingCall* c = t.find(key(*it), ep(1, 2049));
            REQUIRE(c != nullptr);
            t.erase(c);
            live.erase(it);
        }
        REQUIRE(t.size() == live.size());
    }
    for (std::uint32_t x : live) CHECK(t.find(key(x), ep(1, 2049)) != nullptr);
    CHECK(t.full() == (live.size() >= 1000));
}

TEST_CASE("call table: the index grows with the live calls and keeps them findable", "[call_table]") {
    CallTable t(100000);
    for (std::uint32_t x = 0; x < 5000; ++x) {
        t.insert(key(x))->server = ep(1, 2049);
        if ((x & (x + 1)) == 0)  // after each power of two: every key so far
            for (std::uint32_t y = 0; y <= x; ++y) REQUIRE(t.find(key(y), ep(1, 2049)) != nullptr);
    }
    for (std::uint32_t x = 0; x < 5000; x += 2) t.erase(t.find(key(x), ep(1, 2049)));
    for (std::uint32_t x = 0; x < 5000; ++x) CHECK((t.find(key(x), ep(1, 2049)) != nullptr) == (x % 2 == 1));
    CHECK(t.size() == 2500);
}
