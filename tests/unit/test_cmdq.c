/*
 * test_cmdq.c — the media workers' command queue (media/cmdq.h): bounded
 * (a push to a full queue fails, nothing is overwritten), ordered, and
 * nothing lost when another thread pushes while the owner runs commands.
 * And how many workers [media] threads asks for.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <re.h>
#include "unit.h"
#include "base/conf.h"
#include "media/cmdq.h"

struct seen {
	unsigned n;
	unsigned long last;
	bool order_ok;
};

static struct seen seen;

static void record(void *arg)
{
	unsigned long v = (unsigned long)arg;

	if (seen.n && v != seen.last + 1)
		seen.order_ok = false;
	seen.last = v;
	seen.n++;
}

UNIT_TEST(cmdq_bounded_and_ordered)
{
	struct cmdq *q = NULL;

	seen = (struct seen){ .order_ok = true };
	UT_ASSERT(cmdq_alloc(&q, 0) == EINVAL);
	UT_ASSERT(!cmdq_alloc(&q, 4));
	UT_ASSERT(cmdq_push(q, NULL, NULL) == EINVAL);
	for (unsigned long i = 1; i <= 4; i++)
		UT_ASSERT(!cmdq_push(q, record, (void *)i));
	UT_ASSERT(cmdq_push(q, record, (void *)5ul) == ENOSPC);
	UT_ASSERT(cmdq_len(q) == 4);
	/* the descriptor says there is work */
	UT_ASSERT(poll(&(struct pollfd){ cmdq_fd(q), POLLIN, 0 }, 1, 0) == 1);
	UT_ASSERT(cmdq_run(q, 3) == 3);
	UT_ASSERT(seen.n == 3 && seen.last == 3);
	/* one left: still readable */
	UT_ASSERT(poll(&(struct pollfd){ cmdq_fd(q), POLLIN, 0 }, 1, 0) == 1);
	UT_ASSERT(!cmdq_push(q, record, (void *)5ul));
	UT_ASSERT(cmdq_run(q, 0) == 2);
	UT_ASSERT(seen.n == 5 && seen.last == 5 && seen.order_ok);
	UT_ASSERT(cmdq_run(q, 0) == 0);
	UT_ASSERT(poll(&(struct pollfd){ cmdq_fd(q), POLLIN, 0 }, 1, 0) == 0);
	mem_deref(q);
}

enum { MANY = 50000 };

static void *producer(void *arg)
{
	struct cmdq *q = arg;

	for (unsigned long i = 1; i <= MANY; ) {
		int err = cmdq_push(q, record, (void *)i);
		if (!err)
			i++;
		else if (err != ENOSPC)
			break;
		/* full: the owner catches up */
	}
	return NULL;
}

/* another thread pushes 50,000 commands through a queue of 16 while the
 * owner sleeps on the descriptor and runs them: all arrive, in order */
UNIT_TEST(cmdq_threads_no_loss)
{
	struct cmdq *q = NULL;
	pthread_t th;

	seen = (struct seen){ .order_ok = true };
	UT_ASSERT(!cmdq_alloc(&q, 16));
	UT_ASSERT(!pthread_create(&th, NULL, producer, q));
	while (seen.n < MANY) {
		if (poll(&(struct pollfd){ cmdq_fd(q), POLLIN, 0 }, 1, 2000)
		    != 1)
			break;         /* no wake-up for 2 s: lost */
		cmdq_run(q, 0);
	}
	pthread_join(th, NULL);
	cmdq_run(q, 0);
	UT_ASSERT(seen.n == MANY);
	UT_ASSERT(seen.last == MANY);
	UT_ASSERT(seen.order_ok);
	mem_deref(q);
}

/* [media] threads: auto by default, one per core occd may run on (at
 * most 16); 0 (none) stays available */
UNIT_TEST(conf_media_threads_auto)
{
	struct conf cfg;
	char err[128];
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t all, one;

	UT_ASSERT(!sched_getaffinity(0, sizeof(all), &all));
	conf_defaults(&cfg);
	UT_ASSERT(cfg.media_threads ==
		  (unsigned)(CPU_COUNT(&all) > 16 ? 16 : CPU_COUNT(&all)));
	UT_ASSERT(cfg.media_threads <= (unsigned)cores);
	UT_ASSERT(!conf_set(&cfg, "media", "threads", "0", err, sizeof(err)));
	UT_ASSERT(cfg.media_threads == 0);

	/* pinned to one CPU (taskset -c N occd): one worker */
	CPU_ZERO(&one);
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &all)) {
			CPU_SET(cpu, &one);
			break;
		}
	UT_ASSERT(!sched_setaffinity(0, sizeof(one), &one));
	int rc = conf_set(&cfg, "media", "threads", "auto", err, sizeof(err));
	UT_ASSERT(!sched_setaffinity(0, sizeof(all), &all));
	UT_ASSERT(!rc);
	UT_ASSERT(cfg.media_threads == 1);
	UT_ASSERT(!conf_set(&cfg, "media", "threads", "3", err, sizeof(err)));
	UT_ASSERT(cfg.media_threads == 3);
	UT_ASSERT(conf_set(&cfg, "media", "threads", "65", err, sizeof(err)));
	UT_ASSERT(conf_set(&cfg, "media", "threads", "autox", err,
			   sizeof(err)));
	UT_ASSERT(strstr(err, "or auto") != NULL);
}
