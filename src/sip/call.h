/*
 * call.h — calls: a session (sessionid, 32 hex, unique forever) of legs
 * (uniqueid, monotonic and persistent; a channel name) with the media
 * anchored in occd. Today a call has an agent leg and a customer leg; the
 * multi-party issue adds consult and supervisor legs.
 *
 * makeCall (call_make): the agent's extension rings first; when the agent
 * answers, occd dials the target (over the team's trunk, or another agent)
 * and bridges the two. The agent's state follows: ring, busy, then ACW per
 * the group's mode, or idle. Every call is recorded (stereo WAV, agent
 * left, customer right) and leaves a CDR with its legs.
 *
 * Calls never keep pointers into the model (it is replaced on reload): they
 * hold team and agent by name and look them up when they need them.
 */
#ifndef OCC_CALL_H
#define OCC_CALL_H

#include <stdbool.h>
#include <stdint.h>

struct tel;
struct call;

struct call_req {
	const char *team;
	const char *agent;         /* the agent placing the call; "" for a
				    * call without one (deviceCall from a
				    * free phone, backCall): no agent state
				    * changes then */
	const char *agent_exten;   /* the extension that rings first */
	/* backCall: the first leg is agent_exten as a number over the trunk
	 * (named, or the default), not an extension */
	bool first_over_trunk;
	const char *account;       /* billed account (CDR), NULL: none */
	int64_t group_id;          /* for its ACW mode; 0: none */
	int acw_mode;              /* enum acw_mode of that membership */
	const char *target;        /* phone number or agent number */
	bool target_inner;         /* targettype=inner: another agent */
	const char *target_exten;  /* inner: that agent's extension */
	int callee_acw_mode;       /* inner: that agent's own ACW mode */
	bool target_exten_only;    /* inner: target is an extension no
				    * agent's state follows */
	const char *callerid;      /* "" = trunk's */
	/* qbackcall: shown to the first leg (the initiator) instead of
	 * callerid, which the target then sees alone; NULL or "": callerid */
	const char *first_callerid;
	const char *trunk;         /* "" = team default */
	const char *modeltype, *model_id, *userdata;
};

enum call_err {
	CALL_OK = 0,
	CALL_NO_TRUNK,             /* the team has no (such) trunk */
	CALL_NOT_REGISTERED,       /* an extension that must ring is not */
	CALL_OVERLOAD,             /* the loop lags: [call] overload_lag_ms */
	CALL_FAILED,
};

/* occd is overloaded ([call] overload_lag_ms, overload_cpu,
 * overload_media_ms): new calls (makeCall, the dialer's, inbound) are
 * refused. what, team (NULL: unknown yet), key=val: what is refused, for
 * the log (once a second at most, with the count). */
struct conf;
bool call_overloaded(const struct conf *cfg, const char *what,
		     const char *team, const char *key, const char *val);

/* Start a call; *sessionid gets its id. The first leg (an extension, or
 * a number over a trunk) rings first; when it answers, the target. */
enum call_err call_make(struct tel *tel, const struct call_req *req,
			char sessionid[33]);

/* The call an agent is in (as caller or callee), or NULL. */
struct call *call_of_agent(struct tel *tel, const char *team,
			   const char *agent);
struct call *call_by_session(struct tel *tel, const char *sessionid);
const char *call_sessionid(const struct call *c);
/* Whom agent talks with in c: the customer's (or target's) number, or
 * the agent who called or consulted it. */
const char *call_party(const struct call *c, const char *agent);

enum call_target { TARGET_ALL, TARGET_AGENT, TARGET_CALLER };
/* Hang up the agent's leg, the customer's leg, or the whole call. */
int  call_hangup(struct call *c, enum call_target t, const char *by);
/* Hang up the leg with this uniqueid in the team; ENOENT if none. */
int  call_hangup_leg(struct tel *tel, const char *team, int64_t uniqueid);

/* Is the call a plain agent-customer conversation (both legs up)? */
bool call_two_party(const struct call *c);
bool call_on_hold(const struct call *c);
int  call_hold(struct call *c, bool silence);
int  call_resume(struct call *c);
/* DTMF to the customer as RFC 4733 telephone-events. */
int  call_send_dtmf(struct call *c, const char *digits);
int  call_set_var(struct call *c, const char *name, const char *value);

/* yealinkAnswer (sip/answer.c): answer the phone that rings for agent
 * of team from afar. The phone leg ringing for the agent (its own call,
 * an inner call or consult to it, an inbound offer) gets a NOTIFY:
 * BroadSoft's `Event: talk` in the INVITE's dialog (Call-ID, tags, to the
 * Contact of its 180), or with action_uri Yealink's out-of-dialog
 * `Event: ACTION-URI` with `key=OK`; a built-in phone answers at once.
 * where gets the phone's address (host of the request URI, "built-in").
 * ENOENT: nothing rings for the agent; EADDRNOTAVAIL: no address to send
 * to; else the send's error. The phone's answer to the NOTIFY is logged:
 * success means the request went out, the INVITE's 200 answers the call. */
int  call_remote_answer(struct tel *tel, const char *team, const char *agent,
			bool action_uri, char *where, size_t sz);

/* occd is stopping: end every call now, CDRs and agent states included. */
void call_shutdown_all(struct tel *tel);
/* The same for one team's calls (several nodes: the team leaves). */
void call_shutdown_team(struct tel *tel, const char *team);

/* monitorCtrl: a recording segment of the call, beside its whole-call
 * recording, in a file of its own named like the call's (file gets the
 * name). start: EALREADY while one is open, EINVAL before anybody talks;
 * stop: ENOENT without one. A segment still open at the end is closed. */
int  call_segment_start(struct call *c, char *file, size_t sz);
int  call_segment_stop(struct call *c, char *file, size_t sz);

/* Consult: the customer waits (music on hold), the agent talks to another
 * agent (inner: target is its number, exten its extension) or a number
 * over a trunk. EALREADY when consulting already, EINVAL when the call is
 * not an agent-customer conversation, other errors when the target cannot
 * be dialled (the customer is back with the agent then). */
struct consult_req {
	bool inner;
	const char *target;
	const char *exten;
	const char *trunk;           /* "" = default */
	int acw_mode;                /* inner: the consulted agent's own ACW
				      * mode, for its state after the consult */
};
int  call_consult(struct call *c, const struct consult_req *r);
bool call_consulting(const struct call *c);
/* The customer to the consulted party; the agent leaves (ACW per mode). */
int  call_transfer(struct call *c);
/* Drop the consulted party; the customer is back with the agent. */
int  call_consult_return(struct call *c);
/* Agent, customer and consulted party all hear each other. */
int  call_conference(struct call *c);
/* Hang up the consulted party (uniqueid 0: whichever there is). */
int  call_hangup_consult(struct call *c, int64_t uniqueid);

/* Supervision by a group leader reached at `number` (an extension of the
 * team when exten is set, else a number over the default trunk):
 * monitor (the leader hears both, nobody hears the leader), whisper (the
 * agent hears the leader too), barge-in (everybody hears everybody).
 * EALREADY when the call has a supervisor, EINVAL when nobody talks yet. */
enum supervise_mode { SUP_MONITOR, SUP_WHISPER, SUP_BARGE };
int  call_supervise(struct call *c, enum supervise_mode mode,
		    const char *leader, const char *number, const char *exten);
/* Is WHO (an agent number or account name) in the call already: its
 * agent, called or consulted agent; or is EXTEN (the phone a supervision
 * would ring) one of its legs' already? A leader cannot supervise such a
 * call (BackMsg_28[target]); one supervised already: call_supervise's
 * EALREADY (the op's failure code). */
bool call_involves(const struct call *c, const char *who, const char *exten);
/* The leader supervising the call (answered), and how; NULL when none. */
const char *call_supervisor(const struct call *c, enum supervise_mode *mode);
/* End the supervision (hangup target=groupadmin). */
int  call_hangup_supervisor(struct call *c);
/* Is the call past ringing (somebody talks)? */
bool call_talking(const struct call *c);

/* agentToIvr: the customer into the IVR whose main flow has internal
 * number ivrexten, at the menu the keys of ivrflow ("1-2-5") reach.
 * suspend: the agent waits (hearing nothing) and has the customer back
 * when the IVR ends; else the agent leaves (after-call state) and the
 * customer goes on where the IVR leads. EBUSY consulting (BackMsg_104),
 * EPERM a release in a conference (105), ENOENT no such IVR (106),
 * EINVAL a bad ivrflow (107), ENOTCONN nobody to transfer (92). */
int  call_to_ivr(struct call *c, const char *ivrexten, const char *ivrflow,
		 bool suspend);

/* at most how many calls the engine runs at once (for tests/bench) */
unsigned call_count(const struct tel *tel);

#endif
