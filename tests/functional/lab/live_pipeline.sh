#!/usr/bin/env bash
# Live end-to-end test of the whole pipeline on the NFS lab:
#   flightrec record RING -- rpcspy -i lo -l -v     (in the lab's namespace)
# while the workload with a known truth (nfstrace-known) runs under tcpdump; then
#   flightrec dump -D RING | nfstrace
# must report the opens listed in tests/captures/lab/nfstrace-known.truth (direction,
# bytes read and written, final size, path, in order), every recorded call must have
# its reply, the ring must hold at least as many records as tshark finds RPC calls in
# the simultaneous capture, and rpcspy must report zero kernel drops.
#
# Usage: tests/functional/lab/live_pipeline.sh RPCSPY FLIGHTREC NFSTRACE
# Exit status: 0 pass, 1 fail, 77 skipped (not root, lab packages, namespaces or tshark
# missing).  NFSv4 opens in the truth are checked only once nfstrace reports any
# NFSv4 open (it infers NFSv2/v3 opens first); until then they are listed as notes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${NFS_LAB:-$here/../../../scripts/nfs-lab}
TRUTH=$here/../../captures/lab/nfstrace-known.truth
# Extra rpcspy options (word-split).  Default: a 64 MiB kernel buffer.  With libpcap's
# immediate mode each ring slot is as large as the snapshot length (256 KiB) on lo and
# `any`, so the default 2 MiB buffer holds only a few frames and bursts were dropped
# (seen: kernel_dropped 24 of ~200 frames on lo).  RPCSPY_OPTS= tests the defaults.
RPCSPY_OPTS=${RPCSPY_OPTS--B 65536}
[ $# -eq 3 ] || { echo "usage: live_pipeline.sh RPCSPY FLIGHTREC NFSTRACE" >&2; exit 2; }

skip() { echo "SKIP: $*"; exit 77; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network and mount namespaces)"
for c in ganesha.nfsd rpcbind rpcinfo gcc tcpdump tshark; do
  command -v "$c" >/dev/null 2>&1 || skip "$c not installed (scripts/install-deps lab test; tshark)"
done
[ -e /usr/include/nfsc/libnfs.h ] || skip "libnfs-dev not installed (scripts/install-deps lab)"
unshare --net --mount true 2>/dev/null || skip "this machine cannot create network/mount namespaces"
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }
RPCSPY=$(abs "$1") FLIGHTREC=$(abs "$2") NFSTRACE=$(abs "$3")
for b in "$RPCSPY" "$FLIGHTREC" "$NFSTRACE"; do [ -x "$b" ] || { echo "FAIL: $b is not executable"; exit 1; }; done

work=$(mktemp -d /tmp/nfs-lab-pipe.XXXXXX)
d=$work/lab ring=$work/ring rec=
cleanup() {
  [ -n "$rec" ] && { "$FLIGHTREC" stop "$ring" >/dev/null 2>&1 || kill "$rec" 2>/dev/null || true; }
  "$LAB" stop "$d" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$LAB" start "$d" >"$work/start.out" 2>&1 || { cat "$work/start.out"; echo "FAIL: lab start"; exit 1; }

# The recorder runs rpcspy; nfs-lab exec keeps the pid, so $! is flightrec.
"$LAB" exec "$d" "$FLIGHTREC" record -s 16M "$ring" -- "$RPCSPY" -i lo -l -v $RPCSPY_OPTS >"$work/pipe.err" 2>&1 &
rec=$!
records() { "$FLIGHTREC" dump -D "$ring" 2>/dev/null | grep -c '^[0-9]' || true; }
for ((i = 0; i < 100; i++)); do
  "$LAB" exec "$d" rpcinfo -T tcp 127.0.0.1 100003 3 >/dev/null 2>&1 || true
  [ "$(records)" -gt 0 ] && break
  kill -0 "$rec" 2>/dev/null || break
  sleep 0.1
done
[ "$(records)" -gt 0 ] || { cat "$work/pipe.err"; echo "FAIL: no record reached the ring within 10 s"; exit 1; }
sleep 0.2
skipn=$(records)
ok "pipeline running (flightrec pid $rec)"

"$LAB" capture "$d" nfstrace-known "$work/known.pcap" >"$work/wl.out" 2>&1 || { tail -5 "$work/wl.out"; fail "workload nfstrace-known"; }
sleep 0.5
"$FLIGHTREC" stop "$ring" >/dev/null 2>&1 || fail "flightrec stop"
rc=0
wait "$rec" || rc=$?
rec=
[ "$rc" = 0 ] && ok "recorder and rpcspy ended cleanly" || fail "flightrec record exit status $rc"

"$FLIGHTREC" dump -D "$ring" | grep '^[0-9]' | tail -n +"$((skipn + 1))" >"$work/records"
n=$(wc -l <"$work/records")
unpaired=$(awk '$2 == "-"' "$work/records" | wc -l)
[ "$unpaired" = 0 ] && ok "$n records, every call with its reply" || fail "$unpaired of $n records without a reply"
tcalls=$(grep -v '^#' "$work/known.tshark.txt" | awk '{s += $4} END {print s + 0}')
[ "$n" -ge "$tcalls" ] && ok "ring holds $n records, tshark finds $tcalls calls" ||
  fail "ring holds $n records, tshark finds $tcalls calls"

drops=$(grep -iE 'drop' "$work/pipe.err" || true)
if [ -z "$drops" ]; then fail "rpcspy -v printed no kernel drop counter ($(tr '\n' ' ' <"$work/pipe.err" | cut -c1-200))"
elif echo "$drops" | awk '$NF != 0 {bad = 1} END {exit !bad}'; then fail "kernel drops: $(echo "$drops" | tr '\n' ' ')"
else ok "zero drops ($(echo "$drops" | tr '\n' ' '))"; fi

# nfstrace on the recorded records against the truth.
{ "$FLIGHTREC" dump -D "$ring" | "$NFSTRACE" >"$work/opens"; } 2>"$work/nfstrace.err" || fail "nfstrace exit status"
grep -v '^#' "$work/opens" | awk '{
    path = "-"; vers = "?"
    for (i = 11; i <= NF; i++) { if ($i ~ /^path=/) path = substr($i, 6); if ($i ~ /^vers=/) vers = substr($i, 6) }
    print $3, $8, $9, $10, (vers == 4 ? "nfs4" : "nfs3"), path }' >"$work/got"
awk '$1 == "open" {print $3, $4, $5, $6, $7, $8}' "$TRUTH" >"$work/want"
have_v4=$(awk '$5 == "nfs4"' "$work/got" | wc -l)
if [ "$have_v4" = 0 ]; then
  awk '$5 == "nfs4" {print "note: NFSv4 open not checked (nfstrace reports no NFSv4 opens yet):", $0}' "$work/want"
  awk '$5 != "nfs4"' "$work/want" >"$work/want.tmp" && mv "$work/want.tmp" "$work/want"
fi
if diff -u "$work/want" "$work/got" >"$work/opens.diff"; then
  ok "nfstrace reports the $(wc -l <"$work/want") expected opens (direction, bytes, size, path)"
else
  fail "nfstrace opens differ from the truth (want, got):"; cat "$work/opens.diff"
fi

echo "$failures failure(s)"
[ "$failures" = 0 ]
