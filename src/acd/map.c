/*
 * map.c — a string-keyed hash map with chaining for the ACD: queues,
 * agents and teams by team and number, sticky agents by caller number.
 * Grows by doubling; keys are copied.
 */
#include <stdlib.h>
#include <string.h>
#include "acd/acd_int.h"

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;   /* FNV-1a */
	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static struct hent **map_slot(const struct map *mp, const char *key)
{
	struct hent **pp;

	if (!mp->cap)
		return NULL;
	pp = &mp->t[hash_str(key) & (mp->cap - 1)];
	while (*pp && strcmp((*pp)->key, key))
		pp = &(*pp)->next;
	return pp;
}

void *map_get(const struct map *mp, const char *key)
{
	struct hent **pp = map_slot(mp, key);
	return pp && *pp ? (*pp)->val : NULL;
}

int map_put(struct map *mp, const char *key, void *val)
{
	struct hent *e, **pp;
	size_t len = strlen(key) + 1;

	if (mp->n + 1 > mp->cap / 2 + mp->cap / 4) {
		unsigned cap = mp->cap ? 2 * mp->cap : 64;
		struct hent **t = calloc(cap, sizeof(*t));
		if (!t)
			return -1;
		for (unsigned i = 0; i < mp->cap; i++) {
			while (mp->t[i]) {
				e = mp->t[i];
				mp->t[i] = e->next;
				e->next = t[hash_str(e->key) & (cap - 1)];
				t[hash_str(e->key) & (cap - 1)] = e;
			}
		}
		free(mp->t);
		mp->t = t;
		mp->cap = cap;
	}
	e = malloc(sizeof(*e) + len);
	if (!e)
		return -1;
	memcpy(e->key, key, len);
	e->val = val;
	pp = &mp->t[hash_str(key) & (mp->cap - 1)];
	e->next = *pp;
	*pp = e;
	mp->n++;
	return 0;
}

void map_del(struct map *mp, const char *key)
{
	struct hent **pp = map_slot(mp, key), *e;

	if (!pp || !*pp)
		return;
	e = *pp;
	*pp = e->next;
	free(e);
	mp->n--;
}

void map_free(struct map *mp)
{
	for (unsigned i = 0; i < mp->cap; i++) {
		while (mp->t[i]) {
			struct hent *e = mp->t[i];
			mp->t[i] = e->next;
			free(e);
		}
	}
	free(mp->t);
	memset(mp, 0, sizeof(*mp));
}
