/*
 * test_ivrhttp.c — the http node's lookup against a real HTTP server on
 * 127.0.0.1 (libre's, in this process, on a free port) that answers good
 * data, errors, a huge body, binary, or accepts and never answers; then
 * the interpreter with this executor and real timers, taking the failure
 * branch within the node's timeout.
 */
#include <re.h>
#include "unit.h"
#include "events/httpout.h"
#include "inbound/ivr.h"
#include "inbound/ivrhttp.h"

enum { HANGERS = 8 };

struct server {
	struct http_sock *sock;
	uint16_t port;
	struct http_conn *hung[HANGERS];   /* requests never answered */
	unsigned nhung;
	unsigned nreq;
	char method[8], query[512], body[512], ctype[64];
};

static void on_request(struct http_conn *conn, const struct http_msg *msg,
		       void *arg)
{
	struct server *s = arg;
	const struct http_hdr *ct = http_msg_hdr(msg, HTTP_HDR_CONTENT_TYPE);

	s->nreq++;
	pl_strcpy(&msg->met, s->method, sizeof(s->method));
	pl_strcpy(&msg->prm, s->query, sizeof(s->query));
	s->ctype[0] = '\0';
	if (ct)
		pl_strcpy(&ct->val, s->ctype, sizeof(s->ctype));
	s->body[0] = '\0';
	if (msg->mb && mbuf_get_left(msg->mb) < sizeof(s->body))
		(void)re_snprintf(s->body, sizeof(s->body), "%b",
				  mbuf_buf(msg->mb), mbuf_get_left(msg->mb));

	if (!pl_strcmp(&msg->path, "/good")) {
		(void)http_creply(conn, 200, "OK", "text/plain", "1|en\r\n");
	}
	else if (!pl_strcmp(&msg->path, "/error")) {
		(void)http_creply(conn, 503, "Busy", "text/plain", "1|en");
	}
	else if (!pl_strcmp(&msg->path, "/huge")) {
		static char big[64 * 1024];
		memset(big, '1', sizeof(big));
		(void)http_creply(conn, 200, "OK", "text/plain", "%b", big,
				  sizeof(big));
	}
	else if (!pl_strcmp(&msg->path, "/binary")) {
		(void)http_creply(conn, 200, "OK", "application/octet-stream",
				  "%b", "1|\0\x01\xff", (size_t)5);
	}
	else if (!pl_strcmp(&msg->path, "/hang") && s->nhung < HANGERS) {
		s->hung[s->nhung++] = mem_ref(conn);
	}
	else {
		(void)http_ereply(conn, 404, "Not Found");
	}
}

static int server_start(struct server *s)
{
	struct sa la;
	int err;

	memset(s, 0, sizeof(*s));
	sa_set_str(&la, "127.0.0.1", 0);
	err = http_listen(&s->sock, &la, on_request, s);
	if (!err)
		err = tcp_sock_local_get(http_sock_tcp(s->sock), &la);
	s->port = sa_port(&la);
	return err;
}

static void server_stop(struct server *s)
{
	for (unsigned i = 0; i < s->nhung; i++)
		s->hung[i] = mem_deref(s->hung[i]);
	s->sock = mem_deref(s->sock);
}

/* ---- the executor alone ---- */

struct result {
	unsigned calls;
	unsigned status;
	size_t len;
	char body[64];
	uint64_t t0, elapsed;
};

static void on_result(unsigned status, const char *body, size_t len,
		      void *arg)
{
	struct result *r = arg;

	r->calls++;
	r->status = status;
	r->len = len;
	memcpy(r->body, body, len < sizeof(r->body) ? len : 0);
	r->elapsed = tmr_jiffies() - r->t0;
	re_cancel();
}

static void guard(void *arg)
{
	bool *fired = arg;

	*fired = true;
	re_cancel();
}

/* Run the loop until the result or ms passed. */
static void run_for(unsigned ms, bool *guard_fired)
{
	struct tmr t;

	*guard_fired = false;
	tmr_init(&t);
	tmr_start(&t, ms, guard, guard_fired);
	re_main(NULL);
	tmr_cancel(&t);
}

static int lookup(struct http_cli *cli, struct server *s, const char *path,
		  bool post, const char *body, unsigned timeout_ms,
		  struct result *r)
{
	char url[128];
	struct ivrhttp *x = NULL;
	bool fired;
	int err;

	memset(r, 0, sizeof(*r));
	re_snprintf(url, sizeof(url), "http://127.0.0.1:%u%s", s->port, path);
	r->t0 = tmr_jiffies();
	err = ivrhttp_start(&x, cli, post, url, body, timeout_ms, on_result,
			    r);
	if (err)
		return err;
	run_for(timeout_ms + 2000, &fired);
	mem_deref(x);
	return fired ? ETIMEDOUT : 0;
}

UNIT_TEST(ivrhttp_against_a_real_server)
{
	struct http_cli *cli = NULL;
	struct server s;
	struct result r;

	UT_EQ_INT(server_start(&s), 0);
	UT_EQ_INT(httpout_client(&cli), 0);

	UT_EQ_INT(lookup(cli, &s, "/good?cid=%2B49", false, NULL, 1000, &r),
		  0);
	UT_EQ_INT(r.calls, 1);
	UT_EQ_INT(r.status, 200);
	UT_EQ_INT(r.len, 6);
	UT_ASSERT(!memcmp(r.body, "1|en\r\n", 6));
	UT_EQ_STR(s.method, "GET");
	UT_ASSERT(strstr(s.query, "cid=%2B49"));

	UT_EQ_INT(lookup(cli, &s, "/good", true, "cid=%2B49&x=1", 1000, &r),
		  0);
	UT_EQ_INT(r.status, 200);
	UT_EQ_STR(s.method, "POST");
	UT_EQ_STR(s.body, "cid=%2B49&x=1");
	UT_EQ_STR(s.ctype, "application/x-www-form-urlencoded");

	UT_EQ_INT(lookup(cli, &s, "/error", false, NULL, 1000, &r), 0);
	UT_EQ_INT(r.status, 503);

	/* over IVR_HTTP_MAX: no answer, and not after the timeout */
	UT_EQ_INT(lookup(cli, &s, "/huge", false, NULL, 1000, &r), 0);
	UT_EQ_INT(r.calls, 1);
	UT_EQ_INT(r.status, 0);
	UT_ASSERT(r.elapsed < 1000);

	/* binary passes through; the interpreter judges it */
	UT_EQ_INT(lookup(cli, &s, "/binary", false, NULL, 1000, &r), 0);
	UT_EQ_INT(r.status, 200);
	UT_EQ_INT(r.len, 5);

	/* accepted, never answered: the timeout, once */
	UT_EQ_INT(lookup(cli, &s, "/hang", false, NULL, 600, &r), 0);
	UT_EQ_INT(r.calls, 1);
	UT_EQ_INT(r.status, 0);
	UT_ASSERT(r.elapsed >= 600 && r.elapsed < 1100);
	UT_EQ_INT(s.nhung, 1);

	/* nobody listening */
	uint16_t port = s.port;
	server_stop(&s);
	s.port = port;
	UT_EQ_INT(lookup(cli, &s, "/good", false, NULL, 1000, &r), 0);
	UT_EQ_INT(r.calls, 1);
	UT_EQ_INT(r.status, 0);

	mem_deref(cli);
}

UNIT_TEST(ivrhttp_refuses_and_cancels)
{
	struct http_cli *cli = NULL;
	struct ivrhttp *x = NULL;
	struct server s;
	struct result r;
	char url[128];
	bool fired;

	memset(&r, 0, sizeof(r));
	UT_EQ_INT(server_start(&s), 0);
	UT_EQ_INT(httpout_client(&cli), 0);
	UT_EQ_INT(ivrhttp_start(&x, cli, false, "ftp://127.0.0.1/x", "", 500,
				on_result, &r), EINVAL);
	UT_EQ_INT(ivrhttp_start(&x, cli, false, "file:///etc/passwd", "", 500,
				on_result, &r), EINVAL);
	UT_EQ_INT(ivrhttp_start(&x, cli, false, "http://", "", 500,
				on_result, &r), EINVAL);
	UT_ASSERT(x == NULL);

	/* the call ends while the lookup runs: no callback, ever */
	re_snprintf(url, sizeof(url), "http://127.0.0.1:%u/hang", s.port);
	UT_EQ_INT(ivrhttp_start(&x, cli, false, url, "", 300, on_result, &r),
		  0);
	x = mem_deref(x);
	run_for(600, &fired);
	UT_ASSERT(fired);
	UT_EQ_INT(r.calls, 0);

	mem_deref(cli);
	server_stop(&s);
}

/* ---- the interpreter with the real executor and real timers ---- */

struct live {
	struct ivr *ivr;
	struct http_cli *cli;
	struct ivrhttp *req;
	struct tmr tmr;
	unsigned ndone;
	struct dest dest;
	uint64_t t0, elapsed;
};

static void live_play(void *arg, const char *p, const char *l, bool b)
{
	(void)arg; (void)p; (void)l; (void)b;
}

static void live_stop(void *arg)
{
	(void)arg;
}

static void live_fire(void *arg)
{
	struct live *lv = arg;

	ivr_timer(lv->ivr, tmr_jiffies());
}

static void live_set_timer(void *arg, uint64_t at)
{
	struct live *lv = arg;
	uint64_t now = tmr_jiffies();

	tmr_start(&lv->tmr, at > now ? at - now : 0, live_fire, lv);
}

static void live_cancel_timer(void *arg)
{
	struct live *lv = arg;

	tmr_cancel(&lv->tmr);
}

static void live_http_result(unsigned status, const char *body, size_t len,
			     void *arg)
{
	struct live *lv = arg;

	ivr_http_done(lv->ivr, status, body, len, tmr_jiffies());
}

static int live_http(void *arg, bool post, const char *url,
		     const char *body, unsigned timeout_ms)
{
	struct live *lv = arg;

	lv->req = mem_deref(lv->req);
	return ivrhttp_start(&lv->req, lv->cli, post, url, body, timeout_ms,
			     live_http_result, lv);
}

static void live_http_cancel(void *arg)
{
	struct live *lv = arg;

	lv->req = mem_deref(lv->req);
}

static void live_done(void *arg, const struct dest *d)
{
	struct live *lv = arg;

	lv->ndone++;
	lv->dest = *d;
	lv->elapsed = tmr_jiffies() - lv->t0;
	re_cancel();
}

static const struct ivr_ops live_ops = {
	live_play, live_stop, live_set_timer, live_cancel_timer, live_http,
	live_http_cancel, live_done, NULL,
};

UNIT_TEST(ivrhttp_node_fails_within_its_timeout)
{
	static struct ivr_node nodes[2];
	struct ivr_flow flow = { .name = "main", .exten = "6000",
				 .start = "lookup", .nnodes = 2,
				 .nodes = nodes };
	struct routing rt = { .nflows = 1, .flows = &flow };
	struct ivr_node *n = &nodes[0], *v = &nodes[1];
	struct server s;
	struct live lv;
	const struct { const char *path; const char *queue; } cases[] = {
		{ "/good", "vip" }, { "/hang", "support" },
		{ "/binary", "support" }, { "/huge", "support" },
		{ "/error", "support" }, { "/missing", "support" },
	};

	memset(nodes, 0, sizeof(nodes));
	str_ncpy(n->name, "lookup", sizeof(n->name));
	n->kind = NODE_HTTP;
	n->timeout_ms = 700;
	n->nmap = 2;
	str_ncpy(n->map[0], "VIP", sizeof(n->map[0]));
	str_ncpy(n->map[1], "CURLANG", sizeof(n->map[1]));
	n->next = (struct dest){ .kind = DEST_NODE, .arg = "check" };
	n->fail = (struct dest){ .kind = DEST_QUEUE, .arg = "support" };
	str_ncpy(v->name, "check", sizeof(v->name));
	v->kind = NODE_GOTO;
	v->ntests = 1;
	str_ncpy(v->tests[0].var, "VIP", sizeof(v->tests[0].var));
	v->tests[0].op = TEST_EQ;
	str_ncpy(v->tests[0].value, "1", sizeof(v->tests[0].value));
	v->tests[0].dest = (struct dest){ .kind = DEST_QUEUE, .arg = "vip" };
	v->next = (struct dest){ .kind = DEST_QUEUE, .arg = "normal" };

	UT_EQ_INT(server_start(&s), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		bool fired;

		memset(&lv, 0, sizeof(lv));
		tmr_init(&lv.tmr);
		UT_EQ_INT(httpout_client(&lv.cli), 0);
		UT_EQ_INT(ivr_alloc(&lv.ivr, &live_ops, &lv), 0);
		re_snprintf(n->url, sizeof(n->url),
			    "http://127.0.0.1:%u%s?cid=${callerid}", s.port,
			    cases[i].path);
		(void)ivr_var_set(lv.ivr, "callerid", "+4930");
		lv.t0 = tmr_jiffies();
		ivr_start(lv.ivr, &rt, &flow, NULL, lv.t0);
		run_for(3000, &fired);
		tmr_cancel(&lv.tmr);
		lv.req = mem_deref(lv.req);
		lv.ivr = mem_deref(lv.ivr);
		lv.cli = mem_deref(lv.cli);
		if (lv.ndone != 1 || strcmp(lv.dest.arg, cases[i].queue))
			fprintf(stderr, "  case %s\n", cases[i].path);
		UT_ASSERT(!fired);
		UT_EQ_INT(lv.ndone, 1);
		UT_EQ_STR(lv.dest.arg, cases[i].queue);
		UT_ASSERT(lv.elapsed < 700 + 400);
	}
	UT_ASSERT(strstr(s.query, "cid=%2B4930"));
	server_stop(&s);
}
