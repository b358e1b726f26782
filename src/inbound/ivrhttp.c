/*
 * ivrhttp.c — the http node's lookup (see ivrhttp.h).
 */
#include <string.h>
#include <re.h>
#include "events/httpout.h"
#include "inbound/ivr.h"
#include "inbound/ivrhttp.h"

struct ivrhttp {
	struct http_req *req;
	struct tmr tmo;
	ivrhttp_h *h;
	void *arg;
	size_t len;
	bool over;
	char body[IVR_HTTP_MAX + 1];
};

static void destructor(void *arg)
{
	struct ivrhttp *x = arg;

	tmr_cancel(&x->tmo);
	x->req = mem_deref(x->req);
}

static void deliver(struct ivrhttp *x, unsigned status)
{
	ivrhttp_h *h = x->h;

	x->h = NULL;
	tmr_cancel(&x->tmo);
	if (!h)
		return;
	x->body[x->len] = '\0';
	mem_ref(x);              /* the handler may free x; body stays */
	h(status, x->body, x->len, x->arg);
	mem_deref(x);
}

static void resp_handler(int err, const struct http_msg *msg, void *arg)
{
	struct ivrhttp *x = arg;

	/* libre cleared x->req before calling us */
	deliver(x, !err && msg && !x->over ? msg->scode : 0);
}

static int data_handler(const uint8_t *buf, size_t size,
			const struct http_msg *msg, void *arg)
{
	struct ivrhttp *x = arg;

	if (size > IVR_HTTP_MAX - x->len) {
		x->over = true;
		return EOVERFLOW;      /* libre closes; resp_handler: 0 */
	}
	memcpy(x->body + x->len, buf, size);
	x->len += size;
	return 0;
}

static void timeout_handler(void *arg)
{
	struct ivrhttp *x = arg;

	x->req = mem_deref(x->req);
	x->len = 0;
	deliver(x, 0);
}

int ivrhttp_start(struct ivrhttp **reqp, struct http_cli *cli, bool post,
		  const char *url, const char *body, unsigned timeout_ms,
		  ivrhttp_h *h, void *arg)
{
	char u[RT_VALUE + IVR_VAR_LEN + 16];
	struct ivrhttp *x;
	int err;

	if (!reqp || !cli || !h || httpout_url(u, sizeof(u), url))
		return EINVAL;
	body = body ? body : "";
	x = mem_zalloc(sizeof(*x), destructor);
	if (!x)
		return ENOMEM;
	x->h = h;
	x->arg = arg;
	tmr_init(&x->tmo);
	if (post)
		err = http_request(&x->req, cli, "POST", u, resp_handler,
				   data_handler, x,
				   "User-Agent: occ\r\n"
				   "Content-Type: application/x-www-form-"
				   "urlencoded\r\n"
				   "Content-Length: %zu\r\n"
				   "\r\n%s", strlen(body), body);
	else
		err = http_request(&x->req, cli, "GET", u, resp_handler,
				   data_handler, x,
				   "User-Agent: occ\r\n\r\n");
	if (err) {
		mem_deref(x);
		return err;
	}
	tmr_start(&x->tmo, timeout_ms, timeout_handler, x);
	*reqp = x;
	return 0;
}
