#!/bin/sh
# make check-clients: real programs' Windows code paths on mmf.
#   run.sh BUILD_DIR
# Gets Debian's lmdb and sqlite3 source packages (apt-get source, adding a deb-src entry
# for the configured suite when there is none; the downloads are cached in
# $MMF_CLIENTS_CACHE, default ~/.cache/mmf-clients, never in the tree), builds their
# Windows code paths with the flags of mmf-win32.pc and nothing else, and runs their own
# tests, our drivers (test/clients/*.c) and the seeds' programs. Prints "N passed, N failed"
# last; exits non-zero if anything failed.
set -u
B=$1
top=$(pwd)
work=$top/$B/clients
pass=0
fail=0
. "$top/test/clients/lib.sh"

ok() { pass=$((pass + 1)); echo "ok $((pass + fail)) - $1"; }
bad() { fail=$((fail + 1)); echo "not ok $((pass + fail)) - $1"; [ $# -gt 1 ] && sed 's/^/#   /' "$2" | tail -n 20; }
# check NAME COMMAND...: the command's exit status decides; its output is kept in $work/log.
check() {
    name=$1
    shift
    if "$@" >"$work/log" 2>&1; then ok "$name"; else bad "$name" "$work/log"; fi
}

# wait_line FILE TEXT: until a background process has said it.
wait_line() {
    i=0
    while ! grep -q "$2" "$1" 2>/dev/null && [ $i -lt 200 ]; do
        sleep 0.1
        i=$((i + 1))
    done
    grep -q "$2" "$1"
}

# killed NAME LOG TEXT START AFTER: runs START in the background until it writes TEXT to
# LOG, kills it with -9, then checks AFTER (a shell command).
killed() {
    (eval "exec $4") >"$2" 2>&1 &
    k=$!
    if wait_line "$2" "$3"; then
        kill -9 $k
        wait $k 2>/dev/null
        check "$1" sh -c "$5"
    else
        kill -9 $k 2>/dev/null
        bad "$1 (it never said \"$3\")" "$2"
    fi
}

rm -rf "$work"
mkdir -p "$work"
lmdb_tar=$(fetch lmdb)
sqlite_tar=$(fetch sqlite3)
if [ -z "$lmdb_tar" ] || [ -z "$sqlite_tar" ]; then
    echo "check-clients: could not get the lmdb and sqlite3 source packages" >&2
    exit 2
fi

# --- LMDB --------------------------------------------------------------------------------

L=$work/lmdb
unpack "$lmdb_tar" "$work/lmdb-src"
src=$work/lmdb-src/libraries/liblmdb
mkdir -p "$L/win" "$L/native"
# The Windows code path against mmf, and the program's own POSIX build to compare with.
winlmdb() { # winlmdb OUT SOURCE...
    out=$1
    shift
    # shellcheck disable=SC2086
    cc -std=gnu11 -O2 -w $WIN -I"$src" -o "$L/win/$out" "$@" "$src/mdb.c" "$src/midl.c" $LIBS
}
built=1
for p in mtest mtest2 mtest3 mtest4 mtest5 mdb_stat mdb_copy mdb_dump; do
    winlmdb "$p" "$src/$p.c" >"$work/log" 2>&1 || { bad "LMDB $p builds (Windows path)" "$work/log"; built=0; }
done
winlmdb lmdb-procs "$top/test/clients/lmdb-procs.c" -Wl,--wrap=WaitForSingleObject >"$work/log" 2>&1 ||
    { bad "lmdb-procs builds (Windows path)" "$work/log"; built=0; }
cc -std=gnu11 -O2 -w -o "$L/native/mdb_dump" "$src/mdb_dump.c" "$src/mdb.c" "$src/midl.c" -lpthread ||
    built=0
[ $built = 1 ] && ok "LMDB's Windows code path builds with the mmf-win32 flags"

# LMDB's own tests, each in a fresh environment as its Makefile runs them.
cd "$L"
for t in mtest mtest2 mtest3 mtest4 mtest5; do
    rm -rf testdb && mkdir testdb
    check "LMDB $t" "$L/win/$t"
done
rm -rf testdb && mkdir testdb
"$L/win/mtest" >/dev/null 2>&1
check "LMDB mdb_stat" sh -c "'$L/win/mdb_stat' -ef testdb | grep -q 'Entries:'"

# mdb_copy three ways; each copy dumps (native mdb_dump) as the original does.
"$L/native/mdb_dump" testdb >orig.dump 2>"$work/log"
grep -q '^VERSION=3' orig.dump || bad "LMDB: the native mdb_dump reads the Windows path's database" "$work/log"
rm -rf c1 c2 c3 && mkdir c1 c2 c3
check "LMDB mdb_copy" sh -c "'$L/win/mdb_copy' testdb c1 && '$L/native/mdb_dump' c1 | cmp -s orig.dump -"
check "LMDB mdb_copy -c (compacting)" \
    sh -c "'$L/win/mdb_copy' -c testdb c2 && '$L/native/mdb_dump' c2 | cmp -s orig.dump -"
check "LMDB mdb_copy to standard output" \
    sh -c "'$L/win/mdb_copy' testdb > c3/data.mdb && '$L/native/mdb_dump' c3 | cmp -s orig.dump -"
check "LMDB mdb_dump (Windows path) matches the native one" \
    sh -c "'$L/win/mdb_dump' testdb | cmp -s orig.dump -"

# Four writers and two readers at once: the exact sum, and every snapshot a whole one
# (lmdb-procs says why a later snapshot may be older, as in LMDB's own POSIX build).
P=$L/win/lmdb-procs
rm -rf procs && mkdir procs
pids=
for i in 1 2 3 4; do
    "$P" procs writer 500 >"w$i.log" 2>&1 &
    pids="$pids $!"
done
"$P" procs reader 2000 >r1.log 2>&1 &
r1=$!
"$P" procs reader 2000 >r2.log 2>&1 &
r2=$!
st=0
for p in $pids $r1 $r2; do wait "$p" || st=1; done
cat w*.log r*.log >"$work/log"
if [ $st = 0 ] && [ "$("$P" procs get)" = 2000 ]; then
    ok "LMDB: 4 writer and 2 reader processes, exact counter, whole snapshots"
else
    bad "LMDB: 4 writer and 2 reader processes" "$work/log"
fi


# A writer killed with -9 inside its transaction while another process holds the
# environment: the next writer's wait returns WAIT_ABANDONED (lmdb-procs says so), LMDB
# recovers, and the data is what was committed before.
"$P" procs idle >idle.log 2>&1 &
idle=$!
wait_line idle.log open
killed "LMDB: the next writer after a writer killed -9 in its transaction" hold.log "in txn" \
    "'$P' procs hold" "'$P' procs writer 1 >after.log 2>&1 && grep -q WAIT_ABANDONED after.log &&
     test \"\$('$P' procs get)\" = 2001"

# A reader killed -9 leaves its slot (as did the writer above); while the environment stays
# open elsewhere (a last close resets the reader table), mdb_stat -rr finds their processes
# gone (OpenProcess) and clears them, and a second look finds none.
killed "LMDB: killed readers' slots are cleared through OpenProcess" rh.log reading \
    "'$P' procs readhold" \
    "'$L/win/mdb_stat' -rr procs | grep -Eq ' [1-9][0-9]* stale readers cleared' &&
     '$L/win/mdb_stat' -rr procs | grep -q ' 0 stale readers cleared'"
kill -9 $idle 2>/dev/null
wait $idle 2>/dev/null
cd "$top"

# --- SQLite ------------------------------------------------------------------------------

S=$work/sqlite
unpack "$sqlite_tar" "$work/sqlite-src"
if sqlite_amalgamation "$work/sqlite-src" "$S/amalg"; then
    ok "SQLite amalgamation made"
else
    bad "SQLite amalgamation made (needs tclsh)"
fi
winsqlite() { # winsqlite OUT SOURCE...
    out=$1
    shift
    # shellcheck disable=SC2086
    cc -std=gnu11 -O2 -w $WIN -DSQLITE_THREADSAFE=1 -I"$S/amalg" -o "$S/$out" "$@" \
        "$S/amalg/sqlite3.c" $LIBS
}
check "SQLite's Windows code path builds with the mmf-win32 flags (mptest)" \
    winsqlite mptest "$work/sqlite-src/mptest/mptest.c"
check "sqlite-wal builds (Windows path)" winsqlite sqlite-wal "$top/test/clients/sqlite-wal.c"

# mptest as SQLite's main.mk runs it: its clients are processes it starts with
# CreateProcessA, sharing one database through mmf's locks and mappings.
cd "$S"
for mode in delete wal; do
    for t in crash01 multiwrite01; do
        rm -f mptest.db*
        check "SQLite mptest $t, journal mode $mode" \
            ./mptest mptest.db "$work/sqlite-src/mptest/$t.test" --repeat 20 --journalmode "$mode"
    done
done

# WAL between processes: three writers and a reader, then a writer killed -9 in a
# transaction; integrity_check stays ok and only committed rows count.
rm -f wal.db*
./sqlite-wal wal.db init >"$work/log" 2>&1
pids=
for i in 1 2 3; do
    ./sqlite-wal wal.db writer 300 >"sw$i.log" 2>&1 &
    pids="$pids $!"
done
./sqlite-wal wal.db reader 900 >sr.log 2>&1 &
pids="$pids $!"
st=0
for p in $pids; do wait "$p" || st=1; done
cat sw*.log sr.log >"$work/log"
if [ $st = 0 ] && [ "$(./sqlite-wal wal.db count)" = 900 ] && ./sqlite-wal wal.db check >>"$work/log" 2>&1; then
    ok "SQLite WAL: 3 writer processes and a reader, integrity_check ok"
else
    bad "SQLite WAL: 3 writer processes and a reader" "$work/log"
fi
killed "SQLite WAL: a writer killed -9 in a transaction leaves the database whole" sh.log \
    "in txn" "./sqlite-wal wal.db hold" \
    "./sqlite-wal wal.db writer 1 && test \"\$(./sqlite-wal wal.db count)\" = 901 &&
     ./sqlite-wal wal.db check"
cd "$top"

# --- The seeds' programs -----------------------------------------------------------------

sh "$top/test/clients/seeds.sh" "$B" "$work/seeds" >"$work/seeds.log" 2>&1
while read -r line; do
    case $line in
    "ok "*) ok "${line#ok * - }" ;;
    "not ok "*) bad "${line#not ok * - }" "$work/seeds.log" ;;
    esac
done <"$work/seeds.log"

echo "$pass passed, $fail failed"
[ $fail = 0 ]
