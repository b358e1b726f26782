/*
 * dialer_sim.c — see dialer_sim.h. The world's truth (who is live, which
 * agent is in a call, which record is on DNC) is kept here, apart from the
 * dialer's view, so the rules are checked against it.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "dialer_sim.h"

#define DAY_MS (86400ULL * 1000)
#define START_MS (8ULL * 3600 * 1000)   /* the day starts 08:00 UTC */
#define PAUSE_MS (5ULL * 60 * 1000)
/* far above a day of 100 agents (about 1 M events) */
#define MAX_EVENTS_PER_DAY 20000000ULL

enum ev_type {
	EV_CALL,        /* the dial's outcome is due */
	EV_TALK_END, EV_WRAP_END, EV_PAUSE_DUE, EV_PAUSE_END,
	EV_WAKE, EV_HOUR, EV_DAY_START, EV_DAY_END,
};

struct ev {
	uint64_t t, seq;
	enum ev_type type;
	uint32_t id, gen;
};

enum outcome { OUT_FAIL, OUT_LIVE, OUT_MACHINE, OUT_NOANS };

struct scall {
	struct dialer_call *dc;
	enum outcome out;
	uint64_t t_dial, t_answer;
	uint32_t agent;
	bool done;
};

struct sagent {
	struct dialer_agent *da;
	bool in_call, wrapping, paused, pause_due, off;
	uint32_t call;
	uint64_t pause_from;
};

struct sim {
	const struct dsim_world *w;
	struct dialer *d;
	struct dsim_result *r;
	uint64_t rng, seed, now, seq, record;
	struct ev *heap;
	size_t hn, hcap;
	struct scall *calls;
	size_t ncalls, ccap;
	struct sagent *ag;
	uint32_t wake_gen;
	bool working;
	unsigned day;
	uint64_t day_live[DSIM_MAX_DAYS], day_ab[DSIM_MAX_DAYS];
	double talk_ms, avail_ms;
	uint64_t work_ms;
	uint32_t *dec_ns;            /* time_decisions: each decision */
	size_t ndec, dcap;
};

void dsim_world_s1(struct dsim_world *w, unsigned agents)
{
	memset(w, 0, sizeof(*w));
	w->agents = agents;
	w->p_fail = 0.10;
	w->p_live = 0.25;
	w->p_machine = 0.10;
	w->ring_mean_s = 10;
	w->ring_cv = 0.6;
	w->talk_mean_s = 120;
	w->talk_cv = 1.0;
	w->wrap_s = 15;
	w->machine_s = 10;
	w->pause_share = 0.05;
	w->dnc_share = 0.02;
	w->closed_share = 0.05;
}

/* ---- randomness (splitmix64) ---- */

static uint64_t rnd64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double unif(uint64_t *s)
{
	return ((rnd64(s) >> 11) + 0.5) * (1.0 / 9007199254740992.0);
}

static double lognormal(uint64_t *s, double mean, double cv)
{
	double s2 = log(1 + cv * cv), mu = log(mean) - s2 / 2;
	double z = sqrt(-2 * log(unif(s))) * cos(2 * M_PI * unif(s));
	return exp(mu + sqrt(s2) * z);
}

/* ---- the event heap ---- */

static bool ev_before(const struct ev *a, const struct ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(struct sim *s, uint64_t t, enum ev_type type, uint32_t id,
		 uint32_t gen)
{
	size_t i;

	if (s->hn == s->hcap) {
		s->hcap = s->hcap ? s->hcap * 2 : 1024;
		s->heap = realloc(s->heap, s->hcap * sizeof(*s->heap));
		if (!s->heap)
			abort();
	}
	i = s->hn++;
	s->heap[i] = (struct ev){ t, s->seq++, type, id, gen };
	while (i && ev_before(&s->heap[i], &s->heap[(i - 1) / 2])) {
		struct ev tmp = s->heap[i];
		s->heap[i] = s->heap[(i - 1) / 2];
		s->heap[(i - 1) / 2] = tmp;
		i = (i - 1) / 2;
	}
}

static struct ev pop(struct sim *s)
{
	struct ev top = s->heap[0];
	size_t i = 0;

	s->heap[0] = s->heap[--s->hn];
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		if (l < s->hn && ev_before(&s->heap[l], &s->heap[m]))
			m = l;
		if (l + 1 < s->hn && ev_before(&s->heap[l + 1], &s->heap[m]))
			m = l + 1;
		if (m == i)
			break;
		struct ev tmp = s->heap[i];
		s->heap[i] = s->heap[m];
		s->heap[m] = tmp;
		i = m;
	}
	return top;
}

/* ---- per-minute accounting of day 0 ---- */

static void spread(double *per_min, uint64_t from, uint64_t to)
{
	for (uint64_t t = from; t < to;) {
		uint64_t m = t / 60000, end = (m + 1) * 60000;
		if (m >= DSIM_DAY_MIN)
			break;
		if (end > to)
			end = to;
		per_min[m] += (double)(end - t);
		t = end;
	}
}

/* busy time [from, to) of the working day (day-relative ms, clipped) */
static void clip_day(const struct sim *s, uint64_t from, uint64_t to,
		     uint64_t *a, uint64_t *b)
{
	uint64_t d0 = s->day * DAY_MS + START_MS, WORK_MS = s->work_ms;

	*a = from < d0 ? 0 : from - d0;
	*b = to < d0 ? 0 : to - d0;
	if (*a > WORK_MS)
		*a = WORK_MS;
	if (*b > WORK_MS)
		*b = WORK_MS;
}

static void add_talk(struct sim *s, uint64_t from, uint64_t to)
{
	uint64_t a, b;

	clip_day(s, from, to, &a, &b);
	s->talk_ms += (double)(b - a);
	if (s->day == 0)
		spread(s->r->m_talk_ms, a, b);
}

static void add_pause(struct sim *s, uint64_t from, uint64_t to)
{
	uint64_t a, b;

	clip_day(s, from, to, &a, &b);
	s->avail_ms -= (double)(b - a);
	if (s->day == 0) {
		double neg[DSIM_DAY_MIN] = { 0 };
		spread(neg, a, b);
		for (int i = 0; i < DSIM_DAY_MIN; i++)
			s->r->m_avail_ms[i] -= neg[i];
	}
}

static void count_live(struct sim *s, bool ab)
{
	uint64_t m = (s->now - s->day * DAY_MS - START_MS) / 60000;

	if (ab) {
		s->r->abandons++;
		s->day_ab[s->day]++;
	} else {
		s->r->live++;
		s->day_live[s->day]++;
	}
	if (s->day == 0 && m < DSIM_DAY_MIN) {
		if (ab)
			s->r->m_ab[m]++;
		else
			s->r->m_live[m]++;
	}
}

/* ---- the dialer's callbacks ---- */

static void cb_bridge(void *arg, void *call_host, void *agent_host)
{
	struct sim *s = arg;
	uint32_t ci = (uint32_t)(uintptr_t)call_host;
	uint32_t ai = (uint32_t)(uintptr_t)agent_host;
	struct scall *c = &s->calls[ci];
	struct sagent *a = &s->ag[ai];
	double talk;

	if (a->in_call || a->paused || a->off)
		s->r->double_offer++;
	if (s->now - c->t_answer > 2000)
		s->r->held_over_2s++;
	a->in_call = true;
	a->call = ci;
	if (c->out == OUT_LIVE)
		count_live(s, false);
	c->agent = ai;
	if (c->out == OUT_LIVE) {
		double mean = s->w->talk_mean_s;
		uint64_t dm = (s->now - s->day * DAY_MS - START_MS) / 60000;
		if (s->w->step_talk_min && dm >= s->w->step_talk_min)
			mean *= s->w->step_talk_factor;
		talk = lognormal(&s->rng, mean, s->w->talk_cv) * 1000;
	} else {
		talk = s->w->machine_s * 1000;
	}
	push(s, s->now + (uint64_t)talk + 1, EV_TALK_END, ai, 0);
}

static void cb_abandon(void *arg, void *call_host)
{
	struct sim *s = arg;
	struct scall *c = &s->calls[(uint32_t)(uintptr_t)call_host];

	if (s->now - c->t_answer > 2000)
		s->r->held_over_2s++;
	if (c->out == OUT_LIVE)
		count_live(s, true);
	c->done = true;
}

static void cb_wake(void *arg, uint64_t at_ms)
{
	struct sim *s = arg;

	s->wake_gen++;
	if (at_ms)
		push(s, at_ms, EV_WAKE, 0, s->wake_gen);
}

/* ---- records: the world's truth and the dialer's rules ---- */

static uint64_t rec_hash(const struct sim *s, uint64_t rec, uint64_t salt)
{
	uint64_t h = rec * 0x9e3779b97f4a7c15ULL ^ salt ^ s->seed << 8;
	return rnd64(&h);
}

static bool rec_dnc(const struct sim *s, uint64_t rec)
{
	return (double)(rec_hash(s, rec, 1) % 10000) <
		s->w->dnc_share * 10000;
}

static bool rec_closed(const struct sim *s, uint64_t rec)
{
	return (double)(rec_hash(s, rec, 2) % 10000) <
		s->w->closed_share * 10000;
}

struct rec_ctx {
	struct sim *s;
	uint64_t rec;
};

static bool op_dnc(void *arg, const struct dialer_record *r)
{
	struct rec_ctx *x = arg;
	(void)r;
	return rec_dnc(x->s, x->rec);
}

static bool op_window(void *arg, const struct dialer_record *r, uint64_t now)
{
	struct rec_ctx *x = arg;
	(void)r;
	(void)now;
	return !rec_closed(x->s, x->rec);
}

static void dial_one(struct sim *s, const struct dialer_rules *rules)
{
	static const struct dialer_record_ops rops = { op_dnc, op_window };
	struct dialer_record rec = { .number = "" };
	struct rec_ctx x = { s, 0 };
	struct scall *c;
	double u;
	uint32_t ci;

	/* the next record the rules allow (the list is endless) */
	do {
		x.rec = s->record++;
	} while (dialer_record_check(rules, &rec, &rops, &x, s->now)
		 != DIALER_OK);
	if (rec_dnc(s, x.rec))
		s->r->dial_dnc++;
	if (rec_closed(s, x.rec))
		s->r->dial_closed++;
	if (s->ncalls == s->ccap) {
		s->ccap = s->ccap ? s->ccap * 2 : 4096;
		s->calls = realloc(s->calls, s->ccap * sizeof(*s->calls));
		if (!s->calls)
			abort();
	}
	ci = (uint32_t)s->ncalls++;
	c = &s->calls[ci];
	memset(c, 0, sizeof(*c));
	c->t_dial = s->now;
	c->dc = dialer_dialled(s->d, (void *)(uintptr_t)ci, s->now);
	s->r->dials++;

	{
		double p_live = s->w->p_live;
		uint64_t dm = (s->now - s->day * DAY_MS - START_MS) / 60000;
		double ring = dialer_ring_ms(s->d), t;
		if (s->w->step_live_min && dm >= s->w->step_live_min)
			p_live = s->w->step_live;
		u = unif(&s->rng);
		if (u < s->w->p_fail) {
			c->out = OUT_FAIL;
			t = 1000 + 4000 * unif(&s->rng);
		} else if (u < s->w->p_fail + p_live + s->w->p_machine) {
			c->out = u < s->w->p_fail + p_live ? OUT_LIVE :
				OUT_MACHINE;
			t = lognormal(&s->rng, s->w->ring_mean_s,
				      s->w->ring_cv) * 1000;
			if (t >= ring) {
				c->out = OUT_NOANS;
				t = ring;
			}
		} else {
			c->out = OUT_NOANS;
			t = ring;
		}
		push(s, s->now + (uint64_t)t, EV_CALL, ci, 0);
	}
}

static void on_call(struct sim *s, uint32_t ci)
{
	struct scall *c = &s->calls[ci];

	switch (c->out) {
	case OUT_FAIL:
		dialer_call_failed(s->d, c->dc, s->now);
		c->done = true;
		break;
	case OUT_NOANS:
		if (s->now - c->t_dial < 15000)
			s->r->released_early++;
		dialer_call_no_answer(s->d, c->dc, s->now);
		c->done = true;
		break;
	case OUT_LIVE:
	case OUT_MACHINE:
		c->t_answer = s->now;
		/* may call back bridge or (later) abandon */
		dialer_call_answered(s->d, c->dc, c->out == OUT_LIVE, s->now);
		break;
	}
}

static void agent_free(struct sim *s, uint32_t ai)
{
	struct sagent *a = &s->ag[ai];

	if (a->pause_due || (!s->working && !s->w->stay_after_end)) {
		a->pause_due = false;
		a->paused = true;
		a->pause_from = s->now;
		dialer_agent_pause(s->d, a->da, s->now);
		if (s->working)
			push(s, s->now + PAUSE_MS, EV_PAUSE_END, ai, 0);
		else
			a->off = true;
		return;
	}
	dialer_agent_idle(s->d, a->da, s->now);
}

static void on_talk_end(struct sim *s, uint32_t ai)
{
	struct sagent *a = &s->ag[ai];
	struct scall *c = &s->calls[a->call];

	a->in_call = false;
	c->done = true;
	if (c->out == OUT_LIVE) {
		uint64_t until = s->now + (uint64_t)(s->w->wrap_s * 1000);
		add_talk(s, c->t_answer, s->now);
		if (s->w->wrap_as_pause) {
			dialer_agent_wrapup(s->d, a->da, s->now, s->now);
			dialer_agent_pause(s->d, a->da, s->now);
		} else {
			dialer_agent_wrapup(s->d, a->da, until, s->now);
		}
		a->wrapping = true;
		push(s, until, EV_WRAP_END, ai, 0);
	} else {
		dialer_agent_wrapup(s->d, a->da, s->now, s->now);
		agent_free(s, ai);
	}
}

static void on_hour(struct sim *s)
{
	for (uint32_t i = 0; i < s->w->agents; i++)
		if (unif(&s->rng) < s->w->pause_share)
			push(s, s->now + (uint64_t)(unif(&s->rng) * 55 * 60000),
			     EV_PAUSE_DUE, i, 0);
	if (s->now + 3600000 < s->day * DAY_MS + START_MS + s->work_ms)
		push(s, s->now + 3600000, EV_HOUR, 0, 0);
}

/* an idle agent pauses at once, a busy one when its wrap-up ends */
static void on_pause_due(struct sim *s, uint32_t ai)
{
	struct sagent *a = &s->ag[ai];

	if (a->paused || !s->working)
		return;
	a->pause_due = true;
	if (!a->in_call && !a->wrapping)
		agent_free(s, ai);
}

static void day_start(struct sim *s)
{
	s->working = true;
	s->avail_ms += (double)s->w->agents * (double)s->work_ms;
	if (s->day == 0)
		for (int i = 0; i < DSIM_DAY_MIN; i++)
			s->r->m_avail_ms[i] = (double)s->w->agents * 60000;
	for (uint32_t i = 0; i < s->w->agents; i++) {
		s->ag[i].off = false;
		s->ag[i].paused = false;
		s->ag[i].pause_due = false;
		dialer_agent_idle(s->d, s->ag[i].da, s->now);
	}
	on_hour(s);
	push(s, s->now + s->work_ms, EV_DAY_END, 0, 0);
}

static unsigned timed_decide(struct sim *s)
{
	struct timespec a, b;
	unsigned n;

	if (!s->w->time_decisions)
		return dialer_decide(s->d, s->now);
	clock_gettime(CLOCK_MONOTONIC, &a);
	n = dialer_decide(s->d, s->now);
	clock_gettime(CLOCK_MONOTONIC, &b);
	if (s->ndec == s->dcap) {
		s->dcap = s->dcap ? s->dcap * 2 : 65536;
		s->dec_ns = realloc(s->dec_ns, s->dcap * sizeof(*s->dec_ns));
		if (!s->dec_ns)
			abort();
	}
	s->dec_ns[s->ndec++] = (uint32_t)((b.tv_sec - a.tv_sec) * 1000000000LL
					  + (b.tv_nsec - a.tv_nsec));
	return n;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

static void decide_stats(struct sim *s)
{
	struct dsim_result *r = s->r;
	double tot = 0;

	if (!s->ndec)
		return;
	qsort(s->dec_ns, s->ndec, sizeof(*s->dec_ns), cmp_u32);
	for (size_t i = 0; i < s->ndec; i++)
		tot += s->dec_ns[i];
	r->decisions = s->ndec;
	r->decide_p50_us = s->dec_ns[s->ndec / 2] / 1e3;
	r->decide_p99_us = s->dec_ns[s->ndec * 99 / 100] / 1e3;
	r->decide_max_us = s->dec_ns[s->ndec - 1] / 1e3;
	r->decide_total_s = tot / 1e9;
}

void dsim_run(const struct dsim_world *w, const struct dialer_cfg *cfg,
	      uint64_t seed, unsigned days, struct dsim_result *r)
{
	static const struct dialer_ops ops = { cb_bridge, cb_abandon, cb_wake };
	struct dialer_rules rules;
	struct sim s = { .w = w, .r = r, .rng = seed * 7919 + 17,
			.seed = seed };

	s.work_ms = (w->work_min ? w->work_min : DSIM_DAY_MIN) * 60000ULL;

	memset(r, 0, sizeof(*r));
	if (days > DSIM_MAX_DAYS)
		days = DSIM_MAX_DAYS;
	dialer_rules_default(&rules, false);
	s.d = dialer_new(cfg, &ops, &s);
	s.ag = calloc(w->agents, sizeof(*s.ag));
	if (!s.d || !s.ag)
		abort();
	for (uint32_t i = 0; i < w->agents; i++) {
		s.ag[i].da = dialer_agent_add(s.d, (void *)(uintptr_t)i, 0);
		s.ag[i].paused = s.ag[i].off = true;
	}
	push(&s, START_MS, EV_DAY_START, 0, 0);
	/* bounded: a dialer that keeps asking for wake-ups without progress
	 * (or any loop) ends the run, counted as stuck */
	for (uint64_t events = 0; s.hn; events++) {
		struct ev e;
		if (events > MAX_EVENTS_PER_DAY * days) {
			r->stuck++;
			break;
		}
		e = pop(&s);
		s.now = e.t;
		switch (e.type) {
		case EV_CALL:
			on_call(&s, e.id);
			break;
		case EV_TALK_END:
			on_talk_end(&s, e.id);
			break;
		case EV_WRAP_END:
			s.ag[e.id].wrapping = false;
			agent_free(&s, e.id);
			break;
		case EV_PAUSE_DUE:
			on_pause_due(&s, e.id);
			break;
		case EV_PAUSE_END:
			add_pause(&s, s.ag[e.id].pause_from, s.now);
			s.ag[e.id].paused = false;
			if (s.working)
				dialer_agent_idle(s.d, s.ag[e.id].da, s.now);
			else
				s.ag[e.id].off = true;
			break;
		case EV_WAKE:
			if (e.gen != s.wake_gen)
				continue;
			dialer_tick(s.d, s.now);
			break;
		case EV_HOUR:
			on_hour(&s);
			break;
		case EV_DAY_START:
			day_start(&s);
			break;
		case EV_DAY_END:
			s.working = false;
			for (uint32_t i = 0; i < w->agents && !w->stay_after_end;
			     i++) {
				struct sagent *a = &s.ag[i];
				if (!a->in_call && !a->paused && !a->wrapping)
					agent_free(&s, i);
			}
			if (s.day + 1 < days) {
				s.day++;
				push(&s, s.day * DAY_MS + START_MS,
				     EV_DAY_START, 0, 0);
			}
			break;
		}
		if (s.working) {
			unsigned n = timed_decide(&s);
			for (unsigned i = 0; i < n; i++)
				dial_one(&s, &rules);
		} else if (e.type == EV_WAKE && s.day + 1 >= days) {
			/* the last day is over and every call ended */
			bool busy = false;
			for (size_t h = 0; h < s.hn && !busy; h++)
				busy = s.heap[h].type != EV_WAKE &&
					s.heap[h].type != EV_PAUSE_DUE &&
					s.heap[h].type != EV_PAUSE_END;
			if (!busy)
				break;
		}
	}
	dialer_stats(s.d, &r->ctl);
	decide_stats(&s);
	for (unsigned dd = 0; dd < days; dd++) {
		uint64_t l = s.day_live[dd] + s.day_ab[dd];
		double rate = l ? (double)s.day_ab[dd] / (double)l : 0;
		if (rate > r->day_rate_max)
			r->day_rate_max = rate;
	}
	/* live answers: bridged and abandoned together */
	r->live += r->abandons;
	r->total_rate = r->live ? (double)r->abandons / (double)r->live : 0;
	r->talk_min_per_agent_hour = s.avail_ms > 0 ?
		s.talk_ms / s.avail_ms * 60 : 0;
	dialer_free(s.d);
	free(s.ag);
	free(s.calls);
	free(s.heap);
	free(s.dec_ns);
}

static double sum_d(const double *a, unsigned from, unsigned to)
{
	double t = 0;

	for (unsigned i = from; i < to && i < DSIM_DAY_MIN; i++)
		t += a[i];
	return t;
}

double dsim_talk_rate(const struct dsim_result *r, unsigned from, unsigned to)
{
	double av = sum_d(r->m_avail_ms, from, to);

	return av > 0 ? sum_d(r->m_talk_ms, from, to) / av * 60 : 0;
}

double dsim_abandon_rate(const struct dsim_result *r, unsigned from,
			 unsigned to)
{
	uint64_t l = 0, a = 0;

	for (unsigned i = from; i < to && i < DSIM_DAY_MIN; i++) {
		l += r->m_live[i] + r->m_ab[i];
		a += r->m_ab[i];
	}
	return l ? (double)a / (double)l : 0;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double dsim_median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

uint64_t dsim_violations(const struct dsim_result *r)
{
	return r->held_over_2s + r->released_early + r->dial_dnc +
		r->dial_closed + r->double_offer + r->stuck;
}

int dsim_step_change(unsigned agents, const struct dialer_cfg *cfg,
		     int seeds, struct dsim_step *out)
{
	struct dsim_result *r = malloc(sizeof(*r));
	double a1[DSIM_STEP_SEEDS_MAX], a2[DSIM_STEP_SEEDS_MAX];
	double r1[DSIM_STEP_SEEDS_MAX], r2[DSIM_STEP_SEEDS_MAX];
	struct dsim_world w, ref;

	if (!r)
		return ENOMEM;
	if (seeds < 1 || seeds > DSIM_STEP_SEEDS_MAX) {
		free(r);
		return EINVAL;
	}
	memset(out, 0, sizeof(*out));
	dsim_world_s1(&w, agents);
	w.step_live_min = 120;
	w.step_live = 0.12;
	w.step_talk_min = 240;
	w.step_talk_factor = 2;
	w.work_min = 300;   /* the measures end at minute 300 */
	for (int s = 0; s < seeds; s++) {
		dsim_run(&w, cfg, (uint64_t)s + 100, 1, r);
		out->violations += dsim_violations(r);
		double x1 = dsim_abandon_rate(r, 120, 150);
		double x2 = dsim_abandon_rate(r, 240, 270);
		out->worst_live = x1 > out->worst_live ? x1 : out->worst_live;
		out->worst_talk = x2 > out->worst_talk ? x2 : out->worst_talk;
		a1[s] = dsim_talk_rate(r, 130, 180);
		a2[s] = dsim_talk_rate(r, 250, 300);
		/* the reference worlds: the new parameters from the start */
		ref = w;
		ref.p_live = 0.12;
		ref.step_live_min = 0;
		ref.step_talk_min = 0;
		dsim_run(&ref, cfg, (uint64_t)s + 200, 1, r);
		r1[s] = dsim_talk_rate(r, 130, 180);
		ref.step_talk_min = 1;
		dsim_run(&ref, cfg, (uint64_t)s + 300, 1, r);
		r2[s] = dsim_talk_rate(r, 250, 300);
	}
	free(r);
	out->after_live = dsim_median(a1, seeds);
	out->after_talk = dsim_median(a2, seeds);
	out->steady_live = dsim_median(r1, seeds);
	out->steady_talk = dsim_median(r2, seeds);
	return 0;
}
