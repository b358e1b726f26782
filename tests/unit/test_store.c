/*
 * test_store.c — the store API against real SQLite files in a mkdtemp
 * directory: every kind of row, unique keys, cascades, runtime state across
 * a reopen, the state-log window, migrations, and the demo data set
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

/* Run body on a fresh store; always clean up. */
static void fx_run(int *unit_failed_, fx_body *body)
{
	struct fx f = { .root = "/tmp/occ-store-XXXXXX" };

	UT_ASSERT(mkdtemp(f.root) != NULL);
	snprintf(f.dir, sizeof(f.dir), "%s/data", f.root);
	if (store_open(&f.st, f.dir) == 0)
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
	return store_open(&f->st, f->dir);
}

/* Run one SQL statement on the file behind the store's back. */
static int raw_sql(const struct fx *f, const char *sql)
{
	char path[128];
	sqlite3 *db;
	int rc;

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
	unsigned nteam, nacc, nagent, ngroup, nmember, nexten, nstate;
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

static void on_state(const struct st_agent_state *a, void *arg)
{
	struct snap *s = arg;
	seen(s, 7);
	SNAP_ADD(s->states, s->nstate, a);
}

static const struct store_visitor snap_visitor = {
	.team = on_team, .account = on_account, .agent = on_agent,
	.group = on_group, .member = on_member, .exten = on_exten,
	.agent_state = on_state,
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
			      .work_mode = 1 };

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

/* ---- tests ---- */

static void body_open(int *unit_failed_, struct fx *f)
{
	struct stat sb;

	UT_ASSERT(stat(f->dir, &sb) == 0);
	UT_EQ_INT(sb.st_mode & 0777, 0700);
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"), sqlite_schema_version());
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
	g.id = -1;
	UT_EQ_INT(store_group_add(f->st, &g), EINVAL);

	e.team_id = team;
	snprintf(e.number, sizeof(e.number), "1");
	snprintf(e.kind, sizeof(e.kind), "sip");
	snprintf(e.ha1, sizeof(e.ha1), "secret");
	UT_EQ_INT(store_exten_add(f->st, &e), EINVAL);
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

	UT_EQ_INT(store_team_add(f->st, "t1", &t1), 0);
	UT_EQ_INT(store_team_add(f->st, "t2", &t2), 0);
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

	UT_EQ_INT(store_team_add(f->st, "t1", &t1), 0);
	UT_EQ_INT(store_team_add(f->st, "t2", &t2), 0);
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

	UT_EQ_INT(store_team_add(f->st, "t1", &t1), 0);
	UT_EQ_INT(store_team_add(f->st, "t2", &t2), 0);
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

	UT_EQ_INT(store_team_add(f->st, "t1", &t1), 0);
	UT_EQ_INT(store_team_add(f->st, "t2", &t2), 0);
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
	char ha1[40];
	int64_t t1, t2;

	UT_EQ_INT(store_team_add(f->st, "t1", &t1), 0);
	UT_EQ_INT(store_team_add(f->st, "t2", &t2), 0);
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
				    .state = state, .since_ms = since };

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
	UT_EQ_INT(s.kind, 7);
	UT_EQ_INT(s.nteam, 2);
	UT_EQ_INT(s.nacc, 3);
	UT_EQ_INT(s.nagent, 2);
	UT_EQ_INT(s.nstate, 1);

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
	UT_EQ_INT(store_open(&f->st, f->dir), 0);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM sqlite_master"
			  " WHERE name = 'state_log'"), 0);
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"), sqlite_schema_version());
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
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
		 sqlite_schema_version() + 1);
	UT_EQ_INT(raw_sql(f, sql), SQLITE_OK);
	UT_EQ_INT(store_open(&f->st, f->dir), ENOTSUP);
	UT_ASSERT(f->st == NULL);
	/* refused, and untouched */
	UT_EQ_INT(raw_int(f, "PRAGMA user_version"),
		  sqlite_schema_version() + 1);
	UT_EQ_INT(raw_int(f, "SELECT count(*) FROM teams"), 1);
}

UNIT_TEST(store_refuses_newer_schema)
{
	fx_run(unit_failed_, body_newer_refused);
}

/* ---- provision.c ---- */

UNIT_TEST(provision_exten_ha1)
{
	char ha1[40], big[600];

	UT_EQ_INT(exten_ha1(ha1, "8001", "demo", "8001"), 0);
	UT_EQ_STR(ha1, "374801a21ae1b4ef1886ab321d605790");
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
	char md5[MD5HEX_LEN], ha1[40];
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

	UT_EQ_INT(s.nexten, 7);
	UT_EQ_INT(exten_ha1(ha1, "9001", "acme", "9001"), 0);
	UT_EQ_STR(s.extens[6].ha1, ha1);
	UT_EQ_STR(s.extens[6].kind, "sip");

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
