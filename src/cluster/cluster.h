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
/* Where a request for team goes now:
 *   CLUSTER_HERE     this node serves it;
 *   CLUSTER_FORWARD  another live node holds its lease: *httpp is that
 *                    node's http_address (valid until the next tick);
 *   CLUSTER_BUSY     it exists but no live node holds it (a takeover under
 *                    way), or the store cannot tell now: answer a
 *                    retryable busy, never "no such team";
 *   CLUSTER_UNKNOWN  no such team.
 * The last tick's view answers when it names a live owner and is at most
 * a tick old; otherwise the team's lease row is read again (at most every
 * CLUSTER_REFRESH_MS per team, CLUSTER_REFRESH_MAX a second in all, none
 * after a failed read until a tick reads the store again).
 * failed: the http_address that just failed to answer for team (or
 * NULL): the row is read again and that node is not given. */
enum cluster_route { CLUSTER_HERE, CLUSTER_FORWARD, CLUSTER_BUSY,
		     CLUSTER_UNKNOWN };
enum { CLUSTER_REFRESH_MS = 100, CLUSTER_REFRESH_MAX = 200 };
enum cluster_route cluster_route(struct cluster *c, const char *team,
				 const char *failed, const char **httpp);
/* The name of the team with this id (as of the last tick), else NULL. */
const char *cluster_team_name(const struct cluster *c, int64_t team_id);
const char *cluster_node(const struct cluster *c);
void cluster_stats(const struct cluster *c, struct cluster_stats *out);

#endif
