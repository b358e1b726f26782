/*
 * ratelimit.c — see ratelimit.h. Entries live in a hash (lookup) and a list
 * in insertion order (eviction of the oldest).
 */
#include <string.h>
#include <re.h>
#include "core/ratelimit.h"

struct ratelimit {
	struct hash *keys;
	struct list order;
	unsigned limit, max_keys, n;
	int64_t window_ms;
};

struct rl_entry {
	struct le he, le;
	struct ratelimit *rl;
	char *key;
	unsigned count;
	int64_t start;
};

static void entry_destructor(void *arg)
{
	struct rl_entry *e = arg;

	hash_unlink(&e->he);
	list_unlink(&e->le);
	e->rl->n--;
	mem_deref(e->key);
}

static void rl_destructor(void *arg)
{
	struct ratelimit *rl = arg;

	list_flush(&rl->order);
	mem_deref(rl->keys);
}

int ratelimit_alloc(struct ratelimit **rlp, unsigned limit, int64_t window_ms,
		    unsigned max_keys)
{
	struct ratelimit *rl = mem_zalloc(sizeof(*rl), rl_destructor);

	if (!rl)
		return ENOMEM;
	rl->limit = limit;
	rl->window_ms = window_ms;
	rl->max_keys = max_keys;
	if (hash_alloc(&rl->keys, 1024)) {
		mem_deref(rl);
		return ENOMEM;
	}
	*rlp = rl;
	return 0;
}

static bool key_cmp(struct le *le, void *arg)
{
	return !strcmp(((struct rl_entry *)le->data)->key, arg);
}

static struct rl_entry *find(struct ratelimit *rl, const char *key)
{
	struct le *le = hash_lookup(rl->keys, hash_joaat_str(key), key_cmp,
				    (void *)key);
	return le ? le->data : NULL;
}

bool ratelimit_exceeded(struct ratelimit *rl, const char *key, int64_t now)
{
	struct rl_entry *e = find(rl, key);

	return e && now - e->start < rl->window_ms && e->count >= rl->limit;
}

/* Make room: drop expired windows from the oldest end, then the oldest. */
static void make_room(struct ratelimit *rl, int64_t now)
{
	struct le *le = list_head(&rl->order);

	while (le && rl->n >= rl->max_keys) {
		struct rl_entry *e = le->data;
		le = le->next;
		if (now - e->start >= rl->window_ms)
			mem_deref(e);
	}
	while (rl->n >= rl->max_keys)
		mem_deref(list_head(&rl->order)->data);
}

void ratelimit_count(struct ratelimit *rl, const char *key, int64_t now)
{
	struct rl_entry *e = find(rl, key);

	if (e && now - e->start >= rl->window_ms) {
		e->start = now;
		e->count = 0;
	}
	if (!e) {
		make_room(rl, now);
		e = mem_zalloc(sizeof(*e), entry_destructor);
		if (!e || str_dup(&e->key, key)) {
			mem_deref(e);
			return;
		}
		e->rl = rl;
		e->start = now;
		hash_append(rl->keys, hash_joaat_str(key), &e->he, e);
		list_append(&rl->order, &e->le, e);
		rl->n++;
	}
	e->count++;
}

void ratelimit_clear(struct ratelimit *rl, const char *key)
{
	mem_deref(find(rl, key));
}

unsigned ratelimit_keys(const struct ratelimit *rl)
{
	return rl->n;
}
