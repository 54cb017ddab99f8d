#!/usr/bin/env python3
"""Pins the exact counts where rpcspy finds more RPCs than tshark in the shared
sample captures, so that a change that loses (or invents) one is caught.

Usage: exact_counts.py RPCSPY CAPTURES_DIR CACHE_DIR    (exit 77: captures absent)

Each row: folder/capture, program/version/procedure, calls and replies rpcspy
must find exactly, tshark 4.0.17's counts, and why they differ.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tshark_counts  # noqa: E402  (capture decompression and counting)

# (capture, key, rpcspy calls, rpcspy replies, tshark calls, tshark replies, why)
EXPECTED = [
    ("epam/tcp-seq-overlap-in-fragment-12721.pcap", "100003/3/7", 6168, 6165, 0, 0,
     "TSO/GRO super-frames and missing segments: tshark loses the record stream; rpcspy"
     " keeps sync across gaps inside WRITE payloads (3 replies are not in the capture)"),
    ("epam/eth-ipv4-udp-nfsv3-dup-retransm.pcap", "100003/3/7", 15, 12, 1, 1,
     "WRITE calls in IP fragments: tshark reassembles only one; 3 calls have no reply in the capture"),
    ("epam/eth-ipv4-tcp-nfsv3-4-41-cifs1-2.pcap", "100003/3/7", 7077, 7076, 915, 7054,
     "64 KB loopback frames with segments lost: tshark misses most WRITE calls"),
    ("epam/eth-ipv4-tcp-nfsv3-4-41-cifs1-2.pcap", "100003/4/1", 14791, 14785, 2484, 5058,
     "same capture: NFSv4 COMPOUNDs after the losses, and several per frame"),
    ("epam/eth-ipv4-tcp-nfsv3-4-41-cifs1-2.pcap", "100003/3/21", 11, 10, 5, 10,
     "same capture: COMMIT calls after losses"),
    ("epam/eth-ipv4-tcp-nfsv3.pcap", "100003/3/7", 3200, 3200, 3200, 3198,
     "two WRITE replies share a frame with another reply; tshark counts the first only"),
    ("epam/eth-ipv4-tcp-nfsv41.pcap", "100003/4/1", 525, 525, 520, 525,
     "frames carrying two COMPOUND calls"),
    ("epam/eth-ipv6-tcp-nfsv3-bad_alloc.pcap", "100003/3/4", 14091, 14091, 14089, 14089,
     "ACCESS calls and replies two to a frame"),
    ("public/tcpdump_nfs-write-verf-cookie.pcapng", "100003/3/7", 1, 1, 0, 0,
     "a WRITE tshark does not dissect as RPC"),
    ("public/zeek_nfs_write.pcap", "100003/3/1", 29, 29, 28, 28,
     "a GETATTR sharing a segment with another RPC"),
    ("public/zeek_portmapper-many-unanswered-calls.pcapng", "100000/2/0", 5000, 0, 184, 0,
     "portmap NULL calls to many ports: tshark recognises only some"),
]


def main():
    rpcspy, captures, cache = sys.argv[1:4]
    if not os.path.isdir(captures):
        print(f"SKIP: {captures} is absent (the shared sample captures)")
        return 77
    os.makedirs(cache, exist_ok=True)
    counted, failures = {}, []
    for capture, key, calls, replies, tcalls, treplies, why in EXPECTED:
        folder, name = os.path.split(capture)
        if capture not in counted:
            path = tshark_counts.capture_path(os.path.join(captures, folder), name, cache)
            if path is None:
                failures.append(f"{capture}: missing")
                continue
            counts, err = tshark_counts.rpcspy_counts(rpcspy, path)
            if err:
                failures.append(f"{capture}: rpcspy failed: {err}")
                continue
            counted[capture] = counts
        got_calls, got_replies = counted[capture][0][key], counted[capture][1][key]
        line = (f"{capture} {key}: rpcspy {got_calls}/{got_replies} (expected {calls}/{replies},"
                f" tshark {tcalls}/{treplies}: {why})")
        if (got_calls, got_replies) != (calls, replies):
            failures.append(line)
        else:
            print("ok", line)
    for f in failures:
        print("FAIL", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
