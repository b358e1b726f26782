/*
 * retimer.c — libre's timers in a heap instead of a sorted list.
 *
 * libre 1.1.0 keeps each loop's timers in one list sorted by expiry and
 * inserts by walking it from the latest end (tmr.c). A timer due sooner
 * than most of the list walks past all of them: every SIP transaction's
 * retransmission timer (500 ms) walked past the 32 s timers that every
 * transaction of the last 32 s keeps (timers B, D, F, H, J), and so did
 * each RTP socket's RTCP timer, libmicrohttpd's timer (restarted every
 * loop pass) and each call's: at 40 calls/s the walk was a fifth of occd's
 * CPU, growing with the call rate.
 *
 * So occd defines tmr_start(), tmr_cancel(), tmr_poll() and
 * tmr_next_timeout(): libre calls them through its PLT (its loop, SIP,
 * RTCP, DNS, HTTP code), and a definition in the executable comes first
 * (the mechanism of sipdrain.c's fd_listen; scripts/check-symbols.sh lists
 * them as intended). Each libre loop context (tmrl_get(), exported by
 * libre for its timer module: the thread's own, else the global one) gets
 * a heap; a timer is pushed on the heap of the context that starts it,
 * as libre appends it to that context's list. If the heap cannot grow (no
 * memory) or more contexts than MAX_CTX use timers, the timer goes to
 * libre's list of the context, inserted exactly as libre does, and the
 * poll takes from both in order: nothing is ever dropped. tmr_init(),
 * tmr_get_expire() and tmr_isrunning() are libre's (they read th and jfs,
 * kept as libre keeps them); tmr_debug() no longer lists heap timers.
 *
 * Order as in libre: by expiry (ms), then first started first; a handler
 * that starts a timer due now runs it in the same poll only if it is due
 * by the poll's start time.
 */
#include <pthread.h>
#include <re.h>
#include "base/retimer.h"
#include "base/tmrheap.h"

struct list *tmrl_get(void);       /* libre's, for its timer module */

enum { MAX_CTX = 8 };

static struct ctx {
	struct list *l;                /* libre's list of the context */
	struct tmrheap h;
} ctxs[MAX_CTX];
static pthread_mutex_t ctx_mx = PTHREAD_MUTEX_INITIALIZER;

/* The heap context of libre's list l; make: add it if new and room. */
static struct ctx *ctx_of(struct list *l, bool make)
{
	struct ctx *c = NULL;

	for (unsigned i = 0; i < MAX_CTX; i++) {
		struct list *li = __atomic_load_n(&ctxs[i].l, __ATOMIC_ACQUIRE);

		if (li == l)
			return &ctxs[i];
		if (!li)
			break;
	}
	if (!make)
		return NULL;
	pthread_mutex_lock(&ctx_mx);
	for (unsigned i = 0; i < MAX_CTX; i++) {
		if (ctxs[i].l == l) {
			c = &ctxs[i];
			break;
		}
		if (!ctxs[i].l) {
			c = &ctxs[i];
			__atomic_store_n(&c->l, l, __ATOMIC_RELEASE);
			break;
		}
	}
	pthread_mutex_unlock(&ctx_mx);
	return c;
}

void retimer_limit(size_t n)
{
	struct ctx *c = ctx_of(tmrl_get(), true);

	if (c)
		c->h.limit = n;
}

/* libre's insertion (tmr.c), for the timers no heap takes */
static bool after_h(struct le *le, void *arg)
{
	return ((struct tmr *)le->data)->jfs <= *(uint64_t *)arg;
}

static bool later_h(struct le *le, void *arg)
{
	return ((struct tmr *)le->data)->jfs > *(uint64_t *)arg;
}

static void list_add(struct list *l, struct tmr *t, uint64_t delay)
{
	struct le *le;

	if (delay == 0) {
		le = list_apply(l, true, later_h, &t->jfs);
		if (le)
			list_insert_before(l, le, &t->le, t);
		else
			list_append(l, &t->le, t);
	}
	else {
		le = list_apply(l, false, after_h, &t->jfs);
		if (le)
			list_insert_after(l, le, &t->le, t);
		else
			list_prepend(l, &t->le, t);
	}
}

static void unlink_tmr(struct tmr *t)
{
	struct ctx *c;

	if (!tmrheap_holds(t)) {
		list_unlink(&t->le);
		return;
	}
	c = ctx_of(t->le.list, false);
	if (c)
		tmrheap_remove(&c->h, t);
}

void tmr_start(struct tmr *tmr, uint64_t delay, tmr_h *th, void *arg)
{
	struct list *l;
	struct ctx *c;

	if (!tmr)
		return;
	if (tmr->th)
		unlink_tmr(tmr);
	tmr->th = th;
	tmr->arg = arg;
	if (!th)
		return;
	tmr->jfs = delay + tmr_jiffies();
	l = tmrl_get();
	c = ctx_of(l, true);
	if (!c || tmrheap_push(&c->h, tmr, l))
		list_add(l, tmr, delay);
}

void tmr_cancel(struct tmr *tmr)
{
	tmr_start(tmr, 0, NULL, NULL);
}

/* The timer of l's context due first, from its heap or its list. */
static struct tmr *first(struct list *l)
{
	struct ctx *c = ctx_of(l, false);
	struct tmr *a = c ? tmrheap_top(&c->h) : NULL;
	struct tmr *b = list_ledata(list_head(l));

	if (!a)
		return b;
	return b && b->jfs < a->jfs ? b : a;
}

void tmr_poll(struct list *tmrl)
{
	const uint64_t now = tmr_jiffies();

	for (;;) {
		struct tmr *t = first(tmrl);
		tmr_h *th;
		void *arg;

		if (!t || t->jfs > now)
			break;
		th = t->th;
		arg = t->arg;
		t->th = NULL;
		unlink_tmr(t);
		if (th)
			th(arg);
	}
}

uint64_t tmr_next_timeout(struct list *tmrl)
{
	const uint64_t now = tmr_jiffies();
	const struct tmr *t = first(tmrl);

	if (!t)
		return 0;
	return t->jfs <= now ? 1 : t->jfs - now;
}
