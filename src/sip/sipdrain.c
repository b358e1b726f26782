/*
 * sipdrain.c — read the SIP UDP socket until EAGAIN each pass (sipdrain.h).
 *
 * libre 1.1.0 reads one datagram per readiness event of a UDP socket
 * (udp.c: udp_read_handler → one recvfrom), and its epoll loop calls each
 * ready descriptor's handler once per pass. With N busy RTP sockets the
 * SIP socket gets 1/(N+1) of the reads: at a few hundred calls a burst of
 * REGISTERs or INVITEs queued in the kernel for many passes, timed out
 * and was retransmitted (which made it worse). libre offers no way to feed
 * a datagram read elsewhere into its SIP stack (sip_recv is internal) nor
 * to get the socket's read handler back.
 *
 * So occd interposes libre's fd_listen() and fd_close(): libre calls them
 * through its PLT, and a definition in the executable comes first in the
 * dynamic linker's lookup. Outside a capture (sipdrain_capture_begin/end
 * around sip_transp_add for UDP) every call goes straight to libre's. In a
 * capture, the (fd, handler, arg) that libre registers is kept, and the
 * descriptor is registered with drain() instead, which calls libre's own
 * handler — its own recvfrom, helpers and SIP parser — again and again
 * while a datagram is waiting (a MSG_PEEK recv of one byte), up to
 * SIPDRAIN_BUDGET datagrams a pass. The budget keeps a SIP flood from
 * starving everything else in its turn: at ~20 µs a datagram it bounds a
 * pass's SIP share to ~5 ms, and what is left waits one pass.
 *
 * The sockets of media endpoints made for a worker (media/mworker.h) go
 * to that worker's loop instead of libre's.
 *
 * Loop thread only, like all of libre's fd API.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdbool.h>
#include <time.h>
#include <sys/socket.h>
#include <re.h>
#include "media/mworker.h"
#include "sip/sipdrain.h"

enum {
	SIPDRAIN_BUDGET = 256,      /* datagrams a pass at most */
	BETWEEN_NS = 300000,        /* sipdrain_set_between's interval */
	MAX_DRAINED = 4,            /* IPv4 and IPv6 sockets, and spare */
};

typedef int (fd_listen_fn)(int fd, int flags, fd_h *fh, void *arg);
typedef void (fd_close_fn)(int fd);

struct drained {
	int fd;                     /* -1: free */
	fd_h *fh;                   /* libre's handler */
	void *arg;
};

static struct {
	bool capturing;
	struct drained d[MAX_DRAINED];
	struct sipdrain_stats st;
	void (*between)(void *arg);
	void *between_arg;
} dr = { .d = { { .fd = -1 }, { .fd = -1 }, { .fd = -1 }, { .fd = -1 } } };

static void *next_sym(const char *name)
{
	return dlsym(RTLD_NEXT, name);
}

static fd_listen_fn *real_listen(void)
{
	static fd_listen_fn *f;

	if (!f)
		*(void **)&f = next_sym("fd_listen");
	return f;
}

static fd_close_fn *real_close(void)
{
	static fd_close_fn *f;

	if (!f)
		*(void **)&f = next_sym("fd_close");
	return f;
}

/* the slot of fd; find(-1): a free one */
static struct drained *find(int fd)
{
	for (unsigned i = 0; i < MAX_DRAINED; i++)
		if (dr.d[i].fd == fd)
			return &dr.d[i];
	return NULL;
}

static bool waiting(int fd)
{
	char c;

	return recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) >= 0;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* between two datagrams: a safe point (no SIP handler half done) */
static void between(uint64_t *last)
{
	uint64_t now;

	mworker_yield();
	if (!dr.between || (now = mono_ns()) - *last < BETWEEN_NS)
		return;
	dr.between(dr.between_arg);
	*last = mono_ns();
}

static void drain(int flags, void *arg)
{
	struct drained *d = arg;
	int fd = d->fd;
	unsigned n = 0;
	uint64_t last = dr.between ? mono_ns() : 0;

	/* libre's handler may close the socket (fd_close clears d->fd) */
	do {
		if (n)
			between(&last);
		d->fh(flags, d->arg);
		n++;
	} while (n < SIPDRAIN_BUDGET && d->fd == fd && waiting(fd));
	dr.st.passes++;
	dr.st.datagrams += n;
	if (n == SIPDRAIN_BUDGET)
		dr.st.capped++;
	if (n > dr.st.most)
		dr.st.most = n;
}

int fd_listen(int fd, int flags, fd_h *fh, void *arg)
{
	struct drained *d;
	int err;

	/* a media worker's endpoint socket (media/mworker.h) */
	if (mworker_fd_listen(fd, flags, fh, arg, &err))
		return err;
	d = fd >= 0 ? find(fd) : NULL;
	if (!real_listen())
		return ENOSYS;
	if (!d && dr.capturing && fh && flags == FD_READ) {
		d = find(-1);
		if (d)
			d->fd = fd;
	}
	if (d && (!fh || flags != FD_READ))   /* not a plain read any more */
		d->fd = -1;
	else if (d) {
		d->fh = fh;
		d->arg = arg;
		fh = drain;
		arg = d;
	}
	mworker_wrap(fd, &fh, &arg);    /* lets waiting workers in first */
	return real_listen()(fd, flags, fh, arg);
}

void fd_close(int fd)
{
	struct drained *d;
	int err;

	if (mworker_fd_listen(fd, 0, NULL, NULL, &err))
		return;
	d = fd >= 0 ? find(fd) : NULL;

	if (d)
		d->fd = -1;
	if (real_close())
		real_close()(fd);
}

void sipdrain_capture_begin(void)
{
	dr.capturing = true;
}

unsigned sipdrain_capture_end(void)
{
	unsigned n = 0;

	dr.capturing = false;
	for (unsigned i = 0; i < MAX_DRAINED; i++)
		n += dr.d[i].fd >= 0;
	return n;
}

void sipdrain_set_between(void (*h)(void *arg), void *arg)
{
	dr.between = h;
	dr.between_arg = arg;
}

void sipdrain_stats(struct sipdrain_stats *st)
{
	*st = dr.st;
}
