/*
 * agent.c — the agent state machine (see agent.h).
 *
 * The effective state is derived in one place, apply_state(): checked in
 * nowhere means AS_LOGOUT; otherwise the work state (idle, pause, acw; ring
 * and busy come from calls). Each transition is persisted before returning,
 * so an occd restart resumes exactly where it stopped.
 */
#include <string.h>
#include <strings.h>
#include <time.h>
#include <re.h>
#define LOG_TOPIC "core.agent"
#include "base/log.h"
#include "core/agent.h"

static agent_observer_h *observer;
static void *observer_arg;

void agent_set_observer(agent_observer_h *h, void *arg)
{
	observer = h;
	observer_arg = arg;
}

static void told(struct agent *a)
{
	if (observer)
		observer(a, observer_arg);
}

static void persist(struct model *m, struct agent *a)
{
	struct st_agent_state s = {
		.agent_id = a->id, .logged_in = a->logged_in,
		.state = a->state, .since_ms = a->since_ms,
		.default_group_id = a->default_group_id, .dnd = a->dnd,
	};

	str_ncpy(s.device, a->device, sizeof(s.device));
	str_ncpy(s.pause_reason, a->pause_reason, sizeof(s.pause_reason));
	if (store_agent_state_save(m->st, &s))
		OCC_ERR("state not saved agent=%s team=%s", a->number,
			a->team->name);
	told(a);
}

static void set_state(struct model *m, struct agent *a, enum agent_state s,
		      const char *reason)
{
	struct st_state_log l = { .agent_id = a->id, .state = s };

	if (a->state == s && !strcmp(a->pause_reason, reason))
		return;
	a->state = s;
	str_ncpy(a->pause_reason, reason, sizeof(a->pause_reason));
	a->since_ms = now_ms();
	l.ts_ms = a->since_ms;
	str_ncpy(l.pause_reason, reason, sizeof(l.pause_reason));
	if (store_state_log_append(m->st, &l))
		OCC_ERR("state log not written agent=%s", a->number);
	OCC_INFO("agent state team=%s agent=%s state=%s reason=%H",
		 a->team->name, a->number, agent_state_name(s), LQ(reason));
}

bool agent_checked_in_any(const struct agent *a)
{
	struct le *le;

	LIST_FOREACH(&a->members, le)
		if (((struct member *)le->data)->checked_in)
			return true;
	return false;
}

bool agent_checked_in_dynamic(const struct agent *a)
{
	struct le *le;

	LIST_FOREACH(&a->members, le) {
		struct member *mb = le->data;
		if (mb->checked_in && mb->dynamic)
			return true;
	}
	return false;
}

bool agent_leads(const struct agent *a, const struct group *g)
{
	struct member *mb = a ? agent_membership(a, g) : NULL;
	return mb && mb->leader;
}

bool agent_leads_any(const struct agent *a)
{
	struct le *le;

	if (!a)
		return false;
	LIST_FOREACH(&a->members, le)
		if (((const struct member *)le->data)->leader)
			return true;
	return false;
}

/* Re-derive the effective state after a check-in change. */
static void apply_state(struct model *m, struct agent *a)
{
	if (!agent_checked_in_any(a))
		set_state(m, a, AS_LOGOUT, "");
	else if (a->state == AS_LOGOUT)
		set_state(m, a, AS_IDLE, "");
	persist(m, a);
}

static void save_member(struct model *m, struct member *mb)
{
	struct st_member r = {
		.group_id = mb->group->id, .agent_id = mb->agent->id,
		.dynamic = mb->dynamic, .leader = mb->leader,
		.checked_in = mb->checked_in, .acw_mode = mb->acw_mode,
		.work_mode = mb->work_mode,
	};
	if (store_member_state_save(m->st, &r))
		OCC_ERR("membership not saved agent=%s group=%lld",
			mb->agent->number, (long long)mb->group->id);
}

void agent_login(struct model *m, struct agent *a)
{
	if (a->logged_in)
		return;
	a->logged_in = true;
	persist(m, a);
}

void agent_logout(struct model *m, struct agent *a)
{
	struct le *le;

	store_begin(m->st);
	LIST_FOREACH(&a->members, le) {
		struct member *mb = le->data;
		if (mb->checked_in) {
			mb->checked_in = false;
			save_member(m, mb);
		}
	}
	a->logged_in = false;
	a->dnd = false;             /* the next session starts without */
	apply_state(m, a);
	store_commit(m->st);
}

void agent_set_device(struct model *m, struct agent *a, const char *exten)
{
	str_ncpy(a->device, exten, sizeof(a->device));
	persist(m, a);
}

void agent_set_default_group(struct model *m, struct agent *a,
			     int64_t group_id)
{
	a->default_group_id = group_id;
	persist(m, a);
}

void agent_set_dnd(struct model *m, struct agent *a, bool on)
{
	if (a->dnd == on)
		return;
	a->dnd = on;
	OCC_INFO("agent dnd team=%s agent=%s dnd=%s", a->team->name,
		 a->number, on ? "on" : "off");
	persist(m, a);
}

void agent_checkin(struct model *m, struct member *mb)
{
	store_begin(m->st);
	mb->checked_in = true;
	mb->agent->logged_in = true;
	save_member(m, mb);
	apply_state(m, mb->agent);
	store_commit(m->st);
}

void agent_checkout(struct model *m, struct member *mb)
{
	store_begin(m->st);
	mb->checked_in = false;
	save_member(m, mb);
	apply_state(m, mb->agent);
	store_commit(m->st);
}

void agent_pause(struct model *m, struct agent *a, const char *reason)
{
	store_begin(m->st);
	set_state(m, a, AS_PAUSE, reason);
	persist(m, a);
	store_commit(m->st);
}

void agent_unpause(struct model *m, struct agent *a)
{
	store_begin(m->st);
	set_state(m, a, AS_IDLE, "");
	persist(m, a);
	store_commit(m->st);
}

void agent_call_state(struct model *m, struct agent *a, enum agent_state s)
{
	if (!agent_checked_in_any(a))
		return;
	store_begin(m->st);
	set_state(m, a, s, "");
	persist(m, a);
	store_commit(m->st);
}

void agent_acw_end(struct model *m, struct agent *a)
{
	agent_unpause(m, a);
}

/* ---- after-call work ---------------------------------------------------- */

enum agent_state acw_after_call(int acw_mode, bool rang, bool answered)
{
	switch (acw_mode) {
	case ACW_AFTER_RING:   return rang ? AS_ACW : AS_IDLE;
	case ACW_AFTER_ANSWER: return answered ? AS_ACW : AS_IDLE;
	default:               return AS_IDLE;
	}
}

int agent_acw_mode(const struct agent *a, const struct group *g)
{
	const struct member *mb = g ? agent_membership(a, g) : NULL;
	struct le *le;

	if (mb)
		return mb->acw_mode;
	LIST_FOREACH(&a->members, le) {
		mb = le->data;
		if (mb->checked_in)
			return mb->acw_mode;
	}
	return ACW_OFF;
}

int agent_acw_time(const struct agent *a, const struct group *g)
{
	const struct member *mb = g ? agent_membership(a, g) : NULL;
	struct le *le;

	if (mb)
		return mb->group->acw_s;
	LIST_FOREACH(&a->members, le) {
		mb = le->data;
		if (mb->checked_in)
			return mb->group->acw_s;
	}
	return 0;
}

int64_t agent_acw_end_ms(const struct agent *a)
{
	if (a->state != AS_ACW || a->acw_s <= 0)
		return 0;
	return a->since_ms + (int64_t)a->acw_s * 1000;
}

void member_set_modes(struct model *m, struct member *mb, int acw_mode,
		      int work_mode)
{
	if (acw_mode)
		mb->acw_mode = acw_mode;
	if (work_mode >= 0)
		mb->work_mode = work_mode;
	save_member(m, mb);
	told(mb->agent);
}

/* ---- today's statistics from the state log ---------------------------- */

static const char *const pause_words[PK_COUNT] = {
	[PK_REST] = "rest", [PK_LEAVE] = "leave", [PK_MEETING] = "meeting",
	[PK_TRAINING] = "training", [PK_LUNCH] = "lunch", [PK_OTHER] = "other",
};

enum pause_kind pause_kind_of(const char *reason)
{
	for (int k = 0; k < PK_OTHER; k++)
		if (!strcasecmp(reason, pause_words[k]))
			return (enum pause_kind)k;
	return PK_OTHER;
}

struct day_walk {
	struct agent_day *d;
	int64_t from, to;
	bool have_prev;
	struct st_state_log prev;
};

/* Close the interval [prev.ts, until) of the previous row, clipped to the
 * day; pauses that began before midnight count for their part of today but
 * not in today's pause count. */
static void close_prev(struct day_walk *w, int64_t until)
{
	int64_t start, end;
	enum pause_kind k;

	if (!w->have_prev || w->prev.state != AS_PAUSE)
		return;
	start = w->prev.ts_ms > w->from ? w->prev.ts_ms : w->from;
	end = until < w->to ? until : w->to;
	k = pause_kind_of(w->prev.pause_reason);
	if (w->prev.ts_ms >= w->from) {
		w->d->pause_count[k]++;
		w->d->pause_total++;
	}
	if (end > start) {
		w->d->pause_ms[k] += end - start;
		w->d->pause_total_ms += end - start;
	}
}

static void day_row(const struct st_state_log *l, void *arg)
{
	struct day_walk *w = arg;

	close_prev(w, l->ts_ms);
	w->prev = *l;
	w->have_prev = true;
}

int64_t day_start_ms(int64_t now)
{
	time_t t = (time_t)(now / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm) * 1000;
}

int agent_day_stats(struct model *m, const struct agent *a, int64_t now,
		    struct agent_day *d)
{
	struct day_walk w = { .d = d, .to = now, .from = day_start_ms(now) };
	int err;

	memset(d, 0, sizeof(*d));
	err = store_state_log_visit(m->st, a->id, w.from, day_row, &w);
	close_prev(&w, now);
	return err;
}
