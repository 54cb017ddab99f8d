#!/usr/bin/env python3
"""TCP loss, reordering, duplication and merging, made from a real capture.

Usage: tcp_rearrange.py RPCSPY CAPTURE

CAPTURE is a lab capture of NFSv3 over TCP with real segmentation (MTU 1500,
Linux cooked v2 or Ethernet, IPv4). The script cuts and rearranges its frames and
checks rpcspy's exact output on each variant against the original's:
- reorder: each data segment that is followed by another of the same direction
  is swapped with it (times travel with the frames): records identical;
- duplicate: every data segment is sent twice: records identical;
- merge: runs of same-direction data segments are merged into one segment (with
  one time: a call's last segment's, a reply's first's, as rpcspy times them):
  records identical;
- drop-inside: one segment from the middle of a large WRITE call's data is
  dropped: records identical (the call is reported from its header), and exactly
  that many bytes are counted as lost;
- drop-head: the first segment of a multi-segment WRITE call (with its record
  mark) is dropped: exactly that call is missing, its reply is counted as a reply
  without a call, every other record is identical, and the stream resynchronises.
"""
import os
import struct
import subprocess
import sys
import tempfile

LINK_HEADER = {113: 16, 276: 20, 1: 14}


def read_pcap(path):
    data = open(path, "rb").read()
    magic, = struct.unpack("<I", data[:4])
    assert magic in (0xA1B2C3D4, 0xA1B23C4D), "little-endian pcap expected"
    linktype, = struct.unpack("<I", data[20:24])
    frames, off = [], 24
    while off + 16 <= len(data):
        ts, frac, incl, orig = struct.unpack("<IIII", data[off:off + 16])
        frames.append([ts, frac, bytearray(data[off + 16:off + 16 + incl]), orig])
        off += 16 + incl
    return data[:24], LINK_HEADER[linktype], frames


def write_pcap(path, header, frames):
    with open(path, "wb") as f:
        f.write(header)
        for ts, frac, frame, _ in frames:
            f.write(struct.pack("<IIII", ts, frac, len(frame), len(frame)))
            f.write(frame)


class Seg:
    """A view of one frame's IPv4/TCP headers."""

    def __init__(self, frame, link):
        self.frame, self.link = frame, link
        ip = link
        self.ok = len(frame) > ip + 20 and frame[ip] >> 4 == 4 and frame[ip + 9] == 6
        if not self.ok:
            return
        self.ihl = (frame[ip] & 15) * 4
        tcp = ip + self.ihl
        self.thl = (frame[tcp + 12] >> 4) * 4
        self.flow = bytes(frame[ip + 12:ip + 20]) + bytes(frame[tcp:tcp + 4])
        self.seq, = struct.unpack(">I", frame[tcp + 4:tcp + 8])
        self.dport, = struct.unpack(">H", frame[tcp + 2:tcp + 4])
        self.data_at = tcp + self.thl
        self.data = bytes(frame[self.data_at:])

    def rebuild(self, seq, data):
        f = bytearray(self.frame[:self.data_at]) + data
        ip, tcp = self.link, self.link + self.ihl
        struct.pack_into(">H", f, ip + 2, len(f) - ip)
        struct.pack_into(">I", f, tcp + 4, seq)
        return f


def run(rpcspy, pcap):
    p = subprocess.run([rpcspy, "-r", pcap, "-v"], capture_output=True, check=True)
    stats = dict(l.split(" ", 1) for l in p.stderr.decode().splitlines() if " " in l)
    recs = [l for l in p.stdout.decode("latin-1").splitlines() if not l.startswith("#")]
    return recs, {k: int(v) for k, v in stats.items() if v.strip().isdigit()}


def main():
    rpcspy, capture = sys.argv[1:3]
    header, link, frames = read_pcap(capture)
    segs = [Seg(f[2], link) for f in frames]
    data_idx = [i for i, s in enumerate(segs) if s.ok and s.data]
    tmp = tempfile.mkdtemp()
    failures = []
    base, base_stats = run(rpcspy, capture)
    if len(base) < 10:
        print(f"FAIL: only {len(base)} records in the original")
        return 1

    def check(name, variant, expect_records, expect=lambda st: None):
        path = os.path.join(tmp, name + ".pcap")
        write_pcap(path, header, variant)
        recs, st = run(rpcspy, path)
        if recs != expect_records:
            missing = [r for r in expect_records if r not in recs][:2]
            extra = [r for r in recs if r not in expect_records][:2]
            failures.append(f"{name}: records differ (missing {missing}, extra {extra})")
        why = expect(st)
        if why:
            failures.append(f"{name}: {why}")
        print(f"{name}: {len(recs)} records, tcp_bytes_lost {st.get('tcp_bytes_lost')}, "
              f"tcp_resyncs {st.get('tcp_resyncs')}, replies_without_call {st.get('replies_without_call')}")

    # Runs of consecutive data segments of one direction of one connection.
    runs, cur = [], []
    for i in data_idx:
        if cur and segs[cur[-1]].flow == segs[i].flow and segs[cur[-1]].seq + len(segs[cur[-1]].data) == segs[i].seq \
                and all(not (segs[j].ok and segs[j].data) or j in cur for j in range(cur[0], i)):
            cur.append(i)
        else:
            if len(cur) > 1:
                runs.append(cur)
            cur = [i]
    if len(cur) > 1:
        runs.append(cur)
    # Calls go to the NFS server's port.
    long_runs = [r for r in runs if len(r) >= 3 and segs[r[0]].dport == 2049]
    if not long_runs:
        print("FAIL: no call spans three or more segments in this capture")
        return 1

    # reorder
    v = [list(f) for f in frames]
    for r in runs:
        v[r[0]], v[r[1]] = v[r[1]], v[r[0]]
    check("reorder", v, base, lambda st: None if st.get("tcp_bytes_lost") == 0 else "bytes lost")

    # duplicate
    v = []
    for i, f in enumerate(frames):
        v.append(f)
        if i in data_idx:
            v.append(f)
    check("duplicate", v, base, lambda st: None if st.get("tcp_retransmissions", 0) >= len(data_idx)
          else f"retransmissions {st.get('tcp_retransmissions')} < {len(data_idx)}")

    # merge: a merged frame carries one time; rpcspy times a call by its last
    # segment and a reply by its first, so calls take the last time, replies the first
    v, skip = [], set()
    for r in runs:
        first = segs[r[0]]
        merged = first.rebuild(first.seq, b"".join(segs[i].data for i in r))
        when = frames[r[-1]] if first.dport == 2049 else frames[r[0]]
        frames_r0 = [when[0], when[1], merged, len(merged)]
        skip.update(r[1:])
        frames[r[0]] = frames_r0
    v = [f for i, f in enumerate(frames) if i not in skip]
    check("merge", v, base)
    header, link, frames = read_pcap(capture)  # undo the in-place merge

    # drop-inside: a middle segment of the longest run
    run_ = max(long_runs, key=len)
    drop = run_[len(run_) // 2]
    lost = len(segs[drop].data)
    v = [f for i, f in enumerate(frames) if i != drop]
    check("drop-inside", v, base,
          lambda st: None if st.get("tcp_bytes_lost") == lost else f"tcp_bytes_lost {st.get('tcp_bytes_lost')} != {lost}")

    # drop-head: the first segment (record mark and call header) of that message
    head = run_[0]
    xid = struct.unpack(">I", segs[head].data[4:8])[0]
    v = [f for i, f in enumerate(frames) if i != head]
    expected = [r for r in base if r.split(" ")[5] != f"{xid:08x}"]
    if len(expected) != len(base) - 1:
        failures.append(f"drop-head: xid {xid:08x} is not exactly one record of the original")
    check("drop-head", v, expected,
          lambda st: None if st.get("replies_without_call") == base_stats.get("replies_without_call", 0) + 1
          and st.get("tcp_resyncs", 0) >= 1 else "expected one more reply without a call and a resync")

    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
