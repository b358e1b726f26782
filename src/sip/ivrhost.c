/*
 * ivrhost.c — the IVR interpreter's host (inbound/ivr.h) on a call: it
 * plays the prompts to the caller's leg, takes the caller's keys (RFC 4733
 * or SIP INFO, through the call's digit hook), runs the interpreter's
 * timer and its http lookups (inbound/ivrhttp.c), and sends the call on
 * where the IVR leads.
 *
 * The interpreter is pure and must not be entered from its own callbacks:
 * prompt ends and timers come from the loop anyway, and where it leaves
 * (done) the call moves on from the loop too (inbound_go_later).
 *
 * The flows belong to the team's routing as it was when the caller
 * entered: the call holds a reference to it, so a reload never pulls a
 * menu from under a caller.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "sip.ivr"
#include "base/log.h"
#include "base/conf.h"
#include "core/model.h"
#include "core/occ.h"
#include "events/httpout.h"
#include "inbound/ivr.h"
#include "inbound/ivrhttp.h"
#include "media/player.h"
#include "sip/call.h"
#include "sip/tel_impl.h"
#include "sip/call_impl.h"
#include "sip/inbound_impl.h"

static uint64_t now(void)
{
	return tmr_jiffies();
}

static void timer_h(void *arg)
{
	struct inbound *in = arg;

	if (in->ivr)
		ivr_timer(in->ivr, now());
}

/* ---- what the interpreter asks for ---------------------------------------- */

static void prompt_done_h(void *arg)
{
	struct inbound *in = arg;

	if (in->ivr)
		ivr_prompt_done(in->ivr, now());
}

static void op_play(void *arg, const char *prompt, const char *lang,
		    bool barge_in)
{
	struct inbound *in = arg;

	(void)barge_in;          /* the interpreter decides what a key does */
	inbound_play(in, prompt, lang, prompt_done_h);
}

static void op_stop_play(void *arg)
{
	inbound_play_stop(arg);
}

static void op_set_timer(void *arg, uint64_t at_ms)
{
	struct inbound *in = arg;
	uint64_t t = now();

	tmr_start(&in->ivr_tmr, at_ms > t ? at_ms - t : 0, timer_h, in);
}

static void op_cancel_timer(void *arg)
{
	struct inbound *in = arg;

	tmr_cancel(&in->ivr_tmr);
}

static void http_h(unsigned status, const char *body, size_t len, void *arg)
{
	struct inbound *in = arg;

	in->http = mem_deref(in->http);
	if (in->ivr)
		ivr_http_done(in->ivr, status, body, len, now());
}

static int op_http(void *arg, bool post, const char *url, const char *body,
		   unsigned timeout_ms)
{
	struct inbound *in = arg;
	struct tel *tel = in->c->tel;
	int err = 0;

	in->http = mem_deref(in->http);
	if (!tel->ivr_http)
		err = httpout_client(&tel->ivr_http);
	if (!err)
		err = ivrhttp_start(&in->http, tel->ivr_http, post, url, body,
				    timeout_ms, http_h, in);
	if (err)
		OCC_INFO("ivr lookup not started session=%s: %m",
			 in->c->sessionid, err);
	return err;
}

static void op_http_cancel(void *arg)
{
	struct inbound *in = arg;

	in->http = mem_deref(in->http);
}

static void op_done(void *arg, const struct dest *d)
{
	struct inbound *in = arg;
	struct call *c = in->c;

	ivrhost_leave(in);
	if (in->suspended) {
		/* agentToIvr transfer=1: back to the agent who waited,
		 * wherever the IVR would have led (its keys and variables
		 * are the call's now) */
		in->suspended = false;
		OCC_INFO("ivr returns to the agent session=%s",
			 c->sessionid);
		remix(c);
		return;
	}
	inbound_go_later(in, d);
}

static void op_input(void *arg, const char *flow, const char *node,
		     const char *digits, const char *result)
{
	inbound_tell_input(arg, flow, node, digits, result);
}

static const struct ivr_ops ops = {
	.play = op_play, .stop_play = op_stop_play,
	.set_timer = op_set_timer, .cancel_timer = op_cancel_timer,
	.http_request = op_http, .http_cancel = op_http_cancel,
	.done = op_done, .input = op_input,
};

/* ---- the caller's keys ------------------------------------------------------ */

static void digit_h(struct call *c, struct leg *l, char digit, void *arg)
{
	struct inbound *in = arg;

	if (l->role == ROLE_CUSTOMER && in->ivr)
		ivr_digit(in->ivr, digit, now());
	(void)c;
}

/* ---- entering and leaving --------------------------------------------------- */

static void set_vars(struct inbound *in)
{
	struct call *c = in->c;
	const struct team *t = team_find(model_of(c), c->team);
	char id[24];

	ivr_var_set(in->ivr, "callerid", c->req.target);
	ivr_var_set(in->ivr, "didnumber", c->did);
	ivr_var_set(in->ivr, "sessionid", c->sessionid);
	ivr_var_set(in->ivr, "TEAMIDENTITY", c->team);
	re_snprintf(id, sizeof(id), "%lld", t ? (long long)t->id : 0LL);
	ivr_var_set(in->ivr, "TEAMID", id);
	ivr_var_set(in->ivr, "CURLANG", "");
	if (c->agent[0])
		ivr_var_set(in->ivr, "AGENTNO", c->agent);
	if (c->group_id) {
		re_snprintf(id, sizeof(id), "%lld", (long long)c->group_id);
		ivr_var_set(in->ivr, "AGENTGROUPID", id);
	}
}

int ivrhost_enter(struct inbound *in, const struct ivr_flow *f,
		  const struct ivr_node *n)
{
	struct call *c = in->c;
	int err;

	ivrhost_leave(in);
	err = ivr_alloc(&in->ivr, &ops, in);
	if (err)
		return err;
	set_vars(in);
	c->digith = digit_h;
	c->digit_arg = in;
	c->in_ivr = true;
	remix(c);
	OCC_INFO("ivr session=%s flow=%s node=%s", c->sessionid, f->name,
		 n ? n->name : f->start);
	ivr_start(in->ivr, in->rt, f, n, now());
	return 0;
}

/* The call leaves the IVR: keep its path and variables for the CDR. */
void ivrhost_leave(struct inbound *in)
{
	struct call *c = in->c;
	struct ivr *ivr = in->ivr;

	if (!ivr)
		return;
	in->ivr = NULL;
	tmr_cancel(&in->ivr_tmr);
	in->http = mem_deref(in->http);
	inbound_play_stop(in);
	if (c->digith == digit_h) {
		c->digith = NULL;
		c->digit_arg = NULL;
	}
	c->in_ivr = false;
	size_t n = strlen(in->path);
	re_snprintf(in->path + n, sizeof(in->path) - n, ">ivr:%s",
		    ivr_path(ivr));
	for (unsigned i = 0; i < ivr_var_count(ivr); i++) {
		const char *name, *value;
		ivr_var_at(ivr, i, &name, &value);
		/* the system's own are known from the call already */
		if (strcmp(name, "callerid") && strcmp(name, "didnumber") &&
		    strcmp(name, "sessionid") && strcmp(name, "TEAMID") &&
		    strcmp(name, "TEAMIDENTITY") && value[0])
			(void)call_set_var(c, name, value);
	}
	mem_deref(ivr);
}

/* ---- agentToIvr ------------------------------------------------------------ */

/* The agent leaves the customer to the IVR (release transfer): after-call
 * state as after any call, its leg hung up; a queue's agent is free for
 * the ACD again. */
static void release_agent(struct inbound *in)
{
	struct call *c = in->c;
	struct leg *ag = c->legs[ROLE_AGENT];
	enum agent_state after = after_call_state(c, true, true);

	if (in->qc)
		acdhost_call_ended(in, after == AS_ACW);
	c->agent_released = true;
	set_agent_state(c, c->agent, after);
	if (ag)
		leg_detach(ag);
	OCC_INFO("agent released to the ivr session=%s agent=%s",
		 c->sessionid, c->agent);
}

int call_to_ivr(struct call *c, const char *ivrexten, const char *ivrflow,
		bool suspend)
{
	const struct team *t = team_find(model_of(c), c->team);
	const struct ivr_flow *f = NULL;
	const struct ivr_node *n = NULL;
	struct dest leave = { .kind = DEST_NONE };
	struct inbound *in;
	int err;

	if (c->legs[ROLE_CONSULT] && !c->conference)
		return EBUSY;
	if (c->conference)
		return suspend ? ENOTSUP : EPERM;
	if (!call_two_party(c) || c->on_hold || c->in_ivr)
		return ENOTCONN;
	if (!t || !t->routing)
		return ENOENT;
	err = ivr_walk(t->routing, ivrexten, ivrflow, &f, &n, &leave);
	if (err)
		return err;
	in = inbound_attach(c);
	if (!in)
		return ENOMEM;
	/* the flows walked are the team's now: the call follows them */
	if (in->rt != t->routing) {
		mem_deref((void *)in->rt);
		in->rt = mem_ref(t->routing);
	}
	OCC_INFO("to ivr session=%s ivrexten=%s ivrflow=%s transfer=%d",
		 c->sessionid, ivrexten, ivrflow, suspend);
	if (suspend) {
		if (!n)
			return 0;     /* nothing to ask: back at once */
		in->suspended = true;
		return ivrhost_enter(in, f, n);
	}
	release_agent(in);
	if (!n) {
		inbound_go(in, &leave);
		return 0;
	}
	return ivrhost_enter(in, f, n);
}
