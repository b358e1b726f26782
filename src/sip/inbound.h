/*
 * inbound.h — calls that come in to a team's DIDs (see inbound.c).
 */
#ifndef OCC_INBOUND_H
#define OCC_INBOUND_H

struct tel;
struct sip_msg;

/* A new INVITE that is not a phone of ours calling out: route it, answer
 * it or refuse it (a team's phone, or a source no team admits: 407 and
 * internal.c; 403 blocked, 404 no such
 * number, 480 closed). */
void inbound_invite(struct tel *tel, const struct sip_msg *msg);

/* Callers of the team's queue (its number; "" or "0": all of the team's
 * queues) with priority >= min_prio: in all, ringing an agent, waiting,
 * talking. ENOENT: no such queue. */
struct queue_counts {
	unsigned total, ringing, waiting, talking;
};
int  inbound_queue_counts(struct tel *tel, const char *team,
			  const char *queue, int min_prio,
			  struct queue_counts *n);

#endif
