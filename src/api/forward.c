/*
 * forward.c — several nodes: an API request (HTTP interface, Script,
 * SOAP) for a team another node serves is passed to that node's
 * [cluster] http_address and its reply sent back unchanged (status,
 * content type, body). The request is suspended meanwhile
 * (http_async_defer): the loop goes on. Bounded: the body as received
 * (HTTPD_MAX_BODY), the reply FWD_MAX_REPLY bytes, FWD_TIMEOUT_MS to
 * answer. The forwarded request carries X-Occ-Forwarded: <this node>; a
 * request that already carries it is never forwarded again (508), so two
 * nodes that disagree for a moment about a team's owner cannot bounce it
 * between them.
 *
 * The owner is cluster_route's (cluster.h): with a view of the leases
 * that may be stale it reads the team's lease row again. A team without a
 * live holder (a takeover under way) is answered here: BackMsg_100 by
 * dispatch (retryable, never BackMsg_02: the team exists), 503 for a
 * stream. A forward that fails (connection refused, timeout, 508: the
 * node no longer serves the team; not a reply over FWD_MAX_REPLY: 502)
 * is tried once more at the owner the lease row names then; if there is none, or that fails too, the
 * request is routed again here (fwd_replay), which answers it busy, or
 * serves it when this node took the team meanwhile.
 *
 * Browser push (/push/sse, /push/poll, /push/auth, the agentpull
 * channels; the team from the token's team id or the extension's channel
 * name) and recordings (/getMonitor/, the team from o=) are relayed as a
 * stream instead: the owner's status and headers once its first bytes
 * come, then its body as it arrives (an SSE stream for as long as both
 * ends stay), at most FWD_STREAM_PENDING bytes waiting for a slow client
 * (beyond, the stream is cut: an EventSource reconnects and resumes from
 * its Last-Event-ID), FWD_WAIT_MS for the first bytes (a long poll holds
 * up to 60 s). docs/ARCHITECTURE.md, "Several nodes".
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "api.forward"
#include "base/log.h"
#include "base/form.h"
#include "api/api.h"
#include "api/dispatch.h"
#include "api/httpd.h"
#include "api/soap.h"
#include "cluster/cluster.h"
#include "core/occ.h"
#include "events/push.h"
#include "events/httpout.h"

enum { FWD_MAX_REPLY = 1024 * 1024, FWD_TIMEOUT_MS = 10000,
       FWD_WAIT_MS = 75000, FWD_STREAM_PENDING = 4 * 1024 * 1024 };

struct fwd {
	struct api *api;
	struct http_async *ha;
	struct http_req *req;      /* libre's request */
	struct req_copy rc;        /* the client's, to send again */
	struct tmr tmo;
	struct mbuf *body;
	bool stream;               /* relayed as it comes (push, recordings) */
	bool streaming;            /* the owner's head went out */
	bool retried;              /* sent to a second owner */
	char team[64];
	char owner[ST_ADDR];
};

/* the request's headers passed on, and the reply's passed back */
static const char *const fwd_req_hdrs[] = {
	"Content-Type", "SOAPAction", "Last-Event-ID", "If-None-Match",
	"If-Modified-Since",
};
static const char *const fwd_resp_hdrs[] = {
	"Cache-Control", "Etag", "Last-Modified", "X-Accel-Buffering",
	"X-Content-Type-Options", "Access-Control-Allow-Origin",
	"Access-Control-Expose-Headers", "X-Occ-Channel",
};

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* The team a push subscription or a recording's request names (the
 * recording's o=); *stream set for them. */
static bool stream_team(const struct cluster *cl, const struct http_req *req,
			char *team, size_t sz, bool *stream)
{
	const char *name;
	int64_t id;
	struct form f;
	bool found = false;

	if (starts(req->path, "/getMonitor/")) {
		form_init(&f);
		if (!form_parse(&f, req->query, strlen(req->query)) &&
		    (name = form_get(&f, "o")) && *name) {
			str_ncpy(team, name, sz);
			found = true;
		}
		form_reset(&f);
	}
	else if (push_request_team(req, team, sz, &id)) {
		found = true;
		if (!*team) {
			name = cluster_team_name(cl, id);
			found = name != NULL;
			if (found)
				str_ncpy(team, name, sz);
		}
	}
	*stream = found;
	return found;
}

/* The team a request names: the form's orgidentity (query and body), or
 * the SOAP call's orgidentity argument. */
static bool request_team(const struct http_req *req, const char *rest,
			 char *team, size_t sz)
{
	static const char *const soap_paths[] = { "/coccwi.php",
		"/astcccwi.php", "/astccwi.php" };
	bool form = !strcmp(req->path, "/coccinterfaces") ||
		!strcmp(req->path, "/asterccinterfaces") ||
		starts(req->path, "/setevent/") ||
		(rest && starts(rest, "setevent/"));
	bool found = false;

	if (form) {
		struct form f;
		const char *v;
		form_init(&f);
		if (!request_form(req, &f) && (v = form_get(&f, "orgidentity"))
		    && *v) {
			str_ncpy(team, v, sz);
			found = true;
		}
		form_reset(&f);
		return found;
	}
	if (strcmp(req->method, "POST"))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(soap_paths); i++) {
		struct soap_call call;
		struct dispatch_args da;
		const struct op *op;
		const char *why;
		if (strcmp(req->path, soap_paths[i]))
			continue;
		if (soap_call_parse(&call, req->body, req->body_len, &why))
			return false;
		op = op_find_soap(call.method);
		if (op && dispatch_args_positional(&da, op, call.vals, call.n)
		    && da.v[P_ORGIDENTITY] && *da.v[P_ORGIDENTITY]) {
			str_ncpy(team, da.v[P_ORGIDENTITY], sz);
			found = true;
		}
		soap_call_free(&call);
		return found;
	}
	return false;
}

static void fwd_destructor(void *arg)
{
	struct fwd *f = arg;

	tmr_cancel(&f->tmo);
	mem_deref(f->req);
	mem_deref(f->body);
	req_copy_reset(&f->rc);
}

/* The owner's status, content type and the headers passed back. */
static void fwd_head(struct http_resp *resp, const struct http_msg *msg,
		     char *ctype, size_t sz)
{
	const struct http_hdr *h = http_msg_hdr(msg, HTTP_HDR_CONTENT_TYPE);

	resp->status = msg->scode;
	if (h) {
		pl_strcpy(&h->val, ctype, sz);
		resp->ctype = ctype;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fwd_resp_hdrs); i++) {
		h = http_msg_xhdr(msg, fwd_resp_hdrs[i]);
		if (h)
			http_resp_headerf(resp, fwd_resp_hdrs[i], "%r", &h->val);
	}
}

/* Answer the client (resp NULL: 502) and free f; a stream just ends. */
static void fwd_answer(struct fwd *f, struct http_resp *resp,
		       struct mbuf *body)
{
	struct http_resp bad = { .status = 502, .fd = -1 };

	if (!resp)
		resp = &bad;
	if (f->ha && f->streaming) {
		http_async_close(f->ha);     /* after what is pending */
		f->ha = NULL;
	}
	if (f->ha) {
		resp->body = body ? mem_ref(body) : mbuf_alloc(64);
		if (!body) {
			resp->ctype = "text/plain; charset=utf-8";
			if (resp->body)
				mbuf_printf(resp->body, "the team's node %s "
					    "did not answer\n", f->owner);
		}
		http_async_reply(f->ha, resp);
		f->ha = NULL;
	}
	mem_deref(f);
}

static int fwd_send(struct fwd *f, const char *owner);

/* The owner did not answer (or no longer serves the team): once, the
 * owner the lease row names now; else route the request again here. */
static void fwd_failed(struct fwd *f)
{
	struct api *api = f->api;
	struct http_resp again = { .status = 500, .fd = -1 };
	const char *owner;

	f->req = mem_deref(f->req);
	tmr_cancel(&f->tmo);
	if (f->streaming || !f->ha) {
		fwd_answer(f, NULL, NULL);
		return;
	}
	if (!f->retried) {
		f->retried = true;
		if (cluster_route(api->occ->cluster, f->team, f->owner,
				  &owner) == CLUSTER_FORWARD &&
		    !fwd_send(f, owner)) {
			OCC_INFO("team %H: forwarded again, to %s", LQ(f->team),
				 owner);
			return;
		}
	}
	api->fwd_replay = true;
	web_route(&f->rc.req, &again, api);
	api->fwd_replay = false;
	http_async_reply(f->ha, &again);
	f->ha = NULL;
	mem_deref(again.body);
	mem_deref(f);
}

/* the client went away first */
static void fwd_closed(void *arg)
{
	struct fwd *f = arg;

	f->ha = NULL;
	mem_deref(f);
}

static int fwd_data(const uint8_t *buf, size_t size,
		    const struct http_msg *msg, void *arg)
{
	struct fwd *f = arg;
	struct http_resp resp = { .fd = -1 };
	char ctype[128];
	int err;

	if (!f->stream) {
		if (f->body->end + size > FWD_MAX_REPLY)
			return EOVERFLOW;
		return mbuf_write_mem(f->body, buf, size);
	}
	if (!f->ha)
		return EPIPE;
	if (!f->streaming && msg->scode == 508)
		return EHOSTUNREACH;     /* not served there: fwd_failed */
	if (!f->streaming) {
		fwd_head(&resp, msg, ctype, sizeof(ctype));
		err = http_async_begin_stream(f->ha, &resp,
					      FWD_STREAM_PENDING);
		if (err)
			return err;
		f->streaming = true;
		tmr_cancel(&f->tmo);
	}
	/* ENOBUFS: the client does not keep up; the stream is cut */
	return http_async_write(f->ha, buf, size);
}

static void fwd_resp(int err, const struct http_msg *msg, void *arg)
{
	struct fwd *f = arg;
	struct http_resp resp = { .fd = -1 };
	char ctype[128];

	/* a reply over FWD_MAX_REPLY: the owner did the work, it is not
	 * to be done again elsewhere (502) */
	if ((err ? err != EOVERFLOW : !msg || msg->scode == 508) &&
	    !f->streaming) {
		OCC_WARN("team %H: forward to %s failed: %m%s", LQ(f->team),
			 f->owner, err, !err && msg ? " (508)" : "");
		fwd_failed(f);
		return;
	}
	f->req = mem_deref(f->req);
	tmr_cancel(&f->tmo);
	if (f->streaming || err) {
		if (err && !f->streaming)
			OCC_WARN("team %H: reply from %s over %d bytes",
				 LQ(f->team), f->owner, FWD_MAX_REPLY);
		fwd_answer(f, NULL, NULL);
		return;
	}
	fwd_head(&resp, msg, ctype, sizeof(ctype));
	mbuf_set_pos(f->body, 0);
	fwd_answer(f, &resp, f->body);
}

static void fwd_timeout(void *arg)
{
	struct fwd *f = arg;

	OCC_WARN("team %H: forward to %s timed out", LQ(f->team), f->owner);
	fwd_failed(f);
}

/* The request's headers to pass on, as "Name: value\r\n" lines. */
static int fwd_req_headers(struct mbuf *mb, const struct http_req *req)
{
	int err = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fwd_req_hdrs); i++) {
		const char *v = http_req_header(req, fwd_req_hdrs[i]);
		if (v)
			err |= mbuf_printf(mb, "%s: %s\r\n", fwd_req_hdrs[i],
					   v);
	}
	return err;
}

/* Send the client's request to owner. */
static int fwd_send(struct fwd *f, const char *owner)
{
	const struct http_req *req = &f->rc.req;
	char url[HTTPD_MAX_TARGET + 128];
	struct mbuf *hdrs = mbuf_alloc(256);
	int err;

	str_ncpy(f->owner, owner, sizeof(f->owner));
	mbuf_rewind(f->body);
	re_snprintf(url, sizeof(url), "http://%s%s%s%s", owner, req->path,
		    req->query[0] ? "?" : "", req->query);
	if (!hdrs || fwd_req_headers(hdrs, req))
		err = ENOMEM;
	else
		err = http_request(&f->req, f->api->fwd_cli, req->method, url,
				   fwd_resp, fwd_data, f,
				   "X-Occ-Forwarded: %s\r\n%b"
				   "Content-Length: %zu\r\n\r\n%b",
				   cluster_node(f->api->occ->cluster),
				   hdrs->buf, hdrs->end, req->body_len,
				   req->body, req->body_len);
	mem_deref(hdrs);
	if (err) {
		OCC_WARN("forward to %s not sent: %m", owner, err);
		return err;
	}
	tmr_start(&f->tmo, f->stream ? FWD_WAIT_MS : FWD_TIMEOUT_MS,
		  fwd_timeout, f);
	return 0;
}

bool api_forward(struct api *api, const struct http_req *req,
		 struct http_resp *resp, const char *rest)
{
	struct cluster *cl = api->occ->cluster;
	const char *owner, *v;
	char team[64];
	enum cluster_route route;
	bool stream = false;
	struct fwd *f;

	if (!cl || !strcmp(req->method, "HEAD") ||
	    !(request_team(req, rest, team, sizeof(team)) ||
	      stream_team(cl, req, team, sizeof(team), &stream)))
		return false;
	route = cluster_route(cl, team, NULL, &owner);
	if (route == CLUSTER_HERE || route == CLUSTER_UNKNOWN)
		return false;
	if (route == CLUSTER_FORWARD && !api->fwd_replay &&
	    (v = http_req_header(req, "X-Occ-Forwarded"))) {
		OCC_WARN("team %H: request forwarded by %H, not served here "
			 "either", LQ(team), LQ(v));
		http_resp_set(resp, 508, "text/plain; charset=utf-8",
			      "team %s is not served by node %s\n", team,
			      cluster_node(cl));
		return true;
	}
	/* dispatch answers the API's requests busy (BackMsg_100) */
	if (route == CLUSTER_BUSY || api->fwd_replay)
		goto busy;
	if (!api->fwd_cli && httpout_client(&api->fwd_cli))
		goto busy;
	f = mem_zalloc(sizeof(*f), fwd_destructor);
	if (!f)
		goto busy;
	tmr_init(&f->tmo);
	f->api = api;
	str_ncpy(f->team, team, sizeof(f->team));
	f->stream = stream;
	f->body = mbuf_alloc(1024);
	if (!f->body || req_copy_set(&f->rc, req) || fwd_send(f, owner)) {
		mem_deref(f);
		goto busy;
	}
	f->ha = http_async_defer(req, fwd_closed, f);
	if (!f->ha) {
		mem_deref(f);
		goto busy;
	}
	OCC_DBG("team %s: forwarded to %s", team, owner);
	return true;
 busy:
	if (!stream)
		return false;
	http_resp_set(resp, 503, "text/plain; charset=utf-8",
		      "cannot reach team %s's node now\n", team);
	return true;
}
