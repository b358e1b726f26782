/*
 * csv.c — see csv.h. Three stages per chunk: the BOM check on the first
 * three bytes, the charset stage (UTF-8 validated as it passes, GBK
 * through iconv, AUTO held back until it can decide) and the RFC 4180
 * state machine that builds one record at a time in a bounded buffer.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "import/csv.h"

enum pstate { S_START, S_UNQ, S_Q, S_QQ };

struct csv {
	struct csv_opts o;
	enum csv_err err;
	char errmsg[160];
	enum csv_charset cs;

	/* BOM stage */
	unsigned char head[3];
	size_t nhead;
	bool head_done;

	/* charset stage: AUTO's held-back bytes, GBK's undecoded ones */
	unsigned char *in;
	size_t nin, incap;
	bool hi_seen;            /* AUTO: a non-ASCII byte is held in `in` */
	unsigned u8need;         /* UTF-8: continuation bytes still due */
	unsigned char u8lead;    /* UTF-8: the lead byte they belong to */
	bool u8first;            /* UTF-8: the next one is the first */
	iconv_t cd;

	/* parser */
	enum pstate st;
	bool after_cr;           /* a record ended at CR: skip one LF */
	bool rec_any;            /* the record has a byte */
	size_t line, rec_line, q_line;
	char *row;
	size_t rowlen, rowcap, fstart;
	size_t *offs;
	const char **ptrs;
	size_t nf, offcap;
	size_t records, rows;
};

static enum csv_err fail(struct csv *c, enum csv_err e, const char *fmt, ...)
{
	va_list ap;

	if (c->err)
		return c->err;
	c->err = e;
	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	return e;
}

static enum csv_err nomem(struct csv *c)
{
	return fail(c, CSV_E_NOMEM, "line %zu: out of memory", c->line);
}

struct csv *csv_new(const struct csv_opts *opts)
{
	struct csv *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->o = *opts;
	if (!c->o.max_field)
		c->o.max_field = CSV_MAX_FIELD;
	if (!c->o.max_row)
		c->o.max_row = CSV_MAX_ROW;
	if (!c->o.max_cols)
		c->o.max_cols = CSV_MAX_COLS;
	c->cs = c->o.charset;
	c->cd = (iconv_t)-1;
	c->line = 1;
	c->u8first = true;
	/* a GBK file declared as such needs no BOM check */
	c->head_done = c->cs == CSV_CHARSET_GBK;
	if (c->cs == CSV_CHARSET_GBK) {
		c->cd = iconv_open("UTF-8", "GB18030");
		if (c->cd == (iconv_t)-1) {
			free(c);
			return NULL;
		}
	}
	return c;
}

void csv_free(struct csv *c)
{
	if (!c)
		return;
	if (c->cd != (iconv_t)-1)
		iconv_close(c->cd);
	free(c->in);
	free(c->row);
	free(c->offs);
	free(c->ptrs);
	free(c);
}

/* ---- parser ----------------------------------------------------------- */

/* p (capacity *cap bytes, first allocation `first`) grown to hold need
 * bytes, doubling; NULL when out of memory (p left as it was). */
static void *grow(void *p, size_t *cap, size_t need, size_t first)
{
	size_t n = *cap ? *cap : first;

	if (p && need <= *cap)
		return p;
	while (n < need)
		n *= 2;
	p = realloc(p, n);
	if (p)
		*cap = n;
	return p;
}

static bool row_grow(struct csv *c, size_t need)
{
	char *p = grow(c->row, &c->rowcap, need, 256);

	if (p)
		c->row = p;
	return p != NULL;
}

static enum csv_err put(struct csv *c, char b)
{
	if (c->rowlen - c->fstart >= c->o.max_field)
		return fail(c, CSV_E_FIELD, "line %zu: field %zu longer than "
			    "%zu bytes", c->line, c->nf + 1, c->o.max_field);
	if (c->rowlen + 1 >= c->o.max_row)
		return fail(c, CSV_E_ROW, "line %zu: record longer than %zu "
			    "bytes", c->rec_line, c->o.max_row);
	if (c->rowlen + 1 > c->rowcap && !row_grow(c, c->rowlen + 1))
		return nomem(c);
	c->row[c->rowlen++] = b;
	return CSV_OK;
}

static enum csv_err end_field(struct csv *c)
{
	if (c->nf >= c->o.max_cols)
		return fail(c, CSV_E_COLS, "line %zu: more than %zu fields",
			    c->rec_line, c->o.max_cols);
	if (c->rowlen + 1 > c->o.max_row)
		return fail(c, CSV_E_ROW, "line %zu: record longer than %zu "
			    "bytes", c->rec_line, c->o.max_row);
	if (c->rowlen + 1 > c->rowcap && !row_grow(c, c->rowlen + 1))
		return nomem(c);
	if (c->nf == c->offcap) {
		size_t cap = c->offcap ? c->offcap * 2 : 16;
		size_t *o = realloc(c->offs, cap * sizeof(*o));
		const char **p;

		if (!o)
			return nomem(c);
		c->offs = o;
		p = realloc(c->ptrs, cap * sizeof(*p));
		if (!p)
			return nomem(c);
		c->ptrs = p;
		c->offcap = cap;
	}
	c->row[c->rowlen++] = '\0';
	c->offs[c->nf++] = c->fstart;
	c->fstart = c->rowlen;
	return CSV_OK;
}

static enum csv_err end_record(struct csv *c)
{
	csv_row_h *h;
	enum csv_err e;
	size_t nf;

	if (!c->rec_any && !c->nf)
		return CSV_OK;          /* an empty line */
	e = end_field(c);
	if (e)
		return e;
	for (size_t i = 0; i < c->nf; i++)
		c->ptrs[i] = c->row + c->offs[i];
	h = c->records < c->o.delrow ? c->o.skip_h : c->o.row_h;
	if (c->records >= c->o.delrow)
		c->rows++;
	c->records++;
	nf = c->nf;
	c->nf = 0;
	c->rowlen = c->fstart = 0;
	c->rec_any = false;
	if (h && h(c->o.arg, c->rec_line, c->ptrs, nf))
		return fail(c, CSV_E_ABORT, "line %zu: stopped by the "
			    "importer", c->rec_line);
	return CSV_OK;
}

/* A line break outside quotes at b (CR or LF): ends the record. */
static enum csv_err line_break(struct csv *c, unsigned char b)
{
	enum csv_err e = end_record(c);

	c->line++;
	c->after_cr = b == '\r';
	c->st = S_START;
	return e;
}

static enum csv_err parse(struct csv *c, const unsigned char *p, size_t n)
{
	enum csv_err e = CSV_OK;

	for (size_t i = 0; i < n && !e; i++) {
		unsigned char b = p[i];

		if (c->after_cr) {
			c->after_cr = false;
			if (b == '\n')
				continue;
		}
		if (!b)
			return fail(c, CSV_E_BINARY, "line %zu: NUL byte (not "
				    "a CSV text file)", c->line);
		switch (c->st) {
		case S_START:
			if (!c->rec_any && !c->nf)
				c->rec_line = c->line;
			if (b == '\r' || b == '\n') {
				e = line_break(c, b);
				break;
			}
			c->rec_any = true;
			if (b == '"') {
				c->st = S_Q;
				c->q_line = c->line;
			} else if (b == ',') {
				e = end_field(c);
			} else {
				c->st = S_UNQ;
				e = put(c, (char)b);
			}
			break;
		case S_UNQ:
			if (b == ',') {
				c->st = S_START;
				e = end_field(c);
			} else if (b == '\r' || b == '\n') {
				e = line_break(c, b);
			} else {
				/* the common case: copy up to the next
				 * special byte at once */
				size_t j = i;

				while (j < n && p[j] != ',' && p[j] != '\r' &&
				       p[j] != '\n' && p[j] && !e)
					e = put(c, (char)p[j++]);
				i = j - 1;
			}
			break;
		case S_Q:
			if (b == '"') {
				c->st = S_QQ;
				break;
			}
			if (b == '\n')
				c->line++;
			e = put(c, (char)b);
			break;
		case S_QQ:
			if (b == '"') {
				c->st = S_Q;
				e = put(c, '"');
			} else if (b == ',') {
				c->st = S_START;
				e = end_field(c);
			} else if (b == '\r' || b == '\n') {
				e = line_break(c, b);
			} else {
				return fail(c, CSV_E_QUOTE, "line %zu: text "
					    "after the closing quote of field "
					    "%zu", c->line, c->nf + 1);
			}
			break;
		}
	}
	return e ? e : c->err;
}

/* ---- charset stage ----------------------------------------------------- */

/* Length of the valid UTF-8 prefix of p[0..n); *need, *lead and *first
 * carry a sequence cut by the end of a chunk into the next. */
static size_t u8_valid(const unsigned char *p, size_t n, unsigned *need,
		       unsigned char *lead, bool *first)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char b = p[i];

		if (*need) {
			unsigned char lo = 0x80, hi = 0xbf;

			if (*first) {
				/* no overlong forms, surrogates or > U+10FFFF */
				if (*lead == 0xe0)
					lo = 0xa0;
				else if (*lead == 0xed)
					hi = 0x9f;
				else if (*lead == 0xf0)
					lo = 0x90;
				else if (*lead == 0xf4)
					hi = 0x8f;
			}
			if (b < lo || b > hi)
				return i;
			(*need)--;
			*first = false;
			continue;
		}
		if (b < 0x80)
			continue;
		if (b >= 0xc2 && b <= 0xdf)
			*need = 1;
		else if (b >= 0xe0 && b <= 0xef)
			*need = 2;
		else if (b >= 0xf0 && b <= 0xf4)
			*need = 3;
		else
			return i;
		*lead = b;
		*first = true;
	}
	return n;
}

static enum csv_err charset_fail(struct csv *c)
{
	return fail(c, CSV_E_CHARSET, "line %zu: bytes that are not %s text "
		    "(declare the file's charset, UTF-8 or GBK)", c->line,
		    c->cs == CSV_CHARSET_GBK ? "GBK" : "UTF-8");
}

static enum csv_err utf8_feed(struct csv *c, const unsigned char *p, size_t n)
{
	size_t ok = u8_valid(p, n, &c->u8need, &c->u8lead, &c->u8first);
	enum csv_err e = parse(c, p, ok);

	if (e)
		return e;
	return ok < n ? charset_fail(c) : CSV_OK;
}

static bool in_append(struct csv *c, const unsigned char *p, size_t n)
{
	unsigned char *q = grow(c->in, &c->incap, c->nin + n, 4096);

	if (!q)
		return false;
	c->in = q;
	memcpy(c->in + c->nin, p, n);
	c->nin += n;
	return true;
}

/* GBK: decode what c->in holds; an incomplete character at the end stays
 * for the next chunk unless final. */
static enum csv_err gbk_run(struct csv *c, bool final)
{
	char out[16384];
	char *ip = (char *)c->in;
	size_t ileft = c->nin;
	enum csv_err e = CSV_OK;

	while (ileft && !e) {
		char *op = out;
		size_t oleft = sizeof(out);
		size_t r = iconv(c->cd, &ip, &ileft, &op, &oleft);
		int err = r == (size_t)-1 ? errno : 0;

		e = parse(c, (unsigned char *)out, sizeof(out) - oleft);
		if (e)
			break;
		if (err == E2BIG)
			continue;
		if (err == EINVAL && !final)
			break;          /* the rest of a character is due */
		if (err)
			e = charset_fail(c);
	}
	if (ileft)
		memmove(c->in, ip, ileft);
	c->nin = ileft;
	return e;
}

static enum csv_err gbk_feed(struct csv *c, const unsigned char *p, size_t n,
			     bool final)
{
	if (n && !in_append(c, p, n))
		return nomem(c);
	return gbk_run(c, final);
}

static enum csv_err decoded_feed(struct csv *c, const unsigned char *p,
				 size_t n, bool final)
{
	if (c->cs == CSV_CHARSET_GBK)
		return gbk_feed(c, p, n, final);
	return utf8_feed(c, p, n);
}

/* AUTO: decide on the first CSV_DETECT_WINDOW bytes held back from the
 * first non-ASCII one (whatever the chunk sizes were). */
static enum csv_err decide(struct csv *c, bool final)
{
	unsigned need = 0;
	unsigned char lead = 0;
	bool first = false;
	size_t win = c->nin < CSV_DETECT_WINDOW ? c->nin : CSV_DETECT_WINDOW;
	size_t ok = u8_valid(c->in, win, &need, &lead, &first);
	unsigned char *held = c->in;
	size_t nheld = c->nin;
	enum csv_err e;

	/* valid, or cut only by the end of the window */
	c->cs = ok == win && (!need || (!final || win < c->nin))
		? CSV_CHARSET_UTF8 : CSV_CHARSET_GBK;
	if (c->cs == CSV_CHARSET_GBK) {
		c->cd = iconv_open("UTF-8", "GB18030");
		if (c->cd == (iconv_t)-1)
			return nomem(c);
		return gbk_run(c, final);
	}
	c->in = NULL;
	c->nin = c->incap = 0;
	e = utf8_feed(c, held, nheld);
	free(held);
	return e;
}

static enum csv_err auto_feed(struct csv *c, const unsigned char *p, size_t n,
			      bool final)
{
	if (!c->hi_seen) {
		size_t i = 0;
		enum csv_err e;

		while (i < n && p[i] < 0x80)
			i++;
		e = parse(c, p, i);
		if (e || !n)
			return e;       /* (p is NULL at the end) */
		p += i;
		n -= i;
		c->hi_seen = n > 0;
	}
	if (n && !in_append(c, p, n))
		return nomem(c);
	if (c->hi_seen && (c->nin >= CSV_DETECT_WINDOW || final))
		return decide(c, final);
	return CSV_OK;
}

static enum csv_err stage2(struct csv *c, const unsigned char *p, size_t n,
			   bool final)
{
	if (c->cs == CSV_CHARSET_AUTO)
		return auto_feed(c, p, n, final);
	return decoded_feed(c, p, n, final);
}

/* The BOM stage: the first three bytes. */
static enum csv_err head_flush(struct csv *c, bool final)
{
	const unsigned char *h = c->head;
	size_t n = c->nhead;

	c->head_done = true;
	if (n >= 2 && ((h[0] == 0xff && h[1] == 0xfe) ||
		       (h[0] == 0xfe && h[1] == 0xff)))
		return fail(c, CSV_E_BINARY, "line 1: UTF-16 text (save the "
			    "file as UTF-8 or GBK CSV)");
	if (n == 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf) {
		c->cs = CSV_CHARSET_UTF8;
		return CSV_OK;
	}
	return stage2(c, h, n, final);
}

enum csv_err csv_feed(struct csv *c, const void *data, size_t len)
{
	const unsigned char *p = data;
	enum csv_err e;

	if (c->err)
		return c->err;
	if (!c->head_done) {
		while (len && c->nhead < sizeof(c->head)) {
			c->head[c->nhead++] = *p++;
			len--;
		}
		if (c->nhead < sizeof(c->head))
			return CSV_OK;
		e = head_flush(c, false);
		if (e)
			return e;
	}
	return len ? stage2(c, p, len, false) : CSV_OK;
}

enum csv_err csv_finish(struct csv *c)
{
	enum csv_err e;

	if (c->err)
		return c->err;
	if (!c->head_done && (e = head_flush(c, true)))
		return e;
	e = stage2(c, NULL, 0, true);
	if (e)
		return e;
	if (c->cs == CSV_CHARSET_AUTO)
		c->cs = CSV_CHARSET_UTF8;       /* ASCII only */
	if (c->cs == CSV_CHARSET_UTF8 && c->u8need)
		return charset_fail(c);
	if (c->st == S_Q)
		return fail(c, CSV_E_QUOTE, "line %zu: quoted field %zu not "
			    "closed at the end of the file", c->q_line,
			    c->nf + 1);
	c->after_cr = false;
	return end_record(c);
}

enum csv_err csv_error(const struct csv *c)
{
	return c->err;
}

const char *csv_errmsg(const struct csv *c)
{
	return c->errmsg;
}

size_t csv_rows(const struct csv *c)
{
	return c->rows;
}

enum csv_charset csv_charset(const struct csv *c)
{
	return c->cs;
}

const char *csv_charset_name(enum csv_charset cs)
{
	switch (cs) {
	case CSV_CHARSET_UTF8: return "utf-8";
	case CSV_CHARSET_GBK: return "gbk";
	default: return "auto";
	}
}

int csv_charset_parse(const char *name)
{
	static const struct { const char *n; enum csv_charset cs; } t[] = {
		{ "", CSV_CHARSET_AUTO }, { "auto", CSV_CHARSET_AUTO },
		{ "utf-8", CSV_CHARSET_UTF8 }, { "utf8", CSV_CHARSET_UTF8 },
		{ "gbk", CSV_CHARSET_GBK }, { "gb2312", CSV_CHARSET_GBK },
		{ "gb18030", CSV_CHARSET_GBK }, { "cp936", CSV_CHARSET_GBK },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcasecmp(name, t[i].n))
			return (int)t[i].cs;
	return -1;
}

const char *csv_err_name(enum csv_err e)
{
	static const char *const names[] = {
		[CSV_OK] = "ok", [CSV_E_FIELD] = "field_too_long",
		[CSV_E_ROW] = "record_too_long", [CSV_E_COLS] = "too_many_fields",
		[CSV_E_QUOTE] = "bad_quoting", [CSV_E_CHARSET] = "bad_charset",
		[CSV_E_BINARY] = "not_text", [CSV_E_ABORT] = "aborted",
		[CSV_E_NOMEM] = "out_of_memory",
	};

	return (unsigned)e < sizeof(names) / sizeof(names[0]) ? names[e]
							      : "unknown";
}
