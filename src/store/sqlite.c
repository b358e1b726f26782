/*
 * sqlite.c — the SQLite store backend: <dir>/occ.db in WAL mode.
 *
 * occd and occctl write the same file concurrently, so every connection sets
 * busy_timeout (5 s) and write transactions start IMMEDIATE (a deferred one
 * upgrading to a writer could fail with SQLITE_BUSY without waiting).
 * synchronous=NORMAL is durable across process crashes in WAL mode; a power
 * loss may drop the last transactions but never corrupts the file.
 *
 * Every write is one statement from stmt_sql[], prepared once and kept for
 * the life of the store, with user data only ever bound, never spliced.
 * Statements whose validity depends on a second row (an account linked to an
 * agent, a member whose agent and group must share a team) carry the check
 * in the same statement, so they stay atomic without a transaction. The few
 * writes that need two statements (a new default trunk clears the old one;
 * closing interrupted calls and their legs) run between op_begin() and
 * op_end(), a savepoint that undoes both on error. store_counter_next() is
 * one UPSERT ... RETURNING, so occd and occctl can both draw from a counter.
 * store_load(), store_state_log_visit(), store_cdr_visit() and
 * store_event_visit() prepare their own statements because their callbacks
 * may call back into the store.
 *
 * SQLite errors map to errno values: a UNIQUE or PRIMARY KEY conflict is
 * EEXIST, a missing parent row (FOREIGN KEY) is ENOENT, a CHECK is EINVAL,
 * anything else is logged and returned as EIO.
 *
 * To add a write: one enum stmt_id value, one stmt_sql[] row, one function
 * calling exec() or row1(), one member in sqlite_ops.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sqlite3.h>
#include <re.h>
#define LOG_TOPIC "store"
#include "base/log.h"
#include "store/sqlite_ckpt.h"
#include "store/store_impl.h"

enum { BUSY_TIMEOUT_MS = 5000 };

enum stmt_id {
	S_BEGIN_W, S_BEGIN_R, S_COMMIT, S_ROLLBACK,
	S_TEAM_ADD, S_TEAM_DEL, S_TEAM_GET,
	S_ACCOUNT_ADD, S_ACCOUNT_DEL, S_ACCOUNT_PW, S_ACCOUNT_EN,
	S_AGENT_ADD, S_AGENT_DEL, S_AGENT_PW, S_AGENT_INFO, S_AGENT_GET,
	S_GROUP_ADD, S_GROUP_DEL, S_GROUP_SET,
	S_MEMBER_ADD, S_MEMBER_DEL, S_MEMBER_STATE,
	S_EXTEN_ADD, S_EXTEN_DEL, S_EXTEN_HA1,
	S_AGENT_STATE, S_LOG_ADD, S_LOG_PRUNE,
	S_SAVEPOINT, S_RELEASE, S_ROLLBACK_TO,
	S_TRUNK_ADD, S_TRUNK_DEL, S_TRUNK_SET, S_TRUNK_UNDEFAULT,
	S_TRUNK_DEFAULT,
	S_SETTING_SET, S_SETTING_DEL,
	S_REG_SAVE, S_REG_DEL,
	S_CDR_BEGIN, S_CDR_END, S_CDR_LEG, S_CDR_GET,
	S_CDR_CLOSE_LEGS, S_CDR_CLOSE,
	S_COUNTER_NEXT,
	S_EVENT_ADD, S_EVENT_LAST, S_EVENT_SINCE, S_EVENT_PRUNE,
	S_CURSOR_GET, S_CURSOR_SET,
	S_ROUTING_SET, S_ROUTING_DEL, S_ROUTING_GET,
	S_COUNT
};

/* The columns of a CDR, in the order read_cdr() reads them and the
 * INSERT/UPDATE below bind them; a deleted team's calls read team 0. */
#define CDR_COLS "sessionid, COALESCE(team_id, 0), agent, direction," \
	" caller, callee, calldate, start_ms, answer_ms, end_ms," \
	" disposition, hangup_by, recording, modeltype, model_id," \
	" userdata, vars, account, queue, queue_wait_ms, abandoned, ivrpath"
#define CDR_COLS_W "sessionid, team_id, agent, direction," \
	" caller, callee, calldate, start_ms, answer_ms, end_ms," \
	" disposition, hangup_by, recording, modeltype, model_id," \
	" userdata, vars, account, queue, queue_wait_ms, abandoned, ivrpath"
#define LEG_COLS "sessionid, uniqueid, channel, role, peer, start_ms," \
	" answer_ms, end_ms, disposition"
/* The columns of an event, in the order read_event() reads them. */
#define EVENT_COLS "team_id, eventid, ts_ms, agent1, agent2, text"

static const char *const stmt_sql[S_COUNT] = {
	[S_BEGIN_W]  = "BEGIN IMMEDIATE",
	[S_BEGIN_R]  = "BEGIN",
	[S_COMMIT]   = "COMMIT",
	[S_ROLLBACK] = "ROLLBACK",
	[S_TEAM_ADD] = "INSERT INTO teams (name) VALUES (?1)",
	[S_TEAM_DEL] = "DELETE FROM teams WHERE name = ?1",
	[S_TEAM_GET] = "SELECT id, name FROM teams WHERE name = ?1",
	/* ?5 '' links no agent; a named agent must exist in the team. */
	[S_ACCOUNT_ADD] =
		"INSERT INTO accounts (team_id, name, pwhash, enabled, agent_id)"
		" SELECT ?1, ?2, ?3, ?4,"
		"  (SELECT id FROM agents WHERE team_id = ?1 AND number = ?5)"
		" WHERE ?5 = '' OR EXISTS (SELECT 1 FROM agents"
		"  WHERE team_id = ?1 AND number = ?5)",
	[S_ACCOUNT_DEL] = "DELETE FROM accounts WHERE team_id = ?1 AND name = ?2",
	[S_ACCOUNT_PW] = "UPDATE accounts SET pwhash = ?3"
		" WHERE team_id = ?1 AND name = ?2",
	[S_ACCOUNT_EN] = "UPDATE accounts SET enabled = ?3"
		" WHERE team_id = ?1 AND name = ?2",
	/* ?2 NULL: no account; otherwise it must belong to the same team. */
	[S_AGENT_ADD] =
		"INSERT INTO agents (team_id, account_id, number, name, pwhash,"
		" exten) SELECT ?1, ?2, ?3, ?4, ?5, ?6"
		" WHERE ?2 IS NULL OR EXISTS (SELECT 1 FROM accounts"
		"  WHERE id = ?2 AND team_id = ?1)",
	[S_AGENT_DEL] = "DELETE FROM agents WHERE team_id = ?1 AND number = ?2",
	[S_AGENT_PW] = "UPDATE agents SET pwhash = ?3"
		" WHERE team_id = ?1 AND number = ?2",
	[S_AGENT_INFO] = "UPDATE agents SET name = COALESCE(?3, name),"
		" exten = COALESCE(?4, exten) WHERE team_id = ?1 AND number = ?2",
	[S_AGENT_GET] = "SELECT id, team_id, COALESCE(account_id, 0), number,"
		" name, pwhash, exten FROM agents"
		" WHERE team_id = ?1 AND number = ?2",
	/* ?1 NULL lets SQLite choose the id. */
	[S_GROUP_ADD] = "INSERT INTO agent_groups (id, team_id, name, queue,"
		" acw_mode, work_mode, acw_s) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
	[S_GROUP_DEL] = "DELETE FROM agent_groups WHERE id = ?2"
		" AND team_id = ?1",
	[S_GROUP_SET] = "UPDATE agent_groups SET name = COALESCE(?3, name),"
		" acw_s = CASE WHEN ?4 < 0 THEN acw_s ELSE ?4 END"
		" WHERE id = ?2 AND team_id = ?1",
	/* Agent and group must share a team; acw_mode 0 takes the group's. */
	[S_MEMBER_ADD] =
		"INSERT INTO members (group_id, agent_id, dynamic, leader,"
		" checked_in, acw_mode, work_mode)"
		" SELECT g.id, a.id, ?3, ?4, ?5,"
		"  CASE ?6 WHEN 0 THEN g.acw_mode ELSE ?6 END, ?7"
		" FROM agent_groups g JOIN agents a ON a.team_id = g.team_id"
		" WHERE g.id = ?1 AND a.id = ?2",
	[S_MEMBER_DEL] = "DELETE FROM members WHERE group_id = ?1"
		" AND agent_id = ?2",
	[S_MEMBER_STATE] = "UPDATE members SET checked_in = ?3, acw_mode = ?4,"
		" work_mode = ?5 WHERE group_id = ?1 AND agent_id = ?2",
	[S_EXTEN_ADD] = "INSERT INTO extensions (team_id, number, ha1, kind)"
		" VALUES (?1, ?2, ?3, ?4)",
	[S_EXTEN_DEL] = "DELETE FROM extensions WHERE team_id = ?1"
		" AND number = ?2",
	[S_EXTEN_HA1] = "UPDATE extensions SET ha1 = ?3"
		" WHERE team_id = ?1 AND number = ?2",
	[S_AGENT_STATE] =
		"INSERT INTO agent_state (agent_id, logged_in, device, state,"
		" pause_reason, since_ms, default_group_id, dnd)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
		" ON CONFLICT (agent_id) DO UPDATE SET logged_in = ?2,"
		" device = ?3, state = ?4, pause_reason = ?5, since_ms = ?6,"
		" default_group_id = ?7, dnd = ?8",
	[S_LOG_ADD] = "INSERT INTO state_log (agent_id, ts_ms, state,"
		" pause_reason) VALUES (?1, ?2, ?3, ?4)",
	/* each agent's last row before ?2 stays: the state in force then */
	[S_LOG_PRUNE] = "DELETE FROM state_log WHERE id IN"
		" (SELECT s.id FROM agents AS a"
		"  JOIN state_log AS s ON s.agent_id = a.id"
		"  WHERE a.team_id = ?1 AND s.ts_ms < ?2"
		"  AND s.id <> (SELECT l.id FROM state_log AS l"
		"   WHERE l.agent_id = a.id AND l.ts_ms < ?2"
		"   ORDER BY l.ts_ms DESC, l.id DESC LIMIT 1)"
		"  LIMIT ?3)",
	/* op_begin()/op_end(): several statements as one */
	[S_SAVEPOINT]   = "SAVEPOINT occ_op",
	[S_RELEASE]     = "RELEASE occ_op",
	[S_ROLLBACK_TO] = "ROLLBACK TO occ_op",
	[S_TRUNK_ADD] =
		"INSERT INTO trunks (team_id, name, uri, is_default,"
		" do_register, username, password, callerid, strip_prefix,"
		" add_prefix) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[S_TRUNK_DEL] = "DELETE FROM trunks WHERE team_id = ?1 AND name = ?2",
	/* ?8 1: the password is kept */
	[S_TRUNK_SET] = "UPDATE trunks SET uri = ?3, do_register = ?4,"
		" username = ?5, password = CASE WHEN ?8 THEN password"
		" ELSE ?6 END, callerid = ?7, strip_prefix = ?9,"
		" add_prefix = ?10 WHERE team_id = ?1 AND name = ?2",
	/* SQLite checks a UNIQUE index row by row, not at the end of the
	 * statement, so making another trunk the default takes two
	 * statements: clear the old one first. */
	[S_TRUNK_UNDEFAULT] = "UPDATE trunks SET is_default = 0"
		" WHERE team_id = ?1 AND is_default AND name <> ?2",
	[S_TRUNK_DEFAULT] = "UPDATE trunks SET is_default = 1"
		" WHERE team_id = ?1 AND name = ?2",
	[S_SETTING_SET] =
		"INSERT INTO team_settings (team_id, key, value)"
		" VALUES (?1, ?2, ?3)"
		" ON CONFLICT (team_id, key) DO UPDATE SET value = ?3",
	[S_SETTING_DEL] = "DELETE FROM team_settings"
		" WHERE team_id = ?1 AND key = ?2",
	[S_REG_SAVE] =
		"INSERT INTO registrations (team_id, exten, contact, source,"
		" user_agent, expires_ms, path)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
		" ON CONFLICT (team_id, exten, contact) DO UPDATE SET"
		" source = ?4, user_agent = ?5, expires_ms = ?6, path = ?7",
	[S_REG_DEL] = "DELETE FROM registrations WHERE team_id = ?1"
		" AND exten = ?2 AND contact = ?3",
	[S_CDR_BEGIN] =
		"INSERT INTO cdr (" CDR_COLS_W ") VALUES (?1, ?2, ?3, ?4, ?5,"
		" ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
		" ?19, ?20, ?21, ?22)",
	[S_CDR_END] =
		"UPDATE cdr SET team_id = ?2, agent = ?3, direction = ?4,"
		" caller = ?5, callee = ?6, calldate = ?7, start_ms = ?8,"
		" answer_ms = ?9, end_ms = ?10, disposition = ?11,"
		" hangup_by = ?12, recording = ?13, modeltype = ?14,"
		" model_id = ?15, userdata = ?16, vars = ?17, account = ?18,"
		" queue = ?19, queue_wait_ms = ?20, abandoned = ?21,"
		" ivrpath = ?22 WHERE sessionid = ?1",
	[S_CDR_LEG] =
		"INSERT INTO cdr_legs (" LEG_COLS ") VALUES (?1, ?2, ?3, ?4,"
		" ?5, ?6, ?7, ?8, ?9) ON CONFLICT (sessionid, uniqueid)"
		" DO UPDATE SET channel = ?3, role = ?4, peer = ?5,"
		" start_ms = ?6, answer_ms = ?7, end_ms = ?8,"
		" disposition = ?9",
	[S_CDR_GET] = "SELECT " CDR_COLS " FROM cdr WHERE sessionid = ?1",
	/* legs first, while end_ms = 0 still marks their calls */
	[S_CDR_CLOSE_LEGS] =
		"UPDATE cdr_legs SET end_ms = MAX(?1, start_ms),"
		" disposition = CASE disposition WHEN '' THEN 'INTERRUPTED'"
		"  ELSE disposition END"
		" WHERE end_ms = 0 AND sessionid IN"
		"  (SELECT sessionid FROM cdr WHERE end_ms = 0)",
	[S_CDR_CLOSE] =
		"UPDATE cdr SET end_ms = MAX(?1, start_ms),"
		" disposition = 'INTERRUPTED',"
		" hangup_by = CASE hangup_by WHEN '' THEN 'system'"
		"  ELSE hangup_by END"
		" WHERE end_ms = 0",
	/* one statement: atomic against every other connection */
	[S_COUNTER_NEXT] =
		"INSERT INTO counters (name, value) VALUES (?1, 1)"
		" ON CONFLICT (name) DO UPDATE SET value = value + 1"
		" RETURNING value",
	/* on every call event: one INSERT, no read first */
	[S_EVENT_ADD] = "INSERT INTO events (" EVENT_COLS ")"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/* one seek to the end of the team's primary-key range */
	[S_EVENT_LAST] = "SELECT eventid FROM events WHERE team_id = ?1"
		" ORDER BY eventid DESC LIMIT 1",
	/* the newest eventid before a moment: events_team_ts read
	 * backwards from it (eventids grow with time) */
	[S_EVENT_SINCE] = "SELECT eventid FROM events WHERE team_id = ?1"
		" AND ts_ms < ?2 ORDER BY ts_ms DESC LIMIT 1",
	/* Each team's newest event stays however old it is: it is where
	 * store_event_last() resumes counting, so pruning a quiet team
	 * must not let a restarted occd hand out its eventids again. */
	[S_EVENT_PRUNE] = "DELETE FROM events WHERE rowid IN"
		" (SELECT rowid FROM events WHERE team_id = ?1 AND ts_ms < ?3"
		"  AND eventid <= ?2 AND eventid < (SELECT max(n.eventid)"
		"   FROM events AS n WHERE n.team_id = ?1)"
		"  ORDER BY ts_ms LIMIT ?4)",
	[S_CURSOR_GET] = "SELECT eventid FROM cursors"
		" WHERE team_id = ?1 AND sink = ?2",
	[S_CURSOR_SET] = "INSERT INTO cursors (team_id, sink, eventid)"
		" VALUES (?1, ?2, ?3)"
		" ON CONFLICT (team_id, sink) DO UPDATE SET eventid = ?3",
	[S_ROUTING_SET] = "INSERT INTO team_routing (team_id, text, updated_ms)"
		" VALUES (?1, ?2, ?3) ON CONFLICT (team_id) DO UPDATE SET"
		" text = ?2, updated_ms = ?3",
	[S_ROUTING_DEL] = "DELETE FROM team_routing WHERE team_id = ?1",
	[S_ROUTING_GET] = "SELECT text, updated_ms FROM team_routing"
		" WHERE team_id = ?1",
};

struct sqlite_store {
	struct store base;             /* first: struct store * is ours */
	sqlite3 *db;
	sqlite3_stmt *stmt[S_COUNT];   /* prepared on first use */
	unsigned depth;                /* store_begin nesting */
	char *path;                    /* of occ.db */
	struct sqlite_ckpt *ckpt;      /* store_background() on */
	/* statements of sqlite_campaign.c, by their SQL's address */
	struct {
		const char *sql;
		sqlite3_stmt *q;
		bool busy;
	} cache[SQLITE_STMT_CACHE];
};

static struct sqlite_store *be(struct store *st)
{
	return (struct sqlite_store *)st;
}

static int map_err(struct sqlite_store *s, int rc, const char *what)
{
	switch (rc) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return EEXIST;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return ENOENT;
	case SQLITE_CONSTRAINT_CHECK:
	case SQLITE_CONSTRAINT_NOTNULL:
		return EINVAL;
	case SQLITE_NOMEM:
		return ENOMEM;
	default:
		OCC_ERR("%s: %s (%d)", what, sqlite3_errmsg(s->db), rc);
		return EIO;
	}
}

int sqlite_bind_va(sqlite3_stmt *q, const char *types, va_list ap)
{
	int rc = SQLITE_OK;

	for (int i = 1; rc == SQLITE_OK && types[i - 1]; i++) {
		int64_t v;

		switch (types[i - 1]) {
		case 'I':
			rc = sqlite3_bind_int64(q, i, va_arg(ap, int64_t));
			break;
		case 'N':
			v = va_arg(ap, int64_t);
			rc = v ? sqlite3_bind_int64(q, i, v)
			       : sqlite3_bind_null(q, i);
			break;
		case 'i':
			rc = sqlite3_bind_int(q, i, va_arg(ap, int));
			break;
		case 't':
			rc = sqlite3_bind_text(q, i, va_arg(ap, const char *),
					       -1, SQLITE_STATIC);
			break;
		default:
			rc = SQLITE_MISUSE;
		}
	}
	return rc;
}

/* The cached statement id, reset and bound. */
static int prep(struct sqlite_store *s, enum stmt_id id, sqlite3_stmt **qp,
		const char *types, va_list ap)
{
	int rc;

	if (!s->stmt[id]) {
		rc = sqlite3_prepare_v3(s->db, stmt_sql[id], -1,
					SQLITE_PREPARE_PERSISTENT,
					&s->stmt[id], NULL);
		if (rc != SQLITE_OK)
			return map_err(s, rc, stmt_sql[id]);
	}
	sqlite3_reset(s->stmt[id]);
	sqlite3_clear_bindings(s->stmt[id]);
	rc = sqlite_bind_va(s->stmt[id], types, ap);
	if (rc != SQLITE_OK)
		return map_err(s, rc, stmt_sql[id]);
	*qp = s->stmt[id];
	return 0;
}

/* Step a prepared write to completion; *changesp gets the rows changed. */
static int run(struct sqlite_store *s, enum stmt_id id, sqlite3_stmt *q,
	       int *changesp)
{
	int rc = sqlite3_step(q);

	sqlite3_reset(q);
	if (rc != SQLITE_DONE)
		return map_err(s, sqlite3_extended_errcode(s->db), stmt_sql[id]);
	if (changesp)
		*changesp = sqlite3_changes(s->db);
	return 0;
}

/* Run a statement that returns no rows; *changesp gets the rows changed. */
static int exec(struct sqlite_store *s, enum stmt_id id, int *changesp,
		const char *types, ...)
{
	sqlite3_stmt *q;
	va_list ap;
	int err;

	va_start(ap, types);
	err = prep(s, id, &q, types, ap);
	va_end(ap);
	return err ? err : run(s, id, q, changesp);
}

/* An UPDATE or DELETE of one row by key: ENOENT if there was none. */
static int exec1(struct sqlite_store *s, enum stmt_id id, const char *types,
		 ...)
{
	sqlite3_stmt *q;
	va_list ap;
	int err, n = 0;

	va_start(ap, types);
	err = prep(s, id, &q, types, ap);
	va_end(ap);
	if (!err)
		err = run(s, id, q, &n);
	return err ? err : n ? 0 : ENOENT;
}

/* Step a query to its first row: 0 with *qp on the row (the caller reads it
 * and calls sqlite3_reset), ENOENT if there is none. */
static int row1(struct sqlite_store *s, enum stmt_id id, sqlite3_stmt **qp,
		const char *types, ...)
{
	va_list ap;
	int err, rc;

	va_start(ap, types);
	err = prep(s, id, qp, types, ap);
	va_end(ap);
	if (err)
		return err;
	rc = sqlite3_step(*qp);
	if (rc == SQLITE_ROW)
		return 0;
	sqlite3_reset(*qp);
	return rc == SQLITE_DONE ? ENOENT :
		map_err(s, sqlite3_extended_errcode(s->db), stmt_sql[id]);
}

bool sqlite_col_text(char *dst, size_t size, sqlite3_stmt *q, int col)
{
	const unsigned char *t = sqlite3_column_text(q, col);
	size_t n = (size_t)sqlite3_column_bytes(q, col);

	if (n >= size)
		return false;
	memcpy(dst, t ? (const char *)t : "", n);
	dst[n] = '\0';
	return true;
}

/* ---- transactions ---- */

static int txn_begin(struct sqlite_store *s, bool write)
{
	int err = 0;

	if (s->depth == 0)
		err = exec(s, write ? S_BEGIN_W : S_BEGIN_R, NULL, "");
	if (!err)
		s->depth++;
	return err;
}

static int txn_commit(struct sqlite_store *s)
{
	int err;

	if (s->depth == 0)
		return EINVAL;
	if (--s->depth > 0)
		return 0;
	err = exec(s, S_COMMIT, NULL, "");
	if (err && !sqlite3_get_autocommit(s->db))
		(void)exec(s, S_ROLLBACK, NULL, "");
	return err;
}

static int sq_begin(struct store *st)
{
	return txn_begin(be(st), true);
}

static int sq_commit(struct store *st)
{
	return txn_commit(be(st));
}

static bool sq_in_txn(struct store *st)
{
	return be(st)->depth > 0;
}

/* rows inserted, updated or deleted on the connection (triggers too) */
static uint64_t sq_changes(struct store *st)
{
	return (uint64_t)sqlite3_total_changes64(be(st)->db);
}

/*
 * Several statements as one operation: inside the caller's store_begin()
 * transaction if there is one, else in a new IMMEDIATE one. A savepoint
 * makes it all-or-nothing either way: op_end() with an error undoes every
 * statement since op_begin() and leaves the caller's own writes alone.
 */
static int op_begin(struct sqlite_store *s)
{
	int err = txn_begin(s, true);

	if (err)
		return err;
	err = exec(s, S_SAVEPOINT, NULL, "");
	if (err)
		(void)txn_commit(s);
	return err;
}

static int op_end(struct sqlite_store *s, int err)
{
	int err2;

	if (err)
		(void)exec(s, S_ROLLBACK_TO, NULL, "");
	err2 = exec(s, S_RELEASE, NULL, "");
	if (!err)
		err = err2;
	err2 = txn_commit(s);
	return err ? err : err2;
}

/* ---- load ---- */

typedef bool (load_row_h)(sqlite3_stmt *q, const struct store_visitor *v,
			  void *arg);

static bool row_team(sqlite3_stmt *q, const struct store_visitor *v, void *arg)
{
	struct st_team t = { .id = sqlite3_column_int64(q, 0) };

	if (!sqlite_col_text(t.name, sizeof(t.name), q, 1))
		return false;
	if (v->team)
		v->team(&t, arg);
	return true;
}

static bool row_account(sqlite3_stmt *q, const struct store_visitor *v,
			void *arg)
{
	struct st_account a = {
		.id = sqlite3_column_int64(q, 0),
		.team_id = sqlite3_column_int64(q, 1),
		.enabled = sqlite3_column_int(q, 4) != 0,
	};

	if (!sqlite_col_text(a.name, sizeof(a.name), q, 2) ||
	    !sqlite_col_text(a.pwhash, sizeof(a.pwhash), q, 3) ||
	    !sqlite_col_text(a.agent, sizeof(a.agent), q, 5))
		return false;
	if (v->account)
		v->account(&a, arg);
	return true;
}

static bool read_agent(sqlite3_stmt *q, struct st_agent *a)
{
	memset(a, 0, sizeof(*a));
	a->id = sqlite3_column_int64(q, 0);
	a->team_id = sqlite3_column_int64(q, 1);
	a->account_id = sqlite3_column_int64(q, 2);
	return sqlite_col_text(a->number, sizeof(a->number), q, 3) &&
	       sqlite_col_text(a->name, sizeof(a->name), q, 4) &&
	       sqlite_col_text(a->pwhash, sizeof(a->pwhash), q, 5) &&
	       sqlite_col_text(a->exten, sizeof(a->exten), q, 6);
}

static bool row_agent(sqlite3_stmt *q, const struct store_visitor *v, void *arg)
{
	struct st_agent a;

	if (!read_agent(q, &a))
		return false;
	if (v->agent)
		v->agent(&a, arg);
	return true;
}

static bool row_group(sqlite3_stmt *q, const struct store_visitor *v, void *arg)
{
	struct st_group g = {
		.id = sqlite3_column_int64(q, 0),
		.team_id = sqlite3_column_int64(q, 1),
		.acw_mode = sqlite3_column_int(q, 4),
		.work_mode = sqlite3_column_int(q, 5),
		.acw_s = sqlite3_column_int(q, 6),
	};

	if (!sqlite_col_text(g.name, sizeof(g.name), q, 2) ||
	    !sqlite_col_text(g.queue, sizeof(g.queue), q, 3))
		return false;
	if (v->group)
		v->group(&g, arg);
	return true;
}

static bool row_member(sqlite3_stmt *q, const struct store_visitor *v,
		       void *arg)
{
	struct st_member m = {
		.group_id = sqlite3_column_int64(q, 0),
		.agent_id = sqlite3_column_int64(q, 1),
		.dynamic = sqlite3_column_int(q, 2) != 0,
		.leader = sqlite3_column_int(q, 3) != 0,
		.checked_in = sqlite3_column_int(q, 4) != 0,
		.acw_mode = sqlite3_column_int(q, 5),
		.work_mode = sqlite3_column_int(q, 6),
	};

	if (v->member)
		v->member(&m, arg);
	return true;
}

static bool row_exten(sqlite3_stmt *q, const struct store_visitor *v, void *arg)
{
	struct st_exten e = {
		.id = sqlite3_column_int64(q, 0),
		.team_id = sqlite3_column_int64(q, 1),
	};

	if (!sqlite_col_text(e.number, sizeof(e.number), q, 2) ||
	    !sqlite_col_text(e.ha1, sizeof(e.ha1), q, 3) ||
	    !sqlite_col_text(e.kind, sizeof(e.kind), q, 4))
		return false;
	if (v->exten)
		v->exten(&e, arg);
	return true;
}

static bool row_state(sqlite3_stmt *q, const struct store_visitor *v, void *arg)
{
	struct st_agent_state s = {
		.agent_id = sqlite3_column_int64(q, 0),
		.logged_in = sqlite3_column_int(q, 1) != 0,
		.state = sqlite3_column_int(q, 3),
		.since_ms = sqlite3_column_int64(q, 5),
		.default_group_id = sqlite3_column_int64(q, 6),
		.dnd = sqlite3_column_int(q, 7) != 0,
	};

	if (!sqlite_col_text(s.device, sizeof(s.device), q, 2) ||
	    !sqlite_col_text(s.pause_reason, sizeof(s.pause_reason), q, 4))
		return false;
	if (v->agent_state)
		v->agent_state(&s, arg);
	return true;
}

static bool row_trunk(sqlite3_stmt *q, const struct store_visitor *v, void *arg)
{
	struct st_trunk t = {
		.id = sqlite3_column_int64(q, 0),
		.team_id = sqlite3_column_int64(q, 1),
		.is_default = sqlite3_column_int(q, 4) != 0,
		.do_register = sqlite3_column_int(q, 5) != 0,
	};

	if (!sqlite_col_text(t.name, sizeof(t.name), q, 2) ||
	    !sqlite_col_text(t.uri, sizeof(t.uri), q, 3) ||
	    !sqlite_col_text(t.username, sizeof(t.username), q, 6) ||
	    !sqlite_col_text(t.password, sizeof(t.password), q, 7) ||
	    !sqlite_col_text(t.callerid, sizeof(t.callerid), q, 8) ||
	    !sqlite_col_text(t.strip_prefix, sizeof(t.strip_prefix), q, 9) ||
	    !sqlite_col_text(t.add_prefix, sizeof(t.add_prefix), q, 10))
		return false;
	if (v->trunk)
		v->trunk(&t, arg);
	return true;
}

static bool row_registration(sqlite3_stmt *q, const struct store_visitor *v,
			     void *arg)
{
	struct st_registration r = {
		.team_id = sqlite3_column_int64(q, 0),
		.expires_ms = sqlite3_column_int64(q, 5),
	};

	if (!sqlite_col_text(r.exten, sizeof(r.exten), q, 1) ||
	    !sqlite_col_text(r.contact, sizeof(r.contact), q, 2) ||
	    !sqlite_col_text(r.source, sizeof(r.source), q, 3) ||
	    !sqlite_col_text(r.user_agent, sizeof(r.user_agent), q, 4) ||
	    !sqlite_col_text(r.path, sizeof(r.path), q, 6))
		return false;
	if (v->registration)
		v->registration(&r, arg);
	return true;
}

static bool row_setting(sqlite3_stmt *q, const struct store_visitor *v,
			void *arg)
{
	struct st_team_setting t = { .team_id = sqlite3_column_int64(q, 0) };

	if (!sqlite_col_text(t.key, sizeof(t.key), q, 1) ||
	    !sqlite_col_text(t.value, sizeof(t.value), q, 2))
		return false;
	if (v->team_setting)
		v->team_setting(&t, arg);
	return true;
}

static bool row_routing(sqlite3_stmt *q, const struct store_visitor *v,
			void *arg)
{
	const unsigned char *t = sqlite3_column_text(q, 1);
	struct st_routing r = {
		.team_id = sqlite3_column_int64(q, 0),
		.text = t ? (const char *)t : "",
		.len = (size_t)sqlite3_column_bytes(q, 1),
		.updated_ms = sqlite3_column_int64(q, 2),
	};

	if (r.len > ST_ROUTING)
		return false;
	if (v->routing)
		v->routing(&r, arg);
	return true;
}

/* Parents before children: the order store.h promises. */
static const struct load_step {
	const char *sql;
	load_row_h *row;
} load_steps[] = {
	{ "SELECT id, name FROM teams ORDER BY id", row_team },
	{ "SELECT a.id, a.team_id, a.name, a.pwhash, a.enabled,"
	  " COALESCE(g.number, '') FROM accounts a"
	  " LEFT JOIN agents g ON g.id = a.agent_id ORDER BY a.id",
	  row_account },
	/* agents in number order (shorter numbers first), so listings need
	 * no sorting in memory */
	{ "SELECT id, team_id, COALESCE(account_id, 0), number, name, pwhash,"
	  " exten FROM agents ORDER BY team_id, length(number), number",
	  row_agent },
	{ "SELECT id, team_id, name, queue, acw_mode, work_mode, acw_s"
	  " FROM agent_groups ORDER BY id", row_group },
	/* by agent number, then group id: a group's members come out in
	 * agent-number order and an agent's memberships in group order */
	{ "SELECT m.group_id, m.agent_id, m.dynamic, m.leader, m.checked_in,"
	  " m.acw_mode, m.work_mode FROM members m"
	  " JOIN agents a ON a.id = m.agent_id"
	  " ORDER BY a.team_id, length(a.number), a.number, m.group_id",
	  row_member },
	{ "SELECT id, team_id, number, ha1, kind FROM extensions ORDER BY id",
	  row_exten },
	{ "SELECT id, team_id, name, uri, is_default, do_register, username,"
	  " password, callerid, strip_prefix, add_prefix FROM trunks"
	  " ORDER BY id", row_trunk },
	{ "SELECT team_id, exten, contact, source, user_agent, expires_ms,"
	  " path FROM registrations ORDER BY team_id, exten, contact",
	  row_registration },
	{ "SELECT team_id, key, value FROM team_settings"
	  " ORDER BY team_id, key", row_setting },
	{ "SELECT team_id, text, updated_ms FROM team_routing"
	  " ORDER BY team_id", row_routing },
	{ "SELECT agent_id, logged_in, device, state, pause_reason, since_ms,"
	  " default_group_id, dnd FROM agent_state ORDER BY agent_id",
	  row_state },
};

static int load_one(struct sqlite_store *s, const struct load_step *ls,
		    const struct store_visitor *v, void *arg)
{
	sqlite3_stmt *q;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(s->db, ls->sql, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return map_err(s, rc, ls->sql);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!ls->row(q, v, arg)) {
			OCC_ERR("load: over-long value in row %lld of: %s",
				(long long)sqlite3_column_int64(q, 0), ls->sql);
			err = EIO;
			break;
		}
	}
	if (!err && rc != SQLITE_DONE)
		err = map_err(s, sqlite3_extended_errcode(s->db), ls->sql);
	sqlite3_finalize(q);
	return err;
}

static int sq_load(struct store *st, const struct store_visitor *v, void *arg)
{
	struct sqlite_store *s = be(st);
	int err;

	/* One read transaction: a consistent snapshot of all tables even
	 * while occctl writes. */
	err = txn_begin(s, false);
	if (err)
		return err;
	for (size_t i = 0; !err && i < ARRAY_SIZE(load_steps); i++)
		err = load_one(s, &load_steps[i], v, arg);
	if (!err)
		return txn_commit(s);
	(void)txn_commit(s);
	return err;
}

/* ---- provisioning ---- */

static int sq_team_add(struct store *st, const char *name, int64_t *idp)
{
	struct sqlite_store *s = be(st);
	int err = exec(s, S_TEAM_ADD, NULL, "t", name);

	if (!err && idp)
		*idp = sqlite3_last_insert_rowid(s->db);
	return err;
}

static int sq_team_del(struct store *st, const char *name)
{
	return exec1(be(st), S_TEAM_DEL, "t", name);
}

static int sq_team_get(struct store *st, const char *name, struct st_team *t)
{
	sqlite3_stmt *q;
	bool ok;
	int err = row1(be(st), S_TEAM_GET, &q, "t", name);

	if (err)
		return err;
	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(q, 0);
	ok = sqlite_col_text(t->name, sizeof(t->name), q, 1);
	sqlite3_reset(q);
	return ok ? 0 : EIO;
}

/* Zero rows inserted means the conditional INSERT found no parent row. */
static int insert_cond(int err, int changes)
{
	if (err)
		return err;
	return changes ? 0 : ENOENT;
}

static int sq_account_add(struct store *st, const struct st_account *a)
{
	struct sqlite_store *s = be(st);
	int n = 0;
	int err = exec(s, S_ACCOUNT_ADD, &n, "Ittit", a->team_id, a->name,
		       a->pwhash, (int)a->enabled, a->agent);

	return insert_cond(err, n);
}

static int sq_account_del(struct store *st, int64_t team_id, const char *name)
{
	return exec1(be(st), S_ACCOUNT_DEL, "It", team_id, name);
}

static int sq_account_set_pwhash(struct store *st, int64_t team_id,
				 const char *name, const char *pwhash)
{
	return exec1(be(st), S_ACCOUNT_PW, "Itt", team_id, name, pwhash);
}

static int sq_account_set_enabled(struct store *st, int64_t team_id,
				  const char *name, bool enabled)
{
	return exec1(be(st), S_ACCOUNT_EN, "Iti", team_id, name, (int)enabled);
}

static int sq_agent_add(struct store *st, const struct st_agent *a)
{
	struct sqlite_store *s = be(st);
	int n = 0;
	int err = exec(s, S_AGENT_ADD, &n, "INtttt", a->team_id, a->account_id,
		       a->number, a->name, a->pwhash, a->exten);

	return insert_cond(err, n);
}

static int sq_agent_del(struct store *st, int64_t team_id, const char *number)
{
	return exec1(be(st), S_AGENT_DEL, "It", team_id, number);
}

static int sq_agent_set_pwhash(struct store *st, int64_t team_id,
			       const char *number, const char *pwhash)
{
	return exec1(be(st), S_AGENT_PW, "Itt", team_id, number, pwhash);
}

static int sq_agent_set_info(struct store *st, int64_t team_id,
			     const char *number, const char *name,
			     const char *exten)
{
	return exec1(be(st), S_AGENT_INFO, "Ittt", team_id, number, name,
		     exten);
}

static int sq_agent_get(struct store *st, int64_t team_id, const char *number,
			struct st_agent *a)
{
	sqlite3_stmt *q;
	bool ok;
	int err = row1(be(st), S_AGENT_GET, &q, "It", team_id, number);

	if (err)
		return err;
	ok = read_agent(q, a);
	sqlite3_reset(q);
	return ok ? 0 : EIO;
}

static int sq_group_add(struct store *st, const struct st_group *g)
{
	return exec(be(st), S_GROUP_ADD, NULL, "NIttiii", g->id, g->team_id,
		    g->name, g->queue, g->acw_mode, g->work_mode, g->acw_s);
}

static int sq_group_del(struct store *st, int64_t team_id, int64_t group_id)
{
	return exec1(be(st), S_GROUP_DEL, "II", team_id, group_id);
}

static int sq_group_set(struct store *st, int64_t team_id, int64_t group_id,
			const char *name, int acw_s)
{
	return exec1(be(st), S_GROUP_SET, "IIti", team_id, group_id, name,
		     acw_s);
}

static int sq_member_add(struct store *st, const struct st_member *m)
{
	struct sqlite_store *s = be(st);
	int n = 0;
	int err = exec(s, S_MEMBER_ADD, &n, "IIiiiii", m->group_id, m->agent_id,
		       (int)m->dynamic, (int)m->leader, (int)m->checked_in,
		       m->acw_mode, m->work_mode);

	return insert_cond(err, n);
}

static int sq_member_del(struct store *st, int64_t group_id, int64_t agent_id)
{
	return exec1(be(st), S_MEMBER_DEL, "II", group_id, agent_id);
}

static int sq_exten_add(struct store *st, const struct st_exten *e)
{
	return exec(be(st), S_EXTEN_ADD, NULL, "Ittt", e->team_id, e->number,
		    e->ha1, e->kind);
}

static int sq_exten_del(struct store *st, int64_t team_id, const char *number)
{
	return exec1(be(st), S_EXTEN_DEL, "It", team_id, number);
}

static int sq_exten_set_ha1(struct store *st, int64_t team_id,
			    const char *number, const char *ha1)
{
	return exec1(be(st), S_EXTEN_HA1, "Itt", team_id, number, ha1);
}

/* ---- runtime state ---- */

static int sq_agent_state_save(struct store *st, const struct st_agent_state *a)
{
	return exec(be(st), S_AGENT_STATE, NULL, "IititIIi", a->agent_id,
		    (int)a->logged_in, a->device, a->state,
		    a->pause_reason, a->since_ms, a->default_group_id,
		    (int)a->dnd);
}

static int sq_member_state_save(struct store *st, const struct st_member *m)
{
	return exec1(be(st), S_MEMBER_STATE, "IIiii", m->group_id, m->agent_id,
		     (int)m->checked_in, m->acw_mode, m->work_mode);
}

static int sq_state_log_append(struct store *st, const struct st_state_log *l)
{
	return exec(be(st), S_LOG_ADD, NULL, "IIit", l->agent_id, l->ts_ms,
		    l->state, l->pause_reason);
}

static int sq_state_log_prune(struct store *st, int64_t team_id,
			      int64_t before_ms, unsigned limit, unsigned *np)
{
	int n = 0;
	int err = exec(be(st), S_LOG_PRUNE, &n, "III", team_id, before_ms,
		       (int64_t)limit);

	*np = err ? 0 : (unsigned)n;
	return err;
}

static const char *const log_sql[2] = {
	/* the row in force at since_ms ... */
	"SELECT agent_id, ts_ms, state, pause_reason FROM state_log"
	" WHERE agent_id = ?1 AND ts_ms < ?2 ORDER BY ts_ms DESC, id DESC"
	" LIMIT 1",
	/* ... then every change from since_ms on */
	"SELECT agent_id, ts_ms, state, pause_reason FROM state_log"
	" WHERE agent_id = ?1 AND ts_ms >= ?2 ORDER BY ts_ms, id",
};

static int log_query(struct sqlite_store *s, const char *sql, int64_t agent_id,
		     int64_t since_ms, store_log_h *h, void *arg)
{
	sqlite3_stmt *q;
	int rc;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return map_err(s, rc, sql);
	sqlite3_bind_int64(q, 1, agent_id);
	sqlite3_bind_int64(q, 2, since_ms);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		struct st_state_log l = {
			.agent_id = sqlite3_column_int64(q, 0),
			.ts_ms = sqlite3_column_int64(q, 1),
			.state = sqlite3_column_int(q, 2),
		};
		if (!sqlite_col_text(l.pause_reason, sizeof(l.pause_reason), q, 3)) {
			rc = SQLITE_TOOBIG;
			break;
		}
		h(&l, arg);
	}
	sqlite3_finalize(q);
	if (rc == SQLITE_DONE)
		return 0;
	OCC_ERR("state log of agent %lld: %s", (long long)agent_id,
		sqlite3_errstr(rc));
	return EIO;
}

static int sq_state_log_visit(struct store *st, int64_t agent_id,
			      int64_t since_ms, store_log_h *h, void *arg)
{
	struct sqlite_store *s = be(st);
	int err;

	err = txn_begin(s, false);
	for (size_t i = 0; !err && i < ARRAY_SIZE(log_sql); i++)
		err = log_query(s, log_sql[i], agent_id, since_ms, h, arg);
	if (txn_commit(s) && !err)
		err = EIO;
	return err;
}

/* ---- trunks and team settings ---- */

static int sq_trunk_add(struct store *st, const struct st_trunk *t)
{
	struct sqlite_store *s = be(st);
	int err = op_begin(s);

	if (err)
		return err;
	if (t->is_default)
		err = exec(s, S_TRUNK_UNDEFAULT, NULL, "It", t->team_id,
			   t->name);
	if (!err)
		err = exec(s, S_TRUNK_ADD, NULL, "Ittiittttt", t->team_id,
			   t->name, t->uri, (int)t->is_default,
			   (int)t->do_register, t->username, t->password,
			   t->callerid, t->strip_prefix, t->add_prefix);
	return op_end(s, err);
}

static int sq_trunk_del(struct store *st, int64_t team_id, const char *name)
{
	return exec1(be(st), S_TRUNK_DEL, "It", team_id, name);
}

static int sq_trunk_set(struct store *st, const struct st_trunk *t,
			bool keep_password)
{
	return exec1(be(st), S_TRUNK_SET, "Ittitttitt", t->team_id, t->name,
		     t->uri, (int)t->do_register, t->username, t->password,
		     t->callerid, (int)keep_password, t->strip_prefix,
		     t->add_prefix);
}

static int sq_trunk_set_default(struct store *st, int64_t team_id,
				const char *name)
{
	struct sqlite_store *s = be(st);
	int err = op_begin(s);

	if (err)
		return err;
	err = exec(s, S_TRUNK_UNDEFAULT, NULL, "It", team_id, name);
	if (!err)
		err = exec1(s, S_TRUNK_DEFAULT, "It", team_id, name);
	return op_end(s, err);
}

static int sq_team_setting_set(struct store *st, int64_t team_id,
			       const char *key, const char *value)
{
	if (!*value)
		return exec(be(st), S_SETTING_DEL, NULL, "It", team_id, key);
	return exec(be(st), S_SETTING_SET, NULL, "Itt", team_id, key, value);
}

/* ---- routing files ---- */

static int sq_routing_set(struct store *st, int64_t team_id, const char *text,
			  size_t len, int64_t updated_ms)
{
	struct sqlite_store *s = be(st);
	sqlite3_stmt *q;

	/* the text is bound by its length, not as bind_va's 't' */
	if (!s->stmt[S_ROUTING_SET]) {
		int rc = sqlite3_prepare_v3(s->db, stmt_sql[S_ROUTING_SET], -1,
					    SQLITE_PREPARE_PERSISTENT,
					    &s->stmt[S_ROUTING_SET], NULL);
		if (rc != SQLITE_OK)
			return map_err(s, rc, stmt_sql[S_ROUTING_SET]);
	}
	q = s->stmt[S_ROUTING_SET];
	sqlite3_reset(q);
	sqlite3_clear_bindings(q);
	if (sqlite3_bind_int64(q, 1, team_id) != SQLITE_OK ||
	    sqlite3_bind_text(q, 2, text, (int)len, SQLITE_STATIC) !=
	    SQLITE_OK || sqlite3_bind_int64(q, 3, updated_ms) != SQLITE_OK)
		return map_err(s, sqlite3_extended_errcode(s->db),
			       stmt_sql[S_ROUTING_SET]);
	return run(s, S_ROUTING_SET, q, NULL);
}

static int sq_routing_del(struct store *st, int64_t team_id)
{
	return exec1(be(st), S_ROUTING_DEL, "I", team_id);
}

static int sq_routing_get(struct store *st, int64_t team_id, char **textp,
			  int64_t *updated_msp)
{
	sqlite3_stmt *q;
	const unsigned char *t;
	size_t n;
	char *copy;
	int err = row1(be(st), S_ROUTING_GET, &q, "I", team_id);

	if (err)
		return err;
	t = sqlite3_column_text(q, 0);
	n = (size_t)sqlite3_column_bytes(q, 0);
	copy = mem_alloc(n + 1, NULL);
	if (copy) {
		memcpy(copy, t ? (const char *)t : "", n);
		copy[n] = '\0';
		if (updated_msp)
			*updated_msp = sqlite3_column_int64(q, 1);
	}
	sqlite3_reset(q);
	if (!copy)
		return ENOMEM;
	*textp = copy;
	return 0;
}

/* ---- registrations ---- */

static int sq_registration_save(struct store *st,
				const struct st_registration *r)
{
	return exec(be(st), S_REG_SAVE, NULL, "IttttIt", r->team_id,
		    r->exten, r->contact, r->source, r->user_agent,
		    r->expires_ms, r->path);
}

static int sq_registration_del(struct store *st, int64_t team_id,
			       const char *exten, const char *contact)
{
	return exec1(be(st), S_REG_DEL, "Itt", team_id, exten, contact);
}

/* ---- CDRs ---- */

/* CDR_COLS, in order. */
static bool read_cdr(sqlite3_stmt *q, struct st_cdr *c)
{
	memset(c, 0, sizeof(*c));
	c->team_id = sqlite3_column_int64(q, 1);
	c->start_ms = sqlite3_column_int64(q, 7);
	c->answer_ms = sqlite3_column_int64(q, 8);
	c->end_ms = sqlite3_column_int64(q, 9);
	c->queue_wait_ms = sqlite3_column_int64(q, 19);
	c->abandoned = sqlite3_column_int(q, 20) != 0;
	return sqlite_col_text(c->sessionid, sizeof(c->sessionid), q, 0) &&
	       sqlite_col_text(c->agent, sizeof(c->agent), q, 2) &&
	       sqlite_col_text(c->direction, sizeof(c->direction), q, 3) &&
	       sqlite_col_text(c->caller, sizeof(c->caller), q, 4) &&
	       sqlite_col_text(c->callee, sizeof(c->callee), q, 5) &&
	       sqlite_col_text(c->calldate, sizeof(c->calldate), q, 6) &&
	       sqlite_col_text(c->disposition, sizeof(c->disposition), q, 10) &&
	       sqlite_col_text(c->hangup_by, sizeof(c->hangup_by), q, 11) &&
	       sqlite_col_text(c->recording, sizeof(c->recording), q, 12) &&
	       sqlite_col_text(c->modeltype, sizeof(c->modeltype), q, 13) &&
	       sqlite_col_text(c->model_id, sizeof(c->model_id), q, 14) &&
	       sqlite_col_text(c->userdata, sizeof(c->userdata), q, 15) &&
	       sqlite_col_text(c->vars, sizeof(c->vars), q, 16) &&
	       sqlite_col_text(c->account, sizeof(c->account), q, 17) &&
	       sqlite_col_text(c->queue, sizeof(c->queue), q, 18) &&
	       sqlite_col_text(c->ivrpath, sizeof(c->ivrpath), q, 21);
}

/* LEG_COLS, in order. */
static bool read_leg(sqlite3_stmt *q, struct st_cdr_leg *l)
{
	memset(l, 0, sizeof(*l));
	l->uniqueid = sqlite3_column_int64(q, 1);
	l->start_ms = sqlite3_column_int64(q, 5);
	l->answer_ms = sqlite3_column_int64(q, 6);
	l->end_ms = sqlite3_column_int64(q, 7);
	return sqlite_col_text(l->sessionid, sizeof(l->sessionid), q, 0) &&
	       sqlite_col_text(l->channel, sizeof(l->channel), q, 2) &&
	       sqlite_col_text(l->role, sizeof(l->role), q, 3) &&
	       sqlite_col_text(l->peer, sizeof(l->peer), q, 4) &&
	       sqlite_col_text(l->disposition, sizeof(l->disposition), q, 8);
}

/* S_CDR_BEGIN and S_CDR_END bind the same 22 values. */
#define CDR_TYPES "tItttttIIItttttttttIIt"
#define CDR_ARGS(c) (c)->sessionid, (c)->team_id, (c)->agent, \
	(c)->direction, (c)->caller, (c)->callee, (c)->calldate, \
	(c)->start_ms, (c)->answer_ms, (c)->end_ms, (c)->disposition, \
	(c)->hangup_by, (c)->recording, (c)->modeltype, (c)->model_id, \
	(c)->userdata, (c)->vars, (c)->account, (c)->queue, \
	(c)->queue_wait_ms, (int64_t)(c)->abandoned, (c)->ivrpath

static int sq_cdr_begin(struct store *st, const struct st_cdr *c)
{
	return exec(be(st), S_CDR_BEGIN, NULL, CDR_TYPES, CDR_ARGS(c));
}

static int sq_cdr_end(struct store *st, const struct st_cdr *c)
{
	return exec1(be(st), S_CDR_END, CDR_TYPES, CDR_ARGS(c));
}

static int sq_cdr_leg_save(struct store *st, const struct st_cdr_leg *l)
{
	return exec(be(st), S_CDR_LEG, NULL, "tItttIIIt", l->sessionid,
		    l->uniqueid, l->channel, l->role, l->peer, l->start_ms,
		    l->answer_ms, l->end_ms, l->disposition);
}

static int sq_cdr_get(struct store *st, const char *sessionid,
		      struct st_cdr *c)
{
	sqlite3_stmt *q;
	bool ok;
	int err = row1(be(st), S_CDR_GET, &q, "t", sessionid);

	if (err)
		return err;
	ok = read_cdr(q, c);
	sqlite3_reset(q);
	return ok ? 0 : EIO;
}

/* Own statements, not stmt[]: the handlers may call back into the store. */
static const char *const cdr_visit_sql[3] = {
	/* all teams (and the calls of deleted teams) */
	"SELECT " CDR_COLS " FROM cdr WHERE start_ms >= ?2"
	" ORDER BY start_ms DESC, rowid DESC LIMIT ?3",
	/* one team: the cdr_team_start index, read backwards */
	"SELECT " CDR_COLS " FROM cdr WHERE team_id = ?1 AND start_ms >= ?2"
	" ORDER BY start_ms DESC, rowid DESC LIMIT ?3",
	/* calls still open (after a crash), oldest first */
	"SELECT " CDR_COLS " FROM cdr WHERE end_ms = 0 AND start_ms >= ?2"
	" ORDER BY start_ms, rowid LIMIT ?3",
};
enum { VISIT_ALL, VISIT_TEAM, VISIT_OPEN };
static const char leg_visit_sql[] =
	"SELECT " LEG_COLS " FROM cdr_legs WHERE sessionid = ?1"
	" ORDER BY start_ms, uniqueid";

/* Visit the legs of one call with the prepared leg statement q. */
static int visit_legs(struct sqlite_store *s, sqlite3_stmt *q,
		      const char *sessionid, store_leg_h *leg_h, void *arg)
{
	struct st_cdr_leg l;
	int rc;

	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, sessionid, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!read_leg(q, &l)) {
			OCC_ERR("cdr %s: over-long value in leg %lld",
				sessionid, (long long)l.uniqueid);
			return EIO;
		}
		leg_h(&l, arg);
	}
	return rc == SQLITE_DONE ? 0 :
		map_err(s, sqlite3_extended_errcode(s->db), leg_visit_sql);
}

static int cdr_query(struct sqlite_store *s, int which, int64_t team_id,
		     int64_t since_ms, unsigned limit, store_cdr_h *cdr_h,
		     store_leg_h *leg_h, void *arg)
{
	const char *sql = cdr_visit_sql[which];
	sqlite3_stmt *q = NULL, *lq = NULL;
	struct st_cdr *c;
	int rc, err = 0;

	/* 7 KiB: not on the stack of a callback chain */
	c = mem_alloc(sizeof(*c), NULL);
	if (!c)
		return ENOMEM;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc == SQLITE_OK && leg_h)
		rc = sqlite3_prepare_v2(s->db, leg_visit_sql, -1, &lq, NULL);
	if (rc != SQLITE_OK) {
		err = map_err(s, rc, sql);
		goto out;
	}
	if (team_id)
		sqlite3_bind_int64(q, 1, team_id);
	sqlite3_bind_int64(q, 2, since_ms);
	sqlite3_bind_int64(q, 3, limit ? (sqlite3_int64)limit : -1);
	while (!err && (rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!read_cdr(q, c)) {
			OCC_ERR("cdr: over-long value in call %s",
				(const char *)sqlite3_column_text(q, 0));
			err = EIO;
			break;
		}
		cdr_h(c, arg);
		if (lq)
			err = visit_legs(s, lq, c->sessionid, leg_h, arg);
	}
	if (!err && rc != SQLITE_DONE)
		err = map_err(s, sqlite3_extended_errcode(s->db), sql);
 out:
	sqlite3_finalize(lq);
	sqlite3_finalize(q);
	mem_deref(c);
	return err;
}

static int sq_cdr_visit(struct store *st, int64_t team_id, int64_t since_ms,
			unsigned limit, store_cdr_h *cdr_h, store_leg_h *leg_h,
			void *arg)
{
	struct sqlite_store *s = be(st);
	int err, err2;

	/* one read transaction: calls and legs from the same snapshot */
	err = txn_begin(s, false);
	if (err)
		return err;
	err = cdr_query(s, team_id ? VISIT_TEAM : VISIT_ALL, team_id, since_ms,
			limit, cdr_h, leg_h, arg);
	err2 = txn_commit(s);
	return err ? err : err2;
}

static int sq_cdr_visit_open(struct store *st, store_cdr_h *cdr_h,
			     store_leg_h *leg_h, void *arg)
{
	struct sqlite_store *s = be(st);
	int err, err2;

	err = txn_begin(s, false);
	if (err)
		return err;
	err = cdr_query(s, VISIT_OPEN, 0, 0, 0, cdr_h, leg_h, arg);
	err2 = txn_commit(s);
	return err ? err : err2;
}

static int sq_cdr_close_open(struct store *st, int64_t now_ms, unsigned *np)
{
	struct sqlite_store *s = be(st);
	int n = 0, err = op_begin(s);

	if (err)
		return err;
	err = exec(s, S_CDR_CLOSE_LEGS, NULL, "I", now_ms);
	if (!err)
		err = exec(s, S_CDR_CLOSE, &n, "I", now_ms);
	err = op_end(s, err);
	*np = err ? 0 : (unsigned)n;
	return err;
}

/* ---- events ---- */

static int sq_event_append(struct store *st, const struct st_event *e)
{
	return exec(be(st), S_EVENT_ADD, NULL, "IIIttt", e->team_id,
		    e->eventid, e->ts_ms, e->agent1, e->agent2, e->text);
}

/* The single column of a row1() query, 0 if there is no row. */
static int int_or_0(int err, sqlite3_stmt *q, int64_t *vp)
{
	if (err == ENOENT) {
		*vp = 0;
		return 0;
	}
	if (err)
		return err;
	*vp = sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return 0;
}

static int sq_event_last(struct store *st, int64_t team_id,
			 int64_t *eventidp)
{
	sqlite3_stmt *q = NULL;
	int err = row1(be(st), S_EVENT_LAST, &q, "I", team_id);

	return int_or_0(err, q, eventidp);
}

static int sq_event_before(struct store *st, int64_t team_id, int64_t ts_ms,
			   int64_t *eventidp)
{
	sqlite3_stmt *q = NULL;
	int err = row1(be(st), S_EVENT_SINCE, &q, "II", team_id, ts_ms);

	return int_or_0(err, q, eventidp);
}

/* Own statements, not stmt[]: the handler may call back into the store. */
static const char *const event_visit_sql[2] = {
	/* the team's primary key, in order, from after on */
	"SELECT " EVENT_COLS " FROM events"
	" WHERE team_id = ?1 AND eventid > ?2 ORDER BY eventid LIMIT ?3",
	/* The first ?3 eventids of the agent from each agent index (index
	 * only), merged, then those rows by primary key: O(limit) however
	 * few of the team's events concern the agent. A plain "agent1 = ?4
	 * OR agent2 = ?4" lets SQLite walk the team's whole key range from
	 * after on, or sort every match, to find the first ?3. */
	"SELECT " EVENT_COLS " FROM events WHERE team_id = ?1 AND eventid IN ("
	" SELECT eventid FROM (SELECT eventid FROM events"
	"  WHERE team_id = ?1 AND agent1 = ?4 AND agent1 <> ''"
	"  AND eventid > ?2 ORDER BY eventid LIMIT ?3)"
	" UNION"
	" SELECT eventid FROM (SELECT eventid FROM events"
	"  WHERE team_id = ?1 AND agent2 = ?4 AND agent2 <> ''"
	"  AND eventid > ?2 ORDER BY eventid LIMIT ?3))"
	" ORDER BY eventid LIMIT ?3",
};

/* EVENT_COLS, in order. */
static bool read_event(sqlite3_stmt *q, struct st_event *e)
{
	e->team_id = sqlite3_column_int64(q, 0);
	e->eventid = sqlite3_column_int64(q, 1);
	e->ts_ms = sqlite3_column_int64(q, 2);
	return sqlite_col_text(e->agent1, sizeof(e->agent1), q, 3) &&
	       sqlite_col_text(e->agent2, sizeof(e->agent2), q, 4) &&
	       sqlite_col_text(e->text, sizeof(e->text), q, 5);
}

static int sq_event_visit(struct store *st, int64_t team_id, int64_t after,
			  const char *agent, unsigned limit, store_event_h *h,
			  void *arg)
{
	struct sqlite_store *s = be(st);
	const char *sql = event_visit_sql[agent != NULL];
	sqlite3_stmt *q = NULL;
	struct st_event *e;
	int rc, err = 0;

	/* 8 KiB: not on the stack of a callback chain */
	e = mem_alloc(sizeof(*e), NULL);
	if (!e)
		return ENOMEM;
	rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc != SQLITE_OK) {
		err = map_err(s, rc, sql);
		goto out;
	}
	/* one statement: one snapshot, no transaction needed */
	sqlite3_bind_int64(q, 1, team_id);
	sqlite3_bind_int64(q, 2, after);
	sqlite3_bind_int64(q, 3, limit ? (sqlite3_int64)limit : -1);
	if (agent)
		sqlite3_bind_text(q, 4, agent, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		if (!read_event(q, e)) {
			OCC_ERR("events: over-long value in team %lld"
				" event %lld", (long long)team_id,
				(long long)sqlite3_column_int64(q, 1));
			err = EIO;
			break;
		}
		h(e, arg);
	}
	if (!err && rc != SQLITE_DONE)
		err = map_err(s, sqlite3_extended_errcode(s->db), sql);
 out:
	sqlite3_finalize(q);
	mem_deref(e);
	return err;
}

static int sq_event_prune(struct store *st, int64_t team_id, int64_t upto,
			  int64_t before_ms, unsigned limit, unsigned *np)
{
	int n = 0;
	int err = exec(be(st), S_EVENT_PRUNE, &n, "IIII", team_id, upto,
		       before_ms, (int64_t)limit);

	*np = err ? 0 : (unsigned)n;
	return err;
}

static int sq_cursor_get(struct store *st, int64_t team_id, const char *sink,
			 int64_t *eventidp)
{
	sqlite3_stmt *q = NULL;
	int err = row1(be(st), S_CURSOR_GET, &q, "It", team_id, sink);

	return int_or_0(err, q, eventidp);
}

static int sq_cursor_set(struct store *st, int64_t team_id, const char *sink,
			 int64_t eventid)
{
	return exec(be(st), S_CURSOR_SET, NULL, "ItI", team_id, sink, eventid);
}

const char *sqlite_query_sql(const char *name)
{
	const struct {
		const char *name, *sql;
	} queries[] = {
		{ "event_visit", event_visit_sql[0] },
		{ "event_visit_agent", event_visit_sql[1] },
		{ "event_last", stmt_sql[S_EVENT_LAST] },
		{ "event_before", stmt_sql[S_EVENT_SINCE] },
		{ "event_prune", stmt_sql[S_EVENT_PRUNE] },
		{ "state_log_prune", stmt_sql[S_LOG_PRUNE] },
	};

	for (size_t i = 0; name && i < ARRAY_SIZE(queries); i++) {
		if (!strcmp(name, queries[i].name))
			return queries[i].sql;
	}
	return NULL;
}

/* ---- counters ---- */

static int sq_counter_next(struct store *st, const char *name, int64_t *valp)
{
	struct sqlite_store *s = be(st);
	sqlite3_stmt *q;
	int64_t v;
	int rc, err = row1(s, S_COUNTER_NEXT, &q, "t", name);

	if (err)
		return err == ENOENT ? EIO : err;
	v = sqlite3_column_int64(q, 0);
	/* the write commits (outside a transaction) when the statement
	 * runs to completion; only then is v ours */
	rc = sqlite3_step(q);
	if (rc != SQLITE_DONE)
		err = map_err(s, sqlite3_extended_errcode(s->db),
			      stmt_sql[S_COUNTER_NEXT]);
	sqlite3_reset(q);
	if (!err)
		*valp = v;
	return err;
}

/* ---- open/close ---- */

sqlite3 *sqlite_store_db(struct store *st)
{
	return be(st)->db;
}

int sqlite_store_err(struct store *st, int rc, const char *what)
{
	return map_err(be(st), rc, what);
}

int sqlite_store_prepare(struct store *st, const char *sql,
			 sqlite3_stmt **qp)
{
	struct sqlite_store *s = be(st);
	size_t i, free_i = SQLITE_STMT_CACHE;
	int rc;

	for (i = 0; i < SQLITE_STMT_CACHE; i++) {
		if (s->cache[i].sql == sql && !s->cache[i].busy) {
			s->cache[i].busy = true;
			*qp = s->cache[i].q;
			return 0;
		}
		if (!s->cache[i].sql && free_i == SQLITE_STMT_CACHE)
			free_i = i;
	}
	rc = sqlite3_prepare_v3(s->db, sql, -1, free_i < SQLITE_STMT_CACHE ?
				SQLITE_PREPARE_PERSISTENT : 0, qp, NULL);
	if (rc != SQLITE_OK)
		return map_err(s, rc, sql);
	if (free_i < SQLITE_STMT_CACHE) {
		s->cache[free_i].sql = sql;
		s->cache[free_i].q = *qp;
		s->cache[free_i].busy = true;
	}
	return 0;
}

void sqlite_store_release(struct store *st, sqlite3_stmt *q)
{
	struct sqlite_store *s = be(st);

	if (!q)
		return;
	for (size_t i = 0; i < SQLITE_STMT_CACHE; i++) {
		if (s->cache[i].q == q) {
			sqlite3_reset(q);
			sqlite3_clear_bindings(q);
			s->cache[i].busy = false;
			return;
		}
	}
	sqlite3_finalize(q);
}

static int sq_background(struct store *st, bool on)
{
	struct sqlite_store *s = be(st);
	int err;

	if (!on) {
		s->ckpt = mem_deref(s->ckpt);
		return 0;
	}
	if (s->ckpt)
		return 0;
	err = sqlite_ckpt_start(&s->ckpt, s->db, s->path);
	if (err)
		OCC_WARN("WAL checkpoints stay in the commits: %m", err);
	return err;
}

static const struct store_ops sqlite_ops = {
	.name = "sqlite",
	.load = sq_load,
	.team_add = sq_team_add,
	.team_del = sq_team_del,
	.team_get = sq_team_get,
	.account_add = sq_account_add,
	.account_del = sq_account_del,
	.account_set_pwhash = sq_account_set_pwhash,
	.account_set_enabled = sq_account_set_enabled,
	.agent_add = sq_agent_add,
	.agent_del = sq_agent_del,
	.agent_set_pwhash = sq_agent_set_pwhash,
	.agent_set_info = sq_agent_set_info,
	.agent_get = sq_agent_get,
	.group_add = sq_group_add,
	.group_del = sq_group_del,
	.group_set = sq_group_set,
	.member_add = sq_member_add,
	.member_del = sq_member_del,
	.exten_add = sq_exten_add,
	.exten_del = sq_exten_del,
	.exten_set_ha1 = sq_exten_set_ha1,
	.agent_state_save = sq_agent_state_save,
	.member_state_save = sq_member_state_save,
	.state_log_append = sq_state_log_append,
	.state_log_visit = sq_state_log_visit,
	.state_log_prune = sq_state_log_prune,
	.trunk_add = sq_trunk_add,
	.trunk_del = sq_trunk_del,
	.trunk_set = sq_trunk_set,
	.trunk_set_default = sq_trunk_set_default,
	.team_setting_set = sq_team_setting_set,
	.routing_set = sq_routing_set,
	.routing_del = sq_routing_del,
	.routing_get = sq_routing_get,
	.registration_save = sq_registration_save,
	.registration_del = sq_registration_del,
	.cdr_begin = sq_cdr_begin,
	.cdr_end = sq_cdr_end,
	.cdr_leg_save = sq_cdr_leg_save,
	.cdr_get = sq_cdr_get,
	.cdr_visit = sq_cdr_visit,
	.cdr_close_open = sq_cdr_close_open,
	.cdr_visit_open = sq_cdr_visit_open,
	.event_append = sq_event_append,
	.event_last = sq_event_last,
	.event_before = sq_event_before,
	.event_visit = sq_event_visit,
	.event_prune = sq_event_prune,
	.cursor_get = sq_cursor_get,
	.cursor_set = sq_cursor_set,
	.counter_next = sq_counter_next,
	.campaign_add = sqlite_campaign_add,
	.campaign_get = sqlite_campaign_get,
	.campaign_set_state = sqlite_campaign_set_state,
	.campaign_del = sqlite_campaign_del,
	.campaign_set = sqlite_campaign_set,
	.dnc_add = sqlite_dnc_add,
	.dnc_del = sqlite_dnc_del,
	.dnc_visit = sqlite_dnc_visit,
	.dnc_match = sqlite_dnc_match,
	.customer_get_id = sqlite_customer_get_id,
	.campaign_visit = sqlite_campaign_visit,
	.column_add = sqlite_column_add,
	.column_del = sqlite_column_del,
	.column_visit = sqlite_column_visit,
	.customer_get = sqlite_customer_get,
	.customer_add = sqlite_customer_add,
	.customer_update = sqlite_customer_update,
	.customer_visit = sqlite_customer_visit,
	.dial_add = sqlite_dial_add,
	.dial_visit = sqlite_dial_visit,
	.dial_take = sqlite_dial_take,
	.dial_result = sqlite_dial_result,
	.dial_interrupted = sqlite_dial_interrupted,
	.import_report_put = sqlite_import_report_put,
	.import_report_visit = sqlite_import_report_visit,
	.campaign_call_visit = sqlite_campaign_call_visit,
	.group_state_log_visit = sqlite_group_state_log_visit,
	.dial_count_visit = sqlite_dial_count_visit,
	.begin = sq_begin,
	.commit = sq_commit,
	/* WAL, synchronous=NORMAL: a commit is a WAL frame write and the
	 * lock dance, the bulk of a one-row write */
	.group_commit = true,
	.in_txn = sq_in_txn,
	.background = sq_background,
	.changes = sq_changes,
};

static void sqlite_store_destructor(void *arg)
{
	struct sqlite_store *s = arg;

	store_close_pass(&s->base);
	s->ckpt = mem_deref(s->ckpt);
	s->path = mem_deref(s->path);
	if (s->depth && !sqlite3_get_autocommit(s->db)) {
		OCC_WARN("closing with an open transaction; rolling back");
		(void)exec(s, S_ROLLBACK, NULL, "");
	}
	for (size_t i = 0; i < S_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	for (size_t i = 0; i < SQLITE_STMT_CACHE; i++)
		sqlite3_finalize(s->cache[i].q);
	sqlite3_close(s->db);
}

static int pragma(struct sqlite_store *s, const char *sql, const char *want)
{
	sqlite3_stmt *q;
	int rc, err = 0;

	rc = sqlite3_prepare_v2(s->db, sql, -1, &q, NULL);
	if (rc != SQLITE_OK)
		return map_err(s, rc, sql);
	rc = sqlite3_step(q);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		err = map_err(s, sqlite3_extended_errcode(s->db), sql);
	else if (want && (rc != SQLITE_ROW || !sqlite3_column_text(q, 0) ||
		 strcasecmp(want, (const char *)sqlite3_column_text(q, 0)))) {
		OCC_ERR("%s: did not take effect", sql);
		err = EIO;
	}
	sqlite3_finalize(q);
	return err;
}

static int configure(struct sqlite_store *s)
{
	int err;

	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	err = pragma(s, "PRAGMA journal_mode = WAL", "wal");
	if (!err)
		err = pragma(s, "PRAGMA synchronous = NORMAL", NULL);
	if (!err)
		err = pragma(s, "PRAGMA foreign_keys = ON", NULL);
	if (!err)
		err = pragma(s, "PRAGMA foreign_keys", "1");
	return err;
}

static int make_dir(const char *dir)
{
	int err;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST)
		return 0;
	err = errno;
	OCC_ERR("cannot create data directory %s: %m", dir, err);
	return err;
}

int sqlite_store_open(struct store **stp, const char *dir)
{
	struct sqlite_store *s;
	char path[1024];
	int rc, err;

	if ((size_t)snprintf(path, sizeof(path), "%s/occ.db", dir) >=
	    sizeof(path))
		return EINVAL;
	err = make_dir(dir);
	if (err)
		return err;
	s = mem_zalloc(sizeof(*s), sqlite_store_destructor);
	if (!s)
		return ENOMEM;
	s->base.ops = &sqlite_ops;
	err = str_dup(&s->path, path);
	if (err)
		goto out;
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		OCC_ERR("open %s: %s", path, s->db ? sqlite3_errmsg(s->db)
			: sqlite3_errstr(rc));
		err = rc == SQLITE_NOMEM ? ENOMEM : EIO;
		goto out;
	}
	err = configure(s);
	if (!err)
		err = sqlite_schema_migrate(s->db);
 out:
	if (err)
		mem_deref(s);
	else
		*stp = &s->base;
	return err;
}
