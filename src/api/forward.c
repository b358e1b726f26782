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
 * between them. docs/ARCHITECTURE.md, "Several nodes".
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
#include "events/httpout.h"

enum { FWD_MAX_REPLY = 1024 * 1024, FWD_TIMEOUT_MS = 10000 };

struct fwd {
	struct http_async *ha;
	struct http_req *req;      /* libre's request */
	struct tmr tmo;
	struct mbuf *body;
	char ctype[128];
	char owner[64];
};

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
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
}

static void fwd_answer(struct fwd *f, unsigned status, const char *ctype,
		       struct mbuf *body)
{
	struct http_resp resp = { .status = status, .fd = -1 };

	if (f->ha) {
		resp.ctype = ctype;
		resp.body = body ? mem_ref(body) : mbuf_alloc(64);
		if (!body && resp.body)
			mbuf_printf(resp.body, "the team's node %s did not "
				    "answer\n", f->owner);
		http_async_reply(f->ha, &resp);
		f->ha = NULL;
	}
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

	(void)msg;
	if (f->body->end + size > FWD_MAX_REPLY)
		return EOVERFLOW;
	return mbuf_write_mem(f->body, buf, size);
}

static void fwd_resp(int err, const struct http_msg *msg, void *arg)
{
	struct fwd *f = arg;
	const struct http_hdr *ct;

	f->req = mem_deref(f->req);
	tmr_cancel(&f->tmo);
	if (err || !msg) {
		OCC_WARN("forward to %s failed: %m", f->owner, err);
		fwd_answer(f, 502, "text/plain; charset=utf-8", NULL);
		return;
	}
	ct = http_msg_hdr(msg, HTTP_HDR_CONTENT_TYPE);
	if (ct)
		pl_strcpy(&ct->val, f->ctype, sizeof(f->ctype));
	mbuf_set_pos(f->body, 0);
	fwd_answer(f, msg->scode, f->ctype[0] ? f->ctype : NULL, f->body);
}

static void fwd_timeout(void *arg)
{
	struct fwd *f = arg;

	OCC_WARN("forward to %s timed out", f->owner);
	f->req = mem_deref(f->req);
	fwd_answer(f, 504, "text/plain; charset=utf-8", NULL);
}

bool api_forward(struct api *api, const struct http_req *req,
		 struct http_resp *resp, const char *rest)
{
	struct cluster *cl = api->occ->cluster;
	const char *owner, *v, *me;
	char team[64], url[HTTPD_MAX_TARGET + 128];
	struct fwd *f;
	int err;

	if (!cl || !request_team(req, rest, team, sizeof(team)) ||
	    cluster_serves(cl, team))
		return false;
	owner = cluster_owner_http(cl, team);
	if (!owner)
		return false;            /* nobody live: answered here (02) */
	me = cluster_node(cl);
	if ((v = http_req_header(req, "X-Occ-Forwarded"))) {
		OCC_WARN("team %H: request forwarded by %H, not served here "
			 "either", LQ(team), LQ(v));
		http_resp_set(resp, 508, "text/plain; charset=utf-8",
			      "team %s is not served by node %s\n", team, me);
		return true;
	}
	if (!api->fwd_cli && httpout_client(&api->fwd_cli))
		goto busy;
	f = mem_zalloc(sizeof(*f), fwd_destructor);
	if (!f)
		goto busy;
	tmr_init(&f->tmo);
	str_ncpy(f->owner, owner, sizeof(f->owner));
	f->body = mbuf_alloc(1024);
	re_snprintf(url, sizeof(url), "http://%s%s%s%s", owner, req->path,
		    req->query[0] ? "?" : "", req->query);
	v = http_req_header(req, "Content-Type");
	if (!f->body)
		err = ENOMEM;
	else
		err = http_request(&f->req, api->fwd_cli, req->method, url,
				   fwd_resp, fwd_data, f,
				   "X-Occ-Forwarded: %s\r\n"
				   "%s%s%s"
				   "%s%s%s"
				   "Content-Length: %zu\r\n\r\n%b", me,
				   v ? "Content-Type: " : "", v ? v : "",
				   v ? "\r\n" : "",
				   http_req_header(req, "SOAPAction")
				   ? "SOAPAction: " : "",
				   http_req_header(req, "SOAPAction")
				   ? http_req_header(req, "SOAPAction") : "",
				   http_req_header(req, "SOAPAction")
				   ? "\r\n" : "",
				   req->body_len, req->body, req->body_len);
	if (err) {
		OCC_WARN("forward to %s not sent: %m", owner, err);
		mem_deref(f);
		goto busy;
	}
	f->ha = http_async_defer(req, fwd_closed, f);
	if (!f->ha) {
		mem_deref(f);
		goto busy;
	}
	tmr_start(&f->tmo, FWD_TIMEOUT_MS, fwd_timeout, f);
	OCC_DBG("team %s: forwarded to %s", team, owner);
	return true;
 busy:
	http_resp_set(resp, 503, "text/plain; charset=utf-8",
		      "cannot reach team %s's node now\n", team);
	return true;
}
