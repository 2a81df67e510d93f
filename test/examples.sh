#!/bin/sh
# The examples, built and run: the server/client pair, filerev (sliding views), scan and
# instances.   test/examples.sh BUILD_DIR      ends with "N passed, N failed"
B=$1
E=$B/examples
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

"$E/client" > "$dir/client.out" 2>&1 & client=$!
printf 'one\ntwo\nthree\n' | "$E/server" > "$dir/server.out" 2>&1
wait "$client"
check "the client printed every line in order" \
    "grep -q 'line 1: \"one\"' '$dir/client.out' && grep -q 'line 3: \"three\"' '$dir/client.out'"
check "the client saw the end" "grep -q 'done after 3 lines' '$dir/client.out'"
check "no name is left" "[ -z \"\$(find '$MMF_ROOT'/mmf-* -type f)\" ]"

head -c 300007 /dev/urandom > "$dir/r.bin"
cp "$dir/r.bin" "$dir/r.orig"
check "filerev with sliding views" "'$E/filerev' '$dir/r.bin' --chunk 65536"
check "the bytes are reversed" \
    "[ \"\$(od -An -tx1 -v '$dir/r.bin' | tr -d ' \\n' | head -c 20)\" = \"\$(tail -c 10 '$dir/r.orig' | od -An -tx1 -v | tr -d ' \\n' | fold -w2 | tac | tr -d '\\n')\" ]"
check "reversing again restores the file" "'$E/filerev' '$dir/r.bin' && cmp '$dir/r.bin' '$dir/r.orig'"
printf 'a\nbb\nccc\n' > "$dir/s.txt"
check "scan counts bytes and lines" "'$E/scan' '$dir/s.txt' | grep -q '9 bytes, 3 lines'"
check "filerev of a missing file names the error" \
    "'$E/filerev' '$dir/none' 2>&1 | grep -q 'error 2'"

"$E/instances" 1 > "$dir/i1" & i1=$!
sleep 0.2
"$E/instances" 0 > "$dir/i2"
wait "$i1"
check "instances counts the copies running" "grep -q '1 copy' '$dir/i1' && grep -q '2 copies' '$dir/i2'"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
