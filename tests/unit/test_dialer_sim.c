/*
 * test_dialer_sim.c — the pacing module in the simulated world of
 * ACD-DIALER-ANCHORS §5 (tests/unit/dialer_sim.c): zero-tolerance rules in
 * every seed, the day's abandon target, talk minutes per agent-hour at the
 * operating point the controller finds online, 30 days, step changes.
 *
 * make check runs 10 and 25 agents × 20 seeds (50 and 100 agents take too
 * long under ASan: bench/dialer/run.sh runs the full matrix at -O2 and
 * writes docs/BENCHMARKS.md).
 */
#include <stdlib.h>
#include "unit.h"
#include "dialer_sim.h"

enum { SEEDS = 20 };

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static bool zero_tolerance(const struct dsim_result *r)
{
	bool ok = !r->held_over_2s && !r->released_early && !r->dial_dnc &&
		!r->dial_closed && !r->double_offer && !r->stuck;

	if (!ok)
		fprintf(stderr, "  violations: held>2s %llu, released<15s %llu, "
			"dnc %llu, window %llu, double offers %llu, stuck %llu\n",
			(unsigned long long)r->held_over_2s,
			(unsigned long long)r->released_early,
			(unsigned long long)r->dial_dnc,
			(unsigned long long)r->dial_closed,
			(unsigned long long)r->double_offer,
			(unsigned long long)r->stuck);
	return ok;
}

/* every seed clean and under the day's target; medians of talk min/h */
static bool run_team(unsigned agents, double *pred_med, double *prog_med)
{
	struct dsim_result *r = malloc(sizeof(*r));
	double pred[SEEDS], prog[SEEDS], worst = 0;
	struct dsim_world w;
	struct dialer_cfg cfg;
	bool ok = r != NULL;

	dsim_world_s1(&w, agents);
	dialer_cfg_default(&cfg);
	for (int s = 0; ok && s < SEEDS; s++) {
		cfg.mode = DIALER_PREDICTIVE;
		dsim_run(&w, &cfg, (uint64_t)s + 1, 1, r);
		ok = zero_tolerance(r) && r->day_rate_max <= 0.025 &&
			r->live > 0;
		if (r->day_rate_max > worst)
			worst = r->day_rate_max;
		pred[s] = r->talk_min_per_agent_hour;
		cfg.mode = DIALER_PROGRESSIVE;
		dsim_run(&w, &cfg, (uint64_t)s + 1, 1, r);
		ok = ok && zero_tolerance(r);
		prog[s] = r->talk_min_per_agent_hour;
		if (!ok)
			fprintf(stderr, "  %u agents seed %d: abandon %.4f\n",
				agents, s + 1, worst);
	}
	free(r);
	*pred_med = median(pred, SEEDS);
	*prog_med = median(prog, SEEDS);
	fprintf(stderr, "  %u agents: talk min/agent-h median of %d seeds: "
		"progressive %.1f, predictive %.1f (worst day abandon %.2f %%), "
		"bound 53.3\n", agents, SEEDS, *prog_med, *pred_med,
		worst * 100);
	return ok;
}

UNIT_TEST(dialer_sim_s1_10_agents)
{
	double pred, prog;

	UT_ASSERT(run_team(10, &pred, &prog));
	UT_ASSERT(pred >= 40.0);
	UT_ASSERT(pred >= prog - 1);
	UT_ASSERT(prog >= 33 && prog <= 37);  /* the world is S1's */
}

UNIT_TEST(dialer_sim_s1_25_agents)
{
	double pred, prog;

	UT_ASSERT(run_team(25, &pred, &prog));
	UT_ASSERT(pred >= 45.0);
	UT_ASSERT(pred >= prog - 1);
}

/* 30 simulated days of S1: every day ≤ 2.5 %, the 30 days ≤ 3.0 %, and the
 * controller's count equals the world's */
UNIT_TEST(dialer_sim_30_days)
{
	struct dsim_result *r = malloc(sizeof(*r));
	struct dsim_world w;
	struct dialer_cfg cfg;

	UT_ASSERT(r);
	dsim_world_s1(&w, 10);
	dialer_cfg_default(&cfg);
	dsim_run(&w, &cfg, 42, 30, r);
	fprintf(stderr, "  30 days, 10 agents: abandon %.2f %% (worst day "
		"%.2f %%), controller's window %llu/%llu, talk %.1f min/h\n",
		r->total_rate * 100, r->day_rate_max * 100,
		(unsigned long long)r->ctl.window_abandons,
		(unsigned long long)r->ctl.window_live,
		r->talk_min_per_agent_hour);
	if (!zero_tolerance(r) || r->day_rate_max > 0.025 ||
	    r->total_rate > 0.03 || r->ctl.live != r->live ||
	    r->ctl.abandons != r->abandons) {
		free(r);
		UT_ASSERT(!"30 days");
	}
	free(r);
}

/* S3: live answers 25 % → 12 % at minute 120, talk time doubles at 240.
 * The 30 minutes after each step stay ≤ 5 %; 10 minutes after a step the
 * talk rate is within 1 min/h of a world that had the new parameters all
 * along (medians of seeds, minutes step+10 to step+60). */
enum { STEP_SEEDS = 4 };

UNIT_TEST(dialer_sim_step_change)
{
	struct dsim_result *r = malloc(sizeof(*r));
	double after1[STEP_SEEDS], after2[STEP_SEEDS];
	double ref1[STEP_SEEDS], ref2[STEP_SEEDS];
	double worst1 = 0, worst2 = 0, m1, m2, mr1, mr2;
	struct dsim_world w, ref;
	struct dialer_cfg cfg;

	UT_ASSERT(r);
	dialer_cfg_default(&cfg);
	dsim_world_s1(&w, 25);
	w.step_live_min = 120;
	w.step_live = 0.12;
	w.step_talk_min = 240;
	w.step_talk_factor = 2;
	w.work_min = 300;   /* the measures end at minute 300 */
	for (int s = 0; s < STEP_SEEDS; s++) {
		dsim_run(&w, &cfg, (uint64_t)s + 100, 1, r);
		if (!zero_tolerance(r)) {
			free(r);
			UT_ASSERT(!"zero tolerance");
		}
		double a1 = dsim_abandon_rate(r, 120, 150);
		double a2 = dsim_abandon_rate(r, 240, 270);
		worst1 = a1 > worst1 ? a1 : worst1;
		worst2 = a2 > worst2 ? a2 : worst2;
		after1[s] = dsim_talk_rate(r, 130, 180);
		after2[s] = dsim_talk_rate(r, 250, 300);
		/* the reference worlds: the new parameters from the start */
		ref = w;
		ref.p_live = 0.12;
		ref.step_live_min = 0;
		ref.step_talk_min = 0;
		dsim_run(&ref, &cfg, (uint64_t)s + 200, 1, r);
		ref1[s] = dsim_talk_rate(r, 130, 180);
		ref.step_talk_min = 1;
		dsim_run(&ref, &cfg, (uint64_t)s + 300, 1, r);
		ref2[s] = dsim_talk_rate(r, 250, 300);
	}
	free(r);
	m1 = median(after1, STEP_SEEDS);
	m2 = median(after2, STEP_SEEDS);
	mr1 = median(ref1, STEP_SEEDS);
	mr2 = median(ref2, STEP_SEEDS);
	fprintf(stderr, "  steps, 25 agents: abandon over the next 30 min "
		"worst %.2f %% / %.2f %%; talk min/h 10-60 min after: %.1f "
		"(steady %.1f) / %.1f (steady %.1f)\n", worst1 * 100,
		worst2 * 100, m1, mr1, m2, mr2);
	UT_ASSERT(worst1 <= 0.05);
	UT_ASSERT(worst2 <= 0.05);
	UT_ASSERT(m1 >= mr1 - 1);
	UT_ASSERT(m2 >= mr2 - 1);
}
