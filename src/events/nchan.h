/*
 * nchan.h — publishing events to nginx + nchan for large fan-out.
 *
 * With [push] nchan_publish_url set, every event is POSTed (the message
 * text as is, text/plain) to
 *
 *   <nchan_publish_url>/team-<orgidentity>             every event of the team
 *   <nchan_publish_url>/agent-<orgidentity>-<number>   events concerning the
 *                                                      agent (agent1, agent2)
 *
 * and nginx serves any number of subscribers on those channels
 * (docs/nginx-nchan.conf). Fire-and-forget: a bounded queue ([push]
 * nchan_queue) feeds a few connections ([push] nchan_connections); a
 * channel always goes through the same connection, so each channel stays
 * in eventid order. When nginx is down or slow, messages fail or are
 * dropped (counted and logged) — the durable paths are the event log
 * (browser push resumes after an eventid) and the backend POST.
 */
#ifndef OCC_NCHAN_H
#define OCC_NCHAN_H

#include <stddef.h>
#include <stdint.h>

struct occ;
struct nchan;

/* *ncp = NULL (and 0) when nchan_publish_url is empty; EINVAL when it is
 * not a usable http(s) URL. Registers with the event bus (occ->ev). */
int  nchan_alloc(struct nchan **ncp, struct occ *occ);

/* For /metrics: messages waiting (in flight included), and counted since
 * the start. nc may be NULL (not configured): all zero. */
struct nchan_stats {
	unsigned queued;
	uint64_t published, failed, dropped;
};
void nchan_stats(const struct nchan *nc, struct nchan_stats *out);

/* The channel names (also used by tests and docs). */
int  nchan_team_channel(char *out, size_t size, const char *team);
int  nchan_agent_channel(char *out, size_t size, const char *team,
			 const char *agent);

#endif
