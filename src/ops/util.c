/*
 * util.c — see util.h.
 */
#include <ctype.h>
#include <string.h>
#include "ops/util.h"
#include "ops/op.h"
#include "sip/call.h"

bool list_next(const char **p, struct pl *tok)
{
	const char *s = *p;

	for (;;) {
		const char *start, *end;
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
		if (end == start)
			continue;
		tok->p = start;
		tok->l = (size_t)(end - start);
		*p = s;
		return true;
	}
}

struct group *group_of_pl(const struct team *t, const struct pl *tok)
{
	int64_t id = 0;

	/* 18 digits cannot overflow int64_t; longer ids do not exist */
	if (!tok->l || tok->l > 18)
		return NULL;
	for (size_t i = 0; i < tok->l; i++) {
		if (!isdigit((unsigned char)tok->p[i]))
			return NULL;
		id = id * 10 + (tok->p[i] - '0');
	}
	return team_group(t, id);
}

struct group *group_of_str(const struct team *t, const char *s)
{
	struct pl pl;

	pl_set_str(&pl, s);
	return group_of_pl(t, &pl);
}

bool dial_string_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || *s == '*' || *s == '#' ||
		      *s == '+'))
			return false;
	return true;
}

void call_result(struct op_result *res, int call_err)
{
	switch (call_err) {
	case CALL_OK:
		res_set(res, OP_OK, BM_CALL_OK, NULL);
		break;
	case CALL_NO_TRUNK:
		res_set(res, OP_FAIL, BM_CALL_FAIL, "trunk");
		break;
	case CALL_NOT_REGISTERED:
		res_set(res, OP_FAIL, BM_NOT_REGISTERED, NULL);
		break;
	case CALL_OVERLOAD:
		res_set(res, OP_FAIL, BM_CALL_FAIL, "busy");
		break;
	default:
		res_set(res, OP_FAIL, BM_CALL_FAIL, NULL);
	}
}
