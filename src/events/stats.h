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
 *
 * Per (team, AgentGroupId) of a queue, from its QUEUE leave events and
 * its dialin agent legs (queueStatistic, the wallboard):
 *
 *   answered      callers who left the queue to an agent (reason
 *                 answered), with their waits (the event's waittime,
 *                 whole seconds) summed and counted per second up to
 *                 STATS_WAIT_MAX for any service-level threshold;
 *   abandoned     callers who hung up while waiting or ringing;
 *   other         callers who left otherwise (timeout, full, exit...);
 *   handled, handle_ms  dialin agent legs of the group that talked,
 *                 and their talk time (ended legs: an average handle time).
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

enum { STATS_WAIT_MAX = 600 };

struct stats_queue {
	unsigned answered, abandoned, other;
	uint64_t wait_s;                    /* of the answered */
	unsigned answered_by[STATS_WAIT_MAX + 1]; /* by wait; last: longer */
	unsigned handled;
	int64_t handle_ms;
};

/* Replay today's stored events and subscribe to the bus (without a bus,
 * occ->ev NULL, neither: a unit test feeds stats_event() itself). */
int  stats_alloc(struct stats **sp, struct occ *occ);
/* Several nodes: team t is served here now (a takeover). Its figures
 * are counted again from its stored events of today, as at start: the
 * previous owner's calls count, nothing twice. */
struct team;
void stats_team_restore(struct stats *s, const struct team *t);
/* The sink: count one event (arg: the stats). */
struct event;
void stats_event(const struct event *ev, void *arg);
/* Today's figures of agent in group (zero if none). */
void stats_agent_day(const struct stats *s, int64_t team_id,
		     const char *agent, int64_t group_id, int64_t now,
		     struct stats_day *d);

/* Today's figures of the queue of group_id (zero if none). */
void stats_queue_day(const struct stats *s, int64_t team_id,
		     int64_t group_id, int64_t now, struct stats_queue *q);
/* Of those, the answered callers who waited at most secs. */
unsigned stats_answered_within(const struct stats_queue *q, unsigned secs);

#endif
