/*
 * fuzz_record.c — libFuzzer target for src/base/record.c: record_parse(),
 * the inline record of an import (`context` with source=data, name=value||
 * ...), and record_encode(), the form the store keeps it in.
 *
 * Each input is parsed as one record. On success the fields must keep
 * record.h's contract (bounds, non-empty unique trimmed names, no `||`, all
 * inside the record's buffer), and encoding them and parsing the result
 * back with form_parse() (base/form.h) must give the same fields. Any
 * broken invariant abort()s.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <re.h>
#include "base/form.h"
#include "base/record.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_record: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

static void check_str(const struct record *r, const char *s, size_t max)
{
	size_t n;

	CHECK(s >= r->buf && s <= r->buf + REC_MAX_BYTES);
	n = strlen(s);
	CHECK(s + n <= r->buf + REC_MAX_BYTES);
	CHECK(n <= max);
	CHECK(!strstr(s, "||"));
	if (n) {
		CHECK(s[0] != ' ' && s[0] != '\t');
		CHECK(s[n - 1] != ' ' && s[n - 1] != '\t');
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record *r = malloc(sizeof(*r));
	struct mbuf *mb;
	struct form f;
	int rc;

	CHECK(r);
	rc = record_parse(r, (const char *)data, size);
	CHECK(rc == 0 || rc == EINVAL || rc == E2BIG);
	if (size > REC_MAX_BYTES)
		CHECK(rc == E2BIG);
	if (memchr(data, '\0', size) && size <= REC_MAX_BYTES)
		CHECK(rc == EINVAL);
	if (rc) {
		free(r);
		return 0;
	}
	CHECK(r->n >= 1 && r->n <= REC_MAX_FIELDS);
	mb = mbuf_alloc(256);
	CHECK(mb);
	for (size_t i = 0; i < r->n; i++) {
		check_str(r, r->f[i].name, REC_MAX_NAME);
		check_str(r, r->f[i].value, REC_MAX_VALUE);
		CHECK(r->f[i].name[0]);
		CHECK(!strchr(r->f[i].name, '='));
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(r->f[i].name, r->f[j].name));
		CHECK(!record_encode(mb, r->f[i].name, r->f[i].value));
	}
	/* the stored form reads back as the same fields (form_get ignores
	 * case, so compare in order) */
	form_init(&f);
	rc = form_parse(&f, (const char *)mb->buf, mb->end);
	if (rc == 0) {
		size_t k = 0;
		for (size_t i = 0; i < r->n; i++) {
			/* form keeps the first of names equal but for case */
			bool dup = false;
			for (size_t j = 0; j < i; j++)
				dup |= !strcasecmp(r->f[i].name,
						   r->f[j].name);
			if (dup)
				continue;
			CHECK(k < f.n);
			CHECK(!strcmp(f.v[k].name, r->f[i].name));
			CHECK(!strcmp(f.v[k].value, r->f[i].value));
			k++;
		}
		CHECK(k == f.n);
	}
	else {
		/* only the form's own bounds may refuse it */
		CHECK(rc == E2BIG);
	}
	form_reset(&f);
	mem_deref(mb);
	free(r);
	return 0;
}
