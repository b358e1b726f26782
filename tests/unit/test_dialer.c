/*
 * test_dialer.c — the dialer's decision rules one by one, with a fake
 * clock: preview never dials, progressive one call per free agent, caps,
 * a held live answer abandoned after hold_ms or bridged to the agent who
 * becomes free, no agent offered two calls, the ring and hold clamps, the
 * abandon budget forcing progressive, and the per-record rules (DNC,
 * window, retry delays and maxima, the UK 72 h lockout).
 */
#include <stdlib.h>
#include <math.h>
#include "unit.h"
#include "dialer/dialer.h"

struct host {
	int bridged, abandoned;
	void *last_call, *last_agent;
	uint64_t wake;
};

static void h_bridge(void *arg, void *c, void *a)
{
	struct host *h = arg;
	h->bridged++;
	h->last_call = c;
	h->last_agent = a;
}

static void h_abandon(void *arg, void *c)
{
	struct host *h = arg;
	h->abandoned++;
	h->last_call = c;
}

static void h_wake(void *arg, uint64_t at)
{
	((struct host *)arg)->wake = at;
}

static const struct dialer_ops ops = { h_bridge, h_abandon, h_wake };

#define T0 (1000ULL * 86400 * 100 + 9 * 3600000ULL)

UNIT_TEST(dialer_preview_never_dials)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;

	dialer_cfg_default(&cfg);
	cfg.mode = DIALER_PREVIEW;
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 5; i++)
		dialer_agent_idle(d, dialer_agent_add(d, &h, T0), T0);
	UT_EQ_INT(dialer_decide(d, T0), 0);
	dialer_free(d);
}

UNIT_TEST(dialer_progressive_and_caps)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;
	struct dialer_call *c;

	dialer_cfg_default(&cfg);
	cfg.mode = DIALER_PROGRESSIVE;
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 5; i++)
		dialer_agent_idle(d, dialer_agent_add(d, &h, T0), T0);
	UT_EQ_INT(dialer_decide(d, T0), 5);
	c = dialer_dialled(d, &h, T0);
	UT_EQ_INT(dialer_decide(d, T0), 4);
	cfg.campaign_cap = 3;
	cfg.team_cap = 10;
	dialer_set_cfg(d, &cfg);
	UT_EQ_INT(dialer_decide(d, T0), 2);   /* campaign cap 3, one up */
	cfg.team_cap = 2;                      /* the team's cap wins */
	dialer_set_cfg(d, &cfg);
	UT_EQ_INT(dialer_decide(d, T0), 1);
	dialer_call_failed(d, c, T0 + 2000);
	dialer_free(d);
}

UNIT_TEST(dialer_hold_then_abandon_or_bridge)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;
	struct dialer_agent *a;
	struct dialer_call *c1, *c2, *c3;
	int call1, call2, call3, agent;
	struct dialer_stats st;

	dialer_cfg_default(&cfg);
	cfg.mode = DIALER_PROGRESSIVE;
	cfg.hold_ms = 5000;       /* clamped to 2000 */
	cfg.ring_ms = 5000;       /* clamped to 15000 */
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	UT_EQ_INT(dialer_hold_ms(d), 2000);
	UT_EQ_INT(dialer_ring_ms(d), 15000);
	a = dialer_agent_add(d, &agent, T0);
	dialer_agent_idle(d, a, T0);
	c1 = dialer_dialled(d, &call1, T0);
	c2 = dialer_dialled(d, &call2, T0);
	c3 = dialer_dialled(d, &call3, T0);
	dialer_call_answered(d, c1, true, T0 + 5000);
	UT_EQ_INT(h.bridged, 1);
	UT_ASSERT(h.last_agent == &agent);
	/* the only agent talks: the next answer is held, never offered */
	dialer_call_answered(d, c2, true, T0 + 6000);
	UT_EQ_INT(h.bridged, 1);
	UT_EQ_INT(h.wake, T0 + 8000);
	dialer_tick(d, T0 + 7999);
	UT_EQ_INT(h.abandoned, 0);
	dialer_tick(d, T0 + 8000);
	UT_EQ_INT(h.abandoned, 1);
	UT_ASSERT(h.last_call == &call2);
	/* held, and the agent comes free within hold_ms: bridged */
	dialer_call_answered(d, c3, true, T0 + 9000);
	dialer_agent_wrapup(d, a, T0 + 10000, T0 + 9500);
	dialer_agent_idle(d, a, T0 + 10000);
	UT_EQ_INT(h.bridged, 2);
	UT_ASSERT(h.last_call == &call3);
	dialer_tick(d, T0 + 12000);
	UT_EQ_INT(h.abandoned, 1);
	dialer_stats(d, &st);
	UT_EQ_INT(st.live, 3);
	UT_EQ_INT(st.abandons, 1);
	dialer_free(d);
}

/* one abandon in few live answers: the day's budget is spent, the
 * predictive campaign dials one call per free agent only */
UNIT_TEST(dialer_budget_spent_is_progressive)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;
	struct dialer_stats st;
	struct dialer_agent *a[10];
	int agent;

	dialer_cfg_default(&cfg);
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 10; i++)
		a[i] = dialer_agent_add(d, &agent, T0);
	/* all paused: two live answers are abandoned */
	for (int i = 0; i < 2; i++) {
		struct dialer_call *c = dialer_dialled(d, &h, T0);
		dialer_call_answered(d, c, true, T0 + 1000);
	}
	dialer_tick(d, T0 + 5000);
	UT_EQ_INT(h.abandoned, 2);
	for (int i = 0; i < 10; i++)
		dialer_agent_idle(d, a[i], T0 + 5000);
	UT_EQ_INT(dialer_decide(d, T0 + 5000), 10);
	dialer_stats(d, &st);
	UT_ASSERT(st.progressive_fallback);
	/* a new day: the day's budget is back, the 30-day window still
	 * holds 2 abandons in 2 live answers, but its budget (3 % of 40
	 * prior live answers) is under one abandon: still progressive */
	UT_EQ_INT(dialer_decide(d, T0 + 86400000), 10);
	dialer_stats(d, &st);
	UT_ASSERT(st.progressive_fallback);
	UT_EQ_INT(st.day_abandons, 0);
	UT_EQ_INT(st.window_abandons, 2);
	dialer_free(d);
}

/* AMD's hang-ups: each counts amd_fp of a live answer abandoned. With
 * amd_fp 0 machines never touch the budget; at 50 % twenty machines are
 * ten estimated abandons in ten estimated live answers, and the
 * predictive campaign falls back to progressive. A bridged call whose
 * agent's phone fails is an abandon. */
UNIT_TEST(dialer_amd_false_positives_spend_budget)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;
	struct dialer_stats st;
	struct dialer_agent *a[10];
	int agent;

	dialer_cfg_default(&cfg);
	cfg.amd_fp = 0;
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 10; i++)
		dialer_agent_idle(d, a[i] = dialer_agent_add(d, &agent, T0),
				  T0);
	for (int i = 0; i < 20; i++)
		dialer_call_machine(d, dialer_dialled(d, &h, T0), T0 + 9000);
	(void)dialer_decide(d, T0 + 9000);
	dialer_stats(d, &st);
	UT_EQ_INT(st.machines, 20);
	UT_ASSERT(st.amd_fp_est == 0);
	UT_ASSERT(!st.progressive_fallback);
	dialer_free(d);

	cfg.amd_fp = 0.5;
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 10; i++)
		dialer_agent_idle(d, a[i] = dialer_agent_add(d, &agent, T0),
				  T0);
	for (int i = 0; i < 20; i++)
		dialer_call_machine(d, dialer_dialled(d, &h, T0), T0 + 9000);
	UT_EQ_INT(dialer_decide(d, T0 + 9000), 10);
	dialer_stats(d, &st);
	UT_EQ_INT(st.machines, 20);
	UT_ASSERT(st.amd_fp_est > 9.99 && st.amd_fp_est < 10.01);
	UT_ASSERT(st.progressive_fallback);
	UT_EQ_INT(st.abandons, 0);         /* estimated, not counted */
	dialer_free(d);

	/* a lost bridge is an abandon of the live answer */
	cfg.amd_fp = 0;
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	dialer_agent_idle(d, a[0] = dialer_agent_add(d, &agent, T0), T0);
	dialer_call_answered(d, dialer_dialled(d, &h, T0), true, T0 + 5000);
	dialer_bridge_lost(d, T0 + 30000);
	dialer_stats(d, &st);
	UT_EQ_INT(st.live, 1);
	UT_EQ_INT(st.abandons, 1);
	UT_EQ_INT(st.day_abandons, 1);
	dialer_free(d);
}

/* a restarted host tells a new module the answers it stored: the spent
 * budget holds (progressive), today's and the window's counts are back;
 * an answer older than the window, or in the future, does not count */
UNIT_TEST(dialer_budget_restored_after_restart)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;
	struct dialer_stats st;
	uint64_t now = T0 + 40 * 86400000ULL;
	int agent;

	dialer_cfg_default(&cfg);
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 10; i++)
		dialer_agent_idle(d, dialer_agent_add(d, &agent, now), now);
	UT_ASSERT(dialer_decide(d, now) > 10);          /* a clean budget */
	dialer_account_past(d, now - 31 * 86400000ULL, true, now);  /* old */
	dialer_account_past(d, now + 1000, true, now);  /* not yet */
	dialer_account_past(d, now - 5 * 86400000ULL, false, now);
	dialer_account_past(d, now - 3000, true, now);
	dialer_account_past(d, now - 2000, true, now);
	dialer_account_past(d, now - 1000, false, now);
	UT_EQ_INT(dialer_decide(d, now), 10);
	dialer_stats(d, &st);
	UT_ASSERT(st.progressive_fallback);
	UT_EQ_INT(st.day_live, 3);
	UT_EQ_INT(st.day_abandons, 2);
	UT_EQ_INT(st.window_live, 4);
	UT_EQ_INT(st.window_abandons, 2);
	dialer_free(d);
}

/* AMD's estimated false positives outlive a restart: a module that
 * heard 20 machines at amd_fp 50 % (10 two days ago, 10 today) and 40
 * live answers, and a new module told the same from the store
 * (dialer_account_past, dialer_account_past_machine), have the same
 * budget: the same risk level, the same fallback (the legal window has
 * 10 estimated abandons of its 0.03 x 90); without the machines the new
 * module would dial predictively on a fresh budget */
static void budget_of(struct dialer *d, uint64_t now, double *risk,
		      bool *fallback)
{
	struct dialer_stats st;
	int agent;

	for (int i = 0; i < 10; i++)
		dialer_agent_idle(d, dialer_agent_add(d, &agent, now), now);
	dialer_decide(d, now);
	dialer_stats(d, &st);
	*risk = st.risk;
	*fallback = st.progressive_fallback;
}

UNIT_TEST(dialer_amd_fp_restored_after_restart)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;
	uint64_t now = T0 + 40 * 86400000ULL, past = now - 2 * 86400000ULL;
	uint64_t at[20];
	double r_before, r_after, r_none;
	bool fb_before, fb_after, fb_none;

	dialer_cfg_default(&cfg);
	cfg.amd_fp = 0.5;
	for (int i = 0; i < 20; i++)
		at[i] = (i < 10 ? past : now - 60000) + (uint64_t)i * 1000;
	/* before: the module heard them */
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 20; i++) {          /* in the order of time */
		if (i == 10)
			for (int j = 0; j < 40; j++)
				dialer_account_past(d, now - 120000, false,
						    now - 120000);
		dialer_call_machine(d, dialer_dialled(d, &h, at[i] - 9000),
				    at[i]);
	}
	budget_of(d, now, &r_before, &fb_before);
	dialer_free(d);
	/* after a restart: told from the store */
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 40; i++)
		dialer_account_past(d, now - 120000, false, now);
	for (int i = 0; i < 20; i++)
		dialer_account_past_machine(d, at[i], now);
	budget_of(d, now, &r_after, &fb_after);
	dialer_free(d);
	/* what a restart gave before: the machines forgotten */
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 40; i++)
		dialer_account_past(d, now - 120000, false, now);
	budget_of(d, now, &r_none, &fb_none);
	dialer_free(d);

	fprintf(stderr, "  risk before %.5f after %.5f without machines %.5f;"
		" fallback %d %d %d\n", r_before, r_after, r_none, fb_before,
		fb_after, fb_none);
	UT_ASSERT(fb_before && fb_after && !fb_none);
	UT_ASSERT(fabs(r_before - r_after) < 1e-9);
	UT_ASSERT(r_none > r_after * 2);
}

/* with idle agents and a clean budget, predictive dials more than one
 * call per agent (the answer probability is about a third) */
UNIT_TEST(dialer_predictive_overdials)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;
	int agent;
	unsigned n;

	dialer_cfg_default(&cfg);
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	for (int i = 0; i < 20; i++)
		dialer_agent_idle(d, dialer_agent_add(d, &agent, T0), T0);
	n = dialer_decide(d, T0);
	UT_ASSERT(n > 20 && n < 80);
	dialer_free(d);
}

/* blending: an agent an inbound caller waits for is no free agent: not
 * dialled for (progressive, predictive with a talk nearly over), given
 * no held answer; once the caller is served, it takes the held answer */
UNIT_TEST(dialer_awaited_agent_is_not_free)
{
	struct host h = { 0 };
	struct dialer_cfg cfg;
	struct dialer *d;
	struct dialer_agent *a, *b;
	struct dialer_call *c;
	int agent_a, agent_b, call;

	dialer_cfg_default(&cfg);
	cfg.mode = DIALER_PROGRESSIVE;
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	a = dialer_agent_add(d, &agent_a, T0);
	b = dialer_agent_add(d, &agent_b, T0);
	dialer_agent_idle(d, a, T0);
	dialer_agent_idle(d, b, T0 + 1);
	UT_EQ_INT(dialer_decide(d, T0 + 2), 2);
	dialer_agent_awaited(d, a, true, T0 + 2);
	UT_EQ_INT(dialer_decide(d, T0 + 2), 1);
	/* an answer goes to b, though a has been idle longer */
	c = dialer_dialled(d, &call, T0 + 2);
	dialer_call_answered(d, c, true, T0 + 3000);
	UT_EQ_INT(h.bridged, 1);
	UT_ASSERT(h.last_agent == &agent_b);
	UT_EQ_INT(dialer_decide(d, T0 + 3000), 0);
	/* b talks; an answer is held; a, idle but awaited, is not given it,
	 * nor when told idle again */
	c = dialer_dialled(d, &call, T0 + 3000);
	dialer_call_answered(d, c, true, T0 + 6000);
	UT_EQ_INT(h.bridged, 1);
	dialer_agent_idle(d, a, T0 + 6100);
	UT_EQ_INT(h.bridged, 1);
	/* the caller is served elsewhere: a takes the held answer at once */
	dialer_agent_awaited(d, a, false, T0 + 6200);
	UT_EQ_INT(h.bridged, 2);
	UT_ASSERT(h.last_agent == &agent_a);
	UT_EQ_INT(h.abandoned, 0);
	dialer_free(d);

	/* predictive: ten agents whose wrap-ups end in 0.5 s are forecast
	 * free and dialled for; fewer with five awaited, none with all ten */
	dialer_cfg_default(&cfg);
	d = dialer_new(&cfg, &ops, &h);
	UT_ASSERT(d);
	{
		struct dialer_agent *w[10];
		unsigned n10, n5;
		for (int i = 0; i < 10; i++) {
			w[i] = dialer_agent_add(d, &agent_a, T0);
			dialer_agent_wrapup(d, w[i], T0 + 500, T0);
		}
		n10 = dialer_decide(d, T0);
		UT_ASSERT(n10 >= 10);
		for (int i = 0; i < 5; i++)
			dialer_agent_awaited(d, w[i], true, T0);
		n5 = dialer_decide(d, T0);
		UT_ASSERT(n5 > 0 && n5 < n10);
		for (int i = 5; i < 10; i++)
			dialer_agent_awaited(d, w[i], true, T0);
		UT_EQ_INT(dialer_decide(d, T0), 0);
	}
	dialer_free(d);
}

struct world {
	bool dnc, open;
};

static bool w_dnc(void *arg, const struct dialer_record *r)
{
	return ((struct world *)arg)->dnc;
}

static bool w_window(void *arg, const struct dialer_record *r, uint64_t now)
{
	return ((struct world *)arg)->open;
}

UNIT_TEST(dialer_record_rules)
{
	static const struct dialer_record_ops rops = { w_dnc, w_window };
	static const struct dialer_record_ops none = { NULL, NULL };
	struct dialer_rules rules;
	struct world w = { false, true };
	struct dialer_record r = { .number = "5551234" };
	uint64_t now = T0;

	dialer_rules_default(&rules, false);
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w, now), DIALER_OK);
	/* no DNC or window callback: refused, never assumed fine */
	UT_EQ_INT(dialer_record_check(&rules, &r, &none, &w, now),
		  DIALER_NO_DNC);
	w.dnc = true;
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w, now),
		  DIALER_NO_DNC);
	w.dnc = false;
	w.open = false;
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w, now),
		  DIALER_NO_WINDOW);
	w.open = true;
	/* busy: 5 minutes, then again; the fifth busy ends the record */
	r.attempts = 1;
	r.last_result = DIALER_RES_BUSY;
	r.last_ms = now;
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w, now + 299999),
		  DIALER_NO_RETRY_DELAY);
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w, now + 300000),
		  DIALER_OK);
	r.attempts = 5;
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w, now + 900000),
		  DIALER_NO_DONE);
	/* no answer: 30 minutes, 3 attempts */
	r.attempts = 2;
	r.last_result = DIALER_RES_NO_ANSWER;
	UT_EQ_INT(dialer_record_next(&rules, &r), now + 1800000);
	r.attempts = 3;
	UT_EQ_INT(dialer_record_next(&rules, &r), UINT64_MAX);
	/* answered: done */
	r.attempts = 1;
	r.last_result = DIALER_RES_ANSWERED;
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w, now + 86400000),
		  DIALER_NO_DONE);
	/* uk: no redial within 72 h of an abandon, whatever the result since */
	dialer_rules_default(&rules, true);
	r.last_result = DIALER_RES_NO_ANSWER;
	r.last_abandon_ms = now;
	r.last_ms = now + 3600000;
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w,
				      now + 72 * 3600000ULL - 1),
		  DIALER_NO_LOCKOUT);
	UT_EQ_INT(dialer_record_check(&rules, &r, &rops, &w,
				      now + 72 * 3600000ULL), DIALER_OK);
}

/* A campaign's retry settings: delays by result, attempts in all. */
UNIT_TEST(dialer_retry_settings)
{
	struct dialer_rules rules;
	struct dialer_record r = { .number = "5551234", .attempts = 1,
				   .last_result = DIALER_RES_BUSY,
				   .last_ms = T0 };
	struct dialer_retry_cfg c = { .busy_s = 2, .failed_s = 600,
				      .max_attempts = 2 };

	dialer_rules_default(&rules, false);
	dialer_rules_apply(&rules, &c);
	UT_EQ_INT(dialer_record_next(&rules, &r), T0 + 2000);
	r.last_result = DIALER_RES_FAILED;
	UT_EQ_INT(dialer_record_next(&rules, &r), T0 + 600000);
	r.last_result = DIALER_RES_NO_ANSWER;    /* 0: the default */
	UT_EQ_INT(dialer_record_next(&rules, &r), T0 + 1800000);
	r.attempts = 2;                          /* max_attempts reached */
	UT_EQ_INT(dialer_record_next(&rules, &r), UINT64_MAX);
	r.last_result = DIALER_RES_MACHINE;
	UT_EQ_INT(dialer_record_next(&rules, &r), UINT64_MAX);
	r.last_result = DIALER_RES_INTERRUPTED;
	UT_EQ_INT(dialer_record_next(&rules, &r), UINT64_MAX);
	/* nothing set: the defaults; a dial interrupted by a crash is tried
	 * again 30 min later, three attempts in all */
	dialer_rules_default(&rules, false);
	r.attempts = 1;
	UT_EQ_INT(dialer_record_next(&rules, &r), T0 + 1800000);
	r.attempts = 3;
	UT_EQ_INT(dialer_record_next(&rules, &r), UINT64_MAX);
	r.attempts = 2;
	dialer_rules_default(&rules, false);
	dialer_rules_apply(&rules, &(struct dialer_retry_cfg){ 0 });
	r.last_result = DIALER_RES_BUSY;
	UT_EQ_INT(dialer_record_next(&rules, &r), T0 + 300000);
}

UNIT_TEST(dialer_dnc_digits)
{
	char d[10];

	UT_EQ_INT(dialer_number_digits("+1 (555) 12-34", d, sizeof(d)), 8);
	UT_EQ_STR(d, "15551234");
	UT_EQ_INT(dialer_number_digits("555.1234", d, sizeof(d)), 7);
	UT_EQ_STR(d, "5551234");
	UT_EQ_INT(dialer_number_digits("+-", d, sizeof(d)), 0);
	UT_EQ_STR(d, "");
	/* too long: nothing rather than a prefix that could match another */
	UT_EQ_INT(dialer_number_digits("123456789", d, sizeof(d)), 9);
	UT_EQ_INT(dialer_number_digits("1234567890", d, sizeof(d)), 0);
	UT_EQ_STR(d, "");
}

UNIT_TEST(dialer_window_wait_times)
{
	/* 08:00-21:00 */
	UT_EQ_INT(dialer_window_wait_s(480, 1260, 480, 0), 0);
	UT_EQ_INT(dialer_window_wait_s(480, 1260, 1259, 59), 0);
	UT_EQ_INT(dialer_window_wait_s(480, 1260, 1260, 0), 11 * 3600);
	UT_EQ_INT(dialer_window_wait_s(480, 1260, 479, 30), 30);
	UT_EQ_INT(dialer_window_wait_s(480, 1260, 0, 0), 8 * 3600);
	/* over midnight, 22:00-02:00 */
	UT_EQ_INT(dialer_window_wait_s(1320, 120, 60, 0), 0);
	UT_EQ_INT(dialer_window_wait_s(1320, 120, 1330, 0), 0);
	UT_EQ_INT(dialer_window_wait_s(1320, 120, 120, 0), 20 * 3600);
	/* all day, never */
	UT_EQ_INT(dialer_window_wait_s(0, 1440, 1439, 59), 0);
	UT_EQ_INT(dialer_window_wait_s(600, 600, 0, 0), UINT32_MAX);
}
