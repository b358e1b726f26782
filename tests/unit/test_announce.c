/*
 * test_announce.c — what a waiting caller is told (inbound/announce.h):
 * position and expected wait as prompt names, the wait's rounding, and
 * the parts skipped for prompts the routing does not define.
 */
#include <stdlib.h>
#include <re.h>
#include "unit.h"
#include "inbound/announce.h"
#include "inbound/routing.h"

/* A routing with the named prompts ("" ends the list). */
static struct routing *with_prompts(const char *const *names)
{
	struct routing *r = calloc(1, sizeof(*r));
	unsigned n = 0;

	while (names[n][0])
		n++;
	r->prompts = calloc(n ? n : 1, sizeof(*r->prompts));
	if (!r || !r->prompts)
		abort();
	for (unsigned i = 0; i < n; i++)
		str_ncpy(r->prompts[i].name, names[i],
			 sizeof(r->prompts[i].name));
	r->nprompts = n;
	return r;
}

static void drop(struct routing *r)
{
	free(r->prompts);
	free(r);
}

static const char *const all[] = {
	"digit-0", "digit-1", "digit-2", "digit-3", "digit-4", "digit-5",
	"digit-6", "digit-7", "digit-8", "digit-9", "queue-position",
	"queue-wait", "queue-minutes", "",
};

/* The names joined by ' ' */
static const char *said(const struct routing *r, unsigned pos,
			uint64_t hold_s, uint64_t waited_s, bool say_wait,
			const char **missing)
{
	static char out[1024];
	const char *names[ANNOUNCE_MAX];
	struct announce_in in = {
		.position = pos, .holdtime_ms = hold_s * 1000,
		.waited_ms = waited_s * 1000, .say_wait = say_wait,
	};
	unsigned n = announce_prompts(r, &in, names, missing);

	out[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		size_t len = strlen(out);
		snprintf(out + len, sizeof(out) - len, "%s%s", i ? " " : "",
			 names[i]);
	}
	return out;
}

UNIT_TEST(announce_position_and_wait)
{
	struct routing *r = with_prompts(all);
	const char *miss;

	UT_EQ_STR(said(r, 2, 0, 10, true, &miss), "queue-position digit-2");
	UT_ASSERT(!miss);
	UT_EQ_STR(said(r, 1, 200, 10, true, &miss),
		  "queue-position digit-1 queue-wait digit-4 queue-minutes");
	UT_EQ_STR(said(r, 12, 200, 10, false, &miss),
		  "queue-position digit-1 digit-2");
	UT_EQ_STR(said(r, 305, 3600, 0, true, &miss),
		  "queue-position digit-3 digit-0 digit-5 queue-wait digit-6 "
		  "digit-0 queue-minutes");
	/* an agent's phone rings for it: nothing */
	UT_EQ_STR(said(r, 0, 200, 10, true, &miss), "");
	/* the longest: every digit of a 10-digit position and 999 min */
	UT_EQ_STR(said(r, 4294967295u, 100000 * 60, 0, true, &miss),
		  "queue-position digit-4 digit-2 digit-9 digit-4 digit-9 "
		  "digit-6 digit-7 digit-2 digit-9 digit-5 queue-wait "
		  "digit-9 digit-9 digit-9 queue-minutes");
	UT_ASSERT(!miss);
	drop(r);
}

UNIT_TEST(announce_wait_rounding)
{
	UT_EQ_INT(announce_wait_minutes(0, 0), 0);          /* unknown */
	UT_EQ_INT(announce_wait_minutes(60000, 60000), 0);  /* waited it */
	UT_EQ_INT(announce_wait_minutes(60000, 90000), 0);
	UT_EQ_INT(announce_wait_minutes(60000, 59999), 1);  /* up */
	UT_EQ_INT(announce_wait_minutes(60000, 0), 1);
	UT_EQ_INT(announce_wait_minutes(60001, 0), 2);
	UT_EQ_INT(announce_wait_minutes(150000, 30000), 2);
	UT_EQ_INT(announce_wait_minutes(UINT64_MAX, 0), ANNOUNCE_MAX_MINUTES);
}

UNIT_TEST(announce_skips_parts_without_prompts)
{
	static const char *const no_wait[] = {
		"digit-1", "digit-2", "queue-position", "queue-minutes", "",
	};
	static const char *const no_two[] = {
		"digit-1", "queue-position", "queue-wait", "queue-minutes",
		"queue-minute", "",
	};
	struct routing *r = with_prompts(no_wait);
	const char *miss;

	UT_EQ_STR(said(r, 2, 120, 0, true, &miss), "queue-position digit-2");
	UT_EQ_STR(miss, "queue-wait");
	drop(r);
	r = with_prompts(no_two);
	/* position 2 cannot be said; a wait of 1 minute can, singular */
	UT_EQ_STR(said(r, 2, 30, 0, true, &miss),
		  "queue-wait digit-1 queue-minute");
	UT_EQ_STR(miss, "digit-2");
	UT_EQ_STR(said(r, 1, 30, 0, true, &miss),
		  "queue-position digit-1 queue-wait digit-1 queue-minute");
	UT_ASSERT(!miss);
	drop(r);
	/* no prompts at all: nothing, the music goes on */
	r = with_prompts((const char *const[]){ "" });
	UT_EQ_STR(said(r, 3, 120, 0, true, &miss), "");
	UT_EQ_STR(miss, "queue-position");
	drop(r);
}
