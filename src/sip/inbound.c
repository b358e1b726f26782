/*
 * inbound.c — calls that come in: from a team's trunk (or a source the
 * team allows) to one of its DIDs, routed by the team's routing file
 * (inbound/routing.h) to an IVR, a queue, an extension, an agent, a prompt
 * or a hang-up.
 *
 * The caller's INVITE is answered at once when the destination is one
 * occd plays to (IVR, queue, prompt, and an extension or agent, which the
 * caller hears ring as ringback), refused without answering when it is a
 * hang-up (403 blocked, 480 closed), and 404 when no DID matches. Then the
 * call is an ordinary struct call (call_impl.h) whose customer leg is the
 * caller (source CALLER); agents are reached by offers: agent legs that
 * ring but are not the call's agent until one answers. The first answer
 * wins; every other offer is cancelled (CANCEL, or BYE if its 200
 * crossed) and told as an AGENT/hangup. From the winner's answer on, the
 * call is a two-party call like any other: hold, consult, transfer,
 * conference and supervision work unchanged.
 *
 * Who may call in: a team's DIDs are reached from the addresses of its
 * trunks (an IP literal in the trunk's URI) and from what the team setting
 * inbound_from allows ("any", or a comma list of addresses and networks
 * a.b.c.d/n). Nothing inbound ever reaches a trunk: every destination is
 * inside the team, so an unknown source cannot place a call out.
 */
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <re.h>
#define LOG_TOPIC "sip.inbound"
#include "base/log.h"
#include "base/conf.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/occ.h"
#include "inbound/routing.h"
#include "media/mep.h"
#include "media/player.h"
#include "sip/call.h"
#include "sip/inbound.h"
#include "sip/registrar.h"
#include "sip/tel_impl.h"
#include "sip/call_impl.h"
#include "sip/inbound_impl.h"

/* an overloaded occd's 503 asks not to be sent new calls for this long:
 * about the overload guard's window (the last second or two) */
enum { OVERLOAD_RETRY_S = 2 };

static void inbound_destructor(void *arg)
{
	struct inbound *in = arg;

	ivrhost_leave(in);
	tmr_cancel(&in->tmr);
	tmr_cancel(&in->ann_tmr);
	mem_deref(in->prompt);
	mem_deref((void *)in->rt);
	/* offers still ringing: CANCEL (their legs are freed here) */
	list_flush(&in->offers);
}

static void offer_destructor(void *arg)
{
	struct offer *o = arg;

	list_unlink(&o->le);
	mem_deref(o->leg);
}

static struct offer *offer_of(const struct inbound *in, const struct leg *l)
{
	struct le *le;

	LIST_FOREACH(&in->offers, le) {
		struct offer *o = le->data;
		if (o->leg == l)
			return o;
	}
	return NULL;
}

/* ---- who may call in -------------------------------------------------- */

/* "sip:192.0.2.7:5060;transport=tcp" names the address a gateway sends
 * from; a host name is not resolved (the team allows it by inbound_from) */
static bool trunk_is_source(const struct st_trunk *tr, const struct sa *src)
{
	struct pl host, rest;
	struct sa sa;

	if (re_regex(tr->uri, strlen(tr->uri), "sip[s]*:[^:;]+[^]*", NULL,
		     &host, &rest))
		return false;
	if (host.l && host.p[0] == '[' && host.p[host.l - 1] == ']') {
		host.p++;
		host.l -= 2;
	}
	return !sa_set(&sa, &host, 0) && sa_cmp(&sa, src, SA_ADDR);
}

/* a.b.c.d, a.b.c.d/n, an IPv6 address or network, or "any" */
static bool allowed_by(const char *list, const struct sa *src)
{
	struct pl item, rest;

	pl_set_str(&rest, list);
	while (!re_regex(rest.p, rest.l, "[ ,]*[^ ,]+", NULL, &item)) {
		struct pl addr, bits;
		struct sa net;
		rest.l -= (size_t)(item.p + item.l - rest.p);
		rest.p = item.p + item.l;
		if (!pl_strcmp(&item, "any"))
			return true;
		if (re_regex(item.p, item.l, "[^/]+[/]*[0-9]*", &addr, NULL,
			     &bits) || sa_set(&net, &addr, 0) ||
		    sa_af(&net) != sa_af(src))
			continue;
		unsigned max = sa_af(&net) == AF_INET ? 32 : 128;
		unsigned n = bits.l ? pl_u32(&bits) : max;
		if (n > max)
			continue;
		if (sa_af(&net) == AF_INET) {
			uint32_t mask = n ? htonl(~0u << (32 - n)) : 0;
			if (((net.u.in.sin_addr.s_addr ^
			      src->u.in.sin_addr.s_addr) & mask) == 0)
				return true;
			continue;
		}
		const uint8_t *a = net.u.in6.sin6_addr.s6_addr;
		const uint8_t *b = src->u.in6.sin6_addr.s6_addr;
		unsigned i = 0;
		for (; i < n / 8 && a[i] == b[i]; i++)
			;
		if (i < n / 8)
			continue;
		if (n % 8 == 0 ||
		    ((a[i] ^ b[i]) & (uint8_t)(0xff << (8 - n % 8))) == 0)
			return true;
	}
	return false;
}

/* Does source reach team t, and over which trunk (name, "" for an
 * allowed peer)? */
static bool team_admits(const struct team *t, const struct sa *src,
			const char **trunk)
{
	struct le *le;
	const char *from;

	LIST_FOREACH(&t->trunks, le) {
		const struct trunk *tr = le->data;
		if (trunk_is_source(&tr->cfg, src)) {
			*trunk = tr->cfg.name;
			return true;
		}
	}
	*trunk = "";
	from = team_setting(t, "inbound_from");
	return from && allowed_by(from, src);
}

/* ---- offers: agent legs ringing for the caller ------------------------ */

/* An offer ends: CANCEL (or BYE after a crossed 200), its AGENT/hangup,
 * the agent free again; the CDR keeps the leg. */
void offer_drop(struct inbound *in, struct offer *o)
{
	struct call *c = in->c;
	struct leg *l = o->leg;

	o->leg = NULL;
	mem_deref(o);
	if (l->agent[0] && strcmp(l->agent, c->agent))
		set_agent_state(c, l->agent, AS_IDLE);
	leg_detach(l);           /* takes the offer's reference */
}

/* Ring exten for the caller (agent: the agent it reaches, "" for a plain
 * extension). */
int offer_ring(struct inbound *in, const char *exten, const char *agent,
	       int64_t group_id, int acw_mode, unsigned ring_s,
	       struct offer **op)
{
	struct call *c = in->c;
	struct team *t = team_find(model_of(c), c->team);
	const struct exten *e = t ? exten_find(t, exten) : NULL;
	bool virt = e && !strcmp(e->kind, "virtual");
	struct offer *o;
	struct leg *l;
	int err;

	if (!e || (!virt && !registrar_lookup(c->tel->reg, c->team, exten)))
		return ENOTCONN;
	o = mem_zalloc(sizeof(*o), offer_destructor);
	if (!o)
		return ENOMEM;
	err = leg_new(&l, c, ROLE_AGENT, exten, virt, false);
	if (err) {
		mem_deref(o);
		return err;
	}
	o->leg = l;
	o->group_id = group_id;
	o->acw_mode = acw_mode;
	str_ncpy(l->agent, agent, sizeof(l->agent));
	l->group_id = group_id;
	list_append(&in->offers, &o->le, o);
	if (agent[0])
		set_agent_state(c, agent, AS_RING);
	err = ring_exten(l, exten, c->req.target, ring_s);
	if (err) {
		OCC_WARN("cannot ring session=%s exten=%s: %m", c->sessionid,
			 exten, err);
		offer_drop(in, o);
		return err;
	}
	OCC_INFO("offer session=%s uniqueid=%lld exten=%s agent=%s",
		 c->sessionid, (long long)l->uniqueid, exten, agent);
	if (op)
		*op = o;
	return 0;
}

static void queue_keys(struct inbound *in, bool on);

/* The open CDR follows the call's steps that reports count (waiting in a
 * queue, answered by an agent), so a call in progress, or one a crash
 * cut, reads where it was. */
static void cdr_update(struct call *c)
{
	if (store_cdr_end(c->tel->occ->st, &c->cdr))
		OCC_ERR("cdr not updated session=%s", c->sessionid);
}

/* The first answer: o's leg becomes the call's agent leg, the others go. */
void offer_won(struct inbound *in, struct offer *o)
{
	struct call *c = in->c;
	struct leg *l = o->leg, *cu = c->legs[ROLE_CUSTOMER];
	int64_t group_id = o->group_id;
	int acw_mode = o->acw_mode;
	struct le *le;

	list_unlink(&o->le);
	o->leg = NULL;
	mem_deref(o);
	while ((le = list_head(&in->offers)))
		offer_drop(in, le->data);
	announce_stop(in);
	c->legs[ROLE_AGENT] = l;
	c->agent_released = false;
	queue_keys(in, false);           /* keys go to the agent now */
	str_ncpy(c->agent, l->agent, sizeof(c->agent));
	str_ncpy(c->agent_exten, l->peer, sizeof(c->agent_exten));
	str_ncpy(c->cdr.agent, l->agent, sizeof(c->cdr.agent));
	c->group_id = group_id;
	c->acw_mode = acw_mode;
	if (cu)
		cu->tone = mem_deref(cu->tone);    /* ringback or music ends */
	l->answered = true;
	l->answer_ms = now_ms();
	c->cdr.answer_ms = l->answer_ms;
	tell_ringing(l);
	emit(c, l, "answer");
	inbound_tell_leave(in, "answered", 0);
	cdr_update(c);
	if (l->agent[0])
		set_agent_state(c, l->agent, AS_BUSY);
	remix(c);
	/* one recording per call: a caller back from the IVR (toIVR) to a
	 * second agent goes on in the first answer's file and name (a second
	 * recorder replaced the first one's pointer: it was never finished
	 * and stayed on the media clock for good) */
	if (!c->rec) {
		call_name_recording(c);
		call_record(c);
	}
	OCC_INFO("agent answered session=%s uniqueid=%lld agent=%s exten=%s",
		 c->sessionid, (long long)l->uniqueid, l->agent, l->peer);
}

/* ---- destinations ------------------------------------------------------- */

static void path_add(struct inbound *in, const char *fmt, const char *arg)
{
	size_t n = strlen(in->path);

	re_snprintf(in->path + n, sizeof(in->path) - n, fmt, arg);
}

/* A prompt's file in lang (else the default), where it lies. */
static int prompt_path(const struct inbound *in, const char *name,
		       const char *lang, char *out, size_t sz)
{
	const struct call *c = in->c;
	const struct prompt *p = in->rt ? routing_prompt(in->rt, name) : NULL;
	const char *file = prompt_file(p, lang);

	if (!file)
		return ENOENT;
	return routing_prompt_path(out, sz, c->tel->occ->cfg->data_dir,
				   c->team, file);
}

static void prompt_sink(const int16_t *pcm, size_t n, void *arg)
{
	struct inbound *in = arg;
	struct leg *cu = in->c->legs[ROLE_CUSTOMER];

	if (cu)
		tone_to_leg(pcm, n, cu);
}

static void prompt_end(void *arg)
{
	struct inbound *in = arg;
	void (*done)(void *) = in->prompt_done;
	struct leg *cu = in->c->legs[ROLE_CUSTOMER];

	in->prompt_done = NULL;
	/* both references go (the leg's and ours): the player has returned
	 * from its last frame and touches nothing after this */
	if (cu && cu->tone == in->prompt)
		cu->tone = mem_deref(cu->tone);
	in->prompt = mem_deref(in->prompt);
	if (done)
		done(in);
}

void inbound_play_list(struct inbound *in, const char *const prompts[],
		       size_t n, const char *lang, void (*done)(void *arg))
{
	struct leg *cu = in->c->legs[ROLE_CUSTOMER];
	char path[PLAYER_PROMPT_FILES][700];
	const char *paths[PLAYER_PROMPT_FILES];

	inbound_play_stop(in);
	if (n > PLAYER_PROMPT_FILES)
		n = PLAYER_PROMPT_FILES;
	for (size_t i = 0; i < n; i++) {
		paths[i] = path[i];
		/* an unknown prompt plays as a missing file: a moment of
		 * silence, logged once by the player */
		if (prompt_path(in, prompts[i], lang, path[i],
				sizeof(path[i])))
			re_snprintf(path[i], sizeof(path[i]),
				    "%s/prompts/%s/(no prompt %s)",
				    in->c->tel->occ->cfg->data_dir,
				    in->c->team, prompts[i]);
	}
	if (!cu || !n)
		return;
	cu->tone = mem_deref(cu->tone);     /* music or ringback stop */
	in->prompt_done = done;
	if (player_prompt(&in->prompt, paths, n, prompt_sink, prompt_end,
			  in)) {
		in->prompt_done = NULL;
		return;
	}
	/* it stands in the leg's tone slot: the caller hears it, not the
	 * call */
	cu->tone = mem_ref(in->prompt);
}

void inbound_play(struct inbound *in, const char *prompt, const char *lang,
		  void (*done)(void *arg))
{
	inbound_play_list(in, &prompt, 1, lang, done);
}

void inbound_play_stop(struct inbound *in)
{
	struct leg *cu = in->c->legs[ROLE_CUSTOMER];

	in->prompt_done = NULL;
	if (cu && in->prompt && cu->tone == in->prompt)
		cu->tone = mem_deref(cu->tone);
	in->prompt = mem_deref(in->prompt);
}

/* What the caller hears while an agent's phone rings. */
static void ringback(struct call *c)
{
	struct leg *cu = c->legs[ROLE_CUSTOMER];

	if (cu && !cu->tone)
		player_tone(&cu->tone, &tone_ringback, tone_to_leg, cu);
}

/* Music on hold for a waiting caller: the prompt's file (looped), else the
 * configured [media] moh_file, else the chime. */
void inbound_hold_music(struct inbound *in, const char *prompt)
{
	struct call *c = in->c;
	struct leg *cu = c->legs[ROLE_CUSTOMER];
	const char *moh = c->tel->occ->cfg->moh_file;
	char path[700];

	if (!cu)
		return;
	inbound_play_stop(in);
	cu->tone = mem_deref(cu->tone);
	if (prompt && prompt[0] &&
	    !prompt_path(in, prompt, "", path, sizeof(path)) &&
	    !player_wav(&cu->tone, path, tone_to_leg, cu))
		return;
	if (moh[0] && !player_wav(&cu->tone, moh, tone_to_leg, cu))
		return;
	player_tone(&cu->tone, &(struct tone_spec){
		.f1 = 523.25, .f2 = 659.25, .amp = 5000,
		.on_ms = 800, .off_ms = 400 }, tone_to_leg, cu);
}

/* The caller's key while it waits: the queue's exit key takes it out. */
static void queue_digit_h(struct call *c, struct leg *l, char digit,
			  void *arg)
{
	struct inbound *in = arg;
	const struct queue_cfg *q = in->rt ? routing_queue(in->rt, in->queue)
		: NULL;

	if (l->role != ROLE_CUSTOMER || !in->qc || !q || !q->exit_key ||
	    digit != q->exit_key)
		return;
	OCC_INFO("exit key session=%s queue=%s key=%c", c->sessionid,
		 in->queue, digit);
	path_add(in, ">exit:%s", (char[2]){ digit, '\0' });
	in->leave_reason = "exit";
	inbound_go_later(in, &q->exit_dest);
}

static void queue_keys(struct inbound *in, bool on)
{
	struct call *c = in->c;

	if (on) {
		c->digith = queue_digit_h;
		c->digit_arg = in;
	}
	else if (c->digith == queue_digit_h) {
		c->digith = NULL;
		c->digit_arg = NULL;
	}
}

static void go_queue(struct inbound *in, const struct dest *d)
{
	struct call *c = in->c;
	const struct queue_cfg *q = in->rt ? routing_queue(in->rt, d->arg)
		: NULL;
	int r;

	path_add(in, ">queue:%s", d->arg);
	r = acdhost_join(in, d->arg, d->prio);
	if (r == ENOENT) {
		OCC_WARN("no such queue session=%s team=%s queue=%s",
			 c->sessionid, c->team, d->arg);
		call_end(c, "system");
		return;
	}
	if (r) {
		/* full, or empty and not to be joined: the queue's failure
		 * destination */
		OCC_INFO("queue refused the caller session=%s queue=%s r=%d",
			 c->sessionid, d->arg, r);
		inbound_go(in, q && q->fail.kind ? &q->fail
			   : &(struct dest){ .kind = DEST_HANGUP });
		return;
	}
	OCC_INFO("queued session=%s queue=%s prio=%d", c->sessionid, d->arg,
		 d->prio);
	cdr_update(c);
	if (!c->legs[ROLE_AGENT]) {
		inbound_hold_music(in, q ? q->moh : NULL);
		if (q && q->exit_key)
			queue_keys(in, true);
		announce_arm(in);
	}
}

static void prompt_then_hangup(void *arg)
{
	struct inbound *in = arg;

	call_end(in->c, "system");
}

static void go_later_h(void *arg)
{
	struct inbound *in = arg;
	struct dest d = in->next;

	in->next.kind = DEST_NONE;
	inbound_go(in, &d);
}

void inbound_go_later(struct inbound *in, const struct dest *d)
{
	in->next = *d;
	tmr_start(&in->tmr, 0, go_later_h, in);
}

void inbound_go(struct inbound *in, const struct dest *d)
{
	struct call *c = in->c;
	const struct conf *cfg = c->tel->occ->cfg;
	struct team *t = team_find(model_of(c), c->team);
	int err = 0;

	if (c->ending)
		return;
	/* the caller moves on: out of its queue, its offers cancelled */
	queue_keys(in, false);
	acdhost_leave(in);
	switch (d->kind) {
	case DEST_QUEUE:
		go_queue(in, d);
		return;
	case DEST_IVR: {
		const struct ivr_flow *f = in->rt ? routing_flow(in->rt, d->arg)
			: NULL;
		/* the IVR's own path names the flow (ivrhost_leave) */
		err = f ? ivrhost_enter(in, f, NULL) : ENOENT;
		break;
	}
	case DEST_PROMPT:
		path_add(in, ">prompt:%s", d->arg);
		inbound_play(in, d->arg, "", prompt_then_hangup);
		return;
	case DEST_EXTEN:
		path_add(in, ">exten:%s", d->arg);
		err = offer_ring(in, d->arg, "", 0, 0,
				 cfg->agent_ring_timeout, NULL);
		if (!err)
			ringback(c);
		break;
	case DEST_AGENT: {
		struct agent *a = t ? agent_find(t, d->arg) : NULL;
		path_add(in, ">agent:%s", d->arg);
		if (!a) {
			err = ENOENT;
			break;
		}
		err = offer_ring(in, a->device[0] ? a->device : a->exten,
				 a->number, 0, 0, cfg->agent_ring_timeout,
				 NULL);
		if (!err)
			ringback(c);
		break;
	}
	case DEST_HANGUP:
	default:
		path_add(in, ">%s", "hangup");
		call_end(c, "system");
		return;
	}
	if (err) {
		OCC_INFO("inbound destination unreachable session=%s "
			 "dest=%d arg=%s: %m", c->sessionid, (int)d->kind,
			 d->arg, err);
		call_end(c, "system");
	}
}

/* ---- hooks from call.c --------------------------------------------------- */

bool inbound_leg_up(struct leg *l)
{
	struct call *c = l->call;
	struct inbound *in = c->in;
	struct offer *o;

	if (l->role == ROLE_CUSTOMER)
		return true;           /* the caller's ACK: nothing to do */
	o = offer_of(in, l);
	if (!o)
		return false;          /* a consulted party, a supervisor */
	/* a queue's offer wins only if the ACD says so: in a ringall race
	 * exactly one answer does, the others are hung up (BYE) */
	if (o->acd_agent && !acdhost_answered(in, o)) {
		OCC_INFO("answer too late session=%s uniqueid=%lld",
			 c->sessionid, (long long)l->uniqueid);
		offer_drop(in, o);
		return true;
	}
	offer_won(in, o);
	return true;
}

bool inbound_leg_gone(struct leg *l)
{
	struct call *c = l->call;
	struct inbound *in = c->in;
	struct offer *o = offer_of(in, l);
	/* read before offer_drop: it may free l (a call keeps only its first
	 * 8 legs that left; a 9th refused offer of one caller was read
	 * after free) */
	const uint16_t scode = l->final_scode;

	if (!o) {
		/* the caller hangs up while waiting: out of the queue now
		 * (its offers are cancelled), the call ends as usual; in a
		 * queue or while a phone rang for it, it abandoned */
		if (l->role == ROLE_CUSTOMER && !c->legs[ROLE_AGENT]) {
			in->leave_reason = "abandon";
			c->cdr.abandoned = in->qc || !list_isempty(&in->offers);
			acdhost_leave(in);
		}
		return false;
	}
	OCC_INFO("offer ended session=%s uniqueid=%lld scode=%u",
		 c->sessionid, (long long)l->uniqueid, scode);
	if (o->acd_agent) {
		/* ring-no-answer, busy, error: the agent is free (or paused,
		 * after a ring-no-answer), the ACD moves on */
		struct acd_agent *a = o->acd_agent;
		o->acd_agent = NULL;
		offer_drop(in, o);
		acdhost_offer_failed(in, a, scode);
		return true;
	}
	offer_drop(in, o);
	/* a direct destination had one chance */
	if (list_isempty(&in->offers) && !c->legs[ROLE_AGENT] && !in->qc)
		call_end(c, scode == 408 ? "timeout" : "system");
	return true;
}

void inbound_call_ended(struct call *c)
{
	struct inbound *in = c->in;
	struct le *le;

	const struct leg *ag = c->legs[ROLE_AGENT];

	ivrhost_leave(in);
	if (in->qc && ag)
		acdhost_call_ended(in, after_call_state(c, ag->rang,
						ag->answered) == AS_ACW);
	else
		acdhost_leave(in);
	while ((le = list_head(&in->offers)))
		offer_drop(in, le->data);
	str_ncpy(c->cdr.ivrpath, in->path, sizeof(c->cdr.ivrpath));
}

/* The call's inbound part, made when it comes in or, for a call an agent
 * placed, when agentToIvr sends its customer into an IVR. */
struct inbound *inbound_attach(struct call *c)
{
	const struct team *t = team_find(model_of(c), c->team);
	struct inbound *in = c->in;

	if (in)
		return in;
	in = mem_zalloc(sizeof(*in), inbound_destructor);
	if (!in)
		return NULL;
	in->c = c;
	tmr_init(&in->tmr);
	tmr_init(&in->ivr_tmr);
	tmr_init(&in->ann_tmr);
	in->rt = t && t->routing ? mem_ref(t->routing) : NULL;
	c->in = in;
	return in;
}

/* ---- the INVITE ----------------------------------------------------------- */

static void reply(struct tel *tel, const struct sip_msg *msg, uint16_t sc,
		  const char *reason)
{
	sip_treplyf(NULL, NULL, tel->sip, msg, false, sc, reason,
		    "Content-Length: 0\r\n\r\n");
}

/* The team whose DID this is, from a source it admits; *v and *out say
 * how it routes. NULL: no team admits the source for this number. */
static struct team *find_team(struct tel *tel, const struct sip_msg *msg,
			      const char *did, const char *cid,
			      enum inbound_verdict *v,
			      struct inbound_out *out, const char **trunk,
			      bool *admitted)
{
	struct le *le;

	*admitted = false;
	LIST_FOREACH(&tel->occ->m->teams, le) {
		struct team *t = le->data;
		struct inbound_in q = {
			.did = did, .cid = cid, .now_utc_s = (int64_t)time(NULL),
		};
		if (!t->routing || !team_admits(t, &msg->src, trunk))
			continue;
		*admitted = true;
		q.trunk = *trunk;
		*v = routing_decide(t->routing, &q, out);
		if (*v == IN_ROUTED || *v == IN_BLOCKED)
			return t;
	}
	return NULL;
}

static void pl_copy(char *dst, size_t sz, const struct pl *pl)
{
	size_t n = 0;

	/* a number: what a dial string may hold, nothing else */
	for (size_t i = 0; i < pl->l && n + 1 < sz; i++) {
		char ch = pl->p[i];
		if ((ch >= '0' && ch <= '9') || ch == '*' || ch == '#' ||
		    ch == '+')
			dst[n++] = ch;
	}
	dst[n] = '\0';
}

/* Answer a call routed to team t (v, out: how) from caller cid, over
 * trunk ("" for an allowed peer or a team's own phone), dialling did. */
void inbound_answer(struct tel *tel, const struct sip_msg *msg,
		    struct team *t, enum inbound_verdict v,
		    const struct inbound_out *out, const char *trunk,
		    const char *did, const char *cid)
{
	struct call *c;
	struct inbound *in;
	struct leg *cu = NULL;
	struct mbuf *answer = NULL;
	int err;

	if (out->dest.kind == DEST_HANGUP || out->dest.kind == DEST_NONE) {
		OCC_INFO("inbound %s team=%s did=%s from=%H", v == IN_BLOCKED
			 ? "blocked" : "closed", t->name, did, LQ(cid));
		reply(tel, msg, v == IN_BLOCKED ? 403 : 480,
		      v == IN_BLOCKED ? "Forbidden" : "Temporarily Unavailable");
		return;
	}

	c = call_new(tel, t);
	in = c ? inbound_attach(c) : NULL;
	if (!in) {
		mem_deref(c);
		reply(tel, msg, 500, "Server Internal Error");
		return;
	}
	c->dialin = true;
	in->route = *out;
	str_ncpy(in->trunk, trunk, sizeof(in->trunk));
	str_ncpy(c->did, did, sizeof(c->did));
	str_ncpy(c->req.target, cid, sizeof(c->req.target));
	str_ncpy(c->cdr.direction, "in", sizeof(c->cdr.direction));
	str_ncpy(c->cdr.caller, cid, sizeof(c->cdr.caller));
	str_ncpy(c->cdr.callee, did, sizeof(c->cdr.callee));
	call_name_recording(c);
	if (store_cdr_begin(tel->occ->st, &c->cdr))
		OCC_ERR("cdr not started session=%s", c->sessionid);
	remix(c);

	err = leg_new(&cu, c, ROLE_CUSTOMER, cid[0] ? cid : "anonymous",
		      false, true);
	if (!err)
		err = mep_take_offer(cu->mep, msg->mb, &answer);
	if (!err)
		err = sipsess_accept(&cu->sess, tel->sock, msg, 200, "OK",
				     "occ", "application/sdp", answer, NULL,
				     NULL, false, leg_sip_offer,
				     leg_sip_answer, leg_sip_estab,
				     leg_sip_info, NULL, leg_sip_close, cu,
				     "Allow: INVITE, ACK, BYE, CANCEL, "
				     "OPTIONS, INFO\r\n");
	mem_deref(answer);
	if (err) {
		OCC_WARN("inbound not accepted session=%s: %m", c->sessionid,
			 err);
		if (!cu || !cu->sess)
			reply(tel, msg, 488, "Not Acceptable Here");
		call_end(c, "system");
		return;
	}
	cu->state = LEG_EARLY;         /* LEG_UP with the ACK */
	cu->answered = true;
	cu->answer_ms = now_ms();
	mep_keepalive(cu->mep, true);
	emit(c, cu, "incoming");
	OCC_INFO("inbound call session=%s team=%s did=%s from=%H trunk=%H "
		 "route=%s uniqueid=%lld", c->sessionid, t->name, did,
		 LQ(cid), LQ(trunk), out->route ? out->route->name
		 : out->did ? "(did)" : "(internal)",
		 (long long)cu->uniqueid);
	re_snprintf(in->path, sizeof(in->path), "did:%s", did);
	inbound_go(in, &out->dest);
}

void inbound_invite(struct tel *tel, const struct sip_msg *msg)
{
	char did[ST_NUM], cid[ST_NUM];
	enum inbound_verdict v = IN_NO_DID;
	struct inbound_out out;
	const char *trunk = "";
	bool admitted;
	struct team *t;

	pl_copy(did, sizeof(did), &msg->uri.user);
	pl_copy(cid, sizeof(cid), &msg->from.uri.user);
	/* overloaded: a new call would break the ones up; 503 lets the
	 * carrier or the proxy in front try another route or node now
	 * (docs/OPERATIONS.md, "Overload") */
	if (call_overloaded(tel->occ->cfg, "inbound call", NULL, "did",
			    did)) {
		sip_treplyf(NULL, NULL, tel->sip, msg, false, 503,
			    "Service Unavailable", "Retry-After: %u\r\n"
			    "Content-Length: 0\r\n\r\n", OVERLOAD_RETRY_S);
		return;
	}
	/* a team's own phone: authenticated, routed inside its team */
	if (internal_claims(tel, msg)) {
		internal_invite(tel, msg, did);
		return;
	}
	t = find_team(tel, msg, did, cid, &v, &out, &trunk, &admitted);
	if (!admitted) {
		/* from no trunk and no allowed peer: only a phone with its
		 * password may call (407), and only inside its team */
		OCC_INFO("inbound: source not admitted, a phone is asked for "
			 "its password did=%H from=%H source=%J", LQ(did),
			 LQ(cid), &msg->src);
		internal_invite(tel, msg, did);
		return;
	}
	if (!t) {
		OCC_INFO("inbound: no such number did=%H from=%H source=%J",
			 LQ(did), LQ(cid), &msg->src);
		reply(tel, msg, 404, "Not Found");
		return;
	}
	inbound_answer(tel, msg, t, v, &out, trunk, did, cid);
}

int inbound_queue_counts(struct tel *tel, const char *team, const char *queue,
			 int min_prio, struct queue_counts *n)
{
	return acdhost_counts(tel, team, queue, min_prio, &n->total,
			      &n->ringing, &n->waiting, &n->talking);
}
