/*
 * announce.c — a waiting caller's announcements (docs/INBOUND.md,
 * "Announcements"): every announce_s seconds the music stops, the caller
 * hears its position and the expected wait (inbound/announce.h decides
 * the words), then the music starts again.
 *
 * Only a caller that waits is told: while an agent's phone rings for it
 * (its position is 0 then) the period is skipped, so an answer never
 * cuts an announcement short but for an agent who answers within it (the
 * answer stops it). The next one is due announce_s after the previous
 * ended, or was skipped.
 */
#include <string.h>
#include <re.h>
#define LOG_TOPIC "sip.inbound"
#include "base/log.h"
#include "inbound/announce.h"
#include "inbound/routing.h"
#include "sip/call.h"
#include "sip/tel_impl.h"
#include "sip/call_impl.h"
#include "sip/inbound_impl.h"

static const struct queue_cfg *queue_of(const struct inbound *in)
{
	return in->rt && in->queue[0] ? routing_queue(in->rt, in->queue)
		: NULL;
}

static bool waiting(const struct inbound *in)
{
	return in->qc && !in->c->legs[ROLE_AGENT] && !in->c->ending;
}

static void announced(void *arg)
{
	struct inbound *in = arg;
	const struct queue_cfg *q = queue_of(in);

	if (!waiting(in))
		return;
	inbound_hold_music(in, q ? q->moh : NULL);
	announce_arm(in);
}

static void announce_h(void *arg)
{
	struct inbound *in = arg;
	const struct queue_cfg *q = queue_of(in);
	const char *names[ANNOUNCE_MAX], *missing;
	struct announce_in a = { .say_wait = q && q->announce_wait };
	unsigned n;

	if (!q || !waiting(in))
		return;
	if (!list_isempty(&in->offers) ||
	    !acdhost_wait_info(in, &a.position, &a.holdtime_ms)) {
		announce_arm(in);
		return;
	}
	a.waited_ms = tmr_jiffies() - in->join_ms;
	n = announce_prompts(in->rt, &a, names, &missing);
	if (missing && acdhost_first_warning(in))
		OCC_WARN("queue announcement: no prompt %s, that part is not "
			 "said team=%s queue=%s", missing, in->c->team,
			 in->queue);
	if (!n) {
		announce_arm(in);
		return;
	}
	OCC_INFO("announcement session=%s queue=%s position=%u prompts=%u",
		 in->c->sessionid, in->queue, a.position, n);
	inbound_play_list(in, names, n, "", announced);
}

void announce_arm(struct inbound *in)
{
	const struct queue_cfg *q = queue_of(in);

	if (q && q->announce_s && waiting(in))
		tmr_start(&in->ann_tmr, 1000ull * q->announce_s, announce_h,
			  in);
}

void announce_stop(struct inbound *in)
{
	tmr_cancel(&in->ann_tmr);
	if (in->prompt && in->prompt_done == announced)
		inbound_play_stop(in);
}
