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
 * The values are read in routing_values.c, each section's keys in
 * routing_keys.c (which says how to add a key); routing_parser.h is what
 * the three share.
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
			err = rp_fail(p, "[route %s] needs open = DEST",
				      rt->name);
		else if (rt->schedule[0] && !rt->closed.kind)
			err = rp_fail(p, "[route %s] has a schedule and needs"
				      " closed = DEST", rt->name);
		else if (!rt->schedule[0] && rt->closed.kind)
			err = rp_fail(p, "[route %s]: closed needs a schedule",
				      rt->name);
		break;
	}
	case SEC_PROMPT:
		if (!r->prompts[p->cur].nlang)
			err = rp_fail(p, "[prompt %s] needs file = WAV",
				      r->prompts[p->cur].name);
		break;
	case SEC_IVR:
		if (!r->flows[p->cur].start[0])
			err = rp_fail(p, "[ivr %s] needs start = NODE",
				      r->flows[p->cur].name);
		break;
	case SEC_NODE:
		err = rp_node_finish(p);
		break;
	case SEC_QUEUE: {
		const struct queue_cfg *q = &r->queues[p->cur];

		if (!q->exit_key != !q->exit_dest.kind)
			err = rp_fail(p, "[queue %s]: exit_key and exit go"
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
	return rp_fail(p, "duplicate [%s %s]", kind, name);
}

/* [did NUMBER] or [did PREFIX*] */
static int begin_did(struct parser *p, const char *name)
{
	struct routing *r = p->r;
	size_t n = strlen(name);
	bool prefix = name[n - 1] == '*';
	char num[ST_NUM];
	struct did *d;

	if (n - prefix >= ST_NUM - 1 || n - prefix == 0)
		return rp_fail(p, "[did %s]: a number, or a prefix ending"
			       " in *", name);
	memcpy(num, name, n - prefix);
	num[n - prefix] = '\0';
	if (!rp_number_ok(num))
		return rp_fail(p, "[did %s]: a number, or a prefix ending"
			       " in *", name);
	for (unsigned i = 0; i < r->ndids; i++) {
		if (!strcmp(r->dids[i].number, num) &&
		    (r->dids[i].match == DID_PREFIX) == prefix)
			return dup_section(p, "did", name);
	}
	d = GROW(p, r->dids, r->ndids, RT_MAX_DIDS, "DIDs");
	if (!d)
		return rp_too_many(p, "DIDs", RT_MAX_DIDS);
	str_ncpy(d->number, num, sizeof(d->number));
	d->match = prefix ? DID_PREFIX : DID_EXACT;
	p->sect = SEC_DID;
	p->cur = r->ndids - 1;
	return 0;
}

static int begin_queue(struct parser *p, const char *name)
{
	struct routing *r = p->r;
	struct queue_cfg *q;

	if (!rp_digits_ok(name))
		return rp_fail(p, "[queue %s]: a queue number is 1-%d"
			       " digits", name, ST_NUM - 1);
	if (routing_queue(r, name))
		return dup_section(p, "queue", name);
	q = GROW(p, r->queues, r->nqueues, RT_MAX_QUEUES, "queues");
	if (!q)
		return rp_too_many(p, "queues", RT_MAX_QUEUES);
	str_ncpy(q->queue, name, sizeof(q->queue));
	q->strategy = QS_LEASTRECENT;
	q->ring_timeout_s = 15;
	q->retry_s = 5;
	q->join_empty = true;
	q->announce_wait = true;
	p->sect = SEC_QUEUE;
	p->cur = r->nqueues - 1;
	return 0;
}

/* [node FLOW.NODE], with a node's defaults */
static int begin_node(struct parser *p, const char *name)
{
	struct routing *r = p->r;
	const char *dot = strchr(name, '.');
	char flow[RT_NAME];
	const struct ivr_flow *f;
	struct ivr_flow *fw;
	struct ivr_node *n;

	if (!dot || (size_t)(dot - name) >= RT_NAME)
		return rp_fail(p, "[node %s]: expected [node FLOW.NODE]",
			       name);
	memcpy(flow, name, (size_t)(dot - name));
	flow[dot - name] = '\0';
	if (!rp_name_ok(flow) || !rp_name_ok(dot + 1))
		return rp_fail(p, "[node %s]: names are 1-%d of A-Z a-z"
			       " 0-9 _ -", name, RT_NAME - 1);
	f = routing_flow(r, flow);
	if (!f)
		return rp_fail(p, "[node %s]: no [ivr %s] above it", name,
			       flow);
	if (flow_node(f, dot + 1))
		return dup_section(p, "node", name);
	p->flow = (unsigned)(f - r->flows);
	fw = &r->flows[p->flow];
	n = GROW(p, fw->nodes, fw->nnodes, RT_MAX_NODES, "nodes");
	if (!n)
		return rp_too_many(p, "nodes in a flow", RT_MAX_NODES);
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

/* [route|schedule|prompt|ivr NAME] */
static int begin_named(struct parser *p, const char *kind, const char *name)
{
	struct routing *r = p->r;

	if (!rp_name_ok(name))
		return rp_fail(p, "[%s %s]: a name is 1-%d of A-Z a-z 0-9 _ -",
			       kind, name, RT_NAME - 1);
	if (!strcmp(kind, "route")) {
		struct route *rt;

		for (unsigned i = 0; i < r->nroutes; i++) {
			if (!strcmp(r->routes[i].name, name))
				return dup_section(p, kind, name);
		}
		rt = GROW(p, r->routes, r->nroutes, RT_MAX_ROUTES, "routes");
		if (!rt)
			return rp_too_many(p, "routes", RT_MAX_ROUTES);
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
			return rp_too_many(p, "schedules", RT_MAX_SCHEDULES);
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
			return rp_too_many(p, "prompts", RT_MAX_PROMPTS);
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
			return rp_too_many(p, "IVR flows", RT_MAX_FLOWS);
		str_ncpy(f->name, name, sizeof(f->name));
		p->sect = SEC_IVR;
		p->cur = r->nflows - 1;
		p->flow = p->cur;
		return 0;
	}
	return rp_fail(p, "unknown section [%s]: expected lists, did, route,"
		       " schedule, prompt, ivr, node or queue", kind);
}

static int begin_section(struct parser *p, const char *kind,
			 const char *name)
{
	p->sect_line = p->line;
	if (!strcmp(kind, "lists")) {
		if (*name)
			return rp_fail(p, "[lists] takes no name");
		if (p->lists_seen)
			return rp_fail(p, "duplicate [lists]");
		p->lists_seen = true;
		p->sect = SEC_LISTS;
		return 0;
	}
	if (!*name)
		return rp_fail(p, "[%s] needs a name: [%s NAME]", kind, kind);
	if (!strcmp(kind, "did"))
		return begin_did(p, name);
	if (!strcmp(kind, "queue"))
		return begin_queue(p, name);
	if (!strcmp(kind, "node"))
		return begin_node(p, name);
	return begin_named(p, kind, name);
}

static int parse_line(struct parser *p, char *s)
{
	char *eq, *key, *val, *dot;
	int err;

	s = rp_trim(s);
	if (!*s || *s == '#' || *s == ';')
		return 0;
	if (*s == '[') {
		char *end = strchr(s, ']'), *name;

		if (!end || end[1])
			return rp_fail(p, "a section line is [KIND NAME]");
		*end = '\0';
		err = p->sect ? finish_section(p) : 0;
		if (err)
			return err;
		s = rp_trim(s + 1);
		name = s + strcspn(s, " \t");
		if (*name)
			*name++ = '\0';
		return begin_section(p, s, rp_trim(name));
	}
	eq = strchr(s, '=');
	if (!eq)
		return rp_fail(p, "expected KEY = VALUE or [SECTION]");
	*eq = '\0';
	key = rp_trim(s);
	val = rp_trim(eq + 1);
	if (!p->sect)
		return rp_fail(p, "'%s' is outside any section", key);
	if (!*key)
		return rp_fail(p, "a key is missing before =");
	dot = strchr(key, '.');
	if (dot)
		*dot++ = '\0';
	if (!*val && !(dot && !strcmp(key, "set")))
		return rp_fail(p, "'%s%s%s' needs a value", key, dot ? "." : "",
			       dot ? dot : "");
	switch (p->sect) {
	case SEC_LISTS:    return rp_key_lists(p, key, dot, val);
	case SEC_DID:      return rp_key_did(p, key, dot, val);
	case SEC_ROUTE:    return rp_key_route(p, key, dot, val);
	case SEC_SCHEDULE: return rp_key_schedule(p, key, dot, val);
	case SEC_PROMPT:   return rp_key_prompt(p, key, dot, val);
	case SEC_IVR:      return rp_key_ivr(p, key, dot, val);
	case SEC_NODE:     return rp_key_node(p, key, dot, val);
	case SEC_QUEUE:    return rp_key_queue(p, key, dot, val);
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
				return rp_fail(p, "no [ivr %s]", rf->name);
			break;
		case REF_NODE:
			if (!flow_node(&r->flows[rf->flow], rf->name))
				return rp_fail(p, "no [node %s.%s]",
					       r->flows[rf->flow].name,
					       rf->name);
			break;
		case REF_PROMPT:
			if (!routing_prompt(r, rf->name))
				return rp_fail(p, "no [prompt %s]", rf->name);
			break;
		case REF_QUEUE:
			if (!routing_queue(r, rf->name))
				return rp_fail(p, "no [queue %s] (an empty"
					       " one takes the defaults)",
					       rf->name);
			break;
		case REF_SCHEDULE:
			if (!schedule_find(r, rf->name))
				return rp_fail(p, "no [schedule %s]", rf->name);
			break;
		case REF_DID:
			if (!did_known(r, rf->name))
				return rp_fail(p, "did %s: no [did] section"
					       " matches it", rf->name);
			break;
		case REF_DIDGROUP:
			if (!did_group_known(r, rf->name))
				return rp_fail(p, "did_group %s: no [did]"
					       " has group = %s", rf->name,
					       rf->name);
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
		return rp_fail(&p, "the file is %zu bytes, more than %d", len,
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
			e = rp_fail(&p, "longer than %d bytes", RT_MAX_LINE);
			break;
		}
		memcpy(line, text + pos, n);
		line[n] = '\0';
		if (memchr(line, '\0', n) || strpbrk(line, "\r\v\f\x7f")) {
			e = rp_fail(&p, "control characters");
			break;
		}
		for (size_t i = 0; i < n && !e; i++) {
			if ((unsigned char)line[i] < 0x20 && line[i] != '\t')
				e = rp_fail(&p, "control characters");
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

