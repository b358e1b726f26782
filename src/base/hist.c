/*
 * hist.c — fixed-bucket latency histograms (see hist.h).
 */
#include <time.h>
#include "base/hist.h"

/* from half a millisecond (a store write, a timely timer) to 2.5 s (a
 * loop that stalls) */
const double hist_bounds[HIST_BUCKETS] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5,
};

void hist_observe(struct hist *h, double seconds)
{
	if (seconds < 0)
		seconds = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++) {
		if (seconds <= hist_bounds[i]) {
			h->n[i]++;
			break;
		}
	}
	h->count++;
	h->sum += seconds;
}

uint64_t hist_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int hist_done(struct hist *h, uint64_t t0_ns, int err)
{
	hist_observe(h, (double)(hist_now_ns() - t0_ns) / 1e9);
	return err;
}
