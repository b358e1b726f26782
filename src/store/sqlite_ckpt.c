/*
 * sqlite_ckpt.c — the WAL copied into the database on a thread, not on the
 * control loop.
 *
 * In WAL mode a commit appends pages to occ.db-wal; a checkpoint copies them
 * into occ.db and syncs it. SQLite's automatic checkpoint runs in the
 * committing connection after the commit that takes the WAL past 1,000
 * frames: on occd's loop at 200 calls/s that was 13 passes a second of
 * 2-4 ms (page copies and an fdatasync), the API's p99 during the ramp.
 *
 * Here the loop's commits only look at the WAL's size (sqlite3_wal_hook)
 * and wake a thread that runs PASSIVE checkpoints on a connection of its
 * own: the copy and the sync never block a writer. What the thread cannot
 * do is rewind the WAL: SQLite starts it again from frame 1 only when a
 * writer begins while every frame is copied, and the loop has committed
 * again before the thread's sync ends. So once the WAL holds RESTART_FRAMES,
 * the thread is woken for every NEAR_FRAMES new frames, and when it is idle
 * with fewer left the loop copies those itself (a few pages and one sync,
 * every RESTART_FRAMES); its next transaction rewinds the WAL. Past
 * HARD_FRAMES (a disk slower than the commits) the loop copies whatever is
 * left, whatever it costs: the WAL stays bounded.
 *
 * The thread and the hook share a mutex held only to read or set a few
 * fields, never across a checkpoint, so a commit never waits for a copy.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <re.h>
#define LOG_TOPIC "store"
#include "base/log.h"
#include "store/sqlite_ckpt.h"

enum {
	CKPT_FRAMES = 1000,      /* SQLite's own autocheckpoint size */
	RESTART_FRAMES = 8192,   /* 32 MiB of 4 KiB pages: rewind from here */
	NEAR_FRAMES = 128,       /* what the loop copies before a rewind */
	HARD_FRAMES = 65536,     /* 256 MiB: the loop copies, whatever is left */
};

struct sqlite_ckpt {
	sqlite3 *loop_db;        /* the loop's connection (its hook is ours) */
	sqlite3 *db;             /* the thread's own connection */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;      /* guards the fields below */
	pthread_cond_t cv;
	bool wanted, running, stop;
	int copied;              /* WAL frames copied, as last seen */
	struct sqlite_ckpt_stats stats;
};

static void *ckpt_thread(void *arg)
{
	struct sqlite_ckpt *c = arg;
	int log, done, rc;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		while (!c->wanted && !c->stop)
			pthread_cond_wait(&c->cv, &c->mu);
		if (c->stop)
			break;
		c->wanted = false;
		c->running = true;
		pthread_mutex_unlock(&c->mu);

		log = done = 0;
		rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
					       SQLITE_CHECKPOINT_PASSIVE,
					       &log, &done);

		pthread_mutex_lock(&c->mu);
		c->running = false;
		c->stats.runs++;
		if (rc == SQLITE_OK)
			c->copied = done;
		else if (rc != SQLITE_BUSY)
			OCC_WARN("WAL checkpoint: %s (%d)",
				 sqlite3_errmsg(c->db), rc);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

/* The last frames copied on the loop's thread, from inside its hook (as
 * SQLite's own autocheckpoint does). BUSY: another checkpoint (occctl's)
 * holds the lock; the next commit tries again. */
static void catch_up(struct sqlite_ckpt *c, sqlite3 *db, bool forced)
{
	int log = 0, done = 0;
	int rc = sqlite3_wal_checkpoint_v2(db, NULL,
					   SQLITE_CHECKPOINT_PASSIVE,
					   &log, &done);

	pthread_mutex_lock(&c->mu);
	if (rc == SQLITE_OK) {
		c->copied = done;
		c->stats.catchups++;
		if (forced)
			c->stats.forced++;
	}
	pthread_mutex_unlock(&c->mu);
	if (forced && rc == SQLITE_OK)
		OCC_WARN("WAL at %d frames: the checkpoint thread fell behind; "
			 "copied on the loop", log);
}

/* After each of the loop's commits, with the frames now in the WAL. */
static int on_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct sqlite_ckpt *c = arg;
	bool idle, near;
	int pending;

	(void)name;
	pthread_mutex_lock(&c->mu);
	if (frames < c->copied)         /* the WAL was rewound since */
		c->copied = 0;
	pending = frames - c->copied;
	idle = !c->running && !c->wanted;
	near = frames >= RESTART_FRAMES && pending <= NEAR_FRAMES;
	if (idle && !near &&
	    pending >= (frames >= RESTART_FRAMES ? NEAR_FRAMES : CKPT_FRAMES)) {
		c->wanted = true;
		pthread_cond_signal(&c->cv);
	}
	pthread_mutex_unlock(&c->mu);

	if (frames >= HARD_FRAMES && pending > 0)
		catch_up(c, db, true);
	else if (idle && near && pending > 0)
		catch_up(c, db, false);
	return SQLITE_OK;
}

static void ckpt_destructor(void *arg)
{
	struct sqlite_ckpt *c = arg;

	if (c->started) {
		pthread_mutex_lock(&c->mu);
		c->stop = true;
		pthread_cond_signal(&c->cv);
		pthread_mutex_unlock(&c->mu);
		pthread_join(c->thread, NULL);
		/* back to SQLite's own checkpoints (this replaces our hook) */
		sqlite3_wal_autocheckpoint(c->loop_db, CKPT_FRAMES);
	}
	sqlite3_close_v2(c->db);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
}

int sqlite_ckpt_start(struct sqlite_ckpt **cp, sqlite3 *db, const char *path)
{
	struct sqlite_ckpt *c;
	int rc, err;

	if (!cp || !db || !path)
		return EINVAL;
	if (!sqlite3_threadsafe())
		return ENOTSUP;
	c = mem_zalloc(sizeof(*c), ckpt_destructor);
	if (!c)
		return ENOMEM;
	pthread_mutex_init(&c->mu, NULL);
	pthread_cond_init(&c->cv, NULL);
	c->loop_db = db;

	/* Its own connection, used by the thread alone; a first read opens
	 * the WAL so the checkpoints have one to copy. */
	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
			     SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_exec(c->db, "PRAGMA synchronous = NORMAL;"
				  "SELECT count(*) FROM sqlite_schema",
				  NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		OCC_ERR("checkpoint connection to %s: %s", path,
			c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		err = EIO;
		goto out;
	}
	err = pthread_create(&c->thread, NULL, ckpt_thread, c);
	if (err)
		goto out;
	c->started = true;
	/* a WAL rewound never shrinks below its largest size otherwise */
	(void)sqlite3_exec(db, "PRAGMA journal_size_limit = 67108864",
			   NULL, NULL, NULL);
	sqlite3_wal_hook(db, on_commit, c);
 out:
	if (err)
		mem_deref(c);
	else
		*cp = c;
	return err;
}

void sqlite_ckpt_stats(const struct sqlite_ckpt *c,
		       struct sqlite_ckpt_stats *s)
{
	struct sqlite_ckpt *m = (struct sqlite_ckpt *)c;

	if (!c || !s)
		return;
	pthread_mutex_lock(&m->mu);
	*s = c->stats;
	pthread_mutex_unlock(&m->mu);
}
