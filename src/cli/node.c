/*
 * node.c — several nodes (docs/ARCHITECTURE.md, "Several nodes"): the
 * nodes sharing this PostgreSQL store and the teams each holds
 * (node list), and handing a team over to another node (node move: its
 * owner ends the team's calls and lets go of the lease at its next tick,
 * then the wanted node claims it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "cli/occctl.h"

enum { ALIVE_MS = 30000 };   /* no heartbeat for this long: dead */

struct node_row {
	struct st_node n;
	unsigned teams;
	char names[256];
};

struct listing {
	struct node_row rows[64];
	size_t n;
	size_t teams, free_teams;
};

static void on_node(const struct st_node *n, void *arg)
{
	struct listing *l = arg;

	if (l->n < sizeof(l->rows) / sizeof(l->rows[0]))
		l->rows[l->n++].n = *n;
}

static void on_lease(const struct st_lease *ls, void *arg)
{
	struct listing *l = arg;

	l->teams++;
	if (!ls->live) {
		l->free_teams++;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		struct node_row *r = &l->rows[i];
		size_t used = strlen(r->names);
		if (strcmp(r->n.name, ls->node))
			continue;
		r->teams++;
		if (used + strlen(ls->team) + 2 < sizeof(r->names))
			snprintf(r->names + used, sizeof(r->names) - used,
				 "%s%s", used ? "," : "", ls->team);
	}
}

static int cluster_err(int err)
{
	if (err == ENOTSUP)
		return check(err, "several nodes need [store] backend = "
			     "postgresql");
	return check(err, "reading the cluster");
}

int h_node_list(struct ctx *c)
{
	struct listing *l = calloc(1, sizeof(*l));
	struct tbl t = { .ncol = 7 };
	int err;

	if (!l)
		return check(ENOMEM, "listing");
	err = store_cluster_visit(c->st, on_node, on_lease, l);
	if (err) {
		free(l);
		return cluster_err(err);
	}
	tbl_row(&t, "NODE", "SIP", "HTTP", "HEARTBEAT", "ALIVE", "TEAMS",
		"OWNS");
	for (size_t i = 0; i < l->n; i++) {
		const struct node_row *r = &l->rows[i];
		char age[32], teams[24];
		snprintf(age, sizeof(age), "%.1fs ago",
			 (double)r->n.age_ms / 1000.0);
		tbl_row(&t, r->n.name, r->n.sip_address, r->n.http_address,
			age, r->n.age_ms < ALIVE_MS ? "yes" : "no",
			i64s(teams, r->teams), r->names);
	}
	tbl_print(&t);
	fprintf(cli_out, "%zu teams, %zu without a live lease\n", l->teams,
		l->free_teams);
	free(l);
	return t.oom ? check(ENOMEM, "listing") : 0;
}

int h_node_move(struct ctx *c)
{
	struct listing *l = calloc(1, sizeof(*l));
	bool known = false;
	int err;

	if (!l)
		return check(ENOMEM, "moving");
	err = store_cluster_visit(c->st, on_node, NULL, l);
	for (size_t i = 0; !err && i < l->n; i++)
		known |= !strcmp(l->rows[i].n.name, c->pos[1]);
	free(l);
	if (err)
		return cluster_err(err);
	if (!known)
		return check(ENOENT, "no node '%s' (occctl node list)",
			     c->pos[1]);
	err = store_lease_want(c->st, c->pos[0], c->pos[1]);
	if (err == ENOENT)
		return check(err, "no team '%s'", c->pos[0]);
	if (err)
		return check(err, "moving team '%s'", c->pos[0]);
	fprintf(cli_out, "team %s: asked to move to %s (its owner lets go "
		"within a third of a lease)\n", c->pos[0], c->pos[1]);
	return 0;
}
