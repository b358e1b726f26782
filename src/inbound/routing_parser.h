/*
 * routing_parser.h — the parser state that routing_parse.c (lines,
 * sections, references), routing_values.c (values, destinations, keys
 * seen) and routing_keys.c (each section's keys) share. Private to
 * src/inbound/.
 *
 * Every rp_ function that can fail writes "line N: reason" through
 * rp_fail() and returns EINVAL (ENOMEM never: a failed allocation is
 * reported as a limit, and the file refused).
 */
#ifndef OCC_ROUTING_PARSER_H
#define OCC_ROUTING_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include "inbound/routing.h"

enum sect { SEC_NONE, SEC_LISTS, SEC_DID, SEC_ROUTE, SEC_SCHEDULE, SEC_PROMPT,
	    SEC_IVR, SEC_NODE, SEC_QUEUE };

enum ref_what { REF_FLOW, REF_NODE, REF_PROMPT, REF_QUEUE, REF_SCHEDULE,
		REF_DID, REF_DIDGROUP };

struct ref {
	unsigned line;
	enum ref_what what;
	unsigned flow;                 /* REF_NODE */
	char name[RT_NAME];
};

enum { MAX_SEEN = 48, MAX_REFS = 65536 };

struct parser {
	struct routing *r;
	unsigned line;
	char *err;
	size_t errsz;
	enum sect sect;
	unsigned sect_line;
	unsigned cur;                  /* index of the current section's object */
	unsigned flow;                 /* SEC_NODE, SEC_IVR: the flow */
	char seen[MAX_SEEN][RT_NAME];  /* keys of this section so far */
	unsigned nseen;
	struct ref *refs;
	unsigned nrefs;
	bool lists_seen;
};


int   rp_fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int   rp_too_many(struct parser *p, const char *what, unsigned max);
/* Append one zeroed element to a mem array; NULL past max. */
void *rp_grow(void **arr, unsigned *n, size_t elsz, unsigned max);
#define GROW(p, arr, n, max, what) \
	rp_grow((void **)&(arr), &(n), sizeof(*(arr)), (max))
/* Note a reference to check once the whole file is in. */
int   rp_note_ref(struct parser *p, enum ref_what what, unsigned flow,
		  const char *name);

/* routing_values.c */
char *rp_trim(char *s);
bool  rp_name_ok(const char *s);
bool  rp_number_ok(const char *s);
bool  rp_digits_ok(const char *s);
bool  rp_text_ok(const char *s, size_t max);
int   rp_set_name(struct parser *p, char *dst, const char *key,
		  const char *v);
int   rp_set_text(struct parser *p, char *dst, size_t size, const char *key,
		  const char *v);
int   rp_set_uint(struct parser *p, unsigned *dst, const char *key,
		  const char *v, unsigned min, unsigned max);
int   rp_set_bool(struct parser *p, bool *dst, const char *key,
		  const char *v);
int   rp_set_ms(struct parser *p, unsigned *dst, const char *key,
		const char *v, unsigned min_ms, unsigned max_ms);
int   rp_set_secs(struct parser *p, unsigned *dst, const char *key,
		  const char *v, unsigned max_s);
/* in_flow: the flow whose nodes node:X may name, -1 outside flows */
int   rp_set_dest(struct parser *p, struct dest *d, const char *key,
		  const char *v, int in_flow);
int   rp_set_prompt_ref(struct parser *p, char *dst, const char *key,
			const char *v);
bool  rp_seen(struct parser *p, const char *key);
int   rp_once(struct parser *p, const char *key, bool repeatable);
int   rp_unknown_key(struct parser *p, const char *key);

/* routing_keys.c: one handler per section kind; sub is the key's suffix
 * after '.', NULL if none */
typedef int (rp_key_h)(struct parser *p, const char *key, const char *sub,
		       const char *v);
rp_key_h rp_key_lists, rp_key_did, rp_key_route, rp_key_schedule,
	rp_key_prompt, rp_key_ivr, rp_key_node, rp_key_queue;
int   rp_node_finish(struct parser *p);

#endif
