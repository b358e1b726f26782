/*
 * cluster.h — several nodes on one PostgreSQL store ([cluster] enabled):
 * this node's heartbeat, the leases of the teams it serves, their renewal
 * (the fence: a node whose renewals have failed for more than half a
 * lease stops serving everything), claims and hand-overs as plan.h
 * decides, every lease/3 s on the loop. docs/ARCHITECTURE.md, "Several
 * nodes".
 */
#ifndef OCC_CLUSTER_H
#define OCC_CLUSTER_H

#include <stdbool.h>
#include <stdint.h>

struct occ;
struct cluster;

struct cluster_hooks {
	/* before team stops being served here: end its calls, drop its
	 * registrations (the model still holds it) */
	void (*unserve)(const char *team, void *arg);
	/* the set of teams served changed: load the model again */
	void (*reload)(void *arg);
	/* after the reload, for a team now served here: close what its
	 * previous owner left open, continue its event ids */
	void (*serve)(const char *team, void *arg);
	void *arg;
};

struct cluster_stats {
	unsigned teams_owned;
	uint64_t renew_failures;   /* renewals (or heartbeats) that failed */
	uint64_t takeovers;        /* teams claimed from another node */
	uint64_t claims;           /* teams claimed, all */
	uint64_t releases;         /* teams let go or lost */
};

int  cluster_alloc(struct cluster **cp, struct occ *occ,
		   const struct cluster_hooks *h);
/* occd stops: every team served is let go (calls ended through the
 * unserve hook, lease released so another node claims it at once). */
void cluster_leave(struct cluster *c);
/* Is team served by this node? */
bool cluster_serves(const struct cluster *c, const char *team);
/* The http_address of team's owner when that is another live node
 * (as of the last tick), else NULL. */
const char *cluster_owner_http(const struct cluster *c, const char *team);
/* The name of the team with this id (as of the last tick), else NULL. */
const char *cluster_team_name(const struct cluster *c, int64_t team_id);
const char *cluster_node(const struct cluster *c);
void cluster_stats(const struct cluster *c, struct cluster_stats *out);

#endif
