#!/bin/sh
# Compares two builds of mmf on the same benchmarks, interleaved (A, B, B, A…) so that a
# change of the machine's state touches both alike; prints the median of each and B/A.
#   bench/ab.sh BUILD_A BUILD_B      (each a build dir with bench/ built: make bench does)
# To compare with an older commit:
#   git worktree add /tmp/a REV && make -C /tmp/a build/libmmf.so \
#       $(cd bench && ls *.c | sed 's|\(.*\)\.c|build/bench/\1|')
#   bench/ab.sh /tmp/a/build build
# ONLY="event_rtt stream" limits the programs; LOAD=N runs N busy loops meanwhile (a busy
# machine: BENCHMARKS.md's spinning figures).
set -eu
A=$1
B=$2
RUNS=${RUNS:-5}
out=$(mktemp -d /dev/shm/mmf-ab.XXXXXX 2>/dev/null || mktemp -d)
pids=
trap 'rm -rf "$out"; [ -z "$pids" ] || kill $pids' EXIT
for c in $(seq "${LOAD:-0}"); do
    sh -c 'while :; do :; done' & pids="$pids $!"
done
i=0
while [ $i -lt "$RUNS" ]; do
    # A B, then B A: whichever runs second in a pair may find the machine otherwise
    # (seen: 1.06-1.3x for the second of two identical builds), so both take each turn.
    order="A B"
    [ $((i % 2)) -eq 0 ] || order="B A"
    for side in $order; do
        eval dir=\$$side
        mkdir -p "$out/ns-$side" # each its own namespace: their formats may differ
        for p in "$dir"/bench/*; do
            [ -f "$p" ] && [ -x "$p" ] || continue
            [ -z "${ONLY:-}" ] || echo " $ONLY " | grep -q " ${p##*/} " || continue
            MMF_ROOT="$out/ns-$side" "$p" | sed "s/^/$side /" >>"$out/figures"
        done
    done
    i=$((i + 1))
done
printf '%-28s %12s %12s %8s\n' benchmark A B B/A
sort -k2,2 -k1,1 -k3,3g "$out/figures" | awk '
    function median(list, n,   a) { n = split(list, a, " "); return a[int((n + 1) / 2)] }
    { key = $2; v[key, $1] = v[key, $1] " " $3; unit[key] = $4; keys[key] = 1 }
    END { for (k in keys) { a = median(v[k, "A"]); b = median(v[k, "B"]);
          printf "%-28s %12.4g %12.4g %8.3f  (%s)\n", k, a, b, b / a, unit[k] } }' | sort
