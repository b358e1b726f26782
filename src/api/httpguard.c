/*
 * httpguard.c — see httpguard.h. RFC 9112 §6.3: a message with both
 * Content-Length and Transfer-Encoding, or with Content-Length fields that
 * differ, has no single reading; occd refuses it (and repeated fields too)
 * rather than pick one, so a proxy in front cannot see another request in
 * the same bytes. Only "chunked" is a transfer coding occd reads.
 */
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include "api/httpguard.h"

bool http_method_listed(const char *methods, const char *method)
{
	size_t n = strlen(method);
	const char *p = methods;

	while (*p) {
		size_t len = strcspn(p, ", ");
		if (len && len == n && !strncmp(p, method, n))
			return true;
		p += len;
		p += strspn(p, ", ");
	}
	return false;
}

/* Content-Length: digits only, at most 19 of them (fits uint64_t). */
static bool parse_length(const char *s, uint64_t *v)
{
	size_t n = strspn(s, "0123456789");

	if (!n || s[n] || n > 19)
		return false;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	return true;
}

struct http_refusal http_head_check(const struct http_head *hh,
				    const char *methods, uint64_t max_body)
{
	uint64_t len = 0;

	if (hh->n_content_length > 1)
		return (struct http_refusal){ 400,
			"more than one Content-Length" };
	if (hh->n_transfer_encoding > 1)
		return (struct http_refusal){ 400,
			"more than one Transfer-Encoding" };
	if (hh->n_content_length && hh->n_transfer_encoding)
		return (struct http_refusal){ 400,
			"both Content-Length and Transfer-Encoding" };
	if (hh->n_transfer_encoding &&
	    strcasecmp(hh->transfer_encoding, "chunked"))
		return (struct http_refusal){ 501,
			"only the chunked transfer coding is read" };
	if (hh->n_content_length &&
	    !parse_length(hh->content_length, &len))
		return (struct http_refusal){ 400, "bad Content-Length" };
	if (!http_method_listed(methods, hh->method))
		return (struct http_refusal){ 405, "method not allowed" };
	if (len > max_body)
		return (struct http_refusal){ 413, "request body too large" };
	return (struct http_refusal){ 0, NULL };
}
