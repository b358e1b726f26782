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

void mclock_join(struct mclock_user *u, mclock_h *h, void *arg);
void mclock_leave(struct mclock_user *u);
/* Whether u is on the clock. */
bool mclock_joined(const struct mclock_user *u);
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
