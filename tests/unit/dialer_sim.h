/*
 * dialer_sim.h — a simulated world for the dialer's pacing module: virtual
 * customers and agents behind an event-driven clock (a heap of timed
 * events), the real src/dialer module deciding. Deterministic per seed.
 * Shared by tests/unit/test_dialer_sim.c and bench/dialer/.
 */
#ifndef OCC_DIALER_SIM_H
#define OCC_DIALER_SIM_H

#include <stdint.h>
#include "dialer/dialer.h"

enum { DSIM_DAY_MIN = 480, DSIM_MAX_DAYS = 30 };

struct dsim_world {
	unsigned agents;
	double p_fail, p_live, p_machine;  /* the rest: no answer */
	double ring_mean_s, ring_cv;       /* lognormal, to an answer */
	double talk_mean_s, talk_cv;       /* lognormal, live calls */
	double wrap_s;                     /* after a live call */
	double machine_s;                  /* an agent disposes a machine */
	double pause_share;                /* of agents, 5 min each hour */
	double dnc_share, closed_share;    /* records on DNC, out of window */
	/* S3: at these minutes of each day (0: never) */
	unsigned step_live_min;            /* p_live becomes step_live */
	double step_live;
	unsigned step_talk_min;            /* talk mean multiplied */
	double step_talk_factor;
	unsigned work_min;                 /* the working day; 0: 480 */
	/* the wrap-up as occd's host reports after-call work: the agent is
	 * in wrap-up ending at once, then paused until the wrap-up ends (the
	 * module does not know when) */
	bool wrap_as_pause;
	/* after the working day the agents stay (idle) until every call has
	 * ended, as they do when a campaign is stopped; by default they
	 * leave as soon as they are free */
	bool stay_after_end;
	bool time_decisions;               /* measure dialer_decide() */
};

/* S1 of ACD-DIALER-ANCHORS §5.2 with n agents */
void dsim_world_s1(struct dsim_world *w, unsigned agents);

struct dsim_result {
	uint64_t dials, live, abandons;
	/* zero-tolerance rules, counted */
	uint64_t held_over_2s, released_early, dial_dnc, dial_closed;
	uint64_t double_offer;
	uint64_t stuck;                   /* the event bound was hit */
	double talk_min_per_agent_hour;   /* over all days */
	double day_rate_max;              /* worst day's abandon rate */
	double total_rate;                /* over all days */
	/* day 0, per minute: live answers, abandons, live talk ms, agent ms
	 * available (logged in, not paused) */
	uint32_t m_live[DSIM_DAY_MIN], m_ab[DSIM_DAY_MIN];
	double m_talk_ms[DSIM_DAY_MIN], m_avail_ms[DSIM_DAY_MIN];
	struct dialer_stats ctl;          /* the controller's own view */
	/* with time_decisions: every dialer_decide() call, in µs */
	uint64_t decisions;
	double decide_p50_us, decide_p99_us, decide_max_us, decide_total_s;
};

/* 8-hour days (work_min), one per simulated 24 h. */
void dsim_run(const struct dsim_world *w, const struct dialer_cfg *cfg,
	      uint64_t seed, unsigned days, struct dsim_result *r);

/* talk min per agent-hour over minutes [from, to) of day 0 */
double dsim_talk_rate(const struct dsim_result *r, unsigned from,
		      unsigned to);
/* abandon rate over minutes [from, to) of day 0 */
double dsim_abandon_rate(const struct dsim_result *r, unsigned from,
			 unsigned to);

/* median of v[0..n) (sorts v) */
double dsim_median(double *v, int n);
/* the zero-tolerance rules broken in r, all counted together */
uint64_t dsim_violations(const struct dsim_result *r);

/* The step-change world (dsim_world_s1 with agents): live answers 25 % ->
 * 12 % at minute 120, talk time doubling at minute 240, measures to minute
 * 300; each seed also runs reference worlds that had the new parameters
 * all along. */
enum { DSIM_STEP_SEEDS_MAX = 100 };
struct dsim_step {
	double worst_live, worst_talk;   /* worst abandon rate, 30 min after */
	double after_live, steady_live;  /* talk min/h 10-60 min after, median
					  * of seeds; the reference's */
	double after_talk, steady_talk;
	uint64_t violations;             /* dsim_violations, all runs */
};
int dsim_step_change(unsigned agents, const struct dialer_cfg *cfg,
		     int seeds, struct dsim_step *out);

#endif
