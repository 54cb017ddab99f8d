#!/usr/bin/env bash
# Live end-to-end test: rpcspy -i on the NFS lab's interface while a workload runs.
# In the same run tcpdump (scripts/nfs-lab capture) records the traffic, and tshark's
# counts of that capture are the reference: rpcspy must report, per program/version/
# procedure, as many calls and replies as tshark finds, every call of the workload as a
# pair (no call without a reply), and zero packets dropped by the kernel.
#
# Usage: tests/functional/lab/live_rpcspy.sh RPCSPY [WORKLOAD...] [-- NFS_LAB_START_OPTIONS]
#   default workloads: v3-all-tcp v3-udp; `--netns` after `--` runs over the veth pair.
# Exit status: 0 pass, 1 fail, 77 skipped (not root, lab packages, namespaces or tshark
# missing).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${NFS_LAB:-$here/../../../scripts/nfs-lab}
# Extra rpcspy options (word-split).  Default: a 64 MiB kernel buffer.  With libpcap's
# immediate mode each ring slot is as large as the snapshot length (256 KiB) on lo and
# `any`, so the default 2 MiB buffer holds only a few frames and bursts were dropped
# (seen: kernel_dropped 24 of ~200 frames on lo).  RPCSPY_OPTS= tests the defaults.
RPCSPY_OPTS=${RPCSPY_OPTS--B 65536}
RPCSPY=${1:?usage: live_rpcspy.sh RPCSPY [WORKLOAD...] [-- --netns]}
shift
workloads=() start_opts=()
while [ $# -gt 0 ]; do
  if [ "$1" = -- ]; then shift; start_opts=("$@"); break; fi
  workloads+=("$1")
  shift
done
[ ${#workloads[@]} -gt 0 ] || workloads=(v3-all-tcp v3-udp)

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
RPCSPY=$(cd "$(dirname "$RPCSPY")" && pwd)/$(basename "$RPCSPY")
[ -x "$RPCSPY" ] || { echo "FAIL: $RPCSPY is not executable"; exit 1; }

work=$(mktemp -d /tmp/nfs-lab-live.XXXXXX)
d=$work/lab
spy=
cleanup() {
  [ -n "$spy" ] && kill -INT "$spy" 2>/dev/null || true
  "$LAB" stop "$d" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$LAB" start "${start_opts[@]}" "$d" >"$work/start.out" 2>&1 || { cat "$work/start.out"; echo "FAIL: lab start"; exit 1; }
iface=$("$LAB" iface "$d")
srv=$([ "$iface" = lo ] && echo 127.0.0.1 || echo 10.99.0.1)

for wl in "${workloads[@]}"; do
  rec=$work/$wl.records stats=$work/$wl.stats pcap=$work/$wl.pcap
  # rpcspy in the lab's client namespace (nfs-lab exec keeps the pid: $! is rpcspy).
  "$LAB" exec "$d" "$RPCSPY" -i "$iface" -n -q -l -v $RPCSPY_OPTS >"$rec" 2>"$stats" &
  spy=$!
  # Ready when a NULL call of ours shows up as a record.
  for ((i = 0; i < 100; i++)); do
    "$LAB" exec "$d" rpcinfo -T tcp "$srv" 100003 3 >/dev/null 2>&1 || true
    grep -q '^[0-9]' "$rec" 2>/dev/null && break
    kill -0 "$spy" 2>/dev/null || break
    sleep 0.1
  done
  if ! grep -q '^[0-9]' "$rec"; then
    cat "$stats"; fail "$wl: rpcspy -i $iface printed no record within 10 s"; continue
  fi
  sleep 0.2
  skipn=$(grep -c '^[0-9]' "$rec")
  # The workload, under tcpdump, and tshark's counts of what tcpdump saw.
  if ! "$LAB" capture "$d" "$wl" "$pcap" >"$work/$wl.out" 2>&1; then
    tail -5 "$work/$wl.out"; fail "$wl: workload failed"
  fi
  sleep 0.5
  kill -INT "$spy"
  rc=0
  wait "$spy" || rc=$?
  spy=
  [ "$rc" = 0 ] && ok "$wl: rpcspy -i exited 0 on SIGINT" || fail "$wl: rpcspy -i exit status $rc"

  # Compare rpcspy's records (after the readiness NULLs) with tshark's counts.
  grep '^[0-9]' "$rec" | tail -n +"$((skipn + 1))" >"$work/$wl.mine"
  unanswered=$(awk '$2 == "-"' "$work/$wl.mine" | wc -l)
  [ "$unanswered" = 0 ] && ok "$wl: every call paired with its reply ($(wc -l <"$work/$wl.mine") records)" ||
    fail "$wl: $unanswered calls without a reply"
  awk '{k = $9 " " $10 " " $11; c[k]++; if ($2 != "-") r[k]++} END {for (k in c) print k, c[k], r[k] + 0}' \
    "$work/$wl.mine" | sort >"$work/$wl.spycounts"
  while read -r prog vers proc calls replies; do
    case "$prog" in \#*) continue ;; esac
    got=$(awk -v k="$prog $vers $proc" '$1 " " $2 " " $3 == k {print $4, $5}' "$work/$wl.spycounts")
    read -r gc gr <<<"${got:-0 0}"
    if [ "$gc" -lt "$calls" ] || [ "$gr" -lt "$replies" ]; then
      fail "$wl: $prog/$vers/$proc: rpcspy $gc calls $gr replies, tshark $calls calls $replies replies"
    fi
  done <"${pcap%.pcap}.tshark.txt"
  ok "$wl: per-procedure counts checked against tshark ($(grep -vc '^#' "${pcap%.pcap}.tshark.txt") rows)"

  # Kernel drops: rpcspy -v must report the pcap_stats drop counters, all zero.
  drops=$(grep -iE 'drop' "$stats" || true)
  if [ -z "$drops" ]; then
    fail "$wl: rpcspy -v printed no kernel drop counter (stderr: $(tr '\n' ' ' <"$stats" | cut -c1-300))"
  elif echo "$drops" | awk '$NF != 0 {bad = 1} END {exit !bad}'; then
    fail "$wl: kernel drops: $(echo "$drops" | tr '\n' ' ')"
  else
    ok "$wl: zero drops ($(echo "$drops" | tr '\n' ' '))"
  fi
done

echo "$failures failure(s)"
[ "$failures" = 0 ]
