/*
 * fuzz_ivr.c — libFuzzer target for the two IVR inputs that come from
 * outside: the body of an http node's reply (a remote server's text,
 * ivr_http_done() in src/inbound/ivr.c) and the agentToIvr key path
 * (a request parameter, ivr_walk()).
 *
 * Byte 0 bit 0 picks the input. 0: an http reply; byte 1 is the status
 * (0 = no answer, 1-99 -> 200 + n, else 100 + n) and the rest the body.
 * The interpreter must go to the node's next exactly when a reference
 * model written here from ivr.h/routing.h accepts the reply (2xx, at most
 * IVR_HTTP_MAX bytes, not empty once trailing CR/LF are cut, no control
 * byte, each mapped field under IVR_VAR_LEN) and then hold the model's
 * fields in the mapped variables (missing ones empty); otherwise the fail
 * branch with no mapped variable set. Exactly one done() either way.
 * 1: the rest is an ivrflow path walked over a fixed menu tree: only 0,
 * ENOENT never (the exten exists) or EINVAL; on 0 either a node of the
 * returned flow or a destination leaving the IVR, and a path made of
 * [0-9*] keys separated by single '-'.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "inbound/ivr.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_ivr: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned ndone;
static struct dest last;

static void f_play(void *a, const char *p, const char *l, bool b) {}
static void f_stop(void *a) {}
static void f_set_timer(void *a, uint64_t at) {}
static void f_cancel_timer(void *a) {}
static int  f_http(void *a, bool post, const char *url, const char *body,
		   unsigned t) { return 0; }
static void f_done(void *a, const struct dest *d)
{
	ndone++;
	last = *d;
}

/* an input is told before the call leaves, with its flow and node */
static void f_input(void *a, const char *flow, const char *node,
		    const char *digits, const char *result)
{
	CHECK(!ndone && flow && *flow && node && *node && digits);
	CHECK(!strcmp(result, "ok") || !strcmp(result, "invalid") ||
	      !strcmp(result, "noinput"));
	CHECK(strlen(digits) <= IVR_MAX_INPUT);
}

static const struct ivr_ops ops = {
	f_play, f_stop, f_set_timer, f_cancel_timer, f_http, NULL, f_done,
	f_input,
};

static const char *const map[] = { "A", "B", "C", "D", "E", "F", "G", "H" };

/* The reference: accept, and the first 8 fields. */
static bool model(const uint8_t *b, size_t len, char fields[8][IVR_VAR_LEN])
{
	size_t nf = 0, fl = 0;

	memset(fields, 0, 8 * IVR_VAR_LEN);
	if (len > IVR_HTTP_MAX)
		return false;
	while (len && (b[len - 1] == '\r' || b[len - 1] == '\n'))
		len--;
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (b[i] < 0x20 || b[i] == 0x7f)
			return false;
	}
	for (size_t i = 0; i < len; i++) {
		if (b[i] == '|') {
			nf++;
			fl = 0;
		}
		else if (nf < 8) {
			if (fl == IVR_VAR_LEN - 1)
				return false;
			fields[nf][fl++] = (char)b[i];
		}
	}
	return true;
}

static void reply(const uint8_t *data, size_t size)
{
	static struct ivr_node nodes[1];
	struct ivr_flow flow = { .name = "f", .start = "h", .nnodes = 1,
				 .nodes = nodes };
	static char fields[8][IVR_VAR_LEN];
	struct ivr *ivr = NULL;
	unsigned status;
	bool ok;

	if (size < 1)
		return;
	status = data[0] == 0 ? 0 : data[0] < 100 ? 200u + data[0]
		: 100u + data[0];
	data++;
	size--;
	memset(nodes, 0, sizeof(nodes));
	str_ncpy(nodes[0].name, "h", sizeof(nodes[0].name));
	nodes[0].kind = NODE_HTTP;
	str_ncpy(nodes[0].url, "http://127.0.0.1/x", sizeof(nodes[0].url));
	nodes[0].nmap = 8;
	for (int i = 0; i < 8; i++)
		str_ncpy(nodes[0].map[i], map[i], sizeof(nodes[0].map[i]));
	nodes[0].next = (struct dest){ .kind = DEST_QUEUE, .arg = "ok" };
	nodes[0].fail = (struct dest){ .kind = DEST_QUEUE, .arg = "fail" };

	CHECK(!ivr_alloc(&ivr, &ops, NULL));
	ndone = 0;
	ivr_start(ivr, NULL, &flow, NULL, 0);
	CHECK(ndone == 0);
	ivr_http_done(ivr, status, (const char *)data, size, 1);
	CHECK(ndone == 1);
	ok = status >= 200 && status <= 299 && model(data, size, fields);
	CHECK(!strcmp(last.arg, ok ? "ok" : "fail"));
	for (int i = 0; i < 8; i++) {
		const char *v = ivr_var(ivr, map[i]);
		if (!ok) {
			CHECK(v == NULL);
			continue;
		}
		CHECK(v && !strcmp(v, fields[i]));
	}
	ivr_http_done(ivr, 200, "1", 1, 2);     /* after the end: ignored */
	CHECK(ndone == 1);
	mem_deref(ivr);
}

static struct dest D(enum dest_kind k, const char *arg)
{
	struct dest d = { .kind = k };

	str_ncpy(d.arg, arg, sizeof(d.arg));
	return d;
}

static void key(struct ivr_node *n, const char *digits, struct dest d)
{
	str_ncpy(n->keys[n->nkeys].digits, digits, sizeof(n->keys[0].digits));
	n->keys[n->nkeys++].dest = d;
}

static void walk(const uint8_t *data, size_t size)
{
	static struct ivr_node mn[4], sn[2];
	static struct ivr_flow flows[2];
	struct routing r = { .nflows = 2, .flows = flows };
	const struct ivr_flow *f = NULL;
	const struct ivr_node *n = NULL;
	struct dest leave;
	char path[512];
	int err;

	memset(mn, 0, sizeof(mn));
	memset(sn, 0, sizeof(sn));
	memset(flows, 0, sizeof(flows));
	flows[0] = (struct ivr_flow){ .name = "main", .exten = "6000",
				      .start = "w", .nnodes = 4, .nodes = mn };
	flows[1] = (struct ivr_flow){ .name = "sub", .start = "s",
				      .nnodes = 2, .nodes = sn };
	str_ncpy(mn[0].name, "w", RT_NAME);
	mn[0].kind = NODE_PLAY;
	mn[0].next = D(DEST_NODE, "top");
	str_ncpy(mn[1].name, "top", RT_NAME);
	mn[1].kind = NODE_COLLECT;
	key(&mn[1], "1", D(DEST_NODE, "top"));      /* a menu loop */
	key(&mn[1], "2", D(DEST_IVR, "sub"));
	key(&mn[1], "3", D(DEST_QUEUE, "6003"));
	key(&mn[1], "*", D(DEST_NODE, "m2"));
	key(&mn[1], "44", D(DEST_NODE, "nowhere"));
	key(&mn[1], "5", D(DEST_NODE, "h"));
	str_ncpy(mn[2].name, "m2", RT_NAME);
	mn[2].kind = NODE_COLLECT;
	key(&mn[2], "0", D(DEST_NODE, "w"));
	key(&mn[2], "9", D(DEST_HANGUP, ""));
	str_ncpy(mn[3].name, "h", RT_NAME);
	mn[3].kind = NODE_HTTP;
	mn[3].next = D(DEST_NODE, "top");
	str_ncpy(sn[0].name, "s", RT_NAME);
	sn[0].kind = NODE_DEST;
	sn[0].next = D(DEST_NODE, "sm");
	str_ncpy(sn[1].name, "sm", RT_NAME);
	sn[1].kind = NODE_COLLECT;
	key(&sn[1], "1", D(DEST_IVR, "main"));
	key(&sn[1], "2", D(DEST_AGENT, "8001"));

	if (size >= sizeof(path))
		size = sizeof(path) - 1;
	memcpy(path, data, size);
	path[size] = '\0';
	err = ivr_walk(&r, "6000", path, &f, &n, &leave);
	CHECK(err == 0 || err == EINVAL);
	CHECK(ivr_walk(&r, "6001", path, &f, &n, &leave) == ENOENT);
	err = ivr_walk(&r, "6000", path, &f, &n, &leave);
	if (err)
		return;
	CHECK(f == &flows[0] || f == &flows[1]);
	if (n) {
		CHECK(n >= f->nodes && n < f->nodes + f->nnodes);
		CHECK(leave.kind == DEST_NONE);
	}
	else {
		CHECK(leave.kind == DEST_QUEUE || leave.kind == DEST_HANGUP ||
		      leave.kind == DEST_AGENT);
	}
	for (const char *p = path; *p; p++) {
		CHECK(strchr("0123456789*-", *p));
		if (*p == '-')
			CHECK(p > path && p[-1] != '-' && p[1] != '\0');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		walk(data + 1, size - 1);
	else
		reply(data + 1, size - 1);
	return 0;
}
