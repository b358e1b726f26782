/*
 * park.c — a request whose password is being verified off the loop
 * (core/auth.h) waits here, suspended, and is routed again from the start
 * when the verdict is in; in that second run the credential check answers
 * the verdict instead of hashing. Running the whole route again keeps the
 * adapters free of continuations: their parsing is cheap, the hash is not.
 */
#include <string.h>
#include <re.h>
#include "core/auth.h"
#include "api/api.h"

struct parked {
	struct api *api;
	struct http_async *ha;
	struct auth_wait *wait;
	struct req_copy rc;
	struct http_resp resp;     /* here: its headers point into it */
	struct tmr hold;           /* resp.hold_ms */
};

int req_copy_set(struct req_copy *c, const struct http_req *req)
{
	int err;

	c->req = *req;
	err = str_dup(&c->method, req->method);
	err |= str_dup(&c->path, req->path);
	err |= str_dup(&c->query, req->query);
	c->body = mem_alloc(req->body_len + 1, NULL);
	if (err || !c->body)
		return ENOMEM;
	memcpy(c->body, req->body, req->body_len);
	c->body[req->body_len] = '\0';
	c->req.method = c->method;
	c->req.path = c->path;
	c->req.query = c->query;
	c->req.body = c->body;
	return 0;
}

void req_copy_reset(struct req_copy *c)
{
	mem_deref(c->method);
	mem_deref(c->path);
	mem_deref(c->query);
	mem_deref(c->body);
	memset(c, 0, sizeof(*c));
}

static void parked_destructor(void *arg)
{
	struct parked *pk = arg;

	if (pk->wait)
		auth_wait_notify(pk->wait, NULL, NULL);
	mem_deref(pk->wait);
	req_copy_reset(&pk->rc);
	tmr_cancel(&pk->hold);
	mem_deref(pk->resp.body);
}

/* The client went away first; the verification still counts. */
static void parked_closed(void *arg)
{
	struct parked *pk = arg;

	pk->ha = NULL;
	mem_deref(pk);
}

static void reply(void *arg)
{
	struct parked *pk = arg;

	http_async_reply(pk->ha, &pk->resp);
	pk->ha = NULL;
	mem_deref(pk);
}

static void verdict_in(void *arg)
{
	struct parked *pk = arg;

	pk->resp = (struct http_resp){ .status = 500, .fd = -1 };
	auth_replay_begin(pk->wait);
	web_route(&pk->rc.req, &pk->resp, pk->api);
	auth_replay_end();
	if (pk->resp.hold_ms && pk->resp.fd < 0)
		tmr_start(&pk->hold, pk->resp.hold_ms, reply, pk);
	else
		reply(pk);
}

static bool park(struct api *api, const struct http_req *req,
		 struct auth_wait *wait)
{
	struct parked *pk = mem_zalloc(sizeof(*pk), parked_destructor);

	if (!pk)
		return false;
	pk->api = api;
	tmr_init(&pk->hold);
	if (req_copy_set(&pk->rc, req)) {
		mem_deref(pk);
		return false;
	}
	pk->ha = http_async_defer(req, parked_closed, pk);
	if (!pk->ha) {
		mem_deref(pk);
		return false;
	}
	pk->wait = mem_ref(wait);
	auth_wait_notify(wait, verdict_in, pk);
	return true;
}

bool api_park_req(struct api *api, const struct http_req *req,
		  struct auth_wait *wait)
{
	bool parked = park(api, req, wait);

	mem_deref(wait);
	return parked;
}

bool api_park(struct api *api, const struct http_req *req,
	      struct auth_wait *wait, struct op_result *res)
{
	bool parked = api_park_req(api, req, wait);

	if (!parked)
		res_set(res, OP_FAIL, BM_CORE_UNAVAILABLE, NULL);
	return parked;
}
