/*
 * test_campreport.c — the campaign report's aggregation (ops/campreport.h)
 * on hand-made rows: two days, dials with and without an answer, an
 * agent, AMD verdicts, a call still up, and two agents' state logs, with
 * the figures worked out by hand; then the store's two queries and
 * crep_load() on a real SQLite file (other campaigns, teams and groups
 * left out, the row in force before the window, a bad day).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#include "unit.h"
#include "core/agent_state.h"
#include "ops/campreport.h"
#include "store/store.h"

enum { B = 86400000 };     /* day 1 starts here; day 0 at 0 */

UNIT_TEST(campreport_compute)
{
	struct crep_day days[2] = {
		{ .day = "1970-01-01", .from_ms = 0, .to_ms = B,
		  .win_from_ms = 0, .win_to_ms = B },
		{ .day = "1970-01-02", .from_ms = B, .to_ms = 2LL * B,
		  .win_from_ms = 0, .win_to_ms = 2LL * B },
	};
	static const struct crep_call calls[] = {
		/* start, answer, agent, end, amd */
		{ B + 1000, B + 5000, B + 5600, B + 65600, "HUMAN" },
		{ B + 2000, B + 3000, B + 4500, B + 124500, "" },
		{ B + 3000, B + 4000, 0, B + 7000, "" },       /* abandon */
		{ B + 4000, B + 4100, 0, B + 9000, "MACHINE" }, /* not live */
		{ B + 5000, 0, 0, B + 30000, "" },             /* no answer */
		{ B + 6000, B + 7000, B + 10000, B + 40000, "NOTSURE" },
		{ B + 7000, B + 8000, 0, 0, "" },              /* still up */
		{ 1000, 2000, 0, 5000, "" },                   /* day 0 */
	};
	static const struct crep_log log[] = {
		{ 1, -1000, AS_IDLE },
		{ 1, 3600000, AS_BUSY },
		{ 1, 5400000, AS_ACW },
		{ 1, 6000000, AS_PAUSE },
		{ 1, B, AS_IDLE },                 /* until now */
		{ 2, B + 1000, AS_RING },
		{ 2, B + 2000, AS_BUSY },
		{ 2, B + 3000, AS_IDLE },
		{ 2, B + 7200000, AS_LOGOUT },
	};
	const struct crep_day *d0 = &days[0], *d1 = &days[1];
	struct crep r = { .campaign_id = 10, .profile = "us", .ndays = 1 };
	char buf[1024];

	UT_EQ_INT(crep_compute(days, 2, calls, ARRAY_SIZE(calls), log,
			       ARRAY_SIZE(log), B + 36000000LL), 0);

	UT_EQ_INT(d0->dials, 1);
	UT_EQ_INT(d0->answers, 1);
	UT_EQ_INT(d0->live, 1);
	UT_EQ_INT(d0->abandons, 1);
	UT_EQ_INT(d0->win_live, 1);
	UT_EQ_INT(d0->win_abandons, 1);
	UT_EQ_INT(d0->waits, 0);
	UT_EQ_INT(d0->talk_ms, 0);
	UT_EQ_INT(d0->avail_ms, 6000000);      /* idle 1 h, busy, acw */
	UT_EQ_INT(d0->handle_ms, 2400000);

	UT_EQ_INT(d1->dials, 7);
	UT_EQ_INT(d1->answers, 6);
	UT_EQ_INT(d1->live, 5);
	UT_EQ_INT(d1->abandons, 1);            /* the call up is not yet */
	UT_EQ_INT(d1->win_live, 6);            /* day 0's counts too */
	UT_EQ_INT(d1->win_abandons, 2);
	UT_EQ_INT(d1->namd, 3);
	UT_EQ_STR(d1->amd[0].verdict, "HUMAN");
	UT_EQ_STR(d1->amd[1].verdict, "MACHINE");
	UT_EQ_STR(d1->amd[2].verdict, "NOTSURE");
	UT_EQ_INT(d1->amd[0].n + d1->amd[1].n + d1->amd[2].n, 3);
	UT_EQ_INT(d1->waits, 3);               /* 600, 1500, 3000 ms */
	UT_EQ_INT(d1->wait_1s, 1);
	UT_EQ_INT(d1->wait_2s, 1);
	UT_EQ_INT(d1->wait_over, 1);
	UT_EQ_INT(d1->wait_p50, 1500);
	UT_EQ_INT(d1->wait_p90, 3000);
	UT_EQ_INT(d1->wait_max, 3000);
	UT_EQ_INT(d1->talk_ms, 60000 + 120000 + 30000);
	/* agent 1 idle all 10 h; agent 2 ring 1 s, busy 1 s, idle to 2 h */
	UT_EQ_INT(d1->avail_ms, 36000000 + 1000 + 1000 + 7197000);
	UT_EQ_INT(d1->handle_ms, 2000);

	/* the JSON of day 1: 1 of 5 live answers abandoned, 2 of 6 in the
	 * window; 3.5 talk min over 12 agent-hours */
	r.days[0] = *d1;
	re_snprintf(buf, sizeof(buf), "%H", crep_json, &r);
	UT_ASSERT(strstr(buf, "{\"campaignid\":10,\"profile\":\"us\","
			 "\"list\":{\"waiting\":0,\"due\":0,\"attempts\":0,"
			 "\"results\":{}},"
			 "\"days\":[{\"day\":\"1970-01-02\",\"dials\":7,"
			 "\"answers\":6,\"live\":5,\"abandons\":1,"
			 "\"machines\":1,\"amd_fp_est\":0.0,"
			 "\"abandon_pct\":20.0,\"window\":{\"profile\":\"us\","
			 "\"live\":6,\"abandons\":2,\"machines\":1,"
			 "\"amd_fp_est\":0.0,\"abandon_pct\":33.33},"
			 "\"amd\":{\"HUMAN\":1,\"MACHINE\":1,\"NOTSURE\":1},"
			 "\"talk_min\":3.50,\"agent_hours\":12.000,"
			 "\"talk_min_per_agent_hour\":0.3,\"occupancy_pct\":0,"
			 "\"wait\":{\"answers\":3,\"p50_ms\":1500,"
			 "\"p90_ms\":3000,\"max_ms\":3000,\"le_1s\":1,"
			 "\"le_2s\":1,\"over_2s\":1}}]}") == buf);

	/* AMD's false positives at 50 %: the machine hung up is half a
	 * person abandoned, (1 + 0.5) / (5 + 0.5) live answers */
	days[1].amd_fp = 0.5;
	UT_EQ_INT(crep_compute(days, 2, calls, ARRAY_SIZE(calls), log,
			       ARRAY_SIZE(log), B + 36000000LL), 0);
	UT_EQ_INT(d1->machines, 1);
	UT_EQ_INT(d1->win_machines, 1);
	UT_ASSERT(d1->amd_fp_est == 0.5);
	UT_EQ_INT(d1->abandons, 1);
	UT_EQ_INT((long long)(crep_abandon_pct(d1->abandons, d1->live,
					       d1->amd_fp_est) * 100), 2727);
	r.days[0] = *d1;
	re_snprintf(buf, sizeof(buf), "%H", crep_json, &r);
	UT_ASSERT(strstr(buf, "\"abandons\":1,\"machines\":1,"
			 "\"amd_fp_est\":0.5,\"abandon_pct\":27.3,"));

	/* recomputing starts from zero; no rows, no figures */
	UT_EQ_INT(crep_compute(days, 2, NULL, 0, NULL, 0, B), 0);
	UT_EQ_INT(d1->dials, 0);
	UT_EQ_INT(d1->avail_ms, 0);
	UT_EQ_INT(d1->namd, 0);
	UT_EQ_INT((long long)(crep_pct(0, 0) * 10), 0);
}

/* ---- from the store (the two queries and crep_load) ---- */

#define FAKE_HASH "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g"

static void rm_store(const char *root)
{
	static const char *const files[] = { "data/occ.db", "data/occ.db-wal",
					     "data/occ.db-shm" };
	char p[160];

	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		snprintf(p, sizeof(p), "%s/%s", root, files[i]);
		unlink(p);
	}
	snprintf(p, sizeof(p), "%s/data", root);
	rmdir(p);
	rmdir(root);
}

/* call n of team, campaign model_id: answered at answer (0: not), its
 * agent leg answered at agent (0: rang only) */
static int put_call(struct store *st, unsigned n, int64_t team,
		    const char *modeltype, const char *model_id,
		    int64_t start, int64_t answer, int64_t agent,
		    int64_t end, const char *vars)
{
	struct st_cdr c;
	struct st_cdr_leg l;

	memset(&c, 0, sizeof(c));
	snprintf(c.sessionid, sizeof(c.sessionid), "%032u", n);
	c.team_id = team;
	snprintf(c.direction, sizeof(c.direction), "out");
	snprintf(c.calldate, sizeof(c.calldate), "2024-05-01");
	snprintf(c.modeltype, sizeof(c.modeltype), "%s", modeltype);
	snprintf(c.model_id, sizeof(c.model_id), "%s", model_id);
	c.start_ms = start;
	if (store_cdr_begin(st, &c))
		return EIO;
	c.answer_ms = answer;
	c.end_ms = end;
	snprintf(c.disposition, sizeof(c.disposition), "ANSWERED");
	snprintf(c.vars, sizeof(c.vars), "%s", vars);
	if (store_cdr_end(st, &c))
		return EIO;
	memset(&l, 0, sizeof(l));
	memcpy(l.sessionid, c.sessionid, sizeof(l.sessionid));
	snprintf(l.role, sizeof(l.role), "agent");
	l.uniqueid = 1;                    /* an agent that did not answer */
	l.start_ms = start;
	if (store_cdr_leg_save(st, &l))
		return EIO;
	l.uniqueid = 2;
	l.answer_ms = agent;
	return store_cdr_leg_save(st, &l);
}

struct got_log {
	unsigned n;
	int64_t agent[8], ts[8];
};

static void on_log(const struct st_state_log *l, void *arg)
{
	struct got_log *g = arg;

	if (g->n < 8) {
		g->agent[g->n] = l->agent_id;
		g->ts[g->n] = l->ts_ms;
	}
	g->n++;
}

UNIT_TEST(campreport_store)
{
	char root[] = "/tmp/occ-crep-XXXXXX", dir[64];
	struct store *st = NULL;
	struct tm tm = { .tm_year = 124, .tm_mon = 4, .tm_mday = 1,
			 .tm_isdst = -1 };
	int64_t M = (int64_t)mktime(&tm) * 1000, t, t2, ag[3];
	struct st_group g = { .id = 5, .acw_mode = 3 };
	struct st_campaign camp = { .id = 10, .group_id = 5,
				    .profile = "us" };
	struct got_log gl = { 0 };
	struct crep *r = mem_zalloc(sizeof(*r), NULL);
	int err = !r || !mkdtemp(root);

	snprintf(dir, sizeof(dir), "%s/data", root);
	err = err || unit_store_open(&st, dir, true) ||
		store_team_add(st, "demo", &t) ||
		store_team_add(st, "acme", &t2);
	g.team_id = t;
	snprintf(g.name, sizeof(g.name), "Sales");
	snprintf(g.queue, sizeof(g.queue), "6001");
	err = err || store_group_add(st, &g);
	for (int i = 0; i < 3 && !err; i++) {
		struct st_agent a = { .team_id = t };
		snprintf(a.number, sizeof(a.number), "800%d", i + 1);
		snprintf(a.pwhash, sizeof(a.pwhash), "%s", FAKE_HASH);
		err = store_agent_add(st, &a) ||
			store_agent_get(st, t, a.number, &a);
		ag[i] = a.id;
		if (!err && i < 2)        /* 8003 is not in the group */
			err = store_member_add(st, &(struct st_member){
				.group_id = 5, .agent_id = a.id,
				.acw_mode = 3 });
	}
	static const struct { int a; int64_t ts; int s; } rows[] = {
		{ 0, 100, AS_IDLE }, { 0, 1000, AS_BUSY }, { 0, 5000, AS_IDLE },
		{ 1, 500, AS_IDLE }, { 2, 600, AS_BUSY },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows) && !err; i++)
		err = store_state_log_append(st, &(struct st_state_log){
			.agent_id = ag[rows[i].a], .ts_ms = M + rows[i].ts,
			.state = rows[i].s });
	/* campaign 10's two dials, and calls that are not its */
	err = err ||
		put_call(st, 1, t, "Campaign", "10", M + 1000, M + 2000, 0,
			 M + 10000, "X=1&amd=MACHINE&amd_cause=MAXWORDS") ||
		put_call(st, 2, t, "Campaign", "10", M + 3000, M + 4000,
			 M + 4700, M + 64700, "xamd=HUMAN") ||
		put_call(st, 3, t, "Campaign", "11", M + 3000, M + 4000, 0,
			 M + 5000, "") ||
		put_call(st, 4, t2, "Campaign", "10", M + 3000, M + 4000, 0,
			 M + 5000, "") ||
		put_call(st, 5, t, "", "10", M + 3000, M + 4000, 0, M + 5000,
			 "") ||
		put_call(st, 6, t, "Campaign", "10", M - 1000, M - 500, 0,
			 M, "");                    /* the day before */
	/* its pre-dial list: two numbers waiting (one due), two done */
	camp.team_id = t;
	snprintf(camp.name, sizeof(camp.name), "c10");
	snprintf(camp.dial_mode, sizeof(camp.dial_mode), "progressive");
	snprintf(camp.state, sizeof(camp.state), "stopped");
	snprintf(camp.key_column, sizeof(camp.key_column), "phone1");
	camp.window_end = 1440;
	err = err || store_campaign_add(st, &camp);
	for (int i = 0; i < 4 && !err; i++) {
		struct st_dial d = { .team_id = t, .campaign_id = 10,
				     .dial_ms = i == 1 ? M + 3 * 86400000LL : 0,
				     .added_ms = M };
		int64_t id;
		snprintf(d.number, sizeof(d.number), "1390000000%d", i);
		err = store_dial_add(st, &d, &id);
		if (!err && i >= 2)
			err = store_dial_result(st, t, id, i, i == 2 ?
						"answered" : "abandoned",
						INT64_MAX);
	}
	UT_EQ_INT(err, 0);

	/* the group's log from M+900: each agent's row in force, then on */
	UT_EQ_INT(store_group_state_log_visit(st, 5, M + 900, M + 6000,
					      on_log, &gl), 0);
	UT_EQ_INT(gl.n, 4);
	UT_EQ_INT(gl.agent[0], ag[0]);
	UT_EQ_INT(gl.ts[0], M + 100);
	UT_EQ_INT(gl.ts[1], M + 1000);
	UT_EQ_INT(gl.ts[2], M + 5000);
	UT_EQ_INT(gl.agent[3], ag[1]);
	UT_EQ_INT(gl.ts[3], M + 500);

	UT_EQ_INT(crep_load(st, &camp, "2024-05-01", 1, M + 86400000, r), 0);
	UT_EQ_INT(r->waiting, 2);
	UT_EQ_INT(r->due, 1);
	UT_EQ_INT(r->attempts, 2 + 3);
	UT_EQ_INT(r->nlist, 2);
	UT_EQ_STR(r->list[0].result, "abandoned");
	UT_EQ_INT(r->list[0].n, 1);
	UT_EQ_STR(r->list[1].result, "answered");
	UT_EQ_INT(r->ndays, 1);
	UT_EQ_STR(r->days[0].day, "2024-05-01");
	UT_EQ_INT(r->days[0].dials, 2);
	UT_EQ_INT(r->days[0].answers, 2);
	UT_EQ_INT(r->days[0].live, 1);           /* not the MACHINE */
	UT_EQ_INT(r->days[0].abandons, 0);
	UT_EQ_INT(r->days[0].win_live, 2);        /* the day before too */
	UT_EQ_INT(r->days[0].win_abandons, 1);
	UT_EQ_INT(r->days[0].namd, 1);
	UT_EQ_STR(r->days[0].amd[0].verdict, "MACHINE");
	UT_EQ_INT(r->days[0].waits, 1);
	UT_EQ_INT(r->days[0].wait_max, 700);
	UT_EQ_INT(r->days[0].talk_ms, 60000);
	UT_EQ_INT(r->days[0].avail_ms, 900 + 4000 + (86400000 - 5000) +
		  (86400000 - 500));
	UT_EQ_INT(r->days[0].handle_ms, 4000);
	/* two days: the day before has the one abandon */
	UT_EQ_INT(crep_load(st, &camp, "2024-05-01", 2, M + 86400000, r), 0);
	UT_EQ_STR(r->days[0].day, "2024-04-30");
	UT_EQ_INT(r->days[0].dials, 1);
	UT_EQ_INT(r->days[0].abandons, 1);
	UT_EQ_INT(r->days[1].dials, 2);
	UT_EQ_INT(crep_load(st, &camp, "2024-02-30", 1, M, r), EINVAL);
	UT_EQ_INT(crep_load(st, &camp, "2024-5-1", 1, M, r), EINVAL);
	UT_EQ_INT(crep_load(st, &camp, "2024-05-01", 32, M, r), EINVAL);
	/* acme's campaign 10 is its own */
	camp.team_id = t2;
	UT_EQ_INT(crep_load(st, &camp, "2024-05-01", 1, M + 86400000, r), 0);
	UT_EQ_INT(r->waiting + r->attempts + (long long)r->nlist, 0);
	UT_EQ_INT(r->days[0].dials, 1);
	UT_EQ_INT(r->days[0].abandons, 1);

	mem_deref(st);
	mem_deref(r);
	rm_store(root);
}
