/*
 * stats.c — today's call figures from the event bus (see stats.h).
 *
 * Two tables: counters, one per (team, agent, group) and day, zeroed when
 * an event of a later day touches them; and the agent legs in progress,
 * by sessionid, which remember whose leg it is and since when it talks.
 * Both are hashed, so an event costs a bucket walk however many agents
 * the server carries. A leg leaves the table at its hangup (or its call's
 * CONVERSATION hangup); occd's crash recovery publishes the hangups of
 * the calls a crash cut, so none is left behind.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "events.stats"
#include "base/log.h"
#include "core/agent.h"
#include "core/model.h"
#include "core/occ.h"
#include "events/events.h"
#include "events/stats.h"

enum { BUCKETS = 256 };

/* The head of every table's entry (each struct's first member, so a
 * table's element is also its entry): what a team's rebuild drops by. */
struct team_entry {
	struct le he;
	int64_t team_id;
};

struct counter {
	struct team_entry te;
	char agent[ST_NUM];
	int64_t group_id;
	int64_t day;                 /* local midnight of the figures (ms) */
	struct stats_day d;
};

struct aleg {
	struct team_entry te;
	char sessionid[ST_SESSIONID];
	int64_t uniqueid;
	char agent[ST_NUM];
	int64_t group_id;
	bool dialin;
	bool answered;               /* the agent's phone is off hook */
	int64_t talk_from;           /* 0: not talking yet */
};

/* a queue's figures of a day, by (team, group) */
struct qcounter {
	struct team_entry te;
	int64_t group_id;
	int64_t day;
	struct stats_queue q;
};

struct stats {
	struct occ *occ;
	struct hash *counters;
	struct hash *legs;
	struct hash *queues;
};

/* ---- the event's fields -------------------------------------------------- */

/* The value of key in "k=v&k=v&" (raw: the fields read here are words,
 * numbers and hex, never escaped), or an empty pl. */
static struct pl field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	struct pl v = PL_INIT;

	for (const char *p = text; p && *p;) {
		const char *amp = strchr(p, '&');
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			v.p = p + kl + 1;
			v.l = amp ? (size_t)(amp - v.p) : strlen(v.p);
			return v;
		}
		p = amp ? amp + 1 : NULL;
	}
	return v;
}

static bool field_is(const char *text, const char *key, const char *word)
{
	struct pl v = field(text, key);
	return !pl_strcmp(&v, word);
}

/* ---- counters -------------------------------------------------------------- */

static uint32_t counter_key(int64_t team_id, const char *agent,
			    int64_t group_id)
{
	return hash_joaat_str(agent) ^ (uint32_t)(team_id * 2654435761u) ^
		(uint32_t)group_id;
}

static struct counter *counter_find(const struct stats *s, int64_t team_id,
				    const char *agent, int64_t group_id)
{
	struct le *le;

	LIST_FOREACH(hash_list(s->counters, counter_key(team_id, agent,
							 group_id)), le) {
		struct counter *c = le->data;
		if (c->te.team_id == team_id && c->group_id == group_id &&
		    !strcmp(c->agent, agent))
			return c;
	}
	return NULL;
}

/* The counter for the day of ts, zeroed if it held an older day. */
static struct counter *counter_of(struct stats *s, const struct aleg *l,
				  int64_t ts)
{
	struct counter *c = counter_find(s, l->te.team_id, l->agent,
					 l->group_id);
	int64_t day = day_start_ms(ts);

	if (!c) {
		c = mem_zalloc(sizeof(*c), NULL);
		if (!c)
			return NULL;
		c->te.team_id = l->te.team_id;
		str_ncpy(c->agent, l->agent, sizeof(c->agent));
		c->group_id = l->group_id;
		hash_append(s->counters, counter_key(c->te.team_id, c->agent,
						     c->group_id),
			    &c->te.he, c);
	}
	if (c->day < day) {
		memset(&c->d, 0, sizeof(c->d));
		c->day = day;
	}
	return c;
}

static uint32_t qcounter_key(int64_t team_id, int64_t group_id)
{
	return (uint32_t)(team_id * 2654435761u) ^ (uint32_t)group_id;
}

static struct qcounter *qcounter_find(const struct stats *s, int64_t team_id,
				      int64_t group_id)
{
	struct le *le;

	LIST_FOREACH(hash_list(s->queues, qcounter_key(team_id, group_id)),
		     le) {
		struct qcounter *c = le->data;
		if (c->te.team_id == team_id && c->group_id == group_id)
			return c;
	}
	return NULL;
}

/* The queue's counter for the day of ts, zeroed if it held an older day;
 * NULL for a call of no group. */
static struct qcounter *qcounter_of(struct stats *s, int64_t team_id,
				    int64_t group_id, int64_t ts)
{
	struct qcounter *c;
	int64_t day = day_start_ms(ts);

	if (!group_id)
		return NULL;
	c = qcounter_find(s, team_id, group_id);
	if (!c) {
		c = mem_zalloc(sizeof(*c), NULL);
		if (!c)
			return NULL;
		c->te.team_id = team_id;
		c->group_id = group_id;
		hash_append(s->queues, qcounter_key(team_id, group_id),
			    &c->te.he, c);
	}
	if (c->day < day) {
		memset(&c->q, 0, sizeof(c->q));
		c->day = day;
	}
	return c;
}

/* ---- legs ------------------------------------------------------------------ */

static void aleg_destructor(void *arg)
{
	hash_unlink(&((struct aleg *)arg)->te.he);
}

static struct list *session_legs(const struct stats *s, const char *sid)
{
	return hash_list(s->legs, hash_joaat_str(sid));
}

static struct aleg *leg_find(const struct stats *s, int64_t team_id,
			     const char *sid, int64_t uniqueid)
{
	struct le *le;

	LIST_FOREACH(session_legs(s, sid), le) {
		struct aleg *l = le->data;
		if (l->te.team_id == team_id && l->uniqueid == uniqueid &&
		    !strcmp(l->sessionid, sid))
			return l;
	}
	return NULL;
}

/* Is another agent already talking in this call? Then an AGENT leg that
 * appears is a leader supervising, not a call of his. */
static bool other_agent_answered(const struct stats *s, int64_t team_id,
				 const char *sid, const char *agent)
{
	struct le *le;

	LIST_FOREACH(session_legs(s, sid), le) {
		const struct aleg *l = le->data;
		if (l->te.team_id == team_id && l->answered &&
		    strcmp(l->agent, agent) && !strcmp(l->sessionid, sid))
			return true;
	}
	return false;
}

static void talk_starts(struct stats *s, struct aleg *l, int64_t ts)
{
	struct counter *c = counter_of(s, l, ts);

	if (l->talk_from || !c)
		return;
	l->talk_from = ts;
	if (l->dialin)
		c->d.in_answered++;
	else
		c->d.out_answered++;
}

/* The leg ends: its talk since midnight goes to the day's counter. */
static void leg_ends(struct stats *s, struct aleg *l, int64_t ts)
{
	struct counter *c = l->talk_from ? counter_of(s, l, ts) : NULL;
	struct qcounter *qc = l->talk_from && l->dialin
		? qcounter_of(s, l->te.team_id, l->group_id, ts) : NULL;

	if (c) {
		int64_t from = l->talk_from > c->day ? l->talk_from : c->day;
		if (ts > from)
			c->d.talk_ms += ts - from;
	}
	if (qc) {
		qc->q.handled++;
		if (ts > l->talk_from)
			qc->q.handle_ms += ts - l->talk_from;
	}
	mem_deref(l);
}

/* ---- the sink ---------------------------------------------------------------- */

static void agent_event(struct stats *s, const struct event *ev,
			const char *sid, const char *what)
{
	struct pl uid = field(ev->text, "uniqueid");
	int64_t uniqueid = (int64_t)pl_u64(&uid);
	struct aleg *l = leg_find(s, ev->team_id, sid, uniqueid);

	if (!l) {
		struct pl gid = field(ev->text, "AgentGroupId");
		struct counter *c;
		/* a leg whose first word is its hangup never rang */
		if (!strcmp(what, "hangup") ||
		    other_agent_answered(s, ev->team_id, sid, ev->agent1))
			return;
		l = mem_zalloc(sizeof(*l), aleg_destructor);
		if (!l)
			return;
		l->te.team_id = ev->team_id;
		str_ncpy(l->sessionid, sid, sizeof(l->sessionid));
		l->uniqueid = uniqueid;
		str_ncpy(l->agent, ev->agent1, sizeof(l->agent));
		l->group_id = (int64_t)pl_u64(&gid);
		l->dialin = field_is(ev->text, "from", "dialin") ||
			field_is(ev->text, "calltype", "dialin");
		hash_append(s->legs, hash_joaat_str(sid), &l->te.he, l);
		c = counter_of(s, l, ev->ts_ms);
		if (c)
			c->d.total_calls++;
	}
	if (!strcmp(what, "answer")) {
		l->answered = true;
		if (l->dialin)
			talk_starts(s, l, ev->ts_ms);
	}
	else if (!strcmp(what, "hangup")) {
		leg_ends(s, l, ev->ts_ms);
	}
}

/* The customer of a dialout call answered: the agent legs that are up
 * talk from now. */
static void customer_answered(struct stats *s, const struct event *ev,
			      const char *sid)
{
	struct le *le;

	LIST_FOREACH(session_legs(s, sid), le) {
		struct aleg *l = le->data;
		if (l->te.team_id == ev->team_id && l->answered && !l->dialin &&
		    !strcmp(l->sessionid, sid))
			talk_starts(s, l, ev->ts_ms);
	}
}

static void call_over(struct stats *s, const struct event *ev,
		      const char *sid)
{
	struct le *le = list_head(session_legs(s, sid));

	while (le) {
		struct aleg *l = le->data;
		le = le->next;
		if (l->te.team_id == ev->team_id && !strcmp(l->sessionid, sid))
			leg_ends(s, l, ev->ts_ms);
	}
}

/* A caller left a queue: answered (after waittime), abandoned, or else. */
static void queue_left(struct stats *s, const struct event *ev)
{
	struct pl gid = field(ev->text, "AgentGroupId");
	struct pl wait = field(ev->text, "waittime");
	struct qcounter *c = qcounter_of(s, ev->team_id,
					 (int64_t)pl_u64(&gid), ev->ts_ms);
	uint64_t w = pl_u64(&wait);

	if (!c)
		return;
	if (field_is(ev->text, "reason", "answered")) {
		c->q.answered++;
		c->q.wait_s += w;
		c->q.answered_by[w < STATS_WAIT_MAX ? w : STATS_WAIT_MAX]++;
	}
	else if (field_is(ev->text, "reason", "abandon")) {
		c->q.abandoned++;
	}
	else {
		c->q.other++;
	}
}

void stats_event(const struct event *ev, void *arg)
{
	struct stats *s = arg;
	struct pl src = field(ev->text, "source");
	struct pl what = field(ev->text, "event");
	struct pl sidp = field(ev->text, "sessionid");
	char sid[ST_SESSIONID], word[16];

	if (!sidp.l || sidp.l >= sizeof(sid) || what.l >= sizeof(word))
		return;
	pl_strcpy(&sidp, sid, sizeof(sid));
	pl_strcpy(&what, word, sizeof(word));
	if (!pl_strcmp(&src, "AGENT") && ev->agent1[0])
		agent_event(s, ev, sid, word);
	else if (!pl_strcmp(&src, "CALLEE") && !strcmp(word, "answer"))
		customer_answered(s, ev, sid);
	else if (!pl_strcmp(&src, "CONVERSATION") && !strcmp(word, "hangup"))
		call_over(s, ev, sid);
	else if (!pl_strcmp(&src, "QUEUE") && !strcmp(word, "leave"))
		queue_left(s, ev);
}

/* ---- start and reading ------------------------------------------------------ */

/* Today's stored events of team t, through the sink. */
static void replay_team(struct stats *s, const struct team *t)
{
	int64_t after = 0;
	int err = store_event_before(s->occ->st, t->id,
				     day_start_ms(now_ms()), &after);

	if (!err)
		err = events_replay(s->occ->ev, t->name, NULL, after, 0,
				    stats_event, s);
	if (err)
		OCC_ERR("today's statistics not restored team=%s: %m",
			t->name, err);
}

/* Today's stored events of every team, through the sink. */
static void replay_today(struct stats *s)
{
	struct le *le;

	LIST_FOREACH(&s->occ->m->teams, le)
		replay_team(s, le->data);
}

/* hash_apply handler of the three tables: drop what team *arg had */
static bool team_entry_forget(struct le *le, void *arg)
{
	struct team_entry *e = le->data;

	if (e->team_id == *(const int64_t *)arg) {
		hash_unlink(&e->he);
		mem_deref(e);
	}
	return false;
}

void stats_team_restore(struct stats *s, const struct team *t)
{
	if (!s || !t || !s->occ->ev)
		return;
	hash_apply(s->counters, team_entry_forget, (void *)&t->id);
	hash_apply(s->queues, team_entry_forget, (void *)&t->id);
	hash_apply(s->legs, team_entry_forget, (void *)&t->id);
	replay_team(s, t);
}

static void stats_destructor(void *arg)
{
	struct stats *s = arg;

	hash_flush(s->legs);
	mem_deref(s->legs);
	hash_flush(s->queues);
	mem_deref(s->queues);
	hash_flush(s->counters);
	mem_deref(s->counters);
}

int stats_alloc(struct stats **sp, struct occ *occ)
{
	struct stats *s = mem_zalloc(sizeof(*s), stats_destructor);
	int err;

	if (!s)
		return ENOMEM;
	s->occ = occ;
	err = hash_alloc(&s->counters, BUCKETS);
	err |= hash_alloc(&s->legs, BUCKETS);
	err |= hash_alloc(&s->queues, BUCKETS);
	if (!err && occ->ev) {
		replay_today(s);
		err = events_sink_add(occ->ev, stats_event, s);
	}
	if (err) {
		mem_deref(s);
		return err;
	}
	*sp = s;
	return 0;
}

struct running {
	const struct counter *c;
	int64_t now;
	int64_t ms;
};

static bool add_running(struct le *le, void *arg)
{
	const struct aleg *l = le->data;
	struct running *r = arg;
	int64_t from;

	if (!l->talk_from || l->te.team_id != r->c->te.team_id ||
	    l->group_id != r->c->group_id || strcmp(l->agent, r->c->agent))
		return false;
	from = l->talk_from > r->c->day ? l->talk_from : r->c->day;
	if (r->now > from)
		r->ms += r->now - from;
	return false;
}

void stats_agent_day(const struct stats *s, int64_t team_id,
		     const char *agent, int64_t group_id, int64_t now,
		     struct stats_day *d)
{
	const struct counter *c;
	struct counter today = { .te.team_id = team_id, .group_id = group_id,
				 .day = day_start_ms(now) };
	struct running r = { .c = &today, .now = now };

	memset(d, 0, sizeof(*d));
	if (!s)
		return;
	c = counter_find(s, team_id, agent, group_id);
	if (c && c->day == today.day)
		*d = c->d;
	/* calls still talking count up to now */
	str_ncpy(today.agent, agent, sizeof(today.agent));
	hash_apply(s->legs, add_running, &r);
	d->talk_ms += r.ms;
}

void stats_queue_day(const struct stats *s, int64_t team_id,
		     int64_t group_id, int64_t now, struct stats_queue *q)
{
	const struct qcounter *c = s ? qcounter_find(s, team_id, group_id)
		: NULL;

	if (c && c->day == day_start_ms(now))
		*q = c->q;
	else
		memset(q, 0, sizeof(*q));
}

unsigned stats_answered_within(const struct stats_queue *q, unsigned secs)
{
	unsigned n = 0;

	for (unsigned w = 0; w <= secs && w < STATS_WAIT_MAX; w++)
		n += q->answered_by[w];
	if (secs >= STATS_WAIT_MAX)
		n += q->answered_by[STATS_WAIT_MAX];
	return n;
}
