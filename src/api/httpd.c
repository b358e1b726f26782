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
 * response of unknown size (chunked to an HTTP/1.1 client, the bytes up to
 * the connection's end to HTTP/1.0). MHD sends the head and what was
 * written before it; the first time its reader finds nothing pending, the
 * connection is suspended for good and the stream goes "direct":
 * http_async_write() frames each write as a chunk itself (HTTP/1.1) and
 * sends it to the socket (what the kernel does not take waits in ha->out,
 * flushed when the socket is writable). Why not resume MHD for every write, as before:
 * MHD 0.9.75 walks its whole list of suspended connections on each
 * MHD_run() after a resume, so with 10,000 event streams every loop pass
 * that fed a few of them cost a walk of all 10,000 (~60 µs of CPU per
 * event delivered, against ~5 µs for a send()). MHD does not touch a
 * suspended connection's socket. To end the stream (the owner closes, or
 * a send failed) occd stops writing and resumes the connection; the reader
 * then ends it (MHD sends the last chunk). Bytes the client had not taken
 * by then are dropped: a stream's client that falls behind reconnects and
 * catches up from the store (push.c), as it does after any break.
 * Every resume kicks the loop (a zero timer) so MHD_run() sees it at once.
 * Before MHD_stop_daemon() every suspended connection is resumed, as MHD
 * requires.
 *
 * Hostile clients (httpd.h): MHD limits connections per address and per
 * connection memory itself, but its idle timeout restarts with every byte,
 * so a client dribbling a header line every few seconds keeps its slot for
 * ever. Each connection therefore waits in h->waiting, in deadline order,
 * from its start (and again after each reply) until its request is in; a
 * timer shuts down the socket of those past request_timeout, and MHD closes
 * them. Checks on the head (httpguard.h) run at the first access() call,
 * where a queued reply makes MHD skip the body and close. A chunked body
 * that crosses the limit cannot be answered through MHD (0.9.75 queues
 * replies only before or after the body), so occd writes the 413 to the
 * socket itself and has MHD close the connection.
 */
#include <stdarg.h>
#include <string.h>
#include <strings.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <microhttpd.h>
#include <re.h>
#define LOG_TOPIC "api.httpd"
#include "base/log.h"
#include "api/httpd.h"
#include "api/httpguard.h"

/* Repeated warnings (a flood) are logged at most once per LOG_EVERY_MS, with
 * the count since. */
enum { LOG_EVERY_MS = 10000 };
#define TOO_LARGE_FMT "request body larger than %u bytes\n"
struct log_every {
	uint64_t last;
	unsigned count;
};

struct httpd {
	struct MHD_Daemon *mhd;
	int epfd;
	struct tmr tmr;
	http_route_h *rh;
	void *arg;
	struct list asyncs;    /* struct http_async with a live connection */
	bool kicked;           /* a connection was resumed: run MHD again */
	bool polling;          /* inside httpd_poll() */
	struct httpd_limits lim;
	struct list waiting;   /* struct http_conn without its request yet,
				* earliest deadline first */
	struct tmr deadline_tmr;
	bool cutting;          /* access() returns MHD_NO on purpose */
	struct log_every refused_log, timeout_log;
};

/* One connection (MHD's socket context), from accept to close. */
struct http_conn {
	struct le le;                  /* httpd.waiting while armed */
	struct httpd *h;
	struct MHD_Connection *conn;
	uint64_t deadline;             /* tmr_jiffies() */
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
	uint32_t hold_ms;              /* stream: writes wait this long */
	struct tmr hold;               /* running: held bytes wait for it */
	int fd;                        /* direct: the connection's socket */
	bool http11;                   /* the body is chunked (MHD's rule) */
	bool direct;                   /* stream: occd sends the body itself */
	bool listening;                /* direct: the socket is watched */
	bool watch_read;               /* direct: for the client's close */
	bool want_write;               /* direct: pending bytes wait */
	bool broken;                   /* a direct send failed: end it */
	http_async_close_h *closeh;    /* NULL once the owner let go */
	void *arg;
};

struct req_ctx {
	char *target;          /* raw request target */
	struct mbuf *body;
	bool headers_seen;     /* the first access() call carries no body */
	bool http11;           /* HTTP/1.1 request: MHD chunks a stream */
	struct http_async *async;
	struct httpd *h;
};

static void httpd_poll(struct httpd *h);
static void tmr_h_(void *arg);

/* Count n more; true (with the count since the last line) when a line is
 * due. */
static bool log_due(struct log_every *le, unsigned n, unsigned *count)
{
	uint64_t now = tmr_jiffies();

	le->count += n;
	if (le->last && now - le->last < LOG_EVERY_MS)
		return false;
	le->last = now;
	*count = le->count;
	le->count = 0;
	return true;
}

/* ---- request deadlines ---------------------------------------------- */

static void deadline_h(void *arg);

static void deadline_schedule(struct httpd *h)
{
	struct le *le = list_head(&h->waiting);
	uint64_t now = tmr_jiffies();
	struct http_conn *hc;

	if (!le) {
		tmr_cancel(&h->deadline_tmr);
		return;
	}
	hc = le->data;
	tmr_start(&h->deadline_tmr, hc->deadline > now ? hc->deadline - now : 0,
		  deadline_h, h);
}

/* The request on this connection must be in by request_timeout from now. */
static void deadline_arm(struct http_conn *hc)
{
	struct httpd *h = hc->h;

	list_unlink(&hc->le);
	hc->deadline = tmr_jiffies() + (uint64_t)h->lim.request_timeout * 1000;
	list_append(&h->waiting, &hc->le, hc);   /* the latest deadline */
	if (list_head(&h->waiting) == &hc->le)
		deadline_schedule(h);
}

/* The request is in: what follows (the reply, a stream) has no deadline. */
static void deadline_disarm(struct http_conn *hc)
{
	if (hc)
		list_unlink(&hc->le);
}

static struct http_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static int conn_fd(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	return ci ? ci->connect_fd : -1;
}

/* Shut down the sockets of connections past their deadline; MHD sees the
 * socket end and closes the connection. */
static void deadline_h(void *arg)
{
	struct httpd *h = arg;
	uint64_t now = tmr_jiffies();
	struct le *le;
	unsigned cut = 0, count;

	while ((le = list_head(&h->waiting))) {
		struct http_conn *hc = le->data;
		int fd;
		if (hc->deadline > now)
			break;
		list_unlink(&hc->le);
		fd = conn_fd(hc->conn);
		if (fd >= 0)
			(void)shutdown(fd, SHUT_RDWR);
		cut++;
	}
	if (cut && log_due(&h->timeout_log, cut, &count))
		OCC_INFO("closed %u connection(s) that did not send a "
			 "request within %u s", count, h->lim.request_timeout);
	deadline_schedule(h);
	httpd_poll(h);
}

static void http_conn_destructor(void *arg)
{
	struct http_conn *hc = arg;

	list_unlink(&hc->le);
}

static void notify_conn(void *cls, struct MHD_Connection *conn,
			void **socket_context,
			enum MHD_ConnectionNotificationCode code)
{
	struct httpd *h = cls;
	struct http_conn *hc;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		*socket_context = mem_deref(*socket_context);
		return;
	}
	hc = mem_zalloc(sizeof(*hc), http_conn_destructor);
	if (!hc) {
		/* no deadline for it; it still has MHD's idle timeout */
		return;
	}
	hc->h = h;
	hc->conn = conn;
	*socket_context = hc;
	deadline_arm(hc);
}

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

/* Hand the socket back to MHD, which ends the stream; what is left was
 * framed by occd (or the client went): not for MHD's reader. */
static int direct_watch(struct http_async *ha);

static void direct_stop(struct http_async *ha)
{
	if (!ha->direct)
		return;
	if (ha->listening)
		fd_close(ha->fd);
	ha->listening = false;
	ha->want_write = false;
	ha->direct = false;
	mbuf_rewind(ha->out);
}

static void async_destructor(void *arg)
{
	struct http_async *ha = arg;

	list_unlink(&ha->le);
	tmr_cancel(&ha->hold);
	if (ha->reply)
		MHD_destroy_response(ha->reply);
	mem_deref(ha->out);
}

/* The connection is gone: tell the owner, if it still holds ha. */
static void async_gone(struct http_async *ha)
{
	http_async_close_h *closeh = ha->closeh;

	direct_stop(ha);
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
	struct http_conn *hc = conn_of(conn);

	*con_cls = mem_deref(*con_cls);
	/* kept alive: the next request has its own deadline */
	if (hc && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		deadline_arm(hc);
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

/* Bytes were taken from the front of a stream's buffer. */
static void out_taken(struct mbuf *mb)
{
	if (!mbuf_get_left(mb))
		mbuf_rewind(mb);
	else if (mb->pos >= 65536) {
		/* keep the buffer from creeping: move the rest down */
		size_t left = mbuf_get_left(mb);
		memmove(mb->buf, mb->buf + mb->pos, left);
		mb->pos = 0;
		mb->end = left;
	}
}

/* The stream's body: pending bytes, else wait (suspended) for more. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct http_async *ha = cls;
	struct mbuf *mb = ha->out;
	size_t n = mbuf_get_left(mb);

	(void)pos;
	if (!ha->conn || ha->broken)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (n) {
		if (n > max)
			n = max;
		(void)mbuf_read_mem(mb, (uint8_t *)buf, n);
		out_taken(mb);
		return (ssize_t)n;
	}
	if (ha->closing)
		return MHD_CONTENT_READER_END_OF_STREAM;
	MHD_suspend_connection(ha->conn);
	ha->suspended = true;
	/* the head and everything handed out so far are sent (MHD asks for
	 * more only then): from here on occd writes the body itself */
	ha->fd = conn_fd(ha->conn);
	if (ha->fd >= 0) {
		int off = 0, on = 1;
		/* MHD may leave the socket corked after its last send */
		(void)setsockopt(ha->fd, IPPROTO_TCP, TCP_CORK, &off, sizeof(off));
		(void)setsockopt(ha->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
		ha->direct = true;
		ha->watch_read = true;
		if (direct_watch(ha))
			ha->watch_read = false;  /* found at a send instead */
	}
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

/* ---- refusals before the body ------------------------------------- */

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind,
				     const char *key, const char *value)
{
	struct http_head *hh = cls;

	if (!strcasecmp(key, "Content-Length")) {
		if (!hh->n_content_length++)
			hh->content_length = value;
	}
	else if (!strcasecmp(key, "Transfer-Encoding")) {
		if (!hh->n_transfer_encoding++)
			hh->transfer_encoding = value;
	}
	return MHD_YES;
}

/* The head is in: refuse it now (MHD then skips the body and closes), or
 * MHD_YES to read on. */
static enum MHD_Result check_head(struct httpd *h, struct MHD_Connection *conn,
				  const char *method, bool *refused)
{
	struct http_head hh = { .method = method };
	struct http_refusal rf;
	struct http_resp resp = { .fd = -1 };
	enum MHD_Result ret;

	(void)MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing,
					&hh);
	rf = http_head_check(&hh, h->lim.methods, HTTPD_MAX_BODY);
	*refused = rf.status != 0;
	if (!rf.status)
		return MHD_YES;
	OCC_DBG("refused %s request: %u %s", method, rf.status, rf.text);
	if (rf.status == 413)
		http_resp_set(&resp, 413, "text/plain", TOO_LARGE_FMT,
			      HTTPD_MAX_BODY);
	else
		http_resp_set(&resp, rf.status, "text/plain", "%s\n", rf.text);
	if (rf.status == 405)
		http_resp_header(&resp, "Allow", h->lim.methods);
	ret = send_resp(conn, &resp);
	mem_deref(resp.body);
	return ret;
}

/* A chunked body crossed the limit: MHD cannot queue a reply in the middle
 * of a body, so write the 413 to the socket (nothing else is being sent:
 * MHD reads a request only after its previous reply is out) and have MHD
 * close the connection. */
static enum MHD_Result cut_body(struct httpd *h, struct MHD_Connection *conn)
{
	char body[64], msg[256];
	int fd = conn_fd(conn);
	int blen = re_snprintf(body, sizeof(body), TOO_LARGE_FMT,
			       HTTPD_MAX_BODY);
	int n = re_snprintf(msg, sizeof(msg),
			    "HTTP/1.1 413 Content Too Large\r\n"
			    "Connection: close\r\n"
			    "Content-Type: text/plain\r\n"
			    "Content-Length: %d\r\n\r\n%s", blen, body);

	if (fd >= 0 && n > 0)
		(void)send(fd, msg, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
	OCC_DBG("chunked body over %u bytes: 413, connection closed",
		HTTPD_MAX_BODY);
	h->cutting = true;     /* MHD logs the MHD_NO as an error */
	return MHD_NO;
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
		bool refused;
		rc->headers_seen = true;
		rc->http11 = version && !strcasecmp(version,
						    MHD_HTTP_VERSION_1_1);
		ret = check_head(h, conn, method, &refused);
		if (refused)
			deadline_disarm(conn_of(conn));
		return ret;
	}
	if (rc->async && !*upload_data_size)   /* resumed */
		return rc->async->stream && !rc->async->reply ? MHD_YES
			: async_continue(rc->async);
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (!rc->body)
			rc->body = mbuf_alloc(n + 1);
		if (!rc->body)
			return MHD_NO;
		/* only a chunked body gets here over the limit: a
		 * Content-Length over it was refused with the head */
		if (rc->body->end + n > HTTPD_MAX_BODY)
			return cut_body(h, conn);
		mbuf_write_mem(rc->body, (const uint8_t *)upload_data, n);
		return MHD_YES;
	}
	deadline_disarm(conn_of(conn));
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
	tmr_init(&ha->hold);
	ha->h = rc->h;
	ha->http11 = rc->http11;
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

static void direct_io_h(int flags, void *arg);

/* Watches the socket for what the stream needs now: the client's close
 * (always, until it sent bytes of its own) and room to send (while bytes
 * wait). 0 when nothing is watched or the watch is on. */
static int direct_watch(struct http_async *ha)
{
	int flags = (ha->watch_read ? FD_READ : 0) |
		(ha->want_write ? FD_WRITE : 0);

	if (!flags) {
		if (ha->listening)
			fd_close(ha->fd);
		ha->listening = false;
		return 0;
	}
	ha->listening = !fd_listen(ha->fd, flags, direct_io_h, ha);
	return ha->listening ? 0 : EBADF;
}

static void direct_broken(struct http_async *ha)
{
	ha->broken = true;
	direct_stop(ha);
	async_resume(ha);
}

/* Send what waits; what the kernel does not take waits for FD_WRITE. A
 * failed send (the client went) ends the stream through MHD. */
static void direct_flush(struct http_async *ha)
{
	struct mbuf *mb = ha->out;

	while (mbuf_get_left(mb)) {
		ssize_t n = send(ha->fd, mbuf_buf(mb), mbuf_get_left(mb),
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			mb->pos += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			out_taken(mb);
			if (!ha->want_write) {
				ha->want_write = true;
				if (direct_watch(ha))
					break;
			}
			return;
		}
		break;
	}
	if (mbuf_get_left(mb)) {
		direct_broken(ha);
		return;
	}
	out_taken(mb);
	if (ha->want_write) {
		ha->want_write = false;
		if (direct_watch(ha))
			direct_broken(ha);
	}
}

/* An event stream's client sends nothing after its request: readable
 * means it closed (or reset) the connection, which ends the stream now
 * instead of at the next write (a keepalive, up to 15 s later, holding a
 * subscriber's place meanwhile). Bytes it did send (a pipelined request,
 * served by nobody while the stream lasts) stop the watch. */
static void direct_io_h(int flags, void *arg)
{
	struct http_async *ha = arg;

	if (flags & FD_READ) {
		char c;
		ssize_t n = recv(ha->fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN &&
			       errno != EWOULDBLOCK && errno != EINTR)) {
			direct_broken(ha);
			return;
		}
		if (n > 0) {
			ha->watch_read = false;
			if (direct_watch(ha)) {
				direct_broken(ha);
				return;
			}
		}
	}
	if (flags & FD_EXCEPT) {
		direct_broken(ha);
		return;
	}
	if ((flags & FD_WRITE) && ha->want_write)
		direct_flush(ha);
}

int http_async_begin_stream(struct http_async *ha, struct http_resp *resp,
			    size_t max_pending)
{
	struct MHD_Response *r;

	if (!ha || ha->stream || ha->replied || !ha->conn)
		return EINVAL;
	ha->out = mbuf_alloc(1024);
	r = ha->out ? MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
			16384, stream_read, ha, stream_free) : NULL;
	if (!r) {
		ha->out = mem_deref(ha->out);
		return ENOMEM;
	}
	mem_ref(ha);                /* the response's reference */
	add_headers(r, resp);
	ha->stream = true;
	ha->max_pending = max_pending;
	ha->replied = true;         /* async_continue queues r on resume */
	ha->status = resp->status;
	ha->reply = r;
	async_resume(ha);
	return 0;
}

static void hold_h(void *arg)
{
	struct http_async *ha = arg;

	if (ha->direct)
		direct_flush(ha);
	else
		async_resume(ha);
}

void http_async_hold(struct http_async *ha, uint32_t ms)
{
	if (ha && ha->stream)
		ha->hold_ms = ms;
}

int http_async_write(struct http_async *ha, const void *p, size_t n)
{
	struct mbuf *mb;
	size_t rpos;
	int err;

	if (!ha || !ha->stream || !ha->conn || ha->closing || ha->broken)
		return EPIPE;
	mb = ha->out;
	if (mbuf_get_left(mb) + n > ha->max_pending)
		return ENOBUFS;
	rpos = mb->pos;             /* the reader's position; append at end */
	mb->pos = mb->end;
	if (ha->direct && ha->http11)
		err = mbuf_printf(mb, "%zx\r\n%b\r\n", n, p, n);
	else
		err = mbuf_write_mem(mb, p, n);
	mb->pos = rpos;
	if (err)
		return err;
	/* held: the first write starts the wait, later ones join it */
	if (ha->hold_ms && ha->suspended) {
		if (!tmr_isrunning(&ha->hold))
			tmr_start(&ha->hold, ha->hold_ms, hold_h, ha);
	}
	else if (ha->direct) {
		/* waiting for FD_WRITE: the socket takes it all then */
		if (!ha->want_write)
			direct_flush(ha);
	}
	else
		async_resume(ha);
	return ha->broken ? EPIPE : 0;
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
		tmr_cancel(&ha->hold);
		if (ha->direct && !ha->want_write)
			direct_flush(ha);       /* what the socket takes now */
		direct_stop(ha);
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
	h->cutting = false;
	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES || ms > 1000)
		ms = 1000;
	if (h->kicked)
		ms = 0;
	tmr_start(&h->tmr, ms, tmr_h_, h);
}

void httpd_serve_ready(void *arg)
{
	struct httpd *h = arg;
	/* poll() on the epoll descriptor: readable while MHD's set has a
	 * ready socket; it does not consume the (edge-triggered) events */
	struct pollfd pfd = { .fd = h->epfd, .events = POLLIN };

	if (!h->polling && (h->kicked || poll(&pfd, 1, 0) > 0))
		httpd_poll(h);
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
		direct_stop(ha);
		if (closeh)
			closeh(ha->arg);
		if (ha->suspended && ha->conn) {
			ha->suspended = false;
			MHD_resume_connection(ha->conn);
		}
		if (ha->stream && ha->reply) {
			/* begun, never queued: drops its reference to ha
			 * (the request's context keeps another) */
			struct MHD_Response *r = ha->reply;
			ha->reply = NULL;
			MHD_destroy_response(r);
		}
	}
	tmr_cancel(&h->tmr);
	tmr_cancel(&h->deadline_tmr);
	if (h->epfd >= 0)
		fd_close(h->epfd);
	if (h->mhd)
		MHD_stop_daemon(h->mhd);
}

/* MHD's lines about one client's own doing: routine (a page reload ends a
 * stream) or hostile (one line per connection would let a flood fill the
 * log), so debug only. */
static bool client_side(const char *line)
{
	static const char *const routine[] = {
		"no longer available", "reset by remote",
		"closed by remote side", "closed when reading request",
		"Error processing request (HTTP response code is 4",
	};
	for (size_t i = 0; i < ARRAY_SIZE(routine); i++)
		if (strstr(line, routine[i]))
			return true;
	return false;
}

static void mhd_log(void *arg, const char *fmt, va_list ap)
{
	struct httpd *h = arg;
	char buf[256];
	unsigned count;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (client_side(buf) ||
	    (h->cutting && strstr(buf, "closing connection")))  /* cut_body */
		OCC_DBG("libmicrohttpd: %s", buf);
	else if (strstr(buf, "reached connection limit")) {
		if (log_due(&h->refused_log, 1, &count))
			OCC_WARN("refused %u connection(s): [http] "
				 "max_connections (%u) or max_per_address (%u) "
				 "reached", count, h->lim.max_conns,
				 h->lim.max_per_address);
	}
	else
		OCC_WARN("libmicrohttpd: %s", buf);
}

int httpd_alloc(struct httpd **hp, const struct sa *laddr,
		const struct httpd_limits *lim, http_route_h *rh, void *arg)
{
	struct httpd *h = mem_zalloc(sizeof(*h), httpd_destructor);
	const union MHD_DaemonInfo *info;
	int err = 0;

	if (!h)
		return ENOMEM;
	h->epfd = -1;
	h->rh = rh;
	h->arg = arg;
	h->lim = *lim;
	tmr_init(&h->tmr);
	tmr_init(&h->deadline_tmr);
	h->mhd = MHD_start_daemon(
		MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
		sa_port(laddr), NULL, NULL,
		access_h, h,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
		MHD_OPTION_SOCK_ADDR, &laddr->u.sa,
		MHD_OPTION_URI_LOG_CALLBACK, uri_logged, h,
		MHD_OPTION_NOTIFY_COMPLETED, completed, h,
		MHD_OPTION_NOTIFY_CONNECTION, notify_conn, h,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
		MHD_OPTION_CONNECTION_LIMIT, lim->max_conns,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, lim->max_per_address,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)lim->conn_memory_kib * 1024,
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
