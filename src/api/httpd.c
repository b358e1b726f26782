/*
 * httpd.c — see httpd.h.
 *
 * Life of a request: MHD calls uri_logged() with the raw target first (we
 * allocate the request context there, so absolute-form targets and raw
 * query strings survive), then access() once for the headers, once per
 * body chunk, and once more with no data, when the route runs and the reply
 * is queued. completed() frees the context. Everything runs inside
 * MHD_run(), on the loop thread.
 *
 * Asynchronous replies (httpd.h): the route attaches a struct http_async
 * to the request context. A deferred request is suspended after the route
 * returns; http_async_reply() builds the response, resumes the connection
 * and MHD calls access() again, which queues it. A stream is a callback
 * response of unknown size (chunked): its reader hands out the pending
 * bytes, and when there are none it suspends the connection and returns 0
 * (MHD's way to wait without polling); http_async_write() resumes it.
 * Every resume kicks the loop (a zero timer) so MHD_run() sees it at once.
 * Before MHD_stop_daemon() every suspended connection is resumed, as MHD
 * requires.
 */
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>
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
	struct list asyncs;    /* struct http_async with a live connection */
	bool kicked;           /* a connection was resumed: run MHD again */
	bool polling;          /* inside httpd_poll() */
};

struct http_async {
	struct le le;                  /* httpd.asyncs */
	struct httpd *h;
	struct MHD_Connection *conn;   /* NULL once the connection is gone */
	bool stream;
	bool suspended;
	bool closing;                  /* the owner let go */
	struct MHD_Response *reply;    /* deferred: queued on resume */
	unsigned status;               /* of reply */
	bool replied;                  /* deferred: reply (or failure) set */
	struct mbuf *out;              /* stream: not yet taken by MHD */
	size_t max_pending;
	http_async_close_h *closeh;    /* NULL once the owner let go */
	void *arg;
};

struct req_ctx {
	char *target;          /* raw request target */
	struct mbuf *body;
	bool headers_seen;     /* the first access() call carries no body */
	bool too_large;
	struct http_async *async;
	struct httpd *h;
};

static void httpd_poll(struct httpd *h);
static void tmr_h_(void *arg);

/* Run MHD again soon: a suspended connection was resumed. */
static void kick(struct httpd *h)
{
	h->kicked = true;
	if (!h->polling)
		tmr_start(&h->tmr, 0, tmr_h_, h);
}

static void async_resume(struct http_async *ha)
{
	if (ha->suspended && ha->conn) {
		ha->suspended = false;
		MHD_resume_connection(ha->conn);
		kick(ha->h);
	}
}

static void async_destructor(void *arg)
{
	struct http_async *ha = arg;

	list_unlink(&ha->le);
	if (ha->reply)
		MHD_destroy_response(ha->reply);
	mem_deref(ha->out);
}

/* The connection is gone: tell the owner, if it still holds ha. */
static void async_gone(struct http_async *ha)
{
	http_async_close_h *closeh = ha->closeh;

	ha->conn = NULL;
	ha->suspended = false;
	list_unlink(&ha->le);
	ha->closeh = NULL;
	if (closeh)
		closeh(ha->arg);
}

static void req_ctx_destructor(void *arg)
{
	struct req_ctx *rc = arg;

	mem_deref(rc->target);
	mem_deref(rc->body);
	if (rc->async) {
		async_gone(rc->async);
		mem_deref(rc->async);
	}
}

static void *uri_logged(void *cls, const char *uri,
			struct MHD_Connection *conn)
{
	struct req_ctx *rc = mem_zalloc(sizeof(*rc), req_ctx_destructor);

	if (rc && str_dup(&rc->target, uri ? uri : "/"))
		rc = mem_deref(rc);
	if (rc)
		rc->h = cls;
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

static void add_headers(struct MHD_Response *r, const struct http_resp *resp)
{
	if (resp->ctype)
		MHD_add_response_header(r, "Content-Type", resp->ctype);
	for (size_t i = 0; i < ARRAY_SIZE(resp->hdr_name); i++)
		if (resp->hdr_name[i])
			MHD_add_response_header(r, resp->hdr_name[i],
						resp->hdr_value[i]);
}

static struct MHD_Response *make_response(struct http_resp *resp)
{
	size_t len = resp->body ? resp->body->end : 0;
	struct MHD_Response *r;

	if (resp->fd >= 0) {
		/* MHD owns and closes the descriptor from here on */
		r = MHD_create_response_from_fd(resp->fd_size, resp->fd);
		resp->fd = -1;
	}
	else
		r = MHD_create_response_from_buffer(len, len ? resp->body->buf
			: (void *)"", MHD_RESPMEM_MUST_COPY);
	if (r)
		add_headers(r, resp);
	return r;
}

static enum MHD_Result queue_and_drop(struct MHD_Connection *conn,
				      unsigned status, struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_resp(struct MHD_Connection *conn,
				 struct http_resp *resp)
{
	return queue_and_drop(conn, resp->status, make_response(resp));
}

/* The stream's body: pending bytes, else wait (suspended) for more. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_async *ha = cls;
	struct mbuf *mb = ha->out;
	size_t n = mbuf_get_left(mb);

	(void)pos;
	if (!ha->conn)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n) {
		if (n > max)
			n = max;
		(void)mbuf_read_mem(mb, (uint8_t *)buf, n);
		if (!mbuf_get_left(mb))
			mbuf_rewind(mb);
		else if (mb->pos >= 65536) {
			/* keep the buffer from creeping: move the rest down */
			size_t left = mbuf_get_left(mb);
			memmove(mb->buf, mb->buf + mb->pos, left);
			mb->pos = 0;
			mb->end = left;
		}
		return (ssize_t)n;
	}
	if (ha->closing)
		return MHD_CONTENT_READER_END_OF_STREAM;
	MHD_suspend_connection(ha->conn);
	ha->suspended = true;
	return 0;
}

static void stream_free(void *cls)
{
	mem_deref(cls);
}

static enum MHD_Result queue_stream(struct http_async *ha,
				    const struct http_resp *resp)
{
	struct MHD_Response *r = MHD_create_response_from_callback(
		MHD_SIZE_UNKNOWN, 16384, stream_read, ha, stream_free);

	if (!r)
		return MHD_NO;
	mem_ref(ha);                /* the response's reference */
	add_headers(r, resp);
	return queue_and_drop(ha->conn, resp->status, r);
}

/* After the route (or a resume): queue what there is, else wait. */
static enum MHD_Result async_continue(struct http_async *ha)
{
	struct MHD_Response *r = ha->reply;

	if (ha->replied) {
		/* r is NULL only when out of memory: MHD_NO closes */
		ha->reply = NULL;
		return queue_and_drop(ha->conn, ha->status, r);
	}
	MHD_suspend_connection(ha->conn);
	ha->suspended = true;
	return MHD_YES;
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
	if (rc->async && !*upload_data_size)   /* resumed */
		return rc->async->stream ? MHD_YES : async_continue(rc->async);
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
		.conn = conn, .ctx = rc,
	};
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		sa_set_sa(&req.peer, ci->client_addr);
	h->rh(&req, &resp, h->arg);
	if (rc->async) {
		struct http_async *ha = rc->async;
		ret = ha->stream ? queue_stream(ha, &resp) : async_continue(ha);
		mem_deref(resp.body);
		if (resp.fd >= 0)
			close(resp.fd);
		return ret;
	}
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

void http_resp_headerf(struct http_resp *resp, const char *name,
		       const char *fmt, ...)
{
	size_t room = sizeof(resp->hbuf) - resp->hbuf_used;
	char *v = resp->hbuf + resp->hbuf_used;
	va_list ap;
	int n;

	if (room < 2)
		return;
	va_start(ap, fmt);
	n = re_vsnprintf(v, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return;
	resp->hbuf_used += (size_t)n + 1;
	http_resp_header(resp, name, v);
}

/* ---- asynchronous replies ------------------------------------------- */

static struct http_async *async_attach(const struct http_req *req,
				       http_async_close_h *closeh, void *arg)
{
	struct req_ctx *rc = req->ctx;
	struct http_async *ha;

	if (!rc || rc->async)
		return NULL;
	ha = mem_zalloc(sizeof(*ha), async_destructor);
	if (!ha)
		return NULL;
	ha->h = rc->h;
	ha->conn = req->conn;
	ha->closeh = closeh;
	ha->arg = arg;
	list_append(&rc->h->asyncs, &ha->le, ha);
	rc->async = ha;
	return ha;
}

struct http_async *http_async_defer(const struct http_req *req,
				    http_async_close_h *closeh, void *arg)
{
	return async_attach(req, closeh, arg);
}

void http_async_reply(struct http_async *ha, struct http_resp *resp)
{
	if (!ha || ha->stream || ha->replied)
		return;
	ha->closeh = NULL;
	ha->replied = true;
	ha->status = resp->status;
	ha->reply = make_response(resp);
	resp->body = mem_deref(resp->body);
	async_resume(ha);
}

struct http_async *http_async_stream(const struct http_req *req,
				     struct http_resp *resp, size_t max_pending,
				     http_async_close_h *closeh, void *arg)
{
	struct http_async *ha;

	(void)resp;
	ha = async_attach(req, closeh, arg);
	if (!ha)
		return NULL;
	ha->stream = true;
	ha->max_pending = max_pending;
	ha->out = mbuf_alloc(1024);
	if (!ha->out) {
		/* the context keeps ha: the stream ends at once */
		ha->closeh = NULL;
		ha->closing = true;
		return NULL;
	}
	return ha;
}

int http_async_write(struct http_async *ha, const void *p, size_t n)
{
	struct mbuf *mb;
	size_t rpos;
	int err;

	if (!ha || !ha->stream || !ha->conn || ha->closing)
		return EPIPE;
	mb = ha->out;
	if (mbuf_get_left(mb) + n > ha->max_pending)
		return ENOBUFS;
	rpos = mb->pos;             /* the reader's position; append at end */
	mb->pos = mb->end;
	err = mbuf_write_mem(mb, p, n);
	mb->pos = rpos;
	if (!err)
		async_resume(ha);
	return err;
}

size_t http_async_pending(const struct http_async *ha)
{
	return ha && ha->out ? mbuf_get_left(ha->out) : 0;
}

void http_async_close(struct http_async *ha)
{
	struct http_resp r = { .status = 503, .fd = -1 };

	if (!ha)
		return;
	ha->closeh = NULL;
	if (ha->stream) {
		ha->closing = true;
		async_resume(ha);
		return;
	}
	if (ha->replied)
		return;
	http_resp_set(&r, 503, "text/plain", "unavailable\n");
	http_async_reply(ha, &r);
}

static void tmr_h_(void *arg)
{
	httpd_poll(arg);
}

/* Run MHD, then arm the timer for MHD's next deadline (idle timeouts),
 * or at once if a connection was resumed meanwhile. */
static void httpd_poll(struct httpd *h)
{
	MHD_UNSIGNED_LONG_LONG ms = 1000;

	h->kicked = false;
	h->polling = true;
	MHD_run(h->mhd);
	h->polling = false;
	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES || ms > 1000)
		ms = 1000;
	if (h->kicked)
		ms = 0;
	tmr_start(&h->tmr, ms, tmr_h_, h);
}

static void epoll_ready(int flags, void *arg)
{
	httpd_poll(arg);
}

static void httpd_destructor(void *arg)
{
	struct httpd *h = arg;
	struct le *le;

	/* owners let go; MHD must not find a suspended connection */
	while ((le = list_head(&h->asyncs))) {
		struct http_async *ha = le->data;
		http_async_close_h *closeh = ha->closeh;
		list_unlink(&ha->le);
		ha->closeh = NULL;
		ha->closing = true;
		ha->replied = true;
		if (closeh)
			closeh(ha->arg);
		if (ha->suspended && ha->conn) {
			ha->suspended = false;
			MHD_resume_connection(ha->conn);
		}
	}
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
	/* a client leaving a stream is routine (every page reload) */
	if (strstr(buf, "no longer available") ||
	    strstr(buf, "reset by remote"))
		OCC_DBG("libmicrohttpd: %s", buf);
	else
		OCC_WARN("libmicrohttpd: %s", buf);
}

int httpd_alloc(struct httpd **hp, const struct sa *laddr,
		unsigned max_conns, http_route_h *rh, void *arg)
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
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
		sa_port(laddr), NULL, NULL,
		access_h, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
		MHD_OPTION_SOCK_ADDR, &laddr->u.sa,
		MHD_OPTION_URI_LOG_CALLBACK, uri_logged, h,
		MHD_OPTION_NOTIFY_COMPLETED, completed, h,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_LIMIT, max_conns,
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
