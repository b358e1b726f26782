/*
 * table.c — occctl's output helpers: aligned tables (empty cells print as
 * "-", control characters as '?') and value formatting.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/occctl.h"

/* ---- aligned tables ---- */

void tbl_row(struct tbl *t, ...)
{
	char **cell;
	va_list ap;

	cell = realloc(t->cell, (t->nrow + 1) * t->ncol * sizeof(*cell));
	if (!cell) {
		t->oom = true;
		return;
	}
	t->cell = cell;
	va_start(ap, t);
	for (size_t i = 0; i < t->ncol; i++) {
		const char *s = va_arg(ap, const char *);
		char *d = strdup(s && *s ? s : "-");
		/* values from the network (SIP contacts) cannot drive the
		 * terminal */
		for (char *p = d; p && *p; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		}
		cell[t->nrow * t->ncol + i] = d;
	}
	va_end(ap);
	t->nrow++;
}

/* Print and free; rows[0] is the header. */
void tbl_print(struct tbl *t)
{
	size_t w[TBL_MAX_COLS] = { 0 };

	for (size_t r = 0; r < t->nrow; r++) {
		for (size_t i = 0; i < t->ncol; i++) {
			const char *s = t->cell[r * t->ncol + i];
			size_t n = s ? strlen(s) : 0;
			if (n > w[i])
				w[i] = n;
		}
	}
	for (size_t r = 0; r < t->nrow; r++) {
		for (size_t i = 0; i < t->ncol; i++) {
			const char *s = t->cell[r * t->ncol + i];
			bool last = i + 1 == t->ncol;
			fprintf(cli_out, "%-*s%s", last ? 0 : (int)w[i], s ? s : "?",
			       last ? "\n" : "  ");
			free(t->cell[r * t->ncol + i]);
		}
	}
	free(t->cell);
	t->cell = NULL;
	t->nrow = 0;
}

void tbl_free(struct tbl *t)
{
	for (size_t i = 0; i < t->nrow * t->ncol; i++)
		free(t->cell[i]);
	free(t->cell);
	t->cell = NULL;
	t->nrow = 0;
}

const char *i64s(char buf[24], int64_t v)
{
	snprintf(buf, 24, "%lld", (long long)v);
	return buf;
}

const char *local_time(char buf[32], int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || !localtime_r(&t, &tm) ||
	    !strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm))
		return "";
	return buf;
}


/* Wall-clock time in ms, as occd stamps rows. */
int64_t wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
