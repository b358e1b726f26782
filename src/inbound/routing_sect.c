/*
 * routing_sect.c — the sections of a routing file's text (routing_sect.h).
 */
#include <string.h>
#include "inbound/routing_sect.h"

static const char *const kinds[] = {
	"lists", "did", "route", "schedule", "prompt", "ivr", "node", "queue",
};

static bool blank(char c)
{
	return c == ' ' || c == '\t';
}

/* A header line [p, eol): fills kind and name; false if it is none. */
static bool header(const char *p, const char *eol, struct rt_sect *s)
{
	const char *q = p, *close, *e;

	while (q < eol && blank(*q))
		q++;
	if (q >= eol || *q != '[')
		return false;
	close = memchr(q, ']', (size_t)(eol - q));
	if (!close)
		return false;
	for (q++; q < close && blank(*q); q++)
		;
	s->kind = q;
	while (q < close && !blank(*q))
		q++;
	s->kind_len = (size_t)(q - s->kind);
	while (q < close && blank(*q))
		q++;
	for (e = close; e > q && blank(e[-1]); e--)
		;
	s->name = q;
	s->name_len = (size_t)(e - q);
	return true;
}

void rt_sect_each(const char *text, size_t len,
		  bool (*fn)(const struct rt_sect *s, void *arg), void *arg)
{
	struct rt_sect cur, next;
	bool have = false;
	size_t off = 0;

	while (off < len) {
		const char *p = text + off;
		const char *nl = memchr(p, '\n', len - off);
		const char *eol = nl ? nl : text + len;
		size_t after = nl ? (size_t)(nl - text) + 1 : len;

		if (header(p, eol, &next)) {
			if (have) {
				cur.end = off;
				if (!fn(&cur, arg))
					return;
			}
			cur = next;
			cur.start = off;
			cur.body = after;
			have = true;
		}
		off = after;
	}
	if (have) {
		cur.end = len;
		(void)fn(&cur, arg);
	}
}

struct find {
	const char *kind, *name;
	struct rt_sect *out;
	bool found;
};

static bool find_one(const struct rt_sect *s, void *arg)
{
	struct find *f = arg;

	if (s->kind_len != strlen(f->kind) || s->name_len != strlen(f->name) ||
	    memcmp(s->kind, f->kind, s->kind_len) ||
	    memcmp(s->name, f->name, s->name_len))
		return true;
	*f->out = *s;
	f->found = true;
	return false;
}

bool rt_sect_find(const char *text, size_t len, const char *kind,
		  const char *name, struct rt_sect *out)
{
	struct find f = { kind, name, out, false };

	rt_sect_each(text, len, find_one, &f);
	return f.found;
}

bool rt_sect_name(const char *s, char kind[16], char name[128])
{
	const char *sp = strchr(s, ' ');
	size_t kl = sp ? (size_t)(sp - s) : strlen(s), nl;
	bool known = false;

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		known |= strlen(kinds[i]) == kl && !memcmp(kinds[i], s, kl);
	if (!known)
		return false;
	memcpy(kind, s, kl);
	kind[kl] = '\0';
	name[0] = '\0';
	if (!sp)
		return !strcmp(kind, "lists");
	nl = strlen(sp + 1);
	if (nl < 1 || nl > 127 || strspn(sp + 1, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		"abcdefghijklmnopqrstuvwxyz0123456789_-.*") != nl ||
	    !strcmp(kind, "lists"))
		return false;
	memcpy(name, sp + 1, nl + 1);
	return true;
}

bool rt_sect_body_ok(const char *body)
{
	bool lead = true;
	size_t n = 0;

	for (const char *p = body; *p; p++, n++) {
		unsigned char c = (unsigned char)*p;

		if (n >= RT_SECT_BODY_MAX || (c < ' ' && c != '\t' &&
		    c != '\r' && c != '\n') || c == 0x7f)
			return false;
		if (c == '\n') {
			lead = true;
			continue;
		}
		if (lead && c == '[')
			return false;
		if (!blank((char)c))
			lead = false;
	}
	return true;
}
