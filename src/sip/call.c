/*
 * call.c — the B2BUA: calls, their legs, bridging, recording, CDRs.
 *
 * Ownership: tel->calls owns each call; a call owns its legs; a leg owns
 * its SIP session (or built-in peer), its media endpoint and its players.
 * Ending a call is deferred to a zero timer (call_end), so no SIP or media
 * callback ever runs inside a destroyed call: handlers only mark and
 * schedule. Dereferencing a sipsess sends BYE (or CANCEL while early), and
 * libre swaps our handlers for no-ops first.
 *
 * Audio path: RTP in -> mep decodes to PCM -> leg_audio() (routing.c)
 * sends it to every leg that hears this one, encoded in that leg's own
 * codec: PCMU on one side and PCMA on the other transcode for free.
 * Multi-party steps (consult, transfer, conference) are in multiparty.c;
 * the structures all three files share are in call_impl.h.
 *
 * To add a leg kind (supervisor): a role in call_impl.h, what it hears in
 * routing.c's remix(), its event source in sources[] and name in
 * role_names[].
 */
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "sip.call"
#include "base/log.h"
#include "base/conf.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/occ.h"
#include "events/callev.h"
#include "events/events.h"
#include "media/clock.h"
#include "media/mep.h"
#include "media/player.h"
#include "media/recorder.h"
#include "sip/amdtap.h"
#include "sip/call.h"
#include "sip/dtmf_info.h"
#include "sip/registrar.h"
#include "sip/tel_impl.h"
#include "sip/call_impl.h"

const char *const role_names[ROLE_COUNT] = {
	[ROLE_AGENT] = "agent", [ROLE_CUSTOMER] = "customer",
	[ROLE_CONSULT] = "consult", [ROLE_SUPERVISOR] = "supervisor",
};

/* ---- small helpers ----------------------------------------------------- */

struct model *model_of(const struct call *c)
{
	return c->tel->occ->m;
}

struct agent *call_agent(const struct call *c, const char *number)
{
	struct team *t = team_find(model_of(c), c->team);
	return t && number[0] ? agent_find(t, number) : NULL;
}

/* The agent went into after-call work at the end of a call: the original
 * extension's "hangupacw" notification, on the agent's channel. */
static void tell_hangupacw(struct call *c, const struct agent *a)
{
	struct events *evs = c->tel->occ->ev;
	struct mbuf *mb = evs ? mbuf_alloc(256) : NULL;
	char ts[20], num[24];

	if (!mb)
		return;
	event_time(ts, now_ms());
	event_field(mb, "source", "AGENT");
	event_field(mb, "event", "hangupacw");
	event_field(mb, "agentno", a->number);
	event_field(mb, "agentnum", a->number);
	event_field(mb, "state", "acw");
	re_snprintf(num, sizeof(num), "%lld", (long long)c->group_id);
	event_field(mb, "AgentGroupId", num);
	re_snprintf(num, sizeof(num), "%lld", (long long)c->cdr.team_id);
	event_field(mb, "AgentTeamId", num);
	event_field(mb, "eventTime", ts);
	if (!mbuf_write_u8(mb, 0))
		events_publish(evs, c->team, a->number, NULL,
			       (const char *)mb->buf);
	mem_deref(mb);
}

void set_agent_state(struct call *c, const char *number,
			    enum agent_state s)
{
	struct agent *a = call_agent(c, number);
	bool was_acw = a && a->state == AS_ACW;

	if (!a)
		return;
	agent_call_state(model_of(c), a, s);
	if (s == AS_ACW && !was_acw && a->state == AS_ACW) {
		/* timed by the call's group (acwtimer.c ends it) */
		a->acw_s = agent_acw_time(a, group_find(model_of(c),
							c->group_id));
		if (a->acw_s)
			acw_timer_arm(c->tel);
		tell_hangupacw(c, a);
	}
}

void leg_send(struct leg *l, const int16_t *pcm, size_t n)
{
	if (l && l->mep && l->state >= LEG_EARLY && l->state < LEG_GONE)
		mep_send_pcm(l->mep, pcm, n);
}


/* ---- events ------------------------------------------------------------ */

static void save_leg(const struct leg *l);
static enum tel_disp leg_disposition(const struct leg *l);
_Static_assert((int)ROLE_COUNT == (int)TEL_ROLES, "tel.h's TEL_ROLES is ROLE_COUNT");

static const char *const sources[ROLE_COUNT] = {
	[ROLE_AGENT] = "AGENT", [ROLE_CUSTOMER] = "CALLEE",
	[ROLE_CONSULT] = "CONSULT", [ROLE_SUPERVISOR] = "AGENT",
};

/* Publish a call event about leg l (NULL: the whole call). */
void emit(struct call *c, const struct leg *l, const char *event)
{
	struct events *evs = c->tel->occ->ev;
	struct mbuf *mb;
	bool whole = !l;

	if (!evs)
		return;
	mb = mbuf_alloc(512);
	if (!mb)
		return;
	bool caller = c->dialin && l && l->role == ROLE_CUSTOMER;
	struct call_event ce = {
		.calleridnum = c->req.target,
		.didnumber = c->dialin && !whole ? c->did : "",
		/* inbound: the caller's events name the agent's phone, as
		 * the manual's examples do */
		.activenum = whole || caller ? c->agent_exten : l->peer,
		.source = whole ? "CONVERSATION" : caller ? "CALLER"
			: sources[l->role],
		.event = event, .uniqueid = whole ? 0 : l->uniqueid,
		.sessionid = c->sessionid, .ts_ms = now_ms(),
		.team_id = c->cdr.team_id, .modeltype = c->cdr.modeltype,
		.model_id = c->cdr.model_id,
		.group_id = l && l->group_id ? l->group_id : c->group_id,
		.calltype = c->dialin ? "dialin" : "dialout",
		/* the manual's answer and whole-call events carry no channel */
		.channel = whole || !strcmp(event, "answer") ? "" : l->channel,
		.userdata = c->cdr.userdata,
	};
	/* a supervisor's legs are the leader's business, not the monitored
	 * agent's: they go to the leader's channel (and the team's) */
	if (!call_event_print(mb, &ce) && !mbuf_write_u8(mb, 0))
		events_publish(evs, c->team,
			       l && l->role == ROLE_SUPERVISOR ? c->leader
			       : l && l->agent[0] ? l->agent : c->agent,
			       l && l->role == ROLE_SUPERVISOR ? NULL
			       : c->callee_agent[0] ? c->callee_agent
			       : c->consult_agent, (const char *)mb->buf);
	mem_deref(mb);
	/* a leg's row follows its events, so a crash leaves it as it was
	 * (occd's restart closes it and tells what it did not) */
	if (l && l->answered && (!strcmp(event, "answer") ||
				 !strcmp(event, "join")))
		save_leg(l);
}

void tell_ringing(struct leg *l)
{
	if (l->told_ringing)
		return;
	l->told_ringing = true;
	emit(l->call, l, "ringing");
}

static void tell_hangup(struct leg *l)
{
	if (l->told_hangup)
		return;
	l->told_hangup = true;
	emit(l->call, l, "hangup");
	save_leg(l);
	l->call->tel->stats.legs_ended[l->role][leg_disposition(l)]++;
}

/* ---- CDR --------------------------------------------------------------- */

const char *const tel_dispositions[TEL_DISP_COUNT] = {
	[TEL_ANSWERED] = "ANSWERED", [TEL_BUSY] = "BUSY",
	[TEL_FAILED] = "FAILED", [TEL_NO_ANSWER] = "NO ANSWER",
	[TEL_CANCEL] = "CANCEL",
};

/* How a leg ended, as its CDR row says (CANCEL is a call's only). */
static enum tel_disp leg_disposition(const struct leg *l)
{
	return l->answered ? TEL_ANSWERED
		: l->final_scode == 486 || l->final_scode == 600 ||
		  l->final_scode == 603 ? TEL_BUSY
		: l->final_scode >= 400 && l->final_scode != 487 &&
		  l->final_scode != 408 && l->final_scode != 480 ? TEL_FAILED
		: TEL_NO_ANSWER;
}

static void save_leg(const struct leg *l)
{
	struct st_cdr_leg row = {
		.uniqueid = l->uniqueid, .start_ms = l->start_ms,
		.answer_ms = l->answer_ms, .end_ms = l->end_ms,
	};

	str_ncpy(row.sessionid, l->call->sessionid, sizeof(row.sessionid));
	str_ncpy(row.channel, l->channel, sizeof(row.channel));
	str_ncpy(row.role, role_names[l->role], sizeof(row.role));
	str_ncpy(row.peer, l->peer, sizeof(row.peer));
	/* "" while open and unanswered: a restart closes it INTERRUPTED */
	str_ncpy(row.disposition,
		 !l->answered && !l->end_ms && !l->told_hangup ? ""
		 : tel_dispositions[leg_disposition(l)],
		 sizeof(row.disposition));
	if (store_cdr_leg_save(l->call->tel->occ->st, &row))
		OCC_WARN("cdr leg not saved session=%s uniqueid=%lld",
			 l->call->sessionid, (long long)l->uniqueid);
}

/* ---- legs -------------------------------------------------------------- */

static void leg_destructor(void *arg)
{
	struct leg *l = arg;

	amd_tap_release(l);
	mworker_defer_cancel(&l->key_defer);
	tmr_cancel(&l->tmr);
	mem_deref(l->tone);
	mem_deref(l->voice);
	mem_deref(l->sess);        /* BYE or CANCEL */
	mem_deref(l->ringing);
	mem_deref(l->mep);
}

int leg_new(struct leg **lp, struct call *c, enum leg_role role,
	    const char *peer, bool virt, bool install)
{
	struct leg *l = mem_zalloc(sizeof(*l), leg_destructor);
	int err;

	if (!l)
		return ENOMEM;
	l->call = c;
	l->role = role;
	l->virtual = virt;
	str_ncpy(l->peer, peer, sizeof(l->peer));
	tmr_init(&l->tmr);
	err = store_counter_next(c->tel->occ->st, "uniqueid", &l->uniqueid);
	if (err) {
		OCC_ERR("no uniqueid for a leg session=%s: %m", c->sessionid,
			err);
		mem_deref(l);
		return err;
	}
	re_snprintf(l->channel, sizeof(l->channel), "%s/%s-%08llx",
		    virt ? "Virtual" : "SIP", peer,
		    (unsigned long long)l->uniqueid);
	if (!virt) {
		/* its sockets go to the call's worker */
		mworker_capture_begin(c->mw);
		err = mep_alloc(&l->mep, &c->tel->media_ip, leg_audio,
				leg_event, l);
		mworker_capture_end();
		if (err) {
			OCC_ERR("no media port for a leg session=%s: %m",
				c->sessionid, err);
			mem_deref(l);
			return err;
		}
	}
	l->start_ms = now_ms();
	if (install)
		c->legs[role] = l;
	save_leg(l);          /* from its start: a crash must not lose it */
	*lp = l;
	return 0;
}

/* The leg is over: remember how, and end the call (every call today is
 * two parties, so one leg leaving ends it). */
void leg_gone(struct leg *l, uint16_t scode, const char *by)
{
	if (l->state == LEG_GONE)
		return;
	if (!l->final_scode)
		l->final_scode = scode;
	l->state = LEG_GONE;
	l->end_ms = now_ms();
	l->tone = mem_deref(l->tone);
	l->voice = mem_deref(l->voice);
	amd_tap_hangup(l);
	tell_hangup(l);
	if (l->call->in && !l->call->ending && inbound_leg_gone(l))
		return;
	/* the call goes on without its supervisor, without a consulted
	 * party, and without the agent if a consulted party is there to take
	 * the customer */
	if (l->role == ROLE_AGENT && l->call->dc && !l->call->ending &&
	    !l->answered && dialerhost_agent_failed(l->call, l))
		return;
	if (l->role == ROLE_SUPERVISOR && !l->call->ending) {
		supervisor_gone(l->call, l);
		return;
	}
	if (l->role == ROLE_CONSULT && !l->call->transferred &&
	    !l->call->ending) {
		consult_gone(l->call, l, by);
		return;
	}
	if (l->role == ROLE_AGENT && !l->call->ending &&
	    l->call->legs[ROLE_CONSULT] &&
	    l->call->legs[ROLE_CONSULT]->state == LEG_UP &&
	    customer_here(l->call)) {
		agent_leaves(l->call);
		return;
	}
	if (l->role == ROLE_CUSTOMER && !l->call->ending &&
	    !l->call->transferred && l->call->legs[ROLE_CONSULT] &&
	    l->call->legs[ROLE_AGENT]) {
		customer_leaves(l->call);
		return;
	}
	call_end(l->call, by);
}

/* Hang up a leg (BYE, or CANCEL while it rings) and free its media port
 * and players; the leg itself stays, for the CDR. */
void leg_release(struct leg *l)
{
	amd_tap_release(l);
	tmr_cancel(&l->tmr);
	l->tone = mem_deref(l->tone);
	l->voice = mem_deref(l->voice);
	l->sess = mem_deref(l->sess);
	l->mep = mem_deref(l->mep);
}

/* Take a leg out of the call before its end: hang it up (BYE or CANCEL),
 * free its media port, keep the record for the CDR. */
void leg_detach(struct leg *l)
{
	struct call *c = l->call;

	if (c->legs[l->role] == l)     /* an inbound offer never was */
		c->legs[l->role] = NULL;
	leg_release(l);
	if (l->state != LEG_GONE) {
		l->state = LEG_GONE;
		l->end_ms = now_ms();
		tell_hangup(l);
	}
	if (c->ngone < ARRAY_SIZE(c->gone)) {
		c->gone[c->ngone++] = l;
	}
	else {
		save_leg(l);
		mem_deref(l);
	}
}

/* ---- media ------------------------------------------------------------- */

/* Every MEDIA_CHECK_MS: a party that should be sending (the negotiated
 * direction says so) and has sent neither RTP nor RTCP for [media]
 * timeout seconds is gone. A held party (we said sendonly, it answered
 * recvonly) or one holding us (sendonly: a phone on Hold mutes, or
 * inactive) sends nothing by right and is not counted. Packets from
 * strangers, dropped by the endpoint, are logged here, at most once a
 * check per leg. */
static void media_check(void *arg)
{
	struct call *c = arg;
	int64_t limit = (int64_t)c->tel->occ->cfg->media_timeout * 1000;
	int64_t now = now_ms();

	for (int i = 0; i < ROLE_COUNT; i++) {
		struct leg *l = c->legs[i];
		struct sa src;
		uint64_t nd;
		if (!l || !l->mep)
			continue;
		if ((nd = mep_take_dropped(l->mep, &src)))
			OCC_WARN("rtp from elsewhere dropped session=%s "
				 "uniqueid=%lld packets=%llu src=%J want=%J",
				 c->sessionid, (long long)l->uniqueid,
				 (unsigned long long)nd, &src,
				 mep_raddr(l->mep));
		if (l->state != LEG_UP || !limit)
			continue;
		int64_t since = mep_rx_due_since(l->mep);
		if (!since)
			continue;
		if (since < l->answer_ms)
			since = l->answer_ms;
		if (now - since > limit) {
			OCC_WARN("media timeout session=%s uniqueid=%lld "
				 "silent=%llds", c->sessionid,
				 (long long)l->uniqueid,
				 (long long)((now - since) / 1000));
			leg_gone(l, 0, "timeout");
			return;
		}
	}
	tmr_start(&c->media_tmr, MEDIA_CHECK_MS, media_check, c);
}

/* ---- the call's progress ---------------------------------------------- */

/* A recorder for file (a name tel_recording_name() made of start_ms) in
 * the recordings directory of start_ms's day. */
static int open_recorder(struct call *c, int64_t start_ms, const char *file,
			 struct recorder **rp)
{
	char day[16], path[700];
	time_t t = (time_t)(start_ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(day, sizeof(day), "%Y-%m-%d", &tm);
	re_snprintf(path, sizeof(path), "%s/%s", c->tel->rec_dir, day);
	if (mkdir(c->tel->rec_dir, 0700) && errno != EEXIST)
		return errno;
	if (mkdir(path, 0700) && errno != EEXIST)
		return errno;
	re_snprintf(path, sizeof(path), "%s/%s/%s", c->tel->rec_dir, day,
		    file);
	/* made on the call's worker (media/recorder.h) */
	return recorder_alloc(rp, path, c->mw);
}

void call_record(struct call *c)
{
	if (open_recorder(c, c->cdr.start_ms, c->cdr.recording, &c->rec))
		c->cdr.recording[0] = '\0';
}

int call_segment_start(struct call *c, char *file, size_t sz)
{
	int64_t now = now_ms();
	int err;

	if (c->seg)
		return EALREADY;
	if (!call_talking(c) || !c->rec)
		return EINVAL;
	/* the call's own name pattern, with the segment's start: same team
	 * and sessionid, so getMonitor's URL rules apply unchanged */
	tel_recording_name(file, sz, now, c->team,
			   c->agent[0] ? c->agent : c->agent_exten,
			   c->req.target, c->sessionid);
	err = open_recorder(c, now, file, &c->seg);
	if (err)
		return err;
	str_ncpy(c->seg_file, file, sizeof(c->seg_file));
	OCC_INFO("recording segment started session=%s file=%s",
		 c->sessionid, file);
	return 0;
}

int call_segment_stop(struct call *c, char *file, size_t sz)
{
	if (!c->seg)
		return ENOENT;
	c->seg = mem_deref(c->seg);          /* finishes the WAV */
	str_ncpy(file, c->seg_file, sz);
	OCC_INFO("recording segment stopped session=%s file=%s",
		 c->sessionid, c->seg_file);
	return 0;
}

/* [amd] outbound: detection on a number's answer, to the log and CDR */
static void amd_trial(struct call *c, struct leg *cust)
{
	const struct conf *cfg = c->tel->occ->cfg;
	struct amd_params p;
	int err;

	if (!cfg->amd_outbound || c->req.inner || !cust->mep || cust->amd)
		return;
	amd_params_from_conf(&p, cfg);
	err = amd_tap_start(cust, &p, amd_tap_record, NULL);
	if (err)
		OCC_WARN("amd not started session=%s: %m", c->sessionid, err);
}

static void customer_answered(struct call *c)
{
	struct leg *cust = c->legs[ROLE_CUSTOMER];
	struct leg *ag = c->legs[ROLE_AGENT];

	if (ag)
		ag->tone = mem_deref(ag->tone);    /* ringback ends */
	tell_ringing(cust);
	cust->answered = true;
	cust->answer_ms = now_ms();
	c->cdr.answer_ms = cust->answer_ms;
	if (c->callee_agent[0])
		set_agent_state(c, c->callee_agent, AS_BUSY);
	call_record(c);
	emit(c, cust, "answer");
	OCC_INFO("call answered session=%s uniqueid=%lld peer=%s codec=%s",
		 c->sessionid, (long long)cust->uniqueid, cust->peer,
		 cust->mep ? mep_codec(cust->mep) : "virtual");
	/* a campaign with AMD on runs its own detection on the leg */
	if (c->dc)
		dialerhost_customer_up(c);
	amd_trial(c, cust);
}

static void customer_ringing(struct call *c, bool early_media)
{
	struct leg *cust = c->legs[ROLE_CUSTOMER];
	struct leg *ag = c->legs[ROLE_AGENT];

	if (!cust->rang) {
		cust->rang = true;
		tell_ringing(cust);
		if (c->callee_agent[0])
			set_agent_state(c, c->callee_agent, AS_RING);
		OCC_INFO("customer ringing session=%s uniqueid=%lld",
			 c->sessionid, (long long)cust->uniqueid);
	}
	/* the agent hears the far end's early media, or our ringback (a
	 * dialer's call has no agent yet) */
	if (!ag)
		return;
	if (early_media)
		ag->tone = mem_deref(ag->tone);
	else if (!ag->tone)
		player_tone(&ag->tone, &tone_ringback, tone_to_leg, ag);
}

/* ---- SIP leg handlers --------------------------------------------------- */

int leg_sip_offer(struct mbuf **descp, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;

	/* a re-INVITE from the remote: a phone holding us (we stop sending
	 * to it; the other party hears what it sends, music or silence), a
	 * session refresh, or one without SDP (we offer, the ACK answers);
	 * an error is libre's 488 and leaves the call as it was */
	return mep_take_offer(l->mep, msg->mb, descp);
}

int leg_sip_answer(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	int err = mep_take_answer(l->mep, msg->mb);

	if (err)
		OCC_WARN("no usable SDP answer session=%s uniqueid=%lld: %m",
			 l->call->sessionid, (long long)l->uniqueid, err);
	return err;
}



void leg_sip_info(struct sip *sip, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	enum dtmf_info_type type;
	char digit;

	if (!mbuf_get_left(msg->mb)) {
		sip_reply(sip, msg, 200, "OK");   /* RFC 6086: an empty INFO */
		return;
	}
	if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf-relay"))
		type = DTMF_INFO_RELAY;
	else if (msg_ctype_cmp(&msg->ctyp, "application", "dtmf"))
		type = DTMF_INFO_PLAIN;
	else {
		sip_replyf(sip, msg, 415, "Unsupported Media Type",
			   "Accept: application/dtmf-relay, application/dtmf\r\n"
			   "Content-Length: 0\r\n\r\n");
		return;
	}
	if (dtmf_info_parse(type, mbuf_buf(msg->mb), mbuf_get_left(msg->mb),
			    &digit)) {
		sip_reply(sip, msg, 400, "Bad Request");
		return;
	}
	sip_reply(sip, msg, 200, "OK");
	if (l->state == LEG_UP && !l->call->ending)
		call_digit(l->call, l, digit, true);
}

static void leg_sip_progress(const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	bool sdp;

	if (msg->scode != 180 && msg->scode != 183)
		return;
	mem_deref(l->ringing);
	l->ringing = mem_ref((struct sip_msg *)msg);
	/* libre 1.1.0 hands provisional responses over without decoding their
	 * SDP: take it here, so early media can flow */
	if (mbuf_get_left(msg->mb) && !mep_ready(l->mep) &&
	    mep_take_answer(l->mep, msg->mb))
		OCC_WARN("unusable early SDP session=%s uniqueid=%lld",
			 l->call->sessionid, (long long)l->uniqueid);
	sdp = mep_ready(l->mep);
	if (l->state == LEG_CALLING)
		l->state = LEG_EARLY;
	if (l->role == ROLE_AGENT) {
		if (!l->rang) {
			l->rang = true;
			tell_ringing(l);
			OCC_INFO("agent ringing session=%s uniqueid=%lld",
				 l->call->sessionid, (long long)l->uniqueid);
		}
		return;
	}
	if (l->role == ROLE_CONSULT) {
		consult_ringing(l);
		return;
	}
	if (l->role == ROLE_SUPERVISOR)
		return;                 /* a leader's phone rings for nobody */
	customer_ringing(l->call, sdp);
}


static void dial_customer(struct call *c);

void leg_up(struct leg *l)
{
	struct call *c = l->call;

	tmr_cancel(&l->tmr);
	l->state = LEG_UP;
	if (l->mep)
		mep_keepalive(l->mep, true);     /* never a silent stream */
	if (c->in && inbound_leg_up(l))
		return;
	if (l->role == ROLE_AGENT) {
		l->answered = true;
		l->answer_ms = now_ms();
		tell_ringing(l);
		emit(c, l, "answer");
		set_agent_state(c, c->agent, AS_BUSY);
		OCC_INFO("agent answered session=%s uniqueid=%lld codec=%s",
			 c->sessionid, (long long)l->uniqueid,
			 l->mep ? mep_codec(l->mep) : "virtual");
		if (c->dc)
			dialerhost_agent_up(c);   /* the customer is there */
		else
			dial_customer(c);
		return;
	}
	if (l->role == ROLE_CONSULT) {
		consult_answered(l);
		return;
	}
	if (l->role == ROLE_SUPERVISOR) {
		supervisor_answered(l);
		return;
	}
	customer_answered(c);
}

void leg_sip_estab(const struct sip_msg *msg, void *arg)
{
	leg_up(arg);
}

void leg_sip_close(int err, const struct sip_msg *msg, void *arg)
{
	struct leg *l = arg;
	uint16_t scode = msg ? msg->scode : 0;

	OCC_INFO("leg closed session=%s uniqueid=%lld role=%s scode=%u err=%m",
		 l->call->sessionid, (long long)l->uniqueid,
		 role_names[l->role], scode, err);
	leg_gone(l, scode, role_names[l->role]);
}

static void ring_timeout(void *arg)
{
	struct leg *l = arg;

	OCC_INFO("no answer session=%s uniqueid=%lld role=%s",
		 l->call->sessionid, (long long)l->uniqueid,
		 role_names[l->role]);
	leg_gone(l, 408, "timeout");
}

void leg_ring_for(struct leg *l, uint32_t ms)
{
	if (l->state < LEG_UP)
		tmr_start(&l->tmr, ms, ring_timeout, l);
}

/* Ask a phone to answer at once: Call-Info answer-after=0 (RFC 3261's
 * header with the parameter Polycom, Yealink, Snom and Grandstream read),
 * Alert-Info info=alert-autoanswer (Cisco/Linksys, Yealink). */
#define AUTO_ANSWER_HDRS \
	"Call-Info: <sip:occ>;answer-after=0\r\n" \
	"Alert-Info: <http://localhost/>;info=alert-autoanswer;delay=0\r\n"

/* team setting auto_answer: any, or exten in its comma list */
static bool auto_answer_for(const struct call *c, const char *exten)
{
	const struct team *t = team_find(model_of(c), c->team);
	const char *v = t ? team_setting(t, "auto_answer") : NULL;
	size_t n = strlen(exten);

	if (!v || !*v || !n)
		return false;
	if (!strcmp(v, "any"))
		return true;
	for (const char *p = v; (p = strstr(p, exten)); p += n)
		if ((p == v || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static int sip_invite(struct leg *l, const char *to_uri, const char *from_name,
		      const char *from_uri, const struct st_trunk *trunk,
		      const char *route)
{
	struct mbuf *offer = NULL;
	struct st_trunk *auth = NULL;
	char cuser[32];
	int err;

	err = mep_offer(l->mep, &offer);
	if (err)
		return err;
	if (trunk)
		auth = trunk_cred(trunk);
	re_snprintf(cuser, sizeof(cuser), "occ-%llx",
		    (unsigned long long)l->uniqueid);
	err = sipsess_connect(&l->sess, l->call->tel->sock, to_uri, from_name,
			      from_uri, cuser, route ? &route : NULL,
			      route ? 1 : 0, "application/sdp",
			      offer, auth ? trunk_auth : NULL, auth, true,
			      leg_sip_offer, leg_sip_answer, leg_sip_progress, leg_sip_estab,
			      leg_sip_info, NULL, leg_sip_close, l,
			      "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, INFO\r\n"
			      "%s",
			      l->auto_answer ? AUTO_ANSWER_HDRS : "");
	mem_deref(auth);            /* the session holds its own reference */
	mem_deref(offer);
	if (!err)
		l->state = LEG_CALLING;
	return err;
}

/* ---- built-in peers (demo without phones) ------------------------------ */

static void virtual_hangup(void *arg)
{
	leg_gone(arg, 0, "customer");
}

static void virtual_answer(void *arg)
{
	struct leg *l = arg;
	/* the demo agent says 700 Hz, the demo customer 1 kHz in bursts */
	static const struct tone_spec agent_voice = {
		.f1 = 700, .amp = 6000, .on_ms = 400, .off_ms = 600 };
	static const struct tone_spec customer_voice = {
		.f1 = 1000, .amp = 6000, .on_ms = 700, .off_ms = 300 };
	/* a consulted built-in peer says 1400 Hz */
	static const struct tone_spec consult_voice = {
		.f1 = 1400, .amp = 6000, .on_ms = 500, .off_ms = 500 };
	/* a supervising built-in phone says 1800 Hz */
	static const struct tone_spec leader_voice = {
		.f1 = 1800, .amp = 6000, .on_ms = 300, .off_ms = 700 };

	player_tone(&l->voice, l->role == ROLE_AGENT ? &agent_voice
		    : l->role == ROLE_CONSULT ? &consult_voice
		    : l->role == ROLE_SUPERVISOR ? &leader_voice
		    : &customer_voice, tone_from_leg, l);
	leg_up(l);
	if (l->role == ROLE_CUSTOMER)
		tmr_start(&l->tmr, VIRTUAL_CUSTOMER_TALK_MS, virtual_hangup, l);
}

void leg_answer_virtual(struct leg *l)
{
	tmr_start(&l->tmr, 0, virtual_answer, l);
}

static void virtual_invite(struct leg *l)
{
	l->state = LEG_EARLY;
	if (l->role == ROLE_AGENT) {
		l->rang = true;
		tell_ringing(l);
	}
	if (l->role == ROLE_CUSTOMER)
		customer_ringing(l->call, false);
	if (l->role == ROLE_CONSULT)
		consult_ringing(l);
	tmr_start(&l->tmr, VIRTUAL_ANSWER_MS, virtual_answer, l);
}

/* ---- dialing ----------------------------------------------------------- */

/* A number or name as a SIP URI's user part, escaped (RFC 3261 §19.1.2):
 * nothing a caller passes can end the URI, nor the header line. */
static int uri_user(struct re_printf *pf, void *arg)
{
	struct pl pl;

	pl_set_str(&pl, arg);
	return uri_user_escape(pf, &pl);
}

/* A display name for libre to quote: printable ASCII but '"' and '\'. */
static const char *display_name(char *buf, size_t sz, const char *s)
{
	size_t n = 0;

	for (; *s && n + 1 < sz; s++)
		if (*s >= ' ' && *s <= '~' && *s != '"' && *s != '\\')
			buf[n++] = *s;
	buf[n] = '\0';
	return buf;
}

/* "sip:host:port;params" + number -> "sip:number@host:port;params" */
static int trunk_target(char *out, size_t sz, const struct st_trunk *t,
			const char *number)
{
	const char *colon = strchr(t->uri, ':');
	char num[ST_NAME];
	size_t sl = strlen(t->strip_prefix);

	if (!colon)
		return EINVAL;
	if (sl && !strncmp(number, t->strip_prefix, sl))
		number += sl;
	re_snprintf(num, sizeof(num), "%s%s", t->add_prefix, number);
	return re_snprintf(out, sz, "%b%H@%s", t->uri,
			   (size_t)(colon - t->uri + 1), uri_user, num,
			   colon + 1) < 0
		? ENOMEM : 0;
}

static bool exten_virtual(const struct call *c, const char *exten)
{
	struct team *t = team_find(model_of(c), c->team);
	const struct exten *e = t ? exten_find(t, exten) : NULL;

	return e && !strcmp(e->kind, "virtual");
}

/* A built-in extension, or a registered one */
static bool exten_reachable(const struct call *c, const char *exten)
{
	struct team *t = team_find(model_of(c), c->team);

	return t && exten_find(t, exten) && (exten_virtual(c, exten) ||
		registrar_lookup(c->tel->reg, c->team, exten));
}

int ring_exten(struct leg *l, const char *exten, const char *from_user,
	       unsigned ring_s)
{
	struct call *c = l->call;
	const struct binding *b;
	char from[ST_NAME * 4], name[ST_NAME], route[256] = "";
	int err;

	if (l->virtual) {
		virtual_invite(l);
		return 0;
	}
	b = registrar_lookup(c->tel->reg, c->team, exten);
	if (!b)
		return ENOTCONN;
	/* the phone shows whom the call is from (or for) */
	re_snprintf(from, sizeof(from), "sip:%H@%s", uri_user, from_user,
		    c->team);
	/* the agent's own phone, for its call or an inbound offer (the
	 * team's auto_answer); the leader's phone, for the supervision he
	 * has just asked for (a wallboard's browser phone answers it) */
	l->auto_answer = l->role == ROLE_SUPERVISOR ||
		(l->role == ROLE_AGENT &&
		 (l->auto_answer || auto_answer_for(c, exten)));
	/* a browser phone's contact (transport=ws) is reached through the
	 * proxy it registered through, which knows its WebSocket */
	if (b->path[0])
		str_ncpy(route, b->path, sizeof(route));
	else if (registrar_is_webproxy(c->tel->reg, &b->src))
		re_snprintf(route, sizeof(route), "sip:%J", &b->src);
	err = sip_invite(l, b->contact,
			 display_name(name, sizeof(name), from_user), from,
			 NULL, route[0] ? route : NULL);
	if (!err)
		tmr_start(&l->tmr, 1000ull * ring_s, ring_timeout, l);
	return err;
}

/* Dial a party for role: another agent's extension (inner) or a number
 * over the team's trunk (named, or the default). *lp gets the leg, also
 * when dialling it failed afterwards (the caller ends it then). */
int dial(struct call *c, enum leg_role role, bool inner,
		const char *target, const char *exten, const char *trunk,
		struct leg **lp)
{
	struct team *t = team_find(model_of(c), c->team);
	const struct conf *cfg = c->tel->occ->cfg;
	struct leg *l = NULL;
	struct trunk *tr;
	char to[ST_URL + 3 * ST_NAME], from[ST_NAME * 4];
	int err;

	*lp = NULL;
	if (!t)
		return ENOENT;
	if (inner) {
		if (!exten_reachable(c, exten))
			return ENOTCONN;
		err = leg_new(&l, c, role, target, exten_virtual(c, exten),
			      true);
		if (err)
			return err;
		*lp = l;
		/* the called phone shows the agent, or the calling number */
		return ring_exten(l, exten, c->agent[0] ? c->agent
				  : c->cdr.caller, role == ROLE_CUSTOMER
				  ? cfg->customer_ring_timeout
				  : cfg->consult_ring_timeout);
	}
	else {
		tr = trunk_find(t, trunk);
		if (!tr)
			return ENOENT;
		bool virt = !strcmp(tr->cfg.uri, "virtual:");
		err = leg_new(&l, c, role, target, virt, true);
		if (err)
			return err;
		*lp = l;
		if (virt) {
			virtual_invite(l);
			return 0;
		}
		err = trunk_target(to, sizeof(to), &tr->cfg, target);
		if (err)
			return err;
		const char *cid = role == ROLE_AGENT &&
			c->req.first_callerid[0] ? c->req.first_callerid
			: c->req.callerid;
		re_snprintf(from, sizeof(from), "sip:%H@%J", uri_user,
			    cid[0] ? cid
			    : tr->cfg.callerid[0] ? tr->cfg.callerid
			    : c->cdr.caller,
			    &c->tel->laddr);
		err = sip_invite(l, to, NULL, from, &tr->cfg, NULL);
	}
	if (!err)
		tmr_start(&l->tmr, 1000ull * (role == ROLE_CUSTOMER
			? cfg->customer_ring_timeout : role == ROLE_AGENT
			? cfg->agent_ring_timeout : cfg->consult_ring_timeout),
			ring_timeout, l);
	return err;
}

static void dial_customer(struct call *c)
{
	struct leg *l;
	int err = dial(c, ROLE_CUSTOMER, c->req.inner, c->req.target,
		       c->req.target_exten, c->req.trunk, &l);

	if (!err) {
		OCC_INFO("dialing customer session=%s uniqueid=%lld target=%H",
			 c->sessionid, (long long)l->uniqueid, LQ(c->req.target));
		return;
	}
	OCC_WARN("cannot dial the target session=%s target=%H: %m",
		 c->sessionid, LQ(c->req.target), err);
	if (l)
		leg_gone(l, 500, "system");
	else
		call_end(c, "system");
}

/* ---- the call object --------------------------------------------------- */

static void call_destructor(void *arg)
{
	struct call *c = arg;

	tmr_cancel(&c->end_tmr);
	tmr_cancel(&c->media_tmr);
	mclock_leave(&c->mix_clk);
	mworker_put(c->mw);
	list_unlink(&c->le);
	mem_deref(c->in);
	for (int r = 0; r < ROLE_COUNT; r++)
		mem_deref(c->legs[r]);
	for (unsigned i = 0; i < c->ngone; i++)
		mem_deref(c->gone[i]);
	mem_deref(c->rec);
	mem_deref(c->seg);
}

static enum tel_disp disposition(const struct call *c)
{
	const struct leg *ag = c->legs[ROLE_AGENT];
	const struct leg *cu = c->legs[ROLE_CUSTOMER];

	if (cu && cu->answered)
		return TEL_ANSWERED;
	/* busy here, busy everywhere, declined: on any leg */
	for (int i = 0; i < ROLE_COUNT; i++) {
		uint16_t sc = c->legs[i] ? c->legs[i]->final_scode : 0;
		if (sc == 486 || sc == 600 || sc == 603)
			return TEL_BUSY;
	}
	if (!strcmp(c->end_by, "api"))
		return TEL_CANCEL;
	if ((ag && ag->final_scode >= 400 && ag->final_scode != 408 &&
	     ag->final_scode != 487 && ag->final_scode != 480) ||
	    (cu && cu->final_scode >= 400 && cu->final_scode != 408 &&
	     cu->final_scode != 487 && cu->final_scode != 480) ||
	    !strcmp(c->end_by, "system"))
		return TEL_FAILED;
	return TEL_NO_ANSWER;
}

/* After the call: the call's agent's ACW per its membership's mode
 * (manual §4.5); the callee and a consulted agent have their own. */
enum agent_state after_call_state(const struct call *c, bool rang,
					 bool answered)
{
	return acw_after_call(c->acw_mode, rang, answered);
}

static void finish(void *arg)
{
	struct call *c = arg;
	struct leg *cu = c->legs[ROLE_CUSTOMER];
	struct leg *ag = c->legs[ROLE_AGENT];
	int64_t now = now_ms();
	enum tel_disp disp;

	/* an inbound call's offers still ringing go first, its queue place
	 * and IVR path with them */
	if (c->in)
		inbound_call_ended(c);
	/* the manual's order: the customer's hangup, the agent's, the call's
	 * (consulted and supervising parties after the customer) */
	static const enum leg_role order[] = { ROLE_CUSTOMER, ROLE_CONSULT,
		ROLE_SUPERVISOR, ROLE_AGENT };
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		struct leg *l = c->legs[order[i]];
		if (!l)
			continue;
		if (l->state != LEG_GONE) {
			l->state = LEG_GONE;
			l->end_ms = now;
		}
		tell_hangup(l);
		save_leg(l);
	}
	for (unsigned i = 0; i < c->ngone; i++)
		save_leg(c->gone[i]);
	emit(c, NULL, "hangup");
	c->cdr.end_ms = now;
	disp = disposition(c);
	str_ncpy(c->cdr.disposition, tel_dispositions[disp],
		 sizeof(c->cdr.disposition));
	c->tel->stats.calls_ended[c->dialin][disp]++;
	str_ncpy(c->cdr.hangup_by, c->end_by, sizeof(c->cdr.hangup_by));
	c->rec = mem_deref(c->rec);        /* finishes the WAV */
	c->seg = mem_deref(c->seg);
	if (!cu || !cu->answered)
		c->cdr.recording[0] = '\0';
	if (store_cdr_end(c->tel->occ->st, &c->cdr))
		OCC_ERR("cdr not saved session=%s", c->sessionid);
	/* ACW: outbound by the customer's leg, inbound by the agent's (the
	 * manual, §4.5) */
	if (!c->agent_released && c->in)
		set_agent_state(c, c->agent, after_call_state(
					c, ag && ag->rang, ag && ag->answered));
	else if (!c->agent_released)
		set_agent_state(c, c->agent, after_call_state(
					c, cu && cu->rang, cu && cu->answered));
	if (c->consult_agent[0])
		set_agent_state(c, c->consult_agent, acw_after_call(
					c->consult_acw_mode, true, true));
	if (c->callee_agent[0])
		set_agent_state(c, c->callee_agent, acw_after_call(
					c->callee_acw_mode, true,
					cu && cu->answered));
	leader_busy(c, false);
	if (c->dc)
		dialerhost_call_ended(c);
	OCC_INFO("call ended session=%s disposition=%s by=%s talk=%llds",
		 c->sessionid, c->cdr.disposition, c->end_by,
		 (long long)(c->cdr.answer_ms ? (now - c->cdr.answer_ms) / 1000
			     : 0));
	mem_deref(c);                      /* hangs up what is left */
}

void call_end(struct call *c, const char *by)
{
	if (c->ending)
		return;
	c->ending = true;
	str_ncpy(c->end_by, by, sizeof(c->end_by));
	tmr_start(&c->end_tmr, 0, finish, c);
}

static void make_sessionid(char out[ST_SESSIONID]);

struct call *call_new(struct tel *tel, const struct team *t)
{
	struct call *c = mem_zalloc(sizeof(*c), call_destructor);

	if (!c)
		return NULL;
	c->tel = tel;
	c->mw = mworker_pick();
	tmr_init(&c->end_tmr);
	tmr_init(&c->media_tmr);
	make_sessionid(c->sessionid);
	str_ncpy(c->team, t->name, sizeof(c->team));
	list_append(&tel->calls, &c->le, c);
	str_ncpy(c->cdr.sessionid, c->sessionid, sizeof(c->cdr.sessionid));
	c->cdr.team_id = t->id;
	c->cdr.start_ms = now_ms();
	tmr_start(&c->media_tmr, MEDIA_CHECK_MS, media_check, c);
	return c;
}

static void make_sessionid(char out[ST_SESSIONID])
{
	uint8_t b[16];

	randombytes_buf(b, sizeof(b));
	for (int i = 0; i < 16; i++)
		re_snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* the CDR's day, and the recording's name (sip/recordings.c) */
void call_name_recording(struct call *c)
{
	time_t t = (time_t)(c->cdr.start_ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(c->cdr.calldate, sizeof(c->cdr.calldate), "%Y-%m-%d", &tm);
	tel_recording_name(c->cdr.recording, sizeof(c->cdr.recording),
			   c->cdr.start_ms, c->team,
			   c->agent[0] ? c->agent : c->agent_exten,
			   c->req.target, c->sessionid);
}

/* Refuse new work before taking it on: past its core the loop would drop
 * SIP, and late hang-ups would hurt the calls already up. Logged once a
 * second at most, however many are refused. */
bool call_overloaded(const struct conf *cfg, const char *what,
		     const char *team, const char *key, const char *val)
{
	static int64_t warned_ms;
	static unsigned refused;
	uint64_t lag = mclock_lag_ms(), mlag = mworker_lag_ms();
	unsigned cpu = mclock_cpu_pct();

	if ((!cfg->overload_lag_ms || lag < cfg->overload_lag_ms) &&
	    (!cfg->overload_cpu || cpu < cfg->overload_cpu) &&
	    (!cfg->overload_media_ms || mlag < cfg->overload_media_ms))
		return false;
	refused++;
	if (now_ms() - warned_ms >= 1000) {
		OCC_WARN("%s refused%s%s %s=%s: occd is overloaded "
			 "lag_ms=%llu cpu=%u%% media_lag_ms=%llu refused=%u",
			 what, team ? " team=" : "", team ? team : "", key,
			 val, (unsigned long long)lag, cpu,
			 (unsigned long long)mlag, refused);
		warned_ms = now_ms();
		refused = 0;
	}
	return true;
}

/* A new outgoing call of team t set up from req: its parties, and its
 * CDR begun (makeCall, and the dialer's calls). */
struct call *call_setup(struct tel *tel, const struct team *t,
			const struct call_req *req)
{
	struct call *c = call_new(tel, t);

	if (!c)
		return NULL;
	str_ncpy(c->agent, req->agent, sizeof(c->agent));
	str_ncpy(c->agent_exten, req->agent_exten, sizeof(c->agent_exten));
	c->acw_mode = req->acw_mode;
	c->group_id = req->group_id;
	str_ncpy(c->req.target, req->target, sizeof(c->req.target));
	str_ncpy(c->req.callerid, req->callerid, sizeof(c->req.callerid));
	str_ncpy(c->req.first_callerid, req->first_callerid ?
		 req->first_callerid : "", sizeof(c->req.first_callerid));
	str_ncpy(c->req.trunk, req->trunk, sizeof(c->req.trunk));
	str_ncpy(c->req.target_exten, req->target_exten ? req->target_exten
		 : "", sizeof(c->req.target_exten));
	c->req.inner = req->target_inner;
	if (req->target_inner && !req->target_exten_only) {
		str_ncpy(c->callee_agent, req->target, sizeof(c->callee_agent));
		c->callee_acw_mode = req->callee_acw_mode;
	}
	remix(c);

	/* the CDR exists from the first moment, so a crash leaves a trace */
	str_ncpy(c->cdr.agent, req->agent, sizeof(c->cdr.agent));
	str_ncpy(c->cdr.direction, "out", sizeof(c->cdr.direction));
	str_ncpy(c->cdr.caller, req->callerid[0] ? req->callerid
		 : req->agent[0] ? req->agent : req->agent_exten,
		 sizeof(c->cdr.caller));
	str_ncpy(c->cdr.account, req->account ? req->account : "",
		 sizeof(c->cdr.account));
	str_ncpy(c->cdr.callee, req->target, sizeof(c->cdr.callee));
	str_ncpy(c->cdr.modeltype, req->modeltype, sizeof(c->cdr.modeltype));
	str_ncpy(c->cdr.model_id, req->model_id, sizeof(c->cdr.model_id));
	str_ncpy(c->cdr.userdata, req->userdata, sizeof(c->cdr.userdata));
	call_name_recording(c);
	if (store_cdr_begin(c->tel->occ->st, &c->cdr))
		OCC_ERR("cdr not started session=%s", c->sessionid);

	return c;
}

enum call_err call_make(struct tel *tel, const struct call_req *req,
			char sessionid[ST_SESSIONID])
{
	struct team *t = team_find(tel->occ->m, req->team);
	const struct exten *e = t ? exten_find(t, req->agent_exten) : NULL;
	struct call *c;
	struct leg *l = NULL;
	bool virt = e && !strcmp(e->kind, "virtual");
	int err;

	if (call_overloaded(tel->occ->cfg, "makeCall", req->team,
			    "agent", req->agent))
		return CALL_OVERLOAD;
	if (!t)
		return CALL_FAILED;
	if (!req->first_over_trunk && !e)
		return CALL_NOT_REGISTERED;
	if (!req->first_over_trunk && !virt &&
	    !registrar_lookup(tel->reg, req->team, req->agent_exten))
		return CALL_NOT_REGISTERED;
	if ((req->first_over_trunk || !req->target_inner) &&
	    !trunk_find(t, req->trunk))
		return CALL_NO_TRUNK;

	c = call_setup(tel, t, req);
	if (!c)
		return CALL_FAILED;

	if (req->first_over_trunk) {
		/* the initiator is a number: dialled like a customer (the
		 * trunk's caller id) */
		err = dial(c, ROLE_AGENT, false, req->agent_exten, NULL,
			   req->trunk, &l);
		if (err)
			goto fail;
		set_agent_state(c, c->agent, AS_RING);
	}
	else {
		err = leg_new(&l, c, ROLE_AGENT, req->agent_exten, virt, true);
		if (err)
			goto fail;
		set_agent_state(c, c->agent, AS_RING);
		/* the agent's phone shows whom it is about to call */
		err = ring_exten(l, req->agent_exten,
				 c->req.first_callerid[0] ?
				 c->req.first_callerid : req->target,
				 tel->occ->cfg->agent_ring_timeout);
		if (err)
			goto fail;
	}
	str_ncpy(sessionid, c->sessionid, ST_SESSIONID);
	OCC_INFO("call started session=%s team=%s agent=%s exten=%H target=%H "
		 "uniqueid=%lld", c->sessionid, c->team, c->agent,
		 LQ(req->agent_exten), LQ(req->target), (long long)l->uniqueid);
	return CALL_OK;
 fail:
	OCC_ERR("call failed to start session=%s: %m", c->sessionid, err);
	call_end(c, "system");
	return CALL_FAILED;
}

/* ---- lookups and control ----------------------------------------------- */

struct call *call_of_agent(struct tel *tel, const char *team,
			   const char *agent)
{
	struct le *le;

	LIST_FOREACH(&tel->calls, le) {
		struct call *c = le->data;
		if (!c->ending && !strcmp(c->team, team) &&
		    ((!strcmp(c->agent, agent) && !c->agent_released) ||
		     !strcmp(c->callee_agent, agent) ||
		     !strcmp(c->consult_agent, agent)))
			return c;
	}
	return NULL;
}

struct call *call_by_session(struct tel *tel, const char *sessionid)
{
	struct le *le;

	LIST_FOREACH(&tel->calls, le) {
		struct call *c = le->data;
		if (!strcmp(c->sessionid, sessionid))
			return c;
	}
	return NULL;
}

const char *call_sessionid(const struct call *c)
{
	return c->sessionid;
}

const char *call_party(const struct call *c, const char *agent)
{
	if (c->callee_agent[0] && !strcmp(c->callee_agent, agent))
		return c->agent;
	if (c->consult_agent[0] && !strcmp(c->consult_agent, agent))
		return c->agent;
	return c->req.target;
}

int call_hangup(struct call *c, enum call_target t, const char *by)
{
	struct leg *l = t == TARGET_CALLER ? c->legs[ROLE_CUSTOMER]
		: t == TARGET_AGENT ? c->legs[ROLE_AGENT] : NULL;

	if (c->ending)
		return ENOENT;
	if (t == TARGET_ALL) {
		call_end(c, by);
		return 0;
	}
	if (!l || l->state == LEG_GONE)
		return ENOENT;
	/* as if that party hung up: the agent's leaving transfers to a
	 * consulted party that is up, the customer's ends the call unless
	 * the agent is consulting */
	leg_gone(l, 0, by);
	return 0;
}

int call_hangup_leg(struct tel *tel, const char *team, int64_t uniqueid)
{
	struct le *le;

	LIST_FOREACH(&tel->calls, le) {
		struct call *c = le->data;
		if (c->ending || strcmp(c->team, team))
			continue;
		for (int i = 0; i < ROLE_COUNT; i++) {
			struct leg *l = c->legs[i];
			if (l && l->uniqueid == uniqueid && l->state != LEG_GONE) {
				leg_gone(l, 0, "api");
				return 0;
			}
		}
	}
	return ENOENT;
}

bool call_two_party(const struct call *c)
{
	const struct leg *a = c->legs[ROLE_AGENT], *u = c->legs[ROLE_CUSTOMER];

	/* just the agent and the customer: no consult, conference or
	 * transfer in the way (a supervisor listening in does not count) */
	return !c->ending && a && u && a->state == LEG_UP &&
		u->state == LEG_UP && !c->legs[ROLE_CONSULT] &&
		!c->transferred;
}

bool call_on_hold(const struct call *c)
{
	return c->on_hold;
}

/* Re-offer to the customer with the direction we want it to see. */
int reoffer(struct leg *l, bool sendonly)
{
	struct mbuf *desc = NULL;
	int err;

	if (l->virtual)
		return 0;
	mep_set_ldir(l->mep, sendonly);
	err = mep_offer(l->mep, &desc);
	if (!err)
		err = sipsess_modify(l->sess, desc);
	mem_deref(desc);
	return err;
}

int call_hold(struct call *c, bool silence)
{
	struct leg *cu = c->legs[ROLE_CUSTOMER];
	const char *moh = c->tel->occ->cfg->moh_file;
	int err;

	if (!call_two_party(c) || c->on_hold)
		return EINVAL;
	err = reoffer(cu, true);
	if (err)
		return err;
	c->on_hold = true;
	remix(c);
	c->hold_silence = silence;
	emit(c, cu, "onhold");
	if (!silence && !cu->virtual) {
		if (!moh[0] || player_wav(&cu->tone, moh, tone_to_leg, cu))
			player_tone(&cu->tone, &(struct tone_spec){
				.f1 = 523.25, .f2 = 659.25, .amp = 5000,
				.on_ms = 800, .off_ms = 400 }, tone_to_leg, cu);
	}
	OCC_INFO("hold session=%s silence=%d", c->sessionid, silence);
	return 0;
}

int call_resume(struct call *c)
{
	struct leg *cu = c->legs[ROLE_CUSTOMER];
	int err;

	if (!c->on_hold || c->ending)
		return EINVAL;
	if (!cu->virtual)
		cu->tone = mem_deref(cu->tone);
	err = reoffer(cu, false);
	if (err)
		return err;
	c->on_hold = false;
	remix(c);
	emit(c, cu, "resume");
	OCC_INFO("resume session=%s", c->sessionid);
	return 0;
}

int call_send_dtmf(struct call *c, const char *digits)
{
	struct leg *cu = c->legs[ROLE_CUSTOMER];

	if (!cu || cu->state != LEG_UP)
		return ENOENT;
	if (cu->virtual)
		return 0;
	OCC_INFO("dtmf session=%s uniqueid=%lld digits=%s", c->sessionid,
		 (long long)cu->uniqueid, digits);
	return mep_send_digits(cu->mep, digits);
}

/* application/x-www-form-urlencoded escaping of a value */
static int pct_escape(struct re_printf *pf, void *arg)
{
	int err = 0;

	for (const unsigned char *p = arg; *p && !err; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' ||
		    *p == '.' || *p == '~')
			err = re_hprintf(pf, "%c", *p);
		else
			err = re_hprintf(pf, "%%%02X", *p);
	}
	return err;
}

int call_set_var(struct call *c, const char *name, const char *value)
{
	char *vars = c->cdr.vars;
	size_t used = strlen(vars);
	int n;

	n = re_snprintf(vars + used, sizeof(c->cdr.vars) - used, "%s%s=%H",
			used ? "&" : "", name, pct_escape, (void *)value);
	if (n < 0 || used + (size_t)n >= sizeof(c->cdr.vars) - 1) {
		vars[used] = '\0';
		return E2BIG;
	}
	return 0;
}

void call_shutdown_all(struct tel *tel)
{
	struct le *le;

	while ((le = list_head(&tel->calls))) {
		struct call *c = le->data;
		if (!c->ending) {
			c->ending = true;
			str_ncpy(c->end_by, "system", sizeof(c->end_by));
		}
		finish(c);
	}
}

void call_shutdown_team(struct tel *tel, const char *team)
{
	struct le *le, *next;

	for (le = list_head(&tel->calls); le; le = next) {
		struct call *c = le->data;
		next = le->next;
		if (strcmp(c->team, team))
			continue;
		if (!c->ending) {
			c->ending = true;
			str_ncpy(c->end_by, "system", sizeof(c->end_by));
		}
		finish(c);
		/* finish may end other calls (a consultation's): again */
		next = list_head(&tel->calls);
	}
}

unsigned call_count(const struct tel *tel)
{
	return list_count(&tel->calls);
}











/* ---- /metrics ----------------------------------------------------------- */

void tel_stats(struct tel *tel, struct tel_stats *out)
{
	struct le *le;

	*out = tel->stats;
	out->calls = out->up = 0;
	LIST_FOREACH(&tel->calls, le) {
		const struct call *c = le->data;
		out->calls++;
		if (call_talking(c))
			out->up++;
	}
}

const char *tel_role_name(unsigned role)
{
	return role < ROLE_COUNT ? role_names[role] : "";
}
