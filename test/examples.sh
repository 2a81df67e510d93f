#!/bin/sh
# The examples, built and run: the server/client pair, filerev (sliding views), scan and
# instances. Ends with "N passed, N failed".
#   test/examples.sh BUILD_DIR        the examples built against mmf (BUILD_DIR/examples)
#   test/examples.sh DIR --wine       the same sources built with mingw-w64 (DIR/*.exe),
#                                     run under Wine: what Windows would print
if [ "${2:-}" = --wine ]; then
    E=$1
    run() { p=$1; shift; ${WINE:-wine} "$E/$p.exe" "$@"; }
else
    E=$1/examples
    run() { p=$1; shift; "$E/$p" "$@"; }
fi
MMF_ROOT=$(mktemp -d /dev/shm/mmf-ex-test.XXXXXX 2>/dev/null || mktemp -d)
export MMF_ROOT
dir=$MMF_ROOT/files
mkdir -p "$dir"
passed=0 failed=0 n=0
trap 'rm -rf "$MMF_ROOT"' EXIT
check() {
    n=$((n + 1))
    if eval "$2" >/dev/null 2>&1; then passed=$((passed + 1)); echo "ok $n - $1"
    else failed=$((failed + 1)); echo "not ok $n - $1"; fi
}

run client > "$dir/client.out" 2>&1 & client=$!
printf 'one\ntwo\nthree\n' | run server > "$dir/server.out" 2>&1
wait "$client"
check "the client printed every line in order" \
    "grep -q 'line 1: \"one\"' '$dir/client.out' && grep -q 'line 3: \"three\"' '$dir/client.out'"
check "the client saw the end" "grep -q 'done after 3 lines' '$dir/client.out'"
[ "${2:-}" = --wine ] || # Wine keeps its names in its server
    check "no name is left" "[ -z \"\$(find '$MMF_ROOT'/mmf-* -type f)\" ]"

head -c 300007 /dev/urandom > "$dir/r.bin"
cp "$dir/r.bin" "$dir/r.orig"
check "filerev with sliding views" "run filerev '$dir/r.bin' --chunk 65536"
check "the bytes are reversed" \
    "[ \"\$(od -An -tx1 -v '$dir/r.bin' | tr -d ' \\n' | head -c 20)\" = \"\$(tail -c 10 '$dir/r.orig' | od -An -tx1 -v | tr -d ' \\n' | fold -w2 | tac | tr -d '\\n')\" ]"
check "reversing again restores the file" "run filerev '$dir/r.bin' && cmp '$dir/r.bin' '$dir/r.orig'"
printf 'a\nbb\nccc\n' > "$dir/s.txt"
check "scan counts bytes and lines" "run scan '$dir/s.txt' | grep -q '9 bytes, 3 lines'"
check "filerev of a missing file names the error" \
    "run filerev '$dir/none' 2>&1 | grep -q 'error 2'"

# Seed 002's scenario: three copies count each other (the first stays until its input
# ends, the second for a long time, the third only counts); then every copy is killed -9,
# and the next starts from the program's 0 again.
until_said() { # until_said FILE: until a copy has printed its line
    i=0
    while ! grep -q cop "$1" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
}
mkfifo "$dir/stay"
run instances < "$dir/stay" > "$dir/i1" & i1=$!
exec 3> "$dir/stay"
until_said "$dir/i1"
(exec 3>&-; run instances 1000 > "$dir/i2" 2>&1) 2>/dev/null & i2=$! # must not hold the fifo
until_said "$dir/i2"
run instances 0 > "$dir/i3"
check "instances counts the copies running" \
    "grep -q ' 1 copy' '$dir/i1' && grep -q ' 2 copies' '$dir/i2' && grep -q ' 3 copies' '$dir/i3'"
pkill -9 -P "$i1" # each copy: the child of the subshell that runs it
pkill -9 -P "$i2"
exec 3>&-
wait "$i1" "$i2" 2>/dev/null
run instances 0 > "$dir/i4"
check "after every copy was killed -9, the next starts from 0" "grep -q ' 1 copy' '$dir/i4'"
[ "${2:-}" = --wine ] || check "no shared set is left" "[ -z \"\$(find '$MMF_ROOT'/mmf-* -type f)\" ]"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
