/*
 * test_media.c — the shared media clock: users called once per tick, free
 * to leave (themselves or others) from inside a tick.
 */
#include <re.h>
#include "unit.h"
#include "media/clock.h"

struct clock_case {
	struct mclock_user a, b, c;
	int na, nb, nc;
};

static void on_a(void *arg)
{
	struct clock_case *k = arg;

	if (++k->na == 3) {           /* b is after a in this tick */
		mclock_leave(&k->b);
		mclock_leave(&k->a);
	}
}

static void on_b(void *arg)
{
	((struct clock_case *)arg)->nb++;
}

static void on_c(void *arg)
{
	struct clock_case *k = arg;

	if (++k->nc == 5) {
		mclock_leave(&k->c);
		re_cancel();
	}
}

static void guard(void *arg)
{
	(void)arg;
	re_cancel();
}

UNIT_TEST(media_clock_users_leave_inside_a_tick)
{
	struct clock_case k = { 0 };
	struct tmr t;
	uint64_t t0 = tmr_jiffies();

	tmr_init(&t);
	tmr_start(&t, 2000, guard, NULL);
	mclock_join(&k.a, on_a, &k);
	mclock_join(&k.b, on_b, &k);
	mclock_join(&k.c, on_c, &k);
	mclock_join(&k.c, on_c, &k);  /* joining twice: still one user */
	UT_ASSERT(mclock_joined(&k.b));
	re_main(NULL);
	tmr_cancel(&t);
	UT_EQ_INT(k.na, 3);
	UT_EQ_INT(k.nb, 2);
	UT_EQ_INT(k.nc, 5);
	UT_ASSERT(!mclock_joined(&k.a) && !mclock_joined(&k.b) &&
		  !mclock_joined(&k.c));
	UT_ASSERT(tmr_jiffies() - t0 >= 4 * MCLOCK_MS);
	mclock_leave(&k.a);           /* leaving twice is harmless */
	UT_EQ_INT(mclock_lag_ms(), 0); /* no user: no clock */
}

/* Frames due: the first at once, and after a late tick at most five made
 * to catch up. */
UNIT_TEST(media_clock_due_frames)
{
	uint64_t done = 0;

	UT_EQ_INT(mclock_due(1000, 1000, &done), 1);
	UT_EQ_INT(done, 0);
	UT_EQ_INT(mclock_due(1000, 1019, &done), 1);
	UT_EQ_INT(mclock_due(1000, 1020, &done), 2);
	done = 2;
	UT_EQ_INT(mclock_due(1000, 1200, &done), 11);   /* 9 behind */
	UT_EQ_INT(done, 6);                             /* 5 to make */
	done = 10;
	UT_EQ_INT(mclock_due(1000, 1200, &done), 11);
	UT_EQ_INT(done, 10);
}
