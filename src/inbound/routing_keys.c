/*
 * routing_keys.c — the keys of each section of a routing file
 * (docs/INBOUND.md): one handler per section kind, with the parsers only
 * one section needs (caller lists, opening hours, dates, menu keys,
 * tests, relaxation steps, members), and the checks of a node that need
 * all of its keys (rp_node_finish).
 *
 * To add a key: a line in its section's handler (and a node_keys[] row
 * for a node key, which says which node types take it), its default in
 * begin_section() (routing_parse.c), its line in routing_print()
 * (routing.c), and its row in docs/INBOUND.md.
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

static int list_add(struct parser *p, char (**list)[ST_NUM], unsigned *n,
		    const char *entry)
{
	char (*slot)[ST_NUM];
	size_t len = strlen(entry);
	const char *star = strchr(entry, '*');

	if (len < 1 || len >= ST_NUM || !rp_text_ok(entry, ST_NUM) ||
	    strpbrk(entry, " \t,") || (star && star != entry + len - 1))
		return rp_fail(p, "list entry '%s': a number, or a prefix"
			       " ending in *", entry);
	for (unsigned i = 0; i < *n; i++) {
		if (!strcmp((*list)[i], entry))
			return rp_fail(p, "duplicate list entry '%s'", entry);
	}
	slot = rp_grow((void **)list, n, sizeof(**list), RT_MAX_LIST);
	if (!slot)
		return rp_too_many(p, "list entries", RT_MAX_LIST);
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

int rp_key_lists(struct parser *p, const char *key, const char *sub,
		 const char *v)
{
	struct routing *r = p->r;
	int err;

	if (sub)
		return rp_unknown_key(p, key);
	if (!strcmp(key, "blacklist"))
		return list_values(p, &r->blacklist, &r->nblack, v);
	if (!strcmp(key, "whitelist"))
		return list_values(p, &r->whitelist, &r->nwhite, v);
	if (!strcmp(key, "blocked")) {
		err = rp_once(p, key, false);
		return err ? err : rp_set_dest(p, &r->blocked, key, v, -1);
	}
	return rp_unknown_key(p, key);
}

int rp_key_did(struct parser *p, const char *key, const char *sub,
	       const char *v)
{
	struct did *d = &p->r->dids[p->cur];
	int err = sub ? rp_unknown_key(p, key) : rp_once(p, key, false);

	if (err)
		return err;
	if (!strcmp(key, "group"))
		return rp_set_name(p, d->group, key, v);
	if (!strcmp(key, "dest"))
		return rp_set_dest(p, &d->direct, key, v, -1);
	return rp_unknown_key(p, key);
}

int rp_key_route(struct parser *p, const char *key, const char *sub,
		 const char *v)
{
	struct route *rt = &p->r->routes[p->cur];
	unsigned u;
	int err = sub ? rp_unknown_key(p, key) : rp_once(p, key, false);

	if (err)
		return err;
	if (!strcmp(key, "priority")) {
		bool neg = *v == '-';

		err = rp_set_uint(p, &u, key, v + neg, 0, 1000000);
		if (!err)
			rt->priority = neg ? -(int)u : (int)u;
		return err;
	}
	if (!strcmp(key, "did")) {
		if (!rp_number_ok(v))
			return rp_fail(p, "did '%s': a number", v);
		str_ncpy(rt->did, v, sizeof(rt->did));
		return rp_note_ref(p, REF_DID, 0, v);
	}
	if (!strcmp(key, "did_group")) {
		err = rp_set_name(p, rt->did_group, key, v);
		return err ? err : rp_note_ref(p, REF_DIDGROUP, 0, v);
	}
	if (!strcmp(key, "cid_prefix")) {
		if (!rp_number_ok(v))
			return rp_fail(p, "cid_prefix '%s': digits, optionally"
				       " after a +", v);
		str_ncpy(rt->cid_prefix, v, sizeof(rt->cid_prefix));
		return 0;
	}
	if (!strcmp(key, "trunk"))
		return rp_set_text(p, rt->trunk, sizeof(rt->trunk), key, v);
	if (!strcmp(key, "schedule")) {
		err = rp_set_name(p, rt->schedule, key, v);
		return err ? err : rp_note_ref(p, REF_SCHEDULE, 0, v);
	}
	if (!strcmp(key, "open"))
		return rp_set_dest(p, &rt->open, key, v, -1);
	if (!strcmp(key, "closed"))
		return rp_set_dest(p, &rt->closed, key, v, -1);
	return rp_unknown_key(p, key);
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
			/* fri-mon wraps around the week */
			for (int d = a; ; d = (d + 1) % 7) {
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
		return rp_fail(p, "hours '%s': expected days like mon-fri,sat"
			       " or daily, then HH:MM-HH:MM[, HH:MM-HH:MM]", v);
	t += strspn(t, " \t");
	if (!*t)
		return rp_fail(p, "hours '%s': no times after the days", v);
	while (*t) {
		size_t n = strcspn(t, ",");
		unsigned from, to;
		struct span *sp;

		while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
			n--;
		if (n != 11 || t[5] != '-' || !parse_hhmm(t, 5, &from) ||
		    !parse_hhmm(t + 6, 5, &to))
			return rp_fail(p, "hours '%s': expected HH:MM-HH:MM",
				       v);
		if (from >= to)
			return rp_fail(p, "hours '%.11s': the end must be after"
				       " the start (split a span over midnight"
				       " in two: ...-24:00 and next day"
				       " 00:00-...)", t);
		if (s->nspans == ARRAY_SIZE(s->spans))
			return rp_too_many(p, "hours spans in a schedule",
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
				return rp_fail(p, "hours '%s': trailing comma",
					       v);
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
		return rp_fail(p, "closed '%s': expected YYYY-MM-DD or"
			       " YYYY-MM-DD..YYYY-MM-DD", v);
	if (!dots)
		to = from;
	if (to < from)
		return rp_fail(p, "closed '%s': the range ends before it"
			       " starts", v);
	if (s->nclosed == ARRAY_SIZE(s->closed))
		return rp_too_many(p, "closed dates in a schedule",
				   (unsigned)ARRAY_SIZE(s->closed));
	s->closed[s->nclosed].from_day = from;
	s->closed[s->nclosed].to_day = to;
	s->nclosed++;
	return 0;
}

int rp_key_schedule(struct parser *p, const char *key, const char *sub,
		    const char *v)
{
	struct schedule *s = &p->r->schedules[p->cur];
	bool repeats = !strcmp(key, "hours") || !strcmp(key, "closed");
	int err = sub ? rp_unknown_key(p, key) : rp_once(p, key, repeats);

	if (err)
		return err;
	if (!strcmp(key, "tz")) {
		if (!tz_name_ok(v) || strlen(v) >= sizeof(s->tz))
			return rp_fail(p, "tz '%s': a zone name like"
				       " Asia/Shanghai", v);
		str_ncpy(s->tz, v, sizeof(s->tz));
		s->line = p->line;
		return 0;
	}
	if (!strcmp(key, "hours"))
		return sched_hours(p, s, v);
	if (!strcmp(key, "closed"))
		return sched_closed(p, s, v);
	return rp_unknown_key(p, key);
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
	if (!*s || !rp_text_ok(s, RT_VALUE))
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

int rp_key_prompt(struct parser *p, const char *key, const char *sub,
		  const char *v)
{
	struct prompt *pr = &p->r->prompts[p->cur];
	const char *lang = sub ? sub : "";

	if (strcmp(key, "file"))
		return rp_unknown_key(p, key);
	if (sub && !lang_ok(sub))
		return rp_fail(p, "file.%s: a language is 1-7 of A-Z a-z _ -",
			       sub);
	for (unsigned i = 0; i < pr->nlang; i++) {
		if (!strcmp(pr->lang[i].lang, lang))
			return rp_fail(p, "duplicate key '%s%s%s'", key,
				       sub ? "." : "", lang);
	}
	if (!prompt_path_ok(v))
		return rp_fail(p, "file '%s': a WAV file name, absolute or"
			       " relative to the team's prompt directory,"
			       " without ..", v);
	if (pr->nlang == RT_MAX_LANGS)
		return rp_too_many(p, "languages of a prompt", RT_MAX_LANGS);
	str_ncpy(pr->lang[pr->nlang].lang, lang, sizeof(pr->lang[0].lang));
	str_ncpy(pr->lang[pr->nlang].file, v, sizeof(pr->lang[0].file));
	pr->lang[pr->nlang].line = p->line;
	pr->nlang++;
	return 0;
}

int rp_key_ivr(struct parser *p, const char *key, const char *sub,
	       const char *v)
{
	struct ivr_flow *f = &p->r->flows[p->cur];
	int err = sub ? rp_unknown_key(p, key) : rp_once(p, key, false);

	if (err)
		return err;
	if (!strcmp(key, "exten")) {
		if (!rp_digits_ok(v))
			return rp_fail(p, "exten '%s': 1-%d digits", v,
				       ST_NUM - 1);
		for (unsigned i = 0; i < p->r->nflows; i++) {
			if (i != p->cur && !strcmp(p->r->flows[i].exten, v))
				return rp_fail(p, "exten %s is already flow"
					       " %s's", v, p->r->flows[i].name);
		}
		str_ncpy(f->exten, v, sizeof(f->exten));
		return 0;
	}
	if (!strcmp(key, "start")) {
		err = rp_set_name(p, f->start, key, v);
		return err ? err : rp_note_ref(p, REF_NODE, p->cur, v);
	}
	if (!strcmp(key, "fail"))
		return rp_set_dest(p, &f->fail, key, v, (int)p->cur);
	return rp_unknown_key(p, key);
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
		return rp_fail(p, "if '%s': expected VAR OP VALUE -> DEST", v);
	*arrow = '\0';
	if (n->ntests == RT_MAX_TESTS)
		return rp_too_many(p, "tests in a goto node", RT_MAX_TESTS);
	lhs = rp_trim(buf);
	k = strspn(lhs, var_chars);
	if (k == 0 || k >= RT_NAME)
		return rp_fail(p, "if '%s': expected VAR OP VALUE -> DEST", v);
	memcpy(var, lhs, k);
	var[k] = '\0';
	if (!routing_var_ok(var))
		return rp_fail(p, "if: variable '%s': A-Z a-z 0-9 _, not"
			       " starting with a digit", var);
	op = lhs + k;
	op += strspn(op, " \t");
	for (int i = 0; i < (int)ARRAY_SIZE(test_ops); i++) {
		size_t ol = strlen(test_ops[i]);

		if (!strncmp(op, test_ops[i], ol) &&
		    (o < 0 || ol > strlen(test_ops[o])))
			o = i;
	}
	if (o < 0 || (op == lhs + k && (o == TEST_EMPTY || o == TEST_NONEMPTY)))
		return rp_fail(p, "if '%s': the operator is one of = != < > ^="
			       " empty nonempty", v);
	val = rp_trim(op + strlen(test_ops[o]));
	if ((o == TEST_EMPTY || o == TEST_NONEMPTY) != !*val)
		return rp_fail(p, "if '%s': %s", v, *val ? "empty and nonempty"
			       " take no value" : "a value is missing");
	if ((o == TEST_LT || o == TEST_GT) &&
	    (strspn(val + (*val == '-'), "0123456789") !=
	     strlen(val + (*val == '-')) || !val[*val == '-']))
		return rp_fail(p, "if '%s': < and > compare whole numbers", v);
	if (!rp_text_ok(val, RT_VALUE))
		return rp_fail(p, "if: the value is at most %d bytes",
			       RT_VALUE - 1);
	str_ncpy(dv, rp_trim(arrow + 2), sizeof(dv));
	err = rp_set_dest(p, &n->tests[n->ntests].dest, "if", dv, (int)p->flow);
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
		return rp_fail(p, "key.%s: 1-%d of 0-9 *", sub, ST_NUM - 1);
	if (strchr(sub, '#'))
		return rp_fail(p, "key.%s: # ends the input and cannot be part"
			       " of a menu key", sub);
	if (strspn(sub, "0123456789*") != strlen(sub))
		return rp_fail(p, "key.%s: 1-%d of 0-9 *", sub, ST_NUM - 1);
	for (unsigned i = 0; i < n->nkeys; i++) {
		if (!strcmp(n->keys[i].digits, sub))
			return rp_fail(p, "duplicate key 'key.%s'", sub);
	}
	if (n->nkeys == RT_MAX_KEYS)
		return rp_too_many(p, "menu keys", RT_MAX_KEYS);
	str_ncpy(n->keys[n->nkeys].digits, sub, ST_NUM);
	err = rp_set_dest(p, &n->keys[n->nkeys].dest, "key", v, (int)p->flow);
	if (!err)
		n->nkeys++;
	return err;
}

static int node_set(struct parser *p, struct ivr_node *n, const char *sub,
		    const char *v)
{
	if (!routing_var_ok(sub))
		return rp_fail(p, "set.%s: a variable is A-Z a-z 0-9 _, not"
			       " starting with a digit", sub);
	for (unsigned i = 0; i < n->nsets; i++) {
		if (!strcmp(n->sets[i].var, sub))
			return rp_fail(p, "duplicate key 'set.%s'", sub);
	}
	if (n->nsets == RT_MAX_SETS)
		return rp_too_many(p, "assignments in a set node", RT_MAX_SETS);
	if (!rp_text_ok(v, RT_VALUE))
		return rp_fail(p, "set.%s: at most %d bytes", sub,
			       RT_VALUE - 1);
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
			return rp_fail(p, "map: variable '%s': A-Z a-z 0-9"
				       " _, not starting with a digit", tok);
		if (n->nmap == RT_MAX_MAP)
			return rp_too_many(p, "mapped reply fields",
					   RT_MAX_MAP);
		str_ncpy(n->map[n->nmap++], tok, RT_NAME);
	}
	return 0;
}

static int url_ok(const char *v)
{
	return (!strncmp(v, "http://", 7) || !strncmp(v, "https://", 8)) &&
	       rp_text_ok(v, RT_VALUE) && !strpbrk(v, " \t");
}

int rp_key_node(struct parser *p, const char *key, const char *sub,
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
		return rp_fail(p, "unknown key '%s%s%s'", key, sub ? "." : "",
			       sub ? sub : "");
	err = rp_once(p, key, dotted || !strcmp(key, "if"));
	if (err)
		return err;
	if (!strcmp(key, "type")) {
		for (size_t t = 0; t < ARRAY_SIZE(node_type_names); t++) {
			if (!strcmp(v, node_type_names[t])) {
				n->kind = (enum ivr_node_kind)t;
				return 0;
			}
		}
		return rp_fail(p, "type '%s': one of play, play_collect, set,"
			       " http, goto, dest", v);
	}
	if (!strcmp(key, "next"))
		return rp_set_dest(p, &n->next, key, v, (int)p->flow);
	if (!strcmp(key, "fail"))
		return rp_set_dest(p, &n->fail, key, v, (int)p->flow);
	if (!strcmp(key, "prompt"))
		return rp_set_prompt_ref(p, n->prompt, key, v);
	if (!strcmp(key, "invalid_prompt"))
		return rp_set_prompt_ref(p, n->invalid_prompt, key, v);
	if (!strcmp(key, "noinput_prompt"))
		return rp_set_prompt_ref(p, n->noinput_prompt, key, v);
	if (!strcmp(key, "min_digits"))
		return rp_set_uint(p, &n->min_digits, key, v, 0, ST_NUM - 1);
	if (!strcmp(key, "max_digits"))
		return rp_set_uint(p, &n->max_digits, key, v, 1, ST_NUM - 1);
	if (!strcmp(key, "first_timeout"))
		return rp_set_ms(p, &n->first_timeout_ms, key, v, 100, 120000);
	if (!strcmp(key, "inter_timeout"))
		return rp_set_ms(p, &n->inter_timeout_ms, key, v, 100, 60000);
	if (!strcmp(key, "tries"))
		return rp_set_uint(p, &n->tries, key, v, 1, 10);
	if (!strcmp(key, "var")) {
		if (!routing_var_ok(v))
			return rp_fail(p, "var '%s': A-Z a-z 0-9 _, not"
				       " starting with a digit", v);
		str_ncpy(n->var, v, sizeof(n->var));
		return 0;
	}
	if (!strcmp(key, "key"))
		return node_key_digits(p, n, sub, v);
	if (!strcmp(key, "set"))
		return node_set(p, n, sub, v);
	if (!strcmp(key, "url")) {
		if (!url_ok(v))
			return rp_fail(p, "url '%s': http:// or https://,"
				       " at most %d bytes, no blanks", v,
				       RT_VALUE - 1);
		str_ncpy(n->url, v, sizeof(n->url));
		return 0;
	}
	if (!strcmp(key, "method")) {
		if (strcmp(v, "get") && strcmp(v, "post"))
			return rp_fail(p, "method '%s': get or post", v);
		n->post = !strcmp(v, "post");
		return 0;
	}
	if (!strcmp(key, "timeout"))
		return rp_set_ms(p, &n->timeout_ms, key, v, 100, 30000);
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
		unsigned after, level, last;
		int err;

		if (!colon)
			return rp_fail(p, "relax '%s': expected"
				       " SECONDS:LEVEL, ...", v);
		*colon = '\0';
		err = rp_set_uint(p, &after, "relax seconds", tok, 1, 86400);
		if (!err)
			err = rp_set_uint(p, &level, "relax level",
					  colon + 1, 0, RT_MAX_LEVEL);
		if (err)
			return err;
		last = q->nlevels ? q->nlevels - 1 : 0;
		if (q->nlevels && (after <= q->levels[last].after_s ||
				   level <= q->levels[last].max_level))
			return rp_fail(p, "relax '%s': steps must grow in time"
				       " and level", v);
		if (q->nlevels == RT_MAX_LEVELS)
			return rp_too_many(p, "relax steps", RT_MAX_LEVELS);
		q->levels[q->nlevels].after_s = after;
		q->levels[q->nlevels].max_level = level;
		q->nlevels++;
	}
	if (!q->nlevels)
		return rp_fail(p, "relax: expected SECONDS:LEVEL, ...");
	return 0;
}

static int queue_member(struct parser *p, struct queue_cfg *q,
			const char *agent, const char *v)
{
	unsigned level, weight = 1;
	char buf[32];
	char *comma;
	int err;

	if (!rp_digits_ok(agent))
		return rp_fail(p, "member.%s: an agent number is 1-%d digits",
			       agent, ST_NUM - 1);
	for (unsigned i = 0; i < q->nmembers; i++) {
		if (!strcmp(q->members[i].agent, agent))
			return rp_fail(p, "duplicate key 'member.%s'", agent);
	}
	if (strlen(v) >= sizeof(buf))
		return rp_fail(p, "member.%s '%s': expected LEVEL[,WEIGHT]",
			       agent, v);
	str_ncpy(buf, v, sizeof(buf));
	comma = strchr(buf, ',');
	if (comma) {
		*comma++ = '\0';
		comma += strspn(comma, " \t");
		err = rp_set_uint(p, &weight, "member weight", comma, 1, 1000);
		if (err)
			return err;
		for (char *e = comma - 1; e > buf && (e[-1] == ' ' ||
						    e[-1] == '\t'); e--)
			e[-1] = '\0';
	}
	err = rp_set_uint(p, &level, "member level", buf, 0, RT_MAX_LEVEL);
	if (err)
		return err;
	if (!GROW(p, q->members, q->nmembers, RT_MAX_MEMBERS, "members"))
		return rp_too_many(p, "members of a queue", RT_MAX_MEMBERS);
	str_ncpy(q->members[q->nmembers - 1].agent, agent, ST_NUM);
	q->members[q->nmembers - 1].level = level;
	q->members[q->nmembers - 1].weight = weight;
	return 0;
}

int rp_key_queue(struct parser *p, const char *key, const char *sub,
		 const char *v)
{
	struct queue_cfg *q = &p->r->queues[p->cur];
	int err;

	if (!strcmp(key, "member") && sub)
		return queue_member(p, q, sub, v);
	err = sub ? rp_unknown_key(p, key) : rp_once(p, key, false);
	if (err)
		return err;
	if (!strcmp(key, "strategy")) {
		for (size_t s = 0; s < ARRAY_SIZE(strategy_names); s++) {
			if (!strcmp(v, strategy_names[s])) {
				q->strategy = (enum queue_strategy)s;
				return 0;
			}
		}
		return rp_fail(p, "strategy '%s': one of ringall, leastrecent,"
			       " fewestcalls, leasttalk, random, wrandom,"
			       " rrmemory, linear", v);
	}
	if (!strcmp(key, "ring_timeout"))
		return rp_set_secs(p, &q->ring_timeout_s, key, v, 600) ? EINVAL
			: q->ring_timeout_s ? 0
			: rp_fail(p, "ring_timeout: at least 1 s");
	if (!strcmp(key, "retry"))
		return rp_set_secs(p, &q->retry_s, key, v, 3600);
	if (!strcmp(key, "max_wait"))
		return rp_set_secs(p, &q->max_wait_s, key, v, 86400);
	if (!strcmp(key, "max_callers"))
		return rp_set_uint(p, &q->max_callers, key, v, 0, 100000);
	if (!strcmp(key, "join_empty"))
		return rp_set_bool(p, &q->join_empty, key, v);
	if (!strcmp(key, "leave_empty"))
		return rp_set_bool(p, &q->leave_empty, key, v);
	if (!strcmp(key, "autopause"))
		return rp_set_bool(p, &q->autopause, key, v);
	if (!strcmp(key, "sticky"))
		return rp_set_secs(p, &q->sticky_s, key, v, 30 * 86400);
	if (!strcmp(key, "exit_key")) {
		if (strlen(v) != 1 || !strchr("0123456789*#", *v))
			return rp_fail(p, "exit_key '%s': one of 0-9 * #", v);
		q->exit_key = *v;
		return 0;
	}
	if (!strcmp(key, "exit"))
		return rp_set_dest(p, &q->exit_dest, key, v, -1);
	if (!strcmp(key, "fail"))
		return rp_set_dest(p, &q->fail, key, v, -1);
	if (!strcmp(key, "moh"))
		return rp_set_prompt_ref(p, q->moh, key, v);
	if (!strcmp(key, "announce"))
		return rp_set_secs(p, &q->announce_s, key, v, 3600);
	if (!strcmp(key, "announce_wait"))
		return rp_set_bool(p, &q->announce_wait, key, v);
	if (!strcmp(key, "relax"))
		return queue_relax(p, q, v);
	return rp_unknown_key(p, key);
}

/* The checks of a node that need all its keys: the type, the keys that
 * apply to it, what each type requires. */
int rp_node_finish(struct parser *p)
{
	const struct ivr_flow *f = &p->r->flows[p->flow];
	const struct ivr_node *n = &f->nodes[p->cur];

	if (!rp_seen(p, "type"))
		return rp_fail(p, "[node %s.%s] needs type = play|play_collect|"
			       "set|http|goto|dest", f->name, n->name);
	for (size_t i = 0; i < ARRAY_SIZE(node_keys); i++) {
		if (rp_seen(p, node_keys[i].name) &&
		    !(node_keys[i].types & (1u << n->kind)))
			return rp_fail(p, "[node %s.%s]: '%s' does not apply"
				       " to a %s node", f->name, n->name,
				       node_keys[i].name,
				       node_type_names[n->kind]);
	}
	if (n->kind == NODE_PLAY && !n->prompt[0])
		return rp_fail(p, "[node %s.%s]: a play node needs prompt",
			       f->name, n->name);
	if (n->kind == NODE_HTTP && !n->url[0])
		return rp_fail(p, "[node %s.%s]: an http node needs url",
			       f->name, n->name);
	if (n->kind == NODE_GOTO && !n->ntests)
		return rp_fail(p, "[node %s.%s]: a goto node needs at least"
			       " one if", f->name, n->name);
	if (!n->next.kind && !(n->kind == NODE_COLLECT && n->nkeys))
		return rp_fail(p, "[node %s.%s] needs next = DEST", f->name,
			       n->name);
	if (n->kind == NODE_COLLECT && n->nkeys && n->next.kind)
		return rp_fail(p, "[node %s.%s]: a menu (key.N) has no next:"
			       " a wrong key is asked again, then fail",
			       f->name, n->name);
	if (n->kind == NODE_COLLECT && n->min_digits > n->max_digits)
		return rp_fail(p, "[node %s.%s]: min_digits %u is above"
			       " max_digits %u", f->name, n->name,
			       n->min_digits, n->max_digits);
	for (unsigned k = 0; k < n->nkeys; k++) {
		size_t len = strlen(n->keys[k].digits);

		if (len > n->max_digits || len < n->min_digits)
			return rp_fail(p, "[node %s.%s]: key %s does not fit"
				       " min_digits %u/max_digits %u", f->name,
				       n->name, n->keys[k].digits,
				       n->min_digits, n->max_digits);
	}
	return 0;
}
