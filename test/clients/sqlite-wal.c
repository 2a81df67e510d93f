/* A multi-process WAL driver for SQLite's Windows code path, built against mmf by
 * test/clients/run.sh. Usage: sqlite-wal DB MODE [N]
 *   init       creates the table, in WAL mode
 *   writer N   N transactions, each inserting one row
 *   reader N   counts rows until there are N; fails if the count ever goes back
 *   hold       begins a write transaction, inserts, says "in txn" and waits (to be killed)
 *   count      prints the number of rows
 *   check      runs PRAGMA integrity_check; fails unless it says ok
 * It is a Windows program: it knows nothing of mmf. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>

#include "sqlite3.h"

static sqlite3 *db;

static void check(int rc, const char *what)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
        fprintf(stderr, "sqlite-wal: %s: %s\n", what, sqlite3_errmsg(db));
        exit(2);
    }
}

static void exec(const char *sql)
{
    check(sqlite3_exec(db, sql, NULL, NULL, NULL), sql);
}

static long long count(void)
{
    sqlite3_stmt *st;
    check(sqlite3_prepare_v2(db, "SELECT count(*) FROM t", -1, &st, NULL), "prepare");
    check(sqlite3_step(st), "count");
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: sqlite-wal DB init|writer|reader|hold|count|check [N]\n");
        return 1;
    }
    long long n = argc > 3 ? atoll(argv[3]) : 0;
    const char *mode = argv[2];
    check(sqlite3_open(argv[1], &db), "open");
    sqlite3_busy_timeout(db, 60000);
    if (strcmp(mode, "init") == 0) {
        exec("PRAGMA journal_mode=WAL");
        exec("CREATE TABLE t(id INTEGER PRIMARY KEY, pid INTEGER, payload BLOB)");
    } else if (strcmp(mode, "writer") == 0) {
        char sql[200];
        for (long long i = 0; i < n; i++) {
            snprintf(sql, sizeof sql,
                     "BEGIN IMMEDIATE; INSERT INTO t(pid, payload) VALUES(%lu, randomblob(300));"
                     " COMMIT;",
                     (unsigned long)GetCurrentProcessId());
            exec(sql);
        }
    } else if (strcmp(mode, "reader") == 0) {
        long long last = 0, seen;
        DWORD start = GetTickCount();
        do {
            seen = count();
            if (seen < last) {
                fprintf(stderr, "sqlite-wal: the count went back from %lld to %lld\n", last, seen);
                return 3;
            }
            last = seen;
            if (GetTickCount() - start > 120000) {
                fprintf(stderr, "sqlite-wal: the count stopped at %lld\n", last);
                return 4;
            }
        } while (seen < n);
    } else if (strcmp(mode, "hold") == 0) {
        exec("BEGIN IMMEDIATE; INSERT INTO t(pid, payload) VALUES(0, randomblob(5000))");
        printf("in txn\n");
        fflush(stdout);
        Sleep(INFINITE);
    } else if (strcmp(mode, "count") == 0) {
        printf("%lld\n", count());
    } else if (strcmp(mode, "check") == 0) {
        sqlite3_stmt *st;
        check(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), "prepare");
        check(sqlite3_step(st), "integrity_check");
        const char *r = (const char *)sqlite3_column_text(st, 0);
        int good = r && strcmp(r, "ok") == 0;
        if (!good)
            fprintf(stderr, "sqlite-wal: integrity_check: %s\n", r ? r : "(nothing)");
        sqlite3_finalize(st);
        if (!good)
            return 5;
    } else {
        fprintf(stderr, "sqlite-wal: unknown mode %s\n", mode);
        return 1;
    }
    sqlite3_close(db);
    return 0;
}
