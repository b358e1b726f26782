/*
 * dist.h — a learned distribution of durations for the dialer: a histogram
 * on a logarithmic grid (0.25 s to about 2 h, 15 % per bin) whose counts
 * decay with a time constant, so it follows a changing world, plus a fixed
 * weak prior so it answers before the first observation. Any shape (a
 * mixture of machine and human talk times, say) without a parametric fit.
 */
#ifndef OCC_DIALER_DIST_H
#define OCC_DIALER_DIST_H

#include <stdbool.h>
#include <stdint.h>

enum { DIST_BINS = 72 };

struct dist {
	double cnt[DIST_BINS];    /* decayed observations */
	double prior[DIST_BINS];  /* fixed */
	double cum[DIST_BINS + 1];/* cumulative of cnt + prior (lazy) */
	double total;             /* decayed observations, all bins */
	double sum_ms;            /* decayed sum of durations (the mean) */
	uint64_t last_ms;         /* counts decayed up to here */
	bool dirty;
};

/* A lognormal prior (mean, cv) worth `weight` observations. */
void dist_init(struct dist *d, double mean_ms, double cv, double weight);
/* Multiplies the observations by exp(-(now - last) / tau). */
void dist_decay(struct dist *d, uint64_t now_ms, double tau_ms);
void dist_add(struct dist *d, double ms);
/* P(X > ms), prior included. */
double dist_survival(struct dist *d, double ms);
/* Mean, prior included. */
double dist_mean(const struct dist *d);

/* decayed count of observations with the prior's weight, for rates */
double dist_weight(const struct dist *d);

#endif
