/*
 * api.h — the wire adapters and what they share.
 *
 * struct api is the context every adapter gets: the current model (swapped
 * on reload), the configuration and the generated assets. Each adapter only
 * parses its wire format into dispatch arguments and renders the result:
 *   http_iface.c  EVENT=... on /coccinterfaces, /asterccinterfaces
 *   script.c      JSONP on /setevent/<fn>, and the generated astcc_CJI.js
 *   soap.c        SOAP 1.1 rpc/encoded on /coccwi.php, /astccwi.php, WSDL
 *   web.c         the router, CORS, static pages
 */
#ifndef OCC_API_H
#define OCC_API_H

#include <stdbool.h>
#include <re.h>
#include "api/httpd.h"
#include "ops/op.h"

struct conf;
struct occ;

struct api {
	struct occ *occ;
	const struct conf *cfg;
	struct mbuf *cji_js;        /* generated astcc_CJI.js */
	struct metrics *metrics;    /* GET /metrics (metrics.h) */
	struct admin *admin;        /* console sessions (admin.c) */
	void (*reload)(void);       /* occd's provisioning reload (SIGHUP's) */
	struct http_cli *fwd_cli;   /* forward.c's client, NULL until used */
	bool fwd_replay;            /* forward.c routes a failed forward
				     * again: answer here, forward nothing */
};

/* render.c: each renderer is an re_printf handler taking a render_args,
 * so adapters print straight into their reply with "%H". */
struct render_args {
	const struct op *op;
	const struct op_result *res;
	const char *lang;           /* "code" or a language of the catalog */
};
/* The message field alone. */
int  render_message(struct re_printf *pf, void *ra);
/* "|Retuen|code|Retuen|message[|Retuen|extra]" */
int  render_retuen(struct re_printf *pf, void *ra);
/* {"code":1,<the members of the data object>} or
 * {"code":2,"message":"BackMsg_NN"} (OPF_JSON_HTTP) */
int  render_json_object(struct re_printf *pf, void *ra);
/* "1|data" or "0|BackMsg_NN" (SOAP statistics) */
int  render_plain(struct re_printf *pf, void *ra);
/* {"code":1,"message":"...","param":"..."} */
int  render_json(struct re_printf *pf, void *ra);
/* A JSON string literal, safe inside <script> and JSONP. */
int  json_str(struct re_printf *pf, const char *s);
int  json_str_h(struct re_printf *pf, void *str);   /* for "%H" */
/* The message language of a request: its `language` parameter if valid,
 * else the configured one. */
const char *request_lang(const struct api *api, const char *param);

/* adapters */
struct form;
/* Parse the query string, then the body, into f. */
int  request_form(const struct http_req *req, struct form *f);
/* forward.c: several nodes — a request for a team another node serves is
 * passed to that node (true: answered or deferred). rest: the path after
 * a Script directory, or NULL. */
struct http_resp;
bool api_forward(struct api *api, const struct http_req *req,
		 struct http_resp *resp, const char *rest);
void http_iface_handle(struct api *api, const struct http_req *req,
		       struct http_resp *resp);
void script_handle(struct api *api, const struct http_req *req,
		   struct http_resp *resp, const char *fn);
int  script_js_build(struct mbuf **mbp);
/* A JSONP callback name: a JS identifier path of at most 128 bytes. */
bool callback_name_valid(const char *s);
void soap_handle(struct api *api, const struct http_req *req,
		 struct http_resp *resp, const char *service);
struct wsdl_args {
	const char *service;        /* coccWI or astccWI */
	const char *location;       /* soap:address */
};
int  soap_wsdl_print_h(struct re_printf *pf, void *wsdl_args);
/* The methods occd serves; the server answers others 405 before reading
 * a body. HEAD only where a page or file is served (web.c). */
#define WEB_METHODS "GET, HEAD, POST, OPTIONS"
void web_route(const struct http_req *req, struct http_resp *resp, void *arg);
/* park.c: the adapters' answer to a wait from dispatch_run: park the
 * request until its verdict is in, then route it again (true: answer
 * nothing now); false: res holds BackMsg_100 to answer now. Takes over
 * the caller's reference to wait. */
struct auth_wait;
bool api_park(struct api *api, const struct http_req *req,
	      struct auth_wait *wait, struct op_result *res);
/* The same for any route (the push channel's password): false: not
 * parked, answer now. */
bool api_park_req(struct api *api, const struct http_req *req,
		  struct auth_wait *wait);
/* A request kept past its route to be routed again: its strings copied
 * (conn and ctx stay valid while it is deferred). */
struct req_copy {
	struct http_req req;
	char *method, *path, *query, *body;
};
int  req_copy_set(struct req_copy *c, const struct http_req *req);
void req_copy_reset(struct req_copy *c);

/* admin.c: /admin/api/... (false: another path); *waitp set: the login's
 * password is being verified, park the request */
bool admin_route(struct api *api, const struct http_req *req,
		 struct http_resp *resp, struct auth_wait **waitp);

#endif
