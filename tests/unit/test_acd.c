/*
 * test_acd.c — the ACD's decisions under a fake clock: each strategy's
 * order of offers, levels and relaxation, priority, longest waiting
 * across queues, ringall's first answer, ring-no-answer, who is never
 * offered, the queue limits, the sticky agent and the counts behind
 * queueCustomerNum. Every step also passes acd_check_invariants().
 *
 * The fake host writes each callback as a word into a log ("offer c1 a2",
 * "cancel c1 a3 answered", "fail c1 max_wait", "pause a2"); a test takes
 * the log after each input and compares it whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "acd/acd.h"

struct host {
	struct acd *acd;
	bool reenter;          /* on_offer tries to call back in */
	int reentered;         /* ... and the ACD let it */
	uint64_t now, wake;
	char log[2048];
	char taken[2048];
	struct acd_queue *q[4];
	struct acd_agent *a[8];
};

static const char *const cancel_words[] = {
	"answered", "timeout", "gone", "agent_gone", "reload" };
static const char *const fail_words[] = {
	"ok", "max_wait", "full", "empty", "leave_empty" };

static void logf_(struct host *h, const char *s)
{
	size_t n = strlen(h->log);
	snprintf(h->log + n, sizeof(h->log) - n, "%s%s", n ? "; " : "", s);
}

static void on_offer(void *arg, const struct acd_leg *l)
{
	char s[64];
	struct host *h = arg;
	snprintf(s, sizeof(s), "offer %s %s", (char *)l->caller_host,
		 (char *)l->agent_host);
	logf_(arg, s);
	if (h->reenter && (acd_agent_set(h->acd, l->agent, &(struct
			acd_agent_state){ .registered = true }, h->now) != EBUSY ||
			   acd_offer_answered(h->acd, l->caller, l->agent, h->now)))
		h->reentered++;
}

static void on_cancel(void *arg, const struct acd_leg *l, enum acd_cancel w)
{
	char s[64];
	snprintf(s, sizeof(s), "cancel %s %s %s", (char *)l->caller_host,
		 (char *)l->agent_host, cancel_words[w]);
	logf_(arg, s);
}

static void on_failed(void *arg, struct acd_caller *c, void *ch,
		      enum acd_fail w)
{
	char s[64];
	snprintf(s, sizeof(s), "fail %s %s", (char *)ch, fail_words[w]);
	logf_(arg, s);
}

static void on_pause(void *arg, struct acd_agent *a, void *ah)
{
	char s[64];
	snprintf(s, sizeof(s), "pause %s", (char *)ah);
	logf_(arg, s);
}

static void on_wake(void *arg, uint64_t at)
{
	((struct host *)arg)->wake = at;
}

static const struct acd_ops ops = {
	on_offer, on_cancel, on_failed, on_pause, on_wake,
};

/* the log since the last take */
static const char *take(struct host *h)
{
	snprintf(h->taken, sizeof(h->taken), "%s", h->log);
	h->log[0] = '\0';
	return h->taken;
}

static struct queue_cfg qcfg(const char *number, enum queue_strategy s)
{
	struct queue_cfg c;
	memset(&c, 0, sizeof(c));
	snprintf(c.queue, sizeof(c.queue), "%s", number);
	c.strategy = s;
	c.ring_timeout_s = 15;
	c.retry_s = 5;
	c.join_empty = true;
	return c;
}

static const struct acd_agent_state ready = { .registered = true };
static char agent_names[8][4] = {
	"a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7" };
static char caller_names[16][4] = {
	"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7",
	"c8", "c9", "c10", "c11", "c12", "c13", "c14", "c15" };

static void host_init(struct host *h)
{
	memset(h, 0, sizeof(*h));
	h->acd = acd_new(&ops, h, 42);
}

/* agent i ("a<i>"), registered and idle, checked in to q, dialin */
static struct acd_agent *agent(struct host *h, int i, struct acd_queue *q)
{
	if (!h->a[i]) {
		h->a[i] = acd_agent_add(h->acd, "t", agent_names[i],
					agent_names[i]);
		acd_agent_set(h->acd, h->a[i], &ready, h->now);
	}
	if (q) {
		acd_member_add(h->acd, q, h->a[i], h->now);
		acd_member_set(h->acd, q, h->a[i], true, true, h->now);
	}
	return h->a[i];
}

static void set_agent(struct host *h, int i, struct acd_agent_state st)
{
	acd_agent_set(h->acd, h->a[i], &st, h->now);
}

static struct acd_caller *join(struct host *h, struct acd_queue *q, int i,
			       int prio)
{
	struct acd_caller *c = NULL;
	int r = acd_caller_join(h->acd, q, prio, "", h->now, caller_names[i],
				h->now, &c);
	return r == ACD_OK ? c : NULL;
}

/* the clock moves to t (ms), waking the ACD whenever it asked */
static void advance(struct host *h, uint64_t t)
{
	while (h->wake && h->wake <= t) {
		h->now = h->wake;
		acd_tick(h->acd, h->now);
	}
	h->now = t;
}

static int broken(struct host *h)
{
	char err[256];
	int n = acd_check_invariants(h->acd, h->now, err, sizeof(err));
	if (n)
		fprintf(stderr, "  invariant: %s\n", err);
	return n;
}

/* answered and hung up at once; the agent is free again */
static void talk(struct host *h, struct acd_caller *c, int agent_i,
		 uint64_t talk_ms)
{
	acd_offer_answered(h->acd, c, h->a[agent_i], h->now);
	h->now += talk_ms;
	acd_call_ended(h->acd, h->a[agent_i], false, h->now);
	acd_caller_leave(h->acd, c, h->now);
}

UNIT_TEST(acd_linear_follows_configuration_order)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_LINEAR);
	struct acd_caller *c;
	__typeof__(*cfg.members) members[3] = {
		{ "a3", 0, 0 }, { "a1", 0, 0 }, { "a2", 0, 0 } };

	host_init(&h);
	cfg.members = members;
	cfg.nmembers = 3;
	cfg.retry_s = 30;
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	for (int i = 1; i <= 3; i++)
		agent(&h, i, h.q[0]);
	h.reenter = true;   /* callbacks may not call back in */
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "offer c1 a3");
	UT_EQ_INT(h.reentered, 0);
	h.reenter = false;
	acd_offer_failed(h.acd, c, h.a[3], ACD_BUSY, h.now);
	UT_EQ_STR(take(&h), "offer c1 a1");
	/* the ring timeout is the ACD's: it cancels, then the next */
	advance(&h, 15000);
	UT_EQ_STR(take(&h), "cancel c1 a1 timeout; offer c1 a2");
	UT_EQ_INT(broken(&h), 0);
	/* a3 may take the caller again after retry_s (30 s from its busy) */
	acd_offer_failed(h.acd, c, h.a[2], ACD_ERROR, h.now);
	UT_EQ_STR(take(&h), "");
	UT_EQ_INT(h.wake, 30000);
	advance(&h, 30000);
	UT_EQ_STR(take(&h), "offer c1 a3");
	UT_EQ_INT(broken(&h), 0);
	acd_caller_leave(h.acd, c, h.now);
	UT_EQ_STR(take(&h), "cancel c1 a3 gone");
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

/* retry 0: an agent that refuses (a phone in DND answers 486 at once) is
 * still not offered the same caller again at once — that was a loop of
 * offers, and the caller never went to the next agent — but a second
 * later */
UNIT_TEST(acd_retry_zero_blocks_a_second)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_LINEAR);
	struct acd_caller *c;
	__typeof__(*cfg.members) members[2] = { { "a1", 0, 0 }, { "a2", 0, 0 } };

	host_init(&h);
	cfg.members = members;
	cfg.nmembers = 2;
	cfg.retry_s = 0;
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	agent(&h, 1, h.q[0]);
	agent(&h, 2, h.q[0]);
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "offer c1 a1");
	acd_offer_failed(h.acd, c, h.a[1], ACD_BUSY, h.now);
	UT_EQ_STR(take(&h), "offer c1 a2");
	h.now = 200;
	acd_offer_failed(h.acd, c, h.a[2], ACD_BUSY, h.now);
	UT_EQ_STR(take(&h), "");
	UT_EQ_INT(h.wake, 1000);
	UT_EQ_INT(broken(&h), 0);
	advance(&h, 1000);
	UT_EQ_STR(take(&h), "offer c1 a1");
	acd_caller_leave(h.acd, c, h.now);
	UT_EQ_STR(take(&h), "cancel c1 a1 gone");
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

UNIT_TEST(acd_leastrecent_fewestcalls_leasttalk_orders)
{
	static const enum queue_strategy s[3] = {
		QS_LEASTRECENT, QS_FEWESTCALLS, QS_LEASTTALK };
	/* a1 talks 100 s, a2 10 s, a3 50 s, in that order, then 1 s calls */
	for (int k = 0; k < 3; k++) {
		struct host h;
		struct queue_cfg cfg = qcfg("6001", s[k]);
		struct acd_caller *c;

		host_init(&h);
		h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
		for (int i = 1; i <= 3; i++)
			agent(&h, i, h.q[0]);
		/* all equal: configuration order */
		c = join(&h, h.q[0], 1, 0);
		UT_EQ_STR(take(&h), "offer c1 a1");
		talk(&h, c, 1, 100000);
		take(&h);
		c = join(&h, h.q[0], 2, 0);
		UT_EQ_STR(take(&h), "offer c2 a2");
		talk(&h, c, 2, 10000);
		take(&h);
		c = join(&h, h.q[0], 3, 0);
		UT_EQ_STR(take(&h), "offer c3 a3");
		talk(&h, c, 3, 50000);
		take(&h);
		/* leastrecent: a1 ended first; fewestcalls: a tie (one
		 * each), configuration order; leasttalk: a2 (10 s) */
		c = join(&h, h.q[0], 4, 0);
		UT_EQ_STR(take(&h), k == 2 ? "offer c4 a2" : "offer c4 a1");
		/* a1 (or a2 for leasttalk) talks 1 s */
		talk(&h, c, k == 2 ? 2 : 1, 1000);
		take(&h);
		/* leastrecent: a2 ended longest ago; fewestcalls: a2 and a3
		 * have one call, a2 comes first; leasttalk: a2 (11 s) */
		c = join(&h, h.q[0], 5, 0);
		UT_EQ_STR(take(&h), "offer c5 a2");
		talk(&h, c, 2, 1000);
		take(&h);
		/* leastrecent: a3 ended before a1 and a2; fewestcalls: a3
		 * (one call) before a2 and a1 (two); leasttalk: a2 has 12 s,
		 * a3 50 s, a1 100 s */
		c = join(&h, h.q[0], 6, 0);
		UT_EQ_STR(take(&h), k == 2 ? "offer c6 a2" : "offer c6 a3");
		UT_EQ_INT(broken(&h), 0);
		acd_caller_leave(h.acd, c, h.now);
		acd_free(h.acd);
	}
}

UNIT_TEST(acd_rrmemory_goes_round)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_RRMEMORY);
	struct acd_caller *c;
	static const char *const want[5] = {
		"offer c0 a1", "offer c1 a2", "offer c2 a3", "offer c3 a1",
		"offer c4 a2" };

	host_init(&h);
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	for (int i = 1; i <= 3; i++)
		agent(&h, i, h.q[0]);
	for (int i = 0; i < 5; i++) {
		c = join(&h, h.q[0], i, 0);
		UT_EQ_STR(take(&h), want[i]);
		talk(&h, c, 1 + i % 3, 1000);
		take(&h);
	}
	/* a round skips a member who is not free: a3 is paused */
	set_agent(&h, 3, (struct acd_agent_state){ .registered = true,
						   .paused = true });
	c = join(&h, h.q[0], 5, 0);
	UT_EQ_STR(take(&h), "offer c5 a1");
	UT_EQ_INT(broken(&h), 0);
	acd_caller_leave(h.acd, c, h.now);
	acd_free(h.acd);
}

/* how often each agent is offered the first ring of 600 callers */
static void draw(struct host *h, unsigned counts[4])
{
	for (int i = 0; i < 600; i++) {
		struct acd_caller *c = join(h, h->q[0], 0, 0);
		const char *l = take(h);
		if (strlen(l) == strlen("offer c0 a1"))
			counts[l[strlen(l) - 1] - '0']++;
		acd_caller_leave(h->acd, c, h->now);
		take(h);
	}
}

UNIT_TEST(acd_random_and_wrandom_draw_by_weight)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_RANDOM);
	unsigned counts[4] = { 0 };
	__typeof__(*cfg.members) members[3] = {
		{ "a1", 0, 1 }, { "a2", 0, 1 }, { "a3", 0, 8 } };

	host_init(&h);
	cfg.members = members;
	cfg.nmembers = 3;
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	for (int i = 1; i <= 3; i++)
		agent(&h, i, h.q[0]);
	draw(&h, counts);
	/* uniform: 200 each expected */
	for (int i = 1; i <= 3; i++)
		UT_ASSERT(counts[i] > 150 && counts[i] < 250);
	cfg.strategy = QS_WRANDOM;
	UT_EQ_INT(acd_queue_set_cfg(h.acd, h.q[0], &cfg, h.now), 0);
	memset(counts, 0, sizeof(counts));
	draw(&h, counts);
	/* weights 1:1:8: 60, 60, 480 expected */
	UT_ASSERT(counts[3] > 420 && counts[3] < 540);
	UT_ASSERT(counts[1] > 30 && counts[2] > 30);
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

UNIT_TEST(acd_ringall_first_answer_wins)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_RINGALL);
	struct acd_caller *c, *c2;
	struct acd_counts n;

	host_init(&h);
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	for (int i = 1; i <= 3; i++)
		agent(&h, i, h.q[0]);
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "offer c1 a1; offer c1 a2; offer c1 a3");
	acd_queue_counts(h.q[0], 0, &n);
	UT_EQ_INT(n.ringing, 1);
	UT_EQ_INT(broken(&h), 0);
	/* a second caller waits: every agent rings for the first */
	c2 = join(&h, h.q[0], 2, 0);
	UT_EQ_STR(take(&h), "");
	h.now += 30;
	UT_ASSERT(acd_offer_answered(h.acd, c, h.a[2], h.now));
	/* the losers are cancelled and take the next caller at once */
	UT_EQ_STR(take(&h), "cancel c1 a1 answered; offer c2 a1; "
		  "cancel c1 a3 answered; offer c2 a3");
	/* a3's 200 crossed the CANCEL: refused, the host hangs it up */
	UT_ASSERT(!acd_offer_answered(h.acd, c, h.a[3], h.now + 5));
	UT_ASSERT(!acd_offer_answered(h.acd, c, h.a[2], h.now + 5));
	UT_EQ_INT(broken(&h), 0);
	UT_ASSERT(acd_offer_answered(h.acd, c2, h.a[3], h.now + 6));
	UT_EQ_STR(take(&h), "cancel c2 a1 answered");
	UT_ASSERT(!acd_offer_answered(h.acd, c2, h.a[1], h.now + 7));
	acd_queue_counts(h.q[0], 0, &n);
	UT_EQ_INT(n.talking, 2);
	UT_EQ_INT(n.total, 2);
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

UNIT_TEST(acd_ring_no_answer_next_agent_and_autopause)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_LINEAR);
	struct acd_caller *c;

	host_init(&h);
	cfg.autopause = true;
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	agent(&h, 1, h.q[0]);
	agent(&h, 2, h.q[0]);
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "offer c1 a1");
	advance(&h, 15000);
	UT_EQ_STR(take(&h), "cancel c1 a1 timeout; pause a1; offer c1 a2");
	/* busy is no ring-no-answer: no pause (a2 is in another call) */
	set_agent(&h, 2, (struct acd_agent_state){ .registered = true,
						   .busy = true });
	acd_offer_failed(h.acd, c, h.a[2], ACD_BUSY, h.now);
	UT_EQ_STR(take(&h), "");
	UT_EQ_INT(broken(&h), 0);
	/* the host unpauses a1: it takes the caller (its block is over) */
	advance(&h, 21000);
	set_agent(&h, 1, ready);
	UT_EQ_STR(take(&h), "offer c1 a1");
	acd_offer_failed(h.acd, c, h.a[1], ACD_NO_ANSWER, h.now);
	UT_EQ_STR(take(&h), "pause a1");
	/* a stale result of an offer that is no longer live is ignored */
	acd_offer_failed(h.acd, c, h.a[1], ACD_NO_ANSWER, h.now);
	UT_EQ_STR(take(&h), "");
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

UNIT_TEST(acd_unavailable_agents_never_offered)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_RINGALL);
	struct acd_caller *c;
	const struct acd_agent_state bad[5] = {
		{ .registered = false },
		{ .registered = true, .paused = true },
		{ .registered = true, .dnd = true },
		{ .registered = true, .acw = true },
		{ .registered = true, .busy = true },
	};

	host_init(&h);
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	for (int i = 0; i < 5; i++) {
		agent(&h, i, h.q[0]);
		set_agent(&h, i, bad[i]);
	}
	agent(&h, 5, h.q[0]);   /* dialout only */
	acd_member_set(h.acd, h.q[0], h.a[5], true, false, h.now);
	agent(&h, 6, h.q[0]);   /* checked out */
	acd_member_set(h.acd, h.q[0], h.a[6], false, true, h.now);
	agent(&h, 7, NULL);     /* not a member */
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "");
	UT_EQ_INT(broken(&h), 0);
	/* each one fixed is offered at once */
	set_agent(&h, 3, ready);          /* ACW over */
	UT_EQ_STR(take(&h), "offer c1 a3");
	acd_member_set(h.acd, h.q[0], h.a[5], true, true, h.now);
	UT_EQ_STR(take(&h), "offer c1 a5");
	UT_EQ_INT(broken(&h), 0);
	acd_caller_leave(h.acd, c, h.now);
	acd_free(h.acd);
}

UNIT_TEST(acd_levels_and_relaxation)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_LINEAR);
	struct acd_caller *c;
	__typeof__(*cfg.members) members[3] = {
		{ "a1", 0, 0 }, { "a2", 1, 0 }, { "a3", 2, 0 } };

	host_init(&h);
	cfg.members = members;
	cfg.nmembers = 3;
	/* without steps the level is a tier: a2 only when a1 is not free */
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	for (int i = 1; i <= 3; i++)
		agent(&h, i, h.q[0]);
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "offer c1 a1");
	set_agent(&h, 1, (struct acd_agent_state){ .registered = true,
						   .busy = true });
	acd_offer_failed(h.acd, c, h.a[1], ACD_BUSY, h.now);
	UT_EQ_STR(take(&h), "offer c1 a2");
	acd_caller_leave(h.acd, c, h.now);
	take(&h);

	/* with steps: level 1 after 10 s, level 2 after 30 s */
	cfg.nlevels = 2;
	cfg.levels[0].after_s = 10;
	cfg.levels[0].max_level = 1;
	cfg.levels[1].after_s = 30;
	cfg.levels[1].max_level = 2;
	acd_queue_set_cfg(h.acd, h.q[0], &cfg, h.now);
	set_agent(&h, 2, (struct acd_agent_state){ .registered = true,
						   .busy = true });
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "");
	UT_EQ_INT(h.wake, 10000);
	advance(&h, 9999);
	UT_EQ_STR(take(&h), "");
	advance(&h, 10000);
	UT_EQ_STR(take(&h), "");          /* a2 is busy */
	UT_EQ_INT(h.wake, 30000);
	advance(&h, 30000);
	UT_EQ_STR(take(&h), "offer c1 a3");
	UT_EQ_INT(broken(&h), 0);
	/* a2 free now: the older caller (30 s, may have level 1) rather
	 * than nobody; a new caller (level 0 only) does not get a2 */
	{
		struct acd_caller *c2;
		acd_offer_failed(h.acd, c, h.a[3], ACD_ERROR, h.now);
		UT_EQ_STR(take(&h), "");
		c2 = join(&h, h.q[0], 2, 0);
		UT_EQ_STR(take(&h), "");
		set_agent(&h, 2, ready);
		UT_EQ_STR(take(&h), "offer c1 a2");
		UT_EQ_INT(broken(&h), 0);
		acd_caller_leave(h.acd, c2, h.now);
	}
	acd_caller_leave(h.acd, c, h.now);
	acd_free(h.acd);
}

UNIT_TEST(acd_priority_then_longest_waiting_across_queues)
{
	struct host h;
	struct queue_cfg c1 = qcfg("6001", QS_LINEAR);
	struct queue_cfg c2 = qcfg("6002", QS_LINEAR);
	struct acd_caller *x, *y, *z;
	const struct acd_agent_state busy = { .registered = true,
					      .busy = true };

	host_init(&h);
	h.q[0] = acd_queue_add(h.acd, "t", &c1, NULL);
	h.q[1] = acd_queue_add(h.acd, "t", &c2, NULL);
	agent(&h, 1, h.q[0]);
	agent(&h, 1, h.q[1]);
	set_agent(&h, 1, busy);
	h.now = 1000;
	x = join(&h, h.q[1], 1, 0);    /* 6002, oldest */
	h.now = 2000;
	y = join(&h, h.q[0], 2, 0);    /* 6001 */
	h.now = 3000;
	z = join(&h, h.q[0], 3, 5);    /* 6001, priority 5 */
	UT_EQ_STR(take(&h), "");
	set_agent(&h, 1, ready);
	UT_EQ_STR(take(&h), "offer c3 a1");   /* priority first */
	talk(&h, z, 1, 1000);
	UT_EQ_STR(take(&h), "offer c1 a1");   /* then the oldest, 6002 */
	talk(&h, x, 1, 1000);
	UT_EQ_STR(take(&h), "offer c2 a1");
	UT_EQ_INT(broken(&h), 0);
	/* a caller back from the IVR keeps its place (join time) */
	set_agent(&h, 1, busy);
	acd_offer_failed(h.acd, y, h.a[1], ACD_BUSY, h.now);
	{
		struct acd_caller *w = NULL;
		acd_caller_join(h.acd, h.q[1], 0, "", 1500, caller_names[4],
				h.now, &w);
		advance(&h, h.now + 6000);     /* y's block for a1 is over */
		set_agent(&h, 1, ready);
		UT_EQ_STR(take(&h), "offer c4 a1");   /* 1.5 s before y */
		acd_caller_leave(h.acd, w, h.now);
	}
	acd_caller_leave(h.acd, y, h.now);
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

/* blending: a busy agent is awaited when a caller it would take waits in
 * a queue it serves (checked in, dialin or all), not by a caller of its
 * level not reached yet nor one blocked for it, not when it is checked
 * out or in dialout mode, and no longer once the caller is offered */
UNIT_TEST(acd_agent_awaited_by_waiting_callers)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_LINEAR);
	const struct acd_agent_state busy = { .registered = true,
					      .busy = true };
	struct acd_caller *c;
	__typeof__(*cfg.members) members[2] = { { "a1", 0, 0 },
						{ "a2", 1, 0 } };

	host_init(&h);
	cfg.members = members;
	cfg.nmembers = 2;
	cfg.nlevels = 1;
	cfg.levels[0].after_s = 10;
	cfg.levels[0].max_level = 1;
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	agent(&h, 1, h.q[0]);
	agent(&h, 2, h.q[0]);
	agent(&h, 3, NULL);          /* serves no queue */
	set_agent(&h, 1, busy);
	set_agent(&h, 2, busy);
	UT_ASSERT(!acd_agent_awaited(h.acd, h.a[1]));
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "");
	UT_ASSERT(acd_agent_awaited(h.acd, h.a[1]));
	UT_ASSERT(!acd_agent_awaited(h.acd, h.a[2]));   /* level 1: 10 s */
	UT_ASSERT(!acd_agent_awaited(h.acd, h.a[3]));
	advance(&h, 10000);
	UT_ASSERT(acd_agent_awaited(h.acd, h.a[2]));
	acd_member_set(h.acd, h.q[0], h.a[1], true, false, h.now);  /* dialout */
	UT_ASSERT(!acd_agent_awaited(h.acd, h.a[1]));
	acd_member_set(h.acd, h.q[0], h.a[1], false, true, h.now);  /* out */
	UT_ASSERT(!acd_agent_awaited(h.acd, h.a[1]));
	acd_member_set(h.acd, h.q[0], h.a[1], true, true, h.now);
	UT_ASSERT(acd_agent_awaited(h.acd, h.a[1]));
	/* a1 comes free: it takes the caller, who waits no more */
	set_agent(&h, 1, ready);
	UT_EQ_STR(take(&h), "offer c1 a1");
	UT_ASSERT(!acd_agent_awaited(h.acd, h.a[2]));
	/* a1 does not answer: blocked for it (retry_s), a2 still awaited */
	set_agent(&h, 1, busy);
	acd_offer_failed(h.acd, c, h.a[1], ACD_BUSY, h.now);
	UT_EQ_STR(take(&h), "");
	UT_ASSERT(!acd_agent_awaited(h.acd, h.a[1]));
	UT_ASSERT(acd_agent_awaited(h.acd, h.a[2]));
	acd_caller_leave(h.acd, c, h.now);
	UT_ASSERT(!acd_agent_awaited(h.acd, h.a[2]));
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

UNIT_TEST(acd_max_wait_full_empty_leave_empty)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_LINEAR);
	struct acd_caller *c, *c2, *c3;

	host_init(&h);
	cfg.max_wait_s = 60;
	cfg.max_callers = 2;
	cfg.join_empty = false;
	cfg.leave_empty = true;
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	/* nobody staffed: refused */
	UT_EQ_INT(acd_caller_join(h.acd, h.q[0], 0, "", 0, "x", 0, &c),
		  ACD_FAIL_EMPTY);
	UT_ASSERT(!c);
	agent(&h, 1, h.q[0]);
	set_agent(&h, 1, (struct acd_agent_state){ .registered = true,
						   .busy = true });
	c = join(&h, h.q[0], 1, 0);
	h.now = 10000;
	c2 = join(&h, h.q[0], 2, 0);
	UT_ASSERT(c && c2);
	UT_EQ_INT(acd_caller_join(h.acd, h.q[0], 0, "", h.now, "x", h.now,
				  &c3), ACD_FAIL_FULL);
	advance(&h, 60000);
	UT_EQ_STR(take(&h), "fail c1 max_wait");
	UT_EQ_INT(broken(&h), 0);
	acd_caller_leave(h.acd, c, h.now);
	/* the last staffed member pauses: the rest leave */
	set_agent(&h, 1, (struct acd_agent_state){ .registered = true,
						   .paused = true });
	UT_EQ_STR(take(&h), "fail c2 leave_empty");
	acd_caller_leave(h.acd, c2, h.now);
	/* join_empty with leave_empty: it would leave at once */
	cfg.join_empty = true;
	acd_queue_set_cfg(h.acd, h.q[0], &cfg, h.now);
	UT_EQ_INT(acd_caller_join(h.acd, h.q[0], 0, "", h.now, "x", h.now,
				  &c3), ACD_FAIL_LEAVE_EMPTY);
	cfg.leave_empty = false;
	acd_queue_set_cfg(h.acd, h.q[0], &cfg, h.now);
	c3 = join(&h, h.q[0], 3, 0);
	UT_ASSERT(c3);
	acd_caller_leave(h.acd, c3, h.now);
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

UNIT_TEST(acd_sticky_agent_within_window)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_LINEAR);
	struct acd_caller *c = NULL;

	host_init(&h);
	cfg.sticky_s = 3600;
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, NULL);
	agent(&h, 1, h.q[0]);
	agent(&h, 2, h.q[0]);
	set_agent(&h, 1, (struct acd_agent_state){ .registered = true,
						   .busy = true });
	acd_caller_join(h.acd, h.q[0], 0, "555", h.now, "c1", h.now, &c);
	UT_EQ_STR(take(&h), "offer c1 a2");
	set_agent(&h, 1, ready);
	talk(&h, c, 2, 60000);
	take(&h);
	/* linear would pick a1; 555 talked to a2 */
	acd_caller_join(h.acd, h.q[0], 0, "555", h.now, "c2", h.now, &c);
	UT_EQ_STR(take(&h), "offer c2 a2");
	acd_caller_leave(h.acd, c, h.now);
	take(&h);
	/* another number: linear */
	acd_caller_join(h.acd, h.q[0], 0, "556", h.now, "c3", h.now, &c);
	UT_EQ_STR(take(&h), "offer c3 a1");
	acd_caller_leave(h.acd, c, h.now);
	take(&h);
	/* after the window: linear */
	h.now += 3601 * 1000;
	acd_caller_join(h.acd, h.q[0], 0, "555", h.now, "c4", h.now, &c);
	UT_EQ_STR(take(&h), "offer c4 a1");
	acd_caller_leave(h.acd, c, h.now);
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

UNIT_TEST(acd_counts_position_and_expected_wait)
{
	struct host h;
	struct queue_cfg c1 = qcfg("6001", QS_LINEAR);
	struct queue_cfg c2 = qcfg("6002", QS_LINEAR);
	struct acd_caller *c[6];
	struct acd_counts n;

	host_init(&h);
	h.q[0] = acd_queue_add(h.acd, "t", &c1, NULL);
	h.q[1] = acd_queue_add(h.acd, "t", &c2, NULL);
	agent(&h, 1, h.q[0]);
	agent(&h, 2, h.q[0]);
	c[0] = join(&h, h.q[0], 0, 0);        /* ringing a1 */
	h.now = 4000;
	acd_offer_answered(h.acd, c[0], h.a[1], h.now);   /* talking */
	c[1] = join(&h, h.q[0], 1, 5);        /* ringing a2 */
	c[2] = join(&h, h.q[0], 2, 0);        /* waiting */
	c[3] = join(&h, h.q[0], 3, 5);        /* waiting, ahead of c2 */
	c[4] = join(&h, h.q[0], 4, 9);        /* waiting, first */
	c[5] = join(&h, h.q[1], 5, 5);        /* other queue, waiting */
	acd_queue_counts(h.q[0], 0, &n);
	UT_EQ_INT(n.total, 5);
	UT_EQ_INT(n.waiting, 3);
	UT_EQ_INT(n.ringing, 1);
	UT_EQ_INT(n.talking, 1);
	acd_queue_counts(h.q[0], 5, &n);
	UT_EQ_INT(n.total, 3);
	UT_EQ_INT(n.waiting, 2);
	acd_team_counts(h.acd, "t", 5, &n);
	UT_EQ_INT(n.total, 4);
	acd_team_counts(h.acd, "other", 0, &n);
	UT_EQ_INT(n.total, 0);
	UT_EQ_INT(acd_caller_position(c[4]), 1);
	UT_EQ_INT(acd_caller_position(c[3]), 2);
	UT_EQ_INT(acd_caller_position(c[2]), 3);
	UT_EQ_INT(acd_caller_position(c[1]), 0);
	/* hold time EWMA 1/4: first answer held 4 s -> 1 s */
	UT_EQ_INT(acd_queue_expected_wait_ms(h.q[0]), 1000);
	h.now = 8000;
	acd_offer_answered(h.acd, c[1], h.a[2], h.now);   /* held 4 s */
	UT_EQ_INT(acd_queue_expected_wait_ms(h.q[0]), (3 * 1000 + 4000) / 4);
	take(&h);
	/* a call counts once: a second end is ignored */
	UT_ASSERT(acd_call_ended(h.acd, h.a[1], true, h.now));
	UT_ASSERT(!acd_call_ended(h.acd, h.a[1], true, h.now));
	{
		struct acd_agent_stats st;
		acd_agent_stats(h.a[1], h.q[0], &st);
		UT_EQ_INT(st.calls, 1);
		UT_EQ_INT(st.talk_ms, 4000);
	}
	/* a1 went into ACW: not offered the waiting callers */
	UT_EQ_STR(take(&h), "");
	for (int i = 0; i < 6; i++)
		acd_caller_leave(h.acd, c[i], h.now);
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

UNIT_TEST(acd_removals_and_reload)
{
	struct host h;
	struct queue_cfg cfg = qcfg("6001", QS_LINEAR);
	struct acd_caller *c, *c2;
	struct acd_counts n;

	host_init(&h);
	h.q[0] = acd_queue_add(h.acd, "t", &cfg, "queue-host");
	UT_ASSERT(!acd_queue_add(h.acd, "t", &cfg, NULL));   /* exists */
	UT_ASSERT(acd_queue_find(h.acd, "t", "6001") == h.q[0]);
	UT_ASSERT(!acd_queue_find(h.acd, "u", "6001"));
	UT_EQ_STR(acd_queue_host(h.q[0]), "queue-host");
	for (int i = 1; i <= 3; i++)
		agent(&h, i, h.q[0]);
	UT_ASSERT(acd_agent_find(h.acd, "t", "a2") == h.a[2]);
	UT_ASSERT(!acd_agent_add(h.acd, "t", "a2", NULL));   /* exists */
	c = join(&h, h.q[0], 1, 0);
	UT_EQ_STR(take(&h), "offer c1 a1");
	/* the ringing agent goes away: the caller rings the next */
	acd_agent_remove(h.acd, h.a[1], h.now);
	h.a[1] = NULL;
	UT_EQ_STR(take(&h), "cancel c1 a1 agent_gone; offer c1 a2");
	UT_ASSERT(acd_offer_answered(h.acd, c, h.a[2], h.now));
	/* the talking agent goes away: the bridge ends, counted once */
	acd_agent_remove(h.acd, h.a[2], h.now);
	h.a[2] = NULL;
	acd_queue_counts(h.q[0], 0, &n);
	UT_EQ_INT(n.total, 0);
	UT_EQ_INT(broken(&h), 0);
	acd_caller_leave(h.acd, c, h.now);
	/* a member removed is not offered */
	acd_member_remove(h.acd, h.q[0], h.a[3], h.now);
	c = join(&h, h.q[0], 2, 0);
	UT_EQ_STR(take(&h), "");
	UT_EQ_INT(acd_member_remove(h.acd, h.q[0], h.a[3], h.now), ENOENT);
	/* a reload: new strategy, a4 and a5 at levels 0 and 1 */
	agent(&h, 4, h.q[0]);
	UT_EQ_STR(take(&h), "offer c2 a4");
	c2 = join(&h, h.q[0], 3, 0);
	agent(&h, 5, h.q[0]);
	UT_EQ_STR(take(&h), "offer c3 a5");
	/* to ringall: the ringing callers ring more agents as they come */
	cfg.strategy = QS_RINGALL;
	UT_EQ_INT(acd_queue_set_cfg(h.acd, h.q[0], &cfg, h.now), 0);
	UT_EQ_INT(broken(&h), 0);
	agent(&h, 6, h.q[0]);
	UT_EQ_STR(take(&h), "offer c2 a6");
	/* and back: one offer each */
	cfg.strategy = QS_LINEAR;
	UT_EQ_INT(acd_queue_set_cfg(h.acd, h.q[0], &cfg, h.now), 0);
	UT_EQ_STR(take(&h), "cancel c2 a6 reload");
	UT_EQ_INT(broken(&h), 0);
	UT_EQ_INT(acd_queue_remove(h.acd, h.q[0]), EBUSY);
	acd_caller_leave(h.acd, c, h.now);
	acd_caller_leave(h.acd, c2, h.now);
	UT_EQ_STR(take(&h), "cancel c2 a4 gone; cancel c3 a5 gone");
	UT_EQ_INT(acd_queue_remove(h.acd, h.q[0]), 0);
	UT_ASSERT(!acd_queue_find(h.acd, "t", "6001"));
	UT_EQ_INT(broken(&h), 0);
	acd_free(h.acd);
}

/* ---- every entry point at random, the invariants after each ---- */

enum { RQ = 3, RA = 10, RC = 40, RP = 64 };

struct rnd_host {
	struct acd *acd;
	uint64_t now, wake, rng;
	struct acd_queue *q[RQ];
	struct acd_agent *a[RA];
	struct acd_caller *c[RC];
	struct { struct acd_caller *c; struct acd_agent *a; } offer[RP];
	unsigned noffer, offers;
};

static unsigned rnd_next(struct rnd_host *h, unsigned n)
{
	h->rng ^= h->rng << 13;
	h->rng ^= h->rng >> 7;
	h->rng ^= h->rng << 17;
	return (unsigned)(h->rng % n);
}

static void rnd_drop(struct rnd_host *h, const void *c, const void *a)
{
	for (unsigned i = 0; i < h->noffer;) {
		if ((c && h->offer[i].c == c) || (a && h->offer[i].a == a) ||
		    (!c && !a))
			h->offer[i] = h->offer[--h->noffer];
		else
			i++;
	}
}

static void rnd_offer(void *arg, const struct acd_leg *l)
{
	struct rnd_host *h = arg;
	h->offers++;
	if (h->noffer < RP) {
		h->offer[h->noffer].c = l->caller;
		h->offer[h->noffer].a = l->agent;
		h->noffer++;
	}
}

/* a cancelled offer stays in the list: its late answer or failure is
 * what a host may report, and the ACD must refuse or ignore it */
static void rnd_wake(void *arg, uint64_t at)
{
	((struct rnd_host *)arg)->wake = at;
}

UNIT_TEST(acd_random_operations_keep_invariants)
{
	static const struct acd_ops rops = { .offer = rnd_offer,
					     .wake = rnd_wake };
	struct rnd_host h;
	char err[256], num[8];
	struct queue_cfg cfg = qcfg("", QS_RINGALL);

	memset(&h, 0, sizeof(h));
	h.rng = 12345;
	h.acd = acd_new(&rops, &h, 9);
	for (int i = 0; i < RQ; i++) {
		snprintf(cfg.queue, sizeof(cfg.queue), "%d", 6001 + i);
		cfg.strategy = (enum queue_strategy)(i * 3 % 8);
		h.q[i] = acd_queue_add(h.acd, "t", &cfg, NULL);
	}
	for (int step = 0; step < 80000; step++) {
		unsigned op = rnd_next(&h, 17), i = rnd_next(&h, RA),
			 j = rnd_next(&h, RC), k = rnd_next(&h, RQ);

		h.now += rnd_next(&h, 400);
		if (h.wake && h.wake <= h.now)
			acd_tick(h.acd, h.now);
		switch (op) {
		case 0:
			if (!h.a[i]) {
				snprintf(num, sizeof(num), "%u", i);
				h.a[i] = acd_agent_add(h.acd, "t", num, NULL);
			}
			break;
		case 1:
			if (h.a[i]) {
				rnd_drop(&h, NULL, h.a[i]);
				acd_agent_remove(h.acd, h.a[i], h.now);
				h.a[i] = NULL;
			}
			break;
		case 15: case 16:
			if (h.a[i])
				acd_agent_set(h.acd, h.a[i], &ready, h.now);
			break;
		case 2: case 3:
			if (h.a[i]) {
				struct acd_agent_state st = {
					.registered = rnd_next(&h, 8) != 0,
					.busy = rnd_next(&h, 6) == 0,
					.paused = rnd_next(&h, 6) == 0,
					.dnd = rnd_next(&h, 10) == 0,
					.acw = rnd_next(&h, 6) == 0 };
				acd_agent_set(h.acd, h.a[i], &st, h.now);
			}
			break;
		case 4:
			if (h.a[i]) {
				acd_member_add(h.acd, h.q[k], h.a[i], h.now);
				acd_member_set(h.acd, h.q[k], h.a[i],
					       rnd_next(&h, 5) != 0,
					       rnd_next(&h, 5) != 0, h.now);
			}
			break;
		case 5:
			if (h.a[i])
				acd_member_remove(h.acd, h.q[k], h.a[i], h.now);
			break;
		case 6: case 7:
			if (!h.c[j])
				acd_caller_join(h.acd, h.q[k],
						(int)rnd_next(&h, 3),
						rnd_next(&h, 2) ? "555" : "",
						h.now - rnd_next(&h, 20000),
						NULL, h.now, &h.c[j]);
			break;
		case 8: case 14:
			if (h.c[j]) {
				rnd_drop(&h, h.c[j], NULL);
				acd_caller_leave(h.acd, h.c[j], h.now);
				h.c[j] = NULL;
			}
			break;
		case 9: case 10:
			if (h.noffer) {
				unsigned o = rnd_next(&h, h.noffer);
				acd_offer_answered(h.acd, h.offer[o].c,
						   h.offer[o].a, h.now);
			}
			break;
		case 11:
			if (h.noffer) {
				unsigned o = rnd_next(&h, h.noffer);
				acd_offer_failed(h.acd, h.offer[o].c,
						 h.offer[o].a,
						 (enum acd_offer_result)
						 rnd_next(&h, 3), h.now);
			}
			break;
		case 12:
			if (h.a[i])
				acd_call_ended(h.acd, h.a[i],
					       rnd_next(&h, 2), h.now);
			break;
		case 13:
			cfg.strategy = (enum queue_strategy)rnd_next(&h, 8);
			cfg.nlevels = rnd_next(&h, 2) * 2;
			cfg.levels[0].after_s = 2;
			cfg.levels[0].max_level = 1;
			cfg.levels[1].after_s = 6;
			cfg.levels[1].max_level = 2;
			cfg.max_wait_s = rnd_next(&h, 2) * 30;
			cfg.leave_empty = rnd_next(&h, 4) == 0;
			cfg.sticky_s = rnd_next(&h, 2) * 60;
			cfg.autopause = rnd_next(&h, 2);
			acd_queue_set_cfg(h.acd, h.q[k], &cfg, h.now);
			break;
		}
		if (h.noffer == RP)
			rnd_drop(&h, NULL, NULL);
		if (acd_check_invariants(h.acd, h.now, err, sizeof(err))) {
			fprintf(stderr, "  step %d op %u: %s\n", step, op, err);
			UT_ASSERT(0);
		}
	}
	UT_ASSERT(h.offers > 1000);
	acd_free(h.acd);
}
