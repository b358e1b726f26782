/*
 * store_backend.c — which store the store tests run against: SQLite files
 * (the default), or with OCC_PG_CONNINFO set (tests/pg/run.sh, through
 * tests/lib/with-pg.sh) the PostgreSQL database it names, whose schema is
 * dropped before each test that wants a fresh store.
 */
#include <errno.h>
#include <stdlib.h>
#include <libpq-fe.h>
#include <re.h>
#include "unit.h"
#include "store/store.h"

const char *unit_pg(void)
{
	const char *c = getenv("OCC_PG_CONNINFO");

	return c && *c ? c : NULL;
}

int unit_pg_sql(const char *sql, long long *valp)
{
	PGconn *c = PQconnectdb(unit_pg());
	PGresult *r = NULL;
	int err = EIO;

	if (PQstatus(c) == CONNECTION_OK) {
		PQclear(PQexec(c, "SET client_min_messages = warning"));
		r = PQexec(c, sql);
		if (PQresultStatus(r) == PGRES_COMMAND_OK)
			err = 0;
		else if (PQresultStatus(r) == PGRES_TUPLES_OK) {
			err = 0;
			if (valp)
				*valp = PQntuples(r) ?
					atoll(PQgetvalue(r, 0, 0)) : -1;
		}
	}
	PQclear(r);
	PQfinish(c);
	return err;
}

int unit_store_open(struct store **stp, const char *dir, bool fresh)
{
	if (!unit_pg())
		return store_open(stp, dir);
	if (fresh && unit_pg_sql("DROP SCHEMA IF EXISTS public CASCADE;"
				 " CREATE SCHEMA public", NULL))
		return EIO;
	return store_open_backend(stp, "postgresql", NULL, unit_pg());
}
