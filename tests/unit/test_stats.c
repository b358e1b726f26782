/*
 * test_stats.c — today's call figures (events/stats.c) fed with call
 * events at chosen times: the clock is the events' own, so days, midnight
 * and calls in progress are exact.
 */
#include <re.h>
#include "unit.h"
#include "core/agent.h"
#include "core/occ.h"
#include "events/events.h"
#include "events/stats.h"

enum { TEAM = 7 };

struct feed {
	struct stats *s;
	char sid[40];
};

/* One call event: source/event of leg uid for agent (agent1), at ts. */
static void ev(struct feed *f, int64_t ts, const char *agent,
	       const char *source, const char *what, int uid, int gid,
	       const char *calltype)
{
	char text[512];
	struct event e = { .team_id = TEAM, .team = "t", .ts_ms = ts,
			   .agent1 = agent, .agent2 = "", .text = text };

	re_snprintf(text, sizeof(text), "calleridnum=5550001&didnumber=&"
		    "activenum=x&source=%s&event=%s&uniqueid=%d&sessionid=%s&"
		    "eventTime=x&AgentTeamId=7&modeltype=&model_id=&"
		    "AgentGroupId=%d&calltype=%s&channel=&from=%s&userdata=&",
		    source, what, uid, f->sid, gid, calltype, calltype);
	stats_event(&e, f->s);
}

static struct stats_day day_of(struct feed *f, const char *agent, int gid,
			       int64_t now)
{
	struct stats_day d;

	stats_agent_day(f->s, TEAM, agent, gid, now, &d);
	return d;
}

/* An outbound call of agent in group gid: its phone rings at t, answers
 * at t+1 s, the customer answers at t+2 s (if talk_ms) and the call ends
 * talk_ms later. */
static void outbound(struct feed *f, const char *sid, const char *agent,
		     int gid, int64_t t, int64_t talk_ms)
{
	int64_t end = t + 2000 + talk_ms;

	str_ncpy(f->sid, sid, sizeof(f->sid));
	ev(f, t, agent, "AGENT", "ringing", 1, gid, "dialout");
	ev(f, t + 1000, agent, "AGENT", "answer", 1, gid, "dialout");
	ev(f, t + 1500, agent, "CALLEE", "ringing", 2, gid, "dialout");
	if (talk_ms)
		ev(f, t + 2000, agent, "CALLEE", "answer", 2, gid, "dialout");
	ev(f, end, agent, "CALLEE", "hangup", 2, gid, "dialout");
	ev(f, end, agent, "AGENT", "hangup", 1, gid, "dialout");
	ev(f, end, agent, "CONVERSATION", "hangup", 0, gid, "dialout");
}

UNIT_TEST(stats_count_calls_answers_and_talk)
{
	struct occ occ = { 0 };
	struct feed f = { 0 };
	/* 10:00 local on some day; noon is well inside it */
	int64_t d0 = day_start_ms(1764936000000LL), t = d0 + 10 * 3600000LL;
	struct stats_day d;

	UT_EQ_INT(stats_alloc(&f.s, &occ), 0);
	outbound(&f, "s1", "8001", 1, t, 10000);
	outbound(&f, "s2", "8001", 1, t + 60000, 0);       /* not answered */
	outbound(&f, "s3", "8001", 2, t + 120000, 4500);   /* other group */
	d = day_of(&f, "8001", 1, d0 + 12 * 3600000LL);
	UT_EQ_INT(d.total_calls, 2);
	UT_EQ_INT(d.out_answered, 1);
	UT_EQ_INT(d.in_answered, 0);
	UT_EQ_INT(d.talk_ms, 10000);
	d = day_of(&f, "8001", 2, d0 + 12 * 3600000LL);
	UT_EQ_INT(d.total_calls, 1);
	UT_EQ_INT(d.talk_ms, 4500);
	d = day_of(&f, "8002", 1, d0 + 12 * 3600000LL);
	UT_EQ_INT(d.total_calls, 0);

	/* inbound, ring-no-answer at 8002, then 8003 answers for 5 s */
	str_ncpy(f.sid, "s4", sizeof(f.sid));
	t += 600000;
	ev(&f, t, "", "CALLER", "incoming", 20, 1, "dialin");
	ev(&f, t + 100, "8002", "AGENT", "ringing", 21, 1, "dialin");
	ev(&f, t + 15100, "8002", "AGENT", "hangup", 21, 1, "dialin");
	ev(&f, t + 15200, "8003", "AGENT", "ringing", 22, 1, "dialin");
	ev(&f, t + 17000, "8003", "AGENT", "answer", 22, 1, "dialin");
	/* a leader's supervision leg is no call of his */
	ev(&f, t + 18000, "8004", "AGENT", "ringing", 23, 1, "dialin");
	ev(&f, t + 18500, "8004", "AGENT", "answer", 23, 1, "dialin");
	/* still talking: counts up to now */
	d = day_of(&f, "8003", 1, t + 20000);
	UT_EQ_INT(d.in_answered, 1);
	UT_EQ_INT(d.talk_ms, 3000);
	ev(&f, t + 22000, "", "CALLER", "hangup", 20, 1, "dialin");
	ev(&f, t + 22000, "8004", "AGENT", "hangup", 23, 1, "dialin");
	ev(&f, t + 22000, "8003", "AGENT", "hangup", 22, 1, "dialin");
	ev(&f, t + 22000, "", "CONVERSATION", "hangup", 0, 1, "dialin");
	d = day_of(&f, "8002", 1, t + 60000);
	UT_EQ_INT(d.total_calls, 1);
	UT_EQ_INT(d.in_answered, 0);
	UT_EQ_INT(d.talk_ms, 0);
	d = day_of(&f, "8003", 1, t + 60000);
	UT_EQ_INT(d.total_calls, 1);
	UT_EQ_INT(d.in_answered, 1);
	UT_EQ_INT(d.talk_ms, 5000);
	d = day_of(&f, "8004", 1, t + 60000);
	UT_EQ_INT(d.total_calls, 0);

	/* a leg whose first event is its hangup never rang: not a call */
	str_ncpy(f.sid, "s5", sizeof(f.sid));
	ev(&f, t + 70000, "8005", "AGENT", "hangup", 30, 1, "dialout");
	UT_EQ_INT(day_of(&f, "8005", 1, t + 80000).total_calls, 0);
	mem_deref(f.s);
}

UNIT_TEST(stats_days_and_midnight)
{
	struct occ occ = { 0 };
	struct feed f = { 0 };
	int64_t d0 = day_start_ms(1764936000000LL);
	int64_t d1 = day_start_ms(d0 + 36 * 3600000LL);   /* the next day */
	struct stats_day d;

	UT_EQ_INT(stats_alloc(&f.s, &occ), 0);
	outbound(&f, "y1", "8001", 1, d0 + 3600000LL, 7000);
	/* answered 4 s before midnight, talks 10 s: 6 s are the new day's */
	outbound(&f, "y2", "8001", 1, d1 - 6000, 10000);
	d = day_of(&f, "8001", 1, d1 + 3600000LL);
	UT_EQ_INT(d.total_calls, 0);       /* it rang yesterday */
	UT_EQ_INT(d.out_answered, 0);
	UT_EQ_INT(d.talk_ms, 6000);
	/* yesterday's figures are not today's */
	outbound(&f, "n1", "8001", 1, d1 + 7200000LL, 1000);
	d = day_of(&f, "8001", 1, d1 + 8 * 3600000LL);
	UT_EQ_INT(d.total_calls, 1);
	UT_EQ_INT(d.out_answered, 1);
	UT_EQ_INT(d.talk_ms, 7000);
	/* asked about a later day with no calls yet: zero */
	d = day_of(&f, "8001", 1, d1 + 30 * 3600000LL);
	UT_EQ_INT(d.total_calls, 0);
	UT_EQ_INT(d.talk_ms, 0);
	mem_deref(f.s);
}

/* A caller leaves queue group gid at ts: reason after waited seconds. */
static void leave(struct feed *f, int64_t ts, int gid, const char *reason,
		  unsigned waited)
{
	char text[512];
	struct event e = { .team_id = TEAM, .team = "t", .ts_ms = ts,
			   .agent1 = "", .agent2 = "", .text = text };

	re_snprintf(text, sizeof(text), "calleridnum=5550001&didnumber=800&"
		    "source=QUEUE&event=leave&uniqueid=9&sessionid=%s&"
		    "eventTime=x&AgentTeamId=7&AgentGroupId=%d&queuenumber="
		    "6001&reason=%s&position=0&waittime=%u&from=dialin&",
		    f->sid, gid, reason, waited);
	stats_event(&e, f->s);
}

UNIT_TEST(stats_queue_service_level_asa_aht_abandoned)
{
	struct occ occ = { 0 };
	struct feed f = { 0 };
	int64_t d0 = day_start_ms(1764936000000LL), t = d0 + 10 * 3600000LL;
	struct stats_queue q;

	UT_EQ_INT(stats_alloc(&f.s, &occ), 0);
	str_ncpy(f.sid, "q1", sizeof(f.sid));
	leave(&f, t, 1, "answered", 5);
	/* its agent leg talks 30 s */
	ev(&f, t - 1000, "8002", "AGENT", "ringing", 3, 1, "dialin");
	ev(&f, t, "8002", "AGENT", "answer", 3, 1, "dialin");
	ev(&f, t + 30000, "8002", "AGENT", "hangup", 3, 1, "dialin");
	str_ncpy(f.sid, "q2", sizeof(f.sid));
	leave(&f, t + 60000, 1, "answered", 25);
	str_ncpy(f.sid, "q3", sizeof(f.sid));
	leave(&f, t + 90000, 1, "abandon", 40);
	leave(&f, t + 95000, 1, "timeout", 300);
	leave(&f, t + 96000, 2, "answered", 1);            /* other group */
	stats_queue_day(f.s, TEAM, 1, t + 100000, &q);
	UT_EQ_INT(q.answered, 2);
	UT_EQ_INT(q.abandoned, 1);
	UT_EQ_INT(q.other, 1);
	UT_EQ_INT((long long)q.wait_s, 30);
	UT_EQ_INT(stats_answered_within(&q, 20), 1);
	UT_EQ_INT(stats_answered_within(&q, 25), 2);
	UT_EQ_INT(stats_answered_within(&q, 4), 0);
	UT_EQ_INT(q.handled, 1);
	UT_EQ_INT((long long)q.handle_ms, 30000);
	/* the next day starts from zero */
	stats_queue_day(f.s, TEAM, 1, t + 86400000LL, &q);
	UT_EQ_INT(q.answered, 0);
	mem_deref(f.s);
}
