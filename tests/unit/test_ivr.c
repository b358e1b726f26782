/*
 * test_ivr.c — the IVR interpreter driven by a recording fake host on a
 * fake clock: every node type, barge-in, digit collection and its
 * timeouts, tries, failure branches, http reply mapping, the loop guard,
 * the agentToIvr walk, and the demo menu's timing.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <re.h>
#include "unit.h"
#include "inbound/ivr.h"

/* ---- flows built in C ---- */

enum { FX_FLOWS = 4, FX_NODES = 12 };

struct fx {
	struct routing r;
	struct ivr_flow flows[FX_FLOWS];
	struct ivr_node nodes[FX_FLOWS][FX_NODES];
};

static struct fx *fx_new(void)
{
	struct fx *x = calloc(1, sizeof(*x));

	if (!x)
		abort();
	x->r.flows = x->flows;
	str_ncpy(x->r.team, "demo", sizeof(x->r.team));
	return x;
}

/* "queue:6001", "node:x", "ivr:sub", "exten:8001", "prompt:bye",
 * "agent:8001", "hangup", "" (none) */
static struct dest D(const char *s)
{
	static const struct { const char *p; enum dest_kind k; } kinds[] = {
		{ "ivr:", DEST_IVR }, { "node:", DEST_NODE },
		{ "queue:", DEST_QUEUE }, { "exten:", DEST_EXTEN },
		{ "agent:", DEST_AGENT }, { "prompt:", DEST_PROMPT },
	};
	struct dest d = { .kind = DEST_NONE };

	if (!strcmp(s, "hangup"))
		d.kind = DEST_HANGUP;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t n = strlen(kinds[i].p);
		if (!strncmp(s, kinds[i].p, n)) {
			d.kind = kinds[i].k;
			str_ncpy(d.arg, s + n, sizeof(d.arg));
		}
	}
	return d;
}

static struct ivr_flow *fx_flow(struct fx *x, const char *name,
				const char *exten, const char *start,
				const char *fail)
{
	struct ivr_flow *f = &x->flows[x->r.nflows];

	f->nodes = x->nodes[x->r.nflows++];
	str_ncpy(f->name, name, sizeof(f->name));
	str_ncpy(f->exten, exten, sizeof(f->exten));
	str_ncpy(f->start, start, sizeof(f->start));
	f->fail = D(fail);
	return f;
}

static struct ivr_node *fx_node(struct ivr_flow *f, const char *name,
				enum ivr_node_kind kind, const char *prompt,
				const char *next)
{
	struct ivr_node *n = &f->nodes[f->nnodes++];

	str_ncpy(n->name, name, sizeof(n->name));
	n->kind = kind;
	str_ncpy(n->prompt, prompt, sizeof(n->prompt));
	/* the parser's defaults (routing.h) */
	n->min_digits = n->max_digits = 1;
	n->first_timeout_ms = 5000;
	n->inter_timeout_ms = 2000;
	n->tries = 3;
	str_ncpy(n->var, "inputcode", sizeof(n->var));
	n->timeout_ms = 3000;
	n->next = D(next);
	return n;
}

static void fx_key(struct ivr_node *n, const char *digits, const char *to)
{
	str_ncpy(n->keys[n->nkeys].digits, digits,
		 sizeof(n->keys[0].digits));
	n->keys[n->nkeys++].dest = D(to);
}

static void fx_set(struct ivr_node *n, const char *var, const char *value)
{
	str_ncpy(n->sets[n->nsets].var, var, sizeof(n->sets[0].var));
	str_ncpy(n->sets[n->nsets++].value, value, sizeof(n->sets[0].value));
}

static void fx_test(struct ivr_node *n, const char *var, enum ivr_test_op op,
		    const char *value, const char *to)
{
	str_ncpy(n->tests[n->ntests].var, var, sizeof(n->tests[0].var));
	n->tests[n->ntests].op = op;
	str_ncpy(n->tests[n->ntests].value, value,
		 sizeof(n->tests[0].value));
	n->tests[n->ntests++].dest = D(to);
}

/* ---- the fake host ---- */

struct host {
	struct ivr *ivr;
	uint64_t now;
	char log[4096];             /* what the interpreter asked, in order */
	bool playing;
	char prompt[RT_NAME];
	uint64_t play_end;
	bool timer_on;
	uint64_t timer_at;
	bool http_pending;
	bool http_post;
	char url[1024], body[1024];
	unsigned http_timeout;
	int http_refuse;            /* http_request's result */
	unsigned ndone;
	struct dest dest;
	uint64_t done_at;
	char inputs[512];           /* ops.input: "flow.node:digits:result;" */
};

static void hlog(struct host *h, const char *fmt, ...)
{
	size_t len = strlen(h->log);
	va_list ap;

	if (len)
		h->log[len++] = ';';
	va_start(ap, fmt);
	vsnprintf(h->log + len, sizeof(h->log) - len, fmt, ap);
	va_end(ap);
}

/* Prompt lengths: a number in the name is its length in seconds
 * ("menu6" lasts 6 s); otherwise 2 s. */
static uint64_t prompt_ms(const char *p)
{
	while (*p && (*p < '0' || *p > '9'))
		p++;
	return *p ? (uint64_t)atoi(p) * 1000 : 2000;
}

static void h_play(void *arg, const char *prompt, const char *lang,
		   bool barge_in)
{
	struct host *h = arg;

	hlog(h, "play %s%s%s%s", prompt, *lang ? "/" : "", lang,
	     barge_in ? " b" : "");
	h->playing = true;
	str_ncpy(h->prompt, prompt, sizeof(h->prompt));
	h->play_end = h->now + prompt_ms(prompt);
}

static void h_stop(void *arg)
{
	struct host *h = arg;

	hlog(h, "stop");
	h->playing = false;
}

static void h_set_timer(void *arg, uint64_t at)
{
	struct host *h = arg;

	h->timer_on = true;
	h->timer_at = at;
}

static void h_cancel_timer(void *arg)
{
	struct host *h = arg;

	h->timer_on = false;
}

static int h_http(void *arg, bool post, const char *url, const char *body,
		  unsigned timeout_ms)
{
	struct host *h = arg;

	hlog(h, "%s %s", post ? "POST" : "GET", url);
	if (h->http_refuse)
		return h->http_refuse;
	h->http_pending = true;
	h->http_post = post;
	str_ncpy(h->url, url, sizeof(h->url));
	str_ncpy(h->body, body, sizeof(h->body));
	h->http_timeout = timeout_ms;
	return 0;
}

static void h_http_cancel(void *arg)
{
	struct host *h = arg;

	hlog(h, "http cancel");
	h->http_pending = false;
}

static void h_done(void *arg, const struct dest *d)
{
	struct host *h = arg;

	h->ndone++;
	h->dest = *d;
	h->done_at = h->now;
	h->playing = false;
	hlog(h, "done %d:%s", d->kind, d->arg);
}

static void h_input(void *arg, const char *flow, const char *node,
		    const char *digits, const char *result)
{
	struct host *h = arg;
	size_t len = strlen(h->inputs);

	snprintf(h->inputs + len, sizeof(h->inputs) - len, "%s.%s:%s:%s;",
		 flow, node, digits, result);
}

static const struct ivr_ops host_ops = {
	h_play, h_stop, h_set_timer, h_cancel_timer, h_http, h_http_cancel,
	h_done, h_input,
};

static void host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->now = 1000000;       /* any origin */
	if (ivr_alloc(&h->ivr, &host_ops, h))
		abort();
}

static void host_close(struct host *h)
{
	h->ivr = mem_deref(h->ivr);
}

/* Let time pass to now + ms: prompts end and timers fire in order. */
static void wait_ms(struct host *h, uint64_t ms)
{
	uint64_t end = h->now + ms;

	for (int guard = 0; guard < 10000 && !h->ndone; guard++) {
		bool p = h->playing && h->play_end <= end;
		bool t = h->timer_on && h->timer_at <= end;
		if (p && (!t || h->play_end <= h->timer_at)) {
			h->now = h->play_end;
			h->playing = false;
			ivr_prompt_done(h->ivr, h->now);
		}
		else if (t) {
			h->now = h->timer_at;
			h->timer_on = false;
			ivr_timer(h->ivr, h->now);
		}
		else {
			break;
		}
	}
	if (!h->ndone)
		h->now = end;
}

static void press(struct host *h, const char *digits)
{
	for (; *digits; digits++)
		ivr_digit(h->ivr, *digits, h->now);
}

static void start(struct host *h, struct fx *x, const struct ivr_flow *f)
{
	ivr_start(h->ivr, &x->r, f, NULL, h->now);
}

#define UT_DEST(h, k, a) do { UT_EQ_INT((h)->ndone, 1); \
	UT_EQ_INT((h)->dest.kind, k); UT_EQ_STR((h)->dest.arg, a); } while (0)

/* ---- nodes ---- */

UNIT_TEST(ivr_play_ignores_digits_then_next)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "hello", "hangup");
	struct host h;

	fx_node(f, "hello", NODE_PLAY, "hello3", "queue:6001");
	host_init(&h);
	start(&h, x, f);
	UT_EQ_STR(h.log, "play hello3");          /* no barge-in */
	wait_ms(&h, 1000);
	press(&h, "1");                            /* ignored */
	UT_ASSERT(h.playing);
	UT_EQ_INT(h.ndone, 0);
	wait_ms(&h, 1999);
	UT_EQ_INT(h.ndone, 0);
	wait_ms(&h, 1);
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_INT(h.done_at - 1000000, 3000);
	UT_EQ_STR(ivr_path(h.ivr), "main:hello");
	UT_ASSERT(ivr_finished(h.ivr));
	UT_EQ_STR(ivr_var(h.ivr, "CURIVRID"), "main");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_collect_barge_in_stops_prompt)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "menu", "hangup");
	struct ivr_node *n = fx_node(f, "menu", NODE_COLLECT, "menu8", "");
	struct host h;

	fx_key(n, "1", "queue:6001");
	fx_key(n, "2", "queue:6002");
	host_init(&h);
	(void)ivr_var_set(h.ivr, "CURLANG", "en");
	start(&h, x, f);
	wait_ms(&h, 1500);
	press(&h, "2");
	UT_DEST(&h, DEST_QUEUE, "6002");
	UT_EQ_STR(h.log, "play menu8/en b;stop;done 3:6002");
	UT_EQ_INT(h.done_at - 1000000, 1500);
	UT_EQ_STR(ivr_var(h.ivr, "inputcode"), "2");
	UT_EQ_STR(ivr_path(h.ivr), "main:menu>2");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_collect_min_max_and_hash)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "card", "hangup");
	struct ivr_node *n = fx_node(f, "card", NODE_COLLECT, "card2",
				     "queue:6001");
	struct host h;

	n->min_digits = 3;
	n->max_digits = 6;
	str_ncpy(n->var, "CARDNO", sizeof(n->var));
	str_ncpy(n->invalid_prompt, "invalid1", sizeof(n->invalid_prompt));

	/* max reached: no wait for the inter-digit timeout */
	host_init(&h);
	start(&h, x, f);
	wait_ms(&h, 2500);
	press(&h, "123456");
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_INT(h.done_at - 1000000, 2500);
	UT_EQ_STR(ivr_var(h.ivr, "CARDNO"), "123456");
	UT_EQ_STR(ivr_var(h.ivr, "inputcode"), "123456");
	host_close(&h);

	/* '#' ends input at once and is not part of it */
	host_init(&h);
	start(&h, x, f);
	press(&h, "4711#");
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_STR(ivr_var(h.ivr, "CARDNO"), "4711");
	UT_EQ_STR(ivr_path(h.ivr), "main:card>4711");
	host_close(&h);

	/* under min: invalid, its prompt, then the menu again */
	host_init(&h);
	start(&h, x, f);
	press(&h, "12#");
	UT_EQ_INT(h.ndone, 0);
	UT_EQ_STR(h.log, "play card2 b;stop;play invalid1 b");
	UT_ASSERT(!ivr_var(h.ivr, "CARDNO"));
	wait_ms(&h, 1000);
	UT_EQ_STR(h.log, "play card2 b;stop;play invalid1 b;play card2 b");
	press(&h, "999#");
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_STR(ivr_path(h.ivr), "main:card>12!>999");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_collect_timeouts)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "pin", "queue:9");
	struct ivr_node *n = fx_node(f, "pin", NODE_COLLECT, "pin3",
				     "queue:6001");
	struct host h;

	n->min_digits = 1;
	n->max_digits = 4;
	n->tries = 1;

	/* the first-digit timeout counts from the prompt's end */
	host_init(&h);
	start(&h, x, f);
	wait_ms(&h, 7999);
	UT_EQ_INT(h.ndone, 0);
	wait_ms(&h, 1);
	UT_DEST(&h, DEST_QUEUE, "9");          /* tries used up: flow fail */
	UT_EQ_INT(h.done_at - 1000000, 3000 + 5000);
	UT_EQ_STR(ivr_path(h.ivr), "main:pin>?");
	host_close(&h);

	/* inter-digit: each digit restarts it; silence ends the input */
	host_init(&h);
	start(&h, x, f);
	wait_ms(&h, 4000);
	press(&h, "1");
	wait_ms(&h, 1999);
	press(&h, "2");
	wait_ms(&h, 1999);
	UT_EQ_INT(h.ndone, 0);
	wait_ms(&h, 1);
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_STR(ivr_var(h.ivr, "inputcode"), "12");
	UT_EQ_INT(h.done_at - 1000000, 4000 + 1999 + 2000);
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_collect_tries_prompts_and_fail)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "menu", "queue:9");
	struct ivr_node *n = fx_node(f, "menu", NODE_COLLECT, "menu4", "");
	struct host h;

	fx_key(n, "1", "queue:6001");
	str_ncpy(n->invalid_prompt, "invalid1", sizeof(n->invalid_prompt));
	str_ncpy(n->noinput_prompt, "noinput1", sizeof(n->noinput_prompt));
	n->tries = 3;
	n->fail = D("exten:8001");

	host_init(&h);
	start(&h, x, f);
	press(&h, "7");                        /* invalid, during the prompt */
	wait_ms(&h, 1000 + 4000 + 5000);       /* no input */
	UT_EQ_INT(h.ndone, 0);
	wait_ms(&h, 1000);                     /* noinput prompt plays */
	press(&h, "8");                        /* invalid: third try */
	UT_DEST(&h, DEST_EXTEN, "8001");       /* the node's fail */
	UT_EQ_STR(h.log, "play menu4 b;stop;play invalid1 b;play menu4 b;"
		  "play noinput1 b;play menu4 b;stop;done 4:8001");
	UT_EQ_STR(ivr_path(h.ivr), "main:menu>7!>?>8!");
	host_close(&h);

	/* a digit during the error prompt is the next attempt's first */
	host_init(&h);
	start(&h, x, f);
	press(&h, "5");
	wait_ms(&h, 500);
	press(&h, "1");
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_STR(h.log, "play menu4 b;stop;play invalid1 b;stop;"
		  "done 3:6001");
	host_close(&h);

	/* no node fail: the flow's */
	n->fail = D("");
	host_init(&h);
	start(&h, x, f);
	press(&h, "5");
	press(&h, "5");
	press(&h, "5");
	UT_DEST(&h, DEST_QUEUE, "9");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_collect_multi_digit_keys)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "menu", "hangup");
	struct ivr_node *n = fx_node(f, "menu", NODE_COLLECT, "", "");
	struct host h;

	n->max_digits = 3;
	fx_key(n, "1", "queue:1");
	fx_key(n, "10", "queue:10");
	fx_key(n, "22", "queue:22");

	/* a key no other key extends ends the input at once */
	host_init(&h);
	start(&h, x, f);
	UT_EQ_STR(h.log, "");                /* no prompt: waits at once */
	press(&h, "22");
	UT_DEST(&h, DEST_QUEUE, "22");
	host_close(&h);

	/* "1" could become "10": the inter-digit timeout decides */
	host_init(&h);
	start(&h, x, f);
	press(&h, "1");
	UT_EQ_INT(h.ndone, 0);
	wait_ms(&h, 2000);
	UT_DEST(&h, DEST_QUEUE, "1");
	host_close(&h);

	host_init(&h);
	start(&h, x, f);
	press(&h, "10");
	UT_DEST(&h, DEST_QUEUE, "10");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_collect_without_keys_stores_and_goes_on)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "ask", "hangup");
	struct ivr_node *n = fx_node(f, "ask", NODE_COLLECT, "ask1",
				     "node:check");
	struct ivr_node *g = fx_node(f, "check", NODE_GOTO, "", "queue:2");
	struct host h;

	n->max_digits = 5;
	str_ncpy(n->var, "ACCT", sizeof(n->var));
	fx_test(g, "ACCT", TEST_PREFIX, "9", "queue:9");
	host_init(&h);
	start(&h, x, f);
	press(&h, "90210");
	UT_DEST(&h, DEST_QUEUE, "9");
	UT_EQ_STR(ivr_var(h.ivr, "ACCT"), "90210");
	UT_EQ_STR(ivr_path(h.ivr), "main:ask>90210>check");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_set_substitutes_variables)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "s", "hangup");
	struct ivr_node *s = fx_node(f, "s", NODE_SET, "", "node:d");
	struct host h;

	fx_set(s, "GREETING", "hi ${callerid} on ${didnumber}${nope}!");
	fx_set(s, "COPY", "${GREETING}");          /* in order */
	fx_set(s, "LIT", "${unterminated");
	fx_node(f, "d", NODE_DEST, "", "queue:${x}");
	host_init(&h);
	(void)ivr_var_set(h.ivr, "callerid", "0155 1234");
	(void)ivr_var_set(h.ivr, "didnumber", "800888");
	start(&h, x, f);
	UT_DEST(&h, DEST_QUEUE, "${x}");          /* dests are literal */
	UT_EQ_STR(ivr_var(h.ivr, "GREETING"), "hi 0155 1234 on 800888!");
	UT_EQ_STR(ivr_var(h.ivr, "COPY"), "hi 0155 1234 on 800888!");
	UT_EQ_STR(ivr_var(h.ivr, "LIT"), "${unterminated");
	UT_EQ_STR(ivr_path(h.ivr), "main:s>d");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_goto_tests)
{
	UT_ASSERT(ivr_test("5", TEST_EQ, "5"));
	UT_ASSERT(!ivr_test("5", TEST_EQ, "05"));
	UT_ASSERT(ivr_test("5", TEST_NE, "05"));
	UT_ASSERT(!ivr_test("a", TEST_NE, "a"));
	UT_ASSERT(ivr_test("9", TEST_LT, "10"));       /* numeric */
	UT_ASSERT(!ivr_test("10", TEST_LT, "9"));
	UT_ASSERT(ivr_test("-3", TEST_LT, "0"));
	UT_ASSERT(!ivr_test("abc", TEST_LT, "10"));    /* not a number */
	UT_ASSERT(!ivr_test("", TEST_LT, "10"));
	UT_ASSERT(!ivr_test("5x", TEST_GT, "1"));
	UT_ASSERT(ivr_test("100", TEST_GT, "99"));
	UT_ASSERT(!ivr_test("99", TEST_GT, "99"));
	UT_ASSERT(!ivr_test("99999999999999999999", TEST_GT, "1"));
	UT_ASSERT(ivr_test("0155123", TEST_PREFIX, "0155"));
	UT_ASSERT(!ivr_test("015", TEST_PREFIX, "0155"));
	UT_ASSERT(ivr_test("x", TEST_PREFIX, ""));
	UT_ASSERT(ivr_test(NULL, TEST_EMPTY, ""));
	UT_ASSERT(ivr_test("", TEST_EMPTY, ""));
	UT_ASSERT(!ivr_test("a", TEST_EMPTY, ""));
	UT_ASSERT(ivr_test("a", TEST_NONEMPTY, ""));
	UT_ASSERT(!ivr_test(NULL, TEST_NONEMPTY, ""));

	/* the node: first test that holds, else next; values expand */
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "g", "hangup");
	struct ivr_node *g = fx_node(f, "g", NODE_GOTO, "", "queue:other");
	struct host h;

	fx_test(g, "VIP", TEST_EMPTY, "", "queue:unknown");
	fx_test(g, "VIP", TEST_EQ, "${GOLD}", "queue:gold");
	fx_test(g, "SCORE", TEST_GT, "50", "queue:high");
	const struct { const char *vip, *score, *q; } cases[] = {
		{ NULL, "99", "unknown" }, { "g", "99", "gold" },
		{ "s", "51", "high" }, { "s", "50", "other" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		host_init(&h);
		(void)ivr_var_set(h.ivr, "GOLD", "g");
		if (cases[i].vip)
			(void)ivr_var_set(h.ivr, "VIP", cases[i].vip);
		(void)ivr_var_set(h.ivr, "SCORE", cases[i].score);
		start(&h, x, f);
		UT_DEST(&h, DEST_QUEUE, cases[i].q);
		host_close(&h);
	}
	free(x);
}

UNIT_TEST(ivr_dest_kinds_and_subflow)
{
	struct fx *x = fx_new();
	struct ivr_flow *m = fx_flow(x, "main", "6000", "menu", "queue:9");
	struct ivr_flow *s = fx_flow(x, "billing", "", "intro", "");
	struct ivr_node *n = fx_node(m, "menu", NODE_COLLECT, "menu1", "");
	struct host h;

	fx_key(n, "1", "ivr:billing");
	fx_key(n, "2", "prompt:closed");
	fx_key(n, "3", "agent:8001");
	fx_key(n, "4", "hangup");
	fx_key(n, "5", "node:nowhere");
	fx_node(s, "intro", NODE_PLAY, "billing1", "node:out");
	fx_node(s, "out", NODE_DEST, "", "");       /* no next: fail */

	host_init(&h);
	start(&h, x, m);
	press(&h, "1");
	UT_EQ_STR(ivr_var(h.ivr, "CURIVRID"), "billing");
	UT_ASSERT(ivr_flow(h.ivr) == s);
	wait_ms(&h, 1000);
	/* billing has no fail destination: the main flow's */
	UT_DEST(&h, DEST_QUEUE, "9");
	UT_EQ_STR(ivr_path(h.ivr), "main:menu>1>billing:intro>out");
	host_close(&h);

	const struct { const char *key; enum dest_kind k; const char *a; }
	cases[] = {
		{ "2", DEST_PROMPT, "closed" }, { "3", DEST_AGENT, "8001" },
		{ "4", DEST_HANGUP, "" }, { "5", DEST_QUEUE, "9" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		host_init(&h);
		start(&h, x, m);
		press(&h, cases[i].key);
		UT_DEST(&h, cases[i].k, cases[i].a);
		host_close(&h);
	}
	free(x);
}

UNIT_TEST(ivr_loop_guard)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "a", "queue:9");
	struct host h;

	fx_node(f, "a", NODE_SET, "", "node:b");
	fx_node(f, "b", NODE_DEST, "", "node:a");
	host_init(&h);
	start(&h, x, f);
	UT_DEST(&h, DEST_QUEUE, "9");
	UT_EQ_INT(h.done_at, 1000000);
	UT_ASSERT(!strncmp(ivr_path(h.ivr), "main:a>b>a>b>", 13));
	UT_EQ_INT(strlen(ivr_path(h.ivr)), 5 + IVR_MAX_HOPS * 2 - 1);
	host_close(&h);

	/* the failure loops too: hang up; the path is cut, marked */
	f->fail = D("node:a");
	host_init(&h);
	start(&h, x, f);
	UT_DEST(&h, DEST_HANGUP, "");
	UT_EQ_INT(strlen(ivr_path(h.ivr)), IVR_PATH_LEN - 1);
	UT_EQ_INT(ivr_path(h.ivr)[IVR_PATH_LEN - 2], '~');
	host_close(&h);

	/* a prompt loop (time passes, no input) ends as well */
	f->fail = D("queue:9");
	f->nodes[0].kind = NODE_PLAY;
	str_ncpy(f->nodes[0].prompt, "loop1", sizeof(f->nodes[0].prompt));
	host_init(&h);
	start(&h, x, f);
	wait_ms(&h, 1000 * (IVR_MAX_HOPS + 1));
	UT_DEST(&h, DEST_QUEUE, "9");
	UT_EQ_INT(h.done_at - 1000000, 1000 * (IVR_MAX_HOPS / 2));
	host_close(&h);

	/* input resets the count: a menu that repeats itself on '*' */
	struct ivr_flow *g = fx_flow(x, "menu", "6100", "m", "queue:9");
	struct ivr_node *m = fx_node(g, "m", NODE_COLLECT, "", "");
	fx_key(m, "*", "node:m");
	fx_key(m, "1", "queue:1");
	host_init(&h);
	start(&h, x, g);
	for (int i = 0; i < 3 * IVR_MAX_HOPS; i++)
		press(&h, "*");
	press(&h, "1");
	UT_DEST(&h, DEST_QUEUE, "1");
	host_close(&h);
	free(x);
}

/* ---- http ---- */

static struct fx *http_flow(struct ivr_flow **fp, struct ivr_node **np)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "lookup", "queue:9");
	struct ivr_node *n = fx_node(f, "lookup", NODE_HTTP, "", "node:v");
	struct ivr_node *v = fx_node(f, "v", NODE_GOTO, "", "queue:normal");

	str_ncpy(n->url, "http://127.0.0.1:8080/crm?cid=${callerid}&card="
		 "${CARDNO}&team=${TEAMIDENTITY}", sizeof(n->url));
	n->timeout_ms = 1500;
	n->fail = D("queue:support");
	n->nmap = 3;
	str_ncpy(n->map[0], "VIP", sizeof(n->map[0]));
	str_ncpy(n->map[1], "CURLANG", sizeof(n->map[1]));
	str_ncpy(n->map[2], "NAME", sizeof(n->map[2]));
	fx_test(v, "VIP", TEST_EQ, "1", "queue:vip");
	*fp = f;
	*np = n;
	return x;
}

static void http_start(struct host *h, struct fx *x, struct ivr_flow *f)
{
	host_init(h);
	(void)ivr_var_set(h->ivr, "callerid", "+49 30/123");
	(void)ivr_var_set(h->ivr, "CARDNO", "4711&x=1");
	start(h, x, f);
}

UNIT_TEST(ivr_http_success_maps_fields)
{
	struct ivr_flow *f;
	struct ivr_node *n;
	struct fx *x = http_flow(&f, &n);
	struct host h;

	http_start(&h, x, f);
	UT_ASSERT(h.http_pending);
	UT_ASSERT(!h.http_post);
	/* values URL-encoded, an unset variable empty */
	UT_EQ_STR(h.url, "http://127.0.0.1:8080/crm?cid=%2B49%2030%2F123&"
		  "card=4711%26x%3D1&team=");
	UT_EQ_INT(h.http_timeout, 1500);
	press(&h, "1");                           /* no type-ahead */
	const char *reply = "1|fr|J\xc3\xa9r\xc3\xb4me|extra\r\n";
	ivr_http_done(h.ivr, 200, reply, strlen(reply), h.now);
	UT_DEST(&h, DEST_QUEUE, "vip");
	UT_EQ_STR(ivr_var(h.ivr, "VIP"), "1");
	UT_EQ_STR(ivr_var(h.ivr, "CURLANG"), "fr");
	UT_EQ_STR(ivr_var(h.ivr, "NAME"), "J\xc3\xa9r\xc3\xb4me");
	UT_EQ_STR(ivr_path(h.ivr), "main:lookup>v");
	UT_ASSERT(!h.timer_on);
	host_close(&h);

	/* fewer fields than the map: the rest empty */
	http_start(&h, x, f);
	ivr_http_done(h.ivr, 200, "0", 1, h.now);
	UT_DEST(&h, DEST_QUEUE, "normal");
	UT_EQ_STR(ivr_var(h.ivr, "CURLANG"), "");
	host_close(&h);

	/* POST: the query part is the form body */
	n->post = true;
	http_start(&h, x, f);
	UT_ASSERT(h.http_post);
	UT_EQ_STR(h.url, "http://127.0.0.1:8080/crm");
	UT_EQ_STR(h.body, "cid=%2B49%2030%2F123&card=4711%26x%3D1&team=");
	ivr_http_done(h.ivr, 204, "1|en", 4, h.now);
	UT_DEST(&h, DEST_QUEUE, "vip");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_http_failures_take_fail_branch)
{
	struct ivr_flow *f;
	struct ivr_node *n;
	struct fx *x = http_flow(&f, &n);
	struct host h;
	static char big[IVR_HTTP_MAX + 1], field[IVR_VAR_LEN + 1];
	const struct { unsigned status; const char *body; size_t len; }
	cases[] = {
		{ 0, "", 0 },                    /* no answer */
		{ 500, "1|en", 4 },
		{ 302, "1|en", 4 },
		{ 200, "", 0 },                  /* empty */
		{ 200, "\r\n", 2 },
		{ 200, "1|e\0n", 5 },            /* binary */
		{ 200, "1\n|en", 5 },
		{ 200, big, sizeof(big) },       /* over IVR_HTTP_MAX */
		{ 200, field, sizeof(field) - 1 },  /* a field too long */
	};

	memset(big, 'a', sizeof(big));
	memset(field, 'b', sizeof(field) - 1);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		http_start(&h, x, f);
		ivr_http_done(h.ivr, cases[i].status, cases[i].body,
			      cases[i].len, h.now);
		UT_DEST(&h, DEST_QUEUE, "support");
		UT_ASSERT(!ivr_var(h.ivr, "VIP"));
		host_close(&h);
	}

	/* the largest reply that is allowed */
	memset(big, '1', IVR_VAR_LEN - 1);
	memset(big + IVR_VAR_LEN - 1, '|', IVR_HTTP_MAX - (IVR_VAR_LEN - 1));
	http_start(&h, x, f);
	ivr_http_done(h.ivr, 200, big, IVR_HTTP_MAX, h.now);
	UT_DEST(&h, DEST_QUEUE, "normal");
	UT_EQ_INT(strlen(ivr_var(h.ivr, "VIP")), IVR_VAR_LEN - 1);
	host_close(&h);

	/* the executor could not start: fail at once */
	host_init(&h);
	h.http_refuse = EINVAL;
	start(&h, x, f);
	UT_DEST(&h, DEST_QUEUE, "support");
	host_close(&h);

	/* no node fail: the flow's */
	n->fail = D("");
	http_start(&h, x, f);
	ivr_http_done(h.ivr, 404, "x", 1, h.now);
	UT_DEST(&h, DEST_QUEUE, "9");
	host_close(&h);

	/* the executor never answers: the backstop cancels it */
	http_start(&h, x, f);
	wait_ms(&h, 1500 + IVR_HTTP_SLACK_MS - 1);
	UT_EQ_INT(h.ndone, 0);
	wait_ms(&h, 1);
	UT_DEST(&h, DEST_QUEUE, "9");
	UT_ASSERT(strstr(h.log, "http cancel;done"));
	ivr_http_done(h.ivr, 200, "1", 1, h.now);   /* late: ignored */
	UT_EQ_INT(h.ndone, 1);
	host_close(&h);

	/* a URL that does not fit after expansion */
	n->url[0] = '\0';
	for (int i = 0; i < 40; i++)
		strcat(n->url, "${LONG}");
	host_init(&h);
	(void)ivr_var_set(h.ivr, "LONG", "\x01\x02\x03\x04\x05\x06\x07\x08"
			  "\x01\x02\x03\x04\x05\x06\x07\x08");
	start(&h, x, f);
	UT_DEST(&h, DEST_QUEUE, "9");
	UT_EQ_STR(h.log, "done 3:9");
	host_close(&h);
	free(x);
}

UNIT_TEST(ivr_variables_bounded)
{
	struct host h;
	char name[16], longv[IVR_VAR_LEN + 10];
	char out[8];

	host_init(&h);
	for (int i = 0; i < IVR_MAX_VARS; i++) {
		snprintf(name, sizeof(name), "V%d", i);
		UT_EQ_INT(ivr_var_set(h.ivr, name, "x"), 0);
	}
	UT_EQ_INT(ivr_var_set(h.ivr, "ONEMORE", "x"), ENOSPC);
	UT_EQ_INT(ivr_var_set(h.ivr, "V3", "y"), 0);    /* replacing is ok */
	UT_EQ_STR(ivr_var(h.ivr, "V3"), "y");
	UT_EQ_INT(ivr_var_count(h.ivr), IVR_MAX_VARS);
	const char *nm, *val;
	ivr_var_at(h.ivr, 3, &nm, &val);
	UT_EQ_STR(nm, "V3");
	UT_EQ_STR(val, "y");
	ivr_var_at(h.ivr, IVR_MAX_VARS, &nm, &val);
	UT_ASSERT(!nm && !val);
	UT_EQ_INT(ivr_var_set(h.ivr, "", "x"), EINVAL);
	memset(longv, 'n', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	UT_EQ_INT(ivr_var_set(h.ivr, longv, "x"), EINVAL);
	UT_EQ_INT(ivr_var_set(h.ivr, "V0", longv), 0);
	UT_EQ_INT(strlen(ivr_var(h.ivr, "V0")), IVR_VAR_LEN - 1);
	UT_EQ_INT(ivr_expand(h.ivr, "${V3}${V3}", false, out, 3), 0);
	UT_EQ_STR(out, "yy");
	UT_EQ_INT(ivr_expand(h.ivr, "${V3}${V3}x", false, out, 3),
		  ENAMETOOLONG);
	UT_EQ_STR(out, "yy");
	host_close(&h);
}

/* ---- agentToIvr ---- */

static struct fx *walk_fixture(void)
{
	struct fx *x = fx_new();
	struct ivr_flow *m = fx_flow(x, "main", "6000", "welcome", "queue:1");
	struct ivr_flow *s = fx_flow(x, "support", "", "sintro", "");
	struct ivr_node *n;

	fx_node(m, "welcome", NODE_PLAY, "welcome1", "node:top");
	n = fx_node(m, "top", NODE_COLLECT, "top1", "");
	fx_key(n, "1", "node:sales");
	fx_key(n, "2", "ivr:support");
	fx_key(n, "3", "queue:6003");
	fx_key(n, "4", "node:lookup");
	n = fx_node(m, "sales", NODE_COLLECT, "sales1", "");
	fx_key(n, "1", "queue:6001");
	fx_key(n, "12", "node:top");
	fx_node(m, "lookup", NODE_HTTP, "", "node:top");
	fx_node(s, "sintro", NODE_DEST, "", "node:smenu");
	n = fx_node(s, "smenu", NODE_COLLECT, "smenu1", "");
	fx_key(n, "5", "node:tech");
	fx_key(n, "9", "queue:6002");
	fx_node(s, "tech", NODE_PLAY, "tech1", "queue:6005");
	return x;
}

UNIT_TEST(ivr_walk_paths)
{
	struct fx *x = walk_fixture();
	const struct ivr_flow *f;
	const struct ivr_node *n;
	struct dest d;

	UT_EQ_INT(ivr_walk(&x->r, "6000", "", &f, &n, &d), 0);
	UT_EQ_STR(f->name, "main");
	UT_EQ_STR(n->name, "welcome");
	UT_EQ_INT(ivr_walk(&x->r, "6000", NULL, &f, &n, &d), 0);
	UT_EQ_STR(n->name, "welcome");
	/* through the welcome prompt to the first menu */
	UT_EQ_INT(ivr_walk(&x->r, "6000", "1", &f, &n, &d), 0);
	UT_EQ_STR(n->name, "sales");
	UT_EQ_INT(ivr_walk(&x->r, "6000", "1-12-1", &f, &n, &d), 0);
	UT_EQ_STR(n->name, "sales");
	/* into a sub-flow, through its dest node */
	UT_EQ_INT(ivr_walk(&x->r, "6000", "2", &f, &n, &d), 0);
	UT_EQ_STR(f->name, "support");
	UT_EQ_STR(n->name, "sintro");
	UT_EQ_INT(ivr_walk(&x->r, "6000", "2-5", &f, &n, &d), 0);
	UT_EQ_STR(f->name, "support");
	UT_EQ_STR(n->name, "tech");
	/* the last key leaves the IVR */
	UT_EQ_INT(ivr_walk(&x->r, "6000", "3", &f, &n, &d), 0);
	UT_ASSERT(n == NULL);
	UT_EQ_INT(d.kind, DEST_QUEUE);
	UT_EQ_STR(d.arg, "6003");
	UT_EQ_INT(ivr_walk(&x->r, "6000", "2-9", &f, &n, &d), 0);
	UT_ASSERT(n == NULL);
	UT_EQ_STR(d.arg, "6002");
	/* ends at a non-menu node: fine when no key remains */
	UT_EQ_INT(ivr_walk(&x->r, "6000", "4", &f, &n, &d), 0);
	UT_EQ_STR(n->name, "lookup");
	free(x);
}

UNIT_TEST(ivr_walk_errors)
{
	struct fx *x = walk_fixture();
	const struct ivr_flow *f;
	const struct ivr_node *n;
	struct dest d;
	static const char *bad[] = {
		"7", "1-7", "3-1", "2-9-1", "2-5-1", "4-1", "1-", "-1",
		"1--1", "a", "1 2", "#", "1-2-5-", "123456789012345678901234"
		"567890123",
	};

	UT_EQ_INT(ivr_walk(&x->r, "6001", "", &f, &n, &d), ENOENT);
	UT_EQ_INT(ivr_walk(&x->r, "", "", &f, &n, &d), EINVAL);
	/* a sub-flow has no exten: never a main IVR */
	x->flows[1].exten[0] = '\0';
	UT_EQ_INT(ivr_walk(&x->r, "support", "", &f, &n, &d), ENOENT);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int err = ivr_walk(&x->r, "6000", bad[i], &f, &n, &d);
		if (err != EINVAL)
			fprintf(stderr, "  path \"%s\"\n", bad[i]);
		UT_EQ_INT(err, EINVAL);
	}
	/* a menu loop in the walk is bounded */
	x->flows[0].nodes[0].next = D("node:welcome");
	UT_EQ_INT(ivr_walk(&x->r, "6000", "1", &f, &n, &d), EINVAL);
	free(x);
}

UNIT_TEST(ivr_start_at_walked_node)
{
	struct fx *x = walk_fixture();
	const struct ivr_flow *f;
	const struct ivr_node *n;
	struct dest d;
	struct host h;

	UT_EQ_INT(ivr_walk(&x->r, "6000", "2-5", &f, &n, &d), 0);
	host_init(&h);
	ivr_start(h.ivr, &x->r, f, n, h.now);
	UT_EQ_STR(h.log, "play tech1");
	UT_EQ_STR(ivr_var(h.ivr, "CURIVRID"), "support");
	wait_ms(&h, 1000);
	UT_DEST(&h, DEST_QUEUE, "6005");
	UT_EQ_STR(ivr_path(h.ivr), "support:tech");
	host_close(&h);
	free(x);
}

/* ---- the demo menu of issue 10 ---- */

/* ivrexten 6000: press 1 for Sales (queue 6001), 2 for Support (6002);
 * no input: 5 s first-digit timeout, 2 tries, then queue 6001. */
static struct fx *demo_fixture(void)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "menu", "queue:6001");
	struct ivr_node *n = fx_node(f, "menu", NODE_COLLECT, "menu6", "");

	fx_key(n, "1", "queue:6001");
	fx_key(n, "2", "queue:6002");
	n->tries = 2;
	n->first_timeout_ms = 5000;
	str_ncpy(n->invalid_prompt, "invalid2", sizeof(n->invalid_prompt));
	str_ncpy(n->noinput_prompt, "noinput2", sizeof(n->noinput_prompt));
	n->fail = D("queue:6001");
	return x;
}

UNIT_TEST(ivr_demo_menu)
{
	struct fx *x = demo_fixture();
	const struct ivr_flow *f;
	const struct ivr_node *n;
	struct dest d;
	struct host h;

	UT_EQ_INT(ivr_walk(&x->r, "6000", "", &f, &n, &d), 0);

	/* keys, with barge-in */
	host_init(&h);
	ivr_start(h.ivr, &x->r, f, n, h.now);
	wait_ms(&h, 2000);
	press(&h, "2");
	UT_DEST(&h, DEST_QUEUE, "6002");
	host_close(&h);
	host_init(&h);
	ivr_start(h.ivr, &x->r, f, n, h.now);
	wait_ms(&h, 7000);                    /* after the prompt */
	press(&h, "1");
	UT_DEST(&h, DEST_QUEUE, "6001");
	host_close(&h);

	/* silence: menu (6 s) + 5 s, noinput (2 s) + menu (6 s) + 5 s =
	 * 24 s, within 30 s of the start */
	host_init(&h);
	ivr_start(h.ivr, &x->r, f, n, h.now);
	wait_ms(&h, 30000);
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_INT(h.done_at - 1000000, 24000);
	UT_ASSERT(h.done_at - 1000000 <= 30000);
	UT_EQ_STR(h.log, "play menu6 b;play noinput2 b;play menu6 b;"
		  "done 3:6001");
	UT_EQ_STR(ivr_path(h.ivr), "main:menu>?>?");
	host_close(&h);

	/* a wrong key then silence ends the same way */
	host_init(&h);
	ivr_start(h.ivr, &x->r, f, n, h.now);
	press(&h, "9");
	wait_ms(&h, 30000);
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_INT(h.done_at - 1000000, 2000 + 6000 + 5000);
	host_close(&h);

	/* as the demo's routing file has it (no error prompts): a welcome
	 * prompt of up to 10 s keeps the no-input path within 30 s */
	struct ivr_node *m = &x->flows[0].nodes[0];
	m->invalid_prompt[0] = m->noinput_prompt[0] = '\0';
	str_ncpy(m->prompt, "welcome10", sizeof(m->prompt));
	host_init(&h);
	ivr_start(h.ivr, &x->r, f, NULL, h.now);
	wait_ms(&h, 29999);
	UT_EQ_INT(h.ndone, 0);
	wait_ms(&h, 1);
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_STR(h.log, "play welcome10 b;play welcome10 b;done 3:6001");
	host_close(&h);
	free(x);
}

/* done() is the last thing an input does: the host may free the ivr in
 * it (ASan would see a use after free). */
static void free_in_done(void *arg, const struct dest *d)
{
	struct host *h = arg;

	h_done(arg, d);
	h->ivr = mem_deref(h->ivr);
}

UNIT_TEST(ivr_host_frees_in_done)
{
	struct fx *x = demo_fixture();
	struct ivr_ops ops = host_ops;
	struct host h;

	ops.done = free_in_done;
	for (int i = 0; i < 4; i++) {
		memset(&h, 0, sizeof(h));
		UT_EQ_INT(ivr_alloc(&h.ivr, &ops, &h), 0);
		ivr_start(h.ivr, &x->r, &x->flows[0], NULL, h.now);
		if (i == 0)
			press(&h, "1");               /* from a digit */
		else if (i == 1)
			press(&h, "9#");              /* '#', then tries */
		if (h.ivr)
			wait_ms(&h, 60000);           /* from timers */
		UT_EQ_INT(h.ndone, 1);
		UT_ASSERT(h.ivr == NULL);
	}
	free(x);
}

UNIT_TEST(ivr_collect_optional_input)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "ext", "hangup");
	struct ivr_node *n = fx_node(f, "ext", NODE_COLLECT, "ext1",
				     "queue:6001");
	struct host h;

	/* min 0 and no keys: '#' alone (or silence) is an empty input */
	n->min_digits = 0;
	n->max_digits = 4;
	str_ncpy(n->var, "EXT", sizeof(n->var));
	host_init(&h);
	start(&h, x, f);
	press(&h, "#");
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_STR(ivr_var(h.ivr, "EXT"), "");
	host_close(&h);
	host_init(&h);
	start(&h, x, f);
	wait_ms(&h, 1000 + 5000);
	UT_DEST(&h, DEST_QUEUE, "6001");
	host_close(&h);
	/* digits other than 0-9 * # are not DTMF: ignored */
	host_init(&h);
	start(&h, x, f);
	press(&h, "A12x#");
	UT_DEST(&h, DEST_QUEUE, "6001");
	UT_EQ_STR(ivr_var(h.ivr, "EXT"), "12");
	host_close(&h);
	free(x);
}

/* ---- inputs told to the host (the IVR input event) ---- */

UNIT_TEST(ivr_tells_each_attempt_once)
{
	struct fx *x = fx_new();
	struct ivr_flow *f = fx_flow(x, "main", "6000", "menu", "hangup");
	struct ivr_flow *g = fx_flow(x, "sub", "", "card", "hangup");
	struct ivr_node *n = fx_node(f, "menu", NODE_COLLECT, "menu2", "");
	struct ivr_node *k = fx_node(g, "card", NODE_COLLECT, "", "queue:6002");
	struct host h;

	fx_key(n, "1", "queue:6001");
	fx_key(n, "2", "ivr:sub");
	n->first_timeout_ms = 1000;
	k->max_digits = 4;
	k->min_digits = 2;
	host_init(&h);
	start(&h, x, f);
	wait_ms(&h, 3000);                 /* prompt 2 s, no input 1 s */
	UT_EQ_STR(h.inputs, "main.menu::noinput;");
	press(&h, "7");                    /* no such key */
	UT_EQ_STR(h.inputs, "main.menu::noinput;main.menu:7:invalid;");
	press(&h, "2");
	press(&h, "1#");                   /* too short for the card */
	press(&h, "4711");                 /* max_digits ends it */
	UT_DEST(&h, DEST_QUEUE, "6002");
	UT_EQ_STR(h.inputs, "main.menu::noinput;main.menu:7:invalid;"
		  "main.menu:2:ok;sub.card:1:invalid;sub.card:4711:ok;");
	UT_EQ_STR(ivr_path(h.ivr), "main:menu>?>7!>2>sub:card>1!>4711");
	host_close(&h);
	free(x);
}
