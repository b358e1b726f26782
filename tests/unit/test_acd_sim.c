/*
 * test_acd_sim.c — the ACD in a simulated contact center (acd_sim.c):
 * Erlang-C conformance and a short races soak (the long one is
 * bench/inbound).
 */
#include <math.h>
#include <stdio.h>
#include "unit.h"
#include "acd_sim.h"

/* Erlang C: the probability that a caller waits, N agents, A erlangs.
 * Computed with the Erlang B recursion, stable for any N. */
static double erlang_c(unsigned n, double a)
{
	double b = 1.0;

	for (unsigned k = 1; k <= n; k++)
		b = a * b / (k + a * b);
	return n * b / (n - a * (1 - b));
}

/* M/M/N FIFO: P(wait <= t) = 1 - C e^{-(N - A) t / AHT} */
static double erlang_sl(unsigned n, double a, double aht_s, double t_s)
{
	return 1.0 - erlang_c(n, a) * exp(-(n - a) * t_s / aht_s);
}

/* 20 agents, Poisson arrivals 1/s, exponential talk 15 s (A = 15
 * erlangs), FIFO, no abandonment, 3,600 calls. One run of 3,600 calls
 * is too noisy for +-2 pp (waits are correlated over minutes), so the
 * figures are the mean of 10 replications with different seeds — 36,000
 * calls, still well under a second. The "91.8 %" is this curve at
 * 2 s (or at 20 s with a 150 s talk time); at 20 s Erlang C gives
 * 99.98 %. Both points are checked against the formula. */
UNIT_TEST(acd_erlang_c_conformance)
{
	const unsigned n = 20, reps = 10;
	const double lambda = 1.0, aht = 15.0, a = lambda * aht;
	double pw = 0, sl2 = 0, sl20 = 0;
	const double want_pw = erlang_c(n, a);
	const double want_sl2 = erlang_sl(n, a, aht, 2);
	const double want_sl20 = erlang_sl(n, a, aht, 20);

	for (unsigned r = 0; r < reps; r++) {
		struct acd_sim_cfg cfg = {
			.nqueues = 1, .strategy = { QS_LEASTRECENT },
			.nagents = n, .member_p = 1,
			.arrivals_per_s = lambda, .talk_mean_s = aht,
			.ring_timeout_s = 15, .retry_s = 5,
			.calls = 3600, .check_every = 997,
			.seed = 1000 + r,
		};
		struct acd_sim_result res;

		UT_EQ_INT(acd_sim_run(&cfg, &res), 0);
		UT_EQ_INT(res.answered, 3600);
		UT_EQ_INT(res.invariant_violations, 0);
		UT_EQ_INT(res.fairness_inversions, 0);
		pw += (double)res.waited / res.answered / reps;
		sl2 += (double)res.within_ms[0] / res.answered / reps;
		sl20 += (double)res.within_ms[2] / res.answered / reps;
	}
	fprintf(stderr, "  Erlang C: P(wait) %.2f %% (formula %.2f %%), "
		"SL 2 s %.2f %% (%.2f %%), SL 20 s %.2f %% (%.2f %%)\n",
		100 * pw, 100 * want_pw, 100 * sl2, 100 * want_sl2,
		100 * sl20, 100 * want_sl20);
	UT_ASSERT(fabs(want_pw - 0.160) < 0.001);   /* the formula itself */
	UT_ASSERT(fabs(pw - want_pw) <= 0.02);
	UT_ASSERT(fabs(sl2 - want_sl2) <= 0.02);
	UT_ASSERT(fabs(sl20 - want_sl20) <= 0.02);
}

/* the races soak, short: 5,000 offers over 3 queues (two ringall, one
 * leastrecent) sharing 20 agents who answer within 0-50 ms, so that
 * ringall answers collide; some let it ring, some are busy, callers give
 * up. Invariants checked after every event. */
UNIT_TEST(acd_races_soak_short)
{
	struct acd_sim_cfg cfg = {
		.nqueues = 3,
		.strategy = { QS_RINGALL, QS_RINGALL, QS_LEASTRECENT },
		.nagents = 20, .member_p = 0.7,
		.arrivals_per_s = 9, .talk_mean_s = 2,
		.answer_min_ms = 0, .answer_max_ms = 50,
		.p_no_answer = 0.03, .p_busy = 0.03,
		.patience_mean_s = 30, .nprio = 3,
		.ring_timeout_s = 3, .retry_s = 1,
		.offers = 5000, .check_every = 1,
		.seed = 7,
	};
	struct acd_sim_result res;

	UT_EQ_INT(acd_sim_run(&cfg, &res), 0);
	if (res.first_violation[0])
		fprintf(stderr, "  %s\n", res.first_violation);
	UT_ASSERT(res.offers >= 5000);
	UT_ASSERT(res.refused_answers > 100);   /* answers did collide */
	UT_EQ_INT(res.double_bridges, 0);
	UT_EQ_INT(res.double_offers, 0);
	UT_EQ_INT(res.invariant_violations, 0);
	UT_EQ_INT(res.fairness_inversions, 0);
	UT_EQ_INT(res.lost_callers, 0);
	UT_EQ_INT(res.answered + res.abandoned, res.calls);
}

/* the same with member levels and relaxation (level 1 after 2 s, level
 * 2 after 5 s), the other strategies and callers without priorities: no
 * agent is offered a caller before it reached the agent's level, nor one
 * while a better caller it may take waits */
UNIT_TEST(acd_races_soak_levels)
{
	static const enum queue_strategy mix[3][3] = {
		{ QS_RINGALL, QS_FEWESTCALLS, QS_RRMEMORY },
		{ QS_WRANDOM, QS_LINEAR, QS_RINGALL },
		{ QS_LEASTTALK, QS_RANDOM, QS_LEASTRECENT },
	};

	for (unsigned k = 0; k < 3; k++) {
		struct acd_sim_cfg cfg = {
			.nqueues = 3,
			.strategy = { mix[k][0], mix[k][1], mix[k][2] },
			.nagents = 12, .member_p = 0.6,
			.arrivals_per_s = 5, .talk_mean_s = 2,
			.answer_min_ms = 0, .answer_max_ms = 50,
			.p_no_answer = 0.05, .p_busy = 0.05,
			.patience_mean_s = k == 1 ? 0 : 20, .nprio = k,
			.ring_timeout_s = 2, .retry_s = 1, .levels = true,
			.offers = 3000, .check_every = 1,
			.seed = 11 + k,
		};
		struct acd_sim_result res;

		UT_EQ_INT(acd_sim_run(&cfg, &res), 0);
		if (res.first_violation[0])
			fprintf(stderr, "  %s\n", res.first_violation);
		UT_ASSERT(res.offers >= 3000);
		UT_EQ_INT(res.double_bridges, 0);
		UT_EQ_INT(res.double_offers, 0);
		UT_EQ_INT(res.invariant_violations, 0);
		UT_EQ_INT(res.fairness_inversions, 0);
		UT_EQ_INT(res.answered + res.abandoned, res.calls);
	}
}
