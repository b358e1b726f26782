/*
 * unit.h — the unit-test harness. Each tests/unit/test_*.c file defines
 * test functions with UNIT_TEST(name) and they register themselves; main.c
 * runs them all and prints "N passed, N failed".
 */
#ifndef OCC_UNIT_H
#define OCC_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

typedef void (unit_fn)(int *failed);
void unit_register(const char *name, unit_fn *fn);

/* All a file written so far holds (a tmpfile a log went to), as a
 * calloc'ed string; and how often what occurs in s. */
char *unit_read_all(FILE *f);
unsigned unit_count(const char *s, const char *what);

/* The store under test (store_backend.c): SQLite in dir, or with
 * OCC_PG_CONNINFO set the PostgreSQL database it names (unit_pg() returns
 * it), emptied first if fresh. unit_pg_sql runs SQL there on a connection
 * of its own (*valp: the first column of the first row, -1 if none). */
struct store;
const char *unit_pg(void);
int unit_store_open(struct store **stp, const char *dir, bool fresh);
int unit_pg_sql(const char *sql, long long *valp);
/* A test that does not apply here: it says why and passes as a TAP skip. */
void unit_skip(const char *why);
#define UT_SKIP_IF(cond, why) do { if (cond) { unit_skip(why); return; } \
	} while (0)

#define UNIT_TEST(name) \
	static void name(int *unit_failed_); \
	__attribute__((constructor)) static void reg_##name(void) \
	{ unit_register(#name, name); } \
	static void name(int *unit_failed_)

#define UT_ASSERT(cond) do { if (!(cond)) { \
	fprintf(stderr, "  %s:%d: assertion failed: %s\n", __FILE__, \
		__LINE__, #cond); (*unit_failed_)++; return; } } while (0)
#define UT_EQ_INT(a, b) do { long long a_ = (a), b_ = (b); if (a_ != b_) { \
	fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n", __FILE__, \
		__LINE__, #a, a_, b_); (*unit_failed_)++; return; } } while (0)
#define UT_EQ_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
	if (!a_ || !b_ || strcmp(a_, b_)) { \
	fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__, \
		__LINE__, #a, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	(*unit_failed_)++; return; } } while (0)

#endif
