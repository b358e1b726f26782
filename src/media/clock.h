/*
 * clock.h — one 20 ms clock for everything that runs on the media frame:
 * players, recorders, call mixers.
 *
 * libre keeps its timers in one sorted list and inserts by walking it, so
 * a timer restarted every 20 ms per call walks past every long timer
 * (registrations, RTCP, media checks) fifty times a second: with a few
 * hundred calls that walk was a third of occd's CPU. The clock is one
 * timer; its users are a list it calls on each tick.
 *
 * The clock is per thread of media: the control loop's (a libre timer
 * here) and each media worker's (its 20 ms tick, media/mworker.c). A user
 * that belongs to a call joins the call's worker (mclock_join_on), so a
 * recording's file writes, a call's mixer and its keepalive silence run
 * beside the call's packets, off the control loop; what has no worker
 * (players, occd without workers) joins the control loop's.
 *
 * Users embed a struct mclock_user, join with a handler and leave before
 * they are freed (leaving twice, or without having joined, is harmless).
 * A handler may make any user leave, itself included, or join; one who
 * joins during a tick is first called on the next. Handlers work out from
 * the time how many frames are due (a tick can be late), as before.
 */
#ifndef OCC_MEDIA_CLOCK_H
#define OCC_MEDIA_CLOCK_H

#include <re.h>

enum { MCLOCK_MS = 20 };

typedef void (mclock_h)(void *arg);

struct mclock_user {
	struct le le;
	mclock_h *h;
	void *arg;
};

/* A set of users called on the same tick, in order of joining. */
struct mclock_set {
	struct list users;     /* waiting for the next tick */
	struct list pending;   /* still to be called in this tick */
};

struct mworker;

/* Join the control loop's clock. */
void mclock_join(struct mclock_user *u, mclock_h *h, void *arg);
/* Join worker w's clock (the control loop's if w is NULL). On the
 * control thread, or on w itself; a user is on one clock at a time. */
void mclock_join_on(struct mclock_user *u, struct mworker *w, mclock_h *h,
		    void *arg);
void mclock_leave(struct mclock_user *u);
/* Whether u is on the clock. */
bool mclock_joined(const struct mclock_user *u);
/* One tick of set s (media/mworker.c's for a worker's set): every user
 * once, safe_point() before taking each (a handler — or, on a worker,
 * the control loop that safe_point lets in — may free any user, itself
 * included: the others wait in s->pending). */
void mclock_set_run(struct mclock_set *s, void (*safe_point)(void));
/* Forget every user of s (they are not freed: their owners still leave). */
void mclock_set_clear(struct mclock_set *s);
/* Frames due by now (ms) for a stream started at start_ms, the first one at
 * once; *done (the frames already made) is moved up so that at most five
 * are made to catch up after a late tick — never a burst. */
uint64_t mclock_due(int64_t start_ms, int64_t now, uint64_t *done);
/* How late the ticks of the last second or two fired at worst (ms): how
 * far behind the event loop is. 0 while nobody is on the clock. A tick
 * 100 ms late or more is logged (at most every 10 s). */
uint64_t mclock_lag_ms(void);
/* The process's CPU time over the last whole second, in % of one core
 * (occd is one thread: near 100 its loop starves sockets). 0 while nobody
 * is on the clock. */
unsigned mclock_cpu_pct(void);

#endif
