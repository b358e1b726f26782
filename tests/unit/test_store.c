/*
 * test_store.c — the store API against real SQLite files in a mkdtemp
 * directory, or with OCC_PG_CONNINFO set against PostgreSQL (tests/pg/run.sh;
 * the tests of SQLite's own file, migrations from old versions and query
 * plans are skipped there): every kind of row, unique keys, cascades, runtime state across
 * a reopen, the state-log window, the event log and its cursors (and the
 * query plans of its replay), migrations, and the demo data set
 * (core/provision.c, which exists to fill a store).
 *
 * Each test body runs between fx_open() and fx_close() so a failed
 * assertion still closes the store and removes the directory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sqlite3.h>
#include <re.h>
#include "unit.h"
#include "core/agent_state.h"
#include "core/provision.h"
#include "core/pwhash.h"
#include "store/store.h"
#include "store/store_impl.h"

#define FAKE_HASH "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"

struct fx {
	char root[64];      /* mkdtemp */
	char dir[96];       /* root/data, created by store_open */
	struct store *st;
};

typedef void (fx_body)(int *unit_failed_, struct fx *f);

static void rm_dir(const char *dir)
{
	static const char *const files[] = { "occ.db", "occ.db-wal",
					     "occ.db-shm" };
	char p[160];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

/* The fixture of the isolation tests: teams t1 and t2, their ids. */
static int two_teams(struct store *st, int64_t *t1, int64_t *t2)
{
	int err = store_team_add(st, "t1", t1);

	return err ? err : store_team_add(st, "t2", t2);
}

/* Run body on a fresh store; always clean up. */
static void fx_run(int *unit_failed_, fx_body *body)
{
	struct fx f = { .root = "/tmp/occ-store-XXXXXX" };

	UT_ASSERT(mkdtemp(f.root) != NULL);
	snprintf(f.dir, sizeof(f.dir), "%s/data", f.root);
	if (unit_store_open(&f.st, f.dir, true) == 0)
		body(unit_failed_, &f);
	else
		(*unit_failed_)++;
	f.st = mem_deref(f.st);
	rm_dir(f.dir);
	rmdir(f.root);
}

static int reopen(struct fx *f)
{
	f->st = mem_deref(f->st);
	return unit_store_open(&f->st, f->dir, false);
}

/* Run one SQL statement on the file behind the store's back. */
static int raw_sql(const struct fx *f, const char *sql)
{
	char path[128];
	sqlite3 *db;
	int rc;

	if (unit_pg())
		return unit_pg_sql(sql, NULL) ? -1 : SQLITE_OK;
	snprintf(path, sizeof(path), "%s/occ.db", f->dir);
	if (sqlite3_open(path, &db) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
	sqlite3_close(db);
	return rc;
}

static int raw_int(const struct fx *f, const char *sql)
{
	char path[128];
	sqlite3 *db;
	sqlite3_stmt *q;
	int v = -1;

	if (unit_pg()) {
		long long pv = -1;
		return unit_pg_sql(sql, &pv) ? -1 : (int)pv;
	}
	snprintf(path, sizeof(path), "%s/occ.db", f->dir);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, sql, -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			v = sqlite3_column_int(q, 0);
		sqlite3_finalize(q);
	}
	sqlite3_close(db);
	return v;
}

/* ---- a snapshot of store_load ---- */

enum { SNAP_MAX = 16 };

struct snap {
	struct st_team teams[SNAP_MAX];
	struct st_account accounts[SNAP_MAX];
	struct st_agent agents[SNAP_MAX];
	struct st_group groups[SNAP_MAX];
	struct st_member members[SNAP_MAX];
	struct st_exten extens[SNAP_MAX];
	struct st_agent_state states[SNAP_MAX];
	struct st_trunk trunks[SNAP_MAX];
	struct st_registration regs[SNAP_MAX];
	struct st_team_setting settings[SNAP_MAX];
	unsigned nteam, nacc, nagent, ngroup, nmember, nexten, nstate;
	unsigned ntrunk, nreg, nsetting;
	int kind, order_errors;   /* kinds must arrive in ascending order */
};

static void seen(struct snap *s, int kind)
{
	if (kind < s->kind)
		s->order_errors++;
	s->kind = kind;
}

#define SNAP_ADD(arr, n, row) do { if ((n) < SNAP_MAX) (arr)[(n)++] = *(row); \
	} while (0)

static void on_team(const struct st_team *t, void *arg)
{
	struct snap *s = arg;
	seen(s, 1);
	SNAP_ADD(s->teams, s->nteam, t);
}

static void on_account(const struct st_account *a, void *arg)
{
	struct snap *s = arg;
	seen(s, 2);
	SNAP_ADD(s->accounts, s->nacc, a);
}

static void on_agent(const struct st_agent *a, void *arg)
{
	struct snap *s = arg;
	seen(s, 3);
	SNAP_ADD(s->agents, s->nagent, a);
}

static void on_group(const struct st_group *g, void *arg)
{
	struct snap *s = arg;
	seen(s, 4);
	SNAP_ADD(s->groups, s->ngroup, g);
}

static void on_member(const struct st_member *m, void *arg)
{
	struct snap *s = arg;
	seen(s, 5);
	SNAP_ADD(s->members, s->nmember, m);
}

static void on_exten(const struct st_exten *e, void *arg)
{
	struct snap *s = arg;
	seen(s, 6);
	SNAP_ADD(s->extens, s->nexten, e);
}

static void on_trunk(const struct st_trunk *t, void *arg)
{
	struct snap *s = arg;
	seen(s, 7);
	SNAP_ADD(s->trunks, s->ntrunk, t);
}

static void on_reg(const struct st_registration *r, void *arg)
{
	struct snap *s = arg;
	seen(s, 8);
	SNAP_ADD(s->regs, s->nreg, r);
}

static void on_setting(const struct st_team_setting *t, void *arg)
{
	struct snap *s = arg;
	seen(s, 9);
	SNAP_ADD(s->settings, s->nsetting, t);
}

/* agent states come last (store.h) */
static void on_state(const struct st_agent_state *a, void *arg)
{
	struct snap *s = arg;
	seen(s, 10);
	SNAP_ADD(s->states, s->nstate, a);
}

static const struct store_visitor snap_visitor = {
	.team = on_team, .account = on_account, .agent = on_agent,
	.group = on_group, .member = on_member, .exten = on_exten,
	.agent_state = on_state, .trunk = on_trunk, .registration = on_reg,
	.team_setting = on_setting,
};

static int snap_load(struct store *st, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	return store_load(st, &snap_visitor, s);
}

/* ---- row builders ---- */

static int add_agent(struct store *st, int64_t team, const char *num,
		     int64_t account_id, int64_t *idp)
{
	struct st_agent a = { .team_id = team, .account_id = account_id };
	struct st_agent got;
	int err;

	snprintf(a.number, sizeof(a.number), "%s", num);
	snprintf(a.name, sizeof(a.name), "Agent %s", num);
	snprintf(a.pwhash, sizeof(a.pwhash), "%s", FAKE_HASH);
	snprintf(a.exten, sizeof(a.exten), "%s", num);
	err = store_agent_add(st, &a);
	if (!err && idp) {
		err = store_agent_get(st, team, num, &got);
		*idp = got.id;
	}
	return err;
}

static int add_group(struct store *st, int64_t id, int64_t team,
		     const char *queue)
{
	struct st_group g = { .id = id, .team_id = team, .acw_mode = 2,
			      .work_mode = 1, .acw_s = 45 };

	snprintf(g.name, sizeof(g.name), "Q%s", queue);
	snprintf(g.queue, sizeof(g.queue), "%s", queue);
	return store_group_add(st, &g);
}

static int add_member(struct store *st, int64_t group, int64_t agent,
		      bool leader)
{
	struct st_member m = { .group_id = group, .agent_id = agent,
			       .leader = leader, .acw_mode = 3 };

	return store_member_add(st, &m);
}

static int add_exten(struct store *st, int64_t team, const char *num)
{
	struct st_exten e = { .team_id = team };

	snprintf(e.number, sizeof(e.number), "%s", num);
	snprintf(e.kind, sizeof(e.kind), "sip");
	int err = exten_ha1(e.ha1, num, "t", num);

	return err ? err : store_exten_add(st, &e);
}

static int add_account(struct store *st, int64_t team, const char *name,
		       const char *agent)
{
	struct st_account a = { .team_id = team, .enabled = true };

	snprintf(a.name, sizeof(a.name), "%s", name);
	snprintf(a.pwhash, sizeof(a.pwhash), "%s", FAKE_HASH);
	snprintf(a.agent, sizeof(a.agent), "%s", agent);
	return store_account_add(st, &a);
}

static int add_trunk(struct store *st, int64_t team, const char *name,
		     const char *uri, bool is_default)
{
	struct st_trunk t = { .team_id = team, .is_default = is_default };

	snprintf(t.name, sizeof(t.name), "%s", name);
	snprintf(t.uri, sizeof(t.uri), "%s", uri);
	return store_trunk_add(st, &t);
}

static int save_reg(struct store *st, int64_t team, const char *exten,
		    const char *contact, int64_t expires_ms)
{
	struct st_registration r = { .team_id = team,
				     .expires_ms = expires_ms };

	snprintf(r.exten, sizeof(r.exten), "%s", exten);
	snprintf(r.contact, sizeof(r.contact), "%s", contact);
	snprintf(r.source, sizeof(r.source), "udp:192.0.2.1:5060");
	snprintf(r.user_agent, sizeof(r.user_agent), "softphone/1.0");
	return store_registration_save(st, &r);
}

/* sessionid n: 32 hex digits ending in n's digits */
static void sid(char out[ST_SESSIONID], unsigned n)
{
	snprintf(out, ST_SESSIONID, "efeb7b374a3408b0d0954f30%08x", n);
}

/* A call of team that started at start_ms, still open. */
static void cdr_make(struct st_cdr *c, unsigned n, int64_t team,
		     int64_t start_ms)
{
	memset(c, 0, sizeof(*c));
	sid(c->sessionid, n);
	c->team_id = team;
	snprintf(c->agent, sizeof(c->agent), "8001");
	snprintf(c->direction, sizeof(c->direction), "out");
	snprintf(c->caller, sizeof(c->caller), "8001");
	snprintf(c->callee, sizeof(c->callee), "013888888888");
	snprintf(c->calldate, sizeof(c->calldate), "2024-05-01");
	c->start_ms = start_ms;
	snprintf(c->modeltype, sizeof(c->modeltype), "Campaign");
	snprintf(c->model_id, sizeof(c->model_id), "10");
}

static int add_cdr(struct store *st, unsigned n, int64_t team,
		   int64_t start_ms)
{
	struct st_cdr c;

	cdr_make(&c, n, team, start_ms);
	return store_cdr_begin(st, &c);
}

static int add_leg(struct store *st, unsigned n, int64_t uniqueid,
		   const char *role, int64_t start_ms, int64_t end_ms)
{
	struct st_cdr_leg l = { .uniqueid = uniqueid, .start_ms = start_ms,
				.end_ms = end_ms };

	sid(l.sessionid, n);
	snprintf(l.channel, sizeof(l.channel), "SIP/%s-%lld", role,
		 (long long)uniqueid);
	snprintf(l.role, sizeof(l.role), "%s", role);
	snprintf(l.peer, sizeof(l.peer), "8001");
	if (end_ms)
		snprintf(l.disposition, sizeof(l.disposition), "ANSWERED");
	return store_cdr_leg_save(st, &l);
}

/* ---- tests ---- */

/* The schema version the database records. */
static int schema_version(const struct fx *f)
{
	return raw_int(f, unit_pg() ? "SELECT version FROM occ_schema"
		       : "PRAGMA user_version");
}

static void body_open(int *unit_failed_, struct fx *f)
{
	struct stat sb;

	UT_EQ_INT(schema_version(f), sqlite_schema_version());
	UT_SKIP_IF(unit_pg(), "the rest is about SQLite's file");
	UT_ASSERT(stat(f->dir, &sb) == 0);
	UT_EQ_INT(sb.st_mode & 0777, 0700);
	f->st = mem_deref(f->st);   /* WAL mode is persistent in the file */
	UT_EQ_INT(raw_int(f, "SELECT journal_mode = 'wal' FROM"
			  " pragma_journal_mode"), 1);
}

UNIT_TEST(store_open_creates_dir_wal_schema)
{
	fx_run(unit_failed_, body_open);
}

static void body_team(int *unit_failed_, struct fx *f)
{
	struct st_team t;
	struct snap s;
	int64_t id = 0, id2 = 0;

	UT_EQ_INT(store_team_add(f->st, "demo", &id), 0);
	UT_ASSERT(id > 0);
	UT_EQ_INT(store_team_add(f->st, "demo", NULL), EEXIST);
	UT_EQ_INT(store_team_add(f->st, "acme", &id2), 0);
	UT_ASSERT(id2 != id);
	UT_EQ_INT(store_team_get(f->st, "demo", &t), 0);
	UT_EQ_INT(t.id, id);
	UT_EQ_STR(t.name, "demo");
	UT_EQ_INT(store_team_get(f->st, "nope", &t), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nteam, 2);
	UT_EQ_INT(store_team_del(f->st, "demo"), 0);
	UT_EQ_INT(store_team_del(f->st, "demo"), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nteam, 1);
	UT_EQ_STR(s.teams[0].name, "acme");
}

UNIT_TEST(store_team_add_get_del)
{
	fx_run(unit_failed_, body_team);
}

static void body_bad_input(int *unit_failed_, struct fx *f)
{
	char big[ST_NAME + 1];
	struct st_agent a = { 0 };
	struct st_group g = { .acw_mode = 3 };
	struct st_exten e = { 0 };
	int64_t team;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	UT_EQ_INT(store_team_add(f->st, big, NULL), EINVAL);
	big[ST_NAME - 1] = '\0';        /* 63 chars: the longest allowed */
	UT_EQ_INT(store_team_add(f->st, big, NULL), 0);
	UT_EQ_INT(store_team_add(f->st, "", NULL), EINVAL);
	/* a team's name is a directory under the data directory */
	UT_EQ_INT(store_team_add(f->st, ".", NULL), EINVAL);
	UT_EQ_INT(store_team_add(f->st, "..", NULL), EINVAL);
	UT_EQ_INT(store_team_add(f->st, "a/b", NULL), EINVAL);
	UT_EQ_INT(store_team_add(f->st, "a\\b", NULL), EINVAL);
	UT_EQ_INT(store_team_add(f->st, "a\nb", NULL), EINVAL);
	UT_EQ_INT(store_team_add(f->st, "..x", NULL), 0);
	UT_EQ_INT(store_team_add(f->st, "t", &team), 0);

	/* a field with no NUL inside its array is rejected, not truncated */
	a.team_id = team;
	memset(a.number, '1', sizeof(a.number));
	snprintf(a.pwhash, sizeof(a.pwhash), "%s", FAKE_HASH);
	UT_EQ_INT(store_agent_add(f->st, &a), EINVAL);
	snprintf(a.number, sizeof(a.number), "1");
	snprintf(a.pwhash, sizeof(a.pwhash), "plaintext");
	UT_EQ_INT(store_agent_add(f->st, &a), EINVAL);
	UT_EQ_INT(store_account_set_pwhash(f->st, team, "x", "secret"), EINVAL);

	g.team_id = team;
	snprintf(g.name, sizeof(g.name), "g");
	snprintf(g.queue, sizeof(g.queue), "1");
	g.acw_mode = 4;
	UT_EQ_INT(store_group_add(f->st, &g), EINVAL);
	g.acw_mode = 3;
	g.work_mode = 3;
	UT_EQ_INT(store_group_add(f->st, &g), EINVAL);
	g.work_mode = 0;
	g.acw_s = ST_ACW_S_MAX + 1;                 /* timed ACW: ≤ 1 h */
	UT_EQ_INT(store_group_add(f->st, &g), EINVAL);
	g.acw_s = -1;
	UT_EQ_INT(store_group_add(f->st, &g), EINVAL);
	g.acw_s = 0;
	g.id = -1;
	UT_EQ_INT(store_group_add(f->st, &g), EINVAL);

	e.team_id = team;
	snprintf(e.number, sizeof(e.number), "1");
	snprintf(e.kind, sizeof(e.kind), "sip");
	snprintf(e.ha1, sizeof(e.ha1), "secret");
	UT_EQ_INT(store_exten_add(f->st, &e), EINVAL);
	/* one HA1 (a row from before the username forms) or three, no other */
	static const char *const bad_ha1[] = {
		"374801a21ae1b4ef1886ab321d605790 ",
		"374801a21ae1b4ef1886ab321d605790,374801a21ae1b4ef1886ab321d605790",
		"374801a21ae1b4ef1886ab321d605790 374801a21ae1b4ef1886ab321d60579",
		"374801a21ae1b4ef1886ab321d605790 374801A21AE1B4EF1886AB321D605790",
	};
	for (size_t i = 0; i < sizeof(bad_ha1) / sizeof(bad_ha1[0]); i++) {
		snprintf(e.ha1, sizeof(e.ha1), "%s", bad_ha1[i]);
		UT_EQ_INT(store_exten_add(f->st, &e), EINVAL);
	}
	e.ha1[0] = '\0';
	snprintf(e.kind, sizeof(e.kind), "pstn");
	UT_EQ_INT(store_exten_add(f->st, &e), EINVAL);
	UT_EQ_INT(store_load(f->st, NULL, NULL), EINVAL);
}

UNIT_TEST(store_rejects_bad_input)
{
	fx_run(unit_failed_, body_bad_input);
}

static void body_account(int *unit_failed_, struct fx *f)
{
	struct snap s;
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_agent(f->st, t1, "8001", 0, NULL), 0);
	UT_EQ_INT(add_account(f->st, t1, "admin", ""), 0);
	UT_EQ_INT(add_account(f->st, t1, "admin", ""), EEXIST);
	UT_EQ_INT(add_account(f->st, t2, "admin", ""), 0);
	UT_EQ_INT(add_account(f->st, t1, "boss", "8001"), 0);
	UT_EQ_INT(add_account(f->st, t2, "boss", "8001"), ENOENT);
	UT_EQ_INT(add_account(f->st, 999, "x", ""), ENOENT);

	UT_EQ_INT(store_account_set_enabled(f->st, t1, "admin", false), 0);
	UT_EQ_INT(store_account_set_pwhash(f->st, t1, "admin",
					   "$argon2id$other"), 0);
	UT_EQ_INT(store_account_set_enabled(f->st, t1, "ghost", false), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nacc, 3);
	UT_EQ_STR(s.accounts[0].name, "admin");
	UT_ASSERT(!s.accounts[0].enabled);
	UT_EQ_STR(s.accounts[0].pwhash, "$argon2id$other");
	UT_EQ_STR(s.accounts[0].agent, "");
	UT_ASSERT(s.accounts[1].enabled);
	UT_EQ_STR(s.accounts[2].agent, "8001");

	/* deleting the linked agent unlinks, not deletes, the account */
	UT_EQ_INT(store_agent_del(f->st, t1, "8001"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nacc, 3);
	UT_EQ_STR(s.accounts[2].agent, "");

	UT_EQ_INT(store_account_del(f->st, t1, "admin"), 0);
	UT_EQ_INT(store_account_del(f->st, t1, "admin"), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nacc, 2);
	UT_EQ_INT(s.accounts[0].team_id, t2);
}

UNIT_TEST(store_account_rows)
{
	fx_run(unit_failed_, body_account);
}

static void body_agent(int *unit_failed_, struct fx *f)
{
	struct st_agent a;
	struct snap s;
	int64_t t1, t2, acc1, id;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_account(f->st, t1, "admin", ""), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	acc1 = s.accounts[0].id;

	UT_EQ_INT(add_agent(f->st, t1, "8001", acc1, &id), 0);
	UT_EQ_INT(add_agent(f->st, t1, "8001", 0, NULL), EEXIST);
	UT_EQ_INT(add_agent(f->st, t2, "8001", 0, NULL), 0);
	UT_EQ_INT(add_agent(f->st, t2, "8002", acc1, NULL), ENOENT);
	UT_EQ_INT(add_agent(f->st, 77, "8003", 0, NULL), ENOENT);

	UT_EQ_INT(store_agent_get(f->st, t1, "8001", &a), 0);
	UT_EQ_INT(a.id, id);
	UT_EQ_INT(a.team_id, t1);
	UT_EQ_INT(a.account_id, acc1);
	UT_EQ_STR(a.name, "Agent 8001");
	UT_EQ_STR(a.exten, "8001");
	UT_EQ_STR(a.pwhash, FAKE_HASH);
	UT_EQ_INT(store_agent_get(f->st, t1, "9999", &a), ENOENT);

	UT_EQ_INT(store_agent_set_pwhash(f->st, t1, "8001", "$argon2id$x"), 0);
	UT_EQ_INT(store_agent_set_pwhash(f->st, t1, "9999", "$argon2id$x"),
		  ENOENT);
	UT_EQ_INT(store_agent_get(f->st, t1, "8001", &a), 0);
	UT_EQ_STR(a.pwhash, "$argon2id$x");

	/* name and extension: either kept when NULL, "" clears the exten */
	UT_EQ_INT(store_agent_set_info(f->st, t1, "8001", "Renamed", NULL), 0);
	UT_EQ_INT(store_agent_get(f->st, t1, "8001", &a), 0);
	UT_EQ_STR(a.name, "Renamed");
	UT_EQ_STR(a.exten, "8001");
	UT_EQ_INT(store_agent_set_info(f->st, t1, "8001", NULL, ""), 0);
	UT_EQ_INT(store_agent_get(f->st, t1, "8001", &a), 0);
	UT_EQ_STR(a.name, "Renamed");
	UT_EQ_STR(a.exten, "");
	UT_EQ_STR(a.pwhash, "$argon2id$x");
	UT_EQ_INT(store_agent_set_info(f->st, t2, "8001", "Other", "8101"), 0);
	UT_EQ_INT(store_agent_get(f->st, t1, "8001", &a), 0);
	UT_EQ_STR(a.name, "Renamed");            /* another team's 8001 */
	UT_EQ_INT(store_agent_set_info(f->st, t1, "9999", "X", NULL), ENOENT);

	/* deleting the owning account leaves the agent without one */
	UT_EQ_INT(store_account_del(f->st, t1, "admin"), 0);
	UT_EQ_INT(store_agent_get(f->st, t1, "8001", &a), 0);
	UT_EQ_INT(a.account_id, 0);

	UT_EQ_INT(store_agent_del(f->st, t1, "8001"), 0);
	UT_EQ_INT(store_agent_del(f->st, t1, "8001"), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nagent, 1);
	UT_EQ_INT(s.agents[0].team_id, t2);
}

UNIT_TEST(store_agent_rows)
{
	fx_run(unit_failed_, body_agent);
}

static void body_group(int *unit_failed_, struct fx *f)
{
	struct snap s;
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_group(f->st, 5, t1, "6001"), 0);
	UT_EQ_INT(add_group(f->st, 5, t2, "6009"), EEXIST);   /* id global */
	UT_EQ_INT(add_group(f->st, 6, t1, "6001"), EEXIST);   /* queue */
	UT_EQ_INT(add_group(f->st, 6, t2, "6001"), 0);
	UT_EQ_INT(add_group(f->st, 0, t1, "6002"), 0);        /* auto */
	UT_EQ_INT(add_group(f->st, 0, 55, "6003"), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.ngroup, 3);
	UT_EQ_INT(s.groups[2].id, 7);
	UT_EQ_STR(s.groups[2].queue, "6002");
	UT_EQ_INT(s.groups[0].acw_mode, 2);
	UT_EQ_INT(s.groups[0].work_mode, 1);
	UT_EQ_INT(s.groups[0].acw_s, 45);
	UT_EQ_STR(s.groups[0].name, "Q6001");

	/* a group is deleted only through its own team */
	UT_EQ_INT(store_group_del(f->st, t2, 5), ENOENT);
	UT_EQ_INT(store_group_del(f->st, t1, 7), 0);
	UT_EQ_INT(store_group_del(f->st, t1, 7), ENOENT);
	/* an automatic id is never reused */
	UT_EQ_INT(add_group(f->st, 0, t1, "6002"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.ngroup, 3);
	UT_EQ_INT(s.groups[2].id, 8);
}

UNIT_TEST(store_group_rows)
{
	fx_run(unit_failed_, body_group);
}

static void body_member(int *unit_failed_, struct fx *f)
{
	struct st_member m = { .group_id = 1, .acw_mode = 0, .work_mode = 2,
			       .dynamic = true };
	struct snap s;
	int64_t t1, t2, a1, a2, b1;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_agent(f->st, t1, "8001", 0, &a1), 0);
	UT_EQ_INT(add_agent(f->st, t1, "8002", 0, &a2), 0);
	UT_EQ_INT(add_agent(f->st, t2, "8001", 0, &b1), 0);
	UT_EQ_INT(add_group(f->st, 1, t1, "6001"), 0);

	UT_EQ_INT(add_member(f->st, 1, a1, true), 0);
	UT_EQ_INT(add_member(f->st, 1, a1, false), EEXIST);
	UT_EQ_INT(add_member(f->st, 1, b1, false), ENOENT);  /* other team */
	UT_EQ_INT(add_member(f->st, 2, a2, false), ENOENT);  /* no group */
	UT_EQ_INT(add_member(f->st, 1, 999, false), ENOENT);
	m.agent_id = a2;
	UT_EQ_INT(store_member_add(f->st, &m), 0);  /* acw 0: the group's */

	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nmember, 2);
	UT_EQ_INT(s.members[0].agent_id, a1);
	UT_ASSERT(s.members[0].leader && !s.members[0].dynamic);
	UT_EQ_INT(s.members[0].acw_mode, 3);
	UT_ASSERT(!s.members[1].leader && s.members[1].dynamic);
	UT_EQ_INT(s.members[1].acw_mode, 2);
	UT_EQ_INT(s.members[1].work_mode, 2);

	m.checked_in = true;
	m.acw_mode = 1;
	m.work_mode = 0;
	UT_EQ_INT(store_member_state_save(f->st, &m), 0);
	m.agent_id = b1;
	UT_EQ_INT(store_member_state_save(f->st, &m), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_ASSERT(s.members[1].checked_in);
	UT_EQ_INT(s.members[1].acw_mode, 1);
	UT_EQ_INT(s.members[1].work_mode, 0);

	UT_EQ_INT(store_member_del(f->st, 1, a1), 0);
	UT_EQ_INT(store_member_del(f->st, 1, a1), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nmember, 1);
}

UNIT_TEST(store_member_rows)
{
	fx_run(unit_failed_, body_member);
}

static void body_exten(int *unit_failed_, struct fx *f)
{
	struct st_exten v = { 0 };
	struct snap s;
	char ha1[ST_HA1];
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_exten(f->st, t1, "8001"), 0);
	UT_EQ_INT(add_exten(f->st, t1, "8001"), EEXIST);
	UT_EQ_INT(add_exten(f->st, t2, "8001"), 0);
	v.team_id = t1;
	snprintf(v.number, sizeof(v.number), "8100");
	snprintf(v.kind, sizeof(v.kind), "virtual");
	UT_EQ_INT(store_exten_add(f->st, &v), 0);

	UT_EQ_INT(exten_ha1(ha1, "8001", "t1", "new"), 0);
	UT_EQ_INT(store_exten_set_ha1(f->st, t1, "8001", ha1), 0);
	UT_EQ_INT(store_exten_set_ha1(f->st, t1, "8002", ha1), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nexten, 3);
	UT_EQ_STR(s.extens[0].ha1, ha1);
	UT_EQ_STR(s.extens[0].kind, "sip");
	UT_EQ_STR(s.extens[2].kind, "virtual");
	UT_EQ_STR(s.extens[2].ha1, "");

	UT_EQ_INT(store_exten_del(f->st, t1, "8001"), 0);
	UT_EQ_INT(store_exten_del(f->st, t1, "8001"), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nexten, 2);
}

UNIT_TEST(store_exten_rows)
{
	fx_run(unit_failed_, body_exten);
}

static int save_state(struct store *st, int64_t agent, int state,
		      const char *reason, int64_t since)
{
	struct st_agent_state a = { .agent_id = agent, .logged_in = true,
				    .state = state, .since_ms = since,
				    .default_group_id = 7, .dnd = true };

	snprintf(a.device, sizeof(a.device), "8001");
	snprintf(a.pause_reason, sizeof(a.pause_reason), "%s", reason);
	return store_agent_state_save(st, &a);
}

static int log_row(struct store *st, int64_t agent, int64_t ts, int state)
{
	struct st_state_log l = { .agent_id = agent, .ts_ms = ts,
				  .state = state };

	if (state == AS_PAUSE)
		snprintf(l.pause_reason, sizeof(l.pause_reason), "lunch");
	return store_state_log_append(st, &l);
}

/* A populated team with one of every row, for the cascade tests. */
static int populate(struct store *st, int64_t *tp, int64_t *ap)
{
	int err = store_team_add(st, "t1", tp);

	if (!err)
		err = add_account(st, *tp, "admin", "");
	if (!err)
		err = add_agent(st, *tp, "8001", 0, ap);
	if (!err)
		err = add_account(st, *tp, "boss", "8001");
	if (!err)
		err = add_group(st, 1, *tp, "6001");
	if (!err)
		err = add_member(st, 1, *ap, true);
	if (!err)
		err = add_exten(st, *tp, "8001");
	if (!err)
		err = save_state(st, *ap, AS_IDLE, "", 1000);
	if (!err)
		err = log_row(st, *ap, 1000, AS_IDLE);
	if (!err)
		err = add_trunk(st, *tp, "gw", "sip:192.0.2.9:5060", true);
	if (!err)
		err = save_reg(st, *tp, "8001", "sip:8001@192.0.2.1:5060",
			       4000000000000LL);
	if (!err)
		err = store_team_setting_set(st, *tp, "event_url",
					     "http://crm.example/ev");
	return err;
}

static void count_log(const struct st_state_log *l, void *arg)
{
	(void)l;
	(*(int *)arg)++;
}

static void body_cascade_team(int *unit_failed_, struct fx *f)
{
	struct snap s;
	int64_t t, a, keep_t, keep_a;
	int n = 0;

	UT_EQ_INT(populate(f->st, &t, &a), 0);
	UT_EQ_INT(store_team_add(f->st, "t2", &keep_t), 0);
	UT_EQ_INT(add_agent(f->st, keep_t, "8001", 0, &keep_a), 0);
	UT_EQ_INT(store_team_del(f->st, "t1"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nteam, 1);
	UT_EQ_INT(s.nacc + s.ngroup + s.nmember + s.nexten + s.nstate, 0);
	UT_EQ_INT(s.ntrunk + s.nreg + s.nsetting, 0);
	UT_EQ_INT(s.nagent, 1);
	UT_EQ_INT(s.agents[0].id, keep_a);
	UT_EQ_INT(store_state_log_visit(f->st, a, 0, count_log, &n), 0);
	UT_EQ_INT(n, 0);
}

UNIT_TEST(store_cascade_team)
{
	fx_run(unit_failed_, body_cascade_team);
}

static void body_cascade_agent_group(int *unit_failed_, struct fx *f)
{
	struct snap s;
	int64_t t, a;
	int n = 0;

	UT_EQ_INT(populate(f->st, &t, &a), 0);
	UT_EQ_INT(store_group_del(f->st, t, 1), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nmember, 0);
	UT_EQ_INT(s.nagent, 1);

	UT_EQ_INT(add_group(f->st, 2, t, "6002"), 0);
	UT_EQ_INT(add_member(f->st, 2, a, false), 0);
	UT_EQ_INT(store_agent_del(f->st, t, "8001"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nagent + s.nmember + s.nstate, 0);
	UT_EQ_INT(s.ngroup, 1);
	UT_EQ_INT(s.nacc, 2);
	UT_EQ_INT(s.nexten, 1);     /* extensions are not the agent's */
	UT_EQ_INT(s.nreg, 1);       /* nor their registrations */
	UT_EQ_INT(store_state_log_visit(f->st, a, 0, count_log, &n), 0);
	UT_EQ_INT(n, 0);
}

UNIT_TEST(store_cascade_agent_group)
{
	fx_run(unit_failed_, body_cascade_agent_group);
}

static void body_load_order(int *unit_failed_, struct fx *f)
{
	struct snap s;
	int64_t t, a;

	UT_EQ_INT(populate(f->st, &t, &a), 0);
	/* add rows in child-first id order too */
	UT_EQ_INT(store_team_add(f->st, "t2", &t), 0);
	UT_EQ_INT(add_agent(f->st, t, "1", 0, &a), 0);
	UT_EQ_INT(add_account(f->st, t, "late", "1"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.order_errors, 0);
	UT_EQ_INT(s.kind, 10);
	UT_EQ_INT(s.nteam, 2);
	UT_EQ_INT(s.nacc, 3);
	UT_EQ_INT(s.nagent, 2);
	UT_EQ_INT(s.nstate, 1);
	UT_EQ_INT(s.ntrunk, 1);
	UT_EQ_INT(s.nreg, 1);
	UT_EQ_INT(s.nsetting, 1);

	/* NULL callbacks are skipped */
	const struct store_visitor only = { .agent = on_agent };
	memset(&s, 0, sizeof(s));
	UT_EQ_INT(store_load(f->st, &only, &s), 0);
	UT_EQ_INT(s.nagent, 2);
	UT_EQ_INT(s.nteam + s.nacc, 0);
}

UNIT_TEST(store_load_parents_first)
{
	fx_run(unit_failed_, body_load_order);
}

static void body_state_reopen(int *unit_failed_, struct fx *f)
{
	struct st_member m;
	struct snap s;
	int64_t t, a;

	UT_EQ_INT(populate(f->st, &t, &a), 0);
	UT_EQ_INT(save_state(f->st, a, AS_PAUSE, "lunch", 1234567890123LL), 0);
	UT_EQ_INT(save_state(f->st, 4242, AS_IDLE, "", 1), ENOENT);
	UT_EQ_INT(save_state(f->st, a, AS_COUNT, "", 1), EINVAL);
	m = (struct st_member){ .group_id = 1, .agent_id = a,
				.checked_in = true, .acw_mode = 1,
				.work_mode = 2 };
	UT_EQ_INT(store_member_state_save(f->st, &m), 0);

	UT_EQ_INT(reopen(f), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nstate, 1);
	UT_EQ_INT(s.states[0].agent_id, a);
	UT_ASSERT(s.states[0].logged_in);
	UT_EQ_STR(s.states[0].device, "8001");
	UT_EQ_INT(s.states[0].state, AS_PAUSE);
	UT_EQ_STR(s.states[0].pause_reason, "lunch");
	UT_EQ_INT(s.states[0].since_ms, 1234567890123LL);
	UT_EQ_INT(s.states[0].default_group_id, 7);
	UT_ASSERT(s.states[0].dnd);
	UT_ASSERT(s.members[0].checked_in);
	UT_EQ_INT(s.members[0].acw_mode, 1);
	UT_EQ_INT(s.members[0].work_mode, 2);
}

UNIT_TEST(store_agent_state_survives_reopen)
{
	fx_run(unit_failed_, body_state_reopen);
}

struct log_seen {
	int n;
	int64_t ts[8];
	int state[8];
	char reason[8][ST_NAME];
};

static void on_log(const struct st_state_log *l, void *arg)
{
	struct log_seen *ls = arg;

	if (ls->n < 8) {
		ls->ts[ls->n] = l->ts_ms;
		ls->state[ls->n] = l->state;
		snprintf(ls->reason[ls->n], ST_NAME, "%s", l->pause_reason);
	}
	ls->n++;
}

static void body_state_log(int *unit_failed_, struct fx *f)
{
	struct log_seen ls = { 0 };
	int64_t t, a, b;

	UT_EQ_INT(store_team_add(f->st, "t", &t), 0);
	UT_EQ_INT(add_agent(f->st, t, "1", 0, &a), 0);
	UT_EQ_INT(add_agent(f->st, t, "2", 0, &b), 0);
	/* appended out of order on purpose; visits come in time order */
	UT_EQ_INT(log_row(f->st, a, 300, AS_BUSY), 0);
	UT_EQ_INT(log_row(f->st, a, 100, AS_IDLE), 0);
	UT_EQ_INT(log_row(f->st, a, 200, AS_PAUSE), 0);
	UT_EQ_INT(log_row(f->st, a, 400, AS_ACW), 0);
	UT_EQ_INT(log_row(f->st, b, 250, AS_RING), 0);
	UT_EQ_INT(log_row(f->st, 999, 1, AS_IDLE), ENOENT);

	/* the row in force at 250 (200, pause) comes first */
	UT_EQ_INT(store_state_log_visit(f->st, a, 250, on_log, &ls), 0);
	UT_EQ_INT(ls.n, 3);
	UT_EQ_INT(ls.ts[0], 200);
	UT_EQ_INT(ls.state[0], AS_PAUSE);
	UT_EQ_STR(ls.reason[0], "lunch");
	UT_EQ_INT(ls.ts[1], 300);
	UT_EQ_INT(ls.ts[2], 400);

	/* a row exactly at since_ms is in the window, not before it */
	memset(&ls, 0, sizeof(ls));
	UT_EQ_INT(store_state_log_visit(f->st, a, 300, on_log, &ls), 0);
	UT_EQ_INT(ls.n, 3);
	UT_EQ_INT(ls.ts[0], 200);
	UT_EQ_INT(ls.ts[1], 300);

	/* nothing before: only the window */
	memset(&ls, 0, sizeof(ls));
	UT_EQ_INT(store_state_log_visit(f->st, a, 50, on_log, &ls), 0);
	UT_EQ_INT(ls.n, 4);
	UT_EQ_INT(ls.ts[0], 100);

	/* nothing after: only the state in force */
	memset(&ls, 0, sizeof(ls));
	UT_EQ_INT(store_state_log_visit(f->st, a, 1000, on_log, &ls), 0);
	UT_EQ_INT(ls.n, 1);
	UT_EQ_INT(ls.ts[0], 400);
	UT_EQ_INT(ls.state[0], AS_ACW);

	memset(&ls, 0, sizeof(ls));
	UT_EQ_INT(store_state_log_visit(f->st, b, 0, on_log, &ls), 0);
	UT_EQ_INT(ls.n, 1);
	UT_EQ_INT(ls.state[0], AS_RING);
}

UNIT_TEST(store_state_log_window)
{
	fx_run(unit_failed_, body_state_log);
}

/* Retention: rows before the cutoff go, a team at a time and at most limit
 * at once, but what a day from the cutoff on reads stays the same: each
 * agent's row in force at the cutoff and everything after it. */
static void body_state_log_prune(int *unit_failed_, struct fx *f)
{
	struct log_seen before = { 0 }, after = { 0 };
	int64_t t1, t2, a, b, c;
	unsigned n = 99;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_agent(f->st, t1, "1", 0, &a), 0);
	UT_EQ_INT(add_agent(f->st, t1, "2", 0, &b), 0);
	UT_EQ_INT(add_agent(f->st, t2, "1", 0, &c), 0);
	UT_EQ_INT(log_row(f->st, a, 100, AS_IDLE), 0);
	UT_EQ_INT(log_row(f->st, a, 200, AS_IDLE), 0);
	UT_EQ_INT(log_row(f->st, a, 300, AS_PAUSE), 0);  /* in force at 1000 */
	UT_EQ_INT(log_row(f->st, a, 1000, AS_IDLE), 0);
	UT_EQ_INT(log_row(f->st, a, 1500, AS_PAUSE), 0);
	UT_EQ_INT(log_row(f->st, b, 500, AS_PAUSE), 0);  /* its only row */
	UT_EQ_INT(log_row(f->st, c, 100, AS_IDLE), 0);
	UT_EQ_INT(log_row(f->st, c, 200, AS_IDLE), 0);
	UT_EQ_INT(store_state_log_visit(f->st, a, 1000, on_log, &before), 0);

	UT_EQ_INT(store_state_log_prune(NULL, t1, 1000, 10, NULL), EINVAL);
	UT_EQ_INT(store_state_log_prune(f->st, 0, 1000, 10, NULL), EINVAL);
	UT_EQ_INT(store_state_log_prune(f->st, t1, 1000, 0, NULL), EINVAL);
	UT_EQ_INT(store_state_log_prune(f->st, t1, 1000, 1, &n), 0);
	UT_EQ_INT(n, 1);
	UT_EQ_INT(store_state_log_prune(f->st, t1, 1000, 10, &n), 0);
	UT_EQ_INT(n, 1);
	UT_EQ_INT(store_state_log_prune(f->st, t1, 1000, 10, &n), 0);
	UT_EQ_INT(n, 0);
	/* a: 100 and 200 gone; b's only row and the other team's stay */
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM state_log"), 6);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM state_log"
			  " WHERE ts_ms < 300"), 2);

	/* the day from 1000 reads the same rows */
	UT_EQ_INT(store_state_log_visit(f->st, a, 1000, on_log, &after), 0);
	UT_EQ_INT(after.n, before.n);
	UT_EQ_INT(memcmp(after.ts, before.ts, sizeof(after.ts)), 0);
	UT_EQ_INT(memcmp(after.state, before.state, sizeof(after.state)), 0);
	UT_EQ_INT(after.ts[0], 300);
	memset(&after, 0, sizeof(after));
	UT_EQ_INT(store_state_log_visit(f->st, b, 1000, on_log, &after), 0);
	UT_EQ_INT(after.n, 1);
	UT_EQ_INT(after.ts[0], 500);
}

UNIT_TEST(store_state_log_prune_keeps_the_day)
{
	fx_run(unit_failed_, body_state_log_prune);
}

static void body_txn(int *unit_failed_, struct fx *f)
{
	struct snap s;

	UT_EQ_INT(store_commit(f->st), EINVAL);
	UT_EQ_INT(store_begin(f->st), 0);
	UT_EQ_INT(store_begin(f->st), 0);
	UT_EQ_INT(store_team_add(f->st, "a", NULL), 0);
	UT_EQ_INT(store_commit(f->st), 0);
	/* still open: another connection does not see it yet */
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM teams"), 0);
	UT_EQ_INT(store_team_add(f->st, "b", NULL), 0);
	UT_EQ_INT(store_commit(f->st), 0);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM teams"), 2);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nteam, 2);
}

UNIT_TEST(store_transactions_nest)
{
	fx_run(unit_failed_, body_txn);
}

static void body_migrate_once(int *unit_failed_, struct fx *f)
{
	int64_t t, a;

	UT_EQ_INT(populate(f->st, &t, &a), 0);
	f->st = mem_deref(f->st);
	/* If reopening re-ran the migration the table would come back. */
	UT_EQ_INT(raw_sql(f, "DROP TABLE state_log"), SQLITE_OK);
	UT_EQ_INT(reopen(f), 0);
	UT_EQ_INT(raw_int(f, unit_pg() ? "SELECT count(*) FROM pg_tables"
			  " WHERE tablename = 'state_log'" :
			  "SELECT count(*) FROM sqlite_master"
			  " WHERE name = 'state_log'"), 0);
	UT_EQ_INT(schema_version(f), sqlite_schema_version());
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM agents"), 1);
}

UNIT_TEST(store_migration_runs_once)
{
	fx_run(unit_failed_, body_migrate_once);
}

static void body_newer_refused(int *unit_failed_, struct fx *f)
{
	char sql[64];

	UT_EQ_INT(store_team_add(f->st, "keep", NULL), 0);
	f->st = mem_deref(f->st);
	snprintf(sql, sizeof(sql), unit_pg() ? "UPDATE occ_schema SET"
		 " version = %d" : "PRAGMA user_version = %d",
		 sqlite_schema_version() + 1);
	UT_EQ_INT(raw_sql(f, sql), SQLITE_OK);
	UT_EQ_INT(reopen(f), ENOTSUP);
	UT_ASSERT(f->st == NULL);
	/* refused, and untouched */
	UT_EQ_INT(schema_version(f), sqlite_schema_version() + 1);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM teams"), 1);
}

UNIT_TEST(store_refuses_newer_schema)
{
	fx_run(unit_failed_, body_newer_refused);
}

/* ---- telephony: trunks, team settings, registrations ---- */

static const struct st_trunk *snap_trunk(const struct snap *s, int64_t team,
					 const char *name)
{
	for (unsigned i = 0; i < s->ntrunk; i++) {
		if (s->trunks[i].team_id == team &&
		    !strcmp(s->trunks[i].name, name))
			return &s->trunks[i];
	}
	return NULL;
}

/* How many default trunks team has, and the name of the last one. */
static int defaults_of(const struct snap *s, int64_t team, const char **namep)
{
	int n = 0;

	*namep = "";
	for (unsigned i = 0; i < s->ntrunk; i++) {
		if (s->trunks[i].team_id == team && s->trunks[i].is_default) {
			*namep = s->trunks[i].name;
			n++;
		}
	}
	return n;
}

static void body_trunk(int *unit_failed_, struct fx *f)
{
	struct st_trunk t = { 0 };
	const struct st_trunk *r;
	const char *def;
	struct snap s;
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	t.team_id = t1;
	t.do_register = true;
	snprintf(t.name, sizeof(t.name), "carrier");
	snprintf(t.uri, sizeof(t.uri), "sip:gw.example.net:5080;transport=tcp");
	snprintf(t.username, sizeof(t.username), "acct");
	snprintf(t.password, sizeof(t.password), "s3cret");
	snprintf(t.callerid, sizeof(t.callerid), "4000123");
	snprintf(t.strip_prefix, sizeof(t.strip_prefix), "0");
	snprintf(t.add_prefix, sizeof(t.add_prefix), "+86");
	UT_EQ_INT(store_trunk_add(f->st, &t), 0);
	UT_EQ_INT(store_trunk_add(f->st, &t), EEXIST);
	t.team_id = 999;
	UT_EQ_INT(store_trunk_add(f->st, &t), ENOENT);
	UT_EQ_INT(add_trunk(f->st, t2, "carrier", "sips:gw2.example.net", true),
		  0);
	UT_EQ_INT(add_trunk(f->st, t1, "demo", "virtual:", false), 0);

	/* URIs: sip:/sips: with something after, or exactly virtual: */
	UT_EQ_INT(add_trunk(f->st, t1, "x", "http://gw", false), EINVAL);
	UT_EQ_INT(add_trunk(f->st, t1, "x", "sip:", false), EINVAL);
	UT_EQ_INT(add_trunk(f->st, t1, "x", "sips:", false), EINVAL);
	UT_EQ_INT(add_trunk(f->st, t1, "x", "virtual:x", false), EINVAL);
	UT_EQ_INT(add_trunk(f->st, t1, "x", "sip:a b", false), EINVAL);
	UT_EQ_INT(add_trunk(f->st, t1, "x", "SIP:gw", false), EINVAL);
	UT_EQ_INT(add_trunk(f->st, t1, "", "sip:gw", false), EINVAL);
	UT_EQ_INT(add_trunk(f->st, 0, "x", "sip:gw", false), EINVAL);
	memset(&t, 0, sizeof(t));
	t.team_id = t1;
	snprintf(t.name, sizeof(t.name), "long");
	snprintf(t.uri, sizeof(t.uri), "sip:gw");
	memset(t.password, 'p', sizeof(t.password));   /* no NUL */
	UT_EQ_INT(store_trunk_add(f->st, &t), EINVAL);

	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.ntrunk, 3);
	r = snap_trunk(&s, t1, "carrier");
	UT_ASSERT(r != NULL);
	UT_ASSERT(r->id > 0);
	UT_EQ_STR(r->uri, "sip:gw.example.net:5080;transport=tcp");
	UT_ASSERT(r->do_register && !r->is_default);
	UT_EQ_STR(r->username, "acct");
	UT_EQ_STR(r->password, "s3cret");
	UT_EQ_STR(r->callerid, "4000123");
	UT_EQ_STR(r->strip_prefix, "0");
	UT_EQ_STR(r->add_prefix, "+86");
	UT_EQ_STR(s.trunks[2].name, "demo");      /* insertion order */
	UT_EQ_STR(s.trunks[2].uri, "virtual:");
	UT_EQ_INT(defaults_of(&s, t1, &def), 0);
	UT_EQ_INT(defaults_of(&s, t2, &def), 1);

	UT_EQ_INT(store_trunk_del(f->st, t1, "demo"), 0);
	UT_EQ_INT(store_trunk_del(f->st, t1, "demo"), ENOENT);
	UT_EQ_INT(store_trunk_del(f->st, t2, "nope"), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.ntrunk, 2);
}

UNIT_TEST(store_trunk_rows)
{
	fx_run(unit_failed_, body_trunk);
}

static void body_trunk_default(int *unit_failed_, struct fx *f)
{
	const char *def;
	struct snap s;
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_trunk(f->st, t2, "other", "sip:o", true), 0);
	UT_EQ_INT(add_trunk(f->st, t1, "a", "sip:a", true), 0);
	UT_EQ_INT(add_trunk(f->st, t1, "b", "sip:b", false), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(defaults_of(&s, t1, &def), 1);
	UT_EQ_STR(def, "a");

	/* a new default trunk takes over */
	UT_EQ_INT(add_trunk(f->st, t1, "c", "sip:c", true), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(defaults_of(&s, t1, &def), 1);
	UT_EQ_STR(def, "c");

	/* a failed add (name taken) changes nothing */
	UT_EQ_INT(add_trunk(f->st, t1, "b", "sip:b2", true), EEXIST);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(defaults_of(&s, t1, &def), 1);
	UT_EQ_STR(def, "c");

	UT_EQ_INT(store_trunk_set_default(f->st, t1, "b"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(defaults_of(&s, t1, &def), 1);
	UT_EQ_STR(def, "b");
	UT_EQ_INT(store_trunk_set_default(f->st, t1, "b"), 0);   /* again */

	/* an unknown name leaves the default where it was */
	UT_EQ_INT(store_trunk_set_default(f->st, t1, "zz"), ENOENT);
	UT_EQ_INT(store_trunk_set_default(f->st, t1, "other"), ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(defaults_of(&s, t1, &def), 1);
	UT_EQ_STR(def, "b");
	/* the other team was never touched */
	UT_EQ_INT(defaults_of(&s, t2, &def), 1);
	UT_EQ_STR(def, "other");

	/* inside a caller's transaction too */
	UT_EQ_INT(store_begin(f->st), 0);
	UT_EQ_INT(store_trunk_set_default(f->st, t1, "a"), 0);
	UT_EQ_INT(store_trunk_set_default(f->st, t1, "zz"), ENOENT);
	UT_EQ_INT(store_commit(f->st), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(defaults_of(&s, t1, &def), 1);
	UT_EQ_STR(def, "a");

	/* the database itself refuses a second default */
	f->st = mem_deref(f->st);
	UT_ASSERT(raw_sql(f, "UPDATE trunks SET is_default = 1"
			  " WHERE name = 'b'") != SQLITE_OK);
	UT_EQ_INT(reopen(f), 0);

	/* deleting the default leaves the team without one */
	UT_EQ_INT(store_trunk_del(f->st, t1, "a"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(defaults_of(&s, t1, &def), 0);
}

UNIT_TEST(store_trunk_default_exclusive)
{
	fx_run(unit_failed_, body_trunk_default);
}

/* A trunk changed in place: the address, registration, credentials,
 * caller id and prefixes; the password kept unless given; the default
 * flag and the other team's trunk of the same name untouched. */
static void body_trunk_set(int *unit_failed_, struct fx *f)
{
	struct st_trunk t = { 0 };
	const struct st_trunk *r;
	const char *def;
	struct snap s;
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_trunk(f->st, t1, "gw", "sip:old.example.net", true), 0);
	UT_EQ_INT(add_trunk(f->st, t2, "gw", "sip:t2.example.net", true), 0);
	t.team_id = t1;
	snprintf(t.name, sizeof(t.name), "gw");
	snprintf(t.uri, sizeof(t.uri), "sip:new.example.net:5070");
	t.do_register = true;
	snprintf(t.username, sizeof(t.username), "u1");
	snprintf(t.password, sizeof(t.password), "p1");
	snprintf(t.callerid, sizeof(t.callerid), "4000");
	snprintf(t.strip_prefix, sizeof(t.strip_prefix), "9");
	UT_EQ_INT(store_trunk_set(f->st, &t, false), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	r = snap_trunk(&s, t1, "gw");
	UT_ASSERT(r != NULL);
	UT_EQ_STR(r->uri, "sip:new.example.net:5070");
	UT_ASSERT(r->do_register && r->is_default);
	UT_EQ_STR(r->username, "u1");
	UT_EQ_STR(r->password, "p1");
	UT_EQ_STR(r->callerid, "4000");
	UT_EQ_STR(r->strip_prefix, "9");
	UT_EQ_STR(r->add_prefix, "");
	UT_EQ_STR(snap_trunk(&s, t2, "gw")->uri, "sip:t2.example.net");

	/* the password kept; everything else as given (cleared) */
	snprintf(t.uri, sizeof(t.uri), "sip:newer.example.net");
	t.do_register = false;
	t.username[0] = t.password[0] = t.callerid[0] = '\0';
	t.strip_prefix[0] = '\0';
	snprintf(t.add_prefix, sizeof(t.add_prefix), "0");
	UT_EQ_INT(store_trunk_set(f->st, &t, true), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	r = snap_trunk(&s, t1, "gw");
	UT_EQ_STR(r->uri, "sip:newer.example.net");
	UT_ASSERT(!r->do_register);
	UT_EQ_STR(r->username, "");
	UT_EQ_STR(r->password, "p1");
	UT_EQ_STR(r->add_prefix, "0");
	UT_EQ_INT(defaults_of(&s, t1, &def), 1);
	UT_EQ_STR(def, "gw");
	UT_EQ_INT(store_trunk_set(f->st, &t, false), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_STR(snap_trunk(&s, t1, "gw")->password, "");

	/* no such trunk; a bad address */
	snprintf(t.name, sizeof(t.name), "nope");
	UT_EQ_INT(store_trunk_set(f->st, &t, true), ENOENT);
	snprintf(t.name, sizeof(t.name), "gw");
	snprintf(t.uri, sizeof(t.uri), "http://gw");
	UT_EQ_INT(store_trunk_set(f->st, &t, true), EINVAL);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_STR(snap_trunk(&s, t1, "gw")->uri, "sip:newer.example.net");
}

UNIT_TEST(store_trunk_set_in_place)
{
	fx_run(unit_failed_, body_trunk_set);
}

/* A group's name and timed after-call work changed in place. */
static void body_group_set(int *unit_failed_, struct fx *f)
{
	struct snap s;
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_group(f->st, 7, t1, "6007"), 0);
	UT_EQ_INT(add_group(f->st, 8, t2, "6008"), 0);
	UT_EQ_INT(store_group_set(f->st, t1, 7, NULL, 120), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.groups[0].acw_s, 120);
	UT_EQ_STR(s.groups[0].name, "Q6007");
	UT_EQ_INT(s.groups[0].acw_mode, 2);
	UT_EQ_INT(s.groups[0].work_mode, 1);
	UT_EQ_INT(store_group_set(f->st, t1, 7, "Sales", -1), 0);
	UT_EQ_INT(store_group_set(f->st, t1, 7, NULL, 0), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_STR(s.groups[0].name, "Sales");
	UT_EQ_INT(s.groups[0].acw_s, 0);
	/* another team's group, a missing one, out of range */
	UT_EQ_INT(store_group_set(f->st, t1, 8, NULL, 5), ENOENT);
	UT_EQ_INT(store_group_set(f->st, t1, 99, NULL, 5), ENOENT);
	UT_EQ_INT(store_group_set(f->st, t1, 7, NULL, ST_ACW_S_MAX + 1),
		  EINVAL);
	UT_EQ_INT(store_group_set(f->st, t1, 7, NULL, -2), EINVAL);
	UT_EQ_INT(store_group_set(f->st, t1, 7, "", 5), EINVAL);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.groups[0].acw_s, 0);
	UT_EQ_INT(s.groups[1].acw_s, 45);
}

UNIT_TEST(store_group_set_in_place)
{
	fx_run(unit_failed_, body_group_set);
}

static void body_setting(int *unit_failed_, struct fx *f)
{
	char big[ST_URL + 1], key[ST_NAME + 1];
	struct snap s;
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(store_team_setting_set(f->st, t1, "event_url",
					 "http://a.example/x"), 0);
	UT_EQ_INT(store_team_setting_set(f->st, t1, "event_url",
					 "https://b.example/y"), 0);
	UT_EQ_INT(store_team_setting_set(f->st, t1, "a_key", "1"), 0);
	UT_EQ_INT(store_team_setting_set(f->st, t2, "event_url",
					 "http://t2/"), 0);
	UT_EQ_INT(store_team_setting_set(f->st, 999, "event_url", "x"),
		  ENOENT);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nsetting, 3);
	UT_EQ_INT(s.settings[0].team_id, t1);     /* team, then key order */
	UT_EQ_STR(s.settings[0].key, "a_key");
	UT_EQ_STR(s.settings[1].key, "event_url");
	UT_EQ_STR(s.settings[1].value, "https://b.example/y");
	UT_EQ_INT(s.settings[2].team_id, t2);

	/* "" deletes; deleting what is not there is fine */
	UT_EQ_INT(store_team_setting_set(f->st, t1, "event_url", ""), 0);
	UT_EQ_INT(store_team_setting_set(f->st, t1, "event_url", ""), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nsetting, 2);
	UT_EQ_STR(s.settings[0].key, "a_key");

	/* keys are [a-z_]{1,63}; values fit ST_URL */
	UT_EQ_INT(store_team_setting_set(f->st, t1, "Event", "x"), EINVAL);
	UT_EQ_INT(store_team_setting_set(f->st, t1, "a-b", "x"), EINVAL);
	UT_EQ_INT(store_team_setting_set(f->st, t1, "a1", "x"), EINVAL);
	UT_EQ_INT(store_team_setting_set(f->st, t1, "", "x"), EINVAL);
	UT_EQ_INT(store_team_setting_set(f->st, t1, "k", NULL), EINVAL);
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	UT_EQ_INT(store_team_setting_set(f->st, t1, key, "x"), EINVAL);
	key[ST_NAME - 1] = '\0';
	UT_EQ_INT(store_team_setting_set(f->st, t1, key, "x"), 0);
	memset(big, 'v', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	UT_EQ_INT(store_team_setting_set(f->st, t1, "k", big), EINVAL);
	big[ST_URL - 1] = '\0';
	UT_EQ_INT(store_team_setting_set(f->st, t1, "k", big), 0);
}

UNIT_TEST(store_team_settings)
{
	fx_run(unit_failed_, body_setting);
}

static void body_registration(int *unit_failed_, struct fx *f)
{
	struct st_registration r = { 0 };
	struct snap s;
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_exten(f->st, t1, "8001"), 0);
	UT_EQ_INT(add_exten(f->st, t1, "8002"), 0);
	UT_EQ_INT(add_exten(f->st, t2, "8001"), 0);

	UT_EQ_INT(save_reg(f->st, t1, "8001", "sip:8001@10.0.0.1:5060", 5000),
		  0);
	/* the same binding again: an update, not a second row */
	UT_EQ_INT(save_reg(f->st, t1, "8001", "sip:8001@10.0.0.1:5060", 9000),
		  0);
	UT_EQ_INT(save_reg(f->st, t1, "8001", "sip:8001@10.0.0.2:5060", 7000),
		  0);
	UT_EQ_INT(save_reg(f->st, t1, "8002", "sip:8002@10.0.0.3:5060", 7000),
		  0);
	UT_EQ_INT(save_reg(f->st, t2, "8001", "sip:8001@10.0.0.1:5060", 7000),
		  0);
	/* only known extensions register */
	UT_EQ_INT(save_reg(f->st, t1, "8009", "sip:8009@10.0.0.1", 7000),
		  ENOENT);
	UT_EQ_INT(save_reg(f->st, 999, "8001", "sip:8001@10.0.0.1", 7000),
		  ENOENT);

	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nreg, 4);
	UT_EQ_INT(s.regs[0].team_id, t1);
	UT_EQ_STR(s.regs[0].exten, "8001");
	UT_EQ_STR(s.regs[0].contact, "sip:8001@10.0.0.1:5060");
	UT_EQ_INT(s.regs[0].expires_ms, 9000);
	UT_EQ_STR(s.regs[0].source, "udp:192.0.2.1:5060");
	UT_EQ_STR(s.regs[0].user_agent, "softphone/1.0");
	UT_EQ_STR(s.regs[0].path, "");
	UT_EQ_STR(s.regs[1].contact, "sip:8001@10.0.0.2:5060");
	/* a REGISTER's Path comes back with its binding, and changes */
	for (int i = 0; i < 2; i++) {
		struct st_registration pr = { .team_id = t1,
					     .expires_ms = 9000 };
		snprintf(pr.exten, sizeof(pr.exten), "8001");
		snprintf(pr.contact, sizeof(pr.contact),
			 "sip:8001@10.0.0.1:5060");
		snprintf(pr.path, sizeof(pr.path), "sip:10.0.0.%d:5060", 9 + i);
		UT_EQ_INT(store_registration_save(f->st, &pr), 0);
	}
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_STR(s.regs[0].path, "sip:10.0.0.10:5060");
	UT_EQ_INT(save_reg(f->st, t1, "8001", "sip:8001@10.0.0.1:5060", 9000),
		  0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_STR(s.regs[0].path, "");

	UT_EQ_INT(store_registration_del(f->st, t1, "8001",
					 "sip:8001@10.0.0.2:5060"), 0);
	UT_EQ_INT(store_registration_del(f->st, t1, "8001",
					 "sip:8001@10.0.0.2:5060"), ENOENT);
	UT_EQ_INT(store_registration_del(f->st, t2, "8002",
					 "sip:8002@10.0.0.3:5060"), ENOENT);
	/* removing an extension removes its bindings */
	UT_EQ_INT(store_exten_del(f->st, t1, "8002"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nreg, 2);
	UT_EQ_STR(s.regs[0].contact, "sip:8001@10.0.0.1:5060");
	UT_EQ_INT(s.regs[1].team_id, t2);

	/* bad input */
	r.team_id = t1;
	snprintf(r.exten, sizeof(r.exten), "8001");
	snprintf(r.contact, sizeof(r.contact), "sip:x");
	UT_EQ_INT(store_registration_save(f->st, &r), EINVAL);   /* expires 0 */
	r.expires_ms = 1;
	memset(r.source, 's', sizeof(r.source));
	UT_EQ_INT(store_registration_save(f->st, &r), EINVAL);
	r.source[0] = '\0';
	r.contact[0] = '\0';
	UT_EQ_INT(store_registration_save(f->st, &r), EINVAL);
	UT_EQ_INT(store_registration_del(f->st, t1, "8001", ""), EINVAL);
}

UNIT_TEST(store_registration_upsert_delete)
{
	fx_run(unit_failed_, body_registration);
}

/* ---- CDRs ---- */

static void body_cdr(int *unit_failed_, struct fx *f)
{
	struct st_cdr c, got;
	char id[ST_SESSIONID];
	int64_t t;

	UT_EQ_INT(store_team_add(f->st, "t", &t), 0);
	cdr_make(&c, 1, t, 1714550000000LL);
	snprintf(c.userdata, sizeof(c.userdata), "order=42&x=%%26");
	snprintf(c.vars, sizeof(c.vars), "A=1&B=two");
	UT_EQ_INT(store_cdr_begin(f->st, &c), 0);
	UT_EQ_INT(store_cdr_begin(f->st, &c), EEXIST);

	UT_EQ_INT(store_cdr_get(f->st, c.sessionid, &got), 0);
	UT_EQ_STR(got.sessionid, c.sessionid);
	UT_EQ_INT(got.team_id, t);
	UT_EQ_STR(got.agent, "8001");
	UT_EQ_STR(got.direction, "out");
	UT_EQ_STR(got.caller, "8001");
	UT_EQ_STR(got.callee, "013888888888");
	UT_EQ_STR(got.calldate, "2024-05-01");
	UT_EQ_INT(got.start_ms, 1714550000000LL);
	UT_EQ_INT(got.answer_ms + got.end_ms, 0);
	UT_EQ_STR(got.disposition, "");
	UT_EQ_STR(got.modeltype, "Campaign");
	UT_EQ_STR(got.model_id, "10");
	UT_EQ_STR(got.userdata, "order=42&x=%26");
	UT_EQ_STR(got.vars, "A=1&B=two");

	/* end rewrites the whole row */
	c.answer_ms = c.start_ms + 3000;
	c.end_ms = c.start_ms + 40000;
	snprintf(c.disposition, sizeof(c.disposition), "ANSWERED");
	snprintf(c.hangup_by, sizeof(c.hangup_by), "customer");
	snprintf(c.recording, sizeof(c.recording), "2024/05/01/%s.wav",
		 c.sessionid);
	snprintf(c.vars, sizeof(c.vars), "A=1");
	snprintf(c.queue, sizeof(c.queue), "6002");
	c.queue_wait_ms = 2750;
	c.abandoned = true;
	snprintf(c.ivrpath, sizeof(c.ivrpath), "did:800888>queue:6002");
	UT_EQ_INT(store_cdr_end(f->st, &c), 0);
	UT_EQ_INT(store_cdr_get(f->st, c.sessionid, &got), 0);
	UT_EQ_STR(got.queue, "6002");
	UT_EQ_INT(got.queue_wait_ms, 2750);
	UT_ASSERT(got.abandoned);
	UT_EQ_STR(got.ivrpath, "did:800888>queue:6002");
	c.queue_wait_ms = -1;                  /* a wait is never negative */
	UT_EQ_INT(store_cdr_end(f->st, &c), EINVAL);
	c.queue_wait_ms = 2750;
	UT_EQ_INT(got.answer_ms, c.start_ms + 3000);
	UT_EQ_INT(got.end_ms, c.start_ms + 40000);
	UT_EQ_STR(got.disposition, "ANSWERED");
	UT_EQ_STR(got.hangup_by, "customer");
	UT_EQ_STR(got.recording, c.recording);
	UT_EQ_STR(got.vars, "A=1");

	sid(id, 2);
	UT_EQ_INT(store_cdr_get(f->st, id, &got), ENOENT);
	cdr_make(&c, 2, t, 1);
	UT_EQ_INT(store_cdr_end(f->st, &c), ENOENT);
	UT_EQ_INT(add_leg(f->st, 2, 5, "agent", 1, 0), ENOENT);
	c.team_id = 999;
	UT_EQ_INT(store_cdr_begin(f->st, &c), ENOENT);

	/* bad input */
	UT_EQ_INT(store_cdr_get(f->st, "EFEB7B374A3408B0D0954F3000000001",
				&got), EINVAL);
	UT_EQ_INT(store_cdr_get(f->st, "efeb7b374a3408b0d0954f300000001",
				&got), EINVAL);
	UT_EQ_INT(store_cdr_get(f->st, "efeb7b374a3408b0d0954f30000000011",
				&got), EINVAL);
	UT_EQ_INT(store_cdr_get(f->st, "efeb7b374a3408b0d0954f300000000g",
				&got), EINVAL);
	cdr_make(&c, 3, t, 1000);
	snprintf(c.direction, sizeof(c.direction), "dialout");
	UT_EQ_INT(store_cdr_begin(f->st, &c), EINVAL);
	cdr_make(&c, 3, t, 1000);
	snprintf(c.disposition, sizeof(c.disposition), "NOANSWER");
	UT_EQ_INT(store_cdr_begin(f->st, &c), EINVAL);
	cdr_make(&c, 3, t, 1000);
	snprintf(c.calldate, sizeof(c.calldate), "2024-5-1");
	UT_EQ_INT(store_cdr_begin(f->st, &c), EINVAL);
	cdr_make(&c, 3, t, 0);
	UT_EQ_INT(store_cdr_begin(f->st, &c), EINVAL);
	cdr_make(&c, 3, t, 1000);
	memset(c.vars, 'v', sizeof(c.vars));
	UT_EQ_INT(store_cdr_begin(f->st, &c), EINVAL);
	cdr_make(&c, 3, t, 1000);
	c.team_id = 0;
	UT_EQ_INT(store_cdr_begin(f->st, &c), EINVAL);
	cdr_make(&c, 3, t, 1000);
	UT_EQ_INT(store_cdr_begin(f->st, &c), 0);
}

UNIT_TEST(store_cdr_begin_end_get)
{
	fx_run(unit_failed_, body_cdr);
}

struct cdr_seen {
	int ncall, nleg;
	char order[64];        /* "1:a,b 2: ..." — calls and their legs */
	size_t len;
};

static void seen_cdr(const struct st_cdr *c, void *arg)
{
	struct cdr_seen *cs = arg;

	cs->len += (size_t)snprintf(cs->order + cs->len,
				    sizeof(cs->order) - cs->len, "%s%u:",
				    cs->ncall ? " " : "",
				    (unsigned)strtoul(c->sessionid + 24, NULL,
						      16));
	cs->ncall++;
}

static void seen_leg(const struct st_cdr_leg *l, void *arg)
{
	struct cdr_seen *cs = arg;

	cs->len += (size_t)snprintf(cs->order + cs->len,
				    sizeof(cs->order) - cs->len, "%s%lld",
				    cs->order[cs->len - 1] == ':' ? "" : ",",
				    (long long)l->uniqueid);
	cs->nleg++;
}

static void body_cdr_visit(int *unit_failed_, struct fx *f)
{
	struct cdr_seen cs = { 0 };
	struct st_cdr_leg l = { 0 };
	int64_t t1, t2;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	/* begun out of time order on purpose */
	UT_EQ_INT(add_cdr(f->st, 2, t1, 2000), 0);
	UT_EQ_INT(add_cdr(f->st, 1, t1, 1000), 0);
	UT_EQ_INT(add_cdr(f->st, 4, t1, 4000), 0);
	UT_EQ_INT(add_cdr(f->st, 3, t2, 3000), 0);
	UT_EQ_INT(add_cdr(f->st, 5, t1, 4000), 0);   /* same start as 4 */
	/* legs, saved out of order; shown in start order */
	UT_EQ_INT(add_leg(f->st, 2, 21, "customer", 2500, 0), 0);
	UT_EQ_INT(add_leg(f->st, 2, 20, "agent", 2000, 0), 0);
	UT_EQ_INT(add_leg(f->st, 1, 10, "agent", 1000, 1500), 0);
	/* leg_save replaces by (sessionid, uniqueid) */
	UT_EQ_INT(add_leg(f->st, 1, 10, "agent", 1000, 1900), 0);

	UT_EQ_INT(store_cdr_visit(f->st, 0, 0, 0, seen_cdr, seen_leg, &cs), 0);
	UT_EQ_INT(cs.ncall, 5);
	UT_EQ_INT(cs.nleg, 3);
	/* newest first; of two at the same time the later begun first */
	UT_EQ_STR(cs.order, "5: 4: 3: 2:20,21 1:10");

	memset(&cs, 0, sizeof(cs));
	UT_EQ_INT(store_cdr_visit(f->st, t1, 0, 0, seen_cdr, seen_leg, &cs), 0);
	UT_EQ_STR(cs.order, "5: 4: 2:20,21 1:10");

	memset(&cs, 0, sizeof(cs));
	UT_EQ_INT(store_cdr_visit(f->st, t1, 0, 2, seen_cdr, seen_leg, &cs), 0);
	UT_EQ_STR(cs.order, "5: 4:");

	/* since is inclusive */
	memset(&cs, 0, sizeof(cs));
	UT_EQ_INT(store_cdr_visit(f->st, t1, 2000, 10, seen_cdr, NULL, &cs), 0);
	UT_EQ_STR(cs.order, "5: 4: 2:");
	UT_EQ_INT(cs.nleg, 0);

	memset(&cs, 0, sizeof(cs));
	UT_EQ_INT(store_cdr_visit(f->st, t2, 3001, 0, seen_cdr, seen_leg, &cs),
		  0);
	UT_EQ_INT(cs.ncall, 0);
	memset(&cs, 0, sizeof(cs));
	UT_EQ_INT(store_cdr_visit(f->st, 999, 0, 0, seen_cdr, seen_leg, &cs),
		  0);
	UT_EQ_INT(cs.ncall, 0);
	UT_EQ_INT(store_cdr_visit(f->st, 0, 0, 0, NULL, seen_leg, &cs), EINVAL);

	/* leg reads back every field */
	sid(l.sessionid, 3);
	l.uniqueid = 30;
	snprintf(l.channel, sizeof(l.channel), "SIP/trunk-0001");
	snprintf(l.role, sizeof(l.role), "customer");
	snprintf(l.peer, sizeof(l.peer), "013888888888");
	l.start_ms = 3000;
	l.answer_ms = 3100;
	l.end_ms = 3900;
	snprintf(l.disposition, sizeof(l.disposition), "BUSY");
	UT_EQ_INT(store_cdr_leg_save(f->st, &l), 0);
	l.uniqueid = 0;
	UT_EQ_INT(store_cdr_leg_save(f->st, &l), EINVAL);
	l.uniqueid = 31;
	snprintf(l.disposition, sizeof(l.disposition), "busy");
	UT_EQ_INT(store_cdr_leg_save(f->st, &l), EINVAL);
}

UNIT_TEST(store_cdr_visit_order_limit)
{
	fx_run(unit_failed_, body_cdr_visit);
}

struct leg_keep {
	struct st_cdr_leg legs[4];
	int n;
};

static void keep_leg(const struct st_cdr_leg *l, void *arg)
{
	struct leg_keep *k = arg;

	if (k->n < 4)
		k->legs[k->n++] = *l;
}

static void no_cdr(const struct st_cdr *c, void *arg)
{
	(void)c;
	(void)arg;
}

static void body_cdr_close(int *unit_failed_, struct fx *f)
{
	struct leg_keep k = { 0 };
	struct st_cdr c, got;
	unsigned n = 99;
	int64_t t;

	UT_EQ_INT(store_team_add(f->st, "t", &t), 0);
	UT_EQ_INT(add_cdr(f->st, 1, t, 1000), 0);
	UT_EQ_INT(add_cdr(f->st, 2, t, 2000), 0);
	cdr_make(&c, 3, t, 3000);
	UT_EQ_INT(store_cdr_begin(f->st, &c), 0);
	c.answer_ms = 3100;
	c.end_ms = 3500;
	snprintf(c.disposition, sizeof(c.disposition), "ANSWERED");
	snprintf(c.hangup_by, sizeof(c.hangup_by), "agent");
	UT_EQ_INT(store_cdr_end(f->st, &c), 0);
	/* call 2: one leg ended, one still up */
	UT_EQ_INT(add_leg(f->st, 2, 20, "agent", 2000, 2200), 0);
	UT_EQ_INT(add_leg(f->st, 2, 21, "customer", 2100, 0), 0);
	UT_EQ_INT(add_leg(f->st, 3, 30, "agent", 3000, 0), 0);

	UT_EQ_INT(reopen(f), 0);        /* as occd after a crash */
	UT_EQ_INT(store_cdr_close_open(f->st, 9000, &n), 0);
	UT_EQ_INT(n, 2);
	UT_EQ_INT(store_cdr_get(f->st, c.sessionid, &got), 0);
	UT_EQ_STR(got.disposition, "ANSWERED");       /* closed: untouched */
	UT_EQ_INT(got.end_ms, 3500);
	UT_EQ_STR(got.hangup_by, "agent");
	sid(c.sessionid, 2);
	UT_EQ_INT(store_cdr_get(f->st, c.sessionid, &got), 0);
	UT_EQ_STR(got.disposition, "INTERRUPTED");
	UT_EQ_INT(got.end_ms, 9000);
	UT_EQ_STR(got.hangup_by, "system");
	/* calls 3 and 2, newest first, each followed by its legs */
	UT_EQ_INT(store_cdr_visit(f->st, t, 2000, 2, no_cdr, keep_leg, &k), 0);
	UT_EQ_INT(k.n, 3);
	/* a leg of a closed call is the call's business, not ours */
	UT_EQ_INT(k.legs[0].uniqueid, 30);
	UT_EQ_INT(k.legs[0].end_ms, 0);
	UT_EQ_INT(k.legs[1].uniqueid, 20);
	UT_EQ_INT(k.legs[1].end_ms, 2200);
	UT_EQ_STR(k.legs[1].disposition, "ANSWERED");
	UT_EQ_INT(k.legs[2].uniqueid, 21);
	UT_EQ_INT(k.legs[2].end_ms, 9000);
	UT_EQ_STR(k.legs[2].disposition, "INTERRUPTED");

	UT_EQ_INT(store_cdr_close_open(f->st, 9500, &n), 0);
	UT_EQ_INT(n, 0);
	UT_EQ_INT(store_cdr_close_open(f->st, 9500, NULL), 0);
	UT_EQ_INT(store_cdr_close_open(f->st, 0, &n), EINVAL);
}

UNIT_TEST(store_cdr_close_open_interrupted)
{
	fx_run(unit_failed_, body_cdr_close);
}

/* ---- counters ---- */

static void body_counter(int *unit_failed_, struct fx *f)
{
	struct store *st2 = NULL;
	int64_t v = 0;

	UT_EQ_INT(store_counter_next(f->st, "uniqueid", &v), 0);
	UT_EQ_INT(v, 1);
	UT_EQ_INT(store_counter_next(f->st, "uniqueid", &v), 0);
	UT_EQ_INT(v, 2);
	UT_EQ_INT(store_counter_next(f->st, "other", &v), 0);
	UT_EQ_INT(v, 1);
	UT_EQ_INT(reopen(f), 0);
	UT_EQ_INT(store_counter_next(f->st, "uniqueid", &v), 0);
	UT_EQ_INT(v, 3);

	/* a second connection (occctl beside occd) shares the sequence */
	UT_EQ_INT(unit_store_open(&st2, f->dir, false), 0);
	UT_EQ_INT(store_counter_next(st2, "uniqueid", &v), 0);
	UT_EQ_INT(v, 4);
	UT_EQ_INT(store_counter_next(f->st, "uniqueid", &v), 0);
	UT_EQ_INT(v, 5);
	st2 = mem_deref(st2);

	/* inside a transaction it counts too, and commits with it */
	UT_EQ_INT(store_begin(f->st), 0);
	UT_EQ_INT(store_counter_next(f->st, "uniqueid", &v), 0);
	UT_EQ_INT(v, 6);
	UT_EQ_INT(store_commit(f->st), 0);
	UT_EQ_INT(raw_int(f, "SELECT value FROM counters"
			  " WHERE name = 'uniqueid'"), 6);

	UT_EQ_INT(store_counter_next(f->st, "", &v), EINVAL);
	UT_EQ_INT(store_counter_next(f->st, "x", NULL), EINVAL);
}

UNIT_TEST(store_counter_monotonic_across_reopen)
{
	fx_run(unit_failed_, body_counter);
}

enum { DRAWS = 150 };

/* Draw DRAWS values on a connection of our own, write them to fd. */
static void draw_values(const char *dir, int fd)
{
	struct store *st = NULL;
	int64_t v[DRAWS];
	int ok = unit_store_open(&st, dir, false) == 0;

	for (int i = 0; ok && i < DRAWS; i++)
		ok = store_counter_next(st, "uniqueid", &v[i]) == 0;
	if (ok && write(fd, v, sizeof(v)) != (ssize_t)sizeof(v))
		ok = 0;
	mem_deref(st);
	close(fd);
	_exit(ok ? 0 : 1);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static void body_counter_procs(int *unit_failed_, struct fx *f)
{
	static int64_t all[3 * DRAWS];
	int fds[3][2], status;
	pid_t pid[3];
	size_t got = 0;

	/* three processes at once: every value handed out exactly once */
	for (int i = 0; i < 3; i++) {
		UT_ASSERT(pipe(fds[i]) == 0);
		pid[i] = fork();
		UT_ASSERT(pid[i] >= 0);
		if (pid[i] == 0) {
			close(fds[i][0]);
			draw_values(f->dir, fds[i][1]);
		}
		close(fds[i][1]);
	}
	for (int i = 0; i < 3; i++) {
		ssize_t n;
		while ((n = read(fds[i][0], (char *)all + got,
				 sizeof(all) - got)) > 0)
			got += (size_t)n;
		close(fds[i][0]);
		UT_ASSERT(waitpid(pid[i], &status, 0) == pid[i]);
		UT_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	UT_EQ_INT(got, sizeof(all));
	qsort(all, 3 * DRAWS, sizeof(all[0]), cmp_i64);
	for (int i = 0; i < 3 * DRAWS; i++)
		UT_EQ_INT(all[i], i + 1);
}

UNIT_TEST(store_counter_concurrent_processes)
{
	fx_run(unit_failed_, body_counter_procs);
}

/* ---- team removal keeps call history ---- */

static void seen_team(const struct st_cdr *c, void *arg)
{
	*(int64_t *)arg = c->team_id;
}

static void body_cascade_telephony(int *unit_failed_, struct fx *f)
{
	struct st_cdr got;
	struct snap s;
	int64_t t, a, t2, team_seen = -1;

	UT_EQ_INT(populate(f->st, &t, &a), 0);
	UT_EQ_INT(add_cdr(f->st, 1, t, 1000), 0);
	UT_EQ_INT(add_leg(f->st, 1, 10, "agent", 1000, 2000), 0);
	UT_EQ_INT(store_counter_next(f->st, "uniqueid", &a), 0);
	UT_EQ_INT(store_team_del(f->st, "t1"), 0);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.ntrunk + s.nreg + s.nsetting, 0);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM trunks"), 0);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM registrations"), 0);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM team_settings"), 0);

	/* the call stays, under no team */
	UT_EQ_INT(store_cdr_get(f->st, "efeb7b374a3408b0d0954f3000000001",
				&got), 0);
	UT_EQ_INT(got.team_id, 0);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM cdr_legs"), 1);
	UT_EQ_INT(store_cdr_visit(f->st, 0, 0, 0, seen_team, NULL, &team_seen),
		  0);
	UT_EQ_INT(team_seen, 0);
	/* a new team that gets the same id does not inherit it */
	UT_EQ_INT(store_team_add(f->st, "t9", &t2), 0);
	/* (PostgreSQL's identity never hands out an id twice) */
	UT_ASSERT(unit_pg() ? t2 > t : t2 == t);
	team_seen = -1;
	UT_EQ_INT(store_cdr_visit(f->st, t2, 0, 0, seen_team, NULL, &team_seen),
		  0);
	UT_EQ_INT(team_seen, -1);
	UT_EQ_INT(raw_int(f, "SELECT value FROM counters"), 1);

	/* the legs go with their call */
	UT_EQ_INT(raw_sql(f, unit_pg() ? "DELETE FROM cdr" :
			  "PRAGMA foreign_keys = ON; DELETE FROM cdr"),
		  SQLITE_OK);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM cdr_legs"), 0);
}

UNIT_TEST(store_team_delete_keeps_cdr)
{
	fx_run(unit_failed_, body_cascade_telephony);
}

/* ---- migration from version 1 ---- */

static void body_migrate_v1(int *unit_failed_, struct fx *f)
{
	char path[128];
	struct st_agent ag;
	struct snap s;
	sqlite3 *db = NULL;
	int64_t v;

	UT_SKIP_IF(unit_pg(), "SQLite files of old versions");

	/* a version-1 file, as the first release of occ left it */
	f->st = mem_deref(f->st);
	rm_dir(f->dir);
	UT_ASSERT(mkdir(f->dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/occ.db", f->dir);
	UT_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	UT_EQ_INT(sqlite_schema_migrate_to(db, 1), 0);
	UT_EQ_INT(sqlite3_exec(db,
		"PRAGMA journal_mode = WAL;"
		"INSERT INTO teams (id, name) VALUES (1, 'old');"
		"INSERT INTO agents (id, team_id, number, name, pwhash, exten)"
		" VALUES (5, 1, '8001', 'Ann', '" FAKE_HASH "', '8001');"
		"INSERT INTO extensions (team_id, number, ha1, kind)"
		" VALUES (1, '8001', '', 'sip');"
		"INSERT INTO agent_groups (id, team_id, name, queue)"
		" VALUES (3, 1, 'Sales', '6001');"
		"INSERT INTO members (group_id, agent_id) VALUES (3, 5);"
		"INSERT INTO state_log (agent_id, ts_ms, state)"
		" VALUES (5, 100, 1);", NULL, NULL, NULL), SQLITE_OK);
	UT_EQ_INT(sqlite_schema_migrate_to(db, 0), 0);       /* no-op */
	UT_EQ_INT(sqlite_schema_migrate_to(db, 99), EINVAL);
	sqlite3_close(db);
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"), 1);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM sqlite_master"
			  " WHERE name = 'trunks'"), 0);

	UT_EQ_INT(store_open(&f->st, f->dir), 0);
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"), sqlite_schema_version());
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nteam, 1);
	UT_EQ_STR(s.teams[0].name, "old");
	UT_EQ_INT(s.nagent, 1);
	UT_EQ_INT(s.ngroup, 1);
	UT_EQ_INT(s.nmember, 1);
	UT_EQ_INT(s.nexten, 1);
	UT_EQ_INT(store_agent_get(f->st, 1, "8001", &ag), 0);
	UT_EQ_STR(ag.name, "Ann");
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM state_log"), 1);

	/* and the new tables work on the old rows */
	UT_EQ_INT(add_trunk(f->st, 1, "gw", "sip:gw", true), 0);
	UT_EQ_INT(save_reg(f->st, 1, "8001", "sip:8001@h", 1000), 0);
	UT_EQ_INT(store_team_setting_set(f->st, 1, "event_url", "http://h/"),
		  0);
	UT_EQ_INT(add_cdr(f->st, 1, 1, 1000), 0);
	UT_EQ_INT(store_counter_next(f->st, "uniqueid", &v), 0);
	UT_EQ_INT(v, 1);
	UT_EQ_INT(reopen(f), 0);      /* and step 2 is not run again */
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.ntrunk + s.nreg + s.nsetting, 3);
}

UNIT_TEST(store_migration_from_v1_keeps_rows)
{
	fx_run(unit_failed_, body_migrate_v1);
}

/* ---- events ---- */

static int add_event(struct store *st, int64_t team, int64_t eventid,
		     int64_t ts_ms, const char *agent1, const char *agent2)
{
	struct st_event *e = calloc(1, sizeof(*e));
	int err;

	if (!e)
		return ENOMEM;
	e->team_id = team;
	e->eventid = eventid;
	e->ts_ms = ts_ms;
	snprintf(e->agent1, sizeof(e->agent1), "%s", agent1);
	snprintf(e->agent2, sizeof(e->agent2), "%s", agent2);
	snprintf(e->text, sizeof(e->text),
		 "event=AgentStatus&agent=%s&eventid=%lld&", agent1,
		 (long long)eventid);
	err = store_event_append(st, e);
	free(e);
	return err;
}

struct ev_seen {
	char ids[128];          /* "1,2,5" */
	size_t len;
	int n;
	int64_t team, ts;       /* of the last one */
	char agent1[ST_NUM], agent2[ST_NUM];
	size_t text_len;
	char text[64];          /* its first 63 bytes */
	/* call back into the store from the handler */
	struct store *st;
	int64_t last_seen;
	int cursor_err;
};

static void on_event(const struct st_event *e, void *arg)
{
	struct ev_seen *es = arg;

	es->len += (size_t)snprintf(es->ids + es->len,
				    sizeof(es->ids) - es->len, "%s%lld",
				    es->n ? "," : "", (long long)e->eventid);
	es->n++;
	es->team = e->team_id;
	es->ts = e->ts_ms;
	snprintf(es->agent1, sizeof(es->agent1), "%s", e->agent1);
	snprintf(es->agent2, sizeof(es->agent2), "%s", e->agent2);
	es->text_len = strlen(e->text);
	memcpy(es->text, e->text, es->text_len < sizeof(es->text) ?
	       es->text_len + 1 : sizeof(es->text) - 1);
	es->text[sizeof(es->text) - 1] = '\0';
	if (es->st) {
		es->cursor_err = store_cursor_set(es->st, e->team_id, "sse",
						  e->eventid);
		if (!es->cursor_err)
			es->cursor_err = store_event_last(es->st, e->team_id,
							  &es->last_seen);
	}
}

/* eventids visited, "" if none; NULL on error (then *errp says why) */
static const char *visit_ids(struct store *st, struct ev_seen *es,
			     int64_t team, int64_t after, const char *agent,
			     unsigned limit, int *errp)
{
	memset(es, 0, sizeof(*es));
	*errp = store_event_visit(st, team, after, agent, limit, on_event, es);
	return *errp ? NULL : es->ids;
}

static void body_event_log(int *unit_failed_, struct fx *f)
{
	struct ev_seen es;
	struct st_event *big;
	int64_t t1, t2, last = -1;
	int err;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(store_event_last(f->st, t1, &last), 0);
	UT_EQ_INT(last, 0);

	UT_EQ_INT(add_event(f->st, t1, 1, 1000, "8001", ""), 0);
	UT_EQ_INT(add_event(f->st, t1, 2, 1001, "8002", "8001"), 0);
	UT_EQ_INT(add_event(f->st, t1, 3, 1002, "", ""), 0);
	UT_EQ_INT(add_event(f->st, t1, 4, 1003, "8002", ""), 0);
	UT_EQ_INT(add_event(f->st, t1, 5, 1004, "8001", "8001"), 0);
	UT_EQ_INT(add_event(f->st, t1, 6, 1005, "", "8003"), 0);
	/* team 2 has its own numbers and the same agent numbers */
	UT_EQ_INT(add_event(f->st, t2, 1, 1000, "8001", ""), 0);
	UT_EQ_INT(add_event(f->st, t2, 2, 1001, "8002", ""), 0);

	UT_EQ_INT(add_event(f->st, t1, 3, 2000, "8009", ""), EEXIST);
	UT_EQ_INT(add_event(f->st, 999, 1, 1000, "8001", ""), ENOENT);
	UT_EQ_INT(store_event_last(f->st, t1, &last), 0);
	UT_EQ_INT(last, 6);
	UT_EQ_INT(store_event_last(f->st, t2, &last), 0);
	UT_EQ_INT(last, 2);
	UT_EQ_INT(store_event_last(f->st, 999, &last), 0);
	UT_EQ_INT(last, 0);
	/* where a replay "since ts" starts: the newest before ts, per team */
	UT_EQ_INT(store_event_before(f->st, t1, 1003, &last), 0);
	UT_EQ_INT(last, 3);
	UT_EQ_INT(store_event_before(f->st, t1, 1000, &last), 0);
	UT_EQ_INT(last, 0);
	UT_EQ_INT(store_event_before(f->st, t1, 99999, &last), 0);
	UT_EQ_INT(last, 6);
	UT_EQ_INT(store_event_before(f->st, t2, 1001, &last), 0);
	UT_EQ_INT(last, 1);

	/* the whole team, in order, every field back */
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, NULL, 0, &err), "1,2,3,4,5,6");
	UT_EQ_INT(es.team, t1);
	UT_EQ_INT(es.ts, 1005);
	UT_EQ_STR(es.agent1, "");
	UT_EQ_STR(es.agent2, "8003");
	UT_EQ_STR(es.text, "event=AgentStatus&agent=&eventid=6&");
	/* after, limit, both */
	UT_EQ_STR(visit_ids(f->st, &es, t1, 2, NULL, 0, &err), "3,4,5,6");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, NULL, 2, &err), "1,2");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 2, NULL, 2, &err), "3,4");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 6, NULL, 0, &err), "");
	UT_EQ_STR(visit_ids(f->st, &es, t2, 0, NULL, 0, &err), "1,2");
	UT_EQ_STR(visit_ids(f->st, &es, 999, 0, NULL, 0, &err), "");

	/* one agent: agent1 or agent2, once even when both */
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, "8001", 0, &err), "1,2,5");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, "8002", 0, &err), "2,4");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, "8003", 0, &err), "6");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, "8009", 0, &err), "");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, "8001", 2, &err), "1,2");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 1, "8001", 1, &err), "2");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 2, "8001", 5, &err), "5");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 1, "8002", 1, &err), "2");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, "8001", 1, &err), "1");
	UT_EQ_STR(es.agent1, "8001");
	/* the other team's 8001 is another agent */
	UT_EQ_STR(visit_ids(f->st, &es, t2, 0, "8001", 0, &err), "1");
	UT_EQ_INT(es.team, t2);

	/* the handler may call back into the store */
	memset(&es, 0, sizeof(es));
	es.st = f->st;
	UT_EQ_INT(store_event_visit(f->st, t1, 3, "8001", 0, on_event, &es), 0);
	UT_EQ_STR(es.ids, "5");
	UT_EQ_INT(es.cursor_err, 0);
	UT_EQ_INT(es.last_seen, 6);
	UT_EQ_INT(store_cursor_get(f->st, t1, "sse", &last), 0);
	UT_EQ_INT(last, 5);

	/* the longest text fits and comes back whole */
	big = calloc(1, sizeof(*big));
	UT_ASSERT(big != NULL);
	big->team_id = t2;
	big->eventid = 3;
	big->ts_ms = 1002;
	memset(big->text, 'x', sizeof(big->text) - 1);
	err = store_event_append(f->st, big);
	big->text[sizeof(big->text) - 1] = 'x';   /* no NUL: rejected */
	big->eventid = 4;
	if (!err)
		err = store_event_append(f->st, big) == EINVAL ? 0 : -1;
	free(big);
	UT_EQ_INT(err, 0);
	UT_EQ_STR(visit_ids(f->st, &es, t2, 2, NULL, 0, &err), "3");
	UT_EQ_INT(es.text_len, ST_EVENT - 1);
}

UNIT_TEST(store_event_append_last_visit)
{
	fx_run(unit_failed_, body_event_log);
}

static void nop_event(const struct st_event *e, void *arg)
{
	(void)e;
	(void)arg;
}

static void body_event_bad_input(int *unit_failed_, struct fx *f)
{
	struct st_event *e = calloc(1, sizeof(*e));
	int64_t t, v;
	int r[8];

	UT_ASSERT(e != NULL);
	UT_EQ_INT(store_team_add(f->st, "t", &t), 0);
	e->team_id = t;
	e->eventid = 1;
	e->ts_ms = 1;
	r[0] = store_event_append(f->st, e);            /* empty text */
	snprintf(e->text, sizeof(e->text), "event=x&");
	e->eventid = 0;
	r[1] = store_event_append(f->st, e);
	e->eventid = 1;
	e->team_id = 0;
	r[2] = store_event_append(f->st, e);
	e->team_id = t;
	memset(e->agent1, '1', sizeof(e->agent1));     /* no NUL */
	r[3] = store_event_append(f->st, e);
	e->agent1[0] = '\0';
	e->ts_ms = -1;
	r[4] = store_event_append(f->st, e);
	e->ts_ms = 1;
	r[5] = store_event_append(f->st, e);
	r[6] = store_event_append(NULL, e);
	r[7] = store_event_append(f->st, NULL);
	free(e);
	UT_EQ_INT(r[0], EINVAL);
	UT_EQ_INT(r[1], EINVAL);
	UT_EQ_INT(r[2], EINVAL);
	UT_EQ_INT(r[3], EINVAL);
	UT_EQ_INT(r[4], EINVAL);
	UT_EQ_INT(r[5], 0);
	UT_EQ_INT(r[6], EINVAL);
	UT_EQ_INT(r[7], EINVAL);

	UT_EQ_INT(store_event_last(f->st, 0, &v), EINVAL);
	UT_EQ_INT(store_event_last(f->st, t, NULL), EINVAL);
	UT_EQ_INT(store_event_visit(f->st, t, 0, "", 0, nop_event, NULL),
		  EINVAL);
	UT_EQ_INT(store_event_visit(f->st, t, 0, NULL, 0, NULL, NULL), EINVAL);
	UT_EQ_INT(store_event_visit(f->st, 0, 0, NULL, 0, nop_event, NULL),
		  EINVAL);
	UT_EQ_INT(store_event_visit(f->st, t, -1, NULL, 0, nop_event, NULL),
		  EINVAL);
	UT_EQ_INT(store_event_prune(NULL, 1, 1, 1, 1, NULL), EINVAL);
	UT_EQ_INT(store_event_prune(f->st, 0, 1, 1, 1, NULL), EINVAL);
	UT_EQ_INT(store_event_prune(f->st, 1, 1, 1, 0, NULL), EINVAL);
}

UNIT_TEST(store_event_rejects_bad_input)
{
	fx_run(unit_failed_, body_event_bad_input);
}

static void body_event_prune(int *unit_failed_, struct fx *f)
{
	struct ev_seen es;
	int64_t t1, t2, last;
	const int64_t all = INT64_MAX;
	unsigned n = 99;
	int err;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(add_event(f->st, t1, 1, 100, "8001", ""), 0);
	UT_EQ_INT(add_event(f->st, t1, 2, 200, "8001", ""), 0);
	UT_EQ_INT(add_event(f->st, t1, 3, 300, "8001", ""), 0);
	UT_EQ_INT(add_event(f->st, t1, 4, 400, "", "8001"), 0);
	UT_EQ_INT(add_event(f->st, t1, 5, 500, "8001", ""), 0);
	UT_EQ_INT(add_event(f->st, t2, 1, 50, "8001", ""), 0);
	UT_EQ_INT(add_event(f->st, t2, 2, 60, "8001", ""), 0);

	UT_EQ_INT(store_event_prune(f->st, t1, all, 100, 100, &n), 0);
	UT_EQ_INT(n, 0);                                  /* older than */
	/* not past upto (a sink's cursor): 1 and 2 only */
	UT_EQ_INT(store_event_prune(f->st, t1, 2, 1000000, 100, &n), 0);
	UT_EQ_INT(n, 2);
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, NULL, 0, &err), "3,4,5");
	/* at most limit, the oldest */
	UT_EQ_INT(store_event_prune(f->st, t1, all, 1000000, 1, &n), 0);
	UT_EQ_INT(n, 1);
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, NULL, 0, &err), "4,5");
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, "8001", 0, &err), "4,5");
	/* a team's newest event stays, however old: eventids go on */
	UT_EQ_INT(store_event_prune(f->st, t1, all, 1000000, 100, &n), 0);
	UT_EQ_INT(n, 1);
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, NULL, 0, &err), "5");
	UT_EQ_INT(store_event_prune(f->st, t1, all, 1000000, 100, &n), 0);
	UT_EQ_INT(n, 0);
	UT_EQ_INT(store_event_last(f->st, t1, &last), 0);
	UT_EQ_INT(last, 5);
	/* one team at a time */
	UT_EQ_STR(visit_ids(f->st, &es, t2, 0, NULL, 0, &err), "1,2");
	UT_EQ_INT(store_event_prune(f->st, t2, all, 1000000, 100, NULL), 0);
	UT_EQ_STR(visit_ids(f->st, &es, t2, 0, NULL, 0, &err), "2");
	UT_EQ_INT(store_event_last(f->st, t2, &last), 0);
	UT_EQ_INT(last, 2);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM events"), 2);
	UT_EQ_INT(add_event(f->st, t1, 6, 2000000, "8001", ""), 0);
	UT_EQ_INT(store_event_prune(f->st, t1, all, 1000000, 100, &n), 0);
	UT_EQ_INT(n, 1);
	UT_EQ_STR(visit_ids(f->st, &es, t1, 0, NULL, 0, &err), "6");
}

UNIT_TEST(store_event_prune_keeps_newest)
{
	fx_run(unit_failed_, body_event_prune);
}

static void body_cursor(int *unit_failed_, struct fx *f)
{
	char sink[40];
	int64_t t1, t2, v = -1;

	UT_EQ_INT(two_teams(f->st, &t1, &t2), 0);
	UT_EQ_INT(store_cursor_get(f->st, t1, "webhook", &v), 0);
	UT_EQ_INT(v, 0);
	UT_EQ_INT(store_cursor_set(f->st, t1, "webhook", 5), 0);
	UT_EQ_INT(store_cursor_set(f->st, t1, "nchan", 7), 0);
	UT_EQ_INT(store_cursor_set(f->st, t2, "webhook", 9), 0);
	UT_EQ_INT(store_cursor_get(f->st, t1, "webhook", &v), 0);
	UT_EQ_INT(v, 5);
	UT_EQ_INT(store_cursor_get(f->st, t1, "nchan", &v), 0);
	UT_EQ_INT(v, 7);
	UT_EQ_INT(store_cursor_get(f->st, t2, "webhook", &v), 0);
	UT_EQ_INT(v, 9);
	UT_EQ_INT(store_cursor_get(f->st, t2, "nchan", &v), 0);
	UT_EQ_INT(v, 0);
	/* overwrite, also backwards, and back to none */
	UT_EQ_INT(store_cursor_set(f->st, t1, "webhook", 12), 0);
	UT_EQ_INT(store_cursor_get(f->st, t1, "webhook", &v), 0);
	UT_EQ_INT(v, 12);
	UT_EQ_INT(store_cursor_set(f->st, t1, "webhook", 3), 0);
	UT_EQ_INT(store_cursor_get(f->st, t1, "webhook", &v), 0);
	UT_EQ_INT(v, 3);
	UT_EQ_INT(reopen(f), 0);
	UT_EQ_INT(store_cursor_get(f->st, t1, "webhook", &v), 0);
	UT_EQ_INT(v, 3);
	UT_EQ_INT(store_cursor_set(f->st, t1, "webhook", 0), 0);
	UT_EQ_INT(store_cursor_get(f->st, t1, "webhook", &v), 0);
	UT_EQ_INT(v, 0);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM cursors"), 3);

	UT_EQ_INT(store_cursor_set(f->st, 999, "webhook", 1), ENOENT);
	UT_EQ_INT(store_cursor_get(f->st, 999, "webhook", &v), 0);
	UT_EQ_INT(v, 0);

	/* sink names: [a-z_]{1,31} */
	UT_EQ_INT(store_cursor_set(f->st, t1, "", 1), EINVAL);
	UT_EQ_INT(store_cursor_set(f->st, t1, "Webhook", 1), EINVAL);
	UT_EQ_INT(store_cursor_set(f->st, t1, "web-hook", 1), EINVAL);
	UT_EQ_INT(store_cursor_set(f->st, t1, "sink1", 1), EINVAL);
	UT_EQ_INT(store_cursor_set(f->st, t1, NULL, 1), EINVAL);
	UT_EQ_INT(store_cursor_get(f->st, t1, "web hook", &v), EINVAL);
	memset(sink, 'a', sizeof(sink));
	sink[32] = '\0';
	UT_EQ_INT(store_cursor_set(f->st, t1, sink, 1), EINVAL);
	sink[31] = '\0';
	UT_EQ_INT(store_cursor_set(f->st, t1, sink, 1), 0);
	UT_EQ_INT(store_cursor_set(f->st, t1, "back_end", 1), 0);
	UT_EQ_INT(store_cursor_set(f->st, t1, "webhook", -1), EINVAL);
	UT_EQ_INT(store_cursor_set(f->st, 0, "webhook", 1), EINVAL);
	UT_EQ_INT(store_cursor_get(f->st, t1, "webhook", NULL), EINVAL);
}

UNIT_TEST(store_cursor_get_set)
{
	fx_run(unit_failed_, body_cursor);
}

static void body_event_cascade(int *unit_failed_, struct fx *f)
{
	struct ev_seen es;
	int64_t keep, gone, t3, v;
	int err;

	UT_EQ_INT(store_team_add(f->st, "keep", &keep), 0);
	UT_EQ_INT(store_team_add(f->st, "gone", &gone), 0);
	UT_EQ_INT(add_event(f->st, gone, 1, 100, "8001", "8002"), 0);
	UT_EQ_INT(add_event(f->st, gone, 2, 200, "8001", ""), 0);
	UT_EQ_INT(add_event(f->st, keep, 1, 100, "8001", ""), 0);
	UT_EQ_INT(store_cursor_set(f->st, gone, "webhook", 2), 0);
	UT_EQ_INT(store_cursor_set(f->st, keep, "webhook", 1), 0);

	UT_EQ_INT(store_team_del(f->st, "gone"), 0);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM events"), 1);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM cursors"), 1);
	UT_EQ_STR(visit_ids(f->st, &es, keep, 0, "8001", 0, &err), "1");
	UT_EQ_INT(store_cursor_get(f->st, keep, "webhook", &v), 0);
	UT_EQ_INT(v, 1);
	/* a team that gets the old id (teams.id is no AUTOINCREMENT) starts
	 * afresh */
	UT_EQ_INT(store_team_add(f->st, "t3", &t3), 0);
	/* (PostgreSQL's identity never hands out an id twice) */
	UT_ASSERT(unit_pg() ? t3 > gone : t3 == gone);
	UT_EQ_INT(store_event_last(f->st, t3, &v), 0);
	UT_EQ_INT(v, 0);
	UT_EQ_INT(store_cursor_get(f->st, t3, "webhook", &v), 0);
	UT_EQ_INT(v, 0);
	UT_EQ_STR(visit_ids(f->st, &es, t3, 0, "8002", 0, &err), "");
}

UNIT_TEST(store_event_cascade_team)
{
	fx_run(unit_failed_, body_event_cascade);
}

/* The query plan of one of sqlite.c's queries, one line per step. */
static int query_plan(const struct fx *f, const char *name, char *buf,
		      size_t size)
{
	const char *sql = sqlite_query_sql(name);
	char path[128], *eqp;
	sqlite3_stmt *q = NULL;
	sqlite3 *db = NULL;
	size_t len = 0;
	int rc;

	buf[0] = '\0';
	if (!sql)
		return -1;
	eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	snprintf(path, sizeof(path), "%s/occ.db", f->dir);
	rc = sqlite3_open(path, &db);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(db, eqp, -1, &q, NULL);
	while (rc == SQLITE_OK && sqlite3_step(q) == SQLITE_ROW && len < size) {
		const char *step = (const char *)sqlite3_column_text(q, 3);

		len += (size_t)snprintf(buf + len, size - len, "%s\n", step);
	}
	sqlite3_finalize(q);
	sqlite3_close(db);
	sqlite3_free(eqp);
	return rc;
}

static bool has(const char *plan, const char *s)
{
	return strstr(plan, s) != NULL;
}

/* A full table scan or a sort of the matches would make a replay cost the
 * team's (or agent's) whole history; these must be index seeks. */
static void body_event_plans(int *unit_failed_, struct fx *f)
{
	char plan[1024];
	int64_t t;

	UT_SKIP_IF(unit_pg(), "SQLite's query plans");

	UT_EQ_INT(store_team_add(f->st, "t", &t), 0);
	UT_EQ_INT(add_event(f->st, t, 1, 100, "8001", ""), 0);
	UT_ASSERT(sqlite_query_sql("nope") == NULL);

	UT_EQ_INT(query_plan(f, "event_visit", plan, sizeof(plan)), 0);
	UT_ASSERT(has(plan, "USING INDEX sqlite_autoindex_events_1"
		      " (team_id=? AND eventid>?)"));
	UT_ASSERT(!has(plan, "TEMP B-TREE") && !has(plan, "SCAN"));

	UT_EQ_INT(query_plan(f, "event_visit_agent", plan, sizeof(plan)), 0);
	UT_ASSERT(has(plan, "USING COVERING INDEX events_agent1"
		      " (team_id=? AND agent1=? AND eventid>?)"));
	UT_ASSERT(has(plan, "USING COVERING INDEX events_agent2"
		      " (team_id=? AND agent2=? AND eventid>?)"));
	UT_ASSERT(has(plan, "USING INDEX sqlite_autoindex_events_1"
		      " (team_id=? AND eventid=?)"));
	UT_ASSERT(!has(plan, "SCAN events") && !has(plan, "SCAN TABLE"));
	UT_ASSERT(!has(plan, "FOR ORDER BY"));

	UT_EQ_INT(query_plan(f, "event_last", plan, sizeof(plan)), 0);
	UT_ASSERT(has(plan, "USING COVERING INDEX sqlite_autoindex_events_1"
		      " (team_id=?)"));
	UT_ASSERT(!has(plan, "TEMP B-TREE") && !has(plan, "SCAN"));

	UT_EQ_INT(query_plan(f, "event_prune", plan, sizeof(plan)), 0);
	UT_ASSERT(has(plan, "USING INDEX events_team_ts (team_id=? AND ts_ms<?)"));
	UT_ASSERT(has(plan, "USING COVERING INDEX sqlite_autoindex_events_1"
		      " (team_id=?)"));
	UT_ASSERT(!has(plan, "SCAN") && !has(plan, "TEMP B-TREE"));

	/* the statistics' replay start: one seek back from a moment */
	UT_EQ_INT(query_plan(f, "event_before", plan, sizeof(plan)), 0);
	UT_ASSERT(has(plan, "USING INDEX events_team_ts (team_id=? AND ts_ms<?)"));
	UT_ASSERT(!has(plan, "SCAN") && !has(plan, "TEMP B-TREE"));

	/* a team's agents, then each one's rows by (agent_id, ts_ms) */
	UT_EQ_INT(query_plan(f, "state_log_prune", plan, sizeof(plan)), 0);
	UT_ASSERT(has(plan, "state_log_agent_ts (agent_id=? AND ts_ms<?)"));
	UT_ASSERT(!has(plan, "SCAN state_log") && !has(plan, "SCAN s "));
}

UNIT_TEST(store_event_query_plans)
{
	fx_run(unit_failed_, body_event_plans);
}

/* ---- migration from version 2 ---- */

static void body_migrate_v2(int *unit_failed_, struct fx *f)
{
	char path[128];
	struct ev_seen es;
	struct st_cdr got;
	struct snap s;
	sqlite3 *db = NULL;
	int64_t v;
	int err;

	UT_SKIP_IF(unit_pg(), "SQLite files of old versions");

	/* a version-2 file, as the telephony release left it */
	f->st = mem_deref(f->st);
	rm_dir(f->dir);
	UT_ASSERT(mkdir(f->dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/occ.db", f->dir);
	UT_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	UT_EQ_INT(sqlite_schema_migrate_to(db, 2), 0);
	UT_EQ_INT(sqlite3_exec(db,
		"PRAGMA journal_mode = WAL;"
		"INSERT INTO teams (id, name) VALUES (1, 'old');"
		"INSERT INTO agents (id, team_id, number, name, pwhash, exten)"
		" VALUES (5, 1, '8001', 'Ann', '" FAKE_HASH "', '8001');"
		"INSERT INTO extensions (team_id, number, ha1, kind)"
		" VALUES (1, '8001', '', 'sip');"
		"INSERT INTO registrations (team_id, exten, contact,"
		" expires_ms) VALUES (1, '8001', 'sip:8001@h', 1000);"
		"INSERT INTO trunks (team_id, name, uri, is_default)"
		" VALUES (1, 'gw', 'sip:gw', 1);"
		"INSERT INTO team_settings (team_id, key, value)"
		" VALUES (1, 'event_url', 'http://h/');"
		"INSERT INTO cdr (sessionid, team_id, direction, calldate,"
		" start_ms) VALUES ('efeb7b374a3408b0d0954f3000000001', 1,"
		" 'out', '2024-05-01', 1000);"
		"INSERT INTO counters (name, value) VALUES ('uniqueid', 41);",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"), 2);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM sqlite_master"
			  " WHERE name IN ('events', 'cursors')"), 0);

	UT_EQ_INT(store_open(&f->st, f->dir), 0);
	/* every later step runs too (4 when this test was written) */
	UT_ASSERT(sqlite_schema_version() >= 4);
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"), sqlite_schema_version());
	/* migration 6: the old calls are billed to no account */
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM cdr WHERE account = ''"), 1);
	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nteam, 1);
	UT_EQ_STR(s.teams[0].name, "old");
	UT_EQ_INT(s.nagent + s.nexten + s.nreg + s.ntrunk + s.nsetting, 5);
	UT_EQ_INT(store_cdr_get(f->st, "efeb7b374a3408b0d0954f3000000001",
				&got), 0);
	UT_EQ_INT(got.team_id, 1);
	UT_EQ_INT(store_counter_next(f->st, "uniqueid", &v), 0);
	UT_EQ_INT(v, 42);

	/* the new tables work on the old rows */
	UT_EQ_INT(store_event_last(f->st, 1, &v), 0);
	UT_EQ_INT(v, 0);
	UT_EQ_INT(add_event(f->st, 1, 1, 1000, "8001", ""), 0);
	UT_EQ_INT(store_cursor_set(f->st, 1, "webhook", 1), 0);
	UT_EQ_INT(reopen(f), 0);      /* and step 3 is not run again */
	UT_EQ_STR(visit_ids(f->st, &es, 1, 0, "8001", 0, &err), "1");
	UT_EQ_INT(store_cursor_get(f->st, 1, "webhook", &v), 0);
	UT_EQ_INT(v, 1);
}

UNIT_TEST(store_migration_v2_to_v3_keeps_rows)
{
	fx_run(unit_failed_, body_migrate_v2);
}

/* A version-6 file's calls gain the inbound columns (migration 7), empty,
 * and new calls fill them. */
static void body_migrate_v6(int *unit_failed_, struct fx *f)
{
	char path[128];
	struct st_cdr got;
	sqlite3 *db = NULL;

	UT_SKIP_IF(unit_pg(), "SQLite files of old versions");

	f->st = mem_deref(f->st);
	rm_dir(f->dir);
	UT_ASSERT(mkdir(f->dir, 0700) == 0);
	snprintf(path, sizeof(path), "%s/occ.db", f->dir);
	UT_EQ_INT(sqlite3_open(path, &db), SQLITE_OK);
	UT_EQ_INT(sqlite_schema_migrate_to(db, 6), 0);
	UT_EQ_INT(sqlite3_exec(db,
		"PRAGMA journal_mode = WAL;"
		"INSERT INTO teams (id, name) VALUES (1, 'old');"
		"INSERT INTO cdr (sessionid, team_id, agent, direction, caller,"
		" callee, calldate, start_ms, answer_ms, end_ms, disposition,"
		" vars, account) VALUES ('efeb7b374a3408b0d0954f3000000001', 1,"
		" '8005', 'in', '13800000003', '800400', '2026-12-01', 1000,"
		" 4000, 9000, 'ANSWERED', 'ivrpath=did%3A800400', '');",
		NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"), 6);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM pragma_table_info('cdr')"
			  " WHERE name = 'queue_wait_ms'"), 0);

	UT_EQ_INT(store_open(&f->st, f->dir), 0);
	UT_ASSERT(sqlite_schema_version() >= 7);
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"), sqlite_schema_version());
	UT_EQ_INT(store_cdr_get(f->st, "efeb7b374a3408b0d0954f3000000001",
				&got), 0);
	UT_EQ_STR(got.agent, "8005");
	UT_EQ_STR(got.disposition, "ANSWERED");
	UT_EQ_STR(got.vars, "ivrpath=did%3A800400");   /* left where it was */
	UT_EQ_STR(got.queue, "");
	UT_EQ_INT(got.queue_wait_ms, 0);
	UT_ASSERT(!got.abandoned);
	UT_EQ_STR(got.ivrpath, "");
	/* the old row takes the new columns */
	snprintf(got.queue, sizeof(got.queue), "6002");
	got.queue_wait_ms = 3000;
	UT_EQ_INT(store_cdr_end(f->st, &got), 0);
	UT_EQ_INT(reopen(f), 0);
	UT_EQ_INT(raw_int(f, "SELECT queue_wait_ms FROM cdr WHERE queue ="
			  " '6002'"), 3000);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM cdr"
			  " WHERE abandoned NOT IN (0, 1)"), 0);
}

UNIT_TEST(store_migration_v6_to_v7_inbound_cdr_columns)
{
	fx_run(unit_failed_, body_migrate_v6);
}

/* ---- provision.c ---- */

UNIT_TEST(provision_exten_ha1)
{
	char ha1[ST_HA1], big[600];

	/* the digest usernames 8001, 8001@demo and demo/8001, realm demo */
	UT_EQ_INT(exten_ha1(ha1, "8001", "demo", "8001"), 0);
	UT_EQ_STR(ha1, "374801a21ae1b4ef1886ab321d605790 1c5e7847be2fd9d67906c4af7138f252 fe9912c76740572e59b0dd6cf2963c89");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	UT_EQ_INT(exten_ha1(ha1, "8001", "demo", big), EINVAL);
}

static const struct st_agent *snap_agent(const struct snap *s, int64_t team,
					 const char *num)
{
	for (unsigned i = 0; i < s->nagent; i++) {
		if (s->agents[i].team_id == team &&
		    !strcmp(s->agents[i].number, num))
			return &s->agents[i];
	}
	return NULL;
}

static void body_demo(int *unit_failed_, struct fx *f)
{
	const struct st_agent *a;
	struct snap s;
	char md5[MD5HEX_LEN], ha1[ST_HA1];
	bool empty = false;
	int leaders = 0, dynamic = 0;

	UT_EQ_INT(pwhash_init(), 0);
	pwhash_set_cost(1, 8);
	UT_EQ_INT(provision_is_empty(f->st, &empty), 0);
	UT_ASSERT(empty);
	UT_EQ_INT(provision_demo(f->st), 0);
	UT_EQ_INT(provision_is_empty(f->st, &empty), 0);
	UT_ASSERT(!empty);
	UT_EQ_INT(provision_demo(f->st), EEXIST);

	UT_EQ_INT(snap_load(f->st, &s), 0);
	UT_EQ_INT(s.nteam, 2);
	UT_EQ_STR(s.teams[0].name, "demo");
	UT_EQ_STR(s.teams[1].name, "acme");
	UT_EQ_INT(s.nacc, 1);
	UT_EQ_STR(s.accounts[0].name, "admin");
	UT_ASSERT(s.accounts[0].enabled);
	UT_EQ_STR(s.accounts[0].agent, "");
	md5_hex_of(md5, "admin");
	UT_ASSERT(pwhash_verify(s.accounts[0].pwhash, md5));
	UT_EQ_INT(s.nagent, 7);
	a = snap_agent(&s, s.teams[0].id, "8004");
	UT_ASSERT(a != NULL);
	UT_EQ_STR(a->name, "Agent 8004");
	UT_EQ_STR(a->exten, "8004");
	UT_EQ_INT(a->account_id, s.accounts[0].id);
	md5_hex_of(md5, "8004");
	UT_ASSERT(pwhash_verify(a->pwhash, md5));
	a = snap_agent(&s, s.teams[1].id, "9001");
	UT_ASSERT(a != NULL);
	UT_EQ_INT(a->account_id, 0);

	/* 8001-8006 and 9001 SIP, 8101-8106 and 9101 built-in phones */
	UT_EQ_INT(s.nexten, 14);
	UT_EQ_INT(exten_ha1(ha1, "9001", "acme", "9001"), 0);
	UT_EQ_STR(s.extens[6].ha1, ha1);
	UT_EQ_STR(s.extens[6].kind, "sip");
	UT_EQ_STR(s.extens[7].number, "8101");
	UT_EQ_STR(s.extens[7].kind, "virtual");
	UT_EQ_STR(s.extens[13].number, "9101");

	UT_EQ_INT(s.ngroup, 3);
	UT_EQ_STR(s.groups[0].name, "Sales");
	UT_EQ_STR(s.groups[0].queue, "6001");
	UT_EQ_INT(s.groups[0].acw_mode, 3);
	UT_EQ_INT(s.groups[0].work_mode, 0);
	UT_EQ_STR(s.groups[1].queue, "6002");
	UT_EQ_INT(s.groups[2].id, 3);
	UT_EQ_INT(s.groups[2].team_id, s.teams[1].id);
	UT_EQ_INT(s.nmember, 8);
	for (unsigned i = 0; i < s.nmember; i++) {
		leaders += s.members[i].leader;
		dynamic += s.members[i].dynamic;
		UT_ASSERT(s.members[i].dynamic == (s.members[i].group_id == 2));
	}
	UT_EQ_INT(leaders, 3);
	UT_EQ_INT(dynamic, 4);
}

UNIT_TEST(provision_demo_rows)
{
	fx_run(unit_failed_, body_demo);
}
