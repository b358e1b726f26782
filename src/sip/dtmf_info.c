/*
 * dtmf_info.c — see dtmf_info.h. Bounded: at most DTMF_INFO_MAX bytes are
 * looked at, nothing is copied or allocated.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "sip/dtmf_info.h"

static bool is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A value: one key, or the event code 10-15 of * # A-D. */
static int key_of(const uint8_t *v, size_t n, char *digit)
{
	static const char codes[] = "*#ABCD";

	if (n == 1) {
		char c = (char)v[0];
		if (c >= 'a' && c <= 'd')
			c = (char)(c - 'a' + 'A');
		if ((c >= '0' && c <= '9') || c == '*' || c == '#' ||
		    (c >= 'A' && c <= 'D')) {
			*digit = c;
			return 0;
		}
		return EINVAL;
	}
	if (n == 2 && v[0] == '1' && v[1] >= '0' && v[1] <= '5') {
		*digit = codes[v[1] - '0'];
		return 0;
	}
	return EINVAL;
}

/* The token after optional blanks at p, up to a blank or the end. */
static int value_at(const uint8_t *p, const uint8_t *end, char *digit)
{
	const uint8_t *v;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	v = p;
	while (p < end && !is_space(*p))
		p++;
	return key_of(v, (size_t)(p - v), digit);
}

/* "Signal = 5" on a line of its own, the name in any case */
static int relay_parse(const uint8_t *p, const uint8_t *end, char *digit)
{
	static const char name[] = "signal";

	while (p < end) {
		const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *q = p;
		size_t i;
		if (!eol)
			eol = end;
		while (q < eol && (*q == ' ' || *q == '\t'))
			q++;
		for (i = 0; i < sizeof(name) - 1 && q + i < eol; i++)
			if ((q[i] | 0x20) != name[i])
				break;
		if (i == sizeof(name) - 1) {
			q += i;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q < eol && *q == '=')
				return value_at(q + 1, eol, digit);
		}
		p = eol + (eol < end);
	}
	return EINVAL;
}

int dtmf_info_parse(enum dtmf_info_type type, const uint8_t *body,
		    size_t len, char *digit)
{
	const uint8_t *end = body + len;

	if (len > DTMF_INFO_MAX)
		return EMSGSIZE;
	if (!len)
		return EINVAL;
	if (type == DTMF_INFO_RELAY)
		return relay_parse(body, end, digit);
	while (body < end && is_space(*body))
		body++;
	while (end > body && is_space(end[-1]))
		end--;
	return key_of(body, (size_t)(end - body), digit);
}
