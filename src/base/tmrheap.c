/*
 * tmrheap.c — libre timers in a binary min-heap (tmrheap.h).
 */
#include <errno.h>
#include <stdlib.h>
#include "base/tmrheap.h"

static size_t idx_of(const struct tmr *t)
{
	return (size_t)(uintptr_t)t->le.prev;
}

static uintptr_t seq_of(const struct tmr *t)
{
	return (uintptr_t)t->le.next;
}

/* a before b: earlier expiry, or pushed earlier (wrap-safe) */
static bool before(const struct tmr *a, const struct tmr *b)
{
	if (a->jfs != b->jfs)
		return a->jfs < b->jfs;
	return (intptr_t)(seq_of(a) - seq_of(b)) < 0;
}

static void place(struct tmrheap *h, size_t i, struct tmr *t)
{
	h->v[i] = t;
	t->le.prev = (struct le *)(uintptr_t)i;
}

static void sift_up(struct tmrheap *h, size_t i, struct tmr *t)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!before(t, h->v[p]))
			break;
		place(h, i, h->v[p]);
		i = p;
	}
	place(h, i, t);
}

static void sift_down(struct tmrheap *h, size_t i, struct tmr *t)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(h->v[c + 1], h->v[c]))
			c++;
		if (!before(h->v[c], t))
			break;
		place(h, i, h->v[c]);
		i = c;
	}
	place(h, i, t);
}

int tmrheap_push(struct tmrheap *h, struct tmr *t, struct list *owner)
{
	if (h->limit && h->n >= h->limit)
		return ENOMEM;
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		struct tmr **v = realloc(h->v, cap * sizeof(*v));

		if (!v)
			return ENOMEM;
		h->v = v;
		h->cap = cap;
	}
	t->le.list = owner;
	t->le.data = NULL;
	t->le.next = (struct le *)h->seq++;
	h->n++;
	sift_up(h, h->n - 1, t);
	return 0;
}

void tmrheap_remove(struct tmrheap *h, struct tmr *t)
{
	size_t i = idx_of(t);
	struct tmr *last = h->v[--h->n];

	if (i < h->n) {
		if (i > 0 && before(last, h->v[(i - 1) / 2]))
			sift_up(h, i, last);
		else
			sift_down(h, i, last);
	}
	t->le.list = NULL;
	t->le.prev = t->le.next = NULL;
	if (!h->n) {         /* nothing kept while no timer runs */
		free(h->v);
		h->v = NULL;
		h->cap = 0;
	}
}
