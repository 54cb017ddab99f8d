#!/usr/bin/env bash
# End-to-end test of scripts/nfstrace-collect against capture hosts that are network
# namespaces on this machine, each with its own sshd reached over a bridge:
#
#   namespace ctl (10.77.0.1, bridge br0): the central machine, and a UDP RPC server
#   namespace h1, h2 (10.77.0.11, .12, eth0): capture hosts, sshd on port 22
#   namespace h3 (10.77.0.13): a host whose /var/opt is a 1 MiB tmpfs (full disk)
#   10.77.0.99: nobody (an unreachable host)
#
# Each host runs in a mount namespace of its own, made afresh at every "boot": a tmpfs
# on /run, and its own /opt, /var/opt, /var/spool/cron and /root (bind mounts of
# folders in the test's temporary directory), so the toolkit's default paths and
# root's crontab are the host's own, and root's shell start-up files are empty.  Traffic: RPC NULL calls over UDP (rpcping.py) from each host to
# ctl, with known xids, so each phase's records can be told apart.
#
# Checks: install (and --check), launch on all four hosts (h1 h2 ok, h3 "disk full",
# the unreachable host "cannot reach", exit 1), the @reboot entry, stop/start/mark
# (records sent while stopped are not kept), status, report (records, markers, stats,
# compressed), a simulated reboot of h1 (every process of the namespace killed, sshd
# and the crontab's @reboot command run again: the ring keeps what was recorded
# before, report shows the restart), a dead pipeline on h2 reported by status, and
# teardown --purge (hook and ring removed, nothing left running).
#
# Usage: tests/functional/collect/multihost.sh RPCSPY FLIGHTREC NFSTRACE
# Exit status: 0 pass, 1 fail, 77 skipped (not root, no namespaces, no sshd/crontab).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
COLLECT=$here/../../../scripts/nfstrace-collect
RPCPING=$here/rpcping.py
[ $# -eq 3 ] || { echo "usage: multihost.sh RPCSPY FLIGHTREC NFSTRACE" >&2; exit 2; }

skip() { echo "SKIP: $*"; exit 77; }
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (network and mount namespaces)"
for c in ip unshare sshd ssh ssh-keygen crontab python3 zstd; do
  command -v "$c" >/dev/null 2>&1 || skip "$c not installed (scripts/install-deps lab: openssh-server, cron)"
done
unshare --net --mount true 2>/dev/null || skip "this machine cannot create network/mount namespaces"
abs() { echo "$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; }

W=$(mktemp -d /tmp/nfstrace-collect-test.XXXXXX)
chmod 755 "$W"
tag=nc$$
NS_CTL=$tag-ctl
HOSTS=(h1 h2 h3)
declare -A ADDR=([h1]=10.77.0.11 [h2]=10.77.0.12 [h3]=10.77.0.13)
ns() { echo "$tag-$1"; }

cleanup() {
  local h p
  for h in "${HOSTS[@]}" ctl; do
    if ip netns list | grep -qw "$(ns "$h")"; then
      for p in $(ip netns pids "$(ns "$h")" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
      ip netns del "$(ns "$h")" 2>/dev/null || true
    fi
  done
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

mkdir -p "$W/bin"
for b in "$@"; do
  [ -x "$b" ] || { echo "FAIL: $b is not executable"; exit 1; }
  ln -s "$(abs "$b")" "$W/bin/$(basename "$b")"
done
FR=$W/bin/flightrec
# A snapshot of the scripts and man pages: install sends these, and compares versions by
# their checksums (others may edit the tree while the test runs).
mkdir -p "$W/tree/scripts" "$W/tree/man"
cp "$COLLECT" "$here/../../../scripts/nfstrace-cron" "$W/tree/scripts/"
cp "$here"/../../../man/*.[158] "$W/tree/man/"
COLLECT=$W/tree/scripts/nfstrace-collect

# ---------------------------------------------------------------- the lab network
ip netns add "$NS_CTL"
ip -n "$NS_CTL" link set lo up
ip -n "$NS_CTL" link add br0 type bridge
ip -n "$NS_CTL" addr add 10.77.0.1/24 dev br0
ip -n "$NS_CTL" link set br0 up
for h in "${HOSTS[@]}"; do
  ip netns add "$(ns "$h")"
  ip -n "$NS_CTL" link add "$h" type veth peer name eth0 netns "$(ns "$h")"
  ip -n "$NS_CTL" link set "$h" master br0 up
  ip -n "$(ns "$h")" addr add "${ADDR[$h]}/24" dev eth0
  ip -n "$(ns "$h")" link set eth0 up
  ip -n "$(ns "$h")" link set lo up
  mkdir -p "$W/$h/opt" "$W/$h/varopt" "$W/$h/cron/crontabs" "$W/$h/root"
  chgrp crontab "$W/$h/cron/crontabs" 2>/dev/null || true
  chmod 1730 "$W/$h/cron/crontabs"
done

# ---------------------------------------------------------------- ssh
ssh-keygen -q -t ed25519 -N '' -f "$W/id" -C nfstrace-collect-test
ssh-keygen -q -t ed25519 -N '' -f "$W/hostkey"
cp "$W/id.pub" "$W/authorized_keys"
cat >"$W/sshd_config" <<EOF
HostKey $W/hostkey
AuthorizedKeysFile $W/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PidFile none
EOF
cat >"$W/ssh_config" <<EOF
Host *
  User root
  IdentityFile $W/id
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
EOF

# Run a command as host H sees the machine: its network namespace, and a fresh mount
# namespace with its /run, /opt, /var/opt and /var/spool/cron.
host_sh() { # H CMD...
  local h=$1; shift
  local varopt="mount --bind $W/$h/varopt /var/opt"
  [ "$h" = h3 ] && varopt="mount -t tmpfs -o size=1m tmpfs /var/opt"
  ip netns exec "$(ns "$h")" unshare --mount --propagation private bash -c "
    set -e; mount -t tmpfs tmpfs /run; mkdir -p /run/sshd
    mount --bind $W/$h/opt /opt; $varopt; mount --bind $W/$h/cron /var/spool/cron
    mount --bind $W/$h/root /root
    exec \"\$@\"" host "$@"
}
# "Boot" host H: start its sshd (it daemonizes; its sessions inherit the mounts).
boot_sshd() {
  host_sh "$1" /usr/sbin/sshd -f "$W/sshd_config" -o ListenAddress="${ADDR[$1]}" -E "$W/$1/sshd.log" ||
    { cat "$W/$1/sshd.log"; echo "FAIL: sshd on $1 did not start"; exit 1; }
}
for h in "${HOSTS[@]}"; do boot_sshd "$h"; done

# The RPC server every host sends calls to.
ip netns exec "$NS_CTL" python3 "$RPCPING" serve 10.77.0.1 40111 >"$W/rpcserver.out" 2>&1 &
disown
rpcping() { # H FIRST-XID N
  ip netns exec "$(ns "$1")" python3 "$RPCPING" call 10.77.0.1 40111 "$2" "$3" || fail "rpc calls from $1"
}
# Wait until host H's ring holds a record of xid X (rpcspy prints xids in hex).
wait_xid() { # H XID
  local i
  for ((i = 0; i < 150; i++)); do
    host_sh "$1" "$FR" dump -D /var/opt/rpcspy-toolkit/nfs.ring 2>/dev/null | awk -v x="$2" '$6 == x {f = 1} END {exit !f}' && return 0
    sleep 0.1
  done
  fail "$1: xid $2 did not reach the ring within 15 s"
  return 1
}

collect() { ip netns exec "$NS_CTL" "$COLLECT" -F "$W/ssh_config" -t 5 "$@"; }
cat >"$W/hosts" <<EOF
# test hosts: the capture interface is eth0; only the test's RPC port
root@10.77.0.11 NAME=h1 IFACE=eth0 SIZE=4M FILTER="udp port 40111"
10.77.0.12:22   NAME=h2 IFACE=eth0 SIZE=4M FILTER='udp port 40111'
EOF
{ cat "$W/hosts"
  echo "10.77.0.13 NAME=h3 IFACE=eth0 SIZE=4M FILTER=\"udp port 40111\"   # /var/opt is 1 MiB"
  echo "10.77.0.99 NAME=h4 IFACE=eth0 SIZE=4M                            # nobody there"
} >"$W/hosts.all"

# Expect: command exit status, and output lines (extended regexps) present.
expect() { # WHAT RC OUTFILE REGEX...
  local what=$1 want=$2 out=$3 rc; shift 3
  rc=$(cat "$out.rc")
  [ "$rc" = "$want" ] || { fail "$what: exit status $rc, expected $want"; sed 's/^/    /' "$out"; return; }
  local r bad=0
  for r in "$@"; do grep -qE -- "$r" "$out" || { fail "$what: no line matching '$r'"; bad=1; }; done
  [ $bad = 1 ] && sed 's/^/    /' "$out"
  [ $bad = 0 ] && ok "$what"
  return 0
}
run() { # OUTFILE ARGS...   run collect, keep output and exit status
  local out=$1; shift
  local rc=0
  collect "$@" >"$out" 2>&1 || rc=$?
  echo "$rc" >"$out.rc"
}

# ---------------------------------------------------------------- install
run "$W/o.install" -f "$W/hosts" install --from "$W/bin"
expect "install" 0 "$W/o.install" '^h1: installed' '^h2: installed' 'all 2 hosts ok'
[ -x "$W/h1/opt/rpcspy-toolkit/bin/rpcspy" ] && [ -e "$W/h1/opt/rpcspy-toolkit/share/man/man1/nfstrace-collect.1" ] ||
  fail "install: h1 has no /opt/rpcspy-toolkit/bin/rpcspy or man page"
run "$W/o.check" -f "$W/hosts" install --check --from "$W/bin"
expect "install --check" 0 "$W/o.check" '^h1: toolkit ok' '^h2: same version'
# h3 gets the toolkit too (its /opt is fine; its /var/opt is full)
run "$W/o.install3" -f "$W/hosts.all" -H h3 install --from "$W/bin"
expect "install on h3" 0 "$W/o.install3" '^h3: installed'

# ---------------------------------------------------------------- launch
# A boot hook that cannot be installed: nothing is started.
sed 's/^10.77.0.12:22 .*/& BOOT=systemd/' "$W/hosts" >"$W/hosts.systemd"
run "$W/o.systemd" -f "$W/hosts.systemd" -H h2 launch
expect "launch with BOOT=systemd where systemd is not running" 1 "$W/o.systemd" \
  '^h2: BOOT=systemd but systemd is not running here'
[ -e "$W/h2/varopt/rpcspy-toolkit/nfs.ring" ] && fail "h2: a ring was created all the same" || true
run "$W/o.launch" -f "$W/hosts.all" launch
expect "launch: h1 h2 start, h3 disk full, h4 unreachable, the others go on" 1 "$W/o.launch" \
  '^h1: pipeline started' '^h2: pipeline started' '^h1: boot hook: cron' \
  '^h3: disk full: /var/opt/rpcspy-toolkit has [0-9]+ KiB free, the ring needs 4096 KiB' \
  '^h4: cannot reach 10.77.0.99' 'launch: 2 of 4 hosts ok; FAILED: h3 h4'
host_sh h1 crontab -l >"$W/h1.crontab" 2>&1 || true
grep -q '^@reboot /opt/rpcspy-toolkit/bin/nfstrace-collect host boot' "$W/h1.crontab" &&
  ok "h1's crontab has the @reboot entry" || { fail "no @reboot entry in h1's crontab:"; cat "$W/h1.crontab"; }
# A new version while the pipeline runs: rpcspy, in use, is replaced by rename.
mkdir -p "$W/bin2"; cp "$W/bin/rpcspy" "$W/bin2/rpcspy"; echo >>"$W/bin2/rpcspy"
ln -s "$(readlink "$W/bin/flightrec")" "$W/bin2/flightrec"; ln -s "$(readlink "$W/bin/nfstrace")" "$W/bin2/nfstrace"
run "$W/o.check2" -f "$W/hosts" -H h1 install --check --from "$W/bin2"
expect "install --check of another version" 1 "$W/o.check2" '^h1: toolkit in /opt/rpcspy-toolkit differs from this one \(1 files differ\): run install'
run "$W/o.install2" -f "$W/hosts" -H h1 install --from "$W/bin2"
expect "install over a running pipeline" 0 "$W/o.install2" '^h1: installed'
cmp -s "$W/bin2/rpcspy" "$W/h1/opt/rpcspy-toolkit/bin/rpcspy" || fail "h1's rpcspy is not the new one"
run "$W/o.launch2" -f "$W/hosts" -H h2 launch
expect "launch again: left running" 0 "$W/o.launch2" '^h2: pipeline already running'

# ---------------------------------------------------------------- a test run
# before: recorded; while stopped: not kept; test A: recorded between markers.
rpcping h1 a0000000 5; rpcping h2 a0000000 5
wait_xid h1 a0000004; wait_xid h2 a0000004
run "$W/o.stop" -f "$W/hosts" stop "warm-up done"
expect "stop" 0 "$W/o.stop" '^h1: recording paused \(warm-up done\)'
rpcping h1 b0000000 5; rpcping h2 b0000000 5
run "$W/o.start" -f "$W/hosts" start "test A begins"
expect "start" 0 "$W/o.start" '^h2: recording \(test A begins\)'
rpcping h1 c0000000 20; rpcping h2 c0000000 20
wait_xid h1 c0000013; wait_xid h2 c0000013
run "$W/o.mark" -f "$W/hosts" -j 1 mark "test A checkpoint"   # one host after the other
expect "mark" 0 "$W/o.mark" '^h1: marked: test A checkpoint'
run "$W/o.status" -f "$W/hosts" status
expect "status" 0 "$W/o.status" '^h1: pipeline: running \(recorder pid [0-9]+, rpcspy pid [0-9]+\), recording' \
  '^h2: ring: /var/opt/rpcspy-toolkit/nfs.ring: [0-9]+ records' '^h1: boot hook: cron$' '^h2: kernel drops: '

# ---------------------------------------------------------------- report
run "$W/o.report" -f "$W/hosts" report -o "$W/results"
expect "report" 0 "$W/o.report" '^h1: [0-9]+ records -> .*/results/h1/h1-[0-9TZ]+\.trace\.zst'
check_trace() { # H WHAT: records of phase a and c present, b absent
  local h=$1 f
  f=$(ls -t "$W/results/$h/"*.trace.zst 2>/dev/null | head -1)
  [ -n "$f" ] || { fail "$h: no trace in results/$h/"; return; }
  zstd -dc "$f" | awk '!/^#/ {print substr($6, 1, 1)}' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ' >"$W/$h.phases"
  echo "$h: records per phase: $(cat "$W/$h.phases")"
  grep -q 'a=5 ' "$W/$h.phases" && grep -q 'c=20 ' "$W/$h.phases" && ! grep -q 'b=' "$W/$h.phases" &&
    ok "$h: $2: the 5 warm-up and 20 test records, none sent while stopped" ||
    fail "$h: $2: records per phase $(cat "$W/$h.phases"), expected a=5 c=20 and no b"
  zstd -dc "$f" | "$W/bin/nfstrace" >/dev/null 2>"$W/$h.nfstrace.err" && ! grep -q 'bad' "$W/$h.nfstrace.err" ||
    fail "$h: nfstrace does not take the reported trace: $(head -3 "$W/$h.nfstrace.err")"
  grep -q 'mark test A checkpoint' "${f%.trace.zst}.markers.txt" && grep -q 'pause ' "${f%.trace.zst}.markers.txt" ||
    fail "$h: markers file lacks the mark or the pause"
  grep -q '^records held:' "${f%.trace.zst}.stat.txt" || fail "$h: stat file lacks flightrec stat"
}
check_trace h1 report
check_trace h2 report

# ---------------------------------------------------------------- reboot of h1
# Stopped (paused) before the reboot: it comes back paused.
run "$W/o.stopA" -f "$W/hosts" -H h1 stop "test A ends"
expect "stop before the reboot" 0 "$W/o.stopA" '^h1: recording paused \(test A ends\)'
for p in $(ip netns pids "$(ns h1)"); do kill -9 "$p" 2>/dev/null || true; done
for ((i = 0; i < 100; i++)); do [ -z "$(ip netns pids "$(ns h1)")" ] && break; sleep 0.05; done
[ -z "$(ip netns pids "$(ns h1)")" ] && ok "h1 'powered off': every process of its namespace killed" || fail "processes left in h1"
run "$W/o.down" -f "$W/hosts" status
expect "status while h1 is down" 1 "$W/o.down" '^h1: cannot reach root@10.77.0.11' '^h2: pipeline: running' 'FAILED: h1$'
# Boot: sshd comes up, then cron runs the @reboot entries of root's crontab.
boot_sshd h1
host_sh h1 crontab -l | sed -n 's/^@reboot //p' >"$W/h1.boot"
[ -s "$W/h1.boot" ] || fail "h1: no @reboot entry to run at boot"
host_sh h1 sh -c "$(cat "$W/h1.boot")" || fail "h1: boot hook failed: $(cat "$W/h1/varopt/rpcspy-toolkit/boot.log")"
run "$W/o.boot" -f "$W/hosts" -H h1 status
expect "status after the boot hook: running again, paused as before" 0 "$W/o.boot" '^h1: pipeline: running .*, PAUSED'
run "$W/o.startB" -f "$W/hosts" -H h1 start "test B begins"
expect "start after the reboot" 0 "$W/o.startB" '^h1: recording \(test B begins\)'
rpcping h1 d0000000 7
wait_xid h1 d0000006
run "$W/o.report2" -f "$W/hosts" -H h1 report -o "$W/results2"
expect "report after the reboot" 0 "$W/o.report2" '^h1: .*restart previous recorder \(pid [0-9]+\) died' \
  '^h1: .*mark nfstrace-collect: restarted at boot on h1'
f=$(ls "$W/results2/h1/"*.trace.zst | head -1)
zstd -dc "$f" | awk '!/^#/ {print substr($6, 1, 1)}' | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ' >"$W/h1.phases2"
grep -q 'a=5 ' "$W/h1.phases2" && grep -q 'c=20 ' "$W/h1.phases2" && grep -q 'd=7 ' "$W/h1.phases2" &&
  ok "h1: the ring kept the records from before the reboot, and records after it ($(cat "$W/h1.phases2"))" ||
  fail "h1: records per phase after the reboot: $(cat "$W/h1.phases2"), expected a=5 c=20 d=7"

# nfstrace-cron as installed on h1 (it finds flightrec beside it): the records so far.
if host_sh h1 /opt/rpcspy-toolkit/bin/nfstrace-cron --lag 0 -n h1 >"$W/h1.cron" 2>&1; then
  f=$(ls "$W/h1/varopt/rpcspy-toolkit/traces/"h1-*.trace.zst 2>/dev/null | head -1)
  [ -n "$f" ] && [ "$(zstd -dc "$f" | grep -c ' d00000')" = 7 ] && ok "installed nfstrace-cron on h1: $(cat "$W/h1.cron")" ||
    fail "installed nfstrace-cron on h1: $(cat "$W/h1.cron")"
else
  fail "installed nfstrace-cron on h1: $(cat "$W/h1.cron")"
fi

# ---------------------------------------------------------------- a dead pipeline on h2
for p in $(ip netns pids "$(ns h2)"); do
  [ "$(cat /proc/"$p"/comm 2>/dev/null)" = rpcspy ] && kill -9 "$p"
done
for ((i = 0; i < 100; i++)); do
  host_sh h2 "$FR" stat /var/opt/rpcspy-toolkit/nfs.ring | grep -q '^recorder: *none' && break
  sleep 0.05
done
run "$W/o.dead" -f "$W/hosts" status
expect "status with h2's rpcspy killed" 1 "$W/o.dead" '^h1: pipeline: running' \
  '^h2: pipeline: NOT RUNNING: .*rpcspy ended by signal SIGKILL' 'FAILED: h2$'
run "$W/o.markdead" -f "$W/hosts" mark "after h2 died"
expect "mark with h2 dead" 1 "$W/o.markdead" '^h1: marked' '^h2: pipeline not running: .*run launch to restart it'

# ---------------------------------------------------------------- teardown
run "$W/o.teardown" -f "$W/hosts.all" -H h1 -H h2 -H h3 teardown --purge
expect "teardown --purge" 0 "$W/o.teardown" '^h1: pipeline stopped' '^h1: removed the @reboot crontab entry' \
  '^h2: pipeline was not running' '^h1: ring and state removed' '^h3: (not launched here|pipeline was not running)'
host_sh h1 crontab -l 2>/dev/null | grep -q nfstrace-collect && fail "h1's crontab still has the entry" || true
[ -e "$W/h1/varopt/rpcspy-toolkit/nfs.ring" ] && fail "h1's ring still there" || true
left=""
for h in h1 h2 h3; do
  for p in $(ip netns pids "$(ns "$h")"); do
    case "$(cat /proc/"$p"/comm 2>/dev/null)" in sshd) ;; *) left+=" $h:$(cat /proc/"$p"/comm 2>/dev/null)" ;; esac
  done
done
[ -z "$left" ] && ok "nothing but sshd left running on the hosts" || fail "left running:$left"

echo "$failures failure(s)"
[ "$failures" = 0 ]
