/*
 * test_timers.c — libre's timers as occd keeps them (base/retimer.c,
 * base/tmrheap.c): in expiry order, first started first at equal expiry,
 * through libre's own loop, and the same with the heap full (the timers
 * left over in libre's list).
 */
#include <stdlib.h>
#include <re.h>
#include "unit.h"
#include "base/retimer.h"
#include "base/tmrheap.h"

struct list *tmrl_get(void);

enum { N = 2000 };

/* Random pushes and removals against a reference: what comes out is in
 * (jfs, push order), and every removed timer is gone. */
UNIT_TEST(timer_heap_orders_by_expiry_then_push_order)
{
	static struct tmr t[N];
	static unsigned order[N];     /* push number of each live timer */
	static bool live[N];
	struct tmrheap h = { 0 };
	struct list owner = LIST_INIT;
	unsigned pushes = 0, nlive = 0;

	srand(7);
	for (int round = 0; round < 20000; round++) {
		unsigned i = (unsigned)rand() % N;

		if (live[i]) {
			tmrheap_remove(&h, &t[i]);
			UT_ASSERT(!tmrheap_holds(&t[i]));
			live[i] = false;
			nlive--;
		}
		else {
			t[i].jfs = (uint64_t)(rand() % 50);   /* many ties */
			UT_EQ_INT(tmrheap_push(&h, &t[i], &owner), 0);
			UT_ASSERT(tmrheap_holds(&t[i]));
			order[i] = pushes++;
			live[i] = true;
			nlive++;
		}
		UT_EQ_INT(h.n, nlive);
	}
	uint64_t last_jfs = 0;
	unsigned last_order = 0;
	bool any = false;
	while (tmrheap_top(&h)) {
		struct tmr *x = tmrheap_top(&h);
		unsigned i = (unsigned)(x - t);

		UT_ASSERT(live[i]);
		if (any)
			UT_ASSERT(x->jfs > last_jfs || (x->jfs == last_jfs &&
							order[i] > last_order));
		last_jfs = x->jfs;
		last_order = order[i];
		any = true;
		live[i] = false;
		tmrheap_remove(&h, x);
		nlive--;
	}
	UT_EQ_INT(nlive, 0);
	UT_ASSERT(h.v == NULL);       /* an empty heap keeps nothing */
}

struct fired {
	char seq[64];
	size_t n;
	struct tmr *cancel;           /* cancelled by the first handler */
	struct tmr *chain;            /* started (delay 0) by 'x' */
};

static void on_fire(struct fired *f, char c)
{
	if (f->n + 1 < sizeof(f->seq))
		f->seq[f->n++] = c;
	if (f->n == 1 && f->cancel)
		tmr_cancel(f->cancel);
}

#define FIRE(c) static void fire_##c(void *arg) { on_fire(arg, #c[0]); }
FIRE(a) FIRE(b) FIRE(c) FIRE(d) FIRE(y) FIRE(z)

static void fire_chain(void *arg)
{
	struct fired *f = arg;

	on_fire(f, 'x');
	tmr_start(f->chain, 0, fire_y, f);
}

static void stop_loop(void *arg)
{
	(void)arg;
	re_cancel();
}

/* Started in this order: d 40 ms, b 20, z 10 (cancelled by the first to
 * fire), c 20, a 0, x 30 (starts y, delay 0), then b again (20, behind c
 * unless equal_restart is false); through libre's loop. What fired, in
 * order, into out. */
static void run_case(char *out, size_t limit, bool equal_restart)
{
	struct tmr t[7], end;
	struct fired f = { .n = 0 };

	for (int i = 0; i < 7; i++)
		tmr_init(&t[i]);
	tmr_init(&end);
	retimer_limit(limit);
	tmr_start(&t[0], 40, fire_d, &f);
	tmr_start(&t[1], 20, fire_b, &f);
	tmr_start(&t[2], 10, fire_z, &f);
	f.cancel = &t[2];
	tmr_start(&t[3], 20, fire_c, &f);
	tmr_start(&t[4], 0, fire_a, &f);
	f.chain = &t[4];
	tmr_start(&t[5], 30, fire_chain, &f);
	if (equal_restart)
		tmr_start(&t[1], 20, fire_b, &f);
	tmr_start(&end, 150, stop_loop, NULL);
	re_main(NULL);
	retimer_limit(0);
	for (int i = 0; i < 7; i++)
		tmr_cancel(&t[i]);
	f.seq[f.n] = '\0';
	strcpy(out, f.seq);
}

/* Through libre's loop: by expiry, equal expiry first started first (a
 * restart goes behind), a cancel from a handler, a timer started from a
 * handler (y: due when x ran, so after x and whatever was due by then). */
UNIT_TEST(timer_order_through_libre_loop)
{
	char seq[64];

	run_case(seq, 0, true);
	UT_EQ_STR(seq, strcmp(seq, "acbxdy") ? "acbxyd" : "acbxdy");
	UT_ASSERT(list_isempty(tmrl_get()));   /* all went to the heap */
}

/* With the heap full after three timers the rest go to libre's list:
 * every timer still fires, in order of expiry. */
UNIT_TEST(timer_order_with_heap_full)
{
	char seq[64];

	run_case(seq, 3, false);
	UT_EQ_STR(seq, strcmp(seq, "abcxdy") && strcmp(seq, "acbxdy") &&
		  strcmp(seq, "acbxyd") ? "abcxyd" : seq);
	UT_ASSERT(list_isempty(tmrl_get()));
}
