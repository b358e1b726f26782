/*
 * test_campreport.c — the campaign report's aggregation (ops/campreport.h)
 * on hand-made rows: two days, dials with and without an answer, an
 * agent, AMD verdicts, a call still up, and two agents' state logs, with
 * the figures worked out by hand.
 */
#include <string.h>
#include <re.h>
#include "unit.h"
#include "core/agent_state.h"
#include "ops/campreport.h"

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
			 "\"days\":[{\"day\":\"1970-01-02\",\"dials\":7,"
			 "\"answers\":6,\"live\":5,\"abandons\":1,"
			 "\"abandon_pct\":20.0,\"window\":{\"profile\":\"us\","
			 "\"live\":6,\"abandons\":2,\"abandon_pct\":33.33},"
			 "\"amd\":{\"HUMAN\":1,\"MACHINE\":1,\"NOTSURE\":1},"
			 "\"talk_min\":3.50,\"agent_hours\":12.000,"
			 "\"talk_min_per_agent_hour\":0.3,\"occupancy_pct\":0,"
			 "\"wait\":{\"answers\":3,\"p50_ms\":1500,"
			 "\"p90_ms\":3000,\"max_ms\":3000,\"le_1s\":1,"
			 "\"le_2s\":1,\"over_2s\":1}}]}") == buf);

	/* recomputing starts from zero; no rows, no figures */
	UT_EQ_INT(crep_compute(days, 2, NULL, 0, NULL, 0, B), 0);
	UT_EQ_INT(d1->dials, 0);
	UT_EQ_INT(d1->avail_ms, 0);
	UT_EQ_INT(d1->namd, 0);
	UT_EQ_INT((long long)(crep_pct(0, 0) * 10), 0);
}
