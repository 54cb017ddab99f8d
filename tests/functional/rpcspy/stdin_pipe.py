#!/usr/bin/env python3
"""rpcspy -r - and -r FIFO (standard input, pipes, FIFOs) give what rpcspy -r FILE
gives: the same records (text, --json, with a filter), the same exit status, the
same errors named "standard input", and rpcspy's own reader (-v). A stream its
reader does not read goes to libpcap with no byte lost. SIGINT while waiting on
a quiet pipe ends the read cleanly. Real processes, real pipes, real captures.

Usage: stdin_pipe.py RPCSPY LAB_CAPTURES SHARED_CAPTURES CACHE_DIR

LAB_CAPTURES (tests/captures) must exist; SHARED_CAPTURES (../shared/captures)
is checked where present (.bz2 captures are decompressed once into CACHE_DIR,
as tshark_counts.py does) and skipped with a message where absent.
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tshark_counts import capture_path  # noqa: E402  (the shared decompression cache)

failures = 0


def check(ok, what):
    global failures
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        failures += 1


def run_file(rpcspy, path, args=()):
    p = subprocess.run([rpcspy, "-v", "-r", path, *args], capture_output=True)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def run_pipe(rpcspy, feeder, args=()):
    """rpcspy -v -r - reading a pipe from `feeder` (a command line)."""
    writer = subprocess.Popen(feeder, stdout=subprocess.PIPE)
    p = subprocess.run([rpcspy, "-v", "-r", "-", *args], stdin=writer.stdout, capture_output=True)
    writer.stdout.close()
    writer.wait()
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def run_fifo(rpcspy, feeder, tmp, args=()):
    """rpcspy -v -r FIFO, `feeder` writing into the FIFO."""
    fifo = os.path.join(tmp, "fifo")
    if os.path.exists(fifo):
        os.unlink(fifo)
    os.mkfifo(fifo)
    writer = subprocess.Popen(["sh", "-c", 'f=$1; shift; exec "$@" > "$f"', "sh", fifo, *feeder])
    p = subprocess.run([rpcspy, "-v", "-r", fifo, *args], capture_output=True)
    writer.wait()
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def trickle(path, piece):
    """A writer process: the file's bytes `piece` at a time, with pauses, so that
    rpcspy finds the pipe empty and reads short pieces."""
    code = ("import os,sys,time\n"
            "d=open(sys.argv[1],'rb').read(); n=int(sys.argv[2])\n"
            "for i in range(0,len(d),n):\n"
            "    os.write(1,d[i:i+n])\n"
            "    if i//n % 64 == 63: time.sleep(0.0001)\n")
    return [sys.executable, "-c", code, path, str(piece)]


def errors_of(stderr):
    """The error lines (not the -v lines), the source name dropped."""
    lines = [l for l in stderr.splitlines() if l.startswith("rpcspy: ") and not l.startswith("rpcspy: reading ")]
    return [re.sub(r"^rpcspy: .*?: (byte|near byte|cannot|link type)", r"\1", l) for l in lines]


def reader_of(stderr):
    m = re.search(r"^rpcspy: reading .* \((.*)\)$", stderr, re.M)
    return m.group(1) if m else None


def same_as_file(rpcspy, path, args=(), feeder=None, label="cat"):
    name = os.path.basename(path)
    want = run_file(rpcspy, path, args)
    got = run_pipe(rpcspy, feeder or ["cat", path], args)
    what = f"{label} {name} | rpcspy -r - {' '.join(args)}".rstrip()
    check(got[0] == want[0] and got[1] == want[1] and errors_of(got[2]) == errors_of(want[2]),
          f"{what}: status {got[0]}, {len(got[1])} bytes of records as -r FILE"
          + ("" if got[1] == want[1] else f" (-r FILE: status {want[0]}, {len(want[1])} bytes)")
          + ("" if errors_of(got[2]) == errors_of(want[2]) else f" errors {errors_of(got[2])} vs {errors_of(want[2])}"))
    check(reader_of(got[2]) == reader_of(want[2]) and reader_of(got[2]) is not None, f"{what}: read by '{reader_of(got[2])}'")
    return want


def pcap_records(data):
    """(header, [(sec, frac, caplen, len, bytes)]) of a little-endian pcap file."""
    assert data[:4] == b"\xd4\xc3\xb2\xa1", "a little-endian microsecond pcap"
    records, at = [], 24
    while at + 16 <= len(data):
        sec, frac, caplen, length = struct.unpack_from("<IIII", data, at)
        records.append((sec, frac, caplen, length, data[at + 16:at + 16 + caplen]))
        at += 16 + caplen
    return data[:24], records


def raw_ip_pcap(eth_pcap, linktype):
    """The Ethernet capture with its Ethernet headers cut off, as raw IP of LINKTYPE
    `linktype` (101: rpcspy's reader reads it; 12, DLT_RAW: only libpcap does)."""
    _, records = pcap_records(eth_pcap)
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, linktype)]
    for sec, frac, caplen, length, frame in records:
        out.append(struct.pack("<IIII", sec, frac, caplen - 14, length - 14) + frame[14:])
    return b"".join(out)


def pcapng_of(eth_pcap):
    """The same frames as a little-endian pcapng (microsecond timestamps)."""
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        return struct.pack("<II", btype, 12 + len(body)) + body + struct.pack("<I", 12 + len(body))
    _, records = pcap_records(eth_pcap)
    out = [block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)),
           block(1, struct.pack("<HHI", 1, 0, 262144))]
    for sec, frac, caplen, length, frame in records:
        t = sec * 1000000 + frac
        out.append(block(6, struct.pack("<IIIII", 0, t >> 32, t & 0xFFFFFFFF, caplen, length) + frame))
    return b"".join(out)


def captures_under(folder):
    found = []
    for root, _, files in os.walk(folder):
        for f in files:
            if f.endswith((".pcap", ".pcapng", ".pcap.bz2", ".pcapng.bz2")):
                found.append((root, f[:-4] if f.endswith(".bz2") else f))
    return sorted(set(found))


def main():
    rpcspy, lab, shared, cache = sys.argv[1:5]
    with tempfile.TemporaryDirectory() as tmp:
        # 1. Every lab capture, through cat and a pipe: text, --json, a filter.
        lab_files = [os.path.join(r, f) for r, f in captures_under(lab)]
        check(len(lab_files) >= 5, f"{len(lab_files)} lab captures")
        for path in lab_files:
            same_as_file(rpcspy, path)
            same_as_file(rpcspy, path, ("--json",))
            same_as_file(rpcspy, path, ("udp or tcp port 2049",))
        v3tcp = os.path.join(lab, "v3-all-tcp.pcap")

        # 2. Written a few bytes at a time.
        same_as_file(rpcspy, v3tcp, feeder=trickle(v3tcp, 7), label="7 bytes at a time:")
        same_as_file(rpcspy, v3tcp, ("--json",), feeder=trickle(v3tcp, 1000), label="1000 bytes at a time:")

        # 3. A FIFO named on the command line.
        want = run_file(rpcspy, v3tcp)
        got = run_fifo(rpcspy, ["cat", v3tcp], tmp)
        check(got[:2] == want[:2] and reader_of(got[2]) == "pcap, direct reader",
              f"rpcspy -r FIFO: status {got[0]}, same records, read by '{reader_of(got[2])}'")

        # 4. pcapng through a pipe.
        eth = open(os.path.join(lab, "v3-udp.pcap"), "rb").read()
        ng = os.path.join(tmp, "v3-udp.pcapng")
        open(ng, "wb").write(pcapng_of(eth))
        want_ng = same_as_file(rpcspy, ng, feeder=trickle(ng, 5), label="pcapng, 5 bytes at a time:")
        check(reader_of(want_ng[2]) == "pcapng, direct reader", f"pcapng read by '{reader_of(want_ng[2])}'")
        check(want_ng[1] == run_file(rpcspy, os.path.join(lab, "v3-udp.pcap"))[1], "pcapng: the records of the pcap")

        # 5. A stream closed in the middle of a record: the file's error, exactly.
        cut = os.path.join(tmp, "cut.pcap")
        open(cut, "wb").write(open(v3tcp, "rb").read()[:3000])
        for feeder in (["cat", cut], trickle(cut, 3)):
            status, out, err = run_pipe(rpcspy, feeder)
            expected = ("rpcspy: standard input: byte 2886: frame 24: record header says 138 captured bytes, "
                        "only 98 left in the file (truncated capture?)")
            check(status == 1 and expected in err.splitlines(), f"cut stream ({feeder[0]}): status {status}, {err.splitlines()[-1]!r}")
            check(out == run_file(rpcspy, cut)[1], "cut stream: the records before the cut")
        status, _, err = run_pipe(rpcspy, ["true"])
        check(status == 1 and "rpcspy: standard input: cannot read as a pcap or pcapng capture: byte 0: the file is empty" in err,
              f"empty stream: {err.strip()!r}")

        # 6. Streams rpcspy's reader leaves to libpcap, with no byte lost: raw IP as
        # LINKTYPE 12 (DLT_RAW) gives the records of the same frames as LINKTYPE 101.
        raw101, raw12 = os.path.join(tmp, "raw101.pcap"), os.path.join(tmp, "raw12.pcap")
        open(raw101, "wb").write(raw_ip_pcap(eth, 101))
        open(raw12, "wb").write(raw_ip_pcap(eth, 12))
        want = run_file(rpcspy, raw101)
        lines = want[1].count(b"\n")
        check(reader_of(want[2]) == "pcap, direct reader" and lines > 10,
              f"raw IP (LINKTYPE 101) file: {lines} lines, read by '{reader_of(want[2])}'")
        for label, got in (("cat", run_pipe(rpcspy, ["cat", raw12])),
                           ("3 bytes at a time", run_pipe(rpcspy, trickle(raw12, 3))),
                           ("FIFO", run_fifo(rpcspy, ["cat", raw12], tmp))):
            check(got[0] == 0 and got[1] == want[1] and reader_of(got[2]) == "through libpcap",
                  f"raw IP (LINKTYPE 12), {label}: status {got[0]}, same records as LINKTYPE 101, read '{reader_of(got[2])}'")
        raw12_cut = os.path.join(tmp, "raw12-cut.pcap")
        open(raw12_cut, "wb").write(open(raw12, "rb").read()[:-10])
        status, _, err = run_pipe(rpcspy, ["cat", raw12_cut])
        check(status == 1 and re.search(r"^rpcspy: standard input: near byte \d+: after \d+ frames: truncated dump file", err, re.M),
              f"LINKTYPE 12 cut short, through libpcap: {err.strip().splitlines()[-1]!r}")
        status, _, err = run_pipe(rpcspy, ["printf", "this is not a capture file\\n"])
        check(status == 1 and "rpcspy: standard input: cannot read as a pcap or pcapng capture: unknown file format" in err,
              f"not a capture: {err.strip()!r}")

        # 7. SIGINT while rpcspy waits on a quiet pipe: the read ends as at the
        # end of the capture (status 0, the records so far), not with an error.
        writer = subprocess.Popen(["sh", "-c", 'cat "$1"; exec sleep 30', "sh", os.path.join(lab, "v3-udp.pcap")],
                                  stdout=subprocess.PIPE)
        reader = subprocess.Popen([rpcspy, "-r", "-"], stdin=writer.stdout, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        writer.stdout.close()
        time.sleep(1)  # rpcspy has read all there is and waits for more
        reader.send_signal(2)
        try:
            out, err = reader.communicate(timeout=10)
            status = reader.returncode
        except subprocess.TimeoutExpired:
            reader.kill()
            out, err = reader.communicate()
            status = "still running 10 s after SIGINT"
        writer.kill()
        writer.wait()
        want = run_file(rpcspy, os.path.join(lab, "v3-udp.pcap"))[1]
        check(status == 0 and out == want and err == b"",
              f"SIGINT on a quiet pipe: status {status}, {'the' if out == want else 'NOT the'} file's records, stderr {err!r}")

        # 8. The shared sample captures, where present.
        if not os.path.isdir(shared):
            print(f"skip: no {shared} (the shared sample captures)")
        else:
            os.makedirs(cache, exist_ok=True)
            for folder, name in captures_under(shared):
                path = capture_path(folder, name, cache)
                if path:
                    same_as_file(rpcspy, path)
    print(f"{failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
