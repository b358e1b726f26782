/*
 * fuzz_soap.c — libFuzzer target for src/api/soap.c: soap_call_parse() and
 * soap_call_free(), the SOAP request parser (libxml2) behind /coccwi.php.
 *
 * Checks the contract in soap.h: on success a method name and at most
 * SOAP_MAX_ARGS argument strings, all NUL-terminated; on error a reason and
 * nothing left to free. Also the XML-safety promises of soap.c: a document
 * with a DOCTYPE (in any letter case) is always refused, and a parsed
 * document never carries a DTD.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include "api/soap.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_soap: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static int has_doctype(const uint8_t *s, size_t len)
{
	static const char needle[] = "<!doctype";
	const size_t n = sizeof(needle) - 1;

	for (size_t i = 0; i + n <= len; i++) {
		size_t k = 0;
		while (k < n) {
			int c = s[i + k];
			if (c >= 'A' && c <= 'Z')
				c += 32;
			if (c != needle[k])
				break;
			k++;
		}
		if (k == n)
			return 1;
	}
	return 0;
}

static int all_zero(const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	struct soap_call c;
	const char *why = (const char *)1;   /* must be overwritten */
	size_t total;
	int rc;

	if (!inited) {
		xmlInitParser();
		xmlSetGenericErrorFunc(NULL, quiet);
		inited = 1;
	}

	memset(&c, 0xA5, sizeof(c));            /* parse must not trust it */
	rc = soap_call_parse(&c, (const char *)data, size, &why);
	if (rc) {
		CHECK(rc == EINVAL || rc == E2BIG);
		CHECK(why != NULL && why != (const char *)1);
		CHECK(why[0] != '\0');
		/* "nothing is left to free" */
		CHECK(all_zero(&c, sizeof(c)));
		soap_call_free(&c);              /* and freeing it is harmless */
		return 0;
	}

	CHECK(why == NULL);
	CHECK(size > 0);
	CHECK(!has_doctype(data, size));
	CHECK(c.doc != NULL);
	CHECK(c.doc->intSubset == NULL && c.doc->extSubset == NULL);
	CHECK(c.method != NULL);
	CHECK(c.method[0] != '\0');
	CHECK(c.n <= SOAP_MAX_ARGS);
	/* Everything comes out of the input: even after transcoding to UTF-8
	 * (a few bytes per input byte at most), the method name and the
	 * argument texts (disjoint subtrees) cannot outgrow it by much. */
	total = strlen(c.method);
	for (size_t i = 0; i < c.n; i++) {
		CHECK(c.vals[i] != NULL);
		total += strlen(c.vals[i]);      /* reads every byte (ASan) */
		if (c.texts[i])
			CHECK(c.vals[i] == (const char *)c.texts[i]);
		else
			CHECK(c.vals[i][0] == '\0');
	}
	CHECK(total <= 8 * size);
	for (size_t i = c.n; i < SOAP_MAX_ARGS; i++)
		CHECK(c.texts[i] == NULL);

	soap_call_free(&c);
	CHECK(all_zero(&c, sizeof(c)));
	return 0;
}
