/* bench/tools/rtppeer.c — the far ends' RTP for bench/calls, in place of
 * sipp's -rtp_echo and rtp_stream: one UDP socket on 127.0.0.1:PORT for
 * every call, which the sipps' SDP answers name as their media address
 * (occd takes a leg's RTP only from the address and port its remote SDP
 * names, and sends to it). Read and sent in batches (recvmmsg/sendmmsg),
 * echo every 2 ms, play every 20 ms: a few system calls per batch where
 * the sipps made one or two per datagram. PORT + 1 takes occd's RTCP, counted and discarded.
 *
 *   rtppeer echo PORT [STATS-FILE]        the agents' phones: every datagram
 *                                         goes back to its source at once
 *   rtppeer play FILE PORT [STATS-FILE]   the customers: each source (one
 *                                         call's occd socket) gets FILE (raw
 *                                         G.711 u-law, looped) as RTP PCMU
 *                                         on our own 20 ms clock, from the
 *                                         first datagram it sends us until
 *                                         it closes its socket (ICMP port
 *                                         unreachable) or has been silent
 *                                         for STREAM_END_MS
 *
 * play relies on occd sending every leg a packet each ptime (silence when
 * it has nothing else): its first one tells us where the call is; its
 * closing the socket (the kernel's ICMP error, IP_RECVERR) that the call
 * is over. The customer's stream keeps its own
 * clock whatever occd does, as a real phone would.
 *
 * Counters (since start): received (RTP datagrams), sent (echoed or
 * played), dropped (by the kernel at our receive buffer, SO_RXQ_OVFL:
 * overflow; not sent, truncated or a send error: unsent), rtcp, streams
 * (play: calls streamed to), closed (play: streams ended by occd closing
 * its socket), late (play: clock ticks we were late for).
 * Printed on stdout at SIGTERM/SIGINT, and written to STATS-FILE as one
 * line "received=N sent=N dropped=N ..." (replaced atomically) every
 * second and at exit, so that the bench can check a step lost nothing
 * here. Built by bench/lib.sh (cc -O2 -Wall -Wextra -Werror). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

enum {
	BATCH = 64, MAX_DATAGRAM = 2048, SOCKBUF = 8 << 20,
	FRAME = 160,                   /* 20 ms of 8 kHz G.711 */
	RTP_HEADER = 12,
	MAX_STREAMS = 4096, INDEX_SLOTS = 2 * MAX_STREAMS,
	STREAM_END_MS = 3000,          /* occd sends each leg a packet every 20 ms */
	MAX_CATCH_UP = 5,              /* frames per stream after a late tick */
	MAX_FILE = 1 << 20,
};

enum { RTP, RTCP };

struct counters {
	unsigned long long received, sent, dropped, rtcp, overflow, unsent, streams, late;
	unsigned long long closed;     /* play: streams ended by occd closing its socket */
	uint32_t kernel_drops[2];      /* SO_RXQ_OVFL: each socket's running total */
};

/* one customer's stream: where to, and its RTP state */
struct stream {
	struct sockaddr_in to;
	uint16_t seq;
	uint32_t ts, ssrc;
	size_t offset;                 /* into the audio */
	int64_t last_heard_ms;
};

static struct {
	struct stream s[MAX_STREAMS];
	int n;
	int16_t index[INDEX_SLOTS];    /* hash of the address -> s[] + 1; 0 empty */
	const unsigned char *audio;
	size_t audio_len;
} play;

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int udp_socket(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, size = SOCKBUF;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* larger buffers than the default ride out a stall of the core we
	 * share with the sipps (FORCE: past net.core.rmem_max, when we may);
	 * what still overflows is counted (SO_RXQ_OVFL) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* the kernel's drop count, when a datagram carries it */
static void note_kernel_drops(struct counters *c, int which, struct msghdr *h)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SO_RXQ_OVFL) {
			uint32_t total, d;

			memcpy(&total, CMSG_DATA(cm), sizeof(total));
			d = total - c->kernel_drops[which];
			c->dropped += d;
			c->overflow += d;
			c->kernel_drops[which] = total;
		}
	}
}

/* sends out[0..m) (blocking briefly when the send buffer is full) */
static void send_all(int fd, struct mmsghdr *out, int m, struct counters *c)
{
	int sent = 0;

	while (sent < m) {
		int k = sendmmsg(fd, out + sent, (unsigned)(m - sent), 0);

		if (k > 0) {
			sent += k;
			c->sent += (unsigned)k;
		} else if (k < 0 && (errno == EINTR || errno == ECONNREFUSED)) {
			continue;                  /* ECONNREFUSED: play's pending ICMP error
						    * (IP_RECVERR), now taken; not this one's */
		} else if (k < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, 20) <= 0) {
				c->dropped += (unsigned)(m - sent);
				c->unsent += (unsigned)(m - sent);
				return;
			}
		} else {
			c->dropped++;              /* this one failed; go on with the rest */
			c->unsent++;
			sent++;
		}
	}
}

/* ---- play: the customers' streams ---------------------------------------- */

static unsigned slot_of(const struct sockaddr_in *a)
{
	uint32_t h = (a->sin_addr.s_addr * 2654435761u) ^ (ntohs(a->sin_port) * 40503u);

	return (h ^ h >> 16) % INDEX_SLOTS;
}

static bool same(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

static void index_rebuild(void)
{
	memset(play.index, 0, sizeof(play.index));
	for (int i = 0; i < play.n; i++) {
		unsigned k = slot_of(&play.s[i].to);

		while (play.index[k])
			k = (k + 1) % INDEX_SLOTS;
		play.index[k] = (int16_t)(i + 1);
	}
}

/* a datagram from occd: the stream to that source lives on */
static void heard_from(const struct sockaddr_in *from, int64_t now, struct counters *c)
{
	unsigned k = slot_of(from);
	struct stream *s;

	for (; play.index[k]; k = (k + 1) % INDEX_SLOTS) {
		s = &play.s[play.index[k] - 1];
		if (same(&s->to, from)) {
			s->last_heard_ms = now;
			return;
		}
	}
	if (play.n == MAX_STREAMS)
		return;                    /* bounded: this call gets no voice */
	s = &play.s[play.n];
	*s = (struct stream){ .to = *from, .last_heard_ms = now,
			      .ssrc = (uint32_t)random(), .seq = (uint16_t)random(),
			      .offset = (size_t)(c->streams * FRAME * 7) % play.audio_len };
	play.index[k] = (int16_t)(++play.n);
	c->streams++;
}

/* occd closed the socket of a call (ICMP port unreachable, from the
 * error queue, IP_RECVERR): its stream is over at once */
static void drain_errors(int fd, struct counters *c)
{
	for (;;) {
		struct sockaddr_in to;
		char ctl[512];
		struct msghdr h = { .msg_name = &to, .msg_namelen = sizeof(to),
				    .msg_control = ctl, .msg_controllen = sizeof(ctl) };
		unsigned k;

		if (recvmsg(fd, &h, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			int err;                   /* the pending error too: POLLERR off */

			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &(socklen_t){ sizeof(err) });
			return;
		}
		for (k = slot_of(&to); play.index[k]; k = (k + 1) % INDEX_SLOTS) {
			struct stream *s = &play.s[play.index[k] - 1];

			if (same(&s->to, &to)) {
				if (s->last_heard_ms > INT64_MIN / 2)
					c->closed++;
				s->last_heard_ms = INT64_MIN / 2;
				break;
			}
		}
	}
}

/* one clock tick: `frames` frames to every stream heard from lately;
 * the others are over (occd closed the call, or has been silent for
 * STREAM_END_MS) */
static void play_tick(int fd, unsigned frames, struct counters *c)
{
	static unsigned char pkt[BATCH][RTP_HEADER + FRAME];
	struct mmsghdr out[BATCH];
	struct iovec iov[BATCH];
	int64_t now = now_ms();
	int i, kept = 0, m = 0;

	for (i = 0; i < play.n; i++)
		if (now - play.s[i].last_heard_ms <= STREAM_END_MS)
			play.s[kept++] = play.s[i];
	if (kept != play.n) {
		play.n = kept;
		index_rebuild();
	}
	for (i = 0; i < play.n; i++) {
		struct stream *s = &play.s[i];

		for (unsigned f = 0; f < frames; f++) {
			unsigned char *p = pkt[m];
			size_t left = play.audio_len - s->offset;

			p[0] = 0x80;
			p[1] = 0;                  /* PCMU */
			p[2] = (unsigned char)(s->seq >> 8);
			p[3] = (unsigned char)s->seq;
			for (int b = 0; b < 4; b++) {
				p[4 + b] = (unsigned char)(s->ts >> (24 - 8 * b));
				p[8 + b] = (unsigned char)(s->ssrc >> (24 - 8 * b));
			}
			memcpy(p + RTP_HEADER, play.audio + s->offset, left < FRAME ? left : FRAME);
			if (left < FRAME)
				memcpy(p + RTP_HEADER + left, play.audio, FRAME - left);
			s->offset = (s->offset + FRAME) % play.audio_len;
			s->seq++;
			s->ts += FRAME;
			iov[m] = (struct iovec){ .iov_base = p, .iov_len = sizeof(pkt[m]) };
			out[m] = (struct mmsghdr){ .msg_hdr = {
				.msg_name = &s->to, .msg_namelen = sizeof(s->to),
				.msg_iov = &iov[m], .msg_iovlen = 1 } };
			if (++m == BATCH) {
				send_all(fd, out, m, c);
				m = 0;
			}
		}
	}
	if (m)
		send_all(fd, out, m, c);
}

/* ---- receiving --------------------------------------------------------------- */

/* one batch from fd: RTP is echoed (echo) or notes a live call (play),
 * RTCP only counted. Returns the number received (0: nothing waiting). */
static int serve_batch(int fd, struct counters *c, int which, bool echo)
{
	static unsigned char buf[BATCH][MAX_DATAGRAM];
	static char ctl[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	struct mmsghdr in[BATCH], out[BATCH];
	struct sockaddr_in from[BATCH];
	struct iovec iov[BATCH];
	int64_t now = 0;
	int i, n, m = 0;

	memset(in, 0, sizeof(in));
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = MAX_DATAGRAM };
		in[i].msg_hdr = (struct msghdr){
			.msg_name = &from[i], .msg_namelen = sizeof(from[i]),
			.msg_iov = &iov[i], .msg_iovlen = 1,
			.msg_control = ctl[i], .msg_controllen = sizeof(ctl[i]) };
	}
	n = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL);
	if (n < 0 && errno == ECONNREFUSED)    /* as in send_all */
		n = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	if (which == RTCP) {
		for (i = 0; i < n; i++)
			note_kernel_drops(c, which, &in[i].msg_hdr);
		c->rtcp += (unsigned)n;
		return n;
	}
	c->received += (unsigned)n;
	if (!echo)
		now = now_ms();
	for (i = 0; i < n; i++) {
		note_kernel_drops(c, which, &in[i].msg_hdr);
		if (!echo) {
			heard_from(&from[i], now, c);
			continue;
		}
		if (in[i].msg_hdr.msg_flags & MSG_TRUNC) {
			c->dropped++;              /* not RTP we could return whole */
			c->unsent++;
			continue;
		}
		iov[i].iov_len = in[i].msg_len;
		out[m++] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &from[i], .msg_namelen = in[i].msg_hdr.msg_namelen,
			.msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	send_all(fd, out, m, c);
	return n;
}

#define FORMAT "received=%llu sent=%llu dropped=%llu rtcp=%llu overflow=%llu unsent=%llu " \
	"streams=%llu closed=%llu late=%llu\n"
#define COUNTERS(c) (c)->received, (c)->sent, (c)->dropped, (c)->rtcp, (c)->overflow, \
	(c)->unsent, (c)->streams, (c)->closed, (c)->late

static void write_stats(const char *path, const struct counters *c, FILE *also)
{
	char tmp[4096];
	FILE *f;

	if (also)
		fprintf(also, FORMAT, COUNTERS(c));
	if (!path || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, FORMAT, COUNTERS(c));
	if (fclose(f) == 0)
		rename(tmp, path);
}

static bool load_audio(const char *path)
{
	static unsigned char data[MAX_FILE];
	FILE *f = fopen(path, "rb");
	size_t n;

	if (!f)
		return false;
	n = fread(data, 1, sizeof(data), f);
	fclose(f);
	play.audio = data;
	play.audio_len = n;
	return n >= FRAME;
}

static int usage(void)
{
	fprintf(stderr, "usage: rtppeer echo PORT [STATS-FILE]\n"
		"       rtppeer play FILE PORT [STATS-FILE]\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART */
	const struct timespec gather = { .tv_nsec = 2000000 };
	const struct itimerspec tick = { .it_interval = { .tv_nsec = 20000000 },
					 .it_value = { .tv_nsec = 20000000 } };
	struct counters c = { 0 };
	struct pollfd p[3];
	bool echo;
	const char *stats;
	char *end;
	long port;
	int64_t next_stats;
	int nfds = 2;

	if (argc < 3)
		return usage();
	echo = !strcmp(argv[1], "echo");
	if (!echo && strcmp(argv[1], "play"))
		return usage();
	argv += echo ? 2 : 3;
	argc -= echo ? 2 : 3;
	if (argc < 1 || argc > 2)
		return usage();
	port = strtol(argv[0], &end, 10);
	stats = argc > 1 ? argv[1] : NULL;
	if (*end || port < 1 || port > 65534)
		return usage();
	if (!echo && !load_audio(argv[-1])) {
		fprintf(stderr, "rtppeer: %s: not readable or under 20 ms of audio\n", argv[-1]);
		return 1;
	}
	srandom((unsigned)getpid());
	/* play reads its RTP socket on its clock's ticks only */
	p[0] = (struct pollfd){ .fd = udp_socket((uint16_t)port), .events = echo ? POLLIN : 0 };
	p[1] = (struct pollfd){ .fd = udp_socket((uint16_t)(port + 1)), .events = POLLIN };
	if (p[0].fd < 0 || p[1].fd < 0) {
		fprintf(stderr, "rtppeer: 127.0.0.1:%ld/%ld: %s\n", port, port + 1,
			strerror(errno));
		return 1;
	}
	if (!echo) {
		p[2] = (struct pollfd){ .fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK),
					.events = POLLIN };
		if (p[2].fd < 0 || timerfd_settime(p[2].fd, 0, &tick, NULL) < 0) {
			perror("rtppeer: timerfd");
			return 1;
		}
		nfds = 3;
		/* the end of a call: occd's ICMP port unreachable, queued */
		if (setsockopt(p[0].fd, IPPROTO_IP, IP_RECVERR, &(int){ 1 }, sizeof(int)) < 0) {
			perror("rtppeer: IP_RECVERR");
			return 1;
		}
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	write_stats(stats, &c, NULL);
	next_stats = now_ms() + 1000;
	while (!stopping) {
		int r = poll(p, (nfds_t)nfds, 250);

		if (r < 0 && errno != EINTR) {
			perror("rtppeer: poll");
			break;
		}
		if (r > 0 && (p[0].revents & POLLIN)) {
			/* let a batch gather. At 1,000 calls (50 datagrams a
			 * millisecond) 2 ms of wait turn ~200 system calls into
			 * ~5; the echo is that much later */
			nanosleep(&gather, NULL);
			while (serve_batch(p[0].fd, &c, RTP, echo) == BATCH)
				;
		}
		if (r > 0 && (p[0].revents & POLLERR))
			drain_errors(p[0].fd, &c);
		if (r > 0 && (p[1].revents & POLLIN))
			serve_batch(p[1].fd, &c, RTCP, echo);
		if (r > 0 && nfds == 3 && (p[2].revents & POLLIN)) {
			uint64_t ticks = 0;

			if (read(p[2].fd, &ticks, sizeof(ticks)) == sizeof(ticks) && ticks) {
				/* what occd sent since the last tick: which calls
				 * are still up (read here, not as it comes: one
				 * wake-up per tick) */
				while (serve_batch(p[0].fd, &c, RTP, false) == BATCH)
					;
				c.late += ticks - 1;
				play_tick(p[0].fd, ticks < MAX_CATCH_UP ? (unsigned)ticks : MAX_CATCH_UP, &c);
			}
		}
		if (now_ms() >= next_stats) {
			write_stats(stats, &c, NULL);
			next_stats = now_ms() + 1000;
		}
	}
	write_stats(stats, &c, stdout);
	return 0;
}
