/*
 * test_core.c — core pieces without the network: the failure rate limiter
 * and the list/group-id helpers shared by dispatch and the handlers.
 */
#include <string.h>
#include <re.h>
#include "unit.h"
#include "core/ratelimit.h"
#include "ops/util.h"

UNIT_TEST(ratelimit_windows)
{
	struct ratelimit *rl;

	UT_EQ_INT(ratelimit_alloc(&rl, 3, 1000, 100), 0);
	for (int i = 0; i < 3; i++) {
		UT_ASSERT(!ratelimit_exceeded(rl, "a", 10));
		ratelimit_count(rl, "a", 10 + i);
	}
	UT_ASSERT(ratelimit_exceeded(rl, "a", 500));
	UT_ASSERT(!ratelimit_exceeded(rl, "b", 500));
	UT_ASSERT(!ratelimit_exceeded(rl, "a", 1011));   /* window over */
	ratelimit_count(rl, "a", 1011);                  /* restarts at 1 */
	UT_ASSERT(!ratelimit_exceeded(rl, "a", 1012));
	ratelimit_clear(rl, "a");
	UT_EQ_INT(ratelimit_keys(rl), 0);
	mem_deref(rl);
}

UNIT_TEST(ratelimit_memory_is_bounded)
{
	struct ratelimit *rl;
	char key[32];

	UT_EQ_INT(ratelimit_alloc(&rl, 1, 1000, 50), 0);
	for (int i = 0; i < 1000; i++) {
		re_snprintf(key, sizeof(key), "k%d", i);
		ratelimit_count(rl, key, i);
	}
	UT_ASSERT(ratelimit_keys(rl) <= 50);
	/* the newest keys are still counted */
	UT_ASSERT(ratelimit_exceeded(rl, "k999", 999));
	mem_deref(rl);
}

UNIT_TEST(list_tokens_are_whole)
{
	const char *s = " 1, ,22 ,0000000000000000000000000000001abc,";
	struct pl tok;
	int n = 0;

	while (list_next(&s, &tok)) {
		n++;
		if (n == 1)
			UT_ASSERT(!pl_strcmp(&tok, "1"));
		if (n == 2)
			UT_ASSERT(!pl_strcmp(&tok, "22"));
		if (n == 3)
			UT_EQ_INT((long long)tok.l, 34);
	}
	UT_EQ_INT(n, 3);
}

UNIT_TEST(dial_strings_are_digits_star_hash_plus)
{
	UT_ASSERT(dial_string_ok("+8613800138000"));
	UT_ASSERT(dial_string_ok("*86#123"));
	UT_ASSERT(!dial_string_ok(""));
	UT_ASSERT(!dial_string_ok("123\r\nX-Injected: 1"));
	UT_ASSERT(!dial_string_ok("123@evil"));
	UT_ASSERT(!dial_string_ok("12 3"));
	UT_ASSERT(!dial_string_ok("123;user=phone"));
}
