/*
 * check.c — acd_check_invariants(): walks every agent and caller and
 * checks what the dispatcher promises (acd.h). For tests; O(everything).
 */
#include <stdarg.h>
#include <stdio.h>
#include "acd/acd_int.h"

struct verdict {
	int n;
	char *err;
	size_t errsz;
};

static void bad(struct verdict *v, const char *fmt, ...)
{
	va_list ap;

	if (!v->n++ && v->errsz) {
		va_start(ap, fmt);
		vsnprintf(v->err, v->errsz, fmt, ap);
		va_end(ap);
	}
}

static void check_agent(const struct acd *acd, const struct acd_agent *a,
			struct verdict *v)
{
	struct member *m = NULL;

	if (a->offer && (a->offer->a != a || a->offer->c->bridge ||
			 a->offer->c->st != CS_RINGING))
		bad(v, "agent %s: reserved for an offer that is not live",
		    a->number);
	if (a->offer && a->bridge)
		bad(v, "agent %s: offered while bridged", a->number);
	if (a->bridge && a->bridge->bridge != a)
		bad(v, "agent %s: bridge not mutual", a->number);
	for (const struct dl *e = a->members.next; e != &a->members;
	     e = e->next) {
		const struct member *mb = ACD_CONTAINER(e, struct member,
							a_le);
		if (!!mb->tier != member_ready(mb))
			bad(v, "agent %s: free in queue %s is %d, ready %d",
			    a->number, mb->q->cfg.queue, !!mb->tier,
			    member_ready(mb));
		if (mb->tier && mb->tier->v[mb->tier_idx] != mb)
			bad(v, "agent %s: tier index", a->number);
	}
	/* stable: a free agent has no caller it could take */
	if (agent_available(a) && best_caller(acd, a, &m))
		bad(v, "agent %s: free while a caller it may serve waits",
		    a->number);
}

static void check_caller(const struct acd_caller *c, struct verdict *v)
{
	unsigned n = 0;

	for (const struct dl *e = c->offers.next; e != &c->offers;
	     e = e->next) {
		const struct offer *o = ACD_CONTAINER(e, struct offer, c_le);
		n++;
		if (o->c != c || o->a->offer != o)
			bad(v, "caller %llu: offer to agent %s not the agent's"
			    " one", (unsigned long long)c->seq, o->a->number);
	}
	if (n != c->noffers)
		bad(v, "caller %llu: %u offers counted, %u live",
		    (unsigned long long)c->seq, c->noffers, n);
	if (n > 1 && !ringall(c->q))
		bad(v, "caller %llu: %u offers in a queue that is not ringall",
		    (unsigned long long)c->seq, n);
	if ((c->st == CS_RINGING) != (n > 0))
		bad(v, "caller %llu: ringing %d with %u offers",
		    (unsigned long long)c->seq, c->st == CS_RINGING, n);
	if ((c->st == CS_TALKING) != !!c->bridge)
		bad(v, "caller %llu: talking without a bridge (or the other"
		    " way)", (unsigned long long)c->seq);
	if (c->bridge && c->bridge->bridge != c)
		bad(v, "caller %llu: bridged to an agent bridged elsewhere",
		    (unsigned long long)c->seq);
	if (c->listed != (c->st == CS_WAITING ||
			  (c->st == CS_RINGING && ringall(c->q))))
		bad(v, "caller %llu: listed %d in state %d",
		    (unsigned long long)c->seq, c->listed, c->st);
}

int acd_check_invariants(const struct acd *acd, uint64_t now_ms,
			 char *err, size_t errsz)
{
	struct verdict v = { 0, err, errsz };
	unsigned counted[3] = { 0, 0, 0 };
	unsigned in_buckets[3] = { 0, 0, 0 };

	(void)now_ms;   /* eligibility is as of the last input */
	if (errsz)
		err[0] = '\0';
	for (unsigned i = 0; i < acd->agents.cap; i++) {
		const struct hent *h = acd->agents.t[i];
		for (; h; h = h->next)
			check_agent(acd, h->val, &v);
	}
	for (const struct dl *e = acd->callers.next; e != &acd->callers;
	     e = e->next) {
		const struct acd_caller *c = ACD_CONTAINER(e,
						struct acd_caller, all_le);
		check_caller(c, &v);
		if (c->st != CS_DONE)
			counted[c->st]++;
	}
	for (unsigned i = 0; i < acd->queues.cap; i++) {
		const struct hent *h = acd->queues.t[i];
		for (; h; h = h->next) {
			const struct acd_queue *q = h->val;
			for (unsigned j = 0; j < q->nb; j++)
				for (int s = 0; s < 3; s++)
					in_buckets[s] += q->b[j]->n[s];
		}
	}
	for (int s = 0; s < 3; s++)
		if (counted[s] != in_buckets[s])
			bad(&v, "state %d: %u callers, counters say %u", s,
			    counted[s], in_buckets[s]);
	return v.n;
}
