/*
 * dialerhost.c — the campaigns' dialers: it runs one src/dialer pacing
 * module per running campaign, tells it what the campaign's agents do,
 * dials the numbers it asks for from the pre-dial list, and carries out
 * its decisions on SIP (docs/DIALER.md, "The host").
 *
 * A dial is a call (call.c) whose customer leg rings first, over the
 * team's trunk with the campaign's caller ID; when it answers the module
 * bridges it to an agent (the agent's phone rings, as makeCall's does) or
 * abandons it (the campaign's recorded message, or a tone, then the
 * hang-up). With the campaign's amd on, answering-machine detection
 * (amdtap.h) hears the answer first: MACHINE is hung up (after the
 * message with amd_action=message) and reported "hung up by AMD";
 * HUMAN and NOTSURE go to the module as live answers. Every event of the call carries
 * modeltype=Campaign, model_id and the record's userdata. Right before a
 * number is dialled, dialer_record_check() asks the store's DNC lists
 * (system, team, campaign) and the campaign's window in the record's time
 * zone (docs/DIALER.md, "Compliance"); results are retried by the
 * campaign's settings over dialer_rules_default().
 *
 * The module is pure and must not be entered from its own callbacks.
 * Campaign states and agents are followed by a poll (POLL_MS): the store
 * is read for the running campaigns (occctl campaign start/pause/stop
 * work on a running occd), agents' states are compared with what the
 * module was told, and dialer_decide() is asked for new dials. The
 * module's wake-ups (dialer_tick: held answers past hold_ms) have their
 * own timer, at the time it asks. A stopped or paused campaign dials no
 * more; its calls go on, and its dialer goes when the last one ends.
 */
#include <string.h>
#include <time.h>
#include <re.h>
#define LOG_TOPIC "sip.dialer"
#include "base/log.h"
#include "base/conf.h"
#include "base/form.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/occ.h"
#include "dialer/dialer.h"
#include "inbound/tz.h"
#include "media/player.h"
#include "ops/campreport.h"
#include "sip/amdtap.h"
#include "sip/call.h"
#include "sip/tel_impl.h"
#include "sip/call_impl.h"
#include "sip/inbound_impl.h"

enum {
	POLL_MS = 250,
	ABANDON_MSG_MS = 2000,   /* the abandon tone, then the hang-up */
	/* a recorded message ends the call when it ends; this is a guard
	 * (1 MiB of 8 kHz 16-bit audio is 65 s) */
	MSG_GUARD_MS = 70000,
	DNC_RETRY_MS = 60000,    /* DNC lists unreadable: that number later */
	/* the legal 2 s run from the end of a person's greeting; AMD says
	 * HUMAN after_greeting_silence later, plus the tap's lag (60 ms
	 * jitter allowance, a 20 ms tick, a 10 ms frame): what is left of
	 * the 2 s is the longest hold (docs/DIALER.md, "AMD on a dial") */
	LEGAL_MS = 2000, AMD_LAG_MS = 100, HOLD_MS = 1000,
	/* a bridged agent's phone rings what is left of the legal 2 s, less
	 * the time the message takes to start, and at least AGENT_RING_MIN_MS
	 * (then the customer hears the message: "A lost agent") */
	MSG_START_MS = 100, AGENT_RING_MIN_MS = 500,
};

/* what the module was last told of an agent; WRAPUP: its dialer call
 * ended, its state now (idle, or paused in after-call work) is told at
 * the next poll; ACW: in after-call work that occd ends by itself (its
 * group's acw_s), told as a wrap-up until then */
enum told { TOLD_PAUSED, TOLD_IDLE, TOLD_BUSY, TOLD_ENGAGED, TOLD_WRAPUP,
	    TOLD_ACW };

struct dcamp;

/* an agent of a campaign, as its dialer knows it */
struct dagent {
	struct le le;            /* dcamp.agents */
	char number[ST_NUM];
	struct dialer_agent *a;
	enum told told;
	int64_t acw_end;         /* TOLD_ACW: its end (wall ms) */
	struct dcall *call;      /* the dial bridged to it */
	bool seen;
	bool awaited;            /* told: an inbound caller waits for it */
};

/* one dial: a number of the pre-dial list, its call */
struct dcall {
	struct le le;            /* dcamp.calls */
	struct dcamp *k;
	struct call *c;          /* NULL once the call ended */
	struct dialer_call *h;   /* the module's, until reported ended */
	struct dagent *agent;    /* bridged to */
	struct st_dial row;
	struct tmr tmr;          /* the abandon message's end */
	struct tmr rel_tmr;      /* its agent released (the agent leg failed) */
	uint64_t live_ms;        /* the customer was live: its answer, with AMD
				  * the end of its greeting (the 2 s run) */
	bool abandoned;
	bool agent_lost;         /* the agent leg failed: the message plays */
	bool amd;                /* detection runs: not reported answered */
	bool machine;            /* hung up by AMD */
};

struct dcamp {
	struct le le;            /* dialerhost.camps */
	struct dialerhost *dh;
	char team[ST_NAME];
	struct st_campaign cfg;
	struct dialer *d;
	struct dialer_rules rules;
	struct amd_params amd;   /* [amd] with the campaign's amd_params */
	struct list agents, calls;
	struct tmr wake_tmr;
	bool running, seen;
};

struct dialerhost {
	struct tel *tel;
	struct tmr poll_tmr;
	struct list camps;
};

static uint64_t now(void)
{
	return tmr_jiffies();
}

static int64_t wall_ms(void)
{
	return now_ms();
}

/* A wall-clock time (a timed ACW's end) on the module's clock */
static uint64_t mono_of(int64_t wall)
{
	int64_t w = wall_ms();

	return now() + (uint64_t)(wall > w ? wall - w : 0);
}

/* The agent's after-call work ends by itself at end (wall ms): the module
 * forecasts it free then (a wrap-up, as the simulation's agents) */
static void tell_acw(struct dcamp *k, struct dagent *r, int64_t end)
{
	uint64_t until = mono_of(end), t = now();

	r->told = TOLD_ACW;
	r->acw_end = end;
	OCC_INFO("wrap-up until its timed acw ends campaign=%lld agent=%s"
		 " in_ms=%llu", (long long)k->cfg.id, r->number,
		 (unsigned long long)(until - t));
	dialer_agent_wrapup(k->d, r->a, until, t);
}

/* ---- the module's callbacks -------------------------------------------- */

static void hangup_later(void *arg)
{
	struct dcall *x = arg;

	if (x->c)
		call_hangup(x->c, TARGET_ALL, "dialer");
}

/* The dial is over for its agent: in wrap-up until its timed ACW ends
 * (the module forecasts it), or ending now and told its state at the
 * next poll. */
static void agent_back(struct dcall *x)
{
	struct dagent *r = x->agent;
	struct dcamp *k = x->k;
	struct team *t = team_find(k->dh->tel->occ->m, k->team);
	struct agent *a = t && r ? agent_find(t, r->number) : NULL;
	int64_t end = a ? agent_acw_end_ms(a) : 0;

	x->agent = NULL;         /* a released dagent may go at a poll */
	if (!r || r->call != x)
		return;
	r->call = NULL;
	if (end) {
		tell_acw(k, r, end);
		return;
	}
	r->told = TOLD_WRAPUP;
	dialer_agent_wrapup(k->d, r->a, now(), now());
}

/* The dial is done (its call ended, or it ended while the module held
 * its answer and the module has now bridged or abandoned it). */
static void orphan_done(void *arg)
{
	struct dcall *x = arg;

	agent_back(x);
	mem_deref(x);
}

/* the agent leg failed: its agent is free for the dialer (from the loop:
 * the module may be the caller) */
static void agent_release(void *arg)
{
	agent_back(arg);
}

static bool agent_lost(struct dcall *x, struct leg *l);
static uint32_t agent_ring_ms(const struct dcall *x);

static void cb_bridge(void *arg, void *call_host, void *agent_host)
{
	struct dcamp *k = arg;
	struct dcall *x = call_host;
	struct dagent *r = agent_host;
	struct call *c = x->c;
	struct team *t = team_find(k->dh->tel->occ->m, k->team);
	struct agent *a = t ? agent_find(t, r->number) : NULL;
	const struct group *g = t ? team_group(t, k->cfg.group_id) : NULL;
	const struct member *mb = a && g ? agent_membership(a, g) : NULL;
	const struct exten *e;
	const char *dev;
	struct leg *l = NULL;
	int err = ENOENT;

	x->h = NULL;             /* the module's handle ends with the bridge */
	x->agent = r;
	r->call = x;
	r->told = TOLD_ENGAGED;  /* the module has it talking */
	if (!c) {
		tmr_start(&x->tmr, 0, orphan_done, x);
		return;
	}
	if (!a) {
		OCC_INFO("bridge to nobody campaign=%lld agent=%s",
			 (long long)k->cfg.id, r->number);
		tmr_start(&x->tmr, 0, hangup_later, x);
		return;
	}
	dev = agent_device(a);
	e = exten_find(t, dev);
	str_ncpy(c->agent, a->number, sizeof(c->agent));
	str_ncpy(c->agent_exten, dev, sizeof(c->agent_exten));
	str_ncpy(c->cdr.agent, a->number, sizeof(c->cdr.agent));
	c->group_id = k->cfg.group_id;
	c->acw_mode = mb ? mb->acw_mode : ACW_OFF;
	err = leg_new(&l, c, ROLE_AGENT, dev, e && !strcmp(e->kind, "virtual"),
		      true);
	if (!err) {
		set_agent_state(c, a->number, AS_RING);
		/* a live customer waits: the phone is asked to answer at once
		 * (answer-after=0), whatever the team's auto_answer says */
		l->auto_answer = true;
		/* the agent's phone shows the customer's number */
		err = ring_exten(l, dev, c->req.target,
				 k->dh->tel->occ->cfg->agent_ring_timeout);
	}
	if (err) {
		OCC_WARN("agent not rung campaign=%lld agent=%s: %m",
			 (long long)k->cfg.id, r->number, err);
		if (!agent_lost(x, l))
			tmr_start(&x->tmr, 0, hangup_later, x);
		return;
	}
	/* the customer hears an agent or the message within the legal 2 s,
	 * as far as the agent's phone allows (a built-in phone answers by
	 * itself, in VIRTUAL_ANSWER_MS) */
	if (!l->virtual)
		leg_ring_for(l, agent_ring_ms(x));
	OCC_INFO("bridging campaign=%lld session=%s agent=%s exten=%s",
		 (long long)k->cfg.id, c->sessionid, a->number, dev);
}

/* the recorded message played to its end: hang up (from the loop) */
static void message_done(void *arg)
{
	struct leg *cu = arg;
	struct dcall *x = cu->call->dc;

	if (x)
		tmr_start(&x->tmr, 0, hangup_later, x);
}

/* The campaign's message to the customer, then the hang-up: its
 * abandon_msg WAV, or without one 950 Hz beeps (330 ms on and off) for
 * ABANDON_MSG_MS. */
static void play_message(struct dcall *x, struct leg *cu)
{
	static const struct tone_spec beeps = {
		.f1 = 950, .amp = 6000, .on_ms = 330, .off_ms = 330 };
	const char *path = x->k->cfg.abandon_msg;

	cu->tone = mem_deref(cu->tone);
	if (path[0] && !player_prompt(&cu->tone, &path, 1, tone_to_leg,
				      message_done, cu)) {
		tmr_start(&x->tmr, MSG_GUARD_MS, hangup_later, x);
		return;
	}
	player_tone(&cu->tone, &beeps, tone_to_leg, cu);
	tmr_start(&x->tmr, ABANDON_MSG_MS, hangup_later, x);
}

/* The bridged agent's leg failed (refused, not answered in time, not
 * rung): the customer is abandoned as a live answer with no agent is,
 * with the campaign's message then the hang-up; the agent is free again,
 * as after a failed inbound offer. false: the customer is gone too. */
static bool agent_lost(struct dcall *x, struct leg *l)
{
	struct call *c = x->c;
	struct leg *cu = c ? c->legs[ROLE_CUSTOMER] : NULL;

	if (x->agent_lost || !cu || cu->state != LEG_UP)
		return false;
	x->agent_lost = true;
	OCC_INFO("agent leg failed campaign=%lld number=%s agent=%s scode=%u:"
		 " abandoned message=%s", (long long)x->k->cfg.id,
		 x->row.number, c->agent, l ? l->final_scode : 0,
		 x->k->cfg.abandon_msg[0] ? x->k->cfg.abandon_msg : "(tone)");
	set_agent_state(c, c->agent, AS_IDLE);
	c->agent_released = true;
	if (l)
		leg_detach(l);
	play_message(x, cu);
	tmr_start(&x->rel_tmr, 0, agent_release, x);
	return true;
}

bool dialerhost_agent_failed(struct call *c, struct leg *l)
{
	struct dcall *x = c->dc;

	return x && x->agent && agent_lost(x, l);
}

/* What is left of the legal 2 s since the customer was live, for the
 * agent's phone to answer (at least AGENT_RING_MIN_MS) */
static uint32_t agent_ring_ms(const struct dcall *x)
{
	uint64_t t = now(), live = x->live_ms ? x->live_ms : t;
	uint64_t end = live + LEGAL_MS - MSG_START_MS;

	return end > t + AGENT_RING_MIN_MS ? (uint32_t)(end - t)
		: AGENT_RING_MIN_MS;
}

static void cb_abandon(void *arg, void *call_host)
{
	struct dcamp *k = arg;
	struct dcall *x = call_host;
	struct leg *cu = x->c ? x->c->legs[ROLE_CUSTOMER] : NULL;

	x->h = NULL;
	x->abandoned = true;
	OCC_INFO("abandoned campaign=%lld number=%s message=%s",
		 (long long)k->cfg.id, x->row.number,
		 k->cfg.abandon_msg[0] ? k->cfg.abandon_msg : "(tone)");
	if (!x->c) {
		tmr_start(&x->tmr, 0, orphan_done, x);
		return;
	}
	if (!cu)
		return;
	play_message(x, cu);
}

static void tick(void *arg)
{
	struct dcamp *k = arg;

	dialer_tick(k->d, now());
}

static void cb_wake(void *arg, uint64_t at_ms)
{
	struct dcamp *k = arg;
	uint64_t t = now();

	if (!at_ms) {
		tmr_cancel(&k->wake_tmr);
		return;
	}
	tmr_start(&k->wake_tmr, at_ms > t ? at_ms - t : 0, tick, k);
}

static const struct dialer_ops ops = {
	.bridge = cb_bridge, .abandon = cb_abandon, .wake = cb_wake,
};

/* ---- campaigns ---------------------------------------------------------- */

static void dagent_destructor(void *arg)
{
	struct dagent *r = arg;

	list_unlink(&r->le);
}

static void dcall_destructor(void *arg)
{
	struct dcall *x = arg;

	tmr_cancel(&x->tmr);
	tmr_cancel(&x->rel_tmr);
	list_unlink(&x->le);
	mem_deref(x->k);
}

static void dcamp_destructor(void *arg)
{
	struct dcamp *k = arg;

	tmr_cancel(&k->wake_tmr);
	list_unlink(&k->le);
	list_flush(&k->agents);
	if (k->d)
		dialer_free(k->d);
}

/* The detector's parameters: [amd], then the campaign's amd_params (they
 * were checked when set; one that no longer parses is logged and the
 * rest kept). */
static void campaign_amd(struct dcamp *k, const struct st_campaign *c)
{
	char bad[96];

	amd_params_from_conf(&k->amd, k->dh->tel->occ->cfg);
	if (amd_params_parse(&k->amd, c->amd_params, bad, sizeof(bad)))
		OCC_WARN("bad amd_params campaign=%lld at '%s'",
			 (long long)c->id, bad);
}

/* With AMD, a person is told apart after_greeting_silence (+ the tap's
 * lag) after the end of their greeting: the hold is what is left of the
 * legal 2 s, at most the usual HOLD_MS. */
static uint32_t amd_hold_ms(const struct amd_params *p)
{
	unsigned used = p->after_greeting_silence + AMD_LAG_MS;
	uint32_t left = used < LEGAL_MS ? LEGAL_MS - used : 0;

	return left < HOLD_MS ? left : HOLD_MS;
}

static void campaign_cfg(const struct st_campaign *c,
			 const struct amd_params *amd, struct dialer_cfg *cfg)
{
	dialer_cfg_default(cfg);
	if (c->amd) {
		cfg->amd_fp = c->amd_fp_permille / 1000.0;
		cfg->hold_ms = amd_hold_ms(amd);
	}
	cfg->mode = !strcmp(c->dial_mode, "progressive") ? DIALER_PROGRESSIVE
		: !strcmp(c->dial_mode, "predictive") ? DIALER_PREDICTIVE
		: DIALER_PREVIEW;
	cfg->profile = !strcmp(c->profile, "uk") ? DIALER_PROFILE_UK
		: !strcmp(c->profile, "none") ? DIALER_PROFILE_NONE
		: DIALER_PROFILE_US;
}

static struct dcamp *dcamp_find(struct dialerhost *dh, const char *team,
				int64_t id)
{
	struct le *le;

	LIST_FOREACH(&dh->camps, le) {
		struct dcamp *k = le->data;
		if (k->cfg.id == id && !strcmp(k->team, team))
			return k;
	}
	return NULL;
}

struct visit {
	struct dialerhost *dh;
	const struct team *t;
};

/* the campaign's stored calls, told to a new module as past answers */
struct past {
	struct dialer *d;
	uint64_t mono, wall;
	unsigned live, abandons, machines;
};

static void past_call(const struct st_campaign_call *c, void *arg)
{
	struct past *p = arg;
	struct crep_call x;
	uint64_t ago;

	crep_call_of(&x, c);
	if (!x.answer_ms || (uint64_t)x.answer_ms > p->wall)
		return;
	ago = p->wall - (uint64_t)x.answer_ms;
	if (ago > p->mono)
		return;          /* before the module's clock began */
	if (crep_is_machine(&x)) {
		/* its estimated false positive, at the answer as the report
		 * counts it (the module counted it at the hang-up, seconds
		 * later) */
		p->machines++;
		dialer_account_past_machine(p->d, p->mono - ago, p->mono);
		return;
	}
	if (!crep_is_live(&x))
		return;
	p->live++;
	p->abandons += crep_is_abandon(&x);
	dialer_account_past(p->d, p->mono - ago, crep_is_abandon(&x), p->mono);
}

/* A new module (a start, or occd's restart) goes on with the abandon
 * budget the campaign's CDRs say is spent: the day's and the legal
 * window's (30 days; the uk profile's 24 h lies within). */
static void restore_budget(struct dcamp *k, const struct st_campaign *c)
{
	struct past p = { .d = k->d, .mono = now(),
			  .wall = (uint64_t)wall_ms() };

	if (store_campaign_call_visit(k->dh->tel->occ->st, c->team_id, c->id,
				      (int64_t)p.wall - 30LL * 86400000,
				      (int64_t)p.wall + 1, past_call, &p))
		OCC_WARN("abandon budget not restored campaign=%lld",
			 (long long)c->id);
	else if (p.live || p.machines)
		OCC_INFO("abandon budget restored campaign=%lld live=%u"
			 " abandons=%u machines=%u amd_fp_est=%.3f",
			 (long long)c->id, p.live, p.abandons, p.machines,
			 p.machines * (c->amd ? c->amd_fp_permille / 1000.0 : 0));
}

static void campaign_seen(const struct st_campaign *c, void *arg)
{
	struct visit *v = arg;
	struct dcamp *k = dcamp_find(v->dh, v->t->name, c->id);
	struct dialer_cfg cfg;
	bool running = !strcmp(c->state, "running");

	if (!k && !running)
		return;
	if (!k) {
		k = mem_zalloc(sizeof(*k), dcamp_destructor);
		if (!k)
			return;
		k->dh = v->dh;
		str_ncpy(k->team, v->t->name, sizeof(k->team));
		tmr_init(&k->wake_tmr);
		campaign_amd(k, c);
		campaign_cfg(c, &k->amd, &cfg);
		k->d = dialer_new(&cfg, &ops, k);
		if (!k->d) {
			mem_deref(k);
			return;
		}
		list_append(&v->dh->camps, &k->le, k);
		OCC_INFO("campaign dialer up team=%s campaign=%lld mode=%s",
			 k->team, (long long)c->id, c->dial_mode);
		restore_budget(k, c);
	}
	else {
		campaign_amd(k, c);
		campaign_cfg(c, &k->amd, &cfg);
		dialer_set_cfg(k->d, &cfg);
	}
	if (running != k->running)
		OCC_INFO("campaign %s team=%s campaign=%lld", running
			 ? "dialing" : "no longer dialing", k->team,
			 (long long)c->id);
	k->cfg = *c;
	dialer_rules_default(&k->rules, cfg.profile == DIALER_PROFILE_UK);
	dialer_rules_apply(&k->rules, &(struct dialer_retry_cfg){
		.busy_s = (uint32_t)c->retry_busy,
		.noanswer_s = (uint32_t)c->retry_noanswer,
		.failed_s = (uint32_t)c->retry_failed,
		.max_attempts = (unsigned)c->max_attempts });
	k->running = running;
	k->seen = true;
}

/* ---- agents ------------------------------------------------------------- */

static struct dagent *dagent_find(struct dcamp *k, const char *number)
{
	struct le *le;

	LIST_FOREACH(&k->agents, le) {
		struct dagent *r = le->data;
		if (!strcmp(r->number, number))
			return r;
	}
	return NULL;
}

/* What the agent does now, for this campaign; *acw_end: the end of a
 * timed ACW (wall ms). An untimed ACW is a pause: the module cannot know
 * when ACWOFF comes. */
static enum told agent_now(struct dialerhost *dh, const struct member *mb,
			   int64_t *acw_end)
{
	const struct agent *a = mb->agent;

	*acw_end = 0;
	if (!mb->checked_in || mb->work_mode == WORK_DIALIN ||
	    !agent_device_up(dh->tel, a))
		return TOLD_PAUSED;
	switch (a->state) {
	case AS_IDLE:
		return TOLD_IDLE;
	case AS_RING:
	case AS_BUSY:
		return TOLD_BUSY;
	case AS_ACW:
		*acw_end = agent_acw_end_ms(a);
		return *acw_end ? TOLD_ACW : TOLD_PAUSED;
	default:
		return TOLD_PAUSED;
	}
}

static void tell_agent(struct dcamp *k, struct dagent *r, enum told s,
		       int64_t acw_end)
{
	uint64_t t = now();

	if (r->told == TOLD_ENGAGED || (r->told == s && r->acw_end == acw_end))
		return;
	if (s == TOLD_ACW) {
		tell_acw(k, r, acw_end);
		return;
	}
	r->told = s;
	r->acw_end = 0;
	if (s == TOLD_IDLE)
		dialer_agent_idle(k->d, r->a, t);   /* may bridge at once */
	else if (s == TOLD_BUSY)
		dialer_agent_busy(k->d, r->a, t);
	else
		dialer_agent_pause(k->d, r->a, t);
}

/* Blending: an agent in `all` work mode for the campaign's group that
 * the ACD would give a waiting caller is not free for the dialer (the
 * module decides what that means); told before its state, so that an
 * agent coming free goes to the inbound caller, not to a held answer. */
static void tell_awaited(struct dcamp *k, struct dagent *r,
			 const struct member *mb)
{
	bool w = mb->work_mode == WORK_ALL && mb->checked_in &&
		acdhost_agent_awaited(k->dh->tel, k->team, r->number);

	if (w == r->awaited)
		return;
	r->awaited = w;
	OCC_INFO("campaign=%lld agent=%s %s", (long long)k->cfg.id,
		 r->number, w ? "awaited by an inbound caller: not dialled for"
		 : "no longer awaited by an inbound caller");
	dialer_agent_awaited(k->d, r->a, w, now());
}

static void sync_agents(struct dcamp *k, const struct team *t)
{
	const struct group *g = team_group(t, k->cfg.group_id);
	struct le *le, *next;

	LIST_FOREACH(&k->agents, le)
		((struct dagent *)le->data)->seen = false;
	if (g) {
		LIST_FOREACH(&g->members, le) {
			const struct member *mb = le->data;
			struct dagent *r = dagent_find(k, mb->agent->number);
			if (!r) {
				r = mem_zalloc(sizeof(*r), dagent_destructor);
				if (!r)
					continue;
				str_ncpy(r->number, mb->agent->number,
					 sizeof(r->number));
				r->a = dialer_agent_add(k->d, r, now());
				if (!r->a) {
					mem_deref(r);
					continue;
				}
				r->told = TOLD_PAUSED;
				list_append(&k->agents, &r->le, r);
			}
			int64_t acw_end;
			enum told s = agent_now(k->dh, mb, &acw_end);
			r->seen = true;
			tell_awaited(k, r, mb);
			tell_agent(k, r, s, acw_end);
		}
	}
	for (le = list_head(&k->agents); le; le = next) {
		struct dagent *r = le->data;
		next = le->next;
		if (r->seen || r->call)
			continue;
		dialer_agent_remove(k->d, r->a, now());
		mem_deref(r);
	}
}

/* ---- dials -------------------------------------------------------------- */

/* What dialer_record_check() asks of a number, and what the host keeps
 * of its answers: whether the DNC lookup failed (the number waits rather
 * than being marked), how long until its window opens. */
struct rec_ctx {
	struct dcamp *k;
	int64_t customer_id;
	bool dnc_err;
	uint32_t wait_s;
};

/* On the system's, the team's or the campaign's DNC list (digits only). */
static bool rec_dnc(void *arg, const struct dialer_record *r)
{
	struct rec_ctx *rc = arg;
	struct dcamp *k = rc->k;
	char digits[ST_NUM];
	bool hit = false;

	if (!dialer_number_digits(r->number, digits, sizeof(digits)))
		return false;    /* no digits: the trunk refuses it anyway */
	if (store_dnc_match(k->dh->tel->occ->st, k->cfg.team_id, k->cfg.id,
			    digits, &hit)) {
		rc->dnc_err = true;
		return true;     /* not dialled while we cannot tell */
	}
	return hit;
}

/* The record's time zone: its package's `timezone` or `tz` field. */
static bool record_zone(struct dcamp *k, int64_t customer_id, char *name,
			size_t size)
{
	struct st_customer *cu;
	struct form f;
	const char *z = NULL;
	bool found = false;

	if (!customer_id)
		return false;
	cu = mem_zalloc(sizeof(*cu), NULL);
	if (!cu)
		return false;
	form_init(&f);
	if (!store_customer_get_id(k->dh->tel->occ->st, k->cfg.team_id,
				   customer_id, cu) &&
	    !form_parse(&f, cu->data, strlen(cu->data))) {
		z = form_get(&f, "timezone");
		if (!z || !*z)
			z = form_get(&f, "tz");
		/* a name tz_load would not try is no zone (and not logged) */
		if (z && *z && tz_name_ok(z)) {
			str_ncpy(name, z, size);
			found = true;
		}
		else if (z && *z) {
			OCC_WARN("bad time zone name campaign=%lld customer=%lld",
				 (long long)k->cfg.id, (long long)customer_id);
		}
	}
	form_reset(&f);
	mem_deref(cu);
	return found;
}

/* The campaign's window in the record's time zone, else the campaign's,
 * else occd's local time; a zone that does not load counts as absent. */
static bool rec_window(void *arg, const struct dialer_record *r,
		       uint64_t t_ms)
{
	struct rec_ctx *rc = arg;
	struct dcamp *k = rc->k;
	char name[TZ_MAX_NAME] = "";
	struct tz *z = NULL;
	time_t tt = (time_t)(t_ms / 1000);
	int m, sec;

	if (!record_zone(k, rc->customer_id, name, sizeof(name)))
		str_ncpy(name, k->cfg.timezone, sizeof(name));
	if (name[0] && tz_load(&z, TZ_ZONEINFO_DIR, name)) {
		OCC_WARN("unknown time zone campaign=%lld number=%s zone=%s",
			 (long long)k->cfg.id, r->number, name);
		z = NULL;
		if (strcmp(name, k->cfg.timezone) && k->cfg.timezone[0] &&
		    tz_load(&z, TZ_ZONEINFO_DIR, k->cfg.timezone))
			z = NULL;
	}
	if (z) {
		struct tz_local lt;
		tz_localtime(z, (int64_t)tt, &lt);
		m = lt.min;
		sec = lt.sec;
		mem_deref(z);
	}
	else {
		struct tm tm;
		localtime_r(&tt, &tm);
		m = tm.tm_hour * 60 + tm.tm_min;
		sec = tm.tm_sec;
	}
	rc->wait_s = dialer_window_wait_s(k->cfg.window_start,
					  k->cfg.window_end, m, sec);
	return rc->wait_s == 0;
}

static const struct dialer_record_ops rec_ops = {
	.dnc = rec_dnc, .in_window = rec_window,
};

static const char *const result_names[DIALER_RES__N] = {
	[DIALER_RES_NONE] = "", [DIALER_RES_BUSY] = "busy",
	[DIALER_RES_NO_ANSWER] = "noanswer", [DIALER_RES_FAILED] = "failed",
	[DIALER_RES_ABANDONED] = "abandoned",
	[DIALER_RES_ANSWERED] = "answered", [DIALER_RES_MACHINE] = "machine",
	[DIALER_RES_INTERRUPTED] = "interrupted",
};
/* the result of a number found on a DNC list: never dialled again */
static const char RESULT_DNC[] = "dnc";

static enum dialer_result result_of(const char *s)
{
	for (int i = 1; i < DIALER_RES__N; i++)
		if (!strcmp(s, result_names[i]))
			return (enum dialer_result)i;
	return DIALER_RES_NONE;
}

static void record_of(struct dialer_record *rec, const struct st_dial *d)
{
	memset(rec, 0, sizeof(*rec));
	rec->number = d->number;
	rec->attempts = (uint8_t)(d->attempts > 255 ? 255 : d->attempts);
	rec->last_result = result_of(d->last_result);
	/* dial_ms is already the time its last result allows */
	rec->last_ms = 0;
}

/* The row's dial is over: attempts, result, next try (or never). */
static void record_result(struct dcamp *k, const struct st_dial *d,
			  int attempts, enum dialer_result res)
{
	struct dialer_record rec;
	uint64_t next;

	record_of(&rec, d);
	rec.attempts = (uint8_t)(attempts > 255 ? 255 : attempts);
	rec.last_result = res;
	rec.last_ms = (uint64_t)wall_ms();
	next = dialer_record_next(&k->rules, &rec);
	if (store_dial_result(k->dh->tel->occ->st, k->cfg.team_id, d->id,
			      attempts, result_names[res], next == UINT64_MAX
			      ? INT64_MAX : (int64_t)next))
		OCC_WARN("dial result not saved campaign=%lld number=%s",
			 (long long)k->cfg.id, d->number);
}

/* A number dialer_record_check() refused: on a DNC list, result "dnc" and
 * never again; outside its window, at its next opening (a day later if
 * it never opens); else when its rules allow, or never. */
static void refused(struct dcamp *k, const struct st_dial *d,
		    const struct dialer_record *rec, const struct rec_ctx *rc,
		    enum dialer_refusal why, int64_t w)
{
	const char *result = d->last_result;
	uint64_t next;

	if (why == DIALER_NO_DNC && rc->dnc_err) {
		next = (uint64_t)w + DNC_RETRY_MS;
	}
	else if (why == DIALER_NO_DNC) {
		OCC_INFO("not dialled campaign=%lld number=%s: on a DNC list",
			 (long long)k->cfg.id, d->number);
		result = RESULT_DNC;
		next = UINT64_MAX;
	}
	else if (why == DIALER_NO_WINDOW) {
		next = (uint64_t)w + (rc->wait_s == UINT32_MAX ? 86400000ULL
				      : (uint64_t)rc->wait_s * 1000);
		OCC_INFO("not dialled campaign=%lld number=%s: outside its"
			 " window for %u s", (long long)k->cfg.id, d->number,
			 (unsigned)((next - (uint64_t)w) / 1000));
	}
	else {
		next = dialer_record_next(&k->rules, rec);
	}
	if (store_dial_result(k->dh->tel->occ->st, k->cfg.team_id, d->id,
			      d->attempts, result, next == UINT64_MAX
			      ? INT64_MAX : (int64_t)next))
		OCC_WARN("dial not rescheduled campaign=%lld number=%s",
			 (long long)k->cfg.id, d->number);
}

/* Dial one due number of the list; false when there is none (or the
 * team cannot dial). */
static bool dial_next(struct dcamp *k, const struct team *t)
{
	struct tel *tel = k->dh->tel;
	struct dialer_record rec;
	struct rec_ctx rc = { .k = k };
	enum dialer_refusal why;
	char model_id[24], userdata[96];
	struct st_dial d;
	struct dcall *x;
	struct call *c;
	struct leg *l = NULL;
	int64_t w = wall_ms();
	int err;

	if (!trunk_find(t, ""))
		return false;
	if (store_dial_take(tel->occ->st, k->cfg.team_id, k->cfg.id, w, &d))
		return false;
	record_of(&rec, &d);
	rc.customer_id = d.customer_id;
	why = dialer_record_check(&k->rules, &rec, &rec_ops, &rc,
				  (uint64_t)w);
	if (why != DIALER_OK) {
		refused(k, &d, &rec, &rc, why, w);
		return true;     /* look at the next one */
	}
	x = mem_zalloc(sizeof(*x), dcall_destructor);
	if (!x)
		return false;
	x->k = mem_ref(k);
	x->row = d;
	tmr_init(&x->tmr);
	tmr_init(&x->rel_tmr);
	re_snprintf(model_id, sizeof(model_id), "%lld", (long long)k->cfg.id);
	re_snprintf(userdata, sizeof(userdata), "dial_id=%lld&customer_id=%lld",
		    (long long)d.id, (long long)d.customer_id);
	struct call_req req = {
		.team = t->name, .agent = "", .agent_exten = "",
		.group_id = k->cfg.group_id, .target = d.number,
		.callerid = k->cfg.callerid, .trunk = "",
		.modeltype = "Campaign", .model_id = model_id,
		.userdata = userdata,
	};
	c = call_setup(tel, t, &req);
	if (!c) {
		record_result(k, &d, d.attempts, DIALER_RES_FAILED);
		mem_deref(x);
		return false;
	}
	c->dc = x;
	x->c = c;
	list_append(&k->calls, &x->le, x);
	/* reported before the call can end (its end is deferred) */
	x->h = dialer_dialled(k->d, x, now());
	err = dial(c, ROLE_CUSTOMER, false, d.number, NULL, "", &l);
	if (err) {
		OCC_WARN("cannot dial campaign=%lld number=%s: %m",
			 (long long)k->cfg.id, d.number, err);
		if (l)
			leg_gone(l, 500, "system");
		else
			call_end(c, "system");
		return true;
	}
	/* released unanswered when the module says (>= 15 s); a virtual
	 * customer answers by itself */
	if (!l->virtual)
		leg_ring_for(l, dialer_ring_ms(k->d));
	OCC_INFO("dialing campaign=%lld session=%s number=%s uniqueid=%lld",
		 (long long)k->cfg.id, c->sessionid, d.number,
		 (long long)l->uniqueid);
	return true;
}

static void dial_due(struct dcamp *k, const struct team *t)
{
	char id[24];
	unsigned n;

	/* overloaded: no new dial this poll, the numbers wait in the list
	 * (the module is not asked, so it counts no dial that was not) */
	re_snprintf(id, sizeof(id), "%lld", (long long)k->cfg.id);
	if (call_overloaded(k->dh->tel->occ->cfg, "dial", t->name,
			    "campaign", id))
		return;
	n = dialer_decide(k->d, now());

	/* a refused number is looked at, not dialled: bounded all the same */
	for (unsigned tries = 0; n && tries < 4 * n + 8; tries++) {
		unsigned before = list_count(&k->calls);
		if (!dial_next(k, t))
			break;
		if (list_count(&k->calls) > before)
			n--;
	}
}

static void dh_poll(void *arg);

/* ---- the calls' hooks (call.c) ------------------------------------------ */

/* AMD's verdict on a dial's answer (from the loop; HANGUP inside the
 * customer's hang-up, when the call ends next) */
static void amd_verdict(struct leg *cu, const struct amd_result *r,
			void *arg)
{
	struct dcall *x = arg;
	struct dcamp *k = x->k;

	amd_tap_record(cu, r, NULL);
	x->amd = false;
	if (!x->h)
		return;
	if (r->status == AMD_HANGUP) {
		/* gone during the greeting: the module never held it */
		dialer_call_no_answer(k->d, x->h, now());
		x->h = NULL;
		return;
	}
	if (r->status != AMD_MACHINE) {
		/* the greeting ended after_greeting_silence (+ the tap's lag)
		 * before the verdict */
		uint64_t used = k->amd.after_greeting_silence + AMD_LAG_MS, t = now();
		x->live_ms = t > used ? t - used : 0;
		dialer_call_answered(k->d, x->h, true, t);
		return;
	}
	dialer_call_machine(k->d, x->h, now());
	x->h = NULL;
	x->machine = true;
	OCC_INFO("machine campaign=%lld number=%s cause=%s action=%s",
		 (long long)k->cfg.id, x->row.number,
		 amd_cause_name(r->cause), k->cfg.amd_action);
	if (!strcmp(k->cfg.amd_action, "message"))
		play_message(x, cu);
	else
		tmr_start(&x->tmr, 0, hangup_later, x);
}

void dialerhost_customer_up(struct call *c)
{
	struct dcall *x = c->dc;
	struct leg *cu = c->legs[ROLE_CUSTOMER];
	int err;

	if (!x || !x->h)
		return;
	if (x->k->cfg.amd && cu->mep) {
		err = amd_tap_start(cu, &x->k->amd, amd_verdict, x);
		if (!err) {
			x->amd = true;
			return;
		}
		OCC_WARN("amd not started campaign=%lld session=%s: %m",
			 (long long)x->k->cfg.id, c->sessionid, err);
	}
	x->live_ms = now();
	dialer_call_answered(x->k->d, x->h, true, x->live_ms);
}

void dialerhost_agent_up(struct call *c)
{
	struct dcall *x = c->dc;

	OCC_INFO("campaign call bridged campaign=%lld session=%s agent=%s",
		 x ? (long long)x->k->cfg.id : 0LL, c->sessionid, c->agent);
	remix(c);
}

void dialerhost_call_ended(struct call *c)
{
	struct dcall *x = c->dc;
	const struct leg *cu = c->legs[ROLE_CUSTOMER];
	const struct leg *ag = c->legs[ROLE_AGENT];
	uint16_t sc = cu ? cu->final_scode : 500;
	enum dialer_result res;
	struct dcamp *k;

	if (!x)
		return;
	k = x->k;
	c->dc = NULL;
	x->c = NULL;
	if (cu && cu->answered && x->machine)
		res = DIALER_RES_MACHINE;
	else if (cu && cu->answered)
		res = ag && ag->answered ? DIALER_RES_ANSWERED
			: DIALER_RES_ABANDONED;
	else if (sc == 486 || sc == 600 || sc == 603)
		res = DIALER_RES_BUSY;
	else if (!sc || sc == 408 || sc == 480 || sc == 487)
		res = DIALER_RES_NO_ANSWER;
	else
		res = DIALER_RES_FAILED;
	OCC_INFO("campaign dial ended campaign=%lld number=%s result=%s",
		 (long long)k->cfg.id, x->row.number, result_names[res]);
	record_result(k, &x->row, x->row.attempts + 1, res);
	tmr_start(&k->dh->poll_tmr, 0, dh_poll, k->dh);
	/* bridged, and the agent's phone failed or never answered: the
	 * customer was abandoned */
	if ((x->agent || x->agent_lost) && res == DIALER_RES_ABANDONED)
		dialer_bridge_lost(k->d, now());
	if (x->h && x->amd) {
		/* ended before AMD's verdict: the module never held it */
		dialer_call_no_answer(k->d, x->h, now());
		x->h = NULL;
	}
	if (x->h && cu && cu->answered)
		return;          /* the module bridges or abandons it still */
	if (x->h && res == DIALER_RES_NO_ANSWER)
		dialer_call_no_answer(k->d, x->h, now());
	else if (x->h)
		dialer_call_failed(k->d, x->h, now());
	x->h = NULL;
	orphan_done(x);
}

/* ---- the poll ------------------------------------------------------------ */

static void dh_poll(void *arg)
{
	struct dialerhost *dh = arg;
	struct model *m = dh->tel->occ->m;
	struct le *le, *next;

	LIST_FOREACH(&dh->camps, le)
		((struct dcamp *)le->data)->seen = false;
	LIST_FOREACH(&m->teams, le) {
		struct visit v = { dh, le->data };
		if (store_campaign_visit(dh->tel->occ->st, v.t->id,
					 campaign_seen, &v))
			OCC_WARN("campaigns not read team=%s", v.t->name);
	}
	for (le = list_head(&dh->camps); le; le = next) {
		struct dcamp *k = le->data;
		struct team *t = team_find(m, k->team);
		next = le->next;
		if (!k->seen)
			k->running = false;     /* removed */
		if (!k->running && list_isempty(&k->calls)) {
			OCC_INFO("campaign dialer down team=%s campaign=%lld",
				 k->team, (long long)k->cfg.id);
			mem_deref(k);
			continue;
		}
		if (!t)
			continue;
		sync_agents(k, t);
		if (k->running)
			dial_due(k, t);
	}
	tmr_start(&dh->poll_tmr, POLL_MS, dh_poll, dh);
}

int dialerhost_init(struct tel *tel)
{
	struct dialerhost *dh = mem_zalloc(sizeof(*dh), NULL);

	if (!dh)
		return ENOMEM;
	dh->tel = tel;
	tmr_init(&dh->poll_tmr);
	/* dials whose calls a stop or crash ended: not again before the
	 * default rules' delay for an interrupted dial (they are retried,
	 * up to its attempts, as any other result) */
	struct dialer_rules rules;
	int n = 0;
	dialer_rules_default(&rules, false);
	uint32_t delay_s = rules.retry[DIALER_RES_INTERRUPTED].delay_s;
	/* (with several nodes the others' dials are under way: left) */
	if (tel->occ->cluster)
		;
	else if (store_dial_interrupted(tel->occ->st, wall_ms() +
					(int64_t)delay_s * 1000, &n))
		OCC_WARN("interrupted dials not marked");
	else if (n)
		OCC_INFO("interrupted dials=%d retried in %u min", n,
			 (unsigned)(delay_s / 60));
	tel->dialh = dh;
	tmr_start(&dh->poll_tmr, POLL_MS, dh_poll, dh);
	return 0;
}

void dialerhost_close(struct tel *tel)
{
	struct dialerhost *dh = tel->dialh;
	struct le *le;

	if (!dh)
		return;
	tmr_cancel(&dh->poll_tmr);
	while ((le = list_head(&dh->camps))) {
		struct dcamp *k = le->data;
		struct le *ce;
		while ((ce = list_head(&k->calls))) {
			struct dcall *x = ce->data;
			if (x->c)
				x->c->dc = NULL;
			mem_deref(x);
		}
		mem_deref(k);
	}
	tel->dialh = NULL;
	mem_deref(dh);
}
