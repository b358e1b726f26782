/*
 * routing_values.c — the values of a routing file: errors with their
 * line, growing arrays, references noted for later, names, numbers,
 * durations, booleans, destinations, and the keys a section has seen.
 * Each set_ function checks a value and stores it, or fails with
 * "line N: KEY 'VALUE': what was expected".
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "inbound/routing.h"
#include "inbound/routing_impl.h"
#include "inbound/routing_parser.h"
#include "inbound/tz.h"

int rp_fail(struct parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || !p->errsz)
		return EINVAL;
	n = snprintf(p->err, p->errsz, "line %u: ", p->line);
	if (n >= 0 && (size_t)n < p->errsz) {
		va_start(ap, fmt);
		vsnprintf(p->err + n, p->errsz - (size_t)n, fmt, ap);
		va_end(ap);
	}
	return EINVAL;
}

/* Append one zeroed element to a mem array; NULL past max. */
void *rp_grow(void **arr, unsigned *n, size_t elsz, unsigned max)
{
	uint8_t *a;

	if (*n >= max)
		return NULL;
	/* libre's mem_realloc() does not take NULL */
	a = *arr ? mem_realloc(*arr, (*n + 1) * elsz)
		: mem_zalloc(elsz, NULL);
	if (!a)
		return NULL;
	*arr = a;
	memset(a + *n * elsz, 0, elsz);
	return a + (*n)++ * elsz;
}

int rp_too_many(struct parser *p, const char *what, unsigned max)
{
	return rp_fail(p, "too many %s (at most %u)", what, max);
}

int rp_note_ref(struct parser *p, enum ref_what what, unsigned flow,
		const char *name)
{
	struct ref *rf = GROW(p, p->refs, p->nrefs, MAX_REFS, "references");

	if (!rf)
		return rp_too_many(p, "references", MAX_REFS);
	rf->line = p->line;
	rf->what = what;
	rf->flow = flow;
	str_ncpy(rf->name, name, sizeof(rf->name));
	return 0;
}

/* ---- values ---- */

char *rp_trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}


bool rp_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= RT_NAME)
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-')
			return false;
	}
	return true;
}

bool routing_var_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n >= RT_NAME || isdigit((unsigned char)*s))
		return false;
	for (; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	}
	return true;
}

/* Digits, optionally after one '+'. */
bool rp_number_ok(const char *s)
{
	size_t n;

	s += *s == '+';
	n = strlen(s);
	return n >= 1 && n < ST_NUM - 1 && strspn(s, "0123456789") == n;
}

bool rp_digits_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < ST_NUM && strspn(s, "0123456789") == n;
}

bool rp_text_ok(const char *s, size_t max)
{
	if (strlen(s) >= max)
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

int rp_set_name(struct parser *p, char *dst, const char *key,
		const char *v)
{
	if (!rp_name_ok(v))
		return rp_fail(p, "%s '%s': a name is 1-%d of A-Z a-z 0-9 _ -",
			       key, v, RT_NAME - 1);
	str_ncpy(dst, v, RT_NAME);
	return 0;
}

int rp_set_text(struct parser *p, char *dst, size_t size, const char *key,
		const char *v)
{
	if (!rp_text_ok(v, size))
		return rp_fail(p, "%s: at most %zu bytes without control"
			       " characters", key, size - 1);
	str_ncpy(dst, v, size);
	return 0;
}

int rp_set_uint(struct parser *p, unsigned *dst, const char *key,
		const char *v, unsigned min, unsigned max)
{
	unsigned long long x = 0;

	if (!*v || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
		return rp_fail(p, "%s '%s': not a number", key, v);
	for (; *v; v++)
		x = x * 10 + (unsigned)(*v - '0');
	if (x < min || x > max)
		return rp_fail(p, "%s %llu: out of range %u-%u", key, x, min,
			       max);
	*dst = (unsigned)x;
	return 0;
}

int rp_set_bool(struct parser *p, bool *dst, const char *key,
		const char *v)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*dst = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*dst = false;
	else
		return rp_fail(p, "%s '%s': expected yes or no", key, v);
	return 0;
}

/* A duration: N (seconds), Ns, Nms or Nm, into ms within [min, max]. */
int rp_set_ms(struct parser *p, unsigned *dst, const char *key,
	      const char *v, unsigned min_ms, unsigned max_ms)
{
	size_t nd = strspn(v, "0123456789");
	unsigned long long x = 0, mult;

	if (nd == 0 || nd > 9)
		return rp_fail(p, "%s '%s': expected a duration like 5s or"
			       " 1500ms", key, v);
	for (size_t i = 0; i < nd; i++)
		x = x * 10 + (unsigned)(v[i] - '0');
	if (!strcmp(v + nd, "") || !strcmp(v + nd, "s"))
		mult = 1000;
	else if (!strcmp(v + nd, "ms"))
		mult = 1;
	else if (!strcmp(v + nd, "m"))
		mult = 60000;
	else
		return rp_fail(p, "%s '%s': expected a duration like 5s or"
			       " 1500ms", key, v);
	x *= mult;
	if (x < min_ms || x > max_ms)
		return rp_fail(p, "%s '%s': out of range %ums-%ums", key, v,
			       min_ms, max_ms);
	*dst = (unsigned)x;
	return 0;
}

/* A duration in whole seconds (N, Ns or Nm) within [0, max_s]. */
int rp_set_secs(struct parser *p, unsigned *dst, const char *key,
		const char *v, unsigned max_s)
{
	unsigned ms;
	int err = rp_set_ms(p, &ms, key, v, 0, max_s * 1000);

	if (err)
		return err;
	if (ms % 1000)
		return rp_fail(p, "%s '%s': whole seconds only", key, v);
	*dst = ms / 1000;
	return 0;
}

static const char *const kind_names[] = {
	[DEST_NONE] = "", [DEST_IVR] = "ivr", [DEST_NODE] = "node",
	[DEST_QUEUE] = "queue", [DEST_EXTEN] = "exten",
	[DEST_AGENT] = "agent", [DEST_PROMPT] = "prompt",
	[DEST_HANGUP] = "hangup",
};

const char *routing_dest_kind_name(enum dest_kind k)
{
	return (unsigned)k < ARRAY_SIZE(kind_names) ? kind_names[k] : "";
}

/*
 * A destination "kind:arg" (queue:N/prio), "hangup". in_flow: the flow
 * whose nodes node:X may name (-1: none here).
 */
int rp_set_dest(struct parser *p, struct dest *d, const char *key,
		const char *v, int in_flow)
{
	char arg[RT_NAME + 8];
	const char *colon = strchr(v, ':');
	size_t klen = colon ? (size_t)(colon - v) : strlen(v);
	int kind = -1;
	int err = 0;

	memset(d, 0, sizeof(*d));
	for (int k = DEST_IVR; k <= DEST_HANGUP; k++) {
		if (strlen(kind_names[k]) == klen &&
		    !strncmp(v, kind_names[k], klen))
			kind = k;
	}
	if (kind < 0)
		return rp_fail(p, "%s '%s': expected ivr:FLOW, node:NODE,"
			       " queue:NUMBER[/PRIO], exten:NUMBER,"
			       " agent:NUMBER, prompt:NAME or hangup", key, v);
	d->kind = (enum dest_kind)kind;
	if (kind == DEST_HANGUP) {
		if (colon)
			return rp_fail(p, "%s: hangup takes no argument", key);
		return 0;
	}
	if (!colon || strlen(colon + 1) >= sizeof(arg))
		return rp_fail(p, "%s '%s': %s needs an argument", key, v,
			       kind_names[kind]);
	str_ncpy(arg, colon + 1, sizeof(arg));
	switch (kind) {
	case DEST_QUEUE: {
		char *slash = strchr(arg, '/');
		unsigned prio = 0;

		if (slash) {
			*slash = '\0';
			err = rp_set_uint(p, &prio, "queue priority", slash + 1,
					  0, 99);
			if (err)
				return err;
		}
		if (!rp_digits_ok(arg))
			return rp_fail(p, "%s '%s': a queue number is 1-%d"
				       " digits", key, v, ST_NUM - 1);
		d->prio = (int)prio;
		str_ncpy(d->arg, arg, sizeof(d->arg));
		return rp_note_ref(p, REF_QUEUE, 0, arg);
	}
	case DEST_EXTEN:
	case DEST_AGENT:
		if (!rp_digits_ok(arg))
			return rp_fail(p, "%s '%s': a number is 1-%d digits",
				       key, v, ST_NUM - 1);
		str_ncpy(d->arg, arg, sizeof(d->arg));
		return 0;
	case DEST_NODE:
		if (in_flow < 0)
			return rp_fail(p, "%s: node: destinations only work"
				       " inside an IVR flow", key);
		/* fall through */
	default:
		if (!rp_name_ok(arg))
			return rp_fail(p, "%s '%s': a name is 1-%d of A-Z a-z"
				       " 0-9 _ -", key, v, RT_NAME - 1);
		str_ncpy(d->arg, arg, sizeof(d->arg));
		return rp_note_ref(p, kind == DEST_IVR ? REF_FLOW :
				   kind == DEST_NODE ? REF_NODE : REF_PROMPT,
				   kind == DEST_NODE ? (unsigned)in_flow : 0,
				   arg);
	}
}

int rp_set_prompt_ref(struct parser *p, char *dst, const char *key,
		      const char *v)
{
	int err = rp_set_name(p, dst, key, v);

	return err ? err : rp_note_ref(p, REF_PROMPT, 0, v);
}

/* ---- the keys of each section ---- */

bool rp_seen(struct parser *p, const char *key)
{
	for (unsigned i = 0; i < p->nseen; i++) {
		if (!strcmp(p->seen[i], key))
			return true;
	}
	return false;
}

/* Remember key; EINVAL if it came before and may not repeat. */
int rp_once(struct parser *p, const char *key, bool repeatable)
{
	if (rp_seen(p, key)) {
		if (repeatable)
			return 0;
		return rp_fail(p, "duplicate key '%s'", key);
	}
	if (p->nseen == MAX_SEEN)
		return rp_too_many(p, "keys in one section", MAX_SEEN);
	str_ncpy(p->seen[p->nseen++], key, RT_NAME);
	return 0;
}

int rp_unknown_key(struct parser *p, const char *key)
{
	return rp_fail(p, "unknown key '%s'", key);
}

/* A caller-list entry: a number or a prefix ending in '*'. */
