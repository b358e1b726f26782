/*
 * sqlite_ckpt.h — WAL checkpoints on a thread of their own (sqlite_ckpt.c).
 * Private to src/store/.
 */
#ifndef OCC_SQLITE_CKPT_H
#define OCC_SQLITE_CKPT_H

#include <sqlite3.h>

struct sqlite_ckpt;

/* Take over the checkpoints of db (the loop's connection to path): its
 * automatic checkpoints stop, a thread with its own connection copies the
 * WAL. Call on the thread that uses db; mem_deref() stops the thread and
 * gives db its automatic checkpoints back. */
int sqlite_ckpt_start(struct sqlite_ckpt **cp, sqlite3 *db,
		      const char *path);

/* What the checkpointer did so far (tests, logs). */
struct sqlite_ckpt_stats {
	unsigned long runs;        /* checkpoints on the thread */
	unsigned long catchups;    /* the last frames, on db's thread */
	unsigned long forced;      /* catch-ups past the hard limit */
};
void sqlite_ckpt_stats(const struct sqlite_ckpt *c,
		       struct sqlite_ckpt_stats *s);

#endif
