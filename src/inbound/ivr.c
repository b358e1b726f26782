/*
 * ivr.c — the IVR interpreter (see ivr.h): node semantics, digit
 * collection, variables, the http reply mapping and the agentToIvr walk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "inbound/ivr.h"

enum ivr_state {
	ST_IDLE,
	ST_PLAY,        /* plain play node: digits ignored */
	ST_PROMPT,      /* menu prompt of a collect node, barge-in */
	ST_ERRPROMPT,   /* invalid / no-input prompt, barge-in */
	ST_WAIT_FIRST,  /* prompt over, first-digit timeout running */
	ST_DIGITS,      /* digits coming, inter-digit timeout running */
	ST_HTTP,        /* lookup running */
	ST_DONE,
};

struct ivr_var {
	char name[RT_NAME];
	char value[IVR_VAR_LEN];
};

struct ivr {
	const struct ivr_ops *ops;
	void *arg;
	const struct routing *r;
	const struct ivr_flow *main, *flow;
	const struct ivr_node *node;
	enum ivr_state st;
	unsigned tries_used;
	char input[IVR_MAX_INPUT + 1];
	size_t ninput;
	bool timer_on;
	uint64_t deadline;
	unsigned hops;            /* node visits since the last digit */
	bool guard_tripped;
	unsigned nvars;
	struct ivr_var vars[IVR_MAX_VARS];
	char path[IVR_PATH_LEN];
	size_t pathlen;
	bool new_flow;            /* the next node in the path names its flow */
};

/* The routing lookups are written here again (not routing_flow() and
 * flow_node() of routing.h) so the interpreter does not depend on the
 * parser's file. */
static const struct ivr_flow *find_flow(const struct routing *r,
					const char *name)
{
	for (unsigned i = 0; r && i < r->nflows; i++) {
		if (!strcmp(r->flows[i].name, name))
			return &r->flows[i];
	}
	return NULL;
}

static const struct ivr_node *find_node(const struct ivr_flow *f,
					const char *name)
{
	for (unsigned i = 0; f && i < f->nnodes; i++) {
		if (!strcmp(f->nodes[i].name, name))
			return &f->nodes[i];
	}
	return NULL;
}

/* ---- variables ---- */

static struct ivr_var *var_find(const struct ivr *ivr, const char *name)
{
	for (unsigned i = 0; i < ivr->nvars; i++) {
		if (!strcmp(ivr->vars[i].name, name))
			return (struct ivr_var *)&ivr->vars[i];
	}
	return NULL;
}

int ivr_var_set(struct ivr *ivr, const char *name, const char *value)
{
	struct ivr_var *v;

	if (!ivr || !name || !*name || strlen(name) >= RT_NAME)
		return EINVAL;
	v = var_find(ivr, name);
	if (!v) {
		if (ivr->nvars == IVR_MAX_VARS)
			return ENOSPC;
		v = &ivr->vars[ivr->nvars++];
		str_ncpy(v->name, name, sizeof(v->name));
	}
	str_ncpy(v->value, value ? value : "", sizeof(v->value));
	return 0;
}

const char *ivr_var(const struct ivr *ivr, const char *name)
{
	const struct ivr_var *v = ivr && name ? var_find(ivr, name) : NULL;

	return v ? v->value : NULL;
}

unsigned ivr_var_count(const struct ivr *ivr)
{
	return ivr ? ivr->nvars : 0;
}

void ivr_var_at(const struct ivr *ivr, unsigned i, const char **name,
		const char **value)
{
	if (!ivr || i >= ivr->nvars) {
		*name = *value = NULL;
		return;
	}
	*name = ivr->vars[i].name;
	*value = ivr->vars[i].value;
}

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		(c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
		c == '~';
}

int ivr_expand(const struct ivr *ivr, const char *in, bool url_encode,
	       char *out, size_t size)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = 0;
	int err = 0;

	if (!size)
		return ENAMETOOLONG;
#define PUT(c) do { if (len + 1 < size) out[len++] = (c); \
		    else err = ENAMETOOLONG; } while (0)
	while (in && *in) {
		const char *close;
		if (in[0] == '$' && in[1] == '{' &&
		    (close = strchr(in + 2, '}')) &&
		    (size_t)(close - in - 2) < RT_NAME) {
			char name[RT_NAME];
			const char *v;
			str_ncpy(name, in + 2, (size_t)(close - in - 1));
			v = ivr_var(ivr, name);
			for (; v && *v; v++) {
				unsigned char c = (unsigned char)*v;
				if (!url_encode || unreserved(c)) {
					PUT((char)c);
				}
				else {
					PUT('%');
					PUT(hex[c >> 4]);
					PUT(hex[c & 15]);
				}
			}
			in = close + 1;
			continue;
		}
		PUT(*in);
		in++;
	}
#undef PUT
	out[len] = '\0';
	return err;
}

/* A decimal integer, the whole string. */
static bool number(const char *s, long long *v)
{
	char *end;

	if (!*s)
		return false;
	errno = 0;
	*v = strtoll(s, &end, 10);
	return !*end && !errno;
}

bool ivr_test(const char *value, enum ivr_test_op op, const char *arg)
{
	long long a, b;

	value = value ? value : "";
	arg = arg ? arg : "";
	switch (op) {
	case TEST_EQ:       return !strcmp(value, arg);
	case TEST_NE:       return strcmp(value, arg) != 0;
	case TEST_LT:       return number(value, &a) && number(arg, &b) &&
				   a < b;
	case TEST_GT:       return number(value, &a) && number(arg, &b) &&
				   a > b;
	case TEST_PREFIX:   return !strncmp(value, arg, strlen(arg));
	case TEST_EMPTY:    return !*value;
	case TEST_NONEMPTY: return *value != '\0';
	}
	return false;
}

/* ---- the path ---- */

static void path_add(struct ivr *ivr, const char *s)
{
	size_t n = strlen(s), room = sizeof(ivr->path) - 1 - ivr->pathlen;
	bool cut = n > room;

	if (cut)
		n = room;
	memcpy(ivr->path + ivr->pathlen, s, n);
	ivr->pathlen += n;
	ivr->path[ivr->pathlen] = '\0';
	if (cut && ivr->pathlen)  /* keep the start, mark the cut */
		ivr->path[ivr->pathlen - 1] = '~';
}

static void path_node(struct ivr *ivr, const struct ivr_node *n)
{
	if (ivr->pathlen)
		path_add(ivr, ">");
	if (ivr->new_flow) {
		path_add(ivr, ivr->flow->name);
		path_add(ivr, ":");
		ivr->new_flow = false;
	}
	path_add(ivr, n->name);
}

/* An attempt's end: in the path, and told to the host */
static void path_input(struct ivr *ivr, const char *digits, const char *tag)
{
	path_add(ivr, ">");
	path_add(ivr, digits);
	path_add(ivr, tag);
	if (ivr->ops->input)
		ivr->ops->input(ivr->arg, ivr->flow->name, ivr->node->name,
				digits, !*tag ? "ok" : *tag == '?' ? "noinput"
				: "invalid");
}

const char *ivr_path(const struct ivr *ivr)
{
	return ivr ? ivr->path : "";
}

const struct ivr_flow *ivr_flow(const struct ivr *ivr)
{
	return ivr ? ivr->flow : NULL;
}

bool ivr_finished(const struct ivr *ivr)
{
	return ivr && ivr->st == ST_DONE;
}

/* ---- the machine ---- */

static void arm(struct ivr *ivr, uint64_t at)
{
	ivr->timer_on = true;
	ivr->deadline = at;
	ivr->ops->set_timer(ivr->arg, at);
}

static void disarm(struct ivr *ivr)
{
	if (!ivr->timer_on)
		return;
	ivr->timer_on = false;
	ivr->ops->cancel_timer(ivr->arg);
}

static const char *lang(const struct ivr *ivr)
{
	const char *l = ivr_var(ivr, "CURLANG");

	return l ? l : "";
}

static bool internal(const struct dest *d)
{
	return d->kind == DEST_NODE || d->kind == DEST_IVR;
}

/* Where a failure goes: the node's fail, else the flow's, else the main
 * flow's, else hang up. */
static struct dest fail_dest(const struct ivr *ivr, const struct ivr_node *n)
{
	static const struct dest hangup = { .kind = DEST_HANGUP };

	if (n && n->fail.kind != DEST_NONE)
		return n->fail;
	if (ivr->flow && ivr->flow->fail.kind != DEST_NONE)
		return ivr->flow->fail;
	if (ivr->main && ivr->main->fail.kind != DEST_NONE)
		return ivr->main->fail;
	return hangup;
}

static void leave(struct ivr *ivr, const struct dest *d)
{
	struct dest out = *d;

	disarm(ivr);
	ivr->st = ST_DONE;
	ivr->node = NULL;
	ivr->ops->done(ivr->arg, &out);     /* last: may free ivr */
}

static void collect_attempt(struct ivr *ivr, uint64_t now,
			    const char *pre_prompt);
static bool run_http(struct ivr *ivr, const struct ivr_node *n,
		     uint64_t now);

/* Enter n. Returns true when it waits for an input, else *next is where
 * the call goes on. */
static bool enter(struct ivr *ivr, const struct ivr_node *n, uint64_t now,
		  struct dest *next)
{
	char buf[IVR_VAR_LEN];

	ivr->node = n;
	path_node(ivr, n);
	*next = n->next;
	switch (n->kind) {
	case NODE_PLAY:
		if (!n->prompt[0])
			return false;
		ivr->st = ST_PLAY;
		ivr->ops->play(ivr->arg, n->prompt, lang(ivr), false);
		return true;
	case NODE_COLLECT:
		ivr->tries_used = 0;
		collect_attempt(ivr, now, NULL);
		return true;
	case NODE_SET:
		for (unsigned i = 0; i < n->nsets && i < RT_MAX_SETS; i++) {
			/* an over-long value is cut, as ivr_var_set does */
			(void)ivr_expand(ivr, n->sets[i].value, false, buf,
					 sizeof(buf));
			(void)ivr_var_set(ivr, n->sets[i].var, buf);
		}
		return false;
	case NODE_HTTP:
		if (run_http(ivr, n, now))
			return true;
		*next = fail_dest(ivr, n);
		return false;
	case NODE_GOTO:
		for (unsigned i = 0; i < n->ntests && i < RT_MAX_TESTS; i++) {
			(void)ivr_expand(ivr, n->tests[i].value, false, buf,
					 sizeof(buf));
			if (ivr_test(ivr_var(ivr, n->tests[i].var),
				     n->tests[i].op, buf)) {
				*next = n->tests[i].dest;
				break;
			}
		}
		return false;
	case NODE_DEST:
		return false;
	}
	return false;
}

/* Go to d, through nodes that need no input, until one waits or the call
 * leaves. Every node visit counts against the loop guard. */
static void go(struct ivr *ivr, struct dest d, uint64_t now)
{
	static const struct dest hangup = { .kind = DEST_HANGUP };

	ivr->st = ST_IDLE;
	for (;;) {
		const struct ivr_flow *f = ivr->flow;
		const struct ivr_node *n;

		if (d.kind == DEST_NONE)          /* a node without a way on */
			d = fail_dest(ivr, NULL);
		if (!internal(&d)) {
			leave(ivr, &d);
			return;
		}
		if (++ivr->hops > IVR_MAX_HOPS) {
			/* a loop without input: the flow's failure once,
			 * then hang up (the failure may loop too) */
			if (ivr->guard_tripped) {
				leave(ivr, &hangup);
				return;
			}
			ivr->guard_tripped = true;
			ivr->hops = 0;
			d = fail_dest(ivr, NULL);
			continue;
		}
		if (d.kind == DEST_IVR) {
			f = find_flow(ivr->r, d.arg);
			n = f ? find_node(f, f->start) : NULL;
		}
		else {
			n = find_node(f, d.arg);
		}
		if (!n) {        /* a name the file does not define */
			d = fail_dest(ivr, NULL);
			continue;        /* bounded by the guard above */
		}
		if (f != ivr->flow) {
			ivr->flow = f;
			ivr->new_flow = true;
			(void)ivr_var_set(ivr, "CURIVRID", f->name);
		}
		if (enter(ivr, n, now, &d))
			return;
	}
}

static void play_menu(struct ivr *ivr, uint64_t now)
{
	const struct ivr_node *n = ivr->node;

	if (n->prompt[0]) {
		ivr->st = ST_PROMPT;
		ivr->ops->play(ivr->arg, n->prompt, lang(ivr), true);
		return;
	}
	ivr->st = ST_WAIT_FIRST;
	arm(ivr, now + n->first_timeout_ms);
}

static void collect_attempt(struct ivr *ivr, uint64_t now,
			    const char *pre_prompt)
{
	ivr->ninput = 0;
	ivr->input[0] = '\0';
	if (pre_prompt && *pre_prompt) {
		ivr->st = ST_ERRPROMPT;
		ivr->ops->play(ivr->arg, pre_prompt, lang(ivr), true);
		return;
	}
	play_menu(ivr, now);
}

static void attempt_failed(struct ivr *ivr, uint64_t now, bool noinput)
{
	const struct ivr_node *n = ivr->node;
	unsigned tries = n->tries ? n->tries : 1;

	path_input(ivr, noinput ? "" : ivr->input, noinput ? "?" : "!");
	if (++ivr->tries_used >= tries) {
		go(ivr, fail_dest(ivr, n), now);
		return;
	}
	collect_attempt(ivr, now, noinput ? n->noinput_prompt
				   : n->invalid_prompt);
}

static unsigned max_digits(const struct ivr_node *n)
{
	return n->max_digits && n->max_digits <= IVR_MAX_INPUT
		? n->max_digits : IVR_MAX_INPUT;
}

static const struct dest *key_dest(const struct ivr_node *n,
				   const char *input)
{
	for (unsigned i = 0; i < n->nkeys && i < RT_MAX_KEYS; i++) {
		if (!strcmp(n->keys[i].digits, input))
			return &n->keys[i].dest;
	}
	return NULL;
}

/* The input is a key and no longer key begins with it: no need to wait
 * for the inter-digit timeout. */
static bool key_complete(const struct ivr_node *n, const char *input)
{
	size_t len = strlen(input);

	if (!key_dest(n, input))
		return false;
	for (unsigned i = 0; i < n->nkeys && i < RT_MAX_KEYS; i++) {
		if (strlen(n->keys[i].digits) > len &&
		    !strncmp(n->keys[i].digits, input, len))
			return false;
	}
	return true;
}

static void collect_finish(struct ivr *ivr, uint64_t now)
{
	const struct ivr_node *n = ivr->node;
	const char *var = n->var[0] ? n->var : "inputcode";
	const struct dest *d;

	disarm(ivr);
	if (!ivr->ninput && (n->min_digits || n->nkeys)) {
		attempt_failed(ivr, now, true);
		return;
	}
	if (ivr->ninput < n->min_digits) {
		attempt_failed(ivr, now, false);
		return;
	}
	d = n->nkeys ? key_dest(n, ivr->input) : &n->next;
	if (!d) {
		attempt_failed(ivr, now, false);
		return;
	}
	(void)ivr_var_set(ivr, var, ivr->input);
	if (strcmp(var, "inputcode"))
		(void)ivr_var_set(ivr, "inputcode", ivr->input);
	path_input(ivr, ivr->input, "");
	go(ivr, *d, now);
}

static bool run_http(struct ivr *ivr, const struct ivr_node *n, uint64_t now)
{
	char url[RT_VALUE + IVR_VAR_LEN];
	const char *body = "";
	unsigned timeout = n->timeout_ms ? n->timeout_ms : 3000;

	if (ivr_expand(ivr, n->url, true, url, sizeof(url)))
		return false;
	if (n->post) {
		/* the query part is the form body: the node has one URL */
		char *q = strchr(url, '?');
		if (q) {
			*q = '\0';
			body = q + 1;
		}
	}
	ivr->st = ST_HTTP;
	if (ivr->ops->http_request(ivr->arg, n->post, url, body, timeout)) {
		ivr->st = ST_IDLE;
		return false;
	}
	/* the executor has its own timeout; this one holds if it does not */
	arm(ivr, now + timeout + IVR_HTTP_SLACK_MS);
	return true;
}

/* A reply body as the node's variables: text (no control bytes but a
 * trailing line end), split on '|'; fields past the map are ignored.
 * False: garbage (the fail branch). */
static bool map_reply(struct ivr *ivr, const struct ivr_node *n,
		      const char *body, size_t len)
{
	char field[RT_MAX_MAP][IVR_VAR_LEN];
	unsigned nf = 0;
	size_t fl = 0;

	if (!body || len > IVR_HTTP_MAX)
		return false;
	while (len && (body[len - 1] == '\n' || body[len - 1] == '\r'))
		len--;
	if (!len)
		return false;
	memset(field, 0, sizeof(field));
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];
		if (c < 0x20 || c == 0x7f)
			return false;
		if (c == '|') {
			nf++;
			fl = 0;
			continue;
		}
		if (nf >= RT_MAX_MAP)
			continue;
		if (fl + 1 >= IVR_VAR_LEN)
			return false;
		field[nf][fl++] = (char)c;
	}
	for (unsigned i = 0; i < n->nmap && i < RT_MAX_MAP; i++) {
		if (ivr_var_set(ivr, n->map[i], i <= nf ? field[i] : ""))
			return false;
	}
	return true;
}

/* ---- inputs ---- */

int ivr_alloc(struct ivr **ivrp, const struct ivr_ops *ops, void *arg)
{
	struct ivr *ivr;

	if (!ivrp || !ops || !ops->play || !ops->stop_play ||
	    !ops->set_timer || !ops->cancel_timer || !ops->http_request ||
	    !ops->done)
		return EINVAL;
	ivr = mem_zalloc(sizeof(*ivr), NULL);
	if (!ivr)
		return ENOMEM;
	ivr->ops = ops;
	ivr->arg = arg;
	*ivrp = ivr;
	return 0;
}

void ivr_start(struct ivr *ivr, const struct routing *r,
	       const struct ivr_flow *flow, const struct ivr_node *node,
	       uint64_t now)
{
	struct dest d = { .kind = DEST_NODE };

	if (!ivr || !flow)
		return;
	disarm(ivr);
	ivr->r = r;
	ivr->main = ivr->flow = flow;
	ivr->new_flow = true;
	ivr->hops = 0;
	ivr->guard_tripped = false;
	(void)ivr_var_set(ivr, "CURIVRID", flow->name);
	if (!ivr_var(ivr, "inputcode"))
		(void)ivr_var_set(ivr, "inputcode", "");
	str_ncpy(d.arg, node ? node->name : flow->start, sizeof(d.arg));
	go(ivr, d, now);
}

void ivr_digit(struct ivr *ivr, char digit, uint64_t now)
{
	const struct ivr_node *n;

	if (!ivr || !((digit >= '0' && digit <= '9') || digit == '*' ||
		      digit == '#'))
		return;
	switch (ivr->st) {
	case ST_PROMPT:
	case ST_ERRPROMPT:
		ivr->ops->stop_play(ivr->arg);   /* barge-in */
		break;
	case ST_WAIT_FIRST:
	case ST_DIGITS:
		break;
	default:
		return;          /* plain play, lookup: no type-ahead */
	}
	n = ivr->node;
	ivr->hops = 0;
	if (digit == '#') {       /* ends input, never a key */
		collect_finish(ivr, now);
		return;
	}
	if (ivr->ninput < IVR_MAX_INPUT) {
		ivr->input[ivr->ninput++] = digit;
		ivr->input[ivr->ninput] = '\0';
	}
	ivr->st = ST_DIGITS;
	if (ivr->ninput >= max_digits(n) ||
	    (ivr->ninput >= n->min_digits && key_complete(n, ivr->input))) {
		collect_finish(ivr, now);
		return;
	}
	arm(ivr, now + n->inter_timeout_ms);
}

void ivr_prompt_done(struct ivr *ivr, uint64_t now)
{
	if (!ivr)
		return;
	switch (ivr->st) {
	case ST_PLAY:
		go(ivr, ivr->node->next, now);
		break;
	case ST_PROMPT:
		ivr->st = ST_WAIT_FIRST;
		arm(ivr, now + ivr->node->first_timeout_ms);
		break;
	case ST_ERRPROMPT:
		play_menu(ivr, now);
		break;
	default:
		break;
	}
}

void ivr_timer(struct ivr *ivr, uint64_t now)
{
	if (!ivr || !ivr->timer_on)
		return;
	if (now < ivr->deadline) {       /* early: wait on */
		ivr->ops->set_timer(ivr->arg, ivr->deadline);
		return;
	}
	ivr->timer_on = false;
	switch (ivr->st) {
	case ST_WAIT_FIRST:     /* no input: a failed try unless optional */
	case ST_DIGITS:
		collect_finish(ivr, now);
		break;
	case ST_HTTP:
		if (ivr->ops->http_cancel)
			ivr->ops->http_cancel(ivr->arg);
		go(ivr, fail_dest(ivr, ivr->node), now);
		break;
	default:
		break;
	}
}

void ivr_http_done(struct ivr *ivr, unsigned status, const char *body,
		   size_t len, uint64_t now)
{
	const struct ivr_node *n;

	if (!ivr || ivr->st != ST_HTTP)
		return;
	n = ivr->node;
	disarm(ivr);
	if (status < 200 || status > 299 || !map_reply(ivr, n, body, len)) {
		go(ivr, fail_dest(ivr, n), now);
		return;
	}
	go(ivr, n->next, now);
}

/* ---- agentToIvr ---- */

/* d as (flow, node); false if it leaves the IVR or names nothing. */
static bool walk_to(const struct routing *r, const struct dest *d,
		    const struct ivr_flow **f, const struct ivr_node **n)
{
	if (d->kind == DEST_IVR) {
		*f = find_flow(r, d->arg);
		*n = *f ? find_node(*f, (*f)->start) : NULL;
		return *n != NULL;
	}
	if (d->kind == DEST_NODE) {
		*n = find_node(*f, d->arg);
		return *n != NULL;
	}
	return false;
}

int ivr_walk(const struct routing *r, const char *ivrexten,
	     const char *ivrflow, const struct ivr_flow **fp,
	     const struct ivr_node **np, struct dest *leave_dest)
{
	const struct ivr_flow *f = NULL;
	const struct ivr_node *n;
	const char *p = ivrflow ? ivrflow : "";
	unsigned steps = 0;

	if (!r || !ivrexten || !*ivrexten || !fp || !np || !leave_dest)
		return EINVAL;
	for (unsigned i = 0; i < r->nflows; i++) {
		if (r->flows[i].exten[0] &&
		    !strcmp(r->flows[i].exten, ivrexten)) {
			f = &r->flows[i];
			break;
		}
	}
	if (!f)
		return ENOENT;
	n = find_node(f, f->start);
	if (!n)
		return EINVAL;
	if (strlen(p) >= IVR_PATH_LEN)
		return EINVAL;
	while (*p) {
		char key[ST_NUM];
		const char *e = strchr(p, '-');
		size_t kl = e ? (size_t)(e - p) : strlen(p);
		const struct dest *d;

		if (!kl || kl >= sizeof(key) || (e && !e[1]))
			return EINVAL;
		for (size_t i = 0; i < kl; i++) {
			if (!strchr("0123456789*", p[i]))
				return EINVAL;
		}
		str_ncpy(key, p, kl + 1);
		p = e ? e + 1 : p + kl;
		/* to the next menu, through prompts and plain jumps */
		while (n->kind != NODE_COLLECT) {
			if ((n->kind != NODE_PLAY && n->kind != NODE_DEST) ||
			    ++steps > IVR_MAX_HOPS || !walk_to(r, &n->next, &f,
								&n))
				return EINVAL;
		}
		d = key_dest(n, key);
		if (!d || d->kind == DEST_NONE)
			return EINVAL;
		if (!internal(d)) {
			if (*p)
				return EINVAL;  /* keys after leaving */
			*fp = f;
			*np = NULL;
			*leave_dest = *d;
			return 0;
		}
		if (!walk_to(r, d, &f, &n))
			return EINVAL;
	}
	*fp = f;
	*np = n;
	memset(leave_dest, 0, sizeof(*leave_dest));
	return 0;
}
