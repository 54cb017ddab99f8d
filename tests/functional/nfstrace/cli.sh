#!/usr/bin/env bash
# nfstrace's command line: inputs, diagnostics with file and line, exit status,
# --strict, unknown format version, --json, --anonymize, --no-names, live input.
# Usage: cli.sh NFSTRACE
set -uo pipefail
nt=$1
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
check() {  # check DESCRIPTION COMMAND...: the command must succeed
  local what=$1; shift
  if "$@"; then echo "ok: $what"; else echo "FAIL: $what"; fail=1; fi
}

hdr='#rpcspy-records 1 time dur client server proto xid uid gid prog vers proc status [key=value...]'
cat > "$tmp/a.txt" <<EOT
$hdr
100.000000 0.000100 10.0.0.2.800 10.0.0.1.20048 tcp 00000001 0 0 mount 3 mnt ok path=/export fh=aa
100.100000 0.000100 10.0.0.2.800 10.0.0.1.2049 tcp 00000002 1000 100 nfs 3 lookup ok dir=aa name=my%20file fh=cc ftype=reg mode=0644 size=10
100.200000 0.000100 10.0.0.2.800 10.0.0.1.2049 tcp 00000003 1000 100 nfs 3 read ok fh=cc offset=0 count=4096 rcount=10 eof=1
EOT
cat > "$tmp/b.txt" <<EOT
$hdr
200.000000 0.000100 10.0.0.2.800 10.0.0.1.2049 tcp 00000004 1000 100 nfs 3 read ok fh=cc offset=0 count=4096 rcount=10 eof=1
not a record
200.100000 0.000100 10.0.0.2.800 10.0.0.1.2049 tcp 0000000G 1000 100 nfs 3 read ok fh=cc
EOT
printf '#rpcspy-records 2 time dur client server proto xid uid gid prog vers proc status\n' > "$tmp/v2.txt"
head -c 32 /dev/urandom > "$tmp/key1"; head -c 32 /dev/urandom > "$tmp/key2"

"$nt" "$tmp/a.txt" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "one file: exit 0, header and one open" \
  test "$rc" = 0 -a "$(grep -c . "$tmp/out")" = 2 -a ! -s "$tmp/err"
check "path escaped like rpcspy records" grep -q ' path=/export/my%20file$' "$tmp/out"

"$nt" "$tmp/a.txt" - < "$tmp/b.txt" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "bad lines do not stop the run (exit 0)" test "$rc" = 0
check "names persist across inputs" test "$(grep -c 'path=/export/my%20file' "$tmp/out")" = 2
check "bad line message has file and line" grep -q '^nfstrace: (stdin):3: bad record: fewer than 12 fixed fields$' "$tmp/err"
check "bad xid message has line and column" grep -q '^nfstrace: (stdin):4:52: bad record: xid is not 8 lower-case hex digits$' "$tmp/err"
check "bad lines counted" grep -q '^nfstrace: 2 bad lines skipped$' "$tmp/err"

"$nt" --strict "$tmp/b.txt" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "--strict: a bad line is fatal (exit 1)" test "$rc" = 1
check "--strict: message names the file" grep -q "$tmp/b.txt:3:" "$tmp/err"

"$nt" "$tmp/v2.txt" > "$tmp/out" 2> "$tmp/err"; rc=$?
check "unknown format version: exit 1 with a clear message" test "$rc" = 1
check "unknown format version message" grep -q 'rpcspy record format version 2 is not supported (this nfstrace reads version 1)' "$tmp/err"

"$nt" "$tmp/nonexistent" > /dev/null 2> "$tmp/err"; rc=$?
check "missing input: exit 1" test "$rc" = 1
"$nt" --idle abc "$tmp/a.txt" > /dev/null 2> "$tmp/err"; rc=$?
check "bad option value: exit 2" test "$rc" = 2
"$nt" --help > "$tmp/out"; rc=$?
check "--help: exit 0, lists options" test "$rc" = 0 -a "$(grep -c -- '--anonymize' "$tmp/out")" -ge 1

"$nt" --json "$tmp/a.txt" > "$tmp/out"
check "--json: valid JSON Lines with the path" python3 -c '
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 1 and recs[0]["path"] == "/export/my file" and recs[0]["rbytes"] == 10, recs
' "$tmp/out"

"$nt" --anonymize "$tmp/key1" "$tmp/a.txt" > "$tmp/k1a"
"$nt" --anonymize "$tmp/key1" "$tmp/a.txt" > "$tmp/k1b"
"$nt" --anonymize "$tmp/key2" "$tmp/a.txt" > "$tmp/k2"
check "--anonymize: stable with the same key" cmp -s "$tmp/k1a" "$tmp/k1b"
check "--anonymize: different with another key" bash -c "! cmp -s '$tmp/k1a' '$tmp/k2'"
check "--anonymize: no names left" bash -c "! grep -q -e export -e my '$tmp/k1a'"
check "--anonymize: components hashed" grep -Eq ' path=/[0-9a-f]{16}/[0-9a-f]{16}$' "$tmp/k1a"
printf 'short' > "$tmp/shortkey"
"$nt" --anonymize "$tmp/shortkey" "$tmp/a.txt" > /dev/null 2> "$tmp/err"; rc=$?
check "--anonymize: a short key file is refused (exit 2)" test "$rc" = 2
"$nt" --no-names "$tmp/a.txt" > "$tmp/out"
check "--no-names: no path" bash -c "! grep -q path= '$tmp/out'"

# Live input (rpcspy -i ... | nfstrace): once the input has nothing new, the
# opens inferred so far are written at once, not when the output buffer fills.
mkfifo "$tmp/live"
( cat "$tmp/a.txt"
  for t in 200 300; do  # later records: the first open is over and out of the reorder window
    echo "$t.000000 0.000100 10.0.0.2.800 10.0.0.1.2049 tcp 00000009 1000 100 nfs 3 getattr ok fh=cc"
  done
  exec sleep 30 ) > "$tmp/live" &
feeder=$!
"$nt" < "$tmp/live" > "$tmp/liveout" &
reader=$!
for _ in $(seq 100); do grep -q 'my%20file' "$tmp/liveout" && break; sleep 0.1; done
check "live input: the opens are written while the input stays open" grep -q '^100.200000 .* path=/export/my%20file$' "$tmp/liveout"
kill "$feeder"; wait "$reader"; rc=$?
check "live input: exit 0 when the input closes" test "$rc" = 0

exit $fail
