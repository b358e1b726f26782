/*
 * callev.h — the manual's call event (API.md §6), field for field:
 *
 *   calleridnum didnumber activenum source event uniqueid sessionid
 *   eventTime AgentTeamId modeltype model_id AgentGroupId calltype channel
 *   from, then occ's additions userdata and (by the bus) eventid,
 *   each "key=value&".
 *
 * Values are written as the manual shows them (eventTime has a space,
 * channels have '/' and '@'), except that '%', '&' and '=' — which would
 * break the key=value&... format — and control characters are percent-
 * encoded; userdata is percent-encoded the same way.
 */
#ifndef OCC_CALLEV_H
#define OCC_CALLEV_H

#include <stdint.h>

struct mbuf;

struct call_event {
	const char *calleridnum;   /* the customer's number */
	const char *didnumber;     /* "" for outbound */
	const char *activenum;     /* the source party's number */
	const char *source;        /* AGENT CALLER CALLEE CONVERSATION CONSULT
				    * QUEUE IVR */
	const char *event;         /* ringing answer hangup join incoming
				    * onhold resume */
	int64_t uniqueid;          /* 0 for CONVERSATION */
	const char *sessionid;
	int64_t ts_ms;
	int64_t team_id;
	const char *modeltype, *model_id;
	int64_t group_id;
	const char *calltype;      /* dialout | dialin: dialin prints the
				    * manual's inbound shapes (below) */
	const char *channel;
	const char *userdata;
	/* occ's own sources (API.md, Events): QUEUE join/leave, IVR input */
	const char *queuenumber;
	unsigned position;
	int prio;
	const char *reason;        /* QUEUE leave */
	unsigned waittime;         /* QUEUE leave: seconds in the queue */
	const char *flow, *node, *digits, *result;    /* IVR input */
};

/* Outbound (and anything not dialin): every field above, in the order
 * above, each "key=value&".
 * Inbound (calltype dialin), the manual's shapes (API.md §6.3, events
 * 8-13): CALLER/incoming has only source event modeltype uniqueid
 * model_id from sessionid channel; the other legs' events calleridnum ...
 * AgentGroupId from channel, without calltype; CONVERSATION ends with
 * channel= and from=dialin. userdata follows where the call has any (occ's
 * addition, as outbound). Every field ends with '&' (the manual leaves
 * it off the legs' events, but the bus appends eventid=N&).
 * occ's own sources, whatever the calltype (the manual has none):
 *   QUEUE join:  calleridnum didnumber source event uniqueid sessionid
 *                eventTime AgentTeamId AgentGroupId queuenumber position
 *                prio from
 *   QUEUE leave: ... AgentGroupId queuenumber reason position waittime from
 *   IVR input:   ... AgentTeamId flow node digits result from
 * (uniqueid: the caller's leg). */
int call_event_print(struct mbuf *mb, const struct call_event *ce);
/* "key=value&" with value escaped as above */
int event_field(struct mbuf *mb, const char *key, const char *value);
/* eventTime: local "YYYY-MM-DD hh:mm:ss" */
void event_time(char out[20], int64_t ts_ms);

#endif
