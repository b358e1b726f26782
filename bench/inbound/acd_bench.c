/*
 * acd_bench.c — the ACD (src/acd) alone, without SIP:
 *
 *   soak     100,000 offers over 3 queues (two ringall, one leastrecent)
 *            sharing 20 agents who answer after 0-50 ms, so that ringall
 *            answers collide (tests/unit/acd_sim.c; the unit test runs
 *            5,000). Counts double bridges, agents with two offers,
 *            agents reserved without an offer (acd_check_invariants after
 *            every event) and fairness inversions: all must be 0.
 *   latency  1,000 queues (the eight strategies in turn, a third with
 *            relaxation steps), 5,000 agents in 3 queues each, 2,000
 *            waiting callers with priorities 0-2. Then, many times: one
 *            busy agent becomes free (acd_agent_set), and the time until
 *            the ACD's offer callback is taken, as is the whole call. The
 *            agent answers, the call ends into ACW and a new caller joins
 *            a random queue, so the population stays the same. Also the
 *            other direction: a caller joins a queue with free agents.
 *
 *   acd_bench [--soak-offers N] [--samples N] [--out FILE]
 *
 * Prints key=value lines (to FILE too); exit status 0 if the soak found
 * nothing and every freed agent was offered a caller.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "acd_sim.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static FILE *out;

static void put(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(const char *key, const char *fmt, ...)
{
	va_list ap;
	char v[128];

	va_start(ap, fmt);
	vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	printf("%s=%s\n", key, v);
	if (out)
		fprintf(out, "%s=%s\n", key, v);
}

/* ---- the races soak ---- */

static int soak(unsigned offers)
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
		.offers = offers, .check_every = 1,
		.seed = 20261205,
	};
	struct acd_sim_result r;
	uint64_t t0 = mono_ns();
	bool ok;

	if (acd_sim_run(&cfg, &r))
		return 1;
	ok = r.offers >= offers && !r.double_bridges && !r.double_offers &&
	     !r.invariant_violations && !r.fairness_inversions &&
	     !r.lost_callers && r.answered + r.abandoned == r.calls;
	put("soak_offers", "%u", r.offers);
	put("soak_calls", "%u", r.calls);
	put("soak_answered", "%u", r.answered);
	put("soak_abandoned", "%u", r.abandoned);
	put("soak_refused_answers", "%u", r.refused_answers);
	put("soak_cancels", "%u", r.cancels);
	put("soak_double_bridges", "%u", r.double_bridges);
	put("soak_double_offers", "%u", r.double_offers);
	put("soak_invariant_violations", "%u", r.invariant_violations);
	put("soak_fairness_inversions", "%u", r.fairness_inversions);
	put("soak_sim_hours", "%.1f", r.sim_ms / 3600000.0);
	put("soak_wall_s", "%.1f", (mono_ns() - t0) / 1e9);
	if (r.first_violation[0])
		put("soak_first_violation", "%s", r.first_violation);
	put("soak_verified", "%s", ok ? "yes" : "no");
	return ok ? 0 : 1;
}

/* ---- dispatcher latency at scale ---- */

enum { NQ = 1000, NA = 5000, NC = 2000, QPER = 3 };

struct lat {
	struct acd *acd;
	struct acd_queue *q[NQ];
	struct acd_agent *a[NA];
	uint64_t now;
	uint64_t t_start, t_offer;
	struct acd_caller *offered_c;
	struct acd_agent *offered_a;
	unsigned noffers;
	unsigned ncallers;
};

static void lat_offer(void *arg, const struct acd_leg *l)
{
	struct lat *L = arg;
	if (!L->noffers++) {
		L->t_offer = mono_ns();
		L->offered_c = l->caller;
		L->offered_a = l->agent;
	}
}

static const struct acd_ops lat_ops = { .offer = lat_offer };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void join_random(struct lat *L)
{
	struct acd_caller *c;

	if (acd_caller_join(L->acd, L->q[rnd() % NQ], (int)(rnd() % 3), "",
			    L->now, NULL, L->now, &c) == ACD_OK)
		L->ncallers++;
}

static void report(const char *name, uint64_t *ns, unsigned n)
{
	char key[64];

	qsort(ns, n, sizeof(*ns), cmp_u64);
	snprintf(key, sizeof(key), "%s_p50_us", name);
	put(key, "%.2f", ns[n / 2] / 1000.0);
	snprintf(key, sizeof(key), "%s_p99_us", name);
	put(key, "%.2f", ns[n * 99 / 100] / 1000.0);
	snprintf(key, sizeof(key), "%s_max_us", name);
	put(key, "%.2f", ns[n - 1] / 1000.0);
}

static int latency(unsigned samples)
{
	static const struct acd_agent_state busy = { .registered = true,
						     .busy = true };
	static const struct acd_agent_state ready = { .registered = true };
	struct lat *L = calloc(1, sizeof(*L));
	uint64_t *free_ns = calloc(samples, sizeof(uint64_t));
	uint64_t *call_ns = calloc(samples, sizeof(uint64_t));
	uint64_t *join_ns = calloc(samples, sizeof(uint64_t));
	unsigned missed = 0, joined = 0;
	char num[16];

	if (!L || !free_ns || !call_ns || !join_ns)
		return 1;
	L->acd = acd_new(&lat_ops, L, 1);
	for (unsigned i = 0; i < NQ; i++) {
		struct queue_cfg qc;
		memset(&qc, 0, sizeof(qc));
		snprintf(qc.queue, sizeof(qc.queue), "%u", 10000 + i);
		qc.strategy = (enum queue_strategy)(i % 8);
		qc.ring_timeout_s = 15;
		qc.retry_s = 5;
		qc.join_empty = true;
		if (i % 3 == 0) {
			qc.nlevels = 2;
			qc.levels[0].after_s = 10;
			qc.levels[0].max_level = 1;
			qc.levels[1].after_s = 30;
			qc.levels[1].max_level = 2;
		}
		L->q[i] = acd_queue_add(L->acd, "bench", &qc, NULL);
	}
	for (unsigned i = 0; i < NA; i++) {
		snprintf(num, sizeof(num), "%u", 100000 + i);
		L->a[i] = acd_agent_add(L->acd, "bench", num, NULL);
		acd_agent_set(L->acd, L->a[i], &busy, 0);
		for (unsigned k = 0; k < QPER; k++) {
			struct acd_queue *q = L->q[(i * 7 + k * 331) % NQ];
			acd_member_add(L->acd, q, L->a[i], 0);
			acd_member_set(L->acd, q, L->a[i], true, true, 0);
		}
	}
	/* 2,000 callers over the last 60 s: some past relaxation steps */
	for (unsigned i = 0; i < NC; i++) {
		L->now = i * 30;
		join_random(L);
	}
	for (unsigned s = 0; s < samples; s++) {
		struct acd_agent *a = L->a[rnd() % NA];
		uint64_t t0, t1;

		L->now += 30;
		L->noffers = 0;
		t0 = mono_ns();
		acd_agent_set(L->acd, a, &ready, L->now);
		t1 = mono_ns();
		if (!L->noffers) {
			/* none of its queues had a caller it may take */
			missed++;
			free_ns[s] = call_ns[s] = t1 - t0;
			acd_agent_set(L->acd, a, &busy, L->now);
			continue;
		}
		free_ns[s] = L->t_offer - t0;
		call_ns[s] = t1 - t0;
		/* the call: answered, ended into ACW, then busy again; a new
		 * caller keeps the number waiting */
		acd_offer_answered(L->acd, L->offered_c, a, L->now);
		acd_call_ended(L->acd, a, true, L->now);
		acd_caller_leave(L->acd, L->offered_c, L->now);
		L->ncallers--;
		acd_agent_set(L->acd, a, &busy, L->now);
		join_random(L);
	}
	/* the other direction: a caller arrives at a queue with a free
	 * agent (the agents of 500 queues are freed with no callers) */
	{
		struct lat *M = L;
		acd_free(M->acd);
		M->acd = acd_new(&lat_ops, M, 2);
		for (unsigned i = 0; i < NQ; i++) {
			struct queue_cfg qc;
			memset(&qc, 0, sizeof(qc));
			snprintf(qc.queue, sizeof(qc.queue), "%u", 10000 + i);
			qc.strategy = (enum queue_strategy)(i % 8);
			qc.ring_timeout_s = 15;
			qc.join_empty = true;
			M->q[i] = acd_queue_add(M->acd, "bench", &qc, NULL);
		}
		for (unsigned i = 0; i < NA; i++) {
			snprintf(num, sizeof(num), "%u", 100000 + i);
			M->a[i] = acd_agent_add(M->acd, "bench", num, NULL);
			for (unsigned k = 0; k < QPER; k++) {
				struct acd_queue *q =
					M->q[(i * 7 + k * 331) % NQ];
				acd_member_add(M->acd, q, M->a[i], 0);
				acd_member_set(M->acd, q, M->a[i], true, true,
					       0);
			}
			acd_agent_set(M->acd, M->a[i], &ready, 0);
		}
		for (unsigned s = 0; s < samples; s++) {
			struct acd_caller *c;
			uint64_t t0;

			M->now += 30;
			M->noffers = 0;
			t0 = mono_ns();
			acd_caller_join(M->acd, M->q[rnd() % NQ], 0, "", M->now,
					NULL, M->now, &c);
			if (!M->noffers) {
				acd_caller_leave(M->acd, c, M->now);
				continue;
			}
			join_ns[joined++] = M->t_offer - t0;
			acd_offer_answered(M->acd, c, M->offered_a, M->now);
			acd_call_ended(M->acd, M->offered_a, false, M->now);
			acd_caller_leave(M->acd, c, M->now);
		}
	}
	put("lat_queues", "%d", NQ);
	put("lat_agents", "%d", NA);
	put("lat_waiting", "%d", NC);
	put("lat_samples", "%u", samples);
	put("lat_no_caller", "%u", missed);
	report("lat_free_to_offer", free_ns, samples);
	report("lat_free_call", call_ns, samples);
	if (joined)
		report("lat_join_to_offer", join_ns, joined);
	acd_free(L->acd);
	free(L);
	free(free_ns);
	free(call_ns);
	free(join_ns);
	put("lat_verified", "%s", missed < samples / 10 ? "yes" : "no");
	return missed < samples / 10 ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned soak_offers = 100000, samples = 100000;
	int rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--soak-offers") && i + 1 < argc)
			soak_offers = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
			samples = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = fopen(argv[++i], "w");
		else {
			fprintf(stderr, "usage: acd_bench [--soak-offers N] "
				"[--samples N] [--out FILE]\n");
			return 2;
		}
	}
	if (samples < 100)
		samples = 100;
	rc |= soak(soak_offers);
	rc |= latency(samples);
	if (out)
		fclose(out);
	return rc;
}
