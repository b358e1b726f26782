/*
 * announce.c — the words of a queue announcement (see announce.h).
 */
#include <stddef.h>
#include "inbound/announce.h"
#include "inbound/routing.h"

static const char *const digit_names[10] = {
	"digit-0", "digit-1", "digit-2", "digit-3", "digit-4",
	"digit-5", "digit-6", "digit-7", "digit-8", "digit-9",
};

unsigned announce_wait_minutes(uint64_t holdtime_ms, uint64_t waited_ms)
{
	uint64_t left;

	if (!holdtime_ms || waited_ms >= holdtime_ms)
		return 0;
	left = holdtime_ms - waited_ms;
	left = left / 60000 + (left % 60000 != 0);    /* up, no overflow */
	return left > ANNOUNCE_MAX_MINUTES ? ANNOUNCE_MAX_MINUTES
		: (unsigned)left;
}

struct part {
	const char *names[ANNOUNCE_MAX];
	unsigned n;
	const char *missing;       /* first prompt not defined */
};

static void say(const struct routing *r, struct part *p, const char *name)
{
	if (!p->missing && !routing_prompt(r, name))
		p->missing = name;
	if (p->n < ANNOUNCE_MAX)
		p->names[p->n++] = name;
}

static void say_number(const struct routing *r, struct part *p, unsigned v)
{
	char digits[10];
	unsigned n = 0;

	do {
		digits[n++] = (char)(v % 10);
		v /= 10;
	} while (v && n < sizeof(digits));
	while (n)
		say(r, p, digit_names[(unsigned char)digits[--n]]);
}

/* Append part p to out if it is complete. */
static unsigned take(const struct part *p, const char *names[], unsigned n,
		     const char **missing)
{
	if (p->missing) {
		if (!*missing)
			*missing = p->missing;
		return n;
	}
	for (unsigned i = 0; i < p->n && n < ANNOUNCE_MAX; i++)
		names[n++] = p->names[i];
	return n;
}

unsigned announce_prompts(const struct routing *r,
			  const struct announce_in *in,
			  const char *names[ANNOUNCE_MAX],
			  const char **missing)
{
	struct part pos = { .n = 0 }, wait = { .n = 0 };
	unsigned minutes, n = 0;

	*missing = NULL;
	if (!r || !in->position)
		return 0;
	say(r, &pos, "queue-position");
	say_number(r, &pos, in->position);
	n = take(&pos, names, n, missing);
	minutes = in->say_wait ? announce_wait_minutes(in->holdtime_ms,
						       in->waited_ms) : 0;
	if (minutes) {
		say(r, &wait, "queue-wait");
		say_number(r, &wait, minutes);
		say(r, &wait, minutes == 1 && routing_prompt(r, "queue-minute")
		    ? "queue-minute" : "queue-minutes");
		n = take(&wait, names, n, missing);
	}
	return n;
}
