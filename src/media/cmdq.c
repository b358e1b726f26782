/*
 * cmdq.c — the bounded command queue (cmdq.h).
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <re.h>
#include "media/cmdq.h"

struct cmd {
	cmdq_h *h;
	void *arg;
};

struct cmdq {
	pthread_mutex_t mu;
	struct cmd *ring;
	size_t cap, head, len;
	int efd;
};

static void destructor(void *arg)
{
	struct cmdq *q = arg;

	if (q->efd >= 0)
		close(q->efd);
	mem_deref(q->ring);
	pthread_mutex_destroy(&q->mu);
}

int cmdq_alloc(struct cmdq **qp, size_t cap)
{
	struct cmdq *q;

	if (!qp || !cap)
		return EINVAL;
	q = mem_zalloc(sizeof(*q), destructor);
	if (!q)
		return ENOMEM;
	pthread_mutex_init(&q->mu, NULL);
	q->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	q->ring = mem_zalloc(cap * sizeof(*q->ring), NULL);
	if (q->efd < 0 || !q->ring) {
		int err = q->efd < 0 ? errno : ENOMEM;
		mem_deref(q);
		return err;
	}
	q->cap = cap;
	*qp = q;
	return 0;
}

int cmdq_push(struct cmdq *q, cmdq_h *h, void *arg)
{
	uint64_t one = 1;
	int err = 0;

	if (!q || !h)
		return EINVAL;
	pthread_mutex_lock(&q->mu);
	if (q->len == q->cap)
		err = ENOSPC;
	else {
		q->ring[(q->head + q->len) % q->cap] = (struct cmd){ h, arg };
		q->len++;
	}
	pthread_mutex_unlock(&q->mu);
	if (!err && write(q->efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		err = errno;
	return err;
}

size_t cmdq_run(struct cmdq *q, size_t max)
{
	uint64_t v;
	size_t n, ran = 0;

	if (!q)
		return 0;
	(void)!read(q->efd, &v, sizeof(v));
	pthread_mutex_lock(&q->mu);
	n = q->len;
	pthread_mutex_unlock(&q->mu);
	if (max && n > max)
		n = max;
	for (; ran < n; ran++) {
		struct cmd c;
		pthread_mutex_lock(&q->mu);
		c = q->ring[q->head];
		q->head = (q->head + 1) % q->cap;
		q->len--;
		pthread_mutex_unlock(&q->mu);
		c.h(c.arg);
	}
	/* what is left (over max, or pushed meanwhile) wakes the owner */
	if (cmdq_len(q)) {
		uint64_t one = 1;
		(void)!write(q->efd, &one, sizeof(one));
	}
	return ran;
}

int cmdq_fd(const struct cmdq *q)
{
	return q ? q->efd : -1;
}

size_t cmdq_len(struct cmdq *q)
{
	size_t n;

	if (!q)
		return 0;
	pthread_mutex_lock(&q->mu);
	n = q->len;
	pthread_mutex_unlock(&q->mu);
	return n;
}
