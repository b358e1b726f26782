/*
 * retention.c — pruning the event log and the agent state log (see
 * retention.h).
 *
 * A pass takes the names of the teams at its start and works through them
 * with a timer between chunks, so neither a long log nor many teams ever
 * hold the loop for more than one DELETE of CHUNK rows. Teams are looked up
 * by name at each step: a reload or a deleted team between steps is fine.
 * For each team the events go first, then its agents' state log.
 */
#include <stdint.h>
#include <string.h>
#include <re.h>
#define LOG_TOPIC "events.retention"
#include "base/log.h"
#include "base/conf.h"
#include "core/model.h"
#include "core/agent.h"
#include "core/occ.h"
#include "store/store.h"
#include "events/retention.h"
#include "events/webhook.h"

enum {
	FIRST_PASS_MS = 5000,
	PASS_EVERY_MS = 3600 * 1000,
	CHUNK = 1000,               /* rows per DELETE */
	STEP_MS = 10,               /* between DELETEs: others get the loop */
};

struct retention {
	struct occ *occ;
	struct tmr tmr;
	char (*teams)[ST_NAME];     /* this pass's teams */
	size_t nteams, i;
	unsigned pruned, log_pruned;    /* of the current team */
	bool events_on, log_on;         /* this pass prunes them */
	bool events_done, log_done;     /* of the current team */
	int64_t before_ms, log_before_ms;
};

static void step(void *arg);

static void retention_destructor(void *arg)
{
	struct retention *r = arg;

	tmr_cancel(&r->tmr);
	mem_deref(r->teams);
}

/* The newest eventid of the team that may go: everything if its events
 * go to no backend, else what the backend has acknowledged. */
static int64_t prunable_upto(struct retention *r, const struct team *t)
{
	const char *url = team_setting(t, "event_url");
	int64_t cursor = 0;

	if (!url || !*url)
		return INT64_MAX;
	if (store_cursor_get(r->occ->st, t->id, WEBHOOK_SINK, &cursor))
		return 0;
	return cursor;
}

static void team_begin(struct retention *r)
{
	r->pruned = r->log_pruned = 0;
	r->events_done = !r->events_on;
	r->log_done = !r->log_on;
}

static void next_team(struct retention *r)
{
	if (r->pruned)
		OCC_INFO("events pruned team=%s n=%u", r->teams[r->i],
			 r->pruned);
	if (r->log_pruned)
		OCC_INFO("state log pruned team=%s n=%u", r->teams[r->i],
			 r->log_pruned);
	team_begin(r);
	r->i++;
}

static void start_pass(void *arg)
{
	struct retention *r = arg;
	unsigned days = r->occ->cfg->event_retention_days;
	unsigned log_days = r->occ->cfg->state_log_retention_days;
	const struct list *teams = &r->occ->m->teams;
	int64_t now = now_ms(), today = day_start_ms(now);
	struct le *le;

	/* retention_days 0: everything is kept */
	r->events_on = days > 0;
	r->log_on = log_days > 0;
	r->nteams = r->events_on || r->log_on ? list_count(teams) : 0;
	r->teams = r->nteams ? mem_alloc(r->nteams * sizeof(*r->teams), NULL)
		: NULL;
	if (!r->teams) {
		r->nteams = 0;
		tmr_start(&r->tmr, PASS_EVERY_MS, start_pass, r);
		return;
	}
	r->i = 0;
	r->before_ms = now - (int64_t)days * 86400 * 1000;
	/* never today's rows, even on a 25-hour day */
	r->log_before_ms = now - (int64_t)log_days * 86400 * 1000;
	if (r->log_before_ms > today)
		r->log_before_ms = today;
	team_begin(r);
	r->nteams = 0;
	LIST_FOREACH(teams, le) {
		const struct team *t = le->data;
		str_ncpy(r->teams[r->nteams++], t->name, ST_NAME);
	}
	tmr_start(&r->tmr, 0, step, r);
}

/* One DELETE of the current team's events, or else of its state log. */
static void prune_chunk(struct retention *r, const struct team *t)
{
	unsigned n = 0;
	int err;

	if (!r->events_done) {
		err = store_event_prune(r->occ->st, t->id, prunable_upto(r, t),
					r->before_ms, CHUNK, &n);
		if (err)
			OCC_WARN("events not pruned team=%s: %m", t->name, err);
		r->pruned += n;
		r->events_done = err || n < CHUNK;
		return;
	}
	err = store_state_log_prune(r->occ->st, t->id, r->log_before_ms, CHUNK,
				    &n);
	if (err)
		OCC_WARN("state log not pruned team=%s: %m", t->name, err);
	r->log_pruned += n;
	r->log_done = err || n < CHUNK;
}

static void step(void *arg)
{
	struct retention *r = arg;
	const struct team *t = NULL;

	while (r->i < r->nteams &&
	       !(t = team_find(r->occ->m, r->teams[r->i])))
		next_team(r);
	if (r->i == r->nteams) {
		r->teams = mem_deref(r->teams);
		r->nteams = 0;
		tmr_start(&r->tmr, PASS_EVERY_MS, start_pass, r);
		return;
	}
	prune_chunk(r, t);
	if (r->events_done && r->log_done)
		next_team(r);
	tmr_start(&r->tmr, STEP_MS, step, r);
}

int retention_alloc(struct retention **rp, struct occ *occ)
{
	struct retention *r = mem_zalloc(sizeof(*r), retention_destructor);

	if (!r)
		return ENOMEM;
	r->occ = occ;
	tmr_init(&r->tmr);
	tmr_start(&r->tmr, FIRST_PASS_MS, start_pass, r);
	*rp = r;
	return 0;
}
