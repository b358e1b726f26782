/*
 * occ_csv.c — occ-csv: fetch a CSV file the way a source=http/ftp import
 * does (src/import/fetch.c on a worker thread, rows handed back to a libre
 * loop, src/import/csv.c) and print its records as JSON lines:
 *
 *   {"line":2,"fields":["13800000001","张三"]}
 *   {"line":1,"skipped":true,"fields":["phone1","name"]}   (delrow rows)
 *
 * The allow-list is an argument (as [import] allow; none: every URL is
 * refused, as in occd). --file parses a local file ("-": stdin) without
 * fetching. Exit status 0; 2 with "occ-csv: <error> (BackMsg_NN): ..." on
 * stderr when the import would fail; 1 for usage errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <re.h>
#include "import/csv.h"
#include "import/fetch.h"

static struct {
	bool count_only;
	size_t stop_after;      /* the row handler says stop after this many */
	unsigned row_delay_us;  /* a slow importer: sleep in each row */
	struct import_job *job;
	bool cancelled;
	size_t rows;
	enum import_err err;
	char msg[512];
} g;

static void json_str(FILE *f, const char *s)
{
	putc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (c < 0x20)
				fprintf(f, "\\u%04x", c);
			else
				putc(c, f);
		}
	}
	putc('"', f);
}

static int print_row(size_t line, const char *const *f, size_t n, bool skip)
{
	if (g.count_only)
		return 0;
	printf("{\"line\":%zu,%s\"fields\":[", line,
	       skip ? "\"skipped\":true," : "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			putchar(',');
		json_str(stdout, f[i]);
	}
	fputs("]}\n", stdout);
	return 0;
}

static int row_h(void *arg, size_t line, const char *const *f, size_t n)
{
	(void)arg;
	g.rows++;
	if (g.row_delay_us)
		usleep(g.row_delay_us);
	print_row(line, f, n, false);
	return g.stop_after && g.rows >= g.stop_after;
}

/* --cancel-after: mem_deref the job mid-transfer, as occd does when an
 * import is cancelled or occd stops */
static void cancel_h(void *arg)
{
	(void)arg;
	g.job = mem_deref(g.job);
	g.cancelled = true;
	re_cancel();
}

static int skip_h(void *arg, size_t line, const char *const *f, size_t n)
{
	(void)arg;
	return print_row(line, f, n, true);
}

static void done_h(enum import_err err, const char *msg, size_t rows,
		   void *arg)
{
	(void)arg;
	g.err = err;
	snprintf(g.msg, sizeof(g.msg), "%s", msg);
	if (rows != g.rows) {
		g.err = IMPORT_E_FETCH;
		snprintf(g.msg, sizeof(g.msg), "rows %zu != delivered %zu",
			 rows, g.rows);
	}
	re_cancel();
}

static int parse_file(const char *path, const struct csv_opts *o)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	static char buf[1 << 16];
	struct csv *c;
	size_t n;
	enum csv_err e = CSV_OK;

	if (!f) {
		fprintf(stderr, "occ-csv: %s: %s\n", path, strerror(errno));
		return 1;
	}
	c = csv_new(o);
	if (!c)
		return 1;
	while (!e && (n = fread(buf, 1, sizeof(buf), f)) > 0)
		e = csv_feed(c, buf, n);
	if (!e)
		e = csv_finish(c);
	if (e) {
		g.err = IMPORT_E_CSV;
		snprintf(g.msg, sizeof(g.msg), "%s", csv_errmsg(c));
	}
	fprintf(stderr, "occ-csv: charset %s\n",
		csv_charset_name(csv_charset(c)));
	csv_free(c);
	if (f != stdin)
		fclose(f);
	return 0;
}

static void usage(void)
{
	fputs("usage: occ-csv [options] URL | --file PATH|-\n"
	      "  --allow LIST          allowed scheme://host[:port][/path] "
	      "entries ([import] allow)\n"
	      "  --charset auto|utf-8|gbk   --delrow N\n"
	      "  --user U --password P\n"
	      "  --max-bytes N --timeout S --idle-timeout S "
	      "--connect-timeout S\n"
	      "  --max-field N --max-row N --max-cols N\n"
	      "  --count               print only the number of rows\n"
	      "  --stop-after N        the row handler stops the import after N "
	      "rows\n"
	      "  --row-delay-us N      sleep N us in each row (a slow importer)\n"
	      "  --cancel-after MS     cancel the job after MS ms (exit 3)\n"
	      "  --blocking            fetch on this thread (no worker, no "
	      "loop)\n", stderr);
	exit(1);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "allow", 1, 0, 'a' }, { "charset", 1, 0, 'c' },
		{ "delrow", 1, 0, 'd' }, { "user", 1, 0, 'u' },
		{ "password", 1, 0, 'p' }, { "max-bytes", 1, 0, 'B' },
		{ "timeout", 1, 0, 'T' }, { "idle-timeout", 1, 0, 'I' },
		{ "connect-timeout", 1, 0, 'C' }, { "max-field", 1, 0, 'F' },
		{ "max-row", 1, 0, 'R' }, { "max-cols", 1, 0, 'N' },
		{ "count", 0, 0, 'n' }, { "blocking", 0, 0, 'b' },
		{ "file", 1, 0, 'f' }, { "help", 0, 0, 'h' },
		{ "stop-after", 1, 0, 's' }, { "row-delay-us", 1, 0, 'w' },
		{ "cancel-after", 1, 0, 'x' }, { 0, 0, 0, 0 },
	};
	struct import_src src = { .allow = "" };
	struct csv_opts o = { .row_h = row_h, .skip_h = skip_h };
	const char *file = NULL;
	bool blocking = false;
	unsigned cancel_ms = 0;
	int c, cs, rc = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a': src.allow = optarg; break;
		case 'c':
			cs = csv_charset_parse(optarg);
			if (cs < 0)
				usage();
			o.charset = (enum csv_charset)cs;
			break;
		case 'd': o.delrow = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'u': src.user = optarg; break;
		case 'p': src.pwd = optarg; break;
		case 'B': src.max_bytes = strtoull(optarg, NULL, 10); break;
		case 'T': src.timeout_s = (unsigned)atoi(optarg); break;
		case 'I': src.idle_s = (unsigned)atoi(optarg); break;
		case 'C': src.connect_timeout_s = (unsigned)atoi(optarg); break;
		case 'F': o.max_field = strtoul(optarg, NULL, 10); break;
		case 'R': o.max_row = strtoul(optarg, NULL, 10); break;
		case 'N': o.max_cols = strtoul(optarg, NULL, 10); break;
		case 'n': g.count_only = true; break;
		case 'b': blocking = true; break;
		case 'f': file = optarg; break;
		case 's': g.stop_after = strtoul(optarg, NULL, 10); break;
		case 'w': g.row_delay_us = (unsigned)atoi(optarg); break;
		case 'x': cancel_ms = (unsigned)atoi(optarg); break;
		default: usage();
		}
	}
	if (file ? optind != argc : optind != argc - 1)
		usage();
	src.url = file ? NULL : argv[optind];

	if (file) {
		rc = parse_file(file, &o);
	} else if (blocking) {
		struct csv *p = csv_new(&o);

		if (!p)
			return 1;
		g.err = import_fetch(&src, p, g.msg, sizeof(g.msg), NULL);
		csv_free(p);
	} else {
		struct tmr cancel_tmr;
		int err;

		libre_init();
		tmr_init(&cancel_tmr);
		err = import_job_start(&g.job, &src, &o, done_h, NULL);
		if (err) {
			g.err = err == EBUSY ? IMPORT_E_BUSY : IMPORT_E_NOMEM;
			snprintf(g.msg, sizeof(g.msg), "%s", strerror(err));
		} else {
			if (cancel_ms)
				tmr_start(&cancel_tmr, cancel_ms, cancel_h, NULL);
			re_main(NULL);
		}
		tmr_cancel(&cancel_tmr);
		g.job = mem_deref(g.job);
		libre_close();
		if (g.cancelled) {
			fprintf(stderr, "occ-csv: cancelled after %zu rows\n",
				g.rows);
			return 3;
		}
	}
	fflush(stdout);
	if (rc)
		return rc;
	if (g.err) {
		fprintf(stderr, "occ-csv: %s (BackMsg_%d): %s\n",
			import_err_name(g.err), import_err_backmsg(g.err),
			g.msg);
		return 2;
	}
	fprintf(stderr, "occ-csv: %zu rows\n", g.rows);
	return 0;
}
