#!/bin/sh
# make demo: the seed scenario end to end, then the other examples. $1 is the build dir.
# Objects live in a namespace of the demo's own ($MMF_ROOT), removed at the end.
set -eu
B=$1
dir=$(mktemp -d "${TMPDIR:-/tmp}/mmf-demo.XXXXXX")
MMF_ROOT=$(mktemp -d /dev/shm/mmf-demo.XXXXXX 2>/dev/null || mktemp -d)
export MMF_ROOT
trap 'rm -rf "$dir" "$MMF_ROOT"' EXIT

echo "== 1. A server and a client share a named section and take turns through two events"
"$B/examples/client" > "$dir/client.log" &
client=$!
{
    echo "Hello from a Win32 server on Linux"
    echo "mmf keeps Windows' rules: the name lives while a handle does"
    sleep 0.3
    echo "== while both run, mmf ls shows what they share:" >&2
    "$B/mmf" ls >&2
    echo "Goodbye"
} | "$B/examples/server"
wait "$client"
cat "$dir/client.log"
echo "== after both exited, the names are gone:"
"$B/mmf" ls

echo
echo "== 2. Reverse a file in place through views sliding from both ends (64 KiB each)"
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "line %05d of a file larger than one view\n", i }' > "$dir/big.txt"
cp "$dir/big.txt" "$dir/original"
"$B/examples/filerev" "$dir/big.txt" --chunk 65536
echo "first bytes now: $(head -c 40 "$dir/big.txt" | tr '\n' '|')"
"$B/examples/filerev" "$dir/big.txt" --chunk 65536
cmp -s "$dir/big.txt" "$dir/original" && echo "reversed twice: the original again"
"$B/examples/scan" "$dir/big.txt"

echo
echo "== 3. Three copies of a program count each other through a named section"
"$B/examples/instances" 0.6 & a=$!
sleep 0.1
"$B/examples/instances" 0.4 & b=$!
sleep 0.1
"$B/examples/instances" 0.1
wait "$a" "$b"

echo
echo "== 4. A file that does not exist gives Windows' error:"
"$B/examples/filerev" "$dir/missing.txt" || true
