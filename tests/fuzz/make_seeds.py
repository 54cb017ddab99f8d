#!/usr/bin/env python3
"""Seed inputs for the fuzz targets (tests/fuzz/fuzz_*.cpp) from real captures
and records.

Usage: make_seeds.py OUTDIR CAPTURE_OR_DIR...

Reads classic pcap and pcapng files (optionally .bz2) and rpcspy record files
(*.text.expected, *.records) and writes, under OUTDIR/<target>/, inputs in each
target's input format:
  frame     one frame: link-type index byte + the frame
  tracer    an options byte + a run of consecutive frames (meta, length, frame)
  tcp       an options byte + a run of TCP segments of one capture
  rpc       one RPC message (UDP payload or TCP record without its mark)
  decoders  program index, procedure, call/reply byte + the call or reply body
  record_line, nfstrace   chunks of record lines
  flightrec_file          flightrec ring files (magic FLIGHTRC), several option bytes
  capture_file            the first 8 KiB of each capture file
The seeds are many and redundant; scripts/fuzz merges them (-merge=1) so that
only those adding coverage reach the committed corpus.
"""
import bz2
import hashlib
import os
import struct
import sys

LINK_TYPES = [1, 113, 276, 101, 0, 108, 228, 229, 12, 14]  # tests/fuzz/link_types.hpp
# The order in which fuzz_decoders.cpp enumerates the registry.
PROGRAMS = [(100000, 2), (100000, 3), (100000, 4), (100003, 2), (100003, 3), (100003, 4),
            (100005, 1), (100005, 2), (100005, 3), (100011, 1), (100011, 2), (100021, 1),
            (100021, 3), (100021, 4), (100024, 1), (100227, 2), (100227, 3), (0x40000000, 1)]
MAX_PER_KEY = 3
MAX_RUNS = 12  # tracer and tcp seeds per capture: the first runs, then every 40th


def read_packets(path):
    """Yields (linktype, frame bytes) of a pcap or pcapng file."""
    opener = bz2.open if path.endswith(".bz2") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = "<" if magic[0] in (0xd4, 0x4d) else ">"
        linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0fffffff
        off = 24
        while off + 16 <= len(data):
            _, _, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
            off += 16
            if off + incl > len(data):
                break
            yield linktype, data[off:off + incl]
            off += incl
    elif magic == b"\x0a\x0d\x0d\x0a":
        e = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        links = []
        off = 0
        while off + 12 <= len(data):
            btype, blen = struct.unpack(e + "II", data[off:off + 8])
            if blen < 12 or off + blen > len(data):
                break
            body = data[off + 8:off + blen - 4]
            if btype == 0x0a0d0d0a:
                links = []
            elif btype == 1:
                links.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, _, _, incl = struct.unpack(e + "IIII", body[:16])
                if iface < len(links):
                    yield links[iface], body[20:20 + incl]
            elif btype == 3 and links:
                yield links[0], body[4:]
            off += blen


def ip_payload(linktype, frame):
    """(proto, src, dst, sport, dport, seq, flags, payload) of a UDP/TCP frame, or None."""
    p = frame
    if linktype == 1:
        if len(p) < 14:
            return None
        et = struct.unpack(">H", p[12:14])[0]
        p = p[14:]
        while et == 0x8100 and len(p) >= 4:
            et = struct.unpack(">H", p[2:4])[0]
            p = p[4:]
    elif linktype == 113:
        if len(p) < 16:
            return None
        et = struct.unpack(">H", p[14:16])[0]
        p = p[16:]
    elif linktype == 276:
        if len(p) < 20:
            return None
        et = struct.unpack(">H", p[0:2])[0]
        p = p[20:]
    elif linktype in (0, 108):
        p = p[4:]
        et = 0x0800 if p[:1] and p[0] >> 4 == 4 else 0x86dd
    elif linktype in (101, 12, 14, 228, 229):
        et = 0x0800 if p[:1] and p[0] >> 4 == 4 else 0x86dd
    else:
        return None
    if et == 0x0800 and len(p) >= 20:
        ihl = (p[0] & 15) * 4
        if struct.unpack(">H", p[6:8])[0] & 0x3fff:
            return None  # a fragment
        proto = p[9]
        src, dst = p[12:16], p[16:20]
        total = struct.unpack(">H", p[2:4])[0]
        p = p[ihl:max(ihl, total)]
    elif et == 0x86dd and len(p) >= 40:
        proto = p[6]
        src, dst = p[8:24], p[24:40]
        p = p[40:]
    else:
        return None
    if proto == 17 and len(p) >= 8:
        sport, dport = struct.unpack(">HH", p[:4])
        return 17, src, dst, sport, dport, 0, 0, p[8:]
    if proto == 6 and len(p) >= 20:
        sport, dport, seq = struct.unpack(">HHI", p[:8])
        doff = (p[12] >> 4) * 4
        return 6, src, dst, sport, dport, seq, p[13], p[doff:]
    return None


class Writer:
    def __init__(self, outdir):
        self.outdir = outdir
        self.count = {}
        self.keys = {}

    def put(self, target, data, key=None):
        if key is not None:
            k = (target, key)
            n = self.keys.get(k, 0)
            if n >= MAX_PER_KEY:
                return
            self.keys[k] = n + 1
        d = os.path.join(self.outdir, target)
        os.makedirs(d, exist_ok=True)
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
        self.count[target] = self.count.get(target, 0) + 1


def rpc_body(msg):
    """(kind, xid, prog, vers, proc, body) of an RPC message, or None."""
    try:
        xid, mtype = struct.unpack(">II", msg[:8])
        if mtype == 0:
            rpcvers, prog, vers, proc, _, clen = struct.unpack(">IIIIII", msg[8:32])
            off = 32 + ((clen + 3) & ~3)
            _, vlen = struct.unpack(">II", msg[off:off + 8])
            off += 8 + ((vlen + 3) & ~3)
            return "call", xid, prog, vers, proc, msg[off:]
        if mtype == 1:
            if struct.unpack(">I", msg[8:12])[0] != 0:
                return None
            _, vlen = struct.unpack(">II", msg[12:20])
            off = 20 + ((vlen + 3) & ~3)
            if struct.unpack(">I", msg[off:off + 4])[0] != 0:
                return None
            return "reply", xid, 0, 0, 0, msg[off + 4:]
    except struct.error:
        return None
    return None


def program_index(prog, vers):
    if 0x40000000 <= prog <= 0x4fffffff:
        prog = 0x40000000
    try:
        return PROGRAMS.index((prog, vers))
    except ValueError:
        return None


def keep_run(n):
    return n < MAX_RUNS // 2 or (n % 40 == 0 and n < 40 * MAX_RUNS)


def from_capture(w, path):
    frames = list(read_packets(path))
    opener = bz2.open if path.endswith(".bz2") else open
    with opener(path, "rb") as f:
        w.put("capture_file", f.read(8192))  # the file's start, as it is
    nrun = ntcp = 0
    calls = {}
    run = []
    tcp_run = []
    conns = {}
    nexts = {}
    for linktype, frame in frames:
        if linktype not in LINK_TYPES:
            continue
        li = LINK_TYPES.index(linktype)
        d = ip_payload(linktype, frame)
        w.put("frame", bytes([li]) + frame, key=(li, d[0] if d else None, len(frame) // 256))
        run.append(bytes([li, (len(frame) >> 8) & 255, len(frame) & 255]) + frame[:65535])
        if sum(map(len, run)) > 6000 or len(run) >= 40:
            if keep_run(nrun):
                w.put("tracer", b"\x00" + b"".join(run))
            nrun += 1
            run = []
        if not d:
            continue
        proto, src, dst, sport, dport, seq, flags, payload = d
        msgs = []
        if proto == 17:
            msgs.append(payload)
        else:
            if len(payload) >= 8:
                mark = struct.unpack(">I", payload[:4])[0] & 0x7fffffff
                if mark + 4 >= len(payload) and mark >= 24:
                    msgs.append(payload[4:])
            # One TCP segment of the run: connection by 4-tuple (at most 4).
            a, b = (src, sport), (dst, dport)
            ck = tuple(sorted([a, b]))
            if ck not in conns and len(conns) < 4:
                conns[ck] = len(conns)
            if ck in conns:
                c = conns[ck]
                direction = 0 if a == ck[0] else 1
                dk = (c, direction)
                nxt = nexts.get(dk, seq)
                offset = max(-32768, min(32767, (seq - nxt + 2**31) % 2**32 - 2**31))
                end = (seq + len(payload) + (1 if flags & 2 else 0)) % 2**32
                if dk not in nexts or ((end - nxt + 2**31) % 2**32 - 2**31) > 0:
                    nexts[dk] = end
                f = c | (direction << 2)
                f |= (8 if flags & 2 else 0) | (16 if flags & 1 else 0) | (32 if flags & 4 else 0) | (64 if flags & 16 else 0)
                tcp_run.append(struct.pack(">BBhH", f, 0, offset, len(payload)) + payload)
                if sum(map(len, tcp_run)) > 6000 or len(tcp_run) >= 40:
                    if keep_run(ntcp):
                        w.put("tcp", b"\x00" + b"".join(tcp_run))
                    ntcp += 1
                    tcp_run = []
        for m in msgs:
            r = rpc_body(m)
            if not r:
                continue
            w.put("rpc", m[:2048], key=(r[0], r[2], r[3], r[4]))
            kind, xid, prog, vers, proc, body = r
            if kind == "call":
                calls[xid] = (prog, vers, proc)
                pi = program_index(prog, vers)
                if pi is not None and proc < 256:
                    w.put("decoders", bytes([pi, proc, 0]) + body[:4096], key=("call", pi, proc))
            elif xid in calls:
                prog, vers, proc = calls[xid]
                pi = program_index(prog, vers)
                if pi is not None and proc < 256:
                    w.put("decoders", bytes([pi, proc, 1]) + body[:4096], key=("reply", pi, proc))
    if run:
        w.put("tracer", b"\x00" + b"".join(run))
    if tcp_run:
        w.put("tcp", b"\x00" + b"".join(tcp_run))


def from_records(w, path):
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    for i in range(0, len(lines), 25):
        chunk = b"\n".join(lines[i:i + 25]) + b"\n"
        w.put("record_line", chunk[:8000])
        w.put("nfstrace", b"\x00" + chunk[:8000])


def from_ring(w, path):
    with open(path, "rb") as f:
        b = f.read()
    for opts in (0, 4, 5 | 16, 7):
        w.put("flightrec_file", bytes([opts]) + b[:512] + b[4096:])


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    w = Writer(sys.argv[1])
    paths = []
    for a in sys.argv[2:]:
        if os.path.isdir(a):
            for root, _, files in os.walk(a):
                paths += [os.path.join(root, f) for f in sorted(files)]
        else:
            paths.append(a)
    for p in paths:
        base = p[:-4] if p.endswith(".bz2") else p
        try:
            if base.endswith((".pcap", ".pcapng", ".cap")):
                from_capture(w, p)
            elif base.endswith((".text.expected", ".records")):
                from_records(w, p)
            else:
                with open(p, "rb") as f:
                    if f.read(8) == b"FLIGHTRC":
                        from_ring(w, p)
        except (OSError, EOFError, ValueError) as e:
            print(f"make_seeds: {p}: {e}", file=sys.stderr)
    for t, n in sorted(w.count.items()):
        print(f"make_seeds: {t}: {n} seeds")


if __name__ == "__main__":
    main()
