#!/usr/bin/env bash
# Test of scripts/nfstrace-cron on a live ring: a flightrec recorder reads lines the
# test writes into a FIFO; nfstrace-cron runs between batches.
#   - incremental dumps: each run's file holds exactly the lines written since the
#     previous run; all files together hold every line once, in order
#   - a run with nothing new writes no file; the state file advances
#   - markers are left out by default and kept with -H
#   - gzip as well as zstd
#   - retention: this host's files older than --keep days (time in the name) are
#     deleted, newer ones and other hosts' files are kept
#   - errors: no ring, a bad state file (state not touched)
# No root or namespaces needed.  --lag 0 because the test writes nothing while a run
# goes on (the default lag is for a recorder that is writing).
#
# Usage: tests/functional/collect/cron.sh FLIGHTREC
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CRON=$here/../../../scripts/nfstrace-cron
[ $# -eq 1 ] || { echo "usage: cron.sh FLIGHTREC" >&2; exit 2; }
FR=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
command -v zstd >/dev/null || { echo "SKIP: zstd not installed"; exit 77; }

W=$(mktemp -d /tmp/nfstrace-cron-test.XXXXXX)
rec=""
cleanup() {
  exec 3>&- 2>/dev/null || true
  [ -n "$rec" ] && { "$FR" stop "$W/ring" >/dev/null 2>&1 || kill "$rec" 2>/dev/null || true; wait "$rec" 2>/dev/null || true; }
  rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP PIPE

mkfifo "$W/fifo"
"$FR" record -s 1M "$W/ring" <"$W/fifo" 2>"$W/rec.err" &
rec=$!
exec 3>"$W/fifo"

# Write lines FROM..TO and wait until the last one is in the ring.
write() { # FROM TO
  seq -f 'line %g' "$1" "$2" >&3
  local i
  for ((i = 0; i < 200; i++)); do
    "$FR" dump -D -n 1 "$W/ring" 2>/dev/null | grep -qx "line $2" && return 0
    sleep 0.05
  done
  fail "line $2 did not reach the ring"
}
cronrun() { "$CRON" --flightrec "$FR" --lag 0 -o "$W/out" -n hostA "$@" "$W/ring"; }
files() { (cd "$W/out" && for f in hostA-*.trace.zst hostA-*.trace.gz; do if [ -e "$f" ]; then echo "$f"; fi; done | sort); }

write 1 10
cronrun >"$W/run1.out" || fail "first run: $(cat "$W/run1.out")"
f1=$(files | tail -1)
[ "$(files | wc -l)" = 1 ] && [ "$(zstd -dc "$W/out/$f1" | tr '\n' ' ')" = "$(seq -f 'line %g' 1 10 | tr '\n' ' ')" ] &&
  ok "first run: lines 1-10 in $f1" || fail "first run: $(files | tr '\n' ' '): $(zstd -dc "$W/out/$f1" | head -3 | tr '\n' ' ')"
[[ $f1 =~ ^hostA-[0-9]{8}T[0-9]{6}\.[0-9]{3}Z\.trace\.zst$ ]] && ok "named by host and time" || fail "file name $f1"

"$FR" mark "$W/ring" "test B begins" >/dev/null
write 11 25
cronrun >"$W/run2.out" || fail "second run: $(cat "$W/run2.out")"
f2=$(files | tail -1)
[ "$f2" != "$f1" ] && [ "$(zstd -dc "$W/out/$f2" | tr '\n' ' ')" = "$(seq -f 'line %g' 11 25 | tr '\n' ' ')" ] &&
  ok "second run: exactly lines 11-25, no marker" || fail "second run $f2: $(zstd -dc "$W/out/$f2" | tr '\n' ' ' | cut -c1-200)"

cronrun >"$W/run3.out" || fail "third run failed"
[ "$(files | wc -l)" = 2 ] && grep -q 'no new records' "$W/run3.out" && ok "nothing new: no file" ||
  fail "nothing new: $(files | wc -l) files; $(cat "$W/run3.out")"

"$FR" mark "$W/ring" "test C begins" >/dev/null
write 26 30
cronrun -z gzip -H >"$W/run4.out" || fail "gzip run failed"
f4=$(files | grep '\.gz$' | tail -1)
if [ -n "$f4" ]; then
  gzip -dc "$W/out/$f4" >"$W/f4"
  grep -q ' mark test C begins$' "$W/f4" && [ "$(awk '$3 == "data" {print $4, $5}' "$W/f4" | tr '\n' ' ')" = "$(seq -f 'line %g' 26 30 | tr '\n' ' ')" ] &&
    ok "-z gzip -H: lines 26-30 with the marker, sequence and time" || fail "-z gzip -H: $(tr '\n' '|' <"$W/f4")"
else
  fail "-z gzip: no .gz file ($(cat "$W/run4.out"))"
fi

# Every line exactly once over all the files.
for f in $(files); do
  case "$f" in *.zst) zstd -dc "$W/out/$f" ;; *.gz) gzip -dc "$W/out/$f" | awk '$3 == "data" {print $4, $5}' ;; esac
done >"$W/all"
[ "$(cat "$W/all" | tr '\n' ' ')" = "$(seq -f 'line %g' 1 30 | tr '\n' ' ')" ] &&
  ok "all files together: lines 1-30, each once, in order" || fail "all files: $(sort "$W/all" | uniq -d | head -3 | tr '\n' ' ') duplicated; $(wc -l <"$W/all") lines"

# Retention: fake old files (the time is in the name).
old=$(date -u -d '-20 days' +%Y%m%dT%H%M%S).000Z recent=$(date -u -d '-3 days' +%Y%m%dT%H%M%S).000Z
touch "$W/out/hostA-$old.trace.zst" "$W/out/hostA-20200101T000000.000Z.trace.gz" \
      "$W/out/hostA-$recent.trace.zst" "$W/out/hostB-$old.trace.zst" "$W/out/hostA-notes.txt"
write 31 32
cronrun -k 7 >"$W/run5.out" || fail "retention run failed"
[ ! -e "$W/out/hostA-$old.trace.zst" ] && [ ! -e "$W/out/hostA-20200101T000000.000Z.trace.gz" ] &&
  [ -e "$W/out/hostA-$recent.trace.zst" ] && [ -e "$W/out/hostB-$old.trace.zst" ] && [ -e "$W/out/hostA-notes.txt" ] &&
  [ -e "$W/out/$f1" ] && grep -q 'removed 2 file' "$W/run5.out" &&
  ok "retention: hostA's files older than 7 days removed; recent ones, other hosts' and other files kept" ||
  fail "retention: $(ls "$W/out" | tr '\n' ' '); $(cat "$W/run5.out")"

# Errors.
cp "$W/out/.hostA.last" "$W/state.saved"
echo garbage >"$W/out/.hostA.last"
rc=0; cronrun >"$W/err1.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'does not hold a time' "$W/err1.out" && [ "$(cat "$W/out/.hostA.last")" = garbage ] &&
  ok "bad state file: exit 1, state untouched" || fail "bad state file: rc $rc: $(cat "$W/err1.out")"
cp "$W/state.saved" "$W/out/.hostA.last"
rc=0; "$CRON" --flightrec "$FR" -o "$W/out" -n hostA "$W/nosuch.ring" >"$W/err2.out" 2>&1 || rc=$?
[ "$rc" = 1 ] && grep -q 'no ring' "$W/err2.out" && ok "no ring: exit 1" || fail "no ring: rc $rc: $(cat "$W/err2.out")"

echo "$failures failure(s)"
[ "$failures" = 0 ]
