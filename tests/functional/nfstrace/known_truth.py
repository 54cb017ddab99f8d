#!/usr/bin/env python3
"""`rpcspy -r CAPTURE | nfstrace` must report exactly the opens of the known
workload behind the capture (its .truth file, format 1): the same number of
opens, in the same order, each with the right direction, bytes read and
written, size at close, protocol and path; files that were only renamed or
removed must not show up as opens.

Usage: known_truth.py RPCSPY NFSTRACE CAPTURE_WITHOUT_SUFFIX
Exit 0 on success, 1 on a mismatch, 77 (skipped) when the capture is absent.
"""
import os
import subprocess
import sys


def main():
    rpcspy, nfstrace, base = sys.argv[1:4]
    pcap, truth = base + ".pcap", base + ".truth"
    if not os.path.exists(pcap) or not os.path.exists(truth):
        print(f"SKIP: capture {pcap} or its truth file is absent (made by scripts/nfs-lab)")
        return 77

    expected = []  # (direction, rbytes, wbytes, size, proto, path)
    for line in open(truth, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.split()
        if f[0] == "open":
            _, _seq, d, rb, wb, size, proto, path = f
            expected.append((d, rb, wb, size, proto, path))

    spy = subprocess.Popen([rpcspy, "-r", pcap], stdout=subprocess.PIPE)
    res = subprocess.run([nfstrace, "--stats"], stdin=spy.stdout, capture_output=True, text=True)
    spy.stdout.close()
    if spy.wait() != 0 or res.returncode != 0:
        print(f"FAIL: rpcspy exit {spy.returncode}, nfstrace exit {res.returncode}\n{res.stderr}")
        return 1
    lines = res.stdout.splitlines()
    if not lines or not lines[0].startswith("#nfstrace-opens 1 "):
        print("FAIL: no #nfstrace-opens 1 header line")
        return 1
    got = []
    for line in lines[1:]:
        f = line.split(" ")
        tokens = dict(t.split("=", 1) for t in f[10:])
        proto = "nfs" + tokens.get("vers", "?")
        got.append((f[2], f[7], f[8], f[9], proto, tokens.get("path", "-")))

    print("expected (direction rbytes wbytes size proto path):")
    for e in expected:
        print("  ", *e)
    print("nfstrace:")
    for g in got:
        print("  ", *g)
    print(res.stderr, end="")
    if got != expected:
        print("FAIL: the opens differ from the truth")
        return 1
    # Opens sorted by open time.
    times = [float(line.split(" ")[0]) for line in lines[1:]]
    if times != sorted(times):
        print("FAIL: opens not sorted by open time")
        return 1
    print("OK: exactly the opens of the known workload")
    return 0


if __name__ == "__main__":
    sys.exit(main())
