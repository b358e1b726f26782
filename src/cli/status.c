/*
 * status.c — `occctl status`: per team, every agent's login, device,
 * state and group check-ins; then the registrations of each agent's device
 * extension (the one in use, else the agent's default), followed by the
 * team's extensions no agent uses. A registration whose expiry has passed
 * counts as none: occd may not have removed it yet.
 */
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "core/agent_state.h"
#include "cli/occctl.h"

/* "1 Sales: in (leader); 2 Support: out (dynamic)" */
static void groups_of(char *buf, size_t size, const struct snap *s,
		      int64_t agent_id)
{
	static const char *const flags[2][2] = {
		{ "", " (dynamic)" }, { " (leader)", " (leader, dynamic)" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->nmember && n < size; i++) {
		const struct st_member *m = &s->member[i];
		const struct st_group *g = group_by_id(s, m->group_id);
		if (m->agent_id != agent_id || !g)
			continue;
		n += (size_t)snprintf(buf + n, size - n, "%s%lld %s: %s%s",
			n ? "; " : "", (long long)g->id, g->name,
			m->checked_in ? "in" : "out",
			flags[m->leader][m->dynamic]);
	}
}

/* The extension an agent is reached on: its device, else its default. */
static const char *device_of(const struct snap *s, const struct st_agent *a)
{
	const struct st_agent_state *st = state_of(s, a->id);

	return st && st->device[0] ? st->device : a->exten;
}

/* One row per live binding of exten, or one saying there is none. */
static void reg_rows(struct tbl *t, const struct snap *s, int64_t team_id,
		     const char *exten, const char *agent, int64_t now)
{
	const struct st_exten *e = exten_of(s, team_id, exten);
	bool any = false;

	for (size_t i = 0; i < s->nreg; i++) {
		const struct st_registration *r = &s->reg[i];
		char left[48];
		if (r->team_id != team_id || strcmp(r->exten, exten) ||
		    r->expires_ms <= now)
			continue;
		snprintf(left, sizeof(left), "expires in %llds",
			 (long long)((r->expires_ms - now + 999) / 1000));
		tbl_row(t, exten, agent, r->contact, r->source, left);
		any = true;
	}
	if (!any)
		tbl_row(t, exten, agent, "", "",
			!e ? "no such extension" :
			!strcmp(e->kind, "virtual") ? "virtual" :
			"not registered");
}

static void status_regs(const struct snap *s, const struct st_team *team)
{
	struct tbl t = { .ncol = 5 };
	int64_t now = wall_ms();

	tbl_row(&t, "EXTEN", "AGENT", "CONTACT", "SOURCE", "REGISTRATION");
	for (size_t i = 0; i < s->nagent; i++) {
		const struct st_agent *a = &s->agent[i];
		const char *dev = device_of(s, a);
		if (a->team_id == team->id && *dev)
			reg_rows(&t, s, team->id, dev, a->number, now);
	}
	for (size_t i = 0; i < s->nexten; i++) {
		const struct st_exten *e = &s->exten[i];
		bool used = false;
		if (e->team_id != team->id)
			continue;
		for (size_t j = 0; j < s->nagent && !used; j++) {
			used = s->agent[j].team_id == team->id &&
			       !strcmp(device_of(s, &s->agent[j]), e->number);
		}
		if (!used)
			reg_rows(&t, s, team->id, e->number, "", now);
	}
	if (t.nrow < 2) {
		tbl_free(&t);    /* no agents, no extensions: nothing to say */
		return;
	}
	printf("\n");
	tbl_print(&t);
}

static void status_team(const struct snap *s, const struct st_team *team)
{
	struct tbl t = { .ncol = 8 };

	printf("team %s\n", team->name);
	tbl_row(&t, "AGENT", "NAME", "LOGIN", "DEVICE", "STATE", "REASON",
		"SINCE", "GROUPS");
	for (size_t i = 0; i < s->nagent; i++) {
		const struct st_agent *a = &s->agent[i];
		const struct st_agent_state *st;
		char since[32], groups[512];
		if (a->team_id != team->id)
			continue;
		st = state_of(s, a->id);
		groups_of(groups, sizeof(groups), s, a->id);
		tbl_row(&t, a->number, a->name,
			st && st->logged_in ? "yes" : "no",
			st ? st->device : "",
			agent_state_name(st ? (enum agent_state)st->state
					 : AS_LOGOUT),
			st ? st->pause_reason : "",
			st ? local_time(since, st->since_ms) : "", groups);
	}
	tbl_print(&t);
	status_regs(s, team);
}

int h_status(struct ctx *c)
{
	const struct st_team *only = NULL;

	if (snap_load(c))
		return EXIT_ERR;
	if (c->pos[0] && !(only = find_team(&c->snap, c->pos[0]))) {
		fprintf(stderr, "occctl: no such team: %s\n", c->pos[0]);
		return EXIT_ERR;
	}
	for (size_t i = 0; i < c->snap.nteam; i++) {
		const struct st_team *t = &c->snap.team[i];
		if (only && only != t)
			continue;
		if (!only && i)
			printf("\n");
		status_team(&c->snap, t);
	}
	return 0;
}
