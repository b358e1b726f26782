/*
 * util.c — see util.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include "ops/util.h"

bool list_next(const char **p, char *tok, size_t toksz)
{
	const char *s = *p;

	for (;;) {
		const char *start, *end;
		size_t n;
		while (*s == ',' || isspace((unsigned char)*s))
			s++;
		if (!*s) {
			*p = s;
			return false;
		}
		start = s;
		while (*s && *s != ',')
			s++;
		end = s;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		n = (size_t)(end - start);
		if (n == 0)
			continue;
		if (n >= toksz)
			n = toksz - 1;
		memcpy(tok, start, n);
		tok[n] = '\0';
		*p = s;
		return true;
	}
}

struct group *group_of_token(const struct team *t, const char *tok)
{
	char *end;
	long long id;

	if (!isdigit((unsigned char)tok[0]))
		return NULL;
	id = strtoll(tok, &end, 10);
	return *end ? NULL : team_group(t, id);
}
