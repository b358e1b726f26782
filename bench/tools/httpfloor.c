/*
 * httpfloor.c — the machine's floor for the API probe: an HTTP/1.1
 * keep-alive responder that does nothing. bench/calls pins it on occd's
 * CPU and probes it exactly as it probes occd, in the same run, so a
 * step's "floor p99" is what delivery over loopback and a wakeup on that
 * busy core cost a server with no work at all; occd's own share of its
 * p99 is the difference.
 *
 * httpfloor PORT: listens on 127.0.0.1:PORT; every request (headers,
 * then Content-Length bytes of body) gets "200 ok". SIGTERM ends it.
 */
#define _GNU_SOURCE             /* memmem */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

enum { MAXC = 16, BUF = 16384 };

static struct conn {
	int fd;
	size_t len;
	char buf[BUF];
} conns[MAXC];

/* One whole request at the front of c->buf: its length, else 0. */
static size_t request_len(const struct conn *c)
{
	const char *end, *cl;
	size_t head, body = 0;

	end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (!end)
		return 0;
	head = (size_t)(end - c->buf) + 4;
	for (cl = c->buf; cl && cl < end; cl = memchr(cl, '\n', (size_t)(end - cl))) {
		if (*cl == '\n')
			cl++;
		if (!strncasecmp(cl, "content-length:", 15)) {
			body = strtoul(cl + 15, NULL, 10);
			break;
		}
	}
	return c->len >= head + body ? head + body : 0;
}

static void serve(struct conn *c)
{
	static const char reply[] =
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	ssize_t n = read(c->fd, c->buf + c->len, BUF - c->len);
	size_t r;

	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)n;
	while ((r = request_len(c))) {
		if (write(c->fd, reply, sizeof(reply) - 1) < 0)
			break;
		memmove(c->buf, c->buf + r, c->len - r);
		c->len -= r;
	}
	if (c->len == BUF) {           /* not HTTP: drop it */
		close(c->fd);
		c->fd = -1;
	}
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct pollfd p[MAXC + 1];
	int ls, one = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: httpfloor PORT\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (ls < 0 || setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(ls, (struct sockaddr *)&a, sizeof(a)) || listen(ls, 16)) {
		perror("httpfloor");
		return 1;
	}
	for (int i = 0; i < MAXC; i++)
		conns[i].fd = -1;
	for (;;) {
		int n = 0;

		p[n++] = (struct pollfd){ .fd = ls, .events = POLLIN };
		for (int i = 0; i < MAXC; i++)
			p[n++] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		if (poll(p, (nfds_t)n, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("poll");
			return 1;
		}
		for (int i = 0; i < MAXC; i++)
			if (conns[i].fd >= 0 && p[i + 1].revents)
				serve(&conns[i]);
		if (p[0].revents & POLLIN) {
			int fd = accept(ls, NULL, NULL), i;

			if (fd < 0)
				continue;
			for (i = 0; i < MAXC && conns[i].fd >= 0; i++)
				;
			if (i == MAXC) {
				close(fd);
				continue;
			}
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
			conns[i].fd = fd;
			conns[i].len = 0;
		}
	}
}
