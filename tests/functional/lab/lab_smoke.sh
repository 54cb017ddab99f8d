#!/usr/bin/env bash
# Smoke test of the NFS lab (scripts/nfs-lab): start/stop in both network modes, a
# workload whose every reply status is checked by the driver, a capture, and the
# failure paths (ganesha does not start, rpcbind missing, no namespaces, misuse), each
# of which must exit non-zero with a clear message and leave no process behind.
#
# Usage: tests/functional/lab/lab_smoke.sh [NFS_LAB]   (default: scripts/nfs-lab of this tree)
# Exit status: 0 pass, 1 fail, 77 skipped (not root, lab packages or namespaces missing).
# A later live end-to-end test can source the helpers below (lab_start, lab_stop_all).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB=${1:-$here/../../../scripts/nfs-lab}
LAB=$(cd "$(dirname "$LAB")" && pwd)/$(basename "$LAB")

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
failures=0

# ---- preconditions: skip, with a message, where the machine cannot run the lab
[ "$(id -u)" -eq 0 ] || skip "needs root (network and mount namespaces)"
for c in ganesha.nfsd rpcbind rpcinfo gcc tcpdump; do
  command -v "$c" >/dev/null 2>&1 || skip "$c not installed (scripts/install-deps lab test)"
done
[ -e /usr/include/nfsc/libnfs.h ] || skip "libnfs-dev not installed (scripts/install-deps lab)"
unshare --net --mount true 2>/dev/null || skip "this machine cannot create network/mount namespaces"

work=$(mktemp -d /tmp/nfs-lab-smoke.XXXXXX)
labs=()
# Stop every lab this test started, whatever happens.
lab_stop_all() {
  local d
  for d in "${labs[@]}"; do "$LAB" stop "$d" >/dev/null 2>&1 || true; done
}
trap 'lab_stop_all; rm -rf "$work"' EXIT

# No process recorded in DIR/pids may still be alive.
no_survivors() { # DIR WHAT
  local f pid rest
  for f in "$1"/pids/*.pid; do
    [ -e "$f" ] || continue
    read -r pid rest <"$f"
    if kill -0 "$pid" 2>/dev/null; then fail "$2: process $(basename "$f" .pid) ($pid) still running"; return; fi
  done
  ok "$2: no process left"
}

# Run CMD, which must fail with a message on stderr matching REGEX.
expect_fail() { # WHAT REGEX CMD...
  local what=$1 re=$2 rc=0
  shift 2
  "$@" >"$work/out" 2>"$work/err" || rc=$?
  if [ "$rc" = 0 ]; then fail "$what: exit status 0"; return; fi
  if grep -Eq "$re" "$work/err"; then ok "$what: exit $rc, '$(grep -E "$re" "$work/err" | head -1)'"
  else fail "$what: exit $rc but no message matching /$re/ (stderr: $(tr '\n' ' ' <"$work/err"))"; fi
}

# ---- loopback lab
d=$work/lo
labs+=("$d")
if "$LAB" start "$d" >"$work/start.out" 2>&1; then ok "start (loopback)"; else
  cat "$work/start.out"; fail "start (loopback)"; exit 1; fi
"$LAB" status "$d" >/dev/null && ok "status" || fail "status of a running lab"
expect_fail "second start in the same directory" "already running" "$LAB" start "$d"
if "$LAB" run "$d" v3-all-tcp >"$work/v3.out" 2>&1; then ok "workload v3-all-tcp (every status as expected)"
else tail -5 "$work/v3.out"; fail "workload v3-all-tcp"; fi
expect_fail "unknown workload" "unknown workload" "$LAB" run "$d" no-such-workload
if "$LAB" capture "$d" v3-all-tcp "$work/v3.pcap" >/dev/null 2>&1 && [ -s "$work/v3.pcap" ]; then
  ok "capture v3-all-tcp ($(stat -c %s "$work/v3.pcap") bytes)"
  if [ -f "$work/v3.tshark.txt" ]; then
    n=$(awk '$1 == 100003 && $2 == 3 && $4 > 0 && $4 == $5' "$work/v3.tshark.txt" | wc -l)
    [ "$n" = 22 ] && ok "tshark sees all 22 NFSv3 procedures, each answered" ||
      fail "tshark sees $n of 22 NFSv3 procedures"
  fi
else fail "capture v3-all-tcp"; fi
"$LAB" stop "$d" >/dev/null && ok "stop" || fail "stop"
no_survivors "$d" "stop (loopback)"
expect_fail "status of a stopped lab" "not running" "$LAB" status "$d"
expect_fail "run on a stopped lab" "not running" "$LAB" run "$d" v3-udp

# ---- two namespaces and a veth pair: NFSv3 over UDP makes IP fragments
d=$work/ns
labs+=("$d")
if "$LAB" start --netns "$d" >"$work/start.out" 2>&1; then
  ok "start --netns"
  if "$LAB" capture "$d" v3-udp "$work/udp.pcap" >/dev/null 2>&1; then
    n=$(tcpdump -r "$work/udp.pcap" -n 'ip[6:2] & 0x3fff != 0' 2>/dev/null | wc -l)
    [ "$n" -gt 0 ] && ok "v3-udp over the veth: $n IP fragments" || fail "v3-udp over the veth: no IP fragments"
  else fail "capture v3-udp (netns)"; fi
  "$LAB" stop "$d" >/dev/null || fail "stop (netns)"
  no_survivors "$d" "stop (netns)"
else
  cat "$work/start.out"; fail "start --netns"
fi

# ---- NLM, NSM (rpc.statd) and RQUOTA, where nfs-common is installed
if command -v rpc.statd >/dev/null 2>&1; then
  d=$work/nlm
  labs+=("$d")
  if "$LAB" start --nlm "$d" >"$work/start.out" 2>&1 && "$LAB" run "$d" nlm >"$work/nlm.out" 2>&1 &&
    grep -q 'NLM4 LOCK owner-1 0-100 exclusive *-> 0' "$work/nlm.out"; then
    ok "start --nlm, NLM lock granted (rpc.statd monitoring)"
  else
    cat "$work/start.out" "$work/nlm.out" 2>/dev/null
    tail -n 5 "$d/log/statd.out" "$d/log/ganesha.log" 2>/dev/null
    fail "start --nlm / workload nlm"
  fi
  "$LAB" stop "$d" >/dev/null || fail "stop (nlm)"
  no_survivors "$d" "stop (nlm)"
else
  echo "note: rpc.statd not installed (nfs-common): --nlm not tested"
fi

# ---- failures must be reported, and clean up after themselves
d=$work/fail
labs+=("$d")
expect_fail "ganesha does not start" "ganesha exited" env NFS_LAB_GANESHA=/bin/false "$LAB" start "$d"
no_survivors "$d" "failed start (ganesha)"
expect_fail "rpcbind missing" "rpcbind.*not found" env NFS_LAB_RPCBIND=/nonexistent/rpcbind "$LAB" start "$d"
expect_fail "rpcbind does not start" "rpcbind" env NFS_LAB_RPCBIND=/bin/false "$LAB" start "$d"
no_survivors "$d" "failed start (rpcbind)"
if command -v setpriv >/dev/null 2>&1; then
  expect_fail "no namespaces (CAP_SYS_ADMIN dropped)" "namespace" \
    setpriv --bounding-set -sys_admin --inh-caps -sys_admin "$LAB" start "$d"
  no_survivors "$d" "failed start (namespaces)"
fi
mkdir -p "$work/notalab" && touch "$work/notalab/precious"
expect_fail "start in a non-empty non-lab directory" "not a lab directory" "$LAB" start "$work/notalab"
[ -f "$work/notalab/precious" ] && ok "its files are untouched" || fail "start deleted files of a non-lab directory"
expect_fail "usage" "usage:" "$LAB" frobnicate
expect_fail "--proxy without --netns" "needs --netns" "$LAB" start --proxy "$d"

echo "$failures failure(s)"
[ "$failures" = 0 ]
