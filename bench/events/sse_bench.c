/*
 * sse_bench.c — the client of bench/events/run.sh: N Server-Sent Events
 * subscribers and the API caller that makes the events, in one process,
 * one thread, one epoll loop, one monotonic clock.
 *
 *   sse_bench --sub HOST:PORT --sub-path PATH --api HOST:PORT --cred CRED
 *             --first-id N -n SUBS [--rate R --duration S] [--max-duration S
 *             --window W] [--src ADDR] [--pids "PID..."]
 *             [--aux-pids "PID..."] [--tag T] [--out FILE] [--parallel P]
 *             [--drain S]
 *
 * Subscribers: SUBS connections to HOST:PORT, each "GET PATH" with
 * Accept: text/event-stream (HTTP/1.1, chunked or not), at most P
 * connecting at once, each bound to ADDR (a loopback address of its own per
 * run, so runs never meet each other's TIME_WAIT ports). Every one must
 * answer 200, or the run fails.
 *
 * Events: the caller POSTs, on one keep-alive connection (HTTP/1.1
 * pipelining: replies come back in order),
 * EVENT=QUEUEPAUSE&type=1&pause_reason=rest&pushevent=yes&CRED, then
 * type=2, alternately; each successful call (BackMsg_14) makes exactly one
 * event "source=AGENT&event=state&...&state=pause|idle&...&eventid=E&" of
 * the team, so call k (1-based, counted from the start) is event
 * FIRST_ID + k, and its state is "pause" for odd k, "idle" for even k.
 * FIRST_ID is the team's newest eventid before the run; nothing else may
 * publish meanwhile (an eventid beyond the calls made counts as
 * "unexpected", a wrong state as "wrong"). Before the first call an
 * unpause without pushevent (which publishes nothing) makes sure the agent
 * is not paused.
 *
 * Phases: "connect"; "warmup" (call 1; every subscriber must get it within
 * 10 s: all are live); "steady" (R calls per second for S seconds on a
 * fixed schedule, open loop: a call does not wait for the previous
 * replies); "max" (calls back to back for S seconds, but at most W events
 * not yet delivered to every subscriber). After each timed phase the
 * client waits (at most --drain s) until every subscriber has every event.
 *
 * Latency of a delivery = the monotonic time the subscriber's read()
 * returned the event minus the time just before the API request was
 * written. Fan-out time of an event = the same for its last subscriber.
 *
 * Results go to --out as key=value lines, prefixed with --tag: per phase
 * events, deliveries, missing, duplicates, reordered, wrong, unexpected,
 * latency p50/p90/p99/max (µs, over all deliveries), fan-out p50/p99/max,
 * deliveries/s, CPU (utime+stime of --pids, of --aux-pids, of this
 * process, and of everything else on the machine) and VmRSS of --pids.
 * Exit 0 if every subscriber got every event once, in order, with the
 * right content, and every call succeeded.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
	LINE_MAX_ = 2048,        /* SSE line / response header block */
	KCAP = 1 << 15,          /* calls per run at most */
	HIST_US = 1000000,       /* 1 µs bins up to 1 s ... */
	HIST_MS = 120000,        /* ... then 1 ms bins up to 120 s */
	NPHASE = 3,              /* warmup, steady, max */
};

enum sub_state { S_IDLE, S_CONNECTING, S_HEADERS, S_BODY, S_DEAD };
enum chunk_state { C_SIZE, C_EXT, C_SIZE_LF, C_DATA, C_DATA_CR, C_DATA_LF };

struct sub {
	int fd;
	uint8_t st;
	uint8_t chunked;
	uint8_t cst;
	uint8_t truncated;
	uint8_t bad;             /* broken framing: close it */
	uint32_t cleft;          /* chunk bytes left */
	uint32_t len;            /* bytes in line[] */
	int64_t pending;         /* eventid of the SSE event being read, -1 */
	int8_t pstate;           /* its state: 1 pause, 2 idle, 0 other */
	uint32_t maxk;           /* highest call number delivered */
	uint64_t *bits;          /* calls delivered (bitmap, KCAP bits) */
	char line[LINE_MAX_];
};

struct phase {
	const char *name;
	uint32_t k0, k1;         /* calls k0..k1-1 */
	int64_t t_start, t_end_send, t_last;
	uint64_t deliveries;     /* first copies of timed events */
	uint64_t dups, reordered, wrong;
	uint32_t *hist_us, *hist_ms;
	uint64_t over;
	int64_t max_lat;
	long long srv_ticks, aux_ticks, busy_ticks, cli_us;
	long long rss_end;
};

static struct {
	struct sockaddr_in sub_addr, api_addr, src_addr;
	bool have_src;
	const char *sub_path, *host, *cred;
	int64_t first_id;
	unsigned n, parallel;
	double rate, duration, max_duration, drain;
	unsigned window;
	char pids[512], aux_pids[512];
	const char *tag, *out;

	int ep;
	struct sub *subs;
	unsigned connected, connecting, next_connect, failed, closed;
	unsigned bad_status;
	char first_error[256];

	/* the API caller */
	int afd;
	uint32_t replied;        /* calls answered (in order: pipelined) */
	char abuf[65536];
	size_t alen;
	unsigned api_fail;
	char api_first_bad[256];
	int64_t api_lat_sum, api_lat_max;

	/* calls */
	uint32_t sent;           /* calls made (k = 1..sent) */
	uint32_t completed;      /* calls delivered to every subscriber */
	int64_t *tsend;          /* [KCAP+1] */
	uint32_t *cnt;           /* [KCAP+1] subscribers that have call k */
	int64_t *fanout;         /* [KCAP+1] time of the last delivery */
	int64_t *alat;           /* [KCAP+1] API reply time of call k */
	int64_t *tsend_rt;       /* [KCAP+1] CLOCK_REALTIME of the write */
	int64_t *arx;            /* [KCAP+1] reply time by the kernel's stamp */

	/* the API probe: AGENTSTATUS (publishes nothing) on a connection of
	 * its own at --probe-rate during the steady phase */
	double probe_rate;
	int pfd;
	char pbuf[65536];
	size_t plen;
	uint32_t psent, preplied;
	unsigned pfail;
	int64_t *ptsend, *ptsend_rt, *plat, *prx; /* [KCAP+1] */
	uint8_t *phase_of;       /* [KCAP+1] */
	uint64_t old, unexpected;
	struct phase ph[NPHASE];
	FILE *o;
} g;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t rt_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sse_bench: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(2);
}

static void note_error(const char *fmt, ...)
{
	va_list ap;

	if (g.first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(g.first_error, sizeof(g.first_error), fmt, ap);
	va_end(ap);
}

static void parse_addr(struct sockaddr_in *sa, const char *s)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof(host))
		die("bad address %s", s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)atoi(colon + 1));
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		die("bad address %s", s);
}

/* ---- server processes: CPU and memory ------------------------------------ */

static long long proc_ticks_of(const char *list)
{
	char path[64], buf[1024], *save = NULL, *p, pids[512];
	long long sum = 0;

	snprintf(pids, sizeof(pids), "%s", list);
	for (p = strtok_r(pids, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		FILE *f;
		unsigned long ut = 0, st = 0;
		snprintf(path, sizeof(path), "/proc/%s/stat", p);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f)) {
			char *r = strrchr(buf, ')');
			/* after ") ": state is field 3; utime 14, stime 15 */
			if (r && sscanf(r + 2, "%*c %*d %*d %*d %*d %*d %*u %*u "
					"%*u %*u %*u %lu %lu", &ut, &st) == 2)
				sum += (long long)(ut + st);
		}
		fclose(f);
	}
	return sum;
}

static long long proc_ticks(void)
{
	return proc_ticks_of(g.pids);
}

/* Busy clock ticks of the whole machine (user, nice, system, irq,
 * softirq), as bench/lib.sh's bench_busy_ticks. */
static long long busy_ticks(void)
{
	long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");

	if (!f)
		return 0;
	if (fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld", &v[0], &v[1],
		   &v[2], &v[3], &v[4], &v[5], &v[6]) != 7)
		v[0] = v[1] = v[2] = v[5] = v[6] = 0;
	fclose(f);
	return v[0] + v[1] + v[2] + v[5] + v[6];
}

static long long proc_rss(void)
{
	char path[64], line[256], *save = NULL, *p, pids[512];
	long long sum = 0;

	snprintf(pids, sizeof(pids), "%s", g.pids);
	for (p = strtok_r(pids, " ", &save); p; p = strtok_r(NULL, " ", &save)) {
		FILE *f;
		snprintf(path, sizeof(path), "/proc/%s/status", p);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			long long kb;
			if (sscanf(line, "VmRSS: %lld kB", &kb) == 1)
				sum += kb * 1024;
		}
		fclose(f);
	}
	return sum;
}

static long long self_cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (long long)ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec +
		(long long)ru.ru_stime.tv_sec * 1000000 + ru.ru_stime.tv_usec;
}

/* ---- deliveries ------------------------------------------------------------ */

static void hist_add(struct phase *ph, int64_t ns)
{
	int64_t us = ns / 1000;

	if (us < 0)
		us = 0;
	if (ns > ph->max_lat)
		ph->max_lat = ns;
	if (us < HIST_US)
		ph->hist_us[us]++;
	else if (us / 1000 < HIST_MS)
		ph->hist_ms[us / 1000]++;
	else
		ph->over++;
}

/* The q-quantile (0..1) in µs. */
static double hist_q(const struct phase *ph, double q)
{
	uint64_t total = 0, seen = 0, want;

	for (unsigned i = 0; i < HIST_US; i++)
		total += ph->hist_us[i];
	for (unsigned i = 0; i < HIST_MS; i++)
		total += ph->hist_ms[i];
	total += ph->over;
	if (!total)
		return -1;
	want = (uint64_t)(q * (double)total);
	if (want >= total)
		want = total - 1;
	for (unsigned i = 0; i < HIST_US; i++) {
		seen += ph->hist_us[i];
		if (seen > want)
			return i;
	}
	for (unsigned i = 0; i < HIST_MS; i++) {
		seen += ph->hist_ms[i];
		if (seen > want)
			return (double)i * 1000;
	}
	return (double)ph->max_lat / 1000;
}

static void deliver(struct sub *s, int64_t eventid, int state, int64_t t)
{
	uint32_t k;
	struct phase *ph;

	if (eventid <= g.first_id) {
		g.old++;              /* from before the run (nchan's buffer) */
		return;
	}
	if (eventid - g.first_id > (int64_t)g.sent) {
		g.unexpected++;
		note_error("unexpected eventid %lld (calls made: %u)",
			   (long long)eventid, g.sent);
		return;
	}
	k = (uint32_t)(eventid - g.first_id);
	ph = &g.ph[g.phase_of[k]];
	if (!s->bits) {
		s->bits = calloc(KCAP / 64 + 1, sizeof(uint64_t));
		if (!s->bits)
			die("out of memory");
	}
	if (s->bits[k / 64] & (1ull << (k % 64))) {
		ph->dups++;
		note_error("duplicate: eventid %lld twice on subscriber %ld",
			   (long long)eventid, (long)(s - g.subs));
		return;
	}
	s->bits[k / 64] |= 1ull << (k % 64);
	if (k < s->maxk) {
		ph->reordered++;
		note_error("out of order: eventid %lld after %lld",
			   (long long)eventid, (long long)(g.first_id + s->maxk));
	}
	else
		s->maxk = k;
	if (state != ((k & 1) ? 1 : 2)) {
		ph->wrong++;
		note_error("eventid %lld has the wrong state", (long long)eventid);
	}
	ph->deliveries++;
	ph->t_last = t;
	hist_add(ph, t - g.tsend[k]);
	if (++g.cnt[k] == g.n) {
		g.fanout[k] = t - g.tsend[k];
		g.completed++;
	}
}

/* One SSE line (without its line break). */
static void sse_line(struct sub *s, const char *p, size_t n, int64_t t)
{
	const char *e;

	if (n && p[n - 1] == '\r')
		n--;
	if (!n) {
		if (s->pending >= 0)
			deliver(s, s->pending, s->pstate, t);
		s->pending = -1;
		s->pstate = 0;
		return;
	}
	if (n < 5 || memcmp(p, "data:", 5))
		return;               /* id:, event:, retry:, comments */
	e = memmem(p, n, "eventid=", 8);
	if (e) {
		int64_t v = 0;
		e += 8;
		while (e < p + n && *e >= '0' && *e <= '9')
			v = v * 10 + (*e++ - '0');
		s->pending = v;
	}
	e = memmem(p, n, "&state=", 7);
	if (e && e + 7 < p + n) {
		e += 7;
		if (p + n - e >= 6 && !memcmp(e, "pause&", 6))
			s->pstate = 1;
		else if (p + n - e >= 5 && !memcmp(e, "idle&", 5))
			s->pstate = 2;
	}
}

static void sse_feed(struct sub *s, const char *p, size_t n, int64_t t)
{
	while (n) {
		const char *nl = memchr(p, '\n', n);
		size_t seg = nl ? (size_t)(nl - p) : n;

		if (!s->len && nl) {
			sse_line(s, p, seg, t);      /* whole line at hand */
		}
		else {
			size_t room = sizeof(s->line) - s->len;
			if (seg > room) {
				seg = room;
				s->truncated = 1;
			}
			memcpy(s->line + s->len, p, seg);
			s->len += (uint32_t)seg;
			if (!nl)
				return;
			sse_line(s, s->line, s->len, t);
			s->len = 0;
			seg = (size_t)(nl - p);
		}
		p += seg + 1;
		n -= seg + 1;
	}
}

/* The body bytes of a response: de-chunked when chunked. */
static void body_feed(struct sub *s, const char *p, size_t n, int64_t t)
{
	if (!s->chunked) {
		sse_feed(s, p, n, t);
		return;
	}
	while (n) {
		char c = *p;
		switch (s->cst) {
		case C_SIZE:
			if (isxdigit((unsigned char)c)) {
				s->cleft = s->cleft * 16 +
					(uint32_t)(isdigit((unsigned char)c) ? c - '0'
						   : (tolower((unsigned char)c) - 'a' + 10));
			}
			else if (c == '\r')
				s->cst = C_SIZE_LF;
			else
				s->cst = C_EXT;
			p++, n--;
			break;
		case C_EXT:
			if (c == '\r')
				s->cst = C_SIZE_LF;
			p++, n--;
			break;
		case C_SIZE_LF:
			if (c != '\n') {
				note_error("bad chunk framing");
				s->bad = 1;
				return;
			}
			if (!s->cleft) {
				note_error("the stream ended (last chunk)");
				s->bad = 1;
				return;
			}
			s->cst = C_DATA;
			p++, n--;
			break;
		case C_DATA: {
			size_t m = n < s->cleft ? n : s->cleft;
			sse_feed(s, p, m, t);
			s->cleft -= (uint32_t)m;
			p += m, n -= m;
			if (!s->cleft)
				s->cst = C_DATA_CR;
			break;
		}
		case C_DATA_CR:
			s->cst = C_DATA_LF;
			p++, n--;
			break;
		case C_DATA_LF:
			s->cst = C_SIZE;
			s->cleft = 0;
			p++, n--;
			break;
		}
	}
}

/* ---- subscriber connections ------------------------------------------------ */

static void sub_close(struct sub *s, bool failed)
{
	if (s->fd >= 0) {
		epoll_ctl(g.ep, EPOLL_CTL_DEL, s->fd, NULL);
		close(s->fd);
	}
	s->fd = -1;
	if (s->st == S_CONNECTING || s->st == S_HEADERS) {
		g.connecting--;
		if (failed)
			g.failed++;
	}
	else if (s->st == S_BODY)
		g.closed++;
	s->st = S_DEAD;
}

static void sub_connect(struct sub *s, unsigned idx)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = idx };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket: %s (raise ulimit -n)", strerror(errno));
	if (g.have_src && bind(fd, (struct sockaddr *)&g.src_addr,
			       sizeof(g.src_addr)))
		die("bind: %s", strerror(errno));
	s->fd = fd;
	s->st = S_CONNECTING;
	s->pending = -1;
	g.connecting++;
	if (connect(fd, (struct sockaddr *)&g.sub_addr, sizeof(g.sub_addr)) &&
	    errno != EINPROGRESS) {
		note_error("connect: %s", strerror(errno));
		sub_close(s, true);
		return;
	}
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, fd, &ev))
		die("epoll_ctl: %s", strerror(errno));
}

static void sub_writable(struct sub *s, unsigned idx)
{
	char req[1024];
	int err = 0, n;
	socklen_t len = sizeof(err);
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = idx };

	if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len) || err) {
		note_error("connect: %s", strerror(err));
		sub_close(s, true);
		return;
	}
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: %s\r\n"
		     "Accept: text/event-stream\r\nCache-Control: no-cache\r\n"
		     "User-Agent: occ-bench-events\r\n\r\n", g.sub_path, g.host);
	if (write(s->fd, req, (size_t)n) != n) {
		note_error("request write failed");
		sub_close(s, true);
		return;
	}
	s->st = S_HEADERS;
	s->len = 0;
	epoll_ctl(g.ep, EPOLL_CTL_MOD, s->fd, &ev);
}

/* Response headers in s->line[0..len); the rest (body) follows. */
static void sub_headers(struct sub *s, const char *p, size_t n, int64_t t)
{
	size_t room = sizeof(s->line) - s->len, m = n < room ? n : room;
	char *end, *h;
	size_t hlen, rest;
	int status = 0;

	memcpy(s->line + s->len, p, m);
	s->len += (uint32_t)m;
	end = memmem(s->line, s->len, "\r\n\r\n", 4);
	if (!end) {
		if (s->len == sizeof(s->line)) {
			note_error("response headers too long");
			sub_close(s, true);
		}
		return;
	}
	hlen = (size_t)(end - s->line) + 4;
	*end = 0;
	if (sscanf(s->line, "HTTP/1.%*d %d", &status) != 1 || status != 200) {
		g.bad_status++;
		note_error("subscriber got status %d: %.100s", status, s->line);
		sub_close(s, true);
		return;
	}
	for (h = s->line; (h = strcasestr(h, "transfer-encoding:")); h++) {
		if (strcasestr(h, "chunked"))
			s->chunked = 1;
	}
	/* whatever came after the headers, from this read */
	rest = s->len - hlen;
	{
		char tail[LINE_MAX_];
		memcpy(tail, s->line + hlen, rest);
		s->len = 0;
		s->st = S_BODY;
		s->cst = C_SIZE;
		s->cleft = 0;
		g.connecting--;
		g.connected++;
		if (rest)
			body_feed(s, tail, rest, t);
	}
	/* bytes of this read beyond what fit: part of the body */
	if (m < n && s->st == S_BODY)
		body_feed(s, p + m, n - m, t);
}

static void sub_readable(struct sub *s)
{
	static char buf[65536];
	ssize_t r;

	for (;;) {
		int64_t t;
		r = read(s->fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		t = now_ns();
		if (r <= 0) {
			if (s->st == S_BODY)
				note_error("a subscriber's stream was closed by "
					   "the server");
			else
				note_error("connection closed before the "
					   "response headers");
			sub_close(s, true);
			return;
		}
		if (s->st == S_HEADERS)
			sub_headers(s, buf, (size_t)r, t);
		else if (s->st == S_BODY)
			body_feed(s, buf, (size_t)r, t);
		if (s->bad) {
			sub_close(s, true);
			return;
		}
		if (s->st == S_DEAD)
			return;
		if ((size_t)r < sizeof(buf))
			return;
	}
}

/* ---- the API caller ---------------------------------------------------------- */

/* Connect, and make sure the agent is not paused: an unpause without
 * pushevent publishes nothing (its reply, success or "not paused", is not
 * looked at). */
static void api_connect(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = UINT32_MAX };
	char body[512], req[1024], buf[4096];
	size_t got = 0;
	int one = 1, n, bl;

	g.afd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (g.afd < 0 || connect(g.afd, (struct sockaddr *)&g.api_addr,
				 sizeof(g.api_addr)))
		die("API connect: %s", strerror(errno));
	setsockopt(g.afd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(g.afd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	bl = snprintf(body, sizeof(body), "EVENT=QUEUEPAUSE&type=2&%s", g.cred);
	n = snprintf(req, sizeof(req), "POST /coccinterfaces HTTP/1.1\r\n"
		     "Host: %s\r\nContent-Type: application/x-www-form-urlencoded"
		     "\r\nContent-Length: %d\r\n\r\n%s", g.host, bl, body);
	if (write(g.afd, req, (size_t)n) != n)
		die("API write: %s", strerror(errno));
	for (;;) {
		ssize_t r = read(g.afd, buf + got, sizeof(buf) - 1 - got);
		char *end, *cl;
		if (r <= 0)
			die("API reset: no reply");
		got += (size_t)r;
		buf[got] = 0;
		end = strstr(buf, "\r\n\r\n");
		cl = strcasestr(buf, "content-length:");
		if (end && cl && got >= (size_t)(end - buf) + 4 +
		    strtoul(cl + 15, NULL, 10))
			break;
		if (got == sizeof(buf) - 1)
			die("API reset: reply too long");
	}
	fcntl(g.afd, F_SETFL, fcntl(g.afd, F_GETFL) | O_NONBLOCK);
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, g.afd, &ev))
		die("epoll_ctl: %s", strerror(errno));
}

static void api_call(uint8_t phase)
{
	char body[512], req[1024];
	uint32_t k = g.sent + 1;
	int n, bl;

	if (k > KCAP)
		die("more than %u calls", KCAP);
	bl = snprintf(body, sizeof(body), "EVENT=QUEUEPAUSE&type=%s"
		      "&pushevent=yes&%s", (k & 1) ? "1&pause_reason=rest" : "2",
		      g.cred);
	n = snprintf(req, sizeof(req), "POST /coccinterfaces HTTP/1.1\r\n"
		     "Host: %s\r\nContent-Type: application/x-www-form-urlencoded"
		     "\r\nContent-Length: %d\r\n\r\n%s", g.host, bl, body);
	g.phase_of[k] = phase;
	g.sent = k;
	g.tsend[k] = now_ns();
	g.tsend_rt[k] = rt_ns();
	/* small requests on a socket whose replies we keep reading: the
	 * send buffer does not fill up */
	if (write(g.afd, req, (size_t)n) != n)
		die("API write: %s", strerror(errno));
}

/* read() that also returns the kernel's receive time (SO_TIMESTAMPNS,
 * CLOCK_REALTIME) of the last segment read: when the server's bytes
 * arrived, whatever this loop was busy with then. 0 if none. */
static ssize_t read_stamped(int fd, char *buf, size_t n, int64_t *rx)
{
	char ctl[CMSG_SPACE(sizeof(struct timespec))];
	struct iovec iov = { .iov_base = buf, .iov_len = n };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = ctl, .msg_controllen = sizeof(ctl) };
	ssize_t r = recvmsg(fd, &msg, 0);

	*rx = 0;
	for (struct cmsghdr *c = r > 0 ? CMSG_FIRSTHDR(&msg) : NULL; c;
	     c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
			struct timespec ts;
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			*rx = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		}
	return r;
}

/* One whole reply at the head of buf: its length, and its body. */
static size_t reply_whole(char *buf, size_t len, char **body, size_t *clen)
{
	char *end = strstr(buf, "\r\n\r\n"), *cl;
	size_t hlen;

	if (!end)
		return 0;
	hlen = (size_t)(end - buf) + 4;
	*end = 0;
	cl = strcasestr(buf, "content-length:");
	*end = '\r';
	if (!cl)
		die("API reply without Content-Length");
	*clen = strtoul(cl + 15, NULL, 10);
	if (len < hlen + *clen)
		return 0;
	*body = buf + hlen;
	return hlen + *clen;
}

static void reply_drop(char *buf, size_t *len, size_t used)
{
	memmove(buf, buf + used, *len - used + 1);
	*len -= used;
}

/* Replies come in the order of the calls (HTTP/1.1 pipelining). */
static void api_readable(void)
{
	for (;;) {
		int64_t rx;
		ssize_t r = read_stamped(g.afd, g.abuf + g.alen,
					 sizeof(g.abuf) - 1 - g.alen, &rx);
		int64_t t;
		char *bodyp;
		size_t clen, used;

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0)
			die("the API connection was closed");
		t = now_ns();
		g.alen += (size_t)r;
		g.abuf[g.alen] = 0;
		while ((used = reply_whole(g.abuf, g.alen, &bodyp, &clen))) {
			int64_t lat;
			uint32_t k;

			if (g.replied >= g.sent)
				die("an API reply without a call");
			k = ++g.replied;
			lat = t - g.tsend[k];
			g.alat[k] = lat;
			g.arx[k] = rx ? rx - g.tsend_rt[k] : lat;
			g.api_lat_sum += lat;
			if (lat > g.api_lat_max)
				g.api_lat_max = lat;
			if (strncmp(bodyp, "|Retuen|1|Retuen|BackMsg_14", 27)) {
				g.api_fail++;
				if (!g.api_first_bad[0])
					snprintf(g.api_first_bad,
						 sizeof(g.api_first_bad),
						 "call %u: %.*s", k, (int)clen,
						 bodyp);
			}
			reply_drop(g.abuf, &g.alen, used);
		}
		if (g.alen >= sizeof(g.abuf) - 1)
			die("API reply too long");
	}
}

static void probe_connect(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u32 = UINT32_MAX - 1 };
	int one = 1;

	g.pfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (g.pfd < 0 || (connect(g.pfd, (struct sockaddr *)&g.api_addr,
				  sizeof(g.api_addr)) && errno != EINPROGRESS))
		die("probe connect: %s", strerror(errno));
	setsockopt(g.pfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(g.pfd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	if (epoll_ctl(g.ep, EPOLL_CTL_ADD, g.pfd, &ev))
		die("epoll_ctl: %s", strerror(errno));
}

static void probe_call(void)
{
	char req[1024];
	uint32_t k = g.psent + 1;
	int n;

	if (k > KCAP)
		return;
	n = snprintf(req, sizeof(req), "POST /coccinterfaces HTTP/1.1\r\n"
		     "Host: %s\r\nContent-Type: application/x-www-form-urlencoded"
		     "\r\nContent-Length: %zu\r\n\r\nEVENT=AGENTSTATUS&%s", g.host,
		     strlen(g.cred) + 18, g.cred);
	g.psent = k;
	g.ptsend[k] = now_ns();
	g.ptsend_rt[k] = rt_ns();
	if (write(g.pfd, req, (size_t)n) != n)
		die("probe write: %s", strerror(errno));
}

static void probe_readable(void)
{
	for (;;) {
		int64_t rx, t;
		ssize_t r = read_stamped(g.pfd, g.pbuf + g.plen,
					 sizeof(g.pbuf) - 1 - g.plen, &rx);
		char *bodyp;
		size_t clen, used;

		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (r <= 0)
			die("the probe connection was closed");
		t = now_ns();
		g.plen += (size_t)r;
		g.pbuf[g.plen] = 0;
		while ((used = reply_whole(g.pbuf, g.plen, &bodyp, &clen))) {
			uint32_t k;

			if (g.preplied >= g.psent)
				die("a probe reply without a call");
			k = ++g.preplied;
			g.plat[k] = t - g.ptsend[k];
			g.prx[k] = rx ? rx - g.ptsend_rt[k] : g.plat[k];
			if (strncmp(g.pbuf, "HTTP/1.1 200", 12))
				g.pfail++;
			reply_drop(g.pbuf, &g.plen, used);
		}
		if (g.plen >= sizeof(g.pbuf) - 1)
			die("probe reply too long");
	}
}

/* ---- the loop ---------------------------------------------------------------- */

static void step(int timeout_ms)
{
	struct epoll_event evs[1024];
	int n = epoll_wait(g.ep, evs, 1024, timeout_ms);

	if (n < 0 && errno != EINTR)
		die("epoll_wait: %s", strerror(errno));
	/* the API's sockets first: their replies are timed at read() */
	for (int i = 0; i < n; i++) {
		if (evs[i].data.u32 == UINT32_MAX)
			api_readable();
		else if (evs[i].data.u32 == UINT32_MAX - 1)
			probe_readable();
	}
	for (int i = 0; i < n; i++) {
		uint32_t idx = evs[i].data.u32;
		struct sub *s;
		if (idx >= UINT32_MAX - 1)
			continue;
		s = &g.subs[idx];
		if (s->st == S_CONNECTING)
			sub_writable(s, idx);
		else if (s->st == S_HEADERS || s->st == S_BODY)
			sub_readable(s);
	}
	/* more connections while fewer than --parallel are under way */
	while (g.next_connect < g.n && g.connecting < g.parallel) {
		sub_connect(&g.subs[g.next_connect], g.next_connect);
		g.next_connect++;
	}
}

static void wait_replies(double max_s)
{
	int64_t deadline = now_ns() + (int64_t)(max_s * 1e9);

	while ((g.replied < g.sent || g.preplied < g.psent) &&
	       now_ns() < deadline)
		step(10);
	if (g.replied < g.sent || g.preplied < g.psent)
		die("%u API calls, %u probes unanswered after %.0f s",
		    g.sent - g.replied, g.psent - g.preplied, max_s);
}

static void phase_begin(struct phase *ph, const char *name)
{
	ph->name = name;
	ph->k0 = g.sent + 1;
	ph->t_start = now_ns();
	ph->srv_ticks = proc_ticks();
	ph->aux_ticks = proc_ticks_of(g.aux_pids);
	ph->busy_ticks = busy_ticks();
	ph->cli_us = self_cpu_us();
	ph->hist_us = calloc(HIST_US, sizeof(uint32_t));
	ph->hist_ms = calloc(HIST_MS, sizeof(uint32_t));
	if (!ph->hist_us || !ph->hist_ms)
		die("out of memory");
}

/* Wait until every call so far reached every live subscriber (or the
 * drain time is over), then close the phase's books. */
static void phase_end(struct phase *ph)
{
	int64_t deadline = now_ns() + (int64_t)(g.drain * 1e9);

	ph->k1 = g.sent + 1;
	ph->t_end_send = g.tsend[g.sent];
	wait_replies(30);
	while (g.completed < g.sent && now_ns() < deadline && g.connected -
	       g.closed >= g.n)
		step(10);
	ph->srv_ticks = proc_ticks() - ph->srv_ticks;
	ph->aux_ticks = proc_ticks_of(g.aux_pids) - ph->aux_ticks;
	ph->busy_ticks = busy_ticks() - ph->busy_ticks;
	ph->cli_us = self_cpu_us() - ph->cli_us;
	ph->rss_end = proc_rss();
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

/* TAG_KEY_NAME_p50_us, _p99_us, _max_us of n times (ns) */
static void quantiles(const char *t, const char *key, const char *name,
		      const int64_t *v, uint32_t n)
{
	int64_t *c = n ? malloc(n * sizeof(int64_t)) : NULL;

	if (!c)
		return;
	memcpy(c, v, n * sizeof(int64_t));
	qsort(c, n, sizeof(int64_t), cmp_i64);
	fprintf(g.o, "%s_%s_%s_p50_us=%.0f\n", t, key, name,
		(double)c[n / 2] / 1000);
	fprintf(g.o, "%s_%s_%s_p99_us=%.0f\n", t, key, name,
		(double)c[(size_t)((n - 1) * 0.99)] / 1000);
	fprintf(g.o, "%s_%s_%s_max_us=%.0f\n", t, key, name,
		(double)c[n - 1] / 1000);
	free(c);
}

static bool phase_report(struct phase *ph, const char *key)
{
	uint32_t events = ph->k1 - ph->k0, done = 0;
	uint64_t expected = (uint64_t)events * g.n;
	uint64_t missing = expected - ph->deliveries;
	int64_t *fo = calloc(events + 1, sizeof(int64_t));
	double span, hz = (double)sysconf(_SC_CLK_TCK);
	const char *t = g.tag;

	for (uint32_t k = ph->k0; k < ph->k1; k++)
		if (g.cnt[k] == g.n)
			fo[done++] = g.fanout[k];
	qsort(fo, done, sizeof(int64_t), cmp_i64);
	/* from the first call to the last delivery */
	span = (double)(ph->t_last - ph->t_start) / 1e9;
	if (span <= 0)
		span = 1e-9;
	fprintf(g.o, "%s_%s_events=%u\n", t, key, events);
	fprintf(g.o, "%s_%s_send_s=%.3f\n", t, key,
		(double)(ph->t_end_send - ph->t_start) / 1e9);
	fprintf(g.o, "%s_%s_calls_per_s=%.1f\n", t, key, events /
		((double)(ph->t_end_send - ph->t_start) / 1e9 + 1e-9));
	fprintf(g.o, "%s_%s_span_s=%.3f\n", t, key, span);
	fprintf(g.o, "%s_%s_deliveries=%llu\n", t, key,
		(unsigned long long)ph->deliveries);
	fprintf(g.o, "%s_%s_expected=%llu\n", t, key, (unsigned long long)expected);
	fprintf(g.o, "%s_%s_missing=%llu\n", t, key, (unsigned long long)missing);
	fprintf(g.o, "%s_%s_dups=%llu\n", t, key, (unsigned long long)ph->dups);
	fprintf(g.o, "%s_%s_reordered=%llu\n", t, key,
		(unsigned long long)ph->reordered);
	fprintf(g.o, "%s_%s_wrong=%llu\n", t, key, (unsigned long long)ph->wrong);
	fprintf(g.o, "%s_%s_deliveries_per_s=%.0f\n", t, key,
		(double)ph->deliveries / span);
	fprintf(g.o, "%s_%s_events_per_s=%.1f\n", t, key,
		(double)ph->deliveries / g.n / span);
	fprintf(g.o, "%s_%s_p50_us=%.0f\n", t, key, hist_q(ph, 0.50));
	fprintf(g.o, "%s_%s_p90_us=%.0f\n", t, key, hist_q(ph, 0.90));
	fprintf(g.o, "%s_%s_p99_us=%.0f\n", t, key, hist_q(ph, 0.99));
	fprintf(g.o, "%s_%s_max_us=%.0f\n", t, key, (double)ph->max_lat / 1000);
	fprintf(g.o, "%s_%s_fanout_done=%u\n", t, key, done);
	if (done) {
		fprintf(g.o, "%s_%s_fanout_p50_us=%.0f\n", t, key,
			(double)fo[done / 2] / 1000);
		fprintf(g.o, "%s_%s_fanout_p99_us=%.0f\n", t, key,
			(double)fo[(size_t)((done - 1) * 0.99)] / 1000);
		fprintf(g.o, "%s_%s_fanout_max_us=%.0f\n", t, key,
			(double)fo[done - 1] / 1000);
	}
	/* API reply times of the phase's calls, at read() and by the
	 * kernel's receive stamp */
	quantiles(t, key, "api", g.alat + ph->k0, events);
	quantiles(t, key, "api_rx", g.arx + ph->k0, events);
	if (!strcmp(key, "steady") && g.psent) {
		fprintf(g.o, "%s_%s_probe_calls=%u\n%s_%s_probe_fail=%u\n", t,
			key, g.psent, t, key, g.pfail);
		quantiles(t, key, "probe", g.plat + 1, g.psent);
		quantiles(t, key, "probe_rx", g.prx + 1, g.psent);
	}
	fprintf(g.o, "%s_%s_srv_cpu=%.3f\n", t, key,
		(double)ph->srv_ticks / hz / span);
	fprintf(g.o, "%s_%s_srv_cpu_us_per_delivery=%.3f\n", t, key,
		ph->deliveries ? (double)ph->srv_ticks / hz * 1e6 /
		(double)ph->deliveries : 0);
	fprintf(g.o, "%s_%s_aux_cpu=%.3f\n", t, key,
		(double)ph->aux_ticks / hz / span);
	fprintf(g.o, "%s_%s_cli_cpu=%.3f\n", t, key,
		(double)ph->cli_us / 1e6 / span);
	{
		/* everything else on the machine: other people's work */
		double other = (double)(ph->busy_ticks - ph->srv_ticks -
					ph->aux_ticks) / hz -
			(double)ph->cli_us / 1e6;
		fprintf(g.o, "%s_%s_other_cpu=%.3f\n", t, key,
			other > 0 ? other / span : 0);
	}
	fprintf(g.o, "%s_%s_rss_end=%lld\n", t, key, ph->rss_end);
	free(fo);
	return !missing && !ph->dups && !ph->reordered && !ph->wrong;
}

static void usage(void)
{
	fprintf(stderr, "usage: see the comment at the top of sse_bench.c\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *sub = NULL, *api = NULL;
	int64_t t0, deadline;
	long long rss_before, rss_subs, ticks0;
	double connect_s;
	bool ok = true;

	g.n = 1000;
	g.parallel = 200;
	g.rate = 20;
	g.duration = 15;
	g.max_duration = 5;
	g.window = 8;
	g.drain = 10;
	g.tag = "run";
	g.first_id = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--sub")) sub = v;
		else if (!strcmp(a, "--sub-path")) g.sub_path = v;
		else if (!strcmp(a, "--api")) api = v;
		else if (!strcmp(a, "--cred")) g.cred = v;
		else if (!strcmp(a, "--first-id")) g.first_id = atoll(v);
		else if (!strcmp(a, "-n")) g.n = (unsigned)atoi(v);
		else if (!strcmp(a, "--rate")) g.rate = atof(v);
		else if (!strcmp(a, "--duration")) g.duration = atof(v);
		else if (!strcmp(a, "--max-duration")) g.max_duration = atof(v);
		else if (!strcmp(a, "--window")) g.window = (unsigned)atoi(v);
		else if (!strcmp(a, "--parallel")) g.parallel = (unsigned)atoi(v);
		else if (!strcmp(a, "--drain")) g.drain = atof(v);
		else if (!strcmp(a, "--probe-rate")) g.probe_rate = atof(v);
		else if (!strcmp(a, "--pids")) snprintf(g.pids, sizeof(g.pids), "%s", v);
		else if (!strcmp(a, "--aux-pids"))
			snprintf(g.aux_pids, sizeof(g.aux_pids), "%s", v);
		else if (!strcmp(a, "--tag")) g.tag = v;
		else if (!strcmp(a, "--out")) g.out = v;
		else if (!strcmp(a, "--src")) {
			g.have_src = true;
			memset(&g.src_addr, 0, sizeof(g.src_addr));
			g.src_addr.sin_family = AF_INET;
			if (inet_pton(AF_INET, v, &g.src_addr.sin_addr) != 1)
				die("bad --src %s", v);
		}
		else usage();
	}
	if (!sub || !api || !g.sub_path || !g.cred || g.first_id < 0 || !g.n ||
	    g.rate <= 0 || !g.window || !g.parallel)
		usage();
	parse_addr(&g.sub_addr, sub);
	parse_addr(&g.api_addr, api);
	g.host = "127.0.0.1";
	g.o = g.out ? fopen(g.out, "w") : stdout;
	if (!g.o)
		die("%s: %s", g.out, strerror(errno));
	g.subs = calloc(g.n, sizeof(*g.subs));
	g.tsend = calloc(KCAP + 1, sizeof(int64_t));
	g.fanout = calloc(KCAP + 1, sizeof(int64_t));
	g.cnt = calloc(KCAP + 1, sizeof(uint32_t));
	g.alat = calloc(KCAP + 1, sizeof(int64_t));
	g.arx = calloc(KCAP + 1, sizeof(int64_t));
	g.tsend_rt = calloc(KCAP + 1, sizeof(int64_t));
	g.ptsend = calloc(KCAP + 1, sizeof(int64_t));
	g.ptsend_rt = calloc(KCAP + 1, sizeof(int64_t));
	g.plat = calloc(KCAP + 1, sizeof(int64_t));
	g.prx = calloc(KCAP + 1, sizeof(int64_t));
	if (!g.arx || !g.tsend_rt || !g.ptsend || !g.ptsend_rt || !g.plat ||
	    !g.prx)
		die("out of memory");
	g.phase_of = calloc(KCAP + 1, 1);
	if (!g.subs || !g.tsend || !g.fanout || !g.cnt || !g.phase_of || !g.alat)
		die("out of memory");
	for (unsigned i = 0; i < g.n; i++)
		g.subs[i].fd = -1;
	g.ep = epoll_create1(EPOLL_CLOEXEC);
	if (g.ep < 0)
		die("epoll_create1: %s", strerror(errno));

	/* ---- connect ---- */
	rss_before = proc_rss();
	ticks0 = proc_ticks();
	t0 = now_ns();
	deadline = t0 + 120 * (int64_t)1000000000;
	while (g.connected + g.failed < g.n && now_ns() < deadline)
		step(10);
	connect_s = (double)(now_ns() - t0) / 1e9;
	fprintf(g.o, "%s_subs=%u\n%s_connected=%u\n%s_connect_failed=%u\n"
		"%s_connect_bad_status=%u\n%s_connect_s=%.3f\n"
		"%s_connect_srv_cpu_s=%.3f\n", g.tag, g.n, g.tag, g.connected,
		g.tag, g.n - g.connected, g.tag, g.bad_status, g.tag, connect_s,
		g.tag, (double)(proc_ticks() - ticks0) / (double)sysconf(_SC_CLK_TCK));
	fflush(g.o);
	if (g.connected < g.n) {
		fprintf(stderr, "sse_bench: %u of %u subscribers connected (%s)\n",
			g.connected, g.n, g.first_error);
		fprintf(g.o, "%s_error=%s\n%s_ok=no\n", g.tag, g.first_error, g.tag);
		return 1;
	}
	/* occd: a stream goes live on the loop turn after it opened; nchan:
	 * after the auth subrequest. Give both a moment, then check. */
	deadline = now_ns() + 300000000;
	while (now_ns() < deadline)
		step(10);
	rss_subs = proc_rss();
	fprintf(g.o, "%s_rss_before=%lld\n%s_rss_subs=%lld\n", g.tag, rss_before,
		g.tag, rss_subs);

	api_connect();

	/* ---- warmup: one event, every subscriber must get it ---- */
	phase_begin(&g.ph[0], "warmup");
	api_call(0);
	wait_replies(30);
	deadline = now_ns() + 10 * (int64_t)1000000000;
	while (g.completed < 1 && now_ns() < deadline && g.closed == 0)
		step(10);
	fprintf(g.o, "%s_warmup_got=%u\n", g.tag, g.cnt[1]);
	if (g.api_fail)
		die("the warm-up call failed: %s", g.api_first_bad);
	if (g.completed < 1) {
		fprintf(stderr, "sse_bench: warm-up event reached %u of %u "
			"subscribers in 10 s (%s)\n", g.cnt[1], g.n, g.first_error);
		fprintf(g.o, "%s_error=warm-up event reached %u of %u\n%s_ok=no\n",
			g.tag, g.cnt[1], g.n, g.tag);
		return 1;
	}
	g.ph[0].k1 = 2;

	/* ---- steady: R calls per second ---- */
	if (g.probe_rate > 0)
		probe_connect();
	phase_begin(&g.ph[1], "steady");
	{
		unsigned total = (unsigned)(g.rate * g.duration + 0.5);
		unsigned ptotal = (unsigned)(g.probe_rate * g.duration + 0.5);
		int64_t start = now_ns();
		unsigned i = 0, j = 0;
		while (i < total) {
			int64_t due = start + (int64_t)(i * 1e9 / g.rate);
			int64_t pdue = j < ptotal ? start + (int64_t)(j * 1e9 /
					g.probe_rate) : INT64_MAX;
			int64_t next = due < pdue ? due : pdue;
			int64_t left = next - now_ns();
			if (left > 0) {
				step((int)(left / 1000000));
				continue;
			}
			/* open loop: on schedule, whether or not the
			 * previous calls were answered (pipelined) */
			if (next == due) {
				api_call(1);
				i++;
			}
			else {
				probe_call();
				j++;
			}
		}
	}
	phase_end(&g.ph[1]);

	/* ---- max: back to back, at most W events not yet everywhere ---- */
	if (g.max_duration > 0) {
		int64_t end;
		phase_begin(&g.ph[2], "max");
		end = now_ns() + (int64_t)(g.max_duration * 1e9);
		while (now_ns() < end && g.sent < KCAP) {
			if (g.sent - g.completed < g.window)
				api_call(2);
			else
				step(1);
			if (g.closed)
				break;
		}
		phase_end(&g.ph[2]);
	}

	/* ---- report ---- */
	ok &= phase_report(&g.ph[1], "steady");
	if (g.max_duration > 0)
		ok &= phase_report(&g.ph[2], "max");
	{
		struct phase *w = &g.ph[0];
		ok &= !w->dups && !w->reordered && !w->wrong;
	}
	fprintf(g.o, "%s_calls=%u\n%s_api_fail=%u\n%s_api_lat_avg_us=%.0f\n"
		"%s_api_lat_max_us=%.0f\n%s_old=%llu\n%s_unexpected=%llu\n"
		"%s_closed=%u\n", g.tag, g.sent, g.tag, g.api_fail, g.tag,
		(double)g.api_lat_sum / g.sent / 1000, g.tag,
		(double)g.api_lat_max / 1000, g.tag, (unsigned long long)g.old,
		g.tag, (unsigned long long)g.unexpected, g.tag, g.closed);
	ok &= !g.api_fail && !g.unexpected && !g.closed && !g.pfail;
	if (g.api_first_bad[0])
		fprintf(g.o, "%s_api_first_bad=%s\n", g.tag, g.api_first_bad);
	if (g.first_error[0])
		fprintf(g.o, "%s_error=%s\n", g.tag, g.first_error);
	fprintf(g.o, "%s_ok=%s\n", g.tag, ok ? "yes" : "no");
	fclose(g.o);
	return ok ? 0 : 1;
}
