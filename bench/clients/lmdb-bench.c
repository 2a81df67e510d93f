/* LMDB's throughput, built twice by bench/clients/run.sh: on LMDB's Windows code path
 * against mmf, and as LMDB's own POSIX build. Only LMDB's API and C11 are used here, so
 * the two builds run the same workload; what differs is the code under LMDB.
 *   lmdb-bench DIR   (DIR: an empty directory)
 * Prints "figure value unit" lines, as the programs in bench/ do. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lmdb.h"
#include "workload.h"

#define KEYS 100000
#define VALUE 100

static MDB_env *env;
static MDB_dbi dbi;

static void check(int rc, const char *what)
{
    if (rc) {
        fprintf(stderr, "lmdb-bench: %s: %s\n", what, mdb_strerror(rc));
        exit(2);
    }
}

static uint64_t next_key(void)
{
    return random_below(KEYS);
}

static void put(MDB_txn *txn, uint64_t k)
{
    char value[VALUE];
    memset(value, (int)k, sizeof value);
    MDB_val key = {sizeof k, &k}, val = {sizeof value, value};
    check(mdb_put(txn, dbi, &key, &val, 0), "put");
}

/* Write transactions of one put each, for SECONDS: what a committing writer does. */
static double write_txns(void)
{
    unsigned long n = 0;
    double start = now(), t;
    do {
        MDB_txn *txn;
        check(mdb_txn_begin(env, NULL, 0, &txn), "begin");
        put(txn, next_key());
        check(mdb_txn_commit(txn), "commit");
        n++;
    } while ((t = now() - start) < SECONDS);
    return n / t;
}

/* Point reads, each in its own read transaction (reset and renewed, as servers do). */
static double random_reads(void)
{
    MDB_txn *txn;
    unsigned long n = 0;
    check(mdb_txn_begin(env, NULL, MDB_RDONLY, &txn), "begin read");
    mdb_txn_reset(txn);
    double start = now(), t;
    do {
        for (int i = 0; i < 1000; i++) {
            uint64_t k = next_key();
            MDB_val key = {sizeof k, &k}, val;
            check(mdb_txn_renew(txn), "renew");
            check(mdb_get(txn, dbi, &key, &val), "get");
            if (val.mv_size != VALUE || *(unsigned char *)val.mv_data != (unsigned char)k)
                check(MDB_CORRUPTED, "value");
            mdb_txn_reset(txn);
        }
        n += 1000;
    } while ((t = now() - start) < SECONDS);
    mdb_txn_abort(txn);
    return n / t;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: lmdb-bench DIR\n");
        return 1;
    }
    MDB_txn *txn;
    check(mdb_env_create(&env), "create");
    check(mdb_env_set_mapsize(env, (size_t)1 << 30), "mapsize");
    check(mdb_env_open(env, argv[1], 0, 0664), "open");
    check(mdb_txn_begin(env, NULL, 0, &txn), "begin");
    check(mdb_dbi_open(txn, NULL, 0, &dbi), "dbi");
    for (uint64_t k = 0; k < KEYS; k++)
        put(txn, k);
    check(mdb_txn_commit(txn), "commit");

    printf("lmdb_write_txns %.6g ktxn/s\n", write_txns() / 1e3);
    check(mdb_env_set_flags(env, MDB_NOSYNC, 1), "nosync");
    printf("lmdb_write_txns_nosync %.6g ktxn/s\n", write_txns() / 1e3);
    printf("lmdb_random_reads %.6g Mtxn/s\n", random_reads() / 1e6);
    mdb_env_close(env);
    return 0;
}
