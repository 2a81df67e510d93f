#!/bin/sh
# Runs the benchmarks RUNS times and prints one table: the median of each figure for mmf,
# for the POSIX floor (bench/floor/*_tuned: the best raw primitives can do; *_plain: the
# textbook version, e.g. a futex ping-pong that sleeps every turn), and under Wine
# (with --wine). A floor program prints the same figure name as the mmf one it bounds.
#   bench/run.sh BUILD_DIR [--wine]
set -eu
B=$1
WINE_TOO=${2:-}
RUNS=${RUNS:-5}
out=$(mktemp -d /dev/shm/mmf-bench.XXXXXX 2>/dev/null || mktemp -d) # tmpfs, as in use
trap 'rm -rf "$out"' EXIT

run_once() { # column, command prefix, programs...
    col=$1; shift; pre=$1; shift
    for p in "$@"; do
        [ -f "$p" ] && [ -x "$p" ] || continue
        $pre "$p" | tr -d '\r' | sed "s/^/$col /" >> "$out/figures" # Wine's lines end in CR LF
    done
}

export MMF_ROOT="$out/ns"
mkdir -p "$MMF_ROOT"
# Repetitions interleave mmf, the floor and Wine, so that a change of the machine's state
# (a VM's vCPUs moved by its host) touches every column alike.
i=0
while [ $i -lt "$RUNS" ]; do
    run_once mmf "" "$B"/bench/*
    run_once floor "" "$B"/bench/floor/*_tuned
    run_once plain "" "$B"/bench/floor/*_plain
    if [ "$WINE_TOO" = --wine ]; then
        run_once wine "env WINEDEBUG=-all wine" build/wine/bench/*.exe
    fi
    i=$((i + 1))
done

# The median per (column, figure), then one row per figure.
sort -k1,1 -k2,2 -k3,3n "$out/figures" | awk '
    { key = $1 " " $2; v[key, ++n[key]] = $3; unit[$2] = $4; names[$2] = 1; cols[$1] = 1 }
    END {
        for (k in n) { c = n[k]; m = (c % 2) ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2; med[k] = m }
        printf "%-26s %9s %9s %9s %10s %9s %9s %9s\n", "benchmark", "mmf", "floor", "plain",
            "wine", "mmf/floor", "mmf/plain", "wine/mmf"
        for (f in names) {
            m = med["mmf " f]; fl = med["floor " f]; p = med["plain " f]; w = med["wine " f]
            printf "%-26s %9s %9s %9s %10s %9s %9s %9s   (%s, median of '"$RUNS"')\n", f,
                m == "" ? "-" : sprintf("%.4g", m), fl == "" ? "-" : sprintf("%.4g", fl),
                p == "" ? "-" : sprintf("%.4g", p), w == "" ? "-" : sprintf("%.4g", w),
                (m != "" && fl != "") ? sprintf("%.3g", m / fl) : "-",
                (m != "" && p != "") ? sprintf("%.3g", m / p) : "-",
                (m != "" && w != "") ? sprintf("%.4g", w / m) : "-", unit[f]
        }
    }' | { read -r header; echo "$header"; sort; }
