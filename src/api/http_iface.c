/*
 * http_iface.c — the HTTP integration interface: form-urlencoded POST (or
 * GET) on /coccinterfaces and /asterccinterfaces, EVENT=<name> selecting the
 * operation case-insensitively. The reply body is exactly
 * "|Retuen|code|Retuen|message" (plus "|Retuen|third" where the manual has
 * one): the original plugin splits on |Retuen| and wants exactly those parts.
 * Errors before dispatch answer in the same shape, never with a bare status.
 */
#include <string.h>
#include <strings.h>
#include <re.h>
#include "base/form.h"
#include "api/api.h"
#include "api/dispatch.h"

static const char ctype[] = "text/plain; charset=utf-8";

/* Query first, then the body (a POST may carry both). */
int request_form(const struct http_req *req, struct form *f)
{
	int err = form_parse(f, req->query, strlen(req->query));

	if (!err && req->body_len)
		err = form_parse(f, req->body, req->body_len);
	return err;
}

void http_iface_handle(struct api *api, const struct http_req *req,
		       struct http_resp *resp)
{
	struct op_result res;
	struct dispatch_args da;
	struct render_args ra;
	const struct op *op = NULL;
	struct auth_wait *wait;
	const char *event;
	struct form f;

	form_init(&f);
	res_init(&res);
	if (request_form(req, &f)) {
		res_set(&res, OP_FAIL, BM_PARAM_ERROR, NULL);
		goto out;
	}
	event = form_get(&f, "EVENT");
	if (!event || !*event) {
		res_set(&res, OP_FAIL, BM_EMPTY_PARAM, "EVENT");
		goto out;
	}
	op = op_find_http(event);
	if (!op) {
		res_set(&res, OP_FAIL, BM_PARAM_ERROR, "EVENT");
		goto out;
	}
	dispatch_args_named(&da, &f);
	da.peer = &req->peer;
	wait = dispatch_run(api->occ, op, &da, &res);
	if (wait && api_park(api, req, wait, &res))
		goto done;
	/* a repeated login is plain success here (render.c) */
	res.already = false;
 out:
	ra = (struct render_args){ .op = op, .res = &res,
		.lang = request_lang(api, form_get(&f, "language")) };
	/* MyInfo: JSON, but as text/plain: with application/json jQuery
	 * parses it first and the plugin's $.parseJSON then throws */
	http_resp_set(resp, 200, ctype, "%H", op && op->flags & OPF_JSON_HTTP
		      ? render_json_object : render_retuen, &ra);
 done:
	res_reset(&res);
	form_reset(&f);
}
