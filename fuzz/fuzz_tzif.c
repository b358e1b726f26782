/*
 * fuzz_tzif.c — libFuzzer target for tz_parse() (src/inbound/tz.c): a
 * TZif file from the zoneinfo directory, read at every start and reload
 * for the schedules of inbound routes.
 *
 * Checked: the result is 0 or EINVAL, *zp set exactly on 0; inputs over
 * TZ_MAX_FILE are refused; on a parsed zone, local time at instants from
 * 1900 to 2200 (and around the extremes of int64) has its fields in range
 * (offset within ±25 h, weekday, minute and second of the day), agrees
 * with its own offset (days and minutes are those of utc + offset), and
 * the civil date is that of the days.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <re.h>
#include "inbound/tz.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_tzif: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

static void check_at(const struct tz *z, int64_t t)
{
	struct tz_local lt;
	int64_t local;
	int y, m, d;

	tz_localtime(z, t, &lt);
	CHECK(lt.utoff >= -25 * 3600 && lt.utoff <= 25 * 3600);
	CHECK(lt.utoff == tz_offset(z, t));
	CHECK(lt.wday >= 0 && lt.wday <= 6);
	CHECK(lt.min >= 0 && lt.min < 1440);
	CHECK(lt.sec >= 0 && lt.sec < 60);
	local = t + lt.utoff;
	CHECK(lt.days * 86400 + lt.min * 60 + lt.sec == local);
	tz_civil_from_days(lt.days, &y, &m, &d);
	CHECK(y == lt.year && m == lt.mon && d == lt.mday);
	CHECK(tz_days_from_civil(y, (unsigned)m, (unsigned)d) == lt.days);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tz *z = NULL;
	int e = tz_parse(&z, data, size);

	CHECK(e == 0 || e == EINVAL);
	CHECK(!e == !!z);
	CHECK(size <= TZ_MAX_FILE || e == EINVAL);
	if (e)
		return 0;
	for (int64_t t = -2208988800LL; t < 7258118400LL;
	     t += 86400 * 37 + 3607)
		check_at(z, t);
	check_at(z, 0);
	check_at(z, -1);
	check_at(z, (int64_t)1 << 40);
	check_at(z, -((int64_t)1 << 40));
	mem_deref(z);
	return 0;
}
