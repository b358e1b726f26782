/*
 * answer.c — yealinkAnswer: answer an agent's ringing phone from afar.
 *
 * occ's INVITE rings the phone; the phone's 180 gave its tag and Contact.
 * Phones that take remote control answer when told by a NOTIFY:
 *
 *   - `Event: talk` (BroadSoft's remote talk; Yealink, Polycom, Grandstream
 *     and others follow it, Asterisk's sip_notify.conf calls it
 *     polycom-answer), sent in the ringing INVITE's dialog: its Call-ID,
 *     occ's From tag, the phone's To tag, to the 180's Contact.
 *   - `Event: ACTION-URI` with `key=OK` (Yealink's Action URI by SIP
 *     NOTIFY, its administrator's guide), out of any dialog; the phone must
 *     allow remote control (it asks its user once).
 *
 * The phone answers the NOTIFY (logged), then sends the INVITE's 200 as if
 * its user had picked up: the call goes on as any answered call.
 */
#include <string.h>
#include <re.h>
#include "base/log.h"
#include "sip/call.h"
#include "sip/call_impl.h"
#include "sip/inbound_impl.h"
#include "sip/registrar.h"
#include "sip/tel_impl.h"

/* The agent a leg rings (or talks) for. */
static const char *leg_agent(const struct call *c, const struct leg *l)
{
	if (l->agent[0])
		return l->agent;
	switch (l->role) {
	case ROLE_AGENT:
		return c->agent_released ? "" : c->agent;
	case ROLE_CONSULT:
		return c->consult_agent;
	case ROLE_CUSTOMER:
		return c->callee_agent;     /* an inner call's callee */
	default:
		return "";
	}
}

static bool rings_for(const struct call *c, const struct leg *l,
		      const char *agent)
{
	return l && l->state == LEG_EARLY && !l->answered &&
		!strcmp(leg_agent(c, l), agent);
}

static struct leg *ringing_leg(struct tel *tel, const char *team,
			       const char *agent)
{
	struct le *le, *oe;

	LIST_FOREACH(&tel->calls, le) {
		struct call *c = le->data;

		if (c->ending || strcmp(c->team, team))
			continue;
		for (int r = 0; r < ROLE_COUNT; r++)
			if (rings_for(c, c->legs[r], agent))
				return c->legs[r];
		if (!c->in)
			continue;
		LIST_FOREACH(&c->in->offers, oe) {
			struct offer *o = oe->data;
			if (rings_for(c, o->leg, agent))
				return o->leg;
		}
	}
	return NULL;
}

static void notify_resp(int err, const struct sip_msg *msg, void *arg)
{
	(void)arg;
	if (err || !msg)
		OCC_WARN("remote answer NOTIFY not answered: %m", err);
	else if (msg->scode >= 200)
		OCC_INFO("remote answer NOTIFY answered scode=%u callid=%r",
			 msg->scode, &msg->callid);
}

/* The request URI: the 180's Contact, else the extension's binding. */
static int target_uri(const struct tel *tel, const struct call *c,
		      const struct leg *l, char *uri, size_t sz,
		      char *where, size_t wsz)
{
	const struct sip_hdr *h = sip_msg_hdr(l->ringing, SIP_HDR_CONTACT);
	struct sip_addr addr;
	struct uri u;
	struct pl pl;

	if (h && !sip_addr_decode(&addr, &h->val)) {
		re_snprintf(uri, sz, "%r", &addr.auri);
	}
	else {
		const struct binding *b = registrar_lookup(tel->reg, c->team,
							   l->peer);
		if (!b)
			return EADDRNOTAVAIL;
		str_ncpy(uri, b->contact, sz);
	}
	pl_set_str(&pl, uri);
	if (uri_decode(&u, &pl))
		return EADDRNOTAVAIL;
	re_snprintf(where, wsz, "%r", &u.host);
	return 0;
}

int call_remote_answer(struct tel *tel, const char *team, const char *agent,
		       bool action_uri, char *where, size_t sz)
{
	struct leg *l = ringing_leg(tel, team, agent);
	const struct sip_msg *m;
	char uri[512];
	int err;

	if (!l)
		return ENOENT;
	if (l->virtual) {
		str_ncpy(where, "built-in", sz);
		leg_answer_virtual(l);
		return 0;
	}
	m = l->ringing;
	if (!m)
		return ENOENT;          /* not ringing yet */
	err = target_uri(tel, l->call, l, uri, sizeof(uri), where, sz);
	if (err)
		return err;
	if (action_uri)
		err = sip_requestf(NULL, tel->sip, true, "NOTIFY", uri, NULL,
				   NULL, NULL, notify_resp, NULL,
				   "To: <%s>\r\n"
				   "From: <%r>;tag=%016llx\r\n"
				   "Call-ID: %016llx@occ\r\n"
				   "CSeq: 1 NOTIFY\r\n"
				   "Event: ACTION-URI\r\n"
				   "Content-Type: message/sipfrag\r\n"
				   "Content-Length: 6\r\n"
				   "\r\n"
				   "key=OK",
				   uri, &m->from.auri,
				   (unsigned long long)rand_u64(),
				   (unsigned long long)rand_u64());
	else
		err = sip_requestf(NULL, tel->sip, true, "NOTIFY", uri, NULL,
				   NULL, NULL, notify_resp, NULL,
				   "To: %r\r\n"
				   "From: %r\r\n"
				   "Call-ID: %r\r\n"
				   "CSeq: %u NOTIFY\r\n"
				   "Event: talk\r\n"
				   "Content-Length: 0\r\n"
				   "\r\n",
				   &m->to.val, &m->from.val, &m->callid,
				   m->cseq.num + 1);
	OCC_INFO("remote answer session=%s uniqueid=%lld agent=%s event=%s "
		 "uri=%s err=%m", l->call->sessionid,
		 (long long)l->uniqueid, agent,
		 action_uri ? "ACTION-URI" : "talk", uri, err);
	return err;
}
