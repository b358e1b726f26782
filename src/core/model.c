/*
 * model.c — building the in-memory model from the store, and lookups.
 *
 * Ownership: the model owns teams; a team owns its accounts, agents, groups
 * and extensions; a group owns its memberships. Destructors unlink from
 * every list and hash they are in, so a model is freed with one mem_deref.
 * Teams tear down groups (and so memberships) before agents.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re.h>
#define LOG_TOPIC "core.model"
#include "base/log.h"
#include "core/agent.h"
#include "core/model.h"
#include "inbound/routing.h"
#include "inbound/tz.h"

int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void member_destructor(void *arg)
{
	struct member *mb = arg;

	list_unlink(&mb->le_agent);
	list_unlink(&mb->le_group);
}

static void group_destructor(void *arg)
{
	struct group *g = arg;

	list_unlink(&g->le);
	hash_unlink(&g->he);
	list_flush(&g->members);
}

static void agent_destructor(void *arg)
{
	struct agent *a = arg;

	hash_unlink(&a->he);
	hash_unlink(&a->he_id);
	list_unlink(&a->le);
	/* memberships are owned by their groups, which are gone by now */
	list_clear(&a->members);
}

static void plain_destructor(void *arg)
{
	struct le *le = arg;   /* struct account / struct exten start with le */

	list_unlink(le);
}

static void team_destructor(void *arg)
{
	struct team *t = arg;

	list_unlink(&t->le);
	hash_unlink(&t->he);
	list_flush(&t->groups);
	list_flush(&t->agent_list);
	mem_deref(t->agents);
	list_flush(&t->accounts);
	list_flush(&t->extens);
	list_flush(&t->trunks);
	list_flush(&t->settings);
	routing_free(t->routing);
}

static void model_destructor(void *arg)
{
	struct model *m = arg;

	list_flush(&m->teams);
	mem_deref(m->team_hash);
	mem_deref(m->group_hash);
	mem_deref(m->agent_id_hash);
}

static bool team_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct team *)le->data)->name, arg);
}

struct team *team_find(const struct model *m, const char *name)
{
	struct le *le = hash_lookup(m->team_hash, hash_joaat_str(name),
				    team_cmp, (void *)name);
	return le ? le->data : NULL;
}

struct team *team_find_id(const struct model *m, int64_t id)
{
	struct le *le;

	LIST_FOREACH(&m->teams, le) {
		struct team *t = le->data;
		if (t->id == id)
			return t;
	}
	return NULL;
}

static bool agent_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct agent *)le->data)->number, arg);
}

struct agent *agent_find(const struct team *t, const char *number)
{
	struct le *le = hash_lookup(t->agents, hash_joaat_str(number),
				    agent_cmp, (void *)number);
	return le ? le->data : NULL;
}

static bool agent_id_cmp(struct le *le, void *arg)
{
	return ((struct agent *)le->data)->id == *(int64_t *)arg;
}

static struct agent *agent_by_id(const struct model *m, int64_t id)
{
	struct le *le = hash_lookup(m->agent_id_hash, (uint32_t)id,
				    agent_id_cmp, &id);
	return le ? le->data : NULL;
}

struct account *account_find(const struct team *t, const char *name)
{
	struct le *le;

	LIST_FOREACH(&t->accounts, le) {
		struct account *ac = le->data;
		if (!strcmp(ac->name, name))
			return ac;
	}
	return NULL;
}

static bool group_cmp(struct le *le, void *arg)
{
	return ((struct group *)le->data)->id == *(int64_t *)arg;
}

struct group *group_find(const struct model *m, int64_t id)
{
	struct le *le = hash_lookup(m->group_hash, (uint32_t)id, group_cmp,
				    &id);
	return le ? le->data : NULL;
}

struct group *team_group(const struct team *t, int64_t id)
{
	struct le *le;

	LIST_FOREACH(&t->groups, le) {
		struct group *g = le->data;
		if (g->id == id)
			return g;
	}
	return NULL;
}

struct group *group_by_queue(const struct team *t, const char *queue)
{
	struct le *le;

	LIST_FOREACH(&t->groups, le) {
		struct group *g = le->data;
		if (!strcmp(g->queue, queue))
			return g;
	}
	return NULL;
}

struct exten *exten_find(const struct team *t, const char *number)
{
	struct le *le;

	LIST_FOREACH(&t->extens, le) {
		struct exten *e = le->data;
		if (!strcmp(e->number, number))
			return e;
	}
	return NULL;
}

struct member *agent_membership(const struct agent *a, const struct group *g)
{
	struct le *le;

	LIST_FOREACH(&a->members, le) {
		struct member *mb = le->data;
		if (mb->group == g)
			return mb;
	}
	return NULL;
}

struct trunk *trunk_find(const struct team *t, const char *name)
{
	struct le *le;

	LIST_FOREACH(&t->trunks, le) {
		struct trunk *tr = le->data;
		if (name && *name ? !strcmp(tr->cfg.name, name)
		    : tr->cfg.is_default)
			return tr;
	}
	return NULL;
}

const char *team_setting(const struct team *t, const char *key)
{
	struct le *le;

	LIST_FOREACH(&t->settings, le) {
		const struct team_setting *ts = le->data;
		if (!strcmp(ts->key, key))
			return ts->value;
	}
	return NULL;
}

/* ---- loading ---------------------------------------------------------- */

struct load {
	struct model *m;
	int err;
	bool (*keep)(const char *team, void *arg);
	void *keep_arg;
};

static struct team *team_by_id(const struct model *m, int64_t id)
{
	struct le *le;

	LIST_FOREACH(&m->teams, le) {
		struct team *t = le->data;
		if (t->id == id)
			return t;
	}
	return NULL;
}

static void on_team(const struct st_team *r, void *arg)
{
	struct load *l = arg;
	struct team *t;

	if (l->keep && !l->keep(r->name, l->keep_arg))
		return;           /* served by another node: its rows too */
	t = mem_zalloc(sizeof(*t), team_destructor);
	if (!t || hash_alloc(&t->agents, 256)) {
		mem_deref(t);
		l->err = ENOMEM;
		return;
	}
	t->id = r->id;
	str_ncpy(t->name, r->name, sizeof(t->name));
	list_append(&l->m->teams, &t->le, t);
	hash_append(l->m->team_hash, hash_joaat_str(t->name), &t->he, t);
}

static void on_account(const struct st_account *r, void *arg)
{
	struct load *l = arg;
	struct team *t = team_by_id(l->m, r->team_id);
	struct account *ac;

	if (!t)
		return;
	ac = mem_zalloc(sizeof(*ac), plain_destructor);
	if (!ac) {
		l->err = ENOMEM;
		return;
	}
	ac->team = t;
	ac->id = r->id;
	str_ncpy(ac->name, r->name, sizeof(ac->name));
	str_ncpy(ac->pwhash, r->pwhash, sizeof(ac->pwhash));
	str_ncpy(ac->agent_number, r->agent, sizeof(ac->agent_number));
	ac->enabled = r->enabled;
	list_append(&t->accounts, &ac->le, ac);
}

static void on_agent(const struct st_agent *r, void *arg)
{
	struct load *l = arg;
	struct team *t = team_by_id(l->m, r->team_id);
	struct agent *a;
	struct le *le;

	if (!t)
		return;
	a = mem_zalloc(sizeof(*a), agent_destructor);
	if (!a) {
		l->err = ENOMEM;
		return;
	}
	a->team = t;
	a->id = r->id;
	str_ncpy(a->number, r->number, sizeof(a->number));
	str_ncpy(a->name, r->name, sizeof(a->name));
	str_ncpy(a->pwhash, r->pwhash, sizeof(a->pwhash));
	str_ncpy(a->exten, r->exten, sizeof(a->exten));
	str_ncpy(a->device, r->exten, sizeof(a->device));
	LIST_FOREACH(&t->accounts, le) {
		struct account *ac = le->data;
		if (ac->id == r->account_id)
			a->account = ac;
	}
	a->state = AS_LOGOUT;
	hash_append(t->agents, hash_joaat_str(a->number), &a->he, a);
	hash_append(l->m->agent_id_hash, (uint32_t)a->id, &a->he_id, a);
	/* the store delivers agents in number order (store.h) */
	list_append(&t->agent_list, &a->le, a);
	l->m->nagents++;
}

static void on_group(const struct st_group *r, void *arg)
{
	struct load *l = arg;
	struct team *t = team_by_id(l->m, r->team_id);
	struct group *g;

	if (!t)
		return;
	g = mem_zalloc(sizeof(*g), group_destructor);
	if (!g) {
		l->err = ENOMEM;
		return;
	}
	g->team = t;
	g->id = r->id;
	str_ncpy(g->name, r->name, sizeof(g->name));
	str_ncpy(g->queue, r->queue, sizeof(g->queue));
	g->acw_mode = r->acw_mode;
	g->work_mode = r->work_mode;
	g->acw_s = r->acw_s;
	list_append(&t->groups, &g->le, g);
	hash_append(l->m->group_hash, (uint32_t)g->id, &g->he, g);
}

static void on_member(const struct st_member *r, void *arg)
{
	struct load *l = arg;
	struct group *g = group_find(l->m, r->group_id);
	struct agent *a = agent_by_id(l->m, r->agent_id);
	struct member *mb;

	if (!g || !a || a->team != g->team)
		return;
	mb = mem_zalloc(sizeof(*mb), member_destructor);
	if (!mb) {
		l->err = ENOMEM;
		return;
	}
	mb->agent = a;
	mb->group = g;
	mb->dynamic = r->dynamic;
	mb->leader = r->leader;
	mb->checked_in = r->checked_in;
	mb->acw_mode = r->acw_mode ? r->acw_mode : g->acw_mode;
	mb->work_mode = r->work_mode;
	list_append(&g->members, &mb->le_group, mb);
	list_append(&a->members, &mb->le_agent, mb);
}

static void on_exten(const struct st_exten *r, void *arg)
{
	struct load *l = arg;
	struct team *t = team_by_id(l->m, r->team_id);
	struct exten *e;

	if (!t)
		return;
	e = mem_zalloc(sizeof(*e), plain_destructor);
	if (!e) {
		l->err = ENOMEM;
		return;
	}
	e->team = t;
	e->id = r->id;
	str_ncpy(e->number, r->number, sizeof(e->number));
	str_ncpy(e->ha1, r->ha1, sizeof(e->ha1));
	str_ncpy(e->kind, r->kind, sizeof(e->kind));
	list_append(&t->extens, &e->le, e);
}

static void on_trunk(const struct st_trunk *r, void *arg)
{
	struct load *l = arg;
	struct team *t = team_by_id(l->m, r->team_id);
	struct trunk *tr;

	if (!t)
		return;
	tr = mem_zalloc(sizeof(*tr), plain_destructor);
	if (!tr) {
		l->err = ENOMEM;
		return;
	}
	tr->team = t;
	tr->cfg = *r;
	list_append(&t->trunks, &tr->le, tr);
}

static void on_team_setting(const struct st_team_setting *r, void *arg)
{
	struct load *l = arg;
	struct team *t = team_by_id(l->m, r->team_id);
	struct team_setting *ts;

	if (!t)
		return;
	ts = mem_zalloc(sizeof(*ts), plain_destructor);
	if (!ts) {
		l->err = ENOMEM;
		return;
	}
	str_ncpy(ts->key, r->key, sizeof(ts->key));
	str_ncpy(ts->value, r->value, sizeof(ts->value));
	list_append(&t->settings, &ts->le, ts);
}

/* occctl refuses a file that does not parse, so a failure here means the
 * store was written some other way (or by another occ version): the team
 * keeps working without inbound routing, and the log says why. */
static void on_routing(const struct st_routing *r, void *arg)
{
	struct load *l = arg;
	struct team *t = team_by_id(l->m, r->team_id);
	struct routing *rt = NULL;
	char err[256];
	int e;

	if (!t)
		return;
	e = routing_parse(&rt, t->name, r->text, r->len, err, sizeof(err));
	if (!e)
		e = routing_load_zones(rt, TZ_ZONEINFO_DIR, err, sizeof(err));
	if (e == ENOMEM) {
		l->err = ENOMEM;
	}
	else if (e) {
		OCC_ERR("team %H: routing not loaded, the team has no inbound"
			" routing: %H", LQ(t->name), LQ(err));
	}
	if (e) {
		routing_free(rt);
		return;
	}
	routing_free(t->routing);
	t->routing = rt;
	OCC_INFO("team %H: routing loaded dids=%u routes=%u flows=%u"
		 " queues=%u", LQ(t->name), rt->ndids, rt->nroutes, rt->nflows,
		 rt->nqueues);
}

static void on_state(const struct st_agent_state *r, void *arg)
{
	struct load *l = arg;
	struct agent *a = agent_by_id(l->m, r->agent_id);

	if (!a)
		return;
	a->logged_in = r->logged_in;
	if (r->device[0])
		str_ncpy(a->device, r->device, sizeof(a->device));
	a->state = r->state >= 0 && r->state < AS_COUNT ? r->state : AS_LOGOUT;
	str_ncpy(a->pause_reason, r->pause_reason, sizeof(a->pause_reason));
	a->since_ms = r->since_ms;
	/* a group deleted since: none */
	a->default_group_id = team_group(a->team, r->default_group_id)
		? r->default_group_id : 0;
	a->dnd = r->dnd;
}

static bool group_sort(struct le *le1, struct le *le2, void *arg)
{
	const struct group *a = le1->data, *b = le2->data;
	return a->id <= b->id;
}

void model_carry_runtime(struct model *to, const struct model *from)
{
	struct le *le, *le2;

	LIST_FOREACH(&from->teams, le) {
		const struct team *t = le->data;
		struct team *t2 = team_find(to, t->name);
		if (!t2)
			continue;
		LIST_FOREACH(&t->agent_list, le2) {
			const struct agent *a = le2->data;
			struct agent *a2 = a->default_group_id ?
				agent_find(t2, a->number) : NULL;
			if (a2 && team_group(t2, a->default_group_id))
				a2->default_group_id = a->default_group_id;
		}
	}
}

int model_load(struct model **mp, struct store *st)
{
	return model_load_only(mp, st, NULL, NULL);
}

int model_load_only(struct model **mp, struct store *st,
		    bool (*keep)(const char *team, void *arg), void *arg)
{
	static const struct store_visitor v = {
		.team = on_team, .account = on_account, .agent = on_agent,
		.group = on_group, .member = on_member, .exten = on_exten,
		.agent_state = on_state, .trunk = on_trunk,
		.team_setting = on_team_setting, .routing = on_routing,
	};
	struct model *m = mem_zalloc(sizeof(*m), model_destructor);
	struct load l = { .m = m, .keep = keep, .keep_arg = arg };
	struct le *le, *le2;
	int err;

	if (!m)
		return ENOMEM;
	m->st = st;
	err = hash_alloc(&m->team_hash, 64);
	err |= hash_alloc(&m->group_hash, 256);
	err |= hash_alloc(&m->agent_id_hash, 4096);
	if (err) {
		err = ENOMEM;
		goto out;
	}
	err = store_load(st, &v, &l);
	if (!err)
		err = l.err;
	if (err)
		goto out;
	LIST_FOREACH(&m->teams, le) {
		struct team *t = le->data;
		list_sort(&t->groups, group_sort, NULL);
		LIST_FOREACH(&t->agent_list, le2) {
			struct agent *a = le2->data;
			bool in = false;
			struct le *le3;
			LIST_FOREACH(&a->members, le3)
				in |= ((struct member *)le3->data)->checked_in;
			/* the invariant of model.h, whatever the store says */
			if (!in)
				a->state = AS_LOGOUT;
			else if (a->state == AS_LOGOUT)
				a->state = AS_IDLE;
			/* an ACW that began before: its first checked-in
			 * group's time (the call's group is not kept) */
			if (a->state == AS_ACW)
				a->acw_s = agent_acw_time(a, NULL);
		}
	}
	*mp = m;
	m = NULL;
 out:
	mem_deref(m);
	return err;
}
