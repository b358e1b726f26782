/*
 * httpguard.h — what the HTTP server refuses once a request's headers are
 * in, before any of its body is read: a method it does not serve, framing
 * that two parsers could read two ways (the request-smuggling shapes), and
 * a body announced larger than the limit. Decisions only; httpd.c applies
 * them.
 */
#ifndef OCC_HTTPGUARD_H
#define OCC_HTTPGUARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The framing fields of a request head, as counted by the server. */
struct http_head {
	const char *method;
	const char *content_length;    /* first value, NULL if absent */
	unsigned n_content_length;     /* Content-Length fields */
	const char *transfer_encoding; /* first value, NULL if absent */
	unsigned n_transfer_encoding;  /* Transfer-Encoding fields */
};

struct http_refusal {
	unsigned status;     /* 0: go on and read the body */
	const char *text;    /* one line for the client */
};

/* methods: the served ones, ", "-separated ("GET, HEAD, POST"). */
struct http_refusal http_head_check(const struct http_head *hh,
				    const char *methods, uint64_t max_body);
/* Whether method is one of the ", "-separated methods (case matters). */
bool http_method_listed(const char *methods, const char *method);

#endif
