/*
 * strategy.c — which free member of one level of a queue a caller gets.
 *
 * The ordered strategies keep the level's free members in a min-heap by
 * their key: a member's key changes only at the end of its calls, while
 * it is not free, so a heap stays valid. The others need the whole level
 * anyway (random and wrandom draw among all, rrmemory looks for the next
 * position after the last one offered, ringall rings all): a plain array.
 */
#include <stdlib.h>
#include "acd/acd_int.h"

uint64_t acd_random(struct acd *acd)
{
	/* xorshift64*: fast, deterministic per seed, enough for drawing */
	uint64_t x = acd->rng;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	acd->rng = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static bool heap_strategy(enum queue_strategy s)
{
	return s == QS_LEASTRECENT || s == QS_FEWESTCALLS ||
	       s == QS_LEASTTALK || s == QS_LINEAR;
}

/* true if m comes before o */
static bool before(const struct member *m, const struct member *o,
		   enum queue_strategy s)
{
	uint64_t km = 0, ko = 0;

	switch (s) {
	case QS_LEASTRECENT:
		km = m->a->last_end_ms;
		ko = o->a->last_end_ms;
		break;
	case QS_FEWESTCALLS:
		km = m->calls;
		ko = o->calls;
		break;
	case QS_LEASTTALK:
		km = m->talk_ms;
		ko = o->talk_ms;
		break;
	default:
		break;
	}
	if (km != ko)
		return km < ko;
	return m->pos < o->pos;
}

static void place(struct tier *t, unsigned i, struct member *m)
{
	t->v[i] = m;
	m->tier_idx = i;
}

static void sift_up(struct tier *t, unsigned i, enum queue_strategy s)
{
	struct member *m = t->v[i];

	while (i > 0) {
		unsigned p = (i - 1) / 2;
		if (!before(m, t->v[p], s))
			break;
		place(t, i, t->v[p]);
		i = p;
	}
	place(t, i, m);
}

static void sift_down(struct tier *t, unsigned i, enum queue_strategy s)
{
	struct member *m = t->v[i];

	for (;;) {
		unsigned l = 2 * i + 1, best = l;
		if (l >= t->n)
			break;
		if (l + 1 < t->n && before(t->v[l + 1], t->v[l], s))
			best = l + 1;
		if (!before(t->v[best], m, s))
			break;
		place(t, i, t->v[best]);
		i = best;
	}
	place(t, i, m);
}

int tier_insert(struct tier *t, struct member *m, enum queue_strategy s)
{
	if (t->n == t->cap) {
		unsigned cap = t->cap ? 2 * t->cap : 8;
		struct member **v = realloc(t->v, cap * sizeof(*v));
		if (!v)
			return -1;
		t->v = v;
		t->cap = cap;
	}
	m->tier = t;
	place(t, t->n++, m);
	if (heap_strategy(s))
		sift_up(t, m->tier_idx, s);
	return 0;
}

void tier_remove(struct member *m, enum queue_strategy s)
{
	struct tier *t = m->tier;
	unsigned i = m->tier_idx;

	m->tier = NULL;
	if (--t->n == i)
		return;
	place(t, i, t->v[t->n]);
	if (heap_strategy(s)) {
		sift_down(t, i, s);
		sift_up(t, t->v[i]->tier_idx, s);
	}
}

bool caller_blocked(const struct acd_caller *c, const struct acd_agent *a)
{
	for (const struct dl *e = c->blocks.next; e != &c->blocks;
	     e = e->next) {
		const struct block *b = ACD_CONTAINER(e, struct block, c_le);
		/* one due but not yet run (another deadline of the same
		 * millisecond ran first) is over */
		if (b->a == a && b->tm.at > a->acd->now)
			return true;
	}
	return false;
}

struct member *tier_pick(struct acd *acd, struct tier *t,
			 const struct acd_caller *c, enum queue_strategy s)
{
	struct member *best = NULL;
	const bool any_block = !dl_empty(&c->blocks);
	unsigned n = t->n;

	if (!n)
		return NULL;
	switch (s) {
	case QS_LEASTRECENT:
	case QS_FEWESTCALLS:
	case QS_LEASTTALK:
	case QS_LINEAR:
		if (!any_block || !caller_blocked(c, t->v[0]->a))
			return t->v[0];
		/* the top is blocked for this caller (rare): scan */
		for (unsigned i = 1; i < n; i++) {
			struct member *m = t->v[i];
			if (caller_blocked(c, m->a))
				continue;
			if (!best || before(m, best, s))
				best = m;
		}
		return best;
	case QS_RANDOM:
	case QS_RINGALL: {
		unsigned k = 0, r;
		if (!any_block)
			return t->v[acd_random(acd) % n];
		for (unsigned i = 0; i < n; i++)
			k += !caller_blocked(c, t->v[i]->a);
		if (!k)
			return NULL;
		r = (unsigned)(acd_random(acd) % k);
		for (unsigned i = 0; i < n; i++) {
			if (caller_blocked(c, t->v[i]->a))
				continue;
			if (!r--)
				return t->v[i];
		}
		return NULL;
	}
	case QS_WRANDOM: {
		uint64_t sum = 0, r;
		for (unsigned i = 0; i < n; i++) {
			if (any_block && caller_blocked(c, t->v[i]->a))
				continue;
			sum += t->v[i]->weight ? t->v[i]->weight : 1;
		}
		if (!sum)
			return NULL;
		r = acd_random(acd) % sum;
		for (unsigned i = 0; i < n; i++) {
			struct member *m = t->v[i];
			uint64_t w = m->weight ? m->weight : 1;
			if (any_block && caller_blocked(c, m->a))
				continue;
			if (r < w)
				return m;
			r -= w;
		}
		return NULL;
	}
	case QS_RRMEMORY: {
		/* the next position after the last one offered, wrapping */
		const struct acd_queue *q = c->q;
		uint64_t span = (uint64_t)q->next_pos + 1, bestd = UINT64_MAX;
		uint64_t last = q->rrpos < span ? q->rrpos : span - 1;
		for (unsigned i = 0; i < n; i++) {
			struct member *m = t->v[i];
			uint64_t d = (m->pos + span - last - 1) % span;
			if (any_block && caller_blocked(c, m->a))
				continue;
			if (d < bestd) {
				bestd = d;
				best = m;
			}
		}
		return best;
	}
	}
	return NULL;
}
