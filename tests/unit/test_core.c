/*
 * test_core.c — core pieces without the network: the failure rate limiter
 * and the list/group-id helpers shared by dispatch and the handlers.
 */
#include <string.h>
#include <re.h>
#include "unit.h"
#include "core/auth.h"
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

/* Failures count per network too: which one a source is in. */
UNIT_TEST(auth_network_of_source)
{
	static const struct { const char *addr, *net; } cases[] = {
		{ "192.0.2.77", "192.0.2.0/24" },
		{ "127.0.0.10", "127.0.0.0/24" },
		{ "::ffff:198.51.100.9", "198.51.100.0/24" },
		{ "2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64" },
	};
	char net[72];
	struct sa sa;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		UT_EQ_INT(sa_set_str(&sa, cases[i].addr, 0), 0);
		auth_network_of(net, sizeof(net), &sa);
		UT_EQ_STR(net, cases[i].net);
	}
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
