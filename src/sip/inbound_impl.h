/*
 * inbound_impl.h — what inbound.c (routing, offers, destinations) and
 * acdhost.c (the ACD's host: its queues, agents and callbacks) share.
 */
#ifndef OCC_INBOUND_IMPL_H
#define OCC_INBOUND_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>
#include "inbound/routing.h"
#include "store/store.h"

struct call;
struct leg;
struct sip_msg;
struct team;
struct tel;
struct acd_caller;
struct acd_agent;
struct agent;
struct ivr;
struct ivrhttp;
struct player;

/* An agent leg ringing for the caller, not yet the call's agent. */
struct offer {
	struct le le;
	struct leg *leg;
	int64_t group_id;
	int acw_mode;
	struct acd_agent *acd_agent;   /* an ACD offer: its agent */
};

struct inbound {
	struct call *c;
	const struct routing *rt;    /* the team's when the call came in (a
				      * reference: a reload swaps the team's,
				      * not this) */
	struct inbound_out route;
	struct list offers;          /* struct offer */
	char trunk[ST_NAME];
	char path[256];              /* how the call went, for the CDR */
	/* in a queue */
	struct acd_caller *qc;
	char queue[ST_NUM];
	int64_t group_id;
	uint64_t join_ms;            /* kept when it comes back to a queue */
	bool queue_told;             /* a QUEUE join told, its leave not */
	int64_t queue_told_ms;
	const char *leave_reason;    /* why it leaves the queue (static) */
	struct tmr ann_tmr;          /* the next announcement */
	uint64_t wait_from;          /* this visit's join, for the CDR; 0
				      * once its wait is written */
	struct tmr tmr;              /* deferred steps */
	struct dest next;            /* ... and where they lead */
	/* in an IVR */
	struct ivr *ivr;
	struct tmr ivr_tmr;
	struct ivrhttp *http;
	bool suspended;              /* agentToIvr transfer=1: the agent
				      * waits for the caller to come back */
	/* a prompt playing to the caller, and who hears of its end */
	struct player *prompt;
	void (*prompt_done)(void *arg);
};

/* inbound.c */
struct inbound *inbound_attach(struct call *c);
int  offer_ring(struct inbound *in, const char *exten, const char *agent,
		int64_t group_id, int acw_mode, unsigned ring_s,
		struct offer **op);
void offer_drop(struct inbound *in, struct offer *o);
void offer_won(struct inbound *in, struct offer *o);
/* Send the call to d now, or from the loop (inside an ACD callback). */
void inbound_go(struct inbound *in, const struct dest *d);
void inbound_go_later(struct inbound *in, const struct dest *d);
void inbound_hold_music(struct inbound *in, const char *prompt);
/* Play a prompt of the routing (lang "" = its first) to the caller once;
 * done(in) from the loop when it ended (a missing file plays as a moment
 * of silence and is logged once). */
void inbound_play(struct inbound *in, const char *prompt, const char *lang,
		  void (*done)(void *arg));
/* The same for a list of n prompts (at most PLAYER_PROMPT_FILES). */
void inbound_play_list(struct inbound *in, const char *const prompts[],
		       size_t n, const char *lang, void (*done)(void *arg));
void inbound_play_stop(struct inbound *in);

/* Answer a call that routing sent to team t (refused with 403 or 480 when
 * out says hang up), caller cid dialling did over trunk ("": an allowed
 * peer, a phone of the team). */
void inbound_answer(struct tel *tel, const struct sip_msg *msg,
		    struct team *t, enum inbound_verdict v,
		    const struct inbound_out *out, const char *trunk,
		    const char *did, const char *cid);

/* internal.c: calls from the teams' own phones */
/* Is msg a phone's call: with credentials, or from where a phone
 * registered? */
bool internal_claims(struct tel *tel, const struct sip_msg *msg);
/* Authenticate the phone (407, 403) and route number inside its team:
 * IVR numbers, queues, extensions, agents, then the team's DIDs; 404
 * else (never a trunk). */
void internal_invite(struct tel *tel, const struct sip_msg *msg,
		     const char *number);

/* inboundev.c: occ's own events (QUEUE join/leave, IVR input) */
void inbound_tell_join(struct inbound *in, unsigned position, int prio);
/* once per join; reason answered, abandon, timeout, empty, exit, full,
 * system */
void inbound_tell_leave(struct inbound *in, const char *reason,
			unsigned position);
void inbound_tell_input(struct inbound *in, const char *flow,
			const char *node, const char *digits,
			const char *result);

/* announce.c: position and expected wait for a waiting caller */
void announce_arm(struct inbound *in);
void announce_stop(struct inbound *in);

/* ivrhost.c */
int  ivrhost_enter(struct inbound *in, const struct ivr_flow *f,
		   const struct ivr_node *n);
void ivrhost_leave(struct inbound *in);

/* acdhost.c */
/* the extension an agent's calls ring: the one it checked in with, else
 * its own; is it registered (or built in)? */
const char *agent_device(const struct agent *a);
bool agent_device_up(struct tel *tel, const struct agent *a);
int  acdhost_init(struct tel *tel);
void acdhost_close(struct tel *tel);
/* the model was (re)loaded: queues, agents and memberships follow it */
void acdhost_sync(struct tel *tel);
/* a phone registered, or its last binding went */
void acdhost_device_changed(struct tel *tel, const char *team,
			    const char *exten);
/* The caller waits in queue (team's queue number) with priority prio:
 * 0, or ENOENT (no such queue), or the acd_fail reason as a negative. */
int  acdhost_join(struct inbound *in, const char *queue, int prio);
void acdhost_leave(struct inbound *in);
/* The caller's position now (0: an agent's phone rings for it) and the
 * queue's expected wait (0 = unknown); false if it is not waiting. */
bool acdhost_wait_info(struct inbound *in, unsigned *position,
		       uint64_t *holdtime_ms);
/* True the first time since the last reload for the caller's queue: a
 * problem of its announcements is logged once. */
bool acdhost_first_warning(struct inbound *in);
/* An ACD offer's leg answered: true if it wins. */
bool acdhost_answered(struct inbound *in, struct offer *o);
/* An ACD offer's leg (to agent a) ended without the ACD asking. */
void acdhost_offer_failed(struct inbound *in, struct acd_agent *a,
			  uint16_t scode);
/* The bridged call with the ACD's agent ended. */
void acdhost_call_ended(struct inbound *in, bool acw);
/* Blending: would the agent, free now, take a caller waiting in a queue
 * it serves? (acd_agent_awaited; false for an agent the ACD lacks) */
bool acdhost_agent_awaited(struct tel *tel, const char *team,
			   const char *number);
/* Counts for queueCustomerNum: queue "" or "0" = all of the team's. */
/* dialerhost.c: the campaigns' dialers (docs/DIALER.md, "The host") */
int  dialerhost_init(struct tel *tel);
void dialerhost_close(struct tel *tel);

int  acdhost_counts(struct tel *tel, const char *team, const char *queue,
		    int min_prio, unsigned *total, unsigned *ringing,
		    unsigned *waiting, unsigned *talking);

#endif
