/*
 * acd_int.h — the ACD's data structures, shared by acd.c (the dispatcher)
 * and strategy.c (which free member of a queue a caller gets). Not for
 * other modules: they use acd.h.
 */
#ifndef OCC_ACD_INT_H
#define OCC_ACD_INT_H

#include <stddef.h>
#include "acd/acd.h"

#define ACD_CONTAINER(p, type, field) \
	((type *)(void *)((char *)(p) - offsetof(type, field)))

/* intrusive circular doubly-linked list with a sentinel */
struct dl {
	struct dl *prev, *next;
};

/* a pending time-based event, in the ACD's min-heap of deadlines */
enum tm_kind { TM_CALLER, TM_OFFER, TM_BLOCK };
struct tm {
	uint64_t at;
	unsigned idx;          /* 1-based position in the heap; 0: idle */
	enum tm_kind kind;
};

/* Callers of one queue with one priority, in order of join time: those
 * waiting for an agent (and ringall callers while they ring). */
struct bucket {
	int prio;
	struct dl callers;
	unsigned n[3];         /* by enum cstate: waiting, ringing, talking */
};

/* The free members of one level of a queue: a min-heap by the
 * strategy's key (leastrecent, fewestcalls, leasttalk, linear) or a plain
 * array (random, wrandom, rrmemory, ringall). */
struct tier {
	unsigned level;
	struct member **v;
	unsigned n, cap;
};

struct member {
	struct acd_queue *q;
	struct acd_agent *a;
	struct dl q_le, a_le;
	unsigned level, weight, pos;
	bool checked_in, dialin;
	bool staffed;          /* counted in q->nstaffed */
	struct tier *tier;     /* non-NULL: free, at tier->v[tier_idx] */
	unsigned tier_idx;
	unsigned calls;        /* this queue's calls ... */
	uint64_t talk_ms;      /* ... and talk time */
};

struct team {
	char name[ST_NAME];
	struct dl queues;
};

struct acd_queue {
	struct acd *acd;
	struct team *team;
	struct dl team_le;
	char key[ST_NAME + ST_NUM];
	struct queue_cfg cfg;          /* members owned (a copy) */
	void *host;
	struct bucket **b;             /* by priority, highest first */
	unsigned nb;
	struct tier **tiers;           /* by level, lowest first */
	unsigned ntiers;
	struct dl members;
	unsigned nmembers;
	unsigned next_pos;             /* above every member's pos */
	unsigned nadded;               /* members not in cfg.members */
	unsigned nstaffed;
	unsigned nlive;                /* callers waiting or ringing */
	uint64_t holdtime_ms;
	unsigned rrpos;                /* rrmemory: position last offered */
};

struct acd_agent {
	struct acd *acd;
	char key[ST_NAME + ST_NUM];
	char team[ST_NAME], number[ST_NUM];
	void *host;
	struct acd_agent_state st;
	struct dl members;
	struct dl blocks;              /* retry blocks naming this agent */
	struct offer *offer;           /* the one live offer */
	struct acd_caller *bridge;     /* bridged caller */
	struct acd_queue *bridge_q;
	uint64_t answered_ms;
	unsigned calls;
	uint64_t talk_ms, last_end_ms;
};

enum cstate { CS_WAITING, CS_RINGING, CS_TALKING, CS_DONE };

struct acd_caller {
	struct dl all_le;              /* acd->callers */
	struct acd_queue *q;
	int prio;
	char number[ST_NUM];
	uint64_t join_ms, seq;
	void *host;
	enum cstate st;
	bool listed;                   /* in its bucket's list */
	struct dl b_le;
	struct dl offers;
	unsigned noffers;
	unsigned ring_level;           /* ringall: the level it rings */
	struct dl blocks;
	struct acd_agent *bridge;
	struct tm tm;                  /* max wait, next relaxation step */
};

struct offer {
	struct acd_caller *c;
	struct acd_agent *a;
	struct member *m;
	struct dl c_le;
	struct tm tm;                  /* ring timeout */
};

/* caller c is not offered to agent a until tm.at (retry_s) */
struct block {
	struct acd_caller *c;
	struct acd_agent *a;
	struct dl c_le, a_le;
	struct tm tm;
};

/* the agent who last talked to a caller number (key: team, number) */
struct sticky {
	struct dl le;                  /* acd->sticky_age */
	uint64_t at;
	char agent[ST_NUM];
	char key[];
};

struct hent {
	struct hent *next;
	void *val;
	char key[];
};
struct map {
	struct hent **t;
	unsigned n, cap;
};

struct acd {
	struct acd_ops ops;
	void *arg;
	uint64_t rng;
	uint64_t now;
	uint64_t seq;
	bool busy;                     /* inside an entry point */
	struct tm **heap;
	unsigned nheap, capheap;
	uint64_t wake_at;              /* last wake requested */
	struct map queues, agents, teams, sticky;
	struct dl callers;             /* every caller handle */
	struct dl sticky_age;          /* oldest first */
	uint64_t sticky_max_ms;
	struct acd_agent **tmp;        /* ringall: the agents to ring */
	unsigned ntmp, captmp;
};

/* lists */
static inline void dl_init(struct dl *l) { l->prev = l->next = l; }
static inline bool dl_empty(const struct dl *l) { return l->next == l; }
static inline void dl_insert_before(struct dl *pos, struct dl *e)
{
	e->prev = pos->prev;
	e->next = pos;
	pos->prev->next = e;
	pos->prev = e;
}
static inline void dl_remove(struct dl *e)
{
	e->prev->next = e->next;
	e->next->prev = e->prev;
	e->prev = e->next = e;
}

/* map.c */
void *map_get(const struct map *mp, const char *key);
int  map_put(struct map *mp, const char *key, void *val);   /* new key */
void map_del(struct map *mp, const char *key);
void map_free(struct map *mp);

/* acd.c */
/* "team\x1fnumber", the key of queues and agents */
void make_key(char *out, size_t sz, const char *team, const char *num);
bool agent_available(const struct acd_agent *a);
bool member_ready(const struct member *m);
bool ringall(const struct acd_queue *q);
struct bucket *bucket_of(const struct acd_queue *q, int prio);
struct acd_caller *best_caller(const struct acd *acd,
			       const struct acd_agent *a, struct member **mp);

/* strategy.c */
int  tier_insert(struct tier *t, struct member *m, enum queue_strategy s);
void tier_remove(struct member *m, enum queue_strategy s);
/* The free member of tier t that caller c gets by strategy s (NULL: none
 * that c may be offered). */
struct member *tier_pick(struct acd *acd, struct tier *t,
			 const struct acd_caller *c, enum queue_strategy s);
bool caller_blocked(const struct acd_caller *c, const struct acd_agent *a);
uint64_t acd_random(struct acd *acd);

#endif
