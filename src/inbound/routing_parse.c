/*
 * routing_parse.c — a team's routing file (INI, docs/INBOUND.md) into a
 * struct routing, or "line N: reason".
 *
 * One pass reads the lines into the structs, checking every value where it
 * stands (syntax, ranges, duplicates, limits, keys that do not apply to a
 * node's type); each reference to another section (a destination's flow,
 * node, queue or prompt, a route's schedule, DID or DID group, a flow's
 * start node) is noted with its line and checked once the whole file is
 * in, so sections may come in any order (except that a [node F.N] needs
 * its [ivr F] above it). The first error ends the parse and the half-built
 * routing is freed: a file is taken whole or not at all.
 *
 * To add a key: a line in the section's key handler (and in node_keys[] for
 * a node key), its default in the section's constructor, and its line in
 * routing_print (routing.c); docs/INBOUND.md lists every key.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <re.h>
#include "inbound/routing.h"
#include "inbound/routing_impl.h"
#include "inbound/tz.h"

enum sect { SEC_NONE, SEC_LISTS, SEC_DID, SEC_ROUTE, SEC_SCHEDULE, SEC_PROMPT,
	    SEC_IVR, SEC_NODE, SEC_QUEUE };

enum ref_what { REF_FLOW, REF_NODE, REF_PROMPT, REF_QUEUE, REF_SCHEDULE,
		REF_DID, REF_DIDGROUP };

struct ref {
	unsigned line;
	enum ref_what what;
	unsigned flow;                 /* REF_NODE */
	char name[RT_NAME];
};

enum { MAX_SEEN = 48, MAX_REFS = 65536 };

struct parser {
	struct routing *r;
	unsigned line;
	char *err;
	size_t errsz;
	enum sect sect;
	unsigned sect_line;
	unsigned cur;                  /* index of the current section's object */
	unsigned flow;                 /* SEC_NODE, SEC_IVR: the flow */
	char seen[MAX_SEEN][RT_NAME];  /* keys of this section so far */
	unsigned nseen;
	struct ref *refs;
	unsigned nrefs;
	bool lists_seen;
};

static int fail(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct parser *p, const char *fmt, ...)
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
static void *grow(void **arr, unsigned *n, size_t elsz, unsigned max)
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

#define GROW(p, arr, n, max, what) \
	grow((void **)&(arr), &(n), sizeof(*(arr)), (max))

static int too_many(struct parser *p, const char *what, unsigned max)
{
	return fail(p, "too many %s (at most %u)", what, max);
}

static int note_ref(struct parser *p, enum ref_what what, unsigned flow,
		    const char *name)
{
	struct ref *rf = GROW(p, p->refs, p->nrefs, MAX_REFS, "references");

	if (!rf)
		return too_many(p, "references", MAX_REFS);
	rf->line = p->line;
	rf->what = what;
	rf->flow = flow;
	str_ncpy(rf->name, name, sizeof(rf->name));
	return 0;
}

/* ---- values ---- */

static char *trim(char *s)
{
	size_t n;

	s += strspn(s, " \t");
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}


static bool name_ok(const char *s)
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
static bool number_ok(const char *s)
{
	size_t n;

	s += *s == '+';
	n = strlen(s);
	return n >= 1 && n < ST_NUM - 1 && strspn(s, "0123456789") == n;
}

static bool digits_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < ST_NUM && strspn(s, "0123456789") == n;
}

static bool text_ok(const char *s, size_t max)
{
	if (strlen(s) >= max)
		return false;
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	}
	return true;
}

static int set_name(struct parser *p, char *dst, const char *key,
		    const char *v)
{
	if (!name_ok(v))
		return fail(p, "%s '%s': a name is 1-%d of A-Z a-z 0-9 _ -",
			    key, v, RT_NAME - 1);
	str_ncpy(dst, v, RT_NAME);
	return 0;
}

static int set_text(struct parser *p, char *dst, size_t size, const char *key,
		    const char *v)
{
	if (!text_ok(v, size))
		return fail(p, "%s: at most %zu bytes without control"
			    " characters", key, size - 1);
	str_ncpy(dst, v, size);
	return 0;
}

static int set_uint(struct parser *p, unsigned *dst, const char *key,
		    const char *v, unsigned min, unsigned max)
{
	unsigned long long x = 0;

	if (!*v || strlen(v) > 9 || strspn(v, "0123456789") != strlen(v))
		return fail(p, "%s '%s': not a number", key, v);
	for (; *v; v++)
		x = x * 10 + (unsigned)(*v - '0');
	if (x < min || x > max)
		return fail(p, "%s %llu: out of range %u-%u", key, x, min, max);
	*dst = (unsigned)x;
	return 0;
}

static int set_bool(struct parser *p, bool *dst, const char *key,
		    const char *v)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*dst = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*dst = false;
	else
		return fail(p, "%s '%s': expected yes or no", key, v);
	return 0;
}

/* A duration: N (seconds), Ns, Nms or Nm, into ms within [min, max]. */
static int set_ms(struct parser *p, unsigned *dst, const char *key,
		  const char *v, unsigned min_ms, unsigned max_ms)
{
	size_t nd = strspn(v, "0123456789");
	unsigned long long x = 0, mult;

	if (nd == 0 || nd > 9)
		return fail(p, "%s '%s': expected a duration like 5s or"
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
		return fail(p, "%s '%s': expected a duration like 5s or"
			    " 1500ms", key, v);
	x *= mult;
	if (x < min_ms || x > max_ms)
		return fail(p, "%s '%s': out of range %ums-%ums", key, v,
			    min_ms, max_ms);
	*dst = (unsigned)x;
	return 0;
}

/* A duration in whole seconds (N, Ns or Nm) within [0, max_s]. */
static int set_secs(struct parser *p, unsigned *dst, const char *key,
		    const char *v, unsigned max_s)
{
	unsigned ms;
	int err = set_ms(p, &ms, key, v, 0, max_s * 1000);

	if (err)
		return err;
	if (ms % 1000)
		return fail(p, "%s '%s': whole seconds only", key, v);
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
static int set_dest(struct parser *p, struct dest *d, const char *key,
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
		return fail(p, "%s '%s': expected ivr:FLOW, node:NODE,"
			    " queue:NUMBER[/PRIO], exten:NUMBER,"
			    " agent:NUMBER, prompt:NAME or hangup", key, v);
	d->kind = (enum dest_kind)kind;
	if (kind == DEST_HANGUP) {
		if (colon)
			return fail(p, "%s: hangup takes no argument", key);
		return 0;
	}
	if (!colon || strlen(colon + 1) >= sizeof(arg))
		return fail(p, "%s '%s': %s needs an argument", key, v,
			    kind_names[kind]);
	str_ncpy(arg, colon + 1, sizeof(arg));
	switch (kind) {
	case DEST_QUEUE: {
		char *slash = strchr(arg, '/');
		unsigned prio = 0;

		if (slash) {
			*slash = '\0';
			err = set_uint(p, &prio, "queue priority", slash + 1,
				       0, 99);
			if (err)
				return err;
		}
		if (!digits_ok(arg))
			return fail(p, "%s '%s': a queue number is 1-%d"
				    " digits", key, v, ST_NUM - 1);
		d->prio = (int)prio;
		str_ncpy(d->arg, arg, sizeof(d->arg));
		return note_ref(p, REF_QUEUE, 0, arg);
	}
	case DEST_EXTEN:
	case DEST_AGENT:
		if (!digits_ok(arg))
			return fail(p, "%s '%s': a number is 1-%d digits", key,
				    v, ST_NUM - 1);
		str_ncpy(d->arg, arg, sizeof(d->arg));
		return 0;
	case DEST_NODE:
		if (in_flow < 0)
			return fail(p, "%s: node: destinations only work"
				    " inside an IVR flow", key);
		/* fall through */
	default:
		if (!name_ok(arg))
			return fail(p, "%s '%s': a name is 1-%d of A-Z a-z"
				    " 0-9 _ -", key, v, RT_NAME - 1);
		str_ncpy(d->arg, arg, sizeof(d->arg));
		return note_ref(p, kind == DEST_IVR ? REF_FLOW :
				kind == DEST_NODE ? REF_NODE : REF_PROMPT,
				kind == DEST_NODE ? (unsigned)in_flow : 0, arg);
	}
}

static int set_prompt_ref(struct parser *p, char *dst, const char *key,
			  const char *v)
{
	int err = set_name(p, dst, key, v);

	return err ? err : note_ref(p, REF_PROMPT, 0, v);
}

/* ---- the keys of each section ---- */

static bool seen(struct parser *p, const char *key)
{
	for (unsigned i = 0; i < p->nseen; i++) {
		if (!strcmp(p->seen[i], key))
			return true;
	}
	return false;
}

/* Remember key; EINVAL if it came before and may not repeat. */
static int once(struct parser *p, const char *key, bool repeatable)
{
	if (seen(p, key)) {
		if (repeatable)
			return 0;
		return fail(p, "duplicate key '%s'", key);
	}
	if (p->nseen == MAX_SEEN)
		return too_many(p, "keys in one section", MAX_SEEN);
	str_ncpy(p->seen[p->nseen++], key, RT_NAME);
	return 0;
}

static int unknown_key(struct parser *p, const char *key)
{
	return fail(p, "unknown key '%s'", key);
}

/* A caller-list entry: a number or a prefix ending in '*'. */
static int list_add(struct parser *p, char (**list)[ST_NUM], unsigned *n,
		    const char *entry)
{
	char (*slot)[ST_NUM];
	size_t len = strlen(entry);
	const char *star = strchr(entry, '*');

	if (len < 1 || len >= ST_NUM || !text_ok(entry, ST_NUM) ||
	    strpbrk(entry, " \t,") || (star && star != entry + len - 1))
		return fail(p, "list entry '%s': a number, or a prefix"
			    " ending in *", entry);
	for (unsigned i = 0; i < *n; i++) {
		if (!strcmp((*list)[i], entry))
			return fail(p, "duplicate list entry '%s'", entry);
	}
	slot = grow((void **)list, n, sizeof(**list), RT_MAX_LIST);
	if (!slot)
		return too_many(p, "list entries", RT_MAX_LIST);
	str_ncpy(*slot, entry, ST_NUM);
	return 0;
}

static int list_values(struct parser *p, char (**list)[ST_NUM], unsigned *n,
		       const char *v)
{
	char buf[RT_MAX_LINE + 1];
	char *save = NULL, *tok;
	int err = 0;

	str_ncpy(buf, v, sizeof(buf));
	for (tok = strtok_r(buf, ", \t", &save); tok && !err;
	     tok = strtok_r(NULL, ", \t", &save))
		err = list_add(p, list, n, tok);
	return err;
}

static int key_lists(struct parser *p, const char *key, const char *sub,
		     const char *v)
{
	struct routing *r = p->r;
	int err;

	if (sub)
		return unknown_key(p, key);
	if (!strcmp(key, "blacklist"))
		return list_values(p, &r->blacklist, &r->nblack, v);
	if (!strcmp(key, "whitelist"))
		return list_values(p, &r->whitelist, &r->nwhite, v);
	if (!strcmp(key, "blocked")) {
		err = once(p, key, false);
		return err ? err : set_dest(p, &r->blocked, key, v, -1);
	}
	return unknown_key(p, key);
}

static int key_did(struct parser *p, const char *key, const char *sub,
		   const char *v)
{
	struct did *d = &p->r->dids[p->cur];
	int err = sub ? unknown_key(p, key) : once(p, key, false);

	if (err)
		return err;
	if (!strcmp(key, "group"))
		return set_name(p, d->group, key, v);
	if (!strcmp(key, "dest"))
		return set_dest(p, &d->direct, key, v, -1);
	return unknown_key(p, key);
}

static int key_route(struct parser *p, const char *key, const char *sub,
		     const char *v)
{
	struct route *rt = &p->r->routes[p->cur];
	unsigned u;
	int err = sub ? unknown_key(p, key) : once(p, key, false);

	if (err)
		return err;
	if (!strcmp(key, "priority")) {
		bool neg = *v == '-';

		err = set_uint(p, &u, key, v + neg, 0, 1000000);
		if (!err)
			rt->priority = neg ? -(int)u : (int)u;
		return err;
	}
	if (!strcmp(key, "did")) {
		if (!number_ok(v))
			return fail(p, "did '%s': a number", v);
		str_ncpy(rt->did, v, sizeof(rt->did));
		return note_ref(p, REF_DID, 0, v);
	}
	if (!strcmp(key, "did_group")) {
		err = set_name(p, rt->did_group, key, v);
		return err ? err : note_ref(p, REF_DIDGROUP, 0, v);
	}
	if (!strcmp(key, "cid_prefix")) {
		if (!number_ok(v))
			return fail(p, "cid_prefix '%s': digits, optionally"
				    " after a +", v);
		str_ncpy(rt->cid_prefix, v, sizeof(rt->cid_prefix));
		return 0;
	}
	if (!strcmp(key, "trunk"))
		return set_text(p, rt->trunk, sizeof(rt->trunk), key, v);
	if (!strcmp(key, "schedule")) {
		err = set_name(p, rt->schedule, key, v);
		return err ? err : note_ref(p, REF_SCHEDULE, 0, v);
	}
	if (!strcmp(key, "open"))
		return set_dest(p, &rt->open, key, v, -1);
	if (!strcmp(key, "closed"))
		return set_dest(p, &rt->closed, key, v, -1);
	return unknown_key(p, key);
}

static const char *const wday_names[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int wday_index(const char *s, size_t n)
{
	for (int i = 0; i < 7; i++) {
		if (n == 3 && !strncmp(s, wday_names[i], 3))
			return i;
	}
	return -1;
}

/* "mon-fri,sun" or "daily" into a mask. */
static bool parse_days(const char *s, size_t n, uint8_t *mask)
{
	*mask = 0;
	if (n == 5 && !strncmp(s, "daily", 5)) {
		*mask = 0x7f;
		return true;
	}
	while (n) {
		size_t k = 0;
		int a, b;

		while (k < n && s[k] != ',')
			k++;
		if (k == 3 && (a = wday_index(s, 3)) >= 0)
			*mask |= (uint8_t)(1u << a);
		else if (k == 7 && s[3] == '-' &&
			 (a = wday_index(s, 3)) >= 0 &&
			 (b = wday_index(s + 4, 3)) >= 0) {
			for (int d = a; ; d = (d + 1) % 7) {   /* fri-mon wraps */
				*mask |= (uint8_t)(1u << d);
				if (d == b)
					break;
			}
		}
		else
			return false;
		s += k;
		n -= k;
		if (n) {
			s++;
			n--;
			if (!n)
				return false;
		}
	}
	return *mask != 0;
}

/* HH:MM, 00:00-24:00, into minutes. */
static bool parse_hhmm(const char *s, size_t n, unsigned *min)
{
	unsigned h, m;

	if (n != 5 || s[2] != ':' || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[3]) ||
	    !isdigit((unsigned char)s[4]))
		return false;
	h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
	m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m))
		return false;
	*min = h * 60 + m;
	return true;
}

static int sched_hours(struct parser *p, struct schedule *s, const char *v)
{
	size_t dn = strcspn(v, " \t");
	const char *t = v + dn;
	uint8_t mask;

	if (!parse_days(v, dn, &mask))
		return fail(p, "hours '%s': expected days like mon-fri,sat"
			    " or daily, then HH:MM-HH:MM[, HH:MM-HH:MM]", v);
	t += strspn(t, " \t");
	if (!*t)
		return fail(p, "hours '%s': no times after the days", v);
	while (*t) {
		size_t n = strcspn(t, ",");
		unsigned from, to;
		struct span *sp;

		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			n--;
		if (n != 11 || t[5] != '-' || !parse_hhmm(t, 5, &from) ||
		    !parse_hhmm(t + 6, 5, &to))
			return fail(p, "hours '%s': expected HH:MM-HH:MM", v);
		if (from >= to)
			return fail(p, "hours '%.11s': the end must be after"
				    " the start (split a span over midnight"
				    " in two: ...-24:00 and next day"
				    " 00:00-...)", t);
		if (s->nspans == ARRAY_SIZE(s->spans))
			return too_many(p, "hours spans in a schedule",
				(unsigned)ARRAY_SIZE(s->spans));
		sp = &s->spans[s->nspans++];
		sp->wday_mask = mask;
		sp->from_min = (uint16_t)from;
		sp->to_min = (uint16_t)to;
		t += strcspn(t, ",");
		if (*t == ',') {
			t++;
			t += strspn(t, " \t");
			if (!*t)
				return fail(p, "hours '%s': trailing comma", v);
		}
	}
	return 0;
}

static bool parse_date(const char *s, size_t n, int32_t *day)
{
	unsigned y = 0, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	for (int i = 0; i < 10; i++) {
		if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
			return false;
	}
	for (int i = 0; i < 4; i++)
		y = y * 10 + (unsigned)(s[i] - '0');
	m = (unsigned)(s[5] - '0') * 10 + (unsigned)(s[6] - '0');
	d = (unsigned)(s[8] - '0') * 10 + (unsigned)(s[9] - '0');
	if (y < 1970 || m < 1 || m > 12 || d < 1)
		return false;
	{
		int yy, mm, dd;
		int64_t days = tz_days_from_civil(y, m, d);

		tz_civil_from_days(days, &yy, &mm, &dd);
		if ((unsigned)mm != m || (unsigned)dd != d)
			return false;      /* 02-30 */
		*day = (int32_t)days;
	}
	return true;
}

static int sched_closed(struct parser *p, struct schedule *s, const char *v)
{
	const char *dots = strstr(v, "..");
	int32_t from, to;

	if (!parse_date(v, dots ? (size_t)(dots - v) : strlen(v), &from) ||
	    (dots && !parse_date(dots + 2, strlen(dots + 2), &to)))
		return fail(p, "closed '%s': expected YYYY-MM-DD or"
			    " YYYY-MM-DD..YYYY-MM-DD", v);
	if (!dots)
		to = from;
	if (to < from)
		return fail(p, "closed '%s': the range ends before it"
			    " starts", v);
	if (s->nclosed == ARRAY_SIZE(s->closed))
		return too_many(p, "closed dates in a schedule",
				(unsigned)ARRAY_SIZE(s->closed));
	s->closed[s->nclosed].from_day = from;
	s->closed[s->nclosed].to_day = to;
	s->nclosed++;
	return 0;
}

static int key_schedule(struct parser *p, const char *key, const char *sub,
			const char *v)
{
	struct schedule *s = &p->r->schedules[p->cur];
	int err = sub ? unknown_key(p, key) : once(p, key,
		!strcmp(key, "hours") || !strcmp(key, "closed"));

	if (err)
		return err;
	if (!strcmp(key, "tz")) {
		if (!tz_name_ok(v) || strlen(v) >= sizeof(s->tz))
			return fail(p, "tz '%s': a zone name like"
				    " Asia/Shanghai", v);
		str_ncpy(s->tz, v, sizeof(s->tz));
		s->line = p->line;
		return 0;
	}
	if (!strcmp(key, "hours"))
		return sched_hours(p, s, v);
	if (!strcmp(key, "closed"))
		return sched_closed(p, s, v);
	return unknown_key(p, key);
}

static bool lang_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n < 8 && strspn(s, "abcdefghijklmnopqrstuvwxyz"
					 "ABCDEFGHIJKLMNOPQRSTUVWXYZ_-") == n;
}

/* A prompt file: absolute, or relative without a ".." component. */
static bool prompt_path_ok(const char *s)
{
	if (!*s || !text_ok(s, RT_VALUE))
		return false;
	for (const char *c = s; *c; ) {
		size_t k = strcspn(c, "/");

		if (k == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += k;
		c += *c == '/';
	}
	return s[strlen(s) - 1] != '/';
}

static int key_prompt(struct parser *p, const char *key, const char *sub,
		      const char *v)
{
	struct prompt *pr = &p->r->prompts[p->cur];
	const char *lang = sub ? sub : "";

	if (strcmp(key, "file"))
		return unknown_key(p, key);
	if (sub && !lang_ok(sub))
		return fail(p, "file.%s: a language is 1-7 of A-Z a-z _ -",
			    sub);
	for (unsigned i = 0; i < pr->nlang; i++) {
		if (!strcmp(pr->lang[i].lang, lang))
			return fail(p, "duplicate key '%s%s%s'", key,
				    sub ? "." : "", lang);
	}
	if (!prompt_path_ok(v))
		return fail(p, "file '%s': a WAV file name, absolute or"
			    " relative to the team's prompt directory,"
			    " without ..", v);
	if (pr->nlang == RT_MAX_LANGS)
		return too_many(p, "languages of a prompt", RT_MAX_LANGS);
	str_ncpy(pr->lang[pr->nlang].lang, lang, sizeof(pr->lang[0].lang));
	str_ncpy(pr->lang[pr->nlang].file, v, sizeof(pr->lang[0].file));
	pr->lang[pr->nlang].line = p->line;
	pr->nlang++;
	return 0;
}

static int key_ivr(struct parser *p, const char *key, const char *sub,
		   const char *v)
{
	struct ivr_flow *f = &p->r->flows[p->cur];
	int err = sub ? unknown_key(p, key) : once(p, key, false);

	if (err)
		return err;
	if (!strcmp(key, "exten")) {
		if (!digits_ok(v))
			return fail(p, "exten '%s': 1-%d digits", v,
				    ST_NUM - 1);
		for (unsigned i = 0; i < p->r->nflows; i++) {
			if (i != p->cur && !strcmp(p->r->flows[i].exten, v))
				return fail(p, "exten %s is already flow"
					    " %s's", v, p->r->flows[i].name);
		}
		str_ncpy(f->exten, v, sizeof(f->exten));
		return 0;
	}
	if (!strcmp(key, "start")) {
		err = set_name(p, f->start, key, v);
		return err ? err : note_ref(p, REF_NODE, p->cur, v);
	}
	if (!strcmp(key, "fail"))
		return set_dest(p, &f->fail, key, v, (int)p->cur);
	return unknown_key(p, key);
}

/* Which node types take which keys. */
enum { T_PLAY = 1 << NODE_PLAY, T_COLLECT = 1 << NODE_COLLECT,
       T_SET = 1 << NODE_SET, T_HTTP = 1 << NODE_HTTP, T_GOTO = 1 << NODE_GOTO,
       T_DEST = 1 << NODE_DEST, T_ALL = 0x3f };

static const struct node_key {
	const char *name;
	unsigned types;
} node_keys[] = {
	{ "type", T_ALL }, { "next", T_ALL },
	{ "prompt", T_PLAY | T_COLLECT }, { "fail", T_COLLECT | T_HTTP },
	{ "min_digits", T_COLLECT }, { "max_digits", T_COLLECT },
	{ "first_timeout", T_COLLECT }, { "inter_timeout", T_COLLECT },
	{ "tries", T_COLLECT }, { "invalid_prompt", T_COLLECT },
	{ "noinput_prompt", T_COLLECT }, { "var", T_COLLECT },
	{ "key", T_COLLECT }, { "set", T_SET }, { "url", T_HTTP },
	{ "method", T_HTTP }, { "timeout", T_HTTP }, { "map", T_HTTP },
	{ "if", T_GOTO },
};

static const char *const node_type_names[] = {
	[NODE_PLAY] = "play", [NODE_COLLECT] = "play_collect",
	[NODE_SET] = "set", [NODE_HTTP] = "http", [NODE_GOTO] = "goto",
	[NODE_DEST] = "dest",
};

const char *routing_node_type_name(enum ivr_node_kind k)
{
	return (unsigned)k < ARRAY_SIZE(node_type_names)
		? node_type_names[k] : "";
}

static const char *const test_ops[] = {
	[TEST_EQ] = "=", [TEST_NE] = "!=", [TEST_LT] = "<", [TEST_GT] = ">",
	[TEST_PREFIX] = "^=", [TEST_EMPTY] = "empty",
	[TEST_NONEMPTY] = "nonempty",
};

const char *routing_test_op_name(enum ivr_test_op op)
{
	return (unsigned)op < ARRAY_SIZE(test_ops) ? test_ops[op] : "";
}

/* "VAR OP VALUE -> DEST" or "VAR empty|nonempty -> DEST". */
static int node_if(struct parser *p, struct ivr_node *n, const char *v)
{
	static const char var_chars[] = "abcdefghijklmnopqrstuvwxyz"
		"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
	char buf[RT_MAX_LINE + 1], var[RT_NAME], dv[RT_NAME + 16];
	char *arrow = NULL, *lhs, *op, *val;
	size_t k;
	int o = -1, err;

	str_ncpy(buf, v, sizeof(buf));
	for (char *s = strstr(buf, "->"); s; s = strstr(s + 2, "->"))
		arrow = s;
	if (!arrow)
		return fail(p, "if '%s': expected VAR OP VALUE -> DEST", v);
	*arrow = '\0';
	if (n->ntests == RT_MAX_TESTS)
		return too_many(p, "tests in a goto node", RT_MAX_TESTS);
	lhs = trim(buf);
	k = strspn(lhs, var_chars);
	if (k == 0 || k >= RT_NAME)
		return fail(p, "if '%s': expected VAR OP VALUE -> DEST", v);
	memcpy(var, lhs, k);
	var[k] = '\0';
	if (!routing_var_ok(var))
		return fail(p, "if: variable '%s': A-Z a-z 0-9 _, not starting"
			    " with a digit", var);
	op = lhs + k;
	op += strspn(op, " \t");
	for (int i = 0; i < (int)ARRAY_SIZE(test_ops); i++) {
		size_t ol = strlen(test_ops[i]);

		if (!strncmp(op, test_ops[i], ol) &&
		    (o < 0 || ol > strlen(test_ops[o])))
			o = i;
	}
	if (o < 0 || (op == lhs + k && (o == TEST_EMPTY || o == TEST_NONEMPTY)))
		return fail(p, "if '%s': the operator is one of = != < > ^="
			    " empty nonempty", v);
	val = trim(op + strlen(test_ops[o]));
	if ((o == TEST_EMPTY || o == TEST_NONEMPTY) != !*val)
		return fail(p, "if '%s': %s", v, *val ? "empty and nonempty"
			    " take no value" : "a value is missing");
	if ((o == TEST_LT || o == TEST_GT) &&
	    (strspn(val + (*val == '-'), "0123456789") !=
	     strlen(val + (*val == '-')) || !val[*val == '-']))
		return fail(p, "if '%s': < and > compare whole numbers", v);
	if (!text_ok(val, RT_VALUE))
		return fail(p, "if: the value is at most %d bytes",
			    RT_VALUE - 1);
	str_ncpy(dv, trim(arrow + 2), sizeof(dv));
	err = set_dest(p, &n->tests[n->ntests].dest, "if", dv, (int)p->flow);
	if (err)
		return err;
	str_ncpy(n->tests[n->ntests].var, var, RT_NAME);
	n->tests[n->ntests].op = (enum ivr_test_op)o;
	str_ncpy(n->tests[n->ntests].value, val, RT_VALUE);
	n->ntests++;
	return 0;
}

static int node_key_digits(struct parser *p, struct ivr_node *n,
			   const char *sub, const char *v)
{
	int err;

	if (!*sub || strlen(sub) >= ST_NUM)
		return fail(p, "key.%s: 1-%d of 0-9 *", sub, ST_NUM - 1);
	if (strchr(sub, '#'))
		return fail(p, "key.%s: # ends the input and cannot be part"
			    " of a menu key", sub);
	if (strspn(sub, "0123456789*") != strlen(sub))
		return fail(p, "key.%s: 1-%d of 0-9 *", sub, ST_NUM - 1);
	for (unsigned i = 0; i < n->nkeys; i++) {
		if (!strcmp(n->keys[i].digits, sub))
			return fail(p, "duplicate key 'key.%s'", sub);
	}
	if (n->nkeys == RT_MAX_KEYS)
		return too_many(p, "menu keys", RT_MAX_KEYS);
	str_ncpy(n->keys[n->nkeys].digits, sub, ST_NUM);
	err = set_dest(p, &n->keys[n->nkeys].dest, "key", v, (int)p->flow);
	if (!err)
		n->nkeys++;
	return err;
}

static int node_set(struct parser *p, struct ivr_node *n, const char *sub,
		    const char *v)
{
	if (!routing_var_ok(sub))
		return fail(p, "set.%s: a variable is A-Z a-z 0-9 _, not"
			    " starting with a digit", sub);
	for (unsigned i = 0; i < n->nsets; i++) {
		if (!strcmp(n->sets[i].var, sub))
			return fail(p, "duplicate key 'set.%s'", sub);
	}
	if (n->nsets == RT_MAX_SETS)
		return too_many(p, "assignments in a set node", RT_MAX_SETS);
	if (!text_ok(v, RT_VALUE))
		return fail(p, "set.%s: at most %d bytes", sub, RT_VALUE - 1);
	str_ncpy(n->sets[n->nsets].var, sub, RT_NAME);
	str_ncpy(n->sets[n->nsets].value, v, RT_VALUE);
	n->nsets++;
	return 0;
}

static int node_map(struct parser *p, struct ivr_node *n, const char *v)
{
	char buf[RT_MAX_LINE + 1], *save = NULL, *tok;

	str_ncpy(buf, v, sizeof(buf));
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		if (!routing_var_ok(tok))
			return fail(p, "map: variable '%s': A-Z a-z 0-9 _, not"
				    " starting with a digit", tok);
		if (n->nmap == RT_MAX_MAP)
			return too_many(p, "mapped reply fields", RT_MAX_MAP);
		str_ncpy(n->map[n->nmap++], tok, RT_NAME);
	}
	return 0;
}

static int url_ok(const char *v)
{
	return (!strncmp(v, "http://", 7) || !strncmp(v, "https://", 8)) &&
	       text_ok(v, RT_VALUE) && !strpbrk(v, " \t");
}

static int key_node(struct parser *p, const char *key, const char *sub,
		    const char *v)
{
	struct ivr_node *n = &p->r->flows[p->flow].nodes[p->cur];
	bool dotted = !strcmp(key, "key") || !strcmp(key, "set");
	size_t i;
	int err;

	for (i = 0; i < ARRAY_SIZE(node_keys); i++) {
		if (!strcmp(node_keys[i].name, key))
			break;
	}
	if (i == ARRAY_SIZE(node_keys) || !!sub != dotted)
		return fail(p, "unknown key '%s%s%s'", key, sub ? "." : "",
			    sub ? sub : "");
	err = once(p, key, dotted || !strcmp(key, "if"));
	if (err)
		return err;
	if (!strcmp(key, "type")) {
		for (size_t t = 0; t < ARRAY_SIZE(node_type_names); t++) {
			if (!strcmp(v, node_type_names[t])) {
				n->kind = (enum ivr_node_kind)t;
				return 0;
			}
		}
		return fail(p, "type '%s': one of play, play_collect, set,"
			    " http, goto, dest", v);
	}
	if (!strcmp(key, "next"))
		return set_dest(p, &n->next, key, v, (int)p->flow);
	if (!strcmp(key, "fail"))
		return set_dest(p, &n->fail, key, v, (int)p->flow);
	if (!strcmp(key, "prompt"))
		return set_prompt_ref(p, n->prompt, key, v);
	if (!strcmp(key, "invalid_prompt"))
		return set_prompt_ref(p, n->invalid_prompt, key, v);
	if (!strcmp(key, "noinput_prompt"))
		return set_prompt_ref(p, n->noinput_prompt, key, v);
	if (!strcmp(key, "min_digits"))
		return set_uint(p, &n->min_digits, key, v, 0, ST_NUM - 1);
	if (!strcmp(key, "max_digits"))
		return set_uint(p, &n->max_digits, key, v, 1, ST_NUM - 1);
	if (!strcmp(key, "first_timeout"))
		return set_ms(p, &n->first_timeout_ms, key, v, 100, 120000);
	if (!strcmp(key, "inter_timeout"))
		return set_ms(p, &n->inter_timeout_ms, key, v, 100, 60000);
	if (!strcmp(key, "tries"))
		return set_uint(p, &n->tries, key, v, 1, 10);
	if (!strcmp(key, "var")) {
		if (!routing_var_ok(v))
			return fail(p, "var '%s': A-Z a-z 0-9 _, not starting"
				    " with a digit", v);
		str_ncpy(n->var, v, sizeof(n->var));
		return 0;
	}
	if (!strcmp(key, "key"))
		return node_key_digits(p, n, sub, v);
	if (!strcmp(key, "set"))
		return node_set(p, n, sub, v);
	if (!strcmp(key, "url")) {
		if (!url_ok(v))
			return fail(p, "url '%s': http:// or https://, at most"
				    " %d bytes, no blanks", v, RT_VALUE - 1);
		str_ncpy(n->url, v, sizeof(n->url));
		return 0;
	}
	if (!strcmp(key, "method")) {
		if (strcmp(v, "get") && strcmp(v, "post"))
			return fail(p, "method '%s': get or post", v);
		n->post = !strcmp(v, "post");
		return 0;
	}
	if (!strcmp(key, "timeout"))
		return set_ms(p, &n->timeout_ms, key, v, 100, 30000);
	if (!strcmp(key, "map"))
		return node_map(p, n, v);
	return node_if(p, n, v);      /* "if" */
}

static const char *const strategy_names[] = {
	[QS_RINGALL] = "ringall", [QS_LEASTRECENT] = "leastrecent",
	[QS_FEWESTCALLS] = "fewestcalls", [QS_LEASTTALK] = "leasttalk",
	[QS_RANDOM] = "random", [QS_WRANDOM] = "wrandom",
	[QS_RRMEMORY] = "rrmemory", [QS_LINEAR] = "linear",
};

const char *routing_strategy_name(enum queue_strategy s)
{
	return (unsigned)s < ARRAY_SIZE(strategy_names)
		? strategy_names[s] : "";
}

/* "30:2, 60:3": after 30 s level 2, after 60 s level 3. */
static int queue_relax(struct parser *p, struct queue_cfg *q, const char *v)
{
	char buf[RT_MAX_LINE + 1], *save = NULL, *tok;

	str_ncpy(buf, v, sizeof(buf));
	for (tok = strtok_r(buf, ", \t", &save); tok;
	     tok = strtok_r(NULL, ", \t", &save)) {
		char *colon = strchr(tok, ':');
		unsigned after, level;
		int err;

		if (!colon)
			return fail(p, "relax '%s': expected SECONDS:LEVEL, ...",
				    v);
		*colon = '\0';
		err = set_uint(p, &after, "relax seconds", tok, 1, 86400);
		if (!err)
			err = set_uint(p, &level, "relax level", colon + 1, 0,
				       RT_MAX_LEVEL);
		if (err)
			return err;
		if (q->nlevels && (after <= q->levels[q->nlevels - 1].after_s ||
				   level <= q->levels[q->nlevels - 1].max_level))
			return fail(p, "relax '%s': steps must grow in time"
				    " and level", v);
		if (q->nlevels == RT_MAX_LEVELS)
			return too_many(p, "relax steps", RT_MAX_LEVELS);
		q->levels[q->nlevels].after_s = after;
		q->levels[q->nlevels].max_level = level;
		q->nlevels++;
	}
	if (!q->nlevels)
		return fail(p, "relax: expected SECONDS:LEVEL, ...");
	return 0;
}

static int queue_member(struct parser *p, struct queue_cfg *q,
			const char *agent, const char *v)
{
	unsigned level, weight = 1;
	char buf[32];
	char *comma;
	int err;

	if (!digits_ok(agent))
		return fail(p, "member.%s: an agent number is 1-%d digits",
			    agent, ST_NUM - 1);
	for (unsigned i = 0; i < q->nmembers; i++) {
		if (!strcmp(q->members[i].agent, agent))
			return fail(p, "duplicate key 'member.%s'", agent);
	}
	if (strlen(v) >= sizeof(buf))
		return fail(p, "member.%s '%s': expected LEVEL[,WEIGHT]",
			    agent, v);
	str_ncpy(buf, v, sizeof(buf));
	comma = strchr(buf, ',');
	if (comma) {
		*comma++ = '\0';
		comma += strspn(comma, " \t");
		err = set_uint(p, &weight, "member weight", comma, 1, 1000);
		if (err)
			return err;
		for (char *e = comma - 1; e > buf && (e[-1] == ' ' ||
						    e[-1] == '\t'); e--)
			e[-1] = '\0';
	}
	err = set_uint(p, &level, "member level", buf, 0, RT_MAX_LEVEL);
	if (err)
		return err;
	if (!GROW(p, q->members, q->nmembers, RT_MAX_MEMBERS, "members"))
		return too_many(p, "members of a queue", RT_MAX_MEMBERS);
	str_ncpy(q->members[q->nmembers - 1].agent, agent, ST_NUM);
	q->members[q->nmembers - 1].level = level;
	q->members[q->nmembers - 1].weight = weight;
	return 0;
}

static int key_queue(struct parser *p, const char *key, const char *sub,
		     const char *v)
{
	struct queue_cfg *q = &p->r->queues[p->cur];
	int err;

	if (!strcmp(key, "member") && sub)
		return queue_member(p, q, sub, v);
	err = sub ? unknown_key(p, key) : once(p, key, false);
	if (err)
		return err;
	if (!strcmp(key, "strategy")) {
		for (size_t s = 0; s < ARRAY_SIZE(strategy_names); s++) {
			if (!strcmp(v, strategy_names[s])) {
				q->strategy = (enum queue_strategy)s;
				return 0;
			}
		}
		return fail(p, "strategy '%s': one of ringall, leastrecent,"
			    " fewestcalls, leasttalk, random, wrandom,"
			    " rrmemory, linear", v);
	}
	if (!strcmp(key, "ring_timeout"))
		return set_secs(p, &q->ring_timeout_s, key, v, 600) ? EINVAL
			: q->ring_timeout_s ? 0
			: fail(p, "ring_timeout: at least 1 s");
	if (!strcmp(key, "retry"))
		return set_secs(p, &q->retry_s, key, v, 3600);
	if (!strcmp(key, "max_wait"))
		return set_secs(p, &q->max_wait_s, key, v, 86400);
	if (!strcmp(key, "max_callers"))
		return set_uint(p, &q->max_callers, key, v, 0, 100000);
	if (!strcmp(key, "join_empty"))
		return set_bool(p, &q->join_empty, key, v);
	if (!strcmp(key, "leave_empty"))
		return set_bool(p, &q->leave_empty, key, v);
	if (!strcmp(key, "autopause"))
		return set_bool(p, &q->autopause, key, v);
	if (!strcmp(key, "sticky"))
		return set_secs(p, &q->sticky_s, key, v, 30 * 86400);
	if (!strcmp(key, "exit_key")) {
		if (strlen(v) != 1 || !strchr("0123456789*#", *v))
			return fail(p, "exit_key '%s': one of 0-9 * #", v);
		q->exit_key = *v;
		return 0;
	}
	if (!strcmp(key, "exit"))
		return set_dest(p, &q->exit_dest, key, v, -1);
	if (!strcmp(key, "fail"))
		return set_dest(p, &q->fail, key, v, -1);
	if (!strcmp(key, "moh"))
		return set_prompt_ref(p, q->moh, key, v);
	if (!strcmp(key, "announce"))
		return set_secs(p, &q->announce_s, key, v, 3600);
	if (!strcmp(key, "relax"))
		return queue_relax(p, q, v);
	return unknown_key(p, key);
}

/* ---- sections ---- */

/* The checks a section can only make once all its keys are in. */
static int finish_section(struct parser *p)
{
	struct routing *r = p->r;
	unsigned line = p->line;
	int err = 0;

	p->line = p->sect_line;
	switch (p->sect) {
	case SEC_ROUTE: {
		const struct route *rt = &r->routes[p->cur];

		if (!rt->open.kind)
			err = fail(p, "[route %s] needs open = DEST", rt->name);
		else if (rt->schedule[0] && !rt->closed.kind)
			err = fail(p, "[route %s] has a schedule and needs"
				   " closed = DEST", rt->name);
		else if (!rt->schedule[0] && rt->closed.kind)
			err = fail(p, "[route %s]: closed needs a schedule",
				   rt->name);
		break;
	}
	case SEC_PROMPT:
		if (!r->prompts[p->cur].nlang)
			err = fail(p, "[prompt %s] needs file = WAV",
				   r->prompts[p->cur].name);
		break;
	case SEC_IVR:
		if (!r->flows[p->cur].start[0])
			err = fail(p, "[ivr %s] needs start = NODE",
				   r->flows[p->cur].name);
		break;
	case SEC_NODE: {
		const struct ivr_node *n = &r->flows[p->flow].nodes[p->cur];

		if (!seen(p, "type")) {
			err = fail(p, "[node %s.%s] needs type = play|"
				   "play_collect|set|http|goto|dest",
				   r->flows[p->flow].name, n->name);
			break;
		}
		for (size_t i = 0; !err && i < ARRAY_SIZE(node_keys); i++) {
			if (seen(p, node_keys[i].name) &&
			    !(node_keys[i].types & (1u << n->kind)))
				err = fail(p, "[node %s.%s]: '%s' does not apply"
					   " to a %s node",
					   r->flows[p->flow].name, n->name,
					   node_keys[i].name,
					   node_type_names[n->kind]);
		}
		if (err)
			break;
		if ((n->kind == NODE_PLAY || n->kind == NODE_COLLECT) &&
		    !n->prompt[0] && n->kind == NODE_PLAY)
			err = fail(p, "[node %s.%s]: a play node needs prompt",
				   r->flows[p->flow].name, n->name);
		else if (n->kind == NODE_HTTP && !n->url[0])
			err = fail(p, "[node %s.%s]: an http node needs url",
				   r->flows[p->flow].name, n->name);
		else if (n->kind == NODE_GOTO && !n->ntests)
			err = fail(p, "[node %s.%s]: a goto node needs at"
				   " least one if", r->flows[p->flow].name,
				   n->name);
		else if (!n->next.kind &&
			 !(n->kind == NODE_COLLECT && n->nkeys))
			err = fail(p, "[node %s.%s] needs next = DEST",
				   r->flows[p->flow].name, n->name);
		else if (n->kind == NODE_COLLECT &&
			 n->min_digits > n->max_digits)
			err = fail(p, "[node %s.%s]: min_digits %u is above"
				   " max_digits %u", r->flows[p->flow].name,
				   n->name, n->min_digits, n->max_digits);
		for (unsigned k = 0; !err && k < n->nkeys; k++) {
			size_t len = strlen(n->keys[k].digits);

			if (len > n->max_digits || len < n->min_digits)
				err = fail(p, "[node %s.%s]: key %s does not"
					   " fit min_digits %u/max_digits %u",
					   r->flows[p->flow].name, n->name,
					   n->keys[k].digits, n->min_digits,
					   n->max_digits);
		}
		break;
	}
	case SEC_QUEUE: {
		const struct queue_cfg *q = &r->queues[p->cur];

		if (!q->exit_key != !q->exit_dest.kind)
			err = fail(p, "[queue %s]: exit_key and exit go"
				   " together", q->queue);
		break;
	}
	default:
		break;
	}
	p->line = line;
	p->nseen = 0;
	return err;
}

static int dup_section(struct parser *p, const char *kind, const char *name)
{
	return fail(p, "duplicate [%s %s]", kind, name);
}

static int begin_section(struct parser *p, const char *kind,
			 const char *name)
{
	struct routing *r = p->r;

	p->sect_line = p->line;
	if (!strcmp(kind, "lists")) {
		if (*name)
			return fail(p, "[lists] takes no name");
		if (p->lists_seen)
			return fail(p, "duplicate [lists]");
		p->lists_seen = true;
		p->sect = SEC_LISTS;
		return 0;
	}
	if (!*name)
		return fail(p, "[%s] needs a name: [%s NAME]", kind, kind);
	if (!strcmp(kind, "did")) {
		size_t n = strlen(name);
		bool prefix = name[n - 1] == '*';
		char num[ST_NUM];
		struct did *d;

		if (n - prefix >= ST_NUM - 1 || n - prefix == 0)
			return fail(p, "[did %s]: a number, or a prefix ending"
				    " in *", name);
		memcpy(num, name, n - prefix);
		num[n - prefix] = '\0';
		if (!number_ok(num))
			return fail(p, "[did %s]: a number, or a prefix ending"
				    " in *", name);
		for (unsigned i = 0; i < r->ndids; i++) {
			if (!strcmp(r->dids[i].number, num) &&
			    (r->dids[i].match == DID_PREFIX) == prefix)
				return dup_section(p, kind, name);
		}
		d = GROW(p, r->dids, r->ndids, RT_MAX_DIDS, "DIDs");
		if (!d)
			return too_many(p, "DIDs", RT_MAX_DIDS);
		str_ncpy(d->number, num, sizeof(d->number));
		d->match = prefix ? DID_PREFIX : DID_EXACT;
		p->sect = SEC_DID;
		p->cur = r->ndids - 1;
		return 0;
	}
	if (!strcmp(kind, "queue")) {
		struct queue_cfg *q;

		if (!digits_ok(name))
			return fail(p, "[queue %s]: a queue number is 1-%d"
				    " digits", name, ST_NUM - 1);
		if (routing_queue(r, name))
			return dup_section(p, kind, name);
		q = GROW(p, r->queues, r->nqueues, RT_MAX_QUEUES, "queues");
		if (!q)
			return too_many(p, "queues", RT_MAX_QUEUES);
		str_ncpy(q->queue, name, sizeof(q->queue));
		q->strategy = QS_LEASTRECENT;
		q->ring_timeout_s = 15;
		q->retry_s = 5;
		q->join_empty = true;
		p->sect = SEC_QUEUE;
		p->cur = r->nqueues - 1;
		return 0;
	}
	if (!strcmp(kind, "node")) {
		const char *dot = strchr(name, '.');
		char flow[RT_NAME];
		const struct ivr_flow *f;
		struct ivr_flow *fw;
		struct ivr_node *n;

		if (!dot || (size_t)(dot - name) >= RT_NAME)
			return fail(p, "[node %s]: expected [node FLOW.NODE]",
				    name);
		memcpy(flow, name, (size_t)(dot - name));
		flow[dot - name] = '\0';
		if (!name_ok(flow) || !name_ok(dot + 1))
			return fail(p, "[node %s]: names are 1-%d of A-Z a-z"
				    " 0-9 _ -", name, RT_NAME - 1);
		f = routing_flow(r, flow);
		if (!f)
			return fail(p, "[node %s]: no [ivr %s] above it", name,
				    flow);
		if (flow_node(f, dot + 1))
			return dup_section(p, kind, name);
		p->flow = (unsigned)(f - r->flows);
		fw = &r->flows[p->flow];
		n = GROW(p, fw->nodes, fw->nnodes, RT_MAX_NODES, "nodes");
		if (!n)
			return too_many(p, "nodes in a flow", RT_MAX_NODES);
		str_ncpy(n->name, dot + 1, sizeof(n->name));
		n->min_digits = 1;
		n->max_digits = 1;
		n->first_timeout_ms = 5000;
		n->inter_timeout_ms = 2000;
		n->tries = 3;
		n->timeout_ms = 3000;
		str_ncpy(n->var, "inputcode", sizeof(n->var));
		p->sect = SEC_NODE;
		p->cur = fw->nnodes - 1;
		return 0;
	}
	if (!name_ok(name))
		return fail(p, "[%s %s]: a name is 1-%d of A-Z a-z 0-9 _ -",
			    kind, name, RT_NAME - 1);
	if (!strcmp(kind, "route")) {
		struct route *rt;

		for (unsigned i = 0; i < r->nroutes; i++) {
			if (!strcmp(r->routes[i].name, name))
				return dup_section(p, kind, name);
		}
		rt = GROW(p, r->routes, r->nroutes, RT_MAX_ROUTES, "routes");
		if (!rt)
			return too_many(p, "routes", RT_MAX_ROUTES);
		str_ncpy(rt->name, name, sizeof(rt->name));
		p->sect = SEC_ROUTE;
		p->cur = r->nroutes - 1;
		return 0;
	}
	if (!strcmp(kind, "schedule")) {
		struct schedule *s;

		for (unsigned i = 0; i < r->nschedules; i++) {
			if (!strcmp(r->schedules[i].name, name))
				return dup_section(p, kind, name);
		}
		s = GROW(p, r->schedules, r->nschedules, RT_MAX_SCHEDULES,
			 "schedules");
		if (!s)
			return too_many(p, "schedules", RT_MAX_SCHEDULES);
		str_ncpy(s->name, name, sizeof(s->name));
		s->line = p->line;
		p->sect = SEC_SCHEDULE;
		p->cur = r->nschedules - 1;
		return 0;
	}
	if (!strcmp(kind, "prompt")) {
		struct prompt *pr;

		if (routing_prompt(r, name))
			return dup_section(p, kind, name);
		pr = GROW(p, r->prompts, r->nprompts, RT_MAX_PROMPTS,
			  "prompts");
		if (!pr)
			return too_many(p, "prompts", RT_MAX_PROMPTS);
		str_ncpy(pr->name, name, sizeof(pr->name));
		p->sect = SEC_PROMPT;
		p->cur = r->nprompts - 1;
		return 0;
	}
	if (!strcmp(kind, "ivr")) {
		struct ivr_flow *f;

		if (routing_flow(r, name))
			return dup_section(p, kind, name);
		f = GROW(p, r->flows, r->nflows, RT_MAX_FLOWS, "flows");
		if (!f)
			return too_many(p, "IVR flows", RT_MAX_FLOWS);
		str_ncpy(f->name, name, sizeof(f->name));
		p->sect = SEC_IVR;
		p->cur = r->nflows - 1;
		p->flow = p->cur;
		return 0;
	}
	return fail(p, "unknown section [%s]: expected lists, did, route,"
		    " schedule, prompt, ivr, node or queue", kind);
}

static int parse_line(struct parser *p, char *s)
{
	char *eq, *key, *val, *dot;
	int err;

	s = trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']'), *name;

		if (!end || end[1])
			return fail(p, "a section line is [KIND NAME]");
		*end = '\0';
		err = p->sect ? finish_section(p) : 0;
		if (err)
			return err;
		s = trim(s + 1);
		name = s + strcspn(s, " \t");
		if (*name)
			*name++ = '\0';
		return begin_section(p, s, trim(name));
	}
	eq = strchr(s, '=');
	if (!eq)
		return fail(p, "expected KEY = VALUE or [SECTION]");
	*eq = '\0';
	key = trim(s);
	val = trim(eq + 1);
	if (!p->sect)
		return fail(p, "'%s' is outside any section", key);
	if (!*key)
		return fail(p, "a key is missing before =");
	dot = strchr(key, '.');
	if (dot)
		*dot++ = '\0';
	if (!*val && !(dot && !strcmp(key, "set")))
		return fail(p, "'%s%s%s' needs a value", key, dot ? "." : "",
			    dot ? dot : "");
	switch (p->sect) {
	case SEC_LISTS:    return key_lists(p, key, dot, val);
	case SEC_DID:      return key_did(p, key, dot, val);
	case SEC_ROUTE:    return key_route(p, key, dot, val);
	case SEC_SCHEDULE: return key_schedule(p, key, dot, val);
	case SEC_PROMPT:   return key_prompt(p, key, dot, val);
	case SEC_IVR:      return key_ivr(p, key, dot, val);
	case SEC_NODE:     return key_node(p, key, dot, val);
	case SEC_QUEUE:    return key_queue(p, key, dot, val);
	default:           return EINVAL;
	}
}

/* ---- references, once the whole file is in ---- */

static bool did_known(const struct routing *r, const char *num)
{
	for (unsigned i = 0; i < r->ndids; i++) {
		const struct did *d = &r->dids[i];

		if (d->match == DID_EXACT ? !strcmp(d->number, num)
		    : !strncmp(d->number, num, strlen(d->number)))
			return true;
	}
	return false;
}

static bool did_group_known(const struct routing *r, const char *g)
{
	for (unsigned i = 0; i < r->ndids; i++) {
		if (!strcmp(r->dids[i].group, g))
			return true;
	}
	return false;
}

static const struct schedule *schedule_find(const struct routing *r,
					    const char *name)
{
	for (unsigned i = 0; i < r->nschedules; i++) {
		if (!strcmp(r->schedules[i].name, name))
			return &r->schedules[i];
	}
	return NULL;
}

static int check_refs(struct parser *p)
{
	const struct routing *r = p->r;

	for (unsigned i = 0; i < p->nrefs; i++) {
		const struct ref *rf = &p->refs[i];

		p->line = rf->line;
		switch (rf->what) {
		case REF_FLOW:
			if (!routing_flow(r, rf->name))
				return fail(p, "no [ivr %s]", rf->name);
			break;
		case REF_NODE:
			if (!flow_node(&r->flows[rf->flow], rf->name))
				return fail(p, "no [node %s.%s]",
					    r->flows[rf->flow].name, rf->name);
			break;
		case REF_PROMPT:
			if (!routing_prompt(r, rf->name))
				return fail(p, "no [prompt %s]", rf->name);
			break;
		case REF_QUEUE:
			if (!routing_queue(r, rf->name))
				return fail(p, "no [queue %s] (an empty one"
					    " takes the defaults)", rf->name);
			break;
		case REF_SCHEDULE:
			if (!schedule_find(r, rf->name))
				return fail(p, "no [schedule %s]", rf->name);
			break;
		case REF_DID:
			if (!did_known(r, rf->name))
				return fail(p, "did %s: no [did] section"
					    " matches it", rf->name);
			break;
		case REF_DIDGROUP:
			if (!did_group_known(r, rf->name))
				return fail(p, "did_group %s: no [did] has"
					    " group = %s", rf->name, rf->name);
			break;
		}
	}
	return 0;
}

int routing_parse(struct routing **rp, const char *team, const char *text,
		  size_t len, char *err, size_t errsz)
{
	struct parser p = { .err = err, .errsz = errsz, .line = 1 };
	char line[RT_MAX_LINE + 2];
	size_t pos = 0;
	int e = 0;

	if (err && errsz)
		err[0] = '\0';
	if (!rp || !team || (!text && len))
		return EINVAL;
	if (len > RT_MAX_FILE)
		return fail(&p, "the file is %zu bytes, more than %d", len,
			    RT_MAX_FILE);
	p.r = routing_alloc(team);
	if (!p.r)
		return ENOMEM;
	while (!e && pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		if (n && text[pos + n - 1] == '\r')
			n--;
		if (n > RT_MAX_LINE) {
			e = fail(&p, "longer than %d bytes", RT_MAX_LINE);
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (memchr(line, '\0', n) || strpbrk(line, "\r\v\f\x7f")) {
			e = fail(&p, "control characters");
			break;
		}
		for (size_t i = 0; i < n && !e; i++) {
			if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
				e = fail(&p, "control characters");
		}
		if (!e)
			e = parse_line(&p, line);
		pos += (nl ? (size_t)(nl - (text + pos)) + 1 : len - pos);
		if (!e && pos < len)
			p.line++;
	}
	if (!e && p.sect)
		e = finish_section(&p);
	if (!e)
		e = check_refs(&p);
	mem_deref(p.refs);
	if (e) {
		routing_free(p.r);
		return e;
	}
	*rp = p.r;
	return 0;
}
