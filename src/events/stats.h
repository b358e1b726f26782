/*
 * stats.h — today's call figures per agent and group: the one set of
 * counters every statistics operation reads (agentStatisticDay today).
 *
 * A sink of the event bus: it counts from the call events as they are
 * published, and at start replays today's stored events through the same
 * code, so a restart loses nothing ("today" is the server's local day, as
 * for agentRealtime). Per (team, agent, AgentGroupId) of a call's agent
 * leg (source=AGENT, the agent the bus names first):
 *
 *   total_calls   calls whose agent leg rang (or answered) today: each
 *                 makeCall, each inbound offer (a ring-no-answer counts);
 *   in_answered   dialin calls the agent answered;
 *   out_answered  dialout calls the customer (CALLEE) answered;
 *   talk_ms       from that answer to the agent leg's hangup, the part
 *                 since midnight; a call in progress counts up to now.
 *
 * A leader's supervision leg (source AGENT after another agent answered)
 * and consulted or called agents (CONSULT, CALLEE) are not counted.
 * Calls without an agent (deviceCall from a free phone, backCall) have
 * none to count for.
 */
#ifndef OCC_STATS_H
#define OCC_STATS_H

#include <stdint.h>

struct occ;
struct stats;

struct stats_day {
	unsigned total_calls;
	unsigned in_answered;
	unsigned out_answered;
	int64_t talk_ms;
};

/* Replay today's stored events and subscribe to the bus (without a bus,
 * occ->ev NULL, neither: a unit test feeds stats_event() itself). */
int  stats_alloc(struct stats **sp, struct occ *occ);
/* The sink: count one event (arg: the stats). */
struct event;
void stats_event(const struct event *ev, void *arg);
/* Today's figures of agent in group (zero if none). */
void stats_agent_day(const struct stats *s, int64_t team_id,
		     const char *agent, int64_t group_id, int64_t now,
		     struct stats_day *d);

#endif
