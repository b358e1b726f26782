/*
 * fuzz_admin.c — libFuzzer target for what the admin console reads from a
 * request and what it writes into a team's routing file:
 *   - admin_cookie_token() (src/api/admin_parse.c), the session cookie in
 *     a Cookie header;
 *   - admin_upload_range() (the same file), an upload piece's query;
 *   - rt_sect_each/rt_sect_find/rt_sect_name/rt_sect_body_ok
 *     (src/inbound/routing_sect.c), the sections of a routing file and
 *     the checks on what occctl routing set puts in one.
 *
 * The input, up to its first NUL (at most INPUT_MAX bytes), is each of a
 * Cookie header, a query string, a routing file's text, a "KIND NAME" and
 * a section body. Checked:
 *   - a token found is 64 lower-case hex digits and follows "occadm=" at
 *     the start of the header or after ' ' or ';';
 *   - a range parsed has 1 <= total, offset <= total, and printing it back
 *     as "offset=N&total=T" parses to the same;
 *   - sections come in order, each from a line whose first non-blank
 *     character is '[' to the next one's start (the last to the end), the
 *     kind and name inside their header line, without blanks at their
 *     ends; rt_sect_find of each (kind, name) finds the first section so
 *     named;
 *   - a "KIND NAME" accepted has a known kind and a name of the allowed
 *     characters;
 *   - a body accepted by rt_sect_body_ok, put under a header as occctl
 *     does, makes exactly one section (no body can start another one).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "api/admin_parse.h"
#include "inbound/routing_sect.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_admin: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

enum { INPUT_MAX = 20000 };

static void cookie(const char *s)
{
	char tok[ADMIN_TOKEN_HEX];
	const char *p;
	bool found = false;

	if (!admin_cookie_token(s, tok))
		return;
	CHECK(strlen(tok) == 64 && strspn(tok, "0123456789abcdef") == 64);
	for (p = s; (p = strstr(p, "occadm=")); p++) {
		if ((p == s || p[-1] == ' ' || p[-1] == ';') &&
		    !strncmp(p + 7, tok, 64)) {
			found = true;
			break;
		}
	}
	CHECK(found);
}

static void range(const char *s)
{
	unsigned long long off, total, o2, t2;
	char back[64];

	if (admin_upload_range(s, &off, &total))
		return;
	CHECK(total >= 1 && off <= total);
	snprintf(back, sizeof(back), "offset=%llu&total=%llu", off, total);
	CHECK(!admin_upload_range(back, &o2, &t2) && o2 == off && t2 == total);
}

struct walk {
	const char *text;
	size_t len, prev_end, n;
	bool first;
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool one(const struct rt_sect *s, void *arg)
{
	struct walk *w = arg;
	const char *line = w->text + s->start, *q = line;
	const char *eol = memchr(line, '\n', w->len - s->start);
	char kind[64], name[256];
	struct rt_sect f;

	if (!eol)
		eol = w->text + w->len;
	CHECK(s->start < w->len && s->start <= s->body && s->body <= s->end &&
	      s->end <= w->len);
	CHECK(w->first || s->start == w->prev_end);
	CHECK(s->start == 0 || w->text[s->start - 1] == '\n');
	while (blank(*q))
		q++;
	CHECK(*q == '[');
	CHECK(s->kind >= line && s->kind + s->kind_len <= eol);
	CHECK(s->name >= line && s->name + s->name_len <= eol);
	CHECK(!s->kind_len || (!blank(s->kind[0]) &&
			       !blank(s->kind[s->kind_len - 1])));
	CHECK(!s->name_len || (!blank(s->name[0]) &&
			       !blank(s->name[s->name_len - 1])));
	w->first = false;
	w->prev_end = s->end;
	w->n++;
	if (s->kind_len < sizeof(kind) && s->name_len < sizeof(name) &&
	    !memchr(s->kind, '\0', s->kind_len) &&
	    !memchr(s->name, '\0', s->name_len)) {
		memcpy(kind, s->kind, s->kind_len);
		kind[s->kind_len] = '\0';
		memcpy(name, s->name, s->name_len);
		name[s->name_len] = '\0';
		CHECK(rt_sect_find(w->text, w->len, kind, name, &f));
		CHECK(f.start <= s->start);
	}
	return true;
}

static bool count(const struct rt_sect *s, void *arg)
{
	(void)s;
	++*(size_t *)arg;
	return true;
}

static void sections(const char *s, size_t len)
{
	struct walk w = { .text = s, .len = len, .first = true };
	char kind[16], name[128], *doc;
	size_t n = 0;

	rt_sect_each(s, len, one, &w);
	CHECK(w.first || w.prev_end == len);
	if (len < 140 && rt_sect_name(s, kind, name)) {
		CHECK(strlen(kind) && strlen(name) < 128);
		CHECK(strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
			     "qrstuvwxyz0123456789_-.*") == strlen(name));
	}
	if (!rt_sect_body_ok(s))
		return;
	CHECK(len <= RT_SECT_BODY_MAX);
	doc = malloc(len + 32);
	CHECK(doc);
	n = (size_t)sprintf(doc, "[route x]\n%s\n", s);
	{
		size_t k = 0;

		rt_sect_each(doc, n, count, &k);
		CHECK(k == 1);
	}
	free(doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;
	size_t len;

	if (size > INPUT_MAX)
		size = INPUT_MAX;
	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	len = strlen(s);
	cookie(s);
	range(s);
	sections(s, len);
	free(s);
	return 0;
}
