/*
 * test_csv.c — the streaming CSV parser (src/import/csv.c): RFC 4180
 * quoting, line breaks, BOM, UTF-8/GBK detection and conversion, delrow,
 * limits with line numbers, and the same rows whatever the chunk sizes.
 */
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include "unit.h"
#include "import/csv.h"

struct collect {
	char out[8192];
	size_t len;
	size_t stop_after;      /* 0: never */
	size_t seen;
};

static void addf(struct collect *k, const char *fmt, const char *a, size_t n)
{
	int w;

	if (k->len >= sizeof(k->out) - 1)
		return;         /* full: the tests compare short outputs */
	w = a ? snprintf(k->out + k->len, sizeof(k->out) - k->len, fmt, a, n)
	      : snprintf(k->out + k->len, sizeof(k->out) - k->len, fmt, n);
	k->len += (size_t)w < sizeof(k->out) - k->len ? (size_t)w
			: sizeof(k->out) - 1 - k->len;
}

/* Each record as "line:[f1|f2|...]\n", skipped ones as "skip line:[...]". */
static int add(struct collect *k, const char *tag, size_t line,
	       const char *const *f, size_t n)
{
	addf(k, "%s%zu:[", tag, line);
	for (size_t i = 0; i < n; i++)
		addf(k, i ? "|%s%.0zu" : "%s%.0zu", f[i], 0);
	addf(k, "]\n%.0zu", NULL, 0);
	return 0;
}

static int row_h(void *arg, size_t line, const char *const *f, size_t n)
{
	struct collect *k = arg;

	add(k, "", line, f, n);
	return k->stop_after && ++k->seen >= k->stop_after;
}

static int skip_h(void *arg, size_t line, const char *const *f, size_t n)
{
	return add(arg, "skip ", line, f, n);
}

/* Parse in chunks of `chunk` bytes (0: all at once). */
static enum csv_err run(struct collect *k, struct csv_opts o, const char *in,
			size_t len, size_t chunk, char *msg, size_t msgsz,
			enum csv_charset *cs)
{
	struct csv *c;
	enum csv_err e = CSV_OK;

	memset(k, 0, sizeof(*k) - sizeof(k->stop_after) - sizeof(k->seen));
	o.row_h = row_h;
	o.skip_h = skip_h;
	o.arg = k;
	c = csv_new(&o);
	if (!c)
		return CSV_E_NOMEM;
	for (size_t off = 0; off < len && !e; off += chunk ? chunk : len) {
		size_t n = chunk && len - off > chunk ? chunk : len - off;

		e = csv_feed(c, in + off, n);
	}
	if (!e)
		e = csv_finish(c);
	if (msg)
		snprintf(msg, msgsz, "%s", csv_errmsg(c));
	if (cs)
		*cs = csv_charset(c);
	csv_free(c);
	return e;
}

/* The same rows whatever the chunk size. */
static int same_chunked(struct csv_opts o, const char *in, size_t len,
			const char *want)
{
	static const size_t chunks[] = { 0, 1, 2, 3, 5, 7, 64, 4095 };
	struct collect k = { 0 };

	for (size_t i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		enum csv_err e = run(&k, o, in, len, chunks[i], NULL, 0, NULL);

		if (e || strcmp(k.out, want)) {
			fprintf(stderr, "  chunk %zu: err %s, got:\n%s",
				chunks[i], csv_err_name(e), k.out);
			return 0;
		}
	}
	return 1;
}

UNIT_TEST(csv_rfc4180_quoting)
{
	static const char in[] =
		"name,phone,note\r\n"
		"\"Smith, John\",138,\"said \"\"hi\"\"\"\r\n"
		"\"two\nlines\",139,\"a\r\nb\"\r\n"
		"\n"
		",,\r\n"
		"a\"b,\"\",x\n"
		"last,1,no newline";
	static const char want[] =
		"1:[name|phone|note]\n"
		"2:[Smith, John|138|said \"hi\"]\n"
		"3:[two\nlines|139|a\r\nb]\n"
		"7:[||]\n"
		"8:[a\"b||x]\n"
		"9:[last|1|no newline]\n";

	UT_ASSERT(same_chunked((struct csv_opts){ 0 }, in, strlen(in), want));
}

UNIT_TEST(csv_line_breaks_cr_lf_crlf)
{
	static const char in[] = "a\rb\r\nc\nd\r\r\ne";
	static const char want[] = "1:[a]\n2:[b]\n3:[c]\n4:[d]\n6:[e]\n";

	UT_ASSERT(same_chunked((struct csv_opts){ 0 }, in, strlen(in), want));
}

UNIT_TEST(csv_bom_and_utf16)
{
	static const char in[] = "\xef\xbb\xbf\xe5\xa7\x93\xe5\x90\x8d,x\n";
	struct collect k = { 0 };
	enum csv_charset cs;
	char msg[160];

	UT_ASSERT(same_chunked((struct csv_opts){ 0 }, in, strlen(in),
			       "1:[\xe5\xa7\x93\xe5\x90\x8d|x]\n"));
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, in, strlen(in), 0, NULL, 0,
		      &cs), CSV_OK);
	UT_EQ_INT(cs, CSV_CHARSET_UTF8);
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, "\xff\xfe" "a\0,\0", 6, 0,
		      msg, sizeof(msg), NULL), CSV_E_BINARY);
	UT_ASSERT(strstr(msg, "UTF-16"));
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, "a,b\nc\0d\n", 8, 0, msg,
		      sizeof(msg), NULL), CSV_E_BINARY);
	UT_ASSERT(strstr(msg, "line 2"));
	/* an empty file and a lone BOM: no rows, no error */
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, "", 0, 0, NULL, 0, NULL),
		  CSV_OK);
	UT_EQ_STR(k.out, "");
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, "\xef\xbb\xbf", 3, 0, NULL,
		      0, NULL), CSV_OK);
	UT_EQ_STR(k.out, "");
}

/* iconv UTF-8 -> GBK, for test input */
static size_t to_gbk(const char *u8, char *out, size_t outsz)
{
	iconv_t cd = iconv_open("GBK", "UTF-8");
	char *ip = (char *)u8, *op = out;
	size_t il = strlen(u8), ol = outsz;

	if (cd == (iconv_t)-1)
		return 0;
	if (iconv(cd, &ip, &il, &op, &ol) == (size_t)-1)
		ol = outsz;
	iconv_close(cd);
	return outsz - ol;
}

UNIT_TEST(csv_gbk_detected_and_declared)
{
	/* ASCII first (detection waits), then GBK, quoted over two lines */
	static const char u8[] =
		"phone1,name\r\n"
		"13800000001,\xe5\xbc\xa0\xe4\xb8\x89\r\n"
		"13800000002,\"\xe6\x9d\x8e\xe5\x9b\x9b,\n\xe5\x8c\x97\xe4\xba\xac\"\r\n";
	static const char want[] =
		"skip 1:[phone1|name]\n"
		"2:[13800000001|\xe5\xbc\xa0\xe4\xb8\x89]\n"
		"3:[13800000002|\xe6\x9d\x8e\xe5\x9b\x9b,\n\xe5\x8c\x97\xe4\xba\xac]\n";
	char gbk[512], msg[160];
	size_t n = to_gbk(u8, gbk, sizeof(gbk));
	struct collect k = { 0 };
	enum csv_charset cs;

	UT_ASSERT(n > 0 && n < strlen(u8));
	UT_ASSERT(same_chunked((struct csv_opts){ .delrow = 1 }, gbk, n, want));
	UT_ASSERT(same_chunked((struct csv_opts){ .delrow = 1,
			       .charset = CSV_CHARSET_GBK }, gbk, n, want));
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, gbk, n, 3, NULL, 0, &cs),
		  CSV_OK);
	UT_EQ_INT(cs, CSV_CHARSET_GBK);
	/* the same text as UTF-8 is detected as UTF-8 */
	UT_ASSERT(same_chunked((struct csv_opts){ .delrow = 1 }, u8,
			       strlen(u8), want));
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, u8, strlen(u8), 1, NULL, 0,
		      &cs), CSV_OK);
	UT_EQ_INT(cs, CSV_CHARSET_UTF8);
	/* GBK declared as UTF-8: refused at the line of the first GBK byte */
	UT_EQ_INT(run(&k, (struct csv_opts){ .charset = CSV_CHARSET_UTF8 },
		      gbk, n, 0, msg, sizeof(msg), NULL), CSV_E_CHARSET);
	UT_ASSERT(strstr(msg, "line 2"));
	UT_EQ_STR(k.out, "1:[phone1|name]\n");
}

UNIT_TEST(csv_charset_switch_midway_refused)
{
	/* UTF-8 text first, then (beyond the detection window) GBK bytes */
	size_t len = CSV_DETECT_WINDOW + 64, off = 0;
	char *in = malloc(len + 16);
	struct collect k = { 0 };
	char msg[160];
	size_t lines = 0;

	UT_ASSERT(in);
	while (off < CSV_DETECT_WINDOW + 8) {
		memcpy(in + off, "\xe5\xbc\xa0\n", 4);   /* 张 */
		off += 4;
		lines++;
	}
	memcpy(in + off, "\xd5\xc5\n", 3);               /* 张 in GBK */
	off += 3;
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, in, off, 1000, msg,
		      sizeof(msg), NULL), CSV_E_CHARSET);
	free(in);
	{
		char want[32];

		snprintf(want, sizeof(want), "line %zu:", lines + 1);
		UT_ASSERT(strstr(msg, want));
	}
	/* invalid UTF-8 forms: overlong, surrogate, cut at the end */
	UT_EQ_INT(run(&k, (struct csv_opts){ .charset = CSV_CHARSET_UTF8 },
		      "\xc0\xaf\n", 3, 0, NULL, 0, NULL), CSV_E_CHARSET);
	UT_EQ_INT(run(&k, (struct csv_opts){ .charset = CSV_CHARSET_UTF8 },
		      "\xed\xa0\x80\n", 4, 0, NULL, 0, NULL), CSV_E_CHARSET);
	UT_EQ_INT(run(&k, (struct csv_opts){ .charset = CSV_CHARSET_UTF8 },
		      "a,\xe5\xbc", 4, 1, NULL, 0, NULL), CSV_E_CHARSET);
	/* a GBK lead byte cut at the end */
	UT_EQ_INT(run(&k, (struct csv_opts){ .charset = CSV_CHARSET_GBK },
		      "a,\xd5", 3, 0, NULL, 0, NULL), CSV_E_CHARSET);
}

UNIT_TEST(csv_delrow_counts_records_not_lines)
{
	static const char in[] =
		"\"title\none\",t2\n"
		"\n"
		"second,skipped\n"
		"r1,x\n"
		"r2,y\n";
	static const char want[] =
		"skip 1:[title\none|t2]\n"
		"skip 4:[second|skipped]\n"
		"5:[r1|x]\n"
		"6:[r2|y]\n";
	struct collect k = { 0 };

	UT_ASSERT(same_chunked((struct csv_opts){ .delrow = 2 }, in,
			       strlen(in), want));
	UT_EQ_INT(run(&k, (struct csv_opts){ .delrow = 9 }, in, strlen(in), 0,
		      NULL, 0, NULL), CSV_OK);
	UT_EQ_INT(unit_count(k.out, "skip "), 4);
}

UNIT_TEST(csv_limits_with_line_numbers)
{
	struct collect k = { 0 };
	char msg[160];

	UT_EQ_INT(run(&k, (struct csv_opts){ .max_field = 4 },
		      "abcd,x\n\"a\nb\"\nabcde\n", 19, 1, msg, sizeof(msg),
		      NULL), CSV_E_FIELD);
	UT_ASSERT(strstr(msg, "line 4: field 1 longer than 4 bytes"));
	UT_EQ_STR(k.out, "1:[abcd|x]\n2:[a\nb]\n");
	UT_EQ_INT(run(&k, (struct csv_opts){ .max_cols = 3 },
		      "a,b,c\n\na,b,c,d\n", 15, 0, msg, sizeof(msg), NULL),
		  CSV_E_COLS);
	UT_ASSERT(strstr(msg, "line 3: more than 3 fields"));
	UT_EQ_INT(run(&k, (struct csv_opts){ .max_row = 10 },
		      "abc,def\nabc,def,ghi\n", 20, 2, msg, sizeof(msg), NULL),
		  CSV_E_ROW);
	UT_ASSERT(strstr(msg, "line 2: record longer than 10 bytes"));
	/* the defaults apply with 0 */
	{
		size_t len = CSV_MAX_FIELD + 2;
		char *big = malloc(len);

		UT_ASSERT(big);
		memset(big, 'x', len);
		big[len - 1] = '\n';
		UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, big, len, 0, msg,
			      sizeof(msg), NULL), CSV_E_FIELD);
		UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, big + 1, len - 1, 0,
			      NULL, 0, NULL), CSV_OK);
		free(big);
	}
}

UNIT_TEST(csv_quote_errors_and_abort)
{
	struct collect k = { 0 };
	char msg[160];
	struct csv *c;

	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, "a,b\n\"x\"y,z\n", 11, 0,
		      msg, sizeof(msg), NULL), CSV_E_QUOTE);
	UT_ASSERT(strstr(msg, "line 2: text after the closing quote of "
			 "field 1"));
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, "a\nb,\"open\n\nmore", 15,
		      4, msg, sizeof(msg), NULL), CSV_E_QUOTE);
	UT_ASSERT(strstr(msg, "line 2: quoted field 2 not closed"));
	UT_EQ_STR(k.out, "1:[a]\n");
	/* the handler stops the parser; later feeds keep the error */
	k.stop_after = 2;
	k.seen = 0;
	UT_EQ_INT(run(&k, (struct csv_opts){ 0 }, "a\nb\nc\n", 6, 0, msg,
		      sizeof(msg), NULL), CSV_E_ABORT);
	UT_EQ_STR(k.out, "1:[a]\n2:[b]\n");
	c = csv_new(&(struct csv_opts){ 0 });
	UT_ASSERT(c);
	UT_EQ_INT(csv_feed(c, "\"a\"b", 4), CSV_E_QUOTE);
	UT_EQ_INT(csv_feed(c, "c\n", 2), CSV_E_QUOTE);
	UT_EQ_INT(csv_finish(c), CSV_E_QUOTE);
	UT_EQ_INT(csv_rows(c), 0);
	csv_free(c);
	UT_EQ_INT(csv_charset_parse("GBK"), CSV_CHARSET_GBK);
	UT_EQ_INT(csv_charset_parse("UTF-8"), CSV_CHARSET_UTF8);
	UT_EQ_INT(csv_charset_parse(""), CSV_CHARSET_AUTO);
	UT_EQ_INT(csv_charset_parse("latin1"), -1);
}
