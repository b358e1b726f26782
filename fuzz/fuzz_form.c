/*
 * fuzz_form.c — libFuzzer target for src/base/form.c: form_parse(),
 * form_get(), form_add() and url_decode(), the parsers that see every HTTP
 * and Script request (query strings and form bodies).
 *
 * Each input is used as:
 *   1. one form body, parsed into a fresh form;
 *   2. a query string and a body (split at the first '\n', or in the middle),
 *      parsed into the same form, as request_form() does;
 *   3. the source of url_decode(), with and without '+' as space.
 * Results are checked against an independent reference model written from
 * the contract in form.h; any disagreement or broken invariant abort()s.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <re.h>
#include "base/form.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_form: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

/* ---- reference model ------------------------------------------------- */

static int ref_hex(int c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

/* Decode src[0..len) into out (room for len+1). -1: bad escape or NUL. */
static long ref_decode(char *out, const uint8_t *src, size_t len, int plus)
{
	size_t o = 0;

	for (size_t i = 0; i < len; ) {
		int c = src[i];
		if (c == '%') {
			if (len - i < 3 || ref_hex(src[i + 1]) < 0 ||
			    ref_hex(src[i + 2]) < 0)
				return -1;
			c = ref_hex(src[i + 1]) * 16 + ref_hex(src[i + 2]);
			i += 3;
		}
		else {
			if (plus && c == '+')
				c = ' ';
			i++;
		}
		if (c == 0)
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (long)o;
}

static int ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int ref_casecmp(const char *a, const char *b)
{
	for (;; a++, b++) {
		int x = ascii_lower((unsigned char)*a);
		int y = ascii_lower((unsigned char)*b);
		if (x != y || !x)
			return x - y;
	}
}

struct ref_form {
	char *name[FORM_MAX_PAIRS], *value[FORM_MAX_PAIRS];
	size_t n;
	size_t raw;        /* raw bytes of the pairs taken so far */
	int e2big_bytes;   /* last E2BIG came from the byte bound */
};

static void ref_free(struct ref_form *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->name[i]);
		free(r->value[i]);
	}
	memset(r, 0, sizeof(*r));
}

static const char *ref_get(const struct ref_form *r, const char *name)
{
	for (size_t i = 0; i < r->n; i++)
		if (!ref_casecmp(r->name[i], name))
			return r->value[i];
	return NULL;
}

static int ref_pair(struct ref_form *r, const uint8_t *nm, size_t nlen,
		    const uint8_t *val, size_t vlen)
{
	char *dn, *dv;

	if (nlen == 0)
		return 0;                     /* "&&" and "=x" carry nothing */
	if (r->n >= FORM_MAX_PAIRS)
		return E2BIG;
	/* The byte bound: the decoded copy of every pair, NUL-terminated,
	 * fits in FORM_MAX_BYTES (form.c reserves the raw lengths). */
	r->raw += nlen + 1 + vlen + 1;
	if (r->raw > FORM_MAX_BYTES) {
		r->e2big_bytes = 1;
		return E2BIG;
	}
	dn = malloc(nlen + 1);
	dv = malloc(vlen + 1);
	CHECK(dn && dv);
	if (ref_decode(dn, nm, nlen, 1) < 0 || ref_decode(dv, val, vlen, 1) < 0) {
		free(dn);
		free(dv);
		return EINVAL;
	}
	if (ref_get(r, dn)) {                 /* a repeated name keeps its first value */
		free(dn);
		free(dv);
		return 0;
	}
	r->name[r->n] = dn;
	r->value[r->n] = dv;
	r->n++;
	return 0;
}

static int ref_parse(struct ref_form *r, const uint8_t *s, size_t len)
{
	size_t i = 0;

	r->e2big_bytes = 0;
	if (len > FORM_MAX_BYTES) {
		r->e2big_bytes = 1;
		return E2BIG;
	}
	while (i < len) {
		size_t start = i, end, eq;
		int err;

		while (i < len && s[i] != '&' && s[i] != ';')
			i++;
		end = i;
		for (eq = start; eq < end && s[eq] != '='; eq++)
			;
		if (eq == end)
			err = ref_pair(r, s + start, end - start, NULL, 0);
		else
			err = ref_pair(r, s + start, eq - start, s + eq + 1,
				       end - eq - 1);
		if (err)
			return err;
		i++;
	}
	return 0;
}

/* ---- checks ---------------------------------------------------------- */

/* p is a NUL-terminated string lying wholly inside the form's buffer. */
static void check_in_buf(const struct form *f, const char *p)
{
	CHECK(p != NULL);
	CHECK(f->buf != NULL);
	CHECK(p >= f->buf && p < f->buf + f->size);
	CHECK(memchr(p, '\0', (size_t)(f->buf + f->size - p)) != NULL);
	CHECK(p + strlen(p) < f->buf + f->used);
}

static void check_form(const struct form *f)
{
	CHECK(f->n <= FORM_MAX_PAIRS);
	CHECK(f->used <= f->size);
	CHECK(f->size <= FORM_MAX_BYTES);
	if (f->n)
		CHECK(f->buf != NULL);
	for (size_t i = 0; i < f->n; i++) {
		check_in_buf(f, f->v[i].name);
		check_in_buf(f, f->v[i].value);
		CHECK(f->v[i].name[0] != '\0');
		/* first value wins, and names are unique ignoring case */
		CHECK(form_get(f, f->v[i].name) == f->v[i].value);
		for (size_t j = 0; j < i; j++)
			CHECK(ref_casecmp(f->v[i].name, f->v[j].name) != 0);
	}
}

/* The parser agrees with the model: same result, same pairs. */
static void check_same(const struct form *f, int rc, const struct ref_form *r,
		       int rrc, size_t total_len)
{
	if (rc != rrc) {
		/* Where exactly the byte bound bites is form.c's business
		 * (raw vs decoded lengths); accept E2BIG from either side
		 * only for inputs within reach of the bound. */
		int near = total_len + 2 * (FORM_MAX_PAIRS + 1) > FORM_MAX_BYTES;
		if (!(near && (rc == E2BIG || (rrc == E2BIG && r->e2big_bytes)))) {
			fprintf(stderr, "fuzz_form: form_parse returned %d, "
				"model expects %d\n", rc, rrc);
			abort();
		}
		return;
	}
	if (rc)
		return;     /* on error, which pairs were kept is unspecified */
	CHECK(f->n == r->n);
	for (size_t i = 0; i < r->n; i++) {
		CHECK(!strcmp(f->v[i].name, r->name[i]));
		CHECK(!strcmp(f->v[i].value, r->value[i]));
		CHECK(form_get(f, r->name[i]) == f->v[i].value);
	}
}

static void check_parse_result(int rc)
{
	CHECK(rc == 0 || rc == EINVAL || rc == E2BIG);
}

/* ---- the target ------------------------------------------------------ */

static void one_body(const uint8_t *data, size_t size)
{
	struct form f;
	struct ref_form r;
	int rc, rrc;

	form_init(&f);
	memset(&r, 0, sizeof(r));
	rc = form_parse(&f, (const char *)data, size);
	check_parse_result(rc);
	check_form(&f);
	rrc = ref_parse(&r, data, size);
	check_same(&f, rc, &r, rrc, size);

	if (rc == 0) {
		/* form_add() keeps the first value too, and keeps bounds. */
		const char *before = form_get(&f, "callback");
		int arc = form_add(&f, "callback", "cb_added");
		CHECK(arc == 0 || arc == E2BIG);
		if (before)
			CHECK(form_get(&f, "callback") == before);
		else if (arc == 0)
			CHECK(!strcmp(form_get(&f, "callback"), "cb_added"));
		check_form(&f);
		/* A lookup of every model name finds the model's value. */
		for (size_t i = 0; i < r.n; i++) {
			const char *v = form_get(&f, r.name[i]);
			CHECK(v && !strcmp(v, r.value[i]));
		}
	}
	form_reset(&f);
	CHECK(f.buf == NULL && f.n == 0 && f.used == 0);
	ref_free(&r);
}

/* Query string then body into one form, as request_form() does. */
static void query_and_body(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t qlen = nl ? (size_t)(nl - data) : size / 2;
	size_t boff = nl ? qlen + 1 : qlen;
	struct form f;
	struct ref_form r;
	int rc, rrc;

	form_init(&f);
	memset(&r, 0, sizeof(r));
	rc = form_parse(&f, (const char *)data, qlen);
	check_parse_result(rc);
	rrc = ref_parse(&r, data, qlen);
	check_same(&f, rc, &r, rrc, qlen);
	if (rc == 0 && rrc == 0) {
		rc = form_parse(&f, (const char *)data + boff, size - boff);
		check_parse_result(rc);
		rrc = ref_parse(&r, data + boff, size - boff);
		check_same(&f, rc, &r, rrc, size);
	}
	check_form(&f);
	form_reset(&f);
	ref_free(&r);
}

static void decode(const uint8_t *data, size_t size, int plus)
{
	/* Exactly len+1 bytes each, so ASan sees any overrun. */
	char *src = malloc(size ? size : 1);
	char *dst = malloc(size + 1);
	char *ref = malloc(size + 1);
	long n, rn;

	CHECK(src && dst && ref);
	memcpy(src, data, size);
	n = url_decode(dst, src, size, plus);
	rn = ref_decode(ref, data, size, plus);
	if (n != rn) {
		fprintf(stderr, "fuzz_form: url_decode returned %ld, model "
			"expects %ld (plus_is_space=%d)\n", n, rn, plus);
		abort();
	}
	if (n >= 0) {
		CHECK((size_t)n <= size);
		CHECK(dst[n] == '\0');
		CHECK(memchr(dst, '\0', (size_t)n) == NULL);
		CHECK(!memcmp(dst, ref, (size_t)n));
		if (!plus && memchr(data, '+', size))
			CHECK(memchr(dst, '+', (size_t)n) != NULL);
	}
	free(src);
	free(dst);
	free(ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	one_body(data, size);
	query_and_body(data, size);
	decode(data, size, 1);
	decode(data, size, 0);
	return 0;
}
