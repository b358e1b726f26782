/*
 * ratelimit.h — counting failures per key in fixed windows, in bounded
 * memory: at most `max_keys` keys are tracked; when full, expired windows
 * are dropped first, then (under a flood of distinct keys) the oldest.
 */
#ifndef OCC_RATELIMIT_H
#define OCC_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit;

int  ratelimit_alloc(struct ratelimit **rlp, unsigned limit,
		     int64_t window_ms, unsigned max_keys);
/* Has key reached the limit in its current window? */
bool ratelimit_exceeded(struct ratelimit *rl, const char *key, int64_t now);
void ratelimit_count(struct ratelimit *rl, const char *key, int64_t now);
void ratelimit_clear(struct ratelimit *rl, const char *key);
unsigned ratelimit_keys(const struct ratelimit *rl);

#endif
