#include "rpcspy/tracer.hpp"

#include <algorithm>
#include <charconv>

namespace rpcspy {

namespace {

const char* auth_name(std::uint32_t flavor) {
    switch (flavor) {
        case 0: return "none";
        case 2: return "short";
        case 3: return "dh";
        case 6: return "gss";
        default: return nullptr;
    }
}

const char* xdr_error_name(common::XdrError e) {
    return e == common::XdrError::Truncated ? "truncated" : "malformed";
}

// auth_stat (RFC 5531 9, including the Kerberos values 8-12, and RFC 2203
// 5.3.3.3 for RPCSEC_GSS), in lower case without AUTH_.
const char* auth_stat_name(std::uint32_t s) {
    static constexpr const char* names[] = {
        "ok",         "badcred",      "rejectedcred", "badverf", "rejectedverf",
        "tooweak",    "invalidresp",  "failed",       "kerb_generic", "timeexpire",
        "tktfile",    "decode",       "net_addr",     "rpcsec_gss_credproblem", "rpcsec_gss_ctxproblem"};
    return s < std::size(names) ? names[s] : nullptr;
}

// AUTH_SYS details for --creds: machine=<name> (bytes) and gids=<g1>,<g2>,...
// (a word, empty without supplementary groups).
void put_auth_sys(std::span<const std::uint8_t> cred, common::Fields& out) {
    AuthSysParms p;
    if (!parse_auth_sys(cred, p)) return;
    out.bytes("machine", p.machine);
    char buf[16 * 11];
    char* w = buf;
    for (std::uint32_t i = 0; i < p.ngids; ++i) {
        if (i) *w++ = ',';
        w = std::to_chars(w, buf + sizeof buf, p.gids[i]).ptr;
    }
    out.word("gids", std::string_view(buf, static_cast<std::size_t>(w - buf)));
}

// RPCSEC_GSS (RFC 2203): gss_proc, gss_seq, gss_service, and with --creds the
// context handle gss_handle in hexadecimal.
void put_gss(const RpcCall& call, std::span<const std::uint8_t> cred, bool creds, common::Fields& out) {
    out.word("gss_proc", gss_proc_name(call.gss_proc));
    out.number("gss_seq", call.gss_seq);
    out.word("gss_service", gss_service_name(call.gss_service));
    GssCred g;
    if (creds && parse_gss_cred(cred, g)) out.hex("gss_handle", g.handle);
}

// How a call's arguments, and its reply's results, are carried (RFC 2203
// 5.3.2): in the clear, not at all for a control procedure (INIT,
// CONTINUE_INIT, DESTROY) or an RPCSEC_GSS credential that did not decode,
// encrypted (privacy), or wrapped with a checksum (integrity).
enum class GssBody : std::uint8_t { Plain, Skip, Privacy, Integrity };
GssBody gss_body(const RpcCall& c) {
    if (c.cred_flavor != static_cast<std::uint32_t>(AuthFlavor::Gss)) return GssBody::Plain;
    if (!c.has_gss || c.gss_proc != static_cast<std::uint32_t>(GssProc::Data)) return GssBody::Skip;
    if (c.gss_service == static_cast<std::uint32_t>(GssService::Privacy)) return GssBody::Privacy;
    if (c.gss_service == static_cast<std::uint32_t>(GssService::Integrity)) return GssBody::Integrity;
    return GssBody::Plain;
}

// Replaces `data` (rpc_gss_integ_data) by the arguments or results inside.
// False when malformed, or when the seq_num inside is not the credential's
// (RFC 2203 5.3.2.2: the body is then not an integrity-protected one); when
// not even the wrapper's head was captured, `data` becomes empty and the
// decoder reports the truncation.
bool unwrap_integ(std::span<const std::uint8_t>& data, std::uint32_t cred_seq) {
    std::span<const std::uint8_t> inner;
    std::uint32_t seq = 0;
    switch (unwrap_gss_integ(data, inner, seq)) {
        case GssUnwrap::Ok:
            data = inner;
            return seq == cred_seq;
        case GssUnwrap::Truncated: data = {}; return true;
        case GssUnwrap::Malformed: return false;
    }
    return false;
}

// Whether `item` (a name, or a number in decimal) is in the list.
bool listed(const std::vector<std::string>& list, const char* name, std::uint32_t number) {
    char digits[12];
    auto r = std::to_chars(digits, digits + sizeof digits, number);
    std::string_view num(digits, static_cast<std::size_t>(r.ptr - digits));
    return std::any_of(list.begin(), list.end(),
                       [&](const std::string& s) { return s == num || (name && s == name); });
}


}  // namespace

Tracer::Tracer(RecordWriter& writer, TracerOptions options)
    : writer_(writer),
      options_(std::move(options)),
      calls_(options_.max_calls),
      tcp_(*this, options_.tcp),
      frags_(options_.ip_fragments),
      timeout_ns_(static_cast<std::int64_t>(options_.timeout_seconds * 1e9)) {}

void Tracer::on_frame(int dlt, const Timestamp& ts, const std::uint8_t* frame, std::size_t caplen) {
    ++stats_.packets;
    pkt_.ts = ts;
    PacketStatus st = decode_frame(dlt, frame, caplen, pkt_);
    ++stats_.by_status[static_cast<int>(st)];
    if (ts.sec != last_sweep_sec_) {
        last_sweep_sec_ = ts.sec;
        tcp_.expire_holds(ts);
        frags_.expire(ts);
        expire_calls(ts);
        if (ts.sec - last_tcp_sweep_sec_ >= 60) {
            last_tcp_sweep_sec_ = ts.sec;
            tcp_.expire(ts);
        }
    }
    // A fragment that completes a datagram goes on as the whole datagram.
    if (st == PacketStatus::IpFragment) st = frags_.on_fragment(pkt_);
    if (st != PacketStatus::Ok) return;
    if (pkt_.transport == Transport::Tcp) {
        tcp_.on_segment(pkt_);
        return;
    }
    if (pkt_.payload_len == 0) return;
    on_rpc(pkt_, ts, ts, {pkt_.payload, pkt_.payload_len}, pkt_.payload_len < pkt_.payload_wire);
}

void Tracer::on_message(const Packet& pkt, const TcpMessage& msg) {
    // A call is complete when its last byte has arrived; a reply starts with its first.
    on_rpc(pkt, msg.last_ts, msg.first_ts, msg.kept, msg.incomplete);
}

void Tracer::on_rpc(const Packet& pkt, const Timestamp& call_ts, const Timestamp& reply_ts,
                    std::span<const std::uint8_t> msg, bool incomplete) {
    (void)incomplete;
    switch (parse_rpc(msg, call_hdr_, reply_hdr_)) {
        case RpcParse::Call:
            ++stats_.rpc_messages;
            on_call(pkt, call_ts, call_hdr_, msg);
            break;
        case RpcParse::Reply:
            ++stats_.rpc_messages;
            on_reply(pkt, reply_ts, reply_hdr_, msg);
            break;
        case RpcParse::Truncated: ++stats_.rpc_truncated; break;
        case RpcParse::NotRpc: ++stats_.not_rpc; break;
    }
}

void Tracer::on_call(const Packet& pkt, const Timestamp& ts, const RpcCall& call, std::span<const std::uint8_t> msg) {
    CallKey key{pkt.src, pkt.dst.port, call.xid, pkt.transport};
    if (PendingCall* dup = calls_.find(key, pkt.dst)) {
        ++dup->copies;
        ++stats_.duplicate_calls;
        return;
    }
    ++stats_.calls;
    if (calls_.full()) {
        PendingCall* victim = calls_.oldest();
        ++stats_.evicted;
        results_.reset(writer_.field_style());
        emit(*victim, false, ts, "timeout", results_);
        calls_.erase(victim);
    }
    PendingCall& pc = *calls_.insert(key);
    pc.args.reset(writer_.field_style());
    pc.server = pkt.dst;
    pc.ts = ts;
    pc.header = call;
    pc.program = find_program(call.prog, call.vers);
    pc.procedure = pc.program ? pc.program->procedure(call.proc) : nullptr;
    if (!call.has_unix_cred) {
        const char* flavor = auth_name(call.cred_flavor);
        if (flavor)
            pc.args.word("auth", flavor);
        else
            pc.args.number("auth", call.cred_flavor);
    } else if (options_.creds) {
        put_auth_sys(credential(msg, call), pc.args);
    }
    if (call.has_gss) put_gss(call, credential(msg, call), options_.creds, pc.args);
    if (options_.brief) return;
    std::span<const std::uint8_t> args = msg.subspan(std::min(call.args_offset, msg.size()));
    switch (gss_body(call)) {
        case GssBody::Plain: break;
        case GssBody::Skip: return;
        case GssBody::Privacy: pc.args.word("body", "privacy"); return;
        case GssBody::Integrity:
            if (!pc.procedure || !pc.procedure->call) return;
            if (!unwrap_integ(args, call.gss_seq)) {
                pc.args.word("call_error", "malformed");
                ++stats_.call_malformed;
                return;
            }
            break;
    }
    if (!pc.procedure || !pc.procedure->call) return;
    common::XdrCursor in(args);
    pc.procedure->call(in, pc.args);
    if (!in.ok()) {
        pc.args.word("call_error", xdr_error_name(in.error()));
        ++(in.error() == common::XdrError::Truncated ? stats_.call_truncated : stats_.call_malformed);
    }
}

void Tracer::on_reply(const Packet& pkt, const Timestamp& ts, const RpcReply& reply,
                      std::span<const std::uint8_t> msg) {
    ++stats_.replies;
    CallKey key{pkt.dst, pkt.src.port, reply.xid, pkt.transport};
    PendingCall* pc = calls_.find(key, pkt.src);
    if (!pc) {
        const std::uint64_t h = hash_call_key(key);
        bool answered = std::find(answered_.begin(), answered_.end(), h) != answered_.end();
        ++(answered ? stats_.duplicate_replies : stats_.orphan_replies);
        return;
    }
    results_.reset(writer_.field_style());
    std::string_view status = reply_outcome_name(reply.outcome);
    switch (reply.outcome) {
        case ReplyOutcome::Success: {
            std::span<const std::uint8_t> res = msg.subspan(std::min(reply.results_offset, msg.size()));
            const RpcCall& c = pc->header;
            GssBody body = gss_body(c);
            if (body == GssBody::Skip) {
                // RPCSEC_GSS control procedure: INIT and CONTINUE_INIT return
                // rpc_gss_init_res; the program's decoder does not apply.
                GssInitRes init;
                if (c.has_gss && (c.gss_proc == static_cast<std::uint32_t>(GssProc::Init) ||
                                  c.gss_proc == static_cast<std::uint32_t>(GssProc::ContinueInit)) &&
                    !options_.brief && parse_gss_init_res(res, init)) {
                    results_.number("gss_major", init.major);
                    results_.number("gss_minor", init.minor);
                    results_.number("gss_window", init.seq_window);
                }
                break;
            }
            if (body == GssBody::Privacy) {
                // The results, and so the program's status, are encrypted:
                // the status is the RPC layer's (the call says body=privacy).
                break;
            }
            if (pc->procedure && pc->procedure->reply) {
                if (body == GssBody::Integrity && !unwrap_integ(res, c.gss_seq)) {
                    status = "-";
                    results_.word("reply_error", "malformed");
                    ++stats_.reply_malformed;
                    if (options_.brief) results_.clear();
                    break;
                }
                // Decoded even with --brief: the status comes from the results.
                common::XdrCursor in(res);
                status = pc->procedure->reply(in, results_);
                if (!in.ok()) {
                    results_.word("reply_error", xdr_error_name(in.error()));
                    ++(in.error() == common::XdrError::Truncated ? stats_.reply_truncated : stats_.reply_malformed);
                }
                if (options_.brief) results_.clear();
            }
            break;
        }
        case ReplyOutcome::ProgMismatch:
        case ReplyOutcome::RpcMismatch:
            results_.number("low", reply.low);
            results_.number("high", reply.high);
            break;
        case ReplyOutcome::AuthError:
            if (const char* why = auth_stat_name(reply.auth_stat))
                results_.word("why", why);
            else
                results_.number("why", reply.auth_stat);
            break;
        default: break;
    }
    ++stats_.pairs;
    emit(*pc, true, ts, status, results_);
    answered_[answered_next_++ % answered_.size()] = hash_call_key(key);
    calls_.erase(pc);
}

bool Tracer::wanted(const PendingCall& c) const {
    const char* prog_name = c.program ? c.program->name : program_name(c.header.prog);
    if (!options_.programs.empty() && !listed(options_.programs, prog_name, c.header.prog)) return false;
    if (!options_.procedures.empty() &&
        !listed(options_.procedures, c.procedure ? c.procedure->name : nullptr, c.header.proc))
        return false;
    return true;
}

void Tracer::emit(PendingCall& c, bool replied, const Timestamp& reply_ts, std::string_view status,
                  const common::Fields& results) {
    if (!c.program) ++stats_.undecoded_programs;
    if (done() || !wanted(c)) return;
    RecordHead h;
    h.call_ts = c.ts;
    h.replied = replied;
    h.dur_ns = replied ? nanos_between(c.ts, reply_ts) : 0;
    h.client = c.key.client;
    h.server = c.server;
    h.transport = c.key.transport;
    h.xid = c.key.xid;
    h.has_unix_cred = c.header.has_unix_cred;
    h.uid = c.header.uid;
    h.gid = c.header.gid;
    h.prog_name = options_.numeric ? nullptr : c.program ? c.program->name : program_name(c.header.prog);
    h.prog = c.header.prog;
    h.vers = c.header.vers;
    h.proc_name = options_.numeric || !c.procedure ? nullptr : c.procedure->name;
    h.proc = c.header.proc;
    h.status = status;
    h.copies = c.copies;
    writer_.write(h, c.args, results);
}

void Tracer::expire_calls(const Timestamp& now) {
    while (PendingCall* c = calls_.oldest()) {
        if (nanos_between(c->ts, now) <= timeout_ns_) break;
        ++stats_.timeouts;
        results_.reset(writer_.field_style());
        emit(*c, false, now, "timeout", results_);
        calls_.erase(c);
    }
}

void Tracer::finish() {
    tcp_.flush();
    while (PendingCall* c = calls_.oldest()) {
        ++stats_.timeouts;
        results_.reset(writer_.field_style());
        emit(*c, false, c->ts, "timeout", results_);
        calls_.erase(c);
    }
}

std::size_t Tracer::keep_limit(const Packet& pkt, std::span<const std::uint8_t> head) {
    // Keep whole messages, except the bulk data of READ replies and WRITE calls,
    // the arguments of calls no decoder reads, and whatever is not RPC at all (a
    // record mark found in other traffic: SMB's 4-byte length prefix reads as a
    // fragment's, and its "message" went on for megabytes).
    constexpr std::size_t kBulkPrefix = 512;
    RpcCall call;
    RpcReply reply;
    switch (parse_rpc(head, call, reply)) {
        case RpcParse::Call: {
            const Program* prog = find_program(call.prog, call.vers);
            const Procedure* proc = prog ? prog->procedure(call.proc) : nullptr;
            if (!proc || !proc->call) return call.args_offset;
            if (proc->bulk_call) return call.args_offset + kBulkPrefix;
            break;
        }
        case RpcParse::Reply: {
            CallKey key{pkt.dst, pkt.src.port, reply.xid, pkt.transport};
            const PendingCall* pc = calls_.find(key, pkt.src);
            if (pc && pc->procedure && pc->procedure->bulk_reply) return reply.results_offset + kBulkPrefix;
            break;
        }
        case RpcParse::NotRpc: return head.size();
        case RpcParse::Truncated: break;  // a header longer than the head: keep on
    }
    return options_.tcp.max_message;
}

bool Tracer::plausible_record(const Packet& pkt, std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 4 + 12) return false;
    std::uint32_t mark = std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
                         std::uint32_t{bytes[2]} << 8 | bytes[3];
    std::size_t len = mark & 0x7fffffffu;
    if (len < 12 || len > options_.tcp.max_message) return false;
    RpcCall call;
    RpcReply reply;
    switch (parse_rpc(bytes.subspan(4), call, reply)) {
        case RpcParse::Call: return program_name(call.prog) != nullptr;
        case RpcParse::Reply: {
            CallKey key{pkt.dst, pkt.src.port, reply.xid, pkt.transport};
            return calls_.find(key, pkt.src) != nullptr;
        }
        default: return false;
    }
}

std::string Tracer::summary(std::int64_t kernel_drops, std::int64_t kernel_received) const {
    const Tracer* self = this;
    return summary(std::span<const Tracer* const>(&self, 1), kernel_drops, kernel_received);
}

std::string Tracer::summary(std::span<const Tracer* const> tracers, std::int64_t kernel_drops,
                            std::int64_t kernel_received) {
    std::string s;
    auto line = [&s](const char* name, std::uint64_t v) {
        s += name;
        s += ' ';
        s += std::to_string(v);
        s += '\n';
    };
    // Sum of one counter over the tracers.
    auto sum = [&tracers](auto of) {
        std::uint64_t v = 0;
        for (const Tracer* t : tracers) v += of(*t);
        return v;
    };
    auto st = [&sum](std::uint64_t TracerStats::*m) { return sum([m](const Tracer& t) { return t.stats_.*m; }); };
    auto tcp = [&sum](std::uint64_t TcpStats::*m) { return sum([m](const Tracer& t) { return t.tcp_.stats().*m; }); };
    auto frag = [&sum](std::uint64_t IpFragmentStats::*m) {
        return sum([m](const Tracer& t) { return t.frags_.stats().*m; });
    };
    line("packets", st(&TracerStats::packets));
    if (kernel_received >= 0) line("kernel_received", static_cast<std::uint64_t>(kernel_received));
    if (kernel_drops >= 0) line("kernel_dropped", static_cast<std::uint64_t>(kernel_drops));
    for (int i = 1; i < 7; ++i)
        if (std::uint64_t n = sum([i](const Tracer& t) { return t.stats_.by_status[i]; })) {
            s += "frames_";
            line(packet_status_name(static_cast<PacketStatus>(i)), n);
        }
    line("rpc_calls", st(&TracerStats::calls));
    line("rpc_replies", st(&TracerStats::replies));
    line("pairs", st(&TracerStats::pairs));
    line("calls_without_reply", st(&TracerStats::timeouts) + st(&TracerStats::evicted));
    line("calls_evicted", st(&TracerStats::evicted));
    line("replies_without_call", st(&TracerStats::orphan_replies));
    line("duplicate_replies", st(&TracerStats::duplicate_replies));
    line("duplicate_calls", st(&TracerStats::duplicate_calls));
    line("not_rpc", st(&TracerStats::not_rpc));
    line("rpc_header_truncated", st(&TracerStats::rpc_truncated));
    line("call_args_truncated", st(&TracerStats::call_truncated));
    line("call_args_malformed", st(&TracerStats::call_malformed));
    line("reply_results_truncated", st(&TracerStats::reply_truncated));
    line("reply_results_malformed", st(&TracerStats::reply_malformed));
    line("tcp_segments", tcp(&TcpStats::segments));
    line("tcp_bytes_lost", tcp(&TcpStats::bytes_lost));
    line("tcp_bytes_unsynced", tcp(&TcpStats::bytes_skipped));
    line("tcp_retransmissions", tcp(&TcpStats::retransmitted));
    line("tcp_resyncs", tcp(&TcpStats::resyncs));
    line("tcp_desyncs", tcp(&TcpStats::desyncs));
    line("tcp_oversized_records", tcp(&TcpStats::oversized));
    line("tcp_streams_evicted", tcp(&TcpStats::streams_evicted));
    line("tcp_out_of_order_held", tcp(&TcpStats::held));
    line("tcp_reordered", tcp(&TcpStats::reordered));
    line("tcp_holes_acked_lost", tcp(&TcpStats::gaps_acked));
    line("tcp_holes_timed_out", tcp(&TcpStats::gaps_timeout));
    line("tcp_holes_cap", tcp(&TcpStats::gaps_cap));
    line("tcp_held_bytes_evicted", tcp(&TcpStats::held_bytes_evicted));
    line("tcp_held_bytes_elided", tcp(&TcpStats::held_bytes_elided));
    line("ip_fragments", frag(&IpFragmentStats::fragments));
    line("ip_datagrams_reassembled", frag(&IpFragmentStats::reassembled));
    line("ip_datagrams_undecoded", frag(&IpFragmentStats::undecoded));
    line("ip_frag_timed_out", frag(&IpFragmentStats::timed_out));
    line("ip_frag_evicted", frag(&IpFragmentStats::evicted));
    line("ip_frag_too_big", frag(&IpFragmentStats::too_big));
    line("ip_frag_too_many", frag(&IpFragmentStats::too_many));
    line("ip_frag_inconsistent", frag(&IpFragmentStats::inconsistent));
    line("ip_frag_malformed", frag(&IpFragmentStats::malformed));
    line("ip_frag_duplicates", frag(&IpFragmentStats::duplicates));
    line("ip_frag_overlaps", frag(&IpFragmentStats::overlaps));
    line("ip_frag_conflicts", frag(&IpFragmentStats::conflicts));
    line("records_written", sum([](const Tracer& t) { return t.writer_.written(); }));
    return s;
}

}  // namespace rpcspy
