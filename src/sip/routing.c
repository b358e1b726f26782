/*
 * routing.c — who hears whom in a call, and the mixer.
 *
 * Each call keeps hears[role]: the roles whose audio the leg of that role
 * hears, set by remix() from the call's state (two parties, hold, consult,
 * conference, transfer). A listener of one speaker gets that speaker's
 * packets relayed as they come — two-party calls stay on this cheap path,
 * bit-exact; a listener of several gets, every 20 ms, the sum of their
 * frames through a limiter (media/mixer.h): a lone speaker at its level,
 * never a clipped sample. What the customer and the
 * agent hear is also what the recording keeps (left: the customer's ear,
 * right: the agent's).
 *
 * To add a mode: one more case in remix().
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "sip.call"
#include "base/log.h"
#include "base/conf.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/occ.h"
#include "media/clock.h"
#include "media/mep.h"
#include "media/mixer.h"
#include "media/player.h"
#include "media/recorder.h"
#include "sip/call.h"
#include "sip/call_impl.h"
#include "sip/tel_impl.h"

static unsigned popcount(unsigned x)
{
	return (unsigned)__builtin_popcount(x);
}

/* Bridged audio reaches a listener: record what the customer and the agent
 * hear (left: the customer's ear, right: the agent's), then send it. */
static void deliver(struct call *c, struct leg *to, const int16_t *pcm,
		    size_t n)
{
	/* after a transfer the consulted party is the customer's agent */
	bool agent_ear = to->role == ROLE_AGENT ||
		(to->role == ROLE_CONSULT && c->transferred);

	struct recorder *recs[] = { c->rec, c->seg };

	for (size_t i = 0; i < ARRAY_SIZE(recs); i++) {
		if (recs[i] && to->role == ROLE_CUSTOMER)
			recorder_put(recs[i], REC_AGENT, pcm, n);
		else if (recs[i] && agent_ear)
			recorder_put(recs[i], REC_CUSTOMER, pcm, n);
	}
	leg_send(to, pcm, n);
}

static void ring_put(struct leg *l, const int16_t *pcm, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (l->ring_len == MIX_RING) {      /* full: drop the oldest */
			l->ring_head = (l->ring_head + 1) % MIX_RING;
			l->ring_len--;
		}
		l->ring[(l->ring_head + l->ring_len) % MIX_RING] = pcm[i];
		l->ring_len++;
	}
}

static void ring_take(struct leg *l, int16_t *out)
{
	for (size_t i = 0; i < MIX_FRAME; i++) {
		if (l->ring_len) {
			out[i] = l->ring[l->ring_head];
			l->ring_head = (l->ring_head + 1) % MIX_RING;
			l->ring_len--;
		}
		else
			out[i] = 0;
	}
}

/* A leg is a listener while it is up and not hearing a tone instead. */
static bool listening(const struct leg *l)
{
	return l && l->state == LEG_UP && !l->tone;
}

void leg_audio(struct mep *m, const int16_t *pcm, size_t n, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	bool mixed = false;

	if (c->legs[l->role] != l)
		return;          /* an inbound offer: nobody hears it yet */
	for (int r = 0; r < ROLE_COUNT; r++) {
		struct leg *to = c->legs[r];
		if (r == (int)l->role || !listening(to) ||
		    !(c->hears[r] & BIT(l->role)))
			continue;
		if (popcount(c->hears[r]) == 1)
			deliver(c, to, pcm, n);          /* relay */
		else
			mixed = true;
	}
	if (mixed)
		ring_put(l, pcm, n);
}

/* Every 20 ms while some listener hears several speakers: each speaker's
 * frame once, then per listener the limited sum of the frames it hears. */
static void mix_tick(void *arg)
{
	struct call *c = arg;
	uint64_t due = mclock_due(c->mix_start_ms, now_ms(), &c->mix_frames);
	int16_t frame[ROLE_COUNT][MIX_FRAME], out[MIX_FRAME];

	for (; c->mix_frames < due; c->mix_frames++) {
		for (int r = 0; r < ROLE_COUNT; r++)
			if (c->legs[r])
				ring_take(c->legs[r], frame[r]);
		for (int r = 0; r < ROLE_COUNT; r++) {
			struct leg *to = c->legs[r];
			const int16_t *heard[ROLE_COUNT];
			size_t k = 0;
			if (popcount(c->hears[r]) < 2 || !listening(to))
				continue;
			for (int s2 = 0; s2 < ROLE_COUNT; s2++)
				if ((c->hears[r] & BIT(s2)) && c->legs[s2])
					heard[k++] = frame[s2];
			mix_frames(&to->limiter, heard, k, out, MIX_FRAME);
			deliver(c, to, out, MIX_FRAME);
		}
	}
}

/* Who hears whom, from the call's state; starts or stops the mixer. */
void remix(struct call *c)
{
	bool mixing = false;

	memset(c->hears, 0, sizeof(c->hears));
	if (c->transferred) {
		c->hears[ROLE_CUSTOMER] = BIT(ROLE_CONSULT);
		c->hears[ROLE_CONSULT] = BIT(ROLE_CUSTOMER);
	}
	else if (c->conference) {
		const unsigned all = BIT(ROLE_AGENT) | BIT(ROLE_CUSTOMER) |
			BIT(ROLE_CONSULT);
		for (int r = ROLE_AGENT; r <= ROLE_CONSULT; r++)
			c->hears[r] = all & ~BIT(r);
	}
	else if (c->legs[ROLE_CONSULT]) {
		/* consulting: the customer waits (music), the agent and the
		 * consulted party talk */
		c->hears[ROLE_AGENT] = BIT(ROLE_CONSULT);
		c->hears[ROLE_CONSULT] = BIT(ROLE_AGENT);
	}
	else if (!c->on_hold && !c->in_ivr) {
		c->hears[ROLE_AGENT] = BIT(ROLE_CUSTOMER);
		c->hears[ROLE_CUSTOMER] = BIT(ROLE_AGENT);
	}
	/* supervision (docs/ARCHITECTURE.md): the leader hears everybody;
	 * whisper adds the leader to what the agent hears, barge-in to what
	 * all hear — except a customer who is waiting (hold, consult) */
	struct leg *sup = c->legs[ROLE_SUPERVISOR];
	if (sup && sup->state == LEG_UP) {
		for (int r = 0; r < ROLE_SUPERVISOR; r++)
			if (c->legs[r] && c->legs[r]->state == LEG_UP)
				c->hears[ROLE_SUPERVISOR] |= BIT(r);
		if (c->sup_mode == SUP_WHISPER || c->sup_mode == SUP_BARGE)
			c->hears[ROLE_AGENT] |= BIT(ROLE_SUPERVISOR);
		if (c->sup_mode == SUP_BARGE) {
			if (c->hears[ROLE_CUSTOMER])
				c->hears[ROLE_CUSTOMER] |= BIT(ROLE_SUPERVISOR);
			if (c->conference)
				c->hears[ROLE_CONSULT] |= BIT(ROLE_SUPERVISOR);
		}
	}
	for (int r = 0; r < ROLE_COUNT; r++)
		mixing |= popcount(c->hears[r]) > 1;
	if (mixing && !mclock_joined(&c->mix_clk)) {
		c->mix_start_ms = now_ms();
		c->mix_frames = 0;
		for (int r = 0; r < ROLE_COUNT; r++)
			if (c->legs[r])
				c->legs[r]->ring_len = 0;
		mclock_join_on(&c->mix_clk, c->mw, mix_tick, c);
	}
	else if (!mixing) {
		mclock_leave(&c->mix_clk);
	}
}

/* The legs that hear l alone: DTMF goes where the voice goes, if only to
 * one party (never into a mix). */
static bool hears_alone(const struct call *c, int r, const struct leg *l)
{
	const struct leg *to = c->legs[r];

	return r != (int)l->role && to && to->mep && listening(to) &&
		c->hears[r] == BIT(l->role);
}

/* control loop: the keys a worker heard on leg l */
static void keys_heard(void *arg)
{
	struct leg *l = arg;
	char keys[sizeof(l->keys)];
	unsigned n = l->nkeys;

	memcpy(keys, l->keys, n);
	l->nkeys = 0;
	for (unsigned i = 0; i < n && l->call->legs[l->role] == l; i++)
		call_digit(l->call, l, keys[i], false);
}

static void key_heard(struct leg *l, char digit)
{
	if (!mworker_on_worker()) {
		call_digit(l->call, l, digit, false);
		return;
	}
	if (l->nkeys < sizeof(l->keys))   /* 16 presses in one pass: more
					   * is no person */
		l->keys[l->nkeys++] = digit;
	mworker_defer(&l->key_defer, keys_heard, l);
}

void leg_event(struct mep *m, const uint8_t *p, size_t len,
		      uint32_t ts, bool marker, void *arg)
{
	struct leg *l = arg;
	struct call *c = l->call;
	int digit = telev_code2digit(p[0]);

	if (c->legs[l->role] != l)
		return;          /* an inbound offer's keys go nowhere */
	/* RFC 4733: every packet of one event (its repeats and its three
	 * end packets included) carries the event's timestamp */
	if (!l->ev_seen || ts != l->ev_ts || p[0] != l->ev_code) {
		l->ev_seen = true;
		l->ev_ts = ts;
		l->ev_code = p[0];
		if (digit > 0)
			key_heard(l, (char)digit);
	}
	if (c->digith)
		return;              /* the hook has the keys */
	for (int r = 0; r < ROLE_COUNT; r++)
		if (hears_alone(c, r, l))
			mep_send_event(c->legs[r]->mep, p, len, ts, marker);
}

void call_digit(struct call *c, struct leg *l, char digit, bool info)
{
	char s[2] = { digit, '\0' };

	OCC_DBG("digit session=%s uniqueid=%lld digit=%c via=%s",
		c->sessionid, (long long)l->uniqueid, digit,
		info ? "info" : "rfc4733");
	if (c->digith) {
		c->digith(c, l, digit, c->digit_arg);
		return;
	}
	if (!info)
		return;
	for (int r = 0; r < ROLE_COUNT; r++)
		if (hears_alone(c, r, l) &&
		    mep_send_digits(c->legs[r]->mep, s))
			OCC_DBG("digit not sent on session=%s uniqueid=%lld",
				c->sessionid, (long long)c->legs[r]->uniqueid);
}

/* ---- prompts ------------------------------------------------------------ */

static void prompt_done(void *arg)
{
	struct leg *l = arg;
	play_done_h *h = l->playh;
	void *harg = l->play_arg;

	leg_stop_play(l);
	if (h)
		h(l, harg);
}

int leg_play_seq(struct leg *l, const char *const paths[], size_t n,
		 play_done_h *h, void *arg)
{
	struct player *p = NULL;
	int err = player_prompt(&p, paths, n, tone_to_leg, prompt_done, l);

	if (err)
		return err;
	mem_deref(l->tone);
	l->tone = p;
	l->playh = h;
	l->play_arg = arg;
	return 0;
}

int leg_play(struct leg *l, const char *path, play_done_h *h, void *arg)
{
	return leg_play_seq(l, &path, 1, h, arg);
}

void leg_stop_play(struct leg *l)
{
	if (!l->tone || !player_is_prompt(l->tone))
		return;
	l->tone = mem_deref(l->tone);
	l->playh = NULL;
	l->play_arg = NULL;
}

/* Players feed a leg (ringback, hold music, prompts): it hears that, and
 * the recording says so ... */
void tone_to_leg(const int16_t *pcm, size_t n, void *arg)
{
	struct leg *l = arg;

	deliver(l->call, l, pcm, n);
}

/* ... or speak for a built-in peer, as if its audio had arrived. */
void tone_from_leg(const int16_t *pcm, size_t n, void *arg)
{
	leg_audio(NULL, pcm, n, arg);
}
