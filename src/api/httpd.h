/*
 * httpd.h — the HTTP server: libmicrohttpd in external-epoll mode, driven by
 * the libre loop (its epoll fd is registered with fd_listen, its timeout
 * with a tmr). One route handler sees each complete request: method, the
 * origin-form path (absolute-form targets such as the manual's
 * "POST http://ip:port/asterccinterfaces" are reduced to their path), the
 * raw query string and the body (at most HTTPD_MAX_BODY bytes; larger bodies
 * get 413 before the handler runs).
 *
 * What a client must do to keep its connection (struct httpd_limits): send
 * each whole request within request_timeout of opening the connection or of
 * its previous reply, keep to max_per_address connections from its address,
 * use one of the served methods, frame its body one way only (httpguard.h),
 * and announce or send at most HTTPD_MAX_BODY bytes. Refusals come before
 * the body is read; a chunked body is cut off where it crosses the limit.
 * Replies and streams already under way are never timed out by occd.
 *
 * A route may also answer later (http_async_defer: the connection is
 * suspended, without a timeout, until http_async_reply) or stream a body of
 * unknown length (http_async_stream + http_async_write, e.g. Server-Sent
 * Events): the connection is suspended whenever nothing is pending, so an
 * idle stream costs no CPU. While suspended, MHD does not notice that the
 * client went away; the owner learns it on its next write (keepalives bound
 * that) and through the close handler.
 */
#ifndef OCC_HTTPD_H
#define OCC_HTTPD_H

#include <stdbool.h>
#include <stddef.h>
#include <re.h>

enum { HTTPD_MAX_BODY = 65536, HTTPD_MAX_TARGET = 8192 };

struct httpd;

struct http_req {
	const char *method;
	const char *path;       /* origin-form path, no query */
	const char *query;      /* raw query string, "" if none */
	const char *body;       /* NUL-terminated, "" if none */
	size_t body_len;
	struct sa peer;         /* the client's address */
	void *conn;             /* for http_req_header */
	void *ctx;              /* for http_async_* */
};

struct http_resp {
	unsigned status;
	const char *ctype;
	struct mbuf *body;      /* owned by the response */
	int fd;                 /* >= 0: send this file instead (owned) */
	size_t fd_size;
	const char *hdr_name[8];
	const char *hdr_value[8];
	char hbuf[384];         /* values of http_resp_headerf */
	size_t hbuf_used;
	/* a replayed request's reply (api/park.c) goes out this much later:
	 * the extension's refused pull is held as on its first run */
	unsigned hold_ms;
};

typedef void (http_route_h)(const struct http_req *req, struct http_resp *resp,
			    void *arg);

struct httpd_limits {
	unsigned max_conns;       /* open at once ([http] max_connections) */
	unsigned max_per_address; /* from one IP address ([http]
				   * max_per_address); more: closed at once */
	unsigned request_timeout; /* s to send a whole request ([http]
				   * request_timeout) */
	unsigned conn_memory_kib; /* per connection: request line, headers,
				   * reply headers ([http]
				   * connection_memory_kib) */
	const char *methods;      /* served, ", "-separated; others get 405 */
};

int  httpd_alloc(struct httpd **hp, const struct sa *laddr,
		 const struct httpd_limits *lim, http_route_h *rh, void *arg);
/* Run MHD now if its listening socket or a connection is ready (without
 * taking the readiness from MHD's epoll set): for long loop work done in
 * slices, so that requests are served between slices, not after the next
 * one. arg is the struct httpd (a plain callback). */
void httpd_serve_ready(void *arg);
const char *http_req_header(const struct http_req *req, const char *name);
/* Fill resp: status, content type and printf-style body. */
int  http_resp_set(struct http_resp *resp, unsigned status, const char *ctype,
		   const char *fmt, ...);
void http_resp_header(struct http_resp *resp, const char *name,
		      const char *value);
/* A header whose value is formatted (and kept) in resp; name must be a
 * literal. Silently dropped when resp's header space is full. */
void http_resp_headerf(struct http_resp *resp, const char *name,
		       const char *fmt, ...);

/*
 * Asynchronous replies. The owner (the code that called http_async_defer
 * or http_async_stream from a route handler) keeps a plain pointer until
 * either it lets go (http_async_reply, http_async_close) or the close
 * handler runs (the connection ended first: an error, the client gone, or
 * occd stopping); after either the handle must not be used again. The
 * close handler runs on the loop thread, never inside an http_async_*
 * call.
 */
struct http_async;
typedef void (http_async_close_h)(void *arg);

/* Answer this request later; the route leaves resp untouched. NULL: no
 * memory, the route must answer now. */
struct http_async *http_async_defer(const struct http_req *req,
				    http_async_close_h *closeh, void *arg);
/* The reply, filled like a route's resp (its body and fd are taken). */
void http_async_reply(struct http_async *ha, struct http_resp *resp);
/* Stream the body: status, content type and headers are the route's resp
 * as the route leaves it (its body is ignored); the body is what
 * http_async_write appends, until http_async_close. At most max_pending
 * bytes may wait for the client. NULL: no stream (out of memory). */
struct http_async *http_async_stream(const struct http_req *req,
				     struct http_resp *resp, size_t max_pending,
				     http_async_close_h *closeh, void *arg);
/* A deferred request (http_async_defer, not yet answered) becomes a
 * stream: status, content type and headers from resp (its body is
 * ignored), then what http_async_write appends, as above. */
int  http_async_begin_stream(struct http_async *ha, struct http_resp *resp,
			     size_t max_pending);
/* Append to a stream: ENOBUFS if more than max_pending bytes would wait
 * (a client that does not read), EPIPE if the stream is closing. */
int  http_async_write(struct http_async *ha, const void *p, size_t n);
/* Writes to the stream wait up to MS milliseconds (from the first one
 * not yet sent) and go out together: fewer, larger sends to a client
 * that asked for it. 0 (the default): each write is sent at once. */
void http_async_hold(struct http_async *ha, uint32_t ms);
/* Bytes written but not yet taken by MHD. */
size_t http_async_pending(const struct http_async *ha);
/* Let go: a stream ends after its pending bytes; a deferred request that
 * got no reply is answered 503. */
void http_async_close(struct http_async *ha);

#endif
