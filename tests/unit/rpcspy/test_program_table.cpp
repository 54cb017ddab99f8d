// The registry of decoded programs and the names of program numbers.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "rpcspy/nfs3_types.hpp"
#include "rpcspy/program_table.hpp"

TEST_CASE("program_table: find_program", "[program_table]") {
    const rpcspy::Program* nfs = rpcspy::find_program(100003, 3);
    REQUIRE(nfs);
    CHECK(std::string(nfs->name) == "nfs");
    CHECK(nfs->number == 100003);
    CHECK(nfs->version == 3);
    CHECK(nfs->procedures.size() == 22);
    CHECK(nfs->procedures.data() == rpcspy::nfs3_procedures().data());
    REQUIRE(nfs->procedure(1));
    CHECK(std::string(nfs->procedure(1)->name) == "getattr");
    CHECK(nfs->procedure(21) == &nfs->procedures[21]);
    CHECK(nfs->procedure(22) == nullptr);  // past the table

    const rpcspy::Program* mount = rpcspy::find_program(100005, 3);
    REQUIRE(mount);
    CHECK(std::string(mount->name) == "mount");
    CHECK(mount->procedures.size() == 6);

    const rpcspy::Program* pm = rpcspy::find_program(100000, 2);
    REQUIRE(pm);
    CHECK(std::string(pm->name) == "portmap");
    CHECK(pm->procedures.size() == 6);

    CHECK(rpcspy::find_program(100003, 1) == nullptr);
    CHECK(rpcspy::find_program(100003, 5) == nullptr);  // version 4: test_nfs4.cpp
    CHECK(rpcspy::find_program(100005, 4) == nullptr);
    CHECK(rpcspy::find_program(100000, 5) == nullptr);
    CHECK(rpcspy::find_program(100021, 2) == nullptr);
    CHECK(rpcspy::find_program(0, 0) == nullptr);

    // Every table is indexed by procedure number and fully named.
    for (const auto* p : {nfs, mount, pm})
        for (const auto& proc : p->procedures) {
            REQUIRE(proc.name);
            CHECK(std::string(proc.name).find_first_not_of("abcdefghijklmnopqrstuvwxyz") == std::string::npos);
        }
}

TEST_CASE("program_table: program_name", "[program_table]") {
    const std::pair<std::uint32_t, const char*> known[] = {
        {100000, "portmap"}, {100001, "rstatd"}, {100003, "nfs"},     {100005, "mount"},
        {100011, "rquota"},  {100021, "nlm"},    {100024, "status"},  {100227, "nfs_acl"},
        {100004, "ypserv"},  {100007, "ypbind"}, {150001, "pcnfsd"},  {788585389, "bwnfsd"},
    };
    for (auto [number, name] : known) {
        INFO(number);
        const char* got = rpcspy::program_name(number);
        REQUIRE(got);
        CHECK(std::string(got) == name);
    }
    for (std::uint32_t unknown : {0u, 1u, 99999u, 100006u, 100025u, 200000u, 0x40000000u, 0xffffffffu})
        CHECK(rpcspy::program_name(unknown) == nullptr);
    // The decoded programs have the same names.
    for (auto [prog, vers] : {std::pair{100003u, 3u}, {100005u, 3u}, {100000u, 2u}})
        CHECK(std::string(rpcspy::program_name(prog)) == rpcspy::find_program(prog, vers)->name);
}

TEST_CASE("program_table: every decoder survives arbitrary bytes", "[program_table]") {
    // Deterministic pseudo-random inputs, biased to the small values XDR is made
    // of (bools, lengths, enums), through every call and reply decoder of every
    // registered program: no crash and no read beyond the input (under ASan),
    // and the cursor never ends past its data.
    std::uint32_t seed = 2026;
    auto next = [&seed] {
        seed = seed * 1103515245u + 12345u;
        return static_cast<std::uint8_t>(seed >> 16);
    };
    const rpcspy::Program* programs[] = {rpcspy::find_program(100003, 3), rpcspy::find_program(100005, 3),
                                         rpcspy::find_program(100000, 2), rpcspy::find_program(100003, 2),
                                         rpcspy::find_program(100005, 1), rpcspy::find_program(100005, 2),
                                         rpcspy::find_program(100000, 3), rpcspy::find_program(100000, 4),
                                         rpcspy::find_program(100021, 1), rpcspy::find_program(100021, 3),
                                         rpcspy::find_program(100021, 4), rpcspy::find_program(100024, 1),
                                         rpcspy::find_program(100227, 2), rpcspy::find_program(100227, 3),
                                         rpcspy::find_program(100011, 1), rpcspy::find_program(100011, 2)};
    std::size_t decoded_to_end = 0;
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::uint8_t> buf(static_cast<std::size_t>(next()) * 4);
        for (std::size_t i = 0; i < buf.size(); ++i) {
            std::uint8_t b = next();
            // Mostly zeros with a small last byte per word, like real XDR.
            buf[i] = i % 4 == 3 ? static_cast<std::uint8_t>(b & 3) : (b > 0xf0 ? b : 0);
        }
        for (const auto* prog : programs)
            for (const auto& p : prog->procedures) {
                if (p.call) {
                    common::XdrCursor in(buf.data(), buf.size());
                    common::Fields f;
                    p.call(in, f);
                    CHECK(in.remaining() <= buf.size());
                    decoded_to_end += in.ok();
                }
                if (p.reply) {
                    common::XdrCursor in(buf.data(), buf.size());
                    common::Fields f;
                    std::string_view st = p.reply(in, f);
                    CHECK_FALSE(st.empty());
                    CHECK(in.remaining() <= buf.size());
                    decoded_to_end += in.ok();
                }
            }
    }
    CHECK(decoded_to_end > 0);
}

TEST_CASE("program_table: shared helpers", "[program_table]") {
    // An unknown status is its decimal value (storage valid until the next call).
    CHECK(rpcspy::status_number(0) == "0");
    CHECK(rpcspy::status_number(4294967295u) == "4294967295");
    CHECK(std::string(rpcspy::ip_protocol_name(6)) == "tcp");
    CHECK(std::string(rpcspy::ip_protocol_name(17)) == "udp");
    CHECK(rpcspy::ip_protocol_name(132) == nullptr);
}
