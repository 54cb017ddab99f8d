#!/usr/bin/env bash
# rpcspy -i --workers 2 against rpcspy -i with one worker, on the same replayed
# traffic, sent with tcpreplay into a veth pair in a private network namespace:
# lab captures of NFSv3 over UDP with IPv4 fragments and of NFSv4.1, replayed 8
# times with --unique-ip (new addresses each loop: many connections for the
# fanout hash to spread), then NFSv3 over TCP/IPv6 once (--unique-ip does not
# keep IPv6 replies matching their calls, nor IPv4 ones of loopback captures
# with 127.0.0.1 at both ends: those are not used). Both runs must report zero
# kernel drops and every frame; with 2 workers both must have taken frames,
# every call must be paired with its reply (the fanout hash keeps both
# directions of a connection on one worker), and the multiset of records, times
# aside (fields 1 and 2), must be the one worker's. Then both again with -l:
# the same records, all written while the capture still runs.
#
# Usage: tests/functional/rpcspy/live_workers.sh RPCSPY LAB_CAPTURES_DIR
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no namespaces, no tcpreplay).
set -euo pipefail
RPCSPY=${1:?usage: live_workers.sh RPCSPY LAB_CAPTURES_DIR}
LAB=${2:?usage: live_workers.sh RPCSPY LAB_CAPTURES_DIR}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespace, live capture)"
command -v tcpreplay >/dev/null || skip "tcpreplay not installed (scripts/install-deps test)"
unshare --net true 2>/dev/null || skip "this machine cannot create network namespaces"
if [ -z "${LIVE_WORKERS_NETNS:-}" ]; then
  LIVE_WORKERS_NETNS=1 exec unshare --net -- "$0" "$@"
fi

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

ip link add lw0 mtu 65535 type veth peer name lw1 mtu 65535
sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
ip link set lw0 up
ip link set lw1 up
looped=("$LAB/v3-udp-frag.pcap" "$LAB/v41.pcap")
once=("$LAB/ipv6/v3-all-tcp6.pcap")
work=$(mktemp -d /tmp/rpcspy-live-workers.XXXXXX)
spy=
trap '[ -n "$spy" ] && kill -INT "$spy" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT

# run NAME [RPCSPY OPTIONS]: rpcspy -i lw1 while tcpreplay sends the captures.
run() {
  local name=$1
  shift
  "$RPCSPY" -i lw1 -v "$@" >"$work/$name.out" 2>"$work/$name.err" &
  spy=$!
  # -v says which ring it uses once every capture is open (and in its group).
  for ((i = 0; i < 100; i++)); do
    grep -qs 'TPACKET' "$work/$name.err" && break
    kill -0 "$spy" 2>/dev/null || break
    sleep 0.05
  done
  grep -q 'TPACKET' "$work/$name.err" || { cat "$work/$name.err"; fail "$name: rpcspy -i did not start"; return; }
  { tcpreplay -i lw0 --pps=20000 --loop=8 --unique-ip --preload-pcap --no-flow-stats "${looped[@]}" &&
    tcpreplay -i lw0 --pps=20000 --no-flow-stats "${once[@]}"; } >"$work/$name.replay" 2>&1 ||
    { cat "$work/$name.replay"; fail "$name: tcpreplay failed"; }
  # SIGINT ends the capture at once: first let rpcspy take every frame out of
  # its ring (blocks are handed over within 100 ms; idle = no CPU time for 0.3 s).
  local last=-1 idle=0
  for ((i = 0; i < 100 && idle < 6; i++)); do
    sleep 0.05
    local now
    now=$(awk '{print $14 + $15}' "/proc/$spy/stat")
    if [ "$now" = "$last" ]; then idle=$((idle + 1)); else idle=0 last=$now; fi
  done
  # What was written while the capture still ran (with -l: everything, the
  # traffic having paused).
  grep -vc '^#' "$work/$name.out" >"$work/$name.before-stop" || true
  kill -INT "$spy"
  local rc=0
  wait "$spy" || rc=$?
  spy=
  [ "$rc" = 0 ] || fail "$name: rpcspy exit status $rc: $(cat "$work/$name.err")"
  local sent drops frames
  sent=$(awk '/Actual:/ {n += $2} END {print n}' "$work/$name.replay")
  drops=$(awk '$1 == "kernel_dropped" {print $2}' "$work/$name.err")
  local received
  received=$(awk '$1 == "kernel_received" {print $2}' "$work/$name.err")
  frames=$(awk '$1 == "packets" {print $2}' "$work/$name.err")
  # With workers the kernel reassembles IPv4 fragments before the fanout: the
  # 36 fragments of v3-udp-frag.pcap come as 4 datagrams, 32 frames fewer a loop.
  local want=$sent
  case $name in two*) want=$((sent - 8 * 32)) ;; esac
  [ "$drops" = 0 ] && [ "$frames" = "$want" ] && ok "$name: $frames frames ($sent sent), 0 kernel drops" ||
    { fail "$name: rpcspy saw ${frames:-?} frames, ${want:-?} expected ($sent sent), kernel_received ${received:-?}, kernel_dropped ${drops:-?}"
      sed 's/^/  rpcspy -v: /' "$work/$name.err"; }
  grep -v '^#' "$work/$name.out" | cut -d' ' -f3- | sort >"$work/$name.records"
}

run one
run two --workers 2
w1=$(awk '$1 == "worker1_packets" {print $2}' "$work/two.err")
w2=$(awk '$1 == "worker2_packets" {print $2}' "$work/two.err")
[ "${w1:-0}" -gt 0 ] && [ "${w2:-0}" -gt 0 ] && ok "--workers 2: the connections were spread ($w1 and $w2 frames)" ||
  fail "--workers 2: worker frames ${w1:-?} and ${w2:-?}: the fanout did not spread the connections"
# As many records as rpcspy -r finds in the captures, loops counted.
records() { "$RPCSPY" -r "$1" | grep -vc '^#'; }
want=0
for c in "${looped[@]}"; do want=$((want + 8 * $(records "$c"))); done
for c in "${once[@]}"; do want=$((want + $(records "$c"))); done
n=$(wc -l <"$work/one.records")
[ "$n" = "$want" ] && ok "one worker: $n records, as many as rpcspy -r finds" ||
  fail "one worker: $n records, rpcspy -r finds $want"
for name in one two; do
  unpaired=$(awk '$1 == "calls_without_reply" {print $2}' "$work/$name.err")
  [ "$unpaired" = 0 ] && ok "$name: every call paired with its reply" || fail "$name: ${unpaired:-?} calls without a reply"
done
if cmp -s "$work/one.records" "$work/two.records"; then
  ok "--workers 2: the same $n records as one worker (times aside)"
else
  fail "--workers 2: records differ from one worker's ($n vs $(wc -l <"$work/two.records")):"
  diff "$work/one.records" "$work/two.records" | head -10
fi
# -l: records go out within about a millisecond of capture time, or when the
# traffic pauses (not record by record, nor only at the end); with one worker
# and with two, the same records, all written before rpcspy was stopped.
run one_l -l
run two_l --workers 2 -l
for name in one_l two_l; do
  if cmp -s "$work/one.records" "$work/$name.records"; then
    ok "$name: the same $n records as without -l (times aside)"
  else
    fail "$name: records differ from those without -l ($n vs $(wc -l <"$work/$name.records"))"
  fi
  before=$(cat "$work/$name.before-stop")
  [ "$before" = "$n" ] && ok "$name: all $n records written while the capture still ran" ||
    fail "$name: $before of $n records written before rpcspy was stopped"
done
# -l when the traffic stops right after a reply: that reply's record must come
# out at once (when the capture goes quiet), not wait for more frames or the
# end. The capture is v41.pcap cut after the last reply frame.
if command -v tcpdump >/dev/null; then
  cap=$LAB/v41.pcap
  # Records of calls that had their reply (unanswered calls come out only at
  # the end, as timeouts).
  replied() { awk '!/^#/ && $2 != "-"' "$@" | wc -l; }
  records_of() { tcpdump -r "$cap" -w "$work/cut.pcap" -c "$1" 2>/dev/null; "$RPCSPY" -r "$work/cut.pcap" | replied; }
  k=$(tcpdump -r "$cap" 2>/dev/null | wc -l)
  r=$(records_of "$k")
  while [ "$k" -gt 1 ] && [ "$(records_of $((k - 1)))" = "$r" ]; do k=$((k - 1)); done
  tcpdump -r "$cap" -w "$work/cut.pcap" -c "$k" 2>/dev/null
  for opts in "-l" "-l --workers 2"; do
    # shellcheck disable=SC2086
    "$RPCSPY" -i lw1 -v $opts >"$work/tail.out" 2>"$work/tail.err" &
    spy=$!
    for ((i = 0; i < 100; i++)); do grep -qs 'TPACKET' "$work/tail.err" && break; sleep 0.05; done
    tcpreplay -i lw0 --pps=20000 --no-flow-stats "$work/cut.pcap" >/dev/null 2>&1 || fail "tail: tcpreplay failed"
    for ((i = 0; i < 40; i++)); do [ "$(replied "$work/tail.out")" -ge "$r" ] && break; sleep 0.05; done
    got=$(replied "$work/tail.out")
    kill -INT "$spy"; wait "$spy" || true; spy=
    [ "$got" = "$r" ] && ok "rpcspy -i $opts: all $r answered calls' records out, the last one's reply being the last frame, before the end" ||
      fail "rpcspy -i $opts: $got of $r answered calls' records out 2 s after the traffic stopped"
  done
else
  echo "SKIP (part): tcpdump not installed: the -l check on traffic that stops after a reply"
fi

# Lines never mix: every record line of the two-worker run starts with a time.
bad=$(grep -v '^#' "$work/two.out" | grep -cvE '^[0-9]+\.[0-9]{6} ' || true)
[ "$bad" = 0 ] && ok "--workers 2: every line is a whole record" || fail "--workers 2: $bad malformed lines"

echo "$failures failure(s)"
[ "$failures" = 0 ]
