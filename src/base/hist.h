/*
 * hist.h — a latency histogram with fixed buckets (seconds), for
 * /metrics: plain counters its owner bumps on the loop thread, read as
 * they are when scraped (api/metrics.c prints them in Prometheus's
 * cumulative form). No lock, no clock of its own.
 */
#ifndef OCC_HIST_H
#define OCC_HIST_H

#include <stdint.h>

enum { HIST_BUCKETS = 12 };

/* the buckets' upper bounds in seconds, ascending (+Inf is count) */
extern const double hist_bounds[HIST_BUCKETS];

struct hist {
	uint64_t n[HIST_BUCKETS];  /* observations in each bucket alone */
	uint64_t count;            /* all observations */
	double sum;                /* their sum, seconds */
};

void hist_observe(struct hist *h, double seconds);
/* A monotonic clock in nanoseconds, for measuring what to observe. */
uint64_t hist_now_ns(void);
/* Observe the time since t0_ns (hist_now_ns) and return err: for
 * "return hist_done(h, t0, op(...));". */
int hist_done(struct hist *h, uint64_t t0_ns, int err);

#endif
