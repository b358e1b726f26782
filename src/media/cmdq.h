/*
 * cmdq.h — a bounded command queue between threads: any thread pushes a
 * command (a handler and its argument), one thread — the queue's owner —
 * takes them, in the order they were pushed, and runs them. An eventfd
 * wakes the owner (register cmdq_fd() in its poll loop; cmdq_run() reads
 * it). Bounded: a push to a full queue fails with ENOSPC, it never blocks
 * and never drops a command silently — the pusher decides (the media
 * workers' control commands retry on the next pass).
 *
 * The ring is guarded by a mutex held only to copy one entry in or out:
 * plumbing, never held while a command runs.
 */
#ifndef OCC_MEDIA_CMDQ_H
#define OCC_MEDIA_CMDQ_H

#include <stddef.h>

struct cmdq;

typedef void (cmdq_h)(void *arg);

/* A queue of at most cap commands (cap >= 1). */
int  cmdq_alloc(struct cmdq **qp, size_t cap);
/* 0, ENOSPC when full, EINVAL for no handler. Any thread. */
int  cmdq_push(struct cmdq *q, cmdq_h *h, void *arg);
/* The owner: run what is queued, at most max commands (0: all there are
 * now), in order; returns how many ran. Commands pushed while it runs
 * wait for the next call (the eventfd says so). */
size_t cmdq_run(struct cmdq *q, size_t max);
/* The descriptor readable while commands wait. */
int  cmdq_fd(const struct cmdq *q);
size_t cmdq_len(struct cmdq *q);

#endif
