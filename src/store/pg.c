/*
 * pg.c — the PostgreSQL store backend ([store] backend = postgresql): one
 * libpq connection to [store] conninfo, the schema of schema.c's pg texts.
 *
 * The store stays synchronous, as with SQLite: every call is a blocking
 * round trip (PQexecParams) on occd's one event loop, so statements are
 * single short ones by key or index, and the connection is made with a
 * connect timeout (5 s unless conninfo says otherwise) and a statement
 * timeout (10 s), which bound how long a lost server can hold the loop.
 *
 * Values are only ever parameters ($1, $2, ... with their types given), never
 * spliced into SQL. Errors map as SQLite's do: unique_violation is EEXIST,
 * foreign_key_violation ENOENT, check/not-null violations and bad input
 * (e.g. text that is not valid in the database's encoding) EINVAL, anything
 * else is logged and EIO.
 *
 * In PostgreSQL a failed statement aborts its whole transaction, where
 * SQLite only undoes the statement; callers of store_begin() rely on the
 * latter (an import tries an INSERT, gets EEXIST, then UPDATEs). So inside
 * a transaction every write runs under its own savepoint, rolled back alone
 * on error.
 *
 * A lost connection (the server restarted, a network cut) is logged as
 * such and reconnected on the next statement; a statement outside a
 * transaction that found the connection lost is retried once on the new
 * one. Inside a transaction the transaction is gone with the connection:
 * every statement until its store_commit() fails with EIO, as does the
 * commit.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#define LOG_TOPIC "store"
#include "base/log.h"
#include "store/pg_impl.h"

enum { PG_MAX_PARAMS = 24 };

/* type OIDs (pg_type.h) */
enum { OID_INT8 = 20, OID_INT4 = 23, OID_TEXT = 25 };

struct pg_store {
	struct store base;             /* first: struct store * is ours */
	PGconn *conn;
	unsigned depth;                /* store_begin nesting */
	bool txn_lost;                 /* the connection dropped inside it */
};

static struct pg_store *be(struct store *st)
{
	return (struct pg_store *)st;
}

static bool is_conn_state(const char *state)
{
	/* class 08: connection exception; 57P01..03: the server shut down */
	return state && (!strncmp(state, "08", 2) ||
			 !strncmp(state, "57P0", 4));
}

static int map_err(struct pg_store *s, const PGresult *r, const char *what)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;

	if (state && !strcmp(state, "23505"))
		return EEXIST;
	if (state && !strcmp(state, "23503"))
		return ENOENT;
	if (state && (!strcmp(state, "23514") || !strcmp(state, "23502") ||
		      !strncmp(state, "22", 2)))
		return EINVAL;
	OCC_ERR("postgresql: %s: %s", what, r ? PQresultErrorMessage(r) :
		PQerrorMessage(s->conn));
	return EIO;
}

static int reconnect(struct pg_store *s)
{
	PQreset(s->conn);
	if (PQstatus(s->conn) != CONNECTION_OK) {
		OCC_ERR("postgresql: reconnecting failed: %s",
			PQerrorMessage(s->conn));
		return EIO;
	}
	OCC_INFO("postgresql: reconnected");
	return 0;
}

/* One PQexecParams: its result (NULL only if out of memory). */
static PGresult *send1(struct pg_store *s, const char *sql, int n,
		       const Oid *oids, const char *const *vals)
{
	return PQexecParams(s->conn, sql, n, oids, vals, NULL, NULL, 0);
}

static bool res_ok(const PGresult *r)
{
	ExecStatusType t = PQresultStatus(r);

	return t == PGRES_COMMAND_OK || t == PGRES_TUPLES_OK;
}

/* A constant statement (BEGIN, SAVEPOINT, ...). */
static int simple(struct pg_store *s, const char *sql)
{
	return pg_exec(&s->base, NULL, sql, "");
}

int pg_exec_va(struct store *st, PGresult **resp, const char *sql,
	       const char *types, va_list ap)
{
	struct pg_store *s = be(st);
	char nums[PG_MAX_PARAMS][24];
	const char *vals[PG_MAX_PARAMS];
	Oid oids[PG_MAX_PARAMS];
	bool sp;
	PGresult *r = NULL;
	int n, err = 0;

	for (n = 0; types[n]; n++) {
		int64_t v;

		if (n == PG_MAX_PARAMS)
			return EINVAL;
		switch (types[n]) {
		case 'I':
		case 'N':
			v = va_arg(ap, int64_t);
			oids[n] = OID_INT8;
			snprintf(nums[n], sizeof(nums[n]), "%" PRId64, v);
			vals[n] = types[n] == 'N' && !v ? NULL : nums[n];
			break;
		case 'i':
			oids[n] = OID_INT4;
			snprintf(nums[n], sizeof(nums[n]), "%d",
				 va_arg(ap, int));
			vals[n] = nums[n];
			break;
		case 't':
			oids[n] = OID_TEXT;
			vals[n] = va_arg(ap, const char *);
			break;
		default:
			return EINVAL;
		}
	}
	if (s->txn_lost && s->depth > 0)
		return EIO;
	if (PQstatus(s->conn) != CONNECTION_OK && reconnect(s))
		return EIO;
	/* a write inside a transaction: undone alone if it fails */
	sp = s->depth > 0 && n > 0 && strncmp(sql, "SELECT", 6);
	for (int attempt = 0; ; attempt++) {
		r = send1(s, sp ? "SAVEPOINT occ_stmt" : sql, sp ? 0 : n,
			  oids, vals);
		if (sp && res_ok(r)) {
			PQclear(r);
			r = send1(s, sql, n, oids, vals);
		}
		if (res_ok(r))
			break;
		if (PQstatus(s->conn) == CONNECTION_BAD ||
		    is_conn_state(r ? PQresultErrorField(r, PG_DIAG_SQLSTATE)
				  : NULL)) {
			OCC_ERR("postgresql: connection lost: %s",
				r ? PQresultErrorMessage(r)
				: PQerrorMessage(s->conn));
			PQclear(r);
			if (s->depth > 0) {
				s->txn_lost = true;
				return EIO;
			}
			if (attempt > 0 || reconnect(s))
				return EIO;
			continue;   /* once, on the new connection */
		}
		err = map_err(s, r, sql);
		PQclear(r);
		if (sp) {
			PQclear(send1(s, "ROLLBACK TO occ_stmt", 0, NULL,
				      NULL));
			PQclear(send1(s, "RELEASE occ_stmt", 0, NULL, NULL));
		}
		return err;
	}
	if (sp) {
		PGresult *r2 = send1(s, "RELEASE occ_stmt", 0, NULL, NULL);
		if (!res_ok(r2))
			err = map_err(s, r2, "RELEASE occ_stmt");
		PQclear(r2);
	}
	if (err || !resp)
		PQclear(r);
	else
		*resp = r;
	return err;
}

int pg_exec(struct store *st, PGresult **resp, const char *sql,
	    const char *types, ...)
{
	va_list ap;
	int err;

	va_start(ap, types);
	err = pg_exec_va(st, resp, sql, types, ap);
	va_end(ap);
	return err;
}

int pg_changes(const PGresult *r)
{
	return atoi(PQcmdTuples((PGresult *)r));
}

int64_t pg_int(const PGresult *r, int row, int col)
{
	return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

bool pg_text(char *dst, size_t size, const PGresult *r, int row, int col)
{
	size_t n = (size_t)PQgetlength(r, row, col);

	if (n >= size)
		return false;
	memcpy(dst, PQgetvalue(r, row, col), n);
	dst[n] = '\0';
	return true;
}

/* A write: *changesp rows changed (optional). */
static int run(struct store *st, int *changesp, const char *sql,
	       const char *types, ...)
{
	PGresult *r = NULL;
	va_list ap;
	int err;

	va_start(ap, types);
	err = pg_exec_va(st, &r, sql, types, ap);
	va_end(ap);
	if (!err && changesp)
		*changesp = pg_changes(r);
	PQclear(r);
	return err;
}

/* An UPDATE or DELETE of one row by key: ENOENT if there was none. */
int pg_run1(struct store *st, const char *sql, const char *types, ...)
{
	PGresult *r = NULL;
	va_list ap;
	int err;

	va_start(ap, types);
	err = pg_exec_va(st, &r, sql, types, ap);
	va_end(ap);
	if (!err && !pg_changes(r))
		err = ENOENT;
	PQclear(r);
	return err;
}

/* A query's first row: 0 with *rp (PQclear it), ENOENT if none. */
static int row1(struct store *st, PGresult **rp, const char *sql,
		const char *types, ...)
{
	va_list ap;
	int err;

	va_start(ap, types);
	err = pg_exec_va(st, rp, sql, types, ap);
	va_end(ap);
	if (!err && PQntuples(*rp) == 0) {
		PQclear(*rp);
		*rp = NULL;
		err = ENOENT;
	}
	return err;
}

/* ---- transactions ---- */

/* snapshot: a read of several statements sees one state of the data */
static int txn_begin(struct pg_store *s, bool snapshot)
{
	int err = 0;

	if (s->depth == 0) {
		s->txn_lost = false;
		err = simple(s, snapshot ? "BEGIN ISOLATION LEVEL REPEATABLE"
			     " READ" : "BEGIN");
	}
	if (!err)
		s->depth++;
	return err;
}

static int txn_commit(struct pg_store *s)
{
	int err;

	if (s->depth == 0)
		return EINVAL;
	if (--s->depth > 0)
		return s->txn_lost ? EIO : 0;
	if (s->txn_lost) {
		s->txn_lost = false;
		return EIO;
	}
	err = simple(s, "COMMIT");
	if (err && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
		(void)simple(s, "ROLLBACK");
	return err;
}

static int pg_begin(struct store *st)
{
	return txn_begin(be(st), false);
}

static int pg_commit(struct store *st)
{
	return txn_commit(be(st));
}

int pg_op_begin(struct store *st)
{
	struct pg_store *s = be(st);
	int err = txn_begin(s, false);

	if (err)
		return err;
	err = simple(s, "SAVEPOINT occ_op");
	if (err)
		(void)txn_commit(s);
	return err;
}

int pg_op_end(struct store *st, int err)
{
	struct pg_store *s = be(st);
	int err2;

	if (err)
		(void)simple(s, "ROLLBACK TO occ_op");
	err2 = simple(s, "RELEASE occ_op");
	if (!err)
		err = err2;
	err2 = txn_commit(s);
	return err ? err : err2;
}

/* ---- load ---- */

typedef bool (load_row_h)(const PGresult *q, int i,
			  const struct store_visitor *v, void *arg);

static bool row_team(const PGresult *q, int i, const struct store_visitor *v,
		     void *arg)
{
	struct st_team t = { .id = pg_int(q, i, 0) };

	if (!pg_text(t.name, sizeof(t.name), q, i, 1))
		return false;
	if (v->team)
		v->team(&t, arg);
	return true;
}

static bool row_account(const PGresult *q, int i,
			const struct store_visitor *v, void *arg)
{
	struct st_account a = {
		.id = pg_int(q, i, 0),
		.team_id = pg_int(q, i, 1),
		.enabled = pg_int(q, i, 4) != 0,
	};

	if (!pg_text(a.name, sizeof(a.name), q, i, 2) ||
	    !pg_text(a.pwhash, sizeof(a.pwhash), q, i, 3) ||
	    !pg_text(a.agent, sizeof(a.agent), q, i, 5))
		return false;
	if (v->account)
		v->account(&a, arg);
	return true;
}

static bool read_agent(const PGresult *q, int i, struct st_agent *a)
{
	memset(a, 0, sizeof(*a));
	a->id = pg_int(q, i, 0);
	a->team_id = pg_int(q, i, 1);
	a->account_id = pg_int(q, i, 2);
	return pg_text(a->number, sizeof(a->number), q, i, 3) &&
	       pg_text(a->name, sizeof(a->name), q, i, 4) &&
	       pg_text(a->pwhash, sizeof(a->pwhash), q, i, 5) &&
	       pg_text(a->exten, sizeof(a->exten), q, i, 6);
}

static bool row_agent(const PGresult *q, int i, const struct store_visitor *v,
		      void *arg)
{
	struct st_agent a;

	if (!read_agent(q, i, &a))
		return false;
	if (v->agent)
		v->agent(&a, arg);
	return true;
}

static bool row_group(const PGresult *q, int i, const struct store_visitor *v,
		      void *arg)
{
	struct st_group g = {
		.id = pg_int(q, i, 0),
		.team_id = pg_int(q, i, 1),
		.acw_mode = (int)pg_int(q, i, 4),
		.work_mode = (int)pg_int(q, i, 5),
		.acw_s = (int)pg_int(q, i, 6),
	};

	if (!pg_text(g.name, sizeof(g.name), q, i, 2) ||
	    !pg_text(g.queue, sizeof(g.queue), q, i, 3))
		return false;
	if (v->group)
		v->group(&g, arg);
	return true;
}

static bool row_member(const PGresult *q, int i,
		       const struct store_visitor *v, void *arg)
{
	struct st_member m = {
		.group_id = pg_int(q, i, 0),
		.agent_id = pg_int(q, i, 1),
		.dynamic = pg_int(q, i, 2) != 0,
		.leader = pg_int(q, i, 3) != 0,
		.checked_in = pg_int(q, i, 4) != 0,
		.acw_mode = (int)pg_int(q, i, 5),
		.work_mode = (int)pg_int(q, i, 6),
	};

	if (v->member)
		v->member(&m, arg);
	return true;
}

static bool row_exten(const PGresult *q, int i, const struct store_visitor *v,
		      void *arg)
{
	struct st_exten e = {
		.id = pg_int(q, i, 0),
		.team_id = pg_int(q, i, 1),
	};

	if (!pg_text(e.number, sizeof(e.number), q, i, 2) ||
	    !pg_text(e.ha1, sizeof(e.ha1), q, i, 3) ||
	    !pg_text(e.kind, sizeof(e.kind), q, i, 4))
		return false;
	if (v->exten)
		v->exten(&e, arg);
	return true;
}

static bool row_state(const PGresult *q, int i, const struct store_visitor *v,
		      void *arg)
{
	struct st_agent_state s = {
		.agent_id = pg_int(q, i, 0),
		.logged_in = pg_int(q, i, 1) != 0,
		.state = (int)pg_int(q, i, 3),
		.since_ms = pg_int(q, i, 5),
		.default_group_id = pg_int(q, i, 6),
		.dnd = pg_int(q, i, 7) != 0,
	};

	if (!pg_text(s.device, sizeof(s.device), q, i, 2) ||
	    !pg_text(s.pause_reason, sizeof(s.pause_reason), q, i, 4))
		return false;
	if (v->agent_state)
		v->agent_state(&s, arg);
	return true;
}

static bool row_trunk(const PGresult *q, int i, const struct store_visitor *v,
		      void *arg)
{
	struct st_trunk t = {
		.id = pg_int(q, i, 0),
		.team_id = pg_int(q, i, 1),
		.is_default = pg_int(q, i, 4) != 0,
		.do_register = pg_int(q, i, 5) != 0,
	};

	if (!pg_text(t.name, sizeof(t.name), q, i, 2) ||
	    !pg_text(t.uri, sizeof(t.uri), q, i, 3) ||
	    !pg_text(t.username, sizeof(t.username), q, i, 6) ||
	    !pg_text(t.password, sizeof(t.password), q, i, 7) ||
	    !pg_text(t.callerid, sizeof(t.callerid), q, i, 8) ||
	    !pg_text(t.strip_prefix, sizeof(t.strip_prefix), q, i, 9) ||
	    !pg_text(t.add_prefix, sizeof(t.add_prefix), q, i, 10))
		return false;
	if (v->trunk)
		v->trunk(&t, arg);
	return true;
}

static bool row_registration(const PGresult *q, int i,
			     const struct store_visitor *v, void *arg)
{
	struct st_registration r = {
		.team_id = pg_int(q, i, 0),
		.expires_ms = pg_int(q, i, 5),
	};

	if (!pg_text(r.exten, sizeof(r.exten), q, i, 1) ||
	    !pg_text(r.contact, sizeof(r.contact), q, i, 2) ||
	    !pg_text(r.source, sizeof(r.source), q, i, 3) ||
	    !pg_text(r.user_agent, sizeof(r.user_agent), q, i, 4) ||
	    !pg_text(r.path, sizeof(r.path), q, i, 6))
		return false;
	if (v->registration)
		v->registration(&r, arg);
	return true;
}

static bool row_setting(const PGresult *q, int i,
			const struct store_visitor *v, void *arg)
{
	struct st_team_setting t = { .team_id = pg_int(q, i, 0) };

	if (!pg_text(t.key, sizeof(t.key), q, i, 1) ||
	    !pg_text(t.value, sizeof(t.value), q, i, 2))
		return false;
	if (v->team_setting)
		v->team_setting(&t, arg);
	return true;
}

static bool row_routing(const PGresult *q, int i,
			const struct store_visitor *v, void *arg)
{
	struct st_routing r = {
		.team_id = pg_int(q, i, 0),
		.text = PQgetvalue(q, i, 1),
		.len = (size_t)PQgetlength(q, i, 1),
		.updated_ms = pg_int(q, i, 2),
	};

	if (r.len > ST_ROUTING)
		return false;
	if (v->routing)
		v->routing(&r, arg);
	return true;
}

/* Parents before children: the order store.h promises; text ordered
 * bytewise (COLLATE "C") as SQLite does, whatever the database's locale. */
static const struct load_step {
	const char *sql;
	load_row_h *row;
} load_steps[] = {
	{ "SELECT id, name FROM teams ORDER BY id", row_team },
	{ "SELECT a.id, a.team_id, a.name, a.pwhash, a.enabled,"
	  " COALESCE(g.number, '') FROM accounts a"
	  " LEFT JOIN agents g ON g.id = a.agent_id ORDER BY a.id",
	  row_account },
	{ "SELECT id, team_id, COALESCE(account_id, 0), number, name, pwhash,"
	  " exten FROM agents ORDER BY team_id, length(number),"
	  " number COLLATE \"C\"", row_agent },
	{ "SELECT id, team_id, name, queue, acw_mode, work_mode, acw_s"
	  " FROM agent_groups ORDER BY id", row_group },
	{ "SELECT m.group_id, m.agent_id, m.dynamic, m.leader, m.checked_in,"
	  " m.acw_mode, m.work_mode FROM members m"
	  " JOIN agents a ON a.id = m.agent_id"
	  " ORDER BY a.team_id, length(a.number), a.number COLLATE \"C\","
	  " m.group_id", row_member },
	{ "SELECT id, team_id, number, ha1, kind FROM extensions ORDER BY id",
	  row_exten },
	{ "SELECT id, team_id, name, uri, is_default, do_register, username,"
	  " password, callerid, strip_prefix, add_prefix FROM trunks"
	  " ORDER BY id", row_trunk },
	{ "SELECT team_id, exten, contact, source, user_agent, expires_ms,"
	  " path FROM registrations ORDER BY team_id, exten COLLATE \"C\","
	  " contact COLLATE \"C\"", row_registration },
	{ "SELECT team_id, key, value FROM team_settings"
	  " ORDER BY team_id, key COLLATE \"C\"", row_setting },
	{ "SELECT team_id, text, updated_ms FROM team_routing"
	  " ORDER BY team_id", row_routing },
	{ "SELECT agent_id, logged_in, device, state, pause_reason, since_ms,"
	  " default_group_id, dnd FROM agent_state ORDER BY agent_id",
	  row_state },
};

static int load_one(struct pg_store *s, const struct load_step *ls,
		    const struct store_visitor *v, void *arg)
{
	PGresult *q = NULL;
	int err = pg_exec(&s->base, &q, ls->sql, "");

	for (int i = 0; !err && i < PQntuples(q); i++) {
		if (!ls->row(q, i, v, arg)) {
			OCC_ERR("load: over-long value in row %lld of: %s",
				(long long)pg_int(q, i, 0), ls->sql);
			err = EIO;
		}
	}
	PQclear(q);
	return err;
}

static int p_load(struct store *st, const struct store_visitor *v, void *arg)
{
	struct pg_store *s = be(st);
	int err, err2;

	/* one snapshot of all tables even while occctl writes */
	err = txn_begin(s, true);
	if (err)
		return err;
	for (size_t i = 0; !err && i < ARRAY_SIZE(load_steps); i++)
		err = load_one(s, &load_steps[i], v, arg);
	err2 = txn_commit(s);
	return err ? err : err2;
}

/* ---- provisioning ---- */

/* The id a RETURNING statement gave. */
static int returning_id(struct store *st, int64_t *idp, const char *sql,
			const char *types, ...)
{
	PGresult *r = NULL;
	va_list ap;
	int err;

	va_start(ap, types);
	err = pg_exec_va(st, &r, sql, types, ap);
	va_end(ap);
	if (!err && PQntuples(r) == 0)
		err = ENOENT;       /* a conditional INSERT found no parent */
	if (!err && idp)
		*idp = pg_int(r, 0, 0);
	PQclear(r);
	return err;
}

static int p_team_add(struct store *st, const char *name, int64_t *idp)
{
	return returning_id(st, idp, "INSERT INTO teams (name) VALUES ($1)"
			    " RETURNING id", "t", name);
}

static int p_team_del(struct store *st, const char *name)
{
	return pg_run1(st, "DELETE FROM teams WHERE name = $1", "t", name);
}

static int p_team_get(struct store *st, const char *name, struct st_team *t)
{
	PGresult *q;
	bool ok;
	int err = row1(st, &q, "SELECT id, name FROM teams WHERE name = $1",
		       "t", name);

	if (err)
		return err;
	memset(t, 0, sizeof(*t));
	t->id = pg_int(q, 0, 0);
	ok = pg_text(t->name, sizeof(t->name), q, 0, 1);
	PQclear(q);
	return ok ? 0 : EIO;
}

/* Zero rows inserted means the conditional INSERT found no parent row. */
static int insert_cond(int err, int changes)
{
	if (err)
		return err;
	return changes ? 0 : ENOENT;
}

static int p_account_add(struct store *st, const struct st_account *a)
{
	int n = 0;
	/* $5 '' links no agent; a named agent must exist in the team */
	int err = run(st, &n,
		      "INSERT INTO accounts (team_id, name, pwhash, enabled,"
		      " agent_id) SELECT $1, $2, $3, $4,"
		      "  (SELECT id FROM agents WHERE team_id = $1"
		      "   AND number = $5)"
		      " WHERE $5 = '' OR EXISTS (SELECT 1 FROM agents"
		      "  WHERE team_id = $1 AND number = $5)",
		      "Ittit", a->team_id, a->name, a->pwhash, (int)a->enabled,
		      a->agent);

	return insert_cond(err, n);
}

static int p_account_del(struct store *st, int64_t team_id, const char *name)
{
	return pg_run1(st, "DELETE FROM accounts WHERE team_id = $1 AND name = $2",
		    "It", team_id, name);
}

static int p_account_set_pwhash(struct store *st, int64_t team_id,
				const char *name, const char *pwhash)
{
	return pg_run1(st, "UPDATE accounts SET pwhash = $3"
		    " WHERE team_id = $1 AND name = $2", "Itt", team_id, name,
		    pwhash);
}

static int p_account_set_enabled(struct store *st, int64_t team_id,
				 const char *name, bool enabled)
{
	return pg_run1(st, "UPDATE accounts SET enabled = $3"
		    " WHERE team_id = $1 AND name = $2", "Iti", team_id, name,
		    (int)enabled);
}

static int p_agent_add(struct store *st, const struct st_agent *a)
{
	int n = 0;
	/* $2 NULL: no account; otherwise it must belong to the same team */
	int err = run(st, &n,
		      "INSERT INTO agents (team_id, account_id, number, name,"
		      " pwhash, exten) SELECT $1, $2, $3, $4, $5, $6"
		      " WHERE $2 IS NULL OR EXISTS (SELECT 1 FROM accounts"
		      "  WHERE id = $2 AND team_id = $1)",
		      "INtttt", a->team_id, a->account_id, a->number, a->name,
		      a->pwhash, a->exten);

	return insert_cond(err, n);
}

static int p_agent_del(struct store *st, int64_t team_id, const char *number)
{
	return pg_run1(st, "DELETE FROM agents WHERE team_id = $1 AND number = $2",
		    "It", team_id, number);
}

static int p_agent_set_pwhash(struct store *st, int64_t team_id,
			      const char *number, const char *pwhash)
{
	return pg_run1(st, "UPDATE agents SET pwhash = $3"
		    " WHERE team_id = $1 AND number = $2", "Itt", team_id,
		    number, pwhash);
}

static int p_agent_set_info(struct store *st, int64_t team_id,
			    const char *number, const char *name,
			    const char *exten)
{
	return pg_run1(st, "UPDATE agents SET name = COALESCE($3, name),"
		       " exten = COALESCE($4, exten)"
		       " WHERE team_id = $1 AND number = $2", "Ittt", team_id,
		       number, name, exten);
}

static int p_agent_get(struct store *st, int64_t team_id, const char *number,
		       struct st_agent *a)
{
	PGresult *q;
	bool ok;
	int err = row1(st, &q, "SELECT id, team_id, COALESCE(account_id, 0),"
		       " number, name, pwhash, exten FROM agents"
		       " WHERE team_id = $1 AND number = $2", "It", team_id,
		       number);

	if (err)
		return err;
	ok = read_agent(q, 0, a);
	PQclear(q);
	return ok ? 0 : EIO;
}

/* An agent_group_id is visible to integrations: an automatic one never
 * reuses an id, and the sequence moves past an id given explicitly (as
 * SQLite's AUTOINCREMENT). */
static int returning_id(struct store *st, int64_t *idp, const char *sql,
			const char *types, ...);

static int p_group_add(struct store *st, const struct st_group *g)
{
	int err = pg_op_begin(st);

	if (err)
		return err;
	int64_t id = 0;

	/* one group add at a time: the next id is read, then taken */
	err = simple(be(st), "LOCK TABLE agent_groups IN SHARE ROW EXCLUSIVE"
		     " MODE");
	if (!err)
		err = returning_id(st, &id, "INSERT INTO agent_groups (id,"
				   " team_id, name, queue, acw_mode, work_mode,"
				   " acw_s) VALUES (COALESCE($1, (SELECT CASE"
				   " WHEN is_called THEN last_value + 1 ELSE"
				   " last_value END FROM agent_groups_id_seq)),"
				   " $2, $3, $4, $5, $6, $7) RETURNING id",
				   "NIttiii", g->id, g->team_id, g->name,
				   g->queue, g->acw_mode, g->work_mode,
				   g->acw_s);
	/* the sequence moves only once the row is in */
	if (!err)
		err = run(st, NULL, "SELECT setval('agent_groups_id_seq', $1)"
			  " FROM agent_groups_id_seq WHERE $1 >= last_value",
			  "I", id);
	return pg_op_end(st, err);
}

static int p_group_del(struct store *st, int64_t team_id, int64_t group_id)
{
	return pg_run1(st, "DELETE FROM agent_groups WHERE id = $2"
		    " AND team_id = $1", "II", team_id, group_id);
}

static int p_group_set(struct store *st, int64_t team_id, int64_t group_id,
		       const char *name, int acw_s)
{
	return pg_run1(st, "UPDATE agent_groups SET name = COALESCE($3, name),"
		       " acw_s = CASE WHEN $4::integer < 0 THEN acw_s"
		       " ELSE $4::integer END WHERE id = $2 AND team_id = $1",
		       "IIti", team_id, group_id, name, acw_s);
}

static int p_member_add(struct store *st, const struct st_member *m)
{
	int n = 0;
	/* agent and group must share a team; acw_mode 0 takes the group's */
	int err = run(st, &n,
		      "INSERT INTO members (group_id, agent_id, dynamic, leader,"
		      " checked_in, acw_mode, work_mode)"
		      " SELECT g.id, a.id, $3, $4, $5,"
		      "  CASE $6 WHEN 0 THEN g.acw_mode ELSE $6 END, $7"
		      " FROM agent_groups g JOIN agents a"
		      "  ON a.team_id = g.team_id"
		      " WHERE g.id = $1 AND a.id = $2",
		      "IIiiiii", m->group_id, m->agent_id, (int)m->dynamic,
		      (int)m->leader, (int)m->checked_in, m->acw_mode,
		      m->work_mode);

	return insert_cond(err, n);
}

static int p_member_del(struct store *st, int64_t group_id, int64_t agent_id)
{
	return pg_run1(st, "DELETE FROM members WHERE group_id = $1"
		    " AND agent_id = $2", "II", group_id, agent_id);
}

static int p_exten_add(struct store *st, const struct st_exten *e)
{
	return run(st, NULL, "INSERT INTO extensions (team_id, number, ha1,"
		   " kind) VALUES ($1, $2, $3, $4)", "Ittt", e->team_id,
		   e->number, e->ha1, e->kind);
}

static int p_exten_del(struct store *st, int64_t team_id, const char *number)
{
	return pg_run1(st, "DELETE FROM extensions WHERE team_id = $1"
		    " AND number = $2", "It", team_id, number);
}

static int p_exten_set_ha1(struct store *st, int64_t team_id,
			   const char *number, const char *ha1)
{
	return pg_run1(st, "UPDATE extensions SET ha1 = $3"
		    " WHERE team_id = $1 AND number = $2", "Itt", team_id,
		    number, ha1);
}

/* ---- runtime state ---- */

static int p_agent_state_save(struct store *st, const struct st_agent_state *a)
{
	return run(st, NULL,
		   "INSERT INTO agent_state (agent_id, logged_in, device, state,"
		   " pause_reason, since_ms, default_group_id, dnd)"
		   " VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
		   " ON CONFLICT (agent_id) DO UPDATE SET logged_in = $2,"
		   " device = $3, state = $4, pause_reason = $5,"
		   " since_ms = $6, default_group_id = $7, dnd = $8",
		   "IititIIi", a->agent_id, (int)a->logged_in, a->device,
		   a->state, a->pause_reason, a->since_ms, a->default_group_id,
		   (int)a->dnd);
}

static int p_member_state_save(struct store *st, const struct st_member *m)
{
	return pg_run1(st, "UPDATE members SET checked_in = $3, acw_mode = $4,"
		    " work_mode = $5 WHERE group_id = $1 AND agent_id = $2",
		    "IIiii", m->group_id, m->agent_id, (int)m->checked_in,
		    m->acw_mode, m->work_mode);
}

static int p_state_log_append(struct store *st, const struct st_state_log *l)
{
	return run(st, NULL, "INSERT INTO state_log (agent_id, ts_ms, state,"
		   " pause_reason) VALUES ($1, $2, $3, $4)", "IIit",
		   l->agent_id, l->ts_ms, l->state, l->pause_reason);
}

static int p_state_log_prune(struct store *st, int64_t team_id,
			     int64_t before_ms, unsigned limit, unsigned *np)
{
	int n = 0;
	/* each agent's last row before $2 stays: the state in force then */
	int err = run(st, &n, "DELETE FROM state_log WHERE id IN"
		      " (SELECT s.id FROM agents AS a"
		      "  JOIN state_log AS s ON s.agent_id = a.id"
		      "  WHERE a.team_id = $1 AND s.ts_ms < $2"
		      "  AND s.id <> (SELECT l.id FROM state_log AS l"
		      "   WHERE l.agent_id = a.id AND l.ts_ms < $2"
		      "   ORDER BY l.ts_ms DESC, l.id DESC LIMIT 1)"
		      "  LIMIT $3)", "III", team_id, before_ms,
		      (int64_t)limit);

	*np = err ? 0 : (unsigned)n;
	return err;
}

static const char *const log_sql[2] = {
	/* the row in force at since_ms ... */
	"SELECT agent_id, ts_ms, state, pause_reason FROM state_log"
	" WHERE agent_id = $1 AND ts_ms < $2 ORDER BY ts_ms DESC, id DESC"
	" LIMIT 1",
	/* ... then every change from since_ms on */
	"SELECT agent_id, ts_ms, state, pause_reason FROM state_log"
	" WHERE agent_id = $1 AND ts_ms >= $2 ORDER BY ts_ms, id",
};

static int p_state_log_visit(struct store *st, int64_t agent_id,
			     int64_t since_ms, store_log_h *h, void *arg)
{
	struct pg_store *s = be(st);
	int err, err2;

	err = txn_begin(s, true);
	if (err)
		return err;
	for (size_t k = 0; !err && k < ARRAY_SIZE(log_sql); k++) {
		PGresult *q = NULL;

		err = pg_exec(st, &q, log_sql[k], "II", agent_id, since_ms);
		for (int i = 0; !err && i < PQntuples(q); i++) {
			struct st_state_log l = {
				.agent_id = pg_int(q, i, 0),
				.ts_ms = pg_int(q, i, 1),
				.state = (int)pg_int(q, i, 2),
			};
			if (!pg_text(l.pause_reason, sizeof(l.pause_reason),
				     q, i, 3)) {
				OCC_ERR("state log of agent %lld: over-long"
					" value", (long long)agent_id);
				err = EIO;
				break;
			}
			h(&l, arg);
		}
		PQclear(q);
	}
	err2 = txn_commit(s);
	return err ? err : err2;
}

/* ---- trunks and team settings ---- */

/* a UNIQUE index is checked row by row: clear the old default first */
static const char trunk_undefault_sql[] =
	"UPDATE trunks SET is_default = 0"
	" WHERE team_id = $1 AND is_default = 1 AND name <> $2";

static int p_trunk_add(struct store *st, const struct st_trunk *t)
{
	int err = pg_op_begin(st);

	if (err)
		return err;
	if (t->is_default)
		err = run(st, NULL, trunk_undefault_sql, "It", t->team_id,
			  t->name);
	if (!err)
		err = run(st, NULL, "INSERT INTO trunks (team_id, name, uri,"
			  " is_default, do_register, username, password,"
			  " callerid, strip_prefix, add_prefix) VALUES ($1,"
			  " $2, $3, $4, $5, $6, $7, $8, $9, $10)",
			  "Ittiittttt", t->team_id, t->name, t->uri,
			  (int)t->is_default, (int)t->do_register,
			  t->username, t->password, t->callerid,
			  t->strip_prefix, t->add_prefix);
	return pg_op_end(st, err);
}

static int p_trunk_del(struct store *st, int64_t team_id, const char *name)
{
	return pg_run1(st, "DELETE FROM trunks WHERE team_id = $1 AND name = $2",
		    "It", team_id, name);
}

static int p_trunk_set(struct store *st, const struct st_trunk *t,
		       bool keep_password)
{
	return pg_run1(st, "UPDATE trunks SET uri = $3, do_register = $4,"
		       " username = $5, password = CASE WHEN $8::integer = 1"
		       " THEN password ELSE $6 END, callerid = $7,"
		       " strip_prefix = $9, add_prefix = $10"
		       " WHERE team_id = $1 AND name = $2", "Ittitttitt",
		       t->team_id, t->name, t->uri, (int)t->do_register,
		       t->username, t->password, t->callerid,
		       (int)keep_password, t->strip_prefix, t->add_prefix);
}

static int p_trunk_set_default(struct store *st, int64_t team_id,
			       const char *name)
{
	int err = pg_op_begin(st);

	if (err)
		return err;
	err = run(st, NULL, trunk_undefault_sql, "It", team_id, name);
	if (!err)
		err = pg_run1(st, "UPDATE trunks SET is_default = 1"
			   " WHERE team_id = $1 AND name = $2", "It", team_id,
			   name);
	return pg_op_end(st, err);
}

static int p_team_setting_set(struct store *st, int64_t team_id,
			      const char *key, const char *value)
{
	if (!*value)
		return run(st, NULL, "DELETE FROM team_settings"
			   " WHERE team_id = $1 AND key = $2", "It", team_id,
			   key);
	return run(st, NULL, "INSERT INTO team_settings (team_id, key, value)"
		   " VALUES ($1, $2, $3) ON CONFLICT (team_id, key)"
		   " DO UPDATE SET value = $3", "Itt", team_id, key, value);
}

/* ---- routing files ---- */

static int p_routing_set(struct store *st, int64_t team_id, const char *text,
			 size_t len, int64_t updated_ms)
{
	/* the text comes with its length: a NUL-terminated copy */
	char *copy = mem_alloc(len + 1, NULL);
	int err;

	if (!copy)
		return ENOMEM;
	memcpy(copy, text, len);
	copy[len] = '\0';
	err = run(st, NULL, "INSERT INTO team_routing (team_id, text,"
		  " updated_ms) VALUES ($1, $2, $3) ON CONFLICT (team_id)"
		  " DO UPDATE SET text = $2, updated_ms = $3", "ItI",
		  team_id, copy, updated_ms);
	mem_deref(copy);
	return err;
}

static int p_routing_del(struct store *st, int64_t team_id)
{
	return pg_run1(st, "DELETE FROM team_routing WHERE team_id = $1", "I",
		    team_id);
}

static int p_routing_get(struct store *st, int64_t team_id, char **textp,
			 int64_t *updated_msp)
{
	PGresult *q;
	size_t n;
	char *copy;
	int err = row1(st, &q, "SELECT text, updated_ms FROM team_routing"
		       " WHERE team_id = $1", "I", team_id);

	if (err)
		return err;
	n = (size_t)PQgetlength(q, 0, 0);
	copy = mem_alloc(n + 1, NULL);
	if (copy) {
		memcpy(copy, PQgetvalue(q, 0, 0), n);
		copy[n] = '\0';
		if (updated_msp)
			*updated_msp = pg_int(q, 0, 1);
	}
	PQclear(q);
	if (!copy)
		return ENOMEM;
	*textp = copy;
	return 0;
}

/* ---- registrations ---- */

static int p_registration_save(struct store *st,
			       const struct st_registration *r)
{
	return run(st, NULL, "INSERT INTO registrations (team_id, exten,"
		   " contact, source, user_agent, expires_ms, path)"
		   " VALUES ($1, $2, $3, $4, $5, $6, $7)"
		   " ON CONFLICT (team_id, exten, contact) DO UPDATE SET"
		   " source = $4, user_agent = $5, expires_ms = $6, path = $7",
		   "IttttIt", r->team_id, r->exten, r->contact, r->source,
		   r->user_agent, r->expires_ms, r->path);
}

static int p_registration_del(struct store *st, int64_t team_id,
			      const char *exten, const char *contact)
{
	return pg_run1(st, "DELETE FROM registrations WHERE team_id = $1"
		    " AND exten = $2 AND contact = $3", "Itt", team_id, exten,
		    contact);
}

/* ---- CDRs ---- */

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

static bool read_cdr(const PGresult *q, int i, struct st_cdr *c)
{
	memset(c, 0, sizeof(*c));
	c->team_id = pg_int(q, i, 1);
	c->start_ms = pg_int(q, i, 7);
	c->answer_ms = pg_int(q, i, 8);
	c->end_ms = pg_int(q, i, 9);
	c->queue_wait_ms = pg_int(q, i, 19);
	c->abandoned = pg_int(q, i, 20) != 0;
	return pg_text(c->sessionid, sizeof(c->sessionid), q, i, 0) &&
	       pg_text(c->agent, sizeof(c->agent), q, i, 2) &&
	       pg_text(c->direction, sizeof(c->direction), q, i, 3) &&
	       pg_text(c->caller, sizeof(c->caller), q, i, 4) &&
	       pg_text(c->callee, sizeof(c->callee), q, i, 5) &&
	       pg_text(c->calldate, sizeof(c->calldate), q, i, 6) &&
	       pg_text(c->disposition, sizeof(c->disposition), q, i, 10) &&
	       pg_text(c->hangup_by, sizeof(c->hangup_by), q, i, 11) &&
	       pg_text(c->recording, sizeof(c->recording), q, i, 12) &&
	       pg_text(c->modeltype, sizeof(c->modeltype), q, i, 13) &&
	       pg_text(c->model_id, sizeof(c->model_id), q, i, 14) &&
	       pg_text(c->userdata, sizeof(c->userdata), q, i, 15) &&
	       pg_text(c->vars, sizeof(c->vars), q, i, 16) &&
	       pg_text(c->account, sizeof(c->account), q, i, 17) &&
	       pg_text(c->queue, sizeof(c->queue), q, i, 18) &&
	       pg_text(c->ivrpath, sizeof(c->ivrpath), q, i, 21);
}

static bool read_leg(const PGresult *q, int i, struct st_cdr_leg *l)
{
	memset(l, 0, sizeof(*l));
	l->uniqueid = pg_int(q, i, 1);
	l->start_ms = pg_int(q, i, 5);
	l->answer_ms = pg_int(q, i, 6);
	l->end_ms = pg_int(q, i, 7);
	return pg_text(l->sessionid, sizeof(l->sessionid), q, i, 0) &&
	       pg_text(l->channel, sizeof(l->channel), q, i, 2) &&
	       pg_text(l->role, sizeof(l->role), q, i, 3) &&
	       pg_text(l->peer, sizeof(l->peer), q, i, 4) &&
	       pg_text(l->disposition, sizeof(l->disposition), q, i, 8);
}

/* begin and end bind the same 22 values */
#define CDR_TYPES "tItttttIIItttttttttIit"
#define CDR_ARGS(c) (c)->sessionid, (c)->team_id, (c)->agent, \
	(c)->direction, (c)->caller, (c)->callee, (c)->calldate, \
	(c)->start_ms, (c)->answer_ms, (c)->end_ms, (c)->disposition, \
	(c)->hangup_by, (c)->recording, (c)->modeltype, (c)->model_id, \
	(c)->userdata, (c)->vars, (c)->account, (c)->queue, \
	(c)->queue_wait_ms, (int)(c)->abandoned, (c)->ivrpath

static int p_cdr_begin(struct store *st, const struct st_cdr *c)
{
	return run(st, NULL, "INSERT INTO cdr (" CDR_COLS_W ") VALUES ($1,"
		   " $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,"
		   " $15, $16, $17, $18, $19, $20, $21, $22)", CDR_TYPES,
		   CDR_ARGS(c));
}

static int p_cdr_end(struct store *st, const struct st_cdr *c)
{
	return pg_run1(st, "UPDATE cdr SET team_id = $2, agent = $3,"
		    " direction = $4, caller = $5, callee = $6,"
		    " calldate = $7, start_ms = $8, answer_ms = $9,"
		    " end_ms = $10, disposition = $11, hangup_by = $12,"
		    " recording = $13, modeltype = $14, model_id = $15,"
		    " userdata = $16, vars = $17, account = $18, queue = $19,"
		    " queue_wait_ms = $20, abandoned = $21, ivrpath = $22"
		    " WHERE sessionid = $1", CDR_TYPES, CDR_ARGS(c));
}

static int p_cdr_leg_save(struct store *st, const struct st_cdr_leg *l)
{
	return run(st, NULL, "INSERT INTO cdr_legs (" LEG_COLS ") VALUES ($1,"
		   " $2, $3, $4, $5, $6, $7, $8, $9)"
		   " ON CONFLICT (sessionid, uniqueid) DO UPDATE SET"
		   " channel = $3, role = $4, peer = $5, start_ms = $6,"
		   " answer_ms = $7, end_ms = $8, disposition = $9",
		   "tItttIIIt", l->sessionid, l->uniqueid, l->channel,
		   l->role, l->peer, l->start_ms, l->answer_ms, l->end_ms,
		   l->disposition);
}

static int p_cdr_get(struct store *st, const char *sessionid,
		     struct st_cdr *c)
{
	PGresult *q;
	bool ok;
	int err = row1(st, &q, "SELECT " CDR_COLS " FROM cdr"
		       " WHERE sessionid = $1", "t", sessionid);

	if (err)
		return err;
	ok = read_cdr(q, 0, c);
	PQclear(q);
	return ok ? 0 : EIO;
}

/* $3 NULL: no limit; seq is the order calls were inserted in */
static const char *const cdr_visit_sql[3] = {
	"SELECT " CDR_COLS " FROM cdr WHERE start_ms >= $2 AND $1 = 0"
	" ORDER BY start_ms DESC, seq DESC LIMIT $3",
	"SELECT " CDR_COLS " FROM cdr WHERE team_id = $1 AND start_ms >= $2"
	" ORDER BY start_ms DESC, seq DESC LIMIT $3",
	"SELECT " CDR_COLS " FROM cdr WHERE end_ms = 0 AND start_ms >= $2"
	" AND $1 = 0 ORDER BY start_ms, seq LIMIT $3",
};
enum { VISIT_ALL, VISIT_TEAM, VISIT_OPEN };

static int visit_legs(struct store *st, const char *sessionid,
		      store_leg_h *leg_h, void *arg)
{
	struct st_cdr_leg l;
	PGresult *q = NULL;
	int err = pg_exec(st, &q, "SELECT " LEG_COLS " FROM cdr_legs"
			  " WHERE sessionid = $1 ORDER BY start_ms, uniqueid",
			  "t", sessionid);

	for (int i = 0; !err && i < PQntuples(q); i++) {
		if (!read_leg(q, i, &l)) {
			OCC_ERR("cdr %s: over-long value in a leg", sessionid);
			err = EIO;
			break;
		}
		leg_h(&l, arg);
	}
	PQclear(q);
	return err;
}

static int cdr_query(struct store *st, int which, int64_t team_id,
		     int64_t since_ms, unsigned limit, store_cdr_h *cdr_h,
		     store_leg_h *leg_h, void *arg)
{
	struct pg_store *s = be(st);
	PGresult *q = NULL;
	struct st_cdr *c;
	int err, err2;

	/* 7 KiB: not on the stack of a callback chain */
	c = mem_alloc(sizeof(*c), NULL);
	if (!c)
		return ENOMEM;
	/* one snapshot: calls and legs agree */
	err = txn_begin(s, true);
	if (err)
		goto out;
	err = pg_exec(st, &q, cdr_visit_sql[which], "IIN", team_id, since_ms,
		      (int64_t)limit);
	for (int i = 0; !err && i < PQntuples(q); i++) {
		if (!read_cdr(q, i, c)) {
			OCC_ERR("cdr: over-long value in call %s",
				PQgetvalue(q, i, 0));
			err = EIO;
			break;
		}
		cdr_h(c, arg);
		if (leg_h)
			err = visit_legs(st, c->sessionid, leg_h, arg);
	}
	PQclear(q);
	err2 = txn_commit(s);
	if (!err)
		err = err2;
 out:
	mem_deref(c);
	return err;
}

static int p_cdr_visit(struct store *st, int64_t team_id, int64_t since_ms,
		       unsigned limit, store_cdr_h *cdr_h, store_leg_h *leg_h,
		       void *arg)
{
	return cdr_query(st, team_id ? VISIT_TEAM : VISIT_ALL, team_id,
			 since_ms, limit, cdr_h, leg_h, arg);
}

static int p_cdr_visit_open(struct store *st, store_cdr_h *cdr_h,
			    store_leg_h *leg_h, void *arg)
{
	return cdr_query(st, VISIT_OPEN, 0, 0, 0, cdr_h, leg_h, arg);
}

static int p_cdr_close_open(struct store *st, int64_t now_ms, unsigned *np)
{
	int n = 0, err = pg_op_begin(st);

	if (err)
		return err;
	/* legs first, while end_ms = 0 still marks their calls */
	err = run(st, NULL, "UPDATE cdr_legs SET end_ms = GREATEST($1,"
		  " start_ms), disposition = CASE disposition WHEN ''"
		  " THEN 'INTERRUPTED' ELSE disposition END"
		  " WHERE end_ms = 0 AND sessionid IN"
		  "  (SELECT sessionid FROM cdr WHERE end_ms = 0)", "I",
		  now_ms);
	if (!err)
		err = run(st, &n, "UPDATE cdr SET end_ms = GREATEST($1,"
			  " start_ms), disposition = 'INTERRUPTED',"
			  " hangup_by = CASE hangup_by WHEN '' THEN 'system'"
			  "  ELSE hangup_by END WHERE end_ms = 0", "I", now_ms);
	err = pg_op_end(st, err);
	*np = err ? 0 : (unsigned)n;
	return err;
}

/* ---- events ---- */

#define EVENT_COLS "team_id, eventid, ts_ms, agent1, agent2, text"

static int p_event_append(struct store *st, const struct st_event *e)
{
	return run(st, NULL, "INSERT INTO events (" EVENT_COLS ")"
		   " VALUES ($1, $2, $3, $4, $5, $6)", "IIIttt", e->team_id,
		   e->eventid, e->ts_ms, e->agent1, e->agent2, e->text);
}

/* The single column of a query's row, 0 if there is no row. */
static int int_or_0(struct store *st, int64_t *vp, const char *sql,
		    const char *types, ...)
{
	PGresult *q = NULL;
	va_list ap;
	int err;

	va_start(ap, types);
	err = pg_exec_va(st, &q, sql, types, ap);
	va_end(ap);
	if (!err)
		*vp = PQntuples(q) ? pg_int(q, 0, 0) : 0;
	PQclear(q);
	return err;
}

static int p_event_last(struct store *st, int64_t team_id, int64_t *eventidp)
{
	return int_or_0(st, eventidp, "SELECT eventid FROM events"
			" WHERE team_id = $1 ORDER BY eventid DESC LIMIT 1",
			"I", team_id);
}

static int p_event_before(struct store *st, int64_t team_id, int64_t ts_ms,
			  int64_t *eventidp)
{
	return int_or_0(st, eventidp, "SELECT eventid FROM events"
			" WHERE team_id = $1 AND ts_ms < $2"
			" ORDER BY ts_ms DESC LIMIT 1", "II", team_id, ts_ms);
}

/* $3 NULL: no limit. The agent's: the first $3 eventids of each agent
 * index, merged, then those rows (as sqlite.c's, O(limit)). */
static const char *const event_visit_sql[2] = {
	"SELECT " EVENT_COLS " FROM events"
	" WHERE team_id = $1 AND eventid > $2 AND $4 = ''"
	" ORDER BY eventid LIMIT $3",
	"SELECT " EVENT_COLS " FROM events WHERE team_id = $1 AND eventid IN ("
	" (SELECT eventid FROM events"
	"  WHERE team_id = $1 AND agent1 = $4 AND agent1 <> ''"
	"  AND eventid > $2 ORDER BY eventid LIMIT $3)"
	" UNION"
	" (SELECT eventid FROM events"
	"  WHERE team_id = $1 AND agent2 = $4 AND agent2 <> ''"
	"  AND eventid > $2 ORDER BY eventid LIMIT $3))"
	" ORDER BY eventid LIMIT $3",
};

static int p_event_visit(struct store *st, int64_t team_id, int64_t after,
			 const char *agent, unsigned limit, store_event_h *h,
			 void *arg)
{
	PGresult *q = NULL;
	struct st_event *e;
	int err;

	/* 8 KiB: not on the stack of a callback chain */
	e = mem_alloc(sizeof(*e), NULL);
	if (!e)
		return ENOMEM;
	/* one statement: one snapshot */
	err = pg_exec(st, &q, event_visit_sql[agent != NULL], "IINt", team_id,
		      after, (int64_t)limit, agent ? agent : "");
	for (int i = 0; !err && i < PQntuples(q); i++) {
		e->team_id = pg_int(q, i, 0);
		e->eventid = pg_int(q, i, 1);
		e->ts_ms = pg_int(q, i, 2);
		if (!pg_text(e->agent1, sizeof(e->agent1), q, i, 3) ||
		    !pg_text(e->agent2, sizeof(e->agent2), q, i, 4) ||
		    !pg_text(e->text, sizeof(e->text), q, i, 5)) {
			OCC_ERR("events: over-long value in team %lld"
				" event %lld", (long long)team_id,
				(long long)e->eventid);
			err = EIO;
			break;
		}
		h(e, arg);
	}
	PQclear(q);
	mem_deref(e);
	return err;
}

static int p_event_prune(struct store *st, int64_t team_id, int64_t upto,
			 int64_t before_ms, unsigned limit, unsigned *np)
{
	int n = 0;
	/* each team's newest event stays: store_event_last() resumes there */
	int err = run(st, &n, "DELETE FROM events WHERE team_id = $1"
		      " AND eventid IN (SELECT eventid FROM events"
		      "  WHERE team_id = $1 AND ts_ms < $3 AND eventid <= $2"
		      "  AND eventid < (SELECT max(n.eventid) FROM events AS n"
		      "   WHERE n.team_id = $1)"
		      "  ORDER BY ts_ms LIMIT $4)", "IIII", team_id, upto,
		      before_ms, (int64_t)limit);

	*np = err ? 0 : (unsigned)n;
	return err;
}

static int p_cursor_get(struct store *st, int64_t team_id, const char *sink,
			int64_t *eventidp)
{
	return int_or_0(st, eventidp, "SELECT eventid FROM cursors"
			" WHERE team_id = $1 AND sink = $2", "It", team_id,
			sink);
}

static int p_cursor_set(struct store *st, int64_t team_id, const char *sink,
			int64_t eventid)
{
	return run(st, NULL, "INSERT INTO cursors (team_id, sink, eventid)"
		   " VALUES ($1, $2, $3) ON CONFLICT (team_id, sink)"
		   " DO UPDATE SET eventid = $3", "ItI", team_id, sink,
		   eventid);
}

/* ---- counters ---- */

static int p_counter_next(struct store *st, const char *name, int64_t *valp)
{
	/* one statement: atomic against every other connection */
	return returning_id(st, valp, "INSERT INTO counters (name, value)"
			    " VALUES ($1, 1) ON CONFLICT (name) DO UPDATE"
			    " SET value = counters.value + 1 RETURNING value",
			    "t", name);
}

/* ---- open/close ---- */

static const struct store_ops pg_ops = {
	.name = "postgresql",
	.load = p_load,
	.team_add = p_team_add,
	.team_del = p_team_del,
	.team_get = p_team_get,
	.account_add = p_account_add,
	.account_del = p_account_del,
	.account_set_pwhash = p_account_set_pwhash,
	.account_set_enabled = p_account_set_enabled,
	.agent_add = p_agent_add,
	.agent_del = p_agent_del,
	.agent_set_pwhash = p_agent_set_pwhash,
	.agent_set_info = p_agent_set_info,
	.agent_get = p_agent_get,
	.group_add = p_group_add,
	.group_del = p_group_del,
	.group_set = p_group_set,
	.member_add = p_member_add,
	.member_del = p_member_del,
	.exten_add = p_exten_add,
	.exten_del = p_exten_del,
	.exten_set_ha1 = p_exten_set_ha1,
	.agent_state_save = p_agent_state_save,
	.member_state_save = p_member_state_save,
	.state_log_append = p_state_log_append,
	.state_log_visit = p_state_log_visit,
	.state_log_prune = p_state_log_prune,
	.trunk_add = p_trunk_add,
	.trunk_del = p_trunk_del,
	.trunk_set = p_trunk_set,
	.trunk_set_default = p_trunk_set_default,
	.team_setting_set = p_team_setting_set,
	.routing_set = p_routing_set,
	.routing_del = p_routing_del,
	.routing_get = p_routing_get,
	.registration_save = p_registration_save,
	.registration_del = p_registration_del,
	.cdr_begin = p_cdr_begin,
	.cdr_end = p_cdr_end,
	.cdr_leg_save = p_cdr_leg_save,
	.cdr_get = p_cdr_get,
	.cdr_visit = p_cdr_visit,
	.cdr_close_open = p_cdr_close_open,
	.cdr_visit_open = p_cdr_visit_open,
	.event_append = p_event_append,
	.event_last = p_event_last,
	.event_before = p_event_before,
	.event_visit = p_event_visit,
	.event_prune = p_event_prune,
	.cursor_get = p_cursor_get,
	.cursor_set = p_cursor_set,
	.counter_next = p_counter_next,
	.campaign_add = pg_campaign_add,
	.campaign_get = pg_campaign_get,
	.campaign_set_state = pg_campaign_set_state,
	.campaign_del = pg_campaign_del,
	.campaign_set = pg_campaign_set,
	.dnc_add = pg_dnc_add,
	.dnc_del = pg_dnc_del,
	.dnc_visit = pg_dnc_visit,
	.dnc_match = pg_dnc_match,
	.customer_get_id = pg_customer_get_id,
	.campaign_visit = pg_campaign_visit,
	.column_add = pg_column_add,
	.column_del = pg_column_del,
	.column_visit = pg_column_visit,
	.customer_get = pg_customer_get,
	.customer_add = pg_customer_add,
	.customer_update = pg_customer_update,
	.customer_visit = pg_customer_visit,
	.dial_add = pg_dial_add,
	.dial_visit = pg_dial_visit,
	.dial_take = pg_dial_take,
	.dial_result = pg_dial_result,
	.dial_interrupted = pg_dial_interrupted,
	.import_report_put = pg_import_report_put,
	.import_report_visit = pg_import_report_visit,
	.campaign_call_visit = pg_campaign_call_visit,
	.group_state_log_visit = pg_group_state_log_visit,
	.dial_count_visit = pg_dial_count_visit,
	.node_beat = pg_node_beat,
	.lease_renew = pg_lease_renew,
	.lease_claim = pg_lease_claim,
	.lease_release = pg_lease_release,
	.lease_want = pg_lease_want,
	.did_replace = pg_did_replace,
	.lease_get = pg_lease_get,
	.cluster_visit = pg_cluster_visit,
	.begin = pg_begin,
	.commit = pg_commit,
};

/* The server's warnings go to occ's log, not to stderr. */
static void on_notice(void *arg, const char *msg)
{
	(void)arg;
	OCC_WARN("postgresql: %s", msg);
}

static void pg_store_destructor(void *arg)
{
	struct pg_store *s = arg;

	store_close_pass(&s->base);
	if (s->conn && s->depth &&
	    PQtransactionStatus(s->conn) != PQTRANS_IDLE) {
		OCC_WARN("closing with an open transaction; rolling back");
		PQclear(PQexec(s->conn, "ROLLBACK"));
	}
	PQfinish(s->conn);
}

int pg_store_open(struct store **stp, const char *conninfo)
{
	/* defaults first: conninfo's own settings override them */
	static const char *const keys[] = {
		"connect_timeout", "options", "application_name", "dbname",
		NULL,
	};
	const char *vals[] = {
		"5", "-c statement_timeout=10000 -c client_min_messages=warning",
		"occ", conninfo, NULL,
	};
	struct pg_store *s;
	int err;

	if (!conninfo || !*conninfo) {
		OCC_ERR("[store] backend = postgresql needs [store] conninfo");
		return EINVAL;
	}
	s = mem_zalloc(sizeof(*s), pg_store_destructor);
	if (!s)
		return ENOMEM;
	s->base.ops = &pg_ops;
	s->conn = PQconnectdbParams(keys, vals, 1);
	if (!s->conn || PQstatus(s->conn) != CONNECTION_OK) {
		/* libpq's message names host and database, never the
		 * password */
		OCC_ERR("postgresql: cannot connect: %s",
			s->conn ? PQerrorMessage(s->conn) : "out of memory");
		err = s->conn ? EIO : ENOMEM;
		goto out;
	}
	PQsetNoticeProcessor(s->conn, on_notice, NULL);
	err = pg_schema_migrate(s->conn);
 out:
	if (err)
		mem_deref(s);
	else
		*stp = &s->base;
	return err;
}
