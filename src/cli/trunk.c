/*
 * trunk.c — `occctl trunk ...`: a team's SIP trunks (gateways).
 *
 * A team has at most one default trunk, the one occd dials out on when a
 * request names none. `trunk add` makes the new trunk the default when
 * asked (--default) and also when the team has no default yet, so a team
 * with one trunk can always place calls; the store clears the previous
 * default in the same transaction. A trunk's password is stored in clear
 * (SIP digest needs it) and is never printed: `trunk list` says only
 * whether one is set. `trunk set` gives an existing trunk new settings
 * (the same arguments as `trunk add`), keeping its password unless
 * --password or --no-password says otherwise; occd uses them from its
 * reload (calls up on the trunk go on).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "cli/occctl.h"

static const struct st_trunk *trunk_by(const struct snap *s, int64_t team_id,
				       const char *name, bool want_default)
{
	for (size_t i = 0; i < s->ntrunk; i++) {
		const struct st_trunk *t = &s->trunk[i];
		if (t->team_id != team_id)
			continue;
		if (want_default ? t->is_default : !strcmp(t->name, name))
			return t;
	}
	return NULL;
}

/* Copy an optional value into a field the usage check has sized. */
static void set_opt(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v ? v : "");
}

/* t from `trunk add|set TEAM NAME URI` and their options; EXIT_ERR
 * after saying why. */
static int trunk_of(struct ctx *c, struct st_trunk *t)
{
	t->do_register = opt(c, "register") != NULL;
	snprintf(t->name, sizeof(t->name), "%s", c->pos[1]);
	snprintf(t->uri, sizeof(t->uri), "%s", c->pos[2]);
	set_opt(t->username, sizeof(t->username), opt(c, "user"));
	set_opt(t->password, sizeof(t->password), opt(c, "password"));
	set_opt(t->callerid, sizeof(t->callerid), opt(c, "callerid"));
	set_opt(t->strip_prefix, sizeof(t->strip_prefix), opt(c, "strip"));
	set_opt(t->add_prefix, sizeof(t->add_prefix), opt(c, "prefix"));
	if (t->do_register && !strcmp(t->uri, "virtual:")) {
		fprintf(cli_err, "occctl: --register: the virtual trunk has no"
			" gateway to register with\n");
		return EXIT_ERR;
	}
	return 0;
}

int h_trunk_add(struct ctx *c)
{
	struct st_trunk t = { .is_default = opt(c, "default") != NULL };
	int err;

	if (team_arg(c, &t.team_id) || snap_load(c) || trunk_of(c, &t))
		return EXIT_ERR;
	if (!trunk_by(&c->snap, t.team_id, NULL, true))
		t.is_default = true;
	err = store_trunk_add(c->st, &t);
	memset(t.password, 0, sizeof(t.password));
	return check(err, "trunk %s in team %s", c->pos[1], c->pos[0]);
}

int h_trunk_list(struct ctx *c)
{
	struct tbl t = { .ncol = 9 };
	int64_t tid;

	if (team_arg(c, &tid) || snap_load(c))
		return EXIT_ERR;
	tbl_row(&t, "TRUNK", "URI", "DEFAULT", "REGISTER", "USER", "PASSWORD",
		"CALLERID", "STRIP", "PREFIX");
	for (size_t i = 0; i < c->snap.ntrunk; i++) {
		const struct st_trunk *r = &c->snap.trunk[i];
		if (r->team_id != tid)
			continue;
		tbl_row(&t, r->name, r->uri, r->is_default ? "yes" : "no",
			r->do_register ? "yes" : "no", r->username,
			r->password[0] ? "yes" : "no", r->callerid,
			r->strip_prefix, r->add_prefix);
	}
	tbl_print(&t);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

/* ENOENT as "no trunk NAME in team TEAM". */
static int trunk_err(const struct ctx *c, int err)
{
	if (err == ENOENT) {
		fprintf(cli_err, "occctl: no trunk %s in team %s\n", c->pos[1],
			c->pos[0]);
		return EXIT_ERR;
	}
	return check(err, "trunk %s in team %s", c->pos[1], c->pos[0]);
}

int h_trunk_set(struct ctx *c)
{
	const bool clear = opt(c, "no-password") != NULL;
	struct st_trunk t = { 0 };
	int err;

	if (clear && opt(c, "password")) {
		fprintf(cli_err, "occctl: --password or --no-password, not"
			" both\n");
		return EXIT_ERR;
	}
	if (team_arg(c, &t.team_id) || trunk_of(c, &t))
		return EXIT_ERR;
	err = store_trunk_set(c->st, &t, !clear && !opt(c, "password"));
	memset(t.password, 0, sizeof(t.password));
	return trunk_err(c, err);
}

int h_trunk_remove(struct ctx *c)
{
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	return trunk_err(c, store_trunk_del(c->st, tid, c->pos[1]));
}

int h_trunk_default(struct ctx *c)
{
	int64_t tid;

	if (team_arg(c, &tid))
		return EXIT_ERR;
	return trunk_err(c, store_trunk_set_default(c->st, tid, c->pos[1]));
}
