/*
 * tokenbucket.c — see tokenbucket.h.
 */
#include "base/tokenbucket.h"

bool token_bucket_take(struct token_bucket *b, uint64_t now_ms,
		       unsigned rate, unsigned burst)
{
	const uint64_t full = (uint64_t)burst * 1000;

	if (!rate)
		return true;
	if (!b->started || now_ms < b->last_ms) {
		b->millitokens = full;
		b->started = true;
	}
	else {
		/* rate tokens/s = rate millitokens per ms */
		uint64_t add = (now_ms - b->last_ms) * rate;
		b->millitokens = b->millitokens + add > full ? full
			: b->millitokens + add;
	}
	b->last_ms = now_ms;
	if (b->millitokens < 1000)
		return false;
	b->millitokens -= 1000;
	return true;
}

uint64_t token_bucket_wait_ms(const struct token_bucket *b, unsigned rate)
{
	if (!rate || b->millitokens >= 1000)
		return 0;
	return (1000 - b->millitokens + rate - 1) / rate;
}
