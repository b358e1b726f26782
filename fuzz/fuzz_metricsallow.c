/*
 * fuzz_metricsallow.c — libFuzzer target for [metrics] allow (src/api/metrics.c):
 * metrics_allow_check() and metrics_allowed(), the gate in front of
 * GET /metrics.
 *
 * Input: byte 0 picks the peer's family (bit 0: IPv6; bit 1 with it: an
 * IPv4 address mapped into IPv6, as a dual-stack socket gives), bytes
 * 1-16 its address; the rest, up to a NUL, is the list. Checked against a
 * reference written here from metrics.h: entries separated by ',', ' ',
 * '\t'; each inet_pton's IPv4 or IPv6 text, optionally "/" and 1-3
 * digits at most the family's bits (an IPv4-mapped entry is IPv4, with
 * IPv4's bits); a list with a bad entry is refused (EINVAL, the entry
 * quoted in the message) and allows nobody; otherwise the peer is allowed
 * iff some entry's first BITS bits equal the peer's, compared bit by bit,
 * the families equal after unmapping. Every entry of a good list allows
 * its own address.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "api/metrics.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_metricsallow: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

enum { LIST_MAX = 4096, ENTRIES_MAX = 256 };

struct ref_net {
	uint8_t a[16];
	unsigned len, bits;
};

static const uint8_t mapped_prefix[12] = { [10] = 0xff, [11] = 0xff };

static unsigned unmap(uint8_t a[16], unsigned len)
{
	if (len == 16 && !memcmp(a, mapped_prefix, 12)) {
		memmove(a, a + 12, 4);
		return 4;
	}
	return len;
}

static bool ref_entry(const char *e, size_t l, struct ref_net *n)
{
	char buf[128];
	const char *slash;
	size_t al;

	if (l >= 64)
		return false;
	memcpy(buf, e, l);
	buf[l] = '\0';
	slash = strchr(buf, '/');
	al = slash ? (size_t)(slash - buf) : l;
	buf[al] = '\0';
	if (inet_pton(AF_INET, buf, n->a) == 1)
		n->len = 4;
	else if (inet_pton(AF_INET6, buf, n->a) == 1)
		n->len = unmap(n->a, 16);
	else
		return false;
	n->bits = n->len * 8;
	if (!slash)
		return true;
	const char *d = buf + al + 1;
	size_t nd = strlen(d);
	if (nd < 1 || nd > 3 || strspn(d, "0123456789") != nd)
		return false;
	unsigned b = (unsigned)atoi(d);
	if (b > n->len * 8)
		return false;
	n->bits = b;
	return true;
}

/* -1: a bad entry; else the number of entries (at most ENTRIES_MAX kept) */
static int ref_parse(const char *s, struct ref_net *nets)
{
	int count = 0;

	for (;;) {
		while (*s == ',' || *s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return count;
		const char *e = s;
		while (*s && *s != ',' && *s != ' ' && *s != '\t')
			s++;
		struct ref_net n;
		if (!ref_entry(e, (size_t)(s - e), &n))
			return -1;
		if (count < ENTRIES_MAX)
			nets[count] = n;
		count++;
	}
}

static bool bit(const uint8_t *a, unsigned i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

static bool ref_has(const struct ref_net *n, const uint8_t *a, unsigned len)
{
	if (n->len != len)
		return false;
	for (unsigned i = 0; i < n->bits; i++)
		if (bit(n->a, i) != bit(a, i))
			return false;
	return true;
}

static void sa_of(struct sa *sa, const uint8_t *a, unsigned len)
{
	if (len == 4) {
		uint32_t v;
		memcpy(&v, a, 4);
		sa_set_in(sa, ntohl(v), 4580);
	}
	else {
		sa_set_in6(sa, a, 4580);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ref_net nets[ENTRIES_MAX];
	uint8_t peer[16] = { 0 };
	unsigned plen;
	char *list, err[256];
	struct sa sa;
	int n, rc;

	if (size < 17 || size - 17 > LIST_MAX)
		return 0;
	memcpy(peer, data + 1, 16);
	if (!(data[0] & 1)) {
		plen = 4;
	}
	else if (data[0] & 2) {
		memcpy(peer + 12, peer, 4);
		memcpy(peer, mapped_prefix, 12);
		plen = 16;
	}
	else {
		plen = 16;
	}
	list = malloc(size - 17 + 1);
	CHECK(list);
	memcpy(list, data + 17, size - 17);
	list[size - 17] = '\0';

	sa_of(&sa, peer, plen);
	n = ref_parse(list, nets);
	err[0] = '\0';
	rc = metrics_allow_check(list, err, sizeof(err));
	CHECK(rc == 0 || rc == EINVAL);
	CHECK((rc == 0) == (n >= 0));
	if (rc)
		CHECK(strstr(err, "[metrics] allow: \""));
	bool got = metrics_allowed(list, &sa);
	bool want = false;
	uint8_t up[16];
	memcpy(up, peer, 16);
	unsigned ulen = unmap(up, plen);
	for (int i = 0; n > 0 && i < n && i < ENTRIES_MAX; i++)
		want |= ref_has(&nets[i], up, ulen);
	if (n > ENTRIES_MAX && !want)
		want = got;        /* the reference kept only the first ones */
	CHECK(got == want);
	/* each entry of a good list lets its own address in */
	for (int i = 0; n > 0 && i < n && i < ENTRIES_MAX; i++) {
		struct sa own;
		sa_of(&own, nets[i].a, nets[i].len);
		CHECK(metrics_allowed(list, &own));
	}
	free(list);
	return 0;
}
