/*
 * sim_world.c — the simulated world (tests/unit/dialer_sim.c, the real
 * src/dialer module deciding) with the parameters of bench/dialer-sip's
 * SIP world, for the side-by-side comparison in bench/dialer-sip/run.sh.
 *
 *   sim_world --agents N --minutes M --seeds S --p-fail P --p-live P
 *             --ring-mean S --ring-cv CV --talk-mean S --talk-cv CV
 *             --wrap S --mode progressive|predictive [--wrap-as-pause]
 *             [--prefix P]
 *
 * One working period of M minutes per seed (no pauses, DNC, closed
 * windows or machines: the SIP world has none), the campaign started with
 * every agent idle, as in the SIP run; after the M minutes no more
 * dials, and the agents stay until the calls in flight have ended. Prints key=value lines: the
 * median, 10th and 90th percentile over the seeds of the talk minutes per
 * agent-hour and of the abandon rate (abandons / live answers, in %),
 * the mean live answers and abandons per run, and the rule violations
 * (held > 2 s and the others, must be 0). --wrap-as-pause: the wrap-up
 * reported as occd's host reports after-call work (in wrap-up ending at
 * once, then paused until it ends).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dialer_sim.h"

static double pctl(double *v, int n, double p)
{
	int i;

	dsim_median(v, n);   /* sorts */
	i = (int)(p * (n - 1) + 0.5);
	return v[i];
}

int main(int argc, char **argv)
{
	struct dsim_result *r = malloc(sizeof(*r));
	struct dialer_cfg cfg;
	struct dsim_world w;
	const char *prefix = "sim_";
	double *talk, *ab;
	double live = 0, abandons = 0;
	uint64_t viol = 0;
	int seeds = 20;

	if (!r)
		return 2;
	dsim_world_s1(&w, 20);
	w.p_machine = 0;
	w.pause_share = 0;
	w.dnc_share = 0;
	w.closed_share = 0;
	w.work_min = 20;
	w.stay_after_end = true;   /* a stopped campaign's calls end */
	dialer_cfg_default(&cfg);
	cfg.mode = DIALER_PREDICTIVE;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--wrap-as-pause")) {
			w.wrap_as_pause = true;
			continue;
		}
		if (!v) {
			fprintf(stderr, "sim_world: %s wants a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--agents"))
			w.agents = (unsigned)atoi(v);
		else if (!strcmp(a, "--minutes"))
			w.work_min = (unsigned)atoi(v);
		else if (!strcmp(a, "--seeds"))
			seeds = atoi(v);
		else if (!strcmp(a, "--p-fail"))
			w.p_fail = atof(v);
		else if (!strcmp(a, "--p-live"))
			w.p_live = atof(v);
		else if (!strcmp(a, "--ring-mean"))
			w.ring_mean_s = atof(v);
		else if (!strcmp(a, "--ring-cv"))
			w.ring_cv = atof(v);
		else if (!strcmp(a, "--talk-mean"))
			w.talk_mean_s = atof(v);
		else if (!strcmp(a, "--talk-cv"))
			w.talk_cv = atof(v);
		else if (!strcmp(a, "--wrap"))
			w.wrap_s = atof(v);
		else if (!strcmp(a, "--prefix"))
			prefix = v;
		else if (!strcmp(a, "--mode"))
			cfg.mode = !strcmp(v, "progressive") ? DIALER_PROGRESSIVE
				: DIALER_PREDICTIVE;
		else {
			fprintf(stderr, "sim_world: unknown argument %s\n", a);
			return 2;
		}
	}
	if (seeds < 1 || seeds > 1000 || w.agents < 1 || w.work_min < 1 ||
	    w.work_min > DSIM_DAY_MIN)
		return 2;
	talk = calloc((size_t)seeds, sizeof(*talk));
	ab = calloc((size_t)seeds, sizeof(*ab));
	if (!talk || !ab)
		return 2;
	for (int s = 0; s < seeds; s++) {
		dsim_run(&w, &cfg, (uint64_t)s + 1, 1, r);
		talk[s] = r->talk_min_per_agent_hour;
		ab[s] = r->total_rate * 100;
		live += (double)r->live;
		abandons += (double)r->abandons;
		viol += dsim_violations(r);
	}
	printf("%sseeds=%d\n", prefix, seeds);
	printf("%stalk_median=%.1f\n%stalk_p10=%.1f\n%stalk_p90=%.1f\n",
	       prefix, dsim_median(talk, seeds), prefix, pctl(talk, seeds, 0.1),
	       prefix, pctl(talk, seeds, 0.9));
	printf("%sabandon_median_pct=%.2f\n%sabandon_p10_pct=%.2f\n"
	       "%sabandon_p90_pct=%.2f\n", prefix, dsim_median(ab, seeds),
	       prefix, pctl(ab, seeds, 0.1), prefix, pctl(ab, seeds, 0.9));
	printf("%slive_mean=%.1f\n%sabandons_mean=%.1f\n%sviolations=%llu\n",
	       prefix, live / seeds, prefix, abandons / seeds, prefix,
	       (unsigned long long)viol);
	free(talk);
	free(ab);
	free(r);
	return viol ? 1 : 0;
}
