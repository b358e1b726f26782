/*
 * recovery.c — what occd owes the calls a crash (kill -9, power cut)
 * interrupted, paid at the next start before any new call: for each CDR
 * still open, the closing events its parties never got (a hangup per leg
 * still up, customer first and agent last as in call.c, then the call's),
 * its legs and itself closed INTERRUPTED, and its recording's WAV header
 * set from the data on disk (recorder_repair) — or the recording dropped
 * from the CDR if it never began.
 *
 * It relies on call.c saving each leg when it starts, when it is answered
 * and when its hangup is told: a leg with end_ms 0 in the store never had
 * its hangup event. Events go through the bus, so they reach the event
 * log, browser push replay and the team's backend like any other.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "sip.recovery"
#include "base/log.h"
#include "base/conf.h"
#include "core/model.h"
#include "core/occ.h"
#include "events/callev.h"
#include "events/events.h"
#include "media/recorder.h"
#include "sip/tel.h"

struct open_call {
	struct le le;
	struct st_cdr cdr;
	struct st_cdr_leg legs[16];
	unsigned nlegs;
};

static void on_cdr(const struct st_cdr *c, void *arg)
{
	struct list *calls = arg;
	struct open_call *oc = mem_zalloc(sizeof(*oc), NULL);

	if (!oc)
		return;
	oc->cdr = *c;
	list_append(calls, &oc->le, oc);
}

static void on_leg(const struct st_cdr_leg *l, void *arg)
{
	struct list *calls = arg;
	struct open_call *oc = list_ledata(list_tail(calls));

	if (oc && oc->nlegs < ARRAY_SIZE(oc->legs))
		oc->legs[oc->nlegs++] = *l;
}

/* One closing event, as call.c's emit() would have sent it (a leader's
 * legs to the team's channel only: who supervised is not stored). */
static void tell(struct occ *occ, const char *team, const struct st_cdr *c,
		 const struct st_cdr_leg *l, const char *activenum,
		 int64_t ts_ms)
{
	struct mbuf *mb = mbuf_alloc(512);
	bool sup = l && !strcmp(l->role, "supervisor");
	const char *source = !l ? "CONVERSATION"
		: !strcmp(l->role, "customer") ? "CALLEE"
		: !strcmp(l->role, "consult") ? "CONSULT" : "AGENT";
	struct call_event ce = {
		.calleridnum = c->callee, .didnumber = "",
		.activenum = l ? l->peer : activenum, .source = source,
		.event = "hangup", .uniqueid = l ? l->uniqueid : 0,
		.sessionid = c->sessionid, .ts_ms = ts_ms,
		.team_id = c->team_id, .modeltype = c->modeltype,
		.model_id = c->model_id, .calltype = "dialout",
		.channel = l ? l->channel : "", .userdata = c->userdata,
	};

	if (mb && !call_event_print(mb, &ce) && !mbuf_write_u8(mb, 0))
		events_publish(occ->ev, team, sup ? NULL : c->agent, NULL,
			       (const char *)mb->buf);
	mem_deref(mb);
}

static void close_call(struct occ *occ, struct open_call *oc, int64_t now)
{
	static const char *const order[] = { "customer", "consult",
		"supervisor", "agent" };
	struct st_cdr *c = &oc->cdr;
	const struct team *t = team_find_id(occ->m, c->team_id);
	const char *team = t ? t->name : NULL;     /* NULL: team deleted */
	const char *agent_exten = c->agent;
	char path[700];
	uint64_t frames = 0;

	for (size_t o = 0; o < ARRAY_SIZE(order); o++) {
		for (unsigned i = 0; i < oc->nlegs; i++) {
			struct st_cdr_leg *l = &oc->legs[i];
			if (strcmp(l->role, order[o]))
				continue;
			if (!strcmp(l->role, "agent"))
				agent_exten = l->peer;
			/* the call's answer is its customer's, which call.c
			 * writes to the CDR only at the end: from the leg */
			if (!strcmp(l->role, "customer") && !c->answer_ms)
				c->answer_ms = l->answer_ms;
			if (l->end_ms)
				continue;        /* its hangup was told */
			if (team)
				tell(occ, team, c, l, NULL, now);
			l->end_ms = now > l->start_ms ? now : l->start_ms;
			if (!l->disposition[0])
				str_ncpy(l->disposition, "INTERRUPTED",
					 sizeof(l->disposition));
			if (store_cdr_leg_save(occ->st, l))
				OCC_WARN("leg not closed session=%s",
					 c->sessionid);
		}
	}
	if (team)
		tell(occ, team, c, NULL, agent_exten, now);
	if (c->recording[0]) {
		recording_path(occ->cfg->data_dir, c->recording, path,
			       sizeof(path));
		int err = recorder_repair(path, &frames);
		if (err) {
			/* never began (the customer did not answer) */
			c->recording[0] = '\0';
		}
		else
			OCC_INFO("recording repaired session=%s file=%s "
				 "frames=%llu", c->sessionid, path,
				 (unsigned long long)frames);
	}
	c->end_ms = now > c->start_ms ? now : c->start_ms;
	str_ncpy(c->disposition, "INTERRUPTED", sizeof(c->disposition));
	if (!c->hangup_by[0])
		str_ncpy(c->hangup_by, "system", sizeof(c->hangup_by));
	if (store_cdr_end(occ->st, c))
		OCC_WARN("cdr not closed session=%s", c->sessionid);
}

/* team_id 0: every team's */
static unsigned recover(struct occ *occ, int64_t team_id)
{
	struct list calls = LIST_INIT;
	int64_t now = now_ms();
	unsigned n = 0;
	struct le *le;

	if (store_cdr_visit_open(occ->st, on_cdr, on_leg, &calls))
		OCC_WARN("cannot read the calls a crash left open");
	LIST_FOREACH(&calls, le) {
		struct open_call *oc = le->data;
		if (team_id && oc->cdr.team_id != team_id)
			continue;
		close_call(occ, oc, now);
		n++;
	}
	list_flush(&calls);
	return n;
}

unsigned calls_recover(struct occ *occ)
{
	return recover(occ, 0);
}

unsigned calls_recover_team(struct occ *occ, int64_t team_id)
{
	return team_id ? recover(occ, team_id) : 0;
}
