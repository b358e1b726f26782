/* bench/tools/rtpecho.c — the agent phones' RTP for bench/calls: every
 * datagram that reaches 127.0.0.1:PORT goes straight back to its source,
 * from the same port (occd takes a leg's RTP only from the address and
 * port its remote SDP names, and sends to it: the phones sipp advertises
 * PORT in its answer). One socket for every call, batches of
 * recvmmsg/sendmmsg: a few microseconds of CPU per packet where sipp's
 * -rtp_echo went through its per-call machinery. PORT + 1 takes occd's
 * RTCP, counted and discarded.
 *
 *   rtpecho PORT [STATS-FILE]
 *
 * Counters (since start): received, echoed, dropped (by the kernel at our
 * receive buffer, SO_RXQ_OVFL, or not sent back: truncated or a send
 * error), rtcp. Printed on stdout at SIGTERM/SIGINT, and written to
 * STATS-FILE (one line, "received=N echoed=N dropped=N rtcp=N",
 * replaced atomically) every second and at exit, so that the bench can
 * check a step's calls lost nothing here. Built by bench/calls/run.sh
 * (cc -O2 -Wall -Wextra -Werror). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { BATCH = 64, MAX_DATAGRAM = 2048, RCVBUF = 8 << 20 };

struct counters {
	unsigned long long received, echoed, dropped, rtcp;
	uint32_t kernel_drops[2];      /* SO_RXQ_OVFL: each socket's running total */
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int udp_socket(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int one = 1, rcvbuf = RCVBUF;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	/* a larger buffer than the default rides out a short stall; what
	 * still overflows it is counted (SO_RXQ_OVFL) */
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &rcvbuf, sizeof(rcvbuf));
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
			uint32_t total;

			memcpy(&total, CMSG_DATA(cm), sizeof(total));
			c->dropped += (uint32_t)(total - c->kernel_drops[which]);
			c->kernel_drops[which] = total;
		}
	}
}

enum { RTP, RTCP };

/* one batch from fd: RTP is echoed, RTCP only counted. Returns the
 * number received (0: nothing waiting). */
static int serve_batch(int fd, struct counters *c, int which)
{
	static unsigned char buf[BATCH][MAX_DATAGRAM];
	static char ctl[BATCH][CMSG_SPACE(sizeof(uint32_t))];
	struct mmsghdr in[BATCH], out[BATCH];
	struct sockaddr_in from[BATCH];
	struct iovec iov[BATCH];
	int i, n, m = 0, sent = 0;

	memset(in, 0, sizeof(in));
	for (i = 0; i < BATCH; i++) {
		iov[i] = (struct iovec){ .iov_base = buf[i], .iov_len = MAX_DATAGRAM };
		in[i].msg_hdr = (struct msghdr){
			.msg_name = &from[i], .msg_namelen = sizeof(from[i]),
			.msg_iov = &iov[i], .msg_iovlen = 1,
			.msg_control = ctl[i], .msg_controllen = sizeof(ctl[i]) };
	}
	n = recvmmsg(fd, in, BATCH, MSG_DONTWAIT, NULL);
	if (n <= 0)
		return 0;
	for (i = 0; i < n; i++) {
		note_kernel_drops(c, which, &in[i].msg_hdr);
		if (in[i].msg_hdr.msg_flags & MSG_TRUNC) {
			c->dropped++;              /* not RTP we could return whole */
			continue;
		}
		iov[i].iov_len = in[i].msg_len;
		out[m] = (struct mmsghdr){ .msg_hdr = {
			.msg_name = &from[i], .msg_namelen = in[i].msg_hdr.msg_namelen,
			.msg_iov = &iov[i], .msg_iovlen = 1 } };
		m++;
	}
	if (which == RTCP) {
		c->rtcp += (unsigned)n;
		return n;
	}
	c->received += (unsigned)n;
	while (sent < m) {
		int k = sendmmsg(fd, out + sent, (unsigned)(m - sent), 0);

		if (k > 0) {
			sent += k;
			c->echoed += (unsigned)k;
		} else if (k < 0 && errno == EINTR) {
			continue;
		} else if (k < 0 && (errno == EAGAIN || errno == ENOBUFS)) {
			/* send buffer full: wait for room, briefly, bounded */
			struct pollfd p = { .fd = fd, .events = POLLOUT };

			if (poll(&p, 1, 20) <= 0) {
				c->dropped += (unsigned)(m - sent);
				break;
			}
		} else {
			c->dropped++;              /* this one failed; go on with the rest */
			sent++;
		}
	}
	return n;
}

static void write_stats(const char *path, const struct counters *c, FILE *also)
{
	char tmp[4096];
	FILE *f;

	if (also)
		fprintf(also, "received=%llu echoed=%llu dropped=%llu rtcp=%llu\n",
			c->received, c->echoed, c->dropped, c->rtcp);
	if (!path || snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (!f)
		return;
	fprintf(f, "received=%llu echoed=%llu dropped=%llu rtcp=%llu\n",
		c->received, c->echoed, c->dropped, c->rtcp);
	if (fclose(f) == 0)
		rename(tmp, path);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };   /* no SA_RESTART */
	struct counters c = { 0 };
	struct pollfd p[2];
	const char *stats = argc > 2 ? argv[2] : NULL;
	char *end;
	long port = argc > 1 ? strtol(argv[1], &end, 10) : 0;
	double next_stats;

	if (argc < 2 || argc > 3 || *end || port < 1 || port > 65534) {
		fprintf(stderr, "usage: rtpecho PORT [STATS-FILE]\n");
		return 2;
	}
	p[0] = (struct pollfd){ .fd = udp_socket((uint16_t)port), .events = POLLIN };
	p[1] = (struct pollfd){ .fd = udp_socket((uint16_t)(port + 1)), .events = POLLIN };
	if (p[0].fd < 0 || p[1].fd < 0) {
		fprintf(stderr, "rtpecho: 127.0.0.1:%ld/%ld: %s\n", port, port + 1,
			strerror(errno));
		return 1;
	}
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	write_stats(stats, &c, NULL);
	next_stats = now_s() + 1;
	while (!stopping) {
		int r = poll(p, 2, 250);

		if (r < 0 && errno != EINTR) {
			perror("rtpecho: poll");
			break;
		}
		if (r > 0 && (p[0].revents & POLLIN))
			while (serve_batch(p[0].fd, &c, RTP) == BATCH)
				;
		if (r > 0 && (p[1].revents & POLLIN))
			serve_batch(p[1].fd, &c, RTCP);
		if (now_s() >= next_stats) {
			write_stats(stats, &c, NULL);
			next_stats = now_s() + 1;
		}
	}
	write_stats(stats, &c, stdout);
	return 0;
}
