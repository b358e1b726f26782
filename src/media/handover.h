/*
 * handover.h — the lock the control loop and the media workers hand the
 * media state over with (media/mworker.c; docs/ARCHITECTURE.md "Media
 * workers"). One writer (the control thread), any number of readers (the
 * workers, each for one batch of events).
 *
 * Turn-taking that starves neither side, with no reliance on how a
 * library's rwlock happens to schedule:
 *  - the writer is preferred: once it asks for the lock back, a reader
 *    that comes after waits, so the writer waits at most for the batches
 *    already running or admitted;
 *  - every release by the writer admits all the readers waiting at that
 *    moment, even if the writer asks again at once: each gets one batch
 *    before the writer is back.
 * So a reader waits at most until the writer's next release, and the
 * writer releases at bounded intervals (mworker_yield at safe points
 * while it is busy, and every wait for events).
 *
 * Plumbing: a mutex and two condition variables, held only to change the
 * counts, never while either side works.
 */
#ifndef OCC_MEDIA_HANDOVER_H
#define OCC_MEDIA_HANDOVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct handover {
	pthread_mutex_t mu;
	pthread_cond_t rd_cv, wr_cv;
	unsigned readers;      /* holding the read side */
	unsigned waiting;      /* readers waiting, not yet admitted */
	unsigned admitted;     /* admitted by a release, not yet in */
	unsigned gen;          /* releases that admitted someone */
	bool writer;           /* the write side is held */
	bool wr_wait;          /* the writer asks for it */
	atomic_uint pending;   /* waiting, readable without the mutex */
	atomic_bool asks;      /* wr_wait, readable without the mutex */
};

int  handover_init(struct handover *h);
void handover_destroy(struct handover *h);
void handover_wrlock(struct handover *h);
void handover_wrunlock(struct handover *h);
void handover_rdlock(struct handover *h);
void handover_rdunlock(struct handover *h);
/* Is a reader waiting? (the writer's cheap check at a safe point) */
bool handover_contended(struct handover *h);
/* Does the writer ask for the lock? (a reader's cheap check at a safe
 * point inside a long turn: it then lets go and waits for its next one) */
bool handover_writer_asks(struct handover *h);

#endif
