/*
 * ivrhttp.h — the http node's lookup on libre's HTTP client: GET, or POST
 * as application/x-www-form-urlencoded, with a hard timeout that holds
 * even when a server accepts and never answers (libre's own receive
 * timer stops once the headers are in), and a bounded reply.
 */
#ifndef OCC_IVRHTTP_H
#define OCC_IVRHTTP_H

#include <stdbool.h>
#include <stddef.h>

struct http_cli;
struct ivrhttp;

/* Called once, from the loop: status is the HTTP status, 0 if there was
 * no whole answer (connection error, timeout, body over IVR_HTTP_MAX
 * bytes). body is valid during the call; the handler may free the
 * request. */
typedef void (ivrhttp_h)(unsigned status, const char *body, size_t len,
			 void *arg);

/* Start a lookup of url (http:// or https://, see httpout_url()) with
 * cli (httpout_client()). post: body is sent as the form. mem_deref(*reqp)
 * cancels it; the handler is then never called. EINVAL: an unusable URL
 * (nothing started, no handler call). */
int ivrhttp_start(struct ivrhttp **reqp, struct http_cli *cli, bool post,
		  const char *url, const char *body, unsigned timeout_ms,
		  ivrhttp_h *h, void *arg);

#endif
