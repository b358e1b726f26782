/*
 * fuzz_httphead.c — libFuzzer target for src/api/httpguard.c:
 * http_head_check() and http_method_listed(), the decisions httpd.c takes on
 * a request head (method, Content-Length, Transfer-Encoding as the client
 * sent them) before any body is read.
 *
 * Input encoding:
 *   byte 0  bits 0-1: Content-Length fields (0-3)
 *           bits 2-3: Transfer-Encoding fields (0-3)
 *           bits 4-5: max_body: HTTPD_MAX_BODY, 0, 19 nines, UINT64_MAX
 *   rest    '\n'-separated: method, Content-Length value, Transfer-Encoding
 *           value, and optionally the served methods list (default
 *           WEB_METHODS, what occd serves); missing fields are "". A value
 *           is passed only when its count is non-zero (NULL otherwise), as
 *           httpd.c's count_framing() does. A NUL ends a field early, as it
 *           would in a C string from libmicrohttpd.
 *
 * Checked: the status is one of 0, 400, 405, 413, 501 and has a text iff it
 * is a refusal; it equals a reference model written from httpguard.h/.c's
 * comments and tests/unit/test_http.c (framing first — repeated fields, both
 * CL and TE, a coding other than "chunked", a Content-Length that is not
 * 1-19 digits — then the method, then the announced size), so in
 * particular two Content-Length (or Transfer-Encoding) fields never pass and
 * a Content-Length over max_body is never 0. http_method_listed() equals an
 * independent tokenizer of the list, is case-sensitive, and never lists "".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "api/api.h"
#include "api/httpd.h"
#include "api/httpguard.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_httphead: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

enum { FIELD_MAX = 8192, NFIELDS = 4 };

static const uint64_t MAX_BODIES[4] = {
	HTTPD_MAX_BODY, 0, 9999999999999999999ULL, UINT64_MAX,
};

/* Reference: is method one of the tokens of list (separators ',' and ' ')? */
static bool ref_listed(const char *list, const char *method)
{
	const char *p = list;

	if (!*method)
		return false;
	while (*p) {
		const char *start;

		while (*p == ',' || *p == ' ')
			p++;
		start = p;
		while (*p && *p != ',' && *p != ' ')
			p++;
		if ((size_t)(p - start) == strlen(method) &&
		    !memcmp(start, method, (size_t)(p - start)))
			return true;
	}
	return false;
}

/* Reference: Content-Length as 1-19 ASCII digits; *over: value > max. */
static bool ref_length(const char *s, uint64_t max, bool *over)
{
	size_t n = strlen(s);
	const char *d;
	char maxs[24];

	if (!n || n > 19)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	/* compare as decimal strings, no arithmetic to overflow */
	d = s;
	while (d[0] == '0' && d[1])
		d++;
	snprintf(maxs, sizeof(maxs), "%llu", (unsigned long long)max);
	*over = strlen(d) != strlen(maxs) ? strlen(d) > strlen(maxs)
					  : strcmp(d, maxs) > 0;
	return true;
}

static unsigned ref_status(const struct http_head *hh, const char *methods,
			   uint64_t max)
{
	bool over = false;

	if (hh->n_content_length > 1 || hh->n_transfer_encoding > 1 ||
	    (hh->n_content_length && hh->n_transfer_encoding))
		return 400;
	if (hh->n_transfer_encoding &&
	    strcasecmp(hh->transfer_encoding, "chunked"))
		return 501;
	if (hh->n_content_length &&
	    !ref_length(hh->content_length, max, &over))
		return 400;
	if (!ref_listed(methods, hh->method))
		return 405;
	return over ? 413 : 0;
}

static void check_listed(const char *methods, const char *method)
{
	bool listed = http_method_listed(methods, method);

	CHECK(listed == ref_listed(methods, method));
	if (!*method)
		CHECK(!listed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char field[NFIELDS][FIELD_MAX + 1];
	const uint8_t *p, *end;
	struct http_head hh;
	struct http_refusal rf;
	const char *methods;
	uint64_t max;
	unsigned want;
	int nf = 0;

	if (size < 1)
		return 0;
	p = data + 1;
	end = data + size;
	for (int i = 0; i < NFIELDS; i++)
		field[i][0] = '\0';
	/* split on '\n'; each field is cut at FIELD_MAX and at a NUL */
	while (nf < NFIELDS && p <= end) {
		const uint8_t *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);

		if (len > FIELD_MAX)
			len = FIELD_MAX;
		memcpy(field[nf], p, len);
		field[nf][len] = '\0';
		nf++;
		if (!nl)
			break;
		p = nl + 1;
	}
	hh = (struct http_head){
		.method = field[0],
		.n_content_length = data[0] & 3,
		.n_transfer_encoding = (data[0] >> 2) & 3,
	};
	hh.content_length = hh.n_content_length ? field[1] : NULL;
	hh.transfer_encoding = hh.n_transfer_encoding ? field[2] : NULL;
	methods = nf > 3 ? field[3] : WEB_METHODS;
	max = MAX_BODIES[(data[0] >> 4) & 3];

	rf = http_head_check(&hh, methods, max);
	want = ref_status(&hh, methods, max);
	CHECK(rf.status == 0 || rf.status == 400 || rf.status == 405 ||
	      rf.status == 413 || rf.status == 501);
	CHECK(rf.status ? rf.text && *rf.text : !rf.text);
	if (hh.n_content_length > 1 || hh.n_transfer_encoding > 1)
		CHECK(rf.status == 400);
	if (!rf.status) {
		CHECK(http_method_listed(methods, hh.method));
		if (hh.n_transfer_encoding)
			CHECK(!strcasecmp(hh.transfer_encoding, "chunked"));
	}
	if (rf.status != want)
		fprintf(stderr, "fuzz_httphead: status %u, reference %u "
			"(method \"%s\", CL x%u \"%s\", TE x%u \"%s\", "
			"max %llu)\n", rf.status, want, hh.method,
			hh.n_content_length, field[1], hh.n_transfer_encoding,
			field[2], (unsigned long long)max);
	CHECK(rf.status == want);

	check_listed(methods, hh.method);
	/* each field against the list too: more shapes of near misses */
	check_listed(methods, field[1]);
	check_listed(methods, field[2]);
	check_listed(WEB_METHODS, hh.method);
	return 0;
}
