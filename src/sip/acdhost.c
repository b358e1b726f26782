/*
 * acdhost.c — the ACD's host: it keeps src/acd's queues, agents and
 * memberships in step with the model, tells it what agents do, and carries
 * out its decisions on SIP (offers are agent legs, inbound.c).
 *
 * The ACD is pure and must not be entered from its own callbacks, so what
 * happens inside one is deferred: agent changes (the model's observer)
 * mark the agent and a zero timer reports them; a caller's failure sends
 * it on from the loop. Handles never point into the model (it is replaced
 * on reload): agents and queues are kept by team and number here, and
 * looked up again when needed. Lookups are hashed and an agent's sync
 * walks its own memberships only, so a reload costs O(groups +
 * memberships), not O(agents x queues) (bench/inbound/reload.sh).
 *
 * An agent is available to the ACD when its device (the extension it
 * checked in with, else its own) is registered or built in, it is idle
 * (not paused, not in after-call work, not on a call the ACD did not
 * make), and, per queue, checked in with work mode dialin or all.
 */
#include <limits.h>
#include <string.h>
#include <time.h>
#include <sodium.h>
#include <re.h>
#define LOG_TOPIC "sip.acd"
#include "base/log.h"
#include "base/conf.h"
#include "acd/acd.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/occ.h"
#include "sip/call.h"
#include "sip/registrar.h"
#include "sip/tel_impl.h"
#include "sip/call_impl.h"
#include "sip/inbound_impl.h"

/* an agent as the ACD knows it */
struct aref {
	struct le le;            /* acdhost.agents */
	struct le he;            /* acdhost.agent_hash */
	struct le dle;           /* acdhost.dirty */
	char team[ST_NAME];
	char number[ST_NUM];
	struct acd_agent *a;
	struct list mships;      /* the queues the ACD has it in */
	unsigned engaged;        /* offers and a bridge the ACD made */
	bool dirty, seen, gone;
};

/* a queue: an agent group's */
struct qref {
	struct le le;            /* acdhost.queues */
	struct le he;            /* acdhost.queue_hash */
	char team[ST_NAME];
	char queue[ST_NUM];
	int64_t group_id;
	struct acd_queue *q;
	struct list mships;
	struct dest fail;
	bool seen;
	bool warned;             /* an announcement problem was logged */
};

/* an agent's membership of a queue, as told to the ACD */
struct mship {
	struct le le_a, le_q;
	struct qref *q;
	unsigned gen;            /* the sync that last saw it in the model */
};

/* an offer that could not be placed, to report from the loop */
struct unplaced {
	struct le le;
	struct inbound *in;      /* a reference */
	struct aref *r;
};

struct acdhost {
	struct tel *tel;
	struct acd *acd;
	struct tmr wake_tmr, sync_tmr;
	struct list agents, queues;
	struct hash *agent_hash, *queue_hash;   /* by team and number */
	struct list dirty;       /* struct aref, changed since the last push */
	struct list unplaced;
	unsigned gen;            /* of acdhost_sync */
};

static uint64_t now(void)
{
	return tmr_jiffies();
}

static struct acdhost *host_of(const struct tel *tel)
{
	return tel->acdh;
}

static uint32_t key_hash(const char *team, const char *number)
{
	return hash_joaat_str(team) * 31u + hash_joaat_str(number);
}

static struct aref *aref_find(struct acdhost *h, const char *team,
			      const char *number)
{
	struct le *le;

	LIST_FOREACH(hash_list(h->agent_hash, key_hash(team, number)), le) {
		struct aref *r = le->data;
		if (!strcmp(r->number, number) && !strcmp(r->team, team))
			return r;
	}
	return NULL;
}

static struct qref *qref_find(struct acdhost *h, const char *team,
			      const char *queue)
{
	struct le *le;

	LIST_FOREACH(hash_list(h->queue_hash, key_hash(team, queue)), le) {
		struct qref *q = le->data;
		if (!strcmp(q->queue, queue) && !strcmp(q->team, team))
			return q;
	}
	return NULL;
}

static void aref_destructor(void *arg)
{
	struct aref *r = arg;

	list_flush(&r->mships);
	list_unlink(&r->le);
	hash_unlink(&r->he);
	list_unlink(&r->dle);
}

static void qref_destructor(void *arg)
{
	struct qref *q = arg;

	list_flush(&q->mships);
	list_unlink(&q->le);
	hash_unlink(&q->he);
}

static void mship_destructor(void *arg)
{
	struct mship *ms = arg;

	list_unlink(&ms->le_a);
	list_unlink(&ms->le_q);
}

static struct mship *mship_find(const struct aref *r, const struct qref *q)
{
	struct le *le;

	LIST_FOREACH(&r->mships, le) {
		struct mship *ms = le->data;
		if (ms->q == q)
			return ms;
	}
	return NULL;
}

/* ---- agents --------------------------------------------------------------- */

const char *agent_device(const struct agent *a)
{
	return a->device[0] ? a->device : a->exten;
}

bool agent_device_up(struct tel *tel, const struct agent *a)
{
	const char *dev = agent_device(a);
	const struct exten *e = dev[0] ? exten_find(a->team, dev) : NULL;

	return e && (!strcmp(e->kind, "virtual") ||
		     registrar_lookup(tel->reg, a->team->name, dev));
}

/* Tell the ACD what the agent is doing now. */
static void push_agent(struct acdhost *h, struct aref *r)
{
	struct team *t = team_find(h->tel->occ->m, r->team);
	struct agent *a = t ? agent_find(t, r->number) : NULL;
	struct acd_agent_state st = { 0 };
	struct le *le;

	r->dirty = false;
	if (!a)
		return;
	st.registered = agent_device_up(h->tel, a);
	st.paused = a->state == AS_PAUSE;
	st.acw = a->state == AS_ACW;
	st.dnd = a->dnd;
	/* a call the ACD made keeps it from offering more by itself */
	st.busy = (a->state == AS_RING || a->state == AS_BUSY) &&
		!r->engaged;
	acd_agent_set(h->acd, r->a, &st, now());
	LIST_FOREACH(&a->members, le) {
		const struct member *mb = le->data;
		struct qref *q = qref_find(h, t->name, mb->group->queue);
		if (q)
			acd_member_set(h->acd, q->q, r->a, mb->checked_in,
				       mb->work_mode != WORK_DIALOUT, now());
	}
}

static void unplaced_destructor(void *arg)
{
	struct unplaced *u = arg;

	list_unlink(&u->le);
	mem_deref(u->in);
	mem_deref(u->r);
}

/* From the loop: agents that changed, offers that could not be placed
 * (the ACD takes them as unanswered and moves on). */
static void sync_dirty(void *arg)
{
	struct acdhost *h = arg;
	struct le *le;

	while ((le = list_head(&h->dirty))) {
		struct aref *r = le->data;
		list_unlink(le);
		if (r->dirty)
			push_agent(h, r);
	}
	while ((le = list_head(&h->unplaced))) {
		struct unplaced *u = le->data;
		/* the caller may have left, the agent gone with a reload */
		if (u->in->qc && !u->r->gone)
			acd_offer_failed(h->acd, u->in->qc, u->r->a,
					 ACD_ERROR, now());
		mem_deref(u);
	}
}

/* Push the agent to the ACD from the loop. */
static void mark_dirty(struct acdhost *h, struct aref *r)
{
	if (!r->dirty) {
		r->dirty = true;
		list_append(&h->dirty, &r->dle, r);
	}
	tmr_start(&h->sync_tmr, 0, sync_dirty, h);
}

static void agent_changed(struct agent *a, void *arg)
{
	struct acdhost *h = arg;
	struct aref *r = aref_find(h, a->team->name, a->number);

	if (!r || r->dirty)
		return;
	mark_dirty(h, r);
}

/* A phone registered or went (registrar.c): the agents using it. */
void acdhost_device_changed(struct tel *tel, const char *team,
			    const char *exten)
{
	struct acdhost *h = host_of(tel);
	struct team *t = h ? team_find(tel->occ->m, team) : NULL;
	struct le *le;

	if (!t)
		return;
	LIST_FOREACH(&t->agent_list, le) {
		struct agent *a = le->data;
		if (!strcmp(agent_device(a), exten))
			agent_changed(a, h);
	}
}

static void device_changed(const char *team, const char *exten, void *arg)
{
	acdhost_device_changed(arg, team, exten);
}

/* ---- the ACD's callbacks ------------------------------------------------ */

static void cb_offer(void *arg, const struct acd_leg *leg)
{
	struct acdhost *h = arg;
	struct inbound *in = leg->caller_host;
	struct aref *r = leg->agent_host;
	struct qref *q = leg->queue_host;
	struct team *t = team_find(h->tel->occ->m, r->team);
	struct agent *a = t ? agent_find(t, r->number) : NULL;
	const struct group *g = t ? team_group(t, q->group_id) : NULL;
	const struct member *mb = a && g ? agent_membership(a, g) : NULL;
	struct offer *o = NULL;
	int err = ENOENT;

	r->engaged++;
	/* the ACD times the offer out; the leg's own timer is a backstop */
	if (a)
		err = offer_ring(in, agent_device(a), a->number, q->group_id,
				 mb ? mb->acw_mode : ACW_OFF,
				 leg->ring_timeout_ms / 1000 + 5, &o);
	if (!err) {
		o->acd_agent = leg->agent;
		return;
	}
	/* cannot ring it: the ACD hears so from the loop */
	r->engaged--;
	OCC_INFO("offer not placed queue=%s agent=%s: %m", q->queue,
		 r->number, err);
	struct unplaced *u = mem_zalloc(sizeof(*u), unplaced_destructor);
	if (!u)
		return;          /* the ACD's own ring timeout ends it */
	u->in = mem_ref(in);
	u->r = mem_ref(r);
	list_append(&h->unplaced, &u->le, u);
	tmr_start(&h->sync_tmr, 0, sync_dirty, h);
}

static void cb_cancel(void *arg, const struct acd_leg *leg,
		      enum acd_cancel why)
{
	struct inbound *in = leg->caller_host;
	struct le *le;

	(void)arg;
	(void)why;
	LIST_FOREACH(&in->offers, le) {
		struct offer *o = le->data;
		if (o->acd_agent == leg->agent) {
			struct aref *r = leg->agent_host;
			if (r->engaged)
				r->engaged--;
			o->acd_agent = NULL;     /* the ACD knows */
			offer_drop(in, o);
			return;
		}
	}
}

static void cb_failed(void *arg, struct acd_caller *c, void *caller_host,
		      enum acd_fail why)
{
	struct inbound *in = caller_host;
	struct qref *q = qref_find(arg, in->c->team, in->queue);
	static const char *const whys[] = {
		[ACD_FAIL_MAX_WAIT] = "max_wait", [ACD_FAIL_FULL] = "full",
		[ACD_FAIL_EMPTY] = "empty",
		[ACD_FAIL_LEAVE_EMPTY] = "leave_empty",
	};

	(void)c;
	in->leave_reason = why == ACD_FAIL_MAX_WAIT ? "timeout"
		: why == ACD_FAIL_FULL ? "full" : "empty";
	OCC_INFO("queue left session=%s queue=%s why=%s", in->c->sessionid,
		 in->queue, why < ARRAY_SIZE(whys) && whys[why] ? whys[why]
		 : "?");
	inbound_go_later(in, q ? &q->fail : &(struct dest){ .kind = DEST_HANGUP });
}

static void cb_autopause(void *arg, struct acd_agent *a, void *agent_host)
{
	struct acdhost *h = arg;
	struct aref *r = agent_host;
	struct team *t = team_find(h->tel->occ->m, r->team);
	struct agent *ag = t ? agent_find(t, r->number) : NULL;

	(void)a;
	if (!ag || ag->state == AS_PAUSE)
		return;
	OCC_INFO("agent paused after ring-no-answer team=%s agent=%s",
		 r->team, r->number);
	agent_pause(h->tel->occ->m, ag, "noanswer");
}

static void tick(void *arg)
{
	struct acdhost *h = arg;

	acd_tick(h->acd, now());
}

static void cb_wake(void *arg, uint64_t at_ms)
{
	struct acdhost *h = arg;
	uint64_t t = now();

	if (!at_ms) {
		tmr_cancel(&h->wake_tmr);
		return;
	}
	tmr_start(&h->wake_tmr, at_ms > t ? at_ms - t : 0, tick, h);
}

static const struct acd_ops ops = {
	.offer = cb_offer, .cancel_offer = cb_cancel,
	.caller_failed = cb_failed, .agent_autopause = cb_autopause,
	.wake = cb_wake,
};

/* ---- following the model ------------------------------------------------ */

static void queue_defaults(struct queue_cfg *cfg, const char *queue)
{
	memset(cfg, 0, sizeof(*cfg));
	str_ncpy(cfg->queue, queue, sizeof(cfg->queue));
	cfg->strategy = QS_LEASTRECENT;
	cfg->ring_timeout_s = 15;
	cfg->retry_s = 5;
	cfg->join_empty = true;
	cfg->fail.kind = DEST_HANGUP;
}

static void sync_queue(struct acdhost *h, const struct team *t,
		       const struct group *g)
{
	const struct queue_cfg *rc = t->routing ? routing_queue(t->routing,
							      g->queue) : NULL;
	struct queue_cfg def;
	const struct queue_cfg *cfg = rc;
	struct qref *q = qref_find(h, t->name, g->queue);

	if (!cfg) {
		queue_defaults(&def, g->queue);
		cfg = &def;
	}
	if (!q) {
		q = mem_zalloc(sizeof(*q), qref_destructor);
		if (!q)
			return;
		str_ncpy(q->team, t->name, sizeof(q->team));
		str_ncpy(q->queue, g->queue, sizeof(q->queue));
		q->q = acd_queue_add(h->acd, t->name, cfg, q);
		if (!q->q) {
			OCC_WARN("queue not added team=%s queue=%s", t->name,
				 g->queue);
			mem_deref(q);
			return;
		}
		list_append(&h->queues, &q->le, q);
		hash_append(h->queue_hash, key_hash(q->team, q->queue),
			    &q->he, q);
	}
	else {
		acd_queue_set_cfg(h->acd, q->q, cfg, now());
	}
	q->group_id = g->id;
	q->warned = false;       /* a new file: its problems are new */
	q->fail = cfg->fail.kind ? cfg->fail : (struct dest){ .kind = DEST_HANGUP };
	q->seen = true;
}

static void sync_agent(struct acdhost *h, struct agent *a)
{
	struct aref *r = aref_find(h, a->team->name, a->number);
	struct le *le, *next;

	if (!r) {
		r = mem_zalloc(sizeof(*r), aref_destructor);
		if (!r)
			return;
		str_ncpy(r->team, a->team->name, sizeof(r->team));
		str_ncpy(r->number, a->number, sizeof(r->number));
		r->a = acd_agent_add(h->acd, r->team, r->number, r);
		if (!r->a) {
			mem_deref(r);
			return;
		}
		list_append(&h->agents, &r->le, r);
		hash_append(h->agent_hash, key_hash(r->team, r->number),
			    &r->he, r);
	}
	/* memberships: the ACD's follow the model's, walking the agent's
	 * own (a queue is its group's while the group has its number);
	 * ones that went are removed */
	LIST_FOREACH(&a->members, le) {
		const struct member *mb = le->data;
		struct qref *q = qref_find(h, r->team, mb->group->queue);
		struct mship *ms;
		if (!q || q->group_id != mb->group->id)
			continue;
		ms = mship_find(r, q);
		if (!ms) {
			ms = mem_zalloc(sizeof(*ms), mship_destructor);
			if (!ms)
				continue;
			ms->q = q;
			list_append(&r->mships, &ms->le_a, ms);
			list_append(&q->mships, &ms->le_q, ms);
			acd_member_add(h->acd, q->q, r->a, now());
		}
		ms->gen = h->gen;
	}
	for (le = list_head(&r->mships); le; le = next) {
		struct mship *ms = le->data;
		next = le->next;
		if (ms->gen == h->gen)
			continue;
		acd_member_remove(h->acd, ms->q->q, r->a, now());
		mem_deref(ms);
	}
	r->seen = true;
	push_agent(h, r);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void acdhost_sync(struct tel *tel)
{
	struct acdhost *h = host_of(tel);
	struct le *le, *next;
	uint64_t t0 = mono_us();

	if (!h)
		return;
	h->gen++;
	LIST_FOREACH(&h->queues, le)
		((struct qref *)le->data)->seen = false;
	LIST_FOREACH(&h->agents, le)
		((struct aref *)le->data)->seen = false;
	LIST_FOREACH(&tel->occ->m->teams, le) {
		const struct team *t = le->data;
		struct le *ge;
		LIST_FOREACH(&t->groups, ge) {
			const struct group *g = ge->data;
			if (g->queue[0])
				sync_queue(h, t, g);
		}
	}
	LIST_FOREACH(&tel->occ->m->teams, le) {
		struct team *t = le->data;
		struct le *ae;
		LIST_FOREACH(&t->agent_list, ae)
			sync_agent(h, ae->data);
	}
	for (le = list_head(&h->agents); le; le = next) {
		struct aref *r = le->data;
		next = le->next;
		if (r->seen)
			continue;
		acd_agent_remove(h->acd, r->a, now());
		r->gone = true;          /* an unplaced offer may hold it */
		list_unlink(&r->le);
		hash_unlink(&r->he);
		mem_deref(r);
	}
	for (le = list_head(&h->queues); le; le = next) {
		struct qref *q = le->data;
		next = le->next;
		/* a queue with callers stays until they are gone */
		if (q->seen || acd_queue_remove(h->acd, q->q))
			continue;
		mem_deref(q);            /* the ACD dropped its members */
	}
	/* bench/inbound/reload.sh reads this */
	OCC_INFO("acd synced queues=%u agents=%u us=%llu",
		 list_count(&h->queues), list_count(&h->agents),
		 (unsigned long long)(mono_us() - t0));
}

int acdhost_init(struct tel *tel)
{
	struct acdhost *h = mem_zalloc(sizeof(*h), NULL);
	uint64_t seed;

	if (!h)
		return ENOMEM;
	randombytes_buf(&seed, sizeof(seed));
	h->tel = tel;
	h->acd = acd_new(&ops, h, seed);
	if (!h->acd || hash_alloc(&h->agent_hash, 4096) ||
	    hash_alloc(&h->queue_hash, 1024)) {
		if (h->acd)
			acd_free(h->acd);
		mem_deref(h->agent_hash);
		mem_deref(h);
		return ENOMEM;
	}
	tmr_init(&h->wake_tmr);
	tmr_init(&h->sync_tmr);
	tel->acdh = h;
	agent_set_observer(agent_changed, h);
	registrar_set_observer(tel->reg, device_changed, tel);
	acdhost_sync(tel);
	return 0;
}

void acdhost_close(struct tel *tel)
{
	struct acdhost *h = host_of(tel);

	if (!h)
		return;
	agent_set_observer(NULL, NULL);
	if (tel->reg)
		registrar_set_observer(tel->reg, NULL, NULL);
	tmr_cancel(&h->wake_tmr);
	tmr_cancel(&h->sync_tmr);
	acd_free(h->acd);
	list_flush(&h->unplaced);
	list_flush(&h->agents);
	list_flush(&h->queues);
	mem_deref(h->agent_hash);
	mem_deref(h->queue_hash);
	tel->acdh = NULL;
	mem_deref(h);
}

/* ---- callers ---------------------------------------------------------------- */

int acdhost_join(struct inbound *in, const char *queue, int prio)
{
	struct acdhost *h = host_of(in->c->tel);
	struct qref *q = h ? qref_find(h, in->c->team, queue) : NULL;
	uint64_t t = now();
	int r;

	if (!q)
		return ENOENT;
	str_ncpy(in->queue, queue, sizeof(in->queue));
	in->group_id = q->group_id;
	/* told before the ACD may offer it (a built-in phone rings at
	 * once), so QUEUE join comes before AGENT ringing */
	inbound_tell_join(in, acd_queue_place(q->q, prio, in->join_ms
					      ? in->join_ms : t), prio);
	r = acd_caller_join(h->acd, q->q, prio, in->c->req.target,
			    in->join_ms ? in->join_ms : t, in, t, &in->qc);
	if (r == ACD_OK && !in->join_ms)
		in->join_ms = t;
	if (r != ACD_OK)
		inbound_tell_leave(in, r == ACD_FAIL_FULL ? "full" : r > 0
				   ? "empty" : "system", 0);
	if (r == ACD_OK) {
		in->wait_from = t;
		str_ncpy(in->c->cdr.queue, queue, sizeof(in->c->cdr.queue));
	}
	return r == ACD_OK ? 0 : r > 0 ? -r : ENOMEM;
}

bool acdhost_wait_info(struct inbound *in, unsigned *position,
		       uint64_t *holdtime_ms)
{
	struct acdhost *h = host_of(in->c->tel);
	struct qref *q = h && in->qc ? qref_find(h, in->c->team, in->queue)
		: NULL;

	if (!q)
		return false;
	*position = acd_caller_position(in->qc);
	*holdtime_ms = acd_queue_expected_wait_ms(q->q);
	return true;
}

bool acdhost_first_warning(struct inbound *in)
{
	struct acdhost *h = host_of(in->c->tel);
	struct qref *q = h ? qref_find(h, in->c->team, in->queue) : NULL;

	if (!q || q->warned)
		return false;
	q->warned = true;
	return true;
}

/* The caller's wait in its queue ends (answered, or out of the queue):
 * the CDR's queue_wait_ms, once per visit. */
static void wait_ends(struct inbound *in)
{
	if (!in->wait_from)
		return;
	in->c->cdr.queue_wait_ms = (int64_t)(now() - in->wait_from);
	in->wait_from = 0;
}

void acdhost_leave(struct inbound *in)
{
	struct acdhost *h = host_of(in->c->tel);
	struct acd_caller *qc = in->qc;

	if (!h || !qc)
		return;
	inbound_tell_leave(in, in->leave_reason ? in->leave_reason : "system",
			   acd_caller_position(qc));
	announce_stop(in);
	wait_ends(in);
	in->qc = NULL;
	acd_caller_leave(h->acd, qc, now());
}

bool acdhost_answered(struct inbound *in, struct offer *o)
{
	struct acdhost *h = host_of(in->c->tel);

	if (!h || !in->qc || !o->acd_agent ||
	    !acd_offer_answered(h->acd, in->qc, o->acd_agent, now()))
		return false;
	wait_ends(in);
	return true;
}

static struct aref *aref_of(struct acdhost *h, const struct acd_agent *a)
{
	return a ? acd_agent_host(a) : NULL;
}

void acdhost_offer_failed(struct inbound *in, struct acd_agent *a,
			  uint16_t scode)
{
	struct acdhost *h = host_of(in->c->tel);
	struct aref *r = aref_of(h, a);
	enum acd_offer_result why =
		scode == 486 || scode == 600 || scode == 603 ? ACD_BUSY
		: scode == 408 || scode == 480 || scode == 487 || !scode
		? ACD_NO_ANSWER : ACD_ERROR;

	if (!h || !in->qc || !a)
		return;
	if (r && r->engaged)
		r->engaged--;
	acd_offer_failed(h->acd, in->qc, a, why, now());
}

void acdhost_call_ended(struct inbound *in, bool acw)
{
	struct acdhost *h = host_of(in->c->tel);
	struct aref *r = h ? aref_find(h, in->c->team, in->c->agent) : NULL;

	if (!h || !in->qc)
		return;
	if (r) {
		if (r->engaged)
			r->engaged--;
		acd_call_ended(h->acd, r->a, acw, now());
		mark_dirty(h, r);
	}
	acdhost_leave(in);
}

bool acdhost_agent_awaited(struct tel *tel, const char *team,
			   const char *number)
{
	struct acdhost *h = host_of(tel);
	struct aref *r = h ? aref_find(h, team, number) : NULL;

	return r && !r->gone && acd_agent_awaited(h->acd, r->a);
}

int acdhost_counts(struct tel *tel, const char *team, const char *queue,
		   int min_prio, unsigned *total, unsigned *ringing,
		   unsigned *waiting, unsigned *talking)
{
	struct acdhost *h = host_of(tel);
	struct acd_counts n = { 0 };

	if (!h)
		return ENOENT;
	if (!queue[0] || !strcmp(queue, "0")) {
		acd_team_counts(h->acd, team, min_prio, &n);
	}
	else {
		struct qref *q = qref_find(h, team, queue);
		if (!q)
			return ENOENT;
		acd_queue_counts(q->q, min_prio, &n);
	}
	*total = n.total;
	*ringing = n.ringing;
	*waiting = n.waiting;
	*talking = n.talking;
	return 0;
}

void tel_queues(struct tel *tel, tel_queue_h *qh, void *arg)
{
	struct acdhost *h = host_of(tel);
	uint64_t t = now();
	struct le *le;

	if (!h)
		return;
	LIST_FOREACH(&h->queues, le) {
		const struct qref *q = le->data;
		struct acd_counts n;
		uint64_t oldest;
		if (!q->q)
			continue;
		acd_queue_counts(q->q, INT_MIN, &n);
		oldest = acd_queue_oldest_wait(q->q);
		qh(&(struct tel_queue){
			.team = q->team, .queue = q->queue,
			.waiting = n.waiting, .ringing = n.ringing,
			.talking = n.talking,
			.longest_wait_ms = oldest && oldest < t ? t - oldest : 0,
		   }, arg);
	}
}
