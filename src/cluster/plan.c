/*
 * plan.c — the lease decisions of plan.h, pure.
 */
#include <string.h>
#include "cluster/plan.h"

static bool node_alive(const struct cl_node *nodes, size_t nn,
		       const char *name)
{
	for (size_t i = 0; i < nn; i++)
		if (!strcmp(nodes[i].name, name))
			return nodes[i].alive;
	return false;
}

static size_t held_by(const struct cl_lease *leases, size_t nl,
		      const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < nl; i++)
		if (leases[i].live && !strcmp(leases[i].node, name))
			n++;
	return n;
}

size_t cluster_plan(const char *me, const struct cl_node *nodes, size_t nn,
		    const struct cl_lease *leases, size_t nl,
		    struct cl_action *out, size_t max)
{
	size_t alive = 0, mine = held_by(leases, nl, me), share, n = 0;
	const char *least = NULL;
	size_t least_n = 0;
	bool wanting = false;

	for (size_t i = 0; i < nn; i++)
		alive += nodes[i].alive;
	if (!node_alive(nodes, nn, me))
		alive++;                 /* not yet seen in the snapshot */
	share = (nl + alive - 1) / alive;

	for (size_t i = 0; i < nl && n < max; i++) {
		const struct cl_lease *l = &leases[i];
		bool wanted_elsewhere = l->wanted[0] && strcmp(l->wanted, me) &&
			node_alive(nodes, nn, l->wanted);
		if (l->live && !strcmp(l->node, me)) {
			if (wanted_elsewhere)
				out[n++] = (struct cl_action){ CL_RELEASE,
							       l->team, NULL };
			wanting |= l->wanted[0] != '\0';
			continue;
		}
		if (l->live || wanted_elsewhere)
			continue;
		if (!strcmp(l->wanted, me) || mine < share) {
			out[n++] = (struct cl_action){ CL_CLAIM, l->team,
						       NULL };
			mine++;
		}
	}
	/* balancing: one team a tick, and none while one is on its way */
	if (wanting || n >= max)
		return n;
	for (size_t i = 0; i < nn; i++) {
		size_t h;
		if (!nodes[i].alive || !nodes[i].fresh ||
		    !strcmp(nodes[i].name, me))
			continue;
		h = held_by(leases, nl, nodes[i].name);
		if (h + 2 <= mine && (!least || h < least_n)) {
			least = nodes[i].name;
			least_n = h;
		}
	}
	for (size_t i = 0; least && i < nl; i++) {
		const struct cl_lease *l = &leases[i];
		if (l->live && !strcmp(l->node, me)) {
			out[n++] = (struct cl_action){ CL_WANT, l->team,
						       least };
			break;
		}
	}
	return n;
}
