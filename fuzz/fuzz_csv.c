/*
 * fuzz_csv.c — libFuzzer target for the streaming CSV parser
 * (src/import/csv.c): the files of source=http/ftp imports.
 *
 * Byte 0: bits 0-1 the charset (0 and 3 auto, 1 UTF-8, 2 GBK), bits 2-3
 * delrow (0-3), bit 4 small limits (field 16, record 64, 4 fields), bits
 * 5-7 a chunk size (1 + 7n). The rest is the file.
 *
 * Checked: the file parsed at once and in chunks of that size (and byte
 * by byte for short inputs) gives the same error and the same rows (a
 * digest of lines, fields and bytes); every field is valid UTF-8 without
 * NUL, within max_field, at most max_cols fields and a record within
 * max_row; lines never go backwards and stay within the input's line
 * breaks + 1; skip_h sees exactly min(delrow, records) records first;
 * an error has a message "line N: ..." with N within the lines; an input
 * of printable ASCII without quotes and without empty lines gives exactly
 * one record per line.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "import/csv.h"

#define CHECK(cond) do { if (!(cond)) { \
	fprintf(stderr, "fuzz_csv: %s:%d: check failed: %s\n", \
		__FILE__, __LINE__, #cond); abort(); } } while (0)

struct seen {
	const struct csv_opts *o;
	uint64_t digest;
	size_t rows, skipped, last_line, max_line;
};

static bool utf8_ok(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char b = s[i];
		size_t k;
		uint32_t cp;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf) {
			k = 1;
			cp = b & 0x1f;
		} else if (b >= 0xe0 && b <= 0xef) {
			k = 2;
			cp = b & 0x0f;
		} else if (b >= 0xf0 && b <= 0xf4) {
			k = 3;
			cp = b & 0x07;
		} else {
			return false;
		}
		if (i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		if ((k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

static void mix(uint64_t *d, uint64_t v)
{
	*d = (*d ^ v) * 0x100000001b3ULL;
}

static int row(struct seen *s, size_t line, const char *const *f, size_t n,
	       bool skipped)
{
	size_t total = 0;

	CHECK(n >= 1 && n <= s->o->max_cols);
	CHECK(line >= s->last_line && line <= s->max_line);
	s->last_line = line;
	mix(&s->digest, line);
	mix(&s->digest, n);
	mix(&s->digest, skipped);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(f[i]);

		CHECK(len <= s->o->max_field);
		CHECK(utf8_ok((const unsigned char *)f[i], len));
		total += len + 1;
		for (size_t j = 0; j < len; j++)
			mix(&s->digest, (unsigned char)f[i][j]);
		mix(&s->digest, 0x100);
	}
	CHECK(total <= s->o->max_row);
	return 0;
}

static int row_h(void *arg, size_t line, const char *const *f, size_t n)
{
	struct seen *s = arg;

	CHECK(s->skipped == s->o->delrow);
	s->rows++;
	return row(s, line, f, n, false);
}

static int skip_h(void *arg, size_t line, const char *const *f, size_t n)
{
	struct seen *s = arg;

	CHECK(s->rows == 0 && s->skipped < s->o->delrow);
	s->skipped++;
	return row(s, line, f, n, true);
}

static enum csv_err run(const struct csv_opts *base, const uint8_t *p,
			size_t n, size_t chunk, struct seen *s, char *msg,
			size_t msgsz)
{
	struct csv_opts o = *base;
	struct csv *c;
	enum csv_err e = CSV_OK;
	size_t lines = 1;

	for (size_t i = 0; i < n; i++)
		lines += p[i] == '\n' || p[i] == '\r';
	memset(s, 0, sizeof(*s));
	s->o = base;
	s->max_line = lines;
	s->digest = 0xcbf29ce484222325ULL;
	o.row_h = row_h;
	o.skip_h = skip_h;
	o.arg = s;
	c = csv_new(&o);
	CHECK(c);
	for (size_t off = 0; off < n && !e; off += chunk) {
		size_t k = n - off < chunk ? n - off : chunk;

		e = csv_feed(c, p + off, k);
	}
	if (!e)
		e = csv_finish(c);
	CHECK(e == csv_error(c));
	CHECK(csv_rows(c) == s->rows);
	snprintf(msg, msgsz, "%s", csv_errmsg(c));
	if (e) {
		unsigned long line = 0;

		CHECK(e != CSV_E_ABORT && e != CSV_E_NOMEM);
		CHECK(sscanf(msg, "line %lu: ", &line) == 1);
		CHECK(line >= 1 && line <= lines);
	} else {
		CHECK(!msg[0]);
		CHECK(csv_charset(c) != CSV_CHARSET_AUTO);
	}
	csv_free(c);
	return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_opts o = { 0 };
	struct seen a, b;
	char ma[200], mb[200];
	enum csv_err ea, eb;
	size_t chunk;
	bool simple = true;
	size_t breaks = 0;

	if (size < 1)
		return 0;
	o.charset = (data[0] & 3) == 3 ? CSV_CHARSET_AUTO
				       : (enum csv_charset)(data[0] & 3);
	o.delrow = (data[0] >> 2) & 3;
	if (data[0] & 0x10) {
		o.max_field = 16;
		o.max_row = 64;
		o.max_cols = 4;
	} else {
		o.max_field = CSV_MAX_FIELD;
		o.max_row = CSV_MAX_ROW;
		o.max_cols = CSV_MAX_COLS;
	}
	chunk = 1 + 7u * (data[0] >> 5);
	data++;
	size--;

	ea = run(&o, data, size, size ? size : 1, &a, ma, sizeof(ma));
	eb = run(&o, data, size, chunk, &b, mb, sizeof(mb));
	CHECK(ea == eb && !strcmp(ma, mb));
	CHECK(a.digest == b.digest && a.rows == b.rows &&
	      a.skipped == b.skipped);
	if (size <= 512) {
		eb = run(&o, data, size, 1, &b, mb, sizeof(mb));
		CHECK(ea == eb && !strcmp(ma, mb) && a.digest == b.digest);
	}
	CHECK(a.skipped == o.delrow || !a.rows);

	/* printable ASCII, no quote, no empty line, LF only: one record a
	 * line, limits permitting */
	for (size_t i = 0; i < size && simple; i++) {
		uint8_t c = data[i];

		if (c == '\n') {
			simple = i > 0 && data[i - 1] != '\n';
			breaks++;
		} else {
			simple = c >= 0x20 && c < 0x7f && c != '"';
		}
	}
	if (simple && size && data[0] != '\n' && !ea)
		CHECK(a.rows + a.skipped == breaks + (data[size - 1] != '\n'));
	return 0;
}
