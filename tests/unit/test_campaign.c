/*
 * test_campaign.c — campaigns, package columns, customers and pre-dial
 * lists in the store (store.h), against a real SQLite file in a mkdtemp
 * directory (or PostgreSQL with OCC_PG_CONNINFO set, tests/pg/run.sh): keys and their conflicts, argument checks, a deleted
 * campaign's customers becoming unassigned, team cascades, the pending
 * number rule of a pre-dial list and its order, what the dialer takes
 * from it, do-not-call lists, a customer by id, and a reopen.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "unit.h"
#include "base/record.h"
#include "core/provision.h"
#include "core/pwhash.h"
#include "store/store.h"

struct cfx {
	char root[64];
	char dir[96];
	struct store *st;
	int64_t team, team2;
};

static void cfx_close(struct cfx *f)
{
	static const char *const files[] = { "occ.db", "occ.db-wal",
					     "occ.db-shm" };
	char p[160];

	f->st = mem_deref(f->st);
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, files[i]);
		unlink(p);
	}
	rmdir(f->dir);
	rmdir(f->root);
}

static int cfx_open(struct cfx *f)
{
	memset(f, 0, sizeof(*f));
	strcpy(f->root, "/tmp/occ-camp-XXXXXX");
	if (!mkdtemp(f->root))
		return errno;
	snprintf(f->dir, sizeof(f->dir), "%s/data", f->root);
	return unit_store_open(&f->st, f->dir, true) ||
		store_team_add(f->st, "demo", &f->team) ||
		store_team_add(f->st, "acme", &f->team2);
}

static void campaign_make(struct st_campaign *c, int64_t team, int64_t id)
{
	memset(c, 0, sizeof(*c));
	c->team_id = team;
	c->id = id;
	re_snprintf(c->name, sizeof(c->name), "campaign %lld", (long long)id);
	c->group_id = 1;
	strcpy(c->dial_mode, "progressive");
	strcpy(c->state, "stopped");
	strcpy(c->profile, "none");
	c->window_end = 1440;
	strcpy(c->key_column, "phone1");
}

struct seen {
	int n;
	char names[8][ST_NAME];
	int64_t ids[8];
};

static void on_campaign(const struct st_campaign *c, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		str_ncpy(s->names[s->n], c->name, ST_NAME);
		s->ids[s->n] = c->id;
	}
	s->n++;
}

static void on_column(const struct st_column *c, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		str_ncpy(s->names[s->n], c->name, ST_NAME);
	s->n++;
}

static void on_customer(const struct st_customer *cu, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		str_ncpy(s->names[s->n], cu->key, ST_NAME);
		s->ids[s->n] = cu->id;
	}
	s->n++;
}

static void on_dial(const struct st_dial *d, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		str_ncpy(s->names[s->n], d->number, ST_NAME);
		s->ids[s->n] = d->priority;
	}
	s->n++;
}

UNIT_TEST(campaign_store_campaigns)
{
	struct cfx f;
	struct st_campaign c, g;
	struct seen s = { 0 };

	UT_ASSERT(cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	UT_EQ_INT(store_campaign_add(f.st, &c), EEXIST);
	/* the same id in another team is another campaign */
	campaign_make(&c, f.team2, 10);
	strcpy(c.name, "acme ten");
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	campaign_make(&c, f.team, 3);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	/* no such team */
	campaign_make(&c, f.team2 + 100, 1);
	UT_EQ_INT(store_campaign_add(f.st, &c), ENOENT);
	/* bad words and ranges never reach the database */
	campaign_make(&c, f.team, 11);
	strcpy(c.dial_mode, "robot");
	UT_EQ_INT(store_campaign_add(f.st, &c), EINVAL);
	campaign_make(&c, f.team, 11);
	strcpy(c.profile, "fr");
	UT_EQ_INT(store_campaign_add(f.st, &c), EINVAL);
	campaign_make(&c, f.team, 11);
	c.window_end = 1441;
	UT_EQ_INT(store_campaign_add(f.st, &c), EINVAL);
	campaign_make(&c, f.team, 11);
	strcpy(c.callerid, "12a");
	UT_EQ_INT(store_campaign_add(f.st, &c), EINVAL);
	campaign_make(&c, f.team, 11);
	strcpy(c.key_column, "phone one");
	UT_EQ_INT(store_campaign_add(f.st, &c), EINVAL);
	campaign_make(&c, f.team, 0);
	UT_EQ_INT(store_campaign_add(f.st, &c), EINVAL);

	UT_EQ_INT(store_campaign_get(f.st, f.team, 10, &g), 0);
	UT_EQ_STR(g.name, "campaign 10");
	UT_EQ_STR(g.dial_mode, "progressive");
	UT_EQ_STR(g.state, "stopped");
	UT_EQ_STR(g.profile, "none");
	UT_EQ_INT(g.window_end, 1440);
	UT_EQ_STR(g.key_column, "phone1");
	UT_EQ_INT(store_campaign_get(f.st, f.team2, 10, &g), 0);
	UT_EQ_STR(g.name, "acme ten");
	UT_EQ_INT(store_campaign_get(f.st, f.team, 99, &g), ENOENT);

	UT_EQ_INT(store_campaign_set_state(f.st, f.team, 10, "running"), 0);
	UT_EQ_INT(store_campaign_set_state(f.st, f.team, 10, "flying"), EINVAL);
	UT_EQ_INT(store_campaign_set_state(f.st, f.team, 99, "paused"), ENOENT);
	UT_EQ_INT(store_campaign_get(f.st, f.team, 10, &g), 0);
	UT_EQ_STR(g.state, "running");
	UT_EQ_INT(store_campaign_get(f.st, f.team2, 10, &g), 0);
	UT_EQ_STR(g.state, "stopped");

	UT_EQ_INT(store_campaign_visit(f.st, f.team, on_campaign, &s), 0);
	UT_EQ_INT(s.n, 2);
	UT_EQ_INT(s.ids[0], 3);
	UT_EQ_INT(s.ids[1], 10);

	/* survives a reopen */
	f.st = mem_deref(f.st);
	UT_EQ_INT(unit_store_open(&f.st, f.dir, false), 0);
	UT_EQ_INT(store_campaign_get(f.st, f.team, 10, &g), 0);
	UT_EQ_STR(g.state, "running");
	UT_EQ_INT(store_campaign_del(f.st, f.team, 10), 0);
	UT_EQ_INT(store_campaign_del(f.st, f.team, 10), ENOENT);
	/* the team's going takes its campaigns along */
	UT_EQ_INT(store_team_del(f.st, "acme"), 0);
	s.n = 0;
	UT_EQ_INT(store_campaign_visit(f.st, f.team2, on_campaign, &s), 0);
	UT_EQ_INT(s.n, 0);
	cfx_close(&f);
}

UNIT_TEST(campaign_store_columns)
{
	struct cfx f;
	struct st_campaign c;
	struct st_column col = { 0 };
	struct seen s = { 0 };

	UT_ASSERT(cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	col.team_id = f.team;
	col.campaign_id = 10;
	col.pos = 2;
	strcpy(col.name, "phone1");
	strcpy(col.display, "电话号码一");
	UT_EQ_INT(store_column_add(f.st, &col), 0);
	UT_EQ_INT(store_column_add(f.st, &col), EEXIST);
	col.pos = 1;
	strcpy(col.name, "name");
	UT_EQ_INT(store_column_add(f.st, &col), EEXIST);  /* display taken */
	strcpy(col.display, "姓名");
	UT_EQ_INT(store_column_add(f.st, &col), 0);
	strcpy(col.name, "bad name");
	strcpy(col.display, "x");
	UT_EQ_INT(store_column_add(f.st, &col), EINVAL);
	strcpy(col.name, "x");
	strcpy(col.display, "a=b");
	UT_EQ_INT(store_column_add(f.st, &col), EINVAL);
	strcpy(col.display, "a||b");
	UT_EQ_INT(store_column_add(f.st, &col), EINVAL);
	col.campaign_id = 99;
	strcpy(col.display, "x");
	UT_EQ_INT(store_column_add(f.st, &col), ENOENT);

	UT_EQ_INT(store_column_visit(f.st, f.team, 10, on_column, &s), 0);
	UT_EQ_INT(s.n, 2);
	UT_EQ_STR(s.names[0], "name");
	UT_EQ_STR(s.names[1], "phone1");
	UT_EQ_INT(store_column_del(f.st, f.team, 10, "name"), 0);
	UT_EQ_INT(store_column_del(f.st, f.team, 10, "name"), ENOENT);
	/* the campaign's going takes its columns along */
	UT_EQ_INT(store_campaign_del(f.st, f.team, 10), 0);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	s.n = 0;
	UT_EQ_INT(store_column_visit(f.st, f.team, 10, on_column, &s), 0);
	UT_EQ_INT(s.n, 0);
	cfx_close(&f);
}

static void customer_make(struct st_customer *cu, int64_t team,
			  int64_t campaign, const char *key)
{
	memset(cu, 0, sizeof(*cu));
	cu->team_id = team;
	cu->campaign_id = campaign;
	str_ncpy(cu->key, key, sizeof(cu->key));
	re_snprintf(cu->data, sizeof(cu->data), "phone1=%s&name=A", key);
	cu->updated_ms = 1000;
}

UNIT_TEST(campaign_store_customers)
{
	struct cfx f;
	struct st_campaign c;
	struct st_customer *cu = mem_zalloc(sizeof(*cu), NULL);
	struct st_customer *g = mem_zalloc(sizeof(*g), NULL);
	struct seen s = { 0 };
	int64_t id = 0, id2 = 0;

	UT_ASSERT(cu && g && cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	campaign_make(&c, f.team, 20);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);

	customer_make(cu, f.team, 10, "13800000001");
	UT_EQ_INT(store_customer_add(f.st, cu, &id), 0);
	UT_ASSERT(id > 0);
	/* the key is unique over the team's packages */
	customer_make(cu, f.team, 20, "13800000001");
	UT_EQ_INT(store_customer_add(f.st, cu, NULL), EEXIST);
	/* but not across teams */
	customer_make(cu, f.team2, 0, "13800000001");
	UT_EQ_INT(store_customer_add(f.st, cu, NULL), 0);
	/* a package must be a campaign of the team */
	customer_make(cu, f.team2, 10, "13800000002");
	UT_EQ_INT(store_customer_add(f.st, cu, NULL), ENOENT);
	customer_make(cu, f.team, 20, "13800000002");
	cu->status = 4;
	UT_EQ_INT(store_customer_add(f.st, cu, NULL), EINVAL);
	cu->status = ST_CUST_SUCCESS;
	strcpy(cu->owner, "8001");
	UT_EQ_INT(store_customer_add(f.st, cu, &id2), 0);

	UT_EQ_INT(store_customer_get(f.st, f.team, "13800000002", g), 0);
	UT_EQ_INT(g->id, id2);
	UT_EQ_INT(g->campaign_id, 20);
	UT_EQ_INT(g->status, ST_CUST_SUCCESS);
	UT_EQ_STR(g->owner, "8001");
	UT_EQ_STR(g->data, "phone1=13800000002&name=A");
	UT_EQ_INT(store_customer_get(f.st, f.team, "nope", g), ENOENT);

	/* update: move to 10, clear the owner, reset the status */
	g->campaign_id = 10;
	g->owner[0] = '\0';
	g->status = ST_CUST_NEW;
	strcpy(g->data, "phone1=13800000002&name=B");
	UT_EQ_INT(store_customer_update(f.st, g), 0);
	g->campaign_id = 99;
	UT_EQ_INT(store_customer_update(f.st, g), ENOENT);
	UT_EQ_INT(store_customer_get(f.st, f.team, "13800000002", cu), 0);
	UT_EQ_INT(cu->campaign_id, 10);
	UT_EQ_STR(cu->owner, "");
	UT_EQ_STR(cu->data, "phone1=13800000002&name=B");
	UT_EQ_INT(store_customer_visit(f.st, f.team, 10, on_customer, &s), 0);
	UT_EQ_INT(s.n, 2);
	UT_EQ_STR(s.names[0], "13800000001");

	/* a deleted campaign's customers are unassigned, not lost */
	UT_EQ_INT(store_campaign_del(f.st, f.team, 10), 0);
	s.n = 0;
	UT_EQ_INT(store_customer_visit(f.st, f.team, 0, on_customer, &s), 0);
	UT_EQ_INT(s.n, 2);
	UT_EQ_INT(store_customer_get(f.st, f.team, "13800000001", cu), 0);
	UT_EQ_INT(cu->campaign_id, 0);
	cfx_close(&f);
	mem_deref(cu);
	mem_deref(g);
}

UNIT_TEST(campaign_store_dial_list)
{
	struct cfx f;
	struct st_campaign c;
	struct st_dial d = { 0 };
	struct seen s = { 0 };
	int64_t id = 0;

	UT_ASSERT(cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	d.team_id = f.team;
	d.campaign_id = 10;
	d.added_ms = 5;
	strcpy(d.number, "13800000001");
	UT_EQ_INT(store_dial_add(f.st, &d, &id), 0);
	UT_ASSERT(id > 0);
	/* a number waits once per campaign */
	UT_EQ_INT(store_dial_add(f.st, &d, NULL), EEXIST);
	/* once dialled it may be listed again */
	strcpy(d.last_result, "busy");
	d.attempts = 1;
	UT_EQ_INT(store_dial_add(f.st, &d, NULL), 0);
	d.last_result[0] = '\0';
	d.attempts = 0;
	strcpy(d.number, "13800000002");
	d.priority = 5;
	UT_EQ_INT(store_dial_add(f.st, &d, NULL), 0);
	strcpy(d.number, "1380000000x");
	UT_EQ_INT(store_dial_add(f.st, &d, NULL), EINVAL);
	strcpy(d.number, "13800000003");
	d.campaign_id = 11;
	UT_EQ_INT(store_dial_add(f.st, &d, NULL), ENOENT);
	d.team_id = f.team2;
	d.campaign_id = 10;
	UT_EQ_INT(store_dial_add(f.st, &d, NULL), ENOENT);

	UT_EQ_INT(store_dial_visit(f.st, f.team, 10, on_dial, &s), 0);
	UT_EQ_INT(s.n, 3);
	UT_EQ_STR(s.names[0], "13800000002");   /* priority first */
	UT_EQ_INT(s.ids[0], 5);
	/* the campaign's going takes its list along */
	UT_EQ_INT(store_campaign_del(f.st, f.team, 10), 0);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	s.n = 0;
	UT_EQ_INT(store_dial_visit(f.st, f.team, 10, on_dial, &s), 0);
	UT_EQ_INT(s.n, 0);
	cfx_close(&f);
}

/* ---- what the dialer takes (store_dial_take) ---- */

/* A pre-dial row: a retry (a result given) has had two attempts. */
struct dial_row {
	const char *number;
	int priority;
	int64_t dial_ms;
	const char *result;
};

static int dial_put(struct cfx *f, int64_t team, int64_t campaign,
		    const struct dial_row *r, int64_t customer_id,
		    int64_t *idp)
{
	struct st_dial d = {
		.team_id = team, .campaign_id = campaign,
		.customer_id = customer_id, .priority = r->priority,
		.dial_ms = r->dial_ms, .attempts = *r->result ? 2 : 0,
		.added_ms = 7,
	};

	str_ncpy(d.number, r->number, sizeof(d.number));
	str_ncpy(d.last_result, r->result, sizeof(d.last_result));
	return store_dial_add(f->st, &d, idp);
}

static void on_dialing(const struct st_dial *d, void *arg)
{
	if (!strcmp(d->last_result, "dialing"))
		(*(int *)arg)++;
}

/* The due rows of one campaign of one team, by priority (high first),
 * dial time and id, each once and as it was before the take (its
 * attempts and last result: the dialer's rules look at them). */
UNIT_TEST(campaign_store_dial_take)
{
	static const struct dial_row rows[] = {
		{ "1001", 0, 0, "" },
		{ "1002", 5, 200, "" },
		{ "1003", 5, 100, "" },
		{ "1004", 0, 0, "" },
		{ "1005", 9, 5000, "" },            /* not yet due */
		{ "1006", 1, INT64_MAX, "dnc" },    /* never again */
		{ "1007", 0, 50, "busy" },          /* a retry, due */
		{ "1008", 7, 0, "dialing" },        /* being dialled */
	};
	static const char *const order[] = { "1003", "1002", "1001", "1004",
					     "1007" };
	static const struct dial_row other = { "2001", 10, 0, "" };
	struct cfx f;
	struct st_campaign c;
	struct st_customer *cu = mem_zalloc(sizeof(*cu), NULL);
	struct st_dial got[ARRAY_SIZE(order)], d;
	int64_t id[ARRAY_SIZE(rows)], cid = 0;
	int dialing = 0;

	UT_ASSERT(cu && cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	campaign_make(&c, f.team, 11);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	campaign_make(&c, f.team2, 10);     /* acme's 10: another campaign */
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	customer_make(cu, f.team, 10, "1001");
	UT_EQ_INT(store_customer_add(f.st, cu, &cid), 0);
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		UT_EQ_INT(dial_put(&f, f.team, 10, &rows[i], i ? 0 : cid,
				   &id[i]), 0);
	UT_EQ_INT(dial_put(&f, f.team, 11, &other, 0, NULL), 0);
	UT_EQ_INT(dial_put(&f, f.team2, 10, &other, 0, NULL), 0);

	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		UT_EQ_INT(store_dial_take(f.st, f.team, 10, 1000, &got[i]), 0);
		UT_EQ_STR(got[i].number, order[i]);
		UT_EQ_INT(got[i].team_id, f.team);
		UT_EQ_INT(got[i].campaign_id, 10);
	}
	UT_EQ_INT(store_dial_take(f.st, f.team, 10, 1000, &d), ENOENT);
	/* the whole row, as it was */
	UT_EQ_INT(got[0].id, id[2]);
	UT_EQ_INT(got[0].priority, 5);
	UT_EQ_INT(got[0].dial_ms, 100);
	UT_EQ_INT(got[0].added_ms, 7);
	UT_EQ_STR(got[0].last_result, "");
	UT_EQ_INT(got[0].customer_id, 0);
	UT_EQ_INT(got[2].id, id[0]);
	UT_EQ_INT(got[2].customer_id, cid);
	UT_EQ_INT(got[4].id, id[6]);
	UT_EQ_STR(got[4].last_result, "busy");
	UT_EQ_INT(got[4].attempts, 2);
	/* taken rows read "dialing" until their result */
	UT_EQ_INT(store_dial_visit(f.st, f.team, 10, on_dialing, &dialing), 0);
	UT_EQ_INT(dialing, 6);

	/* due later: at its time; "never" not even then */
	UT_EQ_INT(store_dial_take(f.st, f.team, 10, 4999, &d), ENOENT);
	UT_EQ_INT(store_dial_take(f.st, f.team, 10, 5000, &d), 0);
	UT_EQ_STR(d.number, "1005");
	UT_EQ_INT(store_dial_take(f.st, f.team, 10, INT64_MAX - 1, &d),
		  ENOENT);
	/* a result puts a row back, due at its next try */
	UT_EQ_INT(store_dial_result(f.st, f.team, got[0].id, 1, "busy", 6000),
		  0);
	UT_EQ_INT(store_dial_take(f.st, f.team, 10, 5999, &d), ENOENT);
	UT_EQ_INT(store_dial_take(f.st, f.team, 10, 6000, &d), 0);
	UT_EQ_INT(d.id, got[0].id);
	UT_EQ_STR(d.last_result, "busy");
	UT_EQ_INT(d.attempts, 1);

	/* the other campaign's row and the other team's were left alone;
	 * acme has no campaign 11, demo's 11 is not its */
	UT_EQ_INT(store_dial_take(f.st, f.team2, 11, 1000, &d), ENOENT);
	UT_EQ_INT(store_dial_take(f.st, f.team, 11, 1000, &d), 0);
	UT_EQ_STR(d.number, "2001");
	UT_EQ_INT(d.campaign_id, 11);
	UT_EQ_INT(store_dial_take(f.st, f.team2, 10, 1000, &d), 0);
	UT_EQ_STR(d.number, "2001");
	UT_EQ_INT(d.team_id, f.team2);
	UT_EQ_INT(store_dial_take(f.st, f.team2, 10, 1000, &d), ENOENT);
	UT_EQ_INT(store_dial_take(f.st, f.team, 99, 1000, &d), ENOENT);
	UT_EQ_INT(store_dial_take(f.st, f.team, 0, 1000, &d), EINVAL);
	cfx_close(&f);
	mem_deref(cu);
}

/* Two stores on one database (two occd, or occd restarted beside a
 * stale one) never take the same row. */
UNIT_TEST(campaign_store_dial_take_two_stores)
{
	enum { N = 6 };
	struct cfx f;
	struct st_campaign c;
	struct store *st2 = NULL;
	struct st_dial d;
	int64_t ids[N];
	char number[ST_NUM];

	UT_ASSERT(cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	for (int i = 0; i < N; i++) {
		struct dial_row r = { number, 0, 0, "" };

		re_snprintf(number, sizeof(number), "100%d", i);
		UT_EQ_INT(dial_put(&f, f.team, 10, &r, 0, NULL), 0);
	}
	UT_EQ_INT(unit_store_open(&st2, f.dir, false), 0);
	for (int i = 0; i < N; i++) {
		UT_EQ_INT(store_dial_take(i % 2 ? st2 : f.st, f.team, 10, 1,
					  &d), 0);
		ids[i] = d.id;
		for (int k = 0; k < i; k++)
			UT_ASSERT(ids[k] != d.id);
	}
	UT_EQ_INT(store_dial_take(f.st, f.team, 10, 1, &d), ENOENT);
	UT_EQ_INT(store_dial_take(st2, f.team, 10, 1, &d), ENOENT);
	mem_deref(st2);
	cfx_close(&f);
}

static void on_report(const struct st_import_report *r, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8) {
		str_ncpy(s->names[s->n], r->state, ST_NAME);
		s->ids[s->n++] = r->id;
	}
}

UNIT_TEST(campaign_store_import_reports)
{
	struct cfx f;
	struct st_campaign c;
	struct st_import_report *r = mem_zalloc(sizeof(*r), NULL);
	struct seen s = { 0 };
	int64_t id1 = 0, id2 = 0;

	UT_ASSERT(r && cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	r->team_id = f.team;
	r->campaign_id = 10;
	strcpy(r->url, "http://h/a.csv");
	strcpy(r->state, "running");
	UT_EQ_INT(store_import_report_put(f.st, r, &id1), 0);
	strcpy(r->state, "queued");
	r->exe_ms = 99;
	strcpy(r->request, "model_id=10");
	UT_EQ_INT(store_import_report_put(f.st, r, &id2), 0);
	UT_ASSERT(id1 > 0 && id2 > id1);
	/* an update keeps the id, replaces state, counts and request */
	r->id = id1;
	strcpy(r->state, "done");
	r->rows = 7;
	strcpy(r->counts, "84=7");
	r->request[0] = '\0';
	UT_EQ_INT(store_import_report_put(f.st, r, NULL), 0);
	UT_EQ_INT(store_import_report_visit(f.st, f.team, 10, on_report, &s),
		  0);
	UT_EQ_INT(s.n, 2);
	UT_EQ_INT(s.ids[0], id2);               /* newest first */
	UT_EQ_STR(s.names[0], "queued");
	UT_EQ_STR(s.names[1], "done");
	/* another team's reports are apart; team 0: every team's */
	s.n = 0;
	UT_EQ_INT(store_import_report_visit(f.st, f.team2, 0, on_report, &s),
		  0);
	UT_EQ_INT(s.n, 0);
	UT_EQ_INT(store_import_report_visit(f.st, 0, 0, on_report, &s), 0);
	UT_EQ_INT(s.n, 2);
	/* no such campaign; an update of another team's report */
	r->id = 0;
	r->campaign_id = 11;
	UT_ASSERT(store_import_report_put(f.st, r, NULL) != 0);
	r->id = id1;
	r->campaign_id = 10;
	r->team_id = f.team2;
	UT_EQ_INT(store_import_report_put(f.st, r, NULL), ENOENT);
	/* the campaign's going takes its reports along */
	UT_EQ_INT(store_campaign_del(f.st, f.team, 10), 0);
	s.n = 0;
	UT_EQ_INT(store_import_report_visit(f.st, f.team, 0, on_report, &s),
		  0);
	UT_EQ_INT(s.n, 0);
	cfx_close(&f);
	mem_deref(r);
}

/* ---- the inline record of an import (base/record.c) ---- */

UNIT_TEST(campaign_record_parse)
{
	struct record *r = mem_zalloc(sizeof(*r), NULL);
	struct mbuf *mb = mbuf_alloc(64);
	char *big;
	const char *s;

	UT_ASSERT(r && mb);
	s = "姓名=客户 A||phone1=138xxxx88x8";
	UT_EQ_INT(record_parse(r, s, strlen(s)), 0);
	UT_EQ_INT(r->n, 2);
	UT_EQ_STR(r->f[0].name, "姓名");
	UT_EQ_STR(r->f[0].value, "客户 A");
	UT_EQ_STR(r->f[1].name, "phone1");
	UT_EQ_STR(r->f[1].value, "138xxxx88x8");
	/* trimmed; empty segments skipped; '=' in a value kept */
	s = "|| name = B ||||note=a=b||";
	UT_EQ_INT(record_parse(r, s, strlen(s)), 0);
	UT_EQ_INT(r->n, 2);
	UT_EQ_STR(r->f[0].name, "name");
	UT_EQ_STR(r->f[0].value, "B");
	UT_EQ_STR(r->f[1].value, "a=b");
	s = "phone1=";
	UT_EQ_INT(record_parse(r, s, strlen(s)), 0);
	UT_EQ_STR(r->f[0].value, "");
	/* refused */
	UT_EQ_INT(record_parse(r, "", 0), EINVAL);
	UT_EQ_INT(record_parse(r, "||", 2), EINVAL);
	UT_EQ_INT(record_parse(r, "phone1", 6), EINVAL);
	UT_EQ_INT(record_parse(r, " =x", 3), EINVAL);
	UT_EQ_INT(record_parse(r, "a=1||a=2", 8), EINVAL);
	UT_EQ_INT(record_parse(r, "a=1\0b=2", 7), EINVAL);
	/* bounds */
	big = mem_zalloc(REC_MAX_BYTES + 2, NULL);
	UT_ASSERT(big);
	memset(big, 'a', REC_MAX_BYTES + 1);
	UT_EQ_INT(record_parse(r, big, REC_MAX_BYTES + 1), E2BIG);
	big[0] = 'n';
	big[1] = '=';
	UT_EQ_INT(record_parse(r, big, REC_MAX_VALUE + 3), E2BIG);
	UT_EQ_INT(record_parse(r, big, REC_MAX_VALUE + 2), 0);
	memset(big, 'a', REC_MAX_NAME + 1);
	big[REC_MAX_NAME + 1] = '=';
	UT_EQ_INT(record_parse(r, big, REC_MAX_NAME + 2), E2BIG);
	mbuf_reset(mb);
	for (int i = 0; i <= REC_MAX_FIELDS; i++)
		mbuf_printf(mb, "f%d=%d||", i, i);
	UT_EQ_INT(record_parse(r, (char *)mb->buf, mb->end), E2BIG);
	mbuf_reset(mb);
	for (int i = 0; i < REC_MAX_FIELDS; i++)
		mbuf_printf(mb, "f%d=%d||", i, i);
	UT_EQ_INT(record_parse(r, (char *)mb->buf, mb->end), 0);
	UT_EQ_INT(r->n, REC_MAX_FIELDS);
	/* the stored form */
	mbuf_reset(mb);
	UT_EQ_INT(record_encode(mb, "name", "客户 A&b=c"), 0);
	UT_EQ_INT(record_encode(mb, "phone1", "+86 1"), 0);
	UT_EQ_INT(mbuf_write_u8(mb, 0), 0);
	UT_EQ_STR((char *)mb->buf,
		  "name=%E5%AE%A2%E6%88%B7%20A%26b%3Dc&phone1=%2B86%201");
	mem_deref(big);
	mem_deref(mb);
	mem_deref(r);
}

/* ---- the demo's campaign 10 (core/provision.c) ---- */

UNIT_TEST(campaign_demo_campaign_10)
{
	struct cfx f = { 0 };
	struct st_campaign c;
	struct st_team t;
	struct seen s = { 0 };

	strcpy(f.root, "/tmp/occ-camp-XXXXXX");
	UT_ASSERT(mkdtemp(f.root) != NULL);
	snprintf(f.dir, sizeof(f.dir), "%s/data", f.root);
	UT_EQ_INT(unit_store_open(&f.st, f.dir, true), 0);
	UT_EQ_INT(pwhash_init(), 0);
	pwhash_set_cost(1, 8);
	UT_EQ_INT(provision_demo(f.st), 0);
	UT_EQ_INT(store_team_get(f.st, "demo", &t), 0);
	UT_EQ_INT(store_campaign_get(f.st, t.id, 10, &c), 0);
	UT_EQ_INT(c.group_id, 1);
	UT_EQ_STR(c.dial_mode, "progressive");
	UT_EQ_STR(c.state, "stopped");
	UT_EQ_STR(c.profile, "none");
	UT_EQ_INT(c.window_start, 0);
	UT_EQ_INT(c.window_end, 1440);
	UT_EQ_STR(c.key_column, "phone1");
	UT_EQ_INT(store_column_visit(f.st, t.id, 10, on_column, &s), 0);
	UT_EQ_INT(s.n, 2);
	UT_EQ_STR(s.names[0], "name");
	UT_EQ_STR(s.names[1], "phone1");
	UT_EQ_INT(store_team_get(f.st, "acme", &t), 0);
	UT_EQ_INT(store_campaign_get(f.st, t.id, 10, &c), ENOENT);
	cfx_close(&f);
}

/* A campaign's compliance settings round-trip; DNC lists by level. */
UNIT_TEST(campaign_store_settings_and_dnc)
{
	struct cfx f;
	struct st_campaign c, g;
	struct st_dnc d = { .added_ms = 1 };
	bool hit;

	UT_ASSERT(cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	campaign_make(&c, f.team, 11);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	UT_EQ_INT(store_campaign_get(f.st, f.team, 10, &g), 0);
	UT_EQ_STR(g.timezone, "");
	UT_EQ_INT(g.retry_busy + g.retry_noanswer + g.retry_failed, 0);
	UT_EQ_INT(store_campaign_set_state(f.st, f.team, 10, "running"), 0);
	UT_EQ_INT(store_campaign_get(f.st, f.team, 10, &g), 0);
	strcpy(g.timezone, "Asia/Dhaka");
	g.retry_busy = 2;
	g.retry_noanswer = 900;
	g.retry_failed = 60;
	g.max_attempts = 4;
	g.window_start = 540;
	strcpy(g.state, "stopped");    /* not written by campaign_set */
	UT_EQ_INT(store_campaign_set(f.st, &g), 0);
	UT_EQ_INT(store_campaign_get(f.st, f.team, 10, &c), 0);
	UT_EQ_STR(c.timezone, "Asia/Dhaka");
	UT_EQ_STR(c.state, "running");
	UT_EQ_INT(c.retry_busy, 2);
	UT_EQ_INT(c.retry_noanswer, 900);
	UT_EQ_INT(c.retry_failed, 60);
	UT_EQ_INT(c.max_attempts, 4);
	UT_EQ_INT(c.window_start, 540);
	g.max_attempts = 256;
	UT_EQ_INT(store_campaign_set(f.st, &g), EINVAL);
	g.max_attempts = 1;
	strcpy(g.timezone, "../etc/passwd");
	UT_EQ_INT(store_campaign_set(f.st, &g), EINVAL);
	g.timezone[0] = '\0';
	g.id = 99;
	UT_EQ_INT(store_campaign_set(f.st, &g), ENOENT);

	/* system 111, team 222, campaign 10: 333; acme's 444 */
	strcpy(d.number, "111");
	UT_EQ_INT(store_dnc_add(f.st, &d), 0);
	UT_EQ_INT(store_dnc_add(f.st, &d), 0);          /* again: fine */
	d.team_id = f.team;
	strcpy(d.number, "222");
	UT_EQ_INT(store_dnc_add(f.st, &d), 0);
	d.campaign_id = 10;
	strcpy(d.number, "333");
	UT_EQ_INT(store_dnc_add(f.st, &d), 0);
	d.team_id = f.team2;
	d.campaign_id = 0;
	strcpy(d.number, "444");
	UT_EQ_INT(store_dnc_add(f.st, &d), 0);
	strcpy(d.number, "+444");                       /* digits only */
	UT_EQ_INT(store_dnc_add(f.st, &d), EINVAL);
	d.team_id = 0;
	d.campaign_id = 10;                             /* no team */
	strcpy(d.number, "555");
	UT_EQ_INT(store_dnc_add(f.st, &d), EINVAL);

	UT_EQ_INT(store_dnc_match(f.st, f.team, 10, "111", &hit), 0);
	UT_ASSERT(hit);
	UT_EQ_INT(store_dnc_match(f.st, f.team, 10, "222", &hit), 0);
	UT_ASSERT(hit);
	UT_EQ_INT(store_dnc_match(f.st, f.team, 10, "333", &hit), 0);
	UT_ASSERT(hit);
	UT_EQ_INT(store_dnc_match(f.st, f.team, 11, "333", &hit), 0);
	UT_ASSERT(!hit);                                /* another campaign */
	UT_EQ_INT(store_dnc_match(f.st, f.team, 10, "444", &hit), 0);
	UT_ASSERT(!hit);                                /* another team */
	UT_EQ_INT(store_dnc_match(f.st, f.team2, 10, "444", &hit), 0);
	UT_ASSERT(hit);
	UT_EQ_INT(store_dnc_del(f.st, f.team, 0, "222"), 0);
	UT_EQ_INT(store_dnc_del(f.st, f.team, 0, "222"), ENOENT);
	UT_EQ_INT(store_dnc_match(f.st, f.team, 10, "222", &hit), 0);
	UT_ASSERT(!hit);
	/* a removed campaign's list goes with it */
	UT_EQ_INT(store_campaign_del(f.st, f.team, 10), 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	UT_EQ_INT(store_dnc_match(f.st, f.team, 10, "333", &hit), 0);
	UT_ASSERT(!hit);
	cfx_close(&f);
}

/* ---- a do-not-call list as occctl dnc list shows it ---- */

struct dnc_seen {
	int n;
	char numbers[8][ST_NUM];
	int64_t added[8];
	struct st_dnc last;
};

static void on_dnc(const struct st_dnc *d, void *arg)
{
	struct dnc_seen *s = arg;

	if (s->n < 8) {
		str_ncpy(s->numbers[s->n], d->number, ST_NUM);
		s->added[s->n] = d->added_ms;
	}
	s->n++;
	s->last = *d;
}

/* Visit (team, campaign) into s; 0 or the visit's error. */
static int dnc_list(struct cfx *f, int64_t team, int64_t campaign,
		    struct dnc_seen *s)
{
	memset(s, 0, sizeof(*s));
	return store_dnc_visit(f->st, team, campaign, on_dnc, s);
}

/* Does list (team, campaign) hold number alone, as added at added_ms? */
static bool dnc_only(struct cfx *f, int64_t team, int64_t campaign,
		     const char *number, int64_t added_ms)
{
	struct dnc_seen s;

	return !dnc_list(f, team, campaign, &s) && s.n == 1 &&
		!strcmp(s.last.number, number) && s.last.team_id == team &&
		s.last.campaign_id == campaign && s.last.added_ms == added_ms;
}

static int dnc_put(struct cfx *f, int64_t team, int64_t campaign,
		   const char *number, int64_t added_ms)
{
	struct st_dnc d = { .team_id = team, .campaign_id = campaign,
			    .added_ms = added_ms };

	str_ncpy(d.number, number, sizeof(d.number));
	return store_dnc_add(f->st, &d);
}

/* One list only (not the levels a match looks at), by number, each
 * number once with when it was first listed. */
UNIT_TEST(campaign_store_dnc_visit)
{
	struct cfx f;
	struct st_campaign c;
	struct dnc_seen s;

	UT_ASSERT(cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	campaign_make(&c, f.team2, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	UT_EQ_INT(dnc_list(&f, 0, 0, &s), 0);           /* empty: no error */
	UT_EQ_INT(s.n, 0);
	UT_EQ_INT(dnc_put(&f, 0, 0, "5550003", 30), 0);
	UT_EQ_INT(dnc_put(&f, 0, 0, "5550001", 10), 0);
	UT_EQ_INT(dnc_put(&f, 0, 0, "5550002", 20), 0);
	UT_EQ_INT(dnc_put(&f, 0, 0, "5550001", 99), 0); /* again: kept */
	UT_EQ_INT(dnc_put(&f, f.team, 0, "5550004", 40), 0);
	UT_EQ_INT(dnc_put(&f, f.team, 10, "5550005", 50), 0);
	UT_EQ_INT(dnc_put(&f, f.team2, 0, "5550006", 60), 0);
	UT_EQ_INT(dnc_put(&f, f.team2, 10, "5550007", 70), 0);

	UT_EQ_INT(dnc_list(&f, 0, 0, &s), 0);
	UT_EQ_INT(s.n, 3);
	UT_EQ_STR(s.numbers[0], "5550001");
	UT_EQ_INT(s.added[0], 10);
	UT_EQ_STR(s.numbers[1], "5550002");
	UT_EQ_INT(s.added[1], 20);
	UT_EQ_STR(s.numbers[2], "5550003");
	UT_EQ_INT(s.last.team_id, 0);
	UT_EQ_INT(s.last.campaign_id, 0);
	UT_ASSERT(dnc_only(&f, f.team, 0, "5550004", 40));
	UT_ASSERT(dnc_only(&f, f.team, 10, "5550005", 50));
	/* acme's campaign 10 is not demo's */
	UT_ASSERT(dnc_only(&f, f.team2, 10, "5550007", 70));
	UT_EQ_INT(dnc_list(&f, f.team, 11, &s), 0);
	UT_EQ_INT(s.n, 0);
	/* a removed number is no longer listed */
	UT_EQ_INT(store_dnc_del(f.st, 0, 0, "5550002"), 0);
	UT_EQ_INT(dnc_list(&f, 0, 0, &s), 0);
	UT_EQ_INT(s.n, 2);
	UT_EQ_STR(s.numbers[1], "5550003");
	UT_EQ_INT(store_dnc_visit(f.st, 0, 0, NULL, NULL), EINVAL);
	cfx_close(&f);
}

/* ---- a customer by id (the dialer's record, getCustomerRecord) ---- */

/* The team's customer of that id, whatever its package; another team's
 * id is no customer (as a missing one). */
UNIT_TEST(campaign_store_customer_get_id)
{
	struct cfx f;
	struct st_campaign c;
	struct st_customer *cu = mem_zalloc(sizeof(*cu), NULL);
	struct st_customer *g = mem_zalloc(sizeof(*g), NULL);
	int64_t id = 0, free_id = 0, acme_id = 0;

	UT_ASSERT(cu && g && cfx_open(&f) == 0);
	campaign_make(&c, f.team, 10);
	UT_EQ_INT(store_campaign_add(f.st, &c), 0);
	customer_make(cu, f.team, 10, "13800000001");
	strcpy(cu->owner, "8001");
	cu->status = ST_CUST_FOLLOWUP;
	cu->updated_ms = 1234;
	UT_EQ_INT(store_customer_add(f.st, cu, &id), 0);
	customer_make(cu, f.team, 0, "13800000002");
	UT_EQ_INT(store_customer_add(f.st, cu, &free_id), 0);
	customer_make(cu, f.team2, 0, "13800000001");   /* the same key */
	UT_EQ_INT(store_customer_add(f.st, cu, &acme_id), 0);

	UT_EQ_INT(store_customer_get_id(f.st, f.team, id, g), 0);
	UT_EQ_INT(g->id, id);
	UT_EQ_INT(g->team_id, f.team);
	UT_EQ_INT(g->campaign_id, 10);
	UT_EQ_STR(g->key, "13800000001");
	UT_EQ_STR(g->data, "phone1=13800000001&name=A");
	UT_EQ_STR(g->owner, "8001");
	UT_EQ_INT(g->status, ST_CUST_FOLLOWUP);
	UT_EQ_INT(g->updated_ms, 1234);
	UT_EQ_INT(store_customer_get_id(f.st, f.team, free_id, g), 0);
	UT_EQ_STR(g->key, "13800000002");
	UT_EQ_INT(g->campaign_id, 0);
	/* team isolation, both ways; an id never given */
	UT_EQ_INT(store_customer_get_id(f.st, f.team, acme_id, g), ENOENT);
	UT_EQ_INT(store_customer_get_id(f.st, f.team2, id, g), ENOENT);
	UT_EQ_INT(store_customer_get_id(f.st, f.team2, acme_id, g), 0);
	UT_EQ_INT(g->team_id, f.team2);
	UT_EQ_INT(store_customer_get_id(f.st, f.team, acme_id + 1000, g),
		  ENOENT);
	UT_EQ_INT(store_customer_get_id(f.st, f.team, 0, g), EINVAL);
	/* it reads what an update wrote, and a deleted package unassigns */
	UT_EQ_INT(store_customer_get_id(f.st, f.team, id, cu), 0);
	strcpy(cu->data, "phone1=13800000001&name=B");
	UT_EQ_INT(store_customer_update(f.st, cu), 0);
	UT_EQ_INT(store_campaign_del(f.st, f.team, 10), 0);
	UT_EQ_INT(store_customer_get_id(f.st, f.team, id, g), 0);
	UT_EQ_STR(g->data, "phone1=13800000001&name=B");
	UT_EQ_INT(g->campaign_id, 0);
	cfx_close(&f);
	mem_deref(cu);
	mem_deref(g);
}
