#!/bin/sh
# make demo: map a file and reverse it in place, twice, with mmf. $1 is the build dir.
set -eu
B=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/mmf-demo.XXXXXX")
trap 'rm -rf "$dir"' EXIT
f=$dir/message.txt
printf 'Hello from a Win32 program mapping a file on Linux.' > "$f"
cp "$f" "$dir/original"
echo "== before:   $(cat "$f")"
"$B/examples/filerev" "$f"
echo "== reversed: $(cat "$f")"
"$B/examples/filerev" "$f"
echo "== again:    $(cat "$f")"
cmp -s "$f" "$dir/original" && echo "== round trip restored the original"
echo "== a file that does not exist gives Windows' error:"
"$B/examples/filerev" "$dir/missing.txt" || true
