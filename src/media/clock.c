/*
 * clock.c — the shared 20 ms media clock (see clock.h for why).
 */
#include <sys/resource.h>
#include <re.h>
#define LOG_TOPIC "media.clock"
#include "base/log.h"
#include "media/clock.h"
#include "media/mworker.h"

enum { LAG_WINDOW_MS = 1000, LAG_WARN_MS = 100, LAG_WARN_EVERY_MS = 10000,
       CATCH_UP_MAX = 5 };

static struct mclock_set ctl;  /* the control loop's users */
static struct tmr tmr;
static uint64_t next_at;      /* when the running tick was due (jiffies) */
/* the worst lateness of the ticks in this window and the one before */
static uint64_t win_start, win_max, prev_max, warned_at;
/* the loop thread's CPU time at the window's start (not the password
 * worker's, core/slowhash.c), and its share of the last
 * whole window */
static uint64_t win_cpu_us;
static unsigned cpu_pct;

static uint64_t cpu_us(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_THREAD, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
		(uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static void note_lag(uint64_t now, uint64_t lag)
{
	if (now - win_start >= LAG_WINDOW_MS) {
		bool consecutive = now - win_start < 2 * LAG_WINDOW_MS;
		uint64_t cpu = cpu_us();
		prev_max = consecutive ? win_max : 0;
		cpu_pct = consecutive && cpu >= win_cpu_us
			? (unsigned)((cpu - win_cpu_us) / 10 / (now - win_start))
			: 0;
		win_max = 0;
		win_start = now;
		win_cpu_us = cpu;
	}
	if (lag > win_max)
		win_max = lag;
	if (lag >= LAG_WARN_MS && now - warned_at >= LAG_WARN_EVERY_MS) {
		warned_at = now;
		OCC_WARN("media clock late lag_ms=%llu users=%u: the event loop "
			 "is overloaded", (unsigned long long)lag,
			 list_count(&ctl.users));
	}
}

void mclock_set_run(struct mclock_set *s, void (*safe_point)(void))
{
	struct le *le;

	/* everyone into "pending"; each goes back to "users" just before its
	 * call, so a handler freeing any user (itself, another) is safe, and
	 * so is the control loop making one leave while a worker's
	 * safe_point lets it in */
	while ((le = list_head(&s->users))) {
		list_unlink(le);
		list_append(&s->pending, le, le->data);
	}
	for (;;) {
		struct mclock_user *u;
		/* before taking the next one: while a worker lets the control
		 * loop in, any user may leave and be freed */
		safe_point();
		le = list_head(&s->pending);
		if (!le)
			break;
		u = le->data;
		list_unlink(le);
		list_append(&s->users, le, u);
		u->h(u->arg);
	}
}

void mclock_set_clear(struct mclock_set *s)
{
	list_clear(&s->users);
	list_clear(&s->pending);
}

static void tick(void *arg)
{
	uint64_t now = tmr_jiffies();

	(void)arg;
	note_lag(now, now > next_at ? now - next_at : 0);
	next_at = now + MCLOCK_MS;
	tmr_start(&tmr, MCLOCK_MS, tick, NULL);
	mclock_set_run(&ctl, mworker_yield);  /* between two users: safe */
	if (list_isempty(&ctl.users))
		tmr_cancel(&tmr);
}

void mclock_join(struct mclock_user *u, mclock_h *h, void *arg)
{
	mclock_join_on(u, NULL, h, arg);
}

void mclock_join_on(struct mclock_user *u, struct mworker *w, mclock_h *h,
		    void *arg)
{
	struct mclock_set *s = mworker_clock(w);

	if (!u || mclock_joined(u))
		return;
	u->h = h;
	u->arg = arg;
	if (s) {
		list_append(&s->users, &u->le, u);
		return;
	}
	list_append(&ctl.users, &u->le, u);
	if (!tmr_isrunning(&tmr)) {
		next_at = tmr_jiffies() + MCLOCK_MS;
		tmr_start(&tmr, MCLOCK_MS, tick, NULL);
	}
}

void mclock_leave(struct mclock_user *u)
{
	if (u && u->le.list)
		list_unlink(&u->le);
}

bool mclock_joined(const struct mclock_user *u)
{
	return u && u->le.list != NULL;
}

/* The measures describe the last second or two only while ticks come. */
static bool measuring(void)
{
	return tmr_isrunning(&tmr) &&
		tmr_jiffies() - win_start < 2 * LAG_WINDOW_MS;
}

unsigned mclock_cpu_pct(void)
{
	return measuring() ? cpu_pct : 0;
}

uint64_t mclock_lag_ms(void)
{
	if (!measuring())
		return 0;
	return win_max > prev_max ? win_max : prev_max;
}

uint64_t mclock_due(int64_t start_ms, int64_t now, uint64_t *done)
{
	uint64_t due = (uint64_t)(now - start_ms) / MCLOCK_MS + 1;

	if (due > *done + CATCH_UP_MAX)
		*done = due - CATCH_UP_MAX;
	return due;
}
