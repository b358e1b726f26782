/*
 * test_sqlite_ckpt.c — WAL checkpoints on their own thread (sqlite_ckpt.c):
 * a writer committing page after page, as occd's loop does pass after
 * pass, keeps a bounded WAL although it never checkpoints itself, and
 * nothing it committed is lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sqlite3.h>
#include <re.h>
#include "unit.h"
#include "store/sqlite_ckpt.h"
#include "store/store.h"

enum {
	ROWS = 24000,            /* one page each: ~94 MiB through the WAL */
	BURST = 40,              /* commits of a "pass", then a pause */
	WAL_BOUND = 64 << 20,    /* 32 MiB rewind point, and the thread's lag
	                          * on a loaded machine (42 MB seen in CI);
	                          * without rewinds it would reach ~94 MiB */
};

static long long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) ? -1 : (long long)sb.st_size;
}

static void pause_us(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static int count_rows(const char *path, int *np)
{
	sqlite3 *db;
	sqlite3_stmt *q = NULL;
	int rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE"
					" length(b) = 3000", -1, &q, NULL);
	if (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW)
		*np = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return rc;
}

UNIT_TEST(sqlite_ckpt_keeps_the_wal_bounded)
{
	char dir[] = "/tmp/occ-ckpt-XXXXXX", path[64], wal[72], cmd[96];
	struct sqlite_ckpt *c = NULL;
	struct sqlite_ckpt_stats stats = { 0 };
	sqlite3 *db = NULL;
	sqlite3_stmt *ins = NULL;
	long long wal_max = 0, sz;
	int rows = -1, rc, i;

	UT_ASSERT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/occ.db", dir);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(db, "PRAGMA journal_mode = WAL;"
				  "PRAGMA synchronous = NORMAL;"
				  "CREATE TABLE t (id INTEGER PRIMARY KEY,"
				  " b BLOB)", NULL, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, "INSERT INTO t (b) VALUES"
					" (zeroblob(3000))", -1, &ins, NULL);
	UT_EQ_INT(rc, SQLITE_OK);
	UT_EQ_INT(sqlite_ckpt_start(&c, db, path), 0);

	for (i = 0; i < ROWS && rc == SQLITE_OK; i++) {
		rc = sqlite3_step(ins) == SQLITE_DONE ? SQLITE_OK : SQLITE_ERROR;
		sqlite3_reset(ins);
		if (i % BURST == BURST - 1) {
			sz = file_size(wal);
			if (sz > wal_max)
				wal_max = sz;
			pause_us(300);
		}
	}
	UT_EQ_INT(rc, SQLITE_OK);
	sqlite_ckpt_stats(c, &stats);
	c = mem_deref(c);
	sqlite3_finalize(ins);
	UT_EQ_INT(sqlite3_close(db), SQLITE_OK);

	UT_EQ_INT(count_rows(path, &rows), SQLITE_OK);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);

	/* every row written (each one page: more pages than 2 bounds) */
	UT_EQ_INT(rows, ROWS);
	UT_ASSERT(wal_max > 0);
	if (wal_max > WAL_BOUND)
		fprintf(stderr, "WAL reached %lld bytes\n", wal_max);
	UT_ASSERT(wal_max <= WAL_BOUND);
	/* the thread copied, the writer only rewound (at least once: the
	 * bound is below what the rows wrote) */
	UT_ASSERT(stats.runs >= 8);
	UT_ASSERT(stats.catchups >= 1);
	UT_EQ_INT(stats.forced, 0);
}

UNIT_TEST(sqlite_store_background_on_off)
{
	char dir[] = "/tmp/occ-ckpt-XXXXXX", cmd[64];
	struct store *st = NULL;
	int64_t id = 0;

	UT_ASSERT(mkdtemp(dir) != NULL);
	UT_EQ_INT(store_open(&st, dir), 0);
	UT_EQ_INT(store_background(st, true), 0);
	UT_EQ_INT(store_background(st, true), 0);      /* already on */
	UT_EQ_INT(store_team_add(st, "a", &id), 0);
	UT_EQ_INT(store_background(st, false), 0);
	UT_EQ_INT(store_team_add(st, "b", &id), 0);
	UT_EQ_INT(store_background(st, true), 0);
	st = mem_deref(st);                              /* on at close */
	UT_EQ_INT(store_background(NULL, true), EINVAL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
}
