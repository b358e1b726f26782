/*
 * slowhash.c — see slowhash.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <re.h>
#define LOG_TOPIC "core.slowhash"
#include "base/log.h"
#include "base/tokenbucket.h"
#include "core/pwhash.h"
#include "core/slowhash.h"

struct slowhash_job {
	struct slowhash_job *next;      /* queue, worker side */
	char stored[PWHASH_LEN];
	char md5hex[MD5HEX_LEN];
	bool ok;                        /* written by the worker */
	slowhash_done_h *doneh;
	void *arg;
};

static struct {
	bool running;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct slowhash_job *head, *tail;   /* under lock */
	bool stop;                          /* under lock */
	unsigned queue_max, per_sec;
	unsigned outstanding;               /* loop side: submitted, not done */
	int pipe[2];                        /* worker -> loop: job pointers */
} sh = { .pipe = { -1, -1 } };

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Worker thread only: sleeps until a verification may start, at most
 * per_sec a second with one second's burst. */
static void pace(struct token_bucket *b)
{
	for (;;) {
		uint64_t now = mono_ms(), wait;

		if (token_bucket_take(b, now, sh.per_sec, sh.per_sec))
			return;
		wait = token_bucket_wait_ms(b, sh.per_sec);
		nanosleep(&(struct timespec){
				.tv_sec = (time_t)(wait / 1000),
				.tv_nsec = (long)(wait % 1000) * 1000000L },
			  NULL);
	}
}

static void *worker(void *arg)
{
	struct token_bucket tokens = { 0 };

	(void)arg;
	for (;;) {
		struct slowhash_job *job;

		pthread_mutex_lock(&sh.lock);
		while (!sh.head && !sh.stop)
			pthread_cond_wait(&sh.cond, &sh.lock);
		if (sh.stop) {
			pthread_mutex_unlock(&sh.lock);
			return NULL;
		}
		job = sh.head;
		sh.head = job->next;
		if (!sh.head)
			sh.tail = NULL;
		pthread_mutex_unlock(&sh.lock);

		pace(&tokens);
		job->ok = pwhash_verify(job->stored, job->md5hex);
		/* a pointer is far below PIPE_BUF: the write is atomic, and
		 * the pipe holds more pointers than the queue ever does */
		if (write(sh.pipe[1], &job, sizeof(job)) != sizeof(job))
			OCC_ERR("slowhash: lost a result: %m", errno);
	}
}

static void job_destructor(void *arg)
{
	(void)arg;
	sh.outstanding--;
}

/* Loop thread: results are back. */
static void results_ready(int flags, void *arg)
{
	struct slowhash_job *job;

	(void)flags;
	(void)arg;
	while (read(sh.pipe[0], &job, sizeof(job)) == sizeof(job)) {
		if (job->doneh)
			job->doneh(job, job->ok, job->arg);
		mem_deref(job);
	}
}

int slowhash_init(unsigned queue_max, unsigned per_sec)
{
	sigset_t all, old;
	int err;

	slowhash_close();
	sh.queue_max = queue_max ? queue_max : 1;
	sh.per_sec = per_sec ? per_sec : 1;
	sh.stop = false;
	if (pipe2(sh.pipe, O_CLOEXEC))
		return errno;
	fcntl(sh.pipe[0], F_SETFL, O_NONBLOCK);
	/* room for every result at once ([security] auth_hash_queue is at
	 * most 4096 pointers): the worker never blocks on a full pipe, not
	 * even while slowhash_close waits for it */
	fcntl(sh.pipe[1], F_SETPIPE_SZ, 65536);
	err = fd_listen(sh.pipe[0], FD_READ, results_ready, NULL);
	if (err)
		goto fail;
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.cond, NULL);
	/* signals are the loop's (signalfd): the worker blocks them all */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&sh.thread, NULL, worker, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		fd_close(sh.pipe[0]);
		goto fail;
	}
	sh.running = true;
	return 0;
 fail:
	close(sh.pipe[0]);
	close(sh.pipe[1]);
	sh.pipe[0] = sh.pipe[1] = -1;
	return err;
}

void slowhash_close(void)
{
	struct slowhash_job *job;

	if (!sh.running)
		return;
	pthread_mutex_lock(&sh.lock);
	sh.stop = true;
	pthread_cond_signal(&sh.cond);
	pthread_mutex_unlock(&sh.lock);
	pthread_join(sh.thread, NULL);
	sh.running = false;
	/* the finished ones in the pipe, then the never started ones, which
	 * count as failed (occd is stopping) */
	fd_close(sh.pipe[0]);
	results_ready(0, NULL);
	while ((job = sh.head)) {
		sh.head = job->next;
		if (job->doneh)
			job->doneh(job, false, job->arg);
		mem_deref(job);
	}
	sh.tail = NULL;
	close(sh.pipe[0]);
	close(sh.pipe[1]);
	sh.pipe[0] = sh.pipe[1] = -1;
	pthread_cond_destroy(&sh.cond);
	pthread_mutex_destroy(&sh.lock);
}

int slowhash_submit(const char *stored, const char *md5hex,
		    slowhash_done_h *doneh, void *arg)
{
	struct slowhash_job *job;

	if (!sh.running || sh.outstanding >= sh.queue_max)
		return EBUSY;
	job = mem_zalloc(sizeof(*job), job_destructor);
	if (!job)
		return ENOMEM;
	sh.outstanding++;
	str_ncpy(job->stored, stored, sizeof(job->stored));
	str_ncpy(job->md5hex, md5hex, sizeof(job->md5hex));
	job->doneh = doneh;
	job->arg = arg;
	pthread_mutex_lock(&sh.lock);
	if (sh.tail)
		sh.tail->next = job;
	else
		sh.head = job;
	sh.tail = job;
	pthread_cond_signal(&sh.cond);
	pthread_mutex_unlock(&sh.lock);
	return 0;
}

unsigned slowhash_queued(void)
{
	return sh.outstanding;
}
