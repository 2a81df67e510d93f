/* A multi-process driver for LMDB's Windows code path, built against mmf by
 * test/clients/run.sh. Usage: lmdb-procs DIR MODE [N]
 *   writer N   N write transactions, each adding one to the counter (and writing its
 *              check value, a function of it, in the same transaction)
 *   reader N   reads the counter until it reaches N; fails if a snapshot's check value
 *              does not match its counter (a torn or mixed snapshot). It does not fail
 *              when a later transaction sees an older counter: LMDB 0.9.24 allows that
 *              (a reader stalled between reading the last transaction's id and copying
 *              its meta page can copy the next-but-one commit's, written into the same
 *              slot before it is published; its next transaction then sees the one in
 *              between). Its own POSIX build shows it too, once commits are durable and
 *              the machine is loaded; it says how often it saw it.
 *   hold       opens a write transaction, writes, says "in txn" and waits (to be killed)
 *   readhold   opens a read transaction, says "reading" and waits (to be killed)
 *   idle       holds the environment open, says "open" and waits
 *   get        prints the counter
 * It is a Windows program: it knows nothing of mmf. run.sh links it with
 * -Wl,--wrap=WaitForSingleObject so that LMDB's own waits pass through
 * __wrap_WaitForSingleObject below, which hands mmf's result back unchanged and says on
 * standard error when it was WAIT_ABANDONED: LMDB recovers from an abandoned writer mutex
 * silently, and the check wants to see that it was told. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "lmdb.h"

static MDB_env *env;
static MDB_dbi dbi;
static MDB_val key = {7, "counter"}, check_key = {5, "check"};

/* The check value written with counter n. */
static unsigned long long check_of(unsigned long long n)
{
    return n * 0x9E3779B97F4A7C15ULL + 1;
}

DWORD WINAPI __real_WaitForSingleObject(HANDLE h, DWORD ms);

DWORD WINAPI __wrap_WaitForSingleObject(HANDLE h, DWORD ms)
{
    DWORD r = __real_WaitForSingleObject(h, ms);
    if (r == WAIT_ABANDONED)
        fprintf(stderr, "lmdb-procs: a wait returned WAIT_ABANDONED\n");
    return r;
}

static void check(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "lmdb-procs: %s: %s\n", what, mdb_strerror(rc));
        exit(2);
    }
}

static unsigned long long read_value(MDB_txn *txn, MDB_val *k, unsigned long long none)
{
    MDB_val v;
    unsigned long long n = none;
    int rc = mdb_get(txn, dbi, k, &v);
    if (rc == MDB_NOTFOUND)
        return none;
    check(rc, "get");
    if (v.mv_size != sizeof n)
        check(MDB_CORRUPTED, "value size");
    memcpy(&n, v.mv_data, sizeof n);
    return n;
}

/* The counter of txn's snapshot, whose check value must match it. */
static unsigned long long read_counter(MDB_txn *txn)
{
    unsigned long long n = read_value(txn, &key, 0);
    if (read_value(txn, &check_key, check_of(0)) != check_of(n)) {
        fprintf(stderr, "lmdb-procs: counter %llu with a check value of another\n", n);
        exit(3);
    }
    return n;
}

static void put(MDB_txn *txn, MDB_val *k, unsigned long long n)
{
    MDB_val v = {sizeof n, &n};
    check(mdb_put(txn, dbi, k, &v, 0), "put");
}

static void add_one(void)
{
    MDB_txn *txn;
    check(mdb_txn_begin(env, NULL, 0, &txn), "begin");
    unsigned long long n = read_counter(txn) + 1;
    put(txn, &key, n);
    put(txn, &check_key, check_of(n));
    check(mdb_txn_commit(txn), "commit");
}

static void say(const char *s)
{
    printf("%s\n", s);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: lmdb-procs DIR writer|reader|hold|readhold|idle|get [N]\n");
        return 1;
    }
    unsigned long long n = argc > 3 ? strtoull(argv[3], NULL, 10) : 0;
    MDB_txn *txn;
    check(mdb_env_create(&env), "create");
    check(mdb_env_set_mapsize(env, 64 << 20), "mapsize");
    check(mdb_env_set_maxreaders(env, 64), "maxreaders");
    check(mdb_env_open(env, argv[1], 0, 0664), "open");
    /* The main database's handle, from a read transaction: no process waits here for a
     * writer (one may be held or killed on purpose). */
    check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "begin");
    check(mdb_dbi_open(txn, NULL, 0, &dbi), "dbi");
    check(mdb_txn_commit(txn), "commit");
    const char *mode = argv[2];
    if (strcmp(mode, "writer") == 0) {
        for (unsigned long long i = 0; i < n; i++)
            add_one();
    } else if (strcmp(mode, "reader") == 0) {
        unsigned long long last = 0, seen, back = 0;
        DWORD start = GetTickCount();
        do {
            check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "begin read");
            seen = read_counter(txn);
            mdb_txn_abort(txn);
            back += seen < last;
            last = seen;
            if (GetTickCount() - start > 120000) {
                fprintf(stderr, "lmdb-procs: the counter stopped at %llu\n", last);
                return 4;
            }
        } while (seen < n);
        printf("a later snapshot was older %llu times\n", back);
    } else if (strcmp(mode, "hold") == 0) {
        check(mdb_txn_begin(env, NULL, 0, &txn), "begin");
        put(txn, &key, 1ULL << 40);
        put(txn, &check_key, check_of(1ULL << 40));
        say("in txn");
        Sleep(INFINITE);
    } else if (strcmp(mode, "readhold") == 0) {
        check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "begin read");
        say("reading");
        Sleep(INFINITE);
    } else if (strcmp(mode, "idle") == 0) {
        say("open");
        Sleep(INFINITE);
    } else if (strcmp(mode, "get") == 0) {
        check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "begin read");
        printf("%llu\n", read_counter(txn));
        mdb_txn_abort(txn);
    } else {
        fprintf(stderr, "lmdb-procs: unknown mode %s\n", mode);
        return 1;
    }
    mdb_env_close(env);
    return 0;
}
