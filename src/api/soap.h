/*
 * soap.h — the SOAP request parser, separate from the adapter so that the
 * fuzz target exercises exactly what the server runs.
 */
#ifndef OCC_SOAP_H
#define OCC_SOAP_H

#include <stddef.h>
#include <libxml/tree.h>

enum { SOAP_MAX_ARGS = 32 };

struct soap_call {
	xmlDoc *doc;
	const char *method;             /* local name of the method element */
	const char *vals[SOAP_MAX_ARGS];/* its children's text, in order */
	xmlChar *texts[SOAP_MAX_ARGS];
	size_t n;
};

/* Parse a SOAP 1.1 request. On error returns EINVAL/E2BIG and sets *why;
 * nothing is left to free. On success soap_call_free() releases it. */
int  soap_call_parse(struct soap_call *c, const char *body, size_t len,
		     const char **why);
void soap_call_free(struct soap_call *c);

#endif
