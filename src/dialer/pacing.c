/*
 * pacing.c — see dialer.h and docs/DIALER.md for the model and the math.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "dialer/dialer.h"
#include "dialer/dist.h"

enum {
	TAU_MS = 300 * 1000,      /* forgetting: the world changes in minutes */
	DECIDE_MS = 1000,         /* re-decide this often while nothing happens */
	DAY_MS = 86400 * 1000,
	HOUR_MS = 3600 * 1000,
	MAX_BUCKETS = 30,
	MAX_TAUS = 24,
	SHORT_TALK_MS = 20 * 1000,
};

/* The budget is aimed below the day's target by this share, for the
 * day's own noise (a day has a few hundred live answers per 10 agents). */
#define AIM_SHARE 0.85
/* Live answers the day's budget starts with, so that a day need not
 * begin progressive: one abandon's worth at 2.5 %. */
#define DAY_PRIOR_LIVE 40.0

/* Priors, in observations: answer (mean 10 s), fast fail (3 s), no answer;
 * talk 120 s. They only matter for the first minutes. */
#define PRIOR_ANS 3.0
#define PRIOR_FAIL 1.0
#define PRIOR_NOANS 6.0
#define PRIOR_TALK 3.0

enum agent_state { AG_PAUSED, AG_IDLE, AG_TALK, AG_WRAP, AG_BUSY };

struct dialer_agent {
	void *host;
	enum agent_state st;
	uint64_t t_ms;         /* idle/talk since, wrap until */
	size_t idx;
	bool awaited;          /* an inbound caller waits for it */
};

struct dialer_call {
	void *host;
	uint64_t t_ms;         /* dialled; when held: answered */
	bool live, held;
	size_t idx;
};

struct vec {
	void **v;
	size_t n, cap;
};

struct dialer {
	struct dialer_cfg cfg;
	struct dialer_ops ops;
	void *arg;
	struct vec agents, ringing, held;   /* held: in answer order */
	struct dist ans, fail, talk;
	double noans;          /* decayed count of no-answers */
	uint64_t noans_ms;
	double wrap_mean_ms;
	uint64_t wake_at;
	/* abandonment, in buckets for the legal window and the day */
	uint32_t b_live[MAX_BUCKETS], b_ab[MAX_BUCKETS];
	double b_fp[MAX_BUCKETS];   /* AMD's estimated false positives */
	int64_t b_id[MAX_BUCKETS];
	int64_t day_id;
	uint64_t day_live, day_ab;
	double day_fp;
	struct dialer_stats st;
};

void dialer_cfg_default(struct dialer_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = DIALER_PREDICTIVE;
	cfg->profile = DIALER_PROFILE_US;
	cfg->limit = 0.03;
	cfg->day_target = 0.025;
	cfg->hold_ms = 1000;
	cfg->ring_ms = 25000;
}

static int vec_push(struct vec *v, void *p, size_t *idx)
{
	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		void **nv = realloc(v->v, cap * sizeof(*nv));
		if (!nv)
			return ENOMEM;
		v->v = nv;
		v->cap = cap;
	}
	*idx = v->n;
	v->v[v->n++] = p;
	return 0;
}

/* order is not kept (agents, ringing calls) */
static void vec_swap_remove(struct vec *v, size_t i, size_t (*idx_of)(void *,
			    size_t))
{
	v->v[i] = v->v[--v->n];
	if (i < v->n)
		idx_of(v->v[i], i);
}

static size_t agent_reindex(void *p, size_t i)
{
	return ((struct dialer_agent *)p)->idx = i;
}

static size_t call_reindex(void *p, size_t i)
{
	return ((struct dialer_call *)p)->idx = i;
}

static void cfg_clamp(struct dialer_cfg *c)
{
	if (c->hold_ms > 2000)
		c->hold_ms = 2000;
	if (c->ring_ms < 15000)
		c->ring_ms = 15000;
	if (c->limit <= 0)
		c->limit = 0.03;
	if (c->day_target <= 0 || c->day_target > c->limit)
		c->day_target = c->limit;
	if (!(c->amd_fp >= 0))
		c->amd_fp = 0;
	if (c->amd_fp > 1)
		c->amd_fp = 1;
}

struct dialer *dialer_new(const struct dialer_cfg *cfg,
			  const struct dialer_ops *ops, void *arg)
{
	struct dialer *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->cfg = *cfg;
	cfg_clamp(&d->cfg);
	d->ops = *ops;
	d->arg = arg;
	dist_init(&d->ans, 10000, 0.6, PRIOR_ANS);
	dist_init(&d->fail, 3000, 0.5, PRIOR_FAIL);
	dist_init(&d->talk, 120000, 1.0, PRIOR_TALK);
	d->wrap_mean_ms = 15000;
	d->day_id = -1;
	for (int i = 0; i < MAX_BUCKETS; i++)
		d->b_id[i] = -1;
	return d;
}

void dialer_free(struct dialer *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->agents.n; i++)
		free(d->agents.v[i]);
	for (size_t i = 0; i < d->ringing.n; i++)
		free(d->ringing.v[i]);
	for (size_t i = 0; i < d->held.n; i++)
		free(d->held.v[i]);
	free(d->agents.v);
	free(d->ringing.v);
	free(d->held.v);
	free(d);
}

void dialer_set_cfg(struct dialer *d, const struct dialer_cfg *cfg)
{
	d->cfg = *cfg;
	cfg_clamp(&d->cfg);
}

uint32_t dialer_ring_ms(const struct dialer *d)
{
	return d->cfg.ring_ms;
}

uint32_t dialer_hold_ms(const struct dialer *d)
{
	return d->cfg.hold_ms;
}

/* ---- abandonment accounting: the window's buckets and the day ---- */

static void window_shape(const struct dialer *d, uint64_t *bucket_ms,
			 int *n)
{
	if (d->cfg.profile == DIALER_PROFILE_UK) {
		*bucket_ms = HOUR_MS;
		*n = 24;
	} else {
		*bucket_ms = DAY_MS;
		*n = 30;
	}
}

static void account_roll(struct dialer *d, uint64_t now_ms)
{
	int64_t day = (int64_t)(now_ms / DAY_MS);

	if (day != d->day_id) {
		d->day_id = day;
		d->day_live = d->day_ab = 0;
		d->day_fp = 0;
	}
}

/* The window's bucket of time t_ms (emptied when it held an older
 * period); -1 when t_ms is outside the window ending at now_ms or its
 * bucket already holds a later period. */
static int bucket_of(struct dialer *d, uint64_t t_ms, uint64_t now_ms)
{
	uint64_t bms;
	int n, slot;
	int64_t id;

	window_shape(d, &bms, &n);
	id = (int64_t)(t_ms / bms);
	slot = (int)(id % n);
	if (t_ms > now_ms || id <= (int64_t)(now_ms / bms) - n ||
	    d->b_id[slot] > id)
		return -1;
	if (d->b_id[slot] != id) {
		d->b_id[slot] = id;
		d->b_live[slot] = d->b_ab[slot] = 0;
		d->b_fp[slot] = 0;
	}
	return slot;
}

static void account(struct dialer *d, uint64_t now_ms, bool live, bool ab)
{
	int slot = bucket_of(d, now_ms, now_ms);

	account_roll(d, now_ms);
	if (live) {
		if (slot >= 0)      /* always, with a clock that never goes back */
			d->b_live[slot]++;
		d->day_live++;
		d->st.live++;
	}
	if (ab) {
		if (slot >= 0)
			d->b_ab[slot]++;
		d->day_ab++;
		d->st.abandons++;
	}
}

void dialer_account_past(struct dialer *d, uint64_t at_ms, bool abandoned,
			 uint64_t now_ms)
{
	int slot = bucket_of(d, at_ms, now_ms);

	if (slot < 0)
		return;
	d->b_live[slot]++;
	d->b_ab[slot] += abandoned;
	account_roll(d, now_ms);
	if (at_ms / DAY_MS == now_ms / DAY_MS) {
		d->day_live++;
		d->day_ab += abandoned;
	}
}

void dialer_account_past_machine(struct dialer *d, uint64_t at_ms,
				 uint64_t now_ms)
{
	int slot = bucket_of(d, at_ms, now_ms);

	if (slot < 0)
		return;
	d->b_fp[slot] += d->cfg.amd_fp;
	account_roll(d, now_ms);
	if (at_ms / DAY_MS == now_ms / DAY_MS)
		d->day_fp += d->cfg.amd_fp;
}

static void window_sums(const struct dialer *d, uint64_t now_ms,
			uint64_t *live, uint64_t *ab, double *fp)
{
	uint64_t bms;
	int n;
	int64_t id;

	window_shape(d, &bms, &n);
	id = (int64_t)(now_ms / bms);
	*live = *ab = 0;
	*fp = 0;
	for (int i = 0; i < n; i++) {
		if (d->b_id[i] > id - n && d->b_id[i] <= id) {
			*live += d->b_live[i];
			*ab += d->b_ab[i];
			*fp += d->b_fp[i];
		}
	}
}

/* ---- learning ---- */

static void outcomes_decay(struct dialer *d, uint64_t now_ms)
{
	dist_decay(&d->ans, now_ms, TAU_MS);
	dist_decay(&d->fail, now_ms, TAU_MS);
	if (now_ms > d->noans_ms) {
		d->noans *= exp(-(double)(now_ms - d->noans_ms) / TAU_MS);
		d->noans_ms = now_ms;
	}
}

struct outcome_p {
	double ans, fail, noans;
};

static struct outcome_p outcome_p(const struct dialer *d)
{
	struct outcome_p p = {
		dist_weight(&d->ans) + PRIOR_ANS,
		dist_weight(&d->fail) + PRIOR_FAIL,
		d->noans + PRIOR_NOANS,
	};
	double s = p.ans + p.fail + p.noans;

	p.ans /= s;
	p.fail /= s;
	p.noans /= s;
	return p;
}

/* ---- wake-ups ---- */

static void update_wake(struct dialer *d, uint64_t now_ms)
{
	uint64_t at = 0;

	if (d->held.n) {
		const struct dialer_call *c = d->held.v[0];
		at = c->t_ms + d->cfg.hold_ms;
	}
	if (d->cfg.mode == DIALER_PREDICTIVE && (!at || at > now_ms + DECIDE_MS))
		at = now_ms + DECIDE_MS;
	if (at != d->wake_at) {
		d->wake_at = at;
		if (d->ops.wake)
			d->ops.wake(d->arg, at);
	}
}

/* ---- agents ---- */

struct dialer_agent *dialer_agent_add(struct dialer *d, void *host,
				      uint64_t now_ms)
{
	struct dialer_agent *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->host = host;
	a->st = AG_PAUSED;
	a->t_ms = now_ms;
	if (vec_push(&d->agents, a, &a->idx)) {
		free(a);
		return NULL;
	}
	return a;
}

void dialer_agent_remove(struct dialer *d, struct dialer_agent *a,
			 uint64_t now_ms)
{
	vec_swap_remove(&d->agents, a->idx, agent_reindex);
	free(a);
	update_wake(d, now_ms);
}

static void call_end(struct dialer *d, struct dialer_call *c)
{
	if (c->held) {
		/* the held list keeps answer order */
		memmove(&d->held.v[c->idx], &d->held.v[c->idx + 1],
			(d->held.n - c->idx - 1) * sizeof(void *));
		d->held.n--;
		for (size_t i = c->idx; i < d->held.n; i++)
			((struct dialer_call *)d->held.v[i])->idx = i;
	} else {
		vec_swap_remove(&d->ringing, c->idx, call_reindex);
	}
	free(c);
}

static void bridge(struct dialer *d, struct dialer_call *c,
		   struct dialer_agent *a, uint64_t now_ms)
{
	void *ch = c->host;

	a->st = AG_TALK;
	a->t_ms = now_ms;
	call_end(d, c);
	d->ops.bridge(d->arg, ch, a->host);
}

static void talk_learn(struct dialer *d, struct dialer_agent *a,
		       uint64_t now_ms)
{
	if (a->st != AG_TALK)
		return;
	dist_decay(&d->talk, now_ms, TAU_MS);
	dist_add(&d->talk, (double)(now_ms - a->t_ms));
}

void dialer_agent_idle(struct dialer *d, struct dialer_agent *a,
		       uint64_t now_ms)
{
	talk_learn(d, a, now_ms);
	a->st = AG_IDLE;
	a->t_ms = now_ms;
	if (d->held.n && !a->awaited)
		bridge(d, d->held.v[0], a, now_ms);
	update_wake(d, now_ms);
}

void dialer_agent_awaited(struct dialer *d, struct dialer_agent *a,
			  bool awaited, uint64_t now_ms)
{
	bool was = a->awaited;

	a->awaited = awaited;
	if (was && !awaited && a->st == AG_IDLE && d->held.n) {
		bridge(d, d->held.v[0], a, now_ms);
		update_wake(d, now_ms);
	}
}

void dialer_agent_wrapup(struct dialer *d, struct dialer_agent *a,
			 uint64_t until_ms, uint64_t now_ms)
{
	double w = until_ms > now_ms ? (double)(until_ms - now_ms) : 0;

	/* the wrap-up after a conversation, not after a machine or a wrong
	 * number the agent hung up on at once: forecasts of talking agents
	 * are about conversations (SHORT_TALK_MS) */
	if (a->st == AG_TALK && now_ms - a->t_ms >= SHORT_TALK_MS)
		d->wrap_mean_ms += 0.05 * (w - d->wrap_mean_ms);
	talk_learn(d, a, now_ms);
	a->st = AG_WRAP;
	a->t_ms = until_ms;
}

void dialer_agent_pause(struct dialer *d, struct dialer_agent *a,
			uint64_t now_ms)
{
	talk_learn(d, a, now_ms);
	a->st = AG_PAUSED;
	a->t_ms = now_ms;
}

void dialer_agent_busy(struct dialer *d, struct dialer_agent *a,
		       uint64_t now_ms)
{
	talk_learn(d, a, now_ms);
	a->st = AG_BUSY;
	a->t_ms = now_ms;
}

/* ---- calls ---- */

struct dialer_call *dialer_dialled(struct dialer *d, void *host,
				   uint64_t now_ms)
{
	struct dialer_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->host = host;
	c->t_ms = now_ms;
	if (vec_push(&d->ringing, c, &c->idx)) {
		free(c);
		return NULL;
	}
	d->st.dials++;
	return c;
}

void dialer_call_failed(struct dialer *d, struct dialer_call *c,
			uint64_t now_ms)
{
	outcomes_decay(d, now_ms);
	dist_add(&d->fail, (double)(now_ms - c->t_ms));
	call_end(d, c);
}

void dialer_call_no_answer(struct dialer *d, struct dialer_call *c,
			   uint64_t now_ms)
{
	outcomes_decay(d, now_ms);
	d->noans += 1;
	call_end(d, c);
}

static struct dialer_agent *longest_idle(const struct dialer *d)
{
	struct dialer_agent *best = NULL;

	for (size_t i = 0; i < d->agents.n; i++) {
		struct dialer_agent *a = d->agents.v[i];
		if (a->st == AG_IDLE && !a->awaited &&
		    (!best || a->t_ms < best->t_ms))
			best = a;
	}
	return best;
}

void dialer_call_answered(struct dialer *d, struct dialer_call *c, bool live,
			  uint64_t now_ms)
{
	struct dialer_agent *a;
	size_t idx;

	outcomes_decay(d, now_ms);
	dist_add(&d->ans, (double)(now_ms - c->t_ms));
	d->st.answers++;
	account(d, now_ms, live, false);
	c->live = live;
	a = longest_idle(d);
	if (a) {
		bridge(d, c, a, now_ms);
	} else if (vec_push(&d->held, c, &idx)) {
		/* no memory to hold it: abandon now rather than lose it */
		void *ch = c->host;
		account(d, now_ms, false, live);
		call_end(d, c);
		d->ops.abandon(d->arg, ch);
	} else {
		vec_swap_remove(&d->ringing, c->idx, call_reindex);
		c->idx = idx;
		c->held = true;
		c->t_ms = now_ms;
	}
	update_wake(d, now_ms);
}

void dialer_call_machine(struct dialer *d, struct dialer_call *c,
			 uint64_t now_ms)
{
	int slot = bucket_of(d, now_ms, now_ms);
	double fp = d->cfg.amd_fp;

	account_roll(d, now_ms);
	outcomes_decay(d, now_ms);
	d->noans += 1;   /* needs no agent: for pacing it is a no-answer */
	/* a share of the machines were people: each such is a live answer
	 * abandoned (Ofcom's estimate), counted as fp of one */
	if (slot >= 0)
		d->b_fp[slot] += fp;
	d->day_fp += fp;
	d->st.machines++;
	d->st.amd_fp_est += fp;
	call_end(d, c);
}

void dialer_bridge_lost(struct dialer *d, uint64_t now_ms)
{
	account(d, now_ms, false, true);
}

void dialer_tick(struct dialer *d, uint64_t now_ms)
{
	while (d->held.n) {
		struct dialer_call *c = d->held.v[0];
		void *ch = c->host;
		if (c->t_ms + d->cfg.hold_ms > now_ms)
			break;
		account(d, now_ms, false, c->live);
		call_end(d, c);
		d->ops.abandon(d->arg, ch);
	}
	d->wake_at = 0;
	update_wake(d, now_ms);
}

/* ---- the decision ---- */

/* The forecast's own error, in agents² per slot, added to the variance of
 * the independent sums: pauses, estimates a few minutes old, agents and
 * answers that are not independent. Without it the normal approximation
 * is overconfident when few agents are uncertain (a sharp step from "no
 * risk" to "certain drop"), and the risk level has to be spent in bursts.
 * Talk min/h is flat for values 0.6 to 2 at 10 to 100 agents (DIALER.md). */
#define MODEL_VAR 1.0

/* P(N(mu, var) > -0.5): the chance a count with this mean and variance is
 * at least zero, with the continuity correction. */
static double p_nonneg(double mu, double var)
{
	return 0.5 * erfc(-(mu + 0.5) / sqrt(2 * (var + MODEL_VAR)));
}

/* the risk level: the day's budget left decides it (see DIALER.md) */
static double risk_level(struct dialer *d, uint64_t now_ms, bool *fallback)
{
	/* AMD's estimated false positives are live answers abandoned */
	double aim = d->cfg.day_target * AIM_SHARE;
	double budget_live = (double)d->day_live + d->day_fp + DAY_PRIOR_LIVE;
	double slack = aim * budget_live - (double)d->day_ab - d->day_fp;
	double scale = 1 + sqrt(aim * budget_live);
	uint64_t wl, wa;
	double wslack, x, wfp;

	window_sums(d, now_ms, &wl, &wa, &wfp);
	wslack = d->cfg.limit * ((double)wl + wfp + DAY_PRIOR_LIVE) -
		(double)wa - wfp;
	d->st.window_live = wl;
	d->st.window_abandons = wa;
	/* nearly spent: over the day's aim by an abandon, or less than one
	 * abandon left in the legal window */
	*fallback = slack < -1 || wslack < 1;
	x = slack / scale;
	if (x > log(10.0))
		x = log(10.0);
	if (x < -log(100.0))
		x = -log(100.0);
	return aim * exp(x);
}

static double clampd(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

unsigned dialer_decide(struct dialer *d, uint64_t now_ms)
{
	/* the slots the new dials' answers fall in (seconds from now) */
	static const double taus_s[] = { 0.5, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12,
		14, 16, 18, 20, 22, 25, 30, 35, 40, 50, 60 };
	double tau[MAX_TAUS], fmu[MAX_TAUS] = { 0 }, fvar[MAX_TAUS] = { 0 };
	double amu[MAX_TAUS] = { 0 }, avar[MAX_TAUS] = { 0 }, qn[MAX_TAUS];
	double ring = d->cfg.ring_ms, hold = d->cfg.hold_ms;
	size_t idle = 0, avail = 0, nprog, room = SIZE_MAX, cap = 0, k, n;
	struct outcome_p p;
	double beta, wsum = 0;
	bool fallback;
	int nt = 0;

	account_roll(d, now_ms);
	if (d->cfg.mode == DIALER_PREVIEW)
		return 0;
	for (size_t i = 0; i < d->agents.n; i++) {
		const struct dialer_agent *a = d->agents.v[i];
		if (a->awaited)
			continue;    /* inbound callers go first */
		idle += a->st == AG_IDLE;
		avail += a->st != AG_PAUSED && a->st != AG_BUSY;
	}
	if (d->cfg.team_cap)
		cap = d->cfg.team_cap;
	if (d->cfg.campaign_cap && (!cap || d->cfg.campaign_cap < cap))
		cap = d->cfg.campaign_cap;
	if (cap)
		room = cap > d->ringing.n + d->held.n ?
			cap - d->ringing.n - d->held.n : 0;
	nprog = idle > d->ringing.n + d->held.n ?
		idle - d->ringing.n - d->held.n : 0;
	beta = risk_level(d, now_ms, &fallback);
	d->st.risk = beta;
	d->st.progressive_fallback = fallback;
	if (d->cfg.mode == DIALER_PROGRESSIVE || fallback || !avail)
		return (unsigned)(nprog < room ? nprog : room);

	for (size_t i = 0; i < sizeof(taus_s) / sizeof(taus_s[0]); i++)
		if (taus_s[i] * 1000 <= ring && nt < MAX_TAUS)
			tau[nt++] = taus_s[i] * 1000;

	/* agents free by now + tau + hold */
	for (size_t i = 0; i < d->agents.n; i++) {
		const struct dialer_agent *a = d->agents.v[i];
		double e, s_e;
		switch (a->awaited ? AG_BUSY : a->st) {
		case AG_IDLE:
			for (int j = 0; j < nt; j++)
				fmu[j] += 1;
			break;
		case AG_WRAP:
			for (int j = 0; j < nt; j++)
				if ((double)a->t_ms <= now_ms + tau[j] + hold)
					fmu[j] += 1;
			break;
		case AG_TALK:
			e = (double)(now_ms - a->t_ms);
			s_e = dist_survival(&d->talk, e);
			for (int j = 0; j < nt; j++) {
				double x = e + tau[j] + hold - d->wrap_mean_ms;
				double pf = 0;
				if (x > e)
					pf = s_e > 1e-9 ? clampd(1 - dist_survival(
						&d->talk, x) / s_e, 0, 1) : 0.5;
				fmu[j] += pf;
				fvar[j] += pf * (1 - pf);
			}
			break;
		default:
			break;
		}
	}
	/* answers needing an agent by now + tau: held ones, calls in flight */
	outcomes_decay(d, now_ms);
	p = outcome_p(d);
	for (int j = 0; j < nt; j++)
		amu[j] += (double)d->held.n;
	for (size_t i = 0; i < d->ringing.n; i++) {
		const struct dialer_call *c = d->ringing.v[i];
		double e = (double)(now_ms - c->t_ms), sa, den;
		if (e >= ring)
			continue;
		sa = dist_survival(&d->ans, e);
		den = p.ans * sa + p.fail * dist_survival(&d->fail, e) + p.noans;
		for (int j = 0; j < nt; j++) {
			double x = e + tau[j] < ring ? e + tau[j] : ring;
			double q = clampd(p.ans * (sa - dist_survival(&d->ans, x))
					  / den, 0, 1);
			amu[j] += q;
			avar[j] += q * (1 - q);
		}
	}
	for (int j = 0; j < nt; j++)
		qn[j] = p.ans * (1 - dist_survival(&d->ans, tau[j]));
	for (int j = 0; j < nt; j++)
		wsum += qn[j] - (j ? qn[j - 1] : 0);
	if (wsum <= 0)
		return (unsigned)(nprog < room ? nprog : room);

	/* the k-th new dial: if it answers (in slot j), is there an agent? */
	n = 0;
	for (k = 1; k <= room && k <= 10 * avail + 10; k++) {
		double risk = 0;
		for (int j = 0; j < nt; j++) {
			double w = qn[j] - (j ? qn[j - 1] : 0);
			double m = (double)(k - 1) * qn[j];
			if (w <= 0)
				continue;
			risk += w * p_nonneg(amu[j] + m - fmu[j],
					     avar[j] + m * (1 - qn[j]) + fvar[j]);
		}
		if (risk / wsum > beta)
			break;
		n = k;
	}
	if (n < nprog)
		n = nprog;
	return (unsigned)(n < room ? n : room);
}

void dialer_stats(const struct dialer *d, struct dialer_stats *st)
{
	*st = d->st;
	st->day_live = d->day_live;
	st->day_abandons = d->day_ab;
	{
		struct outcome_p p = outcome_p(d);
		st->p_answer = p.ans;
	}
	st->talk_mean_s = dist_mean(&d->talk) / 1000;
}
