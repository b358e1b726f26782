/*
 * dist.c — see dist.h. Bin i covers [X0·G^i, X0·G^(i+1)); the first bin
 * also holds everything shorter, the last everything longer. Inside a bin
 * the mass is spread evenly in log time.
 */
#include <math.h>
#include <string.h>
#include "dialer/dist.h"

#define X0 250.0          /* ms */
#define LOG_G 0.139762    /* ln 1.15 */

static int bin_of(double ms, double *frac)
{
	double x;
	int i;

	if (ms <= X0) {
		*frac = 0;
		return 0;
	}
	x = log(ms / X0) / LOG_G;
	i = (int)x;
	if (i >= DIST_BINS) {
		*frac = 1;
		return DIST_BINS - 1;
	}
	*frac = x - i;
	return i;
}

static double lognormal_cdf(double x, double mu, double sigma)
{
	if (x <= 0)
		return 0;
	return 0.5 * erfc(-(log(x) - mu) / (sigma * M_SQRT2));
}

void dist_init(struct dist *d, double mean_ms, double cv, double weight)
{
	double s2 = log(1 + cv * cv), mu = log(mean_ms) - s2 / 2;
	double sigma = sqrt(s2), prev = 0;

	memset(d, 0, sizeof(*d));
	for (int i = 0; i < DIST_BINS; i++) {
		double hi = i == DIST_BINS - 1 ? INFINITY :
			X0 * exp(LOG_G * (i + 1));
		double c = isinf(hi) ? 1 : lognormal_cdf(hi, mu, sigma);
		d->prior[i] = weight * (c - prev);
		prev = c;
	}
	d->dirty = true;
}

void dist_decay(struct dist *d, uint64_t now_ms, double tau_ms)
{
	double f;

	if (now_ms <= d->last_ms) {
		d->last_ms = d->last_ms ? d->last_ms : now_ms;
		return;
	}
	f = exp(-(double)(now_ms - d->last_ms) / tau_ms);
	d->last_ms = now_ms;
	for (int i = 0; i < DIST_BINS; i++)
		d->cnt[i] *= f;
	d->total *= f;
	d->sum_ms *= f;
	d->dirty = true;
}

void dist_add(struct dist *d, double ms)
{
	double frac;

	d->cnt[bin_of(ms, &frac)] += 1;
	d->total += 1;
	d->sum_ms += ms;
	d->dirty = true;
}

double dist_weight(const struct dist *d)
{
	return d->total;
}

double dist_survival(struct dist *d, double ms)
{
	double frac;
	int i;

	if (d->dirty) {
		d->cum[0] = 0;
		for (int k = 0; k < DIST_BINS; k++)
			d->cum[k + 1] = d->cum[k] + d->cnt[k] + d->prior[k];
		d->dirty = false;
	}
	if (d->cum[DIST_BINS] <= 0)
		return 1;
	i = bin_of(ms, &frac);
	return 1 - (d->cum[i] + frac * (d->cum[i + 1] - d->cum[i])) /
		d->cum[DIST_BINS];
}

double dist_mean(const struct dist *d)
{
	double pw = 0, pm = 0;

	/* the prior's mass at the bins' geometric centres */
	for (int i = 0; i < DIST_BINS; i++) {
		pw += d->prior[i];
		pm += d->prior[i] * X0 * exp(LOG_G * (i + 0.5));
	}
	return pw + d->total > 0 ? (pm + d->sum_ms) / (pw + d->total) : 0;
}
