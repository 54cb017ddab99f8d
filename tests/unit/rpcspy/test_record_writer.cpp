#include <catch2/catch.hpp>

#include <string>

#include "rpcspy/record_writer.hpp"

using namespace rpcspy;

namespace {
RecordHead head() {
    RecordHead h;
    h.call_ts = {1700000000, 123456789};
    h.replied = true;
    h.dur_ns = 1'500'000;
    h.client.family = h.server.family = 4;
    h.client.addr = {10, 0, 0, 2};
    h.client.port = 812;
    h.server.addr = {10, 0, 0, 1};
    h.server.port = 2049;
    h.transport = Transport::Tcp;
    h.xid = 0x1a2b;
    h.has_unix_cred = true;
    h.uid = 1000;
    h.gid = 100;
    h.prog_name = "nfs";
    h.prog = 100003;
    h.vers = 3;
    h.proc_name = "lookup";
    h.proc = 3;
    h.status = "ok";
    return h;
}
}  // namespace

TEST_CASE("record writer: text form", "[writer]") {
    common::OutBuffer out;
    RecordWriter w(out, OutputFormat::Text, 6, false);
    w.header();
    common::Fields call, reply;
    call.bytes("name", std::string_view("a b"));
    reply.number("size", 7);
    w.write(head(), call, reply);
    CHECK(std::string(out.view()) ==
          "#rpcspy-records 1 time dur client server proto xid uid gid prog vers proc status [key=value...]\n"
          "1700000000.123456 0.001500 10.0.0.2.812 10.0.0.1.2049 tcp 00001a2b 1000 100 nfs 3 lookup ok"
          " name=a%20b size=7\n");
    CHECK(w.written() == 1);
}

TEST_CASE("record writer: unanswered, numeric, non-AUTH_SYS, duplicate, IPv6, nanoseconds", "[writer]") {
    common::OutBuffer out;
    RecordWriter w(out, OutputFormat::Text, 9, false);
    RecordHead h = head();
    h.replied = false;
    h.has_unix_cred = false;
    h.prog_name = nullptr;
    h.proc_name = nullptr;
    h.status = "timeout";
    h.copies = 3;
    h.client.family = h.server.family = 6;
    h.client.addr = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
    h.server.addr = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    common::Fields none;
    w.write(h, none, none);
    CHECK(std::string(out.view()) ==
          "1700000000.123456789 - fd00::2.812 fd00::1.2049 tcp 00001a2b - - 100003 3 3 timeout dup=3\n");
}

TEST_CASE("record writer: JSON form", "[writer]") {
    common::OutBuffer out;
    RecordWriter w(out, OutputFormat::Json, 6, false);
    w.header();  // no header line in JSON
    common::Fields call, reply;
    call.hex("fh", std::vector<std::uint8_t>{0xab});
    reply.word("ftype", "reg");
    w.write(head(), call, reply);
    CHECK(std::string(out.view()) ==
          "{\"ts\":1700000000.123456,\"dur\":0.001500,\"client\":\"10.0.0.2\",\"cport\":812,"
          "\"server\":\"10.0.0.1\",\"sport\":2049,\"proto\":\"tcp\",\"xid\":\"00001a2b\",\"uid\":1000,"
          "\"gid\":100,\"prog\":\"nfs\",\"vers\":3,\"proc\":\"lookup\",\"status\":\"ok\",\"fh\":\"ab\","
          "\"ftype\":\"reg\"}\n");
}
