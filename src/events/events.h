/*
 * events.h — the event bus. Every call and agent change becomes an event:
 * a wire message in the manuals' format (key=value pairs joined by '&',
 * trailing '&'), numbered by a per-team eventid that is monotonic,
 * persisted and never reused. Publishing writes the event to the store
 * first and only then hands it to the sinks (browser push, backend POST,
 * nchan), so anything a sink saw can be found again after a crash, and a
 * subscriber resuming "after eventid N" gets exactly what it missed.
 *
 * Sinks only serialise and deliver; they register with events_sink_add()
 * and are called on the loop thread, in eventid order per team.
 */
#ifndef OCC_EVENTS_H
#define OCC_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

struct occ;
struct events;

struct event {
	int64_t team_id;
	const char *team;          /* orgidentity */
	int64_t eventid;
	int64_t ts_ms;
	const char *agent1;        /* agents concerned, "" if none */
	const char *agent2;
	const char *text;          /* the message, eventid included */
};

typedef void (event_h)(const struct event *ev, void *arg);

int  events_alloc(struct events **evp, struct occ *occ);
int  events_sink_add(struct events *evs, event_h *h, void *arg);
/* Hand the sinks now what a commit has stored and a timer would deliver
 * (group commit, store.h): at teardown, when the loop has stopped. */
void events_flush(struct events *evs);
/* Publish one message for team (fields without eventid; "eventid=N&" is
 * appended). agent1/agent2 may be NULL. */
int  events_publish(struct events *evs, const char *team, const char *agent1,
		    const char *agent2, const char *fields);
/* Persisted events of team after eventid `after` (agent: only those that
 * concern it; NULL: all), ascending, at most limit. */
int  events_replay(struct events *evs, const char *team, const char *agent,
		   int64_t after, unsigned limit, event_h *h, void *arg);
/* Several nodes: the team was served elsewhere since its ids were read;
 * its next event counts on from the newest stored one. */
void events_forget(struct events *evs, int64_t team_id);
/* The team's newest eventid (0 if none). */
int64_t events_last(struct events *evs, const char *team);

#endif
