#!/bin/sh
# make bench-clients: LMDB and SQLite on their Windows code paths through mmf against the
# same programs' own POSIX builds, one workload (bench/clients/*-bench.c), in one run.
#   bench/clients/run.sh BUILD_DIR
# Sources as make check-clients gets them (test/clients/lib.sh: Debian's source packages,
# cached outside the tree). The databases live on the build directory's file system (a
# disk, where programs keep them), each run in a fresh one. RUNS repetitions (default 5)
# alternate the two builds; the table shows medians. Rates: higher is better, so
# mmf/native below 1 means the Windows path through mmf is slower.
set -eu
B=$1
top=$(pwd)
RUNS=${RUNS:-5}
work=$top/$B/bench-clients
. "$top/test/clients/lib.sh"

rm -rf "$work"
mkdir -p "$work/run"
lmdb_tar=$(fetch lmdb)
sqlite_tar=$(fetch sqlite3)
[ -n "$lmdb_tar" ] && [ -n "$sqlite_tar" ] ||
    { echo "bench-clients: could not get the lmdb and sqlite3 source packages" >&2; exit 2; }
unpack "$lmdb_tar" "$work/lmdb-src"
unpack "$sqlite_tar" "$work/sqlite-src"
sqlite_amalgamation "$work/sqlite-src" "$work/amalg" ||
    { echo "bench-clients: could not make SQLite's amalgamation (needs tclsh)" >&2; exit 2; }

# Each program twice, -O2 both: "mmf" with mmf-win32's flags, "native" plainly.
lmdb=$work/lmdb-src/libraries/liblmdb
lmdb_srcs="$top/bench/clients/lmdb-bench.c $lmdb/mdb.c $lmdb/midl.c"
sqlite_srcs="$top/bench/clients/sqlite-bench.c $work/amalg/sqlite3.c"
# shellcheck disable=SC2086
{
    cc -std=gnu11 -O2 -w $WIN -I"$lmdb" -o "$work/lmdb-mmf" $lmdb_srcs $LIBS
    cc -std=gnu11 -O2 -w -I"$lmdb" -o "$work/lmdb-native" $lmdb_srcs -lpthread
    cc -std=gnu11 -O2 -w $WIN -DSQLITE_THREADSAFE=1 -I"$work/amalg" -o "$work/sqlite-mmf" \
        $sqlite_srcs $LIBS
    cc -std=gnu11 -O2 -w -DSQLITE_THREADSAFE=1 -I"$work/amalg" -o "$work/sqlite-native" \
        $sqlite_srcs -lpthread -ldl -lm
}

run_once() { # BUILD: both programs in fresh databases, figures tagged with the build
    for p in lmdb sqlite; do
        rm -rf "$work/run" && mkdir "$work/run"
        if [ $p = lmdb ]; then db=$work/run; else db=$work/run/bench.db; fi
        "$work/$p-$1" "$db" | sed "s/^/$1 /" >>"$work/figures"
    done
}

i=0
while [ $i -lt "$RUNS" ]; do
    run_once mmf
    run_once native
    i=$((i + 1))
done

sort -k1,1 -k2,2 -k3,3n "$work/figures" | awk -v runs="$RUNS" '
    { key = $1 " " $2; v[key, ++n[key]] = $3; unit[$2] = $4; names[$2] = 1 }
    END {
        for (k in n) { c = n[k]; med[k] = (c % 2) ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2 }
        printf "%-24s %10s %10s %11s\n", "benchmark", "mmf", "native", "mmf/native"
        for (f in names) {
            m = med["mmf " f]; nv = med["native " f]
            printf "%-24s %10.4g %10.4g %11.3f   (%s, median of %d)\n", f, m, nv, m / nv,
                unit[f], runs
        }
    }' | { read -r header; echo "$header"; sort; }
