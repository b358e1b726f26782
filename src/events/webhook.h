/*
 * webhook.h — backend event POST (API.md §6.7): every event of a team is
 * POSTed, one by one and in eventid order, to the team's `event_url`
 * setting (occctl team set TEAM event_url URL).
 *
 * The outbox is the event log itself: per team a sender reads the stored
 * events after its delivery cursor (store_cursor_get/set, sink "webhook"),
 * POSTs the next one, and only after a 2xx advances and persists the
 * cursor. Failures (refused, timeout, non-2xx) retry the same event with
 * exponential backoff ([events] webhook_retry_min doubling up to
 * webhook_retry_max); nothing is skipped. After a crash the sender resumes
 * at the persisted cursor, so the event that was in flight may arrive
 * twice: receivers deduplicate by eventid (at-least-once delivery).
 *
 * A team without event_url sends nothing and keeps its cursor; when an
 * address is set later the backlog from the cursor is delivered (none
 * lost). Setting, changing or clearing the address takes effect at the
 * SIGHUP occctl sends (webhook_reload): a request in flight to the old
 * address, or a pending retry, is abandoned and the event is sent to the
 * new address at once.
 */
#ifndef OCC_WEBHOOK_H
#define OCC_WEBHOOK_H

#include <stdint.h>

struct occ;
struct webhook;

/* The delivery cursor's sink name (store_cursor_get/set). */
#define WEBHOOK_SINK "webhook"

/* Registers with the event bus (occ->ev must exist). Reads nothing and
 * sends nothing before the loop runs; mem_deref() stops it (a request in
 * flight is abandoned, its event is sent again at the next start). */
int  webhook_alloc(struct webhook **whp, struct occ *occ);
/* For /metrics: each team with an event_url, and how many of its events
 * are not delivered yet (stored after the delivery cursor). */
typedef void (webhook_backlog_h)(const char *team, uint64_t pending,
				 void *arg);
void webhook_backlog(const struct webhook *wh, webhook_backlog_h *h,
		     void *arg);
/* After the model was reloaded: apply new, changed or cleared event_url
 * settings and forget deleted teams. */
void webhook_reload(struct webhook *wh);

#endif
