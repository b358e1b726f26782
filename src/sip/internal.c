/*
 * internal.c — calls that a team's own registered phones place to the
 * team's internal numbers (docs/INBOUND.md, "Calls from the team's
 * phones").
 *
 * Which INVITE is a phone's: one that carries credentials
 * (Proxy-Authorization), one from the transport address a live
 * registration came from (phones send their calls from where they
 * registered), and one from a source no team admits (inbound.c: such a
 * source may only be a phone, so it is asked for a password). A trunk or
 * an allowed peer that is none of these keeps the DID routing of
 * inbound.c, with its 404 for numbers that are not DIDs.
 *
 * The phone authenticates like REGISTER (registrar_authenticate: the same
 * digest, realm, nonce rules and failure lockout, challenged with 407),
 * and then the number it dialled is looked up in its own team only: an
 * IVR's internal number, a queue (an agent group's queue number), an
 * extension, an agent, then the team's DIDs through its inbound routes
 * (the phone is the caller: lists and caller-ID prefixes apply to its
 * number). Anything else is 404: nothing here ever reaches a trunk, so a
 * phone cannot dial out through this path (toll fraud), and another
 * team's numbers are unknown to it.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define LOG_TOPIC "sip.inbound"
#include "base/log.h"
#include "core/model.h"
#include "core/occ.h"
#include "inbound/routing.h"
#include "sip/registrar.h"
#include "sip/tel_impl.h"
#include "sip/inbound_impl.h"

bool internal_claims(struct tel *tel, const struct sip_msg *msg)
{
	return sip_msg_hdr(msg, SIP_HDR_PROXY_AUTHORIZATION) ||
		registrar_from_phone(tel->reg, msg) ||
		registrar_edge_phone(tel->reg, msg);
}

static void dest_set(struct inbound_out *out, enum dest_kind kind,
		     const char *arg)
{
	out->dest.kind = kind;
	str_ncpy(out->dest.arg, arg, sizeof(out->dest.arg));
}

/* Where number leads inside team t for its phone caller: IN_ROUTED (or
 * IN_BLOCKED by the team's caller lists, for a DID) with *out, else
 * IN_NO_DID. */
static enum inbound_verdict route(const struct team *t, const char *number,
				  const char *caller, struct inbound_out *out)
{
	const struct ivr_flow *f = t->routing && number[0]
		? routing_flow_by_exten(t->routing, number) : NULL;
	struct inbound_in q = {
		.did = number, .cid = caller, .trunk = "",
		.now_utc_s = (int64_t)time(NULL),
	};

	memset(out, 0, sizeof(*out));
	if (!number[0])
		return IN_NO_DID;
	if (f)
		dest_set(out, DEST_IVR, f->name);
	else if (group_by_queue(t, number))
		dest_set(out, DEST_QUEUE, number);
	else if (exten_find(t, number))
		dest_set(out, DEST_EXTEN, number);
	else if (agent_find(t, number))
		dest_set(out, DEST_AGENT, number);
	else
		return t->routing ? routing_decide(t->routing, &q, out)
			: IN_NO_DID;
	return IN_ROUTED;
}

/* Would the call ring the calling phone itself? */
static bool rings_itself(const struct team *t, const struct dest *d,
			 const char *caller)
{
	const struct agent *a;

	if (d->kind == DEST_EXTEN)
		return !strcmp(d->arg, caller);
	if (d->kind != DEST_AGENT || !(a = agent_find(t, d->arg)))
		return false;
	return !strcmp(a->device[0] ? a->device : a->exten, caller);
}

static void refuse(struct tel *tel, const struct sip_msg *msg, uint16_t sc,
		   const char *reason)
{
	sip_treplyf(NULL, NULL, tel->sip, msg, false, sc, reason,
		    "Content-Length: 0\r\n\r\n");
}

void internal_invite(struct tel *tel, const struct sip_msg *msg,
		     const char *number)
{
	const struct team *pt;
	const struct exten *e;
	struct team *t;
	struct inbound_out out;
	enum inbound_verdict v;

	/* answered here when it fails: 407 (asked), 403 (wrong) */
	if (!registrar_authenticate(tel->reg, msg, &pt, &e))
		return;
	t = team_find(tel->occ->m, pt->name);
	v = t ? route(t, number, e->number, &out) : IN_NO_DID;
	if (v != IN_ROUTED && v != IN_BLOCKED) {
		OCC_INFO("phone call: no such number team=%s exten=%s "
			 "did=%H source=%J", pt->name, e->number, LQ(number),
			 &msg->src);
		refuse(tel, msg, 404, "Not Found");
		return;
	}
	if (rings_itself(t, &out.dest, e->number)) {
		refuse(tel, msg, 486, "Busy Here");
		return;
	}
	OCC_INFO("phone call team=%s exten=%s did=%s dest=%d:%s", t->name,
		 e->number, number, (int)out.dest.kind, out.dest.arg);
	inbound_answer(tel, msg, t, v, &out, "", number, e->number);
}
