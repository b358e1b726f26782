/*
 * test_groupcommit.c — group commit (store.h) with the event bus: what
 * the loop writes is committed at the end of its pass or at store_sync(),
 * and an event reaches the sinks only once another connection (occctl, a
 * reader after a crash) can see it stored.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sqlite3.h>
#include <re.h>
#include "unit.h"
#include "base/conf.h"
#include "core/model.h"
#include "core/occ.h"
#include "core/provision.h"
#include "events/events.h"
#include "store/store.h"

struct gc_fx {
	char dir[64];
	char db[96];
	struct conf cfg;
	struct occ occ;
	unsigned seen;           /* events the sink got */
	int stored_at_sink;      /* rows another connection saw then */
	int64_t last_id;
};

/* Events stored, as another connection sees them. */
static int stored_events(const struct gc_fx *f)
{
	sqlite3 *db;
	sqlite3_stmt *q = NULL;
	int n = -1;

	if (sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &q,
			       NULL) == SQLITE_OK &&
	    sqlite3_step(q) == SQLITE_ROW)
		n = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return n;
}

static void sink(const struct event *ev, void *arg)
{
	struct gc_fx *f = arg;

	f->seen++;
	f->last_id = ev->eventid;
	f->stored_at_sink = stored_events(f);
}

static void stop_loop(void *arg)
{
	(void)arg;
	re_cancel();
}

/* Run the loop for ms: the passes end, their timers run. */
static void spin(unsigned ms)
{
	struct tmr end;

	tmr_init(&end);
	tmr_start(&end, ms, stop_loop, NULL);
	re_main(NULL);
	tmr_cancel(&end);
}

static void fx_close(struct gc_fx *f)
{
	f->occ.ev = mem_deref(f->occ.ev);
	f->occ.m = mem_deref(f->occ.m);
	f->occ.st = mem_deref(f->occ.st);
	if (f->dir[0]) {
		char cmd[96];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
		if (system(cmd))
			fprintf(stderr, "  cannot remove %s\n", f->dir);
	}
}

static int fx_open(struct gc_fx *f)
{
	char data[80];
	int err;

	snprintf(f->dir, sizeof(f->dir), "/tmp/occ-unit-gc-XXXXXX");
	if (!mkdtemp(f->dir))
		return errno;
	snprintf(data, sizeof(data), "%s/data", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/occ.db", data);
	conf_defaults(&f->cfg);
	f->occ.cfg = &f->cfg;
	err = store_open(&f->occ.st, data);
	err = err ? err : provision_demo(f->occ.st);
	err = err ? err : model_load(&f->occ.m, f->occ.st);
	err = err ? err : events_alloc(&f->occ.ev, &f->occ);
	return err ? err : events_sink_add(f->occ.ev, sink, f);
}

/* fx_open with group commit on; closed again if it fails */
static int fx_open_group(struct gc_fx *f)
{
	int err = fx_open(f);

	if (err)
		fx_close(f);
	else
		store_group_commit(f->occ.st, true);
	return err;
}

#define FIELDS "source=AGENT&event=test&"

UNIT_TEST(group_commit_events_reach_sinks_after_the_commit)
{
	struct gc_fx f = { 0 };
	int before;

	UT_EQ_INT(fx_open_group(&f), 0);
	before = stored_events(&f);

	/* in the pass: stored in its transaction, not yet committed, and
	 * no sink has it */
	UT_EQ_INT(events_publish(f.occ.ev, "demo", "8001", NULL, FIELDS), 0);
	UT_EQ_INT(events_publish(f.occ.ev, "demo", "8001", NULL, FIELDS), 0);
	UT_ASSERT(store_pending(f.occ.st));
	UT_EQ_INT(f.seen, 0);
	UT_EQ_INT(stored_events(&f), before);

	/* the pass ends: one commit, then both, in order, each already
	 * visible to another connection */
	spin(30);
	UT_ASSERT(!store_pending(f.occ.st));
	UT_EQ_INT(f.seen, 2);
	UT_EQ_INT(f.stored_at_sink, before + 2);
	UT_EQ_INT(f.last_id, events_last(f.occ.ev, "demo"));

	/* store_sync (an API reply's): committed at once, the sinks follow
	 * from the loop, not from inside the caller */
	UT_EQ_INT(events_publish(f.occ.ev, "demo", "8001", NULL, FIELDS), 0);
	UT_EQ_INT(store_sync(f.occ.st), 0);
	UT_EQ_INT(stored_events(&f), before + 3);
	UT_EQ_INT(f.seen, 2);
	spin(30);
	UT_EQ_INT(f.seen, 3);

	/* inside an outer transaction (a file import's store_begin()
	 * spanning the pass's end): the pass's commit only closes its own
	 * level, so nothing is stored and no sink runs until the outer
	 * store_commit() */
	UT_EQ_INT(store_begin(f.occ.st), 0);
	UT_EQ_INT(events_publish(f.occ.ev, "demo", "8001", NULL, FIELDS), 0);
	spin(30);
	UT_ASSERT(!store_pending(f.occ.st));
	UT_EQ_INT(stored_events(&f), before + 3);
	UT_EQ_INT(f.seen, 3);
	UT_EQ_INT(store_commit(f.occ.st), 0);
	UT_EQ_INT(stored_events(&f), before + 4);
	spin(30);
	UT_EQ_INT(f.seen, 4);
	UT_EQ_INT(f.stored_at_sink, before + 4);

	/* off: a write commits by itself and its event goes out at once */
	store_group_commit(f.occ.st, false);
	UT_EQ_INT(events_publish(f.occ.ev, "demo", "8001", NULL, FIELDS), 0);
	UT_ASSERT(!store_pending(f.occ.st));
	UT_EQ_INT(f.seen, 5);
	UT_EQ_INT(f.stored_at_sink, before + 5);
	fx_close(&f);
}

/* web_route's rule: a reply waits for the commit only if its request
 * wrote (store_sync_since), not for what the pass's calls wrote */
UNIT_TEST(group_commit_a_reply_waits_only_for_its_own_writes)
{
	struct gc_fx f = { 0 };
	uint64_t mark;
	int before;

	UT_EQ_INT(fx_open_group(&f), 0);
	before = stored_events(&f);

	/* a call's write in the pass, then a request that only reads */
	UT_EQ_INT(events_publish(f.occ.ev, "demo", "8001", NULL, FIELDS), 0);
	mark = store_write_mark(f.occ.st);
	UT_EQ_INT(store_sync_since(f.occ.st, mark), 0);
	UT_ASSERT(store_pending(f.occ.st));
	UT_EQ_INT(stored_events(&f), before);

	/* a request that writes: committed before its reply, with the
	 * pass's earlier write */
	mark = store_write_mark(f.occ.st);
	UT_EQ_INT(events_publish(f.occ.ev, "demo", "8001", NULL, FIELDS), 0);
	UT_EQ_INT(store_sync_since(f.occ.st, mark), 0);
	UT_ASSERT(!store_pending(f.occ.st));
	UT_EQ_INT(stored_events(&f), before + 2);
	spin(30);
	UT_EQ_INT(f.seen, 2);
	fx_close(&f);
}
