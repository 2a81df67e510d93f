#!/bin/sh
# Runs the benchmarks RUNS times and prints one table: the median of each figure for mmf,
# for Boost.Interprocess (bench/peers/boost, when built), for the POSIX floor
# (bench/floor/*_tuned: the best raw primitives can do; *_plain: the textbook version, e.g.
# a futex ping-pong that sleeps every turn), and under Wine (with --wine). A floor or peer
# program prints the same figure name as the mmf one it compares with. Rows ending in
# "+load" are the same programs with every CPU busy; bench/scale runs once.
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
        [ -f "${p%% *}" ] && [ -x "${p%% *}" ] || continue # a program, maybe with an argument
        $pre $p | tr -d '\r' | sed "s/^\([^ ]*\)/$col \1$suffix/" >> "$out/figures" # Wine's lines end in CR LF
    done
}

# The loaded variants: the programs where one side hands the CPU to another (round trips,
# the contended mutex, the ring), again while as many CPU-bound processes as there are
# CPUs run, as on a busy server; their figures end in "+load". A spin that burns the time
# slice the other side needs shows here.
loaded() { # directory, names...
    d=$1; shift
    for n in "$@"; do echo "$d/$n"; done
}
run_loaded() {
    pids=
    for c in $(seq "$(nproc)"); do
        sh -c 'while :; do :; done' & pids="$pids $!"
    done
    suffix=+load
    run_once mmf "" $(loaded "$B"/bench event_rtt mutex stream)
    run_once boost "" "$B/bench/peers/boost --turns"
    run_once floor "" $(loaded "$B"/bench/floor futex_pingpong_tuned)
    run_once plain "" $(loaded "$B"/bench/floor futex_pingpong_plain ring_plain pipe_pingpong_plain)
    if [ "$WINE_TOO" = --wine ]; then
        run_once wine "env WINEDEBUG=-all wine" $(loaded build/wine/bench event_rtt.exe mutex.exe stream.exe)
    fi
    suffix=
    kill $pids
    wait $pids 2>/dev/null || true
}
suffix=

export MMF_ROOT="$out/ns"
mkdir -p "$MMF_ROOT"
# Repetitions interleave mmf, the floor and Wine, so that a change of the machine's state
# (a VM's vCPUs moved by its host) touches every column alike.
i=0
while [ $i -lt "$RUNS" ]; do
    run_once mmf "" $(ls "$B"/bench/* | grep -v '/scale$')
    run_once boost "" "$B"/bench/peers/boost
    run_once floor "" "$B"/bench/floor/*_tuned
    run_once plain "" "$B"/bench/floor/*_plain
    if [ "$WINE_TOO" = --wine ]; then
        run_once wine "env WINEDEBUG=-all wine" $(ls build/wine/bench/*.exe | grep -v '/scale.exe$')
    fi
    run_loaded
    i=$((i + 1))
done

# Scale (100,000 objects held, 1 to 16 processes) takes minutes under Wine: once, and its
# POSIX floor (the throughput rows) once beside it.
run_once mmf "" "$B"/bench/scale
run_once floor "" "$B"/bench/floor/scale_once
if [ "$WINE_TOO" = --wine ]; then
    run_once wine "env WINEDEBUG=-all wine" build/wine/bench/scale.exe
fi

# The median per (column, figure), then one row per figure.
sort -k1,1 -k2,2 -k3,3n "$out/figures" | awk '
    { key = $1 " " $2; v[key, ++n[key]] = $3; unit[$2] = $4; names[$2] = 1; cols[$1] = 1 }
    END {
        for (k in n) { c = n[k]; m = (c % 2) ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2; med[k] = m }
        printf "%-36s %9s %9s %9s %9s %10s %9s %9s %9s %9s\n", "benchmark", "mmf", "floor",
            "plain", "boost", "wine", "mmf/floor", "mmf/plain", "boost/mmf", "wine/mmf"
        for (f in names) {
            m = med["mmf " f]; fl = med["floor " f]; p = med["plain " f]; w = med["wine " f]
            bo = med["boost " f]
            runs = 0
            for (c in cols) if (n[c " " f] > runs) runs = n[c " " f]
            printf "%-36s %9s %9s %9s %9s %10s %9s %9s %9s %9s   (%s, median of %d)\n", f,
                m == "" ? "-" : sprintf("%.4g", m), fl == "" ? "-" : sprintf("%.4g", fl),
                p == "" ? "-" : sprintf("%.4g", p), bo == "" ? "-" : sprintf("%.4g", bo),
                w == "" ? "-" : sprintf("%.4g", w),
                (m != "" && fl != "") ? sprintf("%.3g", m / fl) : "-",
                (m != "" && p != "") ? sprintf("%.3g", m / p) : "-",
                (m != "" && bo != "") ? sprintf("%.3g", bo / m) : "-",
                (m != "" && w != "") ? sprintf("%.4g", w / m) : "-", unit[f], runs
        }
    }' | { read -r header; echo "$header"; sort; }
