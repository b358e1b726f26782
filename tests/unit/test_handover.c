/*
 * test_handover.c — the lock the event loop and the media workers share
 * (media/handover.h) takes turns and starves neither side, and a media
 * worker (media/mworker.h) gets its turn within a bounded time while the
 * event loop is busy in one long pass of slow handlers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <re.h>
#include "unit.h"
#include "media/handover.h"
#include "media/mworker.h"

static struct handover ho;
static atomic_uint in_read;
static char order[8];
static atomic_uint norder;

static void note(char c)
{
	unsigned i = atomic_fetch_add(&norder, 1);

	if (i < sizeof(order) - 1)
		order[i] = c;
}

static void *reader(void *arg)
{
	handover_rdlock(&ho);
	atomic_fetch_add(&in_read, 1);
	note(*(const char *)arg);
	handover_rdunlock(&ho);
	return NULL;
}

static void *writer(void *arg)
{
	(void)arg;
	handover_wrlock(&ho);
	note('W');
	handover_wrunlock(&ho);
	return NULL;
}

static void until_contended(void)
{
	for (int i = 0; i < 5000 && !handover_contended(&ho); i++)
		usleep(1000);
}

/* a writer that releases and asks again at once still lets the reader
 * that waited have its turn first */
UNIT_TEST(handover_release_admits_waiting_reader)
{
	pthread_t t;

	UT_ASSERT(!handover_init(&ho));
	atomic_store(&in_read, 0);
	handover_wrlock(&ho);
	UT_ASSERT(!pthread_create(&t, NULL, reader, "R"));
	until_contended();
	UT_ASSERT(handover_contended(&ho));
	UT_ASSERT(atomic_load(&in_read) == 0);   /* the writer holds it */
	handover_wrunlock(&ho);
	handover_wrlock(&ho);
	UT_ASSERT(atomic_load(&in_read) == 1);
	UT_ASSERT(!handover_contended(&ho));
	handover_wrunlock(&ho);
	pthread_join(t, NULL);
	handover_destroy(&ho);
}

/* a reader that comes while the writer waits for the readers in waits for
 * the writer's turn: readers cannot starve the writer */
UNIT_TEST(handover_prefers_the_writer)
{
	pthread_t w, r;

	UT_ASSERT(!handover_init(&ho));
	memset(order, 0, sizeof(order));
	atomic_store(&norder, 0);
	handover_rdlock(&ho);                   /* reader A holds it */
	UT_ASSERT(!pthread_create(&w, NULL, writer, NULL));
	for (int i = 0; i < 5000; i++) {        /* the writer asks */
		bool asks;
		pthread_mutex_lock(&ho.mu);
		asks = ho.wr_wait;
		pthread_mutex_unlock(&ho.mu);
		if (asks)
			break;
		usleep(1000);
	}
	UT_ASSERT(!pthread_create(&r, NULL, reader, "B"));
	until_contended();                      /* B waits */
	UT_ASSERT(handover_contended(&ho));
	note('A');
	handover_rdunlock(&ho);
	pthread_join(w, NULL);
	pthread_join(r, NULL);
	UT_EQ_STR(order, "AWB");
	handover_destroy(&ho);
}

/* The event loop runs a pass of SLOW handlers of SLOW_MS each (the
 * descriptors stay readable, so every pass calls them all: a pass of
 * 400 ms), PASSES times. Without the loop's yields a media worker waits
 * for the end of each pass (its 20 ms tick is ~400 ms late); with them
 * it waits about 2 ms plus one handler, and BOUND_MS, half a pass, is
 * generous: only a loaded machine's scheduling takes it past 20 ms. */
enum { SLOW = 80, SLOW_MS = 5, PASSES = 2, BOUND_MS = 200 };

static struct {
	int efd[SLOW];
	int rx, tx;
	struct sa to;
	unsigned calls;
	uint64_t lag_ms, yields;
	bool done;
	atomic_uint heard;
} busy;

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void slow_h(int flags, void *arg)
{
	uint64_t t0 = mono_ms();
	char b = 1;

	(void)flags;
	(void)arg;
	if (busy.done)
		return;
	/* the worker hears a datagram now and then */
	(void)!sendto(busy.tx, &b, 1, 0, &busy.to.u.sa, busy.to.len);
	while (mono_ms() - t0 < SLOW_MS)
		;
	if (++busy.calls == SLOW * PASSES) {
		busy.lag_ms = mworker_lag_ms();
		busy.yields = mworker_yields();
		busy.done = true;
		re_cancel();
	}
}

/* on the worker */
static void rx_h(int flags, void *arg)
{
	char b[16];

	(void)flags;
	(void)arg;
	while (recv(busy.rx, b, sizeof(b), MSG_DONTWAIT) > 0)
		atomic_fetch_add(&busy.heard, 1);
}

static void guard_h(void *arg)
{
	(void)arg;
	busy.done = true;
	re_cancel();
}

UNIT_TEST(mworker_bounded_wait_while_loop_busy)
{
	struct tmr guard;
	struct sa any;
	int i;

	memset(&busy, 0, sizeof(busy));
	UT_ASSERT(!mworker_start(1));
	sa_set_str(&any, "127.0.0.1", 0);
	busy.rx = socket(AF_INET, SOCK_DGRAM, 0);
	busy.tx = socket(AF_INET, SOCK_DGRAM, 0);
	UT_ASSERT(busy.rx >= 0 && busy.tx >= 0);
	UT_ASSERT(!bind(busy.rx, &any.u.sa, any.len));
	busy.to.len = sizeof(busy.to.u.in);
	UT_ASSERT(!getsockname(busy.rx, &busy.to.u.sa, &busy.to.len));
	mworker_capture_begin(mworker_pick());
	UT_ASSERT(!fd_listen(busy.rx, FD_READ, rx_h, NULL));
	mworker_capture_end();
	for (i = 0; i < SLOW; i++) {
		busy.efd[i] = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
		UT_ASSERT(busy.efd[i] >= 0);
		UT_ASSERT(!fd_listen(busy.efd[i], FD_READ, slow_h, NULL));
	}
	tmr_init(&guard);
	tmr_start(&guard, 20000, guard_h, NULL);
	re_main(NULL);
	tmr_cancel(&guard);
	for (i = 0; i < SLOW; i++) {
		fd_close(busy.efd[i]);
		close(busy.efd[i]);
	}
	fd_close(busy.rx);
	close(busy.rx);
	close(busy.tx);
	mworker_stop();
	UT_EQ_INT(busy.calls, SLOW * PASSES);
	/* the loop let the worker in during its passes, and the worker's
	 * loop was never late by more than the bound */
	if (busy.lag_ms >= BOUND_MS)
		fprintf(stderr, "  worker lag %llu ms\n",
			(unsigned long long)busy.lag_ms);
	UT_ASSERT(busy.lag_ms < BOUND_MS);
	UT_ASSERT(busy.yields > 0);
	UT_ASSERT(atomic_load(&busy.heard) > 0);
}

/* A worker's command that blocks (creating a recording's file can take
 * milliseconds) runs its blocking part without the worker's hold: the
 * control loop's handlers run meanwhile. Without mworker_unlocked the
 * loop would wait for the lock until the blocking part gave up (2 s). */
static struct {
	atomic_bool inside, loop_ran, done;
	bool loop_saw_inside;
} unl;

static void unl_blocking(void *arg)
{
	uint64_t t0 = mono_ms();

	(void)arg;
	atomic_store(&unl.inside, true);
	while (!atomic_load(&unl.loop_ran) && mono_ms() - t0 < 2000)
		usleep(1000);
	atomic_store(&unl.inside, false);
}

static void unl_cmd(void *arg)
{
	mworker_unlocked(unl_blocking, arg);
	atomic_store(&unl.done, true);
}

static void unl_loop_h(void *arg)
{
	struct tmr *t = arg;

	if (!atomic_load(&unl.inside) && !atomic_load(&unl.done)) {
		tmr_start(t, 5, unl_loop_h, t);      /* not there yet */
		return;
	}
	if (!atomic_load(&unl.loop_ran)) {
		unl.loop_saw_inside = atomic_load(&unl.inside);
		atomic_store(&unl.loop_ran, true);
	}
	if (atomic_load(&unl.done))
		re_cancel();
	else
		tmr_start(t, 5, unl_loop_h, t);      /* the command's end */
}

static void unl_end_h(void *arg)
{
	(void)arg;
	re_cancel();                                  /* the guard */
}

UNIT_TEST(mworker_unlocked_lets_the_loop_run)
{
	struct tmr t, end;

	memset(&unl, 0, sizeof(unl));
	UT_ASSERT(!mworker_start(1));
	UT_EQ_INT(mworker_post(mworker_pick(), unl_cmd, NULL), 0);
	tmr_init(&t);
	tmr_init(&end);
	tmr_start(&t, 5, unl_loop_h, &t);
	tmr_start(&end, 3000, unl_end_h, NULL);
	re_main(NULL);
	tmr_cancel(&t);
	tmr_cancel(&end);
	mworker_stop();
	UT_ASSERT(unl.loop_saw_inside);
	UT_ASSERT(atomic_load(&unl.done));
}
