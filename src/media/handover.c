/*
 * handover.c — see handover.h.
 */
#include "media/handover.h"

int handover_init(struct handover *h)
{
	int err;

	*h = (struct handover){ 0 };
	err = pthread_mutex_init(&h->mu, NULL);
	if (err)
		return err;
	err = pthread_cond_init(&h->rd_cv, NULL);
	if (!err)
		err = pthread_cond_init(&h->wr_cv, NULL);
	return err;
}

void handover_destroy(struct handover *h)
{
	pthread_cond_destroy(&h->wr_cv);
	pthread_cond_destroy(&h->rd_cv);
	pthread_mutex_destroy(&h->mu);
}

void handover_wrlock(struct handover *h)
{
	pthread_mutex_lock(&h->mu);
	h->wr_wait = true;
	atomic_store(&h->asks, true);
	while (h->readers || h->admitted)
		pthread_cond_wait(&h->wr_cv, &h->mu);
	h->wr_wait = false;
	atomic_store(&h->asks, false);
	h->writer = true;
	pthread_mutex_unlock(&h->mu);
}

void handover_wrunlock(struct handover *h)
{
	pthread_mutex_lock(&h->mu);
	h->writer = false;
	if (h->waiting) {
		/* their turn, whether or not the writer asks again */
		h->admitted += h->waiting;
		h->waiting = 0;
		h->gen++;
		atomic_store(&h->pending, 0);
		pthread_cond_broadcast(&h->rd_cv);
	}
	pthread_mutex_unlock(&h->mu);
}

void handover_rdlock(struct handover *h)
{
	unsigned gen;

	pthread_mutex_lock(&h->mu);
	if (!h->writer && !h->wr_wait) {
		h->readers++;
		pthread_mutex_unlock(&h->mu);
		return;
	}
	gen = h->gen;
	h->waiting++;
	atomic_store(&h->pending, h->waiting);
	/* until a release admits this reader (the writer then waits for
	 * it): a release bumps gen */
	while (h->gen == gen)
		pthread_cond_wait(&h->rd_cv, &h->mu);
	h->admitted--;
	h->readers++;
	pthread_mutex_unlock(&h->mu);
}

void handover_rdunlock(struct handover *h)
{
	pthread_mutex_lock(&h->mu);
	h->readers--;
	if (!h->readers && !h->admitted && h->wr_wait)
		pthread_cond_signal(&h->wr_cv);
	pthread_mutex_unlock(&h->mu);
}

bool handover_contended(struct handover *h)
{
	return atomic_load_explicit(&h->pending, memory_order_relaxed) != 0;
}

bool handover_writer_asks(struct handover *h)
{
	return atomic_load_explicit(&h->asks, memory_order_relaxed);
}
