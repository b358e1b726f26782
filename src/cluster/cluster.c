/*
 * cluster.c — the plumbing of several nodes (cluster.h): the store's
 * occ_node and occ_team_lease rows read and written on a timer, plan.c's
 * decisions applied through the hooks occd gives.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "cluster"
#include "base/log.h"
#include "base/conf.h"
#include "core/occ.h"
#include "store/store.h"
#include "cluster/cluster.h"
#include "cluster/plan.h"

struct owned {
	struct le le;
	char team[ST_NAME];
	int64_t epoch;
	bool renewed;              /* in this tick's renewal */
	char wanted[ST_NAME];
};

struct snap_node {
	struct le le;
	struct st_node n;
	bool alive, fresh;
};

struct snap_lease {
	struct le le;
	struct st_lease l;
	char http[ST_ADDR];        /* its holder's, "" if none */
	bool holder_alive;         /* heartbeat within the lease */
	uint64_t seen;             /* when read (jiffies) */
};

struct cluster {
	struct occ *occ;
	struct cluster_hooks h;
	struct tmr tmr;
	char node[ST_NAME];
	unsigned lease_s;
	bool beaten;               /* a heartbeat was written */
	int64_t reload_epoch;      /* occctl's count of changes, last seen */
	uint64_t renewed_at;       /* when the last good renewal was sent */
	struct list owned;         /* struct owned */
	struct list nodes;         /* the last snapshot */
	struct list leases;
	uint64_t refresh_window;   /* cluster_route's reads: this second's */
	unsigned refreshes;        /* count */
	bool store_failed;         /* a read failed: none until a tick's
				    * read succeeds (each may block) */
	struct cluster_stats st;
	bool changed;              /* this tick: reload the model */
	struct list serve;         /* teams to serve after the reload */
};

static void cluster_destructor(void *arg)
{
	struct cluster *c = arg;

	tmr_cancel(&c->tmr);
	list_flush(&c->owned);
	list_flush(&c->nodes);
	list_flush(&c->leases);
	list_flush(&c->serve);
}

static struct owned *owned_find(const struct cluster *c, const char *team)
{
	struct le *le;

	LIST_FOREACH(&c->owned, le) {
		struct owned *o = le->data;
		if (!strcmp(o->team, team))
			return o;
	}
	return NULL;
}

bool cluster_serves(const struct cluster *c, const char *team)
{
	return owned_find(c, team) != NULL;
}

const char *cluster_node(const struct cluster *c)
{
	return c->node;
}

void cluster_stats(const struct cluster *c, struct cluster_stats *out)
{
	*out = c->st;
	out->teams_owned = list_count(&c->owned);
}

static struct snap_lease *lease_find(const struct cluster *c,
				     const char *team)
{
	struct le *le;

	LIST_FOREACH(&c->leases, le) {
		struct snap_lease *s = le->data;
		if (!strcmp(s->l.team, team))
			return s;
	}
	return NULL;
}

static bool alive(const struct cluster *c, int64_t age_ms)
{
	return age_ms >= 0 && age_ms < (int64_t)c->lease_s * 1000;
}

/* The holder of each lease of the snapshot just read. */
static void leases_link(struct cluster *c)
{
	uint64_t now = tmr_jiffies();
	struct le *le, *le2;

	LIST_FOREACH(&c->leases, le) {
		struct snap_lease *s = le->data;
		s->seen = now;
		LIST_FOREACH(&c->nodes, le2) {
			const struct snap_node *n = le2->data;
			if (strcmp(n->n.name, s->l.node))
				continue;
			str_ncpy(s->http, n->n.http_address, sizeof(s->http));
			s->holder_alive = n->alive;
		}
	}
}

/* Read team's lease row again (*sp: its snapshot entry, or NULL: a team
 * created since, added then). 0: read (or just read); ENOENT: no such
 * team; EAGAIN: no read left this second, or the last one failed and no
 * tick has read the store since; another error: the store's. */
static int lease_reread(struct cluster *c, const char *team,
			struct snap_lease **sp)
{
	uint64_t now = tmr_jiffies();
	struct snap_lease *s = *sp;
	struct st_lease l;
	struct st_node n;
	int err;

	if (s && now - s->seen < CLUSTER_REFRESH_MS)
		return 0;                  /* just read */
	if (now - c->refresh_window >= 1000) {
		c->refresh_window = now;
		c->refreshes = 0;
	}
	if (c->store_failed || c->refreshes >= CLUSTER_REFRESH_MAX)
		return EAGAIN;
	c->refreshes++;
	err = store_lease_get(c->occ->st, team, &l, &n);
	if (err && err != ENOENT) {
		OCC_DBG("team %H: lease not read: %m", LQ(team), err);
		c->store_failed = true;
	}
	if (err)
		return err;
	if (!s) {
		s = mem_zalloc(sizeof(*s), NULL);
		if (!s)
			return ENOMEM;
		list_append(&c->leases, &s->le, s);
		*sp = s;
	}
	s->l = l;
	str_ncpy(s->http, n.http_address, sizeof(s->http));
	s->holder_alive = alive(c, n.age_ms);
	s->seen = now;
	return 0;
}

/* Does s name another node, live, holding the lease? */
static bool held_elsewhere(const struct cluster *c,
			   const struct snap_lease *s)
{
	return s && s->l.live && s->holder_alive && s->http[0] &&
		strcmp(s->l.node, c->node);
}

enum cluster_route cluster_route(struct cluster *c, const char *team,
				 const char *failed, const char **httpp)
{
	struct snap_lease *s;
	uint64_t tick_ms = c->lease_s * 1000 / 3;
	int err;

	*httpp = NULL;
	if (owned_find(c, team))
		return CLUSTER_HERE;
	s = lease_find(c, team);
	/* the view is at most a tick old (and a little for a late loop) */
	if (failed || !held_elsewhere(c, s) ||
	    tmr_jiffies() - s->seen > tick_ms + 500) {
		err = lease_reread(c, team, &s);
		if (err == ENOENT)
			return CLUSTER_UNKNOWN;
		if (err && err != EAGAIN)
			return CLUSTER_BUSY;       /* the store cannot tell */
		/* EAGAIN: the view as it is */
	}
	if (!s)
		return CLUSTER_UNKNOWN;
	if (held_elsewhere(c, s) && !(failed && !strcmp(s->http, failed))) {
		*httpp = s->http;
		return CLUSTER_FORWARD;
	}
	return CLUSTER_BUSY;
}

const char *cluster_team_name(const struct cluster *c, int64_t team_id)
{
	struct le *le;

	LIST_FOREACH(&c->leases, le) {
		const struct st_lease *l = &((struct snap_lease *)le->data)->l;
		if (l->team_id == team_id)
			return l->team;
	}
	return NULL;
}

/* Stop serving o now (its lease is gone or being handed over). */
static void drop(struct cluster *c, struct owned *o, const char *why)
{
	OCC_WARN("team %H: not served here any more (%s) epoch=%lld",
		 LQ(o->team), why, (long long)o->epoch);
	if (c->h.unserve)
		c->h.unserve(o->team, c->h.arg);
	list_unlink(&o->le);
	mem_deref(o);
	c->st.releases++;
	c->changed = true;
}

static struct owned *take(struct cluster *c, const char *team, int64_t epoch)
{
	struct owned *o = mem_zalloc(sizeof(*o), NULL);
	struct owned *s = mem_zalloc(sizeof(*s), NULL);

	if (!o || !s) {
		mem_deref(o);
		mem_deref(s);
		return NULL;
	}
	str_ncpy(o->team, team, sizeof(o->team));
	o->epoch = epoch;
	o->renewed = true;
	list_append(&c->owned, &o->le, o);
	str_ncpy(s->team, team, sizeof(s->team));
	list_append(&c->serve, &s->le, s);
	c->st.claims++;
	c->changed = true;
	return o;
}

static void on_renewed(const char *team, int64_t epoch, const char *wanted,
		       void *arg)
{
	struct cluster *c = arg;
	struct owned *o = owned_find(c, team);

	/* a lease of ours this process did not know: the previous process
	 * of this node held it (a restart within the lease): served now,
	 * after closing what that process left open */
	if (!o) {
		o = take(c, team, epoch);
		if (!o)
			return;
		OCC_INFO("team %H: served here again (lease kept over a "
			 "restart) epoch=%lld", LQ(team), (long long)epoch);
	}
	o->renewed = true;
	o->epoch = epoch;
	str_ncpy(o->wanted, wanted, sizeof(o->wanted));
}

static void on_node(const struct st_node *n, void *arg)
{
	struct cluster *c = arg;
	struct snap_node *s = mem_zalloc(sizeof(*s), NULL);

	if (!s)
		return;
	s->n = *n;
	s->alive = alive(c, n->age_ms);
	s->fresh = n->up_ms < 3 * (int64_t)c->lease_s * 1000;
	list_append(&c->nodes, &s->le, s);
}

static void on_lease(const struct st_lease *l, void *arg)
{
	struct cluster *c = arg;
	struct snap_lease *s = mem_zalloc(sizeof(*s), NULL);

	if (!s)
		return;
	s->l = *l;
	list_append(&c->leases, &s->le, s);
}

/* Renew; the fence when renewals keep failing. false: stop the tick. */
static bool renew(struct cluster *c)
{
	uint64_t sent = tmr_jiffies();
	struct le *le, *next;
	int err;

	LIST_FOREACH(&c->owned, le)
		((struct owned *)le->data)->renewed = false;
	err = store_lease_renew(c->occ->st, c->node, c->lease_s, on_renewed,
				c);
	if (err) {
		c->st.renew_failures++;
		OCC_WARN("lease renewal failed: %m", err);
		if (sent - c->renewed_at <= c->lease_s * 1000 / 2)
			return false;
		while ((le = list_head(&c->owned)))
			drop(c, le->data, "renewals failing for half a lease");
		return false;
	}
	c->renewed_at = sent;
	for (le = list_head(&c->owned); le; le = next) {
		struct owned *o = le->data;
		next = le->next;
		if (!o->renewed)
			drop(c, o, "lease lost");
	}
	return true;
}

static void apply(struct cluster *c, const struct cl_action *a)
{
	struct owned *o;
	int64_t epoch = 0;
	const char *prev = "";
	struct le *le;
	int err;

	switch (a->kind) {
	case CL_RELEASE:
		o = owned_find(c, a->team);
		if (!o)
			return;
		drop(c, o, "handed over");
		/* after its calls ended: the next owner finds them closed */
		err = store_lease_release(c->occ->st, a->team, c->node);
		if (err)
			OCC_WARN("team %H: lease not released: %m",
				 LQ(a->team), err);
		return;
	case CL_WANT:
		OCC_INFO("team %H: handing over to %s (balancing)",
			 LQ(a->team), a->node);
		err = store_lease_want(c->occ->st, a->team, a->node);
		if (err)
			OCC_WARN("team %H: not handed over: %m", LQ(a->team),
				 err);
		return;
	case CL_CLAIM:
		LIST_FOREACH(&c->leases, le) {
			const struct st_lease *l =
				&((struct snap_lease *)le->data)->l;
			if (!strcmp(l->team, a->team))
				prev = l->node;
		}
		err = store_lease_claim(c->occ->st, a->team, c->node,
					c->lease_s, &epoch);
		if (err == EBUSY)
			return;          /* another node was quicker */
		if (err) {
			OCC_WARN("team %H: claim failed: %m", LQ(a->team), err);
			return;
		}
		if (!take(c, a->team, epoch))
			return;
		if (prev[0] && strcmp(prev, c->node))
			c->st.takeovers++;
		OCC_INFO("team %H: claimed epoch=%lld previous=%s",
			 LQ(a->team), (long long)epoch, prev[0] ? prev : "-");
		return;
	}
}

static void plan_and_apply(struct cluster *c)
{
	size_t nn = list_count(&c->nodes), nl = list_count(&c->leases), i;
	struct cl_node *nodes = mem_zalloc((nn + 1) * sizeof(*nodes), NULL);
	struct cl_lease *leases = mem_zalloc((nl + 1) * sizeof(*leases),
					      NULL);
	struct cl_action *acts = mem_zalloc((nl + 1) * sizeof(*acts), NULL);
	struct le *le;
	size_t n;

	if (!nodes || !leases || !acts)
		goto out;
	i = 0;
	LIST_FOREACH(&c->nodes, le) {
		struct snap_node *s = le->data;
		nodes[i++] = (struct cl_node){ s->n.name, s->alive,
					       s->fresh };
	}
	i = 0;
	LIST_FOREACH(&c->leases, le) {
		struct st_lease *l = &((struct snap_lease *)le->data)->l;
		leases[i++] = (struct cl_lease){ l->team, l->node, l->live,
						 l->wanted_node };
	}
	n = cluster_plan(c->node, nodes, nn, leases, nl, acts, nl + 1);
	for (i = 0; i < n; i++)
		apply(c, &acts[i]);
 out:
	mem_deref(nodes);
	mem_deref(leases);
	mem_deref(acts);
}

static void tick(void *arg)
{
	struct cluster *c = arg;
	const struct conf *cfg = c->occ->cfg;
	struct le *le;
	int64_t epoch = 0;
	int err;

	tmr_start(&c->tmr, c->lease_s * 1000 / 3, tick, c);
	c->changed = false;
	err = store_node_beat(c->occ->st, c->node, cfg->cluster_sip,
			      cfg->cluster_http, !c->beaten, &epoch);
	if (err) {
		c->st.renew_failures++;
		OCC_WARN("heartbeat failed: %m", err);
	}
	else {
		/* occctl changed provisioning (on whichever machine): load
		 * it, as its SIGHUP does on occctl's own node */
		if (c->beaten && epoch != c->reload_epoch) {
			OCC_INFO("provisioning changed (reload epoch %lld)",
				 (long long)epoch);
			c->changed = true;
		}
		c->reload_epoch = epoch;
		c->beaten = true;
	}
	if (renew(c)) {
		list_flush(&c->nodes);
		list_flush(&c->leases);
		err = store_cluster_visit(c->occ->st, on_node, on_lease, c);
		if (err)
			OCC_WARN("cluster state not read: %m", err);
		else {
			leases_link(c);
			c->store_failed = false;
			plan_and_apply(c);
		}
	}
	if (c->changed && c->h.reload)
		c->h.reload(c->h.arg);
	while ((le = list_head(&c->serve))) {
		struct owned *s = le->data;
		list_unlink(le);
		if (owned_find(c, s->team) && c->h.serve)
			c->h.serve(s->team, c->h.arg);
		mem_deref(s);
	}
}

void cluster_leave(struct cluster *c)
{
	struct le *le;

	tmr_cancel(&c->tmr);
	while ((le = list_head(&c->owned))) {
		struct owned *o = le->data;
		char team[ST_NAME];
		str_ncpy(team, o->team, sizeof(team));
		drop(c, o, "stopping");
		if (store_lease_release(c->occ->st, team, c->node))
			OCC_WARN("team %H: lease not released", LQ(team));
	}
}

int cluster_alloc(struct cluster **cp, struct occ *occ,
		  const struct cluster_hooks *h)
{
	struct cluster *c = mem_zalloc(sizeof(*c), cluster_destructor);

	if (!c)
		return ENOMEM;
	c->occ = occ;
	c->h = *h;
	c->lease_s = occ->cfg->cluster_lease;
	str_ncpy(c->node, occ->cfg->node_name, sizeof(c->node));
	tmr_init(&c->tmr);
	c->renewed_at = tmr_jiffies();
	tmr_start(&c->tmr, 0, tick, c);
	*cp = c;
	return 0;
}
