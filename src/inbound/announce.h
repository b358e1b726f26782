/*
 * announce.h — what a caller waiting in a queue is told, every announce_s
 * seconds (docs/INBOUND.md, "Announcements"): its position and the
 * expected wait, as a list of prompt names of the team's routing. Pure:
 * the SIP layer (src/sip/announce.c) asks when, and plays the list.
 *
 *   queue-position, digits of the position,
 *   queue-wait, digits of the minutes, queue-minute (1) or queue-minutes
 *
 * Digits are the prompts digit-0 .. digit-9, one per decimal digit. A part
 * (position, wait) is said only if every prompt it needs is defined in the
 * routing (queue-minute is optional: queue-minutes stands in for it);
 * otherwise it is skipped and *missing names the first prompt that was
 * not there, for the host to log.
 */
#ifndef OCC_ANNOUNCE_H
#define OCC_ANNOUNCE_H

#include <stdbool.h>
#include <stdint.h>

struct routing;

enum {
	/* the player's limit: "queue-position" + 10 digits (UINT_MAX) +
	 * "queue-wait" + 3 digits + "queue-minutes" */
	ANNOUNCE_MAX = 16,
	ANNOUNCE_MAX_MINUTES = 999,
};

struct announce_in {
	unsigned position;      /* 1-based place among the waiting callers;
				 * 0 (an agent's phone rings for it): say
				 * nothing */
	uint64_t holdtime_ms;   /* the queue's expected wait, 0 = unknown */
	uint64_t waited_ms;     /* how long this caller has waited */
	bool say_wait;          /* the queue's announce_wait */
};

/* The expected wait still ahead in whole minutes, rounded up: holdtime
 * less what the caller already waited (app_queue's rule); 0 = nothing to
 * say (unknown, or already waited longer). At most ANNOUNCE_MAX_MINUTES. */
unsigned announce_wait_minutes(uint64_t holdtime_ms, uint64_t waited_ms);

/* Fill names (static strings) with what to play; returns how many (0:
 * nothing to say). *missing: the first undefined prompt that made a part
 * be skipped, else NULL. */
unsigned announce_prompts(const struct routing *r,
			  const struct announce_in *in,
			  const char *names[ANNOUNCE_MAX],
			  const char **missing);

#endif
