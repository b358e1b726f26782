/*
 * slowhash.h — password hash verification off the loop.
 *
 * argon2id costs tens of milliseconds of CPU; on occd's one loop thread a
 * stream of wrong passwords would starve the API, SIP and the media clock.
 * Verifications therefore run on one worker thread that takes jobs from a
 * bounded queue, at most `per_sec` of them per second (a token bucket as
 * deep as one second), and hands each result back to the loop through a
 * pipe registered with fd_listen. The done handler always runs on the
 * loop thread, never inside slowhash_submit; slowhash_close runs the
 * handlers of the jobs left (those never started with ok false).
 *
 * The worker touches only the job's fixed buffers and its result; all
 * allocation, libre calls and freeing stay on the loop.
 */
#ifndef OCC_SLOWHASH_H
#define OCC_SLOWHASH_H

#include <stdbool.h>

struct slowhash_job;
/* ok: the presented MD5 matched the stored hash. */
typedef void (slowhash_done_h)(struct slowhash_job *job, bool ok, void *arg);

int  slowhash_init(unsigned queue_max, unsigned per_sec);
void slowhash_close(void);
/* Queue a verification; EBUSY when the queue is full (nothing queued). */
int  slowhash_submit(const char *stored, const char *md5hex,
		     slowhash_done_h *doneh, void *arg);
/* Jobs waiting or being verified (for tests and logs). */
unsigned slowhash_queued(void);

#endif
