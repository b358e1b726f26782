/*
 * inboundev.c — occ's own events of a caller (docs/API.md, Events): it
 * joins and leaves a queue (source QUEUE), it gives an IVR an input
 * (source IVR). The manual has none of these; their shapes are in
 * events/callev.h. They go to the team's channel (and an agent's, for an
 * IVR input of a call the agent sent there with agentToIvr).
 */
#include <string.h>
#include <re.h>
#include "core/model.h"
#include "core/occ.h"
#include "events/callev.h"
#include "events/events.h"
#include "sip/call.h"
#include "sip/tel_impl.h"
#include "sip/call_impl.h"
#include "sip/inbound_impl.h"

static void publish(struct inbound *in, struct call_event *ce,
		    const char *agent)
{
	struct call *c = in->c;
	const struct leg *cu = c->legs[ROLE_CUSTOMER];
	struct events *evs = c->tel->occ->ev;
	struct mbuf *mb;

	if (!evs)
		return;
	mb = mbuf_alloc(384);
	if (!mb)
		return;
	ce->calleridnum = c->req.target;
	ce->didnumber = c->did;
	ce->uniqueid = cu ? cu->uniqueid : 0;
	ce->sessionid = c->sessionid;
	ce->ts_ms = now_ms();
	ce->team_id = c->cdr.team_id;
	ce->calltype = c->dialin ? "dialin" : "dialout";
	if (!call_event_print(mb, ce) && !mbuf_write_u8(mb, 0))
		events_publish(evs, c->team, agent, NULL,
			       (const char *)mb->buf);
	mem_deref(mb);
}

void inbound_tell_join(struct inbound *in, unsigned position, int prio)
{
	struct call_event ce = {
		.source = "QUEUE", .event = "join", .group_id = in->group_id,
		.queuenumber = in->queue, .position = position, .prio = prio,
	};

	in->queue_told = true;
	in->queue_told_ms = now_ms();
	in->leave_reason = NULL;
	publish(in, &ce, NULL);
}

void inbound_tell_leave(struct inbound *in, const char *reason,
			unsigned position)
{
	int64_t waited = now_ms() - in->queue_told_ms;
	struct call_event ce = {
		.source = "QUEUE", .event = "leave", .group_id = in->group_id,
		.queuenumber = in->queue, .reason = reason,
		.position = position,
		.waittime = waited > 0 ? (unsigned)(waited / 1000) : 0,
	};

	if (!in->queue_told)
		return;
	in->queue_told = false;
	in->leave_reason = NULL;
	publish(in, &ce, NULL);
}

void inbound_tell_input(struct inbound *in, const char *flow,
			const char *node, const char *digits,
			const char *result)
{
	struct call_event ce = {
		.source = "IVR", .event = "input", .flow = flow, .node = node,
		.digits = digits, .result = result,
	};

	/* agentToIvr: the agent who sent the caller there hears of it */
	publish(in, &ce, in->suspended ? in->c->agent : NULL);
}
