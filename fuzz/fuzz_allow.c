/*
 * fuzz_allow.c — libFuzzer target for the SSRF allow-list of file imports
 * (import_allow_check, import_allow_valid in src/import/fetch.c).
 *
 * Input: three lines, allow-list A, allow-list B, a URL (NUL bytes end a
 * line early). Checked: the result is OK, E_URL or E_DENIED (a refusal
 * with a reason); an empty list allows nothing; entries are independent:
 * the URL is allowed by "A B" exactly when it is by A or by B (and by
 * "B,A" the same), so no entry changes how another is read; an allowed
 * URL is one curl parses as http, https or ftp with a path (dot segments
 * removed: what is fetched) without %2e, %2f, %5c or a backslash, and
 * has no whitespace or control bytes; E_URL does not depend on
 * the list; import_allow_valid accepts "A B" exactly when it accepts A and
 * B. (The independence check found a bug: curl read an entry as relative
 * to the one before it on a reused handle.)
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "import/fetch.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_allow: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

enum { MAX = 1024 };

static const char *line(const uint8_t **p, const uint8_t *end, char *out)
{
	size_t n = 0;

	while (*p < end && **p != '\n') {
		if (n < MAX - 1)
			out[n++] = (char)**p;
		(*p)++;
	}
	if (*p < end)
		(*p)++;
	out[n] = '\0';
	return out;
}

static enum import_err check(const char *allow, const char *url)
{
	char why[256] = "x";
	enum import_err e = import_allow_check(allow, url, why, sizeof(why));

	CHECK(e == IMPORT_OK || e == IMPORT_E_URL || e == IMPORT_E_DENIED);
	CHECK(e == IMPORT_OK ? why[0] == '\0' : why[0] != '\0');
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	static char a[MAX], b[MAX], url[MAX], ab[2 * MAX + 2], ba[2 * MAX + 2];
	char why[256];
	enum import_err ea, eb, eab, eba, e0;
	int va, vb, vab;

	line(&p, end, a);
	line(&p, end, b);
	line(&p, end, url);
	snprintf(ab, sizeof(ab), "%s %s", a, b);
	snprintf(ba, sizeof(ba), "%s,%s", b, a);

	e0 = check("", url);
	ea = check(a, url);
	eb = check(b, url);
	eab = check(ab, url);
	eba = check(ba, url);
	CHECK(e0 != IMPORT_OK);
	if (e0 == IMPORT_E_URL) {
		CHECK(ea == IMPORT_E_URL && eb == IMPORT_E_URL &&
		      eab == IMPORT_E_URL && eba == IMPORT_E_URL);
	} else {
		CHECK(ea != IMPORT_E_URL && eb != IMPORT_E_URL);
		CHECK((eab == IMPORT_OK) == (ea == IMPORT_OK || eb == IMPORT_OK));
		CHECK(eab == eba);
	}
	if (ea == IMPORT_OK || eb == IMPORT_OK) {
		/* what is fetched is curl's parse of the URL (dot segments
		 * removed), handed over as such */
		CURLU *h = curl_url();
		char *scheme = NULL, *path = NULL;

		CHECK(h && !curl_url_set(h, CURLUPART_URL, url, 0));
		CHECK(!curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) &&
		      !curl_url_get(h, CURLUPART_PATH, &path, 0));
		CHECK(!strcmp(scheme, "http") || !strcmp(scheme, "https") ||
		      !strcmp(scheme, "ftp"));
		CHECK(!strcasestr(path, "%2e") && !strcasestr(path, "%2f") &&
		      !strcasestr(path, "%5c") && !strchr(path, '\\'));
		curl_free(scheme);
		curl_free(path);
		curl_url_cleanup(h);
		for (const char *s = url; *s; s++)
			CHECK(!isspace((unsigned char)*s) &&
			      !iscntrl((unsigned char)*s));
	}

	va = import_allow_valid(a, why, sizeof(why));
	vb = import_allow_valid(b, why, sizeof(why));
	vab = import_allow_valid(ab, why, sizeof(why));
	CHECK(va == 0 || va == EINVAL);
	CHECK((vab == 0) == (va == 0 && vb == 0));
	return 0;
}
