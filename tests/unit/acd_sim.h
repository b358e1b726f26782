/*
 * acd_sim.h — a simulated contact center around the ACD (src/acd), under
 * a fake clock: Poisson arrivals, agents that answer after a random delay
 * (or let it ring, or are busy), exponential talk times, callers who give
 * up. It plays the host: carries out the ACD's offers and cancels and
 * reports back, and checks from its own records what a user would check:
 * no caller bridged twice, no agent with two offers, no agent reserved
 * without an offer (acd_check_invariants), no fairness inversion (an
 * agent offered a caller while a better one it could serve waited).
 *
 * Used by the Erlang-C conformance test and the races soak (unit tests)
 * and by bench/inbound (100,000 offers). Deterministic per seed.
 */
#ifndef OCC_ACD_SIM_H
#define OCC_ACD_SIM_H

#include <stdint.h>
#include "acd/acd.h"

struct acd_sim_cfg {
	unsigned nqueues;             /* <= 8 */
	enum queue_strategy strategy[8];
	unsigned nagents;             /* <= 256; every agent in every
				       * queue unless member_p < 1 */
	double member_p;              /* chance an agent serves a queue */
	double arrivals_per_s;
	double talk_mean_s;           /* exponential */
	unsigned answer_min_ms, answer_max_ms;  /* uniform */
	double p_no_answer;           /* rings until the ring timeout */
	double p_busy;                /* answers 486 after the delay */
	double patience_mean_s;       /* exponential; 0: never abandons */
	unsigned nprio;               /* priorities 0..nprio-1 (0 or 1: 0) */
	unsigned ring_timeout_s, retry_s;
	bool levels;                  /* member levels 0-2, relaxation:
				       * level 1 after 2 s, level 2 after 5 s */
	unsigned calls;               /* stop arrivals after this many ... */
	unsigned offers;              /* ... or this many offers (0: no) */
	unsigned check_every;         /* acd_check_invariants every N
				       * events (0: never) */
	uint64_t seed;
};

struct acd_sim_result {
	unsigned calls, answered, abandoned, waited;   /* waited: > 0 ms */
	unsigned within_ms[4];        /* answered within sl_ms[i] */
	unsigned offers, cancels, refused_answers;
	uint64_t sum_wait_ms, sim_ms;
	/* must be 0 */
	unsigned double_bridges, double_offers, invariant_violations,
		 fairness_inversions, lost_callers;
	char first_violation[256];
};

/* the thresholds of within_ms[] */
extern const uint64_t acd_sim_sl_ms[4];

int acd_sim_run(const struct acd_sim_cfg *cfg, struct acd_sim_result *res);

#endif
