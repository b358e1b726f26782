/*
 * snap.c — occctl's view of the store: one-line errors, the snapshot a
 * command lists from (store_load into growable arrays), lookups in it, and
 * the arguments that name rows (team, agent, group), which print their own
 * "no such ..." error.
 *
 * A snapshot is taken when a command needs it (snap_load) and may be taken
 * again after a write; run_cmd() frees it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "cli/occctl.h"

/* ---- errors ---- */

static const char *err_text(int err)
{
	switch (err) {
	case EEXIST:  return "already exists";
	case ENOENT:  return "not found";
	case EINVAL:  return "invalid value";
	case EIO:     return "database error";
	case ENOTSUP: return "the database was written by a newer occ";
	default:      return strerror(err);
	}
}

/* 0 if !err, else print "occctl: <what>: <reason>" and return EXIT_ERR. */
int check(int err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return 0;
	fprintf(cli_err, "occctl: ");
	va_start(ap, fmt);
	vfprintf(cli_err, fmt, ap);
	va_end(ap);
	fprintf(cli_err, ": %s\n", err_text(err));
	return EXIT_ERR;
}

/* ---- the store as loaded, for lists and lookups ---- */

/* Room for one more element in a vector of n: grow at 0, 8, 16, 32... */
static void *vec_room(void *arr, size_t n, size_t size)
{
	if (n && (n < 8 || (n & (n - 1))))
		return arr;
	return realloc(arr, (n ? 2 * n : 8) * size);
}

#define SNAP_PUSH(s, vec, cnt, row) do { \
	void *p_ = vec_room((s)->vec, (s)->cnt, sizeof(*(s)->vec)); \
	if (!p_) { (s)->oom = true; return; } \
	(s)->vec = p_; (s)->vec[(s)->cnt++] = *(row); } while (0)

static void on_team(const struct st_team *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, team, nteam, r); }
static void on_account(const struct st_account *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, account, naccount, r); }
static void on_agent(const struct st_agent *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, agent, nagent, r); }
static void on_group(const struct st_group *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, group, ngroup, r); }
static void on_member(const struct st_member *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, member, nmember, r); }
static void on_exten(const struct st_exten *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, exten, nexten, r); }
static void on_state(const struct st_agent_state *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, state, nstate, r); }
static void on_trunk(const struct st_trunk *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, trunk, ntrunk, r); }
static void on_reg(const struct st_registration *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, reg, nreg, r); }
static void on_setting(const struct st_team_setting *r, void *arg)
{ SNAP_PUSH((struct snap *)arg, setting, nsetting, r); }

void snap_free(struct snap *s)
{
	free(s->team);
	free(s->account);
	free(s->agent);
	free(s->group);
	free(s->member);
	free(s->exten);
	free(s->state);
	free(s->trunk);
	free(s->reg);
	free(s->setting);
	memset(s, 0, sizeof(*s));
}

int snap_load(struct ctx *c)
{
	static const struct store_visitor v = {
		.team = on_team, .account = on_account, .agent = on_agent,
		.group = on_group, .member = on_member, .exten = on_exten,
		.agent_state = on_state, .trunk = on_trunk,
		.registration = on_reg, .team_setting = on_setting,
	};
	int err;

	snap_free(&c->snap);
	err = store_load(c->st, &v, &c->snap);
	if (!err && c->snap.oom)
		err = ENOMEM;
	return check(err, "loading %s/occ.db", c->dir);
}

const struct st_team *find_team(const struct snap *s, const char *name)
{
	for (size_t i = 0; i < s->nteam; i++) {
		if (!strcmp(s->team[i].name, name))
			return &s->team[i];
	}
	return NULL;
}

const struct st_agent *agent_by_id(const struct snap *s, int64_t id)
{
	for (size_t i = 0; i < s->nagent; i++) {
		if (s->agent[i].id == id)
			return &s->agent[i];
	}
	return NULL;
}

const struct st_group *group_by_id(const struct snap *s, int64_t id)
{
	for (size_t i = 0; i < s->ngroup; i++) {
		if (s->group[i].id == id)
			return &s->group[i];
	}
	return NULL;
}

const struct st_account *account_by(const struct snap *s,
					   int64_t team_id, int64_t id,
					   const char *name)
{
	for (size_t i = 0; i < s->naccount; i++) {
		const struct st_account *a = &s->account[i];
		if (a->team_id == team_id &&
		    (name ? !strcmp(a->name, name) : a->id == id))
			return a;
	}
	return NULL;
}

const struct st_agent_state *state_of(const struct snap *s,
					     int64_t agent_id)
{
	for (size_t i = 0; i < s->nstate; i++) {
		if (s->state[i].agent_id == agent_id)
			return &s->state[i];
	}
	return NULL;
}

const struct st_exten *exten_of(const struct snap *s, int64_t team_id,
				const char *number)
{
	for (size_t i = 0; i < s->nexten; i++) {
		if (s->exten[i].team_id == team_id &&
		    !strcmp(s->exten[i].number, number))
			return &s->exten[i];
	}
	return NULL;
}

/* The team named by argument 0; prints the error itself. */
int team_arg(struct ctx *c, int64_t *idp)
{
	struct st_team t;
	int err;

	*idp = 0;
	err = store_team_get(c->st, c->pos[0], &t);
	if (err == ENOENT) {
		fprintf(cli_err, "occctl: no such team: %s\n", c->pos[0]);
		return EXIT_ERR;
	}
	if (!err)
		*idp = t.id;
	return check(err, "team %s", c->pos[0]);
}

int agent_arg(struct ctx *c, int64_t team_id, const char *number,
		     struct st_agent *a)
{
	int err = store_agent_get(c->st, team_id, number, a);

	if (err == ENOENT) {
		fprintf(cli_err, "occctl: no agent %s in team %s\n", number,
			c->pos[0]);
		return EXIT_ERR;
	}
	return check(err, "agent %s", number);
}

/* The group named by a GROUPID argument, which must belong to the team. */
int group_arg(struct ctx *c, int64_t team_id, const char *id,
		     const struct st_group **gp)
{
	int64_t gid = 0;

	(void)parse_id(id, &gid);
	if (snap_load(c))
		return EXIT_ERR;
	*gp = group_by_id(&c->snap, gid);
	if (*gp && (*gp)->team_id == team_id)
		return 0;
	fprintf(cli_err, "occctl: no group %s in team %s\n", id, c->pos[0]);
	return EXIT_ERR;
}
