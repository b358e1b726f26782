/*
 * fuzz_routing.c — libFuzzer target for routing_parse() (src/inbound/
 * routing_parse.c): a team's routing file, written by an operator and
 * stored as text, then parsed by occd at every start and reload.
 *
 * Each input is a whole file. Checked:
 *   - the result is 0 or EINVAL (never anything else), with an error text
 *     "line N: ..." exactly when EINVAL, N between 1 and the input's line
 *     count (+1), and *rp untouched on error;
 *   - a parsed routing prints (routing_print), the print parses back to an
 *     equal routing (routing_equal), and printing that gives the same text:
 *     export and re-import never change a team's routing;
 *   - routing_decide on every DID of the file, and schedule_open on every
 *     schedule, return valid verdicts (no zone loaded: UTC).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "inbound/routing.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_routing: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

static unsigned count_lines(const uint8_t *d, size_t n)
{
	unsigned lines = 1;

	for (size_t i = 0; i < n; i++)
		lines += d[i] == '\n';
	return lines;
}

static void decide_all(const struct routing *r)
{
	static const char *const cids[] = { "", "13900001111", "anonymous",
					    "1", "+8613800000000" };
	static const int64_t times[] = { 0, 1764900000, 4102444800LL,
					 -86400 };

	for (unsigned i = 0; i < r->ndids; i++) {
		for (size_t c = 0; c < sizeof(cids) / sizeof(cids[0]); c++) {
			struct inbound_in in = { r->dids[i].number, cids[c],
						 c & 1 ? "trunk" : "",
						 times[c % 4] };
			struct inbound_out out;
			enum inbound_verdict v = routing_decide(r, &in, &out);

			CHECK(v == IN_ROUTED || v == IN_NO_DID ||
			      v == IN_NO_ROUTE || v == IN_BLOCKED);
			CHECK(v != IN_ROUTED || out.dest.kind != DEST_NONE);
			CHECK(v != IN_ROUTED || out.did);
		}
	}
	for (unsigned i = 0; i < r->nschedules; i++) {
		for (size_t t = 0; t < sizeof(times) / sizeof(times[0]); t++)
			(void)schedule_open(&r->schedules[i], times[t]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct routing *r = (struct routing *)&size, *r2 = NULL;
	char err[512], *t1 = NULL, *t2 = NULL;
	unsigned line;
	int e;

	e = routing_parse(&r, "fuzz", (const char *)data, size, err,
			  sizeof(err));
	CHECK(e == 0 || e == EINVAL);
	if (e) {
		CHECK(r == (struct routing *)&size);
		CHECK(sscanf(err, "line %u:", &line) == 1);
		CHECK(line >= 1 && line <= count_lines(data, size) + 1);
		return 0;
	}
	CHECK(err[0] == '\0');
	decide_all(r);
	CHECK(re_sdprintf(&t1, "%H", routing_print, r) == 0);
	e = routing_parse(&r2, "fuzz", t1, strlen(t1), err, sizeof(err));
	if (e)
		fprintf(stderr, "fuzz_routing: the print does not parse: %s\n"
			"%s", err, t1);
	CHECK(e == 0);
	CHECK(routing_equal(r, r2));
	CHECK(re_sdprintf(&t2, "%H", routing_print, r2) == 0);
	CHECK(!strcmp(t1, t2));
	mem_deref(t1);
	mem_deref(t2);
	routing_free(r2);
	routing_free(r);
	return 0;
}
