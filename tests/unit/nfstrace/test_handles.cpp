// The handle table: interning, stale references after expiry, index consistency
// under churn, paths.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "nfstrace/handles.hpp"

using nfstrace::HandleRef;
using nfstrace::HandleTable;
using nfstrace::kSecond;

namespace {
std::string hex(int i) {
    char b[32];
    std::snprintf(b, sizeof b, "%08x%08x", i * 7919, i);
    return b;
}
std::string path_of(const HandleTable& t, HandleRef h) {
    std::string out;
    t.path(h, out, [](std::string& o, std::string_view c) { o.append(c); });
    return out;
}
}  // namespace

TEST_CASE("handles: interning is per server and stable") {
    HandleTable t;
    HandleRef a = t.intern(1, "abcd", 0);
    CHECK(t.intern(1, "abcd", 5) == a);
    CHECK(t.intern(2, "abcd", 5) != a);
    REQUIRE(t.get(a));
    CHECK(t.get(a)->hex() == "abcd");
    CHECK(t.get(a)->server() == 1);
    CHECK(t.get(0) == nullptr);
    CHECK(t.size() == 2);
}

TEST_CASE("handles: expiry, stale references, re-interning under churn") {
    HandleTable t;
    std::vector<HandleRef> refs;
    for (int i = 0; i < 5000; ++i) refs.push_back(t.intern(1, hex(i), (i % 2) ? 100 * kSecond : 10 * kSecond));
    CHECK(t.size() == 5000);
    CHECK(t.expire(50 * kSecond) == 2500);
    CHECK(t.size() == 2500);
    for (int i = 0; i < 5000; ++i) {
        INFO(i);
        if (i % 2) {
            CHECK(t.get(refs[i]) != nullptr);
            CHECK(t.intern(1, hex(i), 200 * kSecond) == refs[i]);
        } else {
            CHECK(t.get(refs[i]) == nullptr);  // stale: never resolves to a reused slot
        }
    }
    // New handles reuse the slots with a new generation; old ones come back as new.
    for (int i = 0; i < 5000; i += 2) {
        HandleRef r = t.intern(1, hex(i), 200 * kSecond);
        CHECK(r != refs[i]);
        CHECK(t.get(refs[i]) == nullptr);
        REQUIRE(t.get(r));
        CHECK(t.get(r)->hex() == hex(i));
    }
    CHECK(t.size() == 5000);
    for (int i = 0; i < 5000; ++i) CHECK(t.get(t.intern(1, hex(i), 200 * kSecond))->hex() == hex(i));
    CHECK(t.size() == 5000);
}

TEST_CASE("handles: an expired parent makes the path unknown, never wrong") {
    HandleTable t;
    HandleRef root = t.intern(1, "aa", 0);
    t.set_root(root, "/export");
    HandleRef dir = t.intern(1, "bb", 0);
    t.bind(dir, root, "d");
    HandleRef f = t.intern(1, "cc", 100 * kSecond);
    t.bind(f, dir, "f");
    t.intern(1, "aa", 100 * kSecond);
    CHECK(path_of(t, f) == "/export/d/f");
    CHECK(t.expire(50 * kSecond) == 1);  // bb
    CHECK(path_of(t, f) == "?/f");
    HandleRef other = t.intern(1, "dd", 100 * kSecond);  // takes bb's slot
    t.bind(other, root, "x");
    CHECK(path_of(t, f) == "?/f");
    CHECK(t.lookup(root, "x") == other);
    CHECK(t.lookup(root, "d") == 0);
}

TEST_CASE("handles: same_bytes compares addresses of every length, differing anywhere") {
    const std::string base = "fd00:1234::abcd:10.2.0.179";
    for (std::size_t n = 0; n <= base.size(); ++n) {
        std::string a = base.substr(0, n);
        INFO(a);
        CHECK(nfstrace::same_bytes(a, std::string(a)));
        if (n < base.size()) CHECK_FALSE(nfstrace::same_bytes(a, base.substr(0, n + 1)));
        for (std::size_t i = 0; i < n; ++i) {
            std::string b = a;
            b[i] ^= 1;
            CHECK_FALSE(nfstrace::same_bytes(a, b));
        }
    }
}
