/*
 * schema.c — the SQLite schema as an ordered list of migration steps.
 *
 * PRAGMA user_version holds the number of steps applied. Opening a database
 * runs the missing steps in order, each in its own IMMEDIATE transaction that
 * re-reads user_version first, so occd and occctl opening the same new file
 * at once cannot both apply a step. A file with a higher version than
 * migrations[] knows was written by a newer occ and is refused (ENOTSUP):
 * guessing at a newer schema could lose data.
 *
 * To change the schema: append a step. Never edit or reorder a step that has
 * shipped; databases in the field have already run it.
 */
#include <errno.h>
#include <stdio.h>
#include <sqlite3.h>
#define LOG_TOPIC "store"
#include "base/log.h"
#include "store/store_impl.h"

struct migration {
	const char *what;
	const char *sql;
};

static const struct migration migrations[] = {
	{ "initial schema",
	  "CREATE TABLE teams ("
	  "  id INTEGER PRIMARY KEY,"
	  "  name TEXT NOT NULL UNIQUE);"
	  "CREATE TABLE accounts ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  name TEXT NOT NULL,"
	  "  pwhash TEXT NOT NULL,"
	  "  enabled INTEGER NOT NULL DEFAULT 1,"
	  "  agent_id INTEGER REFERENCES agents(id) ON DELETE SET NULL,"
	  "  UNIQUE (team_id, name));"
	  "CREATE INDEX accounts_agent ON accounts(agent_id);"
	  "CREATE TABLE agents ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  account_id INTEGER REFERENCES accounts(id) ON DELETE SET NULL,"
	  "  number TEXT NOT NULL,"
	  "  name TEXT NOT NULL DEFAULT '',"
	  "  pwhash TEXT NOT NULL,"
	  "  exten TEXT NOT NULL DEFAULT '',"
	  "  UNIQUE (team_id, number));"
	  "CREATE INDEX agents_account ON agents(account_id);"
	  /* AUTOINCREMENT: an agent_group_id is visible to integrations, so
	   * an automatic id must never reuse one that was deleted. */
	  "CREATE TABLE agent_groups ("
	  "  id INTEGER PRIMARY KEY AUTOINCREMENT CHECK (id > 0),"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  name TEXT NOT NULL,"
	  "  queue TEXT NOT NULL,"
	  "  acw_mode INTEGER NOT NULL DEFAULT 3 CHECK (acw_mode BETWEEN 1 AND 3),"
	  "  work_mode INTEGER NOT NULL DEFAULT 0 CHECK (work_mode BETWEEN 0 AND 2),"
	  "  UNIQUE (team_id, queue));"
	  "CREATE TABLE members ("
	  "  group_id INTEGER NOT NULL REFERENCES agent_groups(id) ON DELETE CASCADE,"
	  "  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	  "  dynamic INTEGER NOT NULL DEFAULT 0,"
	  "  leader INTEGER NOT NULL DEFAULT 0,"
	  "  checked_in INTEGER NOT NULL DEFAULT 0,"
	  "  acw_mode INTEGER NOT NULL DEFAULT 3 CHECK (acw_mode BETWEEN 1 AND 3),"
	  "  work_mode INTEGER NOT NULL DEFAULT 0 CHECK (work_mode BETWEEN 0 AND 2),"
	  "  PRIMARY KEY (group_id, agent_id)) WITHOUT ROWID;"
	  "CREATE INDEX members_agent ON members(agent_id);"
	  "CREATE TABLE extensions ("
	  "  id INTEGER PRIMARY KEY,"
	  "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
	  "  number TEXT NOT NULL,"
	  "  ha1 TEXT NOT NULL DEFAULT '',"
	  "  kind TEXT NOT NULL DEFAULT 'sip' CHECK (kind IN ('sip', 'virtual')),"
	  "  UNIQUE (team_id, number));"
	  "CREATE TABLE agent_state ("
	  "  agent_id INTEGER PRIMARY KEY REFERENCES agents(id) ON DELETE CASCADE,"
	  "  logged_in INTEGER NOT NULL DEFAULT 0,"
	  "  device TEXT NOT NULL DEFAULT '',"
	  "  state INTEGER NOT NULL DEFAULT 0,"
	  "  pause_reason TEXT NOT NULL DEFAULT '',"
	  "  since_ms INTEGER NOT NULL DEFAULT 0);"
	  "CREATE TABLE state_log ("
	  "  id INTEGER PRIMARY KEY,"
	  "  agent_id INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,"
	  "  ts_ms INTEGER NOT NULL,"
	  "  state INTEGER NOT NULL,"
	  "  pause_reason TEXT NOT NULL DEFAULT '');"
	  "CREATE INDEX state_log_agent_ts ON state_log(agent_id, ts_ms);" },
};

enum { N_MIGRATIONS = sizeof(migrations) / sizeof(migrations[0]) };

int sqlite_schema_version(void)
{
	return N_MIGRATIONS;
}

static int exec(sqlite3 *db, const char *sql, const char *what)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	OCC_ERR("schema: %s: %s", what, msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return EIO;
}

static int user_version(sqlite3 *db, int *vp)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL)) {
		OCC_ERR("schema: user_version: %s", sqlite3_errmsg(db));
		return EIO;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*vp = sqlite3_column_int(st, 0);
	else
		OCC_ERR("schema: user_version: %s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : EIO;
}

static int check_known(int v)
{
	if (v <= N_MIGRATIONS)
		return 0;
	OCC_ERR("schema: database version %d is newer than this build "
		"supports (%d); upgrade occ", v, (int)N_MIGRATIONS);
	return ENOTSUP;
}

/* Apply step v (0-based) unless another process got there first. */
static int apply_step(sqlite3 *db, int v)
{
	char set[64];
	int cur, err;

	err = exec(db, "BEGIN IMMEDIATE", "begin");
	if (err)
		return err;
	err = user_version(db, &cur);
	if (!err)
		err = check_known(cur);
	if (err || cur != v)
		goto out;
	/* PRAGMA takes no bound parameters; v is our own small integer. */
	snprintf(set, sizeof(set), "PRAGMA user_version = %d", v + 1);
	err = exec(db, migrations[v].sql, migrations[v].what);
	if (!err)
		err = exec(db, set, "set user_version");
	if (!err) {
		OCC_INFO("schema: migrated to version %d (%s)", v + 1,
			 migrations[v].what);
	}
 out:
	if (err) {
		(void)exec(db, "ROLLBACK", "rollback");
		return err;
	}
	return exec(db, "COMMIT", "commit");
}

int sqlite_schema_migrate(sqlite3 *db)
{
	int v, err;

	err = user_version(db, &v);
	if (err)
		return err;
	err = check_known(v);
	while (!err && v < N_MIGRATIONS) {
		err = apply_step(db, v);
		if (!err)
			err = user_version(db, &v);
	}
	return err;
}
