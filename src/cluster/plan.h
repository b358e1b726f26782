/*
 * plan.h — what a node does with the teams' leases on each tick, decided
 * from one snapshot of the occ_node and occ_team_lease rows (no I/O here;
 * cluster.c applies it). docs/ARCHITECTURE.md, "Several nodes".
 *
 *   - a team this node holds that another live node is wanted for:
 *     release it (occctl node move, or balancing below);
 *   - a team without a live lease: claim it if it is wanted here, or if
 *     it is wanted by nobody (or by a dead node) and this node holds
 *     fewer than its share, ceil(teams / live nodes);
 *   - balancing: a node hands one team a tick to the live node holding
 *     fewest, when that one holds at least two fewer and started
 *     recently (a node joining; so a team
 *     moved by hand, which may leave a node under its share, stays
 *     where it was put), by setting the team's wanted node.
 */
#ifndef OCC_CLUSTER_PLAN_H
#define OCC_CLUSTER_PLAN_H

#include <stdbool.h>
#include <stddef.h>

struct cl_node {
	const char *name;
	bool alive;               /* heartbeat within the lease time */
	bool fresh;               /* started within the last 3 leases */
};

struct cl_lease {
	const char *team;
	const char *node;         /* "" if never held */
	bool live;
	const char *wanted;       /* "" if none */
};

enum cl_kind { CL_CLAIM, CL_RELEASE, CL_WANT };

struct cl_action {
	enum cl_kind kind;
	const char *team;
	const char *node;         /* CL_WANT: the node wanted */
};

/* Fill at most max actions for node me; returns how many. */
size_t cluster_plan(const char *me, const struct cl_node *nodes, size_t nn,
		    const struct cl_lease *leases, size_t nl,
		    struct cl_action *out, size_t max);

#endif
