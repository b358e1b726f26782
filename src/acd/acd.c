/*
 * acd.c — the dispatcher (see acd.h). Data structures in acd_int.h; the
 * choice among a queue's free members in strategy.c.
 *
 * Per queue: the waiting callers in priority buckets, each in order of
 * join time, and the free members in tiers by level. Per agent: its
 * memberships (agent -> queues), so a change of one agent touches only
 * its queues. The state is kept stable after every input: no free agent
 * is left with a caller it may serve.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "acd/acd_int.h"

#define NEVER UINT64_MAX

void make_key(char *out, size_t sz, const char *team, const char *num)
{
	snprintf(out, sz, "%s\x1f%s", team, num);
}

/* ---- deadlines: one min-heap, one wake-up asked of the host ---- */

static void heap_place(struct acd *acd, unsigned i, struct tm *t)
{
	acd->heap[i] = t;
	t->idx = i + 1;
}

static void heap_up(struct acd *acd, unsigned i)
{
	struct tm *t = acd->heap[i];
	while (i > 0) {
		unsigned p = (i - 1) / 2;
		if (acd->heap[p]->at <= t->at)
			break;
		heap_place(acd, i, acd->heap[p]);
		i = p;
	}
	heap_place(acd, i, t);
}

static void heap_down(struct acd *acd, unsigned i)
{
	struct tm *t = acd->heap[i];
	for (;;) {
		unsigned l = 2 * i + 1, b = l;
		if (l >= acd->nheap)
			break;
		if (l + 1 < acd->nheap && acd->heap[l + 1]->at < acd->heap[l]->at)
			b = l + 1;
		if (acd->heap[b]->at >= t->at)
			break;
		heap_place(acd, i, acd->heap[b]);
		i = b;
	}
	heap_place(acd, i, t);
}

static void tm_stop(struct acd *acd, struct tm *t)
{
	unsigned i;

	if (!t->idx)
		return;
	i = t->idx - 1;
	t->idx = 0;
	if (--acd->nheap == i)
		return;
	heap_place(acd, i, acd->heap[acd->nheap]);
	heap_down(acd, i);
	heap_up(acd, acd->heap[i]->idx - 1);
}

static int tm_start(struct acd *acd, struct tm *t, uint64_t at)
{
	tm_stop(acd, t);
	if (acd->nheap == acd->capheap) {
		unsigned cap = acd->capheap ? 2 * acd->capheap : 64;
		struct tm **h = realloc(acd->heap, cap * sizeof(*h));
		if (!h)
			return -1;
		acd->heap = h;
		acd->capheap = cap;
	}
	t->at = at;
	heap_place(acd, acd->nheap++, t);
	heap_up(acd, acd->nheap - 1);
	return 0;
}

/* ---- small helpers ---- */

bool ringall(const struct acd_queue *q)
{
	return q->cfg.strategy == QS_RINGALL;
}

bool agent_available(const struct acd_agent *a)
{
	return a->st.registered && !a->st.busy && !a->st.paused &&
	       !a->st.dnd && !a->st.acw && !a->offer && !a->bridge;
}

bool member_ready(const struct member *m)
{
	return agent_available(m->a) && m->checked_in && m->dialin;
}

/* will take calls of the queue sooner or later (join/leave empty) */
static bool member_staffed(const struct member *m)
{
	const struct acd_agent_state *st = &m->a->st;
	return st->registered && !st->paused && !st->dnd && m->checked_in &&
	       m->dialin;
}

/* c goes before o: priority, then join time, then arrival */
static bool caller_before(const struct acd_caller *c,
			  const struct acd_caller *o)
{
	if (c->prio != o->prio)
		return c->prio > o->prio;
	if (c->join_ms != o->join_ms)
		return c->join_ms < o->join_ms;
	return c->seq < o->seq;
}

/* Relaxation: a caller who waited w ms may be offered members up to
 * level max_level of the steps with after_s <= w; before the first step,
 * level 0 only. Without steps, every level (lowest first). */
static unsigned allowed_level(const struct acd_queue *q, uint64_t waited_ms)
{
	unsigned lv = 0;

	if (!q->cfg.nlevels)
		return UINT32_MAX;
	for (unsigned i = 0; i < q->cfg.nlevels; i++) {
		if ((uint64_t)q->cfg.levels[i].after_s * 1000 <= waited_ms &&
		    q->cfg.levels[i].max_level > lv)
			lv = q->cfg.levels[i].max_level;
	}
	return lv;
}

/* the wait after which a caller may be offered a member of level lv */
static uint64_t level_after_ms(const struct acd_queue *q, unsigned lv)
{
	uint64_t best = NEVER;

	if (!q->cfg.nlevels || lv == 0)
		return 0;
	for (unsigned i = 0; i < q->cfg.nlevels; i++) {
		uint64_t at = (uint64_t)q->cfg.levels[i].after_s * 1000;
		if (q->cfg.levels[i].max_level >= lv && at < best)
			best = at;
	}
	return best;
}

static uint64_t waited(const struct acd *acd, const struct acd_caller *c)
{
	return acd->now > c->join_ms ? acd->now - c->join_ms : 0;
}

struct bucket *bucket_of(const struct acd_queue *q, int prio)
{
	for (unsigned i = 0; i < q->nb; i++)
		if (q->b[i]->prio == prio)
			return q->b[i];
	return NULL;
}

static struct bucket *bucket_get(struct acd_queue *q, int prio)
{
	struct bucket *b = bucket_of(q, prio), **v;
	unsigned i;

	if (b)
		return b;
	b = calloc(1, sizeof(*b));
	v = realloc(q->b, (q->nb + 1) * sizeof(*v));
	if (!b || !v) {
		free(b);
		if (v)
			q->b = v;
		return NULL;
	}
	q->b = v;
	b->prio = prio;
	dl_init(&b->callers);
	for (i = q->nb; i > 0 && q->b[i - 1]->prio < prio; i--)
		q->b[i] = q->b[i - 1];
	q->b[i] = b;
	q->nb++;
	return b;
}

static void set_state(struct acd_caller *c, enum cstate st)
{
	struct bucket *b = bucket_of(c->q, c->prio);

	if (c->st == st)
		return;
	if (c->st != CS_DONE)
		b->n[c->st]--;
	if (st != CS_DONE)
		b->n[st]++;
	if ((c->st == CS_WAITING || c->st == CS_RINGING) &&
	    !(st == CS_WAITING || st == CS_RINGING))
		c->q->nlive--;
	c->st = st;
}

/* into its bucket, in order of join time: from the tail for a new caller
 * (usually the youngest), from the head for one coming back from a failed
 * offer (usually among the oldest) */
static void list_caller(struct acd_caller *c, bool from_head)
{
	struct bucket *b = bucket_of(c->q, c->prio);
	struct dl *e;

	if (c->listed)
		return;
	if (from_head) {
		for (e = b->callers.next; e != &b->callers; e = e->next)
			if (caller_before(c, ACD_CONTAINER(e, struct acd_caller,
							   b_le)))
				break;
	}
	else {
		for (e = b->callers.prev; e != &b->callers; e = e->prev)
			if (!caller_before(c, ACD_CONTAINER(e, struct acd_caller,
							    b_le)))
				break;
		e = e->next;
	}
	dl_insert_before(e, &c->b_le);
	c->listed = true;
}

static void unlist_caller(struct acd_caller *c)
{
	if (!c->listed)
		return;
	dl_remove(&c->b_le);
	c->listed = false;
}

static struct member *member_of(const struct acd_agent *a,
				const struct acd_queue *q)
{
	for (const struct dl *e = a->members.next; e != &a->members;
	     e = e->next) {
		struct member *m = ACD_CONTAINER(e, struct member, a_le);
		if (m->q == q)
			return m;
	}
	return NULL;
}

static struct acd_leg leg_of(const struct offer *o)
{
	struct acd_leg l = {
		.caller = o->c, .caller_host = o->c->host,
		.agent = o->a, .agent_host = o->a->host,
		.queue = o->c->q, .queue_host = o->c->q->host,
		.ring_timeout_ms = o->c->q->cfg.ring_timeout_s * 1000,
	};
	return l;
}

/* ---- the free-member tiers ---- */

static struct tier *tier_get(struct acd_queue *q, unsigned level)
{
	struct tier *t, **v;
	unsigned i;

	for (i = 0; i < q->ntiers; i++)
		if (q->tiers[i]->level == level)
			return q->tiers[i];
	t = calloc(1, sizeof(*t));
	v = realloc(q->tiers, (q->ntiers + 1) * sizeof(*v));
	if (!t || !v) {
		free(t);
		if (v)
			q->tiers = v;
		return NULL;
	}
	q->tiers = v;
	t->level = level;
	for (i = q->ntiers; i > 0 && q->tiers[i - 1]->level > level; i--)
		q->tiers[i] = q->tiers[i - 1];
	q->tiers[i] = t;
	q->ntiers++;
	return t;
}

static void member_free_set(struct member *m, bool free_)
{
	if (free_ && !m->tier) {
		struct tier *t = tier_get(m->q, m->level);
		if (t)
			tier_insert(t, m, m->q->cfg.strategy);
	}
	else if (!free_ && m->tier) {
		tier_remove(m, m->q->cfg.strategy);
	}
}

/* ---- the decisions ---- */

static void fail_caller(struct acd *acd, struct acd_caller *c,
			enum acd_fail why);
static void dispatch_agent(struct acd *acd, struct acd_agent *a);

/* bring an agent's memberships up to date: free tiers, staffed counts
 * (leave_empty), then, with dispatch, its next caller */
static void agent_refresh(struct acd *acd, struct acd_agent *a, bool dispatch)
{
	struct dl *e, *next;

	for (e = a->members.next; e != &a->members; e = next) {
		struct member *m = ACD_CONTAINER(e, struct member, a_le);
		bool staffed = member_staffed(m);
		next = e->next;
		member_free_set(m, member_ready(m));
		if (staffed == m->staffed)
			continue;
		m->staffed = staffed;
		if (staffed) {
			m->q->nstaffed++;
			continue;
		}
		if (--m->q->nstaffed || !m->q->cfg.leave_empty)
			continue;
		/* the last one who could take them left: the callers go */
		for (unsigned i = 0; i < m->q->nb; i++) {
			struct bucket *b = m->q->b[i];
			while (!dl_empty(&b->callers))
				fail_caller(acd, ACD_CONTAINER(b->callers.next,
					struct acd_caller, b_le),
					ACD_FAIL_LEAVE_EMPTY);
		}
	}
	if (dispatch)
		dispatch_agent(acd, a);
}

/* The best caller of queue m->q that agent m->a may take now, or NULL:
 * the first of each priority bucket that has waited long enough for the
 * member's level and is not blocked for this agent. */
static struct acd_caller *best_in_queue(const struct acd *acd,
					const struct member *m)
{
	const struct acd_queue *q = m->q;
	const uint64_t after = level_after_ms(q, m->level);

	if (after == NEVER)
		return NULL;
	for (unsigned i = 0; i < q->nb; i++) {
		const struct dl *l = &q->b[i]->callers;
		for (const struct dl *e = l->next; e != l; e = e->next) {
			struct acd_caller *c = ACD_CONTAINER(e,
						struct acd_caller, b_le);
			if (c->join_ms + after > acd->now)
				break;   /* the rest joined later */
			if (caller_blocked(c, m->a))
				continue;
			/* a ringall caller rings one level at a time */
			if (c->noffers && c->ring_level < m->level)
				continue;
			return c;
		}
	}
	return NULL;
}

/* the best caller of all the queues the (free) agent serves */
struct acd_caller *best_caller(const struct acd *acd,
				      const struct acd_agent *a,
				      struct member **mp)
{
	struct acd_caller *best = NULL;

	for (const struct dl *e = a->members.next; e != &a->members;
	     e = e->next) {
		struct member *m = ACD_CONTAINER(e, struct member, a_le);
		struct acd_caller *c;
		if (!m->checked_in || !m->dialin)
			continue;
		c = best_in_queue(acd, m);
		if (c && (!best || caller_before(c, best))) {
			best = c;
			*mp = m;
		}
	}
	return best;
}

static void offer_timeout(struct acd *acd, struct offer *o);

static bool make_offer(struct acd *acd, struct acd_caller *c,
		       struct member *m)
{
	struct acd_agent *a = m->a;
	struct acd_queue *q = c->q;
	struct offer *o = calloc(1, sizeof(*o));

	if (!o)
		return false;   /* stays free and waiting; the next event
				 * tries again */
	o->c = c;
	o->a = a;
	o->m = m;
	o->tm.kind = TM_OFFER;
	dl_insert_before(&c->offers, &o->c_le);
	if (!c->noffers++)
		c->ring_level = m->level;
	else if (m->level < c->ring_level)
		c->ring_level = m->level;
	a->offer = o;
	agent_refresh(acd, a, false);
	if (!ringall(q))
		unlist_caller(c);
	set_state(c, CS_RINGING);
	q->rrpos = m->pos;
	if (q->cfg.ring_timeout_s)
		tm_start(acd, &o->tm, acd->now +
			 (uint64_t)q->cfg.ring_timeout_s * 1000);
	if (acd->ops.offer) {
		struct acd_leg l = leg_of(o);
		acd->ops.offer(acd->arg, &l);
	}
	return true;
}

/* a free agent takes the best caller it may serve */
static void dispatch_agent(struct acd *acd, struct acd_agent *a)
{
	struct member *m = NULL;
	struct acd_caller *c;

	if (!agent_available(a))
		return;
	c = best_caller(acd, a, &m);
	if (c)
		make_offer(acd, c, m);
}

/* the sticky agent of the caller, if free for its queue */
static struct member *sticky_member(struct acd *acd, struct acd_caller *c)
{
	char key[ST_NAME + ST_NUM];
	const struct sticky *s;
	struct acd_agent *a;
	struct member *m;

	if (!c->q->cfg.sticky_s || !c->number[0])
		return NULL;
	make_key(key, sizeof(key), c->q->team->name, c->number);
	s = map_get(&acd->sticky, key);
	if (!s || s->at + (uint64_t)c->q->cfg.sticky_s * 1000 < acd->now)
		return NULL;
	make_key(key, sizeof(key), c->q->team->name, s->agent);
	a = map_get(&acd->agents, key);
	if (!a || !(m = member_of(a, c->q)) || !m->tier ||
	    caller_blocked(c, a))
		return NULL;
	return m;
}

/* ringall: every free member of the lowest level that has one */
static void dispatch_ringall(struct acd *acd, struct acd_caller *c)
{
	struct acd_queue *q = c->q;
	const unsigned maxlv = allowed_level(q, waited(acd, c));
	struct tier *t = NULL;

	for (unsigned i = 0; i < q->ntiers && q->tiers[i]->level <= maxlv;
	     i++) {
		struct tier *ti = q->tiers[i];
		if (c->noffers && ti->level > c->ring_level)
			break;
		if (tier_pick(acd, ti, c, QS_LINEAR)) {
			t = ti;
			break;
		}
	}
	if (!t)
		return;
	acd->ntmp = 0;
	if (t->n > acd->captmp) {
		struct acd_agent **v = realloc(acd->tmp, t->n * sizeof(*v));
		if (!v)
			return;
		acd->tmp = v;
		acd->captmp = t->n;
	}
	for (unsigned i = 0; i < t->n; i++)
		if (!caller_blocked(c, t->v[i]->a))
			acd->tmp[acd->ntmp++] = t->v[i]->a;
	for (unsigned i = 0; i < acd->ntmp; i++) {
		struct member *m = NULL;
		struct acd_caller *b;
		if (!agent_available(acd->tmp[i]))
			continue;
		b = best_caller(acd, acd->tmp[i], &m);
		if (b)
			make_offer(acd, b, m);
	}
}

/* a caller who may be offered more agents (arrived, back from a failed
 * offer, a relaxation step, a retry over) gets the best free one; the
 * agent itself takes its best caller, which may be an older one */
static void dispatch_caller(struct acd *acd, struct acd_caller *c)
{
	if (!c->listed)
		return;
	if (ringall(c->q)) {
		dispatch_ringall(acd, c);
		return;
	}
	while (c->listed) {
		struct acd_queue *q = c->q;
		const unsigned maxlv = allowed_level(q, waited(acd, c));
		struct member *f = sticky_member(acd, c), *m = NULL;
		struct acd_caller *b;

		for (unsigned i = 0; !f && i < q->ntiers &&
		     q->tiers[i]->level <= maxlv; i++)
			f = tier_pick(acd, q->tiers[i], c, q->cfg.strategy);
		if (!f)
			return;
		b = best_caller(acd, f->a, &m);
		if (!(b ? make_offer(acd, b, m) :
		      make_offer(acd, c, f)))   /* sticky beyond its level */
			return;
	}
}

/* re-arm the caller's timer: maximum wait, next relaxation step */
static void caller_arm(struct acd *acd, struct acd_caller *c)
{
	const struct queue_cfg *cfg = &c->q->cfg;
	uint64_t at = NEVER, w = waited(acd, c);

	if (c->st != CS_WAITING && c->st != CS_RINGING) {
		tm_stop(acd, &c->tm);
		return;
	}
	if (cfg->max_wait_s)
		at = c->join_ms + (uint64_t)cfg->max_wait_s * 1000;
	for (unsigned i = 0; i < cfg->nlevels; i++) {
		uint64_t after = (uint64_t)cfg->levels[i].after_s * 1000;
		if (after > w && c->join_ms + after < at)
			at = c->join_ms + after;
	}
	if (at == NEVER)
		tm_stop(acd, &c->tm);
	else
		tm_start(acd, &c->tm, at < acd->now ? acd->now : at);
}

static void free_block(struct acd *acd, struct block *b)
{
	tm_stop(acd, &b->tm);
	dl_remove(&b->c_le);
	dl_remove(&b->a_le);
	free(b);
}

static void add_block(struct acd *acd, struct acd_caller *c,
		      struct acd_agent *a)
{
	/* retry 0 still blocks for a second: a phone that refuses at once
	 * (DND, 486) was offered the same caller again at once, hundreds of
	 * times a second, and the caller never went to the next agent */
	const uint64_t ms = c->q->cfg.retry_s
		? (uint64_t)c->q->cfg.retry_s * 1000 : 1000;
	struct block *b;

	if (caller_blocked(c, a))
		return;
	b = calloc(1, sizeof(*b));
	if (!b)
		return;
	b->c = c;
	b->a = a;
	b->tm.kind = TM_BLOCK;
	dl_insert_before(&c->blocks, &b->c_le);
	dl_insert_before(&a->blocks, &b->a_le);
	tm_start(acd, &b->tm, acd->now + ms);
}

/* the offer is over; the agent is no longer reserved */
static void end_offer(struct acd *acd, struct offer *o)
{
	struct acd_caller *c = o->c;

	tm_stop(acd, &o->tm);
	dl_remove(&o->c_le);
	o->a->offer = NULL;
	c->noffers--;
	free(o);
}

/* cancel every live offer of a caller (it was answered, failed or left);
 * the freed agents take their next callers */
static void cancel_offers(struct acd *acd, struct acd_caller *c,
			  enum acd_cancel why)
{
	while (!dl_empty(&c->offers)) {
		struct offer *o = ACD_CONTAINER(c->offers.next, struct offer,
						c_le);
		struct acd_agent *a = o->a;
		struct acd_leg l = leg_of(o);
		end_offer(acd, o);
		if (acd->ops.cancel_offer)
			acd->ops.cancel_offer(acd->arg, &l, why);
		agent_refresh(acd, a, true);
	}
}

static void fail_caller(struct acd *acd, struct acd_caller *c,
			enum acd_fail why)
{
	unlist_caller(c);
	set_state(c, CS_DONE);
	tm_stop(acd, &c->tm);
	while (!dl_empty(&c->blocks))
		free_block(acd, ACD_CONTAINER(c->blocks.next, struct block,
					      c_le));
	cancel_offers(acd, c, ACD_CANCEL_CALLER_GONE);
	if (acd->ops.caller_failed)
		acd->ops.caller_failed(acd->arg, c, c->host, why);
}

/* an offer failed (or timed out): the caller to the next agent, the agent
 * not offered this caller again for retry_s */
static void offer_lost(struct acd *acd, struct offer *o,
		       enum acd_offer_result why)
{
	struct acd_caller *c = o->c;
	struct acd_agent *a = o->a;

	end_offer(acd, o);
	add_block(acd, c, a);
	if (why == ACD_NO_ANSWER && c->q->cfg.autopause && !a->st.paused) {
		a->st.paused = true;
		if (acd->ops.agent_autopause)
			acd->ops.agent_autopause(acd->arg, a, a->host);
	}
	agent_refresh(acd, a, false);
	if (!c->noffers) {
		struct acd_queue *q = c->q;
		if (!q->nstaffed && q->cfg.leave_empty) {
			fail_caller(acd, c, ACD_FAIL_LEAVE_EMPTY);
			dispatch_agent(acd, a);
			return;
		}
		set_state(c, CS_WAITING);
		list_caller(c, true);
	}
	dispatch_caller(acd, c);
	dispatch_agent(acd, a);
}

static void offer_timeout(struct acd *acd, struct offer *o)
{
	struct acd_leg l = leg_of(o);

	if (acd->ops.cancel_offer)
		acd->ops.cancel_offer(acd->arg, &l, ACD_CANCEL_TIMEOUT);
	offer_lost(acd, o, ACD_NO_ANSWER);
}

static void sticky_note(struct acd *acd, const struct acd_caller *c,
			const struct acd_agent *a)
{
	struct sticky *s;
	char key[ST_NAME + ST_NUM];
	uint64_t win = (uint64_t)c->q->cfg.sticky_s * 1000;

	if (!win || !c->number[0])
		return;
	if (win > acd->sticky_max_ms)
		acd->sticky_max_ms = win;
	/* forget the ones no queue would use any more */
	while (!dl_empty(&acd->sticky_age)) {
		struct sticky *o = ACD_CONTAINER(acd->sticky_age.next,
						 struct sticky, le);
		if (o->at + acd->sticky_max_ms >= acd->now)
			break;
		dl_remove(&o->le);
		map_del(&acd->sticky, o->key);
		free(o);
	}
	make_key(key, sizeof(key), c->q->team->name, c->number);
	s = map_get(&acd->sticky, key);
	if (!s) {
		size_t klen = strlen(key) + 1;
		s = calloc(1, sizeof(*s) + klen);
		if (!s)
			return;
		memcpy(s->key, key, klen);
		if (map_put(&acd->sticky, key, s)) {
			free(s);
			return;
		}
	}
	else {
		dl_remove(&s->le);
	}
	s->at = acd->now;
	snprintf(s->agent, sizeof(s->agent), "%s", a->number);
	dl_insert_before(&acd->sticky_age, &s->le);
}

/* the bridge of agent a ends: its statistics count once, here */
static void end_bridge(struct acd *acd, struct acd_agent *a)
{
	struct acd_caller *c = a->bridge;
	struct member *m = member_of(a, a->bridge_q);
	uint64_t talk = acd->now > a->answered_ms ?
		acd->now - a->answered_ms : 0;

	if (m) {
		m->calls++;
		m->talk_ms += talk;
	}
	a->calls++;
	a->talk_ms += talk;
	a->last_end_ms = acd->now;
	sticky_note(acd, c, a);
	a->bridge = NULL;
	a->bridge_q = NULL;
	c->bridge = NULL;
	set_state(c, CS_DONE);
}

/* ---- entry points ---- */

static void run_due(struct acd *acd)
{
	while (acd->nheap && acd->heap[0]->at <= acd->now) {
		struct tm *t = acd->heap[0];
		tm_stop(acd, t);
		switch (t->kind) {
		case TM_OFFER:
			offer_timeout(acd, ACD_CONTAINER(t, struct offer, tm));
			break;
		case TM_BLOCK: {
			struct block *b = ACD_CONTAINER(t, struct block, tm);
			struct acd_agent *a = b->a;
			free_block(acd, b);
			dispatch_agent(acd, a);
			break;
		}
		case TM_CALLER: {
			struct acd_caller *c = ACD_CONTAINER(t,
						struct acd_caller, tm);
			const unsigned mw = c->q->cfg.max_wait_s;
			if (mw && c->join_ms + (uint64_t)mw * 1000 <= acd->now) {
				fail_caller(acd, c, ACD_FAIL_MAX_WAIT);
				break;
			}
			caller_arm(acd, c);
			dispatch_caller(acd, c);
			break;
		}
		}
	}
}

/* every entry point: the time moves on (never back), due work first */
static bool enter(struct acd *acd, uint64_t now_ms)
{
	if (acd->busy)
		return false;
	acd->busy = true;
	if (now_ms > acd->now)
		acd->now = now_ms;
	run_due(acd);
	return true;
}

static void leave(struct acd *acd)
{
	uint64_t at = acd->nheap ? acd->heap[0]->at : 0;

	if (at != acd->wake_at) {
		acd->wake_at = at;
		if (acd->ops.wake)
			acd->ops.wake(acd->arg, at);
	}
	acd->busy = false;
}

struct acd *acd_new(const struct acd_ops *ops, void *arg, uint64_t seed)
{
	struct acd *acd = calloc(1, sizeof(*acd));

	if (!acd)
		return NULL;
	if (ops)
		acd->ops = *ops;
	acd->arg = arg;
	acd->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
	dl_init(&acd->callers);
	dl_init(&acd->sticky_age);
	return acd;
}

void acd_tick(struct acd *acd, uint64_t now_ms)
{
	if (!enter(acd, now_ms))
		return;
	leave(acd);
}

/* ---- queues ---- */

static int copy_cfg(struct queue_cfg *dst, const struct queue_cfg *src)
{
	void *members = NULL;

	if (src->nmembers) {
		members = calloc(src->nmembers, sizeof(*src->members));
		if (!members)
			return -1;
		memcpy(members, src->members,
		       src->nmembers * sizeof(*src->members));
	}
	free(dst->members);
	*dst = *src;
	if (dst->nlevels > RT_MAX_LEVELS)
		dst->nlevels = RT_MAX_LEVELS;
	dst->members = members;
	return 0;
}

/* level, weight and position of a member from the queue's settings */
static void member_apply_cfg(struct member *m, unsigned add_order)
{
	const struct queue_cfg *cfg = &m->q->cfg;

	m->level = 0;
	m->weight = 1;
	m->pos = cfg->nmembers + add_order;
	for (unsigned i = 0; i < cfg->nmembers; i++) {
		if (strcmp(cfg->members[i].agent, m->a->number))
			continue;
		m->level = cfg->members[i].level;
		m->weight = cfg->members[i].weight ? cfg->members[i].weight : 1;
		m->pos = i;
		break;
	}
}

struct acd_queue *acd_queue_add(struct acd *acd, const char *team_name,
				const struct queue_cfg *cfg, void *host)
{
	struct acd_queue *q;
	struct team *team;

	if (acd->busy)
		return NULL;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	make_key(q->key, sizeof(q->key), team_name, cfg->queue);
	if (map_get(&acd->queues, q->key) || copy_cfg(&q->cfg, cfg))
		goto fail;
	team = map_get(&acd->teams, team_name);
	if (!team) {
		team = calloc(1, sizeof(*team));
		if (!team || map_put(&acd->teams, team_name, team)) {
			free(team);
			goto fail;
		}
		snprintf(team->name, sizeof(team->name), "%s", team_name);
		dl_init(&team->queues);
	}
	if (map_put(&acd->queues, q->key, q))
		goto fail;
	q->acd = acd;
	q->team = team;
	q->host = host;
	q->rrpos = UINT32_MAX;
	dl_init(&q->members);
	dl_insert_before(&team->queues, &q->team_le);
	return q;
fail:
	free(q->cfg.members);
	free(q);
	return NULL;
}

static void free_member(struct member *m)
{
	member_free_set(m, false);
	if (m->staffed)
		m->q->nstaffed--;
	dl_remove(&m->q_le);
	dl_remove(&m->a_le);
	m->q->nmembers--;
	free(m);
}

/* a reload switched the queue to or from ringall: its ringing callers
 * follow (ringall callers stay listed while they ring; others keep one
 * offer, the first) */
static void convert_ringing(struct acd *acd, struct acd_queue *q)
{
	struct dl *e;

	/* first all out of (or into) the lists, so that an agent freed
	 * below does not ring a caller not yet converted */
	for (e = acd->callers.next; e != &acd->callers; e = e->next) {
		struct acd_caller *c = ACD_CONTAINER(e, struct acd_caller,
						     all_le);
		if (c->q != q || c->st != CS_RINGING)
			continue;
		if (ringall(q))
			list_caller(c, true);
		else
			unlist_caller(c);
	}
	if (ringall(q))
		return;
	for (e = acd->callers.next; e != &acd->callers; e = e->next) {
		struct acd_caller *c = ACD_CONTAINER(e, struct acd_caller,
						     all_le);
		while (c->q == q && c->noffers > 1) {
			struct offer *o = ACD_CONTAINER(c->offers.prev,
							struct offer, c_le);
			struct acd_agent *a = o->a;
			struct acd_leg l = leg_of(o);
			end_offer(acd, o);
			if (acd->ops.cancel_offer)
				acd->ops.cancel_offer(acd->arg, &l,
						      ACD_CANCEL_RELOAD);
			agent_refresh(acd, a, true);
		}
	}
}

int acd_queue_set_cfg(struct acd *acd, struct acd_queue *q,
		      const struct queue_cfg *cfg, uint64_t now_ms)
{
	struct queue_cfg nc = { .members = NULL };
	const bool was_ringall = ringall(q);
	unsigned order = 0;
	struct dl *e;

	if (!enter(acd, now_ms))
		return EBUSY;
	if (copy_cfg(&nc, cfg)) {
		leave(acd);
		return ENOMEM;
	}
	/* out of the tiers while the keys and levels change */
	for (e = q->members.next; e != &q->members; e = e->next)
		member_free_set(ACD_CONTAINER(e, struct member, q_le), false);
	free(q->cfg.members);
	q->cfg = nc;
	snprintf(q->cfg.queue, sizeof(q->cfg.queue), "%s",
		 strchr(q->key, '\x1f') + 1);
	q->next_pos = 0;
	for (e = q->members.next; e != &q->members; e = e->next) {
		struct member *m = ACD_CONTAINER(e, struct member, q_le);
		member_apply_cfg(m, order++);
		if (m->pos >= q->next_pos)
			q->next_pos = m->pos + 1;
	}
	q->nadded = order;
	for (e = q->members.next; e != &q->members; e = e->next) {
		struct member *m = ACD_CONTAINER(e, struct member, q_le);
		member_free_set(m, member_ready(m));
	}
	if (was_ringall != ringall(q))
		convert_ringing(acd, q);
	for (e = acd->callers.next; e != &acd->callers; e = e->next) {
		struct acd_caller *c = ACD_CONTAINER(e, struct acd_caller,
						     all_le);
		if (c->q == q)
			caller_arm(acd, c);
	}
	/* new levels or strategy: the free members look again */
	for (e = q->members.next; e != &q->members; e = e->next) {
		struct member *m = ACD_CONTAINER(e, struct member, q_le);
		if (m->tier)
			dispatch_agent(acd, m->a);
	}
	leave(acd);
	return 0;
}

int acd_queue_remove(struct acd *acd, struct acd_queue *q)
{
	if (acd->busy)
		return EBUSY;
	for (unsigned i = 0; i < q->nb; i++)
		if (q->b[i]->n[CS_WAITING] || q->b[i]->n[CS_RINGING] ||
		    q->b[i]->n[CS_TALKING])
			return EBUSY;
	while (!dl_empty(&q->members))
		free_member(ACD_CONTAINER(q->members.next, struct member,
					  q_le));
	for (unsigned i = 0; i < q->nb; i++)
		free(q->b[i]);
	for (unsigned i = 0; i < q->ntiers; i++) {
		free(q->tiers[i]->v);
		free(q->tiers[i]);
	}
	free(q->b);
	free(q->tiers);
	dl_remove(&q->team_le);
	map_del(&acd->queues, q->key);
	free(q->cfg.members);
	free(q);
	return 0;
}

struct acd_queue *acd_queue_find(const struct acd *acd, const char *team,
				 const char *queue)
{
	char key[ST_NAME + ST_NUM];

	make_key(key, sizeof(key), team, queue);
	return map_get(&acd->queues, key);
}

void *acd_queue_host(const struct acd_queue *q)
{
	return q->host;
}

/* ---- agents ---- */

struct acd_agent *acd_agent_add(struct acd *acd, const char *team,
				const char *number, void *host)
{
	struct acd_agent *a;

	if (acd->busy)
		return NULL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	make_key(a->key, sizeof(a->key), team, number);
	if (map_get(&acd->agents, a->key) ||
	    map_put(&acd->agents, a->key, a)) {
		free(a);
		return NULL;
	}
	a->acd = acd;
	snprintf(a->team, sizeof(a->team), "%s", team);
	snprintf(a->number, sizeof(a->number), "%s", number);
	a->host = host;
	dl_init(&a->members);
	dl_init(&a->blocks);
	return a;
}

void acd_agent_remove(struct acd *acd, struct acd_agent *a, uint64_t now_ms)
{
	if (!enter(acd, now_ms))
		return;
	/* unavailable first, so that nothing is offered to it again */
	a->st.registered = false;
	agent_refresh(acd, a, false);
	if (a->offer) {
		struct offer *o = a->offer;
		struct acd_caller *c = o->c;
		struct acd_leg l = leg_of(o);
		end_offer(acd, o);
		if (acd->ops.cancel_offer)
			acd->ops.cancel_offer(acd->arg, &l,
					      ACD_CANCEL_AGENT_GONE);
		if (!c->noffers) {
			set_state(c, CS_WAITING);
			list_caller(c, true);
		}
		dispatch_caller(acd, c);
	}
	if (a->bridge)
		end_bridge(acd, a);
	while (!dl_empty(&a->blocks))
		free_block(acd, ACD_CONTAINER(a->blocks.next, struct block,
					      a_le));
	while (!dl_empty(&a->members))
		free_member(ACD_CONTAINER(a->members.next, struct member,
					  a_le));
	map_del(&acd->agents, a->key);
	free(a);
	leave(acd);
}

struct acd_agent *acd_agent_find(const struct acd *acd, const char *team,
				 const char *number)
{
	char key[ST_NAME + ST_NUM];

	make_key(key, sizeof(key), team, number);
	return map_get(&acd->agents, key);
}

void *acd_agent_host(const struct acd_agent *a)
{
	return a->host;
}

int acd_agent_set(struct acd *acd, struct acd_agent *a,
		  const struct acd_agent_state *st, uint64_t now_ms)
{
	if (!enter(acd, now_ms))
		return EBUSY;
	a->st = *st;
	agent_refresh(acd, a, true);
	leave(acd);
	return 0;
}

int acd_member_add(struct acd *acd, struct acd_queue *q, struct acd_agent *a,
		   uint64_t now_ms)
{
	struct member *m;

	if (!enter(acd, now_ms))
		return EBUSY;
	if (member_of(a, q)) {
		leave(acd);
		return EALREADY;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		leave(acd);
		return ENOMEM;
	}
	m->q = q;
	m->a = a;
	member_apply_cfg(m, q->nadded++);
	if (m->pos >= q->next_pos)
		q->next_pos = m->pos + 1;
	dl_insert_before(&q->members, &m->q_le);
	dl_insert_before(&a->members, &m->a_le);
	q->nmembers++;
	agent_refresh(acd, a, true);
	leave(acd);
	return 0;
}

int acd_member_remove(struct acd *acd, struct acd_queue *q,
		      struct acd_agent *a, uint64_t now_ms)
{
	struct member *m;

	if (!enter(acd, now_ms))
		return EBUSY;
	m = member_of(a, q);
	if (!m) {
		leave(acd);
		return ENOENT;
	}
	/* as if it left: leave_empty applies */
	m->checked_in = false;
	agent_refresh(acd, a, false);
	if (a->offer && a->offer->m == m)
		a->offer->m = NULL;
	free_member(m);
	leave(acd);
	return 0;
}

int acd_member_set(struct acd *acd, struct acd_queue *q, struct acd_agent *a,
		   bool checked_in, bool dialin, uint64_t now_ms)
{
	struct member *m;

	if (!enter(acd, now_ms))
		return EBUSY;
	m = member_of(a, q);
	if (!m) {
		leave(acd);
		return ENOENT;
	}
	m->checked_in = checked_in;
	m->dialin = dialin;
	agent_refresh(acd, a, true);
	leave(acd);
	return 0;
}

/* ---- callers ---- */

int acd_caller_join(struct acd *acd, struct acd_queue *q, int prio,
		    const char *number, uint64_t join_ms, void *host,
		    uint64_t now_ms, struct acd_caller **cp)
{
	struct acd_caller *c;

	*cp = NULL;
	if (!enter(acd, now_ms))
		return -1;
	if (q->cfg.max_callers && q->nlive >= q->cfg.max_callers) {
		leave(acd);
		return ACD_FAIL_FULL;
	}
	if (!q->nstaffed && (!q->cfg.join_empty || q->cfg.leave_empty)) {
		leave(acd);
		/* with leave_empty it would have to leave at once */
		return q->cfg.join_empty ? ACD_FAIL_LEAVE_EMPTY :
					   ACD_FAIL_EMPTY;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !bucket_get(q, prio)) {
		free(c);
		leave(acd);
		return -1;
	}
	c->q = q;
	c->prio = prio;
	snprintf(c->number, sizeof(c->number), "%s", number ? number : "");
	c->join_ms = join_ms < acd->now ? join_ms : acd->now;
	c->seq = ++acd->seq;
	c->host = host;
	c->st = CS_DONE;
	c->tm.kind = TM_CALLER;
	dl_init(&c->offers);
	dl_init(&c->blocks);
	dl_init(&c->b_le);
	dl_insert_before(&acd->callers, &c->all_le);
	set_state(c, CS_WAITING);
	q->nlive++;
	list_caller(c, false);
	*cp = c;
	caller_arm(acd, c);
	dispatch_caller(acd, c);
	leave(acd);
	return ACD_OK;
}

void acd_caller_leave(struct acd *acd, struct acd_caller *c, uint64_t now_ms)
{
	if (!enter(acd, now_ms))
		return;
	if (c->bridge) {
		struct acd_agent *a = c->bridge;
		end_bridge(acd, a);
		agent_refresh(acd, a, true);
	}
	if (c->st != CS_DONE) {
		unlist_caller(c);
		set_state(c, CS_DONE);
		cancel_offers(acd, c, ACD_CANCEL_CALLER_GONE);
	}
	tm_stop(acd, &c->tm);
	while (!dl_empty(&c->blocks)) {
		struct block *b = ACD_CONTAINER(c->blocks.next, struct block,
						c_le);
		free_block(acd, b);
	}
	dl_remove(&c->all_le);
	free(c);
	leave(acd);
}

void *acd_caller_host(const struct acd_caller *c)
{
	return c->host;
}

unsigned acd_caller_position(const struct acd_caller *c)
{
	unsigned pos = 1;

	if (c->st != CS_WAITING || !c->listed)
		return 0;
	for (unsigned i = 0; i < c->q->nb && c->q->b[i]->prio > c->prio; i++)
		pos += c->q->b[i]->n[CS_WAITING];
	for (const struct dl *e = c->b_le.prev;
	     e != &bucket_of(c->q, c->prio)->callers; e = e->prev) {
		if (ACD_CONTAINER(e, struct acd_caller, b_le)->st ==
		    CS_WAITING)
			pos++;
	}
	return pos;
}

unsigned acd_queue_place(const struct acd_queue *q, int prio,
			 uint64_t join_ms)
{
	unsigned pos = 1;

	for (unsigned i = 0; i < q->nb && q->b[i]->prio >= prio; i++) {
		const struct bucket *b = q->b[i];
		if (b->prio > prio) {
			pos += b->n[CS_WAITING];
			continue;
		}
		/* a newcomer goes after those of its join time (seq) */
		for (const struct dl *e = b->callers.next; e != &b->callers;
		     e = e->next) {
			const struct acd_caller *o =
				ACD_CONTAINER(e, struct acd_caller, b_le);
			if (o->join_ms > join_ms)
				break;
			if (o->st == CS_WAITING)
				pos++;
		}
	}
	return pos;
}

/* ---- results of offers ---- */

bool acd_offer_answered(struct acd *acd, struct acd_caller *c,
			struct acd_agent *a, uint64_t now_ms)
{
	struct acd_queue *q = c->q;
	struct offer *o = a->offer;
	uint64_t hold;

	if (!enter(acd, now_ms))
		return false;
	if (!o || o->c != c || c->bridge) {
		leave(acd);
		return false;   /* not live (cancelled, timed out) or lost */
	}
	end_offer(acd, o);
	c->bridge = a;
	a->bridge = c;
	a->bridge_q = q;
	a->answered_ms = acd->now;
	unlist_caller(c);
	set_state(c, CS_TALKING);
	tm_stop(acd, &c->tm);
	while (!dl_empty(&c->blocks))
		free_block(acd, ACD_CONTAINER(c->blocks.next, struct block,
					      c_le));
	/* app_queue's recalc_holdtime: (3 old + new) / 4 */
	hold = waited(acd, c);
	q->holdtime_ms = (3 * q->holdtime_ms + hold) / 4;
	sticky_note(acd, c, a);
	cancel_offers(acd, c, ACD_CANCEL_ANSWERED);
	leave(acd);
	return true;
}

void acd_offer_failed(struct acd *acd, struct acd_caller *c,
		      struct acd_agent *a, enum acd_offer_result why,
		      uint64_t now_ms)
{
	if (!enter(acd, now_ms))
		return;
	if (a->offer && a->offer->c == c)
		offer_lost(acd, a->offer, why);
	leave(acd);
}

bool acd_call_ended(struct acd *acd, struct acd_agent *a, bool acw,
		    uint64_t now_ms)
{
	if (!enter(acd, now_ms))
		return false;
	if (!a->bridge) {
		leave(acd);
		return false;
	}
	end_bridge(acd, a);
	if (acw)
		a->st.acw = true;
	agent_refresh(acd, a, true);
	leave(acd);
	return true;
}

/* ---- counts ---- */

void acd_queue_counts(const struct acd_queue *q, int min_prio,
		      struct acd_counts *out)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < q->nb && q->b[i]->prio >= min_prio; i++) {
		out->waiting += q->b[i]->n[CS_WAITING];
		out->ringing += q->b[i]->n[CS_RINGING];
		out->talking += q->b[i]->n[CS_TALKING];
	}
	out->total = out->waiting + out->ringing + out->talking;
}

void acd_team_counts(const struct acd *acd, const char *team_name,
		     int min_prio, struct acd_counts *out)
{
	const struct team *team = map_get(&acd->teams, team_name);

	memset(out, 0, sizeof(*out));
	if (!team)
		return;
	for (const struct dl *e = team->queues.next; e != &team->queues;
	     e = e->next) {
		struct acd_counts qc;
		acd_queue_counts(ACD_CONTAINER(e, struct acd_queue, team_le),
				 min_prio, &qc);
		out->waiting += qc.waiting;
		out->ringing += qc.ringing;
		out->talking += qc.talking;
		out->total += qc.total;
	}
}

uint64_t acd_queue_oldest_wait(const struct acd_queue *q)
{
	uint64_t oldest = 0;

	/* each bucket lists its callers by join time: its first waiting
	 * one is its oldest (ringall callers ringing come before) */
	for (unsigned i = 0; i < q->nb; i++) {
		const struct bucket *b = q->b[i];
		if (!b->n[CS_WAITING])
			continue;
		for (const struct dl *e = b->callers.next; e != &b->callers;
		     e = e->next) {
			const struct acd_caller *c =
				ACD_CONTAINER(e, struct acd_caller, b_le);
			if (c->st != CS_WAITING)
				continue;
			if (!oldest || c->join_ms < oldest)
				oldest = c->join_ms;
			break;
		}
	}
	return oldest;
}

bool acd_agent_awaited(const struct acd *acd, const struct acd_agent *a)
{
	struct member *m = NULL;

	return best_caller(acd, a, &m) != NULL;
}

uint64_t acd_queue_expected_wait_ms(const struct acd_queue *q)
{
	return q->holdtime_ms;
}

void acd_agent_stats(const struct acd_agent *a, const struct acd_queue *q,
		     struct acd_agent_stats *out)
{
	const struct member *m = q ? member_of(a, q) : NULL;

	out->calls = q ? (m ? m->calls : 0) : a->calls;
	out->talk_ms = q ? (m ? m->talk_ms : 0) : a->talk_ms;
	out->last_end_ms = a->last_end_ms;
}

/* ---- freeing ---- */

void acd_free(struct acd *acd)
{
	if (!acd)
		return;
	/* no deadline matters any more */
	for (unsigned i = 0; i < acd->nheap; i++)
		acd->heap[i]->idx = 0;
	acd->nheap = 0;
	while (!dl_empty(&acd->callers)) {
		struct acd_caller *c = ACD_CONTAINER(acd->callers.next,
						     struct acd_caller, all_le);
		while (!dl_empty(&c->offers)) {
			struct offer *o = ACD_CONTAINER(c->offers.next,
							struct offer, c_le);
			end_offer(acd, o);
		}
		while (!dl_empty(&c->blocks))
			free_block(acd, ACD_CONTAINER(c->blocks.next,
						      struct block, c_le));
		dl_remove(&c->all_le);
		dl_remove(&c->b_le);
		free(c);
	}
	for (unsigned i = 0; i < acd->agents.cap; i++) {
		for (struct hent *h = acd->agents.t[i]; h; h = h->next) {
			struct acd_agent *a = h->val;
			while (!dl_empty(&a->members))
				free_member(ACD_CONTAINER(a->members.next,
						struct member, a_le));
		}
	}
	for (unsigned i = 0; i < acd->agents.cap; i++)
		for (struct hent *h = acd->agents.t[i]; h; h = h->next)
			free(h->val);
	for (unsigned i = 0; i < acd->queues.cap; i++) {
		for (struct hent *h = acd->queues.t[i]; h; h = h->next) {
			struct acd_queue *q = h->val;
			for (unsigned j = 0; j < q->nb; j++)
				free(q->b[j]);
			for (unsigned j = 0; j < q->ntiers; j++) {
				free(q->tiers[j]->v);
				free(q->tiers[j]);
			}
			free(q->b);
			free(q->tiers);
			free(q->cfg.members);
			free(q);
		}
	}
	for (unsigned i = 0; i < acd->teams.cap; i++)
		for (struct hent *h = acd->teams.t[i]; h; h = h->next)
			free(h->val);
	while (!dl_empty(&acd->sticky_age)) {
		struct sticky *st = ACD_CONTAINER(acd->sticky_age.next,
						  struct sticky, le);
		dl_remove(&st->le);
		free(st);
	}
	map_free(&acd->queues);
	map_free(&acd->agents);
	map_free(&acd->teams);
	map_free(&acd->sticky);
	free(acd->heap);
	free(acd->tmp);
	free(acd);
}
