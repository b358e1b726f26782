/*
 * web.c — the HTTP router: which path goes to which adapter, CORS, and the
 * static pages. Paths are the manuals' (HTTP plural, Script singular):
 *
 *   /coccinterfaces  /asterccinterfaces            HTTP interface
 *   /coccinterface/astcc_CJI.js (and asterccinterface/)   Script plugin
 *   /coccinterface/test_CJI.html                    Script test page
 *   [/coccinterface|/asterccinterface]/setevent/<fn>  Script JSONP calls
 *   /coccwi.php /astcccwi.php /astccwi.php (?wsdl)  SOAP and WSDL
 *   /coccwi.wsdl /astccwi.wsdl                      WSDL
 *   /coccinterface/cocc_nginx_http_push.js (.html), and
 *   /asterccinterface/astercc_nginx_http_push.js (.html)  browser push
 *   /push/sse /push/poll, /agentindesks/agentpull/<token> (and
 *   /publicapi/, /systemevents/), /getccdate/getccdate  events (events/push.h)
 *   /agent/ (index.html, agent.js, agent.css)       the agent desktop
 *   /wallboard/ (index.html, wallboard.js, wallboard.css)  the supervisor
 *                                                   wallboard
 *   /agent/ and /wallboard/ phone.js, jssip.js, phone.json  the browser
 *                                                   phone of both
 *   /admin/ (index.html, admin.js, admin.css)       the team admin console,
 *   /admin/api/...                                  and its API (admin.c)
 *   /metrics   Prometheus, for [metrics] allow only (api/metrics.h)
 *
 * Every API reply carries Access-Control-Allow-Origin so cross-origin pages
 * can read it; OPTIONS preflights are answered here. Methods: WEB_METHODS
 * (api.h; httpd refuses the others), HEAD only where a page or file is
 * served.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "base/conf.h"
#include "api/api.h"
#include "api/webassets.h"
#include "api/metrics.h"
#include "base/form.h"
#include "core/occ.h"
#include "sip/tel.h"
#include "events/push.h"

static bool starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* "/coccinterface/x" or "/asterccinterface/x" -> "x", else NULL */
static const char *script_dir_rest(const char *path)
{
	static const char *const dirs[] = { "/coccinterface/",
					    "/asterccinterface/" };
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++)
		if (starts(path, dirs[i]))
			return path + strlen(dirs[i]);
	return NULL;
}

static void serve_wsdl(const struct http_req *req, struct http_resp *resp,
		       const char *service, const char *file)
{
	const char *host = http_req_header(req, "Host");
	char loc[512];

	re_snprintf(loc, sizeof(loc), "http://%s/%s",
		    host && *host ? host : "127.0.0.1", file);
	http_resp_set(resp, 200, "text/xml; charset=utf-8", "%H",
		      soap_wsdl_print_h, &(struct wsdl_args){ service, loc });
}

static bool route_soap(struct api *api, const struct http_req *req,
		       struct http_resp *resp)
{
	static const struct { const char *path, *service, *file; } svc[] = {
		{ "/coccwi.php",   "coccWI",  "coccwi.php" },
		{ "/astcccwi.php", "coccWI",  "astcccwi.php" },
		{ "/astccwi.php",  "astccWI", "astccwi.php" },
		{ "/coccwi.wsdl",  "coccWI",  "coccwi.php" },
		{ "/astcccwi.wsdl", "coccWI", "astcccwi.php" },
		{ "/astccwi.wsdl", "astccWI", "astccwi.php" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(svc); i++) {
		if (strcmp(req->path, svc[i].path))
			continue;
		if (!strcmp(req->method, "POST"))
			soap_handle(api, req, resp, svc[i].service);
		else
			serve_wsdl(req, resp, svc[i].service, svc[i].file);
		return true;
	}
	return false;
}

/* /getMonitor/<file>?o=<team>&e=<expiry>&t=<token>: a recording, for the
 * URL getMonitor gave */
static void serve_recording(struct api *api, const struct http_req *req,
			    struct http_resp *resp)
{
	const char *file = req->path + strlen("/getMonitor/");
	struct form f;
	int err;

	form_init(&f);
	err = form_parse(&f, req->query, strlen(req->query));
	if (!err)
		err = tel_recording_open(api->occ->tel, file,
					 form_get(&f, "o"), form_get(&f, "e"),
					 form_get(&f, "t"), &resp->fd,
					 &resp->fd_size);
	form_reset(&f);
	if (err == EACCES) {
		http_resp_set(resp, 403, "text/plain", "forbidden\n");
		return;
	}
	if (err) {
		http_resp_set(resp, 404, "text/plain", "not found\n");
		return;
	}
	resp->status = 200;
	resp->ctype = "audio/wav";
	http_resp_header(resp, "Cache-Control", "private, no-store");
}

/* The HTTP and Script interfaces act on every request they get, so a HEAD
 * (which link checkers and scanners send freely) is refused there. */
static bool refuse_head(const struct http_req *req, struct http_resp *resp)
{
	if (strcmp(req->method, "HEAD"))
		return false;
	http_resp_set(resp, 405, "text/plain", "method not allowed\n");
	http_resp_header(resp, "Allow", "GET, POST, OPTIONS");
	return true;
}

static void cors(const struct api *api, struct http_resp *resp)
{
	http_resp_header(resp, "Access-Control-Allow-Origin",
			 api->cfg->cors_origin);
}

/* The push script and its reference page, under both products' names. */
static bool serve_push_asset(const struct api *api, const char *rest,
			     struct http_resp *resp)
{
	if (!strcmp(rest, "cocc_nginx_http_push.js") ||
	    !strcmp(rest, "astercc_nginx_http_push.js")) {
		http_resp_set(resp, 200, "application/javascript; charset=utf-8",
			      "%s", web_push_js);
		http_resp_header(resp, "Cache-Control", "no-cache");
		cors(api, resp);
		return true;
	}
	if (!strcmp(rest, "cocc_nginx_http_push.html") ||
	    !strcmp(rest, "astercc_nginx_http_push.html")) {
		http_resp_set(resp, 200, "text/html; charset=utf-8", "%s",
			      web_push_html);
		return true;
	}
	return false;
}

struct page_file {
	const char *path, *ctype, *body;
};

/* [web] phone_ws if it is a ws:// or wss:// URL fit for a CSP source
 * (no blank, quote, comma or semicolon), else "" */
static const char *phone_ws(const struct api *api)
{
	const char *u = api->cfg->web_phone_ws;

	if ((strncmp(u, "ws://", 5) && strncmp(u, "wss://", 6)) ||
	    u[strcspn(u, " \t;,'\"\\")])
		return "";
	return u;
}

/* A page of its own: the agent desktop, the wallboard. Scripts and styles
 * of its own origin only (no inline script or style), never framed, never
 * cached stale; dir without its slash redirects to dir/. The browser phone
 * may open its WebSocket ([web] phone_ws) and play its call's stream. */
static bool serve_page(const struct api *api, const struct http_req *req,
		       struct http_resp *resp, const char *dir,
		       const struct page_file *f, size_t n)
{
	size_t dl = strlen(dir);

	if (!strncmp(req->path, dir, dl - 1) && req->path[dl - 1] == '\0') {
		http_resp_set(resp, 301, "text/plain", "%s\n", dir);
		http_resp_header(resp, "Location", dir);
		return true;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(req->path, f[i].path))
			continue;
		char csp[512];

		re_snprintf(csp, sizeof(csp),
			    "default-src 'none'; script-src 'self'; "
			    "style-src 'self'; connect-src 'self' %s; "
			    "img-src 'self'; media-src 'self' blob: mediastream:; "
			    "base-uri 'none'; form-action 'none'; "
			    "frame-ancestors 'none'", phone_ws(api));
		http_resp_set(resp, 200, f[i].ctype, "%s", f[i].body);
		http_resp_header(resp, "Content-Security-Policy", csp);
		http_resp_header(resp, "X-Content-Type-Options", "nosniff");
		http_resp_header(resp, "Referrer-Policy", "no-referrer");
		http_resp_header(resp, "Cache-Control", "no-cache");
		return true;
	}
	return false;
}

#define HTML "text/html; charset=utf-8"
#define JS   "application/javascript; charset=utf-8"
#define CSS  "text/css; charset=utf-8"

static const struct page_file agent_desk[] = {
	{ "/agent/", HTML, web_agent_html },
	{ "/agent/index.html", HTML, web_agent_html },
	{ "/agent/agent.js", JS, web_agent_js },
	{ "/agent/agent.css", CSS, web_agent_css },
	{ "/agent/phone.js", JS, web_phone_js },
	{ "/agent/jssip.js", JS, web_jssip_js },
};

static const struct page_file wallboard[] = {
	{ "/wallboard/", HTML, web_wallboard_html },
	{ "/wallboard/index.html", HTML, web_wallboard_html },
	{ "/wallboard/wallboard.js", JS, web_wallboard_js },
	{ "/wallboard/wallboard.css", CSS, web_wallboard_css },
	{ "/wallboard/phone.js", JS, web_phone_js },
	{ "/wallboard/jssip.js", JS, web_jssip_js },
};

static const struct page_file admin_console[] = {
	{ "/admin/", HTML, web_admin_html },
	{ "/admin/index.html", HTML, web_admin_html },
	{ "/admin/admin.js", JS, web_admin_js },
	{ "/admin/admin.css", CSS, web_admin_css },
	{ "/admin/routing.js", JS, web_admin_routing_js },
	{ "/admin/ops.js", JS, web_admin_ops_js },
};

/* The admin console: its API (a login may wait for its hash) and page. */
static bool route_admin(struct api *api, const struct http_req *req,
			struct http_resp *resp)
{
	struct auth_wait *wait = NULL;

	if (admin_route(api, req, resp, &wait)) {
		if (wait && !api_park_req(api, req, wait))
			http_resp_set(resp, 503, "text/plain", "busy\n");
		return true;
	}
	return starts(req->path, "/admin") &&
		serve_page(api, req, resp, "/admin/", admin_console,
			   ARRAY_SIZE(admin_console));
}

static void route(const struct http_req *req, struct http_resp *resp,
		  struct api *api)
{
	const char *rest = script_dir_rest(req->path);
	struct auth_wait *wait = NULL;

	if (!strcmp(req->method, "OPTIONS")) {
		http_resp_set(resp, 204, NULL, "%s", "");
		cors(api, resp);
		http_resp_header(resp, "Access-Control-Allow-Methods",
				 "GET, POST, OPTIONS");
		http_resp_header(resp, "Access-Control-Allow-Headers",
				 "Content-Type, Last-Event-ID, If-None-Match, "
				 "If-Modified-Since");
		http_resp_header(resp, "Access-Control-Max-Age", "86400");
		return;
	}
	if (api_forward(api, req, resp, rest)) {
		cors(api, resp);
		return;
	}
	if (!strcmp(req->path, "/coccinterfaces") ||
	    !strcmp(req->path, "/asterccinterfaces")) {
		if (!refuse_head(req, resp))
			http_iface_handle(api, req, resp);
		cors(api, resp);
		return;
	}
	if (starts(req->path, "/setevent/") ||
	    (rest && starts(rest, "setevent/"))) {
		const char *fn = strrchr(req->path, '/') + 1;
		if (!refuse_head(req, resp))
			script_handle(api, req, resp, fn);
		cors(api, resp);
		return;
	}
	if (rest && !strcmp(rest, "astcc_CJI.js")) {
		http_resp_set(resp, 200, "application/javascript; charset=utf-8",
			      "%b", api->cji_js->buf, api->cji_js->end);
		cors(api, resp);
		return;
	}
	if (rest && serve_push_asset(api, rest, resp))
		return;
	if (push_route(api->occ->push, req, resp, &wait)) {
		/* the extension's channel is a password being verified */
		if (wait && !api_park_req(api, req, wait))
			http_resp_set(resp, 503, "text/plain", "busy\n");
		return;
	}
	if (rest && !strcmp(rest, "test_CJI.html")) {
		http_resp_set(resp, 200, "text/html; charset=utf-8", "%s",
			      web_test_cji_html);
		return;
	}
	if (route_soap(api, req, resp))
		return;
	if (starts(req->path, "/getMonitor/") && api->occ->tel) {
		serve_recording(api, req, resp);
		return;
	}
	if (!strcmp(req->path, "/")) {
		http_resp_set(resp, 200, "text/html; charset=utf-8", "%s",
			      web_index_html);
		return;
	}
	if (!strcmp(req->path, "/agent/phone.json") ||
	    !strcmp(req->path, "/wallboard/phone.json")) {
		/* where the browser phone connects; "" when there is none */
		http_resp_set(resp, 200, "application/json", "{\"ws\":\"%s\"}",
			      phone_ws(api));
		http_resp_header(resp, "Cache-Control", "no-cache");
		return;
	}
	if (starts(req->path, "/agent") &&
	    serve_page(api, req, resp, "/agent/", agent_desk,
		       ARRAY_SIZE(agent_desk)))
		return;
	if (starts(req->path, "/wallboard") &&
	    serve_page(api, req, resp, "/wallboard/", wallboard,
		       ARRAY_SIZE(wallboard)))
		return;
	if (route_admin(api, req, resp))
		return;
	if (!strcmp(req->path, "/metrics")) {
		metrics_handle(api->metrics, req, resp);
		return;
	}
	if (!strcmp(req->path, "/healthz")) {
		http_resp_set(resp, 200, "text/plain", "ok\n");
		return;
	}
	http_resp_set(resp, 404, "text/plain; charset=utf-8", "not found\n");
}

/* Every request; what it wrote is committed before the reply goes out
 * (group commit, store.h): a reply that reports success is never ahead
 * of the store. A request that wrote nothing (a status query) does not
 * wait for the commit of what the pass's calls wrote: it may show those
 * rows before they are committed, as it shows the agents' state, which is
 * always a little ahead of the store. */
void web_route(const struct http_req *req, struct http_resp *resp, void *arg)
{
	struct api *api = arg;
	uint64_t mark = store_write_mark(api->occ->st);
	int err;

	route(req, resp, api);
	err = store_sync_since(api->occ->st, mark);
	if (err && resp->status < 300 && resp->fd < 0)
		http_resp_set(resp, 500, "text/plain; charset=utf-8",
			      "storage error: %m\n", err);
}
