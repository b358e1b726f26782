/*
 * mworker.h — media worker threads ([media] threads; docs/ARCHITECTURE.md
 * "Media workers").
 *
 * Each worker runs its own epoll loop over the RTP/RTCP sockets of the
 * calls given to it: receive, RTP decode, G.711 decode, the relay to the
 * other party (encode, send), the recording's buffers, the mixer's input
 * rings and answering-machine detection's feed all run there, on the
 * worker's core. A call's endpoints are all on one worker (mworker_pick
 * when the call is made), so nothing of one call is ever touched by two
 * workers at once.
 *
 * The control loop (libre's, on the main thread: SIP, agents, ACD, API,
 * timers, the 20 ms media clock) keeps its code lock-free: it runs its
 * handlers while the workers are paused between two passes, and the
 * workers run while the control loop waits in epoll_wait. This handover
 * is the only lock (a writer-preferring rwlock taken at the two loops'
 * edges, never by domain code): the control loop holds it for writing
 * except while it waits for events, a worker holds it for reading while
 * it handles one batch of events. So the control loop's handlers may
 * read and change any call's media state as before, and the workers run
 * in parallel with each other. A busy control loop also lets waiting
 * workers in at safe points between its handlers (mworker_yield), so a
 * worker waits a bounded time (media/handover.h).
 *
 * What a worker's handler may do: touch the endpoints and call state of
 * its own calls. What it must not do is run control-loop logic (libre
 * timers, SIP, agents, events): it hands that over with mworker_defer(),
 * run by the control loop on its next pass.
 *
 * threads = 0: no worker, everything runs on the control loop as before
 * (mworker_pick returns NULL, mworker_defer runs at once).
 */
#ifndef OCC_MEDIA_MWORKER_H
#define OCC_MEDIA_MWORKER_H

#include <stdbool.h>
#include <stdint.h>
#include <re.h>

struct mworker;

enum { MWORKER_MAX = 64 };

/* Start n workers (0: none); on the control thread, before re_main. */
int  mworker_start(unsigned n);
/* Stop and join them (after re_main returned). */
void mworker_stop(void);
unsigned mworker_count(void);

/* The worker for a new call (the least loaded), NULL without workers;
 * mworker_put when the call is gone. */
struct mworker *mworker_pick(void);
void mworker_put(struct mworker *w);

/* Between begin and end, the descriptors libre registers on this thread
 * (an endpoint's sockets, made in between) go to w's loop (NULL: the
 * control loop's). Control thread only. */
void mworker_capture_begin(struct mworker *w);
void mworker_capture_end(void);
/* The worker of the capture under way (NULL outside one): what an
 * endpoint made in it remembers as its own. */
struct mworker *mworker_captured(void);

/* Control thread: h(arg) runs on worker w at its next turn (its bounded
 * command queue: ENOSPC when full). */
int mworker_post(struct mworker *w, void (*h)(void *arg), void *arg);
/* On a worker, in a command posted to it: blocking(arg) runs without the
 * worker's hold on the media state, so the control loop never waits for
 * it (creating a file can take milliseconds). blocking must touch nothing
 * the control loop may change; the command finds the state as the loop
 * left it afterwards, and the worker's turn ends with the command. Off a
 * worker, blocking(arg) just runs. */
void mworker_unlocked(void (*blocking)(void *arg), void *arg);

/* Worker w's media clock (media/clock.h: mclock_join_on), called on its
 * 20 ms tick; NULL for NULL. */
struct mclock_set;
struct mclock_set *mworker_clock(struct mworker *w);

/* The fd_listen/fd_close interposer's hook (sip/sipdrain.c): true if fd
 * is, or is now being registered as, a worker's (*errp then says how it
 * went); false: libre's own loop has it. */
bool mworker_fd_listen(int fd, int flags, fd_h *fh, void *arg, int *errp);

/* A control-loop descriptor's handler as it is to be registered with
 * libre (sipdrain.c's fd_listen): while workers run, through a wrapper
 * that calls mworker_yield first. */
void mworker_wrap(int fd, fd_h **fhp, void **argp);

/* A safe point of the control thread (no handler half done): lets waiting
 * workers have one batch each if it has held the lock for its share
 * (2 ms). Cheap when none waits; nothing without workers. */
void mworker_yield(void);

/* Is the calling thread a media worker? */
bool mworker_on_worker(void);

/* Work handed from a worker to the control loop. The owner embeds one per
 * kind of hand-over and cancels it before it is freed. On the control
 * thread mworker_defer runs h(arg) at once; on a worker, h(arg) runs on
 * the control loop's next pass, once however often it was deferred
 * meanwhile (h sees the state as it is then). */
typedef void (mworker_defer_h)(void *arg);
struct mworker_defer {
	struct le le;
	mworker_defer_h *h;
	void *arg;
};
void mworker_defer(struct mworker_defer *d, mworker_defer_h *h, void *arg);
void mworker_defer_cancel(struct mworker_defer *d);

/* Seconds worker i has spent handling events (its load); endpoints it
 * holds. */
double   mworker_busy_seconds(unsigned i);
unsigned mworker_endpoints(unsigned i);
/* How late worker i's 20 ms tick came in the last second or two (waiting
 * for the lock or for a core), and its time waiting for the lock in all;
 * the worst worker's lateness (ms), for the overload guard; how often the
 * control thread let waiting workers in at a safe point. */
double   mworker_lag_seconds(unsigned i);
double   mworker_lock_wait_seconds(unsigned i);
uint64_t mworker_lag_ms(void);
uint64_t mworker_yields(void);

#endif
