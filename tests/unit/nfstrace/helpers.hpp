// Helpers for nfstrace unit tests: build rpcspy record lines, run them through
// a Tracer, and get the output lines.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "common/out_buffer.hpp"
#include "nfstrace/nfstrace.hpp"

namespace nft {

inline const char* kHeader =
    "#rpcspy-records 1 time dur client server proto xid uid gid prog vers proc status [key=value...]";

// One NFSv3 record from client 10.0.0.2 to server 10.0.0.1 (uid 1000, gid 100).
struct Rec {
    std::string time;
    std::string proc;
    std::string tokens;
    std::string status = "ok";
    std::string dur = "0.001000";
    std::string client = "10.0.0.2.800";
    std::string uid = "1000";
    std::string prog = "nfs";
    std::string vers = "3";
    std::string server = "10.0.0.1.2049";

    std::string line() const {
        std::string s = time + " " + dur + " " + client + " " + server + " tcp 0000abcd " + uid + " 100 " + prog +
                        " " + vers + " " + proc + " " + status;
        if (!tokens.empty()) s += " " + tokens;
        return s;
    }
};

struct Result {
    std::vector<std::string> opens;  // output lines without the header
    std::string header;
    std::string err;
    bool ok = true;
    nfstrace::InputStats in;
    nfstrace::TrackerStats tracker;
};

inline Result trace(const std::vector<std::string>& lines, const nfstrace::Config& cfg = {}) {
    Result res;
    common::OutBuffer out(-1);
    common::OutBuffer err(-1);
    {
        nfstrace::Tracer t(cfg, out, err);
        std::uint64_t n = 0;
        for (const std::string& l : lines) {
            if (!t.line(l, "test.txt", ++n)) {
                res.ok = false;
                break;
            }
        }
        t.finish();
        res.in = t.input_stats();
        res.tracker = t.tracker_stats();
    }
    std::istringstream is{std::string(out.view())};
    std::string l;
    while (std::getline(is, l)) {
        if (!l.empty() && l[0] == '#')
            res.header = l;
        else
            res.opens.push_back(l);
    }
    res.err = std::string(err.view());
    return res;
}

inline std::vector<std::string> lines_of(std::initializer_list<Rec> recs) {
    std::vector<std::string> v{kHeader};
    for (const Rec& r : recs) v.push_back(r.line());
    return v;
}

// The value of a key=value token in an output line, or "" if absent.
inline std::string token(const std::string& line, const std::string& key) {
    std::istringstream is(line);
    std::string w;
    while (is >> w)
        if (w.rfind(key + "=", 0) == 0) return w.substr(key.size() + 1);
    return "";
}

// Fixed field i (0-based) of an output line.
inline std::string field(const std::string& line, int i) {
    std::istringstream is(line);
    std::string w;
    for (int k = 0; k <= i; ++k) is >> w;
    return w;
}

}  // namespace nft
