/*
 * mworker.c — media worker threads (mworker.h).
 *
 * The handover between the control loop and the workers (media/handover.h,
 * the turn-taking lock): libre's loop calls epoll_wait() through its PLT,
 * so a definition here comes first (as sipdrain.c does for fd_listen). On
 * the control thread, while workers run, it releases the write side for
 * the wait and takes it back before libre runs any handler. libre never
 * waits with a timeout of 0 (its fd_poll passes the next timer's delay or
 * -1); libmicrohttpd's MHD_run, called from a handler, polls its own epoll
 * with 0 — that call keeps the lock (it is inside a handler).
 *
 * A busy control loop seldom waits, so it also lets the workers in at
 * safe points — between two handlers, where no handler is half done:
 * every descriptor handler of the control loop is called through ctl_h
 * (sipdrain.c's fd_listen wraps it, mworker_wrap), SIP's drain between
 * two datagrams, the media clock between two users. There mworker_yield
 * releases and takes back the write side when a worker waits and the
 * control thread has held it SHARE_NS: a worker then waits at most about
 * SHARE_NS plus the longest single handler, and the control loop keeps at
 * least SHARE_NS of every turn (the lock admits each waiting worker for
 * one batch, then the control thread is back, handover.h).
 *
 * A worker: epoll_wait (its own descriptor set), then the read side for
 * a turn — the batch of events and what else is ready, up to TURN_NS —
 * then let go. Its 20 ms tick (a timerfd, re-armed
 * when handled) measures how late its loop is — waiting for the lock or
 * for a core — for the overload guard (mworker_lag_ms) and GET /metrics.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <re.h>
#define LOG_TOPIC "media.worker"
#include "base/log.h"
#include "media/clock.h"
#include "media/cmdq.h"
#include "media/handover.h"
#include "media/mworker.h"

enum { MAX_FDS = 16384, BATCH = 64, CMDQ_CAP = 64 };

/* the control thread's share of the lock before it lets waiting workers
 * in (mworker_yield); a worker's turn at most, and at least when the
 * control thread asks for the lock back; its tick; the lag window */
static const uint64_t SHARE_NS = 2000000, TURN_NS = 1000000,
	MIN_TURN_NS = 50000, CONTROL_SLICE_NS = 100000,
	TICK_NS = 20000000, WINDOW_NS = 1000000000,
	LATE_WARN_NS = 100000000, WARN_EVERY_NS = 10000000000u;

struct mworker {
	unsigned idx;
	pthread_t th;
	bool started;
	int epfd;
	struct cmdq *cmds;         /* control -> worker */
	int notify_fd;             /* worker -> control: deferred work */
	struct list deferred;      /* worker appends (read side), control
				    * takes (write side) */
	atomic_bool stop;
	atomic_uint_fast64_t busy_ns;
	atomic_uint endpoints;     /* descriptors it polls */
	unsigned calls;            /* control only */
	int tfd;                   /* its 20 ms tick */
	struct mclock_set clk;     /* its media clock's users */
	atomic_uint_fast64_t due;  /* when the armed tick is due */
	atomic_uint_fast64_t wait_ns;     /* waiting for the lock, in all */
	/* the worst lateness of its tick in this window and the one
	 * before (ns); the window's start */
	atomic_uint_fast64_t lag_max, lag_prev, win_start;
	uint64_t warned;           /* worker only: its last "late" line */
	bool relocked;             /* worker only: mworker_unlocked ran */
};

/* a control-loop descriptor's own handler (called through ctl_h) */
struct ctlfd {
	fd_h *fh;
	void *arg;
};

struct fdmap {
	uint8_t w;                 /* worker index + 1; 0: not a worker's */
	int flags;
	fd_h *fh;
	void *arg;
};

static struct {
	unsigned n;
	struct mworker w[MWORKER_MAX];
	struct handover ho;
	struct fdmap *fds;         /* by descriptor */
	uint64_t held_since;       /* control: took the write side */
	bool looping;              /* control: its loop has waited once */
	atomic_uint_fast64_t yields;
} mw;

/* static, not freed with the workers: a descriptor registered through
 * ctl_h may outlive them */
static struct ctlfd ctl[MAX_FDS];

static _Thread_local struct mworker *tl_self;     /* on a worker */
static _Thread_local struct mworker *tl_capture;  /* control: target */
static _Thread_local bool tl_holds;               /* control: writer */

typedef int (epoll_wait_fn)(int, struct epoll_event *, int, int);

static epoll_wait_fn *real_epoll_wait_fn;

static void real_epoll_wait_find(void)
{
	*(void **)&real_epoll_wait_fn = dlsym(RTLD_NEXT, "epoll_wait");
}

/* once for all threads: the workers' first waits come at the same time */
static epoll_wait_fn *real_epoll_wait(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, real_epoll_wait_find);
	return real_epoll_wait_fn;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void tick_arm(struct mworker *w, uint64_t now);

/* The control loop's first wait: the workers waited for the lock all
 * through occd's start, which is not lateness to count (they are paused,
 * so their measures are the control thread's to reset). */
static void loop_begins(void)
{
	uint64_t now = mono_ns();

	mw.looping = true;
	for (unsigned i = 0; i < mw.n; i++) {
		struct mworker *w = &mw.w[i];
		atomic_store(&w->lag_max, 0);
		atomic_store(&w->lag_prev, 0);
		atomic_store(&w->win_start, now);
		tick_arm(w, now);
	}
}

int epoll_wait(int epfd, struct epoll_event *ev, int max, int timeout)
{
	int n, e;

	if (!tl_holds || timeout == 0)
		return real_epoll_wait()(epfd, ev, max, timeout);
	if (!mw.looping)
		loop_begins();
	handover_wrunlock(&mw.ho);
	n = real_epoll_wait()(epfd, ev, max, timeout);
	e = errno;
	handover_wrlock(&mw.ho);
	mw.held_since = mono_ns();
	errno = e;
	return n;
}

void mworker_yield(void)
{
	if (!tl_holds || !handover_contended(&mw.ho) ||
	    mono_ns() - mw.held_since < SHARE_NS)
		return;
	handover_wrunlock(&mw.ho);
	handover_wrlock(&mw.ho);
	mw.held_since = mono_ns();
	atomic_fetch_add(&mw.yields, 1);
}

/* every control-loop descriptor's handler, while workers run */
static void ctl_h(int flags, void *arg)
{
	struct ctlfd *c = arg;

	mworker_yield();
	if (c->fh)
		c->fh(flags, c->arg);
}

void mworker_wrap(int fd, fd_h **fhp, void **argp)
{
	if (fd < 0 || fd >= MAX_FDS)
		return;
	if (!*fhp || !mw.n) {
		ctl[fd] = (struct ctlfd){ 0 };
		return;
	}
	ctl[fd] = (struct ctlfd){ *fhp, *argp };
	*fhp = ctl_h;
	*argp = &ctl[fd];
}

static void tick_arm(struct mworker *w, uint64_t now)
{
	struct itimerspec it = { .it_value = {
		.tv_sec = (time_t)(TICK_NS / 1000000000u),
		.tv_nsec = (long)(TICK_NS % 1000000000u) } };

	atomic_store(&w->due, now + TICK_NS);
	(void)timerfd_settime(w->tfd, 0, &it, NULL);
}

/* on the worker: its tick came `lag` ns late */
static void note_lag(struct mworker *w, uint64_t now, uint64_t lag)
{
	uint64_t start = atomic_load(&w->win_start);

	if (now - start >= WINDOW_NS) {
		atomic_store(&w->lag_prev, now - start < 2 * WINDOW_NS
			     ? atomic_load(&w->lag_max) : 0);
		atomic_store(&w->lag_max, 0);
		atomic_store(&w->win_start, now);
	}
	if (lag > atomic_load(&w->lag_max))
		atomic_store(&w->lag_max, lag);
	/* as the control loop's clock says it (media/clock.c) */
	if (lag >= LATE_WARN_NS && now - w->warned >= WARN_EVERY_NS) {
		w->warned = now;
		OCC_WARN("media clock late lag_ms=%llu worker=%u users=%u: "
			 "the media worker waited for a core or the lock", (unsigned long long)(lag / 1000000),
			 w->idx, list_count(&w->clk.users));
	}
}

/* worker i's worst lateness (ns) in the last second or two, or now */
static uint64_t lag_ns(unsigned i, uint64_t now)
{
	struct mworker *w = &mw.w[i];
	uint64_t due = atomic_load(&w->due), worst = 0;

	if (now - atomic_load(&w->win_start) < 2 * WINDOW_NS) {
		worst = atomic_load(&w->lag_max);
		if (atomic_load(&w->lag_prev) > worst)
			worst = atomic_load(&w->lag_prev);
	}
	/* a tick not handled yet: the worker waits for the lock or a core */
	if (due && now > due && now - due > worst)
		worst = now - due;
	return worst;
}

static void stop_h(void *arg)
{
	struct mworker *w = arg;

	atomic_store(&w->stop, true);
}

/* on a worker inside its media clock's tick: lets the control thread in
 * when it asks (a tick of a few hundred calls' recordings takes
 * milliseconds; the control loop would wait for all of them) */
static void clock_safe_point(void)
{
	if (!handover_writer_asks(&mw.ho))
		return;
	handover_rdunlock(&mw.ho);
	handover_rdlock(&mw.ho);
}

/* on the worker, holding the read side: one batch of events; its clock
 * after the rest, since a safe point in it may let the control loop
 * close descriptors the batch names */
static bool batch(struct mworker *w, const struct epoll_event *ev, int n,
		  uint64_t t0, uint64_t now)
{
	bool ticked = false, cut = false;

	for (int i = 0; i < n; i++) {
		int fd = ev[i].data.fd, flags = 0;
		struct fdmap *f;

		/* the control thread asks: the turn ends once it had its
		 * minimum (the rest is still ready: level-triggered) */
		if (handover_writer_asks(&mw.ho) &&
		    mono_ns() - t0 >= MIN_TURN_NS) {
			cut = true;
			break;
		}

		if (fd == cmdq_fd(w->cmds)) {
			cmdq_run(w->cmds, 0);
			/* the loop may have closed what the rest names */
			if (w->relocked) {
				w->relocked = false;
				cut = true;
				break;
			}
			continue;
		}
		if (fd == w->tfd) {
			uint64_t due = atomic_load(&w->due), x;
			(void)!read(w->tfd, &x, sizeof(x));
			note_lag(w, now, now > due ? now - due : 0);
			tick_arm(w, now);
			ticked = true;
			continue;
		}
		f = &mw.fds[fd];
		if (f->w != w->idx + 1 || !f->fh)
			continue;     /* closed since the wait */
		if (ev[i].events & EPOLLIN)
			flags |= FD_READ;
		if (ev[i].events & EPOLLOUT)
			flags |= FD_WRITE;
		if (ev[i].events & EPOLLERR)
			flags |= FD_EXCEPT;
		if (flags)
			f->fh(flags, f->arg);
	}
	if (ticked)
		mclock_set_run(&w->clk, clock_safe_point);
	return cut;
}

static void *worker_main(void *arg)
{
	struct mworker *w = arg;
	struct epoll_event ev[BATCH];

	tl_self = w;
	log_thread_off_loop();
	while (!atomic_load(&w->stop)) {
		int n = real_epoll_wait()(w->epfd, ev, BATCH, -1);
		uint64_t t0, asked, now;
		bool cut;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			OCC_ERR("worker %u: epoll_wait: %m", w->idx, errno);
			break;
		}
		asked = mono_ns();
		handover_rdlock(&mw.ho);
		t0 = now = mono_ns();
		atomic_fetch_add(&w->wait_ns, t0 - asked);
		/* one turn: what is ready, up to TURN_NS (a busy control
		 * loop lets the workers in every SHARE_NS or so, and one batch
		 * a turn would cap a worker's packets a second) */
		do {
			cut = batch(w, ev, n, t0, now);
			now = mono_ns();
		} while (!cut && now - t0 < TURN_NS &&
			 (n = real_epoll_wait()(w->epfd, ev, BATCH, 0)) > 0);
		atomic_fetch_add(&w->busy_ns, now - t0);
		handover_rdunlock(&mw.ho);
	}
	return NULL;
}

/* control: run what the worker handed over */
static void notify_h(int flags, void *arg)
{
	struct mworker *w = arg;
	uint64_t v;
	struct le *le;

	(void)flags;
	(void)!read(w->notify_fd, &v, sizeof(v));
	while ((le = list_head(&w->deferred))) {
		struct mworker_defer *d = le->data;
		list_unlink(le);
		d->h(d->arg);
	}
}

static int epoll_set(int epfd, int op, int fd, int flags)
{
	struct epoll_event e = { .data.fd = fd };

	if (flags & FD_READ)
		e.events |= EPOLLIN;
	if (flags & FD_WRITE)
		e.events |= EPOLLOUT;
	if (flags & FD_EXCEPT)
		e.events |= EPOLLERR;
	return epoll_ctl(epfd, op, fd, &e) ? errno : 0;
}

static int worker_init(struct mworker *w, unsigned idx)
{
	sigset_t all, old;
	int err;

	w->idx = idx;
	w->notify_fd = -1;
	w->tfd = -1;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0)
		return errno;
	w->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->tfd < 0)
		return errno;
	err = epoll_set(w->epfd, EPOLL_CTL_ADD, w->tfd, FD_READ);
	if (err)
		return err;
	atomic_store(&w->win_start, mono_ns());
	tick_arm(w, mono_ns());
	err = cmdq_alloc(&w->cmds, CMDQ_CAP);
	if (err)
		return err;
	err = epoll_set(w->epfd, EPOLL_CTL_ADD, cmdq_fd(w->cmds), FD_READ);
	if (err)
		return err;
	w->notify_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->notify_fd < 0)
		return errno;
	err = fd_listen(w->notify_fd, FD_READ, notify_h, w);
	if (err)
		return err;
	/* signals are the control loop's (its signalfd): a worker is born
	 * with all of them blocked */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&w->th, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return err;
	w->started = true;
	return 0;
}

static void worker_close(struct mworker *w)
{
	if (w->started) {
		while (cmdq_push(w->cmds, stop_h, w) == ENOSPC)
			usleep(1000);
		pthread_join(w->th, NULL);
		w->started = false;
	}
	if (w->notify_fd >= 0) {
		fd_close(w->notify_fd);
		close(w->notify_fd);
	}
	if (w->epfd >= 0)
		close(w->epfd);
	if (w->tfd >= 0)
		close(w->tfd);
	w->cmds = mem_deref(w->cmds);
	list_clear(&w->deferred);
	mclock_set_clear(&w->clk);
	memset(w, 0, sizeof(*w));
}

/* The kernel's sched_attr (linux/sched/types.h; glibc 2.36 has no
 * wrapper). */
struct sched_attr_ {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
};

/* The control thread asks the scheduler for a short slice (EEVDF, Linux
 * 6.12 and later: sched_runtime of a SCHED_OTHER thread; no privilege
 * needed, older kernels ignore it). With workers keeping its core busy,
 * an API request or a SIP datagram otherwise waited for the running
 * worker's slice or the next scheduler tick (4 ms at HZ=250) before the
 * woken loop got the core: the API's p99 under 1,000 calls was 4.8 ms
 * against 0.2 ms with none. A short slice makes its wakeups preempt;
 * it takes no more of the core than before. */
static void control_short_slice(void)
{
	struct sched_attr_ a = { .size = sizeof(a), .policy = 0,
				 .runtime = CONTROL_SLICE_NS };

	if (syscall(SYS_sched_setattr, 0, &a, 0))
		OCC_INFO("control thread keeps the default scheduler slice: %m",
			 errno);
}

int mworker_start(unsigned n)
{
	unsigned i;
	int err = 0;

	if (!n)
		return 0;
	if (n > MWORKER_MAX)
		return EINVAL;
	mw.fds = mem_zalloc(MAX_FDS * sizeof(*mw.fds), NULL);
	if (!mw.fds)
		return ENOMEM;
	err = handover_init(&mw.ho);
	if (err) {
		mw.fds = mem_deref(mw.fds);
		return err;
	}
	/* the control thread is the writer from now on, except in its
	 * waits and yields */
	handover_wrlock(&mw.ho);
	mw.held_since = mono_ns();
	tl_holds = true;
	for (i = 0; i < n && !err; i++)
		err = worker_init(&mw.w[i], i);
	mw.n = i;
	if (err) {
		OCC_ERR("media worker %u: %m", i - 1, err);
		mworker_stop();
		return err;
	}
	control_short_slice();
	OCC_INFO("media workers started threads=%u", n);
	return 0;
}

void mworker_stop(void)
{
	if (!tl_holds)
		return;
	tl_holds = false;
	handover_wrunlock(&mw.ho);
	for (unsigned i = 0; i < mw.n; i++)
		worker_close(&mw.w[i]);
	mw.n = 0;
	handover_destroy(&mw.ho);
	atomic_store(&mw.yields, 0);
	mw.looping = false;
	mw.fds = mem_deref(mw.fds);
}

unsigned mworker_count(void)
{
	return mw.n;
}

struct mworker *mworker_pick(void)
{
	struct mworker *best = NULL;

	for (unsigned i = 0; i < mw.n; i++)
		if (!best || mw.w[i].calls < best->calls)
			best = &mw.w[i];
	if (best)
		best->calls++;
	return best;
}

void mworker_put(struct mworker *w)
{
	if (w && w->calls)
		w->calls--;
}

void mworker_capture_begin(struct mworker *w)
{
	tl_capture = w;
}

void mworker_capture_end(void)
{
	tl_capture = NULL;
}

struct mworker *mworker_captured(void)
{
	return tl_capture;
}

int mworker_post(struct mworker *w, void (*h)(void *arg), void *arg)
{
	return w ? cmdq_push(w->cmds, h, arg) : EINVAL;
}

void mworker_unlocked(void (*blocking)(void *arg), void *arg)
{
	struct mworker *w = tl_self;

	if (!w) {
		blocking(arg);
		return;
	}
	handover_rdunlock(&mw.ho);
	blocking(arg);
	handover_rdlock(&mw.ho);
	w->relocked = true;
}

struct mclock_set *mworker_clock(struct mworker *w)
{
	return w ? &w->clk : NULL;
}

bool mworker_fd_listen(int fd, int flags, fd_h *fh, void *arg, int *errp)
{
	struct mworker *w = NULL;
	struct fdmap *f;
	bool on = flags && fh;

	if (!mw.n || fd < 0 || fd >= MAX_FDS)
		return false;
	f = &mw.fds[fd];
	if (f->w)
		w = &mw.w[f->w - 1];
	else if (tl_capture && on)
		w = tl_capture;
	if (!w)
		return false;
	if (on) {
		*errp = epoll_set(w->epfd, f->w ? EPOLL_CTL_MOD :
				  EPOLL_CTL_ADD, fd, flags);
		if (!*errp) {
			if (!f->w)
				atomic_fetch_add(&w->endpoints, 1);
			*f = (struct fdmap){ (uint8_t)(w->idx + 1), flags,
					     fh, arg };
		}
	}
	else {
		(void)epoll_ctl(w->epfd, EPOLL_CTL_DEL, fd, NULL);
		atomic_fetch_sub(&w->endpoints, 1);
		*f = (struct fdmap){ 0 };
		*errp = 0;
	}
	return true;
}

bool mworker_on_worker(void)
{
	return tl_self != NULL;
}

void mworker_defer(struct mworker_defer *d, mworker_defer_h *h, void *arg)
{
	uint64_t one = 1;

	if (!d || !h)
		return;
	if (!tl_self) {
		h(arg);
		return;
	}
	d->h = h;
	d->arg = arg;
	if (d->le.list)
		return;               /* already waiting */
	list_append(&tl_self->deferred, &d->le, d);
	(void)!write(tl_self->notify_fd, &one, sizeof(one));
}

void mworker_defer_cancel(struct mworker_defer *d)
{
	if (d)
		list_unlink(&d->le);
}

double mworker_busy_seconds(unsigned i)
{
	return i < mw.n ? (double)atomic_load(&mw.w[i].busy_ns) / 1e9 : 0;
}

unsigned mworker_endpoints(unsigned i)
{
	return i < mw.n ? atomic_load(&mw.w[i].endpoints) : 0;
}

double mworker_lag_seconds(unsigned i)
{
	return i < mw.n ? (double)lag_ns(i, mono_ns()) / 1e9 : 0;
}

double mworker_lock_wait_seconds(unsigned i)
{
	return i < mw.n ? (double)atomic_load(&mw.w[i].wait_ns) / 1e9 : 0;
}

uint64_t mworker_lag_ms(void)
{
	uint64_t now = mono_ns(), worst = 0;

	for (unsigned i = 0; i < mw.n; i++) {
		uint64_t l = lag_ns(i, now);
		if (l > worst)
			worst = l;
	}
	return worst / 1000000;
}

uint64_t mworker_yields(void)
{
	return atomic_load(&mw.yields);
}
