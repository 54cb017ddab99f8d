#!/usr/bin/env python3
"""--no-names: no string from the wire may appear in rpcspy's records.

Usage: no_names.py RPCSPY CAPTURE_DIR
For every capture below CAPTURE_DIR, collects the values of the string tokens
(names, paths, link targets, directory entry names, machine names, tags, client
ids) in the normal output, then checks that none of them appears in any token of
the --no-names output, that those tokens are written as '-', and that the number
of records is the same.
"""
import glob
import os
import subprocess
import sys

STRING_KEYS = {"name", "toname", "oldname", "newname", "target", "path", "machine",
               "tag", "rtag", "id", "export", "mount", "caller"}


def records(rpcspy, capture, *extra):
    out = subprocess.run([rpcspy, "-r", capture, "--creds", *extra], check=True,
                         capture_output=True).stdout.decode("latin-1")
    return [l.split(" ") for l in out.splitlines() if not l.startswith("#")]


def main():
    rpcspy, folder = sys.argv[1:3]
    failures, secrets_seen = [], 0
    for capture in sorted(glob.glob(os.path.join(folder, "**", "*.pcap"), recursive=True)):
        plain, hidden = records(rpcspy, capture), records(rpcspy, capture, "--no-names")
        secrets, words = set(), set()
        for rec in plain:
            for tok in rec[12:]:
                key, _, value = tok.partition("=")
                if key not in STRING_KEYS and key != "entry":
                    words.add(value)  # enumeration names etc. (a file may be called "fifo")
                elif key in STRING_KEYS and len(value) >= 3:
                    secrets.add(value)
                elif key == "entry":
                    name = value.split("/", 2)[-1]
                    if len(name) >= 3:
                        secrets.add(name)
        secrets -= words
        secrets_seen += len(secrets)
        if len(plain) != len(hidden):
            failures.append(f"{capture}: {len(plain)} records, {len(hidden)} with --no-names")
        for rec in hidden:
            for tok in rec[12:]:
                key, _, value = tok.partition("=")
                if key in STRING_KEYS and value != "-" and not value.isdigit():  # RQUOTA id is a number
                    failures.append(f"{capture}: {tok} is not hidden")
                if key == "entry" and value != "-" and not value.endswith("/-"):
                    failures.append(f"{capture}: {tok} keeps its name")
                if any(s in value for s in secrets):
                    failures.append(f"{capture}: {tok} contains a name from the wire")
        print(f"ok {os.path.relpath(capture, folder)}: {len(hidden)} records, {len(secrets)} strings hidden")
    for f in failures[:20]:
        print("FAIL", f)
    if secrets_seen == 0:
        print("FAIL: the captures had no strings to hide: the check proves nothing")
        return 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
