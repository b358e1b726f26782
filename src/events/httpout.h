/*
 * httpout.h — what the outgoing HTTP sinks (webhook.c, nchan.c) share: a
 * libre HTTP client with a DNS client, URL checks and the form encoding of
 * an event.
 *
 * libre 1.1.0's http_client needs a dnsc even for numeric URLs; ours uses
 * the system's name servers (/etc/resolv.conf). /etc/hosts is not read by
 * libre, so the one name it would hold that matters, "localhost", is
 * mapped to 127.0.0.1 here.
 */
#ifndef OCC_HTTPOUT_H
#define OCC_HTTPOUT_H

#include <stddef.h>

struct http_cli;
struct mbuf;

/* A client on the loop; mem_deref() frees it (and its dnsc). */
int  httpout_client(struct http_cli **clip);

/* Check an http:// or https:// URL and write the form http_request()
 * takes into out: "localhost" becomes 127.0.0.1 and an empty path "/".
 * EINVAL: not an absolute http(s) URL with a host (or a form libre's
 * client cannot parse: IPv6 literals, user:password@), or too long. */
int  httpout_url(char *out, size_t size, const char *url);

/* scheme://host[:port] of url, for log lines (paths and query strings may
 * carry tokens and are never logged). */
void httpout_origin(char *out, size_t size, const char *url);

/* An event message ("k=v&k=v&...", values escaped as in callev.h: '%',
 * '&', '=' and control bytes percent-encoded, everything else raw) as an
 * application/x-www-form-urlencoded body: each key and value is decoded
 * and re-encoded (unreserved bytes as is, space as '+', the rest %XX), so
 * a form parser (PHP's $_POST, Python's parse_qs) gets the exact values,
 * including '+', spaces and non-ASCII bytes. Pairs without '=' get an
 * empty value; empty pairs are dropped; no trailing '&'. */
int  httpout_form(struct mbuf *mb, const char *msg);

#endif
