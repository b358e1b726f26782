/*
 * acd_sim.c — see acd_sim.h. A discrete-event loop: one time-ordered heap
 * of the world's events (arrivals, answers, busy replies, hang-ups,
 * abandons) and the ACD's own wake-up time. The ACD's callbacks never
 * call back into it (acd.h): they schedule events, at the same time when
 * there is no delay.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "acd_sim.h"

const uint64_t acd_sim_sl_ms[4] = { 2000, 10000, 20000, 30000 };

enum ev_type { EV_ARRIVAL, EV_ANSWER, EV_BUSY, EV_END, EV_ABANDON };

struct ev {
	uint64_t t, seq;
	enum ev_type type;
	unsigned caller, agent, gen;
};

struct block_rec {
	unsigned agent;
	uint64_t until;
};

struct scaller {
	struct acd_caller *h;
	unsigned queue;
	int prio;
	uint64_t join;
	unsigned noffers;
	unsigned ring_level;          /* ringall: the lowest level rung */
	bool bridged, gone, counted;
	struct block_rec *blocks;
	unsigned nblocks;
};

struct sagent {
	struct acd_agent *h;
	uint32_t queues;              /* bit per queue */
	unsigned level[8];            /* per queue */
	bool offered;
	unsigned offer_caller, offer_gen;
	bool talking;
	unsigned talk_caller;
};

struct sim {
	const struct acd_sim_cfg *cfg;
	struct acd_sim_result *res;
	struct acd *acd;
	struct acd_queue *q[8];
	uint64_t now, wake, rng, seq;
	struct ev *heap;
	unsigned nheap, capheap;
	struct scaller *c;
	unsigned nc, capc;
	struct sagent a[256];
	unsigned *live;               /* callers not gone, for fairness */
	unsigned nlive, caplive;
	bool answering;
	unsigned answering_caller;
};

static double urand(struct sim *s)
{
	uint64_t x = s->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	s->rng = x;
	return (double)((x * 0x2545F4914F6CDD1DULL) >> 11) / 9007199254740992.0;
}

static uint64_t expo_ms(struct sim *s, double mean_s)
{
	return (uint64_t)llround(-log(1.0 - urand(s)) * mean_s * 1000.0);
}

static void violation(struct sim *s, const char *what)
{
	if (!s->res->first_violation[0])
		snprintf(s->res->first_violation,
			 sizeof(s->res->first_violation), "t=%llu ms: %s",
			 (unsigned long long)s->now, what);
}

static void push(struct sim *s, uint64_t t, enum ev_type type,
		 unsigned caller, unsigned agent, unsigned gen)
{
	unsigned i;

	if (s->nheap == s->capheap) {
		s->capheap = s->capheap ? 2 * s->capheap : 1024;
		s->heap = realloc(s->heap, s->capheap * sizeof(*s->heap));
		if (!s->heap)
			abort();
	}
	i = s->nheap++;
	struct ev e = { t, ++s->seq, type, caller, agent, gen };
	while (i > 0) {
		unsigned p = (i - 1) / 2;
		if (s->heap[p].t < e.t || (s->heap[p].t == e.t &&
					   s->heap[p].seq < e.seq))
			break;
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = e;
}

static struct ev pop(struct sim *s)
{
	struct ev top = s->heap[0], e = s->heap[--s->nheap];
	unsigned i = 0;

	for (;;) {
		unsigned l = 2 * i + 1, b = l;
		if (l >= s->nheap)
			break;
		if (l + 1 < s->nheap &&
		    (s->heap[l + 1].t < s->heap[l].t ||
		     (s->heap[l + 1].t == s->heap[l].t &&
		      s->heap[l + 1].seq < s->heap[l].seq)))
			b = l + 1;
		if (e.t < s->heap[b].t || (e.t == s->heap[b].t &&
					   e.seq < s->heap[b].seq))
			break;
		s->heap[i] = s->heap[b];
		i = b;
	}
	if (s->nheap)
		s->heap[i] = e;
	return top;
}

static bool blocked(const struct sim *s, const struct scaller *c,
		    unsigned agent)
{
	for (unsigned i = 0; i < c->nblocks; i++)
		if (c->blocks[i].agent == agent && c->blocks[i].until > s->now)
			return true;
	return false;
}

static void add_block(struct sim *s, struct scaller *c, unsigned agent)
{
	c->blocks = realloc(c->blocks, (c->nblocks + 1) * sizeof(*c->blocks));
	if (!c->blocks)
		abort();
	c->blocks[c->nblocks].agent = agent;
	/* the ACD's: retry 0 blocks for a second */
	c->blocks[c->nblocks].until = s->now +
		(s->cfg->retry_s ? s->cfg->retry_s * 1000ULL : 1000ULL);
	c->nblocks++;
}

static void unlive(struct sim *s, unsigned ci)
{
	for (unsigned i = 0; i < s->nlive; i++) {
		if (s->live[i] == ci) {
			s->live[i] = s->live[--s->nlive];
			return;
		}
	}
}

static bool better(const struct sim *s, unsigned x, unsigned y)
{
	const struct scaller *a = &s->c[x], *b = &s->c[y];
	if (a->prio != b->prio)
		return a->prio > b->prio;
	if (a->join != b->join)
		return a->join < b->join;
	return x < y;
}

/* the relaxation steps of cfg->levels */
static const struct { unsigned after_s, max_level; } steps[2] = {
	{ 2, 1 }, { 5, 2 } };

static uint64_t level_after_ms(unsigned level)
{
	return level == 0 ? 0 : steps[level - 1].after_s * 1000ULL;
}

/* no caller the agent could take is better than the one offered */
static void check_fair(struct sim *s, unsigned ci, unsigned ai)
{
	for (unsigned i = 0; i < s->nlive; i++) {
		unsigned x = s->live[i];
		const struct scaller *c = &s->c[x];
		if (x == ci || c->bridged || c->gone ||
		    (s->answering && x == s->answering_caller))
			continue;
		if (!(s->a[ai].queues & (1u << c->queue)))
			continue;
		if (c->noffers &&
		    s->cfg->strategy[c->queue] != QS_RINGALL)
			continue;
		/* levels: reached by waiting; a ringall caller rings one
		 * level at a time */
		if (s->cfg->levels &&
		    (s->now - c->join < level_after_ms(s->a[ai].level[c->queue]) ||
		     (c->noffers && c->ring_level < s->a[ai].level[c->queue])))
			continue;
		if (blocked(s, c, ai) || !better(s, x, ci))
			continue;
		s->res->fairness_inversions++;
		violation(s, "fairness inversion");
		return;
	}
}

static void on_offer(void *arg, const struct acd_leg *l)
{
	struct sim *s = arg;
	unsigned ci = (unsigned)(uintptr_t)l->caller_host;
	unsigned ai = (unsigned)(uintptr_t)l->agent_host;
	struct sagent *a = &s->a[ai];
	double r = urand(s);
	uint64_t delay;

	s->res->offers++;
	if (a->offered || a->talking) {
		s->res->double_offers++;
		violation(s, "an agent offered twice");
	}
	check_fair(s, ci, ai);
	a->offered = true;
	a->offer_caller = ci;
	a->offer_gen++;
	{
		struct scaller *c = &s->c[ci];
		unsigned lv = a->level[c->queue];
		if (!c->noffers || lv < c->ring_level)
			c->ring_level = lv;
		if (s->cfg->levels && s->now - c->join < level_after_ms(lv)) {
			s->res->fairness_inversions++;
			violation(s, "offered a level not reached yet");
		}
	}
	s->c[ci].noffers++;
	delay = s->cfg->answer_min_ms + (uint64_t)(urand(s) *
		(s->cfg->answer_max_ms - s->cfg->answer_min_ms + 1));
	if (r < s->cfg->p_no_answer)
		return;               /* rings until the ACD's timeout */
	push(s, s->now + delay, r < s->cfg->p_no_answer + s->cfg->p_busy ?
	     EV_BUSY : EV_ANSWER, ci, ai, a->offer_gen);
}

static void on_cancel(void *arg, const struct acd_leg *l, enum acd_cancel why)
{
	struct sim *s = arg;
	unsigned ci = (unsigned)(uintptr_t)l->caller_host;
	unsigned ai = (unsigned)(uintptr_t)l->agent_host;

	s->res->cancels++;
	if (!s->a[ai].offered || s->a[ai].offer_caller != ci) {
		violation(s, "cancel of an offer that is not live");
		s->res->double_offers++;
	}
	s->a[ai].offered = false;
	s->c[ci].noffers--;
	if (why == ACD_CANCEL_TIMEOUT)
		add_block(s, &s->c[ci], ai);
}

static void on_failed(void *arg, struct acd_caller *c, void *ch,
		      enum acd_fail why)
{
	struct sim *s = arg;
	s->res->lost_callers++;
	violation(s, "a caller failed");
}

static void on_wake(void *arg, uint64_t at)
{
	((struct sim *)arg)->wake = at;
}

static const struct acd_ops sim_ops = {
	.offer = on_offer, .cancel_offer = on_cancel,
	.caller_failed = on_failed, .wake = on_wake,
};

static void arrival(struct sim *s)
{
	const struct acd_sim_cfg *cfg = s->cfg;
	struct scaller *c;
	unsigned ci;

	if (s->nc == s->capc) {
		s->capc = s->capc ? 2 * s->capc : 1024;
		s->c = realloc(s->c, s->capc * sizeof(*s->c));
		if (!s->c)
			abort();
	}
	if (s->nlive == s->caplive) {
		s->caplive = s->caplive ? 2 * s->caplive : 256;
		s->live = realloc(s->live, s->caplive * sizeof(*s->live));
		if (!s->live)
			abort();
	}
	ci = s->nc++;
	c = &s->c[ci];
	memset(c, 0, sizeof(*c));
	c->queue = cfg->nqueues > 1 ? (unsigned)(urand(s) * cfg->nqueues) : 0;
	c->prio = cfg->nprio > 1 ? (int)(urand(s) * cfg->nprio) : 0;
	c->join = s->now;
	s->live[s->nlive++] = ci;
	s->res->calls++;
	if (cfg->patience_mean_s > 0)
		push(s, s->now + expo_ms(s, cfg->patience_mean_s),
		     EV_ABANDON, ci, 0, 0);
	if (acd_caller_join(s->acd, s->q[c->queue], c->prio, "", s->now,
			    (void *)(uintptr_t)ci, s->now, &c->h) != ACD_OK) {
		s->res->lost_callers++;
		violation(s, "join refused");
		c->gone = true;
		unlive(s, ci);
	}
}

static void answer(struct sim *s, const struct ev *e)
{
	struct scaller *c = &s->c[e->caller];
	struct sagent *a = &s->a[e->agent];
	bool live = a->offered && a->offer_caller == e->caller &&
		    a->offer_gen == e->gen;
	bool won;

	/* a stale answer of this caller and agent after a newer offer of
	 * the same pair is a different dialog: not delivered */
	if (!live && a->offered && a->offer_caller == e->caller)
		return;
	if (c->gone && !c->h)
		return;
	s->answering = true;
	s->answering_caller = e->caller;
	won = acd_offer_answered(s->acd, c->h, a->h, s->now);
	s->answering = false;
	if (!won) {
		s->res->refused_answers++;
		if (live && !c->bridged) {
			violation(s, "a live offer's answer refused");
			s->res->double_bridges++;
		}
		return;
	}
	if (!live || c->bridged) {
		s->res->double_bridges++;
		violation(s, "a caller bridged twice");
	}
	c->bridged = true;
	c->noffers--;
	a->offered = false;
	a->talking = true;
	a->talk_caller = e->caller;
	s->res->answered++;
	s->res->sum_wait_ms += s->now - c->join;
	if (s->now > c->join)
		s->res->waited++;
	for (int i = 0; i < 4; i++)
		if (s->now - c->join <= acd_sim_sl_ms[i])
			s->res->within_ms[i]++;
	push(s, s->now + expo_ms(s, s->cfg->talk_mean_s), EV_END, e->caller,
	     e->agent, 0);
}

static void handle(struct sim *s, const struct ev *e)
{
	struct scaller *c = &s->c[e->caller];
	struct sagent *a = &s->a[e->agent];

	switch (e->type) {
	case EV_ARRIVAL:
		arrival(s);
		if ((!s->cfg->calls || s->res->calls < s->cfg->calls) &&
		    (!s->cfg->offers || s->res->offers < s->cfg->offers))
			push(s, s->now + expo_ms(s, 1.0 / s->cfg->arrivals_per_s),
			     EV_ARRIVAL, 0, 0, 0);
		break;
	case EV_ANSWER:
		answer(s, e);
		break;
	case EV_BUSY:
		if (!a->offered || a->offer_caller != e->caller ||
		    a->offer_gen != e->gen)
			break;        /* cancelled meanwhile */
		a->offered = false;
		c->noffers--;
		add_block(s, c, e->agent);
		acd_offer_failed(s->acd, c->h, a->h, ACD_BUSY, s->now);
		break;
	case EV_END:
		a->talking = false;
		c->gone = true;
		unlive(s, e->caller);
		acd_call_ended(s->acd, a->h, false, s->now);
		acd_caller_leave(s->acd, c->h, s->now);
		c->h = NULL;
		break;
	case EV_ABANDON:
		if (c->bridged || c->gone)
			break;
		c->gone = true;
		unlive(s, e->caller);
		s->res->abandoned++;
		acd_caller_leave(s->acd, c->h, s->now);
		c->h = NULL;
		break;
	}
}

int acd_sim_run(const struct acd_sim_cfg *cfg, struct acd_sim_result *res)
{
	static const struct acd_agent_state ready = { .registered = true };
	struct sim s;
	char num[16], err[200];
	unsigned events = 0;

	memset(&s, 0, sizeof(s));
	memset(res, 0, sizeof(*res));
	s.cfg = cfg;
	s.res = res;
	s.rng = cfg->seed ? cfg->seed : 1;
	s.acd = acd_new(&sim_ops, &s, cfg->seed + 1);
	if (!s.acd || cfg->nqueues > 8 || cfg->nagents > 256)
		return -1;
	for (unsigned i = 0; i < cfg->nqueues; i++) {
		struct queue_cfg qc;
		__typeof__(*qc.members) members[256];
		memset(&qc, 0, sizeof(qc));
		if (cfg->levels) {
			for (unsigned k = 0; k < cfg->nagents; k++) {
				snprintf(members[k].agent,
					 sizeof(members[k].agent), "%u",
					 8001 + k);
				members[k].level = (k + i) % 3;
				members[k].weight = 1;
				s.a[k].level[i] = (k + i) % 3;
			}
			qc.members = members;
			qc.nmembers = cfg->nagents;
			qc.nlevels = 2;
			for (unsigned k = 0; k < 2; k++) {
				qc.levels[k].after_s = steps[k].after_s;
				qc.levels[k].max_level = steps[k].max_level;
			}
		}
		snprintf(qc.queue, sizeof(qc.queue), "%u", 6001 + i);
		qc.strategy = cfg->strategy[i];
		qc.ring_timeout_s = cfg->ring_timeout_s;
		qc.retry_s = cfg->retry_s;
		qc.join_empty = true;
		s.q[i] = acd_queue_add(s.acd, "sim", &qc, NULL);
	}
	for (unsigned i = 0; i < cfg->nagents; i++) {
		snprintf(num, sizeof(num), "%u", 8001 + i);
		s.a[i].h = acd_agent_add(s.acd, "sim", num,
					 (void *)(uintptr_t)i);
		for (unsigned j = 0; j < cfg->nqueues; j++) {
			if (cfg->member_p < 1 && j != i % cfg->nqueues &&
			    urand(&s) >= cfg->member_p)
				continue;
			s.a[i].queues |= 1u << j;
			acd_member_add(s.acd, s.q[j], s.a[i].h, 0);
			acd_member_set(s.acd, s.q[j], s.a[i].h, true, true, 0);
		}
		acd_agent_set(s.acd, s.a[i].h, &ready, 0);
	}
	push(&s, 0, EV_ARRIVAL, 0, 0, 0);
	while (s.nheap || s.wake) {
		if (s.wake && (!s.nheap || s.wake <= s.heap[0].t)) {
			s.now = s.wake;
			acd_tick(s.acd, s.now);
		}
		else {
			struct ev e = pop(&s);
			s.now = e.t;
			handle(&s, &e);
		}
		if (cfg->check_every && ++events % cfg->check_every == 0 &&
		    acd_check_invariants(s.acd, s.now, err, sizeof(err))) {
			res->invariant_violations++;
			violation(&s, err);
		}
	}
	if (acd_check_invariants(s.acd, s.now, err, sizeof(err))) {
		res->invariant_violations++;
		violation(&s, err);
	}
	res->sim_ms = s.now;
	for (unsigned i = 0; i < s.nc; i++)
		free(s.c[i].blocks);
	acd_free(s.acd);
	free(s.heap);
	free(s.c);
	free(s.live);
	return 0;
}
