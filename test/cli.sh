#!/bin/sh
# Tests of the mmf command: a holder process, then ls (text and JSON), info, dump,
# signal/wait, dead objects hidden after kill -9, gc, rm, and usage errors.
#   test/cli.sh BUILD_DIR        ends with "N passed, N failed"
B=$1
MMF="$B/mmf"
RUNNER="$B/test/runner"
MMF_ROOT=$(mktemp -d /dev/shm/mmf-cli-test.XXXXXX 2>/dev/null || mktemp -d)
export MMF_ROOT
passed=0 failed=0 n=0 pids=""
out=$MMF_ROOT/out
trap 'kill -9 $pids 2>/dev/null; rm -rf "$MMF_ROOT"' EXIT

check() { # description, then a command that must succeed
    desc=$1; shift
    n=$((n + 1))
    : >"$out"
    if "$@" >/dev/null 2>&1; then
        passed=$((passed + 1)); echo "ok $n - $desc"
    else # what the command printed (the helpers below keep it), so that a flake tells
        failed=$((failed + 1)); echo "not ok $n - $desc"
        head -n 20 "$out" | sed 's/^/#   /'
    fi
}
status_is() { # expected exit status, command...
    want=$1; shift
    "$@" >"$out" 2>&1
    [ $? -eq "$want" ]
}
output_has() { # text, command...
    text=$1; shift
    "$@" >"$out" 2>&1 && grep -qF -- "$text" "$out"
}
fails_saying() { # text, command... (must exit 1 and say text)
    text=$1; shift
    "$@" >"$out" 2>&1
    [ $? -eq 1 ] && grep -qF -- "$text" "$out"
}
until_listed() { # name: waits until mmf ls shows it
    i=0
    while ! "$MMF" ls | grep -q " $1 "; do
        i=$((i + 1)); [ $i -gt 200 ] && return 1; sleep 0.05
    done
}

check "no command is a usage error" status_is 2 "$MMF"
check "unknown command is a usage error" status_is 2 "$MMF" bogus
check "dump without NAME is a usage error" status_is 2 "$MMF" dump
check "create without a size is a usage error" status_is 2 "$MMF" create x
check "a bad size is a usage error" status_is 2 "$MMF" create x --size 12Q
check "--help" status_is 0 "$MMF" --help
check "empty namespace" output_has "no named objects" "$MMF" ls

"$MMF" create 'Local\cli-sec' --size 64K >/dev/null & holder=$!; pids="$pids $holder"
check "a holder's section is listed" until_listed cli-sec
check "ls shows type, size and holder" output_has "64 KiB" "$MMF" ls
check "ls names the holder pid" output_has "$holder" "$MMF" ls
check "ls --json" output_has "\"name\":\"cli-sec\"" "$MMF" ls --json
check "ls --json holders" output_has "\"holders\":[$holder]" "$MMF" ls --json
check "info shows the holder" output_has "$holder" "$MMF" info 'Local\cli-sec'
check "info --json" output_has "\"size\":65536" "$MMF" info cli-sec --json
check "dump shows hex and ASCII" output_has "00000000: 0000 0000" "$MMF" dump cli-sec --length 16
check "dump of a missing name fails with its error" fails_saying "no-such: The system cannot find the file specified. (error 2)" "$MMF" dump no-such
check "info of a missing name fails" status_is 1 "$MMF" info no-such

"$RUNNER" --child hold_sync event:cli-ev & ev=$!; pids="$pids $ev"
check "an event is listed" until_listed cli-ev
check "wait on an unsignaled event times out" status_is 1 "$MMF" wait cli-ev --timeout 100
check "signal sets it" output_has "set event" "$MMF" signal cli-ev
check "ls shows it signaled" output_has "signaled, auto" "$MMF" ls
check "wait takes it" output_has "signaled" "$MMF" wait cli-ev --timeout 2000

"$RUNNER" --child hold_sync semaphore:cli-sem & sem=$!; pids="$pids $sem"
check "a semaphore is listed" until_listed cli-sem
check "signal releases it by one" output_has "count was 0" "$MMF" signal cli-sem
check "ls shows its count" output_has "1/2" "$MMF" ls
check "wait takes the unit" status_is 0 "$MMF" wait cli-sem --timeout 2000

"$RUNNER" --child hand_to_child cli-inh >"$MMF_ROOT/inh" & inh=$!; pids="$pids $inh"
check "a section handed to a child is listed" until_listed cli-inh
i=0; while [ ! -s "$MMF_ROOT/inh" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
kid=$(cat "$MMF_ROOT/inh")
check "info names the child that inherited it" output_has "  $kid " "$MMF" info cli-inh
check "and not its creator, which closed its handle" sh -c "sleep 0.2; ! '$MMF' info cli-inh | grep -q '^  $inh '"
wait "$inh"

"$RUNNER" --child hand_to_child dup:cli-dup >"$MMF_ROOT/dup" & dup=$!; pids="$pids $dup"
check "a section duplicated into a child is listed" until_listed cli-dup
i=0; while [ ! -s "$MMF_ROOT/dup" ] && [ $i -lt 200 ]; do i=$((i + 1)); sleep 0.05; done
kid=$(cat "$MMF_ROOT/dup")
check "info names the child it was duplicated into" sh -c "i=0; while [ \$i -lt 100 ]; do '$MMF' info cli-dup | grep -q '^  $kid ' && exit 0; i=\$((i + 1)); sleep 0.05; done; exit 1"
check "and not its creator, which closed its handle" sh -c "! '$MMF' info cli-dup | grep -q '^  $dup '"
wait "$dup"

kill -9 "$holder"; wait "$holder" 2>/dev/null
check "an object whose holder was killed is not listed" sh -c "! '$MMF' ls | grep -q cli-sec"
check "gc reclaims it" output_has "reclaimed 1 object" "$MMF" gc
check "gc again finds nothing" output_has "reclaimed 0 objects" "$MMF" gc

"$MMF" create cli-rm --size 4K >/dev/null & rmh=$!; pids="$pids $rmh"
check "a second holder's section is listed" until_listed cli-rm
check "rm warns about holders" output_has "warning: removing Local\\cli-rm while 1 process" "$MMF" rm cli-rm
check "after rm the name is gone" sh -c "! '$MMF' ls | grep -q cli-rm"
check "rm of a missing name fails" fails_saying "error 2" "$MMF" rm cli-rm

"$MMF" create cli-file --size 8K --file "$MMF_ROOT/backing" >/dev/null & fh=$!; pids="$pids $fh"
check "a file-backed section is listed" until_listed cli-file
check "ls marks it as file-backed" output_has "8 KiB file" "$MMF" ls
check "info names its file" output_has "backing:   $MMF_ROOT/backing" "$MMF" info cli-file
check "the file grew to the section's size" test "$(wc -c < "$MMF_ROOT/backing")" -eq 8192
check "watch redraws until interrupted" sh -c "timeout -s INT 1 '$MMF' watch cli-file --interval 100 | grep -q 'name:      Local.cli-file'"

check "provision --global takes no USER" status_is 2 "$MMF" provision --global nobody
check "provision of an unknown user is a usage error" status_is 2 "$MMF" provision no-such-user-x
check "provision makes one's own namespace ready" output_has "ready: Local" "$MMF" provision
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
    # Another user takes nobody's namespace name; root gives it back.
    P=$MMF_ROOT/prov
    mkdir -m 1777 "$P" && chmod 711 "$MMF_ROOT"
    as() { u=$1; shift; MMF_ROOT=$P setpriv --reuid="$u" --regid="$u" --clear-groups "$@"; }
    as 65533 mkdir -m 777 "$P/mmf-65534"
    check "a squatted namespace is refused" fails_saying "(error 5)" as 65534 "$MMF" provision
    check "a user cannot provision another's" fails_saying "(error 5)" as 65534 "$MMF" provision 0
    check "root takes it back for its user" output_has "ready: Local\\ of uid 65534" \
        env MMF_ROOT="$P" "$MMF" provision 65534
    check "now the user's, 0700" test "$(stat -c %u:%a "$P/mmf-65534")" = 65534:700
    check "and the user's objects work" sh -c "MMF_ROOT='$P' setpriv --reuid=65534 \
        --regid=65534 --clear-groups timeout -s INT 1 '$MMF' create prov-x --size 4K |
        grep -q 'created prov-x'"
    check "root provisions Global\\" output_has "ready: Global" env MMF_ROOT="$P" "$MMF" provision --global
    check "Global\\ is root's, sticky" test "$(stat -c %u:%a "$P/mmf-global")" = 0:1777
    rm -rf "$P"
else
    echo "# skipped the squatter tests of provision: need root and setpriv"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
