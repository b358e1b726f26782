/*
 * csv.h — a streaming CSV parser for customer imports (issue 12, API.md
 * §4.23 source=http/ftp): fed chunks of any size, it calls a row handler
 * for each record, so a file of a million rows never sits in memory whole.
 *
 *   RFC 4180: fields separated by ',', records by CRLF, LF or a lone CR;
 *   a field in double quotes may hold ',', line breaks and "" (one quote).
 *   A quote inside an unquoted field is kept as it is (a"b); after a
 *   closing quote only ',' or a line break may follow (CSV_E_QUOTE), and a
 *   quote still open at the end is CSV_E_QUOTE too. Line breaks inside
 *   quotes are kept as they are. Lines with no byte at all are skipped.
 *
 *   Charset: UTF-8 or GBK (decoded as GB18030, its superset, with glibc's
 *   iconv), declared or detected. A UTF-8 BOM is dropped and means UTF-8.
 *   Detection (CSV_CHARSET_AUTO): ASCII passes while it lasts; at the
 *   first non-ASCII byte the next CSV_DETECT_WINDOW bytes (or the rest of
 *   the file) decide: valid UTF-8 is UTF-8, else GBK. A file whose first
 *   non-ASCII text is UTF-8 but that holds GBK further on (or the other
 *   way round) stops with CSV_E_CHARSET at that line: declare the charset
 *   or fix the file. A UTF-16 BOM and NUL bytes are CSV_E_BINARY (a
 *   spreadsheet, not CSV). Rows reach the handler as UTF-8.
 *
 *   delrow: the first delrow records (not lines: a quoted field may span
 *   lines) are not given to the row handler but to skip_h, if set; the
 *   first of them is usually the title row.
 *
 *   Limits (0 in csv_opts: the default): a field at most max_field bytes
 *   (after decoding; default CSV_MAX_FIELD), a record at most max_row bytes
 *   (its fields plus one byte each, default CSV_MAX_ROW), at most
 *   max_cols fields (default CSV_MAX_COLS). Beyond: CSV_E_FIELD/_ROW/_COLS.
 *
 * Every error stops the parser for good (later feeds return it again);
 * csv_errmsg() says what and at which line ("line 7: field longer than
 * 65536 bytes"). Lines are counted from 1 at LF, CRLF or a lone CR
 * outside quotes and at LF inside them; `line` given to the handler is the
 * line where the record starts.
 *
 * No libre, no global state: one parser per import, usable on any thread.
 */
#ifndef OCC_IMPORT_CSV_H
#define OCC_IMPORT_CSV_H

#include <stddef.h>

enum csv_charset { CSV_CHARSET_AUTO, CSV_CHARSET_UTF8, CSV_CHARSET_GBK };

enum {
	CSV_MAX_FIELD = 64 * 1024,
	CSV_MAX_ROW = 1024 * 1024,
	CSV_MAX_COLS = 512,
	CSV_DETECT_WINDOW = 4096,
};

enum csv_err {
	CSV_OK = 0,
	CSV_E_FIELD,    /* a field longer than max_field */
	CSV_E_ROW,      /* a record longer than max_row */
	CSV_E_COLS,     /* more than max_cols fields */
	CSV_E_QUOTE,    /* text after a closing quote, or a quote left open */
	CSV_E_CHARSET,  /* bytes that are not text in the file's charset */
	CSV_E_BINARY,   /* NUL bytes or a UTF-16 BOM: not a CSV text file */
	CSV_E_ABORT,    /* the row handler returned non-zero */
	CSV_E_NOMEM,
};

/* Return 0 to go on, non-zero to stop the parser (CSV_E_ABORT). fields[i]
 * are NUL-terminated UTF-8, valid until the handler returns. */
typedef int (csv_row_h)(void *arg, size_t line, const char *const *fields,
			size_t nfields);

struct csv_opts {
	enum csv_charset charset;
	unsigned delrow;          /* records not imported (title rows) */
	size_t max_field, max_row, max_cols; /* 0: the defaults above */
	csv_row_h *row_h;         /* the records after delrow */
	csv_row_h *skip_h;        /* the delrow records (may be NULL) */
	void *arg;
};

struct csv;

/* NULL when out of memory. */
struct csv *csv_new(const struct csv_opts *opts);
void csv_free(struct csv *c);
/* Parse len more bytes; returns the parser's error (CSV_OK to go on). */
enum csv_err csv_feed(struct csv *c, const void *data, size_t len);
/* The end of the input: the last record without a line break, an open
 * quote, an incomplete multibyte character. */
enum csv_err csv_finish(struct csv *c);

enum csv_err csv_error(const struct csv *c);
/* "" while there is no error. */
const char *csv_errmsg(const struct csv *c);
/* Records given to row_h so far (not the delrow ones). */
size_t csv_rows(const struct csv *c);
/* The charset in use: AUTO until detected. */
enum csv_charset csv_charset(const struct csv *c);
const char *csv_charset_name(enum csv_charset cs);
/* "utf-8"/"utf8", "gbk"/"gb2312"/"gb18030"/"cp936", "" or "auto";
 * -1 for anything else. */
int csv_charset_parse(const char *name);
const char *csv_err_name(enum csv_err e);

#endif
