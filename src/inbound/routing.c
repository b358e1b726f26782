/*
 * routing.c — a team's parsed routing: lookups, the inbound decision,
 * schedules, printing the file back (export) and loading time zones.
 * The parser is routing_parse.c.
 *
 * A struct routing is one mem object owning its arrays (each flow its
 * nodes, each queue its members, each schedule its zone); routing_free()
 * is mem_deref(). The decision functions only read it, so occd can keep
 * serving calls with one routing while the next is parsed, then swap.
 *
 * routing_print writes every non-default value and nothing else, in a
 * fixed order (lists, DIDs, routes, schedules, prompts, flows with their
 * nodes, queues; each in file order), so parse(print(x)) == x and an
 * export is a normalized copy of the imported file (comments dropped).
 */
#include <errno.h>
#include <string.h>
#include <re.h>
#include "inbound/routing.h"
#include "inbound/routing_impl.h"
#include "inbound/tz.h"

static void routing_destructor(void *arg)
{
	struct routing *r = arg;

	for (unsigned i = 0; i < r->nschedules; i++)
		mem_deref(r->schedules[i].zone);
	for (unsigned i = 0; i < r->nflows; i++)
		mem_deref(r->flows[i].nodes);
	for (unsigned i = 0; i < r->nqueues; i++)
		mem_deref(r->queues[i].members);
	mem_deref(r->dids);
	mem_deref(r->routes);
	mem_deref(r->schedules);
	mem_deref(r->prompts);
	mem_deref(r->flows);
	mem_deref(r->queues);
	mem_deref(r->blacklist);
	mem_deref(r->whitelist);
}

struct routing *routing_alloc(const char *team)
{
	struct routing *r = mem_zalloc(sizeof(*r), routing_destructor);

	if (!r)
		return NULL;
	str_ncpy(r->team, team, sizeof(r->team));
	r->blocked.kind = DEST_HANGUP;
	return r;
}

void routing_free(struct routing *r)
{
	mem_deref(r);
}

/* ---- lookups ---- */

const struct ivr_flow *routing_flow(const struct routing *r, const char *name)
{
	for (unsigned i = 0; r && i < r->nflows; i++) {
		if (!strcmp(r->flows[i].name, name))
			return &r->flows[i];
	}
	return NULL;
}

const struct ivr_flow *routing_flow_by_exten(const struct routing *r,
					     const char *exten)
{
	for (unsigned i = 0; r && exten && *exten && i < r->nflows; i++) {
		if (!strcmp(r->flows[i].exten, exten))
			return &r->flows[i];
	}
	return NULL;
}

const struct ivr_node *flow_node(const struct ivr_flow *f, const char *name)
{
	for (unsigned i = 0; f && i < f->nnodes; i++) {
		if (!strcmp(f->nodes[i].name, name))
			return &f->nodes[i];
	}
	return NULL;
}

const struct prompt *routing_prompt(const struct routing *r, const char *name)
{
	for (unsigned i = 0; r && i < r->nprompts; i++) {
		if (!strcmp(r->prompts[i].name, name))
			return &r->prompts[i];
	}
	return NULL;
}

const struct queue_cfg *routing_queue(const struct routing *r,
				      const char *queue)
{
	for (unsigned i = 0; r && i < r->nqueues; i++) {
		if (!strcmp(r->queues[i].queue, queue))
			return &r->queues[i];
	}
	return NULL;
}

const char *prompt_file(const struct prompt *p, const char *lang)
{
	const char *dflt = NULL;

	if (!p || !p->nlang)
		return NULL;
	for (unsigned i = 0; i < p->nlang; i++) {
		if (lang && !strcmp(p->lang[i].lang, lang))
			return p->lang[i].file;
		if (!p->lang[i].lang[0])
			dflt = p->lang[i].file;
	}
	return dflt ? dflt : p->lang[0].file;
}

int routing_prompt_path(char *buf, size_t size, const char *data_dir,
			const char *team, const char *file)
{
	int n;

	/* The team names a directory: never let it climb out of prompts/. */
	if (file[0] != '/' &&
	    (!strcmp(team, ".") || !strcmp(team, "..") || strchr(team, '/')))
		return EINVAL;
	n = file[0] == '/'
		? re_snprintf(buf, size, "%s", file)
		: re_snprintf(buf, size, "%s/prompts/%s/%s", data_dir, team,
			      file);

	return n < 0 || (size_t)n >= size ? ENAMETOOLONG : 0;
}

static const struct schedule *find_schedule(const struct routing *r,
					    const char *name)
{
	for (unsigned i = 0; i < r->nschedules; i++) {
		if (!strcmp(r->schedules[i].name, name))
			return &r->schedules[i];
	}
	return NULL;
}

/* ---- the decision ---- */

bool schedule_open(const struct schedule *s, int64_t now_utc_s)
{
	struct tz_local lt;

	tz_localtime(s->zone, now_utc_s, &lt);
	for (unsigned i = 0; i < s->nclosed; i++) {
		if (lt.days >= s->closed[i].from_day &&
		    lt.days <= s->closed[i].to_day)
			return false;
	}
	if (!s->nspans)
		return true;
	for (unsigned i = 0; i < s->nspans; i++) {
		const struct span *sp = &s->spans[i];

		if ((sp->wday_mask & (1u << lt.wday)) &&
		    lt.min >= sp->from_min && lt.min < sp->to_min)
			return true;
	}
	return false;
}

/* An entry is a number, or a prefix ending in '*' ("*" is everyone). */
static bool on_list(const char (*list)[ST_NUM], unsigned n, const char *cid)
{
	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(list[i]);

		if (len && list[i][len - 1] == '*'
		    ? !strncmp(list[i], cid, len - 1) : !strcmp(list[i], cid))
			return true;
	}
	return false;
}

/* The longest DID matching number; at equal length exact beats prefix,
 * then the first in the file. */
static const struct did *did_match(const struct routing *r, const char *num)
{
	const struct did *best = NULL;
	size_t best_score = 0, nlen = strlen(num);

	for (unsigned i = 0; i < r->ndids; i++) {
		const struct did *d = &r->dids[i];
		size_t len = strlen(d->number), score;

		if (d->match == DID_EXACT ? strcmp(d->number, num)
		    : (len > nlen || strncmp(d->number, num, len)))
			continue;
		score = len * 2 + (d->match == DID_EXACT) + 1;
		if (score > best_score) {
			best = d;
			best_score = score;
		}
	}
	return best;
}

static bool route_matches(const struct route *rt, const struct did *d,
			  const struct inbound_in *in)
{
	if (rt->did[0] && strcmp(rt->did, in->did) &&
	    strcmp(rt->did, d->number))
		return false;
	if (rt->did_group[0] && strcmp(rt->did_group, d->group))
		return false;
	if (rt->cid_prefix[0] &&
	    strncmp(rt->cid_prefix, in->cid, strlen(rt->cid_prefix)))
		return false;
	if (rt->trunk[0] && strcmp(rt->trunk, in->trunk))
		return false;
	return true;
}

enum inbound_verdict routing_decide(const struct routing *r,
				    const struct inbound_in *in,
				    struct inbound_out *out)
{
	struct inbound_in q = *in;
	const struct route *best = NULL;
	const struct schedule *s;

	memset(out, 0, sizeof(*out));
	q.did = in->did ? in->did : "";
	q.cid = in->cid ? in->cid : "";
	q.trunk = in->trunk ? in->trunk : "";
	if (!r)
		return IN_NO_DID;
	if (on_list((const char (*)[ST_NUM])r->blacklist, r->nblack, q.cid) ||
	    (r->nwhite && !on_list((const char (*)[ST_NUM])r->whitelist,
				   r->nwhite, q.cid))) {
		out->dest = r->blocked;
		return IN_BLOCKED;
	}
	out->did = did_match(r, q.did);
	if (!out->did)
		return IN_NO_DID;
	if (out->did->direct.kind) {
		out->dest = out->did->direct;
		out->open = true;
		return IN_ROUTED;
	}
	for (unsigned i = 0; i < r->nroutes; i++) {
		const struct route *rt = &r->routes[i];

		if ((!best || rt->priority > best->priority) &&
		    route_matches(rt, out->did, &q))
			best = rt;
	}
	if (!best)
		return IN_NO_ROUTE;
	out->route = best;
	s = best->schedule[0] ? find_schedule(r, best->schedule) : NULL;
	out->open = !s || schedule_open(s, q.now_utc_s);
	out->dest = out->open ? best->open : best->closed;
	return IN_ROUTED;
}

/* ---- time zones ---- */

int routing_load_zones(struct routing *r, const char *zoneinfo_dir,
		       char *err, size_t errsz)
{
	for (unsigned i = 0; i < r->nschedules; i++) {
		struct schedule *s = &r->schedules[i];
		int e;

		if (!s->tz[0] || s->zone)
			continue;
		e = tz_load(&s->zone, zoneinfo_dir, s->tz);
		if (e == ENOENT) {
			re_snprintf(err, errsz, "line %u: unknown time zone %s"
				    " (no %s/%s)", s->line, s->tz,
				    zoneinfo_dir, s->tz);
			return EINVAL;
		}
		if (e) {
			re_snprintf(err, errsz, "line %u: time zone %s: %s/%s"
				    " is not a TZif file occ reads (%m)",
				    s->line, s->tz, zoneinfo_dir, s->tz, e);
			return EINVAL;
		}
	}
	return 0;
}

/* ---- printing ---- */

const char *routing_dest_str(char *buf, size_t size, const struct dest *d)
{
	if (d->kind == DEST_HANGUP)
		re_snprintf(buf, size, "hangup");
	else if (d->kind == DEST_QUEUE && d->prio)
		re_snprintf(buf, size, "queue:%s/%d", d->arg, d->prio);
	else
		re_snprintf(buf, size, "%s:%s",
			    routing_dest_kind_name(d->kind), d->arg);
	return buf;
}

static int print_dest(struct re_printf *pf, const char *key,
		      const struct dest *d)
{
	char buf[RT_NAME + 32];

	return d->kind ? re_hprintf(pf, "%s = %s\n", key,
				    routing_dest_str(buf, sizeof(buf), d)) : 0;
}

static int print_str(struct re_printf *pf, const char *key, const char *v)
{
	return *v ? re_hprintf(pf, "%s = %s\n", key, v) : 0;
}

static int print_ms(struct re_printf *pf, const char *key, unsigned ms,
		    unsigned def)
{
	if (ms == def)
		return 0;
	return ms % 1000 ? re_hprintf(pf, "%s = %ums\n", key, ms)
		: re_hprintf(pf, "%s = %us\n", key, ms / 1000);
}

static int print_uint(struct re_printf *pf, const char *key, unsigned v,
		      unsigned def)
{
	return v == def ? 0 : re_hprintf(pf, "%s = %u\n", key, v);
}

static int print_bool(struct re_printf *pf, const char *key, bool v,
		      bool def)
{
	return v == def ? 0 : re_hprintf(pf, "%s = %s\n", key,
					 v ? "yes" : "no");
}

static const char *const wdays[7] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat" };

static int print_days(struct re_printf *pf, uint8_t mask)
{
	bool first = true;
	int err = 0;

	if (mask == 0x7f)
		return re_hprintf(pf, "daily");
	for (int d = 0; d < 7 && !err; ) {
		int e = d;

		if (!(mask & (1u << d))) {
			d++;
			continue;
		}
		while (e + 1 < 7 && (mask & (1u << (e + 1))))
			e++;
		if (e - d >= 2)
			err = re_hprintf(pf, "%s%s-%s", first ? "" : ",",
					 wdays[d], wdays[e]);
		else
			for (int k = d; k <= e && !err; k++)
				err = re_hprintf(pf, "%s%s",
						 first && k == d ? "" : ",",
						 wdays[k]);
		first = false;
		d = e + 1;
	}
	return err;
}

static int print_date(struct re_printf *pf, int32_t day)
{
	int y, m, d;

	tz_civil_from_days(day, &y, &m, &d);
	return re_hprintf(pf, "%04d-%02d-%02d", y, m, d);
}

static int print_schedule(struct re_printf *pf, const struct schedule *s)
{
	int err = re_hprintf(pf, "\n[schedule %s]\n", s->name);

	err |= print_str(pf, "tz", s->tz);
	for (unsigned i = 0; i < s->nspans; i++) {
		err |= re_hprintf(pf, "hours = ");
		err |= print_days(pf, s->spans[i].wday_mask);
		err |= re_hprintf(pf, " %02u:%02u-%02u:%02u\n",
				  s->spans[i].from_min / 60,
				  s->spans[i].from_min % 60,
				  s->spans[i].to_min / 60,
				  s->spans[i].to_min % 60);
	}
	for (unsigned i = 0; i < s->nclosed; i++) {
		err |= re_hprintf(pf, "closed = ");
		err |= print_date(pf, s->closed[i].from_day);
		if (s->closed[i].to_day != s->closed[i].from_day) {
			err |= re_hprintf(pf, "..");
			err |= print_date(pf, s->closed[i].to_day);
		}
		err |= re_hprintf(pf, "\n");
	}
	return err;
}

static int print_node(struct re_printf *pf, const struct ivr_flow *f,
		      const struct ivr_node *n)
{
	int err = re_hprintf(pf, "\n[node %s.%s]\ntype = %s\n", f->name,
			     n->name, routing_node_type_name(n->kind));

	err |= print_str(pf, "prompt", n->prompt);
	if (n->kind == NODE_COLLECT) {
		err |= print_uint(pf, "min_digits", n->min_digits, 1);
		err |= print_uint(pf, "max_digits", n->max_digits, 1);
		err |= print_ms(pf, "first_timeout", n->first_timeout_ms,
				5000);
		err |= print_ms(pf, "inter_timeout", n->inter_timeout_ms,
				2000);
		err |= print_uint(pf, "tries", n->tries, 3);
		err |= print_str(pf, "invalid_prompt", n->invalid_prompt);
		err |= print_str(pf, "noinput_prompt", n->noinput_prompt);
		if (strcmp(n->var, "inputcode"))
			err |= print_str(pf, "var", n->var);
	}
	for (unsigned i = 0; i < n->nkeys; i++) {
		char key[ST_NUM + 8];

		re_snprintf(key, sizeof(key), "key.%s", n->keys[i].digits);
		err |= print_dest(pf, key, &n->keys[i].dest);
	}
	for (unsigned i = 0; i < n->nsets; i++)
		err |= re_hprintf(pf, "set.%s = %s\n", n->sets[i].var,
				  n->sets[i].value);
	if (n->kind == NODE_HTTP) {
		err |= print_str(pf, "url", n->url);
		if (n->post)
			err |= re_hprintf(pf, "method = post\n");
		err |= print_ms(pf, "timeout", n->timeout_ms, 3000);
		for (unsigned i = 0; i < n->nmap; i++)
			err |= re_hprintf(pf, "%s%s", i ? ", " : "map = ",
					  n->map[i]);
		if (n->nmap)
			err |= re_hprintf(pf, "\n");
	}
	for (unsigned i = 0; i < n->ntests; i++) {
		const char *v = n->tests[i].value;
		char buf[RT_NAME + 32];

		err |= re_hprintf(pf, "if = %s %s%s%s -> %s\n",
				  n->tests[i].var,
				  routing_test_op_name(n->tests[i].op),
				  *v ? " " : "", v,
				  routing_dest_str(buf, sizeof(buf),
					   &n->tests[i].dest));
	}
	err |= print_dest(pf, "next", &n->next);
	err |= print_dest(pf, "fail", &n->fail);
	return err;
}

static int print_queue(struct re_printf *pf, const struct queue_cfg *q)
{
	int err = re_hprintf(pf, "\n[queue %s]\n", q->queue);

	if (q->strategy != QS_LEASTRECENT)
		err |= re_hprintf(pf, "strategy = %s\n",
				  routing_strategy_name(q->strategy));
	err |= print_uint(pf, "ring_timeout", q->ring_timeout_s, 15);
	err |= print_uint(pf, "retry", q->retry_s, 5);
	err |= print_uint(pf, "max_wait", q->max_wait_s, 0);
	err |= print_uint(pf, "max_callers", q->max_callers, 0);
	err |= print_bool(pf, "join_empty", q->join_empty, true);
	err |= print_bool(pf, "leave_empty", q->leave_empty, false);
	err |= print_bool(pf, "autopause", q->autopause, false);
	err |= print_uint(pf, "sticky", q->sticky_s, 0);
	if (q->exit_key)
		err |= re_hprintf(pf, "exit_key = %c\n", q->exit_key);
	err |= print_dest(pf, "exit", &q->exit_dest);
	err |= print_dest(pf, "fail", &q->fail);
	err |= print_str(pf, "moh", q->moh);
	err |= print_uint(pf, "announce", q->announce_s, 0);
	err |= print_bool(pf, "announce_wait", q->announce_wait, true);
	for (unsigned i = 0; i < q->nlevels; i++)
		err |= re_hprintf(pf, "%s%u:%u", i ? ", " : "relax = ",
				  q->levels[i].after_s,
				  q->levels[i].max_level);
	if (q->nlevels)
		err |= re_hprintf(pf, "\n");
	for (unsigned i = 0; i < q->nmembers; i++) {
		err |= re_hprintf(pf, "member.%s = %u", q->members[i].agent,
				  q->members[i].level);
		if (q->members[i].weight != 1)
			err |= re_hprintf(pf, ",%u", q->members[i].weight);
		err |= re_hprintf(pf, "\n");
	}
	return err;
}

int routing_print(struct re_printf *pf, const struct routing *r)
{
	int err;

	if (!r)
		return 0;
	err = re_hprintf(pf, "# inbound routing (docs/INBOUND.md)\n");
	if (r->nblack || r->nwhite || r->blocked.kind != DEST_HANGUP) {
		err |= re_hprintf(pf, "\n[lists]\n");
		for (unsigned i = 0; i < r->nblack; i++)
			err |= re_hprintf(pf, "blacklist = %s\n",
					  r->blacklist[i]);
		for (unsigned i = 0; i < r->nwhite; i++)
			err |= re_hprintf(pf, "whitelist = %s\n",
					  r->whitelist[i]);
		if (r->blocked.kind != DEST_HANGUP)
			err |= print_dest(pf, "blocked", &r->blocked);
	}
	for (unsigned i = 0; i < r->ndids; i++) {
		const struct did *d = &r->dids[i];

		err |= re_hprintf(pf, "\n[did %s%s]\n", d->number,
				  d->match == DID_PREFIX ? "*" : "");
		err |= print_str(pf, "group", d->group);
		err |= print_dest(pf, "dest", &d->direct);
	}
	for (unsigned i = 0; i < r->nroutes; i++) {
		const struct route *rt = &r->routes[i];

		err |= re_hprintf(pf, "\n[route %s]\n", rt->name);
		if (rt->priority)
			err |= re_hprintf(pf, "priority = %d\n", rt->priority);
		err |= print_str(pf, "did", rt->did);
		err |= print_str(pf, "did_group", rt->did_group);
		err |= print_str(pf, "cid_prefix", rt->cid_prefix);
		err |= print_str(pf, "trunk", rt->trunk);
		err |= print_str(pf, "schedule", rt->schedule);
		err |= print_dest(pf, "open", &rt->open);
		err |= print_dest(pf, "closed", &rt->closed);
	}
	for (unsigned i = 0; i < r->nschedules; i++)
		err |= print_schedule(pf, &r->schedules[i]);
	for (unsigned i = 0; i < r->nprompts; i++) {
		const struct prompt *p = &r->prompts[i];

		err |= re_hprintf(pf, "\n[prompt %s]\n", p->name);
		for (unsigned k = 0; k < p->nlang; k++)
			err |= re_hprintf(pf, "file%s%s = %s\n",
					  p->lang[k].lang[0] ? "." : "",
					  p->lang[k].lang, p->lang[k].file);
	}
	for (unsigned i = 0; i < r->nflows; i++) {
		const struct ivr_flow *f = &r->flows[i];

		err |= re_hprintf(pf, "\n[ivr %s]\n", f->name);
		err |= print_str(pf, "exten", f->exten);
		err |= print_str(pf, "start", f->start);
		err |= print_dest(pf, "fail", &f->fail);
		for (unsigned k = 0; k < f->nnodes; k++)
			err |= print_node(pf, f, &f->nodes[k]);
	}
	for (unsigned i = 0; i < r->nqueues; i++)
		err |= print_queue(pf, &r->queues[i]);
	return err ? ENOMEM : 0;
}

/* ---- equality (tests and the fuzz target) ---- */

bool routing_equal(const struct routing *a, const struct routing *b)
{
	if (strcmp(a->team, b->team) || a->ndids != b->ndids ||
	    a->nroutes != b->nroutes || a->nschedules != b->nschedules ||
	    a->nprompts != b->nprompts || a->nflows != b->nflows ||
	    a->nqueues != b->nqueues || a->nblack != b->nblack ||
	    a->nwhite != b->nwhite ||
	    memcmp(&a->blocked, &b->blocked, sizeof(a->blocked)))
		return false;
	if ((a->ndids && memcmp(a->dids, b->dids,
				a->ndids * sizeof(*a->dids))) ||
	    (a->nroutes && memcmp(a->routes, b->routes,
				  a->nroutes * sizeof(*a->routes))) ||
	    (a->nblack && memcmp(a->blacklist, b->blacklist,
				 a->nblack * sizeof(*a->blacklist))) ||
	    (a->nwhite && memcmp(a->whitelist, b->whitelist,
				 a->nwhite * sizeof(*a->whitelist))))
		return false;
	for (unsigned i = 0; i < a->nschedules; i++) {
		struct schedule x, y;

		memcpy(&x, &a->schedules[i], sizeof(x));
		memcpy(&y, &b->schedules[i], sizeof(y));
		x.zone = y.zone = NULL;
		x.line = y.line = 0;
		if (memcmp(&x, &y, sizeof(x)))
			return false;
	}
	for (unsigned i = 0; i < a->nprompts; i++) {
		struct prompt x, y;

		memcpy(&x, &a->prompts[i], sizeof(x));
		memcpy(&y, &b->prompts[i], sizeof(y));

		for (unsigned k = 0; k < RT_MAX_LANGS; k++)
			x.lang[k].line = y.lang[k].line = 0;
		if (memcmp(&x, &y, sizeof(x)))
			return false;
	}
	for (unsigned i = 0; i < a->nflows; i++) {
		struct ivr_flow x, y;

		memcpy(&x, &a->flows[i], sizeof(x));
		memcpy(&y, &b->flows[i], sizeof(y));

		x.nodes = y.nodes = NULL;
		if (memcmp(&x, &y, sizeof(x)) || (x.nnodes &&
		    memcmp(a->flows[i].nodes, b->flows[i].nodes,
			   x.nnodes * sizeof(*x.nodes))))
			return false;
	}
	for (unsigned i = 0; i < a->nqueues; i++) {
		struct queue_cfg x, y;

		memcpy(&x, &a->queues[i], sizeof(x));
		memcpy(&y, &b->queues[i], sizeof(y));

		x.members = y.members = NULL;
		if (memcmp(&x, &y, sizeof(x)) || (x.nmembers &&
		    memcmp(a->queues[i].members, b->queues[i].members,
			   x.nmembers * sizeof(*x.members))))
			return false;
	}
	return true;
}
