/*
 * test_metrics.c — /metrics's pieces that need no running occd: label
 * escaping, the [metrics] allow list, the latency histogram. The scrape
 * itself is tests/metrics/run.sh (the real Prometheus parser).
 */
#include <re.h>
#include "unit.h"
#include "api/metrics.h"
#include "base/hist.h"

static bool allowed(const char *list, const char *addr)
{
	struct sa sa;

	return !sa_set_str(&sa, addr, 4580) && metrics_allowed(list, &sa);
}

UNIT_TEST(metrics_label_values_are_escaped)
{
	char buf[128];

	re_snprintf(buf, sizeof(buf), "%H", metrics_label,
		    "a\\b\"c\nd}e,f=g");
	UT_EQ_STR(buf, "a\\\\b\\\"c\\nd}e,f=g");
	re_snprintf(buf, sizeof(buf), "%H", metrics_label, "");
	UT_EQ_STR(buf, "");
}

UNIT_TEST(metrics_allow_list_addresses_and_networks)
{
	const char *def = "127.0.0.1, ::1";
	char err[128];

	UT_ASSERT(allowed(def, "127.0.0.1"));
	UT_ASSERT(allowed(def, "::1"));
	UT_ASSERT(allowed(def, "::ffff:127.0.0.1"));   /* dual-stack socket */
	UT_ASSERT(!allowed(def, "127.0.0.2"));
	UT_ASSERT(!allowed(def, "10.0.0.1"));
	UT_ASSERT(!allowed("", "127.0.0.1"));
	UT_ASSERT(allowed("10.1.0.0/16 192.0.2.7", "10.1.255.3"));
	UT_ASSERT(!allowed("10.1.0.0/16", "10.2.0.1"));
	UT_ASSERT(allowed("10.1.128.0/17", "10.1.200.1"));
	UT_ASSERT(!allowed("10.1.128.0/17", "10.1.100.1"));
	UT_ASSERT(allowed("0.0.0.0/0", "203.0.113.9"));
	UT_ASSERT(!allowed("0.0.0.0/0", "2001:db8::1"));
	UT_ASSERT(allowed("2001:db8::/32", "2001:db8:ff::1"));
	UT_ASSERT(!allowed("2001:db8::/32", "2001:db9::1"));
	UT_EQ_INT(metrics_allow_check(def, err, sizeof(err)), 0);
	UT_EQ_INT(metrics_allow_check("", err, sizeof(err)), 0);
	UT_EQ_INT(metrics_allow_check("10.0.0.0/8,::1/128", err,
				      sizeof(err)), 0);
	UT_EQ_INT(metrics_allow_check("127.0.0.1, localhost", err,
				      sizeof(err)), EINVAL);
	UT_ASSERT(strstr(err, "\"localhost\""));
	UT_EQ_INT(metrics_allow_check("10.0.0.0/33", err, sizeof(err)),
		  EINVAL);
	UT_EQ_INT(metrics_allow_check("10.0.0.0/", err, sizeof(err)), EINVAL);
	/* a list that does not parse allows nobody, not its first entries */
	UT_ASSERT(!allowed("127.0.0.1, bogus", "127.0.0.1"));
}

UNIT_TEST(hist_counts_each_observation_in_its_bucket)
{
	struct hist h = { .count = 0 };

	hist_observe(&h, 0.0002);
	hist_observe(&h, 0.003);
	hist_observe(&h, 0.003);
	hist_observe(&h, 100);           /* beyond the last bound: +Inf */
	hist_observe(&h, -1);            /* a clock step back counts as 0 */
	UT_EQ_INT(h.count, 5);
	UT_EQ_INT(h.n[0], 2);
	UT_EQ_INT(h.n[3], 2);            /* 0.005 */
	uint64_t sum = 0;
	for (unsigned i = 0; i < HIST_BUCKETS; i++)
		sum += h.n[i];
	UT_EQ_INT(sum, 4);
	UT_ASSERT(h.sum > 100.006 && h.sum < 100.0063);
}
