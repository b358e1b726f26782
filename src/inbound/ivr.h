/*
 * ivr.h — the IVR interpreter: one struct ivr per call in an IVR, a pure
 * state machine over the flows of routing.h.
 *
 * The host (the SIP layer) drives it and carries out what it asks for.
 * Inputs: ivr_start(), ivr_digit() (RFC 4733 or SIP INFO, the host's
 * concern), ivr_prompt_done() when a prompt finished playing, ivr_timer()
 * when the timer it asked for fires, ivr_http_done() when an http lookup
 * ended. Every input carries the host's clock (ms, monotonic); the
 * interpreter reads no clock, socket or file, so a test drives it with a
 * fake clock.
 * Outputs: the callbacks of struct ivr_ops. Moves inside the IVR
 * (DEST_NODE, DEST_IVR) are the interpreter's own; done() is called once,
 * when the call leaves the IVR, and is the last thing an input does, so
 * the host may free the ivr from inside done(). The callbacks must not
 * call back into the ivr (deliver results from the loop).
 *
 * The ivr points into the struct routing it started with: the host keeps
 * that routing alive until the ivr is freed (a reload swaps in a new one
 * for new calls only).
 */
#ifndef OCC_IVR_H
#define OCC_IVR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "inbound/routing.h"

enum {
	IVR_MAX_VARS     = 32,     /* variables of a call, system ones too */
	IVR_VAR_LEN      = 256,    /* bytes of a value, with the NUL */
	IVR_MAX_INPUT    = ST_NUM - 1,  /* digits of one input (max=0) */
	IVR_MAX_HOPS     = 100,    /* node visits without a digit */
	IVR_PATH_LEN     = 256,    /* the path kept for the CDR */
	IVR_HTTP_MAX     = 4096,   /* bytes of an http reply body */
	IVR_HTTP_SLACK_MS = 1000,  /* backstop after the executor's timeout */
};

struct ivr;

struct ivr_ops {
	/* Play prompt (a name of routing's prompts) in lang ("" = default);
	 * barge_in: a digit stops it (the interpreter calls stop_play). A
	 * prompt that cannot be read plays as silence and still ends with
	 * ivr_prompt_done(). */
	void (*play)(void *arg, const char *prompt, const char *lang,
		     bool barge_in);
	/* Stop the playing prompt; no ivr_prompt_done() follows for it. */
	void (*stop_play)(void *arg);
	/* Call ivr_timer() at at_ms (host clock); replaces any earlier
	 * timer. cancel_timer: no ivr_timer() until the next set_timer. */
	void (*set_timer)(void *arg, uint64_t at_ms);
	void (*cancel_timer)(void *arg);
	/* Start a lookup (GET, or POST with body as
	 * application/x-www-form-urlencoded) that ends with ivr_http_done()
	 * within timeout_ms. Non-zero: it did not start (the fail branch is
	 * taken at once). */
	int  (*http_request)(void *arg, bool post, const char *url,
			     const char *body, unsigned timeout_ms);
	/* Abandon the running lookup (the interpreter's backstop fired);
	 * may be NULL. */
	void (*http_cancel)(void *arg);
	/* The call leaves the IVR for d: DEST_QUEUE, DEST_EXTEN, DEST_AGENT,
	 * DEST_PROMPT (play, then hang up) or DEST_HANGUP. */
	void (*done)(void *arg, const struct dest *d);
	/* A play_collect attempt ended in flow at node with digits (without
	 * '#'): result "ok" (accepted; the call moves on after this),
	 * "invalid" (fewer than min_digits, or no such key) or "noinput".
	 * For the host's events; may be NULL. */
	void (*input)(void *arg, const char *flow, const char *node,
		      const char *digits, const char *result);
};

/* A new interpreter, idle until ivr_start(); mem_deref() frees it (no
 * callback is made). */
int  ivr_alloc(struct ivr **ivrp, const struct ivr_ops *ops, void *arg);

/* Variables: set before ivr_start() for the system ones the host knows
 * (callerid, didnumber, sessionid, TEAMID, TEAMIDENTITY, CURLANG ...).
 * Names are case-sensitive. A value longer than IVR_VAR_LEN - 1 is cut;
 * ENOSPC past IVR_MAX_VARS, EINVAL for an empty or over-long name. */
int  ivr_var_set(struct ivr *ivr, const char *name, const char *value);
/* NULL if unset. */
const char *ivr_var(const struct ivr *ivr, const char *name);
/* The i-th variable (0 .. ivr_var_count() - 1), to attach to the call. */
unsigned ivr_var_count(const struct ivr *ivr);
void ivr_var_at(const struct ivr *ivr, unsigned i, const char **name,
		const char **value);

/* Enter flow at node (NULL = its start node). r resolves DEST_IVR. Sets
 * CURIVRID (the flow's name) and inputcode (""). May call done() at once
 * (a flow that leaves without waiting). */
void ivr_start(struct ivr *ivr, const struct routing *r,
	       const struct ivr_flow *flow, const struct ivr_node *node,
	       uint64_t now);

/* A DTMF digit: 0-9, '*', '#' (others are ignored). */
void ivr_digit(struct ivr *ivr, char digit, uint64_t now);
void ivr_prompt_done(struct ivr *ivr, uint64_t now);
void ivr_timer(struct ivr *ivr, uint64_t now);
/* status: the HTTP status, 0 = no answer (error, timeout, cut). */
void ivr_http_done(struct ivr *ivr, unsigned status, const char *body,
		   size_t len, uint64_t now);

/* The path taken, for the CDR: "main:welcome>1>card>4711>lookup",
 * i.e. flow:node at the start and at each flow change, ">node" for each
 * node entered, ">digits" for an accepted input, ">?" for an attempt
 * without input and ">digits!" for an invalid one. Cut at
 * IVR_PATH_LEN - 1 bytes, the last one then '~'. */
const char *ivr_path(const struct ivr *ivr);
/* The flow the call is in (NULL before start). */
const struct ivr_flow *ivr_flow(const struct ivr *ivr);
/* Left the IVR (done() was called). */
bool ivr_finished(const struct ivr *ivr);

/* agentToIvr: the main flow with exten ivrexten and the menu the caller
 * would reach by pressing ivrflow ("1-2-5": key 1 at the first
 * play_collect, 2 at the next, 5 at the third; "" = the flow's start).
 * The walk follows DEST_NODE and DEST_IVR, and the next of play and dest
 * nodes between menus, without playing anything. On success, either *n
 * is the node to ivr_start() at (in *f), or *n is NULL and *leave is the
 * destination the last key leads out of the IVR (queue, exten ...).
 * ENOENT: no main flow has that exten (BackMsg_106). EINVAL: the path is
 * malformed, a key does not exist, or keys remain after a node that is
 * not a menu (BackMsg_107). */
int  ivr_walk(const struct routing *r, const char *ivrexten,
	      const char *ivrflow, const struct ivr_flow **f,
	      const struct ivr_node **n, struct dest *leave);

/* Pure helpers, exposed for the tests and the http executor. */
/* Expand ${var} in in; url_encode: values percent-encoded (unreserved
 * bytes kept). ENAMETOOLONG if the result does not fit in size. */
int  ivr_expand(const struct ivr *ivr, const char *in, bool url_encode,
		char *out, size_t size);
bool ivr_test(const char *value, enum ivr_test_op op, const char *arg);

#endif
