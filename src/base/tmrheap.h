/*
 * tmrheap.h — libre timers (struct tmr) in a binary min-heap ordered by
 * expiry (tmr->jfs) and, at equal expiry, by the order they were pushed,
 * so timers due at the same millisecond fire first-started first, as in
 * libre's sorted list. Push, remove and top are O(log n) / O(1) where
 * libre's list inserts in O(n) (src/base/retimer.c says why that matters).
 *
 * A timer in a heap uses its struct le for the heap's bookkeeping, not as
 * a list element: le.list is the owner passed to tmrheap_push (never
 * dereferenced here), le.data is NULL (a timer in a libre list has its
 * data set), le.prev its index, le.next its push number. No lock: one
 * owner per heap.
 */
#ifndef OCC_TMRHEAP_H
#define OCC_TMRHEAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <re.h>

struct tmrheap {
	struct tmr **v;
	size_t n, cap;
	size_t limit;        /* most timers it takes (0: no limit; tests) */
	uintptr_t seq;       /* push number of the next push */
};

/* t->jfs set; ENOMEM (the heap unchanged, t untouched) if it cannot grow. */
int tmrheap_push(struct tmrheap *h, struct tmr *t, struct list *owner);
/* t must be in h (tmrheap_holds(t) and its owner's heap). */
void tmrheap_remove(struct tmrheap *h, struct tmr *t);
/* The timer due first, NULL if empty. */
static inline struct tmr *tmrheap_top(const struct tmrheap *h)
{
	return h->n ? h->v[0] : NULL;
}
/* True if t is in a heap (and not in a libre list, nor stopped). */
static inline bool tmrheap_holds(const struct tmr *t)
{
	return t->le.list && !t->le.data;
}

#endif
