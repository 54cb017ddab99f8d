#!/usr/bin/env bash
# rpcspy's diagnostics and exit statuses on bad input and bad usage.
# Usage: diagnostics.sh RPCSPY CAPTURE
set -uo pipefail
rpcspy=$1 good=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
expect() {  # expect STATUS PATTERN -- command...
  local want=$1 pattern=$2; shift 3
  "$@" > "$tmp/out" 2> "$tmp/err"; local got=$?
  if [ "$got" != "$want" ] || ! grep -qE -- "$pattern" "$tmp/err"; then
    echo "FAIL: $* -> status $got (want $want), stderr: $(head -c 300 "$tmp/err") (want /$pattern/)"; fail=1
  else
    echo "ok: $* -> $got: $(head -n1 "$tmp/err")"
  fi
}
printf 'this is not a capture file\n' > "$tmp/text.pcap"
head -c 3000 "$good" > "$tmp/cut.pcap"             # cut inside a packet record
: > "$tmp/empty.pcap"

expect 1 "$tmp/text.pcap: cannot read as a pcap or pcapng capture" -- "$rpcspy" -r "$tmp/text.pcap"
expect 1 "$tmp/empty.pcap: cannot read" -- "$rpcspy" -r "$tmp/empty.pcap"
expect 1 "no/such/file: cannot read" -- "$rpcspy" -r no/such/file
# A regular file, standard input and a pipe are read by rpcspy's reader (exact offset and frame).
expect 1 "cut.pcap: byte [0-9]+: frame [0-9]+: record header says [0-9]+ captured bytes, only [0-9]+ left in the file \(truncated capture\?\)" -- "$rpcspy" -r "$tmp/cut.pcap"
expect 1 "standard input: byte [0-9]+: frame [0-9]+: record header says [0-9]+ captured bytes, only [0-9]+ left in the file \(truncated capture\?\)" -- sh -c "exec \"\$0\" -r - < \"\$1\"" "$rpcspy" "$tmp/cut.pcap"
expect 1 "standard input: byte [0-9]+: frame [0-9]+: record header says [0-9]+ captured bytes, only [0-9]+ left in the file \(truncated capture\?\)" -- sh -c "cat \"\$1\" | \"\$0\" -r -" "$rpcspy" "$tmp/cut.pcap"
expect 2 "exactly one of -r FILE and -i INTERFACE" -- "$rpcspy"
expect 2 "unrecognised option|unrecognized option" -- "$rpcspy" --no-such-option
expect 2 "time-precision must be micro or nano" -- "$rpcspy" -r "$good" --time-precision pico
expect 1 "filter expression 'port port'" -- "$rpcspy" -r "$good" port port
# -v says how the file is read: rpcspy's reader (a file, standard input, a pipe), or libpcap.
expect 0 "reading .*v3-all-tcp.pcap \(pcap, direct reader\)" -- "$rpcspy" -v -r "$good"
expect 0 "reading standard input \(pcap, direct reader\)" -- sh -c "exec \"\$0\" -v -r - < \"\$1\"" "$rpcspy" "$good"
expect 0 "reading standard input \(pcap, direct reader\)" -- sh -c "cat \"\$1\" | \"\$0\" -v -r -" "$rpcspy" "$good"
# --workers: live only, without --count, 1 to 64.
expect 2 "--workers needs a live capture \(-i\)" -- "$rpcspy" -r "$good" --workers 2
expect 2 "--count cannot be combined with --workers" -- "$rpcspy" -i lo --workers 2 -c 3
expect 2 "--workers must be between 1 and 64" -- "$rpcspy" -i lo --workers 0

# -Z: the capture is opened first, then the user changes (a root-only file is read).
expect 1 "-Z no-such-user-here: no such user" -- "$rpcspy" -Z no-such-user-here -r "$good"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
  cp "$good" "$tmp/root-only.pcap"; chmod 600 "$tmp/root-only.pcap"
  expect 0 "running as nobody \(uid $(id -u nobody)," -- "$rpcspy" -Z nobody -v -r "$tmp/root-only.pcap"
  if ! cmp -s "$tmp/out" <("$rpcspy" -r "$good"); then echo "FAIL: -Z changes the records"; fail=1; fi
else
  echo "skip: -Z nobody needs root and a user nobody"
fi

# A capture cut short still yields the records completed before the cut.
"$rpcspy" -r "$tmp/cut.pcap" > "$tmp/out" 2>/dev/null
lines=$(grep -vc '^#' "$tmp/out")
if [ "$lines" -lt 1 ]; then echo "FAIL: no records from the part before the cut"; fail=1; else echo "ok: $lines records before the cut"; fi

# Standard input works as a capture source, with the same output.
if ! cmp -s <("$rpcspy" -r - < "$good") <("$rpcspy" -r "$good"); then
  echo "FAIL: -r - differs from -r FILE"; fail=1
else
  echo "ok: -r - reads standard input"
fi
exit $fail
