#!/usr/bin/env bash
# Golden test: rpcspy's records for each lab capture must equal the committed
# expected output, in text and in JSON form.
# Usage: golden.sh RPCSPY CAPTURE_DIR EXPECTED_DIR [--update]
#   --update rewrites the expected files (review the diff before committing).
set -euo pipefail
rpcspy=$1 dir=$2 expdir=$3 update=${4:-}
status=0
while IFS= read -r pcap; do
  rel=${pcap#"$dir"/}
  name=$expdir/$(printf '%s' "${rel%.pcap}" | tr / _)
  for form in text json; do
    expected=$name.$form.expected
    args=(-r "$pcap")
    [ "$form" = json ] && args+=(--json)
    actual=$("$rpcspy" "${args[@]}")
    if [ "$update" = --update ]; then
      printf '%s\n' "$actual" > "$expected"
    elif [ ! -f "$expected" ]; then
      echo "FAIL $rel $form: no expected output $expected"; status=1
    elif ! diff -u "$expected" <(printf '%s\n' "$actual") > /tmp/golden.$$.diff; then
      echo "FAIL $rel $form: output differs from $expected:"
      head -40 /tmp/golden.$$.diff; status=1
    else
      echo "ok $rel $form ($(wc -l < "$expected") lines)"
    fi
  done
done < <(find "$dir" -name '*.pcap' | sort)
rm -f /tmp/golden.$$.diff
exit $status
