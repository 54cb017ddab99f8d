#include "rpcspy/record_writer.hpp"

#include <algorithm>

namespace rpcspy {

namespace {
const char* transport_name(Transport t) { return t == Transport::Tcp ? "tcp" : "udp"; }
}  // namespace

void RecordWriter::header() {
    if (format_ != OutputFormat::Text) return;
    out_.put("#rpcspy-records ");
    out_.put_u64(kRecordFormatVersion);
    out_.put(" time dur client server proto xid uid gid prog vers proc status [key=value...]\n");
    end_record();
}

void RecordWriter::comment(std::string_view text) {
    if (format_ != OutputFormat::Text) return;
    out_.put("# ");
    out_.put(text);
    out_.put('\n');
    end_record();
}

void RecordWriter::put_time(const Timestamp& ts) {
    std::uint64_t frac = digits_ == 9 ? ts.nsec : ts.nsec / 1000;
    out_.put_time(static_cast<std::uint64_t>(ts.sec), frac, digits_);
}

void RecordWriter::put_duration(std::int64_t ns) {
    if (ns < 0) {  // a reply time-stamped before its call (clock steps)
        out_.put('-');
        ns = -ns;
    }
    auto u = static_cast<std::uint64_t>(ns);
    std::uint64_t frac = u % 1'000'000'000;
    out_.put_time(u / 1'000'000'000, digits_ == 9 ? frac : frac / 1000, digits_);
}

void RecordWriter::end_record() {
    if (line_buffered_)
        out_.flush();
    else
        out_.maybe_flush();
}

const common::Fields& RecordWriter::redacted(const common::Fields& in, common::Fields& out) const {
    if (!no_names_) return in;
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        const common::Field& f = in[i];
        std::string_view v = in.value(f);
        switch (f.kind) {
            case common::FieldKind::Bytes: {
                std::size_t second = f.key_view() == "entry" ? v.find('/', v.find('/') + 1)
                                                                         : std::string_view::npos;
                if (second != std::string_view::npos && v.find('/') != std::string_view::npos) {
                    char buf[320];  // file id (20 digits) + NFSv4 handle (128 bytes in hex) + 2 slashes
                    std::size_t n = std::min(second + 1, sizeof buf - 1);
                    v.copy(buf, n);
                    buf[n] = '-';
                    out.bytes(f.key_view(), std::string_view(buf, n + 1));
                } else {
                    out.word(f.key_view(), "-");
                }
                break;
            }
            case common::FieldKind::GroupBegin: out.begin_group(f.key_view()); break;
            case common::FieldKind::GroupEnd: out.end_group(); break;
            case common::FieldKind::Number: out.decimal(f.key_view(), v); break;
            case common::FieldKind::Word: out.word(f.key_view(), v); break;
        }
    }
    return out;
}

const RecordWriter::EndpointText& RecordWriter::endpoint_text(const Endpoint& e, EndpointText& c) {
    if (c.valid && c.endpoint == e) return c;
    c.endpoint = e;
    c.valid = true;
    c.address_len = format_address(e, c.text);
    c.len = format_endpoint(e, c.text);
    return c;
}

void RecordWriter::write(const RecordHead& h, const common::Fields& call_in, const common::Fields& reply_in) {
    const common::Fields& call = redacted(call_in, call_scratch_);
    const common::Fields& reply = redacted(reply_in, reply_scratch_);
    const EndpointText& client = endpoint_text(h.client, client_text_);
    const EndpointText& server = endpoint_text(h.server, server_text_);
    if (format_ == OutputFormat::Text) {
        put_time(h.call_ts);
        out_.put(' ');
        if (h.replied)
            put_duration(h.dur_ns);
        else
            out_.put('-');
        out_.put(' ');
        out_.put({client.text, client.len});
        out_.put(' ');
        out_.put({server.text, server.len});
        out_.put(' ');
        out_.put(transport_name(h.transport));
        out_.put(' ');
        out_.put_hex32(h.xid);
        out_.put(' ');
        if (h.has_unix_cred) {
            out_.put_u64(h.uid);
            out_.put(' ');
            out_.put_u64(h.gid);
        } else {
            out_.put("- -");
        }
        out_.put(' ');
        if (h.prog_name)
            out_.put(h.prog_name);
        else
            out_.put_u64(h.prog);
        out_.put(' ');
        out_.put_u64(h.vers);
        out_.put(' ');
        if (h.proc_name)
            out_.put(h.proc_name);
        else
            out_.put_u64(h.proc);
        out_.put(' ');
        out_.put(h.status);
        call.render_text(out_);
        reply.render_text(out_);
        if (h.copies > 1) {
            out_.put(" dup=");
            out_.put_u64(h.copies);
        }
    } else {
        out_.put("{\"ts\":");
        put_time(h.call_ts);
        out_.put(",\"dur\":");
        if (h.replied)
            put_duration(h.dur_ns);
        else
            out_.put("null");
        out_.put(",\"client\":\"");
        out_.put({client.text, client.address_len});
        out_.put("\",\"cport\":");
        out_.put_u64(h.client.port);
        out_.put(",\"server\":\"");
        out_.put({server.text, server.address_len});
        out_.put("\",\"sport\":");
        out_.put_u64(h.server.port);
        out_.put(",\"proto\":\"");
        out_.put(transport_name(h.transport));
        out_.put("\",\"xid\":\"");
        out_.put_hex32(h.xid);
        out_.put("\",\"uid\":");
        if (h.has_unix_cred) {
            out_.put_u64(h.uid);
            out_.put(",\"gid\":");
            out_.put_u64(h.gid);
        } else {
            out_.put("null,\"gid\":null");
        }
        out_.put(",\"prog\":");
        if (h.prog_name) {
            out_.put('"');
            out_.put(h.prog_name);
            out_.put('"');
        } else {
            out_.put_u64(h.prog);
        }
        out_.put(",\"vers\":");
        out_.put_u64(h.vers);
        out_.put(",\"proc\":");
        if (h.proc_name) {
            out_.put('"');
            out_.put(h.proc_name);
            out_.put('"');
        } else {
            out_.put_u64(h.proc);
        }
        out_.put(",\"status\":\"");
        out_.put(h.status);
        out_.put('"');
        call.render_json(out_);
        reply.render_json(out_);
        if (h.copies > 1) {
            out_.put(",\"dup\":");
            out_.put_u64(h.copies);
        }
        out_.put('}');
    }
    out_.put('\n');
    ++written_;
    end_record();
}

}  // namespace rpcspy
