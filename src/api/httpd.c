/*
 * httpd.c — see httpd.h.
 *
 * Life of a request: MHD calls uri_logged() with the raw target first (we
 * allocate the request context there, so absolute-form targets and raw
 * query strings survive), then access() once for the headers, once per
 * body chunk, and once more with no data, when the route runs and the reply
 * is queued. completed() frees the context. Everything runs inside
 * MHD_run(), on the loop thread.
 */
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <re.h>
#define LOG_TOPIC "api.httpd"
#include "base/log.h"
#include "api/httpd.h"

struct httpd {
	struct MHD_Daemon *mhd;
	int epfd;
	struct tmr tmr;
	http_route_h *rh;
	void *arg;
};

struct req_ctx {
	char *target;          /* raw request target */
	struct mbuf *body;
	bool headers_seen;     /* the first access() call carries no body */
	bool too_large;
};

static void httpd_poll(struct httpd *h);

static void req_ctx_destructor(void *arg)
{
	struct req_ctx *rc = arg;

	mem_deref(rc->target);
	mem_deref(rc->body);
}

static void *uri_logged(void *cls, const char *uri,
			struct MHD_Connection *conn)
{
	struct req_ctx *rc = mem_zalloc(sizeof(*rc), req_ctx_destructor);

	if (rc && str_dup(&rc->target, uri ? uri : "/"))
		rc = mem_deref(rc);
	return rc;
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	*con_cls = mem_deref(*con_cls);
}

/* "http://host:port/a/b?x" -> "/a/b?x"; origin-form stays as it is */
static const char *origin_form(const char *target)
{
	const char *p;

	if (strncasecmp(target, "http://", 7) && strncasecmp(target, "https://", 8))
		return target;
	p = strstr(target, "//") + 2;
	p = strchr(p, '/');
	return p ? p : "/";
}

static enum MHD_Result send_resp(struct MHD_Connection *conn,
				 struct http_resp *resp)
{
	size_t len = resp->body ? resp->body->end : 0;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (resp->fd >= 0) {
		/* MHD owns and closes the descriptor from here on */
		r = MHD_create_response_from_fd(resp->fd_size, resp->fd);
		resp->fd = -1;
	}
	else
		r = MHD_create_response_from_buffer(len, len ? resp->body->buf
			: (void *)"", MHD_RESPMEM_MUST_COPY);

	if (!r)
		return MHD_NO;
	if (resp->ctype)
		MHD_add_response_header(r, "Content-Type", resp->ctype);
	for (size_t i = 0; i < ARRAY_SIZE(resp->hdr_name); i++)
		if (resp->hdr_name[i])
			MHD_add_response_header(r, resp->hdr_name[i],
						resp->hdr_value[i]);
	ret = MHD_queue_response(conn, resp->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result access_h(void *cls, struct MHD_Connection *conn,
				const char *url, const char *method,
				const char *version, const char *upload_data,
				size_t *upload_data_size, void **con_cls)
{
	struct httpd *h = cls;
	struct req_ctx *rc = *con_cls;
	struct http_resp resp = { .status = 500, .fd = -1 };
	struct http_req req;
	char path[HTTPD_MAX_TARGET];
	const union MHD_ConnectionInfo *ci;
	const char *target, *q;
	enum MHD_Result ret;

	if (!rc)
		return MHD_NO;
	if (!rc->headers_seen) {
		rc->headers_seen = true;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (rc->too_large)
			return MHD_YES;
		if (!rc->body)
			rc->body = mbuf_alloc(n + 1);
		if (!rc->body || rc->body->end + n > HTTPD_MAX_BODY) {
			rc->too_large = true;
			return MHD_YES;
		}
		mbuf_write_mem(rc->body, (const uint8_t *)upload_data, n);
		return MHD_YES;
	}
	if (rc->too_large) {
		http_resp_set(&resp, 413, "text/plain",
			      "request body larger than %u bytes\n",
			      HTTPD_MAX_BODY);
		goto reply;
	}
	target = origin_form(rc->target);
	q = strchr(target, '?');
	if (strlen(target) >= sizeof(path)) {
		http_resp_set(&resp, 414, "text/plain", "target too long\n");
		goto reply;
	}
	str_ncpy(path, target, q ? (size_t)(q - target) + 1 : sizeof(path));
	if (rc->body)
		mbuf_write_u8(rc->body, 0);   /* NUL-terminate for parsers */
	req = (struct http_req){
		.method = method, .path = path, .query = q ? q + 1 : "",
		.body = rc->body ? (const char *)rc->body->buf : "",
		.body_len = rc->body ? rc->body->end - 1 : 0,
		.conn = conn,
	};
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		sa_set_sa(&req.peer, ci->client_addr);
	h->rh(&req, &resp, h->arg);
 reply:
	ret = send_resp(conn, &resp);
	mem_deref(resp.body);
	return ret;
}

const char *http_req_header(const struct http_req *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int http_resp_set(struct http_resp *resp, unsigned status, const char *ctype,
		  const char *fmt, ...)
{
	va_list ap;
	int err;

	resp->status = status;
	resp->ctype = ctype;
	resp->body = mem_deref(resp->body);
	resp->body = mbuf_alloc(256);
	if (!resp->body)
		return ENOMEM;
	va_start(ap, fmt);
	err = mbuf_vprintf(resp->body, fmt, ap);
	va_end(ap);
	return err;
}

void http_resp_header(struct http_resp *resp, const char *name,
		      const char *value)
{
	for (size_t i = 0; i < ARRAY_SIZE(resp->hdr_name); i++) {
		if (!resp->hdr_name[i]) {
			resp->hdr_name[i] = name;
			resp->hdr_value[i] = value;
			return;
		}
	}
}

static void tmr_h_(void *arg)
{
	httpd_poll(arg);
}

/* Run MHD, then arm the timer for MHD's next deadline (idle timeouts). */
static void httpd_poll(struct httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms = 1000;

	MHD_run(h->mhd);
	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES || ms > 1000)
		ms = 1000;
	tmr_start(&h->tmr, ms, tmr_h_, h);
}

static void epoll_ready(int flags, void *arg)
{
	httpd_poll(arg);
}

static void httpd_destructor(void *arg)
{
	struct httpd *h = arg;

	tmr_cancel(&h->tmr);
	if (h->epfd >= 0)
		fd_close(h->epfd);
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
}

static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	char buf[256];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	OCC_WARN("libmicrohttpd: %s", buf);
}

int httpd_alloc(struct httpd **hp, const struct sa *laddr, http_route_h *rh,
		void *arg)
{
	struct httpd *h = mem_zalloc(sizeof(*h), httpd_destructor);
	const union MHD_DaemonInfo *info;
	int err = 0;

	if (!h)
		return ENOMEM;
	h->epfd = -1;
	h->rh = rh;
	h->arg = arg;
	tmr_init(&h->tmr);
	h->mhd = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG, sa_port(laddr), NULL, NULL,
		access_h, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
		MHD_OPTION_SOCK_ADDR, &laddr->u.sa,
		MHD_OPTION_URI_LOG_CALLBACK, uri_logged, h,
		MHD_OPTION_NOTIFY_COMPLETED, completed, h,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)8192,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned)1024,
		MHD_OPTION_END);
	if (!h->mhd) {
		err = EADDRINUSE;
		goto out;
	}
	info = MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info) {
		err = EINVAL;
		goto out;
	}
	h->epfd = info->epoll_fd;
	err = fd_listen(h->epfd, FD_READ, epoll_ready, h);
	if (err)
		goto out;
	httpd_poll(h);
 out:
	if (err) {
		/* the epoll fd belongs to MHD; don't close it twice */
		if (h->epfd >= 0)
			fd_close(h->epfd);
		h->epfd = -1;
		mem_deref(h);
	}
	else
		*hp = h;
	return err;
}
