/*
 * acd.h — the ACD: which free agent gets which waiting caller. A pure
 * module: no SIP, no timers, no clock of its own. The host (the SIP layer,
 * a unit test, a simulation) reports what happens, with the time, and
 * carries out the decisions the ACD hands back through callbacks.
 *
 * One central dispatcher, event-driven: every input is decided at once.
 * When an agent becomes free it takes the best caller of all the queues it
 * serves (priority, then longest waiting); when a caller arrives (or
 * becomes eligible for more agents) it gets the best free agent of its
 * queue by the queue's strategy, member levels first. Only time-based
 * things (ring timeout, retry, relaxation steps, maximum wait) need a
 * timer: the ACD asks for one wake-up time (ops.wake) and the host calls
 * acd_tick() then.
 *
 * Invariants (acd_check_invariants() verifies them, for tests): an agent
 * has at most one live offer and is reserved only while it has one; a
 * caller is bridged to at most one agent (the first answer wins, later
 * answers are refused); no free agent stays free while a caller it may
 * serve waits; an agent always takes the best caller it may serve.
 *
 * Callbacks must not call back into the ACD (entry points answer EBUSY /
 * false / NULL then); a host defers, as a SIP stack does anyway. They
 * come from inside the entry point that caused them: an offer for a new
 * caller comes before acd_caller_join() returns (the leg carries the
 * host's pointer).
 * Handles (struct acd_caller/agent/queue) live from their add/join until
 * their remove/leave; the host keeps its own pointer in them (`host`).
 */
#ifndef OCC_ACD_H
#define OCC_ACD_H

#include <stdbool.h>
#include <stdint.h>
#include "inbound/routing.h"

struct acd;
struct acd_queue;
struct acd_agent;
struct acd_caller;

/* One offer: ring agent for caller (one INVITE). */
struct acd_leg {
	struct acd_caller *caller;
	void *caller_host;
	struct acd_agent *agent;
	void *agent_host;
	struct acd_queue *queue;
	void *queue_host;
	uint32_t ring_timeout_ms;  /* the ACD times the offer out itself */
};

enum acd_cancel {
	ACD_CANCEL_ANSWERED,    /* ringall: another agent answered */
	ACD_CANCEL_TIMEOUT,     /* ring timeout: counts as no answer */
	ACD_CANCEL_CALLER_GONE, /* caller left or failed */
	ACD_CANCEL_AGENT_GONE,  /* acd_agent_remove() */
	ACD_CANCEL_RELOAD,      /* the queue is no longer ringall */
};

enum acd_fail {
	ACD_OK = 0,
	ACD_FAIL_MAX_WAIT,      /* waited max_wait_s */
	ACD_FAIL_FULL,          /* join: max_callers reached */
	ACD_FAIL_EMPTY,         /* join: no staffed member, join_empty off */
	ACD_FAIL_LEAVE_EMPTY,   /* the last staffed member left, leave_empty */
};

enum acd_offer_result {
	ACD_NO_ANSWER, ACD_BUSY, ACD_ERROR,
};

struct acd_ops {
	/* ring the agent for the caller */
	void (*offer)(void *arg, const struct acd_leg *leg);
	/* stop ringing (CANCEL); after ACD_CANCEL_TIMEOUT the ACD has
	 * already treated it as ACD_NO_ANSWER */
	void (*cancel_offer)(void *arg, const struct acd_leg *leg,
			     enum acd_cancel why);
	/* the caller leaves the queue to its failure destination; the
	 * handle stays valid until acd_caller_leave() */
	void (*caller_failed)(void *arg, struct acd_caller *c,
			      void *caller_host, enum acd_fail why);
	/* ring-no-answer with autopause: the ACD counts the agent paused
	 * until the host reports otherwise (acd_agent_set) */
	void (*agent_autopause)(void *arg, struct acd_agent *a,
				void *agent_host);
	/* call acd_tick() at at_ms; 0: no timer needed. Only the latest
	 * request counts. */
	void (*wake)(void *arg, uint64_t at_ms);
};

/* seed: the random strategies' generator (deterministic per seed) */
struct acd *acd_new(const struct acd_ops *ops, void *arg, uint64_t seed);
/* Frees everything without callbacks. */
void acd_free(struct acd *acd);

/* Time-based work due at now_ms: ring timeouts, retries, relaxation,
 * maximum wait. */
void acd_tick(struct acd *acd, uint64_t now_ms);

/* ---- queues (one per agent group, by team and queue number) ---- */

/* cfg is copied (member levels and weights included). NULL if the queue
 * exists or on ENOMEM. */
struct acd_queue *acd_queue_add(struct acd *acd, const char *team,
				const struct queue_cfg *cfg, void *host);
/* New settings (a reload): strategy, timeouts, levels, member levels.
 * Walks every caller (a reload is rare). Live offers keep their ring
 * timeout; from ringall, a ringing caller keeps its first offer. */
int  acd_queue_set_cfg(struct acd *acd, struct acd_queue *q,
		       const struct queue_cfg *cfg, uint64_t now_ms);
/* EBUSY while callers are in it (they leave first). */
int  acd_queue_remove(struct acd *acd, struct acd_queue *q);
struct acd_queue *acd_queue_find(const struct acd *acd, const char *team,
				 const char *queue);
void *acd_queue_host(const struct acd_queue *q);

/* ---- agents ---- */

/* What the host knows about an agent. Available for an offer: registered,
 * not busy (in a call the ACD did not make), not paused, not DND, not in
 * ACW, and for a queue: checked in to it with work mode dialin or all. */
struct acd_agent_state {
	bool registered, busy, paused, dnd, acw;
};

struct acd_agent *acd_agent_add(struct acd *acd, const char *team,
				const char *number, void *host);
/* Cancels its offer (cancel_offer), ends its bridge, drops its
 * memberships. */
void acd_agent_remove(struct acd *acd, struct acd_agent *a, uint64_t now_ms);
struct acd_agent *acd_agent_find(const struct acd *acd, const char *team,
				 const char *number);
void *acd_agent_host(const struct acd_agent *a);
int  acd_agent_set(struct acd *acd, struct acd_agent *a,
		   const struct acd_agent_state *st, uint64_t now_ms);

/* Membership: level and weight come from the queue's cfg.members (level
 * 0, weight 1 when not listed); linear and rrmemory follow cfg.members'
 * order, then the order of acd_member_add. */
int  acd_member_add(struct acd *acd, struct acd_queue *q, struct acd_agent *a,
		    uint64_t now_ms);
int  acd_member_remove(struct acd *acd, struct acd_queue *q,
		       struct acd_agent *a, uint64_t now_ms);
/* checked_in: checked in to this group; dialin: work mode dialin or all */
int  acd_member_set(struct acd *acd, struct acd_queue *q, struct acd_agent *a,
		    bool checked_in, bool dialin, uint64_t now_ms);

/* ---- callers ---- */

/* A caller enters queue q with priority prio (higher first), number
 * (caller ID, for the sticky agent; may be "") and join_ms, its place:
 * earlier than now_ms when it comes back from an IVR and keeps its place.
 * Returns ACD_OK and *cp, or ACD_FAIL_FULL / ACD_FAIL_EMPTY /
 * ACD_FAIL_LEAVE_EMPTY (no staffed member and leave_empty: it would leave
 * at once) without a handle, or -1 (ENOMEM, EBUSY). */
int  acd_caller_join(struct acd *acd, struct acd_queue *q, int prio,
		     const char *number, uint64_t join_ms, void *host,
		     uint64_t now_ms, struct acd_caller **cp);
/* The caller is gone (hung up, exit key, moved on, done): its offers are
 * cancelled (ACD_CANCEL_CALLER_GONE), a bridge ends as acd_call_ended()
 * would. Frees the handle. */
void acd_caller_leave(struct acd *acd, struct acd_caller *c, uint64_t now_ms);
void *acd_caller_host(const struct acd_caller *c);
/* 1-based position among the callers of its queue still waiting for an
 * agent (0 when ringing or talking), for announcements. */
unsigned acd_caller_position(const struct acd_caller *c);
/* The position a caller joining q now with prio and join_ms would take
 * (as acd_caller_position counts it), before it is offered anyone: what
 * the host tells of a join. */
unsigned acd_queue_place(const struct acd_queue *q, int prio,
			 uint64_t join_ms);

/* ---- results of offers ---- */

/* The agent answered. True: this answer wins, bridge them (the other
 * offers of a ringall are cancelled). False: the caller has a bridge, is
 * gone or this offer is no longer live — hang this agent leg up. */
bool acd_offer_answered(struct acd *acd, struct acd_caller *c,
			struct acd_agent *a, uint64_t now_ms);
/* The offer failed: the caller goes to the next agent at once, this
 * agent is not offered this caller again for retry_s (1 s if 0); no
 * answer pauses the agent with autopause. Ignored if the offer is not live. */
void acd_offer_failed(struct acd *acd, struct acd_caller *c,
		      struct acd_agent *a, enum acd_offer_result why,
		      uint64_t now_ms);
/* The agent's bridged call ended: its statistics (calls, talk time, end
 * of last call) count once; acw: the agent goes into after-call work
 * (else it is offered the next caller at once). False if the agent had
 * no bridge. */
bool acd_call_ended(struct acd *acd, struct acd_agent *a, bool acw,
		    uint64_t now_ms);

/* ---- counts (queueCustomerNum, announcements) ---- */

struct acd_counts {
	unsigned total, waiting, ringing, talking;
};
/* Callers with priority >= min_prio. */
void acd_queue_counts(const struct acd_queue *q, int min_prio,
		      struct acd_counts *out);
/* Summed over all queues of a team. */
void acd_team_counts(const struct acd *acd, const char *team, int min_prio,
		     struct acd_counts *out);
/* The join time of the queue's longest-waiting caller still waiting for
 * an agent (not ringing one, not talking); 0: nobody waits. */
uint64_t acd_queue_oldest_wait(const struct acd_queue *q);
/* Blending (docs/DIALER.md): would the agent, were it free now, take a
 * waiting caller of a queue it serves (checked in, dialin or all; the
 * caller's level reached and not blocked for it)? The outbound dialer
 * does not count such an agent as free: inbound callers go first. As of
 * the ACD's last entry point (levels relax on its own wake-ups). */
bool acd_agent_awaited(const struct acd *acd, const struct acd_agent *a);
/* The queue's hold time, EWMA with alpha 1/4 as app_queue's. */
uint64_t acd_queue_expected_wait_ms(const struct acd_queue *q);

/* Agent statistics per queue membership and overall. */
struct acd_agent_stats {
	unsigned calls;
	uint64_t talk_ms;
	uint64_t last_end_ms;
};
void acd_agent_stats(const struct acd_agent *a, const struct acd_queue *q,
		     struct acd_agent_stats *out);

/* 0 if every invariant holds, else the number of violations, each
 * described in err (first one). Walks everything: tests only. */
int  acd_check_invariants(const struct acd *acd, uint64_t now_ms,
			  char *err, size_t errsz);

#endif
