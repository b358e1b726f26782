/*
 * admin_parse.h — what the admin console (admin.c) reads from a request
 * before anything else: the session token in its Cookie header and the
 * byte range of an upload piece in its query string. Pure functions,
 * fuzzed by fuzz/fuzz_admin.c.
 */
#ifndef OCC_API_ADMIN_PARSE_H
#define OCC_API_ADMIN_PARSE_H

#include <stdbool.h>
#include <stddef.h>

enum { ADMIN_TOKEN_HEX = 65 };   /* 64 lower-case hex digits and a NUL */

/* The value of the first cookie named occadm in a Cookie header (NULL:
 * none) into tok, if it is exactly 64 lower-case hex digits (a longer
 * run of hex digits is refused, whatever follows); false otherwise. */
bool admin_cookie_token(const char *cookie, char tok[ADMIN_TOKEN_HEX]);

/* offset=N&total=T of an upload piece's query (application/x-www-form-
 * urlencoded): decimal, 1 <= T, N <= T, both at most 20 digits; 0 or
 * EINVAL (also for a missing or repeated-as-empty field). */
int admin_upload_range(const char *query, unsigned long long *offp,
		       unsigned long long *totalp);

#endif
