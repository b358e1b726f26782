/*
 * bus.c — the event bus (see events.h).
 *
 * eventid: per team, the next number after the newest stored one (read
 * once per team, then counted in memory; occd is the only writer, and
 * with several nodes the team's owner is: events_forget() when a team
 * comes over re-reads it, and the (team, eventid) key refuses an id a
 * late former owner would write twice). The
 * event row is appended before any sink runs, so a crash after a sink
 * delivered cannot forget the event. With group commit (store.h) the row
 * is in the pass's open transaction: the event waits in evs->held, in
 * order, and the sinks get it from the store's sync handler once the
 * commit is done; a failed commit drops what it held (logged) and makes
 * every team's eventid be read again from the store.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "events"
#include "base/log.h"
#include "core/model.h"
#include "core/occ.h"
#include "events/events.h"

enum { MAX_SINKS = 8 };

struct team_seq {
	struct le le;
	int64_t team_id;
	int64_t last;
};

/* An event stored in the pass's transaction, not yet committed. */
struct held {
	struct le le;
	struct st_event row;
	char team[ST_NAME];            /* a copy: the team may go first */
};

struct events {
	struct occ *occ;
	struct list seqs;
	struct list held;              /* struct held, in eventid order */
	unsigned ncommitted;           /* the first ones of held: stored */
	struct tmr dispatch_tmr;       /* hands those to the sinks */
	struct {
		event_h *h;
		void *arg;
	} sinks[MAX_SINKS];
	unsigned nsinks;
};

static void events_destructor(void *arg)
{
	struct events *evs = arg;

	store_on_sync(evs->occ->st, NULL, NULL);
	tmr_cancel(&evs->dispatch_tmr);
	list_flush(&evs->held);
	list_flush(&evs->seqs);
}

static void dispatch(struct events *evs, const struct st_event *row,
		     const char *team)
{
	struct event ev = {
		.team_id = row->team_id, .team = team, .eventid = row->eventid,
		.ts_ms = row->ts_ms, .agent1 = row->agent1,
		.agent2 = row->agent2, .text = row->text,
	};

	for (unsigned i = 0; i < evs->nsinks; i++)
		evs->sinks[i].h(&ev, evs->sinks[i].arg);
}

/* The held events a commit has stored, to the sinks, in order (a sink
 * that publishes appends behind them). */
static void dispatch_committed(struct events *evs)
{
	struct le *le;

	tmr_cancel(&evs->dispatch_tmr);
	while (evs->ncommitted && (le = list_head(&evs->held))) {
		struct held *h = le->data;
		list_unlink(le);
		evs->ncommitted--;
		dispatch(evs, &h->row, h->team);
		mem_deref(h);
	}
}

static void dispatch_h(void *arg)
{
	dispatch_committed(arg);
}

void events_flush(struct events *evs)
{
	if (evs)
		dispatch_committed(evs);
}

/* A pass's transaction ended. The sinks run from a timer, not here: a
 * sync may come from inside a request's route or a sink's own store read
 * (webhook.c, push.c's replay), which must not be re-entered. */
static void synced(int err, void *arg)
{
	struct events *evs = arg;
	unsigned n = list_count(&evs->held);

	if (n == evs->ncommitted)
		return;
	if (err) {
		OCC_ERR("%u event(s) not stored (commit failed): %m",
			n - evs->ncommitted, err);
		while (list_count(&evs->held) > evs->ncommitted) {
			struct le *le = list_tail(&evs->held);
			list_unlink(le);
			mem_deref(le->data);
		}
		list_flush(&evs->seqs);
		return;
	}
	evs->ncommitted = n;
	tmr_start(&evs->dispatch_tmr, 0, dispatch_h, evs);
}

int events_alloc(struct events **evp, struct occ *occ)
{
	struct events *evs = mem_zalloc(sizeof(*evs), events_destructor);

	if (!evs)
		return ENOMEM;
	evs->occ = occ;
	store_on_sync(occ->st, synced, evs);
	*evp = evs;
	return 0;
}

int events_sink_add(struct events *evs, event_h *h, void *arg)
{
	if (evs->nsinks == MAX_SINKS)
		return E2BIG;
	evs->sinks[evs->nsinks].h = h;
	evs->sinks[evs->nsinks].arg = arg;
	evs->nsinks++;
	return 0;
}

static struct team_seq *seq_of(struct events *evs, int64_t team_id)
{
	struct team_seq *s;
	struct le *le;

	LIST_FOREACH(&evs->seqs, le) {
		s = le->data;
		if (s->team_id == team_id)
			return s;
	}
	s = mem_zalloc(sizeof(*s), NULL);
	if (!s)
		return NULL;
	s->team_id = team_id;
	if (store_event_last(evs->occ->st, team_id, &s->last)) {
		mem_deref(s);
		return NULL;
	}
	list_append(&evs->seqs, &s->le, s);
	return s;
}

void events_forget(struct events *evs, int64_t team_id)
{
	struct le *le;

	LIST_FOREACH(&evs->seqs, le) {
		struct team_seq *s = le->data;
		if (s->team_id == team_id) {
			list_unlink(le);
			mem_deref(s);
			return;
		}
	}
}

int events_publish(struct events *evs, const char *team, const char *agent1,
		   const char *agent2, const char *fields)
{
	const struct team *t = team_find(evs->occ->m, team);
	struct held *h;
	struct st_event *row;
	struct team_seq *seq;
	int err, n;

	if (!t)
		return ENOENT;
	seq = seq_of(evs, t->id);
	h = mem_zalloc(sizeof(*h), NULL);
	if (!seq || !h) {
		mem_deref(h);
		return ENOMEM;
	}
	row = &h->row;
	row->team_id = t->id;
	row->eventid = seq->last + 1;
	row->ts_ms = now_ms();
	str_ncpy(row->agent1, agent1 ? agent1 : "", sizeof(row->agent1));
	str_ncpy(row->agent2, agent2 ? agent2 : "", sizeof(row->agent2));
	n = re_snprintf(row->text, sizeof(row->text), "%seventid=%lld&",
			fields, (long long)row->eventid);
	if (n < 0 || (size_t)n >= sizeof(row->text) - 1) {
		OCC_ERR("event too long team=%s", team);
		mem_deref(h);
		return E2BIG;
	}
	err = store_event_append(evs->occ->st, row);
	if (err) {
		OCC_ERR("event not stored team=%s eventid=%lld: %m", team,
			(long long)row->eventid, err);
		mem_deref(h);
		return err;
	}
	seq->last = row->eventid;
	OCC_DBG("event team=%s %s", team, row->text);
	if (store_pending(evs->occ->st)) {
		str_ncpy(h->team, t->name, sizeof(h->team));
		list_append(&evs->held, &h->le, h);
		return 0;
	}
	dispatch_committed(evs);       /* first those before it */
	dispatch(evs, row, t->name);
	mem_deref(h);
	return 0;
}

struct replay {
	const char *team;
	event_h *h;
	void *arg;
};

static void replay_row(const struct st_event *e, void *arg)
{
	struct replay *r = arg;
	struct event ev = {
		.team_id = e->team_id, .team = r->team, .eventid = e->eventid,
		.ts_ms = e->ts_ms, .agent1 = e->agent1, .agent2 = e->agent2,
		.text = e->text,
	};
	r->h(&ev, r->arg);
}

int events_replay(struct events *evs, const char *team, const char *agent,
		  int64_t after, unsigned limit, event_h *h, void *arg)
{
	const struct team *t = team_find(evs->occ->m, team);
	struct replay r = { .h = h, .arg = arg };

	if (!t)
		return ENOENT;
	r.team = t->name;
	/* what a replay reads must be committed (a reader on this connection
	 * would see the pass's rows before they are) */
	(void)store_sync(evs->occ->st);
	return store_event_visit(evs->occ->st, t->id, after, agent, limit,
				 replay_row, &r);
}

int64_t events_last(struct events *evs, const char *team)
{
	const struct team *t = team_find(evs->occ->m, team);
	struct team_seq *s = t ? seq_of(evs, t->id) : NULL;

	return s ? s->last : 0;
}
