/*
 * dialer_bench.c — the dialer's full simulated-world matrix and its
 * decision time (bench/dialer/run.sh; docs/BENCHMARKS.md, "Dialer").
 *
 *   dialer_bench [--out FILE] [--seeds N] [--quick]
 *
 * 1. World S1 (ACD-DIALER-ANCHORS §5.2) at 10, 25, 50 and 100 agents,
 *    progressive and predictive, N seeds (20), one 8-hour day each: talk
 *    minutes per agent-hour (median), abandon rate (median, worst day),
 *    rule violations (must be 0).
 * 2. 30 simulated days at 10 and 50 agents: the 30-day rate, worst day.
 * 3. S3's step changes at 50 agents.
 * 4. Decision time: 50 campaigns of 50 agents, one simulated hour each,
 *    every dialer_decide() timed.
 * Writes key=value lines (FILE, and stdout). Exit 0 when no rule was broken
 * (the productivity targets are reported, met or not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "dialer_sim.h"

static FILE *out;

#define KV(...) do { printf(__VA_ARGS__); putchar('\n'); \
	if (out) { fprintf(out, __VA_ARGS__); fputc('\n', out); } } while (0)

int main(int argc, char **argv)
{
	static const unsigned sizes[] = { 10, 25, 50, 100 };
	static const double targets[] = { 40, 45, 47, 48 };
	struct dsim_result *r = malloc(sizeof(*r));
	int seeds = 20, quick = 0;
	uint64_t viol = 0;
	struct dialer_cfg cfg;
	struct dsim_world w;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = fopen(argv[++i], "w");
		else if (!strcmp(argv[i], "--seeds") && i + 1 < argc)
			seeds = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--quick"))
			quick = 1;
	}
	if (quick)
		seeds = 3;
	if (!r || seeds < 1 || seeds > 100)
		return 2;
	dialer_cfg_default(&cfg);
	KV("dialer_seeds=%d", seeds);

	for (size_t z = 0; z < sizeof(sizes) / sizeof(sizes[0]); z++) {
		double pred[100], prog[100], ab[100], worst = 0, pw = 0;
		for (int s = 0; s < seeds; s++) {
			dsim_world_s1(&w, sizes[z]);
			cfg.mode = DIALER_PROGRESSIVE;
			dsim_run(&w, &cfg, (uint64_t)s + 1, 1, r);
			prog[s] = r->talk_min_per_agent_hour;
			pw = r->day_rate_max > pw ? r->day_rate_max : pw;
			viol += dsim_violations(r);
			cfg.mode = DIALER_PREDICTIVE;
			dsim_run(&w, &cfg, (uint64_t)s + 1, 1, r);
			pred[s] = r->talk_min_per_agent_hour;
			ab[s] = r->total_rate;
			worst = r->day_rate_max > worst ? r->day_rate_max : worst;
			viol += dsim_violations(r);
		}
		double mp = dsim_median(prog, seeds), md = dsim_median(pred, seeds);
		KV("s1_%u_progressive=%.1f", sizes[z], mp);
		KV("s1_%u_progressive_worst_abandon_pct=%.2f", sizes[z], pw * 100);
		KV("s1_%u_predictive=%.1f", sizes[z], md);
		KV("s1_%u_predictive_min=%.1f", sizes[z], pred[0]);
		KV("s1_%u_abandon_median_pct=%.2f", sizes[z],
		   dsim_median(ab, seeds) * 100);
		KV("s1_%u_abandon_worst_pct=%.2f", sizes[z], worst * 100);
		KV("s1_%u_gap_share_pct=%.0f", sizes[z],
		   (md - mp) / (60.0 * 120 / 135 - mp) * 100);
		KV("s1_%u_target=%.0f", sizes[z], targets[z]);
		KV("s1_%u_met=%s", sizes[z], md >= targets[z] && worst <= 0.025 &&
		   md >= mp - 1 ? "yes" : "no");
		fflush(stdout);
	}

	cfg.mode = DIALER_PREDICTIVE;
	for (unsigned a = 10; a <= 50; a += 40) {
		dsim_world_s1(&w, a);
		dsim_run(&w, &cfg, 7, quick ? 3 : 30, r);
		viol += dsim_violations(r);
		KV("days30_%u_abandon_pct=%.2f", a, r->total_rate * 100);
		KV("days30_%u_worst_day_pct=%.2f", a, r->day_rate_max * 100);
		KV("days30_%u_talk=%.1f", a, r->talk_min_per_agent_hour);
		KV("days30_%u_controller_matches=%s", a,
		   r->ctl.live == r->live && r->ctl.abandons == r->abandons ?
		   "yes" : "no");
		fflush(stdout);
	}

	{
		int n = quick ? 3 : seeds / 2;
		struct dsim_step st;

		if (dsim_step_change(50, &cfg, n, &st))
			return 1;
		viol += st.violations;
		KV("step_seeds=%d", n);
		KV("step_live_abandon_worst_pct=%.2f", st.worst_live * 100);
		KV("step_talk_abandon_worst_pct=%.2f", st.worst_talk * 100);
		KV("step_live_after=%.1f", st.after_live);
		KV("step_live_steady=%.1f", st.steady_live);
		KV("step_talk_after=%.1f", st.after_talk);
		KV("step_talk_steady=%.1f", st.steady_talk);
		fflush(stdout);
	}

	{
		int campaigns = 50;
		double p99max = 0, p50 = 0, maxus = 0, total = 0;
		uint64_t dec = 0;
		dsim_world_s1(&w, 50);
		w.work_min = 60;
		w.time_decisions = true;
		for (int c = 0; c < campaigns; c++) {
			dsim_run(&w, &cfg, (uint64_t)c + 500, 1, r);
			viol += dsim_violations(r);
			p99max = r->decide_p99_us > p99max ? r->decide_p99_us :
				p99max;
			maxus = r->decide_max_us > maxus ? r->decide_max_us :
				maxus;
			p50 += r->decide_p50_us / campaigns;
			total += r->decide_total_s;
			dec += r->decisions;
		}
		KV("decide_campaigns=%d", campaigns);
		KV("decide_agents=%d", campaigns * 50);
		KV("decide_count=%llu", (unsigned long long)dec);
		KV("decide_p50_us=%.1f", p50);
		KV("decide_p99_us=%.1f", p99max);
		KV("decide_max_us=%.1f", maxus);
		KV("decide_cpu_share_pct=%.3f", total / 3600 * 100);
	}
	KV("dialer_violations=%llu", (unsigned long long)viol);
	KV("dialer_verified=%s", viol ? "no" : "yes");
	if (out)
		fclose(out);
	free(r);
	return viol ? 1 : 0;
}
