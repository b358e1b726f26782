/*
 * admin_parse.c — the admin console's request parsers (admin_parse.h).
 */
#include <errno.h>
#include <string.h>
#include "base/form.h"
#include "api/admin_parse.h"

bool admin_cookie_token(const char *cookie, char tok[ADMIN_TOKEN_HEX])
{
	const char *p;

	for (p = cookie; p && (p = strstr(p, "occadm=")); p += 7) {
		if (p != cookie && p[-1] != ' ' && p[-1] != ';')
			continue;
		p += 7;
		if (strspn(p, "0123456789abcdef") != ADMIN_TOKEN_HEX - 1)
			return false;
		memcpy(tok, p, ADMIN_TOKEN_HEX - 1);
		tok[ADMIN_TOKEN_HEX - 1] = '\0';
		return true;
	}
	return false;
}

/* 1-20 decimal digits, no sign, no blanks, the value fitting 64 bits. */
static bool decimal(const char *s, unsigned long long *vp)
{
	unsigned long long v = 0;
	size_t n = s ? strlen(s) : 0;

	if (n < 1 || n > 20 || strspn(s, "0123456789") != n)
		return false;
	for (; *s; s++) {
		unsigned d = (unsigned)(*s - '0');

		if (v > (~0ULL - d) / 10)
			return false;
		v = v * 10 + d;
	}
	*vp = v;
	return true;
}

int admin_upload_range(const char *query, unsigned long long *offp,
		       unsigned long long *totalp)
{
	struct form q;
	int err = EINVAL;

	form_init(&q);
	if (!form_parse(&q, query, strlen(query)) &&
	    decimal(form_get(&q, "offset"), offp) &&
	    decimal(form_get(&q, "total"), totalp) && *totalp >= 1 &&
	    *offp <= *totalp)
		err = 0;
	form_reset(&q);
	return err;
}
