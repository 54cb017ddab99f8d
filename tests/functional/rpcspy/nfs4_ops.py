#!/usr/bin/env python3
"""NFSv4 operation sequences: rpcspy against tshark.

Usage: nfs4_ops.py RPCSPY CAPTURE_DIR [NAME...]

For each NAME.tshark-ops.txt in CAPTURE_DIR (or only the NAMEs given) whose
NAME.pcap is present, runs `rpcspy --json -r NAME.pcap` and checks that every
NFSv4 COMPOUND has exactly the operations tshark saw, in the same order: per
call its minor version and operations, per reply its status and results (the
format of the tshark-ops files is described in tests/captures/lab/README.md).
The comparison is per XID in capture order and must be exact: same number of
COMPOUND calls and replies, same operation numbers.

Exit status: 0 all equal, 1 a difference, 77 (skip) no capture to check.
"""
import json
import os
import subprocess
import sys
from collections import defaultdict

# nfs_opnum4 (RFC 8881 18, RFC 7862 15): rpcspy's names to numbers.
OPS = {
    "access": 3, "close": 4, "commit": 5, "create": 6, "delegpurge": 7, "delegreturn": 8,
    "getattr": 9, "getfh": 10, "link": 11, "lock": 12, "lockt": 13, "locku": 14, "lookup": 15,
    "lookupp": 16, "nverify": 17, "open": 18, "openattr": 19, "open_confirm": 20,
    "open_downgrade": 21, "putfh": 22, "putpubfh": 23, "putrootfh": 24, "read": 25,
    "readdir": 26, "readlink": 27, "remove": 28, "rename": 29, "renew": 30, "restorefh": 31,
    "savefh": 32, "secinfo": 33, "setattr": 34, "setclientid": 35, "setclientid_confirm": 36,
    "verify": 37, "write": 38, "release_lockowner": 39, "backchannel_ctl": 40,
    "bind_conn_to_session": 41, "exchange_id": 42, "create_session": 43, "destroy_session": 44,
    "free_stateid": 45, "get_dir_delegation": 46, "getdeviceinfo": 47, "getdevicelist": 48,
    "layoutcommit": 49, "layoutget": 50, "layoutreturn": 51, "secinfo_no_name": 52,
    "sequence": 53, "set_ssv": 54, "test_stateid": 55, "want_delegation": 56,
    "destroy_clientid": 57, "reclaim_complete": 58, "allocate": 59, "copy": 60,
    "copy_notify": 61, "deallocate": 62, "io_advise": 63, "layouterror": 64, "layoutstats": 65,
    "offload_cancel": 66, "offload_status": 67, "read_plus": 68, "seek": 69, "write_same": 70,
    "clone": 71, "illegal": 10044,
}

# nfsstat4 names rpcspy writes, to numbers (RFC 8881 15.1); others are numbers already.
STATUS = {
    "ok": 0, "perm": 1, "noent": 2, "io": 5, "nxio": 6, "access": 13, "exist": 17, "xdev": 18,
    "notdir": 20, "isdir": 21, "inval": 22, "fbig": 27, "nospc": 28, "rofs": 30, "mlink": 31,
    "nametoolong": 63, "notempty": 66, "dquot": 69, "stale": 70, "badhandle": 10001,
    "bad_cookie": 10003, "notsupp": 10004, "toosmall": 10005, "serverfault": 10006,
    "badtype": 10007, "delay": 10008, "same": 10009, "denied": 10010, "expired": 10011,
    "locked": 10012, "grace": 10013, "fhexpired": 10014, "share_denied": 10015,
    "wrongsec": 10016, "clid_inuse": 10017, "resource": 10018, "moved": 10019,
    "nofilehandle": 10020, "minor_vers_mismatch": 10021, "stale_clientid": 10022,
    "stale_stateid": 10023, "old_stateid": 10024, "bad_stateid": 10025, "bad_seqid": 10026,
    "not_same": 10027, "lock_range": 10028, "symlink": 10029, "restorefh": 10030,
    "lease_moved": 10031, "attrnotsupp": 10032, "no_grace": 10033, "reclaim_bad": 10034,
    "reclaim_conflict": 10035, "badxdr": 10036, "locks_held": 10037, "openmode": 10038,
    "badowner": 10039, "badchar": 10040, "badname": 10041, "bad_range": 10042,
    "lock_notsupp": 10043, "op_illegal": 10044, "deadlock": 10045, "file_open": 10046,
    "admin_revoked": 10047, "cb_path_down": 10048, "badsession": 10052, "badslot": 10053,
    "complete_already": 10054, "seq_misordered": 10063, "deadsession": 10078,
}


def op_numbers(group):
    """Operation numbers of a JSON array of op objects (op is a name or a number)."""
    out = []
    for g in group or []:
        op = g.get("op")
        out.append(op if isinstance(op, int) else OPS.get(op, op))
    return out


def rpcspy_compounds(rpcspy, pcap):
    """{xid: [(kind, value, ops), ...]} from rpcspy's records."""
    res = subprocess.run([rpcspy, "--json", "-r", pcap], check=True, capture_output=True, text=True)
    got = defaultdict(list)
    for line in res.stdout.splitlines():
        rec = json.loads(line)  # the call's and the reply's "tag" are not compared
        if rec.get("prog") != "nfs" or rec.get("vers") != 4 or rec.get("proc") != "compound":
            continue
        xid = "0x" + rec["xid"]
        got[xid].append(("call", rec.get("minor"), op_numbers(rec.get("ops"))))
        if rec["status"] == "timeout":
            continue
        status = rec["status"]
        got[xid].append(("reply", STATUS.get(status, status), op_numbers(rec.get("results"))))
    return got


def tshark_compounds(path):
    want = defaultdict(list)
    with open(path) as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split()
            kind, xid, value = parts[0], parts[1], int(parts[2])
            ops = [int(x) for x in parts[3].split(",")] if len(parts) > 3 and parts[3] else []
            want[xid].append((kind, value, ops))
    return want


def normalise(entries):
    """Calls and replies of one XID, each kind in order."""
    return (sorted([e for e in entries if e[0] == "call"], key=lambda e: str(e)),
            sorted([e for e in entries if e[0] == "reply"], key=lambda e: str(e)))


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    rpcspy, capdir = sys.argv[1], sys.argv[2]
    names = sys.argv[3:] or sorted(f[: -len(".tshark-ops.txt")] for f in os.listdir(capdir)
                                   if f.endswith(".tshark-ops.txt"))
    checked = 0
    status = 0
    for name in names:
        pcap = os.path.join(capdir, name + ".pcap")
        ops = os.path.join(capdir, name + ".tshark-ops.txt")
        if not (os.path.exists(pcap) and os.path.exists(ops)):
            print(f"skip {name}: no capture")
            continue
        checked += 1
        want = tshark_compounds(ops)
        got = rpcspy_compounds(rpcspy, pcap)
        diffs = []
        for xid in sorted(set(want) | set(got)):
            w, g = normalise(want.get(xid, [])), normalise(got.get(xid, []))
            if w != g:
                diffs.append(f"  xid {xid}: tshark {want.get(xid, [])} rpcspy {got.get(xid, [])}")
        n_calls = sum(1 for v in want.values() for e in v if e[0] == "call")
        n_replies = sum(1 for v in want.values() for e in v if e[0] == "reply")
        n_ops = sum(len(e[2]) for v in want.values() for e in v)
        if diffs:
            status = 1
            print(f"FAIL {name}: {len(diffs)} COMPOUNDs differ from tshark")
            print("\n".join(diffs[:20]))
        else:
            print(f"ok {name}: {n_calls} calls, {n_replies} replies, {n_ops} operations equal to tshark")
    if checked == 0:
        return 77
    return status


if __name__ == "__main__":
    sys.exit(main())
