/*
 * multiparty.c — calls of more than two parties: consult (the customer
 * waits with music, the agent talks to a colleague or a number), transfer
 * (the customer to the consulted party, the agent leaves), call return
 * (the consulted party leaves), conference (all three hear each other),
 * and supervision by a group leader (monitor, whisper, barge-in).
 * Each step only adds or removes a leg, says what the customer hears and
 * calls remix(); routing.c does the audio.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "sip.call"
#include "base/log.h"
#include "base/conf.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/occ.h"
#include "media/mep.h"
#include "media/player.h"
#include "media/recorder.h"
#include "sip/call.h"
#include "sip/call_impl.h"
#include "sip/tel_impl.h"

/* The customer waits: re-INVITE sendonly and music (or not). */
void customer_wait(struct call *c, bool waiting)
{
	struct leg *cu = c->legs[ROLE_CUSTOMER];
	const char *moh = c->tel->occ->cfg->moh_file;

	if (!cu || cu->state != LEG_UP)
		return;
	if (waiting) {
		reoffer(cu, true);
		if (!cu->virtual && !cu->tone &&
		    (!moh[0] || player_wav(&cu->tone, moh, tone_to_leg, cu)))
			player_tone(&cu->tone, &(struct tone_spec){
				.f1 = 523.25, .f2 = 659.25, .amp = 5000,
				.on_ms = 800, .off_ms = 400 }, tone_to_leg, cu);
		emit(c, cu, "onhold");
	}
	else {
		cu->tone = mem_deref(cu->tone);
		reoffer(cu, false);
		emit(c, cu, "resume");
	}
}

bool call_consulting(const struct call *c)
{
	return c->legs[ROLE_CONSULT] != NULL;
}

int call_consult(struct call *c, const struct consult_req *r)
{
	struct leg *ag = c->legs[ROLE_AGENT], *k;
	int err;

	if (c->legs[ROLE_CONSULT])
		return EALREADY;
	if (!call_two_party(c) || c->transferred)
		return EINVAL;
	if (r->inner)
		str_ncpy(c->consult_agent, r->target, sizeof(c->consult_agent));
	else
		c->consult_agent[0] = '\0';
	c->consult_acw_mode = r->acw_mode;
	if (c->on_hold)
		c->on_hold = false;              /* consulting holds anyway */
	else
		customer_wait(c, true);
	err = dial(c, ROLE_CONSULT, r->inner, r->target, r->exten, r->trunk,
		   &k);
	if (err) {
		OCC_WARN("consult not dialled session=%s target=%H: %m",
			 c->sessionid, LQ(r->target), err);
		if (k)
			leg_detach(k);
		c->consult_agent[0] = '\0';
		customer_wait(c, false);
		remix(c);
		return err;
	}
	/* the agent hears ringback until the consulted party answers */
	if (!ag->tone && !k->answered)
		player_tone(&ag->tone, &tone_ringback, tone_to_leg, ag);
	remix(c);
	OCC_INFO("consulting session=%s uniqueid=%lld target=%H", c->sessionid,
		 (long long)k->uniqueid, LQ(r->target));
	return 0;
}

bool customer_here(const struct call *c)
{
	const struct leg *cu = c->legs[ROLE_CUSTOMER];

	return cu && cu->state == LEG_UP;
}

/* The consulted party left (hung up, was hung up, never answered). */
void consult_gone(struct call *c, struct leg *k, const char *by)
{
	struct leg *ag = c->legs[ROLE_AGENT];
	bool was_conference = c->conference;

	if (!customer_here(c)) {
		/* the customer left during the consult: nobody to return to */
		call_end(c, by);
		return;
	}
	if (c->consult_agent[0])
		set_agent_state(c, c->consult_agent, acw_after_call(
					c->consult_acw_mode, true,
					k->answered));
	c->consult_agent[0] = '\0';
	leg_detach(k);
	c->conference = false;
	if (ag)
		ag->tone = mem_deref(ag->tone);
	if (!was_conference)
		customer_wait(c, false);          /* back to the agent */
	remix(c);
	OCC_INFO("consult ended session=%s", c->sessionid);
}

/* The customer hung up during a consult or a conference: the agent and the
 * consulted party (ringing or talking) go on as a call of their own until
 * one of them hangs up. The customer's leg stays in the call, gone, for the
 * CDR and the recording's name; its media is released now. */
void customer_leaves(struct call *c)
{
	leg_release(c->legs[ROLE_CUSTOMER]);
	c->conference = false;
	c->on_hold = false;
	remix(c);
	OCC_INFO("customer left the consult session=%s", c->sessionid);
}

/* The agent left while a consulted party is up: they take the customer. */
void agent_leaves(struct call *c)
{
	struct leg *ag = c->legs[ROLE_AGENT];
	struct leg *cu = c->legs[ROLE_CUSTOMER];
	struct leg *k = c->legs[ROLE_CONSULT];
	bool was_conference = c->conference;

	set_agent_state(c, c->agent, after_call_state(c, cu && cu->rang,
						      cu && cu->answered));
	c->agent_released = true;
	leg_detach(ag);
	c->transferred = true;
	c->conference = false;
	if (!was_conference)
		customer_wait(c, false);
	emit(c, k, "join");
	remix(c);
	OCC_INFO("transferred session=%s to uniqueid=%lld", c->sessionid,
		 (long long)k->uniqueid);
}

int call_transfer(struct call *c)
{
	struct leg *k = c->legs[ROLE_CONSULT];

	if (!k || k->state != LEG_UP || !c->legs[ROLE_AGENT] || c->ending ||
	    !customer_here(c))
		return ENOENT;
	agent_leaves(c);
	return 0;
}

int call_consult_return(struct call *c)
{
	struct leg *k = c->legs[ROLE_CONSULT];

	if (!k || c->ending || c->transferred)
		return ENOENT;
	k->final_scode = 0;
	leg_gone(k, 0, "api");               /* consult_gone() */
	return 0;
}

int call_conference(struct call *c)
{
	struct leg *k = c->legs[ROLE_CONSULT];

	if (!k || k->state != LEG_UP || c->conference || c->transferred ||
	    c->ending || !customer_here(c))
		return ENOENT;
	c->conference = true;
	customer_wait(c, false);
	emit(c, k, "join");
	remix(c);
	OCC_INFO("conference session=%s", c->sessionid);
	return 0;
}

int call_hangup_consult(struct call *c, int64_t uniqueid)
{
	struct leg *k = c->legs[ROLE_CONSULT];

	if (!k || c->ending || (uniqueid && k->uniqueid != uniqueid))
		return ENOENT;
	leg_gone(k, 0, "api");
	return 0;
}

void consult_ringing(struct leg *k)
{
	struct call *c = k->call;

	if (k->rang)
		return;
	k->rang = true;
	tell_ringing(k);
	if (c->consult_agent[0])
		set_agent_state(c, c->consult_agent, AS_RING);
}

void consult_answered(struct leg *k)
{
	struct call *c = k->call;
	struct leg *ag = c->legs[ROLE_AGENT];

	k->answered = true;
	k->answer_ms = now_ms();
	tell_ringing(k);
	emit(c, k, "answer");
	if (ag)
		ag->tone = mem_deref(ag->tone);    /* ringback ends */
	if (c->consult_agent[0])
		set_agent_state(c, c->consult_agent, AS_BUSY);
	remix(c);
	OCC_INFO("consult answered session=%s uniqueid=%lld peer=%s",
		 c->sessionid, (long long)k->uniqueid, k->peer);
}

/* ---- supervision ------------------------------------------------------ */

bool call_talking(const struct call *c)
{
	const struct leg *cu = c->legs[ROLE_CUSTOMER];

	return !c->ending && cu && cu->state == LEG_UP;
}

bool call_involves(const struct call *c, const char *who, const char *exten)
{
	if (!strcmp(c->agent, who) || !strcmp(c->callee_agent, who) ||
	    !strcmp(c->consult_agent, who))
		return true;
	if (!exten || !*exten)
		return false;
	for (int r = 0; r < ROLE_COUNT; r++) {
		const struct leg *l = c->legs[r];
		if (l && r != ROLE_SUPERVISOR && !strcmp(l->peer, exten))
			return true;
	}
	return false;
}

const char *call_supervisor(const struct call *c, enum supervise_mode *mode)
{
	const struct leg *s = c->legs[ROLE_SUPERVISOR];

	if (!s || !s->answered || c->ending)
		return NULL;
	if (mode)
		*mode = c->sup_mode;
	return c->leader;
}

int call_supervise(struct call *c, enum supervise_mode mode,
		   const char *leader, const char *number, const char *exten)
{
	struct leg *s;
	int err;

	if (c->legs[ROLE_SUPERVISOR])
		return EALREADY;
	if (!call_talking(c))
		return EINVAL;
	c->sup_mode = mode;
	str_ncpy(c->leader, leader, sizeof(c->leader));
	err = dial(c, ROLE_SUPERVISOR, exten && *exten, number,
		   exten ? exten : "", "", &s);
	if (err) {
		OCC_WARN("supervisor not dialled session=%s number=%s: %m",
			 c->sessionid, number, err);
		if (s)
			leg_detach(s);
		return err;
	}
	OCC_INFO("supervising session=%s leader=%s mode=%d uniqueid=%lld",
		 c->sessionid, leader, mode, (long long)s->uniqueid);
	return 0;
}

/* The leader's own agent state: busy while he supervises (the ACD must not
 * offer him a call), idle again after — unless he paused meanwhile, or was
 * not idle to begin with (no after-call work: it was not his call). */
void leader_busy(struct call *c, bool busy)
{
	struct agent *a = call_agent(c, c->leader);

	if (!a || busy == c->leader_busy)
		return;
	if (busy && a->state != AS_IDLE)
		return;
	if (busy || a->state == AS_BUSY)
		agent_call_state(model_of(c), a, busy ? AS_BUSY : AS_IDLE);
	c->leader_busy = busy;
}

void supervisor_answered(struct leg *s)
{
	struct call *c = s->call;

	s->answered = true;
	s->answer_ms = now_ms();
	leader_busy(c, true);
	emit(c, s, "join");
	remix(c);
	OCC_INFO("supervisor joined session=%s leader=%s mode=%d", c->sessionid,
		 c->leader, c->sup_mode);
}

void supervisor_gone(struct call *c, struct leg *s)
{
	leader_busy(c, false);
	leg_detach(s);
	remix(c);
	OCC_INFO("supervision ended session=%s", c->sessionid);
}

int call_hangup_supervisor(struct call *c)
{
	struct leg *s = c->legs[ROLE_SUPERVISOR];

	if (!s || c->ending)
		return ENOENT;
	leg_gone(s, 0, "api");
	return 0;
}
