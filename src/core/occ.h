/*
 * occ.h — what the subsystems of occd share: the current model (replaced
 * on reload, so never keep a pointer to it or into it across a callback;
 * look things up again by name), the store and the configuration.
 */
#ifndef OCC_OCC_H
#define OCC_OCC_H

struct model;
struct store;
struct conf;
struct tel;
struct events;
struct push;
struct stats;
struct cluster;

struct occ {
	struct model *m;
	struct store *st;
	const struct conf *cfg;
	struct tel *tel;        /* the telephony engine (src/sip) */
	struct events *ev;      /* the event bus (src/events) */
	struct push *push;      /* browser delivery (events/push.c) */
	struct stats *stats;    /* today's call figures (events/stats.c) */
	struct cluster *cluster;/* several nodes (src/cluster), NULL: one */
};

#endif
