/*
 * httpd.h — the HTTP server: libmicrohttpd in external-epoll mode, driven by
 * the libre loop (its epoll fd is registered with fd_listen, its timeout
 * with a tmr). One route handler sees each complete request: method, the
 * origin-form path (absolute-form targets such as the manual's
 * "POST http://ip:port/asterccinterfaces" are reduced to their path), the
 * raw query string and the body (at most HTTPD_MAX_BODY bytes; larger bodies
 * get 413 before the handler runs).
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
};

struct http_resp {
	unsigned status;
	const char *ctype;
	struct mbuf *body;      /* owned by the response */
	int fd;                 /* >= 0: send this file instead (owned) */
	size_t fd_size;
	const char *hdr_name[4];
	const char *hdr_value[4];
};

typedef void (http_route_h)(const struct http_req *req, struct http_resp *resp,
			    void *arg);

int  httpd_alloc(struct httpd **hp, const struct sa *laddr, http_route_h *rh,
		 void *arg);
const char *http_req_header(const struct http_req *req, const char *name);
/* Fill resp: status, content type and printf-style body. */
int  http_resp_set(struct http_resp *resp, unsigned status, const char *ctype,
		   const char *fmt, ...);
void http_resp_header(struct http_resp *resp, const char *name,
		      const char *value);

#endif
