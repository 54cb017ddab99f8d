#!/usr/bin/env python3
"""Checks that rpcspy finds, per program/version/procedure, at least as many calls
and replies as tshark did on every sample capture in a shared captures folder.

Usage: tshark_counts.py RPCSPY CAPTURES_DIR CACHE_DIR [PROGRAM...]

CAPTURES_DIR holds folders (at any depth: epam/, public/, lab/ipv6/, ...), each
with REFERENCE.tshark.txt ("## FILE" headings, then "prog/vers/proc calls replies
matched" rows). Compressed captures (.bz2) are decompressed once into CACHE_DIR.
PROGRAM arguments limit the check to those program numbers (optionally with
/VERSION). rpcspy must also exit 0 (or 1 for a capture file cut short) and never
crash on any capture. Exits 77 (skip) when CAPTURES_DIR is absent.
"""
import bz2
import fcntl
import os
import shutil
import subprocess
import sys
from collections import Counter


def load_reference(path):
    ref, current = {}, None
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line.startswith("## "):
                current = line[3:]
                ref[current] = {}
            elif line and not line.startswith("#") and current:
                key, calls, replies = line.split()[:3]
                ref[current][key] = (int(calls), int(replies))
    return ref


def capture_path(folder, name, cache):
    """The capture's path, decompressing a .bz2 copy into `cache` once. Tests that
    run at the same time share the cache: a lock makes one decompress while the
    others wait, and the file appears whole or not at all."""
    plain = os.path.join(folder, name)
    if os.path.exists(plain):
        return plain
    packed = plain + ".bz2"
    if not os.path.exists(packed):
        return None
    out = os.path.join(cache, name)
    with open(os.path.join(cache, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not os.path.exists(out):
            part = f"{out}.part{os.getpid()}"
            with bz2.open(packed) as src, open(part, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            os.replace(part, out)
    return out


def rpcspy_counts(rpcspy, capture):
    proc = subprocess.run([rpcspy, "-n", "-q", "-r", capture], capture_output=True)
    if proc.returncode not in (0, 1) or proc.returncode < 0:
        return None, f"exit status {proc.returncode}: {proc.stderr.decode(errors='replace')[-500:]}"
    calls, replies = Counter(), Counter()
    for line in proc.stdout.decode(errors="replace").splitlines():
        if line.startswith("#"):
            continue
        f = line.split(" ")
        key = f"{f[8]}/{f[9]}/{f[10]}"
        copies = 1
        for tok in f[12:]:
            if tok.startswith("dup="):
                copies = int(tok[4:])
        calls[key] += copies
        if f[1] != "-":
            replies[key] += 1
    return (calls, replies), None


def selected(key, programs):
    if not programs:
        return True
    prog, vers, _ = key.split("/")
    return prog in programs or f"{prog}/{vers}" in programs


def main():
    rpcspy, captures, cache = sys.argv[1:4]
    programs = set(sys.argv[4:])
    if not os.path.isdir(captures):
        print(f"SKIP: {captures} is absent (the shared sample captures)")
        return 77
    os.makedirs(cache, exist_ok=True)
    failures, checked = [], 0
    for folder, _, files in sorted(os.walk(captures)):
        if "REFERENCE.tshark.txt" not in files:
            continue
        refpath = os.path.join(folder, "REFERENCE.tshark.txt")
        sub = os.path.relpath(folder, captures)
        for name, rows in load_reference(refpath).items():
            path = capture_path(folder, name, cache)
            if path is None:
                failures.append(f"{sub}/{name}: listed in the reference but missing")
                continue
            counts, err = rpcspy_counts(rpcspy, path)
            if err:
                failures.append(f"{sub}/{name}: rpcspy failed: {err}")
                continue
            calls, replies = counts
            for key, (tcalls, treplies) in sorted(rows.items()):
                if not selected(key, programs):
                    continue
                checked += 1
                if calls[key] < tcalls or replies[key] < treplies:
                    failures.append(f"{sub}/{name}: {key}: rpcspy {calls[key]} calls {replies[key]} replies,"
                                    f" tshark {tcalls} calls {treplies} replies")
            print(f"ok {sub}/{name}: {sum(calls.values())} calls, {sum(replies.values())} replies")
    for f in failures:
        print("FAIL", f)
    print(f"{checked} program/version/procedure rows checked, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
