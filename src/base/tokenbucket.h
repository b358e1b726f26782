/*
 * tokenbucket.h — a token bucket in milliseconds: `rate` tokens a second,
 * at most `burst` saved up, full at the first use. Plain data, no clock of
 * its own (the caller passes the time), no lock: one owner per bucket. The
 * log's per-statement rate limit and the password-hash worker's pace use it.
 */
#ifndef OCC_TOKENBUCKET_H
#define OCC_TOKENBUCKET_H

#include <stdbool.h>
#include <stdint.h>

struct token_bucket {
	uint64_t millitokens;   /* available, in 1/1000 token */
	uint64_t last_ms;
	bool started;
};

/* True if a token is there at now_ms (and takes it); rate 0: no limit. */
bool token_bucket_take(struct token_bucket *b, uint64_t now_ms,
		       unsigned rate, unsigned burst);
/* Milliseconds from now_ms until a token is there (0: now), after a
 * token_bucket_take() at now_ms that said no. */
uint64_t token_bucket_wait_ms(const struct token_bucket *b, unsigned rate);

#endif
