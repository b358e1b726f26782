/*
 * test_http.c — httpguard: what the HTTP server refuses once a request's
 * head is in (the wire behaviour is in tests/api/test_hostile_http.py).
 */
#include <stdbool.h>
#include "unit.h"
#include "api/httpguard.h"

#define METHODS "GET, HEAD, POST, OPTIONS"

static unsigned check(const char *method, const char *cl, unsigned ncl,
		      const char *te, unsigned nte)
{
	struct http_head hh = { method, cl, ncl, te, nte };

	return http_head_check(&hh, METHODS, 65536).status;
}

UNIT_TEST(http_methods_listed)
{
	UT_ASSERT(http_method_listed(METHODS, "GET"));
	UT_ASSERT(http_method_listed(METHODS, "OPTIONS"));
	UT_ASSERT(http_method_listed(METHODS, "HEAD"));
	UT_ASSERT(!http_method_listed(METHODS, "get"));       /* case matters */
	UT_ASSERT(!http_method_listed(METHODS, "GE"));
	UT_ASSERT(!http_method_listed(METHODS, "OPTION"));
	UT_ASSERT(!http_method_listed(METHODS, "PUT"));
	UT_ASSERT(!http_method_listed(METHODS, ""));
	UT_ASSERT(!http_method_listed(METHODS, "GET, HEAD"));
}

UNIT_TEST(http_head_methods)
{
	UT_EQ_INT(check("GET", NULL, 0, NULL, 0), 0);
	UT_EQ_INT(check("POST", "10", 1, NULL, 0), 0);
	UT_EQ_INT(check("PUT", "10", 1, NULL, 0), 405);
	UT_EQ_INT(check("TRACE", NULL, 0, NULL, 0), 405);
	UT_EQ_INT(check("FOO", NULL, 0, NULL, 0), 405);
}

UNIT_TEST(http_head_framing)
{
	UT_EQ_INT(check("POST", "5", 2, NULL, 0), 400);        /* repeated */
	UT_EQ_INT(check("POST", "5", 1, "chunked", 1), 400);   /* CL + TE */
	UT_EQ_INT(check("POST", NULL, 0, "chunked", 2), 400);
	UT_EQ_INT(check("POST", NULL, 0, "chunked", 1), 0);
	UT_EQ_INT(check("POST", NULL, 0, "Chunked", 1), 0);
	UT_EQ_INT(check("POST", NULL, 0, "gzip, chunked", 1), 501);
	UT_EQ_INT(check("POST", NULL, 0, "identity", 1), 501);
	UT_EQ_INT(check("POST", "+5", 1, NULL, 0), 400);
	UT_EQ_INT(check("POST", "", 1, NULL, 0), 400);
	/* framing is refused before the method: it closes the connection */
	UT_EQ_INT(check("PUT", "5", 2, NULL, 0), 400);
}

UNIT_TEST(http_head_body_limit)
{
	UT_EQ_INT(check("POST", "65536", 1, NULL, 0), 0);
	UT_EQ_INT(check("POST", "65537", 1, NULL, 0), 413);
	UT_EQ_INT(check("POST", "1000000000", 1, NULL, 0), 413);
	UT_EQ_INT(check("POST", "99999999999999999999", 1, NULL, 0), 400);
}
