/*
 * provision.c — the occctl commands that provision a team: teams (and
 * their settings), accounts, agents, agent groups, members, extensions,
 * and the demo data set.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "core/provision.h"
#include "core/pwhash.h"
#include "cli/occctl.h"

/* ---- handlers: teams ---- */

int h_team_add(struct ctx *c)
{
	return check(store_team_add(c->st, c->pos[0], NULL), "team %s",
		     c->pos[0]);
}

int h_team_remove(struct ctx *c)
{
	int err = store_team_del(c->st, c->pos[0]);

	if (err == ENOENT) {
		fprintf(cli_err, "occctl: no such team: %s\n", c->pos[0]);
		return EXIT_ERR;
	}
	return check(err, "team %s", c->pos[0]);
}

/* Accounts, agents, groups and extensions of a team. */
static void team_counts(const struct snap *s, int64_t tid, int64_t n[4])
{
	memset(n, 0, 4 * sizeof(n[0]));
	for (size_t i = 0; i < s->naccount; i++)
		n[0] += s->account[i].team_id == tid;
	for (size_t i = 0; i < s->nagent; i++)
		n[1] += s->agent[i].team_id == tid;
	for (size_t i = 0; i < s->ngroup; i++)
		n[2] += s->group[i].team_id == tid;
	for (size_t i = 0; i < s->nexten; i++)
		n[3] += s->exten[i].team_id == tid;
}

int h_team_list(struct ctx *c)
{
	struct tbl t = { .ncol = 5 };
	const struct snap *s = &c->snap;

	if (snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "TEAM", "ACCOUNTS", "AGENTS", "GROUPS", "EXTENS");
	for (size_t i = 0; i < s->nteam; i++) {
		char b[4][24];
		int64_t n[4];
		team_counts(s, s->team[i].id, n);
		tbl_row(&t, s->team[i].name, i64s(b[0], n[0]),
			i64s(b[1], n[1]), i64s(b[2], n[2]), i64s(b[3], n[3]));
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

/* ---- team settings ---- */

/* An absolute http(s) URL with a host, no spaces or control characters. */
static bool is_http_url(const char *v)
{
	const char *host;

	if (!strncmp(v, "http://", 7))
		host = v + 7;
	else if (!strncmp(v, "https://", 8))
		host = v + 8;
	else
		return false;
	if (!*host || strchr("/?#:", *host))
		return false;
	for (; *v; v++) {
		if ((unsigned char)*v <= ' ' || *v == 0x7f)
			return false;
	}
	return true;
}

/* "any", or addresses and networks (a.b.c.d[/n], IPv6[/n]), comma
 * separated: where calls to the team's DIDs may come from besides its
 * trunks (sip/inbound.c reads it) */
static bool is_source_list(const char *v)
{
	char buf[ST_URL], *save = NULL;

	if (strlen(v) >= sizeof(buf))
		return false;
	strcpy(buf, v);
	for (char *tok = strtok_r(buf, ", ", &save); tok;
	     tok = strtok_r(NULL, ", ", &save)) {
		char *slash = strchr(tok, '/');
		struct sa sa;
		long bits = -1;
		if (!strcmp(tok, "any"))
			continue;
		if (slash) {
			char *end;
			*slash = '\0';
			bits = strtol(slash + 1, &end, 10);
			if (*end || end == slash + 1 || bits < 0)
				return false;
		}
		if (sa_set_str(&sa, tok, 0) ||
		    bits > (sa_af(&sa) == AF_INET ? 32 : 128))
			return false;
	}
	return true;
}

/* auto_answer: any, or extension numbers separated by commas */
static bool is_exten_list(const char *v)
{
	if (!strcmp(v, "any"))
		return true;
	for (const char *p = v; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == ',' || *p == '*' ||
		      *p == '#' || *p == '+'))
			return false;
	return true;
}

/* The settings `team set` knows; occd reads them by key. */
static const struct setting_def {
	const char *key;
	bool (*ok)(const char *v);     /* for a non-empty value */
	const char *expect;
} settings[] = {
	{ "event_url", is_http_url, "an http:// or https:// URL" },
	{ "inbound_from", is_source_list, "any, or addresses and networks"
	  " such as 192.0.2.10,198.51.100.0/24" },
	{ "auto_answer", is_exten_list, "any, or extension numbers such as"
	  " 8001,8002" },
};

static const struct setting_def *setting_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		if (!strcmp(settings[i].key, key))
			return &settings[i];
	}
	return NULL;
}

int h_team_set(struct ctx *c)
{
	const struct setting_def *d = setting_find(c->pos[1]);
	const char *v = c->pos[2];
	int64_t tid;

	if (!d) {
		fprintf(cli_err, "occctl: unknown setting '%s'; known:",
			c->pos[1]);
		for (size_t i = 0; i < ARRAY_SIZE(settings); i++)
			fprintf(cli_err, " %s", settings[i].key);
		fprintf(cli_err, "\n");
		return EXIT_ERR;
	}
	if (*v && (strlen(v) >= ST_URL || !d->ok(v))) {
		fprintf(cli_err, "occctl: bad %s '%s': expected %s (at most %d"
			" bytes), or \"\" to clear it\n", d->key, v, d->expect,
			ST_URL - 1);
		return EXIT_ERR;
	}
	if (team_arg(c, &tid))
		return EXIT_ERR;
	return check(store_team_setting_set(c->st, tid, d->key, v),
		     "setting %s of team %s", d->key, c->pos[0]);
}

int h_team_show(struct ctx *c)
{
	struct tbl t = { .ncol = 2 };
	const struct snap *s = &c->snap;
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	fprintf(cli_out, "team %s\n", c->pos[0]);
	tbl_row(&t, "SETTING", "VALUE");
	/* every known key, set or not ... */
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		const char *v = "";
		for (size_t j = 0; j < s->nsetting; j++) {
			if (s->setting[j].team_id == tid &&
			    !strcmp(s->setting[j].key, settings[i].key))
				v = s->setting[j].value;
		}
		tbl_row(&t, settings[i].key, v);
	}
	/* ... then any other key in the store (from another occ version) */
	for (size_t j = 0; j < s->nsetting; j++) {
		if (s->setting[j].team_id == tid &&
		    !setting_find(s->setting[j].key))
			tbl_row(&t, s->setting[j].key, s->setting[j].value);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

/* ---- accounts ---- */

int h_account_add(struct ctx *c)
{
	struct st_account a = { .enabled = true };
	struct st_agent ag;
	const char *agent = opt(c, "agent");

	if (team_arg(c, &a.team_id))
		return EXIT_ERR;
	if (agent && agent_arg(c, a.team_id, agent, &ag))
		return EXIT_ERR;
	snprintf(a.name, sizeof(a.name), "%s", c->pos[1]);
	snprintf(a.agent, sizeof(a.agent), "%s", agent ? agent : "");
	if (check(pwhash_make_plain(a.pwhash, c->pos[2]), "hashing password"))
		return EXIT_ERR;
	return check(store_account_add(c->st, &a), "account %s in team %s",
		     c->pos[1], c->pos[0]);
}

int h_account_list(struct ctx *c)
{
	struct tbl t = { .ncol = 3 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "ACCOUNT", "ENABLED", "AGENT");
	for (size_t i = 0; i < c->snap.naccount; i++) {
		const struct st_account *a = &c->snap.account[i];
		if (a->team_id == tid)
			tbl_row(&t, a->name, a->enabled ? "yes" : "no",
				a->agent);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

/* Rows named in a team, alike for accounts, agents (and extensions'
 * remove): `KIND remove TEAM NAME`, `KIND passwd TEAM NAME PASSWORD` (the
 * password stored hashed). */
typedef int (row_del_h)(struct store *st, int64_t team_id, const char *name);
typedef int (row_pwhash_h)(struct store *st, int64_t team_id,
			   const char *name, const char *pwhash);

static int row_remove(struct ctx *c, row_del_h *del, const char *kind)
{
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	return check(del(c->st, tid, c->pos[1]), "%s %s in team %s", kind,
		     c->pos[1], c->pos[0]);
}

static int row_passwd(struct ctx *c, row_pwhash_h *set, const char *kind)
{
	char hash[PWHASH_LEN];
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	if (check(pwhash_make_plain(hash, c->pos[2]), "hashing password"))
		return EXIT_ERR;
	return check(set(c->st, tid, c->pos[1], hash), "%s %s in team %s",
		     kind, c->pos[1], c->pos[0]);
}

int h_account_remove(struct ctx *c)
{
	return row_remove(c, store_account_del, "account");
}

int h_account_passwd(struct ctx *c)
{
	return row_passwd(c, store_account_set_pwhash, "account");
}

static int account_enable(struct ctx *c, bool on)
{
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	return check(store_account_set_enabled(c->st, tid, c->pos[1], on),
		     "account %s in team %s", c->pos[1], c->pos[0]);
}

int h_account_disable(struct ctx *c)
{
	return account_enable(c, false);
}

int h_account_enable(struct ctx *c)
{
	return account_enable(c, true);
}

/* ---- agents ---- */

/* An agent's default extension must be one of the team's; EXIT_ERR after
 * saying so if exten (not empty) is not. */
static int exten_known(struct ctx *c, int64_t tid, const char *exten)
{
	if (!exten || !*exten)
		return 0;
	if (snap_load(c))
		return EXIT_ERR;
	if (exten_of(&c->snap, tid, exten))
		return 0;
	fprintf(cli_err, "occctl: no extension %s in team %s (add it first:"
		" occctl exten add)\n", exten, c->pos[0]);
	return EXIT_ERR;
}

int h_agent_add(struct ctx *c)
{
	struct st_agent a = { 0 };
	const char *acc = opt(c, "account"), *exten = opt(c, "exten");
	const char *name = opt(c, "name");

	if (team_arg(c, &a.team_id) || exten_known(c, a.team_id, exten))
		return EXIT_ERR;
	if (acc) {
		const struct st_account *ac;
		if (snap_load(c))
			return EXIT_ERR;
		ac = account_by(&c->snap, a.team_id, 0, acc);
		if (!ac) {
			fprintf(cli_err, "occctl: no account %s in team %s\n",
				acc, c->pos[0]);
			return EXIT_ERR;
		}
		a.account_id = ac->id;
	}
	snprintf(a.number, sizeof(a.number), "%s", c->pos[1]);
	snprintf(a.name, sizeof(a.name), "%s", name ? name : "");
	snprintf(a.exten, sizeof(a.exten), "%s", exten ? exten : "");
	if (check(pwhash_make_plain(a.pwhash, c->pos[2]), "hashing password"))
		return EXIT_ERR;
	return check(store_agent_add(c->st, &a), "agent %s in team %s",
		     c->pos[1], c->pos[0]);
}

int h_agent_list(struct ctx *c)
{
	struct tbl t = { .ncol = 4 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "AGENT", "NAME", "EXTEN", "ACCOUNT");
	for (size_t i = 0; i < c->snap.nagent; i++) {
		const struct st_agent *a = &c->snap.agent[i];
		const struct st_account *ac;
		if (a->team_id != tid)
			continue;
		ac = account_by(&c->snap, tid, a->account_id, NULL);
		tbl_row(&t, a->number, a->name, a->exten, ac ? ac->name : "");
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

int h_agent_remove(struct ctx *c)
{
	return row_remove(c, store_agent_del, "agent");
}

int h_agent_passwd(struct ctx *c)
{
	return row_passwd(c, store_agent_set_pwhash, "agent");
}

int h_agent_set(struct ctx *c)
{
	const char *name = opt(c, "name"), *exten = opt(c, "exten");
	int64_t tid;

	if (opt(c, "no-exten")) {
		if (exten) {
			fprintf(cli_err, "occctl: --exten or --no-exten, not"
				" both\n");
			return EXIT_ERR;
		}
		exten = "";
	}
	if (!name && !exten) {
		fprintf(cli_err, "occctl: nothing to change: give --name,"
			" --exten or --no-exten\n");
		return EXIT_ERR;
	}
	if (team_arg(c, &tid) || exten_known(c, tid, exten))
		return EXIT_ERR;
	return check(store_agent_set_info(c->st, tid, c->pos[1], name, exten),
		     "agent %s in team %s", c->pos[1], c->pos[0]);
}

/* ---- groups ---- */

/* Indexed by the st_group values; the usage strings list the same words. */
static const char *const acw_names[] = { "?", "ring", "answer", "off" };
static const char *const work_names[] = { "all", "dialin", "dialout" };

static const char *mode_name(const char *const *names, size_t n, int v)
{
	return v >= 0 && (size_t)v < n ? names[v] : "?";
}

/* A clearer message than EEXIST when the id or the queue is taken. */
static int group_free(struct ctx *c, const struct st_group *g)
{
	const struct st_group *r = g->id ? group_by_id(&c->snap, g->id) : NULL;

	if (r) {
		fprintf(cli_err, "occctl: group id %lld is taken\n",
			(long long)g->id);
		return EXIT_ERR;
	}
	for (size_t i = 0; i < c->snap.ngroup; i++) {
		r = &c->snap.group[i];
		if (r->team_id == g->team_id && !strcmp(r->queue, g->queue)) {
			fprintf(cli_err, "occctl: queue %s in team %s is taken"
				" by group %lld\n", g->queue, c->pos[0],
				(long long)r->id);
			return EXIT_ERR;
		}
	}
	return 0;
}

int h_group_add(struct ctx *c)
{
	const char *acw = opt(c, "acw"), *work = opt(c, "workway");
	const char *acw_s = opt(c, "acw-time");
	struct st_group g = {
		.acw_mode = acw ? alt_index("ring|answer|off", acw) + 1 : 3,
		.work_mode = work ? alt_index("all|dialin|dialout", work) : 0,
		.acw_s = acw_s ? atoi(acw_s) : 0,
	};
	bool autoid = !strcmp(c->pos[1], "auto");

	if (team_arg(c, &g.team_id) || snap_load(c))
		return EXIT_ERR;
	if (!autoid)
		(void)parse_id(c->pos[1], &g.id);
	snprintf(g.name, sizeof(g.name), "%s", c->pos[2]);
	snprintf(g.queue, sizeof(g.queue), "%s", c->pos[3]);
	if (group_free(c, &g) ||
	    check(store_group_add(c->st, &g), "group %s in team %s",
		  c->pos[1], c->pos[0]))
		return EXIT_ERR;
	if (!autoid)
		return 0;
	/* store_group_add does not return the id: find it by its queue. */
	if (snap_load(c))
		return EXIT_ERR;
	for (size_t i = 0; i < c->snap.ngroup; i++) {
		const struct st_group *r = &c->snap.group[i];
		if (r->team_id == g.team_id && !strcmp(r->queue, g.queue))
			fprintf(cli_out, "group %lld\n", (long long)r->id);
	}
	return 0;
}

int h_group_set(struct ctx *c)
{
	const char *name = opt(c, "name"), *acw_s = opt(c, "acw-time");
	int64_t tid, gid = 0;
	int err;

	if (!name && !acw_s) {
		fprintf(cli_err, "occctl: nothing to change: give --name or"
			" --acw-time\n");
		return EXIT_ERR;
	}
	if (team_arg(c, &tid))
		return EXIT_ERR;
	(void)parse_id(c->pos[1], &gid);
	err = store_group_set(c->st, tid, gid, name, acw_s ? atoi(acw_s) : -1);
	if (err == ENOENT) {
		fprintf(cli_err, "occctl: no group %s in team %s\n", c->pos[1],
			c->pos[0]);
		return EXIT_ERR;
	}
	return check(err, "group %s in team %s", c->pos[1], c->pos[0]);
}

int h_group_list(struct ctx *c)
{
	struct tbl t = { .ncol = 7 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "GROUP", "NAME", "QUEUE", "ACW", "ACW_TIME", "WORKWAY",
		"MEMBERS");
	for (size_t i = 0; i < c->snap.ngroup; i++) {
		const struct st_group *g = &c->snap.group[i];
		char id[24], n[24], s[24];
		int64_t k = 0;
		if (g->team_id != tid)
			continue;
		for (size_t j = 0; j < c->snap.nmember; j++)
			k += c->snap.member[j].group_id == g->id;
		tbl_row(&t, i64s(id, g->id), g->name, g->queue,
			mode_name(acw_names, ARRAY_SIZE(acw_names), g->acw_mode),
			g->acw_s ? (snprintf(s, sizeof(s), "%ds", g->acw_s), s)
			: "-",
			mode_name(work_names, ARRAY_SIZE(work_names),
				  g->work_mode), i64s(n, k));
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

int h_group_remove(struct ctx *c)
{
	int64_t tid, gid = 0;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	(void)parse_id(c->pos[1], &gid);
	return check(store_group_del(c->st, tid, gid), "group %s in team %s",
		     c->pos[1], c->pos[0]);
}

/* ---- members ---- */

int h_member_add(struct ctx *c)
{
	const struct st_group *g;
	struct st_agent a;
	struct st_member m = { .dynamic = opt(c, "dynamic") != NULL,
			       .leader = opt(c, "leader") != NULL };
	int64_t tid;
	int err;

	if (team_arg(c, &tid) || group_arg(c, tid, c->pos[1], &g) ||
	    agent_arg(c, tid, c->pos[2], &a))
		return EXIT_ERR;
	m.group_id = g->id;
	m.agent_id = a.id;
	m.acw_mode = g->acw_mode;
	m.work_mode = g->work_mode;
	err = store_member_add(c->st, &m);
	if (err == EEXIST) {
		fprintf(cli_err, "occctl: agent %s is already in group %s\n",
			c->pos[2], c->pos[1]);
		return EXIT_ERR;
	}
	return check(err, "agent %s in group %s", c->pos[2], c->pos[1]);
}

static void member_row(struct tbl *t, const struct snap *s,
		       const struct st_member *m)
{
	const struct st_group *g = group_by_id(s, m->group_id);
	const struct st_agent *a = agent_by_id(s, m->agent_id);
	char id[24];

	if (!g || !a)
		return;
	tbl_row(t, i64s(id, g->id), g->name, a->number, a->name,
		m->dynamic ? "dynamic" : "static", m->leader ? "yes" : "no",
		m->checked_in ? "yes" : "no");
}

int h_member_list(struct ctx *c)
{
	struct tbl t = { .ncol = 7 };
	const struct st_group *only = NULL;
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	if (c->pos[1] ? group_arg(c, tid, c->pos[1], &only) : snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "GROUP", "NAME", "AGENT", "AGENT NAME", "TYPE", "LEADER",
		"CHECKED IN");
	for (size_t i = 0; i < c->snap.nmember; i++) {
		const struct st_member *m = &c->snap.member[i];
		const struct st_group *g = group_by_id(&c->snap, m->group_id);
		if (g && g->team_id == tid && (!only || only->id == g->id))
			member_row(&t, &c->snap, m);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

int h_member_remove(struct ctx *c)
{
	const struct st_group *g;
	struct st_agent a;
	int64_t tid;
	int err;

	if (team_arg(c, &tid) || group_arg(c, tid, c->pos[1], &g) ||
	    agent_arg(c, tid, c->pos[2], &a))
		return EXIT_ERR;
	err = store_member_del(c->st, g->id, a.id);
	if (err == ENOENT) {
		fprintf(cli_err, "occctl: agent %s is not in group %s\n",
			c->pos[2], c->pos[1]);
		return EXIT_ERR;
	}
	return check(err, "agent %s in group %s", c->pos[2], c->pos[1]);
}

/* ---- extensions ---- */

int h_exten_add(struct ctx *c)
{
	struct st_exten e = { 0 };

	if (team_arg(c, &e.team_id))
		return EXIT_ERR;
	snprintf(e.number, sizeof(e.number), "%s", c->pos[1]);
	snprintf(e.kind, sizeof(e.kind), "%s",
		 opt(c, "virtual") ? "virtual" : "sip");
	if (check(exten_ha1(e.ha1, c->pos[1], c->pos[0], c->pos[2]),
		  "extension %s secret", c->pos[1]))
		return EXIT_ERR;
	return check(store_exten_add(c->st, &e), "extension %s in team %s",
		     c->pos[1], c->pos[0]);
}

int h_exten_list(struct ctx *c)
{
	struct tbl t = { .ncol = 3 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "EXTEN", "KIND", "AGENTS");
	for (size_t i = 0; i < c->snap.nexten; i++) {
		const struct st_exten *e = &c->snap.exten[i];
		char users[256] = "";
		size_t n = 0;
		if (e->team_id != tid)
			continue;
		/* agents whose default extension this is */
		for (size_t j = 0; j < c->snap.nagent; j++) {
			const struct st_agent *a = &c->snap.agent[j];
			if (a->team_id == tid && !strcmp(a->exten, e->number) &&
			    n < sizeof(users))
				n += (size_t)snprintf(users + n,
					sizeof(users) - n, "%s%s",
					n ? "," : "", a->number);
		}
		tbl_row(&t, e->number, e->kind, users);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

int h_exten_remove(struct ctx *c)
{
	return row_remove(c, store_exten_del, "extension");
}

int h_exten_passwd(struct ctx *c)
{
	char ha1[ST_HA1];
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	if (check(exten_ha1(ha1, c->pos[1], c->pos[0], c->pos[2]),
		  "extension %s secret", c->pos[1]))
		return EXIT_ERR;
	return check(store_exten_set_ha1(c->st, tid, c->pos[1], ha1),
		     "extension %s in team %s", c->pos[1], c->pos[0]);
}

int h_demo(struct ctx *c)
{
	int err = provision_demo(c->st);

	if (err == EEXIST) {
		fprintf(cli_err, "occctl: demo: the store in %s is not empty;"
			" demo data goes into an empty store only\n", c->dir);
		return EXIT_ERR;
	}
	return check(err, "demo");
}
