/*
 * provision.c — the demo data set and the extension HA1.
 *
 * The demo (docs and tests rely on these exact rows):
 *   team demo: account admin/admin, enabled, not linked to an agent;
 *     agents 8001-8006 ("Agent 8001"..., password = number, extension =
 *     number, owned by account admin); SIP extensions 8001-8006 (secret =
 *     number);
 *     group 1 "Sales" queue 6001 (ACW off, all calls): 8001 leader, 8002,
 *     8003, static; group 2 "Support" queue 6002: 8003, 8004 leader, 8005,
 *     8006, dynamic.
 *   team acme: agent 9001 (password 9001, extension 9001), SIP extension
 *     9001; group 3 "Acme" queue 7001: 9001 static leader.
 *   For calls without phones: each team's default trunk "customer" is the
 *   built-in virtual customer; virtual extensions 8101-8106 and 9101.
 *   Inbound: team demo routes DID 800888 (src/inbound/demo_routing.ini)
 *   to its main IVR 6000, and takes calls to its DIDs from any source
 *   (team setting inbound_from=any).
 *   Outbound: team demo's campaign 10 "Demo campaign" (agent group 1,
 *   progressive, stopped, compliance profile none, window 00:00-24:00),
 *   package columns name (姓名) and phone1 (电话号码一, the unique key).
 * Everything is written in one transaction; if a step fails, the two teams
 * are deleted again (cascading to every row below them) before committing,
 * so a failed demo leaves the store as empty as it was.
 *
 * To change the demo: edit the tables below; tests/unit/test_store.c and
 * tests/cli/test_occctl.sh check the result.
 */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "core/provision.h"
#include "core/pwhash.h"
#include "inbound/demo_routing.h"
#include "store/store.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const demo_teams[] = { "demo", "acme" };

static const struct demo_agent {
	const char *team, *number, *account;  /* account NULL: none */
} demo_agents[] = {
	{ "demo", "8001", "admin" }, { "demo", "8002", "admin" },
	{ "demo", "8003", "admin" }, { "demo", "8004", "admin" },
	{ "demo", "8005", "admin" }, { "demo", "8006", "admin" },
	{ "acme", "9001", NULL },
};

enum { DEMO_MAX_MEMBERS = 4 };

static const struct demo_group {
	int64_t id;
	const char *team, *name, *queue;
	int acw_mode, work_mode;
	bool dynamic;
	const char *leader;
	const char *members[DEMO_MAX_MEMBERS + 1];  /* NULL-terminated */
} demo_groups[] = {
	{ 1, "demo", "Sales", "6001", 3, 0, false, "8001",
	  { "8001", "8002", "8003" } },
	{ 2, "demo", "Support", "6002", 3, 0, true, "8004",
	  { "8003", "8004", "8005", "8006" } },
	{ 3, "acme", "Acme", "7001", 3, 0, false, "9001", { "9001" } },
};

int exten_ha1(char out[ST_HA1], const char *number, const char *realm,
	      const char *secret)
{
	char buf[512];
	int n;

	if (!number || !realm || !secret)
		return EINVAL;
	/* the digest usernames "8001", "8001@demo", "demo/8001" */
	for (int i = 0; i < 3; i++) {
		n = i == 0 ? snprintf(buf, sizeof(buf), "%s:%s:%s", number,
				      realm, secret)
			: i == 1 ? snprintf(buf, sizeof(buf), "%s@%s:%s:%s",
					    number, realm, realm, secret)
			: snprintf(buf, sizeof(buf), "%s/%s:%s:%s", realm,
				   number, realm, secret);
		if (n < 0 || (size_t)n >= sizeof(buf))
			return EINVAL;
		if (i)
			out[33 * i - 1] = ' ';
		md5_hex_of(out + 33 * i, buf);
	}
	return 0;
}

static void count_team(const struct st_team *t, void *arg)
{
	(void)t;
	(*(unsigned *)arg)++;
}

int provision_is_empty(struct store *st, bool *emptyp)
{
	const struct store_visitor v = { .team = count_team };
	unsigned n = 0;
	int err = store_load(st, &v, &n);

	if (!err)
		*emptyp = n == 0;
	return err;
}

struct account_find {
	int64_t team_id, id;
	const char *name;
};

static void find_account(const struct st_account *a, void *arg)
{
	struct account_find *f = arg;

	if (a->team_id == f->team_id && !strcmp(a->name, f->name))
		f->id = a->id;
}

/* store_account_add does not return the id, so look it up. */
static int account_id(struct store *st, int64_t team_id, const char *name,
		      int64_t *idp)
{
	const struct store_visitor v = { .account = find_account };
	struct account_find f = { .team_id = team_id, .name = name };
	int err = store_load(st, &v, &f);

	if (!err && !f.id)
		err = ENOENT;
	if (!err)
		*idp = f.id;
	return err;
}

static int team_id(struct store *st, const char *name, int64_t *idp)
{
	struct st_team t;
	int err = store_team_get(st, name, &t);

	if (!err)
		*idp = t.id;
	return err;
}

static int demo_admin(struct store *st)
{
	struct st_account a = { .enabled = true };
	int err = team_id(st, "demo", &a.team_id);

	snprintf(a.name, sizeof(a.name), "admin");
	if (!err)
		err = pwhash_make_plain(a.pwhash, "admin");
	return err ? err : store_account_add(st, &a);
}

static int demo_agent(struct store *st, const struct demo_agent *d)
{
	struct st_agent a = { 0 };
	struct st_exten e = { 0 };
	int err = team_id(st, d->team, &a.team_id);

	if (!err && d->account)
		err = account_id(st, a.team_id, d->account, &a.account_id);
	snprintf(a.number, sizeof(a.number), "%s", d->number);
	snprintf(a.name, sizeof(a.name), "Agent %s", d->number);
	snprintf(a.exten, sizeof(a.exten), "%s", d->number);
	if (!err)
		err = pwhash_make_plain(a.pwhash, d->number);
	if (!err)
		err = store_agent_add(st, &a);

	e.team_id = a.team_id;
	snprintf(e.number, sizeof(e.number), "%s", d->number);
	snprintf(e.kind, sizeof(e.kind), "sip");
	if (!err)
		err = exten_ha1(e.ha1, d->number, d->team, d->number);
	return err ? err : store_exten_add(st, &e);
}

static int demo_group(struct store *st, const struct demo_group *d)
{
	struct st_group g = {
		.id = d->id, .acw_mode = d->acw_mode, .work_mode = d->work_mode,
	};
	int err = team_id(st, d->team, &g.team_id);

	snprintf(g.name, sizeof(g.name), "%s", d->name);
	snprintf(g.queue, sizeof(g.queue), "%s", d->queue);
	if (!err)
		err = store_group_add(st, &g);
	for (const char *const *m = d->members; !err && *m; m++) {
		struct st_member mb = {
			.group_id = g.id, .dynamic = d->dynamic,
			.leader = !strcmp(*m, d->leader),
			.acw_mode = g.acw_mode, .work_mode = g.work_mode,
		};
		struct st_agent a = { 0 };

		err = store_agent_get(st, g.team_id, *m, &a);
		mb.agent_id = a.id;
		if (!err)
			err = store_member_add(st, &mb);
	}
	return err;
}

/* Calls without phones: each team's default trunk is the built-in virtual
 * customer, and virtual extensions 8101-8106 (9101 in acme) are built-in
 * phones that answer by themselves (check in with deviceexten=8101). */
static int demo_virtual(struct store *st, const char *team,
			const char *first, unsigned count)
{
	struct st_trunk t = { .is_default = true };
	int err = team_id(st, team, &t.team_id);
	unsigned base = (unsigned)atoi(first);

	snprintf(t.name, sizeof(t.name), "customer");
	snprintf(t.uri, sizeof(t.uri), "virtual:");
	if (!err)
		err = store_trunk_add(st, &t);
	for (unsigned i = 0; !err && i < count; i++) {
		struct st_exten e = { .team_id = t.team_id };
		snprintf(e.number, sizeof(e.number), "%u", base + i);
		snprintf(e.kind, sizeof(e.kind), "virtual");
		err = store_exten_add(st, &e);
	}
	return err;
}

/* DID 800888 -> IVR 6000 -> queues 6001/6002, callable from anywhere */
static int demo_inbound(struct store *st)
{
	struct st_team t;
	int err = store_team_get(st, "demo", &t);

	if (!err)
		err = store_routing_set(st, t.id, demo_routing_ini,
					demo_routing_len(),
					(int64_t)time(NULL) * 1000);
	if (!err)
		err = store_team_setting_set(st, t.id, "inbound_from", "any");
	return err;
}

/* Campaign 10 (the manual's model_id example): group 1, progressive,
 * stopped, compliance profile none with an always-open window, a package
 * of name (姓名) and phone1 (电话号码一, the key); docs/CAMPAIGNS.md. */
static int demo_campaign(struct store *st)
{
	static const char *const cols[][2] = { { "name", "姓名" },
					       { "phone1", "电话号码一" } };
	struct st_campaign c = {
		.id = 10, .group_id = 1, .name = "Demo campaign",
		.dial_mode = "progressive", .state = "stopped",
		.profile = "none", .window_start = 0, .window_end = 1440,
		.key_column = "phone1", .amd_fp_permille = ST_AMD_FP_DEFAULT,
	};
	struct st_team t;
	int err = store_team_get(st, "demo", &t);

	c.team_id = t.id;
	if (!err)
		err = store_campaign_add(st, &c);
	for (size_t i = 0; !err && i < ARRAY_LEN(cols); i++) {
		struct st_column col = { .team_id = t.id, .campaign_id = 10,
					 .pos = (int)i + 1 };
		snprintf(col.name, sizeof(col.name), "%s", cols[i][0]);
		snprintf(col.display, sizeof(col.display), "%s", cols[i][1]);
		err = store_column_add(st, &col);
	}
	return err;
}

static int demo_fill(struct store *st)
{
	int err = 0;

	for (size_t i = 0; !err && i < ARRAY_LEN(demo_teams); i++)
		err = store_team_add(st, demo_teams[i], NULL);
	if (!err)
		err = demo_admin(st);
	for (size_t i = 0; !err && i < ARRAY_LEN(demo_agents); i++)
		err = demo_agent(st, &demo_agents[i]);
	for (size_t i = 0; !err && i < ARRAY_LEN(demo_groups); i++)
		err = demo_group(st, &demo_groups[i]);
	if (!err)
		err = demo_virtual(st, "demo", "8101", 6);
	if (!err)
		err = demo_virtual(st, "acme", "9101", 1);
	if (!err)
		err = demo_inbound(st);
	if (!err)
		err = demo_campaign(st);
	return err;
}

int provision_demo(struct store *st)
{
	bool empty = false;
	int err, cerr;

	/* The emptiness check runs inside the (IMMEDIATE) write transaction,
	 * so two concurrent demos cannot both pass it, and the undo below
	 * only ever deletes teams this call created. */
	err = store_begin(st);
	if (err)
		return err;
	err = provision_is_empty(st, &empty);
	if (!err && !empty)
		err = EEXIST;
	if (!err) {
		err = demo_fill(st);
		for (size_t i = 0; err && i < ARRAY_LEN(demo_teams); i++)
			(void)store_team_del(st, demo_teams[i]);
	}
	cerr = store_commit(st);
	return err ? err : cerr;
}
