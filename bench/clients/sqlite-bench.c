/* SQLite's throughput in WAL mode, built twice by bench/clients/run.sh: on SQLite's
 * Windows VFS (os_win.c) against mmf, and with its own unix VFS. Only SQLite's API and C11
 * are used here, so both builds run the same workload.
 *   sqlite-bench FILE   (FILE must not exist)
 * Prints "figure value unit" lines, as the programs in bench/ do. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite3.h"
#include "workload.h"

#define ROWS 100000
#define VALUE 100

static sqlite3 *db;

static void check(int rc, int want, const char *what)
{
    if (rc != want) {
        fprintf(stderr, "sqlite-bench: %s: %s\n", what, sqlite3_errmsg(db));
        exit(2);
    }
}

static void exec(const char *sql)
{
    check(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, sql);
}

static sqlite3_stmt *prepare(const char *sql)
{
    sqlite3_stmt *s;
    check(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK, sql);
    return s;
}

static int64_t next_row(void)
{
    return (int64_t)random_below(ROWS) + 1;
}

/* One row per statement, each its own transaction (autocommit). */
static unsigned long insert(sqlite3_stmt *s, int64_t id)
{
    static const char value[VALUE];
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_blob(s, 2, value, sizeof value, SQLITE_STATIC);
    check(sqlite3_step(s), SQLITE_DONE, "insert");
    sqlite3_reset(s);
    return 1;
}

static double inserts(sqlite3_stmt *s)
{
    unsigned long n = 0;
    double start = now(), t;
    do
        n += insert(s, ROWS + 1 + (int64_t)n);
    while ((t = now() - start) < SECONDS);
    return n / t;
}

/* Point reads by key, each its own read transaction: each takes the WAL index's read lock. */
static double point_reads(void)
{
    sqlite3_stmt *s = prepare("SELECT length(v) FROM t WHERE id = ?");
    unsigned long n = 0;
    double start = now(), t;
    do {
        for (int i = 0; i < 1000; i++) {
            sqlite3_bind_int64(s, 1, next_row());
            check(sqlite3_step(s), SQLITE_ROW, "select");
            if (sqlite3_column_int(s, 0) != VALUE)
                check(SQLITE_CORRUPT, SQLITE_OK, "value");
            sqlite3_reset(s);
        }
        n += 1000;
    } while ((t = now() - start) < SECONDS);
    sqlite3_finalize(s);
    return n / t;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: sqlite-bench FILE\n");
        return 1;
    }
    check(sqlite3_open(argv[1], &db), SQLITE_OK, "open");
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
         "CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB)");
    sqlite3_stmt *s = prepare("INSERT INTO t VALUES (?, ?)");
    exec("BEGIN");
    for (int64_t id = 1; id <= ROWS; id++)
        insert(s, id);
    exec("COMMIT");

    printf("sqlite_wal_inserts %.6g kinserts/s\n", inserts(s) / 1e3);
    sqlite3_finalize(s);
    printf("sqlite_wal_point_reads %.6g Mreads/s\n", point_reads() / 1e6);
    sqlite3_close(db);
    return 0;
}
